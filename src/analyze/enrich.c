#include "analyze/enrich.h"

#include <string.h>

#include "analyze/synfp.h"
#include "proto/proto.h"
#include "rules/rules.h"

static struct enrich_cfg enrich;

void enrich_cfg_defaults(struct enrich_cfg *cfg)
{
	cfg->dissect = true;
	cfg->fingerprint = true;
	cfg->tags = true;
}

int enrich_init(const struct enrich_cfg *cfg, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	enrich = *cfg;
	/* exploit tags: a bad rule file refuses the start (-EINVAL, FILE:LINE in err) */
	if (enrich.tags) {
		int ret = rules_default_init(err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

void enrich_record(struct record *r)
{
	if (enrich.fingerprint)
		synfp_apply(r);
	if (enrich.dissect)
		proto_dissect(r);
	if (enrich.tags)
		rules_default_apply(r);
}

void enrich_free(void)
{
	rules_default_free();
}

void enrich_hook(void *user, struct record *r)
{
	(void)user;
	enrich_record(r);
}
