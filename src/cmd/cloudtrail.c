/* mitsu cloudtrail: CloudTrail log files in, one alert per event made with
 * a registered aws honeytoken out (JSON lines, and the alerts table). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "alert/cloudtrail.h"
#include "alert/hub.h"
#include "alert/opts.h"
#include "cmd/cmd.h"
#include "core/buf.h"
#include "sink/sqlite.h"

static void ct_usage(FILE *f)
{
	fprintf(f,
		"usage: mitsu cloudtrail [--db PATH] [--no-store] [-q] PATH... | -\n\n"
		"Reads CloudTrail log files (JSON {\"Records\":[...]} or .json.gz; a folder is walked\n"
		"recursively, e.g. AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/, taking *.json\n"
		"and *.json.gz; '-' reads stdin; 'aws cloudtrail lookup-events' output works too)\n"
		"and raises an alert for every event whose userIdentity.userName or\n"
		"userIdentity.accessKeyId belongs to a registered aws token ('mitsu token add\n"
		"--kind aws --access-key-id AKIA... --user honeyuser'). Each alert is printed as a\n"
		"JSON line and stored in the alerts table (once: reading a file again adds nothing).\n\n"
		"options:\n"
		"      --db PATH     SQLite store with the tokens (default ./mitsu-data/mitsu.db)\n"
		"      --no-store    print alerts only\n"
		"  -q, --quiet       no summary on stderr\n"
		"  -h, --help        this text\n"
		"With an alert channel (--webhook, --syslog, ...; see README, 'Alerts') each\n"
		"new alert also goes to the channels, throttled like the analyzer's.\n"
		ALERT_OPTIONS_HELP "\n"
		"Exit status: 0 all files read, 1 a file could not be read or parsed (named on\n"
		"stderr), 2 bad usage.\n");
}

struct ct_out {
	sqlite3 *db;
	int store;
	unsigned long long stored, failed;
	struct alert_hub *hub; /* channels configured: new alerts go there too */
};

static void ct_emit(void *user, const struct alert *a)
{
	struct ct_out *o = user;
	struct buf b = {0};

	if (!alert_to_json(a, &b))
		printf("%s\n", buf_cstr(&b));
	buf_free(&b);
	if (o->store) {
		int ret = alert_db_insert(o->db, a);
		if (ret < 0)
			o->failed++;
		else
			o->stored += (unsigned)ret;
		/* Only new ones: reading a file again must not page anyone again. */
		if (ret > 0 && o->hub)
			alert_raise(o->hub, a);
	} else if (o->hub) {
		alert_raise(o->hub, a);
	}
}

static int ct_load(void *user, const struct token *t)
{
	struct { struct token *v; size_t n, cap; } *l = user;

	if (!cloudtrail_token_usable(t))
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct token *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv, l->cap = nc;
	}
	l->v[l->n++] = *t;
	return 0;
}

static int ct_is_log(const char *name)
{
	size_t l = strlen(name);

	return (l > 5 && !strcmp(name + l - 5, ".json")) || (l > 8 && !strcmp(name + l - 8, ".json.gz"));
}

static int ct_byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int ct_one(struct cloudtrail *ct, const char *path)
{
	int ret = cloudtrail_file(ct, path);

	if (ret)
		fprintf(stderr, "mitsu cloudtrail: %s: %s\n", path,
			ret == -EINVAL ? "not JSON (or cut short)" : strerror(-ret));
	return ret ? 1 : 0;
}

/* Depth-first in name order; digest files hold no events and are skipped. */
static int ct_walk(struct cloudtrail *ct, const char *dir, int depth)
{
	struct dirent **ents;
	char path[PATH_MAX];
	struct stat st;
	int n, bad = 0;

	if (depth > 16 || (n = scandir(dir, &ents, NULL, ct_byname)) < 0)
		return depth > 16 ? 0 : 1;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (name[0] != '.' && strcmp(name, "CloudTrail-Digest") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
		    !lstat(path, &st)) {
			if (S_ISDIR(st.st_mode))
				bad |= ct_walk(ct, path, depth + 1);
			else if (S_ISREG(st.st_mode) && ct_is_log(name))
				bad |= ct_one(ct, path);
		}
		free(ents[i]);
	}
	free(ents);
	return bad;
}

enum { CT_OPT_ALERT = 1000, CT_OPT_ALERT_LAST = CT_OPT_ALERT + ALERT_NOPTS - 1 };

static const struct option ct_opts[] = {
	{"db", required_argument, NULL, 'd'},
	{"no-store", no_argument, NULL, 'n'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	ALERT_LONG_OPTIONS(CT_OPT_ALERT),
	{NULL, 0, NULL, 0},
};

int cmd_cloudtrail(int argc, char **argv)
{
	const char *dbpath = "./mitsu-data/mitsu.db";
	struct { struct token *v; size_t n, cap; } toks = {0};
	struct ct_out out = {.store = 1};
	struct cloudtrail ct = {0};
	struct alert_hub_cfg acfg;
	char err[1024];
	int opt, quiet = 0, bad = 0;

	alert_hub_cfg_defaults(&acfg);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "qh", ct_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dbpath = optarg; break;
		case 'n': out.store = 0; break;
		case 'q': quiet = 1; break;
		case 'h': ct_usage(stdout); return 0;
		case CT_OPT_ALERT ... CT_OPT_ALERT_LAST:
			if (alert_opts_apply(&acfg, opt - CT_OPT_ALERT, optarg, err, sizeof(err))) {
				fprintf(stderr, "mitsu cloudtrail: %s\n", err);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "mitsu cloudtrail: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			ct_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mitsu cloudtrail: give at least one PATH (or - for stdin)\n");
		return 2;
	}
	if (sink_sqlite_open_db(dbpath, &out.db, err, sizeof(err))) {
		fprintf(stderr, "mitsu cloudtrail: %s\n", err);
		return 1;
	}
	/* The alerts table is written here (ct_emit); the hub only sends. */
	if (alert_hub_cfg_active(&acfg) && alert_hub_open(&acfg, NULL, &out.hub, err, sizeof(err))) {
		fprintf(stderr, "mitsu cloudtrail: %s\n", err);
		bad = 1;
		goto done;
	}
	if (token_db_each(out.db, ct_load, &toks)) {
		fprintf(stderr, "mitsu cloudtrail: cannot read tokens from %s\n", dbpath);
		bad = 1;
		goto done;
	}
	if (!toks.n)
		fprintf(stderr, "mitsu cloudtrail: warning: no aws token in %s (mitsu token add "
				"--kind aws ...)\n", dbpath);
	ct = (struct cloudtrail){.toks = toks.v, .ntok = toks.n, .fn = ct_emit, .user = &out};
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") && !stat(argv[i], &st) && S_ISDIR(st.st_mode))
			bad |= ct_walk(&ct, argv[i], 0);
		else
			bad |= ct_one(&ct, argv[i]);
	}
	fflush(stdout);
	if (!quiet)
		fprintf(stderr, "mitsu cloudtrail: %llu files (%llu unreadable), %llu events, "
				"%llu alerts (%llu new stored%s)\n",
			(unsigned long long)ct.files, (unsigned long long)ct.bad_files,
			(unsigned long long)ct.events, (unsigned long long)ct.alerts, out.stored,
			out.failed ? ", some failed to store" : "");
	if (out.failed)
		bad = 1;
done:
	if (out.hub)
		alert_hub_close(out.hub, 10); /* delivers what is queued (10 s at most) */
	alert_hub_cfg_free(&acfg);
	free(toks.v);
	sqlite3_close(out.db);
	return bad ? 1 : 0;
}
