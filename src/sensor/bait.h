/* Per-visitor bait: the sensor's one HTTP answer on chosen paths.
 *
 * With --bait PATH=FORMAT, a client that completes our handshake and sends
 * "GET PATH HTTP/1.x" gets one bounded HTTP/1.1 200 response (ACK, PSH,
 * FIN; a few hundred bytes) whose body is a bait file (token.h formats)
 * with a honeytoken minted for that client: the token is stored with
 * minted_for = the client's address, minted_ts and minted_uri = PATH, so a
 * later use from any address names who fetched it.
 *
 * The capture loop never waits on SQLite: tokens are minted and their HTTP
 * responses rendered ahead of time into a small pool per path by a thread
 * of our own, which also stores each handed-out token.  An empty pool means
 * no answer (counted), never a wait. */
#ifndef MITSU_BAIT_H
#define MITSU_BAIT_H
#include <stddef.h>
#include <stdint.h>

#define BAIT_MAX 8
#define BAIT_PATH_LEN 128
#define BAIT_RESP_MAX 1024 /* bytes of HTTP response, headers included */

struct bait_entry {
	char path[BAIT_PATH_LEN];
	char format[24];
};

/* "PATH=FORMAT" into e.  0 or -EINVAL. */
int bait_parse(const char *arg, struct bait_entry *e);

struct bait;

/* Opens db_path (before the sensor drops privileges), fills the pools and
 * starts the minting thread.  0 or -errno (err set). */
int bait_open(struct bait **out, const struct bait_entry *e, int n, const char *db_path,
	      char *err, size_t errlen);
/* The entry whose "GET PATH " (or "GET PATH?") starts this client
 * payload, or -1; bait_match_entries does it on a plain array. */
int bait_match(const struct bait *b, const uint8_t *payload, size_t len);
int bait_match_entries(const struct bait_entry *e, int n, const uint8_t *payload, size_t len);
/* Takes the next pre-rendered response for entry i and records that it
 * went to src at ts (stored by the thread).  flow_hash names the request
 * (flow and sequence number): the same request is answered once.  Returns
 * the response length (copied into out), -EALREADY (answered before) or
 * -EAGAIN (pool empty). */
int bait_take(struct bait *b, int i, uint64_t flow_hash, const char *src, double ts,
	      uint8_t *out, size_t cap);
/* Handed out, pool-empty misses, store failures. */
void bait_stats(struct bait *b, uint64_t *sent, uint64_t *empty, uint64_t *store_failed);
/* Stores what was handed out, stops the thread, closes the database. */
void bait_close(struct bait *b);

#endif
