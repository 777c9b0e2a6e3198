/* libFuzzer harness: compile arbitrary text as a query, then free it.
 * Checks the lexer, parser and SQL emission never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_sql q;
	char err[256];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (!query_compile(text, &q, err, sizeof(err)) && (!q.sql || !q.cols))
		abort();
	query_sql_free(&q);
	free(text);
	return 0;
}
