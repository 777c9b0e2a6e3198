#include "analyze/ipfrag.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAG_RANGES 64

struct ipfrag_dgram {
	bool used;
	uint8_t ipver, proto;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint64_t first_us;
	uint8_t hdr[60];    /* IPv4 header of the first fragment, or IPv6 base header */
	uint32_t hdr_len;
	uint32_t total;     /* payload length, known once the last fragment came */
	uint32_t nr;
	uint32_t rs[MAX_FRAG_RANGES], re[MAX_FRAG_RANGES]; /* received [start,end) */
	uint8_t data[IPFRAG_MAX_DGRAM];
};

int ipfrag_init(struct ipfrag *f, uint64_t timeout_us)
{
	memset(f, 0, sizeof(*f));
	f->timeout_us = timeout_us;
	f->pending = calloc(IPFRAG_MAX_PENDING, sizeof(*f->pending));
	return f->pending ? 0 : -ENOMEM;
}

void ipfrag_free(struct ipfrag *f)
{
	free(f->pending);
	f->pending = NULL;
}

static bool same(const struct ipfrag_dgram *d, const struct pkt *p)
{
	return d->used && d->ipver == p->ipver && d->proto == p->proto && d->id == p->frag_id &&
	       !memcmp(d->src, p->src.b, 16) && !memcmp(d->dst, p->dst.b, 16);
}

/* Finds the datagram's slot, or claims a free / expired / the oldest one. */
static struct ipfrag_dgram *slot_for(struct ipfrag *f, const struct pkt *p, uint64_t ts)
{
	struct ipfrag_dgram *free_slot = NULL, *oldest = NULL, *d;

	for (int i = 0; i < IPFRAG_MAX_PENDING; i++) {
		d = &f->pending[i];
		/* Expire before matching: a datagram whose first fragment is
		 * older than the timeout must not be completed by a late
		 * fragment; the late one starts a new datagram instead. */
		if (d->used && d->first_us + f->timeout_us < ts) {
			d->used = false;
			f->expired++;
		}
		if (same(d, p))
			return d;
		if (!d->used && !free_slot)
			free_slot = d;
		if (d->used && (!oldest || d->first_us < oldest->first_us))
			oldest = d;
	}
	d = free_slot;
	if (!d) {
		d = oldest;
		f->dropped++;
	}
	memset(d, 0, offsetof(struct ipfrag_dgram, data));
	d->used = true;
	d->ipver = p->ipver;
	d->proto = p->proto;
	d->id = p->frag_id;
	memcpy(d->src, p->src.b, 16);
	memcpy(d->dst, p->dst.b, 16);
	d->first_us = ts;
	return d;
}

/* Copies only the bytes not yet held (first copy wins). */
static int add_range(struct ipfrag_dgram *d, uint32_t s, uint32_t e, const uint8_t *src)
{
	uint32_t pos = s;

	while (pos < e) {
		uint32_t next_start = e, skip_to = pos;
		bool covered = false;
		for (uint32_t i = 0; i < d->nr; i++) {
			if (d->rs[i] <= pos && pos < d->re[i]) {
				covered = true;
				if (d->re[i] > skip_to)
					skip_to = d->re[i];
			} else if (d->rs[i] > pos && d->rs[i] < next_start) {
				next_start = d->rs[i];
			}
		}
		if (covered) {
			pos = skip_to;
			continue;
		}
		if (d->nr == MAX_FRAG_RANGES)
			return -E2BIG;
		memcpy(d->data + pos, src + (pos - s), next_start - pos);
		d->rs[d->nr] = pos;
		d->re[d->nr++] = next_start;
		pos = next_start;
	}
	return 0;
}

static bool complete(const struct ipfrag_dgram *d)
{
	uint32_t have = 0;
	bool grew = true;

	if (!d->total)
		return false;
	while (grew && have < d->total) {
		grew = false;
		for (uint32_t i = 0; i < d->nr; i++)
			if (d->rs[i] <= have && d->re[i] > have) {
				have = d->re[i];
				grew = true;
			}
	}
	return have >= d->total;
}

static uint32_t build(struct ipfrag *f, struct ipfrag_dgram *d)
{
	uint8_t *o = f->out;
	uint32_t len = d->hdr_len + d->total;

	memcpy(o, d->hdr, d->hdr_len);
	memcpy(o + d->hdr_len, d->data, d->total);
	if (d->ipver == 4) {
		o[2] = (uint8_t)(len >> 8), o[3] = (uint8_t)len;
		o[6] &= 0x40, o[7] = 0; /* keep DF, clear MF and offset */
	} else {
		o[4] = (uint8_t)(d->total >> 8), o[5] = (uint8_t)d->total;
		o[6] = d->proto; /* the fragment header is gone */
	}
	return len;
}

int ipfrag_add(struct ipfrag *f, const struct pkt *p, uint64_t ts_us, struct pkt *whole)
{
	struct ipfrag_dgram *d;
	uint32_t end = p->frag_off + p->frag_len, len;
	int ret;

	if (end > IPFRAG_MAX_DGRAM - 60 || (!p->frag_more && p->frag_len == 0 && !p->frag_off))
		return -EMSGSIZE;
	d = slot_for(f, p, ts_us);
	if (p->frag_off == 0) {
		/* IPv4: the first fragment's header (options included); IPv6:
		 * the base header; extension headers before the fragment header
		 * are dropped in the rebuilt datagram. */
		d->hdr_len = p->ipver == 4 ? (uint32_t)(p->l4 - p->l3) : 40;
		if (p->ipver == 4 && (p->frag_data - p->l3) > 60)
			d->hdr_len = 20;
		memcpy(d->hdr, p->l3, d->hdr_len);
	}
	if (!p->frag_more) {
		if (d->total && d->total != end)
			return -EINVAL; /* two different "last" fragments: keep the first */
		d->total = end;
	}
	ret = add_range(d, p->frag_off, end, p->frag_data);
	if (ret) {
		d->used = false;
		f->dropped++;
		return ret;
	}
	if (!d->hdr_len || !complete(d))
		return 0;
	len = build(f, d);
	d->used = false;
	f->completed++;
	memset(whole, 0, sizeof(*whole));
	whole->frame = f->out;
	return decode_ip(f->out, len, whole) == DECODE_OK ? 1 : -EBADMSG;
}
