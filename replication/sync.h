/* sync.h - the sync protocol as a sans-I/O state machine (one per peer link). */
#ifndef ILONET_SYNC_H
#define ILONET_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "storage/store.h"

/*
 * Replication between the nodes of one network (docs/PROTOCOL.md).
 *
 * A struct sync_node wraps one store and knows every open peer session; a
 * struct sync_peer is one authenticated session with one peer (after the
 * secret handshake: the caller passes the peer's node key it proved). The
 * state machine does no I/O of its own:
 *   inputs   sync_recv()   one decrypted message from the peer,
 *            sync_tick()   the current time (timers: anti-entropy digest,
 *                          request timeouts, the HELLO deadline),
 *            sync_notify() "the store has more of this log" (local append);
 *   outputs  sync_next_out() the next message to send to a peer (made
 *            lazily, so pending output is bounded by construction),
 *            entries stored through log_ingest(),
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
 * event loop's). Nothing here blocks except SQLite calls on the store.
 */

struct sync_node;
struct sync_peer;

struct sync_config {
    uint64_t sc_digest_ms;  /* anti-entropy DIGEST interval (default 1000) */
    uint64_t sc_want_ms;    /* a request without progress is retried
                               (possibly elsewhere) after this (3000) */
    uint64_t sc_hello_ms;   /* peer must say HELLO within this (10000) */
    uint32_t sc_window;     /* batches in flight per peer, unacked (8) */
    size_t sc_batch_bytes;  /* target batch size (65536) */
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
    int ps_ready;              /* HELLO exchanged */
    uint32_t ps_strikes;
    uint64_t ps_msgs_in, ps_msgs_out;
    uint64_t ps_bytes_in, ps_bytes_out;
    uint64_t ps_batches_in, ps_batches_out;
    uint64_t ps_entries_in;    /* new entries stored from this peer */
    uint64_t ps_entries_out;   /* entries sent in batches */
    uint64_t ps_last_progress_ms; /* last new entry stored from it */
};

/*
 * Creates the node-wide context over store s (not owned; must outlive the
 * node). my_cert is this node's certificate envelope (copied); it is
 * verified against the store's roster and network, and decides which
 * audiences this node reads. The store's identity (store_set_identity)
 * is set from it. cfg may be NULL (defaults); cb is copied and may be
 * NULL. Returns 0, ILONET_ENOMEM or the cert_verify() error.
 */
int sync_node_new(struct sync_node **out, struct store *s,
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
