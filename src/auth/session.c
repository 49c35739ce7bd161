/*
** session.c: login sessions and API tokens (see auth.h).
**
** The client holds the secret (cookie value or bearer token); the database
** holds BLAKE2b(secret).  A session's last_seen is written at most once a
** minute so reads stay reads.
*/
#include <string.h>

#include "../core/crypto.h"
#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "auth.h"

#define TOKEN_PREFIX "knit_" /* marks Knit API tokens, so scanners can spot leaked ones */

/* Fill the user part of out from a row (id, username, role). */
static void fill_user(auth_ctx *out, sqlite3_stmt *st, int col) {
    out->user_id = sqlite3_column_int64(st, col);
    snprintf(out->username, sizeof out->username, "%s", sqlite3_column_text(st, col + 1));
    snprintf(out->role, sizeof out->role, "%s", sqlite3_column_text(st, col + 2));
    const char *caps = role_caps(out->role);
    snprintf(out->caps, sizeof out->caps, "%s", caps ? caps : "");
}

int session_create(sqlite3 *db, const auth_ctx *who, const char *ip, char **cookie, char **csrf,
                   kerr *e) {
    *cookie = random_token(32);
    *csrf = random_token(24);
    if (*cookie == NULL || *csrf == NULL) {
        xfree(*cookie);
        xfree(*csrf);
        *cookie = *csrf = NULL;
        return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    }
    unsigned char h[32];
    secret_hash(*cookie, h);
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO sessions(token_hash, user_id, csrf, ip, created_at,"
                                   " last_seen) VALUES (?,?,?,?,?,?)");
    int rc = KNIT_OK;
    if (st == NULL) {
        rc = db_error(db, e);
    } else {
        int64_t now = now_s();
        sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, who->user_id);
        sqlite3_bind_text(st, 3, *csrf, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ip, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now);
        sqlite3_bind_int64(st, 6, now);
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
        sqlite3_reset(st);
    }
    if (rc) {
        xfree(*cookie);
        xfree(*csrf);
        *cookie = *csrf = NULL;
    }
    return rc;
}

int session_lookup(sqlite3 *db, const char *cookie, auth_ctx *out) {
    memset(out, 0, sizeof *out);
    unsigned char h[32];
    secret_hash(cookie, h);
    sqlite3_stmt *st = db_stmt(db, "SELECT s.id, s.csrf, s.created_at, s.last_seen, u.id,"
                                   " u.username, u.role, u.disabled FROM sessions s"
                                   " JOIN users u ON u.id = s.user_id WHERE s.token_hash=?");
    if (st == NULL) return KNIT_EDB;
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return KNIT_EAUTH;
    }
    int64_t sid = sqlite3_column_int64(st, 0), created = sqlite3_column_int64(st, 2),
            seen = sqlite3_column_int64(st, 3), now = now_s();
    int disabled = sqlite3_column_int(st, 7);
    out->session_id = sid;
    snprintf(out->csrf, sizeof out->csrf, "%s", sqlite3_column_text(st, 1));
    fill_user(out, st, 4);
    sqlite3_reset(st);
    if (disabled || now - seen > auth_cfg.session_idle || now - created > auth_cfg.session_max) {
        session_delete(db, sid);
        memset(out, 0, sizeof *out);
        return KNIT_EAUTH;
    }
    if (now - seen >= 60) {
        st = db_stmt(db, "UPDATE sessions SET last_seen=? WHERE id=?");
        if (st) {
            sqlite3_bind_int64(st, 1, now);
            sqlite3_bind_int64(st, 2, sid);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
    }
    return KNIT_OK;
}

int session_delete(sqlite3 *db, int64_t session_id) {
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM sessions WHERE id=?");
    if (st == NULL) return KNIT_EDB;
    sqlite3_bind_int64(st, 1, session_id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? KNIT_OK : KNIT_EDB;
    sqlite3_reset(st);
    return rc;
}

int token_create(sqlite3 *db, int64_t user_id, const char *name, const actor *who, char **token,
                 int64_t *id, kerr *e) {
    *token = NULL;
    size_t n = strlen(name);
    if (n == 0 || n > 100 || !utf8_valid(name, n))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "name",
                        "name must be 1 to 100 bytes of UTF-8");
    char *secret = random_token(32);
    if (secret == NULL) return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    size_t len = strlen(TOKEN_PREFIX) + strlen(secret) + 1;
    char *t = xmalloc(len);
    if (t == NULL) {
        xfree(secret);
        return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    }
    snprintf(t, len, "%s%s", TOKEN_PREFIX, secret);
    xfree(secret);
    unsigned char h[32];
    secret_hash(t, h);
    int rc = KNIT_OK;
    if (db_begin(db)) rc = db_error(db, e);
    sqlite3_stmt *st = rc ? NULL
                          : db_stmt(db, "INSERT INTO api_tokens(user_id, name, token_hash,"
                                        " created_at) VALUES (?,?,?,?)");
    if (rc == KNIT_OK && st == NULL) rc = db_error(db, e);
    if (st) {
        sqlite3_bind_int64(st, 1, user_id);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, h, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now_s());
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
        sqlite3_reset(st);
    }
    if (rc == KNIT_OK) {
        *id = sqlite3_last_insert_rowid(db);
        json_t *d = json_pack("{ss sI}", "name", name, "user_id", (json_int_t)user_id);
        rc = audit_append(db, who, "token.create", "api_token", *id, d, e);
        json_decref(d);
    }
    if (rc == KNIT_OK && db_commit(db)) rc = db_error(db, e);
    if (rc) {
        db_rollback(db);
        xfree(t);
        return rc;
    }
    *token = t;
    return KNIT_OK;
}

int token_lookup(sqlite3 *db, const char *token, auth_ctx *out) {
    memset(out, 0, sizeof *out);
    if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0) return KNIT_EAUTH;
    unsigned char h[32];
    secret_hash(token, h);
    sqlite3_stmt *st = db_stmt(db, "SELECT t.id, u.id, u.username, u.role FROM api_tokens t"
                                   " JOIN users u ON u.id = t.user_id WHERE t.token_hash=?"
                                   " AND t.revoked_at IS NULL AND u.disabled=0");
    if (st == NULL) return KNIT_EDB;
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    int rc = KNIT_EAUTH;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->token_id = sqlite3_column_int64(st, 0);
        fill_user(out, st, 1);
        rc = KNIT_OK;
    }
    sqlite3_reset(st);
    return rc;
}

int token_revoke(sqlite3 *db, int64_t id, int64_t owner, const actor *who, kerr *e) {
    if (db_begin(db)) return db_error(db, e);
    sqlite3_stmt *st = db_stmt(db, "UPDATE api_tokens SET revoked_at=? WHERE id=? AND"
                                   " revoked_at IS NULL AND (?3=0 OR user_id=?3)");
    int rc = KNIT_OK;
    if (st == NULL) {
        rc = db_error(db, e);
    } else {
        sqlite3_bind_int64(st, 1, now_s());
        sqlite3_bind_int64(st, 2, id);
        sqlite3_bind_int64(st, 3, owner);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(db, e);
        else if (sqlite3_changes(db) != 1)
            rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "id", "no such active token");
        sqlite3_reset(st);
    }
    if (rc == KNIT_OK) rc = audit_append(db, who, "token.revoke", "api_token", id, NULL, e);
    if (rc == KNIT_OK && db_commit(db)) rc = db_error(db, e);
    if (rc) db_rollback(db);
    return rc;
}

json_t *token_list(sqlite3 *db, int64_t user_id, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, "SELECT t.id, t.name, u.username, t.created_at, t.revoked_at"
                                   " FROM api_tokens t JOIN users u ON u.id=t.user_id"
                                   " WHERE ?1=0 OR t.user_id=?1 ORDER BY t.id");
    json_t *arr = json_array();
    if (st == NULL || arr == NULL) {
        json_decref(arr);
        db_error(db, e);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, user_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char ts[21];
        ts_format(sqlite3_column_int64(st, 3), ts);
        json_t *o =
            json_pack("{sI ss ss ss sb}", "id", sqlite3_column_int64(st, 0), "name",
                      sqlite3_column_text(st, 1), "username", sqlite3_column_text(st, 2),
                      "created_at", ts, "revoked", sqlite3_column_type(st, 4) != SQLITE_NULL);
        if (o == NULL || json_array_append_new(arr, o)) {
            sqlite3_reset(st);
            json_decref(arr);
            kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
            return NULL;
        }
    }
    sqlite3_reset(st);
    return arr;
}
