/* Unit tests for sensor/listeners: /proc/net/tcp and tcp6 texts (only
 * LISTEN sockets count) and port-list specs. */
#include "sensor/listeners.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static const char TCP4[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode                                                     \n"
    "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0     "
    "   0 21329 1 0000000000000000 100 0 0 10 0                     \n"
    "   1: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0     "
    "   0 23011 1 0000000000000000 100 0 0 10 0                     \n"
    "   2: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101     "
    "   0 18740 1 0000000000000000 100 0 0 10 5                     \n"
    /* ESTABLISHED from local port 8080 and TIME_WAIT from 9090: ignored */
    "   3: 0F02000A:1F90 0202000A:C350 01 00000000:00000000 02:000A7F4B 00000000  1000     "
    "   0 44321 2 0000000000000000 20 4 30 10 -1                    \n"
    "   4: 0F02000A:2382 0202000A:C351 06 00000000:00000000 03:00000CB1 00000000     0     "
    "   0 0 3 0000000000000000                                      \n";

static const char TCP6[] =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 29581 1 0000000000000000 100 0 0 "
    "10 0\n"
    "   1: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 29582 1 0000000000000000 100 0 0 "
    "10 0\n"
    "   2: 0000000000000000FFFF00000F02000A:01BB 0000000000000000FFFF00000202000A:D431 01 "
    "00000000:00000000 00:00000000 00000000    33        0 29999 1 0000000000000000 20 4 31 "
    "10 -1\n";

static int parse_text_lo(const char *text, struct portset *s, bool skip_loopback)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	if (!f)
		return -1000;
	n = listeners_parse(f, s, skip_loopback);
	fclose(f);
	return n;
}

static int parse_text(const char *text, struct portset *s)
{
	return parse_text_lo(text, s, false);
}

static int count(const struct portset *s)
{
	int n = 0;

	for (int p = 0; p < 65536; p++)
		n += portset_has(s, (uint16_t)p);
	return n;
}

static void test_proc(void)
{
	struct portset s;
	char path[] = "/tmp/mitsu-test-listeners-XXXXXX";
	int fd;
	FILE *f;

	memset(&s, 0, sizeof(s));
	CHECK_INT(parse_text(TCP4, &s), 3);
	CHECK(portset_has(&s, 22));
	CHECK(portset_has(&s, 631));
	CHECK(portset_has(&s, 53));
	CHECK(!portset_has(&s, 8080));
	CHECK(!portset_has(&s, 9090));
	CHECK(!portset_has(&s, 50000));
	CHECK_INT(count(&s), 3);
	/* tcp6 adds to the same set */
	CHECK_INT(parse_text(TCP6, &s), 2);
	CHECK(portset_has(&s, 80));
	CHECK(portset_has(&s, 5432));
	CHECK(!portset_has(&s, 443)); /* established */
	CHECK_INT(count(&s), 5);
	/* Loopback-bound listeners (127.0.0.1:631, 127.0.0.53:53, [::1]:5432)
	 * cannot take a connection to a monitored address: left out on request. */
	memset(&s, 0, sizeof(s));
	CHECK_INT(parse_text_lo(TCP4, &s, true), 1);
	CHECK(portset_has(&s, 22));
	CHECK(!portset_has(&s, 631));
	CHECK(!portset_has(&s, 53));
	CHECK_INT(parse_text_lo(TCP6, &s, true), 1);
	CHECK(portset_has(&s, 80));
	CHECK(!portset_has(&s, 5432));
	memset(&s, 0, sizeof(s));
	CHECK_INT(parse_text_lo("h\n   0: 0000000000000000FFFF00000100007F:1F90 "
				"00000000000000000000000000000000:0000 0A\n"
				"   1: 0000000000000000FFFF00000F02000A:1F91 "
				"00000000000000000000000000000000:0000 0A\n",
				&s, true),
		  1);
	CHECK(!portset_has(&s, 8080)); /* ::ffff:127.0.0.1 */
	CHECK(portset_has(&s, 8081));  /* ::ffff:10.0.2.15 */

	/* The same through a real file */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_INT(write(fd, TCP6, strlen(TCP6)), (long)strlen(TCP6));
		close(fd);
		memset(&s, 0, sizeof(s));
		f = fopen(path, "r");
		CHECK(f != NULL);
		if (f) {
			CHECK_INT(listeners_parse(f, &s, false), 2);
			fclose(f);
		}
		CHECK_INT(count(&s), 2);
		unlink(path);
	}

	/* Empty, header only, garbage, a port above 65535, a state we do not
	 * know, a very long line */
	memset(&s, 0, sizeof(s));
	CHECK_INT(parse_text("", &s), 0);
	CHECK_INT(parse_text("  sl  local_address\n", &s), 0);
	CHECK_INT(parse_text("header\nnot a line at all\n\n:\n0:\n   7: 00000000:1FFFF 0:0 0A\n"
			     "   8: 00000000:0019 00000000:0000 0B\n"
			     "   9: nocolon 00000000:0000 0A\n",
			     &s),
		  0);
	CHECK_INT(count(&s), 0);
	{
		static char big[4096];
		memset(big, 'x', sizeof(big) - 1);
		memcpy(big, "h\n", 2);
		CHECK_INT(parse_text(big, &s), 0);
		/* the tail of a long line must not be read as a LISTEN entry */
		snprintf(big, sizeof(big),
			 "h\n   0: 00000000:0016 00000000:0000 01 %0900d\n"
			 "   1: 00000000:0017 00000000:0000 0A\n",
			 0);
		memset(&s, 0, sizeof(s));
		CHECK_INT(parse_text(big, &s), 1);
		CHECK(portset_has(&s, 23));
		CHECK(!portset_has(&s, 22));
	}
	/* The real thing: never fails on this host */
	CHECK(listeners_scan(&s, true) >= 0);
}

static int parses(const char *spec, struct portset *s)
{
	memset(s, 0, sizeof(*s));
	return portset_parse(s, spec);
}

static void test_portset(void)
{
	struct portset s;

	CHECK_INT(parses("22", &s), 0);
	CHECK(portset_has(&s, 22));
	CHECK_INT(count(&s), 1);
	CHECK_INT(parses("22,80", &s), 0);
	CHECK(portset_has(&s, 22) && portset_has(&s, 80));
	CHECK_INT(count(&s), 2);
	CHECK_INT(parses("8000-8100", &s), 0);
	CHECK(portset_has(&s, 8000) && portset_has(&s, 8050) && portset_has(&s, 8100));
	CHECK(!portset_has(&s, 7999) && !portset_has(&s, 8101));
	CHECK_INT(count(&s), 101);
	CHECK_INT(parses("22,8000-8002,443", &s), 0);
	CHECK_INT(count(&s), 5);
	CHECK_INT(parses("0-65535", &s), 0);
	CHECK_INT(count(&s), 65536);
	CHECK_INT(parses("65535", &s), 0);
	CHECK(portset_has(&s, 65535));
	CHECK_INT(parses("7-7", &s), 0);
	CHECK_INT(count(&s), 1);

	CHECK_INT(parses("", &s), -EINVAL);
	CHECK_INT(parses("x", &s), -EINVAL);
	CHECK_INT(parses("70000", &s), -EINVAL);
	CHECK_INT(parses("65536", &s), -EINVAL);
	CHECK_INT(parses("5-1", &s), -EINVAL);
	CHECK_INT(parses("1,,2", &s), -EINVAL);
	CHECK_INT(parses("22,", &s), -EINVAL);
	CHECK_INT(parses(",22", &s), -EINVAL);
	CHECK_INT(parses("-1", &s), -EINVAL);
	CHECK_INT(parses("1-", &s), -EINVAL);
	CHECK_INT(parses("1-70000", &s), -EINVAL);
	CHECK_INT(parses("22x", &s), -EINVAL);
	CHECK_INT(parses("22 80", &s), -EINVAL);
	CHECK_INT(parses("1-2-3", &s), -EINVAL);
	CHECK_INT(parses("99999999999999999999", &s), -EINVAL);
}

int main(void)
{
	test_proc();
	test_portset();
	return T_DONE();
}
