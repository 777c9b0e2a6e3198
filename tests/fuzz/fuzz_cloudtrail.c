/* libFuzzer harness for the CloudTrail reader: any bytes as a log file,
 * matched against a user-named token and a key-only token; every alert
 * must carry the token and a bounded summary. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/cloudtrail.h"

static void fz_alert(void *user, const struct alert *a)
{
	(void)user;
	if (strncmp(a->token_id, "tk-", 3) || strlen(a->summary) >= sizeof(a->summary) ||
	    strlen(a->uri) >= sizeof(a->uri))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct token t[2];
	struct cloudtrail ct = {.toks = t, .ntok = 2, .fn = fz_alert};

	if (!t[0].id[0]) {
		snprintf(t[0].id, sizeof(t[0].id), "tk-1");
		snprintf(t[0].kind, sizeof(t[0].kind), "aws");
		snprintf(t[0].value, sizeof(t[0].value), "AKIAQYLPMN5HHHFPZAM2");
		snprintf(t[0].user, sizeof(t[0].user), "honeyuser");
		snprintf(t[1].id, sizeof(t[1].id), "tk-2");
		snprintf(t[1].kind, sizeof(t[1].kind), "file");
		snprintf(t[1].format, sizeof(t[1].format), "env");
		snprintf(t[1].key_id, sizeof(t[1].key_id), "AKIAZZZZZZZZZZZZZZZZ");
		snprintf(t[1].minted_for, sizeof(t[1].minted_for), "10.0.0.5");
	}
	cloudtrail_scan(&ct, (const char *)data, size, "file:///fuzz.json");
	return 0;
}
