/* libFuzzer harness for json_str (and the base64 round trip): whatever the
 * input bytes, the output must be one JSON string token that is valid UTF-8
 * with no raw control characters, and, when the input was valid UTF-8,
 * unescaping it must give the input back exactly. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "core/json.h"

/* Strict UTF-8 (RFC 3629): no overlongs, surrogates or values > U+10FFFF. */
static bool fz_valid_utf8(const uint8_t *p, size_t n)
{
	size_t i = 0, len, k;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0)
			len = 2, cp = p[i] & 0x1f;
		else if ((p[i] & 0xf0) == 0xe0)
			len = 3, cp = p[i] & 0x0f;
		else if ((p[i] & 0xf8) == 0xf0)
			len = 4, cp = p[i] & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int fz_hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t fz_put_utf8(uint32_t cp, uint8_t *o)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	o[0] = (uint8_t)(0xe0 | cp >> 12);
	o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	o[2] = (uint8_t)(0x80 | (cp & 0x3f));
	return 3;
}

/* Unescapes the JSON string token p[0..n) into o; aborts on any syntax error
 * or raw control character.  Returns the decoded length. */
static size_t fz_unescape(const uint8_t *p, size_t n, uint8_t *o)
{
	size_t i, m = 0;
	uint32_t cp;
	int k, h;

	if (n < 2 || p[0] != '"' || p[n - 1] != '"')
		abort();
	for (i = 1; i < n - 1; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '"')
			abort();
		if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			abort(); /* raw C1 control */
		if (p[i] != '\\') {
			o[m++] = p[i];
			continue;
		}
		if (++i >= n - 1)
			abort();
		if (p[i] == '"' || p[i] == '\\') {
			o[m++] = p[i];
			continue;
		}
		if (p[i] != 'u' || i + 4 >= n - 1)
			abort();
		for (cp = 0, k = 1; k <= 4; k++) {
			h = fz_hex(p[i + k]);
			if (h < 0)
				abort();
			cp = cp << 4 | (uint32_t)h;
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			abort(); /* we never escape surrogates */
		i += 4;
		m += fz_put_utf8(cp, o + m);
	}
	return m;
}

static void fz_b64_roundtrip(const uint8_t *data, size_t size)
{
	struct buf e = {0}, d = {0};

	if (b64_encode(&e, data, size) || e.len != b64_encoded_len(size))
		abort();
	if (b64_decode(&d, (const char *)e.p, e.len) || d.len != size ||
	    (size && memcmp(d.p, data, size)))
		abort();
	/* Decoding arbitrary text must fail cleanly or succeed; never crash. */
	buf_reset(&d);
	b64_decode(&d, (const char *)data, size);
	buf_free(&e);
	buf_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = {0};
	uint8_t *dec;
	size_t m;

	if (json_str(&b, data, size))
		abort();
	if (!fz_valid_utf8(b.p, b.len))
		abort();
	dec = malloc(b.len + 1);
	if (!dec)
		abort();
	m = fz_unescape(b.p, b.len, dec);
	if (fz_valid_utf8(data, size) && (m != size || (size && memcmp(dec, data, size))))
		abort();
	free(dec);
	buf_free(&b);
	fz_b64_roundtrip(data, size);
	return 0;
}
