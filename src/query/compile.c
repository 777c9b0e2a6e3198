/* query_compile: the compile state's helpers (errors, tokens, parameters,
 * names), the final SELECT, and binding. */
#include "query/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Records the first error only: later ones are usually its echoes. */
int query_cc_fail(struct query_cc *cc, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (cc->err)
		return cc->err;
	cc->err = -EINVAL;
	cc->err_off = off;
	va_start(ap, fmt);
	vsnprintf(cc->msg, sizeof(cc->msg), fmt, ap);
	va_end(ap);
	return cc->err;
}

int query_cc_nomem(struct query_cc *cc)
{
	if (!cc->err) {
		cc->err = -ENOMEM;
		snprintf(cc->msg, sizeof(cc->msg), "out of memory");
	}
	return cc->err;
}

int query_cc_advance(struct query_cc *cc)
{
	const char *msg = "";

	if (cc->err)
		return cc->err;
	if (query_lex_next(&cc->lx, &cc->tok, &msg))
		return query_cc_fail(cc, cc->tok.off, "%s", msg);
	return 0;
}

int query_cc_is_kw(const struct query_cc *cc, const char *kw)
{
	size_t n = strlen(kw);

	return cc->tok.kind == QT_IDENT && cc->tok.len == n &&
	       !strncasecmp(cc->src + cc->tok.off, kw, n);
}

/* Words that end or join expressions, so never field names. */
int query_cc_is_reserved(const struct query_cc *cc)
{
	static const char *const words[] = {"and", "or", "not", "like", "in",
					    "as",  "by", "asc", "desc"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (query_cc_is_kw(cc, words[i]))
			return 1;
	return 0;
}

/* Describes the current token for messages, e.g. "'foo'" or "end of query". */
static const char *tok_desc(const struct query_cc *cc, char *b, size_t n)
{
	size_t len = cc->tok.len < 24 ? cc->tok.len : 24;
	size_t j = 0;

	if (cc->tok.kind == QT_EOF)
		return "end of query";
	b[j++] = '\'';
	for (size_t i = 0; i < len && j + 5 < n; i++) {
		unsigned char c = (unsigned char)cc->src[cc->tok.off + i];

		b[j++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (len < cc->tok.len && j + 5 < n)
		j += (size_t)snprintf(b + j, n - j, "...");
	b[j++] = '\'';
	b[j] = 0;
	return b;
}

int query_cc_unexpected(struct query_cc *cc, const char *what)
{
	char d[40];

	return query_cc_fail(cc, cc->tok.off, "expected %s, found %s", what,
			     tok_desc(cc, d, sizeof(d)));
}

int query_cc_expect(struct query_cc *cc, enum query_tok_kind kind, const char *what)
{
	if (cc->err)
		return cc->err;
	if (cc->tok.kind != kind)
		return query_cc_unexpected(cc, what);
	return query_cc_advance(cc);
}

/* The kind of the token after the current one (QT_EOF on a lexing error,
 * which the parser reports when it gets there). */
int query_cc_peek(const struct query_cc *cc)
{
	struct query_lex lx = cc->lx;
	struct query_tok t;
	const char *msg;

	if (query_lex_next(&lx, &t, &msg))
		return QT_EOF;
	return (int)t.kind;
}

/* Emission failures are sticky in cc->err, which the parser checks after
 * each step, so the many small appends need no error plumbing of their own. */
void query_cc_emit(struct query_cc *cc, struct buf *b, const char *s)
{
	if (cc->err)
		return;
	if (buf_puts(b, s))
		query_cc_nomem(cc);
	else if (b->len > QUERY_MAX_SQL)
		query_cc_fail(cc, cc->tok.off, "query too large");
}

void query_cc_emitf(struct query_cc *cc, struct buf *b, const char *fmt, ...)
{
	char *tmp = NULL;
	va_list ap;
	int n;

	if (cc->err)
		return;
	va_start(ap, fmt);
	n = vasprintf(&tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		query_cc_nomem(cc);
		return;
	}
	query_cc_emit(cc, b, tmp);
	free(tmp);
}

/* Returns the new parameter's number (1-based), or 0 on failure. */
static int param_new(struct query_cc *cc, struct query_param **p)
{
	if (cc->err)
		return 0;
	if (cc->nparams >= QUERY_MAX_PARAMS) {
		query_cc_fail(cc, cc->tok.off, "too many literals (max %d)", QUERY_MAX_PARAMS);
		return 0;
	}
	if (cc->nparams == cc->pcap) {
		size_t ncap = cc->pcap ? cc->pcap * 2 : 16;
		struct query_param *np = realloc(cc->params, ncap * sizeof(*np));

		if (!np) {
			query_cc_nomem(cc);
			return 0;
		}
		cc->params = np;
		cc->pcap = ncap;
	}
	*p = &cc->params[cc->nparams];
	memset(*p, 0, sizeof(**p));
	return (int)++cc->nparams;
}

int query_cc_param_int(struct query_cc *cc, long long v)
{
	struct query_param *p;
	int n = param_new(cc, &p);

	if (n) {
		p->type = QUERY_PARAM_INT;
		p->i = v;
	}
	return n;
}

int query_cc_param_real(struct query_cc *cc, double v)
{
	struct query_param *p;
	int n = param_new(cc, &p);

	if (n) {
		p->type = QUERY_PARAM_REAL;
		p->d = v;
	}
	return n;
}

int query_cc_param_text(struct query_cc *cc, const char *s)
{
	char *copy = strdup(s);
	struct query_param *p;
	int n;

	if (!copy) {
		query_cc_nomem(cc);
		return 0;
	}
	n = param_new(cc, &p);
	if (!n) {
		free(copy);
		return 0;
	}
	p->type = QUERY_PARAM_TEXT;
	p->s = copy;
	return n;
}

/* Appends the tokens of src[start, end) without the blanks between them: the
 * canonical spelling that names an unaliased column, e.g. "count(*)". */
int query_cc_join(struct query_cc *cc, size_t start, size_t end, struct buf *out)
{
	struct query_lex lx = {.src = cc->src, .pos = start};
	struct query_tok t;
	const char *msg;

	while (!query_lex_next(&lx, &t, &msg) && t.kind != QT_EOF && t.off < end)
		if (buf_append(out, cc->src + t.off, t.len))
			return query_cc_nomem(cc);
	if (buf_reserve(out, 0))
		return query_cc_nomem(cc);
	out->p[out->len] = 0;
	return 0;
}

int query_names_add(struct query_cc *cc, struct query_names *ns, const char *name, size_t nlen,
		    const char *sql)
{
	struct query_name *e;

	if (cc->err)
		return cc->err;
	if (ns->n == ns->cap) {
		size_t ncap = ns->cap ? ns->cap * 2 : 8;
		struct query_name *nv = realloc(ns->v, ncap * sizeof(*nv));

		if (!nv)
			return query_cc_nomem(cc);
		ns->v = nv;
		ns->cap = ncap;
	}
	e = &ns->v[ns->n];
	e->name = strndup(name, nlen);
	e->sql = strdup(sql);
	if (!e->name || !e->sql) {
		free(e->name);
		free(e->sql);
		return query_cc_nomem(cc);
	}
	ns->n++;
	return 0;
}

void query_names_free(struct query_names *ns)
{
	for (size_t i = 0; i < ns->n; i++) {
		free(ns->v[i].name);
		free(ns->v[i].sql);
	}
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/* Latest definition wins, so a later alias shadows an earlier one. */
const char *query_names_find(const struct query_names *ns, const char *name, size_t nlen)
{
	for (size_t i = ns->n; i-- > 0;)
		if (strlen(ns->v[i].name) == nlen && !memcmp(ns->v[i].name, name, nlen))
			return ns->v[i].sql;
	return NULL;
}

/* SELECT <result columns> FROM <level> [WHERE] [ORDER BY] [LIMIT]. */
static void build_final(struct query_cc *cc, struct buf *sql)
{
	int limit = cc->limit;

	if (!limit && !cc->saw_limit)
		limit = query_cc_param_int(cc, QUERY_DEFAULT_LIMIT);
	query_cc_emit(cc, sql, "SELECT ");
	for (size_t i = 0; i < cc->disp.n; i++) {
		query_cc_emit(cc, sql, i ? ", " : "");
		query_cc_emit(cc, sql, cc->disp.v[i].sql);
	}
	query_cc_emit(cc, sql, " FROM ");
	query_cc_emit(cc, sql, buf_cstr(&cc->from));
	if (cc->where.len) {
		query_cc_emit(cc, sql, " WHERE ");
		query_cc_emit(cc, sql, buf_cstr(&cc->where));
	}
	if (cc->order.len) {
		query_cc_emit(cc, sql, " ORDER BY ");
		query_cc_emit(cc, sql, buf_cstr(&cc->order));
	}
	if (limit)
		query_cc_emitf(cc, sql, " LIMIT ?%d", limit);
}

/* Moves the result column names and parameters into out. */
static int take_results(struct query_cc *cc, struct buf *sql, struct query_sql *out)
{
	out->cols = calloc(cc->disp.n ? cc->disp.n : 1, sizeof(char *));
	if (!out->cols)
		return query_cc_nomem(cc);
	for (size_t i = 0; i < cc->disp.n; i++) {
		out->cols[i] = cc->disp.v[i].name;
		cc->disp.v[i].name = NULL;
	}
	out->ncols = cc->disp.n;
	out->sql = (char *)sql->p;
	sql->p = NULL;
	out->params = cc->params;
	out->nparams = cc->nparams;
	cc->params = NULL;
	cc->nparams = 0;
	return 0;
}

static void position(const char *src, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && src[i]; i++) {
		if (src[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

static int compile_cc(struct query_cc *ccp, const char *text, struct query_sql *out, char *err,
		      size_t errlen);

static void cc_free(struct query_cc *cc)
{
	for (size_t i = 0; i < cc->nparams; i++)
		free(cc->params[i].s);
	free(cc->params);
	query_names_free(&cc->scope);
	query_names_free(&cc->disp);
	buf_free(&cc->from);
	buf_free(&cc->where);
	buf_free(&cc->order);
}

int query_compile(const char *text, struct query_sql *out, char *err, size_t errlen)
{
	return query_compile_source(text, NULL, out, err, errlen);
}

int query_compile_source(const char *text, const char *source, struct query_sql *out, char *err,
			 size_t errlen)
{
	struct query_cc cc = {.src = text, .lx = {.src = text}};

	if (source && !strcmp(source, "alerts"))
		cc.source = &query_source_alerts;
	else if (source && strcmp(source, "flows")) {
		memset(out, 0, sizeof(*out));
		if (errlen)
			snprintf(err, errlen, "unknown source '%s' (flows or alerts)", source);
		return -EINVAL;
	}
	return compile_cc(&cc, text, out, err, errlen);
}

static int compile_cc(struct query_cc *ccp, const char *text, struct query_sql *out, char *err,
		      size_t errlen)
{
	struct query_cc cc = *ccp;
	struct buf sql = {0};
	int ret;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = 0;
	ret = query_parse_pipeline(&cc);
	if (!ret)
		build_final(&cc, &sql);
	if (!cc.err && sql.len)
		buf_cstr(&sql);
	ret = cc.err ? cc.err : take_results(&cc, &sql, out);
	if (ret) {
		query_sql_free(out);
		position(text, cc.err_off, &out->err_line, &out->err_col);
		if (errlen)
			snprintf(err, errlen, "query:%d:%d: %s", out->err_line, out->err_col,
				 cc.msg);
	}
	buf_free(&sql);
	cc_free(&cc);
	return ret;
}

void query_sql_free(struct query_sql *q)
{
	for (size_t i = 0; i < q->nparams; i++)
		free(q->params[i].s);
	for (size_t i = 0; i < q->ncols; i++)
		free(q->cols[i]);
	free(q->params);
	free(q->cols);
	free(q->sql);
	memset(q, 0, sizeof(*q));
}

/* A literal can be left unused (an alias nobody displays); SQLite numbers
 * parameters up to the highest one in the text, so bind only those. */
int query_bind(sqlite3_stmt *st, const struct query_sql *q)
{
	int count = sqlite3_bind_parameter_count(st), rc = SQLITE_OK;

	for (size_t i = 0; i < q->nparams && (int)i < count && rc == SQLITE_OK; i++) {
		const struct query_param *p = &q->params[i];
		int n = (int)i + 1;

		if (p->type == QUERY_PARAM_INT)
			rc = sqlite3_bind_int64(st, n, p->i);
		else if (p->type == QUERY_PARAM_REAL)
			rc = sqlite3_bind_double(st, n, p->d);
		else
			rc = sqlite3_bind_text(st, n, p->s, -1, SQLITE_TRANSIENT);
	}
	return rc == SQLITE_OK ? 0 : -EIO;
}
