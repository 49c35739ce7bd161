/*
** cmd_match.c: `knit match`: batch deduplication of a CSV file, scoring of
** given pairs, with quality figures against a truth column.
**
**   knit match link A B    [same options]: pairs across two files
**   knit match dedupe FILE [--truth COL] [--map f=col,...] [--drop f,...]
**                          [--threshold P] [--model-out FILE] [--strict]
**   knit match score PAIRS.csv --model FILE   (left_<field>,right_<field> columns;
**                          writes the rows back with match_probability, match_weight)
*/
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../cli.h"
#include "../core/csv.h"
#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "match.h"

static const optdef match_defs[] = {
    {"truth", "COLUMN", "column whose equal values mark the same person; prints P/R/F1"},
    {"map", "F=COL,...", "map fields to columns (fields: given_name surname date_of_birth ...)"},
    {"drop", "F,...", "ignore these fields (e.g. soc_sec_id,date_of_birth)"},
    {"threshold", "P", "match probability needed to link (default 0.999)"},
    {"model-out", "FILE", "save the trained model as JSON"},
    {"model", "FILE", "use a saved model instead of training"},
    {"strict", NULL, "refuse the whole file on a malformed row"},
    {"quiet", NULL, "do not write the clusters to standard output"},
    {"records", "N", "synth: rows to write (default 10000)"},
    {"dup-percent", "P", "synth: share of persons with duplicates (default 30)"},
    {"seed", "N", "synth: random seed (default 1)"},
    {NULL, NULL, NULL},
};

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Parse a probability option. */
static int prob_opt(const cmdline *cl, const char *name, double dflt, double *out) {
    const char *v = cli_opt(match_defs, cl, name, NULL);
    *out = dflt;
    if (v == NULL) return 0;
    char *end;
    double d = strtod(v, &end);
    if (*v == 0 || *end || !(d > 0 && d < 1))
        return cli_usage_error("--%s: expected a probability between 0 and 1", name);
    *out = d;
    return 0;
}

/* What the clustering needs to score a pair blocking did not make. */
typedef struct score_ctx {
    const mt_model *mdl;
    const mt_tf *tf;
    const mt_dataset *ds;
} score_ctx;

static double score_pair(void *ctx, int i, int j) {
    const score_ctx *c = ctx;
    return mt_probability(mt_weight(c->mdl, c->tf, c->ds->n, &c->ds->r[i], &c->ds->r[j]));
}

/* Load one file into ds.  Prints the problem; returns 0, or an exit status. */
static int load(const cmdline *cl, const char *path, mt_dataset *ds) {
    kerr e;
    kerr_clear(&e);
    if (path_check(path, "FILE", &e)) return cli_usage_error("%s", e.message);
    size_t len;
    char *text = ds_read_file(path, &len, &e);
    if (text == NULL) return cli_usage_error("match: %s", e.message);
    ds_opts o = {cli_opt(match_defs, cl, "map", NULL), cli_opt(match_defs, cl, "truth", NULL),
                 cli_opt(match_defs, cl, "drop", NULL),
                 cli_opt(match_defs, cl, "strict", NULL) != NULL};
    int rc = ds_load(ds, text, len, &o, &e);
    xfree(text);
    return rc ? cli_usage_error("match: %s: %s", path, e.message) : 0;
}

static int cmp_truth_ptr(const void *a, const void *b) {
    const mt_rec *x = *(const mt_rec *const *)a, *y = *(const mt_rec *const *)b;
    return strcmp(x->truth ? x->truth : "", y->truth ? y->truth : "");
}

/* True pairs across the two files: records of each truth group, one from each side. */
static long true_cross_pairs(const mt_dataset *ds) {
    const mt_rec **p = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *p);
    if (p == NULL) return 0;
    for (int i = 0; i < ds->n; i++) p[i] = &ds->r[i];
    qsort(p, (size_t)ds->n, sizeof *p, cmp_truth_ptr);
    long total = 0;
    for (int a = 0; a < ds->n;) {
        int b = a, n0 = 0, n1 = 0;
        for (; b < ds->n && cmp_truth_ptr(&p[a], &p[b]) == 0; b++) {
            if (p[b]->source)
                n1++;
            else
                n0++;
        }
        if (p[a]->truth && p[a]->truth[0]) total += (long)n0 * n1;
        a = b;
    }
    xfree(p);
    return total;
}

/* dedupe (path_b NULL) or link two files. */
static int run(const cmdline *cl, const char *path_a, const char *path_b) {
    double t0 = seconds(), threshold;
    if (prob_opt(cl, "threshold", 0.999, &threshold)) return 2;
    mt_dataset ds, other;
    int rc = load(cl, path_a, &ds);
    if (rc) return rc;
    kerr e;
    kerr_clear(&e);
    if (path_b) {
        if ((rc = load(cl, path_b, &other)) != 0) {
            ds_free(&ds);
            return rc;
        }
        if (ds_append(&ds, &other, &e)) {
            ds_free(&ds);
            ds_free(&other);
            return cli_usage_error("match: %s", e.message);
        }
    }
    uint64_t *pairs = NULL;
    size_t np = 0;
    int skipped = 0;
    mt_model mdl;
    mt_tf *tf = NULL;
    double *prob = NULL;
    int *cluster = NULL;
    const char *model_in = cli_opt(match_defs, cl, "model", NULL);
    rc = mt_block(&ds, &pairs, &np, 500, &skipped, &e);
    if (rc == KNIT_OK && path_b) { /* linking: only pairs across the two files */
        size_t k = 0;
        for (size_t i = 0; i < np; i++)
            if (ds.r[pairs[i] >> 32].source != ds.r[(uint32_t)pairs[i]].source)
                pairs[k++] = pairs[i];
        np = k;
    }
    signed char *levels = NULL; /* candidates' comparison vectors, computed once */
    if (rc == KNIT_OK && model_in) rc = mt_model_load(&mdl, model_in, &e);
    if (rc == KNIT_OK && !model_in) rc = mt_train(&ds, pairs, np, 30000, 42, &mdl, &levels, &e);
    if (rc == KNIT_OK && levels == NULL && (levels = mt_levels_of(&ds, &mdl, pairs, np, 0)) == NULL)
        rc = kerr_set(&e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    if (rc == KNIT_OK) {
        tf = mt_tf_build(&ds);
        prob = xmalloc((np ? np : 1) * sizeof *prob);
        cluster = xmalloc((size_t)(ds.n ? ds.n : 1) * sizeof *cluster);
        if (!tf || !prob || !cluster)
            rc = kerr_set(&e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    }
    for (size_t k = 0; rc == KNIT_OK && k < np; k++)
        prob[k] = mt_probability(
            mt_weight_levels(&mdl, tf, &ds.r[pairs[k] >> 32], levels + k * MF_COUNT));
    xfree(levels);
    score_ctx sc = {&mdl, tf, &ds};
    if (rc == KNIT_OK && !path_b)
        rc = mt_cluster(&ds, pairs, prob, np, threshold, 0.01, score_pair, &sc, cluster, &e);
    const char *out = cli_opt(match_defs, cl, "model-out", NULL);
    if (rc == KNIT_OK && out) rc = mt_model_save(&mdl, out, &e);
    double t1 = seconds();
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message);
    } else {
        int quiet = cli_opt(match_defs, cl, "quiet", NULL) != NULL;
        long linked = 0, correct = 0, blocked = 0;
        if (!quiet) printf(path_b ? "left_line,right_line,match_probability\n" : "line,cluster\n");
        for (size_t k = 0; path_b && k < np; k++) {
            const mt_rec *a = &ds.r[pairs[k] >> 32], *b = &ds.r[(uint32_t)pairs[k]];
            int same = a->truth && b->truth && strcmp(a->truth, b->truth) == 0;
            blocked += same;
            if (prob[k] < threshold) continue;
            linked++;
            correct += same;
            if (a->source) { /* left file first */
                const mt_rec *t = a;
                a = b;
                b = t;
            }
            if (!quiet) printf("%ld,%ld,%.6f\n", a->line, b->line, prob[k]);
        }
        for (int i = 0; !path_b && !quiet && i < ds.n; i++)
            printf("%ld,%d\n", ds.r[i].line, cluster[i]);
        fprintf(stderr,
                "records %d, skipped rows %d, unreadable dates %d, candidate pairs %zu "
                "(%.1f per record, %d oversize blocks skipped), EM iterations %d, lambda %.4f, "
                "time %.3f s\n",
                ds.n, ds.skipped, ds.bad_dates, np, ds.n ? 2.0 * (double)np / ds.n : 0, skipped,
                mdl.em_iterations, mdl.lambda, t1 - t0);
        if (cli_opt(match_defs, cl, "truth", NULL)) {
            mt_quality q;
            if (path_b) {
                memset(&q, 0, sizeof q);
                q.true_pairs = true_cross_pairs(&ds);
                q.predicted_pairs = linked;
                q.correct_pairs = correct;
                q.precision = linked ? (double)correct / linked : 1;
                q.recall = q.true_pairs ? (double)correct / q.true_pairs : 1;
                q.f1 = q.precision + q.recall > 0
                           ? 2 * q.precision * q.recall / (q.precision + q.recall)
                           : 0;
            } else {
                mt_evaluate(&ds, cluster, &q);
                for (size_t k = 0; k < np; k++) {
                    const char *a = ds.r[pairs[k] >> 32].truth, *b = ds.r[(uint32_t)pairs[k]].truth;
                    blocked += a && b && strcmp(a, b) == 0;
                }
            }
            fprintf(stderr, "blocking recall %.4f (%ld of %ld true pairs are candidates)\n",
                    q.true_pairs ? (double)blocked / q.true_pairs : 1.0, blocked, q.true_pairs);
            fprintf(stderr,
                    "precision %.4f recall %.4f F1 %.4f (true pairs %ld, predicted %ld, correct "
                    "%ld), pairs compared %zu, time %.3f s\n",
                    q.precision, q.recall, q.f1, q.true_pairs, q.predicted_pairs, q.correct_pairs,
                    np, t1 - t0);
        }
    }
    xfree(pairs);
    xfree(prob);
    xfree(cluster);
    mt_tf_free(tf);
    ds_free(&ds);
    return rc ? 1 : 0;
}

/* Write one CSV field to stdout, quoted when it needs to be. */
static void csv_put(const char *v, int last) {
    if (strpbrk(v, ",\"\r\n") || v[0] == ' ') {
        putchar('"');
        for (; *v; v++) {
            if (*v == '"') putchar('"');
            putchar(*v);
        }
        putchar('"');
    } else {
        fputs(v, stdout);
    }
    putchar(last ? '\n' : ',');
}

/* knit match score: every row holds left_<field> and right_<field> columns;
** the same rows come out with match_probability and match_weight added. */
static int score(const cmdline *cl, const char *path) {
    const char *model = cli_opt(match_defs, cl, "model", NULL);
    int strict = cli_opt(match_defs, cl, "strict", NULL) != NULL;
    if (model == NULL)
        return cli_usage_error(
            "match score: --model FILE is required (train one with dedupe --model-out)");
    kerr e;
    kerr_clear(&e);
    if (path_check(path, "FILE", &e) || path_check(model, "--model", &e))
        return cli_usage_error("%s", e.message);
    mt_model mdl;
    if (mt_model_load(&mdl, model, &e)) return cli_usage_error("match: %s", e.message);
    size_t len;
    char *text = ds_read_file(path, &len, &e);
    if (text == NULL) return cli_usage_error("match: %s", e.message);
    csv_reader r;
    int rc = csv_init(&r, text, len, ',', 1, &e);
    if (rc == KNIT_OK && (rc = csv_next(&r, &e)) != 1)
        rc = rc < 0 ? rc : kerr_set(&e, KNIT_EINVAL, "empty_file", "FILE", "no header row");
    else
        rc = KNIT_OK;
    int side[64], field[64], ncols = r.nfields, used = 0;
    for (int c = 0; rc == KNIT_OK && c < ncols && c < 64; c++) {
        const char *h = r.fields[c];
        side[c] = strncmp(h, "left_", 5) == 0 ? 0 : strncmp(h, "right_", 6) == 0 ? 1 : -1;
        field[c] = side[c] < 0 ? -1 : ds_field_of(h + (side[c] ? 6 : 5));
        if (field[c] >= 0) used++;
    }
    if (rc == KNIT_OK && (ncols > 64 || used == 0))
        rc = kerr_set(
            &e, KNIT_EINVAL, "no_fields", "FILE",
            "no left_<field>/right_<field> columns the matcher knows (or over 64 columns)");
    if (rc) {
        csv_free(&r);
        xfree(text);
        return cli_usage_error("match: %s: %s", path, e.message);
    }
    for (int c = 0; c < ncols; c++) csv_put(r.fields[c], 0);
    printf("match_probability,match_weight\n");
    int skipped = 0;
    while ((rc = csv_next(&r, &e)) == 1) {
        if (r.nfields != ncols) {
            fprintf(stderr, "knit: line %ld: %d fields, header has %d; %s\n", r.line, r.nfields,
                    ncols, strict ? "refused" : "skipped");
            if (strict) {
                rc = KNIT_EINVAL;
                break;
            }
            skipped++;
            continue;
        }
        mt_rec pair[2];
        memset(pair, 0, sizeof pair);
        rc = KNIT_OK;
        for (int c = 0; c < ncols && rc == KNIT_OK; c++) {
            int bad;
            if (field[c] >= 0) rc = ds_set(&pair[side[c]], field[c], r.fields[c], &bad);
        }
        for (int f = 0; f < MF_COUNT && rc == KNIT_OK; f++)
            for (int k = 0; k < 2; k++)
                if (pair[k].f[f].u == NULL) rc = ds_value(&pair[k].f[f], "", f);
        if (rc == KNIT_OK) {
            double w = mt_weight(&mdl, NULL, 0, &pair[0], &pair[1]);
            char pbuf[32], wbuf[32];
            snprintf(pbuf, sizeof pbuf, "%.6f", mt_probability(w));
            snprintf(wbuf, sizeof wbuf, "%.4f", w);
            for (int c = 0; c < ncols; c++) csv_put(r.fields[c], 0);
            csv_put(pbuf, 0);
            csv_put(wbuf, 1);
        }
        ds_rec_free(&pair[0]);
        ds_rec_free(&pair[1]);
        if (rc) {
            kerr_set(&e, rc, "out_of_memory", "", "out of memory");
            break;
        }
    }
    csv_free(&r);
    xfree(text);
    if (skipped) fprintf(stderr, "knit: %d malformed rows skipped\n", skipped);
    if (rc < 0) {
        if (e.message[0]) fprintf(stderr, "knit: %s\n", e.message);
        return rc == KNIT_EINVAL ? 2 : 1;
    }
    return 0;
}

int cmd_match(int argc, char **argv) {
    static const char usage[] =
        "dedupe FILE | link A B [--truth COLUMN] [--map F=COL,...] "
        "[--drop F,...] | score PAIRS.csv --model FILE | synth [--records N]";
    cmdline cl;
    int rc = cli_parse("match", usage, match_defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos < 1) return cli_usage_error("match: say dedupe, link, score or synth");
    if (strcmp(cl.pos[0], "synth") == 0) {
        long long n, dup, seed;
        if (cl.npos != 1)
            return cli_usage_error("match synth: usage: knit match synth --records N");
        if (cli_int(match_defs, &cl, "records", 10000, 1, 100000000, &n) ||
            cli_int(match_defs, &cl, "dup-percent", 30, 0, 100, &dup) ||
            cli_int(match_defs, &cl, "seed", 1, 0, INT64_MAX, &seed))
            return 2;
        return demo_synth(stdout, (long)n, (int)dup, (uint64_t)seed) ? 1 : 0;
    }
    if (strcmp(cl.pos[0], "link") == 0) {
        if (cl.npos != 3) return cli_usage_error("match link: usage: knit match link A.csv B.csv");
        return run(&cl, cl.pos[1], cl.pos[2]);
    }
    if (strcmp(cl.pos[0], "score") == 0) {
        if (cl.npos != 2)
            return cli_usage_error("match score: usage: knit match score PAIRS.csv --model FILE");
        return score(&cl, cl.pos[1]);
    }
    if (strcmp(cl.pos[0], "dedupe") == 0) {
        if (cl.npos != 2) return cli_usage_error("match dedupe: usage: knit match %s", usage);
        return run(&cl, cl.pos[1], NULL);
    }
    return cli_usage_error("match: unknown subcommand '%.40s'", cl.pos[0]);
}
