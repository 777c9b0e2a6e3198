#include "sensor/sensor.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/log.h"
#include "sensor/sensor_int.h"

void sensor_cfg_defaults(struct sensor_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->firewall = true;
	cfg->respond = true;
	cfg->user = "nobody";
	cfg->store = "./mitsu-data";
	cfg->idle_s = 60;
	cfg->max_life_s = 3600;
	cfg->max_flows = 131072;
	cfg->max_flow_packets = 10000;
	cfg->max_flow_bytes = 16 << 20;
	cfg->mem_budget = 128ull << 20;
	cfg->rate = 2000;
	cfg->burst = 4000;
	cfg->global_rate = 50000;
	cfg->global_burst = 50000;
	cfg->stats_interval = 60;
	cfg->scans_rotate_s = 60;
	cfg->scans_rotate_bytes = 64ull << 20;
	cfg->listener_rescan_s = 5;
}

uint64_t wall_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

static bool monitored(const struct sensor *s, const struct ipaddr *a)
{
	for (int i = 0; i < s->cfg.naddrs; i++)
		if (cidr_contains(&s->cfg.addrs[i], a))
			return true;
	return false;
}

/* Ended flows are handed to the writer in batches: one lock and one
 * wake-up per dispatch instead of per flow (a flood ends a flow per SYN). */
void emit_flow_cb(void *user, const struct flow_done *d)
{
	struct sensor *s = user;

	s->done[s->ndone++] = *d;
	if (s->ndone == SENSOR_DONE_BATCH)
		writer_flush_batch(s);
}

void writer_flush_batch(struct sensor *s)
{
	if (s->ndone)
		writer_submit_many(s->writer, s->done, s->ndone);
	s->ndone = 0;
}

/* ---- per-packet path ---------------------------------------------------- */

static void make_key(const struct pkt *p, bool inbound, struct flow_key *k)
{
	const struct ipaddr *c = inbound ? &p->src : &p->dst, *srv = inbound ? &p->dst : &p->src;
	bool ports = p->proto == 6 || p->proto == 17;

	memset(k, 0, sizeof(*k));
	k->family = p->src.family;
	k->proto = p->proto;
	memcpy(k->caddr, c->b, 16);
	memcpy(k->saddr, srv->b, 16);
	if (ports) {
		k->cport = inbound ? p->sport : p->dport;
		k->sport = inbound ? p->dport : p->sport;
	}
}

static struct frag_slot *frag_slot(struct sensor *s, const struct pkt *p)
{
	struct {
		uint8_t src[16], dst[16];
		uint32_t id;
		uint8_t proto;
	} k;

	memset(&k, 0, sizeof(k));
	memcpy(k.src, p->src.b, 16);
	memcpy(k.dst, p->dst.b, 16);
	k.id = p->frag_id;
	k.proto = p->proto;
	return &s->frags[siphash24(&s->frag_key, &k, sizeof(k)) & (FRAG_SLOTS - 1)];
}

static bool frag_match(const struct frag_slot *f, const struct pkt *p)
{
	return f->used && f->family == p->src.family && f->proto == p->proto &&
	       f->id == p->frag_id && !memcmp(f->src, p->src.b, 16) && !memcmp(f->dst, p->dst.b, 16);
}

/* Fills the key of a fragment: the first fragment's ports if known, else
 * the datagram's addresses with ports 0. */
static void frag_key(struct sensor *s, struct pkt *p, bool inbound, struct flow_key *k)
{
	struct frag_slot *f = frag_slot(s, p);

	s->st.fragments++;
	if (p->frag_off == 0) {
		if (decode_l4(p) != DECODE_OK)
			p->sport = p->dport = 0;
		make_key(p, inbound, k);
		f->used = true;
		f->family = p->src.family;
		f->proto = p->proto;
		f->id = p->frag_id;
		memcpy(f->src, p->src.b, 16);
		memcpy(f->dst, p->dst.b, 16);
		f->key = *k;
		return;
	}
	if (frag_match(f, p)) {
		*k = f->key;
		return;
	}
	p->sport = p->dport = 0;
	make_key(p, inbound, k);
}

static bool may_answer(struct sensor *s, const struct pkt *p)
{
	if (addr_is_martian_source(&p->src) || !addr_cmp(&p->src, &p->dst) ||
	    monitored(s, &p->src)) {
		s->st.suppressed_martian++;
		return false;
	}
	if (portset_has(&s->listening, p->dport)) {
		s->st.suppressed_listener++;
		return false;
	}
	return ratelimit_allow(&s->rl, &p->src, s->now_us);
}

static void answer_syn(struct sensor *s, const struct pkt *p, const struct flow_key *k)
{
	uint8_t frame[RESPONDER_MAX_FRAME];
	uint64_t ts;
	int n;

	s->st.syns++;
	if (!may_answer(s, p))
		return;
	n = responder_synack(&s->resp, s->cap->dlt, p, frame, sizeof(frame));
	if (n < 0)
		return;
	ts = s->cap->offline ? s->now_us : wall_now_us();
	if (s->cap->ops->inject(s->cap, frame, (size_t)n, ts)) {
		s->st.inject_errors++;
		return;
	}
	s->st.synacks_sent++;
	flowtab_add(&s->ft, k, ts, frame, (uint32_t)n, (uint32_t)n, false);
}

/* A request for a --bait path on a flow we accepted: one response with a
 * token minted for this client, then nothing more on this flow. */
static bool answer_bait(struct sensor *s, const struct pkt *p, const struct flow_key *k)
{
	uint8_t body[BAIT_RESP_MAX], frame[BAIT_RESP_MAX + 128];
	char src[ADDR_STRLEN];
	int i = bait_match(s->bait, p->payload, p->payload_len), n;
	uint64_t ts, h;
	struct {
		struct flow_key k;
		uint32_t seq;
	} req;

	if (i < 0 || !may_answer(s, p))
		return false;
	memset(&req, 0, sizeof(req));
	req.k = *k;
	req.seq = p->seq;
	h = siphash24(&s->frag_key, &req, sizeof(req));
	ts = s->cap->offline ? s->now_us : wall_now_us();
	n = bait_take(s->bait, i, h, addr_format(&p->src, src), (double)ts / 1e6, body, sizeof(body));
	if (n == -EAGAIN)
		s->st.bait_unanswered++;
	if (n < 0)
		return false;
	n = responder_data(&s->resp, s->cap->dlt, p, TCP_ACK | TCP_PSH | TCP_FIN, body, (size_t)n,
			   frame, sizeof(frame));
	if (n < 0)
		return false;
	if (s->cap->ops->inject(s->cap, frame, (size_t)n, ts)) {
		s->st.inject_errors++;
		return false;
	}
	s->st.bait_sent++;
	flowtab_add(&s->ft, k, ts, frame, (uint32_t)n, (uint32_t)n, true);
	return true;
}

/* Data or a FIN on a connection that completed our handshake: a bare ACK
 * of it, as a listening host would send.  Without it the client resends
 * the same bytes for minutes (one connection became several flows after
 * --idle) and never sends the rest of its request.  Only a client that
 * received our SYN+ACK knows the ISN that makes its segment pass
 * responder_is_handshake_ack, so spoofed segments get nothing; the ACK is
 * no larger than the segment it answers plus 12 bytes, and rate-limited
 * like every reply. */
static void answer_data(struct sensor *s, const struct pkt *p, const struct flow_key *k)
{
	uint8_t frame[RESPONDER_MAX_FRAME];
	uint64_t ts;
	int n;

	if (!may_answer(s, p))
		return;
	n = responder_data(&s->resp, s->cap->dlt, p, TCP_ACK, NULL, 0, frame, sizeof(frame));
	if (n < 0)
		return;
	ts = s->cap->offline ? s->now_us : wall_now_us();
	if (s->cap->ops->inject(s->cap, frame, (size_t)n, ts)) {
		s->st.inject_errors++;
		return;
	}
	s->st.acks_sent++;
	flowtab_add(&s->ft, k, ts, frame, (uint32_t)n, (uint32_t)n, false);
}

static void on_packet(void *user, const struct capture_pkt *cp)
{
	struct sensor *s = user;
	struct flow_key k;
	struct pkt p;
	bool inbound;
	int rc;

	s->st.packets++;
	s->st.bytes += cp->len;
	if (s->cap->offline || cp->ts_us > s->now_us)
		s->now_us = cp->ts_us > s->now_us ? cp->ts_us : s->now_us;
	rc = decode_packet(s->cap->dlt, cp->data, cp->caplen, &p);
	if (rc == DECODE_NOT_IP) {
		s->st.not_ip++;
		return;
	}
	if (rc != DECODE_OK && rc != DECODE_FRAGMENT) {
		s->st.malformed++;
		return;
	}
	inbound = monitored(s, &p.dst);
	if (!inbound && !monitored(s, &p.src)) {
		s->st.foreign++;
		return;
	}
	if (rc == DECODE_FRAGMENT)
		frag_key(s, &p, inbound, &k);
	else
		make_key(&p, inbound, &k);
	if ((k.proto == 6 || k.proto == 17) && portset_has(&s->cfg.exclude, k.sport)) {
		s->st.excluded++;
		return;
	}
	/* Connections this host opens itself (uploads, updates) are not ours. */
	if (!inbound && !flowtab_has(&s->ft, &k)) {
		s->st.local_initiated++;
		return;
	}
	if (flowtab_add(&s->ft, &k, cp->ts_us, cp->data, cp->caplen, cp->len,
			rc == DECODE_OK && (k.proto == 6 || k.proto == 17) && p.payload_wire > 0))
		s->st.packets_unstored++;
	if (!inbound || rc != DECODE_OK || !s->cfg.respond)
		return;
	if (responder_is_syn(&p))
		answer_syn(s, &p, &k);
	else if (responder_is_handshake_ack(&s->resp, &p)) {
		if (!p.payload_wire && !(p.tcp_flags & TCP_FIN)) {
			s->st.handshakes++; /* the bare ACK completing it */
			return;
		}
		if (s->bait && p.payload_len && answer_bait(s, &p, &k))
			return;
		answer_data(s, &p, &k);
	}
}

/* ---- housekeeping ------------------------------------------------------- */

static void rescan_listeners(struct sensor *s)
{
	struct portset now;

	if (listeners_scan(&now, s->listeners_skip_loopback) < 0)
		return;
	for (int i = 0; i < 65536 / 64; i++) {
		uint64_t added = now.bits[i] & ~s->listening.bits[i];
		for (int b = 0; added && b < 64; b++)
			if (added >> b & 1) {
				log_info("a local service now listens on tcp port %d: not answering there",
					 i * 64 + b);
				if (s->fw_on)
					firewall_keep_port(&s->fw, (uint16_t)(i * 64 + b), true);
			}
	}
	s->listening = now;
}

static void housekeeping(struct sensor *s)
{
	uint64_t now = s->cap->offline ? s->now_us : wall_now_us();

	if (!s->cap->offline)
		s->now_us = now;
	if (now - s->last_sweep_us >= 1000000) {
		flowtab_expire(&s->ft, now);
		writer_flush_batch(s);
		s->last_sweep_us = now;
	}
	if (!s->cap->offline && s->cfg.listener_rescan_s &&
	    now - s->last_rescan_us >= (uint64_t)s->cfg.listener_rescan_s * 1000000) {
		rescan_listeners(s);
		s->last_rescan_us = now;
	}
	if (s->cfg.stats_interval && !s->cap->offline &&
	    now - s->last_stats_us >= (uint64_t)s->cfg.stats_interval * 1000000) {
		sensor_log_stats(s, "periodic");
		s->last_stats_us = now;
	}
}

int sensor_loop(struct sensor *s)
{
	int n;

	while (!s->stop) {
		n = s->cap->ops->dispatch(s->cap, DISPATCH_BATCH, on_packet, s);
		s->st.inject_errors += (uint64_t)s->cap->ops->flush(s->cap);
		writer_flush_batch(s);
		if (n == CAPTURE_EOF)
			break;
		if (n < 0) {
			log_err("capture failed: %s", strerror(-n));
			return n;
		}
		housekeeping(s);
		if (s->reload)
			return 0; /* the command reloads and calls us again */
	}
	return 0;
}

void sensor_request_stop(struct sensor *s)
{
	s->stop = 1;
	if (s->cap)
		s->cap->ops->breakloop(s->cap);
}

void sensor_request_reload(struct sensor *s)
{
	s->reload = 1;
	if (s->cap)
		s->cap->ops->breakloop(s->cap);
}

bool sensor_reload_pending(struct sensor *s)
{
	bool r = s->reload;

	s->reload = 0;
	return r && !s->stop;
}

/* Tells the firewall guardian about ports that joined or left the
 * excluded set (the kernel's RSTs must pass exactly on excluded and
 * listening ports). */
static void update_firewall_ports(struct sensor *s, const struct portset *old,
				  const struct portset *new)
{
	for (int i = 0; s->fw_on && i < 65536 / 64; i++) {
		uint64_t diff = old->bits[i] ^ new->bits[i];
		for (int b = 0; diff && b < 64; b++) {
			uint16_t port = (uint16_t)(i * 64 + b);
			if (!(diff >> b & 1) || portset_has(&s->listening, port))
				continue;
			firewall_keep_port(&s->fw, port, portset_has(new, port));
		}
	}
}

void sensor_reload(struct sensor *s, const struct sensor_cfg *cfg)
{
	update_firewall_ports(s, &s->cfg.exclude, &cfg->exclude);
	s->cfg.exclude = cfg->exclude;
	s->cfg.stats_interval = cfg->stats_interval;
	s->ft.cfg.idle_us = (uint64_t)cfg->idle_s * 1000000;
	s->ft.cfg.max_life_us = (uint64_t)cfg->max_life_s * 1000000;
	s->ft.cfg.max_flow_packets = cfg->max_flow_packets;
	s->ft.cfg.max_flow_bytes = cfg->max_flow_bytes;
	ratelimit_set(&s->rl, cfg->rate, cfg->burst, cfg->global_rate, cfg->global_burst);
	log_info("configuration reloaded");
}

const char *sensor_id(const struct sensor *s)
{
	return s->sensor_id;
}

void sensor_get_stats(struct sensor *s, struct sensor_stats *st)
{
	struct writer_stats w = s->wst_final;

	if (s->writer)
		writer_get_stats(s->writer, &w);
	*st = s->st;
	if (s->cap)
		s->cap->ops->stats(s->cap, &st->kernel_received, &st->kernel_dropped);
	st->suppressed_rate_dest = s->rl.suppressed_dest;
	st->suppressed_rate_global = s->rl.suppressed_global;
	st->flows_open = s->ft.open;
	st->flows_evicted = s->ft.evicted;
	st->packets_unstored += s->ft.dropped;
	st->flows_written = w.flows_written;
	st->scan_flows = w.scan_flows;
	st->files_written = w.files_written;
	st->bytes_written = w.bytes_written;
	st->write_errors = w.write_errors;
}

/* Remote stores: deliveries and the spool. */
static void sensor_log_store_stats(struct sensor *s, const char *when)
{
	struct store_stats ss;

	if (!s->store || store_get_stats(s->store, &ss))
		return;
	log_info("store (%s): delivered %llu, failed PUTs %llu, spooled %llu, retried %llu, "
		 "dropped %llu, spool now %llu objects, %llu of %llu bytes",
		 when, (unsigned long long)ss.delivered, (unsigned long long)ss.failed,
		 (unsigned long long)ss.spooled, (unsigned long long)ss.retried,
		 (unsigned long long)ss.dropped, (unsigned long long)ss.spool_files,
		 (unsigned long long)ss.spool_bytes, (unsigned long long)ss.spool_max);
}

void sensor_log_stats(struct sensor *s, const char *when)
{
	struct sensor_stats st;

	sensor_get_stats(s, &st);
	log_info("stats (%s): packets %llu, kernel drops %llu, malformed %llu, syns %llu, "
		 "syn+acks sent %llu, handshakes %llu, acks sent %llu, replies suppressed %llu (rate/dest %llu, "
		 "rate/global %llu, listener %llu, martian %llu), flows open %llu, written %llu "
		 "(+%llu in scans files, %llu early for memory), files %llu, bytes written %llu, "
		 "write errors %llu, packets unstored %llu, bait responses %llu (%llu unanswered)",
		 when, (unsigned long long)st.packets, (unsigned long long)st.kernel_dropped,
		 (unsigned long long)st.malformed, (unsigned long long)st.syns,
		 (unsigned long long)st.synacks_sent, (unsigned long long)st.handshakes,
		 (unsigned long long)st.acks_sent,
		 (unsigned long long)(st.suppressed_rate_dest + st.suppressed_rate_global +
				      st.suppressed_listener + st.suppressed_martian),
		 (unsigned long long)st.suppressed_rate_dest,
		 (unsigned long long)st.suppressed_rate_global,
		 (unsigned long long)st.suppressed_listener, (unsigned long long)st.suppressed_martian,
		 (unsigned long long)st.flows_open, (unsigned long long)st.flows_written,
		 (unsigned long long)st.scan_flows, (unsigned long long)st.flows_evicted,
		 (unsigned long long)st.files_written, (unsigned long long)st.bytes_written,
		 (unsigned long long)st.write_errors, (unsigned long long)st.packets_unstored,
		 (unsigned long long)st.bait_sent, (unsigned long long)st.bait_unanswered);
	sensor_log_store_stats(s, when);
}
