/* Honeytokens: bait credentials, URLs, keys and files whose every use is a
 * signal.  A token is minted from getrandom() in the shape of the real thing
 * (an AWS key pair, a GitHub token, a .env file ...) and kept in the SQLite
 * `tokens` table (schema migration 3) so the analyzer (tokscan.h) and
 * `mitsu cloudtrail` can recognise it later.
 *
 * Fields by kind (the detectable strings are value, secret and key_id):
 *   aws       value = access key id (AKIA...), secret = secret key,
 *             user = IAM user name (token add; CloudTrail's userName)
 *   password  user, value = password
 *   url       value = path on the sensor's HTTP side (/backup/db-....sql.gz)
 *   apikey    value = key (prefix + body shaped per prefix)
 *   dns       value = hostname under --domain, secret = its first label
 *             (the random part; DNS wire format has no dots)
 *   file      format = env | aws-credentials | wp-config | id_rsa |
 *             git-credentials; token_render() writes the bait file:
 *             env:             user/value = DB user/password, key_id/secret = AWS pair
 *             aws-credentials: value/secret = AWS pair
 *             wp-config:       user/value = DB user/password, secret = AUTH_KEY
 *             id_rsa:          value = a marker inside the key block
 *             git-credentials: user, value = ghp_ token
 */
#ifndef MITSU_TOKEN_H
#define MITSU_TOKEN_H
#include <stddef.h>

#include "core/buf.h"

#define TOKEN_ID_LEN 32
#define TOKEN_VALUE_LEN 256

struct token {
	char id[TOKEN_ID_LEN];  /* "tk-" + 12 hex */
	char kind[16];          /* aws, password, url, apikey, dns, file */
	char format[24];        /* file kind only */
	char value[TOKEN_VALUE_LEN];
	char secret[TOKEN_VALUE_LEN];
	char key_id[64];
	char user[128];
	char note[256];
	double created;
	char minted_for[64];    /* per-visitor bait: the address that fetched it */
	double minted_ts;
	char minted_uri[256];   /* the path it was fetched from */
};

struct token_opts {
	const char *kind;   /* required */
	const char *prefix; /* apikey: ghp_, xoxb-, sk_live_, ... (default ghp_) */
	const char *domain; /* dns: required */
	const char *format; /* file: default env */
	const char *note;
	const char *path;   /* url: a chosen path instead of a random one */
};

/* True for a kind / file format this module knows. */
int token_kind_valid(const char *kind);
int token_format_valid(const char *format);
/* "env|aws-credentials|..." for messages. */
extern const char token_formats_help[];

/* Mints a new token (random id and values from getrandom).  0, -EINVAL
 * (err says why: unknown kind, dns without domain, ...) or -EIO. */
int token_mint(const struct token_opts *o, struct token *t, char *err, size_t errlen);

/* Writes the bait text of t: the file for kind file, else a short text
 * showing the token (key=value lines).  0 or -ENOMEM. */
int token_render(const struct token *t, struct buf *out);

/* One JSON object (the `doc` column, export lines). */
int token_to_json(const struct token *t, struct buf *out);

/* Random helpers (getrandom): n chars of alphabet into out (NUL added,
 * out has n + 1 bytes).  0 or -EIO. */
int token_random_chars(char *out, size_t n, const char *alphabet);

/* ---- storage (a database opened with sink_sqlite_open_db) ---- */
struct sqlite3;
/* Inserts t; -EEXIST if its id is taken. */
int token_db_insert(struct sqlite3 *db, const struct token *t);
/* Finds by id.  0, -ENOENT, -EIO. */
int token_db_get(struct sqlite3 *db, const char *id, struct token *t);
int token_db_delete(struct sqlite3 *db, const char *id);
/* Calls fn for every token in creation order; stops when fn returns
 * non-zero and returns that.  0 or -EIO. */
int token_db_each(struct sqlite3 *db, int (*fn)(void *user, const struct token *t), void *user);
/* A value that changes whenever the tokens table does (count and newest
 * creation), for cheap reload checks. */
int token_db_stamp(struct sqlite3 *db, char *out, size_t outlen);

/* Reads one JSON line (as token_to_json writes) into t.  0 or -EINVAL. */
int token_from_json(const char *line, size_t n, struct token *t);

#endif
