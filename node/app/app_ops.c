/* app_ops.c - maintenance use cases: export, import, log, verify, restore. */
#include "app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/bundle.h"
#include "storage/log.h"
#include "storage/view/view.h"

_Static_assert(APP_AUDIENCE_MAX == ENTRY_AUDIENCE_MAX,
               "app audience buffers hold any audience");

/* "<errname>: <why>" of a store code, the tail of most messages here. */
static int
app__fail_code(struct app_err *err, const char *what, int code)
{
    if (what)
        return app_fail(err, code, "%s: %s: %s", what, ilonet_errname(code),
                        ilonet_strerror(code));
    return app_fail(err, code, "%s: %s", ilonet_errname(code),
                    ilonet_strerror(code));
}

/* Marks the failure app_fail() just filled as a usage error of field. */
static int
app__usage(struct app_err *err, const char *field)
{
    err->ae_usage = 1;
    snprintf(err->ae_field, sizeof(err->ae_field), "%s", field);
    return err->ae_code;
}

/* ---- export ------------------------------------------------------------- */

int
app_export_check(const struct app_export *req, struct app_err *err)
{
    if (!req->ex_path) {
        app_fail(err, ILONET_EINVAL, "out FILE is required");
        return app__usage(err, "out");
    }
    if (req->ex_for && !key_state_valid(req->ex_for)) {
        app_fail(err, ILONET_EINVAL, "for %s: not a state code", req->ex_for);
        return app__usage(err, "for");
    }
    return 0;
}

struct app__export_for {
    const char *ef_state;
    enum cert_role ef_role;
};

static int
app__export_keep(void *arg, const struct log_desc *d)
{
    const struct app__export_for *f = arg;

    return audience_admits(d->ld_audience, f->ef_state, f->ef_role);
}

int
app_export(struct home *h, const struct app_export *req,
           struct app_export_out *out, struct app_err *err)
{
    struct app__export_for ef;
    uint64_t nl = 0, ne = 0;
    int rc;

    if ((rc = app_export_check(req, err)) != 0)
        return rc;
    /* The state's role decides the role-bound audiences it may read, as
     * its own node's certificate would. */
    ef.ef_state = req->ex_for;
    ef.ef_role = req->ex_for ? cert_role_for_state(req->ex_for) : ROLE_ILO;
    rc = bundle_export(h->h_store, req->ex_path,
                       req->ex_for ? app__export_keep : NULL, &ef, &nl, &ne);
    if (rc != 0)
        return app__fail_code(err, req->ex_path, rc);
    out->eo_logs = nl;
    out->eo_entries = ne;
    return 0;
}

/* ---- import ------------------------------------------------------------- */

int
app_import_check(const struct app_import *req, struct app_err *err)
{
    if (!req->im_path) {
        app_fail(err, ILONET_EINVAL, "FILE is required");
        return app__usage(err, "");
    }
    return 0;
}

static void
app__import_note(const struct app_import *req, enum app_import_what what,
                 const struct log_desc *d)
{
    struct app_import_note n;

    if (!req->im_note)
        return;
    memset(&n, 0, sizeof(n));
    n.in_what = what;
    memcpy(n.in_log, d->ld_id, HASH_LEN);
    memcpy(n.in_audience, d->ld_audience, sizeof(n.in_audience));
    req->im_note(req->im_arg, &n);
}

static void
app__import_skip(void *arg, const struct log_desc *d)
{
    app__import_note(arg, APP_IMPORT_SKIPPED, d);
}

static void
app__import_fork(void *arg, const struct log_desc *d)
{
    app__import_note(arg, APP_IMPORT_FORK, d);
}

int
app_import(struct home *h, const struct app_import *req,
           struct app_import_out *out, struct app_err *err)
{
    struct bundle_report r;
    int rc;

    if ((rc = app_import_check(req, err)) != 0)
        return rc;
    memset(&r, 0, sizeof(r));
    /* The note callbacks only read the request. */
    rc = bundle_import(h->h_store, req->im_path, home_now_ms(),
                       app__import_skip, app__import_fork, (void *)req, &r);
    if (rc != 0) {
        if (r.br_err_seq) {
            char log[2 * HASH_LEN + 1];

            hash_hex(r.br_err_log, HASH_LEN, log);
            return app_fail(
                err, rc, "%s: %s: log %s seq %llu: %s (nothing stored)",
                req->im_path, ilonet_errname(rc), log,
                (unsigned long long)r.br_err_seq, ilonet_strerror(rc));
        }
        return app_fail(err, rc, "%s: %s: at byte %llu: %s (nothing stored)",
                        req->im_path, ilonet_errname(rc),
                        (unsigned long long)r.br_err_offset,
                        ilonet_strerror(rc));
    }
    /* erasures imported took their blobs' keys: the bytes go too (a
     * failure here leaves them for the next collection) */
    (void)app__blob_gc(h);
    out->io_new = r.br_new;
    out->io_dup = r.br_dup;
    out->io_forks = r.br_forks;
    out->io_quarantined = r.br_quarantined;
    out->io_skipped_logs = r.br_skipped_logs;
    return 0;
}

/* ---- log ---------------------------------------------------------------- */

struct app__log_walk {
    const struct app_log_visit *lw_v;
};

static int
app__log_entry(void *arg, const struct entry *e)
{
    const struct app__log_walk *w = arg;
    struct app_log_entry le;

    le.le_seq = e->e_h.h_seq;
    memcpy(le.le_id, e->e_id, HASH_LEN);
    le.le_kind = e->e_h.h_kind;
    le.le_kind_name = entry_kind_name(e->e_h.h_kind);
    le.le_hlc = e->e_h.h_hlc;
    le.le_time_ms = e->e_h.h_hlc >> 16; /* 48 bits of ms, 16 of counter */
    le.le_payload_len = e->e_h.h_payload_len;
    le.le_erased = e->e_payload == NULL;
    return w->lw_v->lv_entry ? w->lw_v->lv_entry(w->lw_v->lv_arg, &le) : 0;
}

int
app_log(struct home *h, const struct app_log_visit *v, struct app_err *err)
{
    struct log_head *heads = NULL;
    struct app__log_walk w = {v};
    size_t n = 0;
    int rc;

    if ((rc = log_heads(h->h_store, &heads, &n)) != 0)
        return app__fail_code(err, NULL, rc);
    for (size_t i = 0; i < n; i++) {
        const struct log_head *lh = &heads[i];
        struct app_log_info li;

        memcpy(li.li_id, lh->lh_log.ld_id, HASH_LEN);
        memcpy(li.li_author, lh->lh_log.ld_author, KEY_PK_LEN);
        memcpy(li.li_audience, lh->lh_log.ld_audience, sizeof(li.li_audience));
        li.li_head = lh->lh_seq;
        li.li_frozen = lh->lh_frozen;
        if (v->lv_log && (rc = v->lv_log(v->lv_arg, &li)) != 0)
            break;
        if ((rc = log_range(h->h_store, lh->lh_log.ld_id, 1, UINT64_MAX,
                            SIZE_MAX, app__log_entry, &w)) != 0)
            break;
    }
    free(heads);
    return rc ? app__fail_code(err, NULL, rc) : 0;
}

/* ---- verify ------------------------------------------------------------- */

struct app__verify_walk {
    const struct app_verify_req *vw_rq;
    int vw_evidence;
};

static void
app__verify_problem(void *arg, const uint8_t log[static HASH_LEN], uint64_t seq,
                    int code)
{
    const struct app__verify_walk *w = arg;
    struct app_verify_problem p;

    if (!w->vw_rq->vq_problem)
        return;
    memcpy(p.vp_log, log, HASH_LEN);
    p.vp_seq = seq;
    p.vp_code = code;
    p.vp_evidence = w->vw_evidence;
    w->vw_rq->vq_problem(w->vw_rq->vq_arg, &p);
}

static void
app__verify_progress(void *arg, uint64_t done, uint64_t total)
{
    const struct app_verify_req *rq = arg;

    rq->vq_progress(rq->vq_arg, done, total);
}

int
app_verify(struct home *h, app_verify_cb cb, void *arg,
           struct app_verify_out *out, struct app_err *err)
{
    struct app_verify_req rq;

    memset(&rq, 0, sizeof(rq));
    rq.vq_problem = cb;
    rq.vq_arg = arg;
    return app_verify_with(h, &rq, out, err);
}

int
app_verify_with(struct home *h, const struct app_verify_req *rq,
                struct app_verify_out *out, struct app_err *err)
{
    struct app__verify_walk w = {rq, 0};
    struct log_verify_opts lo;
    struct view_check_job *job = NULL;
    struct app_verify_out o;
    uint8_t live[HASH_LEN], rebuilt[HASH_LEN];
    int rc, view_rc, counts_ok = 0;

    memset(&o, 0, sizeof(o));
    memset(&lo, 0, sizeof(lo));
    lo.lo_threads = rq->vq_threads;
    lo.lo_problem = app__verify_problem;
    lo.lo_arg = &w;
    lo.lo_progress = rq->vq_progress ? app__verify_progress : NULL;
    lo.lo_progress_arg = (void *)rq;
    /* On more than one thread the comparison of the view with a rebuild
     * (one SQLite writer, its own connection) runs beside the entries'
     * checks; on one, after them, as it always did. */
    if (log_verify_threads(rq->vq_threads) > 1 &&
        view_check_start(h->h_store, &job) != 0)
        job = NULL;
    /* Any other code is the verdict on some entry, already counted in
     * vo_bad and told to the callback: the check itself ran to its end. */
    rc = log_verify_all_par(h->h_store, &lo, &o.vo_checked, &o.vo_bad);
    if (rc == ILONET_EIO || rc == ILONET_ENOMEM) {
        rc = app__fail_code(err, NULL, rc);
        goto fail;
    }
    w.vw_evidence = 1;
    if ((rc = log_verify_evidence(h->h_store, app__verify_problem, &w,
                                  &o.vo_evidence, &o.vo_bad_evidence)) != 0) {
        rc = app__fail_code(err, "evidence", rc);
        goto fail;
    }
    /* A view that cannot even be hashed or rebuilt does not match; nor
     * one whose kept counts are not the rows' counts. */
    if (job) {
        view_rc = view_check_finish(job, live, rebuilt, &counts_ok);
        job = NULL;
    } else if ((view_rc = view_check(h->h_store, live, rebuilt)) == 0) {
        view_rc = view_counts_check(h->h_store, &counts_ok);
    }
    o.vo_view_ok =
        view_rc == 0 && memcmp(live, rebuilt, HASH_LEN) == 0 && counts_ok;
    o.vo_ok = o.vo_bad == 0 && o.vo_bad_evidence == 0 && o.vo_view_ok;
    *out = o;
    return 0;
fail:
    if (job)
        view_check_finish(job, live, rebuilt, NULL);
    return rc;
}

/* ---- restore ------------------------------------------------------------ */

int
app_restore(struct home *h, int clear, int *restored, struct app_err *err)
{
    int rc, r = 0;

    rc = clear ? log_clear_restored(h->h_store) : log_mark_restored(h->h_store);
    if (rc == 0)
        rc = log_is_restored(h->h_store, &r);
    if (rc != 0)
        return app__fail_code(err, NULL, rc);
    *restored = r;
    return 0;
}
