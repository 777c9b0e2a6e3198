#include "proto/proto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct proto_dissector *proto_dissect(struct record *r)
{
	const struct proto_dissector *best = NULL;
	int best_score = 0;

	for (size_t i = 0; proto_table[i]; i++) {
		const struct proto_dissector *d = proto_table[i];
		int score;
		if (d->l4 && d->l4 != r->proto)
			continue;
		score = d->detect(r);
		if (score > best_score) {
			best = d;
			best_score = score;
		}
	}
	if (!best) {
		snprintf(r->service, sizeof(r->service), "unknown");
		return NULL;
	}
	snprintf(r->service, sizeof(r->service), "%s", best->name);
	best->dissect(r);
	return best;
}

void proto_member_begin(struct json *j, struct record *r, const char *name, size_t *mark)
{
	*mark = r->extra.len;
	buf_putc(&r->extra, ',');
	json_cstr(&r->extra, name);
	buf_putc(&r->extra, ':');
	json_init(j, &r->extra);
	json_obj_begin(j);
}

int proto_member_end(struct json *j, struct record *r, size_t mark)
{
	int ret;

	json_obj_end(j);
	ret = json_finish(j);
	if (ret)
		r->extra.len = mark;
	return ret;
}

size_t proto_line(const uint8_t *p, size_t len, size_t *next)
{
	const uint8_t *nl = memchr(p, '\n', len);
	size_t n;

	if (!nl) {
		*next = len;
		return len;
	}
	n = (size_t)(nl - p);
	*next = n + 1;
	return n && p[n - 1] == '\r' ? n - 1 : n;
}

bool proto_starts_with(const uint8_t *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(p, prefix, n);
}

bool proto_starts_with_nocase(const uint8_t *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !strncasecmp((const char *)p, prefix, n);
}
