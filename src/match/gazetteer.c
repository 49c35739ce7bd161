/*
** gazetteer.c: importing, finding and relating places (see gazetteer.h).
*/
#include "gazetteer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "compare.h"
#include "normalize.h"

const char *const gz_level_names[] = {"same",    "sub_district", "district", "province",
                                      "country", "different",    "unknown"};

static const char *const levels[] = {"country",      "province", "district",
                                     "sub_district", "village",  NULL};

/* Index of level in levels, or -1. */
static int level_index(const char *level) {
    for (int i = 0; levels[i]; i++)
        if (strcmp(levels[i], level) == 0) return i;
    return -1;
}

/* Column of the first header in names, or -1. */
static int column(const csv_reader *r, const char *const *names) {
    for (int c = 0; c < r->nfields; c++)
        for (int k = 0; names[k]; k++)
            if (strcmp(r->fields[c], names[k]) == 0) return c;
    return -1;
}

int gz_import(sqlite3 *db, const char *country, const char *level, const char *text, size_t len,
              int *count, kerr *e) {
    static const char *const c_id[] = {"id", "code", NULL};
    static const char *const c_nat[] = {"name_th", "name_native", "name_local", "name", NULL};
    static const char *const c_lat[] = {"name_en", "name_latin", NULL};
    static const char *const c_par[] = {"province_id", "district_id", "sub_district_id",
                                        "parent_id", NULL};
    static const char *const c_zip[] = {"zip_code", "postcode", NULL};
    static const char *const c_del[] = {"deleted_at", NULL};
    *count = 0;
    int li = level_index(level);
    if (li < 1)
        return kerr_set(e, KNIT_EINVAL, "unknown_value", "--level",
                        "level must be province, district, sub_district or village");
    if (strlen(country) != 2)
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "--country",
                        "country must be an ISO 3166-1 alpha-2 code");
    csv_reader r;
    int rc = csv_init(&r, text, len, ',', 0, e);
    if (rc) return rc;
    if ((rc = csv_next(&r, e)) != 1) {
        csv_free(&r);
        return rc < 0 ? rc : kerr_set(e, KNIT_EINVAL, "empty_file", "FILE", "no header row");
    }
    int ci = column(&r, c_id), cn = column(&r, c_nat), cl = column(&r, c_lat),
        cp = column(&r, c_par), cz = column(&r, c_zip), cd = column(&r, c_del), nc = r.nfields;
    if (ci < 0 || (cn < 0 && cl < 0) || (li > 1 && cp < 0)) {
        csv_free(&r);
        return kerr_set(e, KNIT_EINVAL, "missing_column", "FILE",
                        "need columns id, a name (name_th or name_en) and, below province, the "
                        "parent's id");
    }
    if (db_begin(db)) {
        csv_free(&r);
        return db_error(db, e);
    }
    sqlite3_stmt *st = db_stmt(db, "INSERT OR REPLACE INTO place(id, country, level, parent,"
                                   " name_native, name_latin, postcode, key_native, key_latin)"
                                   " VALUES (?,?,?,?,?,?,?,?,?)");
    rc = st ? KNIT_OK : db_error(db, e);
    while (rc == KNIT_OK && (rc = csv_next(&r, e)) == 1) {
        rc = KNIT_OK;
        if (r.nfields != nc) {
            rc = kerr_set(e, KNIT_EINVAL, "malformed_row", "", "line %ld: %d fields, header has %d",
                          r.line, r.nfields, nc);
            break;
        }
        if (cd >= 0 && r.fields[cd][0]) continue; /* deleted at the source */
        char id[64], parent[64];
        snprintf(id, sizeof id, "%s/%s/%.40s", country, level, r.fields[ci]);
        if (li > 1)
            snprintf(parent, sizeof parent, "%s/%s/%.40s", country, levels[li - 1], r.fields[cp]);
        const char *nat = cn >= 0 ? r.fields[cn] : "", *lat = cl >= 0 ? r.fields[cl] : "";
        char *kn = nat[0] ? mt_fold(nat, MT_FOLD_KEEP_TITLES) : NULL,
             *kl = lat[0] ? mt_fold(lat, MT_FOLD_KEEP_TITLES) : NULL;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, country, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, level, -1, SQLITE_STATIC);
        if (li > 1)
            sqlite3_bind_text(st, 4, parent, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_text(st, 5, nat, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, lat, -1, SQLITE_TRANSIENT);
        if (cz >= 0 && r.fields[cz][0])
            sqlite3_bind_text(st, 7, r.fields[cz], -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 7);
        sqlite3_bind_text(st, 8, kn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, kl, -1, SQLITE_TRANSIENT);
        xfree(kn);
        xfree(kl);
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
        sqlite3_reset(st);
        if (rc == KNIT_OK) (*count)++;
    }
    csv_free(&r);
    if (rc == KNIT_OK && (*count == 0))
        rc = kerr_set(e, KNIT_EINVAL, "empty_file", "FILE", "no places in the file");
    if (rc == KNIT_OK && db_commit(db)) rc = db_error(db, e);
    if (rc) {
        db_rollback(db);
        *count = 0;
    }
    return rc;
}

/* Fill p from a row (id, level, name_native, name_latin). */
static void fill(gz_place *p, sqlite3_stmt *st, double score) {
    snprintf(p->id, sizeof p->id, "%s", sqlite3_column_text(st, 0));
    snprintf(p->level, sizeof p->level, "%s", sqlite3_column_text(st, 1));
    const char *n = (const char *)sqlite3_column_text(st, 2),
               *l = (const char *)sqlite3_column_text(st, 3);
    snprintf(p->name_native, sizeof p->name_native, "%s", n ? n : "");
    snprintf(p->name_latin, sizeof p->name_latin, "%s", l ? l : "");
    p->score = score;
}

/* Code points of s without spaces (writers split place names differently). */
static int squeeze(const char *s, uint32_t *out) {
    int n = mt_utf32(s, out, MT_MAX_LEN), k = 0;
    for (int i = 0; i < n; i++)
        if (out[i] != ' ') out[k++] = out[i];
    return n < 0 ? -1 : k;
}

static int cmp_place(const void *a, const void *b) {
    const gz_place *x = a, *y = b;
    return x->score > y->score ? -1 : x->score < y->score;
}

int gz_find(sqlite3 *db, const char *name, gz_place *out, int max, kerr *e) {
    char *key = mt_fold(name, MT_FOLD_KEEP_TITLES);
    if (key == NULL || key[0] == 0) {
        xfree(key);
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "name", "a place name is needed");
    }
    int n = 0;
    sqlite3_stmt *st = db_stmt(db, "SELECT id, level, name_native, name_latin FROM place"
                                   " WHERE key_native=?1 OR key_latin=?1 ORDER BY id LIMIT ?2");
    if (st == NULL) {
        xfree(key);
        return db_error(db, e);
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, max);
    while (n < max && sqlite3_step(st) == SQLITE_ROW) fill(&out[n++], st, 1.0);
    sqlite3_reset(st);
    if (n == 0) {
        /* Spelling variants: Latin names with the same first letter. */
        uint32_t q[MT_MAX_LEN], c[MT_MAX_LEN];
        int nq = squeeze(key, q);
        char lo[8] = {0}, hi[8] = {0};
        size_t first = 1;
        while (key[first] && ((unsigned char)key[first] & 0xC0) == 0x80) first++;
        memcpy(lo, key, first);
        memcpy(hi, key, first);
        hi[first - 1]++;
        st = db_stmt(db,
                     "SELECT id, level, name_native, name_latin, key_latin, key_native FROM place"
                     " WHERE (key_latin >= ?1 AND key_latin < ?2)"
                     " OR (key_native >= ?1 AND key_native < ?2)");
        if (st == NULL) {
            xfree(key);
            return db_error(db, e);
        }
        sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
        gz_place tmp;
        while (nq > 0 && sqlite3_step(st) == SQLITE_ROW) {
            for (int k = 4; k <= 5; k++) {
                const char *cand = (const char *)sqlite3_column_text(st, k);
                int nc = cand ? squeeze(cand, c) : -1;
                if (nc <= 0) continue;
                double s = mt_jaro_winkler(q, nq, c, nc);
                if (s < 0.9) continue;
                fill(&tmp, st, s);
                if (n < max) {
                    out[n++] = tmp;
                } else if (s > out[max - 1].score) {
                    out[max - 1] = tmp;
                }
                qsort(out, (size_t)n, sizeof *out, cmp_place);
                break;
            }
        }
        sqlite3_reset(st);
    }
    xfree(key);
    return n;
}

/* The chain of ancestors of id, itself first; returns the count (max 8). */
static int chain(sqlite3 *db, const char *id, char out[8][64], char lv[8][16]) {
    int n = 0;
    char cur[64];
    snprintf(cur, sizeof cur, "%s", id);
    sqlite3_stmt *st = db_stmt(db, "SELECT parent, level FROM place WHERE id=?");
    while (st && n < 8) {
        sqlite3_bind_text(st, 1, cur, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            break;
        }
        snprintf(out[n], 64, "%s", cur);
        snprintf(lv[n], 16, "%s", sqlite3_column_text(st, 1));
        n++;
        const char *p = (const char *)sqlite3_column_text(st, 0);
        int more = p != NULL;
        if (more) snprintf(cur, sizeof cur, "%s", p);
        sqlite3_reset(st);
        if (!more) break;
    }
    return n;
}

int gz_level(sqlite3 *db, const char *a, const char *b) {
    char ca[8][64], cb[8][64], la[8][16], lb[8][16];
    int na = chain(db, a, ca, la), nb = chain(db, b, cb, lb);
    if (na == 0 || nb == 0) return GZ_UNKNOWN;
    if (strcmp(a, b) == 0) return GZ_SAME;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (strcmp(ca[i], cb[j]) == 0) {
                if (strcmp(la[i], "sub_district") == 0) return GZ_SUB_DISTRICT;
                if (strcmp(la[i], "district") == 0) return GZ_DISTRICT;
                if (strcmp(la[i], "province") == 0) return GZ_PROVINCE;
                return GZ_COUNTRY;
            }
    return strncmp(a, b, 2) == 0 ? GZ_COUNTRY : GZ_DIFFERENT;
}
