/* The spool (see spool.h).  One thread sends; writers only append files
 * and a queue entry, so the pcap writer never waits for the network. */
#include "store/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define SPOOL_MAX_OBJECT (1ull << 30)

struct qent {
	uint64_t seq, bytes;
};

struct spool {
	struct spool_cfg cfg;
	char dir[PATH_MAX];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, closing;
	uint64_t drain_until_us;
	struct qent *q;
	size_t head, n, cap;
	uint64_t last_seq, next_try_us, backoff_s;
	int warned; /* highest fill level warned about: 0, 50, 80, 100 */
	struct spool_stats st;
};

static uint64_t now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

int spool_meta_parse(const char *text, size_t len, struct spool_item *it)
{
	const char *p = text, *end = text + len;

	memset(it, 0, sizeof(*it));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		char *dst = NULL;
		size_t cap = 0, n;
		if (eq && eq - p == 3 && !memcmp(p, "key", 3))
			dst = it->key, cap = sizeof(it->key);
		else if (eq && eq - p == 6 && !memcmp(p, "sensor", 6))
			dst = it->sensor, cap = sizeof(it->sensor);
		else if (eq && eq - p == 8 && !memcmp(p, "flow_end", 8))
			dst = it->flow_end, cap = sizeof(it->flow_end);
		if (dst) {
			n = (size_t)(e - eq - 1);
			if (n >= cap || memchr(eq + 1, 0, n))
				return -EINVAL;
			memcpy(dst, eq + 1, n);
			dst[n] = 0;
		}
		p = nl ? nl + 1 : end;
	}
	return it->key[0] && it->key[0] != '/' && !strstr(it->key, "..") ? 0 : -EINVAL;
}

static void path_of(const struct spool *sp, uint64_t seq, const char *ext, char *out, size_t len)
{
	snprintf(out, len, "%s/%020llu.%s", sp->dir, (unsigned long long)seq, ext);
}

static int write_file(const char *path, const void *p, size_t n)
{
	char tmp[PATH_MAX + 8];
	const uint8_t *b = p;
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (n && !ret) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno != EINTR)
			ret = -errno;
		else if (w > 0)
			b += w, n -= (size_t)w;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/* Reads a whole file into a malloc'd buffer (at most max bytes). */
static int read_file(const char *path, uint64_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *p = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (uint64_t)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)r;
	}
	p[got] = 0;
	*out = p;
	*len = got;
	p = NULL;
out:
	free(p);
	close(fd);
	return ret;
}

static int push(struct spool *sp, uint64_t seq, uint64_t bytes)
{
	if (sp->head + sp->n == sp->cap) {
		if (sp->head) { /* compact before growing */
			memmove(sp->q, sp->q + sp->head, sp->n * sizeof(*sp->q));
			sp->head = 0;
		}
		if (sp->n == sp->cap) {
			size_t nc = sp->cap ? sp->cap * 2 : 256;
			struct qent *nq = realloc(sp->q, nc * sizeof(*nq));
			if (!nq)
				return -ENOMEM;
			sp->q = nq;
			sp->cap = nc;
		}
	}
	sp->q[sp->head + sp->n++] = (struct qent){seq, bytes};
	sp->st.files++;
	sp->st.bytes += bytes;
	return 0;
}

/* Loud warnings as the spool fills; called with the lock held. */
static void fill_warning(struct spool *sp)
{
	uint64_t pct = sp->st.max_bytes ? sp->st.bytes * 100 / sp->st.max_bytes : 0;
	int level = pct >= 100 ? 100 : pct >= 80 ? 80 : pct >= 50 ? 50 : 0;

	if (level > sp->warned)
		log_warn("SPOOL %d%% FULL: %s holds %llu objects, %llu of %llu bytes; the store is "
			 "not taking objects%s",
			 level, sp->dir, (unsigned long long)sp->st.files,
			 (unsigned long long)sp->st.bytes, (unsigned long long)sp->st.max_bytes,
			 level == 100 ? "; NEW OBJECTS ARE DROPPED" : "");
	else if (level < sp->warned && level == 0)
		log_info("spool below 50%% again (%llu objects)", (unsigned long long)sp->st.files);
	sp->warned = level;
}

int spool_add(struct spool *sp, const struct spool_item *it, const void *p, size_t n)
{
	char path[PATH_MAX + 32], meta[1400];
	uint64_t seq;
	int ret, mlen;

	pthread_mutex_lock(&sp->lock);
	if (sp->st.bytes + n > sp->st.max_bytes) {
		sp->st.dropped++;
		pthread_mutex_unlock(&sp->lock);
		log_err("SPOOL FULL: %s dropped (%zu bytes lost); raise --spool-max or fix the store",
			it->key, n);
		return -ENOSPC;
	}
	seq = now_us();
	if (seq <= sp->last_seq)
		seq = sp->last_seq + 1;
	sp->last_seq = seq;
	pthread_mutex_unlock(&sp->lock);
	mlen = snprintf(meta, sizeof(meta), "key=%s\nsensor=%s\nflow_end=%s\n", it->key, it->sensor,
			it->flow_end);
	/* The .meta first: a .pcap is only ever seen with its .meta. */
	path_of(sp, seq, "meta", path, sizeof(path));
	ret = write_file(path, meta, (size_t)mlen);
	path_of(sp, seq, "pcap", path, sizeof(path));
	if (!ret && (ret = write_file(path, p, n))) {
		path_of(sp, seq, "meta", path, sizeof(path));
		unlink(path);
	}
	pthread_mutex_lock(&sp->lock);
	if (!ret)
		ret = push(sp, seq, n);
	if (!ret) {
		sp->st.spooled++;
		fill_warning(sp);
		pthread_cond_signal(&sp->cond);
	} else {
		sp->st.dropped++;
	}
	pthread_mutex_unlock(&sp->lock);
	if (ret)
		log_err("spooling %s failed (%zu bytes lost): %s", it->key, n, strerror(-ret));
	return ret;
}

bool spool_busy(struct spool *sp)
{
	bool busy;

	pthread_mutex_lock(&sp->lock);
	busy = sp->n > 0;
	pthread_mutex_unlock(&sp->lock);
	return busy;
}

void spool_get_stats(struct spool *sp, struct spool_stats *st)
{
	pthread_mutex_lock(&sp->lock);
	*st = sp->st;
	pthread_mutex_unlock(&sp->lock);
}

/* Loads and sends one spooled object; 0 when delivered. */
static int send_one(struct spool *sp, uint64_t seq, bool *corrupt)
{
	char path[PATH_MAX + 32];
	struct spool_item it;
	uint8_t *meta = NULL, *data = NULL;
	size_t mlen, dlen;
	int ret;

	path_of(sp, seq, "meta", path, sizeof(path));
	ret = read_file(path, 4096, &meta, &mlen);
	if (!ret)
		ret = spool_meta_parse((const char *)meta, mlen, &it);
	path_of(sp, seq, "pcap", path, sizeof(path));
	if (!ret)
		ret = read_file(path, SPOOL_MAX_OBJECT, &data, &dlen);
	if (ret) {
		*corrupt = true;
		log_err("spool: %s unreadable (%s); moved aside as .bad", path, strerror(-ret));
	} else {
		ret = sp->cfg.send(sp->cfg.user, &it, data, dlen);
	}
	free(meta);
	free(data);
	return ret;
}

static void remove_files(struct spool *sp, uint64_t seq, bool keep_aside)
{
	char path[PATH_MAX + 32], bad[PATH_MAX + 40];

	path_of(sp, seq, "pcap", path, sizeof(path));
	if (keep_aside) {
		snprintf(bad, sizeof(bad), "%s.bad", path);
		rename(path, bad);
	} else {
		unlink(path);
	}
	path_of(sp, seq, "meta", path, sizeof(path));
	unlink(path);
}

/* With the lock held: whether the thread should stop now. */
static bool should_stop(struct spool *sp, uint64_t now)
{
	if (!sp->closing)
		return false;
	return !sp->n || now >= sp->drain_until_us || sp->next_try_us > now;
}

static void after_send(struct spool *sp, int ret, bool corrupt, uint64_t bytes)
{
	sp->st.retried++;
	if (!ret || corrupt) {
		sp->head++;
		sp->n--;
		sp->st.files--;
		sp->st.bytes -= bytes;
		if (!ret)
			sp->st.delivered++;
		if (!sp->n)
			sp->head = 0;
		sp->backoff_s = 0;
		sp->next_try_us = 0;
		fill_warning(sp);
		return;
	}
	sp->st.failed++;
	sp->backoff_s = sp->backoff_s ? sp->backoff_s * 2 : 1;
	if (sp->backoff_s > sp->cfg.backoff_max_s)
		sp->backoff_s = sp->cfg.backoff_max_s;
	sp->next_try_us = now_us() + sp->backoff_s * 1000000;
	log_warn("spool: store unreachable, %llu objects waiting; next try in %llu s",
		 (unsigned long long)sp->n, (unsigned long long)sp->backoff_s);
}

static void *spool_main(void *arg)
{
	struct spool *sp = arg;

	pthread_mutex_lock(&sp->lock);
	for (;;) {
		uint64_t now = now_us();
		if (should_stop(sp, now))
			break;
		if (!sp->n) {
			pthread_cond_wait(&sp->cond, &sp->lock);
			continue;
		}
		if (now < sp->next_try_us) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			uint64_t wait = sp->next_try_us - now;
			ts.tv_sec += (time_t)(wait / 1000000);
			ts.tv_nsec += (long)(wait % 1000000) * 1000;
			if (ts.tv_nsec >= 1000000000)
				ts.tv_sec++, ts.tv_nsec -= 1000000000;
			pthread_cond_timedwait(&sp->cond, &sp->lock, &ts);
			continue;
		}
		struct qent e = sp->q[sp->head];
		bool corrupt = false;
		pthread_mutex_unlock(&sp->lock);
		int ret = send_one(sp, e.seq, &corrupt);
		if (!ret || corrupt)
			remove_files(sp, e.seq, corrupt);
		pthread_mutex_lock(&sp->lock);
		after_send(sp, ret, corrupt, e.bytes);
	}
	pthread_mutex_unlock(&sp->lock);
	return NULL;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Picks up what an earlier run left, oldest first. */
static int scan(struct spool *sp)
{
	struct dirent **ents;
	char path[PATH_MAX + 300];
	struct stat st;
	int n = scandir(sp->dir, &ents, NULL, by_name), ret = 0;

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		unsigned long long seq;
		char ext[8];
		snprintf(path, sizeof(path), "%s/%s", sp->dir, name);
		if (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".tmp"))
			unlink(path); /* cut short by a crash: never acknowledged */
		else if (!ret && sscanf(name, "%20llu.%7s", &seq, ext) == 2 && !strcmp(ext, "meta")) {
			path_of(sp, seq, "pcap", path, sizeof(path));
			if (stat(path, &st)) {
				path_of(sp, seq, "meta", path, sizeof(path));
				unlink(path);
			} else {
				ret = push(sp, seq, (uint64_t)st.st_size);
				if (seq > sp->last_seq)
					sp->last_seq = seq;
			}
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, 0700) && errno != EEXIST ? -errno : 0;
}

int spool_open(struct spool **out, const struct spool_cfg *cfg, char *err, size_t errlen)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	int ret;

	if (!sp)
		return -ENOMEM;
	sp->cfg = *cfg;
	if (!sp->cfg.max_bytes)
		sp->cfg.max_bytes = 1ull << 30;
	if (!sp->cfg.backoff_max_s)
		sp->cfg.backoff_max_s = 300;
	sp->st.max_bytes = sp->cfg.max_bytes;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->cond, NULL);
	ret = mkdir_p(cfg->dir);
	if (!ret && !realpath(cfg->dir, sp->dir))
		ret = -errno;
	if (!ret)
		ret = scan(sp);
	if (ret) {
		snprintf(err, errlen, "spool %s: %s", cfg->dir, strerror(-ret));
		goto out;
	}
	if (sp->n)
		log_info("spool %s: %zu objects (%llu bytes) left from an earlier run; sending them",
			 sp->dir, sp->n, (unsigned long long)sp->st.bytes);
	fill_warning(sp);
	ret = -pthread_create(&sp->thread, NULL, spool_main, sp);
	if (ret) {
		snprintf(err, errlen, "spool thread: %s", strerror(-ret));
		goto out;
	}
	sp->started = true;
	*out = sp;
	return 0;
out:
	free(sp->q);
	free(sp);
	return ret;
}

void spool_close(struct spool *sp, unsigned drain_s)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->closing = true;
	sp->drain_until_us = now_us() + (uint64_t)drain_s * 1000000;
	pthread_cond_signal(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	if (sp->started)
		pthread_join(sp->thread, NULL);
	if (sp->n)
		log_warn("spool %s: %zu objects (%llu bytes) kept for the next start", sp->dir, sp->n,
			 (unsigned long long)sp->st.bytes);
	pthread_mutex_destroy(&sp->lock);
	pthread_cond_destroy(&sp->cond);
	free(sp->q);
	free(sp);
}
