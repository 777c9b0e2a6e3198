/* VNC, the RFB protocol (RFC 6143).  The server speaks first with
 * "RFB 003.008\n"; the client answers with its own version line, picks a
 * security type (3.7 and later) and, for VNC authentication (type 2),
 * returns the server's 16-byte challenge DES-encrypted with the password.
 * Challenge and response are kept in hex: together they let an analyst
 * test a password list offline. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define RFB_VERSION_LEN 12
#define RFB_CHALLENGE 16

/* "RFB xxx.yyy\n" */
static bool rfb_version(const uint8_t *p, size_t len)
{
	if (len < RFB_VERSION_LEN || memcmp(p, "RFB ", 4) || p[7] != '.' || p[11] != '\n')
		return false;
	for (int k = 4; k < 11; k++)
		if (k != 7 && (p[k] < '0' || p[k] > '9'))
			return false;
	return true;
}

static const char *rfb_sec_name(unsigned t)
{
	switch (t) {
	case 0:
		return "invalid";
	case 1:
		return "none";
	case 2:
		return "vnc";
	case 16:
		return "tight";
	case 18:
		return "tls";
	case 19:
		return "vencrypt";
	case 30:
		return "apple";
	default:
		return NULL;
	}
}

static void rfb_hex(struct json *j, const char *key, const uint8_t *p)
{
	static const char hx[] = "0123456789abcdef";
	char out[2 * RFB_CHALLENGE + 1];

	for (int k = 0; k < RFB_CHALLENGE; k++) {
		out[2 * k] = hx[p[k] >> 4];
		out[2 * k + 1] = hx[p[k] & 15];
	}
	out[2 * RFB_CHALLENGE] = 0;
	json_kcstr(j, key, out);
}

/* Minor version of a version line (3, 7, 8 ...; 889 for Apple). */
static unsigned rfb_minor(const uint8_t *p)
{
	return (unsigned)((p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0'));
}

/* The security type in use and where the server's challenge is, if any. */
static int rfb_security(const struct record *r, const uint8_t **challenge)
{
	const uint8_t *s = r->server_payload, *c = r->payload;
	size_t sl = r->server_payload_len, cl = r->payload_len;
	int type = -1;
	size_t at;

	*challenge = NULL;
	if (rfb_minor(c) >= 7) {
		if (cl > RFB_VERSION_LEN)
			type = c[RFB_VERSION_LEN];
		/* server: version, count, types[count], then the challenge */
		if (rfb_version(s, sl) && sl > RFB_VERSION_LEN) {
			at = RFB_VERSION_LEN + 1 + s[RFB_VERSION_LEN];
			if (type == 2 && s[RFB_VERSION_LEN] && at + RFB_CHALLENGE <= sl)
				*challenge = s + at;
		}
	} else if (rfb_version(s, sl) && sl >= RFB_VERSION_LEN + 4) {
		/* 3.3: the server decides, a u32, then the challenge */
		const uint8_t *t = s + RFB_VERSION_LEN;
		type = (int)((uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | t[2] << 8 | t[3]);
		if (type == 2 && sl >= RFB_VERSION_LEN + 4 + RFB_CHALLENGE)
			*challenge = t + 4;
	}
	return type;
}

static void vnc_dissect(struct record *r)
{
	const uint8_t *c = r->payload, *challenge;
	size_t cl = r->payload_len, resp_at;
	struct json j;
	size_t mark;
	int type;

	proto_member_begin(&j, r, "vnc", &mark);
	if (rfb_version(r->server_payload, r->server_payload_len))
		json_kstr(&j, "server_version", r->server_payload + 4, 7);
	if (rfb_version(c, cl)) {
		json_kstr(&j, "client_version", c + 4, 7);
		type = rfb_security(r, &challenge);
		if (type >= 0) {
			const char *name = rfb_sec_name((unsigned)type);
			json_ku64(&j, "security_type", (uint64_t)type);
			if (name)
				json_kcstr(&j, "security", name);
		}
		resp_at = RFB_VERSION_LEN + (rfb_minor(c) >= 7 ? 1 : 0);
		if (type == 2 && cl >= resp_at + RFB_CHALLENGE) {
			if (challenge)
				rfb_hex(&j, "challenge", challenge);
			rfb_hex(&j, "response", c + resp_at);
		}
	}
	proto_member_end(&j, r, mark);
}

static int vnc_detect(const struct record *r)
{
	if (rfb_version(r->payload, r->payload_len))
		return 95;
	if (rfb_version(r->server_payload, r->server_payload_len))
		return 75;
	return 0;
}

const struct proto_dissector proto_vnc = {
    .name = "vnc",
    .l4 = 6,
    .detect = vnc_detect,
    .dissect = vnc_dissect,
};
