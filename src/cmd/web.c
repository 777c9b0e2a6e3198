/* mitsu web: the dashboard over a record store, on its own. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/log.h"
#include "web/web.h"

static const char web_help[] =
    "usage: mitsu web [--db PATH] [--store DIR] [--listen ADDR:PORT]\n"
    "                 [--auth TOKEN | --auth-user USER --auth-hash HASH]\n"
    "                 [--trust-proxy CIDR --proxy-user-header NAME] [--mmdb FILE]\n"
    "\n"
    "Serves the dashboard (overview, port map, sessions, alerts, tokens) and a\n"
    "read-only JSON API over the record store; 'mitsu run' starts the same server.\n"
    "\n"
    "  --db PATH        SQLite record store (default STORE/mitsu.db)\n"
    "  --store DIR      local store whose pcap/ files may be downloaded\n"
    "                   (default ./mitsu-data)\n"
    "  --listen A:P     address and port (default " WEB_DEFAULT_LISTEN "); [::1]:P for IPv6\n"
    "  --auth TOKEN     require 'Authorization: Bearer TOKEN', or HTTP Basic with\n"
    "                   TOKEN as the password (environment MITSU_WEB_TOKEN works too\n"
    "                   and keeps the token out of ps)\n"
    "  --auth-user U --auth-hash H\n"
    "                   require HTTP Basic as U; H is a crypt(3) hash of the password\n"
    "                   (openssl passwd -6, or mkpasswd -m yescrypt)\n"
    "  --trust-proxy CIDR   (repeatable) a reverse proxy that authenticates users\n"
    "  --proxy-user-header NAME\n"
    "                   the proxy's user header (e.g. Cf-Access-Authenticated-User-Email,\n"
    "                   X-Forwarded-User); believed only from --trust-proxy addresses\n"
    "  --mmdb FILE      (repeatable, up to 4) MaxMind-format database (GeoLite2\n"
    "                   Country/City/ASN, DB-IP lite): country and AS of sources\n"
    "\n"
    "A non-loopback --listen without authentication is refused. Without\n"
    "authentication only requests whose Host is a loopback name are answered.\n"
    "Exit status: 0 after SIGINT/SIGTERM, 1 cannot serve, 2 bad usage.\n";

static const struct option web_longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"store", required_argument, NULL, 's'},
    {"listen", required_argument, NULL, 'l'},
    {"auth", required_argument, NULL, 'a'},
    {"auth-user", required_argument, NULL, 'u'},
    {"auth-hash", required_argument, NULL, 'H'},
    {"trust-proxy", required_argument, NULL, 'p'},
    {"proxy-user-header", required_argument, NULL, 'P'},
    {"mmdb", required_argument, NULL, 'm'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static char **web_argv;

/* Applies one option; returns 0, or 2 with the reason printed. */
static int web_opt(struct web_cfg *cfg, int c)
{
	switch (c) {
	case 'd':
		cfg->db = optarg;
		return 0;
	case 's':
		cfg->store = optarg;
		return 0;
	case 'l':
		cfg->listen = optarg;
		return 0;
	case 'a':
		cfg->auth_token = optarg;
		return 0;
	case 'u':
		cfg->auth_user = optarg;
		return 0;
	case 'H':
		cfg->auth_hash = optarg;
		return 0;
	case 'P':
		cfg->proxy_user_header = optarg;
		return 0;
	case 'm':
		if (cfg->nmmdb == 4) {
			fprintf(stderr, "mitsu web: --mmdb: at most 4 files\n");
			return 2;
		}
		cfg->mmdb[cfg->nmmdb++] = optarg;
		return 0;
	case 'p':
		if (cfg->nproxies == WEB_MAX_PROXIES ||
		    cidr_parse(optarg, &cfg->proxies[cfg->nproxies])) {
			fprintf(stderr,
				"mitsu web: --trust-proxy %s: expected an address or "
				"CIDR (at most %d)\n",
				optarg, WEB_MAX_PROXIES);
			return 2;
		}
		cfg->nproxies++;
		return 0;
	}
	if (c == ':')
		fprintf(stderr, "mitsu web: option '%s' needs a value\n", web_argv[optind - 1]);
	else
		fprintf(stderr, "mitsu web: unknown option '%s'\n", web_argv[optind - 1]);
	fprintf(stderr, "usage: mitsu web [--db PATH] [--store DIR] [--listen ADDR:PORT] ... "
			"(--help for more)\n");
	return 2;
}

static int web_check(const struct web_cfg *cfg)
{
	if (cfg->auth_token && !*cfg->auth_token) {
		fprintf(stderr, "mitsu web: --auth needs a non-empty token\n");
		return 2;
	}
	if (cfg->auth_token && (cfg->auth_user || cfg->auth_hash)) {
		fprintf(stderr, "mitsu web: give --auth or --auth-user/--auth-hash, not both\n");
		return 2;
	}
	if (!cfg->auth_user != !cfg->auth_hash) {
		fprintf(stderr, "mitsu web: --auth-user and --auth-hash go together\n");
		return 2;
	}
	if (!cfg->nproxies != !cfg->proxy_user_header) {
		fprintf(stderr, "mitsu web: --trust-proxy and --proxy-user-header go together\n");
		return 2;
	}
	return 0;
}

int cmd_web(int argc, char **argv)
{
	static char dbpath[PATH_MAX];
	struct web_cfg cfg;
	struct web *w = NULL;
	char err[PATH_MAX + 256];
	sigset_t set;
	int c, sig, ret;

	web_cfg_defaults(&cfg);
	cfg.store = "./mitsu-data";
	cfg.auth_token = getenv("MITSU_WEB_TOKEN");
	opterr = 0;
	optind = 1;
	web_argv = argv;
	while ((c = getopt_long(argc, argv, ":h", web_longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(web_help, stdout);
			return 0;
		}
		if ((ret = web_opt(&cfg, c)))
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, "mitsu web: unexpected argument ('mitsu web --help')\n");
		return 2;
	}
	if ((ret = web_check(&cfg)))
		return ret;
	if (!cfg.db) {
		snprintf(dbpath, sizeof(dbpath), "%s/mitsu.db", cfg.store);
		cfg.db = dbpath;
	}
	/* Signals are taken by sigwait below; the server's threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = web_start(&cfg, &w, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mitsu web: %s\n", err);
		return ret == -EACCES || ret == -EINVAL ? 2 : 1;
	}
	log_info("mitsu web: dashboard on http://%s/ (port %u), records from %s%s", cfg.listen,
		 web_port(w), cfg.db,
		 cfg.auth_token || cfg.auth_user || cfg.nproxies ? ", authentication required"
								 : "");
	do
		sig = 0, sigwait(&set, &sig);
	while (sig == SIGHUP);
	log_info("mitsu web: stopping");
	web_stop(w);
	return 0;
}
