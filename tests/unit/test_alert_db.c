/* alert_db: an alert's JSON, its dedup key, and one row per distinct alert. */
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>

#include "alert/alert.h"
#include "core/buf.h"
#include "sink/sqlite.h"
#include "t.h"

static struct alert sample(void)
{
	struct alert a = {.kind = ALERT_TOKEN, .ts = 1700000000.25, .src_port = 40000, .dst_port = 21};

	snprintf(a.src_addr, sizeof(a.src_addr), "10.0.0.5");
	snprintf(a.token_id, sizeof(a.token_id), "tok-1");
	snprintf(a.uri, sizeof(a.uri), "file:///d/pcap/x.pcap");
	snprintf(a.summary, sizeof(a.summary), "token \"tok-1\" used\n");
	a.detail = "{\"offset\":12}";
	return a;
}

static long long count(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM alerts", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/mitsu-alertdb.XXXXXX", path[256], err[512], k1[96], k2[96];
	struct alert a = sample(), b = sample();
	struct buf j = {0};
	sqlite3 *db = NULL;

	CHECK_INT(alert_to_json(&a, &j), 0);
	CHECK_STR(buf_cstr(&j), "{\"kind\":\"token\",\"ts\":1700000000.250000,\"src_addr\":"
				"\"10.0.0.5\",\"src_port\":40000,\"dst_port\":21,\"token_id\":"
				"\"tok-1\",\"uri\":\"file:///d/pcap/x.pcap\",\"summary\":"
				"\"token \\\"tok-1\\\" used\\u000a\",\"detail\":{\"offset\":12}}");
	buf_free(&j);
	alert_dedup_key(&a, k1, sizeof(k1));
	alert_dedup_key(&b, k2, sizeof(k2));
	CHECK_STR(k1, k2);
	snprintf(b.src_addr, sizeof(b.src_addr), "10.0.0.6");
	alert_dedup_key(&b, k2, sizeof(k2));
	CHECK(strcmp(k1, k2) != 0);

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/m.db", dir);
	CHECK_INT(sink_sqlite_open_db(path, &db, err, sizeof(err)), 0);
	if (!db)
		return T_DONE() | 1;
	CHECK_INT(alert_db_insert(db, &a), 1);
	CHECK_INT(alert_db_insert(db, &a), 0); /* the same alert again: kept once */
	CHECK_INT(alert_db_insert(db, &b), 1);
	CHECK_INT(count(db), 2);
	sqlite3_close(db);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		return 1;
	return T_DONE();
}
