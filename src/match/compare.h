/*
** compare.h: string comparators for person matching.
**
** Names are compared as arrays of Unicode code points (UTF-32), so a Thai
** or Myanmar letter counts as one character, not three bytes.  mt_utf32()
** makes such an array from UTF-8.  All functions are pure: no allocation,
** no global state, safe from any thread.
*/
#ifndef KNIT_MATCH_COMPARE_H
#define KNIT_MATCH_COMPARE_H

#include <stdint.h>

#define MT_MAX_LEN 256 /* longest string (code points) the comparators accept */
#define MT_DL_MAX  64  /* longest string mt_damerau accepts (its matrix is on the stack) */

/* Decode NUL-terminated UTF-8 s into out (capacity cap code points).
** Returns the number of code points, or -1 for invalid UTF-8 or overflow. */
int mt_utf32(const char *s, uint32_t *out, int cap);

/* Jaro similarity in [0, 1].  Strings of up to 64 code points use a
** bit-parallel matcher; longer ones (up to MT_MAX_LEN) a plain scan. */
double mt_jaro(const uint32_t *a, int na, const uint32_t *b, int nb);

/* Jaro-Winkler similarity in [0, 1]: Jaro plus the common-prefix bonus
** (prefix up to 4 code points, scale 0.1), applied when Jaro > 0.7. */
double mt_jaro_winkler(const uint32_t *a, int na, const uint32_t *b, int nb);

/* One string prepared for many Jaro-Winkler comparisons (a query against
** a block of candidates): the position masks are built once.  Only strings
** of up to 64 code points can be prepared.  Holds a pointer to the string,
** which must outlive it. */
typedef struct mt_pattern {
    const uint32_t *s;   /* the string */
    int n;               /* its length, <= 64 */
    uint32_t key[128];   /* open-addressed table: code point + 1, 0 = free */
    uint64_t mask[128];  /* positions of that code point in s */
    uint64_t ascii[128]; /* positions of each ASCII code point (kept out of the table) */
} mt_pattern;

/* Prepare s (n <= 64) into p.  Returns 0, or -1 when s is too long. */
int mt_prepare(mt_pattern *p, const uint32_t *s, int n);
/* Jaro-Winkler of a prepared string against b; same value as mt_jaro_winkler. */
double mt_jaro_winkler_p(const mt_pattern *p, const uint32_t *b, int nb);

/* Damerau-Levenshtein distance (insertions, deletions, substitutions and
** transpositions of adjacent characters, unrestricted: Lowrance-Wagner).
** Returns -1 when a string is longer than MT_DL_MAX. */
int mt_damerau(const uint32_t *a, int na, const uint32_t *b, int nb);

/* Token-set similarity of two multi-part names in [0, 1]: tokens are split
** on spaces; each token of the shorter list is paired with its best
** Jaro-Winkler partner in the other (each used once), and the mean pair
** score is weighted by how many tokens were paired.  Word order does not
** matter: "nguyen van an" and "an nguyen van" score 1. */
double mt_token_set(const uint32_t *a, int na, const uint32_t *b, int nb);

/* A date of birth as known: exact, year-month, year only, or derived from
** "about N years old at date D" (year = D's year - N, spread 1). */
typedef struct mt_date {
    int y, m, d; /* year (0 = unknown), month and day (0 = unknown) */
    int spread;  /* years either side the year may be off by (0 = as given) */
} mt_date;

/* Levels of agreement between two dates, best first. */
enum {
    MT_DATE_EXACT,      /* same day */
    MT_DATE_SWAPPED,    /* day and month swapped (3/4 vs 4/3) */
    MT_DATE_YEAR_MONTH, /* same year and month */
    MT_DATE_YEAR1,      /* years within 1 (plus the spreads) */
    MT_DATE_YEAR5,      /* years within 5 (plus the spreads) */
    MT_DATE_DIFFERENT,  /* further apart */
    MT_DATE_MISSING,    /* either date unknown */
};

/* Compare two dates; returns an MT_DATE_* level. */
int mt_date_level(const mt_date *a, const mt_date *b);

/* A date from "about age years old at as_of" (as_of: y, m, d). */
mt_date mt_date_from_age(int age, int as_of_y, int as_of_m, int as_of_d);

#endif
