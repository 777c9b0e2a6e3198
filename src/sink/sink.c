/* Sink dispatch: picks the backend by the spec's scheme. */
#include "sink/sink_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct sink_ops *const sink_backends[] = {
    &sink_jsonl_ops,
    &sink_sqlite_ops,
};

static const struct sink_ops *sink_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t n, i;

	if (!colon)
		return NULL;
	n = (size_t)(colon - spec);
	for (i = 0; i < sizeof(sink_backends) / sizeof(sink_backends[0]); i++) {
		const char *name = sink_backends[i]->scheme;

		if (strlen(name) == n && !memcmp(name, spec, n)) {
			*arg = colon + 1;
			return sink_backends[i];
		}
	}
	return NULL;
}

int sink_open(const char *spec, struct sink **out, char *err, size_t errlen)
{
	const struct sink_ops *ops;
	const char *arg = NULL;

	*out = NULL;
	ops = sink_find(spec, &arg);
	if (!ops) {
		snprintf(err, errlen, "sink '%s': expected jsonl:-, jsonl:PATH or sqlite:PATH",
			 spec);
		return -EINVAL;
	}
	if (!*arg) {
		snprintf(err, errlen, "sink '%s': missing path after ':'", spec);
		return -EINVAL;
	}
	return ops->open(arg, out, err, errlen);
}

int sink_write(struct sink *s, const struct record *r)
{
	return s->ops->write(s, r);
}

int sink_commit(struct sink *s)
{
	return s->ops->commit(s);
}

const char *sink_errmsg(const struct sink *s)
{
	return s->err[0] ? s->err : "no error";
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	if (s->ops->commit(s))
		fprintf(stderr, "mitsu: sink: %s\n", s->err);
	s->ops->close(s);
}

int sink_mkdir_parent(const char *path)
{
	char *dir = strdup(path), *p;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		goto out;
	*p = 0;
	/* Create each component in turn; existing ones are fine. */
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char saved = *p;

		*p = 0;
		if (mkdir(dir, 0750) && errno != EEXIST) {
			ret = -errno;
			goto out;
		}
		*p = saved;
		if (!saved)
			break;
	}
out:
	free(dir);
	return ret;
}
