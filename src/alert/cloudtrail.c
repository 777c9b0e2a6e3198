/* CloudTrail events against registered aws honeytokens.  See cloudtrail.h. */
#include "alert/cloudtrail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "alert/ctjson.h"
#include "core/json.h"

#define CT_MAX_FILE (256u << 20) /* uncompressed bytes read per file */

int cloudtrail_token_usable(const struct token *t)
{
	return !strcmp(t->kind, "aws") ||
	       (!strcmp(t->kind, "file") &&
		(!strcmp(t->format, "aws-credentials") || !strcmp(t->format, "env")));
}

/* The token an event was made with, or NULL. */
static const struct token *ct_match(const struct cloudtrail *ct, const char *user,
				    const char *key)
{
	for (size_t i = 0; i < ct->ntok; i++) {
		const struct token *t = &ct->toks[i];
		const char *tkey = !strcmp(t->kind, "file") && !strcmp(t->format, "env") ? t->key_id
											 : t->value;
		if (!cloudtrail_token_usable(t))
			continue;
		if (user[0] && t->user[0] && !strcmp(t->kind, "aws") && !strcmp(user, t->user))
			return t;
		if (key[0] && tkey[0] && !strcmp(key, tkey))
			return t;
	}
	return NULL;
}

/* "2026-11-23T10:00:00Z" (optionally with fractional seconds) to epoch. */
static double ct_time(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	double frac = 0;

	if (!end)
		return 0;
	if (*end == '.')
		frac = strtod(end, NULL);
	return (double)timegm(&tm) + frac;
}

struct ct_ev {
	char name[128], source[128], time[40], ip[64], agent[512], region[32], err[128],
	    errmsg[512], user[128], key[64], account[32], id[64], type[32];
};

static void ct_read(const struct ctjson *d, long e, struct ct_ev *v)
{
	ctjson_text(d, ctjson_get(d, e, "eventName"), v->name, sizeof(v->name));
	ctjson_text(d, ctjson_get(d, e, "eventSource"), v->source, sizeof(v->source));
	ctjson_text(d, ctjson_get(d, e, "eventTime"), v->time, sizeof(v->time));
	ctjson_text(d, ctjson_get(d, e, "sourceIPAddress"), v->ip, sizeof(v->ip));
	ctjson_text(d, ctjson_get(d, e, "userAgent"), v->agent, sizeof(v->agent));
	ctjson_text(d, ctjson_get(d, e, "awsRegion"), v->region, sizeof(v->region));
	ctjson_text(d, ctjson_get(d, e, "errorCode"), v->err, sizeof(v->err));
	ctjson_text(d, ctjson_get(d, e, "errorMessage"), v->errmsg, sizeof(v->errmsg));
	ctjson_text(d, ctjson_get(d, e, "eventID"), v->id, sizeof(v->id));
	ctjson_text(d, ctjson_get(d, e, "recipientAccountId"), v->account, sizeof(v->account));
	ctjson_text(d, ctjson_path(d, e, "userIdentity.userName"), v->user, sizeof(v->user));
	ctjson_text(d, ctjson_path(d, e, "userIdentity.accessKeyId"), v->key, sizeof(v->key));
	ctjson_text(d, ctjson_path(d, e, "userIdentity.type"), v->type, sizeof(v->type));
}

static void ct_kstr(struct json *j, const char *k, const char *v)
{
	if (v[0])
		json_kcstr(j, k, v);
}

static int ct_detail(const struct ct_ev *v, const struct token *t, const char *uri,
		     struct buf *out)
{
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j);
	ct_kstr(&j, "eventName", v->name);
	ct_kstr(&j, "eventSource", v->source);
	ct_kstr(&j, "eventTime", v->time);
	ct_kstr(&j, "sourceIPAddress", v->ip);
	ct_kstr(&j, "userAgent", v->agent);
	ct_kstr(&j, "awsRegion", v->region);
	ct_kstr(&j, "errorCode", v->err);
	ct_kstr(&j, "errorMessage", v->errmsg);
	ct_kstr(&j, "userName", v->user);
	ct_kstr(&j, "accessKeyId", v->key);
	ct_kstr(&j, "identityType", v->type);
	ct_kstr(&j, "recipientAccountId", v->account);
	ct_kstr(&j, "eventID", v->id);
	ct_kstr(&j, "file", uri);
	if (t->minted_for[0]) {
		json_kcstr(&j, "fetched_by", t->minted_for);
		json_kdouble(&j, "fetched_ts", t->minted_ts);
		json_kcstr(&j, "used_by", v->ip);
	}
	json_obj_end(&j);
	return json_finish(&j);
}

static void ct_copy(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);

	if (l > n - 1)
		l = n - 1;

	memcpy(dst, src, l);
	dst[l] = 0;
}

static void ct_alert(struct cloudtrail *ct, const struct ct_ev *v, const struct token *t,
		     const char *uri)
{
	struct alert a = {.kind = ALERT_CLOUDTRAIL, .ts = ct_time(v->time)};
	struct buf d = {0}, s = {0};

	ct_copy(a.src_addr, sizeof(a.src_addr), v->ip);
	ct_copy(a.token_id, sizeof(a.token_id), t->id);
	ct_copy(a.token_kind, sizeof(a.token_kind), t->kind);
	ct_copy(a.note, sizeof(a.note), t->note);
	/* The log file and the event in it: re-reading a file dedups. */
	buf_printf(&s, "%s#%s", uri, v->id);
	ct_copy(a.uri, sizeof(a.uri), buf_cstr(&s));
	buf_reset(&s);
	buf_printf(&s, "CloudTrail: honeytoken %s (%s%s%s) used from %s: %s %s in %s%s%s%s", t->id,
		   t->kind, t->note[0] ? ": " : "", t->note, v->ip[0] ? v->ip : "?",
		   v->source, v->name, v->region[0] ? v->region : "?", v->err[0] ? " (" : "",
		   v->err, v->err[0] ? ")" : "");
	ct_copy(a.summary, sizeof(a.summary), buf_cstr(&s));
	if (!ct_detail(v, t, uri, &d))
		a.detail = buf_cstr(&d);
	ct->alerts++;
	if (ct->fn)
		ct->fn(ct->user, &a);
	buf_free(&d);
	buf_free(&s);
}

static void ct_event(struct cloudtrail *ct, const struct ctjson *d, long e, const char *uri)
{
	struct ct_ev v;
	const struct token *t;

	memset(&v, 0, sizeof(v));
	ct->events++;
	ct_read(d, e, &v);
	if ((t = ct_match(ct, v.user, v.key)))
		ct_alert(ct, &v, t, uri);
}

int cloudtrail_scan(struct cloudtrail *ct, const char *text, size_t n, const char *uri)
{
	struct ctjson d = {0};
	long list, e;
	int ret = ctjson_parse(&d, text, n, NULL);

	if (ret)
		goto out;
	if ((list = ctjson_get(&d, 0, "Records")) >= 0 || (list = d.n[0].type == CTJSON_ARR ? 0 : -1) >= 0) {
		for (e = ctjson_first(&d, list); e >= 0; e = ctjson_next(&d, e))
			if (d.n[e].type == CTJSON_OBJ)
				ct_event(ct, &d, e, uri);
	} else if ((list = ctjson_get(&d, 0, "Events")) >= 0) {
		/* lookup-events: each event is a JSON document in a string. */
		for (e = ctjson_first(&d, list); e >= 0; e = ctjson_next(&d, e)) {
			long s = ctjson_get(&d, e, "CloudTrailEvent");
			long l = ctjson_text(&d, s, NULL, 0);
			char *inner = l > 0 && l < (1 << 20) ? malloc((size_t)l + 1) : NULL;
			if (inner) {
				ctjson_text(&d, s, inner, (size_t)l + 1);
				cloudtrail_scan(ct, inner, strlen(inner), uri);
				free(inner);
			}
		}
	} else if (d.n[0].type == CTJSON_OBJ && ctjson_get(&d, 0, "eventName") >= 0) {
		ct_event(ct, &d, 0, uri);
	}
out:
	ctjson_free(&d);
	return ret;
}

/* Reads a whole (possibly gzipped) file, at most CT_MAX_FILE bytes. */
static int ct_slurp(const char *path, struct buf *out)
{
	gzFile gz = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(dup(0), "rb");
	int n, ret = 0;

	if (!gz)
		return errno ? -errno : -ENOMEM;
	for (;;) {
		if ((ret = buf_reserve(out, 65536)))
			break;
		n = gzread(gz, out->p + out->len, 65536);
		if (n < 0) {
			ret = -EIO;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > CT_MAX_FILE) {
			ret = -EFBIG;
			break;
		}
	}
	gzclose(gz);
	return ret;
}

int cloudtrail_file(struct cloudtrail *ct, const char *path)
{
	struct buf b = {0};
	char uri[4200], real[4096];
	int ret = ct_slurp(path, &b);

	ct->files++;
	if (strcmp(path, "-") && realpath(path, real))
		snprintf(uri, sizeof(uri), "file://%s", real);
	else
		snprintf(uri, sizeof(uri), "%s", strcmp(path, "-") ? path : "stdin");
	if (!ret)
		ret = cloudtrail_scan(ct, b.p ? (const char *)b.p : "", b.len, uri);
	if (ret)
		ct->bad_files++;
	buf_free(&b);
	return ret;
}
