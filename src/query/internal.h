/* Private to src/query/: the lexer and the compile state shared by the
 * expression parser (expr.c), the command parser (parse.c) and compile.c. */
#ifndef MITSU_QUERY_INTERNAL_H
#define MITSU_QUERY_INTERNAL_H
#include <regex.h>
#include <stddef.h>

#include "core/buf.h"
#include "query/query.h"

enum query_tok_kind {
	QT_EOF,
	QT_IDENT, /* name, dotted name, @timestamp, keyword */
	QT_NUMBER,
	QT_STRING,
	QT_REGEX,
	QT_PIPE,
	QT_COMMA,
	QT_LPAREN,
	QT_RPAREN,
	QT_LBRACK,
	QT_RBRACK,
	QT_EQ,
	QT_NE,
	QT_LT,
	QT_LE,
	QT_GT,
	QT_GE,
	QT_MATCH, /* =~ */
	QT_STAR,
};

struct query_tok {
	enum query_tok_kind kind;
	size_t off, len; /* the token's bytes in the source */
	size_t unit;	 /* QT_NUMBER: length of a trailing unit (the h of 1h) */
};

struct query_lex {
	const char *src;
	size_t pos;
};

/* Lexes the next token.  Returns 0, or -EINVAL with t->off at the bad byte
 * and *msg a static description. */
int query_lex_next(struct query_lex *lx, struct query_tok *t, const char **msg);
/* Appends the value of a QT_STRING or QT_REGEX token, quotes removed and
 * escapes resolved, to out.  Returns 0 or -ENOMEM. */
int query_lex_unquote(const char *src, const struct query_tok *t, struct buf *out);

/* Limits that keep hostile or absurd queries from exhausting the stack,
 * memory or SQLite's own limits. */
#define QUERY_MAX_DEPTH 64     /* nested parentheses / not / calls */
#define QUERY_MAX_STAGES 64    /* commands in the pipeline */
#define QUERY_MAX_PARAMS 32000 /* below SQLITE_MAX_VARIABLE_NUMBER */
#define QUERY_MAX_SQL (1u << 20)

/* A name visible to the query (alias, stats output) or a result column. */
struct query_name {
	char *name; /* as the user writes / sees it */
	char *sql;  /* what it compiles to */
};

struct query_names {
	struct query_name *v;
	size_t n, cap;
};

/* What a query reads: flows (the default) or alerts (`source alerts`). */
struct query_source {
	const char *name;		/* the table, also the word after `source` */
	const char *const *columns;	/* the whitelist of bare names */
	size_t ncolumns;
	const char *ts;			/* @timestamp, bin(), the default order */
	const char *const *defaults;	/* result columns without `fields` */
	size_t ndefaults;
	int flows;			/* tags array semantics, creds */
};
extern const struct query_source query_source_flows, query_source_alerts;

struct query_cc {
	const struct query_source *source;
	const char *src;
	struct query_lex lx;
	struct query_tok tok; /* current token */
	int err;	      /* sticky: first error, 0 or -errno */
	size_t err_off;
	char msg[256];
	int depth;
	struct query_param *params;
	size_t nparams, pcap;
	unsigned counter;	  /* for generated column names c1, c2, ... */
	int table;		  /* 1 after the first stats: rows are its output */
	struct query_names scope; /* aliases / stats columns, latest last */
	struct query_names disp;  /* result columns */
	struct buf from, where, order;
	int stats_by;	       /* parsing the by-keys of a stats */
	unsigned unnest_tags;  /* that stats groups by tag: the column cN, 0 if not */
	int limit;     /* parameter number of this level's LIMIT, 0 if none */
	int saw_limit; /* any limit command: no default cap */
};

/* regexp.c: compiles pattern (REG_EXTENDED | REG_NOSUB) into re, refusing
 * patterns that would take glibc huge memory.  Returns 0, or -EINVAL with the
 * reason in msg. */
#define QUERY_REGEX_MAX_COST 2000
int query_regex_compile(regex_t *re, const char *pattern, char *msg, size_t n);

/* compile.c */
int query_cc_fail(struct query_cc *cc, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int query_cc_nomem(struct query_cc *cc);
int query_cc_advance(struct query_cc *cc);
int query_cc_is_kw(const struct query_cc *cc, const char *kw);
int query_cc_is_reserved(const struct query_cc *cc);
int query_cc_expect(struct query_cc *cc, enum query_tok_kind kind, const char *what);
int query_cc_unexpected(struct query_cc *cc, const char *what);
int query_cc_peek(const struct query_cc *cc);
void query_cc_emit(struct query_cc *cc, struct buf *b, const char *s);
void query_cc_emitf(struct query_cc *cc, struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int query_cc_param_int(struct query_cc *cc, long long v);
int query_cc_param_real(struct query_cc *cc, double v);
int query_cc_param_text(struct query_cc *cc, const char *s);
int query_cc_join(struct query_cc *cc, size_t start, size_t end, struct buf *out);
int query_names_add(struct query_cc *cc, struct query_names *ns, const char *name, size_t nlen,
		    const char *sql);
void query_names_free(struct query_names *ns);
const char *query_names_find(const struct query_names *ns, const char *name, size_t nlen);

/* expr.c */
int query_parse_expr(struct query_cc *cc, struct buf *out);
int query_parse_agg(struct query_cc *cc, struct buf *out);

/* parse.c */
int query_parse_pipeline(struct query_cc *cc);

#endif
