/* http_events.c - live updates: long polls held until the store or the peers
 * change. */
#include "http_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "node/app/app.h"

/*
 * GET /api/events?since=CURSOR&wait=S. A cursor is "<mark>~<peers>": the
 * store's mark (storage/view/view_desk.h: the head of every log) and 8 hex
 * digits naming which peers are connected. A request whose cursor is
 * current is held: its handler aio stays with us (no thread waits for
 * it) until one watcher thread, which reads the store's data_version every
 * HTTP__WATCH_MS while anyone waits, sees the cursor move, or until its
 * deadline; then the answer goes out from the watcher's thread. At most
 * HTTP__WAITERS_MAX wait. The watcher has its own store connection.
 *
 * Shutdown: http_stop() stops the NNG server first, which closes every
 * connection and so calls each held aio's cancel function; a request that
 * arrives meanwhile is answered at once (ev_stop), never held.
 */

#define HTTP__CURSOR_MAX (VIEW_MARK_MAX + 16)

struct http__waiter {
    struct http__waiter *w_next;
    nng_aio *w_aio;
    char w_since[HTTP__CURSOR_MAX];
    uint64_t w_deadline; /* monotonic ms */
};

struct http__events {
    struct http_server *ev_srv;
    pthread_t ev_thread;
    int ev_started;
    pthread_mutex_t ev_mtx;
    pthread_cond_t ev_cv; /* a waiter came, or stop */
    int ev_stop;
    struct http__waiter *ev_list;
    size_t ev_n;
    struct home *ev_home; /* the watcher's connection (its thread only) */
};

uint64_t
http__mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
http__cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mtx, uint64_t ms)
{
    struct timespec ts;

    /* the condition variables keep the default clock: the wall's */
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, mtx, &ts);
}

/* ---- the cursor ---------------------------------------------------------- */

/* 8 hex digits naming which peers are connected, from the node's peer
 * table (node.c writes it with "node" before "connected" in each peer). */
static uint32_t
http__peers_digest(const char *json, size_t len)
{
    uint32_t h = 2166136261u;
    const char *p = json, *end = json + len;

    while (p && p < end) {
        const char *n = strstr(p, "\"node\":\"");
        const char *c = n ? strstr(n, "\"connected\":") : NULL;
        if (!n || !c || c >= end)
            break;
        for (const char *q = n + 8; q < end && *q != '"'; q++)
            h = (h ^ (uint8_t)*q) * 16777619u;
        h = (h ^ (uint8_t)c[12]) * 16777619u; /* 't' or 'f' */
        p = c + 12;
    }
    return h;
}

/* Where the node stands now: the cursor, and the peer table (malloc'd
 * JSON array, NULL when the node has written none). */
static int
http__now(struct home *h, char cursor[static HTTP__CURSOR_MAX], char **peers,
          size_t *plen, struct app_err *err)
{
    char mark[VIEW_MARK_MAX];
    uint8_t *p = NULL;
    size_t n = 0;
    int rc;

    if ((rc = app_mark(h, mark, err)) != 0)
        return rc;
    if ((rc = app_peers(h, &p, &n, err)) != 0)
        return rc;
    snprintf(cursor, HTTP__CURSOR_MAX, "%s~%08x", mark,
             p ? http__peers_digest((const char *)p, n) : 0u);
    if (peers) {
        *peers = (char *)p;
        *plen = n;
    } else {
        free(p);
    }
    return 0;
}

/* The mark part of a cursor into mark: 0, or -1 when it is not one. */
static int
http__cursor_mark(const char *cursor, char mark[static VIEW_MARK_MAX])
{
    const char *t = strrchr(cursor, '~');
    size_t n;

    if (!t || strlen(t + 1) != 8 || (n = (size_t)(t - cursor)) >= VIEW_MARK_MAX)
        return -1;
    for (const char *q = t + 1; *q; q++)
        if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
            return -1;
    memcpy(mark, cursor, n);
    mark[n] = '\0';
    return 0;
}

/* ---- answers ------------------------------------------------------------- */

struct http__rows {
    struct textbuf *r_b;
    size_t r_n;
};

static int
http__rows_row(void *arg, const struct view_row *row)
{
    struct http__rows *r = arg;

    textbuf_puts(r->r_b, r->r_n++ ? ",\n" : "");
    app_json_row(r->r_b, row, APP_JSON_KIND_NAME);
    return 0;
}

/* The peer table with "reachable" (connected now) in each peer. */
static void
http__peers_json(struct textbuf *b, const char *p, size_t n)
{
    static const char key[] = "\"connected\":";
    const char *end = p + n, *q;

    if (!p) {
        textbuf_puts(b, "[]");
        return;
    }
    while (p < end && (q = strstr(p, key)) && q < end) {
        int t = q[sizeof(key) - 1] == 't';
        size_t l = (size_t)(q - p) + sizeof(key) - 1 + (t ? 4 : 5);
        textbuf_put(b, p, l);
        textbuf_puts(b, t ? ",\"reachable\":true" : ",\"reachable\":false");
        p += l;
    }
    textbuf_put(b, p, (size_t)(end - p));
}

/* The answer for a request that asked since since ("" or NULL: none), as
 * the node stands now (cursor, peers). */
static void
http__answer(struct home *h, const char *since, const char *cursor,
             const char *peers, size_t plen, struct http__resp *rs)
{
    struct http__rows rows = {&rs->rs_body, 0};
    struct view_sink sink = {NULL, http__rows_row, &rows};
    char mark[VIEW_MARK_MAX];
    struct app_err err;
    uint64_t count = 0;
    int changed = !since || strcmp(since, cursor) != 0;

    textbuf_puts(&rs->rs_body, "{\"cursor\":");
    json_str(&rs->rs_body, cursor);
    textbuf_printf(&rs->rs_body, ",\"changed\":%s,\"new\":[",
                   changed ? "true" : "false");
    if (since && changed && http__cursor_mark(since, mark) == 0 &&
        app_since(h, mark, HTTP__EVENTS_NEW_MAX, &sink, &count, &err) != 0) {
        http__error(rs, app_err_http_status(&err), ilonet_errname(err.ae_code),
                    "store: %s", err.ae_msg);
        return;
    }
    textbuf_printf(&rs->rs_body,
                   "],\"count\":%llu,\"node\":\"online\","
                   "\"peers\":",
                   (unsigned long long)count);
    http__peers_json(&rs->rs_body, peers, plen);
    textbuf_puts(&rs->rs_body, "}");
    http__ok(rs, 200);
}

/* Answers a held request from the watcher's thread. */
static void
http__answer_held(struct home *h, struct http__waiter *w, const char *cursor,
                  const char *peers, size_t plen)
{
    struct http__resp rs;

    memset(&rs, 0, sizeof(rs));
    rs.rs_body.tb_max = HTTP__OUT_MAX;
    if (h)
        http__answer(h, w->w_since, cursor, peers, plen, &rs);
    else
        http__error(&rs, 503, "busy", "store: cannot open it now; ask again");
    http__reply(w->w_aio, &rs);
    textbuf_free(&rs.rs_body);
}

/* ---- holding ------------------------------------------------------------- */

static void
http__events_cancel(nng_aio *aio, void *arg, int rv)
{
    struct http__events *ev = arg;
    struct http__waiter **pp, *w = NULL;

    pthread_mutex_lock(&ev->ev_mtx);
    for (pp = &ev->ev_list; *pp; pp = &(*pp)->w_next)
        if ((*pp)->w_aio == aio) {
            w = *pp;
            *pp = w->w_next;
            ev->ev_n--;
            break;
        }
    pthread_mutex_unlock(&ev->ev_mtx);
    /* not found: the watcher took it and answers it */
    if (w) {
        free(w);
        nng_aio_finish(aio, rv);
    }
}

/* The watcher: while anyone waits, reads data_version every
 * HTTP__WATCH_MS and answers the requests whose cursor moved or whose
 * time is up. */
static void *
http__watch(void *arg)
{
    struct http__events *ev = arg;
    int64_t dv = -1;
    char cursor[HTTP__CURSOR_MAX] = "";
    char *peers = NULL;
    size_t plen = 0;

    pthread_mutex_lock(&ev->ev_mtx);
    while (!ev->ev_stop) {
        struct http__waiter *done = NULL, **pp;
        uint64_t now;
        int64_t v = -1;
        int fresh = 0;

        if (ev->ev_n == 0) {
            pthread_cond_wait(&ev->ev_cv, &ev->ev_mtx);
            continue;
        }
        pthread_mutex_unlock(&ev->ev_mtx);
        if (!ev->ev_home) {
            struct home *h = calloc(1, sizeof(*h));
            if (h && home_open(h, ev->ev_srv->hs_dir, HOME_STORE) == 0)
                ev->ev_home = h;
            else
                free(h);
        }
        if (ev->ev_home && store_data_version(ev->ev_home->h_store, &v) == 0 &&
            v != dv) {
            struct app_err err;
            char *np = NULL;
            size_t nl = 0;

            /* the node rewrites its peer table in the store too, so a
             * peer coming or going moves data_version as an entry does */
            if (http__now(ev->ev_home, cursor, &np, &nl, &err) == 0) {
                free(peers);
                peers = np;
                plen = nl;
                dv = v;
                fresh = 1;
            }
        }
        now = http__mono_ms();
        pthread_mutex_lock(&ev->ev_mtx);
        for (pp = &ev->ev_list; *pp;) {
            struct http__waiter *w = *pp;
            if ((fresh && strcmp(w->w_since, cursor) != 0) ||
                now >= w->w_deadline || !ev->ev_home) {
                *pp = w->w_next;
                ev->ev_n--;
                w->w_next = done;
                done = w;
            } else {
                pp = &w->w_next;
            }
        }
        pthread_mutex_unlock(&ev->ev_mtx);
        while (done) {
            struct http__waiter *w = done;
            done = w->w_next;
            http__answer_held(ev->ev_home, w, cursor, peers, plen);
            free(w);
        }
        pthread_mutex_lock(&ev->ev_mtx);
        if (!ev->ev_stop && ev->ev_n) {
            http__cond_wait_ms(&ev->ev_cv, &ev->ev_mtx, HTTP__WATCH_MS);
        }
    }
    pthread_mutex_unlock(&ev->ev_mtx);
    free(peers);
    if (ev->ev_home) {
        home_close(ev->ev_home);
        free(ev->ev_home);
        ev->ev_home = NULL;
    }
    return NULL;
}

int
http__events_init(struct http_server *s)
{
    struct http__events *ev = calloc(1, sizeof(*ev));

    if (!ev)
        return ILONET_ENOMEM;
    ev->ev_srv = s;
    pthread_mutex_init(&ev->ev_mtx, NULL);
    pthread_cond_init(&ev->ev_cv, NULL);
    if (pthread_create(&ev->ev_thread, NULL, http__watch, ev) != 0) {
        pthread_cond_destroy(&ev->ev_cv);
        pthread_mutex_destroy(&ev->ev_mtx);
        free(ev);
        return ILONET_EIO;
    }
    ev->ev_started = 1;
    s->hs_events = ev;
    return 0;
}

/* Refuses new holds (before the NNG server stops). */
static void
http__events_stopping(struct http__events *ev)
{
    pthread_mutex_lock(&ev->ev_mtx);
    ev->ev_stop = 1;
    pthread_cond_broadcast(&ev->ev_cv);
    pthread_mutex_unlock(&ev->ev_mtx);
}

void
http__events_free(struct http_server *s)
{
    struct http__events *ev = s ? s->hs_events : NULL;

    if (!ev)
        return;
    http__events_stopping(ev);
    if (ev->ev_started)
        pthread_join(ev->ev_thread, NULL);
    /* the server stopped first, so every held aio was cancelled; any left
     * (none expected) is ended here */
    while (ev->ev_list) {
        struct http__waiter *w = ev->ev_list;
        ev->ev_list = w->w_next;
        nng_aio_finish(w->w_aio, NNG_ECLOSED);
        free(w);
    }
    pthread_cond_destroy(&ev->ev_cv);
    pthread_mutex_destroy(&ev->ev_mtx);
    free(ev);
    s->hs_events = NULL;
}

void
http__events_stop(struct http_server *s)
{
    if (s && s->hs_events)
        http__events_stopping(s->hs_events);
}

void
http__events(struct http_server *s, struct http__req *rq, struct http__resp *rs)
{
    struct http__events *ev = s->hs_events;
    const char *since = http__query_param(rq, "since");
    const char *wait = http__query_param(rq, "wait");
    char cursor[HTTP__CURSOR_MAX], mark[VIEW_MARK_MAX], *peers = NULL;
    struct http__waiter *w;
    struct home *h;
    struct app_err err;
    size_t plen = 0;
    long secs = HTTP__WAIT_MAX_S;

    if (strcmp(rq->rq_method, "GET") != 0 &&
        strcmp(rq->rq_method, "HEAD") != 0) {
        http__error(rs, 405, "method-not-allowed", "%.10s %.100s: use GET",
                    rq->rq_method, rq->rq_path);
        return;
    }
    if (wait) {
        char *end;
        secs = strtol(wait, &end, 10);
        if (!*wait || *end || secs < 1 || secs > HTTP__WAIT_MAX_S) {
            http__error_field(rs, 400, "invalid-argument", "wait",
                              "query 'wait': '%.20s' is not a number of "
                              "seconds from 1 to %d",
                              wait, HTTP__WAIT_MAX_S);
            return;
        }
    }
    if (http__params_done(rq, rs) != 0)
        return;
    if (since &&
        (strlen(since) >= HTTP__CURSOR_MAX ||
         http__cursor_mark(since, mark) != 0 || !app_mark_valid(mark))) {
        http__error_field(rs, 400, "invalid-argument", "since",
                          "query 'since': not a cursor of this node (the "
                          "\"cursor\" of an earlier answer)");
        return;
    }
    if (!(h = http__home_get(s, rs)))
        return;
    if (http__now(h, cursor, &peers, &plen, &err) != 0) {
        http__error(rs, app_err_http_status(&err), ilonet_errname(err.ae_code),
                    "store: %s", err.ae_msg);
        goto out;
    }
    if (!since || strcmp(since, cursor) != 0) {
        http__answer(h, since, cursor, peers, plen, rs);
        goto out;
    }
    /* nothing new: hold the request */
    if (!(w = calloc(1, sizeof(*w)))) {
        http__error(rs, 503, "no-memory", "out of memory");
        goto out;
    }
    w->w_aio = rq->rq_aio;
    snprintf(w->w_since, sizeof(w->w_since), "%s", since);
    w->w_deadline = http__mono_ms() + (uint64_t)secs * 1000;
    pthread_mutex_lock(&ev->ev_mtx);
    if (ev->ev_stop || ev->ev_n >= HTTP__WAITERS_MAX) {
        int stop = ev->ev_stop;
        pthread_mutex_unlock(&ev->ev_mtx);
        free(w);
        if (stop)
            http__error(rs, 503, "busy", "the server is stopping");
        else
            http__error(rs, 503, "busy",
                        "%d requests wait already: ask again in a moment",
                        HTTP__WAITERS_MAX);
        goto out;
    }
    /* Under ev_mtx: the cancel function (which takes it) cannot look for
     * w before it is in the list, and http_stop sets ev_stop under it
     * before it stops the server, so the aio is not closed yet. */
    nng_aio_defer(w->w_aio, http__events_cancel, ev);
    w->w_next = ev->ev_list;
    ev->ev_list = w;
    ev->ev_n++;
    pthread_cond_signal(&ev->ev_cv);
    pthread_mutex_unlock(&ev->ev_mtx);
    rs->rs_held = 1;
out:
    free(peers);
    http__home_put(s, h);
}
