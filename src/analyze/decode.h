/* Packet decoding shared by the sensor and the analyzer: link layer
 * (Ethernet with VLAN/QinQ, Linux cooked v1/v2, raw IP, BSD null/loopback),
 * IPv4 and IPv6 (with extension headers), TCP, UDP, ICMP, ICMPv6.
 * Every input byte is untrusted: decode_* never reads past caplen and
 * reports a status instead of failing hard.  No allocation. */
#ifndef MITSU_DECODE_H
#define MITSU_DECODE_H
#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"

enum decode_status {
	DECODE_OK = 0,
	DECODE_BAD_LINK,   /* unsupported link type */
	DECODE_NOT_IP,     /* ARP, LLDP, ... : not an error, just not ours */
	DECODE_TRUNCATED,  /* a header runs past the captured bytes */
	DECODE_BAD_HEADER, /* impossible lengths, versions, ... */
	DECODE_FRAGMENT,   /* IP fragment: ports unknown until reassembled */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

struct pkt {
	const uint8_t *frame; /* start of the link-layer frame */
	uint32_t l2_len;      /* bytes before the IP header */
	const uint8_t *l3;    /* IP header */
	uint32_t l3_len;      /* captured bytes from l3, trimmed to the IP length */
	uint32_t ip_len;      /* IP datagram length from the header */
	uint8_t ipver;        /* 4 or 6 */
	uint8_t proto;        /* transport protocol after extension headers */
	uint8_t ttl;          /* TTL or hop limit */
	uint8_t ip_hlen_ext;  /* unused padding for alignment */
	uint16_t ip_id;       /* IPv4 identification */
	bool df;              /* IPv4 don't-fragment */
	/* fragments */
	bool frag;           /* this datagram is a fragment */
	bool frag_more;      /* more fragments follow */
	uint32_t frag_id;    /* IPv4 id or IPv6 fragment id */
	uint32_t frag_off;   /* offset of this fragment's data, bytes */
	const uint8_t *frag_data; /* fragment payload (after IP/ext headers) */
	uint32_t frag_len;
	struct ipaddr src, dst;
	/* transport */
	const uint8_t *l4;
	uint32_t l4_len; /* bytes from l4 to the end of the IP datagram (captured) */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t tcp_flags;
	uint16_t win;
	const uint8_t *tcp_opts;
	uint8_t tcp_optlen;
	uint8_t icmp_type, icmp_code;
	const uint8_t *payload;
	uint32_t payload_len;  /* captured payload bytes */
	uint32_t payload_wire; /* payload bytes per the headers (>= payload_len) */
};

/* Well-known DLT values, so callers need not include pcap.h. */
#define DECODE_DLT_NULL 0
#define DECODE_DLT_EN10MB 1
#define DECODE_DLT_RAW 12
#define DECODE_DLT_RAW_ALT 14
#define DECODE_DLT_LOOP 108
#define DECODE_DLT_LINUX_SLL 113
#define DECODE_LINKTYPE_RAW 101
#define DECODE_DLT_IPV4 228
#define DECODE_DLT_IPV6 229
#define DECODE_DLT_LINUX_SLL2 276

bool decode_link_supported(int dlt);
int decode_packet(int dlt, const uint8_t *frame, uint32_t caplen, struct pkt *p);
/* Decodes from the IP header on (used for reassembled fragments too). */
int decode_ip(const uint8_t *l3, uint32_t len, struct pkt *p);
/* Parses the transport header of a complete datagram whose proto, l4 and
 * l4_len are set. */
int decode_l4(struct pkt *p);
const char *decode_status_str(int status);

#endif
