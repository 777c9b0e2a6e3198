/* Rules: the default set against its samples and benign traffic, the rule
 * parser's errors, each operator and field, the Aho-Corasick automaton
 * against a naive search, the JSON and HTTP readers, and the analyzer's
 * default instance (MITSU_RULES). */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "analyze/record.h"
#include "core/buf.h"
#include "rules/aho.h"
#include "rules/internal.h"
#include "rules/rules.h"

#define SAMPLES "tests/rules/samples"
#define BENIGN "tests/rules/benign"

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	buf_reset(out);
	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
	return 0;
}

static void rec_set(struct record *r, const void *p, size_t n)
{
	record_init(r);
	r->proto = IPPROTO_TCP;
	r->dport = 80;
	r->payload = malloc(n ? n : 1);
	memcpy(r->payload, p, n);
	r->payload_len = n;
}

/* Runs rs on a client payload; hit rule ids joined by ' ' into out. */
static const char *run(const struct rules *rs, struct record *r, struct buf *out)
{
	struct rules_scratch *sc = NULL;
	size_t hits[64];
	int n;

	buf_reset(out);
	CHECK_INT(rules_scratch_new(rs, &sc), 0);
	n = rules_apply(rs, sc, r, hits, 64);
	for (int i = 0; i < n && i < 64; i++)
		buf_printf(out, "%s%s", i ? " " : "", rules_id(rs, hits[i]));
	rules_scratch_free(sc);
	return buf_cstr(out);
}

static const char *run_text(const char *rules, const char *payload, struct buf *out)
{
	struct rules *rs = NULL;
	struct record r;
	char err[300];

	buf_reset(out);
	if (rules_load_text(&rs, "t", rules, strlen(rules), err, sizeof(err))) {
		buf_printf(out, "ERROR %s", err);
		return buf_cstr(out);
	}
	rec_set(&r, payload, strlen(payload));
	run(rs, &r, out);
	record_free(&r);
	rules_free(rs);
	return buf_cstr(out);
}

/* ---- the default set ---- */

static bool has_hit(const size_t *hits, int n, size_t i)
{
	for (int k = 0; k < n && k < 64; k++)
		if (hits[k] == i)
			return true;
	return false;
}

static void sample_fires(const struct rules *rs, struct rules_scratch *sc, size_t i)
{
	char path[512];
	struct buf b = {0};
	struct record r;
	size_t hits[64];
	int n;

	snprintf(path, sizeof(path), SAMPLES "/%s.bin", rules_id(rs, i));
	if (read_file(path, &b) || !b.len) {
		printf("# no sample %s\n", path);
		CHECK(!"every default rule has a sample");
		buf_free(&b);
		return;
	}
	rec_set(&r, b.p, b.len);
	n = rules_apply(rs, sc, &r, hits, 64);
	if (!has_hit(hits, n, i))
		printf("# rule %s did not fire on its sample\n", rules_id(rs, i));
	CHECK(has_hit(hits, n, i));
	for (size_t k = 0; rules_tag(rs, i, k); k++)
		CHECK(record_has_tag(&r, rules_tag(rs, i, k)));
	/* the record's "rules" member names the rule */
	snprintf(path, sizeof(path), "\"%s\"", rules_id(rs, i));
	CHECK(r.extra.len && strstr(buf_cstr(&r.extra), ",\"rules\":{\"ids\":[") &&
	      strstr(buf_cstr(&r.extra), path));
	record_free(&r);
	buf_free(&b);
}

/* Every file of a folder, applied to rs; returns how many files. */
static int benign_quiet(const struct rules *rs, struct rules_scratch *sc)
{
	DIR *d = opendir(BENIGN);
	struct dirent *e;
	struct buf b = {0};
	char path[512];
	int files = 0;

	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		struct record r;
		size_t hits[8];
		int n;

		if (!strstr(e->d_name, ".bin"))
			continue;
		snprintf(path, sizeof(path), BENIGN "/%s", e->d_name);
		CHECK_INT(read_file(path, &b), 0);
		rec_set(&r, b.p, b.len);
		n = rules_apply(rs, sc, &r, hits, 8);
		if (n)
			printf("# benign %s fired %s\n", e->d_name, rules_id(rs, hits[0]));
		CHECK_INT(n, 0);
		CHECK_INT(r.ntags, 0);
		CHECK_INT(r.extra.len, 0);
		record_free(&r);
		files++;
	}
	if (d)
		closedir(d);
	buf_free(&b);
	return files;
}

/* No sample without a rule (a renamed rule would leave a stale one). */
static void no_stale_samples(const struct rules *rs)
{
	DIR *d = opendir(SAMPLES);
	struct dirent *e;
	int samples = 0;

	while (d && (e = readdir(d))) {
		char id[256];
		size_t n = strlen(e->d_name);
		bool found = false;

		if (n < 5 || strcmp(e->d_name + n - 4, ".bin"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 4), e->d_name);
		for (size_t i = 0; i < rules_count(rs) && !found; i++)
			found = !strcmp(rules_id(rs, i), id);
		if (!found)
			printf("# sample %s has no rule\n", e->d_name);
		CHECK(found);
		samples++;
	}
	if (d)
		closedir(d);
	CHECK_INT(samples, rules_count(rs));
}

static void default_set_tests(void)
{
	struct rules *rs = NULL;
	struct rules_scratch *sc = NULL;
	char err[512] = "";
	int ret = rules_load(&rs, "share/rules", err, sizeof(err));

	if (ret)
		printf("# %s\n", err);
	CHECK_INT(ret, 0);
	if (ret)
		return;
	CHECK(rules_count(rs) >= 50);
	CHECK_INT(rules_scratch_new(rs, &sc), 0);
	for (size_t i = 0; i < rules_count(rs); i++)
		sample_fires(rs, sc, i);
	CHECK(benign_quiet(rs, sc) >= 10);
	no_stale_samples(rs);
	rules_scratch_free(sc);
	rules_free(rs);
}

/* The same set twenty times with renamed ids: every copy fires, and the
 * automaton has no more patterns than the set alone. */
static void scale_tests(void)
{
	struct buf text = {0}, one = {0}, sample = {0};
	struct rules *rs = NULL, *base = NULL;
	struct rules_scratch *sc = NULL;
	struct record r;
	size_t hits[256];
	char err[512] = "";
	int n;

	CHECK_INT(read_file("share/rules/10-web-rce.rules", &one), 0);
	CHECK_INT(rules_load_text(&base, "base", (const char *)one.p, one.len, err, sizeof(err)),
		  0);
	for (int k = 0; k < 20; k++) {
		const char *p = buf_cstr(&one), *q;

		/* "rule ID" -> "rule ID-cK" */
		while ((q = strstr(p, "\nrule "))) {
			const char *eol = strchr(q + 1, '\n');

			buf_append(&text, p, (size_t)(eol - p));
			buf_printf(&text, "-c%d", k);
			p = eol;
		}
		buf_puts(&text, p);
		buf_puts(&text, "\n");
	}
	CHECK_INT(rules_load_text(&rs, "x20", (const char *)text.p, text.len, err, sizeof(err)), 0);
	if (!rs || !base) {
		printf("# %s\n", err);
		goto out;
	}
	CHECK_INT(rules_count(rs), 20 * rules_count(base));
	CHECK_INT(aho_npatterns(rs->ac[0]), aho_npatterns(base->ac[0]));
	CHECK_INT(rs->nuid, base->nuid); /* the copies share every test */
	CHECK_INT(read_file(SAMPLES "/log4shell-jndi.bin", &sample), 0);
	rec_set(&r, sample.p, sample.len);
	CHECK_INT(rules_scratch_new(rs, &sc), 0);
	n = rules_apply(rs, sc, &r, hits, 256);
	CHECK_INT(n, 40); /* log4shell-jndi and -obfuscated, 20 copies each */
	CHECK_INT(r.ntags, 1);
	record_free(&r);
out:
	rules_scratch_free(sc);
	rules_free(rs);
	rules_free(base);
	buf_free(&text);
	buf_free(&one);
	buf_free(&sample);
}

/* ---- parser errors ---- */

static void fails(const char *text, const char *where, const char *msg)
{
	struct rules *rs = NULL;
	char err[400] = "";
	int ret = rules_load_text(&rs, "bad.rules", text, strlen(text), err, sizeof(err));

	CHECK_INT(ret, -EINVAL);
	CHECK(rs == NULL);
	if (ret != -EINVAL)
		printf("#   accepted: %s\n", text);
	rules_free(rs);
	if (strncmp(err, where, strlen(where)) || !strstr(err, msg))
		printf("#   text: %s\n#   got: %s\n#   expected: %s ... %s\n", text, err, where,
		       msg);
	CHECK(!strncmp(err, where, strlen(where)) && strstr(err, msg));
}

static void parser_tests(void)
{
	struct buf b = {0};

	fails("content \"x\"\n", "bad.rules:1: ", "outside a rule");
	fails("rule a\n  frobnicate 1\n", "bad.rules:2: ", "unknown keyword 'frobnicate'");
	fails("rule a\n", "bad.rules:1: ", "has no condition");
	fails("# c\n\nrule a\n  tag x\nrule b\n  content \"y\"\n",
	      "bad.rules:3: ", "rule 'a' has no condition");
	fails("rule A\n content \"x\"\n", "bad.rules:1: ", "bad rule id 'A'");
	fails("rule a b\n content \"x\"\n", "bad.rules:1: ", "unexpected text after the rule id");
	fails("rule a\n content \"x\n", "bad.rules:2: ", "unterminated string");
	fails("rule a\n content \"\"\n", "bad.rules:2: ", "empty string");
	fails("rule a\n content \"\\q\"\n", "bad.rules:2: ", "bad escape");
	fails("rule a\n content \"\\x4\"\n", "bad.rules:2: ", "bad escape");
	fails("rule a\n content x\n", "bad.rules:2: ", "expected a \"string\"");
	fails("rule a\n content \"x\" nocase extra\n", "bad.rules:2: ", "after 'nocase'");
	fails("rule a\n content \"x\" sometimes\n", "bad.rules:2: ", "only 'nocase'");
	fails("rule a\n content \"x\"\n regex /a(/\n", "bad.rules:3: ", "bad regex at offset");
	fails("rule a\n content \"x\"\n regex /abc\n", "bad.rules:3: ", "unterminated /regex/");
	fails("rule a\n content \"x\"\n regex /abc/q\n", "bad.rules:3: ", "unknown regex flag");
	fails("rule a\n content \"x\"\n regex //\n", "bad.rules:3: ", "empty /regex/");
	fails("rule a\n content \"x\"\n regex /x/i nocase\n", "bad.rules:3: ", "use the i flag");
	fails("rule a\n regex /x+/\n", "bad.rules:1: ", "a regex needs a literal");
	fails("rule a\n match not payload contains \"x\"\n regex /x+/\n",
	      "bad.rules:1: ", "a regex needs a literal");
	fails("rule a\n match ssh.client contains \"x\"\n regex /x+/\n",
	      "bad.rules:1: ", "a regex needs a literal");
	fails("rule a\n match nosuch is \"x\"\n", "bad.rules:2: ", "unknown field 'nosuch'");
	fails("rule a\n match http..uri is \"x\"\n", "bad.rules:2: ", "unknown field");
	fails("rule a\n match http.uri resembles \"x\"\n", "bad.rules:2: ", "unknown operator");
	fails("rule a\n match http.uri\n", "bad.rules:2: ", "expected an operator");
	fails("rule a\n match http.uri is\n", "bad.rules:2: ", "expected a \"string\"");
	fails("rule a\n content \"x\"\n proto sctp\n", "bad.rules:3: ", "unknown proto");
	fails("rule a\n content \"x\"\n port 80,70000\n", "bad.rules:3: ", "bad port '70000'");
	fails("rule a\n content \"x\"\n port 90-80\n", "bad.rules:3: ", "bad port '90-80'");
	fails("rule a\n content \"x\"\n dir both\n", "bad.rules:3: ", "unknown dir");
	fails("rule a\n content \"x\"\n tag Bad\n", "bad.rules:3: ", "bad tag 'Bad'");
	fails("rule a\n content \"x\"\n tag\n", "bad.rules:3: ", "expected a tag");
	fails("rule a\n content \"x\"\n name\n", "bad.rules:3: ", "expected a name");
	fails("rule a\n content \"x\"\n service HTTP\n", "bad.rules:3: ", "bad service name");
	fails("rule a\n content \"x\"\nrule a\n content \"y\"\n",
	      "bad.rules:3: ", "duplicate rule id 'a' (first at bad.rules:1)");
	fails("rule a\n content \"x\"\n\x01\n", "bad.rules:3: ", "unknown keyword '?'");
	/* a NUL byte */
	{
		struct rules *rs = NULL;
		char err[200] = "";
		static const char t[] = "rule a\n content \"x\"\n\0\n";

		CHECK_INT(rules_load_text(&rs, "nul", t, sizeof(t) - 1, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "nul:3: NUL byte") == err);
	}
	/* a line too long */
	buf_puts(&b, "rule a\n content \"");
	for (int i = 0; i < RULES_MAX_LINE; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\"\n");
	fails(buf_cstr(&b), "bad.rules:2: ", "line longer than");
	/* CRLF files and comments are fine */
	CHECK_STR(run_text("# x\r\nrule a   # c\r\n  content \"GET\" # c\r\n", "GET /", &b), "a");
	buf_free(&b);
}

/* Files in a folder: errors name the file and line; ids are unique across
 * files. */
static void folder_tests(void)
{
	char dir[] = "/tmp/mitsu-rules-XXXXXX", path[300], err[512] = "";
	struct rules *rs = NULL;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	f = fopen(path, "w");
	fputs("rule one\n content \"x\"\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	f = fopen(path, "w");
	fputs("\n\nrule one\n content \"y\"\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ignored.txt", dir);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	CHECK_INT(rules_load(&rs, dir, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path),
		 "%s/b.rules:3: duplicate rule id 'one' (first at %s/a.rules:1)", dir, dir);
	CHECK_STR(err, path);
	/* fix it: the folder loads, ignored.txt is not read */
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	f = fopen(path, "w");
	fputs("rule two\n content \"y\"\n", f);
	fclose(f);
	CHECK_INT(rules_load(&rs, dir, err, sizeof(err)), 0);
	CHECK_INT(rules_count(rs), 2);
	CHECK_STR(rules_id(rs, 0), "one");
	CHECK_STR(rules_tag(rs, 1, 0), "two");
	rules_free(rs);
	/* the analyzer's instance: MITSU_RULES with a bad file refuses to start */
	snprintf(path, sizeof(path), "%s/c.rules", dir);
	f = fopen(path, "w");
	fputs("rule three\n  content \"z\"\n  regex /(/\n", f);
	fclose(f);
	setenv("MITSU_RULES", dir, 1);
	CHECK_INT(rules_default_init(err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/c.rules:3: bad regex", dir);
	CHECK(!strncmp(err, path, strlen(path)));
	unlink(path);
	snprintf(path, sizeof(path), "%s/c.rules", dir);
	unlink(path);
	CHECK_INT(rules_default_init(err, sizeof(err)), 0);
	{
		struct record r;

		rec_set(&r, "zzy", 3);
		rules_default_apply(&r);
		CHECK_INT(r.ntags, 1);
		CHECK_STR(r.tags[0], "two");
		record_free(&r);
	}
	rules_default_free();
	setenv("MITSU_RULES", "/nonexistent/mitsu-rules", 1);
	CHECK_INT(rules_default_init(err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "/nonexistent/mitsu-rules: No such file") == err);
	unsetenv("MITSU_RULES");
	/* without MITSU_RULES: share/rules from the current folder */
	CHECK_INT(rules_default_init(err, sizeof(err)), 0);
	{
		struct record r;
		static const char req[] = "GET /.env HTTP/1.1\r\nHost: x\r\n\r\n";

		rec_set(&r, req, sizeof(req) - 1);
		rules_default_apply(&r);
		CHECK(record_has_tag(&r, "dotenv-probe"));
		record_free(&r);
	}
	rules_default_free();
	rules_default_free(); /* twice is fine */
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ignored.txt", dir);
	unlink(path);
	rmdir(dir);
}

/* ---- operators and fields ---- */

static const char req2[] = "GET /a/b.php?x=1&cmd=id HTTP/1.1\r\nHost: h\r\nUser-Agent: Foo/1.0\r\n"
			   "X-Multi: one\r\n\r\n"
			   "POST /up HTTP/1.1\r\nContent-Length: 5\r\nX-Multi: two\r\n\r\nBODY!"
			   "GET /third HTTP/1.0\r\n\r\n";

static void operator_tests(void)
{
	struct buf b = {0};

	CHECK_STR(run_text("rule a\n content \"get\"\n", "GET /", &b), "");
	CHECK_STR(run_text("rule a\n content \"get\" nocase\n", "GET /", &b), "a");
	CHECK_STR(run_text("rule a\n content \"\\x00\\xff\"\n", "x", &b), "");
	CHECK_STR(run_text("rule a\n content \"A\"\n content \"B\"\n", "xAx", &b), "");
	CHECK_STR(run_text("rule a\n content \"A\"\n content \"B\"\n", "xAxB", &b), "a");
	CHECK_STR(run_text("rule a\n content \"GET\"\n match not payload contains \"evil\"\n",
			   "GET /evil", &b),
		  "");
	CHECK_STR(run_text("rule a\n content \"GET\"\n match not payload contains \"evil\"\n",
			   "GET /good", &b),
		  "a");
	/* a shared test, negated in one rule: memoised before the not */
	CHECK_STR(run_text("rule a\n content \"y\"\n match payload contains \"x\"\n"
			   "rule b\n content \"y\"\n match not payload contains \"x\"\n"
			   "rule c\n content \"y\"\n match payload contains \"x\" nocase\n",
			   "y X", &b),
		  "b c");
	/* the first rule's prefilter is "GET /", the second has none (always) */
	CHECK_STR(
	    run_text(
		"rule a\n match http.method is GET\n match http.uri is \"/a/b.php?x=1&cmd=id\"\n"
		"rule b\n match http.query exists\n",
		req2, &b),
	    "a b");
	CHECK_STR(run_text("rule a\n match http.path is \"/a/b.php\"\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.query is \"x=1&cmd=id\"\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.path startswith \"/a/\"\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.path endswith \".PHP\" nocase\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.path endswith \".PHP\"\n", req2, &b), "");
	/* any of several requests; headers by name, any case */
	CHECK_STR(run_text("rule a\n match http.method is POST\n match http.body is \"BODY!\"\n",
			   req2, &b),
		  "a");
	CHECK_STR(
	    run_text("rule a\n match http.uri is \"/third\"\n match http.version is \"HTTP/1.0\"\n",
		     req2, &b),
	    "a");
	CHECK_STR(run_text("rule a\n match http.header.x-multi is two\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.header.X-MULTI is one\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.user_agent startswith Foo/\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.host is h\n", req2, &b), "a");
	CHECK_STR(run_text("rule a\n match http.headers contains \"Agent: Foo\"\n", req2, &b), "a");
	CHECK_STR(
	    run_text("rule a\n match not http.header.cookie exists\n content \"GET\"\n", req2, &b),
	    "a");
	/* a body does not count as headers or requests */
	CHECK_STR(run_text("rule a\n match http.uri is \"/x\"\n",
			   "POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
			   &b),
		  "");
	/* not HTTP at all */
	CHECK_STR(run_text("rule a\n match http.method is HELO\n", "HELO x\r\n", &b), "");
	/* regex: byte mode, flags */
	CHECK_STR(run_text("rule a\n content \"ab\"\n regex /^ab\\x00?c$/\n", "abc", &b), "a");
	CHECK_STR(run_text("rule a\n content \"ab\"\n regex /^AB/i\n", "abc", &b), "a");
	CHECK_STR(run_text("rule a\n content \"ab\"\n regex /^c/m\n", "ab\nc", &b), "a");
	CHECK_STR(run_text("rule a\n content \"ab\"\n regex /^c/\n", "ab\nc", &b), "");
	CHECK_STR(run_text("rule a\n content \"a/b\"\n regex /a\\/b/\n", "a/b", &b), "a");
	/* a catastrophic regex gives up (no match) instead of hanging */
	{
		char big[40000];

		memset(big, 'a', sizeof(big) - 2);
		big[sizeof(big) - 2] = '!';
		big[sizeof(big) - 1] = 0;
		CHECK_STR(run_text("rule a\n content \"aa\"\n regex /(a|aa)+$/\n", big, &b), "");
	}
	/* several tags, and a rule's refs in the record */
	{
		struct rules *rs = NULL;
		struct record r;
		char err[200];
		static const char t[] = "rule a\n tag x y x\n ref CVE-1 CVE-2\n content \"q\"\n"
					"rule b\n ref CVE-2 CVE-3\n content \"q\"\n";

		CHECK_INT(rules_load_text(&rs, "t", t, sizeof(t) - 1, err, sizeof(err)), 0);
		rec_set(&r, "q", 1);
		CHECK_STR(run(rs, &r, &b), "a b");
		CHECK_INT(r.ntags, 3);
		CHECK_STR(r.tags[0], "x");
		CHECK_STR(r.tags[1], "y");
		CHECK_STR(r.tags[2], "b");
		CHECK_STR(
		    buf_cstr(&r.extra),
		    ",\"rules\":{\"ids\":[\"a\",\"b\"],\"refs\":[\"CVE-1\",\"CVE-2\",\"CVE-3\"]}");
		record_free(&r);
		rules_free(rs);
	}
	buf_free(&b);
}

static void gate_tests(void)
{
	struct rules *rs = NULL;
	struct record r;
	struct buf b = {0};
	char err[200];
	static const char t[] =
	    "rule tcp80\n proto tcp\n port 80 8000-8100\n content \"x\"\n"
	    "rule udp\n proto udp\n content \"x\"\n"
	    "rule svc\n service redis\n content \"x\"\n"
	    "rule srv\n dir server\n content \"+OK\"\n"
	    "rule both\n content \"x\"\n dir server\n content \"+OK\"\n"
	    "rule port\n match dst_port is 8080\n match proto is tcp\n"
	    "rule json\n match redis.commands contains \"SLAVEOF\"\n"
	    "rule json2\n match ssh.client regex /^SSH-2\\.0-Go/\n content \"x\"\n"
	    "rule json3\n match creds.user is root\n";

	CHECK_INT(rules_load_text(&rs, "t", t, sizeof(t) - 1, err, sizeof(err)), 0);
	rec_set(&r, "x", 1);
	CHECK_STR(run(rs, &r, &b), "tcp80");
	record_free(&r);
	rec_set(&r, "x", 1);
	r.dport = 8080;
	snprintf(r.service, sizeof(r.service), "redis");
	r.server_payload = malloc(3);
	memcpy(r.server_payload, "+OK", 3);
	r.server_payload_len = 3;
	CHECK_STR(run(rs, &r, &b), "tcp80 svc srv both port");
	record_free(&r);
	rec_set(&r, "x", 1);
	r.proto = IPPROTO_UDP;
	r.dport = 53;
	CHECK_STR(run(rs, &r, &b), "udp");
	record_free(&r);
	/* JSON of the dissectors in r->extra */
	rec_set(&r, "x", 1);
	r.dport = 22;
	buf_puts(&r.extra,
		 ",\"ssh\":{\"client\":\"SSH-2.0-Go\",\"kex\":{\"n\":3}}"
		 ",\"redis\":{\"format\":\"inline\",\"commands\":[\"CONFIG SET dir /tmp\","
		 "\"SLAVEOF 1.2.3.4 6379\"]}");
	r.ncreds = 0;
	record_add_cred(&r, "ssh", (const uint8_t *)"root", 4, (const uint8_t *)"x", 1);
	CHECK_STR(run(rs, &r, &b), "json json2 json3");
	record_free(&r);
	rules_free(rs);
	buf_free(&b);
}

/* ---- JSON reader ---- */

static const char *jl(const char *json, const char *path, struct buf *out)
{
	struct rules_fcache fc = {0};
	int ret = rules_json_lookup((const uint8_t *)json, strlen(json), path, &fc);

	buf_reset(out);
	if (ret)
		buf_printf(out, "ERR ");
	for (size_t i = 0; i < fc.n; i++) {
		buf_puts(out, i ? "|" : "");
		buf_append(out, fc.v[i].p, fc.v[i].len);
	}
	buf_free(&fc.store);
	return buf_cstr(out);
}

static void json_tests(void)
{
	struct buf b = {0};

	CHECK_STR(jl(",\"a\":{\"b\":\"x\"}", "a.b", &b), "x");
	CHECK_STR(jl("\"a\":{\"b\":\"x\"},\"a\":{\"b\":\"y\"}", "a.b", &b), "x|y");
	CHECK_STR(jl(",\"a\":{\"b\":[\"x\",2,true,null,{\"c\":1}]}", "a.b", &b),
		  "x|2|true|{\"c\":1}");
	CHECK_STR(jl(",\"a\":[{\"u\":\"r\"},{\"u\":\"s\"},3]", "a.u", &b), "r|s");
	CHECK_STR(jl(",\"a\":{\"b\":\"q\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\\ud800x\"}", "a.b", &b),
		  "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
	CHECK_STR(jl(",\"a\":{\"b\":\"\\uZZ\"}", "a.b", &b), "?ZZ");
	CHECK_STR(jl(",\"a\":{\"b\":1}", "a.c", &b), "");
	CHECK_STR(jl(",\"a\":{\"b\":1}", "a", &b), "{\"b\":1}");
	CHECK_STR(jl(",\"a\":{\"b\":", "a.b", &b), "ERR ");
	CHECK_STR(jl(",\"a\":{\"b\":\"x\"", "a.b", &b), "ERR ");
	CHECK_STR(jl("garbage", "a.b", &b), "ERR ");
	CHECK_STR(jl("", "a.b", &b), "");
	{
		/* deeper than RULES_JSON_MAX_DEPTH */
		struct buf d = {0};

		buf_puts(&d, "\"a\":");
		for (int i = 0; i < 40; i++)
			buf_puts(&d, "[");
		for (int i = 0; i < 40; i++)
			buf_puts(&d, "]");
		CHECK_STR(jl(buf_cstr(&d), "a.b", &b), "ERR ");
		buf_free(&d);
	}
	buf_free(&b);
}

/* ---- Aho-Corasick against a naive search ---- */

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static bool naive_has(const uint8_t *h, size_t n, const uint8_t *k, size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && (h[i + j] | (h[i + j] >= 'A' && h[i + j] <= 'Z' ? 32 : 0)) ==
				    (k[j] | (k[j] >= 'A' && k[j] <= 'Z' ? 32 : 0)))
			j++;
		if (j == m)
			return true;
	}
	return false;
}

static void aho_tests(void)
{
	static const char *words[] = {"he", "she", "his", "hers", "HE", "s"};
	struct aho *a = NULL;
	uint8_t seen[4] = {0};
	uint32_t found[8];
	size_t n;
	int ids[6];

	CHECK_INT(aho_new(&a), 0);
	for (int i = 0; i < 6; i++)
		ids[i] = aho_add(a, (const uint8_t *)words[i], strlen(words[i]));
	CHECK_INT(ids[0], 0);
	CHECK_INT(ids[3], 3);
	CHECK_INT(ids[4], 0); /* "HE" is "he" */
	CHECK_INT(aho_add(a, (const uint8_t *)"", 0), -EINVAL);
	CHECK_INT(aho_compile(a), 0);
	CHECK_INT(aho_npatterns(a), 5);
	n = aho_scan(a, (const uint8_t *)"uSHErs", 6, seen, found);
	CHECK_INT(n, 4); /* she he s hers; not his */
	CHECK(seen[0] == 0x1b);
	aho_free(a);

	/* random patterns over a small alphabet (many overlaps), 200 rounds */
	for (int round = 0; round < 200; round++) {
		uint8_t pats[40][8], hay[300], sbits[8] = {0};
		size_t plen[40], np = 1 + rnd(40), hn = rnd(300), nf;
		uint32_t fl[40];
		int pid[40], bad = 0;

		CHECK_INT(aho_new(&a), 0);
		for (size_t i = 0; i < np; i++) {
			plen[i] = 1 + rnd(6);
			for (size_t k = 0; k < plen[i]; k++)
				pats[i][k] = (uint8_t)("abAB\x00\xff"[rnd(6)]);
			pid[i] = aho_add(a, pats[i], plen[i]);
		}
		for (size_t k = 0; k < hn; k++)
			hay[k] = (uint8_t)("abAB\x00\xffz"[rnd(7)]);
		aho_compile(a);
		nf = aho_scan(a, hay, hn, sbits, fl);
		for (size_t i = 0; i < np; i++) {
			bool want = naive_has(hay, hn, pats[i], plen[i]);
			bool got = sbits[pid[i] >> 3] & (1u << (pid[i] & 7));

			bad += want != got;
		}
		for (size_t k = 0; k < nf; k++)
			bad += fl[k] >= aho_npatterns(a);
		if (bad)
			printf("# aho round %d: %d mismatches\n", round, bad);
		if (bad || round % 50 == 0)
			CHECK_INT(bad, 0);
		aho_free(a);
	}
}

int main(void)
{
	default_set_tests();
	scale_tests();
	parser_tests();
	folder_tests();
	operator_tests();
	gate_tests();
	json_tests();
	aho_tests();
	return T_DONE();
}
