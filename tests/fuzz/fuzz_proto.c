/* libFuzzer harness for every dissector in proto_table: arbitrary bytes
 * as the client's payload (and the rest as the server's) of a TCP or UDP
 * record on one of several ports, through proto_dissect and record_to_json.
 *
 * Input: byte 0 = transport (bit 0: UDP) and port (bits 1-4); byte 1 =
 * where the first UDP datagram ends (as a fraction of the client bytes);
 * bytes 2-3 = client length (big-endian, capped); then the client bytes,
 * then the server bytes.
 *
 * Checks: no crash or sanitizer report; the payloads are left as they
 * were; r->extra is empty or ",\"member\":<valid JSON>" members; the whole
 * record renders as one valid JSON object.
 *
 * FUZZ_PROTO_ONLY=http,tls,ssh (environment) runs only the named
 * dissectors, each one whose detect() says yes, instead of the best one:
 * for fuzzing one's own dissectors past a known bug in another. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "proto/proto.h"

static const uint16_t fz_ports[16] = {80,   443,  22,   2222, 8080, 53,   123,  161,
				      1900, 5060, 3389, 445,  6379, 1883, 37215, 0};

/* A small strict JSON syntax check (RFC 8259), depth-bounded. */
struct fz_json {
	const uint8_t *p;
	size_t n, i;
	int depth;
};

static bool fz_value(struct fz_json *j);

static void fz_ws(struct fz_json *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\n' || j->p[j->i] == '\r' ||
			       j->p[j->i] == '\t'))
		j->i++;
}

static bool fz_lit(struct fz_json *j, const char *s)
{
	size_t l = strlen(s);

	if (j->n - j->i < l || memcmp(j->p + j->i, s, l))
		return false;
	j->i += l;
	return true;
}

static bool fz_string(struct fz_json *j)
{
	if (j->i >= j->n || j->p[j->i] != '"')
		return false;
	for (j->i++; j->i < j->n; j->i++) {
		uint8_t c = j->p[j->i];
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++j->i >= j->n)
				return false;
			c = j->p[j->i];
			if (c == 'u') {
				for (int k = 0; k < 4; k++)
					if (++j->i >= j->n || !strchr("0123456789abcdefABCDEF", j->p[j->i]) ||
					    !j->p[j->i])
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return false;
			}
		}
	}
	return false;
}

static bool fz_number(struct fz_json *j)
{
	size_t s = j->i;

	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	while (j->i < j->n && ((j->p[j->i] >= '0' && j->p[j->i] <= '9') || j->p[j->i] == '.' ||
			       j->p[j->i] == 'e' || j->p[j->i] == 'E' || j->p[j->i] == '+' ||
			       j->p[j->i] == '-'))
		j->i++;
	return j->i > s;
}

static bool fz_container(struct fz_json *j, uint8_t close, bool obj)
{
	if (++j->depth > 128)
		return false;
	j->i++;
	fz_ws(j);
	if (j->i < j->n && j->p[j->i] == close) {
		j->i++, j->depth--;
		return true;
	}
	for (;;) {
		if (obj) {
			fz_ws(j);
			if (!fz_string(j))
				return false;
			fz_ws(j);
			if (j->i >= j->n || j->p[j->i++] != ':')
				return false;
		}
		if (!fz_value(j))
			return false;
		fz_ws(j);
		if (j->i >= j->n)
			return false;
		if (j->p[j->i] == close) {
			j->i++, j->depth--;
			return true;
		}
		if (j->p[j->i++] != ',')
			return false;
	}
}

static bool fz_value(struct fz_json *j)
{
	fz_ws(j);
	if (j->i >= j->n)
		return false;
	switch (j->p[j->i]) {
	case '{': return fz_container(j, '}', true);
	case '[': return fz_container(j, ']', false);
	case '"': return fz_string(j);
	case 't': return fz_lit(j, "true");
	case 'f': return fz_lit(j, "false");
	case 'n': return fz_lit(j, "null");
	default: return fz_number(j);
	}
}

static bool fz_valid(const uint8_t *p, size_t n)
{
	struct fz_json j = {p, n, 0, 0};

	if (!fz_value(&j))
		return false;
	fz_ws(&j);
	return j.i == j.n;
}

/* r->extra as `{"_":0` + extra + `}` must be one valid object. */
static bool fz_extra_ok(const struct record *r)
{
	struct buf b = {0};
	bool ok;

	if (!r->extra.len)
		return true;
	if (r->extra.p[0] != ',')
		return false;
	buf_puts(&b, "{\"_\":0");
	buf_append(&b, r->extra.p, r->extra.len);
	buf_putc(&b, '}');
	ok = fz_valid(b.p, b.len);
	buf_free(&b);
	return ok;
}

static const char *fz_only;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_only = getenv("FUZZ_PROTO_ONLY");
	return 0;
}

static bool fz_selected(const char *name)
{
	char pat[40], list[512];

	snprintf(pat, sizeof(pat), ",%s,", name);
	snprintf(list, sizeof(list), ",%s,", fz_only);
	return strstr(list, pat) != NULL;
}

/* Runs the chosen dissectors (or the table's pick) on r. */
static void fz_dissect(struct record *r)
{
	if (!fz_only) {
		proto_dissect(r);
		return;
	}
	for (size_t i = 0; proto_table[i]; i++) {
		const struct proto_dissector *d = proto_table[i];
		if (fz_selected(d->name) && (!d->l4 || d->l4 == r->proto) && d->detect(r) > 0)
			d->dissect(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r;
	struct buf out = {0};
	size_t clen, slen;

	if (size < 4)
		return 0;
	clen = (size_t)data[2] << 8 | data[3];
	if (clen > size - 4)
		clen = size - 4;
	slen = size - 4 - clen;
	record_init(&r);
	r.proto = data[0] & 1 ? 17 : 6;
	r.sport = 40000;
	r.dport = fz_ports[(data[0] >> 1) & 15];
	/* Exact-size copies, so that ASan sees any read past the end. */
	r.payload = malloc(clen ? clen : 1);
	r.server_payload = malloc(slen ? slen : 1);
	if (!r.payload || !r.server_payload)
		abort();
	memcpy(r.payload, data + 4, clen);
	memcpy(r.server_payload, data + 4 + clen, slen);
	r.payload_len = clen;
	r.server_payload_len = slen;
	if (r.proto == 17)
		r.first_msg_len = data[1] ? clen * data[1] / 255 : clen;
	fz_dissect(&r);
	if (memcmp(r.payload, data + 4, clen) || memcmp(r.server_payload, data + 4 + clen, slen))
		abort(); /* a dissector wrote into the payload */
	if (!fz_extra_ok(&r))
		abort();
	if (record_to_json(&r, &out) || !fz_valid(out.p, out.len))
		abort();
	buf_free(&out);
	record_free(&r);
	return 0;
}
