/* SSDP (UPnP Device Architecture 2.0, section 1): HTTP-over-UDP requests,
 * "M-SEARCH * HTTP/1.1" (discovery) and "NOTIFY * HTTP/1.1" (announce),
 * in the client's first datagram.
 *
 * Tags:
 *   amplification-probe  an M-SEARCH for "ssdp:all" or "upnp:rootdevice":
 *                        every device and service answers those, the
 *                        reflection attacks' query (US-CERT TA14-017A).
 *
 * "ssdp": {"method","host","man","mx","st","nt","nts","user_agent"}
 * (headers that are present, values bounded). */
#include <string.h>
#include <strings.h>

#include "proto/proto.h"

#define SSDP_VAL_CAP 256
#define SSDP_MAX_LINES 64

struct ssdp_hdr {
	const char *name; /* header name, lower case */
	const char *key;  /* JSON member */
};

static const struct ssdp_hdr ssdp_hdrs[] = {
    {"host", "host"},
    {"man", "man"},
    {"mx", "mx"},
    {"st", "st"},
    {"nt", "nt"},
    {"nts", "nts"},
    {"user-agent", "user_agent"},
};

#define SSDP_NHDRS (sizeof(ssdp_hdrs) / sizeof(ssdp_hdrs[0]))

struct ssdp_val {
	const uint8_t *p;
	size_t n;
};

static size_t ssdp_first_len(const struct record *r)
{
	if (r->proto == 17 && r->first_msg_len && r->first_msg_len <= r->payload_len)
		return r->first_msg_len;
	return r->payload_len;
}

/* "M-SEARCH" or "NOTIFY" as the method of a "* HTTP/1.x" request line. */
static const char *ssdp_method(const uint8_t *p, size_t n)
{
	static const char *const methods[] = {"M-SEARCH", "NOTIFY"};

	for (size_t i = 0; i < 2; i++) {
		size_t m = strlen(methods[i]);
		if (n >= m + 11 && proto_starts_with(p, n, methods[i]) &&
		    proto_starts_with(p + m, n - m, " * HTTP/1."))
			return methods[i];
	}
	return NULL;
}

static void ssdp_trim(const uint8_t **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t'))
		(*p)++, (*n)--;
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* Fills v[] with the known headers of the lines after the request line. */
static void ssdp_headers(const uint8_t *p, size_t len, struct ssdp_val *v)
{
	size_t off, next, n;
	unsigned lines = 0;

	n = proto_line(p, len, &next);
	off = next;
	while (off < len && lines++ < SSDP_MAX_LINES) {
		const uint8_t *l = p + off, *colon;
		n = proto_line(l, len - off, &next);
		off += next;
		if (!n)
			break;
		colon = memchr(l, ':', n);
		if (!colon)
			continue;
		for (size_t i = 0; i < SSDP_NHDRS; i++) {
			size_t hn = strlen(ssdp_hdrs[i].name), vn;
			const uint8_t *vp;
			if ((size_t)(colon - l) != hn ||
			    strncasecmp((const char *)l, ssdp_hdrs[i].name, hn))
				continue;
			vp = colon + 1;
			vn = n - hn - 1;
			ssdp_trim(&vp, &vn);
			if (!v[i].p)
				v[i] = (struct ssdp_val){vp, vn};
		}
	}
}

static int ssdp_detect(const struct record *r)
{
	size_t len = ssdp_first_len(r), next, n;

	if (!r->payload || len < 20)
		return 0;
	n = proto_line(r->payload, len, &next);
	return ssdp_method(r->payload, n) ? 95 : 0;
}

static bool ssdp_val_is(const struct ssdp_val *v, const char *s)
{
	size_t n = strlen(s), k = v->n;
	const uint8_t *p = v->p;

	/* Some senders quote the ST value. */
	if (k >= 2 && p[0] == '"' && p[k - 1] == '"')
		p++, k -= 2;
	return p && k == n && !strncasecmp((const char *)p, s, n);
}

static void ssdp_dissect(struct record *r)
{
	size_t len = ssdp_first_len(r), next, n, mark;
	struct ssdp_val v[SSDP_NHDRS] = {{0}};
	const char *method;
	struct json j;

	if (!r->payload)
		return;
	n = proto_line(r->payload, len, &next);
	method = ssdp_method(r->payload, n);
	if (!method)
		return;
	ssdp_headers(r->payload, len, v);
	proto_member_begin(&j, r, "ssdp", &mark);
	json_kcstr(&j, "method", method);
	for (size_t i = 0; i < SSDP_NHDRS; i++)
		if (v[i].p)
			json_kstr(&j, ssdp_hdrs[i].key, v[i].p,
				  v[i].n < SSDP_VAL_CAP ? v[i].n : SSDP_VAL_CAP);
	proto_member_end(&j, r, mark);
	/* v[3] is ST */
	if (!strcmp(method, "M-SEARCH") && v[3].p &&
	    (ssdp_val_is(&v[3], "ssdp:all") || ssdp_val_is(&v[3], "upnp:rootdevice")))
		record_add_tag(r, "amplification-probe");
}

const struct proto_dissector proto_ssdp = {
    .name = "ssdp",
    .l4 = 17,
    .detect = ssdp_detect,
    .dissect = ssdp_dissect,
};
