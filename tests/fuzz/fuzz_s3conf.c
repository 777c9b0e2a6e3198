/* libFuzzer harness for the S3 client's parsers of outside text: AWS INI
 * files (credentials, config), S3 error XML, spool .meta files, s3:// URIs
 * and key encoding.  Any bytes: no crash, outputs NUL-terminated and within
 * their buffers, error text printable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/s3.h"
#include "store/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char out[64], bucket[64], key[128], enc[3 * 128 + 1];
	struct spool_item it;
	char *z;

	if (s3_ini_get(s, size, "default", "aws_access_key_id", out, sizeof(out)) == 0 &&
	    strlen(out) >= sizeof(out))
		abort();
	s3_ini_get(s, size, "profile honey", "region", out, sizeof(out));
	if (s3_error_parse(s, size, out, sizeof(out)) == 0)
		for (const char *p = out; *p; p++)
			if (*p < 0x20 || *p >= 0x7f)
				abort();
	if (spool_meta_parse(s, size, &it) == 0 && (!it.key[0] || strstr(it.key, "..")))
		abort();
	z = malloc(size + 1);
	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = 0;
	if (s3_uri_parse(z, bucket, sizeof(bucket), key, sizeof(key)) == 0) {
		if (strlen(bucket) < 3 || s3_path_encode(key, enc, sizeof(enc)))
			abort();
		for (const char *p = enc; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/%",
				    *p))
				abort();
	}
	free(z);
	return 0;
}
