/* Ignore rules: alerts that page nobody (an internal vulnerability scanner,
 * a monitoring host, a token used in a drill).
 *
 * A rule is comma-separated terms, each "key:value" or a bare value:
 *   net:CIDR   (bare: anything that parses as an address or prefix)
 *   port:N or port:N-M  (bare: a number or range), destination port
 *   tag:NAME   token:ID   kind:contact|token|tag|cloudtrail
 * Terms with the same key are alternatives; different keys must all hold:
 *   "10.0.0.5"                every alert from 10.0.0.5
 *   "10.0.0.0/24,port:443"    from that /24 to port 443
 *   "net:10.0.0.9,22,161"     from 10.0.0.9 to port 22 or 161
 *   "tag:masscan"   "token:tok-3"   "kind:contact,192.168.1.0/24" */
#ifndef MITSU_ALERT_IGNORE_H
#define MITSU_ALERT_IGNORE_H
#include <stdbool.h>
#include <stddef.h>

#include "alert/alert.h"
#include "core/addr.h"

#define ALERT_IGNORE_TERMS 8
#define ALERT_IGNORE_TAG_LEN 64

struct alert_ignore_rule {
	struct cidr nets[ALERT_IGNORE_TERMS];
	struct {
		unsigned lo, hi;
	} ports[ALERT_IGNORE_TERMS];
	char tags[ALERT_IGNORE_TERMS][ALERT_IGNORE_TAG_LEN];
	char tokens[ALERT_IGNORE_TERMS][64];
	unsigned nnets, nports, ntags, ntokens;
	unsigned kinds; /* bit per enum alert_kind; 0 = any kind */
};

struct alert_ignore {
	struct alert_ignore_rule *v;
	size_t n;
};

/* What a rule is matched against: an alert, or a record before it becomes
 * one (then every tag of the flow counts). */
struct alert_subject {
	enum alert_kind kind;
	const char *src;   /* address text, "" if none */
	unsigned dst_port; /* 0: no port (ICMP, CloudTrail) */
	const char *const *tags;
	unsigned ntags;
	const char *token_id;
};

/* Adds one rule.  0, or -EINVAL with a message in err, or -ENOMEM. */
int alert_ignore_add(struct alert_ignore *ig, const char *spec, char *err, size_t errlen);
bool alert_ignore_match(const struct alert_ignore *ig, const struct alert_subject *s);
/* The subject of an alert (tags: its one tag, if any). */
bool alert_ignore_alert(const struct alert_ignore *ig, const struct alert *a);
void alert_ignore_free(struct alert_ignore *ig);

#endif
