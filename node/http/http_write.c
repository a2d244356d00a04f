/* http_write.c - the JSON API's writes, adapters over node/app. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    if (w->aw_has_stub) {
        hash_hex(w->aw_stub, HASH_LEN, hex);
        textbuf_puts(&rs->rs_body, ",\"stub\":");
        json_str(&rs->rs_body, hex);
    }
    textbuf_puts(&rs->rs_body, "}");
    http__ok(rs, 201);
}

/* ---- creations: the group commit -----------------------------------------
 *
 * POST /api/<kind> is checked on the handler's thread (the body, then
 * every field under the vocabulary: a bad request is answered at once and
 * never waits), then queued with its handler aio, which stays with us (no
 * NNG thread waits for a commit). One writer thread with a store
 * connection of its own takes everything queued (at most
 * HTTP__WRITE_GROUP_MAX), creates it with app_record_create_many() in one
 * transaction (one commit), and answers each request: its own error, or,
 * when the commit failed, the group's error (nothing of it was written),
 * at once; its own id only once the write is on the disk. Requests that
 * arrive during a commit form the next group, so the group grows with the
 * load and a lone request is written at once, as before.
 *
 * The disk's sync overlaps the next group (app_record_defer_sync): the
 * writer commits without waiting for the disk and hands the group's
 * written requests to the syncers (HTTP__WRITE_SYNCERS threads); a free
 * syncer takes every group committed so far, syncs the store
 * (app_record_sync, which began after their commits returned) and only
 * then answers them. The disk takes several syncs at once about as fast
 * as one, so a sync no longer holds up the writer, nor one group the
 * next. Without syncers (no thread), or when the connection cannot defer,
 * each commit waits for the disk and the group is answered after it.
 *
 * Bounds: at most HTTP__WRITE_QUEUE_MAX requests wait (503 busy beyond);
 * one that has waited HTTP__WRITE_WAIT_MS without being taken is answered
 * 503 and not written (checked when the writer takes it and whenever a
 * request is queued). A request whose connection closes while it waits is
 * dropped unwritten (its aio's cancel function); once taken it is written
 * and answered whatever happens to the connection.
 */

struct http__wreq {
    struct http__wreq *wq_next;
    nng_aio *wq_aio;
    uint64_t wq_since; /* monotonic ms, when queued */
    struct app_record_req wq_req;
    struct app_written wq_out; /* written, waiting for the sync */
    struct app_field wq_f[JSON_FIELDS_MAX];
    char *wq_mem;                        /* the body's strings */
    char wq_officer[USERS_NAME_MAX + 1]; /* "" for none */
};

struct http__writes {
    struct http_server *wr_srv;
    pthread_t wr_thread;
    int wr_started;
    pthread_mutex_t wr_mtx;
    pthread_cond_t wr_cv; /* a request came, or stop */
    int wr_stop;          /* refuse new requests; the writer ends when the
                             queue is empty */
    struct http__wreq *wr_head, **wr_tail;
    size_t wr_n;
    /* committed, not synced yet (under wr_mtx) */
    pthread_cond_t wr_sync_cv; /* a group committed, or the writer ended */
    struct http__wreq *wr_sync_head, **wr_sync_tail;
    int wr_writer_done;
    pthread_t wr_syncers[HTTP__WRITE_SYNCERS];
    int wr_nsyncers;
    int wr_defer; /* the writer's connection defers its syncs (its thread) */
    /* the group being written (the writer's thread only) */
    struct http__wreq *wr_group[HTTP__WRITE_GROUP_MAX];
    struct app_record_item wr_items[HTTP__WRITE_GROUP_MAX];
};

static void
http__wreq_free(struct http__wreq *w)
{
    if (!w)
        return;
    free(w->wq_mem);
    free(w);
}

/* Answers w (any thread) and frees it. */
static void
http__wreq_answer(struct http__wreq *w, struct http__resp *rs)
{
    http__reply(w->wq_aio, rs);
    http__wreq_free(w);
}

static void
http__wreq_busy(struct http__wreq *w, const char *fmt, long n)
{
    struct http__resp rs;

    memset(&rs, 0, sizeof(rs));
    rs.rs_body.tb_max = HTTP__OUT_MAX;
    http__error(&rs, 503, "busy", fmt, n);
    http__wreq_answer(w, &rs);
    textbuf_free(&rs.rs_body);
}

/* Unlinks from the queue (under wr_mtx) every request that waited past
 * HTTP__WRITE_WAIT_MS, onto *out. */
static void
http__writes_expire(struct http__writes *wr, uint64_t now,
                    struct http__wreq **out)
{
    while (wr->wr_head && now >= wr->wr_head->wq_since + HTTP__WRITE_WAIT_MS) {
        struct http__wreq *w = wr->wr_head;
        wr->wr_head = w->wq_next;
        if (!wr->wr_head)
            wr->wr_tail = &wr->wr_head;
        wr->wr_n--;
        w->wq_next = *out;
        *out = w;
    }
}

static void
http__writes_expired(struct http__wreq *list)
{
    while (list) {
        struct http__wreq *w = list;
        list = w->wq_next;
        http__wreq_busy(w,
                        "not written: the store took over %ld ms to "
                        "take this write; send it again",
                        (long)HTTP__WRITE_WAIT_MS);
    }
}

/* Writes one group and answers each of its requests, or, when the
 * writer defers its syncs, hands the written ones to the syncers; the
 * result of app_record_create_many. h may be NULL (the store did not
 * open: fail is the answer for all). */
static int
http__writes_group(struct http__writes *wr, struct home *h,
                   const struct http__resp *fail, struct http__wreq **group,
                   struct app_record_item *items, size_t n)
{
    struct http__wreq *synced = NULL, **tail = &synced;
    struct http__resp rs;
    int rc = ILONET_EIO;

    for (size_t i = 0; i < n; i++) {
        memset(&items[i], 0, sizeof(items[i]));
        items[i].ri_req = &group[i]->wq_req;
        items[i].ri_officer =
            group[i]->wq_officer[0] ? group[i]->wq_officer : NULL;
    }
    if (h)
        rc = app_record_create_many(h, items, n);
    for (size_t i = 0; i < n; i++) {
        memset(&rs, 0, sizeof(rs));
        rs.rs_body.tb_max = HTTP__OUT_MAX;
        if (!h) {
            rs.rs_status = fail->rs_status;
            rs.rs_type = fail->rs_type;
            textbuf_put(&rs.rs_body, fail->rs_body.tb_data,
                        fail->rs_body.tb_len);
        } else if (items[i].ri_rc != 0) {
            api_fail(&rs, &items[i].ri_err);
        } else if (wr->wr_defer) {
            group[i]->wq_out = items[i].ri_out;
            group[i]->wq_next = NULL;
            *tail = group[i];
            tail = &group[i]->wq_next;
            continue; /* answered by a syncer */
        } else {
            api_written(&rs, &items[i].ri_out);
        }
        http__wreq_answer(group[i], &rs);
        textbuf_free(&rs.rs_body);
    }
    if (synced) {
        pthread_mutex_lock(&wr->wr_mtx);
        *wr->wr_sync_tail = synced;
        wr->wr_sync_tail = tail;
        pthread_cond_signal(&wr->wr_sync_cv);
        pthread_mutex_unlock(&wr->wr_mtx);
    }
    return rc;
}

/* A syncer: takes every group committed so far, syncs the store, answers
 * them; until the writer ended and nothing is left. */
static void *
http__syncer(void *arg)
{
    struct http__writes *wr = arg;
    struct http__wreq *list;
    struct http__resp rs;
    int rc;

    for (;;) {
        pthread_mutex_lock(&wr->wr_mtx);
        while (!wr->wr_sync_head && !wr->wr_writer_done)
            pthread_cond_wait(&wr->wr_sync_cv, &wr->wr_mtx);
        list = wr->wr_sync_head;
        wr->wr_sync_head = NULL;
        wr->wr_sync_tail = &wr->wr_sync_head;
        pthread_mutex_unlock(&wr->wr_mtx);
        if (!list)
            break; /* the writer ended, nothing left */
        /* begins after every commit of the list returned */
        rc = app_record_sync(wr->wr_srv->hs_dir);
        while (list) {
            struct http__wreq *w = list;
            list = w->wq_next;
            memset(&rs, 0, sizeof(rs));
            rs.rs_body.tb_max = HTTP__OUT_MAX;
            if (rc == 0)
                api_written(&rs, &w->wq_out);
            else
                http__error(&rs, 500, ilonet_errname(rc),
                            "store: the disk did not confirm this write "
                            "(%s): it may be lost; look for it before "
                            "sending it again",
                            ilonet_strerror(rc));
            http__wreq_answer(w, &rs);
            textbuf_free(&rs.rs_body);
        }
    }
    return NULL;
}

/* Gives the writer's connection back, waiting for the disk again; one
 * that cannot is closed, never pooled. */
static void
http__writer_put(struct http__writes *wr, struct home *h)
{
    if (h && wr->wr_defer && app_record_defer_sync(h, 0) != 0) {
        home_close(h);
        free(h);
        h = NULL;
    }
    wr->wr_defer = 0;
    http__home_put(wr->wr_srv, h);
}

/* The writer thread: one group after another until stopped and empty. */
static void *
http__writer(void *arg)
{
    struct http__writes *wr = arg;
    struct http_server *s = wr->wr_srv;
    struct http__wreq *expired;
    struct home *h = NULL;
    struct http__resp fail;
    size_t n;

    memset(&fail, 0, sizeof(fail));
    fail.rs_body.tb_max = HTTP__OUT_MAX;
    for (;;) {
        expired = NULL;
        pthread_mutex_lock(&wr->wr_mtx);
        while (!wr->wr_head && !wr->wr_stop)
            pthread_cond_wait(&wr->wr_cv, &wr->wr_mtx);
        if (!wr->wr_head) { /* stopping, and nothing left */
            pthread_mutex_unlock(&wr->wr_mtx);
            break;
        }
        http__writes_expire(wr, http__mono_ms(), &expired);
        for (n = 0; wr->wr_head && n < HTTP__WRITE_GROUP_MAX; n++) {
            wr->wr_group[n] = wr->wr_head;
            wr->wr_head = wr->wr_head->wq_next;
            wr->wr_n--;
        }
        if (!wr->wr_head)
            wr->wr_tail = &wr->wr_head;
        pthread_mutex_unlock(&wr->wr_mtx);
        http__writes_expired(expired);
        if (n == 0)
            continue;
        /* The writer's own connection, kept from group to group: opened
         * on first use, given back after a failed group (the pool closes
         * a connection left inside a transaction). */
        if (!h) {
            textbuf_free(&fail.rs_body);
            h = http__home_get(s, &fail);
            wr->wr_defer =
                h && wr->wr_nsyncers > 0 && app_record_defer_sync(h, 1) == 0;
        }
        if (http__writes_group(wr, h, &fail, wr->wr_group, wr->wr_items, n) !=
            0) {
            http__writer_put(wr, h);
            h = NULL;
        }
    }
    http__writer_put(wr, h);
    textbuf_free(&fail.rs_body);
    /* the syncers answer what is left, then end */
    pthread_mutex_lock(&wr->wr_mtx);
    wr->wr_writer_done = 1;
    pthread_cond_broadcast(&wr->wr_sync_cv);
    pthread_mutex_unlock(&wr->wr_mtx);
    return NULL;
}

static void
http__writes_cancel(nng_aio *aio, void *arg, int rv)
{
    struct http__writes *wr = arg;
    struct http__wreq **pp, *w = NULL;

    pthread_mutex_lock(&wr->wr_mtx);
    for (pp = &wr->wr_head; *pp; pp = &(*pp)->wq_next)
        if ((*pp)->wq_aio == aio) {
            w = *pp;
            *pp = w->wq_next;
            if (!*pp)
                wr->wr_tail = pp;
            wr->wr_n--;
            break;
        }
    pthread_mutex_unlock(&wr->wr_mtx);
    /* not found: the writer took it, writes it and answers it */
    if (w) {
        http__wreq_free(w);
        nng_aio_finish(aio, rv);
    }
}

int
http__writes_init(struct http_server *s)
{
    struct http__writes *wr = calloc(1, sizeof(*wr));

    if (!wr)
        return ILONET_ENOMEM;
    wr->wr_srv = s;
    wr->wr_tail = &wr->wr_head;
    wr->wr_sync_tail = &wr->wr_sync_head;
    pthread_mutex_init(&wr->wr_mtx, NULL);
    pthread_cond_init(&wr->wr_cv, NULL);
    pthread_cond_init(&wr->wr_sync_cv, NULL);
    /* fewer syncers (none) only make the writer wait for the disk */
    while (wr->wr_nsyncers < HTTP__WRITE_SYNCERS &&
           pthread_create(&wr->wr_syncers[wr->wr_nsyncers], NULL, http__syncer,
                          wr) == 0)
        wr->wr_nsyncers++;
    if (pthread_create(&wr->wr_thread, NULL, http__writer, wr) != 0) {
        pthread_mutex_lock(&wr->wr_mtx);
        wr->wr_writer_done = 1;
        pthread_cond_broadcast(&wr->wr_sync_cv);
        pthread_mutex_unlock(&wr->wr_mtx);
        for (int i = 0; i < wr->wr_nsyncers; i++)
            pthread_join(wr->wr_syncers[i], NULL);
        pthread_cond_destroy(&wr->wr_sync_cv);
        pthread_cond_destroy(&wr->wr_cv);
        pthread_mutex_destroy(&wr->wr_mtx);
        free(wr);
        return ILONET_EIO;
    }
    wr->wr_started = 1;
    s->hs_writes = wr;
    return 0;
}

void
http__writes_stop(struct http_server *s)
{
    struct http__writes *wr = s ? s->hs_writes : NULL;

    if (!wr)
        return;
    pthread_mutex_lock(&wr->wr_mtx);
    wr->wr_stop = 1;
    pthread_cond_broadcast(&wr->wr_cv);
    pthread_mutex_unlock(&wr->wr_mtx);
    /* the writer writes what is left in the queue, then ends; then the
     * syncers answer what it wrote: every held request is answered while
     * the server still runs */
    if (wr->wr_started) {
        pthread_join(wr->wr_thread, NULL);
        wr->wr_started = 0;
    }
    for (int i = 0; i < wr->wr_nsyncers; i++)
        pthread_join(wr->wr_syncers[i], NULL);
    wr->wr_nsyncers = 0;
}

void
http__writes_free(struct http_server *s)
{
    struct http__writes *wr = s ? s->hs_writes : NULL;

    if (!wr)
        return;
    http__writes_stop(s);
    pthread_cond_destroy(&wr->wr_sync_cv);
    pthread_cond_destroy(&wr->wr_cv);
    pthread_mutex_destroy(&wr->wr_mtx);
    free(wr);
    s->hs_writes = NULL;
}

/* Queues w for the writer (rs->rs_held), or answers 503 into rs (w stays
 * the caller's). */
static int
http__writes_queue(struct http_server *s, struct http__req *rq,
                   struct http__wreq *w, struct http__resp *rs)
{
    struct http__writes *wr = s->hs_writes;
    struct http__wreq *expired = NULL;
    uint64_t now = http__mono_ms();

    w->wq_aio = rq->rq_aio;
    w->wq_since = now;
    pthread_mutex_lock(&wr->wr_mtx);
    http__writes_expire(wr, now, &expired);
    if (wr->wr_stop || wr->wr_n >= HTTP__WRITE_QUEUE_MAX) {
        int stop = wr->wr_stop;
        pthread_mutex_unlock(&wr->wr_mtx);
        http__writes_expired(expired);
        if (stop)
            http__error(rs, 503, "busy", "the server is stopping");
        else
            http__error(rs, 503, "busy",
                        "%d writes wait already: send it again in a moment",
                        HTTP__WRITE_QUEUE_MAX);
        return -1;
    }
    /* Under wr_mtx: the cancel function (which takes it) cannot look for
     * w before it is queued, and http_stop sets wr_stop under it before
     * it stops the server, so the aio is not closed yet. */
    nng_aio_defer(w->wq_aio, http__writes_cancel, wr);
    w->wq_next = NULL;
    *wr->wr_tail = w;
    wr->wr_tail = &w->wq_next;
    wr->wr_n++;
    pthread_cond_signal(&wr->wr_cv);
    pthread_mutex_unlock(&wr->wr_mtx);
    http__writes_expired(expired);
    rs->rs_held = 1;
    return 0;
}

/* POST /api/<kind>: creates a record (app_record_create_many, through the
 * group commit above). */
void
http__create(struct http_server *s, const struct http__kind *k,
             struct http__req *rq, struct http__resp *rs)
{
    struct http__wreq *w = NULL;
    struct api_body body;
    struct app_err e;
    struct home *h;
    int rc;

    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    if (!(w = calloc(1, sizeof(*w)))) {
        http__error(rs, 503, "no-memory", "out of memory");
        free(body.ab_mem);
        return;
    }
    w->wq_mem = body.ab_mem; /* the fields point into it */
    w->wq_req.rq_kind = k->hk_kind;
    w->wq_req.rq_audience = api_take(&body, "audience");
    w->wq_req.rq_behalf = api_take(&body, "on-behalf-of");
    w->wq_req.rq_fields = w->wq_f;
    w->wq_req.rq_nfields = api_fields(&body, w->wq_f, 1);
    if (api_officer(rq))
        snprintf(w->wq_officer, sizeof(w->wq_officer), "%s", api_officer(rq));
    /* Every field is checked, under the vocabulary of the home's
     * network, before the request is queued. */
    if (!(h = http__home_get(s, rs)))
        goto fail;
    rc = app_record_check(h->h_vocab, &w->wq_req, &e);
    http__home_put(s, h);
    if (rc != 0) {
        api_fail(rs, &e);
        goto fail;
    }
    if (http__writes_queue(s, rq, w, rs) == 0)
        return; /* answered by the writer */
fail:
    http__wreq_free(w);
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

/* POST /api/report/text {"period", "section", "text"}: signs this state's
 * text for a narrative section of the report (app_report_text, the use
 * case of `ilonet report text`). 201 as for every write. */
void
http__report_text(struct http_server *s, struct http__req *rq,
                  struct http__resp *rs)
{
    const char *per, *sec, *text;
    struct api_body body;
    struct app_written w;
    struct app_err e;
    struct home *h = NULL;

    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    per = api_take(&body, "period");
    sec = api_take(&body, "section");
    text = api_take(&body, "text");
    for (size_t i = 0; i < body.ab_n; i++)
        if (body.ab_f[i].jf_name) {
            http__error_field(rs, 400, "invalid-argument", body.ab_f[i].jf_name,
                              "field '%.40s': unknown (period, section, "
                              "text)",
                              body.ab_f[i].jf_name);
            goto out;
        }
    if (!per || !sec || !text) {
        const char *f = !per ? "period" : !sec ? "section" : "text";
        http__error_field(rs, 400, "invalid-argument", f,
                          "field '%s': required", f);
        goto out;
    }
    if ((h = http__home_get(s, rs)) != NULL) {
        if (app_report_text(h, per, sec, text, strlen(text), &w, &e) != 0)
            api_fail(rs, &e);
        else
            api_written(rs, &w);
    }
    http__home_put(s, h);
out:
    free(body.ab_mem);
}
