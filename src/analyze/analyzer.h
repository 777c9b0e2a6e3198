/* The analyzer: reads a pcap or pcapng (any link type decode.h knows),
 * groups packets into flows keyed like the sensor's, reassembles each
 * direction and emits one record per flow to the sinks.
 *
 * The client is the side that sent the first SYN (without ACK); without
 * one, the side that received the first SYN+ACK; without either (UDP,
 * ICMP, a capture that starts mid-stream), the side that sent the flow's
 * first packet. */
#ifndef MITSU_ANALYZER_H
#define MITSU_ANALYZER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sink;
struct record;

struct analyzer_cfg {
	size_t max_bytes;   /* reassembled bytes kept per direction */
	uint32_t idle_s;    /* a flow idle this long (packet time) ends inside a file */
	uint32_t max_flows; /* open flows per file; the least recently active ends early */
};

struct analyze_file_stats {
	uint64_t packets, flows, records, bad_packets, fragments, not_ip;
	int skipped; /* the file could not be read (or only partly) */
};

/* Called for every record before the sinks see it (dissectors, tags). */
typedef void (*analyzer_hook_fn)(void *user, struct record *r);

struct analyzer;

void analyzer_cfg_defaults(struct analyzer_cfg *cfg);
int analyzer_new(struct analyzer **out, const struct analyzer_cfg *cfg, struct sink **sinks,
		 int nsinks);
void analyzer_set_hook(struct analyzer *a, analyzer_hook_fn fn, void *user);
/* The current hook, so another can wrap it (alert/ids.c). */
void analyzer_get_hook(const struct analyzer *a, analyzer_hook_fn *fn, void **user);
/* Analyses one object.  path: a file or "-"; uri: what records call it
 * (s3path); sensor, flow_end: metadata if known ("" otherwise).  Records
 * are committed to every sink before return.  Returns 0, or a negative
 * errno with err set (the file was skipped or cut short). */
int analyzer_file(struct analyzer *a, const char *path, const char *uri, const char *sensor,
		  const char *flow_end, struct analyze_file_stats *st, char *err, size_t errlen);
/* By default every object is committed to the sinks before analyzer_file
 * returns (what `mitsu run` needs: records queryable at once).  Bulk runs
 * turn that off and call analyzer_commit themselves, sparing an fsync per
 * file. */
void analyzer_commit_each(struct analyzer *a, bool on);
int analyzer_commit(struct analyzer *a);
/* The same on an open stream (closed before return), e.g. an object fetched
 * into memory; name is for messages. */
int analyzer_stream(struct analyzer *a, FILE *f, const char *name, const char *uri,
		    const char *sensor, const char *flow_end, struct analyze_file_stats *st,
		    char *err, size_t errlen);
void analyzer_free(struct analyzer *a);

#endif
