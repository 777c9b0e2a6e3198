/* MySQL/MariaDB client/server protocol.  The server speaks first (Initial
 * Handshake, protocol 10); the client answers with a HandshakeResponse41
 * (or an SSLRequest, then TLS).  Layout of the response, after the 4-byte
 * packet header (3-byte length, sequence id 1):
 *   capabilities u32 | max packet u32 | charset u8 | 23 zero bytes |
 *   user NUL | auth data (length-encoded, 1-byte length or NUL) |
 *   database NUL (CONNECT_WITH_DB) | plugin NUL (PLUGIN_AUTH) |
 *   attributes (CONNECT_ATTRS: length-encoded total, then key/value pairs).
 * The auth data is a scramble, not a password: it goes out as "auth_hash";
 * only the mysql_clear_password plugin sends the password itself. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define MYSQL_CONNECT_WITH_DB 0x00000008u
#define MYSQL_PROTOCOL_41 0x00000200u
#define MYSQL_SSL 0x00000800u
#define MYSQL_SECURE_CONNECTION 0x00008000u
#define MYSQL_PLUGIN_AUTH 0x00080000u
#define MYSQL_CONNECT_ATTRS 0x00100000u
#define MYSQL_AUTH_LENENC 0x00200000u

#define MYSQL_STR_CAP 128
#define MYSQL_HASH_CAP 64 /* auth bytes shown in hex */
#define MYSQL_MAX_ATTRS 16
#define MYSQL_MAX_PACKETS 16

struct mysql_span {
	const uint8_t *p;
	size_t n;
};

static uint32_t mysql_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The packet starting at p[0..len): its body and sequence id; false when
 * fewer than 4 bytes.  A body cut by the end of the capture is shortened. */
static bool mysql_packet(const uint8_t *p, size_t len, struct mysql_span *body, uint8_t *seq,
			 size_t *next)
{
	size_t n;

	if (len < 4)
		return false;
	n = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	*seq = p[3];
	body->p = p + 4;
	body->n = n < len - 4 ? n : len - 4;
	*next = 4 + body->n;
	return true;
}

/* Length-encoded integer at b[*i]; false when it runs past n. */
static bool mysql_lenenc(const uint8_t *b, size_t n, size_t *i, uint64_t *v)
{
	size_t k = *i, w;

	if (k >= n)
		return false;
	w = b[k] < 0xfb ? 0 : b[k] == 0xfc ? 2 : b[k] == 0xfd ? 3 : b[k] == 0xfe ? 8 : 99;
	if (w == 99 || n - k - 1 < w)
		return false;
	*v = w ? 0 : b[k];
	for (size_t s = 0; s < w; s++)
		*v |= (uint64_t)b[k + 1 + s] << (8 * s);
	*i = k + 1 + w;
	return true;
}

/* NUL-terminated string at b[*i] (or up to n). */
static struct mysql_span mysql_cstr(const uint8_t *b, size_t n, size_t *i)
{
	struct mysql_span s = {b + *i, 0};
	const uint8_t *z = *i < n ? memchr(b + *i, 0, n - *i) : NULL;

	s.n = z ? (size_t)(z - (b + *i)) : n - *i;
	*i += s.n + (z ? 1 : 0);
	return s;
}

/* Length-encoded string at b[*i]; false when malformed. */
static bool mysql_lenstr(const uint8_t *b, size_t n, size_t *i, struct mysql_span *s)
{
	uint64_t l;

	if (!mysql_lenenc(b, n, i, &l) || l > n - *i)
		return false;
	*s = (struct mysql_span){b + *i, (size_t)l};
	*i += (size_t)l;
	return true;
}

struct mysql_resp {
	uint32_t caps, max_packet;
	uint8_t charset;
	bool ssl_request;
	struct mysql_span user, auth, db, plugin;
	struct mysql_span attrs[MYSQL_MAX_ATTRS][2];
	unsigned nattrs;
};

static void mysql_attrs(const uint8_t *b, size_t n, size_t i, struct mysql_resp *m)
{
	uint64_t total;
	size_t end;

	if (!mysql_lenenc(b, n, &i, &total))
		return;
	end = total < n - i ? i + (size_t)total : n;
	while (i < end && m->nattrs < MYSQL_MAX_ATTRS) {
		struct mysql_span *kv = m->attrs[m->nattrs];
		if (!mysql_lenstr(b, end, &i, &kv[0]) || !mysql_lenstr(b, end, &i, &kv[1]))
			return;
		m->nattrs++;
	}
}

/* Parses a HandshakeResponse41 body; false when it is not one. */
static bool mysql_response(struct mysql_span body, struct mysql_resp *m)
{
	const uint8_t *b = body.p;
	size_t n = body.n, i = 32;
	uint64_t al;

	memset(m, 0, sizeof(*m));
	if (n < 32)
		return false;
	m->caps = mysql_le32(b);
	m->max_packet = mysql_le32(b + 4);
	m->charset = b[8];
	for (size_t k = 9; k < 32; k++)
		if (b[k])
			return false;
	if (!(m->caps & MYSQL_PROTOCOL_41))
		return false;
	if (n == 32) {
		m->ssl_request = (m->caps & MYSQL_SSL) != 0;
		return m->ssl_request;
	}
	m->user = mysql_cstr(b, n, &i);
	if (m->caps & MYSQL_AUTH_LENENC) {
		if (!mysql_lenenc(b, n, &i, &al))
			return true;
	} else if (m->caps & MYSQL_SECURE_CONNECTION) {
		al = i < n ? b[i++] : 0;
	} else {
		m->auth = mysql_cstr(b, n, &i);
		al = 0;
		goto rest;
	}
	m->auth = (struct mysql_span){b + i, al < n - i ? (size_t)al : n - i};
	i += m->auth.n;
rest:
	if (m->caps & MYSQL_CONNECT_WITH_DB && i < n)
		m->db = mysql_cstr(b, n, &i);
	if (m->caps & MYSQL_PLUGIN_AUTH && i < n)
		m->plugin = mysql_cstr(b, n, &i);
	if (m->caps & MYSQL_CONNECT_ATTRS && i < n)
		mysql_attrs(b, n, i, m);
	return true;
}

static bool mysql_span_is(struct mysql_span s, const char *str)
{
	return s.n == strlen(str) && !memcmp(s.p, str, s.n);
}

/* The server's Initial Handshake v10: version string and auth plugin. */
static bool mysql_greeting(const struct record *r, struct mysql_span *ver,
			   struct mysql_span *plugin)
{
	struct mysql_span b;
	uint8_t seq;
	size_t next, i = 1;

	if (!mysql_packet(r->server_payload, r->server_payload_len, &b, &seq, &next) || seq ||
	    b.n < 2 || b.p[0] != 10)
		return false;
	*ver = mysql_cstr(b.p, b.n, &i);
	*plugin = (struct mysql_span){NULL, 0};
	i += 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10; /* id, scramble 1, filler, caps, cs, status */
	if (i + 13 <= b.n) {
		size_t p2 = b.p[i - 11] > 21 ? (size_t)b.p[i - 11] - 8 : 13;
		i += p2;
		if (i < b.n)
			*plugin = mysql_cstr(b.p, b.n, &i);
	}
	return true;
}

/* The server asked for mysql_clear_password (first plugin or an Auth
 * Switch Request 0xfe): the client's next packet holds the password. */
static bool mysql_clear_switch(const struct record *r)
{
	const uint8_t *p = r->server_payload;
	size_t len = r->server_payload_len, next, i;
	struct mysql_span b;
	uint8_t seq;

	for (unsigned k = 0; k < MYSQL_MAX_PACKETS && mysql_packet(p, len, &b, &seq, &next); k++) {
		i = 1;
		if (k && b.n > 1 && b.p[0] == 0xfe &&
		    mysql_span_is(mysql_cstr(b.p, b.n, &i), "mysql_clear_password"))
			return true;
		p += next;
		len -= next;
	}
	return false;
}

static void mysql_hex(struct json *j, const char *key, struct mysql_span s)
{
	static const char hx[] = "0123456789abcdef";
	char out[2 * MYSQL_HASH_CAP + 1];
	size_t n = s.n < MYSQL_HASH_CAP ? s.n : MYSQL_HASH_CAP;

	for (size_t k = 0; k < n; k++) {
		out[2 * k] = hx[s.p[k] >> 4];
		out[2 * k + 1] = hx[s.p[k] & 15];
	}
	out[2 * n] = 0;
	json_kcstr(j, key, out);
}

static void mysql_kspan(struct json *j, const char *key, struct mysql_span s)
{
	if (s.p)
		json_kstr(j, key, s.p, s.n < MYSQL_STR_CAP ? s.n : MYSQL_STR_CAP);
}

static void mysql_write(struct json *j, const struct mysql_resp *m)
{
	char caps[16];

	snprintf(caps, sizeof(caps), "0x%08x", m->caps);
	json_kcstr(j, "capabilities", caps);
	json_ku64(j, "max_packet", m->max_packet);
	json_ku64(j, "charset", m->charset);
	if (m->ssl_request) {
		json_kbool(j, "ssl_request", true);
		return;
	}
	mysql_kspan(j, "user", m->user);
	mysql_kspan(j, "database", m->db);
	mysql_kspan(j, "auth_plugin", m->plugin);
	if (m->auth.n)
		mysql_hex(j, "auth_hash", m->auth);
	if (!m->nattrs)
		return;
	json_key(j, "attrs");
	json_obj_begin(j);
	for (unsigned k = 0; k < m->nattrs; k++) {
		char key[64];
		size_t kl = m->attrs[k][0].n < sizeof(key) - 1 ? m->attrs[k][0].n : sizeof(key) - 1;
		/* Keys are attacker bytes too; the writer escapes them. */
		memcpy(key, m->attrs[k][0].p, kl);
		key[kl] = 0;
		mysql_kspan(j, key[0] ? key : "_", m->attrs[k][1]);
	}
	json_obj_end(j);
}

/* Credential: the user, and the password only when it went in clear. */
static void mysql_cred(struct record *r, const struct mysql_resp *m, struct mysql_span next_body)
{
	struct mysql_span pass = {(const uint8_t *)"", 0};
	size_t i = 0;

	if (mysql_span_is(m->plugin, "mysql_clear_password"))
		pass = mysql_cstr(m->auth.p, m->auth.n, &i);
	else if (next_body.p && mysql_clear_switch(r))
		pass = mysql_cstr(next_body.p, next_body.n, &i);
	record_add_cred(r, "mysql", m->user.p, m->user.n, pass.p, pass.n);
}

static void mysql_dissect(struct record *r)
{
	struct mysql_span body, next_body = {NULL, 0}, ver, plugin;
	struct mysql_resp m;
	size_t next, n2;
	uint8_t seq;
	struct json j;
	size_t mark;
	bool ok = mysql_packet(r->payload, r->payload_len, &body, &seq, &next) &&
		  mysql_response(body, &m);

	proto_member_begin(&j, r, "mysql", &mark);
	if (mysql_greeting(r, &ver, &plugin)) {
		mysql_kspan(&j, "server_version", ver);
		mysql_kspan(&j, "server_auth_plugin", plugin);
	}
	if (ok) {
		mysql_write(&j, &m);
		if (!m.ssl_request && m.user.n) {
			if (next < r->payload_len)
				mysql_packet(r->payload + next, r->payload_len - next, &next_body,
					     &seq, &n2);
			mysql_cred(r, &m, next_body);
		}
	}
	proto_member_end(&j, r, mark);
}

static int mysql_detect(const struct record *r)
{
	struct mysql_span body, ver, plugin;
	struct mysql_resp m;
	uint8_t seq;
	size_t next;

	if (mysql_packet(r->payload, r->payload_len, &body, &seq, &next) && seq == 1 &&
	    mysql_response(body, &m))
		return 90;
	if (mysql_greeting(r, &ver, &plugin) && ver.n && ver.n < 64 && ver.p[0] >= '0' &&
	    ver.p[0] <= '9')
		return 70;
	return 0;
}

const struct proto_dissector proto_mysql = {
    .name = "mysql",
    .l4 = 6,
    .detect = mysql_detect,
    .dissect = mysql_dissect,
};
