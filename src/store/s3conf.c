/* S3 configuration and the small parsers of outside text the client needs
 * (AWS INI files, error XML).  No network here, so all of it is unit-tested
 * and fuzzed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/jread.h"
#include "core/pctenc.h"
#include "store/s3.h"

int s3_uri_parse(const char *uri, char *bucket, size_t blen, char *key, size_t klen)
{
	const char *b, *slash;
	size_t n;

	if (strncmp(uri, "s3://", 5))
		return -EINVAL;
	b = uri + 5;
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	/* Bucket names: 3-63 of [a-z0-9.-] (we also accept '_' and capitals
	 * some S3-compatible stores allow). */
	if (n < 3 || n > 63 || n >= blen ||
	    strspn(b, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") < n)
		return -EINVAL;
	memcpy(bucket, b, n);
	bucket[n] = 0;
	b = slash ? slash + 1 : b + n;
	if (strlen(b) >= klen)
		return -ENAMETOOLONG;
	strcpy(key, b);
	return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Trims trailing blanks of [p, e). */
static const char *trim_end(const char *p, const char *e)
{
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return e;
}

static int span_eq(const char *p, const char *e, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(e - p) == n && !memcmp(p, s, n);
}

int s3_ini_get(const char *text, size_t len, const char *section, const char *key, char *out,
	       size_t outlen)
{
	const char *p = text, *end = text + len;
	int in = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = trim_end(p, nl ? nl : end), *q = skip_ws(p, e);
		p = nl ? nl + 1 : end;
		if (q == e || *q == '#' || *q == ';')
			continue;
		if (*q == '[') {
			const char *c = memchr(q, ']', (size_t)(e - q));
			in = c && span_eq(skip_ws(q + 1, c), trim_end(q + 1, c), section);
			continue;
		}
		const char *eq = memchr(q, '=', (size_t)(e - q));
		if (!in || !eq || !span_eq(q, trim_end(q, eq), key))
			continue;
		q = skip_ws(eq + 1, e);
		if ((size_t)(e - q) >= outlen)
			return -ENOSPC;
		memcpy(out, q, (size_t)(e - q));
		out[e - q] = 0;
		return 0;
	}
	return -ENOENT;
}

/* The text between <tag> and </tag>, entities left as they are. */
static int xml_elem(const char *xml, size_t len, const char *tag, const char **v, size_t *vlen)
{
	char open[32], close[34];
	const char *s, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	s = memmem(xml, len, open, strlen(open));
	if (!s)
		return -ENOENT;
	s += strlen(open);
	e = memmem(s, len - (size_t)(s - xml), close, strlen(close));
	if (!e)
		return -ENOENT;
	*v = s;
	*vlen = (size_t)(e - s);
	return 0;
}

/* Copies printable ASCII only: this text goes to the log. */
static size_t copy_printable(char *out, size_t room, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < room; i++)
		out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (room)
		out[o] = 0;
	return o;
}

int s3_error_parse(const char *xml, size_t len, char *out, size_t outlen)
{
	const char *code, *msg;
	size_t clen, mlen, o;

	if (!outlen || xml_elem(xml, len, "Code", &code, &clen) || !clen)
		return -ENOENT;
	if (clen > 64)
		clen = 64;
	o = copy_printable(out, outlen, code, clen);
	if (!xml_elem(xml, len, "Message", &msg, &mlen) && o + 3 < outlen) {
		if (mlen > 200)
			mlen = 200;
		memcpy(out + o, ": ", 2);
		copy_printable(out + o + 2, outlen - o - 2, msg, mlen);
	}
	return 0;
}

int s3_path_encode(const char *key, char *out, size_t outlen)
{
	return pctenc(key, "-._~/", false, out, outlen);
}

/* Reads a small file whole (AWS config files are a few hundred bytes). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *p;

	if (!f)
		return NULL;
	p = malloc(65536);
	*len = p ? fread(p, 1, 65535, f) : 0;
	fclose(f);
	return p;
}

static int ini_file_get(const char *env, const char *home_rel, const char *section, const char *key,
			char *out, size_t outlen)
{
	char path[1024];
	const char *e = getenv(env), *home = getenv("HOME");
	size_t len = 0;
	char *text;
	int ret;

	if (e && *e)
		snprintf(path, sizeof(path), "%s", e);
	else if (home)
		snprintf(path, sizeof(path), "%s/%s", home, home_rel);
	else
		return -ENOENT;
	text = slurp(path, &len);
	if (!text)
		return -ENOENT;
	ret = s3_ini_get(text, len, section, key, out, outlen);
	free(text);
	return ret;
}

static int copy_env(const char *name, char *out, size_t outlen)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return -ENOENT;
	if (strlen(v) >= outlen)
		return -ENOSPC;
	strcpy(out, v);
	return 0;
}

static void load_region(struct s3_cfg *cfg, const char *profile)
{
	char section[160];

	if (!copy_env("AWS_REGION", cfg->region, sizeof(cfg->region)) ||
	    !copy_env("AWS_DEFAULT_REGION", cfg->region, sizeof(cfg->region)))
		return;
	/* ~/.aws/config names sections "profile NAME", except [default]. */
	if (strcmp(profile, "default"))
		snprintf(section, sizeof(section), "profile %s", profile);
	else
		snprintf(section, sizeof(section), "default");
	if (ini_file_get("AWS_CONFIG_FILE", ".aws/config", section, "region", cfg->region,
			 sizeof(cfg->region)))
		snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
}

static int load_keys(struct s3_cfg *cfg, const char *profile, char *err, size_t errlen)
{
	if (!copy_env("AWS_ACCESS_KEY_ID", cfg->access_key, sizeof(cfg->access_key)) &&
	    !copy_env("AWS_SECRET_ACCESS_KEY", cfg->secret_key, sizeof(cfg->secret_key))) {
		copy_env("AWS_SESSION_TOKEN", cfg->session_token, sizeof(cfg->session_token));
		return 0;
	}
	if (!ini_file_get("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", profile,
			  "aws_access_key_id", cfg->access_key, sizeof(cfg->access_key)) &&
	    !ini_file_get("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", profile,
			  "aws_secret_access_key", cfg->secret_key, sizeof(cfg->secret_key))) {
		ini_file_get("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", profile,
			     "aws_session_token", cfg->session_token, sizeof(cfg->session_token));
		return 0;
	}
	/* Last, as the AWS SDKs do: an EC2 instance role.  The keys are
	 * fetched by the client (s3client.c), which renews them. */
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	if (!off || strcasecmp(off, "true")) {
		if (copy_env("AWS_EC2_METADATA_SERVICE_ENDPOINT", cfg->imds, sizeof(cfg->imds)))
			snprintf(cfg->imds, sizeof(cfg->imds), "http://169.254.169.254");
		return 0;
	}
	snprintf(err, errlen,
		 "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile "
		 "'%s' in ~/.aws/credentials (AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE)",
		 profile);
	return -ENOKEY;
}

/* Hosts where bucket.host cannot resolve: IP literals and localhost. */
static bool needs_path_style(const char *endpoint)
{
	char host[256];
	const char *h = strstr(endpoint, "://");
	size_t n;
	unsigned char a[16];

	h = h ? h + 3 : endpoint;
	if (*h == '[')
		return true;
	n = strcspn(h, ":/");
	if (n >= sizeof(host))
		return false;
	memcpy(host, h, n);
	host[n] = 0;
	return !strcmp(host, "localhost") || inet_pton(AF_INET, host, a) == 1;
}

int s3_cfg_load(struct s3_cfg *cfg, const char *endpoint, bool path_style, char *err, size_t errlen)
{
	const char *profile = getenv("AWS_PROFILE");
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	if (!profile || !*profile)
		profile = "default";
	if (endpoint && *endpoint)
		snprintf(cfg->endpoint, sizeof(cfg->endpoint), "%s", endpoint);
	else if (copy_env("AWS_ENDPOINT_URL_S3", cfg->endpoint, sizeof(cfg->endpoint)))
		copy_env("AWS_ENDPOINT_URL", cfg->endpoint, sizeof(cfg->endpoint));
	n = strlen(cfg->endpoint);
	while (n && cfg->endpoint[n - 1] == '/')
		cfg->endpoint[--n] = 0;
	if (n && strncmp(cfg->endpoint, "http://", 7) && strncmp(cfg->endpoint, "https://", 8)) {
		snprintf(err, errlen, "S3 endpoint '%s' must start with http:// or https://",
			 cfg->endpoint);
		return -EINVAL;
	}
	load_region(cfg, profile);
	cfg->path_style = path_style || (n && needs_path_style(cfg->endpoint));
	cfg->timeout_s = 30;
	return load_keys(cfg, profile, err, errlen);
}

int s3_imds_parse(const char *json, size_t len, struct s3_cfg *cfg)
{
	struct jr_tok toks[64];
	struct jr_doc d;
	char when[64];

	if (jr_parse(&d, json, len, toks, 64, NULL) || d.t[0].type != JR_OBJ ||
	    jr_str(&d, jr_get(&d, 0, "AccessKeyId"), cfg->access_key, sizeof(cfg->access_key)) ||
	    jr_str(&d, jr_get(&d, 0, "SecretAccessKey"), cfg->secret_key,
		   sizeof(cfg->secret_key)) ||
	    !cfg->access_key[0] || !cfg->secret_key[0])
		return -EINVAL;
	if (jr_str(&d, jr_get(&d, 0, "Token"), cfg->session_token, sizeof(cfg->session_token)))
		cfg->session_token[0] = 0;
	cfg->expires = 0;
	if (!jr_str(&d, jr_get(&d, 0, "Expiration"), when, sizeof(when))) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		if (strptime(when, "%Y-%m-%dT%H:%M:%S", &tm))
			cfg->expires = (double)timegm(&tm);
	}
	return 0;
}
