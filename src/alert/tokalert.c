/* A small queue of alerts and one thread that stores them.  Bounded: past
 * TOKALERT_MAX queued alerts new ones are counted as failed, never block. */
#include "alert/tokalert.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "core/log.h"
#include "sink/sqlite.h"

#define TOKALERT_MAX 4096

struct tokalert_item {
	struct tokalert_item *next;
	struct alert a;
	char *detail;
};

struct tokalert {
	sqlite3 *db;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct tokalert_item *head, *tail;
	size_t queued;
	bool stop, busy;
	unsigned long long stored, failed;
};

static void tokalert_store(struct tokalert *q, struct tokalert_item *it)
{
	int ret;

	it->a.detail = it->detail;
	/* The sink may hold the write lock for a whole batch: keep trying. */
	for (int i = 0; i < 60; i++)
		if ((ret = alert_db_insert(q->db, &it->a)) != -EIO ||
		    sqlite3_errcode(q->db) != SQLITE_BUSY)
			break;
	pthread_mutex_lock(&q->mu);
	if (ret < 0)
		q->failed++;
	else
		q->stored++;
	pthread_mutex_unlock(&q->mu);
	if (ret < 0)
		log_err("alert %s: not stored: %s", it->a.token_id, sqlite3_errmsg(q->db));
}

static void *tokalert_main(void *arg)
{
	struct tokalert *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head)
			break;
		struct tokalert_item *it = q->head;
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		q->queued--;
		q->busy = true;
		pthread_mutex_unlock(&q->mu);
		tokalert_store(q, it);
		free(it->detail);
		free(it);
		pthread_mutex_lock(&q->mu);
		q->busy = false;
		if (!q->head)
			pthread_cond_broadcast(&q->idle);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int tokalert_open(struct tokalert **out, const char *db_path, char *err, size_t errlen)
{
	struct tokalert *q = calloc(1, sizeof(*q));
	int ret;

	*out = NULL;
	if (!q)
		return -ENOMEM;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	pthread_cond_init(&q->idle, NULL);
	if ((ret = sink_sqlite_open_db(db_path, &q->db, err, errlen)))
		goto fail;
	if ((ret = -pthread_create(&q->th, NULL, tokalert_main, q))) {
		snprintf(err, errlen, "alerts: cannot start a thread");
		goto fail;
	}
	*out = q;
	return 0;
fail:
	sqlite3_close(q->db);
	free(q);
	return ret;
}

void tokalert_raise(void *user, const struct alert *a)
{
	struct tokalert *q = user;
	struct tokalert_item *it = calloc(1, sizeof(*it));

	if (it) {
		it->a = *a;
		it->a.detail = NULL;
		if (a->detail && !(it->detail = strdup(a->detail))) {
			free(it);
			it = NULL;
		}
	}
	pthread_mutex_lock(&q->mu);
	if (!it || q->queued >= TOKALERT_MAX) {
		q->failed++;
		pthread_mutex_unlock(&q->mu);
		if (it)
			free(it->detail), free(it);
		return;
	}
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->queued++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

void tokalert_flush(struct tokalert *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->head || q->busy)
		pthread_cond_wait(&q->idle, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

void tokalert_stats(struct tokalert *q, unsigned long long *stored, unsigned long long *failed)
{
	pthread_mutex_lock(&q->mu);
	*stored = q->stored;
	*failed = q->failed;
	pthread_mutex_unlock(&q->mu);
}

void tokalert_close(struct tokalert *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	sqlite3_close(q->db);
	pthread_cond_destroy(&q->cv);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
