#include "sensor/responder.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_PERM 4
#define OPT_TS 8

struct syn_opts {
	bool mss, ws, sack, ts;
	uint32_t tsval;
};

int responder_init(struct responder *r, const struct siphash_key *secret)
{
	memset(r, 0, sizeof(*r));
	if (secret)
		r->secret = *secret;
	else if (getrandom(&r->secret, sizeof(r->secret), 0) != sizeof(r->secret))
		return -EIO;
	r->mss4 = 1460;
	r->mss6 = 1440;
	r->wscale = 7;
	return 0;
}

static uint64_t tuple_hash(const struct responder *r, const struct pkt *p, uint8_t salt)
{
	uint8_t buf[16 + 16 + 4 + 1];
	size_t alen = p->src.family == AF_INET6 ? 16 : 4, n = 0;

	memcpy(buf + n, p->src.b, alen), n += alen;
	memcpy(buf + n, p->dst.b, alen), n += alen;
	buf[n++] = (uint8_t)(p->sport >> 8), buf[n++] = (uint8_t)p->sport;
	buf[n++] = (uint8_t)(p->dport >> 8), buf[n++] = (uint8_t)p->dport;
	buf[n++] = salt;
	return siphash24(&r->secret, buf, n);
}

uint32_t responder_isn(const struct responder *r, const struct pkt *syn)
{
	return (uint32_t)tuple_hash(r, syn, 0);
}

bool responder_is_syn(const struct pkt *p)
{
	return p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN;
}

bool responder_is_handshake_ack(const struct responder *r, const struct pkt *p)
{
	if (p->proto != 6 || (p->tcp_flags & (TCP_SYN | TCP_RST | TCP_ACK)) != TCP_ACK)
		return false;
	return p->ack == responder_isn(r, p) + 1;
}

/* Reads the options the client offered; malformed lists stop the walk. */
static void parse_syn_opts(const struct pkt *p, struct syn_opts *o)
{
	const uint8_t *q = p->tcp_opts;
	uint32_t i = 0, n = p->tcp_optlen;

	memset(o, 0, sizeof(*o));
	while (i < n) {
		uint8_t kind = q[i], len;
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || (len = q[i + 1]) < 2 || i + len > n)
			break;
		if (kind == OPT_MSS && len == 4)
			o->mss = true;
		else if (kind == OPT_WS && len == 3)
			o->ws = true;
		else if (kind == OPT_SACK_PERM && len == 2)
			o->sack = true;
		else if (kind == OPT_TS && len == 10) {
			o->ts = true;
			o->tsval = (uint32_t)q[i + 2] << 24 | (uint32_t)q[i + 3] << 16 |
				   (uint32_t)q[i + 4] << 8 | q[i + 5];
		}
		i += len;
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Linux's tcp_options_write() order: MSS; SACK-permitted folded into the
 * timestamp's two leading NOPs; window scale after one NOP. */
static size_t write_opts(const struct responder *r, const struct pkt *syn, uint8_t *o,
			 uint32_t tsval)
{
	struct syn_opts so;
	size_t n = 0;

	parse_syn_opts(syn, &so);
	o[n++] = OPT_MSS, o[n++] = 4;
	put16(o + n, syn->ipver == 6 ? r->mss6 : r->mss4), n += 2;
	if (so.ts) {
		if (so.sack)
			o[n++] = OPT_SACK_PERM, o[n++] = 2;
		else
			o[n++] = OPT_NOP, o[n++] = OPT_NOP;
		o[n++] = OPT_TS, o[n++] = 10;
		put32(o + n, tsval), n += 4;
		put32(o + n, so.tsval), n += 4;
	} else if (so.sack) {
		o[n++] = OPT_NOP, o[n++] = OPT_NOP, o[n++] = OPT_SACK_PERM, o[n++] = 2;
	}
	if (so.ws)
		o[n++] = OPT_NOP, o[n++] = OPT_WS, o[n++] = 3, o[n++] = r->wscale;
	return n;
}

uint16_t responder_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(const struct pkt *syn, size_t tcplen)
{
	size_t alen = syn->ipver == 6 ? 16 : 4;
	uint32_t sum = 0;

	/* Our source is the SYN's destination and vice versa; the sum of the
	 * pseudo-header does not depend on their order. */
	for (size_t i = 0; i < alen; i += 2) {
		sum += (uint32_t)(syn->src.b[i] << 8 | syn->src.b[i + 1]);
		sum += (uint32_t)(syn->dst.b[i] << 8 | syn->dst.b[i + 1]);
	}
	return sum + 6 + (uint32_t)tcplen;
}

/* Linux's tcp_select_initial_window(): 65535 rounded down to a multiple of
 * the MSS, where the MSS loses 12 bytes when timestamps are on. */
static uint16_t initial_window(const struct responder *r, const struct pkt *syn)
{
	struct syn_opts so;
	uint32_t mss = syn->ipver == 6 ? r->mss6 : r->mss4;

	parse_syn_opts(syn, &so);
	if (so.ts)
		mss -= 12;
	return (uint16_t)(65535 / mss * mss);
}

static size_t write_tcp(const struct responder *r, const struct pkt *syn, uint8_t *t)
{
	uint64_t h = tuple_hash(r, syn, 1);
	size_t optlen = write_opts(r, syn, t + 20, (uint32_t)h), len = 20 + optlen;
	bool ecn = (syn->tcp_flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR);

	put16(t, syn->dport);
	put16(t + 2, syn->sport);
	put32(t + 4, responder_isn(r, syn));
	put32(t + 8, syn->seq + 1);
	t[12] = (uint8_t)((len / 4) << 4);
	/* Linux (tcp_ecn=2) agrees to ECN when the SYN asks for it. */
	t[13] = TCP_SYN | TCP_ACK | (ecn ? TCP_ECE : 0);
	put16(t + 14, initial_window(r, syn)); /* unscaled in a SYN+ACK */
	put16(t + 16, 0);
	put16(t + 18, 0);
	put16(t + 16, responder_csum(t, len, pseudo_sum(syn, len)));
	return len;
}

static size_t write_ip(const struct responder *r, const struct pkt *syn, uint8_t *ip,
		       size_t tcplen)
{
	if (syn->ipver == 4) {
		ip[0] = 0x45, ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + tcplen));
		put16(ip + 4, 0);      /* Linux sends ID 0 with DF */
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64, ip[9] = 6;
		put16(ip + 10, 0);
		memcpy(ip + 12, syn->dst.b, 4);
		memcpy(ip + 16, syn->src.b, 4);
		put16(ip + 10, responder_csum(ip, 20, 0));
		return 20;
	}
	/* Linux's automatic flow label is a hash of the flow: ours is keyed. */
	put32(ip, 0x60000000u | ((uint32_t)tuple_hash(r, syn, 2) & 0xfffff));
	put16(ip + 4, (uint16_t)tcplen);
	ip[6] = 6, ip[7] = 64;
	memcpy(ip + 8, syn->dst.b, 16);
	memcpy(ip + 24, syn->src.b, 16);
	return 40;
}

int responder_synack(const struct responder *r, int dlt, const struct pkt *syn, uint8_t *out,
		     size_t cap)
{
	size_t l2 = 0, iplen = syn->ipver == 6 ? 40 : 20, tcplen;

	if (dlt == DECODE_DLT_EN10MB) {
		l2 = syn->l2_len;
		if (l2 < 14 || l2 > 30)
			return -EINVAL;
	} else if (dlt != DECODE_DLT_RAW && dlt != DECODE_DLT_RAW_ALT && dlt != DECODE_LINKTYPE_RAW &&
		   dlt != DECODE_DLT_IPV4 && dlt != DECODE_DLT_IPV6) {
		return -EPROTONOSUPPORT;
	}
	if (cap < l2 + iplen + 40)
		return -ENOSPC;
	if (l2) {
		memcpy(out, syn->frame + 6, 6); /* to the sender */
		memcpy(out + 6, syn->frame, 6); /* from the address it asked for */
		memcpy(out + 12, syn->frame + 12, l2 - 12);
	}
	tcplen = write_tcp(r, syn, out + l2 + iplen);
	write_ip(r, syn, out + l2, tcplen);
	return (int)(l2 + iplen + tcplen);
}

/* TCP header (+ timestamp option when req has one) and data, checksummed. */
static size_t write_tcp_data(const struct responder *r, const struct pkt *req, uint8_t flags,
			     const uint8_t *data, size_t len, uint8_t *t)
{
	struct syn_opts so;
	size_t hl = 20;

	parse_syn_opts(req, &so);
	put16(t, req->dport);
	put16(t + 2, req->sport);
	put32(t + 4, responder_isn(r, req) + 1);
	put32(t + 8, req->seq + req->payload_wire + (req->tcp_flags & TCP_FIN ? 1 : 0));
	if (so.ts) {
		/* our SYN+ACK's tsval (tuple_hash salt 1) + 1: it never goes back */
		t[20] = OPT_NOP, t[21] = OPT_NOP, t[22] = OPT_TS, t[23] = 10;
		put32(t + 24, (uint32_t)tuple_hash(r, req, 1) + 1);
		put32(t + 28, so.tsval);
		hl = 32;
	}
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	put16(t + 14, 502);
	put16(t + 16, 0);
	put16(t + 18, 0);
	if (len)
		memcpy(t + hl, data, len);
	put16(t + 16, responder_csum(t, hl + len, pseudo_sum(req, hl + len)));
	return hl + len;
}

int responder_data(const struct responder *r, int dlt, const struct pkt *req, uint8_t flags,
		   const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	size_t l2 = 0, iplen = req->ipver == 6 ? 40 : 20, tcplen;

	if (dlt == DECODE_DLT_EN10MB) {
		l2 = req->l2_len;
		if (l2 < 14 || l2 > 30)
			return -EINVAL;
	} else if (dlt != DECODE_DLT_RAW && dlt != DECODE_DLT_RAW_ALT && dlt != DECODE_LINKTYPE_RAW &&
		   dlt != DECODE_DLT_IPV4 && dlt != DECODE_DLT_IPV6) {
		return -EPROTONOSUPPORT;
	}
	if (len > 1400 || cap < l2 + iplen + 32 + len)
		return -ENOSPC;
	if (l2) {
		memcpy(out, req->frame + 6, 6);
		memcpy(out + 6, req->frame, 6);
		memcpy(out + 12, req->frame + 12, l2 - 12);
	}
	tcplen = write_tcp_data(r, req, flags, data, len, out + l2 + iplen);
	write_ip(r, req, out + l2, tcplen);
	return (int)(l2 + iplen + tcplen);
}
