/* arena.h — bump allocator that owns everything in one graph.
 *
 * A model is built once and freed whole, so per-object free() would only add
 * bookkeeping. Small allocations come from blocks of CF_ARENA_BLOCK bytes;
 * a request larger than a quarter of a block (initializer data) gets a block
 * of its own so big weights waste nothing. Allocation failure returns NULL and
 * leaves the arena usable. */
#ifndef CF_ARENA_H
#define CF_ARENA_H

#include <stddef.h>

typedef struct cf_arena cf_arena;

#define CF_ARENA_BLOCK ((size_t)64 * 1024)

cf_arena *cf_arena_new(void);
void cf_arena_free(cf_arena *a);          /* NULL is a no-op */

void *cf_arena_alloc(cf_arena *a, size_t n);      /* 16-byte aligned, uninitialised */
void *cf_arena_calloc(cf_arena *a, size_t count, size_t size); /* zeroed; checks overflow */
void *cf_arena_memdup(cf_arena *a, const void *p, size_t n);
char *cf_arena_strdup(cf_arena *a, const char *s);    /* NULL in, NULL out (not an error) */
char *cf_arena_strndup(cf_arena *a, const char *s, size_t n);

/* Grows an array allocated from the arena: the old storage is abandoned (freed
 * with the arena), the first old_n*size bytes are copied. */
void *cf_arena_grow(cf_arena *a, void *old, size_t old_n, size_t new_n, size_t size);

size_t cf_arena_bytes(const cf_arena *a);          /* total bytes held, for reports */

#endif
