/* Ignore rules: parsing and matching (see ignore.h for the syntax). */
#include "alert/ignore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > 65535 || (*end && *end != '-'))
		return -EINVAL;
	*out = (unsigned)v;
	return (int)(end - s);
}

static int parse_range(const char *s, unsigned *lo, unsigned *hi)
{
	int n = parse_port(s, lo);

	if (n < 0)
		return n;
	*hi = *lo;
	if (s[n] == '-' && (parse_port(s + n + 1, hi) < 0 || *hi < *lo || strchr(s + n + 1, '-')))
		return -EINVAL;
	return 0;
}

static int kind_bit(const char *v)
{
	for (int k = ALERT_TOKEN; k <= ALERT_CLOUDTRAIL; k++)
		if (!strcmp(v, alert_kind_name(k)))
			return 1 << k;
	return -EINVAL;
}

static int add_term(struct alert_ignore_rule *r, const char *key, const char *v)
{
	unsigned lo, hi;
	int bit;

	if (!*v)
		return -EINVAL;
	if (!strcmp(key, "port") || (!*key && !parse_range(v, &lo, &hi))) {
		if (r->nports == ALERT_IGNORE_TERMS || parse_range(v, &lo, &hi))
			return -EINVAL;
		r->ports[r->nports].lo = lo;
		r->ports[r->nports++].hi = hi;
	} else if (!strcmp(key, "net") || !*key) {
		if (r->nnets == ALERT_IGNORE_TERMS || cidr_parse(v, &r->nets[r->nnets]))
			return -EINVAL;
		r->nnets++;
	} else if (!strcmp(key, "tag")) {
		if (r->ntags == ALERT_IGNORE_TERMS || strlen(v) >= ALERT_IGNORE_TAG_LEN)
			return -EINVAL;
		strcpy(r->tags[r->ntags++], v);
	} else if (!strcmp(key, "token")) {
		if (r->ntokens == ALERT_IGNORE_TERMS || strlen(v) >= sizeof(r->tokens[0]))
			return -EINVAL;
		strcpy(r->tokens[r->ntokens++], v);
	} else if (!strcmp(key, "kind") && (bit = kind_bit(v)) > 0) {
		r->kinds |= (unsigned)bit;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* "key:value" when the part before the first ':' is a known key; anything
 * else (an IPv6 address included) is a bare value. */
static int add_word(struct alert_ignore_rule *r, char *w)
{
	static const char *const keys[] = {"net", "port", "tag", "token", "kind"};
	char *colon = strchr(w, ':');

	if (colon) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if ((size_t)(colon - w) == strlen(keys[i]) &&
			    !strncmp(w, keys[i], strlen(keys[i]))) {
				*colon = 0;
				return add_term(r, w, colon + 1);
			}
	}
	return add_term(r, "", w);
}

int alert_ignore_add(struct alert_ignore *ig, const char *spec, char *err, size_t errlen)
{
	struct alert_ignore_rule r;
	struct alert_ignore_rule *nv;
	char *copy = strdup(spec), *w, *save = NULL;
	int ret = 0, nterms = 0;

	memset(&r, 0, sizeof(r));
	if (!copy)
		return -ENOMEM;
	for (w = strtok_r(copy, ",", &save); w && !ret; w = strtok_r(NULL, ",", &save), nterms++)
		if ((ret = add_word(&r, w)))
			snprintf(err, errlen, "ignore rule '%s': bad term '%s'", spec, w);
	if (!ret && !nterms) {
		snprintf(err, errlen, "empty ignore rule");
		ret = -EINVAL;
	}
	if (!ret) {
		nv = realloc(ig->v, (ig->n + 1) * sizeof(*nv));
		if (!nv)
			ret = -ENOMEM;
		else
			(ig->v = nv)[ig->n++] = r;
	}
	free(copy);
	return ret;
}

static bool rule_match(const struct alert_ignore_rule *r, const struct alert_subject *s,
		       const struct ipaddr *src, bool has_src)
{
	bool ok;

	if (r->kinds && !(r->kinds & (1u << s->kind)))
		return false;
	ok = !r->nnets;
	for (unsigned i = 0; !ok && has_src && i < r->nnets; i++)
		ok = cidr_contains(&r->nets[i], src);
	if (!ok)
		return false;
	ok = !r->nports;
	for (unsigned i = 0; !ok && s->dst_port && i < r->nports; i++)
		ok = s->dst_port >= r->ports[i].lo && s->dst_port <= r->ports[i].hi;
	if (!ok)
		return false;
	ok = !r->ntags;
	for (unsigned i = 0; !ok && i < r->ntags; i++)
		for (unsigned j = 0; !ok && j < s->ntags; j++)
			ok = !strcmp(r->tags[i], s->tags[j]);
	if (!ok)
		return false;
	ok = !r->ntokens;
	for (unsigned i = 0; !ok && s->token_id && i < r->ntokens; i++)
		ok = !strcmp(r->tokens[i], s->token_id);
	return ok;
}

bool alert_ignore_match(const struct alert_ignore *ig, const struct alert_subject *s)
{
	struct ipaddr src;
	bool has_src;

	if (!ig || !ig->n)
		return false;
	has_src = s->src && s->src[0] && !addr_parse(s->src, &src);
	for (size_t i = 0; i < ig->n; i++)
		if (rule_match(&ig->v[i], s, &src, has_src))
			return true;
	return false;
}

bool alert_ignore_alert(const struct alert_ignore *ig, const struct alert *a)
{
	const char *tag = a->tag;
	struct alert_subject s = {
	    .kind = a->kind,
	    .src = a->src_addr,
	    .dst_port = a->dst_port,
	    .tags = &tag,
	    .ntags = a->tag[0] ? 1 : 0,
	    .token_id = a->token_id,
	};

	return alert_ignore_match(ig, &s);
}

void alert_ignore_free(struct alert_ignore *ig)
{
	free(ig->v);
	ig->v = NULL;
	ig->n = 0;
}
