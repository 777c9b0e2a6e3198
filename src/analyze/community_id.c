#include "analyze/community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

/* ICMP types that have a counterpart; the pair is hashed like two ports so
 * that request and reply land in one flow.  -1: one-way message. */
static int icmp4_peer(uint8_t type)
{
	switch (type) {
	case 8: return 0;   case 0: return 8;    /* echo */
	case 13: return 14; case 14: return 13;  /* timestamp */
	case 15: return 16; case 16: return 15;  /* info */
	case 10: return 9;  case 9: return 10;   /* router solicitation/advert */
	case 17: return 18; case 18: return 17;  /* mask */
	}
	return -1;
}

static int icmp6_peer(uint8_t type)
{
	switch (type) {
	case 128: return 129; case 129: return 128; /* echo */
	case 133: return 134; case 134: return 133; /* router */
	case 135: return 136; case 136: return 135; /* neighbour */
	case 139: return 140; case 140: return 139; /* node information ("WRU"), as in Zeek */
	case 130: return 131; case 131: return 130; /* MLD */
	case 144: return 145; case 145: return 144; /* home agent */
	}
	return -1;
}

static int endpoint_less(const struct ipaddr *a, uint16_t ap, const struct ipaddr *b, uint16_t bp)
{
	int c = memcmp(a->b, b->b, (size_t)addr_len(a));

	return c < 0 || (c == 0 && ap < bp);
}

void community_id_v1(uint16_t seed, const struct ipaddr *src, const struct ipaddr *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN])
{
	uint8_t buf[2 + 16 + 16 + 4 + 4], md[SHA_DIGEST_LENGTH];
	const struct ipaddr *a = src, *b = dst;
	uint16_t ap = sport, bp = dport;
	int one_way = 0, alen = addr_len(src), peer, has_ports;
	size_t n = 0;

	if (proto == 1 || proto == 58) {
		peer = proto == 1 ? icmp4_peer((uint8_t)sport) : icmp6_peer((uint8_t)sport);
		if (peer >= 0)
			bp = (uint16_t)peer;
		else
			one_way = 1;
	}
	/* Only TCP, UDP, SCTP and the ICMPs have ports in the spec; for any
	 * other protocol none are hashed (and none decide the order). */
	has_ports = proto == 1 || proto == 6 || proto == 17 || proto == 58 || proto == 132;
	if (!has_ports)
		ap = bp = 0;
	if (!one_way && !endpoint_less(a, ap, b, bp)) {
		const struct ipaddr *t = a;
		uint16_t tp = ap;
		a = b, ap = bp, b = t, bp = tp;
	}
	buf[n++] = (uint8_t)(seed >> 8), buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a->b, (size_t)alen), n += (size_t)alen;
	memcpy(buf + n, b->b, (size_t)alen), n += (size_t)alen;
	buf[n++] = proto, buf[n++] = 0;
	if (has_ports) {
		buf[n++] = (uint8_t)(ap >> 8), buf[n++] = (uint8_t)ap;
		buf[n++] = (uint8_t)(bp >> 8), buf[n++] = (uint8_t)bp;
	}
	SHA1(buf, n, md);
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, md, SHA_DIGEST_LENGTH);
}
