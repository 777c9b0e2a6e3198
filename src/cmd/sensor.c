/* mitsu sensor: answer every port, capture every flow, one pcap per flow. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/sensor_opts.h"
#include "core/log.h"

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

int cmd_sensor(int argc, char **argv)
{
	struct sensor_cfg cfg;
	struct sensor *s;
	struct bus *bus = NULL;
	char err[512];
	int ret = sensor_cmd_start("sensor", argc, argv, &cfg, usage);

	if (ret >= 0)
		return ret;
	if (cfg.bus && bus_open(cfg.bus, NULL, &bus, err, sizeof(err))) {
		fprintf(stderr, "mitsu sensor: %s\n", err);
		return 1;
	}
	ret = sensor_open(&s, &cfg, bus, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mitsu sensor: %s\n", err);
		bus_close(bus);
		return 1;
	}
	log_info("sensor %s started on %s", sensor_id(s), cfg.iface ? cfg.iface : cfg.read_file);
	ret = sensor_cmd_run(s, argc, argv);
	bus_close(bus); /* after the store: its spool announces until closed */
	return ret;
}
