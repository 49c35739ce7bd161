/*
** test_store.c: node database, keys and field sealing, the audit chain,
** accounts and sessions, on temporary databases.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "domain/audit.h"
#include "store/db.h"
#include "tmpnode.h"

static char dir[64];

/* A fresh migrated database at dir/name with fresh global keys. */
static sqlite3 *fresh_db(const char *name) {
    sqlite3 *db;
    assert_int_equal(tmp_node_open(dir, name, &db, NULL), 0);
    return db;
}

static int setup(void **state) {
    (void)state;
    return tmp_dir_make(dir, "unit");
}

static int teardown(void **state) {
    (void)state;
    return tmp_dir_remove(dir);
}

static void test_db_migrates_forward_and_refuses_newer_schema(void **state) {
    (void)state;
    sqlite3 *db = fresh_db("m.db");
    kerr e;
    int applied = -1;
    assert_int_equal(db_schema_version(db), db_latest_version());
    assert_int_equal(db_migrate(db, &applied, &e), KNIT_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(db_check_version(db, &e), KNIT_OK);
    sqlite3_stmt *st = db_stmt(db, "PRAGMA journal_mode");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_reset(st);
    assert_ptr_equal(db_stmt(db, "PRAGMA journal_mode"), db_stmt(db, "PRAGMA journal_mode"));
    st = db_stmt(db, "PRAGMA foreign_keys");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_reset(st);
    assert_int_equal(db_exec(db, "PRAGMA user_version=999"), KNIT_OK);
    assert_int_equal(db_migrate(db, NULL, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "schema_too_new");
    assert_int_equal(db_check_version(db, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "schema_too_new");
    db_close(db);
}

static void test_transactions_roll_back_and_batches_nest(void **state) {
    (void)state;
    sqlite3 *db = fresh_db("t.db");
    assert_int_equal(db_exec(db, "CREATE TABLE t(x)"), KNIT_OK);
    assert_int_equal(db_begin(db), KNIT_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t VALUES (1)"), KNIT_OK);
    db_rollback(db);
    assert_int_equal(db_begin(db), KNIT_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t VALUES (2)"), KNIT_OK);
    assert_int_equal(db_commit(db), KNIT_OK);
    assert_int_equal(db_batch_begin(db), KNIT_OK);
    assert_int_equal(db_begin(db), KNIT_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t VALUES (3)"), KNIT_OK);
    db_rollback(db); /* only this operation */
    assert_int_equal(db_begin(db), KNIT_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t VALUES (4)"), KNIT_OK);
    assert_int_equal(db_commit(db), KNIT_OK);
    assert_int_equal(db_batch_end(db, 1), KNIT_OK);
    sqlite3_stmt *st = db_stmt(db, "SELECT group_concat(x) FROM t");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "2,4");
    sqlite3_reset(st);
    db_close(db);
}

static void test_keys_round_trip_and_private_file(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/node.keys", dir);
    knit_keys k, l;
    keys_generate(&k);
    kerr e;
    assert_int_equal(keys_save(&k, path, &e), KNIT_OK);
    assert_int_equal(keys_save(&k, path, &e), KNIT_EIO); /* never overwrites */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(keys_load(&l, path, &e), KNIT_OK);
    assert_memory_equal(k.data[0], l.data[0], 32);
    assert_memory_equal(k.sign_pk, l.sign_pk, 32);
    assert_memory_equal(k.box_pk, l.box_pk, 32);
    assert_memory_equal(k.index_key, l.index_key, 32);
    chmod(path, 0644);
    assert_int_equal(keys_load(&l, path, &e), KNIT_EPERM);
    setenv("KNIT_KEYS", "data-1 AAAA\n", 1);
    assert_int_equal(keys_load(&l, path, &e), KNIT_ECRYPTO); /* the variable wins, and is bad */
    unsetenv("KNIT_KEYS");
}

static void test_sealed_fields_bind_to_their_place(void **state) {
    (void)state;
    knit_keys k;
    keys_generate(&k);
    unsigned char *c;
    size_t n;
    const char *name = "ນາງ ບົວສີ";
    assert_int_equal(fe_seal(&k, "person", "native_name", 7, name, strlen(name), &c, &n), 0);
    assert_null(memmem(c, n, name, strlen(name)));
    char *p;
    assert_int_equal(fe_open(&k, "person", "native_name", 7, c, n, &p, NULL), KNIT_OK);
    assert_string_equal(p, name);
    xfree(p);
    assert_int_equal(fe_open(&k, "person", "native_name", 8, c, n, &p, NULL), KNIT_ECRYPTO);
    assert_int_equal(fe_open(&k, "person", "latin_name", 7, c, n, &p, NULL), KNIT_ECRYPTO);
    assert_int_equal(fe_open(&k, "reporter", "native_name", 7, c, n, &p, NULL), KNIT_ECRYPTO);
    c[n - 1] ^= 1;
    assert_int_equal(fe_open(&k, "person", "native_name", 7, c, n, &p, NULL), KNIT_ECRYPTO);
    xfree(c);
    unsigned char a[BIDX_LEN], b[BIDX_LEN];
    char *x = fe_normalize("ＳＯＭＣＨＡＩ  Jaidee", 0), *y = fe_normalize("somchai jaidee", 0);
    assert_string_equal(x, y);
    fe_blind(&k, "name", x, strlen(x), a);
    fe_blind(&k, "name", y, strlen(y), b);
    assert_memory_equal(a, b, BIDX_LEN);
    fe_blind(&k, "identifier", y, strlen(y), b);
    assert_memory_not_equal(a, b, BIDX_LEN);
    xfree(x);
    xfree(y);
    x = fe_normalize("AB 123-45", 1);
    assert_string_equal(x, "ab12345");
    xfree(x);
}

/* Append n audit rows. */
static void append(sqlite3 *db, int n) {
    actor who = {0, "cli", "127.0.0.1"};
    kerr e;
    for (int i = 0; i < n; i++) {
        json_t *d = json_pack("{si}", "i", i);
        assert_int_equal(audit_append(db, &who, "test.action", "thing", i + 1, d, &e), KNIT_OK);
        json_decref(d);
    }
}

static int verify(sqlite3 *db, char *report, size_t cap) {
    buf b;
    buf_init(&b, 1 << 16);
    int64_t rows;
    int problems = audit_verify(db, keys_global(), &b, &rows);
    snprintf(report, cap, "%s", buf_str(&b));
    buf_free(&b);
    return problems;
}

static void test_audit_verify_catches_edited_and_deleted_rows(void **state) {
    (void)state;
    char report[4096];
    sqlite3 *db = fresh_db("a1.db");
    append(db, 10);
    assert_int_equal(verify(db, report, sizeof report), 0);
    assert_int_not_equal(db_exec(db, "UPDATE audit SET detail='{}' WHERE id=3"), KNIT_OK);
    assert_int_not_equal(db_exec(db, "DELETE FROM audit WHERE id=3"), KNIT_OK);
    assert_int_equal(db_exec(db, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete"), 0);
    assert_int_equal(db_exec(db, "UPDATE audit SET detail='{\"i\":99}' WHERE id=4"), KNIT_OK);
    assert_true(verify(db, report, sizeof report) > 0);
    assert_non_null(strstr(report, "row 4: edited"));
    db_close(db);

    db = fresh_db("a2.db");
    append(db, 10);
    assert_int_equal(db_exec(db, "DROP TRIGGER audit_no_delete"), 0);
    assert_int_equal(db_exec(db, "DELETE FROM audit WHERE id=6"), KNIT_OK);
    assert_true(verify(db, report, sizeof report) > 0);
    assert_non_null(strstr(report, "row 6: deleted"));
    db_close(db);

    db = fresh_db("a3.db");
    append(db, 10);
    assert_int_equal(db_exec(db, "DROP TRIGGER audit_no_delete"), 0);
    assert_int_equal(db_exec(db, "DELETE FROM audit WHERE id=10"), KNIT_OK);
    assert_true(verify(db, report, sizeof report) > 0);
    assert_non_null(strstr(report, "rows 10..10: deleted from the end"));
    db_close(db);
}

static void test_accounts_login_lockout_and_rehash(void **state) {
    (void)state;
    sqlite3 *db = fresh_db("u.db");
    actor cli = {0, "cli", ""};
    kerr e;
    auth_ctx a;
    password_profile(1);
    assert_int_equal(user_add(db, "nok", "hotline", "correct horse battery", &cli, NULL, &e), 0);
    assert_int_equal(user_add(db, "nok", "hotline", "correct horse battery", &cli, NULL, &e),
                     KNIT_ECONFLICT);
    assert_int_equal(user_add(db, "Bad Name", "hotline", "correct horse battery", &cli, NULL, &e),
                     KNIT_EINVAL);
    assert_int_equal(user_add(db, "x", "wizard", "correct horse battery", &cli, NULL, &e),
                     KNIT_EINVAL);
    assert_int_equal(user_add(db, "y", "admin", "short", &cli, NULL, &e), KNIT_EINVAL);
    /* Rehash: a minimal-cost hash is upgraded at the next login. */
    sqlite3_stmt *st = db_stmt(db, "SELECT pw_hash FROM users WHERE username='nok'");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char before[128];
    snprintf(before, sizeof before, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    password_profile(0);
    assert_int_equal(user_login(db, "nok", "correct horse battery", "10.0.0.1", &a, &e), 0);
    assert_string_equal(a.caps, role_caps("hotline"));
    st = db_stmt(db, "SELECT pw_hash FROM users WHERE username='nok'");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_not_equal(before, (const char *)sqlite3_column_text(st, 0));
    assert_int_equal(crypto_pwhash_str_needs_rehash((const char *)sqlite3_column_text(st, 0),
                                                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    sqlite3_reset(st);
    password_profile(1);
    /* Lockout after auth_cfg.lock_after failures, even with the right password. */
    for (int i = 0; i < auth_cfg.lock_after; i++)
        assert_int_equal(user_login(db, "nok", "wrong password!", "10.0.0.2", &a, &e), KNIT_EAUTH);
    assert_int_equal(user_login(db, "nok", "correct horse battery", "10.0.0.2", &a, &e),
                     KNIT_ELIMIT);
    assert_string_equal(e.code, "account_locked");
    /* Unknown user and wrong password look the same. */
    kerr e2;
    assert_int_equal(user_login(db, "nobody", "whatever123", "10.0.0.3", &a, &e2), KNIT_EAUTH);
    assert_int_equal(user_add(db, "pat", "caseworker", "correct horse battery", &cli, NULL, &e), 0);
    assert_int_equal(user_login(db, "pat", "wrong password!", "10.0.0.3", &a, &e), KNIT_EAUTH);
    assert_string_equal(e.message, e2.message);
    assert_int_equal(user_disable(db, "pat", 1, &cli, &e), 0);
    assert_int_equal(user_login(db, "pat", "correct horse battery", "10.0.0.4", &a, &e),
                     KNIT_EAUTH);
    db_close(db);
}

static void test_sessions_expire_and_tokens_revoke(void **state) {
    (void)state;
    sqlite3 *db = fresh_db("s.db");
    actor cli = {0, "cli", ""};
    kerr e;
    auth_ctx a, b;
    int64_t uid;
    password_profile(1);
    assert_int_equal(user_add(db, "kim", "caseworker", "correct horse battery", &cli, &uid, &e), 0);
    assert_int_equal(user_login(db, "kim", "correct horse battery", "10.1.0.1", &a, &e), 0);
    char *cookie, *csrf;
    assert_int_equal(session_create(db, &a, "10.1.0.1", &cookie, &csrf, &e), 0);
    assert_int_equal(session_lookup(db, cookie, &b), KNIT_OK);
    assert_int_equal(b.user_id, uid);
    assert_string_equal(b.csrf, csrf);
    assert_int_equal(session_lookup(db, "not-a-session", &b), KNIT_EAUTH);
    assert_int_equal(db_exec(db, "UPDATE sessions SET last_seen=last_seen-100000"), 0);
    assert_int_equal(session_lookup(db, cookie, &b), KNIT_EAUTH); /* idle too long */
    xfree(cookie);
    xfree(csrf);
    /* A session in use all along still ends at the absolute limit. */
    assert_int_equal(session_create(db, &a, "10.1.0.1", &cookie, &csrf, &e), 0);
    assert_int_equal(session_lookup(db, cookie, &b), KNIT_OK);
    assert_int_equal(db_exec(db, "UPDATE sessions SET created_at=created_at-100000"), 0);
    assert_int_equal(session_lookup(db, cookie, &b), KNIT_EAUTH);
    xfree(cookie);
    xfree(csrf);
    char *tok;
    int64_t tid;
    assert_int_equal(token_create(db, uid, "script", &cli, &tok, &tid, &e), 0);
    assert_int_equal(token_lookup(db, tok, &b), KNIT_OK);
    assert_int_equal(b.token_id, tid);
    assert_int_equal(token_revoke(db, tid, 0, &cli, &e), KNIT_OK);
    assert_int_equal(token_lookup(db, tok, &b), KNIT_EAUTH);
    assert_int_equal(token_revoke(db, tid, 0, &cli, &e), KNIT_ENOTFOUND);
    xfree(tok);
    db_close(db);
}

static void test_roles_map_to_capabilities(void **state) {
    (void)state;
    assert_true(caps_has(role_caps("admin"), "apPkKcCRusv"));
    assert_false(caps_has(role_caps("analyst"), "k"));
    assert_true(caps_has(role_caps("auditor"), "u"));
    assert_false(caps_has(role_caps("caseworker"), "R"));
    assert_true(caps_has(role_caps("hotline"), "CR"));
    assert_false(caps_has(role_caps("hotline"), "K"));
    assert_null(role_caps("wizard"));
}

int main(void) {
    json_init();
    if (crypto_init()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_migrates_forward_and_refuses_newer_schema),
        cmocka_unit_test(test_transactions_roll_back_and_batches_nest),
        cmocka_unit_test(test_keys_round_trip_and_private_file),
        cmocka_unit_test(test_sealed_fields_bind_to_their_place),
        cmocka_unit_test(test_audit_verify_catches_edited_and_deleted_rows),
        cmocka_unit_test(test_accounts_login_lockout_and_rehash),
        cmocka_unit_test(test_sessions_expire_and_tokens_revoke),
        cmocka_unit_test(test_roles_map_to_capabilities),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
