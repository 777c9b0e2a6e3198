/* Redis: RESP arrays of bulk strings ("*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n",
 * what redis-cli and client libraries send) and inline commands ("INFO\r\n",
 * what scanners type).  Lists the commands with their arguments, bounded;
 * AUTH [user] pass and HELLO ... AUTH user pass are credentials.  Tags for
 * dangerous commands (SLAVEOF, CONFIG SET) are the rules engine's job. */
#include <string.h>

#include "proto/proto.h"

#define REDIS_MAX_CMDS 16
#define REDIS_MAX_ARGS 8     /* arguments kept per command (command included) */
#define REDIS_ARG_CAP 64     /* bytes kept per argument */
#define REDIS_MAX_ELEMS 1024 /* elements of one array we step over */

struct redis_arg {
	const uint8_t *p;
	size_t n;
};

struct redis_cmd {
	struct redis_arg a[REDIS_MAX_ARGS];
	unsigned n;	/* kept */
	uint64_t total; /* in the command */
};

/* Reads a decimal after p[*i] up to CRLF; -1 when malformed. */
static long long redis_num(const uint8_t *p, size_t len, size_t *i)
{
	long long v = 0;
	size_t k = *i, start = *i;

	while (k < len && p[k] >= '0' && p[k] <= '9' && k - start < 10)
		v = v * 10 + (p[k++] - '0');
	if (k == start || k + 1 >= len || p[k] != '\r' || p[k + 1] != '\n')
		return -1;
	*i = k + 2;
	return v;
}

/* One RESP array of bulk strings at p[*i]; false when it is not one. */
static bool redis_resp(const uint8_t *p, size_t len, size_t *i, struct redis_cmd *c)
{
	size_t k = *i + 1;
	long long n = redis_num(p, len, &k), e;

	if (n < 0)
		return false;
	c->n = 0;
	c->total = (uint64_t)n;
	for (e = 0; e < n && e < REDIS_MAX_ELEMS; e++) {
		long long bl;
		if (k >= len)
			break; /* the capture ends inside the array */
		if (p[k] != '$')
			return false;
		k++;
		bl = redis_num(p, len, &k);
		if (bl < 0)
			return false;
		if (c->n < REDIS_MAX_ARGS)
			c->a[c->n++] =
			    (struct redis_arg){p + k, (size_t)bl < len - k ? (size_t)bl : len - k};
		if ((size_t)bl > len - k) { /* cut short: keep what we have */
			k = len;
			break;
		}
		k += (size_t)bl + 2;
	}
	*i = k < len ? k : len;
	return c->n > 0;
}

/* One inline command: words separated by spaces, up to the end of line. */
static bool redis_inline(const uint8_t *p, size_t len, size_t *i, struct redis_cmd *c)
{
	size_t next, n = proto_line(p + *i, len - *i, &next), k = 0;
	const uint8_t *l = p + *i;

	c->n = 0;
	c->total = 0;
	while (k < n) {
		size_t s;
		while (k < n && l[k] == ' ')
			k++;
		s = k;
		while (k < n && l[k] != ' ')
			k++;
		if (k == s)
			break;
		c->total++;
		if (c->n < REDIS_MAX_ARGS)
			c->a[c->n++] = (struct redis_arg){l + s, k - s};
	}
	*i += next;
	return c->n > 0;
}

static bool redis_is(const struct redis_arg *a, const char *name)
{
	return a->n == strlen(name) && proto_starts_with_nocase(a->p, a->n, name);
}

static void redis_creds(struct record *r, const struct redis_cmd *c)
{
	if (redis_is(&c->a[0], "AUTH") && c->n == 2)
		record_add_cred(r, "redis", (const uint8_t *)"", 0, c->a[1].p, c->a[1].n);
	else if (redis_is(&c->a[0], "AUTH") && c->n >= 3)
		record_add_cred(r, "redis", c->a[1].p, c->a[1].n, c->a[2].p, c->a[2].n);
	else if (redis_is(&c->a[0], "HELLO"))
		for (unsigned k = 1; k + 2 < c->n; k++)
			if (redis_is(&c->a[k], "AUTH")) {
				record_add_cred(r, "redis", c->a[k + 1].p, c->a[k + 1].n,
						c->a[k + 2].p, c->a[k + 2].n);
				break;
			}
}

static void redis_write_cmd(struct json *j, const struct redis_cmd *c)
{
	json_arr_begin(j);
	for (unsigned k = 0; k < c->n; k++)
		json_val_str(j, c->a[k].p, c->a[k].n < REDIS_ARG_CAP ? c->a[k].n : REDIS_ARG_CAP);
	json_arr_end(j);
}

static void redis_dissect(struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, i = 0;
	unsigned ncmds = 0, steps = 0;
	bool resp = len && p[0] == '*';
	struct redis_cmd c;
	struct json j;
	size_t mark;

	proto_member_begin(&j, r, "redis", &mark);
	json_kcstr(&j, "format", resp ? "resp" : "inline");
	json_key(&j, "commands");
	json_arr_begin(&j);
	while (i < len && ncmds < REDIS_MAX_CMDS && steps++ < 4 * REDIS_MAX_CMDS) {
		bool got = p[i] == '*' ? redis_resp(p, len, &i, &c) : redis_inline(p, len, &i, &c);
		if (!got) {
			if (i < len && p[i] == '*')
				break; /* malformed RESP: we cannot find the next command */
			continue;
		}
		redis_write_cmd(&j, &c);
		redis_creds(r, &c);
		ncmds++;
	}
	json_arr_end(&j);
	proto_member_end(&j, r, mark);
}

/* Inline commands scanners start with.  Not AUTH alone ("AUTH TLS" is
 * FTP), not GET/SET (HTTP owns "GET /"). */
static bool redis_inline_known(const uint8_t *p, size_t n)
{
	static const char *const names[] = {"PING",	"INFO",	   "CONFIG", "SLAVEOF", "REPLICAOF",
					    "FLUSHALL", "FLUSHDB", "KEYS",   "EVAL",	"MODULE",
					    "DBSIZE",	"HELLO",   "CLIENT", "COMMAND"};
	size_t w = 0;

	while (w < n && p[w] != ' ')
		w++;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (w == strlen(names[k]) && proto_starts_with_nocase(p, n, names[k]))
			return true;
	return w == 4 && proto_starts_with_nocase(p, n, "AUTH") && n > 5 &&
	       !proto_starts_with_nocase(p + 5, n - 5, "TLS") &&
	       !proto_starts_with_nocase(p + 5, n - 5, "SSL");
}

static int redis_detect(const struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, i = 0, next, n;
	struct redis_cmd c;

	if (len < 4)
		return 0;
	if (p[0] == '*' && redis_resp(p, len, &i, &c))
		return 90;
	n = proto_line(p, len, &next);
	if (next > n && redis_inline_known(p, n)) /* a whole line */
		return 55;
	return 0;
}

const struct proto_dissector proto_redis = {
    .name = "redis",
    .l4 = 6,
    .detect = redis_detect,
    .dissect = redis_dissect,
};
