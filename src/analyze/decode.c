#include "analyze/decode.h"

#include <string.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ 0x9100
#define MAX_VLAN_TAGS 4
#define MAX_IPV6_EXT 8

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *decode_status_str(int status)
{
	switch (status) {
	case DECODE_OK: return "ok";
	case DECODE_BAD_LINK: return "unsupported link type";
	case DECODE_NOT_IP: return "not IP";
	case DECODE_TRUNCATED: return "truncated";
	case DECODE_BAD_HEADER: return "bad header";
	case DECODE_FRAGMENT: return "fragment";
	}
	return "?";
}

bool decode_link_supported(int dlt)
{
	switch (dlt) {
	case DECODE_DLT_NULL: case DECODE_DLT_EN10MB: case DECODE_DLT_RAW:
	case DECODE_DLT_RAW_ALT: case DECODE_DLT_LOOP: case DECODE_DLT_LINUX_SLL:
	case DECODE_LINKTYPE_RAW: case DECODE_DLT_IPV4: case DECODE_DLT_IPV6:
	case DECODE_DLT_LINUX_SLL2:
		return true;
	}
	return false;
}

/* Finds the IP header behind the link layer; returns its offset or -status. */
static int link_offset(int dlt, const uint8_t *f, uint32_t caplen)
{
	uint32_t off, family;
	uint16_t type;
	int tags = 0;

	switch (dlt) {
	case DECODE_DLT_EN10MB:
		if (caplen < 14)
			return -DECODE_TRUNCATED;
		off = 12;
		type = rd16(f + off);
		while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ) {
			if (++tags > MAX_VLAN_TAGS)
				return -DECODE_BAD_HEADER;
			off += 4;
			if (caplen < off + 2)
				return -DECODE_TRUNCATED;
			type = rd16(f + off);
		}
		off += 2;
		return type == ETH_P_IP || type == ETH_P_IPV6 ? (int)off : -DECODE_NOT_IP;
	case DECODE_DLT_LINUX_SLL:
		if (caplen < 16)
			return -DECODE_TRUNCATED;
		type = rd16(f + 14);
		return type == ETH_P_IP || type == ETH_P_IPV6 ? 16 : -DECODE_NOT_IP;
	case DECODE_DLT_LINUX_SLL2:
		if (caplen < 20)
			return -DECODE_TRUNCATED;
		type = rd16(f);
		return type == ETH_P_IP || type == ETH_P_IPV6 ? 20 : -DECODE_NOT_IP;
	case DECODE_DLT_NULL:
	case DECODE_DLT_LOOP:
		if (caplen < 4)
			return -DECODE_TRUNCATED;
		/* NULL stores the family in the writer's byte order, LOOP in
		 * network order; AF_INET is 2 everywhere, AF_INET6 differs by OS. */
		family = rd32(f);
		if (family > 0xffff)
			family = (uint32_t)f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 |
				 (uint32_t)f[3] << 24;
		if (family == 2 || family == 10 || family == 24 || family == 28 || family == 30)
			return 4;
		return -DECODE_NOT_IP;
	case DECODE_DLT_RAW:
	case DECODE_DLT_RAW_ALT:
	case DECODE_LINKTYPE_RAW:
	case DECODE_DLT_IPV4:
	case DECODE_DLT_IPV6:
		return 0;
	}
	return -DECODE_BAD_LINK;
}

int decode_packet(int dlt, const uint8_t *frame, uint32_t caplen, struct pkt *p)
{
	int off = link_offset(dlt, frame, caplen);

	memset(p, 0, sizeof(*p));
	p->frame = frame;
	if (off < 0)
		return -off;
	p->l2_len = (uint32_t)off;
	return decode_ip(frame + off, caplen - (uint32_t)off, p);
}

static int decode_ipv4(const uint8_t *h, uint32_t len, struct pkt *p)
{
	uint32_t hlen, total;
	uint16_t fragword;

	if (len < 20)
		return DECODE_TRUNCATED;
	hlen = (uint32_t)(h[0] & 0x0f) * 4;
	total = rd16(h + 2);
	if (hlen < 20 || total < hlen)
		return DECODE_BAD_HEADER;
	if (len < hlen)
		return DECODE_TRUNCATED;
	p->ip_len = total;
	p->l3_len = len < total ? len : total; /* drop Ethernet padding */
	p->ttl = h[8];
	p->proto = h[9];
	p->ip_id = rd16(h + 4);
	p->src.family = p->dst.family = AF_INET;
	memcpy(p->src.b, h + 12, 4);
	memcpy(p->dst.b, h + 16, 4);
	fragword = rd16(h + 6);
	p->df = fragword & 0x4000;
	p->l4 = h + hlen;
	p->l4_len = p->l3_len - hlen;
	if (fragword & 0x3fff) {
		p->frag = true;
		p->frag_more = fragword & 0x2000;
		p->frag_off = (uint32_t)(fragword & 0x1fff) * 8;
		p->frag_id = p->ip_id;
		p->frag_data = p->l4;
		p->frag_len = p->l4_len;
		return DECODE_FRAGMENT;
	}
	return DECODE_OK;
}

/* Walks IPv6 extension headers up to the transport header or a fragment. */
static int ipv6_walk_ext(const uint8_t *h, uint32_t len, struct pkt *p, uint8_t nh, uint32_t off)
{
	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		uint32_t elen;

		switch (nh) {
		case 0: case 43: case 60: case 135: /* hop-by-hop, routing, dstopts, mobility */
			if (len < off + 8)
				return DECODE_TRUNCATED;
			elen = ((uint32_t)h[off + 1] + 1) * 8;
			break;
		case 51: /* AH: length in 4-byte units minus 2 */
			if (len < off + 8)
				return DECODE_TRUNCATED;
			elen = ((uint32_t)h[off + 1] + 2) * 4;
			break;
		case 44: /* fragment */
			if (len < off + 8)
				return DECODE_TRUNCATED;
			p->frag = true;
			p->frag_off = (uint32_t)(rd16(h + off + 2) & 0xfff8);
			p->frag_more = h[off + 3] & 1;
			p->frag_id = rd32(h + off + 4);
			p->proto = h[off];
			p->frag_data = h + off + 8;
			p->frag_len = len - off - 8;
			p->l4 = p->frag_data;
			p->l4_len = p->frag_len;
			/* An atomic fragment (offset 0, no more) is a whole datagram. */
			if (p->frag_off == 0 && !p->frag_more) {
				p->frag = false;
				return DECODE_OK;
			}
			return DECODE_FRAGMENT;
		default:
			p->proto = nh;
			p->l4 = h + off;
			p->l4_len = len - off;
			return DECODE_OK;
		}
		if (len < off + elen)
			return DECODE_TRUNCATED;
		nh = h[off];
		off += elen;
	}
	return DECODE_BAD_HEADER;
}

static int decode_ipv6(const uint8_t *h, uint32_t len, struct pkt *p)
{
	uint32_t total;

	if (len < 40)
		return DECODE_TRUNCATED;
	total = 40 + (uint32_t)rd16(h + 4); /* jumbograms are not seen on the wire here */
	p->ip_len = total;
	p->l3_len = len < total ? len : total;
	p->ttl = h[7];
	p->src.family = p->dst.family = AF_INET6;
	memcpy(p->src.b, h + 8, 16);
	memcpy(p->dst.b, h + 24, 16);
	return ipv6_walk_ext(h, p->l3_len, p, h[6], 40);
}

int decode_ip(const uint8_t *l3, uint32_t len, struct pkt *p)
{
	int ret;

	p->l3 = l3;
	if (len < 1)
		return DECODE_TRUNCATED;
	p->ipver = l3[0] >> 4;
	if (p->ipver == 4)
		ret = decode_ipv4(l3, len, p);
	else if (p->ipver == 6)
		ret = decode_ipv6(l3, len, p);
	else
		return DECODE_BAD_HEADER;
	if (ret != DECODE_OK)
		return ret;
	return decode_l4(p);
}

static int decode_tcp(struct pkt *p)
{
	const uint8_t *t = p->l4;
	uint32_t hlen;

	if (p->l4_len < 20)
		return DECODE_TRUNCATED;
	hlen = (uint32_t)(t[12] >> 4) * 4;
	if (hlen < 20)
		return DECODE_BAD_HEADER;
	if (p->l4_len < hlen)
		return DECODE_TRUNCATED;
	p->sport = rd16(t);
	p->dport = rd16(t + 2);
	p->seq = rd32(t + 4);
	p->ack = rd32(t + 8);
	p->tcp_flags = t[13];
	p->win = rd16(t + 14);
	p->tcp_opts = t + 20;
	p->tcp_optlen = (uint8_t)(hlen - 20);
	p->payload = t + hlen;
	p->payload_len = p->l4_len - hlen;
	return DECODE_OK;
}

int decode_l4(struct pkt *p)
{
	uint32_t hdr_before = (uint32_t)(p->l4 - p->l3);
	int ret = DECODE_OK;

	switch (p->proto) {
	case 6:
		ret = decode_tcp(p);
		break;
	case 17:
		if (p->l4_len < 8)
			return DECODE_TRUNCATED;
		p->sport = rd16(p->l4);
		p->dport = rd16(p->l4 + 2);
		p->payload = p->l4 + 8;
		p->payload_len = p->l4_len - 8;
		break;
	case 1:
	case 58:
		if (p->l4_len < 4)
			return DECODE_TRUNCATED;
		p->icmp_type = p->l4[0];
		p->icmp_code = p->l4[1];
		p->payload = p->l4 + 4;
		p->payload_len = p->l4_len - 4;
		break;
	default:
		p->payload = p->l4;
		p->payload_len = p->l4_len;
		break;
	}
	if (ret == DECODE_OK) {
		uint32_t hdrs = hdr_before + (uint32_t)(p->payload - p->l4);
		p->payload_wire = p->ip_len > hdrs ? p->ip_len - hdrs : 0;
		if (p->payload_wire < p->payload_len)
			p->payload_wire = p->payload_len;
	}
	return ret;
}
