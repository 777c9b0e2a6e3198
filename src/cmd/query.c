/* mitsu query: the pipe language over the record store.
 * mitsu sql:   one read-only SQL statement over the record store. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "query/query.h"

#define DEFAULT_DB "./mitsu-data/mitsu.db"

static const char query_help[] =
    "usage: mitsu query [--db PATH] [--alerts] [--table|--tsv|--csv|--json] [--explain] QUERY\n"
    "\n"
    "Queries the flow records in the pipe language of CloudWatch Logs Insights:\n"
    "commands separated by '|', each working on the rows of the one before.\n"
    "\n"
    "  fields e [as name], ...        choose the result columns (display: same)\n"
    "  filter CONDITION               keep matching rows\n"
    "  stats AGG [as name], ... [by e [as name], ...]\n"
    "                                 count(*) count(e) count_distinct(e) min max sum avg;\n"
    "                                 by bin(30s|5m|1h|1d) groups init_ts into intervals\n"
    "  sort e [asc|desc], ...         (asc by default)\n"
    "  limit N\n"
    "  dedup e, ...                   keep the first row per combination of values\n"
    "\n"
    "Conditions: = != < <= > >=, and, or, not, ( ), e [not] in [1, 2],\n"
    "  e [not] like /regex/   POSIX extended regex, matches anywhere in the value\n"
    "  e [not] like 'a*b?'    glob over the whole value when it has * or ?\n"
    "  e [not] like 'text'    substring otherwise (all matches are case-sensitive)\n"
    "Functions: strlen ispresent isempty tolower toupper trim abs bin.\n"
    "Fields: the flows columns (init_ts last_ts src_addr src_port dst_addr dst_port\n"
    "  proto packets bytes payload readable server_payload payload_len service tags\n"
    "  sensor s3path ...); a dotted name such as http.uri or tls.ja4 reads the JSON\n"
    "  record; @timestamp is init_ts, @message the whole record.\n"
    "\n"
    "Until the first stats, every record field stays usable whatever fields chose.\n"
    "Without fields the columns are init_ts, src_addr, dst_port, readable. Rows come\n"
    "newest first until a sort; after stats, ordered by its by-columns. Without a\n"
    "limit at most 1000 rows are returned. An empty QUERY lists the newest flows;\n"
    "QUERY '-' reads the query from standard input.\n"
    "\n"
    "Examples:\n"
    "  mitsu query 'filter dst_port = 22 and readable like /SSH-2.0/ | limit 20'\n"
    "  mitsu query 'stats count(*) as n by dst_port | sort n desc | limit 10'\n"
    "  mitsu query 'filter http.uri like \"*jndi*\" | fields init_ts, src_addr, http.uri'\n"
    "  mitsu query 'stats count_distinct(src_addr) as sources by bin(1h)'\n"
    "  mitsu query 'filter proto in [\"udp\", \"icmp\"] | dedup src_addr | fields src_addr'\n"
    "\n"
    "Options:\n"
    "  --db PATH    the SQLite record store (default " DEFAULT_DB ")\n"
    "  --table      aligned columns, at most 60 characters wide (default on a terminal)\n"
    "  --tsv        tab-separated with a header line (default when not a terminal)\n"
    "  --csv        RFC 4180 CSV with a header line\n"
    "  --json       one JSON object per row\n"
    "  --explain    print the compiled SQL and its parameters; do not run it\n"
    "  --alerts     query the alerts table instead (same as a first command\n"
    "               'source alerts'): ts kind src_addr dst_addr src_port dst_port\n"
    "               proto token_id tag uri community_id summary doc; dotted names read\n"
    "               the alert JSON (detail.port_count); @timestamp is ts. Example:\n"
    "               mitsu query --alerts 'filter kind = \"contact\" | stats count(*) by src_addr'\n"
    "Table, TSV and CSV show control characters, bytes >= 0x7f and '\\' as \\xNN or\n"
    "\\\\, so recorded attacker bytes never reach the terminal; --json is exact.\n"
    "Exit status: 0 ok, 1 database error, 2 bad option or query.\n";

static const char sql_help[] =
    "usage: mitsu sql [--db PATH] [--table|--tsv|--csv|--json] 'SELECT ...'\n"
    "\n"
    "Runs one SQL statement against the record store, opened read-only. Tables:\n"
    "flows (one row per flow; doc holds the whole JSON record) and flows_fts\n"
    "(full-text index of readable). REGEXP is available (POSIX extended).\n"
    "\n"
    "Example:\n"
    "  mitsu sql \"SELECT src_addr, count(*) FROM flows GROUP BY 1 ORDER BY 2 DESC LIMIT 5\"\n"
    "\n"
    "Options: --db PATH (default " DEFAULT_DB "), --table, --tsv, --csv, --json\n"
    "(as for 'mitsu query --help'). Exit status: 0 ok, 1 database error, 2 usage.\n";

struct qopts {
	const char *db;
	enum query_format fmt;
	int explain, alerts;
	char *text; /* owned */
};

static void usage_line(const char *cmd)
{
	if (!strcmp(cmd, "query"))
		fprintf(stderr, "usage: mitsu query [--db PATH] [--table|--tsv|--csv|--json] "
				"[--explain] QUERY  (--help for more)\n");
	else
		fprintf(stderr, "usage: mitsu sql [--db PATH] [--table|--tsv|--csv|--json] "
				"'SELECT ...'  (--help for more)\n");
}

/* The arguments joined by blanks, or standard input for "-". */
static char *query_text(int argc, char **argv)
{
	struct buf b = {0};
	char chunk[4096];
	size_t n;

	if (argc == 1 && !strcmp(argv[0], "-")) {
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			if (buf_append(&b, chunk, n))
				goto fail;
	} else {
		for (int i = 0; i < argc; i++)
			if ((i && buf_putc(&b, ' ')) || buf_puts(&b, argv[i]))
				goto fail;
	}
	if (buf_reserve(&b, 0))
		goto fail;
	b.p[b.len] = 0;
	return (char *)b.p;
fail:
	buf_free(&b);
	return NULL;
}

static const struct option longopts[] = {
    {"db", required_argument, NULL, 'd'}, {"table", no_argument, NULL, 'T'},
    {"tsv", no_argument, NULL, 't'},	  {"csv", no_argument, NULL, 'c'},
    {"json", no_argument, NULL, 'j'},	  {"explain", no_argument, NULL, 'e'},
    {"help", no_argument, NULL, 'h'},	  {"alerts", no_argument, NULL, 'a'},
    {NULL, 0, NULL, 0},
};

/* Applies one option.  Returns 0, 1 for --help, -1 for a bad option. */
static int set_opt(int c, struct qopts *o, int query)
{
	switch (c) {
	case 'd':
		o->db = optarg;
		return 0;
	case 'T':
		o->fmt = QUERY_FMT_TABLE;
		return 0;
	case 't':
		o->fmt = QUERY_FMT_TSV;
		return 0;
	case 'c':
		o->fmt = QUERY_FMT_CSV;
		return 0;
	case 'j':
		o->fmt = QUERY_FMT_JSON;
		return 0;
	case 'e':
		o->explain = 1;
		return query ? 0 : -1;
	case 'a':
		o->alerts = 1;
		return query ? 0 : -1;
	case 'h':
		return 1;
	}
	return -1;
}

static int bad_opt(const char *cmd, int c, char **argv)
{
	if (c == ':')
		fprintf(stderr, "mitsu %s: option '%s' needs a value\n", cmd, argv[optind - 1]);
	else if (c == '?' && optopt)
		fprintf(stderr, "mitsu %s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "mitsu %s: unknown option '%s'\n", cmd, argv[optind - 1]);
	usage_line(cmd);
	return 2;
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, const char *cmd, struct qopts *o)
{
	int c, r, query = !strcmp(cmd, "query");

	o->db = DEFAULT_DB;
	o->fmt = isatty(STDOUT_FILENO) ? QUERY_FMT_TABLE : QUERY_FMT_TSV;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		r = set_opt(c, o, query);
		if (r < 0)
			return bad_opt(cmd, c, argv);
		if (r > 0) {
			fputs(query ? query_help : sql_help, stdout);
			return 0;
		}
	}
	if (!query && optind >= argc) {
		fprintf(stderr, "mitsu sql: missing the SQL statement\n");
		usage_line(cmd);
		return 2;
	}
	o->text = query_text(argc - optind, argv + optind);
	if (!o->text) {
		fprintf(stderr, "mitsu %s: out of memory\n", cmd);
		return 1;
	}
	return -1;
}

/* Opens path read-only with REGEXP.  Returns 0 or prints why and returns 1. */
static int open_db(const char *cmd, const char *path, sqlite3 **db)
{
	struct stat st;
	int rc;

	*db = NULL;
	if (stat(path, &st)) {
		fprintf(stderr,
			"mitsu %s: no database at %s (%s): run 'mitsu run' or 'mitsu analyze' "
			"first, or pass --db PATH\n",
			cmd, path, strerror(errno));
		return 1;
	}
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(*db, "PRAGMA query_only=1", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_register_functions(*db) ? SQLITE_ERROR : SQLITE_OK;
	if (rc != SQLITE_OK) {
		fprintf(stderr, "mitsu %s: cannot open %s: %s\n", cmd, path,
			*db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
		sqlite3_close(*db);
		*db = NULL;
		return 1;
	}
	sqlite3_busy_timeout(*db, 5000);
	return 0;
}

/* Prints s escaped, so no byte of a message can drive the terminal. */
static void put_escaped(FILE *f, const char *s)
{
	struct buf b = {0};

	if (!query_escape_text(&b, (const unsigned char *)s, strlen(s)))
		fwrite(b.p ? b.p : (uint8_t *)"", 1, b.len, f);
	buf_free(&b);
}

/* The query line at fault, then a caret under the column. */
static void show_error(const char *text, const struct query_sql *q, const char *err)
{
	const char *line = text;
	int col;

	fputs("mitsu query: ", stderr);
	put_escaped(stderr, err);
	fputs("\n  ", stderr);
	for (int l = 1; l < q->err_line && strchr(line, '\n'); l++)
		line = strchr(line, '\n') + 1;
	for (const char *p = line; *p && *p != '\n'; p++)
		fputc(*p >= 0x20 && *p < 0x7f ? *p : *p == '\t' ? ' ' : '?', stderr);
	fputs("\n  ", stderr);
	for (col = 1; col < q->err_col; col++)
		fputc(' ', stderr);
	fputs("^\n", stderr);
}

static void explain(const struct query_sql *q)
{
	struct buf b = {0};

	printf("%s\n", q->sql);
	for (size_t i = 0; i < q->nparams; i++) {
		const struct query_param *p = &q->params[i];

		buf_reset(&b);
		if (p->type == QUERY_PARAM_INT)
			buf_printf(&b, "%lld", p->i);
		else if (p->type == QUERY_PARAM_REAL)
			buf_printf(&b, "%.17g", p->d);
		else
			query_json_string(&b, (const unsigned char *)p->s, strlen(p->s));
		printf("?%zu = ", i + 1);
		put_escaped(stdout, buf_cstr(&b));
		putchar('\n');
	}
	buf_free(&b);
}

/* Prepares sql (exactly one statement), binds q if given, prints the rows. */
static int run(const char *cmd, sqlite3 *db, const char *sql, const struct query_sql *q,
	       enum query_format fmt)
{
	const char *tail = NULL;
	sqlite3_stmt *st = NULL;
	char err[512] = "";
	int ret = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(db));
		goto out;
	}
	tail += strspn(tail, " \t\r\n;");
	if (!st || *tail) {
		snprintf(err, sizeof(err), "expected exactly one SQL statement");
		ret = 2;
		goto out;
	}
	if (q && query_bind(st, q)) {
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(db));
		goto out;
	}
	if (!query_print(st, q ? (const char *const *)q->cols : NULL, fmt, stdout, err,
			 sizeof(err)))
		ret = 0;
out:
	if (ret) {
		fprintf(stderr, "mitsu %s: ", cmd);
		put_escaped(stderr, err[0] ? err : "out of memory");
		fputc('\n', stderr);
	}
	sqlite3_finalize(st);
	return ret;
}

int cmd_query(int argc, char **argv)
{
	struct qopts o = {0};
	struct query_sql q = {0};
	sqlite3 *db = NULL;
	char err[320];
	int ret = parse_opts(argc, argv, "query", &o);

	if (ret >= 0)
		goto out;
	ret = query_compile_source(o.text, o.alerts ? "alerts" : NULL, &q, err, sizeof(err));
	if (ret) {
		if (ret == -EINVAL)
			show_error(o.text, &q, err);
		else
			fprintf(stderr, "mitsu query: out of memory\n");
		ret = ret == -EINVAL ? 2 : 1;
		goto out;
	}
	if (o.explain) {
		explain(&q);
		ret = 0;
		goto out;
	}
	ret = open_db("query", o.db, &db);
	if (!ret)
		ret = run("query", db, q.sql, &q, o.fmt);
out:
	query_sql_free(&q);
	sqlite3_close(db);
	free(o.text);
	return ret;
}

int cmd_sql(int argc, char **argv)
{
	struct qopts o = {0};
	sqlite3 *db = NULL;
	int ret = parse_opts(argc, argv, "sql", &o);

	if (ret >= 0)
		goto out;
	ret = open_db("sql", o.db, &db);
	if (!ret)
		ret = run("sql", db, o.text, NULL, o.fmt);
out:
	sqlite3_close(db);
	free(o.text);
	return ret;
}
