/*
** match.c: POST /api/v1/persons/match: "is this person already known
** here?"  The body is a person as for create, plus optional "limit"
** (1..100, default 10) and "min_probability" (0..1, default 0.05: a social
** worker should see weak candidates too).  The
** reply ranks candidates from the person index, each with its probability,
** per-field evidence and the candidate's record; showing those records is
** an identity read and is audited (person.match).
*/
#include <string.h>

#include "../core/json.h"
#include "../domain/record.h"
#include "../match/pindex.h"
#include "api.h"

void api_person_match(req *r) {
    json_t *in;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    int limit = 10;
    double min_prob = 0.05;
    json_t *l = json_object_get(in, "limit"), *m = json_object_get(in, "min_probability");
    int rc = KNIT_OK;
    if (l && (!json_is_integer(l) || json_integer_value(l) < 1 || json_integer_value(l) > 100))
        rc = kerr_set(&e, KNIT_EINVAL, "invalid_value", "limit", "limit must be 1 to 100");
    else if (l)
        limit = (int)json_integer_value(l);
    if (rc == KNIT_OK && m &&
        (!json_is_number(m) || json_number_value(m) < 0 || json_number_value(m) > 1))
        rc = kerr_set(&e, KNIT_EINVAL, "invalid_value", "min_probability",
                      "min_probability must be a number from 0 to 1");
    else if (m)
        min_prob = json_number_value(m);
    json_object_del(in, "limit");
    json_object_del(in, "min_probability");
    if (rc == KNIT_OK) rc = person_validate(in, &e);
    json_t *cands = rc == KNIT_OK ? pindex_query(in, limit, min_prob, &e) : NULL;
    json_decref(in);
    if (cands == NULL) {
        if (e.rc == KNIT_ELIMIT) {
            reply_error(r, 503, e.code, "", "%s; try again shortly", e.message);
            return;
        }
        reply_kerr(r, &e);
        return;
    }
    json_t *ids = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(cands, i, c) {
        json_t *p = NULL;
        int64_t id = json_integer_value(json_object_get(c, "person_id"));
        if (person_load_internal(r->db, id, &p, &e) == KNIT_OK) {
            json_object_set_new(c, "person", p);
            json_array_append_new(ids, json_integer(id));
        }
    }
    actor who = req_actor(r);
    if (json_array_size(ids)) {
        json_t *d = json_pack("{so}", "ids", ids);
        rc = audit_append_tx(r->db, &who, "person.match", "person", 0, d, &e);
        json_decref(d);
    } else {
        json_decref(ids);
    }
    if (rc) {
        json_decref(cands);
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 200, json_pack("{so}", "candidates", cands));
}
