/* The pcap writer thread: finished flows arrive from the capture loop (which
 * never waits for disk) and are written through the store, then announced
 * on the bus.  Flows that carried no payload in either direction (SYN
 * scans, pings) go, unless one_file_per_flow, into a rolling
 * pcap/…/scans_<sensor>_<ts>.pcap rotated by time and size, so a spoofed
 * flood of random sources cannot create millions of tiny files. */
#ifndef MITSU_WRITER_H
#define MITSU_WRITER_H
#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "sensor/arena.h"
#include "sensor/flowtab.h"
#include "store/store.h"

struct writer_cfg {
	int linktype;
	const char *sensor_id;
	bool one_file_per_flow;
	uint32_t scans_rotate_s;
	uint64_t scans_rotate_bytes;
};

struct writer_stats {
	uint64_t flows_written;  /* flows in their own file */
	uint64_t scan_flows;     /* flows appended to a scans file */
	uint64_t files_written;
	uint64_t bytes_written;
	uint64_t write_errors;   /* flows that could not be written (logged) */
	uint64_t queued;         /* flows waiting now */
};

struct writer;

int writer_start(struct writer **out, const struct writer_cfg *cfg, struct store *store,
		 struct bus *bus, struct arena *arena);
/* Called on the capture thread; takes ownership of every d[i].chain. */
void writer_submit_many(struct writer *w, const struct flow_done *d, unsigned n);
void writer_get_stats(struct writer *w, struct writer_stats *st);
/* Writes everything queued, closes the scans file, joins the thread. */
void writer_stop(struct writer *w, struct writer_stats *final);

#endif
