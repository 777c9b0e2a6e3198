/* mitsu analyze: pcaps in, one record per flow out (SQLite and/or JSON lines). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert/hub.h"
#include "alert/ids.h"
#include "alert/opts.h"
#include "analyze/analyzer.h"
#include "analyze/enrich.h"
#include "cmd/analyze_keep.h"
#include "cmd/cmd.h"
#include "cmd/sensor_id.h"
#include "sink/sink.h"

struct file_list {
	char **v;
	size_t n, cap;
};

struct run_totals {
	struct analyze_file_stats sum;
	size_t files, skipped;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mitsu analyze [options] PATH... | -\n\n"
		"Reads pcap or pcapng files (a folder is walked recursively in key order, taking\n"
		"*.pcap, *.pcapng and *.cap; '-' reads stdin), reassembles every flow and writes\n"
		"one record per flow. Link types: Ethernet (802.1Q/QinQ), Linux cooked v1/v2, raw\n"
		"IP, BSD loopback. The client is the side that sent the first SYN; without one,\n"
		"the receiver of the first SYN+ACK; without either, the sender of the first packet.\n"
		"Analysing an object again updates its records, never duplicates them.\n\n"
		"options:\n"
		"      --db PATH        SQLite store (default ./mitsu-data/mitsu.db)\n"
		"      --json           print records as JSON lines on stdout (then no SQLite\n"
		"                       unless --db is given too)\n"
		"      --jsonl FILE     also append JSON lines to FILE\n"
		"      --sensor ID      sensor id for the records (default: the sensor-id file of\n"
		"                       the store the pcap lies in, if any)\n"
		"      --max-bytes SIZE reassembled bytes kept per direction (default 1M;\n"
		"                       beyond it the record says truncated)\n"
		"      --idle SECONDS   inside one capture, a flow idle this long ends (default 300)\n"
		"      --no-dissect     skip protocol dissectors, fingerprints and tags (reassembly only)\n"
		"  -q, --quiet          no progress bar or summary\n"
		"objects announced as S3 events (README, 'Keep at scale'):\n"
		"      --from nats://HOST:PORT  consume the NATS JetStream bus until SIGTERM\n"
		"      --group NAME     durable consumer: analyzers of one group share the\n"
		"                       objects, each group gets all of them (default mitsu)\n"
		"      --ack-wait S     an object not acknowledged in S seconds (analyzer gone)\n"
		"                       is delivered again (default 30)\n"
		"      --s3-events FILE|-  read S3 event documents (raw, or in SNS or SQS\n"
		"                       envelopes) and analyse each object they name\n"
		"      --s3-endpoint URL, --s3-path-style  as for 'mitsu sensor'\n"
		"  -h, --help           this text\n" ALERT_OPTIONS_HELP "\n"
		"Exit status: 0 all read, 1 a file was skipped or cut short (named on stderr),\n"
		"2 bad usage.\n");
}

static int list_add(struct file_list *l, const char *path)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n] = strdup(path);
	return l->v[l->n++] ? 0 : -ENOMEM;
}

static int is_capture_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".pcap") || !strcmp(dot, ".pcapng") || !strcmp(dot, ".cap"));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Depth-first in byte order of names, which is key order for our layout. */
static int walk(struct file_list *l, const char *dir, int depth)
{
	struct dirent **ents;
	char path[PATH_MAX];
	struct stat st;
	int n, ret = 0;

	if (depth > 32)
		return 0;
	n = scandir(dir, &ents, NULL, by_name);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (!ret && name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
		    !lstat(path, &st)) {
			if (S_ISDIR(st.st_mode))
				ret = walk(l, path, depth + 1);
			else if (S_ISREG(st.st_mode) && is_capture_name(name))
				ret = list_add(l, path);
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

static void progress(size_t done, size_t total, const struct run_totals *t, int final)
{
	static struct timespec last;
	struct timespec now;
	int width = 30, fill;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && done && (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 < 100)
		return;
	last = now;
	fill = total ? (int)((double)done / (double)total * width) : width;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu files, %llu records", fill,
		"##############################", width - fill, "", done, total,
		(unsigned long long)t->sum.records);
	if (final)
		fputc('\n', stderr);
}

static void add_stats(struct run_totals *t, const struct analyze_file_stats *st)
{
	t->sum.packets += st->packets;
	t->sum.flows += st->flows;
	t->sum.records += st->records;
	t->sum.bad_packets += st->bad_packets;
	t->sum.fragments += st->fragments;
	t->files++;
	if (st->skipped)
		t->skipped++;
}

static void analyze_one(struct analyzer *a, const char *path, const char *sensor,
			struct run_totals *t)
{
	struct analyze_file_stats st = {0};
	char uri[PATH_MAX + 16] = "", real[PATH_MAX], err[PATH_MAX + 256], found[128];
	const char *sid = sensor;

	if (strcmp(path, "-") && realpath(path, real))
		snprintf(uri, sizeof(uri), "file://%s", real);
	if (!sid && strcmp(path, "-") && sensor_id_find(path, found, sizeof(found)) == 0)
		sid = found;
	if (analyzer_file(a, path, uri, sid ? sid : "", "", &st, err, sizeof(err)))
		fprintf(stderr, "%smitsu analyze: %s\n", isatty(2) ? "\r\033[K" : "", err);
	if (st.bad_packets)
		fprintf(stderr, "%smitsu analyze: %s: %llu malformed packets skipped\n",
			isatty(2) ? "\r\033[K" : "", path, (unsigned long long)st.bad_packets);
	add_stats(t, &st);
}

enum { OPT_DB = 1000, OPT_JSON, OPT_JSONL, OPT_SENSOR, OPT_MAX_BYTES, OPT_IDLE, OPT_NO_DISSECT,
       OPT_FROM, OPT_GROUP, OPT_ACK_WAIT, OPT_S3_EVENTS, OPT_S3_ENDPOINT, OPT_S3_PATH_STYLE,
       OPT_ALERT, OPT_ALERT_LAST = OPT_ALERT + ALERT_NOPTS - 1 };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"json", no_argument, NULL, OPT_JSON},
	{"jsonl", required_argument, NULL, OPT_JSONL},
	{"sensor", required_argument, NULL, OPT_SENSOR},
	{"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
	{"idle", required_argument, NULL, OPT_IDLE},
	{"no-dissect", no_argument, NULL, OPT_NO_DISSECT},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"from", required_argument, NULL, OPT_FROM},
	{"group", required_argument, NULL, OPT_GROUP},
	{"ack-wait", required_argument, NULL, OPT_ACK_WAIT},
	{"s3-events", required_argument, NULL, OPT_S3_EVENTS},
	{"s3-endpoint", required_argument, NULL, OPT_S3_ENDPOINT},
	{"s3-path-style", no_argument, NULL, OPT_S3_PATH_STYLE},
	ALERT_LONG_OPTIONS(OPT_ALERT),
	{NULL, 0, NULL, 0},
};

struct analyze_opts {
	const char *db, *jsonl, *sensor;
	int json, quiet, no_dissect;
	struct analyzer_cfg cfg;
	struct keep_opts keep;
	struct alert_hub_cfg alert;
};

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'M')
		v <<= 20, end++;
	if (*end || v == 0 || v > (1ull << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct analyze_opts *o)
{
	int opt;
	size_t v;

	analyzer_cfg_defaults(&o->cfg);
	alert_hub_cfg_defaults(&o->alert);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DB: o->db = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_JSONL: o->jsonl = optarg; break;
		case OPT_SENSOR: o->sensor = optarg; break;
		case 'q': o->quiet = 1; break;
		case OPT_NO_DISSECT: o->no_dissect = 1; break;
		case 'h': return 1;
		case OPT_FROM: o->keep.from = optarg; break;
		case OPT_GROUP: o->keep.group = optarg; break;
		case OPT_S3_EVENTS: o->keep.s3_events = optarg; break;
		case OPT_S3_ENDPOINT: o->keep.s3_endpoint = optarg; break;
		case OPT_S3_PATH_STYLE: o->keep.s3_path_style = true; break;
		case OPT_ACK_WAIT:
			if (parse_size(optarg, &v) || v > 86400) {
				fprintf(stderr, "mitsu analyze: invalid --ack-wait '%s'\n", optarg);
				return -1;
			}
			o->keep.ack_wait_s = (uint32_t)v;
			break;
		case OPT_ALERT ... OPT_ALERT_LAST: {
			char err[512];
			if (alert_opts_apply(&o->alert, opt - OPT_ALERT, optarg, err, sizeof(err))) {
				fprintf(stderr, "mitsu analyze: %s\n", err);
				return -1;
			}
			break;
		}
		case OPT_MAX_BYTES:
			if (parse_size(optarg, &o->cfg.max_bytes)) {
				fprintf(stderr, "mitsu analyze: invalid --max-bytes '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_IDLE:
			if (parse_size(optarg, &v) || v > 86400 * 365) {
				fprintf(stderr, "mitsu analyze: invalid --idle '%s'\n", optarg);
				return -1;
			}
			o->cfg.idle_s = (uint32_t)v;
			break;
		default:
			fprintf(stderr, "mitsu analyze: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (o->keep.from && !o->keep.group)
		o->keep.group = "mitsu";
	if ((o->keep.from || o->keep.s3_events) && optind < argc) {
		fprintf(stderr, "mitsu analyze: --from and --s3-events take no PATH\n");
		return -1;
	}
	if (o->keep.from && o->keep.s3_events) {
		fprintf(stderr, "mitsu analyze: give one of --from and --s3-events\n");
		return -1;
	}
	if (optind >= argc && !o->keep.from && !o->keep.s3_events) {
		fprintf(stderr, "mitsu analyze: give at least one PATH (or - for stdin)\n");
		return -1;
	}
	return 0;
}

static int open_sinks(const struct analyze_opts *o, struct sink **sinks, int *n)
{
	char spec[PATH_MAX + 16], err[PATH_MAX + 256];
	const char *specs[3];
	int k = 0;

	if (o->json)
		specs[k++] = "jsonl:-";
	if (o->db || !o->json) {
		snprintf(spec, sizeof(spec), "sqlite:%s", o->db ? o->db : "./mitsu-data/mitsu.db");
		specs[k++] = spec;
	}
	char spec2[PATH_MAX + 16];
	if (o->jsonl) {
		snprintf(spec2, sizeof(spec2), "jsonl:%s", o->jsonl);
		specs[k++] = spec2;
	}
	for (*n = 0; *n < k; (*n)++) {
		if (sink_open(specs[*n], &sinks[*n], err, sizeof(err))) {
			fprintf(stderr, "mitsu analyze: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Token hits go to the alert hub when one runs (channels, throttling), else
 * straight to the alerts table. */
static int start_enrich(const struct analyze_opts *o, struct alert_hub *hub)
{
	struct enrich_cfg ec;
	char err[512];

	if (o->no_dissect)
		return 0;
	enrich_cfg_defaults(&ec);
	if (hub) {
		ec.alert = alert_raise;
		ec.alert_user = hub;
	}
	/* honeytokens: those of the database the records go to */
	if (o->db || !o->json)
		ec.token_db = o->db ? o->db : "./mitsu-data/mitsu.db";
	if (enrich_init(&ec, err, sizeof(err))) {
		fprintf(stderr, "mitsu analyze: %s\n", err);
		return -1;
	}
	return 0;
}

/* Always a hub, before the analyzer's producers (token alerts are stored
 * even without channels), where records are (--json alone: not stored). */
static int start_hub(const struct analyze_opts *o, struct alert_hub **hub)
{
	const char *db = o->db ? o->db : o->json ? NULL : "./mitsu-data/mitsu.db";
	char err[PATH_MAX + 256] = "";

	if (alert_hub_open(&o->alert, db, hub, err, sizeof(err))) {
		fprintf(stderr, "mitsu analyze: %s\n", err[0] ? err : "alerts: out of memory");
		return -1;
	}
	return 0;
}

int cmd_analyze(int argc, char **argv)
{
	struct analyze_opts o = {0};
	struct file_list files = {0};
	struct run_totals t = {0};
	struct sink *sinks[3];
	struct analyzer *a = NULL;
	struct alert_hub *hub = NULL;
	struct alert_ids *ids = NULL;
	struct timespec t0, t1;
	int nsinks = 0, ret, show;

	ret = parse_opts(argc, argv, &o);
	if (ret) {
		usage(ret > 0 ? stdout : stderr);
		return ret > 0 ? 0 : 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") && !stat(argv[i], &st) && S_ISDIR(st.st_mode))
			ret = walk(&files, argv[i], 0);
		else
			ret = list_add(&files, argv[i]);
		if (ret)
			fprintf(stderr, "mitsu analyze: %s: %s\n", argv[i], strerror(-ret));
	}
	if (open_sinks(&o, sinks, &nsinks) || analyzer_new(&a, &o.cfg, sinks, nsinks) ||
	    start_hub(&o, &hub) || start_enrich(&o, hub)) {
		ret = 1;
		goto out;
	}
	if (!o.no_dissect)
		analyzer_set_hook(a, enrich_hook, NULL);
	if ((o.alert.on_any || o.alert.on_tags) && alert_ids_attach(a, hub, &ids)) {
		fprintf(stderr, "mitsu analyze: out of memory\n");
		ret = 1;
		goto out;
	}
	if (o.keep.from || o.keep.s3_events) {
		o.keep.quiet = o.quiet;
		ret = analyze_keep_run(a, &o.keep);
		goto out;
	}
	show = !o.quiet && isatty(2);
	analyzer_commit_each(a, false);
	for (size_t i = 0; i < files.n; i++) {
		analyze_one(a, files.v[i], o.sensor, &t);
		/* Commit in batches: an fsync per small file would dominate. */
		if ((i + 1) % 1000 == 0 && analyzer_commit(a))
			break;
		if (show && files.n > 1)
			progress(i + 1, files.n, &t, i + 1 == files.n);
	}
	if (analyzer_commit(a)) {
		fprintf(stderr, "mitsu analyze: committing records failed\n");
		ret = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!o.quiet)
		fprintf(stderr,
			"mitsu analyze: %zu files (%zu skipped), %llu packets, %llu flows, %llu "
			"records, %llu bad packets, %.2f s\n",
			t.files, t.skipped, (unsigned long long)t.sum.packets,
			(unsigned long long)t.sum.flows, (unsigned long long)t.sum.records,
			(unsigned long long)t.sum.bad_packets,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = t.skipped || ret || files.n == 0 ? 1 : 0;
out:
	alert_hub_close(hub, 30); /* open IDS windows become alerts, channels deliver */
	alert_ids_free(ids);
	alert_hub_cfg_free(&o.alert);
	analyzer_free(a);
	enrich_free();
	for (int i = 0; i < nsinks; i++)
		sink_close(sinks[i]);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	return ret;
}
