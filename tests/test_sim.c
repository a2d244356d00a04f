/* test_sim.c - deterministic multi-node simulator of the sync protocol. */
#include "test.h"

#include <stdarg.h>
#include <time.h>

#include "crypto/error.h"
#include "replication/msg.h"
#include "replication/sync.h"
#include "storage/batch.h"
#include "storage/log.h"

#include "sim.c" /* the Makefile links one .c per test */

/*
 * N nodes, each with a store and a sync_node, joined by links that carry
 * sessions (a pair of sync_peers). The store is the in-memory one
 * (tests/memstore.h: log.c's rules with the same entry and crypto code, at
 * memory speed) for the bulk of the seeds, and the real SQLite store for
 * sim_sqlite_seeds, the scenario tests and sim_backends_agree, which runs
 * seeds on both and requires the two runs to be the same message for
 * message. The network is seeded: messages
 * are delayed (so reordered), dropped, duplicated or corrupted; partitions
 * cut links; nodes crash (sessions dropped, store closed) and restart. Time
 * is simulated in 10 ms steps. After every step the DESIGN §10 invariants
 * that apply are checked:
 *   I1 every append the author was told succeeded is still in its store
 *      (checked after each append and each restart);
 *   I2 after healing and quiescence every member of an audience holds
 *      every log of it at its author's head, and every pair of nodes
 *      computes equal anti-entropy digests for each other;
 *   I3 a corrupted message that is rejected leaves the store unchanged;
 *   I6 a node never receives a message naming a log (or carrying entries)
 *      of an audience it is not in, and never stores one; nor when it
 *      asks: now and then a node announces a head of a restricted log it
 *      may not read (as a hostile non-member that learned the id would),
 *      and the member it names it to must refuse, answering nothing that
 *      names the log;
 *   and an honest peer is never rejected (no error without corruption).
 * SIM_SEED=N runs exactly seed N (in each seeds test: sim_seeds on the
 * in-memory store, sim_sqlite_seeds on SQLite); SIM_SEEDS=K and
 * SIM_SQLITE_SEEDS=K set how many seeds they run (2,000 and 40; TEST_QUICK
 * makes the first 300).
 */

#define MAXN 6
#define MAXL 15
#define MAXW 48
#define STEP_MS 10
#define TICK_MS 100

struct link {
    int a, b;
    int up;
    uint64_t connect_at;
    uint32_t sess;
    struct sync_peer *pa, *pb;
    uint64_t hello_at[2]; /* per direction: when this session's HELLO lands */
};

struct qmsg {
    uint64_t at, ord;
    int link, to_b, corrupt;
    uint32_t sess;
    uint8_t *buf;
    size_t len;
};

struct wlog {
    uint8_t id[HASH_LEN];
    int author;
    char audience[ENTRY_AUDIENCE_MAX + 1];
    uint64_t seq;
    uint8_t head[HASH_LEN];
};

struct sim {
    uint64_t seed, rng, now, ord;
    enum sim_backend backend;
    struct sim_world w;
    struct sim_node nodes[MAXN];
    int n;
    int up[MAXN];
    uint64_t restart_at[MAXN];
    int group[MAXN]; /* partition side */
    uint64_t heal_at;
    struct link links[MAXL];
    int nlinks;
    struct qmsg *q;
    size_t nq, capq;
    struct wlog logs[MAXW];
    int nlogs;
    char group_aud[ENTRY_AUDIENCE_MAX + 1];
    /* faults, per mille per message */
    int faults, drop_pm, dup_pm, corrupt_pm, max_delay;
    struct sync_config cfg;
    /* results */
    int failed;
    char why[512];
    uint64_t msgs, bytes, appends, entries, crashes, partitions, corrupts;
    uint64_t probes;
    uint64_t converged_ms;
};

static void
sim_fail(struct sim *s, const char *fmt, ...)
{
    va_list ap;
    int off;

    if (s->failed)
        return;
    s->failed = 1;
    off = snprintf(s->why, sizeof(s->why),
                   "t=%llu ms: ", (unsigned long long)(s->now - SIM_T0_MS));
    va_start(ap, fmt);
    vsnprintf(s->why + off, sizeof(s->why) - (size_t)off, fmt, ap);
    va_end(ap);
}

static int
node_admits(const struct sim *s, int i, const char *aud)
{
    return audience_admits(aud, s->nodes[i].sn_state, s->nodes[i].sn_role);
}

static void
trace_audit(void *arg, const struct sync_audit *a)
{
    (void)arg;
    if (getenv("SIM_TRACE"))
        printf("  audit peer %02x log %02x seq %llu %s strike %d %s\n",
               a->sa_peer[0], a->sa_log ? a->sa_log[0] : 0,
               (unsigned long long)a->sa_seq, ilonet_errname(a->sa_code),
               a->sa_strike, a->sa_what);
}

static const struct sync_callbacks sim_cb = {NULL, NULL, trace_audit};

/* ---- links and messages ----------------------------------------------- */

static void
link_connect(struct sim *s, struct link *L)
{
    struct sim_node *a = &s->nodes[L->a], *b = &s->nodes[L->b];

    if (sync_peer_new(a->sn_sync, b->sn_kp.pk, s->now, &L->pa) != 0 ||
        sync_peer_new(b->sn_sync, a->sn_kp.pk, s->now, &L->pb) != 0) {
        sim_fail(s, "sync_peer_new failed");
        return;
    }
    L->sess++;
    L->up = 1;
}

static void
link_down(struct sim *s, struct link *L, uint64_t backoff)
{
    if (L->up) {
        sync_peer_free(L->pa);
        sync_peer_free(L->pb);
        L->pa = L->pb = NULL;
        L->up = 0;
    }
    L->connect_at = s->now + backoff;
}

static void
enqueue(struct sim *s, int li, int to_b, uint8_t *buf, size_t len)
{
    struct link *L = &s->links[li];
    int copies = 1, first = len > 1 && buf[1] == MSG_T_HELLO;
    int faults = s->faults && !first;

    /* The transport delivers a session's first message (HELLO) intact and
     * first: it is bound to the handshake. Everything after it may be
     * lost, duplicated, delayed past later ones or corrupted. */
    s->msgs++;
    s->bytes += len;
    if (faults && (int)sim_below(&s->rng, 1000) < s->drop_pm) {
        free(buf);
        return;
    }
    if (faults && (int)sim_below(&s->rng, 1000) < s->dup_pm)
        copies = 2;
    for (int c = 0; c < copies; c++) {
        struct qmsg *m;
        if (s->nq == s->capq) {
            s->capq = s->capq ? s->capq * 2 : 256;
            s->q = realloc(s->q, s->capq * sizeof(*s->q));
            if (!s->q)
                abort();
        }
        m = &s->q[s->nq++];
        m->at = s->now + 1 + sim_below(&s->rng, (uint64_t)s->max_delay);
        if (first)
            L->hello_at[to_b] = m->at;
        else if (m->at < L->hello_at[to_b])
            m->at = L->hello_at[to_b];
        m->ord = s->ord++;
        m->link = li;
        m->to_b = to_b;
        m->sess = L->sess;
        m->corrupt = 0;
        m->len = len;
        if (c == copies - 1) {
            m->buf = buf; /* the last copy takes the original */
        } else {
            m->buf = malloc(len);
            memcpy(m->buf, buf, len);
        }
        if (faults && (int)sim_below(&s->rng, 1000) < s->corrupt_pm) {
            m->buf[sim_below(&s->rng, len)] ^=
                (uint8_t)(1 + sim_below(&s->rng, 255));
            m->corrupt = 1;
        }
    }
}

static void
pump(struct sim *s)
{
    for (int li = 0; li < s->nlinks && !s->failed; li++) {
        struct link *L = &s->links[li];
        for (int end = 0; end < 2 && L->up; end++) {
            struct sync_peer *p = end ? L->pb : L->pa;
            uint8_t *buf;
            size_t len;
            int rc, guard = 0;

            while ((rc = sync_next_out(p, &buf, &len)) == 0 && buf) {
                /* end 0 is node a sending to b */
                enqueue(s, li, end == 0, buf, len);
                if (++guard > 10000) {
                    sim_fail(s, "runaway output on link %d", li);
                    return;
                }
            }
            if (rc != 0) {
                sim_fail(s, "sync_next_out: %s", ilonet_errname(rc));
                return;
            }
        }
    }
}

/* I6: the message names no log the recipient may not read: no byte
 * offset of it starts the id of such a log (one pass over the message,
 * comparing where a first byte matches). */
static void
check_confined(struct sim *s, int to, const uint8_t *buf, size_t len)
{
    const struct wlog *deny[MAXW];
    uint8_t first[256] = {0};
    int ndeny = 0;

    for (int i = 0; i < s->nlogs; i++)
        if (!node_admits(s, to, s->logs[i].audience)) {
            deny[ndeny++] = &s->logs[i];
            first[s->logs[i].id[0]] = 1;
        }
    for (size_t k = 0; ndeny && k + HASH_LEN <= len; k++) {
        if (!first[buf[k]])
            continue;
        for (int i = 0; i < ndeny; i++)
            if (memcmp(buf + k, deny[i]->id, HASH_LEN) == 0) {
                sim_fail(s, "I6: node %d (%s) was sent log id of audience %s",
                         to, s->nodes[to].sn_state, deny[i]->audience);
                return;
            }
    }
    if (len > 2 && (buf[1] == MSG_T_BATCH)) {
        struct log_batch b;
        if (batch_decode(buf + 2, len - 2, s->w.w_net.n_id, &b) == 0) {
            if (!node_admits(s, to, b.b_log.ld_audience))
                sim_fail(s, "I6: node %d (%s) was sent entries of %s", to,
                         s->nodes[to].sn_state, b.b_log.ld_audience);
            batch_free(&b);
        }
    }
}

static void
deliver(struct sim *s, struct qmsg *m)
{
    struct link *L = &s->links[m->link];
    int to = m->to_b ? L->b : L->a;
    struct sync_peer *p;
    struct sim_snap before, after;
    int rc;

    if (!L->up || L->sess != m->sess)
        return; /* the connection it travelled on is gone */
    p = m->to_b ? L->pb : L->pa;
    if (!m->corrupt)
        check_confined(s, to, m->buf, m->len);
    else
        sim_snapshot(&s->nodes[to], &before);
    if (getenv("SIM_TRACE"))
        printf("t=%llu %d->%d %s len %zu%s\n",
               (unsigned long long)(s->now - SIM_T0_MS), m->to_b ? L->a : L->b,
               to, msg_type_name(m->buf[1]), m->len,
               m->corrupt ? " CORRUPT" : "");
    rc = sync_recv(p, m->buf, m->len, s->now);
    if (m->corrupt) {
        s->corrupts++;
        if (rc < 0) {
            sim_snapshot(&s->nodes[to], &after);
            if (memcmp(before.ss_digest, after.ss_digest, HASH_LEN) != 0 ||
                before.ss_entries != after.ss_entries ||
                before.ss_logs != after.ss_logs)
                sim_fail(s, "I3: rejected input (%s) changed the store",
                         ilonet_errname(rc));
        }
        /* A transport MAC would have caught it: the link closes. */
        link_down(s, L, 50 + sim_below(&s->rng, 200));
        return;
    }
    if (rc < 0) {
        sim_fail(s, "honest message rejected by node %d: %s", to,
                 ilonet_errname(rc));
        return;
    }
}

/*
 * I6 asked for: node x (end xb of link li: 0 a, 1 b), which may not read
 * log wl, names it to the member at the other end in a HEADS announcement,
 * with a head past the member's (seq + 3) or at a seq it holds with
 * another id. The member refuses (audience, strike: its session ends) and
 * nothing it sends afterwards names the log; the link is closed.
 */
static void
probe(struct sim *s, int li, int xb, const struct wlog *wl, int fork)
{
    struct link *L = &s->links[li];
    int x = xb ? L->b : L->a, m = xb ? L->a : L->b;
    struct sync_peer *mp = xb ? L->pa : L->pb; /* the member's end */
    struct msg_head h;
    struct log_head held;
    struct wire_buf wb;
    uint8_t d[HASH_LEN] = {0}, *buf;
    size_t len;
    int rc;

    if (sim_head(&s->nodes[m], wl->id, &held) != 0)
        return;
    memset(&h, 0, sizeof(h));
    memcpy(h.mh_log, wl->id, HASH_LEN);
    memcpy(h.mh_author, s->nodes[wl->author].sn_kp.pk, KEY_PK_LEN);
    snprintf(h.mh_audience, sizeof(h.mh_audience), "%s", wl->audience);
    h.mh_seq = fork ? held.lh_seq : held.lh_seq + 3;
    memset(h.mh_id, 0xa5, HASH_LEN);
    wire_buf_init(&wb, 4096);
    msg_encode_heads_begin(&wb, 0, d, 1);
    msg_encode_head(&wb, &h);
    rc = sync_recv(mp, wb.wb_data, wb.wb_len, s->now);
    wire_buf_free(&wb);
    while (!s->failed && sync_next_out(mp, &buf, &len) == 0 && buf) {
        check_confined(s, x, buf, len);
        free(buf);
    }
    if (rc != ILONET_EAUDIENCE)
        sim_fail(s,
                 "I6: node %d (%s) took a probe for a %s log from node "
                 "%d (%s): %s",
                 m, s->nodes[m].sn_state, wl->audience, x, s->nodes[x].sn_state,
                 ilonet_errname(rc));
    s->probes++;
    link_down(s, L, 100);
}

/* A probe on a random up link with a non-member end, for a random
 * restricted log the other end holds (if there is such a pair). */
static void
probe_random(struct sim *s)
{
    int li = (int)sim_below(&s->rng, (uint64_t)s->nlinks), xb;
    struct link *L = &s->links[li];
    const struct wlog *wl;

    if (!L->up || s->nlogs == 0 || !sync_peer_cert(L->pa) ||
        !sync_peer_cert(L->pb))
        return;
    wl = &s->logs[sim_below(&s->rng, (uint64_t)s->nlogs)];
    xb = (int)sim_below(&s->rng, 2);
    if (node_admits(s, xb ? L->b : L->a, wl->audience) ||
        !node_admits(s, xb ? L->a : L->b, wl->audience))
        return;
    probe(s, li, xb, wl, (int)sim_below(&s->rng, 2));
}

static int
qmsg_cmp(const void *x, const void *y)
{
    const struct qmsg *a = x, *b = y;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->ord < b->ord ? -1 : a->ord > b->ord;
}

static void
deliver_due(struct sim *s)
{
    size_t ndue = 0;
    struct qmsg *due;

    if (s->nq == 0)
        return;
    qsort(s->q, s->nq, sizeof(*s->q), qmsg_cmp);
    while (ndue < s->nq && s->q[ndue].at <= s->now)
        ndue++;
    if (!ndue)
        return;
    due = malloc(ndue * sizeof(*due));
    memcpy(due, s->q, ndue * sizeof(*due));
    memmove(s->q, s->q + ndue, (s->nq - ndue) * sizeof(*s->q));
    s->nq -= ndue;
    for (size_t i = 0; i < ndue; i++) {
        if (!s->failed)
            deliver(s, &due[i]);
        free(due[i].buf);
    }
    free(due);
}

/* ---- nodes ------------------------------------------------------------ */

static void
node_crash(struct sim *s, int i)
{
    for (int li = 0; li < s->nlinks; li++)
        if (s->links[li].a == i || s->links[li].b == i)
            link_down(s, &s->links[li], 0);
    sim_node_close(&s->nodes[i]);
    s->up[i] = 0;
    s->restart_at[i] = s->now + 100 + sim_below(&s->rng, 1900);
    s->crashes++;
}

/* I1: the author's store still holds every acknowledged append. */
static void
check_acked(struct sim *s, int i)
{
    for (int k = 0; k < s->nlogs; k++) {
        const struct wlog *wl = &s->logs[k];
        struct log_head h;

        if (wl->author != i)
            continue;
        if (sim_head(&s->nodes[i], wl->id, &h) != 0 || h.lh_seq != wl->seq ||
            memcmp(h.lh_id, wl->head, HASH_LEN) != 0) {
            sim_fail(s, "I1: node %d lost acknowledged entries of its %s log",
                     i, wl->audience);
            return;
        }
    }
}

static void
node_restart(struct sim *s, int i)
{
    int rc = sim_node_open(&s->w, &s->nodes[i], &s->cfg, &sim_cb);

    if (rc != 0) {
        sim_fail(s, "restart of node %d: %s", i, ilonet_errname(rc));
        return;
    }
    s->up[i] = 1;
    check_acked(s, i);
}

static void
node_append(struct sim *s, int i, const char *aud, int count)
{
    struct sim_node *nd = &s->nodes[i];
    struct log_ref ref;
    struct wlog *wl = NULL;
    uint8_t id[HASH_LEN];
    int rc;

    sim_log_id(&s->w, nd, aud, id);
    for (int k = 0; k < s->nlogs; k++)
        if (memcmp(s->logs[k].id, id, HASH_LEN) == 0)
            wl = &s->logs[k];
    if (!wl) {
        if (s->nlogs == MAXW)
            return;
        wl = &s->logs[s->nlogs++];
        memcpy(wl->id, id, HASH_LEN);
        wl->author = i;
        audience_normalise(aud, wl->audience);
    }
    rc = sim_append(nd, aud, count, s->now, &ref);
    if (rc != 0) {
        sim_fail(s, "append on node %d (%s): %s", i, aud, ilonet_errname(rc));
        return;
    }
    wl->seq = ref.lr_seq;
    memcpy(wl->head, ref.lr_id, HASH_LEN);
    s->appends++;
    s->entries += (uint64_t)count;
    if ((rc = sync_notify(nd->sn_sync, id, s->now)) != 0)
        sim_fail(s, "sync_notify: %s", ilonet_errname(rc));
    check_acked(s, i);
}

static void
reconnect(struct sim *s)
{
    for (int li = 0; li < s->nlinks; li++) {
        struct link *L = &s->links[li];
        if (L->up || L->connect_at > s->now || !s->up[L->a] || !s->up[L->b] ||
            s->group[L->a] != s->group[L->b])
            continue;
        link_connect(s, L);
    }
}

static void
tick_all(struct sim *s)
{
    for (int li = 0; li < s->nlinks && !s->failed; li++) {
        struct link *L = &s->links[li];
        int ra, rb;

        if (!L->up)
            continue;
        ra = sync_tick(L->pa, s->now);
        rb = sync_tick(L->pb, s->now);
        if (ra < 0 || rb < 0) {
            int rc = ra < 0 ? ra : rb;
            if (rc != ILONET_ETIMEOUT) /* a lost HELLO: reconnect */
                sim_fail(s, "sync_tick: %s", ilonet_errname(rc));
            link_down(s, L, 100);
        }
    }
}

/* Which nodes a log can reach: from its author over links whose both ends
 * are members of its audience (a non-member never relays it). */
static void
reach(const struct sim *s, const struct wlog *wl, int out[MAXN])
{
    int changed = 1;

    memset(out, 0, sizeof(int) * MAXN);
    out[wl->author] = 1;
    while (changed) {
        changed = 0;
        for (int li = 0; li < s->nlinks; li++) {
            int a = s->links[li].a, b = s->links[li].b;
            if (!node_admits(s, a, wl->audience) ||
                !node_admits(s, b, wl->audience) || out[a] == out[b])
                continue;
            out[a] = out[b] = 1;
            changed = 1;
        }
    }
}

/* I2 and I6 on disk: members hold every log at its author's head (those
 * the log can reach through members), non-members none of it. Returns 1
 * when converged. */
static int
converged(struct sim *s, int fail_on_leak)
{
    for (int i = 0; i < s->n; i++) {
        if (!s->up[i])
            return 0;
        for (int k = 0; k < s->nlogs; k++) {
            const struct wlog *wl = &s->logs[k];
            struct log_head h;
            int rc = sim_head(&s->nodes[i], wl->id, &h);

            int r[MAXN];

            if (!node_admits(s, i, wl->audience)) {
                if (rc == 0 && fail_on_leak)
                    sim_fail(s, "I6: node %d stores a log of %s", i,
                             wl->audience);
                continue;
            }
            reach(s, wl, r);
            if (!r[i])
                continue;
            if (rc != 0 || h.lh_seq != wl->seq ||
                memcmp(h.lh_id, wl->head, HASH_LEN) != 0)
                return 0;
        }
    }
    return 1;
}

/* After quiescence, the two ends of every link compute equal digests for
 * each other (anti-entropy has nothing left to repair). */
static void
check_digests(struct sim *s)
{
    for (int li = 0; li < s->nlinks; li++) {
        int i = s->links[li].a, j = s->links[li].b;
        uint8_t di[HASH_LEN], dj[HASH_LEN];

        sync_digest(s->nodes[i].sn_sync, s->nodes[j].sn_state,
                    s->nodes[j].sn_role, di);
        sync_digest(s->nodes[j].sn_sync, s->nodes[i].sn_state,
                    s->nodes[i].sn_role, dj);
        if (memcmp(di, dj, HASH_LEN) != 0) {
            sim_fail(s, "I2: digests of nodes %d and %d differ", i, j);
            return;
        }
    }
}

/* ---- world setup ------------------------------------------------------ */

static const char *const pool[] = {"DE", "FR", "IT", "EU", "AT", "NL"};
#define POOL_N 6

static void
sim_setup(struct sim *s, uint64_t seed, const char *const *states, int n,
          enum sim_backend backend)
{
    memset(s, 0, sizeof(*s));
    s->seed = seed;
    s->backend = backend;
    s->rng = seed * 0x2545f4914f6cdd1dull + 1;
    s->now = SIM_T0_MS;
    s->n = n;
    s->max_delay = 5;
    s->cfg = (struct sync_config){500, 1000, 1000, 8, 8192};
    sim_world_init(&s->w, "sim", seed, pool, POOL_N);
    s->w.w_backend = backend;
    for (int i = 0; i < n; i++) {
        sim_node_init(&s->w, &s->nodes[i], states[i], i);
        if (sim_node_open(&s->w, &s->nodes[i], &s->cfg, &sim_cb) != 0)
            abort();
        s->up[i] = 1;
    }
}

static void
add_link(struct sim *s, int a, int b)
{
    struct link *L = &s->links[s->nlinks++];

    memset(L, 0, sizeof(*L));
    L->a = a;
    L->b = b;
}

static void
sim_teardown(struct sim *s)
{
    for (int li = 0; li < s->nlinks; li++)
        link_down(s, &s->links[li], 0);
    for (size_t i = 0; i < s->nq; i++)
        free(s->q[i].buf);
    free(s->q);
    for (int i = 0; i < s->n; i++) {
        if (!s->up[i])
            s->nodes[i].sn_sync = NULL, s->nodes[i].sn_store = NULL;
        sim_node_free(&s->nodes[i]);
    }
    sim_world_free(&s->w);
}

/* One step of simulated time: deliveries, timers, output. */
static void
step(struct sim *s)
{
    s->now += STEP_MS;
    for (int i = 0; i < s->n; i++)
        if (!s->up[i] && s->restart_at[i] <= s->now && !s->failed)
            node_restart(s, i);
    if (s->heal_at && s->heal_at <= s->now) {
        memset(s->group, 0, sizeof(s->group));
        s->heal_at = 0;
    }
    reconnect(s);
    deliver_due(s);
    if ((s->now - SIM_T0_MS) % TICK_MS == 0)
        tick_all(s);
    pump(s);
}

static void
dump(struct sim *s)
{
    for (int k = 0; k < s->nlogs; k++) {
        const struct wlog *wl = &s->logs[k];
        printf("log %02x%02x by %d (%s) seq %llu:", wl->id[0], wl->id[1],
               wl->author, wl->audience, (unsigned long long)wl->seq);
        for (int i = 0; i < s->n; i++) {
            struct log_head h;
            if (!node_admits(s, i, wl->audience))
                printf(" -");
            else if (sim_head(&s->nodes[i], wl->id, &h) != 0)
                printf(" none");
            else
                printf(" %llu%s", (unsigned long long)h.lh_seq,
                       h.lh_frozen ? "F" : "");
        }
        printf("\n");
    }
    for (int li = 0; li < s->nlinks; li++)
        printf("link %d-%d up %d\n", s->links[li].a, s->links[li].b,
               s->links[li].up);
}

/* Runs faults off until converged (or fails after limit_ms). */
static void
settle(struct sim *s, uint64_t limit_ms)
{
    uint64_t start = s->now;

    s->faults = 0;
    s->heal_at = 0;
    memset(s->group, 0, sizeof(s->group));
    for (int i = 0; i < s->n; i++)
        if (!s->up[i])
            s->restart_at[i] = s->now;
    while (!s->failed) {
        step(s);
        if ((s->now - start) % 100 == 0 && converged(s, 1)) {
            s->converged_ms = s->now - start;
            check_digests(s);
            return;
        }
        if (s->now - start > limit_ms) {
            if (getenv("SIM_TRACE"))
                dump(s);
            sim_fail(s, "I2: not converged %llu ms after healing",
                     (unsigned long long)limit_ms);
            return;
        }
    }
}

static void
run_seed(struct sim *s, uint64_t seed, enum sim_backend backend)
{
    const char *states[MAXN];
    int used[POOL_N] = {0}, n, nms = 0;
    uint64_t rng = seed ^ 0x5eed;

    /* 3..5 nodes of distinct states, at least two Member States. */
    n = 3 + (int)sim_below(&rng, 3);
    for (int i = 0; i < n; i++) {
        int k;
        do
            k = (int)sim_below(&rng, POOL_N);
        while (used[k]);
        used[k] = 1;
        states[i] = pool[k];
        nms += strcmp(pool[k], "EU") != 0;
    }
    if (nms < 2)
        states[0] = strcmp(states[1], "DE") ? "DE" : "FR";
    sim_setup(s, seed, states, n, backend);
    /* a bilateral audience of two of the states */
    if (strcmp(states[0], states[1]) < 0)
        snprintf(s->group_aud, sizeof(s->group_aud), "%s+%s", states[0],
                 states[1]);
    else
        snprintf(s->group_aud, sizeof(s->group_aud), "%s+%s", states[1],
                 states[0]);
    /* full mesh or a random connected graph */
    if (sim_below(&s->rng, 2)) {
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                add_link(s, a, b);
    } else {
        int adj[MAXN][MAXN] = {{0}};
        for (int b = 1; b < n; b++) {
            int a = (int)sim_below(&s->rng, (uint64_t)b);
            adj[a][b] = 1;
        }
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                if (adj[a][b] || sim_below(&s->rng, 10) < 3)
                    add_link(s, a, b);
    }
    s->faults = 1;
    s->drop_pm = (int)sim_below(&s->rng, 60);
    s->dup_pm = (int)sim_below(&s->rng, 60);
    s->corrupt_pm = (int)sim_below(&s->rng, 8);
    s->max_delay = 1 + (int)sim_below(&s->rng, 80);

    for (int t = 0; t < 600 && !s->failed; t++) { /* 6 s of faults */
        uint64_t r = sim_below(&s->rng, 1000);
        int i = (int)sim_below(&s->rng, (uint64_t)n);

        if (r < 40 && s->up[i]) {
            const char *auds[3] = {"net", "ms", s->group_aud};
            const char *aud = auds[sim_below(&s->rng, 3)];
            if (node_admits(s, i, aud))
                node_append(s, i, aud, 1 + (int)sim_below(&s->rng, 5));
        } else if (r < 43 && !s->heal_at) {
            /* a partition into two random sides */
            for (int k = 0; k < n; k++)
                s->group[k] = (int)sim_below(&s->rng, 2);
            for (int li = 0; li < s->nlinks; li++)
                if (s->group[s->links[li].a] != s->group[s->links[li].b])
                    link_down(s, &s->links[li], 0);
            s->heal_at = s->now + 300 + sim_below(&s->rng, 2700);
            s->partitions++;
        } else if (r < 45 && s->up[i]) {
            node_crash(s, i);
        } else if (r < 47) {
            probe_random(s);
        }
        if (!s->failed)
            step(s);
    }
    if (!s->failed)
        settle(s, 60000);
}

static const char *
backend_name(enum sim_backend b)
{
    return b == SIM_MEM ? "memory" : "sqlite";
}

static int
run_one(uint64_t seed, enum sim_backend backend, int verbose, uint64_t *probes)
{
    struct sim s;
    int failed;

    run_seed(&s, seed, backend);
    failed = s.failed;
    *probes += s.probes;
    if (failed)
        printf("sim seed %llu (%s store) FAILED: %s\n  replay: SIM_SEED=%llu "
               "build/tests/test_sim %s\n",
               (unsigned long long)seed, backend_name(backend), s.why,
               (unsigned long long)seed,
               backend == SIM_MEM ? "sim_seeds" : "sim_sqlite_seeds");
    else if (verbose)
        printf("sim seed %llu (%s store): %d nodes, %d links, %llu appends "
               "(%llu entries), %llu msgs, %llu bytes, %llu crashes, %llu "
               "partitions, %llu corrupt, %llu probes, converged %llu ms "
               "after healing\n",
               (unsigned long long)seed, backend_name(backend), s.n, s.nlinks,
               (unsigned long long)s.appends, (unsigned long long)s.entries,
               (unsigned long long)s.msgs, (unsigned long long)s.bytes,
               (unsigned long long)s.crashes, (unsigned long long)s.partitions,
               (unsigned long long)s.corrupts, (unsigned long long)s.probes,
               (unsigned long long)s.converged_ms);
    sim_teardown(&s);
    return failed;
}

/* Seeds 1..K (env K, else dflt) on one backend, or only $SIM_SEED. */
static void
run_seeds(enum sim_backend backend, const char *env, int dflt)
{
    const char *one = getenv("SIM_SEED"), *many = getenv(env);
    int nseeds = many ? atoi(many) : dflt, failures = 0;
    uint64_t probes = 0;
    struct timespec t0, t1;

    if (one) {
        ASSERT_EQ(run_one(strtoull(one, NULL, 10), backend, 1, &probes), 0);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 1; k <= nseeds; k++)
        failures += run_one((uint64_t)k, backend, 0, &probes);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("sim: %d seeds (%s store), %d failed, %llu hostile probes, "
           "%.1f s\n",
           nseeds, backend_name(backend), failures, (unsigned long long)probes,
           (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    ASSERT_EQ(failures, 0);
    /* the hostile probes did happen (a handful of seeds in each hundred) */
    if (nseeds >= 100)
        ASSERT(probes > 0);
}

/* The bulk of the seeds, on the in-memory store (fewer with TEST_QUICK,
 * as under valgrind: the same code paths, at a bearable cost). */
static void
sim_seeds(void)
{
    run_seeds(SIM_MEM, "SIM_SEEDS", getenv("TEST_QUICK") ? 300 : 2000);
}

/* Seeds on the real store, so its ingest path stays in the simulator. */
static void
sim_sqlite_seeds(void)
{
    run_seeds(SIM_SQLITE, "SIM_SQLITE_SEEDS", 40);
}

/*
 * The in-memory store stands in for the SQLite one faithfully: a seed run
 * on each gives the same run, message for message and byte for byte (the
 * stores answer every call of sync the same way), and the same stores.
 */
static void
sim_backends_agree(void)
{
    static const uint64_t seeds[] = {3, 11, 29, 1234};

    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct sim a, b;

        run_seed(&a, seeds[i], SIM_SQLITE);
        run_seed(&b, seeds[i], SIM_MEM);
        if (a.failed || b.failed)
            printf("seed %llu: %s / %s\n", (unsigned long long)seeds[i], a.why,
                   b.why);
        ASSERT(!a.failed && !b.failed);
        ASSERT_EQ(a.msgs, b.msgs);
        ASSERT_EQ(a.bytes, b.bytes);
        ASSERT_EQ(a.appends, b.appends);
        ASSERT_EQ(a.entries, b.entries);
        ASSERT_EQ(a.corrupts, b.corrupts);
        ASSERT_EQ(a.converged_ms, b.converged_ms);
        for (int k = 0; k < a.n; k++) {
            struct sim_snap x, y;
            sim_snapshot(&a.nodes[k], &x);
            sim_snapshot(&b.nodes[k], &y);
            ASSERT_MEM_EQ(x.ss_digest, y.ss_digest, HASH_LEN);
            ASSERT_EQ(x.ss_entries, y.ss_entries);
            ASSERT_EQ(x.ss_logs, y.ss_logs);
            ASSERT_EQ(x.ss_evidence, y.ss_evidence);
        }
        sim_teardown(&a);
        sim_teardown(&b);
    }
}

/* The same seed gives the same run, message for message. */
static void
sim_replays_identically(void)
{
    struct sim a, b;

    run_seed(&a, 7, SIM_MEM);
    ASSERT(!a.failed);
    run_seed(&b, 7, SIM_MEM);
    ASSERT(!b.failed);
    ASSERT_EQ(a.msgs, b.msgs);
    ASSERT_EQ(a.bytes, b.bytes);
    ASSERT_EQ(a.converged_ms, b.converged_ms);
    sim_teardown(&a);
    sim_teardown(&b);
}

/* A - B - C in a line: entries of A reach C through B, and back. */
static void
sim_line_topology(void)
{
    const char *states[] = {"DE", "FR", "IT"};
    struct sim s;

    sim_setup(&s, 1001, states, 3, SIM_SQLITE);
    add_link(&s, 0, 1);
    add_link(&s, 1, 2);
    node_append(&s, 0, "net", 5);
    node_append(&s, 0, "ms", 3);
    node_append(&s, 2, "net", 4);
    node_append(&s, 2, "ms", 2);
    for (int i = 0; i < 50; i++)
        step(&s);
    node_append(&s, 0, "net", 2); /* pushed eagerly while connected */
    settle(&s, 10000);
    if (s.failed)
        printf("%s\n", s.why);
    ASSERT(!s.failed);
    ASSERT(s.converged_ms <= 2000);
    sim_teardown(&s);
}

/* DE - EU - FR: net logs cross the Commission node; ms logs never reach
 * it (not even their ids), so they stay where they are. */
static void
sim_line_confinement(void)
{
    const char *states[] = {"DE", "EU", "FR"};
    struct sim s;
    struct log_head h;
    uint8_t ms_log[HASH_LEN];

    sim_setup(&s, 1002, states, 3, SIM_SQLITE);
    add_link(&s, 0, 1);
    add_link(&s, 1, 2);
    node_append(&s, 0, "net", 3);
    node_append(&s, 0, "ms", 3);
    node_append(&s, 2, "net", 2);
    for (int i = 0; i < 300 && !s.failed; i++)
        step(&s);
    if (s.failed)
        printf("%s\n", s.why);
    ASSERT(!s.failed);
    sim_log_id(&s.w, &s.nodes[0], "ms", ms_log);
    ASSERT_ERR(sim_head(&s.nodes[1], ms_log, &h), ILONET_ENOTFOUND);
    /* EU, which never heard of it, names DE's ms log to DE (learned
     * elsewhere): refused, nothing back names it */
    for (int fork = 0; fork < 2; fork++) {
        for (int i = 0;
             i < 50 && !(s.links[0].up && sync_peer_cert(s.links[0].pa) &&
                         sync_peer_cert(s.links[0].pb));
             i++)
            step(&s);
        ASSERT(s.links[0].up && sync_peer_cert(s.links[0].pa));
        for (int k = 0; k < s.nlogs; k++)
            if (memcmp(s.logs[k].id, ms_log, HASH_LEN) == 0)
                probe(&s, 0, 1, &s.logs[k], fork);
        if (s.failed)
            printf("%s\n", s.why);
        ASSERT(!s.failed);
    }
    ASSERT_EQ(s.probes, 2);
    for (int i = 0; i < 100 && !s.failed; i++)
        step(&s);
    ASSERT_ERR(sim_head(&s.nodes[2], ms_log, &h), ILONET_ENOTFOUND);
    /* every net log converged */
    for (int k = 0; k < s.nlogs; k++) {
        if (strcmp(s.logs[k].audience, "net") != 0)
            continue;
        for (int i = 0; i < 3; i++) {
            ASSERT_OK(sim_head(&s.nodes[i], s.logs[k].id, &h));
            ASSERT_EQ(h.lh_seq, s.logs[k].seq);
        }
    }
    sim_teardown(&s);
}

/*
 * A node restored from a backup signs a second entry at a seq it already
 * used. The two branches reach different nodes (A' - C, A - B); when B and
 * C meet, the fork is found, the evidence travels to every member and the
 * log is frozen everywhere at the fork seq.
 */
static void
fork_evidence_on(enum sim_backend backend)
{
    const char *states[] = {"DE", "FR", "IT", "AT"};
    struct sim s;
    struct log_ref ra, rb;
    uint8_t lid[HASH_LEN];
    uint64_t fork_seq;

    sim_setup(&s, 1003, states, 4, backend);
    /* node 3 becomes a clone of node 0 (same key, restored copy) */
    sim_node_free(&s.nodes[3]);
    sim_node_init_as(&s.w, &s.nodes[3], "DE", 0, 3);
    ASSERT_OK(sim_append(&s.nodes[0], "net", 3, s.now, NULL));
    sim_node_close(&s.nodes[0]);
    sim_node_close(&s.nodes[3]);
    sim_node_copy_store(&s.nodes[3], &s.nodes[0]);
    ASSERT_OK(sim_node_open(&s.w, &s.nodes[0], &s.cfg, &sim_cb));
    ASSERT_OK(sim_node_open(&s.w, &s.nodes[3], &s.cfg, &sim_cb));
    s.now += 1000;
    ASSERT_OK(sim_append(&s.nodes[0], "net", 2, s.now, &ra));
    ASSERT_OK(sim_append(&s.nodes[3], "net", 1, s.now + 7, &rb));
    fork_seq = rb.lr_seq;
    ASSERT_EQ(ra.lr_seq, fork_seq + 1);
    sim_log_id(&s.w, &s.nodes[0], "net", lid);
    add_link(&s, 0, 1);
    add_link(&s, 1, 2);
    add_link(&s, 3, 2);
    for (int i = 0; i < 500 && !s.failed; i++)
        step(&s);
    if (s.failed)
        printf("%s\n", s.why);
    ASSERT(!s.failed);
    for (int i = 0; i < 4; i++) {
        struct log_head h;
        struct sim_snap sn;
        ASSERT_OK(sim_head(&s.nodes[i], lid, &h));
        if (h.lh_frozen != fork_seq) {
            uint8_t d[32];
            char hx[65];
            for (int j = 0; j < 4; j++) {
                struct log_head hh;
                sim_head(&s.nodes[j], lid, &hh);
                sync_digest(s.nodes[j].sn_sync, "FR", ROLE_ILO, d);
                hash_hex(d, 8, hx);
                printf("node %d seq %llu frozen %llu digest %s head %02x\n", j,
                       (unsigned long long)hh.lh_seq,
                       (unsigned long long)hh.lh_frozen, hx, hh.lh_id[0]);
            }
        }
        if (h.lh_frozen != fork_seq)
            printf("node %d: seq %llu frozen %llu\n", i,
                   (unsigned long long)h.lh_seq,
                   (unsigned long long)h.lh_frozen);
        ASSERT_EQ(h.lh_frozen, fork_seq);
        sim_snapshot(&s.nodes[i], &sn);
        ASSERT_GE(sn.ss_evidence, 1);
    }
    check_digests(&s);
    ASSERT(!s.failed);
    /* the author can no longer extend the frozen log */
    ASSERT_ERR(sim_append(&s.nodes[0], "net", 1, s.now, NULL), ILONET_EFROZEN);
    sim_teardown(&s);
}

static void
sim_fork_evidence(void)
{
    fork_evidence_on(SIM_SQLITE);
}

static void
sim_fork_evidence_memory(void)
{
    fork_evidence_on(SIM_MEM);
}

TEST_LIST = {
    TEST(sim_line_topology),       TEST(sim_line_confinement),
    TEST(sim_fork_evidence),       TEST(sim_fork_evidence_memory),
    TEST(sim_replays_identically), TEST(sim_backends_agree),
    TEST(sim_sqlite_seeds),        TEST(sim_seeds),
};
TEST_MAIN()
