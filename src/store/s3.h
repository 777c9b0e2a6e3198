/* S3 client: configuration (environment, ~/.aws files), one-shot PUT and
 * GET over libcurl with its built-in AWS SigV4 signing.  The store backend
 * built on it is in s3.c (store_s3_open in store.h).
 *
 * A client wraps one curl handle: use one client per thread. */
#ifndef MITSU_S3_H
#define MITSU_S3_H
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct s3_cfg {
	char endpoint[256]; /* scheme://host[:port]; "" = AWS for the region */
	char region[64];
	char access_key[128];
	char secret_key[128];
	char session_token[2048];
	bool path_style; /* endpoint/bucket/key instead of bucket.endpoint/key */
	long timeout_s;	 /* per request (default 30; connecting 5) */
};

/* s3://bucket[/key]: 0, or -EINVAL for a bad URI or bucket name. */
int s3_uri_parse(const char *uri, char *bucket, size_t blen, char *key, size_t klen);

/* Fills cfg: endpoint (argument, else AWS_ENDPOINT_URL_S3, else
 * AWS_ENDPOINT_URL), region (AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * region in AWS_CONFIG_FILE or ~/.aws/config, else us-east-1), credentials
 * (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN], else
 * profile AWS_PROFILE or "default" in AWS_SHARED_CREDENTIALS_FILE or
 * ~/.aws/credentials).  Path style when asked, or when the endpoint's host
 * is an IP address or localhost (virtual hosts cannot work there). */
int s3_cfg_load(struct s3_cfg *cfg, const char *endpoint, bool path_style, char *err,
		size_t errlen);

/* Looks up key in [section] of an INI text as the AWS files write it
 * ("key = value", '#' and ';' comments).  0, -ENOENT, or -ENOSPC. */
int s3_ini_get(const char *text, size_t len, const char *section, const char *key, char *out,
	       size_t outlen);

/* "Code: Message" from an S3 error body (<Error><Code>..</Code>
 * <Message>..</Message></Error>); 0 or -ENOENT if it has no Code. */
int s3_error_parse(const char *xml, size_t len, char *out, size_t outlen);

/* RFC 3986 encoding of a key for the request path ('/' kept). */
int s3_path_encode(const char *key, char *out, size_t outlen);

struct s3_client;

int s3_client_new(struct s3_client **out, const struct s3_cfg *cfg);
void s3_client_free(struct s3_client *c);

/* PUTs p[0..n) with Content-MD5, x-amz-content-sha256 and, if given,
 * x-amz-meta-sensor; checks the returned ETag against the MD5.  etag gets
 * the hex MD5.  0, or a negative errno with err set (-EAGAIN: the store
 * could not be reached or answered 5xx; -EACCES: 401/403; -EIO: other). */
int s3_put(struct s3_client *c, const char *bucket, const char *key, const void *p, size_t n,
	   const char *sensor, char *etag, size_t etaglen, char *err, size_t errlen);
/* GETs an object into out (at most max bytes).  -ENOENT for 404. */
int s3_get(struct s3_client *c, const char *bucket, const char *key, struct buf *out, size_t max,
	   char *err, size_t errlen);

#endif
