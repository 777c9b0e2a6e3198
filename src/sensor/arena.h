/* Packet arena: one preallocated block of fixed-size chunks, the sensor's
 * whole packet memory (--mem-budget).  Flows chain chunks; the capture
 * thread allocates, the writer thread frees after writing.  No allocation
 * after arena_init. */
#ifndef MITSU_ARENA_H
#define MITSU_ARENA_H
#include <pthread.h>
#include <stdint.h>

#define ARENA_CHUNK 512
#define ARENA_NONE UINT32_MAX

struct arena {
	uint8_t *mem;
	uint32_t *next;
	uint16_t *used;
	uint32_t nchunks;
	uint32_t free_head;
	uint32_t nfree;
	pthread_mutex_t lock;
};

int arena_init(struct arena *a, uint64_t budget_bytes);
void arena_destroy(struct arena *a);
uint32_t arena_alloc(struct arena *a); /* ARENA_NONE when exhausted */
/* Returns a whole chain (head..ARENA_NONE) to the free list. */
void arena_free_chain(struct arena *a, uint32_t head);
static inline uint8_t *arena_chunk(const struct arena *a, uint32_t i)
{
	return a->mem + (uint64_t)i * ARENA_CHUNK;
}
uint32_t arena_free_count(struct arena *a);

#endif
