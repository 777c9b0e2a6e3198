/* Unit tests for analyze/decode: hand-built frames for every supported link
 * type, IPv4/IPv6 (extension headers, fragments), TCP/UDP/ICMP/ICMPv6, and
 * truncation at every length.  Each truncated frame is decoded from a heap
 * copy of exactly caplen bytes, so that ASan catches any over-read. */
#include "analyze/decode.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

static const uint8_t MAC_DST[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t MAC_SRC[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t IP4_SRC[4] = {198, 51, 100, 7};
static const uint8_t IP4_DST[4] = {203, 0, 113, 9};
static uint8_t IP6_SRC[16], IP6_DST[16];

/* A SYN's options as a current Linux client sends them. */
static const uint8_t SYN_OPTS[20] = {2,	   4,	 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				     0x12, 0x34, 0,    0,    0, 0, 1, 3,  3, 7};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v);
}

static size_t eth(uint8_t *b, uint16_t type)
{
	memcpy(b, MAC_DST, 6);
	memcpy(b + 6, MAC_SRC, 6);
	put16(b + 12, type);
	return 14;
}

/* IPv4 header (no options) for a datagram of 20 + plen bytes. */
static size_t ip4(uint8_t *b, uint8_t proto, uint16_t plen, uint16_t id, uint16_t fragword)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + plen));
	put16(b + 4, id);
	put16(b + 6, fragword);
	b[8] = 57;
	b[9] = proto;
	memcpy(b + 12, IP4_SRC, 4);
	memcpy(b + 16, IP4_DST, 4);
	return 20;
}

static size_t ip6(uint8_t *b, uint8_t nh, uint16_t plen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, plen);
	b[6] = nh;
	b[7] = 51;
	memcpy(b + 8, IP6_SRC, 16);
	memcpy(b + 24, IP6_DST, 16);
	return 40;
}

static size_t tcp(uint8_t *b, uint8_t flags, const uint8_t *opts, size_t optlen)
{
	size_t hlen = 20 + optlen;

	memset(b, 0, 20);
	put16(b, 40001);
	put16(b + 2, 22);
	put32(b + 4, 0x11223344);
	put32(b + 8, flags & 0x10 ? 0x55667788 : 0);
	b[12] = (uint8_t)((hlen / 4) << 4);
	b[13] = flags;
	put16(b + 14, 64240);
	if (optlen)
		memcpy(b + 20, opts, optlen);
	return hlen;
}

static size_t udp(uint8_t *b, uint16_t plen)
{
	put16(b, 5353);
	put16(b + 2, 53);
	put16(b + 4, (uint16_t)(8 + plen));
	put16(b + 6, 0);
	return 8;
}

/* Ethernet + IPv4 + TCP SYN with options: 74 bytes. */
static size_t frame_eth4_syn(uint8_t *b)
{
	size_t n = eth(b, 0x0800);

	n += ip4(b + n, 6, 40, 0x1234, 0x4000);
	n += tcp(b + n, TCP_SYN, SYN_OPTS, sizeof(SYN_OPTS));
	return n;
}

/* Decodes a heap copy of exactly caplen bytes. */
static int decode_copy(int dlt, const uint8_t *f, uint32_t caplen, struct pkt *p, uint8_t **copy)
{
	*copy = malloc(caplen ? caplen : 1);
	memcpy(*copy, f, caplen);
	return decode_packet(dlt, *copy, caplen, p);
}

static void test_ethernet_tcp(void)
{
	uint8_t f[128];
	struct pkt p;
	size_t n = frame_eth4_syn(f);

	CHECK_INT(n, 74);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_OK);
	CHECK(p.frame == f);
	CHECK_INT(p.l2_len, 14);
	CHECK(p.l3 == f + 14);
	CHECK_INT(p.ipver, 4);
	CHECK_INT(p.ip_len, 60);
	CHECK_INT(p.l3_len, 60);
	CHECK_INT(p.proto, 6);
	CHECK_INT(p.ttl, 57);
	CHECK_INT(p.ip_id, 0x1234);
	CHECK(p.df);
	CHECK(!p.frag);
	CHECK_INT(p.src.family, AF_INET);
	CHECK(!memcmp(p.src.b, IP4_SRC, 4) && !memcmp(p.dst.b, IP4_DST, 4));
	CHECK(p.l4 == f + 34);
	CHECK_INT(p.l4_len, 40);
	CHECK_INT(p.sport, 40001);
	CHECK_INT(p.dport, 22);
	CHECK_INT(p.seq, 0x11223344);
	CHECK_INT(p.ack, 0);
	CHECK_INT(p.tcp_flags, TCP_SYN);
	CHECK_INT(p.win, 64240);
	CHECK_INT(p.tcp_optlen, 20);
	CHECK(p.tcp_opts == f + 54);
	CHECK(!memcmp(p.tcp_opts, SYN_OPTS, 20));
	CHECK_INT(p.payload_len, 0);
	CHECK_INT(p.payload_wire, 0);
	CHECK(p.payload == f + 74);
}

static void test_tcp_payload(void)
{
	uint8_t f[128];
	struct pkt p;
	size_t n = eth(f, 0x0800);

	n += ip4(f + n, 6, 20 + 5, 1, 0);
	n += tcp(f + n, TCP_PSH | TCP_ACK, NULL, 0);
	memcpy(f + n, "hello", 5), n += 5;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.tcp_flags, TCP_PSH | TCP_ACK);
	CHECK_INT(p.ack, 0x55667788);
	CHECK(!p.df);
	CHECK_INT(p.payload_len, 5);
	CHECK_INT(p.payload_wire, 5);
	CHECK(p.payload && !memcmp(p.payload, "hello", 5));
	/* Captured short of the payload: still OK, wire length kept. */
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n - 3, &p), DECODE_OK);
	CHECK_INT(p.payload_len, 2);
	CHECK_INT(p.payload_wire, 5);
}

/* Writes one TCP SYN behind the given link header; returns the frame. */
static size_t with_link(uint8_t *f, const uint8_t *lhdr, size_t llen)
{
	memcpy(f, lhdr, llen);
	ip4(f + llen, 6, 20, 7, 0x4000);
	tcp(f + llen + 20, TCP_SYN, NULL, 0);
	return llen + 40;
}

static void check_link(int dlt, const uint8_t *lhdr, size_t llen, int want_l2)
{
	uint8_t f[128];
	struct pkt p;
	size_t n = with_link(f, lhdr, llen);
	int st = decode_packet(dlt, f, (uint32_t)n, &p);

	CHECK_INT(st, DECODE_OK);
	CHECK_INT(p.l2_len, want_l2);
	CHECK_INT(p.ipver, 4);
	CHECK_INT(p.sport, 40001);
	CHECK_INT(p.tcp_flags, TCP_SYN);
}

static void test_links(void)
{
	uint8_t h[32];
	uint32_t fam;

	/* 802.1Q */
	memcpy(h, MAC_DST, 6), memcpy(h + 6, MAC_SRC, 6);
	put16(h + 12, 0x8100), put16(h + 14, 100), put16(h + 16, 0x0800);
	check_link(DECODE_DLT_EN10MB, h, 18, 18);
	/* QinQ: 802.1ad outer, 802.1Q inner */
	put16(h + 12, 0x88a8), put16(h + 14, 200), put16(h + 16, 0x8100), put16(h + 18, 100);
	put16(h + 20, 0x0800);
	check_link(DECODE_DLT_EN10MB, h, 22, 22);
	/* Old-style 0x9100 QinQ */
	put16(h + 12, 0x9100);
	check_link(DECODE_DLT_EN10MB, h, 22, 22);
	/* Linux cooked v1: packet type, ARPHRD, addr len, addr[8], protocol */
	memset(h, 0, 16);
	put16(h, 0), put16(h + 2, 1), put16(h + 4, 6), memcpy(h + 6, MAC_SRC, 6);
	put16(h + 14, 0x0800);
	check_link(DECODE_DLT_LINUX_SLL, h, 16, 16);
	/* Linux cooked v2: protocol first, 20 bytes */
	memset(h, 0, 20);
	put16(h, 0x0800), put32(h + 4, 2), put16(h + 8, 1), h[10] = 0, h[11] = 6;
	memcpy(h + 12, MAC_SRC, 6);
	check_link(DECODE_DLT_LINUX_SLL2, h, 20, 20);
	/* Raw IP under every number it goes by */
	check_link(DECODE_DLT_RAW, h, 0, 0);
	check_link(DECODE_DLT_RAW_ALT, h, 0, 0);
	check_link(DECODE_LINKTYPE_RAW, h, 0, 0);
	check_link(DECODE_DLT_IPV4, h, 0, 0);
	/* BSD null: AF_INET in the writer's (here: our) byte order */
	fam = 2;
	memcpy(h, &fam, 4);
	check_link(DECODE_DLT_NULL, h, 4, 4);
	/* ... also when written by a host of the other byte order */
	put32(h, 2);
	check_link(DECODE_DLT_NULL, h, 4, 4);
	/* BSD loop: network order */
	put32(h, 2);
	check_link(DECODE_DLT_LOOP, h, 4, 4);
	CHECK(decode_link_supported(DECODE_DLT_EN10MB));
	CHECK(decode_link_supported(DECODE_DLT_LINUX_SLL2));
	CHECK(!decode_link_supported(9999));
	CHECK(!decode_link_supported(-1));
}

static void test_link_ipv6_and_others(void)
{
	uint8_t f[128], h[8];
	struct pkt p;
	size_t n;
	uint32_t fam;
	static const uint32_t v6fams[] = {10, 24, 28, 30};

	/* BSD null with each OS's AF_INET6, host order, carrying IPv6 */
	for (size_t i = 0; i < 4; i++) {
		fam = v6fams[i];
		memcpy(h, &fam, 4);
		memcpy(f, h, 4);
		n = 4 + ip6(f + 4, 6, 20);
		n += tcp(f + n, TCP_SYN, NULL, 0);
		CHECK_INT(decode_packet(DECODE_DLT_NULL, f, (uint32_t)n, &p), DECODE_OK);
		CHECK_INT(p.ipver, 6);
		CHECK_INT(p.l2_len, 4);
	}
	/* DLT_IPV6 raw */
	n = ip6(f, 6, 20);
	n += tcp(f + n, TCP_SYN, NULL, 0);
	CHECK_INT(decode_packet(DECODE_DLT_IPV6, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.ipver, 6);
	CHECK_INT(p.src.family, AF_INET6);
	CHECK(!memcmp(p.src.b, IP6_SRC, 16) && !memcmp(p.dst.b, IP6_DST, 16));
	CHECK_INT(p.ttl, 51);
	CHECK_INT(p.ip_len, 60);
	/* Not IP: ARP over Ethernet, an unknown BSD family, SLL with ARP */
	n = eth(f, 0x0806);
	memset(f + n, 0, 28), n += 28;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_NOT_IP);
	put32(f, 7);
	CHECK_INT(decode_packet(DECODE_DLT_LOOP, f, 40, &p), DECODE_NOT_IP);
	memset(f, 0, 16), put16(f + 14, 0x0806);
	CHECK_INT(decode_packet(DECODE_DLT_LINUX_SLL, f, 44, &p), DECODE_NOT_IP);
	memset(f, 0, 20), put16(f, 0x0806);
	CHECK_INT(decode_packet(DECODE_DLT_LINUX_SLL2, f, 48, &p), DECODE_NOT_IP);
	CHECK_INT(decode_packet(9999, f, 48, &p), DECODE_BAD_LINK);
	/* Five VLAN tags: more than we follow */
	memcpy(f, MAC_DST, 6), memcpy(f + 6, MAC_SRC, 6);
	for (int i = 0; i < 5; i++)
		put16(f + 12 + 4 * i, 0x8100), put16(f + 14 + 4 * i, 1);
	put16(f + 32, 0x0800);
	ip4(f + 34, 6, 20, 0, 0);
	tcp(f + 54, TCP_SYN, NULL, 0);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, 74, &p), DECODE_BAD_HEADER);
	/* Ethernet carrying IPv6 */
	n = eth(f, 0x86dd);
	n += ip6(f + n, 17, 8 + 3);
	n += udp(f + n, 3);
	memcpy(f + n, "abc", 3), n += 3;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.proto, 17);
	CHECK_INT(p.sport, 5353);
	CHECK_INT(p.dport, 53);
	CHECK_INT(p.payload_len, 3);
	CHECK(!memcmp(p.payload, "abc", 3));
}

static void test_ipv6_ext(void)
{
	uint8_t f[160];
	struct pkt p;
	size_t n = eth(f, 0x86dd), l3 = n, ext;

	n += ip6(f + n, 0, 8 + 16 + 20 + 4);
	/* hop-by-hop: next = dstopts, 8 bytes (PadN) */
	ext = n;
	f[n] = 60, f[n + 1] = 0, f[n + 2] = 1, f[n + 3] = 4, memset(f + n + 4, 0, 4), n += 8;
	/* destination options: next = TCP, 16 bytes */
	f[n] = 6, f[n + 1] = 1, f[n + 2] = 1, f[n + 3] = 12, memset(f + n + 4, 0, 12), n += 16;
	n += tcp(f + n, TCP_ACK | TCP_PSH, NULL, 0);
	memcpy(f + n, "ping", 4), n += 4;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.ipver, 6);
	CHECK_INT(p.proto, 6);
	CHECK(p.l4 == f + ext + 24);
	CHECK_INT(p.l4_len, 24);
	CHECK_INT(p.sport, 40001);
	CHECK_INT(p.payload_len, 4);
	CHECK_INT(p.payload_wire, 4);
	CHECK(!memcmp(p.payload, "ping", 4));
	CHECK_INT(p.ip_len, 40 + 48);
	/* Truncated inside the dstopts header */
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)(ext + 12), &p), DECODE_TRUNCATED);
	/* An ext header longer than the datagram */
	f[ext + 8 + 1] = 200;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_TRUNCATED);
	/* A chain of nine hop-by-hop style headers: too many */
	n = l3 + ip6(f + l3, 60, 9 * 8 + 20);
	for (int i = 0; i < 9; i++, n += 8)
		f[n] = 60, f[n + 1] = 0, memset(f + n + 2, 0, 6);
	n += tcp(f + n, TCP_SYN, NULL, 0);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_BAD_HEADER);
	/* No next header (59): not an error, no transport */
	n = l3 + ip6(f + l3, 59, 0);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.proto, 59);
	CHECK_INT(p.payload_len, 0);
}

static void test_udp_icmp(void)
{
	uint8_t f[128];
	struct pkt p;
	size_t n;

	n = ip4(f, 17, 8 + 4, 9, 0);
	n += udp(f + n, 4);
	memcpy(f + n, "\x12\x34\x01\x00", 4), n += 4;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.proto, 17);
	CHECK_INT(p.sport, 5353);
	CHECK_INT(p.dport, 53);
	CHECK_INT(p.payload_len, 4);
	CHECK(p.payload == f + 28);
	/* UDP header cut */
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, 27, &p), DECODE_TRUNCATED);

	n = ip4(f, 1, 8 + 8, 10, 0);
	f[n] = 8, f[n + 1] = 0, put16(f + n + 2, 0), put16(f + n + 4, 0x4242), put16(f + n + 6, 1);
	n += 8;
	memcpy(f + n, "abcdefgh", 8), n += 8;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.proto, 1);
	CHECK_INT(p.icmp_type, 8);
	CHECK_INT(p.icmp_code, 0);
	CHECK_INT(p.sport, 0);
	CHECK_INT(p.payload_len, 12); /* everything after type, code, checksum */
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, 23, &p), DECODE_TRUNCATED);

	n = ip6(f, 58, 8 + 4);
	f[n] = 128, f[n + 1] = 0, memset(f + n + 2, 0, 6), n += 8;
	memcpy(f + n, "echo", 4), n += 4;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.ipver, 6);
	CHECK_INT(p.proto, 58);
	CHECK_INT(p.icmp_type, 128);
	CHECK_INT(p.icmp_code, 0);
	CHECK_INT(p.payload_len, 8);
	/* ICMPv6 destination unreachable, code 4 */
	f[40] = 1, f[41] = 4;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.icmp_type, 1);
	CHECK_INT(p.icmp_code, 4);
	/* Another protocol (GRE): payload is everything after the IP header */
	n = ip4(f, 47, 8, 11, 0);
	memset(f + n, 0, 8), n += 8;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK_INT(p.proto, 47);
	CHECK_INT(p.payload_len, 8);
}

static void test_ipv4_fragments(void)
{
	uint8_t f[256];
	struct pkt p;
	size_t n;

	/* First fragment: MF, offset 0, carrying the UDP header and 24 bytes */
	n = eth(f, 0x0800);
	n += ip4(f + n, 17, 32, 0xbeef, 0x2000);
	n += udp(f + n, 100);
	memset(f + n, 'a', 24), n += 24;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_FRAGMENT);
	CHECK(p.frag);
	CHECK(p.frag_more);
	CHECK_INT(p.frag_off, 0);
	CHECK_INT(p.frag_id, 0xbeef);
	CHECK_INT(p.frag_len, 32);
	CHECK(p.frag_data == f + 34);
	CHECK_INT(p.proto, 17);
	CHECK_INT(p.sport, 0); /* ports are not read from fragments */
	/* Last fragment: offset 32 bytes (4 units), no MF, DF clear */
	n = eth(f, 0x0800);
	n += ip4(f + n, 17, 76, 0xbeef, 4);
	memset(f + n, 'b', 76), n += 76;
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_FRAGMENT);
	CHECK(p.frag);
	CHECK(!p.frag_more);
	CHECK_INT(p.frag_off, 32);
	CHECK_INT(p.frag_len, 76);
	CHECK(p.frag_data == f + 34);
	/* Middle fragment with the largest offset encodable */
	ip4(f + 14, 17, 76, 0xbeef, 0x2000 | 0x1fff);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_FRAGMENT);
	CHECK(p.frag_more);
	CHECK_INT(p.frag_off, 0x1fff * 8);
	/* DF alone is not a fragment */
	ip4(f + 14, 17, 76, 0xbeef, 0x4000);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, (uint32_t)n, &p), DECODE_OK);
	CHECK(!p.frag);
}

static void test_ipv6_fragments(void)
{
	uint8_t f[256];
	struct pkt p;
	size_t n;

	/* hop-by-hop then fragment header (first, M=1) then UDP */
	n = ip6(f, 0, 8 + 8 + 16);
	f[n] = 44, memset(f + n + 1, 0, 7), n += 8;
	f[n] = 17, f[n + 1] = 0, put16(f + n + 2, 0 | 1), put32(f + n + 4, 0xcafef00d), n += 8;
	n += udp(f + n, 8);
	memset(f + n, 'x', 8), n += 8;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_FRAGMENT);
	CHECK(p.frag && p.frag_more);
	CHECK_INT(p.frag_off, 0);
	CHECK_INT(p.frag_id, 0xcafef00d);
	CHECK_INT(p.proto, 17);
	CHECK(p.frag_data == f + 56);
	CHECK_INT(p.frag_len, 16);
	/* Non-first: offset 16 bytes (2 units in the top 13 bits), M=0 */
	n = ip6(f, 44, 8 + 8);
	f[n] = 17, f[n + 1] = 0, put16(f + n + 2, 2 << 3), put32(f + n + 4, 0xcafef00d), n += 8;
	memset(f + n, 'y', 8), n += 8;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_FRAGMENT);
	CHECK(p.frag && !p.frag_more);
	CHECK_INT(p.frag_off, 16);
	CHECK_INT(p.frag_len, 8);
	/* Atomic fragment (offset 0, M=0): a whole datagram */
	n = ip6(f, 44, 8 + 8 + 2);
	f[n] = 17, f[n + 1] = 0, put16(f + n + 2, 0), put32(f + n + 4, 1), n += 8;
	n += udp(f + n, 2);
	f[n++] = 'o', f[n++] = 'k';
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK(!p.frag);
	CHECK_INT(p.dport, 53);
	CHECK_INT(p.payload_len, 2);
	/* Fragment header cut short */
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, 44, &p), DECODE_TRUNCATED);
}

/* Every prefix of a frame decodes without reading past caplen; the status
 * is TRUNCATED until all headers are in, then OK. */
static void truncation_loop(int dlt, const uint8_t *f, uint32_t full, uint32_t hdrs,
			    const char *what)
{
	int bad = 0, bad_ok = 0;
	struct pkt p;

	for (uint32_t caplen = 0; caplen <= full; caplen++) {
		uint8_t *copy;
		int st = decode_copy(dlt, f, caplen, &p, &copy);

		if (caplen < hdrs && st != DECODE_TRUNCATED) {
			printf("# %s caplen %u: %s\n", what, caplen, decode_status_str(st));
			bad++;
		}
		if (caplen >= hdrs && (st != DECODE_OK || p.payload_len != caplen - hdrs)) {
			printf("# %s caplen %u: %s\n", what, caplen, decode_status_str(st));
			bad_ok++;
		}
		free(copy);
	}
	printf("# %s: %u lengths tried\n", what, full + 1);
	CHECK_INT(bad, 0);
	CHECK_INT(bad_ok, 0);
}

static void test_truncation(void)
{
	uint8_t f[256];
	size_t n;

	n = frame_eth4_syn(f);
	truncation_loop(DECODE_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, "eth/ipv4/tcp syn");
	/* With payload: complete headers at 74, payload grows after */
	n = eth(f, 0x8100);
	put16(f + 14, 5), put16(f + 16, 0x0800), n = 18;
	n += ip4(f + n, 6, 40 + 6, 1, 0x4000);
	n += tcp(f + n, TCP_ACK | TCP_PSH, SYN_OPTS, sizeof(SYN_OPTS));
	memcpy(f + n, "abcdef", 6), n += 6;
	truncation_loop(DECODE_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n - 6, "vlan/ipv4/tcp data");
	/* IPv6 with extension headers over SLL2 */
	memset(f, 0, 20), put16(f, 0x86dd), n = 20;
	n += ip6(f + n, 0, 8 + 8 + 40 + 3);
	f[n] = 60, memset(f + n + 1, 0, 7), n += 8;
	f[n] = 6, memset(f + n + 1, 0, 7), n += 8;
	n += tcp(f + n, TCP_SYN, SYN_OPTS, sizeof(SYN_OPTS));
	memcpy(f + n, "xyz", 3), n += 3;
	truncation_loop(DECODE_DLT_LINUX_SLL2, f, (uint32_t)n, (uint32_t)n - 3,
			"sll2/ipv6+ext/tcp");
	/* UDP over SLL */
	memset(f, 0, 16), put16(f + 14, 0x0800), n = 16;
	n += ip4(f + n, 17, 8 + 10, 1, 0);
	n += udp(f + n, 10);
	memset(f + n, 'u', 10), n += 10;
	truncation_loop(DECODE_DLT_LINUX_SLL, f, (uint32_t)n, (uint32_t)n - 10, "sll/ipv4/udp");
	/* ICMP over loop */
	put32(f, 2), n = 4;
	n += ip4(f + n, 1, 8, 1, 0);
	f[n] = 8, memset(f + n + 1, 0, 7), n += 8;
	truncation_loop(DECODE_DLT_LOOP, f, (uint32_t)n, (uint32_t)n - 4, "loop/ipv4/icmp");
}

static void test_bad_headers(void)
{
	uint8_t f[128];
	struct pkt p;
	size_t n;

	/* TCP data offset of 60 bytes in a 20-byte TCP header */
	n = ip4(f, 6, 20, 1, 0);
	n += tcp(f + n, TCP_SYN, NULL, 0);
	f[32] = 0xf0;
	{
		int st = decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p);
		CHECK(st == DECODE_TRUNCATED || st == DECODE_BAD_HEADER);
	}
	/* ... and past the captured bytes although the IP length claims more */
	put16(f + 2, 80);
	{
		int st = decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p);
		CHECK(st == DECODE_TRUNCATED);
	}
	/* Data offset below 5 */
	put16(f + 2, 40);
	f[32] = 0x40;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_BAD_HEADER);
	f[32] = 0x50;
	/* IHL below 5, total length below IHL, version 5, version 0 */
	f[0] = 0x44;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_BAD_HEADER);
	f[0] = 0x45, put16(f + 2, 19);
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_BAD_HEADER);
	put16(f + 2, 40), f[0] = 0x55;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_BAD_HEADER);
	f[0] = 0x05;
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_BAD_HEADER);
	/* IHL 15 with only 40 bytes captured */
	f[0] = 0x4f, put16(f + 2, 60);
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_TRUNCATED);
	/* IPv4 options (IHL 6): transport after 24 bytes */
	n = ip4(f, 6, 24, 1, 0);
	f[0] = 0x46;
	memset(f + 20, 1, 4); /* NOPs */
	n = 24 + tcp(f + 24, TCP_SYN, NULL, 0);
	CHECK_INT(decode_packet(DECODE_DLT_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK(p.l4 == f + 24);
	CHECK_INT(p.sport, 40001);
	for (int s = DECODE_OK; s <= DECODE_FRAGMENT; s++)
		CHECK(decode_status_str(s) && *decode_status_str(s));
	CHECK_STR(decode_status_str(1000), "?");
}

/* A 0-payload SYN padded to the Ethernet minimum of 60 bytes. */
static void test_ethernet_padding(void)
{
	uint8_t f[60];
	struct pkt p;
	size_t n = eth(f, 0x0800);

	n += ip4(f + n, 6, 20, 1, 0x4000);
	n += tcp(f + n, TCP_SYN, NULL, 0);
	CHECK_INT(n, 54);
	memset(f + n, 0xee, sizeof(f) - n);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, sizeof(f), &p), DECODE_OK);
	CHECK_INT(p.l3_len, 40);
	CHECK_INT(p.l4_len, 20);
	CHECK_INT(p.payload_len, 0);
	CHECK_INT(p.payload_wire, 0);
	/* The same with UDP and 2 bytes of payload (60 = 14 + 20 + 8 + 2 + 16) */
	n = eth(f, 0x0800);
	n += ip4(f + n, 17, 10, 1, 0);
	n += udp(f + n, 2);
	f[n++] = 'h', f[n++] = 'i';
	memset(f + n, 0, sizeof(f) - n);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, sizeof(f), &p), DECODE_OK);
	CHECK_INT(p.payload_len, 2);
	/* IPv6 padded too (a 40+8 byte datagram is over the minimum, but a
	 * capture may still carry trailer bytes) */
	n = eth(f, 0x86dd);
	n += ip6(f + n, 58, 4);
	f[n] = 135, memset(f + n + 1, 0, 3), n += 4;
	memset(f + n, 0xee, sizeof(f) - n);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, f, sizeof(f), &p), DECODE_OK);
	CHECK_INT(p.l3_len, 44);
	CHECK_INT(p.payload_len, 0);
}

int main(void)
{
	inet_pton(AF_INET6, "2001:db8::7", IP6_SRC);
	inet_pton(AF_INET6, "2001:db8:1::9", IP6_DST);
	test_ethernet_tcp();
	test_tcp_payload();
	test_links();
	test_link_ipv6_and_others();
	test_ipv6_ext();
	test_udp_icmp();
	test_ipv4_fragments();
	test_ipv6_fragments();
	test_truncation();
	test_bad_headers();
	test_ethernet_padding();
	return T_DONE();
}
