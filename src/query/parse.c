/* The pipeline: commands separated by '|', each applied to the rows the
 * previous one produced, compiled to nested SELECTs over flows.
 *
 * Language (a subset of CloudWatch Logs Insights):
 *   fields e [as name], ...    result columns; `display` is the same command
 *   filter COND                keep rows where COND holds
 *   stats AGG [as name], ... [by e [as name], ...]
 *                              AGG: count(*), count(), count(e), count_distinct(e),
 *                              min(e), max(e), sum(e), avg(e)
 *   sort e [asc|desc], ...     asc is the default
 *   limit N
 *   dedup e, ...               keep the first row (in the current order) per value
 *                              combination; a missing value (NULL) counts as one value
 *   COND: = != < <= > >=, [not] in [a, b] or (a, b), [not] like PATTERN,
 *         e =~ PATTERN, and, or, not, ( )
 *   PATTERN: /regex/ POSIX extended, unanchored; 'text' containing * or ? is a
 *         glob over the whole value (* any run, ? one character, nothing else
 *         special); 'text' without them matches as a substring.  Case-sensitive.
 *   functions: strlen, tolower, toupper, trim, abs, ispresent, isempty, and
 *         bin(DURATION) = init_ts rounded down to a multiple of 30s, 5m, 1h, 1d,
 *         1w or 100ms (a number of seconds; not only in stats by).
 *   names: the flows columns; a dotted name (http.uri) is json_extract(doc,
 *         '$.http.uri'); @timestamp is init_ts, @message the whole record (doc);
 *         creds is json_extract(doc, '$.creds').
 *   tags: a JSON array.  `filter tags = 'x'` (and <, like, =~, in) holds when
 *         some tag matches; `tags != 'x'`, `not like`, `not in` when no tag
 *         does (so a flow without tags satisfies them).  `stats ... by tags`
 *         counts per tag: a flow with two tags counts once for each, a flow
 *         without tags not at all.  Only the bare name tags (or an alias of
 *         it) on the left of a comparison does this; fields shows the array.
 *   literals: 42, 1.5, 'text', "text"; # starts a comment to the end of the line.
 *
 * Semantics chosen where Insights leaves room:
 * - Until the first stats, rows are flow records: every column and JSON path
 *   stays available to later commands whatever `fields` chose, and an alias
 *   from `fields` may be used by later commands.  The last `fields` decides
 *   the result columns; without one they are init_ts, src_addr, dst_port,
 *   readable (s3path and the rest on request).
 * - After a stats, rows are its output: its by-columns then its aggregates,
 *   named by alias or by their spelling without blanks ("count(*)",
 *   "bin(1h)"), which later commands may use by writing them again.
 * - Order: newest first (init_ts desc) until a sort; after a stats, by its
 *   by-columns ascending.  The order carries through later commands.
 * - Without any `limit`, the result is capped at 1000 rows.
 * - A missing value (NULL) satisfies no comparison, like or in, nor their
 *   negations; test it with ispresent().
 * - No arithmetic: '/' always starts a regex. */
#include "query/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


/* A token that can start an expression, else an error naming the context. */
static int expect_start(struct query_cc *cc, const char *what, const char *after)
{
	switch (cc->tok.kind) {
	case QT_IDENT:
		if (!query_cc_is_reserved(cc) || query_cc_is_kw(cc, "not"))
			return cc->err;
		break;
	case QT_NUMBER:
	case QT_STRING:
	case QT_LPAREN:
		return cc->err;
	default:
		break;
	}
	return query_cc_fail(cc, cc->tok.off, "expected %s after '%s'", what, after);
}

/* Consumes a ',' continuing a list. */
static int next_item(struct query_cc *cc)
{
	if (cc->err || cc->tok.kind != QT_COMMA)
		return 0;
	return !query_cc_advance(cc);
}

/* "as NAME": a plain name, its span stored in off and len.  Returns 1 if
 * present. */
static int parse_alias(struct query_cc *cc, size_t *off, size_t *len)
{
	const char *s;

	if (cc->err || !query_cc_is_kw(cc, "as"))
		return 0;
	if (query_cc_advance(cc))
		return 0;
	s = cc->src + cc->tok.off;
	if (cc->tok.kind != QT_IDENT || query_cc_is_reserved(cc) || s[0] == '@' ||
	    memchr(s, '.', cc->tok.len)) {
		query_cc_unexpected(cc, "a plain name after 'as'");
		return 0;
	}
	*off = cc->tok.off;
	*len = cc->tok.len;
	query_cc_advance(cc);
	return 1;
}

/* Wraps the current level in a subquery when it has a LIMIT, so that later
 * commands apply to the limited rows.  The order survives the wrapping. */
static void close_level(struct query_cc *cc)
{
	struct buf nf = {0};

	if (!cc->limit || cc->err)
		return;
	query_cc_emit(cc, &nf, "(SELECT * FROM ");
	query_cc_emit(cc, &nf, buf_cstr(&cc->from));
	if (cc->where.len) {
		query_cc_emit(cc, &nf, " WHERE ");
		query_cc_emit(cc, &nf, buf_cstr(&cc->where));
	}
	if (cc->order.len) {
		query_cc_emit(cc, &nf, " ORDER BY ");
		query_cc_emit(cc, &nf, buf_cstr(&cc->order));
	}
	query_cc_emitf(cc, &nf, " LIMIT ?%d)", cc->limit);
	buf_free(&cc->from);
	cc->from = nf;
	buf_reset(&cc->where);
	cc->limit = 0;
}

static void set_buf(struct query_cc *cc, struct buf *dst, const struct buf *src)
{
	buf_reset(dst);
	if (src->len && buf_append(dst, src->p, src->len))
		query_cc_nomem(cc);
}

/* One "e [as name]" of fields: a result column; an alias is also a name. */
static int fields_item(struct query_cc *cc, struct query_names *disp, const char *after)
{
	struct buf sql = {0}, name = {0};
	size_t start = cc->tok.off, aoff = 0, alen = 0;

	if (expect_start(cc, "a field name", after) || query_parse_expr(cc, &sql))
		goto out;
	if (parse_alias(cc, &aoff, &alen)) {
		query_names_add(cc, disp, cc->src + aoff, alen, buf_cstr(&sql));
		query_names_add(cc, &cc->scope, cc->src + aoff, alen, buf_cstr(&sql));
	} else if (!cc->err && !query_cc_join(cc, start, cc->tok.off, &name)) {
		query_names_add(cc, disp, (const char *)name.p, name.len, buf_cstr(&sql));
	}
out:
	buf_free(&sql);
	buf_free(&name);
	return cc->err;
}

static int cmd_fields(struct query_cc *cc, const char *word)
{
	struct query_names disp = {0}, old;
	const char *after = word;

	do {
		if (fields_item(cc, &disp, after))
			break;
		after = ",";
	} while (next_item(cc));
	if (!cc->err) {
		old = cc->disp;
		cc->disp = disp;
		disp = old;
	}
	query_names_free(&disp);
	return cc->err;
}

static int cmd_filter(struct query_cc *cc, const char *word)
{
	struct buf cond = {0};

	if (!expect_start(cc, "a condition", word) && !query_parse_expr(cc, &cond)) {
		close_level(cc);
		query_cc_emit(cc, &cc->where, cc->where.len ? " AND " : "");
		query_cc_emit(cc, &cc->where, buf_cstr(&cond));
	}
	buf_free(&cond);
	return cc->err;
}

static int cmd_sort(struct query_cc *cc, const char *word)
{
	struct buf order = {0};
	const char *after = word;

	do {
		query_cc_emit(cc, &order, order.len ? ", " : "");
		if (expect_start(cc, "a field name", after) || query_parse_expr(cc, &order))
			break;
		if (query_cc_is_kw(cc, "desc"))
			query_cc_emit(cc, &order, " DESC");
		if (query_cc_is_kw(cc, "desc") || query_cc_is_kw(cc, "asc"))
			query_cc_advance(cc);
		after = ",";
	} while (next_item(cc));
	close_level(cc); /* a pending LIMIT keeps the old order's first rows */
	set_buf(cc, &cc->order, &order);
	buf_free(&order);
	return cc->err;
}

static int cmd_limit(struct query_cc *cc, const char *word)
{
	char *end;
	long long n;

	if (cc->tok.kind != QT_NUMBER || cc->tok.unit || cc->src[cc->tok.off] == '-')
		return query_cc_fail(cc, cc->tok.off, "expected a row count after '%s'", word);
	errno = 0;
	n = strtoll(cc->src + cc->tok.off, &end, 10);
	if (errno || end != cc->src + cc->tok.off + cc->tok.len)
		return query_cc_fail(cc, cc->tok.off, "expected a whole row count after '%s'",
				     word);
	close_level(cc);
	cc->limit = query_cc_param_int(cc, n);
	cc->saw_limit = 1;
	return cc->err ? cc->err : query_cc_advance(cc);
}

/* row_number() over the combination, in the current order; keep number 1. */
static int cmd_dedup(struct query_cc *cc, const char *word)
{
	struct buf keys = {0}, nf = {0};
	const char *after = word;
	unsigned n;

	do {
		query_cc_emit(cc, &keys, keys.len ? ", " : "");
		if (expect_start(cc, "a field name", after) || query_parse_expr(cc, &keys))
			break;
		after = ",";
	} while (next_item(cc));
	close_level(cc);
	n = ++cc->counter;
	query_cc_emitf(cc, &nf, "(SELECT *, row_number() OVER (PARTITION BY %s%s%s) AS c%u FROM %s",
		       buf_cstr(&keys), cc->order.len ? " ORDER BY " : "", buf_cstr(&cc->order), n,
		       buf_cstr(&cc->from));
	if (cc->where.len)
		query_cc_emitf(cc, &nf, " WHERE %s", buf_cstr(&cc->where));
	query_cc_emit(cc, &nf, ")");
	set_buf(cc, &cc->from, &nf);
	buf_reset(&cc->where);
	query_cc_emitf(cc, &cc->where, "c%u = 1", n);
	buf_free(&keys);
	buf_free(&nf);
	return cc->err;
}

/* One stats output column: "sql AS cN" into sel, its name into names. */
static int stats_item(struct query_cc *cc, int agg, const char *after, struct buf *sel,
		      struct query_names *names)
{
	struct buf sql = {0}, name = {0};
	size_t start = cc->tok.off, aoff = 0, alen = 0;
	char col[16];

	if (agg ? query_parse_agg(cc, &sql)
		: (expect_start(cc, "a field name", after) || query_parse_expr(cc, &sql)))
		goto out;
	snprintf(col, sizeof(col), "c%u", ++cc->counter);
	query_cc_emitf(cc, sel, "%s%s AS %s", sel->len ? ", " : "", buf_cstr(&sql), col);
	if (parse_alias(cc, &aoff, &alen))
		query_names_add(cc, names, cc->src + aoff, alen, col);
	else if (!cc->err && !query_cc_join(cc, start, cc->tok.off, &name))
		query_names_add(cc, names, (const char *)name.p, name.len, col);
out:
	buf_free(&sql);
	buf_free(&name);
	return cc->err;
}

/* For `stats ... by tags`: one row per (flow, tag), the tag in column
 * c<unnest_tags>.  The filtered rows are wrapped first, so neither the
 * WHERE nor the stats see json_each's own columns (its id would clash with
 * flows.id); a flow without tags yields no row. */
static void unnest_tags(struct query_cc *cc)
{
	struct buf nf = {0};

	if (!cc->unnest_tags || cc->err)
		return;
	query_cc_emitf(cc, &nf, "(SELECT f.*, je.value AS c%u FROM (SELECT * FROM %s",
		       cc->unnest_tags, buf_cstr(&cc->from));
	if (cc->where.len)
		query_cc_emitf(cc, &nf, " WHERE %s", buf_cstr(&cc->where));
	query_cc_emit(cc, &nf, ") AS f, json_each(CASE WHEN json_valid(f.tags) THEN f.tags END) "
			       "AS je)");
	set_buf(cc, &cc->from, &nf);
	buf_reset(&cc->where);
	cc->unnest_tags = 0;
	buf_free(&nf);
}

/* The stats output becomes the rows: new level, names, result columns and
 * default order (by-columns ascending). */
static void stats_switch(struct query_cc *cc, struct buf *keys, struct buf *aggs,
			 struct query_names *names, size_t nkeys)
{
	struct buf nf = {0};

	close_level(cc);
	unnest_tags(cc);
	query_cc_emitf(cc, &nf, "(SELECT %s%s%s FROM %s", buf_cstr(keys), keys->len ? ", " : "",
		       buf_cstr(aggs), buf_cstr(&cc->from));
	if (cc->where.len)
		query_cc_emitf(cc, &nf, " WHERE %s", buf_cstr(&cc->where));
	for (size_t i = 0; i < nkeys; i++)
		query_cc_emitf(cc, &nf, "%s%zu", i ? ", " : " GROUP BY ", i + 1);
	query_cc_emit(cc, &nf, ")");
	set_buf(cc, &cc->from, &nf);
	buf_reset(&cc->where);
	buf_reset(&cc->order);
	for (size_t i = 0; i < nkeys; i++)
		query_cc_emitf(cc, &cc->order, "%s%s", i ? ", " : "", names->v[i].sql);
	query_names_free(&cc->scope);
	query_names_free(&cc->disp);
	for (size_t i = 0; i < names->n; i++) {
		query_names_add(cc, &cc->scope, names->v[i].name, strlen(names->v[i].name),
				names->v[i].sql);
		query_names_add(cc, &cc->disp, names->v[i].name, strlen(names->v[i].name),
				names->v[i].sql);
	}
	cc->table = 1;
	buf_free(&nf);
}

static int cmd_stats(struct query_cc *cc, const char *word)
{
	struct buf keys = {0}, aggs = {0};
	struct query_names kn = {0}, an = {0};
	const char *after = word;

	do {
		stats_item(cc, 1, after, &aggs, &an);
	} while (next_item(cc));
	if (query_cc_is_kw(cc, "by") && !query_cc_advance(cc)) {
		after = "by";
		cc->stats_by = 1;
		do {
			if (stats_item(cc, 0, after, &keys, &kn))
				break;
			after = ",";
		} while (next_item(cc));
		cc->stats_by = 0;
	}
	for (size_t i = 0; i < an.n && !cc->err; i++)
		query_names_add(cc, &kn, an.v[i].name, strlen(an.v[i].name), an.v[i].sql);
	if (!cc->err)
		stats_switch(cc, &keys, &aggs, &kn, kn.n - an.n);
	buf_free(&keys);
	buf_free(&aggs);
	query_names_free(&kn);
	query_names_free(&an);
	return cc->err;
}

struct query_command {
	const char *name;
	int (*fn)(struct query_cc *cc, const char *word);
};

static const struct query_command commands[] = {
    {"fields", cmd_fields}, {"display", cmd_fields}, {"filter", cmd_filter}, {"stats", cmd_stats},
    {"sort", cmd_sort},	    {"limit", cmd_limit},    {"dedup", cmd_dedup},
};

static int parse_command(struct query_cc *cc)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!query_cc_is_kw(cc, commands[i].name))
			continue;
		if (query_cc_advance(cc))
			return cc->err;
		return commands[i].fn(cc, commands[i].name);
	}
	if (cc->tok.kind == QT_IDENT)
		return query_cc_fail(
		    cc, cc->tok.off,
		    "unknown command '%.*s' (expected fields, filter, stats, sort, "
		    "limit or dedup)",
		    (int)(cc->tok.len < 40 ? cc->tok.len : 40), cc->src + cc->tok.off);
	return query_cc_unexpected(cc, "a command (fields, filter, stats, sort, limit, dedup)");
}

static void pipeline_init(struct query_cc *cc)
{
	const struct query_source *s = cc->source;

	query_cc_emit(cc, &cc->from, s->name);
	query_cc_emitf(cc, &cc->order, "%s DESC", s->ts);
	for (size_t i = 0; i < s->ndefaults; i++)
		query_names_add(cc, &cc->disp, s->defaults[i], strlen(s->defaults[i]),
				s->defaults[i]);
}

/* `source flows|alerts`, only as the first command: it decides every name
 * that follows. */
static int parse_source(struct query_cc *cc)
{
	static const struct query_source *const all[] = {&query_source_flows,
							 &query_source_alerts};

	if (query_cc_advance(cc))
		return cc->err;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (query_cc_is_kw(cc, all[i]->name)) {
			cc->source = all[i];
			if (query_cc_advance(cc))
				return cc->err;
			if (cc->tok.kind != QT_EOF && cc->tok.kind != QT_PIPE)
				return query_cc_unexpected(cc, "'|' or the end of the query");
			return cc->tok.kind == QT_PIPE ? query_cc_advance(cc) : 0;
		}
	return query_cc_unexpected(cc, "flows or alerts after source");
}

int query_parse_pipeline(struct query_cc *cc)
{
	int stages = 0;

	if (!cc->source)
		cc->source = &query_source_flows;
	if (query_cc_advance(cc))
		return cc->err;
	if (query_cc_is_kw(cc, "source") && parse_source(cc))
		return cc->err;
	pipeline_init(cc);
	if (cc->err || cc->tok.kind == QT_EOF)
		return cc->err;
	for (;;) {
		if (++stages > QUERY_MAX_STAGES)
			return query_cc_fail(cc, cc->tok.off, "too many commands (max %d)",
					     QUERY_MAX_STAGES);
		if (parse_command(cc) || cc->tok.kind == QT_EOF)
			return cc->err;
		if (cc->tok.kind != QT_PIPE)
			return query_cc_unexpected(cc, "'|' or the end of the query");
		if (query_cc_advance(cc))
			return cc->err;
	}
}
