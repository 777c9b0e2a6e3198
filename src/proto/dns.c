/* DNS (RFC 1035, EDNS0 RFC 6891): the header, the first question and the
 * OPT record of the client's first message (UDP: its first datagram; TCP:
 * the first length-prefixed message).  Written by hand: the system
 * resolver's ns_initparse/ns_parserr (libresolv) stop at the first oddity
 * and offer no loop-safe, bounded name decoder for hostile input.
 *
 * Tags:
 *   dns-any              the question's type is ANY (255).
 *   amplification-probe  a query of the kind reflection attacks and their
 *                        scouts send: qtype ANY; or qtype TXT, DNSKEY or
 *                        ANY with an EDNS buffer of at least 4096 bytes; or
 *                        a known open-resolver survey name
 *                        (dnsscan.shadowserver.org, *.openresolve.rs,
 *                        *.openresolvers.org, *.openresolverproject.org).
 *
 * "dns": {"id","qr","opcode","flags":"rd,ad","rcode","qdcount","ancount",
 *         "nscount","arcount","qname","qtype","qtype_name","qclass",
 *         "qclass_name","edns":{"udp_size","version","do","options":[..]},
 *         "tcp"} */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/proto.h"

#define DNS_HDR 12
#define DNS_MAX_JUMPS 32  /* compression pointers followed per name */
#define DNS_MAX_RRS 64	  /* records walked looking for OPT */
#define DNS_NAME_TXT 1024 /* 255 wire bytes, each escaped to at most 4 */
#define DNS_MAX_EDNS_OPTS 16
#define DNS_BIG_EDNS 4096

struct dns_msg {
	const uint8_t *p;
	size_t len;
	bool tcp;
	uint16_t id, flags, qd, an, ns, ar;
	char qname[DNS_NAME_TXT];
	uint16_t qtype, qclass;
	bool have_q;
	bool exact; /* every section parsed and ended at the message's end */
	bool have_opt;
	uint16_t udp_size;
	uint8_t edns_ver;
	bool edns_do;
	uint16_t opt_codes[DNS_MAX_EDNS_OPTS];
	unsigned nopts;
};

static uint16_t dns_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends one label byte to the text form, escaped as dig does. */
static size_t dns_put_byte(char *out, size_t o, uint8_t c)
{
	if (o + 5 >= DNS_NAME_TXT)
		return o;
	if (c == '.' || c == '\\')
		o += (size_t)snprintf(out + o, DNS_NAME_TXT - o, "\\%c", c);
	else if (c > 0x20 && c < 0x7f)
		out[o++] = (char)c;
	else
		o += (size_t)snprintf(out + o, DNS_NAME_TXT - o, "\\%03u", c);
	out[o] = 0;
	return o;
}

/* Reads the name at *off; out (may be NULL) gets its text form.  Each
 * pointer must land before the start of the piece that led to it (so the
 * walk only ever moves to lower offsets and must end), and at most
 * DNS_MAX_JUMPS are followed.  On success *off is past the name. */
static bool dns_name(const uint8_t *p, size_t len, size_t *off, char *out)
{
	size_t i = *off, o = 0, wire = 0, end = 0, lim = *off;
	unsigned jumps = 0;

	if (out)
		out[0] = 0;
	for (;;) {
		uint8_t l;
		if (i >= len)
			return false;
		l = p[i];
		if ((l & 0xc0) == 0xc0) {
			size_t to;
			if (i + 1 >= len || ++jumps > DNS_MAX_JUMPS)
				return false;
			to = (size_t)(l & 0x3f) << 8 | p[i + 1];
			if (!end)
				end = i + 2;
			if (to >= lim)
				return false;
			i = lim = to;
			continue;
		}
		if (l & 0xc0) /* 0x40/0x80: obsolete label types */
			return false;
		if (!l)
			break;
		if (i + 1 + l > len || (wire += (size_t)l + 1) > 255)
			return false;
		for (size_t k = 0; out && k < l; k++)
			o = dns_put_byte(out, o, p[i + 1 + k]);
		if (out && o + 1 < DNS_NAME_TXT)
			out[o++] = '.', out[o] = 0;
		i += (size_t)l + 1;
	}
	if (out && !o)
		snprintf(out, DNS_NAME_TXT, ".");
	*off = end ? end : i + 1;
	return true;
}

/* The OPT pseudo-record's fields (RFC 6891 6.1.3). */
static void dns_opt(struct dns_msg *m, const uint8_t *rr, const uint8_t *rd, uint16_t rdlen)
{
	size_t k = 0;

	m->have_opt = true;
	m->udp_size = dns_rd16(rr + 2);
	m->edns_ver = rr[5];
	m->edns_do = rr[6] & 0x80;
	while (k + 4 <= rdlen && m->nopts < DNS_MAX_EDNS_OPTS) {
		m->opt_codes[m->nopts++] = dns_rd16(rd + k);
		k += 4 + (size_t)dns_rd16(rd + k + 2);
	}
}

/* Walks answer, authority and additional records; keeps the OPT. */
static bool dns_walk_rrs(struct dns_msg *m, size_t *off)
{
	unsigned total = (unsigned)m->an + m->ns + m->ar;

	for (unsigned i = 0; i < total && i < DNS_MAX_RRS; i++) {
		size_t name = *off;
		uint16_t rdlen;
		if (!dns_name(m->p, m->len, off, NULL) || *off + 10 > m->len)
			return false;
		rdlen = dns_rd16(m->p + *off + 8);
		if (*off + 10 + rdlen > m->len)
			return false;
		/* OPT: root owner name, in the additional section */
		if (dns_rd16(m->p + *off) == 41 && i >= (unsigned)m->an + m->ns &&
		    m->p[name] == 0 && !m->have_opt)
			dns_opt(m, m->p + *off, m->p + *off + 10, rdlen);
		*off += 10 + (size_t)rdlen;
	}
	return total <= DNS_MAX_RRS;
}

static bool dns_header_ok(const uint8_t *p)
{
	uint16_t flags = dns_rd16(p + 2), qd = dns_rd16(p + 4);
	unsigned opcode = flags >> 11 & 0xf;

	return opcode <= 6 && opcode != 3 && qd >= 1 && qd <= 16;
}

/* The message to read: UDP's first datagram, or TCP's first
 * length-prefixed message. */
static bool dns_locate(const struct record *r, struct dns_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (r->proto == 17) {
		m->p = r->payload;
		m->len = r->first_msg_len && r->first_msg_len <= r->payload_len ? r->first_msg_len
										: r->payload_len;
	} else {
		size_t n;
		if (r->payload_len < 2 + DNS_HDR)
			return false;
		n = dns_rd16(r->payload);
		if (n < DNS_HDR || n > r->payload_len - 2)
			return false;
		m->p = r->payload + 2;
		m->len = n;
		m->tcp = true;
	}
	return m->len >= DNS_HDR && m->p;
}

static bool dns_parse(const struct record *r, struct dns_msg *m)
{
	size_t off = DNS_HDR;

	if (!dns_locate(r, m) || !dns_header_ok(m->p))
		return false;
	m->id = dns_rd16(m->p);
	m->flags = dns_rd16(m->p + 2);
	m->qd = dns_rd16(m->p + 4);
	m->an = dns_rd16(m->p + 6);
	m->ns = dns_rd16(m->p + 8);
	m->ar = dns_rd16(m->p + 10);
	if (!dns_name(m->p, m->len, &off, m->qname) || off + 4 > m->len)
		return false;
	m->qtype = dns_rd16(m->p + off);
	m->qclass = dns_rd16(m->p + off + 2);
	m->have_q = true;
	off += 4;
	for (unsigned i = 1; i < m->qd; i++) {
		if (!dns_name(m->p, m->len, &off, NULL) || off + 4 > m->len)
			return true;
		off += 4;
	}
	m->exact = dns_walk_rrs(m, &off) && off == m->len;
	return true;
}

static const char *dns_type_name(uint16_t t)
{
	static const struct {
		uint16_t t;
		const char *n;
	} names[] = {{1, "A"},	    {2, "NS"},	  {5, "CNAME"},	 {6, "SOA"},   {12, "PTR"},
		     {13, "HINFO"}, {15, "MX"},	  {16, "TXT"},	 {28, "AAAA"}, {33, "SRV"},
		     {35, "NAPTR"}, {43, "DS"},	  {46, "RRSIG"}, {47, "NSEC"}, {48, "DNSKEY"},
		     {52, "TLSA"},  {64, "SVCB"}, {65, "HTTPS"}, {99, "SPF"},  {251, "IXFR"},
		     {252, "AXFR"}, {255, "ANY"}, {256, "URI"},	 {257, "CAA"}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].n;
	return NULL;
}

static const char *dns_class_name(uint16_t c)
{
	switch (c) {
	case 1:
		return "IN";
	case 3:
		return "CH";
	case 4:
		return "HS";
	case 254:
		return "NONE";
	case 255:
		return "ANY";
	default:
		return NULL;
	}
}

static int dns_detect(const struct record *r)
{
	struct dns_msg m;

	if (!r->payload || !dns_parse(r, &m) || !dns_class_name(m.qclass))
		return 0;
	if (m.exact)
		return m.tcp ? 85 : 80;
	return 35; /* a question, then bytes that are not DNS records */
}

/* Does the name end with suffix, on a label boundary?  (The text form ends
 * with a dot.) */
static bool dns_name_under(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n < s || strcasecmp(name + n - s, suffix))
		return false;
	return n == s || name[n - s - 1] == '.';
}

static bool dns_amplification(const struct dns_msg *m)
{
	static const char *const surveys[] = {"dnsscan.shadowserver.org.", "openresolve.rs.",
					      "openresolvers.org.", "openresolverproject.org."};

	if (m->flags & 0x8000) /* a response, not a probe */
		return false;
	if (m->qtype == 255)
		return true;
	if (m->have_opt && m->udp_size >= DNS_BIG_EDNS && (m->qtype == 16 || m->qtype == 48))
		return true;
	for (size_t i = 0; i < sizeof(surveys) / sizeof(surveys[0]); i++)
		if (dns_name_under(m->qname, surveys[i]))
			return true;
	return false;
}

static void dns_flags_str(uint16_t f, char *out, size_t n)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} bits[] = {{0x0400, "aa"}, {0x0200, "tc"}, {0x0100, "rd"},
		    {0x0080, "ra"}, {0x0020, "ad"}, {0x0010, "cd"}};
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (f & bits[i].bit && o < n)
			o += (size_t)snprintf(out + o, n - o, "%s%s", o ? "," : "", bits[i].name);
}

static void dns_put_edns(struct json *j, const struct dns_msg *m)
{
	json_key(j, "edns");
	json_obj_begin(j);
	json_ku64(j, "udp_size", m->udp_size);
	json_ku64(j, "version", m->edns_ver);
	json_kbool(j, "do", m->edns_do);
	json_key(j, "options");
	json_arr_begin(j);
	for (unsigned i = 0; i < m->nopts; i++)
		json_val_u64(j, m->opt_codes[i]);
	json_arr_end(j);
	json_obj_end(j);
}

static void dns_put_question(struct json *j, const struct dns_msg *m)
{
	const char *tn = dns_type_name(m->qtype), *cn = dns_class_name(m->qclass);

	json_kcstr(j, "qname", m->qname);
	json_ku64(j, "qtype", m->qtype);
	if (tn)
		json_kcstr(j, "qtype_name", tn);
	json_ku64(j, "qclass", m->qclass);
	if (cn)
		json_kcstr(j, "qclass_name", cn);
}

static void dns_dissect(struct record *r)
{
	struct dns_msg m;
	struct json j;
	size_t mark;
	char flags[32];

	if (!dns_parse(r, &m))
		return;
	dns_flags_str(m.flags, flags, sizeof(flags));
	proto_member_begin(&j, r, "dns", &mark);
	json_ku64(&j, "id", m.id);
	json_kbool(&j, "qr", m.flags & 0x8000);
	json_ku64(&j, "opcode", m.flags >> 11 & 0xf);
	json_kcstr(&j, "flags", flags);
	json_ku64(&j, "rcode", m.flags & 0xf);
	json_ku64(&j, "qdcount", m.qd);
	json_ku64(&j, "ancount", m.an);
	json_ku64(&j, "nscount", m.ns);
	json_ku64(&j, "arcount", m.ar);
	dns_put_question(&j, &m);
	if (m.have_opt)
		dns_put_edns(&j, &m);
	if (m.tcp)
		json_kbool(&j, "tcp", true);
	proto_member_end(&j, r, mark);
	if (m.qtype == 255 && !(m.flags & 0x8000))
		record_add_tag(r, "dns-any");
	if (dns_amplification(&m))
		record_add_tag(r, "amplification-probe");
}

const struct proto_dissector proto_dns = {
    .name = "dns",
    .l4 = 0,
    .detect = dns_detect,
    .dissect = dns_dissect,
};
