/* log.h - append-only signed logs: append, verify-then-insert, heads, ranges.
 */
#ifndef ILONET_LOG_H
#define ILONET_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "store.h"

/*
 * Each author writes one log per audience. A log is named by
 * entry_log_id(network, author, audience). All functions run on the store's
 * thread; they take the write lock themselves (nesting inside a caller's
 * store_begin() is fine).
 */

struct log_desc {
    uint8_t ld_id[HASH_LEN];
    uint8_t ld_author[KEY_PK_LEN];
    char ld_audience[ENTRY_AUDIENCE_MAX + 1];
};

struct log_head {
    struct log_desc lh_log;
    uint64_t lh_seq;         /* 0 = empty */
    uint8_t lh_id[HASH_LEN]; /* id of entry lh_seq */
    uint64_t lh_frozen;      /* 0 = not frozen, else frozen after seq
                                lh_frozen - 1 (fork found at lh_frozen) */
    uint64_t lh_revoked;     /* 0, else a node revocation cuts the log
                                from this seq on (lh_seq is capped below
                                it: docs/KEYS.md) */
};

struct log_ref {
    uint8_t lr_log[HASH_LEN];
    uint64_t lr_seq;
    uint8_t lr_id[HASH_LEN];
};

struct log_append_req {
    uint32_t kind;
    const uint8_t *payload; /* canonical msgpack map */
    size_t len;
};

/*
 * Appends n entries to this node's log for audience, in one BEGIN
 * IMMEDIATE transaction: read head, assign seq, chain, sign, insert, run
 * the entry hook, commit. The first entry of a new log is the node's
 * certificate (store meta "cert", installed by `ilonet cert install`).
 * wall_ms is the caller's clock; the HLC is advanced from it. refs (n
 * elements, may be NULL) receive the new entries' positions on success.
 * ILONET_EUNKNOWNAUTHOR: no certificate installed. ILONET_EFROZEN: own log
 * has fork evidence. ILONET_ESELFBEHIND: a peer holds a longer copy of this
 * log than the store (restored from a backup): sync first.
 */
int log_append(struct store *s, const struct key_pair *kp, const char *audience,
               const struct log_append_req *reqs, size_t n, uint64_t wall_ms,
               struct log_ref *refs);

/* A contiguous range of one log as received (from a peer or a file).
 * Entries have e_h filled, e_hdr encoded and e_id computed
 * (entry_finish); payloads point into the received buffer. */
struct log_batch {
    struct log_desc b_log;
    size_t b_count;
    struct entry *b_entries;
};

struct ingest_stats {
    uint64_t is_new;         /* entries stored */
    uint64_t is_dup;         /* already held */
    uint64_t is_forks;       /* fork evidence recorded */
    uint64_t is_quarantined; /* stored but out of the view: timestamp too
                                far ahead, or backdated by a revoked key */
    uint64_t is_backdated;   /* of those: backdated by a revoked key */
    uint64_t is_skipped;     /* audience this node is not in */
    uint64_t is_revocations; /* new node revocations recorded */
    /* first rejection (when the call fails) */
    uint64_t is_err_seq;
};

/*
 * Verifies a batch and stores it, all or nothing (except fork evidence):
 * log id matches (network, author, audience); each entry's version, kind,
 * seq continuity, prev link, payload hash and length, payload canonical
 * form; the first entry of a log is a certificate of the author for this
 * network signed by a roster state; every entry time is inside the
 * certificate's validity; the author's state belongs to the audience; and
 * one Ed25519 check of the range's last entry (it commits to every earlier
 * one through the chain: the others are marked for a later individual
 * check, log_check_pending). An entry at a held seq with another id and a
 * valid signature is a fork: evidence is stored, the log is frozen, the rest
 * of the batch is dropped, and the call still succeeds (is_forks = 1).
 * Timestamps more than STORE_MAX_SKEW_MS after now_ms are stored but
 * quarantined. A log whose audience excludes this node: ILONET_EAUDIENCE
 * with st->is_skipped set, nothing stored (an author outside the audience
 * is ILONET_EAUDIENCE with is_skipped 0: a bad entry). Returns 0 or the code of
 * the first bad entry (its seq in st->is_err_seq); st may be NULL.
 */
int log_ingest(struct store *s, const struct log_batch *b, uint64_t now_ms,
               struct ingest_stats *st);

/* Records that a peer holds own log `log` up to peer_seq, beyond this
 * store's head (a restore from backup): appends are refused with
 * ILONET_ESELFBEHIND until ingest reaches peer_seq. */
int log_mark_self_behind(struct store *s, const uint8_t log[static HASH_LEN],
                         uint64_t peer_seq);

/*
 * Restoring a home from a backup (docs/RELIABILITY.md, "Restoring a
 * node"). The store cannot tell a restored copy from the original, so the
 * operator says so (`ilonet restore`): log_mark_restored() sets a flag in
 * the store, and while it is set every local append is refused with
 * ILONET_ESELFBEHIND: entries signed after the backup may exist at peers,
 * and signing again at those seqs would be a self-fork (I4). Sync clears
 * it (log_clear_restored) once peers have shown their heads of every own
 * log and this store holds at least as much. log_is_restored() reads it.
 */
int log_mark_restored(struct store *s);
int log_clear_restored(struct store *s);
int log_is_restored(struct store *s, int *restored);

/*
 * Node-key revocations (docs/KEYS.md). Every valid node revocation held
 * in a `net` entry cuts the revoked key's logs after their last good
 * entries: log_ingest() stores a batch up to the cut and refuses the rest
 * with ILONET_EREVOKED (st->is_err_seq = first refused seq, what came
 * before it is stored and committed); entries stored before the
 * revocation arrived stay stored but leave the view (the freeze hook);
 * heads, digests and ranges end at the cut; log_append() refuses a
 * revoked own key with ILONET_EREVOKED.
 * log_node_revoked(): ILONET_EREVOKED if a revocation of node signed by
 * state (NULL: any state) is held, else 0 (or a store error).
 * log_revocation_count(): node revocations held (changes when one is new).
 */
int log_node_revoked(struct store *s, const uint8_t node[static KEY_PK_LEN],
                     const char *state);
int log_revocation_count(struct store *s, uint64_t *n);
/* The time (HLC ms) of the newest entry held from author that no
 * revocation cuts (a log's head, or the entry before its cut), in any
 * log; *ms = 0 when none. 0 or a store error. */
int log_author_newest_ms(struct store *s,
                         const uint8_t author[static KEY_PK_LEN], uint64_t *ms);

/* All logs held, with heads. *out is malloc'd (free()). */
int log_heads(struct store *s, struct log_head **out, size_t *n);
int log_head(struct store *s, const uint8_t log[static HASH_LEN],
             struct log_head *out);
int log_desc_get(struct store *s, const uint8_t log[static HASH_LEN],
                 struct log_desc *out);

/*
 * Calls cb for entries of log from from_seq on, in order, until max_count
 * entries or max_bytes (headers + payloads) are reached (at least one entry
 * is always delivered). The entry and its payload are valid only during
 * the callback. A non-zero return from cb stops and is returned.
 */
typedef int (*log_entry_cb)(void *arg, const struct entry *e);
int log_range(struct store *s, const uint8_t log[static HASH_LEN],
              uint64_t from_seq, uint64_t max_count, size_t max_bytes,
              log_entry_cb cb, void *arg);

/* Looks up one entry by id; payload (may be NULL if erased) is malloc'd
 * into *payload (caller frees) and e->e_payload points to it. */
int log_get(struct store *s, const uint8_t id[static HASH_LEN], struct entry *e,
            uint8_t **payload, struct log_desc *desc);

/* Hears of one problem found in a stored entry: its log and seq, and the
 * code (a signature that does not verify: ILONET_EBADSIG). */
typedef void (*log_problem_cb)(void *arg, const uint8_t log[static HASH_LEN],
                               uint64_t seq, int err);

/* Checks up to max entries whose signatures were covered only by a later
 * entry's (batched verification). A failure is recorded in quarantine (the
 * entry stops counting: the caller updates the view, view_verify_pending)
 * and returned as ILONET_EBADSIG once all is checked; cb (may be NULL)
 * hears of each bad entry, after its quarantine row is written. *checked
 * (may be NULL) counts what was checked. A store error is returned as it
 * is, and what was written before it stays unless the caller's
 * transaction is rolled back. */
int log_check_pending(struct store *s, size_t max, size_t *checked,
                      log_problem_cb cb, void *arg);
/* *n = the entries whose signatures wait for log_check_pending(): a read,
 * no lock taken, so a caller may skip opening a transaction for nothing. */
int log_pending_count(struct store *s, uint64_t *n);

/* Re-verifies everything stored: chain, ids, every signature, payload
 * hashes, certificates. 0 when all holds; *bad counts failures; cb (may be
 * NULL) hears about each failure. */
int log_verify_all(struct store *s, log_problem_cb cb, void *arg,
                   uint64_t *checked, uint64_t *bad);

/*
 * The same check on every core: log_verify_all()'s results (counts, return
 * value, and the problems in the same order), with the signature checks and
 * hashing spread over lo_threads worker threads (0: one per online core),
 * each reading the store's file through its own read-only connection. The
 * calling thread hands out runs of lo_run consecutive entries (0: the
 * default, 16384), and calls lo_problem and lo_progress (entries checked so
 * far of all to check; both may be NULL) itself, so the callbacks need no
 * locking; nothing else may use s meanwhile. One thread, or a store with no
 * file behind it (":memory:"), is log_verify_all() on the calling thread.
 */
typedef void (*log_progress_cb)(void *arg, uint64_t done, uint64_t total);
struct log_verify_opts {
    unsigned lo_threads;
    uint64_t lo_run;
    log_problem_cb lo_problem;
    void *lo_arg;
    log_progress_cb lo_progress;
    void *lo_progress_arg;
};
int log_verify_all_par(struct store *s, const struct log_verify_opts *o,
                       uint64_t *checked, uint64_t *bad);
/* The worker threads log_verify_all_par() starts for lo_threads want:
 * want itself, or for 0 the online cores (at most 64). */
int log_verify_threads(unsigned want);

/* Re-verifies every stored fork evidence row (storage/log_evidence.c):
 * two different entries at one (log, seq), both validly signed by the
 * log's author. A row that fails is a problem ILONET_EBADSIG at its
 * (log, seq) for cb (may be NULL). Returns 0 when the rows could be read
 * (*checked rows, *bad of them failing; both may be NULL), else
 * ILONET_EIO. */
int log_verify_evidence(struct store *s, log_problem_cb cb, void *arg,
                        uint64_t *checked, uint64_t *bad);

/* Erases the payload of entry id (secure delete): the header, signature
 * and chain stay. ILONET_ENOTFOUND if absent. */
int log_erase_payload(struct store *s, const uint8_t id[static HASH_LEN]);
/* The same for the entry at position k (entries.k); 0 if already erased.
 * Payloads are only ever removed through these: the stored form of a
 * header depends on whether its payload is held. */
int log_erase_at(struct store *s, int64_t k);

/* The first 8 bytes of an entry id as an integer: how the view keys the
 * targets of changes (v_chg.target_p). */
int64_t log_id_prefix(const uint8_t id[static HASH_LEN]);
/* The first 4 bytes of an entry id as a signed integer: the key of the id
 * index (table ids, storage/store.h), which SQLite keeps in 4 bytes. */
int64_t log_id_key(const uint8_t id[static HASH_LEN]);

/* Position k (entries.k) of the entry with this id, committed or written
 * earlier in the open transaction. ILONET_ENOTFOUND if not held. */
int log_find(struct store *s, const uint8_t id[static HASH_LEN], int64_t *k);

/* Positions of the entries whose ids lie in [lo, hi] (a hex prefix padded
 * with 0s and with fs): up to max of them into ks, the total in *n. */
int log_find_range(struct store *s, const uint8_t lo[static HASH_LEN],
                   const uint8_t hi[static HASH_LEN], int64_t *ks, size_t max,
                   size_t *n);

/* The id of the entry at seq of log as held, whether or not a node
 * revocation cuts the log before it (a revocation names its cut by these
 * ids). ILONET_ENOTFOUND if the log or that entry is not held. */
int log_id_at(struct store *s, const uint8_t log[static HASH_LEN], uint64_t seq,
              uint8_t id[static HASH_LEN]);

/* Counts: entries, logs, evidence rows, quarantine rows. */
int log_counts(struct store *s, uint64_t *entries, uint64_t *logs,
               uint64_t *evidence, uint64_t *quarantine);

/* Hash over the sorted heads of every log held (for status and the
 * anti-entropy digest). */
int log_heads_digest(struct store *s, uint8_t out[static HASH_LEN]);

/* The certificate of author, if a log of it is held. */
int log_author_cert(struct store *s, const uint8_t author[static KEY_PK_LEN],
                    struct cert *c);

/* ---- fork evidence, read -------------------------------------------------
 * What log_ingest() recorded when it found two entries one author signed at
 * one seq of a log. Sync sends it to peers (replication/sync.h).
 */

/* One evidence pair: both entries' ids, header bytes and signatures,
 * ordered by id (every node stores the same pair for the same two). */
struct log_evidence {
    struct log_desc le_log;
    uint64_t le_seq;
    uint8_t le_id[2][HASH_LEN];
    uint8_t le_hdr[2][ENTRY_HEADER_MAX];
    size_t le_hdr_len[2];
    uint8_t le_sig[2][KEY_SIG_LEN];
};

/* The evidence of log at seq into *out (the pair with the lowest ids if a
 * third entry made more than one). ILONET_ENOTFOUND if none is held. */
int log_evidence_get(struct store *s, const uint8_t log[static HASH_LEN],
                     uint64_t seq, struct log_evidence *out);

/* Every evidence pair held, ordered by log id, seq and ids. *out is
 * malloc'd (free(); NULL when *n is 0). */
int log_evidence_list(struct store *s, struct log_evidence **out, size_t *n);

#endif
