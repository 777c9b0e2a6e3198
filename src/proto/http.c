/* HTTP/1.x requests (and the first response line, when a real server
 * answered).  Recognised by the request line's shape, METHOD SP target SP
 * HTTP/x.y, whatever the port: scanners speak HTTP on 37215, 8291, 5555 ...
 *
 * Writes "http": {method, uri, version, host, user_agent, headers (the first
 * HTTP_MAX_HEADERS as [name, value] pairs, values capped), header_count,
 * body_len, body_sha256, ...}; with pipelined requests, also "requests": a
 * short summary of each.  Basic credentials go to record_add_cred("http").
 *
 * Everything is bounded by the payload: spans point into r->payload, no
 * copy, and every loop advances through it. */
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "core/b64.h"
#include "proto/http_parse.h"
#include "proto/proto.h"

#define HTTP_MAX_REQUESTS 16  /* pipelined requests looked at */
#define HTTP_MAX_HEADERS 32   /* [name, value] pairs written */
#define HTTP_NAME_CAP 64      /* bytes of a header name written */
#define HTTP_VALUE_CAP 256    /* bytes of a header value written */
#define HTTP_URI_CAP 4096
#define HTTP_UA_CAP 512
#define HTTP_HOST_CAP 256

/* A request's body digest, kept beside the parser's view of it. */
struct http_digest {
	const struct http_req *base; /* q[0] of the requests being parsed */
	EVP_MD_CTX *md[HTTP_MAX_REQUESTS];
	uint8_t sha[HTTP_MAX_REQUESTS][32];
	bool has_sha[HTTP_MAX_REQUESTS];
};

/* Methods of RFC 9110, WebDAV and friends, and the few scanners use. */
static const char *const http_methods[] = {
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
	"REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "PRI", "DEBUG", "TRACK", NULL,
};

static bool http_known_method(const uint8_t *p, size_t n)
{
	for (size_t i = 0; http_methods[i]; i++)
		if (strlen(http_methods[i]) == n && !memcmp(http_methods[i], p, n))
			return true;
	return false;
}

static int http_detect(const struct record *r)
{
	struct http_req q;
	size_t next, n;

	if (!r->payload_len)
		return 0;
	n = proto_line(r->payload, r->payload_len, &next);
	memset(&q, 0, sizeof(q));
	if (http_parse_request_line(r->payload, n, &q))
		return http_known_method(q.method.p, q.method.n) ? 95 : 70;
	/* A known method and a path, but the line was cut: still likely HTTP. */
	for (size_t i = 0; http_methods[i]; i++) {
		size_t m = strlen(http_methods[i]);
		if (r->payload_len > m + 1 && !memcmp(r->payload, http_methods[i], m) &&
		    r->payload[m] == ' ' && r->payload[m + 1] == '/')
			return 40;
	}
	return 0;
}

static bool http_cred_seen(const struct record *r, const uint8_t *u, size_t ulen,
			   const uint8_t *p, size_t plen)
{
	for (unsigned k = 0; k < r->ncreds && k < RECORD_MAX_CREDS; k++) {
		const struct record_cred *c = &r->creds[k];
		if (!strcmp(c->proto, "http") && strlen(c->user) == ulen &&
		    !memcmp(c->user, u, ulen) && strlen(c->pass) == plen && !memcmp(c->pass, p, plen))
			return true;
	}
	return false;
}

/* Basic credentials from an (Proxy-)Authorization value. */
static void http_basic_auth(struct record *r, struct http_span v)
{
	struct buf dec = {0};
	size_t i, s, ulen, plen;
	char padded[HTTP_VALUE_CAP + 4];
	const uint8_t *colon;

	if (v.n < 6 || strncasecmp((const char *)v.p, "Basic ", 6))
		return;
	for (i = 6; i < v.n && v.p[i] == ' '; i++)
		;
	s = i;
	while (i < v.n && v.p[i] != ' ')
		i++;
	if (i == s || i - s > HTTP_VALUE_CAP)
		return;
	/* Clients drop the '=' padding now and then; servers accept it. */
	memcpy(padded, v.p + s, i - s);
	for (s = i - s; s % 4; s++)
		padded[s] = '=';
	if (b64_decode(&dec, padded, s) || !dec.len)
		goto out;
	colon = memchr(dec.p, ':', dec.len);
	ulen = colon ? (size_t)(colon - dec.p) : dec.len;
	plen = colon ? dec.len - ulen - 1 : 0;
	/* Pipelined requests repeat the same pair: keep it once. */
	if (!http_cred_seen(r, dec.p, ulen, colon ? colon + 1 : dec.p, plen))
		record_add_cred(r, "http", dec.p, ulen, colon ? colon + 1 : dec.p, plen);
out:
	buf_free(&dec);
}

static void http_kspan(struct json *j, const char *key, struct http_span s, size_t cap)
{
	if (s.p)
		json_kstr(j, key, s.p, s.n < cap ? s.n : cap);
}

static void http_put_sha(struct json *j, const struct http_digest *d, unsigned i)
{
	char hex[65];

	if (!d || !d->has_sha[i])
		return;
	for (int k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", d->sha[i][k]);
	json_kcstr(j, "body_sha256", hex);
}

/* The first HTTP_MAX_HEADERS header lines as [name, value] pairs. */
static void http_put_headers(struct json *j, const struct http_req *q)
{
	json_key(j, "headers");
	json_arr_begin(j);
	for (unsigned k = 0; k < q->nheaders && k < HTTP_MAX_HEADERS; k++) {
		json_arr_begin(j);
		json_val_str(j, q->name[k].p, q->name[k].n < HTTP_NAME_CAP ? q->name[k].n : HTTP_NAME_CAP);
		json_val_str(j, q->value[k].p,
			     q->value[k].n < HTTP_VALUE_CAP ? q->value[k].n : HTTP_VALUE_CAP);
		json_arr_end(j);
	}
	json_arr_end(j);
	json_ku64(j, "header_count", q->nheaders);
	if (q->nheaders > HTTP_MAX_HEADERS)
		json_kbool(j, "headers_truncated", true);
}

/* Fields every request has, at the top level and in "requests". */
static void http_put_summary(struct json *j, const struct http_req *q,
			     const struct http_digest *d, unsigned i)
{
	http_kspan(j, "method", q->method, HTTP_METHOD_MAX);
	http_kspan(j, "uri", q->uri, HTTP_URI_CAP);
	if (q->uri.n > HTTP_URI_CAP)
		json_ku64(j, "uri_len", q->uri.n);
	http_kspan(j, "version", q->version, 8);
	http_kspan(j, "host", q->host, HTTP_HOST_CAP);
	http_kspan(j, "user_agent", q->ua, HTTP_UA_CAP);
	json_ku64(j, "body_len", q->body_len);
	http_put_sha(j, d, i);
}

static void http_put_request(struct json *j, const struct http_req *q,
			     const struct http_digest *d)
{
	size_t sp;

	http_put_summary(j, q, d, 0);
	http_put_headers(j, q);
	if (q->has_cl)
		json_ku64(j, "content_length", q->content_length);
	if (q->chunked)
		json_kbool(j, "chunked", true);
	if (q->body_truncated)
		json_kbool(j, "body_truncated", true);
	if (!q->complete)
		json_kbool(j, "incomplete", true);
	if (q->auth.p) {
		for (sp = 0; sp < q->auth.n && sp < 16 && q->auth.p[sp] != ' '; sp++)
			;
		json_kstr(j, "auth", q->auth.p, sp);
	}
}

/* The Server header of a response, if any, among its header lines. */
static void http_put_server(struct json *j, const uint8_t *p, size_t len)
{
	size_t off, next, n;
	unsigned k = 0;
	struct http_span name, val;

	for (off = 0; off < len && k < 256; off += next, k++) {
		n = proto_line(p + off, len - off, &next);
		if (!n)
			break;
		http_split_header(p + off, n, &name, &val);
		if (http_name_is(name, "Server")) {
			json_kstr(j, "server", val.p, val.n < HTTP_UA_CAP ? val.n : HTTP_UA_CAP);
			break;
		}
	}
}

/* "response": the status line and Server header of a real server's answer. */
static void http_put_response(struct json *j, const struct record *r)
{
	const uint8_t *p = r->server_payload;
	size_t len = r->server_payload_len, next, n, i;

	if (!proto_starts_with(p, len, "HTTP/"))
		return;
	n = proto_line(p, len, &next);
	json_key(j, "response");
	json_obj_begin(j);
	for (i = 0; i < n && p[i] != ' '; i++)
		;
	json_kstr(j, "version", p, i < 16 ? i : 16);
	if (i + 4 <= n && p[i + 1] >= '0' && p[i + 1] <= '9' && p[i + 2] >= '0' &&
	    p[i + 2] <= '9' && p[i + 3] >= '0' && p[i + 3] <= '9') {
		json_ku64(j, "status", (uint64_t)((p[i + 1] - '0') * 100 + (p[i + 2] - '0') * 10 +
						  (p[i + 3] - '0')));
		if (i + 5 <= n)
			json_kstr(j, "reason", p + i + 5, n - i - 5 < 128 ? n - i - 5 : 128);
	}
	http_put_server(j, p + next, len - next);
	json_obj_end(j);
}

static void http_digest_update(void *user, const struct http_req *q, const uint8_t *p, size_t n)
{
	struct http_digest *d = user;
	size_t i = (size_t)(q - d->base);

	if (i >= HTTP_MAX_REQUESTS)
		return;
	if (!d->md[i] && (d->md[i] = EVP_MD_CTX_new()) &&
	    !EVP_DigestInit_ex(d->md[i], EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(d->md[i]);
		d->md[i] = NULL;
	}
	if (d->md[i])
		EVP_DigestUpdate(d->md[i], p, n);
}

static void http_digest_finish(struct http_digest *d)
{
	for (unsigned i = 0; i < HTTP_MAX_REQUESTS; i++) {
		if (!d->md[i])
			continue;
		d->has_sha[i] = EVP_DigestFinal_ex(d->md[i], d->sha[i], NULL) == 1;
		EVP_MD_CTX_free(d->md[i]);
		d->md[i] = NULL;
	}
}

static void http_dissect(struct record *r)
{
	struct http_req q[HTTP_MAX_REQUESTS];
	struct http_digest d = {.base = q};
	size_t off = 0;
	unsigned nq;
	struct json j;
	size_t mark;

	nq = (unsigned)http_parse_requests(r->payload, r->payload_len, q, HTTP_MAX_REQUESTS,
					   http_digest_update, &d, &off);
	http_digest_finish(&d);
	for (unsigned i = 0; i < nq; i++)
		if (q[i].auth.p)
			http_basic_auth(r, q[i].auth);
	proto_member_begin(&j, r, "http", &mark);
	if (nq)
		http_put_request(&j, &q[0], &d);
	if (nq > 1) {
		json_ku64(&j, "request_count", nq);
		json_key(&j, "requests");
		json_arr_begin(&j);
		for (unsigned i = 0; i < nq; i++) {
			json_obj_begin(&j);
			http_put_summary(&j, &q[i], &d, i);
			json_obj_end(&j);
		}
		json_arr_end(&j);
	}
	if (off < r->payload_len)
		json_ku64(&j, "trailing_bytes", r->payload_len - off);
	http_put_response(&j, r);
	proto_member_end(&j, r, mark);
}

const struct proto_dissector proto_http = {
	.name = "http",
	.l4 = 6,
	.detect = http_detect,
	.dissect = http_dissect,
};
