/*
** test_record.c: persons, cases and contacts through the domain layer on
** a temporary node database: versions, paging, soft delete, references,
** audited reads, and no plaintext identity in the file.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/xmalloc.h"
#include "domain/record.h"
#include "store/db.h"
#include "tmpnode.h"

static char dir[64], path[128];
static sqlite3 *db;
static const actor who = {0, "cli", "127.0.0.1"};

static int setup(void **state) {
    (void)state;
    return tmp_dir_make(dir, "rec") || tmp_node_open(dir, "node.db", &db, path) ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    db_close(db);
    return tmp_dir_remove(dir);
}

static json_t *parse(const char *s) {
    json_t *v = json_loads(s, 0, NULL);
    assert_non_null(v);
    return v;
}

static int64_t count(const char *sql) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_person_versions_and_audited_read(void **state) {
    (void)state;
    kerr e;
    json_t *in = parse(
               "{\"native_name\":\"ນາງ ບົວສີ ໃຈດີລັບ\",\"latin_name\":\"Bouasy Secretlao\","
               "\"sex\":\"female\",\"identifiers\":[{\"type\":\"passport\",\"value\":\"P-77\"}]}"),
           *out, *got;
    assert_int_equal(person_create(db, &who, in, &out, &e), KNIT_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    int64_t reads = count("SELECT count(*) FROM audit WHERE action='person.read'");
    assert_int_equal(person_get(db, &who, id, &got, &e), KNIT_OK);
    assert_string_equal(json_string_value(json_object_get(got, "latin_name")), "Bouasy Secretlao");
    json_decref(got);
    assert_int_equal(count("SELECT count(*) FROM audit WHERE action='person.read'"), reads + 1);
    json_t *upd = parse("{\"version\":1,\"latin_name\":\"Bouasy S.\"}");
    assert_int_equal(person_update(db, &who, id, upd, &out, &e), KNIT_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
    json_decref(out);
    assert_int_equal(person_update(db, &who, id, upd, &out, &e), KNIT_ECONFLICT);
    assert_string_equal(e.code, "version_conflict");
    json_decref(upd);
    json_t *noname = parse("{\"sex\":\"male\"}");
    assert_int_equal(person_create(db, &who, noname, &out, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "missing_field");
    json_decref(noname);
    /* The file holds no plaintext name or identifier. */
    assert_int_equal(db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"), KNIT_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char raw[1 << 20];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    assert_null(memmem(raw, n, "Secretlao", 9));
    assert_null(memmem(raw, n, "ໃຈດີລັບ", strlen("ໃຈດີລັບ")));
    assert_null(memmem(raw, n, "P-77", 4));
}

static void test_cases_page_and_soft_delete(void **state) {
    (void)state;
    kerr e;
    json_t *in = parse("{\"latin_name\":\"Case Person\"}"), *out;
    assert_int_equal(person_create(db, &who, in, &out, &e), KNIT_OK);
    int64_t pid = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    char text[128];
    int64_t first = 0;
    for (int i = 0; i < 7; i++) {
        snprintf(text, sizeof text, "{\"person_id\":%lld,\"agency\":\"A%d\"}", (long long)pid, i);
        in = parse(text);
        assert_int_equal(case_create(db, &who, in, &out, &e), KNIT_OK);
        if (i == 0) first = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        json_decref(in);
    }
    in = parse("{\"person_id\":999999,\"agency\":\"A\"}");
    assert_int_equal(case_create(db, &who, in, &out, &e), KNIT_EINVAL);
    assert_string_equal(e.field, "person_id");
    json_decref(in);
    int64_t after = 0;
    int seen = 0;
    for (;;) {
        json_t *page;
        assert_int_equal(case_list(db, &who, NULL, after, 3, &page, &e), KNIT_OK);
        seen += (int)json_array_size(json_object_get(page, "items"));
        const char *next = json_string_value(json_object_get(page, "next"));
        if (next) after = strtoll(next + 1, NULL, 10);
        json_decref(page);
        if (!next) break;
    }
    assert_int_equal(seen, 7);
    assert_int_equal(case_delete(db, &who, first, &e), KNIT_OK);
    assert_int_equal(case_get(db, &who, first, &out, &e), KNIT_ENOTFOUND);
    assert_int_equal(case_delete(db, &who, first, &e), KNIT_ENOTFOUND);
}

static void test_contact_reporter_shown_only_when_allowed(void **state) {
    (void)state;
    kerr e;
    json_t *in = parse("{\"channel\":\"line\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
                       "\"summary\":\"s\",\"reporter\":{\"name\":\"Nok\",\"phone\":\"081\"}}"),
           *out;
    assert_int_equal(contact_create(db, &who, in, &out, &e), KNIT_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    read_opts no = {0}, yes = {1};
    assert_int_equal(contact_get(db, &who, &no, id, &out, &e), KNIT_OK);
    assert_null(json_object_get(json_object_get(out, "reporter"), "name"));
    json_decref(out);
    assert_int_equal(contact_get(db, &who, &yes, id, &out, &e), KNIT_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "reporter"), "name")), "Nok");
    json_decref(out);
    in = parse("{\"channel\":\"fax\",\"occurred_at\":\"2026-01-02T03:04:05Z\"}");
    assert_int_equal(contact_create(db, &who, in, &out, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "unknown_value");
    json_decref(in);
}

int main(void) {
    json_init();
    if (crypto_init()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_person_versions_and_audited_read),
        cmocka_unit_test(test_cases_page_and_soft_delete),
        cmocka_unit_test(test_contact_reporter_shown_only_when_allowed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
