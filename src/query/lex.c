/* Lexer of the query language.  Positional: the state is one offset, so the
 * parser peeks by copying it.  Tokens keep their source span; string and regex
 * values are decoded on demand by query_lex_unquote. */
#include "query/internal.h"

#include <errno.h>
#include <string.h>

static int is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
}

static int is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
	       (c >= '0' && c <= '9');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skips blanks and '#' comments (to the end of the line). */
static void skip_space(struct query_lex *lx)
{
	const char *s = lx->src;

	for (;;) {
		char c = s[lx->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			lx->pos++;
		} else if (c == '#') {
			while (s[lx->pos] && s[lx->pos] != '\n')
				lx->pos++;
		} else {
			return;
		}
	}
}

/* [-]digits[.digits][e[+-]digits][unit letters] */
static void lex_number(struct query_lex *lx, struct query_tok *t)
{
	const char *s = lx->src;
	size_t p = lx->pos, u;

	if (s[p] == '-')
		p++;
	while (is_digit(s[p]))
		p++;
	if (s[p] == '.' && is_digit(s[p + 1])) {
		p++;
		while (is_digit(s[p]))
			p++;
	}
	if ((s[p] == 'e' || s[p] == 'E') &&
	    (is_digit(s[p + 1]) || ((s[p + 1] == '+' || s[p + 1] == '-') && is_digit(s[p + 2])))) {
		p += 2;
		while (is_digit(s[p]))
			p++;
	}
	u = p;
	while (is_alpha(s[p]))
		p++;
	t->kind = QT_NUMBER;
	t->unit = p - u;
	lx->pos = p;
}

/* A quoted string or /regex/: ends at the first unescaped closing quote. */
static int lex_quoted(struct query_lex *lx, struct query_tok *t, const char **msg)
{
	const char *s = lx->src;
	char q = s[lx->pos];
	size_t p = lx->pos + 1;

	while (s[p] && s[p] != q) {
		if (s[p] == '\\' && s[p + 1])
			p++;
		p++;
	}
	if (!s[p]) {
		*msg = q == '/' ? "unterminated /regex/" : "unterminated string";
		return -EINVAL;
	}
	t->kind = q == '/' ? QT_REGEX : QT_STRING;
	lx->pos = p + 1;
	return 0;
}

struct query_punct {
	const char *text;
	enum query_tok_kind kind;
};

/* Longest first, so "<=" wins over "<". */
static const struct query_punct puncts[] = {
    {"!=", QT_NE},    {"<=", QT_LE},	{">=", QT_GE},	  {"==", QT_EQ},
    {"=~", QT_MATCH}, {"<>", QT_NE},	{"|", QT_PIPE},	  {",", QT_COMMA},
    {"(", QT_LPAREN}, {")", QT_RPAREN}, {"[", QT_LBRACK}, {"]", QT_RBRACK},
    {"=", QT_EQ},     {"<", QT_LT},	{">", QT_GT},	  {"*", QT_STAR},
};

static int lex_punct(struct query_lex *lx, struct query_tok *t)
{
	const char *s = lx->src + lx->pos;

	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t n = strlen(puncts[i].text);

		if (!strncmp(s, puncts[i].text, n)) {
			t->kind = puncts[i].kind;
			lx->pos += n;
			return 0;
		}
	}
	return -EINVAL;
}

int query_lex_next(struct query_lex *lx, struct query_tok *t, const char **msg)
{
	size_t before = lx->pos;
	const char *s;
	int ret = 0;
	char c;

	skip_space(lx);
	s = lx->src;
	c = s[lx->pos];
	memset(t, 0, sizeof(*t));
	t->off = lx->pos;
	if (!c) {
		/* Point at the end of the text proper, not past trailing blanks. */
		t->kind = QT_EOF;
		t->off = lx->pos = before;
	} else if (is_name_start(c)) {
		lx->pos++;
		while (is_name_char(s[lx->pos]))
			lx->pos++;
		t->kind = QT_IDENT;
	} else if (is_digit(c) || (c == '-' && is_digit(s[lx->pos + 1]))) {
		lex_number(lx, t);
	} else if (c == '\'' || c == '"' || c == '/') {
		ret = lex_quoted(lx, t, msg);
	} else if (lex_punct(lx, t)) {
		*msg = "unexpected character";
		ret = -EINVAL;
	}
	t->len = lx->pos - t->off;
	return ret;
}

/* In strings \n \t \r and an escaped quote or backslash are resolved; any
 * other backslash pair is kept as written (so 'C:\dir' means what it says).
 * In a /regex/ only \/ is resolved: everything else belongs to the regex. */
static char unescape(char quote, char c, int *keep_backslash)
{
	*keep_backslash = 0;
	if (c == quote)
		return c;
	if (quote != '/') {
		switch (c) {
		case '\\':
			return '\\';
		case 'n':
			return '\n';
		case 't':
			return '\t';
		case 'r':
			return '\r';
		case '\'':
		case '"':
			return c;
		}
	}
	*keep_backslash = 1;
	return c;
}

int query_lex_unquote(const char *src, const struct query_tok *t, struct buf *out)
{
	const char *s = src + t->off;
	char quote = s[0];
	size_t n = t->len - 1; /* up to the closing quote */
	int ret = 0, keep;

	for (size_t i = 1; i < n && !ret; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = unescape(quote, s[++i], &keep);
			if (keep)
				ret = buf_putc(out, '\\');
		}
		if (!ret)
			ret = buf_putc(out, c);
	}
	if (!ret && !buf_reserve(out, 0))
		out->p[out->len] = 0;
	return ret;
}
