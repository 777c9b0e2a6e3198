/* What the analyzer learns about a flow beyond its bytes: SYN fingerprints
 * (scanner, os_guess), protocol dissection, exploit tags, honeytokens.
 * Runs on every record before the sinks. */
#ifndef MITSU_ENRICH_H
#define MITSU_ENRICH_H
#include <stdbool.h>

#include "alert/alert.h"
#include "analyze/record.h"

struct enrich_cfg {
	bool dissect; /* protocol dissectors and everything that needs them */
	bool fingerprint;
	bool tags;
	/* Honeytokens: the database whose tokens table is scanned for (and
	 * re-read when it changes); NULL: no token scan.  Alerts go to alert
	 * (NULL: stored in that database's alerts table). */
	const char *token_db;
	alert_fn alert;
	void *alert_user;
};

void enrich_cfg_defaults(struct enrich_cfg *cfg);
/* Prepares shared state (compiles the rule set, ...).  0 or -errno. */
int enrich_init(const struct enrich_cfg *cfg, char *err, size_t errlen);
void enrich_record(struct record *r);
/* enrich_record in the shape of analyzer_hook_fn. */
void enrich_hook(void *user, struct record *r);
void enrich_free(void);

#endif
