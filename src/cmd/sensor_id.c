#include "cmd/sensor_id.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char cache_dir[PATH_MAX], cache_id[128];
static int cache_ok = -1;

static int read_id(const char *dir, char *out, size_t outlen)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "%s/sensor-id", dir);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	if (fgets(out, (int)outlen, f)) {
		out[strcspn(out, "\r\n")] = 0;
		ret = out[0] ? 0 : -ENOENT;
	}
	fclose(f);
	return ret;
}

int sensor_id_find(const char *pcap_path, char *out, size_t outlen)
{
	char dir[PATH_MAX], *slash;

	if (!realpath(pcap_path, dir))
		return -errno;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	/* Files of one folder share the answer. */
	if (cache_ok >= 0 && !strcmp(dir, cache_dir)) {
		snprintf(out, outlen, "%s", cache_id);
		return cache_ok ? 0 : -ENOENT;
	}
	snprintf(cache_dir, sizeof(cache_dir), "%s", dir);
	cache_ok = 0;
	for (int depth = 0; depth < 9 && dir[0]; depth++) {
		if (read_id(dir, cache_id, sizeof(cache_id)) == 0) {
			cache_ok = 1;
			break;
		}
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = 0;
	}
	snprintf(out, outlen, "%s", cache_ok ? cache_id : "");
	return cache_ok ? 0 : -ENOENT;
}
