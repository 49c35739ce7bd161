/*
** main.c: the knit command table and the node-level commands.
**
** Every command is one line of `commands`: name, handler, options table,
** usage and help.  `knit help` and `knit CMD --help` are generated from it.
** Usage errors print one line and exit 2; failures exit 1.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/json.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "domain/audit.h"
#include "http/http.h"
#include "store/db.h"

typedef struct command {
    const char *name;                 /* first word */
    int (*fn)(int argc, char **argv); /* handler; argv[0] is the command name */
    const char *help;                 /* one line for `knit help` */
} command;

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_init(int argc, char **argv);
static int cmd_migrate(int argc, char **argv);
static int cmd_serve(int argc, char **argv);
static int cmd_user(int argc, char **argv);
static int cmd_token(int argc, char **argv);
static int cmd_audit(int argc, char **argv);

static const command commands[] = {
    {"help", cmd_help, "list commands, or explain one: knit help CMD"},
    {"version", cmd_version, "print the version"},
    {"init", cmd_init, "create a node: database, keys and first admin"},
    {"migrate", cmd_migrate, "apply pending schema migrations"},
    {"serve", cmd_serve, "serve the JSON API over HTTP(S)"},
    {"user", cmd_user, "manage users: add|list|passwd|disable|enable|role"},
    {"token", cmd_token, "manage API tokens: add|list|revoke"},
    {"audit", cmd_audit, "check the audit chain: verify"},
    {"gazetteer", cmd_gazetteer, "administrative places: import, find"},
    {"match", cmd_match, "record linkage on files: dedupe, link, score, synth"},
    {"demo", cmd_demo, "build a demo node with synthetic data and serve it"},
    {NULL, NULL, NULL},
};

/* ---- option parsing ---- */

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("knit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

static void print_usage(const char *cmd, const char *usage, const optdef *defs) {
    printf("usage: knit %s %s\n", cmd, usage);
    for (int i = 0; defs[i].name; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", defs[i].name, defs[i].arg ? " " : "",
                 defs[i].arg ? defs[i].arg : "");
        printf("  %-26s %s\n", left, defs[i].help);
    }
}

int cli_parse(const char *cmd, const char *usage, const optdef *defs, int argc, char **argv,
              cmdline *cl) {
    memset(cl, 0, sizeof *cl);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(cmd, usage, defs);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == 0) {
            if (a[0] == '-' && a[1]) return cli_usage_error("%s: unknown option %s", cmd, a);
            if (cl->npos == CLI_MAX_POS) return cli_usage_error("%s: too many arguments", cmd);
            cl->pos[cl->npos++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        int k = 0;
        while (defs[k].name && (strlen(defs[k].name) != n || strncmp(defs[k].name, name, n))) k++;
        if (defs[k].name == NULL)
            return cli_usage_error("%s: unknown option --%.*s", cmd, (int)n, name);
        if (defs[k].arg == NULL) {
            if (eq) return cli_usage_error("%s: --%s takes no value", cmd, defs[k].name);
            cl->val[k] = "1";
        } else if (eq) {
            cl->val[k] = eq + 1;
        } else if (i + 1 < argc) {
            cl->val[k] = argv[++i];
        } else {
            return cli_usage_error("%s: --%s needs a value (%s)", cmd, defs[k].name, defs[k].arg);
        }
    }
    return 0;
}

const char *cli_opt(const optdef *defs, const cmdline *cl, const char *name, const char *dflt) {
    for (int i = 0; defs[i].name; i++)
        if (strcmp(defs[i].name, name) == 0) return cl->val[i] ? cl->val[i] : dflt;
    return dflt;
}

int cli_int(const optdef *defs, const cmdline *cl, const char *name, long long dflt, long long lo,
            long long hi, long long *out) {
    const char *v = cli_opt(defs, cl, name, NULL);
    int64_t x;
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    if (parse_i64(v, lo, hi, &x)) {
        cli_usage_error("--%s: expected an integer from %lld to %lld, got '%.40s'", name, lo, hi,
                        v);
        return -1;
    }
    *out = x;
    return 0;
}

int cli_open_node(const char *db_path, const char *key_file, int check_version, sqlite3 **db) {
    kerr e;
    *db = NULL;
    if (path_check(db_path, "--db", &e) || (key_file && path_check(key_file, "--key-file", &e)))
        return cli_usage_error("%s", e.message);
    struct stat st;
    if (stat(db_path, &st) != 0)
        return cli_usage_error("--db: no node database at %s (create one with knit init)", db_path);
    char *kp = key_file ? xstrdup(key_file) : keys_path_for(db_path);
    knit_keys k;
    int rc = keys_load(&k, kp, &e);
    xfree(kp);
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message);
        return 1;
    }
    keys_set_global(&k);
    if (db_open(db_path, 0, db, &e)) {
        fprintf(stderr, "knit: %s\n", e.message);
        return 1;
    }
    if (check_version && db_check_version(*db, &e)) {
        fprintf(stderr, "knit: %s\n", e.message);
        db_close(*db);
        *db = NULL;
        return 1;
    }
    return 0;
}

/* ---- help, version ---- */

static int cmd_help(int argc, char **argv) {
    if (argc > 1) {
        for (const command *c = commands; c->name; c++)
            if (strcmp(c->name, argv[1]) == 0) {
                char *args[] = {argv[1], "--help", NULL};
                return c->fn(2, args);
            }
        return cli_usage_error("help: unknown command '%.40s'", argv[1]);
    }
    printf("knit %s: case management and referral node for anti-trafficking agencies\n\n"
           "usage: knit COMMAND [OPTIONS]\n\ncommands:\n",
           KNIT_VERSION);
    for (const command *c = commands; c->name; c++) printf("  %-10s %s\n", c->name, c->help);
    printf("\nknit COMMAND --help explains a command.\n");
    return 0;
}

static int cmd_version(int argc, char **argv) {
    static const optdef defs[] = {{NULL, NULL, NULL}};
    cmdline cl;
    int rc = cli_parse("version", "", defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos) return cli_usage_error("version: takes no arguments");
    printf("knit %s (schema %d, sqlite %s)\n", KNIT_VERSION, db_latest_version(),
           sqlite3_libversion());
    return 0;
}

/* ---- init, migrate ---- */

/* ISO 3166-1 alpha-2 codes, officially assigned. */
static const char iso3166[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

static int country_valid(const char *c) {
    if (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') return 0;
    for (size_t i = 0; i + 2 <= sizeof iso3166 - 1; i += 3) /* "AD AE ... ZW": 3 bytes each */
        if (iso3166[i] == c[0] && iso3166[i + 1] == c[1]) return 1;
    return 0;
}

/* Create the node: keys, schema, node row, first admin.  Prints the admin
** password once.  Used by init and demo (see cli.h). */
int node_create(const char *db_path, const char *key_file, const char *name, const char *country,
                const char *admin, const char *admin_password, sqlite3 **out) {
    kerr e;
    struct stat st;
    if (stat(db_path, &st) == 0)
        return cli_usage_error("init: %s already exists; refusing to overwrite a node", db_path);
    char *kp = key_file ? xstrdup(key_file) : keys_path_for(db_path);
    knit_keys k;
    keys_generate(&k);
    int rc = keys_save(&k, kp, &e);
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message);
        xfree(kp);
        return 1;
    }
    keys_set_global(&k);
    sqlite3 *db;
    if (db_open(db_path, 1, &db, &e) || db_migrate(db, NULL, &e)) {
        fprintf(stderr, "knit: %s\n", e.message);
        unlink(kp);
        xfree(kp);
        return 1;
    }
    char *pw = admin_password ? xstrdup(admin_password) : password_generate();
    actor cli = {0, "cli", ""};
    sqlite3_stmt *ins = NULL;
    rc = db_begin(db) ? 1 : 0;
    if (rc == 0 && sqlite3_prepare_v2(db,
                                      "INSERT INTO node(id, name, country, sign_pk, box_pk,"
                                      " created_at) VALUES (1,?,?,?,?,?)",
                                      -1, &ins, NULL) != SQLITE_OK)
        rc = 1;
    if (rc == 0) {
        sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, country, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 3, k.sign_pk, 32, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 4, k.box_pk, 32, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, now_s());
        rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : 1;
    }
    sqlite3_finalize(ins);
    json_t *d = json_pack("{ss ss}", "name", name, "country", country);
    if (rc == 0) rc = audit_append(db, &cli, "node.init", "node", 1, d, &e) ? 1 : 0;
    json_decref(d);
    if (rc == 0) rc = db_commit(db) ? 1 : 0;
    if (rc) {
        fprintf(stderr, "knit: cannot create node: %s\n", sqlite3_errmsg(db));
        db_rollback(db);
    }
    if (rc == 0 && user_add(db, admin, "admin", pw, &cli, NULL, &e)) {
        fprintf(stderr, "knit: %s\n", e.message);
        rc = 1;
    }
    if (rc == 0) {
        char fp[65];
        hex_encode(k.sign_pk, 32, fp);
        printf("node: %s (%s)\nsigning key: %s\ndatabase: %s\nkey file: %s (keep it secret and "
               "backed up)\nadmin user: %s\nadmin password: %s\n(the password is shown only "
               "once)\n",
               name, country, fp, db_path, kp, admin, pw);
    }
    xfree(pw);
    xfree(kp);
    if (rc == 0 && out) {
        *out = db;
    } else {
        db_close(db);
    }
    return rc;
}

static int cmd_init(int argc, char **argv) {
    static const optdef defs[] = {
        {"db", "FILE", "node database to create (default knit.db)"},
        {"node-name", "NAME", "the agency's name (required)"},
        {"country", "CC", "ISO 3166-1 alpha-2 country code (required)"},
        {"admin", "USER", "first admin's user name (default admin)"},
        {"key-file", "FILE", "where to write the keys (default DB.keys)"},
        {NULL, NULL, NULL},
    };
    cmdline cl;
    int rc = cli_parse("init", "--node-name NAME --country CC [--db FILE]", defs, argc - 1,
                       argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos) return cli_usage_error("init: unexpected argument '%.40s'", cl.pos[0]);
    const char *db = cli_opt(defs, &cl, "db", "knit.db"),
               *name = cli_opt(defs, &cl, "node-name", NULL),
               *cc = cli_opt(defs, &cl, "country", NULL),
               *admin = cli_opt(defs, &cl, "admin", "admin"),
               *kf = cli_opt(defs, &cl, "key-file", NULL);
    kerr e;
    if (path_check(db, "--db", &e) || (kf && path_check(kf, "--key-file", &e)))
        return cli_usage_error("%s", e.message);
    if (name == NULL || *name == 0 || strlen(name) > 200 || !utf8_valid(name, strlen(name)))
        return cli_usage_error("init: --node-name is required (1 to 200 bytes of UTF-8)");
    if (cc == NULL || !country_valid(cc))
        return cli_usage_error("init: --country must be an ISO 3166-1 alpha-2 code such as TH");
    if (username_valid(admin, "--admin", &e)) return cli_usage_error("init: %s", e.message);
    return node_create(db, kf, name, cc, admin, NULL, NULL);
}

static int cmd_migrate(int argc, char **argv) {
    static const optdef defs[] = {
        {"db", "FILE", "node database (default knit.db)"},
        {"key-file", "FILE", "key file (default DB.keys)"},
        {NULL, NULL, NULL},
    };
    cmdline cl;
    int rc = cli_parse("migrate", "[--db FILE]", defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos) return cli_usage_error("migrate: unexpected argument '%.40s'", cl.pos[0]);
    sqlite3 *db;
    rc = cli_open_node(cli_opt(defs, &cl, "db", "knit.db"), cli_opt(defs, &cl, "key-file", NULL), 0,
                       &db);
    if (rc) return rc;
    kerr e;
    int applied = 0;
    int before = db_schema_version(db);
    rc = db_migrate(db, &applied, &e);
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message);
    } else {
        printf("schema %d -> %d (%d migration%s applied)\n", before, db_schema_version(db), applied,
               applied == 1 ? "" : "s");
    }
    db_close(db);
    return rc ? 1 : 0;
}

/* ---- serve ---- */

const optdef serve_defs[] = {
    {"db", "FILE", "node database (default knit.db)"},
    {"key-file", "FILE", "key file (default DB.keys)"},
    {"listen", "HOST:PORT", "address to listen on (default 127.0.0.1:8080; port 0 = any)"},
    {"cert", "FILE", "TLS certificate (PEM); serve HTTPS"},
    {"key", "FILE", "TLS private key (PEM)"},
    {"threads", "N", "worker threads (default: one per core)"},
    {"max-conns", "N", "connection limit (default 1024)"},
    {"max-per-ip", "N", "connections per client address (default 256)"},
    {"conn-memory", "BYTES", "memory per connection (default 131072)"},
    {"timeout", "SECS", "idle connection timeout (default 30)"},
    {"max-body", "BYTES", "request body ceiling (default 1048576)"},
    {"session-idle", "SECS", "session idle expiry (default 1800)"},
    {"session-max", "SECS", "session absolute expiry (default 43200)"},
    {"lockout-after", "N", "failed logins that lock an account (default 5)"},
    {"lockout-secs", "SECS", "account lock duration (default 900)"},
    {"ip-max-fail", "N", "failed logins per address per 10 minutes (default 20)"},
    {"quiet", NULL, "no access log"},
    {NULL, NULL, NULL},
};

/* Parse serve options into o (and auth_cfg); see cli.h. */
int serve_options(const cmdline *cl, server_opts *o) {
    const optdef *d = serve_defs;
    long long v[11];
    kerr e;
    memset(o, 0, sizeof *o);
    o->listen = cli_opt(d, cl, "listen", "127.0.0.1:8080");
    o->cert = cli_opt(d, cl, "cert", NULL);
    o->key = cli_opt(d, cl, "key", NULL);
    o->quiet = cli_opt(d, cl, "quiet", NULL) != NULL;
    if ((o->cert == NULL) != (o->key == NULL))
        return cli_usage_error("serve: --cert and --key go together");
    if ((o->cert && path_check(o->cert, "--cert", &e)) ||
        (o->key && path_check(o->key, "--key", &e)))
        return cli_usage_error("%s", e.message);
    if (cli_int(d, cl, "threads", 0, 0, 256, &v[0]) ||
        cli_int(d, cl, "max-conns", 1024, 1, 100000, &v[1]) ||
        cli_int(d, cl, "max-per-ip", 256, 1, 100000, &v[2]) ||
        cli_int(d, cl, "conn-memory", 131072, 16384, 16 << 20, &v[3]) ||
        cli_int(d, cl, "timeout", 30, 1, 3600, &v[4]) ||
        cli_int(d, cl, "max-body", 1 << 20, 1024, 1 << 30, &v[5]) ||
        cli_int(d, cl, "session-idle", 1800, 1, 86400 * 30, &v[6]) ||
        cli_int(d, cl, "session-max", 43200, 1, 86400 * 90, &v[7]) ||
        cli_int(d, cl, "lockout-after", 5, 1, 1000, &v[8]) ||
        cli_int(d, cl, "lockout-secs", 900, 1, 86400 * 7, &v[9]) ||
        cli_int(d, cl, "ip-max-fail", 20, 1, 100000, &v[10]))
        return 2;
    o->threads = (int)v[0];
    o->max_conns = (int)v[1];
    o->max_per_ip = (int)v[2];
    o->conn_memory = (int)v[3];
    o->timeout = (int)v[4];
    o->max_body = (size_t)v[5];
    auth_cfg.session_idle = (int)v[6];
    auth_cfg.session_max = (int)v[7];
    auth_cfg.lock_after = (int)v[8];
    auth_cfg.lock_seconds = (int)v[9];
    auth_cfg.ip_max_fail = (int)v[10];
    return 0;
}

static int cmd_serve(int argc, char **argv) {
    cmdline cl;
    int rc = cli_parse("serve", "[--db FILE] [--listen HOST:PORT] [options]", serve_defs, argc - 1,
                       argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos) return cli_usage_error("serve: unexpected argument '%.40s'", cl.pos[0]);
    server_opts o;
    if (serve_options(&cl, &o)) return 2;
    o.db_path = cli_opt(serve_defs, &cl, "db", "knit.db");
    sqlite3 *db;
    rc = cli_open_node(o.db_path, cli_opt(serve_defs, &cl, "key-file", NULL), 1, &db);
    if (rc) return rc;
    db_close(db);
    return server_run(&o);
}

/* ---- user, token ---- */

static int cmd_user(int argc, char **argv) {
    static const optdef defs[] = {
        {"db", "FILE", "node database (default knit.db)"},
        {"key-file", "FILE", "key file (default DB.keys)"},
        {"role", "ROLE", "admin|supervisor|caseworker|hotline|analyst|auditor"},
        {"password-stdin", NULL, "read the password from standard input"},
        {NULL, NULL, NULL},
    };
    static const char usage[] =
        "add USER --role ROLE | list | passwd USER | disable USER | enable USER | role USER ROLE";
    cmdline cl;
    int rc = cli_parse("user", usage, defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos == 0)
        return cli_usage_error("user: say add, list, passwd, disable, enable or role");
    const char *sub = cl.pos[0], *name = cl.npos > 1 ? cl.pos[1] : NULL;
    int want = strcmp(sub, "list") == 0 ? 1 : strcmp(sub, "role") == 0 ? 3 : 2;
    if (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "passwd") &&
        strcmp(sub, "disable") && strcmp(sub, "enable") && strcmp(sub, "role"))
        return cli_usage_error("user: unknown subcommand '%.40s'", sub);
    if (cl.npos != want)
        return cli_usage_error("user %s: wrong number of arguments (usage: knit user %s)", sub,
                               usage);
    kerr e;
    if (name && username_valid(name, "USER", &e)) return cli_usage_error("user: %s", e.message);
    const char *role = strcmp(sub, "role") == 0 ? cl.pos[2] : cli_opt(defs, &cl, "role", NULL);
    if (strcmp(sub, "add") == 0 && role == NULL)
        return cli_usage_error("user add: --role is required");
    if (role && role_caps(role) == NULL)
        return cli_usage_error(
            "user: unknown role '%.40s' (admin, supervisor, caseworker, hotline, analyst, auditor)",
            role);
    sqlite3 *db;
    rc = cli_open_node(cli_opt(defs, &cl, "db", "knit.db"), cli_opt(defs, &cl, "key-file", NULL), 1,
                       &db);
    if (rc) return rc;
    actor cli = {0, "cli", ""};
    kerr_clear(&e);
    char *pw = NULL;
    if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
        if (cli_opt(defs, &cl, "password-stdin", NULL)) {
            char line[1100];
            if (fgets(line, sizeof line, stdin) == NULL) {
                db_close(db);
                return cli_usage_error("user: no password on standard input");
            }
            line[strcspn(line, "\r\n")] = 0;
            pw = xstrdup(line);
        } else {
            pw = password_generate();
        }
    }
    if (strcmp(sub, "list") == 0) {
        json_t *a = user_list(db, &e);
        size_t i;
        json_t *u;
        if (a == NULL) rc = 1;
        json_array_foreach(a, i, u) {
            printf("%-24s %-12s%s%s\n", jv_str(u, "username"), jv_str(u, "role"),
                   json_is_true(json_object_get(u, "disabled")) ? " disabled" : "",
                   json_is_true(json_object_get(u, "locked")) ? " locked" : "");
        }
        json_decref(a);
    } else if (strcmp(sub, "add") == 0) {
        rc = user_add(db, name, role, pw, &cli, NULL, &e);
    } else if (strcmp(sub, "passwd") == 0) {
        rc = user_passwd(db, name, pw, &cli, &e);
    } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        rc = user_disable(db, name, sub[0] == 'd', &cli, &e);
    } else {
        rc = user_set_role(db, name, role, &cli, &e);
    }
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message[0] ? e.message : "failed");
        rc = e.rc == KNIT_EINVAL || e.rc == KNIT_ENOTFOUND || e.rc == KNIT_ECONFLICT ? 2 : 1;
    } else if (pw && !cli_opt(defs, &cl, "password-stdin", NULL)) {
        printf("password for %s: %s\n", name, pw);
    }
    xfree(pw);
    db_close(db);
    return rc;
}

static int cmd_token(int argc, char **argv) {
    static const optdef defs[] = {
        {"db", "FILE", "node database (default knit.db)"},
        {"key-file", "FILE", "key file (default DB.keys)"},
        {NULL, NULL, NULL},
    };
    static const char usage[] = "add USER NAME | list [USER] | revoke ID";
    cmdline cl;
    int rc = cli_parse("token", usage, defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos == 0) return cli_usage_error("token: say add, list or revoke");
    const char *sub = cl.pos[0];
    int64_t id = 0;
    if (strcmp(sub, "add") == 0) {
        if (cl.npos != 3) return cli_usage_error("token add: usage: knit token add USER NAME");
    } else if (strcmp(sub, "list") == 0) {
        if (cl.npos > 2) return cli_usage_error("token list: usage: knit token list [USER]");
    } else if (strcmp(sub, "revoke") == 0) {
        if (cl.npos != 2 || parse_i64(cl.pos[1], 1, INT64_MAX, &id))
            return cli_usage_error("token revoke: usage: knit token revoke ID");
    } else {
        return cli_usage_error("token: unknown subcommand '%.40s'", sub);
    }
    sqlite3 *db;
    rc = cli_open_node(cli_opt(defs, &cl, "db", "knit.db"), cli_opt(defs, &cl, "key-file", NULL), 1,
                       &db);
    if (rc) return rc;
    actor cli = {0, "cli", ""};
    kerr e;
    kerr_clear(&e);
    int64_t uid = 0;
    if (cl.npos > 1 && sub[0] != 'r') {
        sqlite3_stmt *st = db_stmt(db, "SELECT id FROM users WHERE username=?");
        sqlite3_bind_text(st, 1, cl.pos[1], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) uid = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (uid == 0) {
            db_close(db);
            return cli_usage_error("token: no such user '%.40s'", cl.pos[1]);
        }
    }
    if (sub[0] == 'a') {
        char *tok;
        rc = token_create(db, uid, cl.pos[2], &cli, &tok, &id, &e);
        if (rc == 0)
            printf("token %lld for %s: %s\n(shown only once)\n", (long long)id, cl.pos[1], tok);
        xfree(tok);
    } else if (sub[0] == 'l') {
        json_t *a = token_list(db, uid, &e), *t;
        size_t i;
        if (a == NULL) rc = 1;
        json_array_foreach(a, i, t) {
            printf("%-6lld %-20s %-24s %s%s\n",
                   (long long)json_integer_value(json_object_get(t, "id")), jv_str(t, "username"),
                   jv_str(t, "name"), jv_str(t, "created_at"),
                   json_is_true(json_object_get(t, "revoked")) ? " revoked" : "");
        }
        json_decref(a);
    } else {
        rc = token_revoke(db, id, 0, &cli, &e);
    }
    if (rc) {
        fprintf(stderr, "knit: %s\n", e.message[0] ? e.message : "failed");
        rc = e.rc == KNIT_ENOTFOUND || e.rc == KNIT_EINVAL ? 2 : 1;
    }
    db_close(db);
    return rc;
}

/* ---- audit ---- */

static int cmd_audit(int argc, char **argv) {
    static const optdef defs[] = {
        {"db", "FILE", "node database (default knit.db)"},
        {"key-file", "FILE", "key file (default DB.keys)"},
        {NULL, NULL, NULL},
    };
    cmdline cl;
    int rc = cli_parse("audit", "verify [--db FILE]", defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos != 1 || strcmp(cl.pos[0], "verify"))
        return cli_usage_error("audit: usage: knit audit verify [--db FILE]");
    sqlite3 *db;
    rc = cli_open_node(cli_opt(defs, &cl, "db", "knit.db"), cli_opt(defs, &cl, "key-file", NULL), 1,
                       &db);
    if (rc) return rc;
    buf report;
    buf_init(&report, 1 << 20);
    int64_t rows = 0;
    int problems = audit_verify(db, keys_global(), &report, &rows);
    db_close(db);
    if (problems < 0) {
        fprintf(stderr, "knit: cannot read the audit log\n");
        buf_free(&report);
        return 1;
    }
    fputs(buf_str(&report), stdout);
    buf_free(&report);
    if (problems) {
        printf("audit chain BROKEN: %d problem%s in %lld rows\n", problems,
               problems == 1 ? "" : "s", (long long)rows);
        return 1;
    }
    printf("audit chain intact: %lld rows\n", (long long)rows);
    return 0;
}

int main(int argc, char **argv) {
    umask(077); /* databases, WAL files and key files are for this account only */
    json_init();
    if (crypto_init()) fatal("libsodium failed to initialise");
    const char *pw = getenv("KNIT_PWHASH");
    password_profile(pw && strcmp(pw, "min") == 0);
    if (argc < 2) {
        cmd_help(1, argv);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) return cmd_help(1, argv);
    if (strcmp(name, "--version") == 0) return cmd_version(1, argv + 1);
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c->fn(argc - 1, argv + 1);
    return cli_usage_error("unknown command '%.40s'; try knit help", name);
}
