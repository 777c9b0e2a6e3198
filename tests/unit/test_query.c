/* Query language: compiled SQL and parameters, error positions, and queries
 * run end to end over a small fixture database; output escaping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "core/buf.h"
#include "query/query.h"
#include "query/internal.h" /* QUERY_MAX_DEPTH */

/* "sql" then " | p1, p2, ..." with text params quoted 'like this'. */
static const char *render(const struct query_sql *q, struct buf *b)
{
	buf_reset(b);
	buf_puts(b, q->sql);
	buf_puts(b, " |");
	for (size_t i = 0; i < q->nparams; i++) {
		const struct query_param *p = &q->params[i];

		buf_puts(b, i ? ", " : " ");
		if (p->type == QUERY_PARAM_INT)
			buf_printf(b, "%lld", p->i);
		else if (p->type == QUERY_PARAM_REAL)
			buf_printf(b, "%g", p->d);
		else
			buf_printf(b, "'%s'", p->s);
	}
	return buf_cstr(b);
}

static void compiles(const char *text, const char *expected)
{
	struct query_sql q;
	struct buf b = {0};
	char err[256];
	int ret = query_compile(text, &q, err, sizeof(err));

	CHECK_INT(ret, 0);
	if (ret)
		printf("#   query: %s\n#   error: %s\n", text, err);
	else
		CHECK_STR(render(&q, &b), expected);
	query_sql_free(&q);
	buf_free(&b);
}

static void compile_tests(void)
{
	const char *dflt = "SELECT init_ts, src_addr, dst_port, readable FROM flows";

	compiles("", "SELECT init_ts, src_addr, dst_port, readable FROM flows "
		     "ORDER BY init_ts DESC LIMIT ?1 | 1000");
	compiles("  # only a comment\n", "SELECT init_ts, src_addr, dst_port, readable FROM flows "
					 "ORDER BY init_ts DESC LIMIT ?1 | 1000");
	(void)dflt;
	/* fields */
	compiles("fields init_ts, src_addr, dst_port, readable",
		 "SELECT init_ts, src_addr, dst_port, readable FROM flows ORDER BY init_ts DESC "
		 "LIMIT ?1 | 1000");
	compiles("fields @timestamp, http.uri, tls.ja4 as ja4, strlen(readable) as n",
		 "SELECT init_ts, json_extract(doc, ?1), json_extract(doc, ?2), length(readable) "
		 "FROM flows ORDER BY init_ts DESC LIMIT ?3 | '$.http.uri', '$.tls.ja4', 1000");
	compiles("display s3path",
		 "SELECT s3path FROM flows ORDER BY init_ts DESC LIMIT ?1 | 1000");
	compiles("fields strlen(readable) as n | filter n > 5 | sort n desc | fields n, @message",
		 "SELECT length(readable), doc FROM flows WHERE (length(readable) > ?1) "
		 "ORDER BY length(readable) DESC LIMIT ?2 | 5, 1000");
	/* comparisons and literals */
	compiles(
	    "filter dst_port = 22 | fields id",
	    "SELECT id FROM flows WHERE (dst_port = ?1) ORDER BY init_ts DESC LIMIT ?2 | 22, 1000");
	compiles("filter dst_port != 22 and dst_port == 23 | fields id",
		 "SELECT id FROM flows WHERE ((dst_port <> ?1) AND (dst_port = ?2)) "
		 "ORDER BY init_ts DESC LIMIT ?3 | 22, 23, 1000");
	compiles("filter bytes < 1.5 or bytes <= -2 or bytes > 1e3 or bytes >= 7 | fields id",
		 "SELECT id FROM flows WHERE ((bytes < ?1) OR (bytes <= ?2) OR (bytes > ?3) OR "
		 "(bytes >= ?4)) ORDER BY init_ts DESC LIMIT ?5 | 1.5, -2, 1000, 7, 1000");
	compiles("filter src_addr = 'a\\'b' or service = \"x\\\"y\" | fields id",
		 "SELECT id FROM flows WHERE ((src_addr = ?1) OR (service = ?2)) "
		 "ORDER BY init_ts DESC LIMIT ?3 | 'a'b', 'x\"y', 1000");
	/* precedence: and binds tighter than or; not tighter than and */
	compiles("filter not gaps = 0 and truncated = 1 or (proto = 'udp') | fields id",
		 "SELECT id FROM flows WHERE (((NOT (gaps = ?1)) AND (truncated = ?2)) OR "
		 "(proto = ?3)) ORDER BY init_ts DESC LIMIT ?4 | 0, 1, 'udp', 1000");
	compiles(
	    "filter proto = 'tcp' and (dst_port = 22 or dst_port = 23) | fields id",
	    "SELECT id FROM flows WHERE ((proto = ?1) AND ((dst_port = ?2) OR (dst_port = ?3))) "
	    "ORDER BY init_ts DESC LIMIT ?4 | 'tcp', 22, 23, 1000");
	/* in, like */
	compiles("filter dst_port in [22, 2222] and proto not in ('udp') | fields id",
		 "SELECT id FROM flows WHERE ((dst_port IN (?1, ?2)) AND (proto NOT IN (?3))) "
		 "ORDER BY init_ts DESC LIMIT ?4 | 22, 2222, 'udp', 1000");
	compiles("filter readable like /SSH-2\\.0/ and readable not like /^GET \\//| fields id",
		 "SELECT id FROM flows WHERE ((readable REGEXP ?1) AND (readable NOT REGEXP ?2)) "
		 "ORDER BY init_ts DESC LIMIT ?3 | 'SSH-2\\.0', '^GET /', 1000");
	compiles("filter readable =~ /x/ | fields id",
		 "SELECT id FROM flows WHERE (readable REGEXP ?1) ORDER BY init_ts DESC LIMIT ?2 "
		 "| 'x', 1000");
	compiles("filter readable like 'GET *[x]?' | fields id",
		 "SELECT id FROM flows WHERE (readable GLOB ?1) ORDER BY init_ts DESC LIMIT ?2 "
		 "| 'GET *[[]x]?', 1000");
	compiles(
	    "filter readable like \"jndi\" and readable not like 'wget' | fields id",
	    "SELECT id FROM flows WHERE ((instr(readable, ?1) > 0) AND (instr(readable, ?2) = 0)) "
	    "ORDER BY init_ts DESC LIMIT ?3 | 'jndi', 'wget', 1000");
	/* functions */
	compiles("filter ispresent(http.uri) and not isempty(service) | fields toupper(proto)",
		 "SELECT upper(proto) FROM flows WHERE ((json_extract(doc, ?1) IS NOT NULL) AND "
		 "(NOT (coalesce(service, '') = ''))) ORDER BY init_ts DESC LIMIT ?2 "
		 "| '$.http.uri', 1000");
	/* stats */
	compiles("stats count(*)",
		 "SELECT c1 FROM (SELECT count(*) AS c1 FROM flows) LIMIT ?1 | 1000");
	compiles(
	    "stats count(*) as n, count(readable), count_distinct(src_addr) as srcs, "
	    "min(init_ts), max(init_ts), sum(bytes), avg(bytes) by proto, dst_port",
	    "SELECT c8, c9, c1, c2, c3, c4, c5, c6, c7 FROM (SELECT proto AS c8, dst_port AS c9, "
	    "count(*) AS c1, count(readable) AS c2, count(DISTINCT src_addr) AS c3, "
	    "min(init_ts) AS c4, max(init_ts) AS c5, sum(bytes) AS c6, avg(bytes) AS c7 "
	    "FROM flows GROUP BY 1, 2) ORDER BY c8, c9 LIMIT ?1 | 1000");
	compiles("stats count() by bin(1h)",
		 "SELECT c2, c1 FROM (SELECT (CAST(init_ts / ?1 AS INTEGER) * ?1) AS c2, "
		 "count(*) AS c1 FROM flows GROUP BY 1) ORDER BY c2 LIMIT ?2 | 3600, 1000");
	compiles("stats count(*) by bin(5m) as t",
		 "SELECT c2, c1 FROM (SELECT (CAST(init_ts / ?1 AS "
		 "INTEGER) * ?1) AS c2, count(*) AS c1 FROM "
		 "flows GROUP BY 1) ORDER BY c2 LIMIT ?2 | 300, 1000");
	compiles("stats count(*) by bin(30s), bin(1d), bin(100ms)",
		 "SELECT c2, c3, c4, c1 FROM (SELECT (CAST(init_ts / ?1 AS INTEGER) * ?1) AS c2, "
		 "(CAST(init_ts / ?2 AS INTEGER) * ?2) AS c3, (CAST(init_ts / ?3 AS INTEGER) * ?3) "
		 "AS c4, count(*) AS c1 FROM flows GROUP BY 1, 2, 3) ORDER BY c2, c3, c4 LIMIT ?4 "
		 "| 30, 86400, 0.1, 1000");
	compiles("filter proto = 'tcp' | stats count(*) as n by src_addr | filter n > 1 "
		 "| sort n desc, src_addr | limit 5",
		 "SELECT c2, c1 FROM (SELECT src_addr AS c2, count(*) AS c1 FROM flows WHERE "
		 "(proto = ?1) GROUP BY 1) WHERE (c1 > ?2) ORDER BY c1 DESC, c2 LIMIT ?3 "
		 "| 'tcp', 1, 5");
	/* a stats column named by its spelling */
	compiles("stats count(*) by src_addr | sort count(*) desc | fields src_addr",
		 "SELECT c2 FROM (SELECT src_addr AS c2, count(*) AS c1 FROM flows GROUP BY 1) "
		 "ORDER BY c1 DESC LIMIT ?1 | 1000");
	compiles("stats count(*) by http.uri | stats count(*) as uris, sum(count(*))",
		 "SELECT c3, c4 FROM (SELECT count(*) AS c3, sum(c1) AS c4 FROM (SELECT "
		 "json_extract(doc, ?1) AS c2, count(*) AS c1 FROM flows GROUP BY 1)) LIMIT ?2 "
		 "| '$.http.uri', 1000");
	/* sort, limit, dedup */
	compiles("sort dst_port, init_ts asc, src_addr desc | fields id",
		 "SELECT id FROM flows ORDER BY dst_port, init_ts, src_addr DESC LIMIT ?1 | 1000");
	compiles("limit 5 | fields id", "SELECT id FROM flows ORDER BY init_ts DESC LIMIT ?1 | 5");
	compiles("limit 5 | filter dst_port = 22 | fields id",
		 "SELECT id FROM (SELECT * FROM flows ORDER BY init_ts DESC LIMIT ?1) WHERE "
		 "(dst_port = ?2) ORDER BY init_ts DESC | 5, 22");
	compiles("filter dst_port = 22 | limit 5 | sort id | limit 2 | fields id",
		 "SELECT id FROM (SELECT * FROM flows WHERE (dst_port = ?1) ORDER BY init_ts DESC "
		 "LIMIT ?2) ORDER BY id LIMIT ?3 | 22, 5, 2");
	compiles(
	    "dedup src_addr, dst_port | fields id",
	    "SELECT id FROM (SELECT *, row_number() OVER (PARTITION BY src_addr, dst_port ORDER BY "
	    "init_ts DESC) AS c1 FROM flows) WHERE c1 = 1 ORDER BY init_ts DESC LIMIT ?1 | 1000");
	compiles(
	    "filter proto = 'tcp' | sort init_ts | dedup src_addr | fields id",
	    "SELECT id FROM (SELECT *, row_number() OVER (PARTITION BY src_addr ORDER BY init_ts) "
	    "AS c1 FROM flows WHERE (proto = ?1)) WHERE c1 = 1 ORDER BY init_ts LIMIT ?2 "
	    "| 'tcp', 1000");
	/* case-insensitive keywords, multi-line */
	compiles("FILTER dst_port = 1 AND NOT dst_port IN [2]\n| FIELDS id",
		 "SELECT id FROM flows WHERE ((dst_port = ?1) AND (NOT (dst_port IN (?2)))) "
		 "ORDER BY init_ts DESC LIMIT ?3 | 1, 2, 1000");
}

/* A malformed query: position and message. */
static void fails(const char *text, int line, int col, const char *msg_part)
{
	struct query_sql q;
	char err[256];
	int ret = query_compile(text, &q, err, sizeof(err));

	CHECK_INT(ret, -EINVAL);
	CHECK_INT(q.err_line, line);
	CHECK_INT(q.err_col, col);
	CHECK(q.sql == NULL && q.params == NULL && q.cols == NULL);
	CHECK(strstr(err, msg_part) != NULL);
	if (!strstr(err, msg_part))
		printf("#   query: %s\n#   error: %s\n#   want:  %s\n", text, err, msg_part);
	query_sql_free(&q);
}

static void error_tests(void)
{
	struct query_sql q;
	char err[256], deep[300];

	CHECK_INT(query_compile("stats count(*) by", &q, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "query:1:18: expected a field name after 'by'");
	fails("fields init_ts | stats count(*) as n by ", 1, 40,
	      "expected a field name after 'by'");
	fails("filter x = 1", 1, 8, "unknown field 'x'");
	fails("filter dst_port = 22 | bogus", 1, 24, "unknown command 'bogus'");
	fails("filter dst_port = 22 |", 1, 23, "expected a command");
	fails("| filter dst_port = 22", 1, 1, "expected a command");
	fails("filter dst_port =", 1, 18, "expected a field name or a value, found end of query");
	fails("filter dst_port = 22 src_port", 1, 22, "expected '|' or the end of the query");
	fails("filter", 1, 7, "expected a condition after 'filter'");
	fails("sort", 1, 5, "expected a field name after 'sort'");
	fails("fields a,", 1, 8, "unknown field 'a'");
	fails("fields src_addr,", 1, 17, "expected a field name after ','");
	fails("fields src_addr as", 1, 19, "expected a plain name after 'as'");
	fails("fields src_addr as a.b", 1, 20, "expected a plain name after 'as'");
	fails("limit", 1, 6, "expected a row count after 'limit'");
	fails("limit -3", 1, 7, "expected a row count");
	fails("limit 1.5", 1, 7, "expected a whole row count");
	fails("filter readable like /a(/", 1, 22, "bad regex");
	fails("filter readable like /a++++++++++++++++/", 1, 22, "regex too complex");
	fails("filter readable like /((a{20}){20}){20}/", 1, 22, "regex too complex");
	fails("filter readable like /x|(ab|[a-z]{1,30}){1,100}/", 1, 22, "regex too complex");
	memset(deep, '(', sizeof(deep));
	memcpy(deep, "filter readable like /", 22);
	memcpy(deep + sizeof(deep) - 3, "a/", 3);
	fails(deep, 1, 22, "regex too complex");
	compiles("filter readable like /^[0-9]{1,3}(\\.[0-9]{1,3}){3}$|\\+\\+\\+\\+\\+\\+\\+\\+"
		 "\\+\\+\\+\\+[+]{9}(a|b)*x{1900}/ | fields id",
		 "SELECT id FROM flows WHERE (readable REGEXP ?1) ORDER BY init_ts DESC LIMIT ?2 | "
		 "'^[0-9]{1,3}(\\.[0-9]{1,3}){3}$|\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+[+]{9}(a|b)*"
		 "x{1900}', 1000");
	fails("filter readable like 'abc", 1, 22, "unterminated string");
	fails("filter readable like /abc", 1, 22, "unterminated /regex/");
	fails("filter readable like 5", 1, 22, "expected a /regex/ or a 'string' after like");
	fails("filter readable = /x/", 1, 19, "a /regex/ can only follow like");
	fails("filter readable not = 1", 1, 21, "expected like or in after not");
	fails("filter dst_port in 22", 1, 20, "expected '[' after in");
	fails("filter dst_port in [22, src_port]", 1, 25, "expected a number or a 'string'");
	fails("filter dst_port in [22", 1, 23, "expected ']'");
	fails("filter a.b..c = 1", 1, 12, "bad field path");
	fails("filter a.b. = 1", 1, 11, "bad field path");
	fails("filter $ = 1", 1, 8, "unexpected character");
	fails("filter dst_port = 5m", 1, 19, "only allowed in bin()");
	fails("filter count(*) > 1", 1, 8, "count() is an aggregate: use it in stats");
	fails("filter nosuch(x) > 1", 1, 8, "unknown function 'nosuch'");
	fails("filter strlen() > 1", 1, 15, "strlen() needs an argument");
	fails("filter strlen(readable, 1) > 1", 1, 23, "strlen() takes one argument");
	fails("stats", 1, 6, "expected an aggregate");
	fails("stats src_addr", 1, 7, "expected an aggregate");
	fails("stats min(*)", 1, 11, "expected a field name or a value");
	fails("stats count(*) by bin(1x)", 1, 23, "positive duration");
	fails("stats count(*) by bin(0s)", 1, 23, "positive duration");
	fails("stats count(*) by bin()", 1, 23, "positive duration");
	fails("stats count(*) as n | filter dst_port = 1", 1, 30,
	      "unknown field 'dst_port' (after stats the fields are: n)");
	fails("stats count(*) as n | stats count(*) by bin(1h)", 1, 45, "stats did not keep");
	fails("filter dst_port = 22\n| sort\n", 2, 7, "expected a field name after 'sort'");
	fails("filter dst_port = 22\n  | nope", 2, 5, "unknown command");
	fails("filter (dst_port = 22", 1, 22, "expected ')'");
	fails("filter and", 1, 8, "expected a condition after 'filter'");
	fails("filter dst_port = 1 and", 1, 24, "expected a field name or a value");
	fails("filter @nope = 1", 1, 8, "unknown field '@nope'");
	memset(deep, '(', sizeof(deep));
	memcpy(deep, "filter ", 7);
	deep[sizeof(deep) - 1] = 0;
	fails(deep, 1, 8 + QUERY_MAX_DEPTH, "nested too deeply");
	/* no error buffer is fine */
	CHECK_INT(query_compile("filter", &q, NULL, 0), -EINVAL);
	CHECK_INT(q.err_col, 7);
}

/* ---- end to end over a fixture database ---- */

static const char schema[] =
    "CREATE TABLE flows(id INTEGER PRIMARY KEY, s3path TEXT NOT NULL, flow_key TEXT NOT NULL,"
    " init_ts REAL NOT NULL, last_ts REAL NOT NULL, src_addr TEXT NOT NULL, src_port INTEGER,"
    " dst_addr TEXT NOT NULL, dst_port INTEGER, proto TEXT NOT NULL, packets INTEGER,"
    " bytes INTEGER, community_id TEXT, payload TEXT, readable TEXT, server_payload TEXT,"
    " payload_len INTEGER, server_payload_len INTEGER, gaps INTEGER, truncated INTEGER,"
    " tcp_flags_seen TEXT, service TEXT, tags TEXT, sensor TEXT, flow_end TEXT,"
    " doc TEXT NOT NULL, UNIQUE(s3path, flow_key));"
    "CREATE VIRTUAL TABLE flows_fts USING fts5(readable, content='flows', content_rowid='id');";

struct row {
	double ts;
	const char *src;
	int dport;
	const char *proto;
	int bytes;
	const char *readable;
	const char *doc;
};

/* Hours: rows 1-3 in 1699999200, 4-6 in 1700002800, 7-10 in 1700006400. */
static const struct row rows[] = {
    {1700000000, "10.0.0.1", 22, "tcp", 100, "SSH-2.0-libssh_0.9.6",
     "{\"ssh\":{\"client\":\"SSH-2.0-libssh_0.9.6\"}}"},
    {1700000100, "10.0.0.2", 22, "tcp", 200, "SSH-2.0-Go", "{\"ssh\":{\"client\":\"SSH-2.0-Go\"}}"},
    {1700000200, "10.0.0.1", 80, "tcp", 300, "GET /index.html HTTP/1.1",
     "{\"http\":{\"uri\":\"/index.html\",\"method\":\"GET\"}}"},
    {1700003700, "10.0.0.3", 80, "tcp", 400, "GET /${jndi:ldap://x} HTTP/1.1",
     "{\"http\":{\"uri\":\"/${jndi:ldap://x}\"},\"tags\":[\"log4shell\"]}"},
    {1700003800, "10.0.0.3", 8080, "tcp", 500, "POST /cgi-bin/x",
     "{\"http\":{\"uri\":\"/cgi-bin/x\"}}"},
    {1700003900, "10.0.0.4", 53, "udp", 60, "....", "{}"},
    {1700007300, "10.0.0.4", 0, "icmp", 70, NULL, "{}"},
    {1700007400, "10.0.0.5", 443, "tcp", 800, "....",
     "{\"tls\":{\"ja4\":\"t13d1516h2_8daaf6152771_e5627efa2ab1\"}}"},
    {1700007500, "10.0.0.1", 22, "tcp", 900, "SSH-2.0-OpenSSH_8.9",
     "{\"ssh\":{\"client\":\"SSH-2.0-OpenSSH_8.9\"}}"},
    {1700007600, "10.0.0.2", 23, "tcp", 1000, "admin [x] ok", "{}"},
};

static sqlite3 *fixture(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *ins =
	    "INSERT INTO flows(id, s3path, flow_key, init_ts, last_ts, src_addr, "
	    "dst_addr, dst_port, proto, bytes, readable, doc) "
	    "VALUES(?1, 'file:///p/' || ?1, 'k', ?2, ?2 + 1, ?3, '192.0.2.1', ?4, ?5, "
	    "?6, ?7, ?8)";

	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(query_register_functions(db), 0);
	CHECK_INT(sqlite3_prepare_v2(db, ins, -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_double(st, 2, rows[i].ts);
		sqlite3_bind_text(st, 3, rows[i].src, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, rows[i].dport);
		sqlite3_bind_text(st, 5, rows[i].proto, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, rows[i].bytes);
		if (rows[i].readable)
			sqlite3_bind_text(st, 7, rows[i].readable, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 7);
		sqlite3_bind_text(st, 8, rows[i].doc, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			CHECK(!"insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return db;
}

/* Runs a query; rows as "a,b;c,d" (NULL as NULL), or "ERROR: ...". */
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
	sqlite3_finalize(st);
	query_sql_free(&q);
	return buf_cstr(out);
}

static void e2e_tests(void)
{
	sqlite3 *db = fixture();
	struct buf b = {0};

	/* default columns and newest-first order */
	CHECK_STR(
	    run(db, "limit 2", &b),
	    "1700007600.0,10.0.0.2,23,admin [x] ok;1700007500.0,10.0.0.1,22,SSH-2.0-OpenSSH_8.9");
	CHECK_STR(run(db, "fields id | limit 3", &b), "10;9;8");
	/* regex, glob, substring */
	CHECK_STR(run(db, "filter readable like /SSH-2\\.0-(Go|Open)/ | fields id | sort id", &b),
		  "2;9");
	CHECK_STR(run(db, "filter readable like /^ssh/ | fields id", &b), "");
	CHECK_STR(run(db, "filter readable not like /SSH/ | fields id | sort id", &b),
		  "3;4;5;6;8;10");
	CHECK_STR(run(db, "filter dst_port like /^8/ | fields id | sort id", &b), "3;4;5");
	CHECK_STR(run(db, "filter readable like 'GET *' | fields id | sort id", &b), "3;4");
	CHECK_STR(run(db, "filter proto like 'ic?p' | fields id", &b), "7");
	CHECK_STR(run(db, "filter readable like '*[x]*' | fields id", &b), "10");
	CHECK_STR(run(db, "filter readable like \"jndi\" | fields id", &b), "4");
	CHECK_STR(run(db, "filter readable like 'jndi' | fields id", &b), "4");
	CHECK_STR(run(db, "filter readable not like 'SSH' | fields id | sort id", &b),
		  "3;4;5;6;8;10");
	/* in */
	CHECK_STR(run(db, "filter dst_port in [22, 23] | fields id | sort id", &b), "1;2;9;10");
	CHECK_STR(run(db, "filter proto in (\"udp\", 'icmp') | fields id | sort id", &b), "6;7");
	CHECK_STR(run(db, "filter proto not in ['tcp'] | fields id | sort id", &b), "6;7");
	/* functions, fields that are not displayed, aliases */
	CHECK_STR(run(db, "filter strlen(readable) > 20 | fields id | sort id", &b), "3;4");
	CHECK_STR(run(db, "fields id | filter dst_port = 80 | sort id", &b), "3;4");
	CHECK_STR(run(db, "fields strlen(readable) as n, id | filter n = 4 | sort id", &b),
		  "4,6;4,8");
	CHECK_STR(run(db, "filter not ispresent(readable) | fields id", &b), "7");
	CHECK_STR(run(db, "fields @timestamp | sort @timestamp | limit 1", &b), "1700000000.0");
	/* dotted JSON fields */
	CHECK_STR(run(db, "filter ispresent(http.uri) | fields id, http.uri | sort id", &b),
		  "3,/index.html;4,/${jndi:ldap://x};5,/cgi-bin/x");
	CHECK_STR(run(db, "filter tls.ja4 like /^t13/ | fields id", &b), "8");
	CHECK_STR(run(db, "filter ispresent(ssh.client) | stats count(*) by ssh.client", &b),
		  "SSH-2.0-Go,1;SSH-2.0-OpenSSH_8.9,1;SSH-2.0-libssh_0.9.6,1");
	/* stats */
	CHECK_STR(run(db, "stats count(*) as n by bin(1h)", &b),
		  "1699999200,3;1700002800,3;1700006400,4");
	CHECK_STR(run(db, "stats count(*) by bin(1h) | sort count(*) desc | limit 1", &b),
		  "1700006400,4");
	CHECK_STR(run(db,
		      "stats count_distinct(src_addr) as s, count(*) as n by dst_port "
		      "| sort n desc, dst_port | limit 2",
		      &b),
		  "22,2,3;80,2,2");
	CHECK_STR(
	    run(db, "stats sum(bytes), min(bytes), max(dst_port), avg(bytes), count(readable)", &b),
	    "4330,60,8080,433.0,9");
	CHECK_STR(run(db, "stats count(*) as n by src_addr | filter n >= 2 | fields src_addr", &b),
		  "10.0.0.1;10.0.0.2;10.0.0.3;10.0.0.4");
	CHECK_STR(
	    run(db, "stats count(*) by src_addr | sort count(*) desc, src_addr | limit 1", &b),
	    "10.0.0.1,3");
	CHECK_STR(
	    run(db, "stats count(*) as n by proto | stats sum(n) as total, count(*) as protos", &b),
	    "10,3");
	/* sort, limit, dedup */
	CHECK_STR(run(db, "sort dst_port desc, id | limit 3 | fields id", &b), "5;8;3");
	CHECK_STR(run(db, "limit 3 | filter dst_port = 22 | fields id", &b), "9");
	CHECK_STR(run(db, "sort id | limit 4 | sort id desc | limit 2 | fields id", &b), "4;3");
	CHECK_STR(run(db, "dedup src_addr | fields src_addr, id | sort src_addr", &b),
		  "10.0.0.1,9;10.0.0.2,10;10.0.0.3,5;10.0.0.4,7;10.0.0.5,8");
	CHECK_STR(run(db, "sort init_ts asc | dedup src_addr | fields id", &b), "1;2;4;6;8");
	CHECK_STR(run(db, "dedup proto, dst_port | filter proto = 'tcp' | fields id | sort id", &b),
		  "4;5;8;9;10");
	/* literals are parameters, never SQL */
	CHECK_STR(run(db, "filter src_addr = \"x' OR 1=1 --\" | fields id", &b), "");
	CHECK_STR(run(db, "filter src_addr = '10.0.0.5' or src_addr = \"'\" | fields id", &b), "8");
	/* regexp function: NULL in, NULL out; a bad pattern is a clean error */
	CHECK_STR(run(db, "filter readable like /./ | stats count(*)", &b), "9");
	{
		sqlite3_stmt *st = NULL;

		CHECK_INT(sqlite3_prepare_v2(db, "SELECT 'abc' REGEXP '(', NULL REGEXP 'a'", -1,
					     &st, NULL),
			  SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ERROR);
		CHECK(strstr(sqlite3_errmsg(db), "bad regex") != NULL);
		sqlite3_finalize(st);
		CHECK_INT(sqlite3_prepare_v2(db, "SELECT 'a' REGEXP 'a++++++++++++++++++++'", -1,
					     &st, NULL),
			  SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ERROR);
		CHECK(strstr(sqlite3_errmsg(db), "regex too complex") != NULL);
		sqlite3_finalize(st);
		CHECK_INT(sqlite3_prepare_v2(db,
					     "SELECT NULL REGEXP 'a', 'xay' REGEXP 'a', "
					     "'1' REGEXP id FROM flows "
					     "ORDER BY id LIMIT 2",
					     -1, &st, NULL),
			  SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_INT(sqlite3_column_type(st, 0), SQLITE_NULL);
		CHECK_INT(sqlite3_column_int(st, 1), 1);
		CHECK_INT(sqlite3_column_int(st, 2), 1);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(st, 2), 0);
		sqlite3_finalize(st);
	}
	buf_free(&b);
	sqlite3_close(db);
}

/* ---- output ---- */

static const char *print_to(sqlite3 *db, const char *sql, const char *const *names,
			    enum query_format fmt, char **mem)
{
	sqlite3_stmt *st = NULL;
	size_t len = 0;
	char err[128];
	FILE *f = open_memstream(mem, &len);

	sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	CHECK_INT(query_print(st, names, fmt, f, err, sizeof(err)), 0);
	sqlite3_finalize(st);
	fclose(f);
	return *mem;
}

static void output_tests(void)
{
	struct buf b = {0};
	sqlite3 *db = NULL;
	char *m = NULL;
	const char *names[] = {"a", "b\"x"};
	const char *row = "SELECT 'x\x1b[31m\\' AS a, 1.5 AS b UNION ALL SELECT NULL, 'c,\"d\"'";
	char wide[200];

	CHECK_INT(query_escape_text(&b, (const unsigned char *)"a\x1b[0m\\\xc3\xa9\x7f\n", 10), 0);
	CHECK_STR(buf_cstr(&b), "a\\x1b[0m\\\\\\xc3\\xa9\\x7f\\x0a");
	buf_reset(&b);
	CHECK_INT(
	    query_json_string(&b, (const unsigned char *)"q\"\\\n\x01\xc3\xa9\xc2\x9b\xff", 10), 0);
	CHECK_STR(buf_cstr(&b), "\"q\\\"\\\\\\n\\u0001\xc3\xa9\\u009b\\ufffd\"");
	buf_reset(&b);
	CHECK_INT(query_json_string(&b, (const unsigned char *)"\xe2\x82", 2), 0);
	CHECK_STR(buf_cstr(&b), "\"\\ufffd\\ufffd\"");

	sqlite3_open(":memory:", &db);
	CHECK_STR(print_to(db, row, names, QUERY_FMT_TSV, &m),
		  "a\tb\"x\nx\\x1b[31m\\\\\t1.5\n\tc,\"d\"\n");
	free(m);
	CHECK_STR(print_to(db, row, names, QUERY_FMT_CSV, &m),
		  "a,\"b\"\"x\"\r\nx\\x1b[31m\\\\,1.5\r\n,\"c,\"\"d\"\"\"\r\n");
	free(m);
	CHECK_STR(print_to(db, row, names, QUERY_FMT_JSON, &m),
		  "{\"a\":\"x\\u001b[31m\\\\\",\"b\\\"x\":1.5}\n{\"a\":null,\"b\\\"x\":\"c,"
		  "\\\"d\\\"\"}\n");
	free(m);
	CHECK_STR(print_to(db, "SELECT 1 AS n, 'ab' AS s", NULL, QUERY_FMT_TABLE, &m),
		  "n  s\n-  --\n1  ab\n");
	free(m);
	CHECK_STR(print_to(db, "SELECT 1700000000.123456 AS t", NULL, QUERY_FMT_JSON, &m),
		  "{\"t\":1700000000.123456}\n");
	free(m);
	memset(wide, 'w', sizeof(wide));
	snprintf(wide, sizeof(wide), "SELECT '%070d' AS x, 2 AS y", 7);
	print_to(db, wide, NULL, QUERY_FMT_TABLE, &m);
	CHECK(strstr(m, "0000000\xe2\x80\xa6  2\n") != NULL);
	CHECK(strlen(strchr(m, '\n') + 1) > 60 && strstr(m, "00000007") == NULL);
	free(m);
	sqlite3_close(db);
	buf_free(&b);
}

int main(void)
{
	compile_tests();
	error_tests();
	e2e_tests();
	output_tests();
	return T_DONE();
}
