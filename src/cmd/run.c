/* mitsu run: the whole pipeline in one process on embedded defaults: the
 * sensor writes pcaps to the local folder, the in-process bus announces
 * each, and an analyzer turns it into records in SQLite at once. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/hub.h"
#include "alert/ids.h"
#include "analyze/analyzer.h"
#include "analyze/enrich.h"
#include "bus/bus.h"
#include "cmd/analyze_keep.h"
#include "cmd/cmd.h"
#include "cmd/sensor_opts.h"
#include "core/log.h"
#include "sink/sink.h"
#include "web/web.h"

struct run_analyzer {
	struct analyzer *a;
	struct analyze_file_stats totals;
	unsigned long long objects, failed;
	struct keep_s3 s3; /* --store s3://: objects are fetched back */
	struct alert_hub_cfg alert_cfg; /* --alert-on, channels, ... */
	struct alert_hub *hub;		/* always open: token alerts are stored */
	struct alert_ids *ids;
};

/* SIGHUP: new ignore rules for the running hub. */
static struct alert_hub *run_hub;

static void reload_alerts(const struct alert_hub_cfg *cfg)
{
	if (run_hub)
		alert_hub_reload(run_hub, cfg);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mitsu run -i IFACE [--db PATH] [sensor options]\n\n"
		   "Sensor, store, bus and analyzer in one process: every flow the sensor writes\n"
		   "to --store (default ./mitsu-data) is analysed as soon as it is written and its\n"
		   "record lands in SQLite (--db, default STORE/mitsu.db), ready for 'mitsu query'.\n"
		   "Flows end after --idle seconds (default 60) without packets; payload-less\n"
		   "flows are analysed when their scans file rotates (--scans-rotate, 60 s).\n\n"
		   "      --db PATH             SQLite database for records\n"
		   "      --web ADDR:PORT       the dashboard (default " WEB_DEFAULT_LISTEN "; a\n"
		   "                            non-loopback address needs MITSU_WEB_TOKEN set)\n"
		   "      --web-mmdb FILE       MaxMind DB for the dashboard (repeatable)\n"
		   "      --no-web              no dashboard\n%s",
		sensor_options_help);
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs on the bus's thread, one object at a time. */
static int on_object(void *user, const struct bus_event *ev)
{
	struct run_analyzer *ra = user;
	struct analyze_file_stats st = {0};
	const char *path = ev->uri;
	char err[PATH_MAX + 256];

	if (!strncmp(path, "file://", 7))
		path += 7;
	if (!strncmp(path, "s3://", 5) ? keep_analyze_uri(ra->a, &ra->s3, ev, &st, err, sizeof(err))
	    : analyzer_file(ra->a, path, ev->uri, ev->sensor, ev->flow_end, &st, err, sizeof(err))) {
		ra->failed++;
		log_err("analyze: %s", err);
	}
	ra->objects++;
	ra->totals.records += st.records;
	log_debug("analysed %s: %llu records, %.3f ms after the sensor's commit", ev->key,
		  (unsigned long long)st.records, wall_s() * 1000 - ev->created * 1000);
	return 0;
}

/* Takes --db out of argv so the rest is plain sensor options. */
static const char *take_db(int *argc, char **argv)
{
	const char *db = NULL;
	int o = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < *argc) {
			db = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--db=", 5)) {
			db = argv[i] + 5;
			continue;
		}
		argv[o++] = argv[i];
	}
	*argc = o;
	return db;
}

struct run_web {
	const char *listen; /* NULL: --no-web */
	const char *mmdb[4];
	int nmmdb;
};

/* Takes --web ADDR:PORT, --web-mmdb FILE and --no-web out of argv, like
 * take_db. */
static void take_web(int *argc, char **argv, struct run_web *rw)
{
	const char *web = WEB_DEFAULT_LISTEN;
	int o = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--web") && i + 1 < *argc) {
			web = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--web-mmdb") && i + 1 < *argc && rw->nmmdb < 4) {
			rw->mmdb[rw->nmmdb++] = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--web=", 6)) {
			web = argv[i] + 6;
			continue;
		}
		if (!strcmp(argv[i], "--no-web")) {
			web = NULL;
			continue;
		}
		argv[o++] = argv[i];
	}
	*argc = o;
	rw->listen = web;
}

static int run_web_stats(void *user, struct sensor_stats *st)
{
	sensor_get_stats(user, st);
	return 0;
}

/* The sensor is about to be freed: the dashboard stops reading it. */
static void run_web_detach(void *web)
{
	web_set_stats(web, NULL, NULL);
}

/* Starts the dashboard; a port already taken is only a warning (the sensor
 * matters more), a refused configuration an error.  Returns 0 or -errno. */
static int start_web(const struct run_web *rw, const struct sensor_cfg *cfg, const char *db,
		     struct web **web)
{
	static char dbpath[PATH_MAX + 16];
	struct web_cfg wc;
	char err[PATH_MAX + 256];
	int ret;

	*web = NULL;
	if (!rw->listen)
		return 0;
	web_cfg_defaults(&wc);
	wc.listen = rw->listen;
	memcpy(wc.mmdb, rw->mmdb, sizeof(wc.mmdb));
	wc.nmmdb = rw->nmmdb;
	snprintf(dbpath, sizeof(dbpath), "%s/mitsu.db", cfg->store);
	wc.db = db ? db : dbpath;
	wc.store = cfg->store;
	wc.auth_token = getenv("MITSU_WEB_TOKEN");
	if (wc.auth_token && !*wc.auth_token)
		wc.auth_token = NULL;
	ret = web_start(&wc, web, err, sizeof(err));
	if (ret && ret != -EADDRINUSE && ret != -EADDRNOTAVAIL) {
		fprintf(stderr, "mitsu run: --web: %s\n", err);
		return ret;
	}
	if (ret)
		log_warn("mitsu run: dashboard not started: %s; capturing without it", err);
	else
		log_info("mitsu run: dashboard on http://%s/", rw->listen);
	return 0;
}

static int start_pipeline(const struct sensor_cfg *cfg, const char *db, struct sink **sink,
			  struct run_analyzer *ra, struct bus **bus, char *err, size_t errlen)
{
	struct analyzer_cfg acfg;
	struct enrich_cfg ecfg;
	char spec[PATH_MAX + 16];
	int ret;

	if (db)
		snprintf(spec, sizeof(spec), "sqlite:%s", db);
	else if (!strncmp(cfg->store, "s3://", 5))
		snprintf(spec, sizeof(spec), "sqlite:./mitsu-data/mitsu.db");
	else
		snprintf(spec, sizeof(spec), "sqlite:%s/mitsu.db", cfg->store);
	if ((ret = sink_open(spec, sink, err, errlen)))
		return ret;
	/* always a hub, before the analyzer's producers: token alerts are
	 * stored even without channels */
	if ((ret = alert_hub_open(&ra->alert_cfg, spec + 7, &ra->hub, err, errlen)))
		return ret;
	analyzer_cfg_defaults(&acfg);
	if ((ret = analyzer_new(&ra->a, &acfg, sink, 1))) {
		snprintf(err, errlen, "analyzer: out of memory");
		return ret;
	}
	enrich_cfg_defaults(&ecfg);
	ecfg.token_db = spec + 7; /* honeytokens of the database we write to */
	ecfg.alert = alert_raise; /* token hits through the hub's channels and throttling */
	ecfg.alert_user = ra->hub;
	if ((ret = enrich_init(&ecfg, err, errlen)))
		return ret;
	analyzer_set_hook(ra->a, enrich_hook, NULL);
	if ((ra->alert_cfg.on_any || ra->alert_cfg.on_tags) &&
	    (ret = alert_ids_attach(ra->a, ra->hub, &ra->ids)))
		return ret;
	/* With --bus nats://, the embedded analyzer is group "mitsu-run". */
	struct bus_opts bo = {.group = "mitsu-run"};
	if ((ret = bus_open(cfg->bus, &bo, bus, err, errlen)))
		return ret;
	if ((ret = bus_subscribe(*bus, on_object, ra))) {
		snprintf(err, errlen, "bus: cannot subscribe");
		return ret;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *db = take_db(&argc, argv);
	struct run_web rw = {0};
	struct web *web = NULL;
	struct run_analyzer ra = {0};
	struct sensor_cfg cfg;
	struct sink *sink = NULL;
	struct bus *bus = NULL;
	struct sensor *s = NULL;
	char err[PATH_MAX + 256];
	int ret;

	alert_hub_cfg_defaults(&ra.alert_cfg);
	sensor_alert_cfg = &ra.alert_cfg;
	take_web(&argc, argv, &rw);
	ret = sensor_cmd_start("run", argc, argv, &cfg, usage);
	if (ret >= 0)
		return ret;
	ra.s3.endpoint = cfg.store_opts.s3_endpoint;
	ra.s3.path_style = cfg.store_opts.s3_path_style;
	if (!cfg.bait_db && db)
		cfg.bait_db = db; /* bait tokens where the analyzer looks for them */
	ret = start_pipeline(&cfg, db, &sink, &ra, &bus, err, sizeof(err));
	/* Before sensor_open drops privileges, so a low port can be bound too. */
	if (!ret && start_web(&rw, &cfg, db, &web)) {
		ret = 2;
		goto out;
	}
	if (!ret)
		ret = sensor_open(&s, &cfg, bus, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mitsu run: %s\n", err);
		ret = 1;
		goto out;
	}
	web_set_stats(web, run_web_stats, s);
	run_hub = ra.hub;
	sensor_alert_reload = reload_alerts;
	log_info("mitsu run: sensor %s on %s, records in %s", sensor_id(s),
		 cfg.iface ? cfg.iface : cfg.read_file, db ? db : "the store's mitsu.db");
	ret = sensor_cmd_run_hook(s, argc, argv, run_web_detach, web);
	sensor_alert_reload = NULL;
	run_hub = NULL;
out:
	web_stop(web);
	bus_close(bus); /* analyses everything still queued */
	if (ra.a)
		log_info("analyzer: %llu objects, %llu records, %llu failed", ra.objects,
			 (unsigned long long)ra.totals.records, ra.failed);
	alert_hub_close(ra.hub, 10); /* after the analyzer: its last alerts */
	alert_ids_free(ra.ids);
	alert_hub_cfg_free(&ra.alert_cfg);
	analyzer_free(ra.a);
	keep_s3_free(&ra.s3);
	enrich_free();
	if (sink)
		sink_close(sink);
	return ret;
}
