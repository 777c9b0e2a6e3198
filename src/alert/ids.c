/* IDS mode: records to contact observations and tag alerts (on the
 * analyzer's thread), and the per-source aggregation (on the hub's). */
#include "alert/ids.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/hub.h"
#include "analyze/analyzer.h"
#include "analyze/record.h"
#include "core/buf.h"
#include "core/json.h"

/* ---- the record hook ---- */

struct alert_ids {
	struct alert_hub *hub;
	analyzer_hook_fn next;
	void *next_user;
};

static void ids_hook(void *user, struct record *r)
{
	struct alert_ids *ids = user;

	if (ids->next)
		ids->next(ids->next_user, r);
	alert_ids_record(ids->hub, r);
}

int alert_ids_attach(struct analyzer *a, struct alert_hub *hub, struct alert_ids **out)
{
	struct alert_ids *ids = calloc(1, sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	ids->hub = hub;
	analyzer_get_hook(a, &ids->next, &ids->next_user);
	analyzer_set_hook(a, ids_hook, ids);
	*out = ids;
	return 0;
}

void alert_ids_free(struct alert_ids *ids)
{
	free(ids);
}

static void record_alert(const struct record *r, enum alert_kind kind, struct alert *a)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN];

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->ts = r->init_ts;
	snprintf(a->src_addr, sizeof(a->src_addr), "%s", addr_format(&r->src, s));
	snprintf(a->dst_addr, sizeof(a->dst_addr), "%s", addr_format(&r->dst, d));
	a->src_port = r->sport;
	a->dst_port = r->dport;
	snprintf(a->proto, sizeof(a->proto), "%s", record_proto_name(r->proto));
	snprintf(a->uri, sizeof(a->uri), "%s", r->s3path);
	snprintf(a->community_id, sizeof(a->community_id), "%s", r->community_id);
}

static bool tag_chosen(const struct alert_hub_cfg *cfg, const char *tag)
{
	if (!cfg->ntags)
		return true;
	for (unsigned i = 0; i < cfg->ntags; i++)
		if (!strcmp(cfg->tags[i], tag))
			return true;
	return false;
}

static void raise_tags(struct alert_hub *hub, const struct alert_hub_cfg *cfg,
		       const struct record *r)
{
	struct alert a;

	for (unsigned i = 0; i < r->ntags; i++) {
		if (!tag_chosen(cfg, r->tags[i]))
			continue;
		record_alert(r, ALERT_TAG, &a);
		snprintf(a.tag, sizeof(a.tag), "%s", r->tags[i]);
		snprintf(a.summary, sizeof(a.summary), "%s -> %s %s/%u: tag %s%s%s%s", a.src_addr,
			 a.dst_addr, a.proto, a.dst_port, a.tag, r->service[0] ? " (" : "",
			 r->service, r->service[0] ? ")" : "");
		alert_raise(hub, &a);
	}
}

void alert_ids_record(struct alert_hub *hub, const struct record *r)
{
	const struct alert_hub_cfg *cfg = alert_hub_config(hub);
	const char *tags[RECORD_MAX_TAGS];
	char src[ADDR_STRLEN];
	struct alert_subject subj = {.kind = ALERT_CONTACT,
				     .src = addr_format(&r->src, src),
				     .dst_port = r->dport,
				     .tags = tags,
				     .ntags = r->ntags,
				     .token_id = ""};
	struct alert a;

	for (unsigned i = 0; i < r->ntags && i < RECORD_MAX_TAGS; i++)
		tags[i] = r->tags[i];
	if (cfg->on_any) {
		if (alert_hub_ignored(hub, &subj)) {
			alert_hub_count_ignored(hub);
		} else {
			record_alert(r, ALERT_CONTACT, &a);
			alert_hub_contact(hub, &a);
		}
	}
	subj.kind = ALERT_TAG;
	if (cfg->on_tags && r->ntags) {
		if (alert_hub_ignored(hub, &subj))
			alert_hub_count_ignored(hub);
		else
			raise_tags(hub, cfg, r);
	}
}

/* ---- aggregation per source and window ---- */

#define AGG_BUCKETS 4096
#define AGG_MAX_SOURCES 65536
#define AGG_SMALL_PORTS 16
#define AGG_MAX_DSTS 16

struct agg_src {
	struct agg_src *next;
	char src[64];
	double first_ts, last_ts, opened, seen; /* seen: last observation, wall */
	unsigned long long flows;
	unsigned nports, nsmall;
	uint16_t small[AGG_SMALL_PORTS];
	uint64_t *bits;	 /* all 65536 ports, once more than AGG_SMALL_PORTS */
	unsigned protos; /* bit 0 tcp, 1 udp, 2 icmp, 3 other */
	char dsts[AGG_MAX_DSTS][64];
	unsigned ndsts; /* distinct, counted up to AGG_MAX_DSTS, then "more" */
	bool more_dsts;
	char uri[1024]; /* first flow's object */
};

struct alert_agg {
	struct agg_src *b[AGG_BUCKETS];
	unsigned n;
	unsigned window_s;
	unsigned long long overflow;
	alert_agg_emit_fn emit;
	void *user;
};

int alert_agg_new(struct alert_agg **out, unsigned window_s, alert_agg_emit_fn emit, void *user)
{
	struct alert_agg *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->window_s = window_s ? window_s : 1;
	g->emit = emit;
	g->user = user;
	*out = g;
	return 0;
}

static unsigned bucket(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a: sources are few, keys short */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % AGG_BUCKETS;
}

static bool port_has(const struct agg_src *e, unsigned p)
{
	if (e->bits)
		return e->bits[p >> 6] >> (p & 63) & 1;
	for (unsigned i = 0; i < e->nsmall; i++)
		if (e->small[i] == p)
			return true;
	return false;
}

static void port_add(struct agg_src *e, unsigned p)
{
	if (port_has(e, p))
		return;
	if (!e->bits && e->nsmall == AGG_SMALL_PORTS) {
		if (!(e->bits = calloc(65536 / 64, sizeof(uint64_t))))
			return; /* out of memory: the count stays a lower bound */
		for (unsigned i = 0; i < e->nsmall; i++)
			e->bits[e->small[i] >> 6] |= 1ull << (e->small[i] & 63);
	}
	if (e->bits)
		e->bits[p >> 6] |= 1ull << (p & 63);
	else
		e->small[e->nsmall++] = (uint16_t)p;
	e->nports++;
}

static void dst_add(struct agg_src *e, const char *d)
{
	for (unsigned i = 0; i < e->ndsts; i++)
		if (!strcmp(e->dsts[i], d))
			return;
	if (e->ndsts == AGG_MAX_DSTS) {
		e->more_dsts = true;
		return;
	}
	snprintf(e->dsts[e->ndsts++], sizeof(e->dsts[0]), "%s", d);
}

static unsigned proto_bit(const char *p)
{
	return !strcmp(p, "tcp") ? 1 : !strcmp(p, "udp") ? 2 : !strncmp(p, "icmp", 4) ? 4 : 8;
}

/* "1-200,443,8080" into out, cut with "..." beyond max characters. */
static int port_ranges(const struct agg_src *e, struct buf *out, size_t max)
{
	size_t start = out->len;
	int ret = 0;
	long lo = -1;

	for (unsigned p = 0; p <= 65536 && !ret; p++) {
		bool in = p < 65536 && port_has(e, p);
		if (in && lo < 0)
			lo = p;
		if (!in && lo >= 0) {
			if (out->len - start > max) {
				ret = buf_puts(out, ",...");
				break;
			}
			ret = out->len > start ? buf_putc(out, ',') : 0;
			ret = ret		  ? ret
			      : lo == (long)p - 1 ? buf_printf(out, "%ld", lo)
						  : buf_printf(out, "%ld-%u", lo, p - 1);
			lo = -1;
		}
	}
	return ret;
}

static const char *classify(const struct agg_src *e)
{
	unsigned nd = e->ndsts + (e->more_dsts ? 1 : 0);

	if (!e->nports)
		return e->protos == 4 ? "ping" : "contact";
	if (nd <= 1)
		return e->nports == 1	? "single port contact"
		       : e->nports < 10 ? "probe of a few ports"
					: "port scan";
	return e->nports <= 3 ? "sweep" : "network scan";
}

static void protos_text(unsigned m, char *out, size_t n)
{
	static const char *const names[] = {"tcp", "udp", "icmp", "other"};
	size_t k = 0;

	out[0] = 0;
	for (int i = 0; i < 4; i++)
		if (m & (1u << i))
			k += snprintf(out + k, n - k, "%s%s", k ? "/" : "", names[i]);
}

static int agg_detail(const struct agg_src *e, const char *cls, const char *ranges, struct buf *d)
{
	struct json j;

	json_init(&j, d);
	json_obj_begin(&j);
	json_kcstr(&j, "class", cls);
	json_ku64(&j, "flows", e->flows);
	json_ku64(&j, "port_count", e->nports);
	json_kcstr(&j, "ports", ranges);
	json_ku64(&j, "dst_count", e->ndsts);
	json_kbool(&j, "more_dsts", e->more_dsts);
	json_key(&j, "dsts");
	json_arr_begin(&j);
	for (unsigned i = 0; i < e->ndsts; i++)
		json_val_cstr(&j, e->dsts[i]);
	json_arr_end(&j);
	json_kdouble(&j, "first_ts", e->first_ts);
	json_kdouble(&j, "last_ts", e->last_ts);
	json_kcstr(&j, "first_uri", e->uri);
	json_obj_end(&j);
	return json_finish(&j);
}

static void agg_emit(struct alert_agg *g, const struct agg_src *e)
{
	struct buf ranges = {0}, detail = {0};
	const char *cls = classify(e);
	char protos[32], where[96];
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.kind = ALERT_CONTACT;
	a.ts = e->first_ts;
	snprintf(a.src_addr, sizeof(a.src_addr), "%s", e->src);
	if (e->ndsts == 1 && !e->more_dsts)
		snprintf(a.dst_addr, sizeof(a.dst_addr), "%s", e->dsts[0]);
	protos_text(e->protos, protos, sizeof(protos));
	if (!(e->protos & (e->protos - 1)))
		snprintf(a.proto, sizeof(a.proto), "%s", protos);
	if (e->nports == 1)
		a.dst_port = e->small[0];
	if (port_ranges(e, &ranges, 1500) || !buf_cstr(&ranges))
		buf_reset(&ranges);
	if (e->ndsts == 1 && !e->more_dsts)
		snprintf(where, sizeof(where), "%s", e->dsts[0]);
	else
		snprintf(where, sizeof(where), "%s%u addresses", e->more_dsts ? "over " : "",
			 e->ndsts);
	if (e->nports)
		snprintf(a.summary, sizeof(a.summary),
			 "%s probed %u port%s on %s in %.0f s: %s (%s %.200s)", e->src, e->nports,
			 e->nports == 1 ? "" : "s", where, e->last_ts - e->first_ts, cls, protos,
			 ranges.len ? buf_cstr(&ranges) : "");
	else
		snprintf(a.summary, sizeof(a.summary), "%s sent %llu %s flow%s to %s in %.0f s: %s",
			 e->src, e->flows, protos, e->flows == 1 ? "" : "s", where,
			 e->last_ts - e->first_ts, cls);
	if (!agg_detail(e, cls, ranges.len ? buf_cstr(&ranges) : "", &detail))
		a.detail = buf_cstr(&detail);
	g->emit(g->user, &a);
	buf_free(&ranges);
	buf_free(&detail);
}

static void agg_drop(struct alert_agg *g, struct agg_src **pp)
{
	struct agg_src *e = *pp;

	*pp = e->next;
	free(e->bits);
	free(e);
	g->n--;
}

static struct agg_src *agg_find(struct alert_agg *g, const char *src, struct agg_src ***where)
{
	struct agg_src **pp = &g->b[bucket(src)];

	for (; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->src, src))
			break;
	*where = pp;
	return *pp;
}

void alert_agg_add(struct alert_agg *g, const struct alert *a, double now)
{
	struct agg_src **pp, *e = agg_find(g, a->src_addr, &pp);

	/* a flow that starts after the window (flow time) opens the next one */
	if (e && a->ts >= e->first_ts + g->window_s) {
		agg_emit(g, e);
		agg_drop(g, pp);
		e = NULL;
	}
	if (!e) {
		if (g->n >= AGG_MAX_SOURCES || !(e = calloc(1, sizeof(*e)))) {
			g->overflow++;
			return;
		}
		snprintf(e->src, sizeof(e->src), "%s", a->src_addr);
		e->first_ts = e->last_ts = a->ts;
		e->opened = now;
		snprintf(e->uri, sizeof(e->uri), "%s", a->uri);
		e->next = g->b[bucket(a->src_addr)];
		g->b[bucket(a->src_addr)] = e;
		g->n++;
	}
	e->flows++;
	e->seen = now;
	if (a->ts < e->first_ts)
		e->first_ts = a->ts;
	if (a->ts > e->last_ts)
		e->last_ts = a->ts;
	e->protos |= proto_bit(a->proto);
	if (a->dst_port && (!strcmp(a->proto, "tcp") || !strcmp(a->proto, "udp")))
		port_add(e, a->dst_port);
	if (a->dst_addr[0])
		dst_add(e, a->dst_addr);
}

/* A window is done once it is window_s old and its source has been quiet
 * for a while: the records of one burst reach us over the time analysis
 * takes (scans files, idle timeouts), and one scan should stay one alert.
 * A source that never goes quiet is cut at max(4 windows, 120 s); a long
 * scan is split anyway by flow time in alert_agg_add. */
static bool agg_done(const struct alert_agg *g, const struct agg_src *e, double now)
{
	double quiet = g->window_s < 10 ? g->window_s : 10;
	double cap = 4.0 * g->window_s > 120 ? 4.0 * g->window_s : 120;

	return now - e->opened >= cap || (now - e->opened >= g->window_s && now - e->seen >= quiet);
}

void alert_agg_expire(struct alert_agg *g, double now, bool all)
{
	for (unsigned i = 0; i < AGG_BUCKETS && g->n; i++) {
		struct agg_src **pp = &g->b[i];
		while (*pp) {
			if (all || agg_done(g, *pp, now)) {
				agg_emit(g, *pp);
				agg_drop(g, pp);
			} else {
				pp = &(*pp)->next;
			}
		}
	}
}

unsigned long long alert_agg_overflow(const struct alert_agg *g)
{
	return g->overflow;
}

void alert_agg_free(struct alert_agg *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < AGG_BUCKETS; i++)
		while (g->b[i])
			agg_drop(g, &g->b[i]);
	free(g);
}
