/* libFuzzer: any bytes through the UDP dissectors (dns, ntp, ssdp, snmp,
 * memcached; each one's detect() and dissect(), whatever it scores) and
 * through the SYN fingerprint (the first bytes as the SYN's fields and
 * options), then the record as JSON.
 * Input: byte 0 bit 0 = TCP (else UDP), bytes 1-2 = first datagram length
 * (big-endian, clamped), the rest = the client's payload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "analyze/synfp.h"
#include "proto/proto.h"
#include "proto/registry.h"

static const struct proto_dissector *const fz_protos[] = {&proto_dns, &proto_ntp, &proto_ssdp,
							  &proto_snmp, &proto_memcached};

static void fz_syn(struct record *r, const uint8_t *d, size_t n)
{
	struct record_syn *s = &r->syn;

	if (n < 14)
		return;
	s->seen = true;
	s->ipver = d[0] & 1 ? 6 : 4;
	s->ttl = d[1];
	s->df = d[2] & 1;
	s->ip_id = (uint16_t)(d[3] << 8 | d[4]);
	s->win = (uint16_t)(d[5] << 8 | d[6]);
	s->seq = (uint32_t)d[7] << 24 | (uint32_t)d[8] << 16 | (uint32_t)d[9] << 8 | d[10];
	s->flags = d[11];
	r->dport = d[12];
	s->optlen = (uint8_t)(n - 13 < sizeof(s->opts) ? n - 13 : sizeof(s->opts));
	memcpy(s->opts, d + 13, s->optlen);
	r->dst.family = 2; /* AF_INET */
	memcpy(r->dst.b, d + 7, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf out;
	struct record r;

	if (size < 3)
		return 0;
	for (size_t i = 0; i < sizeof(fz_protos) / sizeof(fz_protos[0]); i++) {
		record_init(&r);
		r.proto = data[0] & 1 ? 6 : 17;
		r.payload_len = size - 3;
		r.payload = malloc(r.payload_len ? r.payload_len : 1);
		memcpy(r.payload, data + 3, r.payload_len);
		r.first_msg_len = (size_t)(data[1] << 8 | data[2]);
		if (r.first_msg_len > r.payload_len)
			r.first_msg_len = r.payload_len;
		if (fz_protos[i]->detect(&r) < 0)
			abort();
		fz_protos[i]->dissect(&r);
		if (i == 0) {
			r.proto = 6;
			fz_syn(&r, data + 3, size - 3);
			synfp_apply(&r);
		}
		buf_reset(&out);
		if (record_to_json(&r, &out) == 0 && out.len < 2)
			abort();
		record_free(&r);
	}
	return 0;
}
