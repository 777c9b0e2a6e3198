/* Event bus: announces each new object so any number of analyzers can pick
 * it up.  Backends are tables of function pointers (local.c in-process;
 * nats.c later). */
#ifndef MITSU_BUS_H
#define MITSU_BUS_H
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

typedef void (*bus_handler_fn)(void *user, const struct bus_event *ev);

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

int bus_local_open(struct bus **out);

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
