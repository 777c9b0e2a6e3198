/* One record per flow: what the analyzer learned, handed to every sink.
 * The record owns its byte arrays; record_free releases them. */
#ifndef MITSU_RECORD_H
#define MITSU_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/buf.h"

struct record_gap {
	uint8_t dir;      /* 0 = client to server, 1 = server to client */
	uint64_t offset;  /* byte offset in that direction's stream */
	uint64_t len;     /* missing bytes */
};

#define RECORD_MAX_GAPS 32
#define RECORD_MAX_TAGS 16
#define RECORD_TAG_LEN 48
#define RECORD_MAX_CREDS 8
#define RECORD_CRED_LEN 128

/* A credential seen in the flow (login/password lines, AUTH, Basic ...). */
struct record_cred {
	char proto[16];
	char user[RECORD_CRED_LEN];
	char pass[RECORD_CRED_LEN];
};

/* The client's first SYN, for scanner and OS fingerprints. */
struct record_syn {
	bool seen;
	uint8_t ipver, ttl;
	bool df;
	uint16_t ip_id, win;
	uint32_t seq;
	uint8_t flags;
	uint8_t optlen;
	uint8_t opts[40];
	uint32_t payload_len; /* data on the SYN itself */
};

struct record {
	char s3path[1024];    /* object URI: file:///…, s3://bucket/key; "" for stdin */
	char sensor[128];     /* sensor id, "" if unknown */
	char flow_key[160];   /* stable id of the flow inside the object (upsert key) */
	double init_ts, last_ts;
	struct ipaddr src, dst; /* src = client */
	uint16_t sport, dport;
	uint8_t proto;          /* IPPROTO_TCP / UDP / ICMP / ICMPV6 */
	uint64_t packets, bytes;         /* both directions; bytes = IP bytes on the wire */
	uint64_t client_packets, server_packets;
	char community_id[64];
	uint8_t *payload;               /* client's reassembled bytes */
	size_t payload_len;
	size_t first_msg_len;           /* UDP/ICMP: length of the client's first datagram */
	uint8_t *server_payload;        /* server's reassembled bytes */
	size_t server_payload_len;
	struct record_gap gaps[RECORD_MAX_GAPS];
	unsigned ngaps;                 /* gaps stored (<= RECORD_MAX_GAPS) */
	unsigned gaps_total;            /* gaps seen */
	bool truncated;                 /* a byte cap cut the payload */
	uint8_t tcp_flags_client, tcp_flags_server; /* OR of flags per direction */
	bool client_fin, client_rst, server_fin, server_rst;
	uint8_t icmp_type, icmp_code;   /* first ICMP message of the flow */
	char service[32];               /* detected protocol or "unknown" */
	char tags[RECORD_MAX_TAGS][RECORD_TAG_LEN];
	unsigned ntags;
	struct record_cred creds[RECORD_MAX_CREDS];
	unsigned ncreds;
	struct record_syn syn;          /* filled by the analyzer for TCP */
	char scanner[32];               /* masscan, zmap, mirai, nmap, ... or "" */
	char os_guess[32];              /* p0f-style guess from the SYN, or "" */
	char flow_end[16];              /* why the sensor ended the flow, if known */
	struct buf extra;               /* extra JSON members (",\"http\":{...}"), from dissectors */
};

void record_init(struct record *r);
/* Adds a tag once (duplicates and overflow ignored; overflow counted in
 * the last slot's absence, not an error).  Returns 0 or -ENOSPC. */
int record_add_tag(struct record *r, const char *tag);
bool record_has_tag(const struct record *r, const char *tag);
/* Adds a credential (bounded copies; bytes are JSON-escaped on output). */
int record_add_cred(struct record *r, const char *proto, const uint8_t *user, size_t ulen,
		    const uint8_t *pass, size_t plen);
void record_free(struct record *r);
/* Appends the record as one JSON object (no newline) to out.  Always valid
 * UTF-8 JSON whatever bytes the payload holds. */
int record_to_json(const struct record *r, struct buf *out);
/* RECORD_JSON_NO_BULK leaves out payload, readable and server_payload (the
 * SQLite sink keeps those in columns, not twice). */
#define RECORD_JSON_NO_BULK 1u
int record_to_json_opts(const struct record *r, struct buf *out, unsigned flags);
/* "readable": each byte that is not printable ASCII (0x20-0x7e) or
 * whitespace (\t \n \v \f \r) becomes '.'.  out gets len bytes + NUL. */
void record_readable(const uint8_t *p, size_t len, char *out);
const char *record_proto_name(uint8_t proto);

#endif
