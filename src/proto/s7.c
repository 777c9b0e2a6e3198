/* Siemens S7comm on ISO-on-TCP (102): TPKT (03 00 length) around COTP.
 * The client opens with a COTP Connection Request whose parameters name
 * the TSAPs (0xC1 calling, 0xC2 called: rack and slot), then sends COTP
 * data (02 F0 80) carrying S7 PDUs (protocol id 0x32): a job "setup
 * communication" (function 0xF0, negotiated PDU size) and, to identify a
 * PLC, userdata "read SZL" (CPU functions group, subfunction 1) with the
 * SZL id and index.  0x72 marks S7comm-plus (S7-1200/1500). */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define S7_MAX_TPKT 32
#define S7_MAX_FUNCS 16
#define S7_MAX_SZL 8

static uint16_t s7_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

struct s7_state {
	bool have_cr;
	uint16_t src_tsap, dst_tsap;
	bool have_src, have_dst;
	int tpdu_size; /* the 0xC0 code (2^n bytes), -1 if absent */
	const char *funcs[S7_MAX_FUNCS];
	unsigned nfuncs;
	int pdu_length; /* from setup communication, -1 if absent */
	uint16_t szl[S7_MAX_SZL][2];
	unsigned nszl;
	bool plus;
	unsigned s7_pdus;
};

static void s7_add_func(struct s7_state *st, const char *name)
{
	for (unsigned k = 0; k < st->nfuncs; k++)
		if (!strcmp(st->funcs[k], name))
			return;
	if (st->nfuncs < S7_MAX_FUNCS)
		st->funcs[st->nfuncs++] = name;
}

/* COTP CR parameters: code, length, value. */
static void s7_cr_params(struct s7_state *st, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 2 <= n;) {
		uint8_t code = p[i], l = p[i + 1];
		if (l > n - i - 2)
			break;
		if (code == 0xc1 && l == 2) {
			st->src_tsap = s7_be16(p + i + 2);
			st->have_src = true;
		} else if (code == 0xc2 && l == 2) {
			st->dst_tsap = s7_be16(p + i + 2);
			st->have_dst = true;
		} else if (code == 0xc0 && l == 1) {
			st->tpdu_size = p[i + 2];
		}
		i += 2 + l;
	}
}

static const char *s7_job_name(uint8_t f)
{
	switch (f) {
	case 0xf0:
		return "setup_communication";
	case 0x04:
		return "read_var";
	case 0x05:
		return "write_var";
	case 0x1a:
		return "request_download";
	case 0x1b:
		return "download_block";
	case 0x1c:
		return "download_ended";
	case 0x1d:
		return "start_upload";
	case 0x1e:
		return "upload";
	case 0x1f:
		return "end_upload";
	case 0x28:
		return "plc_control";
	case 0x29:
		return "plc_stop";
	default:
		return "job_other";
	}
}

/* Userdata: param 00 01 12 len method type|group subfunction ...; data
 * return code, transport size, length, then (read SZL) id and index. */
static void s7_userdata(struct s7_state *st, const uint8_t *par, size_t pl, const uint8_t *d,
			size_t dl)
{
	uint8_t group, sub;

	if (pl < 8 || par[0] != 0 || par[1] != 1 || par[2] != 0x12)
		return;
	group = par[5] & 0x0f;
	sub = par[6];
	if (group == 4 && sub == 1) {
		s7_add_func(st, "read_szl");
		if (dl >= 8 && st->nszl < S7_MAX_SZL) {
			st->szl[st->nszl][0] = s7_be16(d + 4);
			st->szl[st->nszl++][1] = s7_be16(d + 6);
		}
	} else if (group == 4) {
		s7_add_func(st, "cpu_function");
	} else if (group == 7) {
		s7_add_func(st, "time_function");
	} else if (group == 3) {
		s7_add_func(st, "block_function");
	} else if (group == 5) {
		s7_add_func(st, "security");
	} else {
		s7_add_func(st, "userdata_other");
	}
}

/* One S7 PDU (protocol id 0x32) at p[0..n). */
static void s7_pdu(struct s7_state *st, const uint8_t *p, size_t n)
{
	size_t hl, pl, dl;
	uint8_t rosctr;

	if (n < 10)
		return;
	st->s7_pdus++;
	rosctr = p[1];
	hl = (rosctr == 2 || rosctr == 3) ? 12 : 10;
	pl = s7_be16(p + 6);
	dl = s7_be16(p + 8);
	if (hl > n)
		return;
	pl = pl < n - hl ? pl : n - hl;
	dl = dl < n - hl - pl ? dl : n - hl - pl;
	if (rosctr == 1 && pl >= 1) {
		s7_add_func(st, s7_job_name(p[hl]));
		if (p[hl] == 0xf0 && pl >= 8)
			st->pdu_length = s7_be16(p + hl + 6);
	} else if (rosctr == 7) {
		s7_userdata(st, p + hl, pl, p + hl + pl, dl);
	}
}

/* One TPKT's COTP at p[0..n). */
static void s7_cotp(struct s7_state *st, const uint8_t *p, size_t n)
{
	size_t li;

	if (n < 2)
		return;
	li = p[0];
	if (li + 1 > n)
		li = n - 1;
	if ((p[1] & 0xf0) == 0xe0 && li >= 6 && !st->have_cr) {
		st->have_cr = true;
		s7_cr_params(st, p + 7, li + 1 - 7);
	} else if (p[1] == 0xf0 && li + 1 < n) {
		if (p[li + 1] == 0x32)
			s7_pdu(st, p + li + 1, n - li - 1);
		else if (p[li + 1] == 0x72)
			st->plus = true;
	}
}

static void s7_walk(struct s7_state *st, const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (unsigned k = 0; k < S7_MAX_TPKT && i + 4 <= len; k++) {
		size_t tl = s7_be16(p + i + 2);
		if (p[i] != 3 || p[i + 1] != 0 || tl < 7)
			break;
		tl = tl < len - i ? tl : len - i;
		s7_cotp(st, p + i + 4, tl - 4);
		i += tl;
	}
}

static void s7_khex(struct json *j, const char *key, uint16_t v)
{
	char s[8];

	snprintf(s, sizeof(s), "0x%04x", v);
	json_kcstr(j, key, s);
}

static void s7_write(struct json *j, const struct s7_state *st)
{
	char a[8], b[8];

	if (st->have_src)
		s7_khex(j, "src_tsap", st->src_tsap);
	if (st->have_dst)
		s7_khex(j, "dst_tsap", st->dst_tsap);
	if (st->tpdu_size >= 0)
		json_ku64(j, "tpdu_size",
			  st->tpdu_size >= 7 && st->tpdu_size <= 13 ? 1u << st->tpdu_size
								    : (unsigned)st->tpdu_size);
	json_key(j, "functions");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->nfuncs; k++)
		json_val_cstr(j, st->funcs[k]);
	json_arr_end(j);
	if (st->pdu_length >= 0)
		json_ku64(j, "pdu_length", (uint64_t)st->pdu_length);
	if (st->nszl) {
		json_key(j, "szl");
		json_arr_begin(j);
		for (unsigned k = 0; k < st->nszl; k++) {
			snprintf(a, sizeof(a), "0x%04x", st->szl[k][0]);
			snprintf(b, sizeof(b), "0x%04x", st->szl[k][1]);
			json_obj_begin(j);
			json_kcstr(j, "id", a);
			json_kcstr(j, "index", b);
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	if (st->plus)
		json_kbool(j, "s7commplus", true);
}

static void s7_dissect(struct record *r)
{
	struct s7_state st;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	st.tpdu_size = st.pdu_length = -1;
	if (r->payload_len)
		s7_walk(&st, r->payload, r->payload_len);
	proto_member_begin(&j, r, "s7", &mark);
	s7_write(&j, &st);
	proto_member_end(&j, r, mark);
}

static int s7_detect(const struct record *r)
{
	struct s7_state st;

	if (r->payload_len < 7 || r->payload[0] != 3 || r->payload[1] != 0)
		return 0;
	memset(&st, 0, sizeof(st));
	st.tpdu_size = st.pdu_length = -1;
	s7_walk(&st, r->payload, r->payload_len);
	if (st.s7_pdus)
		return 95;
	if (st.plus)
		return 90;
	if (st.have_src || st.have_dst)
		return 85;
	return 0;
}

const struct proto_dissector proto_s7 = {
    .name = "s7",
    .l4 = 6,
    .detect = s7_detect,
    .dissect = s7_dissect,
};
