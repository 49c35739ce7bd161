/*
** sqlite_insert.c: the baseline for the durable-write benchmark.
**
** A bare C loop that writes what one Knit contact POST writes - a contact
** row and an audit row, in one transaction - into a copy of the same node
** database (same tables, indexes, triggers and size), with the durability
** Knit uses (WAL, synchronous=FULL), for a fixed time, and prints
** transactions per second.  The difference to Knit is then Knit's own
** work: HTTP, authentication, validation, sealing, hashing, JSON.
** usage: sqlite_insert DB SECONDS
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: sqlite_insert DB SECONDS\n");
        return 2;
    }
    double secs = strtod(argv[2], NULL);
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL);
    sqlite3_stmt *ins, *aud;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO contact(channel, occurred_at, language, category, summary,"
                           " version, created_at, updated_at) VALUES ('phone', ?1, 'th', 'case',"
                           " ?2, 1, ?1, ?1)",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO audit(at, actor, ip, action, object_type, object_id,"
                           " detail, prev_hash, hash) VALUES (?1, 'bench', '127.0.0.1',"
                           " 'contact.create', 'contact', last_insert_rowid(),"
                           " '{\"channel\":\"phone\"}', ?2, ?2)",
                           -1, &aud, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert: %s (needs a Knit node database)\n", sqlite3_errmsg(db));
        return 1;
    }
    unsigned char blob[120], hash[32];
    memset(blob, 7, sizeof blob);
    memset(hash, 9, sizeof hash);
    long n = 0;
    double t0 = now(), t;
    while ((t = now()) - t0 < secs) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)time(NULL));
        sqlite3_bind_blob(ins, 2, blob, sizeof blob, SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        sqlite3_bind_int64(aud, 1, (sqlite3_int64)time(NULL));
        sqlite3_bind_blob(aud, 2, hash, sizeof hash, SQLITE_STATIC);
        sqlite3_step(aud);
        sqlite3_reset(aud);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) return 1;
        n++;
    }
    printf("%.1f\n", (double)n / (t - t0));
    sqlite3_finalize(ins);
    sqlite3_finalize(aud);
    sqlite3_close(db);
    return 0;
}
