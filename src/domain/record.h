/*
** record.h: persons, cases and contacts: the first domain records.
**
** Each function takes the caller's connection and actor, validates its
** input (a JSON object from any source: API, import, demo generator), runs
** its writes and their audit rows in one IMMEDIATE transaction, and returns
** the record as a new JSON object in *out (json_decref it).  Identity fields
** are sealed with the node data key (crypto.h) and every read that returns
** them appends an audit row.  Updates need the record's current "version";
** a stale one fails with KNIT_ECONFLICT, code "version_conflict".
** Lists take filters as NULL-terminated (name, value) pairs and page by id:
** *out is {"items":[...],"next":"cN"|null}.
*/
#ifndef KNIT_RECORD_H
#define KNIT_RECORD_H

#include <jansson.h>
#include <sqlite3.h>

#include "audit.h"

/* Options for reads: whether the caller may see a reporter's identity. */
typedef struct read_opts {
    int reporter_identity; /* 1: include a contact's reporter name and phone (audited) */
} read_opts;

int person_create(sqlite3 *db, const actor *who, json_t *in, json_t **out, kerr *e);
int person_get(sqlite3 *db, const actor *who, int64_t id, json_t **out, kerr *e);
int person_update(sqlite3 *db, const actor *who, int64_t id, json_t *in, json_t **out, kerr *e);
int person_list(sqlite3 *db, const actor *who, const char *const *filters, int64_t after, int limit,
                json_t **out, kerr *e);
int person_delete(sqlite3 *db, const actor *who, int64_t id, kerr *e);

/* Load a live person WITHOUT an audit row.  Only for the node's own
** machinery (the person index); never for disclosure to a user. */
int person_load_internal(sqlite3 *db, int64_t id, json_t **out, kerr *e);
/* Validate a person-shaped object (as for create) without storing it. */
int person_validate(json_t *p, kerr *e);

int case_create(sqlite3 *db, const actor *who, json_t *in, json_t **out, kerr *e);
int case_get(sqlite3 *db, const actor *who, int64_t id, json_t **out, kerr *e);
int case_update(sqlite3 *db, const actor *who, int64_t id, json_t *in, json_t **out, kerr *e);
int case_list(sqlite3 *db, const actor *who, const char *const *filters, int64_t after, int limit,
              json_t **out, kerr *e);
int case_delete(sqlite3 *db, const actor *who, int64_t id, kerr *e);

int contact_create(sqlite3 *db, const actor *who, json_t *in, json_t **out, kerr *e);
int contact_get(sqlite3 *db, const actor *who, const read_opts *ro, int64_t id, json_t **out,
                kerr *e);
int contact_update(sqlite3 *db, const actor *who, int64_t id, json_t *in, json_t **out, kerr *e);
int contact_list(sqlite3 *db, const actor *who, const read_opts *ro, const char *const *filters,
                 int64_t after, int limit, json_t **out, kerr *e);
int contact_delete(sqlite3 *db, const actor *who, int64_t id, kerr *e);

/* Enumerations, NULL-terminated, shared with importers and generators. */
extern const char *const person_sexes[];
extern const char *const identifier_types[];
extern const char *const case_statuses[];
extern const char *const trafficking_statuses[];
extern const char *const contact_channels[];
extern const char *const contact_categories[];

#endif
