/* Unit tests for analyze/synfp.  The SYNs are real packets captured with
 * tcpdump in a pair of network namespaces (fields as tshark printed them):
 * nmap 7.93 -sS and -O, masscan 1.3.2, zmap 2.1.1, hping3 -S -M <dst as
 * integer> (a Mirai-style SYN) and curl on Linux 6.x.  The Windows and
 * macOS SYNs are built from p0f 3.09's p0f.fp signatures: no such host
 * was available to capture from. */
#include "analyze/synfp.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "t.h"

struct syn_case {
	const char *dst;
	uint16_t dport;
	uint8_t ttl;
	bool df;
	uint16_t ip_id, win;
	uint32_t seq;
	uint8_t flags;
	const char *opts; /* hex */
};

static void mk(struct record *r, const struct syn_case *c)
{
	const char *h = c->opts;

	record_free(r);
	record_init(r);
	r->proto = 6;
	addr_parse(c->dst, &r->dst);
	addr_parse("10.1.0.2", &r->src);
	r->dport = c->dport;
	r->syn.seen = true;
	r->syn.ipver = 4;
	r->syn.ttl = c->ttl;
	r->syn.df = c->df;
	r->syn.ip_id = c->ip_id;
	r->syn.win = c->win;
	r->syn.seq = c->seq;
	r->syn.flags = c->flags ? c->flags : 0x02;
	while (h[0] && h[1] && r->syn.optlen < sizeof(r->syn.opts)) {
		unsigned v;
		sscanf(h, "%2x", &v);
		r->syn.opts[r->syn.optlen++] = (uint8_t)v;
		h += 2;
	}
	synfp_apply(r);
	buf_cstr(&r->extra);
}

static bool extra_has(const struct record *r, const char *s)
{
	bool ok = r->extra.p && strstr((const char *)r->extra.p, s);

	if (!ok)
		printf("#   missing %s in %s\n", s,
		       r->extra.p ? (const char *)r->extra.p : "(none)");
	return ok;
}

static void test_opts(void)
{
	struct synfp_opts o;
	const uint8_t linux_opts[] = {2,    4,	  5, 0xb4, 4, 2, 8, 10, 0x35, 0x44,
				      0x1e, 0x48, 0, 0,	   0, 0, 1, 3,	3,    10};
	const uint8_t eol[] = {2, 4, 5, 0xb4, 0, 0, 0, 0};
	const uint8_t bad[] = {2, 4, 5};
	const uint8_t zero_len[] = {1, 8, 0, 1, 1};

	synfp_parse_opts(linux_opts, sizeof(linux_opts), &o);
	CHECK_STR(o.layout, "mss,sok,ts,nop,ws");
	CHECK_INT(o.mss, 1460);
	CHECK_INT(o.ws, 10);
	CHECK_INT(o.tsval, 0x35441e48);
	CHECK(!o.malformed);
	synfp_parse_opts(eol, sizeof(eol), &o);
	CHECK_STR(o.layout, "mss,eol+3");
	synfp_parse_opts(bad, sizeof(bad), &o);
	CHECK(o.malformed);
	CHECK_STR(o.layout, "?2");
	synfp_parse_opts(zero_len, sizeof(zero_len), &o); /* len 0 must not loop */
	CHECK(o.malformed);
	CHECK_STR(o.layout, "nop,?8");
	CHECK_INT(synfp_initial_ttl(43), 64);
	CHECK_INT(synfp_initial_ttl(113), 128);
	CHECK_INT(synfp_initial_ttl(240), 255);
	CHECK_INT(synfp_initial_ttl(30), 32);
}

static void test_scanners(struct record *r)
{
	/* nmap -sS: window 1024, MSS 1460 only, TTL 37..59, no DF */
	mk(r, &(struct syn_case){"10.208.0.1", 1003, 43, false, 0x05ee, 1024, 550258952, 0,
				 "020405b4"});
	CHECK_STR(r->scanner, "nmap");
	CHECK_STR(r->os_guess, "unknown");
	CHECK(!record_has_tag(r, "nmap-os-detection"));
	CHECK(extra_has(r, "\"synfp\":{\"ttl\":43,\"ttl_initial\":64,\"df\":false"));
	CHECK(extra_has(r, "\"sig\":\"4:64:0:1460:1024,0:mss::0\""));

	/* nmap -O: T5 probe (window 31337, TSval 0xFFFFFFFF) */
	mk(r, &(struct syn_case){"10.208.0.1", 1000, 47, false, 0xe3de, 31337, 2549787597u, 0,
				 "03030a0102040109080affffffff000000000402"});
	CHECK_STR(r->scanner, "nmap");
	CHECK(record_has_tag(r, "nmap-os-detection"));
	/* nmap -O: SEQ probe 6 has Linux's "mss,sok,ts" layout; still nmap,
	 * and no OS guess from a crafted packet */
	mk(r, &(struct syn_case){"10.209.0.1", 8000, 52, false, 0x1234, 512, 1, 0,
				 "020401090402080affffffff00000000"});
	CHECK_STR(r->scanner, "nmap");
	CHECK_STR(r->os_guess, "unknown");
	/* nmap -O: the ECN probe */
	mk(r, &(struct syn_case){"10.209.0.1", 8000, 40, false, 0x4321, 3, 7, 0xc2,
				 "03030a01020405b404020101"});
	CHECK_STR(r->scanner, "nmap");
	CHECK(record_has_tag(r, "nmap-os-detection"));

	/* masscan: ip_id == dst ^ dport ^ seq (low 16 bits), TTL 255, win 1024 */
	mk(r, &(struct syn_case){"10.208.0.1", 2003, 255, false, 0x7da6, 1024, 34241140, 0, ""});
	CHECK_STR(r->scanner, "masscan");
	mk(r, &(struct syn_case){"10.208.0.1", 2000, 255, false, 0x1dd8, 1024, 1710037513, 0, ""});
	CHECK_STR(r->scanner, "masscan");
	/* the relation broken (ID rewritten): still masscan by window/TTL... */
	mk(r, &(struct syn_case){"10.208.0.1", 2003, 250, false, 0x0001, 1024, 34241140, 0, ""});
	CHECK_STR(r->scanner, "masscan");
	/* ...but not with a TTL-64 sender (hping3 -w 1024) */
	mk(r, &(struct syn_case){"10.208.0.1", 2003, 64, false, 0x0001, 1024, 34241140, 0, ""});
	CHECK_STR(r->scanner, "");

	/* zmap: IP ID 54321, TTL 255, window 65535 */
	mk(r, &(struct syn_case){"10.209.0.1", 3000, 255, false, 54321, 65535, 3455124317u, 0, ""});
	CHECK_STR(r->scanner, "zmap");

	/* hping3 -S -M 181403649 (= 10.208.0.1): Mirai's seq == dst address */
	mk(r, &(struct syn_case){"10.208.0.1", 23, 64, false, 0xa5f7, 512, 181403649, 0, ""});
	CHECK_STR(r->scanner, "mirai");
	/* the same SYN to another address is not Mirai-like */
	mk(r, &(struct syn_case){"10.208.0.9", 23, 64, false, 0xa5f7, 512, 181403649, 0, ""});
	CHECK_STR(r->scanner, "");
}

static void test_os(struct record *r)
{
	/* curl on Linux 6.x */
	mk(r, &(struct syn_case){"10.208.0.1", 8080, 64, true, 0x423d, 64240, 2666084764u, 0,
				 "020405b40402080a35441e48000000000103030a"});
	CHECK_STR(r->scanner, "");
	CHECK_STR(r->os_guess, "Linux");
	CHECK(extra_has(r, "\"opts\":\"mss,sok,ts,nop,ws\""));
	CHECK(extra_has(r, "\"sig\":\"4:64:0:1460:64240,10:mss,sok,ts,nop,ws:df,id+:0\""));
	/* Linux with timestamps off (net.ipv4.tcp_timestamps=0), 3 hops away */
	mk(r, &(struct syn_case){"10.208.0.1", 80, 61, true, 0, 64240, 1, 0,
				 "020405b40101040201030307"});
	CHECK_STR(r->os_guess, "Linux");
	/* Windows 10/11 (p0f: *:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0) */
	mk(r, &(struct syn_case){"10.208.0.1", 445, 116, true, 0x1a2b, 64240, 1, 0,
				 "020405b40103030801010402"});
	CHECK_STR(r->os_guess, "Windows");
	/* macOS (p0f: *:64:0:*:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0) */
	mk(r, &(struct syn_case){"10.208.0.1", 22, 57, true, 0, 65535, 1, 0,
				 "020405b4010303060101080a1122334400000000040200000000"});
	CHECK_STR(r->os_guess, "unknown"); /* eol+3: layouts match exactly, p0f-style */
	mk(r, &(struct syn_case){"10.208.0.1", 22, 57, true, 0, 65535, 1, 0,
				 "020405b4010303060101080a112233440000000004020000"});
	CHECK_STR(r->os_guess, "macOS/BSD");
	/* FreeBSD (p0f: *:64:0:*:65535,6:mss,nop,ws,sok,ts:df,id+:0) */
	mk(r, &(struct syn_case){"10.208.0.1", 22, 64, true, 7, 65535, 1, 0,
				 "020405b4010303060402080a1122334400000000"});
	CHECK_STR(r->os_guess, "macOS/BSD");
	/* the same layout at TTL 128 is Windows (p0f: mss,nop,ws,sok,ts) */
	mk(r, &(struct syn_case){"10.208.0.1", 22, 128, true, 7, 8192, 1, 0,
				 "020405b401030302"
				 "0402080a1122334400000000"});
	CHECK_STR(r->os_guess, "Windows");
	/* malformed options: unknown, no crash */
	mk(r, &(struct syn_case){"10.208.0.1", 22, 64, true, 7, 65535, 1, 0, "020405b40402080a11"});
	CHECK_STR(r->os_guess, "unknown");

	/* UDP records and TCP records without a client SYN are left alone */
	mk(r, &(struct syn_case){"10.208.0.1", 22, 64, true, 7, 65535, 1, 0, ""});
	record_free(r);
	record_init(r);
	r->proto = 17;
	synfp_apply(r);
	CHECK_STR(r->os_guess, "");
	CHECK_INT(r->extra.len, 0);
}

int main(void)
{
	struct record r;

	record_init(&r);
	test_opts();
	test_scanners(&r);
	test_os(&r);
	record_free(&r);
	return T_DONE();
}
