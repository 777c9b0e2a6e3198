/* Android Debug Bridge over TCP (5555).  Messages are a 24-byte header of
 * little-endian words (command, arg0, arg1, data length, data checksum,
 * magic = command ^ 0xffffffff) and their data.  The client starts with
 * CNXN (version, max data, "host::features=...") and, on a device that
 * needs no key, goes on with OPEN "shell:..." where bots put their
 * download-and-run commands. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define ADB_HDR 24
#define ADB_CNXN 0x4e584e43u
#define ADB_OPEN 0x4e45504fu
#define ADB_WRTE 0x45545257u
#define ADB_MAX_MSGS 64
#define ADB_MAX_NAMES 16
#define ADB_MAX_OPEN 8
#define ADB_MAX_WRTE 4
#define ADB_STR_CAP 512

static uint32_t adb_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A header whose magic checks out and whose command is four capitals. */
static bool adb_header(const uint8_t *p, size_t len)
{
	if (len < ADB_HDR || adb_le32(p + 20) != (adb_le32(p) ^ 0xffffffffu))
		return false;
	for (int k = 0; k < 4; k++)
		if (p[k] < 'A' || p[k] > 'Z')
			return false;
	return true;
}

struct adb_span {
	const uint8_t *p;
	size_t n;
};

struct adb_state {
	char names[ADB_MAX_NAMES][5];
	unsigned nnames;
	bool have_cnxn;
	uint32_t version, maxdata;
	struct adb_span identity, open[ADB_MAX_OPEN], wrte[ADB_MAX_WRTE];
	unsigned nopen, nwrte;
};

/* Data strings end at their NUL, if any. */
static struct adb_span adb_str(const uint8_t *p, size_t n)
{
	const uint8_t *z = memchr(p, 0, n);

	return (struct adb_span){p, z ? (size_t)(z - p) : n};
}

static void adb_message(struct adb_state *st, const uint8_t *h, const uint8_t *d, size_t dn)
{
	uint32_t cmd = adb_le32(h);

	if (st->nnames < ADB_MAX_NAMES) {
		memcpy(st->names[st->nnames], h, 4);
		st->names[st->nnames++][4] = 0;
	}
	if (cmd == ADB_CNXN && !st->have_cnxn) {
		st->have_cnxn = true;
		st->version = adb_le32(h + 4);
		st->maxdata = adb_le32(h + 8);
		st->identity = adb_str(d, dn);
	} else if (cmd == ADB_OPEN && st->nopen < ADB_MAX_OPEN) {
		st->open[st->nopen++] = adb_str(d, dn);
	} else if (cmd == ADB_WRTE && st->nwrte < ADB_MAX_WRTE) {
		st->wrte[st->nwrte++] = (struct adb_span){d, dn};
	}
}

static void adb_walk(struct adb_state *st, const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (unsigned k = 0; k < ADB_MAX_MSGS && adb_header(p + i, len - i); k++) {
		size_t dl = adb_le32(p + i + 12), avail = len - i - ADB_HDR;
		if (dl > avail)
			dl = avail; /* cut by the end of the capture */
		adb_message(st, p + i, p + i + ADB_HDR, dl);
		i += ADB_HDR + dl;
	}
}

static void adb_list(struct json *j, const char *key, const struct adb_span *s, unsigned n)
{
	if (!n)
		return;
	json_key(j, key);
	json_arr_begin(j);
	for (unsigned k = 0; k < n; k++)
		json_val_str(j, s[k].p, s[k].n < ADB_STR_CAP ? s[k].n : ADB_STR_CAP);
	json_arr_end(j);
}

static void adb_dissect(struct record *r)
{
	struct adb_state st;
	struct json j;
	size_t mark;
	char v[16];

	memset(&st, 0, sizeof(st));
	if (r->payload_len)
		adb_walk(&st, r->payload, r->payload_len);
	proto_member_begin(&j, r, "adb", &mark);
	json_key(&j, "commands");
	json_arr_begin(&j);
	for (unsigned k = 0; k < st.nnames; k++)
		json_val_cstr(&j, st.names[k]);
	json_arr_end(&j);
	if (st.have_cnxn) {
		snprintf(v, sizeof(v), "0x%08x", st.version);
		json_kcstr(&j, "version", v);
		json_ku64(&j, "maxdata", st.maxdata);
		json_kstr(&j, "identity", st.identity.p,
			  st.identity.n < ADB_STR_CAP ? st.identity.n : ADB_STR_CAP);
	}
	adb_list(&j, "open", st.open, st.nopen);
	adb_list(&j, "write", st.wrte, st.nwrte);
	proto_member_end(&j, r, mark);
}

static int adb_detect(const struct record *r)
{
	if (!adb_header(r->payload, r->payload_len))
		return 0;
	return adb_le32(r->payload) == ADB_CNXN ? 95 : 80;
}

const struct proto_dissector proto_adb = {
    .name = "adb",
    .l4 = 6,
    .detect = adb_detect,
    .dissect = adb_dissect,
};
