/* FTP control connection (RFC 959): the server's banner, the client's
 * commands, USER/PASS pairs as credentials.  FTP is server-first, so a
 * client only sends commands where something (a real server, a banner
 * script) greeted it; scanners that read no banner send USER at once. */
#include <string.h>

#include "proto/proto.h"

#define FTP_MAX_LINES 64 /* client lines looked at */
#define FTP_MAX_CMDS 32	 /* commands written out */
#define FTP_CMD_CAP 128
#define FTP_BANNER_CAP 200

static bool ftp_mem_nocase(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (proto_starts_with_nocase(p + i, len - i, needle))
			return true;
	return false;
}

/* A server reply line: three digits then space or '-'. */
static bool ftp_reply(const uint8_t *p, size_t len, char first)
{
	return len >= 4 && p[0] == first && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
	       p[2] <= '9' && (p[3] == ' ' || p[3] == '-');
}

/* The verb of the line: 3 or 4 letters then space or end. */
static bool ftp_verb(const uint8_t *p, size_t len, const char *verb)
{
	size_t n = strlen(verb);

	return proto_starts_with_nocase(p, len, verb) && (len == n || p[n] == ' ');
}

static int ftp_detect(const struct record *r)
{
	const uint8_t *c = r->payload, *s = r->server_payload;
	size_t cl = r->payload_len, sl = r->server_payload_len, next;
	size_t l1 = cl ? proto_line(c, cl, &next) : 0, s1 = sl ? proto_line(s, sl, &next) : 0;
	bool user = ftp_verb(c, l1, "USER");

	if (ftp_reply(s, s1, '2') && ftp_mem_nocase(s, s1, "FTP"))
		return 90;
	if (ftp_reply(s, s1, '2') && (user || ftp_verb(c, l1, "AUTH") || ftp_verb(c, l1, "FEAT")))
		return 85;
	if (user)
		return 55; /* POP3 says USER too; its "+OK" banner decides when we have it */
	if (ftp_verb(c, l1, "AUTH") && cl > 8 &&
	    (proto_starts_with_nocase(c + 5, cl - 5, "TLS") ||
	     proto_starts_with_nocase(c + 5, cl - 5, "SSL")))
		return 60;
	return 0;
}

static void ftp_dissect(struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, next, n;
	const uint8_t *user = NULL;
	size_t ulen = 0;
	unsigned lines = 0, cmds = 0;
	struct json j;
	size_t mark;

	proto_member_begin(&j, r, "ftp", &mark);
	if (r->server_payload_len && ftp_reply(r->server_payload, r->server_payload_len, '2')) {
		n = proto_line(r->server_payload, r->server_payload_len, &next);
		json_kstr(&j, "banner", r->server_payload, n < FTP_BANNER_CAP ? n : FTP_BANNER_CAP);
	}
	json_key(&j, "commands");
	json_arr_begin(&j);
	while (len && lines++ < FTP_MAX_LINES) {
		n = proto_line(p, len, &next);
		if (n && cmds < FTP_MAX_CMDS) {
			json_val_str(&j, p, n < FTP_CMD_CAP ? n : FTP_CMD_CAP);
			cmds++;
		}
		if (ftp_verb(p, n, "USER")) {
			user = n > 5 ? p + 5 : p + n;
			ulen = n > 5 ? n - 5 : 0;
		} else if (ftp_verb(p, n, "PASS")) {
			record_add_cred(r, "ftp", user ? user : p, ulen, p + (n > 5 ? 5 : n),
					n > 5 ? n - 5 : 0);
		}
		p += next;
		len -= next;
	}
	json_arr_end(&j);
	if (user)
		json_kstr(&j, "user", user, ulen < FTP_CMD_CAP ? ulen : FTP_CMD_CAP);
	proto_member_end(&j, r, mark);
}

const struct proto_dissector proto_ftp = {
    .name = "ftp",
    .l4 = 6,
    .detect = ftp_detect,
    .dissect = ftp_dissect,
};
