/*
** crypto.c: key file, field sealing, blind indexes (see crypto.h).
**
** Owns the process-wide key copy (global_keys), written once at startup
** before any thread starts and read-only afterwards.
*/
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "buf.h"
#include "util.h"
#include "xmalloc.h"

static knit_keys global_keys; /* set once by keys_set_global */

int crypto_init(void) {
    return sodium_init() < 0 ? KNIT_ECRYPTO : KNIT_OK;
}

/* Derive the blind-index and audit subkeys from data key 1. */
static void derive(knit_keys *k) {
    crypto_kdf_derive_from_key(k->index_key, 32, 1, "knitbidx", k->data[0]);
    crypto_kdf_derive_from_key(k->audit_key, 32, 2, "knitaudt", k->data[0]);
}

void keys_generate(knit_keys *k) {
    memset(k, 0, sizeof *k);
    crypto_aead_xchacha20poly1305_ietf_keygen(k->data[0]);
    k->ndata = 1;
    crypto_sign_keypair(k->sign_pk, k->sign_sk);
    crypto_box_keypair(k->box_pk, k->box_sk);
    derive(k);
}

/* Append "name base64\n" to b. */
static int put_key(buf *b, const char *name, const unsigned char *p, size_t n) {
    char *s = b64_encode(p, n);
    if (s == NULL) return KNIT_ENOMEM;
    int rc = buf_printf(b, "%s %s\n", name, s);
    sodium_memzero(s, strlen(s));
    xfree(s);
    return rc;
}

int keys_save(const knit_keys *k, const char *path, kerr *e) {
    buf b;
    buf_init(&b, 8192);
    int rc = buf_puts(&b, "# Knit node keys.  Keep this file secret and backed up:\n"
                          "# without it the identity data in the database cannot be read.\n");
    for (int i = 0; rc == KNIT_OK && i < k->ndata; i++) {
        char name[32];
        snprintf(name, sizeof name, "data-%d", i + 1);
        rc = put_key(&b, name, k->data[i], 32);
    }
    if (rc == KNIT_OK) rc = put_key(&b, "sign-secret", k->sign_sk, 64);
    if (rc == KNIT_OK) rc = put_key(&b, "box-secret", k->box_sk, 32);
    if (rc) {
        buf_free(&b);
        return kerr_set(e, rc, "out_of_memory", "", "out of memory");
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = kerr_set(e, KNIT_EIO, "key_file", "key-file", "cannot create key file %s: %s", path,
                      strerror(errno));
    } else {
        if (fchmod(fd, 0600) || write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd))
            rc = kerr_set(e, KNIT_EIO, "key_file", "key-file", "cannot write key file %s: %s", path,
                          strerror(errno));
        close(fd);
    }
    sodium_memzero(b.data, b.len);
    buf_free(&b);
    return rc;
}

int keys_parse(knit_keys *k, const char *text, kerr *e) {
    memset(k, 0, sizeof *k);
    int have_sign = 0, have_box = 0;
    const char *p = text;
    int lineno = 0;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        lineno++;
        char line[256];
        if (n >= sizeof line)
            return kerr_set(e, KNIT_ECRYPTO, "key_file", "key-file", "key file line %d too long",
                            lineno);
        memcpy(line, p, n);
        line[n] = 0;
        p += n + (end ? 1 : 0);
        if (line[0] == '#' || line[0] == 0) continue;
        char *sp = strchr(line, ' ');
        if (sp == NULL)
            return kerr_set(e, KNIT_ECRYPTO, "key_file", "key-file", "key file line %d malformed",
                            lineno);
        *sp = 0;
        unsigned char raw[64];
        long got = b64_decode(sp + 1, raw, sizeof raw);
        int ok = 0;
        if (strncmp(line, "data-", 5) == 0) {
            int64_t v;
            if (parse_i64(line + 5, 1, KEYS_MAX_DATA, &v) == KNIT_OK && got == 32 &&
                v == k->ndata + 1) {
                memcpy(k->data[k->ndata++], raw, 32);
                ok = 1;
            }
        } else if (strcmp(line, "sign-secret") == 0 && got == 64) {
            memcpy(k->sign_sk, raw, 64);
            crypto_sign_ed25519_sk_to_pk(k->sign_pk, k->sign_sk);
            ok = have_sign = 1;
        } else if (strcmp(line, "box-secret") == 0 && got == 32) {
            memcpy(k->box_sk, raw, 32);
            crypto_scalarmult_base(k->box_pk, k->box_sk);
            ok = have_box = 1;
        }
        sodium_memzero(raw, sizeof raw);
        sodium_memzero(line, sizeof line);
        if (!ok)
            return kerr_set(e, KNIT_ECRYPTO, "key_file", "key-file",
                            "key file line %d: bad or out-of-order key", lineno);
    }
    if (k->ndata == 0 || !have_sign || !have_box)
        return kerr_set(e, KNIT_ECRYPTO, "key_file", "key-file",
                        "key file is incomplete (needs data-1, sign-secret, box-secret)");
    derive(k);
    return KNIT_OK;
}

int keys_load(knit_keys *k, const char *path, kerr *e) {
    const char *env = getenv("KNIT_KEYS");
    if (env && *env) return keys_parse(k, env, e);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kerr_set(e, KNIT_EIO, "key_file", "key-file",
                        "cannot open key file %s: %s (or set KNIT_KEYS)", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || (st.st_mode & 077)) {
        close(fd);
        return kerr_set(e, KNIT_EPERM, "key_file", "key-file",
                        "key file %s must not be readable by group or others (chmod 600)", path);
    }
    char text[4096];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n < 0 || n == (ssize_t)sizeof text - 1)
        return kerr_set(e, KNIT_EIO, "key_file", "key-file", "cannot read key file %s", path);
    text[n] = 0;
    int rc = keys_parse(k, text, e);
    sodium_memzero(text, sizeof text);
    return rc;
}

char *keys_path_for(const char *db_path) {
    buf b;
    buf_init(&b, 8192);
    if (buf_printf(&b, "%s.keys", db_path)) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

void keys_set_global(const knit_keys *k) {
    global_keys = *k;
}
const knit_keys *keys_global(void) {
    return &global_keys;
}

/* Associated data "table|column|id|version" into ad; returns its length. */
static size_t make_ad(char *ad, size_t cap, const char *table, const char *column, int64_t id,
                      int version) {
    int n = snprintf(ad, cap, "%s|%s|%lld|%d", table, column, (long long)id, version);
    return n < 0 ? 0 : ((size_t)n >= cap ? cap - 1 : (size_t)n);
}

#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN   crypto_aead_xchacha20poly1305_ietf_ABYTES

int fe_seal(const knit_keys *k, const char *table, const char *column, int64_t id, const void *pt,
            size_t n, unsigned char **out, size_t *outlen) {
    size_t len = 1 + NONCE_LEN + n + TAG_LEN;
    unsigned char *c = xmalloc(len);
    if (c == NULL) return KNIT_ENOMEM;
    int ver = k->ndata;
    c[0] = (unsigned char)ver;
    randombytes_buf(c + 1, NONCE_LEN);
    char ad[256];
    size_t adlen = make_ad(ad, sizeof ad, table, column, id, ver);
    crypto_aead_xchacha20poly1305_ietf_encrypt(c + 1 + NONCE_LEN, NULL, pt, n, (unsigned char *)ad,
                                               adlen, NULL, c + 1, k->data[ver - 1]);
    *out = c;
    *outlen = len;
    return KNIT_OK;
}

int fe_open(const knit_keys *k, const char *table, const char *column, int64_t id,
            const unsigned char *ct, size_t n, char **out, size_t *outlen) {
    *out = NULL;
    if (n < 1 + NONCE_LEN + TAG_LEN) return KNIT_ECRYPTO;
    int ver = ct[0];
    if (ver < 1 || ver > k->ndata) return KNIT_ECRYPTO;
    size_t plen = n - 1 - NONCE_LEN - TAG_LEN;
    char *p = xmalloc(plen + 1);
    if (p == NULL) return KNIT_ENOMEM;
    char ad[256];
    size_t adlen = make_ad(ad, sizeof ad, table, column, id, ver);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)p, NULL, NULL, ct + 1 + NONCE_LEN, n - 1 - NONCE_LEN,
            (unsigned char *)ad, adlen, ct + 1, k->data[ver - 1]) != 0) {
        xfree(p);
        return KNIT_ECRYPTO;
    }
    p[plen] = 0;
    *out = p;
    if (outlen) *outlen = plen;
    return KNIT_OK;
}

void fe_blind(const knit_keys *k, const char *column, const char *value, size_t n,
              unsigned char out[BIDX_LEN]) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->index_key, 32, BIDX_LEN);
    crypto_generichash_update(&st, (const unsigned char *)column, strlen(column));
    crypto_generichash_update(&st, (const unsigned char *)"|", 1);
    crypto_generichash_update(&st, (const unsigned char *)value, n);
    crypto_generichash_final(&st, out, BIDX_LEN);
}

char *fe_normalize(const char *s, int alnum_only) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&err);
    size_t slen = strlen(s);
    if (U_FAILURE(err) || slen > 100000 || !utf8_valid(s, slen)) return NULL;
    int32_t n16 = 0, cap = (int32_t)slen * 4 + 16;
    UChar *src = xmalloc((slen + 1) * sizeof(UChar));
    UChar *dst = xmalloc((size_t)cap * sizeof(UChar));
    char *out = NULL;
    if (!src || !dst) goto done;
    u_strFromUTF8(src, (int32_t)slen + 1, &n16, s, (int32_t)slen, &err);
    int32_t m = unorm2_normalize(nfkc, src, n16, dst, cap, &err);
    if (U_FAILURE(err)) goto done;
    /* Collapse whitespace in place (or drop all but letters and digits). */
    int32_t j = 0;
    int space = 0;
    for (int32_t i = 0; i < m;) {
        UChar32 c;
        U16_NEXT(dst, i, m, c);
        if (u_isUWhiteSpace(c) || (alnum_only && !u_isalnum(c))) {
            space = !alnum_only;
            continue;
        }
        if (space && j > 0) dst[j++] = ' ';
        space = 0;
        U16_APPEND_UNSAFE(dst, j, c); /* j never passes i: safe in place */
    }
    out = xmalloc((size_t)j * 3 + 1);
    if (out == NULL) goto done;
    u_strToUTF8(out, j * 3 + 1, NULL, dst, j, &err);
    if (U_FAILURE(err)) {
        xfree(out);
        out = NULL;
    }
done:
    xfree(src);
    xfree(dst);
    return out;
}

void secret_hash(const char *secret, unsigned char out[32]) {
    crypto_generichash(out, 32, (const unsigned char *)secret, strlen(secret), NULL, 0);
}

char *random_token(size_t n) {
    unsigned char raw[64];
    if (n > sizeof raw) n = sizeof raw;
    randombytes_buf(raw, n);
    return b64_encode(raw, n);
}
