#include "analyze/enrich.h"

#include <string.h>

#include "proto/proto.h"

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
	/* @enrich-init */
	return 0;
}

void enrich_record(struct record *r)
{
	/* @enrich-fingerprint */
	if (enrich.dissect)
		proto_dissect(r);
	/* @enrich-tags */
}

void enrich_free(void)
{
	/* @enrich-free */
}
