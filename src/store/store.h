/* Object store: where finished pcaps go.  Backends (dir.c; s3.c later) are
 * tables of function pointers; callers only see this header.
 * An object is written in pieces and becomes visible only on commit. */
#ifndef MITSU_STORE_H
#define MITSU_STORE_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_obj;

struct store_ops {
	const char *name;
	int (*begin)(struct store *s, const char *key, struct store_obj **out);
	int (*write)(struct store_obj *o, const void *p, size_t n);
	/* Makes the object visible and writes its URI; frees o either way. */
	int (*commit)(struct store_obj *o, char *uri, size_t urilen);
	void (*abort)(struct store_obj *o);
	void (*close)(struct store *s);
};

struct store {
	const struct store_ops *ops;
};

/* spec: a folder path (default backend), or later s3://bucket/prefix. */
int store_open(const char *spec, struct store **out, char *err, size_t errlen);
int store_dir_open(const char *root, struct store **out, char *err, size_t errlen);
/* Local folder of a dir store (NULL for other backends). */
const char *store_dir_root(const struct store *s);

static inline int store_begin(struct store *s, const char *key, struct store_obj **o)
{
	return s->ops->begin(s, key, o);
}
static inline int store_write(struct store *s, struct store_obj *o, const void *p, size_t n)
{
	return s->ops->write(o, p, n);
}
static inline int store_commit(struct store *s, struct store_obj *o, char *uri, size_t len)
{
	return s->ops->commit(o, uri, len);
}
static inline void store_abort(struct store *s, struct store_obj *o)
{
	s->ops->abort(o);
}
void store_close(struct store *s);

/* pcap/YYYY/MM/DD/HH/<unix-ts>_<src>_<dst>_<sport>_<dport>.pcap, UTC.
 * IPv6 addresses keep their text form with ':' (valid in S3 keys and on
 * Linux file systems). */
int store_flow_key(char *out, size_t outlen, uint64_t ts_us, const char *src, const char *dst,
		   unsigned sport, unsigned dport);
int store_scans_key(char *out, size_t outlen, uint64_t ts_us, const char *sensor);

#endif
