/* Expressions: parsed by recursive descent and emitted straight to SQL text.
 *
 *   or      := and { "or" and }
 *   and     := not { "and" not }
 *   not     := "not" not | cmp
 *   cmp     := operand [ op operand | ["not"] "like" pattern | "=~" pattern
 *                      | ["not"] "in" list ]
 *   operand := number | string | name | call | "(" or ")"
 *
 * Every emitted expression is "atomic" (a name, ?N, f(...) or (...)), so the
 * pieces compose without precedence surprises and an alias can be inlined as
 * is.  Literals become numbered parameters; names resolve to whitelisted
 * columns, json_extract(doc, ?N) or earlier aliases. */
#include "query/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_or(struct query_cc *cc, struct buf *out);
static int parse_not(struct query_cc *cc, struct buf *out);

/* The flows columns a bare name may denote: the whitelist of identifiers. */
static const char *const columns[] = {
    "id",
    "s3path",
    "flow_key",
    "init_ts",
    "last_ts",
    "src_addr",
    "src_port",
    "dst_addr",
    "dst_port",
    "proto",
    "packets",
    "bytes",
    "community_id",
    "payload",
    "readable",
    "server_payload",
    "payload_len",
    "server_payload_len",
    "gaps",
    "truncated",
    "tcp_flags_seen",
    "service",
    "tags",
    "sensor",
    "flow_end",
    "doc",
    "scanner",
    "os_guess",
    "tokens",
};

static const char *const flows_defaults[] = {"init_ts", "src_addr", "dst_port", "readable"};

const struct query_source query_source_flows = {
	"flows", columns, sizeof(columns) / sizeof(columns[0]), "init_ts",
	flows_defaults, sizeof(flows_defaults) / sizeof(flows_defaults[0]), 1,
};

/* The alerts table (alert/alert.h); doc holds the alert's JSON, so
 * detail.port_count and the like are JSON paths as for flows. */
static const char *const alert_columns[] = {
    "id",  "ts",  "kind",	 "src_addr",	 "dst_addr", "src_port", "dst_port", "proto",
    "token_id", "tag", "uri", "community_id", "summary",	 "doc",	     "dedup_key", "created",
};
static const char *const alert_defaults[] = {"ts", "kind", "src_addr", "summary"};

const struct query_source query_source_alerts = {
	"alerts", alert_columns, sizeof(alert_columns) / sizeof(alert_columns[0]), "ts",
	alert_defaults, sizeof(alert_defaults) / sizeof(alert_defaults[0]), 0,
};

/* Names that are not columns but fixed expressions over one. */
static const struct {
	const char *name, *sql;
} computed[] = {
    {"creds", "json_extract(doc, '$.creds')"},
};

/* The tags column holds a JSON array; these unnest it.  CASE keeps a
 * malformed or NULL value from failing the whole query: it has no tags. */
#define TAGS_EACH "json_each(CASE WHEN json_valid(tags) THEN tags END)"

static const char *tok_text(const struct query_cc *cc)
{
	return cc->src + cc->tok.off;
}

static int depth_enter(struct query_cc *cc)
{
	if (++cc->depth > QUERY_MAX_DEPTH)
		return query_cc_fail(cc, cc->tok.off, "query nested too deeply (max %d levels)",
				     QUERY_MAX_DEPTH);
	return 0;
}

/* Inserts s at b[start]: wraps an operand already emitted into an operator. */
static void insert_at(struct query_cc *cc, struct buf *b, size_t start, const char *s)
{
	size_t n = strlen(s);

	if (cc->err)
		return;
	if (buf_reserve(b, n)) {
		query_cc_nomem(cc);
		return;
	}
	memmove(b->p + start + n, b->p + start, b->len - start);
	memcpy(b->p + start, s, n);
	b->len += n;
}

typedef int (*parse_fn)(struct query_cc *cc, struct buf *out);

/* sub { kw sub } as "(a OP b OP c)", emitted in one pass. */
static int parse_chain(struct query_cc *cc, struct buf *out, const char *kw, const char *op,
		       parse_fn sub)
{
	size_t start = out->len;
	int n = 0;

	if (sub(cc, out))
		return cc->err;
	while (!cc->err && query_cc_is_kw(cc, kw)) {
		if (!n++)
			insert_at(cc, out, start, "(");
		query_cc_emit(cc, out, op);
		if (query_cc_advance(cc) || sub(cc, out))
			return cc->err;
	}
	if (n)
		query_cc_emit(cc, out, ")");
	return cc->err;
}

static int parse_and(struct query_cc *cc, struct buf *out)
{
	return parse_chain(cc, out, "and", " AND ", parse_not);
}

static int parse_or(struct query_cc *cc, struct buf *out)
{
	return parse_chain(cc, out, "or", " OR ", parse_and);
}

int query_parse_expr(struct query_cc *cc, struct buf *out)
{
	return parse_or(cc, out);
}

/* Parses a number token into a parameter: integer when it is one and fits,
 * real otherwise.  Returns the parameter number or 0. */
static int number_param(struct query_cc *cc, double scale)
{
	char *s = strndup(tok_text(cc), cc->tok.len - cc->tok.unit), *end;
	long long i;
	double d;
	int n = 0;

	if (!s) {
		query_cc_nomem(cc);
		return 0;
	}
	errno = 0;
	i = strtoll(s, &end, 10);
	if (!*end && !errno && scale == 1.0) {
		n = query_cc_param_int(cc, i);
	} else {
		d = strtod(s, NULL) * scale;
		if (d == floor(d) && fabs(d) < 9e15)
			n = query_cc_param_int(cc, (long long)d);
		else
			n = query_cc_param_real(cc, d);
	}
	free(s);
	return n;
}

/* A number or string literal as ?N. */
static int parse_literal(struct query_cc *cc, struct buf *out)
{
	struct buf v = {0};
	int n = 0;

	if (cc->tok.kind == QT_NUMBER && cc->tok.unit)
		return query_cc_fail(cc, cc->tok.off,
				     "a duration such as '5m' is only allowed in bin()");
	if (cc->tok.kind == QT_NUMBER) {
		n = number_param(cc, 1.0);
	} else if (cc->tok.kind == QT_STRING) {
		if (query_lex_unquote(cc->src, &cc->tok, &v))
			query_cc_nomem(cc);
		else
			n = query_cc_param_text(cc, buf_cstr(&v));
		buf_free(&v);
	} else {
		return query_cc_unexpected(cc, "a number or a 'string'");
	}
	if (n)
		query_cc_emitf(cc, out, "?%d", n);
	return cc->err ? cc->err : query_cc_advance(cc);
}

/* A dotted name is a path into the JSON record: [A-Za-z0-9_]+ parts. */
static int json_path(struct query_cc *cc, struct buf *out)
{
	const char *s = tok_text(cc);
	size_t n = cc->tok.len;
	struct buf path = {0};
	int p = 0, prev_dot = 1;

	for (size_t i = 0; i < n; i++) {
		int dot = s[i] == '.';

		if (s[i] == '@' || (dot && prev_dot) || (i == n - 1 && dot))
			return query_cc_fail(cc, cc->tok.off + i, "bad field path '%.*s'", (int)n,
					     s);
		prev_dot = dot;
	}
	if (buf_puts(&path, "$.") || buf_append(&path, s, n))
		query_cc_nomem(cc);
	else
		p = query_cc_param_text(cc, buf_cstr(&path));
	buf_free(&path);
	if (p)
		query_cc_emitf(cc, out, "json_extract(doc, ?%d)", p);
	return cc->err;
}

static int unknown_field(struct query_cc *cc)
{
	char names[160] = "";
	size_t used = 0;

	if (!cc->table)
		return query_cc_fail(cc, cc->tok.off, "unknown field '%.*s'", (int)cc->tok.len,
				     tok_text(cc));
	for (size_t i = 0; i < cc->scope.n && used + 4 < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
					 cc->scope.v[i].name);
	return query_cc_fail(cc, cc->tok.off,
			     "unknown field '%.*s' (after stats the fields are: %s)",
			     (int)cc->tok.len, tok_text(cc), names);
}

/* Record fields: alias, @timestamp/@message, JSON path or a flows column.
 * After stats only its output (and later aliases) exist. */
static int parse_name(struct query_cc *cc, struct buf *out)
{
	const char *s = tok_text(cc), *sql = query_names_find(&cc->scope, s, cc->tok.len);
	size_t n = cc->tok.len;

	for (size_t i = 0; !sql && !cc->table && i < cc->source->ncolumns; i++)
		if (strlen(cc->source->columns[i]) == n && !memcmp(cc->source->columns[i], s, n))
			sql = cc->source->columns[i];
	for (size_t i = 0; !sql && !cc->table && cc->source->flows &&
			   i < sizeof(computed) / sizeof(computed[0]);
	     i++)
		if (strlen(computed[i].name) == n && !memcmp(computed[i].name, s, n))
			sql = computed[i].sql;
	/* `stats ... by tags` counts per tag: the key is the unnested tag,
	 * a column that stats_switch (parse.c) adds to the rows. */
	if (sql && cc->stats_by && cc->source->flows && !strcmp(sql, "tags")) {
		if (!cc->unnest_tags)
			cc->unnest_tags = ++cc->counter;
		query_cc_emitf(cc, out, "c%u", cc->unnest_tags);
		return cc->err ? cc->err : query_cc_advance(cc);
	}
	if (!sql && !cc->table && n == 10 && !memcmp(s, "@timestamp", n))
		sql = cc->source->ts;
	if (!sql && !cc->table && n == 8 && !memcmp(s, "@message", n))
		sql = "doc";
	if (sql)
		query_cc_emit(cc, out, sql);
	else if (!cc->table && memchr(s, '.', n))
		json_path(cc, out);
	else
		return unknown_field(cc);
	return cc->err ? cc->err : query_cc_advance(cc);
}

/* After a stats, "count(*)" or "bin(1h)" written again names its column:
 * the call's tokens, blanks removed, are looked up among the names. */
static int call_lookup(struct query_cc *cc, struct buf *out)
{
	struct query_lex lx = cc->lx;
	struct query_tok t = {0};
	struct buf name = {0};
	const char *msg, *sql;
	int depth = 0;

	do {
		if (query_lex_next(&lx, &t, &msg) || t.kind == QT_EOF)
			return 0;
		depth += t.kind == QT_LPAREN ? 1 : t.kind == QT_RPAREN ? -1 : 0;
	} while (depth > 0);
	if (query_cc_join(cc, cc->tok.off, t.off + 1, &name))
		return -1;
	sql = query_names_find(&cc->scope, (const char *)name.p, name.len);
	if (sql) {
		query_cc_emit(cc, out, sql);
		cc->lx = lx;
		query_cc_advance(cc);
	}
	buf_free(&name);
	return sql ? 1 : 0;
}

struct query_unit {
	const char *name;
	double seconds;
};

static const struct query_unit units[] = {
    {"", 1},	 {"ms", 0.001}, {"s", 1},     {"sec", 1},   {"m", 60},
    {"min", 60}, {"h", 3600},	{"hr", 3600}, {"d", 86400}, {"w", 604800},
};

/* bin(DURATION): init_ts rounded down to a multiple of the duration. */
static int parse_bin(struct query_cc *cc, struct buf *out)
{
	const char *ts = query_names_find(&cc->scope, cc->source->ts, strlen(cc->source->ts));
	const char *u;
	int p = 0;

	if (query_cc_advance(cc) || query_cc_expect(cc, QT_LPAREN, "'(' after bin"))
		return cc->err;
	u = tok_text(cc) + cc->tok.len - cc->tok.unit;
	for (size_t i = 0; cc->tok.kind == QT_NUMBER && !p && i < sizeof(units) / sizeof(units[0]);
	     i++)
		if (strlen(units[i].name) == cc->tok.unit &&
		    !strncmp(u, units[i].name, cc->tok.unit))
			p = number_param(cc, units[i].seconds);
	if (!p || cc->params[p - 1].type == QUERY_PARAM_TEXT ||
	    (cc->params[p - 1].type == QUERY_PARAM_INT ? cc->params[p - 1].i <= 0
						       : !(cc->params[p - 1].d > 0)))
		return query_cc_fail(cc, cc->tok.off,
				     "bin() needs a positive duration such as 30s, 5m, 1h or 1d");
	if (!ts && cc->table)
		return query_cc_fail(cc, cc->tok.off, "bin() needs %s, which stats did not keep",
				     cc->source->ts);
	query_cc_emitf(cc, out, "(CAST(%s / ?%d AS INTEGER) * ?%d)", ts ? ts : cc->source->ts, p,
		       p);
	if (query_cc_advance(cc))
		return cc->err;
	return query_cc_expect(cc, QT_RPAREN, "')' after the duration");
}

struct query_fn {
	const char *name;
	const char *pre, *post; /* SQL around the argument */
};

/* Scalar functions; each takes one argument. */
static const struct query_fn functions[] = {
    {"strlen", "length(", ")"},
    {"tolower", "lower(", ")"},
    {"toupper", "upper(", ")"},
    {"trim", "trim(", ")"},
    {"abs", "abs(", ")"},
    {"ispresent", "(", " IS NOT NULL)"},
    {"isempty", "(coalesce(", ", '') = '')"},
};

static const struct query_fn aggregates[] = {
    {"count", "count(", ")"}, {"count_distinct", "count(DISTINCT ", ")"},
    {"min", "min(", ")"},     {"max", "max(", ")"},
    {"sum", "sum(", ")"},     {"avg", "avg(", ")"},
};

static const struct query_fn *fn_find(const struct query_fn *v, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i].name) == len && !strncasecmp(v[i].name, s, len))
			return &v[i];
	return NULL;
}

/* "(" expr ")" wrapped in fn's SQL. */
static int parse_fn_arg(struct query_cc *cc, struct buf *out, const struct query_fn *fn)
{
	const char *name = fn->name;

	if (depth_enter(cc) || query_cc_advance(cc) ||
	    query_cc_expect(cc, QT_LPAREN, "'(' after the function name"))
		return cc->err;
	if (cc->tok.kind == QT_RPAREN)
		return query_cc_fail(cc, cc->tok.off, "%s() needs an argument", name);
	query_cc_emit(cc, out, fn->pre);
	if (parse_or(cc, out))
		return cc->err;
	query_cc_emit(cc, out, fn->post);
	if (cc->tok.kind == QT_COMMA)
		return query_cc_fail(cc, cc->tok.off, "%s() takes one argument", name);
	cc->depth--;
	return query_cc_expect(cc, QT_RPAREN, "')'");
}

static int parse_call(struct query_cc *cc, struct buf *out)
{
	const char *s = tok_text(cc);
	size_t n = cc->tok.len;
	const struct query_fn *fn;
	int found = cc->scope.n ? call_lookup(cc, out) : 0;

	if (found)
		return cc->err;
	if (fn_find(aggregates, sizeof(aggregates) / sizeof(aggregates[0]), s, n))
		return query_cc_fail(cc, cc->tok.off, "%.*s() is an aggregate: use it in stats",
				     (int)n, s);
	if (n == 3 && !strncasecmp(s, "bin", 3))
		return parse_bin(cc, out);
	fn = fn_find(functions, sizeof(functions) / sizeof(functions[0]), s, n);
	if (!fn)
		return query_cc_fail(cc, cc->tok.off, "unknown function '%.*s'", (int)n, s);
	return parse_fn_arg(cc, out, fn);
}

static int parse_group(struct query_cc *cc, struct buf *out)
{
	if (depth_enter(cc) || query_cc_advance(cc) || parse_or(cc, out))
		return cc->err;
	cc->depth--;
	return query_cc_expect(cc, QT_RPAREN, "')'");
}

static int parse_operand(struct query_cc *cc, struct buf *out)
{
	switch (cc->tok.kind) {
	case QT_NUMBER:
	case QT_STRING:
		return parse_literal(cc, out);
	case QT_REGEX:
		return query_cc_fail(cc, cc->tok.off, "a /regex/ can only follow like or =~");
	case QT_LPAREN:
		return parse_group(cc, out);
	case QT_IDENT:
		if (query_cc_is_reserved(cc))
			break;
		if (query_cc_peek(cc) == QT_LPAREN)
			return parse_call(cc, out);
		return parse_name(cc, out);
	default:
		break;
	}
	return query_cc_unexpected(cc, "a field name or a value");
}

static int parse_not(struct query_cc *cc, struct buf *out);
static int parse_cmp(struct query_cc *cc, struct buf *out);

static int parse_not(struct query_cc *cc, struct buf *out)
{
	if (!query_cc_is_kw(cc, "not"))
		return parse_cmp(cc, out);
	if (depth_enter(cc) || query_cc_advance(cc))
		return cc->err;
	query_cc_emit(cc, out, "(NOT ");
	if (parse_not(cc, out))
		return cc->err;
	query_cc_emit(cc, out, ")");
	cc->depth--;
	return cc->err;
}

/* Validates a /regex/ now, so a bad one is a query error with a column. */
static int check_regex(struct query_cc *cc, const char *pattern)
{
	char msg[200];
	regex_t re;

	if (query_regex_compile(&re, pattern, msg, sizeof(msg)))
		return query_cc_fail(cc, cc->tok.off, "%s", msg);
	regfree(&re);
	return 0;
}

/* Only * and ? are wildcards: '[' (GLOB's class) is made literal as "[[]". */
static int glob_param(struct query_cc *cc, const char *pat)
{
	struct buf g = {0};
	int n = 0, bad = 0;

	for (const char *p = pat; *p && !bad; p++)
		bad = *p == '[' ? buf_puts(&g, "[[]") : buf_putc(&g, *p);
	if (bad)
		query_cc_nomem(cc);
	else
		n = query_cc_param_text(cc, buf_cstr(&g));
	buf_free(&g);
	return n;
}

/* like /re/ → REGEXP; like 'a*b?' (has * or ?) → whole-value GLOB;
 * like 'text' → substring (instr).  All case-sensitive. */
static int parse_like(struct query_cc *cc, struct buf *out, size_t start, int neg)
{
	struct buf pat = {0};
	enum query_tok_kind kind;
	int n = 0;

	if (query_cc_advance(cc))
		return cc->err;
	kind = cc->tok.kind;
	if (kind != QT_REGEX && kind != QT_STRING)
		return query_cc_unexpected(cc, "a /regex/ or a 'string' after like");
	if (query_lex_unquote(cc->src, &cc->tok, &pat))
		query_cc_nomem(cc);
	else if (kind == QT_REGEX && !check_regex(cc, buf_cstr(&pat)))
		n = query_cc_param_text(cc, buf_cstr(&pat));
	else if (kind == QT_STRING && strpbrk(buf_cstr(&pat), "*?"))
		n = glob_param(cc, buf_cstr(&pat));
	else if (kind == QT_STRING)
		n = -query_cc_param_text(cc, buf_cstr(&pat));
	buf_free(&pat);
	if (n > 0) {
		insert_at(cc, out, start, "(");
		query_cc_emitf(cc, out, " %s%s ?%d)", neg ? "NOT " : "",
			       kind == QT_REGEX ? "REGEXP" : "GLOB", n);
	} else if (n < 0) {
		insert_at(cc, out, start, "(instr(");
		query_cc_emitf(cc, out, ", ?%d) %s 0)", -n, neg ? "=" : ">");
	}
	return cc->err ? cc->err : query_cc_advance(cc);
}

/* in [a, b] or in (a, b): literals only. */
static int parse_in(struct query_cc *cc, struct buf *out, size_t start, int neg)
{
	enum query_tok_kind close;

	if (query_cc_advance(cc))
		return cc->err;
	if (cc->tok.kind != QT_LBRACK && cc->tok.kind != QT_LPAREN)
		return query_cc_unexpected(cc, "'[' after in");
	close = cc->tok.kind == QT_LBRACK ? QT_RBRACK : QT_RPAREN;
	insert_at(cc, out, start, "(");
	query_cc_emit(cc, out, neg ? " NOT IN (" : " IN (");
	if (query_cc_advance(cc) || parse_literal(cc, out))
		return cc->err;
	while (cc->tok.kind == QT_COMMA) {
		query_cc_emit(cc, out, ", ");
		if (query_cc_advance(cc) || parse_literal(cc, out))
			return cc->err;
	}
	query_cc_emit(cc, out, "))");
	return query_cc_expect(cc, close, close == QT_RBRACK ? "']'" : "')'");
}

struct query_cmp {
	enum query_tok_kind kind;
	const char *sql;
};

static const struct query_cmp cmps[] = {
    {QT_EQ, " = "},  {QT_NE, " <> "}, {QT_LT, " < "},
    {QT_LE, " <= "}, {QT_GT, " > "},  {QT_GE, " >= "},
};

/* A comparison operator, like, =~, not or in comes next. */
static int cmp_follows(const struct query_cc *cc)
{
	for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		if (cc->tok.kind == cmps[i].kind)
			return 1;
	return cc->tok.kind == QT_MATCH || query_cc_is_kw(cc, "not") ||
	       query_cc_is_kw(cc, "like") || query_cc_is_kw(cc, "in");
}

/* tags OP x means "some tag OP x": EXISTS over the unnested array, and
 * its negations (!=, not like, not in) mean "no tag ...", so a flow
 * without tags satisfies them. */
static int parse_tags_cmp(struct query_cc *cc, struct buf *out, size_t start)
{
	int neg = cc->tok.kind == QT_NE;

	out->len = start;
	query_cc_emit(cc, out, "value");
	if (cc->tok.kind == QT_MATCH) {
		parse_like(cc, out, start, 0);
	} else if (query_cc_is_kw(cc, "not") || query_cc_is_kw(cc, "like") ||
		   query_cc_is_kw(cc, "in")) {
		neg = query_cc_is_kw(cc, "not");
		if (neg && query_cc_advance(cc))
			return cc->err;
		if (query_cc_is_kw(cc, "like"))
			parse_like(cc, out, start, 0);
		else if (query_cc_is_kw(cc, "in"))
			parse_in(cc, out, start, 0);
		else
			return query_cc_unexpected(cc, "like or in after not");
	} else {
		for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
			if (cc->tok.kind == cmps[i].kind)
				query_cc_emit(cc, out, neg ? " = " : cmps[i].sql);
		insert_at(cc, out, start, "(");
		if (query_cc_advance(cc) || parse_operand(cc, out))
			return cc->err;
		query_cc_emit(cc, out, ")");
	}
	if (cc->err)
		return cc->err;
	insert_at(cc, out, start,
		  neg ? "(NOT EXISTS (SELECT 1 FROM " TAGS_EACH " WHERE "
		      : "(EXISTS (SELECT 1 FROM " TAGS_EACH " WHERE ");
	query_cc_emit(cc, out, "))");
	return cc->err;
}

static int parse_cmp(struct query_cc *cc, struct buf *out)
{
	size_t start = out->len;
	int neg = 0;

	if (parse_operand(cc, out))
		return cc->err;
	if (!cc->table && cc->source->flows && out->len - start == 4 &&
	    !memcmp(out->p + start, "tags", 4) &&
	    cmp_follows(cc))
		return parse_tags_cmp(cc, out, start);
	for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
		if (cc->tok.kind != cmps[i].kind)
			continue;
		insert_at(cc, out, start, "(");
		query_cc_emit(cc, out, cmps[i].sql);
		if (query_cc_advance(cc) || parse_operand(cc, out))
			return cc->err;
		query_cc_emit(cc, out, ")");
		return cc->err;
	}
	if (cc->tok.kind == QT_MATCH)
		return parse_like(cc, out, start, 0);
	if (query_cc_is_kw(cc, "not")) {
		neg = 1;
		if (query_cc_advance(cc))
			return cc->err;
		if (!query_cc_is_kw(cc, "like") && !query_cc_is_kw(cc, "in"))
			return query_cc_unexpected(cc, "like or in after not");
	}
	if (query_cc_is_kw(cc, "like"))
		return parse_like(cc, out, start, neg);
	if (query_cc_is_kw(cc, "in"))
		return parse_in(cc, out, start, neg);
	return 0;
}

/* An aggregate of stats: count(*), count(), count(x), count_distinct(x),
 * min/max/sum/avg(x).  Aggregates do not nest. */
int query_parse_agg(struct query_cc *cc, struct buf *out)
{
	const struct query_fn *fn = NULL;

	if (cc->tok.kind == QT_IDENT && query_cc_peek(cc) == QT_LPAREN)
		fn = fn_find(aggregates, sizeof(aggregates) / sizeof(aggregates[0]), tok_text(cc),
			     cc->tok.len);
	if (!fn)
		return query_cc_unexpected(
		    cc, "an aggregate (count, count_distinct, min, max, sum, avg)");
	if (strcmp(fn->name, "count"))
		return parse_fn_arg(cc, out, fn);
	if (query_cc_advance(cc) || query_cc_advance(cc))
		return cc->err;
	if (cc->tok.kind == QT_STAR || cc->tok.kind == QT_RPAREN) {
		query_cc_emit(cc, out, "count(*)");
		if (cc->tok.kind == QT_STAR && query_cc_advance(cc))
			return cc->err;
	} else {
		query_cc_emit(cc, out, "count(");
		if (depth_enter(cc) || parse_or(cc, out))
			return cc->err;
		cc->depth--;
		query_cc_emit(cc, out, ")");
	}
	return query_cc_expect(cc, QT_RPAREN, "')'");
}
