/* One-direction TCP stream reassembly for the analyzer.
 *
 * Feed every TCP segment of one direction of a flow, in capture order, to
 * reasm_segment(); reasm_finish() then yields the byte stream.  The segments
 * come from attackers, so any sequence of numbers, flags and lengths is
 * accepted: nothing aborts, memory stays bounded, every drop is counted.
 *
 * Policies:
 *  - Start.  With a SYN the stream starts at ISN+1 (the SYN consumes one
 *    sequence number; data on the SYN itself, TCP Fast Open, starts at ISN+1).
 *    Only the first SYN fixes the start; a later SYN with another ISN is not
 *    trusted for that, its data is placed at its own seq+1.  A SYN that
 *    arrives after data moves the start to its ISN+1 (data before that is
 *    dropped as not part of this connection) unless that is max_bytes or more
 *    away from the current start, in which case it is ignored for the start.
 *    Without a SYN the stream starts at the lowest sequence number carrying
 *    data.  "Lower" is serial-number arithmetic (RFC 1982) relative to the
 *    current start: a segment up to 2^31-1 before it is "before", anything
 *    else is "after".  A segment before the start rebases the start to it,
 *    provided it is less than max_bytes before (else it could only push all
 *    data already held past the cap: it is dropped instead).
 *  - Duplicates and overlaps: FIRST COPY WINS.  Bytes already received are
 *    kept; a later segment only fills holes.  Overlaps whose later copy
 *    differs are counted in `conflicts` (an evasion attempt or a broken
 *    stack, worth a tag).
 *  - Sequence wrap-around (2^32 -> 0) is transparent.
 *  - Gaps: a missing range between received bytes (or between ISN+1 and the
 *    first byte when a SYN was seen) is a gap.  Missing data after the highest
 *    received byte is not a gap, even if a FIN says more was sent.
 *  - FIN consumes one sequence number and carries no data of its own (data on
 *    the FIN segment is kept); RST is only noted, and data on a RST segment is
 *    kept too (a real stack drops it, but we want what the client sent).
 *    Segments with len 0 carry nothing, SYN/FIN/RST aside.
 *  - Cap.  A byte whose stream offset is >= max_bytes is dropped and sets
 *    `truncated`.  max_bytes is clamped to REASM_MAX_BYTES_LIMIT so the window
 *    stays well inside the 2^31 serial-arithmetic range.  Received ranges are
 *    kept as at most REASM_MAX_INTERVALS disjoint intervals; a segment that
 *    would need one more is dropped and sets `truncated`.  Memory is at most
 *    max_bytes plus 16 * REASM_MAX_INTERVALS bytes; work per segment is
 *    O(log intervals + len), plus O(intervals) when the interval list changes
 *    shape.
 *  - Streams longer than about 4 GiB - max_bytes without a SYN can be misread
 *    as starting later (their seq wraps to just "before" the start); the
 *    sensor's flow size cap makes that moot.
 *
 * Ownership: the caller owns struct reasm (embed it anywhere); reasm_init
 * prepares it, reasm_free releases its memory.  Not thread-safe. */
#ifndef MITSU_REASM_H
#define MITSU_REASM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* TCP flag bits understood by reasm_segment (the wire values). */
#define REASM_FIN 0x01
#define REASM_SYN 0x02
#define REASM_RST 0x04

#define REASM_MAX_BYTES_LIMIT (1u << 30)
#define REASM_MAX_INTERVALS 4096u

/* Received range [start, end) in internal positions (see base_pos). */
struct reasm_iv {
	int64_t start, end;
};

struct reasm {
	/* Read-only for callers. */
	bool syn_seen;		/* a SYN was seen (isn valid) */
	bool fin_seen;		/* a FIN was seen (fin_seq valid) */
	bool rst_seen;		/* a RST was seen */
	bool truncated;		/* bytes dropped for lack of room (cap, interval cap, ENOMEM) */
	uint32_t isn;		/* sequence number of the first SYN */
	uint32_t fin_seq;	/* sequence number the (last) FIN occupies */
	uint32_t conflicts;	/* segments whose overlap differed from the bytes kept */
	uint64_t dup_bytes;	/* bytes discarded as already received */
	uint64_t dropped_bytes; /* bytes discarded for any other reason */

	/* Internal. */
	size_t max_bytes;
	bool have_base;	   /* base_seq/base_pos are set */
	bool start_fixed;  /* the start came from a SYN: no more rebasing */
	uint32_t base_seq; /* sequence number of stream offset 0 */
	/* Positions are int64 counted from the first base; offset = pos - base_pos.
	 * They never wrap, so rebasing only moves base_pos, never the data. */
	int64_t base_pos;
	/* Bytes live in a ring: position p is at ring[p mod ring_cap].  All held
	 * bytes lie within max_bytes >= ring_cap positions, so they never collide,
	 * and a rebase moves no data. */
	uint8_t *ring;
	size_t ring_cap;
	struct reasm_iv *iv; /* sorted, disjoint, non-adjacent */
	unsigned niv, iv_cap;
};

/* A hole in the stream: `offset` is the stream offset of its first missing
 * byte, counted from the first byte of the stream (ISN+1 or the start) and
 * including earlier holes; in the concatenated output the hole sits at
 * offset minus the lengths of all earlier gaps. */
struct reasm_gap {
	uint64_t offset, len;
};

void reasm_init(struct reasm *r, size_t max_bytes);
/* Releases memory; r needs reasm_init before reuse.  Safe to call twice. */
void reasm_free(struct reasm *r);
/* One segment: seq and flags from the TCP header, data = its payload.
 * Returns 0 (also when the segment was dropped: that is counted, not an
 * error), -EINVAL for data == NULL with len > 0, -ENOMEM if memory ran out
 * (the segment is dropped and `truncated` set). */
int reasm_segment(struct reasm *r, uint32_t seq, uint8_t flags, const void *data, size_t len);
/* Appends the present bytes, in stream order, to out.  Stores the first
 * max_gaps gaps in gaps (may be NULL if max_gaps is 0); *ngaps_total gets
 * the number of gaps, *truncated the truncated flag (either pointer may be
 * NULL).  Does not change r: it may be called again after more segments.
 * Returns 0 or -ENOMEM (out may then hold part of the stream). */
int reasm_finish(const struct reasm *r, struct buf *out, struct reasm_gap *gaps, unsigned max_gaps,
		 unsigned *ngaps_total, bool *truncated);
/* Stream offset just past the highest byte held; 0 if none. */
uint64_t reasm_stream_len(const struct reasm *r);

#endif
