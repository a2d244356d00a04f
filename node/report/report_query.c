/* report_query.c - the named view queries that feed report items, the cover's drafting state, the footer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "report_int.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"

/*
 * A query is a fixed SELECT over a *base*: one of the view's read-only SQL
 * views (docs/VIEW.md) restricted to the semester, to the audiences the
 * drafting node may report (`ms` only for a Member State node) and to the
 * template's FIELD=VALUE filters (column names are checked against the
 * base's list at template parse time and values are bound, never pasted
 * into SQL). Every query orders its rows completely (ties broken by the
 * record id), so output depends on the entries held and nothing else.
 * ?1 = semester start (ms), ?2 = semester end (ms, exclusive), ?3 = 1 for
 * a Member State node, ?4... = filter values.
 */

#define RQ_IN_SEMESTER "time_ms >= ?1 AND time_ms < ?2"
#define RQ_STATE_LABEL                                                         \
    "CASE WHEN b.author_state <> b.state THEN b.state || ' (by ' ||"          \
    " b.author_state || ')' ELSE b.state END AS state"
#define RQ_CAT_ORDER                                                           \
    "CASE b.category WHEN 'flows' THEN 1 WHEN 'routes' THEN 2 WHEN"           \
    " 'modus-operandi' THEN 3 WHEN 'criminal-organisations' THEN 4 WHEN"      \
    " 'incidents' THEN 5 WHEN 'document-fraud' THEN 6 WHEN 'assistance'"      \
    " THEN 7 WHEN 'return' THEN 8 ELSE 9 END"

struct rq__base_sql {
    const char *from; /* a SELECT usable as a subquery */
    const char *when; /* the semester condition */
};

static const char *const rq__obs_cols[] = {
    "id", "state", "author_state", "audience", "time_ms", "category",
    "summary", "detail", "nationality", "figure", "unit", "period",
    "period_from", "period_to", "level", "reliability", "source", "place",
    NULL};
static const char *const rq__meet_cols[] = {
    "id", "state", "author_state", "audience", "time_ms", "date", "place",
    "convenor", "participants", "commission", "reason", "topics", NULL};
static const char *const rq__train_cols[] = {
    "id", "state", "author_state", "audience", "time_ms", "title", "type",
    "date", "place", "organiser", "attendees", "detail", NULL};
static const char *const rq__carr_cols[] = {
    "id", "state", "author_state", "audience", "time_ms", "carrier",
    "position", "date", "states", "detail", NULL};
static const char *const rq__cont_cols[] = {
    "id", "state", "author_state", "audience", "time_ms", "counterpart",
    "type", "date", "place", "summary", "topics", NULL};
static const char *const rq__post_cols[] = {
    "id", "state", "author_state", "audience", "time_ms", "post",
    "officers", "from", "until", "remit", NULL};
static const char *const rq__task_cols[] = {
    "id", "creator", "author_state", "audience", "time_ms", "title", "for",
    "due", "detail", "status", "status_by", NULL};
static const char *const rq__grant_cols[] = {
    "id", "represented", "representing", "scope", "audience", "from",
    "until", "revoked", "time_ms", NULL};
static const char *const rq__rec_cols[] = {
    "id", "state", "author_state", "audience", "kind", "time_ms", NULL};
static const char *const rq__log_cols[] = {"state", "role", "audience",
                                           NULL};

enum {
    B_OBS,
    B_MEET,
    B_TRAIN,
    B_CARR,
    B_CONT,
    B_POST,
    B_TASK,
    B_GRANT,
    B_REC,
    B_LOG,
};

const struct rq_base rq_bases[] = {
    [B_OBS] = {"observations", rq__obs_cols},
    [B_MEET] = {"meetings", rq__meet_cols},
    [B_TRAIN] = {"trainings", rq__train_cols},
    [B_CARR] = {"carriers", rq__carr_cols},
    [B_CONT] = {"contacts", rq__cont_cols},
    [B_POST] = {"postings", rq__post_cols},
    [B_TASK] = {"tasks", rq__task_cols},
    [B_GRANT] = {"grants", rq__grant_cols},
    [B_REC] = {"records", rq__rec_cols},
    [B_LOG] = {"logs", rq__log_cols},
};

static const struct rq__base_sql rq__base_sql[] = {
    [B_OBS] = {"SELECT * FROM observations", RQ_IN_SEMESTER},
    [B_MEET] = {"SELECT * FROM meetings", RQ_IN_SEMESTER},
    [B_TRAIN] = {"SELECT * FROM trainings", RQ_IN_SEMESTER},
    [B_CARR] = {"SELECT * FROM carriers", RQ_IN_SEMESTER},
    [B_CONT] = {"SELECT * FROM contacts", RQ_IN_SEMESTER},
    /* A posting notice counts while in force during the semester. */
    [B_POST] = {"SELECT * FROM postings",
                "time_ms < ?2 AND \"from\" < date(?2 / 1000, 'unixepoch')"
                " AND (\"until\" IS NULL OR \"until\" >= date(?1 / 1000,"
                " 'unixepoch'))"},
    [B_TASK] = {"SELECT * FROM tasks", RQ_IN_SEMESTER},
    /* A grant counts when published by the semester's end and in force
     * during part of it (not revoked before it began). */
    [B_GRANT] = {"SELECT lower(hex(g.grant_id)) AS id, g.represented,"
                 " g.representing, g.scope, min(g.audience) AS audience,"
                 " date(g.not_before, 'unixepoch') AS \"from\","
                 " date(g.not_after, 'unixepoch') AS \"until\","
                 " (SELECT date(min(r.at) / 1000, 'unixepoch') FROM"
                 " v_revocations r WHERE r.grant_id = g.grant_id AND"
                 " r.valid = 1 AND r.type = 'grant' AND r.state ="
                 " g.represented) AS revoked, (SELECT min(r.at) FROM"
                 " v_revocations r WHERE r.grant_id = g.grant_id AND"
                 " r.valid = 1 AND r.type = 'grant' AND r.state ="
                 " g.represented) AS revoked_ms, min(g.hlc >> 16) AS"
                 " time_ms, g.not_before, g.not_after FROM v_grants g"
                 " WHERE g.valid = 1 GROUP BY g.grant_id",
                 "time_ms < ?2 AND not_before * 1000 < ?2 AND not_after *"
                 " 1000 + 999 >= ?1 AND (revoked_ms IS NULL OR revoked_ms"
                 " > ?1)"},
    [B_REC] = {"SELECT lower(hex(id)) AS id, owner AS state, author_state,"
               " audience, kind, hlc >> 16 AS time_ms FROM v_records WHERE"
               " valid = 1 AND status = 'active'",
               RQ_IN_SEMESTER},
    /* Members: nodes whose logs are held, certified during the semester. */
    [B_LOG] = {"SELECT state, CASE role WHEN 1 THEN 'ilo' WHEN 2 THEN"
               " 'presidency' WHEN 3 THEN 'commission' WHEN 4 THEN 'agency'"
               " ELSE 'unknown' END AS role, audience, author, cert_nb,"
               " cert_na FROM logs WHERE head_seq > 0",
               "cert_nb * 1000 < ?2 AND cert_na * 1000 + 999 >= ?1"},
};

static const char *const q_members[] = {"state", "role", "nodes", NULL};
static const char *const q_postings[] = {"state", "post",  "officers",
                                         "from",  "until", "remit",
                                         "audience", NULL};
static const char *const q_grants[] = {"represented", "representing",
                                       "scope",       "from",
                                       "until",       "revoked",
                                       "audience",    NULL};
static const char *const q_tasks[] = {"creator", "for",    "title",
                                      "due",     "status", "audience",
                                      NULL};
static const char *const q_msum[] = {"meetings", "with_commission",
                                     "without_commission", NULL};
static const char *const q_meetings[] = {
    "date",       "place",  "convenor", "participants", "commission",
    "reason",     "topics", "state",    "audience",     NULL};
static const char *const q_contrib[] = {
    "state",    "observations", "meetings", "trainings", "carriers",
    "contacts", "postings",     "tasks",    "total",     NULL};
static const char *const q_contacts[] = {"date",    "state", "counterpart",
                                         "type",    "place", "summary",
                                         "topics",  "audience", NULL};
static const char *const q_carriers[] = {"date",   "state",  "carrier",
                                         "position", "states", "detail",
                                         "audience", NULL};
static const char *const q_trainings[] = {
    "date",      "state",  "title",    "type", "organiser",
    "place",     "attendees", "detail", "audience", NULL};
static const char *const q_obs[] = {
    "period", "state",       "category", "summary", "detail",
    "level",  "place",       "nationality", "figure", "unit",
    "reliability", "source", "audience", NULL};
static const char *const q_figures[] = {"category",      "observations",
                                        "with_figure",   "not_available",
                                        "unit",          "total",
                                        NULL};
static const char *const q_nat[] = {"nationality", "observations", "unit",
                                    "total", NULL};
static const char *const q_rel[] = {"reliability", "observations", NULL};

const struct rq_source rq_sources[] = {
    {"members", B_LOG, q_members,
     "SELECT b.state, b.role, count(DISTINCT b.author) AS nodes FROM (%s) b"
     " GROUP BY b.state, b.role ORDER BY b.state, b.role"},
    {"postings", B_POST, q_postings,
     "SELECT " RQ_STATE_LABEL ", b.post, b.officers, b.\"from\","
     " b.\"until\", b.remit, b.audience FROM (%s) b ORDER BY b.state,"
     " b.\"from\", b.time_ms, b.id"},
    {"grants", B_GRANT, q_grants,
     "SELECT b.represented, b.representing, b.scope, b.\"from\","
     " b.\"until\", b.revoked, b.audience FROM (%s) b ORDER BY"
     " b.represented, b.representing, b.\"from\", b.id"},
    {"tasks", B_TASK, q_tasks,
     "SELECT b.creator, b.\"for\", b.title, b.due, b.status, b.audience"
     " FROM (%s) b ORDER BY b.time_ms, b.id"},
    {"meeting-summary", B_MEET, q_msum,
     "SELECT count(*) AS meetings, sum(b.commission = 'present') AS"
     " with_commission, sum(b.commission = 'excluded') AS"
     " without_commission FROM (%s) b HAVING count(*) > 0"},
    {"meetings", B_MEET, q_meetings,
     "SELECT b.date, b.place, b.convenor, b.participants, b.commission,"
     " b.reason, b.topics, " RQ_STATE_LABEL ", b.audience FROM (%s) b"
     " ORDER BY b.date, b.time_ms, b.id"},
    {"contributions", B_REC, q_contrib,
     "SELECT " RQ_STATE_LABEL ", sum(b.kind = 2), sum(b.kind = 3),"
     " sum(b.kind = 4), sum(b.kind = 5), sum(b.kind = 6), sum(b.kind = 7),"
     " sum(b.kind = 11), count(*) FROM (%s) b WHERE b.kind BETWEEN 2 AND"
     " 11 GROUP BY b.state, b.author_state ORDER BY b.state,"
     " b.author_state"},
    {"contacts", B_CONT, q_contacts,
     "SELECT b.date, " RQ_STATE_LABEL ", b.counterpart, b.type, b.place,"
     " b.summary, b.topics, b.audience FROM (%s) b ORDER BY b.date,"
     " b.time_ms, b.id"},
    {"carriers", B_CARR, q_carriers,
     "SELECT b.date, " RQ_STATE_LABEL ", b.carrier, b.position, b.states,"
     " b.detail, b.audience FROM (%s) b ORDER BY b.date, b.time_ms, b.id"},
    {"trainings", B_TRAIN, q_trainings,
     "SELECT b.date, " RQ_STATE_LABEL ", b.title, b.type, b.organiser,"
     " b.place, b.attendees, b.detail, b.audience FROM (%s) b ORDER BY"
     " b.date, b.time_ms, b.id"},
    /* The period observed, else the date the observation was recorded. */
    {"observations", B_OBS, q_obs,
     "SELECT coalesce(b.period, date(b.time_ms / 1000, 'unixepoch')), "
     RQ_STATE_LABEL ", b.category, b.summary, b.detail, b.level, b.place,"
     " b.nationality, b.figure, b.unit, b.reliability, b.source,"
     " b.audience FROM (%s) b ORDER BY " RQ_CAT_ORDER ","
     " coalesce(b.period_from, date(b.time_ms / 1000, 'unixepoch')),"
     " b.time_ms, b.id"},
    {"figures", B_OBS, q_figures,
     "SELECT b.category, count(*), count(b.figure), count(*) -"
     " count(b.figure), b.unit, sum(b.figure) FROM (%s) b GROUP BY"
     " b.category, b.unit ORDER BY " RQ_CAT_ORDER ", b.unit IS NULL,"
     " b.unit"},
    {"nationalities", B_OBS, q_nat,
     "SELECT b.nationality, count(*), b.unit, sum(b.figure) AS t FROM (%s)"
     " b WHERE b.nationality IS NOT NULL GROUP BY b.nationality, b.unit"
     " ORDER BY t IS NULL, t DESC, b.nationality, b.unit"},
    {"reliability", B_OBS, q_rel,
     "SELECT b.reliability, count(*) FROM (%s) b GROUP BY b.reliability"
     " ORDER BY b.reliability IS NULL, b.reliability"},
    {NULL, 0, NULL, NULL},
};

const struct rq_chart rq_charts[] = {
    {"category-month", B_OBS},
    {"nationality-figures", B_OBS},
    {NULL, 0},
};

const char *const rm_months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int
rq_col_index(const char *const *cols, const char *name)
{
    for (int i = 0; cols[i]; i++)
        if (strcmp(cols[i], name) == 0)
            return i;
    return -1;
}

int
rq_source_find(const char *name)
{
    for (int i = 0; rq_sources[i].q_name; i++)
        if (strcmp(rq_sources[i].q_name, name) == 0)
            return i;
    return -1;
}

int
rq_chart_find(const char *name)
{
    for (int i = 0; rq_charts[i].c_name; i++)
        if (strcmp(rq_charts[i].c_name, name) == 0)
            return i;
    return -1;
}

const char *
rm_cell_text(const struct rm_cell *c, const char *field)
{
    /* A missing figure is "not available", never 0; other empty fields
     * were simply not given. */
    static const char *const na[] = {"figure", "total", "unit", "attendees",
                                     "officers", "reliability", NULL};
    if (c->c_text)
        return c->c_text;
    return rq_col_index(na, field) >= 0 ? "n/a" : "-";
}

/* ---- running a query ------------------------------------------------------ */

/* The filtered base subquery for block k into out. */
static int
rq__base(const struct rt_block *k, int base, char *out, size_t cap)
{
    const struct rq_base *b = &rq_bases[base];
    size_t off;
    int n;

    n = snprintf(out, cap,
                 "SELECT * FROM (%s) WHERE (%s) AND (?3 OR audience <> 'ms')",
                 rq__base_sql[base].from, rq__base_sql[base].when);
    if (n < 0 || (size_t)n >= cap)
        return ILONET_ETOOBIG;
    off = (size_t)n;
    for (size_t i = 0; i < k->k_nfilters; i++) {
        n = snprintf(out + off, cap - off, " AND \"%s\" = ?%zu",
                     b->b_cols[k->k_fcol[i]], i + 4);
        if (n < 0 || (size_t)n >= cap - off)
            return ILONET_ETOOBIG;
        off += (size_t)n;
    }
    return 0;
}

static int
rq__prepare(struct store *s, const struct rm_report *r,
            const struct rt_block *k, int base, const char *outer,
            sqlite3_stmt **st, char *err, size_t errlen)
{
    char sub[4096], sql[12288];
    int rc;

    if ((rc = rq__base(k, base, sub, sizeof(sub))) != 0)
        return rc;
    if (snprintf(sql, sizeof(sql), outer, sub) >= (int)sizeof(sql))
        return ILONET_ETOOBIG;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "template line %d: query failed: %s",
                 k->k_line, sqlite3_errmsg(store_db(s)));
        return ILONET_EIO;
    }
    sqlite3_bind_int64(*st, 1, (int64_t)r->r_from_ms);
    sqlite3_bind_int64(*st, 2, (int64_t)r->r_to_ms);
    sqlite3_bind_int(*st, 3, r->r_o->ro_member_state ? 1 : 0);
    for (size_t i = 0; i < k->k_nfilters; i++)
        sqlite3_bind_text(*st, (int)i + 4, k->k_fval[i], -1, SQLITE_STATIC);
    return 0;
}

static char *
rq__dup(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

static int
rq__table(struct store *s, const struct rm_report *r,
          const struct rt_block *k, struct rm_table *t, char *err,
          size_t errlen)
{
    const struct rq_source *q = &rq_sources[k->k_source];
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, step;

    t->t_blk = k;
    t->t_query = q->q_name;
    t->t_ncols = k->k_ncols;
    t->t_fields = calloc(k->k_ncols, sizeof(*t->t_fields));
    if (!t->t_fields)
        return ILONET_ENOMEM;
    for (size_t c = 0; c < k->k_ncols; c++)
        t->t_fields[c] = q->q_cols[k->k_cols[c]];
    if ((rc = rq__prepare(s, r, k, q->q_base, q->q_sql, &st, err, errlen)) !=
        0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct rm_cell *row;
        if (t->t_nrows == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct rm_cell *p =
                realloc(t->t_cells, nc * k->k_ncols * sizeof(*p));
            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            t->t_cells = p;
            cap = nc;
        }
        row = &t->t_cells[t->t_nrows * k->k_ncols];
        memset(row, 0, k->k_ncols * sizeof(*row));
        t->t_nrows++;
        for (size_t c = 0; c < k->k_ncols; c++) {
            int col = k->k_cols[c];
            char num[32];
            switch (sqlite3_column_type(st, col)) {
            case SQLITE_NULL:
                break;
            case SQLITE_INTEGER:
                snprintf(num, sizeof(num), "%lld",
                         (long long)sqlite3_column_int64(st, col));
                row[c].c_num = 1;
                if (!(row[c].c_text = rq__dup(num)))
                    rc = ILONET_ENOMEM;
                break;
            default:
                if (!(row[c].c_text = rq__dup(
                          (const char *)sqlite3_column_text(st, col))))
                    rc = ILONET_ENOMEM;
            }
        }
        if (rc)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = store_err(step);
out:
    sqlite3_finalize(st);
    return rc;
}

static int
rq__chart_alloc(struct rm_chart *c, size_t nx, size_t ns)
{
    c->c_nx = nx;
    c->c_ns = ns;
    c->c_x = calloc(nx ? nx : 1, sizeof(char *));
    c->c_series = calloc(ns ? ns : 1, sizeof(char *));
    c->c_v = calloc((nx ? nx : 1) * (ns ? ns : 1), sizeof(int64_t));
    return c->c_x && c->c_series && c->c_v ? 0 : ILONET_ENOMEM;
}

static int
rq__chart(struct store *s, const struct rm_report *r,
          const struct rt_block *k, struct rm_chart *c, char *err,
          size_t errlen)
{
    const char *name = rq_charts[k->k_source].c_name;
    sqlite3_stmt *st = NULL;
    int rc = 0, step;

    c->c_blk = k;
    c->c_kind = name;
    if (strcmp(name, "category-month") == 0) {
        int64_t v[8][6] = {{0}};
        int first = r->r_semester[6] == '1' ? 1 : 7, used[8] = {0};
        size_t ns = 0;
        c->c_unit_hint = "observations";
        if ((rc = rq__prepare(s, r, k, B_OBS,
                              "SELECT b.category, CAST(strftime('%%m',"
                              " b.time_ms / 1000, 'unixepoch') AS INTEGER),"
                              " count(*) FROM (%s) b GROUP BY 1, 2",
                              &st, err, errlen)) != 0)
            return rc;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *cat = (const char *)sqlite3_column_text(st, 0);
            int m = sqlite3_column_int(st, 1) - first;
            for (int i = 0; cat && i < 8 && record_categories[i]; i++)
                if (strcmp(record_categories[i], cat) == 0 && m >= 0 &&
                    m < 6) {
                    v[i][m] += sqlite3_column_int64(st, 2);
                    used[i] = 1;
                }
        }
        sqlite3_finalize(st);
        if (step != SQLITE_DONE)
            return store_err(step);
        for (int i = 0; i < 8; i++)
            ns += (size_t)used[i];
        if ((rc = rq__chart_alloc(c, 6, ns)) != 0)
            return rc;
        for (int m = 0; m < 6; m++)
            if (!(c->c_x[m] = rq__dup(rm_months[first - 1 + m])))
                return ILONET_ENOMEM;
        for (int i = 0, j = 0; i < 8; i++) {
            if (!used[i])
                continue;
            if (!(c->c_series[j] = rq__dup(record_categories[i])))
                return ILONET_ENOMEM;
            for (int m = 0; m < 6; m++)
                c->c_v[(size_t)j * 6 + (size_t)m] = v[i][m];
            j++;
        }
        return 0;
    }
    /* nationality-figures: sum of figures per nationality and unit. */
    {
        char *lab[24];
        int64_t val[24];
        size_t n = 0;
        c->c_unit_hint = "sum of figures";
        if ((rc = rq__prepare(s, r, k, B_OBS,
                              "SELECT b.nationality || ' (' || coalesce("
                              "b.unit, 'no unit') || ')' AS l, sum(b.figure)"
                              " AS t FROM (%s) b WHERE b.figure IS NOT NULL"
                              " AND b.nationality IS NOT NULL GROUP BY"
                              " b.nationality, b.unit ORDER BY t DESC, l"
                              " LIMIT 24",
                              &st, err, errlen)) != 0)
            return rc;
        while ((step = sqlite3_step(st)) == SQLITE_ROW && n < 24) {
            lab[n] = rq__dup((const char *)sqlite3_column_text(st, 0));
            val[n] = sqlite3_column_int64(st, 1);
            if (!lab[n]) {
                rc = ILONET_ENOMEM;
                break;
            }
            n++;
        }
        sqlite3_finalize(st);
        if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
            rc = store_err(step);
        if (rc == 0)
            rc = rq__chart_alloc(c, n, n ? 1 : 0);
        if (rc == 0 && n && !(c->c_series[0] = rq__dup("total")))
            rc = ILONET_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            if (rc == 0) {
                c->c_x[i] = lab[i];
                c->c_v[i] = val[i];
            } else {
                free(lab[i]);
            }
        }
        return rc;
    }
}

int
rq_fill_item(struct store *s, const struct rm_report *r,
             const struct rt_item *it, struct rm_item *out, char *err,
             size_t errlen)
{
    size_t nt = 0, nc = 0;
    int rc;

    out->i_t = it;
    out->i_empty = 1;
    for (size_t i = 0; i < it->i_nblocks; i++)
        it->i_blocks[i].k_what == RT_TABLE ? nt++ : nc++;
    out->i_tables = calloc(nt ? nt : 1, sizeof(*out->i_tables));
    out->i_charts = calloc(nc ? nc : 1, sizeof(*out->i_charts));
    if (!out->i_tables || !out->i_charts)
        return ILONET_ENOMEM;
    for (size_t i = 0; i < it->i_nblocks; i++) {
        const struct rt_block *k = &it->i_blocks[i];
        if (k->k_what == RT_TABLE) {
            struct rm_table *t = &out->i_tables[out->i_ntables++];
            if ((rc = rq__table(s, r, k, t, err, errlen)) != 0)
                return rc;
            if (t->t_nrows)
                out->i_empty = 0;
        } else {
            struct rm_chart *c = &out->i_charts[out->i_ncharts++];
            if ((rc = rq__chart(s, r, k, c, err, errlen)) != 0)
                return rc;
            if (c->c_ns)
                out->i_empty = 0;
        }
    }
    return 0;
}

void
rq_free_item(struct rm_item *it)
{
    for (size_t i = 0; i < it->i_ntables; i++) {
        struct rm_table *t = &it->i_tables[i];
        for (size_t j = 0; t->t_cells && j < t->t_nrows * t->t_ncols; j++)
            free(t->t_cells[j].c_text);
        free(t->t_cells);
        free(t->t_fields);
    }
    for (size_t i = 0; i < it->i_ncharts; i++) {
        struct rm_chart *c = &it->i_charts[i];
        for (size_t j = 0; c->c_x && j < c->c_nx; j++)
            free(c->c_x[j]);
        for (size_t j = 0; c->c_series && j < c->c_ns; j++)
            free(c->c_series[j]);
        free(c->c_x);
        free(c->c_series);
        free(c->c_v);
    }
    free(it->i_tables);
    free(it->i_charts);
}

/* ---- cover: presidency and the state acting for it ------------------------ */

/* 1 if a node with role ilo of state, certified during the semester, has a
 * log held (any audience); 0 if not; negative on error. */
static int
rq__has_ilo(struct store *s, const struct rm_report *r, const char *state)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT 1 FROM logs WHERE state = ? AND role = 1 AND head_seq > 0"
           " AND cert_nb * 1000 < ? AND cert_na * 1000 + 999 >= ? LIMIT 1");
    int rc;

    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)r->r_to_ms);
    sqlite3_bind_int64(st, 3, (int64_t)r->r_from_ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
rq_drafting(struct store *s, const struct report_rotation *rot,
            struct rm_report *r)
{
    const char *p = report_rotation_get(rot, r->r_semester);
    sqlite3_stmt *st;
    size_t at = 0;
    int rc;

    if (!p) {
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "semester %s is not in the presidency rotation data",
                 r->r_semester);
        return 0;
    }
    snprintf(r->r_presidency, sizeof(r->r_presidency), "%s", p);
    /* 1. A signed designation by the presidency state for this semester
     * (its own node, e.g. its headquarters, or a representative under a
     * grant: the view decided `valid`). It may name the presidency itself
     * (drafting from its headquarters without an ILO here) or a state with
     * an ILO here; the latest by (HLC, author, id) that qualifies wins. */
    st = store_stmt(s, "SELECT acting_state FROM v_records WHERE kind = 15"
                       " AND valid = 1 AND status = 'active' AND semester = ?"
                       " AND owner = ? ORDER BY hlc DESC, author DESC, id"
                       " DESC");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, r->r_semester, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p, -1, SQLITE_STATIC);
    {
        char cand[32][16];
        size_t nc = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && nc < 32) {
            const char *a = (const char *)sqlite3_column_text(st, 0);
            snprintf(cand[nc++], 16, "%s", a ? a : "");
        }
        sqlite3_reset(st);
        for (size_t i = 0; i < nc; i++) {
            int h = strcmp(cand[i], p) == 0 ? 1 : rq__has_ilo(s, r, cand[i]);
            if (h < 0)
                return h;
            if (h != 1)
                continue;
            snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", cand[i]);
            if (strcmp(cand[i], p) == 0)
                snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                         "the presidency, as declared by its signed "
                         "acting-presidency entry");
            else
                snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                         "acting for the presidency %s, designated by %s's "
                         "signed acting-presidency entry",
                         p, p);
            return 0;
        }
    }
    /* 2. The presidency itself when it has an ILO here. */
    if ((rc = rq__has_ilo(s, r, p)) < 0)
        return rc;
    if (rc == 1) {
        snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", p);
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "the presidency");
        return 0;
    }
    /* 3. Else the first state after the presidency in rotation order (the
     * rotation file's order, wrapping around) that has an ILO here. */
    for (size_t i = 0; i < rot->r_n; i++)
        if (strcmp(rot->r_sem[i], r->r_semester) == 0)
            at = i;
    for (size_t k = 1; k <= rot->r_n; k++) {
        const char *c = rot->r_state[(at + k) % rot->r_n];
        int h;
        if (strcmp(c, p) == 0)
            continue;
        if ((h = rq__has_ilo(s, r, c)) < 0)
            return h;
        if (h == 1) {
            snprintf(r->r_drafting, sizeof(r->r_drafting), "%s", c);
            snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                     "acting for the presidency %s, which has no ILO in this "
                     "network; first state after %s in the rotation with an "
                     "ILO here",
                     p, p);
            return 0;
        }
    }
    /* 4. No rotation state has an ILO here: the first Member State with
     * an ILO in alphabetical order. */
    st = store_stmt(s, "SELECT min(state) FROM logs WHERE role = 1 AND"
                       " head_seq > 0 AND cert_nb * 1000 < ? AND cert_na *"
                       " 1000 + 999 >= ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)r->r_to_ms);
    sqlite3_bind_int64(st, 2, (int64_t)r->r_from_ms);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        snprintf(r->r_drafting, sizeof(r->r_drafting), "%s",
                 (const char *)sqlite3_column_text(st, 0));
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "acting for the presidency %s, which has no ILO in this "
                 "network; no state of the rotation has one here, so the "
                 "first Member State with an ILO, alphabetically",
                 p);
    } else {
        snprintf(r->r_drafting_basis, sizeof(r->r_drafting_basis),
                 "no Member State has an ILO in this network");
    }
    sqlite3_reset(st);
    return 0;
}

/* ---- footer ------------------------------------------------------------------ */

static int
rq__head_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rm_head *)a)->h_log,
                  ((const struct rm_head *)b)->h_log);
}

int
rq_footer(struct store *s, struct rm_report *r)
{
    struct log_head *hs = NULL;
    uint8_t vh[HASH_LEN];
    size_t n = 0;
    int rc;

    if ((rc = view_hash(s, NULL, vh)) != 0)
        return rc;
    hash_hex(vh, HASH_LEN, r->r_view_hash);
    if ((rc = log_heads(s, &hs, &n)) != 0)
        return rc;
    r->r_heads = calloc(n ? n : 1, sizeof(*r->r_heads));
    if (!r->r_heads) {
        free(hs);
        return ILONET_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct rm_head *h = &r->r_heads[r->r_nheads];
        if (hs[i].lh_seq == 0)
            continue;
        if (!r->r_o->ro_member_state &&
            strcmp(hs[i].lh_log.ld_audience, "ms") == 0)
            continue;
        hash_hex(hs[i].lh_log.ld_id, HASH_LEN, h->h_log);
        hash_hex(hs[i].lh_id, HASH_LEN, h->h_id);
        snprintf(h->h_audience, sizeof(h->h_audience), "%s",
                 hs[i].lh_log.ld_audience);
        h->h_seq = hs[i].lh_seq;
        r->r_nheads++;
    }
    free(hs);
    qsort(r->r_heads, r->r_nheads, sizeof(*r->r_heads), rq__head_cmp);
    return 0;
}
