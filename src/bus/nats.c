/* NATS JetStream bus (Debian's libnats).  Publishers put each event, an S3
 * event notification document (s3event.h), on mitsu.objects.<sensor> in
 * stream MITSU_OBJECTS and wait for JetStream's ack; the message id is the
 * object key, so a publish retried after a lost ack is stored once.
 * Subscribers pull from a durable consumer named after their group: the
 * members of a group share the messages, every group sees all of them
 * (the fan-out SNS gave the original pipeline).  A message is acked after
 * the handler committed its records, nak'ed (redelivered in 5 s) when the
 * handler failed, and redelivered by the server after AckWait when an
 * analyzer died holding it. */
#include <errno.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/bus.h"
#include "bus/s3event.h"
#include "core/log.h"

#define NATS_STREAM "MITSU_OBJECTS"
#define NATS_SUBJECTS "mitsu.objects.>"
#define NATS_FETCH_BATCH 4

struct nats_bus {
	struct bus base;
	natsConnection *nc;
	jsCtx *js;
	char group[64];
	int64_t ack_wait_ns;
	pthread_t thread;
	bool running;
	volatile bool closing;
	natsSubscription *sub;
	bus_handler_fn fn;
	void *user;
	uint64_t published, publish_errors, acked, naked, bad, redelivered;
};

/* Subject tokens are split at '.': keep a sensor id one token. */
static void subject_for(const char *sensor, char *out, size_t len)
{
	size_t o = snprintf(out, len, "mitsu.objects.");

	for (const char *p = *sensor ? sensor : "unknown"; *p && o + 1 < len; p++)
		out[o++] = strchr(".*> \t", *p) ? '_' : *p;
	out[o] = 0;
}

static int nats_publish(struct bus *b, const struct bus_event *ev)
{
	struct nats_bus *nb = (struct nats_bus *)b;
	struct buf doc = {0};
	char subj[200], msgid[700];
	jsPubOptions po;
	jsErrCode jerr = 0;
	natsStatus s = NATS_ERR;
	int ret = s3event_encode(ev, &doc);

	if (ret)
		goto out;
	subject_for(ev->sensor, subj, sizeof(subj));
	snprintf(msgid, sizeof(msgid), "%s#%s", ev->key, ev->etag);
	jsPubOptions_Init(&po);
	po.MsgId = msgid;
	/* A few tries ride out a reconnect; the writer's thread waits, the
	 * capture loop does not. */
	for (int i = 0; i < 5; i++) {
		jsPubAck *pa = NULL;
		s = js_Publish(&pa, nb->js, subj, doc.p, (int)doc.len, &po, &jerr);
		jsPubAck_Destroy(pa);
		if (s == NATS_OK)
			break;
		usleep(200000u << i);
	}
	if (s != NATS_OK) {
		log_err("bus: announcing %s failed (%s, JetStream error %d); the object is in the store",
			ev->key, natsStatus_GetText(s), (int)jerr);
		ret = -EIO;
		nb->publish_errors++;
	} else {
		nb->published++;
	}
out:
	buf_free(&doc);
	return ret;
}

struct dispatch {
	struct nats_bus *nb;
	int failed;
};

static int dispatch_one(void *user, const struct bus_event *ev)
{
	struct dispatch *d = user;

	if (d->nb->fn(d->nb->user, ev))
		d->failed = 1;
	return 0;
}

static void handle_msg(struct nats_bus *nb, natsMsg *m)
{
	struct dispatch d = {.nb = nb};
	jsMsgMetaData *meta = NULL;
	int n;

	if (nb->closing) {
		natsMsg_Nak(m, NULL); /* someone else in the group takes it now */
		return;
	}
	if (natsMsg_GetMetaData(&meta, m) == NATS_OK && meta->NumDelivered > 1)
		nb->redelivered++; /* an analyzer died holding it, or it was nak'ed */
	jsMsgMetaData_Destroy(meta);
	n = s3event_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), NULL,
			   dispatch_one, &d);
	if (n < 0) {
		/* Never decodable: redelivering would loop forever. */
		log_err("bus: message on %s is not an S3 event (%s); dropped", natsMsg_GetSubject(m),
			strerror(-n));
		natsMsg_Term(m, NULL);
		nb->bad++;
	} else if (d.failed) {
		natsMsg_NakWithDelay(m, 5000, NULL);
		nb->naked++;
	} else if (natsMsg_AckSync(m, NULL, NULL) == NATS_OK) {
		nb->acked++;
	}
}

static void *consume(void *arg)
{
	struct nats_bus *nb = arg;
	unsigned errors = 0;

	while (!nb->closing) {
		natsMsgList list = {0};
		jsErrCode jerr = 0;
		natsStatus s = natsSubscription_Fetch(&list, nb->sub, NATS_FETCH_BATCH, 1000, &jerr);
		if (s == NATS_TIMEOUT)
			continue;
		if (s != NATS_OK) {
			if (errors++ % 30 == 0)
				log_warn("bus: fetching from %s failed: %s", nb->group,
					 natsStatus_GetText(s));
			sleep(1);
			continue;
		}
		errors = 0;
		for (int i = 0; i < list.Count; i++)
			handle_msg(nb, list.Msgs[i]);
		natsMsgList_Destroy(&list);
	}
	return NULL;
}

/* The durable consumer, made explicitly so that it outlives us (a
 * consumer the subscribe call made would go with the subscription). */
static int ensure_consumer(struct nats_bus *nb, char *err, size_t errlen)
{
	jsConsumerInfo *ci = NULL;
	jsConsumerConfig cc;
	jsErrCode jerr = 0;
	natsStatus s = js_GetConsumerInfo(&ci, nb->js, NATS_STREAM, nb->group, NULL, &jerr);

	if (s == NATS_NOT_FOUND) {
		jsConsumerConfig_Init(&cc);
		cc.Durable = nb->group;
		cc.AckPolicy = js_AckExplicit;
		cc.AckWait = nb->ack_wait_ns;
		cc.DeliverPolicy = js_DeliverAll;
		cc.FilterSubject = NATS_SUBJECTS;
		cc.MaxAckPending = 1000;
		s = js_AddConsumer(&ci, nb->js, NATS_STREAM, &cc, NULL, &jerr);
	}
	jsConsumerInfo_Destroy(ci);
	if (s != NATS_OK) {
		snprintf(err, errlen, "bus: consumer %s: %s (JetStream error %d)", nb->group,
			 natsStatus_GetText(s), (int)jerr);
		return -EIO;
	}
	return 0;
}

static int nats_subscribe(struct bus *b, bus_handler_fn fn, void *user)
{
	struct nats_bus *nb = (struct nats_bus *)b;
	jsSubOptions so;
	jsErrCode jerr = 0;
	char err[256];
	natsStatus s;
	int ret;

	if (nb->running || !nb->group[0])
		return -EINVAL;
	if ((ret = ensure_consumer(nb, err, sizeof(err)))) {
		log_err("%s", err);
		return ret;
	}
	jsSubOptions_Init(&so);
	so.Stream = NATS_STREAM;
	so.Consumer = nb->group;
	s = js_PullSubscribe(&nb->sub, nb->js, NATS_SUBJECTS, nb->group, NULL, &so, &jerr);
	if (s != NATS_OK) {
		log_err("bus: subscribing as %s: %s (JetStream error %d)", nb->group,
			natsStatus_GetText(s), (int)jerr);
		return -EIO;
	}
	nb->fn = fn;
	nb->user = user;
	ret = -pthread_create(&nb->thread, NULL, consume, nb);
	nb->running = !ret;
	return ret;
}

static void nats_close(struct bus *b)
{
	struct nats_bus *nb = (struct nats_bus *)b;

	nb->closing = true;
	if (nb->running)
		pthread_join(nb->thread, NULL);
	if (nb->published || nb->publish_errors)
		log_info("bus: %llu events published, %llu failed", (unsigned long long)nb->published,
			 (unsigned long long)nb->publish_errors);
	if (nb->running)
		log_info("bus: group %s: %llu messages acked (%llu redelivered), %llu to retry, %llu "
			 "undecodable",
			 nb->group, (unsigned long long)nb->acked, (unsigned long long)nb->redelivered,
			 (unsigned long long)nb->naked, (unsigned long long)nb->bad);
	/* Destroy, not Unsubscribe: the durable consumer stays. */
	natsSubscription_Destroy(nb->sub);
	jsCtx_Destroy(nb->js);
	if (nb->nc) {
		natsConnection_FlushTimeout(nb->nc, 2000);
		natsConnection_Close(nb->nc);
		natsConnection_Destroy(nb->nc);
	}
	free(nb);
}

static const struct bus_ops nats_ops = {
	.name = "nats",
	.publish = nats_publish,
	.subscribe = nats_subscribe,
	.close = nats_close,
};

static int ensure_stream(struct nats_bus *nb, char *err, size_t errlen)
{
	const char *subjects[] = {NATS_SUBJECTS};
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	jsErrCode jerr = 0;
	natsStatus s = js_GetStreamInfo(&si, nb->js, NATS_STREAM, NULL, &jerr);

	if (s == NATS_NOT_FOUND) {
		jsStreamConfig_Init(&sc);
		sc.Name = NATS_STREAM;
		sc.Subjects = subjects;
		sc.SubjectsLen = 1;
		sc.Storage = js_FileStorage;
		sc.Duplicates = 10 * 60 * 1000000000LL; /* dedup window for retried publishes */
		s = js_AddStream(&si, nb->js, &sc, NULL, &jerr);
		if (s != NATS_OK && jerr == JSStreamNameExistErr)
			s = NATS_OK; /* another process made it meanwhile */
	}
	jsStreamInfo_Destroy(si);
	if (s != NATS_OK) {
		snprintf(err, errlen, "bus: stream %s: %s (JetStream error %d; is JetStream enabled, "
				      "nats-server -js?)",
			 NATS_STREAM, natsStatus_GetText(s), (int)jerr);
		return -EIO;
	}
	return 0;
}

static int connect_nats(struct nats_bus *nb, const char *url, char *err, size_t errlen)
{
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);

	if (s == NATS_OK)
		s = natsOptions_SetURL(o, url);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1); /* ride out server restarts */
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 500);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 5000);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nb->nc, o);
	natsOptions_Destroy(o);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&nb->js, nb->nc, NULL);
	if (s != NATS_OK) {
		snprintf(err, errlen, "bus %s: %s", url, natsStatus_GetText(s));
		return -ECONNREFUSED;
	}
	return 0;
}

int bus_nats_open(const char *url, const struct bus_opts *opts, struct bus **out, char *err,
		  size_t errlen)
{
	struct nats_bus *nb = calloc(1, sizeof(*nb));
	int ret;

	if (!nb)
		return -ENOMEM;
	nb->base.ops = &nats_ops;
	nb->ack_wait_ns = (int64_t)(opts->ack_wait_s ? opts->ack_wait_s : 30) * 1000000000LL;
	if (opts->group) {
		size_t n = strlen(opts->group);
		if (!n || n >= sizeof(nb->group) ||
		    strspn(opts->group, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789-_") != n) {
			snprintf(err, errlen, "group '%s': use 1-63 of [A-Za-z0-9_-]", opts->group);
			ret = -EINVAL;
			goto out;
		}
		memcpy(nb->group, opts->group, n + 1);
	}
	if ((ret = connect_nats(nb, url, err, errlen)) || (ret = ensure_stream(nb, err, errlen)))
		goto out;
	*out = &nb->base;
	return 0;
out:
	nats_close(&nb->base);
	return ret;
}
