/* JSON writer, base64 and the record's JSON form. */
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/record.h"
#include "core/b64.h"
#include "core/json.h"
#include "t.h"

/* Independent strict UTF-8 check (written from RFC 3629's grammar rather
 * than from json.c's table): no overlongs, no surrogates, <= U+10FFFF. */
static bool valid_utf8(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c = p[i], cp;
		size_t k, len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* A JSON string token: quotes at both ends, valid escapes, no raw controls. */
static bool valid_json_string(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < 2 || p[0] != '"' || p[n - 1] != '"' || !valid_utf8(p, n))
		return false;
	for (i = 1; i < n - 1; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '"')
			return false;
		if (p[i] != '\\')
			continue;
		i++;
		if (i >= n - 1)
			return false;
		if (p[i] == 'u') {
			if (i + 4 >= n - 1)
				return false;
			i += 4;
		} else if (!strchr("\"\\/bfnrt", p[i])) {
			return false;
		}
	}
	return true;
}

static const char *jstr(struct buf *b, const void *p, size_t n)
{
	buf_reset(b);
	if (json_str(b, p, n))
		return "(error)";
	return buf_cstr(b);
}

static void test_escapes(void)
{
	struct buf b = {0};
	char want[16];
	uint8_t c;
	int all_ok = 1;

	for (c = 0; c < 0x20; c++) {
		snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		if (strcmp(jstr(&b, &c, 1), want)) {
			printf("# control 0x%02x gave %s\n", c, (const char *)b.p);
			all_ok = 0;
		}
	}
	CHECK(all_ok);
	CHECK_STR(jstr(&b, "\x7f", 1), "\"\\u007f\"");
	CHECK_STR(jstr(&b, "a\"b", 3), "\"a\\\"b\"");
	CHECK_STR(jstr(&b, "a\\b", 3), "\"a\\\\b\"");
	CHECK_STR(jstr(&b, "", 0), "\"\"");
	CHECK_STR(jstr(&b, "GET / HTTP/1.1\r\n", 16), "\"GET / HTTP/1.1\\u000d\\u000a\"");
	CHECK_STR(jstr(&b, "a\0b", 3), "\"a\\u0000b\"");
	buf_free(&b);
}

static void test_utf8(void)
{
	struct buf b = {0};

	/* Well-formed text is kept byte for byte. */
	CHECK_STR(jstr(&b, "caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	CHECK_STR(jstr(&b, "\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
	CHECK_STR(jstr(&b, "\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(jstr(&b, "\xf4\x8f\xbf\xbf", 4), "\"\xf4\x8f\xbf\xbf\"");
	CHECK_STR(jstr(&b, "\xed\x9f\xbf", 3), "\"\xed\x9f\xbf\"");
	/* C1 controls and JS line terminators are escaped. */
	CHECK_STR(jstr(&b, "\xc2\x85", 2), "\"\\u0085\"");
	CHECK_STR(jstr(&b, "\xc2\x9b", 2), "\"\\u009b\"");
	CHECK_STR(jstr(&b, "\xe2\x80\xa8", 3), "\"\\u2028\"");
	CHECK_STR(jstr(&b, "\xc2\xa0", 2), "\"\xc2\xa0\"");
	/* Ill-formed: one U+FFFD per maximal subpart. */
	CHECK_STR(jstr(&b, "\xc0\x80", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\xe0\x80\xaf", 3), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\xed\xa0\x80", 3), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\xf4\x90\x80\x80", 4),
		  "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\xf5\x80", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\xff", 1), "\"\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\x80x", 2), "\"\xef\xbf\xbdx\"");
	CHECK_STR(jstr(&b, "\xe2\x82", 2), "\"\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b,
		       "\xe2\x82"
		       "A",
		       3),
		  "\"\xef\xbf\xbd"
		  "A\"");
	CHECK_STR(jstr(&b, "\xf0\x9f\x98", 3), "\"\xef\xbf\xbd\"");
	CHECK_STR(jstr(&b, "\xf0\x9f\x98\xc3\xa9", 5), "\"\xef\xbf\xbd\xc3\xa9\"");
	buf_free(&b);
}

/* Deterministic pseudo-random bytes (xorshift), biased toward UTF-8 lead and
 * continuation bytes so multi-byte paths get exercised. */
static uint32_t rng = 2463534242u;
static uint8_t rnd_byte(void)
{
	static const uint8_t pick[] = {0x00, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0xbf, 0xc0, 0xc2,
				       0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'a'};

	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (rng & 0x100) ? pick[rng % sizeof(pick)] : (uint8_t)rng;
}

static void test_random(void)
{
	struct buf b = {0};
	uint8_t in[64];
	int i, bad = 0;
	size_t n, k;

	for (i = 0; i < 20000; i++) {
		n = (size_t)i % sizeof(in);
		for (k = 0; k < n; k++)
			in[k] = rnd_byte();
		buf_reset(&b);
		if (json_str(&b, in, n) || !valid_json_string(b.p, b.len))
			bad++;
	}
	CHECK_INT(bad, 0);
	buf_free(&b);
}

static void test_writer(void)
{
	struct buf b = {0};
	struct json j;

	json_init(&j, &b);
	json_obj_begin(&j);
	json_kcstr(&j, "a", "x");
	json_key(&j, "list");
	json_arr_begin(&j);
	json_val_u64(&j, 1);
	json_val_i64(&j, -2);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_val_null(&j);
	json_arr_end(&j);
	json_kbool(&j, "t", true);
	json_kdouble(&j, "ts", 1700000000.123456);
	json_kdouble(&j, "nan", NAN);
	json_kdouble(&j, "small", 0.000001);
	json_kcstr(&j, "k\"ey", "v");
	json_obj_end(&j);
	CHECK_INT(json_finish(&j), 0);
	CHECK_STR(buf_cstr(&b), "{\"a\":\"x\",\"list\":[1,-2,{},[],null],\"t\":true,"
				"\"ts\":1700000000.123456,\"nan\":null,\"small\":0.000001,"
				"\"k\\\"ey\":\"v\"}");
	/* Misuse is reported, not written past. */
	buf_reset(&b);
	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "dangling");
	json_obj_end(&j);
	CHECK(json_finish(&j) < 0);
	buf_reset(&b);
	json_init(&j, &b);
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		json_arr_begin(&j);
	CHECK(json_finish(&j) < 0);
	buf_free(&b);
}

static const char *b64(struct buf *b, const char *s)
{
	buf_reset(b);
	if (b64_encode(b, (const uint8_t *)s, strlen(s)))
		return "(error)";
	return buf_cstr(b);
}

static int unb64(struct buf *b, const char *s)
{
	buf_reset(b);
	int ret = b64_decode(b, s, strlen(s));

	buf_cstr(b);
	return ret;
}

static void test_b64(void)
{
	static const char *const v[][2] = {
	    {"", ""},
	    {"f", "Zg=="},
	    {"fo", "Zm8="},
	    {"foo", "Zm9v"},
	    {"foob", "Zm9vYg=="},
	    {"fooba", "Zm9vYmE="},
	    {"foobar", "Zm9vYmFy"},
	};
	static const char *const bad[] = {"Zg=",  "Zg",	  "Z===", "====",  "Zm9v!A==", "Zg==Zg==",
					  "=Zg=", "Zh==", "Zm9=", "Zm 9v", "Zg=A",     "Zm8\n"};
	struct buf b = {0};
	uint8_t all[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK_STR(b64(&b, v[i][0]), v[i][1]);
		CHECK_INT(unb64(&b, v[i][1]), 0);
		CHECK_STR((const char *)b.p, v[i][0]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(unb64(&b, bad[i]), -22);
		CHECK_INT(b.len, 0);
	}
	CHECK_STR(b64(&b, "\xfb\xff"), "+/8=");
	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	for (size_t n = 0; n <= 256; n += 85) {
		struct buf d = {0};

		buf_reset(&b);
		CHECK_INT(b64_encode(&b, all, n), 0);
		CHECK_INT(b.len, b64_encoded_len(n));
		CHECK_INT(b64_decode(&d, (const char *)b.p, b.len), 0);
		CHECK(d.len == n && (n == 0 || !memcmp(d.p, all, n)));
		buf_free(&d);
	}
	buf_free(&b);
}

static void test_readable(void)
{
	uint8_t in[256];
	char out[257], want[257];
	int i;

	for (i = 0; i < 256; i++) {
		in[i] = (uint8_t)i;
		want[i] = (i >= 0x20 && i <= 0x7e) || (i >= 9 && i <= 13) ? (char)i : '.';
	}
	want[256] = 0;
	record_readable(in, 256, out);
	CHECK(!memcmp(out, want, 257));
	record_readable((const uint8_t *)"ab\x00\x7f\xff\tc", 7, out);
	CHECK_STR(out, "ab...\tc");
	CHECK_STR(record_proto_name(IPPROTO_TCP), "tcp");
	CHECK_STR(record_proto_name(IPPROTO_UDP), "udp");
	CHECK_STR(record_proto_name(IPPROTO_ICMP), "icmp");
	CHECK_STR(record_proto_name(IPPROTO_ICMPV6), "icmpv6");
}

/* Runs python3 on the JSON in path and returns the printed value of expr
 * (d is the parsed document), or "(error)".  Strict UTF-8 decoding. */
static const char *py(const char *path, const char *expr)
{
	static char out[4096];
	char cmd[1024];
	FILE *f;
	size_t n;
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d=json.loads(open(sys.argv[1], encoding=\"utf-8\","
		 " errors=\"strict\").read()); print(%s)' %s 2>&1",
		 expr, path);
	f = popen(cmd, "r");
	if (!f)
		return "(error)";
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	rc = pclose(f);
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
	if (rc) {
		printf("# python: %s\n", out);
		return "(error)";
	}
	return out;
}

static void write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(b->p, 1, b->len, f);
		fclose(f);
	}
}

static uint8_t *dup_bytes(const char *s, size_t n)
{
	uint8_t *p = malloc(n);

	memcpy(p, s, n);
	return p;
}

static void sample_tcp(struct record *r)
{
	static const char pay[] = "GET /\xff\xfe HTTP/1.1\r\nHost: x\"y\\\r\n\r\n\x00\x01";
	static const char spay[] = "HTTP/1.1 200 OK\r\n\r\n";

	record_init(r);
	snprintf(r->s3path, sizeof(r->s3path), "file:///var/lib/mitsu/pcap/x.pcap");
	snprintf(r->sensor, sizeof(r->sensor), "s1");
	snprintf(r->flow_key, sizeof(r->flow_key), "tcp:0");
	r->init_ts = 1700000000.123456;
	r->last_ts = 1700000001.5;
	addr_parse("198.51.100.7", &r->src);
	addr_parse("2001:db8::1", &r->dst);
	r->sport = 40000;
	r->dport = 80;
	r->proto = IPPROTO_TCP;
	r->packets = 8;
	r->bytes = 600;
	r->client_packets = 5;
	r->server_packets = 3;
	snprintf(r->community_id, sizeof(r->community_id), "1:abc=");
	r->payload_len = sizeof(pay) - 1;
	r->payload = dup_bytes(pay, r->payload_len);
	r->server_payload_len = sizeof(spay) - 1;
	r->server_payload = dup_bytes(spay, r->server_payload_len);
	r->ngaps = 1;
	r->gaps_total = 2;
	r->gaps[0] = (struct record_gap){.dir = 1, .offset = 10, .len = 5};
	r->tcp_flags_client = 0x02 | 0x10 | 0x01 | 0x08; /* S A F P */
	r->tcp_flags_server = 0x12;			 /* S A */
	r->client_fin = true;
	snprintf(r->service, sizeof(r->service), "http");
	snprintf(r->flow_end, sizeof(r->flow_end), "fin");
	buf_puts(&r->extra, ",\"http\":{\"method\":\"GET\"}");
}

static void test_record_tcp(const char *path)
{
	struct record r;
	struct buf b = {0};

	sample_tcp(&r);
	CHECK_INT(record_to_json(&r, &b), 0);
	CHECK(valid_utf8(b.p, b.len));
	CHECK(memchr(b.p, '\n', b.len) == NULL);
	write_file(path, &b);
	CHECK_STR(py(path, "d[\"init_ts\"]"), "1700000000.123456");
	CHECK_STR(py(path, "d[\"src_addr\"], d[\"dst_addr\"], d[\"src_port\"], d[\"dst_port\"]"),
		  "198.51.100.7 2001:db8::1 40000 80");
	CHECK_STR(py(path, "d[\"proto\"], d[\"packets\"], d[\"bytes\"]"), "tcp 8 600");
	CHECK_STR(py(path, "d[\"client_packets\"], d[\"server_packets\"], d[\"community_id\"]"),
		  "5 3 1:abc=");
	CHECK_STR(py(path, "__import__(\"base64\").b64decode(d[\"payload\"])"),
		  "b'GET /\\xff\\xfe HTTP/1.1\\r\\nHost: x\"y\\\\\\r\\n\\r\\n\\x00\\x01'");
	CHECK_STR(py(path, "repr(d[\"readable\"])"),
		  "'GET /.. HTTP/1.1\\r\\nHost: x\"y\\\\\\r\\n\\r\\n..'");
	CHECK_STR(py(path, "__import__(\"base64\").b64decode(d[\"server_payload\"])"),
		  "b'HTTP/1.1 200 OK\\r\\n\\r\\n'");
	CHECK_STR(py(path, "d[\"payload_len\"], d[\"server_payload_len\"]"), "34 19");
	CHECK_STR(py(path, "d[\"gaps\"], d[\"gaps_total\"], d[\"truncated\"]"),
		  "[{'dir': 'server', 'offset': 10, 'len': 5}] 2 False");
	CHECK_STR(
	    py(path, "d[\"tcp_flags_seen\"], d[\"tcp_flags_client\"], d[\"tcp_flags_server\"]"),
	    "FSPA FSPA SA");
	CHECK_STR(py(path, "d[\"client_fin\"], d[\"client_rst\"], d[\"server_fin\"]"),
		  "True False False");
	CHECK_STR(py(path, "\"icmp_type\" in d, d[\"service\"], d[\"tags\"], d[\"flow_end\"]"),
		  "False http [] fin");
	CHECK_STR(py(path, "d[\"s3path\"], d[\"sensor\"], d[\"flow_key\"], d[\"http\"]"),
		  "file:///var/lib/mitsu/pcap/x.pcap s1 tcp:0 {'method': 'GET'}");
	CHECK_STR(py(path, "list(d)[:4], list(d)[-5:]"),
		  "['init_ts', 'last_ts', 'src_addr', 'src_port'] "
		  "['flow_end', 's3path', 'sensor', 'flow_key', 'http']");
	record_free(&r);
	buf_free(&b);
}

static void test_record_udp_icmp(const char *path)
{
	struct record r;
	struct buf b = {0};

	record_init(&r);
	r.proto = IPPROTO_UDP;
	addr_parse("192.0.2.1", &r.src);
	addr_parse("192.0.2.2", &r.dst);
	r.sport = 5353;
	r.dport = 53;
	r.init_ts = r.last_ts = 1.0;
	r.payload_len = 3;
	r.payload = dup_bytes("\x00\x01\x02", 3);
	/* A field filled to the brim must not be read past. */
	memset(r.sensor, 'z', sizeof(r.sensor));
	CHECK_INT(record_to_json(&r, &b), 0);
	write_file(path, &b);
	CHECK_STR(py(path, "d[\"proto\"], d[\"payload\"], d[\"readable\"], d[\"service\"]"),
		  "udp AAEC ... unknown");
	CHECK_STR(py(path, "[k for k in d if k.startswith((\"tcp\", \"client_\", \"server_f\","
			   " \"icmp\"))], \"flow_end\" in d, d[\"community_id\"]"),
		  "['client_packets'] False None");
	CHECK_STR(py(path, "len(d[\"sensor\"]), d[\"gaps\"], d[\"server_payload\"]"), "128 [] ");
	record_free(&r);

	record_init(&r);
	r.proto = IPPROTO_ICMP;
	r.icmp_type = 8;
	addr_parse("192.0.2.1", &r.src);
	addr_parse("192.0.2.2", &r.dst);
	buf_reset(&b);
	CHECK_INT(record_to_json(&r, &b), 0);
	write_file(path, &b);
	CHECK_STR(
	    py(path, "d[\"proto\"], d[\"icmp_type\"], d[\"icmp_code\"], \"tcp_flags_seen\" in d"),
	    "icmp 8 0 False");
	record_free(&r);
	buf_free(&b);
}

int main(void)
{
	char path[] = "/tmp/mitsu-test-json-XXXXXX";
	int fd = mkstemp(path);

	test_escapes();
	test_utf8();
	test_random();
	test_writer();
	test_b64();
	test_readable();
	CHECK(fd >= 0);
	if (fd >= 0) {
		close(fd);
		test_record_tcp(path);
		test_record_udp_icmp(path);
		unlink(path);
	}
	return T_DONE();
}
