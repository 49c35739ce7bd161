/*
** crypto.h: node keys and field encryption.
**
** A node's secrets live in a key file beside the database (mode 0600) or in
** the KNIT_KEYS environment variable, never in the database.  The key file
** holds the data keys (version 1..n; the newest seals, any opens), the
** Ed25519 signing key pair and the X25519 key pair.  From data key 1 two
** subkeys are derived: the blind-index key and the audit-chain key.
**
** Identity fields are sealed with XChaCha20-Poly1305; the associated data
** binds each ciphertext to "table|column|record id|key version", so a value
** moved to another row or column fails to open.  Sealed layout:
**   key version (1 byte) | nonce (24 bytes) | ciphertext and tag.
** Blind indexes are keyed BLAKE2b-128 over "column|" + the value normalised
** by the caller.
*/
#ifndef KNIT_CRYPTO_H
#define KNIT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "../knit.h"

#define KEYS_MAX_DATA 8  /* data key versions a key file may hold */
#define BIDX_LEN      16 /* bytes in a blind index */

typedef struct knit_keys {
    unsigned char data[KEYS_MAX_DATA][32]; /* data key i has version i+1 */
    int ndata;                             /* number of data keys (>= 1) */
    unsigned char index_key[32];           /* blind-index key, derived */
    unsigned char audit_key[32];           /* audit-chain key, derived */
    unsigned char sign_pk[32];             /* Ed25519 public */
    unsigned char sign_sk[64];             /* Ed25519 secret */
    unsigned char box_pk[32];              /* X25519 public */
    unsigned char box_sk[32];              /* X25519 secret */
} knit_keys;

int crypto_init(void); /* sodium_init; KNIT_OK or KNIT_ECRYPTO */

/* Fill k with fresh random keys (one data key). */
void keys_generate(knit_keys *k);
/* Write k to path with mode 0600; refuses to overwrite.  Fills e. */
int keys_save(const knit_keys *k, const char *path, kerr *e);
/* Load keys: from the KNIT_KEYS environment variable when set, else from
** path, which must not be readable by group or others.  Fills e. */
int keys_load(knit_keys *k, const char *path, kerr *e);
/* Parse key-file text into k.  Fills e. */
int keys_parse(knit_keys *k, const char *text, kerr *e);
/* Default key file path for a database: "<db>.keys" (xfree it). */
char *keys_path_for(const char *db_path);

/* Set / get the process-wide keys used by the server and commands. */
void keys_set_global(const knit_keys *k);
const knit_keys *keys_global(void);

/* Seal n bytes of pt for (table, column, id).  *out (xfree it) receives
** the sealed bytes, *outlen their length.  KNIT_OK or KNIT_ENOMEM. */
int fe_seal(const knit_keys *k, const char *table, const char *column, int64_t id, const void *pt,
            size_t n, unsigned char **out, size_t *outlen);
/* Open a sealed value.  *out (xfree it) receives the plaintext with a NUL
** added, *outlen its length (may be NULL).  KNIT_ECRYPTO when the value was
** tampered with, moved, or sealed under an unknown key. */
int fe_open(const knit_keys *k, const char *table, const char *column, int64_t id,
            const unsigned char *ct, size_t n, char **out, size_t *outlen);
/* Keyed blind index of value (already normalised) for column into out. */
void fe_blind(const knit_keys *k, const char *column, const char *value, size_t n,
              unsigned char out[BIDX_LEN]);
/* Normalise a string for exact lookup: ICU NFKC case fold, trimmed, inner
** whitespace collapsed; with digits_only, keep only letters and digits.
** Returns a new string (xfree it) or NULL on ENOMEM / invalid UTF-8. */
char *fe_normalize(const char *s, int alnum_only);

/* Hash of a high-entropy secret for storage (BLAKE2b-256). */
void secret_hash(const char *secret, unsigned char out[32]);
/* n random bytes as base64url (xfree it); NULL on ENOMEM. */
char *random_token(size_t n);

#endif
