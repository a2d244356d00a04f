/* node.c - the node runtime: loop, peers, dialing, nudges, status, shutdown. */
#include "node.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "crypto/error.h"
#include "crypto/json.h"
#include "app/app.h"
#include "net.h"
#include "node_int.h"
#include "peer.h"
#include "replication/blob_sync.h"
#include "replication/sync.h"
#include "storage/blob.h"
#include "storage/checkpoint.h"
#include "storage/log.h"
#include "storage/view/view.h"
#include "storage/view/view_search.h"

#define NODE__MAX_PEERS 256 /* live connections, all states */
#define NODE__MAX_KEYS 256  /* strike records */
#define NODE__STATUS_MS 1000
#define NODE__FOLD_PER_TICK                                                    \
    2000                     /* search index: records folded per idle tick */
#define NODE__STABLE_MS 5000 /* a session this long resets the backoff */
/* Group commit: open at most NODE__GROUP_MS, or commit once no bytes came
 * for NODE__GROUP_IDLE_MS. */
#define NODE__GROUP_MS 500
#define NODE__GROUP_IDLE_MS 40

/* One address to dial (configured or given on the command line). */
struct node__slot {
    char s_addr[HOME_ADDR_MAX];
    uint8_t s_pk[KEY_PK_LEN];
    struct net_dialer *s_dialer;
    int s_dialing;
    uint64_t s_next_dial;
    uint64_t s_backoff;
    unsigned s_failures; /* one-shot: attempts that failed */
    int s_done;          /* one-shot: 1 synced, -1 given up */
    int s_logs_synced;   /* one-shot: logs in sync, files still coming */
};

/* What the node knows of a peer key beyond one connection. */
struct node__key {
    uint8_t k_pk[KEY_PK_LEN];
    uint32_t k_strikes;
    uint32_t k_bans;
    uint64_t k_ban_until;
    uint64_t k_last_sync;
    char k_state[KEY_STATE_MAX + 1];
};

/* Per-connection bookkeeping (peer_data). */
struct node__pinfo {
    struct node__slot *pi_slot; /* dialed through this slot */
    int pi_unauth;              /* counted in n_unauth */
    int pi_announced;           /* "hello" line written */
    uint64_t pi_since;
    uint64_t pi_order; /* accepted: n-th accept (older is less) */
    char pi_host[64];  /* accepted: remote address without port */
};

struct node {
    struct home *n_home;
    const struct node_opts *n_opts;
    struct node_result *n_res;
    uv_loop_t n_loop;
    uv_timer_t n_tick;
    uv_signal_t n_sigint, n_sigterm;
    struct net *n_net;
    struct peer_rx *n_rx; /* opens and decodes what peers send; NULL: inline */
    struct sync_node *n_sync;
    struct ckpt *n_ckpt; /* WAL checkpoints off the loop; NULL: inline */
    struct peer_env n_env;
    struct node__slot *n_slots;
    size_t n_nslots;
    struct peer *n_peers[NODE__MAX_PEERS];
    size_t n_npeers;
    struct node__key n_keys[NODE__MAX_KEYS];
    size_t n_nkeys;
    size_t n_unauth;
    uint64_t n_accepts;            /* accepted so far (pi_order) */
    uint64_t n_evicted, n_refused; /* since the last summary line */
    uint64_t n_next_admission_log;
    int n_stopping, n_flush;
    uint64_t n_start, n_deadline, n_next_status, n_settled, n_next_seen;
    int n_txn;          /* a group-commit transaction is open */
    int n_idx_deferred; /* a first sync: list indexes built at the end */
    uint64_t n_txn_since, n_last_recv;
    int64_t n_data_version;
    struct log_head *n_heads;
    size_t n_nheads;
    char *n_status; /* last JSON written */
    uint64_t n_entries_in, n_entries_out, n_msgs_in, n_msgs_out;
    /* blobs (NULL when the home's blobs/ cannot be opened: logs only) */
    struct blob_store *n_bs;
    struct blob_sync_sqlite n_bq;
    struct blob_sync *n_blobs;
    int n_blob_gc;           /* entries arrived: collect (erasures) */
    uint64_t n_blob_gc_next; /* not before this */
    uint64_t n_blobs_in;
    /* what peers sent that was refused, by code, since the node started;
     * store meta "rejections" (node.h "status") once it changed */
    uint64_t n_rejected[ILONET_ERR_COUNT];
    int n_rejected_dirty;
    /* automatic attestation (node_int.h; NULL when off): the view moves
     * with every batch received and every head another process moved */
    struct node__attest *n_attest;
    uint64_t n_batches_in, n_head_moves;
};

/* ---- small helpers ------------------------------------------------------ */

static void node__log(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
node__log(const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "ilonet node: %s\n", line);
}

/* First 8 bytes of a key as hex, for log lines. */
static const char *
node__short(const uint8_t *k, char out[17])
{
    if (!k) {
        snprintf(out, 17, "-");
        return out;
    }
    sodium_bin2hex(out, 17, k, 8);
    return out;
}

static uint64_t
node__jitter(uint64_t ms)
{
    /* +-25 %, from libsodium's CSPRNG. */
    uint32_t span = (uint32_t)(ms / 2 + 1);
    return ms - ms / 4 + randombytes_uniform(span);
}

static struct node__key *
node__key(struct node *n, const uint8_t *pk, int create)
{
    size_t i, victim = 0;

    for (i = 0; i < n->n_nkeys; i++)
        if (memcmp(n->n_keys[i].k_pk, pk, KEY_PK_LEN) == 0)
            return &n->n_keys[i];
    if (!create)
        return NULL;
    if (n->n_nkeys < NODE__MAX_KEYS) {
        i = n->n_nkeys++;
    } else {
        /* Full: reuse the least remarkable record (no ban, few strikes). */
        for (i = 1; i < n->n_nkeys; i++)
            if (n->n_keys[i].k_strikes + n->n_keys[i].k_bans * 100 <
                n->n_keys[victim].k_strikes + n->n_keys[victim].k_bans * 100)
                victim = i;
        i = victim;
    }
    memset(&n->n_keys[i], 0, sizeof(n->n_keys[i]));
    memcpy(n->n_keys[i].k_pk, pk, KEY_PK_LEN);
    return &n->n_keys[i];
}

static struct node__slot *
node__slot_for(struct node *n, const uint8_t *pk)
{
    for (size_t i = 0; i < n->n_nslots; i++)
        if (memcmp(n->n_slots[i].s_pk, pk, KEY_PK_LEN) == 0)
            return &n->n_slots[i];
    return NULL;
}

/* The live connection with key pk other than `not`, if any. */
static struct peer *
node__peer_by_key(struct node *n, const uint8_t *pk, const struct peer * not )
{
    for (size_t i = 0; i < n->n_npeers; i++) {
        struct peer *p = n->n_peers[i];
        const uint8_t *k = peer_key(p);
        if (p != not &&k && peer_phase(p) != PEER_CLOSING &&
            memcmp(k, pk, KEY_PK_LEN) == 0)
            return p;
    }
    return NULL;
}

static void
node__flush_all(struct node *n)
{
    n->n_flush = 0;
    /* peer_flush may close its own peer (which shifts the array). */
    for (size_t i = 0; i < n->n_npeers;) {
        struct peer *p = n->n_peers[i];
        if (peer_flush(p) == 0 && i < n->n_npeers && n->n_peers[i] == p)
            i++;
    }
}

static void
node__schedule(struct node *n, struct node__slot *s, int failed)
{
    uint64_t now = home_now_ms();

    if (failed) {
        s->s_backoff = s->s_backoff ? s->s_backoff * 2 : NODE_BACKOFF_MIN_MS;
        if (s->s_backoff > NODE_BACKOFF_MAX_MS)
            s->s_backoff = NODE_BACKOFF_MAX_MS;
    } else {
        s->s_backoff = NODE_BACKOFF_MIN_MS;
    }
    s->s_next_dial = now + node__jitter(s->s_backoff);
    if (n->n_opts->no_oneshot && failed &&
        ++s->s_failures >= NODE_ONESHOT_ATTEMPTS && s->s_done == 0)
        s->s_done = -1;
}

/* ---- peer callbacks ----------------------------------------------------- */

static int
node__admit(void *arg, struct peer *p, const uint8_t *pk)
{
    struct node *n = arg;
    struct node__key *k = node__key(n, pk, 0);
    struct peer *e;
    char ks[17];
    uint64_t now = home_now_ms();

    if (memcmp(pk, n->n_home->h_key.pk, KEY_PK_LEN) == 0) {
        node__log("refused %s: our own key", peer_addr(p));
        return -1;
    }
    if (k && k->k_ban_until > now) {
        node__log("refused %s key=%s: banned for %llu ms more", peer_addr(p),
                  node__short(pk, ks),
                  (unsigned long long)(k->k_ban_until - now));
        return -1;
    }
    /* One connection per peer key. Both ends keep the connection dialed
     * by the smaller key (so they agree); between two dialed by the same
     * end, the newer wins (the older is likely dead). */
    if ((e = node__peer_by_key(n, pk, p)) != NULL) {
        int keep_new;
        if (peer_dialed(e) == peer_dialed(p)) {
            keep_new = 1;
        } else {
            int me_smaller = memcmp(n->n_home->h_key.pk, pk, KEY_PK_LEN) < 0;
            keep_new = peer_dialed(p) ? me_smaller : !me_smaller;
        }
        if (!keep_new) {
            node__log("duplicate %s key=%s: keeping the other connection",
                      peer_addr(p), node__short(pk, ks));
            return -1;
        }
        node__log("duplicate %s key=%s: replacing the older connection",
                  peer_addr(e), node__short(pk, ks));
        peer_close(e, 0, "duplicate");
    }
    return 0;
}

static void
node__on_ready(void *arg, struct peer *p)
{
    struct node *n = arg;
    struct node__pinfo *pi = peer_data(p);
    char ks[17];

    (void)n;
    node__log("connect %s key=%s dir=%s", peer_addr(p),
              node__short(peer_key(p), ks), peer_dialed(p) ? "out" : "in");
    pi->pi_since = home_now_ms();
    n->n_flush = 1;
}

static void
node__on_close(void *arg, struct peer *p, int err, const char *why)
{
    struct node *n = arg;
    struct node__pinfo *pi = peer_data(p);
    const uint8_t *pk = peer_key(p);
    uint32_t strikes = peer_strikes(p);
    struct sync_peer *sp = peer_sync(p);
    char ks[17];
    uint64_t now = home_now_ms();
    int was_ready = peer_phase(p) != PEER_HS;

    if (sp) {
        struct sync_peer_stats st;
        sync_peer_stats(sp, &st);
        n->n_entries_in += st.ps_entries_in;
        n->n_entries_out += st.ps_entries_out;
        n->n_msgs_in += st.ps_msgs_in;
        n->n_msgs_out += st.ps_msgs_out;
    }
    if (err == ILONET_EBUSY && !was_ready)
        ; /* evicted: counted, one summary line a second (node__tick) */
    else if (!was_ready && err == 0)
        node__log("closed %s key=%s: %s", peer_addr(p), node__short(pk, ks),
                  why);
    else if (was_ready)
        node__log("disconnect %s key=%s: %s%s%s", peer_addr(p),
                  node__short(pk, ks), why, err ? " " : "",
                  err ? ilonet_errname(err) : "");
    else
        node__log("handshake failed %s key=%s: %s (%s)", peer_addr(p),
                  node__short(pk, ks), why, ilonet_errname(err));
    if (pk && strikes) {
        struct node__key *k = node__key(n, pk, 1);
        k->k_strikes += strikes;
        node__log("strike %s key=%s: %u (total %u)", peer_addr(p),
                  node__short(pk, ks), strikes, k->k_strikes);
        if (k->k_strikes >= NODE_STRIKES_BAN) {
            uint64_t ms = (uint64_t)NODE_BAN_MS
                          << (k->k_bans < 6 ? k->k_bans : 6);
            k->k_ban_until = now + ms;
            k->k_bans++;
            k->k_strikes = 0;
            node__log("ban key=%s for %llu ms", node__short(pk, ks),
                      (unsigned long long)ms);
        }
    }
    if (pi) {
        if (pi->pi_unauth && n->n_unauth)
            n->n_unauth--;
        if (pi->pi_slot) {
            struct node__slot *s = pi->pi_slot;
            int stable = pi->pi_since && now - pi->pi_since >= NODE__STABLE_MS;
            s->s_dialing = 0;
            if (!n->n_stopping)
                node__schedule(n, s, !stable && err != 0);
        }
        free(pi);
        peer_set_data(p, NULL);
    }
    for (size_t i = 0; i < n->n_npeers; i++)
        if (n->n_peers[i] == p) {
            memmove(&n->n_peers[i], &n->n_peers[i + 1],
                    (n->n_npeers - i - 1) * sizeof(n->n_peers[0]));
            n->n_npeers--;
            break;
        }
}

static void
node__sync_output(void *arg, struct sync_peer *sp)
{
    struct node *n = arg;

    (void)sp;
    n->n_flush = 1;
}

static void
node__sync_audit(void *arg, const struct sync_audit *a)
{
    struct node *n = arg;
    char ks[17], ls[17];

    if (a->sa_code < 0 && -a->sa_code < ILONET_ERR_COUNT) {
        n->n_rejected[-a->sa_code]++;
        n->n_rejected_dirty = 1;
    }
    node__log("audit key=%s log=%s seq=%llu code=%s what=%s%s",
              node__short(a->sa_peer, ks), node__short(a->sa_log, ls),
              (unsigned long long)a->sa_seq, ilonet_errname(a->sa_code),
              a->sa_what, a->sa_strike ? " strike" : "");
}

/* ---- group commit ------------------------------------------------------- */

/*
 * Batches received while bytes keep coming (up to NODE__GROUP_MS) share
 * one store transaction, so a bulk transfer commits about twice a second
 * and a lone announcement within one tick:
 * log_ingest() nests inside it (savepoints, so a refused batch still rolls
 * back alone), and the entry index pages a batch dirties are written once
 * per group instead of once per batch. Nothing acknowledged to a user
 * depends on it: local appends are other processes' FULL commits, and a
 * foreign group lost to a crash is fetched again (sync refreshes its
 * cached heads from the store every digest interval).
 */
static void
node__txn_close(struct node *n)
{
    if (!n->n_txn)
        return;
    n->n_txn = 0;
    /* received entries may reference blobs, or erase them */
    blob_sync_refresh(n->n_blobs);
    n->n_blob_gc = 1;
    if (store_commit(n->n_home->h_store) != 0) {
        node__log("store commit failed: rolled back, will fetch again");
        store_rollback(n->n_home->h_store);
    }
}

static void
node__txn_open(struct node *n)
{
    /* The checkpointer needs a moment between transactions to restart the
     * WAL (storage/checkpoint.h): commit the group, and let batches commit
     * alone until it has had it. */
    if (ckpt_wants_gap(n->n_ckpt)) {
        node__txn_close(n);
        return;
    }
    if (n->n_txn || n->n_stopping)
        return;
    if (store_begin(n->n_home->h_store) == 0) {
        n->n_txn = 1;
        n->n_txn_since = home_now_ms();
    }
}

static void
node__before_ingest(void *arg)
{
    struct node *n = arg;

    /* entries arrive: until the group commits and the wanted list is
     * read again, no session counts as done with its files */
    blob_sync_refresh(n->n_blobs);

    /* Work still arriving, if from the receive thread's queue rather than
     * the socket (a paused connection reads nothing meanwhile): the group
     * stays open as for bytes. */
    n->n_last_recv = home_now_ms();
    n->n_batches_in++;
    node__txn_open(n);
}

/* ---- net callbacks ------------------------------------------------------ */

static int
node__add_peer(struct node *n, struct net_conn *c, struct node__slot *s,
               const char *host)
{
    struct node__pinfo *pi;
    struct peer *p;
    int rc;

    if (n->n_npeers >= NODE__MAX_PEERS || !(pi = calloc(1, sizeof(*pi)))) {
        net_conn_close(c);
        return ILONET_ETOOBIG;
    }
    pi->pi_slot = s;
    pi->pi_unauth = s == NULL;
    pi->pi_order = ++n->n_accepts;
    if (host)
        snprintf(pi->pi_host, sizeof(pi->pi_host), "%s", host);
    if ((rc = peer_new(&n->n_env, c, s ? s->s_pk : NULL, home_now_ms(), &p)) !=
        0) {
        /* ILONET_ECLOSED: peer_close ran already, without our pinfo. */
        free(pi);
        return rc;
    }
    peer_set_data(p, pi);
    n->n_peers[n->n_npeers++] = p;
    if (pi->pi_unauth)
        n->n_unauth++;
    return 0;
}

/* "IP:PORT" or "[IPv6]:PORT" without the port. */
static void
node__host(const char *addr, char out[64])
{
    const char *colon = strrchr(addr, ':');
    size_t len = colon ? (size_t)(colon - addr) : strlen(addr);

    if (len > 63)
        len = 63;
    memcpy(out, addr, len);
    out[len] = 0;
}

/* An accepted connection that has not proven the network key. */
static int
node__unkeyed(struct peer *p, const struct node__pinfo *pi)
{
    return pi && pi->pi_unauth && !peer_keyed(p);
}

/* Unkeyed connections from host. */
static size_t
node__unkeyed_from(struct node *n, const char *host)
{
    size_t k = 0;

    for (size_t i = 0; i < n->n_npeers; i++) {
        struct node__pinfo *pi = peer_data(n->n_peers[i]);
        k += node__unkeyed(n->n_peers[i], pi) && strcmp(pi->pi_host, host) == 0;
    }
    return k;
}

/*
 * The connection a newcomer replaces: the oldest unkeyed one from host, or
 * (host NULL) from the address holding the most unkeyed connections, so
 * an outsider's flood evicts its own connections before anyone else's.
 * NULL when there is none.
 */
static struct peer *
node__victim(struct node *n, const char *host)
{
    struct peer *v = NULL;
    size_t most = 0;
    char busiest[64] = "";

    if (!host) {
        for (size_t i = 0; i < n->n_npeers; i++) {
            struct node__pinfo *pi = peer_data(n->n_peers[i]);
            size_t k;

            if (!node__unkeyed(n->n_peers[i], pi))
                continue;
            if ((k = node__unkeyed_from(n, pi->pi_host)) > most) {
                most = k;
                snprintf(busiest, sizeof(busiest), "%s", pi->pi_host);
            }
        }
        if (most == 0)
            return NULL;
        host = busiest;
    }
    for (size_t i = 0; i < n->n_npeers; i++) {
        struct peer *p = n->n_peers[i];
        struct node__pinfo *pi = peer_data(p);

        if (node__unkeyed(p, pi) && strcmp(pi->pi_host, host) == 0 &&
            (!v ||
             pi->pi_order < ((struct node__pinfo *)peer_data(v))->pi_order))
            v = p;
    }
    return v;
}

static void
node__evict(struct node *n, struct peer *v)
{
    n->n_evicted++;
    peer_close(v, ILONET_EBUSY, "evicted");
}

/*
 * A connection came in. Over either pre-auth bound (node.h) the oldest
 * connection that has not proven the network key makes room for it: a
 * newcomer is never turned away for silent connections, whoever opened
 * them. Only when every pre-auth slot holds a keyed handshake (a network
 * key holder's) is it refused.
 */
static void
node__on_accept(void *arg, struct net_conn *c)
{
    struct node *n = arg;
    char host[64];
    struct peer *v;

    if (n->n_stopping) {
        net_conn_close(c);
        return;
    }
    node__host(net_conn_addr(c), host);
    if (node__unkeyed_from(n, host) >= NODE_MAX_UNKEYED_PER_ADDR &&
        (v = node__victim(n, host)) != NULL)
        node__evict(n, v);
    if (n->n_unauth >= NODE_MAX_UNAUTH) {
        if (!(v = node__victim(n, NULL))) {
            n->n_refused++;
            net_conn_close(c);
            return;
        }
        node__evict(n, v);
    }
    node__add_peer(n, c, NULL, host);
}

/* One line a second at most about connections evicted or refused before
 * authentication (a flood would otherwise write one per connection). */
static void
node__admission_log(struct node *n, uint64_t now)
{
    if (now < n->n_next_admission_log || (!n->n_evicted && !n->n_refused))
        return;
    node__log("pre-auth: %llu unauthenticated connections evicted, %llu "
              "refused (bounds: %d short of HELLO, %d per address short of "
              "the network key)",
              (unsigned long long)n->n_evicted,
              (unsigned long long)n->n_refused, NODE_MAX_UNAUTH,
              NODE_MAX_UNKEYED_PER_ADDR);
    n->n_evicted = n->n_refused = 0;
    n->n_next_admission_log = now + NODE__STATUS_MS;
}

static void
node__on_dial(void *arg, struct net_dialer *d, struct net_conn *c, int err)
{
    struct node *n = arg;
    struct node__slot *s = net_dialer_data(d);

    if (!c) {
        s->s_dialing = 0;
        node__log("dial %s failed: %s (%s)", s->s_addr, ilonet_errname(err),
                  net_dialer_error(d));
        node__schedule(n, s, 1);
        return;
    }
    if (n->n_stopping || node__peer_by_key(n, s->s_pk, NULL)) {
        /* Connected the other way meanwhile. */
        s->s_dialing = 0;
        net_conn_close(c);
        return;
    }
    if (node__add_peer(n, c, s, NULL) != 0 && s->s_dialing) {
        s->s_dialing = 0;
        node__schedule(n, s, 1);
    }
}

static void
node__on_recv(void *arg, struct net_conn *c, const uint8_t *buf, size_t len,
              int err)
{
    struct node *n = arg;
    struct peer *p = net_conn_data(c);

    if (p && err == 0 && peer_phase(p) == PEER_READY)
        n->n_last_recv = home_now_ms();
    if (p)
        peer_on_recv(p, buf, len, err, home_now_ms());
    if (n->n_flush)
        node__flush_all(n);
}

/* The receive thread's results were handled: flush what they queued for
 * other peers (announcements), as after a read. */
static void
node__after_rx(void *arg)
{
    struct node *n = arg;

    if (n->n_flush && !n->n_stopping)
        node__flush_all(n);
}

static void
node__on_sent(void *arg, struct net_conn *c, int err)
{
    struct node *n = arg;
    struct peer *p = net_conn_data(c);

    if (p)
        peer_on_sent(p, err);
    if (n->n_flush)
        node__flush_all(n);
}

/* ---- periodic work ------------------------------------------------------ */

/* Another process committed to the store (an append by the CLI): announce
 * the logs whose heads moved. */
static void
node__watch_store(struct node *n, uint64_t now)
{
    struct log_head *heads = NULL;
    size_t nh = 0;
    int64_t v;

    if (store_data_version(n->n_home->h_store, &v) != 0)
        return;
    if (v == n->n_data_version)
        return;
    n->n_data_version = v;
    blob_sync_refresh(n->n_blobs);
    n->n_blob_gc = 1;
    if (log_heads(n->n_home->h_store, &heads, &nh) != 0)
        return;
    for (size_t i = 0; i < nh; i++) {
        int same = 0;
        for (size_t j = 0; j < n->n_nheads && !same; j++)
            same = memcmp(heads[i].lh_log.ld_id, n->n_heads[j].lh_log.ld_id,
                          HASH_LEN) == 0 &&
                   heads[i].lh_seq == n->n_heads[j].lh_seq &&
                   heads[i].lh_frozen == n->n_heads[j].lh_frozen;
        if (!same) {
            sync_notify(n->n_sync, heads[i].lh_log.ld_id, now);
            n->n_head_moves++;
        }
    }
    free(n->n_heads);
    n->n_heads = heads;
    n->n_nheads = nh;
    n->n_flush = 1;
}

/* One peer's object of the status array (crypto/json.h encodes the
 * strings; numbers and literals are written as they are). */
static void
node__status_peer(struct node *n, struct textbuf *b, const char *addr,
                  const uint8_t *pk, struct peer *p, int *first)
{
    struct node__key *k = node__key(n, pk, 0);
    const struct cert *c =
        p && peer_sync(p) ? sync_peer_cert(peer_sync(p)) : NULL;
    struct sync_peer_stats st;
    uint64_t in = 0, out = 0, last = k ? k->k_last_sync : 0;

    memset(&st, 0, sizeof(st));
    if (p && peer_sync(p))
        sync_peer_stats(peer_sync(p), &st);
    if (p)
        net_conn_counts(peer_conn(p), &in, &out);
    textbuf_puts(b, *first ? "{\"addr\":" : ",{\"addr\":");
    json_str(b, addr);
    textbuf_puts(b, ",\"node\":\"");
    json_hex(b, pk, KEY_PK_LEN);
    textbuf_puts(b, "\",\"state\":");
    json_str(b, c ? c->c_state : (k ? k->k_state : ""));
    textbuf_printf(b, ",\"connected\":%s,\"direction\":%s,\"last_sync_ms\":",
                   p && c ? "true" : "false",
                   p ? (peer_dialed(p) ? "\"out\"" : "\"in\"") : "null");
    if (last)
        textbuf_printf(b, "%llu", (unsigned long long)last);
    else
        textbuf_puts(b, "null");
    textbuf_printf(b,
                   ",\"strikes\":%u,\"banned\":%s,\"entries_in\":%llu,"
                   "\"entries_out\":%llu,\"msgs_in\":%llu,\"msgs_out\":%llu,"
                   "\"bytes_in\":%llu,\"bytes_out\":%llu}",
                   (k ? k->k_strikes : 0) + (p ? peer_strikes(p) : 0),
                   k && k->k_ban_until > home_now_ms() ? "true" : "false",
                   (unsigned long long)st.ps_entries_in,
                   (unsigned long long)st.ps_entries_out,
                   (unsigned long long)st.ps_msgs_in,
                   (unsigned long long)st.ps_msgs_out, (unsigned long long)in,
                   (unsigned long long)out);
    *first = 0;
}

/* Writes store meta "rejections" when a count changed (and once at
 * start, so a restarted node's counts start again from zero): a JSON
 * object of error names and counts (ilonet status, GET /metrics). */
static void
node__write_rejections(struct node *n)
{
    struct textbuf b;
    int first = 1;

    if (!n->n_rejected_dirty)
        return;
    memset(&b, 0, sizeof(b));
    textbuf_puts(&b, "{");
    for (int c = 1; c < ILONET_ERR_COUNT; c++)
        if (n->n_rejected[c]) {
            textbuf_puts(&b, first ? "" : ",");
            json_str(&b, ilonet_errname(-c));
            textbuf_printf(&b, ":%llu", (unsigned long long)n->n_rejected[c]);
            first = 0;
        }
    textbuf_puts(&b, "}");
    if (!b.tb_err && store_meta_set(n->n_home->h_store, "rejections",
                                    (uint8_t *)b.tb_data, b.tb_len) == 0)
        n->n_rejected_dirty = 0;
    textbuf_free(&b);
}

/* Writes store meta "node_run" (node.h "status"): this process, when it
 * started, when it was last seen running, and when it stopped (null while
 * it runs), so `ilonet status` can tell a running node from a stale table.
 * A failed write is tried again at the next call. */
static void
node__write_run(struct node *n, uint64_t now, int stopped)
{
    struct textbuf b;

    memset(&b, 0, sizeof(b));
    textbuf_printf(&b,
                   "{\"pid\":%ld,\"started_ms\":%llu,\"seen_ms\":%llu,"
                   "\"stopped_ms\":",
                   (long)getpid(), (unsigned long long)n->n_start,
                   (unsigned long long)now);
    if (stopped)
        textbuf_printf(&b, "%llu}", (unsigned long long)now);
    else
        textbuf_puts(&b, "null}");
    if (!b.tb_err && store_meta_set(n->n_home->h_store, "node_run",
                                    (uint8_t *)b.tb_data, b.tb_len) == 0)
        n->n_next_seen = now + NODE_SEEN_MS;
    textbuf_free(&b);
}

/* Writes store meta "peer_status" if it changed. Only addresses that are
 * ours to print (config, or "IP:PORT" from the socket) reach the JSON. */
static void
node__write_status(struct node *n)
{
    struct textbuf b;
    int first = 1;

    node__write_rejections(n);

    memset(&b, 0, sizeof(b));
    textbuf_puts(&b, "[");
    for (size_t i = 0; i < n->n_nslots; i++) {
        struct node__slot *s = &n->n_slots[i];
        node__status_peer(n, &b, s->s_addr, s->s_pk,
                          node__peer_by_key(n, s->s_pk, NULL), &first);
    }
    for (size_t i = 0; i < n->n_npeers; i++) {
        struct peer *p = n->n_peers[i];
        const uint8_t *pk = peer_key(p);
        if (!pk || peer_phase(p) != PEER_READY || node__slot_for(n, pk))
            continue;
        node__status_peer(n, &b, peer_addr(p), pk, p, &first);
    }
    textbuf_puts(&b, "]");
    if (b.tb_err || (n->n_status && strcmp(n->n_status, b.tb_data) == 0)) {
        textbuf_free(&b);
        return;
    }
    if (store_meta_set(n->n_home->h_store, "peer_status", (uint8_t *)b.tb_data,
                       b.tb_len) == 0) {
        free(n->n_status);
        n->n_status = b.tb_data; /* the buffer's malloc'd text, kept */
    } else {
        textbuf_free(&b);
    }
}

static void node__stop(struct node *n);

/* Signatures checked per tick in the background: batched ingest checks
 * one signature per range and leaves the others for here (DESIGN §4). */
#define NODE__VERIFY_PER_TICK 512

/* Background work between bursts of ingest: individual signature checks
 * and the release of quarantined entries whose time has come. */
static void
node__background(struct node *n, uint64_t now)
{
    struct store *s = n->n_home->h_store;
    size_t checked = 0, bad = 0;
    uint64_t released = 0;
    int rc;

    if (n->n_txn)
        return; /* never inside the group commit of received batches */
    /* Only when ingest is idle: catching up comes first. A bad signature
     * (an author signed over an invalid one) is quarantined and taken out
     * of the view in one transaction, at the cost of that log's entries
     * and what they touched, not a rebuild of everything (issue 12). */
    if (now >= n->n_last_recv + 200) {
        rc = view_verify_pending(s, NODE__VERIFY_PER_TICK, &checked, &bad);
        if (rc != 0)
            node__log("verify: background signature check failed: %s "
                      "(nothing changed; tried again next tick)",
                      ilonet_errname(rc));
        else if (bad)
            node__log("verify: %zu bad-signature entries found by the "
                      "background check: quarantined, taken out of the view",
                      bad);
        /* The search index folds what ingest noted while nothing arrives,
         * a batch a tick, so an officer's first search after a large sync
         * does not wait for the whole fold (storage/view/view_search.h). */
        rc = view_search_fold(s, NODE__FOLD_PER_TICK, NULL);
        if (rc != 0)
            node__log("search: folding the index failed: %s (tried again "
                      "next tick)",
                      ilonet_errname(rc));
    }
    rc = view_release_due(s, now, &released);
    if (rc != 0)
        node__log("quarantine: release failed: %s (tried again next tick)",
                  ilonet_errname(rc));
    else if (released)
        node__log("quarantine: %llu entries reached their time",
                  (unsigned long long)released);
    /* Personal data past its retention date: hidden, and erased by this
     * node where it wrote it (once a day; docs/REGIMES.md §5). Its own
     * appends do not move data_version: look at the heads again. */
    {
        struct app_err e;
        size_t issued = 0;

        if (app_retention_due(n->n_home, now, &issued, &e) != 0)
            node__log("retention: %s", e.ae_msg);
        if (issued) {
            node__log("retention: %zu erase entries written", issued);
            n->n_data_version = -1;
        }
    }
}

/* ---- blobs ------------------------------------------------------------ */

static void
node__blob_output(void *arg, struct blob_sync_peer *bp)
{
    struct node *n = arg;

    (void)bp;
    n->n_flush = 1;
}

static void
node__blob_event(void *arg, const struct blob_sync_event *e)
{
    struct node *n = arg;
    char ks[17], is[17];

    if (e->be_code == 0 && strcmp(e->be_what, "resume") == 0) {
        node__log("blob %s resumed at chunk %u of %u",
                  node__short(e->be_id, is), e->be_chunk, e->be_count);
        return;
    }
    if (e->be_code == 0) {
        n->n_blobs_in++;
        node__log("blob %s held (%llu bytes) from key=%s",
                  node__short(e->be_id, is), (unsigned long long)e->be_size,
                  node__short(e->be_peer, ks));
        if (e->be_chunk)
            node__log("blob %s: %u chunks fetched after resuming at chunk %u",
                      is, e->be_count, e->be_chunk);
        return;
    }
    /* what a peer sent that was refused counts with sync's (status) */
    if (e->be_strike && e->be_code < 0 && -e->be_code < ILONET_ERR_COUNT) {
        n->n_rejected[-e->be_code]++;
        n->n_rejected_dirty = 1;
    }
    node__log("blob %s %s: %s%s key=%s", node__short(e->be_id, is), e->be_what,
              ilonet_errname(e->be_code), e->be_strike ? " strike" : "",
              node__short(e->be_peer, ks));
}

/* Opens blobs/ and the transfer machine; without them the node syncs
 * logs only (said once in the log). */
static void
node__blobs_open(struct node *n)
{
    struct home *h = n->n_home;
    struct blob_sync_callbacks cb = {n, node__blob_output, node__blob_event};
    struct blob_sync_store st;
    uint32_t days = h->h_conf.hc_blob_eager_days ? h->h_conf.hc_blob_eager_days
                                                 : HOME_BLOB_EAGER_DAYS_DEFAULT;
    int rc;

    if ((rc = home_blob_open(h, &n->n_bs)) != 0) {
        node__log("blobs: %s: files are not replicated by this node",
                  ilonet_errname(rc));
        return;
    }
    n->n_bq.bq_bs = n->n_bs;
    n->n_bq.bq_eager_ms = (uint64_t)days * 86400 * 1000;
    blob_sync_store_sqlite(&st, &n->n_bq);
    if ((rc = blob_sync_new(&n->n_blobs, &st, NULL, &cb)) != 0) {
        node__log("blobs: %s: files are not replicated by this node",
                  ilonet_errname(rc));
        blob_close(n->n_bs);
        n->n_bs = NULL;
    }
}

static void
node__blobs_close(struct node *n)
{
    blob_sync_free(n->n_blobs);
    n->n_blobs = NULL;
    blob_close(n->n_bs);
    n->n_bs = NULL;
}

/* The transfers' timers, and the files erasures took the keys of. */
static void
node__blobs_tick(struct node *n, uint64_t now)
{
    uint64_t removed = 0;
    int rc;

    if (!n->n_blobs || n->n_txn)
        return; /* never inside the group commit */
    if ((rc = blob_sync_tick(n->n_blobs, now)) != 0)
        node__log("blobs: %s (tried again next tick)", ilonet_errname(rc));
    if (n->n_blob_gc && now >= n->n_blob_gc_next) {
        n->n_blob_gc = 0;
        n->n_blob_gc_next = now + 1000;
        if ((rc = blob_gc(n->n_bs, now, &removed)) != 0)
            node__log("blobs: collect: %s (tried again later)",
                      ilonet_errname(rc));
        else if (removed)
            node__log("blobs: %llu files erased with their records",
                      (unsigned long long)removed);
    }
}

/* The peer condition of a settled view (node_int.h): every connected peer
 * in sync, and one at least when peers are configured. */
static int
node__peers_settled(struct node *n)
{
    size_t synced = 0;

    for (size_t i = 0; i < n->n_npeers; i++) {
        struct peer *p = n->n_peers[i];
        if (peer_phase(p) != PEER_READY)
            continue;
        if (!peer_in_sync(p))
            return 0;
        synced++;
    }
    return synced > 0 || n->n_nslots == 0;
}

static void
node__attest_log(void *arg, const char *line)
{
    (void)arg;
    node__log("%s", line);
}

static int
node__oneshot_done(struct node *n)
{
    for (size_t i = 0; i < n->n_nslots; i++)
        if (n->n_slots[i].s_done == 0)
            return 0;
    return 1;
}

static void
node__tick(uv_timer_t *t)
{
    struct node *n = t->data;
    uint64_t now = home_now_ms();

    if (n->n_stopping)
        return;
    if (n->n_txn && (now >= n->n_txn_since + NODE__GROUP_MS ||
                     now >= n->n_last_recv + NODE__GROUP_IDLE_MS ||
                     ckpt_wants_gap(n->n_ckpt)))
        node__txn_close(n);
    node__watch_store(n, now);
    node__background(n, now);
    node__blobs_tick(n, now);
    node__attest_tick(n->n_attest, now, n->n_batches_in + n->n_head_moves,
                      node__peers_settled(n));
    node__admission_log(n, now);
    for (size_t i = 0; i < n->n_npeers;) {
        struct peer *p = n->n_peers[i];
        struct node__pinfo *pi = peer_data(p);
        if (peer_tick(p, now) != 0)
            continue; /* closed: the array shifted */
        if (peer_phase(p) == PEER_READY) {
            const struct cert *c = sync_peer_cert(peer_sync(p));
            if (c && !pi->pi_announced) {
                struct node__key *k = node__key(n, peer_key(p), 1);
                char ks[17];
                pi->pi_announced = 1;
                snprintf(k->k_state, sizeof(k->k_state), "%s", c->c_state);
                node__log("hello %s key=%s state=%s role=%s", peer_addr(p),
                          node__short(peer_key(p), ks), c->c_state,
                          cert_role_name(c->c_role));
            }
            if (c && pi->pi_unauth) {
                pi->pi_unauth = 0;
                n->n_unauth--;
            }
            if (peer_in_sync(p)) {
                struct node__key *k = node__key(n, peer_key(p), 1);
                k->k_last_sync = now;
                if (n->n_opts->no_oneshot && pi->pi_slot &&
                    !pi->pi_slot->s_logs_synced) {
                    pi->pi_slot->s_logs_synced = 1;
                    if (peer_blobs(p) && !blob_sync_peer_idle(peer_blobs(p)))
                        node__log("logs in sync with %s; fetching files",
                                  peer_addr(p));
                }
                /* a one-shot sync also waits for the files it fetches */
                if (n->n_opts->no_oneshot && pi->pi_slot &&
                    pi->pi_slot->s_done == 0 &&
                    (!peer_blobs(p) || blob_sync_peer_idle(peer_blobs(p)))) {
                    char ks[17];
                    pi->pi_slot->s_done = 1;
                    n->n_res->nr_synced++;
                    node__log("synced %s key=%s", peer_addr(p),
                              node__short(peer_key(p), ks));
                    if (i < n->n_npeers && n->n_peers[i] == p)
                        peer_goodbye(p);
                }
            }
        }
        if (i < n->n_npeers && n->n_peers[i] == p)
            i++;
    }
    /* Dial configured peers we have no connection with. */
    for (size_t i = 0; i < n->n_nslots; i++) {
        struct node__slot *s = &n->n_slots[i];
        struct node__key *k = node__key(n, s->s_pk, 0);
        if (s->s_dialing || s->s_done || now < s->s_next_dial ||
            (k && k->k_ban_until > now) || node__peer_by_key(n, s->s_pk, NULL))
            continue;
        if (net_dial(s->s_dialer) == 0)
            s->s_dialing = 1;
    }
    if (n->n_flush)
        node__flush_all(n);
    if (n->n_opts->no_write_status && now >= n->n_next_status) {
        n->n_next_status = now + NODE__STATUS_MS;
        node__write_status(n);
        if (now >= n->n_next_seen)
            node__write_run(n, now, 0);
    }
    if (n->n_opts->no_oneshot) {
        /* Settled: stop once the goodbyes are out (or a second later). */
        if (node__oneshot_done(n) && !n->n_settled)
            n->n_settled = now;
        if (n->n_settled && (n->n_npeers == 0 || now >= n->n_settled + 1000)) {
            node__stop(n);
        } else if (now >= n->n_deadline) {
            node__log("timeout after %llu ms",
                      (unsigned long long)(now - n->n_start));
            n->n_res->nr_timed_out = 1;
            /* the logs synced: that counts, whatever files are still on
             * the way (they are fetched again by the next sync or node) */
            for (size_t i = 0; i < n->n_nslots; i++)
                if (n->n_slots[i].s_done == 0 && n->n_slots[i].s_logs_synced) {
                    n->n_slots[i].s_done = 1;
                    n->n_res->nr_synced++;
                    node__log("synced %s (logs; files not all fetched)",
                              n->n_slots[i].s_addr);
                }
            node__stop(n);
        }
    }
}

/* ---- start and stop ----------------------------------------------------- */

static void
node__stop(struct node *n)
{
    if (n->n_stopping)
        return;
    node__txn_close(n);
    n->n_stopping = 1;
    node__attest_stop(n->n_attest);
    uv_timer_stop(&n->n_tick);
    uv_close((uv_handle_t *)&n->n_tick, NULL);
    uv_close((uv_handle_t *)&n->n_sigint, NULL);
    uv_close((uv_handle_t *)&n->n_sigterm, NULL);
    while (n->n_npeers)
        peer_close(n->n_peers[n->n_npeers - 1], 0, "shutdown");
    peer_rx_stop(n->n_rx); /* every peer is closed */
    n->n_rx = NULL;
    net_counts(n->n_net, &n->n_res->nr_wire_in, &n->n_res->nr_wire_out);
    net_close(n->n_net);
    n->n_net = NULL;
}

static void
node__on_signal(uv_signal_t *s, int signum)
{
    struct node *n = s->data;

    node__log("signal %d: shutting down", signum);
    node__stop(n);
}

static int
node__fail(char *msg, int rc, const char *fmt, const char *arg)
{
    if (msg)
        snprintf(msg, 256, fmt, arg, ilonet_errname(rc));
    return rc;
}

int
node_run(struct home *h, const struct node_opts *o, struct node_result *res,
         char *msg)
{
    struct node *n;
    struct node_result dummy;
    struct sync_callbacks cb;
    struct sync_config cfg;
    struct net_callbacks ncb;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    char path[HOME_PATH_MAX];
    int rc;

    if (!h || !o || !h->h_store)
        return ILONET_EINVAL;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof(*res));
    if (msg)
        msg[0] = 0;
    if (!h->h_has_cert)
        return node__fail(msg, ILONET_EUNKNOWNAUTHOR,
                          "%sno certificate installed (%s)", "");
    home_path(h, "node.cert", path);
    if ((rc = cert_read_file(path, CERT_MAX_LEN, &cert, &cert_len)) != 0)
        return node__fail(msg, rc, "certificate %s: %s", path);
    if (!(n = calloc(1, sizeof(*n)))) {
        free(cert);
        return ILONET_ENOMEM;
    }
    n->n_home = h;
    n->n_opts = o;
    n->n_res = res;
    n->n_data_version = -1;
    n->n_rejected_dirty = 1; /* counts start again with this run */
    n->n_start = home_now_ms();
    n->n_deadline = n->n_start + (o->no_timeout_ms ? o->no_timeout_ms : 30000);

    /* This connection only ingests foreign entries (local appends come
     * from CLI processes with their own FULL connections): a batch lost
     * to a power cut is fetched again from a peer, so no fsync per batch
     * (storage/store.h). */
    store_set_durable(h->h_store, 0);
    /* Savepoints (log_ingest inside a group) journal in temp files
     * unless temp_store is memory: that was most of the write calls. A
     * failure only costs speed. */
    (void)store_set_temp_memory(h->h_store);
    /* Checkpoints (WAL copied into the file, then fsync) were 12-18 % of
     * this thread's time while ingesting, inline in the commit that passed
     * 1000 frames; a thread of their own runs them beside the loop
     * (storage/checkpoint.h). Without it SQLite still checkpoints inline,
     * so a failure here only costs speed. */
    if ((rc = ckpt_start(h->h_store, 0, &n->n_ckpt)) != 0)
        node__log("checkpointer: %s; checkpoints stay inline",
                  ilonet_errname(rc));
    memset(&cfg, 0, sizeof(cfg));
    cfg.sc_digest_ms = 500;
    cfg.sc_hello_ms = PEER_HANDSHAKE_MS;
    cfg.sc_batch_bytes = 256 * 1024;
    /* 2 MiB before the first ACK measures the link: a 2 MiB/s link with
     * 600 ms round trips is full from the start (issue 17). */
    cfg.sc_window = 8;
    cb.cb_arg = n;
    cb.cb_output = node__sync_output;
    cb.cb_audit = node__sync_audit;
    struct sync_store sst; /* sync sees the store through this table */
    sync_store_sqlite(&sst, h->h_store);
    rc = sync_node_new(&n->n_sync, &sst, cert, cert_len, &cfg, &cb);
    free(cert);
    if (rc != 0) {
        ckpt_stop(n->n_ckpt);
        free(n);
        return node__fail(msg, rc, "%ssync: %s", "");
    }
    n->n_env.pe_kp = &h->h_key;
    n->n_env.pe_netkey = h->h_net.n_key;
    n->n_env.pe_sync = n->n_sync;
    node__blobs_open(n);
    n->n_env.pe_blobs = n->n_blobs;
    n->n_env.pe_arg = n;
    n->n_env.pe_admit = node__admit;
    n->n_env.pe_on_ready = node__on_ready;
    n->n_env.pe_on_close = node__on_close;
    n->n_env.pe_before_ingest = node__before_ingest;

    if ((rc = uv_loop_init(&n->n_loop)) != 0) {
        ckpt_stop(n->n_ckpt);
        node__blobs_close(n);
        sync_node_free(n->n_sync);
        free(n);
        return node__fail(msg, ILONET_EIO, "%sevent loop: %s", "");
    }
    ncb.arg = n;
    ncb.on_accept = node__on_accept;
    ncb.on_dial = node__on_dial;
    ncb.on_recv = node__on_recv;
    ncb.on_sent = node__on_sent;
    if ((rc = net_new(&n->n_net, &n->n_loop, &ncb)) != 0) {
        node__fail(msg, rc, "%snet: %s", "");
        goto out_loop;
    }
    /* Opening boxes, deframing and decoding (a batch's hashes and ids)
     * run on a thread of their own, so the loop only stores (issue 17).
     * Without it they run on the loop: slower, same results. */
    if ((rc = peer_rx_start(&n->n_loop, node__after_rx, n, &n->n_rx)) != 0)
        node__log("receive thread: %s; decoding stays on the loop",
                  ilonet_errname(rc));
    n->n_env.pe_rx = n->n_rx;
    if (o->no_listen && o->no_listen[0]) {
        if ((rc = net_listen(n->n_net, o->no_listen)) != 0) {
            node__fail(msg, rc,
                       rc == ILONET_EEXIST ? "listen %s: address in use (%s)"
                                           : "listen %s: %s",
                       o->no_listen);
            goto out_net;
        }
        node__log("listening on %s", o->no_listen);
    }
    if (o->no_npeers &&
        !(n->n_slots = calloc(o->no_npeers, sizeof(*n->n_slots)))) {
        rc = ILONET_ENOMEM;
        goto out_net;
    }
    for (size_t i = 0; i < o->no_npeers; i++) {
        struct node__slot *s = &n->n_slots[n->n_nslots];
        if (memcmp(o->no_peers[i].hp_pk, h->h_key.pk, KEY_PK_LEN) == 0 ||
            node__slot_for(n, o->no_peers[i].hp_pk))
            continue; /* ourselves, or a duplicate */
        snprintf(s->s_addr, sizeof(s->s_addr), "%s", o->no_peers[i].hp_addr);
        memcpy(s->s_pk, o->no_peers[i].hp_pk, KEY_PK_LEN);
        if ((rc = net_dialer_new(n->n_net, s->s_addr, s, &s->s_dialer)) != 0) {
            node__fail(msg, rc, "peer %s: %s", s->s_addr);
            goto out_net;
        }
        s->s_next_dial = n->n_start;
        n->n_nslots++;
    }
    res->nr_peers = n->n_nslots;
    if (o->no_oneshot && n->n_nslots == 0) {
        rc = node__fail(msg, ILONET_ENOTFOUND, "%sno peers to sync with (%s)",
                        "");
        goto out_net;
    }
    /* a one-shot sync does not attest: it stops once synced */
    if (!o->no_oneshot &&
        (rc = node__attest_new(&n->n_loop, h, n->n_start, node__attest_log, n,
                               &n->n_attest)) != 0) {
        node__fail(msg, rc, "%sautomatic attestation: %s", "");
        goto out_net;
    }
    if (n->n_attest)
        node__log("report: automatic attestation on (quiet %u s)",
                  h->h_conf.hc_attest_quiet_s ? h->h_conf.hc_attest_quiet_s
                                              : HOME_ATTEST_QUIET_DEFAULT);
    uv_timer_init(&n->n_loop, &n->n_tick);
    n->n_tick.data = n;
    uv_signal_init(&n->n_loop, &n->n_sigint);
    uv_signal_init(&n->n_loop, &n->n_sigterm);
    n->n_sigint.data = n->n_sigterm.data = n;
    uv_signal_start(&n->n_sigint, node__on_signal, SIGINT);
    uv_signal_start(&n->n_sigterm, node__on_signal, SIGTERM);
    uv_timer_start(&n->n_tick, node__tick, 0, NODE_TICK_MS);
    /* A one-shot sync into an empty view (a new member's first sync)
     * builds the desk's list indexes once at the end rather than record
     * by record; a node keeps them, for the desk it serves meanwhile. */
    if (o->no_oneshot &&
        (rc = view_indexes_defer(h->h_store, &n->n_idx_deferred)) != 0)
        node__log("view: list indexes kept during the sync: %s",
                  ilonet_errname(rc));

    uv_run(&n->n_loop, UV_RUN_DEFAULT);
    rc = 0;
    goto out_loop;

out_net:
    peer_rx_stop(n->n_rx);
    n->n_rx = NULL;
    net_close(n->n_net);
    n->n_net = NULL;
    uv_run(&n->n_loop, UV_RUN_DEFAULT);
out_loop:
    uv_loop_close(&n->n_loop);
    /* counted in the sync's time: the store is whole only with them */
    if (n->n_idx_deferred) {
        uint64_t t0 = home_now_ms();
        int irc = view_indexes_restore(h->h_store);

        if (irc != 0)
            node__log("view: building the list indexes failed: %s (the "
                      "next open builds them)",
                      ilonet_errname(irc));
        else
            node__log("view: list indexes built in %llu ms (a first sync "
                      "builds them once, at its end)",
                      (unsigned long long)(home_now_ms() - t0));
        n->n_idx_deferred = 0;
    }
    res->nr_entries_in = n->n_entries_in;
    res->nr_entries_out = n->n_entries_out;
    res->nr_msgs_in = n->n_msgs_in;
    res->nr_msgs_out = n->n_msgs_out;
    res->nr_elapsed_ms = home_now_ms() - n->n_start;
    if (o->no_write_status && rc == 0) {
        node__write_status(n); /* everyone disconnected now */
        node__write_run(n, home_now_ms(), 1);
    }
    if (n->n_ckpt) {
        struct ckpt_stats cs;
        ckpt_stats(n->n_ckpt, &cs);
        if (cs.cs_errors) /* left in the WAL: the next checkpoint copies it */
            node__log("checkpointer: %llu checkpoints failed, last: %s",
                      (unsigned long long)cs.cs_errors,
                      ilonet_errname(cs.cs_last_err));
        ckpt_stop(n->n_ckpt); /* before the caller closes the store */
        n->n_ckpt = NULL;
    }
    node__attest_free(n->n_attest); /* the loop ran out: no check in flight */
    node__blobs_close(n);
    sync_node_free(n->n_sync);
    free(n->n_slots);
    free(n->n_heads);
    free(n->n_status);
    free(n);
    return rc;
}

int
node_parse_peer(const char *s, struct home_peer *out)
{
    const char *at = s ? strrchr(s, '@') : NULL;
    size_t alen, got = 0;

    if (!at || !out)
        return ILONET_EINVAL;
    alen = (size_t)(at - s);
    if (alen == 0 || alen >= HOME_ADDR_MAX || strncmp(s, "tcp://", 6) != 0 ||
        strlen(at + 1) != 2 * KEY_PK_LEN)
        return ILONET_EINVAL;
    if (sodium_hex2bin(out->hp_pk, KEY_PK_LEN, at + 1, 2 * KEY_PK_LEN, NULL,
                       &got, NULL) != 0 ||
        got != KEY_PK_LEN)
        return ILONET_EINVAL;
    memcpy(out->hp_addr, s, alen);
    out->hp_addr[alen] = 0;
    return 0;
}
