/* net.c - NNG stream completions handed to the libuv loop through one FIFO. */
#include "net.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>

#include "crypto/error.h"

#define NET__DIAL_TIMEOUT_MS 5000

enum net__kind {
    NET__EV_ACCEPT = 1,
    NET__EV_DIAL,
    NET__EV_RECV,
    NET__EV_SEND,
    NET__EV_FREE,
};

/* One completion. Embedded in the object whose aio completed: an aio has
 * at most one operation in flight, so its event is queued at most once. */
struct net__ev {
    struct net__ev *ev_next;
    enum net__kind ev_kind;
    void *ev_obj;
    int ev_rc;             /* NNG result */
    size_t ev_count;       /* bytes moved */
    nng_stream *ev_stream; /* accept / dial output */
};

struct net_conn {
    struct net *c_net;
    struct net_conn *c_next, *c_prev; /* n_conns */
    nng_stream *c_stream;
    nng_aio *c_raio, *c_saio;
    struct net__ev c_rev, c_sev, c_fev;
    int c_closed, c_reading, c_sending;
    const uint8_t *c_sbuf; /* rest of the current send */
    size_t c_sleft;
    uint64_t c_in, c_out;
    void *c_data;
    char c_addr[64];
    uint8_t c_rbuf[NET_RECV_CHUNK];
};

struct net_dialer {
    struct net *d_net;
    struct net_dialer *d_next;
    nng_stream_dialer *d_dialer;
    nng_aio *d_aio;
    struct net__ev d_ev;
    int d_busy;
    int d_last_rv;
    void *d_data;
};

struct net {
    uv_loop_t *n_loop;
    uv_async_t n_async;
    pthread_mutex_t n_mu;
    struct net__ev *n_head, *n_tail; /* guarded by n_mu */
    struct net_callbacks n_cb;
    nng_stream_listener *n_listener;
    nng_aio *n_laio;
    struct net__ev n_lev;
    struct net_conn *n_conns;
    struct net_dialer *n_dialers;
    uint64_t n_in, n_out;
    int n_closing;
};

static int
net__err(int rv)
{
    switch (rv) {
    case 0: return 0;
    case NNG_ECLOSED:
    case NNG_ECONNSHUT:
    case NNG_ECANCELED: return ILONET_ECLOSED;
    case NNG_ETIMEDOUT: return ILONET_ETIMEOUT;
    case NNG_ENOMEM: return ILONET_ENOMEM;
    case NNG_EINVAL:
    case NNG_EADDRINVAL: return ILONET_EINVAL;
    default: return ILONET_EIO;
    }
}

/* ---- the FIFO (any thread) ---------------------------------------------- */

static void
net__push(struct net *n, struct net__ev *ev)
{
    ev->ev_next = NULL;
    pthread_mutex_lock(&n->n_mu);
    if (n->n_tail)
        n->n_tail->ev_next = ev;
    else
        n->n_head = ev;
    n->n_tail = ev;
    pthread_mutex_unlock(&n->n_mu);
    uv_async_send(&n->n_async);
}

static struct net__ev *
net__take_all(struct net *n)
{
    struct net__ev *h;

    pthread_mutex_lock(&n->n_mu);
    h = n->n_head;
    n->n_head = n->n_tail = NULL;
    pthread_mutex_unlock(&n->n_mu);
    return h;
}

/* NNG threads: record the result, queue, wake the loop. Nothing else. */
static void
net__accept_cb(void *arg)
{
    struct net *n = arg;
    struct net__ev *ev = &n->n_lev;

    ev->ev_rc = nng_aio_result(n->n_laio);
    ev->ev_stream = ev->ev_rc == 0 ? nng_aio_get_output(n->n_laio, 0) : NULL;
    net__push(n, ev);
}

static void
net__dial_cb(void *arg)
{
    struct net_dialer *d = arg;
    struct net__ev *ev = &d->d_ev;

    ev->ev_rc = nng_aio_result(d->d_aio);
    ev->ev_stream = ev->ev_rc == 0 ? nng_aio_get_output(d->d_aio, 0) : NULL;
    net__push(d->d_net, ev);
}

static void
net__recv_cb(void *arg)
{
    struct net_conn *c = arg;

    c->c_rev.ev_rc = nng_aio_result(c->c_raio);
    c->c_rev.ev_count = nng_aio_count(c->c_raio);
    net__push(c->c_net, &c->c_rev);
}

static void
net__send_cb(void *arg)
{
    struct net_conn *c = arg;

    c->c_sev.ev_rc = nng_aio_result(c->c_saio);
    c->c_sev.ev_count = nng_aio_count(c->c_saio);
    net__push(c->c_net, &c->c_sev);
}

/* ---- conns (loop thread) ------------------------------------------------ */

static void
net__conn_free(struct net_conn *c)
{
    struct net *n = c->c_net;

    if (c->c_prev)
        c->c_prev->c_next = c->c_next;
    else
        n->n_conns = c->c_next;
    if (c->c_next)
        c->c_next->c_prev = c->c_prev;
    /* Stopped in net_conn_close: these neither block nor call back. */
    nng_aio_free(c->c_raio);
    nng_aio_free(c->c_saio);
    nng_stream_free(c->c_stream);
    free(c);
}

static void
net__addr(nng_stream *s, char *out, size_t cap)
{
    nng_sockaddr sa;
    char ip[INET6_ADDRSTRLEN] = "?";

    snprintf(out, cap, "?");
    if (nng_stream_get_addr(s, NNG_OPT_REMADDR, &sa) != 0)
        return;
    if (sa.s_family == NNG_AF_INET) {
        inet_ntop(AF_INET, &sa.s_in.sa_addr, ip, sizeof(ip));
        snprintf(out, cap, "%s:%u", ip, ntohs(sa.s_in.sa_port));
    } else if (sa.s_family == NNG_AF_INET6) {
        inet_ntop(AF_INET6, sa.s_in6.sa_addr, ip, sizeof(ip));
        snprintf(out, cap, "[%s]:%u", ip, ntohs(sa.s_in6.sa_port));
    }
}

/* Wraps a new stream; on failure the stream is freed. */
static struct net_conn *
net__conn_new(struct net *n, nng_stream *s)
{
    struct net_conn *c = calloc(1, sizeof(*c));

    if (!c || nng_aio_alloc(&c->c_raio, net__recv_cb, c) != 0 ||
        nng_aio_alloc(&c->c_saio, net__send_cb, c) != 0) {
        if (c) {
            nng_aio_free(c->c_raio);
            free(c);
        }
        nng_stream_close(s);
        nng_stream_free(s);
        return NULL;
    }
    c->c_net = n;
    c->c_stream = s;
    c->c_rev = (struct net__ev){NULL, NET__EV_RECV, c, 0, 0, NULL};
    c->c_sev = (struct net__ev){NULL, NET__EV_SEND, c, 0, 0, NULL};
    c->c_fev = (struct net__ev){NULL, NET__EV_FREE, c, 0, 0, NULL};
    nng_stream_set_bool(s, NNG_OPT_TCP_NODELAY, true);
    nng_stream_set_bool(s, NNG_OPT_TCP_KEEPALIVE, true);
    net__addr(s, c->c_addr, sizeof(c->c_addr));
    c->c_next = n->n_conns;
    if (n->n_conns)
        n->n_conns->c_prev = c;
    n->n_conns = c;
    return c;
}

int
net_conn_recv(struct net_conn *c)
{
    nng_iov iov;

    if (!c || c->c_closed)
        return ILONET_ECLOSED;
    if (c->c_reading)
        return ILONET_EBUSY;
    iov.iov_buf = c->c_rbuf;
    iov.iov_len = sizeof(c->c_rbuf);
    if (nng_aio_set_iov(c->c_raio, 1, &iov) != 0)
        return ILONET_EINVAL;
    c->c_reading = 1;
    nng_stream_recv(c->c_stream, c->c_raio);
    return 0;
}

static void
net__send_more(struct net_conn *c)
{
    nng_iov iov;

    iov.iov_buf = (void *)c->c_sbuf;
    iov.iov_len = c->c_sleft;
    nng_aio_set_iov(c->c_saio, 1, &iov);
    nng_stream_send(c->c_stream, c->c_saio);
}

int
net_conn_send(struct net_conn *c, const uint8_t *buf, size_t len)
{
    if (!c || c->c_closed)
        return ILONET_ECLOSED;
    if (!buf || len == 0)
        return ILONET_EINVAL;
    if (c->c_sending)
        return ILONET_EBUSY;
    c->c_sending = 1;
    c->c_sbuf = buf;
    c->c_sleft = len;
    net__send_more(c);
    return 0;
}

int
net_conn_sending(const struct net_conn *c)
{
    return c->c_sending;
}

void
net_conn_close(struct net_conn *c)
{
    if (!c || c->c_closed)
        return;
    c->c_closed = 1;
    /* Abort what is in flight and wait for those callbacks (they only
     * queue an event, so this is short); then the free event goes behind
     * every event that names c. */
    nng_aio_stop(c->c_raio);
    nng_aio_stop(c->c_saio);
    nng_stream_close(c->c_stream);
    net__push(c->c_net, &c->c_fev);
}

void
net_conn_set_data(struct net_conn *c, void *data)
{
    c->c_data = data;
}

void *
net_conn_data(const struct net_conn *c)
{
    return c->c_data;
}

const char *
net_conn_addr(const struct net_conn *c)
{
    return c->c_addr;
}

void
net_conn_counts(const struct net_conn *c, uint64_t *in, uint64_t *out)
{
    *in = c->c_in;
    *out = c->c_out;
}

void
net_counts(const struct net *n, uint64_t *in, uint64_t *out)
{
    *in = n->n_in;
    *out = n->n_out;
}

/* ---- dispatch (loop thread) --------------------------------------------- */

static void
net__on_accept(struct net *n, struct net__ev *ev)
{
    struct net_conn *c;

    if (ev->ev_rc == 0 && ev->ev_stream) {
        if ((c = net__conn_new(n, ev->ev_stream)) != NULL && n->n_cb.on_accept)
            n->n_cb.on_accept(n->n_cb.arg, c);
    }
    ev->ev_stream = NULL;
    /* Keep accepting unless the listener is gone. */
    if (!n->n_closing && ev->ev_rc != NNG_ECLOSED && n->n_listener)
        nng_stream_listener_accept(n->n_listener, n->n_laio);
}

static void
net__on_dial(struct net *n, struct net__ev *ev)
{
    struct net_dialer *d = ev->ev_obj;
    struct net_conn *c = NULL;
    int err = net__err(ev->ev_rc);

    d->d_busy = 0;
    d->d_last_rv = ev->ev_rc;
    if (ev->ev_rc == 0 && ev->ev_stream) {
        c = net__conn_new(n, ev->ev_stream);
        if (!c)
            err = ILONET_ENOMEM;
    }
    ev->ev_stream = NULL;
    if (n->n_cb.on_dial)
        n->n_cb.on_dial(n->n_cb.arg, d, c, err);
}

static void
net__on_recv(struct net *n, struct net__ev *ev)
{
    struct net_conn *c = ev->ev_obj;

    c->c_reading = 0;
    if (c->c_closed)
        return;
    if (ev->ev_rc == 0 && ev->ev_count > 0) {
        c->c_in += ev->ev_count;
        n->n_in += ev->ev_count;
        n->n_cb.on_recv(n->n_cb.arg, c, c->c_rbuf, ev->ev_count, 0);
    } else {
        n->n_cb.on_recv(n->n_cb.arg, c, NULL, 0,
                        ev->ev_rc ? net__err(ev->ev_rc) : ILONET_ECLOSED);
    }
}

static void
net__on_send(struct net *n, struct net__ev *ev)
{
    struct net_conn *c = ev->ev_obj;

    if (c->c_closed) {
        c->c_sending = 0;
        return;
    }
    if (ev->ev_rc == 0) {
        size_t k = ev->ev_count < c->c_sleft ? ev->ev_count : c->c_sleft;
        c->c_out += k;
        n->n_out += k;
        c->c_sbuf += k;
        c->c_sleft -= k;
        if (c->c_sleft > 0 && k > 0) {
            net__send_more(c);
            return;
        }
    }
    c->c_sending = 0;
    c->c_sbuf = NULL;
    c->c_sleft = 0;
    n->n_cb.on_sent(n->n_cb.arg, c, ev->ev_rc ? net__err(ev->ev_rc) : 0);
}

static void
net__drain(uv_async_t *h)
{
    struct net *n = h->data;
    struct net__ev *ev;

    while ((ev = net__take_all(n)) != NULL) {
        while (ev) {
            struct net__ev *next = ev->ev_next;
            switch (ev->ev_kind) {
            case NET__EV_ACCEPT: net__on_accept(n, ev); break;
            case NET__EV_DIAL: net__on_dial(n, ev); break;
            case NET__EV_RECV: net__on_recv(n, ev); break;
            case NET__EV_SEND: net__on_send(n, ev); break;
            case NET__EV_FREE: net__conn_free(ev->ev_obj); break;
            }
            ev = next;
        }
    }
}

/* ---- setup and teardown ------------------------------------------------- */

int
net_new(struct net **out, uv_loop_t *loop, const struct net_callbacks *cb)
{
    struct net *n;

    if (!out || !loop || !cb || !cb->on_recv || !cb->on_sent)
        return ILONET_EINVAL;
    if (!(n = calloc(1, sizeof(*n))))
        return ILONET_ENOMEM;
    n->n_loop = loop;
    n->n_cb = *cb;
    n->n_lev = (struct net__ev){NULL, NET__EV_ACCEPT, n, 0, 0, NULL};
    if (pthread_mutex_init(&n->n_mu, NULL) != 0) {
        free(n);
        return ILONET_EIO;
    }
    if (uv_async_init(loop, &n->n_async, net__drain) != 0) {
        pthread_mutex_destroy(&n->n_mu);
        free(n);
        return ILONET_EIO;
    }
    n->n_async.data = n;
    *out = n;
    return 0;
}

int
net_listen(struct net *n, const char *url)
{
    int rv;

    if (!n || !url || n->n_listener)
        return ILONET_EINVAL;
    if ((rv = nng_stream_listener_alloc(&n->n_listener, url)) != 0) {
        n->n_listener = NULL;
        return net__err(rv);
    }
    if ((rv = nng_aio_alloc(&n->n_laio, net__accept_cb, n)) != 0 ||
        (rv = nng_stream_listener_listen(n->n_listener)) != 0) {
        nng_aio_free(n->n_laio);
        n->n_laio = NULL;
        nng_stream_listener_free(n->n_listener);
        n->n_listener = NULL;
        return rv == NNG_EADDRINUSE ? ILONET_EEXIST : net__err(rv);
    }
    nng_stream_listener_accept(n->n_listener, n->n_laio);
    return 0;
}

int
net_dialer_new(struct net *n, const char *url, void *data,
               struct net_dialer **out)
{
    struct net_dialer *d;
    int rv;

    if (!n || !url || !out)
        return ILONET_EINVAL;
    if (!(d = calloc(1, sizeof(*d))))
        return ILONET_ENOMEM;
    if ((rv = nng_stream_dialer_alloc(&d->d_dialer, url)) != 0) {
        free(d);
        return net__err(rv);
    }
    if ((rv = nng_aio_alloc(&d->d_aio, net__dial_cb, d)) != 0) {
        nng_stream_dialer_free(d->d_dialer);
        free(d);
        return net__err(rv);
    }
    nng_aio_set_timeout(d->d_aio, NET__DIAL_TIMEOUT_MS);
    d->d_net = n;
    d->d_data = data;
    d->d_ev = (struct net__ev){NULL, NET__EV_DIAL, d, 0, 0, NULL};
    d->d_next = n->n_dialers;
    n->n_dialers = d;
    *out = d;
    return 0;
}

void *
net_dialer_data(const struct net_dialer *d)
{
    return d->d_data;
}

const char *
net_dialer_error(const struct net_dialer *d)
{
    return d->d_last_rv ? nng_strerror(d->d_last_rv) : "";
}

int
net_dial(struct net_dialer *d)
{
    if (!d || d->d_net->n_closing)
        return ILONET_ECLOSED;
    if (d->d_busy)
        return ILONET_EBUSY;
    d->d_busy = 1;
    nng_stream_dialer_dial(d->d_dialer, d->d_aio);
    return 0;
}

static void
net__async_closed(uv_handle_t *h)
{
    struct net *n = h->data;

    pthread_mutex_destroy(&n->n_mu);
    free(n);
}

void
net_close(struct net *n)
{
    struct net__ev *ev;

    if (!n || n->n_closing)
        return;
    n->n_closing = 1;
    /* 1. stop every aio (waits for callbacks in flight), 2. close the
     * streams, 3. drop queued events (freeing streams nobody took), 4.
     * free aios and objects, 5. close the uv_async (frees n). */
    if (n->n_laio)
        nng_aio_stop(n->n_laio);
    for (struct net_dialer *d = n->n_dialers; d; d = d->d_next)
        nng_aio_stop(d->d_aio);
    for (struct net_conn *c = n->n_conns; c; c = c->c_next) {
        nng_aio_stop(c->c_raio);
        nng_aio_stop(c->c_saio);
        c->c_closed = 1;
    }
    if (n->n_listener)
        nng_stream_listener_close(n->n_listener);
    for (struct net_dialer *d = n->n_dialers; d; d = d->d_next)
        nng_stream_dialer_close(d->d_dialer);
    for (struct net_conn *c = n->n_conns; c; c = c->c_next)
        nng_stream_close(c->c_stream);
    ev = net__take_all(n);
    for (; ev; ev = ev->ev_next)
        if ((ev->ev_kind == NET__EV_ACCEPT || ev->ev_kind == NET__EV_DIAL) &&
            ev->ev_stream) {
            nng_stream_close(ev->ev_stream);
            nng_stream_free(ev->ev_stream);
            ev->ev_stream = NULL;
        }
    while (n->n_conns)
        net__conn_free(n->n_conns);
    nng_aio_free(n->n_laio);
    n->n_laio = NULL;
    if (n->n_listener)
        nng_stream_listener_free(n->n_listener);
    n->n_listener = NULL;
    while (n->n_dialers) {
        struct net_dialer *d = n->n_dialers;
        n->n_dialers = d->d_next;
        nng_aio_free(d->d_aio);
        nng_stream_dialer_free(d->d_dialer);
        free(d);
    }
    uv_close((uv_handle_t *)&n->n_async, net__async_closed);
}
