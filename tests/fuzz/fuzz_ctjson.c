/* libFuzzer harness for the bounded JSON reader (CloudTrail files, token
 * imports): parse, then walk every node with the accessors and read the
 * CloudTrail fields and a token line; nothing may crash or read outside. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert/ctjson.h"
#include "alert/token.h"

static void fz_walk(const struct ctjson *d, long i, int depth)
{
	char out[32];

	if (depth > CTJSON_MAX_DEPTH + 1)
		abort();
	ctjson_text(d, i, out, sizeof(out));
	ctjson_num(d, i);
	ctjson_path(d, i, "userIdentity.accessKeyId");
	for (long c = ctjson_first(d, i); c >= 0; c = ctjson_next(d, c))
		fz_walk(d, c, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctjson d = {.max_nodes = 100000};
	struct token t;

	if (!ctjson_parse(&d, (const char *)data, size, NULL))
		fz_walk(&d, 0, 0);
	ctjson_free(&d);
	token_from_json((const char *)data, size, &t);
	return 0;
}
