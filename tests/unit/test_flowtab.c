/* Unit tests for sensor/flowtab: grouping, every way a flow ends, and the
 * promise that no packet is lost silently: each packet added comes out in
 * exactly one emitted flow (the emit callback parses the pcap records of
 * every chain) or is counted as dropped. */
#include "sensor/flowtab.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sensor/pcapfmt.h"
#include "t.h"

#define SEC 1000000ull
#define T0 (1700000000ull * SEC)
#define MAXPKT 4096

struct sink {
	struct arena *a;
	int emits;
	int by_end[FLOW_END_SHUTDOWN + 1];
	int bad;	      /* chains that did not parse */
	uint8_t seen[MAXPKT]; /* times each packet id came out */
	struct flow_done last;
	uint32_t last_first_id; /* id of the first packet of the last flow */
};

static struct sink S;
static uint32_t next_id;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Takes the chain: parses its pcap records, checks them, frees it. */
static void emit(void *user, const struct flow_done *d)
{
	struct sink *s = user;
	struct arena *a = s->a;
	uint8_t *buf = malloc((size_t)a->nchunks * ARENA_CHUNK);
	size_t len = 0, off = 0;
	uint32_t count = 0;
	int bad = 0;

	for (uint32_t c = d->chain; c != ARENA_NONE; c = a->next[c]) {
		memcpy(buf + len, arena_chunk(a, c), a->used[c]);
		len += a->used[c];
	}
	while (off < len) {
		uint32_t caplen, id;
		if (len - off < PCAPFMT_REC_HDR_LEN) {
			bad = 1;
			break;
		}
		caplen = le32(buf + off + 8);
		if (caplen < 4 || caplen > len - off - PCAPFMT_REC_HDR_LEN ||
		    le32(buf + off + 12) != caplen + 1) {
			bad = 1;
			break;
		}
		off += PCAPFMT_REC_HDR_LEN;
		id = le32(buf + off);
		for (uint32_t i = 4; i < caplen; i++)
			if (buf[off + i] != (uint8_t)(id + i))
				bad = 1;
		if (id < MAXPKT)
			s->seen[id]++;
		if (!count)
			s->last_first_id = id;
		count++;
		off += caplen;
	}
	if (bad || count != d->packets || len != d->bytes) {
		printf("# bad chain: %u records of %u, %zu bytes of %llu\n", count, d->packets, len,
		       (unsigned long long)d->bytes);
		s->bad++;
	}
	s->emits++;
	if ((unsigned)d->end <= FLOW_END_SHUTDOWN)
		s->by_end[d->end]++;
	s->last = *d;
	arena_free_chain(a, d->chain);
	free(buf);
}

static struct flow_key key(uint8_t client_last, uint16_t cport)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.proto = 6;
	k.cport = cport;
	k.sport = 22;
	k.caddr[0] = 198, k.caddr[1] = 51, k.caddr[2] = 100, k.caddr[3] = client_last;
	k.saddr[0] = 192, k.saddr[1] = 0, k.saddr[2] = 2, k.saddr[3] = 1;
	return k;
}

/* Adds a frame of len bytes carrying a fresh packet id; returns the
 * flowtab_add result, and the id in *id. */
static int add(struct flowtab *ft, const struct flow_key *k, uint64_t ts, uint32_t len,
	       bool payload, uint32_t *idp)
{
	uint8_t f[2048];
	uint32_t id = next_id++;

	f[0] = (uint8_t)id, f[1] = (uint8_t)(id >> 8), f[2] = (uint8_t)(id >> 16), f[3] = 0;
	for (uint32_t i = 4; i < len; i++)
		f[i] = (uint8_t)(id + i);
	if (idp)
		*idp = id;
	return flowtab_add(ft, k, ts, f, len, len + 1, payload);
}

static void reset(struct arena *a)
{
	memset(&S, 0, sizeof(S));
	S.a = a;
	next_id = 0;
}

/* Every id below next_id came out once, except those in dropped_ids. */
static void check_all_once(const char *what)
{
	int twice = 0, never = 0;

	for (uint32_t i = 0; i < next_id; i++) {
		if (S.seen[i] > 1)
			twice++;
		else if (!S.seen[i])
			never++;
	}
	printf("# %s: %u packets, %d emits, %d lost, %d duplicated\n", what, next_id, S.emits,
	       never, twice);
	CHECK_INT(twice, 0);
	CHECK_INT(never, 0);
	CHECK_INT(S.bad, 0);
}

static void setup(struct flowtab *ft, struct arena *a, uint64_t budget, struct flowtab_cfg cfg)
{
	CHECK_INT(arena_init(a, budget), 0);
	reset(a);
	CHECK_INT(flowtab_init(ft, &cfg, a, emit, &S), 0);
}

static void teardown(struct flowtab *ft, struct arena *a)
{
	flowtab_flush_all(ft, FLOW_END_SHUTDOWN);
	CHECK_INT(ft->open, 0);
	CHECK_INT(arena_free_count(a), a->nchunks);
	flowtab_destroy(ft);
	arena_destroy(a);
}

static const struct flowtab_cfg BASE = {
    .max_flows = 8, .idle_us = 60 * SEC, .max_life_us = 300 * SEC};

static void test_grouping(void)
{
	struct flowtab ft;
	struct arena a;
	struct flow_key ka = key(1, 40000), kb = key(2, 40000), kc = key(1, 40001);

	setup(&ft, &a, 64 * ARENA_CHUNK, BASE);
	/* Client's SYN, our SYN+ACK, client's ACK with data: one key, one flow */
	CHECK_INT(add(&ft, &ka, T0, 74, false, NULL), 0);
	CHECK_INT(add(&ft, &ka, T0 + 100, 74, false, NULL), 0);
	CHECK_INT(add(&ft, &ka, T0 + 200, 100, true, NULL), 0);
	CHECK(flowtab_has(&ft, &ka));
	CHECK(!flowtab_has(&ft, &kb));
	CHECK_INT(ft.open, 1);
	CHECK_INT(add(&ft, &kb, T0 + 300, 60, false, NULL), 0);
	CHECK_INT(add(&ft, &kc, T0 + 400, 60, false, NULL), 0);
	CHECK_INT(ft.open, 3);
	/* A packet with an older timestamp does not move last_us back */
	CHECK_INT(add(&ft, &ka, T0 + 50, 60, false, NULL), 0);
	flowtab_flush_all(&ft, FLOW_END_SHUTDOWN);
	CHECK_INT(S.emits, 3);
	CHECK_INT(S.by_end[FLOW_END_SHUTDOWN], 3);
	/* flush goes oldest first: ka was created first, so it came out first;
	 * the last one out is kc */
	CHECK_INT(S.last.packets, 1);
	CHECK(!memcmp(&S.last.key, &kc, sizeof(kc)));
	check_all_once("grouping");
	teardown(&ft, &a);

	/* The first flow's summary */
	setup(&ft, &a, 64 * ARENA_CHUNK, BASE);
	add(&ft, &ka, T0, 74, false, NULL);
	add(&ft, &ka, T0 + 100, 74, false, NULL);
	add(&ft, &ka, T0 + 200, 100, true, NULL);
	flowtab_flush_all(&ft, FLOW_END_SHUTDOWN);
	CHECK_INT(S.last.packets, 3);
	CHECK_INT(S.last.first_us, T0);
	CHECK_INT(S.last.last_us, T0 + 200);
	CHECK_INT(S.last.bytes, 3 * 16 + 74 + 74 + 100);
	CHECK(S.last.payload);
	CHECK(!memcmp(&S.last.key, &ka, sizeof(ka)));
	CHECK_STR(flow_end_name(FLOW_END_IDLE), "idle");
	CHECK_STR(flow_end_name(FLOW_END_MEMORY), "memory");
	CHECK_STR(flow_end_name((enum flow_end)99), "?");
	teardown(&ft, &a);
}

static void test_idle_and_life(void)
{
	struct flowtab ft;
	struct arena a;
	struct flow_key ka = key(1, 1000), kb = key(2, 1000), kc = key(3, 1000);
	int i;

	setup(&ft, &a, 64 * ARENA_CHUNK, BASE);
	add(&ft, &ka, T0, 60, false, NULL);
	add(&ft, &kb, T0 + 30 * SEC, 60, false, NULL);
	flowtab_expire(&ft, T0 + 59 * SEC);
	CHECK_INT(S.emits, 0);
	flowtab_expire(&ft, T0 + 60 * SEC);
	CHECK_INT(S.emits, 1);
	CHECK_INT(S.last.end, FLOW_END_IDLE);
	CHECK(!flowtab_has(&ft, &ka));
	CHECK(flowtab_has(&ft, &kb));
	/* Activity keeps a flow alive */
	add(&ft, &kb, T0 + 80 * SEC, 60, false, NULL);
	flowtab_expire(&ft, T0 + 100 * SEC);
	CHECK_INT(S.emits, 1);
	flowtab_expire(&ft, T0 + 140 * SEC);
	CHECK_INT(S.emits, 2);
	CHECK_INT(S.last.packets, 2);
	CHECK_INT(S.last.end, FLOW_END_IDLE);

	/* A flow active every 30 s ends at its maximum life, 300 s */
	for (i = 0; i <= 10; i++) {
		uint64_t t = T0 + 1000 * SEC + (uint64_t)i * 30 * SEC;
		flowtab_expire(&ft, t);
		if (i < 10)
			CHECK_INT(S.emits, 2);
		add(&ft, &kc, t, 60, false, NULL);
	}
	CHECK_INT(S.emits, 3);
	CHECK_INT(S.last.end, FLOW_END_LIFE);
	CHECK_INT(S.last.packets, 10);
	CHECK_INT(S.last.last_us - S.last.first_us, 270 * SEC);
	CHECK(flowtab_has(&ft, &kc)); /* the 11th packet began a new flow */
	teardown(&ft, &a);
	check_all_once("idle/life");
}

static void test_caps(void)
{
	struct flowtab ft;
	struct arena a;
	struct flowtab_cfg cfg = BASE;
	struct flow_key k = key(1, 2000);

	cfg.max_flow_packets = 5;
	setup(&ft, &a, 64 * ARENA_CHUNK, cfg);
	for (int i = 0; i < 4; i++)
		add(&ft, &k, T0 + (uint64_t)i, 60, false, NULL);
	CHECK_INT(S.emits, 0);
	add(&ft, &k, T0 + 4, 60, false, NULL);
	CHECK_INT(S.emits, 1);
	CHECK_INT(S.last.end, FLOW_END_PACKETS);
	CHECK_INT(S.last.packets, 5);
	CHECK(!flowtab_has(&ft, &k));
	add(&ft, &k, T0 + 5, 60, false, NULL);
	add(&ft, &k, T0 + 6, 60, false, NULL);
	CHECK(flowtab_has(&ft, &k));
	teardown(&ft, &a);
	CHECK_INT(S.last.packets, 2);
	check_all_once("packet cap");

	cfg = BASE;
	cfg.max_flow_bytes = 1000;
	setup(&ft, &a, 64 * ARENA_CHUNK, cfg);
	for (int i = 0; i < 4; i++)
		add(&ft, &k, T0 + (uint64_t)i, 200, true, NULL);
	CHECK_INT(S.emits, 0); /* 4 * 216 = 864 */
	add(&ft, &k, T0 + 4, 200, true, NULL);
	CHECK_INT(S.emits, 1);
	CHECK_INT(S.last.end, FLOW_END_BYTES);
	CHECK_INT(S.last.packets, 5);
	CHECK_INT(S.last.bytes, 5 * 216);
	teardown(&ft, &a);
	check_all_once("byte cap");
}

static void test_max_flows(void)
{
	struct flowtab ft;
	struct arena a;
	struct flowtab_cfg cfg = BASE;
	struct flow_key k[6];

	cfg.max_flows = 4;
	setup(&ft, &a, 64 * ARENA_CHUNK, cfg);
	for (int i = 0; i < 6; i++)
		k[i] = key((uint8_t)(10 + i), 3000);
	for (int i = 0; i < 4; i++)
		add(&ft, &k[i], T0 + (uint64_t)i * SEC, 100, false, NULL);
	add(&ft, &k[0], T0 + 10 * SEC, 100, false, NULL); /* k0 active again */
	CHECK_INT(ft.open, 4);
	add(&ft, &k[4], T0 + 11 * SEC, 100, false, NULL);
	CHECK_INT(S.emits, 1);
	CHECK_INT(S.last.end, FLOW_END_MEMORY);
	CHECK(!memcmp(&S.last.key, &k[1], sizeof(k[1]))); /* least recently active */
	CHECK_INT(ft.evicted, 1);
	CHECK_INT(ft.open, 4);
	CHECK(flowtab_has(&ft, &k[0]));
	CHECK(!flowtab_has(&ft, &k[1]));
	CHECK(flowtab_has(&ft, &k[4]));
	add(&ft, &k[5], T0 + 12 * SEC, 100, false, NULL);
	CHECK(!memcmp(&S.last.key, &k[2], sizeof(k[2])));
	/* Many more flows than slots: bounded, nothing lost */
	for (int i = 0; i < 500; i++) {
		struct flow_key kk = key((uint8_t)i, (uint16_t)(4000 + i));
		CHECK_INT(add(&ft, &kk, T0 + 20 * SEC + (uint64_t)i, 64 + i % 300, false, NULL), 0);
	}
	CHECK(ft.open <= 4);
	teardown(&ft, &a);
	CHECK_INT(ft.dropped, 0);
	check_all_once("max flows");
}

static void test_arena_exhausted(void)
{
	struct flowtab ft;
	struct arena a;
	struct flowtab_cfg cfg = BASE;
	int fails = 0;

	cfg.max_flows = 64;
	setup(&ft, &a, 16 * ARENA_CHUNK, cfg); /* 8 KB: a few packets */
	for (int i = 0; i < 600; i++) {
		struct flow_key k = key((uint8_t)(i % 20), 5000);
		if (add(&ft, &k, T0 + (uint64_t)i * 1000, 100 + (uint32_t)(i * 37) % 1200, true,
			NULL))
			fails++;
	}
	printf("# arena: %llu evicted, %llu dropped\n", (unsigned long long)ft.evicted,
	       (unsigned long long)ft.dropped);
	CHECK_INT(fails, 0);
	CHECK(ft.evicted > 0);
	CHECK(S.by_end[FLOW_END_MEMORY] > 0);
	CHECK_INT(ft.dropped, 0);
	teardown(&ft, &a);
	check_all_once("arena exhausted");
}

/* One flow bigger than the whole arena: it ends early with whole records
 * only; a packet that fits nowhere is dropped and counted. */
static void test_one_flow_fills_arena(void)
{
	struct flowtab ft;
	struct arena a;
	struct flow_key k = key(1, 6000);
	uint32_t ids[100];
	int rets[100], dropped = 0, lost = 0, dup = 0;

	setup(&ft, &a, 16 * ARENA_CHUNK, BASE);
	for (int i = 0; i < 100; i++)
		rets[i] =
		    add(&ft, &k, T0 + (uint64_t)i, 700 + (uint32_t)(i * 53) % 900, true, &ids[i]);
	teardown(&ft, &a);
	for (int i = 0; i < 100; i++) {
		if (rets[i]) {
			dropped++;
			CHECK_INT(rets[i], -ENOMEM);
			if (S.seen[ids[i]]) /* a dropped packet must not come out */
				dup++;
		} else if (S.seen[ids[i]] != 1) {
			lost++;
		}
	}
	printf("# one big flow: %d emits, %d dropped\n", S.emits, dropped);
	CHECK_INT(S.bad, 0);
	CHECK_INT(lost, 0);
	CHECK_INT(dup, 0);
	CHECK_INT(ft.dropped, dropped);
	CHECK(S.by_end[FLOW_END_MEMORY] > 0);
}

static void test_init_errors(void)
{
	struct flowtab ft;
	struct arena a;
	struct flowtab_cfg cfg = BASE;

	CHECK_INT(arena_init(&a, 8 * ARENA_CHUNK), -EINVAL); /* below the minimum */
	CHECK_INT(arena_init(&a, 16 * ARENA_CHUNK), 0);
	cfg.max_flows = 0;
	CHECK_INT(flowtab_init(&ft, &cfg, &a, emit, &S), -EINVAL);
	/* Arena bookkeeping: alloc all, free as one chain */
	{
		uint32_t head = ARENA_NONE, c, n = 0;
		while ((c = arena_alloc(&a)) != ARENA_NONE) {
			a.next[c] = head;
			head = c;
			n++;
		}
		CHECK_INT(n, 16);
		CHECK_INT(arena_free_count(&a), 0);
		arena_free_chain(&a, head);
		CHECK_INT(arena_free_count(&a), 16);
		arena_free_chain(&a, ARENA_NONE);
		CHECK_INT(arena_free_count(&a), 16);
	}
	arena_destroy(&a);
}

int main(void)
{
	test_grouping();
	test_idle_and_life();
	test_caps();
	test_max_flows();
	test_arena_exhausted();
	test_one_flow_fills_arena();
	test_init_errors();
	return T_DONE();
}
