/* SYN fingerprints.  Written by hand: p0f is a daemon, not a library, and
 * the scanner marks below are facts about each tool's packet builder that
 * no library collects.
 *
 * Scanners (checked in this order; the first match wins):
 *
 *  mirai    TCP sequence number == the destination IPv4 address (Mirai's
 *           scanner.c sets tcph->seq = iph->daddr).  Chance match 2^-32.
 *  zmap     IPv4 ID 54321 and DF clear (ZMap's fixed IP ID, in
 *           make_ip_header(); checked against Debian's zmap 2.1.1, which
 *           also sends window 65535, TTL 255, no options).
 *  masscan  IPv4 ID == (dst_ip ^ dst_port ^ seq) & 0xffff with window 1024
 *           (masscan's templ-pkt.c; verified on masscan 1.3.2's packets:
 *           TTL 255, window 1024, no options).  Without that relation
 *           (IPv6, or a middlebox that rewrote the ID) a SYN with window
 *           1024, no options at all and initial TTL 255 is also taken as
 *           masscan: hping3 and nmap use TTL 64 or below, ZMap window 65535.
 *  nmap     OS-detection probes: a timestamp option with TSval 0xFFFFFFFF
 *           and TSecr 0 (all of probes SEQ 1-6 and T2-T7 in nmap's
 *           osscan2.cc), or the ECN probe (window 3, ECE+CWR, options
 *           ws,nop,mss,sok,nop,nop).  SYN scan (-sS): window 1024, 2048,
 *           3072 or 4096, DF clear, and exactly one option, MSS 1460 (nmap
 *           7.93 sends window 1024 with a random TTL in 37..59; older
 *           releases varied the window, as p0f's "nmap SYN scan" lists).
 *           The OS-detection probes also get the tag "nmap-os-detection".
 *
 * OS guess, p0f style: the initial TTL (the SYN's TTL rounded up to 32, 64,
 * 128 or 255) and the exact order of the TCP options (p0f's "olayout").
 * Window sizes vary with MSS, memory and sysctls, so they are not used.
 *
 *  Linux      TTL 64; the layout of tcp_options_write() for a SYN: mss, then
 *             "sok,ts" or "nop,nop,ts" (timestamps) or "nop,nop,sok" (SACK
 *             alone) or nothing, then optionally "nop,ws"; at least one
 *             option besides MSS (a bare MSS is what raw scanners send).
 *             Checked against curl on Linux 6.x (mss,sok,ts,nop,ws).
 *  Windows    TTL 128; p0f.fp's Windows XP and 7/8 SYN layouts (Windows
 *             10/11 send the first): mss,nop,ws,nop,nop,sok /
 *             mss,nop,nop,sok / mss,nop,ws,sok,ts.
 *  macOS/BSD  TTL 64; mss,nop,ws,nop,nop,ts,sok,eol+1 (macOS, iOS),
 *             mss,nop,ws,sok,ts (FreeBSD 9+),
 *             mss,nop,nop,sok,nop,ws,nop,nop,ts (OpenBSD).
 *  unknown    anything else, and every SYN a scanner above crafted (its
 *             layout says nothing about the sender's kernel: nmap's probe 6
 *             has Linux's "mss,sok,ts").
 * The Windows and macOS/BSD rows come from p0f 3's p0f.fp ([tcp:request]),
 * not from live captures (no such host is available to the tests).  The
 * same layouts with another initial TTL (Solaris 10 sends Windows' layout
 * at TTL 64) stay "unknown". */
#include "analyze/synfp.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/json.h"
#include "proto/proto.h"

#define SYNFP_TCP_ECE 0x40
#define SYNFP_TCP_CWR 0x80

static void layout_add(struct synfp_opts *o, const char *item)
{
	size_t n = strlen(o->layout);

	snprintf(o->layout + n, sizeof(o->layout) - n, "%s%s", n ? "," : "", item);
}

/* One option of kind k with length l at o[0..l): records what it holds. */
static void opt_known(struct synfp_opts *out, const uint8_t *o, uint8_t k, uint8_t l)
{
	char tmp[8];

	if (k == 2 && l == 4) {
		out->has_mss = true;
		out->mss = (uint16_t)(o[2] << 8 | o[3]);
		layout_add(out, "mss");
	} else if (k == 3 && l == 3) {
		out->has_ws = true;
		out->ws = o[2];
		layout_add(out, "ws");
	} else if (k == 4 && l == 2) {
		out->has_sok = true;
		layout_add(out, "sok");
	} else if (k == 5) {
		layout_add(out, "sack");
	} else if (k == 8 && l == 10) {
		out->has_ts = true;
		out->tsval =
		    (uint32_t)o[2] << 24 | (uint32_t)o[3] << 16 | (uint32_t)o[4] << 8 | o[5];
		out->tsecr =
		    (uint32_t)o[6] << 24 | (uint32_t)o[7] << 16 | (uint32_t)o[8] << 8 | o[9];
		layout_add(out, "ts");
	} else {
		snprintf(tmp, sizeof(tmp), "?%u", k);
		layout_add(out, tmp);
	}
}

void synfp_parse_opts(const uint8_t *o, size_t len, struct synfp_opts *out)
{
	size_t i = 0;
	char tmp[32];

	memset(out, 0, sizeof(*out));
	if (len > 40)
		len = 40;
	while (i < len) {
		uint8_t k = o[i], l;
		if (k == 0) { /* EOL: p0f counts the bytes after it */
			snprintf(tmp, sizeof(tmp), "eol+%zu", len - i - 1);
			layout_add(out, tmp);
			return;
		}
		if (k == 1) {
			layout_add(out, "nop");
			i++;
			continue;
		}
		if (i + 1 >= len || (l = o[i + 1]) < 2 || i + l > len) {
			out->malformed = true;
			snprintf(tmp, sizeof(tmp), "?%u", k);
			layout_add(out, tmp);
			return;
		}
		opt_known(out, o + i, k, l);
		i += l;
	}
}

uint8_t synfp_initial_ttl(uint8_t ttl)
{
	if (ttl <= 32)
		return 32;
	if (ttl <= 64)
		return 64;
	if (ttl <= 128)
		return 128;
	return 255;
}

static uint32_t dst_v4(const struct ipaddr *dst)
{
	return (uint32_t)dst->b[0] << 24 | (uint32_t)dst->b[1] << 16 | (uint32_t)dst->b[2] << 8 |
	       dst->b[3];
}

static bool is_nmap(const struct record_syn *s, const struct synfp_opts *o, bool *os_probe)
{
	*os_probe = false;
	if (o->has_ts && o->tsval == 0xffffffffu && o->tsecr == 0) {
		*os_probe = true;
		return true;
	}
	if (s->win == 3 &&
	    (s->flags & (SYNFP_TCP_ECE | SYNFP_TCP_CWR)) == (SYNFP_TCP_ECE | SYNFP_TCP_CWR) &&
	    !strcmp(o->layout, "ws,nop,mss,sok,nop,nop")) {
		*os_probe = true;
		return true;
	}
	return !s->df && !strcmp(o->layout, "mss") && o->mss == 1460 &&
	       (s->win == 1024 || s->win == 2048 || s->win == 3072 || s->win == 4096);
}

static const char *scanner_of(const struct record_syn *s, const struct synfp_opts *o,
			      const struct ipaddr *dst, uint16_t dport, bool *os_probe)
{
	bool v4 = s->ipver == 4 && dst->family == AF_INET;

	*os_probe = false;
	if (v4 && s->seq == dst_v4(dst))
		return "mirai";
	if (v4 && s->ip_id == 54321 && !s->df)
		return "zmap";
	if (v4 && s->win == 1024 && s->ip_id == ((dst_v4(dst) ^ dport ^ s->seq) & 0xffff))
		return "masscan";
	if (is_nmap(s, o, os_probe))
		return "nmap";
	if (s->win == 1024 && s->optlen == 0 && synfp_initial_ttl(s->ttl) == 255)
		return "masscan";
	return NULL;
}

const char *synfp_scanner(const struct record_syn *s, const struct ipaddr *dst, uint16_t dport)
{
	struct synfp_opts o;
	bool os_probe;

	if (!s->seen)
		return NULL;
	synfp_parse_opts(s->opts, s->optlen, &o);
	return scanner_of(s, &o, dst, dport, &os_probe);
}

struct synfp_os_sig {
	const char *os;
	uint8_t ttl0;
	const char *layout;
};

/* See the table at the top of this file. */
static const struct synfp_os_sig synfp_os_sigs[] = {
    {"Windows", 128, "mss,nop,ws,nop,nop,sok"},
    {"Windows", 128, "mss,nop,nop,sok"},
    {"Windows", 128, "mss,nop,ws,sok,ts"},
    {"macOS/BSD", 64, "mss,nop,ws,nop,nop,ts,sok,eol+1"},
    {"macOS/BSD", 64, "mss,nop,ws,sok,ts"},
    {"macOS/BSD", 64, "mss,nop,nop,sok,nop,ws,nop,nop,ts"},
};

/* Linux's tcp_options_write() layouts for a SYN (see the top). */
static bool linux_layout(const char *l)
{
	static const char *const mid[] = {",sok,ts", ",nop,nop,ts", ",nop,nop,sok", ""};
	static const char *const tail[] = {",nop,ws", ""};
	char want[SYNFP_LAYOUT_LEN];

	for (size_t i = 0; i < sizeof(mid) / sizeof(mid[0]); i++)
		for (size_t k = 0; k < sizeof(tail) / sizeof(tail[0]); k++) {
			if (!mid[i][0] && !tail[k][0])
				continue; /* bare "mss": raw scanners */
			snprintf(want, sizeof(want), "mss%s%s", mid[i], tail[k]);
			if (!strcmp(l, want))
				return true;
		}
	return false;
}

static const char *os_of(const struct record_syn *s, const struct synfp_opts *o)
{
	uint8_t ttl0 = synfp_initial_ttl(s->ttl);

	if (o->malformed)
		return "unknown";
	if (ttl0 == 64 && linux_layout(o->layout))
		return "Linux";
	for (size_t i = 0; i < sizeof(synfp_os_sigs) / sizeof(synfp_os_sigs[0]); i++)
		if (ttl0 == synfp_os_sigs[i].ttl0 && !strcmp(o->layout, synfp_os_sigs[i].layout))
			return synfp_os_sigs[i].os;
	return "unknown";
}

const char *synfp_os(const struct record_syn *s)
{
	struct synfp_opts o;

	if (!s->seen)
		return "unknown";
	synfp_parse_opts(s->opts, s->optlen, &o);
	return os_of(s, &o);
}

/* p0f's quirks that a single SYN shows. */
static void quirks(const struct record_syn *s, const struct synfp_opts *o, char *q, size_t qlen)
{
	size_t n = 0;

	q[0] = 0;
#define SYNFP_Q(cond, name)                                                                        \
	if ((cond) && n < qlen)                                                                    \
		n += (size_t)snprintf(q + n, qlen - n, "%s%s", n ? "," : "", name);
	SYNFP_Q(s->ipver == 4 && s->df, "df");
	SYNFP_Q(s->ipver == 4 && s->df && s->ip_id, "id+");
	SYNFP_Q(s->ipver == 4 && !s->df && !s->ip_id, "id-");
	SYNFP_Q(s->flags & (SYNFP_TCP_ECE | SYNFP_TCP_CWR), "ecn");
	SYNFP_Q(o->has_ts && !o->tsval, "ts1-");
	SYNFP_Q(o->has_ts && o->tsecr, "ts2+");
	SYNFP_Q(o->malformed, "bad");
#undef SYNFP_Q
}

/* "synfp": {"ttl":..,"ttl_initial":..,"df":..,"ip_id":..,"win":..,
 * "mss":..,"ws":..,"opts":"mss,sok,ts,nop,ws","sig":"<p0f-style>"} */
static void put_member(struct record *r, const struct synfp_opts *o)
{
	const struct record_syn *s = &r->syn;
	struct json j;
	size_t mark;
	char q[64], sig[256], mss[8] = "*", ws[8] = "0";

	quirks(s, o, q, sizeof(q));
	if (o->has_mss)
		snprintf(mss, sizeof(mss), "%u", o->mss);
	if (o->has_ws)
		snprintf(ws, sizeof(ws), "%u", o->ws);
	/* ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass; olen 0 since
	 * IP options are not kept. */
	snprintf(sig, sizeof(sig), "%u:%u:0:%s:%u,%s:%s:%s:%s", s->ipver, synfp_initial_ttl(s->ttl),
		 mss, s->win, ws, o->layout, q, s->payload_len ? "+" : "0");
	proto_member_begin(&j, r, "synfp", &mark);
	json_ku64(&j, "ttl", s->ttl);
	json_ku64(&j, "ttl_initial", synfp_initial_ttl(s->ttl));
	json_kbool(&j, "df", s->df);
	if (s->ipver == 4)
		json_ku64(&j, "ip_id", s->ip_id);
	json_ku64(&j, "win", s->win);
	if (o->has_mss)
		json_ku64(&j, "mss", o->mss);
	if (o->has_ws)
		json_ku64(&j, "ws", o->ws);
	json_kcstr(&j, "opts", o->layout);
	json_kcstr(&j, "sig", sig);
	proto_member_end(&j, r, mark);
}

void synfp_apply(struct record *r)
{
	struct synfp_opts o;
	const char *scanner;
	bool os_probe;

	if (r->proto != 6 || !r->syn.seen)
		return;
	synfp_parse_opts(r->syn.opts, r->syn.optlen, &o);
	scanner = scanner_of(&r->syn, &o, &r->dst, r->dport, &os_probe);
	snprintf(r->scanner, sizeof(r->scanner), "%s", scanner ? scanner : "");
	/* A crafted SYN says nothing about the sender's kernel. */
	snprintf(r->os_guess, sizeof(r->os_guess), "%s", scanner ? "unknown" : os_of(&r->syn, &o));
	if (os_probe)
		record_add_tag(r, "nmap-os-detection");
	put_member(r, &o);
}
