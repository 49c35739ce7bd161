/*
** dataset.c: loading person records from CSV for batch matching (see
** dataset.h).
*/
#include "dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/csv.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "normalize.h"

const char *const mf_names[MF_COUNT] = {"given_name", "surname",       "date_of_birth",
                                        "id_number",  "postcode",      "suburb",
                                        "state",      "street_number", "address"};

/* Header names recognised without a mapping, per field. */
static const char *const aliases[MF_COUNT][8] = {
    {"given_name", "given", "first_name", "firstname", "forename", NULL},
    {"surname", "family_name", "last_name", "lastname", NULL},
    {"date_of_birth", "dob", "birth_date", "birthdate", NULL},
    {"id_number", "soc_sec_id", "national_id", "passport", "identifier", NULL},
    {"postcode", "zip", "zip_code", "postal_code", NULL},
    {"suburb", "village", "town", "city", "locality", NULL},
    {"state", "province", "region", NULL},
    {"street_number", "house_number", NULL},
    {"address", "address_1", "address_2", "street", NULL},
};

char *ds_read_file(const char *path, size_t *len, kerr *e) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        kerr_set(e, KNIT_EIO, "io_error", "FILE", "cannot read %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)1 << 32) {
        close(fd);
        kerr_set(e, KNIT_EINVAL, "invalid_file", "FILE", "%s is not a regular file under 4 GiB",
                 path);
        return NULL;
    }
    char *p = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (p && got < (size_t)st.st_size) {
        ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (p == NULL || got != (size_t)st.st_size) {
        xfree(p);
        kerr_set(e, KNIT_EIO, "io_error", "FILE", "cannot read %s", path);
        return NULL;
    }
    p[got] = 0;
    *len = got;
    return p;
}

/* Names are folded with titles dropped; other fields keep every token. */
static int is_name(int field) {
    return field == MF_GIVEN || field == MF_SURNAME;
}

/* ASCII fast path of mt_fold: lower case, anything but letters and digits
** is a space, spaces collapsed.  Returns NULL if s is not all ASCII. */
static char *fold_ascii(const char *s, int name) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return NULL;
    char *o = xmalloc(n + 1);
    if (o == NULL) return NULL;
    size_t j = 0;
    const char *p = s;
    while (*p) {
        while (*p &&
               !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            p++;
        if (!*p) break;
        size_t start = j;
        if (j) o[j++] = ' ';
        size_t ts = j;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
            char c = *p++;
            o[j++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        o[j] = 0;
        if (name && mt_is_title(o + ts)) j = start; /* drop the title */
    }
    o[j] = 0;
    return o;
}

int ds_value(mt_value *v, const char *s, int field) {
    memset(v, 0, sizeof *v);
    char *f = fold_ascii(s, is_name(field));
    if (f == NULL) f = mt_fold(s, is_name(field) ? 0 : MT_FOLD_KEEP_TITLES);
    if (f == NULL) return KNIT_ENOMEM;
    size_t n = strlen(f);
    uint32_t *u = xmalloc((n + 1) * sizeof *u);
    if (u == NULL) {
        xfree(f);
        return KNIT_ENOMEM;
    }
    int k = mt_utf32(f, u, (int)n + 1);
    if (k > MT_MAX_LEN) k = MT_MAX_LEN;
    v->s = f;
    v->u = u;
    v->n = k < 0 ? 0 : k;
    return KNIT_OK;
}

/* Parse YYYYMMDD, YYYY-MM-DD or YYYY into d; 0 on success. */
static int parse_dob(const char *s, mt_date *d) {
    memset(d, 0, sizeof *d);
    char tmp[16];
    size_t n = strlen(s);
    if (n == 8) {
        int ok = 1;
        for (int i = 0; i < 8; i++) ok &= s[i] >= '0' && s[i] <= '9';
        if (!ok) return -1;
        snprintf(tmp, sizeof tmp, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        s = tmp;
        n = 10;
    }
    if (n == 10) return date_parse(s, &d->y, &d->m, &d->d) ? -1 : 0;
    if (n == 4) {
        int64_t y;
        if (parse_i64(s, 1800, 2200, &y)) return -1;
        d->y = (int)y;
        return 0;
    }
    return -1;
}

/* FEBRL truth: "rec-12-org" and "rec-12-dup-3" are entity "rec-12". */
static char *truth_key(const char *s) {
    const char *cut = strstr(s, "-org");
    if (cut == NULL) cut = strstr(s, "-dup-");
    return xstrndup(s, cut ? (size_t)(cut - s) : strlen(s));
}

/* Column index of each field (-1 none; address may take two), from the
** mapping or the aliases. */
static int map_columns(csv_reader *r, const ds_opts *o, int col[MF_COUNT][2], int *truth_col,
                       kerr *e) {
    for (int f = 0; f < MF_COUNT; f++) col[f][0] = col[f][1] = -1;
    *truth_col = -1;
    for (int c = 0; c < r->nfields; c++) {
        const char *h = r->fields[c];
        if (o->truth && strcmp(h, o->truth) == 0) *truth_col = c;
        if (o->map) continue;
        for (int f = 0; f < MF_COUNT; f++)
            for (int a = 0; aliases[f][a]; a++)
                if (strcmp(aliases[f][a], h) == 0) {
                    if (col[f][0] < 0)
                        col[f][0] = c;
                    else if (col[f][1] < 0)
                        col[f][1] = c;
                }
    }
    if (o->truth && *truth_col < 0)
        return kerr_set(e, KNIT_EINVAL, "unknown_column", "--truth", "no column named '%.60s'",
                        o->truth);
    for (const char *p = o->map; p && *p;) {
        const char *end = strchr(p, ','), *eq = strchr(p, '=');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (eq == NULL || eq > p + len)
            return kerr_set(e, KNIT_EINVAL, "invalid_value", "--map",
                            "--map takes field=column pairs separated by commas");
        int f = 0;
        while (f < MF_COUNT && (strlen(mf_names[f]) != (size_t)(eq - p) ||
                                strncmp(mf_names[f], p, (size_t)(eq - p))))
            f++;
        if (f == MF_COUNT)
            return kerr_set(e, KNIT_EINVAL, "unknown_value", "--map", "unknown field '%.*s'",
                            (int)(eq - p), p);
        int c = 0;
        size_t cl = len - (size_t)(eq - p) - 1;
        while (c < r->nfields && (strlen(r->fields[c]) != cl || strncmp(r->fields[c], eq + 1, cl)))
            c++;
        if (c == r->nfields)
            return kerr_set(e, KNIT_EINVAL, "unknown_column", "--map", "no column named '%.*s'",
                            (int)cl, eq + 1);
        col[f][col[f][0] < 0 ? 0 : 1] = c;
        p += len + (end ? 1 : 0);
    }
    for (const char *p = o->drop; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int f = 0;
        while (f < MF_COUNT && (strlen(mf_names[f]) != len || strncmp(mf_names[f], p, len))) f++;
        if (f == MF_COUNT) {
            /* Accept column aliases too: --drop soc_sec_id,date_of_birth. */
            for (f = 0; f < MF_COUNT; f++) {
                int a = 0;
                while (aliases[f][a] &&
                       (strlen(aliases[f][a]) != len || strncmp(aliases[f][a], p, len)))
                    a++;
                if (aliases[f][a]) break;
            }
        }
        if (f == MF_COUNT)
            return kerr_set(e, KNIT_EINVAL, "unknown_value", "--drop", "unknown field '%.*s'",
                            (int)len, p);
        col[f][0] = col[f][1] = -1;
        p += len + (end ? 1 : 0);
    }
    return KNIT_OK;
}

int ds_load(mt_dataset *ds, const char *text, size_t len, const ds_opts *o, kerr *e) {
    memset(ds, 0, sizeof *ds);
    csv_reader r;
    int rc = csv_init(&r, text, len, ',', 1, e);
    if (rc) return rc;
    rc = csv_next(&r, e);
    if (rc != 1) {
        csv_free(&r);
        return rc < 0 ? rc : kerr_set(e, KNIT_EINVAL, "empty_file", "FILE", "no header row");
    }
    int col[MF_COUNT][2], tcol, ncols = r.nfields;
    rc = map_columns(&r, o, col, &tcol, e);
    for (int f = 0; f < MF_COUNT; f++) ds->has[f] = col[f][0] >= 0;
    int cap = 0;
    while (rc == KNIT_OK && (rc = csv_next(&r, e)) == 1) {
        rc = KNIT_OK;
        if (r.nfields == 1 && r.fields[0][0] == 0) continue; /* blank line */
        if (r.nfields != ncols) {
            if (o->strict) {
                rc = kerr_set(e, KNIT_EINVAL, "malformed_row", "",
                              "line %ld: %d fields, header has %d", r.line, r.nfields, ncols);
                break;
            }
            fprintf(stderr, "knit: line %ld: %d fields, header has %d; skipped\n", r.line,
                    r.nfields, ncols);
            ds->skipped++;
            continue;
        }
        if (ds->n == cap) {
            cap = cap ? cap * 2 : 1024;
            mt_rec *nr = xrealloc(ds->r, (size_t)cap * sizeof *nr);
            if (nr == NULL) {
                rc = kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
                break;
            }
            ds->r = nr;
        }
        mt_rec *rec = &ds->r[ds->n];
        memset(rec, 0, sizeof *rec);
        rec->line = r.line;
        ds->n++;
        for (int f = 0; f < MF_COUNT && rc == KNIT_OK; f++) {
            char joined[1024];
            const char *v = col[f][0] >= 0 ? r.fields[col[f][0]] : "";
            if (col[f][1] >= 0) {
                snprintf(joined, sizeof joined, "%s %s", v, r.fields[col[f][1]]);
                v = joined;
            }
            rc = ds_value(&rec->f[f], v, f);
            if (rc == KNIT_OK && f == MF_DOB && rec->f[f].n && parse_dob(v, &rec->dob)) {
                ds->bad_dates++; /* kept as text for the typo level, unknown as a date */
            }
        }
        if (rc == KNIT_OK && tcol >= 0 && (rec->truth = truth_key(r.fields[tcol])) == NULL)
            rc = KNIT_ENOMEM;
        if (rc) kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    }
    csv_free(&r);
    if (rc < 0) {
        ds_free(ds);
        return rc;
    }
    return KNIT_OK;
}

int ds_field_of(const char *header) {
    for (int f = 0; f < MF_COUNT; f++) {
        if (strcmp(mf_names[f], header) == 0) return f;
        for (int a = 0; aliases[f][a]; a++)
            if (strcmp(aliases[f][a], header) == 0) return f;
    }
    return -1;
}

int ds_set(mt_rec *r, int f, const char *raw, int *bad_date) {
    char joined[1024];
    if (r->f[f].n && f == MF_ADDRESS) {
        snprintf(joined, sizeof joined, "%s %s", r->f[f].s, raw);
        raw = joined;
    }
    xfree(r->f[f].s);
    xfree(r->f[f].u);
    int rc = ds_value(&r->f[f], raw, f);
    *bad_date = 0;
    if (rc == KNIT_OK && f == MF_DOB && r->f[f].n && parse_dob(raw, &r->dob)) *bad_date = 1;
    return rc;
}

void ds_rec_free(mt_rec *r) {
    for (int f = 0; f < MF_COUNT; f++) {
        xfree(r->f[f].s);
        xfree(r->f[f].u);
    }
    xfree(r->truth);
    memset(r, 0, sizeof *r);
}

void ds_free(mt_dataset *ds) {
    for (int i = 0; i < ds->n; i++) ds_rec_free(&ds->r[i]);
    xfree(ds->r);
    memset(ds, 0, sizeof *ds);
}

int ds_append(mt_dataset *a, mt_dataset *b, kerr *e) {
    mt_rec *r = xrealloc(a->r, (size_t)(a->n + b->n + 1) * sizeof *r);
    if (r == NULL) return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    a->r = r;
    for (int i = 0; i < b->n; i++) {
        a->r[a->n + i] = b->r[i];
        a->r[a->n + i].source = 1;
    }
    a->n += b->n;
    for (int f = 0; f < MF_COUNT; f++) a->has[f] |= b->has[f];
    a->skipped += b->skipped;
    a->bad_dates += b->bad_dates;
    xfree(b->r);
    memset(b, 0, sizeof *b);
    return KNIT_OK;
}
