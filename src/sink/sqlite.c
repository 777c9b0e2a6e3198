/* SQLite sink and the shared database opener.
 *
 * The schema is versioned with PRAGMA user_version: sink_sqlite_migrations[i]
 * takes the database from version i to i + 1, so a new migration is one more
 * array entry.  Records are upserted on (s3path, flow_key): analysing the same
 * object twice updates its rows instead of duplicating them.  Every value is
 * bound, never pasted into SQL text. */
#include "sink/sqlite.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "analyze/record.h"
#include "core/b64.h"
#include "core/buf.h"
#include "core/json.h"
#include "sink/sink_backend.h"

static const char *const sink_sqlite_migrations[] = {
    /* 1: flows, its indexes, and a full-text index over readable kept in
     * sync by triggers (the external-content recipe of the FTS5 manual). */
    "CREATE TABLE flows("
    " id INTEGER PRIMARY KEY,"
    " s3path TEXT NOT NULL, flow_key TEXT NOT NULL,"
    " init_ts REAL NOT NULL, last_ts REAL NOT NULL,"
    " src_addr TEXT NOT NULL, src_port INTEGER, dst_addr TEXT NOT NULL, dst_port INTEGER,"
    " proto TEXT NOT NULL, packets INTEGER, bytes INTEGER, community_id TEXT,"
    " payload TEXT, readable TEXT, server_payload TEXT,"
    " payload_len INTEGER, server_payload_len INTEGER,"
    " gaps INTEGER, truncated INTEGER, tcp_flags_seen TEXT,"
    " service TEXT, tags TEXT, sensor TEXT, flow_end TEXT,"
    " doc TEXT NOT NULL,"
    " UNIQUE(s3path, flow_key));"
    "CREATE INDEX flows_init_ts ON flows(init_ts);"
    "CREATE INDEX flows_src_addr ON flows(src_addr);"
    "CREATE INDEX flows_dst_port ON flows(dst_port);"
    "CREATE VIRTUAL TABLE flows_fts USING fts5(readable, content='flows', content_rowid='id');"
    "CREATE TRIGGER flows_ai AFTER INSERT ON flows BEGIN"
    " INSERT INTO flows_fts(rowid, readable) VALUES (new.id, new.readable);"
    " END;"
    "CREATE TRIGGER flows_ad AFTER DELETE ON flows BEGIN"
    " INSERT INTO flows_fts(flows_fts, rowid, readable) VALUES('delete', old.id, old.readable);"
    " END;"
    "CREATE TRIGGER flows_au AFTER UPDATE ON flows BEGIN"
    " INSERT INTO flows_fts(flows_fts, rowid, readable) VALUES('delete', old.id, old.readable);"
    " INSERT INTO flows_fts(rowid, readable) VALUES (new.id, new.readable);"
    " END;",
    /* 2: fingerprints from the SYN, and an index for `stats ... by service`. */
    "ALTER TABLE flows ADD COLUMN scanner TEXT;"
    "ALTER TABLE flows ADD COLUMN os_guess TEXT;"
    "CREATE INDEX flows_service ON flows(service);",
    /* 3: honeytokens and alerts (src/alert/alert.h describes both). */
    "CREATE TABLE tokens("
    " id TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, secret TEXT,"
    " user TEXT, note TEXT, created REAL NOT NULL, format TEXT, key_id TEXT,"
    " minted_for TEXT, minted_ts REAL, minted_uri TEXT,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX tokens_value ON tokens(value);"
    "CREATE TABLE alerts("
    " id INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL,"
    " src_addr TEXT, dst_addr TEXT, src_port INTEGER, dst_port INTEGER, proto TEXT,"
    " token_id TEXT, tag TEXT, uri TEXT, community_id TEXT, summary TEXT,"
    " doc TEXT NOT NULL, dedup_key TEXT NOT NULL UNIQUE, created REAL NOT NULL);"
    "CREATE INDEX alerts_ts ON alerts(ts);"
    "CREATE INDEX alerts_src_addr ON alerts(src_addr);"
    "ALTER TABLE flows ADD COLUMN tokens TEXT;",
};

#define SINK_SQLITE_NMIGRATIONS                                                                    \
	((int)(sizeof(sink_sqlite_migrations) / sizeof(sink_sqlite_migrations[0])))

int sink_sqlite_schema_version(void)
{
	return SINK_SQLITE_NMIGRATIONS;
}

/* SQLite result code to -errno; file errors keep the system's errno. */
static int sink_sqlite_errno(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return sys > 0 ? -sys : -EIO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_TOOBIG:
		return -E2BIG;
	default:
		return -EIO;
	}
}

/* Runs sql; on failure fills err with "sqlite PATH: WHAT: reason". */
static int sink_sqlite_exec(sqlite3 *db, const char *sql, const char *path, const char *what,
			    char *err, size_t errlen)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "sqlite %s: %s: %s", path, what, sqlite3_errmsg(db));
	return sink_sqlite_errno(db, rc);
}

/* Runs a one-row pragma and returns its first column as int or text. */
static int sink_sqlite_pragma(sqlite3 *db, const char *sql, int *ival, char *sval, size_t slen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (ival)
			*ival = sqlite3_column_int(st, 0);
		if (sval)
			snprintf(sval, slen, "%s", (const char *)sqlite3_column_text(st, 0) ?: "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int sink_sqlite_version(sqlite3 *db, const char *path, int *v, char *err, size_t errlen)
{
	int rc = sink_sqlite_pragma(db, "PRAGMA user_version", v, NULL, 0);

	if (rc == SQLITE_OK && *v > SINK_SQLITE_NMIGRATIONS) {
		snprintf(err, errlen,
			 "sqlite %s: schema version %d is newer than this mitsu's (%d)", path, *v,
			 SINK_SQLITE_NMIGRATIONS);
		return -EPROTO;
	}
	if (rc == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "sqlite %s: reading schema version: %s", path, sqlite3_errmsg(db));
	return sink_sqlite_errno(db, rc);
}

/* Applies pending migrations in one write transaction; the version is read
 * again under the write lock because another process may have migrated. */
static int sink_sqlite_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char sql[64];
	int v = 0, ret;

	ret = sink_sqlite_version(db, path, &v, err, errlen);
	if (ret || v == SINK_SQLITE_NMIGRATIONS)
		return ret;
	ret = sink_sqlite_exec(db, "BEGIN IMMEDIATE", path, "locking for migration", err, errlen);
	if (ret)
		return ret;
	ret = sink_sqlite_version(db, path, &v, err, errlen);
	for (; !ret && v < SINK_SQLITE_NMIGRATIONS; v++) {
		snprintf(sql, sizeof(sql), "migration %d", v + 1);
		ret = sink_sqlite_exec(db, sink_sqlite_migrations[v], path, sql, err, errlen);
	}
	if (ret)
		goto out;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SINK_SQLITE_NMIGRATIONS);
	ret = sink_sqlite_exec(db, sql, path, "setting schema version", err, errlen);
	if (!ret)
		ret = sink_sqlite_exec(db, "COMMIT", path, "committing migration", err, errlen);
out:
	if (ret)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

static int sink_sqlite_settings(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char mode[16] = "";
	int rc, ret;

	sqlite3_busy_timeout(db, 10000);
	/* Refuse writable_schema tricks and similar corruption paths. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* WAL lets the dashboard and queries read while the analyzer writes. */
	rc = sink_sqlite_pragma(db, "PRAGMA journal_mode=WAL", NULL, mode, sizeof(mode));
	if (rc != SQLITE_OK || (strcmp(mode, "wal") && strcmp(mode, "memory"))) {
		snprintf(err, errlen, "sqlite %s: cannot enable WAL mode: %s", path,
			 rc != SQLITE_OK ? sqlite3_errmsg(db) : mode);
		return rc != SQLITE_OK ? sink_sqlite_errno(db, rc) : -ENOTSUP;
	}
	/* FULL: a committed batch survives power loss, as sink_commit promises. */
	ret = sink_sqlite_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536", path,
			       "settings", err, errlen);
	return ret;
}

int sink_sqlite_open_db(const char *path, sqlite3 **dbp, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc, ret;

	*dbp = NULL;
	ret = sink_mkdir_parent(path);
	if (ret) {
		snprintf(err, errlen, "sqlite %s: creating its directory: %s", path,
			 strerror(-ret));
		goto out;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ret = sink_sqlite_errno(db, rc);
		/* SQLite's own text ("unable to open database file") hides why. */
		snprintf(err, errlen, "sqlite %s: cannot open: %s", path,
			 ret != -EIO ? strerror(-ret)
			 : db	     ? sqlite3_errmsg(db)
				     : sqlite3_errstr(rc));
		goto out;
	}
	ret = sink_sqlite_settings(db, path, err, errlen);
	if (!ret)
		ret = sink_sqlite_migrate(db, path, err, errlen);
out:
	if (ret)
		sqlite3_close(db);
	else
		*dbp = db;
	return ret;
}

/* ---- the sink ---- */

enum {
	P_S3PATH = 1,
	P_FLOW_KEY,
	P_INIT_TS,
	P_LAST_TS,
	P_SRC_ADDR,
	P_SRC_PORT,
	P_DST_ADDR,
	P_DST_PORT,
	P_PROTO,
	P_PACKETS,
	P_BYTES,
	P_COMMUNITY_ID,
	P_PAYLOAD,
	P_READABLE,
	P_SERVER_PAYLOAD,
	P_PAYLOAD_LEN,
	P_SERVER_PAYLOAD_LEN,
	P_GAPS,
	P_TRUNCATED,
	P_TCP_FLAGS_SEEN,
	P_SERVICE,
	P_TAGS,
	P_SENSOR,
	P_FLOW_END,
	P_DOC,
	P_SCANNER,
	P_OS_GUESS,
};

/* Columns and placeholders in P_* order. */
static const char sink_sqlite_upsert_sql[] =
    "INSERT INTO flows(s3path, flow_key, init_ts, last_ts, src_addr, src_port, dst_addr,"
    " dst_port, proto, packets, bytes, community_id, payload, readable, server_payload,"
    " payload_len, server_payload_len, gaps, truncated, tcp_flags_seen, service, tags,"
    " sensor, flow_end, doc, scanner, os_guess, tokens)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, json_extract(?25, '$.tokens'))"
    " ON CONFLICT(s3path, flow_key) DO UPDATE SET"
    " init_ts = excluded.init_ts, last_ts = excluded.last_ts,"
    " src_addr = excluded.src_addr, src_port = excluded.src_port,"
    " dst_addr = excluded.dst_addr, dst_port = excluded.dst_port,"
    " proto = excluded.proto, packets = excluded.packets, bytes = excluded.bytes,"
    " community_id = excluded.community_id, payload = excluded.payload,"
    " readable = excluded.readable, server_payload = excluded.server_payload,"
    " payload_len = excluded.payload_len, server_payload_len = excluded.server_payload_len,"
    " gaps = excluded.gaps, truncated = excluded.truncated,"
    " tcp_flags_seen = excluded.tcp_flags_seen, service = excluded.service,"
    " tags = excluded.tags, sensor = excluded.sensor, flow_end = excluded.flow_end,"
    " doc = excluded.doc, scanner = excluded.scanner, os_guess = excluded.os_guess,"
    " tokens = excluded.tokens";

struct sink_sqlite {
	struct sink base;
	sqlite3 *db;
	sqlite3_stmt *begin, *commit, *upsert;
	char *path; /* for messages */
	/* Scratch text reused across records. */
	struct buf doc, payload, server_payload, readable, tags;
};

static int sink_sqlite_fail(struct sink_sqlite *s, int rc, const char *what)
{
	snprintf(s->base.err, sizeof(s->base.err), "sqlite %s: %s: %s", s->path, what,
		 sqlite3_errmsg(s->db));
	return sink_sqlite_errno(s->db, rc);
}

static int sink_sqlite_prepare(struct sink_sqlite *s, char *err, size_t errlen)
{
	int rc = sqlite3_prepare_v3(s->db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT,
				    &s->begin, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(s->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &s->commit,
					NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(s->db, sink_sqlite_upsert_sql, -1,
					SQLITE_PREPARE_PERSISTENT, &s->upsert, NULL);
	if (rc == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "sqlite %s: preparing statements: %s", s->path,
		 sqlite3_errmsg(s->db));
	return sink_sqlite_errno(s->db, rc);
}

static void sink_sqlite_free(struct sink_sqlite *s)
{
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->upsert);
	sqlite3_close(s->db);
	buf_free(&s->doc);
	buf_free(&s->payload);
	buf_free(&s->server_payload);
	buf_free(&s->readable);
	buf_free(&s->tags);
	free(s->path);
	free(s);
}

static int sink_sqlite_open(const char *arg, struct sink **out, char *err, size_t errlen)
{
	struct sink_sqlite *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->base.ops = &sink_sqlite_ops;
	s->path = strdup(arg);
	if (!s->path) {
		free(s);
		return -ENOMEM;
	}
	ret = sink_sqlite_open_db(arg, &s->db, err, errlen);
	if (!ret)
		ret = sink_sqlite_prepare(s, err, errlen);
	if (ret) {
		sink_sqlite_free(s);
		return ret;
	}
	*out = &s->base;
	return 0;
}

/* ---- binding one record ---- */

static int sink_sqlite_text(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	return sqlite3_bind_text64(st, i, p ? p : "", n, SQLITE_STATIC, SQLITE_UTF8);
}

/* Fixed-size record field: bounded by its size; NULL when empty if nullable. */
static int sink_sqlite_field(sqlite3_stmt *st, int i, const char *f, size_t size, bool nullable)
{
	size_t n = strnlen(f, size);

	if (!n && nullable)
		return sqlite3_bind_null(st, i);
	return sink_sqlite_text(st, i, f, n);
}

static sqlite3_int64 sink_sqlite_i64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

/* Same letters and order as record.c's tcp_flags_seen: F S R P A U E C. */
static void sink_sqlite_flags(uint8_t f, char out[9])
{
	static const char letters[] = "FSRPAUEC";
	size_t n = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (f & (1u << i))
			out[n++] = letters[i];
	out[n] = 0;
}

/* Renders doc, base64 payloads and readable into the scratch buffers. */
static int sink_sqlite_render(struct sink_sqlite *s, const struct record *r)
{
	int ret;

	buf_reset(&s->doc);
	buf_reset(&s->payload);
	buf_reset(&s->server_payload);
	buf_reset(&s->readable);
	ret = record_to_json_opts(r, &s->doc, RECORD_JSON_NO_BULK);
	if (!ret)
		ret = b64_encode(&s->payload, r->payload, r->payload_len);
	if (!ret)
		ret = b64_encode(&s->server_payload, r->server_payload, r->server_payload_len);
	if (!ret)
		ret = buf_reserve(&s->readable, r->payload_len);
	if (ret)
		return ret;
	record_readable(r->payload, r->payload_len, (char *)s->readable.p);
	s->readable.len = r->payload_len;
	return 0;
}

static int sink_sqlite_bind_flow(sqlite3_stmt *st, const struct record *r, char *a, char *b)
{
	int rc = sink_sqlite_field(st, P_S3PATH, r->s3path, sizeof(r->s3path), false);

	rc = rc ?: sink_sqlite_field(st, P_FLOW_KEY, r->flow_key, sizeof(r->flow_key), false);
	rc = rc ?: sqlite3_bind_double(st, P_INIT_TS, r->init_ts);
	rc = rc ?: sqlite3_bind_double(st, P_LAST_TS, r->last_ts);
	rc = rc ?: sqlite3_bind_text(st, P_SRC_ADDR, addr_format(&r->src, a), -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_int(st, P_SRC_PORT, r->sport);
	rc = rc ?: sqlite3_bind_text(st, P_DST_ADDR, addr_format(&r->dst, b), -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_int(st, P_DST_PORT, r->dport);
	rc = rc ?: sqlite3_bind_text(st, P_PROTO, record_proto_name(r->proto), -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_int64(st, P_PACKETS, sink_sqlite_i64(r->packets));
	rc = rc ?: sqlite3_bind_int64(st, P_BYTES, sink_sqlite_i64(r->bytes));
	rc = rc
		 ?: sink_sqlite_field(st, P_COMMUNITY_ID, r->community_id, sizeof(r->community_id),
				      true);
	return rc;
}

/* tags as a JSON array, so `json_each(tags)` can unnest them. */
static int sink_sqlite_bind_tags(struct sink_sqlite *s, const struct record *r)
{
	struct json j;

	buf_reset(&s->tags);
	json_init(&j, &s->tags);
	json_arr_begin(&j);
	for (unsigned i = 0; i < r->ntags && i < RECORD_MAX_TAGS; i++)
		json_val_str(&j, (const uint8_t *)r->tags[i], strnlen(r->tags[i], RECORD_TAG_LEN));
	json_arr_end(&j);
	if (json_finish(&j))
		return SQLITE_NOMEM;
	return sink_sqlite_text(s->upsert, P_TAGS, s->tags.p, s->tags.len);
}

static int sink_sqlite_bind_content(struct sink_sqlite *s, const struct record *r, char *flags)
{
	sqlite3_stmt *st = s->upsert;
	int rc;

	rc = sink_sqlite_text(st, P_PAYLOAD, s->payload.p, s->payload.len);
	rc = rc ?: sink_sqlite_text(st, P_READABLE, s->readable.p, s->readable.len);
	rc = rc
		 ?: sink_sqlite_text(st, P_SERVER_PAYLOAD, s->server_payload.p,
				     s->server_payload.len);
	rc = rc ?: sqlite3_bind_int64(st, P_PAYLOAD_LEN, sink_sqlite_i64(r->payload_len));
	rc = rc
		 ?: sqlite3_bind_int64(st, P_SERVER_PAYLOAD_LEN,
				       sink_sqlite_i64(r->server_payload_len));
	rc = rc ?: sqlite3_bind_int64(st, P_GAPS, r->gaps_total);
	rc = rc ?: sqlite3_bind_int(st, P_TRUNCATED, r->truncated);
	if (r->proto == IPPROTO_TCP) {
		sink_sqlite_flags(r->tcp_flags_client | r->tcp_flags_server, flags);
		rc = rc ?: sqlite3_bind_text(st, P_TCP_FLAGS_SEEN, flags, -1, SQLITE_STATIC);
	} else {
		rc = rc ?: sqlite3_bind_null(st, P_TCP_FLAGS_SEEN);
	}
	if (r->service[0])
		rc = rc ?: sink_sqlite_field(st, P_SERVICE, r->service, sizeof(r->service), false);
	else
		rc = rc ?: sqlite3_bind_text(st, P_SERVICE, "unknown", -1, SQLITE_STATIC);
	rc = rc ?: sink_sqlite_bind_tags(s, r);
	rc = rc ?: sink_sqlite_field(st, P_SCANNER, r->scanner, sizeof(r->scanner), true);
	rc = rc ?: sink_sqlite_field(st, P_OS_GUESS, r->os_guess, sizeof(r->os_guess), true);
	rc = rc ?: sink_sqlite_field(st, P_SENSOR, r->sensor, sizeof(r->sensor), false);
	rc = rc ?: sink_sqlite_field(st, P_FLOW_END, r->flow_end, sizeof(r->flow_end), true);
	rc = rc ?: sink_sqlite_text(st, P_DOC, s->doc.p, s->doc.len);
	return rc;
}

/* Runs a reusable statement once and resets it for the next use. */
static int sink_sqlite_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int sink_sqlite_write(struct sink *base, const struct record *r)
{
	struct sink_sqlite *s = (struct sink_sqlite *)base;
	char a[ADDR_STRLEN], b[ADDR_STRLEN], flags[9];
	int rc, ret;

	ret = sink_sqlite_render(s, r);
	if (ret) {
		snprintf(base->err, sizeof(base->err), "sqlite %s: rendering record: %s", s->path,
			 strerror(-ret));
		return ret;
	}
	/* One transaction per batch: opened by the first write after a commit. */
	if (sqlite3_get_autocommit(s->db)) {
		rc = sink_sqlite_step(s->begin);
		if (rc != SQLITE_OK)
			return sink_sqlite_fail(s, rc, "beginning transaction");
	}
	rc = sink_sqlite_bind_flow(s->upsert, r, a, b);
	rc = rc ?: sink_sqlite_bind_content(s, r, flags);
	rc = rc ?: sink_sqlite_step(s->upsert);
	/* Unbind: the bound pointers refer to r and our scratch buffers. */
	sqlite3_clear_bindings(s->upsert);
	if (rc != SQLITE_OK)
		return sink_sqlite_fail(s, rc, "writing flow");
	return 0;
}

static int sink_sqlite_commit(struct sink *base)
{
	struct sink_sqlite *s = (struct sink_sqlite *)base;
	int rc;

	if (sqlite3_get_autocommit(s->db))
		return 0; /* nothing written since the last commit */
	rc = sink_sqlite_step(s->commit);
	if (rc != SQLITE_OK)
		return sink_sqlite_fail(s, rc, "committing");
	return 0;
}

static void sink_sqlite_close(struct sink *base)
{
	sink_sqlite_free((struct sink_sqlite *)base);
}

const struct sink_ops sink_sqlite_ops = {
    .scheme = "sqlite",
    .open = sink_sqlite_open,
    .write = sink_sqlite_write,
    .commit = sink_sqlite_commit,
    .close = sink_sqlite_close,
};
