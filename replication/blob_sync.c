/* blob_sync.c - blob transfer: the message codec and the sans-I/O state
 * machine of docs/PROTOCOL.md §11. */
#include "blob_sync.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/cert.h"
#include "crypto/error.h"

#define BLOB_SYNC__CTL_MAX 64    /* small messages queued per session */
#define BLOB_SYNC__SERVE_MAX 8   /* blobs served to one session at once */
#define BLOB_SYNC__NONE_MAX 64   /* BLOB_NONE answers remembered */
#define BLOB_SYNC__WANTED_MAX 64 /* wanted blobs read per poll */
#define BLOB_SYNC__SKIP_MAX 64   /* blobs refused locally, for a while */
#define BLOB_SYNC__SKIP_MS 60000
#define BLOB_SYNC__CANCEL_MAX 16   /* ids we cancelled at a session */
#define BLOB_SYNC__CANCEL_MS 60000 /* its chunks in flight are ignored */

/* ---- codec -------------------------------------------------------------- */

int
blob_sync_is_mine(const uint8_t *msg, size_t len)
{
    /* [type, ...]: a fixarray, then a positive fixint type */
    return msg && len >= 2 && (msg[0] & 0xf0) == 0x90 &&
           msg[1] >= BLOB_SYNC_T_WANT && msg[1] <= BLOB_SYNC_T_CANCEL;
}

int
blob_sync_decode(const uint8_t *msg, size_t len, struct blob_sync_msg *out)
{
    struct wire_limits lim = {BLOB_SYNC_MSG_MAX, 3, 8 + BLOB_PROOF_MAX};
    struct blob_sync_msg m;
    struct wire_rd r;
    uint64_t n, type;
    int rc;

    if (!msg || !out)
        return ILONET_EINVAL;
    if (len > BLOB_SYNC_MSG_MAX)
        return ILONET_ETOOBIG;
    if ((rc = wire_check(msg, len, &lim)) != 0)
        return rc;
    memset(&m, 0, sizeof(m));
    wire_rd_init(&r, msg, len, ILONET_EPROTO);
    if ((rc = wire_rd_array(&r, &n)) != 0 ||
        (rc = wire_rd_uint(&r, &type)) != 0)
        return rc;
    switch (type) {
    case BLOB_SYNC_T_WANT:
        if (n != 4)
            return ILONET_EPROTO;
        if ((rc = wire_rd_bin_fixed(&r, m.bm_id, HASH_LEN)) != 0 ||
            (rc = wire_rd_uint(&r, &m.bm_from)) != 0 ||
            (rc = wire_rd_uint(&r, &m.bm_count)) != 0)
            return rc;
        if (m.bm_count == 0 || m.bm_from >= BLOB_CHUNKS_MAX ||
            m.bm_count > BLOB_CHUNKS_MAX)
            return ILONET_EPROTO;
        break;
    case BLOB_SYNC_T_CHUNK:
        if (n != 2)
            return ILONET_EPROTO;
        /* the rest is exactly one chunk (blob.h checks it again, alone) */
        if ((rc = blob_chunk_decode(r.wr_p, wire_rd_left(&r), &m.bm_chunk)) !=
            0)
            return rc == ILONET_EMALFORMED ? ILONET_EPROTO : rc;
        memcpy(m.bm_id, m.bm_chunk.bc_id, HASH_LEN);
        r.wr_p = r.wr_end;
        break;
    case BLOB_SYNC_T_NONE:
    case BLOB_SYNC_T_CANCEL:
        if (n != 2)
            return ILONET_EPROTO;
        if ((rc = wire_rd_bin_fixed(&r, m.bm_id, HASH_LEN)) != 0)
            return rc;
        break;
    default: return ILONET_EPROTO;
    }
    if ((rc = wire_rd_done(&r)) != 0)
        return rc;
    m.bm_type = (enum blob_sync_type)type;
    *out = m;
    return 0;
}

void
blob_sync_encode_want(struct wire_buf *wb, const uint8_t id[HASH_LEN],
                      uint64_t from, uint64_t count)
{
    wire_pack_array(wb, 4);
    wire_pack_uint(wb, BLOB_SYNC_T_WANT);
    wire_pack_bin(wb, id, HASH_LEN);
    wire_pack_uint(wb, from);
    wire_pack_uint(wb, count);
}

void
blob_sync_encode_chunk(struct wire_buf *wb, const struct blob_chunk *c)
{
    wire_pack_array(wb, 2);
    wire_pack_uint(wb, BLOB_SYNC_T_CHUNK);
    blob_chunk_encode(wb, c);
}

void
blob_sync_encode_id(struct wire_buf *wb, enum blob_sync_type type,
                    const uint8_t id[HASH_LEN])
{
    wire_pack_array(wb, 2);
    wire_pack_uint(wb, type);
    wire_pack_bin(wb, id, HASH_LEN);
}

/* ---- state -------------------------------------------------------------- */

/* A blob being fetched. Its chunks come in order from one session at a
 * time ([writer next, x_asked) outstanding there). */
struct blob_sync__xfer {
    int x_used;
    int x_live; /* in the last wanted list */
    uint8_t x_id[HASH_LEN];
    uint64_t x_size;
    uint32_t x_n;
    struct blob_writer *x_w;
    struct blob_sync_peer *x_peer; /* NULL: waiting for a session */
    uint32_t x_asked;
    uint64_t x_last_ms;
    uint64_t x_bytes;
    uint32_t x_from; /* the writer's next chunk when this process began */
};

struct blob_sync__ctl {
    enum blob_sync_type c_type;
    uint8_t c_id[HASH_LEN];
    uint32_t c_from, c_count;
};

/* A blob served to the session: chunks [s_next, s_end) still to send. */
struct blob_sync__serve {
    struct blob_reader *s_r;
    uint8_t s_id[HASH_LEN];
    uint32_t s_n, s_next, s_end;
};

struct blob_sync__until {
    uint8_t u_id[HASH_LEN];
    uint64_t u_until;
};

struct blob_sync_peer {
    struct blob_sync *p_b;
    struct blob_sync_peer *p_next;
    uint8_t p_pk[KEY_PK_LEN];
    char p_state[KEY_STATE_MAX + 1];
    int p_role, p_ready;
    void *p_data;
    struct blob_sync__ctl p_ctl[BLOB_SYNC__CTL_MAX];
    size_t p_nctl;
    struct blob_sync__serve p_serve[BLOB_SYNC__SERVE_MAX];
    size_t p_rr;
    struct blob_sync__until p_none[BLOB_SYNC__NONE_MAX]; /* ring */
    size_t p_none_at;
    /* ids we cancelled here: chunks already on the way are not a fault */
    struct blob_sync__until p_cancel[BLOB_SYNC__CANCEL_MAX]; /* ring */
    size_t p_cancel_at;
    uint64_t p_nones_given;
    struct blob_sync_stats p_st;
};

struct blob_sync {
    struct blob_sync_store b_st;
    struct blob_sync_config b_cfg;
    struct blob_sync_callbacks b_cb;
    struct blob_sync_peer *b_peers;
    struct blob_sync__xfer *b_x; /* bc_per_node of them */
    struct blob_want b_wanted[BLOB_SYNC__WANTED_MAX];
    size_t b_nwanted;
    struct blob_sync__until b_skip[BLOB_SYNC__SKIP_MAX]; /* ring */
    size_t b_skip_at;
    uint64_t b_next_poll;
    uint64_t b_now; /* the last time given (tick, recv) */
    int b_refresh;
    /* something that decides who fetches what changed (a session came
     * or went, a transfer ended or left its session): the next tick
     * assigns again; otherwise only the poll does, so the store is not
     * asked bc_per_node x sessions questions every tick */
    int b_kick;
};

static void
blob_sync__event(struct blob_sync *b, const uint8_t *id,
                 const struct blob_sync_peer *p, uint64_t size, int code,
                 int strike, const char *what)
{
    struct blob_sync_event e = {
        id, p ? p->p_pk : NULL, size, code, strike, what, 0, 0};

    if (b->b_cb.cb_event)
        b->b_cb.cb_event(b->b_cb.cb_arg, &e);
}

/* A peer fault: strike, and the code that closes the connection. */
static int
blob_sync__strike(struct blob_sync_peer *p, const uint8_t *id, int code,
                  const char *what)
{
    p->p_st.bs_strikes++;
    blob_sync__event(p->p_b, id, p, 0, code, 1, what);
    return code;
}

static void
blob_sync__output(struct blob_sync_peer *p)
{
    if (p->p_b->b_cb.cb_output)
        p->p_b->b_cb.cb_output(p->p_b->b_cb.cb_arg, p);
}

static int
blob_sync__ctl(struct blob_sync_peer *p, enum blob_sync_type type,
               const uint8_t id[HASH_LEN], uint32_t from, uint32_t count)
{
    struct blob_sync__ctl *c;

    if (p->p_nctl >= BLOB_SYNC__CTL_MAX)
        return ILONET_ETOOBIG;
    c = &p->p_ctl[p->p_nctl++];
    c->c_type = type;
    memcpy(c->c_id, id, HASH_LEN);
    c->c_from = from;
    c->c_count = count;
    blob_sync__output(p);
    return 0;
}

static int
blob_sync__until_has(const struct blob_sync__until *u, size_t n,
                     const uint8_t id[HASH_LEN], uint64_t now)
{
    for (size_t i = 0; i < n; i++)
        if (u[i].u_until > now && memcmp(u[i].u_id, id, HASH_LEN) == 0)
            return 1;
    return 0;
}

static void
blob_sync__until_add(struct blob_sync__until *u, size_t n, size_t *at,
                     const uint8_t id[HASH_LEN], uint64_t until)
{
    memcpy(u[*at].u_id, id, HASH_LEN);
    u[*at].u_until = until;
    *at = (*at + 1) % n;
}

static void
blob_sync__serve_drop(struct blob_sync__serve *s)
{
    blob_reader_close(s->s_r);
    memset(s, 0, sizeof(*s));
}

static struct blob_sync__xfer *
blob_sync__xfer_find(struct blob_sync *b, const uint8_t id[HASH_LEN])
{
    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
        if (b->b_x[i].x_used && memcmp(b->b_x[i].x_id, id, HASH_LEN) == 0)
            return &b->b_x[i];
    return NULL;
}

/* Ends a transfer: done (the blob is held) or abandoned (partial wiped);
 * the session it was asked of is told unless it is gone. */
/* BLOB_CANCEL of id at p, remembered so its chunks in flight are not
 * taken for a fault. */
static void
blob_sync__cancel(struct blob_sync_peer *p, const uint8_t id[HASH_LEN])
{
    (void)blob_sync__ctl(p, BLOB_SYNC_T_CANCEL, id, 0, 0);
    blob_sync__until_add(p->p_cancel, BLOB_SYNC__CANCEL_MAX, &p->p_cancel_at,
                         id, p->p_b->b_now + BLOB_SYNC__CANCEL_MS);
}

static void
blob_sync__xfer_end(struct blob_sync__xfer *x, int held, int cancel)
{
    if (x->x_peer)
        x->x_peer->p_b->b_kick = 1;
    if (cancel && x->x_peer)
        blob_sync__cancel(x->x_peer, x->x_id);
    if (held)
        blob_writer_free(x->x_w);
    else
        blob_writer_abort(x->x_w);
    memset(x, 0, sizeof(*x));
}

/* The transfer leaves its session (stall, NONE, fault, session gone): it
 * keeps its chunks and goes on from the next one with another. */
static void
blob_sync__xfer_release(struct blob_sync__xfer *x)
{
    if (x->x_peer)
        x->x_peer->p_b->b_kick = 1;
    x->x_peer = NULL;
    x->x_asked = blob_writer_next(x->x_w);
}

/* Asks x's session for more while at most half the window is out. */
static int
blob_sync__ask_more(struct blob_sync *b, struct blob_sync__xfer *x)
{
    uint32_t next = blob_writer_next(x->x_w), out = x->x_asked - next, cnt;
    uint32_t win = b->b_cfg.bc_window, lim = blob_writer_ask_limit(x->x_w);

    if (x->x_asked >= lim || out > win / 2)
        return 0;
    cnt = win - out;
    if (cnt > lim - x->x_asked)
        cnt = lim - x->x_asked;
    if (blob_sync__ctl(x->x_peer, BLOB_SYNC_T_WANT, x->x_id, x->x_asked, cnt) !=
        0)
        return 0; /* the queue is full: asked again on the next chunk */
    x->x_asked += cnt;
    return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

int
blob_sync_new(struct blob_sync **out, const struct blob_sync_store *st,
              const struct blob_sync_config *cfg,
              const struct blob_sync_callbacks *cb)
{
    struct blob_sync *b;

    if (!out || !st || !st->bs_ops)
        return ILONET_EINVAL;
    if (!(b = calloc(1, sizeof(*b))))
        return ILONET_ENOMEM;
    b->b_st = *st;
    if (cfg)
        b->b_cfg = *cfg;
    if (!b->b_cfg.bc_window)
        b->b_cfg.bc_window = 4;
    if (!b->b_cfg.bc_per_peer)
        b->b_cfg.bc_per_peer = 2;
    if (!b->b_cfg.bc_per_node)
        b->b_cfg.bc_per_node = 8;
    if (!b->b_cfg.bc_want_ms)
        b->b_cfg.bc_want_ms = 5000;
    if (!b->b_cfg.bc_poll_ms)
        b->b_cfg.bc_poll_ms = 1000;
    if (!b->b_cfg.bc_none_ms)
        b->b_cfg.bc_none_ms = 10000;
    if (b->b_cfg.bc_window > BLOB_SYNC__CTL_MAX / 2)
        b->b_cfg.bc_window = BLOB_SYNC__CTL_MAX / 2;
    if (cb)
        b->b_cb = *cb;
    if (!(b->b_x = calloc(b->b_cfg.bc_per_node, sizeof(*b->b_x)))) {
        free(b);
        return ILONET_ENOMEM;
    }
    b->b_refresh = 1;
    *out = b;
    return 0;
}

void
blob_sync_free(struct blob_sync *b)
{
    if (!b)
        return;
    while (b->b_peers)
        blob_sync_peer_free(b->b_peers);
    /* partials stay on disk: the next start resumes them (a blob no
     * longer wanted by then has its partial wiped by the collector) */
    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
        if (b->b_x[i].x_used)
            blob_sync__xfer_end(&b->b_x[i], 1, 0);
    free(b->b_x);
    free(b);
}

int
blob_sync_peer_new(struct blob_sync *b, const uint8_t pk[KEY_PK_LEN],
                   struct blob_sync_peer **out)
{
    struct blob_sync_peer *p;

    if (!b || !pk || !out)
        return ILONET_EINVAL;
    if (!(p = calloc(1, sizeof(*p))))
        return ILONET_ENOMEM;
    p->p_b = b;
    memcpy(p->p_pk, pk, KEY_PK_LEN);
    p->p_next = b->b_peers;
    b->b_peers = p;
    *out = p;
    return 0;
}

void
blob_sync_peer_ready(struct blob_sync_peer *p, const char *state, int role)
{
    if (!p || !state || p->p_ready)
        return;
    snprintf(p->p_state, sizeof(p->p_state), "%s", state);
    p->p_role = role;
    p->p_ready = 1;
    p->p_b->b_kick = 1; /* a new session: maybe it has what we want */
}

int
blob_sync_peer_is_ready(const struct blob_sync_peer *p)
{
    return p && p->p_ready;
}

void
blob_sync_peer_free(struct blob_sync_peer *p)
{
    struct blob_sync *b;

    if (!p)
        return;
    b = p->p_b;
    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
        if (b->b_x[i].x_used && b->b_x[i].x_peer == p)
            blob_sync__xfer_release(&b->b_x[i]);
    b->b_kick = 1;
    for (size_t i = 0; i < BLOB_SYNC__SERVE_MAX; i++)
        if (p->p_serve[i].s_r)
            blob_sync__serve_drop(&p->p_serve[i]);
    for (struct blob_sync_peer **pp = &b->b_peers; *pp; pp = &(*pp)->p_next)
        if (*pp == p) {
            *pp = p->p_next;
            break;
        }
    free(p);
}

void
blob_sync_peer_set_data(struct blob_sync_peer *p, void *data)
{
    p->p_data = data;
}

void *
blob_sync_peer_data(const struct blob_sync_peer *p)
{
    return p->p_data;
}

void
blob_sync_peer_stats(const struct blob_sync_peer *p,
                     struct blob_sync_stats *out)
{
    *out = p->p_st;
}

/* ---- serving ---------------------------------------------------------------
 */

/* BLOB_NONE for id: what a non-member, an unknown id and a damaged file
 * all get. Past a bound of such answers the session is probing. */
static int
blob_sync__none(struct blob_sync_peer *p, const uint8_t id[HASH_LEN])
{
    if (++p->p_nones_given > BLOB_SYNC_PEER_MAX_NONE)
        return blob_sync__strike(p, id, ILONET_ETOOBIG, "want-probe");
    if (blob_sync__ctl(p, BLOB_SYNC_T_NONE, id, 0, 0) != 0)
        return blob_sync__strike(p, id, ILONET_ETOOBIG, "want-flood");
    return 0;
}

static int
blob_sync__on_want(struct blob_sync_peer *p, const struct blob_sync_msg *m)
{
    struct blob_sync *b = p->p_b;
    struct blob_sync__serve *s = NULL, *free_s = NULL;
    struct blob_reader *r = NULL;
    uint32_t n;
    int rc;

    if (m->bm_count > b->b_cfg.bc_window)
        return blob_sync__strike(p, m->bm_id, ILONET_EPROTO, "want-window");
    for (size_t i = 0; i < BLOB_SYNC__SERVE_MAX; i++) {
        struct blob_sync__serve *c = &p->p_serve[i];

        if (c->s_r && memcmp(c->s_id, m->bm_id, HASH_LEN) == 0)
            s = c;
        else if (!free_s && (!c->s_r || c->s_next == c->s_end))
            free_s = c; /* empty, or idle (kept for a continuation) */
    }
    if (s) {
        /* a continuation: contiguous, or a fresh start once idle */
        if (m->bm_from + m->bm_count > s->s_n ||
            (m->bm_from != s->s_end && s->s_next != s->s_end) ||
            s->s_end - s->s_next + m->bm_count > 2 * b->b_cfg.bc_window)
            return blob_sync__strike(p, m->bm_id, ILONET_EPROTO, "want-range");
        if (s->s_next == s->s_end)
            s->s_next = (uint32_t)m->bm_from;
        s->s_end = (uint32_t)(m->bm_from + m->bm_count);
        blob_sync__output(p);
        return 0;
    }
    rc = b->b_st.bs_ops->bo_admits(b->b_st.bs_ctx, m->bm_id, p->p_state,
                                   p->p_role, 1);
    if (rc < 0)
        return rc; /* local: the store failed */
    if (rc == 0 ||
        b->b_st.bs_ops->bo_reader_open(b->b_st.bs_ctx, m->bm_id, &r) != 0)
        return blob_sync__none(p, m->bm_id);
    n = blob_chunk_count(blob_reader_size(r));
    if (m->bm_from + m->bm_count > n) {
        blob_reader_close(r);
        return blob_sync__strike(p, m->bm_id, ILONET_EPROTO, "want-range");
    }
    if (!free_s) {
        blob_reader_close(r);
        return blob_sync__strike(p, m->bm_id, ILONET_EPROTO, "want-many");
    }
    if (free_s->s_r)
        blob_sync__serve_drop(free_s);
    free_s->s_r = r;
    memcpy(free_s->s_id, m->bm_id, HASH_LEN);
    free_s->s_n = n;
    free_s->s_next = (uint32_t)m->bm_from;
    free_s->s_end = (uint32_t)(m->bm_from + m->bm_count);
    blob_sync__output(p);
    return 0;
}

/* ---- receiving ----------------------------------------------------------- */

static int
blob_sync__on_chunk(struct blob_sync_peer *p, const struct blob_sync_msg *m,
                    uint64_t now)
{
    struct blob_sync *b = p->p_b;
    struct blob_sync__xfer *x = blob_sync__xfer_find(b, m->bm_id);
    const struct blob_chunk *c = &m->bm_chunk;
    int rc, settled, done = 0;

    if ((!x || x->x_peer != p) &&
        blob_sync__until_has(p->p_cancel, BLOB_SYNC__CANCEL_MAX, m->bm_id, now))
        return 0; /* we cancelled it here: it was on the way */
    if (!x || x->x_peer != p || c->bc_index != blob_writer_next(x->x_w) ||
        c->bc_index >= x->x_asked)
        return blob_sync__strike(p, m->bm_id, ILONET_EPROTO, "chunk-unasked");
    /* against our own references' size, never the sender's word */
    settled = blob_writer_settled(x->x_w);
    rc = blob_writer_put(x->x_w, c, &done);
    if (rc == ILONET_EINVAL || rc == ILONET_EHASH) {
        blob_sync__xfer_release(x);
        if (settled)
            return blob_sync__strike(p, m->bm_id, rc, "chunk");
        /* the first chunk, before any chunk proved the size: our
         * references' size may be the wrong one (§11.7), so no fault is
         * proven; ask elsewhere, and not here for a while */
        blob_sync__event(b, m->bm_id, p, x->x_size, rc, 0, "chunk");
        blob_sync__until_add(p->p_none, BLOB_SYNC__NONE_MAX, &p->p_none_at,
                             m->bm_id, now + b->b_cfg.bc_none_ms);
        blob_sync__cancel(p, m->bm_id);
        return 0;
    }
    if (rc != 0) {
        /* local (disk, quota, the reference erased meanwhile): stop, and
         * do not ask again for a while */
        blob_sync__event(b, x->x_id, p, x->x_size, rc, 0, "store");
        blob_sync__until_add(b->b_skip, BLOB_SYNC__SKIP_MAX, &b->b_skip_at,
                             x->x_id, now + BLOB_SYNC__SKIP_MS);
        blob_sync__xfer_end(x, 0, 1);
        return 0;
    }
    /* chunk 0 may have proven another of the references' sizes */
    x->x_size = blob_writer_size(x->x_w);
    x->x_n = blob_chunk_count(x->x_size);
    p->p_st.bs_chunks_in++;
    p->p_st.bs_bytes_in += c->bc_len;
    x->x_bytes += c->bc_len;
    x->x_last_ms = now;
    if (done) {
        struct blob_sync_event e = {x->x_id, p->p_pk,   x->x_size,         0, 0,
                                    "held",  x->x_from, x->x_n - x->x_from};

        p->p_st.bs_blobs_in++;
        if (b->b_cb.cb_event)
            b->b_cb.cb_event(b->b_cb.cb_arg, &e);
        blob_sync__xfer_end(x, 1, 0);
        b->b_refresh = 1;
        return 0;
    }
    return blob_sync__ask_more(b, x);
}

int
blob_sync_recv(struct blob_sync_peer *p, const uint8_t *msg, size_t len,
               uint64_t now_ms)
{
    struct blob_sync_msg *m;
    struct blob_sync__xfer *x;
    int rc;

    if (!p || !msg)
        return ILONET_EINVAL;
    if (!(m = malloc(sizeof(*m))))
        return ILONET_ENOMEM;
    p->p_b->b_now = now_ms;
    if ((rc = blob_sync_decode(msg, len, m)) != 0) {
        rc = blob_sync__strike(p, NULL, rc, "decode");
        goto out;
    }
    if (!p->p_ready) { /* before its HELLO nobody may ask or answer */
        rc = blob_sync__strike(p, m->bm_id, ILONET_EPROTO, "not-ready");
        goto out;
    }
    switch (m->bm_type) {
    case BLOB_SYNC_T_WANT: rc = blob_sync__on_want(p, m); break;
    case BLOB_SYNC_T_CHUNK: rc = blob_sync__on_chunk(p, m, now_ms); break;
    case BLOB_SYNC_T_NONE:
        x = blob_sync__xfer_find(p->p_b, m->bm_id);
        if (x && x->x_peer == p) {
            blob_sync__until_add(p->p_none, BLOB_SYNC__NONE_MAX, &p->p_none_at,
                                 m->bm_id, now_ms + p->p_b->b_cfg.bc_none_ms);
            blob_sync__xfer_release(x);
        }
        rc = 0; /* late answers to what we cancelled are fine */
        break;
    case BLOB_SYNC_T_CANCEL:
        for (size_t i = 0; i < BLOB_SYNC__SERVE_MAX; i++)
            if (p->p_serve[i].s_r &&
                memcmp(p->p_serve[i].s_id, m->bm_id, HASH_LEN) == 0)
                blob_sync__serve_drop(&p->p_serve[i]);
        rc = 0;
        break;
    }
out:
    free(m);
    return rc;
}

/* ---- output
 * ------------------------------------------------------------------
 */

int
blob_sync_has_out(const struct blob_sync_peer *p)
{
    if (!p || !p->p_ready)
        return 0;
    if (p->p_nctl)
        return 1;
    for (size_t i = 0; i < BLOB_SYNC__SERVE_MAX; i++)
        if (p->p_serve[i].s_r && p->p_serve[i].s_next < p->p_serve[i].s_end)
            return 1;
    return 0;
}

int
blob_sync_next_out(struct blob_sync_peer *p, uint8_t **msg, size_t *len)
{
    struct blob_sync__serve *done = NULL;
    struct wire_buf wb;
    struct blob_chunk c;
    int rc = 0;

    if (!p || !msg || !len)
        return ILONET_EINVAL;
    *msg = NULL;
    *len = 0;
    if (!blob_sync_has_out(p))
        return 0;
    wire_buf_init(&wb, BLOB_SYNC_MSG_MAX);
    if (p->p_nctl) {
        /* small messages first: they keep other transfers moving */
        struct blob_sync__ctl ctl = p->p_ctl[0];

        memmove(&p->p_ctl[0], &p->p_ctl[1],
                (p->p_nctl - 1) * sizeof(p->p_ctl[0]));
        p->p_nctl--;
        if (ctl.c_type == BLOB_SYNC_T_WANT)
            blob_sync_encode_want(&wb, ctl.c_id, ctl.c_from, ctl.c_count);
        else
            blob_sync_encode_id(&wb, ctl.c_type, ctl.c_id);
    } else {
        /* round robin over the blobs asked of us */
        struct blob_sync__serve *s = NULL;

        for (size_t k = 0; k < BLOB_SYNC__SERVE_MAX && !s; k++) {
            struct blob_sync__serve *c2 =
                &p->p_serve[(p->p_rr + k) % BLOB_SYNC__SERVE_MAX];

            if (c2->s_r && c2->s_next < c2->s_end) {
                s = c2;
                p->p_rr = (p->p_rr + k + 1) % BLOB_SYNC__SERVE_MAX;
            }
        }
        if ((rc = blob_reader_chunk(s->s_r, s->s_next, &c)) != 0) {
            /* our own file failed (damaged, gone): "not from me" */
            uint8_t id[HASH_LEN];

            memcpy(id, s->s_id, HASH_LEN);
            blob_sync__event(p->p_b, id, p, 0, rc, 0, "serve");
            blob_sync__serve_drop(s);
            blob_sync_encode_id(&wb, BLOB_SYNC_T_NONE, id);
            rc = 0;
        } else {
            blob_sync_encode_chunk(&wb, &c);
            s->s_next++;
            p->p_st.bs_chunks_out++;
            p->p_st.bs_bytes_out += c.bc_len;
            /* the whole blob went out: no continuation can follow, so
             * the slot and its reader go (an idle slot of a blob still
             * in transfer is then never the one a new blob takes) */
            if (s->s_next == s->s_n)
                done = s;
        }
    }
    if (done)
        blob_sync__serve_drop(done);
    if (wb.wb_err) {
        wire_buf_free(&wb);
        return ILONET_ENOMEM;
    }
    *msg = wb.wb_data;
    *len = wb.wb_len;
    return rc;
}

/* ---- the node's timers ------------------------------------------------------
 */

void
blob_sync_refresh(struct blob_sync *b)
{
    if (b)
        b->b_refresh = 1;
}

static uint32_t
blob_sync__load(const struct blob_sync *b, const struct blob_sync_peer *p)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
        n += b->b_x[i].x_used && b->b_x[i].x_peer == p;
    return n;
}

/* 1 when p may be asked for id now. */
static int
blob_sync__askable(struct blob_sync *b, struct blob_sync_peer *p,
                   const uint8_t id[HASH_LEN], uint64_t now)
{
    if (!p->p_ready ||
        blob_sync__until_has(p->p_none, BLOB_SYNC__NONE_MAX, id, now))
        return 0;
    /* only a peer the reference's audience admits ever hears the id */
    return b->b_st.bs_ops->bo_admits(b->b_st.bs_ctx, id, p->p_state, p->p_role,
                                     0) == 1;
}

/* Gives x to a session that may be asked for it (none: it waits). */
static void
blob_sync__assign(struct blob_sync *b, struct blob_sync__xfer *x, uint64_t now)
{
    for (struct blob_sync_peer *p = b->b_peers; p; p = p->p_next) {
        if (blob_sync__load(b, p) >= b->b_cfg.bc_per_peer ||
            !blob_sync__askable(b, p, x->x_id, now))
            continue;
        x->x_peer = p;
        x->x_asked = blob_writer_next(x->x_w);
        x->x_last_ms = now;
        (void)blob_sync__ask_more(b, x);
        return;
    }
}

int
blob_sync_tick(struct blob_sync *b, uint64_t now_ms)
{
    struct blob_sync_store st;
    int rc;

    if (!b)
        return ILONET_EINVAL;
    b->b_now = now_ms;
    st = b->b_st;
    if (b->b_refresh || now_ms >= b->b_next_poll) {
        size_t n = 0;

        if ((rc = st.bs_ops->bo_wanted(st.bs_ctx, now_ms, b->b_wanted,
                                       BLOB_SYNC__WANTED_MAX, &n)) != 0)
            return rc;
        b->b_nwanted = n;
        b->b_refresh = 0;
        b->b_kick = 1;
        b->b_next_poll = now_ms + b->b_cfg.bc_poll_ms;
        for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
            b->b_x[i].x_live = 0;
        for (size_t j = 0; j < n; j++) {
            struct blob_sync__xfer *x =
                blob_sync__xfer_find(b, b->b_wanted[j].bw_id);

            if (x)
                x->x_live = 1;
        }
        /* no longer wanted (erased meanwhile, or held by another way):
         * stop, tell the session, wipe the partial */
        for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
            if (b->b_x[i].x_used && !b->b_x[i].x_live &&
                n < BLOB_SYNC__WANTED_MAX)
                blob_sync__xfer_end(&b->b_x[i], 0, 1);
    }
    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++) {
        struct blob_sync__xfer *x = &b->b_x[i];

        if (!x->x_used)
            continue;
        if (x->x_peer && now_ms >= x->x_last_ms + b->b_cfg.bc_want_ms) {
            /* stalled: ask elsewhere, and not there for a while */
            struct blob_sync_peer *p = x->x_peer;

            blob_sync__until_add(p->p_none, BLOB_SYNC__NONE_MAX, &p->p_none_at,
                                 x->x_id, now_ms + b->b_cfg.bc_none_ms);
            blob_sync__cancel(p, x->x_id);
            blob_sync__event(b, x->x_id, p, x->x_size, ILONET_ETIMEOUT, 0,
                             "stall");
            blob_sync__xfer_release(x);
        }
    }
    if (!b->b_kick)
        return 0;
    b->b_kick = 0;
    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
        if (b->b_x[i].x_used && !b->b_x[i].x_peer)
            blob_sync__assign(b, &b->b_x[i], now_ms);
    /* new transfers, while there is room and a session to ask */
    for (size_t j = 0; j < b->b_nwanted; j++) {
        const struct blob_want *w = &b->b_wanted[j];
        struct blob_sync__xfer *x = NULL;
        struct blob_sync_peer *p;

        if (blob_sync__xfer_find(b, w->bw_id) ||
            blob_sync__until_has(b->b_skip, BLOB_SYNC__SKIP_MAX, w->bw_id,
                                 now_ms))
            continue;
        for (uint32_t i = 0; i < b->b_cfg.bc_per_node && !x; i++)
            if (!b->b_x[i].x_used)
                x = &b->b_x[i];
        if (!x)
            break;
        for (p = b->b_peers; p; p = p->p_next)
            if (blob_sync__load(b, p) < b->b_cfg.bc_per_peer &&
                blob_sync__askable(b, p, w->bw_id, now_ms))
                break;
        if (!p)
            continue;
        rc = st.bs_ops->bo_writer_open(st.bs_ctx, w->bw_id, now_ms, &x->x_w);
        if (rc != 0) {
            /* over the quota or the limit, held meanwhile: not now */
            blob_sync__event(b, w->bw_id, NULL, w->bw_size, rc, 0, "start");
            blob_sync__until_add(b->b_skip, BLOB_SYNC__SKIP_MAX, &b->b_skip_at,
                                 w->bw_id, now_ms + BLOB_SYNC__SKIP_MS);
            continue;
        }
        x->x_used = 1;
        x->x_live = 1;
        memcpy(x->x_id, w->bw_id, HASH_LEN);
        x->x_size = blob_writer_size(x->x_w);
        x->x_n = blob_chunk_count(x->x_size);
        x->x_from = blob_writer_next(x->x_w);
        if (x->x_from) {
            struct blob_sync_event e = {w->bw_id, NULL,     x->x_size, 0,
                                        0,        "resume", x->x_from, x->x_n};

            if (b->b_cb.cb_event)
                b->b_cb.cb_event(b->b_cb.cb_arg, &e);
        }
        blob_sync__assign(b, x, now_ms);
    }
    return 0;
}

int
blob_sync_peer_idle(const struct blob_sync_peer *p)
{
    struct blob_sync *b;

    if (!p || !p->p_ready)
        return 1;
    b = p->p_b;
    /* a stale list (entries arrived since it was read) proves nothing */
    if (b->b_refresh || blob_sync_has_out(p) || blob_sync__load(b, p))
        return 0;
    for (size_t j = 0; j < b->b_nwanted; j++) {
        const uint8_t *id = b->b_wanted[j].bw_id;
        const struct blob_sync__xfer *x = blob_sync__xfer_find(b, id);

        if ((x && x->x_peer) ||
            blob_sync__until_has(b->b_skip, BLOB_SYNC__SKIP_MAX, id, b->b_now))
            continue;
        if (blob_sync__askable(b, (struct blob_sync_peer *)p, id, b->b_now))
            return 0;
    }
    return 1;
}

void
blob_sync_totals(const struct blob_sync *b, struct blob_sync_totals *out)
{
    memset(out, 0, sizeof(*out));
    if (!b)
        return;
    for (uint32_t i = 0; i < b->b_cfg.bc_per_node; i++)
        if (b->b_x[i].x_used) {
            out->bt_fetching++;
            out->bt_bytes_expected += b->b_x[i].x_size;
            out->bt_bytes_done +=
                (uint64_t)blob_writer_next(b->b_x[i].x_w) * BLOB_CHUNK;
        }
}
