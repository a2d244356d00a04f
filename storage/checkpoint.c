/* checkpoint.c - a thread with its own connection checkpoints the WAL. */
#include "checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/error.h"
#include "store_int.h"

#define CKPT__BUSY_SLICE_MS 5   /* one busy wait; a commit cuts it short */
#define CKPT__TRUNCATE_FACTOR 4 /* x the hard bound: give the disk back */

struct ckpt {
    sqlite3 *c_main;    /* the store's connection (hook only; not ours) */
    sqlite3 *c_db;      /* ours: used by the thread only while it runs */
    int c_prev_auto;    /* c_main's auto-checkpoint before us */
    int c_frames;       /* interval */
    int c_hard;         /* restart the WAL at this many frames */
    int c_busy_ms;      /* thread only: the busy handler's budget */
    uint64_t c_busy_t0; /* thread only: when the busy wait began */
    pthread_t c_thread;
    pthread_mutex_t c_mu; /* guards everything below */
    pthread_cond_t c_cv;  /* the thread waits on it: work, commits, stop */
    int c_stop;
    int c_want;         /* hook: a checkpoint is due */
    int c_running;      /* thread: checkpointing */
    int c_busy_wait;    /* thread: in the busy handler, wake on commit */
    int c_mark;         /* WAL frames when the hook last asked */
    int c_gap;          /* thread: wants a moment between transactions */
    int c_retry_at;     /* thread: no restart before this many frames */
    uint64_t c_commits; /* commits seen by the hook */
    struct ckpt_stats c_st;
};

/* Runs on the committing thread after each commit, with no SQLite lock
 * held: it must stay cheap, so it only records and signals. */
static int
ckpt__hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct ckpt *c = arg;

    (void)db;
    if (strcmp(name, "main") != 0)
        return SQLITE_OK;
    pthread_mutex_lock(&c->c_mu);
    c->c_commits++;
    c->c_st.cs_wal_frames = frames;
    if (frames < c->c_mark)
        c->c_mark = 0; /* the WAL restarted from its first frame */
    if (frames - c->c_mark >= c->c_frames) {
        c->c_mark = frames;
        c->c_want = 1;
        c->c_st.cs_idle = 0;
    }
    if (c->c_want || c->c_busy_wait)
        pthread_cond_signal(&c->c_cv);
    pthread_mutex_unlock(&c->c_mu);
    return SQLITE_OK;
}

static uint64_t
ckpt__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Busy handler of our connection, only reached by RESTART and TRUNCATE
 * checkpoints (PASSIVE never waits). It waits in slices that a commit cuts
 * short: right after a commit the write lock is most likely free. Bound in time
 * (not in calls: commits come often) by c_busy_ms, because while we hold the
 * write lock and wait for readers, the committer waits for us. */
static int
ckpt__busy(void *arg, int count)
{
    struct ckpt *c = arg;
    struct timespec ts;
    uint64_t seen, now = ckpt__now_ms();
    int again;

    if (count == 0)
        c->c_busy_t0 = now;
    pthread_mutex_lock(&c->c_mu);
    again = !c->c_stop && now < c->c_busy_t0 + (uint64_t)c->c_busy_ms;
    if (again) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += CKPT__BUSY_SLICE_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        seen = c->c_commits;
        c->c_busy_wait = 1;
        while (!c->c_stop && c->c_commits == seen &&
               pthread_cond_timedwait(&c->c_cv, &c->c_mu, &ts) != ETIMEDOUT)
            ;
        c->c_busy_wait = 0;
        again = !c->c_stop;
    }
    pthread_mutex_unlock(&c->c_mu);
    return again;
}

/*
 * One round: copy what can be copied without waiting. When that was
 * everything and the WAL is past the hard bound, restart it. That needs the
 * write lock, so it copies what was committed since the passive pass while
 * the committer waits: the first try takes the lock only if it is free at
 * once; when it is not, the round asks for a gap (ckpt_wants_gap) and the
 * next round, after a passive pass over what the committer flushed, waits
 * for it. A second miss stops asking until the WAL grows by another bound.
 */
static void
ckpt__round(struct ckpt *c)
{
    int nlog = -1, nckpt = -1, rc, gap, retry_at;
    int restarted = 0, truncd = 0, busy = 0;

    rc = sqlite3_wal_checkpoint_v2(c->c_db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                   &nlog, &nckpt);
    pthread_mutex_lock(&c->c_mu);
    if (rc == SQLITE_OK && nlog < c->c_st.cs_log)
        c->c_retry_at = 0; /* the WAL restarted since the last round */
    gap = c->c_gap;
    retry_at = c->c_retry_at;
    pthread_mutex_unlock(&c->c_mu);
    if (rc == SQLITE_OK && nckpt == nlog && nlog >= c->c_hard &&
        nlog >= retry_at) {
        /* RESTART: the next commit writes over the file from its start,
         * without growing it, as after an inline checkpoint. A WAL that
         * grew far (a reader held it) is truncated instead, so the disk
         * it took comes back. */
        int mode = nlog >= CKPT__TRUNCATE_FACTOR * c->c_hard
                       ? SQLITE_CHECKPOINT_TRUNCATE
                       : SQLITE_CHECKPOINT_RESTART;
        int tl = -1, tc = -1;
        c->c_busy_ms = gap ? CKPT_BUSY_MS : 0;
        rc = sqlite3_wal_checkpoint_v2(c->c_db, "main", mode, &tl, &tc);
        if (rc == SQLITE_OK) {
            restarted = 1;
            truncd = mode == SQLITE_CHECKPOINT_TRUNCATE;
            gap = 0;
            retry_at = 0;
            nlog = tl;
            nckpt = tc;
        } else if ((rc & 0xff) == SQLITE_BUSY) {
            busy = 1;
            rc = SQLITE_OK;
            if (!gap) {
                gap = 1;
            } else {
                gap = 0;
                retry_at = nlog + c->c_hard;
            }
        }
    } else {
        gap = 0; /* nothing to restart, or readers would keep us waiting */
    }
    pthread_mutex_lock(&c->c_mu);
    c->c_gap = gap;
    c->c_retry_at = retry_at;
    c->c_st.cs_runs++;
    c->c_st.cs_restarts += (uint64_t)restarted;
    c->c_st.cs_truncs += (uint64_t)truncd;
    c->c_st.cs_busy += (uint64_t)busy;
    c->c_st.cs_log = nlog;
    c->c_st.cs_ckpt = nckpt;
    /* BUSY from PASSIVE: another connection (a CLI erase) checkpoints;
     * INTERRUPT: ckpt_stop. Neither is a failure. */
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
        (rc & 0xff) != SQLITE_INTERRUPT) {
        c->c_st.cs_errors++;
        c->c_st.cs_last_err = store_err(rc);
    }
    pthread_mutex_unlock(&c->c_mu);
}

static void *
ckpt__main(void *arg)
{
    struct ckpt *c = arg;

    pthread_mutex_lock(&c->c_mu);
    for (;;) {
        while (!c->c_stop && !c->c_want)
            pthread_cond_wait(&c->c_cv, &c->c_mu);
        if (c->c_stop)
            break;
        c->c_want = 0;
        c->c_running = 1;
        pthread_mutex_unlock(&c->c_mu);
        ckpt__round(c);
        pthread_mutex_lock(&c->c_mu);
        c->c_running = 0;
        c->c_st.cs_idle = !c->c_want;
    }
    pthread_mutex_unlock(&c->c_mu);
    return NULL;
}

/* The first column of a one-row query on db, as an int into *val and/or
 * as text into text (textlen bytes). */
static int
ckpt__query(sqlite3 *db, const char *sql, char *text, size_t textlen, int *val)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
        goto out;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (val)
            *val = sqlite3_column_int(st, 0);
        if (text) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(text, textlen, "%s", t ? (const char *)t : "");
        }
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_ERROR;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* Our connection: same file, synchronous=FULL so a checkpoint syncs as the
 * store's own would, a small cache. The read opens the WAL (a connection
 * that never read has none, and its checkpoints are no-ops). */
static int
ckpt__open(const char *path, struct ckpt *c)
{
    int v;

    if (sqlite3_open_v2(path, &c->c_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return ILONET_EIO;
    sqlite3_busy_handler(c->c_db, ckpt__busy, c);
    sqlite3_wal_autocheckpoint(c->c_db, 0); /* never commits; be explicit */
    if (sqlite3_exec(c->c_db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(c->c_db, "PRAGMA cache_size=16", NULL, NULL, NULL) !=
            SQLITE_OK ||
        ckpt__query(c->c_db, "PRAGMA schema_version", NULL, 0, &v) != SQLITE_OK)
        return ILONET_EIO;
    return 0;
}

int
ckpt_start(struct store *s, unsigned frames, struct ckpt **out)
{
    struct ckpt *c = NULL;
    pthread_condattr_t ca;
    char mode[16];
    const char *path;
    int rc, page = 0, have_mu = 0, have_cv = 0;

    if (!s || !out ||
        frames >
            (unsigned)INT32_MAX / CKPT_HARD_FACTOR / CKPT__TRUNCATE_FACTOR ||
        !sqlite3_threadsafe())
        return ILONET_EINVAL;
    path = sqlite3_db_filename(store_db(s), "main");
    if (!path || !path[0] ||
        ckpt__query(store_db(s), "PRAGMA journal_mode", mode, sizeof(mode),
                    NULL) != SQLITE_OK ||
        strcmp(mode, "wal") != 0 ||
        ckpt__query(store_db(s), "PRAGMA page_size", NULL, 0, &page) !=
            SQLITE_OK ||
        page <= 0)
        return ILONET_EINVAL;
    if (!frames)
        frames = (unsigned)(CKPT_BYTES_DEFAULT / page);
    if (!(c = calloc(1, sizeof(*c))))
        return ILONET_ENOMEM;
    c->c_main = store_db(s);
    c->c_frames = (int)frames;
    c->c_hard = (int)frames * CKPT_HARD_FACTOR;
    c->c_st.cs_idle = 1;
    if (ckpt__query(c->c_main, "PRAGMA wal_autocheckpoint", NULL, 0,
                    &c->c_prev_auto) != SQLITE_OK) {
        rc = ILONET_EIO;
        goto fail;
    }
    if (pthread_mutex_init(&c->c_mu, NULL) != 0) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    have_mu = 1;
    /* The busy handler's waits are timed: on the monotonic clock, so a
     * wall-clock step cannot stretch them. */
    if (pthread_condattr_init(&ca) != 0) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    have_cv = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&c->c_cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!have_cv) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    if ((rc = ckpt__open(path, c)) != 0)
        goto fail;
    if (pthread_create(&c->c_thread, NULL, ckpt__main, c) != 0) {
        rc = ILONET_ENOMEM;
        goto fail;
    }
    /* Last: from here on s's commits report to the thread instead of
     * checkpointing inline (sqlite3_wal_hook replaces auto-checkpoint). */
    sqlite3_wal_hook(c->c_main, ckpt__hook, c);
    *out = c;
    return 0;
fail:
    sqlite3_close(c->c_db);
    if (have_cv)
        pthread_cond_destroy(&c->c_cv);
    if (have_mu)
        pthread_mutex_destroy(&c->c_mu);
    free(c);
    return rc;
}

void
ckpt_stop(struct ckpt *c)
{
    if (!c)
        return;
    /* First, on the committing thread: no hook call can start after this,
     * and none is running (they run on this thread). */
    sqlite3_wal_autocheckpoint(c->c_main, c->c_prev_auto);
    pthread_mutex_lock(&c->c_mu);
    c->c_stop = 1;
    pthread_cond_signal(&c->c_cv);
    pthread_mutex_unlock(&c->c_mu);
    /* Cut a long copy short; SQLite documents sqlite3_interrupt as safe
     * from another thread while the connection is open (it is until the
     * join). */
    sqlite3_interrupt(c->c_db);
    pthread_join(c->c_thread, NULL);
    sqlite3_close(c->c_db);
    pthread_cond_destroy(&c->c_cv);
    pthread_mutex_destroy(&c->c_mu);
    free(c);
}

int
ckpt_wants_gap(struct ckpt *c)
{
    int gap;

    if (!c)
        return 0;
    pthread_mutex_lock(&c->c_mu);
    gap = c->c_gap;
    pthread_mutex_unlock(&c->c_mu);
    return gap;
}

void
ckpt_stats(struct ckpt *c, struct ckpt_stats *out)
{
    pthread_mutex_lock(&c->c_mu);
    *out = c->c_st;
    pthread_mutex_unlock(&c->c_mu);
}
