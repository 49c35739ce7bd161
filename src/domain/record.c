/*
** record.c: helpers for the domain records (see rec.h).
*/
#include <string.h>

#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "rec.h"
#include "record.h"

int rec_oom(kerr *e) {
    return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
}

int rec_bind_sealed(sqlite3_stmt *st, int idx, const char *table, const char *col, int64_t id,
                    const char *s, kerr *e) {
    if (s == NULL) return sqlite3_bind_null(st, idx) == SQLITE_OK ? KNIT_OK : rec_oom(e);
    unsigned char *c;
    size_t n;
    if (fe_seal(keys_global(), table, col, id, s, strlen(s), &c, &n)) return rec_oom(e);
    return sqlite3_bind_blob(st, idx, c, (int)n, xfree) == SQLITE_OK ? KNIT_OK : rec_oom(e);
}

int rec_bind_bidx(sqlite3_stmt *st, int idx, const char *domain, const char *s, int alnum,
                  kerr *e) {
    if (s == NULL) return sqlite3_bind_null(st, idx) == SQLITE_OK ? KNIT_OK : rec_oom(e);
    char *norm = fe_normalize(s, alnum);
    if (norm == NULL) return rec_oom(e);
    unsigned char h[BIDX_LEN];
    fe_blind(keys_global(), domain, norm, strlen(norm), h);
    xfree(norm);
    return sqlite3_bind_blob(st, idx, h, BIDX_LEN, SQLITE_TRANSIENT) == SQLITE_OK ? KNIT_OK
                                                                                  : rec_oom(e);
}

int rec_open(sqlite3_stmt *st, int idx, const char *table, const char *col, int64_t id,
             char **out) {
    *out = NULL;
    if (sqlite3_column_type(st, idx) == SQLITE_NULL) return KNIT_OK;
    const unsigned char *c = sqlite3_column_blob(st, idx);
    int n = sqlite3_column_bytes(st, idx);
    return fe_open(keys_global(), table, col, id, c, (size_t)n, out, NULL);
}

int rec_set_opened(json_t *obj, const char *key, sqlite3_stmt *st, int idx, const char *table,
                   const char *col, int64_t id, int parse_json, kerr *e) {
    char *s;
    int rc = rec_open(st, idx, table, col, id, &s);
    if (rc == KNIT_ENOMEM) return rec_oom(e);
    if (rc)
        return kerr_set(e, KNIT_ECRYPTO, "decryption_failed", key,
                        "%s of %s %lld cannot be decrypted with this node's keys", col, table,
                        (long long)id);
    json_t *v;
    if (s == NULL) {
        v = json_null();
    } else if (parse_json) {
        v = json_loads(s, 0, NULL);
    } else {
        v = json_string(s);
    }
    xfree(s);
    return jv_set_new(obj, key, v) ? rec_oom(e) : KNIT_OK;
}

void rec_set_text(json_t *obj, const char *key, sqlite3_stmt *st, int idx) {
    const char *s = (const char *)sqlite3_column_text(st, idx);
    jv_set_str(obj, key, s);
}

void rec_set_ts(json_t *obj, const char *key, sqlite3_stmt *st, int idx) {
    if (sqlite3_column_type(st, idx) == SQLITE_NULL) {
        jv_set_str(obj, key, NULL);
        return;
    }
    char ts[21];
    ts_format(sqlite3_column_int64(st, idx), ts);
    jv_set_str(obj, key, ts);
}

int rec_int(sqlite3 *db, const char *sql, int64_t arg, int64_t *out, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, sql);
    if (st == NULL) return db_error(db, e);
    if (sqlite3_bind_parameter_count(st) > 0) sqlite3_bind_int64(st, 1, arg);
    int s = sqlite3_step(st);
    int rc = KNIT_OK;
    if (s == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (s == SQLITE_DONE)
        rc = KNIT_ENOTFOUND;
    else
        rc = db_error(db, e);
    sqlite3_reset(st);
    return rc;
}

int rec_finish(sqlite3 *db, int rc, kerr *e) {
    if (rc == KNIT_OK && db_commit(db)) rc = db_error(db, e);
    if (rc) db_rollback(db);
    return rc;
}

const char *rec_filter(const char *const *filters, const char *name) {
    for (; filters && filters[0]; filters += 2)
        if (strcmp(filters[0], name) == 0) return filters[1];
    return NULL;
}

int rec_filters_check(const char *const *filters, const char *const *allowed, kerr *e) {
    for (; filters && filters[0]; filters += 2) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, filters[0])) a++;
        if (*a == NULL)
            return kerr_set(e, KNIT_EINVAL, "unknown_field", filters[0], "unknown filter '%.60s'",
                            filters[0]);
        if (filters[1] == NULL || filters[1][0] == 0 || strlen(filters[1]) > 200)
            return kerr_set(e, KNIT_EINVAL, "invalid_value", filters[0],
                            "filter %s needs a value of 1 to 200 bytes", filters[0]);
    }
    return KNIT_OK;
}

int rec_merge(json_t *cur, json_t *in, kerr *e) {
    json_t *v = json_object_get(in, "version");
    if (!json_is_integer(v))
        return kerr_set(e, KNIT_EINVAL, "missing_field", "version",
                        "version is required: send the version you last read");
    if (json_integer_value(v) != json_integer_value(json_object_get(cur, "version")))
        return kerr_set(e, KNIT_ECONFLICT, "version_conflict", "version",
                        "the record changed since version %lld; read it again",
                        (long long)json_integer_value(v));
    const char *k;
    json_t *x;
    json_object_foreach(in, k, x) {
        if (strcmp(k, "version") == 0) continue;
        if (json_is_null(x)) {
            json_object_del(cur, k);
        } else if (json_object_set(cur, k, x)) {
            return rec_oom(e);
        }
    }
    return KNIT_OK;
}

int rec_page(json_t *items, int limit, json_t **out, kerr *e) {
    json_t *next = json_null();
    if (json_array_size(items) > (size_t)limit) {
        json_array_remove(items, (size_t)limit);
        char c[32];
        json_t *last = json_array_get(items, (size_t)limit - 1);
        snprintf(c, sizeof c, "c%lld", (long long)json_integer_value(json_object_get(last, "id")));
        next = json_string(c);
    }
    *out = json_pack("{so so}", "items", items, "next", next);
    return *out ? KNIT_OK : rec_oom(e);
}

int rec_soft_delete(sqlite3 *db, const actor *who, const char *sql_delete, const char *type,
                    int64_t id, kerr *e) {
    if (db_begin(db)) return db_error(db, e);
    sqlite3_stmt *st = db_stmt(db, sql_delete);
    int rc = KNIT_OK;
    if (st == NULL) {
        rc = db_error(db, e);
    } else {
        sqlite3_bind_int64(st, 1, now_s());
        sqlite3_bind_int64(st, 2, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(db, e);
        else if (sqlite3_changes(db) != 1)
            rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "id", "no such %s", type);
        sqlite3_reset(st);
    }
    char action[48];
    snprintf(action, sizeof action, "%s.delete", type);
    if (rc == KNIT_OK) rc = audit_append(db, who, action, type, id, NULL, e);
    return rec_finish(db, rc, e);
}

int rec_audit_list(sqlite3 *db, const actor *who, const char *action, const char *type,
                   json_t *items, kerr *e) {
    if (json_array_size(items) == 0) return KNIT_OK;
    json_t *ids = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) json_array_append(ids, json_object_get(x, "id"));
    json_t *d = json_pack("{so}", "ids", ids);
    int rc = d ? audit_append_tx(db, who, action, type, 0, d, e) : rec_oom(e);
    json_decref(d);
    return rc;
}

int rec_load(sqlite3 *db, const char *sql, int64_t id, rec_row_fn row, int flags, const char *what,
             json_t **out, kerr *e) {
    *out = NULL;
    sqlite3_stmt *st = db_stmt(db, sql);
    if (st == NULL) return db_error(db, e);
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st), rc;
    if (s == SQLITE_ROW)
        rc = row(db, st, flags, out, e);
    else if (s == SQLITE_DONE)
        rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "id", "no such %s", what);
    else
        rc = db_error(db, e);
    sqlite3_reset(st);
    return rc;
}

int rec_prepare(sqlite3 *db, buf *sql, sqlite3_stmt **st, kerr *e) {
    *st = NULL;
    int rc = KNIT_OK;
    if (sql->data == NULL)
        rc = rec_oom(e);
    else if (sqlite3_prepare_v2(db, buf_str(sql), -1, st, NULL) != SQLITE_OK)
        rc = db_error(db, e);
    buf_free(sql);
    return rc;
}

int rec_list_rows(sqlite3 *db, sqlite3_stmt *st, rec_row_fn row, int flags, int limit, json_t **out,
                  kerr *e) {
    *out = NULL;
    json_t *items = json_array();
    int rc = items ? KNIT_OK : rec_oom(e), s = SQLITE_DONE;
    while (rc == KNIT_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *x;
        rc = row(db, st, flags, &x, e);
        if (rc == KNIT_OK && json_array_append_new(items, x)) rc = rec_oom(e);
    }
    if (rc == KNIT_OK && s != SQLITE_DONE) rc = db_error(db, e);
    sqlite3_finalize(st);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return rec_page(items, limit, out, e);
}

int rec_enum(const char *s, const char *const *values, const char *field, kerr *e) {
    if (s == NULL) return KNIT_OK;
    for (; *values; values++)
        if (strcmp(*values, s) == 0) return KNIT_OK;
    return kerr_set(e, KNIT_EINVAL, "unknown_value", field, "%s: unknown value '%.40s'", field, s);
}
