/* Unit tests for analyze/ipfrag: IPv4 and IPv6 datagrams cut into
 * fragments and delivered in order, reversed, duplicated, overlapping,
 * incomplete, stale, and more at once than the table holds. */
#include "analyze/ipfrag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#define PLEN 3000 /* UDP header + 2992 data bytes */
#define SEC 1000000ull

static uint8_t payload[PLEN]; /* the whole UDP datagram (header included) */
static struct ipfrag *F;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v);
}

static void make_payload(void)
{
	put16(payload, 40000);
	put16(payload + 2, 53);
	put16(payload + 4, PLEN);
	put16(payload + 6, 0);
	for (int i = 8; i < PLEN; i++)
		payload[i] = (uint8_t)(i * 7 + i / 251);
}

struct frag {
	uint8_t b[48 + PLEN];
	uint32_t len;
};

/* IPv4 fragment of `data` [off, off+len) of datagram `id` from src. */
static void frag4(struct frag *fr, uint16_t id, uint8_t src_last, uint32_t off, uint32_t len,
		  int more, const uint8_t *data)
{
	uint8_t *b = fr->b;

	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + len));
	put16(b + 4, id);
	put16(b + 6, (uint16_t)((more ? 0x2000 : 0) | off / 8));
	b[8] = 64, b[9] = 17;
	b[12] = 192, b[13] = 0, b[14] = 2, b[15] = src_last;
	b[16] = 203, b[17] = 0, b[18] = 113, b[19] = 1;
	memcpy(b + 20, data + off, len);
	fr->len = 20 + len;
}

static void frag6(struct frag *fr, uint32_t id, uint32_t off, uint32_t len, int more,
		  const uint8_t *data)
{
	uint8_t *b = fr->b;

	memset(b, 0, 48);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)(8 + len));
	b[6] = 44, b[7] = 64;
	inet_pton(AF_INET6, "2001:db8::1", b + 8);
	inet_pton(AF_INET6, "2001:db8::2", b + 24);
	b[40] = 17;
	put16(b + 42, (uint16_t)(off | (more ? 1 : 0)));
	put32(b + 44, id);
	memcpy(b + 48, data + off, len);
	fr->len = 48 + len;
}

/* Decodes and adds one fragment; returns ipfrag_add's result. */
static int add(const struct frag *fr, uint64_t ts, struct pkt *whole)
{
	struct pkt p;
	int st;

	memset(&p, 0, sizeof(p));
	p.frame = fr->b;
	st = decode_ip(fr->b, fr->len, &p);
	if (st != DECODE_FRAGMENT) {
		printf("# decode: %s\n", decode_status_str(st));
		return -1000;
	}
	return ipfrag_add(F, &p, ts, whole);
}

static void check_whole4(const struct pkt *w, const uint8_t *want)
{
	CHECK_INT(w->ipver, 4);
	CHECK_INT(w->proto, 17);
	CHECK(!w->frag);
	CHECK_INT(w->ip_len, 20 + PLEN);
	CHECK_INT(w->sport, 40000);
	CHECK_INT(w->dport, 53);
	CHECK_INT(w->payload_len, PLEN - 8);
	CHECK(w->payload && !memcmp(w->payload, want + 8, PLEN - 8));
	/* The rebuilt header: MF and offset cleared, length fixed */
	CHECK_INT(w->l3[6] & 0x3f, 0);
	CHECK_INT(w->l3[7], 0);
	CHECK_INT(w->l3[2] << 8 | w->l3[3], 20 + PLEN);
}

/* The three fragments of datagram id: [0,1000) [1000,2000) [2000,3000). */
static void three(struct frag fr[3], uint16_t id, uint8_t src, const uint8_t *data)
{
	frag4(&fr[0], id, src, 0, 1000, 1, data);
	frag4(&fr[1], id, src, 1000, 1000, 1, data);
	frag4(&fr[2], id, src, 2000, 1000, 0, data);
}

static void test_in_order(void)
{
	struct frag fr[3];
	struct pkt w;

	three(fr, 1, 10, payload);
	CHECK_INT(add(&fr[0], 1 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 1 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 1 * SEC, &w), 1);
	check_whole4(&w, payload);
	CHECK_INT(F->completed, 1);
	/* The slot is free again: the same id starts a new datagram */
	CHECK_INT(add(&fr[2], 2 * SEC, &w), 0);
	CHECK_INT(add(&fr[0], 2 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 2 * SEC, &w), 1);
	check_whole4(&w, payload);
}

static void test_reverse_and_duplicate(void)
{
	struct frag fr[3];
	struct pkt w;
	uint64_t done = F->completed;

	three(fr, 2, 10, payload);
	CHECK_INT(add(&fr[2], 3 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 3 * SEC, &w), 0);
	CHECK_INT(add(&fr[0], 3 * SEC, &w), 1);
	check_whole4(&w, payload);

	three(fr, 3, 10, payload);
	CHECK_INT(add(&fr[0], 4 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 4 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 4 * SEC, &w), 0);
	CHECK_INT(add(&fr[0], 4 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 4 * SEC, &w), 1);
	check_whole4(&w, payload);
	CHECK_INT(F->completed, done + 2);
}

/* Overlaps: the bytes that arrived first are kept. */
static void test_overlap(void)
{
	static uint8_t alt[PLEN], want[PLEN];
	struct frag fr[3], ov;
	struct pkt w;

	memcpy(alt, payload, PLEN);
	for (int i = 1000; i < PLEN; i++)
		alt[i] ^= 0x5a;
	three(fr, 4, 10, payload);
	/* [1496, 2496) with other bytes, sent after [1000,2000) and before
	 * [2000,3000): its first half loses, its second half wins. */
	frag4(&ov, 4, 10, 1496, 1000, 1, alt);
	CHECK_INT(add(&fr[0], 5 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 5 * SEC, &w), 0);
	CHECK_INT(add(&ov, 5 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 5 * SEC, &w), 1);
	memcpy(want, payload, PLEN);
	memcpy(want + 2000, alt + 2000, 496);
	check_whole4(&w, want);

	/* A fragment wholly inside data already held changes nothing */
	three(fr, 5, 10, payload);
	frag4(&ov, 5, 10, 1200, 400, 1, alt);
	CHECK_INT(add(&fr[1], 6 * SEC, &w), 0);
	CHECK_INT(add(&ov, 6 * SEC, &w), 0);
	CHECK_INT(add(&fr[0], 6 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 6 * SEC, &w), 1);
	check_whole4(&w, payload);

	/* Two different "last" fragments: the second is refused */
	three(fr, 6, 10, payload);
	frag4(&ov, 6, 10, 2000, 800, 0, payload);
	CHECK_INT(add(&fr[2], 7 * SEC, &w), 0);
	CHECK(add(&ov, 7 * SEC, &w) < 0);
	CHECK_INT(add(&fr[0], 7 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 7 * SEC, &w), 1);
	check_whole4(&w, payload);
}

static void test_incomplete_and_stale(void)
{
	struct frag fr[3];
	struct pkt w;
	uint64_t done = F->completed, expired = F->expired;

	/* Never completes: no output */
	three(fr, 7, 11, payload);
	CHECK_INT(add(&fr[0], 8 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 8 * SEC, &w), 0);
	CHECK_INT(F->completed, done);
	/* Far later another datagram comes; the stale one is expired */
	three(fr, 8, 11, payload);
	CHECK_INT(add(&fr[0], 100 * SEC, &w), 0);
	CHECK(F->expired > expired);
	/* ... and the stale one's missing piece no longer completes it */
	three(fr, 7, 11, payload);
	CHECK_INT(add(&fr[1], 100 * SEC, &w), 0);
	CHECK_INT(F->completed, done);

	/* A datagram whose first fragments are older than the timeout and
	 * whose last arrives late must not be completed from stale pieces,
	 * even when nothing else came in between. */
	three(fr, 9, 12, payload);
	CHECK_INT(add(&fr[0], 200 * SEC, &w), 0);
	CHECK_INT(add(&fr[1], 200 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 260 * SEC, &w), 0);
	CHECK_INT(F->completed, done);
}

static void test_ipv6(void)
{
	struct frag fr[3];
	struct pkt w;

	frag6(&fr[0], 0xdeadbeef, 0, 1000, 1, payload);
	frag6(&fr[1], 0xdeadbeef, 1000, 1000, 1, payload);
	frag6(&fr[2], 0xdeadbeef, 2000, 1000, 0, payload);
	CHECK_INT(add(&fr[1], 300 * SEC, &w), 0);
	CHECK_INT(add(&fr[2], 300 * SEC, &w), 0);
	CHECK_INT(add(&fr[0], 300 * SEC, &w), 1);
	CHECK_INT(w.ipver, 6);
	CHECK_INT(w.proto, 17);
	CHECK(!w.frag);
	CHECK_INT(w.ip_len, 40 + PLEN);
	CHECK_INT(w.sport, 40000);
	CHECK_INT(w.dport, 53);
	CHECK_INT(w.payload_len, PLEN - 8);
	CHECK(!memcmp(w.payload, payload + 8, PLEN - 8));
	CHECK_INT(w.l3[6], 17); /* the fragment header is gone */
	/* Same id, other direction (addresses swapped): a separate datagram */
	frag6(&fr[0], 0xdeadbeef, 0, 1000, 1, payload);
	CHECK_INT(add(&fr[0], 301 * SEC, &w), 0);
	frag6(&fr[1], 0xdeadbeef, 1000, 2000, 0, payload);
	memcpy(fr[1].b + 8, fr[0].b + 24, 16);
	memcpy(fr[1].b + 24, fr[0].b + 8, 16);
	CHECK_INT(add(&fr[1], 301 * SEC, &w), 0);
}

static void test_bounds(void)
{
	struct frag fr;
	struct pkt p, w;
	uint64_t dropped = F->dropped;
	int n = IPFRAG_MAX_PENDING + 44;

	/* First fragments of more datagrams than the table holds */
	for (int i = 0; i < n; i++) {
		frag4(&fr, (uint16_t)(1000 + i), 20, 0, 1000, 1, payload);
		CHECK_INT(add(&fr, 400 * SEC + (uint64_t)i, &w), 0);
	}
	CHECK_INT(F->dropped - dropped, n - IPFRAG_MAX_PENDING);
	/* The newest ones are still there and complete */
	frag4(&fr, (uint16_t)(1000 + n - 1), 20, 1000, 2000, 0, payload);
	CHECK_INT(add(&fr, 401 * SEC, &w), 1);
	check_whole4(&w, payload);
	/* The oldest was dropped: its rest alone does not complete */
	frag4(&fr, 1000, 20, 1000, 2000, 0, payload);
	CHECK_INT(add(&fr, 401 * SEC, &w), 0);

	/* A fragment that would end past 65535 bytes is refused */
	frag4(&fr, 77, 21, 0, 1000, 1, payload);
	memset(&p, 0, sizeof(p));
	CHECK_INT(decode_ip(fr.b, fr.len, &p), DECODE_FRAGMENT);
	p.frag_off = 0x1fff * 8;
	CHECK(ipfrag_add(F, &p, 402 * SEC, &w) < 0);
}

int main(void)
{
	F = malloc(sizeof(*F));
	CHECK_INT(ipfrag_init(F, 30 * SEC), 0);
	make_payload();
	test_in_order();
	test_reverse_and_duplicate();
	test_overlap();
	test_incomplete_and_stale();
	test_ipv6();
	test_bounds();
	ipfrag_free(F);
	free(F);
	return T_DONE();
}
