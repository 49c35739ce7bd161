/*
** match.h: Fellegi-Sunter record linkage over a dataset (dataset.h).
**
** Pipeline: blocking by the union of several keys (candidate pairs, each
** compared once) -> a comparison vector per pair (a level per field) ->
** match weight = sum over fields of log2(m/u) for the level reached, with
** u estimated from random pairs, m by EM over the candidate pairs, and
** term-frequency adjustment of exact name agreement -> probability ->
** clustering that merges two groups only if no pair across them is a
** confident non-match, so one bad link cannot chain unrelated people.
** Every scored pair can be explained field by field (mt_explain).
*/
#ifndef KNIT_MATCH_MATCH_H
#define KNIT_MATCH_MATCH_H

#include <jansson.h>

#include "dataset.h"

#define MT_MAX_LEVELS 7 /* comparison levels per field, the last is "disagree" */

/* A trained model.  Plain data: copy it freely. */
typedef struct mt_model {
    int use[MF_COUNT];                 /* 1 if the field takes part */
    double m[MF_COUNT][MT_MAX_LEVELS]; /* P(level | match) */
    double u[MF_COUNT][MT_MAX_LEVELS]; /* P(level | non-match) */
    double lambda;                     /* prior P(match) among candidate pairs */
    int em_iterations;                 /* EM iterations run */
} mt_model;

/* Number of levels of field f and the name of level l ("exact", "jw>=0.92" ...). */
int mt_levels(int f);
const char *mt_level_name(int f, int l);

/* The level two records reach on field f, or -1 when either is missing. */
int mt_compare(const mt_rec *a, const mt_rec *b, int f);

/* Candidate pairs from blocking.  *pairs (xfree it) holds i<<32|j, i<j,
** sorted and unique; *count their number; *max_block the largest block.
** Blocks larger than max_block_size are skipped (counted in *skipped). */
int mt_block(const mt_dataset *ds, uint64_t **pairs, size_t *count, int max_block_size,
             int *skipped, kerr *e);

/* Train: u from sample_pairs random pairs (seeded), m by EM per blocking
** rule, lambda over the candidate pairs.  When levels is not NULL it
** receives the candidates' comparison vectors (MF_COUNT levels per pair,
** -1 missing; xfree it) for scoring with mt_weight_levels. */
int mt_train(const mt_dataset *ds, const uint64_t *pairs, size_t count, int sample_pairs,
             unsigned seed, mt_model *mdl, signed char **levels, kerr *e);

/* Comparison vectors of pairs under mdl (fields in skip, a bit per field,
** left out as -1): a new array of count * MF_COUNT levels (xfree it), or NULL. */
signed char *mt_levels_of(const mt_dataset *ds, const mt_model *mdl, const uint64_t *pairs,
                          size_t count, unsigned skip);

/* Term frequencies for exact-name adjustment; built from a dataset. */
typedef struct mt_tf mt_tf;
mt_tf *mt_tf_build(const mt_dataset *ds);
void mt_tf_free(mt_tf *tf);

/* Match weight (log2 odds) of records a and b; tf may be NULL. */
double mt_weight(const mt_model *mdl, const mt_tf *tf, int n, const mt_rec *a, const mt_rec *b);
/* Match weight from a comparison vector lv of the pair (a, b). */
double mt_weight_levels(const mt_model *mdl, const mt_tf *tf, const mt_rec *a,
                        const signed char *lv);
/* Probability from a weight. */
double mt_probability(double weight);
/* Per-field evidence of a pair as JSON: {"match_probability":..,"match_weight":..,
** "fields":[{"field","level","weight"}...]}.  New reference or NULL. */
json_t *mt_explain(const mt_model *mdl, const mt_tf *tf, int n, const mt_rec *a, const mt_rec *b);

/* Probability that records i and j match, for pairs blocking never made. */
typedef double (*mt_scorer)(void *ctx, int i, int j);

/* Cluster: cluster[i] receives the cluster number of record i.  Links are
** candidate pairs with probability >= threshold, strongest first; two
** groups merge only if no pair across them has probability below veto
** (pairs blocking did not make are scored with score(ctx, i, j) when score
** is not NULL, else ignored). */
int mt_cluster(const mt_dataset *ds, const uint64_t *pairs, const double *prob, size_t count,
               double threshold, double veto, mt_scorer score, void *ctx, int *cluster, kerr *e);

/* Pairwise precision/recall/F1 of a clustering against the truth keys. */
typedef struct mt_quality {
    long true_pairs, predicted_pairs, correct_pairs;
    double precision, recall, f1;
} mt_quality;
void mt_evaluate(const mt_dataset *ds, const int *cluster, mt_quality *q);

/* Save / load a model as JSON. */
int mt_model_save(const mt_model *mdl, const char *path, kerr *e);
int mt_model_load(mt_model *mdl, const char *path, kerr *e);

#endif
