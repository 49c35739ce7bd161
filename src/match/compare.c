/*
** compare.c: Jaro-Winkler, Damerau-Levenshtein and token-set similarity
** (see compare.h).
**
** The bit-parallel Jaro keeps, for the first string, a bit mask of the
** positions of each distinct code point (a small open-addressed table, so
** any script works).  For each character of the second string the positions
** it may match are "positions of the same character, inside the match
** window, not yet matched": one AND of masks, and the lowest set bit is the
** match.  That is the classic O(n*m) scan done in O(n) word operations.
*/
#include "compare.h"

#include <string.h>

#include "../core/util.h"

int mt_utf32(const char *s, uint32_t *out, int cap) {
    size_t len = strlen(s);
    int n = 0;
    for (size_t at = 0; at < len;) {
        int k = utf8_next(s + at, len - at, n < cap ? &out[n] : &(uint32_t){0});
        if (k < 0 || n == cap) return -1;
        n++;
        at += (size_t)k;
    }
    return n;
}

static unsigned slot_of(uint32_t c) {
    return (c * 2654435761u) >> 25; /* top 7 bits */
}

/* Fill an all-free table m with the positions of a. */
static void pmap_fill(mt_pattern *m, const uint32_t *a, int na) {
    m->s = a;
    m->n = na;
    for (int i = 0; i < na; i++) {
        if (a[i] < 128) {
            m->ascii[a[i]] |= 1ULL << i;
            continue;
        }
        unsigned s = slot_of(a[i]);
        while (m->key[s] && m->key[s] != a[i] + 1) s = (s + 1) & 127;
        if (m->key[s] == 0) {
            m->key[s] = a[i] + 1;
            m->mask[s] = 0;
        }
        m->mask[s] |= 1ULL << i;
    }
}

/* Free what pmap_fill took, leaving the tables all free again. */
static void pmap_clear(mt_pattern *m) {
    for (int i = 0; i < m->n; i++) {
        if (m->s[i] < 128) {
            m->ascii[m->s[i]] = 0;
            continue;
        }
        unsigned s = slot_of(m->s[i]);
        while (m->key[s]) {
            m->key[s] = 0;
            s = (s + 1) & 127;
        }
    }
}

int mt_prepare(mt_pattern *m, const uint32_t *a, int na) {
    if (na > 64) return -1;
    memset(m->key, 0, sizeof m->key);
    memset(m->ascii, 0, sizeof m->ascii);
    pmap_fill(m, a, na);
    return 0;
}

static inline uint64_t pmap_get(const mt_pattern *m, uint32_t c) {
    if (c < 128) return m->ascii[c];
    unsigned s = slot_of(c);
    while (m->key[s]) {
        if (m->key[s] == c + 1) return m->mask[s];
        s = (s + 1) & 127;
    }
    return 0;
}

/* Jaro from the match count and transpositions. */
static double jaro_of(int m, int t, int na, int nb) {
    if (m == 0) return 0.0;
    return ((double)m / na + (double)m / nb + (double)(m - t / 2) / m) / 3.0;
}

/* Bit-parallel Jaro for a prepared string (the one indexed by bits).  The
** window of positions a character of b may match slides one bit per step
** (bound), so each step is a lookup, two ANDs and a lowest-bit pick; the b
** characters that matched are kept in order for counting transpositions. */
static double jaro_bits(const mt_pattern *pm, const uint32_t *b, int nb) {
    const uint32_t *a = pm->s;
    int na = pm->n;
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0 || nb > MT_MAX_LEN) return 0.0;
    int w = (na > nb ? na : nb) / 2 - 1;
    if (w < 0) w = 0;
    uint64_t bound = w + 1 >= 64 ? ~0ULL : ((1ULL << (w + 1)) - 1); /* positions 0..w */
    uint64_t matched = 0;
    uint32_t bm[MT_MAX_LEN]; /* matched characters of b, in order */
    int m = 0;
    for (int j = 0; j < nb; j++) {
        uint64_t cand = pmap_get(pm, b[j]) & bound & ~matched;
        if (cand) {
            matched |= cand & -cand;
            bm[m++] = b[j];
        }
        if (j < w)
            bound = (bound << 1) | 1; /* the window still grows on the right */
        else
            bound <<= 1; /* and now slides */
        if (bound == 0) break;
    }
    if (m == 0) return 0.0;
    int t = 0, k = 0;
    for (uint64_t x = matched; x; x &= x - 1) t += a[__builtin_ctzll(x)] != bm[k++];
    return jaro_of(m, t, na, nb);
}

/* Plain Jaro for longer strings. */
static double jaro_scan(const uint32_t *a, int na, const uint32_t *b, int nb) {
    unsigned char fa[MT_MAX_LEN], fb[MT_MAX_LEN];
    memset(fa, 0, (size_t)na);
    memset(fb, 0, (size_t)nb);
    int w = (na > nb ? na : nb) / 2 - 1;
    if (w < 0) w = 0;
    int matches = 0;
    for (int j = 0; j < nb; j++) {
        int lo = j - w > 0 ? j - w : 0, hi = j + w < na - 1 ? j + w : na - 1;
        for (int i = lo; i <= hi; i++)
            if (!fa[i] && a[i] == b[j]) {
                fa[i] = fb[j] = 1;
                matches++;
                break;
            }
    }
    if (matches == 0) return 0.0;
    int t = 0, j = 0;
    for (int i = 0; i < na; i++) {
        if (!fa[i]) continue;
        while (!fb[j]) j++;
        if (a[i] != b[j]) t++;
        j++;
    }
    return jaro_of(matches, t, na, nb);
}

double mt_jaro(const uint32_t *a, int na, const uint32_t *b, int nb) {
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0 || na > MT_MAX_LEN || nb > MT_MAX_LEN) return 0.0;
    /* A per-thread table kept all free between calls, so no 1 KiB clear per call. */
    static _Thread_local mt_pattern scratch;
    if (na > 64 && nb > 64) return jaro_scan(a, na, b, nb);
    if (na <= 64)
        pmap_fill(&scratch, a, na);
    else
        pmap_fill(&scratch, b, nb);
    double j = na <= 64 ? jaro_bits(&scratch, b, nb) : jaro_bits(&scratch, a, na);
    pmap_clear(&scratch);
    return j;
}

/* The Winkler prefix bonus on top of Jaro j. */
static double winkler(double j, const uint32_t *a, int na, const uint32_t *b, int nb) {
    if (j <= 0.7) return j;
    int l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l]) l++;
    return j + l * 0.1 * (1.0 - j);
}

double mt_jaro_winkler(const uint32_t *a, int na, const uint32_t *b, int nb) {
    return winkler(mt_jaro(a, na, b, nb), a, na, b, nb);
}

double mt_jaro_winkler_p(const mt_pattern *p, const uint32_t *b, int nb) {
    return winkler(jaro_bits(p, b, nb), p->s, p->n, b, nb);
}

int mt_damerau(const uint32_t *a, int na, const uint32_t *b, int nb) {
    if (na > MT_DL_MAX || nb > MT_DL_MAX) return -1;
    if (na == 0) return nb;
    if (nb == 0) return na;
    /* d[i+1][j+1] = distance of a[0..i) and b[0..j); row/column 0 hold "infinity". */
    int d[MT_DL_MAX + 2][MT_DL_MAX + 2];
    /* Last row where each code point of a occurred: a small open-addressed map. */
    uint32_t key[512];
    int last[512];
    memset(key, 0, sizeof key);
    int inf = na + nb;
    d[0][0] = inf;
    for (int i = 0; i <= na; i++) {
        d[i + 1][0] = inf;
        d[i + 1][1] = i;
    }
    for (int j = 0; j <= nb; j++) {
        d[0][j + 1] = inf;
        d[1][j + 1] = j;
    }
    for (int i = 1; i <= na; i++) {
        int db = 0;
        for (int j = 1; j <= nb; j++) {
            unsigned s = (b[j - 1] * 2654435761u) >> 23;
            int i1 = 0;
            while (key[s]) {
                if (key[s] == b[j - 1] + 1) {
                    i1 = last[s];
                    break;
                }
                s = (s + 1) & 511;
            }
            int j1 = db, cost = 1;
            if (a[i - 1] == b[j - 1]) {
                cost = 0;
                db = j;
            }
            int v = d[i][j] + cost;                               /* substitution */
            if (d[i + 1][j] + 1 < v) v = d[i + 1][j] + 1;         /* insertion */
            if (d[i][j + 1] + 1 < v) v = d[i][j + 1] + 1;         /* deletion */
            int tr = d[i1][j1] + (i - i1 - 1) + 1 + (j - j1 - 1); /* transposition */
            if (tr < v) v = tr;
            d[i + 1][j + 1] = v;
        }
        unsigned s = (a[i - 1] * 2654435761u) >> 23;
        while (key[s] && key[s] != a[i - 1] + 1) s = (s + 1) & 511;
        key[s] = a[i - 1] + 1;
        last[s] = i;
    }
    return d[na + 1][nb + 1];
}

/* Split a into tokens on spaces: start/length pairs, at most max. */
static int tokens(const uint32_t *a, int na, int *start, int *len, int max) {
    int n = 0;
    for (int i = 0; i < na && n < max;) {
        while (i < na && a[i] == ' ') i++;
        if (i == na) break;
        start[n] = i;
        while (i < na && a[i] != ' ') i++;
        len[n] = i - start[n];
        n++;
    }
    return n;
}

double mt_token_set(const uint32_t *a, int na, const uint32_t *b, int nb) {
    int sa[16], la[16], sb[16], lb[16];
    int ta = tokens(a, na, sa, la, 16), tb = tokens(b, nb, sb, lb, 16);
    if (ta == 0 || tb == 0) return ta == tb ? 1.0 : 0.0;
    const uint32_t *x = a, *y = b;
    int *sx = sa, *lx = la, *sy = sb, *ly = lb, tx = ta, ty = tb;
    if (ta > tb) { /* pair each token of the shorter list */
        x = b, y = a, sx = sb, lx = lb, sy = sa, ly = la, tx = tb, ty = ta;
    }
    unsigned used = 0;
    double sum = 0;
    for (int i = 0; i < tx; i++) {
        double best = 0;
        int bj = -1;
        for (int j = 0; j < ty; j++) {
            if (used & (1u << j)) continue;
            double s = mt_jaro_winkler(x + sx[i], lx[i], y + sy[j], ly[j]);
            if (s > best) best = s, bj = j;
        }
        if (bj >= 0) used |= 1u << bj;
        sum += best;
    }
    /* Unpaired tokens of the longer name count against the score, gently:
    ** "Aung Aung" vs "Aung Aung Myint" should stay high but not equal. */
    return sum / tx * (2.0 * tx) / (tx + ty);
}

int mt_date_level(const mt_date *a, const mt_date *b) {
    if (a->y == 0 || b->y == 0) return MT_DATE_MISSING;
    int full = a->m && a->d && b->m && b->d && !a->spread && !b->spread;
    if (full && a->y == b->y && a->m == b->m && a->d == b->d) return MT_DATE_EXACT;
    if (full && a->y == b->y && a->m == b->d && a->d == b->m) return MT_DATE_SWAPPED;
    if (a->m && b->m && !a->spread && !b->spread && a->y == b->y && a->m == b->m)
        return MT_DATE_YEAR_MONTH;
    int dy = a->y > b->y ? a->y - b->y : b->y - a->y;
    dy -= a->spread + b->spread;
    if (dy <= 1) return MT_DATE_YEAR1;
    if (dy <= 5) return MT_DATE_YEAR5;
    return MT_DATE_DIFFERENT;
}

mt_date mt_date_from_age(int age, int as_of_y, int as_of_m, int as_of_d) {
    (void)as_of_m;
    (void)as_of_d;
    /* Someone 15 in 2024 was born in 2008 or 2009, and "about 15" is looser
    ** still: as_of_y - age with a spread of one year covers both. */
    mt_date d = {as_of_y - age, 0, 0, 1};
    return d;
}
