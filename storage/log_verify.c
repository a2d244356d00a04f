/* log_verify.c - full re-verification of every stored entry (ilonet verify), on
 * one thread or on all cores. */
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/error.h"
#include "log_int.h"

/*
 * What is checked, per entry, in seq order of each log: the stored id is
 * the hash of its header and signature; seqs follow on without a gap; the
 * header's own fields (log.c log__check_fields: version, kind, log id,
 * sizes, payload hash and form); the prev link names the entry before;
 * the signature verifies under the log's author; entry 1 is a valid
 * certificate of that author. A problem is reported at its (log, seq) and
 * the walk goes on (the next entry is checked against this one as
 * stored). A log whose id is not the one its author and audience give is
 * a problem at seq 0; a log that ends before its head, one at the seq
 * after its last entry.
 *
 * The parallel walk (log_verify_all_par) cuts every log into runs of
 * consecutive seqs; worker threads, each with its own read-only
 * connection to the store's file, check runs in any order. What a run
 * needs from before it is what the sequential walk would carry into it:
 * the entry stored just before the run's first seq (its seq and id), read
 * from the file. Runs end at the heads read when the walk starts, and a
 * stored entry never changes (an erasure keeps its header and signature),
 * so a run reads the same bytes whenever it runs, and the problems,
 * delivered in run order from the calling thread, are the sequential
 * walk's in the same order.
 */

#define LOG__VERIFY_RUN 16384 /* entries per run */

/* The state carried along one log (the sequential walk's, per run). */
struct log__verify {
    const struct roster *v_roster;
    const uint8_t *v_network;
    const struct log_desc *v_d;
    uint64_t v_expect;
    uint8_t v_prev[HASH_LEN];
    uint64_t v_checked, v_bad;
    void (*v_problem)(void *arg, uint64_t seq, int err);
    void *v_arg;
};

static void
log__problem(struct log__verify *v, uint64_t seq, int err)
{
    v->v_bad++;
    v->v_problem(v->v_arg, seq, err);
}

static int
log__verify_one(void *arg, const struct entry *e)
{
    struct log__verify *v = arg;
    uint8_t id[HASH_LEN];
    int rc;

    v->v_checked++;
    entry_id(e->e_hdr, e->e_hdr_len, e->e_sig, id);
    if (memcmp(id, e->e_id, HASH_LEN) != 0)
        log__problem(v, e->e_h.h_seq, ILONET_EMALFORMED);
    else if (e->e_h.h_seq != v->v_expect)
        log__problem(v, e->e_h.h_seq, ILONET_ESEQ);
    else if ((rc = log__check_fields(v->v_d, e)) != 0)
        log__problem(v, e->e_h.h_seq, rc);
    else if (e->e_h.h_seq > 1 &&
             memcmp(e->e_h.h_prev, v->v_prev, HASH_LEN) != 0)
        log__problem(v, e->e_h.h_seq, ILONET_ECHAIN);
    else if ((rc = entry_verify_sig(e, v->v_d->ld_author)) != 0)
        log__problem(v, e->e_h.h_seq, rc);
    else if (e->e_h.h_seq == 1) {
        const uint8_t *cb;
        size_t cl;
        struct cert c;
        if (e->e_h.h_kind != KIND_CERT || !e->e_payload ||
            log__cert_payload(e->e_payload, e->e_payload_len, &cb, &cl) ||
            (rc = cert_verify(cb, cl, v->v_roster, v->v_network, &c)) != 0 ||
            memcmp(c.c_node, v->v_d->ld_author, KEY_PK_LEN) != 0)
            log__problem(v, 1, ILONET_EUNKNOWNAUTHOR);
    }
    v->v_expect = e->e_h.h_seq + 1;
    memcpy(v->v_prev, e->e_id, HASH_LEN);
    return 0;
}

/* ---- on the calling thread ------------------------------------------------
 */

struct log__seq_sink {
    log_problem_cb ss_cb;
    void *ss_arg;
    const uint8_t *ss_log;
    int ss_first;
};

static void
log__seq_problem(void *arg, uint64_t seq, int err)
{
    struct log__seq_sink *k = arg;

    if (!k->ss_first)
        k->ss_first = err;
    if (k->ss_cb)
        k->ss_cb(k->ss_arg, k->ss_log, seq, err);
}

int
log_verify_all(struct store *s, log_problem_cb cb, void *arg, uint64_t *checked,
               uint64_t *bad)
{
    struct log_head *heads = NULL;
    size_t n = 0;
    uint64_t tc = 0, tb = 0;
    int rc, first = 0;

    if ((rc = log_heads(s, &heads, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct log__seq_sink k = {cb, arg, heads[i].lh_log.ld_id, 0};
        struct log__verify v = {store_roster(s),
                                store_network(s),
                                &heads[i].lh_log,
                                1,
                                {0},
                                0,
                                0,
                                log__seq_problem,
                                &k};
        uint8_t want[HASH_LEN];

        entry_log_id(store_network(s), heads[i].lh_log.ld_author,
                     heads[i].lh_log.ld_audience, want);
        if (memcmp(want, heads[i].lh_log.ld_id, HASH_LEN) != 0)
            log__problem(&v, 0, ILONET_ENETWORK);
        rc = log_range(s, heads[i].lh_log.ld_id, 1, UINT64_MAX, SIZE_MAX,
                       log__verify_one, &v);
        if (rc == 0 && v.v_expect != heads[i].lh_seq + 1)
            log__problem(&v, v.v_expect, ILONET_ESEQ);
        tc += v.v_checked;
        tb += v.v_bad;
        if (!first && k.ss_first)
            first = k.ss_first;
        if (rc != 0)
            break;
    }
    free(heads);
    if (checked)
        *checked = tc;
    if (bad)
        *bad = tb;
    if (rc != 0)
        return rc;
    return first;
}

/* ---- on every core ----------------------------------------------------------
 */

struct log__vprob {
    uint64_t p_seq;
    int p_err;
};

/* One run: seqs [r_from, r_to] of log r_log. Filled by a worker. */
struct log__vrun {
    size_t r_log;
    uint64_t r_from, r_to;
    /* results */
    struct log__vprob *r_probs;
    size_t r_nprobs, r_cap;
    int r_nomem;
    uint64_t r_checked;
    uint64_t r_expect; /* the walk's state after the run */
    int r_rc;
    int r_done;
};

struct log__vlog {
    struct log_head l_head;
    int64_t l_lid;
    int l_bad_id; /* its id is not entry_log_id(...) */
};

struct log__vpar {
    char p_path[4096];
    const struct roster *p_roster;
    const uint8_t *p_network;
    struct log__vlog *p_logs;
    struct log__vrun *p_runs;
    size_t p_nruns;
    /* guarded by p_mu */
    pthread_mutex_t p_mu;
    pthread_cond_t p_cv;
    size_t p_next; /* next run to take */
    int p_stop;
    uint64_t p_done_entries;
};

static void
log__run_problem(void *arg, uint64_t seq, int err)
{
    struct log__vrun *r = arg;

    if (r->r_nprobs == r->r_cap) {
        size_t cap = r->r_cap ? 2 * r->r_cap : 16;
        void *p = realloc(r->r_probs, cap * sizeof(*r->r_probs));
        if (!p) {
            r->r_nomem = 1;
            return;
        }
        r->r_probs = p;
        r->r_cap = cap;
    }
    r->r_probs[r->r_nprobs].p_seq = seq;
    r->r_probs[r->r_nprobs++].p_err = err;
}

/* Checks run r on connection db (st: the run's rows, pv: the entry
 * before it). */
static int
log__run(struct log__vpar *p, struct log__vrun *r, sqlite3_stmt *st,
         sqlite3_stmt *pv)
{
    const struct log__vlog *l = &p->p_logs[r->r_log];
    struct log__verify v = {p->p_roster,
                            p->p_network,
                            &l->l_head.lh_log,
                            1,
                            {0},
                            0,
                            0,
                            log__run_problem,
                            r};
    int rc;

    /* what the sequential walk carries into this run: the last stored
     * entry before it */
    sqlite3_bind_int64(pv, 1, LOG__K(l->l_lid, r->r_from));
    sqlite3_bind_int64(pv, 2, LOG__K(l->l_lid, 0));
    rc = sqlite3_step(pv);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_bytes(pv, 0) != HASH_LEN) {
            /* the sequential walk stops at such a row: so does this */
            sqlite3_reset(pv);
            return ILONET_EMALFORMED;
        }
        memcpy(v.v_prev, sqlite3_column_blob(pv, 0), HASH_LEN);
        v.v_expect = ((uint64_t)sqlite3_column_int64(pv, 1) & LOG__SEQ_MAX) + 1;
        rc = SQLITE_DONE;
    }
    sqlite3_reset(pv);
    if (rc != SQLITE_DONE)
        return store_err(rc);
    sqlite3_bind_int64(st, 1, LOG__K(l->l_lid, r->r_from));
    sqlite3_bind_int64(st, 2, LOG__K(l->l_lid, r->r_to));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct entry e;

        if ((rc = log__entry_from_row(st, 0, &e)) != 0)
            break;
        log__verify_one(&v, &e);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = store_err(rc);
    r->r_checked = v.v_checked;
    r->r_expect = v.v_expect;
    return r->r_nomem ? ILONET_ENOMEM : rc;
}

static void *
log__worker(void *arg)
{
    struct log__vpar *p = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL, *pv = NULL;
    int err = 0;

    if (sqlite3_open_v2(p->p_path, &db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 30000) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT " LOG__ROW_COLS " FROM " LOG__ROW_FROM
                           " WHERE e.k >= ? AND e.k <= ? ORDER BY e.k",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT id, k FROM entries WHERE k < ?1 AND k > ?2"
                           " ORDER BY k DESC LIMIT 1",
                           -1, &pv, NULL) != SQLITE_OK)
        err = ILONET_EIO;
    for (;;) {
        struct log__vrun *r;

        pthread_mutex_lock(&p->p_mu);
        if (p->p_stop || p->p_next == p->p_nruns) {
            pthread_mutex_unlock(&p->p_mu);
            break;
        }
        r = &p->p_runs[p->p_next++];
        pthread_mutex_unlock(&p->p_mu);
        r->r_rc = err ? err : log__run(p, r, st, pv);
        pthread_mutex_lock(&p->p_mu);
        r->r_done = 1;
        p->p_done_entries += r->r_checked;
        pthread_cond_broadcast(&p->p_cv);
        pthread_mutex_unlock(&p->p_mu);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(pv);
    sqlite3_close(db);
    return NULL;
}

/* Fills p's logs and runs from s's heads. */
static int
log__plan(struct store *s, struct log__vpar *p, size_t *nlogs, uint64_t run,
          uint64_t *total)
{
    struct log_head *heads = NULL;
    size_t n = 0, nruns = 0;
    sqlite3_stmt *st = store_stmt(s, "SELECT lid FROM logs WHERE log_id = ?");
    int rc;

    *total = 0;
    if (!st)
        return ILONET_EIO;
    if ((rc = log_heads(s, &heads, &n)) != 0)
        return rc;
    if (n && !(p->p_logs = calloc(n, sizeof(*p->p_logs)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t want[HASH_LEN];

        p->p_logs[i].l_head = heads[i];
        sqlite3_bind_blob(st, 1, heads[i].lh_log.ld_id, HASH_LEN,
                          SQLITE_STATIC);
        rc = sqlite3_step(st);
        p->p_logs[i].l_lid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW) {
            rc = rc == SQLITE_DONE ? ILONET_ENOTFOUND : store_err(rc);
            goto out;
        }
        entry_log_id(store_network(s), heads[i].lh_log.ld_author,
                     heads[i].lh_log.ld_audience, want);
        p->p_logs[i].l_bad_id =
            memcmp(want, heads[i].lh_log.ld_id, HASH_LEN) != 0;
        nruns += heads[i].lh_seq ? (heads[i].lh_seq + run - 1) / run : 0;
        *total += heads[i].lh_seq;
    }
    if (nruns && !(p->p_runs = calloc(nruns, sizeof(*p->p_runs)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (uint64_t from = 1; from <= heads[i].lh_seq; from += run) {
            struct log__vrun *r = &p->p_runs[p->p_nruns++];
            r->r_log = i;
            r->r_from = from;
            r->r_to =
                heads[i].lh_seq - from < run ? heads[i].lh_seq : from + run - 1;
        }
    *nlogs = n;
    rc = 0;
out:
    free(heads);
    return rc;
}

/* Delivers what run r found, as the sequential walk would. */
static void
log__deliver(const struct log__vpar *p, const struct log__vrun *r,
             const struct log_verify_opts *o, uint64_t *bad, int *first)
{
    const uint8_t *log = p->p_logs[r->r_log].l_head.lh_log.ld_id;

    for (size_t i = 0; i < r->r_nprobs; i++) {
        (*bad)++;
        if (!*first)
            *first = r->r_probs[i].p_err;
        if (o->lo_problem)
            o->lo_problem(o->lo_arg, log, r->r_probs[i].p_seq,
                          r->r_probs[i].p_err);
    }
}

/* A problem of the walk itself (not found in a run): counted and told. */
static void
log__deliver_one(const struct log_verify_opts *o, const uint8_t *log,
                 uint64_t seq, int err, uint64_t *bad, int *first)
{
    (*bad)++;
    if (!*first)
        *first = err;
    if (o->lo_problem)
        o->lo_problem(o->lo_arg, log, seq, err);
}

int
log_verify_threads(unsigned want)
{
    long n;

    if (want)
        return (int)want;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int
log_verify_all_par(struct store *s, const struct log_verify_opts *o,
                   uint64_t *checked, uint64_t *bad)
{
    static const struct log_verify_opts none;
    struct log__vpar p;
    pthread_t th[64];
    size_t nlogs = 0, nth = 0, delivered = 0;
    uint64_t total = 0, tc = 0, tb = 0, run;
    const char *path;
    int rc, first = 0, threads;

    if (!s)
        return ILONET_EINVAL;
    if (!o)
        o = &none;
    threads = log_verify_threads(o->lo_threads);
    if (threads > 64)
        threads = 64;
    path = sqlite3_db_filename(store_db(s), "main");
    /* one thread, or no file another connection could open: the walk of
     * the calling thread */
    if (threads <= 1 || !path || !*path)
        return log_verify_all(s, o->lo_problem, o->lo_arg, checked, bad);
    memset(&p, 0, sizeof(p));
    if (strlen(path) >= sizeof(p.p_path))
        return log_verify_all(s, o->lo_problem, o->lo_arg, checked, bad);
    memcpy(p.p_path, path, strlen(path) + 1);
    p.p_roster = store_roster(s);
    p.p_network = store_network(s);
    run = o->lo_run ? o->lo_run : LOG__VERIFY_RUN;
    if ((rc = log__plan(s, &p, &nlogs, run, &total)) != 0)
        goto out_plan;
    pthread_mutex_init(&p.p_mu, NULL);
    pthread_cond_init(&p.p_cv, NULL);
    for (int i = 0; i < threads && (size_t)i < p.p_nruns; i++)
        if (pthread_create(&th[nth], NULL, log__worker, &p) == 0)
            nth++;
    if (nth == 0 && p.p_nruns) {
        rc = ILONET_EIO;
        goto out;
    }
    /* Deliver the runs in order as they complete: logs in head order,
     * each log's problem at seq 0 first, then its runs, then its end. */
    rc = 0;
    for (size_t li = 0; li < nlogs && rc == 0; li++) {
        const struct log__vlog *l = &p.p_logs[li];
        uint64_t expect = 1;

        if (l->l_bad_id)
            log__deliver_one(o, l->l_head.lh_log.ld_id, 0, ILONET_ENETWORK, &tb,
                             &first);
        while (delivered < p.p_nruns && p.p_runs[delivered].r_log == li) {
            const struct log__vrun *r = &p.p_runs[delivered];

            pthread_mutex_lock(&p.p_mu);
            while (!r->r_done) {
                uint64_t done;
                pthread_cond_wait(&p.p_cv, &p.p_mu);
                done = p.p_done_entries;
                pthread_mutex_unlock(&p.p_mu);
                if (o->lo_progress)
                    o->lo_progress(o->lo_progress_arg, done, total);
                pthread_mutex_lock(&p.p_mu);
            }
            pthread_mutex_unlock(&p.p_mu);
            log__deliver(&p, r, o, &tb, &first);
            tc += r->r_checked;
            delivered++;
            if ((rc = r->r_rc) != 0)
                break;
            expect = r->r_expect;
        }
        if (rc == 0 && expect != l->l_head.lh_seq + 1)
            log__deliver_one(o, l->l_head.lh_log.ld_id, expect, ILONET_ESEQ,
                             &tb, &first);
    }
    if (rc == 0 && o->lo_progress)
        o->lo_progress(o->lo_progress_arg, total, total);
out:
    pthread_mutex_lock(&p.p_mu);
    p.p_stop = 1;
    pthread_mutex_unlock(&p.p_mu);
    for (size_t i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    pthread_cond_destroy(&p.p_cv);
    pthread_mutex_destroy(&p.p_mu);
out_plan:
    for (size_t i = 0; i < p.p_nruns; i++)
        free(p.p_runs[i].r_probs);
    free(p.p_runs);
    free(p.p_logs);
    if (checked)
        *checked = tc;
    if (bad)
        *bad = tb;
    if (rc != 0)
        return rc;
    return first;
}
