/* Percent-encoding (RFC 3986 style) with a caller-chosen set of bytes kept
 * as they are: S3 request paths and S3 event keys differ only in that set. */
#ifndef MITSU_PCTENC_H
#define MITSU_PCTENC_H
#include <stdbool.h>
#include <stddef.h>

/* Letters and digits and the bytes of keep stay; a space becomes '+' when
 * space_plus is set; every other byte becomes %XX (upper-case hex).  0, or
 * -ENOSPC if out (NUL included) is too small. */
int pctenc(const char *in, const char *keep, bool space_plus, char *out, size_t outlen);

#endif
