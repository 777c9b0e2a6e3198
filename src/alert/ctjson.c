/* Bounded JSON reader: one recursive-descent pass (depth <= CTJSON_MAX_DEPTH)
 * into a flat node array.  See ctjson.h. */
#include "alert/ctjson.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ctjson_p {
	struct ctjson *d;
	const char *s;
	size_t n, i;
};

static void ctjson_ws(struct ctjson_p *p)
{
	while (p->i < p->n &&
	       (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static long ctjson_node_new(struct ctjson_p *p, uint8_t type)
{
	struct ctjson *d = p->d;

	if (d->max_nodes && d->count >= d->max_nodes)
		return -E2BIG;
	if (d->count == UINT32_MAX)
		return -E2BIG;
	if (d->count == d->cap) {
		uint32_t nc = d->cap ? (d->cap > UINT32_MAX / 2 ? UINT32_MAX : d->cap * 2) : 256;
		struct ctjson_node *nn = realloc(d->n, (size_t)nc * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		d->n = nn;
		d->cap = nc;
	}
	memset(&d->n[d->count], 0, sizeof(d->n[0]));
	d->n[d->count].type = type;
	d->n[d->count].start = (uint32_t)p->i;
	return d->count++;
}

static int ctjson_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string starting at the quote; node spans the inside. */
static int ctjson_string(struct ctjson_p *p, long *out)
{
	long k;

	p->i++; /* the quote */
	if ((k = ctjson_node_new(p, CTJSON_STR)) < 0)
		return (int)k;
	while (p->i < p->n) {
		unsigned char c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->d->n[k].len = (uint32_t)(p->i - p->d->n[k].start);
			p->i++;
			*out = k;
			return 0;
		}
		if (c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			p->d->n[k].escaped = 1;
			if (p->i + 1 >= p->n)
				return -EINVAL;
			c = (unsigned char)p->s[p->i + 1];
			if (c == 'u') {
				if (p->i + 6 > p->n)
					return -EINVAL;
				for (int j = 2; j < 6; j++)
					if (ctjson_hex(p->s[p->i + j]) < 0)
						return -EINVAL;
				p->i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || !c)
				return -EINVAL;
			p->i += 2;
			continue;
		}
		p->i++;
	}
	return -EINVAL;
}

static int ctjson_literal(struct ctjson_p *p, const char *word, uint8_t type, long *out)
{
	size_t l = strlen(word);
	long k;

	if (p->n - p->i < l || memcmp(p->s + p->i, word, l))
		return -EINVAL;
	if ((k = ctjson_node_new(p, type)) < 0)
		return (int)k;
	p->i += l;
	p->d->n[k].len = (uint32_t)l;
	*out = k;
	return 0;
}

static int ctjson_digits(struct ctjson_p *p)
{
	size_t s = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > s ? 0 : -EINVAL;
}

static int ctjson_number(struct ctjson_p *p, long *out)
{
	long k;
	int ret;

	if ((k = ctjson_node_new(p, CTJSON_NUM)) < 0)
		return (int)k;
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if ((ret = ctjson_digits(p)))
		return ret;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if ((ret = ctjson_digits(p)))
			return ret;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if ((ret = ctjson_digits(p)))
			return ret;
	}
	p->d->n[k].len = (uint32_t)(p->i - p->d->n[k].start);
	*out = k;
	return 0;
}

static int ctjson_value(struct ctjson_p *p, int depth, long *out);

/* Links child k after *last under parent. */
static void ctjson_link(struct ctjson *d, long parent, long *last, long k)
{
	if (*last < 0)
		d->n[parent].child = (uint32_t)k;
	else
		d->n[*last].next = (uint32_t)k;
	*last = k;
}

static int ctjson_container(struct ctjson_p *p, int depth, long *out)
{
	int obj = p->s[p->i] == '{', ret;
	char close = obj ? '}' : ']';
	long k, last = -1, c;

	if (depth >= CTJSON_MAX_DEPTH)
		return -E2BIG;
	if ((k = ctjson_node_new(p, obj ? CTJSON_OBJ : CTJSON_ARR)) < 0)
		return (int)k;
	p->i++;
	ctjson_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		*out = k;
		return 0;
	}
	for (;;) {
		ctjson_ws(p);
		if (obj) {
			if (p->i >= p->n || p->s[p->i] != '"')
				return -EINVAL;
			if ((ret = ctjson_string(p, &c)))
				return ret;
			ctjson_link(p->d, k, &last, c);
			ctjson_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return -EINVAL;
			p->i++;
		}
		if ((ret = ctjson_value(p, depth + 1, &c)))
			return ret;
		ctjson_link(p->d, k, &last, c);
		ctjson_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			p->d->n[k].len = (uint32_t)(p->i - p->d->n[k].start);
			*out = k;
			return 0;
		}
		return -EINVAL;
	}
}

static int ctjson_value(struct ctjson_p *p, int depth, long *out)
{
	ctjson_ws(p);
	if (p->i >= p->n)
		return -EINVAL;
	switch (p->s[p->i]) {
	case '{':
	case '[':
		return ctjson_container(p, depth, out);
	case '"':
		return ctjson_string(p, out);
	case 't':
		return ctjson_literal(p, "true", CTJSON_BOOL, out);
	case 'f':
		return ctjson_literal(p, "false", CTJSON_BOOL, out);
	case 'n':
		return ctjson_literal(p, "null", CTJSON_NULL, out);
	default:
		if (p->s[p->i] == '-' || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
			return ctjson_number(p, out);
		return -EINVAL;
	}
}

int ctjson_parse(struct ctjson *d, const char *text, size_t len, size_t *err_off)
{
	struct ctjson_p p = {.d = d, .s = text, .n = len};
	long root;
	int ret;

	d->text = text;
	d->count = 0;
	if (len > CTJSON_MAX_INPUT)
		return -E2BIG;
	ret = ctjson_value(&p, 0, &root);
	if (!ret) {
		ctjson_ws(&p);
		if (p.i != p.n)
			ret = -EINVAL;
	}
	if (ret && err_off)
		*err_off = p.i;
	return ret;
}

void ctjson_free(struct ctjson *d)
{
	free(d->n);
	d->n = NULL;
	d->count = d->cap = 0;
}

static int ctjson_ok(const struct ctjson *d, long i)
{
	return i >= 0 && (uint64_t)i < d->count;
}

/* Appends the UTF-8 of code point cp at out[*o] if it fits. */
static void ctjson_put_utf8(char *out, size_t cap, size_t *o, size_t *full, uint32_t cp)
{
	char t[4];
	size_t l;

	if (cp < 0x80)
		t[0] = (char)cp, l = 1;
	else if (cp < 0x800)
		t[0] = (char)(0xc0 | cp >> 6), t[1] = (char)(0x80 | (cp & 0x3f)), l = 2;
	else if (cp < 0x10000)
		t[0] = (char)(0xe0 | cp >> 12), t[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		t[2] = (char)(0x80 | (cp & 0x3f)), l = 3;
	else
		t[0] = (char)(0xf0 | cp >> 18), t[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), t[3] = (char)(0x80 | (cp & 0x3f)), l = 4;
	for (size_t k = 0; k < l; k++) {
		if (*o + 1 < cap)
			out[(*o)++] = t[k];
	}
	*full += l;
}

static uint32_t ctjson_u4(const char *s)
{
	return (uint32_t)(ctjson_hex(s[0]) << 12 | ctjson_hex(s[1]) << 8 | ctjson_hex(s[2]) << 4 |
			  ctjson_hex(s[3]));
}

/* Unescapes a validated string span. */
static size_t ctjson_unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0, full = 0;

	while (i < n) {
		uint32_t cp = (unsigned char)s[i];
		if (cp != '\\') {
			if (o + 1 < cap)
				out[o++] = s[i];
			full++, i++;
			continue;
		}
		char e = s[i + 1];
		i += 2;
		if (e == 'u') {
			cp = ctjson_u4(s + i);
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= n && s[i] == '\\' &&
			    s[i + 1] == 'u') {
				uint32_t lo = ctjson_u4(s + i + 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd; /* a lone surrogate */
			ctjson_put_utf8(out, cap, &o, &full, cp);
			continue;
		}
		cp = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r'
		   : e == 't' ? '\t' : (uint32_t)(unsigned char)e;
		ctjson_put_utf8(out, cap, &o, &full, cp);
	}
	if (cap)
		out[o] = 0;
	return full;
}

long ctjson_text(const struct ctjson *d, long i, char *out, size_t outlen)
{
	const struct ctjson_node *n;
	size_t l;

	if (outlen)
		out[0] = 0;
	if (!ctjson_ok(d, i))
		return -1;
	n = &d->n[i];
	if (n->type == CTJSON_NULL || n->type == CTJSON_ARR || n->type == CTJSON_OBJ)
		return -1;
	if (n->type == CTJSON_STR && n->escaped)
		return (long)ctjson_unescape(d->text + n->start, n->len, out, outlen);
	l = n->len;
	if (outlen) {
		size_t c = l < outlen - 1 ? l : outlen - 1;
		memcpy(out, d->text + n->start, c);
		out[c] = 0;
	}
	return (long)l;
}

long ctjson_get(const struct ctjson *d, long obj, const char *key)
{
	size_t kl = strlen(key);
	char tmp[256];

	if (!ctjson_ok(d, obj) || d->n[obj].type != CTJSON_OBJ || !d->n[obj].child)
		return -1;
	for (long k = d->n[obj].child; k; ) {
		const struct ctjson_node *kn = &d->n[k];
		long v = kn->next;
		if (!v)
			return -1;
		if (!kn->escaped) {
			if (kn->len == kl && !memcmp(d->text + kn->start, key, kl))
				return v;
		} else if (kl < sizeof(tmp) && ctjson_text(d, k, tmp, sizeof(tmp)) == (long)kl &&
			   !memcmp(tmp, key, kl)) {
			return v;
		}
		k = d->n[v].next;
	}
	return -1;
}

long ctjson_path(const struct ctjson *d, long obj, const char *path)
{
	char part[128];

	while (obj >= 0 && *path) {
		const char *dot = strchr(path, '.');
		size_t l = dot ? (size_t)(dot - path) : strlen(path);
		if (l >= sizeof(part))
			return -1;
		memcpy(part, path, l);
		part[l] = 0;
		obj = ctjson_get(d, obj, part);
		path += l + (dot ? 1 : 0);
	}
	return obj;
}

long ctjson_first(const struct ctjson *d, long arr)
{
	if (!ctjson_ok(d, arr) || d->n[arr].type != CTJSON_ARR || !d->n[arr].child)
		return -1;
	return d->n[arr].child;
}

long ctjson_next(const struct ctjson *d, long i)
{
	if (!ctjson_ok(d, i) || !d->n[i].next)
		return -1;
	return d->n[i].next;
}

double ctjson_num(const struct ctjson *d, long i)
{
	char t[64];

	if (ctjson_text(d, i, t, sizeof(t)) < 0)
		return 0;
	return strtod(t, NULL);
}
