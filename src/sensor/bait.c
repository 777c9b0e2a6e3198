/* Per-visitor bait pools and their minting thread.  See bait.h. */
#include "sensor/bait.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "alert/token.h"
#include "core/buf.h"
#include "core/log.h"
#include "sink/sqlite.h"

#define BAIT_POOL 8     /* ready responses per path */
#define BAIT_PENDING 64 /* handed out, not yet stored */
#define BAIT_SEEN 1024  /* recent requests answered (retransmissions) */

struct bait_slot {
	struct token t;
	uint8_t resp[BAIT_RESP_MAX];
	size_t len;
};

struct bait {
	struct bait_entry e[BAIT_MAX];
	int n;
	sqlite3 *db;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct bait_slot pool[BAIT_MAX][BAIT_POOL];
	unsigned npool[BAIT_MAX];
	struct token pending[BAIT_PENDING];
	unsigned npending;
	uint64_t seen[BAIT_SEEN];
	unsigned seen_next;
	uint64_t sent, empty, store_failed;
};

int bait_parse(const char *arg, struct bait_entry *e)
{
	const char *eq = strrchr(arg, '=');
	size_t pl;

	if (!eq || arg[0] != '/' || (pl = (size_t)(eq - arg)) >= sizeof(e->path) ||
	    !token_format_valid(eq + 1))
		return -EINVAL;
	for (size_t i = 0; i < pl; i++)
		if ((unsigned char)arg[i] <= 0x20 || (unsigned char)arg[i] >= 0x7f)
			return -EINVAL;
	memcpy(e->path, arg, pl);
	e->path[pl] = 0;
	snprintf(e->format, sizeof(e->format), "%s", eq + 1);
	return 0;
}

static const char *bait_ctype(const char *format)
{
	return !strcmp(format, "wp-config") ? "text/plain; charset=UTF-8" : "application/octet-stream";
}

/* Mints a token for entry i and renders its whole HTTP response. */
static int bait_fill(struct bait_entry *e, struct bait_slot *s)
{
	struct token_opts o = {.kind = "file", .format = e->format, .note = "per-visitor bait"};
	struct buf body = {0}, r = {0};
	char err[128];
	int ret = token_mint(&o, &s->t, err, sizeof(err));

	ret = ret ?: token_render(&s->t, &body);
	ret = ret ?: buf_printf(&r, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
				    "Content-Type: %s\r\nContent-Length: %zu\r\n"
				    "Connection: close\r\n\r\n",
				bait_ctype(e->format), body.len);
	ret = ret ?: buf_append(&r, body.p, body.len);
	if (!ret && r.len > sizeof(s->resp))
		ret = -E2BIG;
	if (!ret) {
		memcpy(s->resp, r.p, r.len);
		s->len = r.len;
	}
	buf_free(&body);
	buf_free(&r);
	return ret;
}

/* With the lock held: one step of work, done unlocked.  true if any. */
static bool bait_work(struct bait *b)
{
	struct bait_slot slot;

	if (b->npending) {
		struct token t = b->pending[--b->npending];
		pthread_mutex_unlock(&b->mu);
		int ret = token_db_insert(b->db, &t);
		if (ret)
			log_err("bait: storing token %s for %s: %s", t.id, t.minted_for,
				sqlite3_errmsg(b->db));
		pthread_mutex_lock(&b->mu);
		if (ret)
			b->store_failed++;
		return true;
	}
	for (int i = 0; !b->stop && i < b->n; i++) {
		if (b->npool[i] >= BAIT_POOL)
			continue;
		pthread_mutex_unlock(&b->mu);
		int ret = bait_fill(&b->e[i], &slot);
		pthread_mutex_lock(&b->mu);
		if (ret)
			return false;
		if (b->npool[i] < BAIT_POOL)
			b->pool[i][b->npool[i]++] = slot;
		return true;
	}
	return false;
}

static void *bait_main(void *arg)
{
	struct bait *b = arg;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		if (bait_work(b))
			continue;
		if (b->stop)
			break;
		pthread_cond_wait(&b->cv, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int bait_open(struct bait **out, const struct bait_entry *e, int n, const char *db_path,
	      char *err, size_t errlen)
{
	struct bait *b = calloc(1, sizeof(*b));
	int ret;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->n = n < BAIT_MAX ? n : BAIT_MAX;
	memcpy(b->e, e, (size_t)b->n * sizeof(*e));
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if ((ret = sink_sqlite_open_db(db_path, &b->db, err, errlen)))
		goto fail;
	/* Full pools before the first packet. */
	pthread_mutex_lock(&b->mu);
	while (bait_work(b))
		;
	pthread_mutex_unlock(&b->mu);
	if ((ret = -pthread_create(&b->th, NULL, bait_main, b))) {
		snprintf(err, errlen, "bait: cannot start a thread");
		goto fail;
	}
	*out = b;
	return 0;
fail:
	sqlite3_close(b->db);
	free(b);
	return ret;
}

int bait_match_entries(const struct bait_entry *e, int n, const uint8_t *p, size_t len)
{
	if (len < 5 || memcmp(p, "GET ", 4))
		return -1;
	for (int i = 0; i < n; i++) {
		size_t pl = strnlen(e[i].path, sizeof(e[i].path));
		if (len > 4 + pl && !memcmp(p + 4, e[i].path, pl) &&
		    (p[4 + pl] == ' ' || p[4 + pl] == '?'))
			return i;
	}
	return -1;
}

int bait_match(const struct bait *b, const uint8_t *p, size_t len)
{
	return bait_match_entries(b->e, b->n, p, len);
}

int bait_take(struct bait *b, int i, uint64_t flow_hash, const char *src, double ts,
	      uint8_t *out, size_t cap)
{
	struct bait_slot *s;
	int ret;

	if (i < 0 || i >= b->n)
		return -EINVAL;
	pthread_mutex_lock(&b->mu);
	for (unsigned k = 0; k < BAIT_SEEN; k++)
		if (b->seen[k] == flow_hash) {
			pthread_mutex_unlock(&b->mu);
			return -EALREADY;
		}
	if (!b->npool[i] || b->npending == BAIT_PENDING || cap < BAIT_RESP_MAX) {
		b->empty++;
		pthread_mutex_unlock(&b->mu);
		return -EAGAIN;
	}
	s = &b->pool[i][--b->npool[i]];
	memcpy(out, s->resp, s->len);
	ret = (int)s->len;
	snprintf(s->t.minted_for, sizeof(s->t.minted_for), "%s", src);
	memcpy(s->t.minted_uri, b->e[i].path, sizeof(b->e[i].path)); /* NUL inside, 128 < 256 */
	s->t.minted_ts = ts;
	s->t.created = ts;
	b->pending[b->npending++] = s->t;
	b->seen[b->seen_next++ % BAIT_SEEN] = flow_hash;
	b->sent++;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return ret;
}

void bait_stats(struct bait *b, uint64_t *sent, uint64_t *empty, uint64_t *store_failed)
{
	pthread_mutex_lock(&b->mu);
	*sent = b->sent, *empty = b->empty, *store_failed = b->store_failed;
	pthread_mutex_unlock(&b->mu);
}

void bait_close(struct bait *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->th, NULL);
	sqlite3_close(b->db);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
