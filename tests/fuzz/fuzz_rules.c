/* libFuzzer harness for the rule engine.  Input: RULES "\n==\n" PAYLOAD.
 *  1. RULES is parsed as a rule file; if it compiles, it is applied to a
 *     record whose client bytes, server bytes and dissector JSON (r->extra)
 *     are all PAYLOAD, so the matcher, the HTTP reader and the JSON reader
 *     see arbitrary bytes too.
 *  2. The default set (share/rules, or a small built-in set when run
 *     elsewhere) is applied to the same record.
 * Checks: no crash, no leak, no hang (regexes are match-limited). */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "rules/rules.h"

static struct rules *dflt;
static struct rules_scratch *dflt_sc;

static const char fallback[] =
    "rule a\n content \"GET\" nocase\n match http.uri regex /^\\/x/\n"
    "rule b\n match ssh.client contains \"SSH\"\n match http.header.host exists\n"
    "rule c\n dir server\n content \"+OK\"\n match redis.commands.x is a\n"
    "rule d\n match not creds.user exists\n match http.body endswith \"}\"\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc, (void)argv;
	if (rules_load(&dflt, "share/rules", err, sizeof(err)))
		rules_load_text(&dflt, "fallback", fallback, sizeof(fallback) - 1, err,
				sizeof(err));
	if (dflt)
		rules_scratch_new(dflt, &dflt_sc);
	return 0;
}

static void apply(const struct rules *rs, struct rules_scratch *sc, const uint8_t *p, size_t n)
{
	struct record r;
	size_t hits[8];

	record_init(&r);
	r.proto = IPPROTO_TCP;
	r.dport = 80;
	r.payload = malloc(n + 1);
	r.server_payload = malloc(n + 1);
	if (!r.payload || !r.server_payload)
		goto out;
	memcpy(r.payload, p, n);
	memcpy(r.server_payload, p, n);
	r.payload_len = r.server_payload_len = n;
	buf_append(&r.extra, p, n);
	rules_apply(rs, sc, &r, hits, 8);
	if (r.ntags > RECORD_MAX_TAGS)
		abort();
out:
	record_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, "\n==\n", 4);
	size_t rlen = sep ? (size_t)(sep - data) : size;
	const uint8_t *payload = sep ? sep + 4 : data;
	size_t plen = sep ? size - rlen - 4 : size;
	struct rules *rs = NULL;
	struct rules_scratch *sc = NULL;
	char err[256];

	if (!rules_load_text(&rs, "fuzz", (const char *)data, rlen, err, sizeof(err))) {
		if (!rules_scratch_new(rs, &sc))
			apply(rs, sc, payload, plen);
		rules_scratch_free(sc);
		rules_free(rs);
	} else if (!memchr(err, 0, sizeof(err))) {
		abort(); /* the message is always terminated */
	}
	if (dflt && dflt_sc)
		apply(dflt, dflt_sc, payload, plen);
	return 0;
}
