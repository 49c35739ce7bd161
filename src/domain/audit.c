/*
** audit.c: append, verify and list the audit chain (see audit.h).
*/
#include "audit.h"

#include <string.h>

#include <sodium.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"

#define HASH_LEN 32

/* Fields of one audit row, as hashed. */
typedef struct row {
    int64_t id, at, actor_id, object_id;
    const char *actor, *ip, *action, *object_type, *detail;
    int has_object;
} row;

static void put_i64(crypto_generichash_state *st, int64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    crypto_generichash_update(st, b, 8);
}

static void put_str(crypto_generichash_state *st, const char *s) {
    size_t n = strlen(s);
    put_i64(st, (int64_t)n);
    crypto_generichash_update(st, (const unsigned char *)s, n);
}

/* hash = BLAKE2b_key(prev | id | at | actor_id | actor | ip | action | type | object | detail) */
static void row_hash(const knit_keys *k, const unsigned char *prev, const row *r,
                     unsigned char out[HASH_LEN]) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->audit_key, 32, HASH_LEN);
    crypto_generichash_update(&st, prev, HASH_LEN);
    put_i64(&st, r->id);
    put_i64(&st, r->at);
    put_i64(&st, r->actor_id);
    put_str(&st, r->actor);
    put_str(&st, r->ip);
    put_str(&st, r->action);
    put_str(&st, r->object_type);
    put_i64(&st, r->has_object ? r->object_id : INT64_MIN);
    put_str(&st, r->detail);
    crypto_generichash_final(&st, out, HASH_LEN);
}

static const char SQL_LAST[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit(id, at, actor_id, actor, ip, action, object_type, object_id, detail,"
    " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

int audit_append(sqlite3 *db, const actor *who, const char *action, const char *object_type,
                 int64_t object_id, json_t *detail, kerr *e) {
    const knit_keys *k = keys_global();
    unsigned char prev[HASH_LEN] = {0}, hash[HASH_LEN];
    row r = {0};
    sqlite3_stmt *st = db_stmt(db, SQL_LAST);
    if (st == NULL) return db_error(db, e);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        r.id = sqlite3_column_int64(st, 0) + 1;
        if (sqlite3_column_bytes(st, 1) == HASH_LEN)
            memcpy(prev, sqlite3_column_blob(st, 1), HASH_LEN);
    } else if (s == SQLITE_DONE) {
        r.id = 1;
    } else {
        sqlite3_reset(st);
        return db_error(db, e);
    }
    sqlite3_reset(st);
    char *d = detail ? jv_dump(detail) : xstrdup("{}");
    if (d == NULL) return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    r.at = now_ms();
    r.actor_id = who->user_id;
    r.actor = who->name ? who->name : "system";
    r.ip = who->ip ? who->ip : "";
    r.action = action;
    r.object_type = object_type;
    r.object_id = object_id;
    r.has_object = object_id != 0;
    r.detail = d;
    row_hash(k, prev, &r, hash);
    int rc = KNIT_OK;
    st = db_stmt(db, SQL_INSERT);
    if (st == NULL) {
        xfree(d);
        return db_error(db, e);
    }
    sqlite3_bind_int64(st, 1, r.id);
    sqlite3_bind_int64(st, 2, r.at);
    if (r.actor_id) sqlite3_bind_int64(st, 3, r.actor_id);
    sqlite3_bind_text(st, 4, r.actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r.ip, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r.action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r.object_type, -1, SQLITE_STATIC);
    if (r.has_object) sqlite3_bind_int64(st, 8, r.object_id);
    sqlite3_bind_text(st, 9, d, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, prev, HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 11, hash, HASH_LEN, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
    sqlite3_reset(st);
    xfree(d);
    return rc;
}

int audit_append_tx(sqlite3 *db, const actor *who, const char *action, const char *object_type,
                    int64_t object_id, json_t *detail, kerr *e) {
    if (db_begin(db)) return db_error(db, e);
    int rc = audit_append(db, who, action, object_type, object_id, detail, e);
    if (rc == KNIT_OK && db_commit(db)) rc = db_error(db, e);
    if (rc) db_rollback(db);
    return rc;
}

static const char *col_text(sqlite3_stmt *st, int i) {
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

int audit_verify(sqlite3 *db, const knit_keys *k, buf *report, int64_t *rows) {
    sqlite3_stmt *st;
    int problems = 0;
    *rows = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, at, actor_id, actor, ip, action, object_type, object_id,"
                           " detail, prev_hash, hash FROM audit ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return KNIT_EDB;
    unsigned char prev[HASH_LEN] = {0}; /* stored hash of the previous row */
    int64_t expect = 1;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        row r;
        r.id = sqlite3_column_int64(st, 0);
        r.at = sqlite3_column_int64(st, 1);
        r.actor_id = sqlite3_column_int64(st, 2);
        r.actor = col_text(st, 3);
        r.ip = col_text(st, 4);
        r.action = col_text(st, 5);
        r.object_type = col_text(st, 6);
        r.has_object = sqlite3_column_type(st, 7) != SQLITE_NULL;
        r.object_id = sqlite3_column_int64(st, 7);
        r.detail = col_text(st, 8);
        const void *sp = sqlite3_column_blob(st, 9), *sh = sqlite3_column_blob(st, 10);
        int okp = sqlite3_column_bytes(st, 9) == HASH_LEN,
            okh = sqlite3_column_bytes(st, 10) == HASH_LEN;
        (*rows)++;
        if (r.id > expect) {
            for (int64_t m = expect; m < r.id && m < expect + 20; m++)
                buf_printf(report, "row %lld: deleted\n", (long long)m);
            if (r.id - expect > 20)
                buf_printf(report, "rows %lld..%lld: deleted\n", (long long)expect + 20,
                           (long long)r.id - 1);
            problems++;
        }
        unsigned char h[HASH_LEN];
        row_hash(k, okp ? sp : prev, &r, h);
        if (!okh || sodium_memcmp(h, sh, HASH_LEN) != 0) {
            buf_printf(report, "row %lld: edited (hash does not match its contents)\n",
                       (long long)r.id);
            problems++;
        } else if (!okp || sodium_memcmp(sp, prev, HASH_LEN) != 0) {
            if (r.id == expect) {
                buf_printf(report, "row %lld: chain broken (previous row replaced)\n",
                           (long long)r.id);
                problems++;
            }
        }
        if (okh) memcpy(prev, sh, HASH_LEN);
        expect = r.id + 1;
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) return KNIT_EDB;
    /* A deleted tail leaves sqlite_sequence ahead of the last row. */
    if (sqlite3_prepare_v2(db, "SELECT seq FROM sqlite_sequence WHERE name='audit'", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            int64_t seq = sqlite3_column_int64(st, 0);
            if (seq >= expect) {
                buf_printf(report, "rows %lld..%lld: deleted from the end of the log\n",
                           (long long)expect, (long long)seq);
                problems++;
            }
        }
        sqlite3_finalize(st);
    }
    return problems;
}

json_t *audit_list(sqlite3 *db, int64_t after, int limit, const char *actor_name,
                   const char *object_type, kerr *e) {
    static const char sql[] =
        "SELECT id, at, actor_id, actor, ip, action, object_type, object_id, detail FROM audit"
        " WHERE id > ?1 AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR object_type = ?3)"
        " ORDER BY id LIMIT ?4";
    sqlite3_stmt *st = db_stmt(db, sql);
    json_t *arr = json_array();
    if (st == NULL || arr == NULL) {
        json_decref(arr);
        db_error(db, e);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, after);
    if (actor_name) sqlite3_bind_text(st, 2, actor_name, -1, SQLITE_STATIC);
    if (object_type) sqlite3_bind_text(st, 3, object_type, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, limit);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        char ts[21];
        int64_t at = sqlite3_column_int64(st, 1);
        ts_format(at / 1000, ts);
        json_error_t jerr;
        json_t *detail = json_loads(col_text(st, 8), 0, &jerr);
        json_t *o = json_pack(
            "{sI sI ss so? ss ss ss ss so? so?}", "id", sqlite3_column_int64(st, 0), "at_ms", at,
            "at", ts, "actor_id",
            sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL
                                                      : json_integer(sqlite3_column_int64(st, 2)),
            "actor", col_text(st, 3), "ip", col_text(st, 4), "action", col_text(st, 5),
            "object_type", col_text(st, 6), "object_id",
            sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL
                                                      : json_integer(sqlite3_column_int64(st, 7)),
            "detail", detail);
        if (o == NULL || json_array_append_new(arr, o)) {
            sqlite3_reset(st);
            json_decref(arr);
            kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
            return NULL;
        }
    }
    sqlite3_reset(st);
    if (s != SQLITE_DONE) {
        json_decref(arr);
        db_error(db, e);
        return NULL;
    }
    return arr;
}
