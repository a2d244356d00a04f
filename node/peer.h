/* peer.h - one peer connection: handshake, box-stream, message framing, sync.
 */
#ifndef ILONET_PEER_H
#define ILONET_PEER_H

/*
 * A struct peer is the life of one TCP connection between two nodes:
 *
 *   handshake    Secret Handshake v1 (crypto/shs.h); the listener checks
 *                the network key in the first 64 bytes and on failure
 *                closes without writing a byte; deadlines cover the first
 *                message (PEER_FIRST_MS, accepted connections) and the
 *                whole handshake (PEER_HANDSHAKE_MS); a dialer sends
 *                its sync HELLO, boxed, with message 3
 *                (shs_client_early_session) and opens nothing before
 *                message 4 proves the listener;
 *   box-stream   every later byte is boxed (crypto/boxstream.h), bodies of
 *                at most 4096 bytes;
 *   framing      inside the box-stream, a stream of messages, each a
 *                4-byte big-endian length (1..PEER_MSG_MAX) followed by
 *                that many bytes; a length over the bound closes the link
 *                before anything is allocated for it;
 *   sync         each whole message goes to sync_recv(); sync_next_out()
 *                messages are framed, boxed and sent, one send in flight,
 *                built only when the link can take them (so a peer costs
 *                at most one send buffer and one message buffer);
 *   blobs        blob messages (types 8-11) go to blob_sync_recv() once
 *                the sync HELLO named the peer; blob_sync_next_out()
 *                messages share the link, PEER_BLOB_SHARE to one.
 *
 * Identity: for a dialed peer SHS proves the configured key. An accepted
 * peer's key is learned from handshake message 3; pe_admit() decides
 * before we answer (bans, duplicates), and the sync HELLO then verifies
 * its certificate against the roster and network (unknown, expired or
 * foreign: sync_recv fails and the peer is closed).
 *
 * Receiving: after the handshake, opening boxes, deframing and decoding
 * (sync_decode: a batch's payload hashes and entry ids) run on the
 * thread of a struct peer_rx when the node gives one (pe_rx), so the
 * loop only hands decoded messages to sync and stores; the results come
 * back in order through a uv_async. A connection stops reading while its
 * undecoded and unhandled bytes exceed PEER_RX_HIGH (TCP then holds the
 * rest back) and reads again at PEER_RX_LOW. Without pe_rx the same work
 * runs inline on the loop.
 *
 * Ownership and threads: peers are created and used on the loop thread
 * only; a peer owns its net_conn and its sync_peer. peer_close() calls
 * pe_on_close() and frees the peer: any function below that may close
 * the peer returns ILONET_ECLOSED when it did, and the caller must not
 * touch the pointer afterwards.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/boxstream.h"
#include "crypto/cert.h"
#include "crypto/key.h"
#include "crypto/shs.h"
#include "net.h"
#include "replication/blob_sync.h"
#include "replication/msg.h"
#include "replication/sync.h"

#define PEER_MSG_MAX (MSG_MAX_BYTES)  /* one framed message */
#define PEER_SEND_TARGET (256 * 1024) /* plaintext per send round */
#define PEER_HANDSHAKE_MS 5000
/* An accepted connection must deliver handshake message 1 (64 bytes that
 * prove the network key) within this; the rest of the handshake within
 * PEER_HANDSHAKE_MS. Anyone who can reach the port can open connections:
 * one that says nothing is dropped early. */
#define PEER_FIRST_MS 2000
/* While log sync has messages waiting, at most one blob message goes out
 * per this many sync messages (docs/PROTOCOL.md §11.3): blobs take a
 * bounded share of the link and never hold a batch back for long. */
#define PEER_BLOB_SHARE 4
#define PEER_RX_HIGH (2u << 20) /* a connection's received bytes in work */
#define PEER_RX_LOW (1u << 20)

struct peer;
struct peer_rx;

/*
 * The receive thread (see above), one per node: created on the loop's
 * thread over loop; stopped after every peer using it is closed:
 * peer_rx_stop() joins the thread and closes its uv_async (freed by the
 * loop, which the caller runs on until it exits). Safe on NULL. after
 * (may be NULL) is called with arg on the loop once the results waiting
 * have been handed to their peers (the node flushes other peers' output
 * there, as after a read).
 * ILONET_ENOMEM, ILONET_EIO.
 */
int peer_rx_start(uv_loop_t *loop, void (*after)(void *arg), void *arg,
                  struct peer_rx **out);
void peer_rx_stop(struct peer_rx *rx);

struct peer_env {
    const struct key_pair *pe_kp;
    const uint8_t *pe_netkey; /* NET_KEY_LEN */
    struct sync_node *pe_sync;
    /* Blob transfer beside sync (NULL: this node moves no blobs; a
     * peer's blob message is then refused like any unknown type). */
    struct blob_sync *pe_blobs;
    struct peer_rx *pe_rx; /* NULL: decode on the loop */
    void *pe_arg;
    /* After the peer proved key pk (both sides): 0 admits it, anything
     * else closes the link without another byte (not a strike). */
    int (*pe_admit)(void *arg, struct peer *p, const uint8_t *pk);
    /* The session is up (box-stream + sync_peer). */
    void (*pe_on_ready)(void *arg, struct peer *p);
    /* A BATCH or EVIDENCE message is about to be ingested (may be NULL):
     * the node opens its group commit here, and only here, so idle
     * chatter never holds the store's write lock. */
    void (*pe_before_ingest)(void *arg);
    /* The peer is about to be freed; err is why (0: orderly goodbye). */
    void (*pe_on_close)(void *arg, struct peer *p, int err, const char *why);
};

enum peer_phase {
    PEER_HS = 1,  /* handshake in progress */
    PEER_READY,   /* box-stream and sync session up */
    PEER_CLOSING, /* goodbye queued, closing when sent */
};

/* Takes ownership of conn (closed on failure too) and starts reading;
 * a dialed peer sends handshake message 1 at once. server_pk is the key
 * the dialer expects; NULL for an accepted conn. */
int peer_new(const struct peer_env *env, struct net_conn *conn,
             const uint8_t *server_pk, uint64_t now_ms, struct peer **out);

/* net callbacks, routed by the node (conn data is the peer). */
int peer_on_recv(struct peer *p, const uint8_t *buf, size_t len, int err,
                 uint64_t now_ms);
int peer_on_sent(struct peer *p, int err);

/* Sends whatever sync has for this peer if no send is in flight. */
int peer_flush(struct peer *p);

/* Timers: handshake deadline, then sync_tick when due. */
int peer_tick(struct peer *p, uint64_t now_ms);

/* Closes and frees now (calls pe_on_close). */
void peer_close(struct peer *p, int err, const char *why);
/* Sends the box-stream goodbye then closes (or closes now if not ready). */
void peer_goodbye(struct peer *p);

enum peer_phase peer_phase(const struct peer *p);
int peer_dialed(const struct peer *p);
/* 1 once the other end proved it holds the network key (the handshake
 * message that carries that proof verified: message 1 for an accepted
 * connection, message 2 for a dialed one); an outsider without the key
 * never gets there. The node keeps such connections over silent ones
 * when it must drop one (node.c). */
int peer_keyed(const struct peer *p);
/* Peer's node key (known for dialed peers from the start, accepted ones
 * after message 3); NULL before. */
const uint8_t *peer_key(const struct peer *p);
const char *peer_addr(const struct peer *p);
struct sync_peer *peer_sync(const struct peer *p);
/* The peer's blob session, NULL without pe_blobs or before the session. */
struct blob_sync_peer *peer_blobs(const struct peer *p);
struct net_conn *peer_conn(const struct peer *p);
void peer_set_data(struct peer *p, void *data);
void *peer_data(const struct peer *p);

/*
 * 1 when the two sides hold the same logs at the same heads (the peer's
 * last anti-entropy digest equals ours for it), nothing is queued for it
 * and no send is in flight: "synced". Used by `ilonet sync` and status.
 */
int peer_in_sync(struct peer *p);
/* Strikes this connection earned (framing faults + sync's + blobs'). */
uint32_t peer_strikes(const struct peer *p);
/* When peer_in_sync() was last seen true (ms), 0 never. */
uint64_t peer_last_sync_ms(const struct peer *p);

#endif
