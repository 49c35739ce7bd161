/*
** caps.c: the capability and role tables, password hashing and the rules
** for names and passwords (see auth.h).
*/
#include <string.h>

#include <sodium.h>

#include "../core/util.h"
#include "../core/xmalloc.h"
#include "auth.h"

const cap_def cap_table[] = {
    {CAP_ADMIN, "admin", "manage users and tokens; soft-delete records"},
    {CAP_PERSON_READ, "person-read", "read persons with identity fields (audited)"},
    {CAP_PERSON_WRITE, "person-write", "create and update persons"},
    {CAP_CASE_READ, "case-read", "read cases"},
    {CAP_CASE_WRITE, "case-write", "create and update cases"},
    {CAP_CONTACT_READ, "contact-read", "read contacts"},
    {CAP_CONTACT_WRITE, "contact-write", "record and update contacts"},
    {CAP_REPORTER, "reporter-read", "read a reporter's identity (audited)"},
    {CAP_AUDIT, "audit-read", "read the audit log"},
    {CAP_STATS, "stats", "read aggregate statistics"},
    {CAP_SUPERVISE, "supervise", "approve plans and closures"},
    {0, NULL, NULL},
};

const role_def role_table[] = {
    {"admin", "apPkKcCRusv", "node administrator: everything"},
    {"supervisor", "pPkKcCRsv", "supervises case workers; approves plans and closures"},
    {"caseworker", "pPkKcC", "social worker running cases"},
    {"hotline", "pPkcCR", "hotline operator taking reports"},
    {"analyst", "s", "reads aggregate statistics only"},
    {"auditor", "us", "reads the audit log and statistics"},
    {NULL, NULL, NULL},
};

auth_config auth_cfg = {1800, 43200, 5, 900, 20, 600};

const char *role_caps(const char *role) {
    for (const role_def *r = role_table; r->name; r++)
        if (strcmp(r->name, role) == 0) return r->caps;
    return NULL;
}

int caps_has(const char *have, const char *need) {
    for (; *need; need++)
        if (strchr(have, *need) == NULL) return 0;
    return 1;
}

static int pw_minimal; /* 1: minimal Argon2id parameters */

void password_profile(int minimal) {
    pw_minimal = minimal;
}

int password_hash(const char *password, char out[128]) {
    unsigned long long ops =
        pw_minimal ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = pw_minimal ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
                                 crypto_pwhash_ALG_ARGON2ID13)
               ? KNIT_ENOMEM
               : KNIT_OK;
}

/* 1 if hash was made with other parameters than the current profile. */
int password_needs_rehash(const char *hash) {
    unsigned long long ops =
        pw_minimal ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = pw_minimal ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0;
}

char *password_generate(void) {
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char *p = xmalloc(17);
    if (p == NULL) return NULL;
    for (int i = 0; i < 16; i++) p[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    p[16] = 0;
    return p;
}

int password_valid(const char *password, const char *field, kerr *e) {
    size_t n = strlen(password);
    if (n < 10)
        return kerr_set(e, KNIT_EINVAL, "weak_password", field, "%s must be at least 10 characters",
                        field);
    if (n > 1024 || !utf8_valid(password, n))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", field,
                        "%s must be valid UTF-8 of at most 1024 bytes", field);
    return KNIT_OK;
}

int username_valid(const char *name, const char *field, kerr *e) {
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return kerr_set(e, KNIT_EINVAL, "invalid_value", field, "%s must be 1 to 64 characters",
                        field);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return kerr_set(e, KNIT_EINVAL, "invalid_value", field,
                            "%s may hold only a-z, 0-9, '.', '_' and '-'", field);
    }
    return KNIT_OK;
}
