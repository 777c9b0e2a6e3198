/* RDP's first message ([MS-RDPBCGR] 2.2.1.1): a TPKT (03 00 length) around
 * an X.224 Connection Request (LI, 0xE0, refs, class), which may carry a
 * cookie line "Cookie: mstshash=USER\r\n" (the user name the client was
 * given, cut to 9 characters by mstsc, full length by most tools) and an
 * RDP_NEG_REQ (type 1, flags, length 8, requested protocols).  S7comm
 * uses the same TPKT/COTP framing with TSAP parameters instead; s7.c
 * takes those. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define RDP_STR_CAP 128

struct rdp_cr {
	const uint8_t *var; /* bytes after the 7-byte X.224 CR header */
	size_t nvar;
	const uint8_t *cookie; /* the cookie line without "Cookie: " and CRLF */
	size_t ncookie;
	bool neg;
	uint8_t neg_flags;
	uint32_t protocols;
	bool tls_after; /* a TLS record follows the request */
};

/* TPKT + X.224 CR at p; fills cr; false when it is not one. */
static bool rdp_parse(const uint8_t *p, size_t len, struct rdp_cr *cr)
{
	size_t tl, li, end, i;

	memset(cr, 0, sizeof(*cr));
	if (len < 11 || p[0] != 3 || p[1] != 0 || (p[5] & 0xf0) != 0xe0)
		return false;
	tl = (size_t)p[2] << 8 | p[3];
	li = p[4];
	if (tl < 11 || li < 6 || li + 5 > tl)
		return false;
	end = li + 5 < len ? li + 5 : len;
	cr->var = p + 11;
	cr->nvar = end - 11;
	i = 0;
	if (proto_starts_with(cr->var, cr->nvar, "Cookie: ")) {
		size_t next, n = proto_line(cr->var, cr->nvar, &next);
		cr->cookie = cr->var + 8;
		cr->ncookie = n - 8;
		i = next;
	}
	if (i + 8 <= cr->nvar && cr->var[i] == 0x01 && cr->var[i + 2] == 8 && cr->var[i + 3] == 0) {
		const uint8_t *q = cr->var + i;
		cr->neg = true;
		cr->neg_flags = q[1];
		cr->protocols = (uint32_t)q[4] | (uint32_t)q[5] << 8 | (uint32_t)q[6] << 16 |
				(uint32_t)q[7] << 24;
	}
	cr->tls_after = tl + 2 < len && p[tl] == 0x16 && p[tl + 1] == 0x03;
	return true;
}

static void rdp_protocols(struct json *j, uint32_t pr)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{1, "ssl"}, {2, "hybrid"}, {4, "rdstls"}, {8, "hybrid_ex"}, {16, "rdsaad"}};

	json_key(j, "protocols");
	json_arr_begin(j);
	if (!pr)
		json_val_cstr(j, "rdp");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (pr & names[k].bit)
			json_val_cstr(j, names[k].name);
	json_arr_end(j);
}

static void rdp_dissect(struct record *r)
{
	struct rdp_cr cr;
	struct json j;
	size_t mark, n;

	proto_member_begin(&j, r, "rdp", &mark);
	if (rdp_parse(r->payload, r->payload_len, &cr)) {
		if (cr.cookie && proto_starts_with(cr.cookie, cr.ncookie, "mstshash=")) {
			n = cr.ncookie - 9;
			json_kstr(&j, "mstshash", cr.cookie + 9, n < RDP_STR_CAP ? n : RDP_STR_CAP);
		} else if (cr.cookie) {
			n = cr.ncookie;
			json_kstr(&j, "cookie", cr.cookie, n < RDP_STR_CAP ? n : RDP_STR_CAP);
		}
		if (cr.neg) {
			json_ku64(&j, "requested_protocols", cr.protocols);
			rdp_protocols(&j, cr.protocols);
			json_ku64(&j, "neg_flags", cr.neg_flags);
		}
		if (cr.tls_after)
			json_kbool(&j, "tls", true);
	}
	proto_member_end(&j, r, mark);
}

static int rdp_detect(const struct record *r)
{
	struct rdp_cr cr;

	if (!rdp_parse(r->payload, r->payload_len, &cr))
		return 0;
	if (cr.cookie || cr.neg)
		return 90;
	return cr.nvar == 0 ? 50 : 0; /* a bare request: nmap's probe */
}

const struct proto_dissector proto_rdp = {
    .name = "rdp",
    .l4 = 6,
    .detect = rdp_detect,
    .dissect = rdp_dissect,
};
