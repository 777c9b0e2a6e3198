/* NTP (RFC 5905 modes 1-5, RFC 9327 mode 6 control, ntpd's mode 7
 * "private" requests from ntp_request.h) in the client's first datagram.
 *
 * Tags:
 *   ntp-monlist          mode 7 MON_GETLIST (20) or MON_GETLIST_1 (42): the
 *                        monlist query behind NTP reflection attacks.
 *   amplification-probe  those, and mode 6 READVAR (the "version" query
 *                        that amplification surveys send, ~24x).
 *
 * "ntp": {"version","mode","mode_name","leap",
 *   modes 1-5: "stratum","poll","precision","xmt" (transmit timestamp, hex),
 *   mode 6:    "opcode","opcode_name","sequence","assoc","data" (the
 *              request's variable list, text),
 *   mode 7:    "implementation","request","request_name","auth","nitems",
 *              "itemsize"} */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define NTP_DATA_CAP 256

static const char *const ntp_mode_names[8] = {"reserved", "symmetric_active", "symmetric_passive",
					      "client",	  "server",	      "broadcast",
					      "control",  "private"};

static size_t ntp_first_len(const struct record *r)
{
	if (r->first_msg_len && r->first_msg_len <= r->payload_len)
		return r->first_msg_len;
	return r->payload_len;
}

static uint16_t ntp_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const char *ntp_ctl_name(unsigned op)
{
	static const char *const names[] = {NULL,	 "readstat",   "readvar",  "writevar",
					    "readclock", "writeclock", "settrap",  "asyncmsg",
					    "configure", "saveconfig", "read_mru", "read_ordlist_a",
					    "req_nonce"};

	if (op < sizeof(names) / sizeof(names[0]))
		return names[op];
	return op == 31 ? "unsettrap" : NULL;
}

static const char *ntp_req_name(unsigned req)
{
	static const char *const names[] = {
	    "peer_list",   "peer_list_sum", "peer_info",    "peer_stats",   "sys_info",
	    "sys_stats",   "io_stats",	    "mem_stats",    "loop_info",    "timer_stats",
	    "config",	   "unconfig",	    "set_sys_flag", "clr_sys_flag", "monitor",
	    "nomonitor",   "get_restrict",  "resaddflags",  "ressubflags",  "unrestrict",
	    "mon_getlist", "reset_stats",   "reset_peer",   "reread_keys"};

	if (req < sizeof(names) / sizeof(names[0]))
		return names[req];
	if (req == 42)
		return "mon_getlist_1";
	if (req == 44)
		return "if_stats";
	return NULL;
}

/* Mode 6: a request (response bit clear), known opcode, count fits. */
static bool ntp_ctl_ok(const uint8_t *p, size_t len)
{
	return len >= 12 && !(p[1] & 0x80) && ntp_ctl_name(p[1] & 0x1f) &&
	       ntp_rd16(p + 10) <= len - 12;
}

/* Mode 7: a request with one of ntpd's implementation numbers. */
static bool ntp_priv_ok(const uint8_t *p, size_t len)
{
	return len >= 8 && !(p[0] & 0x80) && (p[2] == 0 || p[2] == 2 || p[2] == 3);
}

static int ntp_detect(const struct record *r)
{
	size_t len = ntp_first_len(r);
	const uint8_t *p = r->payload;
	unsigned ver, mode;

	if (!p || len < 8)
		return 0;
	ver = p[0] >> 3 & 7;
	mode = p[0] & 7;
	if (r->proto != 17)
		return 0;
	if (mode == 7) /* the version bits of mode 7 are 1..4 too */
		return ver >= 1 && ver <= 4 && ntp_priv_ok(p, len) ? 80 : 0;
	if (ver < 1 || ver > 4)
		return 0;
	if (mode == 6)
		return ntp_ctl_ok(p, len) ? 75 : 0;
	if (mode >= 1 && mode <= 5 && len >= 48 && (len - 48) % 4 == 0 && len <= 48 + 1024)
		return p[1] <= 16 ? 60 : 30; /* stratum 0..16 */
	return 0;
}

static void ntp_put_time(struct json *j, const uint8_t *p)
{
	char xmt[17];

	for (int i = 0; i < 8; i++)
		snprintf(xmt + 2 * i, 3, "%02x", p[40 + i]);
	json_ku64(j, "stratum", p[1]);
	json_ku64(j, "poll", p[2]);
	json_key(j, "precision");
	json_val_i64(j, (int8_t)p[3]);
	json_kcstr(j, "xmt", xmt);
}

static void ntp_put_ctl(struct json *j, struct record *r, const uint8_t *p, size_t len)
{
	unsigned op = p[1] & 0x1f;
	size_t n = ntp_rd16(p + 10);
	const char *name = ntp_ctl_name(op);

	if (n > len - 12)
		n = len - 12;
	json_ku64(j, "opcode", op);
	if (name)
		json_kcstr(j, "opcode_name", name);
	json_ku64(j, "sequence", ntp_rd16(p + 2));
	json_ku64(j, "assoc", ntp_rd16(p + 6));
	if (n)
		json_kstr(j, "data", p + 12, n < NTP_DATA_CAP ? n : NTP_DATA_CAP);
	if (op == 2)
		record_add_tag(r, "amplification-probe");
}

static void ntp_put_priv(struct json *j, struct record *r, const uint8_t *p)
{
	unsigned req = p[3];
	const char *name = ntp_req_name(req);

	json_ku64(j, "implementation", p[2]);
	json_ku64(j, "request", req);
	if (name)
		json_kcstr(j, "request_name", name);
	json_kbool(j, "auth", p[1] & 0x80);
	json_ku64(j, "nitems", ntp_rd16(p + 4) & 0x0fff);
	json_ku64(j, "itemsize", ntp_rd16(p + 6) & 0x0fff);
	if (req == 20 || req == 42) {
		record_add_tag(r, "ntp-monlist");
		record_add_tag(r, "amplification-probe");
	}
}

static void ntp_dissect(struct record *r)
{
	size_t len = ntp_first_len(r), mark;
	const uint8_t *p = r->payload;
	unsigned mode;
	struct json j;

	if (!p || len < 8)
		return;
	mode = p[0] & 7;
	proto_member_begin(&j, r, "ntp", &mark);
	json_ku64(&j, "version", p[0] >> 3 & 7);
	json_ku64(&j, "mode", mode);
	json_kcstr(&j, "mode_name", ntp_mode_names[mode]);
	if (mode != 7)
		json_ku64(&j, "leap", p[0] >> 6);
	if (mode >= 1 && mode <= 5 && len >= 48)
		ntp_put_time(&j, p);
	else if (mode == 6 && len >= 12)
		ntp_put_ctl(&j, r, p, len);
	else if (mode == 7)
		ntp_put_priv(&j, r, p);
	proto_member_end(&j, r, mark);
}

const struct proto_dissector proto_ntp = {
    .name = "ntp",
    .l4 = 17,
    .detect = ntp_detect,
    .dissect = ntp_dissect,
};
