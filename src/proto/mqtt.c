/* MQTT 3.1, 3.1.1 and 5.0.  The client speaks first with CONNECT: fixed
 * header 0x10 and a variable-length "remaining length", then protocol name
 * ("MQTT", or "MQIsdp" for 3.1), level, connect flags, keepalive, (5.0:
 * properties), then client id, will topic and message, user name and
 * password as the flags say.  Later packets (SUBSCRIBE to "#", PUBLISH)
 * are listed with their topics. */
#include <string.h>

#include "proto/proto.h"

#define MQTT_MAX_PACKETS 16
#define MQTT_MAX_TOPICS 8
#define MQTT_STR_CAP 200

struct mqtt_span {
	const uint8_t *p;
	size_t n;
};

struct mqtt_cur {
	const uint8_t *p;
	size_t n, i;
	bool bad;
};

static unsigned mqtt_u8(struct mqtt_cur *c)
{
	if (c->i >= c->n) {
		c->bad = true;
		return 0;
	}
	return c->p[c->i++];
}

static unsigned mqtt_u16(struct mqtt_cur *c)
{
	unsigned v = mqtt_u8(c) << 8;

	return v | mqtt_u8(c);
}

/* Variable byte integer: 7 bits per byte, at most 4 bytes. */
static size_t mqtt_varint(struct mqtt_cur *c)
{
	size_t v = 0;

	for (unsigned s = 0; s < 4; s++) {
		unsigned b = mqtt_u8(c);
		v |= (size_t)(b & 0x7f) << (7 * s);
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

/* A u16-length-prefixed string. */
static struct mqtt_span mqtt_str(struct mqtt_cur *c)
{
	size_t l = mqtt_u16(c);
	struct mqtt_span s = {c->p + c->i, 0};

	if (c->bad || l > c->n - c->i) {
		c->bad = true;
		return s;
	}
	s.n = l;
	c->i += l;
	return s;
}

static void mqtt_skip(struct mqtt_cur *c, size_t n)
{
	if (n > c->n - c->i) {
		c->bad = true;
		c->i = c->n;
	} else {
		c->i += n;
	}
}

struct mqtt_connect {
	struct mqtt_span proto, client_id, will_topic, user, pass;
	unsigned level, flags, keepalive;
};

/* CONNECT body (after the fixed header); false when malformed before the
 * client id. */
static bool mqtt_connect(const uint8_t *p, size_t n, struct mqtt_connect *m)
{
	struct mqtt_cur c = {p, n, 0, false};

	memset(m, 0, sizeof(*m));
	m->proto = mqtt_str(&c);
	m->level = mqtt_u8(&c);
	m->flags = mqtt_u8(&c);
	m->keepalive = mqtt_u16(&c);
	if (m->level == 5)
		mqtt_skip(&c, mqtt_varint(&c)); /* properties */
	m->client_id = mqtt_str(&c);
	if (c.bad)
		return false;
	if (m->flags & 0x04) { /* will */
		if (m->level == 5)
			mqtt_skip(&c, mqtt_varint(&c));
		m->will_topic = mqtt_str(&c);
		mqtt_str(&c);
	}
	if (m->flags & 0x80 && !c.bad)
		m->user = mqtt_str(&c);
	if (m->flags & 0x40 && !c.bad)
		m->pass = mqtt_str(&c);
	return true;
}

/* The fixed header at c: type nibble and body length; false if cut. */
static bool mqtt_fixed(struct mqtt_cur *c, unsigned *type, size_t *len)
{
	*type = mqtt_u8(c);
	*len = mqtt_varint(c);
	return !c->bad;
}

struct mqtt_state {
	struct mqtt_connect conn;
	bool have_conn;
	uint8_t packets[MQTT_MAX_PACKETS];
	unsigned npackets;
	struct mqtt_span sub[MQTT_MAX_TOPICS], pub[MQTT_MAX_TOPICS];
	unsigned nsub, npub;
};

/* SUBSCRIBE: packet id, (5.0: properties), then filter + options pairs. */
static void mqtt_subscribe(struct mqtt_state *st, const uint8_t *b, size_t n)
{
	struct mqtt_cur c = {b, n, 2, false};

	if (st->conn.level == 5)
		mqtt_skip(&c, mqtt_varint(&c));
	while (!c.bad && c.i < c.n && st->nsub < MQTT_MAX_TOPICS) {
		struct mqtt_span t = mqtt_str(&c);
		mqtt_u8(&c);
		if (!c.bad || t.n)
			st->sub[st->nsub++] = t;
	}
}

static void mqtt_walk(struct mqtt_state *st, const uint8_t *p, size_t len)
{
	struct mqtt_cur c = {p, len, 0, false};

	for (unsigned k = 0; k < 64 && c.i < c.n && st->npackets < MQTT_MAX_PACKETS; k++) {
		unsigned type;
		size_t bl, start;
		if (!mqtt_fixed(&c, &type, &bl))
			break;
		start = c.i;
		bl = bl < c.n - start ? bl : c.n - start;
		st->packets[st->npackets++] = (uint8_t)(type >> 4);
		if (type == 0x10 && !st->have_conn)
			st->have_conn = mqtt_connect(p + start, bl, &st->conn);
		else if ((type & 0xf0) == 0x30 && st->npub < MQTT_MAX_TOPICS) {
			struct mqtt_cur t = {p + start, bl, 0, false};
			struct mqtt_span s = mqtt_str(&t);
			if (!t.bad)
				st->pub[st->npub++] = s;
		} else if (type == 0x82) {
			mqtt_subscribe(st, p + start, bl);
		}
		c.i = start + bl;
	}
}

static const char *mqtt_type_name(unsigned t)
{
	static const char *const names[16] = {"reserved",  "connect",  "connack",     "publish",
					      "puback",	   "pubrec",   "pubrel",      "pubcomp",
					      "subscribe", "suback",   "unsubscribe", "unsuback",
					      "pingreq",   "pingresp", "disconnect",  "auth"};

	return names[t & 15];
}

static void mqtt_kspan(struct json *j, const char *key, struct mqtt_span s)
{
	if (s.p)
		json_kstr(j, key, s.p, s.n < MQTT_STR_CAP ? s.n : MQTT_STR_CAP);
}

static void mqtt_topics(struct json *j, const char *key, const struct mqtt_span *t, unsigned n)
{
	if (!n)
		return;
	json_key(j, key);
	json_arr_begin(j);
	for (unsigned k = 0; k < n; k++)
		json_val_str(j, t[k].p, t[k].n < MQTT_STR_CAP ? t[k].n : MQTT_STR_CAP);
	json_arr_end(j);
}

static void mqtt_write(struct json *j, const struct mqtt_state *st)
{
	const struct mqtt_connect *m = &st->conn;

	if (st->have_conn) {
		mqtt_kspan(j, "protocol", m->proto);
		json_ku64(j, "level", m->level);
		mqtt_kspan(j, "client_id", m->client_id);
		json_ku64(j, "keepalive", m->keepalive);
		json_kbool(j, "clean_session", (m->flags & 0x02) != 0);
		mqtt_kspan(j, "will_topic", m->will_topic);
		mqtt_kspan(j, "username", m->user);
		json_kbool(j, "password_set", (m->flags & 0x40) != 0);
	}
	json_key(j, "packets");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->npackets; k++)
		json_val_cstr(j, mqtt_type_name(st->packets[k]));
	json_arr_end(j);
	mqtt_topics(j, "subscribe", st->sub, st->nsub);
	mqtt_topics(j, "publish", st->pub, st->npub);
}

static void mqtt_dissect(struct record *r)
{
	struct mqtt_state st;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	mqtt_walk(&st, r->payload, r->payload_len);
	if (st.have_conn && (st.conn.flags & 0xc0))
		record_add_cred(r, "mqtt", st.conn.user.p, st.conn.user.n, st.conn.pass.p,
				st.conn.pass.n);
	proto_member_begin(&j, r, "mqtt", &mark);
	mqtt_write(&j, &st);
	proto_member_end(&j, r, mark);
}

static int mqtt_detect(const struct record *r)
{
	struct mqtt_cur c = {r->payload, r->payload_len, 0, false};
	unsigned type;
	size_t bl;
	struct mqtt_span name;

	if (r->payload_len < 8 || r->payload[0] != 0x10 || !mqtt_fixed(&c, &type, &bl))
		return 0;
	name = mqtt_str(&c);
	if (c.bad)
		return 0;
	if ((name.n == 4 && !memcmp(name.p, "MQTT", 4)) ||
	    (name.n == 6 && !memcmp(name.p, "MQIsdp", 6)))
		return 95;
	return 0;
}

const struct proto_dissector proto_mqtt = {
    .name = "mqtt",
    .l4 = 6,
    .detect = mqtt_detect,
    .dissect = mqtt_dissect,
};
