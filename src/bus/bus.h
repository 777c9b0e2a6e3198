/* Event bus: announces each new object so any number of analyzers can pick
 * it up.  Backends are tables of function pointers (local.c in-process;
 * nats.c later). */
#ifndef MITSU_BUS_H
#define MITSU_BUS_H
#include <stddef.h>
#include <stdint.h>

struct bus_event {
	char uri[1024];    /* file:///…/x.pcap or s3://bucket/key */
	char key[512];     /* object key inside the store */
	uint64_t size;
	double event_time; /* seconds since the epoch, when committed */
	char sensor[128];
	char flow_end[16]; /* single-flow objects: why the flow ended */
	char etag[64];     /* the store's ETag (hex MD5 for a one-part PUT), or "" */
	char region[32];   /* the store's region (S3), or "" */
};

/* Returns 0 once the object's records are committed; non-zero asks for a
 * redelivery later (durable buses; the local bus ignores it). */
typedef int (*bus_handler_fn)(void *user, const struct bus_event *ev);

struct bus;
struct bus_ops {
	const char *name;
	int (*publish)(struct bus *b, const struct bus_event *ev);
	/* The handler runs on a thread of the bus, never on the publisher's. */
	int (*subscribe)(struct bus *b, bus_handler_fn fn, void *user);
	/* Delivers what is queued, stops the consumer threads, frees. */
	void (*close)(struct bus *b);
};

struct bus {
	const struct bus_ops *ops;
};

struct bus_opts {
	const char *group;  /* consumers: durable name shared by a group (NATS) */
	uint32_t ack_wait_s; /* NATS: redelivery after this long unacked (default 30) */
};

int bus_local_open(struct bus **out);
/* nats://HOST:PORT[,nats://...]: JetStream stream MITSU_OBJECTS (made if
 * missing, subjects mitsu.objects.>), published to mitsu.objects.<sensor>
 * with publish acks; subscribers pull from the durable consumer
 * opts->group and ack each message after the handler returns 0. */
int bus_nats_open(const char *url, const struct bus_opts *opts, struct bus **out, char *err,
		  size_t errlen);
/* "local" (or NULL) or nats://...; opts may be NULL. */
int bus_open(const char *spec, const struct bus_opts *opts, struct bus **out, char *err,
	     size_t errlen);

static inline int bus_publish(struct bus *b, const struct bus_event *ev)
{
	return b->ops->publish(b, ev);
}
static inline int bus_subscribe(struct bus *b, bus_handler_fn fn, void *user)
{
	return b->ops->subscribe(b, fn, user);
}
static inline void bus_close(struct bus *b)
{
	if (b)
		b->ops->close(b);
}

#endif
