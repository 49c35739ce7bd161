/*
** jw.c: Jaro-Winkler throughput on names, one core: every name of the
** FEBRL3 given_name and surname columns against a block of 64 others,
** with the query prepared once (mt_prepare) as the matcher does.
** Prints comparisons per second.  usage: jw FEBRL_CSV SECONDS
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/csv.h"
#include "core/xmalloc.h"
#include "match/compare.h"
#include "match/dataset.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: jw FEBRL_CSV SECONDS\n");
        return 2;
    }
    kerr e;
    size_t len;
    char *text = ds_read_file(argv[1], &len, &e);
    if (text == NULL) {
        fprintf(stderr, "jw: %s\n", e.message);
        return 1;
    }
    mt_dataset ds;
    ds_opts o = {NULL, NULL, NULL, 0};
    if (ds_load(&ds, text, len, &o, &e)) {
        fprintf(stderr, "jw: %s\n", e.message);
        return 1;
    }
    int n = 0;
    mt_value *v = malloc(sizeof *v * (size_t)ds.n * 2);
    for (int i = 0; i < ds.n; i++)
        for (int f = MF_GIVEN; f <= MF_SURNAME; f++)
            if (ds.r[i].f[f].n && ds.r[i].f[f].n <= 64) v[n++] = ds.r[i].f[f];
    double secs = strtod(argv[2], NULL), t0 = now(), t, sum = 0;
    long count = 0;
    mt_pattern p;
    do {
        for (int i = 0; i < n; i++) {
            mt_prepare(&p, v[i].u, v[i].n);
            for (int j = 1; j <= 64; j++) {
                const mt_value *b = &v[(i + j * 7919) % n];
                sum += mt_jaro_winkler_p(&p, b->u, b->n);
            }
            count += 64;
        }
    } while ((t = now()) - t0 < secs);
    printf("%.1f\n", (double)count / (t - t0) / 1e6);
    fprintf(stderr, "jw: %ld comparisons of %d names, checksum %.3f\n", count, n, sum);
    free(v);
    ds_free(&ds);
    xfree(text);
    return 0;
}
