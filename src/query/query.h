/* The pipe query language of `mitsu query` (CloudWatch Logs Insights style),
 * compiled to one parameterised SQLite statement over the flows table.
 *
 *   fields init_ts, src_addr, readable | filter dst_port = 22 and readable like /SSH/
 *   | stats count(*) as n by src_addr | sort n desc | limit 20
 *
 * Every literal of the query becomes a numbered parameter (?1, ?2, ...); only
 * whitelisted column names, validated JSON paths (as parameters) and generated
 * names (c1, c2, ...) ever appear in the SQL text.  The language itself is
 * described at the top of parse.c and in `mitsu query --help`. */
#ifndef MITSU_QUERY_H
#define MITSU_QUERY_H
#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

/* Rows returned when the query has no `limit` command. */
#define QUERY_DEFAULT_LIMIT 1000

enum query_param_type { QUERY_PARAM_INT, QUERY_PARAM_REAL, QUERY_PARAM_TEXT };

struct query_param {
	enum query_param_type type;
	long long i;
	double d;
	char *s; /* QUERY_PARAM_TEXT, NUL-terminated, owned */
};

struct query_sql {
	char *sql;		    /* one SELECT statement */
	struct query_param *params; /* params[k] binds ?(k+1) */
	size_t nparams;
	char **cols; /* display name of each result column */
	size_t ncols;
	int err_line, err_col; /* set by a failed query_compile, 1-based */
};

/* Compiles text into out (zeroed first).  Returns 0, -EINVAL for a malformed
 * query (err gets "query:LINE:COL: message" and out->err_line/err_col the
 * position), or -ENOMEM.  On failure out owns nothing. */
int query_compile(const char *text, struct query_sql *out, char *err, size_t errlen);
/* The same over another table: source "flows" (NULL) or "alerts" (the
 * alerts table's columns; @timestamp is ts).  A query may also choose with
 * a first command `source alerts`. */
int query_compile_source(const char *text, const char *source, struct query_sql *out, char *err,
			 size_t errlen);
void query_sql_free(struct query_sql *q);

/* Binds q's parameters to st (prepared from q->sql).  Returns 0 or -EIO. */
int query_bind(sqlite3_stmt *st, const struct query_sql *q);

/* Registers REGEXP (POSIX ERE, used by `like /re/`) on db.  Returns 0 or -EIO. */
int query_register_functions(sqlite3 *db);

/* Output of result rows.  TABLE, TSV and CSV escape control characters, bytes
 * >= 0x7f and backslash as \xNN / \\ so stored attacker bytes can never drive
 * a terminal; TABLE also caps each column at QUERY_TABLE_WIDTH characters.
 * JSON writes one object per row with JSON-escaped strings. */
enum query_format { QUERY_FMT_TABLE, QUERY_FMT_TSV, QUERY_FMT_CSV, QUERY_FMT_JSON };
#define QUERY_TABLE_WIDTH 60

/* Steps st to the end and prints every row to f.  names (ncols entries) label
 * the columns; NULL uses SQLite's column names.  Returns 0, -EIO (SQLite error,
 * message in err) or -ENOMEM. */
int query_print(sqlite3_stmt *st, const char *const *names, enum query_format fmt, FILE *f,
		char *err, size_t errlen);

/* Appends s[0..n) to b: printable ASCII as is, '\\' as "\\\\", anything else
 * as \xNN.  Returns 0 or -ENOMEM. */
struct buf;
int query_escape_text(struct buf *b, const unsigned char *s, size_t n);
/* Appends s[0..n) to b as a quoted JSON string (invalid UTF-8 becomes U+FFFD;
 * C0/C1 controls are \u-escaped).  Returns 0 or -ENOMEM. */
int query_json_string(struct buf *b, const unsigned char *s, size_t n);

#endif
