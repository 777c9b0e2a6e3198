/* mitsu analyze --from nats://… --group NAME and --s3-events FILE|-:
 * objects announced as S3 events, fetched from S3 (or a local file) and
 * analysed.  Kept apart from analyze.c, which reads files. */
#ifndef MITSU_ANALYZE_KEEP_H
#define MITSU_ANALYZE_KEEP_H
#include <stdbool.h>
#include <stdint.h>

struct analyzer;

struct keep_opts {
	const char *from;	 /* nats://HOST:PORT */
	const char *group;	 /* durable consumer name */
	uint32_t ack_wait_s;	 /* redelivery of unacked messages */
	const char *s3_events;	 /* FILE or "-" */
	const char *s3_endpoint; /* else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL */
	bool s3_path_style;
	bool quiet;
};

/* Runs until SIGTERM/SIGINT (--from) or the end of the input
 * (--s3-events).  Returns the exit status. */
int analyze_keep_run(struct analyzer *a, const struct keep_opts *o);

#endif
