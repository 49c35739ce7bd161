/*
** records.c: the JSON API of persons, cases and contacts.  One generic
** handler per operation, driven by a table of domain functions per record
** type, so the three record types behave alike.
*/
#include <string.h>

#include "../domain/record.h"
#include "api.h"

#define MAX_FILTERS 16 /* query arguments one list request may carry */

/* The domain operations of one record type. */
typedef struct rec_ops {
    int (*create)(sqlite3 *, const actor *, json_t *, json_t **, kerr *);
    int (*get)(sqlite3 *, const actor *, const read_opts *, int64_t, json_t **, kerr *);
    int (*update)(sqlite3 *, const actor *, int64_t, json_t *, json_t **, kerr *);
    int (*list)(sqlite3 *, const actor *, const read_opts *, const char *const *, int64_t, int,
                json_t **, kerr *);
    int (*del)(sqlite3 *, const actor *, int64_t, kerr *);
} rec_ops;

static int person_get_ro(sqlite3 *db, const actor *a, const read_opts *ro, int64_t id, json_t **o,
                         kerr *e) {
    (void)ro;
    return person_get(db, a, id, o, e);
}
static int person_list_ro(sqlite3 *db, const actor *a, const read_opts *ro, const char *const *f,
                          int64_t after, int limit, json_t **o, kerr *e) {
    (void)ro;
    return person_list(db, a, f, after, limit, o, e);
}
static int case_get_ro(sqlite3 *db, const actor *a, const read_opts *ro, int64_t id, json_t **o,
                       kerr *e) {
    (void)ro;
    return case_get(db, a, id, o, e);
}
static int case_list_ro(sqlite3 *db, const actor *a, const read_opts *ro, const char *const *f,
                        int64_t after, int limit, json_t **o, kerr *e) {
    (void)ro;
    return case_list(db, a, f, after, limit, o, e);
}

static const rec_ops persons = {person_create, person_get_ro, person_update, person_list_ro,
                                person_delete};
static const rec_ops cases = {case_create, case_get_ro, case_update, case_list_ro, case_delete};
static const rec_ops contacts = {contact_create, contact_get, contact_update, contact_list,
                                 contact_delete};

static read_opts opts_for(req *r) {
    return (read_opts){caps_has(r->auth.caps, (char[]){CAP_REPORTER, 0})};
}

static void do_create(req *r, const rec_ops *ops) {
    json_t *in, *out;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    int rc = ops->create(r->db, &who, in, &out, &e);
    json_decref(in);
    if (rc) {
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 201, out);
}

static void do_get(req *r, const rec_ops *ops) {
    int64_t id;
    if (req_id(r, 0, &id)) return;
    json_t *out;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    read_opts ro = opts_for(r);
    if (ops->get(r->db, &who, &ro, id, &out, &e)) {
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 200, out);
}

static void do_update(req *r, const rec_ops *ops) {
    int64_t id;
    if (req_id(r, 0, &id)) return;
    json_t *in, *out;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    int rc = ops->update(r->db, &who, id, in, &out, &e);
    json_decref(in);
    if (rc) {
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 200, out);
}

static void do_delete(req *r, const rec_ops *ops) {
    int64_t id;
    if (req_id(r, 0, &id)) return;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    if (ops->del(r->db, &who, id, &e)) {
        reply_kerr(r, &e);
        return;
    }
    reply_empty(r);
}

/* Collects query arguments other than the paging ones. */
typedef struct filter_set {
    const char *kv[2 * MAX_FILTERS + 2]; /* name, value, ..., NULL */
    int n;                               /* pairs so far */
    int overflow;                        /* 1: too many arguments */
} filter_set;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
    filter_set *f = cls;
    (void)kind;
    if (strcmp(key, "after") == 0 || strcmp(key, "limit") == 0) return MHD_YES;
    if (f->n == MAX_FILTERS) {
        f->overflow = 1;
        return MHD_NO;
    }
    f->kv[2 * f->n] = key;
    f->kv[2 * f->n + 1] = value ? value : "";
    f->n++;
    return MHD_YES;
}

static void do_list(req *r, const rec_ops *ops) {
    int64_t after;
    int limit;
    if (api_paging(r, &after, &limit)) return;
    filter_set f;
    memset(&f, 0, sizeof f);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, &f);
    if (f.overflow) {
        reply_error(r, 400, "too_many_filters", "", "at most %d filters", MAX_FILTERS);
        return;
    }
    json_t *out;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    read_opts ro = opts_for(r);
    if (ops->list(r->db, &who, &ro, f.kv, after, limit, &out, &e)) {
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 200, out);
}

void api_person_create(req *r) {
    do_create(r, &persons);
}
void api_person_get(req *r) {
    do_get(r, &persons);
}
void api_person_update(req *r) {
    do_update(r, &persons);
}
void api_person_list(req *r) {
    do_list(r, &persons);
}
void api_person_delete(req *r) {
    do_delete(r, &persons);
}
void api_case_create(req *r) {
    do_create(r, &cases);
}
void api_case_get(req *r) {
    do_get(r, &cases);
}
void api_case_update(req *r) {
    do_update(r, &cases);
}
void api_case_list(req *r) {
    do_list(r, &cases);
}
void api_case_delete(req *r) {
    do_delete(r, &cases);
}
void api_contact_create(req *r) {
    do_create(r, &contacts);
}
void api_contact_get(req *r) {
    do_get(r, &contacts);
}
void api_contact_update(req *r) {
    do_update(r, &contacts);
}
void api_contact_list(req *r) {
    do_list(r, &contacts);
}
void api_contact_delete(req *r) {
    do_delete(r, &contacts);
}
