/* HTTP/1.x request splitting (see http_parse.h). */
#include "proto/http_parse.h"

#include <string.h>
#include <strings.h>

#include "proto/proto.h"

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

/* Tolerates runs of spaces between the parts, as servers do. */
bool http_parse_request_line(const uint8_t *p, size_t n, struct http_req *q)
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

void http_split_header(const uint8_t *p, size_t n, struct http_span *name, struct http_span *val)
{
	const uint8_t *colon = memchr(p, ':', n);
	size_t k, vs, ve;

	if (!colon) {
		*name = (struct http_span){p, n};
		*val = (struct http_span){p + n, 0};
		return;
	}
	for (k = (size_t)(colon - p); k && (p[k - 1] == ' ' || p[k - 1] == '\t'); k--)
		;
	*name = (struct http_span){p, k};
	vs = (size_t)(colon - p) + 1;
	ve = n;
	while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
		ve--;
	*val = (struct http_span){p + vs, ve - vs};
}

bool http_name_is(struct http_span name, const char *want)
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

/* Keeps the header and notes the ones the parser itself needs. */
static void http_note_header(struct http_req *q, struct http_span name, struct http_span val)
{
	if (q->nheaders < HTTP_PARSE_MAX_HDRS) {
		q->name[q->nheaders] = name;
		q->value[q->nheaders] = val;
	}
	q->nheaders++;
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

static void http_body_piece(struct http_req *q, const uint8_t *p, size_t n, http_body_fn fn,
			    void *user)
{
	q->body_len += n;
	if (fn && n)
		fn(user, q, p, n);
}

/* Decodes a chunked body; returns the bytes it used. */
static size_t http_chunked_body(const uint8_t *p, size_t len, struct http_req *q, http_body_fn fn,
				void *user)
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
			http_body_piece(q, p + off, len - off, fn, user);
			q->body_truncated = true;
			return len;
		}
		http_body_piece(q, p + off, (size_t)size, fn, user);
		off += (size_t)size;
		off += proto_starts_with(p + off, len - off, "\r\n") ? 2
		       : proto_starts_with(p + off, len - off, "\n") ? 1
								     : 0;
	}
	return off;
}

/* The body after the headers: Content-Length bytes, chunks, or none (a
 * request without either has no body).  Returns the bytes it used. */
static size_t http_body(const uint8_t *p, size_t len, struct http_req *q, http_body_fn fn,
			void *user)
{
	size_t used = 0;

	if (q->chunked) {
		used = http_chunked_body(p, len, q, fn, user);
	} else if (q->has_cl) {
		used = q->content_length < len ? (size_t)q->content_length : len;
		q->body_truncated = q->content_length > len;
		http_body_piece(q, p, used, fn, user);
	}
	q->body = (struct http_span){p, used};
	return used;
}

bool http_parse_request(const uint8_t *p, size_t len, struct http_req *q, http_body_fn fn,
			void *user)
{
	size_t next, n, off;

	memset(q, 0, sizeof(*q));
	n = proto_line(p, len, &next);
	if (!http_parse_request_line(p, n, q))
		return false;
	off = next;
	if (p[next - 1] == '\n') /* else the request line itself was cut */
		off += http_headers(p + next, len - next, q);
	if (q->complete)
		off += http_body(p + off, len - off, q, fn, user);
	q->used = off;
	return true;
}

size_t http_parse_requests(const uint8_t *p, size_t len, struct http_req *q, size_t max,
			   http_body_fn fn, void *user, size_t *used)
{
	size_t off = 0, nq = 0, skip;

	while (nq < max && off < len) {
		for (skip = off; skip < len && (p[skip] == '\r' || p[skip] == '\n'); skip++)
			;
		if (skip == len || !http_parse_request(p + skip, len - skip, &q[nq], fn, user))
			break;
		off = skip + q[nq].used;
		if (!q[nq++].complete)
			break;
	}
	if (used)
		*used = off;
	return nq;
}
