/* A small, bounded JSON reader for input we do not trust (CloudTrail files,
 * token exports): the text is parsed once into a flat array of nodes that
 * point into it (no copies), then walked by index.
 *
 * Written by hand: Debian's JSON libraries (json-c, jansson) build a tree of
 * heap objects per value; this reader keeps one array, bounds depth, node
 * count and input size, and never aborts on malformed input (RFC 8259
 * grammar; no comments, no trailing commas). */
#ifndef MITSU_CTJSON_H
#define MITSU_CTJSON_H
#include <stddef.h>
#include <stdint.h>

#define CTJSON_MAX_DEPTH 64
#define CTJSON_MAX_INPUT (512u << 20)

enum ctjson_type { CTJSON_NULL, CTJSON_BOOL, CTJSON_NUM, CTJSON_STR, CTJSON_ARR, CTJSON_OBJ };

struct ctjson_node {
	uint8_t type;
	uint8_t escaped; /* a string with backslashes (needs unescaping) */
	uint32_t start, len; /* strings: the bytes inside the quotes */
	uint32_t child;      /* first child (objects: key, value, key, ...), 0 none */
	uint32_t next;       /* next sibling, 0 none (node 0 is the root) */
};

struct ctjson {
	const char *text;
	struct ctjson_node *n;
	uint32_t count, cap;
	uint32_t max_nodes; /* 0: no limit beyond memory */
};

/* Parses text[0..len) (one value, whitespace around it allowed).  0,
 * -EINVAL (err_off set to where it failed), -ENOMEM, -E2BIG (too deep, too
 * many nodes or too large).  Free with ctjson_free even on failure. */
int ctjson_parse(struct ctjson *d, const char *text, size_t len, size_t *err_off);
void ctjson_free(struct ctjson *d);

/* Object member by key (first match), or -1.  obj must be an object. */
long ctjson_get(const struct ctjson *d, long obj, const char *key);
/* Path of keys separated by '.', e.g. "userIdentity.accessKeyId". */
long ctjson_path(const struct ctjson *d, long obj, const char *path);
/* Array elements: first (-1 if empty / not an array) and next (-1 at end). */
long ctjson_first(const struct ctjson *d, long arr);
long ctjson_next(const struct ctjson *d, long i);
/* Text of a string (unescaped, \u to UTF-8), number or bool into out
 * (NUL-terminated, cut at outlen - 1 bytes on a character boundary is not
 * promised).  Returns its full length, or -1 for null / missing / containers. */
long ctjson_text(const struct ctjson *d, long i, char *out, size_t outlen);
/* Number as double (strings holding numbers too); 0 when not one. */
double ctjson_num(const struct ctjson *d, long i);

#endif
