/* http_api.c - the JSON API: the record kinds it serves, query parameters,
 * routing. */
#include "http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "node/app/app.h"
#include "node/report/report.h"

const struct http__kind http__kinds[] = {
    {"observations", KIND_OBSERVATION},
    {"meetings", KIND_MEETING},
    {"trainings", KIND_TRAINING},
    {"carriers", KIND_CARRIER},
    {"contacts", KIND_CONTACT},
    {"postings", KIND_POSTING},
    {"tasks", KIND_TASK},
    {"acting-presidencies", KIND_ACTING_PRESIDENCY},
    {"chairs", KIND_CHAIR},
};

#define HTTP__NKINDS (sizeof(http__kinds) / sizeof(http__kinds[0]))

const struct http__kind *
http__kind(const char *plural)
{
    for (size_t i = 0; i < HTTP__NKINDS; i++)
        if (strcmp(http__kinds[i].hk_plural, plural) == 0)
            return &http__kinds[i];
    return NULL;
}

void
http__ok(struct http__resp *rs, int status)
{
    rs->rs_status = status;
    rs->rs_type = "application/json";
    textbuf_put(&rs->rs_body, "\n", 1);
}

/* ---- query parameters ---------------------------------------------------- */

const char *
http__query_param(struct http__req *rq, const char *name)
{
    for (size_t i = 0; i < rq->rq_nparams; i++)
        if (strcmp(rq->rq_params[i].hp_name, name) == 0) {
            rq->rq_params[i].hp_used = 1;
            return rq->rq_params[i].hp_value;
        }
    return NULL;
}

/* Every parameter must have been used: 0, or -1 with a 400 naming it. */
int
http__params_done(struct http__req *rq, struct http__resp *rs)
{
    for (size_t i = 0; i < rq->rq_nparams; i++)
        if (!rq->rq_params[i].hp_used) {
            http__error(rs, 400, "invalid-argument",
                        "query '%.60s': unknown parameter here",
                        rq->rq_params[i].hp_name);
            return -1;
        }
    return 0;
}

/* limit=N (1..max); dflt when absent. */
int
http__limit(struct http__req *rq, struct http__resp *rs, long dflt, long max,
            long *out)
{
    const char *v = http__query_param(rq, "limit");
    char *end;
    long n;

    *out = dflt;
    if (!v)
        return 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > max) {
        http__error(rs, 400, "invalid-argument",
                    "query 'limit': '%.40s' is not a number from 1 to %ld", v,
                    max);
        return -1;
    }
    *out = n;
    return 0;
}

/* ---- routing
 * ------------------------------------------------------------------- */

static const char *const api_changes[] = {"amend", "retract", "erase", NULL};

static int
api_method(struct http__req *rq, struct http__resp *rs, const char *want)
{
    if (strcmp(rq->rq_method, want) == 0 ||
        (strcmp(want, "GET") == 0 && strcmp(rq->rq_method, "HEAD") == 0))
        return 0;
    http__error(rs, 405, "method-not-allowed", "%.10s %.100s: use %s",
                rq->rq_method, rq->rq_path, want);
    return -1;
}

/* Read-only endpoints: borrow a connection, run fn, give it back. */
static void
api_read(struct http_server *s, struct http__req *rq, struct http__resp *rs,
         void (*fn)(struct home *, struct http__req *, struct http__resp *))
{
    struct home *h;

    if (api_method(rq, rs, "GET") != 0 || !(h = http__home_get(s, rs)))
        return;
    fn(h, rq, rs);
    http__home_put(s, h);
}

void
http__api(struct http_server *s, struct http__req *rq, struct http__resp *rs)
{
    char *seg[6], *save = NULL, *p, path[512];
    const struct http__kind *k;
    int n = 0;

    /* Tokenise a copy: messages name the path as requested. */
    snprintf(path, sizeof(path), "%s", rq->rq_path);
    for (p = strtok_r(path, "/", &save); p && n < 6;
         p = strtok_r(NULL, "/", &save))
        seg[n++] = p;
    if (p || n == 0 || strcmp(seg[0], "api") != 0 || n > 4)
        goto notfound;
    if (n == 1) {
        if (api_method(rq, rs, "GET") == 0) {
            textbuf_puts(&rs->rs_body,
                         "{\"api\":\"ilonet\",\"version\":1,\"docs\":"
                         "\"docs/API.md\"}");
            http__ok(rs, 200);
        }
        return;
    }
    /* sign-in, live updates and the desk: not record kinds */
    if (n == 2 && strcmp(seg[1], "session") == 0) {
        http__session(s, rq, rs);
        return;
    }
    if (n == 2 && strcmp(seg[1], "events") == 0) {
        http__events(s, rq, rs);
        return;
    }
    if (n == 3 && strcmp(seg[1], "report") == 0 &&
        strcmp(seg[2], "text") == 0) {
        if (api_method(rq, rs, "POST") == 0)
            http__report_text(s, rq, rs);
        return;
    }
    if (n == 3 && strcmp(seg[1], "desk") == 0 && strcmp(seg[2], "seen") == 0) {
        if (api_method(rq, rs, "POST") == 0)
            http__desk_seen(s, rq, rs);
        return;
    }
    if (n == 2 && strcmp(seg[1], "status") == 0) {
        struct home *h;

        if (api_method(rq, rs, "GET") != 0 || !(h = http__home_get(s, rs)))
            return;
        http__status(s, h, rq, rs);
        http__home_put(s, h);
        return;
    }
    if (n == 2) {
        static const struct {
            const char *name;
            void (*fn)(struct home *, struct http__req *, struct http__resp *);
        } reads[] = {{"stats", http__stats},   {"recent", http__recent},
                     {"grants", http__grants}, {"evidence", http__evidence},
                     {"search", http__search}, {"desk", http__desk},
                     {"vocab", http__vocab},   {"report", http__report}};
        for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
            if (strcmp(seg[1], reads[i].name) == 0) {
                api_read(s, rq, rs, reads[i].fn);
                return;
            }
    }
    if (n == 3 && strcmp(seg[1], "blobs") == 0) {
        struct home *h;

        if (api_method(rq, rs, "GET") != 0 || !(h = http__home_get(s, rs)))
            return;
        http__blob(h, seg[2], rq, rs);
        http__home_put(s, h);
        return;
    }
    if (!(k = http__kind(seg[1])))
        goto notfound;
    if (n == 2) {
        if (strcmp(rq->rq_method, "POST") == 0) {
            http__create(s, k, rq, rs);
        } else if (api_method(rq, rs, "GET") == 0) {
            struct home *h = http__home_get(s, rs);
            if (h) {
                http__list(h, k, rq, rs);
                http__home_put(s, h);
            }
        }
        return;
    }
    for (const char *c = seg[2]; *c; c++)
        if (!isxdigit((unsigned char)*c) || c - seg[2] >= 64) {
            http__error(rs, 400, "invalid-argument",
                        "%.80s: not a record id (hex, at least 6 digits, "
                        "unambiguous)",
                        seg[2]);
            return;
        }
    if (n == 3) {
        struct home *h;
        if (api_method(rq, rs, "GET") != 0 || !(h = http__home_get(s, rs)))
            return;
        http__show(h, k, seg[2], rq, rs);
        http__home_put(s, h);
        return;
    }
    for (size_t i = 0; api_changes[i]; i++)
        if (strcmp(seg[3], api_changes[i]) == 0) {
            if (api_method(rq, rs, "POST") == 0)
                http__change(s, k, seg[2],
                             i == 0   ? KIND_AMEND
                             : i == 1 ? KIND_RETRACT
                                      : KIND_ERASE,
                             rq, rs);
            return;
        }
    if (k->hk_kind == KIND_TASK)
        for (const char *const *t = app_task_transitions(); *t; t++)
            if (strcmp(seg[3], *t) == 0) {
                if (api_method(rq, rs, "POST") == 0)
                    http__task_status(s, k, seg[2], *t, rq, rs);
                return;
            }
notfound:
    http__error(rs, 404, "not-found", "no such endpoint: %.10s %.200s",
                rq->rq_method, rq->rq_path);
}
