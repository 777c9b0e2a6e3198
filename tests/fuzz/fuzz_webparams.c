/* libFuzzer harness: the dashboard's request-parameter and header parsers
 * (src/web/params.c) on arbitrary text.  Checks they never crash, never read
 * past the input, and that what they accept is well-formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), user[64], pass[64];
	struct sockaddr_storage ss;
	struct web_sort so;
	unsigned long long v;
	const char *tok;
	size_t n;
	socklen_t len;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (!web_parse_uint(s, 65535, 0, &v) && v > 65535)
		abort();
	if (!web_parse_sort(s, &so) && !web_sort_column(so.col))
		abort();
	if (!web_parse_basic(s, user, sizeof(user), pass, sizeof(pass)) &&
	    (strlen(user) >= sizeof(user) || strlen(pass) >= sizeof(pass)))
		abort();
	if (!web_parse_bearer(s, &tok, &n) && (tok < s || tok + n > s + strlen(s) || !n))
		abort();
	/* an accepted key never climbs out of pcap/ */
	if (web_pcap_key_ok(s) && (strncmp(s, "pcap/", 5) || strstr(s, "/../") || strstr(s, "//")))
		abort();
	if (!web_parse_listen(s, &ss, &len))
		(void)web_sockaddr_is_loopback((struct sockaddr *)&ss);
	(void)web_host_is_loopback(s);
	free(s);
	return 0;
}
