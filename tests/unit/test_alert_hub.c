/* The alert hub: ignore rules, IDS aggregation, throttling, channels'
 * message shapes (syslog RFC 5424, Slack/Discord/Teams webhooks), options. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert/chan.h"
#include "alert/hub.h"
#include "alert/ids.h"
#include "alert/ignore.h"
#include "alert/opts.h"
#include "core/buf.h"
#include "t.h"

static struct alert mk(enum alert_kind k, const char *src, unsigned dport)
{
	struct alert a = {.kind = k, .ts = 1700000000.0, .dst_port = dport};

	snprintf(a.src_addr, sizeof(a.src_addr), "%s", src);
	snprintf(a.dst_addr, sizeof(a.dst_addr), "10.9.0.1");
	snprintf(a.proto, sizeof(a.proto), "tcp");
	return a;
}

static void test_ignore(void)
{
	struct alert_ignore ig = {0};
	char err[256];
	struct alert a;

	CHECK_INT(alert_ignore_add(&ig, "10.0.0.5", err, sizeof(err)), 0);
	CHECK_INT(alert_ignore_add(&ig, "10.1.0.0/16,port:443", err, sizeof(err)), 0);
	CHECK_INT(alert_ignore_add(&ig, "net:10.2.0.9,22,161-162", err, sizeof(err)), 0);
	CHECK_INT(alert_ignore_add(&ig, "tag:masscan", err, sizeof(err)), 0);
	CHECK_INT(alert_ignore_add(&ig, "token:tok-3", err, sizeof(err)), 0);
	CHECK_INT(alert_ignore_add(&ig, "kind:contact,2001:db8::/32", err, sizeof(err)), 0);
	CHECK_INT(alert_ignore_add(&ig, "8080", err, sizeof(err)), 0);
	CHECK(alert_ignore_add(&ig, "10.0.0.0/33", err, sizeof(err)) < 0);
	CHECK(alert_ignore_add(&ig, "port:70000", err, sizeof(err)) < 0);
	CHECK(alert_ignore_add(&ig, "port:30-20", err, sizeof(err)) < 0);
	CHECK(alert_ignore_add(&ig, "color:red", err, sizeof(err)) < 0);
	CHECK(alert_ignore_add(&ig, "kind:nope", err, sizeof(err)) < 0);
	CHECK(alert_ignore_add(&ig, ",", err, sizeof(err)) < 0);
	CHECK_INT(ig.n, 7);

	a = mk(ALERT_CONTACT, "10.0.0.5", 22);
	CHECK(alert_ignore_alert(&ig, &a)); /* bare CIDR: every port */
	a = mk(ALERT_CONTACT, "10.0.0.6", 22);
	CHECK(!alert_ignore_alert(&ig, &a));
	a = mk(ALERT_CONTACT, "10.1.2.3", 443);
	CHECK(alert_ignore_alert(&ig, &a)); /* (CIDR, port) pair */
	a = mk(ALERT_CONTACT, "10.1.2.3", 444);
	CHECK(!alert_ignore_alert(&ig, &a));
	a = mk(ALERT_CONTACT, "10.3.2.3", 443);
	CHECK(!alert_ignore_alert(&ig, &a));
	a = mk(ALERT_CONTACT, "10.2.0.9", 161);
	CHECK(alert_ignore_alert(&ig, &a));
	a = mk(ALERT_CONTACT, "10.2.0.9", 23);
	CHECK(!alert_ignore_alert(&ig, &a));
	a = mk(ALERT_TAG, "10.7.0.1", 80);
	snprintf(a.tag, sizeof(a.tag), "masscan");
	CHECK(alert_ignore_alert(&ig, &a));
	a = mk(ALERT_TOKEN, "10.7.0.1", 21);
	snprintf(a.token_id, sizeof(a.token_id), "tok-3");
	CHECK(alert_ignore_alert(&ig, &a));
	snprintf(a.token_id, sizeof(a.token_id), "tok-4");
	CHECK(!alert_ignore_alert(&ig, &a));
	a = mk(ALERT_CONTACT, "2001:db8::7", 80);
	CHECK(alert_ignore_alert(&ig, &a));
	a = mk(ALERT_TOKEN, "2001:db8::7", 80); /* that rule is for contacts only */
	CHECK(!alert_ignore_alert(&ig, &a));
	a = mk(ALERT_TOKEN, "192.0.2.1", 8080); /* bare port: any source */
	CHECK(alert_ignore_alert(&ig, &a));
	a = mk(ALERT_CLOUDTRAIL, "", 0); /* no address, no port: only its own rules */
	CHECK(!alert_ignore_alert(&ig, &a));

	/* a record's every tag counts */
	const char *tags[] = {"http", "masscan"};
	struct alert_subject s = {.kind = ALERT_CONTACT,
				  .src = "10.8.0.1",
				  .dst_port = 80,
				  .tags = tags,
				  .ntags = 2,
				  .token_id = ""};
	CHECK(alert_ignore_match(&ig, &s));
	s.ntags = 1;
	CHECK(!alert_ignore_match(&ig, &s));
	alert_ignore_free(&ig);
}

static struct alert got[64];
static int ngot;
static char details[64][2048];

static void capture(void *user, const struct alert *a)
{
	(void)user;
	if (ngot < 64) {
		got[ngot] = *a;
		snprintf(details[ngot], sizeof(details[0]), "%s", a->detail ? a->detail : "");
		ngot++;
	}
}

static void contact(struct alert_agg *g, const char *src, const char *dst, unsigned port,
		    const char *proto, double ts)
{
	struct alert a = mk(ALERT_CONTACT, src, port);

	snprintf(a.dst_addr, sizeof(a.dst_addr), "%s", dst);
	snprintf(a.proto, sizeof(a.proto), "%s", proto);
	a.ts = ts;
	alert_agg_add(g, &a, 100.0);
}

static void test_aggregation(void)
{
	struct alert_agg *g;

	CHECK_INT(alert_agg_new(&g, 60, capture, NULL), 0);
	for (unsigned p = 1; p <= 200; p++) /* nmap -p 1-200, each port twice */
		for (int k = 0; k < 2; k++)
			contact(g, "10.0.0.5", "10.9.0.1", p, "tcp", 1000.0 + p * 0.015);
	contact(g, "10.0.0.6", "10.9.0.1", 22, "tcp", 1000.0);
	for (int i = 1; i <= 5; i++) { /* sweep: one port, many hosts */
		char d[32];
		snprintf(d, sizeof(d), "10.9.0.%d", i);
		contact(g, "10.0.0.7", d, 445, "tcp", 1000.0 + i);
	}
	contact(g, "10.0.0.8", "10.9.0.1", 0, "icmp", 1000.0);
	contact(g, "10.0.0.9", "10.9.0.1", 22, "tcp", 1000.0);
	contact(g, "10.0.0.9", "10.9.0.1", 23, "tcp", 1070.0); /* next window by flow time */
	CHECK_INT(ngot, 1);
	CHECK_STR(got[0].src_addr, "10.0.0.9");
	alert_agg_expire(g, 120.0, false); /* not yet: opened at 100, window 60 */
	CHECK_INT(ngot, 1);
	alert_agg_expire(g, 160.0, false);
	CHECK_INT(ngot, 6);
	for (int i = 0; i < ngot; i++) {
		if (!strcmp(got[i].src_addr, "10.0.0.5")) {
			CHECK_STR(got[i].summary,
				  "10.0.0.5 probed 200 ports on 10.9.0.1 in 3 s: port "
				  "scan (tcp 1-200)");
			CHECK(strstr(details[i], "\"port_count\":200") != NULL);
			CHECK(strstr(details[i], "\"flows\":400") != NULL);
			CHECK(strstr(details[i], "\"ports\":\"1-200\"") != NULL);
			CHECK_INT(got[i].ts, 1000);
			CHECK_INT(got[i].kind, ALERT_CONTACT);
		} else if (!strcmp(got[i].src_addr, "10.0.0.6")) {
			CHECK(strstr(got[i].summary, "single port contact (tcp 22)") != NULL);
			CHECK_INT(got[i].dst_port, 22);
		} else if (!strcmp(got[i].src_addr, "10.0.0.7")) {
			CHECK(strstr(got[i].summary, "on 5 addresses") != NULL);
			CHECK(strstr(got[i].summary, ": sweep") != NULL);
			CHECK_STR(got[i].dst_addr, "");
		} else if (!strcmp(got[i].src_addr, "10.0.0.8")) {
			CHECK(strstr(got[i].summary, ": ping") != NULL);
		} else if (!strcmp(got[i].src_addr, "10.0.0.9") && i) {
			CHECK(strstr(got[i].summary, "(tcp 23)") != NULL);
		}
	}
	/* records still trickling in keep the window open until the source is quiet */
	ngot = 0;
	struct alert q = mk(ALERT_CONTACT, "10.0.0.11", 80);
	alert_agg_add(g, &q, 200.0);
	q.dst_port = 81;
	alert_agg_add(g, &q, 255.0);
	alert_agg_expire(g, 262.0, false); /* 62 s old, quiet for 7 s only */
	CHECK_INT(ngot, 0);
	alert_agg_expire(g, 265.0, false);
	CHECK_INT(ngot, 1);
	q.dst_port = 82; /* one that never goes quiet: cut at 4 windows */
	for (double t = 300; t <= 540; t += 5) {
		alert_agg_add(g, &q, t);
		alert_agg_expire(g, t, false);
	}
	CHECK_INT(ngot, 2);
	/* a -p- scan: ranges stay short */
	ngot = 0;
	for (unsigned p = 1; p <= 65535; p++)
		if (p != 1000)
			contact(g, "10.0.0.10", "10.9.0.1", p, "tcp", 2000.0);
	alert_agg_expire(g, 0, true);
	CHECK_INT(ngot, 1);
	CHECK(strstr(got[0].summary, "65534 ports") && strstr(got[0].summary, "1-999,1001-65535"));
	alert_agg_free(g);
}

static void test_throttle(void)
{
	struct alert_hub_cfg cfg;
	struct alert_hub_stats st;
	struct alert_hub *h;
	char err[256] = "";
	struct alert a;

	alert_hub_cfg_defaults(&cfg);
	cfg.throttle_n = 2;
	CHECK_INT(alert_opts_apply(&cfg, 2, "10.6.0.0/16", err, sizeof(err)), 0);
	CHECK_INT(alert_hub_open(&cfg, NULL, &h, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++) {
		a = mk(ALERT_TOKEN, "10.5.0.1", 21);
		snprintf(a.token_id, sizeof(a.token_id), "tok-1");
		a.ts += i; /* distinct alerts, same throttle key */
		alert_raise(h, &a);
	}
	snprintf(a.token_id, sizeof(a.token_id), "tok-2"); /* another key */
	alert_raise(h, &a);
	a = mk(ALERT_TOKEN, "10.6.1.1", 21); /* ignored */
	alert_raise(h, &a);
	alert_hub_flush(h);
	alert_hub_get_stats(h, &st);
	CHECK_INT(st.raised, 7);
	CHECK_INT(st.ignored, 1);
	CHECK_INT(st.sent, 3);
	CHECK_INT(st.suppressed, 3);
	/* SIGHUP: the ignore rules change, the rest stays */
	struct alert_hub_cfg next;
	alert_hub_cfg_defaults(&next);
	CHECK_INT(alert_opts_apply(&next, 2, "10.7.0.0/16", err, sizeof(err)), 0);
	alert_hub_reload(h, &next);
	alert_hub_cfg_free(&next);
	a = mk(ALERT_TOKEN, "10.6.1.1", 21); /* no longer ignored */
	alert_raise(h, &a);
	a = mk(ALERT_TOKEN, "10.7.1.1", 21); /* now ignored */
	alert_raise(h, &a);
	alert_hub_flush(h);
	alert_hub_get_stats(h, &st);
	CHECK_INT(st.ignored, 2);
	CHECK_INT(st.sent, 4);
	alert_hub_close(h, 1);
	alert_hub_cfg_free(&cfg);
}

static void test_syslog(void)
{
	struct alert_msg m = {.kind = "token",
			      .ts = 1065910455.003,
			      .src = "10.0.0.5",
			      .json = "{}",
			      .text = "token \"x\" used\nby ]\\"};
	struct buf b = {0};

	/* RFC 5424 section 6: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP
	 * PROCID SP MSGID SP STRUCTURED-DATA SP MSG; local0 (16) * 8 + alert (1) */
	CHECK_INT(alert_syslog_format(&m, 16, "mymachine.example.com", 42, &b), 0);
	CHECK_STR(buf_cstr(&b),
		  "<129>1 2003-10-11T22:14:15.003000Z mymachine.example.com mitsu 42 "
		  "token [mitsu@32473 kind=\"token\" src=\"10.0.0.5\"] token \"x\" used by ]\\");
	buf_reset(&b);
	snprintf(m.kind, sizeof(m.kind), "contact");
	snprintf(m.src, sizeof(m.src), "a\"b]c\\d");
	m.text = "x";
	CHECK_INT(alert_syslog_format(&m, 3, "", 1, &b), 0);
	CHECK_STR(buf_cstr(&b), "<28>1 2003-10-11T22:14:15.003000Z - mitsu 1 contact [mitsu@32473 "
				"kind=\"contact\" src=\"a\\\"b\\]c\\\\d\"] x");
	buf_free(&b);
}

static void test_webhook_shapes(void)
{
	struct alert_msg m = {.kind = "token",
			      .ts = 1,
			      .src = "10.0.0.5",
			      .json = "{\"kind\":\"token\"}",
			      .text = "<!channel> & <b>"};
	struct buf b = {0};

	CHECK_INT(alert_webhook_body("json", &m, &b), 0);
	CHECK_STR(buf_cstr(&b), "{\"kind\":\"token\"}");
	buf_reset(&b);
	CHECK_INT(alert_webhook_body("slack", &m, &b), 0);
	CHECK_STR(buf_cstr(&b),
		  "{\"username\":\"mitsu\",\"text\":\"mitsu token alert: &lt;!channel&gt; "
		  "&amp; &lt;b&gt;\"}");
	buf_reset(&b);
	CHECK_INT(alert_webhook_body("mattermost", &m, &b), 0);
	CHECK(strstr(buf_cstr(&b), "\"text\":\"mitsu token alert: &lt;!channel&gt;") != NULL);
	buf_reset(&b);
	CHECK_INT(alert_webhook_body("discord", &m, &b), 0);
	CHECK_STR(buf_cstr(&b), "{\"username\":\"mitsu\",\"allowed_mentions\":{\"parse\":[]},"
				"\"content\":\"mitsu token alert: <!channel> & <b>\"}");
	buf_reset(&b);
	CHECK_INT(alert_webhook_body("teams", &m, &b), 0);
	CHECK_STR(buf_cstr(&b),
		  "{\"@type\":\"MessageCard\",\"@context\":\"https://schema.org/"
		  "extensions\",\"themeColor\":\"D70000\",\"summary\":\"mitsu token "
		  "alert\",\"title\":\"mitsu token alert\",\"text\":\"mitsu token alert: "
		  "&lt;!channel&gt; &amp; &lt;b&gt;\"}");
	buf_reset(&b);
	CHECK(alert_webhook_body("xml", &m, &b) < 0);
	buf_free(&b);
}

static void test_opts(void)
{
	struct alert_hub_cfg c;
	char err[256];

	alert_hub_cfg_defaults(&c);
	CHECK(!alert_hub_cfg_active(&c));
	CHECK_INT(alert_opts_apply(&c, 0, "any", err, sizeof(err)), 0);
	CHECK_INT(alert_opts_apply(&c, 0, "tags:log4shell,masscan", err, sizeof(err)), 0);
	CHECK_INT(alert_opts_apply(&c, 0, "tags=zgrab", err, sizeof(err)), 0);
	CHECK(c.on_any && c.on_tags && c.ntags == 3);
	CHECK_STR(c.tags[2], "zgrab");
	CHECK(alert_opts_apply(&c, 0, "everything", err, sizeof(err)) < 0);
	CHECK(alert_opts_apply(&c, 0, "tags:", err, sizeof(err)) < 0);
	CHECK_INT(alert_opts_apply(&c, 3, "10/60", err, sizeof(err)), 0);
	CHECK(c.throttle_n == 10 && c.throttle_s == 60);
	CHECK(alert_opts_apply(&c, 3, "10", err, sizeof(err)) < 0);
	CHECK(alert_opts_apply(&c, 1, "0", err, sizeof(err)) < 0);
	CHECK_INT(alert_opts_apply(&c, 6, "http://127.0.0.1:9/x,slack", err, sizeof(err)), 0);
	CHECK_STR(c.chans[0].type, "webhook");
	CHECK(alert_hub_cfg_active(&c));
	alert_hub_cfg_free(&c);
}

/* Channel specs are checked when the hub opens. */
static void test_chan_specs(void)
{
	struct alert_chan *c;
	char err[256];

	CHECK(alert_chan_open(&alert_ch_webhook, "ftp://x", 1, 0, 4, &c, err, sizeof(err)) < 0);
	CHECK(alert_chan_open(&alert_ch_syslog, "udp://nohostport", 1, 0, 4, &c, err, sizeof(err)) <
	      0);
	CHECK(alert_chan_open(&alert_ch_syslog, "udp://h:514,facility=local9", 1, 0, 4, &c, err,
			      sizeof(err)) < 0);
	CHECK(alert_chan_open(&alert_ch_email, "smtp://h,to=a@b", 1, 0, 4, &c, err, sizeof(err)) <
	      0);
	CHECK(alert_chan_open(&alert_ch_email, "smtp://h,from=a@b,to=x\r\ny@z", 1, 0, 4, &c, err,
			      sizeof(err)) < 0);
	CHECK(alert_chan_open(&alert_ch_exec, "relative/prog", 1, 0, 4, &c, err, sizeof(err)) < 0);
	CHECK_INT(alert_chan_open(&alert_ch_syslog, "tcp://[::1]:6514,facility=auth", 1, 0, 4, &c,
				  err, sizeof(err)),
		  0);
	CHECK_STR(alert_chan_label(c), "syslog:tcp://[::1]:6514");
	alert_chan_close(c, 0);
	CHECK_INT(alert_chan_open(&alert_ch_webhook, "https://u:secret@hooks.example/T/B/XYZ,slack",
				  1, 0, 4, &c, err, sizeof(err)),
		  0);
	CHECK_STR(alert_chan_label(c), "webhook:https://hooks.example"); /* no secrets in logs */
	alert_chan_close(c, 0);
}

/* exec: the JSON reaches the program's stdin; a failing program is retried. */
static void test_exec(void)
{
	char dir[] = "/tmp/mitsu-alerthub.XXXXXX", prog[128], out[128], spec[600], line[256];
	struct alert_msg m = {.kind = "contact",
			      .ts = 1,
			      .src = "10.0.0.5",
			      .json = "{\"kind\":\"contact\"}",
			      .text = "t"};
	struct alert_chan_stats st;
	struct alert_chan *c;
	char err[256];
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(prog, sizeof(prog), "%s/p.sh", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(prog, "w");
	fprintf(f,
		"#!/bin/sh\ncat > \"$1\"\necho \"$MITSU_ALERT_KIND $MITSU_ALERT_SRC\" >> \"$1\"\n"
		"exit \"$2\"\n");
	fclose(f);
	chmod(prog, 0755);
	snprintf(spec, sizeof(spec), "%s,%s,0", prog, out);
	CHECK_INT(alert_chan_open(&alert_ch_exec, spec, 5, 0, 4, &c, err, sizeof(err)), 0);
	CHECK_INT(alert_chan_post(c, &m), 0);
	alert_chan_close(c, 5);
	f = fopen(out, "r");
	CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "{\"kind\":\"contact\"}\n"));
	CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "contact 10.0.0.5\n"));
	if (f)
		fclose(f);
	/* fails the first time (exit 3), succeeds on the retry 1 s later */
	unlink(out);
	f = fopen(prog, "w");
	fprintf(f, "#!/bin/sh\nif [ -e \"$1.m\" ]; then cat > \"$1\"; exit 0; fi\n"
		   ": > \"$1.m\"; exit 3\n");
	fclose(f);
	snprintf(spec, sizeof(spec), "%s,%s", prog, out);
	CHECK_INT(alert_chan_open(&alert_ch_exec, spec, 5, 2, 4, &c, err, sizeof(err)), 0);
	CHECK_INT(alert_chan_post(c, &m), 0);
	for (int i = 0; i < 300 && (alert_chan_get_stats(c, &st), st.sent == 0); i++)
		usleep(10000);
	CHECK_INT(st.sent, 1);
	CHECK_INT(st.failed_attempts, 1);
	alert_chan_close(c, 5);
	f = fopen(out, "r");
	CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "{\"kind\":\"contact\"}\n"));
	if (f)
		fclose(f);
	snprintf(line, sizeof(line), "%s.m", out);
	unlink(line);
	unlink(out);
	unlink(prog);
	rmdir(dir);
}

/* Reads one octet-counted frame from a connection accepted within 5 s. */
static int tcp_frame(int lfd, char *out, size_t n, int *conn)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	ssize_t got = 0, r;

	if (poll(&p, 1, 5000) != 1 || (*conn = accept(lfd, NULL, NULL)) < 0)
		return -1;
	p.fd = *conn;
	while ((size_t)got < n - 1 && poll(&p, 1, 2000) == 1 &&
	       (r = recv(*conn, out + got, n - 1 - (size_t)got, 0)) > 0)
		if (memchr(out, ']', (size_t)(got += r)))
			break;
	out[got] = 0;
	return got > 0 ? 0 : -1;
}

/* syslog over TCP: octet counting, and a collector that closed the
 * connection gets a new one instead of a message sent into the void. */
static void test_syslog_tcp(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	struct alert_msg m = {.kind = "token", .ts = 1, .src = "10.0.0.5", .json = "{}", .text = "one"};
	struct alert_chan *c;
	char spec[64], frame[512], err[256];
	int lfd = socket(AF_INET, SOCK_STREAM, 0), conn = -1;

	CHECK(lfd >= 0 && !bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) && !listen(lfd, 4) &&
	      !getsockname(lfd, (struct sockaddr *)&sa, &sl));
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%u", ntohs(sa.sin_port));
	CHECK_INT(alert_chan_open(&alert_ch_syslog, spec, 2, 0, 4, &c, err, sizeof(err)), 0);
	CHECK_INT(alert_chan_post(c, &m), 0);
	CHECK_INT(tcp_frame(lfd, frame, sizeof(frame), &conn), 0);
	CHECK(strstr(frame, " <129>1 ") && frame[0] >= '1' &&
	      frame[0] <= '9');
	close(conn); /* the collector restarts */
	usleep(100000);
	m.text = "two";
	CHECK_INT(alert_chan_post(c, &m), 0);
	CHECK_INT(tcp_frame(lfd, frame, sizeof(frame), &conn), 0);
	CHECK(strstr(frame, "] two") != NULL);
	alert_chan_close(c, 1);
	close(conn);
	close(lfd);
}

/* Contacts aggregate on the caller's thread while the hub thread expires
 * windows: nothing lost, one alert per source and window. */
static void test_contacts(void)
{
	struct alert_hub_cfg cfg;
	struct alert_hub_stats st;
	struct alert_hub *h;
	char err[256];

	alert_hub_cfg_defaults(&cfg);
	cfg.on_any = true;
	CHECK_INT(alert_hub_open(&cfg, NULL, &h, err, sizeof(err)), 0);
	for (unsigned p = 1; p <= 20000; p++) {
		struct alert a = mk(ALERT_CONTACT, p % 2 ? "10.4.0.1" : "10.4.0.2", p);
		alert_hub_contact(h, &a);
	}
	alert_hub_get_stats(h, &st);
	CHECK_INT(st.contacts, 20000);
	CHECK_INT(st.raised, 0); /* windows still open */
	alert_hub_close(h, 1);   /* ... and emitted at close: 2 alerts */
	alert_hub_cfg_free(&cfg);
}

/* Throttled alerts reach the channels as one summary per interval. */
static void test_summary(void)
{
	char dir[] = "/tmp/mitsu-alertsum.XXXXXX", prog[128], out[128], line[1024];
	struct alert_hub_cfg cfg;
	struct alert_hub *h;
	char err[256];
	int alerts = 0, summaries = 0;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(prog, sizeof(prog), "%s/p.sh", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(prog, "w");
	fprintf(f, "#!/bin/sh\ncat >> \"$1\"\n");
	fclose(f);
	chmod(prog, 0755);
	alert_hub_cfg_defaults(&cfg);
	CHECK_INT(alert_opts_apply(&cfg, 3, "1/1", err, sizeof(err)), 0);
	snprintf(line, sizeof(line), "%s,%s", prog, out);
	CHECK_INT(alert_opts_apply(&cfg, 9, line, err, sizeof(err)), 0);
	CHECK_INT(alert_hub_open(&cfg, NULL, &h, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		struct alert a = mk(ALERT_TOKEN, "10.5.0.9", 21);
		snprintf(a.token_id, sizeof(a.token_id), "tok-9");
		a.ts += i;
		alert_raise(h, &a);
	}
	alert_hub_flush(h);
	usleep(2500000); /* the 1 s interval ends, the hub wakes once a second */
	alert_hub_close(h, 5);
	alert_hub_cfg_free(&cfg);
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		alerts += strstr(line, "\"kind\":\"token\"") != NULL;
		summaries += strstr(line, "\"kind\":\"summary\"") &&
			     strstr(line, "{\"key\":\"token|10.5.0.9|tok-9\",\"count\":2}");
	}
	if (f)
		fclose(f);
	CHECK_INT(alerts, 1);
	CHECK_INT(summaries, 1);
	unlink(out);
	unlink(prog);
	rmdir(dir);
}

int main(void)
{
	test_ignore();
	test_aggregation();
	test_throttle();
	test_syslog();
	test_webhook_shapes();
	test_opts();
	test_chan_specs();
	test_exec();
	test_summary();
	test_contacts();
	test_syslog_tcp();
	return T_DONE();
}
