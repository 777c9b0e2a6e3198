#include "sensor/flowtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sensor/pcapfmt.h"

#define NIL UINT32_MAX

struct flow {
	struct flow_key key;
	uint32_t hnext;
	uint32_t bucket; /* saves rehashing the key when the flow ends */
	uint32_t lru_prev, lru_next;
	uint32_t age_prev, age_next;
	uint64_t first_us, last_us;
	uint32_t packets;
	uint64_t bytes;
	uint32_t head, tail; /* chunk chain */
	bool payload;
	bool used;
};

const char *flow_end_name(enum flow_end e)
{
	static const char *names[] = {"", "idle", "lifetime", "packet-cap", "byte-cap", "memory",
				      "shutdown"};
	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

int flowtab_init(struct flowtab *ft, const struct flowtab_cfg *cfg, struct arena *arena,
		 flowtab_emit_fn emit, void *user)
{
	uint32_t nb = 1;

	memset(ft, 0, sizeof(*ft));
	if (!cfg->max_flows || cfg->max_flows > (1u << 28))
		return -EINVAL;
	ft->cfg = *cfg;
	ft->arena = arena;
	ft->emit = emit;
	ft->emit_user = user;
	while (nb < cfg->max_flows * 2)
		nb <<= 1;
	ft->nbuckets = nb;
	/* malloc + memset rather than calloc: touch the pages now, not on the
	 * packet path. */
	ft->flows = malloc((size_t)cfg->max_flows * sizeof(*ft->flows));
	if (ft->flows)
		memset(ft->flows, 0, (size_t)cfg->max_flows * sizeof(*ft->flows));
	ft->buckets = malloc((size_t)nb * sizeof(*ft->buckets));
	if (!ft->flows || !ft->buckets) {
		flowtab_destroy(ft);
		return -ENOMEM;
	}
	memset(ft->buckets, 0xff, (size_t)nb * sizeof(*ft->buckets));
	for (uint32_t i = 0; i < cfg->max_flows; i++)
		ft->flows[i].hnext = i + 1 < cfg->max_flows ? i + 1 : NIL;
	ft->free_head = 0;
	ft->lru_head = ft->lru_tail = ft->age_head = ft->age_tail = NIL;
	/* A secret hash key: attackers choose the keys, so they must not be
	 * able to aim them at one bucket. */
	if (getrandom(&ft->hkey, sizeof(ft->hkey), 0) != sizeof(ft->hkey))
		return -EIO;
	return 0;
}

void flowtab_destroy(struct flowtab *ft)
{
	free(ft->flows);
	free(ft->buckets);
	ft->flows = NULL;
	ft->buckets = NULL;
}

static uint32_t bucket_of(const struct flowtab *ft, const struct flow_key *k)
{
	return (uint32_t)siphash24(&ft->hkey, k, sizeof(*k)) & (ft->nbuckets - 1);
}

static uint32_t lookup(const struct flowtab *ft, const struct flow_key *k, uint32_t b)
{
	for (uint32_t i = ft->buckets[b]; i != NIL; i = ft->flows[i].hnext)
		if (!memcmp(&ft->flows[i].key, k, sizeof(*k)))
			return i;
	return NIL;
}

bool flowtab_has(struct flowtab *ft, const struct flow_key *key)
{
	return lookup(ft, key, bucket_of(ft, key)) != NIL;
}

/* Intrusive doubly linked lists over flow indices; two of them share code
 * through offsets of the prev/next fields. */
#define LIST_UNLINK(ft, i, prev, next, head, tail)                                                 \
	do {                                                                                       \
		struct flow *f_ = &(ft)->flows[i];                                                 \
		if (f_->prev != NIL)                                                               \
			(ft)->flows[f_->prev].next = f_->next;                                     \
		else                                                                               \
			(ft)->head = f_->next;                                                     \
		if (f_->next != NIL)                                                               \
			(ft)->flows[f_->next].prev = f_->prev;                                     \
		else                                                                               \
			(ft)->tail = f_->prev;                                                     \
		f_->prev = f_->next = NIL;                                                         \
	} while (0)

#define LIST_APPEND(ft, i, prev, next, head, tail)                                                 \
	do {                                                                                       \
		struct flow *f_ = &(ft)->flows[i];                                                 \
		f_->prev = (ft)->tail;                                                             \
		f_->next = NIL;                                                                    \
		if ((ft)->tail != NIL)                                                             \
			(ft)->flows[(ft)->tail].next = i;                                          \
		else                                                                               \
			(ft)->head = i;                                                            \
		(ft)->tail = i;                                                                    \
	} while (0)

static void unhash(struct flowtab *ft, uint32_t idx)
{
	uint32_t *pp = &ft->buckets[ft->flows[idx].bucket];

	while (*pp != NIL && *pp != idx)
		pp = &ft->flows[*pp].hnext;
	if (*pp == idx)
		*pp = ft->flows[idx].hnext;
}

/* Hands the flow to the emitter and returns its slot to the free list. */
static void end_flow(struct flowtab *ft, uint32_t idx, enum flow_end why)
{
	struct flow *f = &ft->flows[idx];
	struct flow_done d = {
		.key = f->key,
		.first_us = f->first_us,
		.last_us = f->last_us,
		.packets = f->packets,
		.bytes = f->bytes,
		.payload = f->payload,
		.end = why,
		.chain = f->head,
	};

	unhash(ft, idx);
	LIST_UNLINK(ft, idx, lru_prev, lru_next, lru_head, lru_tail);
	LIST_UNLINK(ft, idx, age_prev, age_next, age_head, age_tail);
	f->used = false;
	f->hnext = ft->free_head;
	ft->free_head = idx;
	ft->open--;
	if (d.chain != NIL)
		ft->emit(ft->emit_user, &d);
}

static uint32_t new_flow(struct flowtab *ft, const struct flow_key *k, uint32_t b, uint64_t ts)
{
	uint32_t idx;
	struct flow *f;

	if (ft->free_head == NIL) {
		ft->evicted++;
		end_flow(ft, ft->lru_head, FLOW_END_MEMORY);
		b = bucket_of(ft, k);
	}
	idx = ft->free_head;
	f = &ft->flows[idx];
	ft->free_head = f->hnext;
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->used = true;
	f->first_us = f->last_us = ts;
	f->head = f->tail = NIL;
	f->bucket = b;
	f->hnext = ft->buckets[b];
	ft->buckets[b] = idx;
	f->lru_prev = f->lru_next = f->age_prev = f->age_next = NIL;
	LIST_APPEND(ft, idx, lru_prev, lru_next, lru_head, lru_tail);
	LIST_APPEND(ft, idx, age_prev, age_next, age_head, age_tail);
	ft->open++;
	return idx;
}

/* Gets a chunk, writing the least recently active other flows early when
 * the arena is exhausted. */
static uint32_t alloc_chunk(struct flowtab *ft, uint32_t self)
{
	uint32_t c;

	while ((c = arena_alloc(ft->arena)) == ARENA_NONE) {
		uint32_t victim = ft->lru_head;
		if (victim == self)
			victim = ft->flows[self].lru_next;
		if (victim == NIL)
			return ARENA_NONE;
		ft->evicted++;
		end_flow(ft, victim, FLOW_END_MEMORY);
	}
	return c;
}

static int append_bytes(struct flowtab *ft, uint32_t idx, const uint8_t *p, uint32_t n)
{
	struct flow *f = &ft->flows[idx];
	struct arena *a = ft->arena;

	while (n) {
		uint32_t room, take;
		if (f->tail == NIL || a->used[f->tail] == ARENA_CHUNK) {
			uint32_t c = alloc_chunk(ft, idx);
			if (c == ARENA_NONE)
				return -ENOMEM;
			if (f->tail == NIL)
				f->head = c;
			else
				a->next[f->tail] = c;
			f->tail = c;
		}
		room = ARENA_CHUNK - a->used[f->tail];
		take = n < room ? n : room;
		memcpy(arena_chunk(a, f->tail) + a->used[f->tail], p, take);
		a->used[f->tail] += (uint16_t)take;
		p += take;
		n -= take;
	}
	return 0;
}

/* Cuts the flow's chain back to old_tail holding old_used bytes (NIL: to
 * nothing) and returns the chunks after it to the arena. */
static void truncate_chain(struct flowtab *ft, uint32_t idx, uint32_t old_tail, uint16_t old_used)
{
	struct flow *f = &ft->flows[idx];
	struct arena *a = ft->arena;
	uint32_t extra;

	if (old_tail == NIL) {
		extra = f->head;
		f->head = NIL;
	} else {
		extra = a->next[old_tail];
		a->next[old_tail] = ARENA_NONE;
		a->used[old_tail] = old_used;
	}
	f->tail = old_tail;
	arena_free_chain(a, extra);
}

int flowtab_add(struct flowtab *ft, const struct flow_key *key, uint64_t ts_us,
		const uint8_t *frame, uint32_t caplen, uint32_t origlen, bool payload)
{
	uint8_t rec[PCAPFMT_REC_HDR_LEN];
	uint32_t b = bucket_of(ft, key), idx = lookup(ft, key, b), old_tail;
	uint16_t old_used;
	struct flow *f;

	if (idx == NIL)
		idx = new_flow(ft, key, b, ts_us);
	f = &ft->flows[idx];
	/* Reserve room for the whole record first so that a record is never
	 * split by a failed allocation: a partial record would corrupt the file. */
	if (arena_free_count(ft->arena) * (uint64_t)ARENA_CHUNK < PCAPFMT_REC_HDR_LEN + caplen + ARENA_CHUNK)
		for (int i = 0; i < 64 && ft->lru_head != NIL && ft->lru_head != idx &&
				arena_free_count(ft->arena) * (uint64_t)ARENA_CHUNK <
					PCAPFMT_REC_HDR_LEN + caplen + ARENA_CHUNK;
		     i++) {
			ft->evicted++;
			end_flow(ft, ft->lru_head, FLOW_END_MEMORY);
		}
	pcapfmt_record_header(rec, ts_us, caplen, origlen);
	old_tail = f->tail;
	old_used = old_tail != NIL ? ft->arena->used[old_tail] : 0;
	if (append_bytes(ft, idx, rec, sizeof(rec)) || append_bytes(ft, idx, frame, caplen)) {
		/* The flow alone fills the arena.  Take back the part of this
		 * record already copied, so that the flow is emitted with
		 * whole records only (a partial one would corrupt the pcap). */
		truncate_chain(ft, idx, old_tail, old_used);
		ft->dropped++;
		end_flow(ft, idx, FLOW_END_MEMORY);
		return -ENOMEM;
	}
	f->packets++;
	f->bytes += sizeof(rec) + caplen;
	f->payload |= payload;
	if (ts_us > f->last_us)
		f->last_us = ts_us;
	LIST_UNLINK(ft, idx, lru_prev, lru_next, lru_head, lru_tail);
	LIST_APPEND(ft, idx, lru_prev, lru_next, lru_head, lru_tail);
	if (ft->cfg.max_flow_packets && f->packets >= ft->cfg.max_flow_packets)
		end_flow(ft, idx, FLOW_END_PACKETS);
	else if (ft->cfg.max_flow_bytes && f->bytes >= ft->cfg.max_flow_bytes)
		end_flow(ft, idx, FLOW_END_BYTES);
	return 0;
}

void flowtab_expire(struct flowtab *ft, uint64_t now_us)
{
	while (ft->lru_head != NIL && ft->flows[ft->lru_head].last_us + ft->cfg.idle_us <= now_us)
		end_flow(ft, ft->lru_head, FLOW_END_IDLE);
	while (ft->age_head != NIL &&
	       ft->flows[ft->age_head].first_us + ft->cfg.max_life_us <= now_us)
		end_flow(ft, ft->age_head, FLOW_END_LIFE);
}

void flowtab_flush_all(struct flowtab *ft, enum flow_end why)
{
	while (ft->age_head != NIL)
		end_flow(ft, ft->age_head, why);
}
