/* Flow record and its JSON form.  Field names and meanings follow the original
 * cloud pipeline (init_ts, last_ts, src_addr, dst_port, payload, readable,
 * s3path, ...) so its queries keep working; everything else is a superset. */
#include "analyze/record.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/b64.h"
#include "core/json.h"

void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->service, "unknown");
}

void record_free(struct record *r)
{
	free(r->payload);
	free(r->server_payload);
	buf_free(&r->extra);
	r->payload = r->server_payload = NULL;
	r->payload_len = r->server_payload_len = 0;
}

int record_add_tag(struct record *r, const char *tag)
{
	if (record_has_tag(r, tag))
		return 0;
	if (r->ntags >= RECORD_MAX_TAGS)
		return -ENOSPC;
	snprintf(r->tags[r->ntags++], RECORD_TAG_LEN, "%s", tag);
	return 0;
}

bool record_has_tag(const struct record *r, const char *tag)
{
	for (unsigned i = 0; i < r->ntags && i < RECORD_MAX_TAGS; i++)
		if (!strncmp(r->tags[i], tag, RECORD_TAG_LEN))
			return true;
	return false;
}

/* Credentials are attacker bytes: copied bounded, NUL bytes cut the copy. */
static void copy_bounded(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = 0;
}

int record_add_cred(struct record *r, const char *proto, const uint8_t *user, size_t ulen,
		    const uint8_t *pass, size_t plen)
{
	struct record_cred *c;

	if (r->ncreds >= RECORD_MAX_CREDS)
		return -ENOSPC;
	c = &r->creds[r->ncreds++];
	snprintf(c->proto, sizeof(c->proto), "%s", proto);
	copy_bounded(c->user, sizeof(c->user), user, ulen);
	copy_bounded(c->pass, sizeof(c->pass), pass, plen);
	return 0;
}

void record_readable(const uint8_t *p, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = p[i];
		int keep = (c >= 0x20 && c <= 0x7e) || (c >= '\t' && c <= '\r');

		out[i] = keep ? (char)c : '.';
	}
	out[len] = 0;
}

const char *record_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return "other";
	}
}

/* TCP flag letters in bit order FIN SYN RST PSH ACK URG ECE CWR, so the same
 * set always reads the same ("FSA" for FIN+SYN+ACK). */
static void record_flags_str(uint8_t f, char out[9])
{
	static const char letters[] = "FSRPAUEC";
	size_t n = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (f & (1u << i))
			out[n++] = letters[i];
	out[n] = 0;
}

/* Fixed-size text fields are written up to their NUL or their size, so a
 * field filled to the brim cannot make us read past it. */
#define record_kfield(j, key, field)                                                               \
	json_kstr(j, key, (const uint8_t *)(field), strnlen(field, sizeof(field)))

static void record_put_endpoints(struct json *j, const struct record *r)
{
	char a[ADDR_STRLEN];

	json_kdouble(j, "init_ts", r->init_ts);
	json_kdouble(j, "last_ts", r->last_ts);
	json_kcstr(j, "src_addr", addr_format(&r->src, a));
	json_ku64(j, "src_port", r->sport);
	json_kcstr(j, "dst_addr", addr_format(&r->dst, a));
	json_ku64(j, "dst_port", r->dport);
	json_kcstr(j, "proto", record_proto_name(r->proto));
	json_ku64(j, "packets", r->packets);
	json_ku64(j, "bytes", r->bytes);
	json_ku64(j, "client_packets", r->client_packets);
	json_ku64(j, "server_packets", r->server_packets);
	json_key(j, "community_id");
	if (r->community_id[0])
		json_val_str(j, (const uint8_t *)r->community_id,
			     strnlen(r->community_id, sizeof(r->community_id)));
	else
		json_val_null(j);
}

/* Writes `"key":"<base64>"`; base64 needs no escaping, so it goes in as a
 * pre-rendered value through the scratch buffer. */
static void record_put_b64(struct json *j, const char *key, const uint8_t *p, size_t n,
			   struct buf *tmp)
{
	int ret;

	buf_reset(tmp);
	ret = buf_putc(tmp, '"');
	if (!ret)
		ret = b64_encode(tmp, p, n);
	if (!ret)
		ret = buf_putc(tmp, '"');
	if (ret && !j->err)
		j->err = ret;
	json_key(j, key);
	json_val_raw(j, tmp->p, tmp->len);
}

static void record_put_payloads(struct json *j, const struct record *r, struct buf *tmp)
{
	record_put_b64(j, "payload", r->payload, r->payload_len, tmp);
	buf_reset(tmp);
	if (buf_reserve(tmp, r->payload_len)) {
		j->err = j->err ? j->err : -ENOMEM;
		return;
	}
	record_readable(r->payload, r->payload_len, (char *)tmp->p);
	json_kstr(j, "readable", tmp->p, r->payload_len);
	record_put_b64(j, "server_payload", r->server_payload, r->server_payload_len, tmp);
	json_ku64(j, "payload_len", r->payload_len);
	json_ku64(j, "server_payload_len", r->server_payload_len);
}

static void record_put_gaps(struct json *j, const struct record *r)
{
	unsigned i, n = r->ngaps < RECORD_MAX_GAPS ? r->ngaps : RECORD_MAX_GAPS;

	json_key(j, "gaps");
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		json_obj_begin(j);
		json_kcstr(j, "dir", r->gaps[i].dir ? "server" : "client");
		json_ku64(j, "offset", r->gaps[i].offset);
		json_ku64(j, "len", r->gaps[i].len);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_ku64(j, "gaps_total", r->gaps_total);
	json_kbool(j, "truncated", r->truncated);
}

static void record_put_tcp(struct json *j, const struct record *r)
{
	char f[9];

	record_flags_str(r->tcp_flags_client | r->tcp_flags_server, f);
	json_kcstr(j, "tcp_flags_seen", f);
	record_flags_str(r->tcp_flags_client, f);
	json_kcstr(j, "tcp_flags_client", f);
	record_flags_str(r->tcp_flags_server, f);
	json_kcstr(j, "tcp_flags_server", f);
	json_kbool(j, "client_fin", r->client_fin);
	json_kbool(j, "client_rst", r->client_rst);
	json_kbool(j, "server_fin", r->server_fin);
	json_kbool(j, "server_rst", r->server_rst);
}

static void record_put_meta(struct json *j, const struct record *r)
{
	if (r->service[0])
		record_kfield(j, "service", r->service);
	else
		json_kcstr(j, "service", "unknown");
	json_key(j, "tags");
	json_arr_begin(j);
	for (unsigned i = 0; i < r->ntags && i < RECORD_MAX_TAGS; i++)
		json_val_str(j, (const uint8_t *)r->tags[i], strnlen(r->tags[i], RECORD_TAG_LEN));
	json_arr_end(j);
	if (r->ncreds) {
		json_key(j, "creds");
		json_arr_begin(j);
		for (unsigned i = 0; i < r->ncreds && i < RECORD_MAX_CREDS; i++) {
			const struct record_cred *c = &r->creds[i];
			json_obj_begin(j);
			json_kstr(j, "proto", (const uint8_t *)c->proto, strnlen(c->proto, sizeof(c->proto)));
			json_kstr(j, "user", (const uint8_t *)c->user, strnlen(c->user, sizeof(c->user)));
			json_kstr(j, "pass", (const uint8_t *)c->pass, strnlen(c->pass, sizeof(c->pass)));
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	if (r->scanner[0])
		record_kfield(j, "scanner", r->scanner);
	if (r->os_guess[0])
		record_kfield(j, "os_guess", r->os_guess);
	if (r->flow_end[0])
		record_kfield(j, "flow_end", r->flow_end);
	record_kfield(j, "s3path", r->s3path);
	record_kfield(j, "sensor", r->sensor);
	record_kfield(j, "flow_key", r->flow_key);
}

int record_to_json(const struct record *r, struct buf *out)
{
	return record_to_json_opts(r, out, 0);
}

int record_to_json_opts(const struct record *r, struct buf *out, unsigned flags)
{
	struct buf tmp = {0};
	struct json j;
	size_t mark = out->len;
	int ret;

	json_init(&j, out);
	json_obj_begin(&j);
	record_put_endpoints(&j, r);
	if (flags & RECORD_JSON_NO_BULK) {
		json_ku64(&j, "payload_len", r->payload_len);
		json_ku64(&j, "server_payload_len", r->server_payload_len);
	} else {
		record_put_payloads(&j, r, &tmp);
	}
	record_put_gaps(&j, r);
	if (r->proto == IPPROTO_TCP)
		record_put_tcp(&j, r);
	if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) {
		json_ku64(&j, "icmp_type", r->icmp_type);
		json_ku64(&j, "icmp_code", r->icmp_code);
	}
	record_put_meta(&j, r);
	json_raw(&j, r->extra.p, r->extra.len);
	json_obj_end(&j);
	ret = json_finish(&j);
	if (ret)
		out->len = mark; /* never leave half an object behind */
	buf_free(&tmp);
	return ret;
}
