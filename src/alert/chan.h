/* Alert channels: where alerts go after the hub kept them.  Each backend
 * (ch_webhook.c, ch_syslog.c, ch_email.c, ch_exec.c) is a table of function
 * pointers; each configured channel runs on its own thread with its own
 * bounded queue, so a slow or dead channel delays only itself: the hub
 * never waits for it.  A failed send is retried with exponential backoff
 * (1 s, 2 s, 4 s, ... up to the configured retries); every attempt is
 * bounded by the channel timeout; failures are counted and logged. */
#ifndef MITSU_ALERT_CHAN_H
#define MITSU_ALERT_CHAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One message for the channels: an alert or a throttling summary. */
struct alert_msg {
	char kind[16]; /* "token", "contact", "tag", "cloudtrail" or "summary" */
	double ts;
	char src[64];
	const char *json; /* the whole alert as one JSON object */
	const char *text; /* one line for a human (no control characters) */
};

struct alert_chan;

struct alert_chan_ops {
	const char *name; /* "webhook", "syslog", "email", "exec" */
	/* Parses spec (the option's value), prepares state in *state. */
	int (*open)(const char *spec, unsigned timeout_s, void **state, char *err, size_t errlen);
	/* One attempt, bounded by the timeout.  0 or -errno with err set. */
	int (*send)(void *state, const struct alert_msg *m, char *err, size_t errlen);
	void (*close)(void *state);
};

extern const struct alert_chan_ops alert_ch_webhook, alert_ch_syslog, alert_ch_email, alert_ch_exec;
/* The backend called name, or NULL. */
const struct alert_chan_ops *alert_chan_find(const char *name);

struct alert_chan_stats {
	uint64_t sent, failed_attempts, given_up, dropped_full;
};

/* Opens the backend and starts its thread.  0 or -errno with err set. */
int alert_chan_open(const struct alert_chan_ops *ops, const char *spec, unsigned timeout_s,
		    unsigned retries, unsigned queue_len, struct alert_chan **out, char *err,
		    size_t errlen);
/* Copies m into the channel's queue; never waits.  -ENOBUFS when full
 * (counted). */
int alert_chan_post(struct alert_chan *c, const struct alert_msg *m);
/* Asks the thread to finish what is queued within deadline_s; returns at
 * once (so several channels wind down together). */
void alert_chan_stop(struct alert_chan *c, unsigned deadline_s);
/* Sends what is queued (each message gets its attempts, within deadline_s
 * in total), stops the thread, logs the counters, frees. */
void alert_chan_close(struct alert_chan *c, unsigned deadline_s);
void alert_chan_get_stats(struct alert_chan *c, struct alert_chan_stats *st);
const char *alert_chan_label(const struct alert_chan *c);

/* Shared by backends: the message body in the shape a webhook format
 * wants ("json", "slack", "discord", "mattermost", "teams").  0 or -errno. */
struct buf;
int alert_webhook_body(const char *format, const struct alert_msg *m, struct buf *out);
/* One RFC 5424 message: <PRI>1 TIMESTAMP HOST mitsu PID KIND [SD] MSG.
 * facility is the syslog facility number (default 16, local0). */
int alert_syslog_format(const struct alert_msg *m, int facility, const char *host, int pid,
			struct buf *out);

#endif
