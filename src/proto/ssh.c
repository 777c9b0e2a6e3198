/* SSH: the client's identification string ("SSH-2.0-OpenSSH_9.2p1 ..."),
 * the server's when a real server answered, and the client's KEXINIT with
 * its HASSH fingerprint (Salesforce, BSD-3-Clause):
 *   hassh_algorithms = kex_algorithms;encryption_c2s;mac_c2s;compression_c2s
 *   hassh = MD5(hassh_algorithms), lower-case hex
 * and the same for the server's KEXINIT (hassh_server: kex;enc_s2c;mac_s2c;
 * cmp_s2c) when it is there.
 *
 * The KEXINIT is the first binary packet after the version line (RFC 4253
 * section 6); it is sent in the clear.  Name-lists are written as they were
 * sent (comma-separated strings), capped at SSH_LIST_CAP bytes each; the
 * hashes use the whole lists. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define SSH_VERSION_MAX 255  /* RFC 4253 4.2: the line is at most 255 bytes */
#define SSH_PACKET_MAX 35000 /* RFC 4253 6.1 */
#define SSH_LIST_CAP 2048    /* bytes of a name-list written */
#define SSH_PRE_LINES 16     /* server lines looked at before its version */
#define SSH_MSG_KEXINIT 20
#define SSH_NLISTS 10

/* The name-lists of a KEXINIT, in wire order. */
static const char *const ssh_list_names[SSH_NLISTS] = {
	"kex_algorithms",
	"server_host_key_algorithms",
	"encryption_algorithms_client_to_server",
	"encryption_algorithms_server_to_client",
	"mac_algorithms_client_to_server",
	"mac_algorithms_server_to_client",
	"compression_algorithms_client_to_server",
	"compression_algorithms_server_to_client",
	"languages_client_to_server",
	"languages_server_to_client",
};

struct ssh_kexinit {
	const uint8_t *list[SSH_NLISTS];
	uint32_t len[SSH_NLISTS];
	unsigned nlists;  /* lists read whole */
	bool first_kex_follows, complete;
};

static int ssh_detect(const struct record *r)
{
	return proto_starts_with(r->payload, r->payload_len, "SSH-") ? 95 : 0;
}

static uint32_t ssh_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The version line at p: its length without CR LF, and where the binary
 * packets start.  Lines longer than the RFC allows are cut at the limit. */
static size_t ssh_version_line(const uint8_t *p, size_t len, size_t *next)
{
	size_t n = proto_line(p, len, next);

	return n < SSH_VERSION_MAX ? n : SSH_VERSION_MAX;
}

/* Parses the KEXINIT packet at p (packet_length, padding_length, payload)
 * into k (zeroed by the caller).  Reads only what was received.  Returns
 * the name-lists read whole: 0 if it is not a KEXINIT. */
static unsigned ssh_parse_kexinit(const uint8_t *p, size_t len, struct ssh_kexinit *k)
{
	uint32_t plen, n;
	size_t off, end;
	unsigned i;

	if (len < 6 + 16)
		return 0;
	plen = ssh_rd32(p);
	if (plen < 2 + 16 || plen > SSH_PACKET_MAX || p[5] != SSH_MSG_KEXINIT)
		return 0;
	end = 4 + (size_t)plen < len ? 4 + (size_t)plen : len;
	off = 6 + 16; /* length, padding length, message type, cookie */
	for (i = 0; i < SSH_NLISTS && end - off >= 4; i++) {
		n = ssh_rd32(p + off);
		if (n > end - off - 4)
			break; /* cut, or a list longer than the packet */
		k->list[i] = p + off + 4;
		k->len[i] = n;
		off += 4 + (size_t)n;
	}
	k->nlists = i;
	if (i == SSH_NLISTS && end - off >= 5) {
		k->first_kex_follows = p[off] != 0;
		k->complete = true;
	}
	return i;
}

static void ssh_hassh(struct json *j, const struct ssh_kexinit *k, bool server, const char *key,
		      const char *mdkey)
{
	static const int c2s[4] = {0, 2, 4, 6}, s2c[4] = {0, 3, 5, 7};
	const int *idx = server ? s2c : c2s;
	struct buf s = {0};
	uint8_t md[16];
	char hex[33];
	int err = 0;

	if (k->nlists < 8)
		return;
	for (int i = 0; i < 4; i++) {
		if (i)
			err |= buf_putc(&s, ';');
		err |= buf_append(&s, k->list[idx[i]], k->len[idx[i]]);
	}
	if (!err && EVP_Digest(s.p, s.len, md, NULL, EVP_md5(), NULL)) {
		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		json_kstr(j, key, s.p, s.len);
		json_kcstr(j, mdkey, hex);
	}
	buf_free(&s);
}

static void ssh_put_lists(struct json *j, const struct ssh_kexinit *k)
{
	for (unsigned i = 0; i < k->nlists; i++)
		json_kstr(j, ssh_list_names[i], k->list[i],
			  k->len[i] < SSH_LIST_CAP ? k->len[i] : SSH_LIST_CAP);
	if (k->complete)
		json_kbool(j, "first_kex_follows", k->first_kex_follows);
	else
		json_kbool(j, "kexinit_truncated", true);
}

/* "SSH-protoversion-softwareversion SP comments": the parts, for queries. */
static void ssh_put_version(struct json *j, const char *key, const uint8_t *p, size_t n)
{
	const uint8_t *dash, *sp;
	char k2[32];

	json_kstr(j, key, p, n);
	dash = n > 4 ? memchr(p + 4, '-', n - 4) : NULL;
	if (!dash)
		return;
	snprintf(k2, sizeof(k2), "%s_proto", key);
	json_kstr(j, k2, p + 4, (size_t)(dash - p) - 4);
	sp = memchr(dash + 1, ' ', n - (size_t)(dash + 1 - p));
	snprintf(k2, sizeof(k2), "%s_software", key);
	json_kstr(j, k2, dash + 1, sp ? (size_t)(sp - dash - 1) : n - (size_t)(dash + 1 - p));
	if (sp) {
		snprintf(k2, sizeof(k2), "%s_comments", key);
		json_kstr(j, k2, sp + 1, n - (size_t)(sp + 1 - p));
	}
}

/* The server's version line (it may send other lines first) and its KEXINIT. */
static void ssh_put_server(struct json *j, const struct record *r)
{
	const uint8_t *p = r->server_payload;
	size_t len = r->server_payload_len, off = 0, next, n;
	struct ssh_kexinit k = {0};

	for (int i = 0; i < SSH_PRE_LINES && off < len; i++, off += next) {
		if (!proto_starts_with(p + off, len - off, "SSH-")) {
			proto_line(p + off, len - off, &next);
			continue;
		}
		n = ssh_version_line(p + off, len - off, &next);
		ssh_put_version(j, "server", p + off, n);
		off += next;
		if (ssh_parse_kexinit(p + off, len - off, &k)) {
			json_key(j, "server_kexinit");
			json_obj_begin(j);
			ssh_put_lists(j, &k);
			json_obj_end(j);
			ssh_hassh(j, &k, true, "hassh_server_algorithms", "hassh_server");
		}
		return;
	}
}

static void ssh_dissect(struct record *r)
{
	struct json j;
	size_t mark, next, n;
	struct ssh_kexinit k = {0};

	proto_member_begin(&j, r, "ssh", &mark);
	n = ssh_version_line(r->payload, r->payload_len, &next);
	ssh_put_version(&j, "client", r->payload, n);
	/* SSH 1.x clients use another packet format: no KEXINIT there. */
	if ((proto_starts_with(r->payload, n, "SSH-2.0-") ||
	     proto_starts_with(r->payload, n, "SSH-1.99-")) &&
	    ssh_parse_kexinit(r->payload + next, r->payload_len - next, &k)) {
		ssh_put_lists(&j, &k);
		ssh_hassh(&j, &k, false, "hassh_algorithms", "hassh");
	}
	ssh_put_server(&j, r);
	proto_member_end(&j, r, mark);
}

const struct proto_dissector proto_ssh = {
	.name = "ssh",
	.l4 = 6,
	.detect = ssh_detect,
	.dissect = ssh_dissect,
};
