/* Unit tests for the dashboard's parsers (src/web/params.c) and, through a
 * real server on an ephemeral loopback port, its refusal rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "web/params.h"
#include "web/web.h"

static void test_uint(void)
{
	unsigned long long v = 7;

	CHECK_INT(web_parse_uint(NULL, 10, 5, &v), 0);
	CHECK_INT(v, 5);
	CHECK_INT(web_parse_uint("", 10, 6, &v), 0);
	CHECK_INT(v, 6);
	CHECK_INT(web_parse_uint("10", 10, 0, &v), 0);
	CHECK_INT(v, 10);
	CHECK_INT(web_parse_uint("0", 10, 3, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(web_parse_uint("11", 10, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint("-1", 10, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint("+1", 10, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint(" 1", 10, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint("1 ", 10, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint("1e3", 10000, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint("18446744073709551615", ~0ULL, 0, &v), 0);
	CHECK(v == ~0ULL);
	CHECK_INT(web_parse_uint("18446744073709551616", ~0ULL, 0, &v), -EINVAL);
	CHECK_INT(web_parse_uint("99999999999999999999999", 1000, 0, &v), -EINVAL);
}

static void test_sort(void)
{
	struct web_sort s;

	CHECK_INT(web_parse_sort(NULL, &s), 0);
	CHECK_STR(web_sort_column(s.col), "init_ts");
	CHECK(s.desc);
	CHECK_INT(web_parse_sort("dst_port", &s), 0);
	CHECK_STR(web_sort_column(s.col), "dst_port");
	CHECK(!s.desc);
	CHECK_INT(web_parse_sort("-src_addr", &s), 0);
	CHECK_STR(web_sort_column(s.col), "src_addr");
	CHECK(s.desc);
	CHECK_INT(web_parse_sort("bytes:desc", &s), 0);
	CHECK(s.desc);
	CHECK_INT(web_parse_sort("bytes:asc", &s), 0);
	CHECK(!s.desc);
	CHECK_INT(web_parse_sort("bytes:up", &s), -EINVAL);
	CHECK_INT(web_parse_sort("-bytes:asc", &s), -EINVAL);
	CHECK_INT(web_parse_sort("doc", &s), -EINVAL);
	CHECK_INT(web_parse_sort("init_ts; drop table flows", &s), -EINVAL);
	CHECK_INT(web_parse_sort("dst_por", &s), -EINVAL);
	CHECK_INT(web_parse_sort("-", &s), -EINVAL);
	CHECK_STR(web_sort_column(-1), "init_ts");
	CHECK_STR(web_sort_column(1000), "init_ts");
}

static void test_auth(void)
{
	char u[16], p[16];
	const char *tok;
	size_t n;

	/* "admin:pa ss:word" */
	CHECK_INT(web_parse_basic("Basic YWRtaW46cGEgc3M6d29yZA==", u, sizeof(u), p, sizeof(p)), 0);
	CHECK_STR(u, "admin");
	CHECK_STR(p, "pa ss:word");
	CHECK_INT(web_parse_basic("basic   YWRtaW46cGEgc3M6d29yZA==  ", u, sizeof(u), p, sizeof(p)),
		  0);
	CHECK_INT(web_parse_basic("Basic Og==", u, sizeof(u), p, sizeof(p)), 0); /* ":" */
	CHECK_STR(u, "");
	CHECK_STR(p, "");
	CHECK_INT(web_parse_basic(NULL, u, sizeof(u), p, sizeof(p)), -EINVAL);
	CHECK_INT(web_parse_basic("Bearer abc", u, sizeof(u), p, sizeof(p)), -EINVAL);
	CHECK_INT(web_parse_basic("Basic", u, sizeof(u), p, sizeof(p)), -EINVAL);
	CHECK_INT(web_parse_basic("BasicYWRtaW46eA==", u, sizeof(u), p, sizeof(p)), -EINVAL);
	CHECK_INT(web_parse_basic("Basic !!!!", u, sizeof(u), p, sizeof(p)), -EINVAL);
	CHECK_INT(web_parse_basic("Basic YWRtaW4=", u, sizeof(u), p, sizeof(p)),
		  -EINVAL); /* no ':' */
	CHECK_INT(web_parse_basic("Basic YQBiOmM=", u, sizeof(u), p, sizeof(p)),
		  -EINVAL); /* "a\0b:c" */
	CHECK_INT(web_parse_basic("Basic YTpiCmM=", u, sizeof(u), p, sizeof(p)),
		  -EINVAL); /* "a:b\nc" */
	/* "aaaaaaaaaaaaaaaaaaaa:b": user too long for 16 bytes */
	CHECK_INT(
	    web_parse_basic("Basic YWFhYWFhYWFhYWFhYWFhYWFhYWE6Yg==", u, sizeof(u), p, sizeof(p)),
	    -E2BIG);

	CHECK_INT(web_parse_bearer("Bearer s3cret-Token", &tok, &n), 0);
	CHECK(n == 12 && !memcmp(tok, "s3cret-Token", 12));
	CHECK_INT(web_parse_bearer("bearer abc== ", &tok, &n), 0);
	CHECK(n == 5);
	CHECK_INT(web_parse_bearer("Bearer ", &tok, &n), -EINVAL);
	CHECK_INT(web_parse_bearer("Bearer a b", &tok, &n), -EINVAL);
	CHECK_INT(web_parse_bearer("Bearer a\"b", &tok, &n), -EINVAL);
	CHECK_INT(web_parse_bearer("Basic abc", &tok, &n), -EINVAL);
	CHECK_INT(web_parse_bearer(NULL, &tok, &n), -EINVAL);

	CHECK(web_const_eq("abc", 3, "abc", 3));
	CHECK(!web_const_eq("abc", 3, "abd", 3));
	CHECK(!web_const_eq("abc", 3, "abcd", 4));
	CHECK(!web_const_eq("", 0, "a", 1));
	CHECK(web_const_eq("", 0, "", 0));
}

static void test_keys(void)
{
	CHECK(web_pcap_key_ok("pcap/2026/11/23/17/1795453508_10.0.0.2_10.0.0.1_1_2323.pcap"));
	CHECK(web_pcap_key_ok("pcap/2026/11/23/17/scans_59414963-0c47_1795425410.pcap"));
	CHECK(web_pcap_key_ok("pcap/x.pcapng"));
	CHECK(web_pcap_key_ok("pcap/fd00:1::1_x.pcap"));
	CHECK(!web_pcap_key_ok(NULL));
	CHECK(!web_pcap_key_ok(""));
	CHECK(!web_pcap_key_ok("pcap/"));
	CHECK(web_pcap_key_ok("pcap/.pcap")); /* a name, not "." */
	CHECK(!web_pcap_key_ok("pcap/../x.pcap"));
	CHECK(!web_pcap_key_ok("pcap/a/../../x.pcap"));
	CHECK(!web_pcap_key_ok("pcap/./x.pcap"));
	CHECK(!web_pcap_key_ok("pcap//x.pcap"));
	CHECK(!web_pcap_key_ok("/pcap/x.pcap"));
	CHECK(!web_pcap_key_ok("/etc/passwd"));
	CHECK(!web_pcap_key_ok("pcap/x.pcap/"));
	CHECK(!web_pcap_key_ok("pcap/x.db"));
	CHECK(!web_pcap_key_ok("mitsu.db"));
	CHECK(!web_pcap_key_ok("pcap/x y.pcap"));
	CHECK(!web_pcap_key_ok("pcap/x%2e.pcap"));
	CHECK(!web_pcap_key_ok("pcap/x\\..\\y.pcap"));
	CHECK(!web_pcap_key_ok("PCAP/x.pcap"));
	CHECK(!web_pcap_key_ok("pcap/x\n.pcap"));
	CHECK(!web_pcap_key_ok("pcap/x.pcap\n"));
	char big[600];
	memset(big, 'a', sizeof(big));
	memcpy(big, "pcap/", 5);
	strcpy(big + sizeof(big) - 6, ".pcap");
	CHECK(!web_pcap_key_ok(big));
}

static void test_listen(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

	CHECK_INT(web_parse_listen("127.0.0.1:8080", &ss, &len), 0);
	CHECK(a4->sin_family == AF_INET && ntohs(a4->sin_port) == 8080);
	CHECK(web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("9000", &ss, &len), 0);
	CHECK(ntohs(a4->sin_port) == 9000 && web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("localhost:1", &ss, &len), 0);
	CHECK(web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("127.9.8.7:0", &ss, &len), 0);
	CHECK(web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("0.0.0.0:8080", &ss, &len), 0);
	CHECK(!web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("10.1.2.3:80", &ss, &len), 0);
	CHECK(!web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("[::1]:8080", &ss, &len), 0);
	CHECK(a6->sin6_family == AF_INET6 && ntohs(a6->sin6_port) == 8080 && len == sizeof(*a6));
	CHECK(web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("[::]:8080", &ss, &len), 0);
	CHECK(!web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("[::ffff:127.0.0.1]:8080", &ss, &len), 0);
	CHECK(web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("[::ffff:10.0.0.1]:8080", &ss, &len), 0);
	CHECK(!web_sockaddr_is_loopback((struct sockaddr *)&ss));
	CHECK_INT(web_parse_listen("", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen(NULL, &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("127.0.0.1:", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("127.0.0.1:65536", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("127.0.0.1:-1", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("example.com:80", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("::1:8080", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("[::1]8080", &ss, &len), -EINVAL);
	CHECK_INT(web_parse_listen("[::1:8080", &ss, &len), -EINVAL);
}

static void test_host(void)
{
	CHECK(web_host_is_loopback("127.0.0.1:8080"));
	CHECK(web_host_is_loopback("127.0.0.1"));
	CHECK(web_host_is_loopback("127.1.2.3:1"));
	CHECK(web_host_is_loopback("localhost:8080"));
	CHECK(web_host_is_loopback("LocalHost"));
	CHECK(web_host_is_loopback("[::1]:8080"));
	CHECK(web_host_is_loopback("[::1]"));
	CHECK(!web_host_is_loopback(NULL));
	CHECK(!web_host_is_loopback(""));
	CHECK(!web_host_is_loopback("evil.example"));
	CHECK(!web_host_is_loopback("evil.example:8080"));
	CHECK(!web_host_is_loopback("localhost.evil.example"));
	CHECK(!web_host_is_loopback("127.0.0.1.evil.example"));
	CHECK(!web_host_is_loopback("10.0.0.1:8080"));
	CHECK(!web_host_is_loopback("127.0.0.1:"));
	CHECK(!web_host_is_loopback("127.0.0.1:x"));
	CHECK(!web_host_is_loopback("[::2]:80"));
	CHECK(!web_host_is_loopback("[::1]x"));
}

/* The server itself refuses what it must, and reports a taken port. */
static void test_start(void)
{
	struct web_cfg cfg;
	struct web *w = NULL, *w2 = NULL;
	char err[256], listen[32];
	int ret;

	web_cfg_defaults(&cfg);
	cfg.db = "/nonexistent/mitsu.db";
	cfg.listen = "0.0.0.0:0";
	CHECK_INT(web_start(&cfg, &w, err, sizeof(err)), -EACCES);
	CHECK(strstr(err, "without authentication") != NULL);
	cfg.listen = "nonsense";
	CHECK_INT(web_start(&cfg, &w, err, sizeof(err)), -EINVAL);
	cfg.listen = "127.0.0.1:0";
	cfg.auth_user = "u";
	cfg.auth_hash = "plain";
	CHECK_INT(web_start(&cfg, &w, err, sizeof(err)), -EINVAL);
	cfg.auth_user = cfg.auth_hash = NULL;
	ret = web_start(&cfg, &w, err, sizeof(err));
	CHECK_INT(ret, 0);
	if (ret)
		return;
	CHECK(web_port(w) > 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", web_port(w));
	cfg.listen = listen;
	CHECK_INT(web_start(&cfg, &w2, err, sizeof(err)), -EADDRINUSE);
	CHECK(w2 == NULL);
	web_stop(w);
	web_stop(NULL);
}

int main(void)
{
	test_uint();
	test_sort();
	test_auth();
	test_keys();
	test_listen();
	test_host();
	test_start();
	return T_DONE();
}
