/* libFuzzer harness for the honeytoken scan: the input is split in two
 * (client and server bytes of a record) and scanned against a fixed token
 * set that has every kind; the first byte also picks a token whose forms
 * are spliced in, so hits and near misses are both exercised.  Every hit
 * must point inside the buffer.  The same bytes also go through the
 * sensor's --bait request match. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/tokscan.h"
#include "analyze/record.h"
#include "sensor/bait.h"

static struct tokscan *fz_s;
static struct token fz_t[4];

static void fz_init(void)
{
	static const char *vals[4] = {"Xk7#mQ2p-9vLr4Tz", "AKIAQYLPMN5HHHFPZAM2",
				      "/backup/db-7hq2k9.sql.gz", "k3j9x0q2m1zz.canary.example"};
	static const char *kinds[4] = {"password", "aws", "url", "dns"};

	for (int i = 0; i < 4; i++) {
		snprintf(fz_t[i].id, sizeof(fz_t[i].id), "tk-%d", i);
		snprintf(fz_t[i].kind, sizeof(fz_t[i].kind), "%s", kinds[i]);
		snprintf(fz_t[i].value, sizeof(fz_t[i].value), "%s", vals[i]);
	}
	snprintf(fz_t[1].secret, sizeof(fz_t[1].secret), "%s", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
	snprintf(fz_t[3].secret, sizeof(fz_t[3].secret), "%s", "k3j9x0q2m1zz");
	snprintf(fz_t[0].minted_for, sizeof(fz_t[0].minted_for), "10.0.0.5");
	if (tokscan_build(&fz_s, fz_t, 4))
		abort();
}

static void fz_alert(void *user, const struct alert *a)
{
	(void)user;
	if (!a->token_id[0] || strlen(a->summary) >= sizeof(a->summary))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tokscan_hit h[TOKSCAN_MAX_HITS];
	struct record r;
	size_t split, n;

	static struct bait_entry fz_bait[2] = {{"/.env", "env"}, {"/.aws/credentials", "aws-credentials"}};
	int bi;

	if (!fz_s)
		fz_init();
	/* the sensor's request match (bait.h) on the same bytes */
	bi = bait_match_entries(fz_bait, 2, data, size);
	if (bi >= 0 && (size < 5 + strlen(fz_bait[bi].path) || memcmp(data, "GET /", 5)))
		abort();
	split = size ? data[0] % (size + 1) : 0;
	n = tokscan_scan(fz_s, data, size, TOKSCAN_CLIENT, h, TOKSCAN_MAX_HITS);
	for (size_t i = 0; i < n; i++)
		if (h[i].offset >= size || h[i].tok >= 4)
			abort();
	record_init(&r);
	r.payload = malloc(split + 1);
	r.server_payload = malloc(size - split + 1);
	if (!r.payload || !r.server_payload)
		abort();
	memcpy(r.payload, data, split);
	r.payload_len = split;
	memcpy(r.server_payload, data + split, size - split);
	r.server_payload_len = size - split;
	tokscan_record(fz_s, &r, fz_alert, NULL);
	record_free(&r);
	return 0;
}
