/* Minting and rendering honeytokens.  Every random character comes from
 * getrandom() by rejection sampling (no modulo bias), so two tokens never
 * share a detectable string in practice. */
#include "alert/token.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "core/json.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define B32UP "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define B64CH ALNUM "+/"
#define LOWER_DIGIT "abcdefghijklmnopqrstuvwxyz0123456789"
#define HEX "0123456789abcdef"
#define DIGITS "0123456789"

static const char *const token_kinds[] = {"aws", "password", "url", "apikey", "dns", "file"};
static const char *const token_fmts[] = {"env", "aws-credentials", "wp-config", "id_rsa",
					 "git-credentials"};
const char token_formats_help[] = "env|aws-credentials|wp-config|id_rsa|git-credentials";

int token_kind_valid(const char *kind)
{
	for (size_t i = 0; i < sizeof(token_kinds) / sizeof(token_kinds[0]); i++)
		if (!strcmp(kind, token_kinds[i]))
			return 1;
	return 0;
}

int token_format_valid(const char *format)
{
	for (size_t i = 0; i < sizeof(token_fmts) / sizeof(token_fmts[0]); i++)
		if (!strcmp(format, token_fmts[i]))
			return 1;
	return 0;
}

int token_random_chars(char *out, size_t n, const char *alphabet)
{
	size_t m = strlen(alphabet), lim = 256 - 256 % m, o = 0;
	unsigned char r[64];

	while (o < n) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -EIO;
		for (size_t i = 0; i < sizeof(r) && o < n; i++)
			if (r[i] < lim)
				out[o++] = alphabet[r[i] % m];
	}
	out[n] = 0;
	return 0;
}

static unsigned token_random_below(unsigned n)
{
	char c[2];
	char alpha[64];

	/* n <= 64 here: pick one character of an n-letter alphabet. */
	for (unsigned i = 0; i < n && i < 63; i++)
		alpha[i] = (char)(1 + i);
	alpha[n < 63 ? n : 63] = 0;
	if (token_random_chars(c, 1, alpha))
		return 0;
	return (unsigned)(c[0] - 1);
}

/* Chars of alphabet appended to out (bounded by cap). */
static int token_append_random(char *out, size_t cap, size_t n, const char *alphabet)
{
	size_t l = strlen(out);
	char tmp[256];

	if (n >= sizeof(tmp) || l + n >= cap)
		return -EINVAL;
	if (token_random_chars(tmp, n, alphabet))
		return -EIO;
	memcpy(out + l, tmp, n + 1);
	return 0;
}

static int token_aws_pair(char *key_id, size_t klen, char *secret, size_t slen)
{
	snprintf(key_id, klen, "AKIA");
	secret[0] = 0;
	if (token_append_random(key_id, klen, 16, B32UP))
		return -EIO;
	return token_append_random(secret, slen, 40, B64CH);
}

static const char *const token_users[] = {"backup", "deploy", "svc-backup", "jenkins",
					  "dbadmin", "admin_ro", "etl", "reporting"};

static int token_password(struct token *t)
{
	static const char sym[] = "!#%*-_.@";
	char a[8], b[8], s[3];

	snprintf(t->user, sizeof(t->user), "%s",
		 token_users[token_random_below(sizeof(token_users) / sizeof(token_users[0]))]);
	/* 14 letters and digits with two symbols inside: a password manager's. */
	if (token_random_chars(a, 7, ALNUM) || token_random_chars(b, 7, ALNUM) ||
	    token_random_chars(s, 2, sym))
		return -EIO;
	snprintf(t->value, sizeof(t->value), "%s%c%s%c", a, s[0], b, s[1]);
	return 0;
}

/* Realistic length and alphabet per well-known prefix. */
static int token_apikey(struct token *t, const char *prefix)
{
	char *v = t->value;
	size_t cap = sizeof(t->value);

	if (strlen(prefix) > 40)
		return -EINVAL;
	snprintf(v, cap, "%s", prefix);
	if (!strcmp(prefix, "ghp_") || !strcmp(prefix, "gho_") || !strcmp(prefix, "ghs_") ||
	    !strcmp(prefix, "ghu_"))
		return token_append_random(v, cap, 36, ALNUM);
	if (!strcmp(prefix, "github_pat_"))
		return token_append_random(v, cap, 22, ALNUM) ?: token_append_random(v, cap, 0, ALNUM)
		       ?: (strcat(v, "_"), token_append_random(v, cap, 59, ALNUM));
	if (!strncmp(prefix, "xox", 3)) /* Slack: xoxb-<team>-<bot>-<24> */
		return token_append_random(v, cap, 12, DIGITS) ?: (strcat(v, "-"), 0)
		       ?: token_append_random(v, cap, 13, DIGITS) ?: (strcat(v, "-"), 0)
		       ?: token_append_random(v, cap, 24, ALNUM);
	if (!strncmp(prefix, "sk_live_", 8) || !strncmp(prefix, "sk_test_", 8) ||
	    !strncmp(prefix, "rk_live_", 8) || !strncmp(prefix, "pk_live_", 8))
		return token_append_random(v, cap, 24, ALNUM);
	if (!strcmp(prefix, "glpat-"))
		return token_append_random(v, cap, 20, ALNUM "-_");
	if (!strcmp(prefix, "AIza"))
		return token_append_random(v, cap, 35, ALNUM "-_");
	if (!strcmp(prefix, "SG."))
		return token_append_random(v, cap, 22, ALNUM "-_") ?: (strcat(v, "."), 0)
		       ?: token_append_random(v, cap, 43, ALNUM "-_");
	if (!strcmp(prefix, "sk-"))
		return token_append_random(v, cap, 48, ALNUM);
	if (!strcmp(prefix, "npm_"))
		return token_append_random(v, cap, 36, ALNUM);
	return token_append_random(v, cap, 32, ALNUM);
}

static const char *const token_url_dirs[] = {"/backup/", "/admin/export/", "/old/", "/db/",
					     "/private/", "/wp-content/uploads/"};
static const char *const token_url_exts[] = {".sql.gz", ".sql", ".zip", ".tar.gz", ".csv",
					     ".bak"};

static int token_url(struct token *t, const char *path)
{
	char r[16];

	if (path) {
		if (path[0] != '/' || strlen(path) >= sizeof(t->value) || strpbrk(path, " \r\n\t"))
			return -EINVAL;
		snprintf(t->value, sizeof(t->value), "%s", path);
		return 0;
	}
	if (token_random_chars(r, 10, LOWER_DIGIT))
		return -EIO;
	snprintf(t->value, sizeof(t->value), "%sdb-%s%s",
		 token_url_dirs[token_random_below(6)], r, token_url_exts[token_random_below(6)]);
	return 0;
}

static int token_dns(struct token *t, const char *domain)
{
	size_t l;

	if (!domain || !(l = strlen(domain)) || l > 200 ||
	    strspn(domain, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != l ||
	    domain[0] == '.' || domain[0] == '-')
		return -EINVAL;
	if (token_random_chars(t->secret, 12, LOWER_DIGIT))
		return -EIO;
	snprintf(t->value, sizeof(t->value), "%.12s.%.200s", t->secret, domain);
	return 0;
}

static int token_file(struct token *t, const char *format)
{
	snprintf(t->format, sizeof(t->format), "%s", format);
	if (!strcmp(format, "aws-credentials"))
		return token_aws_pair(t->value, sizeof(t->value), t->secret, sizeof(t->secret));
	if (!strcmp(format, "env"))
		return token_password(t) ?: token_aws_pair(t->key_id, sizeof(t->key_id), t->secret,
							   sizeof(t->secret));
	if (!strcmp(format, "wp-config"))
		return token_password(t) ?: token_random_chars(t->secret, 64, ALNUM "!#%*-_.@^&()[]");
	if (!strcmp(format, "id_rsa"))
		return token_random_chars(t->value, 48, B64CH);
	/* git-credentials */
	snprintf(t->user, sizeof(t->user), "%s",
		 token_users[token_random_below(sizeof(token_users) / sizeof(token_users[0]))]);
	return token_apikey(t, "ghp_");
}

int token_mint(const struct token_opts *o, struct token *t, char *err, size_t errlen)
{
	struct timespec now;
	char hex[13];
	int ret;

	memset(t, 0, sizeof(*t));
	if (!o->kind || !token_kind_valid(o->kind)) {
		snprintf(err, errlen, "unknown kind '%s' (aws, password, url, apikey, dns, file)",
			 o->kind ? o->kind : "");
		return -EINVAL;
	}
	if (!strcmp(o->kind, "file") && o->format && !token_format_valid(o->format)) {
		snprintf(err, errlen, "unknown format '%s' (%s)", o->format, token_formats_help);
		return -EINVAL;
	}
	if (!strcmp(o->kind, "dns") && !o->domain) {
		snprintf(err, errlen, "kind dns needs --domain (a domain whose DNS you watch)");
		return -EINVAL;
	}
	if (token_random_chars(hex, 12, HEX)) {
		snprintf(err, errlen, "getrandom failed");
		return -EIO;
	}
	snprintf(t->id, sizeof(t->id), "tk-%s", hex);
	snprintf(t->kind, sizeof(t->kind), "%s", o->kind);
	snprintf(t->note, sizeof(t->note), "%s", o->note ? o->note : "");
	clock_gettime(CLOCK_REALTIME, &now);
	t->created = (double)now.tv_sec + now.tv_nsec / 1e9;
	if (!strcmp(o->kind, "aws"))
		ret = token_aws_pair(t->value, sizeof(t->value), t->secret, sizeof(t->secret));
	else if (!strcmp(o->kind, "password"))
		ret = token_password(t);
	else if (!strcmp(o->kind, "url"))
		ret = token_url(t, o->path);
	else if (!strcmp(o->kind, "apikey"))
		ret = token_apikey(t, o->prefix ? o->prefix : "ghp_");
	else if (!strcmp(o->kind, "dns"))
		ret = token_dns(t, o->domain);
	else
		ret = token_file(t, o->format ? o->format : "env");
	if (ret)
		snprintf(err, errlen, "%s",
			 ret == -EIO ? "getrandom failed"
			 : !strcmp(o->kind, "dns") ? "invalid --domain (letters, digits, '.', '-')"
			 : !strcmp(o->kind, "url") ? "invalid path (must start with '/', no spaces)"
						   : "invalid --prefix (at most 40 characters)");
	return ret;
}

/* ---- rendering ---- */

static int token_render_file(const struct token *t, struct buf *o)
{
	if (!strcmp(t->format, "aws-credentials"))
		return buf_printf(o, "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
				     "region = us-east-1\n", t->value, t->secret);
	if (!strcmp(t->format, "env"))
		return buf_printf(o, "APP_ENV=production\nAPP_DEBUG=false\nDB_CONNECTION=mysql\n"
				     "DB_HOST=10.0.12.7\nDB_PORT=3306\nDB_DATABASE=app_prod\n"
				     "DB_USERNAME=%s\nDB_PASSWORD=%s\nAWS_ACCESS_KEY_ID=%s\n"
				     "AWS_SECRET_ACCESS_KEY=%s\nAWS_DEFAULT_REGION=us-east-1\n",
				  t->user, t->value, t->key_id, t->secret);
	if (!strcmp(t->format, "wp-config"))
		return buf_printf(o, "<?php\ndefine( 'DB_NAME', 'wordpress' );\n"
				     "define( 'DB_USER', '%s' );\ndefine( 'DB_PASSWORD', '%s' );\n"
				     "define( 'DB_HOST', 'localhost' );\ndefine( 'DB_CHARSET', 'utf8mb4' );\n"
				     "define( 'AUTH_KEY', '%s' );\n$table_prefix = 'wp_';\n"
				     "if ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\n"
				     "require_once ABSPATH . 'wp-settings.php';\n",
				  t->user, t->value, t->secret);
	if (!strcmp(t->format, "id_rsa")) {
		/* Looks like an OpenSSH key; the marker is one line of its body. */
		return buf_printf(o, "-----BEGIN OPENSSH PRIVATE KEY-----\n"
				     "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
				     "QyNTUxOQAAACD%.48sAAAAJj\n"
				     "-----END OPENSSH PRIVATE KEY-----\n", t->value);
	}
	return buf_printf(o, "https://%s:%s@github.com\n", t->user, t->value);
}

int token_render(const struct token *t, struct buf *out)
{
	if (!strcmp(t->kind, "file"))
		return token_render_file(t, out);
	if (!strcmp(t->kind, "aws"))
		return buf_printf(out, "aws_access_key_id = %s\n%s%s%s", t->value,
				  t->secret[0] ? "aws_secret_access_key = " : "", t->secret,
				  t->secret[0] ? "\n" : "");
	if (!strcmp(t->kind, "password"))
		return buf_printf(out, "user = %s\npassword = %s\n", t->user, t->value);
	return buf_printf(out, "%s\n", t->value);
}

static void token_json_str(struct json *j, const char *k, const char *v)
{
	if (v[0])
		json_kcstr(j, k, v);
}

int token_to_json(const struct token *t, struct buf *out)
{
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kcstr(&j, "id", t->id);
	json_kcstr(&j, "kind", t->kind);
	token_json_str(&j, "format", t->format);
	json_kcstr(&j, "value", t->value);
	token_json_str(&j, "secret", t->secret);
	token_json_str(&j, "key_id", t->key_id);
	token_json_str(&j, "user", t->user);
	token_json_str(&j, "note", t->note);
	json_kdouble(&j, "created", t->created);
	if (t->minted_for[0]) {
		json_kcstr(&j, "minted_for", t->minted_for);
		json_kdouble(&j, "minted_ts", t->minted_ts);
		token_json_str(&j, "minted_uri", t->minted_uri);
	}
	json_obj_end(&j);
	return json_finish(&j);
}
