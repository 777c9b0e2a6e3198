/* TLS ClientHello on any port (and DTLS over UDP, and the old SSLv2
 * CLIENT-HELLO that some scanners still send): versions, SNI, ALPN, cipher
 * suites, extensions, groups, signature algorithms, and the JA3 and JA4
 * client fingerprints.
 *
 * JA3 (Salesforce): "version,ciphers,extensions,groups,point_formats" with
 * decimal values joined by '-', GREASE values (RFC 8701) left out, and its
 * MD5; the same string tshark shows as tls.handshake.ja3_full.
 * JA4 (FoxIO, BSD-3-Clause), after technical_details/JA4.md: see tls_ja4.
 *
 * The ClientHello may span several records and TCP segments: the records'
 * handshake bytes are joined (up to TLS_HELLO_MAX) before parsing.  All
 * parsing is bounds-checked against what was received; a cut ClientHello
 * is reported with "truncated" and no fingerprints. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

#define TLS_HELLO_MAX 65536 /* bytes of one ClientHello reassembled */
#define TLS_MAX_RECORDS 256 /* records walked to find it */
#define TLS_LIST_MAX 512    /* values written per JSON list */
#define TLS_ALPN_MAX 16     /* ALPN protocols written */
#define TLS_NAME_CAP 255    /* bytes of SNI / an ALPN protocol written */

struct tls_vec {
	const uint8_t *p;
	size_t n;
};

struct tls_hello {
	bool dtls, truncated, has_exts;
	bool has_sni, has_alpn, has_versions, has_sigalgs, has_groups, has_formats;
	uint8_t hs_type;    /* first handshake message's type (1 = ClientHello) */
	uint16_t record_version, version;
	unsigned records;   /* records that carried the ClientHello */
	struct tls_vec session_id, ciphers, comp, exts;
	struct tls_vec sni, alpn, versions, sigalgs, groups, formats;
};

/* A read cursor that never reads past its end. */
struct tls_cur {
	const uint8_t *p;
	size_t n, off;
};

static uint16_t tls_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t tls_rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* RFC 8701: 0x?A?A with both bytes equal. */
static bool tls_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static bool tls_cur_u16(struct tls_cur *c, uint16_t *v)
{
	if (c->n - c->off < 2)
		return false;
	*v = tls_rd16(c->p + c->off);
	c->off += 2;
	return true;
}

/* A vector with a 1- or 2-byte length prefix. */
static bool tls_cur_vec(struct tls_cur *c, size_t lenlen, struct tls_vec *v)
{
	size_t n;

	if (c->n - c->off < lenlen)
		return false;
	n = lenlen == 1 ? c->p[c->off] : tls_rd16(c->p + c->off);
	if (c->n - c->off - lenlen < n)
		return false;
	*v = (struct tls_vec){c->p + c->off + lenlen, n};
	c->off += lenlen + n;
	return true;
}

static bool tls_cur_skip(struct tls_cur *c, size_t n)
{
	if (c->n - c->off < n)
		return false;
	c->off += n;
	return true;
}

/* The next extension of the block: type and data.  False at the end, or
 * when an extension claims more bytes than the block has. */
static bool tls_ext_next(const struct tls_vec *exts, size_t *off, uint16_t *type,
			 struct tls_vec *data)
{
	size_t len;

	if (exts->n - *off < 4)
		return false;
	*type = tls_rd16(exts->p + *off);
	len = tls_rd16(exts->p + *off + 2);
	if (exts->n - *off - 4 < len)
		return false;
	*data = (struct tls_vec){exts->p + *off + 4, len};
	*off += 4 + len;
	return true;
}

/* The body of a list extension: its values after the length prefix. */
static bool tls_ext_list(struct tls_vec data, size_t lenlen, struct tls_vec *out)
{
	struct tls_cur c = {data.p, data.n, 0};

	return tls_cur_vec(&c, lenlen, out);
}

/* The first host_name of a server_name extension. */
static void tls_ext_sni(struct tls_hello *h, struct tls_vec data)
{
	struct tls_vec list, name;
	struct tls_cur c;

	if (!tls_ext_list(data, 2, &list))
		return;
	c = (struct tls_cur){list.p, list.n, 0};
	while (c.off < c.n) {
		uint8_t type = c.p[c.off++];
		if (!tls_cur_vec(&c, 2, &name))
			return;
		if (type == 0) {
			h->sni = name;
			return;
		}
	}
}

static void tls_ext(struct tls_hello *h, uint16_t type, struct tls_vec data)
{
	switch (type) {
	case 0:
		if (!h->has_sni)
			tls_ext_sni(h, data);
		h->has_sni = true;
		break;
	case 16:
		if (!h->has_alpn)
			h->has_alpn = tls_ext_list(data, 2, &h->alpn);
		break;
	case 43:
		if (!h->has_versions)
			h->has_versions = tls_ext_list(data, 1, &h->versions);
		break;
	case 13:
		if (!h->has_sigalgs)
			h->has_sigalgs = tls_ext_list(data, 2, &h->sigalgs);
		break;
	case 10:
		if (!h->has_groups)
			h->has_groups = tls_ext_list(data, 2, &h->groups);
		break;
	case 11:
		if (!h->has_formats)
			h->has_formats = tls_ext_list(data, 1, &h->formats);
		break;
	}
}

/* Parses a ClientHello body (after the handshake header). */
static void tls_parse_hello(const uint8_t *b, size_t n, struct tls_hello *h)
{
	struct tls_cur c = {b, n, 0};
	struct tls_vec cookie, data;
	size_t off = 0;
	uint16_t type;

	if (!tls_cur_u16(&c, &h->version) || !tls_cur_skip(&c, 32) ||
	    !tls_cur_vec(&c, 1, &h->session_id) || (h->dtls && !tls_cur_vec(&c, 1, &cookie)) ||
	    !tls_cur_vec(&c, 2, &h->ciphers) || !tls_cur_vec(&c, 1, &h->comp))
		goto cut;
	if (c.off == c.n)
		return; /* no extensions at all (SSL 3.0 style) */
	if (!tls_cur_vec(&c, 2, &h->exts))
		goto cut;
	h->has_exts = true;
	while (tls_ext_next(&h->exts, &off, &type, &data))
		tls_ext(h, type, data);
	if (off != h->exts.n)
		goto cut;
	return;
cut:
	h->truncated = true;
}

/* TLS over TCP: joins the handshake bytes of the leading handshake records
 * into hs, until the first handshake message is whole. */
static void tls_gather(const uint8_t *p, size_t len, struct buf *hs, struct tls_hello *h)
{
	size_t off = 0, rlen, body, want = 4;

	while (off + 5 <= len && h->records < TLS_MAX_RECORDS && hs->len < want) {
		if (p[off] != 22 || p[off + 1] != 3)
			break;
		if (!h->records)
			h->record_version = tls_rd16(p + off + 1);
		h->records++;
		rlen = tls_rd16(p + off + 3);
		body = rlen < len - off - 5 ? rlen : len - off - 5;
		if (body > TLS_HELLO_MAX + 4 - hs->len)
			body = TLS_HELLO_MAX + 4 - hs->len;
		if (buf_append(hs, p + off + 5, body))
			break;
		off += 5 + rlen; /* past len if the record was cut: the loop ends */
		if (hs->len >= 4)
			want = 4 + tls_rd24(hs->p + 1);
	}
}

/* One DTLS handshake fragment, put in place if it extends the filled
 * prefix of the message (fragments may come in any order). */
struct tls_dfrag {
	uint8_t *msg;
	size_t len, filled;
	uint16_t seq;
	bool started;
};

static bool tls_dtls_frag(struct tls_dfrag *d, const uint8_t *f, size_t n)
{
	size_t flen, foff, mlen;

	if (n < 12 || f[0] != 1)
		return false;
	mlen = tls_rd24(f + 1);
	foff = tls_rd24(f + 6);
	flen = tls_rd24(f + 9);
	if (flen > n - 12)
		flen = n - 12;
	if (!d->started) {
		d->len = mlen < TLS_HELLO_MAX ? mlen : TLS_HELLO_MAX;
		d->msg = malloc(d->len ? d->len : 1);
		if (!d->msg)
			return false;
		d->seq = tls_rd16(f + 4);
		d->started = true;
	}
	if (tls_rd16(f + 4) != d->seq || foff > d->filled || foff >= d->len)
		return false;
	if (flen > d->len - foff)
		flen = d->len - foff;
	memcpy(d->msg + foff, f + 12, flen);
	if (foff + flen > d->filled) {
		d->filled = foff + flen;
		return true;
	}
	return false;
}

/* One pass over the DTLS records; true if the message grew. */
static bool tls_dtls_pass(const uint8_t *p, size_t len, struct tls_dfrag *d, struct tls_hello *h,
			  bool count)
{
	size_t off = 0, rlen, foff, flen;
	unsigned nrec = 0;
	bool grew = false;

	while (len - off >= 13 && nrec++ < TLS_MAX_RECORDS) {
		if (p[off] != 22 || p[off + 1] != 0xfe)
			break;
		rlen = tls_rd16(p + off + 11);
		if (rlen > len - off - 13)
			rlen = len - off - 13;
		if (count && !h->records++)
			h->record_version = tls_rd16(p + off + 1);
		for (foff = 0; rlen - foff >= 12; foff += 12 + flen) {
			flen = tls_rd24(p + off + 13 + foff + 9);
			if (flen > rlen - foff - 12)
				flen = rlen - foff - 12;
			grew |= tls_dtls_frag(d, p + off + 13 + foff, 12 + flen);
		}
		off += 13 + rlen;
	}
	return grew;
}

/* DTLS: reassembles the first ClientHello from its fragments into hs, with
 * a TLS-style 4-byte header so that one parser serves both. */
static void tls_dtls_gather(const uint8_t *p, size_t len, struct buf *hs, struct tls_hello *h)
{
	struct tls_dfrag d = {0};
	uint8_t hdr[4] = {1, 0, 0, 0};

	h->dtls = true;
	tls_dtls_pass(p, len, &d, h, true);
	for (int pass = 0; pass < 8 && d.started && d.filled < d.len; pass++)
		if (!tls_dtls_pass(p, len, &d, h, false))
			break;
	if (d.started) {
		hdr[1] = (uint8_t)(d.len >> 16), hdr[2] = (uint8_t)(d.len >> 8), hdr[3] = (uint8_t)d.len;
		if (!buf_append(hs, hdr, 4))
			buf_append(hs, d.msg, d.filled);
	}
	free(d.msg);
}

static bool tls_is_dtls_version(uint16_t v)
{
	return v == 0xfeff || v == 0xfefd || v == 0xfefc;
}

/* SSLv2 CLIENT-HELLO (RFC 6101 appendix E): 2-byte header with the high
 * bit set, type 1, version, then three lengths that must add up. */
static bool tls_sslv2(const uint8_t *p, size_t len, struct tls_vec *ciphers, uint16_t *version)
{
	size_t mlen, cs, sid, ch;

	if (len < 11 || !(p[0] & 0x80) || p[2] != 1)
		return false;
	mlen = (size_t)(p[0] & 0x7f) << 8 | p[1];
	*version = tls_rd16(p + 3);
	cs = tls_rd16(p + 5), sid = tls_rd16(p + 7), ch = tls_rd16(p + 9);
	if (*version != 0x0002 && (*version < 0x0300 || *version > 0x0304))
		return false;
	if (cs % 3 || (sid != 0 && sid != 16) || ch < 16 || ch > 32 || mlen != 9 + cs + sid + ch)
		return false;
	*ciphers = (struct tls_vec){p + 11, len - 11 < cs ? (len - 11) / 3 * 3 : cs};
	return true;
}

static int tls_detect(const struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->proto == 17 && r->first_msg_len ? r->first_msg_len : r->payload_len;
	struct tls_vec v;
	uint16_t ver;

	if (len >= 6 && p[0] == 22 && p[1] == 3 && p[2] <= 4 && r->proto == 6)
		return p[5] == 1 ? 95 : 50;
	if (len >= 14 && p[0] == 22 && tls_is_dtls_version(tls_rd16(p + 1)) && r->proto == 17)
		return p[13] == 1 ? 90 : 40;
	if (r->proto == 6 && tls_sslv2(p, len, &v, &ver))
		return 80;
	return 0;
}

static const char *tls_version_name(uint16_t v, char *tmp, size_t cap)
{
	switch (v) {
	case 0x0002: return "SSL 2.0";
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	case 0xfeff: return "DTLS 1.0";
	case 0xfefd: return "DTLS 1.2";
	case 0xfefc: return "DTLS 1.3";
	}
	snprintf(tmp, cap, "0x%04x", v);
	return tmp;
}

static void tls_kversion(struct json *j, const char *key, uint16_t v)
{
	char tmp[8];

	json_kcstr(j, key, tls_version_name(v, tmp, sizeof(tmp)));
}

/* A list of 1- or 2-byte values (all of them, GREASE included: the record
 * says what was sent), at most TLS_LIST_MAX. */
static void tls_klist(struct json *j, const char *key, struct tls_vec v, size_t width)
{
	json_key(j, key);
	json_arr_begin(j);
	for (size_t i = 0; i + width <= v.n && i / width < TLS_LIST_MAX; i += width)
		json_val_u64(j, width == 1 ? v.p[i] : width == 2 ? tls_rd16(v.p + i) : tls_rd24(v.p + i));
	json_arr_end(j);
}

static void tls_hex(const uint8_t *md, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Joins the non-GREASE 2-byte values of v in decimal with '-'. */
static int tls_ja3_join(struct buf *s, struct tls_vec v)
{
	bool first = true;
	int err = 0;

	for (size_t i = 0; i + 2 <= v.n; i += 2) {
		uint16_t x = tls_rd16(v.p + i);
		if (tls_grease(x))
			continue;
		err |= buf_printf(s, first ? "%u" : "-%u", x);
		first = false;
	}
	return err;
}

/* JA3 string into s; 0 or -ENOMEM. */
static int tls_ja3(const struct tls_hello *h, struct buf *s)
{
	size_t off = 0;
	uint16_t type;
	struct tls_vec data;
	bool first = true;
	int err;

	err = buf_printf(s, "%u,", h->version);
	err |= tls_ja3_join(s, h->ciphers);
	err |= buf_putc(s, ',');
	while (h->has_exts && tls_ext_next(&h->exts, &off, &type, &data)) {
		if (tls_grease(type))
			continue;
		err |= buf_printf(s, first ? "%u" : "-%u", type);
		first = false;
	}
	err |= buf_putc(s, ',');
	if (h->has_groups)
		err |= tls_ja3_join(s, h->groups);
	err |= buf_putc(s, ',');
	for (size_t i = 0; h->has_formats && i < h->formats.n; i++)
		err |= buf_printf(s, i ? "-%u" : "%u", h->formats.p[i]);
	return err ? -ENOMEM : 0;
}

static int tls_cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The non-GREASE 2-byte values of v into out (caller's array of v.n / 2). */
static size_t tls_values(struct tls_vec v, uint16_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i + 2 <= v.n; i += 2)
		if (!tls_grease(tls_rd16(v.p + i)))
			out[n++] = tls_rd16(v.p + i);
	return n;
}

static int tls_hex_list(struct buf *s, const uint16_t *v, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n; i++)
		err |= buf_printf(s, i ? ",%04x" : "%04x", v[i]);
	return err;
}

/* JA4 "version": the highest non-GREASE supported_versions entry, else the
 * ClientHello's version (the record layer's is ignored). */
static const char *tls_ja4_version(const struct tls_hello *h)
{
	uint16_t best = 0, v;
	int rank, best_rank = -1;

	for (size_t i = 0; h->has_versions && i + 2 <= h->versions.n; i += 2) {
		v = tls_rd16(h->versions.p + i);
		if (tls_grease(v))
			continue;
		/* DTLS numbers count down (0xfefc is 1.3): compare by rank. */
		rank = tls_is_dtls_version(v) ? 0x10000 - v : v;
		if (rank > best_rank)
			best = v, best_rank = rank;
	}
	if (best_rank < 0)
		best = h->version;
	switch (best) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	}
	return "00";
}

static bool tls_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4 ALPN characters: first and last of the first (non-GREASE) protocol;
 * "00" if none or empty; the first and last hex digits of its bytes if
 * either end is not alphanumeric. */
static void tls_ja4_alpn(const struct tls_hello *h, char out[3])
{
	struct tls_cur c = {h->alpn.p, h->alpn.n, 0};
	struct tls_vec proto = {NULL, 0};
	static const char hex[] = "0123456789abcdef";

	out[0] = out[1] = '0', out[2] = 0;
	while (h->has_alpn && tls_cur_vec(&c, 1, &proto))
		if (!(proto.n == 2 && tls_grease(tls_rd16(proto.p))))
			break;
	if (!proto.n || !proto.p)
		return;
	if (tls_alnum(proto.p[0]) && tls_alnum(proto.p[proto.n - 1])) {
		out[0] = (char)proto.p[0], out[1] = (char)proto.p[proto.n - 1];
	} else {
		out[0] = hex[proto.p[0] >> 4], out[1] = hex[proto.p[proto.n - 1] & 15];
	}
}

/* First 12 hex digits of SHA-256 of s, or twelve zeros for an empty list. */
static void tls_hash12(const char *s, size_t n, char out[13])
{
	uint8_t md[32];
	char hex[65];

	if (!n || !EVP_Digest(s, n, md, NULL, EVP_sha256(), NULL)) {
		memcpy(out, "000000000000", 13);
		return;
	}
	tls_hex(md, 32, hex);
	memcpy(out, hex, 12);
	out[12] = 0;
}

/* The non-GREASE values JA4 hashes: ciphers, extension types without SNI
 * and ALPN, signature algorithms; and the count of all extension types. */
struct tls_ja4_lists {
	uint16_t *c, *e, *s;
	size_t nc, ne, ns, ext_total;
};

static int tls_ja4_collect(const struct tls_hello *h, struct tls_ja4_lists *l)
{
	struct tls_vec data;
	size_t off = 0, n = 0;
	uint16_t type;

	while (h->has_exts && tls_ext_next(&h->exts, &off, &type, &data))
		n++;
	/* Each array holds at most what its vector can: bounded by 64 KiB. */
	l->c = malloc((h->ciphers.n / 2 + 1) * sizeof(*l->c));
	l->e = malloc((n + 1) * sizeof(*l->e));
	l->s = malloc(((h->has_sigalgs ? h->sigalgs.n / 2 : 0) + 1) * sizeof(*l->s));
	if (!l->c || !l->e || !l->s)
		return -ENOMEM;
	l->nc = tls_values(h->ciphers, l->c);
	l->ns = h->has_sigalgs ? tls_values(h->sigalgs, l->s) : 0;
	for (off = 0; h->has_exts && tls_ext_next(&h->exts, &off, &type, &data);) {
		if (tls_grease(type))
			continue;
		l->ext_total++;
		if (type != 0 && type != 16)
			l->e[l->ne++] = type;
	}
	qsort(l->c, l->nc, sizeof(*l->c), tls_cmp16);
	qsort(l->e, l->ne, sizeof(*l->e), tls_cmp16);
	return 0;
}

/* JA4 = a_b_c (FoxIO technical_details/JA4.md):
 *  a: 't' (TCP) or 'd' (DTLS), version, 'd' if an SNI extension is present
 *     else 'i', cipher count and extension count (GREASE left out, capped
 *     at 99, two digits), ALPN characters;
 *  b: sha256 of the sorted cipher list ("%04x" joined by ','), 12 digits;
 *  c: sha256 of the sorted extension list without SNI (0) and ALPN (16),
 *     then '_' and the signature algorithms in their order (if any);
 *  an empty list hashes to twelve zeros.
 * raw gets the unhashed form (ja4_r).  0 or -ENOMEM. */
static int tls_ja4(const struct tls_hello *h, struct buf *ja4, struct buf *raw)
{
	struct tls_ja4_lists l = {0};
	struct buf list = {0};
	char a[16], alpn[3], hb[13], hc[13];
	int err = tls_ja4_collect(h, &l);

	if (err)
		goto out;
	tls_ja4_alpn(h, alpn);
	snprintf(a, sizeof(a), "%c%s%c%02u%02u%s", h->dtls ? 'd' : 't', tls_ja4_version(h),
		 h->has_sni ? 'd' : 'i', (unsigned)(l.nc > 99 ? 99 : l.nc),
		 (unsigned)(l.ext_total > 99 ? 99 : l.ext_total), alpn);
	err = tls_hex_list(&list, l.c, l.nc);
	tls_hash12((const char *)list.p, list.len, hb);
	err |= buf_printf(raw, "%s_", a);
	err |= buf_append(raw, list.p, list.len);
	err |= buf_putc(raw, '_');
	buf_reset(&list);
	err |= tls_hex_list(&list, l.e, l.ne);
	if (l.ne && l.ns) {
		err |= buf_putc(&list, '_');
		err |= tls_hex_list(&list, l.s, l.ns);
	}
	tls_hash12((const char *)list.p, l.ne ? list.len : 0, hc);
	err |= buf_append(raw, list.p, list.len);
	err |= buf_printf(ja4, "%s_%s_%s", a, hb, hc);
	err = err ? -ENOMEM : 0;
out:
	free(l.c), free(l.e), free(l.s);
	buf_free(&list);
	return err;
}

static void tls_put_alpn(struct json *j, const struct tls_hello *h)
{
	struct tls_cur c = {h->alpn.p, h->alpn.n, 0};
	struct tls_vec proto;
	unsigned k = 0;

	json_key(j, "alpn");
	json_arr_begin(j);
	while (k++ < TLS_ALPN_MAX && tls_cur_vec(&c, 1, &proto))
		json_val_str(j, proto.p, proto.n < TLS_NAME_CAP ? proto.n : TLS_NAME_CAP);
	json_arr_end(j);
}

static void tls_put_versions(struct json *j, const struct tls_hello *h)
{
	char tmp[8];

	json_key(j, "supported_versions");
	json_arr_begin(j);
	for (size_t i = 0; i + 2 <= h->versions.n && i / 2 < TLS_LIST_MAX; i += 2)
		json_val_cstr(j, tls_version_name(tls_rd16(h->versions.p + i), tmp, sizeof(tmp)));
	json_arr_end(j);
}

static void tls_put_extensions(struct json *j, const struct tls_hello *h)
{
	size_t off = 0;
	uint16_t type;
	struct tls_vec data;
	unsigned k = 0;

	json_key(j, "extensions");
	json_arr_begin(j);
	while (k++ < TLS_LIST_MAX && tls_ext_next(&h->exts, &off, &type, &data))
		json_val_u64(j, type);
	json_arr_end(j);
}

static void tls_put_fingerprints(struct json *j, const struct tls_hello *h)
{
	struct buf ja3 = {0}, ja4 = {0}, raw = {0};
	uint8_t md[16];
	char hex[33];

	if (!tls_ja3(h, &ja3) && EVP_Digest(ja3.p, ja3.len, md, NULL, EVP_md5(), NULL)) {
		tls_hex(md, 16, hex);
		json_kstr(j, "ja3", ja3.p, ja3.len);
		json_kcstr(j, "ja3_md5", hex);
	}
	if (!tls_ja4(h, &ja4, &raw)) {
		json_kstr(j, "ja4", ja4.p, ja4.len);
		json_kstr(j, "ja4_r", raw.p, raw.len);
	}
	buf_free(&ja3);
	buf_free(&ja4);
	buf_free(&raw);
}

static void tls_put_hello(struct json *j, const struct tls_hello *h)
{
	tls_kversion(j, "client_version", h->version);
	if (h->has_sni)
		json_kstr(j, "sni", h->sni.p, h->sni.n < TLS_NAME_CAP ? h->sni.n : TLS_NAME_CAP);
	if (h->has_alpn)
		tls_put_alpn(j, h);
	tls_klist(j, "ciphers", h->ciphers, 2);
	json_ku64(j, "cipher_count", h->ciphers.n / 2);
	tls_klist(j, "compression", h->comp, 1);
	json_ku64(j, "session_id_len", h->session_id.n);
	if (h->has_exts)
		tls_put_extensions(j, h);
	if (h->has_versions)
		tls_put_versions(j, h);
	if (h->has_sigalgs)
		tls_klist(j, "signature_algorithms", h->sigalgs, 2);
	if (h->has_groups)
		tls_klist(j, "groups", h->groups, 2);
	if (h->has_formats)
		tls_klist(j, "point_formats", h->formats, 1);
	if (!h->truncated)
		tls_put_fingerprints(j, h);
}

static void tls_put_sslv2(struct json *j, const struct record *r)
{
	struct tls_vec ciphers;
	uint16_t version;

	if (!tls_sslv2(r->payload, r->payload_len, &ciphers, &version))
		return;
	json_kcstr(j, "record_version", "SSL 2.0");
	tls_kversion(j, "client_version", version);
	tls_klist(j, "ciphers", ciphers, 3);
	json_ku64(j, "cipher_count", ciphers.n / 3);
}

static void tls_dissect(struct record *r)
{
	struct tls_hello h = {0};
	struct buf hs = {0};
	struct json j;
	size_t mark;
	size_t len = r->payload_len;

	if (r->proto == 17 && len >= 13 && tls_is_dtls_version(tls_rd16(r->payload + 1)))
		tls_dtls_gather(r->payload, len, &hs, &h);
	else
		tls_gather(r->payload, len, &hs, &h);
	proto_member_begin(&j, r, "tls", &mark);
	if (!h.records) {
		tls_put_sslv2(&j, r);
		goto out;
	}
	tls_kversion(&j, "record_version", h.record_version);
	json_ku64(&j, "records", h.records);
	if (hs.len < 4) {
		json_kbool(&j, "truncated", true);
		goto out;
	}
	h.hs_type = hs.p[0];
	if (h.hs_type != 1) {
		json_ku64(&j, "handshake_type", h.hs_type);
		goto out;
	}
	tls_parse_hello(hs.p + 4, hs.len - 4 < tls_rd24(hs.p + 1) ? hs.len - 4 : tls_rd24(hs.p + 1),
			&h);
	if (hs.len - 4 < tls_rd24(hs.p + 1))
		h.truncated = true;
	tls_put_hello(&j, &h);
	if (h.truncated)
		json_kbool(&j, "truncated", true);
out:
	proto_member_end(&j, r, mark);
	buf_free(&hs);
}

const struct proto_dissector proto_tls = {
	.name = "tls",
	.l4 = 0,
	.detect = tls_detect,
	.dissect = tls_dissect,
};
