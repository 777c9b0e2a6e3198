/* Reply rate limits: a token bucket per destination and one for all.
 *
 * Destinations are hashed (keyed, secret per start) into a fixed number of
 * buckets and addresses that share a bucket share its tokens.  That is
 * what makes the per-destination limit a guarantee: however many spoofed
 * sources an attacker uses, no single victim address ever gets more than
 * `rate` replies per second (plus one burst) from us.  Sharing can only
 * make limiting stricter, never looser.  No allocation after init. */
#ifndef MITSU_RATELIMIT_H
#define MITSU_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/siphash.h"

struct rl_bucket {
	uint64_t last_us;
	double tokens;
};

struct ratelimit {
	struct siphash_key key;
	struct rl_bucket *buckets;
	uint32_t nbuckets; /* power of two */
	double rate, burst;     /* per destination */
	double g_rate, g_burst; /* global */
	struct rl_bucket global;
	uint64_t suppressed_dest, suppressed_global;
};

int ratelimit_init(struct ratelimit *rl, uint32_t nbuckets, double rate, double burst,
		   double g_rate, double g_burst);
void ratelimit_destroy(struct ratelimit *rl);
void ratelimit_set(struct ratelimit *rl, double rate, double burst, double g_rate, double g_burst);
/* Takes one token for a reply to dst at now_us; false (and counted) if
 * either bucket is empty. */
bool ratelimit_allow(struct ratelimit *rl, const struct ipaddr *dst, uint64_t now_us);

#endif
