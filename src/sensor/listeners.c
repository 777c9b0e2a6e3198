#include "sensor/listeners.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TCP_LISTEN_STATE 0x0A

/* The local address column of /proc/net/tcp{,6}: 8 or 32 hex digits, each
 * 32-bit word printed in host order (this reads them on a little-endian
 * host, as every machine mitsu runs on).  True for 127.0.0.0/8, ::1 and
 * ::ffff:127.0.0.0/104. */
static bool listeners_is_loopback(const char *hex, size_t n)
{
	if (n == 8)
		return !strncasecmp(hex + 6, "7F", 2);
	if (n == 32 && !strncmp(hex, "0000000000000000", 16)) {
		if (!strncmp(hex + 16, "0000000001000000", 16))
			return true;
		return !strncasecmp(hex + 16, "FFFF0000", 8) && !strncasecmp(hex + 30, "7F", 2);
	}
	return false;
}

int listeners_parse(FILE *f, struct portset *out, bool skip_loopback)
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
		if (state == TCP_LISTEN_STATE &&
		    !(skip_loopback && listeners_is_loopback(local, (size_t)(colon - local)))) {
			portset_add(out, (uint16_t)port);
			n++;
		}
	}
	return n;
}

int listeners_scan(struct portset *out, bool skip_loopback)
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
		found += listeners_parse(f, out, skip_loopback);
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
