/* checkpoint.h - WAL checkpoints on a thread of their own, off the loop. */
#ifndef ILONET_CHECKPOINT_H
#define ILONET_CHECKPOINT_H

#include <stdint.h>

#include "store.h"

/*
 * With SQLite's default auto-checkpoint, the commit that takes the WAL past
 * 1000 frames copies the WAL into the database file and fsyncs it, inline,
 * on the committing thread. For the node that thread is the event loop, and
 * the copy was 12-18 % of a receiving node's time. A checkpointer moves that
 * work to a thread with its own connection to the same file:
 *
 *  - it replaces the store connection's auto-checkpoint with a WAL hook
 *    (sqlite3_wal_hook) that only notes the WAL size and wakes the thread
 *    once `frames` more frames were committed since it last did;
 *  - the thread runs a PASSIVE checkpoint, which never waits for the
 *    committing connection (a writer in its transaction keeps writing);
 *  - SQLite restarts the WAL from its first frame only when a transaction
 *    begins after everything was copied. A committer that keeps one
 *    transaction open after another (the node's group commit) never gives
 *    it that moment, so when the WAL holds CKPT_HARD_FACTOR x `frames`
 *    frames after a complete passive checkpoint, the thread restarts it
 *    with a RESTART checkpoint (TRUNCATE when it is 4 times past that, to
 *    give the disk back): taken only if the write lock is free at once;
 *    otherwise it asks the committer for a gap (ckpt_wants_gap), and the
 *    next round waits for the lock at most CKPT_BUSY_MS. While it holds
 *    the write lock the committer's next BEGIN waits: one copy of what was
 *    committed since the passive pass (with the gap, a short transaction),
 *    once per CKPT_HARD_FACTOR x `frames` frames. A reader on an old
 *    snapshot keeps passive checkpoints incomplete: no restart is tried
 *    until it leaves.
 *
 * Durability is unchanged: a checkpoint only copies frames that are already
 * committed, and the checkpointer connection runs synchronous=FULL, so it
 * syncs the WAL before copying and the database file before the WAL may be
 * reused, exactly as an inline checkpoint does.
 *
 * Threads: ckpt_start() and ckpt_stop() run on the thread that uses the
 * store (they change its connection's WAL hook; the hook then runs on every
 * commit of that thread and only takes a mutex that the checkpointer thread
 * never holds during I/O). ckpt_wants_gap() and ckpt_stats() may be called
 * from any thread until ckpt_stop(). At most one checkpointer per store;
 * the store must outlive it.
 */

/* Default interval: 4 MiB of frames, what SQLite's 1000 frames are at its
 * default 4 KiB page (the store uses 16 KiB pages: 256 frames). */
#define CKPT_BYTES_DEFAULT (4 << 20)
#define CKPT_HARD_FACTOR 16 /* WAL this many intervals: restart it (64 MiB) */
#define CKPT_BUSY_MS 100    /* longest wait for locks to restart it */

struct ckpt;

/* Counters, for tests and the node's shutdown line (failures). */
struct ckpt_stats {
    uint64_t cs_runs;     /* passive checkpoints run */
    uint64_t cs_restarts; /* WAL restarted at the hard bound */
    uint64_t cs_truncs;   /* ... of which truncated (4 x past it) */
    uint64_t cs_busy;     /* restarts given up (locks, readers) */
    uint64_t cs_errors;   /* checkpoints that failed otherwise */
    int cs_last_err;      /* ilonet code of the last failure, 0 none */
    int cs_log;           /* WAL frames at the last checkpoint */
    int cs_ckpt;          /* ... and how many of them it had copied */
    int cs_wal_frames;    /* WAL frames after the last commit (hook) */
    int cs_idle;          /* 1: nothing requested, nothing running */
};

/*
 * Starts a checkpointer for s: opens a second connection to s's file,
 * starts the thread, then installs the WAL hook on s's connection (from
 * then on s's commits no longer checkpoint inline). frames is the interval
 * in WAL frames, 0 for CKPT_BYTES_DEFAULT's worth of s's pages. *out is
 * owned by the caller:
 * ckpt_stop() it before store_close(s). ILONET_EINVAL when s is not a WAL
 * file store or SQLite is built without threads; ILONET_EIO when the second
 * connection cannot be opened; ILONET_ENOMEM. On failure s keeps SQLite's
 * auto-checkpoint, untouched.
 */
int ckpt_start(struct store *s, unsigned frames, struct ckpt **out);

/*
 * Restores s's auto-checkpoint (the interval it had before ckpt_start),
 * wakes the thread, interrupts a checkpoint in progress (what it did not
 * copy stays in the WAL for the next one), joins the thread, closes the
 * second connection and frees c. NULL is a no-op. Call it outside a
 * transaction of s or inside: it does not touch s's locks.
 */
void ckpt_stop(struct ckpt *c);

/*
 * 1 while the thread waits for a moment between the store connection's
 * transactions to restart the WAL (it passed the hard bound, and holding
 * the write lock is the only way to restart it). A committer that keeps a
 * transaction open across many changes (the node's group commit) should
 * commit it and keep transactions short while this returns 1: the thread
 * then copies only the last short one while it holds the lock. 0 for NULL.
 * Cheap (one uncontended mutex); any thread.
 */
int ckpt_wants_gap(struct ckpt *c);

/* A snapshot of c's counters into *out. */
void ckpt_stats(struct ckpt *c, struct ckpt_stats *out);

#endif
