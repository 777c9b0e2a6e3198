/* S3 store backend: an object is buffered in memory (pcaps are small) and
 * PUT on commit.  When the PUT fails, or older objects still wait in the
 * spool, it goes to the spool and is sent later (spool.c), so nothing is
 * lost while the store is down.  Either way the object is announced
 * (set_notify) only once the store has it.
 *
 * Threads: begin/write/commit run on the pcap writer's thread with one curl
 * handle; the spool's thread has its own. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/s3.h"
#include "store/spool.h"
#include "store/store.h"

struct s3_store {
	struct store base;
	struct s3_cfg cfg;
	char bucket[64];
	char prefix[512]; /* "" or "p/" */
	char spool_dir[PATH_MAX];
	struct s3_client *cli;	     /* the writer's thread */
	struct s3_client *spool_cli; /* the spool's thread */
	struct spool *spool;
	pthread_mutex_t lock; /* notify, counters */
	store_notify_fn notify;
	void *nuser;
	uint64_t delivered, failed;
};

struct s3_obj {
	struct s3_store *s;
	char key[1024]; /* with the prefix */
	char sensor[128];
	char flow_end[16];
	struct buf data;
};

static void delivered(struct s3_store *s, const char *key, const char *sensor,
		      const char *flow_end, const char *etag, uint64_t size)
{
	char uri[1200];
	struct store_done d = {.uri = uri, .key = key, .etag = etag, .region = s->cfg.region,
			       .sensor = sensor, .flow_end = flow_end, .size = size};

	snprintf(uri, sizeof(uri), "s3://%s/%s", s->bucket, key);
	pthread_mutex_lock(&s->lock);
	s->delivered++;
	/* Under the lock: set_notify(NULL) must not race with a call. */
	if (s->notify)
		s->notify(s->nuser, &d);
	pthread_mutex_unlock(&s->lock);
}

static void count_failure(struct s3_store *s)
{
	pthread_mutex_lock(&s->lock);
	s->failed++;
	pthread_mutex_unlock(&s->lock);
}

static int s3_begin(struct store *st, const char *key, struct store_obj **out)
{
	struct s3_store *s = (struct s3_store *)st;
	struct s3_obj *o;

	if (!*key || key[0] == '/' || strstr(key, ".."))
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->s = s;
	if ((size_t)snprintf(o->key, sizeof(o->key), "%s%s", s->prefix, key) >= sizeof(o->key)) {
		free(o);
		return -ENAMETOOLONG;
	}
	*out = (struct store_obj *)o;
	return 0;
}

static int s3_write(struct store_obj *obj, const void *p, size_t n)
{
	return buf_append(&((struct s3_obj *)obj)->data, p, n);
}

static int s3_meta(struct store_obj *obj, const char *name, const char *value)
{
	struct s3_obj *o = (struct s3_obj *)obj;

	if (!strcmp(name, "sensor"))
		snprintf(o->sensor, sizeof(o->sensor), "%s", value);
	else if (!strcmp(name, "flow-end"))
		snprintf(o->flow_end, sizeof(o->flow_end), "%s", value);
	else
		return -ENOTSUP;
	return 0;
}

static int s3_commit(struct store_obj *obj, char *uri, size_t urilen)
{
	struct s3_obj *o = (struct s3_obj *)obj;
	struct s3_store *s = o->s;
	struct spool_item it;
	char etag[64], err[1400];
	int ret = -EAGAIN;

	if (uri)
		snprintf(uri, urilen, "s3://%s/%s", s->bucket, o->key);
	/* Older objects wait in the spool: queue behind them, in order. */
	if (!spool_busy(s->spool)) {
		ret = s3_put(s->cli, s->bucket, o->key, o->data.p, o->data.len, o->sensor, etag,
			     sizeof(etag), err, sizeof(err));
		if (!ret)
			delivered(s, o->key, o->sensor, o->flow_end, etag, o->data.len);
		else {
			count_failure(s);
			log_warn("%s; spooling it", err);
		}
	}
	if (ret) {
		memset(&it, 0, sizeof(it));
		snprintf(it.key, sizeof(it.key), "%s", o->key);
		snprintf(it.sensor, sizeof(it.sensor), "%s", o->sensor);
		snprintf(it.flow_end, sizeof(it.flow_end), "%s", o->flow_end);
		ret = spool_add(s->spool, &it, o->data.p, o->data.len);
	}
	buf_free(&o->data);
	free(o);
	return ret;
}

static void s3_abort(struct store_obj *obj)
{
	struct s3_obj *o = (struct s3_obj *)obj;

	buf_free(&o->data);
	free(o);
}

/* The spool's sender, on the spool's thread. */
static int spool_send(void *user, const struct spool_item *it, const void *p, size_t n)
{
	struct s3_store *s = user;
	char etag[64], err[1400];
	int ret = s3_put(s->spool_cli, s->bucket, it->key, p, n, it->sensor, etag, sizeof(etag),
			 err, sizeof(err));

	if (ret) {
		count_failure(s);
		log_debug("spool: %s", err);
		return ret;
	}
	delivered(s, it->key, it->sensor, it->flow_end, etag, n);
	return 0;
}

static int s3_set_notify(struct store *st, store_notify_fn fn, void *user)
{
	struct s3_store *s = (struct s3_store *)st;

	pthread_mutex_lock(&s->lock);
	s->notify = fn;
	s->nuser = user;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int s3_stats(struct store *st, struct store_stats *out)
{
	struct s3_store *s = (struct s3_store *)st;
	struct spool_stats sp;

	spool_get_stats(s->spool, &sp);
	pthread_mutex_lock(&s->lock);
	out->delivered = s->delivered;
	out->failed = s->failed;
	pthread_mutex_unlock(&s->lock);
	out->spooled = sp.spooled;
	out->retried = sp.retried;
	out->dropped = sp.dropped;
	out->spool_files = sp.files;
	out->spool_bytes = sp.bytes;
	out->spool_max = sp.max_bytes;
	return 0;
}

static const char *s3_local_root(const struct store *st)
{
	return ((const struct s3_store *)st)->spool_dir;
}

static void s3_close(struct store *st)
{
	struct s3_store *s = (struct s3_store *)st;

	/* A few seconds to send what is spooled if the store is back. */
	spool_close(s->spool, 10);
	s3_client_free(s->cli);
	s3_client_free(s->spool_cli);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const struct store_ops s3_ops = {
	.name = "s3",
	.begin = s3_begin,
	.write = s3_write,
	.commit = s3_commit,
	.abort = s3_abort,
	.close = s3_close,
	.meta = s3_meta,
	.set_notify = s3_set_notify,
	.stats = s3_stats,
	.local_root = s3_local_root,
};

static int parse_spec(struct s3_store *s, const char *spec, char *err, size_t errlen)
{
	char prefix[sizeof(s->prefix)];
	size_t n;

	if (s3_uri_parse(spec, s->bucket, sizeof(s->bucket), prefix, sizeof(prefix) - 1)) {
		snprintf(err, errlen, "%s: expected s3://BUCKET[/PREFIX]", spec);
		return -EINVAL;
	}
	n = strlen(prefix);
	while (n && prefix[n - 1] == '/')
		prefix[--n] = 0;
	if (n && (strstr(prefix, "..") || prefix[0] == '/')) {
		snprintf(err, errlen, "%s: bad prefix", spec);
		return -EINVAL;
	}
	snprintf(s->prefix, sizeof(s->prefix), "%s%s", prefix, n ? "/" : "");
	return 0;
}

int store_s3_open(const char *spec, const struct store_opts *opts, struct store **out, char *err,
		  size_t errlen)
{
	struct s3_store *s = calloc(1, sizeof(*s));
	struct spool_cfg sc = {0};
	int ret;

	if (!s)
		return -ENOMEM;
	s->base.ops = &s3_ops;
	pthread_mutex_init(&s->lock, NULL);
	if ((ret = parse_spec(s, spec, err, errlen)) ||
	    (ret = s3_cfg_load(&s->cfg, opts->s3_endpoint, opts->s3_path_style, err, errlen)))
		goto out;
	if ((ret = s3_client_new(&s->cli, &s->cfg)) ||
	    (ret = s3_client_new(&s->spool_cli, &s->cfg))) {
		snprintf(err, errlen, "curl: cannot start");
		goto out;
	}
	snprintf(s->spool_dir, sizeof(s->spool_dir), "%s",
		 opts->spool_dir ? opts->spool_dir : "./mitsu-data/spool");
	sc.dir = s->spool_dir;
	sc.max_bytes = opts->spool_max;
	sc.backoff_max_s = opts->spool_retry_max_s;
	sc.send = spool_send;
	sc.user = s;
	if ((ret = spool_open(&s->spool, &sc, err, errlen)))
		goto out;
	log_info("store s3://%s/%s at %s (region %s%s), spool %s", s->bucket, s->prefix,
		 s->cfg.endpoint[0] ? s->cfg.endpoint : "AWS", s->cfg.region,
		 s->cfg.path_style ? ", path style" : "", s->spool_dir);
	*out = &s->base;
	return 0;
out:
	s3_client_free(s->cli);
	s3_client_free(s->spool_cli);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return ret;
}
