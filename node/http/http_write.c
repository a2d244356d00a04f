/* http_write.c - the JSON API's writes, adapters over node/app. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "node/app/app.h"

struct api_body {
    size_t ab_n;
    struct json_field ab_f[JSON_FIELDS_MAX];
    char *ab_mem;
};

static int
api_body(struct http__req *rq, struct api_body *b, struct http__resp *rs)
{
    char why[256];
    int rc;

    memset(b, 0, sizeof(*b));
    if (rq->rq_body_len == 0)
        return 0; /* no body: no fields */
    rc = json_parse_flat(rq->rq_body, rq->rq_body_len, b->ab_f, JSON_FIELDS_MAX,
                         &b->ab_n, &b->ab_mem, why, sizeof(why));
    if (rc != 0) {
        http__error(rs, rc == ILONET_ENOMEM ? 503 : 400, ilonet_errname(rc),
                    "%s", why);
        return -1;
    }
    return 0;
}

/* Takes the field name out of the body (marks it consumed): its value,
 * or NULL. */
static const char *
api_take(struct api_body *b, const char *name)
{
    for (size_t i = 0; i < b->ab_n; i++)
        if (b->ab_f[i].jf_name && strcmp(b->ab_f[i].jf_name, name) == 0) {
            const char *v = b->ab_f[i].jf_null ? NULL : b->ab_f[i].jf_value;
            b->ab_f[i].jf_name = NULL;
            return v;
        }
    return NULL;
}

/* The fields left in the body as (name, text) pairs, into out (room for
 * JSON_FIELDS_MAX). A null value: absent when creating (skip_null), ""
 * otherwise (an amendment clears the field). Returns the count. */
static size_t
api_fields(const struct api_body *b, struct app_field *out, int skip_null)
{
    size_t n = 0;

    for (size_t i = 0; i < b->ab_n; i++) {
        const struct json_field *f = &b->ab_f[i];
        if (!f->jf_name || (skip_null && f->jf_null))
            continue;
        out[n].af_name = f->jf_name;
        out[n++].af_value = f->jf_null ? "" : f->jf_value;
    }
    return n;
}

/* A use case's error: {"error": code, "field": ..., "message": ...}
 * ("field" when the use case named one). */
static void
api_fail(struct http__resp *rs, const struct app_err *e)
{
    http__error_field(rs, app_err_http_status(e), ilonet_errname(e->ae_code),
                      e->ae_field, "%s", e->ae_msg);
}

/* The officer a write is made by: the signed-in one (cookie, user token),
 * none for the bootstrap token. */
static const char *
api_officer(const struct http__req *rq)
{
    return rq->rq_who->w_user[0] ? rq->rq_who->w_user : NULL;
}

/* 201 {"id": ..., "audience": ...}. */
static void
api_written(struct http__resp *rs, const struct app_written *w)
{
    char hex[2 * HASH_LEN + 1];

    hash_hex(w->aw_id, HASH_LEN, hex);
    textbuf_puts(&rs->rs_body, "{\"id\":");
    json_str(&rs->rs_body, hex);
    textbuf_puts(&rs->rs_body, ",\"audience\":");
    json_str(&rs->rs_body, w->aw_audience);
    textbuf_puts(&rs->rs_body, "}");
    http__ok(rs, 201);
}

/* POST /api/<kind>: creates a record (app_record_create). */
void
http__create(struct http_server *s, const struct http__kind *k,
             struct http__req *rq, struct http__resp *rs)
{
    struct app_field f[JSON_FIELDS_MAX];
    struct app_record_req req;
    struct api_body body;
    struct app_written w;
    struct app_err e;
    struct home *h = NULL;

    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    req.rq_kind = k->hk_kind;
    req.rq_audience = api_take(&body, "audience");
    req.rq_behalf = api_take(&body, "on-behalf-of");
    req.rq_fields = f;
    req.rq_nfields = api_fields(&body, f, 1);
    /* Every field is checked, under the vocabulary of the home's
     * network, before the store is touched. */
    if ((h = http__home_get(s, rs)) != NULL) {
        if (app_record_check(h->h_vocab, &req, &e) != 0 ||
            app_record_create_as(h, &req, api_officer(rq), &w, &e) != 0)
            api_fail(rs, &e);
        else
            api_written(rs, &w);
    }
    http__home_put(s, h);
    free(body.ab_mem);
}

/* POST /api/<kind>/<id>/amend|retract|erase (app_record_change). */
void
http__change(struct http_server *s, const struct http__kind *k, const char *id,
             uint32_t kind, struct http__req *rq, struct http__resp *rs)
{
    struct app_field f[JSON_FIELDS_MAX];
    struct app_change_req req;
    struct api_body body;
    struct app_written w;
    struct app_err e;
    struct home *h = NULL;

    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    req.cq_kind = kind;
    req.cq_record_kind = k->hk_kind;
    req.cq_id = id;
    req.cq_reason = kind != KIND_AMEND ? api_take(&body, "reason") : NULL;
    req.cq_fields = f;
    req.cq_nfields = api_fields(&body, f, 0);
    if (kind == KIND_AMEND && req.cq_nfields == 0)
        http__error(rs, 400, "invalid-argument",
                    "no field to amend: send {\"FIELD\": VALUE, ...}");
    else if ((h = http__home_get(s, rs)) != NULL) {
        /* an erasure's deferred WAL truncation completes when the node
         * lets it (docs/API.md) */
        if (app_change_check(h->h_vocab, &req, &e) != 0 ||
            app_record_change_as(h, &req, api_officer(rq), &w, &e) != 0)
            api_fail(rs, &e);
        else
            api_written(rs, &w);
    }
    http__home_put(s, h);
    free(body.ab_mem);
}

/* POST /api/tasks/<id>/accept|decline|start|done|cancel (app_task_status). */
void
http__task_status(struct http_server *s, const struct http__kind *k,
                  const char *id, const char *status, struct http__req *rq,
                  struct http__resp *rs)
{
    struct app_field f[JSON_FIELDS_MAX];
    struct app_task_req req;
    struct api_body body;
    struct app_written w;
    struct app_err e;
    struct home *h = NULL;

    (void)k; /* the route is /api/tasks: app_task_status finds tasks only */
    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    req.tq_id = id;
    req.tq_status = status;
    req.tq_note = api_take(&body, "note");
    req.tq_fields = f;
    req.tq_nfields = api_fields(&body, f, 0);
    if (app_task_check(&req, &e) != 0)
        api_fail(rs, &e);
    else if ((h = http__home_get(s, rs)) != NULL) {
        if (app_task_status_as(h, &req, api_officer(rq), &w, &e) != 0)
            api_fail(rs, &e);
        else
            api_written(rs, &w);
    }
    http__home_put(s, h);
    free(body.ab_mem);
}

/* POST /api/desk/seen: {"mark": M} (the desk's mark), or none for now. */
void
http__desk_seen(struct http_server *s, struct http__req *rq,
                struct http__resp *rs)
{
    struct api_body body;
    struct app_err e;
    struct home *h = NULL;
    char out[VIEW_MARK_MAX];
    const char *mark;

    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    mark = api_take(&body, "mark");
    for (size_t i = 0; i < body.ab_n; i++)
        if (body.ab_f[i].jf_name) {
            http__error_field(rs, 400, "invalid-argument", body.ab_f[i].jf_name,
                              "field '%.40s': only \"mark\" is taken here",
                              body.ab_f[i].jf_name);
            goto out;
        }
    if ((h = http__home_get(s, rs)) != NULL) {
        if (app_desk_seen(h, api_officer(rq), mark, out, &e) != 0) {
            api_fail(rs, &e);
        } else {
            textbuf_puts(&rs->rs_body, "{\"mark\":");
            json_str(&rs->rs_body, out);
            textbuf_puts(&rs->rs_body, "}");
            http__ok(rs, 200);
        }
    }
out:
    http__home_put(s, h);
    free(body.ab_mem);
}
