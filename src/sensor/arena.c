#include "sensor/arena.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

int arena_init(struct arena *a, uint64_t budget_bytes)
{
	uint64_t n = budget_bytes / ARENA_CHUNK;

	if (n < 16 || n >= ARENA_NONE)
		return -EINVAL;
	a->nchunks = (uint32_t)n;
	/* Populated up front: first-touch page faults (and their TLB flushes)
	 * were the largest single cost under a flood.  RSS is then the budget
	 * from the start, which is what the operator configured. */
	a->mem = mmap(NULL, n * ARENA_CHUNK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (a->mem == MAP_FAILED) {
		a->mem = NULL;
		return -ENOMEM;
	}
	a->next = calloc(n, sizeof(*a->next));
	a->used = calloc(n, sizeof(*a->used));
	if (!a->next || !a->used) {
		arena_destroy(a);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		a->next[i] = i + 1 < n ? i + 1 : ARENA_NONE;
	a->free_head = 0;
	a->nfree = (uint32_t)n;
	pthread_mutex_init(&a->lock, NULL);
	return 0;
}

void arena_destroy(struct arena *a)
{
	if (a->mem)
		munmap(a->mem, (size_t)a->nchunks * ARENA_CHUNK);
	free(a->next);
	free(a->used);
	a->mem = NULL;
	a->next = NULL;
	a->used = NULL;
}

uint32_t arena_alloc(struct arena *a)
{
	uint32_t i;

	pthread_mutex_lock(&a->lock);
	i = a->free_head;
	if (i != ARENA_NONE) {
		a->free_head = a->next[i];
		__atomic_fetch_sub(&a->nfree, 1, __ATOMIC_RELAXED);
		a->next[i] = ARENA_NONE;
		a->used[i] = 0;
	}
	pthread_mutex_unlock(&a->lock);
	return i;
}

void arena_free_chain(struct arena *a, uint32_t head)
{
	uint32_t tail = head, n = 1;

	if (head == ARENA_NONE)
		return;
	while (a->next[tail] != ARENA_NONE) {
		tail = a->next[tail];
		n++;
	}
	pthread_mutex_lock(&a->lock);
	a->next[tail] = a->free_head;
	a->free_head = head;
	__atomic_fetch_add(&a->nfree, n, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&a->lock);
}

/* A lock-free read: callers only need an estimate to decide whether to
 * evict ahead of a large record. */
uint32_t arena_free_count(struct arena *a)
{
	return __atomic_load_n(&a->nfree, __ATOMIC_RELAXED);
}
