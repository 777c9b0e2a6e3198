/* Record sinks: where analysed flows go.  One spec string picks the backend:
 *   "jsonl:-"      one JSON object per line on stdout
 *   "jsonl:PATH"   the same, appended to PATH
 *   "sqlite:PATH"  SQLite database (WAL, upsert on (s3path, flow_key))
 * A missing parent directory of PATH is created.  Records written between two
 * commits form one batch; sink_commit makes the batch durable. */
#ifndef MITSU_SINK_H
#define MITSU_SINK_H
#include <stddef.h>

struct record;
struct sink; /* opaque */

/* 0 or -errno; on failure err holds a message naming the file. */
int sink_open(const char *spec, struct sink **out, char *err, size_t errlen);
int sink_write(struct sink *s, const struct record *r);
/* Called after each analysed object: the records are durable after return. */
int sink_commit(struct sink *s);
/* Message for the last failed sink_write/sink_commit (names the file). */
const char *sink_errmsg(const struct sink *s);
/* Commits, then frees.  Call sink_commit first to learn whether that worked;
 * a failure here is only reported on stderr. */
void sink_close(struct sink *s);

#endif
