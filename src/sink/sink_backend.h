/* For sink backends only (src/sink/): the table each backend fills in. */
#ifndef MITSU_SINK_BACKEND_H
#define MITSU_SINK_BACKEND_H
#include <stddef.h>

#include "sink/sink.h"

#define SINK_ERRLEN 512

struct sink_ops {
	const char *scheme; /* "jsonl" in "jsonl:PATH" */
	/* arg is the spec after "scheme:"; never empty. */
	int (*open)(const char *arg, struct sink **out, char *err, size_t errlen);
	int (*write)(struct sink *s, const struct record *r);
	int (*commit)(struct sink *s);
	void (*close)(struct sink *s); /* frees; sink_close has already committed */
};

/* First member of every backend's own struct. */
struct sink {
	const struct sink_ops *ops;
	char err[SINK_ERRLEN]; /* last write/commit error */
};

extern const struct sink_ops sink_jsonl_ops;
extern const struct sink_ops sink_sqlite_ops;

/* mkdir -p of the directory part of path.  0 or -errno. */
int sink_mkdir_parent(const char *path);

#endif
