/*
** csv.h: a strict CSV reader (RFC 4180 with two common liberties).
**
** Reads rows from a buffer the caller owns: fields separated by a
** separator (default ','), quoted with '"' ("" inside quotes is a quote),
** rows ended by LF or CRLF.  Liberties, both optional: spaces after a
** separator are skipped (FEBRL writes ", "), and a UTF-8 byte order mark
** at the start is ignored.  Invalid UTF-8 is an error naming the byte
** offset; an unterminated quote names the line where it opened.  Field
** strings stay valid until the next csv_next() or csv_free().
*/
#ifndef KNIT_CSV_H
#define KNIT_CSV_H

#include <stddef.h>

#include "../knit.h"
#include "buf.h"

typedef struct csv_reader {
    const char *data; /* input (borrowed) */
    size_t len;       /* input length */
    size_t pos;       /* next byte to read */
    long line;        /* line number where the current row started (1-based) */
    long next_line;   /* line number of the next row */
    char sep;         /* field separator */
    int skip_space;   /* 1: skip spaces after a separator */
    buf text;         /* the current row's field text, NUL-separated */
    size_t *offs;     /* offsets of each field in text */
    char **fields;    /* the current row's fields (into text) */
    int nfields;      /* fields in the current row */
    int cap;          /* capacity of offs and fields */
} csv_reader;

/* Start reading len bytes of data.  Checks the whole input is UTF-8 first
** (KNIT_EINVAL, code invalid_utf8, message with the byte offset). */
int csv_init(csv_reader *r, const char *data, size_t len, char sep, int skip_space, kerr *e);
/* Read the next row.  Returns 1 with r->fields/r->nfields set, 0 at end of
** input, or a negative error (KNIT_EINVAL with e naming the line, or
** KNIT_ENOMEM / KNIT_ETOOBIG for a row over 1 MiB). */
int csv_next(csv_reader *r, kerr *e);
void csv_free(csv_reader *r);

#endif
