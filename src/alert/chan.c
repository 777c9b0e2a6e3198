/* The channel worker: one thread and one bounded queue per channel, with
 * retries and exponential backoff around the backend's single attempt. */
#include "alert/chan.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

struct chan_item {
	struct alert_msg m; /* json and text owned */
};

struct alert_chan {
	const struct alert_chan_ops *ops;
	void *state;
	char label[80];
	unsigned retries;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chan_item *q;
	unsigned cap, head, n;
	int stop;
	struct timespec deadline; /* after stop: give up waiting past this */
	struct alert_chan_stats st;
	int started;
};

static const struct alert_chan_ops *const backends[] = {
    &alert_ch_webhook,
    &alert_ch_syslog,
    &alert_ch_email,
    &alert_ch_exec,
};

const struct alert_chan_ops *alert_chan_find(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

const char *alert_chan_label(const struct alert_chan *c)
{
	return c->label;
}

static void item_free(struct chan_item *it)
{
	free((char *)it->m.json);
	free((char *)it->m.text);
}

int alert_chan_post(struct alert_chan *c, const struct alert_msg *m)
{
	struct chan_item it = {.m = *m};
	int ret = 0;

	it.m.json = strdup(m->json ? m->json : "{}");
	it.m.text = strdup(m->text ? m->text : "");
	pthread_mutex_lock(&c->mu);
	if (!it.m.json || !it.m.text || c->n == c->cap || c->stop) {
		uint64_t d = ++c->st.dropped_full;
		/* logged at 1, 2, 4, 8, ... drops: a dead channel under a flood of
		 * alerts must not flood the log too */
		if (!(d & (d - 1)))
			log_warn("alert channel %s: queue full (%u), %llu alerts dropped", c->label,
				 c->cap, (unsigned long long)d);
		ret = -ENOBUFS;
	} else {
		c->q[(c->head + c->n++) % c->cap] = it;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	if (ret)
		item_free(&it);
	return ret;
}

/* "webhook:https://hooks.slack.com": no path, no user info, no options, as
 * webhook paths and SMTP URLs often carry secrets. */
static void make_label(char *out, size_t n, const char *name, const char *spec)
{
	const char *scheme = strstr(spec, "://"), *host, *end, *at;

	if (!scheme) { /* a path (exec) or a syslog target */
		snprintf(out, n, "%s:%.*s", name, (int)strcspn(spec, ","), spec);
		return;
	}
	host = scheme + 3;
	end = host + strcspn(host, "/,?#");
	if ((at = memchr(host, '@', (size_t)(end - host))))
		host = at + 1;
	snprintf(out, n, "%s:%.*s%.*s", name, (int)(scheme + 3 - spec), spec, (int)(end - host),
		 host);
}

static void ts_add(struct timespec *t, unsigned s)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += s;
}

static int past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Waits s seconds or until the close deadline; returns 1 if time is up for
 * good (stopping and past the deadline). */
static int backoff(struct alert_chan *c, unsigned s)
{
	struct timespec until;
	int up;

	ts_add(&until, s);
	pthread_mutex_lock(&c->mu);
	while (!past(&until) && !(c->stop && past(&c->deadline))) {
		const struct timespec *t = &until;
		if (c->stop &&
		    (c->deadline.tv_sec < until.tv_sec ||
		     (c->deadline.tv_sec == until.tv_sec && c->deadline.tv_nsec < until.tv_nsec)))
			t = &c->deadline;
		pthread_cond_timedwait(&c->cv, &c->mu, t);
	}
	up = c->stop && past(&c->deadline);
	pthread_mutex_unlock(&c->mu);
	return up;
}

static void count(struct alert_chan *c, uint64_t *counter)
{
	pthread_mutex_lock(&c->mu);
	++*counter;
	pthread_mutex_unlock(&c->mu);
}

static void deliver(struct alert_chan *c, const struct alert_msg *m)
{
	char err[512] = "";
	unsigned wait = 1;

	for (unsigned attempt = 0;; attempt++) {
		if (!c->ops->send(c->state, m, err, sizeof(err))) {
			count(c, &c->st.sent);
			if (attempt)
				log_info("alert channel %s: delivered after %u retries", c->label,
					 attempt);
			return;
		}
		count(c, &c->st.failed_attempts);
		log_warn("alert channel %s: attempt %u failed: %s", c->label, attempt + 1, err);
		if (attempt >= c->retries || backoff(c, wait))
			break;
		wait = wait < 60 ? wait * 2 : 60;
	}
	count(c, &c->st.given_up);
	log_err("alert channel %s: gave up on a %s alert after %u attempts", c->label, m->kind,
		c->retries + 1);
}

static void *worker(void *arg)
{
	struct alert_chan *c = arg;
	struct chan_item it;

	for (;;) {
		pthread_mutex_lock(&c->mu);
		while (!c->n && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->n || (c->stop && past(&c->deadline))) {
			pthread_mutex_unlock(&c->mu);
			break;
		}
		it = c->q[c->head];
		c->head = (c->head + 1) % c->cap;
		c->n--;
		pthread_mutex_unlock(&c->mu);
		deliver(c, &it.m);
		item_free(&it);
	}
	return NULL;
}

/* The worker takes no signals, whoever opens the channel: a program that
 * exits without reading its stdin must give the exec channel EPIPE, not kill
 * the process with SIGPIPE (a unit test opening a channel directly died so). */
static int start_worker(struct alert_chan *c)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&c->thread, NULL, worker, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int alert_chan_open(const struct alert_chan_ops *ops, const char *spec, unsigned timeout_s,
		    unsigned retries, unsigned queue_len, struct alert_chan **out, char *err,
		    size_t errlen)
{
	struct alert_chan *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c || !(c->q = calloc(queue_len ? queue_len : 1, sizeof(*c->q)))) {
		free(c);
		return -ENOMEM;
	}
	c->ops = ops;
	c->cap = queue_len ? queue_len : 1;
	c->retries = retries;
	make_label(c->label, sizeof(c->label), ops->name, spec);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if ((ret = ops->open(spec, timeout_s, &c->state, err, errlen)))
		goto fail;
	if ((ret = start_worker(c))) {
		snprintf(err, errlen, "%s: cannot start thread", c->label);
		ops->close(c->state);
		goto fail;
	}
	c->started = 1;
	*out = c;
	return 0;
fail:
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->q);
	free(c);
	return ret;
}

void alert_chan_get_stats(struct alert_chan *c, struct alert_chan_stats *st)
{
	pthread_mutex_lock(&c->mu);
	*st = c->st;
	pthread_mutex_unlock(&c->mu);
}

void alert_chan_stop(struct alert_chan *c, unsigned deadline_s)
{
	pthread_mutex_lock(&c->mu);
	if (!c->stop) {
		c->stop = 1;
		ts_add(&c->deadline, deadline_s);
	}
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

void alert_chan_close(struct alert_chan *c, unsigned deadline_s)
{
	struct alert_chan_stats st;

	if (!c)
		return;
	alert_chan_stop(c, deadline_s);
	pthread_join(c->thread, NULL);
	while (c->n) {
		item_free(&c->q[c->head]);
		c->head = (c->head + 1) % c->cap;
		c->n--;
		c->st.given_up++;
	}
	alert_chan_get_stats(c, &st);
	log_info("alert channel %s: %llu sent, %llu failed attempts, %llu given up, %llu dropped "
		 "(queue full)",
		 c->label, (unsigned long long)st.sent, (unsigned long long)st.failed_attempts,
		 (unsigned long long)st.given_up, (unsigned long long)st.dropped_full);
	c->ops->close(c->state);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->q);
	free(c);
}
