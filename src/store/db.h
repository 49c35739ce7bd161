/*
** db.h: the node database.
**
** Opens SQLite files with Knit's pragmas (WAL, foreign keys, full sync,
** busy timeout), applies the forward-only migrations compiled in from
** src/store/schema/, wraps transactions, and keeps a per-thread cache of
** prepared statements.  In the server each worker thread gets its own
** connection through db_thread().  Connections belong to the thread that
** opened them.
*/
#ifndef KNIT_DB_H
#define KNIT_DB_H

#include <sqlite3.h>

#include "../knit.h"

/* Open path.  create=1 allows a new file.  Applies the pragmas.  On
** success *out is an open connection (db_close it).  Fills e on failure. */
int db_open(const char *path, int create, sqlite3 **out, kerr *e);
/* Close a connection and finalize this thread's cached statements for it. */
void db_close(sqlite3 *db);

int db_schema_version(sqlite3 *db); /* PRAGMA user_version */
int db_latest_version(void);        /* newest migration this binary knows */
/* Apply pending migrations, each in its own transaction.  *applied (may be
** NULL) receives how many ran.  A database newer than this binary gives
** KNIT_EINVAL with code "schema_too_new". */
int db_migrate(sqlite3 *db, int *applied, kerr *e);
/* KNIT_OK when the schema is exactly current; otherwise fills e. */
int db_check_version(sqlite3 *db, kerr *e);

/* Write transactions.  db_begin takes the process's write lock, then BEGIN
** IMMEDIATE; the lock is released by a successful db_commit or by
** db_rollback, so every successful db_begin must end in one of them (a
** failed db_commit must still be followed by db_rollback).  KNIT_OK or
** KNIT_EDB. */
int db_begin(sqlite3 *db);
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);             /* ROLLBACK, ignoring "no transaction" */
int db_exec(sqlite3 *db, const char *sql); /* run SQL without results */

/* Batches, for bulk loads (knit demo): db_batch_begin() opens one IMMEDIATE
** transaction on db; until db_batch_end(), this thread's db_begin, db_commit
** and db_rollback on db become SAVEPOINT, RELEASE and ROLLBACK TO, so each
** domain operation still succeeds or fails as a whole but many of them share
** one commit.  db_batch_end(db, 1) commits (KNIT_OK, or KNIT_EDB after rolling
** the batch back); db_batch_end(db, 0) rolls back.  One batch per thread. */
int db_batch_begin(sqlite3 *db);
int db_batch_end(sqlite3 *db, int commit);

/* A cached prepared statement for sql on db, reset and unbound.  sql must
** be a string with static storage (the cache is keyed on its address).
** The statement stays owned by the cache: do not finalize it; call
** sqlite3_reset() when done with it.  NULL on error (logged). */
sqlite3_stmt *db_stmt(sqlite3 *db, const char *sql);

/* Fill e from db's last error; returns KNIT_EDB (or KNIT_ECONFLICT for a
** constraint violation). */
int db_error(sqlite3 *db, kerr *e);

/* Server use: db_thread_setup(path) once, then db_thread() in any thread
** returns that thread's connection (opened on first use, NULL on failure).
** db_thread_close_all() closes every connection after the workers stop. */
void db_thread_setup(const char *path);
sqlite3 *db_thread(void);
void db_thread_close_all(void);

/* Size of the database file in bytes (page_count * page_size). */
int64_t db_size(sqlite3 *db);

#endif
