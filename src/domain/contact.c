/*
** contact.c: contacts (one report, call or visit) and their reporters (see
** record.h).  The summary is free text and sealed; the reporter's name and
** phone are sealed in their own table and shown only to callers allowed to
** see them (read_opts), with an audit row.  A phone's blind index lets a
** hotline find a repeat reporter.
*/
#include <string.h>

#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "rec.h"
#include "record.h"

const char *const contact_channels[] = {
    "phone", "line", "chat", "walk_in", "web", "overseas_callback", "email", "referral", NULL};
const char *const contact_categories[] = {"case",   "information", "wrong_number",
                                          "silent", "other",       NULL};

static const jfield reporter_spec[] = {
    {"name", JF_STRING, 0, 200, 0, 0, NULL},
    {"phone", JF_STRING, 0, 40, 0, 0, NULL},
    {"relationship", JF_STRING, 0, 100, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const jfield contact_spec[] = {
    {"channel", JF_ENUM, 1, 0, 0, 0, contact_channels},
    {"occurred_at", JF_TIMESTAMP, 1, 40, 0, 0, NULL},
    {"language", JF_LANG, 0, 0, 0, 0, NULL},
    {"interpreter_language", JF_LANG, 0, 0, 0, 0, NULL},
    {"category", JF_ENUM, 0, 0, 0, 0, contact_categories},
    {"summary", JF_TEXT, 0, 20000, 0, 0, NULL},
    {"case_id", JF_INT, 0, 0, 1, INT64_MAX, NULL},
    {"reporter", JF_OBJECT, 0, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const char SQL_CASE_LIVE[] = "SELECT 1 FROM cases WHERE id=? AND deleted_at IS NULL";

/* Validate a complete contact (without "version"). */
static int contact_check(sqlite3 *db, json_t *c, kerr *e) {
    if (jv_check(c, contact_spec, e)) return e->rc;
    int64_t t;
    ts_parse(jv_str(c, "occurred_at"), &t);
    if (t > now_s() + 300)
        return kerr_set(e, KNIT_EINVAL, "date_in_future", "occurred_at",
                        "occurred_at is in the future");
    json_t *r = json_object_get(c, "reporter");
    if (json_is_object(r) && jv_check(r, reporter_spec, e)) return kerr_nest(e, "reporter", -1);
    json_t *cid = json_object_get(c, "case_id");
    if (json_is_integer(cid)) {
        int64_t one;
        int rc = rec_int(db, SQL_CASE_LIVE, json_integer_value(cid), &one, e);
        if (rc == KNIT_ENOTFOUND)
            return kerr_set(e, KNIT_EINVAL, "invalid_reference", "case_id",
                            "case_id: no such case");
        return rc;
    }
    return KNIT_OK;
}

static const char SQL_NEXT[] = "SELECT coalesce(max(id),0)+1 FROM contact";
static const char SQL_NEXT_REPORTER[] = "SELECT coalesce(max(id),0)+1 FROM reporter";
static const char SQL_INS_REPORTER[] =
    "INSERT INTO reporter(id, name, phone, phone_bidx, relationship, created_at)"
    " VALUES (?,?,?,?,?,?)";
static const char SQL_INSERT[] =
    "INSERT INTO contact(channel, occurred_at, language, interpreter_language, category, summary,"
    " case_id, reporter_id, version, created_at, updated_at, created_by, id)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?10,?11,?12)";
static const char SQL_UPDATE[] =
    "UPDATE contact SET channel=?1, occurred_at=?2, language=?3, interpreter_language=?4,"
    " category=?5, summary=?6, case_id=?7, reporter_id=?8, version=?9, updated_at=?10"
    " WHERE id=?12 AND deleted_at IS NULL";

/* Store reporter object r; *id receives its row id. */
static int write_reporter(sqlite3 *db, json_t *r, int64_t *id, kerr *e) {
    int rc = rec_int(db, SQL_NEXT_REPORTER, 0, id, e);
    if (rc) return rc;
    sqlite3_stmt *st = db_stmt(db, SQL_INS_REPORTER);
    if (st == NULL) return db_error(db, e);
    sqlite3_bind_int64(st, 1, *id);
    rc = rec_bind_sealed(st, 2, "reporter", "name", *id, jv_str(r, "name"), e);
    if (!rc) rc = rec_bind_sealed(st, 3, "reporter", "phone", *id, jv_str(r, "phone"), e);
    if (!rc) rc = rec_bind_bidx(st, 4, "phone", jv_str(r, "phone"), 1, e);
    if (!rc) {
        if (jv_str(r, "relationship"))
            sqlite3_bind_text(st, 5, jv_str(r, "relationship"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, now_s());
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
    }
    sqlite3_reset(st);
    return rc;
}

/* INSERT or UPDATE contact id from c; reporter_id is the linked reporter or 0. */
static int write_contact(sqlite3 *db, const char *sql, int64_t id, int64_t version, json_t *c,
                         int64_t reporter_id, const actor *who, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, sql);
    if (st == NULL) return db_error(db, e);
    const char *cat = jv_str(c, "category");
    int64_t t = 0;
    ts_parse(jv_str(c, "occurred_at"), &t);
    json_t *cid = json_object_get(c, "case_id");
    sqlite3_bind_text(st, 1, jv_str(c, "channel"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, t);
    if (jv_str(c, "language"))
        sqlite3_bind_text(st, 3, jv_str(c, "language"), -1, SQLITE_TRANSIENT);
    if (jv_str(c, "interpreter_language"))
        sqlite3_bind_text(st, 4, jv_str(c, "interpreter_language"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, cat ? cat : "case", -1, SQLITE_TRANSIENT);
    int rc = rec_bind_sealed(st, 6, "contact", "summary", id, jv_str(c, "summary"), e);
    if (json_is_integer(cid)) sqlite3_bind_int64(st, 7, json_integer_value(cid));
    if (reporter_id) sqlite3_bind_int64(st, 8, reporter_id);
    sqlite3_bind_int64(st, 9, version);
    sqlite3_bind_int64(st, 10, now_s());
    if (who->user_id) sqlite3_bind_int64(st, 11, who->user_id);
    sqlite3_bind_int64(st, 12, id);
    if (!rc && sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(db, e);
    else if (!rc && sqlite3_changes(db) != 1)
        rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "id", "no such contact");
    sqlite3_reset(st);
    return rc;
}

#define CONTACT_COLS                                                                               \
    "c.id, c.version, c.channel, c.occurred_at, c.language, c.interpreter_language, c.category,"   \
    " c.summary, c.case_id, c.reporter_id, c.created_at, c.updated_at, r.name, r.phone,"           \
    " r.relationship"
#define CONTACT_FROM " FROM contact c LEFT JOIN reporter r ON r.id = c.reporter_id"

/* The contact at the current row of st; with_reporter adds the reporter's identity. */
static int contact_row(sqlite3 *db, sqlite3_stmt *st, int with_reporter, json_t **out, kerr *e) {
    (void)db;
    int64_t id = sqlite3_column_int64(st, 0);
    json_t *c = json_object();
    if (c == NULL) return rec_oom(e);
    json_object_set_new(c, "id", json_integer(id));
    json_object_set_new(c, "version", json_integer(sqlite3_column_int64(st, 1)));
    rec_set_text(c, "channel", st, 2);
    rec_set_ts(c, "occurred_at", st, 3);
    rec_set_text(c, "language", st, 4);
    rec_set_text(c, "interpreter_language", st, 5);
    rec_set_text(c, "category", st, 6);
    int rc = rec_set_opened(c, "summary", st, 7, "contact", "summary", id, 0, e);
    json_object_set_new(c, "case_id",
                        sqlite3_column_type(st, 8) == SQLITE_NULL
                            ? json_null()
                            : json_integer(sqlite3_column_int64(st, 8)));
    if (sqlite3_column_type(st, 9) == SQLITE_NULL) {
        json_object_set_new(c, "reporter", json_null());
    } else {
        int64_t rid = sqlite3_column_int64(st, 9);
        json_t *r = json_pack("{sI}", "id", (json_int_t)rid);
        if (r && with_reporter && !rc) {
            rc = rec_set_opened(r, "name", st, 12, "reporter", "name", rid, 0, e);
            if (!rc) rc = rec_set_opened(r, "phone", st, 13, "reporter", "phone", rid, 0, e);
            rec_set_text(r, "relationship", st, 14);
        }
        json_object_set_new(c, "reporter", r);
    }
    rec_set_ts(c, "created_at", st, 10);
    rec_set_ts(c, "updated_at", st, 11);
    if (rc) {
        json_decref(c);
        return rc;
    }
    *out = c;
    return KNIT_OK;
}

static int contact_load(sqlite3 *db, int64_t id, int with_reporter, json_t **out, kerr *e) {
    return rec_load(db,
                    "SELECT " CONTACT_COLS CONTACT_FROM " WHERE c.id=? AND c.deleted_at IS NULL",
                    id, contact_row, with_reporter, "contact", out, e);
}

int contact_create(sqlite3 *db, const actor *who, json_t *in, json_t **out, kerr *e) {
    *out = NULL;
    if (json_object_get(in, "version"))
        return kerr_set(e, KNIT_EINVAL, "unknown_field", "version", "version is set by the server");
    if (jv_check(in, contact_spec, e)) return e->rc;
    if (db_begin(db)) return db_error(db, e);
    int rc = contact_check(db, in, e);
    int64_t id = 0, rid = 0;
    json_t *r = json_object_get(in, "reporter");
    if (!rc && json_is_object(r) && json_object_size(r)) rc = write_reporter(db, r, &rid, e);
    if (!rc) rc = rec_int(db, SQL_NEXT, 0, &id, e);
    if (!rc) rc = write_contact(db, SQL_INSERT, id, 1, in, rid, who, e);
    if (!rc) {
        json_t *d = json_pack("{ss}", "channel", jv_str(in, "channel"));
        rc = audit_append(db, who, "contact.create", "contact", id, d, e);
        json_decref(d);
    }
    rc = rec_finish(db, rc, e);
    return rc ? rc : contact_load(db, id, 0, out, e);
}

/* Audit reading contact id, and its reporter's identity when shown. */
static int audit_read(sqlite3 *db, const actor *who, json_t *c, int with_reporter, kerr *e) {
    if (db_begin(db)) return db_error(db, e);
    int64_t id = json_integer_value(json_object_get(c, "id"));
    int rc = audit_append(db, who, "contact.read", "contact", id, NULL, e);
    json_t *r = json_object_get(c, "reporter");
    if (!rc && with_reporter && json_is_object(r))
        rc = audit_append(db, who, "reporter.read", "reporter",
                          json_integer_value(json_object_get(r, "id")), NULL, e);
    return rec_finish(db, rc, e);
}

int contact_get(sqlite3 *db, const actor *who, const read_opts *ro, int64_t id, json_t **out,
                kerr *e) {
    int rc = contact_load(db, id, ro->reporter_identity, out, e);
    if (rc == KNIT_OK) rc = audit_read(db, who, *out, ro->reporter_identity, e);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int contact_update(sqlite3 *db, const actor *who, int64_t id, json_t *in, json_t **out, kerr *e) {
    static const jfield upd[] = {
        {"channel", JF_ENUM, 0, 0, 0, 0, contact_channels},
        {"occurred_at", JF_TIMESTAMP, 0, 40, 0, 0, NULL},
        {"language", JF_LANG, 0, 0, 0, 0, NULL},
        {"interpreter_language", JF_LANG, 0, 0, 0, 0, NULL},
        {"category", JF_ENUM, 0, 0, 0, 0, contact_categories},
        {"summary", JF_TEXT, 0, 20000, 0, 0, NULL},
        {"case_id", JF_INT, 0, 0, 1, INT64_MAX, NULL},
        {"reporter", JF_OBJECT, 0, 0, 0, 0, NULL},
        {"version", JF_INT, 0, 0, 1, INT32_MAX, NULL},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    *out = NULL;
    if (jv_check(in, upd, e)) return e->rc;
    if (db_begin(db)) return db_error(db, e);
    json_t *cur = NULL;
    int rc = contact_load(db, id, 0, &cur, e);
    int64_t rid = 0;
    if (!rc) {
        json_t *r = json_object_get(cur, "reporter");
        if (json_is_object(r)) rid = json_integer_value(json_object_get(r, "id"));
        json_object_del(cur, "reporter"); /* kept unless the update gives a new one */
        const char *drop[] = {"id", "created_at", "updated_at"};
        for (size_t i = 0; i < COUNT(drop); i++) json_object_del(cur, drop[i]);
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(cur, tmp, k, v) if (json_is_null(v)) json_object_del(cur, k);
        rc = rec_merge(cur, in, e);
    }
    int64_t version = json_integer_value(json_object_get(cur, "version")) + 1;
    if (!rc) {
        json_object_del(cur, "version");
        rc = contact_check(db, cur, e);
    }
    json_t *r = json_object_get(in, "reporter");
    if (!rc && json_is_object(r)) rc = write_reporter(db, r, &rid, e);
    if (!rc && json_is_null(r)) rid = 0;
    if (!rc) rc = write_contact(db, SQL_UPDATE, id, version, cur, rid, who, e);
    if (!rc) {
        json_t *d = json_pack("{so}", "fields", json_array());
        const char *k;
        json_t *v;
        json_object_foreach(in, k, v) if (strcmp(k, "version"))
            json_array_append_new(json_object_get(d, "fields"), json_string(k));
        rc = audit_append(db, who, "contact.update", "contact", id, d, e);
        json_decref(d);
    }
    json_decref(cur);
    rc = rec_finish(db, rc, e);
    return rc ? rc : contact_load(db, id, 0, out, e);
}

int contact_delete(sqlite3 *db, const actor *who, int64_t id, kerr *e) {
    return rec_soft_delete(db, who,
                           "UPDATE contact SET deleted_at=? WHERE id=? AND deleted_at IS NULL",
                           "contact", id, e);
}

int contact_list(sqlite3 *db, const actor *who, const read_opts *ro, const char *const *filters,
                 int64_t after, int limit, json_t **out, kerr *e) {
    static const char *const allowed[] = {"channel", "category",       "case_id", "since",
                                          "until",   "reporter_phone", NULL};
    *out = NULL;
    if (rec_filters_check(filters, allowed, e)) return e->rc;
    const char *channel = rec_filter(filters, "channel"), *cat = rec_filter(filters, "category"),
               *cid = rec_filter(filters, "case_id"), *since = rec_filter(filters, "since"),
               *until = rec_filter(filters, "until"),
               *phone = rec_filter(filters, "reporter_phone");
    int64_t case_id = 0, t_since = 0, t_until = 0;
    if (rec_enum(channel, contact_channels, "channel", e) ||
        rec_enum(cat, contact_categories, "category", e))
        return e->rc;
    if (cid && parse_i64(cid, 1, INT64_MAX, &case_id))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "case_id", "case_id must be a case id");
    if (since && ts_parse(since, &t_since))
        return kerr_set(e, KNIT_EINVAL, "invalid_date", "since",
                        "since must be an RFC 3339 timestamp");
    if (until && ts_parse(until, &t_until))
        return kerr_set(e, KNIT_EINVAL, "invalid_date", "until",
                        "until must be an RFC 3339 timestamp");
    if (phone && !ro->reporter_identity)
        return kerr_set(e, KNIT_EPERM, "forbidden", "reporter_phone",
                        "searching by reporter phone needs the reporter-read capability");
    buf sql;
    buf_init(&sql, 2048);
    buf_puts(&sql, "SELECT " CONTACT_COLS CONTACT_FROM " WHERE c.deleted_at IS NULL AND c.id > ?1");
    if (channel) buf_puts(&sql, " AND c.channel = ?2");
    if (cat) buf_puts(&sql, " AND c.category = ?3");
    if (cid) buf_puts(&sql, " AND c.case_id = ?4");
    if (since) buf_puts(&sql, " AND c.occurred_at >= ?5");
    if (until) buf_puts(&sql, " AND c.occurred_at < ?6");
    if (phone) buf_puts(&sql, " AND r.phone_bidx = ?7");
    buf_puts(&sql, " ORDER BY c.id LIMIT ?8");
    sqlite3_stmt *st;
    if (rec_prepare(db, &sql, &st, e)) return e->rc;
    sqlite3_bind_int64(st, 1, after);
    if (channel) sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
    if (cat) sqlite3_bind_text(st, 3, cat, -1, SQLITE_STATIC);
    if (cid) sqlite3_bind_int64(st, 4, case_id);
    if (since) sqlite3_bind_int64(st, 5, t_since);
    if (until) sqlite3_bind_int64(st, 6, t_until);
    int rc = phone ? rec_bind_bidx(st, 7, "phone", phone, 1, e) : KNIT_OK;
    sqlite3_bind_int(st, 8, limit + 1);
    if (rc) {
        sqlite3_finalize(st);
        return rc;
    }
    rc = rec_list_rows(db, st, contact_row, ro->reporter_identity, limit, out, e);
    if (!rc)
        rc = rec_audit_list(db, who,
                            ro->reporter_identity ? "contact.list+reporter" : "contact.list",
                            "contact", json_object_get(*out, "items"), e);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
