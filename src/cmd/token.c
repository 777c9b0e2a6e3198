/* mitsu token: mint, register, list, show, remove, export and import
 * honeytokens in the SQLite store (the tokens table). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "alert/token.h"
#include "cmd/cmd.h"
#include "core/buf.h"
#include "sink/sqlite.h"

#define TOKEN_DEFAULT_DB "./mitsu-data/mitsu.db"

static void token_usage(FILE *f)
{
	fprintf(f,
		"usage: mitsu token new --kind KIND [--note TEXT] [--prefix P] [--domain D]\n"
		"                       [--format FORMAT] [--path /P] [--json] [--db PATH]\n"
		"       mitsu token add --kind aws --access-key-id AKIA... [--user NAME] [--note TEXT]\n"
		"       mitsu token list [--json] | show ID | rm ID | export [FILE] | import FILE|-\n\n"
		"Honeytokens: bait whose every use is a signal. The analyzer looks for each\n"
		"registered token in every flow (plain, URL-encoded, base64) and raises an alert;\n"
		"'mitsu cloudtrail' matches aws tokens in CloudTrail logs.\n\n"
		"kinds:\n"
		"  aws       access key id (AKIA + 16) and 40-character secret, shaped like real ones\n"
		"  password  a user and password pair\n"
		"  url       a path on the sensor's HTTP side (--path to choose it)\n"
		"  apikey    --prefix ghp_ (default), github_pat_, xoxb-, xoxp-, sk_live_, sk-,\n"
		"            glpat-, AIza, SG., npm_ (other prefixes get 32 letters and digits)\n"
		"  dns       a hostname under --domain (a zone whose DNS queries you watch)\n"
		"  file      a bait file with a token inside, --format %s\n\n"
		"options:\n"
		"      --db PATH     SQLite store (default " TOKEN_DEFAULT_DB ")\n"
		"      --note TEXT   where you planted it (shown in every alert)\n"
		"      --json        new, list: one JSON object per token\n"
		"  -h, --help        this text\n\n"
		"'new' prints the token (the file for kind file) on stdout and its id on stderr.\n"
		"'add' registers a key you created yourself in AWS (an IAM user with no\n"
		"permissions); --user is the IAM user name CloudTrail reports.\n"
		"export writes JSON lines (stdout without FILE); import reads them back and\n"
		"skips ids already present.\n"
		"Exit status: 0 done, 1 failure (unknown id, database error), 2 bad usage.\n",
		token_formats_help);
}

struct token_cli {
	const char *db, *note, *prefix, *domain, *format, *path, *kind, *key_id, *user;
	int json;
};

enum { O_DB = 1000, O_KIND, O_NOTE, O_PREFIX, O_DOMAIN, O_FORMAT, O_PATH, O_KEYID, O_USER, O_JSON };

static const struct option token_long_opts[] = {
	{"db", required_argument, NULL, O_DB},
	{"kind", required_argument, NULL, O_KIND},
	{"note", required_argument, NULL, O_NOTE},
	{"prefix", required_argument, NULL, O_PREFIX},
	{"domain", required_argument, NULL, O_DOMAIN},
	{"format", required_argument, NULL, O_FORMAT},
	{"path", required_argument, NULL, O_PATH},
	{"access-key-id", required_argument, NULL, O_KEYID},
	{"user", required_argument, NULL, O_USER},
	{"json", no_argument, NULL, O_JSON},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int token_parse(int argc, char **argv, struct token_cli *c)
{
	int opt;

	c->db = TOKEN_DEFAULT_DB;
	opterr = 0;
	optind = 2; /* argv[1] is the action */
	while ((opt = getopt_long(argc, argv, "h", token_long_opts, NULL)) != -1) {
		switch (opt) {
		case O_DB: c->db = optarg; break;
		case O_KIND: c->kind = optarg; break;
		case O_NOTE: c->note = optarg; break;
		case O_PREFIX: c->prefix = optarg; break;
		case O_DOMAIN: c->domain = optarg; break;
		case O_FORMAT: c->format = optarg; break;
		case O_PATH: c->path = optarg; break;
		case O_KEYID: c->key_id = optarg; break;
		case O_USER: c->user = optarg; break;
		case O_JSON: c->json = 1; break;
		case 'h': return 1;
		default:
			fprintf(stderr, "mitsu token: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

static sqlite3 *token_open(const char *path)
{
	char err[1024];
	sqlite3 *db = NULL;

	if (sink_sqlite_open_db(path, &db, err, sizeof(err))) {
		fprintf(stderr, "mitsu token: %s\n", err);
		return NULL;
	}
	return db;
}

static int token_print_json(const struct token *t)
{
	struct buf b = {0};
	int ret = token_to_json(t, &b);

	if (!ret)
		printf("%s\n", buf_cstr(&b));
	buf_free(&b);
	return ret;
}

/* --note and --user end up on terminals: no control characters. */
static int token_cli_clean(const char *v)
{
	for (; v && *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static int token_cmd_new(sqlite3 *db, const struct token_cli *c)
{
	struct token_opts o = {.kind = c->kind, .prefix = c->prefix, .domain = c->domain,
			       .format = c->format, .note = c->note, .path = c->path};
	struct token t;
	struct buf b = {0};
	char err[256];
	int ret;

	if (token_mint(&o, &t, err, sizeof(err))) {
		fprintf(stderr, "mitsu token: %s\n", err);
		return 2;
	}
	if ((ret = token_db_insert(db, &t))) {
		fprintf(stderr, "mitsu token: storing the token: %s\n", strerror(-ret));
		return 1;
	}
	if (c->json) {
		token_print_json(&t);
	} else if (!token_render(&t, &b)) {
		fwrite(b.p, 1, b.len, stdout);
	}
	buf_free(&b);
	fprintf(stderr, "mitsu token: %s (%s%s%s) stored\n", t.id, t.kind, t.format[0] ? " " : "",
		t.format);
	return 0;
}

static int token_cmd_add(sqlite3 *db, const struct token_cli *c)
{
	struct token t;
	struct timespec now;
	char hex[13];
	size_t l = c->key_id ? strlen(c->key_id) : 0;
	int ret;

	if (!c->kind || strcmp(c->kind, "aws")) {
		fprintf(stderr, "mitsu token add: only --kind aws can be registered\n");
		return 2;
	}
	/* AKIA (long-term) or ASIA (temporary) + 16 of [A-Z2-7]. */
	if (l != 20 || (strncmp(c->key_id, "AKIA", 4) && strncmp(c->key_id, "ASIA", 4)) ||
	    strspn(c->key_id + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != 16) {
		fprintf(stderr, "mitsu token add: --access-key-id must be AKIA followed by 16 "
				"characters of A-Z and 2-7\n");
		return 2;
	}
	memset(&t, 0, sizeof(t));
	if (token_random_chars(hex, 12, "0123456789abcdef"))
		return 1;
	snprintf(t.id, sizeof(t.id), "tk-%s", hex);
	snprintf(t.kind, sizeof(t.kind), "aws");
	snprintf(t.value, sizeof(t.value), "%s", c->key_id);
	snprintf(t.user, sizeof(t.user), "%s", c->user ? c->user : "");
	snprintf(t.note, sizeof(t.note), "%s", c->note ? c->note : "");
	clock_gettime(CLOCK_REALTIME, &now);
	t.created = (double)now.tv_sec + now.tv_nsec / 1e9;
	if ((ret = token_db_insert(db, &t))) {
		fprintf(stderr, "mitsu token: storing the token: %s\n", strerror(-ret));
		return 1;
	}
	printf("%s\n", t.id);
	return 0;
}

static int token_list_one(void *user, const struct token *t)
{
	const struct token_cli *c = user;
	char when[32];
	time_t s = (time_t)t->created;
	struct tm tm;

	if (c->json)
		return token_print_json(t);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&s, &tm));
	printf("%-16s %-8s %-16s %-24.60s %s%s%s\n", t->id, t->kind, t->format[0] ? t->format : "-",
	       t->value, when, t->note[0] ? "  " : "", t->note);
	return 0;
}

static int token_export_one(void *user, const struct token *t)
{
	struct buf b = {0};
	int ret = token_to_json(t, &b);

	if (!ret && fprintf(user, "%s\n", buf_cstr(&b)) < 0)
		ret = -EIO;
	buf_free(&b);
	return ret;
}

static int token_cmd_show(sqlite3 *db, const char *id)
{
	struct token t;
	struct buf b = {0};
	int ret = token_db_get(db, id, &t);

	if (ret) {
		fprintf(stderr, "mitsu token: %s: %s\n", id,
			ret == -ENOENT ? "no such token" : strerror(-ret));
		return 1;
	}
	token_print_json(&t);
	if (!token_render(&t, &b))
		fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	return 0;
}

static int token_cmd_export(sqlite3 *db, const char *file)
{
	FILE *f = file && strcmp(file, "-") ? fopen(file, "w") : stdout;
	int ret;

	if (!f) {
		fprintf(stderr, "mitsu token: %s: %s\n", file, strerror(errno));
		return 1;
	}
	ret = token_db_each(db, token_export_one, f);
	if (f != stdout && fclose(f))
		ret = -errno;
	if (ret)
		fprintf(stderr, "mitsu token: export: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}

static int token_cmd_import(sqlite3 *db, const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL;
	size_t cap = 0, lineno = 0, added = 0, skipped = 0, bad = 0;
	ssize_t n;
	struct token t;

	if (!f) {
		fprintf(stderr, "mitsu token: %s: %s\n", file, strerror(errno));
		return 1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (!n)
			continue;
		int ret = token_from_json(line, (size_t)n, &t);
		if (!ret)
			ret = token_db_insert(db, &t);
		if (!ret)
			added++;
		else if (ret == -EEXIST)
			skipped++;
		else {
			bad++;
			fprintf(stderr, "mitsu token: %s:%zu: %s\n", file, lineno,
				ret == -EINVAL ? "not a token line" : strerror(-ret));
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	fprintf(stderr, "mitsu token: imported %zu, %zu already present, %zu bad\n", added,
		skipped, bad);
	return bad ? 1 : 0;
}

/* The action's one positional argument (ID or FILE), or NULL. */
static const char *token_arg(int argc, char **argv)
{
	return optind < argc ? argv[optind] : NULL;
}

int cmd_token(int argc, char **argv)
{
	struct token_cli c = {0};
	const char *act = argc > 1 ? argv[1] : NULL, *arg;
	sqlite3 *db = NULL;
	int ret;

	if (!act || !strcmp(act, "-h") || !strcmp(act, "--help")) {
		token_usage(act ? stdout : stderr);
		return act ? 0 : 2;
	}
	ret = token_parse(argc, argv, &c);
	if (ret) {
		token_usage(ret > 0 ? stdout : stderr);
		return ret > 0 ? 0 : 2;
	}
	arg = token_arg(argc, argv);
	if ((!strcmp(act, "show") || !strcmp(act, "rm") || !strcmp(act, "import")) && !arg) {
		fprintf(stderr, "mitsu token %s: give %s\n", act, strcmp(act, "import") ? "an ID" : "a FILE");
		return 2;
	}
	if (!token_cli_clean(c.note) || !token_cli_clean(c.user) || !token_cli_clean(c.prefix)) {
		fprintf(stderr, "mitsu token: --note, --user and --prefix may not hold control characters\n");
		return 2;
	}
	if (!strcmp(act, "new") && (!c.kind || !token_kind_valid(c.kind))) {
		fprintf(stderr, "mitsu token new: give --kind aws, password, url, apikey, dns or file\n");
		return 2;
	}
	if (strcmp(act, "new") && strcmp(act, "add") && strcmp(act, "list") && strcmp(act, "show") &&
	    strcmp(act, "rm") && strcmp(act, "export") && strcmp(act, "import")) {
		fprintf(stderr, "mitsu token: unknown action '%s'\n", act);
		token_usage(stderr);
		return 2;
	}
	if (!(db = token_open(c.db)))
		return 1;
	if (!strcmp(act, "new"))
		ret = token_cmd_new(db, &c);
	else if (!strcmp(act, "add"))
		ret = token_cmd_add(db, &c);
	else if (!strcmp(act, "list"))
		ret = token_db_each(db, token_list_one, &c) ? 1 : 0;
	else if (!strcmp(act, "show"))
		ret = token_cmd_show(db, arg);
	else if (!strcmp(act, "rm")) {
		ret = token_db_delete(db, arg);
		if (ret)
			fprintf(stderr, "mitsu token: %s: %s\n", arg,
				ret == -ENOENT ? "no such token" : strerror(-ret));
		ret = ret ? 1 : 0;
	} else if (!strcmp(act, "export"))
		ret = token_cmd_export(db, arg);
	else
		ret = token_cmd_import(db, arg);
	sqlite3_close(db);
	return ret;
}
