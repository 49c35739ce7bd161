/*
** gazetteer.h: administrative places for matching "where from".
**
** Places live in the node database (table place, migration 002): id
** "CC/level/code", level (province, district, sub_district, village),
** parent, native and Latin names and their folded keys.  gz_import loads
** one level from CSV; gz_find looks a name up (exact on the folded name,
** then spelling variants by Jaro-Winkler); gz_level says how close two
** places are in the hierarchy, so a match at district level counts.
*/
#ifndef KNIT_MATCH_GAZETTEER_H
#define KNIT_MATCH_GAZETTEER_H

#include <sqlite3.h>

#include "../knit.h"

/* How close two places are, best first. */
enum {
    GZ_SAME,         /* the same place */
    GZ_SUB_DISTRICT, /* share a sub-district */
    GZ_DISTRICT,     /* share a district */
    GZ_PROVINCE,     /* share a province */
    GZ_COUNTRY,      /* same country only */
    GZ_DIFFERENT,    /* different countries */
    GZ_UNKNOWN,      /* a place is not in the gazetteer */
};

extern const char *const gz_level_names[]; /* "same", "sub_district", ... */

/* Import CSV text as places of level in country.  Columns by header: id,
** name_th|name_native|name, name_en|name_latin, province_id|district_id|
** sub_district_id|parent_id (the parent at the level above), zip_code|
** postcode; rows with deleted_at set are skipped.  One transaction;
** re-importing replaces.  *count receives the rows stored.  Fills e. */
int gz_import(sqlite3 *db, const char *country, const char *level, const char *text, size_t len,
              int *count, kerr *e);

/* One place found. */
typedef struct gz_place {
    char id[64];           /* place id */
    char level[16];        /* its level */
    char name_native[200]; /* native name */
    char name_latin[200];  /* Latin name */
    double score;          /* 1 for an exact (folded) match, else Jaro-Winkler */
} gz_place;

/* Places whose native or Latin name is name (folded), or failing that
** whose Latin name is within Jaro-Winkler 0.9 (same first letter).  At
** most max, best first.  Returns the number found, or a negative error. */
int gz_find(sqlite3 *db, const char *name, gz_place *out, int max, kerr *e);

/* How close places a and b are (GZ_*). */
int gz_level(sqlite3 *db, const char *a, const char *b);

#endif
