/* Per-visitor bait: --bait parsing, request matching, the one data segment
 * (seq/ack/flags/timestamp echo/checksums) and the pool (one answer per
 * request, tokens stored with minted_for). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "alert/token.h"
#include "analyze/decode.h"
#include "sensor/bait.h"
#include "sensor/responder.h"
#include "sink/sqlite.h"
#include "t.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A client's request: IPv4, TCP with a timestamp option, ack = our ISN + 1. */
static size_t make_req(const struct responder *r, uint8_t *f, const char *data)
{
	size_t dl = strlen(data), tl = 32 + dl;
	struct pkt p;

	memset(f, 0, 20 + tl);
	f[0] = 0x45, f[8] = 64, f[9] = 6;
	put16(f + 2, (uint16_t)(20 + tl));
	f[12] = 10, f[13] = 0, f[14] = 0, f[15] = 2; /* 10.0.0.2 */
	f[16] = 10, f[17] = 0, f[18] = 0, f[19] = 1; /* 10.0.0.1 */
	put16(f + 20, 40000);
	put16(f + 22, 8080);
	put32(f + 24, 1000001);
	f[32] = 8 << 4;
	f[33] = 0x18; /* PSH ACK */
	put16(f + 34, 502);
	f[40] = 1, f[41] = 1, f[42] = 8, f[43] = 10;
	put32(f + 44, 777), put32(f + 48, 555);
	memcpy(f + 52, data, dl);
	/* our ISN depends only on the tuple: compute it from the decoded packet */
	decode_packet(DECODE_LINKTYPE_RAW, f, (uint32_t)(20 + tl), &p);
	put32(f + 28, responder_isn(r, &p) + 1);
	put16(f + 36, 0);
	put16(f + 36, responder_csum(f + 20, tl, 0)); /* not checked by decode */
	return 20 + tl;
}

static void test_segment(void)
{
	static const char req[] = "GET /.env HTTP/1.1\r\nHost: x\r\n\r\n";
	struct responder r;
	uint8_t f[256], out[512];
	struct pkt p, q;
	size_t n = 0;
	int m;

	responder_init(&r, NULL);
	n = make_req(&r, f, req);
	CHECK_INT(decode_packet(DECODE_LINKTYPE_RAW, f, (uint32_t)n, &p), DECODE_OK);
	CHECK(responder_is_handshake_ack(&r, &p));
	m = responder_data(&r, DECODE_LINKTYPE_RAW, &p, 0x19, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\nx", 20,
			   out, sizeof(out));
	CHECK_INT(m, 20 + 32 + 20);
	CHECK_INT(decode_packet(DECODE_LINKTYPE_RAW, out, (uint32_t)m, &q), DECODE_OK);
	CHECK(q.sport == 8080 && q.dport == 40000);
	CHECK(q.seq == p.ack && q.ack == p.seq + sizeof(req) - 1);
	CHECK_INT(q.tcp_flags, 0x19);
	CHECK(q.payload_len == 20 && !memcmp(q.payload, "HTTP/1.1 200 OK", 15));
	CHECK(q.tcp_optlen == 12 && rd32(q.tcp_opts + 8) == 777); /* echoes the client's tsval */
	/* checksums: IP header and TCP with its pseudo-header sum to 0xffff */
	CHECK_INT(responder_csum(out, 20, 0), 0);
	uint32_t ph = 0;
	for (int i = 12; i < 20; i += 2)
		ph += (uint32_t)(out[i] << 8 | out[i + 1]);
	ph += 6 + (uint32_t)(m - 20);
	CHECK_INT(responder_csum(out + 20, (size_t)m - 20, ph), 0);
	CHECK_INT(responder_data(&r, DECODE_LINKTYPE_RAW, &p, 0x19, out, 1500, out, sizeof(out)), -ENOSPC);
	/* The sensor's bare ACK of client data, then of data with a FIN (which
	 * takes one more sequence number). */
	m = responder_data(&r, DECODE_LINKTYPE_RAW, &p, 0x10, NULL, 0, out, sizeof(out));
	CHECK_INT(m, 20 + 32);
	CHECK_INT(decode_packet(DECODE_LINKTYPE_RAW, out, (uint32_t)m, &q), DECODE_OK);
	CHECK(q.seq == p.ack && q.ack == p.seq + sizeof(req) - 1 && q.tcp_flags == 0x10);
	CHECK(q.payload_len == 0 && rd32(q.tcp_opts + 8) == 777);
	CHECK_INT(responder_csum(out, 20, 0), 0);
	p.tcp_flags |= 0x01;
	m = responder_data(&r, DECODE_LINKTYPE_RAW, &p, 0x10, NULL, 0, out, sizeof(out));
	CHECK_INT(decode_packet(DECODE_LINKTYPE_RAW, out, (uint32_t)m, &q), DECODE_OK);
	CHECK(q.ack == p.seq + sizeof(req)); /* data + FIN */
}

static void test_pool(void)
{
	char dir[] = "/tmp/mitsu-bait.XXXXXX", path[256], err[512];
	struct bait_entry e[2];
	struct bait *b = NULL;
	uint8_t resp[BAIT_RESP_MAX];
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int n;

	CHECK_INT(bait_parse("/.env=env", &e[0]), 0);
	CHECK_STR(e[0].path, "/.env");
	CHECK_STR(e[0].format, "env");
	CHECK_INT(bait_parse("/.aws/credentials=aws-credentials", &e[1]), 0);
	CHECK_INT(bait_parse(".env=env", &e[0]), -EINVAL);
	CHECK_INT(bait_parse("/.env=exe", &e[0]), -EINVAL);
	CHECK_INT(bait_parse("/a b=env", &e[0]), -EINVAL);
	CHECK_INT(bait_parse("/.env=env", &e[0]), 0);
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/m.db", dir);
	CHECK_INT(bait_open(&b, e, 2, path, err, sizeof(err)), 0);
	if (!b)
		return;
	CHECK_INT(bait_match(b, (const uint8_t *)"GET /.env HTTP/1.1\r\n", 20), 0);
	CHECK_INT(bait_match(b, (const uint8_t *)"GET /.env?x=1 HTTP/1.1\r\n", 24), 0);
	CHECK_INT(bait_match(b, (const uint8_t *)"GET /.aws/credentials HTTP/1.0\r\n", 32), 1);
	CHECK_INT(bait_match(b, (const uint8_t *)"GET /.envx HTTP/1.1\r\n", 21), -1);
	CHECK_INT(bait_match(b, (const uint8_t *)"POST /.env HTTP/1.1\r\n", 21), -1);
	CHECK_INT(bait_match(b, (const uint8_t *)"GET /.env", 9), -1);
	n = bait_take(b, 0, 42, "10.0.0.5", 1700000000.5, resp, sizeof(resp));
	CHECK(n > 100 && n <= BAIT_RESP_MAX);
	CHECK(n > 0 && !memcmp(resp, "HTTP/1.1 200 OK\r\n", 17) &&
	      memmem(resp, (size_t)n, "DB_PASSWORD=", 12));
	CHECK_INT(bait_take(b, 0, 42, "10.0.0.5", 1700000001, resp, sizeof(resp)), -EALREADY);
	CHECK(bait_take(b, 1, 43, "10.0.0.6", 1700000001, resp, sizeof(resp)) > 0);
	bait_close(b); /* stores what was handed out */
	CHECK_INT(sink_sqlite_open_db(path, &db, err, sizeof(err)), 0);
	if (db && sqlite3_prepare_v2(db, "SELECT minted_for, minted_uri, format FROM tokens ORDER BY minted_for",
				     -1, &st, NULL) == SQLITE_OK) {
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0), "10.0.0.5");
		CHECK_STR((const char *)sqlite3_column_text(st, 1), "/.env");
		CHECK_STR((const char *)sqlite3_column_text(st, 2), "env");
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 2), "aws-credentials");
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	static const char *const sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/m.db%s", dir, sfx[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	test_segment();
	test_pool();
	return T_DONE();
}
