/* Unit tests for store: object key naming (UTC hour folders) and the
 * local-folder backend (atomic commit, abort, key checks, bad roots). */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

#define SEC 1000000ull

static void test_keys(void)
{
	char k[256];

	CHECK_INT(store_flow_key(k, sizeof(k), 1700000000 * SEC + 123456, "198.51.100.7",
				 "192.0.2.1", 40000, 22),
		  0);
	CHECK_STR(k, "pcap/2023/11/14/22/1700000000_198.51.100.7_192.0.2.1_40000_22.pcap");
	CHECK_INT(
	    store_flow_key(k, sizeof(k), 1700000000 * SEC, "2001:db8::7", "2001:db8::1", 1, 443),
	    0);
	CHECK_STR(k, "pcap/2023/11/14/22/1700000000_2001:db8::7_2001:db8::1_1_443.pcap");
	/* The epoch, a year's last second, a leap day */
	CHECK_INT(store_flow_key(k, sizeof(k), 0, "a", "b", 0, 0), 0);
	CHECK_STR(k, "pcap/1970/01/01/00/0_a_b_0_0.pcap");
	CHECK_INT(store_flow_key(k, sizeof(k), 1704067199 * SEC + 999999, "a", "b", 1, 2), 0);
	CHECK_STR(k, "pcap/2023/12/31/23/1704067199_a_b_1_2.pcap");
	CHECK_INT(store_flow_key(k, sizeof(k), 1709164800 * SEC, "a", "b", 1, 2), 0);
	CHECK_STR(k, "pcap/2024/02/29/00/1709164800_a_b_1_2.pcap");
	CHECK_INT(store_scans_key(k, sizeof(k), 1700000000 * SEC, "edge-1"), 0);
	CHECK_STR(k, "pcap/2023/11/14/22/scans_edge-1_1700000000.pcap");
	/* Too small: an error, never a truncated key that looks valid.  The
	 * hour prefix is 19 bytes; each case fits one part but not both. */
	CHECK_INT(store_flow_key(k, 10, 1700000000 * SEC, "a", "b", 1, 2), -ENAMETOOLONG);
	CHECK_INT(store_flow_key(k, 19, 1700000000 * SEC, "a", "b", 1, 2), -ENAMETOOLONG);
	CHECK_INT(store_flow_key(k, 30, 1700000000 * SEC, "a", "b", 1, 2), -ENAMETOOLONG);
	CHECK_INT(store_flow_key(k, 42, 1700000000 * SEC, "a", "b", 1, 2), -ENAMETOOLONG);
	CHECK_INT(store_flow_key(k, 43, 1700000000 * SEC, "a", "b", 1, 2), 0); /* 42 + NUL */
	CHECK_STR(k, "pcap/2023/11/14/22/1700000000_a_b_1_2.pcap");
	CHECK_INT(store_scans_key(k, 40, 1700000000 * SEC, "s1"), -ENAMETOOLONG);
	CHECK_INT(store_scans_key(k, 43, 1700000000 * SEC, "s1"), -ENAMETOOLONG);
	CHECK_INT(store_scans_key(k, 44, 1700000000 * SEC, "s1"), 0); /* 43 + NUL */
	CHECK_STR(k, "pcap/2023/11/14/22/scans_s1_1700000000.pcap");
}

static int exists(const char *root, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return stat(p, &st) == 0;
}

/* Counts the entries of a folder whose name starts with '.' (temp files). */
static int hidden_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_dir(void)
{
	char tmpl[] = "/tmp/mitsu-test-store-XXXXXX", root[1024], err[256], uri[PATH_MAX + 16],
	     want[PATH_MAX + 16], path[PATH_MAX], buf[64];
	const char *key = "pcap/2023/11/14/22/1700000000_1.2.3.4_5.6.7.8_1_2.pcap";
	struct store *s = NULL;
	struct store_obj *o = NULL;
	char *base = mkdtemp(tmpl);
	FILE *f;
	size_t n;

	CHECK(base != NULL);
	if (!base)
		return;
	/* The root is created (with its parents) and resolved */
	snprintf(root, sizeof(root), "%s/a/b/store", base);
	CHECK_INT(store_dir_open(root, &s, err, sizeof(err)), 0);
	if (!s)
		return;
	CHECK_STR(s->ops->name, "dir");
	CHECK_STR(store_dir_root(s), root);
	CHECK_INT(hidden_in(root), 0); /* the writability probe is gone */

	CHECK_INT(store_begin(s, key, &o), 0);
	CHECK_INT(store_write(s, o, "hello ", 6), 0);
	CHECK_INT(store_write(s, o, "world", 5), 0);
	CHECK(!exists(root, key)); /* invisible until commit */
	snprintf(path, sizeof(path), "%s/pcap/2023/11/14/22", root);
	CHECK_INT(hidden_in(path), 1); /* its temp file */
	CHECK_INT(store_commit(s, o, uri, sizeof(uri)), 0);
	snprintf(want, sizeof(want), "file://%s/%s", root, key);
	CHECK_STR(uri, want);
	CHECK(exists(root, key));
	CHECK_INT(hidden_in(path), 0);
	snprintf(path, sizeof(path), "%s/%s", root, key);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		CHECK_INT(n, 11);
		CHECK(!memcmp(buf, "hello world", 11));
	}

	/* Abort leaves nothing behind */
	CHECK_INT(store_begin(s, "pcap/2023/11/14/22/aborted.pcap", &o), 0);
	CHECK_INT(store_write(s, o, "x", 1), 0);
	store_abort(s, o);
	CHECK(!exists(root, "pcap/2023/11/14/22/aborted.pcap"));
	snprintf(path, sizeof(path), "%s/pcap/2023/11/14/22", root);
	CHECK_INT(hidden_in(path), 0);

	/* Commit without a URI buffer; overwrite of an existing key */
	CHECK_INT(store_begin(s, key, &o), 0);
	CHECK_INT(store_write(s, o, "again", 5), 0);
	CHECK_INT(store_commit(s, o, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/%s", root, key);
	f = fopen(path, "rb");
	if (f) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		CHECK(n == 5 && !memcmp(buf, "again", 5));
	}
	/* A key with no folder, and one in a new folder tree */
	CHECK_INT(store_begin(s, "top.pcap", &o), 0);
	CHECK_INT(store_commit(s, o, uri, sizeof(uri)), 0);
	CHECK(exists(root, "top.pcap"));
	CHECK_INT(store_begin(s, "pcap/2024/01/01/00/x.pcap", &o), 0);
	CHECK_INT(store_commit(s, o, uri, sizeof(uri)), 0);
	CHECK(exists(root, "pcap/2024/01/01/00/x.pcap"));

	/* Keys that could escape the root */
	o = NULL;
	CHECK_INT(store_begin(s, "../escape.pcap", &o), -EINVAL);
	CHECK_INT(store_begin(s, "pcap/../../escape.pcap", &o), -EINVAL);
	CHECK_INT(store_begin(s, "/etc/escape.pcap", &o), -EINVAL);
	CHECK_INT(store_begin(s, "", &o), -EINVAL);
	CHECK_INT(store_begin(s, "a\\..\\b", &o), -EINVAL);
	CHECK(o == NULL);
	snprintf(path, sizeof(path), "%s/a/b/escape.pcap", base);
	CHECK(access(path, F_OK) != 0);
	store_close(s);

	/* store_open: a plain folder, file://, and s3:// */
	s = NULL;
	CHECK_INT(store_open(root, &s, err, sizeof(err)), 0);
	store_close(s);
	snprintf(want, sizeof(want), "file://%s", root);
	s = NULL;
	CHECK_INT(store_open(want, &s, err, sizeof(err)), 0);
	CHECK_STR(store_dir_root(s), root);
	store_close(s);
	s = NULL;
	CHECK_INT(store_open("s3://b/prefix", &s, err, sizeof(err)), -EINVAL); /* bucket name */
	/* No credentials anywhere (test_s3.c covers where they come from). */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_PROFILE");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	CHECK_INT(store_open("s3://bucket/prefix", &s, err, sizeof(err)), -ENOKEY);
	CHECK(strstr(err, "no S3 credentials") != NULL);
	CHECK(store_dir_root(NULL) == NULL);

	/* Unwritable roots fail at open, with a message */
	err[0] = 0;
	s = NULL;
	CHECK(store_dir_open("/dev/null/x", &s, err, sizeof(err)) < 0);
	CHECK(s == NULL);
	CHECK(strstr(err, "/dev/null/x") != NULL);
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/ro", base);
		mkdir(path, 0555);
		CHECK(store_dir_open(path, &s, err, sizeof(err)) < 0);
		rmdir(path);
	} else {
		printf("# skip: read-only folder check (root writes anywhere)\n");
	}

	snprintf(path, sizeof(path), "rm -rf '%s'", base);
	CHECK_INT(system(path), 0);
}

int main(void)
{
	test_keys();
	test_dir();
	return T_DONE();
}
