/* Protocol dissectors: each recognises one protocol by the bytes of a
 * reassembled flow (never by port: scanners speak SSH on 2222 and HTTP on
 * 37215), and writes what it learned into the record: a JSON member named
 * after it ("http": {...}) in r->extra, credentials, tags, r->service.
 *
 * One file per protocol in src/proto/; each defines one
 * `const struct proto_dissector proto_<name>` and is listed in registry.c.
 * Dissectors read attacker bytes: bounded, no allocation that the input
 * size controls without a cap, never abort. */
#ifndef MITSU_PROTO_H
#define MITSU_PROTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/record.h"
#include "core/json.h"

struct proto_dissector {
	const char *name; /* service name and JSON member */
	uint8_t l4;       /* 6 (TCP), 17 (UDP), or 0 for both */
	/* How sure (1..100) that r's bytes are this protocol; 0 = not it.
	 * Looks at r->payload (client) and r->server_payload; for UDP the
	 * client's first datagram is r->payload[0 .. r->first_msg_len). */
	int (*detect)(const struct record *r);
	/* Fills the record: use proto_member_begin/end for the JSON member,
	 * record_add_cred, record_add_tag. */
	void (*dissect)(struct record *r);
};

extern const struct proto_dissector *const proto_table[];

/* Picks the dissector with the highest detect() for r's transport, runs
 * it and sets r->service (else "unknown").  Returns it or NULL. */
const struct proto_dissector *proto_dissect(struct record *r);
/* Starts `,"name":{` in r->extra with a JSON writer on it ... */
void proto_member_begin(struct json *j, struct record *r, const char *name, size_t *mark);
/* ... and closes it; on any writer error the member is removed whole. */
int proto_member_end(struct json *j, struct record *r, size_t mark);

/* Small helpers for text protocols. */
/* Finds the end of the line starting at p (CRLF or LF); returns its length
 * without the terminator, and sets *next to the start of the next line. */
size_t proto_line(const uint8_t *p, size_t len, size_t *next);
bool proto_starts_with(const uint8_t *p, size_t len, const char *prefix);
bool proto_starts_with_nocase(const uint8_t *p, size_t len, const char *prefix);

#endif
