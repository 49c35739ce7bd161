/*
** cmd_gazetteer.c: `knit gazetteer`: load administrative places into the
** node and look names up.
**   knit gazetteer import FILE --country CC --level LEVEL [--db DB]
**   knit gazetteer find NAME [--db DB]
** Import levels from the top down (province, then district, ...), since a
** place names its parent.
*/
#include <stdio.h>
#include <string.h>

#include "../cli.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "dataset.h"
#include "gazetteer.h"

int cmd_gazetteer(int argc, char **argv) {
    static const optdef defs[] = {
        {"db", "FILE", "node database (default knit.db)"},
        {"key-file", "FILE", "key file (default DB.keys)"},
        {"country", "CC", "ISO 3166-1 alpha-2 country of the places"},
        {"level", "LEVEL", "province, district, sub_district or village"},
        {NULL, NULL, NULL},
    };
    static const char usage[] = "import FILE --country CC --level LEVEL | find NAME";
    cmdline cl;
    int rc = cli_parse("gazetteer", usage, defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos != 2 || (strcmp(cl.pos[0], "import") && strcmp(cl.pos[0], "find")))
        return cli_usage_error("gazetteer: usage: knit gazetteer %s", usage);
    int import = strcmp(cl.pos[0], "import") == 0;
    const char *country = cli_opt(defs, &cl, "country", NULL),
               *level = cli_opt(defs, &cl, "level", NULL);
    kerr e;
    kerr_clear(&e);
    if (import) {
        if (country == NULL || level == NULL)
            return cli_usage_error("gazetteer import: --country and --level are required");
        if (path_check(cl.pos[1], "FILE", &e)) return cli_usage_error("%s", e.message);
    }
    sqlite3 *db;
    rc = cli_open_node(cli_opt(defs, &cl, "db", "knit.db"), cli_opt(defs, &cl, "key-file", NULL), 1,
                       &db);
    if (rc) return rc;
    if (import) {
        size_t len;
        char *text = ds_read_file(cl.pos[1], &len, &e);
        int n = 0;
        rc = text ? gz_import(db, country, level, text, len, &n, &e) : e.rc;
        xfree(text);
        if (rc == KNIT_OK) printf("%d places imported (%s, %s)\n", n, country, level);
    } else {
        gz_place found[10];
        int n = gz_find(db, cl.pos[1], found, 10, &e);
        rc = n < 0 ? n : KNIT_OK;
        for (int i = 0; i < n; i++)
            printf("%-24s %-12s %.3f  %s / %s\n", found[i].id, found[i].level, found[i].score,
                   found[i].name_native, found[i].name_latin);
        if (n == 0) printf("no place found\n");
    }
    db_close(db);
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message[0] ? e.message : "failed");
        return rc == KNIT_EINVAL || rc == KNIT_EIO ? 2 : 1;
    }
    return 0;
}
