/*
** system.c: /healthz and /metrics.
*/
#include <string.h>

#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "api.h"

/* The node's name and every route with the capability it needs, generated
** from the route table, so a newcomer at http://host:port/ sees the API. */
void api_index(req *r) {
    json_t *routes = json_array();
    for (int i = 0; route_table[i].method; i++) {
        const route *rt = &route_table[i];
        json_array_append_new(
            routes, json_pack("{ss ss ss ss}", "method", rt->method, "path", rt->pattern,
                              "capabilities", rt->caps ? rt->caps : "(public)", "help", rt->help));
    }
    sqlite3_stmt *st = db_stmt(r->db, "SELECT name, country FROM node");
    json_t *node = NULL;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        node = json_pack("{ss ss}", "name", sqlite3_column_text(st, 0), "country",
                         sqlite3_column_text(st, 1));
    if (st) sqlite3_reset(st);
    reply_json(r, 200,
               json_pack("{ss ss so* ss so}", "service", "knit", "version", KNIT_VERSION, "node",
                         node, "docs", "docs/api.md in the source tree", "routes", routes));
}

void api_healthz(req *r) {
    sqlite3_stmt *st = db_stmt(r->db, "SELECT count(*) FROM node");
    int ok = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    if (st) sqlite3_reset(st);
    if (!ok) {
        reply_error(r, 503, "unavailable", "", "database not ready");
        return;
    }
    reply_json(r, 200, json_pack("{ss ss}", "status", "ok", "version", KNIT_VERSION));
}

void api_metrics(req *r) {
    buf b;
    buf_init(&b, 4 << 20);
    if (metrics_render(&b, r->db)) {
        buf_free(&b);
        reply_error(r, 500, "internal", "", "metrics too large");
        return;
    }
    size_t n = b.len;
    reply_raw(r, 200, "text/plain; version=0.0.4", buf_detach(&b), n);
}

int api_paging(req *r, int64_t *after, int *limit) {
    const char *a = req_query(r, "after"), *l = req_query(r, "limit");
    int64_t v;
    *after = 0;
    *limit = 100;
    if (a && (a[0] != 'c' || parse_i64(a + 1, 0, INT64_MAX, after))) {
        reply_error(r, 400, "invalid_value", "after", "after must be a cursor from a 'next' field");
        return 1;
    }
    if (l) {
        if (parse_i64(l, 1, 1000, &v)) {
            reply_error(r, 400, "invalid_value", "limit",
                        "limit must be an integer from 1 to 1000");
            return 1;
        }
        *limit = (int)v;
    }
    return 0;
}
