/* S3 requests over libcurl.  Signing is libcurl's own AWS SigV4
 * (CURLOPT_AWS_SIGV4); we only add the payload's SHA-256 (signed as
 * x-amz-content-sha256, which S3 requires), Content-MD5 so the server
 * checks the bytes, and compare the returned ETag with that MD5. */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/b64.h"
#include "store/s3.h"

struct s3_client {
	CURL *h;
	struct s3_cfg cfg;
	char sigv4[128];
};

struct s3_resp {
	struct buf body;
	size_t max;
	char etag[80];
};

static pthread_once_t s3_once = PTHREAD_ONCE_INIT;

static void s3_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int s3_client_new(struct s3_client **out, const struct s3_cfg *cfg)
{
	struct s3_client *c;

	pthread_once(&s3_once, s3_global_init);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->h = curl_easy_init();
	if (!c->h) {
		free(c);
		return -ENOMEM;
	}
	c->cfg = *cfg;
	snprintf(c->sigv4, sizeof(c->sigv4), "aws:amz:%s:s3", cfg->region);
	*out = c;
	return 0;
}

void s3_client_free(struct s3_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->h);
	free(c);
}

static int build_url(const struct s3_client *c, const char *bucket, const char *key, char *url,
		     size_t len)
{
	char path[3 * 1024 + 1];
	const char *ep = c->cfg.endpoint, *host;
	int n;

	if (s3_path_encode(key, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (!*ep && c->cfg.path_style)
		n = snprintf(url, len, "https://s3.%s.amazonaws.com/%s/%s", c->cfg.region, bucket, path);
	else if (!*ep)
		n = snprintf(url, len, "https://%s.s3.%s.amazonaws.com/%s", bucket, c->cfg.region, path);
	else if (c->cfg.path_style)
		n = snprintf(url, len, "%s/%s/%s", ep, bucket, path);
	else {
		host = strstr(ep, "://") + 3;
		n = snprintf(url, len, "%.*s%s.%s/%s", (int)(host - ep), ep, bucket, host, path);
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *user)
{
	struct s3_resp *r = user;
	size_t n = size * nmemb;

	if (r->body.len + n > r->max || buf_append(&r->body, p, n))
		return 0; /* too big: curl aborts the transfer */
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *user)
{
	struct s3_resp *r = user;
	size_t n = size * nmemb, i = 5, o = 0;

	if (n > 5 && !strncasecmp(p, "ETag:", 5)) {
		for (; i < n && o + 1 < sizeof(r->etag); i++)
			if (p[i] != '"' && p[i] != ' ' && p[i] != '\r' && p[i] != '\n')
				r->etag[o++] = p[i];
		r->etag[o] = 0;
	}
	return n;
}

/* Maps a finished request to 0 or -errno with a message. */
static int http_status(CURL *h, CURLcode rc, struct s3_resp *r, const char *what, char *err,
		       size_t errlen)
{
	char detail[300] = "";
	long code = 0;

	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", what, curl_easy_strerror(rc));
		return rc == CURLE_WRITE_ERROR ? -EFBIG : -EAGAIN;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return 0;
	if (s3_error_parse((const char *)r->body.p, r->body.len, detail, sizeof(detail)))
		snprintf(detail, sizeof(detail), "no error document");
	snprintf(err, errlen, "%s: HTTP %ld (%s)", what, code, detail);
	if (code == 404)
		return -ENOENT;
	if (code == 401 || code == 403)
		return -EACCES;
	return code >= 500 || code == 429 || code == 408 ? -EAGAIN : -EIO;
}

static void set_common(struct s3_client *c, const char *url, struct curl_slist *hdrs,
		       struct s3_resp *r)
{
	CURL *h = c->h;

	curl_easy_reset(h); /* keeps the connection cache */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, c->cfg.access_key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, c->cfg.secret_key);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->cfg.timeout_s);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
}

static void hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* Adds "name: value" to a header list; NULL on out of memory. */
static struct curl_slist *add_hdr(struct curl_slist *l, const char *name, const char *value,
				  int *oom)
{
	char line[2200];
	struct curl_slist *n;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	n = curl_slist_append(l, line);
	if (!n)
		*oom = 1;
	return n ? n : l;
}

static struct curl_slist *put_headers(const struct s3_client *c, const void *p, size_t n,
				      const char *sensor, char *md5hex)
{
	unsigned char md5[16], sha[32];
	char shahex[65];
	struct buf b64 = {0};
	struct curl_slist *l = NULL;
	int oom = 0;

	EVP_Digest(p, n, md5, NULL, EVP_md5(), NULL);
	EVP_Digest(p, n, sha, NULL, EVP_sha256(), NULL);
	hex(md5, 16, md5hex);
	hex(sha, 32, shahex);
	if (b64_encode(&b64, md5, 16))
		return NULL;
	l = add_hdr(l, "Content-Type", "application/vnd.tcpdump.pcap", &oom);
	l = add_hdr(l, "Content-MD5", buf_cstr(&b64), &oom);
	l = add_hdr(l, "x-amz-content-sha256", shahex, &oom);
	if (sensor && *sensor)
		l = add_hdr(l, "x-amz-meta-sensor", sensor, &oom);
	if (c->cfg.session_token[0])
		l = add_hdr(l, "x-amz-security-token", c->cfg.session_token, &oom);
	/* No "Expect:" here to suppress 100-continue: curl 7.88 would sign
	 * the header it then does not send. */
	buf_free(&b64);
	if (oom) {
		curl_slist_free_all(l);
		return NULL;
	}
	return l;
}

int s3_put(struct s3_client *c, const char *bucket, const char *key, const void *p, size_t n,
	   const char *sensor, char *etag, size_t etaglen, char *err, size_t errlen)
{
	struct s3_resp r = {.max = 64 * 1024};
	char url[4096], what[4200], md5hex[33];
	struct curl_slist *hdrs;
	int ret;

	if ((ret = build_url(c, bucket, key, url, sizeof(url)))) {
		snprintf(err, errlen, "s3://%s/%s: key too long", bucket, key);
		return ret;
	}
	hdrs = put_headers(c, p, n, sensor, md5hex);
	if (!hdrs)
		return -ENOMEM;
	set_common(c, url, hdrs, &r);
	/* POSTFIELDS rather than an upload callback: curl then hashes the very
	 * bytes it sends, whichever way its SigV4 code takes the payload hash. */
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, n ? p : "");
	snprintf(what, sizeof(what), "PUT s3://%s/%s", bucket, key);
	ret = http_status(c->h, curl_easy_perform(c->h), &r, what, err, errlen);
	/* A one-part PUT's ETag is the MD5 unless the store encrypts with KMS
	 * (then it is not 32 hex digits and cannot be checked). */
	if (!ret && strlen(r.etag) == 32 && strcasecmp(r.etag, md5hex)) {
		snprintf(err, errlen, "%s: ETag %s is not the MD5 %s of what we sent", what, r.etag,
			 md5hex);
		ret = -EIO;
	}
	if (!ret && etag)
		snprintf(etag, etaglen, "%s", md5hex);
	curl_slist_free_all(hdrs);
	buf_free(&r.body);
	return ret;
}

int s3_get(struct s3_client *c, const char *bucket, const char *key, struct buf *out, size_t max,
	   char *err, size_t errlen)
{
	struct s3_resp r = {.max = max};
	char url[4096], what[4200];
	struct curl_slist *hdrs = NULL;
	int ret, oom = 0;

	if ((ret = build_url(c, bucket, key, url, sizeof(url)))) {
		snprintf(err, errlen, "s3://%s/%s: key too long", bucket, key);
		return ret;
	}
	/* SHA-256 of the empty body: S3 wants the header on every request. */
	hdrs = add_hdr(hdrs, "x-amz-content-sha256",
		       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &oom);
	if (c->cfg.session_token[0])
		hdrs = add_hdr(hdrs, "x-amz-security-token", c->cfg.session_token, &oom);
	if (oom) {
		curl_slist_free_all(hdrs);
		return -ENOMEM;
	}
	set_common(c, url, hdrs, &r);
	curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	snprintf(what, sizeof(what), "GET s3://%s/%s", bucket, key);
	ret = http_status(c->h, curl_easy_perform(c->h), &r, what, err, errlen);
	if (ret == -EFBIG)
		snprintf(err, errlen, "%s: larger than %zu bytes", what, max);
	curl_slist_free_all(hdrs);
	if (!ret) {
		buf_free(out);
		*out = r.body;
	} else {
		buf_free(&r.body);
	}
	return ret;
}
