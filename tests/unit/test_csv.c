/*
** test_csv.c: the CSV reader on well-formed, liberal and broken input, and
** on the FEBRL files it must read for matching.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/xmalloc.h"

static void test_csv_reads_quotes_crlf_and_empty_fields(void **state) {
    (void)state;
    const char *in = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\n\"multi\nline\",2,3";
    csv_reader r;
    kerr e;
    assert_int_equal(csv_init(&r, in, strlen(in), ',', 0, &e), 0);
    assert_int_equal(csv_next(&r, &e), 1);
    assert_int_equal(r.nfields, 3);
    assert_string_equal(r.fields[2], "c");
    assert_int_equal(csv_next(&r, &e), 1);
    assert_int_equal(r.nfields, 3);
    assert_string_equal(r.fields[0], "x, y");
    assert_string_equal(r.fields[1], "say \"hi\"");
    assert_string_equal(r.fields[2], "");
    assert_int_equal(r.line, 2);
    assert_int_equal(csv_next(&r, &e), 1);
    assert_string_equal(r.fields[0], "multi\nline");
    assert_int_equal(r.line, 3);
    assert_int_equal(csv_next(&r, &e), 0);
    csv_free(&r);
}

static void test_csv_skips_spaces_after_separator_when_asked(void **state) {
    (void)state;
    const char *in = "\xEF\xBB\xBFrec_id, given_name, surname\nrec-1-org, mitchell, green\n";
    csv_reader r;
    kerr e;
    assert_int_equal(csv_init(&r, in, strlen(in), ',', 1, &e), 0);
    assert_int_equal(csv_next(&r, &e), 1);
    assert_string_equal(r.fields[0], "rec_id"); /* BOM dropped */
    assert_string_equal(r.fields[1], "given_name");
    assert_int_equal(csv_next(&r, &e), 1);
    assert_string_equal(r.fields[2], "green");
    assert_int_equal(csv_next(&r, &e), 0);
    csv_free(&r);
}

static void test_csv_reports_broken_input_with_line_or_offset(void **state) {
    (void)state;
    csv_reader r;
    kerr e;
    const char *bad = "ok,1\nfine,2\n\"never closed,3\n";
    assert_int_equal(csv_init(&r, bad, strlen(bad), ',', 0, &e), 0);
    assert_int_equal(csv_next(&r, &e), 1);
    assert_int_equal(csv_next(&r, &e), 1);
    assert_int_equal(csv_next(&r, &e), KNIT_EINVAL);
    assert_non_null(strstr(e.message, "line 3"));
    csv_free(&r);
    const char *mid = "a,b\"c\n";
    assert_int_equal(csv_init(&r, mid, strlen(mid), ',', 0, &e), 0);
    assert_int_equal(csv_next(&r, &e), KNIT_EINVAL);
    csv_free(&r);
    const char *utf = "abc,d\xff\n";
    assert_int_equal(csv_init(&r, utf, strlen(utf), ',', 0, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "invalid_utf8");
    assert_non_null(strstr(e.message, "byte 5"));
}

static void test_csv_reads_every_febrl_record(void **state) {
    (void)state;
    FILE *f = fopen("../shared/data/febrl/dataset1.csv", "rb");
    if (f == NULL)
        fail_msg("../shared/data/febrl/dataset1.csv is missing: test data must be beside the "
                 "repository");
    static char data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    csv_reader r;
    kerr e;
    assert_int_equal(csv_init(&r, data, n, ',', 1, &e), 0);
    int rows = 0, rc;
    while ((rc = csv_next(&r, &e)) == 1) {
        assert_int_equal(r.nfields, 11);
        rows++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rows, 1001); /* header + 1000 records */
    csv_free(&r);
}

static void test_csv_survives_allocation_failures(void **state) {
    (void)state;
    const char *in = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\n1,2,3\n";
    long start = xmalloc_live();
    for (long n = 1; n < 50; n++) {
        csv_reader r;
        kerr e;
        csv_init(&r, in, strlen(in), ',', 0, &e);
        xmalloc_fail_at(n);
        int rc;
        while ((rc = csv_next(&r, &e)) == 1) {
        }
        xmalloc_fail_at(0);
        assert_true(rc == 0 || rc == KNIT_ENOMEM);
        csv_free(&r);
        assert_int_equal(xmalloc_live(), start);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_reads_quotes_crlf_and_empty_fields),
        cmocka_unit_test(test_csv_skips_spaces_after_separator_when_asked),
        cmocka_unit_test(test_csv_reports_broken_input_with_line_or_offset),
        cmocka_unit_test(test_csv_reads_every_febrl_record),
        cmocka_unit_test(test_csv_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
