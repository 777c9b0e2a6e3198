/* Flow table: every packet to or from a monitored address, grouped into
 * flows keyed by (proto, client, server, client port, server port), both
 * directions in one flow.  The client is the remote side; the server is the
 * monitored address.  Packets are stored as pcap records in arena chunks.
 *
 * A flow ends when idle, at its maximum life, at a per-flow packet or byte
 * cap, when memory (slots or arena) runs out (the least recently active flow
 * is written early), or at shutdown.  Ended flows go to the emit callback,
 * which takes ownership of the chunk chain. */
#ifndef MITSU_FLOWTAB_H
#define MITSU_FLOWTAB_H
#include <stdbool.h>
#include <stdint.h>

#include "core/siphash.h"
#include "sensor/arena.h"

struct flow_key {
	uint8_t family; /* AF_INET / AF_INET6 */
	uint8_t proto;
	uint16_t cport, sport; /* client port, server port (0 for ICMP) */
	uint8_t caddr[16], saddr[16];
};

enum flow_end {
	FLOW_END_NONE = 0,
	FLOW_END_IDLE,
	FLOW_END_LIFE,
	FLOW_END_PACKETS,
	FLOW_END_BYTES,
	FLOW_END_MEMORY,
	FLOW_END_SHUTDOWN,
};

const char *flow_end_name(enum flow_end e);

struct flow_done {
	struct flow_key key;
	uint64_t first_us, last_us;
	uint32_t packets;
	uint64_t bytes; /* pcap record bytes held (headers included) */
	bool payload;   /* any TCP/UDP payload in either direction */
	enum flow_end end;
	uint32_t chain; /* arena chunks; the receiver frees them */
};

struct flowtab_cfg {
	uint32_t max_flows;
	uint32_t max_flow_packets;
	uint64_t max_flow_bytes;
	uint64_t idle_us;
	uint64_t max_life_us;
};

typedef void (*flowtab_emit_fn)(void *user, const struct flow_done *done);

struct flow;
struct flowtab {
	struct flowtab_cfg cfg;
	struct arena *arena;
	struct flow *flows;
	uint32_t *buckets;
	uint32_t nbuckets;
	uint32_t free_head;
	uint32_t open;
	uint32_t lru_head, lru_tail; /* by last activity, oldest first */
	uint32_t age_head, age_tail; /* by creation, oldest first */
	struct siphash_key hkey;
	flowtab_emit_fn emit;
	void *emit_user;
	uint64_t evicted;   /* flows written early for memory */
	uint64_t dropped;   /* packets that could not be stored at all */
};

int flowtab_init(struct flowtab *ft, const struct flowtab_cfg *cfg, struct arena *arena,
		 flowtab_emit_fn emit, void *user);
void flowtab_destroy(struct flowtab *ft);
/* Stores one frame in its flow (created if new).  payload: the frame
 * carries transport payload.  Returns 0 or -ENOMEM if not even one chunk
 * could be freed (counted in dropped). */
int flowtab_add(struct flowtab *ft, const struct flow_key *key, uint64_t ts_us,
		const uint8_t *frame, uint32_t caplen, uint32_t origlen, bool payload);
/* Ends flows idle or past their life at now_us. */
void flowtab_expire(struct flowtab *ft, uint64_t now_us);
void flowtab_flush_all(struct flowtab *ft, enum flow_end why);
bool flowtab_has(struct flowtab *ft, const struct flow_key *key);

#endif
