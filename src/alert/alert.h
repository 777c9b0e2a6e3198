/* Alerts: what the analyzer (token hits, tags, any contact) and the
 * CloudTrail reader raise, and where they go.
 *
 * Producers fill a struct alert and call alert_raise(); the hub filters it
 * (ignore rules), aggregates contact alerts per source and window (IDS mode),
 * deduplicates and throttles per (kind, source, token), stores every alert it
 * keeps in the SQLite `alerts` table (schema migration 3) and hands it to the
 * configured channels on its own thread.  alert_raise never blocks on a
 * channel: a slow webhook cannot stall capture or analysis. */
#ifndef MITSU_ALERT_H
#define MITSU_ALERT_H
#include <stddef.h>

enum alert_kind {
	ALERT_TOKEN,      /* a registered honeytoken appeared in a flow */
	ALERT_CONTACT,    /* IDS mode: a source touched the sensor */
	ALERT_TAG,        /* a flow carried a tag chosen with --alert-on tags */
	ALERT_CLOUDTRAIL, /* a CloudTrail event used an aws token */
};

struct alert {
	enum alert_kind kind;
	double ts; /* when it happened (flow start or event time), epoch s */
	char src_addr[64];
	char dst_addr[64];
	unsigned src_port, dst_port;
	char proto[8];        /* "tcp", "udp", "icmp" or "" */
	char token_id[64];    /* ALERT_TOKEN, ALERT_CLOUDTRAIL */
	char token_kind[16];  /* "aws", "password", "url", ... */
	char note[256];       /* the token's note */
	char tag[64];         /* ALERT_TAG */
	char uri[1024];       /* object URI of the flow (s3path) */
	char community_id[64];
	char summary[512];    /* one line for a human */
	const char *detail;   /* optional JSON object with more (where in the
			       * flow, who fetched the bait, CloudTrail
			       * fields); owned by the caller, copied */
};

/* The `alerts` table (migration 3 in src/sink/sqlite.c):
 *   id INTEGER PRIMARY KEY, ts REAL, kind TEXT ("token", "contact", "tag",
 *   "cloudtrail"), src_addr, dst_addr TEXT, src_port, dst_port INTEGER,
 *   proto, token_id, tag, uri, community_id, summary TEXT, doc TEXT (the
 *   whole alert as JSON), dedup_key TEXT UNIQUE (analysing an object twice
 *   never stores an alert twice), created REAL. */

const char *alert_kind_name(enum alert_kind k);

/* Where producers (the analyzer's token scan, `mitsu cloudtrail`) send
 * alerts: the hub's alert_raise in production, anything in a test. */
typedef void (*alert_fn)(void *user, const struct alert *a);

/* The alert as one JSON object (the `doc` column and what channels send). */
struct buf;
int alert_to_json(const struct alert *a, struct buf *out);
/* The deduplication key: the same alert raised again (an object analysed
 * twice, a redelivered event) has the same key. */
void alert_dedup_key(const struct alert *a, char *out, size_t outlen);

/* Stores a in the alerts table of db (opened with sink_sqlite_open_db).
 * 1 when stored, 0 when an alert with the same dedup key was already
 * there, or -errno. */
struct sqlite3;
int alert_db_insert(struct sqlite3 *db, const struct alert *a);

#endif
