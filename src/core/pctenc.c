#include "core/pctenc.h"

#include <errno.h>
#include <string.h>

int pctenc(const char *in, const char *keep, bool space_plus, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (o + 4 > outlen)
			return -ENOSPC;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p)) {
			out[o++] = (char)*p;
		} else if (space_plus && *p == ' ') {
			out[o++] = '+';
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (o >= outlen)
		return -ENOSPC;
	out[o] = 0;
	return 0;
}
