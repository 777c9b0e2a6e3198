/* memcached's ASCII protocol (memcached's doc/protocol.txt): over UDP each
 * datagram starts with an 8-byte frame header (request id, sequence
 * number, datagram count, reserved 0), then the command line; over TCP
 * the command lines come bare.
 *
 * Tags:
 *   amplification-probe  "stats", "get" or "gets" over UDP: the queries of
 *                        the 2018 memcached reflection attacks (a few
 *                        bytes in, up to megabytes of stats or values out).
 *
 * "memcached": {"request_id","seq","total" (UDP frame header),
 *               "command" (first word of the first line),
 *               "commands": [first lines, bounded]} */
#include <string.h>

#include "proto/proto.h"

#define MC_UDP_HDR 8
#define MC_MAX_LINES 8
#define MC_LINE_CAP 128
#define MC_MAX_SKIP 64 /* lines looked at, data blocks included */

static const char *const mc_cmds[] = {"get",
				      "gets",
				      "gat",
				      "gats",
				      "set",
				      "add",
				      "replace",
				      "append",
				      "prepend",
				      "cas",
				      "delete",
				      "incr",
				      "decr",
				      "touch",
				      "stats",
				      "version",
				      "verbosity",
				      "flush_all",
				      "quit",
				      "shutdown",
				      "lru_crawler",
				      "watch",
				      "slabs",
				      "lru",
				      "mg",
				      "ms",
				      "md",
				      "ma",
				      "mn",
				      "me",
				      "cache_memlimit",
				      "misbehave"};

/* Storage commands carry a data block of <bytes> after their line. */
static bool mc_is_storage(const uint8_t *p, size_t w)
{
	static const char *const st[] = {"set", "add", "replace", "append", "prepend", "cas"};

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (w == strlen(st[i]) && !memcmp(p, st[i], w))
			return true;
	return false;
}

static size_t mc_word(const uint8_t *p, size_t n)
{
	size_t w = 0;

	while (w < n && p[w] != ' ' && p[w] != '\r' && p[w] != '\n')
		w++;
	return w;
}

/* Is the line a known command, followed by a space or the line's end? */
static const char *mc_known(const uint8_t *p, size_t n)
{
	size_t w = mc_word(p, n);

	for (size_t i = 0; i < sizeof(mc_cmds) / sizeof(mc_cmds[0]); i++)
		if (w == strlen(mc_cmds[i]) && !memcmp(p, mc_cmds[i], w))
			return mc_cmds[i];
	return NULL;
}

/* The <bytes> argument of a storage command: the 5th word. */
static size_t mc_data_len(const uint8_t *p, size_t n)
{
	size_t i = 0, v = 0;

	for (int word = 0; word < 4; word++) {
		while (i < n && p[i] != ' ')
			i++;
		while (i < n && p[i] == ' ')
			i++;
	}
	while (i < n && p[i] >= '0' && p[i] <= '9' && v < (1u << 30))
		v = v * 10 + (size_t)(p[i++] - '0');
	return v;
}

/* Where the ASCII text starts, and how long it is. */
static const uint8_t *mc_text(const struct record *r, size_t *len)
{
	size_t n = r->payload_len;

	if (r->proto == 17) {
		if (r->first_msg_len && r->first_msg_len <= n)
			n = r->first_msg_len;
		if (n <= MC_UDP_HDR)
			return NULL;
		*len = n - MC_UDP_HDR;
		return r->payload + MC_UDP_HDR;
	}
	*len = n;
	return r->payload;
}

static bool mc_frame_ok(const uint8_t *p)
{
	uint16_t seq = (uint16_t)(p[2] << 8 | p[3]), total = (uint16_t)(p[4] << 8 | p[5]);

	return !p[6] && !p[7] && total >= 1 && seq < total;
}

static int mc_detect(const struct record *r)
{
	size_t len, next, n;
	const uint8_t *t;
	const char *cmd;

	if (!r->payload || !(t = mc_text(r, &len)) || len < 3)
		return 0;
	if (r->proto == 17 && !mc_frame_ok(r->payload))
		return 0;
	n = proto_line(t, len, &next);
	if (next == n || !(cmd = mc_known(t, n))) /* a whole line, known command */
		return 0;
	if (r->proto == 17)
		return 90;
	/* TCP: bare words such as "get x" are also Redis inline commands;
	 * storage commands with their numeric arguments are memcached's own. */
	return mc_is_storage(t, strlen(cmd)) ? 70 : 50;
}

static void mc_put_commands(struct json *j, const uint8_t *t, size_t len)
{
	size_t off = 0, next, n, d;
	unsigned kept = 0, seen = 0;

	json_key(j, "commands");
	json_arr_begin(j);
	while (off < len && kept < MC_MAX_LINES && seen++ < MC_MAX_SKIP) {
		n = proto_line(t + off, len - off, &next);
		if (n) {
			json_val_str(j, t + off, n < MC_LINE_CAP ? n : MC_LINE_CAP);
			kept++;
		}
		d = mc_is_storage(t + off, mc_word(t + off, n)) ? mc_data_len(t + off, n) : 0;
		off += next;
		if (!d)
			continue;
		if (d > len - off) /* data block cut short */
			break;
		off += d; /* the data block is not a command: step over it and its CRLF */
		if (off < len && t[off] == '\r')
			off++;
		if (off < len && t[off] == '\n')
			off++;
	}
	json_arr_end(j);
}

static void mc_dissect(struct record *r)
{
	size_t len, next, n, mark;
	const uint8_t *t = mc_text(r, &len);
	const char *cmd;
	struct json j;

	if (!t)
		return;
	n = proto_line(t, len, &next);
	cmd = mc_known(t, n);
	proto_member_begin(&j, r, "memcached", &mark);
	if (r->proto == 17) {
		const uint8_t *h = r->payload;
		json_ku64(&j, "request_id", (uint64_t)(h[0] << 8 | h[1]));
		json_ku64(&j, "seq", (uint64_t)(h[2] << 8 | h[3]));
		json_ku64(&j, "total", (uint64_t)(h[4] << 8 | h[5]));
	}
	if (cmd)
		json_kcstr(&j, "command", cmd);
	mc_put_commands(&j, t, len);
	proto_member_end(&j, r, mark);
	if (r->proto == 17 && cmd &&
	    (!strcmp(cmd, "stats") || !strcmp(cmd, "get") || !strcmp(cmd, "gets")))
		record_add_tag(r, "amplification-probe");
}

const struct proto_dissector proto_memcached = {
    .name = "memcached",
    .l4 = 0,
    .detect = mc_detect,
    .dissect = mc_dissect,
};
