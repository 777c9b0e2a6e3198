/* The three mail protocols, three dissectors in one file because they
 * share their SASL helpers:
 *   smtp  (RFC 5321): EHLO/HELO, MAIL FROM, RCPT TO, AUTH PLAIN/LOGIN;
 *   pop3  (RFC 1939): USER/PASS, APOP, AUTH PLAIN;
 *   imap  (RFC 9051): LOGIN with atoms, quoted strings or literals,
 *                     AUTHENTICATE PLAIN.
 * All three are server-first: a client speaks after a banner, which a real
 * server or a banner script gives; the banner is in server_payload. */
#include <string.h>

#include "core/b64.h"
#include "proto/proto.h"

#define MAIL_MAX_LINES 128 /* client lines looked at */
#define MAIL_MAX_CMDS 32
#define MAIL_MAX_RCPT 16
#define MAIL_FIELD_CAP 200
#define MAIL_B64_CAP 1024 /* longest base64 SASL line decoded */

static size_t mail_cap(size_t n)
{
	return n < MAIL_FIELD_CAP ? n : MAIL_FIELD_CAP;
}

static bool mail_mem_nocase(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (proto_starts_with_nocase(p + i, len - i, needle))
			return true;
	return false;
}

/* The line starts with verb followed by a space or its end. */
static bool mail_verb(const uint8_t *p, size_t len, const char *verb)
{
	size_t n = strlen(verb);

	return proto_starts_with_nocase(p, len, verb) && (len == n || p[n] == ' ');
}

static size_t mail_first_line(const uint8_t *p, size_t len)
{
	size_t next;

	return len ? proto_line(p, len, &next) : 0;
}

static void mail_banner(struct json *j, const struct record *r)
{
	size_t n = mail_first_line(r->server_payload, r->server_payload_len);

	if (n)
		json_kstr(j, "banner", r->server_payload, mail_cap(n));
}

/* Decodes one base64 SASL line into out (NUL-terminated); returns the byte
 * count or -1 when it is not base64. */
static int mail_b64(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	struct buf b = {0};
	int ret = -1;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || n > MAIL_B64_CAP || b64_decode(&b, (const char *)s, n))
		goto out;
	ret = (int)(b.len < cap - 1 ? b.len : cap - 1);
	memcpy(out, b.p, (size_t)ret);
	out[ret] = 0;
out:
	buf_free(&b);
	return ret;
}

/* SASL PLAIN (RFC 4616): authzid NUL authcid NUL passwd. */
static void mail_sasl_plain(struct record *r, const char *proto, const uint8_t *s, size_t n)
{
	uint8_t d[MAIL_B64_CAP];
	int dl = mail_b64(s, n, d, sizeof(d));
	uint8_t *a, *b;

	if (dl <= 0)
		return;
	a = memchr(d, 0, (size_t)dl);
	if (!a)
		return;
	a++;
	b = memchr(a, 0, (size_t)(d + dl - a));
	if (!b)
		return;
	record_add_cred(r, proto, a, (size_t)(b - a), b + 1, (size_t)(d + dl - (b + 1)));
}

/* The argument after "VERB ": pointer and length (0 if none). */
static const uint8_t *mail_arg(const uint8_t *p, size_t n, size_t verblen, size_t *alen)
{
	size_t i = verblen;

	while (i < n && p[i] == ' ')
		i++;
	*alen = n - i;
	return p + i;
}

/* Length of the first word of p[0..n). */
static size_t mail_word(const uint8_t *p, size_t n)
{
	size_t w = 0;

	while (w < n && p[w] != ' ')
		w++;
	return w;
}

/* SASL exchanges that continue on the next lines (AUTH PLAIN with no
 * initial response, AUTH LOGIN's user then password), shared by the three
 * protocols: SMTP AUTH, POP3 AUTH (RFC 5034), IMAP AUTHENTICATE. */
enum mail_sasl_wait { SASL_NONE, SASL_PLAIN, SASL_LOGIN_USER, SASL_LOGIN_PASS };

struct mail_sasl {
	enum mail_sasl_wait wait;
	uint8_t user[MAIL_FIELD_CAP];
	int ulen;
};

/* The mechanism and initial response of AUTH/AUTHENTICATE: a[0..al) is
 * "MECH [initial-response]". */
static void mail_sasl_start(struct record *r, const char *proto, struct mail_sasl *st,
			    const uint8_t *a, size_t al)
{
	size_t sp = 0, il;
	const uint8_t *ir;

	while (sp < al && a[sp] != ' ')
		sp++;
	ir = mail_arg(a, al, sp, &il);
	st->wait = SASL_NONE;
	if (il == 1 && ir[0] == '=') /* an empty initial response */
		il = 0;
	if (sp == 5 && proto_starts_with_nocase(a, al, "PLAIN")) {
		if (il)
			mail_sasl_plain(r, proto, ir, il);
		else
			st->wait = SASL_PLAIN;
	} else if (sp == 5 && proto_starts_with_nocase(a, al, "LOGIN")) {
		st->wait = SASL_LOGIN_USER;
		if (il) {
			st->ulen = mail_b64(ir, il, st->user, sizeof(st->user));
			st->wait = st->ulen < 0 ? SASL_NONE : SASL_LOGIN_PASS;
		}
	}
}

/* A line that answers a SASL challenge. */
static void mail_sasl_line(struct record *r, const char *proto, struct mail_sasl *st,
			   const uint8_t *p, size_t n)
{
	uint8_t d[MAIL_B64_CAP];
	int dl;

	if (n == 1 && p[0] == '*') { /* the client cancelled */
		st->wait = SASL_NONE;
		return;
	}
	if (st->wait == SASL_PLAIN) {
		mail_sasl_plain(r, proto, p, n);
		st->wait = SASL_NONE;
	} else if (st->wait == SASL_LOGIN_USER) {
		st->ulen = mail_b64(p, n, st->user, sizeof(st->user));
		st->wait = st->ulen < 0 ? SASL_NONE : SASL_LOGIN_PASS;
	} else if (st->wait == SASL_LOGIN_PASS) {
		dl = mail_b64(p, n, d, sizeof(d));
		if (dl >= 0)
			record_add_cred(r, proto, st->user, (size_t)st->ulen, d, (size_t)dl);
		st->wait = SASL_NONE;
	}
}

/* ------------------------------------------------------------------ SMTP */

struct mail_span {
	const uint8_t *p;
	size_t n;
};

/* What one pass over the client's lines collects; written out at the end. */
struct smtp_state {
	struct mail_sasl sasl;
	bool in_data;
	struct mail_span helo, from, mech, rcpt[MAIL_MAX_RCPT], cmds[MAIL_MAX_CMDS];
	unsigned nrcpt, ncmds;
	uint64_t data_bytes;
	bool starttls;
};

static void smtp_command(struct record *r, struct smtp_state *st, const uint8_t *p, size_t n)
{
	size_t vl = 0, al;
	const uint8_t *a;

	while (vl < n && p[vl] != ' ')
		vl++;
	a = mail_arg(p, n, vl, &al);
	if (st->ncmds < MAIL_MAX_CMDS)
		st->cmds[st->ncmds++] = (struct mail_span){p, vl < 16 ? vl : 16};
	if (mail_verb(p, n, "EHLO") || mail_verb(p, n, "HELO")) {
		if (!st->helo.p)
			st->helo = (struct mail_span){a, al};
	} else if (proto_starts_with_nocase(p, n, "MAIL FROM:")) {
		a = mail_arg(p, n, 10, &al);
		if (!st->from.p)
			st->from = (struct mail_span){a, al};
	} else if (proto_starts_with_nocase(p, n, "RCPT TO:")) {
		a = mail_arg(p, n, 8, &al);
		if (st->nrcpt < MAIL_MAX_RCPT)
			st->rcpt[st->nrcpt++] = (struct mail_span){a, al};
	} else if (mail_verb(p, n, "AUTH")) {
		if (!st->mech.p)
			st->mech = (struct mail_span){a, mail_word(a, al)};
		mail_sasl_start(r, "smtp", &st->sasl, a, al);
	} else if (mail_verb(p, n, "DATA")) {
		st->in_data = true;
	} else if (mail_verb(p, n, "STARTTLS")) {
		st->starttls = true; /* the rest is TLS */
	}
}

static void smtp_kspan(struct json *j, const char *key, struct mail_span s)
{
	if (s.p)
		json_kstr(j, key, s.p, mail_cap(s.n));
}

static void smtp_write(struct json *j, const struct record *r, const struct smtp_state *st)
{
	mail_banner(j, r);
	smtp_kspan(j, "helo", st->helo);
	smtp_kspan(j, "mail_from", st->from);
	json_key(j, "rcpt_to");
	json_arr_begin(j);
	for (unsigned i = 0; i < st->nrcpt; i++)
		json_val_str(j, st->rcpt[i].p, mail_cap(st->rcpt[i].n));
	json_arr_end(j);
	smtp_kspan(j, "auth", st->mech);
	json_key(j, "commands");
	json_arr_begin(j);
	for (unsigned i = 0; i < st->ncmds; i++)
		json_val_str(j, st->cmds[i].p, st->cmds[i].n);
	json_arr_end(j);
	if (st->data_bytes)
		json_ku64(j, "data_bytes", st->data_bytes);
	if (st->starttls)
		json_kbool(j, "starttls", true);
}

static void smtp_dissect(struct record *r)
{
	struct smtp_state st;
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, next, n;
	unsigned lines = 0;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	while (len && lines++ < MAIL_MAX_LINES && !st.starttls) {
		n = proto_line(p, len, &next);
		if (st.in_data) {
			if (n == 1 && p[0] == '.')
				st.in_data = false;
			else
				st.data_bytes += next;
			lines--; /* message lines do not use up the command budget... */
			if (st.data_bytes > (1u << 20))
				break; /* ... up to a point */
		} else if (st.sasl.wait != SASL_NONE) {
			mail_sasl_line(r, "smtp", &st.sasl, p, n);
		} else if (n) {
			smtp_command(r, &st, p, n);
		}
		p += next;
		len -= next;
	}
	proto_member_begin(&j, r, "smtp", &mark);
	smtp_write(&j, r, &st);
	proto_member_end(&j, r, mark);
}

static int smtp_detect(const struct record *r)
{
	size_t c1 = mail_first_line(r->payload, r->payload_len);
	size_t s1 = mail_first_line(r->server_payload, r->server_payload_len);
	const uint8_t *s = r->server_payload;

	if (mail_verb(r->payload, c1, "EHLO") || mail_verb(r->payload, c1, "HELO"))
		return 90;
	if (s1 >= 4 && proto_starts_with(s, s1, "220") && mail_mem_nocase(s, s1, "SMTP"))
		return 90;
	return 0;
}

const struct proto_dissector proto_smtp = {
    .name = "smtp",
    .l4 = 6,
    .detect = smtp_detect,
    .dissect = smtp_dissect,
};

/* ------------------------------------------------------------------ POP3 */

struct pop3_state {
	struct mail_span user, apop_user, apop_digest, mech, cmds[MAIL_MAX_CMDS];
	unsigned ncmds;
	struct mail_sasl sasl;
	bool stls;
};

static void pop3_command(struct record *r, struct pop3_state *st, const uint8_t *p, size_t n)
{
	size_t vl = 0, al, sp = 0;
	const uint8_t *a;

	while (vl < n && p[vl] != ' ')
		vl++;
	a = mail_arg(p, n, vl, &al);
	if (st->ncmds < MAIL_MAX_CMDS)
		st->cmds[st->ncmds++] = (struct mail_span){p, vl < 16 ? vl : 16};
	if (mail_verb(p, n, "USER")) {
		st->user = (struct mail_span){a, al};
	} else if (mail_verb(p, n, "PASS")) {
		record_add_cred(r, "pop3", st->user.p ? st->user.p : a, st->user.n, a, al);
	} else if (mail_verb(p, n, "AUTH") && al) {
		if (!st->mech.p)
			st->mech = (struct mail_span){a, mail_word(a, al)};
		mail_sasl_start(r, "pop3", &st->sasl, a, al);
	} else if (mail_verb(p, n, "APOP") && !st->apop_user.p) {
		/* APOP name digest: the digest is MD5(timestamp secret), not a
		 * password, so it goes in the member and the cred has none. */
		while (sp < al && a[sp] != ' ')
			sp++;
		st->apop_user = (struct mail_span){a, sp};
		st->apop_digest.p = mail_arg(a, al, sp, &st->apop_digest.n);
		record_add_cred(r, "pop3", a, sp, (const uint8_t *)"", 0);
	} else if (mail_verb(p, n, "STLS")) {
		st->stls = true;
	}
}

static void pop3_dissect(struct record *r)
{
	struct pop3_state st;
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, next, n;
	unsigned lines = 0;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	while (len && lines++ < MAIL_MAX_LINES && !st.stls) {
		n = proto_line(p, len, &next);
		if (st.sasl.wait != SASL_NONE) {
			mail_sasl_line(r, "pop3", &st.sasl, p, n);
		} else if (n) {
			pop3_command(r, &st, p, n);
		}
		p += next;
		len -= next;
	}
	proto_member_begin(&j, r, "pop3", &mark);
	mail_banner(&j, r);
	json_key(&j, "commands");
	json_arr_begin(&j);
	for (unsigned i = 0; i < st.ncmds; i++)
		json_val_str(&j, st.cmds[i].p, st.cmds[i].n);
	json_arr_end(&j);
	if (st.user.p)
		json_kstr(&j, "user", st.user.p, mail_cap(st.user.n));
	if (st.mech.p)
		json_kstr(&j, "auth", st.mech.p, mail_cap(st.mech.n));
	if (st.apop_user.p) {
		json_key(&j, "apop");
		json_obj_begin(&j);
		json_kstr(&j, "user", st.apop_user.p, mail_cap(st.apop_user.n));
		json_kstr(&j, "digest", st.apop_digest.p, mail_cap(st.apop_digest.n));
		json_obj_end(&j);
	}
	if (st.stls)
		json_kbool(&j, "stls", true);
	proto_member_end(&j, r, mark);
}

static int pop3_detect(const struct record *r)
{
	size_t c1 = mail_first_line(r->payload, r->payload_len);
	size_t s1 = mail_first_line(r->server_payload, r->server_payload_len);
	const uint8_t *c = r->payload;

	if (proto_starts_with(r->server_payload, s1, "+OK"))
		return 85;
	if (mail_verb(c, c1, "CAPA") || mail_verb(c, c1, "APOP") || mail_verb(c, c1, "STLS"))
		return 60;
	if (mail_verb(c, c1, "USER"))
		return 50; /* FTP scores USER higher; a "+OK" banner decides */
	return 0;
}

const struct proto_dissector proto_pop3 = {
    .name = "pop3",
    .l4 = 6,
    .detect = pop3_detect,
    .dissect = pop3_dissect,
};

/* ------------------------------------------------------------------ IMAP */

#define IMAP_STR_CAP 256

/* Skips to the start of the next line, stepping over any literals
 * ("{n}" or "{n+}" at the end of a line, then n raw bytes). */
static size_t imap_skip_line(const uint8_t *p, size_t len, size_t i)
{
	for (unsigned guard = 0; i < len && guard < 64; guard++) {
		size_t next, n = proto_line(p + i, len - i, &next), k, lit = 0, mul = 1;

		if (n < 3 || p[i + n - 1] != '}') {
			return i + next;
		}
		k = i + n - 2;
		if (p[k] == '+')
			k--;
		while (k > i && p[k] >= '0' && p[k] <= '9' && mul <= 1000000) {
			lit += (size_t)(p[k] - '0') * mul;
			mul *= 10;
			k--;
		}
		if (p[k] != '{')
			return i + next;
		i += next;
		i = lit < len - i ? i + lit : len;
	}
	return len;
}

/* Reads an IMAP astring at p[*i]: atom, "quoted" (with \\ escapes) or a
 * literal {n}CRLF<n bytes>.  Copies at most cap-1 bytes to out. */
static size_t imap_astring(const uint8_t *p, size_t len, size_t *i, uint8_t *out, size_t cap)
{
	size_t k = *i, o = 0;

	while (k < len && p[k] == ' ')
		k++;
	if (k < len && p[k] == '"') {
		for (k++; k < len && p[k] != '"' && p[k] != '\r' && p[k] != '\n'; k++) {
			if (p[k] == '\\' && k + 1 < len)
				k++;
			if (o + 1 < cap)
				out[o++] = p[k];
		}
		k += k < len && p[k] == '"';
	} else if (k < len && p[k] == '{') {
		size_t lit = 0;
		for (k++; k < len && p[k] >= '0' && p[k] <= '9' && lit < 100000; k++)
			lit = lit * 10 + (size_t)(p[k] - '0');
		while (k < len && p[k] != '\n')
			k++;
		k++;
		for (; lit && k < len; lit--, k++)
			if (o + 1 < cap)
				out[o++] = p[k];
	} else {
		for (; k < len && p[k] > ' ' && p[k] < 0x7f && p[k] != '(' && p[k] != ')'; k++)
			if (o + 1 < cap)
				out[o++] = p[k];
	}
	out[o] = 0;
	*i = k < len ? k : len;
	return o;
}

/* Parses "tag COMMAND" at p[i]; returns the command's length, its start in
 * *cmd; the arguments start at *args. */
static size_t imap_cmd(const uint8_t *p, size_t len, size_t i, size_t *cmd, size_t *args)
{
	size_t k = i, c;

	while (k < len && p[k] > ' ' && p[k] < 0x7f)
		k++;
	if (k == i || k >= len || p[k] != ' ')
		return 0;
	c = ++k;
	while (k < len && p[k] > ' ' && p[k] < 0x7f && k - c < 32)
		k++;
	*cmd = c;
	*args = k;
	return k - c;
}

struct imap_state {
	uint8_t user[IMAP_STR_CAP];
	size_t ulen;
	bool have_user, starttls;
	struct mail_sasl sasl;
	struct mail_span mech;
	struct mail_span cmds[MAIL_MAX_CMDS];
	unsigned ncmds;
};

/* tag LOGIN user pass */
static void imap_login(struct record *r, struct imap_state *st, const uint8_t *p, size_t len,
		       size_t i)
{
	uint8_t user[IMAP_STR_CAP], pass[IMAP_STR_CAP];
	size_t ul, pl;

	ul = imap_astring(p, len, &i, user, sizeof(user));
	pl = imap_astring(p, len, &i, pass, sizeof(pass));
	record_add_cred(r, "imap", user, ul, pass, pl);
	if (!st->have_user) {
		memcpy(st->user, user, ul);
		st->ulen = ul;
		st->have_user = true;
	}
}

/* tag AUTHENTICATE mechanism [initial-response] */
static void imap_authenticate(struct record *r, struct imap_state *st, const uint8_t *p, size_t len,
			      size_t a)
{
	size_t n, next;

	while (a < len && p[a] == ' ')
		a++;
	n = a < len ? proto_line(p + a, len - a, &next) : 0;
	if (!st->mech.p)
		st->mech = (struct mail_span){p + a, mail_word(p + a, n)};
	mail_sasl_start(r, "imap", &st->sasl, p + a, n);
}

static void imap_dissect(struct record *r)
{
	struct imap_state st;
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, i = 0, cmd, args, cl, next, n;
	unsigned lines = 0;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	while (i < len && lines++ < MAIL_MAX_LINES && !st.starttls) {
		if (st.sasl.wait != SASL_NONE) {
			n = proto_line(p + i, len - i, &next);
			mail_sasl_line(r, "imap", &st.sasl, p + i, n);
			i += next;
			continue;
		}
		cl = imap_cmd(p, len, i, &cmd, &args);
		if (cl && st.ncmds < MAIL_MAX_CMDS)
			st.cmds[st.ncmds++] = (struct mail_span){p + cmd, cl};
		if (cl == 5 && proto_starts_with_nocase(p + cmd, cl, "LOGIN"))
			imap_login(r, &st, p, len, args);
		else if (cl == 12 && proto_starts_with_nocase(p + cmd, cl, "AUTHENTICATE"))
			imap_authenticate(r, &st, p, len, args);
		else if (cl == 8 && proto_starts_with_nocase(p + cmd, cl, "STARTTLS"))
			st.starttls = true;
		i = imap_skip_line(p, len, i);
	}
	proto_member_begin(&j, r, "imap", &mark);
	mail_banner(&j, r);
	json_key(&j, "commands");
	json_arr_begin(&j);
	for (unsigned k = 0; k < st.ncmds; k++)
		json_val_str(&j, st.cmds[k].p, st.cmds[k].n);
	json_arr_end(&j);
	if (st.have_user)
		json_kstr(&j, "user", st.user, st.ulen);
	if (st.mech.p)
		json_kstr(&j, "auth", st.mech.p, mail_cap(st.mech.n));
	if (st.starttls)
		json_kbool(&j, "starttls", true);
	proto_member_end(&j, r, mark);
}

static int imap_detect(const struct record *r)
{
	size_t s1 = mail_first_line(r->server_payload, r->server_payload_len);
	size_t cmd, args, cl = imap_cmd(r->payload, r->payload_len, 0, &cmd, &args);
	static const char *const verbs[] = {"CAPABILITY", "LOGIN", "AUTHENTICATE", "STARTTLS",
					    "ID",	  "NOOP",  "LOGOUT"};

	if (proto_starts_with(r->server_payload, s1, "* OK"))
		return mail_mem_nocase(r->server_payload, s1, "IMAP") ? 90 : 85;
	for (size_t k = 0; cl && k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (cl == strlen(verbs[k]) &&
		    proto_starts_with_nocase(r->payload + cmd, cl, verbs[k]))
			return 80;
	return 0;
}

const struct proto_dissector proto_imap = {
    .name = "imap",
    .l4 = 6,
    .detect = imap_detect,
    .dissect = imap_dissect,
};
