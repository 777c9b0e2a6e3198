/* Base64, standard alphabet (RFC 4648 section 4) with '=' padding. */
#ifndef MITSU_B64_H
#define MITSU_B64_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Characters b64_encode writes for n bytes (no NUL); 0 if that overflows. */
size_t b64_encoded_len(size_t n);
/* Appends the encoding of p[0..n) to out.  0 or -ENOMEM. */
int b64_encode(struct buf *out, const uint8_t *p, size_t n);
/* Appends the bytes that s[0..n) encodes.  Strict: length a multiple of 4,
 * only alphabet characters, padding only at the end, unused bits zero, no
 * whitespace.  0, -EINVAL (nothing appended) or -ENOMEM. */
int b64_decode(struct buf *out, const char *s, size_t n);

#endif
