/* Country and AS of an address from MaxMind-format .mmdb files (GeoLite2 /
 * GeoIP2 Country, City, ASN, or compatible such as DB-IP lite), read with
 * libmaxminddb.  Several files merge: e.g. a Country and an ASN database. */
#ifndef MITSU_WEB_GEO_H
#define MITSU_WEB_GEO_H
#include <stddef.h>
#include <stdint.h>

#define WEB_GEO_MAX_FILES 4

struct web_geo;

struct web_geo_info {
	char country[8]; /* ISO 3166-1 alpha-2, "" if unknown */
	uint32_t asn;	 /* 0 if unknown */
	char as_org[128];
};

/* Opens every file (memory-mapped).  Returns 0 or -errno, naming the file. */
int web_geo_open(struct web_geo **out, const char *const *paths, int n, char *err, size_t errlen);
/* Fills *info for the address text; fields stay empty where nothing is known.
 * Returns 1 if anything was found, else 0.  Thread-safe. */
int web_geo_lookup(const struct web_geo *g, const char *addr, struct web_geo_info *info);
void web_geo_close(struct web_geo *g);

#endif
