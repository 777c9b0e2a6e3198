/* The sensor: capture -> flow table -> responder and writer.  cmd/sensor.c
 * parses options into a sensor_cfg; cmd/run.c adds an analyzer on the bus. */
#ifndef MITSU_SENSOR_H
#define MITSU_SENSOR_H
#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "core/addr.h"
#include "sensor/bait.h"
#include "sensor/listeners.h"
#include "store/store.h"

#define SENSOR_MAX_ADDRS 1024

struct sensor_cfg {
	const char *iface;
	const char *read_file; /* offline: -r */
	const char *tx_out;    /* offline: where replies go */
	struct cidr addrs[SENSOR_MAX_ADDRS];
	int naddrs;
	struct portset exclude;
	bool firewall;
	const char *user;
	const char *store;
	const char *sensor_id;
	bool one_file_per_flow;
	bool respond; /* false: capture only */
	bool promisc;
	uint32_t idle_s, max_life_s;
	uint32_t max_flows, max_flow_packets;
	uint64_t max_flow_bytes, mem_budget;
	double rate, burst, global_rate, global_burst;
	uint32_t stats_interval;
	uint32_t scans_rotate_s;
	uint64_t scans_rotate_bytes;
	uint32_t listener_rescan_s;
	struct store_opts store_opts; /* S3 and spool options */
	const char *bus;              /* --bus: nats://HOST:PORT, or NULL */
	struct bait_entry bait[BAIT_MAX]; /* --bait PATH=FORMAT */
	int nbait;
	const char *bait_db; /* where bait tokens go (default STORE/mitsu.db) */
};

struct sensor_stats {
	uint64_t packets, bytes, kernel_received, kernel_dropped;
	uint64_t not_ip, malformed, fragments, foreign, local_initiated, excluded;
	uint64_t syns, synacks_sent, handshakes, inject_errors;
	uint64_t acks_sent; /* ACKs of client data and FINs on handshaken connections */
	uint64_t suppressed_rate_dest, suppressed_rate_global, suppressed_listener,
		suppressed_martian;
	uint64_t flows_open, flows_evicted, packets_unstored;
	uint64_t flows_written, scan_flows, files_written, bytes_written, write_errors;
	uint64_t bait_sent, bait_unanswered; /* per-visitor bait responses; pool empty */
};

struct sensor;

void sensor_cfg_defaults(struct sensor_cfg *cfg);
/* Opens capture, store and firewall, drops privileges, starts the writer.
 * bus may be NULL. */
int sensor_open(struct sensor **out, const struct sensor_cfg *cfg, struct bus *bus, char *err,
		size_t errlen);
/* Runs until sensor_request_stop() or the end of the input file. */
int sensor_loop(struct sensor *s);
/* Async-signal-safe. */
void sensor_request_stop(struct sensor *s);
void sensor_request_reload(struct sensor *s);
/* Applies the reloadable part of a new config (limits, timeouts, ports). */
void sensor_reload(struct sensor *s, const struct sensor_cfg *cfg);
/* Writes every open flow, stops the writer, removes the firewall, frees. */
void sensor_close(struct sensor *s);
/* sensor_close, logging the final counters once everything is written. */
void sensor_close_and_report(struct sensor *s);
void sensor_get_stats(struct sensor *s, struct sensor_stats *st);
void sensor_log_stats(struct sensor *s, const char *when);
const char *sensor_id(const struct sensor *s);
/* Checks reload requests; for the command's loop. */
bool sensor_reload_pending(struct sensor *s);

#endif
