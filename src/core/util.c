/*
** util.c: errors, logging, clocks, dates, integers, encodings (see util.h).
*/
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "xmalloc.h"

int kerr_set(kerr *e, int rc, const char *code, const char *field, const char *fmt, ...) {
    if (e == NULL) return rc;
    e->rc = rc;
    snprintf(e->code, sizeof e->code, "%s", code ? code : "error");
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return rc;
}

int kerr_nest(kerr *e, const char *outer, int index) {
    char f[sizeof e->field];
    int n = index >= 0 ? snprintf(f, sizeof f, "%s[%d].", outer, index)
                       : snprintf(f, sizeof f, "%s.", outer);
    if (n > 0 && (size_t)n < sizeof f) {
        size_t room = sizeof f - (size_t)n - 1, len = strlen(e->field);
        if (len > room) len = room;
        memcpy(f + n, e->field, len);
        f[(size_t)n + len] = 0;
        memcpy(e->field, f, sizeof f);
    }
    return e->rc;
}

void kerr_clear(kerr *e) {
    if (e == NULL) return;
    e->rc = KNIT_OK;
    e->code[0] = e->field[0] = e->message[0] = 0;
}

static int quiet; /* 1: log_info prints nothing */

void log_quiet(int on) {
    quiet = on;
}

static void vlog(const char *level, const char *fmt, va_list ap) {
    char ts[21];
    ts_format(now_s(), ts);
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "%s %s %s\n", ts, level, line);
}

void log_info(const char *fmt, ...) {
    if (quiet) return;
    va_list ap;
    va_start(ap, fmt);
    vlog("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("knit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t now_s(void) {
    return (int64_t)time(NULL);
}

int64_t mono_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

void ts_format(int64_t t, char out[21]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int days_in_month(int y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* Read exactly n decimal digits from *p, advancing it on success. */
static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return KNIT_EINVAL;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return KNIT_OK;
}

/* Parse "YYYY-MM-DD" at *p, advancing on success. */
static int date_at(const char **p, int *y, int *m, int *d) {
    const char *s = *p;
    if (digits(&s, 4, y) || *s++ != '-' || digits(&s, 2, m) || *s++ != '-' || digits(&s, 2, d))
        return KNIT_EINVAL;
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return KNIT_EINVAL;
    *p = s;
    return KNIT_OK;
}

int date_parse(const char *s, int *y, int *m, int *d) {
    int yy, mm, dd;
    if (date_at(&s, &yy, &mm, &dd) || *s) return KNIT_EINVAL;
    if (y) *y = yy;
    if (m) *m = mm;
    if (d) *d = dd;
    return KNIT_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int ts_parse(const char *s, int64_t *out) {
    int y, mo, d, h, mi, se;
    if (date_at(&s, &y, &mo, &d)) return KNIT_EINVAL;
    if (*s != 'T' && *s != 't') return KNIT_EINVAL;
    s++;
    if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' || digits(&s, 2, &se))
        return KNIT_EINVAL;
    if (h > 23 || mi > 59 || se > 60) return KNIT_EINVAL;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9') return KNIT_EINVAL;
        while (*s >= '0' && *s <= '9') s++;
    }
    int64_t off = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1, oh, om;
        if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om) || oh > 23 || om > 59)
            return KNIT_EINVAL;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return KNIT_EINVAL;
    }
    if (*s) return KNIT_EINVAL;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    return KNIT_OK;
}

int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out) {
    if (s == NULL || *s == 0) return KNIT_EINVAL;
    const char *p = s;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (*p == 0) return KNIT_EINVAL;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return KNIT_EINVAL;
        if (v > (UINT64_MAX - 9) / 10) return KNIT_EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > (uint64_t)INT64_MAX) return KNIT_EINVAL;
    }
    int64_t r = neg ? -(int64_t)v : (int64_t)v;
    if (r < lo || r > hi) return KNIT_EINVAL;
    *out = r;
    return KNIT_OK;
}

char *b64_encode(const unsigned char *p, size_t n) {
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *s = xmalloc(len);
    if (s == NULL) return NULL;
    sodium_bin2base64(s, len, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return s;
}

long b64_decode(const char *s, unsigned char *out, size_t cap) {
    size_t n = 0;
    const char *end = NULL;
    size_t len = strlen(s);
    while (len && s[len - 1] == '=') len--;
    if (sodium_base642bin(out, cap, s, len, NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    if (end != s + len) return -1;
    return (long)n;
}

void hex_encode(const unsigned char *p, size_t n, char *out) {
    sodium_bin2hex(out, 2 * n + 1, p, n);
}

int path_check(const char *path, const char *option, kerr *e) {
    if (path == NULL || *path == 0)
        return kerr_set(e, KNIT_EINVAL, "invalid_path", option, "%s: empty path", option);
    const char *p = path;
    while (*p) {
        const char *seg = p;
        while (*p && *p != '/') p++;
        if (p - seg == 2 && seg[0] == '.' && seg[1] == '.')
            return kerr_set(e, KNIT_EINVAL, "invalid_path", option,
                            "%s: path may not contain '..' components", option);
        if (*p == '/') p++;
    }
    if (strlen(path) > 4000)
        return kerr_set(e, KNIT_EINVAL, "invalid_path", option, "%s: path too long", option);
    return KNIT_OK;
}

int utf8_next(const char *s, size_t n, uint32_t *cp) {
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0) return -1;
    uint32_t c = p[0], min;
    size_t k;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        k = 1, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        k = 2, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        k = 3, min = 0x10000, c &= 0x07;
    } else {
        return -1;
    }
    if (n <= k) return -1;
    for (size_t i = 1; i <= k; i++) {
        if ((p[i] & 0xC0) != 0x80) return -1;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return -1;
    *cp = c;
    return (int)k + 1;
}

int utf8_valid(const char *s, size_t n) {
    for (size_t at = 0; at < n;) {
        uint32_t c;
        int k = utf8_next(s + at, n - at, &c);
        if (k < 0 || c == 0) return 0;
        at += (size_t)k;
    }
    return 1;
}
