/* libFuzzer harness for analyze/reasm.
 *
 * Input: seq0 (4 bytes BE), max_bytes (2 bytes BE, mod 8001), then records:
 *   f (1 byte): flags = f & 0x3f;
 *               f & 0x80: seq is 4 bytes BE, else a signed 16-bit delta from seq0;
 *               f & 0x40: len is 2 bytes BE mod 4096, else 1 byte;
 *   seq, len, then len data bytes (fewer if the input ends).
 * Each record is fed to reasm and to a naive model (an array indexed by stream
 * offset, shifted with memmove on every rebase); the outputs must agree and
 * satisfy the invariants: length <= max_bytes, gaps sorted, disjoint,
 * non-empty, and bytes + gaps == stream length.  max_bytes <= 8000 keeps the
 * interval count below REASM_MAX_INTERVALS, which the model does not know. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/reasm.h"

#define MAXG 64

struct model {
	size_t max;
	bool have_base, fixed, syn_seen, trunc;
	uint32_t base;
	uint8_t *val, *has;
	uint64_t dup, dropped;
};

static int64_t model_off(const struct model *m, uint32_t seq)
{
	uint32_t d = seq - m->base;

	return d < 0x80000000u ? (int64_t)d : (int64_t)d - ((int64_t)1 << 32);
}

/* Moves the stream content by k offsets (k > 0: later, k < 0: earlier). */
static void model_shift(struct model *m, int64_t k)
{
	size_t n = (size_t)(k < 0 ? -k : k);

	for (size_t i = 0; i < m->max; i++) {
		bool lost = k > 0 ? i >= m->max - n : i < n;

		if (lost && m->has[i]) {
			m->dropped++;
			if (k > 0)
				m->trunc = true;
		}
	}
	if (k > 0) {
		memmove(m->val + n, m->val, m->max - n);
		memmove(m->has + n, m->has, m->max - n);
		memset(m->has, 0, n);
	} else {
		memmove(m->val, m->val + n, m->max - n);
		memmove(m->has, m->has + n, m->max - n);
		memset(m->has + m->max - n, 0, n);
	}
}

static void model_syn(struct model *m, uint32_t isn)
{
	int64_t off;

	if (m->syn_seen)
		return;
	m->syn_seen = true;
	if (m->have_base) {
		off = model_off(m, isn + 1);
		if ((uint64_t)(off < 0 ? -off : off) >= m->max)
			return;
		if (off)
			model_shift(m, -off);
	}
	m->have_base = m->fixed = true;
	m->base = isn + 1;
}

static void model_segment(struct model *m, uint32_t seq, uint8_t flags, const uint8_t *d,
			  size_t len)
{
	int64_t off;

	if (flags & REASM_SYN) {
		model_syn(m, seq);
		seq++;
	}
	if (!len)
		return;
	if (!m->have_base) {
		m->have_base = true;
		m->base = seq;
	}
	off = model_off(m, seq);
	if (off < 0 && !m->fixed) {
		if ((uint64_t)-off >= m->max) {
			m->dropped += len;
			m->trunc = true;
			return;
		}
		model_shift(m, -off);
		m->base = seq;
		off = 0;
	}
	for (size_t i = 0; i < len; i++) {
		int64_t o = off + (int64_t)i;

		if (o < 0) {
			m->dropped++;
		} else if ((uint64_t)o >= m->max) {
			m->dropped++;
			m->trunc = true;
		} else if (m->has[o]) {
			m->dup++;
		} else {
			m->has[o] = 1;
			m->val[o] = d[i];
		}
	}
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void compare(const struct reasm *r, const struct model *m, const struct buf *out,
		    const struct reasm_gap *g, unsigned ng, bool trunc)
{
	size_t o = 0, gi = 0, end = 0;

	for (size_t i = 0; i < m->max; i++)
		if (m->has[i])
			end = i + 1;
	check(reasm_stream_len(r) == end);
	check(trunc == m->trunc);
	check(r->dup_bytes == m->dup);
	check(r->dropped_bytes == m->dropped);
	for (size_t i = 0; i < end; i++) {
		if (m->has[i]) {
			check(o < out->len && out->p[o] == m->val[i]);
			o++;
		} else if (i == 0 || m->has[i - 1]) {
			check(gi < ng);
			if (gi < MAXG)
				check(g[gi].offset == i);
			gi++;
		}
	}
	check(o == out->len && gi == ng);
}

static void invariants(const struct reasm *r, size_t max, const struct buf *out,
		       const struct reasm_gap *g, unsigned ng)
{
	uint64_t sum = out->len, prev_end = 0;

	check(out->len <= max);
	/* Internal shape: sorted, disjoint, non-adjacent, non-empty, in the window. */
	check(r->niv <= REASM_MAX_INTERVALS);
	for (unsigned i = 0; i < r->niv; i++) {
		check(r->iv[i].start < r->iv[i].end && r->iv[i].start >= r->base_pos);
		check(r->iv[i].end <= r->base_pos + (int64_t)max);
		check(i == 0 || r->iv[i].start > r->iv[i - 1].end);
	}
	for (unsigned i = 0; i < ng && i < MAXG; i++) {
		check(g[i].len > 0);
		check(i == 0 || g[i].offset > prev_end);
		prev_end = g[i].offset + g[i].len;
		sum += g[i].len;
	}
	if (ng <= MAXG)
		check(sum == reasm_stream_len(r));
	check(reasm_stream_len(r) <= max);
}

static uint32_t get_be(const uint8_t **p, const uint8_t *end, unsigned n)
{
	uint32_t v = 0;

	while (n-- && *p < end)
		v = v << 8 | *(*p)++;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct reasm r;
	struct model m = {0};
	struct buf out = {0};
	struct reasm_gap g[MAXG];
	unsigned ng = 0;
	bool trunc = false;
	uint32_t seq0;

	if (size < 6)
		return 0;
	seq0 = get_be(&p, end, 4);
	m.max = get_be(&p, end, 2) % 8001;
	m.val = malloc(m.max + 1);
	m.has = calloc(m.max + 1, 1);
	check(m.val && m.has);
	reasm_init(&r, m.max);
	while (p < end) {
		uint8_t f = *p++;
		uint32_t seq = f & 0x80 ? get_be(&p, end, 4)
					: seq0 + (uint32_t)(int32_t)(int16_t)get_be(&p, end, 2);
		size_t len = f & 0x40 ? get_be(&p, end, 2) % 4096 : get_be(&p, end, 1);

		if (len > (size_t)(end - p))
			len = (size_t)(end - p);
		check(reasm_segment(&r, seq, f & 0x3f, p, len) == 0);
		model_segment(&m, seq, f & 0x3f, p, len);
		p += len;
	}
	check(reasm_finish(&r, &out, g, MAXG, &ng, &trunc) == 0);
	invariants(&r, m.max, &out, g, ng);
	compare(&r, &m, &out, g, ng, trunc);
	buf_free(&out);
	reasm_free(&r);
	free(m.val);
	free(m.has);
	return 0;
}
