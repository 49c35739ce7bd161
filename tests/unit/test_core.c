/*
** test_core.c: the buffer and JSON layers, including allocation failure:
** a counting allocator fails the Nth allocation and the code must report
** it cleanly, without crashing or leaking.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/util.h"
#include "core/xmalloc.h"

static void test_buf_append_past_ceiling_leaves_buffer_unchanged(void **state) {
    (void)state;
    buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "abcdef"), KNIT_OK);
    assert_int_equal(buf_puts(&b, "xyz"), KNIT_ETOOBIG);
    assert_string_equal(buf_str(&b), "abcdef");
    assert_int_equal(b.len, 6);
    assert_int_equal(buf_printf(&b, "%d", 123), KNIT_ETOOBIG);
    assert_int_equal(buf_printf(&b, "%d", 12), KNIT_OK);
    assert_string_equal(buf_str(&b), "abcdef12");
    buf_reset(&b);
    assert_string_equal(buf_str(&b), "");
    char *d = buf_detach(&b);
    assert_string_equal(d, "");
    xfree(d);
    buf_free(&b);
}

static void test_buf_grows_and_detaches(void **state) {
    (void)state;
    buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++) assert_int_equal(buf_printf(&b, "%04d,", i), KNIT_OK);
    assert_int_equal(b.len, 5000);
    assert_memory_equal(b.data + 4995, "0999,", 5);
    char *d = buf_detach(&b);
    assert_null(b.data);
    assert_int_equal(strlen(d), 5000);
    xfree(d);
}

/* Buffer work that allocates several times; returns the first error. */
static int buf_work(void) {
    buf b;
    buf_init(&b, 1 << 16);
    int rc = KNIT_OK;
    for (int i = 0; i < 200 && rc == KNIT_OK; i++) rc = buf_printf(&b, "line %d of the test\n", i);
    char *d = rc == KNIT_OK ? buf_detach(&b) : NULL;
    if (rc == KNIT_OK && d == NULL) rc = KNIT_ENOMEM;
    xfree(d);
    buf_free(&b);
    return rc;
}

static void test_buf_survives_every_allocation_failure(void **state) {
    (void)state;
    long start = xmalloc_live();
    int succeeded = 0;
    for (long n = 1; n < 100 && !succeeded; n++) {
        xmalloc_fail_at(n);
        int rc = buf_work();
        xmalloc_fail_at(0);
        assert_true(rc == KNIT_OK || rc == KNIT_ENOMEM);
        succeeded = rc == KNIT_OK;
        assert_int_equal(xmalloc_live(), start);
    }
    assert_true(succeeded);
}

static const char *const colours[] = {"red", "green", NULL};
static const jfield spec[] = {
    {"name", JF_STRING, 1, 20, 0, 0, NULL},   {"age", JF_INT, 0, 0, 0, 120, NULL},
    {"colour", JF_ENUM, 0, 0, 0, 0, colours}, {"born", JF_DATE, 0, 0, 0, 0, NULL},
    {"at", JF_TIMESTAMP, 0, 0, 0, 0, NULL},   {"country", JF_COUNTRY, 0, 0, 0, 0, NULL},
    {"lang", JF_LANG, 0, 0, 0, 0, NULL},      {"tags", JF_STRARRAY, 0, 10, 0, 2, NULL},
    {"ok", JF_BOOL, 0, 0, 0, 0, NULL},        {NULL, 0, 0, 0, 0, 0, NULL},
};

/* Parse and check doc; returns the kerr code ("" when valid) in e. */
static int check(const char *doc, kerr *e) {
    json_t *v;
    kerr_clear(e);
    int rc = jv_parse(doc, strlen(doc), &v, e);
    if (rc == KNIT_OK) {
        rc = jv_check(v, spec, e);
        json_decref(v);
    }
    return rc;
}

static void expect(const char *doc, const char *code, const char *field) {
    kerr e;
    int rc = check(doc, &e);
    if (code == NULL) {
        assert_int_equal(rc, KNIT_OK);
        return;
    }
    assert_int_equal(rc, KNIT_EINVAL);
    assert_string_equal(e.code, code);
    if (field) assert_string_equal(e.field, field);
}

static void test_json_validation_names_the_field(void **state) {
    (void)state;
    expect("{\"name\":\"Ann\",\"age\":30,\"colour\":\"red\",\"born\":\"2000-02-29\","
           "\"at\":\"2024-01-01T10:00:00+07:00\",\"country\":\"TH\",\"lang\":\"th\","
           "\"tags\":[\"a\",\"b\"],\"ok\":true}",
           NULL, NULL);
    expect("{\"name\":", "malformed_json", NULL);
    expect("[1,2]", "not_an_object", NULL);
    expect("{\"name\":\"a\",\"name\":\"b\"}", "malformed_json", NULL);
    expect("{\"name\":\"Ann\",\"x\":1}", "unknown_field", "x");
    expect("{\"age\":3}", "missing_field", "name");
    expect("{\"name\":5}", "invalid_type", "name");
    expect("{\"name\":\"\"}", "invalid_value", "name");
    expect("{\"name\":\"abcdefghijklmnopqrstuvwxyz\"}", "too_long", "name");
    expect("{\"name\":\"a\",\"age\":121}", "invalid_value", "age");
    expect("{\"name\":\"a\",\"age\":1.5}", "invalid_type", "age");
    expect("{\"name\":\"a\",\"colour\":\"blue\"}", "unknown_value", "colour");
    expect("{\"name\":\"a\",\"born\":\"2025-02-29\"}", "invalid_date", "born");
    expect("{\"name\":\"a\",\"born\":\"2999-01-01\"}", "date_in_future", "born");
    expect("{\"name\":\"a\",\"born\":\"yesterday\"}", "invalid_date", "born");
    expect("{\"name\":\"a\",\"at\":\"2024-01-01 10:00\"}", "invalid_date", "at");
    expect("{\"name\":\"a\",\"country\":\"th\"}", "invalid_value", "country");
    expect("{\"name\":\"a\",\"lang\":\"TH\"}", "invalid_value", "lang");
    expect("{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\"]}", "too_long", "tags");
    expect("{\"name\":\"a\",\"tags\":[1]}", "invalid_type", "tags");
    expect("{\"name\":\"a\",\"ok\":\"yes\"}", "invalid_type", "ok");
    expect("{\"name\":null}", "missing_field", "name");
}

static void test_json_rejects_bad_utf8_and_deep_nesting(void **state) {
    (void)state;
    kerr e;
    const char bad[] = "{\"name\":\"ab\xff\"}";
    json_t *v;
    assert_int_equal(jv_parse(bad, sizeof bad - 1, &v, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "invalid_utf8");
    assert_non_null(strstr(e.message, "offset 11"));
    char deep[200];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < 30; i++) deep[n++] = '[';
    for (int i = 0; i < 30; i++) deep[n++] = ']';
    deep[n++] = '}';
    assert_int_equal(jv_parse(deep, n, &v, &e), KNIT_EINVAL);
    assert_string_equal(e.code, "too_deep");
}

/* Parse, validate and dump a document; returns the first error. */
static int json_work(void) {
    static const char doc[] =
        "{\"name\":\"Somchai\",\"age\":30,\"colour\":\"green\",\"tags\":[\"x\",\"y\"],"
        "\"ok\":false,\"country\":\"LA\"}";
    json_t *v;
    kerr e;
    int rc = jv_parse(doc, sizeof doc - 1, &v, &e);
    if (rc) return rc;
    rc = jv_check(v, spec, &e);
    if (rc == KNIT_OK) rc = jv_set_str(v, "lang", "lo");
    char *s = rc == KNIT_OK ? jv_dump(v) : NULL;
    if (rc == KNIT_OK && s == NULL) rc = KNIT_ENOMEM;
    xfree(s);
    json_decref(v);
    return rc;
}

static void test_json_survives_every_allocation_failure(void **state) {
    (void)state;
    long start = xmalloc_live();
    int succeeded = 0;
    for (long n = 1; n < 500 && !succeeded; n++) {
        xmalloc_fail_at(n);
        int rc = json_work();
        xmalloc_fail_at(0);
        assert_true(rc == KNIT_OK || rc == KNIT_ENOMEM || rc == KNIT_EINVAL);
        succeeded = rc == KNIT_OK;
        assert_int_equal(xmalloc_live(), start);
    }
    assert_true(succeeded);
    assert_true(xmalloc_failures() > 0);
}

static void test_util_parsers(void **state) {
    (void)state;
    int y, m, d;
    assert_int_equal(date_parse("2024-02-29", &y, &m, &d), KNIT_OK);
    assert_int_equal(date_parse("2023-02-29", NULL, NULL, NULL), KNIT_EINVAL);
    assert_int_equal(date_parse("1900-02-29", NULL, NULL, NULL), KNIT_EINVAL);
    assert_int_equal(date_parse("2000-02-29", NULL, NULL, NULL), KNIT_OK);
    assert_int_equal(date_parse("2024-13-01", NULL, NULL, NULL), KNIT_EINVAL);
    assert_int_equal(date_parse("2024-1-01", NULL, NULL, NULL), KNIT_EINVAL);
    int64_t t;
    assert_int_equal(ts_parse("1970-01-01T00:00:00Z", &t), KNIT_OK);
    assert_int_equal(t, 0);
    assert_int_equal(ts_parse("1970-01-01T07:00:00+07:00", &t), KNIT_OK);
    assert_int_equal(t, 0);
    assert_int_equal(ts_parse("2024-06-01T12:00:00.123Z", &t), KNIT_OK);
    assert_int_equal(ts_parse("2024-06-01T12:00:00", &t), KNIT_EINVAL);
    assert_int_equal(ts_parse("2024-06-01T25:00:00Z", &t), KNIT_EINVAL);
    int64_t v;
    assert_int_equal(parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), KNIT_OK);
    assert_int_equal(parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), KNIT_EINVAL);
    assert_int_equal(parse_i64("12a", 0, 100, &v), KNIT_EINVAL);
    assert_int_equal(parse_i64("101", 0, 100, &v), KNIT_EINVAL);
    assert_int_equal(parse_i64("", 0, 100, &v), KNIT_EINVAL);
    kerr e;
    assert_int_equal(path_check("../etc/passwd", "--db", &e), KNIT_EINVAL);
    assert_int_equal(path_check("a/../b", "--db", &e), KNIT_EINVAL);
    assert_int_equal(path_check("a..b/c..", "--db", &e), KNIT_OK);
    assert_int_equal(path_check("", "--db", &e), KNIT_EINVAL);
    assert_true(utf8_valid("ไทย", strlen("ไทย")));
    assert_false(utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(utf8_valid("\xe0\xb8", 2));     /* truncated */
    assert_false(utf8_valid("a\0b", 3));         /* NUL */
    unsigned char raw[5] = {0, 1, 2, 250, 255}, back[8];
    char *s = b64_encode(raw, 5);
    assert_int_equal(b64_decode(s, back, sizeof back), 5);
    assert_memory_equal(raw, back, 5);
    xfree(s);
    assert_int_equal(b64_decode("!!!", back, sizeof back), -1);
}

int main(void) {
    json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_past_ceiling_leaves_buffer_unchanged),
        cmocka_unit_test(test_buf_grows_and_detaches),
        cmocka_unit_test(test_buf_survives_every_allocation_failure),
        cmocka_unit_test(test_json_validation_names_the_field),
        cmocka_unit_test(test_json_rejects_bad_utf8_and_deep_nesting),
        cmocka_unit_test(test_json_survives_every_allocation_failure),
        cmocka_unit_test(test_util_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
