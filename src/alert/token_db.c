/* The tokens table (schema migration 3): one row per token, every value
 * bound.  doc keeps the whole token as JSON for export. */
#include "alert/token.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "alert/ctjson.h"

#define TOKEN_COLS                                                                                 \
	"id, kind, format, value, secret, key_id, user, note, created, minted_for, minted_ts,"     \
	" minted_uri"

static void token_bind(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int token_db_insert(sqlite3 *db, const struct token *t)
{
	static const char sql[] = "INSERT INTO tokens(" TOKEN_COLS ", doc)"
				  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st = NULL;
	struct buf doc = {0};
	int ret, rc;

	if ((ret = token_to_json(t, &doc)))
		goto out;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = -EIO;
		goto out;
	}
	token_bind(st, 1, t->id);
	token_bind(st, 2, t->kind);
	token_bind(st, 3, t->format);
	sqlite3_bind_text(st, 4, t->value, -1, SQLITE_STATIC);
	token_bind(st, 5, t->secret);
	token_bind(st, 6, t->key_id);
	token_bind(st, 7, t->user);
	token_bind(st, 8, t->note);
	sqlite3_bind_double(st, 9, t->created);
	token_bind(st, 10, t->minted_for);
	if (t->minted_for[0])
		sqlite3_bind_double(st, 11, t->minted_ts);
	token_bind(st, 12, t->minted_uri);
	sqlite3_bind_text(st, 13, (const char *)doc.p, (int)doc.len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ret = rc == SQLITE_DONE ? 0 : (rc & 0xff) == SQLITE_CONSTRAINT ? -EEXIST
	    : (rc & 0xff) == SQLITE_BUSY ? -EBUSY : -EIO;
out:
	sqlite3_finalize(st);
	buf_free(&doc);
	return ret;
}

static void token_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", v ? (const char *)v : "");
}

static void token_row(sqlite3_stmt *st, struct token *t)
{
	memset(t, 0, sizeof(*t));
	token_col(st, 0, t->id, sizeof(t->id));
	token_col(st, 1, t->kind, sizeof(t->kind));
	token_col(st, 2, t->format, sizeof(t->format));
	token_col(st, 3, t->value, sizeof(t->value));
	token_col(st, 4, t->secret, sizeof(t->secret));
	token_col(st, 5, t->key_id, sizeof(t->key_id));
	token_col(st, 6, t->user, sizeof(t->user));
	token_col(st, 7, t->note, sizeof(t->note));
	t->created = sqlite3_column_double(st, 8);
	token_col(st, 9, t->minted_for, sizeof(t->minted_for));
	t->minted_ts = sqlite3_column_double(st, 10);
	token_col(st, 11, t->minted_uri, sizeof(t->minted_uri));
}

int token_db_get(sqlite3 *db, const char *id, struct token *t)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if (sqlite3_prepare_v2(db, "SELECT " TOKEN_COLS " FROM tokens WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_row(st, t);
	ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(st);
	return ret;
}

int token_db_delete(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(db, "DELETE FROM tokens WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	ret = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db) ? 0 : -ENOENT) : -EIO;
	sqlite3_finalize(st);
	return ret;
}

int token_db_each(sqlite3 *db, int (*fn)(void *user, const struct token *t), void *user)
{
	sqlite3_stmt *st = NULL;
	struct token t;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT " TOKEN_COLS " FROM tokens ORDER BY created, id", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		token_row(st, &t);
		if ((ret = fn(user, &t)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(st);
	return ret;
}

int token_db_stamp(sqlite3 *db, char *out, size_t outlen)
{
	sqlite3_stmt *st = NULL;
	int ret = -EIO;

	if (sqlite3_prepare_v2(db, "SELECT count(*), max(created), total(length(id))"
				   " FROM tokens", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, outlen, "%lld/%.6f/%.0f", (long long)sqlite3_column_int64(st, 0),
			 sqlite3_column_double(st, 1), sqlite3_column_double(st, 2));
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

static void token_field(const struct ctjson *d, const char *k, char *out, size_t n)
{
	ctjson_text(d, ctjson_get(d, 0, k), out, n);
}

/* Imported tokens end up on terminals and in bait files: no control bytes. */
static int token_clean(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

int token_from_json(const char *line, size_t n, struct token *t)
{
	struct ctjson d = {.max_nodes = 256};
	int ret;

	memset(t, 0, sizeof(*t));
	ret = ctjson_parse(&d, line, n, NULL);
	if (ret || d.n[0].type != CTJSON_OBJ) {
		ret = -EINVAL;
		goto out;
	}
	token_field(&d, "id", t->id, sizeof(t->id));
	token_field(&d, "kind", t->kind, sizeof(t->kind));
	token_field(&d, "format", t->format, sizeof(t->format));
	token_field(&d, "value", t->value, sizeof(t->value));
	token_field(&d, "secret", t->secret, sizeof(t->secret));
	token_field(&d, "key_id", t->key_id, sizeof(t->key_id));
	token_field(&d, "user", t->user, sizeof(t->user));
	token_field(&d, "note", t->note, sizeof(t->note));
	token_field(&d, "minted_for", t->minted_for, sizeof(t->minted_for));
	token_field(&d, "minted_uri", t->minted_uri, sizeof(t->minted_uri));
	t->created = ctjson_num(&d, ctjson_get(&d, 0, "created"));
	t->minted_ts = ctjson_num(&d, ctjson_get(&d, 0, "minted_ts"));
	if (!t->id[0] || !t->value[0] || !token_kind_valid(t->kind) ||
	    (t->format[0] && !token_format_valid(t->format)) || !token_clean(t->id) ||
	    !token_clean(t->value) || !token_clean(t->secret) || !token_clean(t->key_id) ||
	    !token_clean(t->user) || !token_clean(t->note) || !token_clean(t->minted_for) ||
	    !token_clean(t->minted_uri))
		ret = -EINVAL;
out:
	ctjson_free(&d);
	return ret;
}
