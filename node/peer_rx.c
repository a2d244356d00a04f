/* peer_rx.c - received bytes opened, deframed and decoded off the event loop.
 */
#include "peer.h"
#include "peer_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"

enum peer__step {
    PEER__X_HDR = 1, /* a BOXS_HEADER_LEN box header */
    PEER__X_BODY,    /* a box body of x_body_len bytes */
};

struct peer__rxs {
    struct peer_rx *x_rx; /* NULL: inline on the loop */
    uint8_t x_net[NET_ID_LEN];
    /* the worker's (the loop's when inline) */
    struct boxs x_dec;
    enum peer__step x_step;
    size_t x_need, x_have;
    uint8_t x_stage[BOXS_HEADER_LEN + BOXS_MAX_BODY];
    size_t x_body_len;
    uint8_t x_mac[BOXS_MAC_LEN];
    uint8_t x_lenb[4];
    size_t x_lenb_have;
    size_t x_msg_len, x_msg_have, x_msg_cap;
    uint8_t *x_msg;
    int x_done; /* after a fault or the goodbye: the rest is ignored */
    /* shared: under x_rx->r_mu */
    size_t x_queued; /* bytes in queued jobs and unhandled results */
    int x_mid;       /* a message is partly received */
    int x_dead;      /* detached: the last holder frees it */
    int x_busy;      /* the worker is feeding it now */
    int x_paused;
    /* the loop's */
    struct peer *x_peer;
};

/* Bytes received, waiting for the worker. */
struct peer__job {
    struct peer__job *j_next;
    struct peer__rxs *j_rxs;
    size_t j_len;
    uint8_t j_buf[];
};

struct peer_rx {
    uv_async_t r_async;
    pthread_t r_thread;
    pthread_mutex_t r_mu;
    pthread_cond_t r_cv;
    struct peer__job *r_jobs, *r_jobs_tail; /* guarded by r_mu */
    struct peer__res *r_done, *r_done_tail; /* guarded by r_mu */
    int r_stop;                             /* guarded by r_mu */
    int r_started;
    void (*r_after)(void *arg);
    void *r_arg;
};

/* What a result counts against its side's bound. */
static size_t
peer__res_cost(const struct peer__res *r)
{
    return r->r_kind == PEER__R_MSG ? r->r_len : 1;
}

void
peer__res_free(struct peer__res *r)
{
    if (!r)
        return;
    sync_msg_free(&r->r_sm);
    free(r->r_buf);
    free(r);
}

static void
peer__res_free_all(struct peer__res *r)
{
    while (r) {
        struct peer__res *next = r->r_next;
        peer__res_free(r);
        r = next;
    }
}

/* ---- the receive state machine (worker thread, or the loop inline) ----- */

struct peer__out {
    struct peer__res *o_head, *o_tail;
    int o_batch_bytes; /* bytes of a BATCH/EVIDENCE arrived in this feed */
};

static int
peer__emit(struct peer__rxs *x, struct peer__out *o, enum peer__rkind kind,
           int code, const char *why)
{
    struct peer__res *r = calloc(1, sizeof(*r));

    if (!r) {
        /* Out of memory: the connection cannot go on; a fault without a
         * strike would need a result too, so end it the only way left. */
        x->x_done = 1;
        return ILONET_ENOMEM;
    }
    r->r_rxs = x;
    r->r_kind = kind;
    r->r_code = code;
    r->r_why = why;
    if (o->o_tail)
        o->o_tail->r_next = r;
    else
        o->o_head = r;
    o->o_tail = r;
    return 0;
}

/* A fault below the sync layer: one result, and nothing after it. */
static int
peer__x_fault(struct peer__rxs *x, struct peer__out *o, int code,
              const char *why)
{
    peer__emit(x, o, PEER__R_FAULT, code, why);
    x->x_done = 1;
    return ILONET_ECLOSED;
}

/* A whole message is in x_msg: decode it into a result that takes the
 * buffer. */
static int
peer__x_message(struct peer__rxs *x, struct peer__out *o)
{
    struct peer__res *r;

    if (peer__emit(x, o, PEER__R_MSG, 0, NULL) != 0)
        return peer__x_fault(x, o, ILONET_ENOMEM, "memory");
    r = o->o_tail;
    r->r_buf = x->x_msg;
    r->r_len = x->x_msg_len;
    x->x_msg = NULL;
    x->x_msg_cap = 0;
    sync_decode(x->x_net, r->r_buf, r->r_len, &r->r_sm);
    return 0;
}

/* Decrypted box plaintext into the message deframer: each message is a
 * 4-byte big-endian length (1..PEER_MSG_MAX) and that many bytes. */
static int
peer__x_plain(struct peer__rxs *x, struct peer__out *o, const uint8_t *b,
              size_t n)
{
    while (n > 0) {
        size_t k;

        if (x->x_lenb_have < 4) {
            k = 4 - x->x_lenb_have;
            if (k > n)
                k = n;
            memcpy(x->x_lenb + x->x_lenb_have, b, k);
            x->x_lenb_have += k;
            b += k;
            n -= k;
            if (x->x_lenb_have < 4)
                return 0;
            x->x_msg_len = ((size_t)x->x_lenb[0] << 24) |
                           ((size_t)x->x_lenb[1] << 16) |
                           ((size_t)x->x_lenb[2] << 8) | x->x_lenb[3];
            /* The bound is checked before a byte is allocated for it. */
            if (x->x_msg_len == 0)
                return peer__x_fault(x, o, ILONET_EMALFORMED, "frame-empty");
            if (x->x_msg_len > PEER_MSG_MAX)
                return peer__x_fault(x, o, ILONET_ETOOBIG, "frame-too-big");
            x->x_msg_have = 0;
            continue;
        }
        k = x->x_msg_len - x->x_msg_have;
        if (k > n)
            k = n;
        /* Grow with the bytes actually received, not the claim. */
        if (x->x_msg_have + k > x->x_msg_cap) {
            size_t cap = x->x_msg_cap ? x->x_msg_cap : 65536;
            uint8_t *nm;
            while (cap < x->x_msg_have + k)
                cap *= 2;
            if (cap > x->x_msg_len)
                cap = x->x_msg_len;
            if (!(nm = realloc(x->x_msg, cap)))
                return peer__x_fault(x, o, ILONET_ENOMEM, "memory");
            x->x_msg = nm;
            x->x_msg_cap = cap;
        }
        memcpy(x->x_msg + x->x_msg_have, b, k);
        x->x_msg_have += k;
        b += k;
        n -= k;
        /* the type is the second byte (after the array header) */
        if (x->x_msg_have >= 2 &&
            (x->x_msg[1] == MSG_T_BATCH || x->x_msg[1] == MSG_T_EVIDENCE))
            o->o_batch_bytes = 1;
        if (x->x_msg_have < x->x_msg_len)
            return 0;
        x->x_lenb_have = 0;
        if (x->x_msg[1] == MSG_T_BATCH || x->x_msg[1] == MSG_T_EVIDENCE)
            o->o_batch_bytes = 0; /* the whole message counts for itself */
        if (peer__x_message(x, o) != 0)
            return ILONET_ECLOSED;
    }
    return 0;
}

/* One complete box piece (header or body) is in x_stage. */
static int
peer__x_box(struct peer__rxs *x, struct peer__out *o)
{
    int bye = 0, rc;

    if (x->x_step == PEER__X_HDR) {
        rc = boxs_open_header(&x->x_dec, x->x_stage, &x->x_body_len, x->x_mac,
                              &bye);
        if (rc != 0)
            return peer__x_fault(x, o, rc, "box-header");
        if (bye) {
            peer__emit(x, o, PEER__R_BYE, 0, NULL);
            x->x_done = 1;
            return ILONET_ECLOSED;
        }
        x->x_step = PEER__X_BODY;
        x->x_need = x->x_body_len;
        return 0;
    }
    rc = boxs_open_body(&x->x_dec, x->x_mac, x->x_stage, x->x_body_len,
                        x->x_stage);
    if (rc != 0)
        return peer__x_fault(x, o, rc, "box-body");
    x->x_step = PEER__X_HDR;
    x->x_need = BOXS_HEADER_LEN;
    return peer__x_plain(x, o, x->x_stage, x->x_body_len);
}

/* Feeds received bytes through boxes and frames into results. */
static void
peer__x_feed(struct peer__rxs *x, struct peer__out *o, const uint8_t *buf,
             size_t len)
{
    while (len > 0 && !x->x_done) {
        size_t k = x->x_need - x->x_have;
        if (k > len)
            k = len;
        memcpy(x->x_stage + x->x_have, buf, k);
        x->x_have += k;
        buf += k;
        len -= k;
        if (x->x_have < x->x_need)
            break;
        x->x_have = 0;
        if (peer__x_box(x, o) != 0)
            break;
    }
    /* Part of a batch came but not all of it: the link makes progress. */
    if (o->o_batch_bytes && !x->x_done)
        peer__emit(x, o, PEER__R_PROGRESS, 0, NULL);
}

static void
peer__x_wipe_free(struct peer__rxs *x)
{
    boxs_wipe(&x->x_dec);
    sodium_memzero(x->x_stage, sizeof(x->x_stage));
    free(x->x_msg);
    free(x);
}

/* ---- the worker thread --------------------------------------------------- */

static void *
peer__rx_main(void *arg)
{
    struct peer_rx *rx = arg;

    pthread_mutex_lock(&rx->r_mu);
    for (;;) {
        struct peer__job *j;
        struct peer__rxs *x;
        struct peer__out o;
        size_t cost = 0;

        while (!rx->r_jobs && !rx->r_stop)
            pthread_cond_wait(&rx->r_cv, &rx->r_mu);
        if (rx->r_stop)
            break;
        j = rx->r_jobs;
        if (!(rx->r_jobs = j->j_next))
            rx->r_jobs_tail = NULL;
        x = j->j_rxs;
        x->x_busy = 1;
        pthread_mutex_unlock(&rx->r_mu);

        memset(&o, 0, sizeof(o));
        peer__x_feed(x, &o, j->j_buf, j->j_len);
        for (struct peer__res *r = o.o_head; r; r = r->r_next)
            cost += peer__res_cost(r);

        pthread_mutex_lock(&rx->r_mu);
        x->x_busy = 0;
        if (x->x_dead) {
            /* detached while we fed it: nobody else holds it now */
            peer__res_free_all(o.o_head);
            peer__x_wipe_free(x);
        } else {
            x->x_queued -= j->j_len;
            x->x_queued += cost;
            x->x_mid = x->x_lenb_have != 0;
            /* Paused and drained, with nothing for the loop to handle
             * (the bytes were part of a message still incomplete): tell
             * the loop, or the connection would never read again. */
            if (!o.o_head && x->x_paused && x->x_queued <= PEER_RX_LOW &&
                peer__emit(x, &o, PEER__R_ROOM, 0, NULL) == 0)
                x->x_queued += peer__res_cost(o.o_head);
            if (o.o_head) {
                if (rx->r_done_tail)
                    rx->r_done_tail->r_next = o.o_head;
                else
                    rx->r_done = o.o_head;
                rx->r_done_tail = o.o_tail;
            }
        }
        free(j);
        if (o.o_head)
            uv_async_send(&rx->r_async); /* coalesces; thread-safe */
    }
    pthread_mutex_unlock(&rx->r_mu);
    return NULL;
}

/* Loop thread: hands every result waiting to its peer, one at a time (a
 * result may close its peer, which takes that peer's later results out
 * of the queue). */
static void
peer__rx_drain(uv_async_t *h)
{
    struct peer_rx *rx = h->data;

    for (;;) {
        struct peer__res *r;
        struct peer__rxs *x;
        struct peer *p;

        pthread_mutex_lock(&rx->r_mu);
        if ((r = rx->r_done) != NULL && !(rx->r_done = r->r_next))
            rx->r_done_tail = NULL;
        if (r) {
            x = r->r_rxs;
            x->x_queued -= peer__res_cost(r);
        }
        pthread_mutex_unlock(&rx->r_mu);
        if (!r)
            break;
        r->r_next = NULL;
        p = x->x_peer;
        /* p still open, so x too: read again once x has room */
        if (peer__rx_handle(p, r) == 0 && peer__rx_resumable(x))
            peer__rx_resume(p);
        peer__res_free(r);
    }
    if (rx->r_after)
        rx->r_after(rx->r_arg);
}

int
peer_rx_start(uv_loop_t *loop, void (*after)(void *arg), void *arg,
              struct peer_rx **out)
{
    struct peer_rx *rx;

    if (!loop || !out)
        return ILONET_EINVAL;
    if (!(rx = calloc(1, sizeof(*rx))))
        return ILONET_ENOMEM;
    if (pthread_mutex_init(&rx->r_mu, NULL) != 0) {
        free(rx);
        return ILONET_EIO;
    }
    if (pthread_cond_init(&rx->r_cv, NULL) != 0) {
        pthread_mutex_destroy(&rx->r_mu);
        free(rx);
        return ILONET_EIO;
    }
    if (uv_async_init(loop, &rx->r_async, peer__rx_drain) != 0) {
        pthread_cond_destroy(&rx->r_cv);
        pthread_mutex_destroy(&rx->r_mu);
        free(rx);
        return ILONET_EIO;
    }
    rx->r_async.data = rx;
    rx->r_after = after;
    rx->r_arg = arg;
    if (pthread_create(&rx->r_thread, NULL, peer__rx_main, rx) != 0) {
        /* the handle is the loop's now: closing it frees rx */
        peer_rx_stop(rx);
        return ILONET_EIO;
    }
    rx->r_started = 1;
    *out = rx;
    return 0;
}

static void
peer__rx_closed(uv_handle_t *h)
{
    struct peer_rx *rx = h->data;

    pthread_cond_destroy(&rx->r_cv);
    pthread_mutex_destroy(&rx->r_mu);
    free(rx);
}

void
peer_rx_stop(struct peer_rx *rx)
{
    struct peer__job *j;

    if (!rx)
        return;
    pthread_mutex_lock(&rx->r_mu);
    rx->r_stop = 1;
    pthread_cond_broadcast(&rx->r_cv);
    pthread_mutex_unlock(&rx->r_mu);
    if (rx->r_started)
        pthread_join(rx->r_thread, NULL);
    /* Every peer detached first, so nothing is left; be safe anyway. */
    while ((j = rx->r_jobs) != NULL) {
        rx->r_jobs = j->j_next;
        free(j);
    }
    peer__res_free_all(rx->r_done);
    rx->r_done = rx->r_done_tail = NULL;
    uv_close((uv_handle_t *)&rx->r_async, peer__rx_closed);
}

/* ---- a connection's side (loop thread) ---------------------------------- */

int
peer__rx_attach(struct peer_rx *rx, const uint8_t net[NET_ID_LEN],
                const struct boxs *dec, struct peer *p, struct peer__rxs **out)
{
    struct peer__rxs *x = calloc(1, sizeof(*x));

    if (!x)
        return ILONET_ENOMEM;
    x->x_rx = rx;
    memcpy(x->x_net, net, NET_ID_LEN);
    x->x_dec = *dec;
    x->x_step = PEER__X_HDR;
    x->x_need = BOXS_HEADER_LEN;
    x->x_peer = p;
    *out = x;
    return 0;
}

int
peer__rx_in(struct peer__rxs *x, const uint8_t *buf, size_t len, int *pause)
{
    struct peer_rx *rx = x->x_rx;
    struct peer__job *j;

    *pause = 0;
    if (!rx) {
        struct peer__out o;
        struct peer__res *r, *next;
        int rc = 0;

        memset(&o, 0, sizeof(o));
        peer__x_feed(x, &o, buf, len);
        x->x_mid = x->x_lenb_have != 0;
        for (r = o.o_head; r; r = next) {
            next = r->r_next;
            r->r_next = NULL;
            if (rc == 0)
                rc = peer__rx_handle(x->x_peer, r);
            peer__res_free(r);
        }
        return rc; /* ECLOSED: x is gone with its peer */
    }
    if (!(j = malloc(sizeof(*j) + len)))
        return ILONET_ENOMEM;
    j->j_next = NULL;
    j->j_rxs = x;
    j->j_len = len;
    memcpy(j->j_buf, buf, len);
    pthread_mutex_lock(&rx->r_mu);
    if (rx->r_jobs_tail)
        rx->r_jobs_tail->j_next = j;
    else
        rx->r_jobs = j;
    rx->r_jobs_tail = j;
    x->x_queued += len;
    if (x->x_queued > PEER_RX_HIGH)
        *pause = x->x_paused = 1;
    pthread_cond_signal(&rx->r_cv);
    pthread_mutex_unlock(&rx->r_mu);
    return 0;
}

int
peer__rx_resumable(struct peer__rxs *x)
{
    int r;

    if (!x->x_rx)
        return 0;
    pthread_mutex_lock(&x->x_rx->r_mu);
    r = x->x_paused && x->x_queued <= PEER_RX_LOW;
    if (r)
        x->x_paused = 0;
    pthread_mutex_unlock(&x->x_rx->r_mu);
    return r;
}

int
peer__rx_idle(struct peer__rxs *x)
{
    int idle;

    if (!x->x_rx)
        return !x->x_mid;
    pthread_mutex_lock(&x->x_rx->r_mu);
    idle = x->x_queued == 0 && !x->x_mid;
    pthread_mutex_unlock(&x->x_rx->r_mu);
    return idle;
}

/* Takes out of list *head every result of x (freed). */
static void
peer__res_drop(struct peer__res **head, struct peer__res **tail,
               const struct peer__rxs *x)
{
    struct peer__res *r = *head, *prev = NULL;

    while (r) {
        struct peer__res *next = r->r_next;
        if (r->r_rxs == x) {
            if (prev)
                prev->r_next = next;
            else
                *head = next;
            peer__res_free(r);
        } else {
            prev = r;
        }
        r = next;
    }
    *tail = prev;
}

void
peer__rx_detach(struct peer__rxs *x)
{
    struct peer_rx *rx;
    struct peer__job *j, *prev = NULL, *next;
    int free_now;

    if (!x)
        return;
    if (!(rx = x->x_rx)) {
        peer__x_wipe_free(x);
        return;
    }
    pthread_mutex_lock(&rx->r_mu);
    x->x_dead = 1;
    for (j = rx->r_jobs; j; j = next) {
        next = j->j_next;
        if (j->j_rxs == x) {
            if (prev)
                prev->j_next = next;
            else
                rx->r_jobs = next;
            free(j);
        } else {
            prev = j;
        }
    }
    rx->r_jobs_tail = prev;
    peer__res_drop(&rx->r_done, &rx->r_done_tail, x);
    free_now = !x->x_busy;
    pthread_mutex_unlock(&rx->r_mu);
    if (free_now)
        peer__x_wipe_free(x);
}
