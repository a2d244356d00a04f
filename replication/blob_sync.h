/* blob_sync.h - blob transfer between nodes: a sans-I/O request/response
 * stream beside log sync on the same authenticated link. */
#ifndef ILONET_BLOB_SYNC_H
#define ILONET_BLOB_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/wire.h"
#include "storage/blob.h"

/*
 * docs/PROTOCOL.md §11. Blobs travel on a peer connection after its sync
 * HELLO, as messages of their own (types 8-11), so log sync never waits
 * for them (the connection interleaves the two streams, node/peer.c):
 *
 *   BLOB_WANT   [8, id bin32, from uint, count uint]  send chunks
 *               from .. from+count-1 (1 <= count <= the window)
 *   BLOB_CHUNK  [9, [id bin32, index uint, data bin, [proof bin32...]]]
 *   BLOB_NONE   [10, id bin32]  not from me (not held, not admitted,
 *               over a limit: one answer for all, so a probe learns
 *               nothing)
 *   BLOB_CANCEL [11, id bin32]  the asker no longer wants it
 *
 * A struct blob_sync is node-wide: the blobs being fetched (at most
 * bc_per_node at once, each from one session at a time, chunks in order,
 * at most bc_window outstanding) and the sessions. A struct
 * blob_sync_peer is one session: what it asked of us (served round robin,
 * built lazily in blob_sync_next_out: pending output is flags and
 * counters) and what we asked of it.
 *
 * Replication knows blob ids, sizes and yes/no answers only: the store
 * behind struct blob_sync_store decides which blobs are wanted and
 * whether a peer (state, role) may be asked or served. Every chunk is
 * verified against the id and the size of this node's own reference
 * (blob_chunk_verify) before the store sees it; a chunk not asked for, a
 * bad one, a proof that does not lead to the id: the call fails (close
 * the connection) and the session's strike count goes up. Verified chunks
 * stay with the transfer, which goes on from the next chunk with another
 * session (or the same peer when it comes back): a broken link resumes.
 *
 * Errors: blob_sync_recv() / blob_sync_tick() return 0 or a negative
 * code; a negative return means "close this connection". Threads: one
 * (the event loop's), like struct sync_node. The state machine never
 * reads a clock, a socket or a random source.
 */

struct blob_sync;
struct blob_sync_peer;

/* Messages (continuing the sync types of replication/msg.h). */
enum blob_sync_type {
    BLOB_SYNC_T_WANT = 8,
    BLOB_SYNC_T_CHUNK = 9,
    BLOB_SYNC_T_NONE = 10,
    BLOB_SYNC_T_CANCEL = 11,
};

#define BLOB_SYNC_MSG_MAX (BLOB_CHUNK_MSG_MAX + 8)
/* Distinct blob ids a session may ask for that we answer BLOB_NONE: past
 * this, probing (ILONET_ETOOBIG, strike). */
#define BLOB_SYNC_PEER_MAX_NONE 4096

/* A decoded blob message (points into the caller's bytes). */
struct blob_sync_msg {
    enum blob_sync_type bm_type;
    uint8_t bm_id[HASH_LEN];
    uint64_t bm_from, bm_count; /* WANT */
    struct blob_chunk bm_chunk; /* CHUNK (bm_id is its id) */
};

/* 1 when msg (len bytes) is a blob message by its type (so the link hands
 * it here, not to sync_recv). */
int blob_sync_is_mine(const uint8_t *msg, size_t len);
/* Decodes any bytes: 0, or ILONET_EMALFORMED / ENONCANON / ETOOBIG /
 * ETOODEEP / EPROTO (unknown type, wrong shape, count 0). Pure. */
int blob_sync_decode(const uint8_t *msg, size_t len, struct blob_sync_msg *out);
/* Encoders (pure): append one message to wb. */
void blob_sync_encode_want(struct wire_buf *wb, const uint8_t id[HASH_LEN],
                           uint64_t from, uint64_t count);
void blob_sync_encode_chunk(struct wire_buf *wb, const struct blob_chunk *c);
void blob_sync_encode_id(struct wire_buf *wb, enum blob_sync_type type,
                         const uint8_t id[HASH_LEN]);

/*
 * The store as blob transfer sees it (each returns 0 or a negative code,
 * out-parameters on success only; store's thread). The reader and writer
 * are those of storage/blob.h.
 */
struct blob_sync_store_ops {
    /* The blobs to fetch now (policy is the store's), up to max. */
    int (*bo_wanted)(void *ctx, uint64_t now_ms, struct blob_want *out,
                     size_t max, size_t *n);
    /* 1 when a peer of (state, role) may be asked for id (need_file 0)
     * or served it (need_file 1), 0 when not. blob_admits() */
    int (*bo_admits)(void *ctx, const uint8_t id[HASH_LEN], const char *state,
                     int role, int need_file);
    int (*bo_reader_open)(void *ctx, const uint8_t id[HASH_LEN],
                          struct blob_reader **out);
    int (*bo_writer_open)(void *ctx, const uint8_t id[HASH_LEN],
                          uint64_t now_ms, struct blob_writer **out);
};

struct blob_sync_store {
    const struct blob_sync_store_ops *bs_ops;
    void *bs_ctx;
};

/* The store behind a blob store and an eager-fetch horizon: blobs of
 * entries younger than eager_ms are wanted at once, older ones on demand.
 * Fills *out; ctx (caller's, outlives the node) is filled too. */
struct blob_sync_sqlite {
    struct blob_store *bq_bs;
    uint64_t bq_eager_ms;
};
void blob_sync_store_sqlite(struct blob_sync_store *out,
                            struct blob_sync_sqlite *ctx);

struct blob_sync_config {
    uint32_t bc_window;   /* chunks outstanding per transfer (4) */
    uint32_t bc_per_peer; /* blobs fetched from one session at once (2) */
    uint32_t bc_per_node; /* blobs fetched at once (8) */
    uint64_t bc_want_ms;  /* no chunk this long: ask elsewhere (5000) */
    uint64_t bc_poll_ms;  /* the wanted list is read this often (1000) */
    uint64_t bc_none_ms;  /* a peer's BLOB_NONE holds this long (10000) */
};

/* Things that happened, for the node's log (pointers valid during the
 * call). code 0: blob held; else why a transfer stopped. */
struct blob_sync_event {
    const uint8_t *be_id;
    const uint8_t *be_peer; /* KEY_PK_LEN, or NULL */
    uint64_t be_size;
    int be_code;
    int be_strike;
    const char *be_what; /* static: "held", "chunk", "want", ... */
    /* "resume" (code 0): a transfer started from the chunks a partial on
     * disk kept: be_chunk is the first chunk still to fetch, be_count the
     * blob's chunks. "held": be_chunk the chunk this process started
     * from (0: the first), be_count the chunks it fetched. */
    uint32_t be_chunk, be_count;
};

struct blob_sync_callbacks {
    void *cb_arg;
    /* p has output: call blob_sync_next_out() when the link can take it */
    void (*cb_output)(void *arg, struct blob_sync_peer *p);
    void (*cb_event)(void *arg, const struct blob_sync_event *e);
};

struct blob_sync_stats {
    uint64_t bs_chunks_in, bs_chunks_out;
    uint64_t bs_bytes_in, bs_bytes_out; /* chunk data */
    uint64_t bs_blobs_in;               /* blobs completed from it */
    uint32_t bs_strikes;
};

/* The node-wide context (st, cfg and cb copied; cfg may be NULL). */
int blob_sync_new(struct blob_sync **out, const struct blob_sync_store *st,
                  const struct blob_sync_config *cfg,
                  const struct blob_sync_callbacks *cb);
/* Frees it and every session still attached; partial transfers are
 * left on disk (bo_writer_open resumes them at the next start; storage
 * wipes those no longer wanted). */
void blob_sync_free(struct blob_sync *b);

/* A session with the peer of key pk; nothing is sent or accepted until
 * blob_sync_peer_ready() says who it is. */
int blob_sync_peer_new(struct blob_sync *b, const uint8_t pk[KEY_PK_LEN],
                       struct blob_sync_peer **out);
/* The peer's certificate was verified (its sync HELLO): state and role
 * decide what it may be asked and served. */
void blob_sync_peer_ready(struct blob_sync_peer *p, const char *state,
                          int role);
int blob_sync_peer_is_ready(const struct blob_sync_peer *p);
/* The connection is gone: its transfers wait for another session, with
 * the chunks they have. */
void blob_sync_peer_free(struct blob_sync_peer *p);
void blob_sync_peer_set_data(struct blob_sync_peer *p, void *data);
void *blob_sync_peer_data(const struct blob_sync_peer *p);
void blob_sync_peer_stats(const struct blob_sync_peer *p,
                          struct blob_sync_stats *out);

/* One blob message from the peer (blob_sync_is_mine). */
int blob_sync_recv(struct blob_sync_peer *p, const uint8_t *msg, size_t len,
                   uint64_t now_ms);
/* The next message for the peer (*msg malloc'd, NULL when none). */
int blob_sync_next_out(struct blob_sync_peer *p, uint8_t **msg, size_t *len);
int blob_sync_has_out(const struct blob_sync_peer *p);
/* 1 when nothing is being fetched from, served to or queued for the
 * session, and no wanted blob the peer could be asked for is waiting;
 * 0 while the wanted list is stale (blob_sync_refresh since the last
 * tick read it). */
int blob_sync_peer_idle(const struct blob_sync_peer *p);

/* Node-wide timers: reads the wanted list (every bc_poll_ms, or at once
 * after blob_sync_refresh), starts transfers, moves stalled ones. */
int blob_sync_tick(struct blob_sync *b, uint64_t now_ms);
/* The store changed (entries arrived, an erasure): read the list again. */
void blob_sync_refresh(struct blob_sync *b);

/* Totals of the transfers now running. */
struct blob_sync_totals {
    uint32_t bt_fetching;       /* transfers open */
    uint64_t bt_bytes_expected; /* their sizes */
    uint64_t bt_bytes_done;     /* chunk bytes of theirs received */
};
void blob_sync_totals(const struct blob_sync *b, struct blob_sync_totals *out);

#endif
