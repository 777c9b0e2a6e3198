/* Unit tests for analyze/reasm: hand-built segment sequences. */
#include "analyze/reasm.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "t.h"

#define MAXG 8

static struct buf out;
static struct reasm_gap gaps[MAXG];
static unsigned ngaps;
static bool trunc;

static int seg(struct reasm *r, uint32_t seq, uint8_t flags, const char *s)
{
	return reasm_segment(r, seq, flags, s, s ? strlen(s) : 0);
}

/* Finishes into the globals and returns the stream as a C string. */
static const char *done(struct reasm *r)
{
	buf_reset(&out);
	memset(gaps, 0, sizeof(gaps));
	CHECK_INT(reasm_finish(r, &out, gaps, MAXG, &ngaps, &trunc), 0);
	return buf_cstr(&out);
}

static void test_in_order(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 1000, REASM_SYN, NULL);
	seg(&r, 1001, 0, "GET ");
	seg(&r, 1005, 0, "/ HTTP/1.0\r\n");
	CHECK_STR(done(&r), "GET / HTTP/1.0\r\n");
	CHECK_INT(ngaps, 0);
	CHECK(!trunc);
	CHECK(r.syn_seen && r.isn == 1000);
	CHECK_INT(reasm_stream_len(&r), 16);
	CHECK_INT(r.dup_bytes, 0);
	reasm_free(&r);
}

static void test_retransmission(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 10, REASM_SYN, NULL);
	seg(&r, 11, 0, "hello");
	seg(&r, 11, 0, "hello");
	seg(&r, 16, 0, " world");
	seg(&r, 11, 0, "hello");
	seg(&r, 16, 0, " world");
	CHECK_STR(done(&r), "hello world");
	CHECK_INT(ngaps, 0);
	CHECK_INT(r.dup_bytes, 16);
	CHECK_INT(r.conflicts, 0);
	CHECK_INT(r.niv, 1);
	reasm_free(&r);
}

static void test_out_of_order(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 100, REASM_SYN, NULL);
	seg(&r, 113, 0, "!");
	seg(&r, 107, 0, "world");
	seg(&r, 101, 0, "hello ");
	seg(&r, 112, 0, "?");
	CHECK_STR(done(&r), "hello world?!");
	CHECK_INT(ngaps, 0);
	CHECK_INT(r.niv, 1);
	reasm_free(&r);
}

/* Later copy overlaps the end of an earlier one: earlier bytes stay. */
static void test_overlap_right(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "abcdef");
	seg(&r, 4, 0, "XXXghi");
	CHECK_STR(done(&r), "abcdefghi");
	CHECK_INT(r.dup_bytes, 3);
	CHECK_INT(r.conflicts, 1);
	reasm_free(&r);
}

/* Later copy overlaps the start of an earlier one. */
static void test_overlap_left(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 4, 0, "defghi");
	seg(&r, 1, 0, "abcXXX");
	CHECK_STR(done(&r), "abcdefghi");
	CHECK_INT(r.conflicts, 1);
	CHECK_INT(ngaps, 0);
	reasm_free(&r);
}

/* A later segment spans several earlier ones and only fills the holes. */
static void test_overlap_cover(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 2, 0, "b");
	seg(&r, 4, 0, "d");
	seg(&r, 6, 0, "f");
	CHECK_INT(r.niv, 3);
	seg(&r, 1, 0, "XXXXXXXX");
	CHECK_STR(done(&r), "XbXdXfXX");
	CHECK_INT(ngaps, 0);
	CHECK_INT(r.niv, 1);
	CHECK_INT(r.dup_bytes, 3);
	CHECK_INT(r.conflicts, 1);
	/* Same bytes again: a duplicate, not a conflict. */
	seg(&r, 2, 0, "b");
	CHECK_INT(r.conflicts, 1);
	reasm_free(&r);
}

/* Adjacent and inner overlaps: a segment inside a held one changes nothing. */
static void test_overlap_inside(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "0123456789");
	seg(&r, 4, 0, "ZZZ");
	seg(&r, 11, 0, "ab");
	CHECK_STR(done(&r), "0123456789ab");
	CHECK_INT(r.niv, 1);
	reasm_free(&r);
}

static void test_wrap_syn(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0xfffffffdu, REASM_SYN, NULL); /* stream starts at 0xfffffffe */
	seg(&r, 2, 0, "ef");
	seg(&r, 0xfffffffeu, 0, "ab");
	seg(&r, 0, 0, "cd");
	CHECK_STR(done(&r), "abcdef");
	CHECK_INT(ngaps, 0);
	reasm_free(&r);

	/* SYN at 0xffffffff: data starts at 0. */
	reasm_init(&r, 1 << 20);
	seg(&r, 0xffffffffu, REASM_SYN, NULL);
	seg(&r, 0, 0, "x");
	CHECK_STR(done(&r), "x");
	CHECK_INT(ngaps, 0);
	reasm_free(&r);
}

static void test_wrap_nosyn(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, 0, "cd");
	seg(&r, 0xfffffffeu, 0, "ab"); /* "before" 0 across the wrap: rebase */
	seg(&r, 2, 0, "ef");
	CHECK_STR(done(&r), "abcdef");
	CHECK_INT(ngaps, 0);
	CHECK(!trunc);
	/* A segment that straddles the wrap. */
	seg(&r, 0xfffffffcu, 0, "ZZab");
	CHECK_STR(done(&r), "ZZabcdef");
	reasm_free(&r);
}

static void test_gap(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "aaaa");
	seg(&r, 9, 0, "bbbb");
	CHECK_STR(done(&r), "aaaabbbb");
	CHECK_INT(ngaps, 1);
	CHECK_INT(gaps[0].offset, 4);
	CHECK_INT(gaps[0].len, 4);
	CHECK_INT(reasm_stream_len(&r), 12);
	reasm_free(&r);
}

static void test_gaps_multi(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 6, 0, "BB");  /* offsets 5-6 */
	seg(&r, 11, 0, "CC"); /* offsets 10-11 */
	seg(&r, 1, 0, "AA");  /* offsets 0-1 */
	CHECK_STR(done(&r), "AABBCC");
	CHECK_INT(ngaps, 2);
	CHECK_INT(gaps[0].offset, 2);
	CHECK_INT(gaps[0].len, 3);
	CHECK_INT(gaps[1].offset, 7);
	CHECK_INT(gaps[1].len, 3);
	/* Fill the first hole: one gap left. */
	seg(&r, 3, 0, "xyz");
	CHECK_STR(done(&r), "AAxyzBBCC");
	CHECK_INT(ngaps, 1);
	CHECK_INT(gaps[0].offset, 7);
	reasm_free(&r);

	/* With a SYN, missing data right after it is a gap at offset 0. */
	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 5, 0, "xx");
	CHECK_STR(done(&r), "xx");
	CHECK_INT(ngaps, 1);
	CHECK_INT(gaps[0].offset, 0);
	CHECK_INT(gaps[0].len, 4);
	reasm_free(&r);
}

/* More gaps than the caller's array: the total is still counted. */
static void test_gaps_overflow(void)
{
	struct reasm r;
	struct reasm_gap g[2];
	unsigned n = 0;
	bool t = true;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	for (uint32_t i = 0; i < 6; i++)
		seg(&r, 1 + i * 10, 0, "x");
	buf_reset(&out);
	CHECK_INT(reasm_finish(&r, &out, g, 2, &n, &t), 0);
	CHECK_INT(n, 5);
	CHECK(!t);
	CHECK_INT(g[0].offset, 1);
	CHECK_INT(g[1].offset, 11);
	CHECK_INT(g[1].len, 9);
	CHECK_INT(out.len, 6);
	/* NULL out-pointers are fine. */
	buf_reset(&out);
	CHECK_INT(reasm_finish(&r, &out, NULL, 0, NULL, NULL), 0);
	CHECK_INT(out.len, 6);
	reasm_free(&r);
}

static void test_rebase(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 5006, 0, "world");
	seg(&r, 5000, 0, "hello ");
	CHECK_STR(done(&r), "hello world");
	CHECK_INT(ngaps, 0);
	reasm_free(&r);

	/* Rebased start with a hole before the first data seen. */
	reasm_init(&r, 1 << 20);
	seg(&r, 300, 0, "C");
	seg(&r, 200, 0, "B");
	seg(&r, 100, 0, "A");
	CHECK_STR(done(&r), "ABC");
	CHECK_INT(ngaps, 2);
	CHECK_INT(gaps[0].offset, 1);
	CHECK_INT(gaps[0].len, 99);
	CHECK_INT(gaps[1].offset, 101);
	CHECK_INT(gaps[1].len, 99);
	reasm_free(&r);

	/* Pure ACKs (len 0) do not set the start. */
	reasm_init(&r, 1 << 20);
	seg(&r, 50, 0, NULL);
	seg(&r, 100, 0, "x");
	CHECK_STR(done(&r), "x");
	CHECK_INT(ngaps, 0);
	reasm_free(&r);
}

/* A rebase that pushes held bytes past the cap drops them. */
static void test_rebase_trims_tail(void)
{
	struct reasm r;

	reasm_init(&r, 8);
	seg(&r, 100, 0, "abcd");
	seg(&r, 94, 0, "xy"); /* window is now [94, 102) */
	CHECK_STR(done(&r), "xyab");
	CHECK_INT(ngaps, 1);
	CHECK_INT(gaps[0].offset, 2);
	CHECK_INT(gaps[0].len, 4);
	CHECK(trunc);
	CHECK_INT(r.dropped_bytes, 2);
	reasm_free(&r);
}

static void test_far_before(void)
{
	struct reasm r;

	/* Without SYN: max_bytes or more before the start is dropped. */
	reasm_init(&r, 100);
	seg(&r, 1000, 0, "keep");
	seg(&r, 900, 0, "junk");
	seg(&r, 1000 + 0x80000000u, 0, "junk"); /* exactly 2^31 away: "before" */
	CHECK_STR(done(&r), "keep");
	CHECK(trunc);
	CHECK_INT(r.dropped_bytes, 8);
	reasm_free(&r);

	/* With SYN: bytes before ISN+1 are cut, not a truncation. */
	reasm_init(&r, 100);
	seg(&r, 1000, REASM_SYN, NULL);
	seg(&r, 998, 0, "xyzab");
	seg(&r, 500, 0, "old");
	CHECK_STR(done(&r), "ab");
	CHECK(!trunc);
	CHECK_INT(r.dropped_bytes, 6);
	reasm_free(&r);
}

static void test_fin_rst(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "hi");
	CHECK(!r.fin_seen && !r.rst_seen);
	seg(&r, 3, REASM_FIN | 0x10, "bye");
	CHECK(r.fin_seen);
	CHECK_INT(r.fin_seq, 6);
	seg(&r, 7, REASM_RST, NULL); /* FIN took seq 6 */
	CHECK(r.rst_seen);
	CHECK_STR(done(&r), "hibye");
	CHECK_INT(ngaps, 0);
	CHECK_INT(reasm_stream_len(&r), 5);
	reasm_free(&r);

	/* A FIN past the data does not make a trailing gap. */
	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "ab");
	seg(&r, 50, REASM_FIN, NULL);
	CHECK_STR(done(&r), "ab");
	CHECK_INT(ngaps, 0);
	CHECK_INT(r.fin_seq, 50);
	reasm_free(&r);
}

static void test_cap(void)
{
	struct reasm r;
	static const uint8_t big[8] = "ABCDEFGH";

	reasm_init(&r, 10);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "0123456789ABCDEF");
	CHECK_STR(done(&r), "0123456789");
	CHECK(trunc);
	CHECK_INT(r.dropped_bytes, 6);
	seg(&r, 1000, 0, "Z");
	CHECK_STR(done(&r), "0123456789");
	CHECK_INT(r.dropped_bytes, 7);
	CHECK_INT(ngaps, 0);
	reasm_free(&r);

	/* Huge len: only bytes inside the window are read. */
	reasm_init(&r, 4);
	CHECK_INT(reasm_segment(&r, 7, 0, big, SIZE_MAX), 0);
	CHECK_STR(done(&r), "ABCD");
	CHECK(trunc);
	reasm_free(&r);

	/* max_bytes 0: nothing kept, nothing crashes. */
	reasm_init(&r, 0);
	seg(&r, 7, 0, "abc");
	seg(&r, 3, 0, "abc");
	CHECK_STR(done(&r), "");
	CHECK(trunc);
	reasm_free(&r);
}

static void test_interval_cap(void)
{
	struct reasm r;
	unsigned i;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	for (i = 0; i < 5000; i++)
		seg(&r, 1 + 2 * i, 0, "x");
	CHECK_INT(r.niv, REASM_MAX_INTERVALS);
	done(&r);
	CHECK_INT(out.len, REASM_MAX_INTERVALS);
	CHECK_INT(ngaps, REASM_MAX_INTERVALS - 1);
	CHECK(trunc);
	CHECK_INT(r.dropped_bytes, 5000 - REASM_MAX_INTERVALS);
	/* Filling a hole merges two intervals: still accepted at the cap. */
	seg(&r, 2, 0, "y");
	CHECK_INT(r.niv, REASM_MAX_INTERVALS - 1);
	done(&r);
	CHECK(out.len >= 3 && memcmp(out.p, "xyx", 3) == 0);
	reasm_free(&r);
}

static void test_syn_data(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 500, REASM_SYN, "hi"); /* TFO: data at ISN+1 */
	seg(&r, 503, 0, "there");
	seg(&r, 500, REASM_SYN, "hi"); /* SYN retransmitted */
	CHECK_STR(done(&r), "hithere");
	CHECK_INT(ngaps, 0);
	CHECK_INT(r.isn, 500);
	CHECK_INT(r.conflicts, 0);
	reasm_free(&r);
}

/* Data captured before the SYN: the SYN still fixes the start. */
static void test_late_syn(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 2, 0, "bc");
	seg(&r, 0, REASM_SYN, NULL);
	CHECK_STR(done(&r), "bc");
	CHECK_INT(ngaps, 1);
	CHECK_INT(gaps[0].offset, 0);
	CHECK_INT(gaps[0].len, 1);
	seg(&r, 1, 0, "a");
	CHECK_STR(done(&r), "abc");
	CHECK_INT(ngaps, 0);
	/* A second SYN with another ISN does not move the start. */
	seg(&r, 2, REASM_SYN, "Zd");
	CHECK_STR(done(&r), "abcd");
	reasm_free(&r);

	/* Data before the SYN's ISN+1 belongs to something else. */
	reasm_init(&r, 1 << 20);
	seg(&r, 10, 0, "old");
	seg(&r, 20, 0, "xyz");
	seg(&r, 20, REASM_SYN, NULL);
	CHECK_STR(done(&r), "yz");
	CHECK(!trunc);
	reasm_free(&r);
}

static void test_edge_inputs(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	CHECK_INT(reasm_segment(&r, 1, 0, NULL, 0), 0);
	CHECK_INT(reasm_segment(&r, 1, 0, NULL, 5), -EINVAL);
	CHECK_INT(reasm_segment(&r, 1, 0xff, NULL, 0), 0);
	CHECK(r.syn_seen && r.fin_seen && r.rst_seen);
	CHECK_STR(done(&r), "");
	CHECK_INT(ngaps, 0);
	CHECK_INT(reasm_stream_len(&r), 0);
	reasm_free(&r);
	reasm_free(&r); /* twice is fine */

	/* Nothing at all. */
	reasm_init(&r, 1 << 20);
	CHECK_STR(done(&r), "");
	reasm_free(&r);
}

/* Bigger than the first ring, delivered backwards without a SYN (every
 * segment rebases), with duplicates: exercises ring growth and wrapping. */
static void test_big_reverse(void)
{
	enum { N = 200000, SEG = 997 };
	struct reasm r;
	uint8_t *want = malloc(N);
	uint32_t isn = 0xfffff000u; /* also crosses 2^32 */
	size_t off;

	for (size_t i = 0; i < N; i++)
		want[i] = (uint8_t)(i * 7 + i / 251);
	reasm_init(&r, N);
	for (off = (N - 1) / SEG * SEG;; off -= SEG) {
		size_t n = N - off < SEG ? N - off : SEG;

		if (off % (5 * SEG) == 0 && off + 2 * SEG < N)
			reasm_segment(&r, isn + (uint32_t)off + 3, 0, want + off + 3, 2 * SEG);
		reasm_segment(&r, isn + (uint32_t)off, 0, want + off, n);
		if (!off)
			break;
	}
	done(&r);
	CHECK_INT(out.len, N);
	CHECK(out.len == N && memcmp(out.p, want, N) == 0);
	CHECK_INT(ngaps, 0);
	CHECK(!trunc);
	CHECK_INT(r.conflicts, 0);
	CHECK_INT(r.niv, 1);
	reasm_free(&r);
	free(want);
}

/* finish() does not consume: more segments may follow. */
static void test_finish_twice(void)
{
	struct reasm r;

	reasm_init(&r, 1 << 20);
	seg(&r, 0, REASM_SYN, NULL);
	seg(&r, 1, 0, "ab");
	CHECK_STR(done(&r), "ab");
	CHECK_STR(done(&r), "ab");
	seg(&r, 3, 0, "c");
	CHECK_STR(done(&r), "abc");
	reasm_free(&r);
}

int main(void)
{
	test_in_order();
	test_retransmission();
	test_out_of_order();
	test_overlap_right();
	test_overlap_left();
	test_overlap_cover();
	test_overlap_inside();
	test_wrap_syn();
	test_wrap_nosyn();
	test_gap();
	test_gaps_multi();
	test_gaps_overflow();
	test_rebase();
	test_rebase_trims_tail();
	test_far_before();
	test_fin_rst();
	test_cap();
	test_interval_cap();
	test_syn_data();
	test_late_syn();
	test_edge_inputs();
	test_big_reverse();
	test_finish_twice();
	buf_free(&out);
	return T_DONE();
}
