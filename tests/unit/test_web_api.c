/* The dashboard's API through a real server on an ephemeral loopback port,
 * over a temporary record store: JSON shapes, headers, refusals, pcap key
 * confinement, /metrics from a stats callback, authentication. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "sensor/sensor.h"
#include "sink/sqlite.h"
#include "t.h"
#include "web/web.h"

static char dir[] = "/tmp/mitsu-test-web-XXXXXX";
static char dbpath[320], store[256],
    key[] = "pcap/2026/01/02/03/1767322800_10.0.0.2_10.0.0.1_1234_23.pcap";

/* GET (or method) path with extra header lines; the whole answer in out. */
static int http(unsigned port, const char *method, const char *path, const char *hdrs,
		struct buf *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	char req[1024], chunk[4096];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	buf_reset(out);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (hdrs && !strncmp(hdrs, "Host:", 5))
		snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\n%s\r\n", method, path, hdrs);
	else
		snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%u\r\n%s\r\n", method,
			 path, port, hdrs ? hdrs : "");
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	close(fd);
	buf_cstr(out);
	return out->len > 12 ? atoi((const char *)out->p + 9) : -1;
}

static int has(struct buf *b, const char *s)
{
	return b->p && strstr((const char *)b->p, s) != NULL;
}

static int make_store(void)
{
	char path[512], sql[2048];
	sqlite3 *db = NULL;
	char err[256];
	FILE *f;

	if (!mkdtemp(dir))
		return -1;
	snprintf(store, sizeof(store), "%.200s/store", dir);
	snprintf(dbpath, sizeof(dbpath), "%s/mitsu.db", store);
	snprintf(path, sizeof(path), "mkdir -p %s/pcap/2026/01/02/03 %s/outside", store, dir);
	if (system(path))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", store, key);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("PCAPBYTES", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/outside/x.pcap", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("SECRET", f);
	fclose(f);
	snprintf(sql, sizeof(sql), "%s/pcap/evil.pcap", store);
	if (symlink(path, sql))
		return -1;
	if (sink_sqlite_open_db(dbpath, &db, err, sizeof(err)))
		return -1;
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO flows(s3path, flow_key, init_ts, last_ts, src_addr, src_port, "
	    "dst_addr, dst_port, proto, payload, readable, service, tags, doc) VALUES "
	    "('file://%s/%s', 'k1', 1767322800.5, 1767322801, '10.0.0.2', 1234, '10.0.0.1', 23,"
	    " 'tcp', 'PHNjcmlwdD4=', '<script>', 'telnet', '[\"x\"]', "
	    "'{\"telnet\":{\"user\":\"root\"}}'),"
	    "('file://%s/other', 'k2', 1767322900, 1767322901, '10.0.0.3', 5, '10.0.0.1', 80,"
	    " 'tcp', '', '', 'http', '[]', 'not json');",
	    store, key, store);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_close(db);
	return 0;
}

static int fake_stats(void *user, struct sensor_stats *st)
{
	(void)user;
	memset(st, 0, sizeof(*st));
	st->syns = 42;
	st->flows_open = 7;
	return 0;
}

static void test_api(unsigned port, struct web *w)
{
	struct buf b = {0};
	char path[512];

	CHECK_INT(http(port, "GET", "/healthz", NULL, &b), 200);
	CHECK_INT(http(port, "GET", "/", NULL, &b), 200);
	CHECK(has(&b, "Content-Security-Policy: default-src 'self'"));
	CHECK(has(&b, "frame-ancestors 'none'"));
	CHECK(has(&b, "X-Content-Type-Options: nosniff"));
	CHECK(has(&b, "Referrer-Policy: no-referrer"));
	CHECK(has(&b, "<script type=\"module\" src=\"/app.js\">"));
	CHECK_INT(http(port, "GET", "/app.js", NULL, &b), 200);
	CHECK(has(&b, "Content-Type: text/javascript"));
	CHECK_INT(http(port, "GET", "/nope", NULL, &b), 404);
	CHECK(has(&b, "nosniff"));
	CHECK_INT(http(port, "POST", "/api/stats", "Content-Length: 0\r\n", &b), 405);
	CHECK_INT(http(port, "DELETE", "/api/session/1", NULL, &b), 405);
	CHECK_INT(http(port, "GET", "/api/stats", "Host: evil.example\r\n", &b), 421);

	CHECK_INT(http(port, "GET", "/api/sessions", NULL, &b), 200);
	CHECK(has(&b, "\"mode\":\"sessions\""));
	CHECK(has(&b, "\"<script>\"")); /* JSON text, the UI renders it as text */
	CHECK_INT(http(port, "GET", "/api/sessions?q=filter%20dst_port%20%3D%2023", NULL, &b), 200);
	CHECK(has(&b, "\"rows\":[[1,"));
	CHECK(!has(&b, "10.0.0.3"));
	CHECK_INT(http(port, "GET", "/api/sessions?sort=dst_port&limit=1", NULL, &b), 200);
	CHECK(has(&b, "\"more\":true") && has(&b, "\"rows\":[[1,"));
	CHECK_INT(http(port, "GET", "/api/sessions?q=filter%20nope%20%3D%201", NULL, &b), 400);
	CHECK(has(&b, "\"line\":1,\"col\":8"));
	CHECK_INT(http(port, "GET", "/api/sessions?q=stats%20count(*)%20as%20n%20by%20dst_port",
		       NULL, &b),
		  200);
	CHECK(has(&b, "\"mode\":\"table\"") && has(&b, "[\"dst_port\",\"n\"]"));
	CHECK_INT(http(port, "GET", "/api/sessions?limit=100000", NULL, &b), 400);
	CHECK_INT(http(port, "GET", "/api/sessions?sort=doc", NULL, &b), 400);

	CHECK_INT(http(port, "GET", "/api/session/1", NULL, &b), 200);
	CHECK(has(&b, "\"doc\":{\"telnet\":{\"user\":\"root\"}}"));
	snprintf(path, sizeof(path), "\"pcap_key\":\"%s\"", key);
	CHECK(has(&b, path));
	CHECK_INT(http(port, "GET", "/api/session/2", NULL, &b), 200);
	CHECK(has(&b, "\"doc\":\"not json\"")); /* invalid JSON stays a string */
	CHECK(has(&b, "\"pcap_key\":\"\""));
	CHECK_INT(http(port, "GET", "/api/session/3", NULL, &b), 404);
	CHECK_INT(http(port, "GET", "/api/session/1x", NULL, &b), 400);

	CHECK_INT(http(port, "GET", "/api/stats", NULL, &b), 200);
	CHECK(has(&b, "\"top_ports\":[[23,1],[80,1]]"));
	CHECK(has(&b, "\"top_tags\":[[\"x\",1]]"));
	CHECK_INT(http(port, "GET", "/api/ports", NULL, &b), 200);
	CHECK(has(&b, "[\"tcp\",23,1,1]"));
	CHECK_INT(http(port, "GET", "/api/alerts", NULL, &b), 200);
	CHECK(has(&b, "{\"rows\":[]}"));
	CHECK_INT(http(port, "GET", "/api/tokens", NULL, &b), 200);

	snprintf(path, sizeof(path), "/api/pcap?key=%s", key);
	CHECK_INT(http(port, "GET", path, NULL, &b), 200);
	CHECK(has(&b, "\r\n\r\nPCAPBYTES"));
	CHECK(has(&b, "Content-Disposition: attachment; filename=\"1767322800_"));
	CHECK_INT(http(port, "GET", "/api/pcap?key=pcap/evil.pcap", NULL, &b), 404);
	CHECK(!has(&b, "SECRET"));
	CHECK_INT(http(port, "GET", "/api/pcap?key=pcap/../mitsu.db", NULL, &b), 400);
	CHECK_INT(http(port, "GET", "/api/pcap?key=pcap/%2e%2e/mitsu.db", NULL, &b), 400);
	CHECK_INT(http(port, "GET", "/api/pcap", NULL, &b), 400);
	CHECK_INT(http(port, "GET", "/api/pcap?key=pcap/none.pcap", NULL, &b), 404);

	CHECK_INT(http(port, "GET", "/metrics", NULL, &b), 200);
	CHECK(has(&b, "\nmitsu_sensor_syns_total 42\n"));
	CHECK(has(&b, "# TYPE mitsu_sensor_flows_open gauge\nmitsu_sensor_flows_open 7\n"));
	CHECK(has(&b, "mitsu_records_max_id 2\n"));
	web_set_stats(w, NULL, NULL);
	CHECK_INT(http(port, "GET", "/metrics", NULL, &b), 200);
	CHECK(!has(&b, "mitsu_sensor_"));
	CHECK(has(&b, "mitsu_web_requests_total"));
	buf_free(&b);
}

static void test_auth(void)
{
	struct web_cfg cfg;
	struct web *w = NULL;
	struct buf b = {0};
	char err[256];
	unsigned port;

	web_cfg_defaults(&cfg);
	cfg.db = dbpath;
	cfg.listen = "127.0.0.1:0";
	cfg.auth_token = "tok3n";
	if (web_start(&cfg, &w, err, sizeof(err))) {
		CHECK(!"web_start with a token");
		return;
	}
	port = web_port(w);
	CHECK_INT(http(port, "GET", "/api/stats", NULL, &b), 401);
	CHECK(has(&b, "WWW-Authenticate: Basic realm=\"mitsu\""));
	CHECK(has(&b, "Content-Security-Policy"));
	CHECK_INT(http(port, "GET", "/api/stats", "Authorization: Bearer tok3n\r\n", &b), 200);
	CHECK_INT(http(port, "GET", "/api/stats", "Authorization: Bearer tok3\r\n", &b), 401);
	/* any user, the token as password: "u:tok3n" */
	CHECK_INT(http(port, "GET", "/api/stats", "Authorization: Basic dTp0b2szbg==\r\n", &b),
		  200);
	CHECK_INT(http(port, "GET", "/api/stats", "Authorization: Basic dTp0b2sz\r\n", &b), 401);
	/* with authentication the Host is not restricted */
	CHECK_INT(http(port, "GET", "/api/stats",
		       "Host: dash.example\r\nAuthorization: Bearer tok3n\r\n", &b),
		  200);
	web_stop(w);
	buf_free(&b);
}

int main(void)
{
	struct web_cfg cfg;
	struct web *w = NULL;
	char err[256], cmd[300];

	if (make_store()) {
		CHECK(!"temporary store");
		return T_DONE();
	}
	web_cfg_defaults(&cfg);
	cfg.db = dbpath;
	cfg.store = store;
	cfg.listen = "127.0.0.1:0";
	cfg.stats = fake_stats;
	CHECK_INT(web_start(&cfg, &w, err, sizeof(err)), 0);
	if (w) {
		test_api(web_port(w), w);
		web_stop(w);
	}
	test_auth();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return T_DONE();
}
