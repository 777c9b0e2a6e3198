/* SNMP v1/v2c (RFC 1157, RFC 3416) and v3 (RFC 3412/3414) in the client's
 * first datagram: version, community (or v3 user), PDU type, request id,
 * the first OIDs.  A small hand-written BER reader: SNMP needs only
 * definite lengths and a handful of universal tags, and the Debian BER
 * libraries (libtasn1, net-snmp's asn1.c) either want a compiled ASN.1
 * schema or bring the whole agent library.
 *
 * Credentials: a v1/v2c community is recorded as {proto "snmp", user "",
 * pass community}; a v3 user name as {proto "snmp", user name, pass ""}.
 * Tags:
 *   amplification-probe  a GetBulkRequest (one small request, a response
 *                        as large as max-repetitions allows).
 *
 * "snmp": {"version" (0, 1, 3),"version_name" ("v1","v2c","v3"),
 *   "community" | "msg_flags","security_model","engine_id" (hex),"user",
 *   "encrypted", then "pdu" ("get","getnext","response","set","trap",
 *   "getbulk","inform","trap2","report"),"request_id","error_status",
 *   "error_index" | "non_repeaters","max_repetitions","varbinds","oids"} */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define SNMP_OID_TXT 256
#define SNMP_MAX_OIDS 8
#define SNMP_MAX_VARBINDS 1024
#define SNMP_STR_CAP 128

/* One TLV: tag, and the value at p[off .. off + len). */
struct ber {
	uint8_t tag;
	size_t off, len;
};

/* Reads the TLV at *pos inside p[0..end); moves *pos past it. */
static bool ber_next(const uint8_t *p, size_t end, size_t *pos, struct ber *t)
{
	size_t i = *pos, n;

	if (i + 2 > end || (p[i] & 0x1f) == 0x1f) /* multi-byte tags: not SNMP */
		return false;
	t->tag = p[i++];
	n = p[i++];
	if (n & 0x80) {
		unsigned k = n & 0x7f;
		if (k == 0 || k > 4 || i + k > end) /* indefinite or absurd */
			return false;
		for (n = 0; k--; i++)
			n = n << 8 | p[i];
	}
	if (n > end - i)
		return false;
	t->off = i;
	t->len = n;
	*pos = i + n;
	return true;
}

static bool ber_expect(const uint8_t *p, size_t end, size_t *pos, uint8_t tag, struct ber *t)
{
	return ber_next(p, end, pos, t) && t->tag == tag;
}

static bool ber_int(const uint8_t *p, const struct ber *t, int64_t *v)
{
	uint64_t u;

	if (t->tag != 0x02 || t->len < 1 || t->len > 8)
		return false;
	u = p[t->off] & 0x80 ? UINT64_MAX : 0;
	for (size_t i = 0; i < t->len; i++)
		u = u << 8 | p[t->off + i];
	*v = (int64_t)u;
	return true;
}

/* Dotted text of an OID's contents; arcs over 2^32 end the text with "..". */
static void ber_oid(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	bool first = true;

	out[0] = 0;
	while (i < len && o + 24 < cap) {
		uint64_t v = 0;
		unsigned k = 0;
		do
			v = v << 7 | (p[i] & 0x7f);
		while ((p[i++] & 0x80) && i < len && ++k < 5);
		if (k >= 5 || v > UINT32_MAX) {
			snprintf(out + o, cap - o, "..");
			return;
		}
		if (first) {
			unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
			o += (size_t)snprintf(out + o, cap - o, "%u.%llu", a,
					      (unsigned long long)(v - 40 * a));
			first = false;
		} else {
			o += (size_t)snprintf(out + o, cap - o, ".%llu", (unsigned long long)v);
		}
	}
}

struct snmp_msg {
	int64_t version;
	struct ber community;	      /* v1/v2c */
	int64_t msg_flags, sec_model; /* v3 */
	struct ber engine_id, user;
	bool v3, encrypted, have_pdu, exact;
	uint8_t pdu;
	int64_t req_id, e1, e2; /* error-status/index or non-rep./max-rep. */
	unsigned nvarbinds, noids;
	char oids[SNMP_MAX_OIDS][SNMP_OID_TXT];
};

/* The varbind list: counts them and keeps the first OIDs. */
static void snmp_varbinds(const uint8_t *p, const struct ber *list, struct snmp_msg *m)
{
	size_t pos = list->off, end = list->off + list->len;
	struct ber vb, oid;

	while (pos < end && m->nvarbinds < SNMP_MAX_VARBINDS) {
		size_t in;
		if (!ber_expect(p, end, &pos, 0x30, &vb))
			return;
		m->nvarbinds++;
		in = vb.off;
		if (m->noids < SNMP_MAX_OIDS && ber_expect(p, vb.off + vb.len, &in, 0x06, &oid))
			ber_oid(p + oid.off, oid.len, m->oids[m->noids++], SNMP_OID_TXT);
	}
}

/* A PDU at t: request-id, two integers, varbinds (v1 Trap: enterprise). */
static bool snmp_pdu(const uint8_t *p, const struct ber *t, struct snmp_msg *m)
{
	size_t pos = t->off, end = t->off + t->len;
	struct ber a, b, c, list;

	if (t->tag < 0xa0 || t->tag > 0xa8)
		return false;
	m->pdu = t->tag;
	m->have_pdu = true;
	if (t->tag == 0xa4) { /* v1 Trap-PDU: enterprise OID first */
		if (ber_expect(p, end, &pos, 0x06, &a))
			ber_oid(p + a.off, a.len, m->oids[m->noids++], SNMP_OID_TXT);
		return true;
	}
	if (!ber_next(p, end, &pos, &a) || !ber_int(p, &a, &m->req_id) ||
	    !ber_next(p, end, &pos, &b) || !ber_int(p, &b, &m->e1) || !ber_next(p, end, &pos, &c) ||
	    !ber_int(p, &c, &m->e2))
		return true;
	if (ber_expect(p, end, &pos, 0x30, &list))
		snmp_varbinds(p, &list, m);
	return true;
}

/* USM parameters (RFC 3414 2.4): engine id, boots, time, user name, ... */
static void snmp_usm(const uint8_t *p, const struct ber *params, struct snmp_msg *m)
{
	size_t pos = params->off, end = params->off + params->len, in;
	struct ber seq, boots, time;

	if (!ber_expect(p, end, &pos, 0x30, &seq))
		return;
	in = seq.off;
	end = seq.off + seq.len;
	if (ber_expect(p, end, &in, 0x04, &m->engine_id) && ber_expect(p, end, &in, 0x02, &boots) &&
	    ber_expect(p, end, &in, 0x02, &time))
		ber_expect(p, end, &in, 0x04, &m->user);
}

/* v3 after the version: header data, security parameters, scoped PDU. */
static bool snmp_v3(const uint8_t *p, size_t end, size_t pos, struct snmp_msg *m)
{
	struct ber hdr, id, max, flags, model, sec, scoped, x;
	int64_t msg_id;
	size_t in;

	if (!ber_expect(p, end, &pos, 0x30, &hdr))
		return false;
	in = hdr.off;
	if (!ber_next(p, hdr.off + hdr.len, &in, &id) || !ber_int(p, &id, &msg_id) ||
	    !ber_next(p, hdr.off + hdr.len, &in, &max) ||
	    !ber_expect(p, hdr.off + hdr.len, &in, 0x04, &flags) || flags.len != 1 ||
	    !ber_next(p, hdr.off + hdr.len, &in, &model) || !ber_int(p, &model, &m->sec_model))
		return false;
	m->v3 = true;
	m->msg_flags = p[flags.off];
	if (!ber_expect(p, end, &pos, 0x04, &sec))
		return true;
	snmp_usm(p, &sec, m);
	if (!ber_next(p, end, &pos, &scoped))
		return true;
	if (scoped.tag == 0x04) {
		m->encrypted = true;
		return true;
	}
	in = scoped.off;
	if (scoped.tag == 0x30 && ber_expect(p, scoped.off + scoped.len, &in, 0x04, &x) &&
	    ber_expect(p, scoped.off + scoped.len, &in, 0x04, &x) &&
	    ber_next(p, scoped.off + scoped.len, &in, &x))
		snmp_pdu(p, &x, m);
	return true;
}

static bool snmp_parse(const uint8_t *p, size_t len, struct snmp_msg *m)
{
	size_t pos = 0, in;
	struct ber msg, ver, pdu;

	memset(m, 0, sizeof(*m));
	if (!ber_expect(p, len, &pos, 0x30, &msg))
		return false;
	m->exact = pos == len;
	in = msg.off;
	if (!ber_next(p, pos, &in, &ver) || !ber_int(p, &ver, &m->version))
		return false;
	if (m->version == 3)
		return snmp_v3(p, pos, in, m);
	if (m->version != 0 && m->version != 1)
		return false;
	if (!ber_expect(p, pos, &in, 0x04, &m->community) || !ber_next(p, pos, &in, &pdu))
		return false;
	return snmp_pdu(p, &pdu, m);
}

static size_t snmp_first_len(const struct record *r)
{
	if (r->first_msg_len && r->first_msg_len <= r->payload_len)
		return r->first_msg_len;
	return r->payload_len;
}

static int snmp_detect(const struct record *r)
{
	struct snmp_msg m;

	if (!r->payload || !snmp_parse(r->payload, snmp_first_len(r), &m))
		return 0;
	if (!m.v3 && !m.have_pdu)
		return 0;
	return m.exact ? 95 : 60;
}

static const char *snmp_pdu_name(uint8_t tag)
{
	static const char *const names[] = {"get",     "getnext", "response", "set",   "trap",
					    "getbulk", "inform",  "trap2",    "report"};

	return tag >= 0xa0 && tag <= 0xa8 ? names[tag - 0xa0] : "unknown";
}

static void snmp_put_v3(struct json *j, const uint8_t *p, const struct snmp_msg *m)
{
	char hex[2 * 32 + 1];
	size_t n = m->engine_id.len < 32 ? m->engine_id.len : 32;

	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", p[m->engine_id.off + i]);
	hex[2 * n] = 0;
	json_ku64(j, "msg_flags", (uint64_t)m->msg_flags & 0xff);
	json_key(j, "security_model");
	json_val_i64(j, m->sec_model);
	json_kcstr(j, "engine_id", hex);
	json_kstr(j, "user", p + m->user.off,
		  m->user.len < SNMP_STR_CAP ? m->user.len : SNMP_STR_CAP);
	json_kbool(j, "encrypted", m->encrypted);
}

static void snmp_put_pdu(struct json *j, const struct snmp_msg *m)
{
	bool bulk = m->pdu == 0xa5;

	json_kcstr(j, "pdu", snmp_pdu_name(m->pdu));
	if (m->pdu != 0xa4) {
		json_key(j, "request_id");
		json_val_i64(j, m->req_id);
		json_key(j, bulk ? "non_repeaters" : "error_status");
		json_val_i64(j, m->e1);
		json_key(j, bulk ? "max_repetitions" : "error_index");
		json_val_i64(j, m->e2);
		json_ku64(j, "varbinds", m->nvarbinds);
	}
	json_key(j, "oids");
	json_arr_begin(j);
	for (unsigned i = 0; i < m->noids; i++)
		json_val_cstr(j, m->oids[i]);
	json_arr_end(j);
}

static void snmp_dissect(struct record *r)
{
	static const char *const vnames[] = {"v1", "v2c", "", "v3"};
	const uint8_t *p = r->payload;
	struct snmp_msg m;
	struct json j;
	size_t mark;

	if (!p || !snmp_parse(p, snmp_first_len(r), &m))
		return;
	proto_member_begin(&j, r, "snmp", &mark);
	json_ku64(&j, "version", (uint64_t)m.version);
	json_kcstr(&j, "version_name", vnames[m.version]);
	if (m.v3)
		snmp_put_v3(&j, p, &m);
	else
		json_kstr(&j, "community", p + m.community.off,
			  m.community.len < SNMP_STR_CAP ? m.community.len : SNMP_STR_CAP);
	if (m.have_pdu)
		snmp_put_pdu(&j, &m);
	proto_member_end(&j, r, mark);
	if (!m.v3)
		record_add_cred(r, "snmp", (const uint8_t *)"", 0, p + m.community.off,
				m.community.len);
	else if (m.user.len)
		record_add_cred(r, "snmp", p + m.user.off, m.user.len, (const uint8_t *)"", 0);
	if (m.have_pdu && m.pdu == 0xa5)
		record_add_tag(r, "amplification-probe");
}

const struct proto_dissector proto_snmp = {
    .name = "snmp",
    .l4 = 17,
    .detect = snmp_detect,
    .dissect = snmp_dissect,
};
