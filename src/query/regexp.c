/* Regular expressions: POSIX ERE from libc, guarded against patterns whose
 * compiled form explodes, and the SQL REGEXP function (SQLite parses
 * X REGEXP Y but does not implement it), compiled once per statement and
 * kept with sqlite3_set_auxdata. */
#include "query/internal.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void regex_free(void *p)
{
	regfree(p);
	free(p);
}

/* Length of the bracket expression at p ("[...]", "[]x]", "[[:alpha:]]"),
 * or 1 when it is unterminated (regcomp reports that). */
static size_t bracket_len(const char *p)
{
	size_t i = 1;

	if (p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	for (; p[i] && p[i] != ']'; i++)
		if (p[i] == '[' && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
			const char *end = strchr(p + i + 2, p[i + 1]);

			if (!end || end[1] != ']')
				return 1;
			i = (size_t)(end - p) + 1;
		}
	return p[i] ? i + 1 : 1;
}

/* For "{m}", "{m,}" or "{m,n}" at p: stores its length and returns the copies
 * glibc makes of the operand, or 0 if p is not a bound. */
static double bound_copies(const char *p, size_t *len)
{
	char *end;
	double m = strtod(p + 1, &end), n = m;

	if (p[1] < '0' || p[1] > '9')
		return 0;
	if (*end == ',')
		n = end[1] >= '0' && end[1] <= '9' ? strtod(end + 1, &end) : (end++, m + 1);
	if (*end != '}')
		return 0;
	*len = (size_t)(end - p) + 1;
	return n > m ? n : m;
}

/* glibc's regcomp copies an operand once per '+' and n times per {m,n}, so
 * nested repetitions grow its memory and time exponentially (a+++++... or
 * ((a{99}){99}){99}).  Estimates the copies and refuses what would be huge. */
static int regex_too_big(const char *re)
{
	double sum[QUERY_MAX_DEPTH + 1] = {0}, last = 0, k;
	int depth = 0;
	size_t len;

	for (const char *p = re; *p; p++) {
		k = 0; /* copies made by a quantifier, 0 for an operand */
		if (*p == '(' && depth == QUERY_MAX_DEPTH)
			return 1;
		if (*p == '(') {
			sum[++depth] = 0;
			last = 0;
			continue;
		}
		if (*p == '*' || *p == '?' || *p == '|' || *p == '^' || *p == '$')
			continue;
		if (*p == ')' && depth > 0) {
			last = sum[depth--] + 1;
		} else if (*p == '+') {
			k = 2;
		} else if (*p == '{' && (k = bound_copies(p, &len)) > 0) {
			p += len - 1;
		} else {
			p += *p == '[' ? bracket_len(p) - 1 : *p == '\\' && p[1] ? 1 : 0;
			last = 1;
		}
		sum[depth] += k ? last * (k - 1) : last;
		last *= k ? k : 1;
		if (sum[depth] > QUERY_REGEX_MAX_COST || last > QUERY_REGEX_MAX_COST)
			return 1;
	}
	return 0;
}

int query_regex_compile(regex_t *re, const char *pattern, char *msg, size_t n)
{
	char why[160];
	int rc;

	if (regex_too_big(pattern)) {
		snprintf(msg, n, "regex too complex (its repetitions multiply out over %d)",
			 QUERY_REGEX_MAX_COST);
		return -EINVAL;
	}
	rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, re, why, sizeof(why));
		snprintf(msg, n, "bad regex: %s", why);
		return -EINVAL;
	}
	return 0;
}

/* Returns the compiled pattern, or NULL with the error already set. */
static regex_t *regex_compile(sqlite3_context *ctx, const char *pattern)
{
	regex_t *re = malloc(sizeof(*re));
	char msg[200];

	if (!re) {
		sqlite3_result_error_nomem(ctx);
		return NULL;
	}
	if (query_regex_compile(re, pattern, msg, sizeof(msg))) {
		sqlite3_result_error(ctx, msg, -1);
		free(re);
		return NULL;
	}
	return re;
}

/* X REGEXP Y calls regexp(Y, X).  NULL in, NULL out. */
static void fn_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	regex_t *re = sqlite3_get_auxdata(ctx, 0);
	const char *pattern = (const char *)sqlite3_value_text(argv[0]);
	const char *text = (const char *)sqlite3_value_text(argv[1]);
	int cached = re != NULL;

	(void)argc;
	if (!pattern || !text) {
		sqlite3_result_null(ctx);
		return;
	}
	if (!re)
		re = regex_compile(ctx, pattern);
	if (!re)
		return;
	sqlite3_result_int(ctx, regexec(re, text, 0, NULL, 0) == 0);
	/* Last: SQLite may free re before set_auxdata returns. */
	if (!cached)
		sqlite3_set_auxdata(ctx, 0, re, regex_free);
}

int query_register_functions(sqlite3 *db)
{
	int rc = sqlite3_create_function(db, "regexp", 2,
					 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					 NULL, fn_regexp, NULL, NULL);

	return rc == SQLITE_OK ? 0 : -EIO;
}
