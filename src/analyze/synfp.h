/* SYN fingerprints: which scanning tool crafted a flow's first SYN
 * (r->scanner) and a p0f-style guess of the sender's OS (r->os_guess),
 * from the record's `syn` (the client's first SYN, TCP only). */
#ifndef MITSU_SYNFP_H
#define MITSU_SYNFP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/record.h"

#define SYNFP_LAYOUT_LEN 96

/* The SYN's TCP options, decoded p0f-style. */
struct synfp_opts {
	char layout[SYNFP_LAYOUT_LEN]; /* "mss,sok,ts,nop,ws", "eol+N", "?K" unknown kind */
	bool has_mss, has_ws, has_ts, has_sok;
	bool malformed; /* an option ran past the end or had len < 2 */
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
};

/* Decodes up to 40 option bytes; never fails (oddities show in layout and
 * malformed). */
void synfp_parse_opts(const uint8_t *o, size_t len, struct synfp_opts *out);
/* The initial TTL the sender most likely used: ttl rounded up to 32, 64,
 * 128 or 255. */
uint8_t synfp_initial_ttl(uint8_t ttl);
/* "masscan", "zmap", "mirai", "nmap" or NULL.  dst/dport: the SYN's
 * destination (the flow's server side). */
const char *synfp_scanner(const struct record_syn *s, const struct ipaddr *dst, uint16_t dport);
/* "Linux", "Windows", "macOS/BSD" or "unknown". */
const char *synfp_os(const struct record_syn *s);
/* Sets r->scanner, r->os_guess and adds a "synfp" JSON member when the
 * record holds a client SYN; does nothing otherwise. */
void synfp_apply(struct record *r);

#endif
