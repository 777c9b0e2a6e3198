/* JSON writer.  Hand-written because the job is small and the one thing that
 * matters, turning hostile bytes into valid UTF-8 JSON, is exactly what general
 * JSON libraries do not promise (most assume their input is already UTF-8). */
#include "core/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const uint8_t json_fffd[3] = {0xef, 0xbf, 0xbd};

/* Decodes one UTF-8 sequence at p (n > 0 bytes available).  Returns its
 * length (1-4) and sets *cp when well-formed; otherwise returns minus the
 * length of the maximal subpart to replace (at least 1).  The byte ranges are
 * those of Unicode Table 3-7, which exclude overlongs, surrogates and values
 * above U+10FFFF. */
static int json_utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	uint32_t v;
	size_t need, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2 || c > 0xf4)
		return -1;
	if (c < 0xe0) {
		need = 1;
		v = c & 0x1f;
	} else if (c < 0xf0) {
		need = 2;
		v = c & 0x0f;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else {
		need = 3;
		v = c & 0x07;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi)
			return -(int)i;
		v = (v << 6) | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return (int)need + 1;
}

/* Code points written as \uXXXX even though JSON would allow them raw:
 * terminal controls (C0, DEL, C1) and the JavaScript line terminators. */
static int json_must_escape(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

static int json_put_escape(struct buf *b, uint32_t cp)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = {
	    '\\',	 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
	    hex[cp & 15]};

	if (cp == '"' || cp == '\\') {
		e[1] = (char)cp;
		return buf_append(b, e, 2);
	}
	return buf_append(b, e, sizeof(e));
}

/* Length of the run of bytes that need no escaping at all. */
static size_t json_plain_run(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
}

static int json_put_one(struct buf *b, const uint8_t *p, size_t n, size_t *used)
{
	uint32_t cp = 0;
	int k = json_utf8_next(p, n, &cp);

	if (k < 0) {
		*used = (size_t)-k;
		return buf_append(b, json_fffd, sizeof(json_fffd));
	}
	*used = (size_t)k;
	if (json_must_escape(cp) || cp == '"' || cp == '\\')
		return json_put_escape(b, cp);
	return buf_append(b, p, (size_t)k);
}

int json_str(struct buf *b, const uint8_t *p, size_t len)
{
	size_t i = 0, run, used;
	int ret;

	/* Room for the common case (mostly plain text) in one allocation. */
	ret = buf_reserve(b, len + 2);
	if (ret)
		return ret;
	ret = buf_putc(b, '"');
	while (!ret && i < len) {
		run = json_plain_run(p + i, len - i);
		if (run) {
			ret = buf_append(b, p + i, run);
			i += run;
			continue;
		}
		ret = json_put_one(b, p + i, len - i, &used);
		i += used;
	}
	return ret ? ret : buf_putc(b, '"');
}

int json_cstr(struct buf *b, const char *s)
{
	return json_str(b, (const uint8_t *)s, strlen(s));
}

void json_init(struct json *j, struct buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

int json_finish(const struct json *j)
{
	if (j->err)
		return j->err;
	return j->depth || j->after_key ? -EINVAL : 0;
}

static void json_set(struct json *j, int ret)
{
	if (ret && !j->err)
		j->err = ret;
}

/* Prepares for a value (or a key, in an object): writes the separating comma
 * when the current container already has a member.  False on error. */
static bool json_sep(struct json *j)
{
	uint64_t bit = j->depth ? 1ull << (j->depth - 1) : 0;

	if (j->err)
		return false;
	if (j->after_key) {
		j->after_key = false;
		return true;
	}
	if (bit & j->has_items)
		json_set(j, buf_putc(j->b, ','));
	j->has_items |= bit;
	return !j->err;
}

static void json_open(struct json *j, char c)
{
	if (!json_sep(j))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		json_set(j, -E2BIG);
		return;
	}
	j->depth++;
	j->has_items &= ~(1ull << (j->depth - 1));
	json_set(j, buf_putc(j->b, c));
}

static void json_close(struct json *j, char c)
{
	if (j->err)
		return;
	if (!j->depth || j->after_key) {
		json_set(j, -EINVAL);
		return;
	}
	j->depth--;
	json_set(j, buf_putc(j->b, c));
}

void json_obj_begin(struct json *j)
{
	json_open(j, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_arr_begin(struct json *j)
{
	json_open(j, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_key(struct json *j, const char *key)
{
	if (j->after_key) {
		json_set(j, -EINVAL);
		return;
	}
	if (!json_sep(j))
		return;
	json_set(j, json_cstr(j->b, key));
	json_set(j, buf_putc(j->b, ':'));
	j->after_key = true;
}

void json_val_str(struct json *j, const uint8_t *p, size_t len)
{
	if (json_sep(j))
		json_set(j, json_str(j->b, p, len));
}

void json_val_cstr(struct json *j, const char *s)
{
	json_val_str(j, (const uint8_t *)s, strlen(s));
}

void json_val_u64(struct json *j, uint64_t v)
{
	if (json_sep(j))
		json_set(j, buf_printf(j->b, "%" PRIu64, v));
}

void json_val_i64(struct json *j, int64_t v)
{
	if (json_sep(j))
		json_set(j, buf_printf(j->b, "%" PRId64, v));
}

void json_val_double(struct json *j, double v)
{
	size_t start, i;

	if (!isfinite(v)) {
		json_val_null(j);
		return;
	}
	if (!json_sep(j))
		return;
	start = j->b->len;
	json_set(j, buf_printf(j->b, "%.6f", v));
	/* printf follows LC_NUMERIC; should anyone call setlocale(), a decimal
	 * comma would break the JSON, so force the point back. */
	for (i = start; !j->err && i < j->b->len; i++)
		if (j->b->p[i] == ',')
			j->b->p[i] = '.';
}

void json_val_bool(struct json *j, bool v)
{
	if (json_sep(j))
		json_set(j, buf_puts(j->b, v ? "true" : "false"));
}

void json_val_null(struct json *j)
{
	if (json_sep(j))
		json_set(j, buf_puts(j->b, "null"));
}

void json_val_raw(struct json *j, const void *p, size_t n)
{
	if (json_sep(j))
		json_set(j, buf_append(j->b, p, n));
}

void json_raw(struct json *j, const void *p, size_t n)
{
	if (!j->err && n)
		json_set(j, buf_append(j->b, p, n));
}

void json_kstr(struct json *j, const char *key, const uint8_t *p, size_t len)
{
	json_key(j, key);
	json_val_str(j, p, len);
}

void json_kcstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_val_cstr(j, s);
}

void json_ku64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_val_u64(j, v);
}

void json_kdouble(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_val_double(j, v);
}

void json_kbool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_val_bool(j, v);
}
