/* Compiling a parsed rule set and matching records against it.
 *
 * Each rule's prefilter literal (see rp_anchor in parse.c) goes into one
 * Aho-Corasick automaton per direction; equal literals share a pattern id.
 * Per record: one automaton pass over the client bytes (and the server bytes
 * if any rule prefilters on them) yields the patterns present, hence the
 * candidate rules; only those, plus the few rules without a prefilter, are
 * checked condition by condition, cheap conditions before regexes. */
#include "rules/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "proto/proto.h"

static int rules_dup_ids(const struct rules *rs, char *err, size_t errlen);

struct rules_pair {
	uint32_t pat;
	uint32_t rule;
};

/* Groups the (pattern, rule) pairs of one side by pattern: rules of
 * pattern p are pat_rules[pat_first[p] .. pat_first[p + 1]). */
static int rules_group(struct rules *rs, int side, const struct rules_pair *pairs, size_t n)
{
	size_t npat = aho_npatterns(rs->ac[side]);
	uint32_t *first = calloc(npat + 1, sizeof(*first));
	uint32_t *list = malloc((n ? n : 1) * sizeof(*list));
	uint32_t *fill = calloc(npat + 1, sizeof(*fill));
	int ret = -ENOMEM;

	if (!first || !list || !fill)
		goto out;
	for (size_t i = 0; i < n; i++)
		first[pairs[i].pat + 1]++;
	for (size_t p = 0; p < npat; p++)
		first[p + 1] += first[p];
	memcpy(fill, first, (npat + 1) * sizeof(*fill));
	for (size_t i = 0; i < n; i++) /* rule order kept within a pattern */
		list[fill[pairs[i].pat]++] = pairs[i].rule;
	rs->pat_first[side] = first;
	rs->pat_rules[side] = list;
	first = list = NULL;
	ret = 0;
out:
	free(first);
	free(list);
	free(fill);
	return ret;
}

/* Adds each rule's prefilter to its side's automaton. */
static int rules_add_anchors(struct rules *rs, struct rules_pair *pairs[2], size_t npairs[2])
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rules_rule *ru = &rs->v[i];
		const struct rules_cond *c;
		int side, id;

		if (ru->anchor < 0) {
			rs->always[rs->nalways++] = i;
			continue;
		}
		c = &ru->conds[ru->anchor];
		side = rs->fields[c->field].side;
		id = aho_add(rs->ac[side], c->lit,
			     c->litlen < RULES_ANCHOR_MAX ? c->litlen : RULES_ANCHOR_MAX);
		if (id < 0)
			return id;
		pairs[side][npairs[side]++] = (struct rules_pair){(uint32_t)id, (uint32_t)i};
		rs->need_server |= side == 1;
	}
	return 0;
}

static uint64_t rules_cond_hash(const struct rules_cond *c)
{
	uint64_t h = 1469598103934665603ull;

	h = (h ^ c->field) * 1099511628211ull;
	h = (h ^ (uint64_t)c->op) * 1099511628211ull;
	h = (h ^ (c->nocase ? 1u : 0u) ^ (uint64_t)c->reopts << 8) * 1099511628211ull;
	for (size_t i = 0; i < c->litlen; i++)
		h = (h ^ c->lit[i]) * 1099511628211ull;
	return h;
}

static bool rules_cond_same(const struct rules_cond *a, const struct rules_cond *b)
{
	return a->field == b->field && a->op == b->op && a->nocase == b->nocase &&
	       a->reopts == b->reopts && a->litlen == b->litlen &&
	       (!a->litlen || !memcmp(a->lit, b->lit, a->litlen));
}

/* Numbers the distinct tests (negation aside: `not` applies after the
 * memo), so twenty rules sharing `match http.method is "POST"` run it once
 * per record.  Open addressing over a power-of-two table. */
static int rules_number_conds(struct rules *rs)
{
	size_t total = 0, cap = 16;
	const struct rules_cond **tab;

	for (size_t i = 0; i < rs->n; i++)
		total += rs->v[i].nconds;
	while (cap < 2 * total)
		cap *= 2;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	rs->nuid = 0;
	for (size_t i = 0; i < rs->n; i++)
		for (size_t k = 0; k < rs->v[i].nconds; k++) {
			struct rules_cond *c = &rs->v[i].conds[k];
			size_t h = (size_t)rules_cond_hash(c) & (cap - 1);

			while (tab[h] && !rules_cond_same(tab[h], c))
				h = (h + 1) & (cap - 1);
			if (!tab[h]) {
				tab[h] = c;
				c->uid = rs->nuid++;
				if (c->re) /* the interpreter is the fallback if JIT fails */
					pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
				continue;
			}
			c->uid = tab[h]->uid;
			if (c->re && !c->re_shared) {
				pcre2_code_free(c->re);
				c->re = tab[h]->re;
				c->re_shared = true;
			}
		}
	free(tab);
	return 0;
}

int rules_compile(struct rules *rs, char *err, size_t errlen)
{
	struct rules_pair *pairs[2] = {NULL, NULL};
	size_t npairs[2] = {0, 0};
	int ret = rules_dup_ids(rs, err, errlen);

	if (!ret)
		ret = rules_number_conds(rs);
	if (ret)
		return ret;
	ret = -ENOMEM;
	pairs[0] = malloc((rs->n + 1) * sizeof(**pairs));
	pairs[1] = malloc((rs->n + 1) * sizeof(**pairs));
	rs->always = malloc((rs->n + 1) * sizeof(*rs->always));
	if (!pairs[0] || !pairs[1] || !rs->always)
		goto out;
	for (int side = 0; side < 2; side++)
		if ((ret = aho_new(&rs->ac[side])))
			goto out;
	if ((ret = rules_add_anchors(rs, pairs, npairs)))
		goto out;
	for (int side = 0; side < 2 && !ret; side++) {
		ret = aho_compile(rs->ac[side]);
		if (!ret)
			ret = rules_group(rs, side, pairs[side], npairs[side]);
	}
out:
	if (ret && errlen && !err[0])
		snprintf(err, errlen, "compiling the rules: %s",
			 ret == -E2BIG ? "too many literals" : strerror(-ret));
	free(pairs[0]);
	free(pairs[1]);
	return ret;
}

static int rules_cmp_id(const void *a, const void *b)
{
	const struct rules_rule *x = *(const struct rules_rule *const *)a;
	const struct rules_rule *y = *(const struct rules_rule *const *)b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* Rule ids are unique across all files: sorted, neighbours compared. */
static int rules_dup_ids(const struct rules *rs, char *err, size_t errlen)
{
	const struct rules_rule **v = malloc((rs->n + 1) * sizeof(*v));
	int ret = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < rs->n; i++)
		v[i] = &rs->v[i];
	qsort(v, rs->n, sizeof(*v), rules_cmp_id);
	for (size_t i = 1; i < rs->n && !ret; i++) {
		if (strcmp(v[i - 1]->id, v[i]->id))
			continue;
		if (errlen)
			snprintf(err, errlen, "%s:%u: duplicate rule id '%s' (first at %s:%u)",
				 v[i]->file, v[i]->line, v[i]->id, v[i - 1]->file, v[i - 1]->line);
		ret = -EINVAL;
	}
	free(v);
	return ret;
}

int rules_load_text(struct rules **out, const char *name, const char *text, size_t len, char *err,
		    size_t errlen)
{
	struct rules *rs = calloc(1, sizeof(*rs));
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = 0;
	if (!rs)
		return -ENOMEM;
	ret = rules_parse(rs, name, text, len, err, errlen);
	if (!ret)
		ret = rules_compile(rs, err, errlen);
	if (ret) {
		rules_free(rs);
		return ret;
	}
	*out = rs;
	return 0;
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rules_rule_clear(&rs->v[i]);
	free(rs->v);
	for (size_t i = 0; i < rs->nfields; i++) {
		free(rs->fields[i].name);
		free(rs->fields[i].arg);
	}
	free(rs->fields);
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	for (int side = 0; side < 2; side++) {
		aho_free(rs->ac[side]);
		free(rs->pat_first[side]);
		free(rs->pat_rules[side]);
	}
	free(rs->always);
	free(rs);
}

size_t rules_count(const struct rules *rs)
{
	return rs ? rs->n : 0;
}

const char *rules_id(const struct rules *rs, size_t i)
{
	return rs && i < rs->n ? rs->v[i].id : NULL;
}

const char *rules_tag(const struct rules *rs, size_t i, size_t k)
{
	return rs && i < rs->n && k < rs->v[i].ntags ? rs->v[i].tags[k] : NULL;
}

/* ---- per-record scratch ---- */

int rules_scratch_new(const struct rules *rs, struct rules_scratch **out)
{
	struct rules_scratch *sc = calloc(1, sizeof(*sc));
	int ret = -ENOMEM;

	*out = NULL;
	if (!sc)
		return -ENOMEM;
	for (int side = 0; side < 2; side++) {
		size_t npat = aho_npatterns(rs->ac[side]);

		sc->seen[side] = calloc(npat / 8 + 1, 1);
		sc->found[side] = malloc((npat + 1) * sizeof(uint32_t));
		if (!sc->seen[side] || !sc->found[side])
			goto out;
	}
	sc->cand = malloc((rs->n + 1) * sizeof(*sc->cand));
	sc->cand_mark = calloc(rs->n / 8 + 1, 1);
	sc->fc = calloc(rs->nfields + 1, sizeof(*sc->fc));
	sc->nfc = rs->nfields;
	sc->memo_gen = calloc(rs->nuid + 1, sizeof(*sc->memo_gen));
	sc->memo_val = calloc(rs->nuid + 1, 1);
	sc->md = pcre2_match_data_create(1, NULL);
	sc->mctx = pcre2_match_context_create(NULL);
	if (!sc->cand || !sc->cand_mark || !sc->fc || !sc->md || !sc->mctx || !sc->memo_gen ||
	    !sc->memo_val)
		goto out;
	/* A hostile payload must not make one regex run for long. */
	pcre2_set_match_limit(sc->mctx, RULES_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(sc->mctx, RULES_REGEX_DEPTH_LIMIT);
	*out = sc;
	sc = NULL;
	ret = 0;
out:
	rules_scratch_free(sc);
	return ret;
}

void rules_scratch_free(struct rules_scratch *sc)
{
	if (!sc)
		return;
	for (int side = 0; side < 2; side++) {
		free(sc->seen[side]);
		free(sc->found[side]);
	}
	free(sc->cand);
	free(sc->cand_mark);
	free(sc->memo_gen);
	free(sc->memo_val);
	for (size_t i = 0; sc->fc && i < sc->nfc; i++)
		buf_free(&sc->fc[i].store);
	free(sc->fc);
	pcre2_match_data_free(sc->md);
	pcre2_match_context_free(sc->mctx);
	free(sc);
}

void rules_fields_reset(struct rules_scratch *sc)
{
	for (size_t i = 0; i < sc->nfc; i++)
		sc->fc[i].done = false;
	sc->http_done = false;
	sc->nhttp = 0;
}

/* ---- matching ---- */

static uint8_t rules_fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static bool rules_eq(const uint8_t *a, const uint8_t *b, size_t n, bool nocase)
{
	if (!nocase)
		return !memcmp(a, b, n);
	for (size_t i = 0; i < n; i++)
		if (rules_fold(a[i]) != rules_fold(b[i]))
			return false;
	return true;
}

static bool rules_find(const uint8_t *h, size_t n, const uint8_t *k, size_t m, bool nocase)
{
	uint8_t f;

	if (m > n)
		return false;
	if (!nocase)
		return memmem(h, n, k, m) != NULL;
	f = rules_fold(k[0]);
	for (size_t i = 0; i + m <= n; i++)
		if (rules_fold(h[i]) == f && rules_eq(h + i + 1, k + 1, m - 1, true))
			return true;
	return false;
}

static bool rules_test(struct rules_scratch *sc, const struct rules_cond *c,
		       const struct rules_val *v)
{
	switch (c->op) {
	case RO_CONTAINS:
		return rules_find(v->p, v->len, c->lit, c->litlen, c->nocase);
	case RO_IS:
		return v->len == c->litlen && rules_eq(v->p, c->lit, c->litlen, c->nocase);
	case RO_STARTS:
		return v->len >= c->litlen && rules_eq(v->p, c->lit, c->litlen, c->nocase);
	case RO_ENDS:
		return v->len >= c->litlen &&
		       rules_eq(v->p + v->len - c->litlen, c->lit, c->litlen, c->nocase);
	case RO_REGEX:
		/* errors (match limit hit, ...) count as no match */
		return pcre2_match(c->re, v->p ? v->p : (const uint8_t *)"", v->len, 0, 0, sc->md,
				   sc->mctx) >= 0;
	default:
		return false;
	}
}

static bool rules_cond_holds(const struct rules *rs, struct rules_scratch *sc,
			     const struct rules_cond *c, const struct record *r)
{
	const struct rules_fcache *fc;
	bool any = false;

	if (sc->memo_gen[c->uid] == sc->gen)
		return sc->memo_val[c->uid] != c->neg;
	fc = rules_field_values(rs, sc, c->field, r);
	if (c->op == RO_EXISTS)
		any = fc->n > 0;
	for (size_t i = 0; c->op != RO_EXISTS && !any && i < fc->n; i++)
		any = rules_test(sc, c, &fc->v[i]);
	sc->memo_gen[c->uid] = sc->gen;
	sc->memo_val[c->uid] = any;
	return any != c->neg;
}

static bool rules_gates(const struct rules_rule *ru, const struct record *r)
{
	bool port = !ru->nports;

	if (ru->proto && ru->proto != r->proto)
		return false;
	for (size_t i = 0; i < ru->nports && !port; i++)
		port = r->dport >= ru->ports[i].lo && r->dport <= ru->ports[i].hi;
	if (!port)
		return false;
	return !ru->service || !strncmp(ru->service, r->service, sizeof(r->service));
}

/* All conditions, literals and fields first, regexes last. */
static bool rules_rule_holds(const struct rules *rs, struct rules_scratch *sc,
			     const struct rules_rule *ru, const struct record *r)
{
	if (!rules_gates(ru, r))
		return false;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ru->nconds; i++) {
			const struct rules_cond *c = &ru->conds[i];

			if ((c->op == RO_REGEX) == (pass == 1) && !rules_cond_holds(rs, sc, c, r))
				return false;
		}
	return true;
}

static void rules_candidate(struct rules_scratch *sc, size_t i)
{
	if (sc->cand_mark[i >> 3] & (1u << (i & 7)))
		return;
	sc->cand_mark[i >> 3] |= (uint8_t)(1u << (i & 7));
	sc->cand[sc->ncand++] = i;
}

/* One automaton pass over one direction's bytes; the rules of each pattern
 * found become candidates. */
static void rules_prefilter(const struct rules *rs, struct rules_scratch *sc, int side,
			    const uint8_t *p, size_t n)
{
	size_t nf;

	if (!p || !n)
		return;
	nf = aho_scan(rs->ac[side], p, n < RULES_SCAN_MAX ? n : RULES_SCAN_MAX, sc->seen[side],
		      sc->found[side]);
	for (size_t k = 0; k < nf; k++) {
		uint32_t id = sc->found[side][k];

		sc->seen[side][id >> 3] = 0; /* leave the bitmap clear for the next record */
		for (uint32_t j = rs->pat_first[side][id]; j < rs->pat_first[side][id + 1]; j++)
			rules_candidate(sc, rs->pat_rules[side][j]);
	}
}

static int rules_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* ,"rules":{"ids":[...],"refs":[...]} for the rules that matched. */
static int rules_member(const struct rules *rs, struct record *r, const size_t *m, size_t n)
{
	const char *seen[64];
	size_t mark, nseen = 0;
	struct json j;

	proto_member_begin(&j, r, "rules", &mark);
	json_key(&j, "ids");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_val_cstr(&j, rs->v[m[i]].id);
	json_arr_end(&j);
	json_key(&j, "refs");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < rs->v[m[i]].nrefs; k++) {
			const char *ref = rs->v[m[i]].refs[k];
			bool dup = false;

			for (size_t s = 0; s < nseen && !dup; s++)
				dup = !strcmp(seen[s], ref);
			if (dup || nseen == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[nseen++] = ref;
			json_val_cstr(&j, ref);
		}
	json_arr_end(&j);
	return proto_member_end(&j, r, mark);
}

int rules_apply(const struct rules *rs, struct rules_scratch *sc, struct record *r, size_t *hits,
		size_t nhits)
{
	size_t nmatch = 0;
	int ret = 0;

	if (!rs || !sc)
		return 0;
	sc->ncand = 0;
	if (++sc->gen == 0) { /* wrapped: forget every memo */
		memset(sc->memo_gen, 0, (rs->nuid + 1) * sizeof(*sc->memo_gen));
		sc->gen = 1;
	}
	rules_fields_reset(sc);
	rules_prefilter(rs, sc, 0, r->payload, r->payload_len);
	if (rs->need_server)
		rules_prefilter(rs, sc, 1, r->server_payload, r->server_payload_len);
	for (size_t i = 0; i < rs->nalways; i++)
		rules_candidate(sc, rs->always[i]);
	qsort(sc->cand, sc->ncand, sizeof(*sc->cand), rules_cmp_size);
	for (size_t k = 0; k < sc->ncand; k++) {
		size_t i = sc->cand[k];

		sc->cand_mark[i >> 3] = 0;
		if (!rules_rule_holds(rs, sc, &rs->v[i], r))
			continue;
		for (size_t t = 0; t < rs->v[i].ntags; t++)
			record_add_tag(r, rs->v[i].tags[t]); /* a full tag list is not an error */
		if (hits && nmatch < nhits)
			hits[nmatch] = i;
		sc->cand[nmatch++] = i; /* k >= nmatch: reuse the array for the member */
	}
	if (nmatch)
		ret = rules_member(rs, r, sc->cand, nmatch);
	return ret ? ret : (int)(nmatch > INT32_MAX ? INT32_MAX : nmatch);
}
