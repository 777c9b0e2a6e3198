/* The alert as JSON, its deduplication key, and its row in the alerts table.
 * Every value is bound, never pasted into SQL. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "alert/alert.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/siphash.h"

static void alert_json_str(struct json *j, const char *key, const char *v)
{
	if (!v[0])
		return;
	json_key(j, key);
	json_val_cstr(j, v);
}

int alert_to_json(const struct alert *a, struct buf *out)
{
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "kind");
	json_val_cstr(&j, alert_kind_name(a->kind));
	json_key(&j, "ts");
	json_val_double(&j, a->ts);
	alert_json_str(&j, "src_addr", a->src_addr);
	alert_json_str(&j, "dst_addr", a->dst_addr);
	if (a->src_port || a->dst_port) {
		json_key(&j, "src_port");
		json_val_u64(&j, a->src_port);
		json_key(&j, "dst_port");
		json_val_u64(&j, a->dst_port);
	}
	alert_json_str(&j, "proto", a->proto);
	alert_json_str(&j, "token_id", a->token_id);
	alert_json_str(&j, "token_kind", a->token_kind);
	alert_json_str(&j, "note", a->note);
	alert_json_str(&j, "tag", a->tag);
	alert_json_str(&j, "uri", a->uri);
	alert_json_str(&j, "community_id", a->community_id);
	alert_json_str(&j, "summary", a->summary);
	if (a->detail && a->detail[0]) {
		json_key(&j, "detail");
		json_val_raw(&j, a->detail, strlen(a->detail));
	}
	json_obj_end(&j);
	return json_finish(&j);
}

/* kind, source, token/tag, flow identity (object URI + Community ID) and, for
 * events without a flow, the time: raising it again names the same alert. */
void alert_dedup_key(const struct alert *a, char *out, size_t outlen)
{
	struct siphash_key k = {0x616c657274ull, 0x6d69747375ull};
	struct buf b = {0};
	uint64_t h = 0;

	if (!buf_printf(&b, "%s|%s|%s|%s|%s|%s|%u|%u", alert_kind_name(a->kind), a->src_addr,
			a->token_id, a->tag, a->uri, a->community_id, a->src_port, a->dst_port) &&
	    (a->uri[0] || a->community_id[0] || !buf_printf(&b, "|%.6f", a->ts)))
		h = siphash24(&k, b.p, b.len);
	buf_free(&b);
	snprintf(out, outlen, "%s-%016llx", alert_kind_name(a->kind), (unsigned long long)h);
}

static void alert_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

int alert_db_insert(struct sqlite3 *db, const struct alert *a)
{
	static const char sql[] =
	    "INSERT INTO alerts(ts, kind, src_addr, dst_addr, src_port, dst_port, proto,"
	    " token_id, tag, uri, community_id, summary, doc, dedup_key, created)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(dedup_key) DO NOTHING";
	struct buf doc = {0};
	struct timespec now;
	sqlite3_stmt *st = NULL;
	char key[96];
	int ret;

	if ((ret = alert_to_json(a, &doc)))
		goto out;
	alert_dedup_key(a, key, sizeof(key));
	clock_gettime(CLOCK_REALTIME, &now);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = -EIO;
		goto out;
	}
	sqlite3_bind_double(st, 1, a->ts);
	sqlite3_bind_text(st, 2, alert_kind_name(a->kind), -1, SQLITE_STATIC);
	alert_bind_text(st, 3, a->src_addr);
	alert_bind_text(st, 4, a->dst_addr);
	sqlite3_bind_int(st, 5, (int)a->src_port);
	sqlite3_bind_int(st, 6, (int)a->dst_port);
	alert_bind_text(st, 7, a->proto);
	alert_bind_text(st, 8, a->token_id);
	alert_bind_text(st, 9, a->tag);
	alert_bind_text(st, 10, a->uri);
	alert_bind_text(st, 11, a->community_id);
	alert_bind_text(st, 12, a->summary);
	sqlite3_bind_text(st, 13, (const char *)doc.p, (int)doc.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 15, (double)now.tv_sec + now.tv_nsec / 1e9);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ret = -EIO;
		goto out;
	}
	ret = sqlite3_changes(db) > 0 ? 1 : 0;
out:
	sqlite3_finalize(st);
	buf_free(&doc);
	return ret;
}
