/* Spool: objects the store could not take yet wait in a local folder and a
 * thread sends them, oldest first, with exponential backoff; they survive
 * restarts (the folder is scanned at start).  Each object is two files:
 * <seq>.pcap (the bytes, readable by any pcap tool) and <seq>.meta (key,
 * sensor, flow end), seq being the wall-clock microsecond it was spooled.
 * The folder has a size cap; crossing 50, 80 and 100 % is logged loudly. */
#ifndef MITSU_SPOOL_H
#define MITSU_SPOOL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spool_item {
	char key[1024];
	char sensor[128];
	char flow_end[16];
};

/* Sends one object; 0 when the store has it (the spool then deletes it). */
typedef int (*spool_send_fn)(void *user, const struct spool_item *it, const void *p, size_t n);

struct spool_cfg {
	const char *dir;
	uint64_t max_bytes;  /* 0: 1 GiB */
	uint32_t backoff_max_s; /* 0: 300 */
	spool_send_fn send;
	void *user;
};

struct spool_stats {
	uint64_t spooled;   /* objects put in the spool */
	uint64_t retried;   /* send attempts from the spool */
	uint64_t delivered; /* objects sent from the spool */
	uint64_t failed;    /* send attempts that failed */
	uint64_t dropped;   /* objects refused because the spool was full (lost) */
	uint64_t files, bytes, max_bytes; /* now */
};

struct spool;

int spool_open(struct spool **out, const struct spool_cfg *cfg, char *err, size_t errlen);
/* Writes an object to the spool (fsynced); -ENOSPC when full (logged). */
int spool_add(struct spool *sp, const struct spool_item *it, const void *p, size_t n);
/* Objects waiting: new ones should queue behind them, not overtake. */
bool spool_busy(struct spool *sp);
void spool_get_stats(struct spool *sp, struct spool_stats *st);
/* Stops the thread after at most drain_s seconds of sending what is left
 * (while sends succeed); what remains stays on disk for the next start. */
void spool_close(struct spool *sp, unsigned drain_s);

/* Parses a .meta file's text (outside input: it is on disk).  0/-EINVAL. */
int spool_meta_parse(const char *text, size_t len, struct spool_item *it);

#endif
