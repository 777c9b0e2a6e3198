/* Sinks: sqlite (schema, upsert, FTS, batching) and jsonl. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyze/record.h"
#include "sink/sink.h"
#include "sink/sqlite.h"
#include "t.h"

static char dir[] = "/tmp/mitsu-test-sink-XXXXXX";

static void make_record(struct record *r, int i, const char *text)
{
	size_t n = strlen(text);

	record_init(r);
	snprintf(r->s3path, sizeof(r->s3path), "file:///data/pcap/%d.pcap", i / 2);
	snprintf(r->flow_key, sizeof(r->flow_key), "k%d", i % 2);
	snprintf(r->sensor, sizeof(r->sensor), "sensor-1");
	r->init_ts = 1700000000.25 + i;
	r->last_ts = r->init_ts + 1;
	addr_parse("203.0.113.9", &r->src);
	addr_parse("192.0.2.10", &r->dst);
	r->sport = (uint16_t)(50000 + i);
	r->dport = 22;
	r->proto = i == 2 ? IPPROTO_UDP : IPPROTO_TCP;
	r->packets = 4;
	r->bytes = 300;
	r->payload = malloc(n + 1);
	memcpy(r->payload, text, n + 1);
	r->payload_len = n;
	r->tcp_flags_client = 0x02;
	r->tcp_flags_server = 0x12;
}

/* One integer from a query on a fresh connection, or -1. */
static long long q_int(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *q_text(const char *db_path, const char *sql)
{
	static char out[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	snprintf(out, sizeof(out), "(error)");
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s",
			 (const char *)sqlite3_column_text(st, 0) ?: "NULL");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static int write_batch(struct sink *s, const char *const *texts, int n)
{
	struct record r;
	int i, ret = 0;

	for (i = 0; i < n && !ret; i++) {
		make_record(&r, i, texts[i]);
		ret = sink_write(s, &r);
		record_free(&r);
	}
	return ret;
}

static void test_sqlite(void)
{
	static const char *const first[] = {"SSH-2.0-Go\r\n", "GET /secretword HTTP/1.1\r\n",
					    "\x01\x02 hello udp"};
	static const char *const second[] = {"SSH-2.0-Go\r\n", "GET /otherword HTTP/1.1\r\n",
					     "\x01\x02 hello udp"};
	char path[256], spec[300], err[512] = "";
	struct sink *s = NULL;

	snprintf(path, sizeof(path), "%s/new/sub/flows.db", dir);
	snprintf(spec, sizeof(spec), "sqlite:%s", path);
	CHECK_INT(sink_open(spec, &s, err, sizeof(err)), 0);
	if (!s) {
		printf("# %s\n", err);
		return;
	}
	CHECK_INT(write_batch(s, first, 3), 0);
	/* Uncommitted: another connection sees nothing yet. */
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows"), 0);
	CHECK_INT(sink_commit(s), 0);
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows"), 3);
	CHECK_INT(sink_commit(s), 0); /* empty batch */
	sink_close(s);

	CHECK_INT(q_int(path, "PRAGMA user_version"), sink_sqlite_schema_version());
	CHECK_INT(sink_sqlite_schema_version(), 3); /* 2: scanner, os_guess; 3: tokens, alerts */
	CHECK_STR(q_text(path, "PRAGMA journal_mode"), "wal");
	CHECK_INT(
	    q_int(path, "SELECT rowid FROM flows_fts WHERE flows_fts MATCH 'secretword'"),
	    q_int(path, "SELECT id FROM flows WHERE flow_key = 'k1' AND s3path LIKE '%0.pcap'"));
	CHECK_STR(q_text(path, "SELECT readable FROM flows WHERE id = 3"), ".. hello udp");
	CHECK_STR(q_text(path, "SELECT payload FROM flows WHERE id = 1"), "U1NILTIuMC1Hbw0K");
	CHECK_STR(q_text(path, "SELECT tcp_flags_seen || '|' || proto || '|' || service ||"
			       " '|' || src_addr || '|' || dst_port FROM flows WHERE id = 1"),
		  "SA|tcp|unknown|203.0.113.9|22");
	CHECK_STR(q_text(path, "SELECT quote(tcp_flags_seen) || quote(flow_end) ||"
			       " quote(community_id) || tags FROM flows WHERE id = 3"),
		  "NULLNULLNULL[]");
	CHECK_STR(q_text(path, "SELECT json_extract(doc, '$.s3path') FROM flows WHERE id = 2"),
		  "file:///data/pcap/0.pcap");
	CHECK_STR(q_text(path, "SELECT printf('%.6f', init_ts) FROM flows WHERE id = 2"),
		  "1700000001.250000");

	/* The same objects again: rows are updated, not duplicated. */
	s = NULL;
	CHECK_INT(sink_open(spec, &s, err, sizeof(err)), 0);
	if (!s)
		return;
	CHECK_INT(write_batch(s, second, 3), 0);
	CHECK_INT(write_batch(s, second, 3), 0);
	CHECK_INT(sink_commit(s), 0);
	sink_close(s);
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows"), 3);
	CHECK_INT(q_int(path, "SELECT max(id) FROM flows"), 3);
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows_fts WHERE flows_fts MATCH 'secretword'"),
		  0);
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows_fts WHERE flows_fts MATCH 'otherword'"),
		  1);
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows_fts WHERE flows_fts MATCH 'hello'"), 1);
	CHECK_INT(q_int(path, "SELECT count(*) FROM flows WHERE json_valid(doc)"), 3);
}

static void test_sqlite_values_bound(void)
{
	char path[256], spec[300], err[512] = "";
	struct sink *s = NULL;
	struct record r;

	snprintf(path, sizeof(path), "%s/bound.db", dir);
	snprintf(spec, sizeof(spec), "sqlite:%s", path);
	CHECK_INT(sink_open(spec, &s, err, sizeof(err)), 0);
	if (!s)
		return;
	make_record(&r, 0, "x");
	snprintf(r.s3path, sizeof(r.s3path), "x'); DROP TABLE flows; --");
	snprintf(r.service, sizeof(r.service), "a'b\"c");
	CHECK_INT(sink_write(s, &r), 0);
	record_free(&r);
	CHECK_INT(sink_commit(s), 0);
	sink_close(s);
	CHECK_STR(q_text(path, "SELECT s3path FROM flows"), "x'); DROP TABLE flows; --");
	CHECK_STR(q_text(path, "SELECT service FROM flows"), "a'b\"c");
}

static void test_sqlite_open_db(void)
{
	char path[256], err[512] = "";
	sqlite3 *db = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/shared.db", dir);
	CHECK_INT(sink_sqlite_open_db(path, &db, err, sizeof(err)), 0);
	sqlite3_close(db);
	/* Re-opening an up-to-date database migrates nothing. */
	CHECK_INT(sink_sqlite_open_db(path, &db, err, sizeof(err)), 0);
	CHECK(db != NULL);
	if (db)
		sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	ret = sink_sqlite_open_db(path, &db, err, sizeof(err));
	CHECK(ret < 0);
	CHECK(db == NULL);
	CHECK(strstr(err, path) != NULL);
	CHECK(strstr(err, "newer") != NULL);
	printf("# %s\n", err);

	/* The parent "directory" is a regular file. */
	snprintf(path, sizeof(path), "%s/shared.db/x.db", dir);
	ret = sink_sqlite_open_db(path, &db, err, sizeof(err));
	CHECK(ret < 0);
	CHECK(strstr(err, path) != NULL);
	printf("# %s\n", err);
}

static void test_specs(void)
{
	char err[512] = "";
	struct sink *s = (struct sink *)1;

	CHECK_INT(sink_open("nope:x", &s, err, sizeof(err)), -EINVAL);
	CHECK(s == NULL);
	CHECK(strstr(err, "nope:x") != NULL);
	CHECK_INT(sink_open("sqlite:", &s, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_open("jsonl", &s, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_open("jsonl:/proc/nonexistent/dir/x.jsonl", &s, err, sizeof(err)) < 0, 1);
	CHECK(strstr(err, "/proc/nonexistent/dir/x.jsonl") != NULL);
	sink_close(NULL);
}

/* Every line of path is valid JSON (checked by python3); returns the count. */
static long jsonl_lines(const char *path)
{
	char cmd[512], out[64] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; ls=open(sys.argv[1], encoding=\"utf-8\").read()"
		 ".split(\"\\n\"); assert ls[-1] == \"\"; [json.loads(l) for l in ls[:-1]];"
		 " print(len(ls) - 1)' %s",
		 path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (!fgets(out, sizeof(out), f))
		out[0] = 0;
	if (pclose(f))
		return -1;
	return strtol(out, NULL, 10);
}

static void test_jsonl(void)
{
	static const char *const texts[] = {"a\nb", "\xff\xfe\"\\", "x"};
	char path[256], spec[300], err[512] = "";
	struct sink *s = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/j/out.jsonl", dir);
	snprintf(spec, sizeof(spec), "jsonl:%s", path);
	CHECK_INT(sink_open(spec, &s, err, sizeof(err)), 0);
	if (!s)
		return;
	CHECK_INT(write_batch(s, texts, 3), 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 0); /* nothing before commit */
	CHECK_INT(sink_commit(s), 0);
	CHECK_INT(jsonl_lines(path), 3);
	sink_close(s);
	/* Appends. */
	s = NULL;
	CHECK_INT(sink_open(spec, &s, err, sizeof(err)), 0);
	if (!s)
		return;
	CHECK_INT(write_batch(s, texts, 1), 0);
	sink_close(s); /* close commits */
	CHECK_INT(jsonl_lines(path), 4);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return T_DONE();
	}
	test_sqlite();
	test_sqlite_values_bound();
	test_sqlite_open_db();
	test_specs();
	test_jsonl();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return T_DONE();
}
