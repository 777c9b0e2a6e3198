/* The alert hub: queue, thread, ignore rules, IDS aggregation, storage,
 * throttling and fan-out to the channels (hub.h has the picture). */
#include "alert/hub.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <sqlite3.h>

#include "alert/chan.h"
#include "alert/ids.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "sink/sqlite.h"

enum { OP_RAISE, OP_FINAL /* aggregated: past the ignore rules */ };

struct hub_item {
	struct hub_item *next;
	int op;
	struct alert a; /* a.detail points into the same allocation or is NULL */
};

#define THR_BUCKETS 4096
#define THR_MAX_KEYS 65536

struct thr_entry {
	struct thr_entry *next;
	unsigned sent;
	unsigned long long suppressed;
	char key[200]; /* kind|src|token or tag */
};

struct alert_hub {
	struct alert_hub_cfg cfg;
	pthread_rwlock_t ign_lock; /* cfg.ignore: SIGHUP replaces it */
	sqlite3 *db;
	struct alert_chan *chans[ALERT_MAX_CHANNELS];
	unsigned nchans;
	/* IDS windows: filled on the analyzer's thread (no queue, no copy per
	 * flow: a -p- scan must not fill the queue), expired on the hub's;
	 * lock order agg_mu, then mu */
	struct alert_agg *agg;
	pthread_mutex_t agg_mu;
	unsigned long long contacts; /* under agg_mu */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct hub_item *head, *tail;
	unsigned qlen;
	int stop, started;
	unsigned long long enqueued, processed;
	struct alert_hub_stats st;
	unsigned long long dropped_logged;
	/* throttling: fixed intervals of cfg.throttle_s */
	struct thr_entry *thr[THR_BUCKETS];
	unsigned nthr;
	unsigned long long thr_overflow;
	double thr_start, last_drop_log;
};

void alert_hub_cfg_defaults(struct alert_hub_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window_s = 60;
	cfg->throttle_n = 5;
	cfg->throttle_s = 300;
	cfg->timeout_s = 10;
	cfg->retries = 3;
	cfg->queue_len = 16384;
}

void alert_hub_cfg_free(struct alert_hub_cfg *cfg)
{
	alert_ignore_free(&cfg->ignore);
	for (unsigned i = 0; i < cfg->nchans; i++)
		free(cfg->chans[i].spec);
	cfg->nchans = 0;
}

bool alert_hub_cfg_active(const struct alert_hub_cfg *cfg)
{
	return cfg->on_any || cfg->on_tags || cfg->nchans;
}

const struct alert_hub_cfg *alert_hub_config(const struct alert_hub *h)
{
	return &h->cfg;
}

static double mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void hub_count(struct alert_hub *h, uint64_t *counter)
{
	pthread_mutex_lock(&h->mu);
	++*counter;
	pthread_mutex_unlock(&h->mu);
}

/* ---- producers' side: copy and queue, never wait ---- */

static void enqueue(struct alert_hub *h, int op, const struct alert *a)
{
	size_t dlen = a->detail ? strlen(a->detail) + 1 : 0;
	struct hub_item *it = malloc(sizeof(*it) + dlen);

	pthread_mutex_lock(&h->mu);
	h->st.raised++;
	if (!it || h->qlen >= h->cfg.queue_len || h->stop) {
		h->st.dropped++;
		pthread_mutex_unlock(&h->mu);
		free(it);
		return;
	}
	it->next = NULL;
	it->op = op;
	it->a = *a;
	it->a.detail = dlen ? memcpy(it + 1, a->detail, dlen) : NULL;
	if (h->tail)
		h->tail->next = it;
	else
		h->head = it;
	h->tail = it;
	h->qlen++;
	h->enqueued++;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

void alert_raise(void *hub, const struct alert *a)
{
	if (hub && a)
		enqueue(hub, OP_RAISE, a);
}

bool alert_hub_ignored(struct alert_hub *h, const struct alert_subject *s)
{
	bool r;

	pthread_rwlock_rdlock(&h->ign_lock);
	r = alert_ignore_match(&h->cfg.ignore, s);
	pthread_rwlock_unlock(&h->ign_lock);
	return r;
}

void alert_hub_reload(struct alert_hub *h, const struct alert_hub_cfg *cfg)
{
	struct alert_ignore ig = {0};

	if (cfg->ignore.n && !(ig.v = malloc(cfg->ignore.n * sizeof(*ig.v)))) {
		log_err("alerts: reload: out of memory; keeping the ignore rules");
		return;
	}
	if (cfg->ignore.n)
		memcpy(ig.v, cfg->ignore.v, cfg->ignore.n * sizeof(*ig.v));
	ig.n = cfg->ignore.n;
	pthread_rwlock_wrlock(&h->ign_lock);
	alert_ignore_free(&h->cfg.ignore);
	h->cfg.ignore = ig;
	pthread_rwlock_unlock(&h->ign_lock);
	log_info("alerts: reloaded %zu ignore rules", ig.n);
	if (cfg->nchans != h->cfg.nchans || cfg->on_any != h->cfg.on_any ||
	    cfg->on_tags != h->cfg.on_tags || cfg->window_s != h->cfg.window_s ||
	    cfg->throttle_n != h->cfg.throttle_n || cfg->throttle_s != h->cfg.throttle_s)
		log_warn("alerts: channels, --alert-on, --alert-window and --alert-throttle change "
			 "only on restart");
}

void alert_hub_count_ignored(struct alert_hub *h)
{
	pthread_mutex_lock(&h->mu);
	h->st.ignored++;
	pthread_mutex_unlock(&h->mu);
}

/* A finished window: queued like any alert, but past the ignore rules. */
static void agg_emit(void *user, const struct alert *a)
{
	enqueue(user, OP_FINAL, a);
}

void alert_hub_contact(struct alert_hub *h, const struct alert *a)
{
	pthread_mutex_lock(&h->agg_mu);
	h->contacts++;
	alert_agg_add(h->agg, a, mono_now());
	pthread_mutex_unlock(&h->agg_mu);
}

/* ---- the hub thread ---- */

static void post_all(struct alert_hub *h, const struct alert_msg *m)
{
	for (unsigned i = 0; i < h->nchans; i++)
		alert_chan_post(h->chans[i], m); /* a full queue counts and logs */
}

/* The summary as text: no control characters, for logs, syslog, subjects. */
static void clean_text(const char *in, char *out, size_t n)
{
	size_t k = 0;

	for (; *in && k + 1 < n; in++)
		out[k++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
	out[k] = 0;
}

static struct thr_entry *thr_get(struct alert_hub *h, const char *key)
{
	uint32_t hash = 2166136261u;
	struct thr_entry *e;

	for (const char *p = key; *p; p++)
		hash = (hash ^ (uint8_t)*p) * 16777619u;
	for (e = h->thr[hash % THR_BUCKETS]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	if (h->nthr >= THR_MAX_KEYS || !(e = calloc(1, sizeof(*e))))
		return NULL;
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->next = h->thr[hash % THR_BUCKETS];
	h->thr[hash % THR_BUCKETS] = e;
	h->nthr++;
	return e;
}

/* true: this alert may go to the channels. */
static bool thr_pass(struct alert_hub *h, const struct alert *a)
{
	char key[200];
	struct thr_entry *e;

	if (!h->cfg.throttle_n)
		return true; /* --alert-throttle 0: no limit */
	snprintf(key, sizeof(key), "%s|%s|%s", alert_kind_name(a->kind), a->src_addr,
		 a->token_id[0] ? a->token_id : a->tag);
	if (!(e = thr_get(h, key))) {
		h->thr_overflow++;
		hub_count(h, &h->st.suppressed);
		return false;
	}
	if (e->sent < h->cfg.throttle_n) {
		e->sent++;
		return true;
	}
	e->suppressed++;
	hub_count(h, &h->st.suppressed);
	return false;
}

static int summary_json(struct alert_hub *h, const char *text, struct buf *b)
{
	int ret = buf_printf(b, "{\"kind\":\"summary\",\"ts\":%.6f,\"interval_s\":%u,\"summary\":",
			     (double)time(NULL), h->cfg.throttle_s);
	bool first = true;

	ret = ret ? ret : json_cstr(b, text);
	ret = ret ? ret : buf_puts(b, ",\"suppressed\":[");
	for (unsigned i = 0; !ret && i < THR_BUCKETS; i++)
		for (struct thr_entry *e = h->thr[i]; !ret && e; e = e->next) {
			if (!e->suppressed)
				continue;
			ret = buf_puts(b, first ? "{\"key\":" : ",{\"key\":");
			ret = ret ? ret : json_cstr(b, e->key);
			ret = ret ? ret : buf_printf(b, ",\"count\":%llu}", e->suppressed);
			first = false;
		}
	return ret ? ret : buf_puts(b, "]}");
}

/* End of a throttle interval: one summary of what was held back, then
 * every key starts afresh. */
static void thr_rollover(struct alert_hub *h)
{
	unsigned long long total = h->thr_overflow;
	struct buf text = {0}, json = {0};
	unsigned listed = 0, keys = 0;

	for (unsigned i = 0; i < THR_BUCKETS; i++)
		for (struct thr_entry *e = h->thr[i]; e; e = e->next)
			if (e->suppressed)
				total += e->suppressed, keys++;
	if (total) {
		buf_printf(&text,
			   "suppressed %llu alerts in the last %u s (throttle %u per key):", total,
			   h->cfg.throttle_s, h->cfg.throttle_n);
		for (unsigned i = 0; i < THR_BUCKETS; i++)
			for (struct thr_entry *e = h->thr[i]; e; e = e->next)
				if (e->suppressed && listed++ < 10)
					buf_printf(&text, " %s x%llu", e->key, e->suppressed);
		if (listed > 10)
			buf_printf(&text, " and %u more keys", keys - 10);
		if (h->thr_overflow)
			buf_printf(&text, " (+%llu over the key limit)", h->thr_overflow);
		char clean[1024];
		clean_text(buf_cstr(&text), clean, sizeof(clean));
		log_warn("alerts: %s", clean);
		if (!summary_json(h, clean, &json)) {
			struct alert_msg m = {.kind = "summary",
					      .ts = (double)time(NULL),
					      .json = buf_cstr(&json),
					      .text = clean};
			post_all(h, &m);
		}
	}
	for (unsigned i = 0; i < THR_BUCKETS; i++)
		while (h->thr[i]) {
			struct thr_entry *e = h->thr[i];
			h->thr[i] = e->next;
			free(e);
		}
	h->nthr = 0;
	h->thr_overflow = 0;
	buf_free(&text);
	buf_free(&json);
}

/* Stored (unless a repeat), then to the channels unless throttled. */
static void deliver(void *user, const struct alert *a)
{
	struct alert_hub *h = user;
	char text[sizeof(a->summary)], esc[1200];
	struct buf json = {0};
	int stored = 1;

	if (h->db) {
		stored = alert_db_insert(h->db, a);
		if (stored < 0) {
			hub_count(h, &h->st.store_errors);
			log_err("alerts: storing a %s alert failed: %s", alert_kind_name(a->kind),
				sqlite3_errmsg(h->db));
		}
	}
	if (!stored) { /* the same alert again (an object analysed twice) */
		hub_count(h, &h->st.duplicates);
		return;
	}
	if (stored > 0 && h->db)
		hub_count(h, &h->st.stored);
	clean_text(a->summary[0] ? a->summary : alert_kind_name(a->kind), text, sizeof(text));
	if (!thr_pass(h, a)) {
		log_debug("alert (throttled): %s", log_escape(text, esc, sizeof(esc)));
		return;
	}
	log_info("alert: %s %s", alert_kind_name(a->kind), log_escape(text, esc, sizeof(esc)));
	hub_count(h, &h->st.sent);
	if (h->nchans && !alert_to_json(a, &json)) {
		struct alert_msg m = {.ts = a->ts, .json = buf_cstr(&json), .text = text};
		snprintf(m.kind, sizeof(m.kind), "%s", alert_kind_name(a->kind));
		snprintf(m.src, sizeof(m.src), "%s", a->src_addr);
		post_all(h, &m);
	}
	buf_free(&json);
}

static void process(struct alert_hub *h, struct hub_item *it)
{
	const char *tag = it->a.tag;
	struct alert_subject subj = {.kind = it->a.kind,
				     .src = it->a.src_addr,
				     .dst_port = it->a.dst_port,
				     .tags = &tag,
				     .ntags = it->a.tag[0] ? 1 : 0,
				     .token_id = it->a.token_id};

	if (it->op == OP_RAISE && alert_hub_ignored(h, &subj)) {
		alert_hub_count_ignored(h);
		return;
	}
	deliver(h, &it->a);
}

static void periodic(struct alert_hub *h, double now)
{
	unsigned long long dropped;

	pthread_mutex_lock(&h->agg_mu);
	alert_agg_expire(h->agg, now, false);
	pthread_mutex_unlock(&h->agg_mu);
	if (h->cfg.throttle_s && now - h->thr_start >= h->cfg.throttle_s) {
		thr_rollover(h);
		h->thr_start = now;
	}
	pthread_mutex_lock(&h->mu);
	dropped = h->st.dropped;
	pthread_mutex_unlock(&h->mu);
	if (dropped != h->dropped_logged && now - h->last_drop_log >= 10) {
		log_warn("alerts: queue full (%u): %llu alerts dropped so far", h->cfg.queue_len,
			 dropped);
		h->dropped_logged = dropped;
		h->last_drop_log = now;
	}
}

/* One transaction per batch: an fsync per alert would cap the hub at a few
 * hundred alerts a second (synchronous=FULL).  Deferred: a batch that
 * stores nothing never waits for the sink's write lock.  true when it ran. */
static bool db_exec(struct alert_hub *h, const char *sql)
{
	if (!h->db)
		return false;
	if (sqlite3_exec(h->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return true;
	log_err("alerts: %s failed: %s", sql, sqlite3_errmsg(h->db));
	return false;
}

static void *hub_main(void *arg)
{
	struct alert_hub *h = arg;
	struct hub_item *batch, *next;
	struct timespec until;
	int stop;

	for (;;) {
		pthread_mutex_lock(&h->mu);
		if (!h->head && !h->stop) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&h->cv, &h->mu, &until);
		}
		batch = h->head;
		h->head = h->tail = NULL;
		h->qlen = 0;
		stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		unsigned long long n = 0;
		bool txn = batch && batch->next && db_exec(h, "BEGIN");
		for (; batch; batch = next, n++) {
			next = batch->next;
			process(h, batch);
			free(batch);
		}
		if (txn && !db_exec(h, "COMMIT"))
			db_exec(h, "ROLLBACK"); /* the autocommit path logs what failed */
		periodic(h, mono_now());
		pthread_mutex_lock(&h->mu);
		h->processed += n;
		pthread_cond_broadcast(&h->idle);
		pthread_mutex_unlock(&h->mu);
		if (stop && !n)
			break;
	}
	return NULL;
}

void alert_hub_flush(struct alert_hub *h)
{
	pthread_mutex_lock(&h->mu);
	unsigned long long target = h->enqueued;
	pthread_cond_signal(&h->cv);
	while (h->processed < target)
		pthread_cond_wait(&h->idle, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

/* ---- open and close ---- */

static int copy_cfg(struct alert_hub_cfg *dst, const struct alert_hub_cfg *src)
{
	*dst = *src;
	dst->ignore.v = NULL;
	dst->ignore.n = 0;
	dst->nchans = 0;
	if (src->ignore.n) {
		dst->ignore.v = malloc(src->ignore.n * sizeof(*src->ignore.v));
		if (!dst->ignore.v)
			return -ENOMEM;
		memcpy(dst->ignore.v, src->ignore.v, src->ignore.n * sizeof(*src->ignore.v));
		dst->ignore.n = src->ignore.n;
	}
	for (unsigned i = 0; i < src->nchans; i++) {
		dst->chans[i] = src->chans[i];
		if (!(dst->chans[i].spec = strdup(src->chans[i].spec)))
			return -ENOMEM;
		dst->nchans++;
	}
	return 0;
}

static int open_chans(struct alert_hub *h, char *err, size_t errlen)
{
	for (unsigned i = 0; i < h->cfg.nchans; i++) {
		const struct alert_chan_ops *ops = alert_chan_find(h->cfg.chans[i].type);
		int ret;

		if (!ops) {
			snprintf(err, errlen, "unknown alert channel '%s'", h->cfg.chans[i].type);
			return -EINVAL;
		}
		ret = alert_chan_open(ops, h->cfg.chans[i].spec, h->cfg.timeout_s, h->cfg.retries,
				      1024, &h->chans[h->nchans], err, errlen);
		if (ret)
			return ret;
		h->nchans++;
	}
	return 0;
}

/* Threads of ours take no signals: the command's main thread handles them,
 * and a SIGPIPE from an exec channel's pipe becomes EPIPE. */
static int start_thread(struct alert_hub *h)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&h->thread, NULL, hub_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

static void hub_free(struct alert_hub *h, unsigned deadline_s)
{
	for (unsigned i = 0; i < h->nchans; i++) /* one deadline for all */
		alert_chan_stop(h->chans[i], deadline_s);
	for (unsigned i = 0; i < h->nchans; i++)
		alert_chan_close(h->chans[i], deadline_s);
	alert_agg_free(h->agg);
	if (h->db)
		sqlite3_close(h->db);
	for (unsigned i = 0; i < THR_BUCKETS; i++)
		while (h->thr[i]) {
			struct thr_entry *e = h->thr[i];
			h->thr[i] = e->next;
			free(e);
		}
	alert_hub_cfg_free(&h->cfg);
	pthread_mutex_destroy(&h->mu);
	pthread_mutex_destroy(&h->agg_mu);
	pthread_rwlock_destroy(&h->ign_lock);
	pthread_cond_destroy(&h->cv);
	pthread_cond_destroy(&h->idle);
	free(h);
}

int alert_hub_open(const struct alert_hub_cfg *cfg, const char *db_path, struct alert_hub **out,
		   char *err, size_t errlen)
{
	struct alert_hub *h = calloc(1, sizeof(*h));
	sigset_t all, old;
	int ret;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->mu, NULL);
	pthread_mutex_init(&h->agg_mu, NULL);
	pthread_rwlock_init(&h->ign_lock, NULL);
	pthread_cond_init(&h->cv, NULL);
	pthread_cond_init(&h->idle, NULL);
	h->thr_start = h->last_drop_log = mono_now();
	if ((ret = copy_cfg(&h->cfg, cfg))) {
		snprintf(err, errlen, "alerts: out of memory");
		goto fail;
	}
	if (!h->cfg.queue_len)
		h->cfg.queue_len = 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((ret = alert_agg_new(&h->agg, h->cfg.window_s, agg_emit, h)))
		goto fail;
	if (db_path && (ret = sink_sqlite_open_db(db_path, &h->db, err, errlen)))
		goto fail;
	/* channel threads inherit the blocked mask too */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = open_chans(h, err, errlen);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret || (ret = start_thread(h))) {
		if (ret && !err[0])
			snprintf(err, errlen, "alerts: cannot start");
		goto fail;
	}
	h->started = 1;
	*out = h;
	return 0;
fail:
	hub_free(h, 0);
	return ret;
}

void alert_hub_get_stats(struct alert_hub *h, struct alert_hub_stats *st)
{
	pthread_mutex_lock(&h->agg_mu);
	pthread_mutex_lock(&h->mu);
	*st = h->st;
	st->contacts = h->contacts;
	pthread_mutex_unlock(&h->mu);
	pthread_mutex_unlock(&h->agg_mu);
}

void alert_hub_close(struct alert_hub *h, unsigned deadline_s)
{
	struct alert_hub_stats st;

	if (!h)
		return;
	/* open windows become alerts, queued before the thread drains and stops */
	pthread_mutex_lock(&h->agg_mu);
	alert_agg_expire(h->agg, mono_now(), true);
	pthread_mutex_unlock(&h->agg_mu);
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	thr_rollover(h);
	if (alert_agg_overflow(h->agg))
		log_warn("alerts: %llu contact observations dropped (too many sources at once)",
			 alert_agg_overflow(h->agg));
	alert_hub_get_stats(h, &st);
	if (st.raised || h->nchans || st.dropped)
		log_info(
		    "alerts: %llu raised, %llu contacts, %llu ignored, %llu stored, %llu repeats, "
		    "%llu to channels, %llu throttled, %llu dropped (queue full), %llu store "
		    "errors",
		    (unsigned long long)st.raised, (unsigned long long)st.contacts,
		    (unsigned long long)st.ignored, (unsigned long long)st.stored,
		    (unsigned long long)st.duplicates, (unsigned long long)st.sent,
		    (unsigned long long)st.suppressed, (unsigned long long)st.dropped,
		    (unsigned long long)st.store_errors);
	hub_free(h, deadline_s);
}
