/*
** http.h: the request, the route table and reply helpers.
**
** The server (server.c) turns each libmicrohttpd request into a req,
** matches it against route_table (routes.c: method, pattern, capability,
** handler), authenticates it (session cookie or bearer token), checks the
** capability and CSRF token, then calls the handler.  A handler reads its
** input with the req_* functions and produces exactly one reply_* call.
** The req owns everything it points to; the server frees it when the
** response has been sent.
*/
#ifndef KNIT_HTTP_H
#define KNIT_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <sqlite3.h>

#include "../auth/auth.h"
#include "../core/buf.h"
#include "../domain/audit.h"

#define REQ_MAX_PARAMS 4 /* {placeholders} in one route pattern */

typedef struct req req;
typedef void (*handler_fn)(req *r);

/* One line of the route table. */
typedef struct route {
    const char *method;  /* "GET", "POST", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/cases/{id}": {x} matches one path segment */
    const char *caps;    /* capability letters needed; "" any logged-in user; NULL public */
    handler_fn fn;       /* the handler */
    const char *help;    /* one line for the API docs */
} route;

extern const route route_table[]; /* routes.c; terminated by method NULL */
int route_count(void);

/* One request in flight. */
struct req {
    struct MHD_Connection *conn;  /* libmicrohttpd connection */
    const char *method;           /* request method (MHD's string) */
    const char *url;              /* path, without the query */
    const route *rt;              /* matched route, NULL when none */
    int route_index;              /* index in route_table, or route_count() */
    char *params[REQ_MAX_PARAMS]; /* {placeholder} values (owned) */
    int nparams;
    buf body;         /* request body, bounded */
    int body_too_big; /* 1 when the body passed the ceiling */
    sqlite3 *db;      /* this worker thread's connection */
    auth_ctx auth;    /* who is asking; user_id 0 when nobody */
    char ip[48];      /* client address */
    int tls;          /* 1 when served over TLS */
    int64_t t0;       /* monotonic start time, microseconds */
    /* response */
    int status; /* HTTP status, 0 until a reply_* call */
    char *resp; /* body (owned, xmalloc) */
    size_t resp_len;
    const char *ctype; /* Content-Type (static string) */
    char *set_cookie;  /* Set-Cookie value (owned) or NULL */
};

/* Reply with v (reference stolen) as JSON.  NULL v gives a 500. */
void reply_json(req *r, int status, json_t *v);
/* Reply {"error":{"code":code,"message":...,"field":field}}. */
void reply_error(req *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Reply with the error in e, choosing the status from e->rc. */
void reply_kerr(req *r, const kerr *e);
/* Reply with body (ownership taken; xmalloc'd) of type ctype. */
void reply_raw(req *r, int status, const char *ctype, char *body, size_t len);
/* 204 No Content. */
void reply_empty(req *r);

/* A query-string argument, or NULL. */
const char *req_query(req *r, const char *key);
/* A request header, or NULL. */
const char *req_header(req *r, const char *name);
/* Parse the body as a JSON object into *out (json_decref it).  On failure
** replies 400/415 and returns non-zero. */
int req_json(req *r, json_t **out);
/* Path parameter i as a positive record id; on failure replies 404 and
** returns non-zero. */
int req_id(req *r, int i, int64_t *out);
/* The actor for audit rows. */
actor req_actor(req *r);

/* Server options, from `knit serve`. */
typedef struct server_opts {
    const char *db_path;    /* node database */
    const char *listen;     /* "127.0.0.1:8080" or "[::1]:8080" */
    const char *cert, *key; /* PEM files for TLS, or NULL */
    int threads;            /* worker threads (0 = cores) */
    int max_conns;          /* connection limit */
    int max_per_ip;         /* per-address connection limit */
    int conn_memory;        /* per-connection memory limit, bytes */
    int timeout;            /* idle connection timeout, seconds */
    size_t max_body;        /* request body ceiling, bytes */
    int quiet;              /* 1: no access log */
} server_opts;

/* Run the server until SIGTERM or SIGINT, then finish in-flight requests
** and return.  Returns 0, or 1 when it could not start (message printed). */
int server_run(const server_opts *o);

/* Metrics (metrics.c). */
void metrics_init(void);
void metrics_record(int route_index, int status, int64_t micros);
/* Prometheus text format into b. */
int metrics_render(buf *b, sqlite3 *db);

#endif
