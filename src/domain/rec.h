/*
** rec.h: helpers shared by person.c, case.c and contact.c (internal to
** src/domain).  Sealing and opening columns, blind indexes, transactions,
** paging, filters and the generic update merge.
*/
#ifndef KNIT_REC_H
#define KNIT_REC_H

#include <jansson.h>
#include <sqlite3.h>

#include "../core/crypto.h"
#include "../core/json.h"
#include "audit.h"

/* Bind the sealed form of string s (NULL binds NULL) at idx. */
int rec_bind_sealed(sqlite3_stmt *st, int idx, const char *table, const char *col, int64_t id,
                    const char *s, kerr *e);
/* Bind the blind index of s under domain (NULL binds NULL); alnum: keep
** only letters and digits when normalising (identifiers, phone numbers). */
int rec_bind_bidx(sqlite3_stmt *st, int idx, const char *domain, const char *s, int alnum, kerr *e);
/* Open the sealed column idx of the current row: *out is the plaintext
** (xfree it) or NULL when the column is NULL.  KNIT_ECRYPTO on failure. */
int rec_open(sqlite3_stmt *st, int idx, const char *table, const char *col, int64_t id, char **out);
/* Set obj[key] to the opened column (null when NULL); KNIT_ECRYPTO fills e. */
int rec_set_opened(json_t *obj, const char *key, sqlite3_stmt *st, int idx, const char *table,
                   const char *col, int64_t id, int parse_json, kerr *e);
/* obj[key] = the column as text or null. */
void rec_set_text(json_t *obj, const char *key, sqlite3_stmt *st, int idx);
/* obj[key] = timestamp string of the integer column. */
void rec_set_ts(json_t *obj, const char *key, sqlite3_stmt *st, int idx);

/* Run sql (one row, one integer) and return the value in *out. */
int rec_int(sqlite3 *db, const char *sql, int64_t arg, int64_t *out, kerr *e);
/* Commit when rc is KNIT_OK (turning a failed commit into an error) or roll back. */
int rec_finish(sqlite3 *db, int rc, kerr *e);

/* Value of filter name, or NULL. */
const char *rec_filter(const char *const *filters, const char *name);
/* Refuse filters whose names are not in allowed (NULL-terminated). */
int rec_filters_check(const char *const *filters, const char *const *allowed, kerr *e);

/* Merge an update into cur: every key of in except "version" replaces (null
** removes) the key in cur.  Checks in.version against cur.version first. */
int rec_merge(json_t *cur, json_t *in, kerr *e);

/* Turn rows (at most limit+1 fetched) into {"items":..., "next":...};
** steals items.  *out NULL on ENOMEM. */
int rec_page(json_t *items, int limit, json_t **out, kerr *e);

/* Soft-delete row id of table: sql_delete sets deleted_at (params: now,
** id) for a live row.  Audits "<type>.delete".  One transaction. */
int rec_soft_delete(sqlite3 *db, const actor *who, const char *sql_delete, const char *type,
                    int64_t id, kerr *e);

/* Audit a read of identity fields of several records: detail {"ids":[...]}. */
int rec_audit_list(sqlite3 *db, const actor *who, const char *action, const char *type,
                   json_t *items, kerr *e);

int rec_oom(kerr *e); /* fill e with out-of-memory and return KNIT_ENOMEM */

/* Turns the current row of st into a record (*out, a new reference); flags
** are the caller's (e.g. whether to open a reporter's identity). */
typedef int (*rec_row_fn)(sqlite3 *db, sqlite3_stmt *st, int flags, json_t **out, kerr *e);

/* Load the live record id with the cached statement sql (one parameter,
** the id): KNIT_ENOTFOUND "no such <what>" when absent. */
int rec_load(sqlite3 *db, const char *sql, int64_t id, rec_row_fn row, int flags, const char *what,
             json_t **out, kerr *e);

/* Step the prepared list statement st (limit + 1 rows), turn its rows into
** records, finalize st, and page them into *out (see rec_page). */
int rec_list_rows(sqlite3 *db, sqlite3_stmt *st, rec_row_fn row, int flags, int limit, json_t **out,
                  kerr *e);

/* Prepare the list query in sql (built by the caller) into *st; frees sql. */
int rec_prepare(sqlite3 *db, buf *sql, sqlite3_stmt **st, kerr *e);

/* KNIT_OK when s is NULL or one of values; else unknown_value naming field. */
int rec_enum(const char *s, const char *const *values, const char *field, kerr *e);

#endif
