#include "rules/aho.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Trie node while patterns are added: children as a sibling list, so
 * adding costs memory per byte of pattern, not per byte value. */
struct aho_node {
	uint32_t child, sibling; /* 0 = none (node 0 is the root, never a child) */
	uint8_t byte;		 /* folded label of the edge into this node */
	int32_t out;		 /* pattern id ending here, or -1 */
};

/* The high bit of a transition marks "the target state reports a match";
 * the other bits are the target's row offset (state * ncls), so the scan
 * loop never multiplies. */
#define AHO_REPORT 0x80000000u

struct aho {
	struct aho_node *nodes;
	uint32_t nnodes, cap;
	uint32_t npat;
	/* after aho_compile */
	bool compiled;
	uint8_t cls[256]; /* byte -> class */
	uint32_t ncls;	  /* classes, class 0 = bytes in no pattern */
	uint32_t *delta;  /* nnodes * ncls transitions */
	uint32_t *dict;	  /* per state: next state on the fail chain with output, 0 = none */
};

static uint8_t aho_fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int aho_node_new(struct aho *a, uint8_t byte, uint32_t *idx)
{
	if (a->nnodes == a->cap) {
		uint32_t ncap = a->cap ? a->cap * 2 : 64;
		struct aho_node *nv;

		if (ncap > (AHO_REPORT >> 1))
			return -E2BIG;
		nv = realloc(a->nodes, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		a->nodes = nv;
		a->cap = ncap;
	}
	a->nodes[a->nnodes] = (struct aho_node){.byte = byte, .out = -1};
	*idx = a->nnodes++;
	return 0;
}

int aho_new(struct aho **out)
{
	struct aho *a = calloc(1, sizeof(*a));
	uint32_t root;
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	ret = aho_node_new(a, 0, &root);
	if (ret) {
		free(a);
		return ret;
	}
	*out = a;
	return 0;
}

static uint32_t aho_child(const struct aho *a, uint32_t s, uint8_t b)
{
	for (uint32_t c = a->nodes[s].child; c; c = a->nodes[c].sibling)
		if (a->nodes[c].byte == b)
			return c;
	return 0;
}

int aho_add(struct aho *a, const uint8_t *p, size_t n)
{
	uint32_t s = 0, c;
	int ret;

	if (a->compiled || !n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = aho_fold(p[i]);

		c = aho_child(a, s, b);
		if (!c) {
			ret = aho_node_new(a, b, &c);
			if (ret)
				return ret;
			a->nodes[c].sibling = a->nodes[s].child;
			a->nodes[s].child = c;
		}
		s = c;
	}
	if (a->nodes[s].out < 0) {
		if (a->npat >= INT32_MAX)
			return -E2BIG;
		a->nodes[s].out = (int32_t)a->npat++;
	}
	return a->nodes[s].out;
}

size_t aho_npatterns(const struct aho *a)
{
	return a->npat;
}

/* Classes: one per distinct folded byte on any edge; upper-case letters
 * share their lower-case letter's class. */
static void aho_classes(struct aho *a)
{
	bool used[256] = {false};

	for (uint32_t i = 1; i < a->nnodes; i++)
		used[a->nodes[i].byte] = true;
	memset(a->cls, 0, sizeof(a->cls));
	a->ncls = 1;
	for (unsigned b = 0; b < 256; b++)
		if (used[b])
			a->cls[b] = (uint8_t)a->ncls++;
	for (unsigned b = 'A'; b <= 'Z'; b++)
		a->cls[b] = a->cls[b + 32];
}

static uint32_t aho_target(const struct aho *a, uint32_t v)
{
	return (v & ~AHO_REPORT) / a->ncls;
}

/* Breadth-first: a state's failure transitions copy those of its failure
 * state, which is shallower and therefore already complete. */
static void aho_fill(struct aho *a, uint32_t *queue, uint32_t *fail)
{
	uint32_t head = 0, tail = 0, ncls = a->ncls;

	for (uint32_t c = a->nodes[0].child; c; c = a->nodes[c].sibling) {
		fail[c] = 0;
		queue[tail++] = c;
	}
	while (head < tail) {
		uint32_t s = queue[head++];
		uint32_t *row = a->delta + (size_t)s * ncls,
			 *frow = a->delta + (size_t)fail[s] * ncls;

		a->dict[s] = a->nodes[fail[s]].out >= 0 ? fail[s] : a->dict[fail[s]];
		for (uint32_t k = 0; k < ncls; k++) {
			uint32_t u = row[k];

			if (u == UINT32_MAX) {
				row[k] = frow[k];
				continue;
			}
			fail[u] = s ? aho_target(a, frow[k]) : 0;
			queue[tail++] = u;
			row[k] = u * ncls;
		}
	}
}

/* Marks each transition whose target reports a pattern. */
static void aho_mark(struct aho *a)
{
	size_t total = (size_t)a->nnodes * a->ncls;

	for (size_t i = 0; i < total; i++) {
		uint32_t t = aho_target(a, a->delta[i]);

		if (a->nodes[t].out >= 0 || a->dict[t])
			a->delta[i] |= AHO_REPORT;
	}
}

int aho_compile(struct aho *a)
{
	uint32_t *queue = NULL, *fail = NULL;
	size_t total;
	int ret = -ENOMEM;

	if (a->compiled)
		return -EINVAL;
	aho_classes(a);
	total = (size_t)a->nnodes * a->ncls;
	if (total >= (AHO_REPORT >> 1))
		return -E2BIG;
	a->delta = malloc(total * sizeof(*a->delta));
	a->dict = calloc(a->nnodes, sizeof(*a->dict));
	queue = malloc(a->nnodes * sizeof(*queue));
	fail = calloc(a->nnodes, sizeof(*fail));
	if (!a->delta || !a->dict || !queue || !fail)
		goto out;
	/* goto edges, UINT32_MAX = none yet; the root's missing edges loop */
	memset(a->delta, 0xff, total * sizeof(*a->delta));
	for (uint32_t k = 0; k < a->ncls; k++)
		a->delta[k] = 0;
	for (uint32_t s = 0; s < a->nnodes; s++)
		for (uint32_t c = a->nodes[s].child; c; c = a->nodes[c].sibling)
			a->delta[(size_t)s * a->ncls + a->cls[a->nodes[c].byte]] = c;
	/* the root's real children are filled as states by aho_fill */
	for (uint32_t c = a->nodes[0].child; c; c = a->nodes[c].sibling)
		a->delta[a->cls[a->nodes[c].byte]] = c * a->ncls;
	aho_fill(a, queue, fail);
	aho_mark(a);
	a->compiled = true;
	ret = 0;
out:
	free(queue);
	free(fail);
	return ret;
}

static size_t aho_report(const struct aho *a, uint32_t s, uint8_t *seen, uint32_t *found,
			 size_t nfound)
{
	if (a->nodes[s].out < 0)
		s = a->dict[s];
	for (; s; s = a->dict[s]) {
		uint32_t id = (uint32_t)a->nodes[s].out;

		if (!(seen[id >> 3] & (1u << (id & 7)))) {
			seen[id >> 3] |= (uint8_t)(1u << (id & 7));
			found[nfound++] = id;
		}
	}
	return nfound;
}

size_t aho_scan(const struct aho *a, const uint8_t *p, size_t n, uint8_t *seen, uint32_t *found)
{
	const uint32_t *delta = a->delta;
	const uint8_t *cls = a->cls;
	uint32_t v = 0;
	size_t nfound = 0;

	if (!a->compiled || !a->npat)
		return 0;
	for (size_t i = 0; i < n; i++) {
		v = delta[(v & ~AHO_REPORT) + cls[p[i]]];
		if (v & AHO_REPORT) {
			nfound = aho_report(a, aho_target(a, v), seen, found, nfound);
			if (nfound == a->npat)
				break;
		}
	}
	return nfound;
}

void aho_free(struct aho *a)
{
	if (!a)
		return;
	free(a->nodes);
	free(a->delta);
	free(a->dict);
	free(a);
}
