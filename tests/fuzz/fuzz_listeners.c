/* libFuzzer harness for sensor/listeners.
 *
 * The input is read twice: as a /proc/net/tcp-format stream by
 * listeners_parse (through fmemopen), and, NUL-terminated, as a port spec
 * by portset_parse.  Invariants: listeners_parse never reports more LISTEN
 * entries than the input has lines, and a spec portset_parse accepts
 * parses to the same set a second time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/listeners.h"

static struct portset a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	FILE *f;
	size_t lines = 1;

	if (size > 1 << 16)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&a, 0, sizeof(a));
	f = size ? fmemopen((void *)data, size, "r") : NULL;
	if (f) {
		int n = listeners_parse(f, &a, size && data[0] & 1);
		fclose(f);
		/* fgets splits lines longer than its buffer, so allow for that */
		if (n < 0 || (size_t)n > lines + size / 500)
			__builtin_trap();
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	memset(&a, 0, sizeof(a));
	if (portset_parse(&a, s) == 0) {
		memset(&b, 0, sizeof(b));
		if (portset_parse(&b, s) != 0 || memcmp(&a, &b, sizeof(a)))
			__builtin_trap();
	}
	free(s);
	return 0;
}
