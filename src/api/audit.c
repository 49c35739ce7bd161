/*
** audit.c: GET /api/v1/audit for auditors.
*/
#include <stdio.h>

#include "../core/json.h"
#include "api.h"

void api_audit_list(req *r) {
    int64_t after;
    int limit;
    if (api_paging(r, &after, &limit)) return;
    kerr e;
    json_t *items =
        audit_list(r->db, after, limit, req_query(r, "actor"), req_query(r, "object_type"), &e);
    if (items == NULL) {
        reply_kerr(r, &e);
        return;
    }
    json_t *next = json_null();
    size_t n = json_array_size(items);
    if (n == (size_t)limit) {
        char c[32];
        snprintf(
            c, sizeof c, "c%lld",
            (long long)json_integer_value(json_object_get(json_array_get(items, n - 1), "id")));
        json_decref(next);
        next = json_string(c);
    }
    reply_json(r, 200, json_pack("{so so}", "items", items, "next", next));
}
