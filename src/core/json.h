/*
** json.h: strict JSON input for every external document.
**
** jv_parse() turns a request body into a jansson object, rejecting invalid
** UTF-8, duplicate keys, non-objects and nesting beyond a limit.  jv_check()
** validates an object against a field table: unknown fields, wrong types,
** missing required fields, lengths, enum values, dates and timestamps all
** give a kerr naming the field.  json_init() points jansson at xmalloc so
** allocation-failure tests cover it.
*/
#ifndef KNIT_JSON_H
#define KNIT_JSON_H

#include <jansson.h>

#include "../knit.h"

/* Kinds of field a jfield can describe. */
typedef enum {
    JF_STRING,    /* non-empty string unless .optional_empty; maxlen bytes at most */
    JF_TEXT,      /* string that may be empty */
    JF_INT,       /* integer in [lo, hi] */
    JF_BOOL,      /* true or false */
    JF_ENUM,      /* string from .values */
    JF_DATE,      /* "YYYY-MM-DD", a real date, not in the future */
    JF_TIMESTAMP, /* RFC 3339 timestamp */
    JF_OBJECT,    /* object, checked by the handler */
    JF_ARRAY,     /* array of at most .hi elements, checked by the handler */
    JF_STRARRAY,  /* array of at most .hi non-empty strings of at most maxlen bytes */
    JF_COUNTRY,   /* ISO 3166-1 alpha-2 code, two upper-case letters */
    JF_LANG,      /* language tag, 2-3 lower-case letters */
} jf_type;

/* One field a JSON object may carry. */
typedef struct jfield {
    const char *name;          /* key */
    jf_type type;              /* what the value must be */
    int required;              /* 1: must be present (and not null) */
    size_t maxlen;             /* strings: byte ceiling (0 = 200) */
    long long lo, hi;          /* JF_INT bounds; JF_ARRAY/JF_STRARRAY: hi = max elements */
    const char *const *values; /* JF_ENUM: NULL-terminated list of allowed values */
} jfield;

void json_init(void); /* route jansson's allocations through xmalloc */

/* Parse len bytes of body as a JSON object.  On success *out holds a new
** reference (json_decref it).  On failure fills e (code "malformed_json",
** "invalid_utf8" or "not_an_object") and returns KNIT_EINVAL, or KNIT_ENOMEM. */
int jv_parse(const char *body, size_t len, json_t **out, kerr *e);

/* Validate obj against spec (terminated by an entry with name NULL).  A
** null value counts as absent.  Returns KNIT_OK or KNIT_EINVAL with e filled
** (codes: unknown_field, missing_field, invalid_type, invalid_value,
** too_long, invalid_date, unknown_value). */
int jv_check(json_t *obj, const jfield *spec, kerr *e);

/* The string at key, or NULL when absent, null or not a string. */
const char *jv_str(json_t *obj, const char *key);

/* Set obj[key] = string s, or JSON null when s is NULL.  Returns KNIT_OK or KNIT_ENOMEM. */
int jv_set_str(json_t *obj, const char *key, const char *s);
/* Set obj[key] to a new value, stealing its reference.  KNIT_ENOMEM when v is NULL. */
int jv_set_new(json_t *obj, const char *key, json_t *v);

/* Serialise v compactly into a new string (xfree it); NULL on ENOMEM. */
char *jv_dump(const json_t *v);

#endif
