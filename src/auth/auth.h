/*
** auth.h: accounts, roles and capabilities, passwords, sessions, API tokens
** and login rate limiting.
**
** Capabilities are single letters (see the table in caps.c); a role is a
** named set of them.  Passwords are Argon2id strings from libsodium,
** rehashed at login when the parameters change.  Sessions and API tokens
** are random secrets given to the client once; the database keeps only
** their BLAKE2b hashes.  Login failures lock an account after a number of
** tries and an address after more; every failure and lockout is audited.
*/
#ifndef KNIT_AUTH_H
#define KNIT_AUTH_H

#include <jansson.h>
#include <sqlite3.h>

#include "../domain/audit.h"
#include "../knit.h"

/* Capability letters. */
#define CAP_ADMIN         'a' /* manage users and tokens, soft-delete records */
#define CAP_PERSON_READ   'p' /* read persons, identity fields included (audited) */
#define CAP_PERSON_WRITE  'P' /* create and update persons */
#define CAP_CASE_READ     'k' /* read cases */
#define CAP_CASE_WRITE    'K' /* create and update cases */
#define CAP_CONTACT_READ  'c' /* read contacts */
#define CAP_CONTACT_WRITE 'C' /* record and update contacts */
#define CAP_REPORTER      'R' /* read a reporter's identity */
#define CAP_AUDIT         'u' /* read the audit log */
#define CAP_STATS         's' /* read aggregate statistics */
#define CAP_SUPERVISE     'v' /* approve plans and closures */

/* One capability letter, for help and docs. */
typedef struct cap_def {
    char letter;      /* the capability */
    const char *name; /* short name */
    const char *help; /* what it allows */
} cap_def;

/* One role. */
typedef struct role_def {
    const char *name; /* e.g. "caseworker" */
    const char *caps; /* capability letters */
    const char *help; /* who has it */
} role_def;

extern const cap_def cap_table[];   /* terminated by letter 0 */
extern const role_def role_table[]; /* terminated by name NULL */

const char *role_caps(const char *role);          /* letters of role, NULL if unknown */
int caps_has(const char *have, const char *need); /* 1 if every letter of need is in have */

/* Who a request is from, once authenticated. */
typedef struct auth_ctx {
    int64_t user_id;    /* 0 when not logged in */
    char username[65];  /* login name */
    char role[24];      /* role name */
    char caps[32];      /* capability letters */
    int64_t session_id; /* sessions.id when authenticated by cookie, else 0 */
    int64_t token_id;   /* api_tokens.id when authenticated by bearer token, else 0 */
    char csrf[48];      /* the session's CSRF token ("" for tokens) */
} auth_ctx;

/* Tunables, set once at startup. */
typedef struct auth_config {
    int session_idle; /* seconds a session may sit unused (default 1800) */
    int session_max;  /* seconds a session may live at all (default 43200) */
    int lock_after;   /* failed logins that lock an account (default 5) */
    int lock_seconds; /* how long it stays locked (default 900) */
    int ip_max_fail;  /* failed logins per address per window (default 20) */
    int ip_window;    /* window seconds (default 600) */
} auth_config;
extern auth_config auth_cfg;

/* Password hashing parameters: 0 = libsodium's interactive (default),
** 1 = minimal (for constrained devices; also used by tests to make a hash
** that login then upgrades).  Chosen from KNIT_PWHASH=min at startup. */
void password_profile(int minimal);
/* Argon2id string for password into out.  KNIT_OK or KNIT_ENOMEM. */
int password_hash(const char *password, char out[128]);
/* A new random password of 16 characters (xfree it). */
char *password_generate(void);
/* Check the password rules; fills e naming field. */
int password_valid(const char *password, const char *field, kerr *e);
/* Check a user name (1..64 of a-z 0-9 . _ -); fills e naming field. */
int username_valid(const char *name, const char *field, kerr *e);

/* Accounts.  Each change runs in one transaction with its audit row. */
int user_add(sqlite3 *db, const char *username, const char *role, const char *password,
             const actor *who, int64_t *id, kerr *e);
int user_passwd(sqlite3 *db, const char *username, const char *password, const actor *who, kerr *e);
int user_disable(sqlite3 *db, const char *username, int disabled, const actor *who, kerr *e);
int user_set_role(sqlite3 *db, const char *username, const char *role, const actor *who, kerr *e);
/* All users as a JSON array (no hashes); NULL on error. */
json_t *user_list(sqlite3 *db, kerr *e);

/* Log in: checks the per-address limit, the account lock, the password;
** on success rehashes if needed and fills out.  Failures return KNIT_EAUTH
** (wrong name or password, disabled: indistinguishable) or KNIT_ELIMIT. */
int user_login(sqlite3 *db, const char *username, const char *password, const char *ip,
               auth_ctx *out, kerr *e);

/* Sessions.  session_create gives the cookie value and CSRF token (xfree both). */
int session_create(sqlite3 *db, const auth_ctx *who, const char *ip, char **cookie, char **csrf,
                   kerr *e);
/* Fill out from a cookie value; KNIT_EAUTH when unknown, expired or the
** user is disabled (an expired session is deleted). */
int session_lookup(sqlite3 *db, const char *cookie, auth_ctx *out);
int session_delete(sqlite3 *db, int64_t session_id);

/* API tokens.  token_create gives the secret once (xfree it). */
int token_create(sqlite3 *db, int64_t user_id, const char *name, const actor *who, char **token,
                 int64_t *id, kerr *e);
int token_lookup(sqlite3 *db, const char *token, auth_ctx *out);
/* Revoke token id; owner 0 = any owner (admins), else only that user's. */
int token_revoke(sqlite3 *db, int64_t id, int64_t owner, const actor *who, kerr *e);
/* Tokens of user (0 = all) as a JSON array, secrets never included. */
json_t *token_list(sqlite3 *db, int64_t user_id, kerr *e);

#endif
