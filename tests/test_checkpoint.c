/* test_checkpoint.c - the WAL checkpointer thread: it checkpoints, the WAL
 * restarts or is truncated, data survives stop and reopen, stop joins. No
 * test asserts a duration: waits poll the thread's counters. */
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "storage/checkpoint.h"
#include "storage/store.h"
#include "storage/store_int.h"
#include "test.h"

#define VAL_LEN 3000 /* a frame or a few per commit, whatever the page size */

struct fx {
    char *dir;
    char path[512];
    char wal[520];
    uint8_t net[NET_ID_LEN];
    struct store *s;
};

static void
fx_open(struct fx *f, const char *tag)
{
    memset(f, 0, sizeof(*f));
    f->dir = test_tmpdir(tag);
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    snprintf(f->wal, sizeof(f->wal), "%s-wal", f->path);
    memset(f->net, 0x01, NET_ID_LEN);
    ASSERT_OK(store_open(f->path, f->net, NULL, &f->s));
}

static void
fx_reopen(struct fx *f)
{
    store_close(f->s);
    ASSERT_OK(store_open(f->path, f->net, NULL, &f->s));
}

static void
fx_close(struct fx *f)
{
    store_close(f->s);
    free(f->dir);
}

static void
val_for(int i, uint8_t v[VAL_LEN])
{
    memset(v, i & 0xff, VAL_LEN);
    memcpy(v, &i, sizeof(i));
}

/* One commit (autocommit statement): key i gets its value. */
static void
put(struct store *s, int i)
{
    char key[32];
    uint8_t v[VAL_LEN];
    snprintf(key, sizeof(key), "k%06d", i);
    val_for(i, v);
    ASSERT_OK(store_meta_set(s, key, v, VAL_LEN));
}

static void
check(struct store *s, int from, int to)
{
    for (int i = from; i < to; i++) {
        char key[32];
        uint8_t want[VAL_LEN], *v;
        size_t len;
        snprintf(key, sizeof(key), "k%06d", i);
        val_for(i, want);
        ASSERT_OK(store_meta_get(s, key, &v, &len));
        ASSERT_EQ(len, VAL_LEN);
        ASSERT_MEM_EQ(v, want, VAL_LEN);
        free(v);
    }
}

static struct ckpt_stats
stats(struct ckpt *c)
{
    struct ckpt_stats st;
    ckpt_stats(c, &st);
    return st;
}

/* Waits (no deadline: the runner's alarm is the bound) until nothing is
 * requested and nothing runs. A commit that requests a checkpoint clears
 * cs_idle before it returns, so after it this waits for that checkpoint. */
static struct ckpt_stats
wait_idle(struct ckpt *c)
{
    struct ckpt_stats st;
    while (!(st = stats(c)).cs_idle)
        usleep(1000);
    return st;
}

/* Commits from *next until the hook has seen at least frames WAL frames
 * (a bound on the commits, so a hook that never runs fails, not hangs). */
static void
fill_to(struct store *s, struct ckpt *c, int *next, int frames)
{
    for (int n = 0; stats(c).cs_wal_frames < frames; n++) {
        ASSERT(n < 100000);
        put(s, (*next)++);
    }
}

static long long
file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

static int
pragma_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    int v;
    ASSERT_EQ(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
integrity_ok(struct store *s)
{
    sqlite3_stmt *st;
    ASSERT_EQ(sqlite3_prepare_v2(store_db(s), "PRAGMA integrity_check", -1, &st,
                                 NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
}

/* ---- cases -------------------------------------------------------------- */

/* Each time the WAL passes the interval the thread copies it all back (no
 * reader holds an old snapshot); the next commit then restarts the WAL from
 * its first frame, so the file stays near the interval however much is
 * written. The main connection never checkpoints: auto-checkpoint is off
 * while the hook is installed. */
static void
checkpoints_on_the_thread_and_the_wal_restarts(void)
{
    struct fx f;
    struct ckpt *c;
    struct ckpt_stats st;
    long long written = 0;
    int next = 0;

    fx_open(&f, "ckpt-restart");
    ASSERT_OK(ckpt_start(f.s, 64, &c));
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 0);
    for (int round = 0; round < 12; round++) {
        fill_to(f.s, c, &next, 64);
        st = wait_idle(c);
        ASSERT_GE(st.cs_runs, (uint64_t)round + 1);
        ASSERT_GE(st.cs_log, 64);
        ASSERT_EQ(st.cs_ckpt, st.cs_log); /* all of it copied */
        ASSERT_EQ(st.cs_errors, 0);
        written += st.cs_log;
        put(f.s, next++);
        st = stats(c);
        ASSERT(st.cs_wal_frames < 64); /* restarted from the beginning */
    }
    /* 12 intervals went through a WAL that holds about one. */
    ASSERT(file_size(f.wal) > 0);
    ASSERT(file_size(f.wal) * 4 <
           written * (pragma_int(f.s, "PRAGMA page_size") + 24));
    ASSERT_EQ(stats(c).cs_restarts, 0); /* SQLite restarted it alone */
    ckpt_stop(c);
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 1000);
    check(f.s, 0, next);
    fx_close(&f);
}

/* The main connection commits without pause while the thread checkpoints
 * beside it; everything committed is there after stop and a reopen. */
static void
data_readable_after_stop_and_reopen(void)
{
    struct fx f;
    struct ckpt *c;
    struct ckpt_stats st;
    const int n = 1500;

    fx_open(&f, "ckpt-reopen");
    ASSERT_OK(ckpt_start(f.s, 32, &c));
    for (int i = 0; i < n; i++) {
        if (i % 100 == 0) { /* some multi-statement transactions too */
            ASSERT_OK(store_begin(f.s));
            for (int j = 0; j < 10; j++, i++)
                put(f.s, i);
            ASSERT_OK(store_commit(f.s));
        }
        put(f.s, i);
    }
    st = wait_idle(c);
    ASSERT_GE(st.cs_runs, 1);
    ASSERT_EQ(st.cs_errors, 0);
    ckpt_stop(c);
    check(f.s, 0, n);
    fx_reopen(&f);
    check(f.s, 0, n);
    integrity_ok(f.s);
    fx_close(&f);
}

/* A reader on an old snapshot keeps passive checkpoints short of the WAL's
 * end and the WAL grows past the hard bound (to `upto` frames); once the
 * reader leaves, the next round copies everything and restarts the WAL.
 * *held: the WAL file's size while the reader held it; *at: right after
 * the restart. */
static void
reader_holds_then_leaves(struct fx *f, struct ckpt *c, int every, int upto,
                         int *next, long long *held, long long *at)
{
    struct ckpt_stats st;
    sqlite3 *r;

    put(f->s, (*next)++);
    ASSERT_EQ(sqlite3_open_v2(f->path, &r, SQLITE_OPEN_READWRITE, NULL),
              SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(r, "BEGIN; SELECT count(*) FROM meta;", NULL, NULL, NULL),
        SQLITE_OK);
    fill_to(f->s, c, next, upto);
    st = wait_idle(c);
    ASSERT_GE(st.cs_runs, 1);
    ASSERT(st.cs_ckpt < st.cs_log); /* held back by the reader */
    ASSERT_GE(st.cs_wal_frames, upto);
    ASSERT_EQ(st.cs_restarts, 0);
    *held = file_size(f->wal);
    ASSERT(*held > 0);

    ASSERT_EQ(sqlite3_exec(r, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_close(r), SQLITE_OK);
    /* Commit until the hook asks for a round, then let it run alone. */
    while (stats(c).cs_idle)
        put(f->s, (*next)++);
    st = wait_idle(c);
    ASSERT_EQ(st.cs_restarts, 1);
    ASSERT_EQ(st.cs_busy, 0);
    ASSERT_EQ(st.cs_errors, 0);
    *at = file_size(f->wal);

    put(f->s, (*next)++); /* the first commit after: from the first frame */
    ASSERT(stats(c).cs_wal_frames < every);
}

/* Past the hard bound (16 x the interval): RESTART; the file keeps its
 * size and the next commit writes over it from the start. */
static void
wal_restarted_past_the_hard_bound_once_readers_leave(void)
{
    struct fx f;
    struct ckpt *c;
    int next = 0;
    const int every = 16, hard = every * CKPT_HARD_FACTOR;
    long long held, at;

    fx_open(&f, "ckpt-restart-hard");
    ASSERT_OK(ckpt_start(f.s, every, &c));
    reader_holds_then_leaves(&f, c, every, hard + 2 * every, &next, &held, &at);
    ASSERT_EQ(stats(c).cs_truncs, 0);
    ASSERT(at >= held);
    ASSERT_EQ(file_size(f.wal), at); /* written over from the start */
    ckpt_stop(c);
    fx_reopen(&f);
    check(f.s, 0, next);
    integrity_ok(f.s);
    fx_close(&f);
}

/* Four times past the hard bound: TRUNCATE, the file gives its disk back. */
static void
wal_truncated_far_past_the_hard_bound(void)
{
    struct fx f;
    struct ckpt *c;
    int next = 0;
    const int every = 8, hard = every * CKPT_HARD_FACTOR;
    long long held, at;

    fx_open(&f, "ckpt-trunc");
    ASSERT_OK(ckpt_start(f.s, every, &c));
    reader_holds_then_leaves(&f, c, every, 4 * hard + every, &next, &held, &at);
    ASSERT_EQ(stats(c).cs_truncs, 1);
    ASSERT_EQ(at, 0);
    ASSERT(file_size(f.wal) * 8 < held);
    ckpt_stop(c);
    fx_reopen(&f);
    check(f.s, 0, next);
    integrity_ok(f.s);
    fx_close(&f);
}

/* Stop while a checkpoint of a large transaction is requested or running:
 * it joins, the store keeps SQLite's auto-checkpoint and stays whole. */
static void
stop_with_pending_work_joins(void)
{
    struct fx f;
    struct ckpt *c;
    int next = 0;

    fx_open(&f, "ckpt-stop");
    ASSERT_OK(ckpt_start(f.s, 8, &c));
    ASSERT_OK(store_begin(f.s));
    while (next < 2000)
        put(f.s, next++);
    ASSERT_OK(store_commit(f.s)); /* asks for a round: stop races it */
    ckpt_stop(c);
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 1000);
    while (next < 2100)
        put(f.s, next++);
    check(f.s, 0, next);
    fx_reopen(&f);
    check(f.s, 0, next);
    integrity_ok(f.s);
    fx_close(&f);
}

/* Start and stop with nothing written, twice; stop restores the interval
 * the connection had (here a non-default one). */
static void
start_stop_without_writes(void)
{
    struct fx f;
    struct ckpt *c;
    struct ckpt_stats st;

    fx_open(&f, "ckpt-idle");
    ASSERT_OK(ckpt_start(f.s, 0, &c));
    st = stats(c);
    ASSERT_EQ(st.cs_runs, 0);
    ASSERT_EQ(st.cs_idle, 1);
    ckpt_stop(c);
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 1000);

    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint=50"), 50);
    ASSERT_OK(ckpt_start(f.s, 0, &c));
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 0);
    ckpt_stop(c);
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 50);
    ckpt_stop(NULL);
    fx_close(&f);
}

/* Arguments it cannot work with leave the store untouched. */
static void
rejects_what_it_cannot_checkpoint(void)
{
    struct fx f;
    struct ckpt *c = NULL;

    fx_open(&f, "ckpt-bad");
    ASSERT_ERR(ckpt_start(NULL, 0, &c), ILONET_EINVAL);
    ASSERT_ERR(ckpt_start(f.s, 0, NULL), ILONET_EINVAL);
    ASSERT_EQ(sqlite3_exec(store_db(f.s), "PRAGMA journal_mode=DELETE", NULL,
                           NULL, NULL),
              SQLITE_OK);
    ASSERT_ERR(ckpt_start(f.s, 0, &c), ILONET_EINVAL);
    ASSERT(c == NULL);
    ASSERT_EQ(pragma_int(f.s, "PRAGMA wal_autocheckpoint"), 1000);
    fx_close(&f);
}

TEST_LIST = {
    TEST(checkpoints_on_the_thread_and_the_wal_restarts),
    TEST(data_readable_after_stop_and_reopen),
    TEST(wal_restarted_past_the_hard_bound_once_readers_leave),
    TEST(wal_truncated_far_past_the_hard_bound),
    TEST(stop_with_pending_work_joins),
    TEST(start_stop_without_writes),
    TEST(rejects_what_it_cannot_checkpoint),
};

TEST_MAIN()
