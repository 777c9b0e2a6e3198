/* AWS S3 event notifications: encode ours, decode anyone's (see s3event.h). */
#include "bus/s3event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jread.h"
#include "core/pctenc.h"
#include "core/json.h"

#define S3EVENT_MAX_TOKENS 16384
#define S3EVENT_MAX_NEST 4 /* SQS of SNS of S3 is 3 */

int s3event_key_encode(const char *key, char *out, size_t outlen)
{
	return pctenc(key, "/_.*-", true, out, outlen);
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int s3event_key_decode(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len)
				return -EINVAL;
			int h = hexv(in[i + 1]), l = hexv(in[i + 2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				return -EINVAL;
			c = h << 4 | l;
			i += 2;
		} else if (!c) {
			return -EINVAL;
		}
		if (o + 1 >= outlen)
			return -ENOSPC;
		out[o++] = (char)c;
	}
	if (!outlen)
		return -ENOSPC;
	out[o] = 0;
	return 0;
}

void s3event_time_format(double t, char *out, size_t outlen)
{
	struct tm tm;
	time_t sec;
	int ms;

	if (!(t >= 0 && t < 1e11)) /* also NaN */
		t = 0;
	sec = (time_t)t;
	ms = (int)((t - (double)sec) * 1000.0);

	if (ms < 0 || ms > 999)
		ms = 0;
	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

int s3event_time_parse(const char *s, double *out)
{
	struct tm tm;
	const char *p;
	double frac = 0, scale = 0.1, t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (*p != 'Z' || p[1])
		return -EINVAL;
	t = (double)timegm(&tm) + frac;
	if (!(t >= 0 && t < 1e11))
		return -EINVAL;
	*out = t;
	return 0;
}

/* The bucket and key an event's URI names: s3://bucket/key, or for a local
 * store the folder's name stands in for the bucket. */
static void uri_bucket(const struct bus_event *ev, char *bucket, size_t len)
{
	const char *b = ev->uri, *slash;

	if (!strncmp(b, "s3://", 5)) {
		b += 5;
		slash = strchr(b, '/');
		snprintf(bucket, len, "%.*s", slash ? (int)(slash - b) : (int)strlen(b), b);
		return;
	}
	snprintf(bucket, len, "local");
}

int s3event_encode(const struct bus_event *ev, struct buf *out)
{
	char when[40], key[3 * sizeof(ev->key)], bucket[256], arn[300], pid[160], seq[40];
	struct json j;

	if (s3event_key_encode(ev->key, key, sizeof(key)))
		return -ENAMETOOLONG;
	uri_bucket(ev, bucket, sizeof(bucket));
	s3event_time_format(ev->event_time, when, sizeof(when));
	snprintf(arn, sizeof(arn), "arn:aws:s3:::%s", bucket);
	snprintf(pid, sizeof(pid), "mitsu:%s", ev->sensor);
	/* Sequencer: grows with time for one key, as AWS's does. */
	snprintf(seq, sizeof(seq), "%016llX",
		 ev->event_time > 0 && ev->event_time < 1e11
		     ? (unsigned long long)(ev->event_time * 1e6)
		     : 0ull);
	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "Records");
	json_arr_begin(&j);
	json_obj_begin(&j);
	json_kcstr(&j, "eventVersion", "2.1");
	json_kcstr(&j, "eventSource", "aws:s3");
	json_kcstr(&j, "awsRegion", ev->region[0] ? ev->region : "us-east-1");
	json_kcstr(&j, "eventTime", when);
	json_kcstr(&j, "eventName", "ObjectCreated:Put");
	json_key(&j, "userIdentity");
	json_obj_begin(&j);
	json_kcstr(&j, "principalId", pid);
	json_obj_end(&j);
	json_key(&j, "s3");
	json_obj_begin(&j);
	json_kcstr(&j, "s3SchemaVersion", "1.0");
	json_kcstr(&j, "configurationId", "mitsu");
	json_key(&j, "bucket");
	json_obj_begin(&j);
	json_kcstr(&j, "name", bucket);
	json_kcstr(&j, "arn", arn);
	json_obj_end(&j);
	json_key(&j, "object");
	json_obj_begin(&j);
	json_kcstr(&j, "key", key);
	json_ku64(&j, "size", ev->size);
	if (ev->etag[0])
		json_kcstr(&j, "eTag", ev->etag);
	json_kcstr(&j, "sequencer", seq);
	json_obj_end(&j);
	json_obj_end(&j);
	json_key(&j, "mitsu");
	json_obj_begin(&j);
	json_kcstr(&j, "sensor", ev->sensor);
	if (ev->flow_end[0])
		json_kcstr(&j, "flowEnd", ev->flow_end);
	json_kcstr(&j, "uri", ev->uri);
	if (ev->created > 0)
		json_kdouble(&j, "created", ev->created);
	json_obj_end(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	return json_finish(&j);
}

struct dec {
	s3event_fn fn;
	void *user;
	int events;
	int nest;
};

static int decode_doc(struct dec *dc, const char *s, size_t len, size_t *used);

/* A string member holding a whole JSON document (SNS Message, SQS Body). */
static int decode_nested(struct dec *dc, const struct jr_doc *d, int idx)
{
	struct buf b = {0};
	int ret;

	if (d->t[idx].type != JR_STR)
		return -EINVAL;
	if (dc->nest >= S3EVENT_MAX_NEST)
		return -E2BIG;
	ret = jr_str_buf(d, idx, &b);
	if (!ret) {
		dc->nest++;
		ret = decode_doc(dc, (const char *)b.p, b.len, NULL);
		dc->nest--;
	}
	buf_free(&b);
	return ret;
}

/* Copies a string member reached by a path of keys; "" when absent. */
static void get_path(const struct jr_doc *d, int obj, const char *const *path, char *out,
		     size_t len)
{
	for (; *path && obj >= 0; path++)
		obj = jr_get(d, obj, *path);
	out[0] = 0;
	if (obj >= 0 && jr_str(d, obj, out, len))
		out[0] = 0;
}

static void fill_mitsu(const struct jr_doc *d, int rec, struct bus_event *ev)
{
	static const char *const sensor[] = {"mitsu", "sensor", NULL};
	static const char *const flow_end[] = {"mitsu", "flowEnd", NULL};
	static const char *const uri[] = {"mitsu", "uri", NULL};
	static const char *const pid[] = {"userIdentity", "principalId", NULL};
	char tmp[sizeof(ev->uri)];

	get_path(d, rec, sensor, ev->sensor, sizeof(ev->sensor));
	if (!ev->sensor[0]) {
		get_path(d, rec, pid, tmp, sizeof(tmp));
		if (!strncmp(tmp, "mitsu:", 6))
			snprintf(ev->sensor, sizeof(ev->sensor), "%.*s",
				 (int)sizeof(ev->sensor) - 1, tmp + 6);
	}
	get_path(d, rec, flow_end, ev->flow_end, sizeof(ev->flow_end));
	int c = jr_get(d, jr_get(d, rec, "mitsu"), "created");
	if (c >= 0 && d->t[c].type == JR_NUM && d->t[c].end - d->t[c].start < 40) {
		char num[48];
		memcpy(num, d->s + d->t[c].start, d->t[c].end - d->t[c].start);
		num[d->t[c].end - d->t[c].start] = 0;
		ev->created = strtod(num, NULL);
		if (!(ev->created > 0 && ev->created < 1e11))
			ev->created = 0;
	}
	/* Our own local-store events name a file; anything else is s3://.
	 * Events may come from elsewhere: only a pcap, never a path with "..". */
	get_path(d, rec, uri, tmp, sizeof(tmp));
	size_t n = strlen(tmp);
	if (!strncmp(tmp, "file:///", 8) && n > 13 && !strcmp(tmp + n - 5, ".pcap") &&
	    !strstr(tmp, "/.."))
		snprintf(ev->uri, sizeof(ev->uri), "%s", tmp);
}

/* S3 bucket names are 3-63 of [a-z0-9.-]; some S3-compatible stores allow
 * more, so we accept up to 255 of [A-Za-z0-9._-]: never a '/' or bytes
 * that would change the URI. */
static int bucket_ok(const char *b)
{
	size_t n = strlen(b);

	return n && n < 256 &&
	       strspn(b, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* One element of Records[]: an S3 record, or an SQS/SNS one around it. */
static int decode_record(struct dec *dc, const struct jr_doc *d, int rec)
{
	static const char *const bucket_p[] = {"s3", "bucket", "name", NULL};
	static const char *const etag_p[] = {"s3", "object", "eTag", NULL};
	struct bus_event ev;
	char name[64], bucket[256], when[64], ekey[3 * sizeof(ev.key)];
	int obj, k;

	if ((k = jr_get(d, rec, "body")) >= 0 || (k = jr_get(d, rec, "Body")) >= 0)
		return decode_nested(dc, d, k); /* Lambda's SQS event */
	if ((k = jr_get(d, rec, "Sns")) >= 0 && (k = jr_get(d, k, "Message")) >= 0)
		return decode_nested(dc, d, k); /* Lambda's SNS event */
	obj = jr_get(d, jr_get(d, rec, "s3"), "object");
	if (obj < 0 || jr_str(d, jr_get(d, rec, "eventName"), name, sizeof(name)))
		return -EINVAL;
	if (strncmp(name, "ObjectCreated:", 14))
		return 0;
	memset(&ev, 0, sizeof(ev));
	get_path(d, rec, bucket_p, bucket, sizeof(bucket));
	k = jr_get(d, obj, "key");
	if (!bucket_ok(bucket) || jr_str(d, k, ekey, sizeof(ekey)) || !ekey[0] ||
	    s3event_key_decode(ekey, strlen(ekey), ev.key, sizeof(ev.key)))
		return -EINVAL;
	if (jr_u64(d, jr_get(d, obj, "size"), &ev.size))
		ev.size = 0;
	get_path(d, rec, etag_p, ev.etag, sizeof(ev.etag));
	if (!jr_str(d, jr_get(d, rec, "eventTime"), when, sizeof(when)))
		s3event_time_parse(when, &ev.event_time);
	if (jr_str(d, jr_get(d, rec, "awsRegion"), ev.region, sizeof(ev.region)))
		ev.region[0] = 0;
	if ((size_t)snprintf(ev.uri, sizeof(ev.uri), "s3://%s/%s", bucket, ev.key) >=
	    sizeof(ev.uri))
		return -ENAMETOOLONG;
	fill_mitsu(d, rec, &ev);
	dc->events++;
	return dc->fn(dc->user, &ev);
}

static int decode_array(struct dec *dc, const struct jr_doc *d, int arr)
{
	int ret = 0;

	for (uint32_t i = 0; i < jr_len(d, arr) && !ret; i++)
		ret = decode_record(dc, d, jr_at(d, arr, i));
	return ret;
}

static int decode_root(struct dec *dc, const struct jr_doc *d)
{
	int k;

	if (d->t[0].type != JR_OBJ)
		return -EINVAL;
	if ((k = jr_get(d, 0, "Records")) >= 0 && d->t[k].type == JR_ARR)
		return decode_array(dc, d, k);
	if ((k = jr_get(d, 0, "Messages")) >= 0 && d->t[k].type == JR_ARR)
		return decode_array(dc, d, k); /* SQS ReceiveMessage */
	if ((k = jr_get(d, 0, "Type")) >= 0 && (k = jr_get(d, 0, "Message")) >= 0)
		return decode_nested(dc, d, k); /* SNS notification */
	if ((k = jr_get(d, 0, "Body")) >= 0 || (k = jr_get(d, 0, "body")) >= 0)
		return d->t[k].type == JR_STR ? decode_nested(dc, d, k) : -EINVAL;
	if ((k = jr_get(d, 0, "Event")) >= 0 && jr_eq(d, k, "s3:TestEvent"))
		return 0;
	return -EINVAL;
}

static int decode_doc(struct dec *dc, const char *s, size_t len, size_t *used)
{
	struct jr_tok *toks;
	struct jr_doc d;
	int ret;

	if (len > S3EVENT_MAX_DOC)
		len = S3EVENT_MAX_DOC + 1; /* the parse fails unless a document ends first */
	toks = malloc(S3EVENT_MAX_TOKENS * sizeof(*toks));
	if (!toks)
		return -ENOMEM;
	ret = jr_parse(&d, s, len, toks, S3EVENT_MAX_TOKENS, used);
	if (!ret && used && *used > S3EVENT_MAX_DOC)
		ret = -E2BIG;
	if (!ret)
		ret = decode_root(dc, &d);
	free(toks);
	return ret;
}

int s3event_decode(const char *s, size_t len, size_t *used, s3event_fn fn, void *user)
{
	struct dec dc = {.fn = fn, .user = user};
	int ret = decode_doc(&dc, s, len, used);

	return ret ? ret : dc.events;
}
