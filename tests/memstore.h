/* memstore.h - an in-memory log store behind sync's store interface. */
#ifndef ILONET_TESTS_MEMSTORE_H
#define ILONET_TESTS_MEMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/key.h"
#include "replication/sync.h"
#include "storage/log.h"

/*
 * A log store in memory that keeps the rules of storage/log.c with the
 * same entry and crypto code (storage/entry.h, crypto/cert.h), so the
 * simulator runs whole networks at memory speed while signatures, chains,
 * forks and audiences are checked as the real store checks them:
 *   - mstore_append() is log_append(): the certificate entry first, the
 *     HLC advanced from the caller's clock and from every entry ingested,
 *     Ed25519 signatures, refusal when frozen, restored or self-behind;
 *   - ingest (struct sync_store) is log_ingest(): log id and audience
 *     form, this node's audience, seq continuity, prev links, payload hash
 *     and form, the certificate at seq 1 (roster, network, author,
 *     audience) and renewals, entry times inside the certificate, one
 *     signature for a range (its last entry), fork evidence ordered by id
 *     and the log frozen at the fork, quarantine of timestamps over
 *     STORE_MAX_SKEW_MS ahead; all or nothing, with the same result codes
 *     and ingest_stats (tests/test_memstore.c holds it to the SQLite store);
 *   - ranges are encoded in the storage/batch.h layout, byte for byte what
 *     batch_encode() gives for the same entries.
 * Not modelled, because the simulator does not need them: the view (no
 * entry or freeze hooks), node revocations (a revocation entry is refused
 * with ILONET_EKIND, so a test that needs one notices and uses SQLite),
 * erasure, the later one-by-one check of signatures a range covered
 * (log_check_pending), and the store's durability (the store lives as long
 * as the test keeps it; a simulated crash keeps it, like a file).
 *
 * A struct mstore_trust is what every store of one test network shares:
 * the network id, the roster, and (optionally) a memo of checks already
 * passed. The memo maps a certificate envelope's exact bytes to its
 * verified contents and (author key, entry id) to "signature valid"; an
 * entry id hashes the header and the signature, so a hit stands for the
 * very bytes checked before. Only successes are kept: every bad signature
 * or certificate is checked, and refused, each time. With the memo, a
 * network verifies each signature once instead of once per node.
 *
 * Single-threaded; a trust must outlive its stores.
 */

struct mstore_trust;
struct mstore;

/* A trust for network (NET_ID_LEN bytes) and roster r (both copied). memo:
 * 1 to keep successful checks (see above). */
int mstore_trust_new(struct mstore_trust **out,
                     const uint8_t network[static NET_ID_LEN],
                     const struct roster *r, int memo);
void mstore_trust_free(struct mstore_trust *t);
/* Signature and certificate checks run, and answered from the memo. */
void mstore_trust_stats(const struct mstore_trust *t, uint64_t *checks,
                        uint64_t *memo_hits);

/* An empty store of trust t. */
int mstore_new(struct mstore **out, struct mstore_trust *t);
void mstore_free(struct mstore *m);
/* A copy of m as it is now (a backup of a node's home). */
int mstore_copy(struct mstore **out, const struct mstore *m);

/* The node's installed certificate (store meta "cert"), copied. */
int mstore_set_cert(struct mstore *m, const uint8_t *cert, size_t len);
/* store_set_identity(): which audiences the store admits. */
void mstore_set_identity(struct mstore *m, const struct cert *me);

/* log_append() over m (see above). */
int mstore_append(struct mstore *m, const struct key_pair *kp,
                  const char *audience, const struct log_append_req *reqs,
                  size_t n, uint64_t wall_ms, struct log_ref *refs);

/* log_mark_restored(). */
void mstore_mark_restored(struct mstore *m);

/* The interface sync uses (replication/sync.h), over m. */
void mstore_sync_store(struct mstore *m, struct sync_store *out);

/* log_counts(), log_heads_digest(), log_evidence_list(). */
void mstore_counts(const struct mstore *m, uint64_t *entries, uint64_t *logs,
                   uint64_t *evidence, uint64_t *quarantine);
void mstore_heads_digest(const struct mstore *m, uint8_t out[static HASH_LEN]);
int mstore_evidence_list(const struct mstore *m, struct log_evidence **out,
                         size_t *n);

#endif
