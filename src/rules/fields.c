/* What a field name in a rule reads from a record.
 *
 * - payload, server: the client's / server's reassembled bytes (first
 *   RULES_SCAN_MAX bytes).
 * - service, proto, dst_port, src_port, scanner, os_guess: the record's own
 *   fields, as text ("80"); creds.user, creds.pass, creds.proto: one value
 *   per credential the dissectors found.
 * - http.method, http.uri, http.path, http.query, http.version, http.headers,
 *   http.header.NAME, http.user_agent, http.host, http.body: read by this
 *   file from the client bytes themselves (every request of the flow, up to
 *   RULES_HTTP_MAX_REQS), not from the HTTP dissector's JSON.  They are the
 *   exact bytes sent (not URL-decoded), so they are always there, whichever
 *   port the request came to and whatever the dissector names its fields,
 *   and their literals can serve as the prefilter.
 * - any other dotted name (ssh.client, tls.sni, redis.command, creds.user
 *   ...): a path into the dissectors' JSON members in r->extra, read back by
 *   a small bounded JSON reader; strings are unescaped, numbers and booleans
 *   are their text, arrays give one value per item, and arrays of objects are
 *   searched item by item.
 *
 * A field has up to RULES_MAX_VALUES values; a condition holds when one of
 * them satisfies it. */
#include "rules/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rules_fname {
	const char *name;
	enum rules_fkind kind;
	const char *arg;
};

static const struct rules_fname rules_fnames[] = {
    {"payload", RF_PAYLOAD, NULL},
    {"client", RF_PAYLOAD, NULL},
    {"server", RF_SERVER, NULL},
    {"server_payload", RF_SERVER, NULL},
    {"service", RF_SERVICE, NULL},
    {"proto", RF_PROTO, NULL},
    {"dst_port", RF_DST_PORT, NULL},
    {"src_port", RF_SRC_PORT, NULL},
    {"scanner", RF_SCANNER, NULL},
    {"os_guess", RF_OS_GUESS, NULL},
    {"creds.user", RF_CRED_USER, NULL},
    {"creds.pass", RF_CRED_PASS, NULL},
    {"creds.proto", RF_CRED_PROTO, NULL},
    {"http.method", RF_HTTP_METHOD, NULL},
    {"http.uri", RF_HTTP_URI, NULL},
    {"http.path", RF_HTTP_PATH, NULL},
    {"http.query", RF_HTTP_QUERY, NULL},
    {"http.version", RF_HTTP_VERSION, NULL},
    {"http.headers", RF_HTTP_HEADERS, NULL},
    {"http.body", RF_HTTP_BODY, NULL},
    {"http.user_agent", RF_HTTP_HEADER, "user-agent"},
    {"http.host", RF_HTTP_HEADER, "host"},
};

/* [A-Za-z0-9_-] parts joined by single dots. */
static bool rules_valid_path(const char *s, size_t n)
{
	bool prev_dot = true;

	for (size_t i = 0; i < n; i++) {
		bool dot = s[i] == '.';

		if (dot ? prev_dot : !(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
		prev_dot = dot;
	}
	return n && !prev_dot;
}

static int rules_field_kind(struct rules_field *f, const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(rules_fnames) / sizeof(rules_fnames[0]); i++) {
		if (strlen(rules_fnames[i].name) != len || memcmp(rules_fnames[i].name, name, len))
			continue;
		f->kind = rules_fnames[i].kind;
		if (rules_fnames[i].arg && !(f->arg = strdup(rules_fnames[i].arg)))
			return -ENOMEM;
		return 0;
	}
	if (len > 200 || !memchr(name, '.', len) || !rules_valid_path(name, len))
		return -EINVAL;
	if (len > 12 && !memcmp(name, "http.header.", 12)) {
		f->kind = RF_HTTP_HEADER;
		f->arg = strndup(name + 12, len - 12);
		for (char *p = f->arg; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else {
		f->kind = RF_JSON;
		f->arg = strndup(name, len);
	}
	return f->arg ? 0 : -ENOMEM;
}

int rules_field_get(struct rules *rs, const char *name, size_t len)
{
	struct rules_field f = {0};
	int ret;

	for (size_t i = 0; i < rs->nfields; i++)
		if (strlen(rs->fields[i].name) == len && !memcmp(rs->fields[i].name, name, len))
			return (int)i;
	if (rs->nfields >= 4096)
		return -EINVAL;
	ret = rules_field_kind(&f, name, len);
	if (ret)
		return ret;
	f.raw = f.kind == RF_PAYLOAD || f.kind == RF_SERVER ||
		(f.kind >= RF_HTTP_METHOD && f.kind <= RF_HTTP_BODY);
	f.side = f.kind == RF_SERVER;
	f.name = strndup(name, len);
	if (f.name && rs->nfields == rs->fcap) {
		size_t ncap = rs->fcap ? rs->fcap * 2 : 16;
		struct rules_field *nv = realloc(rs->fields, ncap * sizeof(*nv));

		if (nv) {
			rs->fields = nv;
			rs->fcap = ncap;
		}
	}
	if (!f.name || rs->nfields == rs->fcap) {
		free(f.name);
		free(f.arg);
		return -ENOMEM;
	}
	rs->fields[rs->nfields] = f;
	return (int)rs->nfields++;
}

/* ---- HTTP requests, read from the client bytes ---- */

/* The requests of the client's bytes, split by proto/http_parse.c (the
 * parser the HTTP dissector uses).  A POST or PUT that gives neither a
 * Content-Length nor chunks has the rest of the bytes as its body: that is
 * where webshell and exploit payloads sit when a scanner skips the header. */
static size_t rules_http_parse(const uint8_t *p, size_t n, struct http_req *reqs, size_t max)
{
	size_t nq = http_parse_requests(p, n, reqs, max, NULL, NULL, NULL);
	struct http_req *q = nq ? &reqs[nq - 1] : NULL;

	if (q && q->complete && !q->has_cl && !q->chunked &&
	    (http_name_is(q->method, "POST") || http_name_is(q->method, "PUT")))
		q->body.n = (size_t)(p + n - q->body.p);
	return nq;
}

/* ---- JSON members in r->extra ---- */

struct jr {
	const uint8_t *p;
	size_t n, i;
	int depth;
	struct rules_fcache *fc;
};

static void jr_ws(struct jr *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' ||
			       j->p[j->i] == '\r'))
		j->i++;
}

static bool jr_eat(struct jr *j, uint8_t c)
{
	jr_ws(j);
	if (j->i < j->n && j->p[j->i] == c) {
		j->i++;
		return true;
	}
	return false;
}

/* A string: its raw span between the quotes. */
static int jr_string(struct jr *j, struct rules_val *raw)
{
	size_t start;

	if (!jr_eat(j, '"'))
		return -EINVAL;
	start = j->i;
	while (j->i < j->n && j->p[j->i] != '"')
		j->i += j->p[j->i] == '\\' ? 2 : 1;
	if (j->i >= j->n)
		return -EINVAL;
	*raw = (struct rules_val){j->p + start, j->i - start};
	j->i++;
	return 0;
}

static int jr_hex4(const uint8_t *p, size_t n, size_t i, unsigned *v)
{
	*v = 0;
	if (i + 4 > n)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		int c = p[i + k], d = c >= '0' && c <= '9' ? c - '0'
				      : (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
					  ? (c | 0x20) - 'a' + 10
					  : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

static size_t jr_utf8(unsigned cp, uint8_t *o)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6), o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | cp >> 12), o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | cp >> 18), o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), o[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at s[*i] (after the backslash and u), with a following low
 * surrogate if any; a lone surrogate becomes U+FFFD.  Output never exceeds
 * the input it consumed (6 bytes in, <= 3 out; 12 in, 4 out). */
static size_t jr_unicode(const uint8_t *s, size_t n, size_t *i, uint8_t *o)
{
	unsigned cp, lo;

	if (jr_hex4(s, n, *i, &cp)) {
		o[0] = '?';
		return 1;
	}
	*i += 4;
	if (cp >= 0xd800 && cp < 0xdc00 && *i + 6 <= n && s[*i] == '\\' && s[*i + 1] == 'u' &&
	    !jr_hex4(s, n, *i + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
		*i += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xd800 && cp < 0xe000) {
		cp = 0xfffd;
	}
	return jr_utf8(cp, o);
}

/* Unescapes raw into the field's store (reserved to the whole JSON's size
 * beforehand, so it never moves) and adds it as a value. */
static void jr_add_string(struct jr *j, const struct rules_val *raw)
{
	struct rules_fcache *fc = j->fc;
	uint8_t *o = fc->store.p + fc->store.len;
	size_t k = 0;

	if (fc->n >= RULES_MAX_VALUES)
		return;
	for (size_t i = 0; i < raw->len; i++) {
		uint8_t c = raw->p[i];

		if (c != '\\' || i + 1 >= raw->len) {
			o[k++] = c;
			continue;
		}
		c = raw->p[++i];
		switch (c) {
		case 'b':
			o[k++] = '\b';
			break;
		case 'f':
			o[k++] = '\f';
			break;
		case 'n':
			o[k++] = '\n';
			break;
		case 'r':
			o[k++] = '\r';
			break;
		case 't':
			o[k++] = '\t';
			break;
		case 'u':
			i++, k += jr_unicode(raw->p, raw->len, &i, o + k), i--;
			break;
		default:
			o[k++] = c;
			break;
		}
	}
	fc->v[fc->n++] = (struct rules_val){o, k};
	fc->store.len += k;
}

static int jr_skip(struct jr *j);

static int jr_skip_container(struct jr *j, uint8_t close, bool object)
{
	struct rules_val raw;

	if (++j->depth > RULES_JSON_MAX_DEPTH)
		return -EINVAL;
	if (jr_eat(j, close)) {
		j->depth--;
		return 0;
	}
	do {
		if (object && (jr_string(j, &raw) || !jr_eat(j, ':')))
			return -EINVAL;
		if (jr_skip(j))
			return -EINVAL;
	} while (jr_eat(j, ','));
	if (!jr_eat(j, close))
		return -EINVAL;
	j->depth--;
	return 0;
}

/* Skips one value of any kind. */
static int jr_skip(struct jr *j)
{
	struct rules_val raw;

	jr_ws(j);
	if (j->i >= j->n)
		return -EINVAL;
	switch (j->p[j->i]) {
	case '"':
		return jr_string(j, &raw);
	case '{':
		j->i++;
		return jr_skip_container(j, '}', true);
	case '[':
		j->i++;
		return jr_skip_container(j, ']', false);
	default:
		while (j->i < j->n && (isalnum(j->p[j->i]) || j->p[j->i] == '-' ||
				       j->p[j->i] == '+' || j->p[j->i] == '.'))
			j->i++;
		return 0;
	}
}

static int jr_members(struct jr *j, const char *path, bool top);

/* The value at the end of the path: add it (arrays item by item). */
static int jr_collect(struct jr *j, bool in_array)
{
	struct rules_val raw;
	size_t start;

	jr_ws(j);
	if (j->i >= j->n)
		return -EINVAL;
	if (j->p[j->i] == '"') {
		if (jr_string(j, &raw))
			return -EINVAL;
		jr_add_string(j, &raw);
		return 0;
	}
	if (j->p[j->i] == '[' && !in_array) {
		j->i++;
		if (++j->depth > RULES_JSON_MAX_DEPTH)
			return -EINVAL;
		if (jr_eat(j, ']'))
			return j->depth--, 0;
		do {
			if (jr_collect(j, true))
				return -EINVAL;
		} while (jr_eat(j, ','));
		j->depth--;
		return jr_eat(j, ']') ? 0 : -EINVAL;
	}
	start = j->i;
	if (jr_skip(j))
		return -EINVAL;
	if (j->fc->n < RULES_MAX_VALUES && !(j->i - start == 4 && !memcmp(j->p + start, "null", 4)))
		j->fc->v[j->fc->n++] = (struct rules_val){j->p + start, j->i - start};
	return 0;
}

/* A value on the way down the path: objects are searched, arrays item by
 * item, anything else skipped. */
static int jr_descend(struct jr *j, const char *rest)
{
	jr_ws(j);
	if (j->i >= j->n)
		return -EINVAL;
	if (j->p[j->i] == '{') {
		j->i++;
		return jr_members(j, rest, false);
	}
	if (j->p[j->i] != '[')
		return jr_skip(j);
	j->i++;
	if (++j->depth > RULES_JSON_MAX_DEPTH)
		return -EINVAL;
	if (jr_eat(j, ']'))
		return j->depth--, 0;
	do {
		if (jr_descend(j, rest))
			return -EINVAL;
	} while (jr_eat(j, ','));
	j->depth--;
	return jr_eat(j, ']') ? 0 : -EINVAL;
}

/* Members of an object up to its '}' (or, at the top, to the end of the
 * text); path is the rest of the dotted path from this level. */
static int jr_members(struct jr *j, const char *path, bool top)
{
	const char *dot = strchr(path, '.');
	size_t seg = dot ? (size_t)(dot - path) : strlen(path);
	struct rules_val key;
	int ret;

	if (++j->depth > RULES_JSON_MAX_DEPTH)
		return -EINVAL;
	if (!top && jr_eat(j, '}'))
		return j->depth--, 0;
	do {
		jr_ws(j);
		if (top && j->i >= j->n)
			break;
		if (jr_string(j, &key) || !jr_eat(j, ':'))
			return -EINVAL;
		if (key.len != seg || memcmp(key.p, path, seg))
			ret = jr_skip(j);
		else
			ret = dot ? jr_descend(j, dot + 1) : jr_collect(j, false);
		if (ret)
			return ret;
	} while (jr_eat(j, ','));
	j->depth--;
	jr_ws(j);
	if (top)
		return j->i >= j->n ? 0 : -EINVAL;
	return jr_eat(j, '}') ? 0 : -EINVAL;
}

int rules_json_lookup(const uint8_t *json, size_t len, const char *path, struct rules_fcache *fc)
{
	struct jr j = {.p = json, .n = len, .fc = fc};
	int ret;

	fc->n = 0;
	buf_reset(&fc->store);
	if (!len)
		return 0;
	if (buf_reserve(&fc->store, len))
		return -ENOMEM;
	jr_ws(&j);
	if (j.i < j.n && j.p[j.i] == ',')
		j.i++;
	ret = jr_members(&j, path, true);
	if (ret)
		fc->n = 0; /* malformed: no values rather than a guess */
	return ret;
}

/* ---- values of a field for one record ---- */

static void fc_add(struct rules_fcache *fc, const void *p, size_t n)
{
	if (fc->n < RULES_MAX_VALUES)
		fc->v[fc->n++] = (struct rules_val){p, n};
}

static void fc_text(struct rules_fcache *fc, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n)
		fc_add(fc, s, n);
}

static void fc_bytes(struct rules_fcache *fc, const uint8_t *p, size_t n)
{
	if (n)
		fc_add(fc, p, n < RULES_SCAN_MAX ? n : RULES_SCAN_MAX);
}

static void fc_http(const struct rules_field *f, struct rules_scratch *sc, struct rules_fcache *fc)
{
	for (size_t i = 0; i < sc->nhttp; i++) {
		const struct http_req *q = &sc->http[i];
		const uint8_t *qm;

		switch (f->kind) {
		case RF_HTTP_METHOD:
			fc_add(fc, q->method.p, q->method.n);
			break;
		case RF_HTTP_URI:
			fc_add(fc, q->uri.p, q->uri.n);
			break;
		case RF_HTTP_VERSION:
			fc_add(fc, q->version.p, q->version.n);
			break;
		case RF_HTTP_HEADERS:
			fc_add(fc, q->hdrs.p, q->hdrs.n);
			break;
		case RF_HTTP_BODY:
			fc_add(fc, q->body.p, q->body.n);
			break;
		case RF_HTTP_PATH:
		case RF_HTTP_QUERY:
			qm = memchr(q->uri.p, '?', q->uri.n);
			if (f->kind == RF_HTTP_PATH)
				fc_add(fc, q->uri.p, qm ? (size_t)(qm - q->uri.p) : q->uri.n);
			else if (qm)
				fc_add(fc, qm + 1, q->uri.n - (size_t)(qm - q->uri.p) - 1);
			break;
		default:
			for (size_t h = 0; h < q->nheaders && h < HTTP_PARSE_MAX_HDRS; h++)
				if (http_name_is(q->name[h], f->arg))
					fc_add(fc, q->value[h].p, q->value[h].n);
			break;
		}
	}
}

const struct rules_fcache *rules_field_values(const struct rules *rs, struct rules_scratch *sc,
					      unsigned fi, const struct record *r)
{
	const struct rules_field *f = &rs->fields[fi];
	struct rules_fcache *fc = &sc->fc[fi];

	if (fc->done)
		return fc;
	fc->done = true;
	fc->n = 0;
	switch (f->kind) {
	case RF_PAYLOAD:
		fc_bytes(fc, r->payload, r->payload_len);
		break;
	case RF_SERVER:
		fc_bytes(fc, r->server_payload, r->server_payload_len);
		break;
	case RF_SERVICE:
		fc_text(fc, r->service, sizeof(r->service));
		break;
	case RF_SCANNER:
		fc_text(fc, r->scanner, sizeof(r->scanner));
		break;
	case RF_OS_GUESS:
		fc_text(fc, r->os_guess, sizeof(r->os_guess));
		break;
	case RF_PROTO:
		fc_text(fc, record_proto_name(r->proto), 16);
		break;
	case RF_DST_PORT:
	case RF_SRC_PORT:
		snprintf(fc->num, sizeof(fc->num), "%u",
			 (unsigned)(f->kind == RF_DST_PORT ? r->dport : r->sport));
		fc_text(fc, fc->num, sizeof(fc->num));
		break;
	case RF_CRED_USER:
	case RF_CRED_PASS:
	case RF_CRED_PROTO:
		for (unsigned i = 0; i < r->ncreds && i < RECORD_MAX_CREDS; i++) {
			const struct record_cred *c = &r->creds[i];

			if (f->kind == RF_CRED_USER)
				fc_text(fc, c->user, sizeof(c->user));
			else if (f->kind == RF_CRED_PASS)
				fc_text(fc, c->pass, sizeof(c->pass));
			else
				fc_text(fc, c->proto, sizeof(c->proto));
		}
		break;
	case RF_JSON:
		rules_json_lookup(r->extra.p, r->extra.len, f->arg, fc);
		break;
	default:
		if (!sc->http_done) {
			size_t n =
			    r->payload_len < RULES_SCAN_MAX ? r->payload_len : RULES_SCAN_MAX;

			sc->nhttp = r->payload ? rules_http_parse(r->payload, n, sc->http,
								  RULES_HTTP_MAX_REQS)
					       : 0;
			sc->http_done = true;
		}
		fc_http(f, sc, fc);
		break;
	}
	return fc;
}
