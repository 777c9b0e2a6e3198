/* The responder builds the packets the sensor sends: a SYN+ACK in answer to
 * a received SYN, a bare ACK of a handshaken client's data or FIN, and the
 * one --bait response (responder_data).  The SYN+ACK is shaped like a
 * current Linux host's
 * (TTL 64, DF, IP ID 0, window 64240/64800, options laid out as
 * tcp_options_write() does, echoing what the client offered).
 *
 * The ISN is a keyed hash of the 4-tuple (secret random per start), like a
 * SYN cookie: a retransmitted SYN gets a byte-identical SYN+ACK, and the
 * ACK that completes our handshake is recognised without any state.
 * The reply is never larger than the SYN plus 40 bytes of options (and a
 * SYN+ACK is never retransmitted), so there is no amplification. */
#ifndef MITSU_RESPONDER_H
#define MITSU_RESPONDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/decode.h"
#include "core/siphash.h"

#define RESPONDER_MAX_FRAME 128

struct responder {
	struct siphash_key secret;
	uint16_t mss4, mss6; /* what we advertise: MTU 1500 minus headers */
	uint8_t wscale;
};

/* secret NULL: a random one. */
int responder_init(struct responder *r, const struct siphash_key *secret);
/* ISN for a SYN from (src, sport) to (dst, dport). */
uint32_t responder_isn(const struct responder *r, const struct pkt *syn);
/* A SYN we may answer: SYN set; ACK, RST, FIN clear. */
bool responder_is_syn(const struct pkt *p);
/* The client's ACK of our SYN+ACK (ack == ISN + 1). */
bool responder_is_handshake_ack(const struct responder *r, const struct pkt *p);
/* Writes the reply frame for dlt (Ethernet: MACs swapped, VLAN tags kept;
 * raw IP: no link header).  Returns its length, or a negative errno. */
int responder_synack(const struct responder *r, int dlt, const struct pkt *syn, uint8_t *out,
		     size_t cap);
/* A data segment of ours in the flow of req, a client segment that acked
 * our SYN+ACK: seq ISN + 1, acking all of req, flags (e.g. ACK|PSH|FIN),
 * req's timestamp echoed when it carries one; window 502 (64 KiB at the
 * scale we offered).  For per-visitor bait: the only data we ever send,
 * once per request.  Returns the frame length or a negative errno. */
int responder_data(const struct responder *r, int dlt, const struct pkt *req, uint8_t flags,
		   const uint8_t *data, size_t len, uint8_t *out, size_t cap);
/* Internet checksum helpers, exposed for tests. */
uint16_t responder_csum(const void *data, size_t len, uint32_t sum);

#endif
