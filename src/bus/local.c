/* In-process bus: a queue per subscriber, each drained by its own thread,
 * so a slow analyzer never stalls the pcap writer.  Events are small (one
 * per object, not per packet), so each is a malloc'd node. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"

#define LOCAL_MAX_SUBS 8

struct node {
	struct node *next;
	struct bus_event ev;
};

struct sub {
	struct local_bus *lb;
	bus_handler_fn fn;
	void *user;
	pthread_t thread;
	struct node *head, *tail;
};

struct local_bus {
	struct bus base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool closing;
	int nsubs;
	struct sub subs[LOCAL_MAX_SUBS];
};

static void *consume(void *arg)
{
	struct sub *s = arg;
	struct local_bus *lb = s->lb;

	pthread_mutex_lock(&lb->lock);
	for (;;) {
		struct node *n;
		while (!s->head && !lb->closing)
			pthread_cond_wait(&lb->cond, &lb->lock);
		n = s->head;
		if (!n)
			break; /* closing and drained */
		s->head = n->next;
		if (!s->head)
			s->tail = NULL;
		pthread_mutex_unlock(&lb->lock);
		(void)s->fn(s->user, &n->ev); /* in-process: nothing to redeliver */
		free(n);
		pthread_mutex_lock(&lb->lock);
	}
	pthread_mutex_unlock(&lb->lock);
	return NULL;
}

static int local_publish(struct bus *b, const struct bus_event *ev)
{
	struct local_bus *lb = (struct local_bus *)b;
	int ret = 0;

	pthread_mutex_lock(&lb->lock);
	for (int i = 0; i < lb->nsubs; i++) {
		struct sub *s = &lb->subs[i];
		struct node *n = malloc(sizeof(*n));
		if (!n) {
			ret = -ENOMEM;
			continue;
		}
		n->ev = *ev;
		n->next = NULL;
		if (s->tail)
			s->tail->next = n;
		else
			s->head = n;
		s->tail = n;
	}
	pthread_cond_broadcast(&lb->cond);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int local_subscribe(struct bus *b, bus_handler_fn fn, void *user)
{
	struct local_bus *lb = (struct local_bus *)b;
	struct sub *s;
	int ret;

	pthread_mutex_lock(&lb->lock);
	if (lb->nsubs == LOCAL_MAX_SUBS) {
		pthread_mutex_unlock(&lb->lock);
		return -ENOSPC;
	}
	s = &lb->subs[lb->nsubs];
	memset(s, 0, sizeof(*s));
	s->lb = lb;
	s->fn = fn;
	s->user = user;
	ret = -pthread_create(&s->thread, NULL, consume, s);
	if (!ret)
		lb->nsubs++;
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static void local_close(struct bus *b)
{
	struct local_bus *lb = (struct local_bus *)b;

	pthread_mutex_lock(&lb->lock);
	lb->closing = true;
	pthread_cond_broadcast(&lb->cond);
	pthread_mutex_unlock(&lb->lock);
	for (int i = 0; i < lb->nsubs; i++)
		pthread_join(lb->subs[i].thread, NULL);
	pthread_mutex_destroy(&lb->lock);
	pthread_cond_destroy(&lb->cond);
	free(lb);
}

static const struct bus_ops local_ops = {
	.name = "local",
	.publish = local_publish,
	.subscribe = local_subscribe,
	.close = local_close,
};

int bus_local_open(struct bus **out)
{
	struct local_bus *lb = calloc(1, sizeof(*lb));

	if (!lb)
		return -ENOMEM;
	lb->base.ops = &local_ops;
	pthread_mutex_init(&lb->lock, NULL);
	pthread_cond_init(&lb->cond, NULL);
	*out = &lb->base;
	return 0;
}

int bus_open(const char *spec, const struct bus_opts *opts, struct bus **out, char *err,
	     size_t errlen)
{
	static const struct bus_opts none;

	if (!spec || !strcmp(spec, "local"))
		return bus_local_open(out);
	if (!strncmp(spec, "nats://", 7) || !strncmp(spec, "tls://", 6))
		return bus_nats_open(spec, opts ? opts : &none, out, err, errlen);
	snprintf(err, errlen, "bus '%s': expected nats://HOST:PORT or local", spec);
	return -EINVAL;
}
