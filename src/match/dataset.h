/*
** dataset.h: a set of person records for batch matching.
**
** Records come from CSV with a header.  Columns are mapped to the fields
** the matcher knows, either by FEBRL-style header names (given_name,
** surname, date_of_birth, postcode, suburb, state, address_1 ...) or by an
** explicit mapping ("given_name=first,surname=last").  A file that lacks a
** field is matched on the fields it has.  Each field value is folded
** (normalize.h) once at load time and kept both as UTF-8 and as code
** points for the comparators.  The dataset owns every string and array in
** it; ds_free releases them.
*/
#ifndef KNIT_MATCH_DATASET_H
#define KNIT_MATCH_DATASET_H

#include <stdint.h>

#include "../knit.h"
#include "compare.h"

/* Fields the matcher compares. */
enum {
    MF_GIVEN,    /* given name(s) */
    MF_SURNAME,  /* family name */
    MF_DOB,      /* date of birth */
    MF_ID,       /* an identity number (soc_sec_id, national id, passport) */
    MF_POSTCODE, /* postcode */
    MF_SUBURB,   /* locality: suburb, village, town */
    MF_STATE,    /* state, province */
    MF_STREETNO, /* street number */
    MF_ADDRESS,  /* street address lines */
    MF_COUNT
};

extern const char *const mf_names[MF_COUNT]; /* "given_name", "surname", ... */

/* One folded field value. */
typedef struct mt_value {
    char *s;     /* folded UTF-8 ("" when missing) */
    uint32_t *u; /* code points of s */
    int n;       /* number of code points; 0 = missing */
} mt_value;

/* One record. */
typedef struct mt_rec {
    mt_value f[MF_COUNT]; /* field values */
    mt_date dob;          /* parsed date of birth (y == 0 when unknown) */
    char *truth;          /* entity key from the truth column, or NULL */
    long line;            /* CSV line the record came from */
    int source;           /* which file (0 or 1) when linking two */
} mt_rec;

typedef struct mt_dataset {
    mt_rec *r;         /* records */
    int n;             /* number of records */
    int has[MF_COUNT]; /* 1 if the file maps this field */
    int skipped;       /* malformed rows skipped */
    int bad_dates;     /* dates of birth that could not be read (kept as unknown) */
} mt_dataset;

/* Options for loading. */
typedef struct ds_opts {
    const char *map;   /* "field=column,..." or NULL for header names */
    const char *truth; /* truth column name or NULL */
    const char *drop;  /* comma-separated fields to ignore, or NULL */
    int strict;        /* 1: a malformed row fails the load */
} ds_opts;

/* Load CSV text (len bytes) into ds.  Malformed rows (wrong number of
** fields, bad dates) are reported on stderr with their line numbers and
** skipped, or refused with strict.  Returns KNIT_OK or fills e. */
int ds_load(mt_dataset *ds, const char *text, size_t len, const ds_opts *o, kerr *e);
/* Read a whole file into memory (xfree it); *len receives its size. */
char *ds_read_file(const char *path, size_t *len, kerr *e);
void ds_free(mt_dataset *ds);

/* Append every record of b to a (b is emptied; its records get source 1);
** a field counts as present when either file has it. */
int ds_append(mt_dataset *a, mt_dataset *b, kerr *e);

/* Fold s for a field into v (ASCII fast path, ICU otherwise). */
int ds_value(mt_value *v, const char *s, int field);

/* The field a column header names (a field name or a known alias such as
** soc_sec_id or address_1), or -1. */
int ds_field_of(const char *header);

/* Set field f of r from raw text: folds it and, for the date of birth,
** parses it (returns 1 in *bad_date when it cannot be read).  Appends to an
** address already set (address_1 then address_2).  KNIT_OK or KNIT_ENOMEM. */
int ds_set(mt_rec *r, int f, const char *raw, int *bad_date);

/* Release the strings of one record. */
void ds_rec_free(mt_rec *r);

#endif
