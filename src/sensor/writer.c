#include "sensor/writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/addr.h"
#include "core/log.h"
#include "sensor/pcapfmt.h"

struct job {
	struct job *next;
	struct flow_done d;
};

struct scans_file {
	struct store_obj *obj;
	char key[512];
	uint64_t opened_us;  /* wall clock */
	uint64_t hour;       /* packet-time hour of its key */
	uint64_t bytes;
	uint32_t flows;
};

struct writer {
	struct writer_cfg cfg;
	struct store *store;
	struct bus *bus;
	struct arena *arena;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	bool stopping;
	struct writer_stats st;  /* under lock */
	struct writer_stats pst; /* writer thread only */
	uint64_t oom_errors;      /* under lock */
	struct scans_file scans;
	bool store_announces;     /* the store calls writer_delivered itself */
};

static uint64_t wall_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

static int write_chain(struct writer *w, struct store_obj *o, uint32_t chain)
{
	for (uint32_t c = chain; c != ARENA_NONE; c = w->arena->next[c]) {
		int ret = store_write(w->store, o, arena_chunk(w->arena, c), w->arena->used[c]);
		if (ret)
			return ret;
	}
	return 0;
}

static void announce(struct writer *w, const char *uri, const char *key, uint64_t size,
		     const char *flow_end)
{
	struct bus_event ev;

	if (!w->bus || w->store_announces)
		return;
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.uri, sizeof(ev.uri), "%s", uri);
	snprintf(ev.key, sizeof(ev.key), "%s", key);
	snprintf(ev.sensor, sizeof(ev.sensor), "%s", w->cfg.sensor_id);
	snprintf(ev.flow_end, sizeof(ev.flow_end), "%s", flow_end);
	ev.size = size;
	ev.event_time = (double)wall_us() / 1e6;
	bus_publish(w->bus, &ev);
}

/* A store that delivers later (S3 with its spool) announces each object
 * when the store has it, possibly from its own thread, possibly after the
 * writer is gone: so only the bus is used here. */
static void writer_delivered(void *user, const struct store_done *d)
{
	struct bus_event ev;

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.uri, sizeof(ev.uri), "%s", d->uri);
	snprintf(ev.key, sizeof(ev.key), "%s", d->key);
	snprintf(ev.sensor, sizeof(ev.sensor), "%s", d->sensor ? d->sensor : "");
	snprintf(ev.flow_end, sizeof(ev.flow_end), "%s", d->flow_end ? d->flow_end : "");
	snprintf(ev.etag, sizeof(ev.etag), "%s", d->etag ? d->etag : "");
	snprintf(ev.region, sizeof(ev.region), "%s", d->region ? d->region : "");
	ev.size = d->size;
	ev.event_time = (double)wall_us() / 1e6;
	bus_publish(user, &ev);
}

static void flow_names(const struct flow_done *d, char *src, char *dst)
{
	struct ipaddr a = {.family = d->key.family};

	memcpy(a.b, d->key.caddr, 16);
	addr_format(&a, src);
	memcpy(a.b, d->key.saddr, 16);
	addr_format(&a, dst);
}

static void write_single(struct writer *w, const struct flow_done *d)
{
	char key[512], uri[1200], src[ADDR_STRLEN], dst[ADDR_STRLEN];
	uint8_t hdr[PCAPFMT_FILE_HDR_LEN];
	struct store_obj *o = NULL;
	int ret;

	flow_names(d, src, dst);
	ret = store_flow_key(key, sizeof(key), d->first_us, src, dst, d->key.cport, d->key.sport);
	if (!ret)
		ret = store_begin(w->store, key, &o);
	if (ret)
		goto out;
	store_meta(w->store, o, "sensor", w->cfg.sensor_id);
	store_meta(w->store, o, "flow-end", flow_end_name(d->end));
	pcapfmt_file_header(hdr, (uint32_t)w->cfg.linktype, 65535);
	ret = store_write(w->store, o, hdr, sizeof(hdr));
	if (!ret)
		ret = write_chain(w, o, d->chain);
	if (ret) {
		store_abort(w->store, o);
		goto out;
	}
	ret = store_commit(w->store, o, uri, sizeof(uri));
	if (ret)
		goto out;
	w->pst.flows_written++;
	w->pst.files_written++;
	w->pst.bytes_written += sizeof(hdr) + d->bytes;
	announce(w, uri, key, sizeof(hdr) + d->bytes, flow_end_name(d->end));
	return;
out:
	w->pst.write_errors++;
	log_err("writing flow %s:%u -> %s:%u failed: %s", src, d->key.cport, dst, d->key.sport,
		strerror(-ret));
}

static void scans_close(struct writer *w)
{
	struct scans_file *sf = &w->scans;
	char uri[1200];
	int ret;

	if (!sf->obj)
		return;
	ret = store_commit(w->store, sf->obj, uri, sizeof(uri));
	sf->obj = NULL;
	if (ret) {
		w->pst.write_errors += sf->flows;
		log_err("writing %s failed (%u flows lost): %s", sf->key, sf->flows, strerror(-ret));
		return;
	}
	w->pst.files_written++;
	announce(w, uri, sf->key, sf->bytes, "");
}

static int scans_open(struct writer *w, uint64_t first_us)
{
	struct scans_file *sf = &w->scans;
	uint8_t hdr[PCAPFMT_FILE_HDR_LEN];
	int ret;

	ret = store_scans_key(sf->key, sizeof(sf->key), first_us, w->cfg.sensor_id);
	if (!ret)
		ret = store_begin(w->store, sf->key, &sf->obj);
	if (ret) {
		sf->obj = NULL;
		return ret;
	}
	store_meta(w->store, sf->obj, "sensor", w->cfg.sensor_id);
	pcapfmt_file_header(hdr, (uint32_t)w->cfg.linktype, 65535);
	sf->opened_us = wall_us();
	sf->hour = first_us / 3600000000ull;
	sf->bytes = sizeof(hdr);
	sf->flows = 0;
	return store_write(w->store, sf->obj, hdr, sizeof(hdr));
}

static void write_scan(struct writer *w, const struct flow_done *d)
{
	struct scans_file *sf = &w->scans;
	int ret = 0;

	/* A file's key names one hour, so a flow of another hour starts a new one. */
	if (sf->obj && (d->first_us / 3600000000ull != sf->hour ||
			sf->bytes + d->bytes > w->cfg.scans_rotate_bytes))
		scans_close(w);
	if (!sf->obj)
		ret = scans_open(w, d->first_us);
	if (!ret)
		ret = write_chain(w, sf->obj, d->chain);
	if (ret) {
		w->pst.write_errors++;
		log_err("appending to %s failed: %s", sf->key, strerror(-ret));
		if (sf->obj)
			store_abort(w->store, sf->obj);
		sf->obj = NULL;
		return;
	}
	sf->bytes += d->bytes;
	sf->flows++;
	w->pst.scan_flows++;
	w->pst.bytes_written += d->bytes;
}

static void handle(struct writer *w, struct job *j)
{
	if (!j->d.payload && !w->cfg.one_file_per_flow)
		write_scan(w, &j->d);
	else
		write_single(w, &j->d);
	arena_free_chain(w->arena, j->d.chain);
	free(j);
}

/* Publishes the thread's counters; called with the lock held. */
static void sync_stats(struct writer *w)
{
	uint64_t queued = w->st.queued;

	w->st = w->pst;
	w->st.queued = queued;
	w->st.write_errors += w->oom_errors;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job *j = w->head;
		if (!j) {
			if (w->stopping)
				break;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->cond, &w->lock, &ts);
			if (!w->head && w->scans.obj &&
			    wall_us() - w->scans.opened_us >= (uint64_t)w->cfg.scans_rotate_s * 1000000) {
				pthread_mutex_unlock(&w->lock);
				scans_close(w);
				pthread_mutex_lock(&w->lock);
				sync_stats(w);
			}
			continue;
		}
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		w->st.queued--;
		pthread_mutex_unlock(&w->lock);
		handle(w, j);
		if (w->scans.obj &&
		    wall_us() - w->scans.opened_us >= (uint64_t)w->cfg.scans_rotate_s * 1000000)
			scans_close(w);
		pthread_mutex_lock(&w->lock);
		sync_stats(w);
	}
	pthread_mutex_unlock(&w->lock);
	scans_close(w);
	pthread_mutex_lock(&w->lock);
	sync_stats(w);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int writer_start(struct writer **out, const struct writer_cfg *cfg, struct store *store,
		 struct bus *bus, struct arena *arena)
{
	struct writer *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->cfg = *cfg;
	w->store = store;
	w->bus = bus;
	w->arena = arena;
	w->store_announces = bus && store_set_notify(store, writer_delivered, bus) == 0;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	ret = -pthread_create(&w->thread, NULL, writer_main, w);
	if (ret) {
		free(w);
		return ret;
	}
	*out = w;
	return 0;
}

void writer_submit_many(struct writer *w, const struct flow_done *d, unsigned n)
{
	struct job *head = NULL, *tail = NULL;
	unsigned queued = 0, lost = 0;

	/* Build the list outside the lock. */
	for (unsigned i = 0; i < n; i++) {
		struct job *j = malloc(sizeof(*j));
		if (!j) {
			/* Out of memory: count it and give the chunks back. */
			arena_free_chain(w->arena, d[i].chain);
			lost++;
			continue;
		}
		j->d = d[i];
		j->next = NULL;
		if (tail)
			tail->next = j;
		else
			head = j;
		tail = j;
		queued++;
	}
	pthread_mutex_lock(&w->lock);
	if (head) {
		if (w->tail)
			w->tail->next = head;
		else
			w->head = head;
		w->tail = tail;
	}
	w->st.queued += queued;
	w->oom_errors += lost;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void writer_get_stats(struct writer *w, struct writer_stats *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->st;
	pthread_mutex_unlock(&w->lock);
}

void writer_stop(struct writer *w, struct writer_stats *final)
{
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	if (final)
		*final = w->st;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
