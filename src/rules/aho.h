/* Aho-Corasick multi-pattern matcher, ASCII case-insensitive.
 *
 * Written by hand: Debian has no small C library that builds a dense,
 * byte-class compressed DFA and reports "which of N patterns occur" in one
 * pass with a flat inner loop; this is ~250 lines.  Patterns are collected in
 * a trie (sibling lists), then aho_compile turns it into a full transition
 * table over byte classes (the distinct folded bytes of all patterns, plus
 * one class for every other byte), so scanning is one table load per byte. */
#ifndef MITSU_RULES_AHO_H
#define MITSU_RULES_AHO_H
#include <stddef.h>
#include <stdint.h>

struct aho;

int aho_new(struct aho **out);
/* Adds a pattern of 1..n bytes (compared after ASCII lower-casing).  Returns
 * its id (0, 1, ...; equal patterns get the same id) or -errno.  Only before
 * aho_compile. */
int aho_add(struct aho *a, const uint8_t *p, size_t n);
/* Builds the automaton.  0, -ENOMEM or -E2BIG (table over 2^31 entries). */
int aho_compile(struct aho *a);
size_t aho_npatterns(const struct aho *a);
/* Scans p[0..n): for each pattern id found whose seen[] bit is clear, sets
 * the bit and appends the id to found[] (room for aho_npatterns ids).
 * Returns the number appended.  seen[] has (npatterns + 7) / 8 bytes. */
size_t aho_scan(const struct aho *a, const uint8_t *p, size_t n, uint8_t *seen, uint32_t *found);
void aho_free(struct aho *a);

#endif
