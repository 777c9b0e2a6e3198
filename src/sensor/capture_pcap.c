/* libpcap backends: live capture and offline files. */
#include <errno.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include "sensor/capture.h"

/* Replies are queued and sent with one sendmmsg() per dispatch batch on
 * the capture socket itself (what pcap_inject does one send() at a time):
 * the kernel does not loop a packet socket's own frames back to it, so our
 * replies are not captured twice (the sensor records them when queued). */
#define TX_BATCH 256
#define TX_FRAME 160

struct pcap_capture {
	struct capture base;
	pcap_t *p;
	int fd;
	int ifindex;
	unsigned ntx;
	struct sockaddr_ll to[TX_BATCH]; /* raw-IP links: the frame's protocol */
	struct mmsghdr msgs[TX_BATCH];
	struct iovec iov[TX_BATCH];
	uint8_t txbuf[TX_BATCH][TX_FRAME];
	pcap_dumper_t *tx; /* offline: where replies go */
	capture_cb cb;
	void *user;
};

static void trampoline(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct pcap_capture *pc = (struct pcap_capture *)user;
	struct capture_pkt cp = {
		.ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec,
		.data = bytes,
		.caplen = h->caplen,
		.len = h->len,
	};

	pc->cb(pc->user, &cp);
}

/* With TPACKET_V3, libpcap's own wait has no timeout (it relies on the
 * kernel retiring non-empty blocks), so an idle link would never give the
 * sensor a chance to expire flows.  We wait ourselves, 100 ms at most, and
 * read in non-blocking mode. */
static int live_wait(struct pcap_capture *pc)
{
	struct pollfd pfd = {.fd = pc->fd, .events = POLLIN};
	int n = poll(&pfd, 1, 100);

	if (n < 0 && errno != EINTR)
		return -errno;
	return n > 0;
}

static int pc_dispatch(struct capture *c, int max, capture_cb cb, void *user)
{
	struct pcap_capture *pc = (struct pcap_capture *)c;
	int n;

	pc->cb = cb;
	pc->user = user;
	if (!c->offline) {
		n = live_wait(pc);
		if (n <= 0)
			return n;
	}
	n = pcap_dispatch(pc->p, max, trampoline, (u_char *)pc);
	if (n == PCAP_ERROR_BREAK)
		return 0;
	if (n < 0)
		return -EIO;
	if (n == 0 && c->offline)
		return CAPTURE_EOF;
	return n;
}

static int live_flush(struct capture *c)
{
	struct pcap_capture *pc = (struct pcap_capture *)c;
	unsigned sent = 0;
	int failed = 0;

	while (sent < pc->ntx) {
		int n = sendmmsg(pc->fd, pc->msgs + sent, pc->ntx - sent, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Skip the frame the kernel refused and go on with the rest. */
			failed++;
			sent++;
			continue;
		}
		sent += (unsigned)n;
	}
	pc->ntx = 0;
	return failed;
}

static int live_inject(struct capture *c, const uint8_t *frame, size_t len, uint64_t ts_us)
{
	struct pcap_capture *pc = (struct pcap_capture *)c;
	unsigned i = pc->ntx;

	(void)ts_us;
	if (len > TX_FRAME)
		return pcap_inject(pc->p, frame, len) == (int)len ? 0 : -EIO;
	memcpy(pc->txbuf[i], frame, len);
	pc->iov[i].iov_base = pc->txbuf[i];
	pc->iov[i].iov_len = len;
	memset(&pc->msgs[i], 0, sizeof(pc->msgs[i]));
	pc->msgs[i].msg_hdr.msg_iov = &pc->iov[i];
	pc->msgs[i].msg_hdr.msg_iovlen = 1;
	if (c->dlt != DLT_EN10MB) {
		/* A layer-3 device (tun, WireGuard) takes the protocol from the
		 * socket address; wg drops anything not marked IPv4/IPv6. */
		memset(&pc->to[i], 0, sizeof(pc->to[i]));
		pc->to[i].sll_family = AF_PACKET;
		pc->to[i].sll_ifindex = pc->ifindex;
		pc->to[i].sll_protocol = htons((frame[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP);
		pc->msgs[i].msg_hdr.msg_name = &pc->to[i];
		pc->msgs[i].msg_hdr.msg_namelen = sizeof(pc->to[i]);
	}
	if (++pc->ntx == TX_BATCH)
		return live_flush(c) ? -EIO : 0;
	return 0;
}

static int file_flush(struct capture *c)
{
	(void)c;
	return 0;
}

static int file_inject(struct capture *c, const uint8_t *frame, size_t len, uint64_t ts_us)
{
	struct pcap_capture *pc = (struct pcap_capture *)c;
	struct pcap_pkthdr h = {
		.ts = {.tv_sec = (time_t)(ts_us / 1000000), .tv_usec = (suseconds_t)(ts_us % 1000000)},
		.caplen = (bpf_u_int32)len,
		.len = (bpf_u_int32)len,
	};

	if (pc->tx)
		pcap_dump((u_char *)pc->tx, &h, frame);
	return 0;
}

static void pc_stats(struct capture *c, uint64_t *received, uint64_t *dropped)
{
	struct pcap_capture *pc = (struct pcap_capture *)c;
	struct pcap_stat st;

	*received = *dropped = 0;
	if (!c->offline && pcap_stats(pc->p, &st) == 0) {
		*received = st.ps_recv;
		*dropped = (uint64_t)st.ps_drop + st.ps_ifdrop;
	}
}

static void pc_breakloop(struct capture *c)
{
	pcap_breakloop(((struct pcap_capture *)c)->p);
}

static void pc_close(struct capture *c)
{
	struct pcap_capture *pc = (struct pcap_capture *)c;

	if (pc->ntx && pc->p)
		live_flush(c);
	if (pc->tx)
		pcap_dump_close(pc->tx);
	if (pc->p)
		pcap_close(pc->p);
	free(pc);
}

static const struct capture_ops live_ops = {
	.name = "pcap",
	.dispatch = pc_dispatch,
	.inject = live_inject,
	.flush = live_flush,
	.stats = pc_stats,
	.breakloop = pc_breakloop,
	.close = pc_close,
};

static const struct capture_ops file_ops = {
	.name = "file",
	.dispatch = pc_dispatch,
	.inject = file_inject,
	.flush = file_flush,
	.stats = pc_stats,
	.breakloop = pc_breakloop,
	.close = pc_close,
};

static int set_filter(pcap_t *p, const char *bpf, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (!bpf || !*bpf)
		return 0;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "capture filter: %s", pcap_geterr(p));
		return -EINVAL;
	}
	if (pcap_setfilter(p, &prog)) {
		snprintf(err, errlen, "capture filter: %s", pcap_geterr(p));
		pcap_freecode(&prog);
		return -EINVAL;
	}
	pcap_freecode(&prog);
	return 0;
}

/* On Ethernet, VLAN-tagged frames need the same test behind the tag; other
 * link types have no VLANs (and BPF refuses "vlan" there). */
static int set_live_filter(struct pcap_capture *pc, const char *bpf, char *err, size_t errlen)
{
	char *full;
	int ret;

	if (!bpf || !*bpf || pc->base.dlt != DLT_EN10MB)
		return set_filter(pc->p, bpf, err, errlen);
	if (asprintf(&full, "(%s) or (vlan and (%s))", bpf, bpf) < 0)
		return -ENOMEM;
	ret = set_filter(pc->p, full, err, errlen);
	free(full);
	return ret;
}

static int live_activate(pcap_t *p, const struct capture_live_cfg *cfg, char *err, size_t errlen)
{
	int rc;

	pcap_set_snaplen(p, 65535);
	pcap_set_promisc(p, cfg->promisc);
	/* Not immediate mode: libpcap then falls back to TPACKET_V2, whose ring
	 * holds one 64 KiB frame per packet at snaplen 65535 (500 packets in
	 * 32 MiB) and drops under a flood.  TPACKET_V3 packs packets densely;
	 * a 1 ms block timeout bounds the delay before we see (and answer) a
	 * lone SYN. */
	pcap_set_immediate_mode(p, 0);
	pcap_set_timeout(p, 1);
	pcap_set_buffer_size(p, (cfg->bufsize_mb ? cfg->bufsize_mb : 32) << 20);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	rc = pcap_activate(p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", cfg->iface, pcap_geterr(p));
		return rc == PCAP_ERROR_PERM_DENIED ? -EPERM : -ENODEV;
	}
	/* Our own replies are recorded when sent; the kernel's outgoing
	 * packets (a real listener's) are still wanted, so capture both ways. */
	pcap_setdirection(p, PCAP_D_INOUT);
	return 0;
}

int capture_open_live(const struct capture_live_cfg *cfg, struct capture **out, char *err,
		      size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_capture *pc = calloc(1, sizeof(*pc));
	int ret;

	if (!pc)
		return -ENOMEM;
	pc->base.ops = &live_ops;
	pc->p = pcap_create(cfg->iface, ebuf);
	if (!pc->p) {
		snprintf(err, errlen, "%s: %s", cfg->iface, ebuf);
		ret = -ENODEV;
		goto out;
	}
	ret = live_activate(pc->p, cfg, err, errlen);
	if (ret)
		goto out;
	pc->base.dlt = pcap_datalink(pc->p);
	pc->fd = pcap_fileno(pc->p);
	pc->ifindex = (int)if_nametoindex(cfg->iface);
	if (pcap_setnonblock(pc->p, 1, ebuf)) {
		snprintf(err, errlen, "%s: %s", cfg->iface, ebuf);
		ret = -EIO;
		goto out;
	}
	ret = set_live_filter(pc, cfg->bpf, err, errlen);
	if (ret)
		goto out;
	*out = &pc->base;
	return 0;
out:
	pc_close(&pc->base);
	return ret;
}

int capture_open_file(const char *path, const char *tx_out, const char *bpf,
		      struct capture **out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_capture *pc = calloc(1, sizeof(*pc));
	int ret;

	if (!pc)
		return -ENOMEM;
	pc->base.ops = &file_ops;
	pc->base.offline = 1;
	pc->p = strcmp(path, "-") ? pcap_open_offline_with_tstamp_precision(
					    path, PCAP_TSTAMP_PRECISION_MICRO, ebuf)
				  : pcap_fopen_offline_with_tstamp_precision(
					    stdin, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (!pc->p) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		ret = -EINVAL;
		goto out;
	}
	pc->base.dlt = pcap_datalink(pc->p);
	ret = set_filter(pc->p, bpf, err, errlen);
	if (ret)
		goto out;
	if (tx_out) {
		pc->tx = pcap_dump_open(pc->p, tx_out);
		if (!pc->tx) {
			snprintf(err, errlen, "%s: %s", tx_out, pcap_geterr(pc->p));
			ret = -EIO;
			goto out;
		}
	}
	*out = &pc->base;
	return 0;
out:
	pc_close(&pc->base);
	return ret;
}
