/* sync.c - the sync state machine: heads, wants, batches, evidence, digests. */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "msg.h"
#include "storage/batch.h" /* batch_decode: the codec, not the store */

/*
 * Layout of the state (docs/PROTOCOL.md explains the protocol itself):
 *   - the node keeps one struct sync__log per log it holds or has heard of
 *     from a member peer, sorted by log id (the digest walks them in that
 *     order); it caches the store's head and remembers which peer a
 *     request for the log is outstanding at, so two peers announcing the
 *     same entries do not both get asked for them;
 *   - each session keeps one struct sync__plog per log it has dealt with:
 *     what the peer holds, what we owe it (an announcement, evidence, a
 *     request, a range being served).
 * A log heard of but not held (l_seq 0) is only a claim: it stays in the
 * node's table while some session refers to it (l_refs counts the plogs
 * pointing at it) and goes with the last such session; a session may refer
 * to SYNC_PEER_MAX_UNHELD of them. Once the store holds a valid entry of
 * it, the log is the node's for good. So a member inventing log ids (each
 * hashes correctly from a made-up author key) costs the node at most that
 * bound per session, and nothing after the session (issue 12).
 * Output is built lazily in sync_next_out() from these flags, so nothing
 * a peer sends can make us queue more than a flag per log.
 *
 * The store is reached only through n_st (struct sync_store, sync.h): the
 * sync__st_* wrappers below are the one place that calls into it.
 */

#define SYNC_MAX_LOGS 65536 /* logs one session keeps track of */
#define SYNC__DIGEST_CTX "ilonet/sync-digest/v1"

struct sync__log {
    uint8_t l_id[HASH_LEN];
    uint8_t l_author[KEY_PK_LEN];
    char l_audience[ENTRY_AUDIENCE_MAX + 1];
    uint64_t l_seq; /* held head, 0 = not held */
    uint8_t l_head[HASH_LEN];
    uint64_t l_frozen;
    struct sync_peer *l_want_peer; /* request outstanding there */
    uint64_t l_want_until;
    uint64_t l_revoked; /* cut by a node revocation here: never fetched
                           from this seq on (docs/KEYS.md), 0 none */
    int l_confirmed;    /* restored: a peer showed no more of our log */
    uint32_t l_refs;    /* plogs (of any session) pointing at this log */
    int l_drop;         /* being forgotten (sync__logs_sweep) */
};

enum {
    SYNC__F_ANNOUNCE = 1, /* send our head in a HEADS announcement */
    SYNC__F_EVIDENCE = 2, /* send our fork evidence */
    SYNC__F_DIVERGED = 4, /* one chain break forgiven (fork probe) */
};

struct sync__plog {
    struct sync__log *pl_log;
    uint64_t pl_their_seq;    /* peer holds at least this */
    uint64_t pl_their_frozen; /* peer's fork seq, 0 none known */
    uint64_t pl_told_seq;     /* last head we announced */
    uint64_t pl_told_frozen;
    uint64_t pl_want_from;  /* WANT to send, 0 none */
    uint64_t pl_serve_next; /* serving from here, 0 not serving */
    unsigned pl_flags;
};

struct sync_node {
    struct sync_store n_st;
    uint8_t n_net[NET_ID_LEN]; /* the store's network id */
    struct cert n_me;
    uint8_t *n_cert;
    size_t n_cert_len;
    struct sync_config n_cfg;
    struct sync_callbacks n_cb;
    struct sync__log **n_logs; /* sorted by l_id */
    size_t n_nlogs, n_caplogs;
    struct sync_peer *n_peers;
    uint64_t n_next_refresh;
    uint64_t n_nrev; /* node revocations held when last looked */
    int n_restored;  /* store says restored from a backup (log.h) */
};

struct sync_peer {
    struct sync_node *p_node;
    struct sync_peer *p_next, *p_prev;
    void *p_data;
    uint8_t p_key[KEY_PK_LEN];
    int p_dead, p_ready, p_hello_sent, p_kick;
    uint8_t p_hello_id[HASH_LEN];
    struct cert p_cert;
    uint64_t p_created, p_now, p_next_digest;
    struct sync__plog *p_logs; /* sorted by log id */
    size_t p_nlogs, p_caplogs;
    size_t p_nunheld; /* plogs made for logs not held (SYNC_PEER_MAX_UNHELD);
                         an upper bound, recounted when it reaches it */
    size_t p_n_announce, p_n_want, p_n_evidence, p_n_serving;
    size_t p_serve_cursor;
    /* full HEADS listing: requested, in progress (cursor over n_logs) */
    int p_list_pending, p_list_reply_pending;
    int p_list_active, p_list_reply;
    size_t p_list_cursor;
    uint8_t p_list_digest[HASH_LEN];
    int p_digest_pending, p_ack_pending;
    int p_listed; /* the peer's full listing has arrived */
    uint64_t p_batches_in_total;
    uint64_t p_batches_sent, p_batches_acked, p_last_ack_ms;
    struct sync_peer_stats p_st;
};

/* ---- the store (struct sync_store) ------------------------------------- */

#define SYNC__ST(n) ((n)->n_st.ss_ops)
#define SYNC__CTX(n) ((n)->n_st.ss_ctx)

static int
sync__st_heads(struct sync_node *n, struct log_head **out, size_t *cnt)
{
    return SYNC__ST(n)->so_heads(SYNC__CTX(n), out, cnt);
}

static int
sync__st_head(struct sync_node *n, const uint8_t log[HASH_LEN],
              struct log_head *out)
{
    return SYNC__ST(n)->so_head(SYNC__CTX(n), log, out);
}

static int
sync__st_revocations(struct sync_node *n, uint64_t *cnt)
{
    return SYNC__ST(n)->so_revocations(SYNC__CTX(n), cnt);
}

static int
sync__st_node_revoked(struct sync_node *n, const uint8_t node[KEY_PK_LEN],
                      const char *state)
{
    return SYNC__ST(n)->so_node_revoked(SYNC__CTX(n), node, state);
}

static int
sync__st_restored(struct sync_node *n, int *restored)
{
    return SYNC__ST(n)->so_restored(SYNC__CTX(n), restored);
}

static int
sync__st_clear_restored(struct sync_node *n)
{
    return SYNC__ST(n)->so_clear_restored(SYNC__CTX(n));
}

static int
sync__st_self_behind(struct sync_node *n, const uint8_t log[HASH_LEN],
                     uint64_t seq)
{
    return SYNC__ST(n)->so_self_behind(SYNC__CTX(n), log, seq);
}

static int
sync__st_cert_verify(struct sync_node *n, const uint8_t *buf, size_t len,
                     struct cert *out)
{
    return SYNC__ST(n)->so_cert_verify(SYNC__CTX(n), buf, len, out);
}

static int
sync__st_id_at(struct sync_node *n, const uint8_t log[HASH_LEN], uint64_t seq,
               uint8_t id[HASH_LEN])
{
    return SYNC__ST(n)->so_id_at(SYNC__CTX(n), log, seq, id);
}

static int
sync__st_range(struct sync_node *n, const uint8_t log[HASH_LEN],
               uint64_t from_seq, size_t max_entries, size_t max_bytes,
               struct wire_buf *wb, size_t *count)
{
    return SYNC__ST(n)->so_range(SYNC__CTX(n), log, from_seq, max_entries,
                                 max_bytes, wb, count);
}

static int
sync__st_ingest(struct sync_node *n, const struct log_batch *b, uint64_t now_ms,
                struct ingest_stats *st)
{
    return SYNC__ST(n)->so_ingest(SYNC__CTX(n), b, now_ms, st);
}

static int
sync__st_evidence(struct sync_node *n, const uint8_t log[HASH_LEN],
                  uint64_t seq, struct log_evidence *out)
{
    return SYNC__ST(n)->so_evidence(SYNC__CTX(n), log, seq, out);
}

/* ---- small helpers ---------------------------------------------------- */

static void
sync__be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

static int
sync__admits(const struct cert *c, const struct sync__log *l)
{
    return audience_admits(l->l_audience, c->c_state, c->c_role);
}

static int
sync__peer_admits(const struct sync_peer *p, const struct sync__log *l)
{
    return p->p_ready && !p->p_dead && sync__admits(&p->p_cert, l);
}

static void
sync__audit(struct sync_peer *p, const uint8_t *log, uint64_t seq, int code,
            int strike, const char *what)
{
    struct sync_node *n = p->p_node;
    struct sync_audit a = {p->p_key, log, seq, code, strike, what};

    if (strike)
        p->p_st.ps_strikes++;
    if (n->n_cb.cb_audit)
        n->n_cb.cb_audit(n->n_cb.cb_arg, &a);
}

/* A peer fault: audit line, strike, the session is dead. */
static int
sync__fail(struct sync_peer *p, const uint8_t *log, uint64_t seq, int code,
           int strike, const char *what)
{
    sync__audit(p, log, seq, code, strike, what);
    p->p_dead = 1;
    return code;
}

static void
sync__flush_kicks(struct sync_node *n)
{
    for (struct sync_peer *p = n->n_peers; p; p = p->p_next) {
        if (!p->p_kick)
            continue;
        p->p_kick = 0;
        if (!p->p_dead && n->n_cb.cb_output && sync_has_out(p))
            n->n_cb.cb_output(n->n_cb.cb_arg, p);
    }
}

/* ---- the node's log table --------------------------------------------- */

/* Index of id in n_logs, or -(insertion point) - 1. */
static long
sync__log_index(const struct sync_node *n, const uint8_t id[HASH_LEN])
{
    size_t lo = 0, hi = n->n_nlogs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(n->n_logs[mid]->l_id, id, HASH_LEN);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

static struct sync__log *
sync__log_find(const struct sync_node *n, const uint8_t id[HASH_LEN])
{
    long i = sync__log_index(n, id);
    return i >= 0 ? n->n_logs[i] : NULL;
}

/* Finds or adds a log (id already checked against author and audience). A
 * log added here and not held must get a plog at once (sync__plog_get), or
 * be let go with sync__log_unused(). */
static int
sync__log_get(struct sync_node *n, const uint8_t id[HASH_LEN],
              const uint8_t author[KEY_PK_LEN], const char *audience,
              struct sync__log **out)
{
    long i = sync__log_index(n, id);
    size_t at;
    struct sync__log *l;

    if (i >= 0) {
        *out = n->n_logs[i];
        return 0;
    }
    /* No bound here: logs held are the store's to bound, and logs not held
     * are bounded per session (sync__plog_get). */
    if (n->n_nlogs == n->n_caplogs) {
        size_t cap = n->n_caplogs ? n->n_caplogs * 2 : 64;
        struct sync__log **nl = realloc(n->n_logs, cap * sizeof(*nl));
        if (!nl)
            return ILONET_ENOMEM;
        n->n_logs = nl;
        n->n_caplogs = cap;
    }
    if (!(l = calloc(1, sizeof(*l))))
        return ILONET_ENOMEM;
    memcpy(l->l_id, id, HASH_LEN);
    memcpy(l->l_author, author, KEY_PK_LEN);
    snprintf(l->l_audience, sizeof(l->l_audience), "%s", audience);
    at = (size_t)(-i - 1);
    memmove(&n->n_logs[at + 1], &n->n_logs[at],
            (n->n_nlogs - at) * sizeof(*n->n_logs));
    n->n_logs[at] = l;
    n->n_nlogs++;
    *out = l;
    return 0;
}

/* Forgets the logs marked l_drop, in one pass over the table. */
static void
sync__logs_sweep(struct sync_node *n)
{
    size_t k = 0;

    for (size_t i = 0; i < n->n_nlogs; i++) {
        if (n->n_logs[i]->l_drop)
            free(n->n_logs[i]);
        else
            n->n_logs[k++] = n->n_logs[i];
    }
    n->n_nlogs = k;
}

/* A log just added for a peer could not be given to it: unless something
 * else holds on to it, forget it again. */
static void
sync__log_unused(struct sync_node *n, struct sync__log *l)
{
    if (l->l_seq || l->l_refs)
        return;
    l->l_drop = 1;
    sync__logs_sweep(n);
}

/* Re-reads a log's head from the store. */
static int
sync__log_refresh(struct sync_node *n, struct sync__log *l)
{
    struct log_head h;
    int rc = sync__st_head(n, l->l_id, &h);

    if (rc == ILONET_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    l->l_seq = h.lh_seq;
    memcpy(l->l_head, h.lh_id, HASH_LEN);
    l->l_frozen = h.lh_frozen;
    if (h.lh_revoked && (!l->l_revoked || h.lh_revoked < l->l_revoked))
        l->l_revoked = h.lh_revoked;
    return 0;
}

/* ---- per-peer log table ----------------------------------------------- */

static long
sync__plog_index(const struct sync_peer *p, const uint8_t id[HASH_LEN])
{
    size_t lo = 0, hi = p->p_nlogs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(p->p_logs[mid].pl_log->l_id, id, HASH_LEN);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

static struct sync__plog *
sync__plog_find(struct sync_peer *p, const struct sync__log *l)
{
    long i = sync__plog_index(p, l->l_id);
    return i >= 0 ? &p->p_logs[i] : NULL;
}

/* Plogs of p for logs not held, counted. */
static size_t
sync__unheld_count(const struct sync_peer *p)
{
    size_t k = 0;

    for (size_t i = 0; i < p->p_nlogs; i++)
        k += p->p_logs[i].pl_log->l_seq == 0;
    return k;
}

/* Finds or adds the session's state for log l. ILONET_ETOOBIG when that
 * would take the session past SYNC_MAX_LOGS logs, or past
 * SYNC_PEER_MAX_UNHELD logs this node does not hold. */
static int
sync__plog_get(struct sync_peer *p, struct sync__log *l,
               struct sync__plog **out)
{
    long i = sync__plog_index(p, l->l_id);
    size_t at;

    if (i >= 0) {
        *out = &p->p_logs[i];
        return 0;
    }
    if (p->p_nlogs >= SYNC_MAX_LOGS)
        return ILONET_ETOOBIG;
    if (l->l_seq == 0 && p->p_nunheld >= SYNC_PEER_MAX_UNHELD &&
        (p->p_nunheld = sync__unheld_count(p)) >= SYNC_PEER_MAX_UNHELD)
        return ILONET_ETOOBIG;
    if (p->p_nlogs == p->p_caplogs) {
        size_t cap = p->p_caplogs ? p->p_caplogs * 2 : 64;
        struct sync__plog *nl = realloc(p->p_logs, cap * sizeof(*nl));
        if (!nl)
            return ILONET_ENOMEM;
        p->p_logs = nl;
        p->p_caplogs = cap;
    }
    at = (size_t)(-i - 1);
    memmove(&p->p_logs[at + 1], &p->p_logs[at],
            (p->p_nlogs - at) * sizeof(*p->p_logs));
    memset(&p->p_logs[at], 0, sizeof(p->p_logs[at]));
    p->p_logs[at].pl_log = l;
    p->p_nlogs++;
    l->l_refs++;
    if (l->l_seq == 0)
        p->p_nunheld++;
    *out = &p->p_logs[at];
    return 0;
}

static void
sync__flag(struct sync_peer *p, struct sync__plog *pl, unsigned f)
{
    if (pl->pl_flags & f)
        return;
    pl->pl_flags |= f;
    if (f == SYNC__F_ANNOUNCE)
        p->p_n_announce++;
    else if (f == SYNC__F_EVIDENCE)
        p->p_n_evidence++;
    p->p_kick = 1;
}

static void
sync__unflag(struct sync_peer *p, struct sync__plog *pl, unsigned f)
{
    if (!(pl->pl_flags & f))
        return;
    pl->pl_flags &= ~f;
    if (f == SYNC__F_ANNOUNCE)
        p->p_n_announce--;
    else if (f == SYNC__F_EVIDENCE)
        p->p_n_evidence--;
}

/* The highest seq we may fetch of a log from this peer: its head, but
 * nothing past a fork it holds evidence for. */
static uint64_t
sync__their_limit(const struct sync__plog *pl)
{
    uint64_t lim = pl->pl_their_seq;

    if (pl->pl_their_frozen && pl->pl_their_frozen < lim)
        lim = pl->pl_their_frozen;
    return lim;
}

static void
sync__queue_want(struct sync_peer *p, struct sync__plog *pl, uint64_t from)
{
    struct sync__log *l = pl->pl_log;

    if (pl->pl_want_from == 0) {
        p->p_n_want++;
        pl->pl_want_from = from;
    } else if (from < pl->pl_want_from) {
        pl->pl_want_from = from;
    }
    l->l_want_peer = p;
    l->l_want_until = p->p_now + p->p_node->n_cfg.sc_want_ms;
    p->p_kick = 1;
}

/*
 * Asks this peer for what it has of a log beyond our head, unless a
 * request for the log is already outstanding (here or at another peer)
 * and has not timed out. A frozen log is never fetched further: past the
 * fork, peers may hold different branches.
 */
static void
sync__want_eval(struct sync_peer *p, struct sync__plog *pl)
{
    struct sync__log *l = pl->pl_log;

    if (l->l_frozen || sync__their_limit(pl) <= l->l_seq)
        return;
    if (l->l_revoked && l->l_seq + 1 >= l->l_revoked)
        return; /* the rest is past a revocation's cut */
    if (l->l_want_peer && l->l_want_until > p->p_now)
        return;
    sync__queue_want(p, pl, l->l_seq + 1);
}

/* After our copy of l grew or froze: tell every member peer that lacks it,
 * send evidence for a new fork, and clear a completed request. */
static void
sync__log_changed(struct sync_node *n, struct sync__log *l, int new_fork)
{
    for (struct sync_peer *q = n->n_peers; q; q = q->p_next) {
        struct sync__plog *pl;

        if (!sync__peer_admits(q, l) || l->l_seq == 0)
            continue;
        if (sync__plog_get(q, l, &pl) != 0)
            continue; /* table full: the digest round repairs it */
        if (pl->pl_their_seq < l->l_seq && pl->pl_told_seq < l->l_seq)
            sync__flag(q, pl, SYNC__F_ANNOUNCE);
        if (l->l_frozen && pl->pl_told_frozen != l->l_frozen)
            sync__flag(q, pl, SYNC__F_ANNOUNCE);
        if (new_fork)
            sync__flag(q, pl, SYNC__F_EVIDENCE);
    }
}

/* Our head moved: if the outstanding request is satisfied, let another
 * peer that has more be asked. */
static void
sync__want_progress(struct sync_node *n, struct sync__log *l,
                    struct sync_peer *from, int progressed)
{
    struct sync__plog *pl;

    if (l->l_want_peer != from)
        return;
    pl = sync__plog_find(from, l);
    if (progressed)
        l->l_want_until = from->p_now + n->n_cfg.sc_want_ms;
    if (!pl || l->l_frozen || sync__their_limit(pl) <= l->l_seq) {
        l->l_want_peer = NULL;
        for (struct sync_peer *q = n->n_peers; q; q = q->p_next) {
            struct sync__plog *ql;
            if (q == from || !sync__peer_admits(q, l))
                continue;
            if ((ql = sync__plog_find(q, l)) != NULL)
                sync__want_eval(q, ql);
        }
    }
}

/* ---- digest ----------------------------------------------------------- */

/*
 * Anti-entropy digest over the logs held that a (state, role) member may
 * read, in log id order: id, then for a log with fork evidence 0x01 and the
 * fork seq (its head differs per branch), else 0x00, head seq and head id.
 */
static void
sync__digest(const struct sync_node *n, const char *state, enum cert_role role,
             uint8_t out[static HASH_LEN])
{
    struct hash_state hs;
    uint8_t b[8];

    hash_init(&hs, SYNC__DIGEST_CTX);
    for (size_t i = 0; i < n->n_nlogs; i++) {
        const struct sync__log *l = n->n_logs[i];

        if (l->l_seq == 0 || !audience_admits(l->l_audience, state, role))
            continue;
        hash_update(&hs, l->l_id, HASH_LEN);
        if (l->l_frozen) {
            hash_update(&hs, "\x01", 1);
            sync__be64(b, l->l_frozen);
            hash_update(&hs, b, 8);
        } else {
            hash_update(&hs, "\x00", 1);
            sync__be64(b, l->l_seq);
            hash_update(&hs, b, 8);
            hash_update(&hs, l->l_head, HASH_LEN);
        }
    }
    hash_final(&hs, out);
}

int
sync_digest(struct sync_node *n, const char *state, enum cert_role role,
            uint8_t out[static HASH_LEN])
{
    if (!n || !state)
        return ILONET_EINVAL;
    sync__digest(n, state, role, out);
    return 0;
}

/* ---- node and peer lifetime ------------------------------------------- */

int
sync_node_new(struct sync_node **out, const struct sync_store *st,
              const uint8_t *my_cert, size_t my_cert_len,
              const struct sync_config *cfg, const struct sync_callbacks *cb)
{
    struct sync_node *n;
    struct log_head *heads = NULL;
    size_t nheads = 0;
    int rc;

    if (!out || !st || !st->ss_ops || !my_cert || my_cert_len == 0 ||
        my_cert_len > CERT_MAX_LEN)
        return ILONET_EINVAL;
    if (!(n = calloc(1, sizeof(*n))))
        return ILONET_ENOMEM;
    n->n_st = *st;
    memcpy(n->n_net, SYNC__ST(n)->so_network(SYNC__CTX(n)), NET_ID_LEN);
    if ((rc = sync__st_cert_verify(n, my_cert, my_cert_len, &n->n_me)) != 0)
        goto fail;
    if (!(n->n_cert = malloc(my_cert_len))) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    memcpy(n->n_cert, my_cert, my_cert_len);
    n->n_cert_len = my_cert_len;
    n->n_cfg = (struct sync_config){1000, 3000, 10000, 8, 65536};
    if (cfg) {
        if (cfg->sc_digest_ms)
            n->n_cfg.sc_digest_ms = cfg->sc_digest_ms;
        if (cfg->sc_want_ms)
            n->n_cfg.sc_want_ms = cfg->sc_want_ms;
        if (cfg->sc_hello_ms)
            n->n_cfg.sc_hello_ms = cfg->sc_hello_ms;
        if (cfg->sc_window)
            n->n_cfg.sc_window = cfg->sc_window;
        if (cfg->sc_batch_bytes)
            n->n_cfg.sc_batch_bytes = cfg->sc_batch_bytes;
    }
    if (cb)
        n->n_cb = *cb;
    SYNC__ST(n)->so_set_identity(SYNC__CTX(n), &n->n_me);
    if ((rc = sync__st_heads(n, &heads, &nheads)) != 0)
        goto fail;
    for (size_t i = 0; i < nheads; i++) {
        struct sync__log *l;
        const struct log_head *h = &heads[i];

        if ((rc = sync__log_get(n, h->lh_log.ld_id, h->lh_log.ld_author,
                                h->lh_log.ld_audience, &l)) != 0)
            goto fail;
        l->l_seq = h->lh_seq;
        memcpy(l->l_head, h->lh_id, HASH_LEN);
        l->l_frozen = h->lh_frozen;
        l->l_revoked = h->lh_revoked;
    }
    free(heads);
    heads = NULL;
    if ((rc = sync__st_revocations(n, &n->n_nrev)) != 0)
        goto fail;
    if ((rc = sync__st_restored(n, &n->n_restored)) != 0)
        goto fail;
    *out = n;
    return 0;
fail:
    free(heads);
    sync_node_free(n);
    return rc;
}

void
sync_node_free(struct sync_node *n)
{
    if (!n)
        return;
    while (n->n_peers)
        sync_peer_free(n->n_peers);
    for (size_t i = 0; i < n->n_nlogs; i++)
        free(n->n_logs[i]);
    free(n->n_logs);
    free(n->n_cert);
    free(n);
}

int
sync_peer_new(struct sync_node *n, const uint8_t peer_pk[static KEY_PK_LEN],
              uint64_t now_ms, struct sync_peer **out)
{
    struct sync_peer *p;

    if (!n || !out)
        return ILONET_EINVAL;
    if (!(p = calloc(1, sizeof(*p))))
        return ILONET_ENOMEM;
    p->p_node = n;
    memcpy(p->p_key, peer_pk, KEY_PK_LEN);
    p->p_created = p->p_now = now_ms;
    p->p_next = n->n_peers;
    if (n->n_peers)
        n->n_peers->p_prev = p;
    n->n_peers = p;
    *out = p;
    return 0;
}

void
sync_peer_free(struct sync_peer *p)
{
    struct sync_node *n;

    if (!p)
        return;
    n = p->p_node;
    if (p->p_prev)
        p->p_prev->p_next = p->p_next;
    else
        n->n_peers = p->p_next;
    if (p->p_next)
        p->p_next->p_prev = p->p_prev;
    /* The logs only this session had heard of, and holds no entry of,
     * go with it. */
    for (size_t i = 0; i < p->p_nlogs; i++) {
        struct sync__log *l = p->p_logs[i].pl_log;

        if (--l->l_refs == 0 && l->l_seq == 0)
            l->l_drop = 1;
    }
    for (size_t i = 0; i < n->n_nlogs; i++)
        if (n->n_logs[i]->l_want_peer == p)
            n->n_logs[i]->l_want_peer = NULL;
    sync__logs_sweep(n);
    free(p->p_logs);
    free(p);
}

void
sync_peer_set_data(struct sync_peer *p, void *data)
{
    p->p_data = data;
}

void *
sync_peer_data(const struct sync_peer *p)
{
    return p->p_data;
}

const uint8_t *
sync_peer_key(const struct sync_peer *p)
{
    return p->p_key;
}

const struct cert *
sync_peer_cert(const struct sync_peer *p)
{
    return p->p_ready ? &p->p_cert : NULL;
}

void
sync_peer_stats(const struct sync_peer *p, struct sync_peer_stats *st)
{
    *st = p->p_st;
    st->ps_ready = p->p_ready;
}

/* ---- receiving -------------------------------------------------------- */

static int sync__refresh_all(struct sync_node *n);

/*
 * A new node revocation is held (ingested, or published by a local
 * append): re-read every head (cuts moved) and end the sessions of peers
 * whose key is now revoked (audit line, code revoked; sync_tick and
 * sync_recv then return ILONET_ECLOSED for them).
 */
static int
sync__revocations_check(struct sync_node *n)
{
    uint64_t cnt = 0;
    int rc;

    if ((rc = sync__st_revocations(n, &cnt)) != 0)
        return rc;
    if (cnt == n->n_nrev)
        return 0;
    n->n_nrev = cnt;
    for (size_t i = 0; i < n->n_nlogs; i++) {
        struct sync__log *l = n->n_logs[i];
        uint64_t seq = l->l_seq;

        if ((rc = sync__log_refresh(n, l)) != 0)
            return rc;
        if (l->l_seq != seq)
            sync__log_changed(n, l, 0);
    }
    if ((rc = sync__refresh_all(n)) != 0)
        return rc;
    for (struct sync_peer *q = n->n_peers; q; q = q->p_next) {
        if (!q->p_ready || q->p_dead)
            continue;
        rc = sync__st_node_revoked(n, q->p_key, q->p_cert.c_state);
        if (rc == ILONET_EREVOKED) {
            sync__fail(q, NULL, 0, rc, 1, "peer-revoked");
            q->p_kick = 1;
        } else if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int
sync__on_hello(struct sync_peer *p, const struct msg *m)
{
    struct sync_node *n = p->p_node;
    uint8_t hid[HASH_LEN];
    struct cert c;
    int rc;

    cert_envelope_id(m->m_cert, m->m_cert_len, hid);
    if (p->p_ready) {
        /* A repeated HELLO is harmless if it is the same one. */
        if (memcmp(hid, p->p_hello_id, HASH_LEN) == 0)
            return 0;
        return sync__fail(p, NULL, 0, ILONET_EPROTO, 1, "hello-again");
    }
    if (m->m_version != SYNC_PROTO_VERSION)
        return sync__fail(p, NULL, 0, ILONET_EPROTO, 0, "hello-version");
    if ((rc = sync__st_cert_verify(n, m->m_cert, m->m_cert_len, &c)) != 0)
        return sync__fail(p, NULL, 0, rc, 1, "hello-cert");
    if (memcmp(c.c_node, p->p_key, KEY_PK_LEN) != 0)
        return sync__fail(p, NULL, 0, ILONET_EUNKNOWNAUTHOR, 1,
                          "hello-cert-key");
    if ((rc = cert_valid_at(&c, p->p_now / 1000)) != 0)
        return sync__fail(p, NULL, 0, rc, 1, "hello-cert-validity");
    /* A node key its state revoked completes no session (docs/KEYS.md). */
    if ((rc = sync__st_node_revoked(n, c.c_node, c.c_state)) != 0)
        return sync__fail(p, NULL, 0, rc, rc == ILONET_EREVOKED,
                          rc == ILONET_EREVOKED ? "hello-revoked" : "store");
    /* Our cache may miss appends made before this session (another
     * process): list what the store holds now. */
    if ((rc = sync__refresh_all(n)) != 0)
        return sync__fail(p, NULL, 0, rc, 0, "store");
    p->p_cert = c;
    p->p_ready = 1;
    memcpy(p->p_hello_id, hid, HASH_LEN);
    p->p_next_digest = p->p_now + n->n_cfg.sc_digest_ms;
    /* Evidence first, then our full listing. */
    for (size_t i = 0; i < n->n_nlogs; i++) {
        struct sync__log *l = n->n_logs[i];
        struct sync__plog *pl;

        if (l->l_frozen && l->l_seq && sync__admits(&c, l) &&
            sync__plog_get(p, l, &pl) == 0)
            sync__flag(p, pl, SYNC__F_EVIDENCE);
    }
    p->p_list_pending = 1;
    p->p_kick = 1;
    return 0;
}

/* Our entry id at seq of l, for spotting a diverged copy. */
static int
sync__id_at(struct sync_node *n, const struct sync__log *l, uint64_t seq,
            uint8_t id[HASH_LEN])
{
    if (seq == l->l_seq) {
        memcpy(id, l->l_head, HASH_LEN);
        return 0;
    }
    return sync__st_id_at(n, l->l_id, seq, id);
}

/*
 * Restored from a backup (log_mark_restored): appends stay refused until
 * every own log we know of is confirmed, i.e. a peer that may read it has
 * sent its full listing and we hold at least the seq it holds (fetched
 * like any log). Logs that peer may not read wait for another peer.
 */
static int
sync__restore_check(struct sync_peer *p)
{
    struct sync_node *n = p->p_node;
    int all = 1, rc;

    if (!n->n_restored || !p->p_listed)
        return 0;
    for (size_t i = 0; i < n->n_nlogs; i++) {
        struct sync__log *l = n->n_logs[i];
        const struct sync__plog *pl;

        if (memcmp(l->l_author, n->n_me.c_node, KEY_PK_LEN) != 0)
            continue;
        if (!l->l_confirmed && sync__peer_admits(p, l)) {
            pl = sync__plog_find(p, l);
            l->l_confirmed = l->l_frozen || !pl || pl->pl_their_seq <= l->l_seq;
        }
        all &= l->l_confirmed;
    }
    if (!all)
        return 0;
    if ((rc = sync__st_clear_restored(n)) != 0)
        return rc;
    n->n_restored = 0;
    sync__audit(p, NULL, 0, 0, 0, "restore-confirmed");
    return 0;
}

static int
sync__on_heads(struct sync_peer *p, const struct msg *m0)
{
    struct sync_node *n = p->p_node;
    const struct cert *me = &n->n_me;
    struct msg m = *m0;
    struct msg_head h;
    uint8_t want[HASH_LEN];
    int rc;

    /* Check every item before acting on any. */
    while ((rc = msg_heads_next(&m, &h)) == 1) {
        entry_log_id(n->n_net, h.mh_author, h.mh_audience, want);
        if (memcmp(want, h.mh_log, HASH_LEN) != 0)
            return sync__fail(p, h.mh_log, h.mh_seq, ILONET_ENETWORK, 1,
                              "heads-log-id");
        /* An honest member never names a log we may not read. */
        if (!audience_admits(h.mh_audience, me->c_state, me->c_role))
            return sync__fail(p, NULL, 0, ILONET_EAUDIENCE, 1,
                              "heads-audience");
        /* Nor one it may not read itself: it holds none (its store keeps
         * only its audiences), and any answer (a WANT naming the log and
         * our head, evidence) would tell a non-member that the log exists
         * and how much of it we hold. Refused before anything is looked
         * up, so holding the log or not makes no difference. */
        if (!audience_admits(h.mh_audience, p->p_cert.c_state,
                             p->p_cert.c_role))
            return sync__fail(p, NULL, 0, ILONET_EAUDIENCE, 1,
                              "heads-peer-audience");
    }
    if (rc < 0)
        return sync__fail(p, NULL, 0, rc, 1, "heads-item");

    m = *m0;
    while (msg_heads_next(&m, &h) == 1) {
        struct sync__log *l;
        struct sync__plog *pl;
        uint8_t mine[HASH_LEN];

        if ((rc = sync__log_get(n, h.mh_log, h.mh_author, h.mh_audience, &l)) !=
            0)
            return sync__fail(p, h.mh_log, h.mh_seq, rc, 0, "heads-table");
        if ((rc = sync__plog_get(p, l, &pl)) != 0) {
            /* Over the session's bound: an attempt to fill our memory. */
            sync__log_unused(n, l);
            return sync__fail(p, h.mh_log, h.mh_seq, rc, rc == ILONET_ETOOBIG,
                              "heads-table");
        }
        if (h.mh_seq > pl->pl_their_seq)
            pl->pl_their_seq = h.mh_seq;
        if (h.mh_frozen &&
            (!pl->pl_their_frozen || h.mh_frozen < pl->pl_their_frozen))
            pl->pl_their_frozen = h.mh_frozen;
        /* They lack our evidence, or hold a later fork than ours. */
        if (l->l_frozen && l->l_seq &&
            (!h.mh_frozen || h.mh_frozen > l->l_frozen))
            sync__flag(p, pl, SYNC__F_EVIDENCE);
        /* A head of our own log beyond ours is only a claim: it is
         * fetched like any other, and only signed entries (on_batch)
         * mark the log as behind, so a peer cannot block our appends. */
        /* Same seq held on both sides with another id: a fork. Fetch
         * their entry at that seq so ingest records the evidence. */
        if (!l->l_frozen && l->l_seq >= h.mh_seq) {
            rc = sync__id_at(n, l, h.mh_seq, mine);
            if (rc == 0 && memcmp(mine, h.mh_id, HASH_LEN) != 0 &&
                !l->l_want_peer)
                sync__queue_want(p, pl, h.mh_seq);
            else if (rc != 0 && rc != ILONET_ENOTFOUND)
                return sync__fail(p, l->l_id, h.mh_seq, rc, 0, "store");
        }
        sync__want_eval(p, pl);
    }
    if ((m0->m_flags & MSG_HEADS_LAST) && (m0->m_flags & MSG_HEADS_REPLY)) {
        p->p_list_pending = 1;
        p->p_kick = 1;
    }
    if ((m0->m_flags & MSG_HEADS_FULL) && (m0->m_flags & MSG_HEADS_LAST)) {
        p->p_listed = 1;
        if ((rc = sync__restore_check(p)) != 0)
            return sync__fail(p, NULL, 0, rc, 0, "store");
    }
    return 0;
}

static int
sync__on_want(struct sync_peer *p, const struct msg *m0)
{
    struct sync_node *n = p->p_node;
    struct msg m = *m0;
    struct msg_want w;
    int rc;

    while ((rc = msg_want_next(&m, &w)) == 1)
        ;
    if (rc < 0)
        return sync__fail(p, NULL, 0, rc, 1, "want-item");
    m = *m0;
    while (msg_want_next(&m, &w) == 1) {
        struct sync__log *l = sync__log_find(n, w.mw_log);
        struct sync__plog *pl;
        uint64_t lim;

        /* Unknown, not held and not-for-you look the same: silence. */
        if (!l || l->l_seq == 0 || !sync__peer_admits(p, l))
            continue;
        lim = l->l_frozen && l->l_frozen < l->l_seq ? l->l_frozen : l->l_seq;
        if (w.mw_from > lim)
            continue;
        if ((rc = sync__plog_get(p, l, &pl)) != 0)
            return sync__fail(p, l->l_id, w.mw_from, rc, 0, "want-table");
        if (!pl->pl_serve_next)
            p->p_n_serving++;
        pl->pl_serve_next = w.mw_from;
        p->p_kick = 1;
    }
    return 0;
}

/* Ingest errors an honest peer can cause: not its fault. */
static int
sync__soft_ingest_error(int rc)
{
    return rc == ILONET_EREVOKED || rc == ILONET_EFROZEN;
}

static int
sync__local_error(int rc)
{
    return rc == ILONET_EIO || rc == ILONET_ENOMEM || rc == ILONET_EBUSY;
}

static int
sync__on_batch(struct sync_peer *p, const struct msg *m)
{
    struct sync_node *n = p->p_node;
    const struct cert *me = &n->n_me;
    struct log_batch b;
    struct ingest_stats st;
    struct sync__log *l;
    struct sync__plog *pl;
    uint64_t first, last, before;
    int rc, fork_before;

    p->p_batches_in_total++;
    p->p_ack_pending = 1;
    p->p_kick = 1;
    if ((rc = batch_decode(m->m_a, m->m_a_len, n->n_net, &b)) != 0)
        return sync__fail(p, NULL, 0, rc, 1, "batch-decode");
    first = b.b_entries[0].e_h.h_seq;
    last = first + b.b_count - 1;
    if (!audience_admits(b.b_log.ld_audience, me->c_state, me->c_role)) {
        rc = sync__fail(p, NULL, 0, ILONET_EAUDIENCE, 1, "batch-audience");
        goto out;
    }
    /* A peer holds no log it may not read (see sync__on_heads). */
    if (!audience_admits(b.b_log.ld_audience, p->p_cert.c_state,
                         p->p_cert.c_role)) {
        rc = sync__fail(p, NULL, 0, ILONET_EAUDIENCE, 1, "batch-peer-audience");
        goto out;
    }
    if ((rc = sync__log_get(n, b.b_log.ld_id, b.b_log.ld_author,
                            b.b_log.ld_audience, &l)) != 0) {
        rc = sync__fail(p, b.b_log.ld_id, first, rc, 0, "batch-table");
        goto out;
    }
    if ((rc = sync__plog_get(p, l, &pl)) != 0) {
        sync__log_unused(n, l);
        rc = sync__fail(p, b.b_log.ld_id, first, rc, rc == ILONET_ETOOBIG,
                        "batch-table");
        goto out;
    }
    p->p_st.ps_batches_in++;
    if (last > pl->pl_their_seq)
        pl->pl_their_seq = last;
    /* Not adjacent to what we hold (a lost or reordered message, or
     * another branch past a fork we know of): drop it, ask again. */
    if (first > l->l_seq + 1 || (l->l_frozen && first > l->l_seq)) {
        /* Our own log, signed by us beyond our head: we were restored
         * from a backup. No appends until we have caught up. */
        if (memcmp(b.b_log.ld_author, me->c_node, KEY_PK_LEN) == 0 &&
            first > l->l_seq + 1 &&
            entry_verify_sig(&b.b_entries[b.b_count - 1], me->c_node) == 0 &&
            (rc = sync__st_self_behind(n, l->l_id, last)) != 0) {
            rc = sync__fail(p, l->l_id, last, rc, 0, "self-behind");
            goto out;
        }
        sync__want_eval(p, pl);
        rc = 0;
        goto out;
    }
    before = l->l_seq;
    fork_before = l->l_frozen != 0;
    rc = sync__st_ingest(n, &b, p->p_now, &st);
    if (rc == ILONET_EREVOKED) {
        /* What came before the cut is stored; the rest is refused, and
         * not asked for again: the peer may not hold the revocation yet
         * (it gets it from us), so no strike. */
        uint64_t seq = st.is_err_seq ? st.is_err_seq : first;
        sync__audit(p, l->l_id, seq, rc, 0, "batch-revoked");
        if (!l->l_revoked || seq < l->l_revoked)
            l->l_revoked = seq;
        rc = 0;
    }
    if (rc != 0) {
        uint64_t seq = st.is_err_seq ? st.is_err_seq : first;
        if (rc == ILONET_ECHAIN && first == l->l_seq + 1 &&
            !(pl->pl_flags & SYNC__F_DIVERGED)) {
            /* Their next entry does not link to our head: our copies
             * diverged (a fork neither side knows yet). Once per log,
             * ask again overlapping our head so ingest sees both
             * entries at one seq and records the evidence. */
            pl->pl_flags |= SYNC__F_DIVERGED;
            sync__audit(p, l->l_id, seq, rc, 0, "batch-diverged");
            if (l->l_seq)
                sync__queue_want(p, pl, l->l_seq);
            rc = 0;
        } else if (sync__soft_ingest_error(rc)) {
            sync__audit(p, l->l_id, seq, rc, 0, "batch-refused");
            rc = 0;
        } else {
            rc = sync__fail(p, l->l_id, seq, rc, !sync__local_error(rc),
                            "batch");
        }
        goto out;
    }
    if ((rc = sync__log_refresh(n, l)) != 0) {
        rc = sync__fail(p, l->l_id, first, rc, 0, "store");
        goto out;
    }
    if (st.is_new) {
        p->p_st.ps_entries_in += st.is_new;
        p->p_st.ps_last_progress_ms = p->p_now;
    }
    /* Timestamps too far ahead: stored, kept out of the view, and the
     * operator hears of it (a skewed clock at the author, or worse). */
    if (st.is_quarantined)
        sync__audit(p, l->l_id, first, ILONET_EFUTURE, 0, "batch-quarantined");
    if (n->n_restored && memcmp(l->l_author, me->c_node, KEY_PK_LEN) == 0 &&
        (rc = sync__restore_check(p)) != 0) {
        rc = sync__fail(p, l->l_id, first, rc, 0, "store");
        goto out;
    }
    if (l->l_seq > before || (l->l_frozen && !fork_before))
        sync__log_changed(n, l, l->l_frozen && !fork_before);
    sync__want_progress(n, l, p, l->l_seq > before);
    if (st.is_revocations && (rc = sync__revocations_check(n)) != 0) {
        rc = sync__fail(p, l->l_id, first, rc, 0, "store");
        goto out;
    }
    rc = p->p_dead ? ILONET_EREVOKED : 0; /* this very peer was revoked */
out:
    batch_free(&b);
    return rc;
}

static int
sync__on_evidence(struct sync_peer *p, const struct msg *m)
{
    struct sync_node *n = p->p_node;
    const struct cert *me = &n->n_me;
    struct log_batch a, b;
    struct sync__log *l;
    struct sync__plog *pl;
    uint64_t seq;
    int rc, fork_before;

    memset(&b, 0, sizeof(b));
    if ((rc = batch_decode(m->m_a, m->m_a_len, n->n_net, &a)) != 0)
        return sync__fail(p, NULL, 0, rc, 1, "evidence-decode");
    if ((rc = batch_decode(m->m_b, m->m_b_len, n->n_net, &b)) != 0) {
        rc = sync__fail(p, NULL, 0, rc, 1, "evidence-decode");
        goto out;
    }
    seq = a.b_entries[0].e_h.h_seq;
    if (a.b_count != 1 || b.b_count != 1 ||
        memcmp(a.b_log.ld_id, b.b_log.ld_id, HASH_LEN) != 0 ||
        b.b_entries[0].e_h.h_seq != seq ||
        memcmp(a.b_entries[0].e_id, b.b_entries[0].e_id, HASH_LEN) == 0) {
        rc = sync__fail(p, a.b_log.ld_id, seq, ILONET_EPROTO, 1, "evidence");
        goto out;
    }
    if (!audience_admits(a.b_log.ld_audience, me->c_state, me->c_role)) {
        rc = sync__fail(p, NULL, 0, ILONET_EAUDIENCE, 1, "evidence-audience");
        goto out;
    }
    if (!audience_admits(a.b_log.ld_audience, p->p_cert.c_state,
                         p->p_cert.c_role)) {
        rc = sync__fail(p, NULL, 0, ILONET_EAUDIENCE, 1,
                        "evidence-peer-audience");
        goto out;
    }
    /* Evidence is only evidence if the author signed both. */
    if ((rc = entry_verify_sig(&a.b_entries[0], a.b_log.ld_author)) != 0 ||
        (rc = entry_verify_sig(&b.b_entries[0], b.b_log.ld_author)) != 0) {
        rc = sync__fail(p, a.b_log.ld_id, seq, rc, 1, "evidence-sig");
        goto out;
    }
    if ((rc = sync__log_get(n, a.b_log.ld_id, a.b_log.ld_author,
                            a.b_log.ld_audience, &l)) != 0) {
        rc = sync__fail(p, a.b_log.ld_id, seq, rc, 0, "evidence-table");
        goto out;
    }
    if ((rc = sync__plog_get(p, l, &pl)) != 0) {
        sync__log_unused(n, l);
        rc = sync__fail(p, a.b_log.ld_id, seq, rc, rc == ILONET_ETOOBIG,
                        "evidence-table");
        goto out;
    }
    if (!pl->pl_their_frozen || seq < pl->pl_their_frozen)
        pl->pl_their_frozen = seq;
    if (seq > pl->pl_their_seq)
        pl->pl_their_seq = seq;
    if (l->l_frozen && l->l_frozen <= seq) {
        rc = 0; /* we know of this fork or an earlier one */
        goto out;
    }
    if (l->l_seq < seq) {
        /* Fetch up to the fork first; the peer sends the evidence again
         * while our heads show no fork. */
        sync__want_eval(p, pl);
        rc = 0;
        goto out;
    }
    /* We hold seq: whichever of the two is not ours is a fork. The entries
     * carry no payload and sit at a held seq, so nothing new is stored but
     * the evidence row. */
    fork_before = l->l_frozen;
    if ((rc = sync__st_ingest(n, &a, p->p_now, NULL)) == 0)
        rc = sync__st_ingest(n, &b, p->p_now, NULL);
    if (rc != 0) {
        rc = sync__fail(p, l->l_id, seq, rc, !sync__local_error(rc),
                        "evidence-ingest");
        goto out;
    }
    if ((rc = sync__log_refresh(n, l)) != 0) {
        rc = sync__fail(p, l->l_id, seq, rc, 0, "store");
        goto out;
    }
    if (l->l_frozen != (uint64_t)fork_before)
        sync__log_changed(n, l, 1);
    rc = 0;
out:
    batch_free(&a);
    batch_free(&b);
    return rc;
}

int
sync_recv(struct sync_peer *p, const uint8_t *buf, size_t len, uint64_t now_ms)
{
    struct sync_node *n;
    struct msg m;
    int rc;

    if (!p || !buf)
        return ILONET_EINVAL;
    if (p->p_dead)
        return ILONET_ECLOSED;
    n = p->p_node;
    if (now_ms > p->p_now)
        p->p_now = now_ms;
    p->p_st.ps_msgs_in++;
    p->p_st.ps_bytes_in += len;
    if ((rc = msg_decode(buf, len, &m)) != 0) {
        rc = sync__fail(p, NULL, 0, rc, 1, "decode");
        goto out;
    }
    if (!p->p_ready && m.m_type != MSG_T_HELLO) {
        rc = sync__fail(p, NULL, 0, ILONET_EPROTO, 1, "before-hello");
        goto out;
    }
    switch (m.m_type) {
    case MSG_T_HELLO: rc = sync__on_hello(p, &m); break;
    case MSG_T_HEADS: rc = sync__on_heads(p, &m); break;
    case MSG_T_WANT: rc = sync__on_want(p, &m); break;
    case MSG_T_BATCH: rc = sync__on_batch(p, &m); break;
    case MSG_T_EVIDENCE: rc = sync__on_evidence(p, &m); break;
    case MSG_T_DIGEST: {
        uint8_t d[HASH_LEN];
        sync__digest(n, p->p_cert.c_state, p->p_cert.c_role, d);
        if (memcmp(d, m.m_digest, HASH_LEN) != 0) {
            p->p_list_pending = 1;
            p->p_list_reply_pending = 1;
            p->p_kick = 1;
        }
        rc = 0;
        break;
    }
    case MSG_T_ACK:
        if (m.m_total > p->p_batches_acked) {
            p->p_batches_acked =
                m.m_total < p->p_batches_sent ? m.m_total : p->p_batches_sent;
            p->p_last_ack_ms = p->p_now;
            p->p_kick = 1;
        }
        rc = 0;
        break;
    default: rc = sync__fail(p, NULL, 0, ILONET_EPROTO, 1, "type");
    }
out:
    sync__flush_kicks(n);
    return rc;
}

/* ---- timers ----------------------------------------------------------- */

/*
 * Re-reads every head from the store: catches appends made behind our
 * back (another process on the same store, a forgotten sync_notify), so
 * they still reach peers within one digest interval.
 */
static int
sync__refresh_all(struct sync_node *n)
{
    struct log_head *heads = NULL;
    size_t nheads = 0;
    int rc, restored;

    /* `ilonet restore` may run while the node does. */
    if ((rc = sync__st_restored(n, &restored)) != 0)
        return rc;
    if (restored && !n->n_restored)
        for (size_t i = 0; i < n->n_nlogs; i++)
            n->n_logs[i]->l_confirmed = 0;
    n->n_restored = restored;
    if ((rc = sync__st_heads(n, &heads, &nheads)) != 0)
        return rc;
    for (size_t i = 0; i < nheads && rc == 0; i++) {
        const struct log_head *h = &heads[i];
        struct sync__log *l;
        uint64_t frozen_before;

        if ((rc = sync__log_get(n, h->lh_log.ld_id, h->lh_log.ld_author,
                                h->lh_log.ld_audience, &l)) != 0)
            break;
        if (l->l_seq == h->lh_seq && l->l_frozen == h->lh_frozen &&
            memcmp(l->l_head, h->lh_id, HASH_LEN) == 0)
            continue;
        frozen_before = l->l_frozen;
        l->l_seq = h->lh_seq;
        memcpy(l->l_head, h->lh_id, HASH_LEN);
        l->l_frozen = h->lh_frozen;
        sync__log_changed(n, l, l->l_frozen && !frozen_before);
    }
    free(heads);
    return rc;
}

int
sync_tick(struct sync_peer *p, uint64_t now_ms)
{
    struct sync_node *n;

    if (!p)
        return ILONET_EINVAL;
    if (p->p_dead)
        return ILONET_ECLOSED;
    n = p->p_node;
    if (now_ms > p->p_now)
        p->p_now = now_ms;
    if (!p->p_ready) {
        if (p->p_now >= p->p_created + n->n_cfg.sc_hello_ms)
            return sync__fail(p, NULL, 0, ILONET_ETIMEOUT, 0, "hello-timeout");
        return 0;
    }
    if (p->p_now >= n->n_next_refresh) {
        int rc = sync__refresh_all(n);
        if (rc == 0)
            rc = sync__revocations_check(n);
        if (rc != 0)
            return sync__fail(p, NULL, 0, rc, 0, "store");
        if (p->p_dead)
            return ILONET_EREVOKED;
        n->n_next_refresh = p->p_now + n->n_cfg.sc_digest_ms;
    }
    if (p->p_now >= p->p_next_digest) {
        p->p_digest_pending = 1;
        p->p_next_digest = p->p_now + n->n_cfg.sc_digest_ms;
        p->p_kick = 1;
    }
    /* Acks lost or the peer stalled: reopen the window. */
    if (p->p_batches_sent > p->p_batches_acked &&
        p->p_now >= p->p_last_ack_ms + n->n_cfg.sc_want_ms) {
        p->p_batches_acked = p->p_batches_sent;
        p->p_last_ack_ms = p->p_now;
        p->p_kick = 1;
    }
    /* Requests that timed out are sent again (here or elsewhere). */
    for (size_t i = 0; i < p->p_nlogs; i++)
        sync__want_eval(p, &p->p_logs[i]);
    sync__flush_kicks(n);
    return 0;
}

uint64_t
sync_next_deadline(const struct sync_peer *p)
{
    const struct sync_node *n = p->p_node;
    uint64_t d;

    if (!p->p_ready)
        return p->p_created + n->n_cfg.sc_hello_ms;
    d = p->p_next_digest;
    if (p->p_now + n->n_cfg.sc_want_ms / 4 < d)
        d = p->p_now + n->n_cfg.sc_want_ms / 4;
    return d;
}

int
sync_notify(struct sync_node *n, const uint8_t log[static HASH_LEN],
            uint64_t now_ms)
{
    struct sync__log *l;
    struct log_head h;
    uint64_t frozen_before;
    int rc;

    (void)now_ms;
    if (!n || !log)
        return ILONET_EINVAL;
    if (!(l = sync__log_find(n, log))) {
        const struct log_desc *d = &h.lh_log;
        if ((rc = sync__st_head(n, log, &h)) != 0)
            return rc;
        if ((rc = sync__log_get(n, d->ld_id, d->ld_author, d->ld_audience,
                                &l)) != 0)
            return rc;
    }
    frozen_before = l->l_frozen;
    if ((rc = sync__log_refresh(n, l)) != 0)
        return rc;
    sync__log_changed(n, l, l->l_frozen && !frozen_before);
    if ((rc = sync__revocations_check(n)) != 0)
        return rc;
    sync__flush_kicks(n);
    return 0;
}

/* ---- sending ---------------------------------------------------------- */

static int
sync__window_open(const struct sync_peer *p)
{
    return p->p_batches_sent - p->p_batches_acked < p->p_node->n_cfg.sc_window;
}

int
sync_has_out(const struct sync_peer *p)
{
    if (p->p_dead)
        return 0;
    if (!p->p_hello_sent)
        return 1;
    if (!p->p_ready)
        return 0;
    return p->p_n_evidence || p->p_list_pending || p->p_list_active ||
           p->p_n_announce || p->p_n_want || p->p_ack_pending ||
           p->p_digest_pending || (p->p_n_serving && sync__window_open(p));
}

static void
sync__head_of(const struct sync__log *l, struct msg_head *h)
{
    memcpy(h->mh_log, l->l_id, HASH_LEN);
    memcpy(h->mh_author, l->l_author, KEY_PK_LEN);
    snprintf(h->mh_audience, sizeof(h->mh_audience), "%s", l->l_audience);
    h->mh_seq = l->l_seq;
    memcpy(h->mh_id, l->l_head, HASH_LEN);
    h->mh_frozen = l->l_frozen;
}

static void
sync__told(struct sync_peer *p, struct sync__log *l)
{
    struct sync__plog *pl;

    if (sync__plog_get(p, l, &pl) == 0) {
        pl->pl_told_seq = l->l_seq;
        pl->pl_told_frozen = l->l_frozen;
        sync__unflag(p, pl, SYNC__F_ANNOUNCE);
    }
}

/* One message of the full listing of our heads the peer may see. */
static int
sync__out_listing(struct sync_peer *p, struct wire_buf *wb)
{
    struct sync_node *n = p->p_node;
    struct msg_head h;
    size_t i, end, count = 0;
    uint64_t flags = MSG_HEADS_FULL;

    if (!p->p_list_active) {
        p->p_list_active = 1;
        p->p_list_cursor = 0;
        p->p_list_reply = p->p_list_reply_pending;
        p->p_list_pending = 0;
        p->p_list_reply_pending = 0;
        sync__digest(n, p->p_cert.c_state, p->p_cert.c_role, p->p_list_digest);
    }
    for (end = p->p_list_cursor; end < n->n_nlogs && count < MSG_HEADS_MAX;
         end++) {
        const struct sync__log *l = n->n_logs[end];
        if (l->l_seq && sync__admits(&p->p_cert, l))
            count++;
    }
    if (end >= n->n_nlogs) {
        flags |= MSG_HEADS_LAST;
        p->p_list_active = 0;
    }
    if (p->p_list_reply)
        flags |= MSG_HEADS_REPLY;
    msg_encode_heads_begin(wb, flags, p->p_list_digest, count);
    for (i = p->p_list_cursor; i < end; i++) {
        struct sync__log *l = n->n_logs[i];
        if (!l->l_seq || !sync__admits(&p->p_cert, l))
            continue;
        sync__head_of(l, &h);
        msg_encode_head(wb, &h);
        sync__told(p, l);
    }
    p->p_list_cursor = end;
    return 0;
}

static int
sync__out_announce(struct sync_peer *p, struct wire_buf *wb)
{
    struct sync_node *n = p->p_node;
    struct msg_head h;
    uint8_t d[HASH_LEN];
    size_t count = 0;

    for (size_t i = 0; i < p->p_nlogs && count < MSG_HEADS_MAX; i++) {
        struct sync__plog *pl = &p->p_logs[i];
        if (!(pl->pl_flags & SYNC__F_ANNOUNCE))
            continue;
        if (pl->pl_log->l_seq && sync__admits(&p->p_cert, pl->pl_log))
            count++;
        else
            sync__unflag(p, pl, SYNC__F_ANNOUNCE);
    }
    if (count == 0)
        return 0;
    sync__digest(n, p->p_cert.c_state, p->p_cert.c_role, d);
    msg_encode_heads_begin(wb, 0, d, count);
    for (size_t i = 0; i < p->p_nlogs && count > 0; i++) {
        struct sync__plog *pl = &p->p_logs[i];
        if (!(pl->pl_flags & SYNC__F_ANNOUNCE))
            continue;
        sync__head_of(pl->pl_log, &h);
        msg_encode_head(wb, &h);
        pl->pl_told_seq = pl->pl_log->l_seq;
        pl->pl_told_frozen = pl->pl_log->l_frozen;
        sync__unflag(p, pl, SYNC__F_ANNOUNCE);
        count--;
    }
    return 0;
}

static int
sync__out_want(struct sync_peer *p, struct wire_buf *wb)
{
    struct msg_want w;
    size_t count = 0;

    for (size_t i = 0; i < p->p_nlogs; i++)
        if (p->p_logs[i].pl_want_from)
            count++;
    if (count > MSG_WANT_MAX)
        count = MSG_WANT_MAX;
    msg_encode_want_begin(wb, count);
    for (size_t i = 0; i < p->p_nlogs && count > 0; i++) {
        struct sync__plog *pl = &p->p_logs[i];
        if (!pl->pl_want_from)
            continue;
        memcpy(w.mw_log, pl->pl_log->l_id, HASH_LEN);
        w.mw_from = pl->pl_want_from;
        msg_encode_want(wb, &w);
        pl->pl_want_from = 0;
        p->p_n_want--;
        count--;
    }
    return 0;
}

/* A one-entry batch without payload: [author, audience, seq, prev|nil,
 * [[hlc, kind, sig, [len, hash]]]] (storage/batch.h layout). */
static int
sync__pack_evidence_entry(struct wire_buf *wb, const struct sync__log *l,
                          const uint8_t *hdr, size_t hl, const uint8_t *sig)
{
    struct entry_header h;
    int rc;

    if ((rc = entry_header_decode(hdr, hl, &h)) != 0)
        return rc;
    wire_pack_array(wb, 5);
    wire_pack_bin(wb, l->l_author, KEY_PK_LEN);
    wire_pack_str(wb, l->l_audience);
    wire_pack_uint(wb, h.h_seq);
    if (h.h_has_prev)
        wire_pack_bin(wb, h.h_prev, HASH_LEN);
    else
        wire_pack_nil(wb);
    wire_pack_array(wb, 1);
    wire_pack_array(wb, 4);
    wire_pack_uint(wb, h.h_hlc);
    wire_pack_uint(wb, h.h_kind);
    wire_pack_bin(wb, sig, KEY_SIG_LEN);
    wire_pack_array(wb, 2);
    wire_pack_uint(wb, h.h_payload_len);
    wire_pack_bin(wb, h.h_payload_hash, HASH_LEN);
    return 0;
}

/* The fork evidence of a log at its frozen seq, as an EVIDENCE message. */
static int
sync__out_evidence(struct sync_peer *p, struct wire_buf *wb,
                   struct sync__log *l)
{
    struct log_evidence ev;
    int rc;

    if ((rc = sync__st_evidence(p->p_node, l->l_id, l->l_frozen, &ev)) != 0)
        return rc;
    msg_encode_evidence_begin(wb);
    if ((rc = sync__pack_evidence_entry(wb, l, ev.le_hdr[0], ev.le_hdr_len[0],
                                        ev.le_sig[0])) != 0)
        return rc;
    return sync__pack_evidence_entry(wb, l, ev.le_hdr[1], ev.le_hdr_len[1],
                                     ev.le_sig[1]);
}

/* The next batch of a range being served, round robin over logs. */
static int
sync__out_batch(struct sync_peer *p, struct wire_buf *wb)
{
    struct sync_node *n = p->p_node;

    for (size_t k = 0; k < p->p_nlogs && p->p_n_serving; k++) {
        size_t i = (p->p_serve_cursor + k) % p->p_nlogs;
        struct sync__plog *pl = &p->p_logs[i];
        struct sync__log *l = pl->pl_log;
        uint64_t lim;
        size_t count = 0;
        int rc;

        if (!pl->pl_serve_next)
            continue;
        lim = l->l_frozen && l->l_frozen < l->l_seq ? l->l_frozen : l->l_seq;
        if (pl->pl_serve_next > lim || !sync__admits(&p->p_cert, l)) {
            pl->pl_serve_next = 0;
            p->p_n_serving--;
            continue;
        }
        msg_encode_batch_begin(wb);
        rc = sync__st_range(n, l->l_id, pl->pl_serve_next,
                            (size_t)(lim - pl->pl_serve_next + 1),
                            n->n_cfg.sc_batch_bytes, wb, &count);
        if (rc != 0 || count == 0) {
            wire_buf_reset(wb);
            pl->pl_serve_next = 0;
            p->p_n_serving--;
            if (rc == ILONET_ENOTFOUND)
                continue;
            return rc;
        }
        pl->pl_serve_next += count;
        if (pl->pl_serve_next - 1 > pl->pl_their_seq)
            pl->pl_their_seq = pl->pl_serve_next - 1;
        if (pl->pl_serve_next > lim) {
            pl->pl_serve_next = 0;
            p->p_n_serving--;
        }
        p->p_serve_cursor = i + 1;
        p->p_batches_sent++;
        if (p->p_batches_sent - p->p_batches_acked == 1)
            p->p_last_ack_ms = p->p_now;
        p->p_st.ps_batches_out++;
        p->p_st.ps_entries_out += count;
        return 0;
    }
    return 0;
}

int
sync_next_out(struct sync_peer *p, uint8_t **msg, size_t *len)
{
    struct wire_buf wb;
    int rc = 0;

    if (!p || !msg || !len)
        return ILONET_EINVAL;
    *msg = NULL;
    *len = 0;
    if (p->p_dead)
        return ILONET_ECLOSED;
    wire_buf_init(&wb, MSG_MAX_BYTES);
    if (!p->p_hello_sent) {
        msg_encode_hello(&wb, p->p_node->n_cert, p->p_node->n_cert_len);
        p->p_hello_sent = 1;
        goto done;
    }
    if (!p->p_ready)
        goto done;
    while (p->p_n_evidence && wb.wb_len == 0) {
        for (size_t i = 0; i < p->p_nlogs; i++) {
            struct sync__plog *pl = &p->p_logs[i];
            if (!(pl->pl_flags & SYNC__F_EVIDENCE))
                continue;
            sync__unflag(p, pl, SYNC__F_EVIDENCE);
            if (!pl->pl_log->l_frozen || !sync__admits(&p->p_cert, pl->pl_log))
                continue;
            rc = sync__out_evidence(p, &wb, pl->pl_log);
            if (rc == ILONET_ENOTFOUND) {
                wire_buf_reset(&wb);
                rc = 0;
                continue;
            }
            if (rc != 0)
                goto done;
            break;
        }
    }
    if (wb.wb_len)
        goto done;
    if (p->p_list_pending || p->p_list_active) {
        rc = sync__out_listing(p, &wb);
        goto done;
    }
    if (p->p_n_announce && (rc = sync__out_announce(p, &wb)) != 0)
        goto done;
    if (wb.wb_len)
        goto done;
    if (p->p_n_want) {
        rc = sync__out_want(p, &wb);
        goto done;
    }
    if (p->p_ack_pending) {
        msg_encode_ack(&wb, p->p_batches_in_total);
        p->p_ack_pending = 0;
        goto done;
    }
    if (p->p_digest_pending) {
        uint8_t d[HASH_LEN];
        sync__digest(p->p_node, p->p_cert.c_state, p->p_cert.c_role, d);
        msg_encode_digest(&wb, d);
        p->p_digest_pending = 0;
        goto done;
    }
    if (p->p_n_serving && sync__window_open(p))
        rc = sync__out_batch(p, &wb);
done:
    if (rc == 0 && wb.wb_err)
        rc = wb.wb_err;
    if (rc == 0 && wb.wb_len) {
        *msg = wire_buf_steal(&wb, len);
        if (!*msg)
            rc = ILONET_ENOMEM;
        else {
            p->p_st.ps_msgs_out++;
            p->p_st.ps_bytes_out += *len;
        }
    }
    wire_buf_free(&wb);
    return rc;
}
