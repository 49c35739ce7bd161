/*
** test_match_normalize.c: script-aware folding of names.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/xmalloc.h"
#include "match/normalize.h"

/* Assert that fold(x, flags) is expect. */
static void folds(const char *x, int flags, const char *expect) {
    char *f = mt_fold(x, flags);
    assert_non_null(f);
    assert_string_equal(f, expect);
    xfree(f);
}

static void test_fold_case_width_and_punctuation(void **state) {
    (void)state;
    folds("  SOMCHAI   Jaidee ", 0, "somchai jaidee");
    folds("ＳＯＭＣＨＡＩ", 0, "somchai");
    folds("O'Brien-Smith", 0, "o brien smith");
}

static void test_fold_vietnamese_diacritics_kept_or_removed(void **state) {
    (void)state;
    folds("Nguyễn Văn Ân", 0, "nguyen van an");
    folds("Nguyễn Văn Ân", MT_FOLD_KEEP_MARKS, "nguyễn văn ân");
    folds("Đặng Thị Hồng", 0, "đang thi hong"); /* đ is a letter, not a mark */
}

static void test_fold_thai_and_lao_tone_marks(void **state) {
    (void)state;
    folds("สมชาย ใจดี", 0, "สมชาย ใจดี");
    folds("น้ำ", 0, "นำ"); /* mai tho dropped, vowel kept */
    folds("ສົມພອນ", 0, "ສົມພອນ");
    folds("ບົວສີ ແກ້ວ", 0, "ບົວສີ ແກວ"); /* Lao mai tho dropped */
}

static void test_fold_myanmar_asat_variants(void **state) {
    (void)state;
    char *a = mt_fold("အောင်", 0), *b = mt_fold("အောင", 0);
    assert_string_equal(a, b);
    xfree(a);
    xfree(b);
}

static void test_fold_drops_titles_and_sorts_tokens(void **state) {
    (void)state;
    folds("Daw Aung San Suu Kyi", 0, "aung san suu kyi");
    folds("Ms. Nang Hseng", 0, "hseng");
    folds("Bà Nguyễn Thị Lan", 0, "nguyen thi lan");
    folds("Nguyen Van An", MT_FOLD_SORT, "an nguyen van");
    folds("An Nguyen Van", MT_FOLD_SORT, "an nguyen van");
    folds("Daw Khin", MT_FOLD_KEEP_TITLES, "daw khin");
}

static void test_fold_rejects_invalid_utf8(void **state) {
    (void)state;
    assert_null(mt_fold("ab\xff", 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_case_width_and_punctuation),
        cmocka_unit_test(test_fold_vietnamese_diacritics_kept_or_removed),
        cmocka_unit_test(test_fold_thai_and_lao_tone_marks),
        cmocka_unit_test(test_fold_myanmar_asat_variants),
        cmocka_unit_test(test_fold_drops_titles_and_sorts_tokens),
        cmocka_unit_test(test_fold_rejects_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
