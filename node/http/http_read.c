/* http_read.c - the JSON API's reads (GET), over node/app. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "node/app/app.h"

/*
 * Each endpoint parses its query parameters, calls one use case of
 * node/app/app.h and renders what it returns: rows through
 * app_json_row() with kind numbers as names, errors through
 * app_err_http_status().
 */

/* A failed read (the store, not the request). */
static void
api_read_fail(struct http__resp *rs, const struct app_err *err)
{
    http__error(rs, app_err_http_status(err), ilonet_errname(err->ae_code),
                "store: %s", err->ae_msg);
}

/* Rows into rs_body: ar_open when the read starts (after its columns:
 * "[" for an array), then each row as a JSON object, ar_sep between two.
 * The caller closes the array once the read is done. */
struct api_rows {
    struct textbuf *ar_b;
    unsigned ar_flags;
    const char *ar_open;
    const char *ar_sep;
    size_t ar_n;
};

static int
api_rows_open(void *arg, const struct view_row *names)
{
    struct api_rows *r = arg;

    (void)names;
    textbuf_puts(r->ar_b, r->ar_open);
    return 0;
}

static int
api_rows_row(void *arg, const struct view_row *row)
{
    struct api_rows *r = arg;

    if (r->ar_n++)
        textbuf_puts(r->ar_b, r->ar_sep);
    app_json_row(r->ar_b, row, r->ar_flags);
    return 0;
}

/* ---- GET lists ----------------------------------------------------------- */

void
http__list(struct home *h, const struct http__kind *k, struct http__req *rq,
           struct http__resp *rs)
{
    struct api_rows rows = {&rs->rs_body, APP_JSON_KIND_NAME, "[", ",\n", 0};
    struct view_sink sink = {api_rows_open, api_rows_row, &rows};
    struct app_list_req lr;
    struct view_list_res res;
    struct app_err err;
    long limit;

    memset(&lr, 0, sizeof(lr));
    lr.al_category = http__query_param(rq, "category");
    lr.al_period = http__query_param(rq, "period");
    lr.al_audience = http__query_param(rq, "audience");
    lr.al_state = http__query_param(rq, "state");
    lr.al_status = http__query_param(rq, "status");
    lr.al_text = http__query_param(rq, "text");
    if (http__limit(rq, rs, APP_LIST_DEFAULT, APP_LIST_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    lr.al_list = k->hk_plural;
    lr.al_newest = 1;
    lr.al_limit = (uint64_t)limit;
    textbuf_puts(&rs->rs_body, "{\"kind\":");
    json_str(&rs->rs_body, k->hk_plural);
    textbuf_puts(&rs->rs_body, ",\"items\":");
    if (app_list(h, &lr, &sink, &res, &err) != 0) {
        if (err.ae_field[0])
            http__error(rs, 400, "invalid-argument", "query '%s': %s",
                        err.ae_field, err.ae_msg);
        else
            api_read_fail(rs, &err);
        return;
    }
    textbuf_printf(&rs->rs_body, "],\"count\":%zu}", res.ls_count);
    http__ok(rs, 200);
}

/* ---- GET one record ------------------------------------------------------ */

/* Resolves id to a record of kind k: 0, or -1 with a 4xx in rs. */
int
http__find(struct home *h, const struct http__kind *k, const char *id,
           struct view_record_info *info, struct http__resp *rs)
{
    struct app_err err;

    if (app_record_find(h, id, k->hk_kind, info, &err) == 0)
        return 0;
    if (err.ae_code == ILONET_EINVAL || err.ae_code == ILONET_ENOTFOUND)
        http__error(rs, app_err_http_status(&err), ilonet_errname(err.ae_code),
                    "%s", err.ae_msg);
    else
        http__error(rs, 500, ilonet_errname(err.ae_code), "%s",
                    ilonet_strerror(err.ae_code));
    return -1;
}

void
http__show(struct home *h, const struct http__kind *k, const char *id,
           struct http__req *rq, struct http__resp *rs)
{
    /* one row, the record in its kind's own field names; then its
     * history as an array */
    struct api_rows record = {
        &rs->rs_body, APP_JSON_KIND_NAME | APP_JSON_FIELD_NAMES, "", "", 0};
    struct api_rows history = {&rs->rs_body, APP_JSON_KIND_NAME,
                               ",\"history\":[", ",\n", 0};
    struct view_sink rsink = {api_rows_open, api_rows_row, &record};
    struct view_sink hsink = {api_rows_open, api_rows_row, &history};
    struct view_record_info info;
    struct app_err err;

    if (http__params_done(rq, rs) != 0 || http__find(h, k, id, &info, rs) != 0)
        return;
    textbuf_puts(&rs->rs_body, "{\"kind\":");
    json_str(&rs->rs_body, app_kind_name(info.vr_kind));
    textbuf_puts(&rs->rs_body, ",\"record\":");
    if (app_record_show(h, &info, &rsink, &hsink, &err) != 0) {
        if (err.ae_code == ILONET_ENOTFOUND)
            http__error(rs, 404, "not-found", "%s", err.ae_msg);
        else
            api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

/* ---- status, stats, recent, grants, evidence ----------------------------- */

void
http__status(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    struct app_status st;
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    if (app_status(h, APP_STATUS_MEMBERS, &st, &err) != 0) {
        http__error(rs, err.ae_code == ILONET_EBUSY ? 503 : 500,
                    ilonet_errname(err.ae_code), "status: %s", err.ae_msg);
        return;
    }
    textbuf_puts(b, "{\"node\":\"");
    json_hex(b, h->h_key.pk, KEY_PK_LEN);
    textbuf_puts(b, "\",\"state\":");
    json_str(b, h->h_cert.c_state);
    textbuf_puts(b, ",\"role\":");
    json_str(b, cert_role_name(h->h_cert.c_role));
    textbuf_puts(b, ",\"network\":\"");
    json_hex(b, h->h_net.n_id, NET_ID_LEN);
    textbuf_puts(b, "\",\"host\":");
    json_str(b, h->h_net.n_host);
    textbuf_printf(
        b, ",\"now_ms\":%llu,\"peers\":", (unsigned long long)home_now_ms());
    if (st.as_peers) {
        textbuf_put(b, st.as_peers, st.as_peers_len);
    } else {
        textbuf_puts(b, "[");
        for (size_t i = 0; i < h->h_conf.hc_npeers; i++) {
            textbuf_puts(b, i ? ",{\"addr\":" : "{\"addr\":");
            json_str(b, h->h_conf.hc_peers[i].hp_addr);
            textbuf_puts(b, ",\"node\":\"");
            json_hex(b, h->h_conf.hc_peers[i].hp_pk, KEY_PK_LEN);
            textbuf_puts(b, "\",\"connected\":false,\"last_sync_ms\":null,"
                            "\"strikes\":0}");
        }
        textbuf_puts(b, "]");
    }
    /* Members: every author whose logs this node holds, with its
     * certificate's state and role. */
    textbuf_puts(b, ",\"members\":[");
    for (size_t i = 0; i < st.as_nmembers; i++) {
        const struct app_member *m = &st.as_members[i];
        textbuf_puts(b, i ? ",{\"node\":\"" : "{\"node\":\"");
        json_hex(b, m->am_node, KEY_PK_LEN);
        textbuf_puts(b, "\"");
        if (m->am_has_cert) {
            textbuf_puts(b, ",\"state\":");
            json_str(b, m->am_state);
            textbuf_puts(b, ",\"role\":");
            json_str(b, cert_role_name(m->am_role));
        }
        textbuf_printf(b, ",\"logs\":%zu,\"entries\":%llu,\"self\":%s}",
                       m->am_logs, (unsigned long long)m->am_entries,
                       m->am_self ? "true" : "false");
    }
    textbuf_puts(b, "],\"heads\":[");
    for (size_t i = 0; i < st.as_nheads; i++) {
        const struct log_head *hd = &st.as_heads[i];
        textbuf_puts(b, i ? ",{\"log\":\"" : "{\"log\":\"");
        json_hex(b, hd->lh_log.ld_id, HASH_LEN);
        textbuf_puts(b, "\",\"author\":\"");
        json_hex(b, hd->lh_log.ld_author, KEY_PK_LEN);
        textbuf_puts(b, "\",\"audience\":");
        json_str(b, hd->lh_log.ld_audience);
        textbuf_printf(b, ",\"seq\":%llu,\"frozen\":%s}",
                       (unsigned long long)hd->lh_seq,
                       hd->lh_frozen ? "true" : "false");
    }
    textbuf_puts(b, "],\"heads_digest\":\"");
    json_hex(b, st.as_heads_digest, HASH_LEN);
    textbuf_puts(b, "\",\"view_hash\":\"");
    json_hex(b, st.as_view_hash, HASH_LEN);
    textbuf_printf(b,
                   "\",\"entries\":%llu,\"logs\":%llu,\"evidence\":%llu,"
                   "\"quarantine\":%llu}",
                   (unsigned long long)st.as_entries,
                   (unsigned long long)st.as_logs,
                   (unsigned long long)st.as_evidence,
                   (unsigned long long)st.as_quarantine);
    app_status_free(&st);
    http__ok(rs, 200);
}

/* Observations per category and month, and counts per record kind. */
void
http__stats(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct textbuf *b = &rs->rs_body;
    struct api_rows months = {b, APP_JSON_KIND_NAME, "[", ",\n", 0};
    struct api_rows kinds = {b, APP_JSON_KIND_NAME, "],\"kinds\":", "", 0};
    struct view_sink msink = {api_rows_open, api_rows_row, &months};
    struct view_sink ksink = {api_rows_open, api_rows_row, &kinds};
    const char *const *cats = app_categories();
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    textbuf_puts(b, "{\"categories\":[");
    for (size_t i = 0; cats[i]; i++) {
        if (i)
            textbuf_puts(b, ",");
        json_str(b, cats[i]);
    }
    textbuf_puts(b, "],\"observations_by_month\":");
    if (app_stats(h, &msink, &ksink, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(b, kinds.ar_n ? "}" : "{}}");
    http__ok(rs, 200);
}

void
http__recent(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_rows rows = {&rs->rs_body, APP_JSON_KIND_NAME, "[", ",\n", 0};
    struct view_sink sink = {api_rows_open, api_rows_row, &rows};
    struct app_err err;
    long limit;

    if (http__limit(rq, rs, APP_RECENT_DEFAULT, APP_RECENT_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    textbuf_puts(&rs->rs_body, "{\"items\":");
    if (app_recent(h, (uint64_t)limit, &sink, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

void
http__grants(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_rows rows = {&rs->rs_body, APP_JSON_KIND_NAME, "[", ",\n", 0};
    struct view_sink sink = {api_rows_open, api_rows_row, &rows};
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    textbuf_puts(&rs->rs_body, "{\"items\":");
    if (app_grants(h, &sink, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

void
http__evidence(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    /* Forks, with the author's state named when its certificate is held;
     * then quarantined entries. */
    struct api_rows ev = {&rs->rs_body, APP_JSON_KIND_NAME, "{\"evidence\":[",
                          ",", 0};
    struct api_rows q = {&rs->rs_body, APP_JSON_KIND_NAME, "],\"quarantine\":[",
                         ",", 0};
    struct view_sink esink = {api_rows_open, api_rows_row, &ev};
    struct view_sink qsink = {api_rows_open, api_rows_row, &q};
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    if (app_evidence(h, &esink, &qsink, &err) != 0) {
        http__error(rs, 500, "io", "%s", err.ae_msg);
        return;
    }
    textbuf_puts(&rs->rs_body, "]}");
    http__ok(rs, 200);
}

/* ---- search -------------------------------------------------------------- */

struct api_hits {
    struct textbuf *ah_b;
    size_t ah_n;
};

static int
api_hits_row(void *arg, const struct view_row *row)
{
    struct api_hits *a = arg;

    textbuf_puts(a->ah_b, a->ah_n++ ? ",\n" : "");
    app_search_json_row(a->ah_b, row);
    return 0;
}

void
http__search(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_hits hits = {&rs->rs_body, 0};
    struct view_sink sink = {NULL, api_hits_row, &hits};
    struct app_search_req sr;
    struct view_search_res res;
    struct app_err err;
    long limit;

    memset(&sr, 0, sizeof(sr));
    sr.as_query = http__query_param(rq, "q");
    sr.as_kind = http__query_param(rq, "kind");
    sr.as_category = http__query_param(rq, "category");
    sr.as_state = http__query_param(rq, "state");
    sr.as_audience = http__query_param(rq, "audience");
    sr.as_period = http__query_param(rq, "period");
    sr.as_after = http__query_param(rq, "after");
    if (http__limit(rq, rs, APP_SEARCH_DEFAULT, APP_SEARCH_MAX, &limit) != 0 ||
        http__params_done(rq, rs) != 0)
        return;
    sr.as_limit = (uint64_t)limit;
    if (app_search_check(&sr, &err) != 0) {
        http__error_field(rs, 400, "invalid-argument", err.ae_field,
                          "query '%s': %s", err.ae_field, err.ae_msg);
        return;
    }
    textbuf_puts(&rs->rs_body, "{\"query\":");
    json_str(&rs->rs_body, sr.as_query);
    textbuf_puts(&rs->rs_body, ",\"items\":[");
    if (app_search(h, &sr, &sink, &res, &err) != 0) {
        if (err.ae_field[0])
            http__error_field(rs, 400, "invalid-argument", err.ae_field,
                              "query '%s': %s", err.ae_field, err.ae_msg);
        else
            api_read_fail(rs, &err);
        return;
    }
    textbuf_printf(&rs->rs_body, "],\"count\":%zu,\"next\":", res.sr_count);
    if (res.sr_next[0])
        json_str(&rs->rs_body, res.sr_next);
    else
        textbuf_puts(&rs->rs_body, "null");
    textbuf_puts(&rs->rs_body, "}");
    http__ok(rs, 200);
}

/* ---- the vocabulary ------------------------------------------------------ */

void
http__vocab(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct app_err err;

    if (http__params_done(rq, rs) != 0)
        return;
    if (app_vocab_render(h, &rs->rs_body, &err) != 0) {
        api_read_fail(rs, &err);
        return;
    }
    http__ok(rs, 200);
}

/* ---- My desk ------------------------------------------------------------- */

struct api_desk {
    struct textbuf *ad_b;
    size_t ad_n;
};

/* A task row with the actions that make sense next. */
static int
api_desk_task(void *arg, const struct view_row *row)
{
    struct api_desk *d = arg;
    const struct view_cell *st = view_row_cell(row, "status");
    const struct view_cell *role = view_row_cell(row, "role");
    const char *const *acts = app_task_actions(
        st && st->ce_type == VIEW_TEXT ? st->ce_text : NULL,
        role && role->ce_type == VIEW_TEXT ? role->ce_text : NULL);
    size_t mark;

    textbuf_puts(d->ad_b, d->ad_n++ ? ",\n" : "");
    mark = d->ad_b->tb_len;
    app_json_row(d->ad_b, row, APP_JSON_KIND_NAME);
    if (d->ad_b->tb_err || d->ad_b->tb_len == mark)
        return 0;
    d->ad_b->tb_len--; /* reopen the object for the actions */
    textbuf_puts(d->ad_b, ",\"actions\":[");
    for (size_t i = 0; acts[i]; i++) {
        if (i)
            textbuf_puts(d->ad_b, ",");
        json_str(d->ad_b, acts[i]);
    }
    textbuf_puts(d->ad_b, "]}");
    return 0;
}

static int
api_desk_row(void *arg, const struct view_row *row)
{
    struct api_desk *d = arg;

    textbuf_puts(d->ad_b, d->ad_n++ ? ",\n" : "");
    app_json_row(d->ad_b, row, APP_JSON_KIND_NAME);
    return 0;
}

/* Each part of the desk goes to its own buffer: the parts arrive in the
 * order the use case reads them, the answer has its own order. */
struct api_desk_parts {
    struct textbuf dp_tasks, dp_new, dp_grants, dp_notes;
    size_t dp_nnotes;
};

static int
api_desk_note(void *arg, const struct app_desk_note *n)
{
    struct api_desk_parts *p = arg;
    struct textbuf *b = &p->dp_notes;

    textbuf_puts(b, p->dp_nnotes++ ? ",\n{\"type\":" : "{\"type\":");
    json_str(b, n->dn_type);
    textbuf_puts(b, ",\"log\":");
    json_str(b, n->dn_log);
    textbuf_printf(b, ",\"seq\":%llu", (unsigned long long)n->dn_seq);
    textbuf_puts(b, ",\"entry\":");
    json_str(b, n->dn_entry);
    if (n->dn_author_state[0]) {
        textbuf_puts(b, ",\"author_state\":");
        json_str(b, n->dn_author_state);
    }
    if (n->dn_code[0]) {
        textbuf_puts(b, ",\"code\":");
        json_str(b, n->dn_code);
        textbuf_printf(b, ",\"until_ms\":%llu",
                       (unsigned long long)n->dn_until_ms);
    }
    textbuf_puts(b, ",\"title\":");
    json_str(b, n->dn_title);
    textbuf_puts(b, ",\"explain\":");
    json_str(b, n->dn_explain);
    textbuf_puts(b, ",\"todo\":");
    json_str(b, n->dn_todo);
    textbuf_puts(b, "}");
    return 0;
}

void
http__desk(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    struct api_desk_parts p;
    struct api_desk t = {&p.dp_tasks, 0}, nw = {&p.dp_new, 0},
                    g = {&p.dp_grants, 0};
    struct view_sink ts = {NULL, api_desk_task, &t};
    struct view_sink ns = {NULL, api_desk_row, &nw};
    struct view_sink gs = {NULL, api_desk_row, &g};
    struct app_desk_sinks sinks = {&ts, &ns, &gs, api_desk_note, &p};
    struct app_desk_req dq;
    struct app_desk_res *res = NULL;
    struct app_err err;
    const char *days = http__query_param(rq, "days");
    struct textbuf *b = &rs->rs_body;
    long nd = APP_DESK_DAYS_DEFAULT;

    memset(&p, 0, sizeof(p));
    if (days) {
        char *end;
        nd = strtol(days, &end, 10);
        if (!*days || *end || nd < 1 || nd > APP_DESK_DAYS_MAX) {
            http__error_field(rs, 400, "invalid-argument", "days",
                              "query 'days': '%.20s' is not a number from "
                              "1 to %d",
                              days, APP_DESK_DAYS_MAX);
            return;
        }
    }
    if (http__params_done(rq, rs) != 0)
        return;
    if (!(res = malloc(sizeof(*res)))) {
        http__error(rs, 503, "no-memory", "out of memory");
        return;
    }
    memset(&dq, 0, sizeof(dq));
    dq.dq_who = rq->rq_who->w_user[0] ? rq->rq_who->w_user : NULL;
    dq.dq_days = (unsigned)nd;
    if (app_desk(h, &dq, &sinks, res, &err) != 0) {
        if (err.ae_field[0])
            http__error_field(rs, 400, "invalid-argument", err.ae_field,
                              "query '%s': %s", err.ae_field, err.ae_msg);
        else
            api_read_fail(rs, &err);
        goto out;
    }
    textbuf_puts(b, "{\"state\":");
    json_str(b, h->h_cert.c_state);
    textbuf_puts(b, ",\"user\":");
    if (dq.dq_who)
        json_str(b, dq.dq_who);
    else
        textbuf_puts(b, "null");
    textbuf_puts(b, ",\"tasks\":[");
    textbuf_put(b, p.dp_tasks.tb_data ? p.dp_tasks.tb_data : "",
                p.dp_tasks.tb_len);
    textbuf_puts(b, "],\"new\":{\"since\":");
    if (res->dr_first)
        textbuf_puts(b, "null");
    else
        json_str(b, res->dr_since);
    textbuf_printf(b, ",\"first\":%s,\"count\":%llu,\"items\":[",
                   res->dr_first ? "true" : "false",
                   (unsigned long long)res->dr_new);
    textbuf_put(b, p.dp_new.tb_data ? p.dp_new.tb_data : "", p.dp_new.tb_len);
    textbuf_printf(b, "]},\"days\":%ld,\"grants_expiring\":[", nd);
    textbuf_put(b, p.dp_grants.tb_data ? p.dp_grants.tb_data : "",
                p.dp_grants.tb_len);
    textbuf_puts(b, "],\"attention\":[");
    textbuf_put(b, p.dp_notes.tb_data ? p.dp_notes.tb_data : "",
                p.dp_notes.tb_len);
    textbuf_puts(b, "],\"mark\":");
    json_str(b, res->dr_mark);
    textbuf_puts(b, "}");
    if (p.dp_tasks.tb_err || p.dp_new.tb_err || p.dp_grants.tb_err ||
        p.dp_notes.tb_err)
        b->tb_err = ILONET_ENOMEM;
    http__ok(rs, 200);
out:
    textbuf_free(&p.dp_tasks);
    textbuf_free(&p.dp_new);
    textbuf_free(&p.dp_grants);
    textbuf_free(&p.dp_notes);
    free(res);
}
