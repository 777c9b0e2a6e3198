#include "cmd/sensor_opts.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/opts.h"
#include "core/log.h"

enum {
	OPT_ADDR = 1000, OPT_EXCLUDE, OPT_NO_FIREWALL, OPT_USER, OPT_STORE, OPT_SENSOR_ID,
	OPT_ONE_FILE, OPT_NO_RESPOND, OPT_PROMISC, OPT_IDLE, OPT_MAX_LIFE, OPT_MAX_FLOWS,
	OPT_MAX_FLOW_PACKETS, OPT_MAX_FLOW_BYTES, OPT_MEM_BUDGET, OPT_RATE, OPT_BURST,
	OPT_GLOBAL_RATE, OPT_GLOBAL_BURST, OPT_STATS, OPT_SCANS_ROTATE, OPT_SCANS_SIZE,
	OPT_CONFIG, OPT_LOG, OPT_TX_OUT,
	OPT_S3_ENDPOINT, OPT_S3_PATH_STYLE, OPT_SPOOL, OPT_SPOOL_MAX, OPT_SPOOL_RETRY_MAX, OPT_BUS,
	OPT_BAIT, OPT_BAIT_DB,
	OPT_ALERT, OPT_ALERT_LAST = OPT_ALERT + ALERT_NOPTS - 1,
};

struct alert_hub_cfg *sensor_alert_cfg;
void (*sensor_alert_reload)(const struct alert_hub_cfg *cfg);
static int alert_opts_seen;

const char sensor_short_options[] = "i:r:vh";

const struct option sensor_long_options[] = {
	{"interface", required_argument, NULL, 'i'},
	{"read", required_argument, NULL, 'r'},
	{"tx-out", required_argument, NULL, OPT_TX_OUT},
	{"addr", required_argument, NULL, OPT_ADDR},
	{"exclude-port", required_argument, NULL, OPT_EXCLUDE},
	{"no-firewall", no_argument, NULL, OPT_NO_FIREWALL},
	{"user", required_argument, NULL, OPT_USER},
	{"store", required_argument, NULL, OPT_STORE},
	{"sensor-id", required_argument, NULL, OPT_SENSOR_ID},
	{"one-file-per-flow", no_argument, NULL, OPT_ONE_FILE},
	{"no-respond", no_argument, NULL, OPT_NO_RESPOND},
	{"promisc", no_argument, NULL, OPT_PROMISC},
	{"idle", required_argument, NULL, OPT_IDLE},
	{"max-life", required_argument, NULL, OPT_MAX_LIFE},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"max-flow-packets", required_argument, NULL, OPT_MAX_FLOW_PACKETS},
	{"max-flow-bytes", required_argument, NULL, OPT_MAX_FLOW_BYTES},
	{"mem-budget", required_argument, NULL, OPT_MEM_BUDGET},
	{"rate", required_argument, NULL, OPT_RATE},
	{"burst", required_argument, NULL, OPT_BURST},
	{"global-rate", required_argument, NULL, OPT_GLOBAL_RATE},
	{"global-burst", required_argument, NULL, OPT_GLOBAL_BURST},
	{"stats-interval", required_argument, NULL, OPT_STATS},
	{"scans-rotate", required_argument, NULL, OPT_SCANS_ROTATE},
	{"scans-rotate-size", required_argument, NULL, OPT_SCANS_SIZE},
	{"bait", required_argument, NULL, OPT_BAIT},
	{"bait-db", required_argument, NULL, OPT_BAIT_DB},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"log", required_argument, NULL, OPT_LOG},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"s3-endpoint", required_argument, NULL, OPT_S3_ENDPOINT},
	{"s3-path-style", no_argument, NULL, OPT_S3_PATH_STYLE},
	{"spool", required_argument, NULL, OPT_SPOOL},
	{"spool-max", required_argument, NULL, OPT_SPOOL_MAX},
	{"spool-retry-max", required_argument, NULL, OPT_SPOOL_RETRY_MAX},
	{"bus", required_argument, NULL, OPT_BUS},
	ALERT_LONG_OPTIONS(OPT_ALERT),
	{NULL, 0, NULL, 0},
};

const char sensor_options_help[] =
	"capture:\n"
	"  -i, --interface IFACE     capture and answer on IFACE (Ethernet or a tunnel such as wg0)\n"
	"  -r, --read FILE           offline: run a pcap through the same code ('-' = stdin);\n"
	"                            time comes from packet timestamps; needs --addr\n"
	"      --tx-out FILE         offline: write the replies we would send to this pcap\n"
	"      --addr CIDR           monitored address or prefix, IPv4 or IPv6 (repeatable);\n"
	"                            default: the interface's own addresses\n"
	"      --exclude-port PORTS  never answer or record these TCP/UDP ports, e.g. 22 or\n"
	"                            22,8000-8100 (repeatable). Ports where a local service\n"
	"                            listens are never answered either (checked every 5 s)\n"
	"      --promisc             promiscuous mode (for prefixes routed without ARP)\n"
	"answering:\n"
	"      --no-respond          capture only, send nothing\n"
	"      --rate N              SYN+ACKs per second toward any one address (default 2000)\n"
	"      --burst N             ... with this burst (default 4000)\n"
	"      --global-rate N       SYN+ACKs per second in total (default 50000)\n"
	"      --global-burst N      ... with this burst (default 50000)\n"
	"      --no-firewall         do not install the nftables table that drops the kernel's\n"
	"                            RSTs and port-unreachables from the monitored addresses\n"
	"      --bait PATH=FORMAT    answer \"GET PATH\" (any port) with one small HTTP 200 whose\n"
	"                            body is a bait file holding a honeytoken minted for that\n"
	"                            client; FORMAT env, aws-credentials, wp-config, id_rsa,\n"
	"                            git-credentials (repeatable, at most 8)\n"
	"      --bait-db PATH        where bait tokens are stored (default STORE/mitsu.db;\n"
	"                            mitsu run: its --db)\n"
	"flows:\n"
	"      --idle SECONDS        end a flow after this long without packets (default 60)\n"
	"      --max-life SECONDS    end a flow at this age (default 3600)\n"
	"      --max-flow-packets N  end a flow at N packets (default 10000)\n"
	"      --max-flow-bytes SIZE end a flow at SIZE stored bytes (default 16M)\n"
	"      --max-flows N         open flows at most; the least recently active is written\n"
	"                            early when full (default 131072)\n"
	"      --mem-budget SIZE     packet memory; same rule when full (default 128M)\n"
	"output:\n"
	"      --store DIR           where pcaps go (default ./mitsu-data)\n"
	"      --one-file-per-flow   also give payload-less flows (SYN scans, pings) a file of\n"
	"                            their own; by default they are appended to a rolling\n"
	"                            pcap/…/scans_<sensor>_<ts>.pcap\n"
	"      --scans-rotate SECONDS  rotate the scans file (default 60)\n"
	"      --scans-rotate-size SIZE  ... or at this size (default 64M)\n"
	"      --sensor-id ID        name in keys and records (default: a UUID kept in the store)\n"
	"S3 store and bus (see README, 'Keep at scale'):\n"
	"      --store s3://BUCKET[/PREFIX]  PUT each pcap to S3 (credentials and region from\n"
	"                            AWS_* variables or ~/.aws, as the AWS CLI reads them)\n"
	"      --s3-endpoint URL     S3-compatible endpoint, e.g. http://127.0.0.1:9000\n"
	"                            (default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or AWS)\n"
	"      --s3-path-style       URL endpoint/bucket/key (automatic for IP addresses)\n"
	"      --spool DIR           objects the store did not take wait here and are resent,\n"
	"                            oldest first, also after a restart (default\n"
	"                            ./mitsu-data/spool; it also keeps the sensor id)\n"
	"      --spool-max SIZE      spool size cap (default 1G; warned at 50/80/100 %)\n"
	"      --spool-retry-max S   longest wait between retries (default 300)\n"
	"      --bus nats://HOST:PORT  announce objects on NATS JetStream (stream\n"
	"                            MITSU_OBJECTS, subject mitsu.objects.<sensor>)\n"
	"process:\n"
	"      --user USER           drop privileges to USER after opening the capture and\n"
	"                            installing the firewall (default nobody)\n"
	"      --stats-interval S    log counters every S seconds (default 60; 0 = only at exit)\n"
	"      --config FILE         read options from FILE ('name value' lines, '#' comments);\n"
	"                            the command line wins; SIGHUP re-reads it\n"
	"      --log FILE            log to FILE instead of stderr (SIGHUP reopens it)\n"
	"  -v, --verbose             more logging\n" ALERT_OPTIONS_HELP;

static int parse_u64(const char *s, uint64_t *out, int allow_suffix)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (allow_suffix && *end) {
		int shift = *end == 'k' || *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : -1;
		if (shift < 0 || end[1] || v > (~0ull >> shift))
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v, 0) || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_rate(const char *s, double *out)
{
	uint64_t v;

	if (parse_u64(s, &v, 0) || v > 100000000)
		return -EINVAL;
	*out = (double)v;
	return 0;
}

static int apply_number(struct sensor_cfg *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_IDLE: return parse_u32(arg, &c->idle_s);
	case OPT_MAX_LIFE: return parse_u32(arg, &c->max_life_s);
	case OPT_MAX_FLOWS: return parse_u32(arg, &c->max_flows) || !c->max_flows ? -EINVAL : 0;
	case OPT_MAX_FLOW_PACKETS: return parse_u32(arg, &c->max_flow_packets);
	case OPT_MAX_FLOW_BYTES: return parse_u64(arg, &c->max_flow_bytes, 1);
	case OPT_MEM_BUDGET: return parse_u64(arg, &c->mem_budget, 1);
	case OPT_RATE: return parse_rate(arg, &c->rate);
	case OPT_BURST: return parse_rate(arg, &c->burst);
	case OPT_GLOBAL_RATE: return parse_rate(arg, &c->global_rate);
	case OPT_GLOBAL_BURST: return parse_rate(arg, &c->global_burst);
	case OPT_STATS: return parse_u32(arg, &c->stats_interval);
	case OPT_SCANS_ROTATE: return parse_u32(arg, &c->scans_rotate_s);
	case OPT_SCANS_SIZE: return parse_u64(arg, &c->scans_rotate_bytes, 1);
	}
	return -ENOENT;
}

/* Into the command's alert config; without one (mitsu sensor, a reload)
 * checked and noted only. */
static int apply_alert(int idx, const char *arg, char *err, size_t errlen)
{
	struct alert_hub_cfg scratch;
	int ret;

	alert_opts_seen = 1;
	if (sensor_alert_cfg)
		return alert_opts_apply(sensor_alert_cfg, idx, arg, err, errlen);
	alert_hub_cfg_defaults(&scratch);
	ret = alert_opts_apply(&scratch, idx, arg, err, errlen);
	alert_hub_cfg_free(&scratch);
	return ret;
}

static const char *option_name(int opt)
{
	for (const struct option *o = sensor_long_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

int sensor_apply_option(struct sensor_cfg *c, int opt, const char *arg, char *err, size_t errlen)
{
	int ret = 0;

	switch (opt) {
	case 'i': c->iface = arg; break;
	case 'r': c->read_file = arg; break;
	case OPT_TX_OUT: c->tx_out = arg; break;
	case OPT_ADDR:
		if (c->naddrs == SENSOR_MAX_ADDRS)
			ret = -E2BIG;
		else
			ret = cidr_parse(arg, &c->addrs[c->naddrs++]);
		break;
	case OPT_EXCLUDE: ret = portset_parse(&c->exclude, arg); break;
	case OPT_NO_FIREWALL: c->firewall = false; break;
	case OPT_USER: c->user = arg; break;
	case OPT_STORE: c->store = arg; break;
	case OPT_SENSOR_ID:
		ret = strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
				      strlen(arg) && *arg && strlen(arg) < 100 ? 0 : -EINVAL;
		c->sensor_id = arg;
		break;
	case OPT_ONE_FILE: c->one_file_per_flow = true; break;
	case OPT_NO_RESPOND: c->respond = false; break;
	case OPT_PROMISC: c->promisc = true; break;
	case OPT_S3_ENDPOINT: c->store_opts.s3_endpoint = arg; break;
	case OPT_S3_PATH_STYLE: c->store_opts.s3_path_style = true; break;
	case OPT_SPOOL: c->store_opts.spool_dir = arg; break;
	case OPT_SPOOL_MAX: ret = parse_u64(arg, &c->store_opts.spool_max, 1); break;
	case OPT_SPOOL_RETRY_MAX:
		ret = parse_u32(arg, &c->store_opts.spool_retry_max_s) ||
				      !c->store_opts.spool_retry_max_s ? -EINVAL : 0;
		break;
	case OPT_BUS: c->bus = arg; break;
	case OPT_BAIT:
		ret = c->nbait == BAIT_MAX ? -E2BIG : bait_parse(arg, &c->bait[c->nbait]);
		c->nbait += !ret;
		break;
	case OPT_BAIT_DB: c->bait_db = arg; break;
	case OPT_ALERT ... OPT_ALERT_LAST:
		return apply_alert(opt - OPT_ALERT, arg, err, errlen);
	default: ret = apply_number(c, opt, arg); break;
	}
	if (ret)
		snprintf(err, errlen, "invalid --%s '%s'", option_name(opt), arg ? arg : "");
	return ret;
}

static const struct option *find_long(const char *name)
{
	for (const struct option *o = sensor_long_options; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Config values outlive the file: they are kept for the process's life. */
int sensor_read_config(struct sensor_cfg *cfg, const char *path, char *err, size_t errlen)
{
	char line[1024];
	int lineno = 0, ret = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *name, *val, *save = NULL;
		const struct option *o;
		lineno++;
		line[strcspn(line, "#\r\n")] = 0;
		name = strtok_r(line, " \t=", &save);
		if (!name)
			continue;
		val = strtok_r(NULL, " \t", &save);
		if (val && *val == '=') /* "name = value", "name =value" */
			val = val[1] ? val + 1 : strtok_r(NULL, " \t", &save);
		o = find_long(name);
		if (!o || o->val == OPT_CONFIG || o->val == 'h' || (o->has_arg && !val)) {
			snprintf(err, errlen, "%s:%d: unknown or incomplete option '%s'", path, lineno,
				 name);
			ret = -EINVAL;
			break;
		}
		if (o->val >= OPT_ALERT && o->val <= OPT_ALERT_LAST) /* copied there */
			ret = sensor_apply_option(cfg, o->val, val, err, errlen);
		else
			ret = sensor_apply_option(cfg, o->val, val ? strdup(val) : NULL, err, errlen);
	}
	fclose(f);
	return ret;
}

int sensor_parse_args(struct sensor_cfg *cfg, int argc, char **argv, const char **config,
		      const char **log, int *verbose, char *err, size_t errlen)
{
	int opt, ret;

	/* First pass: only --config, so the file is applied under the command line. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			*config = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			*config = argv[i] + 9;
	if (*config && (ret = sensor_read_config(cfg, *config, err, errlen)))
		return ret;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, sensor_short_options, sensor_long_options, NULL)) !=
	       -1) {
		if (opt == '?') {
			snprintf(err, errlen, "unknown or incomplete option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
		if (opt == 'h')
			return 1;
		if (opt == 'v') {
			(*verbose)++;
			continue;
		}
		if (opt == OPT_CONFIG)
			continue;
		if (opt == OPT_LOG) {
			*log = optarg;
			continue;
		}
		if ((ret = sensor_apply_option(cfg, opt, optarg, err, errlen)))
			return ret;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

void sensor_reload_from_args(struct sensor *s, int argc, char **argv)
{
	const char *config = NULL, *log = NULL;
	struct sensor_cfg cfg;
	char err[512];
	int verbose = 0;

	struct alert_hub_cfg acfg;
	int ret;

	log_reopen();
	sensor_cfg_defaults(&cfg);
	alert_hub_cfg_defaults(&acfg);
	sensor_alert_cfg = sensor_alert_reload ? &acfg : NULL;
	ret = sensor_parse_args(&cfg, argc, argv, &config, &log, &verbose, err, sizeof(err));
	sensor_alert_cfg = NULL;
	if (ret < 0) {
		log_err("reload: %s; keeping the running configuration", err);
	} else {
		sensor_reload(s, &cfg);
		if (sensor_alert_reload)
			sensor_alert_reload(&acfg);
	}
	alert_hub_cfg_free(&acfg);
}

/* ---- the shared start and run loop of `mitsu sensor` and `mitsu run` ---- */

static struct sensor *running;

static void on_stop(int sig)
{
	(void)sig;
	if (running)
		sensor_request_stop(running);
}

static void on_hup(int sig)
{
	(void)sig;
	if (running)
		sensor_request_reload(running);
}

int sensor_cmd_start(const char *cmd, int argc, char **argv, struct sensor_cfg *cfg,
		     void (*usage)(FILE *f))
{
	const char *config = NULL, *log = NULL;
	struct sigaction sa;
	char err[512];
	int verbose = 0, ret;

	sensor_cfg_defaults(cfg);
	ret = sensor_parse_args(cfg, argc, argv, &config, &log, &verbose, err, sizeof(err));
	if (ret == 1) {
		usage(stdout);
		return 0;
	}
	if (!ret && !cfg->iface == !cfg->read_file) {
		snprintf(err, sizeof(err), "give exactly one of -i IFACE or -r FILE");
		ret = -1;
	}
	if (ret) {
		fprintf(stderr, "mitsu %s: %s\n\n", cmd, err);
		usage(stderr);
		return 2;
	}
	if (log && log_open(log)) {
		fprintf(stderr, "mitsu %s: cannot open log %s\n", cmd, log);
		return 1;
	}
	log_set_level(verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (alert_opts_seen && !sensor_alert_cfg)
		log_warn("mitsu %s: alert options need an analyzer ('mitsu run' or 'mitsu analyze'); "
			 "ignored", cmd);
	sensor_alert_cfg = NULL; /* reloads do not add rules or channels twice */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return -1;
}

int sensor_cmd_run(struct sensor *s, int argc, char **argv)
{
	return sensor_cmd_run_hook(s, argc, argv, NULL, NULL);
}

int sensor_cmd_run_hook(struct sensor *s, int argc, char **argv, void (*before_close)(void *),
			void *arg)
{
	int ret;

	running = s;
	while (!(ret = sensor_loop(s)) && sensor_reload_pending(s))
		sensor_reload_from_args(s, argc, argv);
	running = NULL;
	if (before_close)
		before_close(arg);
	sensor_close_and_report(s);
	return ret ? 1 : 0;
}
