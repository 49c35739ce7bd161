/*
** test_match_compare.c: Jaro, Jaro-Winkler, Damerau-Levenshtein and
** token-set similarity against published values, a naive reference
** implementation, and names in several scripts.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match/compare.h"

/* Compare two UTF-8 strings with fn. */
static double sim(double (*fn)(const uint32_t *, int, const uint32_t *, int), const char *x,
                  const char *y) {
    uint32_t a[MT_MAX_LEN], b[MT_MAX_LEN];
    int na = mt_utf32(x, a, MT_MAX_LEN), nb = mt_utf32(y, b, MT_MAX_LEN);
    assert_true(na >= 0 && nb >= 0);
    return fn(a, na, b, nb);
}

static int dl(const char *x, const char *y) {
    uint32_t a[MT_MAX_LEN], b[MT_MAX_LEN];
    int na = mt_utf32(x, a, MT_MAX_LEN), nb = mt_utf32(y, b, MT_MAX_LEN);
    return mt_damerau(a, na, b, nb);
}

static void test_jaro_winkler_matches_published_values(void **state) {
    (void)state;
    assert_true(fabs(sim(mt_jaro_winkler, "MARTHA", "MARHTA") - 0.9611) < 0.001);
    assert_true(fabs(sim(mt_jaro_winkler, "DWAYNE", "DUANE") - 0.84) < 0.001);
    assert_true(fabs(sim(mt_jaro_winkler, "DIXON", "DICKSONX") - 0.8133) < 0.001);
    assert_true(fabs(sim(mt_jaro, "CRATE", "TRACE") - 0.7333) < 0.001);
    assert_true(sim(mt_jaro_winkler, "same", "same") == 1.0);
    assert_true(sim(mt_jaro_winkler, "abc", "xyz") == 0.0);
    assert_true(sim(mt_jaro_winkler, "", "") == 1.0);
    assert_true(sim(mt_jaro_winkler, "a", "") == 0.0);
}

/* Textbook O(n*m) Jaro, the reference for the bit-parallel one. */
static double jaro_ref(const uint32_t *a, int na, const uint32_t *b, int nb) {
    if (na == 0 && nb == 0) return 1;
    if (na == 0 || nb == 0) return 0;
    char fa[MT_MAX_LEN] = {0}, fb[MT_MAX_LEN] = {0};
    int w = (na > nb ? na : nb) / 2 - 1, m = 0, t = 0;
    if (w < 0) w = 0;
    for (int j = 0; j < nb; j++)
        for (int i = j - w < 0 ? 0 : j - w; i <= j + w && i < na; i++)
            if (!fa[i] && a[i] == b[j]) {
                fa[i] = fb[j] = 1;
                m++;
                break;
            }
    if (m == 0) return 0;
    for (int i = 0, j = 0; i < na; i++) {
        if (!fa[i]) continue;
        while (!fb[j]) j++;
        if (a[i] != b[j++]) t++;
    }
    return ((double)m / na + (double)m / nb + (double)(m - t / 2) / m) / 3;
}

static void test_bit_parallel_jaro_equals_reference_on_random_strings(void **state) {
    (void)state;
    srand(7);
    uint32_t a[100], b[100];
    for (int round = 0; round < 20000; round++) {
        int na = rand() % 70, nb = rand() % 70, alpha = 2 + rand() % 6;
        for (int i = 0; i < na; i++) a[i] = 0x0E01 + (uint32_t)(rand() % alpha); /* Thai letters */
        for (int i = 0; i < nb; i++) b[i] = 0x0E01 + (uint32_t)(rand() % alpha);
        double x = mt_jaro(a, na, b, nb), y = jaro_ref(a, na, b, nb);
        if (na <= 64) {
            assert_true(fabs(x - y) < 1e-12);
            mt_pattern p;
            assert_int_equal(mt_prepare(&p, a, na), 0);
            assert_true(mt_jaro_winkler_p(&p, b, nb) == mt_jaro_winkler(a, na, b, nb));
        }
    }
}

static void test_damerau_counts_unrestricted_transpositions(void **state) {
    (void)state;
    assert_int_equal(dl("CA", "ABC"), 2); /* optimal string alignment would say 3 */
    assert_int_equal(dl("abcdef", "abcdfe"), 1);
    assert_int_equal(dl("kitten", "sitting"), 3);
    assert_int_equal(dl("", "abc"), 3);
    assert_int_equal(dl("abc", ""), 3);
    assert_int_equal(dl("same", "same"), 0);
    assert_int_equal(dl("สมชาย", "สมขาย"), 1); /* one Thai letter, not three bytes */
    char longer[200];
    memset(longer, 'a', 100);
    longer[100] = 0;
    assert_int_equal(dl(longer, "a"), -1);
}

static void test_token_set_ignores_word_order(void **state) {
    (void)state;
    assert_true(sim(mt_token_set, "nguyen van an", "an nguyen van") == 1.0);
    double partial = sim(mt_token_set, "aung aung", "aung aung myint");
    assert_true(partial > 0.7 && partial < 1.0);
    assert_true(sim(mt_token_set, "somchai jaidee", "somchay jaidee") > 0.9);
    assert_true(sim(mt_token_set, "somchai jaidee", "wang xiuying") < 0.6);
}

static void test_utf32_rejects_invalid_utf8(void **state) {
    (void)state;
    uint32_t out[8];
    assert_int_equal(mt_utf32("\xff", out, 8), -1);
    assert_int_equal(mt_utf32("\xc0\xaf", out, 8), -1);   /* overlong */
    assert_int_equal(mt_utf32("abcdefghij", out, 8), -1); /* too long for out */
    assert_int_equal(mt_utf32("ພອນ", out, 8), 3);
    assert_int_equal(out[0], 0x0E9E);
}

static void test_date_levels(void **state) {
    (void)state;
    mt_date a = {1990, 3, 4, 0}, b = {1990, 3, 4, 0}, swap = {1990, 4, 3, 0}, ym = {1990, 3, 20, 0},
            y1 = {1991, 7, 1, 0}, y5 = {1994, 1, 1, 0}, far = {2001, 1, 1, 0}, none = {0, 0, 0, 0},
            year_only = {1990, 0, 0, 0};
    assert_int_equal(mt_date_level(&a, &b), MT_DATE_EXACT);
    assert_int_equal(mt_date_level(&a, &swap), MT_DATE_SWAPPED);
    assert_int_equal(mt_date_level(&a, &ym), MT_DATE_YEAR_MONTH);
    assert_int_equal(mt_date_level(&a, &y1), MT_DATE_YEAR1);
    assert_int_equal(mt_date_level(&a, &y5), MT_DATE_YEAR5);
    assert_int_equal(mt_date_level(&a, &far), MT_DATE_DIFFERENT);
    assert_int_equal(mt_date_level(&a, &none), MT_DATE_MISSING);
    assert_int_equal(mt_date_level(&a, &year_only), MT_DATE_YEAR1);
    mt_date about = mt_date_from_age(15, 2024, 6, 1); /* "about 15" in mid-2024 */
    mt_date born = {2008, 11, 2, 0};
    assert_int_equal(mt_date_level(&about, &born), MT_DATE_YEAR1);
    mt_date older = {2000, 1, 1, 0};
    assert_int_equal(mt_date_level(&about, &older), MT_DATE_DIFFERENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaro_winkler_matches_published_values),
        cmocka_unit_test(test_bit_parallel_jaro_equals_reference_on_random_strings),
        cmocka_unit_test(test_damerau_counts_unrestricted_transpositions),
        cmocka_unit_test(test_token_set_ignores_word_order),
        cmocka_unit_test(test_utf32_rejects_invalid_utf8),
        cmocka_unit_test(test_date_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
