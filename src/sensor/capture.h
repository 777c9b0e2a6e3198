/* Capture backends behind one interface: live libpcap (which uses
 * AF_PACKET TPACKET_V3 on Linux) and a pcap file for offline runs, whose
 * "inject" writes the replies to a pcap instead of the wire (a dry run, so
 * tests can check our packets byte for byte).  XDP can be added as another
 * table. */
#ifndef MITSU_CAPTURE_H
#define MITSU_CAPTURE_H
#include <stddef.h>
#include <stdint.h>

#define CAPTURE_EOF (-100000) /* not an errno */

struct capture_pkt {
	uint64_t ts_us;
	const uint8_t *data;
	uint32_t caplen, len;
};

typedef void (*capture_cb)(void *user, const struct capture_pkt *p);

struct capture;
struct capture_ops {
	const char *name;
	/* Delivers up to max packets; returns how many (0: timeout), CAPTURE_EOF
	 * at the end of a file, or -errno. */
	int (*dispatch)(struct capture *c, int max, capture_cb cb, void *user);
	/* Queues one frame to send (copied); may send at once. */
	int (*inject)(struct capture *c, const uint8_t *frame, size_t len, uint64_t ts_us);
	/* Sends what inject queued; returns how many frames failed. */
	int (*flush)(struct capture *c);
	void (*stats)(struct capture *c, uint64_t *received, uint64_t *dropped);
	void (*breakloop)(struct capture *c);
	void (*close)(struct capture *c);
};

struct capture {
	const struct capture_ops *ops;
	int dlt;
	int offline; /* packet timestamps are the clock */
};

struct capture_live_cfg {
	const char *iface;
	const char *bpf;
	int bufsize_mb;
	int promisc;
};

int capture_open_live(const struct capture_live_cfg *cfg, struct capture **out, char *err,
		      size_t errlen);
/* path "-" reads stdin; tx_out NULL discards replies. */
int capture_open_file(const char *path, const char *tx_out, const char *bpf,
		      struct capture **out, char *err, size_t errlen);

#endif
