#include "core/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int addr_parse(const char *s, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *addr_format(const struct ipaddr *a, char out[ADDR_STRLEN])
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->b, out, ADDR_STRLEN))
		snprintf(out, ADDR_STRLEN, "?");
	return out;
}

int addr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, 16);
}

int cidr_parse(const char *s, struct cidr *out)
{
	char tmp[64], *slash, *end;
	long bits;
	int maxbits;

	if (strlen(s) >= sizeof(tmp))
		return -EINVAL;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash = 0;
	if (addr_parse(tmp, &out->net))
		return -EINVAL;
	maxbits = out->net.family == AF_INET6 ? 128 : 32;
	bits = maxbits;
	if (slash) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || bits < 0 || bits > maxbits)
			return -EINVAL;
	}
	out->bits = (uint8_t)bits;
	/* Clear host bits so that containment is a plain prefix compare. */
	for (int i = 0; i < 16; i++) {
		int keep = (int)bits - i * 8;
		if (keep >= 8)
			continue;
		out->net.b[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

bool cidr_contains(const struct cidr *c, const struct ipaddr *a)
{
	int full = c->bits / 8, rest = c->bits % 8;

	if (a->family != c->net.family)
		return false;
	if (memcmp(a->b, c->net.b, (size_t)full))
		return false;
	if (rest && ((a->b[full] ^ c->net.b[full]) & (uint8_t)(0xff << (8 - rest))))
		return false;
	return true;
}

bool addr_is_martian_source(const struct ipaddr *a)
{
	const uint8_t *b = a->b;
	static const uint8_t zero[16];

	if (a->family == AF_INET) {
		if (b[0] == 0 || b[0] == 127 || b[0] >= 224)
			return true; /* this-net, loopback, multicast, 240/4, broadcast */
		return false;
	}
	if (!memcmp(b, zero, 16))
		return true; /* :: */
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return true; /* ::1 */
	if (b[0] == 0xff)
		return true; /* multicast */
	if (!memcmp(b, zero, 10) && b[10] == 0xff && b[11] == 0xff)
		return true; /* v4-mapped on the wire */
	return false;
}
