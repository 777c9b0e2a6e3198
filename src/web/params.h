/* Parsers for what reaches the dashboard from outside: request parameters,
 * authorization headers, pcap object keys, and the --listen address.  Pure
 * functions (no I/O) so they are unit-tested and fuzzed on their own. */
#ifndef MITSU_WEB_PARAMS_H
#define MITSU_WEB_PARAMS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* A decimal integer in [0, max] with nothing around it; NULL or "" gives
 * def.  Returns 0 or -EINVAL (leading '+'/'-', blanks, overflow, > max). */
int web_parse_uint(const char *s, unsigned long long max, unsigned long long def,
		   unsigned long long *out);

/* Sortable session columns; web_sort_column(i) is a whitelisted SQL name. */
struct web_sort {
	int col;   /* index into the whitelist */
	bool desc; /* descending */
};
/* "COLUMN", "COLUMN:asc", "COLUMN:desc" or "-COLUMN" (descending).  NULL or
 * "" gives init_ts descending.  Returns 0 or -EINVAL (unknown column). */
int web_parse_sort(const char *s, struct web_sort *out);
const char *web_sort_column(int col);

/* "Authorization: Basic B64(user:pass)".  Copies both NUL-terminated into
 * the buffers.  Returns 0, -EINVAL (not Basic, bad base64, no ':', a NUL
 * or control byte inside) or -E2BIG (does not fit). */
int web_parse_basic(const char *hdr, char *user, size_t ulen, char *pass, size_t plen);
/* "Authorization: Bearer TOKEN" (RFC 6750 token68 characters).  *tok points
 * into hdr, *toklen its length.  Returns 0 or -EINVAL. */
int web_parse_bearer(const char *hdr, const char **tok, size_t *toklen);
/* Compares in time independent of where they differ. */
bool web_const_eq(const char *a, size_t alen, const char *b, size_t blen);

/* A pcap object key as the store writes them: "pcap/" then segments of
 * [A-Za-z0-9._:-] joined by single '/', no segment "." or "..", ending in
 * ".pcap" or ".pcapng", at most 512 bytes.  Lexical only: the caller also
 * resolves symlinks (web/server.c). */
bool web_pcap_key_ok(const char *key);

/* "ADDR:PORT", "[IPV6]:PORT" or "PORT" (127.0.0.1:PORT).  Fills ss and
 * *len.  Returns 0 or -EINVAL. */
int web_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool web_sockaddr_is_loopback(const struct sockaddr *sa);

/* The Host header when the dashboard runs without authentication: only a
 * loopback name with any port passes ("localhost", "127.x.y.z", "[::1]"),
 * so a DNS-rebinding page cannot read the API through the browser. */
bool web_host_is_loopback(const char *host);

#endif
