/* Internal state shared by sensor.c (packet path) and setup.c (open and
 * close).  Not for other modules. */
#ifndef MITSU_SENSOR_INT_H
#define MITSU_SENSOR_INT_H
#include <signal.h>

#include "analyze/decode.h"
#include "core/buf.h"
#include "sensor/arena.h"
#include "sensor/capture.h"
#include "sensor/firewall.h"
#include "sensor/flowtab.h"
#include "sensor/ratelimit.h"
#include "sensor/responder.h"
#include "sensor/sensor.h"
#include "sensor/writer.h"
#include "store/store.h"

#define FRAG_SLOTS 4096
#define DISPATCH_BATCH 256
#define SENSOR_DONE_BATCH 512

/* Non-first IP fragments carry no ports: remember which flow the first
 * fragment of each datagram belonged to. */
struct frag_slot {
	bool used;
	uint8_t family, proto;
	uint32_t id;
	uint8_t src[16], dst[16];
	struct flow_key key;
};

struct sensor {
	struct sensor_cfg cfg;
	struct capture *cap;
	struct store *store;
	struct bus *bus;
	struct writer *writer;
	struct arena arena;
	struct flowtab ft;
	struct responder resp;
	struct ratelimit rl;
	struct firewall fw;
	bool fw_on;
	struct portset listening;
	bool listeners_skip_loopback; /* no monitored address is a loopback one */
	struct frag_slot *frags;
	struct siphash_key frag_key;
	char sensor_id[128];
	uint64_t now_us;
	uint64_t last_sweep_us, last_stats_us, last_rescan_us;
	volatile sig_atomic_t stop, reload;
	struct flow_done done[SENSOR_DONE_BATCH]; /* ended, not yet handed over */
	unsigned ndone;
	struct sensor_stats st;
	struct writer_stats wst_final; /* after the writer stopped */
	struct bait *bait;             /* --bait, or NULL */
};

void emit_flow_cb(void *user, const struct flow_done *d);
uint64_t wall_now_us(void);
void writer_flush_batch(struct sensor *s);

#endif
