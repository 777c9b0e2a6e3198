/* PostgreSQL frontend/backend protocol 3.0.  The client speaks first with
 * an untyped message (int32 length, int32 code): SSLRequest (80877103),
 * GSSENCRequest (80877104), CancelRequest (80877102) or StartupMessage
 * (protocol 3.0 = 196608, then key NUL value NUL ... NUL).  After it come
 * typed messages (1 byte type, int32 length counting itself); 'p' answers
 * the server's authentication request: a cleartext password, an MD5 hash
 * or a SASL initial response, depending on what the server asked ('R'). */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define PG_CODE_SSL 80877103u
#define PG_CODE_GSSENC 80877104u
#define PG_CODE_CANCEL 80877102u
#define PG_PROTO_30 196608u
#define PG_PROTO_20 131072u

#define PG_MAX_PARAMS 16
#define PG_MAX_QUERIES 8
#define PG_MAX_MSGS 64
#define PG_STR_CAP 200

struct pg_span {
	const uint8_t *p;
	size_t n;
};

static uint32_t pg_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t pg_cap(size_t n)
{
	return n < PG_STR_CAP ? n : PG_STR_CAP;
}

static struct pg_span pg_cstr(const uint8_t *b, size_t n, size_t *i)
{
	struct pg_span s = {b + *i, 0};
	const uint8_t *z = *i < n ? memchr(b + *i, 0, n - *i) : NULL;

	s.n = z ? (size_t)(z - (b + *i)) : n - *i;
	*i += s.n + (z ? 1 : 0);
	return s;
}

enum pg_auth { PG_AUTH_UNKNOWN, PG_AUTH_CLEAR, PG_AUTH_MD5, PG_AUTH_SASL };

struct pg_state {
	const char *requests[4];
	unsigned nreq;
	uint32_t protocol;
	struct pg_span params[PG_MAX_PARAMS][2];
	unsigned nparams;
	struct pg_span user, database, password, md5, sasl_mech, queries[PG_MAX_QUERIES];
	unsigned nqueries;
	bool tls;
};

/* key NUL value NUL ... NUL */
static void pg_startup_params(struct pg_state *st, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && b[i] && st->nparams < PG_MAX_PARAMS) {
		struct pg_span k = pg_cstr(b, n, &i), v = pg_cstr(b, n, &i);
		st->params[st->nparams][0] = k;
		st->params[st->nparams++][1] = v;
		if (k.n == 4 && !memcmp(k.p, "user", 4))
			st->user = v;
		else if (k.n == 8 && !memcmp(k.p, "database", 8))
			st->database = v;
	}
}

/* The untyped messages at the start; returns where typed ones begin, or
 * len when the rest is TLS or unknown. */
static size_t pg_untyped(struct pg_state *st, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i + 8 <= len && st->nreq < 4) {
		uint32_t l = pg_be32(p + i), code = pg_be32(p + i + 4);
		size_t body = l < len - i ? l : len - i;
		if (l < 8 || l > 65536)
			break;
		if (code == PG_CODE_SSL || code == PG_CODE_GSSENC || code == PG_CODE_CANCEL) {
			st->requests[st->nreq++] = code == PG_CODE_SSL	    ? "ssl"
						   : code == PG_CODE_GSSENC ? "gssenc"
									    : "cancel";
		} else if (code == PG_PROTO_30 || code == PG_PROTO_20) {
			st->requests[st->nreq++] = "startup";
			st->protocol = code;
			pg_startup_params(st, p + i + 8, body - 8);
			return i + body;
		} else {
			break;
		}
		i += body;
	}
	/* The server said 'S' and the client went on with a TLS record. */
	if (i + 2 < len && p[i] == 0x16 && p[i + 1] == 0x03)
		st->tls = true;
	return len;
}

/* Which password answer the server asked for: its first 'R' that is not
 * AuthenticationOk. */
static enum pg_auth pg_server_auth(const struct record *r)
{
	const uint8_t *p = r->server_payload;
	size_t len = r->server_payload_len, i = 0;

	if (len && (p[0] == 'N' || p[0] == 'S' || p[0] == 'G') && (len == 1 || p[1] == 'R'))
		i = 1; /* the one-byte answer to SSLRequest/GSSENCRequest */
	for (unsigned k = 0; k < PG_MAX_MSGS && i + 5 <= len; k++) {
		uint32_t l = pg_be32(p + i + 1);
		if (l < 4)
			break;
		if (p[i] == 'R' && l >= 8 && i + 9 <= len) {
			uint32_t code = pg_be32(p + i + 5);
			if (code == 3)
				return PG_AUTH_CLEAR;
			if (code == 5)
				return PG_AUTH_MD5;
			if (code == 10)
				return PG_AUTH_SASL;
		}
		if (l > len - i - 1)
			break;
		i += 1 + l;
	}
	return PG_AUTH_UNKNOWN;
}

static bool pg_is_md5(struct pg_span s)
{
	if (s.n != 35 || memcmp(s.p, "md5", 3))
		return false;
	for (size_t k = 3; k < 35; k++)
		if (!((s.p[k] >= '0' && s.p[k] <= '9') || (s.p[k] >= 'a' && s.p[k] <= 'f')))
			return false;
	return true;
}

/* 'p': what it holds depends on what the server asked; without the
 * server's side, guess from the shape. */
static void pg_password(struct pg_state *st, enum pg_auth auth, const uint8_t *b, size_t n)
{
	size_t i = 0;
	struct pg_span s = pg_cstr(b, n, &i);

	if (auth == PG_AUTH_SASL || (auth == PG_AUTH_UNKNOWN && s.n >= 5 &&
				     (!memcmp(s.p, "SCRAM", 5) || !memcmp(s.p, "GSS", 3))))
		st->sasl_mech = s;
	else if (auth == PG_AUTH_MD5 || (auth == PG_AUTH_UNKNOWN && pg_is_md5(s)))
		st->md5 = s;
	else
		st->password = s;
}

static void pg_typed(struct pg_state *st, enum pg_auth auth, const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (unsigned k = 0; k < PG_MAX_MSGS && i + 5 <= len; k++) {
		uint32_t l = pg_be32(p + i + 1);
		size_t body;
		if (l < 4)
			break;
		body = l - 4 < len - i - 5 ? l - 4 : len - i - 5;
		if (p[i] == 'p' && !st->password.p && !st->md5.p && !st->sasl_mech.p)
			pg_password(st, auth, p + i + 5, body);
		else if (p[i] == 'Q' && st->nqueries < PG_MAX_QUERIES)
			st->queries[st->nqueries++] =
			    (struct pg_span){p + i + 5, body && !p[i + 4 + body] ? body - 1 : body};
		i += 5 + body;
	}
}

static void pg_kspan(struct json *j, const char *key, struct pg_span s)
{
	if (s.p)
		json_kstr(j, key, s.p, pg_cap(s.n));
}

static void pg_write(struct json *j, const struct pg_state *st)
{
	json_key(j, "requests");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->nreq; k++)
		json_val_cstr(j, st->requests[k]);
	json_arr_end(j);
	if (st->protocol)
		json_kcstr(j, "protocol", st->protocol == PG_PROTO_30 ? "3.0" : "2.0");
	pg_kspan(j, "user", st->user);
	pg_kspan(j, "database", st->database);
	for (unsigned k = 0; k < st->nparams; k++)
		if (st->params[k][0].n == 16 && !memcmp(st->params[k][0].p, "application_name", 16))
			pg_kspan(j, "application_name", st->params[k][1]);
	if (st->nparams) {
		json_key(j, "params");
		json_obj_begin(j);
		for (unsigned k = 0; k < st->nparams; k++) {
			char key[64];
			size_t kl = st->params[k][0].n < 63 ? st->params[k][0].n : 63;
			memcpy(key, st->params[k][0].p, kl);
			key[kl] = 0;
			pg_kspan(j, key[0] ? key : "_", st->params[k][1]);
		}
		json_obj_end(j);
	}
	if (st->password.p)
		json_kcstr(j, "auth", "cleartext");
	else if (st->md5.p)
		json_kcstr(j, "auth", "md5");
	else if (st->sasl_mech.p)
		json_kcstr(j, "auth", "sasl");
	pg_kspan(j, "md5_hash", st->md5);
	pg_kspan(j, "sasl_mechanism", st->sasl_mech);
	if (st->nqueries) {
		json_key(j, "queries");
		json_arr_begin(j);
		for (unsigned k = 0; k < st->nqueries; k++)
			json_val_str(j, st->queries[k].p, pg_cap(st->queries[k].n));
		json_arr_end(j);
	}
	if (st->tls)
		json_kbool(j, "tls", true);
}

static void pgsql_dissect(struct record *r)
{
	struct pg_state st;
	size_t i;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	i = pg_untyped(&st, r->payload, r->payload_len);
	if (i < r->payload_len)
		pg_typed(&st, pg_server_auth(r), r->payload + i, r->payload_len - i);
	if (st.user.p)
		record_add_cred(r, "pgsql", st.user.p, st.user.n,
				st.password.p ? st.password.p : (const uint8_t *)"", st.password.n);
	proto_member_begin(&j, r, "pgsql", &mark);
	pg_write(&j, &st);
	proto_member_end(&j, r, mark);
}

static int pgsql_detect(const struct record *r)
{
	const uint8_t *p = r->payload;
	uint32_t l, code;

	if (r->payload_len < 8)
		return 0;
	l = pg_be32(p);
	code = pg_be32(p + 4);
	if ((code == PG_CODE_SSL || code == PG_CODE_GSSENC) && l == 8)
		return 90;
	if (code == PG_CODE_CANCEL && l == 16)
		return 90;
	if ((code == PG_PROTO_30 || code == PG_PROTO_20) && l >= 9 && l <= 10000)
		return 95;
	return 0;
}

const struct proto_dissector proto_pgsql = {
    .name = "pgsql",
    .l4 = 6,
    .detect = pgsql_detect,
    .dissect = pgsql_dissect,
};
