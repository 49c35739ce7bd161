/*
** user.c: accounts and login (see auth.h).
**
** Owns the per-address failure table used for login rate limiting: a small
** fixed hash table of (address, failures, window start) guarded by ip_lock,
** shared by all worker threads.
*/
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../store/db.h"
#include "auth.h"

int password_needs_rehash(const char *hash); /* caps.c */

/* ---- per-address failures ---- */

typedef struct ip_slot {
    char ip[48];    /* address, "" when free */
    int failures;   /* failed logins in this window */
    int64_t window; /* window start, seconds */
} ip_slot;

static ip_slot ip_table[1024]; /* guarded by ip_lock */
static pthread_mutex_t ip_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot for ip (claiming or recycling one); caller holds ip_lock. */
static ip_slot *ip_find(const char *ip, int64_t now) {
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = ip; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    ip_slot *oldest = NULL;
    for (int i = 0; i < 8; i++) {
        ip_slot *s = &ip_table[(h + (uint64_t)i) % COUNT(ip_table)];
        if (strcmp(s->ip, ip) == 0) return s;
        if (s->ip[0] == 0 || now - s->window > auth_cfg.ip_window) {
            if (oldest == NULL || s->window < oldest->window) oldest = s;
        }
    }
    if (oldest == NULL) oldest = &ip_table[h % COUNT(ip_table)];
    snprintf(oldest->ip, sizeof oldest->ip, "%s", ip);
    oldest->failures = 0;
    oldest->window = now;
    return oldest;
}

/* 1 if ip has used up its failures in the current window. */
static int ip_blocked(const char *ip, int64_t now) {
    pthread_mutex_lock(&ip_lock);
    ip_slot *s = ip_find(ip, now);
    if (now - s->window > auth_cfg.ip_window) {
        s->window = now;
        s->failures = 0;
    }
    int blocked = s->failures >= auth_cfg.ip_max_fail;
    pthread_mutex_unlock(&ip_lock);
    return blocked;
}

static void ip_fail(const char *ip, int64_t now) {
    pthread_mutex_lock(&ip_lock);
    ip_find(ip, now)->failures++;
    pthread_mutex_unlock(&ip_lock);
}

/* ---- accounts ---- */

/* Run one statement with text/int parameters ("s" text, "i" int64) and
** expect it to change exactly one row.  Fills e. */
static int exec1(sqlite3 *db, const char *sql, kerr *e, const char *what, const char *types, ...) {
    sqlite3_stmt *st = db_stmt(db, sql);
    if (st == NULL) return db_error(db, e);
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 's')
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
    }
    va_end(ap);
    int rc = KNIT_OK;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(db, e);
    else if (sqlite3_changes(db) != 1)
        rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "username", "no such user: %s", what);
    sqlite3_reset(st);
    return rc;
}

/* Commit when rc is OK (turning a failed commit into an error), else roll back. */
static int finish(sqlite3 *db, int rc, kerr *e) {
    if (rc == KNIT_OK && db_commit(db)) rc = db_error(db, e);
    if (rc) db_rollback(db);
    return rc;
}

/* Audit an account change with {"username":name,...extra}. */
static int audit_user(sqlite3 *db, const actor *who, const char *action, const char *name,
                      const char *key, const char *value, kerr *e) {
    json_t *d = json_pack("{ss}", "username", name);
    if (d && key) json_object_set_new(d, key, json_string(value));
    int rc = audit_append(db, who, action, "user", 0, d, e);
    json_decref(d);
    return rc;
}

int user_add(sqlite3 *db, const char *username, const char *role, const char *password,
             const actor *who, int64_t *id, kerr *e) {
    if (username_valid(username, "username", e)) return KNIT_EINVAL;
    if (role_caps(role) == NULL)
        return kerr_set(e, KNIT_EINVAL, "unknown_value", "role",
                        "unknown role '%.40s' (admin, supervisor, caseworker, hotline, analyst, "
                        "auditor)",
                        role);
    if (password_valid(password, "password", e)) return KNIT_EINVAL;
    char hash[128];
    if (password_hash(password, hash))
        return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    if (db_begin(db)) return db_error(db, e);
    int64_t now = now_s();
    int rc = exec1(db,
                   "INSERT INTO users(username, role, pw_hash, created_at, pw_changed_at)"
                   " VALUES (?,?,?,?,?) ON CONFLICT(username) DO NOTHING",
                   e, username, "sssii", username, role, hash, now, now);
    if (rc == KNIT_ENOTFOUND)
        rc = kerr_set(e, KNIT_ECONFLICT, "exists", "username", "user %s already exists", username);
    if (rc == KNIT_OK && id) *id = sqlite3_last_insert_rowid(db);
    if (rc == KNIT_OK) rc = audit_user(db, who, "user.add", username, "role", role, e);
    return finish(db, rc, e);
}

int user_passwd(sqlite3 *db, const char *username, const char *password, const actor *who,
                kerr *e) {
    if (password_valid(password, "password", e)) return KNIT_EINVAL;
    char hash[128];
    if (password_hash(password, hash))
        return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    if (db_begin(db)) return db_error(db, e);
    int rc = exec1(db,
                   "UPDATE users SET pw_hash=?, pw_changed_at=?, failed_logins=0, locked_until=0"
                   " WHERE username=?",
                   e, username, "sis", hash, now_s(), username);
    /* A new password ends every session of the account. */
    if (rc == KNIT_OK) {
        sqlite3_stmt *st = db_stmt(db, "DELETE FROM sessions WHERE user_id=(SELECT id FROM users"
                                       " WHERE username=?)");
        if (st == NULL) {
            rc = db_error(db, e);
        } else {
            sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
            sqlite3_reset(st);
        }
    }
    if (rc == KNIT_OK) rc = audit_user(db, who, "user.passwd", username, NULL, NULL, e);
    return finish(db, rc, e);
}

int user_disable(sqlite3 *db, const char *username, int disabled, const actor *who, kerr *e) {
    if (db_begin(db)) return db_error(db, e);
    int rc = exec1(db, "UPDATE users SET disabled=? WHERE username=?", e, username, "is",
                   (int64_t)(disabled != 0), username);
    if (rc == KNIT_OK)
        rc =
            audit_user(db, who, disabled ? "user.disable" : "user.enable", username, NULL, NULL, e);
    return finish(db, rc, e);
}

int user_set_role(sqlite3 *db, const char *username, const char *role, const actor *who, kerr *e) {
    if (role_caps(role) == NULL)
        return kerr_set(e, KNIT_EINVAL, "unknown_value", "role", "unknown role '%.40s'", role);
    if (db_begin(db)) return db_error(db, e);
    int rc =
        exec1(db, "UPDATE users SET role=? WHERE username=?", e, username, "ss", role, username);
    if (rc == KNIT_OK) rc = audit_user(db, who, "user.role", username, "role", role, e);
    return finish(db, rc, e);
}

json_t *user_list(sqlite3 *db, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, "SELECT id, username, role, disabled, locked_until, created_at"
                                   " FROM users ORDER BY username");
    json_t *arr = json_array();
    if (st == NULL || arr == NULL) {
        json_decref(arr);
        db_error(db, e);
        return NULL;
    }
    int64_t now = now_s();
    while (sqlite3_step(st) == SQLITE_ROW) {
        char ts[21];
        ts_format(sqlite3_column_int64(st, 5), ts);
        json_t *o = json_pack("{sI ss ss sb sb ss}", "id", sqlite3_column_int64(st, 0), "username",
                              sqlite3_column_text(st, 1), "role", sqlite3_column_text(st, 2),
                              "disabled", sqlite3_column_int(st, 3), "locked",
                              sqlite3_column_int64(st, 4) > now, "created_at", ts);
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

/* Record a failed login: count it, lock the account when due, audit. */
static void login_failed(sqlite3 *db, int64_t uid, const char *username, const char *ip,
                         const char *why) {
    actor who = {0, "system", ip};
    kerr e;
    if (db_begin(db)) return;
    int locked = 0;
    if (uid) {
        sqlite3_stmt *st = db_stmt(db, "UPDATE users SET failed_logins=failed_logins+1,"
                                       " locked_until=CASE WHEN failed_logins+1>=?1 THEN ?2"
                                       " ELSE locked_until END WHERE id=?3"
                                       " RETURNING locked_until>=?2");
        if (st) {
            sqlite3_bind_int(st, 1, auth_cfg.lock_after);
            sqlite3_bind_int64(st, 2, now_s() + auth_cfg.lock_seconds);
            sqlite3_bind_int64(st, 3, uid);
            if (sqlite3_step(st) == SQLITE_ROW) locked = sqlite3_column_int(st, 0);
            sqlite3_reset(st);
        }
    }
    json_t *d = json_pack("{ss ss}", "username", username, "reason", why);
    int rc = audit_append(db, &who, "login.fail", "user", uid, d, &e);
    if (rc == KNIT_OK && locked) rc = audit_append(db, &who, "login.lockout", "user", uid, d, &e);
    json_decref(d);
    finish(db, rc, &e);
}

static char dummy_hash[128]; /* verified against for unknown users */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_make(void) {
    password_hash("not a password at all", dummy_hash);
}

int user_login(sqlite3 *db, const char *username, const char *password, const char *ip,
               auth_ctx *out, kerr *e) {
    memset(out, 0, sizeof *out);
    int64_t now = now_s();
    if (ip_blocked(ip, now)) {
        actor who = {0, "system", ip};
        json_t *d = json_pack("{ss}", "username", username);
        audit_append_tx(db, &who, "login.ip_limited", "user", 0, d, NULL);
        json_decref(d);
        return kerr_set(e, KNIT_ELIMIT, "rate_limited", "",
                        "too many failed logins from this address; try again later");
    }
    sqlite3_stmt *st = db_stmt(db, "SELECT id, role, pw_hash, disabled, locked_until FROM users"
                                   " WHERE username=?");
    if (st == NULL) return db_error(db, e);
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    int64_t uid = 0, locked_until = 0;
    int disabled = 1;
    char role[24] = "", hash[128] = "";
    if (sqlite3_step(st) == SQLITE_ROW) {
        uid = sqlite3_column_int64(st, 0);
        snprintf(role, sizeof role, "%s", sqlite3_column_text(st, 1));
        snprintf(hash, sizeof hash, "%s", sqlite3_column_text(st, 2));
        disabled = sqlite3_column_int(st, 3);
        locked_until = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (uid && locked_until > now) {
        ip_fail(ip, now);
        login_failed(db, 0, username, ip, "account locked");
        return kerr_set(e, KNIT_ELIMIT, "account_locked", "",
                        "account locked after repeated failed logins; try again later");
    }
    /* Verify even for unknown users so timing does not tell which exist. */
    pthread_once(&dummy_once, dummy_make);
    int ok = crypto_pwhash_str_verify(uid ? hash : dummy_hash, password, strlen(password)) == 0;
    if (!ok || !uid || disabled) {
        ip_fail(ip, now);
        login_failed(db, uid, username, ip,
                     !uid       ? "unknown user"
                     : disabled ? "disabled"
                                : "bad password");
        return kerr_set(e, KNIT_EAUTH, "bad_credentials", "", "wrong user name or password");
    }
    if (db_begin(db)) return db_error(db, e);
    int rc = exec1(db, "UPDATE users SET failed_logins=0, locked_until=0 WHERE id=?", e, username,
                   "i", uid);
    if (rc == KNIT_OK && password_needs_rehash(hash)) {
        char fresh[128];
        if (password_hash(password, fresh) == KNIT_OK)
            rc = exec1(db, "UPDATE users SET pw_hash=? WHERE id=?", e, username, "si", fresh, uid);
        if (rc == KNIT_OK)
            rc =
                audit_user(db, &(actor){uid, username, ip}, "user.rehash", username, NULL, NULL, e);
    }
    if (rc == KNIT_OK)
        rc = audit_user(db, &(actor){uid, username, ip}, "login", username, NULL, NULL, e);
    rc = finish(db, rc, e);
    if (rc) return rc;
    out->user_id = uid;
    snprintf(out->username, sizeof out->username, "%s", username);
    snprintf(out->role, sizeof out->role, "%s", role);
    snprintf(out->caps, sizeof out->caps, "%s", role_caps(role) ? role_caps(role) : "");
    return KNIT_OK;
}
