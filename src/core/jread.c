/* Bounded JSON reader; see jread.h for why it exists and how tokens look. */
#include "core/jread.h"

#include <errno.h>
#include <string.h>

struct jr_p {
	const char *s;
	size_t len, pos;
	struct jr_tok *t;
	uint32_t cap, nt;
	uint32_t stack[JR_MAX_DEPTH];
	unsigned depth;
};

static void ws(struct jr_p *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int peek(const struct jr_p *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int add(struct jr_p *p, enum jr_type type, size_t start, size_t end)
{
	struct jr_tok *t;

	if (p->nt == p->cap)
		return -E2BIG;
	t = &p->t[p->nt];
	t->type = (uint8_t)type;
	t->start = (uint32_t)start;
	t->end = (uint32_t)end;
	t->n = 0;
	t->next = p->nt + 1;
	if (p->depth)
		p->t[p->stack[p->depth - 1]].n++;
	return (int)p->nt++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int scan_string(struct jr_p *p)
{
	size_t start = ++p->pos;

	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (++p->pos >= p->len)
				return -EINVAL;
			c = (unsigned char)p->s[p->pos];
			if (c == 'u') {
				for (int k = 1; k <= 4; k++)
					if (p->pos + k >= p->len || hexval(p->s[p->pos + k]) < 0)
						return -EINVAL;
				p->pos += 4;
			} else if (!strchr("\"\\/bfnrt", c)) {
				return -EINVAL;
			}
		}
		p->pos++;
	}
	if (p->pos >= p->len)
		return -EINVAL;
	p->pos++;
	return add(p, JR_STR, start, p->pos - 1);
}

static size_t digits(struct jr_p *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++, n++;
	return n;
}

static int scan_number(struct jr_p *p)
{
	size_t start = p->pos;

	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else if (!digits(p))
		return -EINVAL;
	if (peek(p) == '.') {
		p->pos++;
		if (!digits(p))
			return -EINVAL;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!digits(p))
			return -EINVAL;
	}
	return add(p, JR_NUM, start, p->pos);
}

static int scan_literal(struct jr_p *p, const char *word, enum jr_type type)
{
	size_t n = strlen(word), start = p->pos;

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return -EINVAL;
	p->pos += n;
	return add(p, type, start, p->pos);
}

/* Closes the innermost container if c is its closing bracket. */
static int close_top(struct jr_p *p, int c)
{
	uint32_t top = p->stack[p->depth - 1];

	if (c != (p->t[top].type == JR_OBJ ? '}' : ']'))
		return -EINVAL;
	p->pos++;
	p->t[top].end = (uint32_t)p->pos;
	p->t[top].next = p->nt;
	p->depth--;
	return 0;
}

/* One value; a container is opened (and closed at once if empty).
 * Returns 1 if a non-empty container was opened. */
static int scan_value(struct jr_p *p)
{
	int c = peek(p), ret;

	if (c == '{' || c == '[') {
		if (p->depth == JR_MAX_DEPTH)
			return -E2BIG;
		ret = add(p, c == '{' ? JR_OBJ : JR_ARR, p->pos, p->pos);
		if (ret < 0)
			return ret;
		p->stack[p->depth++] = (uint32_t)ret;
		p->pos++;
		ws(p);
		if (peek(p) == (c == '{' ? '}' : ']'))
			return close_top(p, peek(p));
		return 1;
	}
	if (c == '"')
		ret = scan_string(p);
	else if (c == '-' || (c >= '0' && c <= '9'))
		ret = scan_number(p);
	else if (c == 't')
		ret = scan_literal(p, "true", JR_TRUE);
	else if (c == 'f')
		ret = scan_literal(p, "false", JR_FALSE);
	else if (c == 'n')
		ret = scan_literal(p, "null", JR_NULL);
	else
		ret = -EINVAL;
	return ret < 0 ? ret : 0;
}

/* In an object, a key and its colon come before each value. */
static int scan_key(struct jr_p *p)
{
	int ret;

	if (peek(p) != '"')
		return -EINVAL;
	ret = scan_string(p);
	if (ret < 0)
		return ret;
	ws(p);
	if (peek(p) != ':')
		return -EINVAL;
	p->pos++;
	ws(p);
	return 0;
}

static int in_object(const struct jr_p *p)
{
	return p->depth && p->t[p->stack[p->depth - 1]].type == JR_OBJ;
}

int jr_parse(struct jr_doc *d, const char *s, size_t len, struct jr_tok *toks, uint32_t cap,
	     size_t *used)
{
	struct jr_p p = {.s = s, .len = len, .t = toks, .cap = cap};
	int ret;

	if (len >= UINT32_MAX)
		return -E2BIG;
	ws(&p);
	if (p.pos == len)
		return -ENODATA;
	ret = scan_value(&p);
	while (ret >= 0 && p.depth) {
		if (ret == 0) {
			/* After a whole value: a comma or the closing bracket. */
			ws(&p);
			if (peek(&p) != ',') {
				ret = close_top(&p, peek(&p));
				continue;
			}
			p.pos++;
			ws(&p);
		}
		/* ret is 0 after a comma or 1 in a new container: a member. */
		if (in_object(&p) && (ret = scan_key(&p)))
			break;
		ret = scan_value(&p);
	}
	if (ret < 0)
		return ret;
	ws(&p);
	d->s = s;
	d->t = toks;
	d->nt = p.nt;
	if (used)
		*used = p.pos;
	return 0;
}

int jr_get(const struct jr_doc *d, int obj, const char *key)
{
	uint32_t i;

	if (obj < 0 || (uint32_t)obj >= d->nt || d->t[obj].type != JR_OBJ)
		return -1;
	i = (uint32_t)obj + 1;
	for (uint32_t k = 0; k < d->t[obj].n && i + 1 < d->nt; k += 2) {
		if (jr_eq(d, (int)i, key))
			return (int)i + 1;
		i = d->t[i + 1].next;
	}
	return -1;
}

int jr_at(const struct jr_doc *d, int arr, uint32_t idx)
{
	uint32_t i;

	if (arr < 0 || (uint32_t)arr >= d->nt || d->t[arr].type != JR_ARR || idx >= d->t[arr].n)
		return -1;
	i = (uint32_t)arr + 1;
	while (idx--)
		i = d->t[i].next;
	return (int)i;
}

uint32_t jr_len(const struct jr_doc *d, int idx)
{
	if (idx < 0 || (uint32_t)idx >= d->nt || d->t[idx].type != JR_ARR)
		return 0;
	return d->t[idx].n;
}

static uint32_t hex4(const char *s)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++)
		v = v << 4 | (uint32_t)hexval(s[k]);
	return v;
}

static size_t put_utf8(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the escape at s[*i] (just after the backslash; the scanner has
 * checked its syntax) into o; returns the bytes written. */
static size_t unescape_one(const char *s, uint32_t end, uint32_t *i, char *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	uint32_t cp;
	char c = s[*i];

	if (c != 'u') {
		(*i)++;
		o[0] = to[strchr(from, c) - from];
		return 1;
	}
	cp = hex4(s + *i + 1);
	*i += 5;
	if (cp >= 0xd800 && cp <= 0xdbff && *i + 6 <= end && s[*i] == '\\' && s[*i + 1] == 'u') {
		uint32_t lo = hex4(s + *i + 2);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			*i += 6;
			return put_utf8(0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00), o);
		}
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd; /* a lone surrogate */
	return put_utf8(cp, o);
}

/* Calls emit for each decoded piece; stops at its first error. */
static int unescape(const struct jr_doc *d, int idx, int (*emit)(void *, const char *, size_t),
		    void *user)
{
	const struct jr_tok *t;
	char tmp[4];
	int ret = 0;

	if (idx < 0 || (uint32_t)idx >= d->nt || d->t[idx].type != JR_STR)
		return -EINVAL;
	t = &d->t[idx];
	for (uint32_t i = t->start; i < t->end && !ret;) {
		uint32_t j = i;
		while (j < t->end && d->s[j] != '\\')
			j++;
		if (j > i)
			ret = emit(user, d->s + i, j - i);
		i = j;
		if (i < t->end && !ret) {
			i++;
			size_t n = unescape_one(d->s, t->end, &i, tmp);
			ret = emit(user, tmp, n);
		}
	}
	return ret;
}

struct fixed_out {
	char *p;
	size_t len, cap;
};

static int emit_fixed(void *user, const char *s, size_t n)
{
	struct fixed_out *o = user;

	if (memchr(s, 0, n))
		return -EINVAL;
	if (o->len + n >= o->cap)
		return -ENOSPC;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	return 0;
}

int jr_str(const struct jr_doc *d, int idx, char *out, size_t outlen)
{
	struct fixed_out o = {out, 0, outlen};
	int ret;

	if (!outlen)
		return -ENOSPC;
	ret = unescape(d, idx, emit_fixed, &o);
	out[ret ? 0 : o.len] = 0;
	return ret;
}

static int emit_buf(void *user, const char *s, size_t n)
{
	if (memchr(s, 0, n))
		return -EINVAL;
	return buf_append(user, s, n);
}

int jr_str_buf(const struct jr_doc *d, int idx, struct buf *out)
{
	return unescape(d, idx, emit_buf, out);
}

int jr_u64(const struct jr_doc *d, int idx, uint64_t *out)
{
	const struct jr_tok *t;
	uint64_t v = 0;

	if (idx < 0 || (uint32_t)idx >= d->nt)
		return -EINVAL;
	t = &d->t[idx];
	if ((t->type != JR_NUM && t->type != JR_STR) || t->end == t->start || t->end - t->start > 19)
		return -EINVAL;
	for (uint32_t i = t->start; i < t->end; i++) {
		if (d->s[i] < '0' || d->s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(d->s[i] - '0');
	}
	*out = v;
	return 0;
}

int jr_eq(const struct jr_doc *d, int idx, const char *s)
{
	char tmp[256];

	if (strlen(s) >= sizeof(tmp) || jr_str(d, idx, tmp, strlen(s) + 2))
		return 0;
	return !strcmp(tmp, s);
}
