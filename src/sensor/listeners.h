/* Ports where a real local TCP socket listens, read from /proc/net/tcp and
 * /proc/net/tcp6, so the sensor never answers for the operator's services. */
#ifndef MITSU_LISTENERS_H
#define MITSU_LISTENERS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct portset {
	uint64_t bits[65536 / 64];
};

static inline bool portset_has(const struct portset *s, uint16_t port)
{
	return s->bits[port >> 6] >> (port & 63) & 1;
}
static inline void portset_add(struct portset *s, uint16_t port)
{
	s->bits[port >> 6] |= (uint64_t)1 << (port & 63);
}
/* Parses "80", "8000-8100", "22,80,443" into s.  Returns 0 or -EINVAL. */
int portset_parse(struct portset *s, const char *spec);

/* Adds every LISTEN port found in one /proc/net/tcp-format stream.  With
 * skip_loopback, sockets bound to a loopback address are left out: they can
 * never take a connection to a monitored address, so the sensor may answer
 * that port there (mitsu's own dashboard on 127.0.0.1:8080 must not close
 * port 8080 of the honeypot). */
int listeners_parse(FILE *f, struct portset *out, bool skip_loopback);
/* Reads tcp and tcp6 of the current network namespace into out (cleared
 * first).  Missing files (no IPv6) are not errors. */
int listeners_scan(struct portset *out, bool skip_loopback);

#endif
