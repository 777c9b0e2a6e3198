/* Local-folder store: each object is written to a hidden temporary file in
 * its final folder and renamed into place on commit, so a reader never sees
 * a half-written pcap. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

struct dir_store {
	struct store base;
	char root[PATH_MAX];
	char last_dir[PATH_MAX]; /* folder known to exist: saves a mkdir per object */
};

#define DIR_WBUF (64 * 1024)

/* Writes are buffered: the scans file gets one small append per flow, and a
 * write() per 150-byte flow would cost more than capturing it. */
struct dir_obj {
	struct dir_store *ds;
	int fd;
	int err;
	size_t wlen;
	uint8_t wbuf[DIR_WBUF];
	char path[PATH_MAX];
	char tmp[PATH_MAX];
};

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			int ret = -errno;
			*p = '/';
			return ret;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Rejects keys that could escape the root. */
static int key_ok(const char *key)
{
	if (!*key || key[0] == '/' || strstr(key, "..") || strchr(key, '\\'))
		return 0;
	return 1;
}

static int dir_begin(struct store *s, const char *key, struct store_obj **out)
{
	struct dir_store *ds = (struct dir_store *)s;
	struct dir_obj *o;
	char dir[PATH_MAX], *slash;
	int n, ret;

	if (!key_ok(key))
		return -EINVAL;
	o = malloc(sizeof(*o));
	if (o)
		memset(o, 0, offsetof(struct dir_obj, wbuf));
	if (!o)
		return -ENOMEM;
	o->ds = ds;
	n = snprintf(o->path, sizeof(o->path), "%s/%s", ds->root, key);
	if (n < 0 || (size_t)n >= sizeof(o->path)) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	strcpy(dir, o->path);
	slash = strrchr(dir, '/');
	*slash = 0;
	if (strcmp(dir, ds->last_dir)) {
		ret = mkdir_p(dir);
		if (ret)
			goto out;
		snprintf(ds->last_dir, sizeof(ds->last_dir), "%s", dir);
	}
	n = snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.tmp", dir, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(o->tmp)) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		ret = -errno;
		goto out;
	}
	*out = (struct store_obj *)o;
	return 0;
out:
	free(o);
	return ret;
}

static int write_all(struct dir_obj *o, const uint8_t *b, size_t n)
{
	while (n && !o->err) {
		ssize_t w = write(o->fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			o->err = -errno;
			break;
		}
		b += w;
		n -= (size_t)w;
	}
	return o->err;
}

static int flush_buf(struct dir_obj *o)
{
	int ret = write_all(o, o->wbuf, o->wlen);

	o->wlen = 0;
	return ret;
}

static int dir_write(struct store_obj *obj, const void *p, size_t n)
{
	struct dir_obj *o = (struct dir_obj *)obj;

	if (o->wlen + n > DIR_WBUF && flush_buf(o))
		return o->err;
	if (n >= DIR_WBUF)
		return write_all(o, p, n);
	memcpy(o->wbuf + o->wlen, p, n);
	o->wlen += n;
	return 0;
}

static int dir_commit(struct store_obj *obj, char *uri, size_t urilen)
{
	struct dir_obj *o = (struct dir_obj *)obj;
	int ret = flush_buf(o);

	if (close(o->fd) && !ret)
		ret = -errno;
	if (!ret && rename(o->tmp, o->path))
		ret = -errno;
	if (ret)
		unlink(o->tmp);
	else if (uri)
		snprintf(uri, urilen, "file://%s", o->path);
	free(o);
	return ret;
}

static void dir_abort(struct store_obj *obj)
{
	struct dir_obj *o = (struct dir_obj *)obj;

	close(o->fd);
	unlink(o->tmp);
	free(o);
}

static void dir_close(struct store *s)
{
	free(s);
}

static const struct store_ops dir_ops = {
	.name = "dir",
	.begin = dir_begin,
	.write = dir_write,
	.commit = dir_commit,
	.abort = dir_abort,
	.close = dir_close,
};

const char *store_dir_root(const struct store *s)
{
	if (s && s->ops != &dir_ops && s->ops->local_root)
		return s->ops->local_root(s);
	return s && s->ops == &dir_ops ? ((const struct dir_store *)s)->root : NULL;
}

/* Creates the root and proves it writable now, not at the first flush. */
int store_dir_open(const char *root, struct store **out, char *err, size_t errlen)
{
	struct dir_store *ds = calloc(1, sizeof(*ds));
	char probe[PATH_MAX + 32], tmp[PATH_MAX];
	int fd, ret;

	if (!ds)
		return -ENOMEM;
	ds->base.ops = &dir_ops;
	if (strlen(root) >= sizeof(tmp) - 1) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	strcpy(tmp, root);
	ret = mkdir_p(tmp);
	if (!ret && !realpath(root, ds->root))
		ret = -errno;
	if (ret)
		goto out;
	snprintf(probe, sizeof(probe), "%s/.mitsu-probe.%d", ds->root, (int)getpid());
	fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	close(fd);
	unlink(probe);
	*out = &ds->base;
	return 0;
out:
	snprintf(err, errlen, "store %s: %s", root, strerror(-ret));
	free(ds);
	return ret;
}
