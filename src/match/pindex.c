/*
** pindex.c: the node's person index (see pindex.h).
**
** Owns: the entries array (one per stored version of a person; a replaced
** or deleted person's entry is marked dead and skipped), a map from person
** id to its live entry, and the blocking map from key hash to the entries
** carrying that key.  All three are guarded by lock.  ICU transliterators
** are not thread-safe, so romanisation runs under its own mutex.
*/
#include "pindex.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../domain/record.h"
#include "../store/db.h"
#include "dataset.h"

#define NAMES 6 /* name variants kept per person */

typedef struct pentry {
    int64_t id;           /* person id */
    int live;             /* 0 once replaced or deleted */
    mt_value name[NAMES]; /* folded name variants; n == 0 when unused */
    mt_date dob;          /* date of birth, y == 0 when unknown */
    char nat[3];          /* nationality or "" */
    char sex;             /* 'f', 'm', 'o' or 0 when unknown */
} pentry;

typedef struct posting {
    uint64_t key; /* key hash, 0 = free slot */
    int *v;       /* entry positions */
    int n, cap;
} posting;

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER; /* guards everything below */
static pentry *ent;                                        /* entries */
static int nent, capent;
static int64_t *id_key; /* id map: open addressing, id 0 = free */
static int *id_pos;
static int id_cap;
static posting *post; /* blocking map */
static int post_cap, post_used;
static int ready;             /* 1 once the initial build finished */
static int started;           /* 1 once pindex_start ran */
static volatile int stopping; /* 1: the builder should give up (set before join) */
static pthread_t builder;     /* background build thread */
static char *build_path;      /* database the builder reads */

static pthread_mutex_t translit_lock = PTHREAD_MUTEX_INITIALIZER; /* guards translit */
static UTransliterator *translit;                                 /* Any-Latin; Latin-ASCII */

/* Romanise s with ICU (fallback until rule files of our own land); new
** string (xfree it) or NULL. */
static char *romanise(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 1000) return NULL;
    UErrorCode err = U_ZERO_ERROR;
    int32_t cap = (int32_t)n * 4 + 64, len = 0, limit;
    UChar *u = xmalloc((size_t)cap * sizeof(UChar));
    char *out = NULL;
    if (u == NULL) return NULL;
    u_strFromUTF8(u, cap, &len, s, (int32_t)n, &err);
    pthread_mutex_lock(&translit_lock);
    if (translit == NULL) {
        static const UChar id[] = u"Any-Latin; Latin-ASCII";
        translit = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
    }
    limit = len;
    if (translit && U_SUCCESS(err)) utrans_transUChars(translit, u, &len, cap, 0, &limit, &err);
    pthread_mutex_unlock(&translit_lock);
    if (U_SUCCESS(err) && translit) {
        out = xmalloc((size_t)len * 3 + 1);
        if (out) u_strToUTF8(out, len * 3 + 1, NULL, u, len, &err);
        if (U_FAILURE(err)) {
            xfree(out);
            out = NULL;
        }
    }
    xfree(u);
    return out;
}

static void entry_free(pentry *p) {
    for (int i = 0; i < NAMES; i++) {
        xfree(p->name[i].s);
        xfree(p->name[i].u);
    }
    memset(p, 0, sizeof *p);
}

/* Date of birth from a person's date_of_birth object. */
static mt_date dob_of(const json_t *d) {
    mt_date r = {0, 0, 0, 0};
    const char *date = jv_str((json_t *)d, "date");
    if (date) {
        date_parse(date, &r.y, &r.m, &r.d);
        return r;
    }
    json_t *y = json_object_get(d, "year"), *age = json_object_get(d, "age");
    if (json_is_integer(y)) {
        r.y = (int)json_integer_value(y);
        r.m = (int)json_integer_value(json_object_get(d, "month"));
        r.spread = (int)json_integer_value(json_object_get(d, "plus_minus_years"));
        if (r.spread) r.m = 0;
    } else if (json_is_integer(age)) {
        int ay = 0, am = 0, ad = 0;
        date_parse(jv_str((json_t *)d, "as_of") ? jv_str((json_t *)d, "as_of") : "", &ay, &am, &ad);
        if (ay) r = mt_date_from_age((int)json_integer_value(age), ay, am, ad);
    }
    return r;
}

/* Add a folded name variant of s to p (and its romanisation when s is not Latin). */
static void add_name(pentry *p, int *k, const char *s) {
    if (s == NULL || *s == 0 || *k >= NAMES) return;
    if (ds_value(&p->name[*k], s, MF_GIVEN) == KNIT_OK && p->name[*k].n) (*k)++;
    int ascii = 1;
    for (const char *c = s; *c; c++) ascii &= (unsigned char)*c < 0x80;
    if (!ascii && *k < NAMES) {
        char *r = romanise(s);
        if (r && ds_value(&p->name[*k], r, MF_GIVEN) == KNIT_OK && p->name[*k].n) (*k)++;
        xfree(r);
    }
}

/* Build an entry from a person record (or a query shaped like one). */
static void entry_from(pentry *p, const json_t *j) {
    memset(p, 0, sizeof *p);
    p->id = json_integer_value(json_object_get(j, "id"));
    p->live = 1;
    int k = 0;
    add_name(p, &k, jv_str((json_t *)j, "latin_name"));
    add_name(p, &k, jv_str((json_t *)j, "native_name"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(j, "other_names"), i, x)
        add_name(p, &k, json_string_value(x));
    json_t *d = json_object_get(j, "date_of_birth");
    if (json_is_object(d)) p->dob = dob_of(d);
    const char *nat = jv_str((json_t *)j, "nationality"), *sex = jv_str((json_t *)j, "sex");
    if (nat) snprintf(p->nat, sizeof p->nat, "%s", nat);
    if (sex && strcmp(sex, "unknown")) p->sex = sex[0];
}

/* Blocking keys of an entry: each name token's first three code points
** and its consonant skeleton.  Returns the number written to keys. */
static int keys_of(const pentry *p, uint64_t *keys, int max) {
    int n = 0;
    for (int v = 0; v < NAMES; v++) {
        const mt_value *nm = &p->name[v];
        for (int i = 0; i < nm->n && n + 2 <= max;) {
            while (i < nm->n && nm->u[i] == ' ') i++;
            int start = i;
            uint64_t h = 1469598103934665603ULL, s = 7;
            for (; i < nm->n && nm->u[i] != ' '; i++) {
                if (i - start < 3) h = (h ^ nm->u[i]) * 1099511628211ULL;
                uint32_t c = nm->u[i];
                int vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' ||
                            c == 'h' || c == 'w';
                if (!vowel && (i == start || c != nm->u[i - 1])) s = (s ^ c) * 1099511628211ULL;
            }
            if (i > start) {
                keys[n++] = h | 1;
                keys[n++] = (s * 31) | 1;
            }
        }
    }
    return n;
}

/* The posting for key (found or claimed); caller holds the write lock. */
static posting *post_get(uint64_t key, int create) {
    if (post_cap == 0 || (create && post_used * 2 >= post_cap)) {
        if (!create) return NULL;
        int cap = post_cap ? post_cap * 2 : 1 << 12;
        posting *np = xcalloc((size_t)cap, sizeof *np);
        if (np == NULL) return NULL;
        for (int i = 0; i < post_cap; i++) {
            if (!post[i].key) continue;
            int s = (int)(post[i].key & (uint64_t)(cap - 1));
            while (np[s].key) s = (s + 1) & (cap - 1);
            np[s] = post[i];
        }
        xfree(post);
        post = np;
        post_cap = cap;
    }
    int s = (int)(key & (uint64_t)(post_cap - 1));
    while (post[s].key && post[s].key != key) s = (s + 1) & (post_cap - 1);
    if (post[s].key == 0) {
        if (!create) return NULL;
        post[s].key = key;
        post_used++;
    }
    return &post[s];
}

/* Slot of id in the id map (found or free); caller holds a lock. */
static int id_slot(int64_t id) {
    int s = (int)(((uint64_t)id * 0x9E3779B97F4A7C15ULL) >> 20) & (id_cap - 1);
    while (id_key[s] && id_key[s] != id) s = (s + 1) & (id_cap - 1);
    return s;
}

/* Make room in the id map; caller holds the write lock. */
static int id_grow(void) {
    if (id_cap && (nent + 1) * 2 < id_cap) return 0;
    int old = id_cap, cap = id_cap ? id_cap * 2 : 1 << 12;
    int64_t *ok = id_key;
    int *op = id_pos;
    id_key = xcalloc((size_t)cap, sizeof *id_key);
    id_pos = xcalloc((size_t)cap, sizeof *id_pos);
    if (!id_key || !id_pos) {
        xfree(id_key);
        xfree(id_pos);
        id_key = ok;
        id_pos = op;
        return -1;
    }
    id_cap = cap;
    for (int i = 0; i < old; i++)
        if (ok[i]) {
            int s = id_slot(ok[i]);
            id_key[s] = ok[i];
            id_pos[s] = op[i];
        }
    xfree(ok);
    xfree(op);
    return 0;
}

/* Kill the live entry of id, if any; caller holds the write lock. */
static void kill_id(int64_t id) {
    if (id_cap == 0) return;
    int s = id_slot(id);
    if (id_key[s] == id) ent[id_pos[s]].live = 0;
}

void pindex_put(const json_t *p) {
    if (!started) return;
    pentry e;
    entry_from(&e, p);
    uint64_t keys[64];
    int nk = keys_of(&e, keys, 64);
    pthread_rwlock_wrlock(&lock);
    int ok = nent < capent;
    if (!ok) {
        int cap = capent ? capent * 2 : 1024;
        pentry *np = xrealloc(ent, (size_t)cap * sizeof *np);
        if (np) {
            ent = np;
            capent = cap;
            ok = 1;
        }
    }
    if (ok && id_grow() == 0) {
        kill_id(e.id);
        int pos = nent++;
        ent[pos] = e;
        int s = id_slot(e.id);
        id_key[s] = e.id;
        id_pos[s] = pos;
        for (int k = 0; k < nk; k++) {
            posting *ps = post_get(keys[k], 1);
            if (ps == NULL) break;
            if (ps->n && ps->v[ps->n - 1] == pos) continue;
            if (ps->n == ps->cap) {
                int cap = ps->cap ? ps->cap * 2 : 4;
                int *nv = xrealloc(ps->v, (size_t)cap * sizeof *nv);
                if (nv == NULL) break;
                ps->v = nv;
                ps->cap = cap;
            }
            ps->v[ps->n++] = pos;
        }
    } else {
        entry_free(&e);
    }
    pthread_rwlock_unlock(&lock);
}

void pindex_remove(int64_t id) {
    if (!started) return;
    pthread_rwlock_wrlock(&lock);
    kill_id(id);
    pthread_rwlock_unlock(&lock);
}

/* ---- scoring: fixed weights (log2 m/u) until per-node training lands ---- */

static const char *const name_levels[] = {"exact", "similar>=0.92", "similar>=0.80", "different"};
static const double name_w[] = {10.0, 7.0, 3.0, -4.0};
static const char *const dob_levels[] = {"exact",   "day_month_swapped", "year_month",
                                         "year+-1", "year+-5",           "different"};
static const double dob_w[] = {8.0, 5.0, 4.0, 2.5, 0.5, -3.0};
static const double prior = -12.0; /* about one in four thousand */

/* Best name similarity between two entries' variants (token order free). */
static double name_sim(const pentry *a, const pentry *b) {
    double best = 0;
    for (int i = 0; i < NAMES && a->name[i].n; i++)
        for (int j = 0; j < NAMES && b->name[j].n; j++) {
            double s = mt_token_set(a->name[i].u, a->name[i].n, b->name[j].u, b->name[j].n);
            if (s > best) best = s;
        }
    return best;
}

/* Score candidate c against query q; explanation appended to fields when not NULL. */
static double score(const pentry *q, const pentry *c, json_t *fields) {
    double w = prior;
    double s = name_sim(q, c);
    int l = s >= 0.99 ? 0 : s >= 0.92 ? 1 : s >= 0.80 ? 2 : 3;
    w += name_w[l];
    if (fields)
        json_array_append_new(fields,
                              json_pack("{ss ss sf sf}", "field", "name", "level", name_levels[l],
                                        "weight", name_w[l], "similarity", s));
    int dl = mt_date_level(&q->dob, &c->dob);
    double dw = dl == MT_DATE_MISSING ? 0 : dob_w[dl];
    w += dw;
    if (fields)
        json_array_append_new(fields, json_pack("{ss ss sf}", "field", "date_of_birth", "level",
                                                dl == MT_DATE_MISSING ? "missing" : dob_levels[dl],
                                                "weight", dw));
    if (q->nat[0] && c->nat[0]) {
        int same = strcmp(q->nat, c->nat) == 0;
        w += same ? 1.5 : -2.0;
        if (fields)
            json_array_append_new(fields, json_pack("{ss ss sf}", "field", "nationality", "level",
                                                    same ? "exact" : "different", "weight",
                                                    same ? 1.5 : -2.0));
    }
    if (q->sex && c->sex) {
        int same = q->sex == c->sex;
        w += same ? 1.0 : -4.0;
        if (fields)
            json_array_append_new(fields, json_pack("{ss ss sf}", "field", "sex", "level",
                                                    same ? "exact" : "different", "weight",
                                                    same ? 1.0 : -4.0));
    }
    return w;
}

typedef struct cand {
    int pos;  /* entry position */
    double w; /* weight */
} cand;

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    return x->w > y->w ? -1 : x->w < y->w;
}

json_t *pindex_query(const json_t *qj, int limit, double min_prob, kerr *e) {
    if (!started || !ready) {
        kerr_set(e, KNIT_ELIMIT, "index_building", "", "the person index is still being built");
        return NULL;
    }
    pentry q;
    entry_from(&q, qj);
    uint64_t keys[64];
    int nk = keys_of(&q, keys, 64);
    json_t *out = json_array();
    int *pos = NULL, npos = 0, cap = 0;
    cand *cs = NULL;
    pthread_rwlock_rdlock(&lock);
    for (int k = 0; k < nk; k++) {
        posting *ps = post_get(keys[k], 0);
        if (ps == NULL || ps->n > 20000) continue; /* a key that common blocks nothing */
        if (npos + ps->n > cap) {
            cap = (npos + ps->n) * 2;
            int *np = xrealloc(pos, (size_t)cap * sizeof *np);
            if (np == NULL) break;
            pos = np;
        }
        memcpy(pos + npos, ps->v, (size_t)ps->n * sizeof *pos);
        npos += ps->n;
    }
    if (npos) qsort(pos, (size_t)npos, sizeof *pos, cmp_int);
    cs = xmalloc((size_t)(npos ? npos : 1) * sizeof *cs);
    int nc = 0;
    for (int i = 0; cs && i < npos; i++) {
        if ((i && pos[i] == pos[i - 1]) || !ent[pos[i]].live) continue;
        double w = score(&q, &ent[pos[i]], NULL);
        if (1.0 / (1.0 + exp2(-w)) >= min_prob) cs[nc++] = (cand){pos[i], w};
    }
    if (cs) qsort(cs, (size_t)nc, sizeof *cs, cmp_cand);
    for (int i = 0; cs && out && i < nc && i < limit; i++) {
        json_t *fields = json_array();
        double w = score(&q, &ent[cs[i].pos], fields);
        json_array_append_new(out,
                              json_pack("{sI sf sf so}", "person_id", (json_int_t)ent[cs[i].pos].id,
                                        "match_probability", 1.0 / (1.0 + exp2(-w)), "match_weight",
                                        w, "fields", fields));
    }
    pthread_rwlock_unlock(&lock);
    xfree(pos);
    xfree(cs);
    entry_free(&q);
    if (out == NULL) kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
    return out;
}

/* Background build: every live person, loaded without audit (no disclosure). */
static void *build(void *arg) {
    (void)arg;
    sqlite3 *db;
    kerr e;
    if (db_open(build_path, 0, &db, &e)) {
        log_error("person index: %s", e.message);
        return NULL;
    }
    /* Batches of ids, each read in its own short transaction, so the build
    ** never holds a read snapshot long enough to stall WAL checkpoints. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM person WHERE deleted_at IS NULL AND id > ?"
                           " ORDER BY id LIMIT 1000",
                           -1, &st, NULL) == SQLITE_OK) {
        int64_t n = 0, t0 = mono_us(), last = 0, ids[1000];
        for (;;) {
            int k = 0;
            sqlite3_bind_int64(st, 1, last);
            while (k < 1000 && sqlite3_step(st) == SQLITE_ROW)
                ids[k++] = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
            if (k == 0 || stopping) break;
            last = ids[k - 1];
            for (int i = 0; i < k && !stopping; i++) {
                json_t *p;
                if (person_load_internal(db, ids[i], &p, &e) == KNIT_OK) {
                    pindex_put(p);
                    json_decref(p);
                    n++;
                }
            }
        }
        sqlite3_finalize(st);
        log_info("person index: %lld persons in %.1f s%s", (long long)n,
                 (double)(mono_us() - t0) / 1e6, stopping ? " (stopped)" : "");
    }
    db_close(db);
    pthread_rwlock_wrlock(&lock);
    ready = 1;
    pthread_rwlock_unlock(&lock);
    return NULL;
}

int pindex_start(const char *db_path) {
    if (started) return KNIT_OK;
    build_path = xstrdup(db_path);
    if (build_path == NULL) return KNIT_ENOMEM;
    started = 1;
    if (pthread_create(&builder, NULL, build, NULL) != 0) {
        started = 0;
        return KNIT_ERR;
    }
    return KNIT_OK;
}

int pindex_ready(void) {
    pthread_rwlock_rdlock(&lock);
    int r = ready;
    pthread_rwlock_unlock(&lock);
    return r;
}

void pindex_stop(void) {
    if (!started) return;
    stopping = 1;
    pthread_join(builder, NULL);
    stopping = 0;
    pthread_rwlock_wrlock(&lock);
    for (int i = 0; i < nent; i++) entry_free(&ent[i]);
    for (int i = 0; i < post_cap; i++) xfree(post[i].v);
    xfree(ent);
    xfree(post);
    xfree(id_key);
    xfree(id_pos);
    ent = NULL;
    post = NULL;
    id_key = NULL;
    id_pos = NULL;
    nent = capent = post_cap = post_used = id_cap = 0;
    ready = started = 0;
    xfree(build_path);
    build_path = NULL;
    pthread_rwlock_unlock(&lock);
    pthread_mutex_lock(&translit_lock);
    if (translit) utrans_close(translit);
    translit = NULL;
    pthread_mutex_unlock(&translit_lock);
}
