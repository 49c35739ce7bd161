/*
** cli.h: command-line plumbing shared by the commands in main.c and the
** command files: option tables, parsing, and opening a node.
*/
#ifndef KNIT_CLI_H
#define KNIT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/crypto.h"

#define CLI_MAX_OPTS 24 /* options one command may declare */
#define CLI_MAX_POS  8  /* positional arguments one command may take */

/* One option of a command. */
typedef struct optdef {
    const char *name; /* "db" for --db */
    const char *arg;  /* argument placeholder ("FILE"), or NULL for a flag */
    const char *help; /* one line */
} optdef;

/* A parsed command line: val[i] belongs to defs[i] (NULL when not given,
** "1" for a flag). */
typedef struct cmdline {
    const char *val[CLI_MAX_OPTS];
    const char *pos[CLI_MAX_POS];
    int npos;
} cmdline;

/* Parse argv (after the command name) against defs (terminated by name
** NULL).  Returns 0 on success, 1 when --help was printed, 2 after printing
** a one-line error. */
int cli_parse(const char *cmd, const char *usage, const optdef *defs, int argc, char **argv,
              cmdline *cl);
/* Value of option name in cl (defs must be the table cl was parsed with), or dflt. */
const char *cli_opt(const optdef *defs, const cmdline *cl, const char *name, const char *dflt);
/* Integer option in [lo, hi]; prints an error and returns -1 on bad input. */
int cli_int(const optdef *defs, const cmdline *cl, const char *name, long long dflt, long long lo,
            long long hi, long long *out);
/* Print "knit: msg" and return 2 (usage errors). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open an existing node: check the path, load its keys (KNIT_KEYS or
** key_file, default "<db>.keys") into the global keys, open the database and
** check its schema version unless check_version is 0.  Prints the problem
** and returns 2 (bad arguments) or 1 (failure); 0 on success. */
int cli_open_node(const char *db_path, const char *key_file, int check_version, sqlite3 **db);

/* Create a node at db_path (which must not exist): keys in key_file
** (NULL: "<db>.keys"), schema, the node row (name, country) and the first
** admin user with admin_password (NULL: a generated one).  Prints the node
** details and the admin password once.  On success returns 0 and, when out
** is not NULL, leaves the connection open in *out (db_close it); otherwise
** prints the problem and returns 2 (bad arguments) or 1.  Defined in main.c. */
int node_create(const char *db_path, const char *key_file, const char *name, const char *country,
                const char *admin, const char *admin_password, sqlite3 **out);

/* The options of `knit serve` (main.c), terminated by name NULL. */
extern const optdef serve_defs[];
struct server_opts;
/* Fill o (and auth_cfg) from cl, which must have been parsed against
** serve_defs.  o->db_path is left NULL for the caller.  Returns 0, or 2 after
** printing a one-line error. */
int serve_options(const cmdline *cl, struct server_opts *o);

/* Command entry points (cmd_*.c). */
int cmd_demo(int argc, char **argv);

/* Write a synthetic multi-script population as CSV to out (demo.c): records
** rows, dup_percent of the originals with one to three corrupted duplicates
** (typos, other romanisations, swapped name order, approximate ages, empty
** fields), rec_id in FEBRL form for --truth.  Deterministic for a seed. */
int demo_synth(FILE *out, long records, int dup_percent, uint64_t seed);
int cmd_match(int argc, char **argv);
int cmd_gazetteer(int argc, char **argv);

#endif
