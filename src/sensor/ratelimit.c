#include "sensor/ratelimit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int ratelimit_init(struct ratelimit *rl, uint32_t nbuckets, double rate, double burst,
		   double g_rate, double g_burst)
{
	uint32_t n = 1;

	memset(rl, 0, sizeof(*rl));
	while (n < nbuckets)
		n <<= 1;
	rl->buckets = calloc(n, sizeof(*rl->buckets));
	if (!rl->buckets)
		return -ENOMEM;
	rl->nbuckets = n;
	if (getrandom(&rl->key, sizeof(rl->key), 0) != sizeof(rl->key))
		return -EIO;
	ratelimit_set(rl, rate, burst, g_rate, g_burst);
	/* Buckets start full (last_us 0 means "never used"). */
	return 0;
}

void ratelimit_destroy(struct ratelimit *rl)
{
	free(rl->buckets);
	rl->buckets = NULL;
}

void ratelimit_set(struct ratelimit *rl, double rate, double burst, double g_rate, double g_burst)
{
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	rl->g_rate = g_rate;
	rl->g_burst = g_burst < 1 ? 1 : g_burst;
}

static void refill(struct rl_bucket *b, double rate, double burst, uint64_t now_us)
{
	if (!b->last_us) {
		b->tokens = burst;
	} else if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) * rate / 1e6;
		if (b->tokens > burst)
			b->tokens = burst;
	}
	if (now_us > b->last_us || !b->last_us)
		b->last_us = now_us ? now_us : 1;
}

bool ratelimit_allow(struct ratelimit *rl, const struct ipaddr *dst, uint64_t now_us)
{
	uint32_t i = (uint32_t)siphash24(&rl->key, dst, sizeof(*dst)) & (rl->nbuckets - 1);
	struct rl_bucket *b = &rl->buckets[i];

	refill(b, rl->rate, rl->burst, now_us);
	refill(&rl->global, rl->g_rate, rl->g_burst, now_us);
	if (b->tokens < 1) {
		rl->suppressed_dest++;
		return false;
	}
	if (rl->global.tokens < 1) {
		rl->suppressed_global++;
		return false;
	}
	b->tokens -= 1;
	rl->global.tokens -= 1;
	return true;
}
