/* bench/tokscan: cost of the honeytoken scan.  Builds a matcher over N
 * bait tokens (env files: password, AWS key id and secret, i.e. three
 * strings and their ~10 forms each), then scans 64 MiB of HTTP-like text
 * with no token in it and reports build time, automaton memory (RSS
 * growth) and scan throughput.  Baseline: memmem of each plain string
 * alone, the naive one-scan-per-token approach.
 *   cc -O2 -Isrc -D_GNU_SOURCE bench/tokscan.c build/libmitsu.a -lsqlite3 -lpcre2-8 \
 *      -lcrypto -lpcap -lz -lm -pthread -o build/bench_tokscan
 *   build/bench_tokscan [N...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/token.h"
#include "alert/tokscan.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	char line[256];
	long v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = atol(line + 6);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	static const char words[] = "GET /index.php?id=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: "
				    "Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\nCookie: s=abcdef0123456789\r\n\r\n";
	size_t len = 64u << 20;
	char *data = malloc(len), err[128];

	for (size_t i = 0; i < len; i++)
		data[i] = words[(i * 7 + i / 97) % (sizeof(words) - 1)];
	printf("%8s %10s %10s %12s %14s\n", "tokens", "build ms", "RSS MiB", "scan MB/s",
	       "memmem MB/s");
	for (int a = 1; a < argc || a == 1; a++) {
		size_t n = argc > 1 ? strtoul(argv[a], NULL, 10) : 1000;
		struct token_opts o = {.kind = "file", .format = "env"};
		struct token *t = calloc(n, sizeof(*t));
		struct tokscan *s;
		struct tokscan_hit h[16];
		long r0 = rss_kb();
		double t0, t1, t2, t3;
		size_t hits = 0;

		for (size_t i = 0; i < n; i++)
			token_mint(&o, &t[i], err, sizeof(err));
		t0 = now();
		if (tokscan_build(&s, t, n))
			return 1;
		t1 = now();
		hits += tokscan_scan(s, (const uint8_t *)data, len, 0, h, 16);
		t2 = now();
		/* naive: one memmem per plain string, on 1/16 of the data */
		for (size_t i = 0; i < n; i++) {
			hits += memmem(data, len / 16, t[i].value, strlen(t[i].value)) != NULL;
			hits += memmem(data, len / 16, t[i].secret, strlen(t[i].secret)) != NULL;
			hits += memmem(data, len / 16, t[i].key_id, strlen(t[i].key_id)) != NULL;
		}
		t3 = now();
		printf("%8zu %10.1f %10.1f %12.0f %14.0f%s\n", n, (t1 - t0) * 1e3,
		       (double)(rss_kb() - r0) / 1024, (double)len / 1e6 / (t2 - t1),
		       (double)len / 16 / 1e6 / (t3 - t2), hits ? " (hits!)" : "");
		tokscan_free(s);
		free(t);
	}
	free(data);
	return 0;
}
