/* Unit tests for the UDP dissectors (dns, ntp, ssdp, snmp, memcached).
 * Every datagram below was captured from a real client aimed at a UDP
 * socket on 127.0.0.1 (Debian 12 tools): dig and nslookup
 * (bind9-dnsutils 9.18), ntpdig and ntpsec's python3-ntp ControlSession
 * (readvar, the request `ntpq -c rv` sends), snmpget/snmpgetnext/
 * snmpbulkwalk (snmp 5.9.3), nmap 7.93 -sU with the ntp-monlist,
 * upnp-info, memcached-info and snmp-info scripts, and
 * `printf ... | nc -u`.  Crafted inputs (loops, truncations) say so. */
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "proto/proto.h"
#include "t.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (h[0] && h[1] && n < cap) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

/* Builds a UDP (or TCP) record holding the datagram(s) and dissects it. */
static void run(struct record *r, uint8_t proto, const char *hex, const char *more_hex)
{
	uint8_t buf[2048];
	size_t n = unhex(hex, buf, sizeof(buf)), first = n;

	if (more_hex)
		n += unhex(more_hex, buf + n, sizeof(buf) - n);
	record_free(r);
	record_init(r);
	r->proto = proto;
	r->payload = malloc(n ? n : 1);
	memcpy(r->payload, buf, n);
	r->payload_len = n;
	r->first_msg_len = proto == 17 ? first : 0;
	proto_dissect(r);
	buf_cstr(&r->extra);
}

static bool has(const struct record *r, const char *s)
{
	bool ok = r->extra.p && strstr((const char *)r->extra.p, s);

	if (!ok)
		printf("#   missing %s in %s\n", s,
		       r->extra.p ? (const char *)r->extra.p : "(none)");
	return ok;
}

static bool lacks(const struct record *r, const char *s)
{
	return !r->extra.p || !strstr((const char *)r->extra.p, s);
}

static void test_dns(struct record *r)
{
	/* dig @127.0.0.1 -p 5353 example.com A */
	run(r, 17,
	    "92a401200001000000000001076578616d706c6503636f6d000001000100002904d0000000"
	    "00000c000a0008a828aead28c921f2",
	    NULL);
	CHECK_STR(r->service, "dns");
	CHECK(has(r, "\"qname\":\"example.com.\""));
	CHECK(has(r, "\"qtype\":1,\"qtype_name\":\"A\""));
	CHECK(has(r, "\"qclass_name\":\"IN\""));
	CHECK(has(r, "\"flags\":\"rd,ad\""));
	CHECK(has(r, "\"id\":37540"));
	CHECK(has(r, "\"edns\":{\"udp_size\":1232,\"version\":0,\"do\":false,\"options\":[10]}"));
	CHECK(!record_has_tag(r, "amplification-probe"));
	CHECK(!record_has_tag(r, "dns-any"));

	/* dig +notcp isc.org ANY */
	run(r, 17,
	    "feb00120000100000000000103697363036f72670000ff000100002904d0000000000000"
	    "0c000a0008717a01fe0afb189f",
	    NULL);
	CHECK_STR(r->service, "dns");
	CHECK(has(r, "\"qtype_name\":\"ANY\""));
	CHECK(record_has_tag(r, "dns-any"));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* dig +dnssec +bufsize=4096 isc.org DNSKEY */
	run(r, 17,
	    "3b200120000100000000000103697363036f72670000300001000029100000008000000c"
	    "000a00081956461ecab47d00",
	    NULL);
	CHECK(has(r, "\"qtype_name\":\"DNSKEY\""));
	CHECK(has(r, "\"udp_size\":4096"));
	CHECK(has(r, "\"do\":true"));
	CHECK(record_has_tag(r, "amplification-probe"));
	CHECK(!record_has_tag(r, "dns-any"));

	/* dig +bufsize=4096 example.com TXT: large buffer + TXT */
	run(r, 17,
	    "119501200001000000000001076578616d706c6503636f6d0000100001000029100000000000"
	    "000c000a0008ed6d3a07b900994f",
	    NULL);
	CHECK(record_has_tag(r, "amplification-probe"));

	/* dig dnsscan.shadowserver.org: an open-resolver survey name */
	run(r, 17,
	    "e0040120000100000000000107646e737363616e0c736861646f77736572766572036f7267"
	    "000001000100002904d000000000000c000a0008969f0afc41483799",
	    NULL);
	CHECK(has(r, "\"qname\":\"dnsscan.shadowserver.org.\""));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* dig +noedns version.bind CH TXT */
	run(r, 17, "0964012000010000000000000776657273696f6e0462696e640000100003", NULL);
	CHECK_STR(r->service, "dns");
	CHECK(has(r, "\"qname\":\"version.bind.\""));
	CHECK(has(r, "\"qclass\":3,\"qclass_name\":\"CH\""));
	CHECK(lacks(r, "\"edns\""));
	CHECK(!record_has_tag(r, "amplification-probe"));

	/* nslookup example.org; then a second datagram (a retry) after it */
	run(r, 17, "f82f01000001000000000000076578616d706c65036f72670000010001",
	    "f82f01000001000000000000076578616d706c65036f72670000010001");
	CHECK_STR(r->service, "dns");
	CHECK(has(r, "\"flags\":\"rd\""));
	CHECK(has(r, "\"qname\":\"example.org.\""));

	/* dig +tcp example.net MX: two-byte length prefix */
	run(r, 6,
	    "0034dfe701200001000000000001076578616d706c65036e657400000f000100002904d00000"
	    "0000000c000a0008f1c7f0a661e8385d",
	    NULL);
	CHECK_STR(r->service, "dns");
	CHECK(has(r, "\"qtype_name\":\"MX\""));
	CHECK(has(r, "\"tcp\":true"));

	/* crafted: the qname is a pointer to itself (loop) */
	run(r, 17, "123401000001000000000000c00c00010001", NULL);
	CHECK(strcmp(r->service, "dns") != 0);
	/* crafted: a label, then a pointer back to that label (a two-step loop) */
	run(r, 17, "1234010000010000000000000161c00c00010001", NULL);
	CHECK(strcmp(r->service, "dns") != 0);
	/* crafted: a pointer into the header (to the zero ARCOUNT byte) is odd
	 * but ends: the root name */
	run(r, 17, "123401000001000000000000c00a00010001", NULL);
	CHECK(has(r, "\"qname\":\".\""));
	/* crafted: a label with a dot and a control byte is escaped like dig */
	run(r, 17,
	    "12340100000100000000000003612e01000001"
	    "0001",
	    NULL);
	CHECK(has(r, "\"qname\":\"a\\\\.\\\\001.\""));
	/* truncated question */
	run(r, 17, "123401000001000000000000076578616d706c", NULL);
	CHECK(strcmp(r->service, "dns") != 0);
}

static void test_ntp(struct record *r)
{
	/* ntpdig 127.0.0.1 */
	run(r, 17,
	    "e3000000000000000000000000000000000000000000000000000000000000000000000000"
	    "000000eeae96d039de5800",
	    NULL);
	CHECK_STR(r->service, "ntp");
	CHECK(has(r, "\"version\":4,\"mode\":3,\"mode_name\":\"client\",\"leap\":3"));
	CHECK(has(r, "\"xmt\":\"eeae96d039de5800\""));
	CHECK(!record_has_tag(r, "amplification-probe"));

	/* nmap --script ntp-monlist: mode 7, implementation 3, MON_GETLIST_1 */
	run(r, 17,
	    "1700032a0000000000000000000000000000000000000000000000000000000000000000"
	    "000000000000000000000000",
	    NULL);
	CHECK_STR(r->service, "ntp");
	CHECK(has(r, "\"mode\":7,\"mode_name\":\"private\""));
	CHECK(has(r, "\"implementation\":3,\"request\":42,\"request_name\":\"mon_getlist_1\""));
	CHECK(record_has_tag(r, "ntp-monlist"));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* python3-ntp ControlSession.readvar(0, ["version", "system"]) */
	run(r, 17, "d6020001000000000000000e76657273696f6e2c73797374656d0000", NULL);
	CHECK_STR(r->service, "ntp");
	CHECK(has(r, "\"mode\":6,\"mode_name\":\"control\""));
	CHECK(has(r, "\"opcode\":2,\"opcode_name\":\"readvar\""));
	CHECK(has(r, "\"data\":\"version,system\""));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* nmap -sU's NTP probe (nmap-payloads): mode 1, version 3 */
	run(r, 17,
	    "d9000afa000000000001040000000000000000000000000000000000000000000000000000"
	    "000000c6f15edb78000000",
	    NULL);
	CHECK_STR(r->service, "ntp");
	CHECK(has(r, "\"mode_name\":\"symmetric_active\""));
	/* crafted: 48 bytes with version 0 are not NTP */
	run(r, 17,
	    "0300000000000000000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000",
	    NULL);
	CHECK(strcmp(r->service, "ntp") != 0);
}

static void test_ssdp(struct record *r)
{
	/* printf 'M-SEARCH ...ssdp:all' | nc -u */
	run(r, 17,
	    "4d2d534541524348202a20485454502f312e310d0a484f53543a203233392e3235352e323535"
	    "2e3235303a313930300d0a4d414e3a2022737364703a646973636f766572220d0a4d583a2031"
	    "0d0a53543a20737364703a616c6c0d0a0d0a",
	    NULL);
	CHECK_STR(r->service, "ssdp");
	CHECK(has(r, "\"method\":\"M-SEARCH\""));
	CHECK(has(r, "\"host\":\"239.255.255.250:1900\""));
	CHECK(has(r, "\"man\":\"\\\"ssdp:discover\\\"\""));
	CHECK(has(r, "\"mx\":\"1\""));
	CHECK(has(r, "\"st\":\"ssdp:all\""));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* nmap --script upnp-info: ST:upnp:rootdevice, no spaces after colons */
	run(r, 17,
	    "4d2d534541524348202a20485454502f312e310d0a486f73743a3233392e3235352e323535"
	    "2e3235303a313930300d0a53543a75706e703a726f6f746465766963650d0a4d616e3a2273"
	    "7364703a646973636f766572220d0a4d583a330d0a0d0a",
	    NULL);
	CHECK_STR(r->service, "ssdp");
	CHECK(has(r, "\"st\":\"upnp:rootdevice\""));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* crafted: a search for one device type is not a reflection query */
	run(r, 17,
	    "4d2d534541524348202a20485454502f312e310d0a53543a75726e3a736368656d61732d75"
	    "706e702d6f72673a6465766963653a496e7465726e657447617465776179446576696365"
	    "3a310d0a0d0a",
	    NULL);
	CHECK_STR(r->service, "ssdp");
	CHECK(!record_has_tag(r, "amplification-probe"));
}

static void test_snmp(struct record *r)
{
	/* snmpget -v1 -c public 1.3.6.1.2.1.1.1.0 */
	run(r, 17,
	    "302902010004067075626c6963a01c02044cc8beb9020100020100300e300c06082b06010201"
	    "0101000500",
	    NULL);
	CHECK_STR(r->service, "snmp");
	CHECK(has(r, "\"version\":0,\"version_name\":\"v1\",\"community\":\"public\""));
	CHECK(has(r, "\"pdu\":\"get\",\"request_id\":1288224441"));
	CHECK(has(r, "\"varbinds\":1,\"oids\":[\"1.3.6.1.2.1.1.1.0\"]"));
	CHECK_INT(r->ncreds, 1);
	CHECK_STR(r->creds[0].proto, "snmp");
	CHECK_STR(r->creds[0].user, "");
	CHECK_STR(r->creds[0].pass, "public");
	CHECK(!record_has_tag(r, "amplification-probe"));

	/* snmpget -v2c -c s3cret 1.3.6.1.2.1.1.5.0 */
	run(r, 17,
	    "30290201010406733363726574a01c0204101c8a64020100020100300e300c06082b0601020101"
	    "05000500",
	    NULL);
	CHECK(has(r, "\"version_name\":\"v2c\",\"community\":\"s3cret\""));
	CHECK_STR(r->creds[0].pass, "s3cret");

	/* snmpbulkwalk -v2c -c public 1.3.6.1.2.1 */
	run(r, 17,
	    "302602010104067075626c6963a5190204596d212c02010002010a300b300906052b0601020105"
	    "00",
	    NULL);
	CHECK(has(r, "\"pdu\":\"getbulk\""));
	CHECK(has(r, "\"non_repeaters\":0,\"max_repetitions\":10"));
	CHECK(has(r, "\"oids\":[\"1.3.6.1.2.1\"]"));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* snmpgetnext -v1 -c private 1.3.6.1.2.1.1 */
	run(r, 17,
	    "3028020100040770726976617465a11a02041dd126a1020100020100300c300a06062b0601020101"
	    "0500",
	    NULL);
	CHECK(has(r, "\"pdu\":\"getnext\""));
	CHECK_STR(r->creds[0].pass, "private");

	/* nmap -sU's SNMPv3 engine discovery probe */
	run(r, 17,
	    "303a020103300f02024a69020300ffe30401040201030410300e040002010002010004000400"
	    "0400301204000400a00c020237f00201000201003000",
	    NULL);
	CHECK_STR(r->service, "snmp");
	CHECK(has(r, "\"version\":3,\"version_name\":\"v3\",\"msg_flags\":4,\"security_model\":3"));
	CHECK(has(r, "\"user\":\"\",\"encrypted\":false,\"pdu\":\"get\",\"request_id\":14320"));
	CHECK_INT(r->ncreds, 0);

	/* nmap --script snmp-info's v1 GetNext for OID 0.0 */
	run(r, 17, "301f02010004067075626c6963a112020100020100020100300730050601000500", NULL);
	CHECK(has(r, "\"oids\":[\"0.0\"]"));

	/* crafted: lengths past the datagram */
	run(r, 17, "307f02010004067075626c6963a0", NULL);
	CHECK(strcmp(r->service, "snmp") != 0);
	/* crafted: indefinite length is not BER that SNMP allows */
	run(r, 17, "308002010004067075626c6963a0000000", NULL);
	CHECK(strcmp(r->service, "snmp") != 0);
}

static void test_memcached(struct record *r)
{
	/* printf '\0\x01\0\0\0\x01\0\0stats\r\n' | nc -u */
	run(r, 17, "000100000001000073746174730d0a", NULL);
	CHECK_STR(r->service, "memcached");
	CHECK(has(r, "\"request_id\":1,\"seq\":0,\"total\":1,\"command\":\"stats\""));
	CHECK(has(r, "\"commands\":[\"stats\"]"));
	CHECK(record_has_tag(r, "amplification-probe"));

	/* nmap --script memcached-info over UDP: "version" */
	run(r, 17, "000100000001000076657273696f6e0d0a", NULL);
	CHECK_STR(r->service, "memcached");
	CHECK(has(r, "\"command\":\"version\""));
	CHECK(!record_has_tag(r, "amplification-probe"));

	/* TCP: set with its data block, then get and stats (printf | nc) */
	run(r, 6,
	    "73657420666f6f2030203020350d0a68656c6c6f0d0a67657420666f6f0d0a7374617473"
	    "0d0a",
	    NULL);
	CHECK_STR(r->service, "memcached");
	CHECK(has(r, "\"commands\":[\"set foo 0 0 5\",\"get foo\",\"stats\"]"));
	CHECK(!record_has_tag(r, "amplification-probe"));

	/* crafted: frame header with a nonzero reserved field */
	run(r, 17, "000100000001000173746174730d0a", NULL);
	CHECK(strcmp(r->service, "memcached") != 0);
}

int main(void)
{
	struct record r;

	record_init(&r);
	test_dns(&r);
	test_ntp(&r);
	test_ssdp(&r);
	test_snmp(&r);
	test_memcached(&r);
	record_free(&r);
	return T_DONE();
}
