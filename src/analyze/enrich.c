#include "analyze/enrich.h"

#include <string.h>

#include "alert/tokalert.h"
#include "alert/tokscan.h"
#include "analyze/synfp.h"
#include "proto/proto.h"
#include "rules/rules.h"

static struct enrich_cfg enrich;
static struct tokscan *enrich_tokscan;
static struct tokalert *enrich_tokalert;

/* Token scan over the record database, alerts to the hub or the table. */
static int enrich_tokens_init(char *err, size_t errlen)
{
	int ret = tokscan_open(&enrich_tokscan, enrich.token_db, err, errlen);

	if (!ret && !enrich.alert) {
		ret = tokalert_open(&enrich_tokalert, enrich.token_db, err, errlen);
		enrich.alert = tokalert_raise;
		enrich.alert_user = enrich_tokalert;
	}
	return ret;
}

void enrich_cfg_defaults(struct enrich_cfg *cfg)
{
	*cfg = (struct enrich_cfg){0}; /* no token database, no alert function */
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
	if (enrich.token_db)
		return enrich_tokens_init(err, errlen);
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
	if (enrich_tokscan) {
		tokscan_refresh(enrich_tokscan); /* on failure the old set stays */
		tokscan_record(enrich_tokscan, r, enrich.alert, enrich.alert_user);
	}
}

void enrich_free(void)
{
	rules_default_free();
	tokscan_free(enrich_tokscan);
	tokalert_close(enrich_tokalert);
	enrich_tokscan = NULL;
	enrich_tokalert = NULL;
}

void enrich_hook(void *user, struct record *r)
{
	(void)user;
	enrich_record(r);
}
