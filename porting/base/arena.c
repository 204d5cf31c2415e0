#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size, used;
    /* data follows, 16-byte aligned */
} block;

#define HDR ((sizeof(block) + 15) & ~(size_t)15)

struct cf_arena {
    block *head;      /* current block for small allocations */
    block *big;       /* dedicated blocks for large allocations */
    size_t total;
};

cf_arena *cf_arena_new(void)
{
    return calloc(1, sizeof(cf_arena));
}

static void free_list(block *b)
{
    while (b) {
        block *n = b->next;
        free(b);
        b = n;
    }
}

void cf_arena_free(cf_arena *a)
{
    if (!a)
        return;
    free_list(a->head);
    free_list(a->big);
    free(a);
}

static block *new_block(size_t size)
{
    if (size > SIZE_MAX - HDR)
        return NULL;
    block *b = malloc(HDR + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *cf_arena_alloc(cf_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - 15)
        return NULL;
    n = (n + 15) & ~(size_t)15;
    if (n > CF_ARENA_BLOCK / 4) {
        block *b = new_block(n);
        if (!b)
            return NULL;
        b->used = n;
        b->next = a->big;
        a->big = b;
        a->total += n;
        return (char *)b + HDR;
    }
    if (!a->head || a->head->size - a->head->used < n) {
        block *b = new_block(CF_ARENA_BLOCK);
        if (!b)
            return NULL;
        b->next = a->head;
        a->head = b;
        a->total += CF_ARENA_BLOCK;
    }
    void *p = (char *)a->head + HDR + a->head->used;
    a->head->used += n;
    return p;
}

void *cf_arena_calloc(cf_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = cf_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, (count * size) != 0 ? count * size : 1);
    return p;
}

void *cf_arena_memdup(cf_arena *a, const void *p, size_t n)
{
    void *q = cf_arena_alloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

char *cf_arena_strndup(cf_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *q = cf_arena_alloc(a, n + 1);
    if (!q)
        return NULL;
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *cf_arena_strdup(cf_arena *a, const char *s)
{
    return s ? cf_arena_strndup(a, s, strlen(s)) : NULL;
}

void *cf_arena_grow(cf_arena *a, void *old, size_t old_n, size_t new_n, size_t size)
{
    void *p = cf_arena_calloc(a, new_n, size);
    if (p && old && old_n)
        memcpy(p, old, (old_n < new_n ? old_n : new_n) * size);
    return p;
}

size_t cf_arena_bytes(const cf_arena *a)
{
    return a ? a->total : 0;
}
