/* S3 event notifications: encode/decode round trip, AWS samples in SNS and
 * SQS envelopes, the JSON reader's limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus/s3event.h"
#include "core/jread.h"
#include "core/json.h"
#include "t.h"

struct got {
	int n;
	struct bus_event ev[4];
};

static int collect(void *user, const struct bus_event *ev)
{
	struct got *g = user;

	if (g->n < 4)
		g->ev[g->n] = *ev;
	g->n++;
	return 0;
}

static int dec(const char *s, struct got *g)
{
	memset(g, 0, sizeof(*g));
	return s3event_decode(s, strlen(s), NULL, collect, g);
}

static const char aws_sample[] =
	"{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":"
	"\"eu-west-1\",\"eventTime\":\"2026-01-02T03:04:05.678Z\",\"eventName\":"
	"\"ObjectCreated:Put\",\"userIdentity\":{\"principalId\":\"AWS:AIDAEXAMPLE\"},"
	"\"requestParameters\":{\"sourceIPAddress\":\"127.0.0.1\"},\"responseElements\":{"
	"\"x-amz-request-id\":\"C3D13FE58DE4C810\"},\"s3\":{\"s3SchemaVersion\":\"1.0\","
	"\"configurationId\":\"cfg\",\"bucket\":{\"name\":\"honey\",\"ownerIdentity\":{"
	"\"principalId\":\"A3NL1KOZZKExample\"},\"arn\":\"arn:aws:s3:::honey\"},\"object\":{"
	"\"key\":\"pcap/2026/01/02/03/1_fd00%3A%3A1_10.0.0.1_5+6.pcap\",\"size\":1024,"
	"\"eTag\":\"d41d8cd98f00b204e9800998ecf8427e\",\"sequencer\":\"0055AED6DCD90281E5\"}}}]}";

static void test_aws_sample(void)
{
	struct got g;

	CHECK_INT(dec(aws_sample, &g), 1);
	CHECK_STR(g.ev[0].uri, "s3://honey/pcap/2026/01/02/03/1_fd00::1_10.0.0.1_5 6.pcap");
	CHECK_STR(g.ev[0].key, "pcap/2026/01/02/03/1_fd00::1_10.0.0.1_5 6.pcap");
	CHECK_INT(g.ev[0].size, 1024);
	CHECK_STR(g.ev[0].etag, "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(g.ev[0].region, "eu-west-1");
	CHECK(g.ev[0].event_time > 1767323045.6 && g.ev[0].event_time < 1767323045.7);
	CHECK_STR(g.ev[0].sensor, "");
}

/* The sample as a JSON string value (what SNS and SQS carry). */
static char *quoted(const char *s)
{
	struct buf b = {0};

	json_str(&b, (const uint8_t *)s, strlen(s));
	return (char *)buf_cstr(&b);
}

static void test_envelopes(void)
{
	char *q = quoted(aws_sample), *sns, *q2, *doc;
	struct got g;
	size_t n = strlen(q) + 200;

	sns = malloc(n);
	snprintf(sns, n, "{\"Type\":\"Notification\",\"MessageId\":\"x\",\"Message\":%s}", q);
	CHECK_INT(dec(sns, &g), 1);
	CHECK_STR(g.ev[0].key, "pcap/2026/01/02/03/1_fd00::1_10.0.0.1_5 6.pcap");
	q2 = quoted(sns);
	doc = malloc(strlen(q) + strlen(q2) + 200);
	sprintf(doc, "{\"MessageId\":\"m\",\"Body\":%s}", q2); /* SQS of SNS */
	CHECK_INT(dec(doc, &g), 1);
	sprintf(doc, "{\"Records\":[{\"messageId\":\"m\",\"eventSource\":\"aws:sqs\",\"body\":%s},"
		     "{\"body\":%s}]}",
		q, q2); /* Lambda SQS event, two messages */
	CHECK_INT(dec(doc, &g), 2);
	sprintf(doc, "{\"Messages\":[{\"Body\":%s}]}", q); /* ReceiveMessage */
	CHECK_INT(dec(doc, &g), 1);
	sprintf(doc, "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"Message\":%s}}]}", q);
	CHECK_INT(dec(doc, &g), 1);
	CHECK_INT(dec("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\"}", &g), 0);
	CHECK_INT(dec("{\"Records\":[{\"eventName\":\"ObjectRemoved:Delete\",\"s3\":{\"object\":{}}}]}",
		      &g), 0);
	CHECK_INT(dec("{\"foo\":1}", &g), -EINVAL);
	CHECK_INT(dec("{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{"
		      "\"name\":\"b\"},\"object\":{\"key\":\"%zz\"}}}]}", &g), -EINVAL);
	free(q), free(q2), free(sns), free(doc);
}

static void test_roundtrip(void)
{
	struct bus_event ev = {0};
	struct buf b = {0};
	struct got g;

	snprintf(ev.uri, sizeof(ev.uri), "s3://honey/p/pcap/x y:1.pcap");
	snprintf(ev.key, sizeof(ev.key), "p/pcap/x y:1.pcap");
	snprintf(ev.sensor, sizeof(ev.sensor), "sensor-1");
	snprintf(ev.flow_end, sizeof(ev.flow_end), "idle");
	snprintf(ev.etag, sizeof(ev.etag), "abc");
	ev.size = 77;
	ev.event_time = 1767323045.5;
	CHECK_INT(s3event_encode(&ev, &b), 0);
	CHECK(strstr(buf_cstr(&b), "\"key\":\"p/pcap/x+y%3A1.pcap\"") != NULL);
	CHECK(strstr(buf_cstr(&b), "\"eventTime\":\"2026-01-02T03:04:05.500Z\"") != NULL);
	CHECK(strstr(buf_cstr(&b), "\"eventName\":\"ObjectCreated:Put\"") != NULL);
	CHECK_INT(dec(buf_cstr(&b), &g), 1);
	CHECK_STR(g.ev[0].uri, ev.uri);
	CHECK_STR(g.ev[0].key, ev.key);
	CHECK_STR(g.ev[0].sensor, "sensor-1");
	CHECK_STR(g.ev[0].flow_end, "idle");
	CHECK_STR(g.ev[0].etag, "abc");
	CHECK_INT(g.ev[0].size, 77);
	CHECK_STR(g.ev[0].region, "us-east-1");
	/* A local store's event keeps its file:// URI. */
	buf_reset(&b);
	snprintf(ev.uri, sizeof(ev.uri), "file:///data/p/pcap/x y:1.pcap");
	CHECK_INT(s3event_encode(&ev, &b), 0);
	CHECK_INT(dec(buf_cstr(&b), &g), 1);
	CHECK_STR(g.ev[0].uri, "file:///data/p/pcap/x y:1.pcap");
	/* Documents one after another, as in an --s3-events file. */
	buf_puts(&b, "\n");
	char *copy = strdup(buf_cstr(&b));
	buf_puts(&b, copy);
	free(copy);
	size_t used = 0, off = 0;
	int docs = 0;
	memset(&g, 0, sizeof(g));
	while (s3event_decode((const char *)b.p + off, b.len - off, &used, collect, &g) == 1) {
		off += used;
		docs++;
	}
	CHECK_INT(docs, 2);
	CHECK_INT(off, b.len);
	buf_free(&b);
}

static void test_jread(void)
{
	struct jr_tok t[64];
	struct jr_doc d;
	char s[32];
	uint64_t v;
	size_t used;
	char deep[200];

	CHECK_INT(jr_parse(&d, " {\"a\":[1,2,{\"b\":\"x\\u00e9\\ud83d\\ude00\"}],\"c\":true} x", 51,
			   t, 64, &used), 0);
	CHECK_INT(used, 50);
	CHECK_INT(jr_len(&d, jr_get(&d, 0, "a")), 3);
	CHECK_INT(jr_u64(&d, jr_at(&d, jr_get(&d, 0, "a"), 1), &v), 0);
	CHECK_INT(v, 2);
	CHECK_INT(jr_str(&d, jr_get(&d, jr_at(&d, jr_get(&d, 0, "a"), 2), "b"), s, sizeof(s)), 0);
	CHECK_STR(s, "x\xc3\xa9\xf0\x9f\x98\x80");
	CHECK_INT(d.t[jr_get(&d, 0, "c")].type, JR_TRUE);
	CHECK_INT(jr_get(&d, 0, "zz"), -1);
	CHECK_INT(jr_parse(&d, "{\"a\":1,}", 8, t, 64, NULL), -EINVAL);
	CHECK_INT(jr_parse(&d, "[01]", 4, t, 64, NULL), -EINVAL);
	CHECK_INT(jr_parse(&d, "\"a\x01\"", 4, t, 64, NULL), -EINVAL);
	CHECK_INT(jr_parse(&d, "[1,2,3]", 7, t, 2, NULL), -E2BIG);
	CHECK_INT(jr_parse(&d, "   ", 3, t, 2, NULL), -ENODATA);
	CHECK_INT(jr_parse(&d, "{}", 2, t, 2, NULL), 0);
	CHECK_INT(jr_parse(&d, "[[],{}]", 7, t, 8, NULL), 0);
	CHECK_INT(d.t[0].n, 2);
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	CHECK_INT(jr_parse(&d, deep, 200, t, 64, NULL), -E2BIG);
	CHECK_INT(jr_parse(&d, "{\"a\":\"\\u0000\"}", 14, t, 8, NULL), 0);
	CHECK_INT(jr_str(&d, 2, s, sizeof(s)), -EINVAL);
}

int main(void)
{
	test_jread();
	test_aws_sample();
	test_envelopes();
	test_roundtrip();
	return T_DONE();
}
