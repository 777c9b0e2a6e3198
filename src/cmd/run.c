/* mitsu run: the whole pipeline in one process on embedded defaults: the
 * sensor writes pcaps to the local folder, the in-process bus announces
 * each, and an analyzer turns it into records in SQLite at once. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/hub.h"
#include "alert/ids.h"
#include "analyze/analyzer.h"
#include "analyze/enrich.h"
#include "bus/bus.h"
#include "cmd/cmd.h"
#include "cmd/sensor_opts.h"
#include "core/log.h"
#include "sink/sink.h"

struct run_analyzer {
	struct analyzer *a;
	struct analyze_file_stats totals;
	unsigned long long objects, failed;
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
		   "      --db PATH             SQLite database for records\n%s",
		sensor_options_help);
}

/* Runs on the bus's thread, one object at a time. */
static void on_object(void *user, const struct bus_event *ev)
{
	struct run_analyzer *ra = user;
	struct analyze_file_stats st = {0};
	const char *path = ev->uri;
	char err[PATH_MAX + 256];

	if (!strncmp(path, "file://", 7))
		path += 7;
	if (analyzer_file(ra->a, path, ev->uri, ev->sensor, ev->flow_end, &st, err, sizeof(err))) {
		ra->failed++;
		log_err("analyze: %s", err);
	}
	ra->objects++;
	ra->totals.records += st.records;
	log_debug("analysed %s: %llu records", ev->key, (unsigned long long)st.records);
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

static int start_pipeline(const struct sensor_cfg *cfg, const char *db, struct sink **sink,
			  struct run_analyzer *ra, struct bus **bus, char *err, size_t errlen)
{
	struct analyzer_cfg acfg;
	struct enrich_cfg ecfg;
	char spec[PATH_MAX + 16];
	int ret;

	if (db)
		snprintf(spec, sizeof(spec), "sqlite:%s", db);
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
	if ((ret = enrich_init(&ecfg, err, errlen)))
		return ret;
	analyzer_set_hook(ra->a, enrich_hook, NULL);
	if ((ra->alert_cfg.on_any || ra->alert_cfg.on_tags) &&
	    (ret = alert_ids_attach(ra->a, ra->hub, &ra->ids)))
		return ret;
	if ((ret = bus_local_open(bus)) || (ret = bus_subscribe(*bus, on_object, ra))) {
		snprintf(err, errlen, "bus: cannot start");
		return ret;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *db = take_db(&argc, argv);
	struct run_analyzer ra = {0};
	struct sensor_cfg cfg;
	struct sink *sink = NULL;
	struct bus *bus = NULL;
	struct sensor *s = NULL;
	char err[PATH_MAX + 256];
	int ret;

	alert_hub_cfg_defaults(&ra.alert_cfg);
	sensor_alert_cfg = &ra.alert_cfg;
	ret = sensor_cmd_start("run", argc, argv, &cfg, usage);

	if (ret >= 0)
		return ret;
	ret = start_pipeline(&cfg, db, &sink, &ra, &bus, err, sizeof(err));
	if (!ret)
		ret = sensor_open(&s, &cfg, bus, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mitsu run: %s\n", err);
		ret = 1;
		goto out;
	}
	run_hub = ra.hub;
	sensor_alert_reload = reload_alerts;
	log_info("mitsu run: sensor %s on %s, records in %s", sensor_id(s),
		 cfg.iface ? cfg.iface : cfg.read_file, db ? db : "the store's mitsu.db");
	ret = sensor_cmd_run(s, argc, argv);
	sensor_alert_reload = NULL;
	run_hub = NULL;
out:
	bus_close(bus); /* analyses everything still queued */
	if (ra.a)
		log_info("analyzer: %llu objects, %llu records, %llu failed", ra.objects,
			 (unsigned long long)ra.totals.records, ra.failed);
	alert_hub_close(ra.hub, 10); /* after the analyzer: its last alerts */
	alert_ids_free(ra.ids);
	alert_hub_cfg_free(&ra.alert_cfg);
	analyzer_free(ra.a);
	enrich_free();
	if (sink)
		sink_close(sink);
	return ret;
}
