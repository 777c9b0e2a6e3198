/* HTTP/1.x request splitting, shared by the HTTP dissector (proto/http.c)
 * and the rule engine's http.* fields (rules/fields.c): one parser, so a
 * rule and the record always agree on where a request, a header or a body
 * starts.  Spans point into the caller's bytes; nothing is copied and every
 * loop advances through the input. */
#ifndef MITSU_HTTP_PARSE_H
#define MITSU_HTTP_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_PARSE_MAX_HDRS 64 /* header lines kept as name/value spans */
#define HTTP_METHOD_MAX 24

struct http_span {
	const uint8_t *p;
	size_t n;
};

struct http_req {
	struct http_span method, uri, version;
	struct http_span host, ua, auth; /* first Host, User-Agent, (Proxy-)Authorization */
	struct http_span hdrs;		 /* the header block, request line excluded */
	struct http_span name[HTTP_PARSE_MAX_HDRS], value[HTTP_PARSE_MAX_HDRS];
	unsigned nheaders; /* header lines seen; the first HTTP_PARSE_MAX_HDRS are kept */
	struct http_span body; /* the body as sent (chunk framing included) */
	size_t body_len;       /* body bytes present, decoded if chunked */
	bool complete;	       /* the blank line ending the headers was seen */
	bool has_cl, chunked, body_truncated;
	uint64_t content_length;
	size_t used; /* bytes of the input this request took */
};

/* Called with each piece of a request's decoded body, in order. */
typedef void (*http_body_fn)(void *user, const struct http_req *q, const uint8_t *p, size_t n);

/* "METHOD SP target SP HTTP/x.y" (one line, terminator excluded). */
bool http_parse_request_line(const uint8_t *p, size_t n, struct http_req *q);
/* One request at p; false if p does not start with a request line. */
bool http_parse_request(const uint8_t *p, size_t len, struct http_req *q, http_body_fn fn,
			void *user);
/* Pipelined requests from p, at most max; empty lines between them are
 * skipped (RFC 9112, 2.2).  Stops at the first incomplete request.  *used
 * (may be NULL) gets the bytes the requests took. */
size_t http_parse_requests(const uint8_t *p, size_t len, struct http_req *q, size_t max,
			   http_body_fn fn, void *user, size_t *used);
/* Case-insensitive header-name comparison. */
bool http_name_is(struct http_span name, const char *want);
/* Splits a header line into name and value (whitespace around both trimmed). */
void http_split_header(const uint8_t *p, size_t n, struct http_span *name, struct http_span *val);

#endif
