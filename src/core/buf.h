/*
** buf.h: the one growable byte buffer, with a mandatory ceiling.
**
** A buf owns its data (from xmalloc); the data is always NUL-terminated so it
** can be used as a C string.  Appends that would pass the ceiling fail with
** KNIT_ETOOBIG and leave the buffer as it was; allocation failure gives
** KNIT_ENOMEM, likewise leaving it unchanged.
*/
#ifndef KNIT_BUF_H
#define KNIT_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* contents, NUL-terminated; NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* ceiling on len */
} buf;

void buf_init(buf *b, size_t max);               /* empty buffer holding at most max bytes */
int buf_append(buf *b, const void *p, size_t n); /* add n bytes */
int buf_puts(buf *b, const char *s);             /* add a C string */
int buf_putc(buf *b, char c);                    /* add one byte */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
const char *buf_str(const buf *b); /* contents as a string ("" if empty) */
char *buf_detach(buf *b);          /* hand the data to the caller (xfree it); b is emptied */
void buf_reset(buf *b);            /* len = 0, memory kept */
void buf_free(buf *b);             /* release the memory; b is emptied */

#endif
