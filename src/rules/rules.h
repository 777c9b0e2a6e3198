/* Exploit and tool tagging: rule files (format in share/rules/README) are
 * parsed and compiled once into a rule set; each record is then matched
 * against all rules and gets the tags of those that hold, plus a
 * `"rules":{"ids":[...],"refs":[...]}` member in r->extra.
 *
 * Matching cost barely depends on the number of rules: one Aho-Corasick pass
 * over the client (and, if any rule needs it, the server) bytes finds every
 * rule's prefilter literal at once; only the rules whose literal occurs are
 * then checked in full (other literals, fields, PCRE2 regexes).
 *
 * A compiled set is read-only and may be shared; the per-record scratch
 * (struct rules_scratch) belongs to one thread at a time. */
#ifndef MITSU_RULES_H
#define MITSU_RULES_H
#include <stddef.h>

#include "analyze/record.h"

struct rules;
struct rules_scratch;

/* Bytes of each direction that rules look at (literals, regexes, HTTP
 * parsing); the rest of a huge flow is not scanned. */
#define RULES_SCAN_MAX (1u << 20)

/* Loads path (a .rules file, or a folder whose *.rules files are read in name
 * order) and compiles it.  Returns 0, or -EINVAL with "FILE:LINE: message" in
 * err for a bad rule, or another -errno with the reason in err. */
int rules_load(struct rules **out, const char *path, char *err, size_t errlen);
/* Same for rule text in memory; name labels errors ("name:LINE: ..."). */
int rules_load_text(struct rules **out, const char *name, const char *text, size_t len, char *err,
		    size_t errlen);
void rules_free(struct rules *rs);

size_t rules_count(const struct rules *rs);
/* The i-th rule's id, or NULL past the end. */
const char *rules_id(const struct rules *rs, size_t i);
/* Its k-th tag, or NULL past the last. */
const char *rules_tag(const struct rules *rs, size_t i, size_t k);

int rules_scratch_new(const struct rules *rs, struct rules_scratch **out);
void rules_scratch_free(struct rules_scratch *sc);

/* Matches r against every rule; adds each matching rule's tags to r and the
 * "rules" member to r->extra.  If hits is not NULL, the indexes of up to
 * nhits matching rules are stored there, in rule order.  Returns the number
 * of matching rules (may exceed nhits), or -ENOMEM. */
int rules_apply(const struct rules *rs, struct rules_scratch *sc, struct record *r, size_t *hits,
		size_t nhits);

/* The analyzer's rule set, kept here so enrich.c needs only three calls.
 * Path: $MITSU_RULES (file or folder) if set, else the first folder found
 * of <binary's dir>/share/rules, <binary's dir>/../share/rules,
 * <binary's dir>/../share/mitsu/rules and ./share/rules.  No rule set found
 * is a warning, not an error; a bad one is -EINVAL with err "FILE:LINE: ...". */
int rules_default_init(char *err, size_t errlen);
void rules_default_apply(struct record *r);
void rules_default_free(void);

#endif
