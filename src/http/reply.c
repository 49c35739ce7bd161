/*
** reply.c: the reply_* and req_* helpers handlers use (see http.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "http.h"

void reply_raw(req *r, int status, const char *ctype, char *body, size_t len) {
    xfree(r->resp);
    r->status = status;
    r->ctype = ctype;
    r->resp = body;
    r->resp_len = len;
}

void reply_json(req *r, int status, json_t *v) {
    char *s = v ? jv_dump(v) : NULL;
    json_decref(v);
    if (s == NULL) {
        static const char oom[] =
            "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of memory\"}}";
        reply_raw(r, 500, "application/json", xstrdup(oom), sizeof oom - 1);
        return;
    }
    reply_raw(r, status, "application/json", s, strlen(s));
}

void reply_error(req *r, int status, const char *code, const char *field, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *err = json_pack("{ss ss}", "code", code, "message", msg);
    if (err && field && *field) json_object_set_new(err, "field", json_string(field));
    reply_json(r, status, err ? json_pack("{so}", "error", err) : NULL);
}

void reply_kerr(req *r, const kerr *e) {
    int status;
    switch (e->rc) {
    case KNIT_EINVAL: status = 400; break;
    case KNIT_ENOTFOUND: status = 404; break;
    case KNIT_ECONFLICT: status = 409; break;
    case KNIT_ETOOBIG: status = 413; break;
    case KNIT_EPERM: status = 403; break;
    case KNIT_EAUTH: status = 401; break;
    case KNIT_ELIMIT: status = 429; break;
    default: status = 500; break;
    }
    if (status == 500) log_error("%s %s: %s", r->method, r->url, e->message);
    reply_error(r, status, e->code[0] ? e->code : "error", e->field, "%s",
                e->message[0] ? e->message : "failed");
}

void reply_empty(req *r) {
    reply_raw(r, 204, "application/json", NULL, 0);
}

const char *req_query(req *r, const char *key) {
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *req_header(req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int req_json(req *r, json_t **out) {
    *out = NULL;
    const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        reply_error(r, 415, "unsupported_media_type", "Content-Type",
                    "send the body as Content-Type: application/json");
        return 1;
    }
    kerr e;
    kerr_clear(&e);
    if (jv_parse(buf_str(&r->body), r->body.len, out, &e)) {
        reply_kerr(r, &e);
        return 1;
    }
    return 0;
}

int req_id(req *r, int i, int64_t *out) {
    if (i >= r->nparams || parse_i64(r->params[i], 1, INT64_MAX, out)) {
        reply_error(r, 404, "not_found", "id", "no such record");
        return 1;
    }
    return 0;
}

actor req_actor(req *r) {
    return (actor){r->auth.user_id, r->auth.username, r->ip};
}
