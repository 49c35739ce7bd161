/*
** test_match_febrl.c: the matching pipeline end to end on FEBRL dataset 1
** (1,000 records, 500 true duplicate pairs): an accuracy floor that fails
** if quality regresses, EM convergence, explanations, and CSV error
** reporting of the loader.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/xmalloc.h"
#include "match/match.h"

/* Load FEBRL dataset 1, failing loudly when the shared data is missing. */
static void load_febrl1(mt_dataset *ds, const char *drop) {
    kerr e;
    size_t len;
    char *text = ds_read_file("../shared/data/febrl/dataset1.csv", &len, &e);
    if (text == NULL) fail_msg("../shared/data/febrl/dataset1.csv missing: %s", e.message);
    ds_opts o = {NULL, "rec_id", drop, 0};
    assert_int_equal(ds_load(ds, text, len, &o, &e), KNIT_OK);
    xfree(text);
    assert_int_equal(ds->n, 1000);
}

static void test_febrl1_dedupe_reaches_f1_floor(void **state) {
    (void)state;
    mt_dataset ds;
    load_febrl1(&ds, NULL);
    uint64_t *pairs;
    size_t np;
    int skipped;
    kerr e;
    assert_int_equal(mt_block(&ds, &pairs, &np, 500, &skipped, &e), KNIT_OK);
    mt_model mdl;
    assert_int_equal(mt_train(&ds, pairs, np, 50000, 1, &mdl, NULL, &e), KNIT_OK);
    assert_true(mdl.em_iterations < 100); /* converged */
    assert_true(mdl.m[MF_SURNAME][0] > mdl.u[MF_SURNAME][0] * 10);
    mt_tf *tf = mt_tf_build(&ds);
    double prob[np ? np : 1];
    for (size_t k = 0; k < np; k++)
        prob[k] = mt_probability(
            mt_weight(&mdl, tf, ds.n, &ds.r[pairs[k] >> 32], &ds.r[(uint32_t)pairs[k]]));
    int cluster[1000];
    assert_int_equal(mt_cluster(&ds, pairs, prob, np, 0.5, 0.01, NULL, NULL, cluster, &e), KNIT_OK);
    mt_quality q;
    mt_evaluate(&ds, cluster, &q);
    assert_int_equal(q.true_pairs, 500);
    assert_true(q.f1 >= 0.99);
    /* An explanation names every field with its level and weight. */
    json_t *x = mt_explain(&mdl, tf, ds.n, &ds.r[pairs[0] >> 32], &ds.r[(uint32_t)pairs[0]]);
    assert_non_null(x);
    assert_int_equal(json_array_size(json_object_get(x, "fields")), 9);
    assert_true(json_is_real(json_object_get(x, "match_probability")));
    json_decref(x);
    mt_tf_free(tf);
    xfree(pairs);
    ds_free(&ds);
}

static void test_loader_reports_malformed_rows_and_bad_utf8(void **state) {
    (void)state;
    const char *csv = "given_name,surname\nann,lee\nbob\ncid,wu\n";
    mt_dataset ds;
    kerr e;
    ds_opts o = {NULL, NULL, NULL, 0};
    assert_int_equal(ds_load(&ds, csv, strlen(csv), &o, &e), KNIT_OK);
    assert_int_equal(ds.n, 2);
    assert_int_equal(ds.skipped, 1);
    assert_false(ds.has[MF_DOB]); /* a file without a field is matched on what it has */
    ds_free(&ds);
    o.strict = 1;
    assert_int_equal(ds_load(&ds, csv, strlen(csv), &o, &e), KNIT_EINVAL);
    assert_non_null(strstr(e.message, "line 3"));
    const char *bad = "given_name\nok\nb\xc3\n";
    assert_int_equal(ds_load(&ds, bad, strlen(bad), &o, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "invalid_utf8");
}

int main(void) {
    json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_febrl1_dedupe_reaches_f1_floor),
        cmocka_unit_test(test_loader_reports_malformed_rows_and_bad_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
