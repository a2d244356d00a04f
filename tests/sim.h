/* sim.h - fixtures for sync tests: a deterministic world of certified nodes. */
#ifndef ILONET_TESTS_SIM_H
#define ILONET_TESTS_SIM_H

/*
 * A world is one network with a roster of state root keys; a node has a
 * node key, a certificate, a store and a sync_node over it. The store is
 * the real SQLite one in a temp directory (SIM_SQLITE, the default) or the
 * in-memory one of tests/memstore.h (SIM_MEM: the same rules at memory
 * speed, for the simulator's thousands of seeds); sync sees either through
 * its store interface (sn_ss). Every key is derived from a seed, so a
 * world built from the same seed is the same world byte for byte (the
 * simulator replays a seed exactly). A test includes sim.c directly.
 */
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/key.h"
#include "memstore.h"
#include "replication/sync.h"
#include "storage/log.h"
#include "storage/store.h"

#define SIM_MAX_STATES 8
#define SIM_T0_MS 1700000000000ull /* simulated epoch: Nov 2023 */

enum sim_backend {
    SIM_SQLITE = 0, /* storage/store.h in a temp file */
    SIM_MEM = 1,    /* tests/memstore.h */
};

struct sim_world {
    struct network w_net;
    struct roster w_roster;
    struct key_pair w_roots[SIM_MAX_STATES];
    size_t w_nroots;
    char w_dir[512];
    uint64_t w_seed;
    enum sim_backend w_backend;   /* of nodes initialised from now on */
    struct mstore_trust *w_trust; /* shared by SIM_MEM stores (memo on) */
};

struct sim_node {
    char sn_state[KEY_STATE_MAX + 1];
    enum cert_role sn_role;
    struct key_pair sn_kp;
    uint8_t *sn_cert;
    size_t sn_cert_len;
    enum sim_backend sn_backend;
    char sn_path[700];
    struct store *sn_store;  /* SIM_SQLITE, while open */
    struct mstore *sn_mem;   /* SIM_MEM: kept while closed, like a file */
    struct sync_store sn_ss; /* the interface over either, while open */
    struct sync_node *sn_sync;
};

/* What a store holds, in brief (I3: a rejected input changes none of it). */
struct sim_snap {
    uint8_t ss_digest[HASH_LEN]; /* log_heads_digest() */
    uint64_t ss_entries, ss_logs, ss_evidence, ss_quarantine;
};

/* Deterministic PRNG (splitmix64). */
uint64_t sim_rand(uint64_t *st);
/* Uniform in [0, n). */
uint64_t sim_below(uint64_t *st, uint64_t n);

/* A world for the given states (roster keys derived from seed), with
 * SQLite stores until w_backend is changed. Stores go under $TMPDIR, else
 * /dev/shm, else /tmp. */
void sim_world_init(struct sim_world *w, const char *tag, uint64_t seed,
                    const char *const *states, size_t n);
void sim_world_free(struct sim_world *w);

/* A node of state (in the roster), key derived from (seed, idx). Creates
 * its store file; does not open it. */
void sim_node_init(struct sim_world *w, struct sim_node *nd, const char *state,
                   int idx);
/* The same with the key of node idx but its own store file (a node
 * restored from a backup of node idx). */
void sim_node_init_as(struct sim_world *w, struct sim_node *nd,
                      const char *state, int idx, int file);
/* Makes to's store a copy of from's (both closed; the same backend): a
 * backup of from's home restored as to. */
void sim_node_copy_store(struct sim_node *to, const struct sim_node *from);
/* Opens the store and a sync_node over it. 0 or an error. */
int sim_node_open(struct sim_world *w, struct sim_node *nd,
                  const struct sync_config *cfg,
                  const struct sync_callbacks *cb);
/* Frees the sync_node (and its sessions) and closes the store. */
void sim_node_close(struct sim_node *nd);
void sim_node_free(struct sim_node *nd);

/* Appends count small observation entries to nd's log for audience.
 * last (may be NULL) gets the position of the last one. */
int sim_append(struct sim_node *nd, const char *audience, int count,
               uint64_t now_ms, struct log_ref *last);

/* Head of one log in nd's open store (through sync's store interface). */
int sim_head(struct sim_node *nd, const uint8_t log[HASH_LEN],
             struct log_head *h);
/* Digest and counts of nd's open store. */
void sim_snapshot(struct sim_node *nd, struct sim_snap *sn);

/* Log id of nd's log for audience in world w. */
void sim_log_id(const struct sim_world *w, const struct sim_node *nd,
                const char *audience, uint8_t out[HASH_LEN]);

#endif
