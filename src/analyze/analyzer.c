#include "analyze/analyzer.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/community_id.h"
#include "analyze/decode.h"
#include "analyze/ipfrag.h"
#include "analyze/reasm.h"
#include "analyze/record.h"
#include "core/buf.h"
#include "core/siphash.h"
#include "sink/sink.h"

#define NBUCKETS 65536
#define MAX_SINKS 4
/* Retransmitted FINs and last ACKs trail a close by up to a few RTOs. */
#define CLOSED_LINGER_US (10 * 1000000ull)

/* Endpoint 0 is the lower (address, port); flows are looked up in this
 * canonical order so both directions meet. */
struct akey {
	uint8_t family, proto;
	uint16_t port[2];
	uint8_t addr[2][16];
};

struct aflow {
	struct akey key;
	struct aflow *hnext, *prev, *next; /* hash chain; LRU list */
	uint64_t first_us, last_us;
	uint64_t packets[2], bytes[2];
	uint8_t flags[2];
	int first_from, syn_from, synack_to; /* endpoint index, -1 unknown */
	uint8_t icmp_type, icmp_code;
	bool have_icmp;
	bool closed; /* on the closed list */
	int8_t syn_side;         /* side of the SYN kept in syn (-1 none) */
	struct record_syn syn;   /* first SYN of each flow, for fingerprints */
	uint32_t first_dgram[2]; /* length of each side's first datagram */
	bool have_dgram[2];
	struct reasm rs[2];   /* TCP */
	struct buf dgram[2];  /* UDP / ICMP payloads, concatenated up to the cap */
	bool dgram_trunc[2];
};

struct analyzer {
	struct analyzer_cfg cfg;
	struct sink *sinks[MAX_SINKS];
	int nsinks;
	analyzer_hook_fn hook;
	void *hook_user;
	struct aflow *buckets[NBUCKETS];
	struct aflow *lru_head, *lru_tail;     /* open flows, least recently active first */
	struct aflow *closed_head, *closed_tail; /* flows whose both sides closed (FIN or RST) */
	uint32_t open;
	struct ipfrag frag;
	struct siphash_key hkey;
	/* per file */
	const char *uri, *sensor, *flow_end;
	struct analyze_file_stats *st;
	int dlt;
	int sink_err;
	bool commit_each; /* commit the sinks after every object (default) */
	struct record rec;
};

void analyzer_cfg_defaults(struct analyzer_cfg *cfg)
{
	cfg->max_bytes = 1 << 20;
	cfg->idle_s = 300;
	cfg->max_flows = 100000;
}

int analyzer_new(struct analyzer **out, const struct analyzer_cfg *cfg, struct sink **sinks,
		 int nsinks)
{
	struct analyzer *a;

	if (nsinks > MAX_SINKS)
		return -E2BIG;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	if (nsinks)
		memcpy(a->sinks, sinks, (size_t)nsinks * sizeof(*sinks));
	a->nsinks = nsinks;
	a->hkey.k0 = 0x6d69747375ull; /* flows of one file: no secret needed */
	if (ipfrag_init(&a->frag, 30 * 1000000ull)) {
		free(a);
		return -ENOMEM;
	}
	record_init(&a->rec);
	a->commit_each = true;
	*out = a;
	return 0;
}

void analyzer_set_hook(struct analyzer *a, analyzer_hook_fn fn, void *user)
{
	a->hook = fn;
	a->hook_user = user;
}

void analyzer_get_hook(const struct analyzer *a, analyzer_hook_fn *fn, void **user)
{
	*fn = a->hook;
	*user = a->hook_user;
}

/* ---- flow table --------------------------------------------------------- */

static void key_of(const struct pkt *p, struct akey *k, int *from)
{
	int alen = addr_len(&p->src), c = memcmp(p->src.b, p->dst.b, (size_t)alen);
	bool ports = p->proto == 6 || p->proto == 17;
	uint16_t sp = ports ? p->sport : 0, dp = ports ? p->dport : 0;
	bool src_first = c < 0 || (c == 0 && sp <= dp);

	memset(k, 0, sizeof(*k));
	k->family = p->src.family;
	k->proto = p->proto;
	*from = src_first ? 0 : 1;
	memcpy(k->addr[*from], p->src.b, 16);
	memcpy(k->addr[!*from], p->dst.b, 16);
	k->port[*from] = sp;
	k->port[!*from] = dp;
}

static uint32_t bucket(const struct analyzer *a, const struct akey *k)
{
	return (uint32_t)siphash24(&a->hkey, k, sizeof(*k)) & (NBUCKETS - 1);
}

/* A flow is on one of two lists, each ordered by last activity: open
 * flows, and closed ones (both sides sent FIN, or a RST), which end after a
 * short linger so that a long capture keeps only live flows in memory. */
static void lru_unlink(struct analyzer *a, struct aflow *f)
{
	struct aflow **head = f->closed ? &a->closed_head : &a->lru_head;
	struct aflow **tail = f->closed ? &a->closed_tail : &a->lru_tail;

	if (f->prev)
		f->prev->next = f->next;
	else
		*head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		*tail = f->prev;
	f->prev = f->next = NULL;
}

static void lru_append(struct analyzer *a, struct aflow *f)
{
	struct aflow **head = f->closed ? &a->closed_head : &a->lru_head;
	struct aflow **tail = f->closed ? &a->closed_tail : &a->lru_tail;

	f->prev = *tail;
	f->next = NULL;
	if (*tail)
		(*tail)->next = f;
	else
		*head = f;
	*tail = f;
}

static void flow_free(struct aflow *f)
{
	reasm_free(&f->rs[0]);
	reasm_free(&f->rs[1]);
	buf_free(&f->dgram[0]);
	buf_free(&f->dgram[1]);
	free(f);
}

static void finish_flow(struct analyzer *a, struct aflow *f);

static struct aflow *flow_get(struct analyzer *a, const struct akey *k, uint64_t ts)
{
	uint32_t b = bucket(a, k);
	struct aflow *f;

	for (f = a->buckets[b]; f; f = f->hnext)
		if (!memcmp(&f->key, k, sizeof(*k)))
			return f;
	if (a->open >= a->cfg.max_flows)
		finish_flow(a, a->closed_head ? a->closed_head : a->lru_head);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *k;
	f->first_us = f->last_us = ts;
	f->first_from = f->syn_from = f->synack_to = -1;
	f->syn_side = -1;
	reasm_init(&f->rs[0], a->cfg.max_bytes);
	reasm_init(&f->rs[1], a->cfg.max_bytes);
	f->hnext = a->buckets[b];
	a->buckets[b] = f;
	lru_append(a, f);
	a->open++;
	a->st->flows++;
	return f;
}

static void flow_unhash(struct analyzer *a, struct aflow *f)
{
	struct aflow **pp = &a->buckets[bucket(a, &f->key)];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(a, f);
	a->open--;
}

/* ---- packets ------------------------------------------------------------ */

static void keep_syn(struct aflow *f, int from, const struct pkt *p)
{
	struct record_syn *s = &f->syn;

	f->syn_side = (int8_t)from;
	s->seen = true;
	s->ipver = p->ipver;
	s->ttl = p->ttl;
	s->df = p->df;
	s->ip_id = p->ip_id;
	s->win = p->win;
	s->seq = p->seq;
	s->flags = p->tcp_flags;
	s->optlen = p->tcp_optlen <= sizeof(s->opts) ? p->tcp_optlen : sizeof(s->opts);
	memcpy(s->opts, p->tcp_opts, s->optlen);
	s->payload_len = p->payload_len;
}

static void add_dgram(struct analyzer *a, struct aflow *f, int from, const struct pkt *p)
{
	size_t room = a->cfg.max_bytes - f->dgram[from].len;
	size_t n = p->payload_len < room ? p->payload_len : room;

	if (!f->have_dgram[from]) {
		f->have_dgram[from] = true;
		f->first_dgram[from] = p->payload_len;
	}
	if (n < p->payload_len)
		f->dgram_trunc[from] = true;
	if (n)
		buf_append(&f->dgram[from], p->payload, n);
}

static void add_packet(struct analyzer *a, const struct pkt *p, uint64_t ts)
{
	struct akey k;
	struct aflow *f;
	int from;

	key_of(p, &k, &from);
	f = flow_get(a, &k, ts);
	if (!f)
		return;
	/* A new connection reusing the 4-tuple of a closed one (a fresh SYN
	 * after FINs or a RST) is a new flow, as tshark's streams count it. */
	if (f->closed && p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		finish_flow(a, f);
		f = flow_get(a, &k, ts);
		if (!f)
			return;
	}
	if (f->first_from < 0)
		f->first_from = from;
	if (ts > f->last_us)
		f->last_us = ts;
	f->packets[from]++;
	f->bytes[from] += p->ip_len;
	lru_unlink(a, f);
	if (p->proto == 6 && !f->closed && (p->tcp_flags & TCP_RST ||
	    (f->flags[!from] & TCP_FIN && p->tcp_flags & TCP_FIN)))
		f->closed = true;
	lru_append(a, f);
	if (p->proto == 6) {
		uint8_t fl = p->tcp_flags;
		f->flags[from] |= fl;
		if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN && f->syn_from < 0) {
			f->syn_from = from;
			keep_syn(f, from, p);
		}
		if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && f->synack_to < 0)
			f->synack_to = !from;
		reasm_segment(&f->rs[from], p->seq, fl, p->payload, p->payload_len);
	} else {
		if ((p->proto == 1 || p->proto == 58) && !f->have_icmp) {
			f->have_icmp = true;
			f->icmp_type = p->icmp_type;
			f->icmp_code = p->icmp_code;
		}
		add_dgram(a, f, from, p);
	}
}

/* Ends flows idle for cfg.idle_s in packet time: a long capture must not
 * keep every flow it ever saw. */
static void expire(struct analyzer *a, uint64_t now)
{
	uint64_t idle = (uint64_t)a->cfg.idle_s * 1000000;

	while (a->lru_head && a->lru_head->last_us + idle < now)
		finish_flow(a, a->lru_head);
	while (a->closed_head && a->closed_head->last_us + CLOSED_LINGER_US < now)
		finish_flow(a, a->closed_head);
}

static void on_packet(struct analyzer *a, const struct pcap_pkthdr *h, const uint8_t *data)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	struct pkt p, whole;
	int rc;

	a->st->packets++;
	rc = decode_packet(a->dlt, data, h->caplen, &p);
	if (rc == DECODE_FRAGMENT) {
		a->st->fragments++;
		if (ipfrag_add(&a->frag, &p, ts, &whole) != 1)
			return;
		p = whole;
		rc = DECODE_OK;
	}
	if (rc == DECODE_NOT_IP) {
		a->st->not_ip++;
		return;
	}
	if (rc != DECODE_OK) {
		a->st->bad_packets++;
		return;
	}
	add_packet(a, &p, ts);
	if ((a->st->packets & 1023) == 0)
		expire(a, ts);
}

/* ---- records ------------------------------------------------------------ */

static void take_stream(struct record *r, int dir, const struct reasm *rs, uint8_t **out,
			size_t *outlen)
{
	struct reasm_gap gaps[RECORD_MAX_GAPS];
	struct buf b = {0};
	unsigned total = 0;
	bool trunc = false;

	reasm_finish(rs, &b, gaps, RECORD_MAX_GAPS, &total, &trunc);
	*out = b.p;
	*outlen = b.len;
	r->truncated |= trunc;
	r->gaps_total += total;
	for (unsigned i = 0; i < total && i < RECORD_MAX_GAPS && r->ngaps < RECORD_MAX_GAPS; i++) {
		r->gaps[r->ngaps].dir = (uint8_t)dir;
		r->gaps[r->ngaps].offset = gaps[i].offset;
		r->gaps[r->ngaps].len = gaps[i].len;
		r->ngaps++;
	}
}

static void take_dgrams(struct record *r, struct buf *b, bool trunc, uint8_t **out, size_t *len)
{
	*out = b->p;
	*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	r->truncated |= trunc;
}

static int client_side(const struct aflow *f)
{
	if (f->syn_from >= 0)
		return f->syn_from;
	if (f->synack_to >= 0)
		return f->synack_to;
	return f->first_from < 0 ? 0 : f->first_from;
}

static void fill_record(struct analyzer *a, struct aflow *f, struct record *r)
{
	int c = client_side(f), s = !c;
	char sa[ADDR_STRLEN], da[ADDR_STRLEN];

	snprintf(r->s3path, sizeof(r->s3path), "%s", a->uri);
	snprintf(r->sensor, sizeof(r->sensor), "%s", a->sensor);
	snprintf(r->flow_end, sizeof(r->flow_end), "%s", a->flow_end);
	r->init_ts = (double)f->first_us / 1e6;
	r->last_ts = (double)f->last_us / 1e6;
	r->src.family = r->dst.family = f->key.family;
	memcpy(r->src.b, f->key.addr[c], 16);
	memcpy(r->dst.b, f->key.addr[s], 16);
	r->sport = f->key.port[c];
	r->dport = f->key.port[s];
	r->proto = f->key.proto;
	r->client_packets = f->packets[c];
	r->server_packets = f->packets[s];
	r->packets = f->packets[0] + f->packets[1];
	r->bytes = f->bytes[0] + f->bytes[1];
	r->icmp_type = f->icmp_type;
	r->icmp_code = f->icmp_code;
	if (f->key.proto == 1 || f->key.proto == 58)
		community_id_v1(0, &r->src, &r->dst, r->proto, f->icmp_type, f->icmp_code,
				r->community_id);
	else
		community_id_v1(0, &r->src, &r->dst, r->proto, r->sport, r->dport, r->community_id);
	snprintf(r->flow_key, sizeof(r->flow_key), "%s:%s:%u-%s:%u@%llu",
		 record_proto_name(r->proto), addr_format(&r->src, sa), r->sport,
		 addr_format(&r->dst, da), r->dport, (unsigned long long)f->first_us);
	if (f->key.proto == 6) {
		r->tcp_flags_client = f->flags[c];
		r->tcp_flags_server = f->flags[s];
		r->client_fin = f->rs[c].fin_seen;
		r->client_rst = f->rs[c].rst_seen;
		r->server_fin = f->rs[s].fin_seen;
		r->server_rst = f->rs[s].rst_seen;
		take_stream(r, 0, &f->rs[c], &r->payload, &r->payload_len);
		take_stream(r, 1, &f->rs[s], &r->server_payload, &r->server_payload_len);
		if (f->syn_side == c)
			r->syn = f->syn;
	} else {
		r->first_msg_len = f->first_dgram[c] < f->dgram[c].len ? f->first_dgram[c] : f->dgram[c].len;
		take_dgrams(r, &f->dgram[c], f->dgram_trunc[c], &r->payload, &r->payload_len);
		take_dgrams(r, &f->dgram[s], f->dgram_trunc[s], &r->server_payload,
			    &r->server_payload_len);
	}
}

static void finish_flow(struct analyzer *a, struct aflow *f)
{
	struct record *r = &a->rec;

	flow_unhash(a, f);
	record_free(r);
	record_init(r);
	fill_record(a, f, r);
	if (a->hook)
		a->hook(a->hook_user, r);
	for (int i = 0; i < a->nsinks; i++)
		if (sink_write(a->sinks[i], r) && !a->sink_err)
			a->sink_err = -EIO;
	a->st->records++;
	flow_free(f);
}

static void finish_all(struct analyzer *a)
{
	while (a->lru_head || a->closed_head)
		finish_flow(a, a->lru_head ? a->lru_head : a->closed_head);
}

/* ---- files -------------------------------------------------------------- */

static pcap_t *open_input(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	if (!strcmp(path, "-"))
		p = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	else
		p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	/* libpcap names the file itself when it cannot open it. */
	if (!p && !strncmp(ebuf, path, strlen(path)))
		snprintf(err, errlen, "%s", ebuf);
	else if (!p)
		snprintf(err, errlen, "%s: %s", path, ebuf);
	return p;
}

static int read_packets(struct analyzer *a, pcap_t *p, const char *path, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		on_packet(a, h, data);
	if (rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s (the packets before it were analysed)", path,
			 pcap_geterr(p));
		return -EIO;
	}
	return 0;
}

static int analyze_pcap(struct analyzer *a, pcap_t *p, const char *name,
			struct analyze_file_stats *st, char *err, size_t errlen)
{
	int ret;

	a->dlt = pcap_datalink(p);
	if (!decode_link_supported(a->dlt)) {
		snprintf(err, errlen, "%s: link type %s (%d) is not supported", name,
			 pcap_datalink_val_to_name(a->dlt) ? pcap_datalink_val_to_name(a->dlt) : "?",
			 a->dlt);
		st->skipped = 1;
		pcap_close(p);
		return -EPROTONOSUPPORT;
	}
	ret = read_packets(a, p, name, err, errlen);
	if (ret)
		st->skipped = 1;
	pcap_close(p);
	finish_all(a);
	if (a->commit_each)
		analyzer_commit(a);
	if (a->sink_err && !ret) {
		snprintf(err, errlen, "%s: %s", name,
			 a->nsinks ? sink_errmsg(a->sinks[0]) : "sink failed");
		ret = a->sink_err;
	}
	return ret;
}

static void begin_object(struct analyzer *a, const char *uri, const char *sensor,
			 const char *flow_end, struct analyze_file_stats *st)
{
	a->st = st;
	a->uri = uri ? uri : "";
	a->sensor = sensor ? sensor : "";
	a->flow_end = flow_end ? flow_end : "";
	a->sink_err = 0;
}

int analyzer_file(struct analyzer *a, const char *path, const char *uri, const char *sensor,
		  const char *flow_end, struct analyze_file_stats *st, char *err, size_t errlen)
{
	pcap_t *p;

	begin_object(a, uri, sensor, flow_end, st);
	p = open_input(path, err, errlen);
	if (!p) {
		st->skipped = 1;
		return -EINVAL;
	}
	return analyze_pcap(a, p, path, st, err, errlen);
}

int analyzer_stream(struct analyzer *a, FILE *f, const char *name, const char *uri,
		    const char *sensor, const char *flow_end, struct analyze_file_stats *st,
		    char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	begin_object(a, uri, sensor, flow_end, st);
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (!p) {
		snprintf(err, errlen, "%s: %s", name, ebuf);
		st->skipped = 1;
		fclose(f);
		return -EINVAL;
	}
	return analyze_pcap(a, p, name, st, err, errlen);
}

int analyzer_commit(struct analyzer *a)
{
	for (int i = 0; i < a->nsinks; i++)
		if (sink_commit(a->sinks[i]) && !a->sink_err)
			a->sink_err = -EIO;
	return a->sink_err;
}

void analyzer_commit_each(struct analyzer *a, bool on)
{
	a->commit_each = on;
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	finish_all(a);
	ipfrag_free(&a->frag);
	record_free(&a->rec);
	free(a);
}
