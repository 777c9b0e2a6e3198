/* Parsing of the alert options (opts.h); the help text is the reference. */
#include "alert/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int add_tags(struct alert_hub_cfg *c, const char *list)
{
	char *copy = strdup(list), *t, *save = NULL;
	int ret = copy ? 0 : -ENOMEM;

	for (t = copy ? strtok_r(copy, ",", &save) : NULL; t && !ret;
	     t = strtok_r(NULL, ",", &save))
		if (c->ntags == ALERT_MAX_ON_TAGS || strlen(t) >= sizeof(c->tags[0]))
			ret = -EINVAL;
		else
			strcpy(c->tags[c->ntags++], t);
	free(copy);
	return ret;
}

/* any | tags | tags:A,B | tags=A,B */
static int parse_on(struct alert_hub_cfg *c, const char *v)
{
	if (!strcmp(v, "any")) {
		c->on_any = true;
		return 0;
	}
	if (!strncmp(v, "tags", 4) && (!v[4] || v[4] == ':' || v[4] == '=')) {
		c->on_tags = true;
		return v[4] && v[5] ? add_tags(c, v + 5) : v[4] ? -EINVAL : 0;
	}
	return -EINVAL;
}

static int parse_throttle(struct alert_hub_cfg *c, const char *v)
{
	char n[16];
	const char *slash = strchr(v, '/');

	if (!strcmp(v, "0")) {
		c->throttle_n = 0;
		return 0;
	}
	if (!slash || (size_t)(slash - v) >= sizeof(n))
		return -EINVAL;
	memcpy(n, v, (size_t)(slash - v));
	n[slash - v] = 0;
	if (parse_uint(n, 1000000, &c->throttle_n) ||
	    parse_uint(slash + 1, 86400 * 7, &c->throttle_s) || !c->throttle_s)
		return -EINVAL;
	return 0;
}

static int add_chan(struct alert_hub_cfg *c, const char *type, const char *spec)
{
	if (c->nchans == ALERT_MAX_CHANNELS || !*spec)
		return -EINVAL;
	if (!(c->chans[c->nchans].spec = strdup(spec)))
		return -ENOMEM;
	snprintf(c->chans[c->nchans++].type, sizeof(c->chans[0].type), "%s", type);
	return 0;
}

static int ignore_file(struct alert_hub_cfg *c, const char *path, char *err, size_t errlen)
{
	char line[512];
	int ret = 0, n = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *s = line, *e;
		n++;
		s[strcspn(s, "#\r\n")] = 0;
		s += strspn(s, " \t");
		for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = 0;
		if (*s && (ret = alert_ignore_add(&c->ignore, s, err, errlen)) == -EINVAL) {
			char m[256];
			snprintf(m, sizeof(m), "%s", err);
			snprintf(err, errlen, "%s:%d: %s", path, n, m);
		}
	}
	fclose(f);
	return ret;
}

int alert_opts_apply(struct alert_hub_cfg *c, int idx, const char *arg, char *err, size_t errlen)
{
	static const char *const names[ALERT_NOPTS] = {
	    "alert-on",	     "alert-window",  "alert-ignore", "alert-throttle",
	    "alert-timeout", "alert-retries", "webhook",      "syslog",
	    "email",	     "exec",	      "alert-queue",  "alert-ignore-file"};
	int ret = -EINVAL;

	err[0] = 0;
	if (!arg || idx < 0 || idx >= ALERT_NOPTS)
		return -EINVAL;
	switch (idx) {
	case 0:
		ret = parse_on(c, arg);
		break;
	case 1:
		ret = parse_uint(arg, 86400, &c->window_s) || !c->window_s ? -EINVAL : 0;
		break;
	case 2:
		ret = alert_ignore_add(&c->ignore, arg, err, errlen);
		break;
	case 3:
		ret = parse_throttle(c, arg);
		break;
	case 4:
		ret = parse_uint(arg, 3600, &c->timeout_s) || !c->timeout_s ? -EINVAL : 0;
		break;
	case 5:
		ret = parse_uint(arg, 100, &c->retries);
		break;
	case 6:
	case 7:
	case 8:
	case 9:
		ret = add_chan(c, names[idx], arg);
		break;
	case 10:
		ret = parse_uint(arg, 1u << 24, &c->queue_len) || !c->queue_len ? -EINVAL : 0;
		break;
	case 11:
		ret = ignore_file(c, arg, err, errlen);
		break;
	}
	if (ret && !err[0])
		snprintf(err, errlen, "invalid --%s '%s'", names[idx], idx == 8 ? "(hidden)" : arg);
	return ret;
}
