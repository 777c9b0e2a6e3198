/* IPv4 and IPv6 fragment reassembly for the analyzer.  Attackers send
 * fragments to hide payloads, so everything is bounded: datagrams of at
 * most 65535 bytes, IPFRAG_MAX_PENDING datagrams in progress (the oldest is
 * dropped and counted), fragments older than timeout_us (packet time)
 * discarded.  Overlaps: first copy wins, as in TCP reassembly. */
#ifndef MITSU_IPFRAG_H
#define MITSU_IPFRAG_H
#include <stdint.h>

#include "analyze/decode.h"

#define IPFRAG_MAX_PENDING 256
#define IPFRAG_MAX_DGRAM 65535

struct ipfrag_dgram;
struct ipfrag {
	struct ipfrag_dgram *pending; /* array of IPFRAG_MAX_PENDING */
	uint64_t timeout_us;
	uint64_t completed, dropped, expired;
	uint8_t out[IPFRAG_MAX_DGRAM + 64]; /* the last completed datagram */
};

int ipfrag_init(struct ipfrag *f, uint64_t timeout_us);
void ipfrag_free(struct ipfrag *f);
/* Adds the fragment described by p (decode status DECODE_FRAGMENT).  When
 * it completes a datagram, decodes it into *whole and returns 1 (whole
 * points into f->out, valid until the next call); 0 if more fragments are
 * needed; a negative errno when the fragment was dropped. */
int ipfrag_add(struct ipfrag *f, const struct pkt *p, uint64_t ts_us, struct pkt *whole);

#endif
