/* test_verify.c - `ilonet verify` on every core finds exactly what it finds on
 * one: the same problems in the same order, the same counts and verdict. */
/*
 * storage/log_verify.c cuts every log into runs checked by worker
 * threads; app_verify_with() compares the view with a rebuild on a thread
 * of its own. Each case builds a store with tests/tools/desk_gen (many
 * logs, records of every kind), plants faults through SQL (a bad
 * signature, a stored id that is not the entry's, a header whose link is
 * broken, a missing entry in the middle and at the end of a log, a view
 * row gone, a count off), and runs the sequential check and the parallel
 * one with several thread counts and run lengths (down to one entry, so
 * every fault sits at a run's edge somewhere). Needs ILONET_TOOLS.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "node/app/app.h"
#include "proc.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "test.h"

#define MAXP 256

struct probs {
    size_t n;
    uint8_t log[MAXP][HASH_LEN];
    uint64_t seq[MAXP];
    int code[MAXP];
};

static void
probs_add(void *arg, const uint8_t log[static HASH_LEN], uint64_t seq, int err)
{
    struct probs *p = arg;

    ASSERT(p->n < MAXP);
    memcpy(p->log[p->n], log, HASH_LEN);
    p->seq[p->n] = seq;
    p->code[p->n++] = err;
}

static void
probs_same(const struct probs *a, const struct probs *b)
{
    ASSERT_EQ(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        ASSERT_MEM_EQ(a->log[i], b->log[i], HASH_LEN);
        ASSERT_EQ(a->seq[i], b->seq[i]);
        ASSERT_EQ(a->code[i], b->code[i]);
    }
}

/* Progress heard: never backwards, and at the end all of it. */
struct prog {
    uint64_t last, total;
    int calls, backwards;
};

static void
prog_cb(void *arg, uint64_t done, uint64_t total)
{
    struct prog *p = arg;

    p->backwards |= done < p->last || (p->total && total != p->total);
    p->last = done;
    p->total = total;
    p->calls++;
}

static void
gen_home(const char *tag, char *home, size_t cap)
{
    char *dir = test_tmpdir(tag), out[512];

    ASSERT_EQ(proc_run(out, sizeof(out), "%s/desk_gen %s/d 1500 3",
                       proc_tools(), dir),
              0);
    snprintf(home, cap, "%s/d/home", dir);
    free(dir);
}

static int64_t
q_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    ASSERT_EQ(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
exec_sql(struct store *s, const char *sql)
{
    ASSERT_EQ(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The sequential walk, and the parallel one with 2 and 3 threads and runs
 * of 1, 3, 50 entries and the default: the same problems, counts and
 * result each time; when the walk goes to the end (to_the_end), progress
 * ends at all entries. Returns the number of problems. */
static size_t
walks_agree(struct store *s, int to_the_end)
{
    static const unsigned threads[] = {2, 3};
    static const uint64_t runs[] = {1, 3, 50, 0};
    struct probs want, got;
    uint64_t c1, b1, c2, b2;
    int r1, r2;

    memset(&want, 0, sizeof(want));
    r1 = log_verify_all(s, probs_add, &want, &c1, &b1);
    for (size_t t = 0; t < 2; t++)
        for (size_t r = 0; r < 4; r++) {
            struct log_verify_opts o;
            struct prog pg = {0, 0, 0, 0};

            memset(&o, 0, sizeof(o));
            memset(&got, 0, sizeof(got));
            o.lo_threads = threads[t];
            o.lo_run = runs[r];
            o.lo_problem = probs_add;
            o.lo_arg = &got;
            o.lo_progress = prog_cb;
            o.lo_progress_arg = &pg;
            r2 = log_verify_all_par(s, &o, &c2, &b2);
            ASSERT_EQ(r2, r1);
            ASSERT_EQ(c2, c1);
            ASSERT_EQ(b2, b1);
            probs_same(&want, &got);
            ASSERT_EQ(pg.backwards, 0);
            ASSERT(pg.calls > 0);
            if (to_the_end)
                ASSERT_EQ(pg.last, pg.total);
        }
    return want.n;
}

static void
verify_par_same_on_a_sound_store(void)
{
    char home[700];
    struct home h;
    struct app_verify_out o1, o2;
    struct app_verify_req rq;
    struct app_err err;
    struct prog pg = {0, 0, 0, 0};

    gen_home("verify-sound", home, sizeof(home));
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    ASSERT_EQ(walks_agree(h.h_store, 1), 0);
    memset(&rq, 0, sizeof(rq));
    rq.vq_threads = 1;
    ASSERT_OK(app_verify_with(&h, &rq, &o1, &err));
    rq.vq_threads = 2;
    rq.vq_progress = prog_cb;
    rq.vq_arg = &pg;
    ASSERT_OK(app_verify_with(&h, &rq, &o2, &err));
    ASSERT_MEM_EQ(&o1, &o2, sizeof(o1));
    ASSERT_EQ(o2.vo_ok, 1);
    ASSERT_EQ(pg.last, o2.vo_checked);
    ASSERT_EQ(pg.total, o2.vo_checked);
    home_close(&h);
}

/* The k of the i-th entry of the longest log. */
static int64_t
entry_k(struct store *s, int i)
{
    char sql[256];

    snprintf(sql, sizeof(sql),
             "SELECT k FROM entries WHERE k >> 32 = (SELECT lid FROM logs"
             " ORDER BY head_seq DESC, lid LIMIT 1) ORDER BY k LIMIT 1"
             " OFFSET %d",
             i);
    return q_int(s, sql);
}

/* A header that names another entry as its previous one, in place of
 * the derived one. */
static void
break_link(struct store *s, int64_t k)
{
    uint8_t id[HASH_LEN], hdr[ENTRY_HEADER_MAX], *payload = NULL;
    struct entry e;
    struct log_desc d;
    sqlite3_stmt *st = NULL;
    size_t hl;

    ASSERT_EQ(sqlite3_prepare_v2(store_db(s),
                                 "SELECT id FROM entries WHERE"
                                 " k = ?",
                                 -1, &st, NULL),
              SQLITE_OK);
    sqlite3_bind_int64(st, 1, k);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    memcpy(id, sqlite3_column_blob(st, 0), HASH_LEN);
    sqlite3_finalize(st);
    ASSERT_OK(log_get(s, id, &e, &payload, &d));
    ASSERT(e.e_h.h_has_prev);
    e.e_h.h_prev[7] ^= 0x5a;
    ASSERT_OK(entry_header_encode(&e.e_h, hdr, &hl));
    free(payload);
    ASSERT_EQ(sqlite3_prepare_v2(store_db(s),
                                 "UPDATE entries SET hx = ?"
                                 " WHERE k = ?",
                                 -1, &st, NULL),
              SQLITE_OK);
    sqlite3_bind_blob(st, 1, hdr, (int)hl, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, k);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* Faults at the start, inside and at the edges of runs, on every walk:
 * the same problems in the same order. */
static void
verify_par_finds_what_one_thread_finds(void)
{
    char home[700], sql[256];
    struct home h;
    struct store *s;
    struct app_verify_out o1, o2;
    struct app_verify_req rq;
    struct app_err err;
    struct probs p1, p2;

    gen_home("verify-faults", home, sizeof(home));
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    s = h.h_store;
    /* a bad signature */
    snprintf(sql, sizeof(sql),
             "UPDATE entries SET body = CAST(substr(body, 1, 32) ||"
             " zeroblob(64) AS BLOB) WHERE k = %lld",
             (long long)entry_k(s, 10));
    exec_sql(s, sql);
    ASSERT_EQ(walks_agree(s, 1), 1);
    /* a stored id that is not the entry's: it, and the link of the
     * next one (derived from it) */
    snprintf(sql, sizeof(sql),
             "UPDATE entries SET body = CAST(randomblob(32) ||"
             " substr(body, 33) AS BLOB) WHERE k = %lld",
             (long long)entry_k(s, 20));
    exec_sql(s, sql);
    ASSERT_GE(walks_agree(s, 1), 3);
    /* a broken link written into a stored header */
    break_link(s, entry_k(s, 30));
    ASSERT_GE(walks_agree(s, 1), 4);
    /* the last entry of a log gone: it ends before its head */
    snprintf(sql, sizeof(sql),
             "DELETE FROM entries WHERE k = (SELECT max(k) FROM entries"
             " WHERE k >> 32 = (SELECT lid FROM logs ORDER BY head_seq,"
             " lid LIMIT 1 OFFSET 3))");
    exec_sql(s, sql);
    ASSERT_GE(walks_agree(s, 1), 5);
    /* the same through the use case, with the view's comparison beside */
    memset(&rq, 0, sizeof(rq));
    memset(&p1, 0, sizeof(p1));
    memset(&p2, 0, sizeof(p2));
    exec_sql(s, "DELETE FROM v_rec WHERE k = (SELECT max(k) FROM v_rec)");
    rq.vq_threads = 1;
    ASSERT_OK(app_verify_with(&h, &rq, &o1, &err));
    rq.vq_threads = 3;
    ASSERT_OK(app_verify_with(&h, &rq, &o2, &err));
    ASSERT_MEM_EQ(&o1, &o2, sizeof(o1));
    ASSERT_EQ(o2.vo_view_ok, 0);
    ASSERT(o2.vo_bad >= 5);
    ASSERT_EQ(o2.vo_ok, 0);
    home_close(&h);

    /* a gap in the middle of a log stops both walks at the entry after
     * it (its header cannot be derived), with the same count */
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    s = h.h_store;
    snprintf(sql, sizeof(sql), "DELETE FROM entries WHERE k = %lld",
             (long long)entry_k(s, 40));
    exec_sql(s, sql);
    walks_agree(s, 0);
    home_close(&h);
}

/* A count the view keeps that is off fails the view's check, on one
 * thread and on several. */
static void
verify_par_finds_a_count_off(void)
{
    char home[700];
    struct home h;
    struct app_verify_out o1, o2;
    struct app_verify_req rq;
    struct app_err err;

    gen_home("verify-counts", home, sizeof(home));
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    exec_sql(h.h_store, "UPDATE v_counts SET n = n + 1 WHERE kind = 2 AND"
                        " month = (SELECT max(month) FROM v_counts)");
    memset(&rq, 0, sizeof(rq));
    rq.vq_threads = 1;
    ASSERT_OK(app_verify_with(&h, &rq, &o1, &err));
    rq.vq_threads = 2;
    ASSERT_OK(app_verify_with(&h, &rq, &o2, &err));
    ASSERT_MEM_EQ(&o1, &o2, sizeof(o1));
    ASSERT_EQ(o2.vo_bad, 0);
    ASSERT_EQ(o2.vo_view_ok, 0);
    ASSERT_EQ(o2.vo_ok, 0);
    home_close(&h);
}

TEST_LIST = {
    TEST(verify_par_same_on_a_sound_store),
    TEST(verify_par_finds_what_one_thread_finds),
    TEST(verify_par_finds_a_count_off),
};
TEST_MAIN()
