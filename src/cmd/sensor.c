/* mitsu sensor: answer every port, capture every flow, one pcap per flow. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/sensor_opts.h"
#include "core/log.h"

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

static void usage(FILE *f)
{
	fprintf(f, "usage: mitsu sensor -i IFACE [options]\n"
		   "       mitsu sensor -r IN.pcap --addr CIDR [--tx-out REPLIES.pcap] [options]\n\n"
		   "Answers every TCP SYN to the monitored addresses with a Linux-like SYN+ACK,\n"
		   "keeps every packet of every flow (our replies included) and writes each\n"
		   "finished flow as a pcap under STORE/pcap/YYYY/MM/DD/HH/. Needs root (or\n"
		   "CAP_NET_RAW+CAP_NET_ADMIN) to capture, answer and install its firewall\n"
		   "table; drops to --user afterwards. SIGTERM/SIGINT write every open flow and\n"
		   "exit; SIGHUP reopens the log and reloads --config.\n\n%s",
		sensor_options_help);
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_sensor(int argc, char **argv)
{
	const char *config = NULL, *log = NULL;
	struct sensor_cfg cfg;
	struct sensor *s;
	char err[512];
	int verbose = 0, ret;

	sensor_cfg_defaults(&cfg);
	ret = sensor_parse_args(&cfg, argc, argv, &config, &log, &verbose, err, sizeof(err));
	if (ret == 1) {
		usage(stdout);
		return 0;
	}
	if (!ret && !cfg.iface == !cfg.read_file) {
		snprintf(err, sizeof(err), "give exactly one of -i IFACE or -r FILE");
		ret = -1;
	}
	if (ret) {
		fprintf(stderr, "mitsu sensor: %s\n\n", err);
		usage(stderr);
		return 2;
	}
	if (log && log_open(log)) {
		fprintf(stderr, "mitsu sensor: cannot open log %s\n", log);
		return 1;
	}
	log_set_level(verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	signals();
	ret = sensor_open(&s, &cfg, NULL, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mitsu sensor: %s\n", err);
		return 1;
	}
	running = s;
	log_info("sensor %s started on %s", sensor_id(s), cfg.iface ? cfg.iface : cfg.read_file);
	do {
		ret = sensor_loop(s);
		if (sensor_reload_pending(s))
			sensor_reload_from_args(s, argc, argv);
		else
			break;
	} while (!ret);
	running = NULL;
	sensor_close_and_report(s);
	return ret ? 1 : 0;
}
