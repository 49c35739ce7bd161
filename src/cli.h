/*
** cli.h: command-line plumbing shared by the commands in main.c and the
** command files: option tables, parsing, and opening a node.
*/
#ifndef KNIT_CLI_H
#define KNIT_CLI_H

#include <sqlite3.h>

#include "core/crypto.h"

#define CLI_MAX_OPTS 24 /* options one command may declare */
#define CLI_MAX_POS 8   /* positional arguments one command may take */

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

/* Command entry points (cmd_*.c). */
int cmd_demo(int argc, char **argv);

#endif
