/* One-direction TCP stream reassembly; policies in reasm.h.
 *
 * Written by hand: libpcap has no reassembly, and the libraries that do it
 * (libnids, libntoh) are unmaintained, keep their own flow tables and pick
 * their own overlap policy; we need first-copy-wins, hard memory bounds and
 * gap reporting on one direction we already isolated. */
#include "analyze/reasm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Longest run one segment may describe; more cannot fit in sequence space,
 * and the cap keeps pos + len far from int64 overflow. */
#define REASM_SEG_MAX ((uint64_t)1 << 32)
/* First ring and interval allocations: small flows stay small. */
#define REASM_RING_MIN 4096u
#define REASM_IV_MIN 16u

void reasm_init(struct reasm *r, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	r->max_bytes = max_bytes > REASM_MAX_BYTES_LIMIT ? REASM_MAX_BYTES_LIMIT : max_bytes;
}

void reasm_free(struct reasm *r)
{
	free(r->ring);
	free(r->iv);
	r->ring = NULL;
	r->iv = NULL;
	r->ring_cap = 0;
	r->niv = r->iv_cap = 0;
}

static void reasm_drop(struct reasm *r, uint64_t n, bool truncate)
{
	r->dropped_bytes += n;
	if (truncate && n)
		r->truncated = true;
}

/* Serial-number arithmetic relative to the current start: up to 2^31-1
 * ahead is ahead, the rest is behind. */
static int64_t reasm_pos(const struct reasm *r, uint32_t seq)
{
	uint32_t d = seq - r->base_seq;

	if (d < 0x80000000u)
		return r->base_pos + d;
	return r->base_pos - (int64_t)((uint64_t)1 << 32) + d;
}

static size_t reasm_slot(int64_t pos, size_t cap)
{
	int64_t s = pos % (int64_t)cap;

	return (size_t)(s < 0 ? s + (int64_t)cap : s);
}

/* Bytes from pos that are contiguous in the ring, at most n. */
static size_t reasm_run(int64_t pos, size_t cap, size_t n, size_t *slot)
{
	*slot = reasm_slot(pos, cap);
	return n < cap - *slot ? n : cap - *slot;
}

static void reasm_ring_put(uint8_t *ring, size_t cap, int64_t pos, const uint8_t *src, size_t n)
{
	size_t slot, run;

	while (n) {
		run = reasm_run(pos, cap, n, &slot);
		memcpy(ring + slot, src, run);
		pos += (int64_t)run;
		src += run;
		n -= run;
	}
}

static bool reasm_ring_equal(const struct reasm *r, int64_t pos, const uint8_t *src, size_t n)
{
	size_t slot, run;

	while (n) {
		run = reasm_run(pos, r->ring_cap, n, &slot);
		if (memcmp(r->ring + slot, src, run))
			return false;
		pos += (int64_t)run;
		src += run;
		n -= run;
	}
	return true;
}

/* Makes the ring hold every position in [lo, hi) (hi - lo <= max_bytes),
 * moving the held bytes to their slots in a bigger ring. */
static int reasm_ring_reserve(struct reasm *r, int64_t lo, int64_t hi)
{
	size_t need = (size_t)(hi - lo), ncap, slot, run, n;
	uint8_t *nring;
	int64_t pos;

	if (need <= r->ring_cap)
		return 0;
	ncap = r->ring_cap * 2 > need ? r->ring_cap * 2 : need;
	if (ncap < REASM_RING_MIN)
		ncap = REASM_RING_MIN;
	if (ncap > r->max_bytes)
		ncap = r->max_bytes;
	nring = malloc(ncap);
	if (!nring)
		return -ENOMEM;
	for (unsigned i = 0; i < r->niv; i++) {
		pos = r->iv[i].start;
		n = (size_t)(r->iv[i].end - pos);
		while (n) {
			run = reasm_run(pos, r->ring_cap, n, &slot);
			reasm_ring_put(nring, ncap, pos, r->ring + slot, run);
			pos += (int64_t)run;
			n -= run;
		}
	}
	free(r->ring);
	r->ring = nring;
	r->ring_cap = ncap;
	return 0;
}

static int reasm_iv_reserve(struct reasm *r)
{
	unsigned ncap;
	struct reasm_iv *niv;

	if (r->niv < r->iv_cap)
		return 0;
	ncap = r->iv_cap ? r->iv_cap * 2 : REASM_IV_MIN;
	if (ncap > REASM_MAX_INTERVALS)
		ncap = REASM_MAX_INTERVALS;
	niv = realloc(r->iv, ncap * sizeof(*niv));
	if (!niv)
		return -ENOMEM;
	r->iv = niv;
	r->iv_cap = ncap;
	return 0;
}

/* Index of the first interval ending at or after pos (touching counts). */
static unsigned reasm_iv_find(const struct reasm *r, int64_t pos)
{
	unsigned lo = 0, hi = r->niv, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->iv[mid].end < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Forgets every byte at or after position lim (the start moved back). */
static void reasm_trim_tail(struct reasm *r, int64_t lim)
{
	struct reasm_iv *last;

	while (r->niv) {
		last = &r->iv[r->niv - 1];
		if (last->end <= lim)
			return;
		if (last->start < lim) {
			reasm_drop(r, (uint64_t)(last->end - lim), true);
			last->end = lim;
			return;
		}
		reasm_drop(r, (uint64_t)(last->end - last->start), true);
		r->niv--;
	}
}

/* Forgets every byte before position lim (a late SYN moved the start
 * forward): those bytes are not part of this connection, no truncation. */
static void reasm_trim_head(struct reasm *r, int64_t lim)
{
	unsigned k = 0;

	while (k < r->niv && r->iv[k].end <= lim) {
		reasm_drop(r, (uint64_t)(r->iv[k].end - r->iv[k].start), false);
		k++;
	}
	memmove(r->iv, r->iv + k, (r->niv - k) * sizeof(*r->iv));
	r->niv -= k;
	if (r->niv && r->iv[0].start < lim) {
		reasm_drop(r, (uint64_t)(lim - r->iv[0].start), false);
		r->iv[0].start = lim;
	}
}

static void reasm_set_base(struct reasm *r, uint32_t seq, int64_t pos)
{
	r->base_seq = seq;
	r->base_pos = pos;
	r->have_base = true;
}

static void reasm_on_syn(struct reasm *r, uint32_t isn)
{
	int64_t p, dist;

	if (r->syn_seen)
		return; /* only the first SYN may fix the start */
	r->syn_seen = true;
	r->isn = isn;
	if (!r->have_base) {
		reasm_set_base(r, isn + 1, 0);
		r->start_fixed = true;
		return;
	}
	/* Data came before the SYN (capture reordering). */
	p = reasm_pos(r, isn + 1);
	dist = p < r->base_pos ? r->base_pos - p : p - r->base_pos;
	if ((uint64_t)dist >= r->max_bytes)
		return; /* would discard everything held: do not trust it */
	if (p < r->base_pos)
		reasm_trim_tail(r, p + (int64_t)r->max_bytes);
	else
		reasm_trim_head(r, p);
	reasm_set_base(r, isn + 1, p);
	r->start_fixed = true;
}

/* Stores the uncovered parts of [a, b) (inside the window) and merges the
 * intervals it touches into one.  First copy wins: covered bytes stay. */
static int reasm_insert(struct reasm *r, int64_t a, int64_t b, const uint8_t *src)
{
	unsigned i = reasm_iv_find(r, a), j;
	int64_t cur = a, lo, hi, ov_end;
	bool fresh = i == r->niv || r->iv[i].start > b, conflict = false;
	int ret = 0;

	if (fresh && r->niv >= REASM_MAX_INTERVALS) {
		reasm_drop(r, (uint64_t)(b - a), true);
		return 0;
	}
	lo = r->niv && r->iv[0].start < a ? r->iv[0].start : a;
	hi = r->niv && r->iv[r->niv - 1].end > b ? r->iv[r->niv - 1].end : b;
	ret = fresh ? reasm_iv_reserve(r) : 0;
	if (!ret)
		ret = reasm_ring_reserve(r, lo, hi);
	if (ret) {
		reasm_drop(r, (uint64_t)(b - a), true);
		return ret;
	}
	for (j = i; j < r->niv && r->iv[j].start <= b; j++) {
		if (r->iv[j].start > cur) {
			reasm_ring_put(r->ring, r->ring_cap, cur, src + (cur - a),
				       (size_t)(r->iv[j].start - cur));
			cur = r->iv[j].start;
		}
		ov_end = r->iv[j].end < b ? r->iv[j].end : b;
		if (ov_end > cur) {
			r->dup_bytes += (uint64_t)(ov_end - cur);
			if (!reasm_ring_equal(r, cur, src + (cur - a), (size_t)(ov_end - cur)))
				conflict = true;
			cur = ov_end;
		}
	}
	if (cur < b)
		reasm_ring_put(r->ring, r->ring_cap, cur, src + (cur - a), (size_t)(b - cur));
	if (conflict)
		r->conflicts++;
	if (fresh) {
		memmove(r->iv + i + 1, r->iv + i, (r->niv - i) * sizeof(*r->iv));
		r->iv[i] = (struct reasm_iv){a, b};
		r->niv++;
		return 0;
	}
	/* Intervals i..j-1 become one. */
	if (r->iv[i].start > a)
		r->iv[i].start = a;
	r->iv[i].end = r->iv[j - 1].end > b ? r->iv[j - 1].end : b;
	memmove(r->iv + i + 1, r->iv + j, (r->niv - j) * sizeof(*r->iv));
	r->niv -= j - i - 1;
	return 0;
}

/* A segment starting before the start: without a SYN it becomes the new
 * start (if close enough), with one its early bytes are cut.  Returns false
 * if the whole segment is dropped. */
static bool reasm_before_start(struct reasm *r, uint32_t seq, int64_t *a, int64_t b,
			       const uint8_t **src)
{
	int64_t cut;

	if (r->start_fixed) {
		cut = b < r->base_pos ? b : r->base_pos;
		reasm_drop(r, (uint64_t)(cut - *a), false);
		*src += cut - *a;
		*a = cut;
		return *a < b;
	}
	if ((uint64_t)(r->base_pos - *a) >= r->max_bytes ||
	    (r->niv >= REASM_MAX_INTERVALS && b < r->iv[0].start)) {
		reasm_drop(r, (uint64_t)(b - *a), true);
		return false;
	}
	reasm_trim_tail(r, *a + (int64_t)r->max_bytes);
	reasm_set_base(r, seq, *a);
	return true;
}

int reasm_segment(struct reasm *r, uint32_t seq, uint8_t flags, const void *data, size_t len)
{
	const uint8_t *src = data;
	uint64_t n = len;
	int64_t a, b, lim;

	if (!src && len)
		return -EINVAL;
	if (flags & REASM_RST)
		r->rst_seen = true;
	if (flags & REASM_SYN) {
		reasm_on_syn(r, seq);
		seq++; /* the SYN occupies seq; its data (TFO) follows */
	}
	if (flags & REASM_FIN) {
		r->fin_seen = true;
		r->fin_seq = seq + (uint32_t)len;
	}
	if (!n)
		return 0;
	if (n > REASM_SEG_MAX) {
		reasm_drop(r, n - REASM_SEG_MAX, true);
		n = REASM_SEG_MAX;
	}
	if (!r->have_base)
		reasm_set_base(r, seq, 0);
	a = reasm_pos(r, seq);
	b = a + (int64_t)n;
	if (a < r->base_pos && !reasm_before_start(r, seq, &a, b, &src))
		return 0;
	lim = r->base_pos + (int64_t)r->max_bytes;
	if (b > lim) {
		reasm_drop(r, (uint64_t)(b - (a > lim ? a : lim)), true);
		b = lim;
	}
	if (a >= b)
		return 0;
	return reasm_insert(r, a, b, src);
}

static int reasm_append(const struct reasm *r, struct buf *out, const struct reasm_iv *iv)
{
	int64_t pos = iv->start;
	size_t n = (size_t)(iv->end - iv->start), slot, run;
	int ret;

	while (n) {
		run = reasm_run(pos, r->ring_cap, n, &slot);
		ret = buf_append(out, r->ring + slot, run);
		if (ret)
			return ret;
		pos += (int64_t)run;
		n -= run;
	}
	return 0;
}

int reasm_finish(const struct reasm *r, struct buf *out, struct reasm_gap *gaps, unsigned max_gaps,
		 unsigned *ngaps_total, bool *truncated)
{
	int64_t prev = r->base_pos;
	uint64_t total = 0;
	unsigned ng = 0;
	int ret;

	for (unsigned i = 0; i < r->niv; i++)
		total += (uint64_t)(r->iv[i].end - r->iv[i].start);
	ret = buf_reserve(out, (size_t)total);
	for (unsigned i = 0; i < r->niv && !ret; i++) {
		if (r->iv[i].start > prev) {
			if (gaps && ng < max_gaps)
				gaps[ng] = (struct reasm_gap){(uint64_t)(prev - r->base_pos),
							      (uint64_t)(r->iv[i].start - prev)};
			ng++;
		}
		ret = reasm_append(r, out, &r->iv[i]);
		prev = r->iv[i].end;
	}
	if (ngaps_total)
		*ngaps_total = ng;
	if (truncated)
		*truncated = r->truncated;
	return ret;
}

uint64_t reasm_stream_len(const struct reasm *r)
{
	if (!r->niv)
		return 0;
	return (uint64_t)(r->iv[r->niv - 1].end - r->base_pos);
}
