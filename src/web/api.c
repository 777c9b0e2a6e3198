/* The dashboard's JSON API over the record store, and /metrics.
 *
 * Read-only by construction: the database is opened SQLITE_OPEN_READONLY
 * with query_only; user queries go through the query compiler (every literal
 * a bound parameter); the only numbers formatted into SQL text are limits
 * and offsets this file parsed itself. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "query/query.h"
#include "sensor/sensor.h"
#include "web/geo.h"
#include "web/internal.h"
#include "web/params.h"

#define WEB_MAX_LIMIT 1000
#define WEB_MAX_OFFSET 1000000
/* Rows a user query may select before the table's own sort and paging. */
#define WEB_QUERY_CAP "200000"

const char *web_arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

void web_error(struct web_reply *r, int status, const char *msg)
{
	struct json j;

	buf_reset(&r->body);
	r->status = status;
	r->ctype = NULL;
	json_init(&j, &r->body);
	json_obj_begin(&j);
	json_kcstr(&j, "error", msg);
	json_obj_end(&j);
}

static void web_query_error(struct web_reply *r, const char *msg, int line, int col)
{
	struct json j;

	buf_reset(&r->body);
	r->status = 400;
	json_init(&j, &r->body);
	json_obj_begin(&j);
	json_kcstr(&j, "error", msg);
	json_ku64(&j, "line", (uint64_t)(line > 0 ? line : 0));
	json_ku64(&j, "col", (uint64_t)(col > 0 ? col : 0));
	json_obj_end(&j);
}

static double web_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each thread's statement deadline (monotonic seconds): a hostile or just
 * huge query is interrupted instead of holding a connection for ever. */
static __thread double web_deadline;

static int web_db_progress(void *arg)
{
	(void)arg;
	return web_now() > web_deadline;
}

void web_db_deadline(double seconds)
{
	web_deadline = web_now() + seconds;
}

int web_db_open(struct web *w, sqlite3 **db, struct web_reply *r)
{
	struct stat st;
	int rc;

	*db = NULL;
	if (stat(w->db, &st)) {
		web_error(r, 503, "no record database yet (nothing analysed)");
		return -ENOENT;
	}
	rc = sqlite3_open_v2(w->db, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(*db, "PRAGMA query_only=1", NULL, NULL, NULL);
	if (rc == SQLITE_OK && query_register_functions(*db))
		rc = SQLITE_ERROR;
	if (rc != SQLITE_OK) {
		web_error(r, 503, *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
		sqlite3_close(*db);
		*db = NULL;
		return -EIO;
	}
	sqlite3_busy_timeout(*db, 3000);
	sqlite3_limit(*db, SQLITE_LIMIT_LENGTH, 64 * 1024 * 1024);
	web_db_deadline(WEB_QUERY_SECONDS);
	sqlite3_progress_handler(*db, 10000, web_db_progress, NULL);
	return 0;
}

static bool web_table_exists(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) == SQLITE_OK)
		yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

long long web_db_max_id(sqlite3 *db, const char *table)
{
	char sql[96];
	sqlite3_stmt *st = NULL;
	long long v = 0;

	if (!db || !web_table_exists(db, table))
		return 0;
	/* table is one of our constant names, never user text */
	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void web_json_col(struct json *j, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		json_val_i64(j, sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		json_val_double(j, sqlite3_column_double(st, i));
		break;
	case SQLITE_NULL:
		json_val_null(j);
		break;
	default: {
		const unsigned char *p = sqlite3_column_text(st, i);

		json_val_str(j, p ? p : (const unsigned char *)"",
			     (size_t)sqlite3_column_bytes(st, i));
	}
	}
}

/* Steps st and writes every row as an object (names) or array (NULL names).
 * Skips skip rows first; stops after max rows and sets *more if another
 * exists.  Returns 0 or the SQLite error code. */
static int web_json_rows(struct json *j, sqlite3_stmt *st, const char *const *names,
			 unsigned long long skip, unsigned long long max, bool *more)
{
	int rc, n = sqlite3_column_count(st);
	unsigned long long rows = 0;

	json_arr_begin(j);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (skip) {
			skip--;
			continue;
		}
		if (rows++ == max) {
			if (more)
				*more = true;
			break;
		}
		names ? json_obj_begin(j) : json_arr_begin(j);
		for (int i = 0; i < n; i++) {
			if (names)
				json_key(j, names[i] ? names[i] : sqlite3_column_name(st, i));
			web_json_col(j, st, i);
		}
		names ? json_obj_end(j) : json_arr_end(j);
	}
	json_arr_end(j);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

/* Runs a constant statement, writing its rows under key as arrays (or
 * objects named by SQLite's column names with objects set). */
static int web_json_sql(struct json *j, sqlite3 *db, const char *key, const char *sql, bool objects)
{
	sqlite3_stmt *st = NULL;
	const char *names[32];
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	json_key(j, key);
	if (rc != SQLITE_OK) {
		json_arr_begin(j);
		json_arr_end(j);
		return rc;
	}
	for (int i = 0; i < 32; i++)
		names[i] = NULL;
	rc = web_json_rows(j, st, objects ? names : NULL, 0, WEB_MAX_OFFSET, NULL);
	sqlite3_finalize(st);
	return rc;
}

static void web_finish(struct web_reply *r, struct json *j, sqlite3 *db, int rc)
{
	if (json_finish(j))
		web_error(r, 500, "out of memory");
	else if (rc && sqlite3_errcode(db) == SQLITE_INTERRUPT)
		web_error(r, 503, "the query took too long and was stopped: narrow it down");
	else if (rc)
		web_error(r, 500, sqlite3_errmsg(db));
}

/* ---- /api/sessions ---- */

static const char web_session_cols[] =
    "id, init_ts, last_ts, src_addr, src_port, dst_addr, dst_port, proto, service, tags, "
    "packets, bytes, payload_len, substr(readable, 1, 160) AS readable";

/* Runs sql bound to q (may be NULL) and writes the page. */
static void web_sessions_run(struct web_reply *r, sqlite3 *db, const char *sql,
			     const struct query_sql *q, const char *mode, unsigned long long off,
			     unsigned long long lim)
{
	sqlite3_stmt *st = NULL;
	struct json j;
	bool more = false;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && q && query_bind(st, q))
		rc = SQLITE_ERROR;
	if (rc != SQLITE_OK) {
		web_error(r, 400, sqlite3_errmsg(db));
		goto out;
	}
	json_init(&j, &r->body);
	json_obj_begin(&j);
	json_kcstr(&j, "mode", mode);
	json_key(&j, "columns");
	json_arr_begin(&j);
	for (int i = 0; i < sqlite3_column_count(st); i++)
		json_val_cstr(&j, q && !strcmp(mode, "table") ? q->cols[i]
							      : sqlite3_column_name(st, i));
	json_arr_end(&j);
	json_ku64(&j, "offset", off);
	json_ku64(&j, "limit", lim);
	json_key(&j, "rows");
	rc = web_json_rows(&j, st, NULL, !strcmp(mode, "table") ? off : 0, lim, &more);
	json_kbool(&j, "more", more);
	json_obj_end(&j);
	web_finish(r, &j, db, rc);
out:
	sqlite3_finalize(st);
}

/* A user query that ends in a table of its own (stats ...): shown as is. */
static void web_sessions_table(struct web_reply *r, sqlite3 *db, const char *text,
			       unsigned long long off, unsigned long long lim)
{
	struct query_sql q = {0};
	char err[320];

	if (query_compile(text, &q, err, sizeof(err)))
		web_query_error(r, err, q.err_line, q.err_col);
	else
		web_sessions_run(r, db, q.sql, &q, "table", off, lim);
	query_sql_free(&q);
}

void web_api_sessions(struct web *w, struct MHD_Connection *c, struct web_reply *r)
{
	const char *text = web_arg(c, "q");
	unsigned long long lim, off;
	struct web_sort so;
	struct query_sql q = {0};
	struct buf full = {0}, sql = {0};
	sqlite3 *db = NULL;
	char err[320];

	if (web_parse_uint(web_arg(c, "limit"), WEB_MAX_LIMIT, 50, &lim) ||
	    web_parse_uint(web_arg(c, "offset"), WEB_MAX_OFFSET, 0, &off) ||
	    web_parse_sort(web_arg(c, "sort"), &so)) {
		web_error(r, 400, "bad limit, offset or sort");
		return;
	}
	text = text ? text + strspn(text, " \t\r\n") : "";
	if (*text && query_compile(text, &q, err, sizeof(err))) {
		web_query_error(r, err, q.err_line, q.err_col);
		goto out;
	}
	query_sql_free(&q);
	if (web_db_open(w, &db, r))
		goto out;
	/* The user's pipeline picks the ids; the table sorts and pages them. */
	if (*text && (buf_printf(&full, "%s\n| fields id | limit " WEB_QUERY_CAP, text) ||
		      query_compile(buf_cstr(&full), &q, err, sizeof(err)))) {
		web_sessions_table(r, db, text, off, lim);
		goto out;
	}
	buf_printf(&sql, "SELECT %s FROM flows%s%s%s ORDER BY %s %s, id %s LIMIT %llu OFFSET %llu",
		   web_session_cols, *text ? " WHERE id IN (SELECT id FROM (" : "",
		   *text ? q.sql : "", *text ? "))" : "", web_sort_column(so.col),
		   so.desc ? "DESC" : "ASC", so.desc ? "DESC" : "ASC", lim + 1, off);
	web_sessions_run(r, db, buf_cstr(&sql), *text ? &q : NULL, "sessions", off, lim);
out:
	query_sql_free(&q);
	buf_free(&full);
	buf_free(&sql);
	sqlite3_close(db);
}

/* ---- geo (--mmdb) ---- */

static void web_json_geo_one(struct web *w, struct json *j, const char *addr)
{
	struct web_geo_info gi;

	json_key(j, addr);
	json_obj_begin(j);
	if (web_geo_lookup(w->geo, addr, &gi)) {
		json_kcstr(j, "country", gi.country);
		json_ku64(j, "asn", gi.asn);
		json_kcstr(j, "as_org", gi.as_org);
	}
	json_obj_end(j);
}

/* "geo": {address: {country, asn, as_org}} for the top sources. */
static void web_json_geo(struct web *w, struct json *j, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	json_key(j, "geo");
	json_obj_begin(j);
	if (sqlite3_prepare_v2(db,
			       "SELECT src_addr, count(*) AS n FROM flows GROUP BY src_addr "
			       "ORDER BY n DESC, src_addr LIMIT 15",
			       -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			if (sqlite3_column_text(st, 0))
				web_json_geo_one(w, j, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	json_obj_end(j);
}

/* ---- /api/session/ID ---- */

/* The object key of a stored pcap: the part of the URI from its last
 * "/pcap/" on, when that is a well-formed key. */
static void web_pcap_key(struct json *j, const char *uri)
{
	const char *p = NULL;

	for (const char *s = uri; s && (s = strstr(s, "/pcap/")); s++)
		p = s + 1;
	if (p && web_pcap_key_ok(p))
		json_kcstr(j, "pcap_key", p);
	else
		json_kcstr(j, "pcap_key", "");
}

void web_api_session(struct web *w, const char *ids, struct web_reply *r)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned long long id;
	struct json j;
	int n, rc;

	if (web_parse_uint(ids, LLONG_MAX, 0, &id) || !*ids) {
		web_error(r, 400, "bad session id");
		return;
	}
	if (web_db_open(w, &db, r))
		return;
	rc = sqlite3_prepare_v2(
	    db, "SELECT *, json_valid(doc) AS doc_valid FROM flows WHERE id = ?1", -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	if (rc != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			web_error(r, 404, "no such session");
		else
			web_error(r, 500, sqlite3_errmsg(db));
		goto out;
	}
	n = sqlite3_column_count(st);
	json_init(&j, &r->body);
	json_obj_begin(&j);
	for (int i = 0; i < n - 1; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (!strcmp(name, "doc") && sqlite3_column_int(st, n - 1)) {
			/* our own JSON, and SQLite just said it is valid */
			json_key(&j, "doc");
			json_val_raw(&j, sqlite3_column_text(st, i),
				     (size_t)sqlite3_column_bytes(st, i));
			continue;
		}
		json_key(&j, name);
		web_json_col(&j, st, i);
		if (!strcmp(name, "s3path"))
			web_pcap_key(&j, (const char *)sqlite3_column_text(st, i));
		if (!strcmp(name, "src_addr") && w->geo && sqlite3_column_text(st, i)) {
			json_key(&j, "src_geo");
			json_obj_begin(&j);
			web_json_geo_one(w, &j, (const char *)sqlite3_column_text(st, i));
			json_obj_end(&j);
		}
	}
	json_obj_end(&j);
	web_finish(r, &j, db, 0);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- /api/stats, /api/ports, /api/alerts, /api/tokens ---- */

/* Unchanged data is served from the cache for a minute, changing data at
 * most every WEB_CACHE_FRESH seconds: a busy sensor's live updates then
 * cost one scan per interval, not one per viewer and second. */
#define WEB_CACHE_FRESH 5.0
#define WEB_CACHE_MAX 60.0

static bool web_cache_get(struct web *w, int slot, long long max_id, struct web_reply *r)
{
	struct web_cache *c = &w->cache[slot];
	double age;
	bool hit = false;

	pthread_mutex_lock(&w->cache_mu);
	age = web_now() - c->t;
	if (c->body.len && age < WEB_CACHE_MAX && (c->max_id == max_id || age < WEB_CACHE_FRESH))
		hit = !buf_append(&r->body, c->body.p, c->body.len);
	pthread_mutex_unlock(&w->cache_mu);
	return hit;
}

static void web_cache_put(struct web *w, int slot, long long max_id, const struct web_reply *r)
{
	struct web_cache *c = &w->cache[slot];

	if (r->status != 200)
		return;
	pthread_mutex_lock(&w->cache_mu);
	buf_reset(&c->body);
	if (!buf_append(&c->body, r->body.p, r->body.len)) {
		c->max_id = max_id;
		c->t = web_now();
	}
	pthread_mutex_unlock(&w->cache_mu);
}

/* The overview's aggregates; geo (--mmdb) goes after top_sources. */
static const struct web_stat_query {
	const char *key, *sql;
	bool objects, alerts; /* rows as objects; needs the alerts table */
} web_stat_queries[] = {
    {"totals",
     "SELECT count(*) AS flows, count(DISTINCT src_addr) AS sources, count(DISTINCT dst_port) "
     "AS ports, min(init_ts) AS first, max(init_ts) AS last FROM flows",
     true, false},
    /* 48 hours up to the newest flow, so an imported capture shows too */
    {"per_hour",
     "SELECT CAST(init_ts / 3600 AS INTEGER) * 3600 AS hour, count(*) FROM flows WHERE init_ts "
     "> (SELECT max(init_ts) FROM flows) - 48 * 3600 GROUP BY hour ORDER BY hour",
     false, false},
    {"top_ports",
     "SELECT dst_port, count(*) AS n FROM flows GROUP BY dst_port ORDER BY n DESC, dst_port "
     "LIMIT 15",
     false, false},
    {"top_sources",
     "SELECT src_addr, count(*) AS n, count(DISTINCT dst_port) FROM flows GROUP BY src_addr "
     "ORDER BY n DESC, src_addr LIMIT 15",
     false, false},
    {"top_services",
     "SELECT coalesce(service, ''), count(*) AS n FROM flows GROUP BY 1 ORDER BY n DESC LIMIT 15",
     false, false},
    {"top_tags",
     "SELECT t.value, count(*) AS n FROM flows, json_each(CASE WHEN json_valid(tags) THEN tags "
     "END) AS t GROUP BY t.value ORDER BY n DESC LIMIT 15",
     false, false},
    {"alert_totals", "SELECT count(*) AS alerts, count(DISTINCT src_addr) AS sources FROM alerts",
     true, true},
    {"recent_alerts",
     "SELECT id, ts, kind, src_addr, dst_port, summary FROM alerts ORDER BY id DESC LIMIT 10", true,
     true},
};

void web_api_stats(struct web *w, struct web_reply *r)
{
	const struct web_stat_query *q;
	sqlite3 *db = NULL;
	struct json j;
	int rc = 0;
	long long max_id;
	bool alerts;

	if (web_db_open(w, &db, r))
		return;
	max_id = web_db_max_id(db, "flows") ^ (web_db_max_id(db, "alerts") << 40);
	if (web_cache_get(w, WEB_CACHE_STATS, max_id, r)) {
		sqlite3_close(db);
		return;
	}
	alerts = web_table_exists(db, "alerts");
	json_init(&j, &r->body);
	json_obj_begin(&j);
	for (size_t i = 0; i < sizeof(web_stat_queries) / sizeof(web_stat_queries[0]); i++) {
		q = &web_stat_queries[i];
		if (!q->alerts || alerts)
			rc |= web_json_sql(&j, db, q->key, q->sql, q->objects);
		if (w->geo && !strcmp(q->key, "top_sources"))
			web_json_geo(w, &j, db);
	}
	json_obj_end(&j);
	web_finish(r, &j, db, rc);
	web_cache_put(w, WEB_CACHE_STATS, max_id, r);
	sqlite3_close(db);
}

void web_api_ports(struct web *w, struct web_reply *r)
{
	sqlite3 *db = NULL;
	struct json j;
	long long max_id;
	int rc;

	if (web_db_open(w, &db, r))
		return;
	max_id = web_db_max_id(db, "flows");
	if (web_cache_get(w, WEB_CACHE_PORTS, max_id, r)) {
		sqlite3_close(db);
		return;
	}
	json_init(&j, &r->body);
	json_obj_begin(&j);
	/* one scan for both protocols: [proto, port, flows, sources] */
	rc = web_json_sql(&j, db, "ports",
			  "SELECT proto, dst_port, count(*), count(DISTINCT src_addr) FROM flows "
			  "WHERE dst_port BETWEEN 0 AND 65535 AND proto IN ('tcp', 'udp') "
			  "GROUP BY proto, dst_port",
			  false);
	json_obj_end(&j);
	web_finish(r, &j, db, rc);
	web_cache_put(w, WEB_CACHE_PORTS, max_id, r);
	sqlite3_close(db);
}

/* A table of migration 3, newest first, paged; empty when it is missing. */
static void web_api_table(struct web *w, struct MHD_Connection *c, struct web_reply *r,
			  const char *table, const char *cols_sql)
{
	unsigned long long lim = 100, off = 0;
	sqlite3 *db = NULL;
	struct buf sql = {0};
	struct json j;
	int rc = 0;

	if (c && (web_parse_uint(web_arg(c, "limit"), WEB_MAX_LIMIT, 100, &lim) ||
		  web_parse_uint(web_arg(c, "offset"), WEB_MAX_OFFSET, 0, &off))) {
		web_error(r, 400, "bad limit or offset");
		return;
	}
	if (web_db_open(w, &db, r))
		return;
	json_init(&j, &r->body);
	json_obj_begin(&j);
	if (web_table_exists(db, table)) {
		buf_printf(&sql, "%s LIMIT %llu OFFSET %llu", cols_sql, lim, off);
		rc = web_json_sql(&j, db, "rows", buf_cstr(&sql), true);
	} else {
		json_key(&j, "rows");
		json_arr_begin(&j);
		json_arr_end(&j);
	}
	json_obj_end(&j);
	web_finish(r, &j, db, rc);
	buf_free(&sql);
	sqlite3_close(db);
}

void web_api_alerts(struct web *w, struct MHD_Connection *c, struct web_reply *r)
{
	web_api_table(
	    w, c, r, "alerts",
	    "SELECT id, ts, kind, src_addr, src_port, dst_addr, dst_port, proto, token_id, "
	    "tag, uri, community_id, summary FROM alerts ORDER BY id DESC");
}

/* The bait itself (value) is shown; its secret half never leaves the DB. */
void web_api_tokens(struct web *w, struct web_reply *r)
{
	web_api_table(
	    w, NULL, r, "tokens",
	    "SELECT t.id, t.kind, t.value, t.user, t.note, t.created, t.minted_for, "
	    "t.minted_ts, t.minted_uri, (SELECT count(*) FROM alerts a WHERE a.token_id = "
	    "t.id) AS hits, (SELECT max(ts) FROM alerts a WHERE a.token_id = t.id) AS "
	    "last_hit FROM tokens t ORDER BY t.created DESC");
}

/* ---- /api/pcap?key= ---- */

void web_api_pcap(struct web *w, struct MHD_Connection *c, struct web_reply *r)
{
	const char *key = web_arg(c, "key"), *base;
	char root[PATH_MAX], path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	size_t n;
	int fd;

	if (!key || !web_pcap_key_ok(key)) {
		web_error(r, 400, "bad key: expected pcap/.../NAME.pcap");
		return;
	}
	if (!w->store || !realpath(w->store, root)) {
		web_error(r, 404, "no local store configured");
		return;
	}
	n = strlen(root);
	/* The resolved file must lie inside STORE/pcap/: no symlink out. */
	if (snprintf(path, sizeof(path), "%s/%s", root, key) >= (int)sizeof(path) ||
	    !realpath(path, real) || strncmp(real, root, n) || strncmp(real + n, "/pcap/", 6)) {
		web_error(r, 404, "no such object");
		return;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		web_error(r, 404, "no such object");
		return;
	}
	base = strrchr(key, '/') + 1;
	snprintf(r->filename, sizeof(r->filename), "%s", base);
	r->fd = fd;
	r->fdsize = (uint64_t)st.st_size;
	r->status = 200;
	r->ctype = "application/vnd.tcpdump.pcap";
}

/* ---- /healthz, /metrics ---- */

void web_api_health(struct web *w, struct web_reply *r)
{
	sqlite3 *db = NULL;

	if (web_db_open(w, &db, r))
		return;
	r->ctype = "text/plain; charset=utf-8";
	buf_printf(&r->body, "ok\n");
	sqlite3_close(db);
}

struct web_metric {
	const char *name, *type, *help;
	size_t off;
};

#define WM(f, t, h)                                                                                \
	{                                                                                          \
		"mitsu_sensor_" #f, t, h, offsetof(struct sensor_stats, f)                         \
	}
static const struct web_metric web_metrics[] = {
    WM(packets, "counter", "Packets captured"),
    WM(bytes, "counter", "Bytes captured"),
    WM(kernel_received, "counter", "Packets the kernel handed to capture"),
    WM(kernel_dropped, "counter", "Packets the kernel dropped before capture"),
    WM(not_ip, "counter", "Frames that were not IP"),
    WM(malformed, "counter", "Malformed packets"),
    WM(fragments, "counter", "IP fragments"),
    WM(foreign, "counter", "Packets not for a monitored address"),
    WM(local_initiated, "counter", "Packets of connections the host opened"),
    WM(excluded, "counter", "Packets to excluded ports"),
    WM(syns, "counter", "TCP SYNs seen"),
    WM(synacks_sent, "counter", "SYN+ACK replies sent"),
    WM(handshakes, "counter", "Completed TCP handshakes"),
    WM(acks_sent, "counter", "ACKs of client data and FINs on handshaken connections"),
    WM(inject_errors, "counter", "Replies that failed to send"),
    WM(suppressed_rate_dest, "counter", "Replies suppressed by the per-source rate"),
    WM(suppressed_rate_global, "counter", "Replies suppressed by the global rate"),
    WM(suppressed_listener, "counter", "Replies suppressed for a real local listener"),
    WM(suppressed_martian, "counter", "Replies suppressed for a martian source"),
    WM(flows_open, "gauge", "Flows open now"),
    WM(flows_evicted, "counter", "Flows written early for memory"),
    WM(packets_unstored, "counter", "Packets not stored (caps, memory)"),
    WM(flows_written, "counter", "Flows written"),
    WM(scan_flows, "counter", "Payload-less flows written to scans files"),
    WM(files_written, "counter", "pcap files written"),
    WM(bytes_written, "counter", "Bytes written to the store"),
    WM(write_errors, "counter", "Store write errors"),
};

static void web_metric(struct buf *b, const char *name, const char *type, const char *help,
		       unsigned long long v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s%s %llu\n", name, help, name, type, name,
		   !strcmp(type, "counter") ? "_total" : "", v);
}

void web_api_metrics(struct web *w, struct web_reply *r)
{
	struct sensor_stats st;
	int have = -ENOENT;
	sqlite3 *db = NULL;
	struct web_reply dummy = {.fd = -1};

	pthread_mutex_lock(&w->stats_mu);
	if (w->stats)
		have = w->stats(w->stats_user, &st);
	pthread_mutex_unlock(&w->stats_mu);
	r->ctype = "text/plain; version=0.0.4; charset=utf-8";
	for (size_t i = 0; !have && i < sizeof(web_metrics) / sizeof(web_metrics[0]); i++)
		web_metric(&r->body, web_metrics[i].name, web_metrics[i].type, web_metrics[i].help,
			   *(const uint64_t *)((const char *)&st + web_metrics[i].off));
	web_metric(&r->body, "mitsu_web_requests", "counter", "HTTP requests served",
		   atomic_load(&w->requests));
	web_metric(&r->body, "mitsu_web_unauthorized", "counter", "Requests refused for auth",
		   atomic_load(&w->unauthorized));
	web_metric(&r->body, "mitsu_web_errors", "counter", "Requests that failed (5xx)",
		   atomic_load(&w->errors));
	web_metric(&r->body, "mitsu_web_event_streams", "gauge", "Open event streams",
		   atomic_load(&w->sse_clients));
	if (!web_db_open(w, &db, &dummy)) {
		web_metric(&r->body, "mitsu_records_max_id", "gauge", "Highest flow record id",
			   (unsigned long long)web_db_max_id(db, "flows"));
		web_metric(&r->body, "mitsu_alerts_max_id", "gauge", "Highest alert id",
			   (unsigned long long)web_db_max_id(db, "alerts"));
	}
	buf_free(&dummy.body);
	sqlite3_close(db);
}
