/* The query language over the alerts table: `source alerts` or
 * query_compile_source(..., "alerts"), its column whitelist, and a run over
 * a real alerts table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "alert/alert.h"
#include "core/buf.h"
#include "query/query.h"
#include "sink/sqlite.h"
#include "t.h"

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

static void compiles(const char *text, const char *source, const char *expected)
{
	struct query_sql q;
	struct buf b = {0};
	char err[256];
	int ret = query_compile_source(text, source, &q, err, sizeof(err));

	CHECK_INT(ret, 0);
	if (ret)
		printf("#   query: %s\n#   error: %s\n", text, err);
	else
		CHECK_STR(render(&q, &b), expected);
	query_sql_free(&q);
	buf_free(&b);
}

static void fails(const char *text, const char *source, const char *msg)
{
	struct query_sql q;
	char err[256];

	CHECK_INT(query_compile_source(text, source, &q, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, msg) != NULL);
	if (!strstr(err, msg))
		printf("#   got: %s\n", err);
}

static void compile_tests(void)
{
	compiles("source alerts", NULL,
		 "SELECT ts, kind, src_addr, summary FROM alerts ORDER BY ts DESC LIMIT ?1 | 1000");
	compiles("", "alerts",
		 "SELECT ts, kind, src_addr, summary FROM alerts ORDER BY ts DESC LIMIT ?1 | 1000");
	compiles("source flows | limit 1", NULL,
		 "SELECT init_ts, src_addr, dst_port, readable FROM flows ORDER BY init_ts DESC "
		 "LIMIT ?1 | 1");
	compiles("source alerts | filter kind = 'token' and token_id = \"t'1\" | fields ts, uri",
		 NULL,
		 "SELECT ts, uri FROM alerts WHERE ((kind = ?1) AND (token_id = ?2)) ORDER BY ts "
		 "DESC LIMIT ?3 | 'token', 't'1', 1000");
	compiles("filter detail.port_count > 100 | fields @timestamp, src_addr", "alerts",
		 "SELECT ts, src_addr FROM alerts WHERE (json_extract(doc, ?1) > ?2) ORDER BY ts "
		 "DESC LIMIT ?3 | '$.detail.port_count', 100, 1000");
	compiles("stats count(*) as n by bin(1h)", "alerts",
		 "SELECT c2, c1 FROM (SELECT (CAST(ts / ?1 AS INTEGER) * ?1) AS c2, count(*) AS c1 "
		 "FROM alerts GROUP BY 1) ORDER BY c2 LIMIT ?2 | 3600, 1000");
	/* flows-only names do not exist over alerts, and the reverse */
	fails("source alerts | filter readable like 'x'", NULL, "unknown field 'readable'");
	fails("filter init_ts > 1", "alerts", "unknown field 'init_ts'");
	fails("fields summary", NULL, "unknown field 'summary'");
	fails("source alerts | filter creds = 1", NULL, "unknown field 'creds'");
	/* source only first, only known tables */
	fails("source users", NULL, "expected flows or alerts after source");
	fails("limit 1 | source alerts", NULL, "unknown command 'source'");
	fails("source alerts limit 1", NULL, "expected '|' or the end of the query");
	fails("", "users", "unknown source 'users'");
	/* nothing of the text reaches the SQL: names are whitelisted */
	fails("source alerts | filter kind = 1; DROP TABLE alerts", NULL, "");
}

static void run_tests(void)
{
	char dir[] = "/tmp/mitsu-qalerts.XXXXXX", path[256], err[512];
	struct alert a = {.kind = ALERT_CONTACT, .ts = 1700000000, .dst_port = 22};
	struct query_sql q;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/m.db", dir);
	CHECK_INT(sink_sqlite_open_db(path, &db, err, sizeof(err)), 0);
	snprintf(a.src_addr, sizeof(a.src_addr), "10.0.0.5");
	snprintf(a.summary, sizeof(a.summary), "10.0.0.5 probed 200 ports");
	a.detail = "{\"port_count\":200}";
	CHECK_INT(alert_db_insert(db, &a), 1);
	a.ts += 1;
	snprintf(a.src_addr, sizeof(a.src_addr), "10.0.0.6");
	a.detail = "{\"port_count\":1}";
	CHECK_INT(alert_db_insert(db, &a), 1);
	query_register_functions(db);
	CHECK_INT(
	    query_compile("source alerts | filter detail.port_count >= 100 | fields src_addr, "
			  "detail.port_count as n",
			  &q, err, sizeof(err)),
	    0);
	CHECK(sqlite3_prepare_v2(db, q.sql, -1, &st, NULL) == SQLITE_OK);
	CHECK_INT(query_bind(st, &q), 0);
	f = open_memstream(&out, &outlen);
	CHECK_INT(query_print(st, (const char *const *)q.cols, QUERY_FMT_CSV, f, err, sizeof(err)),
		  0);
	fclose(f);
	CHECK_STR(out, "src_addr,n\r\n10.0.0.5,200\r\n");
	free(out);
	sqlite3_finalize(st);
	query_sql_free(&q);
	sqlite3_close(db);
	snprintf(err, sizeof(err), "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof(err), "%s-shm", path);
	unlink(err);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	compile_tests();
	run_tests();
	return T_DONE();
}
