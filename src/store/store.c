#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int store_open_opts(const char *spec, const struct store_opts *opts, struct store **out,
		    char *err, size_t errlen)
{
	static const struct store_opts none;

	if (!strncmp(spec, "s3://", 5))
		return store_s3_open(spec, opts ? opts : &none, out, err, errlen);
	if (!strncmp(spec, "file://", 7))
		spec += 7;
	return store_dir_open(spec, out, err, errlen);
}

int store_open(const char *spec, struct store **out, char *err, size_t errlen)
{
	return store_open_opts(spec, NULL, out, err, errlen);
}

int store_set_notify(struct store *s, store_notify_fn fn, void *user)
{
	return s->ops->set_notify ? s->ops->set_notify(s, fn, user) : -ENOTSUP;
}

int store_get_stats(struct store *s, struct store_stats *st)
{
	return s->ops->stats ? s->ops->stats(s, st) : -ENOTSUP;
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

static int hour_prefix(char *out, size_t outlen, uint64_t ts_us)
{
	time_t t = (time_t)(ts_us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	return snprintf(out, outlen, "pcap/%04d/%02d/%02d/%02d/", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour);
}

int store_flow_key(char *out, size_t outlen, uint64_t ts_us, const char *src, const char *dst,
		   unsigned sport, unsigned dport)
{
	int n = hour_prefix(out, outlen, ts_us);
	size_t room;

	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	/* Compare the name's length with the room left after the prefix,
	 * not with outlen: otherwise a too-small buffer gives a silently
	 * truncated key. */
	room = outlen - (size_t)n;
	n = snprintf(out + n, room, "%llu_%s_%s_%u_%u.pcap",
		     (unsigned long long)(ts_us / 1000000), src, dst, sport, dport);
	return n < 0 || (size_t)n >= room ? -ENAMETOOLONG : 0;
}

int store_scans_key(char *out, size_t outlen, uint64_t ts_us, const char *sensor)
{
	int n = hour_prefix(out, outlen, ts_us);
	size_t room;

	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	room = outlen - (size_t)n; /* as in store_flow_key */
	n = snprintf(out + n, room, "scans_%s_%llu.pcap", sensor,
		     (unsigned long long)(ts_us / 1000000));
	return n < 0 || (size_t)n >= room ? -ENAMETOOLONG : 0;
}
