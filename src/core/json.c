/*
** json.c: strict JSON parsing and field validation (see json.h).
*/
#include "json.h"

#include <string.h>

#include "util.h"
#include "xmalloc.h"

#define JV_MAX_DEPTH 16 /* deepest nesting accepted in input documents */

void json_init(void) {
    json_set_alloc_funcs(xmalloc, xfree);
}

/* Depth of nesting of v (a scalar is 0). */
static int depth(json_t *v, int limit) {
    if (limit < 0) return 1;
    int d = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            int c = depth(x, limit - 1) + 1;
            if (c > d) d = c;
            if (d > limit) return d;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            int c = depth(x, limit - 1) + 1;
            if (c > d) d = c;
            if (d > limit) return d;
        }
    }
    return d;
}

int jv_parse(const char *body, size_t len, json_t **out, kerr *e) {
    *out = NULL;
    if (!utf8_valid(body, len)) {
        /* Find the offset of the first bad byte for the message. */
        size_t off = 0;
        while (off < len && utf8_valid(body, off + 1)) off++;
        for (size_t k = off + 1; k <= len && k <= off + 4; k++)
            if (utf8_valid(body, k)) off = k;
        return kerr_set(e, KNIT_EINVAL, "invalid_utf8", "",
                        "request body is not valid UTF-8 (byte offset %zu)", off);
    }
    json_error_t err;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL) {
        if (strstr(err.text, "memory"))
            return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
        return kerr_set(e, KNIT_EINVAL, "malformed_json", "",
                        "malformed JSON at line %d column %d: %s", err.line, err.column, err.text);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return kerr_set(e, KNIT_EINVAL, "not_an_object", "", "request body must be a JSON object");
    }
    if (depth(v, JV_MAX_DEPTH) > JV_MAX_DEPTH) {
        json_decref(v);
        return kerr_set(e, KNIT_EINVAL, "too_deep", "", "JSON nested deeper than %d levels",
                        JV_MAX_DEPTH);
    }
    *out = v;
    return KNIT_OK;
}

static const char *type_name(jf_type t) {
    switch (t) {
    case JF_INT: return "an integer";
    case JF_BOOL: return "a boolean";
    case JF_OBJECT: return "an object";
    case JF_ARRAY:
    case JF_STRARRAY: return "an array";
    default: return "a string";
    }
}

/* Check one string value against f. */
static int check_string(const jfield *f, const char *s, size_t n, kerr *e) {
    size_t max = f->maxlen ? f->maxlen : 200;
    if (n > max)
        return kerr_set(e, KNIT_EINVAL, "too_long", f->name, "%s is longer than %zu bytes", f->name,
                        max);
    if (memchr(s, 0, n))
        return kerr_set(e, KNIT_EINVAL, "invalid_value", f->name, "%s contains a NUL character",
                        f->name);
    switch (f->type) {
    case JF_STRING:
        if (n == 0)
            return kerr_set(e, KNIT_EINVAL, "invalid_value", f->name, "%s must not be empty",
                            f->name);
        break;
    case JF_ENUM:
        for (const char *const *v = f->values; *v; v++)
            if (strcmp(*v, s) == 0) return KNIT_OK;
        return kerr_set(e, KNIT_EINVAL, "unknown_value", f->name, "%s: unknown value '%.60s'",
                        f->name, s);
    case JF_DATE: {
        int y, m, d;
        if (date_parse(s, &y, &m, &d))
            return kerr_set(e, KNIT_EINVAL, "invalid_date", f->name,
                            "%s must be a real date written YYYY-MM-DD", f->name);
        char today[21];
        ts_format(now_s(), today);
        if (strncmp(s, today, 10) > 0)
            return kerr_set(e, KNIT_EINVAL, "date_in_future", f->name, "%s is in the future",
                            f->name);
        break;
    }
    case JF_TIMESTAMP: {
        int64_t t;
        if (ts_parse(s, &t))
            return kerr_set(e, KNIT_EINVAL, "invalid_date", f->name,
                            "%s must be an RFC 3339 timestamp such as 2026-01-31T09:30:00Z",
                            f->name);
        break;
    }
    case JF_COUNTRY:
        if (n != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
            return kerr_set(e, KNIT_EINVAL, "invalid_value", f->name,
                            "%s must be an ISO 3166-1 alpha-2 code such as TH", f->name);
        break;
    case JF_LANG:
        if (n < 2 || n > 3)
            return kerr_set(e, KNIT_EINVAL, "invalid_value", f->name,
                            "%s must be a language code such as th", f->name);
        for (size_t i = 0; i < n; i++)
            if (s[i] < 'a' || s[i] > 'z')
                return kerr_set(e, KNIT_EINVAL, "invalid_value", f->name,
                                "%s must be a language code such as th", f->name);
        break;
    default: break;
    }
    return KNIT_OK;
}

/* Check one value v against field f. */
static int check_value(const jfield *f, json_t *v, kerr *e) {
    switch (f->type) {
    case JF_INT: {
        if (!json_is_integer(v)) break;
        json_int_t i = json_integer_value(v);
        if (i < f->lo || i > f->hi)
            return kerr_set(e, KNIT_EINVAL, "invalid_value", f->name,
                            "%s must be between %lld and %lld", f->name, f->lo, f->hi);
        return KNIT_OK;
    }
    case JF_BOOL:
        if (json_is_boolean(v)) return KNIT_OK;
        break;
    case JF_OBJECT:
        if (json_is_object(v)) return KNIT_OK;
        break;
    case JF_ARRAY:
    case JF_STRARRAY: {
        if (!json_is_array(v)) break;
        if ((long long)json_array_size(v) > f->hi)
            return kerr_set(e, KNIT_EINVAL, "too_long", f->name, "%s has more than %lld elements",
                            f->name, f->hi);
        if (f->type == JF_ARRAY) return KNIT_OK;
        jfield item = *f;
        item.type = JF_STRING;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!json_is_string(x))
                return kerr_set(e, KNIT_EINVAL, "invalid_type", f->name,
                                "%s must be an array of strings", f->name);
            int rc = check_string(&item, json_string_value(x), json_string_length(x), e);
            if (rc) return rc;
        }
        return KNIT_OK;
    }
    default:
        if (json_is_string(v))
            return check_string(f, json_string_value(v), json_string_length(v), e);
        break;
    }
    return kerr_set(e, KNIT_EINVAL, "invalid_type", f->name, "%s must be %s", f->name,
                    type_name(f->type));
}

int jv_check(json_t *obj, const jfield *spec, kerr *e) {
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        const jfield *f = spec;
        while (f->name && strcmp(f->name, k)) f++;
        if (f->name == NULL)
            return kerr_set(e, KNIT_EINVAL, "unknown_field", k, "unknown field '%.60s'", k);
        if (json_is_null(v)) continue;
        int rc = check_value(f, v, e);
        if (rc) return rc;
    }
    for (const jfield *f = spec; f->name; f++) {
        if (!f->required) continue;
        v = json_object_get(obj, f->name);
        if (v == NULL || json_is_null(v))
            return kerr_set(e, KNIT_EINVAL, "missing_field", f->name, "%s is required", f->name);
    }
    return KNIT_OK;
}

const char *jv_str(json_t *obj, const char *key) {
    return json_string_value(json_object_get(obj, key));
}

int jv_set_new(json_t *obj, const char *key, json_t *v) {
    if (v == NULL) return KNIT_ENOMEM;
    return json_object_set_new(obj, key, v) ? KNIT_ENOMEM : KNIT_OK;
}

int jv_set_str(json_t *obj, const char *key, const char *s) {
    return jv_set_new(obj, key, s ? json_string(s) : json_null());
}

char *jv_dump(const json_t *v) {
    return json_dumps(v, JSON_COMPACT);
}
