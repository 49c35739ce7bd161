/*
** case.c: case records (see record.h).  A case holds no identity fields
** itself (they live on its person), so reading one is not an audited read.
*/
#include <string.h>

#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "rec.h"
#include "record.h"

const char *const case_statuses[] = {"open", "active", "closed", NULL};
const char *const trafficking_statuses[] = {"possible", "presumed", "confirmed", "not_a_victim",
                                            NULL};

static const jfield case_spec[] = {
    {"person_id", JF_INT, 1, 0, 1, INT64_MAX, NULL},
    {"agency", JF_STRING, 1, 200, 0, 0, NULL},
    {"owner_id", JF_INT, 0, 0, 1, INT64_MAX, NULL},
    {"status", JF_ENUM, 0, 0, 0, 0, case_statuses},
    {"trafficking_status", JF_ENUM, 0, 0, 0, 0, trafficking_statuses},
    {"version", JF_INT, 0, 0, 1, INT32_MAX, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* In an update every field may be omitted. */
static const jfield case_update_spec[] = {
    {"person_id", JF_INT, 0, 0, 1, INT64_MAX, NULL},
    {"agency", JF_STRING, 0, 200, 0, 0, NULL},
    {"owner_id", JF_INT, 0, 0, 1, INT64_MAX, NULL},
    {"status", JF_ENUM, 0, 0, 0, 0, case_statuses},
    {"trafficking_status", JF_ENUM, 0, 0, 0, 0, trafficking_statuses},
    {"version", JF_INT, 0, 0, 1, INT32_MAX, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const char SQL_PERSON_LIVE[] = "SELECT 1 FROM person WHERE id=? AND deleted_at IS NULL";
static const char SQL_USER[] = "SELECT 1 FROM users WHERE id=?";

/* Validate a complete case and its references. */
static int case_check(sqlite3 *db, json_t *c, kerr *e) {
    if (jv_check(c, case_spec, e)) return e->rc;
    int64_t one;
    int rc =
        rec_int(db, SQL_PERSON_LIVE, json_integer_value(json_object_get(c, "person_id")), &one, e);
    if (rc == KNIT_ENOTFOUND)
        return kerr_set(e, KNIT_EINVAL, "invalid_reference", "person_id",
                        "person_id: no such person");
    if (rc) return rc;
    json_t *o = json_object_get(c, "owner_id");
    if (json_is_integer(o)) {
        rc = rec_int(db, SQL_USER, json_integer_value(o), &one, e);
        if (rc == KNIT_ENOTFOUND)
            return kerr_set(e, KNIT_EINVAL, "invalid_reference", "owner_id",
                            "owner_id: no such user");
    }
    return rc;
}

#define CASE_COLS                                                                                  \
    "id, version, person_id, agency, owner_id, status, trafficking_status, created_at, updated_at"

static const char SQL_GET[] = "SELECT " CASE_COLS " FROM cases WHERE id=? AND deleted_at IS NULL";
static const char SQL_INSERT[] =
    "INSERT INTO cases(person_id, agency, owner_id, status, trafficking_status, version,"
    " created_at, updated_at, created_by, id) VALUES (?1,?2,?3,?4,?5,?6,?7,?7,?8,?9)";
static const char SQL_UPDATE[] =
    "UPDATE cases SET person_id=?1, agency=?2, owner_id=?3, status=?4, trafficking_status=?5,"
    " version=?6, updated_at=?7 WHERE id=?9 AND deleted_at IS NULL";
static const char SQL_NEXT[] = "SELECT coalesce(max(id),0)+1 FROM cases";

static int write_case(sqlite3 *db, const char *sql, int64_t id, int64_t version, json_t *c,
                      const actor *who, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, sql);
    if (st == NULL) return db_error(db, e);
    const char *status = jv_str(c, "status"), *ts = jv_str(c, "trafficking_status");
    json_t *owner = json_object_get(c, "owner_id");
    sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(c, "person_id")));
    sqlite3_bind_text(st, 2, jv_str(c, "agency"), -1, SQLITE_TRANSIENT);
    if (json_is_integer(owner)) sqlite3_bind_int64(st, 3, json_integer_value(owner));
    sqlite3_bind_text(st, 4, status ? status : "open", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, ts ? ts : "possible", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, version);
    sqlite3_bind_int64(st, 7, now_s());
    if (who->user_id) sqlite3_bind_int64(st, 8, who->user_id);
    sqlite3_bind_int64(st, 9, id);
    int rc = KNIT_OK;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(db, e);
    else if (sqlite3_changes(db) != 1)
        rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "id", "no such case");
    sqlite3_reset(st);
    return rc;
}

/* The case at the current row of st (columns CASE_COLS). */
static int case_row(sqlite3 *db, sqlite3_stmt *st, int flags, json_t **out, kerr *e) {
    (void)db;
    (void)flags;
    json_t *c = json_object();
    if (c == NULL) return rec_oom(e);
    json_object_set_new(c, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(c, "version", json_integer(sqlite3_column_int64(st, 1)));
    json_object_set_new(c, "person_id", json_integer(sqlite3_column_int64(st, 2)));
    rec_set_text(c, "agency", st, 3);
    json_object_set_new(c, "owner_id",
                        sqlite3_column_type(st, 4) == SQLITE_NULL
                            ? json_null()
                            : json_integer(sqlite3_column_int64(st, 4)));
    rec_set_text(c, "status", st, 5);
    rec_set_text(c, "trafficking_status", st, 6);
    rec_set_ts(c, "created_at", st, 7);
    rec_set_ts(c, "updated_at", st, 8);
    *out = c;
    return KNIT_OK;
}

static int case_load(sqlite3 *db, int64_t id, json_t **out, kerr *e) {
    return rec_load(db, SQL_GET, id, case_row, 0, "case", out, e);
}

int case_create(sqlite3 *db, const actor *who, json_t *in, json_t **out, kerr *e) {
    *out = NULL;
    if (json_object_get(in, "version"))
        return kerr_set(e, KNIT_EINVAL, "unknown_field", "version", "version is set by the server");
    if (jv_check(in, case_spec, e)) return e->rc;
    if (db_begin(db)) return db_error(db, e);
    int rc = KNIT_OK;
    if (!json_object_get(in, "owner_id") && who->user_id)
        rc = jv_set_new(in, "owner_id", json_integer(who->user_id));
    if (!rc) rc = case_check(db, in, e);
    int64_t id = 0;
    if (!rc) rc = rec_int(db, SQL_NEXT, 0, &id, e);
    if (!rc) rc = write_case(db, SQL_INSERT, id, 1, in, who, e);
    if (!rc) rc = audit_append(db, who, "case.create", "case", id, NULL, e);
    rc = rec_finish(db, rc, e);
    return rc ? rc : case_load(db, id, out, e);
}

int case_get(sqlite3 *db, const actor *who, int64_t id, json_t **out, kerr *e) {
    (void)who;
    return case_load(db, id, out, e);
}

int case_update(sqlite3 *db, const actor *who, int64_t id, json_t *in, json_t **out, kerr *e) {
    *out = NULL;
    if (jv_check(in, case_update_spec, e)) return e->rc;
    if (db_begin(db)) return db_error(db, e);
    json_t *cur = NULL;
    int rc = case_load(db, id, &cur, e);
    if (!rc) {
        json_object_del(cur, "id");
        json_object_del(cur, "created_at");
        json_object_del(cur, "updated_at");
        if (json_is_null(json_object_get(cur, "owner_id"))) json_object_del(cur, "owner_id");
        rc = rec_merge(cur, in, e);
    }
    int64_t version = json_integer_value(json_object_get(cur, "version")) + 1;
    if (!rc) {
        json_object_del(cur, "version");
        rc = case_check(db, cur, e);
    }
    if (!rc) rc = write_case(db, SQL_UPDATE, id, version, cur, who, e);
    if (!rc) {
        json_t *d = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(in, k, v) if (strcmp(k, "version")) json_object_set(d, k, v);
        rc = audit_append(db, who, "case.update", "case", id, d, e);
        json_decref(d);
    }
    json_decref(cur);
    rc = rec_finish(db, rc, e);
    return rc ? rc : case_load(db, id, out, e);
}

int case_delete(sqlite3 *db, const actor *who, int64_t id, kerr *e) {
    return rec_soft_delete(
        db, who, "UPDATE cases SET deleted_at=? WHERE id=? AND deleted_at IS NULL", "case", id, e);
}

int case_list(sqlite3 *db, const actor *who, const char *const *filters, int64_t after, int limit,
              json_t **out, kerr *e) {
    static const char *const allowed[] = {
        "status", "trafficking_status", "owner_id", "person_id", "agency", NULL};
    (void)who;
    *out = NULL;
    if (rec_filters_check(filters, allowed, e)) return e->rc;
    const char *status = rec_filter(filters, "status"),
               *ts = rec_filter(filters, "trafficking_status"),
               *owner = rec_filter(filters, "owner_id"), *person = rec_filter(filters, "person_id"),
               *agency = rec_filter(filters, "agency");
    int64_t owner_id = 0, person_id = 0;
    if (rec_enum(status, case_statuses, "status", e) ||
        rec_enum(ts, trafficking_statuses, "trafficking_status", e))
        return e->rc;
    if (owner && parse_i64(owner, 1, INT64_MAX, &owner_id))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "owner_id", "owner_id must be a user id");
    if (person && parse_i64(person, 1, INT64_MAX, &person_id))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "person_id",
                        "person_id must be a person id");
    buf sql;
    buf_init(&sql, 2048);
    buf_puts(&sql, "SELECT " CASE_COLS " FROM cases WHERE deleted_at IS NULL AND id > ?1");
    if (status) buf_puts(&sql, " AND status = ?2");
    if (ts) buf_puts(&sql, " AND trafficking_status = ?3");
    if (owner) buf_puts(&sql, " AND owner_id = ?4");
    if (person) buf_puts(&sql, " AND person_id = ?5");
    if (agency) buf_puts(&sql, " AND agency = ?6");
    buf_puts(&sql, " ORDER BY id LIMIT ?7");
    sqlite3_stmt *st;
    if (rec_prepare(db, &sql, &st, e)) return e->rc;
    sqlite3_bind_int64(st, 1, after);
    if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    if (ts) sqlite3_bind_text(st, 3, ts, -1, SQLITE_STATIC);
    if (owner) sqlite3_bind_int64(st, 4, owner_id);
    if (person) sqlite3_bind_int64(st, 5, person_id);
    if (agency) sqlite3_bind_text(st, 6, agency, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, limit + 1);
    return rec_list_rows(db, st, case_row, 0, limit, out, e);
}
