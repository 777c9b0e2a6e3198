/* Microsoft SQL Server, TDS ([MS-TDS]).  Every message is split into
 * packets with an 8-byte header: type, status, length (big-endian, header
 * included), SPID, packet id, window.  The client starts with PRELOGIN
 * (0x12: option tokens with offsets, VERSION and ENCRYPTION among them)
 * and, when it does not turn on TLS, sends LOGIN7 (0x10) in clear: UTF-16LE
 * strings at (offset, length) pairs, the password "encrypted" by swapping
 * each byte's nibbles and XORing it with 0xA5. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define TDS_PRELOGIN 0x12
#define TDS_LOGIN7 0x10
#define TDS_HDR 8
#define TDS_MAX_MSG 8192 /* bytes of one message we gather */
#define TDS_STR_CAP 128	 /* UTF-8 bytes kept per LOGIN7 string */

static uint16_t tds_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t tds_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t tds_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A plausible TDS packet header at p. */
static bool tds_header(const uint8_t *p, size_t len, uint8_t type)
{
	uint16_t l;

	if (len < TDS_HDR || p[0] != type || p[1] > 0x1f)
		return false;
	l = tds_be16(p + 2);
	return l >= TDS_HDR + 1 && l <= 32768;
}

/* Gathers the packets of the first message (until status EOM) into out;
 * returns its type or -1. */
static int tds_message(const uint8_t *p, size_t len, uint8_t *out, size_t cap, size_t *outlen,
		       size_t *used)
{
	size_t i = 0, o = 0;
	int type = len ? p[0] : -1;

	for (unsigned k = 0; k < 64 && i + TDS_HDR <= len; k++) {
		size_t l = tds_be16(p + i + 2), body;
		uint8_t status = p[i + 1];
		if (p[i] != type || l < TDS_HDR)
			break;
		body = l - TDS_HDR < len - i - TDS_HDR ? l - TDS_HDR : len - i - TDS_HDR;
		if (body > cap - o)
			body = cap - o;
		memcpy(out + o, p + i + TDS_HDR, body);
		o += body;
		i += l < len - i ? l : len - i;
		if (status & 1)
			break; /* end of message */
	}
	*outlen = o;
	*used = i;
	return o ? type : -1;
}

/* ---------------------------------------------------------- PRELOGIN */

struct tds_prelogin {
	bool has_version, has_encryption;
	uint8_t ver[6];
	uint8_t encryption;
	bool mars;
	unsigned options;
};

static void tds_prelogin_parse(const uint8_t *b, size_t n, struct tds_prelogin *pl)
{
	memset(pl, 0, sizeof(*pl));
	for (size_t i = 0; i < n && b[i] != 0xff && pl->options < 32; i += 5, pl->options++) {
		size_t off, l;
		if (i + 5 > n)
			break;
		off = tds_be16(b + i + 1);
		l = tds_be16(b + i + 3);
		if (off > n || l > n - off)
			continue;
		if (b[i] == 0 && l >= 6) {
			memcpy(pl->ver, b + off, 6);
			pl->has_version = true;
		} else if (b[i] == 1 && l >= 1) {
			pl->encryption = b[off];
			pl->has_encryption = true;
		} else if (b[i] == 4 && l >= 1) {
			pl->mars = b[off] != 0;
		}
	}
}

static void tds_prelogin_write(struct json *j, const struct tds_prelogin *pl)
{
	static const char *const enc[] = {"off", "on", "not_supported", "required"};
	char v[32];

	json_kcstr(j, "type", "prelogin");
	if (pl->has_version) {
		snprintf(v, sizeof(v), "%u.%u.%u.%u", pl->ver[0], pl->ver[1], tds_be16(pl->ver + 2),
			 tds_be16(pl->ver + 4));
		json_kcstr(j, "version", v);
	}
	if (pl->has_encryption) {
		if (pl->encryption < 4) {
			json_kcstr(j, "encryption", enc[pl->encryption]);
		} else {
			snprintf(v, sizeof(v), "0x%02x", pl->encryption);
			json_kcstr(j, "encryption", v);
		}
	}
	if (pl->mars)
		json_kbool(j, "mars", true);
}

/* ---------------------------------------------------------- LOGIN7 */

/* UTF-16LE to UTF-8, optionally undoing the password obfuscation first:
 * XOR 0xA5 then swap the nibbles (the inverse of swap-then-XOR). */
static size_t tds_utf16(const uint8_t *s, size_t nchars, bool pw, uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t k = 0; k < nchars; k++) {
		uint8_t lo = s[2 * k], hi = s[2 * k + 1];
		unsigned c;
		if (pw) {
			lo ^= 0xa5, hi ^= 0xa5;
			lo = (uint8_t)(lo << 4 | lo >> 4);
			hi = (uint8_t)(hi << 4 | hi >> 4);
		}
		c = (unsigned)lo | (unsigned)hi << 8;
		if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd; /* a lone surrogate half; pairs are rare in logins */
		if (c < 0x80 && o + 1 < cap) {
			out[o++] = (uint8_t)c;
		} else if (c < 0x800 && o + 2 < cap) {
			out[o++] = (uint8_t)(0xc0 | c >> 6);
			out[o++] = (uint8_t)(0x80 | (c & 0x3f));
		} else if (c >= 0x800 && o + 3 < cap) {
			out[o++] = (uint8_t)(0xe0 | c >> 12);
			out[o++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (uint8_t)(0x80 | (c & 0x3f));
		} else {
			break;
		}
	}
	out[o] = 0;
	return o;
}

/* The string at the (offset, char count) pair at b[at] of LOGIN7 b[0..n). */
static size_t tds_login_str(const uint8_t *b, size_t n, size_t at, bool pw, uint8_t *out,
			    size_t cap)
{
	size_t off, nch;

	out[0] = 0;
	if (at + 4 > n)
		return 0;
	off = tds_le16(b + at);
	nch = tds_le16(b + at + 2);
	if (off > n || nch > (n - off) / 2)
		return 0;
	return tds_utf16(b + off, nch, pw, out, cap);
}

static void tds_login7(struct record *r, struct json *j, const uint8_t *b, size_t n)
{
	static const struct {
		const char *key;
		size_t at;
	} fields[] = {{"hostname", 36}, {"app", 48},	  {"server", 52},
		      {"library", 60},	{"language", 64}, {"database", 68}};
	uint8_t user[TDS_STR_CAP], pass[TDS_STR_CAP], s[TDS_STR_CAP];
	size_t ul, pl, sl;
	char v[16];

	json_kcstr(j, "type", "login7");
	if (n < 36 + 4 * 9)
		return;
	snprintf(v, sizeof(v), "0x%08x", tds_le32(b + 4));
	json_kcstr(j, "tds_version", v);
	json_ku64(j, "packet_size", tds_le32(b + 8));
	json_ku64(j, "client_pid", tds_le32(b + 16));
	ul = tds_login_str(b, n, 40, false, user, sizeof(user));
	pl = tds_login_str(b, n, 44, true, pass, sizeof(pass));
	json_kstr(j, "user", user, ul);
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		sl = tds_login_str(b, n, fields[k].at, false, s, sizeof(s));
		if (sl)
			json_kstr(j, fields[k].key, s, sl);
	}
	if (ul || pl)
		record_add_cred(r, "mssql", user, ul, pass, pl);
}

static void mssql_dissect(struct record *r)
{
	static const size_t cap = TDS_MAX_MSG;
	uint8_t msg[TDS_MAX_MSG];
	size_t n, used, off = 0;
	struct tds_prelogin pl;
	struct json j;
	size_t mark;
	int type;

	proto_member_begin(&j, r, "mssql", &mark);
	type = tds_message(r->payload, r->payload_len, msg, cap, &n, &used);
	if (type == TDS_PRELOGIN) {
		tds_prelogin_parse(msg, n, &pl);
		tds_prelogin_write(&j, &pl);
		off = used;
		/* With encryption off the LOGIN7 follows in clear. */
		if (off < r->payload_len && r->payload[off] == TDS_LOGIN7) {
			type = tds_message(r->payload + off, r->payload_len - off, msg, cap, &n,
					   &used);
			json_key(&j, "login");
			json_obj_begin(&j);
			tds_login7(r, &j, msg, n);
			json_obj_end(&j);
		}
	} else if (type == TDS_LOGIN7) {
		tds_login7(r, &j, msg, n);
	}
	proto_member_end(&j, r, mark);
}

static int mssql_detect(const struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->payload_len;
	struct tds_prelogin pl;

	if (tds_header(p, len, TDS_PRELOGIN) && len > TDS_HDR + 5) {
		size_t l = tds_be16(p + 2);
		tds_prelogin_parse(p + TDS_HDR, (l < len ? l : len) - TDS_HDR, &pl);
		if (pl.has_version)
			return 90;
		return p[TDS_HDR] == 0 ? 60 : 0;
	}
	/* LOGIN7: its own length field (LE) matches the packet's. */
	if (tds_header(p, len, TDS_LOGIN7) && len >= TDS_HDR + 36 && tds_le32(p + TDS_HDR) >= 36 &&
	    tds_le32(p + TDS_HDR) <= 65536 &&
	    ((p[TDS_HDR + 7] & 0xf0) == 0x70 || p[TDS_HDR + 7] == 0x08))
		return 85;
	return 0;
}

const struct proto_dissector proto_mssql = {
    .name = "mssql",
    .l4 = 6,
    .detect = mssql_detect,
    .dissect = mssql_dissect,
};
