/* SIP (RFC 3261) over UDP or TCP: the client's first request line
 * ("OPTIONS sip:100@host SIP/2.0") and its headers, long or compact
 * (f, t, i, m, v).  SIP scanners show in User-Agent ("friendly-scanner",
 * "sipvicious", "sipcli"); brute-forcers send REGISTER with a Digest
 * Authorization whose username we keep (the response is a hash). */
#include <string.h>

#include "proto/proto.h"

#define SIP_MAX_HEADERS 64
#define SIP_STR_CAP 256

struct sip_span {
	const uint8_t *p;
	size_t n;
};

struct sip_msg {
	struct sip_span method, uri, status;
	struct sip_span from, to, call_id, user_agent, contact, via, cseq, auth_user;
};

/* The client's first message: the first datagram for UDP, the bytes up to
 * the blank line for TCP (or everything). */
static size_t sip_first_len(const struct record *r)
{
	if (r->proto == 17 && r->first_msg_len && r->first_msg_len <= r->payload_len)
		return r->first_msg_len;
	return r->payload_len;
}

static bool sip_token(const uint8_t *p, size_t n)
{
	if (!n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (p[k] < 'A' || p[k] > 'Z')
			return false;
	return true;
}

/* "METHOD uri SIP/2.0" */
static bool sip_request_line(const uint8_t *p, size_t n, struct sip_msg *m)
{
	const uint8_t *sp1 = memchr(p, ' ', n), *sp2;

	if (!sp1 || n < 8 || memcmp(p + n - 8, " SIP/2.0", 8))
		return false;
	if (!sip_token(p, (size_t)(sp1 - p)))
		return false;
	sp2 = p + n - 8;
	if (sp2 <= sp1)
		return false;
	m->method = (struct sip_span){p, (size_t)(sp1 - p)};
	m->uri = (struct sip_span){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
	return true;
}

/* Header name match: full name or its compact letter. */
static bool sip_hname(const uint8_t *p, size_t n, const char *full, char compact)
{
	size_t fl = strlen(full);

	if (n == fl && proto_starts_with_nocase(p, n, full))
		return true;
	return compact && n == 1 && (p[0] | 0x20) == compact;
}

/* Digest username="x" inside an Authorization value. */
static struct sip_span sip_digest_user(struct sip_span v)
{
	static const char key[] = "username=\"";
	size_t kl = sizeof(key) - 1;

	for (size_t k = 0; k + kl < v.n; k++)
		if (proto_starts_with_nocase(v.p + k, v.n - k, key)) {
			const uint8_t *s = v.p + k + kl, *e = memchr(s, '"', v.n - k - kl);
			return (struct sip_span){s, e ? (size_t)(e - s) : v.n - k - kl};
		}
	return (struct sip_span){NULL, 0};
}

static void sip_header(struct sip_msg *m, const uint8_t *p, size_t n)
{
	const uint8_t *colon = memchr(p, ':', n);
	size_t nl, vi;
	struct sip_span v;

	if (!colon)
		return;
	nl = (size_t)(colon - p);
	while (nl && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
		nl--;
	for (vi = (size_t)(colon - p) + 1; vi < n && (p[vi] == ' ' || p[vi] == '\t'); vi++)
		;
	v = (struct sip_span){p + vi, n - vi};
	if (sip_hname(p, nl, "from", 'f') && !m->from.p)
		m->from = v;
	else if (sip_hname(p, nl, "to", 't') && !m->to.p)
		m->to = v;
	else if (sip_hname(p, nl, "call-id", 'i') && !m->call_id.p)
		m->call_id = v;
	else if (sip_hname(p, nl, "user-agent", 0) && !m->user_agent.p)
		m->user_agent = v;
	else if (sip_hname(p, nl, "contact", 'm') && !m->contact.p)
		m->contact = v;
	else if (sip_hname(p, nl, "via", 'v') && !m->via.p)
		m->via = v;
	else if (sip_hname(p, nl, "cseq", 0) && !m->cseq.p)
		m->cseq = v;
	else if ((sip_hname(p, nl, "authorization", 0) ||
		  sip_hname(p, nl, "proxy-authorization", 0)) &&
		 !m->auth_user.p)
		m->auth_user = sip_digest_user(v);
}

static bool sip_parse(const uint8_t *p, size_t len, struct sip_msg *m)
{
	size_t next, n;

	memset(m, 0, sizeof(*m));
	if (!len)
		return false;
	n = proto_line(p, len, &next);
	if (!sip_request_line(p, n, m)) {
		if (!proto_starts_with(p, n, "SIP/2.0 "))
			return false;
		m->status = (struct sip_span){p + 8, n - 8};
	}
	for (unsigned k = 0; k < SIP_MAX_HEADERS && next < len; k++) {
		p += next;
		len -= next;
		n = proto_line(p, len, &next);
		if (!n)
			break; /* end of headers */
		sip_header(m, p, n);
	}
	return true;
}

static void sip_kspan(struct json *j, const char *key, struct sip_span s)
{
	if (s.p)
		json_kstr(j, key, s.p, s.n < SIP_STR_CAP ? s.n : SIP_STR_CAP);
}

static void sip_dissect(struct record *r)
{
	struct sip_msg m;
	struct json j;
	size_t mark, next;

	proto_member_begin(&j, r, "sip", &mark);
	if (sip_parse(r->payload, sip_first_len(r), &m)) {
		sip_kspan(&j, "method", m.method);
		sip_kspan(&j, "uri", m.uri);
		sip_kspan(&j, "status", m.status);
		sip_kspan(&j, "from", m.from);
		sip_kspan(&j, "to", m.to);
		sip_kspan(&j, "call_id", m.call_id);
		sip_kspan(&j, "user_agent", m.user_agent);
		sip_kspan(&j, "contact", m.contact);
		sip_kspan(&j, "via", m.via);
		sip_kspan(&j, "cseq", m.cseq);
		sip_kspan(&j, "auth_user", m.auth_user);
		if (m.auth_user.p)
			record_add_cred(r, "sip", m.auth_user.p, m.auth_user.n, (const uint8_t *)"",
					0);
	}
	/* The server's answer, when there was one (a real PBX, a banner). */
	if (r->server_payload_len &&
	    proto_starts_with(r->server_payload, r->server_payload_len, "SIP/2.0 ")) {
		size_t n = proto_line(r->server_payload, r->server_payload_len, &next);
		json_kstr(&j, "server_status", r->server_payload + 8,
			  n - 8 < SIP_STR_CAP ? n - 8 : SIP_STR_CAP);
	}
	proto_member_end(&j, r, mark);
}

static int sip_detect(const struct record *r)
{
	size_t len = sip_first_len(r), next, n;
	struct sip_msg m;

	if (len < 12)
		return 0;
	n = proto_line(r->payload, len, &next);
	if (sip_request_line(r->payload, n, &m))
		return 95;
	if (proto_starts_with(r->payload, n, "SIP/2.0 ") && n >= 11 && r->payload[8] >= '1' &&
	    r->payload[8] <= '6')
		return 70;
	return 0;
}

const struct proto_dissector proto_sip = {
    .name = "sip",
    .l4 = 0,
    .detect = sip_detect,
    .dissect = sip_dissect,
};
