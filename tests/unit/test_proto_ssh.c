/* SSH dissector: OpenSSH 9.2's version line and KEXINIT captured on a
 * loopback (HASSH from tshark 4.0's ssh.kex.hassh on the same packets),
 * hand-built KEXINITs (expected HASSH from python3 hashlib), servers with
 * banner lines, SSH-1 clients, and cut or lying packets. */
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "proto/proto.h"
#include "proto/registry.h"
#include "t.h"

static const char openssh_hex[] =
	"5353482d322e302d4f70656e5353485f392e3270312044656269616e2d322b646562313275360d0a000006140814c091"
	"11397d4704a3a863d9117925c81400000148736e747275703736317832353531392d7368613531322c736e7472757037"
	"36317832353531392d736861353132406f70656e7373682e636f6d2c637572766532353531392d7368613235362c6375"
	"72766532353531392d736861323536406c69627373682e6f72672c656364682d736861322d6e697374703235362c6563"
	"64682d736861322d6e697374703338342c656364682d736861322d6e697374703532312c6469666669652d68656c6c6d"
	"616e2d67726f75702d65786368616e67652d7368613235362c6469666669652d68656c6c6d616e2d67726f757031362d"
	"7368613531322c6469666669652d68656c6c6d616e2d67726f757031382d7368613531322c6469666669652d68656c6c"
	"6d616e2d67726f757031342d7368613235362c6578742d696e666f2d632c6b65782d7374726963742d632d763030406f"
	"70656e7373682e636f6d000001cf7373682d656432353531392d636572742d763031406f70656e7373682e636f6d2c65"
	"636473612d736861322d6e697374703235362d636572742d763031406f70656e7373682e636f6d2c65636473612d7368"
	"61322d6e697374703338342d636572742d763031406f70656e7373682e636f6d2c65636473612d736861322d6e697374"
	"703532312d636572742d763031406f70656e7373682e636f6d2c736b2d7373682d656432353531392d636572742d7630"
	"31406f70656e7373682e636f6d2c736b2d65636473612d736861322d6e697374703235362d636572742d763031406f70"
	"656e7373682e636f6d2c7273612d736861322d3531322d636572742d763031406f70656e7373682e636f6d2c7273612d"
	"736861322d3235362d636572742d763031406f70656e7373682e636f6d2c7373682d656432353531392c65636473612d"
	"736861322d6e697374703235362c65636473612d736861322d6e697374703338342c65636473612d736861322d6e6973"
	"74703532312c736b2d7373682d65643235353139406f70656e7373682e636f6d2c736b2d65636473612d736861322d6e"
	"69737470323536406f70656e7373682e636f6d2c7273612d736861322d3531322c7273612d736861322d323536000000"
	"6c63686163686132302d706f6c7931333035406f70656e7373682e636f6d2c6165733132382d6374722c616573313932"
	"2d6374722c6165733235362d6374722c6165733132382d67636d406f70656e7373682e636f6d2c6165733235362d6763"
	"6d406f70656e7373682e636f6d0000006c63686163686132302d706f6c7931333035406f70656e7373682e636f6d2c61"
	"65733132382d6374722c6165733139322d6374722c6165733235362d6374722c6165733132382d67636d406f70656e73"
	"73682e636f6d2c6165733235362d67636d406f70656e7373682e636f6d000000d5756d61632d36342d65746d406f7065"
	"6e7373682e636f6d2c756d61632d3132382d65746d406f70656e7373682e636f6d2c686d61632d736861322d3235362d"
	"65746d406f70656e7373682e636f6d2c686d61632d736861322d3531322d65746d406f70656e7373682e636f6d2c686d"
	"61632d736861312d65746d406f70656e7373682e636f6d2c756d61632d3634406f70656e7373682e636f6d2c756d6163"
	"2d313238406f70656e7373682e636f6d2c686d61632d736861322d3235362c686d61632d736861322d3531322c686d61"
	"632d73686131000000d5756d61632d36342d65746d406f70656e7373682e636f6d2c756d61632d3132382d65746d406f"
	"70656e7373682e636f6d2c686d61632d736861322d3235362d65746d406f70656e7373682e636f6d2c686d61632d7368"
	"61322d3531322d65746d406f70656e7373682e636f6d2c686d61632d736861312d65746d406f70656e7373682e636f6d"
	"2c756d61632d3634406f70656e7373682e636f6d2c756d61632d313238406f70656e7373682e636f6d2c686d61632d73"
	"6861322d3235362c686d61632d736861322d3531322c686d61632d736861310000001a6e6f6e652c7a6c6962406f7065"
	"6e7373682e636f6d2c7a6c69620000001a6e6f6e652c7a6c6962406f70656e7373682e636f6d2c7a6c69620000000000"
	"00000000000000000000000000000000";

#define OPENSSH_HASSH "472b5de333ad665af5cbf10ff892c4df"

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void rec_set2(struct record *r, const void *c, size_t clen, const void *s, size_t slen)
{
	record_free(r);
	record_init(r);
	r->proto = 6;
	r->sport = 40000;
	r->dport = 2222;
	r->payload = malloc(clen + 1);
	memcpy(r->payload, c, clen);
	r->payload_len = clen;
	if (s) {
		r->server_payload = malloc(slen + 1);
		memcpy(r->server_payload, s, slen);
		r->server_payload_len = slen;
	}
}

static const char *jget(const struct record *r, const char *key)
{
	static char out[4096];
	char pat[96];
	const char *s, *e;
	size_t n;

	buf_cstr((struct buf *)&r->extra);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	s = r->extra.p ? strstr((const char *)r->extra.p, pat) : NULL;
	if (!s)
		return NULL;
	s += strlen(pat);
	if (*s == '"') {
		for (e = ++s; *e && *e != '"'; e++)
			if (*e == '\\' && e[1])
				e++;
	} else {
		e = s + strcspn(s, ",}]");
	}
	n = (size_t)(e - s) < sizeof(out) - 1 ? (size_t)(e - s) : sizeof(out) - 1;
	memcpy(out, s, n);
	out[n] = 0;
	return out;
}

static void check_json(const struct record *r)
{
	struct buf b = {0};
	CHECK(record_to_json(r, &b) == 0 && b.len > 2);
	buf_free(&b);
}

/* Builds "version CR LF" + a KEXINIT packet with the given name-lists. */
static size_t build_kexinit(uint8_t *out, const char *version, const char *const lists[10])
{
	size_t n = strlen(version), start, plen, pad;

	memcpy(out, version, n);
	start = n;
	n += 4;
	out[n++] = 0; /* padding length, set below */
	out[n++] = 20;
	memset(out + n, 0x5a, 16); /* cookie */
	n += 16;
	for (int i = 0; i < 10; i++) {
		uint32_t l = (uint32_t)strlen(lists[i]);
		out[n++] = (uint8_t)(l >> 24), out[n++] = (uint8_t)(l >> 16);
		out[n++] = (uint8_t)(l >> 8), out[n++] = (uint8_t)l;
		memcpy(out + n, lists[i], l);
		n += l;
	}
	out[n++] = 0;                                 /* first_kex_packet_follows */
	out[n++] = 0, out[n++] = 0, out[n++] = 0, out[n++] = 0; /* reserved */
	pad = 8 - (n - start) % 8;
	if (pad < 4)
		pad += 8;
	memset(out + n, 0, pad);
	n += pad;
	plen = n - start - 4;
	out[start] = (uint8_t)(plen >> 24), out[start + 1] = (uint8_t)(plen >> 16);
	out[start + 2] = (uint8_t)(plen >> 8), out[start + 3] = (uint8_t)plen;
	out[start + 4] = (uint8_t)pad;
	return n;
}

static const char *const client_lists[10] = {
	"curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha1",
	"ssh-ed25519,rsa-sha2-512",
	"aes128-ctr,aes256-ctr",
	"aes128-ctr,aes256-ctr",
	"hmac-sha2-256,hmac-sha1",
	"hmac-sha2-256,hmac-sha1",
	"none",
	"none",
	"",
	"",
};

static void test_openssh(struct record *r)
{
	uint8_t b[4096];
	size_t n = unhex(openssh_hex, b);
	static const char server[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

	rec_set2(r, b, n, server, strlen(server));
	CHECK(proto_dissect(r) == &proto_ssh);
	CHECK_STR(r->service, "ssh");
	CHECK_STR(jget(r, "client"), "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6");
	CHECK_STR(jget(r, "client_proto"), "2.0");
	CHECK_STR(jget(r, "client_software"), "OpenSSH_9.2p1");
	CHECK_STR(jget(r, "client_comments"), "Debian-2+deb12u6");
	CHECK_STR(jget(r, "server"), "SSH-2.0-OpenSSH_9.2p1 Debian-2");
	CHECK_STR(jget(r, "server_software"), "OpenSSH_9.2p1");
	CHECK_STR(jget(r, "hassh"), OPENSSH_HASSH);
	CHECK(jget(r, "kex_algorithms") &&
	      !strncmp(jget(r, "kex_algorithms"), "sntrup761x25519-sha512,", 23));
	CHECK(jget(r, "server_host_key_algorithms") &&
	      strstr(jget(r, "server_host_key_algorithms"), "ssh-ed25519"));
	CHECK_STR(jget(r, "compression_algorithms_client_to_server"), "none,zlib@openssh.com,zlib");
	CHECK_STR(jget(r, "first_kex_follows"), "false");
	CHECK(jget(r, "kexinit_truncated") == NULL);
	CHECK(jget(r, "hassh_server") == NULL);
	check_json(r);
}

static void test_built(struct record *r)
{
	uint8_t b[4096], s[4096];
	size_t n = build_kexinit(b, "SSH-2.0-libssh2_1.10.0\r\n", client_lists), m;
	const char *const server_lists[10] = {
		client_lists[0], "ssh-ed25519", "aes256-ctr", "aes256-ctr", "hmac-sha1",
		"hmac-sha1", "none,zlib", "none,zlib", "", "",
	};

	/* The server says hello with extra lines first (RFC 4253 4.2). */
	memcpy(s, "Welcome\r\nauthorized use only\r\n", 30);
	m = 30 + build_kexinit(s + 30, "SSH-2.0-dropbear_2022.83\r\n", server_lists);
	rec_set2(r, b, n, s, m);
	proto_dissect(r);
	CHECK_STR(jget(r, "client_software"), "libssh2_1.10.0");
	CHECK(jget(r, "client_comments") == NULL);
	CHECK_STR(jget(r, "hassh_algorithms"),
		  "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha1;aes128-ctr,"
		  "aes256-ctr;hmac-sha2-256,hmac-sha1;none");
	CHECK_STR(jget(r, "hassh"), "7d50fd90e2506e6e969185ec097cbe05");
	CHECK_STR(jget(r, "server"), "SSH-2.0-dropbear_2022.83");
	CHECK_STR(jget(r, "hassh_server"), "a630bf2a32641795cecdf1132524636a");
	check_json(r);
}

static void test_version_only(struct record *r)
{
	static const char *const lines[] = {"SSH-2.0-Go\r\n", "SSH-2.0-ZGrab ZGrab SSH Survey\r\n",
					    "SSH-1.5-PuTTY_Release_0.60\r\n", "SSH-2.0-"};

	for (size_t i = 0; i < 4; i++) {
		rec_set2(r, lines[i], strlen(lines[i]), NULL, 0);
		CHECK(proto_dissect(r) == &proto_ssh);
		CHECK(jget(r, "hassh") == NULL && jget(r, "kex_algorithms") == NULL);
	}
	rec_set2(r, lines[1], strlen(lines[1]), NULL, 0);
	proto_dissect(r);
	CHECK_STR(jget(r, "client"), "SSH-2.0-ZGrab ZGrab SSH Survey");
	CHECK_STR(jget(r, "client_software"), "ZGrab");
	CHECK_STR(jget(r, "client_comments"), "ZGrab SSH Survey");
	/* An SSH-1 client's packet is not read as a KEXINIT. */
	{
		uint8_t b[4096];
		size_t n = build_kexinit(b, "SSH-1.5-x\r\n", client_lists);
		rec_set2(r, b, n, NULL, 0);
		proto_dissect(r);
		CHECK(jget(r, "kex_algorithms") == NULL);
	}
	/* A version line longer than the RFC's 255 bytes is cut there. */
	{
		char line[600];
		memset(line, 'A', sizeof(line));
		memcpy(line, "SSH-2.0-", 8);
		rec_set2(r, line, sizeof(line), NULL, 0);
		proto_dissect(r);
		CHECK_INT(strlen(jget(r, "client")), 255);
	}
	/* Not SSH. */
	rec_set2(r, "ssh-2.0-x\r\n", 11, NULL, 0);
	CHECK_INT(proto_ssh.detect(r), 0);
	rec_set2(r, "GET / HTTP/1.1\r\n\r\n", 18, NULL, 0);
	CHECK_INT(proto_ssh.detect(r), 0);
}

/* A KEXINIT cut anywhere: lists read whole are kept, no HASSH from part of
 * them, and every prefix and every lying length is safe. */
static void test_cut(struct record *r)
{
	uint8_t b[4096], m[4096];
	size_t n = unhex(openssh_hex, b);
	size_t vl = 40; /* "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n" */
	int bad = 0;
	struct buf out = {0};

	rec_set2(r, b, vl + 4 + 2 + 16 + 4 + 328 + 10, NULL, 0);
	proto_dissect(r);
	CHECK(jget(r, "kex_algorithms") != NULL);
	CHECK(jget(r, "server_host_key_algorithms") == NULL);
	CHECK_STR(jget(r, "kexinit_truncated"), "true");
	CHECK(jget(r, "hassh") == NULL);
	/* Where the 8th name-list (the last one HASSH needs) ends. */
	size_t need = vl + 22;
	for (int i = 0; i < 8; i++)
		need += 4 + ((size_t)b[need] << 24 | (size_t)b[need + 1] << 16 |
			     (size_t)b[need + 2] << 8 | b[need + 3]);
	for (size_t cut = 4; cut < n; cut++) { /* from "SSH-" on */
		rec_set2(r, b, cut, NULL, 0);
		proto_dissect(r);
		buf_reset(&out);
		bad += record_to_json(r, &out) != 0 || strcmp(r->service, "ssh") != 0;
		if (cut < need)
			bad += jget(r, "hassh") != NULL;
		else
			bad += !jget(r, "hassh") || strcmp(jget(r, "hassh"), OPENSSH_HASSH);
	}
	for (size_t i = vl; i + 3 < n; i++) {
		memcpy(m, b, n);
		m[i] = 0x7f, m[i + 1] = 0xff, m[i + 2] = 0xff, m[i + 3] = 0xff;
		rec_set2(r, m, n, NULL, 0);
		proto_dissect(r);
		buf_reset(&out);
		bad += record_to_json(r, &out) != 0;
	}
	CHECK_INT(bad, 0);
	buf_free(&out);
}

int main(void)
{
	struct record r;

	record_init(&r);
	test_openssh(&r);
	test_built(&r);
	test_version_only(&r);
	test_cut(&r);
	record_free(&r);
	return T_DONE();
}
