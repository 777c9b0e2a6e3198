/* Rule files to struct rules_rule.  The format is described at the top of
 * share/rules/README; in short, one block per rule:
 *
 *   rule ID
 *     name TEXT...            tag TAG...          ref REF...
 *     proto tcp|udp|any       port LIST           service NAME|any
 *     dir client|server       content "BYTES" [nocase]     regex /PCRE2/FLAGS
 *     match [not] FIELD contains|is|startswith|endswith "BYTES" [nocase]
 *     match [not] FIELD regex /PCRE2/FLAGS
 *     match [not] FIELD exists
 *
 * Every error names FILE:LINE.  Rule files are the operator's, not the
 * attacker's, but they are still parsed with bounds everywhere (the fuzzer
 * feeds this parser arbitrary bytes). */
#include "rules/internal.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rp {
	struct rules *rs;
	const char *name; /* file name for messages */
	char *file;	  /* owned copy, in rs->files */
	unsigned line;
	const char *s; /* current line, without its terminator */
	size_t n, pos;
	char *err;
	size_t errlen;
	struct rules_rule *cur; /* rule being built, NULL before the first */
};

static int rp_fail(struct rp *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int rp_fail(struct rp *rp, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rp->errlen)
		snprintf(rp->err, rp->errlen, "%s:%u: %s", rp->name, rp->line, msg);
	return -EINVAL;
}

/* A token of the file quoted in a message: at most 40 bytes, anything not
 * printable shown as '?', so a binary file cannot garble the terminal. */
static const char *rp_show(const char *s, size_t n, char out[48])
{
	size_t i;

	for (i = 0; i < n && i < 40; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n > 40)
		out[i - 1] = '~';
	out[i] = 0;
	return out;
}

static void rp_ws(struct rp *rp)
{
	while (rp->pos < rp->n && (rp->s[rp->pos] == ' ' || rp->s[rp->pos] == '\t'))
		rp->pos++;
}

/* True at the end of the line or at a comment. */
static bool rp_eol(struct rp *rp)
{
	rp_ws(rp);
	return rp->pos >= rp->n || rp->s[rp->pos] == '#';
}

/* A run of non-blank bytes. */
static int rp_word(struct rp *rp, const char **w, size_t *wl, const char *what)
{
	size_t start;

	if (rp_eol(rp))
		return rp_fail(rp, "expected %s", what);
	start = rp->pos;
	while (rp->pos < rp->n && rp->s[rp->pos] != ' ' && rp->s[rp->pos] != '\t')
		rp->pos++;
	*w = rp->s + start;
	*wl = rp->pos - start;
	return 0;
}

static bool rp_is(const char *w, size_t wl, const char *kw)
{
	return strlen(kw) == wl && !memcmp(w, kw, wl);
}

static int rp_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One escape after a backslash inside "...": \\ \" \r \n \t \0 \xHH. */
static int rp_escape(struct rp *rp, struct buf *out)
{
	static const char from[] = "\\\"rnt0", to[] = "\\\"\r\n\t";
	const char *k;
	int hi, lo;

	if (rp->pos >= rp->n)
		return rp_fail(rp, "unterminated string");
	k = memchr(from, rp->s[rp->pos], sizeof(from) - 1);
	if (k) {
		rp->pos++;
		return buf_putc(out, k - from == 5 ? 0 : to[k - from]);
	}
	if (rp->s[rp->pos] != 'x' || rp->pos + 2 >= rp->n ||
	    (hi = rp_hex(rp->s[rp->pos + 1])) < 0 || (lo = rp_hex(rp->s[rp->pos + 2])) < 0)
		return rp_fail(rp, "bad escape in string (use \\\\ \\\" \\r \\n \\t \\0 or \\xHH)");
	rp->pos += 3;
	return buf_putc(out, hi << 4 | lo);
}

/* "..." into out (bytes, escapes resolved). */
static int rp_string(struct rp *rp, struct buf *out)
{
	int ret = 0;

	buf_reset(out);
	if (rp_eol(rp) || rp->s[rp->pos] != '"')
		return rp_fail(rp, "expected a \"string\"");
	rp->pos++;
	while (!ret) {
		char c;

		if (rp->pos >= rp->n)
			return rp_fail(rp, "unterminated string");
		c = rp->s[rp->pos++];
		if (c == '"')
			break;
		ret = c == '\\' ? rp_escape(rp, out) : buf_putc(out, c);
	}
	if (ret)
		return ret;
	if (!out->len)
		return rp_fail(rp, "empty string");
	return 0;
}

/* /pattern/flags; the pattern is passed to PCRE2 as written (so \/ is a
 * slash, \x0e a byte); flags i s m x. */
static int rp_regex(struct rp *rp, struct buf *pat, uint32_t *opts)
{
	size_t start;
	char shown[48];

	buf_reset(pat);
	*opts = 0;
	if (rp_eol(rp) || rp->s[rp->pos] != '/')
		return rp_fail(rp, "expected a /regex/");
	start = ++rp->pos;
	while (rp->pos < rp->n && rp->s[rp->pos] != '/')
		rp->pos += rp->s[rp->pos] == '\\' ? 2 : 1;
	if (rp->pos >= rp->n)
		return rp_fail(rp, "unterminated /regex/ (write a slash inside it as \\/)");
	if (rp->pos == start)
		return rp_fail(rp, "empty /regex/");
	if (buf_append(pat, rp->s + start, rp->pos - start))
		return -ENOMEM;
	rp->pos++;
	for (; rp->pos < rp->n && rp->s[rp->pos] != ' ' && rp->s[rp->pos] != '\t'; rp->pos++) {
		switch (rp->s[rp->pos]) {
		case 'i':
			*opts |= PCRE2_CASELESS;
			break;
		case 's':
			*opts |= PCRE2_DOTALL;
			break;
		case 'm':
			*opts |= PCRE2_MULTILINE;
			break;
		case 'x':
			*opts |= PCRE2_EXTENDED;
			break;
		default:
			return rp_fail(rp, "unknown regex flag '%s' (flags: i s m x)",
				       rp_show(rp->s + rp->pos, 1, shown));
		}
	}
	return 0;
}

/* Moves the bytes of tmp into the condition's literal. */
static int rp_take(struct rules_cond *c, const struct buf *tmp)
{
	c->lit = malloc(tmp->len);
	if (!c->lit)
		return -ENOMEM;
	memcpy(c->lit, tmp->p, tmp->len);
	c->litlen = tmp->len;
	return 0;
}

static int rp_compile_regex(struct rp *rp, struct rules_cond *c, struct buf *pat, uint32_t opts)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int code;

	/* Subjects are bytes, not text: no UTF mode, and a (*UTF) inside the
	 * pattern cannot turn it on. */
	opts |= PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | (c->nocase ? PCRE2_CASELESS : 0);
	c->re = pcre2_compile((PCRE2_SPTR)pat->p, pat->len, opts, &code, &off, NULL);
	if (!c->re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return rp_fail(rp, "bad regex at offset %zu: %s", (size_t)off, (char *)msg);
	}
	c->reopts = opts;	/* JIT compiling waits for rules_compile: equal regexes share one */
	return rp_take(c, pat); /* the pattern, to find equal tests */
}

/* [a-z0-9][a-z0-9._:-]*: tags and ids stay short, stable and safe to print. */
static bool rp_valid_name(const char *w, size_t wl, size_t max, bool colon)
{
	if (!wl || wl >= max || !(islower((unsigned char)w[0]) || isdigit((unsigned char)w[0])))
		return false;
	for (size_t i = 0; i < wl; i++) {
		unsigned char c = (unsigned char)w[i];

		if (!islower(c) && !isdigit(c) && c != '-' && c != '_' && c != '.' &&
		    !(colon && c == ':'))
			return false;
	}
	return true;
}

static int rp_need_rule(struct rp *rp, const char *kw)
{
	if (!rp->cur)
		return rp_fail(rp, "'%s' outside a rule (start one with 'rule ID')", kw);
	return 0;
}

static char *rp_dup(const char *s, size_t n)
{
	return strndup(s, n);
}

static int kw_name(struct rp *rp)
{
	size_t end = rp->n;

	rp_ws(rp);
	while (end > rp->pos && (rp->s[end - 1] == ' ' || rp->s[end - 1] == '\t'))
		end--;
	if (end == rp->pos)
		return rp_fail(rp, "expected a name after 'name'");
	if (end - rp->pos > 200)
		return rp_fail(rp, "name longer than 200 bytes");
	free(rp->cur->name);
	rp->cur->name = rp_dup(rp->s + rp->pos, end - rp->pos);
	rp->pos = rp->n;
	return rp->cur->name ? 0 : -ENOMEM;
}

static int kw_tag(struct rp *rp)
{
	struct rules_rule *ru = rp->cur;
	const char *w;
	size_t wl;
	char shown[48];
	int ret = rp_word(rp, &w, &wl, "a tag");

	for (; !ret; ret = rp_eol(rp) ? 1 : rp_word(rp, &w, &wl, "a tag")) {
		bool dup = false;

		if (!rp_valid_name(w, wl, RECORD_TAG_LEN, true))
			return rp_fail(rp, "bad tag '%s' (lower case [a-z0-9._:-], under %d bytes)",
				       rp_show(w, wl, shown), RECORD_TAG_LEN);
		for (size_t i = 0; i < ru->ntags; i++)
			dup |= strlen(ru->tags[i]) == wl && !memcmp(ru->tags[i], w, wl);
		if (dup)
			continue;
		if (ru->ntags >= RULES_MAX_TAGS)
			return rp_fail(rp, "more than %d tags in one rule", RULES_MAX_TAGS);
		if (!(ru->tags[ru->ntags] = rp_dup(w, wl)))
			return -ENOMEM;
		ru->ntags++;
	}
	return ret < 0 ? ret : 0;
}

static int kw_ref(struct rp *rp)
{
	struct rules_rule *ru = rp->cur;
	const char *w;
	size_t wl;
	int ret = rp_word(rp, &w, &wl, "a reference");

	for (; !ret; ret = rp_eol(rp) ? 1 : rp_word(rp, &w, &wl, "a reference")) {
		for (size_t i = 0; i < wl; i++)
			if ((unsigned char)w[i] < 0x21 || (unsigned char)w[i] > 0x7e)
				return rp_fail(rp, "reference with a non-printable byte");
		if (wl > 200)
			return rp_fail(rp, "reference longer than 200 bytes");
		if (ru->nrefs >= RULES_MAX_REFS)
			return rp_fail(rp, "more than %d references in one rule", RULES_MAX_REFS);
		if (!(ru->refs[ru->nrefs] = rp_dup(w, wl)))
			return -ENOMEM;
		ru->nrefs++;
	}
	return ret < 0 ? ret : 0;
}

static int kw_proto(struct rp *rp)
{
	const char *w;
	size_t wl;
	char shown[48];
	int ret = rp_word(rp, &w, &wl, "tcp, udp or any");

	if (ret)
		return ret;
	if (rp_is(w, wl, "tcp"))
		rp->cur->proto = IPPROTO_TCP;
	else if (rp_is(w, wl, "udp"))
		rp->cur->proto = IPPROTO_UDP;
	else if (rp_is(w, wl, "any"))
		rp->cur->proto = 0;
	else
		return rp_fail(rp, "unknown proto '%s' (tcp, udp or any)", rp_show(w, wl, shown));
	return 0;
}

/* One port number: 0..65535, digits only. */
static int rp_port_num(const char *s, size_t n, uint16_t *v)
{
	unsigned long x = 0;

	if (!n || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	if (x > 65535)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

/* "80", "8000-8999"; items separated by commas and/or blanks. */
static int rp_port_item(struct rp *rp, const char *s, size_t n)
{
	struct rules_rule *ru = rp->cur;
	const char *dash = memchr(s, '-', n);
	struct rules_port p;
	char shown[48];

	if (!n)
		return 0;
	if (dash ? rp_port_num(s, (size_t)(dash - s), &p.lo) ||
		       rp_port_num(dash + 1, n - (size_t)(dash - s) - 1, &p.hi) || p.lo > p.hi
		 : rp_port_num(s, n, &p.lo))
		return rp_fail(rp, "bad port '%s' (N or N-M, 0..65535)", rp_show(s, n, shown));
	if (!dash)
		p.hi = p.lo;
	if (ru->nports >= RULES_MAX_PORTS)
		return rp_fail(rp, "more than %d port ranges in one rule", RULES_MAX_PORTS);
	ru->ports[ru->nports++] = p;
	return 0;
}

static int kw_port(struct rp *rp)
{
	const char *w;
	size_t wl;
	int ret = rp_word(rp, &w, &wl, "a port list");

	if (!ret && rp_is(w, wl, "any")) {
		rp->cur->nports = 0;
		return rp_eol(rp) ? 0 : rp_fail(rp, "'any' stands alone after 'port'");
	}
	for (; !ret; ret = rp_eol(rp) ? 1 : rp_word(rp, &w, &wl, "a port")) {
		const char *comma;

		while ((comma = memchr(w, ',', wl))) {
			if ((ret = rp_port_item(rp, w, (size_t)(comma - w))))
				return ret;
			wl -= (size_t)(comma - w) + 1;
			w = comma + 1;
		}
		if ((ret = rp_port_item(rp, w, wl)))
			return ret;
	}
	return ret < 0 ? ret : 0;
}

static int kw_service(struct rp *rp)
{
	const char *w;
	size_t wl;
	char shown[48];
	int ret = rp_word(rp, &w, &wl, "a service name or any");

	if (ret)
		return ret;
	free(rp->cur->service);
	rp->cur->service = NULL;
	if (rp_is(w, wl, "any"))
		return 0;
	if (!rp_valid_name(w, wl, sizeof(((struct record *)0)->service), false))
		return rp_fail(rp, "bad service name '%s'", rp_show(w, wl, shown));
	rp->cur->service = rp_dup(w, wl);
	return rp->cur->service ? 0 : -ENOMEM;
}

static int kw_dir(struct rp *rp)
{
	const char *w;
	size_t wl;
	char shown[48];
	int ret = rp_word(rp, &w, &wl, "client or server");

	if (ret)
		return ret;
	if (rp_is(w, wl, "client"))
		rp->cur->dir = 0;
	else if (rp_is(w, wl, "server"))
		rp->cur->dir = 1;
	else
		return rp_fail(rp, "unknown dir '%s' (client or server)", rp_show(w, wl, shown));
	return 0;
}

static int rp_new_cond(struct rp *rp, struct rules_cond **c)
{
	struct rules_rule *ru = rp->cur;

	if (ru->nconds >= RULES_MAX_CONDS)
		return rp_fail(rp, "more than %d conditions in one rule", RULES_MAX_CONDS);
	*c = &ru->conds[ru->nconds++];
	memset(*c, 0, sizeof(**c));
	(*c)->line = rp->line;
	return 0;
}

/* Optional trailing "nocase", then the end of the line. */
static int rp_tail(struct rp *rp, struct rules_cond *c)
{
	const char *w;
	size_t wl;
	char shown[48];

	if (rp_eol(rp))
		return 0;
	rp_word(rp, &w, &wl, "nocase");
	if (!rp_is(w, wl, "nocase"))
		return rp_fail(rp, "unexpected '%s' (only 'nocase' may follow the value)",
			       rp_show(w, wl, shown));
	c->nocase = true;
	if (c->re)
		return rp_fail(rp, "use the i flag (/re/i) rather than nocase after a regex");
	return rp_eol(rp) ? 0 : rp_fail(rp, "unexpected text after 'nocase'");
}

/* A "string", or a bare word for plain values (match service is http). */
static int rp_literal(struct rp *rp, struct rules_cond *c, struct buf *tmp)
{
	const char *w;
	size_t wl;
	int ret;

	rp_ws(rp);
	if (rp->pos < rp->n && rp->s[rp->pos] == '"') {
		ret = rp_string(rp, tmp);
	} else {
		buf_reset(tmp);
		ret = rp_word(rp, &w, &wl, "a \"string\"");
		if (!ret && (memchr(w, '"', wl) || w[0] == '/'))
			return rp_fail(rp, "expected a \"string\"");
		if (!ret)
			ret = buf_append(tmp, w, wl);
	}
	return ret ? ret : rp_take(c, tmp);
}

/* content "..." / regex /.../ on the rule's current dir. */
static int kw_bytes(struct rp *rp, bool regex)
{
	struct rules_cond *c = NULL;
	struct buf tmp = {0};
	uint32_t opts;
	int f, ret;

	f = rules_field_get(rp->rs, rp->cur->dir ? "server" : "payload", rp->cur->dir ? 6 : 7);
	ret = f < 0 ? f : rp_new_cond(rp, &c);
	if (ret)
		goto out;
	c->field = (unsigned)f;
	if (regex) {
		c->op = RO_REGEX;
		ret = rp_regex(rp, &tmp, &opts);
		if (!ret)
			ret = rp_compile_regex(rp, c, &tmp, opts);
	} else {
		c->op = RO_CONTAINS;
		ret = rp_string(rp, &tmp);
		if (!ret)
			ret = rp_take(c, &tmp);
	}
	if (!ret)
		ret = rp_tail(rp, c);
out:
	buf_free(&tmp);
	return ret;
}

static int kw_content(struct rp *rp)
{
	return kw_bytes(rp, false);
}

static int kw_regex(struct rp *rp)
{
	return kw_bytes(rp, true);
}

struct rp_op {
	const char *name;
	enum rules_op op;
};

static const struct rp_op rp_ops[] = {
    {"contains", RO_CONTAINS}, {"is", RO_IS},	    {"startswith", RO_STARTS},
    {"endswith", RO_ENDS},     {"regex", RO_REGEX}, {"exists", RO_EXISTS},
};

static int rp_field(struct rp *rp, struct rules_cond *c)
{
	const char *w;
	size_t wl;
	char shown[48];
	int f = rp_word(rp, &w, &wl, "a field name");

	if (f)
		return f;
	f = rules_field_get(rp->rs, w, wl);
	if (f == -EINVAL)
		return rp_fail(rp, "unknown field '%s' (see share/rules/README)",
			       rp_show(w, wl, shown));
	if (f < 0)
		return f;
	c->field = (unsigned)f;
	return 0;
}

static int rp_op(struct rp *rp, struct rules_cond *c)
{
	const char *w;
	size_t wl;
	char shown[48];
	int ret =
	    rp_word(rp, &w, &wl, "an operator (contains, is, startswith, endswith, regex, exists)");

	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(rp_ops) / sizeof(rp_ops[0]); i++) {
		if (rp_is(w, wl, rp_ops[i].name)) {
			c->op = rp_ops[i].op;
			return 0;
		}
	}
	return rp_fail(rp,
		       "unknown operator '%s' (contains, is, startswith, endswith, regex, exists)",
		       rp_show(w, wl, shown));
}

/* match [not] FIELD OP [VALUE] [nocase] */
static int kw_match(struct rp *rp)
{
	struct rules_cond *c = NULL;
	struct buf tmp = {0};
	uint32_t opts;
	size_t save;
	const char *w;
	size_t wl;
	int ret = rp_new_cond(rp, &c);

	if (ret)
		goto out;
	save = rp->pos;
	if (!rp_word(rp, &w, &wl, "a field name") && rp_is(w, wl, "not"))
		c->neg = true;
	else
		rp->pos = save;
	ret = rp_field(rp, c);
	if (!ret)
		ret = rp_op(rp, c);
	if (ret || c->op == RO_EXISTS)
		goto tail;
	if (c->op == RO_REGEX) {
		ret = rp_regex(rp, &tmp, &opts);
		if (!ret)
			ret = rp_compile_regex(rp, c, &tmp, opts);
	} else {
		ret = rp_literal(rp, c, &tmp);
	}
tail:
	if (!ret)
		ret = rp_tail(rp, c);
out:
	buf_free(&tmp);
	return ret;
}

/* The prefilter: the longest positive literal on bytes the automaton sees
 * verbatim (payload, server, http.*).  -1 if the rule has none. */
static int rp_anchor(const struct rules *rs, const struct rules_rule *ru)
{
	int best = -1;

	for (size_t i = 0; i < ru->nconds; i++) {
		const struct rules_cond *c = &ru->conds[i];

		if (c->neg || !c->lit || c->op == RO_REGEX || !rs->fields[c->field].raw)
			continue;
		if (best < 0 || c->litlen > ru->conds[best].litlen)
			best = (int)i;
	}
	return best;
}

/* Checks the finished rule at rp->cur; its messages name the rule's line. */
static int rp_finish(struct rp *rp)
{
	struct rules_rule *ru = rp->cur;
	unsigned line = rp->line;
	int ret = 0;

	if (!ru)
		return 0;
	rp->line = ru->line;
	if (!ru->nconds) {
		ret = rp_fail(rp, "rule '%s' has no condition (content, regex or match)", ru->id);
		goto out;
	}
	if (!ru->ntags) {
		ru->tags[0] = strdup(ru->id);
		if (!ru->tags[0]) {
			ret = -ENOMEM;
			goto out;
		}
		ru->ntags = 1;
	}
	ru->anchor = rp_anchor(rp->rs, ru);
	for (size_t i = 0; ru->anchor < 0 && i < ru->nconds; i++)
		if (ru->conds[i].op == RO_REGEX) {
			ret = rp_fail(
			    rp,
			    "rule '%s': a regex needs a literal to prefilter it in the same "
			    "rule (content, or match payload/server/http.* contains, is, "
			    "startswith or endswith)",
			    ru->id);
			goto out;
		}
out:
	rp->line = line;
	rp->cur = NULL;
	return ret;
}

void rules_rule_clear(struct rules_rule *ru)
{
	free(ru->name);
	free(ru->service);
	for (size_t i = 0; i < ru->ntags; i++)
		free(ru->tags[i]);
	for (size_t i = 0; i < ru->nrefs; i++)
		free(ru->refs[i]);
	for (size_t i = 0; i < ru->nconds; i++) {
		free(ru->conds[i].lit);
		if (!ru->conds[i].re_shared)
			pcre2_code_free(ru->conds[i].re);
	}
	memset(ru, 0, sizeof(*ru));
}

static int kw_rule(struct rp *rp)
{
	struct rules *rs = rp->rs;
	struct rules_rule *ru;
	const char *w;
	size_t wl;
	char shown[48];
	int ret = rp_finish(rp);

	if (ret || (ret = rp_word(rp, &w, &wl, "a rule id after 'rule'")))
		return ret;
	if (!rp_valid_name(w, wl, RULES_ID_MAX, false))
		return rp_fail(rp, "bad rule id '%s' (lower case [a-z0-9._-], under %d bytes)",
			       rp_show(w, wl, shown), RULES_ID_MAX);
	if (!rp_eol(rp))
		return rp_fail(rp, "unexpected text after the rule id");
	if (rs->n >= RULES_MAX_RULES)
		return rp_fail(rp, "more than %d rules", RULES_MAX_RULES);
	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 64;
		struct rules_rule *nv = realloc(rs->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		rs->v = nv;
		rs->cap = ncap;
	}
	ru = &rs->v[rs->n++];
	memset(ru, 0, sizeof(*ru));
	memcpy(ru->id, w, wl);
	ru->file = rp->file;
	ru->line = rp->line;
	ru->anchor = -1;
	rp->cur = ru;
	return 0;
}

struct rp_kw {
	const char *name;
	int (*fn)(struct rp *rp);
};

static const struct rp_kw rp_kws[] = {
    {"rule", kw_rule},	 {"name", kw_name},	  {"tag", kw_tag},     {"tags", kw_tag},
    {"ref", kw_ref},	 {"refs", kw_ref},	  {"proto", kw_proto}, {"port", kw_port},
    {"ports", kw_port},	 {"service", kw_service}, {"dir", kw_dir},     {"content", kw_content},
    {"regex", kw_regex}, {"match", kw_match},
};

static int rp_line(struct rp *rp)
{
	const char *w;
	size_t wl;
	char shown[48];

	if (rp_eol(rp))
		return 0;
	rp_word(rp, &w, &wl, "a keyword");
	for (size_t i = 0; i < sizeof(rp_kws) / sizeof(rp_kws[0]); i++) {
		int ret;

		if (!rp_is(w, wl, rp_kws[i].name))
			continue;
		if (rp_kws[i].fn != kw_rule && (ret = rp_need_rule(rp, rp_kws[i].name)))
			return ret;
		ret = rp_kws[i].fn(rp);
		if (!ret && !rp_eol(rp))
			ret = rp_fail(rp, "unexpected text after '%s'", rp_kws[i].name);
		return ret;
	}
	return rp_fail(rp,
		       "unknown keyword '%s' (rule, name, tag, ref, proto, port, service, dir, "
		       "content, regex, match)",
		       rp_show(w, wl, shown));
}

static int rp_add_file(struct rp *rp)
{
	struct rules *rs = rp->rs;
	char **nv = realloc(rs->files, (rs->nfiles + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	rs->files = nv;
	rp->file = strdup(rp->name);
	if (!rp->file)
		return -ENOMEM;
	rs->files[rs->nfiles++] = rp->file;
	return 0;
}

int rules_parse(struct rules *rs, const char *name, const char *text, size_t len, char *err,
		size_t errlen)
{
	struct rp rp = {.rs = rs, .name = name, .err = err, .errlen = errlen};
	size_t off = 0;
	int ret = rp_add_file(&rp);

	while (!ret && off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len;

		rp.line++;
		rp.s = text + off;
		rp.n = end - off;
		rp.pos = 0;
		off = nl ? end + 1 : len;
		if (rp.n && rp.s[rp.n - 1] == '\r')
			rp.n--;
		if (rp.n > RULES_MAX_LINE)
			ret = rp_fail(&rp, "line longer than %d bytes", RULES_MAX_LINE);
		else if (memchr(rp.s, 0, rp.n))
			ret = rp_fail(&rp, "NUL byte in a rule file");
		else
			ret = rp_line(&rp);
	}
	if (!ret)
		ret = rp_finish(&rp);
	if (ret == -ENOMEM && errlen)
		snprintf(err, errlen, "%s: out of memory", name);
	return ret;
}
