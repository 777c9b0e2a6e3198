/* Unit tests for sensor/ratelimit: token buckets driven by explicit
 * timestamps, the global cap, and the guarantee that matters: however many
 * spoofed sources an attacker uses, one victim never gets more than
 * burst + rate * t replies. */
#include "sensor/ratelimit.h"

#include <stdint.h>
#include <string.h>

#include "t.h"

#define SEC 1000000ull
#define T0 (1700000000ull * SEC)

static struct ipaddr v4(uint32_t a)
{
	struct ipaddr ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = AF_INET;
	ip.b[0] = (uint8_t)(a >> 24), ip.b[1] = (uint8_t)(a >> 16);
	ip.b[2] = (uint8_t)(a >> 8), ip.b[3] = (uint8_t)a;
	return ip;
}

static int allow_n(struct ratelimit *rl, const struct ipaddr *d, uint64_t t, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += ratelimit_allow(rl, d, t);
	return ok;
}

static void test_bucket(void)
{
	struct ratelimit rl;
	struct ipaddr a = v4(0xc6336407);

	CHECK_INT(ratelimit_init(&rl, 1000, 10, 5, 1e6, 1e6), 0);
	CHECK_INT(rl.nbuckets, 1024); /* rounded up to a power of two */
	/* A full burst at first, then nothing */
	CHECK_INT(allow_n(&rl, &a, T0, 20), 5);
	CHECK_INT(rl.suppressed_dest, 15);
	CHECK_INT(rl.suppressed_global, 0);
	/* 10/s: one token per 100 ms */
	CHECK_INT(allow_n(&rl, &a, T0 + 50000, 5), 0);
	CHECK_INT(allow_n(&rl, &a, T0 + 100000, 5), 1);
	CHECK_INT(allow_n(&rl, &a, T0 + 350000, 5), 2);
	/* Time going backwards gives nothing */
	CHECK_INT(allow_n(&rl, &a, T0 + 200000, 5), 0);
	/* A long pause refills only up to the burst */
	CHECK_INT(allow_n(&rl, &a, T0 + 3600 * SEC, 100), 5);
	/* Over 10 s at a steady 1000 requests/s: burst + 10 * 10 */
	{
		int ok = 0;
		uint64_t t1 = T0 + 7200 * SEC;
		for (int i = 0; i < 10000; i++)
			ok += ratelimit_allow(&rl, &a, t1 + (uint64_t)i * 1000);
		printf("# steady: %d allowed over 10 s\n", ok);
		CHECK(ok >= 100 && ok <= 5 + 100);
	}
	/* Another address has its own tokens (unless it shares a bucket) */
	{
		struct ipaddr b = v4(0x0a000001);
		uint32_t ia = (uint32_t)siphash24(&rl.key, &a, sizeof(a)) & (rl.nbuckets - 1);
		uint32_t ib = (uint32_t)siphash24(&rl.key, &b, sizeof(b)) & (rl.nbuckets - 1);
		if (ia != ib)
			CHECK_INT(allow_n(&rl, &b, T0 + 7300 * SEC, 10), 5);
		else
			printf("# skip: the two test addresses share a bucket\n");
	}
	/* ratelimit_set changes the figures at once */
	ratelimit_set(&rl, 1, 0, 1e6, 1e6);
	CHECK(rl.burst >= 1); /* a burst below one would block everything */
	ratelimit_destroy(&rl);
	CHECK(rl.buckets == NULL);
}

static void test_global(void)
{
	struct ratelimit rl;
	int ok = 0;

	CHECK_INT(ratelimit_init(&rl, 4096, 100, 100, 50, 20), 0);
	/* 1000 distinct destinations at one instant: the global burst */
	for (uint32_t i = 0; i < 1000; i++) {
		struct ipaddr d = v4(0x0a000000 + i);
		ok += ratelimit_allow(&rl, &d, T0);
	}
	CHECK_INT(ok, 20);
	CHECK_INT(rl.suppressed_global, 980);
	CHECK_INT(rl.suppressed_dest, 0);
	/* 50/s overall */
	ok = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		struct ipaddr d = v4(0x0b000000 + i);
		ok += ratelimit_allow(&rl, &d, T0 + SEC);
	}
	CHECK_INT(ok, 20); /* refilled 50, capped at the burst of 20 */
	ok = 0;
	for (uint32_t i = 0; i < 2000; i++) {
		struct ipaddr d = v4(0x0c000000 + i);
		ok += ratelimit_allow(&rl, &d, T0 + 2 * SEC + (uint64_t)i * 1000);
	}
	printf("# global: %d allowed in 2 s at 50/s, burst 20\n", ok);
	CHECK(ok >= 100 && ok <= 20 + 100);
	/* A suppressed reply does not use up the per-destination token */
	{
		struct ratelimit r2;
		struct ipaddr d = v4(0x0d000001);
		CHECK_INT(ratelimit_init(&r2, 16, 1, 3, 1, 1), 0);
		CHECK(ratelimit_allow(&r2, &d, T0));
		CHECK(!ratelimit_allow(&r2, &d, T0)); /* global empty */
		CHECK_INT(r2.suppressed_global, 1);
		ratelimit_set(&r2, 1, 3, 1e6, 1e6);
		CHECK(ratelimit_allow(&r2, &d, T0 + 1)); /* dest still had 2 */
		CHECK(ratelimit_allow(&r2, &d, T0 + 2));
		CHECK(!ratelimit_allow(&r2, &d, T0 + 3));
		CHECK_INT(r2.suppressed_dest, 1);
		ratelimit_destroy(&r2);
	}
	ratelimit_destroy(&rl);
}

/* Reflection: SYNs spoofed with the victim's address (and with 100000
 * other addresses, some sharing the victim's bucket) over 10 s.  The
 * victim gets at most burst + rate * 10 replies. */
static void test_spoofing(void)
{
	struct ratelimit rl;
	const double rate = 20, burst = 10;
	struct ipaddr victim = v4(0xcb007101), v6victim;
	int to_victim = 0, to_v6 = 0, others = 0;
	const int N = 100000;

	memset(&v6victim, 0, sizeof(v6victim));
	v6victim.family = AF_INET6;
	v6victim.b[0] = 0x20, v6victim.b[1] = 0x01, v6victim.b[2] = 0x0d, v6victim.b[3] = 0xb8;
	v6victim.b[15] = 1;
	/* a tiny table: many addresses share each bucket */
	CHECK_INT(ratelimit_init(&rl, 64, rate, burst, 1e9, 1e9), 0);
	for (int i = 0; i < N; i++) {
		uint64_t t = T0 + (uint64_t)i * 100; /* 100000 x 100 us = 10 s */
		struct ipaddr other = v4(0x64000000u + (uint32_t)i * 2654435761u % 0x1000000u);
		to_victim += ratelimit_allow(&rl, &victim, t);
		to_v6 += ratelimit_allow(&rl, &v6victim, t);
		others += ratelimit_allow(&rl, &other, t);
	}
	printf("# spoofing: victim %d, v6 victim %d, others %d over 10 s\n", to_victim, to_v6,
	       others);
	CHECK(to_victim <= burst + rate * 10);
	CHECK(to_v6 <= burst + rate * 10);
	CHECK(to_victim > 0 && to_v6 > 0);
	/* all of them together: at most one burst + rate per bucket */
	CHECK(to_victim + to_v6 + others <= 64 * (burst + rate * 10));
	CHECK_INT(rl.suppressed_dest, 3 * N - to_victim - to_v6 - others);
	ratelimit_destroy(&rl);

	/* The same with a big table: the victim's own bucket */
	CHECK_INT(ratelimit_init(&rl, 1 << 16, rate, burst, 1e9, 1e9), 0);
	to_victim = 0;
	for (int i = 0; i < N; i++) {
		uint64_t t = T0 + (uint64_t)i * 100;
		struct ipaddr other = v4(0x64000000u + (uint32_t)i);
		ratelimit_allow(&rl, &other, t);
		to_victim += ratelimit_allow(&rl, &victim, t);
	}
	printf("# spoofing, big table: victim %d\n", to_victim);
	CHECK(to_victim <= burst + rate * 10);
	CHECK(to_victim >= rate * 10);
	ratelimit_destroy(&rl);
}

/* now_us == 0 must not reset a bucket to full every call. */
static void test_zero_time(void)
{
	struct ratelimit rl;
	struct ipaddr a = v4(1);

	CHECK_INT(ratelimit_init(&rl, 16, 1, 3, 1e6, 1e6), 0);
	CHECK_INT(allow_n(&rl, &a, 0, 10), 3);
	CHECK_INT(allow_n(&rl, &a, 0, 10), 0);
	ratelimit_destroy(&rl);
}

int main(void)
{
	test_bucket();
	test_global();
	test_spoofing();
	test_zero_time();
	return T_DONE();
}
