/*
** metrics.c: request counters and latency histograms in Prometheus text
** format.
**
** Owns fixed arrays of atomic counters indexed by route (route_table index,
** plus one slot for unmatched requests) and status code slot; updated by all
** worker threads without locks.
*/
#include <stdatomic.h>
#include <string.h>

#include "../store/db.h"
#include "http.h"

#define MAX_ROUTES 96 /* route_table may not grow past this */

static const int status_codes[] = {200, 201, 204, 400, 401, 403, 404, 405,
                                   409, 413, 415, 429, 500, 503, 0 /* other */};
#define NSTATUS ((int)(sizeof status_codes / sizeof status_codes[0]))

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKET ((int)(sizeof bounds / sizeof bounds[0]))

static atomic_ulong counts[MAX_ROUTES + 1][NSTATUS]; /* requests by route and status */
static atomic_ulong hist[MAX_ROUTES + 1][NBUCKET];   /* requests at or under each bound */
static atomic_ulong total[MAX_ROUTES + 1];           /* requests by route */
static atomic_ulong sum_us[MAX_ROUTES + 1];          /* latency sum, microseconds */

void metrics_init(void) {}

void metrics_record(int route_index, int status, int64_t micros) {
    if (route_index < 0 || route_index >= route_count() || route_index >= MAX_ROUTES)
        route_index = MAX_ROUTES;
    int s = NSTATUS - 1;
    for (int i = 0; i < NSTATUS - 1; i++)
        if (status_codes[i] == status) {
            s = i;
            break;
        }
    atomic_fetch_add_explicit(&counts[route_index][s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&total[route_index], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_us[route_index], (unsigned long)(micros > 0 ? micros : 0),
                              memory_order_relaxed);
    double secs = (double)micros / 1e6;
    for (int b = 0; b < NBUCKET; b++)
        if (secs <= bounds[b]) {
            atomic_fetch_add_explicit(&hist[route_index][b], 1, memory_order_relaxed);
            break;
        }
}

/* Labels for route slot i. */
static void labels(int i, const char **method, const char **pattern) {
    if (i < route_count() && i < MAX_ROUTES) {
        *method = route_table[i].method;
        *pattern = route_table[i].pattern;
    } else {
        *method = "";
        *pattern = "unmatched";
    }
}

int metrics_render(buf *b, sqlite3 *db) {
    int rc = buf_puts(b, "# HELP knit_http_requests_total HTTP requests by route and status.\n"
                         "# TYPE knit_http_requests_total counter\n");
    int n = route_count() < MAX_ROUTES ? route_count() : MAX_ROUTES;
    for (int i = 0; i <= n && rc == 0; i++) {
        int slot = i < n ? i : MAX_ROUTES;
        const char *m, *p;
        labels(slot, &m, &p);
        for (int s = 0; s < NSTATUS && rc == 0; s++) {
            unsigned long c = atomic_load(&counts[slot][s]);
            if (c == 0) continue;
            char st[8];
            if (status_codes[s])
                snprintf(st, sizeof st, "%d", status_codes[s]);
            else
                snprintf(st, sizeof st, "other");
            rc = buf_printf(
                b, "knit_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %lu\n", m, p,
                st, c);
        }
    }
    if (rc == 0)
        rc = buf_puts(b, "# HELP knit_http_request_duration_seconds Request latency by route.\n"
                         "# TYPE knit_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= n && rc == 0; i++) {
        int slot = i < n ? i : MAX_ROUTES;
        unsigned long t = atomic_load(&total[slot]);
        if (t == 0) continue;
        const char *m, *p;
        labels(slot, &m, &p);
        unsigned long cum = 0;
        for (int k = 0; k < NBUCKET && rc == 0; k++) {
            cum += atomic_load(&hist[slot][k]);
            rc = buf_printf(b,
                            "knit_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                            "le=\"%g\"} %lu\n",
                            m, p, bounds[k], cum);
        }
        if (rc == 0)
            rc = buf_printf(
                b,
                "knit_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                "le=\"+Inf\"} %lu\n"
                "knit_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                "knit_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %lu\n",
                m, p, t, m, p, (double)atomic_load(&sum_us[slot]) / 1e6, m, p, t);
    }
    if (rc == 0)
        rc = buf_printf(b,
                        "# HELP knit_db_size_bytes Size of the node database file.\n"
                        "# TYPE knit_db_size_bytes gauge\nknit_db_size_bytes %lld\n",
                        (long long)db_size(db));
    return rc;
}
