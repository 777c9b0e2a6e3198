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
#include "proto/proto.h"

#define HTTP_MAX_REQUESTS 16  /* pipelined requests looked at */
#define HTTP_MAX_HEADERS 32   /* [name, value] pairs written */
#define HTTP_NAME_CAP 64      /* bytes of a header name written */
#define HTTP_VALUE_CAP 256    /* bytes of a header value written */
#define HTTP_URI_CAP 4096
#define HTTP_UA_CAP 512
#define HTTP_HOST_CAP 256
#define HTTP_METHOD_MAX 24

struct http_span {
	const uint8_t *p;
	size_t n;
};

struct http_req {
	struct http_span method, uri, version, host, ua, auth;
	struct http_span hdrs; /* header lines, for writing the pairs */
	unsigned nheaders;
	bool complete; /* the blank line ending the headers was seen */
	bool has_cl, chunked, body_truncated, has_sha;
	uint64_t content_length;
	size_t body_len; /* bytes of body present (decoded, if chunked) */
	uint8_t sha[32];
	size_t used; /* bytes of the payload this request took */
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

static bool http_tchar(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* "HTTP/" DIGIT "." DIGIT */
static bool http_is_version(const uint8_t *p, size_t n)
{
	return n == 8 && !memcmp(p, "HTTP/", 5) && p[5] >= '0' && p[5] <= '9' && p[6] == '.' &&
	       p[7] >= '0' && p[7] <= '9';
}

/* Parses the request line at p (one line, terminator excluded).  Tolerates
 * runs of spaces between the parts, as servers do. */
static bool http_request_line(const uint8_t *p, size_t n, struct http_req *q)
{
	size_t i = 0, s;

	while (i < n && i <= HTTP_METHOD_MAX && http_tchar(p[i]))
		i++;
	if (i == 0 || i > HTTP_METHOD_MAX || i >= n || p[i] != ' ')
		return false;
	q->method = (struct http_span){p, i};
	while (i < n && p[i] == ' ')
		i++;
	s = i;
	while (i < n && p[i] != ' ')
		i++;
	if (i == s || i >= n)
		return false;
	q->uri = (struct http_span){p + s, i - s};
	while (i < n && p[i] == ' ')
		i++;
	if (!http_is_version(p + i, n - i))
		return false;
	q->version = (struct http_span){p + i, n - i};
	return true;
}

/* Splits a header line into name and value (optional whitespace trimmed). */
static void http_split_header(const uint8_t *p, size_t n, struct http_span *name,
			      struct http_span *val)
{
	const uint8_t *colon = memchr(p, ':', n);
	size_t vs, ve;

	if (!colon) {
		*name = (struct http_span){p, n};
		*val = (struct http_span){p + n, 0};
		return;
	}
	*name = (struct http_span){p, (size_t)(colon - p)};
	vs = (size_t)(colon - p) + 1;
	ve = n;
	while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
		ve--;
	*val = (struct http_span){p + vs, ve - vs};
}

static bool http_name_is(struct http_span name, const char *want)
{
	size_t n = strlen(want);

	return name.n == n && !strncasecmp((const char *)name.p, want, n);
}

/* Decimal Content-Length; false on anything but digits or overflow. */
static bool http_parse_u64(struct http_span v, uint64_t *out)
{
	uint64_t x = 0;

	if (!v.n || v.n > 19)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = x;
	return true;
}

static bool http_contains_nocase(struct http_span v, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= v.n; i++)
		if (!strncasecmp((const char *)v.p + i, needle, n))
			return true;
	return false;
}

/* Notes the headers the record cares about. */
static void http_note_header(struct http_req *q, struct http_span name, struct http_span val)
{
	if (http_name_is(name, "Host") && !q->host.p)
		q->host = val;
	else if (http_name_is(name, "User-Agent") && !q->ua.p)
		q->ua = val;
	else if (http_name_is(name, "Content-Length") && !q->has_cl)
		q->has_cl = http_parse_u64(val, &q->content_length);
	else if (http_name_is(name, "Transfer-Encoding") && http_contains_nocase(val, "chunked"))
		q->chunked = true;
	else if ((http_name_is(name, "Authorization") || http_name_is(name, "Proxy-Authorization")) &&
		 !q->auth.p)
		q->auth = val;
}

/* Walks the header lines starting at p; returns the offset just past the
 * blank line, or len if the headers never ended (q->complete stays false). */
static size_t http_headers(const uint8_t *p, size_t len, struct http_req *q)
{
	size_t off = 0, next, n;
	struct http_span name, val;

	q->hdrs.p = p;
	while (off < len) {
		n = proto_line(p + off, len - off, &next);
		if (p[off + next - 1] != '\n')
			break; /* a line cut by the end of the payload */
		if (n == 0) {
			q->hdrs.n = off;
			q->complete = true;
			return off + next;
		}
		if (p[off] != ' ' && p[off] != '\t') { /* not an obsolete continuation */
			q->nheaders++;
			http_split_header(p + off, n, &name, &val);
			http_note_header(q, name, val);
		}
		off += next;
	}
	q->hdrs.n = len;
	return len;
}

/* Hex chunk size at the start of a line (extensions after ';' ignored). */
static bool http_chunk_size(const uint8_t *p, size_t n, uint64_t *size)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n && i < 16; i++) {
		uint8_t c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			break;
		x = x << 4 | (uint64_t)d;
	}
	if (i == 0)
		return false;
	*size = x;
	return true;
}

/* Decodes a chunked body into the digest; returns the bytes it used. */
static size_t http_chunked_body(const uint8_t *p, size_t len, struct http_req *q, EVP_MD_CTX *md)
{
	size_t off = 0, next, n;
	uint64_t size;

	while (off < len) {
		n = proto_line(p + off, len - off, &next);
		if (!http_chunk_size(p + off, n, &size) || p[off + next - 1] != '\n') {
			q->body_truncated = true;
			return len;
		}
		off += next;
		if (size == 0) { /* last chunk; skip the trailer up to its blank line */
			while (off < len) {
				n = proto_line(p + off, len - off, &next);
				off += next;
				if (n == 0)
					return off;
			}
			return off;
		}
		if (size > len - off) {
			EVP_DigestUpdate(md, p + off, len - off);
			q->body_len += len - off;
			q->body_truncated = true;
			return len;
		}
		EVP_DigestUpdate(md, p + off, (size_t)size);
		q->body_len += (size_t)size;
		off += (size_t)size;
		off += proto_starts_with(p + off, len - off, "\r\n") ? 2
		       : proto_starts_with(p + off, len - off, "\n") ? 1
								     : 0;
	}
	return off;
}

/* The body after the headers: Content-Length bytes, chunks, or none (a
 * request without either has no body).  Returns the bytes it used. */
static size_t http_body(const uint8_t *p, size_t len, struct http_req *q)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t used = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	if (q->chunked) {
		used = http_chunked_body(p, len, q, md);
	} else if (q->has_cl) {
		used = q->content_length < len ? (size_t)q->content_length : len;
		q->body_truncated = q->content_length > len;
		EVP_DigestUpdate(md, p, used);
		q->body_len = used;
	}
	if (q->body_len)
		q->has_sha = EVP_DigestFinal_ex(md, q->sha, NULL) == 1;
out:
	EVP_MD_CTX_free(md);
	return used;
}

/* One request at p; false if p does not start with a request line. */
static bool http_parse_request(const uint8_t *p, size_t len, struct http_req *q)
{
	size_t next, n, off;

	memset(q, 0, sizeof(*q));
	n = proto_line(p, len, &next);
	if (!http_request_line(p, n, q))
		return false;
	off = next;
	if (p[next - 1] == '\n') /* else the request line itself was cut */
		off += http_headers(p + next, len - next, q);
	if (q->complete)
		off += http_body(p + off, len - off, q);
	q->used = off;
	return true;
}

static int http_detect(const struct record *r)
{
	struct http_req q;
	size_t next, n;

	if (!r->payload_len)
		return 0;
	n = proto_line(r->payload, r->payload_len, &next);
	memset(&q, 0, sizeof(q));
	if (http_request_line(r->payload, n, &q))
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

static void http_put_sha(struct json *j, const struct http_req *q)
{
	char hex[65];

	if (!q->has_sha)
		return;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", q->sha[i]);
	json_kcstr(j, "body_sha256", hex);
}

/* The first HTTP_MAX_HEADERS header lines as [name, value] pairs. */
static void http_put_headers(struct json *j, const struct http_req *q)
{
	size_t off = 0, next, n;
	unsigned k = 0;
	struct http_span name, val;

	json_key(j, "headers");
	json_arr_begin(j);
	while (off < q->hdrs.n && k < HTTP_MAX_HEADERS) {
		n = proto_line(q->hdrs.p + off, q->hdrs.n - off, &next);
		if (n && q->hdrs.p[off] != ' ' && q->hdrs.p[off] != '\t') {
			http_split_header(q->hdrs.p + off, n, &name, &val);
			json_arr_begin(j);
			json_val_str(j, name.p, name.n < HTTP_NAME_CAP ? name.n : HTTP_NAME_CAP);
			json_val_str(j, val.p, val.n < HTTP_VALUE_CAP ? val.n : HTTP_VALUE_CAP);
			json_arr_end(j);
			k++;
		}
		off += next;
	}
	json_arr_end(j);
	json_ku64(j, "header_count", q->nheaders);
	if (q->nheaders > HTTP_MAX_HEADERS)
		json_kbool(j, "headers_truncated", true);
}

/* Fields every request has, at the top level and in "requests". */
static void http_put_summary(struct json *j, const struct http_req *q)
{
	http_kspan(j, "method", q->method, HTTP_METHOD_MAX);
	http_kspan(j, "uri", q->uri, HTTP_URI_CAP);
	if (q->uri.n > HTTP_URI_CAP)
		json_ku64(j, "uri_len", q->uri.n);
	http_kspan(j, "version", q->version, 8);
	http_kspan(j, "host", q->host, HTTP_HOST_CAP);
	http_kspan(j, "user_agent", q->ua, HTTP_UA_CAP);
	json_ku64(j, "body_len", q->body_len);
	http_put_sha(j, q);
}

static void http_put_request(struct json *j, const struct http_req *q)
{
	size_t sp;

	http_put_summary(j, q);
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

static void http_dissect(struct record *r)
{
	struct http_req q[HTTP_MAX_REQUESTS];
	size_t off = 0;
	unsigned nq = 0;
	struct json j;
	size_t mark;

	while (nq < HTTP_MAX_REQUESTS && off < r->payload_len &&
	       http_parse_request(r->payload + off, r->payload_len - off, &q[nq])) {
		off += q[nq].used;
		nq++;
		if (!q[nq - 1].complete)
			break;
	}
	for (unsigned i = 0; i < nq; i++)
		if (q[i].auth.p)
			http_basic_auth(r, q[i].auth);
	proto_member_begin(&j, r, "http", &mark);
	if (nq)
		http_put_request(&j, &q[0]);
	if (nq > 1) {
		json_ku64(&j, "request_count", nq);
		json_key(&j, "requests");
		json_arr_begin(&j);
		for (unsigned i = 0; i < nq; i++) {
			json_obj_begin(&j);
			http_put_summary(&j, &q[i]);
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
