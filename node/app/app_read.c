/* app_read.c - the read use cases of the CLI and the HTTP API. */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/json.h"
#include "node/report/report.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "storage/view/vocab.h"

/* A store error as every read reports it. */
static int
app__store_fail(struct app_err *err, int rc)
{
    return app_fail(err, rc, "%s", ilonet_strerror(rc));
}

/* A read's result: a sink's stop code passes through untouched. */
static int
app__read_done(struct app_err *err, int rc)
{
    return rc < 0 ? app__store_fail(err, rc) : rc;
}

static int app__field_fail(struct app_err *err, const char *field,
                           const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A bad input field: ILONET_EINVAL naming it in ae_field. */
static int
app__field_fail(struct app_err *err, const char *field, const char *fmt, ...)
{
    va_list ap;

    err->ae_code = ILONET_EINVAL;
    err->ae_usage = 0;
    err->ae_conflict = 0; /* else HTTP answers 409 from a stale value */
    snprintf(err->ae_field, sizeof(err->ae_field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(err->ae_msg, sizeof(err->ae_msg), fmt, ap);
    va_end(ap);
    return ILONET_EINVAL;
}

/* ---- lists --------------------------------------------------------------- */

/* period=FROM..TO | DATE | YYYY-H1/H2 into two ISO dates (app_int.h). */
int
app__period(const char *v, char from[11], char to[11], struct app_err *err)
{
    struct record_builder rb;
    uint64_t a, b;

    if (report_semester_parse(v, &a, &b) == 0) {
        record_format_date(a / 1000, from);
        record_format_date(b / 1000 - 1, to);
        return 0;
    }
    /* The same checks and message as the field --period. */
    record_builder_init(&rb, KIND_OBSERVATION);
    if (record_set(&rb, "period", v) != 0)
        return app__field_fail(
            err, "period", "%s (or a semester, 2026-H2)",
            rb.rb_err + (strncmp(rb.rb_err, "field 'period': ", 16) ? 0 : 16));
    snprintf(from, 11, "%.10s", v);
    snprintf(to, 11, "%.10s", strlen(v) > 10 ? v + 12 : v);
    return 0;
}

/* What a checked list request becomes for view_list(). */
struct app__list {
    uint32_t lv_kind;
    char lv_from[11], lv_to[11];
    char lv_aud[ENTRY_AUDIENCE_MAX + 1];
};

/* 1 if code is a value of set; else 0, with "a, b, c" of the set (after
 * first, when given) into list. */
static int
app__in_set(const struct vocab_set *set, const char *first, const char *code,
            char *list, size_t cap)
{
    size_t off = (size_t)snprintf(list, cap, "%s", first ? first : "");

    if (first && strcmp(code, first) == 0)
        return 1;
    if (set && vocab_value(set, code, strlen(code)))
        return 1;
    for (size_t i = 0; set && i < set->vs_n && off < cap; i++)
        off += (size_t)snprintf(list + off, cap - off, "%s%s",
                                i || (first && *first) ? ", " : "",
                                set->vs_values[i].vv_code);
    return 0;
}

/* Checks rq (the one validation path of a list) into lv: categories and
 * task statuses are those of vocabulary v. */
static int
app__list_check(const struct vocab *v, const struct app_list_req *rq,
                struct app__list *lv, struct app_err *err)
{
    char list[APP_MSG_MAX - 100];
    uint32_t k;
    int rc;

    if (view_list_kind(rq->al_list, &k) != 0) {
        app_fail(err, ILONET_EINVAL, "unknown kind: %s",
                 rq->al_list ? rq->al_list : "");
        err->ae_usage = 1;
        snprintf(err->ae_field, sizeof(err->ae_field), "kind");
        return ILONET_EINVAL;
    }
    if ((rq->al_category || rq->al_status) && !v)
        return app_fail(err, ILONET_EINVAL,
                        "no vocabulary to check category and status against");
    if (rq->al_category && k != KIND_OBSERVATION)
        return app__field_fail(err, "category",
                               "only observations have a category");
    if (rq->al_category && !app__in_set(vocab_set(v, "categories"), NULL,
                                        rq->al_category, list, sizeof(list)))
        return app__field_fail(err, "category",
                               "unknown value '%.60s' (one of %s)",
                               rq->al_category, list);
    if ((rq->al_status || rq->al_assignee) && k != KIND_TASK)
        return app__field_fail(err, rq->al_status ? "status" : "assignee",
                               "only tasks have %s",
                               rq->al_status ? "a status" : "assignees");
    /* "open": a task without a status change yet */
    if (rq->al_status && !app__in_set(vocab_set(v, "task-statuses"), "open",
                                      rq->al_status, list, sizeof(list)))
        return app__field_fail(err, "status",
                               "unknown value '%.40s' (one of %s)",
                               rq->al_status, list);
    if (rq->al_period &&
        (rc = app__period(rq->al_period, lv->lv_from, lv->lv_to, err)) != 0)
        return rc;
    if (rq->al_audience && audience_normalise(rq->al_audience, lv->lv_aud) != 0)
        return app__field_fail(err, "audience",
                               "'%.60s' is not net, ms or a group of state "
                               "codes like DE+FR",
                               rq->al_audience);
    if (rq->al_state && !key_state_valid(rq->al_state))
        return app__field_fail(err, "state", "'%.20s' is not a state code",
                               rq->al_state);
    if (rq->al_assignee && !key_state_valid(rq->al_assignee))
        return app__field_fail(err, "assignee", "'%.20s' is not a state code",
                               rq->al_assignee);
    if (rq->al_text && strlen(rq->al_text) > VIEW_TEXT_MAX)
        return app__field_fail(err, "text", "over %d bytes", VIEW_TEXT_MAX);
    if (k == 0 &&
        (rq->al_newest || rq->al_state || rq->al_audience || rq->al_period ||
         rq->al_text || rq->al_limit || rq->al_after))
        return app_fail(err, ILONET_EINVAL,
                        "%s: filters, order and pages are for record kinds "
                        "only",
                        rq->al_list);
    lv->lv_kind = k;
    return 0;
}

int
app_list_check(const struct vocab *v, const struct app_list_req *rq,
               uint32_t *kind, struct app_err *err)
{
    struct app__list lv;
    int rc;

    if ((rc = app__list_check(v, rq, &lv, err)) != 0)
        return rc;
    *kind = lv.lv_kind;
    return 0;
}

int
app_list(struct home *h, const struct app_list_req *rq,
         const struct view_sink *out, struct view_list_res *res,
         struct app_err *err)
{
    struct view_list_req vr;
    struct app__list v;
    int rc;

    if ((rc = app__list_check(h->h_vocab, rq, &v, err)) != 0)
        return rc;
    memset(&vr, 0, sizeof(vr));
    vr.lr_list = rq->al_list;
    vr.lr_all = v.lv_kind ? rq->al_all : 0;
    vr.lr_order = rq->al_newest ? VIEW_ORDER_NEWEST : VIEW_ORDER_LIST;
    vr.lr_state = rq->al_state;
    vr.lr_category = rq->al_category;
    vr.lr_audience = rq->al_audience ? v.lv_aud : NULL;
    vr.lr_from = rq->al_period ? v.lv_from : NULL;
    vr.lr_to = rq->al_period ? v.lv_to : NULL;
    vr.lr_text = rq->al_text;
    vr.lr_status = rq->al_status;
    vr.lr_assignee = rq->al_assignee;
    vr.lr_limit = rq->al_limit;
    vr.lr_after = rq->al_after;
    rc = view_list(h->h_store, &vr, out, res);
    if (rc == ILONET_EINVAL && rq->al_after)
        return app__field_fail(
            err, "after", "'%.80s' is not a cursor of this list", rq->al_after);
    return app__read_done(err, rc);
}

/* ---- one record ---------------------------------------------------------- */

int
app_record_find(struct home *h, const char *id, uint32_t kind,
                struct view_record_info *info, struct app_err *err)
{
    int rc = view_record_find(h->h_store, id, info);

    if (rc == ILONET_EINVAL)
        return app_fail(err, rc,
                        "%s: not a record id (hex, at least 6 digits, "
                        "unambiguous)",
                        id);
    if (rc == ILONET_ENOTFOUND || (rc == 0 && kind && info->vr_kind != kind))
        return app_fail(err, ILONET_ENOTFOUND, "%s: no such %s in the view", id,
                        kind ? entry_kind_name(kind) : "record");
    if (rc != 0)
        return app__store_fail(err, rc);
    return 0;
}

int
app_record_show(struct home *h, const struct view_record_info *info,
                const struct view_sink *record, const struct view_sink *history,
                struct app_err *err)
{
    char hex[2 * HASH_LEN + 1];
    int rc = view_record_get(h->h_store, info->vr_id, record, history);

    if (rc == ILONET_ENOTFOUND) {
        hash_hex(info->vr_id, HASH_LEN, hex);
        return app_fail(err, rc, "%s: no such record", hex);
    }
    return app__read_done(err, rc);
}

int
app_change_find(struct home *h, const char *id, const struct view_sink *out,
                struct app_err *err)
{
    int rc = view_change_find(h->h_store, id, out);

    if (rc == ILONET_ENOTFOUND || rc == ILONET_EINVAL)
        return app_fail(err, ILONET_ENOTFOUND, "%s: no such record in the view",
                        id);
    return app__read_done(err, rc);
}

/* ---- query --------------------------------------------------------------- */

int
app_query(struct home *h, const char *sql, const struct view_sink *out,
          struct app_err *err)
{
    char why[APP_MSG_MAX];
    int rc = view_query(h->h_store, sql, 0, out, why, sizeof(why));

    if (rc < 0)
        return app_fail(err, rc, "%s", why);
    return rc;
}

/* ---- status -------------------------------------------------------------- */

void
app_status_free(struct app_status *st)
{
    if (!st)
        return;
    free(st->as_heads);
    free(st->as_peers);
    free(st->as_members);
    memset(st, 0, sizeof(*st));
}

/* The distinct audiences among the heads hs into aud[*n..] (names only;
 * APP_AUDIENCES_MAX in all at most). */
static void
app__audiences(const struct log_head *hs, size_t nh, struct app_audience *aud,
               size_t *n)
{
    for (size_t i = 0; i < nh; i++) {
        const char *a = hs[i].lh_log.ld_audience;
        size_t j;

        for (j = 0; j < *n; j++)
            if (strcmp(aud[j].aa_name, a) == 0)
                break;
        if (j < *n || j == APP_AUDIENCES_MAX)
            continue;
        snprintf(aud[j].aa_name, sizeof(aud[j].aa_name), "%s", a);
        (*n)++;
    }
}

/* The view hash and, with audiences, the distinct audiences among the
 * heads, each with its own: computed together (view_hashes()). */
static int
app__hashes(struct home *h, struct app_status *st, int audiences)
{
    const char *names[1 + APP_AUDIENCES_MAX];
    uint8_t(*out)[HASH_LEN];
    size_t n = 1;
    int rc;

    if (audiences)
        app__audiences(st->as_heads, st->as_nheads, st->as_audiences,
                       &st->as_naudiences);
    names[0] = NULL; /* everything held */
    for (size_t j = 0; j < st->as_naudiences; j++)
        names[n++] = st->as_audiences[j].aa_name;
    if (!(out = calloc(n, sizeof(*out))))
        return ILONET_ENOMEM;
    if ((rc = view_hashes(h->h_store, names, n, out)) == 0) {
        memcpy(st->as_view_hash, out[0], HASH_LEN);
        st->as_hashed = 1;
        for (size_t j = 0; j < st->as_naudiences; j++) {
            memcpy(st->as_audiences[j].aa_hash, out[j + 1], HASH_LEN);
            st->as_audiences[j].aa_ok = 1;
        }
    }
    free(out);
    return rc;
}

/* Every author whose logs are held, in the order of its first head. */
static int
app__members(struct home *h, struct app_status *st)
{
    const struct log_head *hd = st->as_heads;

    if (st->as_nheads &&
        !(st->as_members = calloc(st->as_nheads, sizeof(*st->as_members))))
        return ILONET_ENOMEM;
    for (size_t i = 0; i < st->as_nheads; i++) {
        struct app_member *m = NULL;
        struct cert c;

        for (size_t j = 0; j < st->as_nmembers && !m; j++)
            if (memcmp(st->as_members[j].am_node, hd[i].lh_log.ld_author,
                       KEY_PK_LEN) == 0)
                m = &st->as_members[j];
        if (!m) {
            m = &st->as_members[st->as_nmembers++];
            memcpy(m->am_node, hd[i].lh_log.ld_author, KEY_PK_LEN);
            if (log_author_cert(h->h_store, m->am_node, &c) == 0) {
                m->am_has_cert = 1;
                snprintf(m->am_state, sizeof(m->am_state), "%s", c.c_state);
                m->am_role = c.c_role;
                m->am_not_after = c.c_not_after;
            }
            m->am_self = memcmp(m->am_node, h->h_key.pk, KEY_PK_LEN) == 0;
        }
        m->am_logs++;
        m->am_entries += hd[i].lh_seq;
    }
    return 0;
}

int
app_status(struct home *h, unsigned flags, struct app_status *out,
           struct app_err *err)
{
    struct app_status st;
    int rc;

    memset(&st, 0, sizeof(st));
    if ((rc = log_heads(h->h_store, &st.as_heads, &st.as_nheads)) != 0 ||
        (rc = log_counts(h->h_store, &st.as_entries, &st.as_logs,
                         &st.as_evidence, &st.as_quarantine)) != 0 ||
        (!(flags & APP_STATUS_NOHASH) &&
         (rc = app__hashes(h, &st, flags & APP_STATUS_AUDIENCES)) != 0) ||
        (rc = log_heads_digest(h->h_store, st.as_heads_digest)) != 0)
        goto fail;
    if (log_is_restored(h->h_store, &st.as_restored) != 0)
        st.as_restored = 0;
    /* The running node records its peer table here (node-local state). */
    if (store_meta_get(h->h_store, "peer_status", &st.as_peers,
                       &st.as_peers_len) != 0)
        st.as_peers = NULL;
    if ((flags & APP_STATUS_MEMBERS) && (rc = app__members(h, &st)) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    app_status_free(&st);
    return app__store_fail(err, rc);
}

int
app_view_fingerprint(struct home *h, uint8_t fp[static HASH_LEN],
                     struct app_err *err)
{
    int rc = view_fingerprint(h->h_store, NULL, fp);

    return rc ? app__store_fail(err, rc) : 0;
}

int
app_view_hash_keep(struct home *h, const uint8_t *known,
                   uint8_t fp[static HASH_LEN], uint8_t hash[static HASH_LEN],
                   int *computed, int (*stop)(void *arg), void *arg,
                   struct app_err *err)
{
    const char *names[1 + APP_AUDIENCES_MAX];
    struct app_audience *aud = NULL;
    uint8_t(*fps)[HASH_LEN] = NULL, (*hs)[HASH_LEN] = NULL;
    struct log_head *heads = NULL;
    size_t nh = 0, na = 0, n = 1;
    int opened, rc;

    *computed = 0;
    if (!(aud = calloc(APP_AUDIENCES_MAX, sizeof(*aud))) ||
        !(fps = calloc(1 + APP_AUDIENCES_MAX, sizeof(*fps))) ||
        !(hs = calloc(1 + APP_AUDIENCES_MAX, sizeof(*hs)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    if ((rc = store_snapshot_begin(h->h_store, &opened)) != 0)
        goto out;
    if ((rc = view_fingerprint(h->h_store, NULL, fp)) == 0 &&
        (!known || memcmp(known, fp, HASH_LEN) != 0) &&
        (rc = log_heads(h->h_store, &heads, &nh)) == 0) {
        app__audiences(heads, nh, aud, &na);
        names[0] = NULL; /* everything held */
        memcpy(fps[0], fp, HASH_LEN);
        for (size_t j = 0; rc == 0 && j < na; j++, n++) {
            names[n] = aud[j].aa_name;
            rc = view_fingerprint(h->h_store, names[n], fps[n]);
        }
        if (rc == 0) {
            store_set_cancel(h->h_store, stop, arg);
            rc = view_hashes(h->h_store, names, n, hs);
            store_set_cancel(h->h_store, NULL, NULL);
        }
        if (rc == 0) {
            memcpy(hash, hs[0], HASH_LEN);
            *computed = 1;
        }
    }
    store_snapshot_end(h->h_store, opened);
    /* best effort: a process that finds none computes its own */
    for (size_t j = 0; *computed && j < n; j++)
        (void)view_hash_share(h->h_store, names[j], fps[j], hs[j]);
out:
    free(heads);
    free(aud);
    free(fps);
    free(hs);
    return rc ? app__store_fail(err, rc) : 0;
}

/* ---- stats, recent, grants, evidence ------------------------------------- */

int
app_stats(struct home *h, const struct view_sink *by_month,
          const struct view_sink *kinds, struct app_err *err)
{
    int rc;

    if ((rc = view_counts_by_month(h->h_store, by_month)) != 0)
        return app__read_done(err, rc);
    return app__read_done(err, view_counts_by_kind(h->h_store, kinds));
}

const struct vocab_set *
app_categories(const struct home *h)
{
    return h && h->h_vocab ? vocab_set(h->h_vocab, "categories") : NULL;
}

int
app_recent(struct home *h, uint64_t limit, const struct view_sink *out,
           struct app_err *err)
{
    return app__read_done(err, view_recent(h->h_store, limit, out));
}

int
app_grants(struct home *h, const struct view_sink *out, struct app_err *err)
{
    return app__read_done(err, view_grants(h->h_store, home_now_ms(), out));
}

/* Rows of evidence or quarantine, reshaped for the caller's sink. */
struct app__relay {
    struct home *ar_home;
    const struct view_sink *ar_out;
};

/* The reshaped rows' names, in the order of the cells they carry. */
static const char *const app__evidence_cols[] = {
    "log", "seq", "author", "audience", "entry_a", "entry_b", "author_state",
};
static const char *const app__quarantine_cols[] = {
    "log", "seq", "entry", "code", "reason", "until_ms",
};

static int
app__relay_names(const struct app__relay *r, const char *const *names, size_t n)
{
    struct view_cell cells[8];
    struct view_row row = {n, cells};

    if (!r->ar_out || !r->ar_out->vs_columns)
        return 0;
    memset(cells, 0, sizeof(cells));
    for (size_t i = 0; i < n; i++)
        cells[i].ce_name = names[i];
    return r->ar_out->vs_columns(r->ar_out->vs_arg, &row);
}

static int
app__evidence_columns(void *arg, const struct view_row *names)
{
    (void)names;
    return app__relay_names(arg, app__evidence_cols, 7);
}

static int
app__quarantine_columns(void *arg, const struct view_row *names)
{
    (void)names;
    return app__relay_names(arg, app__quarantine_cols, 6);
}

/* log, seq, author, audience, entry_a, entry_b, author_key ->
 * the first six, then author_state. */
static int
app__evidence_row(void *arg, const struct view_row *row)
{
    struct app__relay *r = arg;
    struct view_cell cells[7];
    struct view_row out = {7, cells};
    struct cert c;

    if (row->rw_ncells != 7)
        return ILONET_EIO;
    memcpy(cells, row->rw_cells, 6 * sizeof(cells[0]));
    memset(&cells[6], 0, sizeof(cells[6]));
    cells[6].ce_name = app__evidence_cols[6];
    if (row->rw_cells[6].ce_type == VIEW_BLOB &&
        row->rw_cells[6].ce_len == KEY_PK_LEN &&
        log_author_cert(r->ar_home->h_store, row->rw_cells[6].ce_blob, &c) ==
            0) {
        cells[6].ce_type = VIEW_TEXT;
        cells[6].ce_text = c.c_state;
        cells[6].ce_len = strlen(c.c_state);
    }
    return r->ar_out && r->ar_out->vs_row
               ? r->ar_out->vs_row(r->ar_out->vs_arg, &out)
               : 0;
}

/* log, seq, entry, code, until_ms -> log, seq, entry, code (name),
 * reason, until_ms. */
static int
app__quarantine_row(void *arg, const struct view_row *row)
{
    struct app__relay *r = arg;
    struct view_cell cells[6];
    struct view_row out = {6, cells};
    int code;

    if (row->rw_ncells != 5)
        return ILONET_EIO;
    code = (int)row->rw_cells[3].ce_int;
    memcpy(cells, row->rw_cells, 3 * sizeof(cells[0]));
    memset(&cells[3], 0, 2 * sizeof(cells[0]));
    cells[3].ce_name = app__quarantine_cols[3];
    cells[3].ce_type = VIEW_TEXT;
    cells[3].ce_text = ilonet_errname(code);
    cells[3].ce_len = strlen(cells[3].ce_text);
    cells[4].ce_name = app__quarantine_cols[4];
    cells[4].ce_type = VIEW_TEXT;
    cells[4].ce_text = ilonet_strerror(code);
    cells[4].ce_len = strlen(cells[4].ce_text);
    cells[5] = row->rw_cells[4];
    return r->ar_out && r->ar_out->vs_row
               ? r->ar_out->vs_row(r->ar_out->vs_arg, &out)
               : 0;
}

int
app_evidence(struct home *h, const struct view_sink *evidence,
             const struct view_sink *quarantine, struct app_err *err)
{
    struct app__relay re = {h, evidence}, rq = {h, quarantine};
    struct view_sink se = {app__evidence_columns, app__evidence_row, &re};
    struct view_sink sq = {app__quarantine_columns, app__quarantine_row, &rq};
    int rc;

    if ((rc = view_evidence(h->h_store, &se)) != 0)
        return rc < 0 ? app_fail(err, rc, "store: evidence") : rc;
    if ((rc = view_quarantine(h->h_store, &sq)) != 0)
        return rc < 0 ? app_fail(err, rc, "store: quarantine") : rc;
    return 0;
}

/* ---- rendering help ------------------------------------------------------ */

const char *
app_kind_name(uint32_t kind)
{
    return entry_kind_name(kind);
}

/* The columns of a record row that are not fields (its head, and the
 * lists' own), docs/VIEW.md: a field whose name is one of them is carried
 * under its column instead (app_field_key). */
static const char *const app__head_cols[] = {
    "id",          "kind",         "audience",  "state",      "author_state",
    "creator",     "hlc",          "time_ms",   "status",     "status_by",
    "valid",       "why",          "base_why",  "updated",    "grant_id",
    "task_status", "retracted_by", "erased_by", "event_from", "event_to",
    "period_from", "period_to",    "vocab",     NULL,
};

static int
app__is_head(const char *name)
{
    for (size_t i = 0; app__head_cols[i]; i++)
        if (strcmp(app__head_cols[i], name) == 0)
            return 1;
    return 0;
}

/* f's column in the views: the vocabulary's, else its name with '_' for
 * '-' (docs/VIEW.md). */
static void
app__field_column(const struct vocab_field *f, char out[static 64])
{
    size_t i = 0;

    if (f->vf_column) {
        snprintf(out, 64, "%s", f->vf_column);
        return;
    }
    for (; f->vf_name[i] && i < 63; i++)
        out[i] = f->vf_name[i] == '-' ? '_' : f->vf_name[i];
    out[i] = '\0';
}

const char *
app_field_key(const struct vocab_field *f, char out[static 64])
{
    if (app__is_head(f->vf_name)) {
        app__field_column(f, out);
        return out;
    }
    snprintf(out, 64, "%s", f->vf_name);
    return out;
}

/* 1 if col is the column of a field of some record kind: the seed's, or
 * one of v's (v may be NULL). */
static int
app__is_field_column(const struct vocab *v, const char *col)
{
    const struct vocab_kind *ks;
    size_t nk = 0;
    char c[64];

    if (record_column_named(col) != (size_t)-1)
        return 1;
    ks = v ? vocab_kinds(v, &nk) : NULL;
    for (size_t j = 0; j < nk; j++)
        for (size_t i = 0; ks[j].vk_is_record && i < ks[j].vk_nfields; i++) {
            app__field_column(&ks[j].vk_fields[i], c);
            if (strcmp(c, col) == 0)
                return 1;
        }
    return 0;
}

/* The key a records-view column has in a record of kind kind: field
 * columns carry the field's key (posted_from -> from, chair_role -> role;
 * a field named like a head column keeps its column: acting_state);
 * columns of fields the kind does not have: NULL (left out). Other
 * columns keep theirs. Under v when given, else under the seed's schema.
 * buf: room for a key. */
static const char *
app__field_name(const struct vocab *v, uint32_t kind, const char *col,
                char buf[static 64])
{
    if (v) {
        const struct vocab_kind *k = vocab_kind_by_code(v, kind);
        char c[64];

        if (!app__is_field_column(v, col))
            return col;
        for (size_t i = 0; k && i < k->vk_nfields; i++) {
            app__field_column(&k->vk_fields[i], c);
            if (strcmp(c, col) == 0)
                return app_field_key(&k->vk_fields[i], buf);
        }
        return NULL;
    }
    {
        const struct record_schema *sc = record_schema(kind);

        if (!sc || record_column_named(col) == (size_t)-1)
            return col;
        for (size_t i = 0; i < sc->rs_nfields; i++)
            if (sc->rs_fields[i].rf_column &&
                strcmp(sc->rs_fields[i].rf_column, col) == 0) {
                const char *n = sc->rs_fields[i].rf_name;
                return app__is_head(n) ? col : n;
            }
        return NULL;
    }
}

void
app_json_record(struct textbuf *b, const struct vocab *v, uint32_t kind,
                const struct view_row *row, unsigned flags)
{
    int first = 1, names = 0;
    char buf[64];

    if (flags & APP_JSON_FIELD_NAMES) {
        const struct view_cell *k = view_row_cell(row, "kind");
        if (k && k->ce_type == VIEW_INT)
            kind = (uint32_t)k->ce_int;
        names = kind != 0;
    }
    textbuf_put(b, "{", 1);
    for (size_t i = 0; i < row->rw_ncells; i++) {
        const struct view_cell *c = &row->rw_cells[i];
        const char *name =
            names ? app__field_name(v, kind, c->ce_name, buf) : c->ce_name;

        if (!name)
            continue;
        if (!first)
            textbuf_put(b, ",", 1);
        first = 0;
        json_str(b, name);
        textbuf_put(b, ":", 1);
        switch (c->ce_type) {
        case VIEW_INT:
            if ((flags & APP_JSON_KIND_NAME) && strcmp(name, "kind") == 0)
                json_str(b, entry_kind_name((uint64_t)c->ce_int));
            else
                textbuf_printf(b, "%lld", (long long)c->ce_int);
            break;
        case VIEW_REAL: textbuf_printf(b, "%.17g", c->ce_real); break;
        case VIEW_TEXT:
            if (flags & APP_JSON_CSTR)
                json_str(b, c->ce_text);
            else
                json_strn(b, c->ce_text, c->ce_len);
            break;
        case VIEW_BLOB:
            textbuf_put(b, "\"", 1);
            json_hex(b, c->ce_blob, c->ce_len);
            textbuf_put(b, "\"", 1);
            break;
        default: textbuf_puts(b, "null");
        }
    }
    textbuf_put(b, "}", 1);
}

void
app_json_row(struct textbuf *b, const struct view_row *row, unsigned flags)
{
    app_json_record(b, NULL, 0, row, flags);
}
