/*
** test_gazetteer.c: importing the Thai administrative divisions, finding
** places by exact and variant spellings, and the hierarchy levels.
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
#include "match/dataset.h"
#include "match/gazetteer.h"
#include "store/db.h"
#include "tmpnode.h"

#define THAI "../shared/data/names/thai_admin_divisions_th_en/"

static char dir[64];
static sqlite3 *db;

static void import(const char *file, const char *level, int expect) {
    kerr e;
    size_t len;
    char *text = ds_read_file(file, &len, &e);
    if (text == NULL) fail_msg("%s missing: test data must be beside the repository", file);
    int n;
    assert_int_equal(gz_import(db, "TH", level, text, len, &n, &e), KNIT_OK);
    assert_int_equal(n, expect);
    xfree(text);
}

static int setup(void **state) {
    (void)state;
    return tmp_dir_make(dir, "gz") || tmp_node_open(dir, "g.db", &db, NULL) ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    db_close(db);
    return tmp_dir_remove(dir);
}

static void test_thai_divisions_import_and_refuse_bad_files(void **state) {
    (void)state;
    import(THAI "provinces.csv", "province", 77);
    import(THAI "districts.csv", "district", 929);
    import(THAI "sub_districts.csv", "sub_district", 7451);
    kerr e;
    int n;
    const char *bad = "id,colour\n1,red\n";
    assert_int_equal(gz_import(db, "TH", "district", bad, strlen(bad), &n, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "missing_column");
    assert_int_equal(gz_import(db, "TH", "planet", bad, strlen(bad), &n, &e), KNIT_EINVAL);
}

static void test_find_exact_and_variant_spellings(void **state) {
    (void)state;
    kerr e;
    gz_place p[5];
    int n = gz_find(db, "เชียงใหม่", p, 5, &e);
    assert_true(n >= 1);
    assert_string_equal(p[0].id, "TH/province/38");
    assert_true(p[0].score == 1.0);
    n = gz_find(db, "CHIANG MAI", p, 5, &e);
    assert_true(n >= 1 && strcmp(p[0].name_latin, "Chiang Mai") == 0);
    n = gz_find(db, "Chiengmai", p, 5, &e); /* an old spelling */
    assert_true(n >= 1);
    assert_string_equal(p[0].name_latin, "Chiang Mai");
    assert_true(p[0].score >= 0.9 && p[0].score < 1.0);
    assert_int_equal(gz_find(db, "Xyzzyqwv", p, 5, &e), 0);
    assert_true(gz_find(db, "  ", p, 5, &e) < 0);
}

static void test_levels_follow_the_hierarchy(void **state) {
    (void)state;
    /* Mae Sot sub-district 630601 is in Mae Sot district 6306, Tak province 63. */
    assert_int_equal(gz_level(db, "TH/sub_district/630601", "TH/sub_district/630601"), GZ_SAME);
    assert_int_equal(gz_level(db, "TH/sub_district/630601", "TH/sub_district/630602"), GZ_DISTRICT);
    assert_int_equal(gz_level(db, "TH/sub_district/630601", "TH/district/6306"), GZ_DISTRICT);
    assert_int_equal(gz_level(db, "TH/sub_district/630601", "TH/district/6301"), GZ_PROVINCE);
    assert_int_equal(gz_level(db, "TH/sub_district/630601", "TH/province/38"), GZ_COUNTRY);
    assert_int_equal(gz_level(db, "TH/sub_district/630601", "TH/sub_district/999999"), GZ_UNKNOWN);
}

int main(void) {
    json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thai_divisions_import_and_refuse_bad_files),
        cmocka_unit_test(test_find_exact_and_variant_spellings),
        cmocka_unit_test(test_levels_follow_the_hierarchy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
