/* MaxMind DB lookups for the dashboard (libmaxminddb does the parsing). */
#include "web/geo.h"

#include <errno.h>
#include <stdbool.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct web_geo {
	MMDB_s db[WEB_GEO_MAX_FILES];
	int n;
};

int web_geo_open(struct web_geo **out, const char *const *paths, int n, char *err, size_t errlen)
{
	struct web_geo *g;
	int rc;

	*out = NULL;
	if (n < 1 || n > WEB_GEO_MAX_FILES) {
		snprintf(err, errlen, "--mmdb: between 1 and %d files", WEB_GEO_MAX_FILES);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (; g->n < n; g->n++) {
		errno = 0;
		rc = MMDB_open(paths[g->n], MMDB_MODE_MMAP, &g->db[g->n]);
		if (rc != MMDB_SUCCESS) {
			int e = errno;
			bool io = (rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR) && e;

			snprintf(err, errlen, "--mmdb %s: %s", paths[g->n],
				 io ? strerror(e) : MMDB_strerror(rc));
			web_geo_close(g);
			return io ? -e : -EPROTO;
		}
	}
	*out = g;
	return 0;
}

/* Copies a UTF-8 string value at path into out, if there is one. */
static void web_geo_str(MMDB_entry_s *e, char *out, size_t outlen, const char *const *path)
{
	MMDB_entry_data_s d;

	if (out[0] || MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	snprintf(out, outlen, "%.*s", (int)(d.data_size < outlen ? d.data_size : outlen - 1),
		 d.utf8_string);
}

int web_geo_lookup(const struct web_geo *g, const char *addr, struct web_geo_info *info)
{
	static const char *const country[] = {"country", "iso_code", NULL};
	static const char *const reg[] = {"registered_country", "iso_code", NULL};
	static const char *const asn[] = {"autonomous_system_number", NULL};
	static const char *const org[] = {"autonomous_system_organization", NULL};
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;
	int gai, mmerr;

	memset(info, 0, sizeof(*info));
	for (int i = 0; g && i < g->n; i++) {
		r = MMDB_lookup_string(&g->db[i], addr, &gai, &mmerr);
		if (gai || mmerr != MMDB_SUCCESS || !r.found_entry)
			continue;
		web_geo_str(&r.entry, info->country, sizeof(info->country), country);
		web_geo_str(&r.entry, info->country, sizeof(info->country), reg);
		web_geo_str(&r.entry, info->as_org, sizeof(info->as_org), org);
		if (!info->asn && MMDB_aget_value(&r.entry, &d, asn) == MMDB_SUCCESS &&
		    d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
			info->asn = d.uint32;
	}
	return info->country[0] || info->asn || info->as_org[0];
}

void web_geo_close(struct web_geo *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n; i++)
		MMDB_close(&g->db[i]);
	free(g);
}
