/* Base64 by hand: libcrypto's EVP_EncodeBlock/EVP_DecodeBlock take int
 * lengths, and the decoder skips whitespace, returns padding as zero bytes and
 * accepts non-canonical input; a strict codec is shorter than the glue. */
#include "core/b64.h"

#include <errno.h>
#include <stdint.h>

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t b64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);

	return groups > SIZE_MAX / 4 - 1 ? 0 : groups * 4;
}

int b64_encode(struct buf *out, const uint8_t *p, size_t n)
{
	size_t need = b64_encoded_len(n), i;
	char *o;
	uint32_t v;
	int ret;

	if (!need)
		return n ? -ENOMEM : 0;
	ret = buf_reserve(out, need);
	if (ret)
		return ret;
	o = (char *)out->p + out->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64_alpha[v >> 18];
		*o++ = b64_alpha[(v >> 12) & 63];
		*o++ = b64_alpha[(v >> 6) & 63];
		*o++ = b64_alpha[v & 63];
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = b64_alpha[v >> 18];
		*o++ = b64_alpha[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64_alpha[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	out->len += need;
	return 0;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes one 4-character group into o; returns bytes written (1-3) or -1.
 * Padding is legal only in the last group (last says whether this is it). */
static int b64_group(const char *s, int last, uint8_t *o)
{
	int v[4], pad = 0, k;

	for (k = 0; k < 4; k++) {
		v[k] = b64_val(s[k]);
		if (v[k] >= 0 && !pad)
			continue;
		if (s[k] != '=' || !last || k < 2)
			return -1;
		pad++;
		v[k] = 0;
	}
	/* Canonical form: the bits a short group leaves unused must be zero. */
	if ((pad == 2 && (v[1] & 15)) || (pad == 1 && (v[2] & 3)))
		return -1;
	o[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
	o[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
	o[2] = (uint8_t)(v[2] << 6 | v[3]);
	return 3 - pad;
}

int b64_decode(struct buf *out, const char *s, size_t n)
{
	size_t start = out->len, i;
	int ret, k;

	if (n % 4)
		return -EINVAL;
	ret = buf_reserve(out, n / 4 * 3);
	if (ret)
		return ret;
	for (i = 0; i < n; i += 4) {
		k = b64_group(s + i, i + 4 == n, out->p + out->len);
		if (k < 0) {
			out->len = start;
			return -EINVAL;
		}
		out->len += (size_t)k;
	}
	return 0;
}
