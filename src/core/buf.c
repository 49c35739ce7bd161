/*
** buf.c: bounded growable buffer (see buf.h).
*/
#include "buf.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "../knit.h"
#include "xmalloc.h"

void buf_init(buf *b, size_t max) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Make room for n more bytes plus the NUL.  Returns KNIT_OK or an error. */
static int grow(buf *b, size_t n) {
    if (n > b->max || b->len > b->max - n) return KNIT_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap) return KNIT_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > (SIZE_MAX / 2) ? need : cap * 2;
    if (cap > b->max + 1) cap = b->max + 1;
    char *p = xrealloc(b->data, cap);
    if (p == NULL) return KNIT_ENOMEM;
    b->data = p;
    b->cap = cap;
    return KNIT_OK;
}

int buf_append(buf *b, const void *p, size_t n) {
    int rc = grow(b, n);
    if (rc != KNIT_OK) return rc;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return KNIT_OK;
}

int buf_puts(buf *b, const char *s) {
    return buf_append(b, s, strlen(s));
}

int buf_putc(buf *b, char c) {
    return buf_append(b, &c, 1);
}

int buf_vprintf(buf *b, const char *fmt, va_list ap) {
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) return KNIT_EINVAL;
    int rc = grow(b, (size_t)n);
    if (rc != KNIT_OK) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return KNIT_OK;
}

int buf_printf(buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const buf *b) {
    return b->data ? b->data : "";
}

char *buf_detach(buf *b) {
    char *p = b->data;
    if (p == NULL) p = xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_reset(buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

void buf_free(buf *b) {
    xfree(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
