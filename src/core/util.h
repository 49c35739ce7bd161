/*
** util.h: small helpers every layer uses: errors, logging, time, calendar
** dates, numbers, encodings and file-option checks.
*/
#ifndef KNIT_UTIL_H
#define KNIT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../knit.h"

/* Logging to stderr with a timestamp.  log_quiet(1) silences info lines. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_quiet(int on);
/* Print a message and exit(1).  Only for startup failures and bugs. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

int64_t now_ms(void);  /* wall clock, milliseconds since the epoch */
int64_t now_s(void);   /* wall clock, seconds since the epoch */
int64_t mono_us(void); /* monotonic clock, microseconds */

/* Format epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void ts_format(int64_t t, char out[21]);
/* Parse an RFC 3339 UTC timestamp ("YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm)") to epoch
** seconds.  Returns KNIT_OK or KNIT_EINVAL. */
int ts_parse(const char *s, int64_t *out);
/* Parse a calendar date "YYYY-MM-DD" that exists (leap years checked).  Any of
** y, m, d may be NULL.  Returns KNIT_OK or KNIT_EINVAL. */
int date_parse(const char *s, int *y, int *m, int *d);
/* Days in month m of year y (1..12). */
int days_in_month(int y, int m);

/* Parse a whole decimal integer in [lo, hi].  Returns KNIT_OK or KNIT_EINVAL. */
int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* base64url (no padding) of n bytes into a new string (xfree it); NULL on ENOMEM. */
char *b64_encode(const unsigned char *p, size_t n);
/* Decode base64url (padding optional) into out (capacity cap).  Returns the
** number of bytes or -1 on malformed input or overflow. */
long b64_decode(const char *s, unsigned char *out, size_t cap);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *p, size_t n, char *out);

/* Check a path given as a file option: non-empty, no NUL, no ".." component.
** Returns KNIT_OK or fills e and returns KNIT_EINVAL. */
int path_check(const char *path, const char *option, kerr *e);

/* Decode the UTF-8 character at s (n bytes available) into *cp.  Returns
** its length in bytes, or -1 for an invalid, overlong, surrogate or
** truncated sequence. */
int utf8_next(const char *s, size_t n, uint32_t *cp);

/* Check that s is valid UTF-8 with no NUL bytes; returns 1 if so. */
int utf8_valid(const char *s, size_t n);

#endif
