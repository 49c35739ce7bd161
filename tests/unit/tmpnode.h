/*
** tmpnode.h: temporary directories and node databases for unit tests.
** Each test binary includes it once; everything is static.
*/
#ifndef KNIT_TEST_TMPNODE_H
#define KNIT_TEST_TMPNODE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/crypto.h"
#include "store/db.h"

/* Make a fresh directory /tmp/knit-<tag>-XXXXXX into dir (64 bytes); 0 or -1. */
static int tmp_dir_make(char dir[64], const char *tag) {
    snprintf(dir, 64, "/tmp/knit-%s-XXXXXX", tag);
    return mkdtemp(dir) ? 0 : -1;
}

/* Remove dir and everything in it; 0 or -1. */
static int tmp_dir_remove(const char *dir) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Open a new, migrated node database dir/name (replacing any old one) with
** fresh global keys; its path goes to path (128 bytes) when not NULL.  0 or -1. */
static int tmp_node_open(const char *dir, const char *name, sqlite3 **db, char *path) {
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
    if (path) snprintf(path, 128, "%s", p);
    knit_keys k;
    keys_generate(&k);
    keys_set_global(&k);
    kerr e;
    return db_open(p, 1, db, &e) || db_migrate(*db, NULL, &e) ? -1 : 0;
}

#endif
