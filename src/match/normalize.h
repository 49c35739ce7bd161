/*
** normalize.h: name normalisation for matching.
**
** mt_fold() removes what varies between writers of the same name but not
** between different names: case and compatibility forms (ICU NFKC case
** fold), Latin diacritics (Vietnamese "Nguyễn" = "Nguyen"), Thai and Lao
** tone marks, the Myanmar asat/killer variants, Khmer coeng-ta/coeng-da,
** punctuation, honorifics and titles ("Ms", "Daw", "U", "Maung", "Nang",
** "Bà" ...), and (optionally) the order of words.  The result is a new
** UTF-8 string of space-separated tokens, to be compared with the
** comparators in compare.h or hashed into blocking keys.
*/
#ifndef KNIT_MATCH_NORMALIZE_H
#define KNIT_MATCH_NORMALIZE_H

#define MT_FOLD_KEEP_MARKS  1 /* keep diacritics and tone marks (the "exact" form) */
#define MT_FOLD_SORT        2 /* sort the tokens, so word order does not matter */
#define MT_FOLD_KEEP_TITLES 4 /* keep honorifics and titles */

/* Fold UTF-8 s as described above, under flags (MT_FOLD_*).  Returns a new
** string (xfree it), or NULL for invalid UTF-8, input over 4096 bytes, or
** out of memory. */
char *mt_fold(const char *s, int flags);

/* 1 if token (already folded) is an honorific or title. */
int mt_is_title(const char *token);

#endif
