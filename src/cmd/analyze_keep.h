/* mitsu analyze --from nats://… --group NAME and --s3-events FILE|-:
 * objects announced as S3 events, fetched from S3 (or a local file) and
 * analysed.  Kept apart from analyze.c, which reads files. */
#ifndef MITSU_ANALYZE_KEEP_H
#define MITSU_ANALYZE_KEEP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct analyzer;
struct analyze_file_stats;
struct bus_event;
struct s3_client;

struct keep_opts {
	const char *from;	 /* nats://HOST:PORT */
	const char *group;	 /* durable consumer name */
	uint32_t ack_wait_s;	 /* redelivery of unacked messages */
	const char *s3_events;	 /* FILE or "-" */
	const char *s3_endpoint; /* else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL */
	bool s3_path_style;
	bool quiet;
};

/* Fetching objects: an S3 client made at the first s3:// URI. */
struct keep_s3 {
	const char *endpoint; /* --s3-endpoint, or NULL */
	bool path_style;
	struct s3_client *cli;
	bool failed; /* configuration missing: said once */
};

/* Analyses the object an event names: s3:// (fetched with GET into memory)
 * or file://.  0, or a negative errno with err set; -EAGAIN, -EACCES,
 * -EIO and -ENOMEM may work later. */
int keep_analyze_uri(struct analyzer *a, struct keep_s3 *s3, const struct bus_event *ev,
		     struct analyze_file_stats *st, char *err, size_t errlen);
void keep_s3_free(struct keep_s3 *s3);

/* Runs until SIGTERM/SIGINT (--from) or the end of the input
 * (--s3-events).  Returns the exit status. */
int analyze_keep_run(struct analyzer *a, const struct keep_opts *o);

#endif
