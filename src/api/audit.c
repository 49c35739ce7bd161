/*
** audit.c: GET /api/v1/audit for auditors.
*/
#include <stdio.h>
#include <string.h>

#include "../core/json.h"
#include "api.h"

/* Refuse query arguments the audit list does not know. */
static enum MHD_Result known_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
    static const char *const known[] = {"after", "limit", "actor", "object_type", NULL};
    (void)kind;
    (void)value;
    for (const char *const *k = known; *k; k++)
        if (strcmp(*k, key) == 0) return MHD_YES;
    *(const char **)cls = key;
    return MHD_NO;
}

void api_audit_list(req *r) {
    int64_t after;
    int limit;
    const char *unknown = NULL;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, known_arg, &unknown);
    if (unknown) {
        reply_error(r, 400, "unknown_field", unknown, "unknown filter '%.60s'", unknown);
        return;
    }
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
