/* Small bounded JSON reader (the writer is json.h).  Nothing in the tree
 * parsed JSON before the S3 event decoder needed it, and the decoder only
 * reads a few fields of small documents, so a token array in the style of
 * jsmn is enough: one pass, no allocation, strict RFC 8259 grammar, depth
 * and token count bounded by the caller's array.
 *
 * Tokens are stored in document order.  A container's members follow it;
 * in an object they alternate key (a string token) and value.  next is the
 * index just past a token's whole subtree, so siblings are walked with
 * i = t[i].next. */
#ifndef MITSU_JREAD_H
#define MITSU_JREAD_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum jr_type { JR_OBJ = 1, JR_ARR, JR_STR, JR_NUM, JR_TRUE, JR_FALSE, JR_NULL };

#define JR_MAX_DEPTH 64

struct jr_tok {
	uint8_t type;
	uint32_t start, end; /* byte span; for strings the inside of the quotes */
	uint32_t n;	     /* containers: members (an object's pairs count 2) */
	uint32_t next;	     /* index after this token's subtree */
};

struct jr_doc {
	const char *s;
	struct jr_tok *t;
	uint32_t nt;
};

/* Parses one JSON value at the start of s[0..len) (leading white space
 * skipped) into toks[0..cap).  *used (may be NULL) gets the bytes consumed,
 * trailing white space included, so concatenated documents can be read one
 * after another.  0, -EINVAL (syntax), -E2BIG (too many tokens, too deep or
 * len >= 4 GiB), -ENODATA (only white space). */
int jr_parse(struct jr_doc *d, const char *s, size_t len, struct jr_tok *toks, uint32_t cap,
	     size_t *used);
/* The value of key in object obj, or -1. */
int jr_get(const struct jr_doc *d, int obj, const char *key);
/* Element i of array arr, or -1. */
int jr_at(const struct jr_doc *d, int arr, uint32_t i);
/* Number of elements of an array (0 if idx is not one). */
uint32_t jr_len(const struct jr_doc *d, int idx);
/* Unescapes string token idx into out (NUL-terminated).  Fails with -EINVAL
 * if it is not a string or holds a NUL, -ENOSPC if it does not fit. */
int jr_str(const struct jr_doc *d, int idx, char *out, size_t outlen);
/* The same, appended to a buffer (for long strings such as SNS Message). */
int jr_str_buf(const struct jr_doc *d, int idx, struct buf *out);
/* A non-negative integer number token, or a string of digits (some
 * producers quote sizes); 0 or -EINVAL. */
int jr_u64(const struct jr_doc *d, int idx, uint64_t *out);
/* Compares string token idx with s (unescaped); 1 if equal. */
int jr_eq(const struct jr_doc *d, int idx, const char *s);

#endif
