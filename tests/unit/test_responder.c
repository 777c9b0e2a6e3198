/* Unit tests for sensor/responder: the SYN+ACK for SYNs of every common
 * shape, IPv4 and IPv6, over Ethernet (with VLAN tags) and raw IP.
 * Checksums are recomputed here and, when tshark is installed, checked by
 * tshark on a pcap of every frame. */
#include "sensor/responder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/pcapfmt.h"
#include "t.h"

static const uint8_t MAC_US[6] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
static const uint8_t MAC_PEER[6] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x99};
static const struct siphash_key KEY = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

enum { O_MSS = 1, O_SACK = 2, O_TS = 4, O_WS = 8 };

struct syn_spec {
	int v6;
	int vlan; /* 0, 1 (802.1Q) or 2 (QinQ) */
	int raw;  /* no link header */
	int opts; /* O_* */
	uint8_t flags;
	uint16_t sport, dport;
	uint32_t seq, tsval;
	uint8_t src_last; /* last byte of the client address */
};

/* pcaps of every frame built, checked by tshark at the end */
static FILE *pcap_eth, *pcap_raw;
static char path_eth[64], path_raw[64];
static int n_eth, n_raw;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* Ones' complement sum, written here independently of responder_csum. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Fills the IPv4/IPv6 header and TCP checksums of an IP datagram. */
static void fix_csums(uint8_t *ip)
{
	uint8_t ph[40];
	size_t alen, tcplen, iphl;
	uint32_t s;

	if ((ip[0] >> 4) == 4) {
		iphl = 20, alen = 4, tcplen = rd16(ip + 2) - 20u;
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
		memcpy(ph, ip + 12, 8);
	} else {
		iphl = 40, alen = 16, tcplen = rd16(ip + 4);
		memcpy(ph, ip + 8, 32);
	}
	put16(ip + iphl + 16, 0);
	s = sum16(ph, 2 * alen, 6 + (uint32_t)tcplen);
	put16(ip + iphl + 16, (uint16_t)~fold(sum16(ip + iphl, tcplen, s)));
}

/* Both checksums of an IP datagram verify (fold to 0xffff). */
static int csums_ok(const uint8_t *ip)
{
	size_t iphl = (ip[0] >> 4) == 4 ? 20 : 40, tcplen;
	uint32_t s;

	if (iphl == 20) {
		if (fold(sum16(ip, 20, 0)) != 0xffff)
			return 0;
		tcplen = rd16(ip + 2) - 20u;
		s = sum16(ip + 12, 8, 6 + (uint32_t)tcplen);
	} else {
		tcplen = rd16(ip + 4);
		s = sum16(ip + 8, 32, 6 + (uint32_t)tcplen);
	}
	return fold(sum16(ip + iphl, tcplen, s)) == 0xffff;
}

static void pcap_add(FILE *f, const uint8_t *b, size_t n, int *count)
{
	uint8_t rec[PCAPFMT_REC_HDR_LEN];

	if (!f)
		return;
	pcapfmt_record_header(rec, 1700000000000000ull + (uint64_t)*count * 1000, (uint32_t)n,
			      (uint32_t)n);
	fwrite(rec, 1, sizeof(rec), f);
	fwrite(b, 1, n, f);
	(*count)++;
}

static void record(const struct syn_spec *s, const uint8_t *b, size_t n)
{
	if (s->raw)
		pcap_add(pcap_raw, b, n, &n_raw);
	else
		pcap_add(pcap_eth, b, n, &n_eth);
}

/* Builds the SYN described by s into b; returns its length. */
static size_t build_syn(const struct syn_spec *s, uint8_t *b)
{
	size_t n = 0, ip, t, optlen = 0;
	uint8_t opts[40];

	if (!s->raw) {
		memcpy(b, MAC_US, 6), memcpy(b + 6, MAC_PEER, 6), n = 12;
		if (s->vlan == 2)
			put16(b + n, 0x88a8), put16(b + n + 2, 300), n += 4;
		if (s->vlan >= 1)
			put16(b + n, 0x8100), put16(b + n + 2, 0x2000 | 42), n += 4;
		put16(b + n, s->v6 ? 0x86dd : 0x0800), n += 2;
	}
	/* Options in the order Linux clients send them */
	if (s->opts & O_MSS)
		opts[optlen++] = 2, opts[optlen++] = 4, put16(opts + optlen, 1460), optlen += 2;
	if ((s->opts & O_SACK) && (s->opts & O_TS))
		opts[optlen++] = 4, opts[optlen++] = 2;
	else if (s->opts & O_SACK)
		opts[optlen++] = 1, opts[optlen++] = 1, opts[optlen++] = 4, opts[optlen++] = 2;
	if (s->opts & O_TS) {
		if (!(s->opts & O_SACK))
			opts[optlen++] = 1, opts[optlen++] = 1;
		opts[optlen++] = 8, opts[optlen++] = 10;
		put32(opts + optlen, s->tsval), put32(opts + optlen + 4, 0), optlen += 8;
	}
	if (s->opts & O_WS)
		opts[optlen++] = 1, opts[optlen++] = 3, opts[optlen++] = 3, opts[optlen++] = 7;
	ip = n;
	if (!s->v6) {
		memset(b + ip, 0, 20);
		b[ip] = 0x45;
		put16(b + ip + 2, (uint16_t)(20 + 20 + optlen));
		put16(b + ip + 4, 0x4d2);
		put16(b + ip + 6, 0x4000);
		b[ip + 8] = 52, b[ip + 9] = 6;
		b[ip + 12] = 198, b[ip + 13] = 51, b[ip + 14] = 100, b[ip + 15] = s->src_last;
		b[ip + 16] = 192, b[ip + 17] = 0, b[ip + 18] = 2, b[ip + 19] = 10;
		t = ip + 20;
	} else {
		memset(b + ip, 0, 40);
		b[ip] = 0x60;
		put16(b + ip + 4, (uint16_t)(20 + optlen));
		b[ip + 6] = 6, b[ip + 7] = 52;
		inet_pton(AF_INET6, "2001:db8:aa::", b + ip + 8);
		b[ip + 23] = s->src_last;
		inet_pton(AF_INET6, "2001:db8:bb::10", b + ip + 24);
		t = ip + 40;
	}
	memset(b + t, 0, 20);
	put16(b + t, s->sport);
	put16(b + t + 2, s->dport);
	put32(b + t + 4, s->seq);
	b[t + 12] = (uint8_t)(((20 + optlen) / 4) << 4);
	b[t + 13] = s->flags;
	put16(b + t + 14, 64240);
	memcpy(b + t + 20, opts, optlen);
	fix_csums(b + ip);
	return t + 20 + optlen;
}

static int dlt_of(const struct syn_spec *s)
{
	return s->raw ? DECODE_LINKTYPE_RAW : DECODE_DLT_EN10MB;
}

/* Builds and decodes the SYN, then builds our reply into out. */
static int reply(const struct responder *r, const struct syn_spec *s, uint8_t *syn, size_t *synlen,
		 struct pkt *p, uint8_t *out)
{
	*synlen = build_syn(s, syn);
	record(s, syn, *synlen);
	if (decode_packet(dlt_of(s), syn, (uint32_t)*synlen, p) != DECODE_OK)
		return -1000;
	return responder_synack(r, dlt_of(s), p, out, RESPONDER_MAX_FRAME);
}

/* The options we expect after MSS, for what the SYN offered. */
static size_t want_opts(const struct syn_spec *s, uint8_t *w, uint32_t our_tsval)
{
	size_t n = 0;

	w[n++] = 2, w[n++] = 4, put16(w + n, s->v6 ? 1440 : 1460), n += 2;
	if (s->opts & O_TS) {
		if (s->opts & O_SACK)
			w[n++] = 4, w[n++] = 2;
		else
			w[n++] = 1, w[n++] = 1;
		w[n++] = 8, w[n++] = 10;
		put32(w + n, our_tsval), put32(w + n + 4, s->tsval), n += 8;
	} else if (s->opts & O_SACK) {
		w[n++] = 1, w[n++] = 1, w[n++] = 4, w[n++] = 2;
	}
	if (s->opts & O_WS)
		w[n++] = 1, w[n++] = 3, w[n++] = 3, w[n++] = 7;
	return n;
}

static void check_synack(const struct responder *r, const struct syn_spec *s)
{
	uint8_t syn[160], out[RESPONDER_MAX_FRAME], wopts[40];
	size_t synlen, l2, iphl = s->v6 ? 40 : 20, wn;
	struct pkt p, q;
	const uint8_t *ip, *t;
	int n = reply(r, s, syn, &synlen, &p, out);

	printf("# v%d vlan %d raw %d opts %x flags %02x\n", s->v6 ? 6 : 4, s->vlan, s->raw, s->opts,
	       s->flags);
	CHECK(n > 0);
	if (n <= 0)
		return;
	record(s, out, (size_t)n);
	l2 = p.l2_len;
	CHECK_INT(l2, s->raw ? 0 : 14 + 4 * s->vlan);
	if (!s->raw) {
		CHECK(!memcmp(out, MAC_PEER, 6));	     /* to the sender */
		CHECK(!memcmp(out + 6, MAC_US, 6));	     /* from us */
		CHECK(!memcmp(out + 12, syn + 12, l2 - 12)); /* tags + type kept */
	}
	ip = out + l2;
	t = ip + iphl;
	CHECK(csums_ok(ip));
	if (!s->v6) {
		CHECK_INT(ip[0], 0x45);
		CHECK_INT(rd16(ip + 2), (size_t)n - l2);
		CHECK_INT(rd16(ip + 4), 0);	 /* IP ID 0 */
		CHECK_INT(rd16(ip + 6), 0x4000); /* DF */
		CHECK_INT(ip[8], 64);
		CHECK_INT(ip[9], 6);
		CHECK(!memcmp(ip + 12, syn + l2 + 16, 4) && !memcmp(ip + 16, syn + l2 + 12, 4));
	} else {
		CHECK_INT(ip[0] >> 4, 6);
		CHECK_INT(rd16(ip + 4), (size_t)n - l2 - 40);
		CHECK_INT(ip[6], 6);
		CHECK_INT(ip[7], 64);
		CHECK(!memcmp(ip + 8, syn + l2 + 24, 16) && !memcmp(ip + 24, syn + l2 + 8, 16));
	}
	CHECK_INT(rd16(t), s->dport);
	CHECK_INT(rd16(t + 2), s->sport);
	CHECK_INT(rd32(t + 4), responder_isn(r, &p));
	CHECK_INT(rd32(t + 8), s->seq + 1);
	if ((s->flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR))
		CHECK_INT(t[13], TCP_SYN | TCP_ACK | TCP_ECE);
	else
		CHECK_INT(t[13], TCP_SYN | TCP_ACK);
	/* Linux: 65535 rounded down to a multiple of the MSS, less 12 bytes when
	 * timestamps were negotiated (1460 -> 64240, 1448 -> 65160; 1440 ->
	 * 64800, 1428 -> 64260). */
	if (s->opts & O_TS)
		CHECK_INT(rd16(t + 14), s->v6 ? 64260 : 65160);
	else
		CHECK_INT(rd16(t + 14), s->v6 ? 64800 : 64240);
	CHECK_INT(rd16(t + 18), 0); /* urgent pointer */
	wn = want_opts(s, wopts, (s->opts & O_TS) ? rd32(t + 20 + 8) : 0);
	CHECK_INT((t[12] >> 4) * 4, 20 + wn);
	CHECK_INT((size_t)n, l2 + iphl + 20 + wn);
	CHECK(!memcmp(t + 20, wopts, wn));
	if (s->opts & O_TS)
		CHECK_INT(rd32(t + 20 + 12), s->tsval); /* TSecr echoes TSval */
	/* Never larger than the SYN plus 40 bytes */
	CHECK((size_t)n <= synlen + 40);
	/* The reply decodes as the mirror of the SYN */
	CHECK_INT(decode_packet(dlt_of(s), out, (uint32_t)n, &q), DECODE_OK);
	CHECK(q.sport == p.dport && q.dport == p.sport);
	CHECK(!memcmp(q.src.b, p.dst.b, 16) && !memcmp(q.dst.b, p.src.b, 16));
	CHECK_INT(q.payload_len, 0);
	CHECK(!responder_is_syn(&q));
}

static void test_shapes(const struct responder *r)
{
	static const int opts[] = {O_MSS | O_SACK | O_TS | O_WS,
				   0,
				   O_MSS,
				   O_MSS | O_SACK,
				   O_MSS | O_TS,
				   O_MSS | O_SACK | O_WS,
				   O_MSS | O_TS | O_WS,
				   O_SACK | O_TS};
	struct syn_spec s = {.flags = TCP_SYN,
			     .sport = 51234,
			     .dport = 22,
			     .seq = 0xfffffff0u,
			     .tsval = 0x01020304,
			     .src_last = 7};

	for (int v6 = 0; v6 <= 1; v6++)
		for (int link = 0; link < 4; link++)
			for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
				s.v6 = v6;
				s.raw = link == 3;
				s.vlan = link < 3 ? link : 0;
				s.opts = opts[i];
				s.flags = TCP_SYN;
				check_synack(r, &s);
			}
	/* ECN setup SYN (ECE+CWR), and ECE alone (not an ECN request) */
	s.opts = O_MSS | O_SACK | O_TS | O_WS;
	for (int v6 = 0; v6 <= 1; v6++) {
		s.v6 = v6, s.raw = 0, s.vlan = 0;
		s.flags = TCP_SYN | TCP_ECE | TCP_CWR;
		check_synack(r, &s);
		s.flags = TCP_SYN | TCP_ECE;
		check_synack(r, &s);
	}
	/* masscan: no options, seq wraps */
	s.flags = TCP_SYN, s.opts = 0, s.seq = 0xffffffffu, s.v6 = 0;
	check_synack(r, &s);
}

static void test_isn(void)
{
	struct responder r1, r2, rr;
	struct siphash_key k2 = {1, 2};
	struct syn_spec s = {.flags = TCP_SYN,
			     .sport = 40000,
			     .dport = 80,
			     .seq = 1000,
			     .tsval = 77,
			     .src_last = 9,
			     .opts = O_MSS | O_SACK | O_TS | O_WS};
	uint8_t syn[160], a[RESPONDER_MAX_FRAME], b[RESPONDER_MAX_FRAME];
	size_t synlen;
	struct pkt p;
	int na, nb;
	uint32_t isn;

	CHECK_INT(responder_init(&r1, &KEY), 0);
	CHECK_INT(responder_init(&r2, &k2), 0);
	CHECK_INT(responder_init(&rr, NULL), 0);
	CHECK_INT(r1.mss4, 1460);
	CHECK_INT(r1.mss6, 1440);
	CHECK_INT(r1.wscale, 7);
	for (int v6 = 0; v6 <= 1; v6++) {
		s.v6 = v6;
		/* Retransmitted SYN (other IP ID, TTL): byte-identical reply */
		na = reply(&r1, &s, syn, &synlen, &p, a);
		isn = responder_isn(&r1, &p);
		if (!v6)
			put16(syn + 14 + 4, 0x9999), syn[14 + 8] = 33, fix_csums(syn + 14);
		else
			syn[14 + 7] = 33;
		CHECK_INT(decode_packet(DECODE_DLT_EN10MB, syn, (uint32_t)synlen, &p), DECODE_OK);
		nb = responder_synack(&r1, DECODE_DLT_EN10MB, &p, b, sizeof(b));
		CHECK(na > 0 && na == nb && !memcmp(a, b, (size_t)na));
		/* Another secret, another ISN; a random secret differs too */
		CHECK(responder_isn(&r2, &p) != isn);
		CHECK(responder_isn(&rr, &p) != isn);
		/* Another tuple: each part of it matters */
		s.sport++;
		reply(&r1, &s, syn, &synlen, &p, b);
		CHECK(responder_isn(&r1, &p) != isn);
		s.sport--, s.dport++;
		reply(&r1, &s, syn, &synlen, &p, b);
		CHECK(responder_isn(&r1, &p) != isn);
		s.dport--, s.src_last++;
		reply(&r1, &s, syn, &synlen, &p, b);
		CHECK(responder_isn(&r1, &p) != isn);
		s.src_last--;
		/* The reverse direction (as seen in our own reply) hashes apart */
		reply(&r1, &s, syn, &synlen, &p, a);
		{
			struct pkt q;
			decode_packet(DECODE_DLT_EN10MB, a, (uint32_t)na, &q);
			CHECK(responder_isn(&r1, &q) != isn);
		}
		/* Same tuple and secret in another responder instance: same ISN */
		{
			struct responder r3;
			responder_init(&r3, &KEY);
			CHECK_INT(responder_isn(&r3, &p), isn);
		}
	}
}

/* Builds the client's ACK of our SYN+ACK with the given ack number. */
static void test_handshake_ack(const struct responder *r)
{
	struct syn_spec s = {.flags = TCP_SYN,
			     .sport = 40001,
			     .dport = 443,
			     .seq = 5000,
			     .src_last = 3,
			     .opts = O_MSS};
	uint8_t syn[160], out[RESPONDER_MAX_FRAME];
	size_t synlen;
	struct pkt p;
	uint32_t isn;

	for (int v6 = 0; v6 <= 1; v6++) {
		s.v6 = v6, s.raw = v6; /* raw IP for IPv6, Ethernet for IPv4 */
		CHECK(reply(r, &s, syn, &synlen, &p, out) > 0);
		CHECK(responder_is_syn(&p));
		CHECK(!responder_is_handshake_ack(r, &p));
		isn = responder_isn(r, &p);
		p.tcp_flags = TCP_ACK;
		p.seq = s.seq + 1;
		p.ack = isn + 1;
		CHECK(responder_is_handshake_ack(r, &p));
		CHECK(!responder_is_syn(&p));
		p.tcp_flags = TCP_ACK | TCP_PSH; /* ACK with the first data */
		CHECK(responder_is_handshake_ack(r, &p));
		p.tcp_flags = TCP_ACK;
		p.ack = isn;
		CHECK(!responder_is_handshake_ack(r, &p));
		p.ack = isn + 2;
		CHECK(!responder_is_handshake_ack(r, &p));
		p.ack = isn + 1;
		p.tcp_flags = TCP_ACK | TCP_RST;
		CHECK(!responder_is_handshake_ack(r, &p));
		p.tcp_flags = TCP_ACK | TCP_SYN;
		CHECK(!responder_is_handshake_ack(r, &p));
		p.tcp_flags = TCP_ACK;
		p.sport++; /* another connection */
		CHECK(!responder_is_handshake_ack(r, &p));
		p.sport--;
		p.proto = 17;
		CHECK(!responder_is_handshake_ack(r, &p));
		p.proto = 6;
		/* is_syn: SYN alone, or with ECE/CWR/PSH; never with ACK/RST/FIN */
		p.tcp_flags = TCP_SYN | TCP_ECE | TCP_CWR;
		CHECK(responder_is_syn(&p));
		p.tcp_flags = TCP_SYN | TCP_FIN;
		CHECK(!responder_is_syn(&p));
		p.tcp_flags = TCP_SYN | TCP_RST;
		CHECK(!responder_is_syn(&p));
		p.tcp_flags = TCP_SYN | TCP_ACK;
		CHECK(!responder_is_syn(&p));
	}
}

static void test_errors(const struct responder *r)
{
	struct syn_spec s = {.flags = TCP_SYN, .sport = 1, .dport = 2, .src_last = 1, .opts = 0};
	uint8_t syn[160], out[RESPONDER_MAX_FRAME];
	size_t synlen;
	struct pkt p;

	synlen = build_syn(&s, syn);
	CHECK_INT(decode_packet(DECODE_DLT_EN10MB, syn, (uint32_t)synlen, &p), DECODE_OK);
	CHECK_INT(responder_synack(r, DECODE_DLT_EN10MB, &p, out, 40), -ENOSPC);
	CHECK(responder_synack(r, DECODE_DLT_LINUX_SLL, &p, out, sizeof(out)) < 0);
	CHECK(responder_synack(r, DECODE_DLT_NULL, &p, out, sizeof(out)) < 0);
	/* Garbage options: the walk stops, the reply still has MSS only */
	{
		static const uint8_t bad_opts[][8] = {
		    {2, 0, 1, 1, 1, 1, 1, 1},  /* length 0 */
		    {8, 40, 0, 0, 0, 0, 0, 0}, /* runs past the end */
		    {1, 1, 1, 1, 1, 1, 1, 2},  /* kind without length at the end */
		    {3, 4, 7, 0, 4, 1, 0, 0},  /* WS with the wrong length */
		};
		for (size_t i = 0; i < 4; i++) {
			size_t t = 14 + 20;
			int n;
			s.opts = 0;
			synlen = build_syn(&s, syn);
			syn[t + 12] = 7 << 4;
			memcpy(syn + t + 20, bad_opts[i], 8);
			put16(syn + 14 + 2, 20 + 28);
			synlen += 8;
			fix_csums(syn + 14);
			CHECK_INT(decode_packet(DECODE_DLT_EN10MB, syn, (uint32_t)synlen, &p),
				  DECODE_OK);
			n = responder_synack(r, DECODE_DLT_EN10MB, &p, out, sizeof(out));
			CHECK_INT(n, 14 + 20 + 24);
			CHECK(n > 0 && csums_ok(out + 14));
		}
	}
	CHECK_INT(responder_csum("\x45\x00", 2, 0), (uint16_t)~0x4500);
	CHECK_INT(responder_csum("\xff", 1, 0), (uint16_t)~0xff00);
}

/* Independent check: tshark verifies every IP and TCP checksum. */
static void tshark_check(const char *path, int count)
{
	char cmd[512], line[256];
	FILE *f;
	int lines = 0, good = 0;

	snprintf(cmd, sizeof(cmd),
		 "tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r %s "
		 "-Y 'ip.checksum.status != 1 || tcp.checksum.status != 1 || "
		 "ip.checksum.status == 0 || ip.checksum.status == 2 || "
		 "tcp.checksum.status == 0 || tcp.checksum.status == 2' 2>/dev/null",
		 path);
	f = popen(cmd, "r");
	if (!f) {
		CHECK(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		printf("# tshark bad checksum: %s", line);
		lines++;
	}
	CHECK_INT(pclose(f), 0);
	CHECK_INT(lines, 0);
	snprintf(cmd, sizeof(cmd),
		 "tshark -o tcp.check_checksum:TRUE -r %s -Y 'tcp.checksum.status == 1' "
		 "2>/dev/null | wc -l",
		 path);
	f = popen(cmd, "r");
	if (f && fgets(line, sizeof(line), f))
		good = atoi(line);
	if (f)
		pclose(f);
	printf("# tshark: %d of %d frames in %s with a good TCP checksum\n", good, count, path);
	CHECK_INT(good, count);
}

static FILE *open_pcap(char *path, uint32_t linktype)
{
	uint8_t h[PCAPFMT_FILE_HDR_LEN];
	int fd;
	FILE *f;

	strcpy(path, "/tmp/mitsu-test-responder-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "wb")))
		return NULL;
	pcapfmt_file_header(h, linktype, 65535);
	fwrite(h, 1, sizeof(h), f);
	return f;
}

int main(void)
{
	struct responder r;
	int have_tshark = system("command -v tshark >/dev/null 2>&1") == 0;

	pcap_eth = open_pcap(path_eth, 1);
	pcap_raw = open_pcap(path_raw, 101);
	CHECK(pcap_eth && pcap_raw);
	CHECK_INT(responder_init(&r, &KEY), 0);
	test_shapes(&r);
	test_isn();
	test_handshake_ack(&r);
	test_errors(&r);
	if (pcap_eth)
		fclose(pcap_eth);
	if (pcap_raw)
		fclose(pcap_raw);
	if (have_tshark) {
		tshark_check(path_eth, n_eth);
		tshark_check(path_raw, n_raw);
	} else {
		printf("# skip: tshark not installed, checksums only checked in-test\n");
	}
	unlink(path_eth);
	unlink(path_raw);
	return T_DONE();
}
