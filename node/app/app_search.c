/* app_search.c - the search use case of `ilonet search` and GET /api/search. */
#include "app_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/json.h"
#include "crypto/key.h"
#include "storage/entry.h"

static int app__search_fail(struct app_err *err, const char *field,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A bad input: ILONET_EINVAL naming its field. */
static int
app__search_fail(struct app_err *err, const char *field, const char *fmt, ...)
{
    va_list ap;

    memset(err, 0, sizeof(*err));
    err->ae_code = ILONET_EINVAL;
    snprintf(err->ae_field, sizeof(err->ae_field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(err->ae_msg, sizeof(err->ae_msg), fmt, ap);
    va_end(ap);
    return ILONET_EINVAL;
}

/* What a checked request becomes for view_search(). */
struct app__search {
    uint32_t sv_kind;
    char sv_from[11], sv_to[11];
    char sv_aud[ENTRY_AUDIENCE_MAX + 1];
};

/* A record kind by list name ("observations") or kind name
 * ("observation"); 0 when none. */
static uint32_t
app__search_kind(const char *name)
{
    for (uint32_t k = 0; k < KIND_COUNT_; k++) {
        const struct record_schema *sc = record_schema(k);

        if (sc && sc->rs_is_record &&
            (strcmp(sc->rs_name, name) == 0 ||
             (sc->rs_plural && strcmp(sc->rs_plural, name) == 0)))
            return k;
    }
    return 0;
}

static int
app__search_check(const struct app_search_req *rq, struct app__search *v,
                  struct app_err *err)
{
    char expr[4 * VIEW_SEARCH_QUERY_MAX + 16], why[VIEW_SEARCH_WHY_MAX];
    int rc;

    memset(v, 0, sizeof(*v));
    if (!rq->as_query)
        return app__search_fail(err, "q",
                                "a query is required (words, "
                                "\"a phrase\", prefix*)");
    rc = view_search_parse(rq->as_query, expr, sizeof(expr), why, sizeof(why));
    if (rc != 0)
        return app__search_fail(err, "q", "%s", why);
    if (rq->as_kind && !(v->sv_kind = app__search_kind(rq->as_kind)))
        return app__search_fail(
            err, "kind",
            "unknown kind '%.40s' (observations, meetings, trainings, "
            "carriers, contacts, postings, tasks, acting-presidencies)",
            rq->as_kind);
    if (rq->as_category) {
        int ok = 0;

        if (v->sv_kind && v->sv_kind != KIND_OBSERVATION)
            return app__search_fail(err, "category",
                                    "only observations have a category");
        for (size_t i = 0; record_categories[i]; i++)
            ok |= strcmp(record_categories[i], rq->as_category) == 0;
        if (!ok)
            return app__search_fail(err, "category",
                                    "unknown value '%.60s' (an observation "
                                    "category: flows, routes, ...)",
                                    rq->as_category);
    }
    if (rq->as_state && !key_state_valid(rq->as_state))
        return app__search_fail(err, "state", "'%.20s' is not a state code",
                                rq->as_state);
    if (rq->as_audience && audience_normalise(rq->as_audience, v->sv_aud) != 0)
        return app__search_fail(err, "audience",
                                "'%.60s' is not net, ms or a group of state "
                                "codes like DE+FR",
                                rq->as_audience);
    if (rq->as_period &&
        (rc = app__period(rq->as_period, v->sv_from, v->sv_to, err)) != 0)
        return rc;
    if (rq->as_limit > APP_SEARCH_MAX)
        return app__search_fail(err, "limit", "at most %d", APP_SEARCH_MAX);
    if (rq->as_after && strlen(rq->as_after) >= VIEW_CURSOR_MAX)
        return app__search_fail(err, "after", "not a cursor of this search");
    return 0;
}

int
app_search_check(const struct app_search_req *rq, struct app_err *err)
{
    struct app__search v;

    return app__search_check(rq, &v, err);
}

int
app_search(struct home *h, const struct app_search_req *rq,
           const struct view_sink *out, struct view_search_res *res,
           struct app_err *err)
{
    struct view_search_req vr;
    struct app__search v;
    char why[VIEW_SEARCH_WHY_MAX];
    int rc;

    if ((rc = app__search_check(rq, &v, err)) != 0)
        return rc;
    memset(&vr, 0, sizeof(vr));
    vr.sr_query = rq->as_query;
    vr.sr_kind = v.sv_kind;
    vr.sr_category = rq->as_category;
    vr.sr_state = rq->as_state;
    vr.sr_audience = rq->as_audience ? v.sv_aud : NULL;
    vr.sr_from = rq->as_period ? v.sv_from : NULL;
    vr.sr_to = rq->as_period ? v.sv_to : NULL;
    vr.sr_limit = rq->as_limit ? rq->as_limit : APP_SEARCH_DEFAULT;
    vr.sr_after = rq->as_after;
    rc = view_search(h->h_store, &vr, out, res, why, sizeof(why));
    if (rc == ILONET_EINVAL)
        return app__search_fail(
            err, rq->as_after && strstr(why, "cursor") ? "after" : "q", "%s",
            why[0] ? why : "not understood");
    if (rc < 0)
        return app_fail(err, rc, "%s", ilonet_strerror(rc));
    return rc; /* 0, or a sink's own stop code */
}

void
app_search_json_row(struct textbuf *b, const struct view_row *row)
{
    struct view_cell cells[16];
    struct view_row rest = {0, cells};
    const struct view_cell *snip = NULL;
    size_t mark;

    for (size_t i = 0; i < row->rw_ncells; i++) {
        if (strcmp(row->rw_cells[i].ce_name, "snippet") == 0)
            snip = &row->rw_cells[i];
        else if (rest.rw_ncells < 16)
            cells[rest.rw_ncells++] = row->rw_cells[i];
    }
    mark = b->tb_len;
    app_json_row(b, &rest, APP_JSON_KIND_NAME);
    if (b->tb_err || b->tb_len == mark)
        return;
    b->tb_len--; /* reopen the object: the snippet goes last */
    textbuf_puts(b, rest.rw_ncells ? ",\"snippet\":[" : "\"snippet\":[");
    if (snip && snip->ce_type == VIEW_TEXT) {
        /* pieces between the markers 0x01 (match starts) and 0x02 (it
         * ends); an empty first piece keeps matches at odd positions */
        const char *p = snip->ce_text, *end = p + snip->ce_len;
        int n = 0;

        while (p <= end) {
            const char *q = p;
            while (q < end && *q != '\001' && *q != '\002')
                q++;
            if (n++)
                textbuf_puts(b, ",");
            json_strn(b, p, (size_t)(q - p));
            if (q == end)
                break;
            p = q + 1;
        }
    }
    textbuf_puts(b, "]}");
}
