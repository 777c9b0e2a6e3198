/* Database dissectors: redis, mysql, pgsql, mssql.  Byte strings follow
 * the protocol documents (RESP, MySQL client/server protocol, PostgreSQL
 * frontend/backend protocol 3.0, MS-TDS) and what redis-cli, the mariadb
 * client, psql and sqlcmd send. */
#include "proto_t.h"

static void test_redis(void)
{
	MK("*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$3\r\ndir\r\n"
	   "$4\r\n/tmp\r\n*3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$2\r\npw\r\n"
	   "*7\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$3\r\nbob\r\n$3\r\npw2\r\n$"
	   "7\r\nSETNAME\r\n"
	   "$1\r\nx\r\n",
	   "-NOAUTH Authentication required.\r\n");
	CHECK_STR(run(), "redis");
	CHECK(has("\"format\":\"resp\""));
	CHECK(
	    has("\"commands\":[[\"AUTH\",\"secret\"],[\"CONFIG\",\"SET\",\"dir\",\"/tmp\"],"
		"[\"AUTH\",\"alice\",\"pw\"],[\"HELLO\",\"3\",\"AUTH\",\"bob\",\"pw2\",\"SETNAME\","
		"\"x\"]]"));
	CHECK_INT(rec.ncreds, 3);
	CHECK(cred(0, "redis", "", "secret"));
	CHECK(cred(1, "redis", "alice", "pw"));
	CHECK(cred(2, "redis", "bob", "pw2"));
	CHECK_INT(rec.ntags, 0); /* tags are the rules engine's job */

	/* Inline commands, as scanners type them. */
	MK("INFO\r\nSLAVEOF 10.0.0.9 8886\r\nAUTH hunter2\r\n", "");
	CHECK_STR(run(), "redis");
	CHECK(has("\"format\":\"inline\""));
	CHECK(has("[[\"INFO\"],[\"SLAVEOF\",\"10.0.0.9\",\"8886\"],[\"AUTH\",\"hunter2\"]]"));
	CHECK(cred(0, "redis", "", "hunter2"));

	/* A long argument is cut, a long array is bounded. */
	char big[600];
	int n = snprintf(big, sizeof(big), "*1\r\n$300\r\n");
	memset(big + n, 'A', 300);
	memcpy(big + n + 300, "\r\n", 2);
	mk(big, (size_t)n + 302, NULL, 0, 6);
	CHECK_STR(run(), "redis");
	CHECK(has("[[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]]"));
	MK("*9999999\r\n$4\r\nPING\r\n", "");
	CHECK_STR(run(), "redis");
	CHECK(has("[[\"PING\"]]"));
	/* Not Redis: HTTP, FTP's AUTH TLS, a lone star. */
	MK("GET / HTTP/1.1\r\n\r\n", "");
	CHECK(strcmp(run(), "redis"));
	MK("AUTH TLS\r\n", "");
	CHECK(strcmp(run(), "redis"));
	MK("*\r\n", "");
	CHECK(strcmp(run(), "redis"));
	torture(&proto_redis, (const uint8_t *)"*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n", 26);
	torture(&proto_redis, (const uint8_t *)"AUTH a b\r\nINFO\r\n", 16);
}

/* MySQL packet: 3-byte length, sequence id, body. */
static size_t my_packet(uint8_t *o, uint8_t seq, const uint8_t *body, size_t n)
{
	o[0] = (uint8_t)n;
	o[1] = (uint8_t)(n >> 8);
	o[2] = (uint8_t)(n >> 16);
	o[3] = seq;
	memcpy(o + 4, body, n);
	return n + 4;
}

static size_t my_put(uint8_t *o, const void *p, size_t n)
{
	memcpy(o, p, n);
	return n;
}

/* HandshakeResponse41 body. */
static size_t my_response(uint8_t *o, uint32_t caps, const char *user, const uint8_t *auth,
			  size_t alen, const char *db, const char *plugin, const char *attrs,
			  size_t atl)
{
	size_t i = 0;

	for (int k = 0; k < 4; k++)
		o[i++] = (uint8_t)(caps >> (8 * k));
	i += my_put(o + i, "\x00\x00\x00\x01\x21", 5); /* 16 MB, utf8mb4 */
	memset(o + i, 0, 23);
	i += 23;
	i += my_put(o + i, user, strlen(user) + 1);
	o[i++] = (uint8_t)alen;
	i += my_put(o + i, auth, alen);
	if (db)
		i += my_put(o + i, db, strlen(db) + 1);
	if (plugin)
		i += my_put(o + i, plugin, strlen(plugin) + 1);
	if (attrs) {
		o[i++] = (uint8_t)atl;
		i += my_put(o + i, attrs, atl);
	}
	return i;
}

static void test_mysql(void)
{
	/* MariaDB 10.11's greeting, cut after the plugin name. */
	static const char greet_body[] =
	    "\x0a"
	    "5.5.5-10.11.6-MariaDB-0+deb12u1\x00"
	    "\x05\x00\x00\x00"
	    "abcdefgh\x00"
	    "\xfe\xf7\x2d\x02\x00\xff\x81\x15\x00\x00\x00\x00\x00\x00\x1d\x00\x00\x00"
	    "ijklmnopqrst\x00"
	    "mysql_native_password\x00";
	static const uint8_t scramble[20] = {0x01, 0x02, 0xab, 0xcd, 0xef, 5,  6,  7,  8,  9,
					     10,   11,	 12,   13,   14,   15, 16, 17, 18, 0xff};
	static const char attrs[] = "\x03_os\x05Linux\x0c_client_name\x0alibmariadb"
				    "\x0cprogram_name\x05mysql";
	uint8_t body[512], cli[600], srv[200];
	uint32_t caps = 0x00000001 | 0x8 | 0x200 | 0x8000 | 0x80000 | 0x100000;
	size_t bn, cn, sn;

	sn = my_packet(srv, 0, (const uint8_t *)greet_body, sizeof(greet_body) - 1);
	bn = my_response(body, caps, "root", scramble, 20, "testdb", "mysql_native_password", attrs,
			 sizeof(attrs) - 1);
	cn = my_packet(cli, 1, body, bn);
	mk(cli, cn, srv, sn, 6);
	CHECK_STR(run(), "mysql");
	CHECK(has("\"server_version\":\"5.5.5-10.11.6-MariaDB-0+deb12u1\""));
	CHECK(has("\"server_auth_plugin\":\"mysql_native_password\""));
	CHECK(has("\"capabilities\":\"0x00188209\""));
	CHECK(has("\"charset\":33"));
	CHECK(has("\"max_packet\":16777216"));
	CHECK(has("\"user\":\"root\""));
	CHECK(has("\"database\":\"testdb\""));
	CHECK(has("\"auth_plugin\":\"mysql_native_password\""));
	CHECK(has("\"auth_hash\":\"0102abcdef05060708090a0b0c0d0e0f101112ff\""));
	CHECK(has("\"attrs\":{\"_os\":\"Linux\",\"_client_name\":\"libmariadb\","
		  "\"program_name\":\"mysql\"}"));
	CHECK_INT(rec.ncreds, 1);
	CHECK(cred(0, "mysql", "root", ""));

	/* Client-only capture (the greeting was not recorded) still works. */
	mk(cli, cn, NULL, 0, 6);
	CHECK_STR(run(), "mysql");

	/* mysql_clear_password: the password is in the packet. */
	bn = my_response(body, caps & ~0x100000u, "app", (const uint8_t *)"hunter2\0", 8, "db",
			 "mysql_clear_password", NULL, 0);
	cn = my_packet(cli, 1, body, bn);
	mk(cli, cn, srv, sn, 6);
	CHECK_STR(run(), "mysql");
	CHECK(cred(0, "mysql", "app", "hunter2"));

	/* Auth switch to clear password: the next client packet holds it. */
	{
		uint8_t s2[300], c2[600];
		size_t s2n = my_packet(s2, 0, (const uint8_t *)greet_body, sizeof(greet_body) - 1);
		s2n += my_packet(s2 + s2n, 2, (const uint8_t *)"\xfemysql_clear_password\x00", 22);
		bn = my_response(body, caps & ~0x100000u, "bob", scramble, 20, NULL,
				 "mysql_native_password", NULL, 0);
		cn = my_packet(c2, 1, body, bn);
		cn += my_packet(c2 + cn, 3, (const uint8_t *)"s3cret\x00", 7);
		mk(c2, cn, s2, s2n, 6);
		run();
		CHECK(cred(0, "mysql", "bob", "s3cret"));
	}

	/* SSLRequest: 32 bytes, CLIENT_SSL, then TLS. */
	bn = my_response(body, caps | 0x800, "", scramble, 0, NULL, NULL, NULL, 0);
	cn = my_packet(cli, 1, body, 32);
	memcpy(cli + cn, "\x16\x03\x01\x00\x10", 5);
	mk(cli, cn + 5, srv, sn, 6);
	CHECK_STR(run(), "mysql");
	CHECK(has("\"ssl_request\":true"));
	CHECK_INT(rec.ncreds, 0);

	/* The greeting alone (the client left). */
	mk(NULL, 0, srv, sn, 6);
	CHECK_STR(run(), "mysql");
	/* Not MySQL: the filler is not zero. */
	bn = my_response(body, caps, "root", scramble, 20, NULL, NULL, NULL, 0);
	body[20] = 1;
	cn = my_packet(cli, 1, body, bn);
	mk(cli, cn, NULL, 0, 6);
	CHECK(strcmp(run(), "mysql"));
	bn = my_response(body, caps, "root", scramble, 20, "testdb", "mysql_native_password", attrs,
			 sizeof(attrs) - 1);
	cn = my_packet(cli, 1, body, bn);
	torture(&proto_mysql, cli, cn);
	torture(&proto_mysql, srv, sn);
}

/* StartupMessage with key/value pairs given as "k\0v\0...". */
static size_t pg_startup(uint8_t *o, const char *kv, size_t kvn)
{
	size_t n = 8 + kvn + 1;

	memcpy(o, "\x00\x00\x00\x00\x00\x03\x00\x00", 8);
	o[2] = (uint8_t)(n >> 8);
	o[3] = (uint8_t)n;
	memcpy(o + 8, kv, kvn);
	o[8 + kvn] = 0;
	return n;
}

static size_t pg_msg(uint8_t *o, char type, const void *body, size_t n)
{
	o[0] = (uint8_t)type;
	o[1] = 0;
	o[2] = 0;
	o[3] = (uint8_t)((n + 4) >> 8);
	o[4] = (uint8_t)(n + 4);
	memcpy(o + 5, body, n);
	return n + 5;
}

static void test_pgsql(void)
{
	static const char kv[] = "user\0postgres\0database\0db1\0application_name\0psql\0"
				 "client_encoding\0UTF8";
	uint8_t c[512];
	size_t n;

	/* SSLRequest, refused ('N'), StartupMessage, cleartext password. */
	memcpy(c, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
	n = 8 + pg_startup(c + 8, kv, sizeof(kv));
	n += pg_msg(c + n, 'p', "s3cret", 7);
	n += pg_msg(c + n, 'Q', "SELECT version();", 18);
	mk(c, n,
	   "N"
	   "R\x00\x00\x00\x08\x00\x00\x00\x03",
	   10, 6);
	CHECK_STR(run(), "pgsql");
	CHECK(has("\"requests\":[\"ssl\",\"startup\"]"));
	CHECK(has("\"protocol\":\"3.0\""));
	CHECK(has("\"user\":\"postgres\""));
	CHECK(has("\"database\":\"db1\""));
	CHECK(has("\"application_name\":\"psql\""));
	CHECK(has("\"params\":{\"user\":\"postgres\",\"database\":\"db1\",\"application_name\":"
		  "\"psql\",\"client_encoding\":\"UTF8\"}"));
	CHECK(has("\"auth\":\"cleartext\""));
	CHECK(has("\"queries\":[\"SELECT version();\"]"));
	CHECK_INT(rec.ncreds, 1);
	CHECK(cred(0, "pgsql", "postgres", "s3cret"));

	/* MD5: the hash is not a password. */
	n = pg_startup(c, kv, sizeof(kv));
	n += pg_msg(c + n, 'p',
		    "md5"
		    "0123456789abcdef0123456789abcdef",
		    36);
	mk(c, n, "R\x00\x00\x00\x0c\x00\x00\x00\x05salt", 13, 6);
	CHECK_STR(run(), "pgsql");
	CHECK(has("\"auth\":\"md5\""));
	CHECK(has("\"md5_hash\":\"md50123456789abcdef0123456789abcdef\""));
	CHECK(cred(0, "pgsql", "postgres", ""));

	/* SCRAM: the mechanism. */
	n = pg_startup(c, kv, sizeof(kv));
	n += pg_msg(c + n, 'p', "SCRAM-SHA-256\0\x00\x00\x00\x05n,,n=", 23);
	mk(c, n, NULL, 0, 6);
	run();
	CHECK(has("\"sasl_mechanism\":\"SCRAM-SHA-256\""));

	/* SSLRequest alone, then TLS; GSSENCRequest; CancelRequest. */
	mk("\x00\x00\x00\x08\x04\xd2\x16\x2f\x16\x03\x01\x00\x05", 13, "S", 1, 6);
	CHECK_STR(run(), "pgsql");
	CHECK(has("\"requests\":[\"ssl\"]"));
	CHECK(has("\"tls\":true"));
	mk("\x00\x00\x00\x08\x04\xd2\x16\x30", 8, NULL, 0, 6);
	CHECK_STR(run(), "pgsql");
	CHECK(has("\"requests\":[\"gssenc\"]"));
	mk("\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00\x12\x34\xde\xad\xbe\xef", 16, NULL, 0, 6);
	CHECK_STR(run(), "pgsql");
	CHECK(has("\"requests\":[\"cancel\"]"));
	mk("\x00\x00\x00\x08\x04\xd2\x16\x31", 8, NULL, 0, 6);
	CHECK(strcmp(run(), "pgsql"));

	memcpy(c, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
	n = 8 + pg_startup(c + 8, kv, sizeof(kv));
	n += pg_msg(c + n, 'p', "s3cret", 7);
	torture(&proto_pgsql, c, n);
}

/* TDS packet header + body. */
static size_t tds_packet(uint8_t *o, uint8_t type, uint8_t status, const uint8_t *b, size_t n)
{
	o[0] = type;
	o[1] = status;
	o[2] = (uint8_t)((n + 8) >> 8);
	o[3] = (uint8_t)(n + 8);
	memcpy(o + 4, "\x00\x00\x01\x00", 4);
	memcpy(o + 8, b, n);
	return n + 8;
}

/* ASCII to UTF-16LE, optionally obfuscated like a LOGIN7 password. */
static size_t tds_ucs2(uint8_t *o, const char *s, int pw)
{
	size_t n = strlen(s);

	for (size_t k = 0; k < n; k++) {
		uint8_t b[2] = {(uint8_t)s[k], 0};
		for (int h = 0; h < 2; h++) {
			if (pw)
				b[h] = (uint8_t)((b[h] << 4 | b[h] >> 4) ^ 0xa5);
			o[2 * k + h] = b[h];
		}
	}
	return 2 * n;
}

static size_t tds_login7(uint8_t *o)
{
	const char *strs[9] = {"WIN-CLIENT", "sa",   "Secret1!",   "sqlcmd", "10.0.0.1",
			       "",	     "ODBC", "us_english", "master"};
	size_t i = 94;

	memset(o, 0, 94);
	memcpy(o + 4, "\x04\x00\x00\x74", 4);  /* TDS 7.4 */
	memcpy(o + 8, "\x00\x10\x00\x00", 4);  /* packet size 4096 */
	memcpy(o + 16, "\x39\x30\x00\x00", 4); /* pid 12345 */
	o[24] = 0xe0;
	for (int k = 0; k < 9; k++) {
		size_t at = 36 + 4 * (size_t)k, l = tds_ucs2(o + i, strs[k], k == 2);
		o[at] = (uint8_t)i;
		o[at + 1] = (uint8_t)(i >> 8);
		o[at + 2] = (uint8_t)(l / 2);
		i += l;
	}
	o[0] = (uint8_t)i;
	o[1] = (uint8_t)(i >> 8);
	return i;
}

static void test_mssql(void)
{
	/* PRELOGIN: VERSION 15.0.2000.0, ENCRYPTION off, INSTOPT, THREADID, MARS. */
	static const uint8_t pre[] = {0x00, 0x00, 0x1a, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01,
				      0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22, 0x00, 0x04,
				      0x04, 0x00, 0x26, 0x00, 0x01, 0xff, 0x0f, 0x00, 0x07, 0xd0,
				      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	uint8_t c[1024], l7[512];
	size_t n, ln;

	n = tds_packet(c, 0x12, 0x01, pre, sizeof(pre));
	ln = tds_login7(l7);
	n += tds_packet(c + n, 0x10, 0x01, l7, ln);
	mk(c, n, NULL, 0, 6);
	CHECK_STR(run(), "mssql");
	CHECK(has("\"type\":\"prelogin\""));
	CHECK(has("\"version\":\"15.0.2000.0\""));
	CHECK(has("\"encryption\":\"off\""));
	CHECK(has("\"login\":{\"type\":\"login7\",\"tds_version\":\"0x74000004\""));
	CHECK(has("\"user\":\"sa\""));
	CHECK(has("\"hostname\":\"WIN-CLIENT\""));
	CHECK(has("\"app\":\"sqlcmd\""));
	CHECK(has("\"server\":\"10.0.0.1\""));
	CHECK(has("\"library\":\"ODBC\""));
	CHECK(has("\"database\":\"master\""));
	CHECK(has("\"client_pid\":12345"));
	CHECK_INT(rec.ncreds, 1);
	CHECK(cred(0, "mssql", "sa", "Secret1!"));

	/* LOGIN7 alone, split over two packets (status EOM only on the last). */
	n = tds_packet(c, 0x10, 0x00, l7, 50);
	n += tds_packet(c + n, 0x10, 0x01, l7 + 50, ln - 50);
	mk(c, n, NULL, 0, 6);
	CHECK_STR(run(), "mssql");
	CHECK(cred(0, "mssql", "sa", "Secret1!"));

	/* nmap's PRELOGIN probe shape with encryption "on". */
	uint8_t pre2[sizeof(pre)];
	memcpy(pre2, pre, sizeof(pre));
	pre2[32] = 1;
	n = tds_packet(c, 0x12, 0x01, pre2, sizeof(pre2));
	mk(c, n, NULL, 0, 6);
	CHECK_STR(run(), "mssql");
	CHECK(has("\"encryption\":\"on\""));
	CHECK_INT(rec.ncreds, 0);
	/* 0x12 with a silly length is not TDS. */
	mk("\x12\x01\x00\x02\x00\x00\x01\x00\x00\x00", 10, NULL, 0, 6);
	CHECK(strcmp(run(), "mssql"));

	n = tds_packet(c, 0x12, 0x01, pre, sizeof(pre));
	n += tds_packet(c + n, 0x10, 0x01, l7, ln);
	torture(&proto_mssql, c, n);
}

static void test_empty(void)
{
	const struct proto_dissector *ds[] = {&proto_redis, &proto_mysql, &proto_pgsql,
					      &proto_mssql};

	for (size_t k = 0; k < sizeof(ds) / sizeof(ds[0]); k++) {
		mk(NULL, 0, NULL, 0, 6);
		CHECK_INT(ds[k]->detect(&rec), 0);
		ds[k]->dissect(&rec);
		CHECK(rec.extra.len > 0 && rec.ncreds == 0);
	}
}

int main(void)
{
	record_init(&rec);
	test_redis();
	test_mysql();
	test_pgsql();
	test_mssql();
	test_empty();
	record_free(&rec);
	return T_DONE();
}
