/* Honeytokens: minted shapes, the forms (URL, base64 at 3 alignments), the
 * one-pass scan, record members and alerts, the JSON reader, storage. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>

#include "alert/ctjson.h"
#include "alert/token.h"
#include "alert/tokscan.h"
#include "analyze/record.h"
#include "core/b64.h"
#include "core/buf.h"
#include "sink/sqlite.h"
#include "t.h"

static int all_in(const char *s, const char *alpha)
{
	return strspn(s, alpha) == strlen(s);
}

static void test_mint(void)
{
	struct token_opts o = {.kind = "aws"};
	struct token t, u;
	char err[256];

	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK_INT(strlen(t.value), 20);
	CHECK(!strncmp(t.value, "AKIA", 4) && all_in(t.value + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
	CHECK_INT(strlen(t.secret), 40);
	CHECK(all_in(t.secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
	CHECK(!strncmp(t.id, "tk-", 3) && strlen(t.id) == 15);
	CHECK_INT(token_mint(&o, &u, err, sizeof(err)), 0);
	CHECK(strcmp(t.value, u.value) && strcmp(t.id, u.id));
	o = (struct token_opts){.kind = "apikey", .prefix = "ghp_"};
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK(!strncmp(t.value, "ghp_", 4) && strlen(t.value) == 40);
	o.prefix = "xoxb-";
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK(!strncmp(t.value, "xoxb-", 5) && strlen(t.value) == 5 + 12 + 1 + 13 + 1 + 24);
	o.prefix = "sk_live_";
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK_INT(strlen(t.value), 8 + 24);
	o = (struct token_opts){.kind = "dns"};
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), -EINVAL);
	o.domain = "canary.example.net";
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK(strstr(t.value, ".canary.example.net") != NULL);
	o = (struct token_opts){.kind = "file", .format = "nope"};
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), -EINVAL);
	o.format = "env";
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	struct buf b = {0};
	CHECK_INT(token_render(&t, &b), 0);
	CHECK(strstr(buf_cstr(&b), t.value) && strstr(buf_cstr(&b), t.key_id) &&
	      strstr(buf_cstr(&b), t.secret));
	buf_free(&b);
	o = (struct token_opts){.kind = "password"};
	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK_INT(strlen(t.value), 16);
	CHECK(t.user[0] != 0);
}

struct forms {
	char f[16][200];
	int kind[16], n;
};

static int collect(void *user, const char *form, size_t len, enum tokscan_form f)
{
	struct forms *fs = user;

	if (fs->n < 16 && len < 200) {
		memcpy(fs->f[fs->n], form, len);
		fs->f[fs->n][len] = 0;
		fs->kind[fs->n++] = f;
	}
	return 0;
}

static int has_form(const struct forms *fs, const char *s)
{
	for (int i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i], s))
			return 1;
	return 0;
}

static void test_forms(void)
{
	struct forms fs = {0};

	/* "ab/c+d@ef" at alignments 0, 1, 2 (python3 base64 of b"", b"x", b"xy"
	 * + the string, cut to the characters that only depend on it). */
	CHECK_INT(tokscan_forms("ab/c+d@efgh", 11, collect, &fs), 0);
	CHECK(has_form(&fs, "ab/c+d@efgh"));
	CHECK(has_form(&fs, "ab%2Fc%2Bd%40efgh"));
	CHECK(has_form(&fs, "ab/c%2Bd%40efgh"));
	CHECK(has_form(&fs, "YWIvYytkQGVmZ2")); /* b64("ab/c+d@efgh") = YWIvYytkQGVmZ2g= */
	CHECK(has_form(&fs, "FiL2MrZEBlZmdo"));  /* b64("x"+s) = eGFiL2MrZEBlZmdo */
	CHECK(has_form(&fs, "hYi9jK2RAZWZna")); /* b64("xy"+s) = eHlhYi9jK2RAZWZnaA== */
	/* No duplicates: the plain form once even though two encoders agree. */
	int plain = 0;
	for (int i = 0; i < fs.n; i++)
		plain += fs.kind[i] == TOKSCAN_PLAIN;
	CHECK_INT(plain, 1);
}

static void test_scan(void)
{
	struct token t[3];
	struct token_opts o = {.kind = "password"};
	struct tokscan *s = NULL;
	struct tokscan_hit h[16];
	struct buf b = {0}, enc = {0};
	char err[128];
	size_t n;

	token_mint(&o, &t[0], err, sizeof(err));
	snprintf(t[0].value, sizeof(t[0].value), "Xk7#mQ2p-9vLr4Tz");
	o.kind = "aws";
	token_mint(&o, &t[1], err, sizeof(err));
	o.kind = "url";
	o.path = "/backup/db-7hq2k9.sql.gz";
	token_mint(&o, &t[2], err, sizeof(err));
	CHECK_INT(tokscan_build(&s, t, 3), 0);
	if (!s)
		return;
	CHECK_INT(tokscan_count(s), 3);

	/* plain */
	buf_printf(&b, "USER backup\r\nPASS Xk7#mQ2p-9vLr4Tz\r\n");
	n = tokscan_scan(s, b.p, b.len, TOKSCAN_CLIENT, h, 16);
	CHECK_INT(n, 1);
	CHECK(n == 1 && h[0].tok == 0 && h[0].form == TOKSCAN_PLAIN && h[0].offset == 18);
	/* URL-encoded */
	buf_reset(&b);
	buf_printf(&b, "POST /login HTTP/1.1\r\n\r\nuser=backup&pass=Xk7%%23mQ2p-9vLr4Tz");
	n = tokscan_scan(s, b.p, b.len, TOKSCAN_CLIENT, h, 16);
	CHECK(n == 1 && h[0].form == TOKSCAN_URL);
	/* base64 at every alignment (Basic auth with users of 3 lengths) */
	for (int k = 0; k < 3; k++) {
		char cred[64];
		snprintf(cred, sizeof(cred), "%.*s:Xk7#mQ2p-9vLr4Tz", 3 + k, "backupxx");
		buf_reset(&enc);
		b64_encode(&enc, (const uint8_t *)cred, strlen(cred));
		buf_reset(&b);
		buf_printf(&b, "GET / HTTP/1.1\r\nAuthorization: Basic %.*s\r\n\r\n", (int)enc.len,
			   (const char *)enc.p);
		n = tokscan_scan(s, b.p, b.len, TOKSCAN_SERVER, h, 16);
		CHECK(n == 1 && h[0].tok == 0 && h[0].form == TOKSCAN_BASE64 &&
		      h[0].dir == TOKSCAN_SERVER);
	}
	/* aws key id and secret in one stream: one hit for the token */
	buf_reset(&b);
	buf_printf(&b, "x=%s&y=%s", t[1].secret, t[1].value);
	n = tokscan_scan(s, b.p, b.len, TOKSCAN_CLIENT, h, 16);
	CHECK(n == 1 && h[0].tok == 1 && h[0].offset == 2);
	/* url path; a near miss and an unknown token give nothing */
	buf_reset(&b);
	buf_printf(&b, "GET /backup/db-7hq2k9.sql.gz HTTP/1.0\r\n\r\n");
	n = tokscan_scan(s, b.p, b.len, TOKSCAN_CLIENT, h, 16);
	CHECK(n == 1 && h[0].tok == 2 && h[0].offset == 4);
	buf_reset(&b);
	buf_printf(&b, "PASS Xk7#mQ2p-9vLr4Tq GET /backup/db-7hq2k9.sql AKIAIOSFODNN7EXAMPLE");
	CHECK_INT(tokscan_scan(s, b.p, b.len, TOKSCAN_CLIENT, h, 16), 0);
	/* case matters (only dns names fold) */
	buf_reset(&b);
	buf_printf(&b, "PASS xk7#mq2p-9vlr4tz");
	CHECK_INT(tokscan_scan(s, b.p, b.len, TOKSCAN_CLIENT, h, 16), 0);
	buf_free(&b);
	buf_free(&enc);
	tokscan_free(s);
}

/* dns: the random label is found in a DNS query's wire format (length-
 * prefixed labels, no dots) and in a Host header, whatever the case. */
static void test_dns(void)
{
	struct token_opts o = {.kind = "dns", .domain = "canary.example.net"};
	struct tokscan *s = NULL;
	struct tokscan_hit h[4];
	struct token t;
	uint8_t q[128];
	char err[128], host[320];
	size_t n = 0;

	CHECK_INT(token_mint(&o, &t, err, sizeof(err)), 0);
	CHECK_INT(tokscan_build(&s, &t, 1), 0);
	if (!s)
		return;
	memcpy(q, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12), n = 12;
	q[n++] = 12;
	memcpy(q + n, t.secret, 12), n += 12;
	memcpy(q + n, "\x06" "canary" "\x07" "example" "\x03" "net" "\x00\x00\x01\x00\x01", 23), n += 23;
	CHECK_INT(tokscan_scan(s, q, n, TOKSCAN_CLIENT, h, 4), 1);
	CHECK(h[0].offset == 13 && h[0].form == TOKSCAN_PLAIN);
	snprintf(host, sizeof(host), "GET / HTTP/1.1\r\nHost: %s\r\n", t.value);
	for (char *c = host; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 32);
	CHECK_INT(tokscan_scan(s, (const uint8_t *)host, strlen(host), TOKSCAN_CLIENT, h, 4), 1);
	tokscan_free(s);
}

static int alerts_seen;
static char last_detail[512];

static void on_alert(void *user, const struct alert *a)
{
	(void)user;
	alerts_seen++;
	snprintf(last_detail, sizeof(last_detail), "%s", a->detail ? a->detail : "");
}

static void test_record(void)
{
	struct token t;
	struct token_opts o = {.kind = "password", .note = "bait .env"};
	struct tokscan *s = NULL;
	struct record r;
	char err[128], pay[800], srv[400];

	token_mint(&o, &t, err, sizeof(err));
	snprintf(t.minted_for, sizeof(t.minted_for), "10.0.0.5");
	t.minted_ts = 1700000000;
	CHECK_INT(tokscan_build(&s, &t, 1), 0);
	if (!s)
		return;
	/* the delivery (server bytes to the fetcher) is not a use */
	record_init(&r);
	addr_parse("10.0.0.5", &r.src);
	addr_parse("10.0.0.1", &r.dst);
	snprintf(srv, sizeof(srv), "HTTP/1.1 200 OK\r\n\r\nDB_PASSWORD=%s\n", t.value);
	r.server_payload = (uint8_t *)srv;
	r.server_payload_len = strlen(srv);
	CHECK_INT(tokscan_record(s, &r, on_alert, NULL), 0);
	CHECK_INT(alerts_seen, 0);
	/* used by another address, twice in one flow: one alert */
	addr_parse("10.0.0.6", &r.src);
	r.init_ts = 1700000100;
	snprintf(pay, sizeof(pay), "USER %s\r\nPASS %s\r\nPASS %s\r\n", t.user, t.value, t.value);
	r.payload = (uint8_t *)pay;
	r.payload_len = strlen(pay);
	r.server_payload = NULL;
	r.server_payload_len = 0;
	CHECK_INT(tokscan_record(s, &r, on_alert, NULL), 1);
	CHECK_INT(alerts_seen, 1);
	CHECK(strstr(last_detail, "fetched by 10.0.0.5 at 2023-11-14T22:13:20Z, used by 10.0.0.6 at "
				  "2023-11-14T22:15:00Z") != NULL);
	CHECK(r.extra.p && strstr(buf_cstr(&r.extra), "\"tokens\":[{\"id\":\"tk-") &&
	      strstr(buf_cstr(&r.extra), "\"dir\":\"client\""));
	r.payload = NULL;
	r.payload_len = 0;
	record_free(&r);
	tokscan_free(s);
}

static void test_ctjson(void)
{
	static const char doc[] = " {\"Records\":[{\"a\":\"x\\u00e9\\ud83d\\ude00\\n\",\"n\":-1.5e2,"
				  "\"o\":{\"k\":true,\"z\":null}},[]]} ";
	static const char *bad[] = {"", "{", "[1,]", "{\"a\" 1}", "\"\\x\"", "01", "[1 2]",
				    "{\"a\":1,}", "\"\x01\"", "nul", "-", "1."};
	struct ctjson d = {0};
	char out[64];
	long r, e;

	CHECK_INT(ctjson_parse(&d, doc, sizeof(doc) - 1, NULL), 0);
	r = ctjson_get(&d, 0, "Records");
	e = ctjson_first(&d, r);
	CHECK(e > 0);
	CHECK_INT(ctjson_text(&d, ctjson_get(&d, e, "a"), out, sizeof(out)), 8);
	CHECK_STR(out, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	CHECK(ctjson_num(&d, ctjson_get(&d, e, "n")) == -150.0);
	CHECK_INT(ctjson_text(&d, ctjson_path(&d, e, "o.k"), out, sizeof(out)), 4);
	CHECK_INT(ctjson_text(&d, ctjson_path(&d, e, "o.z"), out, sizeof(out)), -1);
	CHECK_INT(ctjson_path(&d, e, "o.missing"), -1);
	CHECK(ctjson_next(&d, e) > 0 && ctjson_next(&d, ctjson_next(&d, e)) == -1);
	ctjson_free(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ctjson_parse(&d, bad[i], strlen(bad[i]), NULL) < 0);
		ctjson_free(&d);
	}
	/* depth bound */
	char deep[200];
	memset(deep, '[', sizeof(deep));
	CHECK_INT(ctjson_parse(&d, deep, sizeof(deep), NULL), -E2BIG);
	ctjson_free(&d);
}

static void test_db(void)
{
	char dir[] = "/tmp/mitsu-tok.XXXXXX", path[256], err[512], st1[96], st2[96];
	struct token_opts o = {.kind = "file", .format = "wp-config", .note = "n \"q\""};
	struct token t, u;
	struct buf j = {0};
	sqlite3 *db = NULL;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/m.db", dir);
	CHECK_INT(sink_sqlite_open_db(path, &db, err, sizeof(err)), 0);
	if (!db)
		return;
	token_db_stamp(db, st1, sizeof(st1));
	token_mint(&o, &t, err, sizeof(err));
	CHECK_INT(token_db_insert(db, &t), 0);
	CHECK_INT(token_db_insert(db, &t), -EEXIST);
	token_db_stamp(db, st2, sizeof(st2));
	CHECK(strcmp(st1, st2) != 0);
	CHECK_INT(token_db_get(db, t.id, &u), 0);
	CHECK_STR(u.value, t.value);
	CHECK_STR(u.format, "wp-config");
	CHECK_STR(u.note, "n \"q\"");
	token_to_json(&t, &j);
	CHECK_INT(token_from_json((const char *)j.p, j.len, &u), 0);
	CHECK_STR(u.secret, t.secret);
	CHECK_STR(u.note, t.note);
	CHECK_INT(token_db_delete(db, t.id), 0);
	CHECK_INT(token_db_delete(db, t.id), -ENOENT);
	CHECK_INT(token_db_get(db, t.id, &u), -ENOENT);
	buf_free(&j);
	sqlite3_close(db);
	unlink(path);
	snprintf(path, sizeof(path), "%s/m.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/m.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_mint();
	test_forms();
	test_scan();
	test_dns();
	test_record();
	test_ctjson();
	test_db();
	return T_DONE();
}
