/* Text-login and remote-desktop dissectors: telnet, ftp, smtp, pop3, imap,
 * vnc, rdp, sip.  Byte strings are hand-built from the RFCs and from what
 * the real clients (netkit telnet, hydra, mstsc, sipvicious) send. */
#include "proto_t.h"

static void test_telnet(void)
{
	static const char srv[] =
	    "\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27"
	    "Debian GNU/Linux 12\r\nhost login: Password: \r\nLogin incorrect\r\n";
	static const char cli[] = "\xff\xfb\x18\xff\xfb\x1f\xff\xfc\x20\xff\xfd\x03"
				  "\xff\xfa\x18\x00xterm-256color\xff\xf0"
				  "\xff\xfa\x27\x00\x00USER\x01rooty\xff\xf0"
				  "root\r\nadmin\xff\xff"
				  "x\r\n";

	MK(cli, srv);
	CHECK_STR(run(), "telnet");
	CHECK(has("\"lines\":[\"root\",\"admin\xef\xbf\xbdx\"]")); /* 0xff: U+FFFD */
	CHECK(has("\"WILL TTYPE\""));
	CHECK(has("\"WILL NAWS\""));
	CHECK(has("\"WONT TSPEED\""));
	CHECK(has("\"DO SGA\""));
	CHECK(has("\"SB TTYPE\""));
	CHECK(has("\"terminal\":\"xterm-256color\""));
	CHECK(has("\"env_user\":\"rooty\""));
	CHECK_INT(rec.ncreds, 1);
	CHECK(rec.ncreds == 1 && !strcmp(rec.creds[0].user, "root") &&
	      !strncmp(rec.creds[0].pass, "admin\xff", 6));

	/* A bot without any server prompt: first two non-empty lines. */
	static const char bot[] =
	    "\xff\xfd\x01\r\n\r\nadmin\r\nxc3511\r\nenable\r\nshell\r\nsh\r\n";
	mk(bot, sizeof(bot) - 1, NULL, 0, 6);
	CHECK_STR(run(), "telnet");
	CHECK(cred(0, "telnet", "admin", "xc3511"));
	CHECK(has("\"options\":[\"DO ECHO\"]"));

	/* Character-at-a-time typing with a backspace, CR NUL line ends. */
	static const char chr[] = "\xff\xfb\x03r\x00oo\x08t\r\x00t\x7fpw\r\x00";
	mk(chr, sizeof(chr) - 1, "login: Password:", 16, 6);
	run();
	CHECK(cred(0, "telnet", "rot", "pw"));

	/* Server prompted for the password and the client sent an empty one. */
	static const char empty[] = "\xff\xfb\x18root\r\n\r\n";
	mk(empty, sizeof(empty) - 1, "login: Password: ", 17, 6);
	run();
	CHECK(cred(0, "telnet", "root", ""));

	torture(&proto_telnet, (const uint8_t *)cli, sizeof(cli) - 1);
	torture(&proto_telnet, (const uint8_t *)"\xff\xfa\x18\x00xx\xff", 7);
}

static void test_ftp(void)
{
	MK("USER anonymous\r\nPASS guest@example.com\r\nSYST\r\nUSER root\r\nPASS toor\r\nQUIT\r\n",
	   "220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n530 Login incorrect.\r\n");
	CHECK_STR(run(), "ftp");
	CHECK_STR(rec.service, "ftp");
	CHECK(has("\"banner\":\"220 (vsFTPd 3.0.3)\""));
	CHECK(has("\"commands\":[\"USER anonymous\",\"PASS guest@example.com\",\"SYST\",\"USER "
		  "root\",\"PASS toor\",\"QUIT\"]"));
	CHECK(has("\"user\":\"root\""));
	CHECK_INT(rec.ncreds, 2);
	CHECK(cred(0, "ftp", "anonymous", "guest@example.com"));
	CHECK(cred(1, "ftp", "root", "toor"));

	/* A scanner that did not wait for the banner. */
	MK("USER admin\r\nPASS admin\r\n", "");
	CHECK_STR(run(), "ftp");
	CHECK(cred(0, "ftp", "admin", "admin"));

	/* Only PASS: cred with an empty user. */
	MK("PASS x\n", "220 ProFTPD Server\r\n");
	CHECK_STR(run(), "ftp");
	CHECK(cred(0, "ftp", "", "x"));

	MK("AUTH TLS\r\n", "220 Welcome\r\n");
	CHECK_STR(run(), "ftp");
	torture(&proto_ftp, (const uint8_t *)"USER a\r\nPASS b\r\n", 16);
}

static void test_smtp(void)
{
	MK("EHLO kali\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nAUTH PLAIN AGFkbWluAHNlY3JldA==\r\n"
	   "AUTH PLAIN\r\nAGFkbWluAHNlY3JldA==\r\nAUTH LOGIN dXNlcg==\r\n*\r\n"
	   "MAIL FROM:<spam@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
	   "DATA\r\nSubject: hi\r\nRCPT TO:<not@rcpt>\r\n\r\nbody\r\n.\r\nQUIT\r\n",
	   "220 mail.example.org ESMTP Postfix\r\n250-mail\r\n");
	CHECK_STR(run(), "smtp");
	CHECK(has("\"banner\":\"220 mail.example.org ESMTP Postfix\""));
	CHECK(has("\"helo\":\"kali\""));
	CHECK(has("\"mail_from\":\"<spam@example.com>\""));
	CHECK(has("\"rcpt_to\":[\"<a@example.org>\",\"<b@example.org>\"]"));
	CHECK(has("\"auth\":\"LOGIN\""));
	CHECK(has("\"commands\":[\"EHLO\",\"AUTH\",\"AUTH\",\"AUTH\",\"AUTH\",\"MAIL\",\"RCPT\","
		  "\"RCPT\",\"DATA\",\"QUIT\"]"));
	CHECK(has("\"data_bytes\":"));
	CHECK_INT(rec.ncreds, 3);
	CHECK(cred(0, "smtp", "user", "pass"));
	CHECK(cred(1, "smtp", "admin", "secret"));
	CHECK(cred(2, "smtp", "admin", "secret"));

	/* STARTTLS: what follows is TLS, not commands. */
	MK("EHLO x\r\nSTARTTLS\r\n\x16\x03\x01\x02\x00\r\nUSER x\r\n", "");
	CHECK_STR(run(), "smtp");
	CHECK(has("\"starttls\":true"));
	CHECK(has("\"commands\":[\"EHLO\",\"STARTTLS\"]"));

	/* Banner only (the client said nothing yet). */
	MK("", "220 mx ESMTP Exim 4.96\r\n");
	CHECK_STR(run(), "smtp");
	/* Bad base64 gives no cred. */
	MK("HELO a\r\nAUTH PLAIN !!!!\r\nAUTH LOGIN\r\nnot base64\r\n", "");
	run();
	CHECK_INT(rec.ncreds, 0);
	torture(&proto_smtp, (const uint8_t *)"EHLO a\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n",
		40);
}

static void test_pop3(void)
{
	MK("CAPA\r\nUSER bob\r\nPASS hunter2\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
	   "AUTH PLAIN\r\nAGFkbWluAHNlY3JldA==\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nQUIT\r\n",
	   "+OK Dovecot ready.\r\n+OK\r\n");
	CHECK_STR(run(), "pop3");
	CHECK(has("\"banner\":\"+OK Dovecot ready.\""));
	CHECK(has("\"commands\":[\"CAPA\",\"USER\",\"PASS\",\"APOP\",\"AUTH\",\"AUTH\",\"QUIT\"]"));
	CHECK(has("\"auth\":\"PLAIN\""));
	CHECK(has("\"user\":\"bob\""));
	CHECK(has("\"apop\":{\"user\":\"mrose\",\"digest\":\"c4c9334bac560ecc979e58001b3e22fb\"}"));
	CHECK_INT(rec.ncreds, 4);
	CHECK(cred(0, "pop3", "bob", "hunter2"));
	CHECK(cred(1, "pop3", "mrose", ""));
	CHECK(cred(2, "pop3", "admin", "secret"));
	CHECK(cred(3, "pop3", "user", "pass"));

	/* USER/PASS with the POP3 banner is POP3, without any banner FTP. */
	MK("USER a\r\nPASS b\r\n", "+OK\r\n");
	CHECK_STR(run(), "pop3");
	MK("USER a\r\nPASS b\r\n", "");
	CHECK_STR(run(), "ftp");
	MK("STLS\r\n\x16\x03\x01", "");
	CHECK_STR(run(), "pop3");
	CHECK(has("\"stls\":true"));
	torture(&proto_pop3, (const uint8_t *)"USER a\r\nPASS b\r\nAPOP x y\r\n", 25);
}

static void test_imap(void)
{
	MK("a1 CAPABILITY\r\na2 LOGIN \"bob smith\" \"p\\\"w\"\r\na3 LOGIN {5}\r\nalice "
	   "{3+}\r\nxyz\r\n"
	   "a4 AUTHENTICATE PLAIN\r\nAGFkbWluAHNlY3JldA==\r\na5 AUTHENTICATE PLAIN "
	   "AGFkbWluAHNlY3JldA==\r\na6 LOGIN root toor\r\na7 APPEND inbox {11}\r\n"
	   "x LOGIN a b\r\na8 AUTHENTICATE LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\na9 LOGOUT\r\n",
	   "* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\r\n");
	CHECK_STR(run(), "imap");
	CHECK(has("\"banner\":\"* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\""));
	CHECK(has("\"commands\":[\"CAPABILITY\",\"LOGIN\",\"LOGIN\",\"AUTHENTICATE\","
		  "\"AUTHENTICATE\",\"LOGIN\",\"APPEND\",\"AUTHENTICATE\",\"LOGOUT\"]"));
	CHECK(has("\"auth\":\"PLAIN\""));
	CHECK(has("\"user\":\"bob smith\""));
	CHECK_INT(rec.ncreds, 6);
	CHECK(cred(5, "imap", "user", "pass"));
	CHECK(cred(0, "imap", "bob smith", "p\"w"));
	CHECK(cred(1, "imap", "alice", "xyz"));
	CHECK(cred(2, "imap", "admin", "secret"));
	CHECK(cred(3, "imap", "admin", "secret"));
	CHECK(cred(4, "imap", "root", "toor"));

	/* Client-first guess without a banner. */
	MK("A001 LOGIN user pass\r\n", "");
	CHECK_STR(run(), "imap");
	CHECK(cred(0, "imap", "user", "pass"));
	torture(&proto_imap, (const uint8_t *)"a LOGIN {5}\r\nalice \"x\\\"\r\n", 25);
	torture(&proto_imap, (const uint8_t *)"a AUTHENTICATE PLAIN\r\n{99999999}\r\n", 34);
}

static void test_vnc(void)
{
	static const char srv[] = "RFB 003.008\n\x02\x02\x10"
				  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
				  "\x00\x00\x00\x01";
	static const char cli[] = "RFB 003.008\n\x02"
				  "\xf0\xe1\xd2\xc3\xb4\xa5\x96\x87\x78\x69\x5a\x4b\x3c\x2d\x1e\x0f"
				  "\x01";

	mk(cli, sizeof(cli) - 1, srv, sizeof(srv) - 1, 6);
	CHECK_STR(run(), "vnc");
	CHECK(has("\"server_version\":\"003.008\""));
	CHECK(has("\"client_version\":\"003.008\""));
	CHECK(has("\"security_type\":2"));
	CHECK(has("\"security\":\"vnc\""));
	CHECK(has("\"challenge\":\"0102030405060708090a0b0c0d0e0f10\""));
	CHECK(has("\"response\":\"f0e1d2c3b4a5968778695a4b3c2d1e0f\""));

	/* 3.3: the server picks the type. */
	static const char srv33[] = "RFB 003.003\n\x00\x00\x00\x01";
	MK("RFB 003.003\n\x01", srv33);
	CHECK_STR(run(), "vnc");
	CHECK(has("\"security\":\"none\""));
	MK("", "RFB 003.008\n\x01\x01");
	CHECK_STR(run(), "vnc");
	MK("RFB 03.008\n", "");
	CHECK(strcmp(run(), "vnc"));
	torture(&proto_vnc, (const uint8_t *)cli, sizeof(cli) - 1);
	torture(&proto_vnc, (const uint8_t *)srv33, sizeof(srv33) - 1);
}

/* TPKT + X.224 CR around var[0..n). */
static size_t rdp_cr(uint8_t *out, const void *var, size_t n)
{
	size_t tl = 11 + n;

	memcpy(out, "\x03\x00", 2);
	out[2] = (uint8_t)(tl >> 8);
	out[3] = (uint8_t)tl;
	out[4] = (uint8_t)(6 + n);
	memcpy(out + 5, "\xe0\x00\x00\x00\x00\x00", 6);
	memcpy(out + 11, var, n);
	return tl;
}

static void test_rdp(void)
{
	static const char var[] = "Cookie: mstshash=administr\r\n\x01\x00\x08\x00\x0b\x00\x00\x00";
	uint8_t b[128];
	size_t n = rdp_cr(b, var, sizeof(var) - 1);

	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "rdp");
	CHECK(has("\"mstshash\":\"administr\""));
	CHECK(has("\"requested_protocols\":11"));
	CHECK(has("\"protocols\":[\"ssl\",\"hybrid\",\"hybrid_ex\"]"));
	CHECK_INT(rec.ncreds, 0);

	/* No cookie, TLS follows (what xfreerdp sends to an NLA server). */
	uint8_t b2[64];
	n = rdp_cr(b2, "\x01\x00\x08\x00\x00\x00\x00\x00", 8);
	memcpy(b2 + n, "\x16\x03\x01\x00\x05", 5);
	mk(b2, n + 5, NULL, 0, 6);
	CHECK_STR(run(), "rdp");
	CHECK(has("\"protocols\":[\"rdp\"]"));
	CHECK(has("\"tls\":true"));

	/* Routing token cookie, and nmap's bare request. */
	n = rdp_cr(b, "Cookie: msts=3640205228.15629.0000\r\n", 36);
	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "rdp");
	CHECK(has("\"cookie\":\"msts=3640205228.15629.0000\""));
	n = rdp_cr(b, "", 0);
	mk(b, n, NULL, 0, 6);
	CHECK_STR(run(), "rdp");
	n = rdp_cr(b, var, sizeof(var) - 1);
	torture(&proto_rdp, b, n);
}

static void test_sip(void)
{
	static const char opt[] =
	    "OPTIONS sip:100@10.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-2381513543;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "To: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
	    "From: \"sipvicious\"<sip:100@1.1.1.1>;tag=6331366438646439313363340131333732\r\n"
	    "User-Agent: friendly-scanner\r\n"
	    "Call-ID: 1139386395823137712713316\r\n"
	    "Contact: sip:100@10.0.0.2:5060\r\n"
	    "CSeq: 1 OPTIONS\r\n"
	    "Accept: application/sdp\r\n"
	    "Content-Length: 0\r\n\r\n";
	static const char two[] = "REGISTER sip:example.org SIP/2.0\r\n"
				  "f: <sip:1000@example.org>;tag=1\r\n"
				  "t: <sip:1000@example.org>\r\n"
				  "i: abc@host\r\n"
				  "Authorization: Digest username=\"1000\", realm=\"asterisk\", "
				  "nonce=\"x\", uri=\"sip:example.org\", response=\"0123\"\r\n"
				  "\r\n"
				  "INVITE sip:second@x SIP/2.0\r\nUser-Agent: other\r\n\r\n";

	mk(opt, sizeof(opt) - 1, NULL, 0, 17);
	rec.first_msg_len = sizeof(opt) - 1;
	CHECK_STR(run(), "sip");
	CHECK(has("\"method\":\"OPTIONS\""));
	CHECK(has("\"uri\":\"sip:100@10.0.0.1\""));
	CHECK(has("\"user_agent\":\"friendly-scanner\""));
	CHECK(has("\"call_id\":\"1139386395823137712713316\""));
	CHECK(has("\"from\":\"\\\"sipvicious\\\"<sip:100@1.1.1.1>;tag="));
	CHECK(has("\"to\":\"\\\"sipvicious\\\"<sip:100@1.1.1.1>\""));
	CHECK(has("\"cseq\":\"1 OPTIONS\""));

	/* UDP: only the first datagram counts; compact headers; digest user. */
	mk(two, sizeof(two) - 1, "SIP/2.0 401 Unauthorized\r\n\r\n", 28, 17);
	rec.first_msg_len = strstr(two, "INVITE") - two;
	CHECK_STR(run(), "sip");
	CHECK(has("\"method\":\"REGISTER\""));
	CHECK(has("\"from\":\"<sip:1000@example.org>;tag=1\""));
	CHECK(has("\"call_id\":\"abc@host\""));
	CHECK(has("\"auth_user\":\"1000\""));
	CHECK(has("\"server_status\":\"401 Unauthorized\""));
	CHECK(!strstr(ex(), "other"));
	CHECK(cred(0, "sip", "1000", ""));

	/* Over TCP the same dissector; HTTP is not SIP. */
	mk(opt, sizeof(opt) - 1, NULL, 0, 6);
	CHECK_STR(run(), "sip");
	MK("OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n", "");
	CHECK(strcmp(run(), "sip"));
	torture(&proto_sip, (const uint8_t *)two, sizeof(two) - 1);
}

/* Nothing at all: every dissector of this file says no and survives. */
static void test_empty(void)
{
	const struct proto_dissector *ds[] = {&proto_telnet, &proto_ftp, &proto_smtp, &proto_pop3,
					      &proto_imap,   &proto_vnc, &proto_rdp,  &proto_sip};

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
	test_telnet();
	test_ftp();
	test_smtp();
	test_pop3();
	test_imap();
	test_vnc();
	test_rdp();
	test_sip();
	test_empty();
	record_free(&rec);
	return T_DONE();
}
