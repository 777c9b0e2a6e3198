/* bench/genflows: writes synthetic TCP flows as pcap, for the analyzer
 * benchmark.  Each flow: SYN, SYN+ACK, ACK, client data in 1..N segments
 * (some retransmitted, some swapped out of order), server data, FINs.
 *   genflows -o FILE -b BYTES        one multi-flow pcap of about BYTES
 *   genflows -d DIR -n FLOWS         one pcap per flow under DIR
 * Deterministic (fixed seed) so runs compare. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n > 1; n -= 2, p += 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct flow {
	uint32_t c, s;
	uint16_t cp, sp;
	uint32_t cseq, sseq;
};

static uint64_t ts_us = 1700000000000000ull, written;

static void put(FILE *f, const struct flow *fl, int from_client, uint8_t flags, uint32_t seq,
		uint32_t ack, const uint8_t *data, uint16_t len)
{
	uint8_t pkt[14 + 20 + 20 + 1500];
	uint8_t *ip = pkt + 14, *t = ip + 20;
	uint32_t src = from_client ? fl->c : fl->s, dst = from_client ? fl->s : fl->c, ps;
	uint16_t tot = (uint16_t)(40 + len);
	uint32_t hdr[4];

	memset(pkt, 0, 54);
	pkt[5] = from_client ? 1 : 2, pkt[11] = from_client ? 2 : 1;
	pkt[12] = 0x08;
	ip[0] = 0x45, ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot, ip[8] = 64, ip[9] = 6;
	memcpy(ip + 12, &src, 4), memcpy(ip + 16, &dst, 4);
	uint16_t c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	uint16_t sp = from_client ? fl->cp : fl->sp, dp = from_client ? fl->sp : fl->cp;
	t[0] = (uint8_t)(sp >> 8), t[1] = (uint8_t)sp, t[2] = (uint8_t)(dp >> 8), t[3] = (uint8_t)dp;
	for (int i = 0; i < 4; i++)
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i)), t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	t[12] = 0x50, t[13] = flags, t[14] = 0xfa, t[15] = 0xf0;
	memcpy(t + 20, data, len);
	ps = 0;
	for (int i = 12; i < 20; i += 2)
		ps += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	c = csum(t, 20u + len, ps + 6 + 20 + len);
	t[16] = (uint8_t)(c >> 8), t[17] = (uint8_t)c;
	ts_us += 50 + rnd() % 200;
	hdr[0] = (uint32_t)(ts_us / 1000000), hdr[1] = (uint32_t)(ts_us % 1000000);
	hdr[2] = hdr[3] = 54u + len;
	fwrite(hdr, 4, 4, f);
	fwrite(pkt, 1, 54u + len, f);
	written += 16 + 54 + len;
}

static void file_header(FILE *f)
{
	uint32_t h[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	fwrite(h, 4, 6, f);
	written += 24;
}

static void one_flow(FILE *f, uint32_t n)
{
	static uint8_t data[64 * 1024];
	struct flow fl = {htonl(0x0a000000u | (rnd() & 0xffffff)), htonl(0xc0000201u + n % 50),
			  (uint16_t)(1024 + rnd() % 60000), (uint16_t)(rnd() % 4 ? 80 : 1 + rnd() % 65535),
			  rnd(), rnd()};
	uint32_t clen = 40 + rnd() % 3000, slen = rnd() % 2 ? 0 : 100 + rnd() % 4000, off;

	for (uint32_t i = 0; i < clen; i++)
		data[i] = (uint8_t)("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"[i % 38]);
	put(f, &fl, 1, 0x02, fl.cseq, 0, NULL, 0);
	put(f, &fl, 0, 0x12, fl.sseq, fl.cseq + 1, NULL, 0);
	put(f, &fl, 1, 0x10, fl.cseq + 1, fl.sseq + 1, NULL, 0);
	for (off = 0; off < clen;) {
		uint16_t seg = (uint16_t)(clen - off < 1448 ? clen - off : 1 + rnd() % 1448);
		put(f, &fl, 1, 0x18, fl.cseq + 1 + off, fl.sseq + 1, data + off, seg);
		if (rnd() % 10 == 0) /* a retransmission */
			put(f, &fl, 1, 0x18, fl.cseq + 1 + off, fl.sseq + 1, data + off, seg);
		off += seg;
	}
	for (off = 0; off < slen;) {
		uint16_t seg = (uint16_t)(slen - off < 1448 ? slen - off : 1448);
		put(f, &fl, 0, 0x18, fl.sseq + 1 + off, fl.cseq + 1 + clen, data + off, seg);
		off += seg;
	}
	put(f, &fl, 1, 0x11, fl.cseq + 1 + clen, fl.sseq + 1 + slen, NULL, 0);
	put(f, &fl, 0, 0x11, fl.sseq + 1 + slen, fl.cseq + 2 + clen, NULL, 0);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *dir = NULL;
	uint64_t bytes = 0, flows = 0;
	int opt;

	while ((opt = getopt(argc, argv, "o:b:d:n:")) != -1) {
		if (opt == 'o') out = optarg;
		else if (opt == 'b') bytes = strtoull(optarg, NULL, 10);
		else if (opt == 'd') dir = optarg;
		else if (opt == 'n') flows = strtoull(optarg, NULL, 10);
		else return 2;
	}
	if (out) {
		FILE *f = fopen(out, "wb");
		uint32_t n = 0;
		if (!f)
			return 1;
		file_header(f);
		while (written < bytes)
			one_flow(f, n++);
		fclose(f);
		printf("%u flows, %llu bytes\n", n, (unsigned long long)written);
		return 0;
	}
	if (dir) {
		char path[4096];
		if (mkdir(dir, 0755) && errno != EEXIST)
			return 1;
		for (uint64_t i = 0; i < flows; i++) {
			snprintf(path, sizeof(path), "%s/%02llu", dir, (unsigned long long)(i % 100));
			mkdir(path, 0755);
			snprintf(path, sizeof(path), "%s/%02llu/%06llu.pcap", dir,
				 (unsigned long long)(i % 100), (unsigned long long)i);
			FILE *f = fopen(path, "wb");
			if (!f)
				return 1;
			file_header(f);
			one_flow(f, (uint32_t)i);
			fclose(f);
		}
		printf("%llu files\n", (unsigned long long)flows);
		return 0;
	}
	fprintf(stderr, "usage: genflows -o FILE -b BYTES | -d DIR -n FLOWS\n");
	return 2;
}
