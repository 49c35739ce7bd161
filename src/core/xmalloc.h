/*
** xmalloc.h: Knit's allocator.
**
** Every allocation in Knit (and in jansson, which is pointed at it) goes
** through these functions.  They return NULL when memory runs out; callers
** must check.  Tests may ask the allocator to fail the Nth allocation from
** now, and may read how many allocations are still live to detect leaks.
** Memory from any of these functions is released with xfree().
*/
#ifndef KNIT_XMALLOC_H
#define KNIT_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);                  /* like malloc; NULL on failure */
void *xcalloc(size_t count, size_t size); /* like calloc; NULL on failure */
void *xrealloc(void *p, size_t n);        /* like realloc (n>0); NULL on failure, p kept */
char *xstrdup(const char *s);             /* copy of s, or NULL */
char *xstrndup(const char *s, size_t n);  /* copy of at most n bytes of s, NUL-added */
void xfree(void *p);                      /* release; NULL is ignored */

/* Test hooks.  xmalloc_fail_at(n) makes the nth allocation from now fail
** (1 = the next one); 0 turns injection off.  Counters are process-wide. */
void xmalloc_fail_at(long n);
long xmalloc_live(void);     /* allocations not yet freed */
long xmalloc_failures(void); /* injected failures so far */

#endif
