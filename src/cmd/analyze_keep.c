/* Analysing objects named by S3 events (see analyze_keep.h). */
#include "cmd/analyze_keep.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "bus/bus.h"
#include "bus/s3event.h"
#include "core/buf.h"
#include "core/log.h"
#include "store/s3.h"

#define KEEP_MAX_OBJECT (1ull << 30)
#define KEEP_MAX_EVENTS_INPUT (256u << 20)

struct keep {
	struct analyzer *a;
	const struct keep_opts *o;
	struct s3_client *cli; /* made at the first s3:// object */
	bool s3_failed;
	unsigned long long objects, records, failed, retry;
	double *lat_ms; /* announcement to committed records, per object */
	size_t nlat, caplat;
};

static volatile sig_atomic_t keep_stop;

static void on_signal(int sig)
{
	(void)sig;
	keep_stop = 1;
}

static int s3_client(struct keep *k)
{
	struct s3_cfg cfg;
	char err[512];

	if (k->cli)
		return 0;
	if (s3_cfg_load(&cfg, k->o->s3_endpoint, k->o->s3_path_style, err, sizeof(err)) ||
	    s3_client_new(&k->cli, &cfg)) {
		if (!k->s3_failed)
			fprintf(stderr, "mitsu analyze: %s\n", err);
		k->s3_failed = true;
		return -ENOKEY;
	}
	return 0;
}

/* Fetches an s3:// object into memory and analyses it from there. */
static int analyze_s3(struct keep *k, const struct bus_event *ev, struct analyze_file_stats *st,
		      char *err, size_t errlen)
{
	char bucket[64], key[1024];
	struct buf b = {0};
	FILE *f;
	int ret;

	if (s3_uri_parse(ev->uri, bucket, sizeof(bucket), key, sizeof(key))) {
		snprintf(err, errlen, "%s: not an s3:// URI", ev->uri);
		return -EINVAL;
	}
	if ((ret = s3_client(k))) {
		snprintf(err, errlen, "%s: no S3 configuration", ev->uri);
		return -EAGAIN;
	}
	ret = s3_get(k->cli, bucket, key, &b, KEEP_MAX_OBJECT, err, errlen);
	if (ret)
		goto out;
	f = fmemopen(b.p, b.len ? b.len : 1, "rb");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", ev->uri, strerror(errno));
		goto out;
	}
	ret = analyzer_stream(k->a, f, ev->uri, ev->uri, ev->sensor, ev->flow_end, st, err, errlen);
out:
	buf_free(&b);
	return ret;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note_latency(struct keep *k, double ms)
{
	if (k->nlat == k->caplat) {
		size_t nc = k->caplat ? k->caplat * 2 : 1024;
		double *n = nc < (1u << 24) ? realloc(k->lat_ms, nc * sizeof(*n)) : NULL;
		if (!n)
			return;
		k->lat_ms = n;
		k->caplat = nc;
	}
	k->lat_ms[k->nlat++] = ms;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report_latency(struct keep *k)
{
	if (!k->nlat)
		return;
	qsort(k->lat_ms, k->nlat, sizeof(double), by_value);
	fprintf(stderr,
		"mitsu analyze: from announcement to committed records: median %.1f ms, p99 %.1f "
		"ms over %zu objects\n",
		k->lat_ms[k->nlat / 2], k->lat_ms[(k->nlat * 99) / 100], k->nlat);
}

/* One object.  Returns non-zero only when trying again later may work
 * (store unreachable, records not committed): the bus then redelivers. */
static int analyze_event(void *user, const struct bus_event *ev)
{
	struct keep *k = user;
	struct analyze_file_stats st = {0};
	char err[PATH_MAX + 512] = "";
	int ret;

	if (!strncmp(ev->uri, "file://", 7))
		ret = analyzer_file(k->a, ev->uri + 7, ev->uri, ev->sensor, ev->flow_end, &st, err,
				    sizeof(err));
	else
		ret = analyze_s3(k, ev, &st, err, sizeof(err));
	if (!ret && analyzer_commit(k->a))
		ret = -EIO, snprintf(err, sizeof(err), "%s: committing records failed", ev->uri);
	k->objects++;
	k->records += st.records;
	if (!ret && ev->event_time > 0)
		note_latency(k, (wall_s() - ev->event_time) * 1000);
	if (!ret)
		return 0;
	log_err("analyze: %s", err);
	if (ret == -EAGAIN || ret == -EACCES || ret == -EIO || ret == -ENOMEM) {
		k->retry++;
		return ret;
	}
	k->failed++; /* the object itself is bad or gone: retrying cannot help */
	return 0;
}

static int run_bus(struct keep *k)
{
	struct bus_opts bo = {.group = k->o->group, .ack_wait_s = k->o->ack_wait_s};
	struct sigaction sa;
	struct bus *bus = NULL;
	char err[512];
	int ret;

	if ((ret = bus_open(k->o->from, &bo, &bus, err, sizeof(err)))) {
		fprintf(stderr, "mitsu analyze: %s\n", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((ret = bus_subscribe(bus, analyze_event, k))) {
		fprintf(stderr, "mitsu analyze: cannot subscribe to %s as %s\n", k->o->from,
			k->o->group);
		bus_close(bus);
		return 1;
	}
	log_info("analyze: consuming %s as group %s", k->o->from, k->o->group);
	while (!keep_stop)
		usleep(100000);
	bus_close(bus); /* finishes the message in hand, acks it */
	return 0;
}

static int read_all(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char chunk[65536];
	size_t n;
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ret = b->len + n > KEEP_MAX_EVENTS_INPUT ? -EFBIG : buf_append(b, chunk, n);
	if (!ret && ferror(f))
		ret = -EIO;
	if (f != stdin)
		fclose(f);
	return ret;
}

/* Documents one after another (JSON lines or not); a bad one is reported
 * and skipped up to the next line. */
static int run_events_file(struct keep *k)
{
	struct buf in = {0};
	size_t off = 0, used;
	int ret = read_all(k->o->s3_events, &in), bad = 0;

	if (ret) {
		fprintf(stderr, "mitsu analyze: %s: %s\n", k->o->s3_events, strerror(-ret));
		return 1;
	}
	while (off < in.len) {
		used = 0;
		ret = s3event_decode((const char *)in.p + off, in.len - off, &used, analyze_event, k);
		if (ret == -ENODATA)
			break;
		if (ret < 0 || !used) {
			const char *nl = memchr(in.p + off, '\n', in.len - off);
			fprintf(stderr, "mitsu analyze: %s: byte %zu: not an S3 event document (%s)\n",
				k->o->s3_events, off, strerror(ret < 0 ? -ret : EINVAL));
			bad++;
			used = nl ? (size_t)(nl - (const char *)in.p) - off + 1 : in.len - off;
		}
		off += used;
	}
	buf_free(&in);
	return bad || k->failed || k->retry ? 1 : 0;
}

int analyze_keep_run(struct analyzer *a, const struct keep_opts *o)
{
	struct keep k = {.a = a, .o = o};
	int ret;

	analyzer_commit_each(a, true); /* ack only what is committed */
	ret = o->from ? run_bus(&k) : run_events_file(&k);
	if (!o->quiet)
		fprintf(stderr,
			"mitsu analyze: %llu objects, %llu records, %llu failed, %llu to retry\n",
			k.objects, k.records, k.failed, k.retry);
	if (!o->quiet && o->from)
		report_latency(&k);
	free(k.lat_ms);
	s3_client_free(k.cli);
	return ret;
}
