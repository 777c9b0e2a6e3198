/* Telnet (RFC 854/855): the client's bytes with the option negotiation
 * (IAC WILL/WONT/DO/DONT x, IAC SB ... IAC SE) taken out, split into the
 * lines a bot or a person typed.  Bots that brute-force telnet send the
 * login on the first line and the password on the second. */
#include <stdio.h>
#include <ctype.h>
#include <string.h>

#include "proto/proto.h"

#define TELNET_IAC 0xff
#define TELNET_SE 0xf0
#define TELNET_SB 0xfa
#define TELNET_WILL 0xfb
#define TELNET_DONT 0xfe

#define TELNET_MAX_CLEAN 4096 /* cleaned client bytes we look at */
#define TELNET_MAX_LINES 8
#define TELNET_LINE_CAP 128
#define TELNET_MAX_OPTS 16
#define TELNET_OPT_LEN 24

struct telnet_state {
	uint8_t clean[TELNET_MAX_CLEAN];
	size_t nclean;
	char opts[TELNET_MAX_OPTS][TELNET_OPT_LEN];
	unsigned nopts;
	char ttype[64];	  /* SB TTYPE IS <name> */
	char envuser[64]; /* SB NEW-ENVIRON IS VAR "USER" VALUE <name> */
};

static const char *telnet_opt_name(uint8_t o, char tmp[8])
{
	static const char *const names[40] = {
	    [0] = "BINARY",	     [1] = "ECHO",	[3] = "SGA",	      [5] = "STATUS",
	    [6] = "TIMING-MARK",     [24] = "TTYPE",	[31] = "NAWS",	      [32] = "TSPEED",
	    [33] = "LFLOW",	     [34] = "LINEMODE", [35] = "XDISPLOC",    [36] = "ENVIRON",
	    [37] = "AUTHENTICATION", [38] = "ENCRYPT",	[39] = "NEW-ENVIRON",
	};

	if (o < 40 && names[o])
		return names[o];
	snprintf(tmp, 8, "%u", o);
	return tmp;
}

static void telnet_add_opt(struct telnet_state *st, const char *verb, uint8_t o)
{
	char tmp[8], s[TELNET_OPT_LEN];

	snprintf(s, sizeof(s), "%s %s", verb, telnet_opt_name(o, tmp));
	for (unsigned i = 0; i < st->nopts; i++)
		if (!strcmp(st->opts[i], s))
			return;
	if (st->nopts < TELNET_MAX_OPTS)
		snprintf(st->opts[st->nopts++], TELNET_OPT_LEN, "%s", s);
}

/* Printable copy of a subnegotiation value. */
static void telnet_copy_value(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f)
			dst[k++] = (char)p[i];
	dst[k] = 0;
}

/* NEW-ENVIRON (39) IS: (VAR|USERVAR name VALUE value)*; VAR=0 VALUE=1
 * USERVAR=3.  Only USER is kept: telnet -l sends the login this way. */
static void telnet_sb_environ(struct telnet_state *st, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t name, nlen, val, vlen;
		if (p[i] != 0 && p[i] != 3) {
			i++;
			continue;
		}
		name = ++i;
		while (i < n && p[i] > 3)
			i++;
		nlen = i - name;
		if (i >= n || p[i] != 1)
			continue;
		val = ++i;
		while (i < n && p[i] > 3)
			i++;
		vlen = i - val;
		if (nlen == 4 && !memcmp(p + name, "USER", 4))
			telnet_copy_value(st->envuser, sizeof(st->envuser), p + val, vlen);
	}
}

/* p[0..n) is the body between IAC SB and IAC SE. */
static void telnet_subneg(struct telnet_state *st, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	telnet_add_opt(st, "SB", p[0]);
	if (p[0] == 24 && n > 1 && p[1] == 0) /* TTYPE IS */
		telnet_copy_value(st->ttype, sizeof(st->ttype), p + 2, n - 2);
	else if ((p[0] == 39 || p[0] == 36) && n > 1 && p[1] == 0)
		telnet_sb_environ(st, p + 2, n - 2);
}

/* Returns how many bytes the IAC command at p[0..len) takes (p[0] == IAC). */
static size_t telnet_command(struct telnet_state *st, const uint8_t *p, size_t len)
{
	static const char *const verbs[] = {"WILL", "WONT", "DO", "DONT"};
	size_t i;

	if (len < 2)
		return len;
	if (p[1] >= TELNET_WILL && p[1] <= TELNET_DONT) {
		if (len < 3)
			return len;
		telnet_add_opt(st, verbs[p[1] - TELNET_WILL], p[2]);
		return 3;
	}
	if (p[1] != TELNET_SB)
		return 2; /* NOP, GA, AYT, ...: two bytes */
	/* Subnegotiation runs to IAC SE (or the end of what we have). */
	for (i = 2; i + 1 < len; i++)
		if (p[i] == TELNET_IAC && p[i + 1] == TELNET_SE)
			break;
	telnet_subneg(st, p + 2, (i + 1 < len ? i : len) - 2);
	return i + 1 < len ? i + 2 : len;
}

static void telnet_clean(struct telnet_state *st, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && st->nclean < TELNET_MAX_CLEAN) {
		if (p[i] != TELNET_IAC) {
			st->clean[st->nclean++] = p[i++];
		} else if (i + 1 < len && p[i + 1] == TELNET_IAC) {
			st->clean[st->nclean++] = TELNET_IAC; /* escaped 0xff */
			i += 2;
		} else {
			i += telnet_command(st, p + i, len - i);
		}
	}
}

struct telnet_line {
	char s[TELNET_LINE_CAP];
	size_t len;
};

/* Splits the cleaned bytes on CR LF, CR NUL, LF or CR, applying backspace
 * and DEL as a terminal would.  Returns the number of lines. */
static unsigned telnet_lines(const struct telnet_state *st, struct telnet_line *out, unsigned max)
{
	unsigned n = 0;
	size_t i = 0;
	struct telnet_line cur = {.len = 0};
	bool open = false;

	for (i = 0; i < st->nclean && n < max; i++) {
		uint8_t c = st->clean[i];
		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < st->nclean &&
			    (st->clean[i + 1] == '\n' || st->clean[i + 1] == 0))
				i++;
			cur.s[cur.len] = 0;
			out[n++] = cur;
			cur.len = 0;
			open = false;
		} else if (c == 0x08 || c == 0x7f) {
			if (cur.len)
				cur.len--;
		} else if (c && cur.len + 1 < TELNET_LINE_CAP) {
			cur.s[cur.len++] = (char)c;
			open = true;
		}
	}
	if (open && n < max) { /* an unterminated last line still counts */
		cur.s[cur.len] = 0;
		out[n++] = cur;
	}
	return n;
}

/* Prompts come first: only the first TELNET_PROMPT_SCAN bytes of what the
 * server sent are searched (every flow with a large server side paid for a
 * byte-by-byte strncasecmp over all of it: 28 % of the analyzer's time). */
#define TELNET_PROMPT_SCAN 4096

static bool telnet_mem_nocase(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	uint8_t lo = (uint8_t)tolower((unsigned char)needle[0]);
	uint8_t up = (uint8_t)toupper((unsigned char)needle[0]);

	if (len > TELNET_PROMPT_SCAN)
		len = TELNET_PROMPT_SCAN;
	for (size_t i = 0; i + n <= len; i++)
		if ((p[i] == lo || p[i] == up) && proto_starts_with_nocase(p + i, len - i, needle))
			return true;
	return false;
}

static void telnet_creds(struct record *r, const struct telnet_line *l, unsigned n)
{
	bool prompted = r->server_payload_len &&
			telnet_mem_nocase(r->server_payload, r->server_payload_len, "assword");
	const struct telnet_line *u = NULL, *p = NULL;

	for (unsigned i = 0; i < n && !p; i++) {
		if (!u) {
			if (l[i].len)
				u = &l[i];
		} else if (l[i].len || prompted) {
			p = &l[i];
		}
	}
	if (u && p)
		record_add_cred(r, "telnet", (const uint8_t *)u->s, u->len, (const uint8_t *)p->s,
				p->len);
}

/* A run of IAC negotiation at the start of the data. */
static int telnet_starts_iac(const uint8_t *p, size_t len)
{
	return len >= 3 && p[0] == TELNET_IAC &&
	       ((p[1] >= TELNET_WILL && p[1] <= TELNET_DONT) || p[1] == TELNET_SB);
}

static bool telnet_has_iac(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 2 < len && i < 4096; i++)
		if (p[i] == TELNET_IAC && p[i + 1] >= TELNET_WILL && p[i + 1] <= TELNET_DONT)
			return true;
	return false;
}

static int telnet_detect(const struct record *r)
{
	if (telnet_starts_iac(r->payload, r->payload_len))
		return 85;
	if (telnet_starts_iac(r->server_payload, r->server_payload_len))
		return 80;
	if (telnet_has_iac(r->payload, r->payload_len))
		return 50;
	if (r->payload_len && r->server_payload_len &&
	    (telnet_mem_nocase(r->server_payload, r->server_payload_len, "login:") ||
	     telnet_mem_nocase(r->server_payload, r->server_payload_len, "username:")))
		return 40;
	return 0;
}

static void telnet_dissect(struct record *r)
{
	struct telnet_state st; /* ~5 kB of stack */
	struct telnet_line lines[TELNET_MAX_LINES];
	struct json j;
	size_t mark;
	unsigned n;

	memset(&st, 0, sizeof(st));
	telnet_clean(&st, r->payload, r->payload_len);
	n = telnet_lines(&st, lines, TELNET_MAX_LINES);
	telnet_creds(r, lines, n);
	proto_member_begin(&j, r, "telnet", &mark);
	json_key(&j, "lines");
	json_arr_begin(&j);
	for (unsigned i = 0; i < n; i++)
		json_val_str(&j, (const uint8_t *)lines[i].s, lines[i].len);
	json_arr_end(&j);
	json_key(&j, "options");
	json_arr_begin(&j);
	for (unsigned i = 0; i < st.nopts; i++)
		json_val_cstr(&j, st.opts[i]);
	json_arr_end(&j);
	if (st.ttype[0])
		json_kcstr(&j, "terminal", st.ttype);
	if (st.envuser[0])
		json_kcstr(&j, "env_user", st.envuser);
	proto_member_end(&j, r, mark);
}

const struct proto_dissector proto_telnet = {
    .name = "telnet",
    .l4 = 6,
    .detect = telnet_detect,
    .dissect = telnet_dissect,
};
