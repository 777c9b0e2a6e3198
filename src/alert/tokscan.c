/* Honeytoken detection: one Aho-Corasick pass per direction, then exact
 * confirmation of the few forms whose prefix was seen.  See tokscan.h. */
#include "alert/tokscan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include <sys/random.h>

#include "analyze/record.h"
#include "core/siphash.h"
#include "core/json.h"
#include "rules/aho.h"
#include "sink/sqlite.h"

#define TOKSCAN_RECENT 4096

struct tokscan_pat {
	uint32_t aho_id, tok, off, len;
	uint8_t form, nocase;
};

struct tokscan {
	struct aho *aho;
	struct token *toks;
	size_t ntok;
	struct tokscan_pat *pats; /* sorted by aho_id */
	size_t npat, patcap;
	uint32_t *first; /* per aho id: index of its first pattern */
	struct buf blob; /* every form's bytes */
	uint8_t *seen;
	uint32_t *found;
	/* (token, connection) pairs alerted lately: a connection the sensor
	 * split into several objects (idle gaps in retransmissions) is one
	 * use, one alert.  Survives reloads. */
	struct siphash_key rkey;
	uint64_t recent[TOKSCAN_RECENT];
	unsigned recent_next;
	/* tokscan_open only */
	sqlite3 *db;
	sqlite3_stmt *dv; /* PRAGMA data_version, prepared once */
	int data_version;
	char stamp[96];
};

const char *tokscan_form_name(uint8_t form)
{
	return form == TOKSCAN_URL ? "url" : form == TOKSCAN_BASE64 ? "base64" : "plain";
}

/* ---- forms ---- */

/* enc 0: all but RFC 3986 unreserved; 1: encodeURIComponent (also keeps
 * !*'()); 2: Python's quote (also keeps '/'). */
static void tokscan_urlenc(const char *s, size_t n, int enc, struct buf *o)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
		if ((enc == 1 && strchr("!*'()", c) && c) || (enc == 2 && c == '/'))
			keep = 1;
		if (keep)
			buf_putc(o, c);
		else
			buf_putc(o, '%'), buf_putc(o, hex[c >> 4]), buf_putc(o, hex[c & 15]);
	}
}

/* The base64 characters of s that do not depend on its neighbours when s
 * starts k bytes into a 3-byte group: char i covers bits [6i, 6i + 6) of
 * the k zero bytes + s, and is kept iff all of them lie inside s. */
static void tokscan_b64(const char *s, size_t n, unsigned k, int url, struct buf *o)
{
	const char *al = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			     : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t bits = 8 * (k + n), start = (8 * k + 5) / 6, end = bits / 6;

	for (size_t i = start; i < end; i++) {
		size_t bit = 6 * i, byte = bit / 8, sh = bit % 8;
		unsigned v, b0 = byte >= k ? (unsigned char)s[byte - k] : 0;
		unsigned b1 = byte + 1 >= k && byte + 1 - k < n ? (unsigned char)s[byte + 1 - k] : 0;

		v = ((b0 << 8 | b1) >> (10 - sh)) & 63;
		buf_putc(o, al[v]);
	}
}

int tokscan_forms(const char *str, size_t n,
		  int (*fn)(void *user, const char *form, size_t len, enum tokscan_form f),
		  void *user)
{
	struct buf seen[16] = {{0}};
	int nseen = 0, ret = 0;

	for (int v = 0; v < 10 && !ret; v++) {
		struct buf *b = &seen[nseen];
		enum tokscan_form f = v == 0 ? TOKSCAN_PLAIN : v < 4 ? TOKSCAN_URL : TOKSCAN_BASE64;
		int dup = 0;

		buf_reset(b);
		if (v == 0)
			buf_append(b, str, n);
		else if (v < 4)
			tokscan_urlenc(str, n, v - 1, b);
		else
			tokscan_b64(str, n, (unsigned)(v - 4) % 3, v >= 7, b);
		if (!b->p || b->len < TOKSCAN_MIN_LEN)
			continue;
		for (int i = 0; i < nseen && !dup; i++)
			dup = seen[i].len == b->len && !memcmp(seen[i].p, b->p, b->len);
		if (dup)
			continue;
		nseen++;
		ret = fn(user, (const char *)b->p, b->len, f);
	}
	for (int i = 0; i < 16; i++)
		buf_free(&seen[i]);
	return ret;
}

/* ---- building ---- */

struct tokscan_add_ctx {
	struct tokscan *s;
	uint32_t tok;
	uint8_t nocase;
};

static int tokscan_add_form(void *user, const char *form, size_t len, enum tokscan_form f)
{
	struct tokscan_add_ctx *c = user;
	struct tokscan *s = c->s;
	struct tokscan_pat *p;
	int id;

	if (s->npat == s->patcap) {
		size_t nc = s->patcap ? s->patcap * 2 : 64;
		struct tokscan_pat *np = realloc(s->pats, nc * sizeof(*np));
		if (!np)
			return -ENOMEM;
		s->pats = np;
		s->patcap = nc;
	}
	id = aho_add(s->aho, (const uint8_t *)form, len < TOKSCAN_PREFIX ? len : TOKSCAN_PREFIX);
	if (id < 0)
		return id;
	p = &s->pats[s->npat++];
	*p = (struct tokscan_pat){.aho_id = (uint32_t)id, .tok = c->tok, .off = (uint32_t)s->blob.len,
				  .len = (uint32_t)len, .form = (uint8_t)f, .nocase = c->nocase};
	return buf_append(&s->blob, form, len);
}

static int tokscan_add_str(struct tokscan_add_ctx *c, const char *str)
{
	size_t n = strlen(str);

	if (n < TOKSCAN_MIN_LEN)
		return 0;
	return tokscan_forms(str, n, tokscan_add_form, c);
}

static int tokscan_pat_cmp(const void *a, const void *b)
{
	const struct tokscan_pat *x = a, *y = b;

	return x->aho_id < y->aho_id ? -1 : x->aho_id > y->aho_id ? 1 : 0;
}

static int tokscan_index(struct tokscan *s)
{
	size_t np = aho_npatterns(s->aho);

	if (s->npat) /* no tokens: pats is NULL, and qsort(NULL, 0) is still UB */
		qsort(s->pats, s->npat, sizeof(*s->pats), tokscan_pat_cmp);
	s->first = calloc(np + 1, sizeof(*s->first));
	s->seen = calloc((np + 7) / 8 + 1, 1);
	s->found = calloc(np + 1, sizeof(*s->found));
	if (!s->first || !s->seen || !s->found)
		return -ENOMEM;
	for (size_t i = s->npat; i-- > 0;)
		s->first[s->pats[i].aho_id] = (uint32_t)i;
	return 0;
}

static void tokscan_clear(struct tokscan *s)
{
	aho_free(s->aho);
	free(s->toks);
	free(s->pats);
	free(s->first);
	free(s->seen);
	free(s->found);
	buf_free(&s->blob);
	s->aho = NULL, s->toks = NULL, s->pats = NULL, s->first = NULL, s->seen = NULL;
	s->found = NULL, s->ntok = s->npat = s->patcap = 0;
}

/* Fills s (empty) with toks. */
static int tokscan_fill(struct tokscan *s, const struct token *toks, size_t n)
{
	int ret;

	if ((ret = aho_new(&s->aho)))
		return ret;
	if (n && !(s->toks = malloc(n * sizeof(*toks))))
		return -ENOMEM;
	if (n)
		memcpy(s->toks, toks, n * sizeof(*toks));
	s->ntok = n;
	for (size_t i = 0; i < n; i++) {
		const struct token *t = &toks[i];
		struct tokscan_add_ctx c = {.s = s, .tok = (uint32_t)i,
					    .nocase = !strcmp(t->kind, "dns")};
		/* dns: the random label alone also matches the wire format. */
		ret = tokscan_add_str(&c, t->value) ?: tokscan_add_str(&c, t->secret)
			?: tokscan_add_str(&c, t->key_id);
		if (ret)
			return ret;
	}
	if (s->npat && (ret = aho_compile(s->aho)))
		return ret;
	return tokscan_index(s);
}

/* True the first time (token, connection of r) is seen lately. */
static int tokscan_first_use(struct tokscan *s, const struct token *t, const struct record *r)
{
	struct {
		char id[TOKEN_ID_LEN];
		uint8_t src[16], dst[16];
		uint16_t sport, dport;
		uint8_t proto;
	} k;
	uint64_t h;

	memset(&k, 0, sizeof(k));
	memcpy(k.id, t->id, sizeof(k.id));
	memcpy(k.src, r->src.b, 16);
	memcpy(k.dst, r->dst.b, 16);
	k.sport = r->sport, k.dport = r->dport, k.proto = r->proto;
	h = siphash24(&s->rkey, &k, sizeof(k)) | 1;
	for (unsigned i = 0; i < TOKSCAN_RECENT; i++)
		if (s->recent[i] == h)
			return 0;
	s->recent[s->recent_next++ % TOKSCAN_RECENT] = h;
	return 1;
}

static struct tokscan *tokscan_alloc(void)
{
	struct tokscan *s = calloc(1, sizeof(*s));

	if (s && getrandom(&s->rkey, sizeof(s->rkey), 0) != (ssize_t)sizeof(s->rkey)) {
		free(s);
		return NULL;
	}
	return s;
}

int tokscan_build(struct tokscan **out, const struct token *toks, size_t n)
{
	struct tokscan *s = tokscan_alloc();
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if ((ret = tokscan_fill(s, toks, n))) {
		tokscan_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

/* ---- loading from SQLite ---- */

struct tokscan_vec {
	struct token *v;
	size_t n, cap;
};

static int tokscan_collect(void *user, const struct token *t)
{
	struct tokscan_vec *v = user;

	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;
		struct token *nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = *t;
	return 0;
}

static int tokscan_data_version(struct tokscan *s)
{
	int v = -1;

	if (!s->dv && sqlite3_prepare_v3(s->db, "PRAGMA data_version", -1,
					 SQLITE_PREPARE_PERSISTENT, &s->dv, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s->dv) == SQLITE_ROW)
		v = sqlite3_column_int(s->dv, 0);
	sqlite3_reset(s->dv);
	return v;
}

static int tokscan_load(struct tokscan *s)
{
	struct tokscan_vec v = {0};
	struct tokscan fresh = {0};
	int ret = token_db_each(s->db, tokscan_collect, &v);

	if (!ret)
		ret = tokscan_fill(&fresh, v.v, v.n);
	free(v.v);
	if (ret) {
		tokscan_clear(&fresh);
		return ret;
	}
	tokscan_clear(s);
	s->aho = fresh.aho, s->toks = fresh.toks, s->ntok = fresh.ntok, s->pats = fresh.pats;
	s->npat = fresh.npat, s->patcap = fresh.patcap, s->first = fresh.first;
	s->seen = fresh.seen, s->found = fresh.found, s->blob = fresh.blob;
	return 0;
}

int tokscan_refresh(struct tokscan *s)
{
	char stamp[96];
	int dv;

	if (!s->db)
		return 0;
	/* data_version moves when another connection commits anything; only
	 * then is the (slightly dearer) stamp of the tokens table read. */
	dv = tokscan_data_version(s);
	if (dv == s->data_version && s->aho)
		return 0;
	s->data_version = dv;
	if (token_db_stamp(s->db, stamp, sizeof(stamp)))
		return -EIO;
	if (!strcmp(stamp, s->stamp) && s->aho)
		return 0;
	snprintf(s->stamp, sizeof(s->stamp), "%s", stamp);
	return tokscan_load(s);
}

int tokscan_open(struct tokscan **out, const char *db_path, char *err, size_t errlen)
{
	struct tokscan *s = tokscan_alloc();
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->data_version = -2;
	if ((ret = sink_sqlite_open_db(db_path, &s->db, err, errlen)))
		goto out;
	if ((ret = tokscan_refresh(s)))
		snprintf(err, errlen, "tokens in %s: cannot load: %s", db_path, strerror(-ret));
out:
	if (ret)
		tokscan_free(s);
	else
		*out = s;
	return ret;
}

size_t tokscan_count(const struct tokscan *s)
{
	return s->ntok;
}

const struct token *tokscan_token(const struct tokscan *s, uint32_t i)
{
	return i < s->ntok ? &s->toks[i] : NULL;
}

/* ---- scanning ---- */

static uint8_t tokscan_fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* memmem, ASCII case-insensitive (DNS names). */
static const uint8_t *tokscan_memcasemem(const uint8_t *h, size_t hn, const uint8_t *n, size_t nn)
{
	for (size_t i = 0; nn && i + nn <= hn; i++) {
		size_t j = 0;
		while (j < nn && tokscan_fold(h[i + j]) == tokscan_fold(n[j]))
			j++;
		if (j == nn)
			return h + i;
	}
	return NULL;
}

static void tokscan_note_hit(struct tokscan_hit *hits, size_t *nh, size_t max, uint32_t tok,
			     uint8_t dir, uint8_t form, uint64_t off)
{
	for (size_t i = 0; i < *nh; i++)
		if (hits[i].tok == tok && hits[i].dir == dir) {
			if (off < hits[i].offset)
				hits[i].offset = off, hits[i].form = form;
			return;
		}
	if (*nh < max)
		hits[(*nh)++] = (struct tokscan_hit){.tok = tok, .dir = dir, .form = form, .offset = off};
}

size_t tokscan_scan(struct tokscan *s, const uint8_t *p, size_t n, uint8_t dir,
		    struct tokscan_hit *hits, size_t max)
{
	size_t np, nf, nh = 0;

	if (!s->npat || !p || !n)
		return 0;
	np = aho_npatterns(s->aho);
	memset(s->seen, 0, (np + 7) / 8 + 1);
	nf = aho_scan(s->aho, p, n, s->seen, s->found);
	for (size_t f = 0; f < nf; f++) {
		for (size_t i = s->first[s->found[f]]; i < s->npat && s->pats[i].aho_id == s->found[f];
		     i++) {
			const struct tokscan_pat *pt = &s->pats[i];
			const uint8_t *pat = s->blob.p + pt->off, *at;

			at = pt->nocase ? tokscan_memcasemem(p, n, pat, pt->len)
					: memmem(p, n, pat, pt->len);
			if (at)
				tokscan_note_hit(hits, &nh, max, pt->tok, dir, pt->form,
						 (uint64_t)(at - p));
		}
	}
	return nh;
}

/* ---- records and alerts ---- */

static void tokscan_fmt_time(double ts, char *out, size_t n)
{
	time_t t = (time_t)ts;
	struct tm tm;

	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

static int tokscan_detail(const struct token *t, const struct tokscan_hit *h, const char *src,
			  double ts, struct buf *out, struct buf *tmp)
{
	char t1[32], t2[32];
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kcstr(&j, "dir", h->dir == TOKSCAN_SERVER ? "server" : "client");
	json_ku64(&j, "offset", h->offset);
	json_kcstr(&j, "form", tokscan_form_name(h->form));
	if (t->format[0])
		json_kcstr(&j, "format", t->format);
	if (t->minted_for[0]) {
		tokscan_fmt_time(t->minted_ts, t1, sizeof(t1));
		tokscan_fmt_time(ts, t2, sizeof(t2));
		json_kcstr(&j, "fetched_by", t->minted_for);
		json_kdouble(&j, "fetched_ts", t->minted_ts);
		if (t->minted_uri[0])
			json_kcstr(&j, "fetched_uri", t->minted_uri);
		json_kcstr(&j, "used_by", src);
		json_kdouble(&j, "used_ts", ts);
		json_key(&j, "link");
		buf_reset(tmp);
		buf_printf(tmp, "fetched by %s at %s, used by %s at %s", t->minted_for, t1, src, t2);
		json_val_str(&j, tmp->p, tmp->len);
	}
	json_obj_end(&j);
	return json_finish(&j);
}

static void tokscan_alert(const struct record *r, const struct token *t,
			  const struct tokscan_hit *h, alert_fn fn, void *user)
{
	struct alert a = {.kind = ALERT_TOKEN, .ts = r->init_ts, .src_port = r->sport,
			  .dst_port = r->dport};
	struct buf d[2] = {{0}, {0}};
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];

	addr_format(&r->src, src);
	addr_format(&r->dst, dst);
	snprintf(a.src_addr, sizeof(a.src_addr), "%s", src);
	snprintf(a.dst_addr, sizeof(a.dst_addr), "%s", dst);
	snprintf(a.proto, sizeof(a.proto), "%s", record_proto_name(r->proto));
	snprintf(a.token_id, sizeof(a.token_id), "%s", t->id);
	snprintf(a.token_kind, sizeof(a.token_kind), "%s", t->kind);
	snprintf(a.note, sizeof(a.note), "%s", t->note);
	snprintf(a.uri, sizeof(a.uri), "%.*s", (int)strnlen(r->s3path, sizeof(r->s3path)), r->s3path);
	snprintf(a.community_id, sizeof(a.community_id), "%.*s",
		 (int)strnlen(r->community_id, sizeof(r->community_id)), r->community_id);
	buf_printf(&d[1], "honeytoken %s (%s%s%s) seen %s, %s:%u -> %s:%u%s%s", t->id, t->kind,
		   t->note[0] ? ": " : "", t->note,
		   h->dir == TOKSCAN_SERVER ? "in server bytes" : "sent by the client", src, r->sport,
		   dst, r->dport, t->minted_for[0] ? "; bait fetched by " : "", t->minted_for);
	if (d[1].p) {
		size_t l = d[1].len < sizeof(a.summary) - 1 ? d[1].len : sizeof(a.summary) - 1;
		memcpy(a.summary, d[1].p, l);
		a.summary[l] = 0;
	}
	if (!tokscan_detail(t, h, src, r->init_ts, &d[0], &d[1]))
		a.detail = buf_cstr(&d[0]);
	fn(user, &a);
	buf_free(&d[0]);
	buf_free(&d[1]);
}

static int tokscan_put_json(struct tokscan *s, struct record *r, const struct tokscan_hit *h,
			    size_t nh)
{
	struct buf b = {0};
	struct json j;
	int ret;

	json_init(&j, &b);
	json_raw(&j, ",\"tokens\":", 10);
	json_arr_begin(&j);
	for (size_t i = 0; i < nh; i++) {
		const struct token *t = &s->toks[h[i].tok];
		json_obj_begin(&j);
		json_kcstr(&j, "id", t->id);
		json_kcstr(&j, "kind", t->kind);
		if (t->note[0])
			json_kcstr(&j, "note", t->note);
		json_kcstr(&j, "dir", h[i].dir == TOKSCAN_SERVER ? "server" : "client");
		json_ku64(&j, "offset", h[i].offset);
		json_kcstr(&j, "form", tokscan_form_name(h[i].form));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	ret = json_finish(&j) ?: buf_append(&r->extra, b.p, b.len);
	buf_free(&b);
	return ret;
}

int tokscan_record(struct tokscan *s, struct record *r, alert_fn fn, void *user)
{
	struct tokscan_hit h[TOKSCAN_MAX_HITS], keep[TOKSCAN_MAX_HITS];
	size_t nh, nk = 0;
	char src[ADDR_STRLEN];

	nh = tokscan_scan(s, r->payload, r->payload_len, TOKSCAN_CLIENT, h, TOKSCAN_MAX_HITS);
	nh += tokscan_scan(s, r->server_payload, r->server_payload_len, TOKSCAN_SERVER, h + nh,
			   TOKSCAN_MAX_HITS - nh);
	if (!nh)
		return 0;
	addr_format(&r->src, src);
	for (size_t i = 0; i < nh; i++) {
		const struct token *t = &s->toks[h[i].tok];
		/* The sensor delivering per-visitor bait is not a use of it. */
		if (h[i].dir == TOKSCAN_SERVER && t->minted_for[0] && !strcmp(t->minted_for, src))
			continue;
		keep[nk++] = h[i];
	}
	if (!nk || tokscan_put_json(s, r, keep, nk))
		return 0;
	/* One alert per token: its first hit (client bytes before server's). */
	for (size_t i = 0; fn && i < nk; i++) {
		size_t k = 0;
		while (k < i && keep[k].tok != keep[i].tok)
			k++;
		if (k == i && tokscan_first_use(s, &s->toks[keep[i].tok], r))
			tokscan_alert(r, &s->toks[keep[i].tok], &keep[i], fn, user);
	}
	return (int)nk;
}

void tokscan_free(struct tokscan *s)
{
	if (!s)
		return;
	tokscan_clear(s);
	sqlite3_finalize(s->dv);
	sqlite3_close(s->db);
	free(s);
}
