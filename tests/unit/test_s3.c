/* S3 configuration parsers (INI, error XML, URIs, key encoding), loading
 * the configuration from the environment and files, and the spool: order,
 * backoff, restart, size cap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/s3.h"
#include "store/spool.h"
#include "t.h"

static const char creds[] = "# comment\n"
			    "[default]\n"
			    "aws_access_key_id = AKDEFAULT\n"
			    "aws_secret_access_key=secret/default\n"
			    "\n"
			    "[ honey ]\r\n"
			    "  aws_access_key_id = AKHONEY  \r\n"
			    "; other\n"
			    "aws_secret_access_key = s=ecret\n"
			    "aws_session_token = tok\n";

static void test_ini(void)
{
	char v[64];

	CHECK_INT(s3_ini_get(creds, strlen(creds), "default", "aws_access_key_id", v, sizeof(v)),
		  0);
	CHECK_STR(v, "AKDEFAULT");
	CHECK_INT(
	    s3_ini_get(creds, strlen(creds), "default", "aws_secret_access_key", v, sizeof(v)), 0);
	CHECK_STR(v, "secret/default");
	CHECK_INT(s3_ini_get(creds, strlen(creds), "honey", "aws_access_key_id", v, sizeof(v)), 0);
	CHECK_STR(v, "AKHONEY");
	CHECK_INT(s3_ini_get(creds, strlen(creds), "honey", "aws_secret_access_key", v, sizeof(v)),
		  0);
	CHECK_STR(v, "s=ecret");
	CHECK_INT(s3_ini_get(creds, strlen(creds), "default", "aws_session_token", v, sizeof(v)),
		  -ENOENT);
	CHECK_INT(s3_ini_get(creds, strlen(creds), "nope", "aws_access_key_id", v, sizeof(v)),
		  -ENOENT);
	CHECK_INT(s3_ini_get(creds, strlen(creds), "honey", "aws_access_key_id", v, 4), -ENOSPC);
	CHECK_INT(s3_ini_get("[x", 2, "x", "a", v, sizeof(v)), -ENOENT);
}

static void test_error_xml(void)
{
	const char x[] = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
			 "<Message>The request\x01 signature</Message></Error>";
	char out[128];

	CHECK_INT(s3_error_parse(x, strlen(x), out, sizeof(out)), 0);
	CHECK_STR(out, "SignatureDoesNotMatch: The request? signature");
	CHECK_INT(s3_error_parse("<Error><Code>X</Code>", 21, out, sizeof(out)), 0);
	CHECK_STR(out, "X");
	CHECK_INT(s3_error_parse("<html>", 6, out, sizeof(out)), -ENOENT);
	CHECK_INT(s3_error_parse("<Code>unterminated", 18, out, sizeof(out)), -ENOENT);
	CHECK_INT(s3_error_parse(x, strlen(x), out, 8), 0);
	CHECK_INT(strlen(out), 7);
}

static void test_uri(void)
{
	char b[64], k[64];

	CHECK_INT(s3_uri_parse("s3://honey/a/b.pcap", b, sizeof(b), k, sizeof(k)), 0);
	CHECK_STR(b, "honey");
	CHECK_STR(k, "a/b.pcap");
	CHECK_INT(s3_uri_parse("s3://honey", b, sizeof(b), k, sizeof(k)), 0);
	CHECK_STR(k, "");
	CHECK_INT(s3_uri_parse("s3://h/x", b, sizeof(b), k, sizeof(k)), -EINVAL);
	CHECK_INT(s3_uri_parse("s3://ho ney/x", b, sizeof(b), k, sizeof(k)), -EINVAL);
	CHECK_INT(s3_uri_parse("http://honey/x", b, sizeof(b), k, sizeof(k)), -EINVAL);
	CHECK_INT(s3_path_encode("p/1_fd00::1_a b+c~.pcap", k, sizeof(k)), 0);
	CHECK_STR(k, "p/1_fd00%3A%3A1_a%20b%2Bc~.pcap");
	CHECK_INT(s3_path_encode("::::::::", k, 10), -ENOSPC);
}

static void test_cfg_load(void)
{
	char dir[] = "/tmp/mitsu-s3-unit.XXXXXX", path[128], err[256];
	struct s3_cfg c;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/credentials", dir);
	f = fopen(path, "w");
	fputs(creds, f);
	fclose(f);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/config", dir);
	f = fopen(path, "w");
	fputs("[default]\nregion = eu-west-3\n[profile honey]\nregion=ap-south-1\n", f);
	fclose(f);
	setenv("AWS_CONFIG_FILE", path, 1);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_S3");
	setenv("AWS_PROFILE", "honey", 1);
	CHECK_INT(s3_cfg_load(&c, "http://127.0.0.1:9000/", false, err, sizeof(err)), 0);
	CHECK_STR(c.access_key, "AKHONEY");
	CHECK_STR(c.session_token, "tok");
	CHECK_STR(c.region, "ap-south-1");
	CHECK_STR(c.endpoint, "http://127.0.0.1:9000");
	CHECK(c.path_style);
	unsetenv("AWS_PROFILE");
	setenv("AWS_ENDPOINT_URL", "https://minio.example:9000", 1);
	CHECK_INT(s3_cfg_load(&c, NULL, false, err, sizeof(err)), 0);
	CHECK_STR(c.access_key, "AKDEFAULT");
	CHECK_STR(c.region, "eu-west-3");
	CHECK(!c.path_style);
	CHECK_STR(c.endpoint, "https://minio.example:9000");
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
	setenv("AWS_REGION", "us-west-2", 1);
	CHECK_INT(s3_cfg_load(&c, NULL, true, err, sizeof(err)), 0);
	CHECK_STR(c.access_key, "AKENV");
	CHECK_STR(c.region, "us-west-2");
	CHECK(c.path_style);
	CHECK_INT(s3_cfg_load(&c, "ftp://x", false, err, sizeof(err)), -EINVAL);
	CHECK_STR(c.imds, "");
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_PROFILE", "missing", 1);
	/* No keys anywhere: the instance role, unless that is switched off. */
	CHECK_INT(s3_cfg_load(&c, NULL, false, err, sizeof(err)), 0);
	CHECK_STR(c.imds, "http://169.254.169.254");
	CHECK_STR(c.access_key, "");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9002", 1);
	CHECK_INT(s3_cfg_load(&c, NULL, false, err, sizeof(err)), 0);
	CHECK_STR(c.imds, "http://127.0.0.1:9002");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	CHECK_INT(s3_cfg_load(&c, NULL, false, err, sizeof(err)), -ENOKEY);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	unsetenv("AWS_PROFILE");
	unlink(path);
	snprintf(path, sizeof(path), "%s/credentials", dir);
	unlink(path);
	rmdir(dir);
}

/* A fake store for the spool: fails while down, records what it got. */
struct fake {
	int down;
	int n;
	char keys[16][64];
};

static int fake_send(void *user, const struct spool_item *it, const void *p, size_t n)
{
	struct fake *f = user;

	(void)p, (void)n;
	if (f->down)
		return -EAGAIN;
	if (f->n < 16)
		snprintf(f->keys[f->n], sizeof(f->keys[0]), "%.63s", it->key);
	f->n++;
	return 0;
}

/* Until the spool counts n deliveries (it counts after the send returns). */
static void wait_for(struct spool *sp, uint64_t n)
{
	struct spool_stats st = {0};

	for (int i = 0; i < 1000; i++) {
		spool_get_stats(sp, &st);
		if (st.delivered >= n)
			return;
		usleep(10000);
	}
}

static void test_spool(void)
{
	char dir[] = "/tmp/mitsu-spool-unit.XXXXXX", err[256], cmd[128];
	struct fake f = {.down = 1};
	struct spool_cfg cfg = {
	    .max_bytes = 250, .backoff_max_s = 1, .send = fake_send, .user = &f};
	struct spool_item it = {.sensor = "s1", .flow_end = "idle"};
	struct spool_stats st;
	struct spool *sp;
	char data[100] = {0};

	CHECK(mkdtemp(dir) != NULL);
	cfg.dir = dir;
	CHECK_INT(spool_open(&sp, &cfg, err, sizeof(err)), 0);
	CHECK(!spool_busy(sp));
	for (int i = 0; i < 3; i++) {
		snprintf(it.key, sizeof(it.key), "pcap/k%d.pcap", i);
		CHECK_INT(spool_add(sp, &it, data, sizeof(data)), i < 2 ? 0 : -ENOSPC);
	}
	CHECK(spool_busy(sp));
	spool_get_stats(sp, &st);
	CHECK_INT(st.spooled, 2);
	CHECK_INT(st.dropped, 1);
	CHECK_INT(st.files, 2);
	spool_close(sp, 0); /* the store is down: both stay on disk */
	CHECK_INT(f.n, 0);
	/* Restart: the spool finds them and sends them oldest first. */
	f.down = 0;
	CHECK_INT(spool_open(&sp, &cfg, err, sizeof(err)), 0);
	wait_for(sp, 2);
	CHECK_INT(f.n, 2);
	CHECK_STR(f.keys[0], "pcap/k0.pcap");
	CHECK_STR(f.keys[1], "pcap/k1.pcap");
	spool_get_stats(sp, &st);
	CHECK_INT(st.delivered, 2);
	CHECK_INT(st.files, 0);
	CHECK(!spool_busy(sp));
	/* Down, then up again: the retry loop delivers without a restart. */
	f.down = 1;
	snprintf(it.key, sizeof(it.key), "pcap/k9.pcap");
	CHECK_INT(spool_add(sp, &it, data, 10), 0);
	usleep(300000);
	spool_get_stats(sp, &st);
	CHECK(st.failed >= 1);
	f.down = 0;
	wait_for(sp, 3); /* two at the restart, then this one */
	CHECK_INT(f.n, 3);
	CHECK_STR(f.keys[2], "pcap/k9.pcap");
	spool_close(sp, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static void test_imds(void)
{
	const char doc[] = "{\"Code\":\"Success\",\"LastUpdated\":\"2026-01-01T00:00:00Z\","
			   "\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAEXAMPLE\","
			   "\"SecretAccessKey\":\"wJalr/K7MDENG\",\"Token\":\"IQoJb3JpZ2lu\","
			   "\"Expiration\":\"2026-01-02T03:04:05Z\"}";
	struct s3_cfg c = {0};

	CHECK_INT(s3_imds_parse(doc, strlen(doc), &c), 0);
	CHECK_STR(c.access_key, "ASIAEXAMPLE");
	CHECK_STR(c.secret_key, "wJalr/K7MDENG");
	CHECK_STR(c.session_token, "IQoJb3JpZ2lu");
	CHECK_INT((long long)c.expires, 1767323045);
	CHECK_INT(s3_imds_parse("{\"AccessKeyId\":\"A\"}", 17, &c), -EINVAL);
	CHECK_INT(s3_imds_parse("[]", 2, &c), -EINVAL);
}

static void test_meta(void)
{
	struct spool_item it;
	const char ok[] = "key=pcap/a b.pcap\nsensor=s1\nflow_end=idle\n";

	CHECK_INT(spool_meta_parse(ok, strlen(ok), &it), 0);
	CHECK_STR(it.key, "pcap/a b.pcap");
	CHECK_STR(it.sensor, "s1");
	CHECK_STR(it.flow_end, "idle");
	CHECK_INT(spool_meta_parse("sensor=x\n", 9, &it), -EINVAL);
	CHECK_INT(spool_meta_parse("key=../x\n", 9, &it), -EINVAL);
	CHECK_INT(spool_meta_parse("flow_end=0123456789abcdefgh\nkey=a", 33, &it), -EINVAL);
}

int main(void)
{
	test_ini();
	test_error_xml();
	test_uri();
	test_cfg_load();
	test_meta();
	test_imds();
	test_spool();
	return T_DONE();
}
