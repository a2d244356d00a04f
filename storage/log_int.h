/* log_int.h - internals shared by the log store's files. */
#ifndef ILONET_LOG_INT_H
#define ILONET_LOG_INT_H

#include <pthread.h>
#include <stddef.h>

#include "entry.h"
#include "log.h"
#include "store_int.h"

/*
 * Signing pipeline for local appends. A chain must be signed in order
 * (each header holds the previous entry's id, which covers its
 * signature), so signing cannot be split across cores; but it can run
 * beside the database work. A job signs es[0..n) on its own thread while
 * the caller's thread inserts entries as they become ready. Small jobs
 * are signed inline. The job owns nothing: es and kp belong to the caller
 * and must outlive log_sign_finish().
 */
#define LOG_SIGN_THREAD_MIN 32
#define LOG_SIGN_RUN 64 /* entries the inserter waits for at once */

struct log_sign_job {
    const struct key_pair *sj_kp;
    struct entry *sj_es; /* headers filled except prev; payloads set */
    size_t sj_n;
    int sj_has_prev0;
    uint8_t sj_prev0[HASH_LEN];
    /* progress, guarded by sj_mu */
    pthread_mutex_t sj_mu;
    pthread_cond_t sj_cv;
    size_t sj_done;
    int sj_err;
    int sj_stop;
    int sj_waiting; /* the inserter sleeps on sj_cv */
    size_t sj_want; /* ...until sj_done reaches this */
    int sj_threaded;
    pthread_t sj_th;
};

int log_sign_start(struct log_sign_job *j);
/* Waits until entry i is sealed; returns the job's error, if any. */
int log_sign_wait(struct log_sign_job *j, size_t i);
/* Stops (if still running) and joins the signer. */
void log_sign_finish(struct log_sign_job *j);

/* ---- rows of table entries (log.c) ------------------------------------ */

#define LOG__K(lid, seq) ((int64_t)(((uint64_t)(lid) << 32) | (seq)))
#define LOG__SEQ_MAX 0xffffffffu

/*
 * Rows are read with LOG__ROW_COLS from LOG__ROW_FROM. hx holds the
 * header bytes only when they cannot be derived (docs/FORMAT.md, storage):
 * otherwise version, log id, seq, prev, HLC, kind, payload length and
 * payload hash come from the row, its log and the previous entry, and the
 * canonical encoding gives back exactly the signed bytes.
 */
#define LOG__ROW_COLS                                                          \
    "e.id, e.hx, e.sig, e.payload, e.hlc, e.kind, (SELECT p.id FROM "          \
    "entries p WHERE p.k = e.k - 1), l.log_id, e.k"
#define LOG__ROW_FROM "entries e JOIN logs l ON l.lid = (e.k >> 32)"

/* Fills e from a LOG__ROW_COLS row of st starting at column col; e's
 * payload points into the row (valid until the next step). Works on any
 * connection to the store's file. */
int log__entry_from_row(sqlite3_stmt *st, int col, struct entry *e);
/* Checks one entry's own fields against its log (not its place in the
 * chain): version, kind, log id, sizes, payload hash and form. */
int log__check_fields(const struct log_desc *d, const struct entry *e);
/* The certificate bytes of a certificate entry's payload {"cert": bin}. */
int log__cert_payload(const uint8_t *p, size_t n, const uint8_t **cert,
                      size_t *cert_len);

/* The bin value of a payload that is exactly {key: bin} (log.c). */
int log__single_bin(const uint8_t *p, size_t n, const char *key,
                    const uint8_t **out, size_t *out_len);

/* ---- node-key revocations (log_revoke.c, docs/KEYS.md) --------------- */

struct store;

/* One revocation's constraint on one log. */
struct log__rev_c {
    int rc_named;            /* the revocation names this log */
    uint64_t rc_seq;         /* named: last good seq */
    uint8_t rc_id[HASH_LEN]; /* named: its id, zero = not pinned */
    uint64_t rc_at;          /* good only if HLC ms < this (every log) */
};

/* Every held revocation of a log's author by the author's state. */
struct log__revs {
    int rv_loaded;
    size_t rv_n, rv_cap;
    struct log__rev_c *rv_c;
};

int log__revs_load(struct store *s, const uint8_t author[static KEY_PK_LEN],
                   const char *state, const uint8_t log[static HASH_LEN],
                   struct log__revs *rv);
void log__revs_free(struct log__revs *rv);
/* 0 if an entry at (seq, hlc, id) is good under every revocation in rv
 * (its predecessors being good), else ILONET_EREVOKED. */
int log__revs_entry_ok(const struct log__revs *rv, uint64_t seq, uint64_t hlc,
                       const uint8_t id[static HASH_LEN]);
/* 1 if some revocation in rv names the log rv was loaded for. */
int log__revs_names_log(const struct log__revs *rv);
/* The time (HLC ms) of the newest entry held from author, in any log;
 * 0 when none. */
int log__author_newest_ms(struct store *s,
                          const uint8_t author[static KEY_PK_LEN],
                          uint64_t *ms);
/* Records a stored revocation entry's node revocation (payload
 * {"envelope": bin}, published in audience) and moves the cuts of the
 * revoked key's logs, running the store's freeze hook for stored entries
 * that leave the view. *added = 1 when the revocation was new. Anything
 * that is not a valid node revocation in `net` is ignored (returns 0). */
int log__revocation_note(struct store *s, const uint8_t *payload, size_t len,
                         const char *audience, int *added);
/* Caps (*seq, id) at a log's cut revoked (0 = none): the head as peers,
 * ranges and digests see it. */
int log__effective_head(struct store *s, int64_t lid, uint64_t revoked,
                        uint64_t *seq, uint8_t id[static HASH_LEN]);

#endif
