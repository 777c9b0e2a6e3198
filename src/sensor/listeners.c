#include "sensor/listeners.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TCP_LISTEN_STATE 0x0A

int listeners_parse(FILE *f, struct portset *out)
{
	char line[512];
	int n = 0;

	if (!fgets(line, sizeof(line), f)) /* header */
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char local[128];
		unsigned port, state;
		char *colon;
		/* "  0: 0100007F:0277 00000000:0000 0A ..." */
		if (sscanf(line, " %*[0-9]: %127s %*s %x", local, &state) != 2)
			continue;
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &port) != 1 || port > 65535)
			continue;
		if (state == TCP_LISTEN_STATE) {
			portset_add(out, (uint16_t)port);
			n++;
		}
	}
	return n;
}

int listeners_scan(struct portset *out)
{
	static const char *files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	int found = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");
		if (!f) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		found += listeners_parse(f, out);
		fclose(f);
	}
	return found;
}

static int parse_port(const char *s, char **end)
{
	long v;

	errno = 0;
	v = strtol(s, end, 10);
	if (errno || *end == s || v < 0 || v > 65535)
		return -1;
	return (int)v;
}

int portset_parse(struct portset *s, const char *spec)
{
	const char *p = spec;

	/* Every item must be a port or range: "" and a trailing ',' (an
	 * empty last item) are errors, as "1,,2" already was. */
	if (!*p)
		return -EINVAL;
	while (*p) {
		char *end;
		int lo = parse_port(p, &end), hi = lo;
		if (lo < 0)
			return -EINVAL;
		if (*end == '-') {
			hi = parse_port(end + 1, &end);
			if (hi < lo)
				return -EINVAL;
		}
		if (*end && *end != ',')
			return -EINVAL;
		for (int port = lo; port <= hi; port++)
			portset_add(s, (uint16_t)port);
		if (*end == ',' && !end[1])
			return -EINVAL;
		p = *end ? end + 1 : end;
	}
	return 0;
}
