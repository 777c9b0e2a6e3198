/* JSON Lines sink: one record_to_json object per line, on stdout or appended
 * to a file.  Lines are built in memory and written whole, so concurrent
 * appenders (O_APPEND) interleave lines, not bytes, for lines up to PIPE_BUF
 * on pipes and in practice on local files. */
#include "sink/sink_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/record.h"
#include "core/buf.h"

#define JSONL_WRITE_THROUGH (1u << 20)

struct sink_jsonl {
	struct sink base;
	int fd;
	bool own_fd;	  /* false for stdout */
	char *path;	  /* for messages */
	struct buf line;  /* current record */
	struct buf batch; /* records since the last commit */
};

static int sink_jsonl_open(const char *arg, struct sink **out, char *err, size_t errlen)
{
	struct sink_jsonl *s = calloc(1, sizeof(*s));
	int ret = 0;

	if (!s)
		return -ENOMEM;
	s->base.ops = &sink_jsonl_ops;
	s->fd = STDOUT_FILENO;
	s->path = strdup(strcmp(arg, "-") ? arg : "stdout");
	if (!s->path) {
		free(s);
		return -ENOMEM;
	}
	if (strcmp(arg, "-")) {
		ret = sink_mkdir_parent(arg);
		if (!ret) {
			s->fd = open(arg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
			ret = s->fd < 0 ? -errno : 0;
		}
		if (ret) {
			snprintf(err, errlen, "jsonl sink %s: %s", arg, strerror(-ret));
			free(s->path);
			free(s);
			return ret;
		}
		s->own_fd = true;
	}
	*out = &s->base;
	return 0;
}

/* Writes all of p, retrying short writes and EINTR. */
static int sink_jsonl_write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t k;

	while (n) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int sink_jsonl_write(struct sink *base, const struct record *r)
{
	struct sink_jsonl *s = (struct sink_jsonl *)base;
	int ret;

	buf_reset(&s->line);
	ret = record_to_json(r, &s->line);
	if (!ret)
		ret = buf_putc(&s->line, '\n');
	if (!ret)
		ret = buf_append(&s->batch, s->line.p, s->line.len);
	/* A capture with millions of flows must not be held in memory until
	 * its commit: write through past 1 MiB (commit still syncs). */
	if (!ret && s->batch.len >= JSONL_WRITE_THROUGH) {
		if (!s->own_fd)
			fflush(stdout);
		ret = sink_jsonl_write_all(s->fd, s->batch.p, s->batch.len);
		buf_reset(&s->batch);
	}
	if (ret)
		snprintf(base->err, sizeof(base->err), "jsonl sink %s: %s", s->path,
			 strerror(-ret));
	return ret;
}

static int sink_jsonl_commit(struct sink *base)
{
	struct sink_jsonl *s = (struct sink_jsonl *)base;
	int ret;

	if (!s->own_fd)
		fflush(stdout); /* keep order with anything printed through stdio */
	ret = sink_jsonl_write_all(s->fd, s->batch.p, s->batch.len);
	if (ret)
		goto out;
	buf_reset(&s->batch);
	/* Durable after return.  Pipes and terminals cannot be synced. */
	if (fsync(s->fd) && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
		ret = -errno;
out:
	if (ret)
		snprintf(base->err, sizeof(base->err), "jsonl sink %s: %s", s->path,
			 strerror(-ret));
	return ret;
}

static void sink_jsonl_close(struct sink *base)
{
	struct sink_jsonl *s = (struct sink_jsonl *)base;

	if (s->own_fd)
		close(s->fd);
	buf_free(&s->line);
	buf_free(&s->batch);
	free(s->path);
	free(s);
}

const struct sink_ops sink_jsonl_ops = {
    .scheme = "jsonl",
    .open = sink_jsonl_open,
    .write = sink_jsonl_write,
    .commit = sink_jsonl_commit,
    .close = sink_jsonl_close,
};
