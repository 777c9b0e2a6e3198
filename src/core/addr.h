/* IPv4/IPv6 addresses and CIDR prefixes. */
#ifndef MITSU_ADDR_H
#define MITSU_ADDR_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* family is AF_INET or AF_INET6; an IPv4 address uses b[0..3], rest zero. */
struct ipaddr {
	uint8_t family;
	uint8_t b[16];
};

struct cidr {
	struct ipaddr net;
	uint8_t bits;
};

#define ADDR_STRLEN 46

int addr_parse(const char *s, struct ipaddr *out);
/* Writes the canonical text form (inet_ntop); returns out. */
const char *addr_format(const struct ipaddr *a, char out[ADDR_STRLEN]);
int addr_cmp(const struct ipaddr *a, const struct ipaddr *b);
static inline int addr_len(const struct ipaddr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}
/* "10.0.0.0/8", "2001:db8::/32", or a bare address (host prefix). */
int cidr_parse(const char *s, struct cidr *out);
bool cidr_contains(const struct cidr *c, const struct ipaddr *a);
/* Sources we never answer: unspecified, loopback (from the wire), multicast,
 * broadcast, reserved 240/4, and IPv4-mapped/compat oddities. */
bool addr_is_martian_source(const struct ipaddr *a);

#endif
