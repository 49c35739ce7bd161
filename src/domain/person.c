/*
** person.c: person records (see record.h).
**
** A person's names, other names, date of birth and identifier values are
** sealed; exact lookups go through blind indexes: "name" over both native
** and Latin names, "identifier" over identifier values (letters and digits
** only, so "AB 123-4" finds "ab1234").
*/
#include <string.h>

#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../match/pindex.h"
#include "../store/db.h"
#include "rec.h"
#include "record.h"

const char *const person_sexes[] = {"female", "male", "other", "unknown", NULL};
const char *const identifier_types[] = {"national_id",       "passport",      "house_registration",
                                        "immigration_ref",   "biometric_ref", "phone",
                                        "birth_certificate", "other",         NULL};

static const jfield person_spec[] = {
    {"native_name", JF_STRING, 0, 200, 0, 0, NULL},
    {"latin_name", JF_STRING, 0, 200, 0, 0, NULL},
    {"other_names", JF_STRARRAY, 0, 200, 0, 20, NULL},
    {"sex", JF_ENUM, 0, 0, 0, 0, person_sexes},
    {"date_of_birth", JF_OBJECT, 0, 0, 0, 0, NULL},
    {"nationality", JF_COUNTRY, 0, 0, 0, 0, NULL},
    {"languages", JF_STRARRAY, 0, 3, 0, 10, NULL},
    {"identifiers", JF_ARRAY, 0, 0, 0, 20, NULL},
    {"version", JF_INT, 0, 0, 1, INT32_MAX, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const jfield dob_spec[] = {
    {"date", JF_DATE, 0, 0, 0, 0, NULL},  {"year", JF_INT, 0, 0, 1900, 2100, NULL},
    {"month", JF_INT, 0, 0, 1, 12, NULL}, {"plus_minus_years", JF_INT, 0, 0, 0, 10, NULL},
    {"age", JF_INT, 0, 0, 0, 120, NULL},  {"as_of", JF_DATE, 0, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const jfield ident_spec[] = {
    {"type", JF_ENUM, 1, 0, 0, 0, identifier_types},
    {"value", JF_STRING, 1, 100, 0, 0, NULL},
    {"country", JF_COUNTRY, 0, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* A date of birth is exactly one of: {date}, {year[,month][,plus_minus_years]}, {age,as_of}. */
static int dob_check(json_t *d, kerr *e) {
    if (jv_check(d, dob_spec, e)) return kerr_nest(e, "date_of_birth", -1);
    int has_date = json_object_get(d, "date") != NULL,
        has_year = json_object_get(d, "year") != NULL, has_age = json_object_get(d, "age") != NULL;
    if (has_date + has_year + has_age != 1)
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "date_of_birth",
                        "date_of_birth needs exactly one of date, year or age");
    if (has_date && json_object_size(d) != 1)
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "date_of_birth",
                        "date_of_birth with date takes no other fields");
    if (has_age && (json_object_get(d, "as_of") == NULL || json_object_size(d) != 2))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", "date_of_birth.as_of",
                        "date_of_birth with age needs as_of (the date the age was given) only");
    if (has_year) {
        if (json_object_get(d, "as_of"))
            return kerr_set(e, KNIT_EINVAL, "invalid_value", "date_of_birth.as_of",
                            "as_of goes with age, not year");
        char today[21];
        ts_format(now_s(), today);
        int64_t y = json_integer_value(json_object_get(d, "year"));
        int64_t ty = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 +
                     (today[3] - '0');
        if (y > ty)
            return kerr_set(e, KNIT_EINVAL, "date_in_future", "date_of_birth.year",
                            "date_of_birth.year is in the future");
    }
    return KNIT_OK;
}

/* Validate a complete person object. */
static int person_check(json_t *p, kerr *e) {
    if (jv_check(p, person_spec, e)) return e->rc;
    if (!jv_str(p, "native_name") && !jv_str(p, "latin_name"))
        return kerr_set(e, KNIT_EINVAL, "missing_field", "native_name",
                        "a person needs native_name or latin_name (or both)");
    json_t *d = json_object_get(p, "date_of_birth");
    if (json_is_object(d) && dob_check(d, e)) return e->rc;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "languages"), i, x) {
        const char *s = json_string_value(x);
        size_t n = strlen(s);
        for (size_t k = 0; k < n; k++)
            if (s[k] < 'a' || s[k] > 'z' || n < 2)
                return kerr_set(e, KNIT_EINVAL, "invalid_value", "languages",
                                "languages must be language codes such as th, my, km");
    }
    json_array_foreach(json_object_get(p, "identifiers"), i, x) {
        if (!json_is_object(x))
            return kerr_set(e, KNIT_EINVAL, "invalid_type", "identifiers",
                            "identifiers must be objects with type and value");
        if (jv_check(x, ident_spec, e)) return kerr_nest(e, "identifiers", (int)i);
    }
    return KNIT_OK;
}

static const char SQL_NEXT[] = "SELECT coalesce(max(id),0)+1 FROM person";
static const char SQL_INSERT[] =
    "INSERT INTO person(native_name, latin_name, other_names, native_name_bidx, latin_name_bidx,"
    " sex, dob, nationality, languages, version, created_at, updated_at, created_by, id)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?11,?12,?13)";
static const char SQL_UPDATE[] =
    "UPDATE person SET native_name=?1, latin_name=?2, other_names=?3, native_name_bidx=?4,"
    " latin_name_bidx=?5, sex=?6, dob=?7, nationality=?8, languages=?9, version=?10,"
    " updated_at=?11 WHERE id=?13 AND deleted_at IS NULL";
static const char SQL_DEL_IDENT[] = "DELETE FROM person_identifier WHERE person_id=?";
static const char SQL_INS_IDENT[] =
    "INSERT INTO person_identifier(id, person_id, type, country, value, value_bidx)"
    " VALUES (?6,?1,?2,?3,?4,?5)";
static const char SQL_LAST_IDENT[] = "SELECT coalesce(max(id),0) FROM person_identifier";

/* Dump p[key] as JSON text (xfree it), or NULL when absent. */
static char *dump_key(json_t *p, const char *key) {
    json_t *v = json_object_get(p, key);
    return v && !json_is_null(v) ? jv_dump(v) : NULL;
}

/* Write the identifiers of p for person id (after deleting the old ones). */
static int write_identifiers(sqlite3 *db, int64_t id, json_t *p, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, SQL_DEL_IDENT);
    if (st == NULL) return db_error(db, e);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? KNIT_OK : db_error(db, e);
    sqlite3_reset(st);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "identifiers"), i, x) {
        if (rc) break;
        int64_t iid = 0;
        rc = rec_int(db, SQL_LAST_IDENT, 0, &iid, e);
        if (rc) break;
        iid++;
        st = db_stmt(db, SQL_INS_IDENT);
        if (st == NULL) return db_error(db, e);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, jv_str(x, "type"), -1, SQLITE_TRANSIENT);
        if (jv_str(x, "country"))
            sqlite3_bind_text(st, 3, jv_str(x, "country"), -1, SQLITE_TRANSIENT);
        rc = rec_bind_sealed(st, 4, "person_identifier", "value", iid, jv_str(x, "value"), e);
        if (rc == KNIT_OK) rc = rec_bind_bidx(st, 5, "identifier", jv_str(x, "value"), 1, e);
        sqlite3_bind_int64(st, 6, iid);
        if (rc == KNIT_OK && sqlite3_step(st) != SQLITE_DONE) rc = db_error(db, e);
        sqlite3_reset(st);
    }
    return rc;
}

/* INSERT (sql = SQL_INSERT) or UPDATE (SQL_UPDATE) the person row id from p. */
static int write_person(sqlite3 *db, const char *sql, int64_t id, int64_t version, json_t *p,
                        const actor *who, kerr *e) {
    sqlite3_stmt *st = db_stmt(db, sql);
    if (st == NULL) return db_error(db, e);
    char *other = dump_key(p, "other_names"), *dob = dump_key(p, "date_of_birth"),
         *langs = dump_key(p, "languages");
    const char *native = jv_str(p, "native_name"), *latin = jv_str(p, "latin_name");
    int rc = rec_bind_sealed(st, 1, "person", "native_name", id, native, e);
    if (!rc) rc = rec_bind_sealed(st, 2, "person", "latin_name", id, latin, e);
    if (!rc) rc = rec_bind_sealed(st, 3, "person", "other_names", id, other, e);
    if (!rc) rc = rec_bind_bidx(st, 4, "name", native, 0, e);
    if (!rc) rc = rec_bind_bidx(st, 5, "name", latin, 0, e);
    if (!rc) {
        const char *sex = jv_str(p, "sex");
        sqlite3_bind_text(st, 6, sex ? sex : "unknown", -1, SQLITE_TRANSIENT);
        rc = rec_bind_sealed(st, 7, "person", "dob", id, dob, e);
    }
    if (!rc) {
        if (jv_str(p, "nationality"))
            sqlite3_bind_text(st, 8, jv_str(p, "nationality"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, langs ? langs : "[]", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 10, version);
        sqlite3_bind_int64(st, 11, now_s());
        if (who->user_id) sqlite3_bind_int64(st, 12, who->user_id);
        sqlite3_bind_int64(st, 13, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(db, e);
        else if (sqlite3_changes(db) != 1)
            rc = kerr_set(e, KNIT_ENOTFOUND, "not_found", "id", "no such person");
    }
    sqlite3_reset(st);
    xfree(other);
    xfree(dob);
    xfree(langs);
    if (rc == KNIT_OK) rc = write_identifiers(db, id, p, e);
    return rc;
}

#define PERSON_COLS                                                                                \
    "id, version, native_name, latin_name, other_names, sex, dob, nationality, languages,"         \
    " created_at, updated_at"

/* The person at the current row of st (columns PERSON_COLS), identifiers included. */
static int person_row(sqlite3 *db, sqlite3_stmt *st, int flags, json_t **out, kerr *e) {
    (void)flags;
    int64_t id = sqlite3_column_int64(st, 0);
    json_t *p = json_object();
    if (p == NULL) return rec_oom(e);
    json_object_set_new(p, "id", json_integer(id));
    json_object_set_new(p, "version", json_integer(sqlite3_column_int64(st, 1)));
    int rc = rec_set_opened(p, "native_name", st, 2, "person", "native_name", id, 0, e);
    if (!rc) rc = rec_set_opened(p, "latin_name", st, 3, "person", "latin_name", id, 0, e);
    if (!rc) rc = rec_set_opened(p, "other_names", st, 4, "person", "other_names", id, 1, e);
    if (!rc) {
        rec_set_text(p, "sex", st, 5);
        rc = rec_set_opened(p, "date_of_birth", st, 6, "person", "dob", id, 1, e);
    }
    if (!rc) {
        rec_set_text(p, "nationality", st, 7);
        json_object_set_new(p, "languages",
                            json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL));
        rec_set_ts(p, "created_at", st, 9);
        rec_set_ts(p, "updated_at", st, 10);
    }
    json_t *ids = json_array();
    sqlite3_stmt *q = rc ? NULL
                         : db_stmt(db, "SELECT id, type, country, value FROM person_identifier"
                                       " WHERE person_id=? ORDER BY id");
    if (!rc && (q == NULL || ids == NULL)) rc = q ? rec_oom(e) : db_error(db, e);
    if (q) {
        sqlite3_bind_int64(q, 1, id);
        while (rc == KNIT_OK && sqlite3_step(q) == SQLITE_ROW) {
            json_t *x = json_object();
            if (x == NULL || json_array_append_new(ids, x)) {
                rc = rec_oom(e);
                break;
            }
            rec_set_text(x, "type", q, 1);
            rc = rec_set_opened(x, "value", q, 3, "person_identifier", "value",
                                sqlite3_column_int64(q, 0), 0, e);
            if (sqlite3_column_type(q, 2) != SQLITE_NULL) rec_set_text(x, "country", q, 2);
        }
        sqlite3_reset(q);
    }
    if (rc == KNIT_OK && json_object_set_new(p, "identifiers", ids) == 0) {
        *out = p;
        return KNIT_OK;
    }
    if (rc == KNIT_OK) rc = rec_oom(e);
    json_decref(p);
    return rc;
}

/* Load live person id without auditing. */
static int person_load(sqlite3 *db, int64_t id, json_t **out, kerr *e) {
    return rec_load(db, "SELECT " PERSON_COLS " FROM person WHERE id=? AND deleted_at IS NULL", id,
                    person_row, 0, "person", out, e);
}

int person_load_internal(sqlite3 *db, int64_t id, json_t **out, kerr *e) {
    return person_load(db, id, out, e);
}

int person_validate(json_t *p, kerr *e) {
    return person_check(p, e);
}

/* The stored (writable) fields of a loaded person: drops id, timestamps. */
static void strip_readonly(json_t *p) {
    json_object_del(p, "id");
    json_object_del(p, "created_at");
    json_object_del(p, "updated_at");
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(p, tmp, k, v) if (json_is_null(v)) json_object_del(p, k);
}

int person_create(sqlite3 *db, const actor *who, json_t *in, json_t **out, kerr *e) {
    *out = NULL;
    if (json_object_get(in, "version"))
        return kerr_set(e, KNIT_EINVAL, "unknown_field", "version", "version is set by the server");
    if (person_check(in, e)) return e->rc;
    if (db_begin(db)) return db_error(db, e);
    int64_t id = 0;
    int rc = rec_int(db, SQL_NEXT, 0, &id, e);
    if (!rc) rc = write_person(db, SQL_INSERT, id, 1, in, who, e);
    if (!rc) rc = audit_append(db, who, "person.create", "person", id, NULL, e);
    rc = rec_finish(db, rc, e);
    if (rc == KNIT_OK) rc = person_load(db, id, out, e);
    if (rc == KNIT_OK) pindex_put(*out);
    return rc;
}

int person_get(sqlite3 *db, const actor *who, int64_t id, json_t **out, kerr *e) {
    int rc = person_load(db, id, out, e);
    if (rc == KNIT_OK) rc = audit_append_tx(db, who, "person.read", "person", id, NULL, e);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int person_update(sqlite3 *db, const actor *who, int64_t id, json_t *in, json_t **out, kerr *e) {
    *out = NULL;
    if (jv_check(in, person_spec, e)) return e->rc;
    if (db_begin(db)) return db_error(db, e);
    json_t *cur = NULL;
    int rc = person_load(db, id, &cur, e);
    if (!rc) {
        strip_readonly(cur);
        rc = rec_merge(cur, in, e);
    }
    int64_t version = json_integer_value(json_object_get(cur, "version")) + 1;
    if (!rc) {
        json_object_del(cur, "version");
        rc = person_check(cur, e);
    }
    if (!rc) rc = write_person(db, SQL_UPDATE, id, version, cur, who, e);
    json_decref(cur);
    if (!rc) {
        json_t *d = json_pack("{so}", "fields", json_array());
        const char *k;
        json_t *v;
        json_object_foreach(in, k, v) if (strcmp(k, "version"))
            json_array_append_new(json_object_get(d, "fields"), json_string(k));
        rc = audit_append(db, who, "person.update", "person", id, d, e);
        json_decref(d);
    }
    rc = rec_finish(db, rc, e);
    if (rc == KNIT_OK) rc = person_load(db, id, out, e);
    if (rc == KNIT_OK) pindex_put(*out);
    return rc;
}

int person_delete(sqlite3 *db, const actor *who, int64_t id, kerr *e) {
    int rc =
        rec_soft_delete(db, who, "UPDATE person SET deleted_at=? WHERE id=? AND deleted_at IS NULL",
                        "person", id, e);
    if (rc == KNIT_OK) pindex_remove(id);
    return rc;
}

int person_list(sqlite3 *db, const actor *who, const char *const *filters, int64_t after, int limit,
                json_t **out, kerr *e) {
    static const char *const allowed[] = {"name", "identifier", "nationality", "sex", NULL};
    *out = NULL;
    if (rec_filters_check(filters, allowed, e)) return e->rc;
    const char *name = rec_filter(filters, "name"), *ident = rec_filter(filters, "identifier"),
               *nat = rec_filter(filters, "nationality"), *sex = rec_filter(filters, "sex");
    if (sex) {
        const char *const *s = person_sexes;
        while (*s && strcmp(*s, sex)) s++;
        if (*s == NULL)
            return kerr_set(e, KNIT_EINVAL, "unknown_value", "sex", "sex: unknown value");
    }
    buf sql;
    buf_init(&sql, 2048);
    buf_puts(&sql, "SELECT " PERSON_COLS " FROM person WHERE deleted_at IS NULL AND id > ?1");
    if (name) buf_puts(&sql, " AND (native_name_bidx = ?2 OR latin_name_bidx = ?2)");
    if (ident)
        buf_puts(&sql,
                 " AND id IN (SELECT person_id FROM person_identifier WHERE value_bidx = ?3)");
    if (nat) buf_puts(&sql, " AND nationality = ?4");
    if (sex) buf_puts(&sql, " AND sex = ?5");
    buf_puts(&sql, " ORDER BY id LIMIT ?6");
    sqlite3_stmt *st;
    if (rec_prepare(db, &sql, &st, e)) return e->rc;
    sqlite3_bind_int64(st, 1, after);
    int rc = name ? rec_bind_bidx(st, 2, "name", name, 0, e) : KNIT_OK;
    if (!rc && ident) rc = rec_bind_bidx(st, 3, "identifier", ident, 1, e);
    if (nat) sqlite3_bind_text(st, 4, nat, -1, SQLITE_STATIC);
    if (sex) sqlite3_bind_text(st, 5, sex, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, limit + 1);
    if (rc) {
        sqlite3_finalize(st);
        return rc;
    }
    rc = rec_list_rows(db, st, person_row, 0, limit, out, e);
    if (rc == KNIT_OK) {
        rc = rec_audit_list(db, who, "person.list", "person", json_object_get(*out, "items"), e);
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    return rc;
}
