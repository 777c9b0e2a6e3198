/* libFuzzer harness for analyze/decode (and, behind it, analyze/ipfrag and
 * the sensor's responder, which read what decode points at).
 *
 * Input: byte 0 picks the link type (low bits, modulo the table below; the
 * last entry is unsupported on purpose).  If bit 7 of byte 0 is clear, the
 * rest is one frame.  If it is set, the rest is a sequence of frames, each
 * preceded by a 2-byte big-endian length, so that one input can carry all
 * the fragments of a datagram.  Each frame is copied to a buffer of exactly
 * its length (ASan sees any over-read) and decoded; every pointer decode
 * returns must lie inside the frame.  Fragments go to an ipfrag table; a
 * reassembled datagram is checked the same way.  The table is made once
 * (a fresh 16 MB one per input would cost more than the decoding), but
 * each input's clock starts more than the reassembly timeout after the
 * previous input's last packet, so every datagram of earlier inputs has
 * expired before it can match: each input behaves as on an empty table and
 * a crash reproduces from its input alone.  A SYN gets a SYN+ACK built,
 * which must fit RESPONDER_MAX_FRAME. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "analyze/ipfrag.h"
#include "sensor/responder.h"

static const int DLTS[] = {
    DECODE_DLT_EN10MB,	DECODE_DLT_LINUX_SLL, DECODE_DLT_LINUX_SLL2, DECODE_DLT_RAW,
    DECODE_DLT_RAW_ALT, DECODE_LINKTYPE_RAW,  DECODE_DLT_IPV4,	     DECODE_DLT_IPV6,
    DECODE_DLT_NULL,	DECODE_DLT_LOOP,      147 /* unsupported */,
};
#define NDLTS (sizeof(DLTS) / sizeof(DLTS[0]))

#define TIMEOUT_US (30 * 1000000ull)

static struct ipfrag *frag;
static uint64_t clock_us = 1700000000ull * 1000000;
static struct responder resp;

static void in(const uint8_t *base, uint32_t len, const uint8_t *p, uint32_t n)
{
	if (!p)
		return;
	if (p < base || p > base + len || n > (uint32_t)(base + len - p))
		__builtin_trap();
}

/* Every region decode reports lies inside [base, base + len). */
static void check_pkt(const struct pkt *p, const uint8_t *base, uint32_t len, int st)
{
	volatile uint8_t sink = 0;

	if (st != DECODE_OK && st != DECODE_FRAGMENT)
		return;
	in(base, len, p->l3, p->l3_len);
	if (st == DECODE_FRAGMENT) {
		in(base, len, p->frag_data, p->frag_len);
		return;
	}
	in(base, len, p->l4, p->l4_len);
	in(base, len, p->payload, p->payload_len);
	in(base, len, p->tcp_opts, p->tcp_optlen);
	if (p->payload_wire < p->payload_len)
		__builtin_trap();
	/* Touch the first and last byte of each region: ASan checks them. */
	if (p->payload_len)
		sink ^= p->payload[0] ^ p->payload[p->payload_len - 1];
	if (p->tcp_optlen)
		sink ^= p->tcp_opts[0] ^ p->tcp_opts[p->tcp_optlen - 1];
	(void)sink;
}

static void one_frame(int dlt, const uint8_t *data, uint32_t len, uint64_t ts)
{
	uint8_t *f = malloc(len ? len : 1), out[RESPONDER_MAX_FRAME];
	struct pkt p, whole;
	int st;

	if (!f)
		return;
	memcpy(f, data, len);
	st = decode_packet(dlt, f, len, &p);
	check_pkt(&p, f, len, st);
	if (st == DECODE_OK && responder_is_syn(&p)) {
		int n = responder_synack(&resp, dlt, &p, out, sizeof(out));
		if (n > (int)sizeof(out))
			__builtin_trap();
		(void)responder_is_handshake_ack(&resp, &p);
	}
	if (st == DECODE_FRAGMENT && ipfrag_add(frag, &p, ts, &whole) == 1)
		check_pkt(&whole, frag->out, sizeof(frag->out), DECODE_OK);
	free(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct siphash_key k = {1, 2};

	(void)argc, (void)argv;
	frag = malloc(sizeof(*frag));
	if (!frag || ipfrag_init(frag, TIMEOUT_US))
		return 1;
	return responder_init(&resp, &k) == 0 ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int dlt;
	uint64_t ts = clock_us;

	if (size < 1 || size > 1 << 20)
		return 0;
	dlt = DLTS[(data[0] & 0x7f) % NDLTS];
	if (!(data[0] & 0x80)) {
		one_frame(dlt, data + 1, (uint32_t)(size - 1), ts);
	} else {
		size_t off = 1;
		while (off + 2 <= size) {
			size_t n = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
			if (n > size - off)
				n = size - off;
			one_frame(dlt, data + off, (uint32_t)n, ts);
			off += n;
			ts += 1000; /* 1 ms apart */
		}
	}
	clock_us = ts + TIMEOUT_US + 1000000; /* see the top of this file */
	return 0;
}
