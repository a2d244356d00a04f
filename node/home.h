/* home.h - a node home directory: key, certificate, roster, network, config,
 * store. */
#ifndef ILONET_HOME_H
#define ILONET_HOME_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/key.h"
#include "storage/store.h"
#include "storage/view/vocab.h"

/*
 * Layout of a home (default ./.ilonet, or -C DIR / $ILONET_HOME):
 *   node.key    the node's secret key (0600)
 *   node.cert   its certificate (signed envelope), once installed
 *   roster      the trust roster (state root public keys)
 *   network     the network file (id and admission key, 0600)
 *   config      listen address, peers, blob quota, auto-attestation,
 *               one per line
 *   store.db    the SQLite store (logs and view), with -wal/-shm
 *   blobs/      attachments, one encrypted file each (storage/blob.h)
 * A struct home is owned by one thread.
 */

#define HOME_PATH_MAX 1024
#define HOME_MAX_PEERS 64
#define HOME_ADDR_MAX 128

struct home_peer {
    char hp_addr[HOME_ADDR_MAX]; /* tcp://127.0.0.1:7401 */
    uint8_t hp_pk[KEY_PK_LEN];
};

struct home_config {
    char hc_state[KEY_STATE_MAX + 1]; /* state given to `init` */
    char hc_listen[HOME_ADDR_MAX];    /* "" = do not listen */
    size_t hc_npeers;
    struct home_peer hc_peers[HOME_MAX_PEERS];
    uint64_t hc_blob_quota; /* "blob-quota BYTES": the most the files in
                               blobs/ may take; 0 = HOME_BLOB_QUOTA_DEFAULT */
    /* "blob-eager-days N": a running node fetches at once the files of
     * entries of the last N days, older ones when asked for (blob get);
     * 0 = HOME_BLOB_EAGER_DAYS_DEFAULT */
    uint32_t hc_blob_eager_days;
    /* "report-auto-attest on|off": a running node attests the report of
     * the last closed period once its view has settled (node/node_int.h,
     * docs/REPORTS.md "Automatic attestation"); off by default */
    int hc_auto_attest;
    /* "report-attest-quiet SECONDS": how long no entry may have arrived
     * before the view counts as settled; 0 = HOME_ATTEST_QUIET_DEFAULT */
    uint32_t hc_attest_quiet_s;
};

#define HOME_ATTEST_QUIET_DEFAULT 60
#define HOME_ATTEST_QUIET_MAX 86400

#define HOME_BLOB_EAGER_DAYS_DEFAULT 30
#define HOME_BLOB_EAGER_DAYS_MAX 36500

#define HOME_BLOB_QUOTA_DEFAULT ((uint64_t)2 << 30)

struct home {
    char h_dir[HOME_PATH_MAX];
    struct key_pair h_key;
    struct network h_net;
    struct roster h_roster;
    int h_has_cert;
    struct cert h_cert;
    struct home_config h_conf;
    struct store *h_store; /* NULL unless opened with HOME_STORE */
    /* The vocabulary in force: the network's regime as this binary knows
     * it (home_vocab_load); loaded once, read-only, freed by
     * home_close() after the store it was attached to. */
    struct vocab *h_vocab;
    /* The UTC day app_retention_due() last finished (0: not yet). */
    int64_t h_retention_day;
    /* After a failed home_open(): what was refused and how to fix it,
     * naming the path ("" when the code says it all). */
    char h_why[HOME_PATH_MAX + 96];
};

/* the memory map of a reader (HOME_READER); SQLite caps it at its own
 * maximum (2 GiB as Debian builds it) */
#define HOME_MMAP_BYTES ((uint64_t)1 << 31)

enum home_flags {
    HOME_STORE = 1, /* open the store (and attach the view) */
    /* with HOME_STORE: a connection that lives long and reads much (the
     * HTTP server's pool): the store file is read through a memory map
     * (store_set_mmap(), HOME_MMAP_BYTES). A first read costs more that
     * way (each page faults in once: My desk's first call at a million
     * records 240 to 360 ms), the later ones less (130 to 100 ms; a
     * report 2.9 to 2.2 s): not for the CLI's one-shot commands, where a
     * cold `ilonet report` gained nothing. */
    HOME_READER = 2,
};

/* Path of a file inside the home, into out (HOME_PATH_MAX bytes). */
int home_path(const struct home *h, const char *name, char *out);

/* Resolves the home directory: explicit dir, else $ILONET_HOME, else
 * ./.ilonet. */
const char *home_default_dir(const char *explicit_dir);

/*
 * Creates a new home at dir: node key, copies of the network file and
 * roster, empty config, empty store. ILONET_EEXIST if dir holds a key.
 */
int home_create(const char *dir, const char *network_file,
                const char *roster_file, struct key_pair *out_key);

/* Loads a home and its vocabulary (h_vocab, from the network's regime);
 * with HOME_STORE also opens the store with the view attached, the
 * retention dates applied (view_expire_due; the files only expired
 * records carried collected, home_blob_gc) and the identity set from the
 * certificate. A home other local
 * users can reach is refused with ILONET_EPERM and h_why naming the path
 * and the chmod that fixes it: the directory must be 0700 (no group or
 * other bits), and node.key, network and the store files (store.db,
 * -wal, -shm) readable and writable by the owner only. */
int home_open(struct home *h, const char *dir, int flags);

/* Whether opening the store of the home in dir would first rewrite it
 * from an older schema (seconds per million entries: docs/DEPLOY.md,
 * "Upgrading"): *from and *to the versions, else *from = 0. Looks only
 * into a home that home_open() would accept (the modes above): reading a
 * store makes SQLite create its -shm file. ILONET_EIO when the store is
 * there but cannot be read. */
int home_store_upgrade(const char *dir, int *from, int *to);
void home_close(struct home *h);

/* Verifies and installs a certificate file for this node (must name this
 * node's key and network, and a role the regime has: ILONET_EPERM for a
 * presidency certificate under 2019-1240); publishes it in store meta
 * "cert". */
int home_install_cert(struct home *h, const char *cert_file);

int home_config_load(const char *path, struct home_config *c);
int home_config_save(const char *path, const struct home_config *c);
int home_config_add_peer(struct home_config *c, const char *addr,
                         const uint8_t pk[static KEY_PK_LEN]);

struct blob_store; /* storage/blob.h */

/* The home's blob store (blobs/, made 0700 when missing) under the
 * network's blob-max and the config's blob-quota; h opened with
 * HOME_STORE; *out is the caller's (blob_close). ILONET_EPERM when group
 * or others may enter blobs/. */
int home_blob_open(struct home *h, struct blob_store **out);
/* Collects the blobs no held entry opens any more (blob_gc): after
 * payloads were erased, by an erasure or a retention date. 0 at once when
 * the home has no blobs/ (no file was ever stored). */
int home_blob_gc(struct home *h);

/* Wall clock in ms (the one place the CLI reads the clock; honours the
 * test-only ILONET_CLOCK_OFFSET_MS). */
uint64_t home_now_ms(void);

/*
 * The vocabulary of regime (NULL: the seed's, 377-2004) as this binary
 * ships it: vocab_builtin(), then, test-only, cut back to the version in
 * $ILONET_TEST_VOCAB_VERSION when that is set (to run a node as a binary
 * one vocabulary version older would, docs/REGIMES.md; never set it in
 * production). *out is the caller's (vocab_free). ILONET_ENOTFOUND for an
 * unknown regime, ILONET_EINVAL for a bad test version; why names it.
 */
int home_vocab_load(const char *regime, struct vocab **out, char *why,
                    size_t whylen);

#endif
