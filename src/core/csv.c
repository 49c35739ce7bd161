/*
** csv.c: strict CSV reader (see csv.h).  Owns the row buffer and the
** field arrays of a csv_reader; the input stays the caller's.
*/
#include "csv.h"

#include <string.h>

#include "util.h"
#include "xmalloc.h"

#define CSV_MAX_ROW (1 << 20) /* bytes of field text in one row */

int csv_init(csv_reader *r, const char *data, size_t len, char sep, int skip_space, kerr *e) {
    memset(r, 0, sizeof *r);
    if (!utf8_valid(data, len)) {
        size_t off = 0; /* find the first bad byte: the longest valid prefix */
        size_t lo = 0, hi = len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo + 1) / 2;
            if (utf8_valid(data, mid))
                lo = mid;
            else
                hi = mid - 1;
        }
        off = lo;
        /* A prefix may end inside a valid character; step to its start. */
        while (off > 0 && ((unsigned char)data[off] & 0xC0) == 0x80) off--;
        return kerr_set(e, KNIT_EINVAL, "invalid_utf8", "", "input is not valid UTF-8 at byte %zu",
                        off);
    }
    r->data = data;
    r->len = len;
    r->sep = sep ? sep : ',';
    r->skip_space = skip_space;
    r->next_line = 1;
    buf_init(&r->text, CSV_MAX_ROW);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
    return KNIT_OK;
}

/* Close the current field: record its offset and add the separator NUL. */
static int end_field(csv_reader *r, size_t start) {
    if (r->nfields == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        size_t *o = xrealloc(r->offs, (size_t)cap * sizeof *o);
        if (o == NULL) return KNIT_ENOMEM;
        r->offs = o;
        char **f = xrealloc(r->fields, (size_t)cap * sizeof *f);
        if (f == NULL) return KNIT_ENOMEM;
        r->fields = f;
        r->cap = cap;
    }
    r->offs[r->nfields++] = start;
    return buf_putc(&r->text, 0);
}

int csv_next(csv_reader *r, kerr *e) {
    r->nfields = 0;
    buf_reset(&r->text);
    if (r->pos >= r->len) return 0;
    r->line = r->next_line;
    const char *d = r->data;
    size_t start = 0;
    int rc = KNIT_OK, at_field_start = 1;
    while (rc == KNIT_OK) {
        if (at_field_start && r->skip_space && r->nfields > 0)
            while (r->pos < r->len && d[r->pos] == ' ') r->pos++;
        at_field_start = 0;
        if (r->pos < r->len && d[r->pos] == '"') {
            long opened = r->next_line;
            r->pos++;
            for (;;) {
                if (r->pos >= r->len)
                    return kerr_set(e, KNIT_EINVAL, "malformed_csv", "",
                                    "line %ld: quote opened here is never closed", opened);
                char c = d[r->pos++];
                if (c == '"') {
                    if (r->pos < r->len && d[r->pos] == '"') {
                        r->pos++;
                    } else {
                        break;
                    }
                } else if (c == '\n') {
                    r->next_line++;
                }
                if ((rc = buf_putc(&r->text, c)) != KNIT_OK) break;
            }
            if (rc) break;
            if (r->pos < r->len && d[r->pos] != r->sep && d[r->pos] != '\n' && d[r->pos] != '\r')
                return kerr_set(e, KNIT_EINVAL, "malformed_csv", "",
                                "line %ld: text after a closing quote", r->next_line);
        } else {
            while (r->pos < r->len && d[r->pos] != r->sep && d[r->pos] != '\n' &&
                   !(d[r->pos] == '\r' && r->pos + 1 < r->len && d[r->pos + 1] == '\n')) {
                if (d[r->pos] == '"')
                    return kerr_set(e, KNIT_EINVAL, "malformed_csv", "",
                                    "line %ld: quote inside an unquoted field", r->next_line);
                if ((rc = buf_putc(&r->text, d[r->pos++])) != KNIT_OK) break;
            }
            if (rc) break;
        }
        if ((rc = end_field(r, start)) != KNIT_OK) break;
        start = r->text.len;
        if (r->pos >= r->len) break;
        char c = d[r->pos++];
        if (c == r->sep) {
            at_field_start = 1;
            continue;
        }
        if (c == '\r') r->pos++; /* CRLF */
        r->next_line++;
        break;
    }
    if (rc) {
        return kerr_set(e, rc, rc == KNIT_ETOOBIG ? "row_too_long" : "out_of_memory", "",
                        "line %ld: %s", r->line,
                        rc == KNIT_ETOOBIG ? "row longer than 1 MiB" : "out of memory");
    }
    for (int i = 0; i < r->nfields; i++) r->fields[i] = r->text.data + r->offs[i];
    return 1;
}

void csv_free(csv_reader *r) {
    buf_free(&r->text);
    xfree(r->offs);
    xfree(r->fields);
    r->offs = NULL;
    r->fields = NULL;
    r->cap = r->nfields = 0;
}
