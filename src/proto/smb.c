/* SMB over NetBIOS session service / direct TCP (139, 445): each message
 * has a 4-byte header (type, 24-bit length) before "\xffSMB" (SMB1),
 * "\xfeSMB" (SMB2/3), "\xfdSMB" (encrypted) or "\xfcSMB" (compressed).
 * We keep the shapes: commands, the NEGOTIATE dialects and SMB 3.1.1
 * negotiate contexts, Trans2 subcommands, the compression transform's
 * fields.  Naming exploits (EternalBlue, SMBGhost) is the rules engine's
 * job. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define SMB_MAX_FRAMES 64
#define SMB_MAX_CMDS 32
#define SMB_MAX_DIALECTS 16
#define SMB_MAX_CTX 8
#define SMB_DIALECT_CAP 48

static uint16_t smb_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t smb_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct smb_dialect {
	const uint8_t *p; /* SMB1: name; SMB2: NULL */
	size_t n;
	uint16_t code; /* SMB2 */
};

struct smb_state {
	int version; /* of the first SMB message: 1, 2, or 0 */
	char cmds[SMB_MAX_CMDS][24];
	unsigned ncmds;
	struct smb_dialect dialects[SMB_MAX_DIALECTS];
	unsigned ndialects;
	bool have_negotiate;
	int ctx_count;
	uint16_t ctx_types[SMB_MAX_CTX];
	unsigned nctx;
	uint16_t trans2[8];
	unsigned ntrans2;
	bool compressed;
	uint32_t comp_size, comp_offset;
	uint16_t comp_alg, comp_flags;
	bool encrypted;
	char called[17];
};

static const char *smb1_cmd_name(uint8_t c)
{
	switch (c) {
	case 0x04:
		return "close";
	case 0x24:
		return "locking_andx";
	case 0x25:
		return "trans";
	case 0x2b:
		return "echo";
	case 0x2e:
		return "read_andx";
	case 0x2f:
		return "write_andx";
	case 0x32:
		return "trans2";
	case 0x71:
		return "tree_disconnect";
	case 0x72:
		return "negotiate";
	case 0x73:
		return "session_setup_andx";
	case 0x74:
		return "logoff_andx";
	case 0x75:
		return "tree_connect_andx";
	case 0xa0:
		return "nt_trans";
	case 0xa2:
		return "nt_create_andx";
	default:
		return NULL;
	}
}

static const char *smb2_cmd_name(uint16_t c)
{
	static const char *const names[] = {
	    "negotiate",     "session_setup", "logoff",	  "tree_connect", "tree_disconnect",
	    "create",	     "close",	      "flush",	  "read",	  "write",
	    "lock",	     "ioctl",	      "cancel",	  "echo",	  "query_directory",
	    "change_notify", "query_info",    "set_info", "oplock_break"};

	return c < sizeof(names) / sizeof(names[0]) ? names[c] : NULL;
}

static void smb_add_cmd(struct smb_state *st, int ver, const char *name, unsigned code)
{
	if (st->ncmds >= SMB_MAX_CMDS)
		return;
	if (name)
		snprintf(st->cmds[st->ncmds++], sizeof(st->cmds[0]), "%s", name);
	else
		snprintf(st->cmds[st->ncmds++], sizeof(st->cmds[0]), "smb%d_0x%02x", ver, code);
}

/* SMB1 NEGOTIATE: WordCount 0, ByteCount, then 0x02 "dialect" NUL ... */
static void smb1_negotiate(struct smb_state *st, const uint8_t *m, size_t n)
{
	size_t i, end;

	if (n < 35 || st->have_negotiate)
		return;
	st->have_negotiate = true;
	i = 33 + 2 * (size_t)m[32];
	if (i + 2 > n)
		return;
	end = i + 2 + smb_le16(m + i);
	end = end < n ? end : n;
	for (i += 2; i < end && m[i] == 0x02 && st->ndialects < SMB_MAX_DIALECTS;) {
		const uint8_t *z = memchr(m + i + 1, 0, end - i - 1);
		size_t l = z ? (size_t)(z - (m + i + 1)) : end - i - 1;
		st->dialects[st->ndialects++] = (struct smb_dialect){m + i + 1, l, 0};
		i += 2 + l;
	}
}

static void smb1_message(struct smb_state *st, const uint8_t *m, size_t n)
{
	uint8_t cmd = m[4];

	smb_add_cmd(st, 1, smb1_cmd_name(cmd), cmd);
	if (cmd == 0x72)
		smb1_negotiate(st, m, n);
	/* Trans2: 14 parameter words, then the setup words (the subcommand). */
	if (cmd == 0x32 && n > 33 && m[32] >= 15 && 33 + 30 <= n && st->ntrans2 < 8)
		st->trans2[st->ntrans2++] = smb_le16(m + 33 + 28);
}

/* SMB 3.1.1 negotiate contexts: type u16, length u16, 4 reserved, data,
 * each 8-byte aligned, at an offset from the SMB2 header. */
static void smb2_contexts(struct smb_state *st, const uint8_t *m, size_t n, size_t off,
			  unsigned count)
{
	for (unsigned k = 0; k < count && k < SMB_MAX_CTX && off + 8 <= n; k++) {
		size_t dl = smb_le16(m + off + 2);
		st->ctx_types[st->nctx++] = smb_le16(m + off);
		off += 8 + dl;
		off = (off + 7) & ~(size_t)7;
	}
}

/* SMB2 NEGOTIATE request body at m + 64. */
static void smb2_negotiate(struct smb_state *st, const uint8_t *m, size_t n)
{
	const uint8_t *b = m + 64;
	unsigned count;
	bool has311 = false;

	if (n < 64 + 36 || st->have_negotiate)
		return;
	st->have_negotiate = true;
	count = smb_le16(b + 2);
	for (unsigned k = 0; k < count && 64 + 36 + 2 * k + 2 <= n; k++) {
		uint16_t d = smb_le16(b + 36 + 2 * k);
		has311 |= d == 0x0311;
		if (st->ndialects < SMB_MAX_DIALECTS)
			st->dialects[st->ndialects++] = (struct smb_dialect){NULL, 0, d};
	}
	if (has311) { /* the context fields mean something only with 3.1.1 */
		st->ctx_count = smb_le16(b + 32);
		smb2_contexts(st, m, n, smb_le32(b + 28), (unsigned)st->ctx_count);
	}
}

static void smb_frame(struct smb_state *st, const uint8_t *m, size_t n)
{
	if (n < 4)
		return;
	if (!memcmp(m, "\xffSMB", 4) && n >= 33) {
		st->version = st->version ? st->version : 1;
		smb1_message(st, m, n);
	} else if (!memcmp(m, "\xfeSMB", 4) && n >= 64) {
		uint16_t cmd = smb_le16(m + 12);
		st->version = st->version ? st->version : 2;
		smb_add_cmd(st, 2, smb2_cmd_name(cmd), cmd);
		if (cmd == 0)
			smb2_negotiate(st, m, n);
	} else if (!memcmp(m, "\xfcSMB", 4) && n >= 16 && !st->compressed) {
		st->compressed = true;
		st->comp_size = smb_le32(m + 4);
		st->comp_alg = smb_le16(m + 8);
		st->comp_flags = smb_le16(m + 10);
		st->comp_offset = smb_le32(m + 12);
		smb_add_cmd(st, 2, "compression_transform", 0);
	} else if (!memcmp(m, "\xfdSMB", 4)) {
		st->encrypted = true;
		smb_add_cmd(st, 2, "transform", 0);
	}
}

/* NetBIOS first-level encoding: each nibble + 'A'. */
static void smb_netbios_name(char out[17], const uint8_t *p)
{
	for (int k = 0; k < 16; k++) {
		unsigned c = (unsigned)(p[2 * k] - 'A') << 4 | (unsigned)(p[2 * k + 1] - 'A');
		out[k] = c >= 0x21 && c < 0x7f ? (char)c : 0;
	}
	out[16] = 0;
	for (int k = 15; k >= 0 && (out[k] == ' ' || !out[k]); k--)
		out[k] = 0;
}

static void smb_walk(struct smb_state *st, const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (unsigned k = 0; k < SMB_MAX_FRAMES && i + 4 <= len; k++) {
		size_t l = (size_t)p[i + 1] << 16 | (size_t)p[i + 2] << 8 | p[i + 3];
		size_t avail = len - i - 4 < l ? len - i - 4 : l;
		if (p[i] == 0x00)
			smb_frame(st, p + i + 4, avail);
		else if (p[i] == 0x81 && avail >= 34 && p[i + 4] == 0x20 && !st->called[0])
			smb_netbios_name(st->called, p + i + 5);
		else if (p[i] != 0x85)
			break;
		i += 4 + avail;
	}
}

static void smb_write_dialects(struct json *j, const struct smb_state *st)
{
	char hex[8];

	json_key(j, "dialects");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->ndialects; k++) {
		const struct smb_dialect *d = &st->dialects[k];
		if (d->p) {
			json_val_str(j, d->p, d->n < SMB_DIALECT_CAP ? d->n : SMB_DIALECT_CAP);
		} else {
			snprintf(hex, sizeof(hex), "0x%04x", d->code);
			json_val_cstr(j, hex);
		}
	}
	json_arr_end(j);
}

static void smb_write(struct json *j, const struct smb_state *st)
{
	json_ku64(j, "version", (uint64_t)st->version);
	if (st->called[0])
		json_kcstr(j, "netbios_called", st->called);
	json_key(j, "commands");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->ncmds; k++)
		json_val_cstr(j, st->cmds[k]);
	json_arr_end(j);
	if (st->have_negotiate)
		smb_write_dialects(j, st);
	if (st->nctx || st->ctx_count) {
		json_ku64(j, "negotiate_contexts", (uint64_t)st->ctx_count);
		json_key(j, "context_types");
		json_arr_begin(j);
		for (unsigned k = 0; k < st->nctx; k++)
			json_val_u64(j, st->ctx_types[k]);
		json_arr_end(j);
	}
	if (st->ntrans2) {
		json_key(j, "trans2_subcommands");
		json_arr_begin(j);
		for (unsigned k = 0; k < st->ntrans2; k++)
			json_val_u64(j, st->trans2[k]);
		json_arr_end(j);
	}
	if (st->compressed) {
		json_key(j, "compression");
		json_obj_begin(j);
		json_ku64(j, "original_size", st->comp_size);
		json_ku64(j, "algorithm", st->comp_alg);
		json_ku64(j, "flags", st->comp_flags);
		json_ku64(j, "offset", st->comp_offset);
		json_obj_end(j);
	}
	if (st->encrypted)
		json_kbool(j, "encrypted", true);
}

static void smb_dissect(struct record *r)
{
	struct smb_state st;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	if (r->payload_len)
		smb_walk(&st, r->payload, r->payload_len);
	proto_member_begin(&j, r, "smb", &mark);
	smb_write(&j, &st);
	proto_member_end(&j, r, mark);
}

static int smb_detect(const struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->payload_len;

	if (len >= 8 && p[0] == 0 && p[5] == 'S' && p[6] == 'M' && p[7] == 'B' &&
	    (p[4] == 0xff || p[4] == 0xfe || p[4] == 0xfd || p[4] == 0xfc))
		return 95;
	if (len >= 72 && p[0] == 0x81 && p[4] == 0x20 && p[5] >= 'A' && p[5] <= 'P')
		return 85; /* NetBIOS session request (139) */
	return 0;
}

const struct proto_dissector proto_smb = {
    .name = "smb",
    .l4 = 6,
    .detect = smb_detect,
    .dissect = smb_dissect,
};
