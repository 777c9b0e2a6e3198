/* Finding honeytokens in flows.
 *
 * Every detectable string of every registered token (value, secret, key id;
 * at least 8 bytes) is expanded into its forms -- plain, URL-encoded (three
 * common encoders: RFC 3986 unreserved, encodeURIComponent, Python quote)
 * and base64 (standard and URL alphabet) at the three alignments a string
 * can take inside a longer base64 text, keeping only the characters that do
 * not depend on neighbouring bytes -- and the first 8 bytes of each form go
 * into ONE Aho-Corasick automaton (rules/aho.h).  A record's client and
 * server bytes are each scanned once; only forms whose prefix was seen are
 * then confirmed (and located) with a memmem of the whole form, so the
 * automaton stays small with thousands of tokens.
 *
 * A hit adds {id, kind, note, dir, offset, form} to the record's `tokens`
 * member and raises one ALERT_TOKEN per (token, connection) through an
 * alert_fn: a TCP connection the sensor wrote as several objects (its
 * retransmissions came after idle gaps) raises one alert, not one per object.
 * A token minted for a visitor (per-visitor bait) is not "used" by the
 * flow that delivered it: hits in the server bytes of a flow whose client
 * is the token's minted_for address are ignored. */
#ifndef MITSU_TOKSCAN_H
#define MITSU_TOKSCAN_H
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "alert/token.h"

enum tokscan_form { TOKSCAN_PLAIN, TOKSCAN_URL, TOKSCAN_BASE64 };
enum { TOKSCAN_CLIENT = 0, TOKSCAN_SERVER = 1 };

#define TOKSCAN_MIN_LEN 8
#define TOKSCAN_PREFIX 8
#define TOKSCAN_MAX_HITS 16 /* per record */

struct tokscan_hit {
	uint32_t tok; /* index for tokscan_token */
	uint8_t dir, form;
	uint64_t offset;
};

struct tokscan;

/* A matcher over n tokens (copied).  0 or -errno. */
int tokscan_build(struct tokscan **out, const struct token *toks, size_t n);
/* A matcher that loads every token of the SQLite database at path (its own
 * connection) and reloads when the tokens table changes. */
int tokscan_open(struct tokscan **out, const char *db_path, char *err, size_t errlen);
/* Reloads if the tokens table changed (cheap when it did not).  0 or -errno
 * (the old token set stays in use). */
int tokscan_refresh(struct tokscan *s);
size_t tokscan_count(const struct tokscan *s);
const struct token *tokscan_token(const struct tokscan *s, uint32_t i);
/* Scans p[0..n) as direction dir; appends at most max hits, the earliest
 * offset per token.  Returns the number appended. */
size_t tokscan_scan(struct tokscan *s, const uint8_t *p, size_t n, uint8_t dir,
		    struct tokscan_hit *hits, size_t max);

struct record;
/* Scans both directions of r, appends `tokens` to its JSON and raises one
 * alert per token found (fn may be NULL).  Returns the number of tokens. */
int tokscan_record(struct tokscan *s, struct record *r, alert_fn fn, void *user);

/* The forms of one string, for tests: calls fn for each distinct form. */
int tokscan_forms(const char *str, size_t n,
		  int (*fn)(void *user, const char *form, size_t len, enum tokscan_form f),
		  void *user);
const char *tokscan_form_name(uint8_t form);

void tokscan_free(struct tokscan *s);

#endif
