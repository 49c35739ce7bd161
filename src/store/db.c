/*
** db.c: connections, pragmas, migrations, transactions, statement cache.
**
** Owns: the thread-local statement cache (an array of (db, sql, stmt)
** entries that grows and is never evicted, so a statement handed out stays
** valid while its connection is open) and, for the server, one connection
** per worker thread held under a pthread key whose destructor closes it when
** the thread exits; and the thread's open batch, if any (db_batch_begin).
*/
#include "db.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../core/util.h"
#include "../core/xmalloc.h"

extern const char *const db_migrations[]; /* from build/gen/schema.c */
extern const int db_migration_count;

typedef struct cached {
    sqlite3 *db;      /* connection the statement belongs to */
    const char *sql;  /* static SQL text, the key */
    sqlite3_stmt *st; /* prepared statement */
} cached;

static _Thread_local cached *cache; /* this thread's statements */
static _Thread_local int ncache, capcache;

int db_error(sqlite3 *db, kerr *e) {
    int ext = sqlite3_extended_errcode(db);
    if ((ext & 0xff) == SQLITE_CONSTRAINT)
        return kerr_set(e, KNIT_ECONFLICT, "conflict", "", "%s", sqlite3_errmsg(db));
    return kerr_set(e, KNIT_EDB, "database_error", "", "database: %s", sqlite3_errmsg(db));
}

int db_exec(sqlite3 *db, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("sql: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return KNIT_EDB;
    }
    return KNIT_OK;
}

int db_open(const char *path, int create, sqlite3 **out, kerr *e) {
    *out = NULL;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        kerr_set(e, KNIT_EDB, "database_error", "db", "cannot open %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return KNIT_EDB;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;")) {
        kerr_set(e, KNIT_EDB, "database_error", "db", "cannot set up %s: %s", path,
                 sqlite3_errmsg(db));
        sqlite3_close(db);
        return KNIT_EDB;
    }
    *out = db;
    return KNIT_OK;
}

void db_close(sqlite3 *db) {
    if (db == NULL) return;
    int j = 0;
    for (int i = 0; i < ncache; i++) {
        if (cache[i].db == db)
            sqlite3_finalize(cache[i].st);
        else
            cache[j++] = cache[i];
    }
    ncache = j;
    if (ncache == 0) {
        xfree(cache);
        cache = NULL;
        capcache = 0;
    }
    sqlite3_close(db);
}

sqlite3_stmt *db_stmt(sqlite3 *db, const char *sql) {
    for (int i = 0; i < ncache; i++) {
        if (cache[i].sql == sql && cache[i].db == db) {
            sqlite3_reset(cache[i].st);
            sqlite3_clear_bindings(cache[i].st);
            return cache[i].st;
        }
    }
    if (ncache == capcache) {
        int cap = capcache ? capcache * 2 : 32;
        cached *c = xrealloc(cache, (size_t)cap * sizeof *c);
        if (c == NULL) return NULL;
        cache = c;
        capcache = cap;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("prepare: %s: %.80s", sqlite3_errmsg(db), sql);
        return NULL;
    }
    cache[ncache++] = (cached){db, sql, st};
    return st;
}

int db_schema_version(sqlite3 *db) {
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

int db_latest_version(void) {
    return db_migration_count;
}

/* The connection this thread has a batch open on (db_batch_begin), or NULL.
** While set, db_begin/db_commit/db_rollback on it use a savepoint. */
static _Thread_local sqlite3 *batch_db;

/* In-process writers queue on write_lock before BEGIN IMMEDIATE: a fair
** hand-off between worker threads instead of SQLite's sleeping busy handler,
** which under load left writers waiting hundreds of milliseconds.  Other
** processes (CLI commands) are still kept out by SQLite's own locking. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int write_held; /* 1 while this thread holds write_lock */

static void write_release(void) {
    if (write_held) {
        write_held = 0;
        pthread_mutex_unlock(&write_lock);
    }
}

int db_begin(sqlite3 *db) {
    if (db == batch_db) return db_exec(db, "SAVEPOINT knit_op");
    if (!write_held) {
        pthread_mutex_lock(&write_lock);
        write_held = 1;
    }
    int rc = db_exec(db, "BEGIN IMMEDIATE");
    if (rc) write_release();
    return rc;
}

int db_commit(sqlite3 *db) {
    if (db == batch_db) return db_exec(db, "RELEASE knit_op");
    int rc = db_exec(db, "COMMIT");
    if (rc == KNIT_OK) write_release(); /* on failure the caller rolls back, which releases */
    return rc;
}

void db_rollback(sqlite3 *db) {
    if (db == batch_db) {
        sqlite3_exec(db, "ROLLBACK TO knit_op; RELEASE knit_op", NULL, NULL, NULL);
        return;
    }
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    write_release();
}

int db_batch_begin(sqlite3 *db) {
    assert(batch_db == NULL);
    int rc = db_exec(db, "BEGIN IMMEDIATE");
    if (rc == KNIT_OK) batch_db = db;
    return rc;
}

int db_batch_end(sqlite3 *db, int commit) {
    assert(batch_db == db);
    batch_db = NULL;
    if (commit && db_exec(db, "COMMIT") == KNIT_OK) return KNIT_OK;
    db_rollback(db);
    return commit ? KNIT_EDB : KNIT_OK;
}

int db_check_version(sqlite3 *db, kerr *e) {
    int v = db_schema_version(db);
    if (v > db_latest_version())
        return kerr_set(e, KNIT_EINVAL, "schema_too_new", "db",
                        "database schema version %d is newer than this knit (%d); upgrade knit", v,
                        db_latest_version());
    if (v < db_latest_version())
        return kerr_set(e, KNIT_EINVAL, "schema_old", "db",
                        "database schema version %d is older than this knit (%d); run knit migrate",
                        v, db_latest_version());
    return KNIT_OK;
}

int db_migrate(sqlite3 *db, int *applied, kerr *e) {
    if (applied) *applied = 0;
    int v = db_schema_version(db);
    if (v < 0) return db_error(db, e);
    if (v > db_latest_version()) return db_check_version(db, e);
    for (; v < db_latest_version(); v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (db_begin(db) || db_exec(db, db_migrations[v]) || db_exec(db, pragma) || db_commit(db)) {
            kerr_set(e, KNIT_EDB, "migration_failed", "db", "migration %d failed: %s", v + 1,
                     sqlite3_errmsg(db));
            db_rollback(db);
            return KNIT_EDB;
        }
        if (applied) (*applied)++;
    }
    return KNIT_OK;
}

int64_t db_size(sqlite3 *db) {
    sqlite3_stmt *a = db_stmt(db, "PRAGMA page_count");
    sqlite3_stmt *b = db_stmt(db, "PRAGMA page_size");
    int64_t n = 0, sz = 0;
    if (a && sqlite3_step(a) == SQLITE_ROW) n = sqlite3_column_int64(a, 0);
    if (b && sqlite3_step(b) == SQLITE_ROW) sz = sqlite3_column_int64(b, 0);
    if (a) sqlite3_reset(a);
    if (b) sqlite3_reset(b);
    return n * sz;
}

/* ---- per-thread connections for the server ---- */

static char *thread_path;        /* database every worker opens */
static pthread_key_t thread_key; /* this thread's connection; closed at thread exit */
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_db_free(void *db) {
    db_close(db);
}
static void thread_key_make(void) {
    pthread_key_create(&thread_key, thread_db_free);
}

void db_thread_setup(const char *path) {
    pthread_once(&thread_once, thread_key_make);
    thread_path = xstrdup(path);
}

sqlite3 *db_thread(void) {
    sqlite3 *db = pthread_getspecific(thread_key);
    if (db) return db;
    kerr e;
    if (db_open(thread_path, 0, &db, &e)) {
        log_error("%s", e.message);
        return NULL;
    }
    pthread_setspecific(thread_key, db);
    return db;
}

void db_thread_close_all(void) {
    sqlite3 *db = pthread_getspecific(thread_key);
    if (db) {
        pthread_setspecific(thread_key, NULL);
        db_close(db);
    }
    xfree(thread_path);
    thread_path = NULL;
}
