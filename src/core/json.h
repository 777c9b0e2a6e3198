/* Small JSON writer into a struct buf.
 *
 * Strings are always emitted as valid UTF-8 JSON whatever the input bytes:
 *  - '"' and '\\' are backslash-escaped;
 *  - C0 controls (0x00-0x1f), DEL (0x7f), C1 controls (U+0080-U+009F) and
 *    U+2028/U+2029 are written as \uXXXX, so no raw control character ever
 *    reaches a terminal or a JavaScript parser;
 *  - every ill-formed UTF-8 sequence (overlong forms, surrogates, code points
 *    above U+10FFFF, stray continuation bytes, truncated sequences) is replaced
 *    by U+FFFD, one per "maximal subpart" as Unicode (ch. 3.9) and the WHATWG
 *    decoder recommend.  Replacing rather than escaping keeps the output plain
 *    text; callers that need the exact bytes also write them as base64.
 *
 * Numbers: integers in decimal; doubles as "%.6f" so float seconds keep their
 * microseconds; NaN and infinities (not JSON) become null.
 *
 * The structured writer (struct json) tracks commas and keeps the first error:
 * after a failure every call is a no-op and json_finish returns the error, so a
 * caller can write a whole object and check once. */
#ifndef MITSU_JSON_H
#define MITSU_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Appends p[0..len) as a quoted JSON string.  0 or -ENOMEM. */
int json_str(struct buf *b, const uint8_t *p, size_t len);
/* Same for a NUL-terminated string. */
int json_cstr(struct buf *b, const char *s);

#define JSON_MAX_DEPTH 64

struct json {
	struct buf *b;
	int err;	    /* first error; once set, every call does nothing */
	unsigned depth;	    /* open containers */
	bool after_key;	    /* a key was written, its value comes next */
	uint64_t has_items; /* bit d: the container at depth d has a member */
};

void json_init(struct json *j, struct buf *b);
/* Returns the first error (0, -ENOMEM, -E2BIG too deep, -EINVAL misuse). */
int json_finish(const struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
/* Writes `"key":`; the next value call is that member's value. */
void json_key(struct json *j, const char *key);

void json_val_str(struct json *j, const uint8_t *p, size_t len);
void json_val_cstr(struct json *j, const char *s);
void json_val_u64(struct json *j, uint64_t v);
void json_val_i64(struct json *j, int64_t v);
void json_val_double(struct json *j, double v);
void json_val_bool(struct json *j, bool v);
void json_val_null(struct json *j);
/* A pre-rendered value (e.g. "\"<base64>\"") written verbatim in the value's
 * place, commas handled.  The caller vouches that it is one valid JSON value. */
void json_val_raw(struct json *j, const void *p, size_t n);
/* Appends bytes verbatim, with no comma handling: for pre-rendered members
 * such as ",\"http\":{...}".  The caller vouches that they are valid JSON. */
void json_raw(struct json *j, const void *p, size_t n);

/* Member shorthands: json_key + json_val_*. */
void json_kstr(struct json *j, const char *key, const uint8_t *p, size_t len);
void json_kcstr(struct json *j, const char *key, const char *s);
void json_ku64(struct json *j, const char *key, uint64_t v);
void json_kdouble(struct json *j, const char *key, double v);
void json_kbool(struct json *j, const char *key, bool v);

#endif
