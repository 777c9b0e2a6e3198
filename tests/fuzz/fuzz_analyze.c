/* libFuzzer: a whole pcap or pcapng file from the network's side of the
 * world (any bytes) through the analyzer: libpcap's reader, decode, IP
 * fragments, TCP reassembly, records rendered as JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze/analyzer.h"
#include "analyze/record.h"
#include "core/buf.h"

static struct buf out;

/* Renders every record, so the JSON writer sees reassembled attacker bytes. */
static void render(void *user, struct record *r)
{
	(void)user;
	buf_reset(&out);
	if (record_to_json(r, &out) == 0 && out.len < 2)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct analyzer *a;
	struct analyze_file_stats st = {0};
	char err[512];
	FILE *f;

	if (!a) {
		struct analyzer_cfg cfg;
		analyzer_cfg_defaults(&cfg);
		cfg.max_bytes = 64 * 1024;
		if (analyzer_new(&a, &cfg, NULL, 0))
			abort();
		analyzer_set_hook(a, render, NULL);
	}
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	analyzer_stream(a, f, "fuzz", "fuzz://", "", "", &st, err, sizeof(err));
	return 0;
}
