/* Private to src/rules/: the parsed rule set shared by parse.c (text to
 * rules), match.c (compile and apply) and fields.c (what a field name reads
 * from a record). */
#ifndef MITSU_RULES_INTERNAL_H
#define MITSU_RULES_INTERNAL_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/record.h"
#include "core/buf.h"
#include "proto/http_parse.h"
#include "rules/aho.h"
#include "rules/rules.h"

/* Limits on what a rule file may ask for. */
#define RULES_MAX_LINE 16384 /* bytes per line */
#define RULES_MAX_FILE (16u << 20)
#define RULES_MAX_RULES 20000
#define RULES_MAX_CONDS 32     /* conditions per rule */
#define RULES_MAX_TAGS 8       /* tags per rule */
#define RULES_MAX_REFS 16      /* references per rule */
#define RULES_MAX_PORTS 64     /* port ranges per rule */
#define RULES_ID_MAX 64	       /* bytes of an id, NUL included */
#define RULES_ANCHOR_MAX 32    /* prefilter bytes per rule: a prefix is enough */
#define RULES_MAX_VALUES 16    /* values per field (HTTP requests, JSON array items) */
#define RULES_HTTP_MAX_REQS 16 /* requests read from one flow */
#define RULES_JSON_MAX_DEPTH 16
#define RULES_REGEX_MATCH_LIMIT 200000
#define RULES_REGEX_DEPTH_LIMIT 5000

enum rules_fkind {
	RF_PAYLOAD, /* client bytes */
	RF_SERVER,  /* server bytes */
	RF_SERVICE,
	RF_PROTO,
	RF_DST_PORT,
	RF_SRC_PORT,
	RF_SCANNER,
	RF_OS_GUESS,
	RF_CRED_USER, /* r->creds[], one value per credential */
	RF_CRED_PASS,
	RF_CRED_PROTO,
	RF_HTTP_METHOD, /* from the rule engine's own reading of the client bytes */
	RF_HTTP_URI,
	RF_HTTP_PATH,
	RF_HTTP_QUERY,
	RF_HTTP_VERSION,
	RF_HTTP_HEADERS, /* the raw header block */
	RF_HTTP_HEADER,	 /* one header by name (arg) */
	RF_HTTP_BODY,
	RF_JSON, /* a dotted path (arg) into the dissectors' JSON in r->extra */
};

struct rules_field {
	char *name; /* as written, the key of the field table */
	enum rules_fkind kind;
	char *arg; /* header name (lower case) or JSON path */
	bool raw;  /* its values are verbatim client bytes: may hold a prefilter */
	int side;  /* 0 client, 1 server (for raw fields) */
};

enum rules_op { RO_CONTAINS, RO_IS, RO_STARTS, RO_ENDS, RO_REGEX, RO_EXISTS };

struct rules_cond {
	unsigned field; /* index in rules.fields */
	enum rules_op op;
	bool nocase, neg;
	uint8_t *lit; /* literal of contains/is/startswith/endswith; a regex's pattern */
	size_t litlen;
	pcre2_code *re; /* RO_REGEX; JIT-compiled once per distinct test */
	bool re_shared; /* re belongs to an equal test of another rule */
	uint32_t reopts;
	uint32_t uid; /* equal tests (field, op, case, literal) share one: memoised per record */
	unsigned line;
};

struct rules_port {
	uint16_t lo, hi;
};

struct rules_rule {
	char id[RULES_ID_MAX];
	char *name;
	char *tags[RULES_MAX_TAGS];
	size_t ntags;
	char *refs[RULES_MAX_REFS];
	size_t nrefs;
	uint8_t proto; /* 0 = any, else IPPROTO_TCP / IPPROTO_UDP */
	struct rules_port ports[RULES_MAX_PORTS];
	size_t nports;
	char *service; /* NULL = any */
	int dir;       /* 0 client, 1 server: what content/regex read */
	struct rules_cond conds[RULES_MAX_CONDS];
	size_t nconds;
	int anchor; /* condition holding the prefilter literal, -1 = none */
	char *file; /* for messages */
	unsigned line;
};

struct rules {
	struct rules_rule *v;
	size_t n, cap;
	struct rules_field *fields;
	size_t nfields, fcap;
	char **files; /* names of the files read, for messages */
	size_t nfiles;
	/* after compile */
	struct aho *ac[2];	/* prefilter literals on client / server bytes */
	uint32_t *pat_first[2]; /* pattern id -> first index in pat_rules */
	uint32_t *pat_rules[2]; /* rule indexes grouped by pattern */
	size_t *always;		/* rules without a prefilter: checked on every record */
	size_t nalways;
	uint32_t nuid; /* distinct tests */
	bool need_server;
};

/* parse.c: adds the rules of text to rs (not yet compiled). */
int rules_parse(struct rules *rs, const char *name, const char *text, size_t len, char *err,
		size_t errlen);
void rules_rule_clear(struct rules_rule *ru);
/* match.c: checks ids, builds the automata.  0 or -errno (message in err). */
int rules_compile(struct rules *rs, char *err, size_t errlen);

/* fields.c */
/* Looks up or adds the field called name (len bytes) to rs.  Returns its
 * index, -EINVAL for an unknown name or -ENOMEM. */
int rules_field_get(struct rules *rs, const char *name, size_t len);

struct rules_val {
	const uint8_t *p;
	size_t len;
};


struct rules_fcache {
	bool done;
	size_t n;
	struct rules_val v[RULES_MAX_VALUES];
	struct buf store; /* unescaped JSON strings; reserved before use, never moves */
	char num[24];	  /* text of a number field */
};

struct rules_scratch {
	uint8_t *seen[2]; /* per prefilter pattern: found in this record */
	uint32_t *found[2];
	size_t *cand; /* candidate rules of this record */
	uint8_t *cand_mark;
	size_t ncand;
	struct rules_fcache *fc; /* per field */
	size_t nfc;
	bool http_done;
	struct http_req http[RULES_HTTP_MAX_REQS]; /* proto/http_parse.h */
	size_t nhttp;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	uint32_t gen;	    /* record number, for the memo */
	uint32_t *memo_gen; /* per test: gen when memo_val was set */
	uint8_t *memo_val;  /* per test: does a value satisfy it (before not) */
};

/* Values of field f for record r (cached in sc until rules_fields_reset). */
const struct rules_fcache *rules_field_values(const struct rules *rs, struct rules_scratch *sc,
					      unsigned f, const struct record *r);
void rules_fields_reset(struct rules_scratch *sc);
/* Finds dotted path in JSON members text ("\"a\":{...},\"b\":..." with or
 * without a leading comma); stores values in fc.  Returns 0 or -errno. */
int rules_json_lookup(const uint8_t *json, size_t len, const char *path, struct rules_fcache *fc);

#endif
