/* sync.h - the sync protocol as a sans-I/O state machine (one per peer link).
 */
#ifndef ILONET_SYNC_H
#define ILONET_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/wire.h"
#include "storage/log.h"

/*
 * Replication between the nodes of one network (docs/PROTOCOL.md).
 *
 * A struct sync_node works over one store, seen only through the narrow
 * interface struct sync_store below, and knows every open peer session; a
 * struct sync_peer is one authenticated session with one peer (after the
 * secret handshake: the caller passes the peer's node key it proved). The
 * state machine does no I/O of its own:
 *   inputs   sync_recv()   one decrypted message from the peer,
 *            sync_tick()   the current time (timers: anti-entropy digest,
 *                          request timeouts, the HELLO deadline),
 *            sync_notify() "the store has more of this log" (local append);
 *   outputs  sync_next_out() the next message to send to a peer (made
 *            lazily, so pending output is bounded by construction),
 *            entries stored through the store's so_ingest,
 *            callbacks: cb_output (a peer has something to send: schedule
 *            a write), cb_audit (one line per rejection: peer, log, seq,
 *            code; never payload bytes).
 * It never reads a clock (every entry point takes now_ms), a socket or a
 * random source, so a simulator can drive many nodes deterministically.
 *
 * Audiences: a log is announced, served and pushed only to a peer whose
 * certificate (state, role) audience_admits() it, and the anti-entropy
 * digest covers only logs both sides may read; a non-member never learns a
 * log id of an audience it is not in.
 *
 * Errors: sync_recv() and sync_tick() return 0 or a negative ilonet code.
 * Any negative return means "close this connection"; the session is dead
 * afterwards (further calls return ILONET_ECLOSED). If the peer was at
 * fault (undecodable message, protocol violation, invalid entries), its
 * strike count (sync_peer_stats) went up by one and an audit line was
 * emitted; a local failure (ILONET_EIO, ENOMEM, EBUSY) gives no strike.
 *
 * Threads: a node, its peers and its store are used by one thread (the
 * event loop's). Nothing here blocks except the store's own calls.
 */

struct sync_node;
struct sync_peer;

/*
 * Logs a session may have announced (or sent entries or evidence of) that
 * this node does not hold. They are the session's: forgotten when it ends,
 * kept by the node only once a valid entry of them is stored. A peer
 * naming one more is refused with a strike (ILONET_ETOOBIG), so a certified
 * member cannot fill the node's memory with made-up logs (whose ids it can
 * make hash correctly at will).
 */
#define SYNC_PEER_MAX_UNHELD 8192

/*
 * The store as sync sees it: a table of functions over a context. The
 * state machine calls nothing else of a store, so it runs the same over
 * the SQLite store (sync_store_sqlite) and over a test's in-memory one
 * (tests/memstore.h, which the simulator uses). The types are those of
 * storage/log.h and every function keeps the contract of the log_*
 * function it stands for there. Each returns 0 or a negative ilonet code
 * and writes its out-parameters only on success; all run on the thread of
 * the node that calls them.
 */
struct sync_store_ops {
    /* Identity and trust. The network id (NET_ID_LEN bytes, valid while
     * the store is), read once by sync_node_new(). */
    const uint8_t *(*so_network)(void *ctx);
    /* cert_verify() of an envelope against the store's roster and
     * network (a peer's HELLO, this node's own certificate). */
    int (*so_cert_verify)(void *ctx, const uint8_t *buf, size_t len,
                          struct cert *out);
    /* This node is me: the store keeps and appends only logs of
     * audiences me may read (store_set_identity). */
    void (*so_set_identity)(void *ctx, const struct cert *me);

    /* Heads. Every log held, sorted by log id; *out is malloc'd (the
     * caller free()s it). log_heads() */
    int (*so_heads)(void *ctx, struct log_head **out, size_t *n);
    /* One log's head; ILONET_ENOTFOUND if not held. log_head() */
    int (*so_head)(void *ctx, const uint8_t log[static HASH_LEN],
                   struct log_head *out);
    /* The id of the entry at seq; ILONET_ENOTFOUND if not held. */
    int (*so_id_at)(void *ctx, const uint8_t log[static HASH_LEN], uint64_t seq,
                    uint8_t id[static HASH_LEN]);

    /* Range: appends to wb one batch (storage/batch.h layout) of log from
     * from_seq, up to max_entries and about max_bytes; *count entries.
     * ILONET_ENOTFOUND when there is nothing from from_seq. batch_encode() */
    int (*so_range)(void *ctx, const uint8_t log[static HASH_LEN],
                    uint64_t from_seq, size_t max_entries, size_t max_bytes,
                    struct wire_buf *wb, size_t *count);
    /* Ingest: verifies a batch and stores it, all or nothing, with its
     * result and code (st may be NULL). log_ingest() */
    int (*so_ingest)(void *ctx, const struct log_batch *b, uint64_t now_ms,
                     struct ingest_stats *st);
    /* Evidence: the fork evidence of log at seq; ILONET_ENOTFOUND if none.
     * log_evidence_get() */
    int (*so_evidence)(void *ctx, const uint8_t log[static HASH_LEN],
                       uint64_t seq, struct log_evidence *out);

    /* Node revocations held (changes when one is new), and whether node's
     * key is revoked by state (ILONET_EREVOKED). log_revocation_count(),
     * log_node_revoked() */
    int (*so_revocations)(void *ctx, uint64_t *n);
    int (*so_node_revoked)(void *ctx, const uint8_t node[static KEY_PK_LEN],
                           const char *state);

    /* Restored from a backup: read and clear the flag; a peer holds own
     * log up to seq, beyond our head. log_is_restored(),
     * log_clear_restored(), log_mark_self_behind() */
    int (*so_restored)(void *ctx, int *restored);
    int (*so_clear_restored)(void *ctx);
    int (*so_self_behind)(void *ctx, const uint8_t log[static HASH_LEN],
                          uint64_t seq);
};

/* A store for sync: its table and its context (neither owned). */
struct sync_store {
    const struct sync_store_ops *ss_ops;
    void *ss_ctx;
};

/*
 * The interface over the SQLite store s (storage/log.h): fills *out. s is
 * not owned and must outlive every node created over *out. Pure: no
 * allocation, cannot fail.
 */
void sync_store_sqlite(struct sync_store *out, struct store *s);

struct sync_config {
    uint64_t sc_digest_ms; /* anti-entropy DIGEST interval (default 1000) */
    uint64_t sc_want_ms;   /* a request without progress is retried
                              (possibly elsewhere) after this (3000) */
    uint64_t sc_hello_ms;  /* peer must say HELLO within this (10000) */
    uint32_t sc_window;    /* batches in flight per peer, unacked (8) */
    size_t sc_batch_bytes; /* target batch size (65536) */
};

/* One audit line: a rejection. log is NULL when no log was identified.
 * Pointers are valid during the callback only. */
struct sync_audit {
    const uint8_t *sa_peer; /* KEY_PK_LEN bytes */
    const uint8_t *sa_log;  /* HASH_LEN bytes or NULL */
    uint64_t sa_seq;        /* 0 if none */
    int sa_code;            /* ilonet error code */
    int sa_strike;          /* 1 if it counted as a strike */
    const char *sa_what;    /* static text: "batch", "hello", ... */
};

struct sync_callbacks {
    void *cb_arg;
    /* p has output: call sync_next_out() when the link can take it. */
    void (*cb_output)(void *arg, struct sync_peer *p);
    void (*cb_audit)(void *arg, const struct sync_audit *a);
};

struct sync_peer_stats {
    int ps_ready; /* HELLO exchanged */
    uint32_t ps_strikes;
    uint64_t ps_msgs_in, ps_msgs_out;
    uint64_t ps_bytes_in, ps_bytes_out;
    uint64_t ps_batches_in, ps_batches_out;
    uint64_t ps_entries_in;       /* new entries stored from this peer */
    uint64_t ps_entries_out;      /* entries sent in batches */
    uint64_t ps_last_progress_ms; /* last new entry stored from it */
};

/*
 * Creates the node-wide context over store st (the struct is copied; the
 * store behind it is not owned and must outlive the node). my_cert is this
 * node's certificate envelope (copied); it is verified against the store's
 * roster and network (so_cert_verify), and decides which audiences this
 * node reads. The store's identity (so_set_identity) is set from it. cfg
 * may be NULL (defaults); cb is copied and may be NULL. Returns 0,
 * ILONET_ENOMEM, the cert_verify() error or a store error.
 */
int sync_node_new(struct sync_node **out, const struct sync_store *st,
                  const uint8_t *my_cert, size_t my_cert_len,
                  const struct sync_config *cfg,
                  const struct sync_callbacks *cb);

/* Frees the node and every peer session still attached to it. */
void sync_node_free(struct sync_node *n);

/*
 * Opens a session with the peer whose node key peer_pk the transport has
 * authenticated. The session sends HELLO (our certificate) first and
 * accepts nothing but the peer's HELLO, whose certificate must be for
 * peer_pk, this network, a roster state and valid at now_ms.
 */
int sync_peer_new(struct sync_node *n, const uint8_t peer_pk[static KEY_PK_LEN],
                  uint64_t now_ms, struct sync_peer **out);

/* Closes a session (connection gone): forgets its state and requests. */
void sync_peer_free(struct sync_peer *p);

/* Caller's pointer for a session (e.g. its connection). */
void sync_peer_set_data(struct sync_peer *p, void *data);
void *sync_peer_data(const struct sync_peer *p);
const uint8_t *sync_peer_key(const struct sync_peer *p);
/* The peer's verified certificate, or NULL before its HELLO. */
const struct cert *sync_peer_cert(const struct sync_peer *p);
void sync_peer_stats(const struct sync_peer *p, struct sync_peer_stats *st);

/*
 * Handles one whole message from the peer (msg is borrowed for the call).
 * May store entries, queue replies and call cb_output / cb_audit (also for
 * other peers: new entries are announced to every member peer). Returns 0
 * or a negative code: close the connection.
 */
int sync_recv(struct sync_peer *p, const uint8_t *msg, size_t len,
              uint64_t now_ms);

/*
 * Advances the session's timers to now_ms: the periodic DIGEST, retries of
 * stalled requests, the HELLO deadline (ILONET_ETIMEOUT: close). Call it
 * every ~100 ms or when sync_next_deadline() says.
 */
int sync_tick(struct sync_peer *p, uint64_t now_ms);

/* When the session next needs sync_tick() (absolute ms). */
uint64_t sync_next_deadline(const struct sync_peer *p);

/*
 * Tells the node the store holds new entries of log (a local append, or
 * an import): the new head is announced to every session whose peer may
 * read the log and lacks it. Returns 0 or a store error.
 */
int sync_notify(struct sync_node *n, const uint8_t log[static HASH_LEN],
                uint64_t now_ms);

/*
 * Takes the next message for the peer: *msg is malloc'd (the caller frees
 * it) and *len set; *msg is NULL when there is nothing to send now.
 * Messages are built when taken, so a caller that takes one only when the
 * link can carry it bounds memory to one message per peer; batches also
 * stop when sc_window of them are unacknowledged. Returns 0 or an error
 * (ILONET_ENOMEM, a store error).
 */
int sync_next_out(struct sync_peer *p, uint8_t **msg, size_t *len);

/* 1 if sync_next_out() would return a message now. */
int sync_has_out(const struct sync_peer *p);

/*
 * Digest of this node's heads as a member of (state, role) would see them
 * (the anti-entropy digest, docs/PROTOCOL.md). For status and tests.
 */
int sync_digest(struct sync_node *n, const char *state, enum cert_role role,
                uint8_t out[static HASH_LEN]);

#endif
