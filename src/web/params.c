/* Request-parameter, header and address parsers of the dashboard. */
#include "web/params.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/b64.h"
#include "core/buf.h"

int web_parse_uint(const char *s, unsigned long long max, unsigned long long def,
		   unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s) {
		*out = def;
		return 0;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static const char *const web_sort_cols[] = {
    "init_ts", "id",	  "last_ts", "src_addr", "src_port", "dst_addr",    "dst_port",
    "proto",   "service", "packets", "bytes",	 "tags",     "payload_len",
};
#define WEB_NSORT ((int)(sizeof(web_sort_cols) / sizeof(web_sort_cols[0])))

const char *web_sort_column(int col)
{
	return col >= 0 && col < WEB_NSORT ? web_sort_cols[col] : "init_ts";
}

int web_parse_sort(const char *s, struct web_sort *out)
{
	size_t n;
	const char *dir;

	out->col = 0;
	out->desc = true;
	if (!s || !*s)
		return 0;
	out->desc = false;
	if (*s == '-') {
		out->desc = true;
		s++;
	}
	dir = strchr(s, ':');
	n = dir ? (size_t)(dir - s) : strlen(s);
	if (dir) {
		if (out->desc)
			return -EINVAL;
		if (!strcmp(dir + 1, "desc"))
			out->desc = true;
		else if (strcmp(dir + 1, "asc"))
			return -EINVAL;
	}
	for (int i = 0; i < WEB_NSORT; i++)
		if (strlen(web_sort_cols[i]) == n && !memcmp(web_sort_cols[i], s, n)) {
			out->col = i;
			return 0;
		}
	return -EINVAL;
}

/* Skips "SCHEME" and at least one blank, case-insensitively. */
static const char *web_auth_scheme(const char *hdr, const char *scheme)
{
	size_t n = strlen(scheme);

	if (!hdr || strncasecmp(hdr, scheme, n) || hdr[n] != ' ')
		return NULL;
	hdr += n;
	while (*hdr == ' ')
		hdr++;
	return hdr;
}

static int web_copy_part(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return -EINVAL;
	if (n >= outlen)
		return -E2BIG;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

int web_parse_basic(const char *hdr, char *user, size_t ulen, char *pass, size_t plen)
{
	const char *v = web_auth_scheme(hdr, "Basic");
	struct buf b = {0};
	uint8_t *colon;
	size_t n;
	int ret = -EINVAL;

	if (!v)
		return -EINVAL;
	n = strlen(v);
	while (n && v[n - 1] == ' ')
		n--;
	if (n > 4096)
		return -E2BIG;
	if (b64_decode(&b, v, n) || !b.len)
		goto out;
	colon = memchr(b.p, ':', b.len);
	if (!colon)
		goto out;
	ret = web_copy_part(b.p, (size_t)(colon - b.p), user, ulen);
	if (!ret)
		ret = web_copy_part(colon + 1, b.len - (size_t)(colon + 1 - b.p), pass, plen);
out:
	buf_free(&b);
	return ret;
}

int web_parse_bearer(const char *hdr, const char **tok, size_t *toklen)
{
	const char *v = web_auth_scheme(hdr, "Bearer");
	size_t n = 0;

	if (!v)
		return -EINVAL;
	/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
	while (v[n] && (strchr("-._~+/", v[n]) || (v[n] >= '0' && v[n] <= '9') ||
			((v[n] | 0x20) >= 'a' && (v[n] | 0x20) <= 'z')))
		n++;
	while (v[n] == '=')
		n++;
	if (!n)
		return -EINVAL;
	for (size_t i = n; v[i]; i++)
		if (v[i] != ' ')
			return -EINVAL;
	*tok = v;
	*toklen = n;
	return 0;
}

bool web_const_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = alen != blen;
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static bool web_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == ':';
}

static bool web_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

bool web_pcap_key_ok(const char *key)
{
	size_t n, seg = 0;
	const char *start;

	if (!key || strncmp(key, "pcap/", 5))
		return false;
	n = strlen(key);
	if (n > 512 || !(web_ends_with(key, n, ".pcap") || web_ends_with(key, n, ".pcapng")))
		return false;
	start = key + 5;
	for (const char *p = start;; p++) {
		if (*p == '/' || !*p) {
			if (!seg || (seg == 1 && p[-1] == '.') ||
			    (seg == 2 && p[-1] == '.' && p[-2] == '.'))
				return false;
			if (!*p)
				return true;
			seg = 0;
			continue;
		}
		if (!web_key_char(*p))
			return false;
		seg++;
	}
}

static int web_parse_port(const char *s, unsigned short *port)
{
	unsigned long long v;

	if (web_parse_uint(s, 65535, 0, &v) || !*s)
		return -EINVAL;
	*port = (unsigned short)v;
	return 0;
}

/* "[IPV6]:PORT" */
static int web_parse_listen6(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	const char *end = strchr(s, ']');
	char host[64];
	unsigned short p;
	size_t hl;

	if (!end || end[1] != ':')
		return -EINVAL;
	hl = (size_t)(end - s - 1);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s + 1, hl);
	host[hl] = 0;
	if (web_parse_port(end + 2, &p) || inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
		return -EINVAL;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(p);
	*len = sizeof(*a6);
	return 0;
}

int web_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	const char *colon;
	char host[64];
	unsigned short p;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (!s || !*s)
		return -EINVAL;
	if (*s == '[')
		return web_parse_listen6(s, ss, len);
	colon = strrchr(s, ':');
	if (!colon) {
		if (web_parse_port(s, &p))
			return -EINVAL;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host) || web_parse_port(colon + 1, &p))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = 0;
		if (!strcmp(host, "localhost"))
			a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons(p);
	*len = sizeof(*a4);
	return 0;
}

bool web_sockaddr_is_loopback(const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr))
			return true;
		return !memcmp(b, mapped, 12) && b[12] == 127;
	}
	return false;
}

bool web_host_is_loopback(const char *host)
{
	char name[64];
	const char *end;
	size_t n;
	struct in_addr a;

	if (!host)
		return false;
	if (*host == '[') {
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			return false;
		n = (size_t)(end - host - 1);
		return n == 3 && !memcmp(host + 1, "::1", 3);
	}
	end = strchr(host, ':');
	n = end ? (size_t)(end - host) : strlen(host);
	if (n == 0 || n >= sizeof(name))
		return false;
	if (end) {
		unsigned long long port;

		if (web_parse_uint(end + 1, 65535, 0, &port) || !end[1])
			return false;
	}
	memcpy(name, host, n);
	name[n] = 0;
	if (!strcasecmp(name, "localhost"))
		return true;
	return inet_pton(AF_INET, name, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}
