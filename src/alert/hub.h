/* The alert hub: where every alert goes (alert.h's alert_fn, via
 * alert_raise), on one thread of its own:
 *
 *   alert_raise ─► bounded queue ─► ignore rules ─┐
 *   alert_hub_contact ─► IDS windows ─► (queue) ───┴► store (SQLite alerts
 *     table) ─► throttle ─► channel queues (one thread per channel)
 *
 * alert_raise copies and returns at once; a full queue drops the alert,
 * counts it and logs once per interval.  Every alert that passes the ignore
 * rules is stored (the table's dedup key drops exact repeats); throttling
 * only limits what reaches the channels: at most throttle_n alerts per
 * (kind, source, token or tag) per throttle_s seconds, the rest counted and
 * reported in one summary message per interval (log line and channels). */
#ifndef MITSU_ALERT_HUB_H
#define MITSU_ALERT_HUB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "alert/ignore.h"

#define ALERT_MAX_CHANNELS 16
#define ALERT_MAX_ON_TAGS 32

struct alert_chan_cfg {
	char type[16]; /* "webhook", "syslog", "email", "exec" */
	char *spec;    /* owned */
};

struct alert_hub_cfg {
	struct alert_ignore ignore;
	bool on_any;  /* IDS: ALERT_CONTACT per source and window */
	bool on_tags; /* ALERT_TAG for records with chosen tags */
	char tags[ALERT_MAX_ON_TAGS][64];
	unsigned ntags;			 /* 0 with on_tags: every tag */
	unsigned window_s;		 /* IDS window (default 60) */
	unsigned throttle_n, throttle_s; /* default 5 per 300 s */
	unsigned timeout_s;		 /* per channel attempt (default 10) */
	unsigned retries;		 /* per alert and channel (default 3) */
	unsigned queue_len;		 /* hub queue (default 16384) */
	struct alert_chan_cfg chans[ALERT_MAX_CHANNELS];
	unsigned nchans;
};

void alert_hub_cfg_defaults(struct alert_hub_cfg *cfg);
void alert_hub_cfg_free(struct alert_hub_cfg *cfg);
/* True when anything is configured that needs a hub (a channel, --alert-on). */
bool alert_hub_cfg_active(const struct alert_hub_cfg *cfg);

struct alert_hub;

/* Opens the channels and db_path's alerts table (NULL: store nothing) and
 * starts the hub thread.  cfg is copied.  0 or -errno with err set. */
int alert_hub_open(const struct alert_hub_cfg *cfg, const char *db_path, struct alert_hub **out,
		   char *err, size_t errlen);
/* alert_fn: queue a copy of a (and of a->detail); never blocks. */
void alert_raise(void *hub, const struct alert *a);
/* IDS input: one contact observation (one flow), aggregated per source at
 * once on the caller's thread (a short lock, no copy, no queue: a full
 * port scan must not fill the queue); finished windows are queued. */
void alert_hub_contact(struct alert_hub *h, const struct alert *a);
/* The ignore rules, as they are now (SIGHUP may replace them). */
bool alert_hub_ignored(struct alert_hub *h, const struct alert_subject *s);
/* SIGHUP: takes cfg's ignore rules; channels, --alert-on, the window and
 * the throttle stay as started (logged when they differ). */
void alert_hub_reload(struct alert_hub *h, const struct alert_hub_cfg *cfg);
/* An observation the producer's own ignore check dropped (for the counters). */
void alert_hub_count_ignored(struct alert_hub *h);
const struct alert_hub_cfg *alert_hub_config(const struct alert_hub *h);

struct alert_hub_stats {
	uint64_t raised, dropped, ignored, contacts, stored, duplicates, sent, suppressed,
	    store_errors;
};
void alert_hub_get_stats(struct alert_hub *h, struct alert_hub_stats *st);
/* Waits until the queue is empty and processed (tests, end of a batch). */
void alert_hub_flush(struct alert_hub *h);
/* Emits open IDS windows and the throttle summary, drains the queue, gives
 * channels up to deadline_s to deliver, logs counters, frees. */
void alert_hub_close(struct alert_hub *h, unsigned deadline_s);

#endif
