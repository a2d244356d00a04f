/* node.h - the node runtime: event loop, listener, dialing, sync, status. */
#ifndef ILONET_NODE_H
#define ILONET_NODE_H

/*
 * node_run() is `ilonet node` and `ilonet sync`: it owns one libuv loop on
 * the calling thread and runs until SIGINT/SIGTERM (daemon mode) or until
 * every peer is synced or given up (one-shot mode). docs/NODE.md describes
 * the runtime; in short:
 *
 *   threads   the loop thread does everything (store, sync state machine,
 *             crypto, logging); NNG's threads only complete stream I/O
 *             and hand results over through net.h's FIFO + uv_async;
 *   peers     configured peers are dialed with exponential backoff and
 *             jitter (libsodium randomness), incoming connections are
 *             accepted, one connection per peer key is kept;
 *   pre-auth  anyone who reaches the port can open connections. At most
 *             NODE_MAX_UNAUTH accepted connections may be short of the
 *             sync HELLO at once, and at most NODE_MAX_UNKEYED_PER_ADDR
 *             from one address may be short of proving the network key
 *             (handshake message 1, peer_keyed). A newcomer over either
 *             bound evicts the oldest connection that has not proven the
 *             key (from its own address, or from the address holding the
 *             most), so silent or garbage connections cannot lock members
 *             out; only when every slot holds a keyed handshake is the
 *             newcomer refused. Message 1 must come within PEER_FIRST_MS;
 *   bounds    handshake deadline, HELLO deadline, frame and message size
 *             (peer.h), per-key strikes: NODE_STRIKES_BAN strikes ban the
 *             key (refused after the handshake, not dialed) for
 *             NODE_BAN_MS, doubling with each ban;
 *   nudges    the store's PRAGMA data_version is polled every tick
 *             (NODE_TICK_MS): a commit by another process (an `ilonet
 *             observe` while the node runs) is noticed within one tick
 *             and announced to peers (sync_notify). No control socket is
 *             needed, so any writer, not only the CLI, is picked up;
 *   status    store meta "peer_status" gets a small JSON array of peers
 *             once a second when it changed (ilonet status shows it), and
 *             store meta "rejections" a JSON object counting what peers
 *             sent that was refused, by error name, since the node started
 *             (every audit line with a code; ilonet status, GET /metrics),
 *             and store meta "node_run" {"pid", "started_ms", "seen_ms",
 *             "stopped_ms"}: written at the first tick, every
 *             NODE_SEEN_MS and at a clean stop (stopped_ms null while it
 *             runs), so a reader tells a running node from a stale table;
 *   logging   one line per event on stderr ("ilonet node: ..."): listen,
 *             connect, disconnect, handshake failure, strikes and bans,
 *             and sync's audit lines (peer, log, seq, code; never
 *             payload bytes, never key material beyond public keys);
 *   shutdown  SIGINT/SIGTERM: timers and signals closed, every peer
 *             closed, net_close() (stop aios, close streams, free), the
 *             loop runs out, the store's status updated. NNG itself is
 *             torn down by the program (nng_fini() in cmd/main.c), and
 *             SIGPIPE is the program's to ignore: node_run() changes no
 *             process-wide state.
 *
 * The home is borrowed (opened with HOME_STORE, certificate installed)
 * and used from the calling thread only. Returns 0 or a negative ilonet
 * code (listen failures: ILONET_EEXIST address in use, ILONET_EINVAL bad
 * address); msg (may be NULL, 256 bytes) receives a one-line reason.
 */
#include <stddef.h>
#include <stdint.h>

#include "home.h"

#define NODE_TICK_MS 50
#define NODE_SEEN_MS 10000 /* store meta "node_run" seen_ms refresh */
#define NODE_MAX_UNAUTH 16
#define NODE_MAX_UNKEYED_PER_ADDR 8
#define NODE_STRIKES_BAN 3
#define NODE_BAN_MS 60000
#define NODE_BACKOFF_MIN_MS 250
#define NODE_BACKOFF_MAX_MS 30000
#define NODE_ONESHOT_ATTEMPTS 3

struct node_opts {
    const char *no_listen; /* NULL or "": do not listen */
    size_t no_npeers;      /* peers to dial */
    const struct home_peer *no_peers;
    int no_oneshot;         /* `ilonet sync`: stop when synced */
    uint64_t no_timeout_ms; /* one-shot deadline (0: 30 s) */
    int no_write_status;    /* keep store meta "peer_status", "node_run" */
};

struct node_result {
    size_t nr_peers;  /* one-shot: peers tried */
    size_t nr_synced; /* one-shot: peers synced with */
    uint64_t nr_entries_in, nr_entries_out;
    uint64_t nr_msgs_in, nr_msgs_out;
    uint64_t nr_wire_in, nr_wire_out; /* bytes on the sockets */
    uint64_t nr_elapsed_ms;
    int nr_timed_out;
};

/* Parses "ADDR@PUBKEY" (tcp://HOST:PORT@64 hex digits) into *out.
 * ILONET_EINVAL when malformed. Pure. */
int node_parse_peer(const char *s, struct home_peer *out);

int node_run(struct home *h, const struct node_opts *o, struct node_result *res,
             char *msg);

#endif
