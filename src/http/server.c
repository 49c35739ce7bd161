/*
** server.c: libmicrohttpd wiring.
**
** One daemon with an internal thread pool (one thread per core) on epoll.
** Each worker thread uses its own SQLite connection (db_thread()).  The
** access handler answers on the second call or later, never the first, so
** keep-alive works; uploads are accumulated into the req's bounded buffer.
** Owns: the options (copied at start), the in-flight counter used by the
** graceful shutdown, and the daemon handle.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../match/pindex.h"
#include "../store/db.h"
#include "http.h"

static server_opts opts;    /* copied at start, read-only afterwards */
static atomic_int inflight; /* requests received and not yet completed */
static int access_log;      /* 1: one line per request on stderr */
static atomic_int stopping; /* 1 after SIGTERM/SIGINT: new requests get 503 and a close */

#define SESSION_COOKIE "knit_session"

/* Split url into segments and match pattern; fill r->params on success. */
static int match(const char *pattern, const char *url, req *r) {
    int n = 0;
    char *params[REQ_MAX_PARAMS];
    const char *p = pattern, *u = url;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *ue = u;
            while (*ue && *ue != '/') ue++;
            if (ue == u || n == REQ_MAX_PARAMS) goto fail;
            params[n] = xstrndup(u, (size_t)(ue - u));
            if (params[n] == NULL) goto fail;
            n++;
            p = pe + 1;
            u = ue;
        } else if (*p == *u) {
            p++;
            u++;
        } else {
            goto fail;
        }
    }
    if (*p || *u) goto fail;
    for (int i = 0; i < n; i++) r->params[i] = params[i];
    r->nparams = n;
    return 1;
fail:
    for (int i = 0; i < n; i++) xfree(params[i]);
    return 0;
}

/* Find the route; 0 found, 404 no path matches, 405 path matches another method. */
static int find_route(req *r) {
    int path_seen = 0;
    const char *m = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    for (int i = 0; route_table[i].method; i++) {
        const route *rt = &route_table[i];
        if (!match(rt->pattern, r->url, r)) continue;
        if (strcmp(rt->method, m) == 0) {
            r->rt = rt;
            r->route_index = i;
            return 0;
        }
        path_seen = 1;
        for (int k = 0; k < r->nparams; k++) {
            xfree(r->params[k]);
            r->params[k] = NULL;
        }
        r->nparams = 0;
    }
    return path_seen ? 405 : 404;
}

/* Authenticate from the bearer token or the session cookie.  Returns 0, or
** 401 when credentials were offered and are not valid. */
static int authenticate(req *r) {
    const char *h = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h) {
        if (strncasecmp(h, "Bearer ", 7) != 0) return 401;
        return token_lookup(r->db, h + 7, &r->auth) == KNIT_OK ? 0 : 401;
    }
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (c) {
        if (session_lookup(r->db, c, &r->auth) != KNIT_OK) return 401;
    }
    return 0;
}

static int safe_method(const char *m) {
    return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

static void client_ip(req *r) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->ip, sizeof r->ip, "unknown");
    if (ci == NULL || ci->client_addr == NULL) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof r->ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip, sizeof r->ip);
}

/* Route, authenticate, authorise and run the handler. */
static void dispatch(req *r) {
    if (r->body_too_big) {
        reply_error(r, 413, "body_too_large", "", "request body larger than %zu bytes",
                    opts.max_body);
        return;
    }
    int st = find_route(r);
    if (st == 404) {
        reply_error(r, 404, "not_found", "", "no such resource");
        return;
    }
    if (st == 405) {
        reply_error(r, 405, "method_not_allowed", "", "method %s not allowed here", r->method);
        return;
    }
    r->db = db_thread();
    if (r->db == NULL) {
        reply_error(r, 503, "unavailable", "", "database unavailable");
        return;
    }
    if (r->rt->caps) {
        if (authenticate(r) || r->auth.user_id == 0) {
            reply_error(r, 401, "unauthenticated", "", "log in or give a valid API token");
            return;
        }
        if (!caps_has(r->auth.caps, r->rt->caps)) {
            reply_error(r, 403, "forbidden", "", "your role may not do this");
            return;
        }
        if (r->auth.session_id && !safe_method(r->method)) {
            const char *t = req_header(r, "X-CSRF-Token");
            size_t n = strlen(r->auth.csrf);
            if (t == NULL || strlen(t) != n || sodium_memcmp(t, r->auth.csrf, n) != 0) {
                reply_error(r, 403, "csrf_failed", "X-CSRF-Token",
                            "missing or wrong X-CSRF-Token header for a cookie session");
                return;
            }
        }
    }
    r->rt->fn(r);
    if (r->status == 0) reply_error(r, 500, "internal", "", "handler produced no reply");
}

/* Security headers every response carries. */
static void add_headers(struct MHD_Response *resp, req *r) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; frame-ancestors 'none'");
    if (r->tls) MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->set_cookie) MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (atomic_load(&stopping)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result respond(req *r) {
    char *body = r->resp;
    size_t len = r->resp_len;
    r->resp = NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(
        len, body ? body : (char *)"", body ? xfree : NULL);
    if (resp == NULL) {
        xfree(body);
        return MHD_NO;
    }
    add_headers(resp, r);
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    req *r = *con_cls;
    if (r == NULL) {
        r = xcalloc(1, sizeof *r);
        if (r == NULL) return MHD_NO;
        r->t0 = mono_us();
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->route_index = route_count();
        r->tls = opts.cert != NULL;
        buf_init(&r->body, opts.max_body);
        client_ip(r);
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t n;
        if (cl && parse_i64(cl, 0, INT64_MAX, &n) == KNIT_OK && (size_t)n > opts.max_body)
            r->body_too_big = 1;
        atomic_fetch_add(&inflight, 1);
        *con_cls = r;
        if (atomic_load(&stopping)) {
            reply_error(r, 503, "shutting_down", "", "the server is shutting down");
            return respond(r);
        }
        /* A declared body over the ceiling is refused before it is read;
        ** libmicrohttpd then closes the connection.  Everything else is
        ** answered on a later call, which keeps keep-alive working. */
        if (r->body_too_big) {
            dispatch(r);
            return respond(r);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* A chunked body past the ceiling is read and dropped, then refused. */
        if (!r->body_too_big && buf_append(&r->body, upload_data, *upload_data_size))
            r->body_too_big = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->status) return MHD_YES; /* already answered */
    dispatch(r);
    return respond(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    req *r = *con_cls;
    if (r == NULL) return;
    int64_t us = mono_us() - r->t0;
    metrics_record(r->route_index, r->status, us);
    if (access_log || r->status >= 500)
        log_info("%s %s %s %d %lldus", r->ip, r->method, r->url, r->status, (long long)us);
    for (int i = 0; i < r->nparams; i++) xfree(r->params[i]);
    buf_free(&r->body);
    xfree(r->resp);
    xfree(r->set_cookie);
    sodium_memzero(&r->auth, sizeof r->auth);
    xfree(r);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

/* Read a whole PEM file into a new string (xfree it). */
static char *read_file(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    buf b;
    buf_init(&b, 1 << 20);
    char tmp[4096];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        if (buf_append(&b, tmp, (size_t)n)) {
            n = -1;
            break;
        }
    close(fd);
    if (n < 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* Parse "host:port" / "[v6]:port" into ss. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len) {
    memset(ss, 0, sizeof *ss);
    char host[64];
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof host) return -1;
    int64_t port;
    if (parse_i64(colon + 1, 0, 65535, &port)) return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 3 || host[hl - 1] != ']') return -1;
        host[hl - 1] = 0;
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) return -1;
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
        *len = sizeof *a;
    }
    return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n') line[--n] = 0;
    log_info("mhd: %s", line);
}

int server_run(const server_opts *o) {
    opts = *o;
    access_log = !o->quiet && getenv("KNIT_ACCESS_LOG") != NULL;
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (parse_listen(o->listen, &ss, &sslen)) {
        fprintf(stderr, "knit: --listen: expected HOST:PORT such as 127.0.0.1:8080\n");
        return 2;
    }
    char *cert = NULL, *key = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    if (o->cert) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            fprintf(stderr, "knit: this libmicrohttpd has no TLS support\n");
            return 1;
        }
        cert = read_file(o->cert);
        key = read_file(o->key);
        if (cert == NULL || key == NULL) {
            fprintf(stderr, "knit: cannot read %s\n", cert ? o->key : o->cert);
            xfree(cert);
            xfree(key);
            return 1;
        }
        flags |= MHD_USE_TLS;
    }
    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    metrics_init();
    db_thread_setup(o->db_path);

    /* Workers inherit this mask; the main thread takes the signals with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pindex_start(o->db_path); /* after the mask: its thread must not take SIGTERM */

    struct MHD_OptionItem tls_opts[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_conns,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->max_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->conn_memory, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)o->timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_ARRAY,
        tls_opts, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "knit: cannot listen on %s: %s\n", o->listen, strerror(errno));
        xfree(cert);
        xfree(key);
        pindex_stop();
        db_thread_close_all();
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : 0;
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(o->listen, ':') - o->listen), o->listen);
    printf("knit: serving %s on %s://%s:%u (%d threads)\n", o->db_path, cert ? "https" : "http",
           host, port, threads);
    fflush(stdout);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing in-flight requests", sig);
    /* Stop accepting connections; requests already received finish, later
    ** ones on open connections get 503 with Connection: close. */
    atomic_store(&stopping, 1);
    MHD_socket lsock = MHD_quiesce_daemon(d);
    if (lsock != MHD_INVALID_SOCKET) close(lsock);
    /* In-flight requests get up to 10 s; then connections are closed anyway. */
    for (int i = 0; i < 1000 && atomic_load(&inflight) > 0; i++) usleep(10000);
    if (atomic_load(&inflight) > 0)
        log_error("%d requests still in flight after 10 s; closing", atomic_load(&inflight));
    MHD_stop_daemon(d);
    pindex_stop();
    db_thread_close_all();
    xfree(cert);
    xfree(key);
    log_info("stopped");
    return 0;
}
