/*
** xmalloc.c: the counting allocator behind every Knit allocation.
**
** Owns three process-wide counters (live allocations, the countdown to an
** injected failure, and the number of injected failures), kept atomic so the
** server's worker threads can allocate freely.  Blocks are plain malloc()
** blocks; xfree() is free() plus bookkeeping.
*/
#include "xmalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live;      /* blocks handed out and not yet freed */
static atomic_long countdown; /* >0: allocations left before one fails */
static atomic_long failures;  /* injected failures so far */

/* Return 1 if this allocation must fail (injection), 0 otherwise. */
static int inject(void) {
    if (atomic_load_explicit(&countdown, memory_order_relaxed) <= 0) return 0;
    if (atomic_fetch_sub(&countdown, 1) == 1) {
        atomic_fetch_add(&failures, 1);
        return 1;
    }
    return 0;
}

void *xmalloc(size_t n) {
    if (inject()) return NULL;
    void *p = malloc(n ? n : 1);
    if (p) atomic_fetch_add(&live, 1);
    return p;
}

void *xcalloc(size_t count, size_t size) {
    if (inject()) return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p) atomic_fetch_add(&live, 1);
    return p;
}

void *xrealloc(void *p, size_t n) {
    if (p == NULL) return xmalloc(n);
    if (inject()) return NULL;
    return realloc(p, n ? n : 1);
}

char *xstrndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *d = xmalloc(len + 1);
    if (d == NULL) return NULL;
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}

char *xstrdup(const char *s) {
    return xstrndup(s, strlen(s));
}

void xfree(void *p) {
    if (p == NULL) return;
    atomic_fetch_sub(&live, 1);
    free(p);
}

void xmalloc_fail_at(long n) {
    atomic_store(&countdown, n);
}
long xmalloc_live(void) {
    return atomic_load(&live);
}
long xmalloc_failures(void) {
    return atomic_load(&failures);
}
