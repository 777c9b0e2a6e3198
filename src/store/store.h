/* Object store: where finished pcaps go.  Backends (dir.c; s3.c later) are
 * tables of function pointers; callers only see this header.
 * An object is written in pieces and becomes visible only on commit. */
#ifndef MITSU_STORE_H
#define MITSU_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_obj;

/* An object the store has (for stores that deliver later, see set_notify). */
struct store_done {
	const char *uri, *key, *etag, *region, *sensor, *flow_end;
	uint64_t size;
};
typedef void (*store_notify_fn)(void *user, const struct store_done *d);

struct store_stats {
	uint64_t delivered, spooled, retried, failed, dropped;
	uint64_t spool_files, spool_bytes, spool_max;
};

/* Options of remote stores (s3.c); zero means the default. */
struct store_opts {
	const char *s3_endpoint;    /* else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL */
	bool s3_path_style;
	const char *spool_dir;      /* default ./mitsu-data/spool */
	uint64_t spool_max;         /* bytes, default 1 GiB */
	uint32_t spool_retry_max_s; /* backoff cap, default 300 */
};

struct store_ops {
	const char *name;
	int (*begin)(struct store *s, const char *key, struct store_obj **out);
	int (*write)(struct store_obj *o, const void *p, size_t n);
	/* Makes the object visible and writes its URI; frees o either way. */
	int (*commit)(struct store_obj *o, char *uri, size_t urilen);
	void (*abort)(struct store_obj *o);
	void (*close)(struct store *s);
	/* Optional (NULL: not supported). */
	int (*meta)(struct store_obj *o, const char *name, const char *value);
	/* The store calls fn for every object once it has it (at commit or
	 * later from its spool); the caller then announces nothing itself. */
	int (*set_notify)(struct store *s, store_notify_fn fn, void *user);
	int (*stats)(struct store *s, struct store_stats *st);
	const char *(*local_root)(const struct store *s);
};

struct store {
	const struct store_ops *ops;
};

/* spec: a folder path (default backend), file://PATH, or s3://bucket/prefix. */
int store_open(const char *spec, struct store **out, char *err, size_t errlen);
int store_open_opts(const char *spec, const struct store_opts *opts, struct store **out,
		    char *err, size_t errlen);
int store_s3_open(const char *spec, const struct store_opts *opts, struct store **out, char *err,
		  size_t errlen);
int store_dir_open(const char *root, struct store **out, char *err, size_t errlen);
/* Local folder of a dir store; for S3 the spool folder, where the sensor
 * keeps its id (NULL if none). */
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
/* Object metadata (S3: x-amz-meta-NAME); ignored by stores without it. */
static inline int store_meta(struct store *s, struct store_obj *o, const char *name,
			     const char *value)
{
	return s->ops->meta ? s->ops->meta(o, name, value) : 0;
}
/* -ENOTSUP if the store does not announce deliveries itself. */
int store_set_notify(struct store *s, store_notify_fn fn, void *user);
int store_get_stats(struct store *s, struct store_stats *st);

/* pcap/YYYY/MM/DD/HH/<unix-ts>_<src>_<dst>_<sport>_<dport>.pcap, UTC.
 * IPv6 addresses keep their text form with ':' (valid in S3 keys and on
 * Linux file systems). */
int store_flow_key(char *out, size_t outlen, uint64_t ts_us, const char *src, const char *dst,
		   unsigned sport, unsigned dport);
int store_scans_key(char *out, size_t outlen, uint64_t ts_us, const char *sensor);

#endif
