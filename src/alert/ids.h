/* IDS mode: a honeypot inside a network has no legitimate users, so every
 * contact is a signal.  The analyzer's record hook (alert_ids_attach) turns
 * each record into a contact observation (--alert-on any) and tag alerts
 * (--alert-on tags); the hub aggregates observations per source and window
 * (struct alert_agg) into one ALERT_CONTACT naming the ports touched:
 *   "10.0.0.5 probed 200 ports on 10.0.0.1 in 3 s: port scan (tcp 1-200)" */
#ifndef MITSU_ALERT_IDS_H
#define MITSU_ALERT_IDS_H
#include <stdbool.h>

#include "alert/alert.h"

struct analyzer;
struct alert_hub;
struct record;

/* Wraps the analyzer's current hook: it runs first (dissectors, tags),
 * then the record goes to the hub as configured.  0 or -ENOMEM. */
struct alert_ids;
int alert_ids_attach(struct analyzer *a, struct alert_hub *hub, struct alert_ids **out);
void alert_ids_free(struct alert_ids *ids);
/* The per-record step alone (ignore rules, contact, tags). */
void alert_ids_record(struct alert_hub *hub, const struct record *r);

/* Aggregation per source: observations within window_s of flow time become
 * one alert, emitted once the window is window_s old (wall time) and the
 * source has been quiet for min(window_s, 10 s), or at the latest after
 * max(4 windows, 120 s). */
struct alert_agg;
typedef void (*alert_agg_emit_fn)(void *user, const struct alert *a);
int alert_agg_new(struct alert_agg **out, unsigned window_s, alert_agg_emit_fn emit, void *user);
/* One observation (ALERT_CONTACT for one flow); now: monotonic seconds. */
void alert_agg_add(struct alert_agg *g, const struct alert *a, double now);
/* Emits windows opened window_s ago or more (all: every window). */
void alert_agg_expire(struct alert_agg *g, double now, bool all);
/* Observations dropped because too many sources were open at once. */
unsigned long long alert_agg_overflow(const struct alert_agg *g);
void alert_agg_free(struct alert_agg *g);

#endif
