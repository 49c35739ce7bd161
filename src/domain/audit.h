/*
** audit.h: the append-only, hash-chained audit log.
**
** Every state change and every read of identity fields appends one row:
** who (user id and name), when (ms), from where (IP), what action, which
** record, and a JSON detail.  Each row's hash is a keyed BLAKE2b (the node's
** audit key) over the previous row's hash and this row's fields, so an
** edited, inserted or deleted row breaks the chain; SQLite triggers refuse
** UPDATE and DELETE, and AUTOINCREMENT's sqlite_sequence records the highest
** id so a deleted tail is noticed too.
*/
#ifndef KNIT_AUDIT_H
#define KNIT_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

#include "../core/buf.h"
#include "../core/crypto.h"

/* Who is acting.  Strings are borrowed. */
typedef struct actor {
    int64_t user_id;  /* users.id, or 0 for the command line / system */
    const char *name; /* user name, "cli" or "system" */
    const char *ip;   /* client address, or "" */
} actor;

/* Append one row inside the caller's transaction (or alone in autocommit
** mode).  detail is borrowed and may be NULL.  Returns KNIT_OK or an error. */
int audit_append(sqlite3 *db, const actor *who, const char *action, const char *object_type,
                 int64_t object_id, json_t *detail, kerr *e);

/* Same, in its own IMMEDIATE transaction (for audited reads). */
int audit_append_tx(sqlite3 *db, const actor *who, const char *action, const char *object_type,
                    int64_t object_id, json_t *detail, kerr *e);

/* Check the whole chain with the keys k.  Writes one line per problem to
** report ("row 17: edited", "row 18: deleted", ...).  *rows receives the
** number of rows checked.  Returns the number of problems (0 = intact) or a
** negative error code. */
int audit_verify(sqlite3 *db, const knit_keys *k, buf *report, int64_t *rows);

/* Rows with id > after (oldest first), at most limit, filtered by actor
** (user name) and object_type when not NULL.  Returns a new JSON array, or
** NULL on error. */
json_t *audit_list(sqlite3 *db, int64_t after, int limit, const char *actor_name,
                   const char *object_type, kerr *e);

#endif
