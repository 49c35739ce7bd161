/*
** match.c: blocking, comparison levels, Fellegi-Sunter training (u by
** random sampling, m by EM), term-frequency adjustment, scoring,
** explanation, clustering and evaluation (see match.h).
*/
#include "match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"

static const char *const level_names[MF_COUNT][MT_MAX_LEVELS] = {
    [MF_GIVEN] = {"exact", "jw>=0.92", "jw>=0.80", "different"},
    [MF_SURNAME] = {"exact", "jw>=0.92", "jw>=0.80", "different"},
    [MF_DOB] = {"exact", "typo_or_swap", "year_month", "year+-1", "year+-5", "different"},
    [MF_ID] = {"exact", "dl<=1", "dl<=2", "different"},
    [MF_POSTCODE] = {"exact", "dl<=1", "different"},
    [MF_SUBURB] = {"exact", "jw>=0.90", "jw>=0.80", "different"},
    [MF_STATE] = {"exact", "different"},
    [MF_STREETNO] = {"exact", "dl<=1", "different"},
    [MF_ADDRESS] = {"exact", "tokens>=0.90", "tokens>=0.75", "different"},
};

int mt_levels(int f) {
    int n = 0;
    while (n < MT_MAX_LEVELS && level_names[f][n]) n++;
    return n;
}

const char *mt_level_name(int f, int l) {
    return l < 0 ? "missing" : level_names[f][l];
}

static int same(const mt_value *x, const mt_value *y) {
    return x->n == y->n && memcmp(x->u, y->u, (size_t)x->n * sizeof *x->u) == 0;
}

/* Edit distance of x and y with adjacent transpositions (optimal string
** alignment), capped: returns the distance if it is at most 2, else 3.  The
** levels only ask "<= 1" and "<= 2", so a band of width 2 around the
** diagonal is enough, which keeps digit fields cheap. */
static int dl(const mt_value *x, const mt_value *y) {
    enum { CAP = 3, W = 2 };
    const uint32_t *a = x->u, *b = y->u;
    int n = x->n, m = y->n;
    if (n - m > W || m - n > W) return CAP;
    if (n > MT_DL_MAX || m > MT_DL_MAX) return CAP;
    int d[MT_DL_MAX + 1][MT_DL_MAX + 1];
    for (int i = 0; i <= n; i++) {
        int lo = i - W > 1 ? i - W : 1, hi = i + W < m ? i + W : m, best = CAP;
        d[i][0] = i < CAP ? i : CAP;
        if (i == 0) {
            for (int j = 1; j <= m; j++) d[0][j] = j < CAP ? j : CAP;
            continue;
        }
        if (lo > 1) d[i][lo - 1] = CAP;
        for (int j = lo; j <= hi; j++) {
            int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (j < i + W && d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (j > i - W && d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v < CAP ? v : CAP;
            if (d[i][j] < best) best = d[i][j];
        }
        if (hi < m) d[i][hi + 1] = CAP;
        if (best >= CAP) return CAP; /* the whole band is past the cap */
    }
    return d[n][m];
}

/* Level of two names: exact, JW bands, else a swapped given/surname. */
static int name_level(const mt_rec *a, const mt_rec *b, int f) {
    const mt_value *x = &a->f[f], *y = &b->f[f];
    if (same(x, y)) return 0;
    double jw = mt_jaro_winkler(x->u, x->n, y->u, y->n);
    if (jw >= 0.92) return 1;
    /* Given name and surname written the other way round (both cross
    ** comparisons agree; one alone would count a single coincidence twice). */
    int g = f == MF_GIVEN ? MF_SURNAME : MF_GIVEN;
    if (b->f[g].n && a->f[g].n && mt_jaro_winkler(x->u, x->n, b->f[g].u, b->f[g].n) >= 0.92 &&
        mt_jaro_winkler(a->f[g].u, a->f[g].n, y->u, y->n) >= 0.92)
        return 1;
    if (jw >= 0.80) return 2;
    return 3;
}

int mt_compare(const mt_rec *a, const mt_rec *b, int f) {
    const mt_value *x = &a->f[f], *y = &b->f[f];
    if (!x->n || !y->n) return -1;
    switch (f) {
    case MF_GIVEN:
    case MF_SURNAME: return name_level(a, b, f);
    case MF_DOB: {
        if (same(x, y)) return 0;
        int typo = dl(x, y) <= 1;
        if (!a->dob.y || !b->dob.y) return typo ? 1 : 5;
        switch (mt_date_level(&a->dob, &b->dob)) {
        case MT_DATE_EXACT: return 0;
        case MT_DATE_SWAPPED: return 1;
        case MT_DATE_YEAR_MONTH: return typo ? 1 : 2;
        case MT_DATE_YEAR1: return typo ? 1 : 3;
        case MT_DATE_YEAR5: return typo ? 1 : 4;
        default: return typo ? 1 : 5;
        }
    }
    case MF_ID: {
        if (same(x, y)) return 0;
        int d = dl(x, y);
        return d <= 1 ? 1 : d <= 2 ? 2 : 3;
    }
    case MF_POSTCODE:
    case MF_STREETNO: return same(x, y) ? 0 : dl(x, y) <= 1 ? 1 : 2;
    case MF_SUBURB: {
        if (same(x, y)) return 0;
        double jw = mt_jaro_winkler(x->u, x->n, y->u, y->n);
        return jw >= 0.90 ? 1 : jw >= 0.80 ? 2 : 3;
    }
    case MF_STATE: return same(x, y) ? 0 : 1;
    case MF_ADDRESS: {
        if (same(x, y)) return 0;
        double t = mt_token_set(x->u, x->n, y->u, y->n);
        return t >= 0.90 ? 1 : t >= 0.75 ? 2 : 3;
    }
    }
    return -1;
}

/* ---- blocking ---- */

typedef struct bkey {
    uint64_t h; /* key hash */
    int rec;    /* record index */
} bkey;

static int cmp_bkey(const void *a, const void *b) {
    const bkey *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->rec - y->rec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* FNV-1a over a tag and prefixes of up to two values (k code points each). */
static uint64_t key_hash(int tag, const mt_value *a, int ka, const mt_value *b, int kb) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)tag;
    h *= 1099511628211ULL;
    for (int i = 0; i < ka && i < a->n; i++) h = (h ^ a->u[i]) * 1099511628211ULL;
    h = (h ^ 0xFFFF) * 1099511628211ULL;
    if (b)
        for (int i = 0; i < kb && i < b->n; i++) h = (h ^ b->u[i]) * 1099511628211ULL;
    return h;
}

/* Phonetic skeleton of a folded Latin name: first letter, then consonant
** classes (Soundex digits) without repeats, up to 4; other scripts: the
** first 3 code points. */
static uint64_t phonetic(const mt_value *v) {
    static const char code[27] = "01230120022455012623010202";
    if (v->n == 0) return 0;
    uint64_t h = 1469598103934665603ULL;
    if (v->u[0] > 'z' || v->u[0] < 'a') {
        for (int i = 0; i < 3 && i < v->n; i++) h = (h ^ v->u[i]) * 1099511628211ULL;
        return h;
    }
    h = (h ^ v->u[0]) * 1099511628211ULL;
    char last = code[v->u[0] - 'a'];
    int k = 1;
    for (int i = 1; i < v->n && k < 4; i++) {
        uint32_t c = v->u[i];
        if (c < 'a' || c > 'z') continue;
        char d = code[c - 'a'];
        if (d != '0' && d != last) {
            h = (h ^ (uint64_t)d) * 1099511628211ULL;
            k++;
        }
        if (c != 'h' && c != 'w') last = d;
    }
    return h;
}

/* Blocking key families (bits of a mask). */
#define BK_NAME      1u   /* surname prefix + given initial, both orders */
#define BK_PHONETIC  2u   /* phonetic skeletons of both names */
#define BK_DOB       4u   /* date of birth */
#define BK_ID        8u   /* identity number */
#define BK_POST_NAME 16u  /* postcode + a name initial */
#define BK_PLACE     32u  /* suburb or address prefix + name prefix */
#define BK_POSTCODE  64u  /* postcode alone (training only) */
#define BK_ADDRESS   128u /* street number or street prefix with postcode or suburb */
#define BK_ALL       (BK_NAME | BK_PHONETIC | BK_DOB | BK_ID | BK_POST_NAME | BK_PLACE | BK_ADDRESS)

/* Candidate pairs from the key families in mask (see mt_block). */
static int block_keys(const mt_dataset *ds, unsigned mask, uint64_t **pairs, size_t *count,
                      int max_block_size, int *skipped, kerr *e) {
    enum { NKEYS = 14 };
    *pairs = NULL;
    *count = 0;
    *skipped = 0;
    bkey *keys = xmalloc((size_t)(ds->n ? ds->n : 1) * NKEYS * sizeof *keys);
    if (keys == NULL) return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    size_t nk = 0;
    for (int i = 0; i < ds->n; i++) {
        const mt_value *f = ds->r[i].f;
        const mt_value *g = &f[MF_GIVEN], *s = &f[MF_SURNAME];
        /* Tag 1 for both name orders, so swapped given/surname still meet. */
        if (g->n && s->n && (mask & BK_NAME)) {
            keys[nk++] = (bkey){key_hash(1, s, 3, g, 1), i};
            keys[nk++] = (bkey){key_hash(1, g, 3, s, 1), i};
        }
        if (g->n && s->n && (mask & BK_PHONETIC))
            keys[nk++] = (bkey){phonetic(s) * 31 + phonetic(g), i};
        if (f[MF_DOB].n && (mask & BK_DOB))
            keys[nk++] = (bkey){key_hash(3, &f[MF_DOB], 99, NULL, 0), i};
        if (f[MF_ID].n && (mask & BK_ID))
            keys[nk++] = (bkey){key_hash(4, &f[MF_ID], 99, NULL, 0), i};
        if (f[MF_POSTCODE].n && g->n && (mask & BK_POST_NAME))
            keys[nk++] = (bkey){key_hash(5, &f[MF_POSTCODE], 99, g, 1), i};
        if (f[MF_POSTCODE].n && s->n && (mask & BK_POST_NAME))
            keys[nk++] = (bkey){key_hash(6, &f[MF_POSTCODE], 99, s, 1), i};
        if (f[MF_SUBURB].n && s->n && (mask & BK_PLACE))
            keys[nk++] = (bkey){key_hash(7, &f[MF_SUBURB], 4, s, 2), i};
        if (f[MF_ADDRESS].n && g->n && (mask & BK_PLACE))
            keys[nk++] = (bkey){key_hash(8, &f[MF_ADDRESS], 5, g, 2), i};
        if (mask & BK_ADDRESS) {
            const mt_value *no = &f[MF_STREETNO], *pc = &f[MF_POSTCODE], *sub = &f[MF_SUBURB],
                           *ad = &f[MF_ADDRESS];
            if (no->n && pc->n) keys[nk++] = (bkey){key_hash(10, no, 99, pc, 99), i};
            if (no->n && sub->n) keys[nk++] = (bkey){key_hash(11, no, 99, sub, 4), i};
            if (ad->n && pc->n) keys[nk++] = (bkey){key_hash(12, ad, 4, pc, 99), i};
        }
        if (f[MF_POSTCODE].n && (mask & BK_POSTCODE))
            keys[nk++] = (bkey){key_hash(9, &f[MF_POSTCODE], 99, NULL, 0), i};
    }
    qsort(keys, nk, sizeof *keys, cmp_bkey);
    size_t cap = 0, np = 0;
    uint64_t *p = NULL;
    int rc = KNIT_OK;
    for (size_t a = 0; a < nk && rc == KNIT_OK;) {
        size_t b = a + 1;
        while (b < nk && keys[b].h == keys[a].h) b++;
        if (b - a > (size_t)max_block_size) {
            (*skipped)++;
        } else {
            for (size_t x = a; x < b && rc == KNIT_OK; x++)
                for (size_t y = x + 1; y < b; y++) {
                    if (keys[x].rec == keys[y].rec) continue;
                    if (np == cap) {
                        cap = cap ? cap * 2 : 4096;
                        uint64_t *q = xrealloc(p, cap * sizeof *q);
                        if (q == NULL) {
                            rc = kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
                            break;
                        }
                        p = q;
                    }
                    p[np++] = (uint64_t)keys[x].rec << 32 | (uint32_t)keys[y].rec;
                }
        }
        a = b;
    }
    xfree(keys);
    if (rc) {
        xfree(p);
        return rc;
    }
    if (np) qsort(p, np, sizeof *p, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < np; i++)
        if (u == 0 || p[i] != p[u - 1]) p[u++] = p[i];
    *pairs = p;
    *count = u;
    return KNIT_OK;
}

int mt_block(const mt_dataset *ds, uint64_t **pairs, size_t *count, int max_block_size,
             int *skipped, kerr *e) {
    return block_keys(ds, BK_ALL, pairs, count, max_block_size, skipped, e);
}

/* ---- training ---- */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* EM with u fixed over pairs, ignoring the fields in skip (a bit per
** field): estimates m for the other fields and lambda.  With fix_m, only
** lambda is estimated.  Returns iterations run, or -1 on ENOMEM. */
signed char *mt_levels_of(const mt_dataset *ds, const mt_model *mdl, const uint64_t *pairs,
                          size_t count, unsigned skip) {
    signed char *lv = xmalloc(count ? count * MF_COUNT : 1);
    if (lv == NULL) return NULL;
    for (size_t k = 0; k < count; k++) {
        const mt_rec *a = &ds->r[pairs[k] >> 32], *b = &ds->r[(uint32_t)pairs[k]];
        for (int f = 0; f < MF_COUNT; f++)
            lv[k * MF_COUNT + f] =
                (signed char)(mdl->use[f] && !(skip & (1u << f)) ? mt_compare(a, b, f) : -1);
    }
    return lv;
}

/* EM over level vectors lv of count pairs (fields in skip are -1). */
static int em_levels(const signed char *lv, size_t count, unsigned skip, int fix_m, mt_model *mdl) {
    if (count == 0) return 0;
    int it;
    for (it = 0; it < 200; it++) {
        double lm[MF_COUNT][MT_MAX_LEVELS], lu[MF_COUNT][MT_MAX_LEVELS];
        for (int f = 0; f < MF_COUNT; f++)
            for (int l = 0; l < mt_levels(f); l++) {
                lm[f][l] = log(mdl->m[f][l]);
                lu[f][l] = log(mdl->u[f][l]);
            }
        double sum_p = 0, acc[MF_COUNT][MT_MAX_LEVELS] = {{0}}, tot[MF_COUNT] = {0};
        double l1 = log(mdl->lambda), l0 = log(1 - mdl->lambda);
        for (size_t k = 0; k < count; k++) {
            double x = l1, y = l0;
            const signed char *v = lv + k * MF_COUNT;
            for (int f = 0; f < MF_COUNT; f++)
                if (v[f] >= 0) {
                    x += lm[f][v[f]];
                    y += lu[f][v[f]];
                }
            double p = 1.0 / (1.0 + exp(y - x));
            sum_p += p;
            for (int f = 0; f < MF_COUNT; f++)
                if (v[f] >= 0) {
                    acc[f][v[f]] += p;
                    tot[f] += p;
                }
        }
        double lambda = sum_p / (double)count;
        if (lambda < 1e-6) lambda = 1e-6;
        if (lambda > 1 - 1e-6) lambda = 1 - 1e-6;
        double change = fabs(lambda - mdl->lambda);
        mdl->lambda = lambda;
        for (int f = 0; f < MF_COUNT && !fix_m; f++) {
            if (skip & (1u << f) || tot[f] == 0) continue;
            int nl = mt_levels(f);
            for (int l = 0; l < nl; l++) {
                double m = (acc[f][l] + 1e-3) / (tot[f] + 1e-3 * nl);
                if (fabs(m - mdl->m[f][l]) > change) change = fabs(m - mdl->m[f][l]);
                mdl->m[f][l] = m;
            }
        }
        if (change < 1e-6) break;
    }
    return it + 1;
}

/* EM over pairs (level vectors computed here); -1 on ENOMEM. */
static int em(const mt_dataset *ds, const uint64_t *pairs, size_t count, unsigned skip, int fix_m,
              mt_model *mdl) {
    if (count == 0) return 0;
    signed char *lv = mt_levels_of(ds, mdl, pairs, count, skip);
    if (lv == NULL) return -1;
    int it = em_levels(lv, count, skip, fix_m, mdl);
    xfree(lv);
    return it;
}

/* Default m before training: agreement likely among matches. */
static void m_prior(mt_model *mdl, int f) {
    int nl = mt_levels(f);
    mdl->m[f][0] = 0.9;
    for (int l = 1; l < nl; l++) mdl->m[f][l] = 0.1 / (nl - 1);
}

int mt_train(const mt_dataset *ds, const uint64_t *pairs, size_t count, int sample_pairs,
             unsigned seed, mt_model *mdl, signed char **levels, kerr *e) {
    if (levels) *levels = NULL;
    memset(mdl, 0, sizeof *mdl);
    if (ds->n < 2 || count == 0)
        return kerr_set(e, KNIT_EINVAL, "too_few_records", "",
                        "need at least two records and one candidate pair");
    for (int f = 0; f < MF_COUNT; f++) mdl->use[f] = ds->has[f];
    /* u: level frequencies among random pairs (nearly all non-matches). */
    double cnt[MF_COUNT][MT_MAX_LEVELS] = {{0}};
    uint64_t s = seed;
    for (int k = 0; k < sample_pairs; k++) {
        int i = (int)(rng_next(&s) % (uint64_t)ds->n), j = (int)(rng_next(&s) % (uint64_t)ds->n);
        if (i == j) continue;
        for (int f = 0; f < MF_COUNT; f++) {
            if (!mdl->use[f]) continue;
            int l = mt_compare(&ds->r[i], &ds->r[j], f);
            if (l >= 0) cnt[f][l]++;
        }
    }
    for (int f = 0; f < MF_COUNT; f++) {
        int nl = mt_levels(f);
        double tot = 0;
        for (int l = 0; l < nl; l++) tot += cnt[f][l];
        for (int l = 0; l < nl; l++) mdl->u[f][l] = (cnt[f][l] + 1) / (tot + nl);
    }
    /* m: EM in several sessions, each over the pairs one blocking rule
    ** makes, leaving out the fields that rule blocked on (their agreement
    ** there says nothing about matching); each field's m is the mean of the
    ** sessions that estimated it. */
    static const struct {
        unsigned keys, skip;
    } sessions[] = {
        {BK_NAME, 1u << MF_GIVEN | 1u << MF_SURNAME},
        {BK_POSTCODE, 1u << MF_POSTCODE},
        {BK_DOB, 1u << MF_DOB},
        {BK_ID, 1u << MF_ID},
    };
    double sum[MF_COUNT][MT_MAX_LEVELS] = {{0}};
    int n_est[MF_COUNT] = {0};
    for (size_t k = 0; k < COUNT(sessions); k++) {
        uint64_t *sp;
        size_t sn;
        int skipped;
        if (block_keys(ds, sessions[k].keys, &sp, &sn, 200, &skipped, e)) return e->rc;
        /* A sample is enough to estimate m: keep every (sn / 10000 + 1)th pair. */
        size_t step = sn / 10000 + 1, kept = 0;
        for (size_t i = 0; i < sn; i += step) sp[kept++] = sp[i];
        sn = kept;
        mt_model trial = *mdl;
        for (int f = 0; f < MF_COUNT; f++) m_prior(&trial, f);
        trial.lambda = 0.3;
        int it = sn ? em(ds, sp, sn, sessions[k].skip, 0, &trial) : 0;
        xfree(sp);
        if (it < 0) return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
        if (it > mdl->em_iterations) mdl->em_iterations = it;
        if (sn == 0) continue;
        for (int f = 0; f < MF_COUNT; f++) {
            if (!mdl->use[f] || sessions[k].skip & (1u << f)) continue;
            for (int l = 0; l < mt_levels(f); l++) sum[f][l] += trial.m[f][l];
            n_est[f]++;
        }
    }
    for (int f = 0; f < MF_COUNT; f++) {
        if (n_est[f] == 0) {
            m_prior(mdl, f);
            continue;
        }
        for (int l = 0; l < mt_levels(f); l++) mdl->m[f][l] = sum[f][l] / n_est[f];
    }
    /* lambda among the candidate pairs, with m and u fixed. */
    mdl->lambda = 0.1;
    signed char *lv = mt_levels_of(ds, mdl, pairs, count, 0);
    if (lv == NULL) return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    em_levels(lv, count, 0, 1, mdl);
    if (levels)
        *levels = lv;
    else
        xfree(lv);
    return KNIT_OK;
}

/* ---- term frequencies ---- */

struct mt_tf {
    int n;               /* records counted */
    int cap;             /* slots per table (power of two) */
    const char **key[2]; /* given, surname values (borrowed from the dataset) */
    int *cnt[2];         /* their counts */
};

static uint64_t str_hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Slot of s in table t (found or free). */
static int tf_slot(const mt_tf *tf, int t, const char *s) {
    int i = (int)(str_hash(s) & (uint64_t)(tf->cap - 1));
    while (tf->key[t][i] && strcmp(tf->key[t][i], s)) i = (i + 1) & (tf->cap - 1);
    return i;
}

mt_tf *mt_tf_build(const mt_dataset *ds) {
    mt_tf *tf = xcalloc(1, sizeof *tf);
    if (tf == NULL) return NULL;
    tf->n = ds->n;
    tf->cap = 16;
    while (tf->cap < ds->n * 2) tf->cap *= 2;
    for (int t = 0; t < 2; t++) {
        tf->key[t] = xcalloc((size_t)tf->cap, sizeof *tf->key[t]);
        tf->cnt[t] = xcalloc((size_t)tf->cap, sizeof *tf->cnt[t]);
        if (!tf->key[t] || !tf->cnt[t]) {
            mt_tf_free(tf);
            return NULL;
        }
    }
    for (int i = 0; i < ds->n; i++)
        for (int t = 0; t < 2; t++) {
            const mt_value *v = &ds->r[i].f[t == 0 ? MF_GIVEN : MF_SURNAME];
            if (!v->n) continue;
            int s = tf_slot(tf, t, v->s);
            tf->key[t][s] = v->s;
            tf->cnt[t][s]++;
        }
    return tf;
}

void mt_tf_free(mt_tf *tf) {
    if (tf == NULL) return;
    for (int t = 0; t < 2; t++) {
        xfree(tf->key[t]);
        xfree(tf->cnt[t]);
    }
    xfree(tf);
}

/* u for exact agreement on this value: how often a random record has it. */
static double tf_u(const mt_tf *tf, int f, const char *s) {
    int t = f == MF_GIVEN ? 0 : 1;
    int slot = tf_slot(tf, t, s);
    int c = tf->key[t][slot] ? tf->cnt[t][slot] : 1;
    return (double)c / tf->n;
}

/* ---- scoring ---- */

/* Weight of field f at level l for the pair (a, b). */
static double field_weight(const mt_model *mdl, const mt_tf *tf, int f, int l, const mt_rec *a) {
    double u = mdl->u[f][l];
    if (tf && l == 0 && (f == MF_GIVEN || f == MF_SURNAME)) {
        double t = tf_u(tf, f, a->f[f].s);
        /* Keep the adjustment within sense: never above u for "different". */
        if (t < 1e-6) t = 1e-6;
        u = t;
    }
    return log2(mdl->m[f][l] / u);
}

double mt_weight(const mt_model *mdl, const mt_tf *tf, int n, const mt_rec *a, const mt_rec *b) {
    (void)n;
    double w = log2(mdl->lambda / (1 - mdl->lambda));
    for (int f = 0; f < MF_COUNT; f++) {
        if (!mdl->use[f]) continue;
        int l = mt_compare(a, b, f);
        if (l >= 0) w += field_weight(mdl, tf, f, l, a);
    }
    return w;
}

double mt_weight_levels(const mt_model *mdl, const mt_tf *tf, const mt_rec *a,
                        const signed char *lv) {
    double w = log2(mdl->lambda / (1 - mdl->lambda));
    for (int f = 0; f < MF_COUNT; f++)
        if (mdl->use[f] && lv[f] >= 0) w += field_weight(mdl, tf, f, lv[f], a);
    return w;
}

double mt_probability(double weight) {
    return 1.0 / (1.0 + exp2(-weight));
}

json_t *mt_explain(const mt_model *mdl, const mt_tf *tf, int n, const mt_rec *a, const mt_rec *b) {
    json_t *fields = json_array();
    double w = log2(mdl->lambda / (1 - mdl->lambda));
    for (int f = 0; f < MF_COUNT; f++) {
        if (!mdl->use[f]) continue;
        int l = mt_compare(a, b, f);
        double fw = l >= 0 ? field_weight(mdl, tf, f, l, a) : 0;
        w += fw;
        json_array_append_new(fields, json_pack("{ss ss sf}", "field", mf_names[f], "level",
                                                mt_level_name(f, l), "weight", fw));
    }
    (void)n;
    return json_pack("{sf sf so}", "match_probability", mt_probability(w), "match_weight", w,
                     "fields", fields);
}

/* ---- clustering ---- */

typedef struct link {
    double p;   /* probability */
    uint64_t k; /* pair key */
} link;

static int cmp_link(const void *a, const void *b) {
    const link *x = a, *y = b;
    if (x->p != y->p) return x->p > y->p ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* Probability of the pair (i, j) if it was compared, else -1. */
static double pair_prob(const uint64_t *pairs, const double *prob, size_t count, int i, int j) {
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    uint64_t k = (uint64_t)i << 32 | (uint32_t)j;
    const uint64_t *f = bsearch(&k, pairs, count, sizeof k, cmp_u64);
    return f ? prob[f - pairs] : -1;
}

int mt_cluster(const mt_dataset *ds, const uint64_t *pairs, const double *prob, size_t count,
               double threshold, double veto, mt_scorer score, void *ctx, int *cluster, kerr *e) {
    int n = ds->n;
    int *head = xmalloc((size_t)n * sizeof *head), *next = xmalloc((size_t)n * sizeof *next);
    link *links = xmalloc((count ? count : 1) * sizeof *links);
    if (!head || !next || !links) {
        xfree(head);
        xfree(next);
        xfree(links);
        return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    }
    /* Each record starts alone: head[i] is its group's first member,
    ** next[] chains the members. */
    for (int i = 0; i < n; i++) head[i] = i, next[i] = -1;
    size_t nl = 0;
    for (size_t k = 0; k < count; k++)
        if (prob[k] >= threshold) links[nl++] = (link){prob[k], pairs[k]};
    qsort(links, nl, sizeof *links, cmp_link);
    for (size_t k = 0; k < nl; k++) {
        int a = head[links[k].k >> 32], b = head[(uint32_t)links[k].k];
        if (a == b) continue;
        int ok = 1;
        for (int x = a; x >= 0 && ok; x = next[x])
            for (int y = b; y >= 0; y = next[y]) {
                double p = pair_prob(pairs, prob, count, x, y);
                if (p < 0 && score) p = score(ctx, x, y); /* never compared: score it now */
                if (p >= 0 && p < veto) {
                    ok = 0;
                    break;
                }
            }
        if (!ok) continue;
        int tail = a;
        while (next[tail] >= 0) tail = next[tail];
        next[tail] = b;
        for (int y = b; y >= 0; y = next[y]) head[y] = a;
    }
    for (int i = 0; i < n; i++) cluster[i] = head[i];
    xfree(head);
    xfree(next);
    xfree(links);
    return KNIT_OK;
}

/* ---- evaluation ---- */

static const mt_dataset *sort_ds; /* dataset for the comparators below (single-threaded use) */
static const int *sort_cl;

static int cmp_truth(const void *a, const void *b) {
    const char *x = sort_ds->r[*(const int *)a].truth, *y = sort_ds->r[*(const int *)b].truth;
    return strcmp(x ? x : "", y ? y : "");
}

static int cmp_cluster_truth(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    if (sort_cl[i] != sort_cl[j]) return sort_cl[i] < sort_cl[j] ? -1 : 1;
    return cmp_truth(a, b);
}

/* Sum over runs of equal elements (by cmp) of C(run, 2). */
static long pairs_in_runs(int *idx, int n, int (*cmp)(const void *, const void *)) {
    long total = 0;
    for (int a = 0; a < n;) {
        int b = a + 1;
        while (b < n && cmp(&idx[a], &idx[b]) == 0) b++;
        total += (long)(b - a) * (b - a - 1) / 2;
        a = b;
    }
    return total;
}

static int cmp_cluster(const void *a, const void *b) {
    int x = sort_cl[*(const int *)a], y = sort_cl[*(const int *)b];
    return x < y ? -1 : x > y;
}

void mt_evaluate(const mt_dataset *ds, const int *cluster, mt_quality *q) {
    memset(q, 0, sizeof *q);
    int *idx = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *idx);
    if (idx == NULL) return;
    sort_ds = ds;
    sort_cl = cluster;
    for (int i = 0; i < ds->n; i++) idx[i] = i;
    qsort(idx, (size_t)ds->n, sizeof *idx, cmp_truth);
    q->true_pairs = pairs_in_runs(idx, ds->n, cmp_truth);
    qsort(idx, (size_t)ds->n, sizeof *idx, cmp_cluster);
    q->predicted_pairs = pairs_in_runs(idx, ds->n, cmp_cluster);
    qsort(idx, (size_t)ds->n, sizeof *idx, cmp_cluster_truth);
    q->correct_pairs = pairs_in_runs(idx, ds->n, cmp_cluster_truth);
    xfree(idx);
    q->precision = q->predicted_pairs ? (double)q->correct_pairs / q->predicted_pairs : 1;
    q->recall = q->true_pairs ? (double)q->correct_pairs / q->true_pairs : 1;
    q->f1 = q->precision + q->recall > 0 ? 2 * q->precision * q->recall / (q->precision + q->recall)
                                         : 0;
}

/* ---- persistence ---- */

int mt_model_save(const mt_model *mdl, const char *path, kerr *e) {
    json_t *fields = json_object();
    for (int f = 0; f < MF_COUNT; f++) {
        if (!mdl->use[f]) continue;
        json_t *m = json_array(), *u = json_array();
        for (int l = 0; l < mt_levels(f); l++) {
            json_array_append_new(m, json_real(mdl->m[f][l]));
            json_array_append_new(u, json_real(mdl->u[f][l]));
        }
        json_object_set_new(fields, mf_names[f], json_pack("{so so}", "m", m, "u", u));
    }
    json_t *doc =
        json_pack("{ss sf so}", "knit_match_model", "1", "lambda", mdl->lambda, "fields", fields);
    int rc = doc && json_dump_file(doc, path, JSON_INDENT(1)) == 0
                 ? KNIT_OK
                 : kerr_set(e, KNIT_EIO, "io_error", "--model", "cannot write %s", path);
    json_decref(doc);
    return rc;
}

int mt_model_load(mt_model *mdl, const char *path, kerr *e) {
    memset(mdl, 0, sizeof *mdl);
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL)
        return kerr_set(e, KNIT_EINVAL, "invalid_model", "--model", "%s: %s", path, je.text);
    int rc = KNIT_OK;
    json_t *lam = json_object_get(doc, "lambda"), *fields = json_object_get(doc, "fields");
    if (!json_is_real(lam) || !json_is_object(fields))
        rc = kerr_set(e, KNIT_EINVAL, "invalid_model", "--model", "%s: not a knit match model",
                      path);
    else
        mdl->lambda = json_real_value(lam);
    for (int f = 0; f < MF_COUNT && rc == KNIT_OK; f++) {
        json_t *fo = json_object_get(fields, mf_names[f]);
        if (fo == NULL) continue;
        json_t *m = json_object_get(fo, "m"), *u = json_object_get(fo, "u");
        int nl = mt_levels(f);
        if (json_array_size(m) != (size_t)nl || json_array_size(u) != (size_t)nl) {
            rc = kerr_set(e, KNIT_EINVAL, "invalid_model", "--model", "%s: field %s malformed",
                          path, mf_names[f]);
            break;
        }
        mdl->use[f] = 1;
        for (int l = 0; l < nl; l++) {
            mdl->m[f][l] = json_real_value(json_array_get(m, (size_t)l));
            mdl->u[f][l] = json_real_value(json_array_get(u, (size_t)l));
            if (!(mdl->m[f][l] > 0 && mdl->m[f][l] <= 1 && mdl->u[f][l] > 0 && mdl->u[f][l] <= 1))
                rc = kerr_set(e, KNIT_EINVAL, "invalid_model", "--model",
                              "%s: field %s has probabilities outside (0, 1]", path, mf_names[f]);
        }
    }
    if (rc == KNIT_OK && !(mdl->lambda > 0 && mdl->lambda < 1))
        rc =
            kerr_set(e, KNIT_EINVAL, "invalid_model", "--model", "%s: lambda outside (0, 1)", path);
    json_decref(doc);
    return rc;
}
