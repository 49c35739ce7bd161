/*
** session.c: login, logout, API tokens and user administration over HTTP.
*/
#include <stdio.h>
#include <string.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../store/db.h"
#include "api.h"

static json_t *me(const auth_ctx *a) {
    return json_pack("{sI ss ss ss}", "id", (json_int_t)a->user_id, "username", a->username, "role",
                     a->role, "capabilities", a->caps);
}

void api_login(req *r) {
    static const jfield spec[] = {
        {"username", JF_STRING, 1, 64, 0, 0, NULL},
        {"password", JF_STRING, 1, 1024, 0, 0, NULL},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    json_t *in;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    auth_ctx a;
    if (jv_check(in, spec, &e) ||
        user_login(r->db, jv_str(in, "username"), jv_str(in, "password"), r->ip, &a, &e)) {
        json_decref(in);
        reply_kerr(r, &e);
        return;
    }
    json_decref(in);
    char *cookie, *csrf;
    if (session_create(r->db, &a, r->ip, &cookie, &csrf, &e)) {
        reply_kerr(r, &e);
        return;
    }
    buf b;
    buf_init(&b, 512);
    buf_printf(&b, "knit_session=%s; Path=/; HttpOnly; SameSite=Strict%s", cookie,
               r->tls ? "; Secure" : "");
    r->set_cookie = buf_detach(&b);
    reply_json(r, 200, json_pack("{so ss}", "user", me(&a), "csrf_token", csrf));
    xfree(cookie);
    xfree(csrf);
}

void api_whoami(req *r) {
    json_t *o = json_pack("{so}", "user", me(&r->auth));
    if (o && r->auth.session_id) json_object_set_new(o, "csrf_token", json_string(r->auth.csrf));
    reply_json(r, 200, o);
}

void api_logout(req *r) {
    if (r->auth.session_id) session_delete(r->db, r->auth.session_id);
    r->set_cookie = xstrdup("knit_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    reply_empty(r);
}

void api_token_create(req *r) {
    static const jfield spec[] = {
        {"name", JF_STRING, 1, 100, 0, 0, NULL},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    json_t *in;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    char *tok = NULL;
    int64_t id = 0;
    actor who = req_actor(r);
    if (jv_check(in, spec, &e) ||
        token_create(r->db, r->auth.user_id, jv_str(in, "name"), &who, &tok, &id, &e)) {
        json_decref(in);
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 201,
               json_pack("{sI sO ss}", "id", (json_int_t)id, "name", json_object_get(in, "name"),
                         "token", tok));
    json_decref(in);
    xfree(tok);
}

void api_token_list(req *r) {
    kerr e;
    json_t *a = token_list(r->db, caps_has(r->auth.caps, "a") ? 0 : r->auth.user_id, &e);
    if (a == NULL) {
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 200, json_pack("{so}", "items", a));
}

void api_token_revoke(req *r) {
    int64_t id;
    if (req_id(r, 0, &id)) return;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    if (token_revoke(r->db, id, caps_has(r->auth.caps, "a") ? 0 : r->auth.user_id, &who, &e)) {
        reply_kerr(r, &e);
        return;
    }
    reply_empty(r);
}

void api_user_list(req *r) {
    kerr e;
    json_t *a = user_list(r->db, &e);
    if (a == NULL) {
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 200, json_pack("{so}", "items", a));
}

static const char *const role_names[] = {"admin",   "supervisor", "caseworker", "hotline",
                                         "analyst", "auditor",    NULL};

void api_user_create(req *r) {
    static const jfield spec[] = {
        {"username", JF_STRING, 1, 64, 0, 0, NULL},
        {"role", JF_ENUM, 1, 0, 0, 0, role_names},
        {"password", JF_STRING, 1, 1024, 0, 0, NULL},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    json_t *in;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    int64_t id = 0;
    actor who = req_actor(r);
    if (jv_check(in, spec, &e) || user_add(r->db, jv_str(in, "username"), jv_str(in, "role"),
                                           jv_str(in, "password"), &who, &id, &e)) {
        json_decref(in);
        reply_kerr(r, &e);
        return;
    }
    reply_json(r, 201,
               json_pack("{sI sO sO}", "id", (json_int_t)id, "username",
                         json_object_get(in, "username"), "role", json_object_get(in, "role")));
    json_decref(in);
}

void api_user_update(req *r) {
    static const jfield spec[] = {
        {"role", JF_ENUM, 0, 0, 0, 0, role_names},
        {"password", JF_STRING, 0, 1024, 0, 0, NULL},
        {"disabled", JF_BOOL, 0, 0, 0, 0, NULL},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    const char *name = r->params[0];
    json_t *in;
    if (req_json(r, &in)) return;
    kerr e;
    kerr_clear(&e);
    actor who = req_actor(r);
    int rc = jv_check(in, spec, &e);
    /* Validate everything first so a bad field changes nothing. */
    if (rc == 0 && jv_str(in, "password"))
        rc = password_valid(jv_str(in, "password"), "password", &e);
    if (rc == 0 && json_object_size(in) == 0)
        rc = kerr_set(&e, KNIT_EINVAL, "missing_field", "", "nothing to change");
    if (rc == 0 && jv_str(in, "role"))
        rc = user_set_role(r->db, name, jv_str(in, "role"), &who, &e);
    if (rc == 0 && jv_str(in, "password"))
        rc = user_passwd(r->db, name, jv_str(in, "password"), &who, &e);
    json_t *d = json_object_get(in, "disabled");
    if (rc == 0 && json_is_boolean(d)) rc = user_disable(r->db, name, json_is_true(d), &who, &e);
    json_decref(in);
    if (rc) {
        reply_kerr(r, &e);
        return;
    }
    reply_empty(r);
}
