/* libFuzzer harness: alert text (attacker-influenced: tags, addresses,
 * summaries) through every channel's formatting: RFC 5424 syslog and the
 * webhook shapes.  Input: kind NUL src NUL text NUL json.  Checks nothing
 * crashes, a syslog message stays one line and chat bodies stay free of raw
 * control characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert/chan.h"
#include "core/buf.h"

static const char *field(const char **p, const char *end)
{
	const char *s = *p, *z = memchr(s, 0, (size_t)(end - s));

	*p = z ? z + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = {"json", "slack", "mattermost", "discord", "teams"};
	char *copy = malloc(size + 1);
	const char *p, *end;
	struct alert_msg m = {.ts = 1700000000.5};
	struct buf b = {0};

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	p = copy;
	end = copy + size;
	strncpy(m.kind, field(&p, end), sizeof(m.kind) - 1);
	strncpy(m.src, field(&p, end), sizeof(m.src) - 1);
	m.text = field(&p, end);
	m.json = p < end ? p : "{}";
	if (!alert_syslog_format(&m, 16, "host", 1, &b))
		for (size_t i = 0; i < b.len; i++)
			if (b.p[i] < 0x20)
				abort();
	for (size_t f = 1; f < sizeof(formats) / sizeof(formats[0]); f++) {
		buf_reset(&b);
		if (!alert_webhook_body(formats[f], &m, &b))
			for (size_t i = 0; i < b.len; i++)
				if (b.p[i] < 0x20)
					abort();
	}
	buf_free(&b);
	free(copy);
	return 0;
}
