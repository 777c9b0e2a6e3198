/* CloudTrail: alert on every event made with a registered aws honeytoken.
 *
 * An event matches when userIdentity.userName equals a token's user (the
 * IAM user of `mitsu token add --user`) or userIdentity.accessKeyId equals
 * a token's access key id: the same condition as the CloudWatch metric
 * filter { $.userIdentity.userName = "honeyuser" } of the classic recipe,
 * widened to the key itself.  Input: a CloudTrail log file ({"Records":
 * [...]}, gzipped or not), an array of events, one event, or the output of
 * `aws cloudtrail lookup-events` ({"Events":[{"CloudTrailEvent":"..."}]}). */
#ifndef MITSU_CLOUDTRAIL_H
#define MITSU_CLOUDTRAIL_H
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "alert/token.h"

struct cloudtrail {
	const struct token *toks; /* aws tokens (others are ignored) */
	size_t ntok;
	alert_fn fn;
	void *user;
	uint64_t files, events, alerts, bad_files;
};

/* Matches every event of one document (text[0..n)); uri names it in the
 * alerts.  0 or -EINVAL (not JSON; err_off where), -E2BIG, -ENOMEM. */
int cloudtrail_scan(struct cloudtrail *ct, const char *text, size_t n, const char *uri);
/* Reads a file (plain or gzip; "-" is stdin) and scans it.  0 or -errno. */
int cloudtrail_file(struct cloudtrail *ct, const char *path);
/* True for a token CloudTrail can report (aws keys, env/aws-credentials files). */
int cloudtrail_token_usable(const struct token *t);

#endif
