/* Query language over the tags array and the schema v2 columns: per-tag
 * stats (json_each), "any tag" filters, scanner / os_guess, creds.  Runs
 * against a database made by the real SQLite sink's schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "core/buf.h"
#include "query/query.h"

/* The flows table of schema v2 (src/sink/sqlite.c, migrations 1 and 2). */
static const char schema[] =
    "CREATE TABLE flows(id INTEGER PRIMARY KEY, s3path TEXT NOT NULL, flow_key TEXT NOT NULL,"
    " init_ts REAL NOT NULL, last_ts REAL NOT NULL, src_addr TEXT NOT NULL, src_port INTEGER,"
    " dst_addr TEXT NOT NULL, dst_port INTEGER, proto TEXT NOT NULL, packets INTEGER,"
    " bytes INTEGER, community_id TEXT, payload TEXT, readable TEXT, server_payload TEXT,"
    " payload_len INTEGER, server_payload_len INTEGER, gaps INTEGER, truncated INTEGER,"
    " tcp_flags_seen TEXT, service TEXT, tags TEXT, sensor TEXT, flow_end TEXT,"
    " doc TEXT NOT NULL, UNIQUE(s3path, flow_key));"
    "ALTER TABLE flows ADD COLUMN scanner TEXT;"
    "ALTER TABLE flows ADD COLUMN os_guess TEXT;";

struct row {
	int dport;
	const char *tags, *scanner, *os, *doc;
};

static const struct row rows[] = {
    {80, "[\"log4shell\",\"zgrab\"]", "zmap", "Linux", "{}"},
    {8080, "[\"log4shell\"]", "", "Windows", "{}"},
    {80, "[\"mirai-loader\",\"shell-dropper\"]", "mirai", "Linux", "{}"},
    {22, "[]", "", "Linux",
     "{\"creds\":[{\"proto\":\"ssh\",\"user\":\"root\",\"pass\":\"xc3511\"}]}"},
    {23, "[]", "masscan", "", "{}"},
    {443, NULL, NULL, NULL, "{}"},	/* a row of an old schema: NULL tags */
    {81, "not json", NULL, NULL, "{}"}, /* must not break the query */
    {8080, "[\"log4shell-ish\",\"log4shell\"]", "", "", "{}"},
};

static sqlite3 *fixture(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *ins = "INSERT INTO flows(id, s3path, flow_key, init_ts, last_ts, src_addr, "
			  "dst_addr, dst_port, proto, tags, scanner, os_guess, doc) "
			  "VALUES(?1, 'file:///p', 'k' || ?1, 1700000000 + ?1, 1700000001 + ?1, "
			  "'10.0.0.' || ?1, '192.0.2.1', ?2, 'tcp', ?3, ?4, ?5, ?6)";

	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(query_register_functions(db), 0);
	CHECK_INT(sqlite3_prepare_v2(db, ins, -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_int(st, 2, rows[i].dport);
		if (rows[i].tags)
			sqlite3_bind_text(st, 3, rows[i].tags, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		if (rows[i].scanner)
			sqlite3_bind_text(st, 4, rows[i].scanner, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		if (rows[i].os)
			sqlite3_bind_text(st, 5, rows[i].os, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, rows[i].doc, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			CHECK(!"insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return db;
}

/* Rows as "a,b;c,d" (NULL as NULL), or "ERROR: ...". */
static const char *run(sqlite3 *db, const char *text, struct buf *out)
{
	struct query_sql q;
	sqlite3_stmt *st = NULL;
	char err[256];
	int rc, nrow = 0;

	buf_reset(out);
	if (query_compile(text, &q, err, sizeof(err))) {
		buf_printf(out, "ERROR: %s", err);
		return buf_cstr(out);
	}
	if (sqlite3_prepare_v2(db, q.sql, -1, &st, NULL) != SQLITE_OK || query_bind(st, &q)) {
		buf_printf(out, "ERROR: %s", sqlite3_errmsg(db));
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_puts(out, nrow++ ? ";" : "");
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			buf_printf(out, "%s%s", i ? "," : "", v ? v : "NULL");
		}
	}
	if (rc != SQLITE_DONE)
		buf_printf(out, "ERROR: %s", sqlite3_errmsg(db));
out:
	if (!strncmp(buf_cstr(out), "ERROR", 5) || strstr(buf_cstr(out), "ERROR"))
		printf("#   sql: %s\n", q.sql);
	sqlite3_finalize(st);
	query_sql_free(&q);
	return buf_cstr(out);
}

static void sql_is(const char *text, const char *sql)
{
	struct query_sql q;
	char err[256];

	CHECK_INT(query_compile(text, &q, err, sizeof(err)), 0);
	if (q.sql && strcmp(q.sql, sql))
		printf("#   query: %s\n#   got:      %s\n#   expected: %s\n", text, q.sql, sql);
	CHECK(q.sql && !strcmp(q.sql, sql));
	query_sql_free(&q);
}

#define EACH "json_each(CASE WHEN json_valid(tags) THEN tags END)"

static void compile_tests(void)
{
	sql_is("filter tags = 'log4shell' | fields id",
	       "SELECT id FROM flows WHERE (EXISTS (SELECT 1 FROM " EACH
	       " WHERE (value = ?1))) ORDER BY init_ts DESC LIMIT ?2");
	sql_is("filter tags != 'log4shell' | fields id",
	       "SELECT id FROM flows WHERE (NOT EXISTS (SELECT 1 FROM " EACH
	       " WHERE (value = ?1))) ORDER BY init_ts DESC LIMIT ?2");
	sql_is("filter tags like /^log4/ | fields id",
	       "SELECT id FROM flows WHERE (EXISTS (SELECT 1 FROM " EACH
	       " WHERE (value REGEXP ?1))) ORDER BY init_ts DESC LIMIT ?2");
	sql_is("stats count(*) by tags",
	       "SELECT c3, c1 FROM (SELECT c2 AS c3, count(*) AS c1 FROM (SELECT f.*, je.value AS "
	       "c2 FROM (SELECT * FROM flows) AS f, json_each(CASE WHEN json_valid(f.tags) THEN "
	       "f.tags END) AS je) GROUP BY 1) ORDER BY c3 LIMIT ?1");
	sql_is("fields scanner, os_guess, creds",
	       "SELECT scanner, os_guess, json_extract(doc, '$.creds') FROM flows "
	       "ORDER BY init_ts DESC LIMIT ?1");
}

static void e2e_tests(void)
{
	sqlite3 *db = fixture();
	struct buf b = {0};

	/* any tag equals; not the substring match of the JSON text */
	CHECK_STR(run(db, "filter tags = 'log4shell' | fields id | sort id", &b), "1;2;8");
	CHECK_STR(run(db, "filter 'x' = 'x' and tags = \"zgrab\" | fields id", &b), "1");
	CHECK_STR(run(db, "filter tags != 'log4shell' | fields id | sort id", &b), "3;4;5;6;7");
	CHECK_STR(run(db, "filter tags like 'log4*' | fields id | sort id", &b), "1;2;8");
	CHECK_STR(run(db, "filter tags like 'shell' | fields id | sort id", &b), "1;2;3;8");
	CHECK_STR(run(db, "filter tags =~ /^mirai-/ | fields id", &b), "3");
	CHECK_STR(run(db, "filter tags not like /log4/ | fields id | sort id", &b), "3;4;5;6;7");
	CHECK_STR(run(db, "filter tags in ['zgrab', 'mirai-loader'] | fields id | sort id", &b),
		  "1;3");
	CHECK_STR(run(db, "filter tags not in ['zgrab', 'mirai-loader'] | fields id | sort id", &b),
		  "2;4;5;6;7;8");
	CHECK_STR(run(db, "filter not tags = 'log4shell' | fields id | sort id", &b), "3;4;5;6;7");
	CHECK_STR(
	    run(db, "filter tags = 'log4shell' and dst_port = 8080 | fields id | sort id", &b),
	    "2;8");
	CHECK_STR(run(db, "fields tags as t | filter t = 'zgrab' | fields id", &b), "1");
	/* fields still shows the array */
	CHECK_STR(run(db, "filter id = 3 | fields tags", &b),
		  "[\"mirai-loader\",\"shell-dropper\"]");
	/* per-tag counts: a flow counts once per tag, untagged flows not at all */
	CHECK_STR(run(db, "stats count(*) by tags", &b),
		  "log4shell,3;log4shell-ish,1;mirai-loader,1;shell-dropper,1;zgrab,1");
	CHECK_STR(run(db, "stats count(*) as n by tags as tag | sort n desc, tag | limit 2", &b),
		  "log4shell,3;log4shell-ish,1");
	CHECK_STR(
	    run(db, "filter dst_port = 80 | stats count(*) as n, count_distinct(id) by tags", &b),
	    "log4shell,1,1;mirai-loader,1,1;shell-dropper,1,1;zgrab,1,1");
	CHECK_STR(
	    run(db, "filter dst_port = 80 | stats count(*) by tags, dst_port | sort tags", &b),
	    "log4shell,80,1;mirai-loader,80,1;shell-dropper,80,1;zgrab,80,1");
	CHECK_STR(
	    run(db, "filter tags = 'log4shell' | stats count(*) as n by tags | filter n > 1", &b),
	    "log4shell,3");
	CHECK_STR(run(db, "fields id | sort id | limit 2 | stats count(*) by tags", &b),
		  "log4shell,2;zgrab,1");
	/* the v2 columns and creds */
	CHECK_STR(run(db, "filter scanner = 'mirai' | fields id, os_guess", &b), "3,Linux");
	CHECK_STR(
	    run(db, "filter ispresent(scanner) and scanner != '' | stats count(*) by scanner", &b),
	    "masscan,1;mirai,1;zmap,1");
	CHECK_STR(run(db, "stats count(*) by os_guess | filter ispresent(os_guess)", &b),
		  ",2;Linux,3;Windows,1");
	CHECK_STR(run(db, "filter ispresent(creds) | fields id, creds", &b),
		  "4,[{\"proto\":\"ssh\",\"user\":\"root\",\"pass\":\"xc3511\"}]");
	CHECK_STR(run(db, "filter creds like 'xc3511' | fields id", &b), "4");
	sqlite3_close(db);
	buf_free(&b);
}

int main(void)
{
	compile_tests();
	e2e_tests();
	return T_DONE();
}
