/*
** pindex.h: the node's incremental index of persons for "is this person
** already known here?" (search before create) and family tracing.
**
** Holds, per live person, the folded names (native script folded, Latin
** folded, and the native name romanised through ICU when there is no
** Latin one), the date of birth, nationality and sex, plus blocking keys
** (name-token prefixes and phonetic skeletons).  Built from the database
** in a background thread when the server starts, and kept current by the
** person write paths (pindex_put / pindex_remove).  Queries score every
** blocked candidate with fixed Fellegi-Sunter weights and explain each.
** All functions are thread-safe (one read-write lock); the index owns all
** its memory.
*/
#ifndef KNIT_MATCH_PINDEX_H
#define KNIT_MATCH_PINDEX_H

#include <jansson.h>
#include <sqlite3.h>

#include "../knit.h"

/* Start building the index from the database at db_path in a background
** thread (opens its own connection).  Later calls do nothing. */
int pindex_start(const char *db_path);
/* 1 once the index holds every person. */
int pindex_ready(void);
/* Add or replace person p (a record as person_get returns it). */
void pindex_put(const json_t *p);
/* Forget person id. */
void pindex_remove(int64_t id);
/* Candidates for query q (fields native_name, latin_name, other_names,
** date_of_birth, nationality, sex as in a person), best first, at most
** limit, with probability >= min_prob.  Returns a new JSON array of
** {"person_id","match_probability","match_weight","fields":[...]} or NULL
** with e filled (KNIT_ELIMIT while the index is still building). */
json_t *pindex_query(const json_t *q, int limit, double min_prob, kerr *e);
/* Stop and free everything (after the server stops). */
void pindex_stop(void);

#endif
