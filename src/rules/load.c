/* Reading rule files and folders, and the analyzer's default rule set. */
#include "rules/internal.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

/* Whole file into *text (NUL-terminated), at most RULES_MAX_FILE bytes. */
static int rules_read_file(const char *path, struct buf *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int ret = 0;

	buf_reset(text);
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while (!ret && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (text->len + n > RULES_MAX_FILE) {
			snprintf(err, errlen, "%s: larger than %u bytes", path, RULES_MAX_FILE);
			ret = -EFBIG;
		} else {
			ret = buf_append(text, chunk, n);
		}
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	fclose(f);
	return ret;
}

static int rules_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool rules_is_rules_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 6 && !strcmp(name + n - 6, ".rules");
}

/* The *.rules names of dir, sorted (so load order, hence tag order, is
 * stable). */
static int rules_list_dir(const char *dir, char ***names, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	while (!ret && (e = readdir(d))) {
		char **nv;

		if (!rules_is_rules_file(e->d_name))
			continue;
		nv = realloc(*names, (*n + 1) * sizeof(*nv));
		if (!nv || !(nv[*n] = strdup(e->d_name))) {
			*names = nv ? nv : *names;
			ret = -ENOMEM;
			break;
		}
		*names = nv;
		(*n)++;
	}
	closedir(d);
	if (!ret)
		qsort(*names, *n, sizeof(**names), rules_cmp_str);
	return ret;
}

static int rules_parse_file(struct rules *rs, const char *path, struct buf *text, char *err,
			    size_t errlen)
{
	int ret = rules_read_file(path, text, err, errlen);

	if (!ret)
		ret = rules_parse(rs, path, (const char *)text->p, text->len, err, errlen);
	return ret;
}

static int rules_parse_dir(struct rules *rs, const char *dir, struct buf *text, char *err,
			   size_t errlen)
{
	char **names, path[PATH_MAX];
	size_t n;
	int ret = rules_list_dir(dir, &names, &n, err, errlen);

	for (size_t i = 0; !ret && i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", dir);
			ret = -ENAMETOOLONG;
		} else {
			ret = rules_parse_file(rs, path, text, err, errlen);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int rules_load(struct rules **out, const char *path, char *err, size_t errlen)
{
	struct rules *rs = calloc(1, sizeof(*rs));
	struct buf text = {0};
	struct stat st;
	char dummy[1];
	int ret;

	*out = NULL;
	if (!errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (!rs)
		return -ENOMEM;
	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	} else if (S_ISDIR(st.st_mode)) {
		ret = rules_parse_dir(rs, path, &text, err, errlen);
	} else {
		ret = rules_parse_file(rs, path, &text, err, errlen);
	}
	buf_free(&text);
	if (!ret)
		ret = rules_compile(rs, err, errlen);
	if (ret) {
		if (ret == -ENOMEM && !err[0])
			snprintf(err, errlen, "%s: out of memory", path);
		rules_free(rs);
		return ret;
	}
	*out = rs;
	return 0;
}

/* ---- the analyzer's rule set ---- */

static struct rules *rules_dflt;
static struct rules_scratch *rules_dflt_sc;

static bool rules_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The first existing folder among the default places; 0 or -ENOENT. */
static int rules_find_default(char *out, size_t outlen)
{
	static const char *const rel[] = {"/share/rules", "/../share/rules",
					  "/../share/mitsu/rules"};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = 0;
		dirname(exe);
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			if ((size_t)snprintf(out, outlen, "%s%s", exe, rel[i]) < outlen &&
			    rules_is_dir(out))
				return 0;
		}
	}
	snprintf(out, outlen, "share/rules");
	return rules_is_dir(out) ? 0 : -ENOENT;
}

int rules_default_init(char *err, size_t errlen)
{
	const char *env = getenv("MITSU_RULES");
	char path[PATH_MAX];
	int ret;

	rules_default_free();
	if (env && *env) {
		snprintf(path, sizeof(path), "%s", env);
	} else if (rules_find_default(path, sizeof(path))) {
		log_warn("no rule set found (share/rules beside the binary or in the current "
			 "folder; set MITSU_RULES=DIR): exploit tags are off");
		return 0;
	}
	ret = rules_load(&rules_dflt, path, err, errlen);
	if (!ret)
		ret = rules_scratch_new(rules_dflt, &rules_dflt_sc);
	if (ret) {
		if (env && *env && errlen && ret != -EINVAL)
			snprintf(err + strlen(err), errlen - strlen(err), " (from MITSU_RULES)");
		rules_default_free();
		return ret;
	}
	log_debug("%zu rules loaded from %s", rules_count(rules_dflt), path);
	return 0;
}

void rules_default_apply(struct record *r)
{
	if (rules_dflt)
		rules_apply(rules_dflt, rules_dflt_sc, r, NULL, 0);
}

void rules_default_free(void)
{
	rules_scratch_free(rules_dflt_sc);
	rules_free(rules_dflt);
	rules_dflt_sc = NULL;
	rules_dflt = NULL;
}
