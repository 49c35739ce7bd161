/*
** knit.h: definitions shared by every Knit module.
**
** Result codes returned by library-layer functions, and the error record
** (kerr) through which a function explains a failure to its caller in terms
** a user can act on: a machine code, the offending field, and a message.
** Module interfaces live in their own headers next to their .c files.
*/
#ifndef KNIT_H
#define KNIT_H

#include <stddef.h>
#include <stdint.h>

#define KNIT_VERSION "0.1.0"

/* Result codes.  0 is success; every failure is negative. */
#define KNIT_OK        0
#define KNIT_ERR       -1  /* unspecified failure */
#define KNIT_ENOMEM    -2  /* an allocation failed */
#define KNIT_ETOOBIG   -3  /* a size ceiling was reached */
#define KNIT_EINVAL    -4  /* input failed validation */
#define KNIT_ENOTFOUND -5  /* no such record */
#define KNIT_ECONFLICT -6  /* version mismatch or uniqueness violation */
#define KNIT_EDB       -7  /* the database failed */
#define KNIT_ECRYPTO   -8  /* encryption, decryption or key handling failed */
#define KNIT_EPERM     -9  /* not allowed */
#define KNIT_EIO       -10 /* file or network I/O failed */
#define KNIT_EAUTH     -11 /* bad credentials */
#define KNIT_ELIMIT    -12 /* rate limit or lockout */

/*
** An error explained.  Functions that can fail for reasons the user should
** see take a "kerr *" (which may be NULL) and fill it with kerr_set().
*/
typedef struct kerr {
    int rc;            /* one of the KNIT_E* codes */
    char code[40];     /* machine-readable code, e.g. "invalid_field" */
    char field[64];    /* offending field or option, "" if none */
    char message[256]; /* one-line human explanation */
} kerr;

/* Fill e (if not NULL) and return rc.  message is a printf format. */
int kerr_set(kerr *e, int rc, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Qualify e->field with its container: "outer.field", or "outer[index].field"
** when index >= 0.  Returns e->rc. */
int kerr_nest(kerr *e, const char *outer, int index);

/* Reset e to "no error". */
void kerr_clear(kerr *e);

/* Number of elements in a static array. */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
