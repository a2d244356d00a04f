/* view_report.c - the view's read API for the semester report: named queries
 * over its SQL views, the cover's drafting facts, the provenance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/textbuf.h"
#include "storage/blob.h"
#include "storage/entry.h"
#include "storage/log.h"
#include "view_int.h"

_Static_assert(VIEW_REPORT_ATT_TYPE_MAX == BLOB_TYPE_MAX &&
                   VIEW_REPORT_ATT_NAME_MAX == BLOB_NAME_MAX,
               "view_report_att holds what a blob reference holds");
_Static_assert(VIEW_REPORT_STATE_LEN == KEY_STATE_MAX + 1,
               "a state code fits VIEW_REPORT_STATE_LEN");
_Static_assert(VIEW_REPORT_AUDIENCE_LEN == ENTRY_AUDIENCE_MAX + 1,
               "an audience fits VIEW_REPORT_AUDIENCE_LEN");

/*
 * A query is a fixed SELECT over a *base*: one of the view's read-only SQL
 * views restricted to the period, to the one audience the rows come from
 * (a report's body: `net`, what every addressee may read; its annex for
 * Member States: `ms`) and to the caller's FIELD=VALUE filters. Filter
 * column names are looked up in the base's list and the list's own string
 * is written into the SQL; values are bound. Every query orders its rows
 * completely (ties broken by the record id, or by the whole grouping key),
 * so the output depends on the entries held only.
 * ?1 = period start (ms), ?2 = period end (ms, exclusive), ?3 = the
 * audience, ?4... = filter values.
 *
 * Stubs (kind 20, docs/REPORTS.md) carry into `net` what the report states
 * of restricted records: a meeting held without the Commission (date,
 * convenor, category of reason) joins the meetings base, a task-sharing
 * arrangement (members, day) is the stubs base. Under a vocabulary without
 * stubs (an older version) those parts are empty.
 */

/* A record counts in the period when its event days overlap it
 * (docs/REGIMES.md §4): a meeting dated 2027-01-20 recorded in December
 * counts in 2027-H1; a record without an event date has the day it was
 * written. ?2 is the first millisecond after the period. */
#define VR_IN_PERIOD                                                           \
    "event_from < date(?2 / 1000, 'unixepoch') AND (event_to IS NULL OR"       \
    " event_to >= date(?1 / 1000, 'unixepoch'))"
#define VR_STATE_LABEL                                                         \
    "CASE WHEN b.author_state <> b.state THEN b.state || ' (by ' ||"           \
    " b.author_state || ')' ELSE b.state END AS state"
#define VR_CAT_ORDER                                                           \
    "CASE b.category WHEN 'flows' THEN 1 WHEN 'routes' THEN 2 WHEN"            \
    " 'modus-operandi' THEN 3 WHEN 'criminal-organisations' THEN 4 WHEN"       \
    " 'incidents' THEN 5 WHEN 'document-fraud' THEN 6 WHEN 'assistance'"       \
    " THEN 7 WHEN 'return' THEN 8 WHEN 'legislation' THEN 9 WHEN"              \
    " 'protection' THEN 10 WHEN 'legal-migration' THEN 11 WHEN"                \
    " 'capacity-building' THEN 12 ELSE 13 END"

/* ---- bases --------------------------------------------------------------- */

static const char *const view__obs_cols[] = {
    "id",          "state",   "author_state", "audience",    "time_ms",
    "category",    "summary", "detail",       "nationality", "figure",
    "unit",        "period",  "period_from",  "period_to",   "level",
    "reliability", "source",  "place",        NULL};
static const char *const view__meet_cols[] = {
    "id",        "state",    "author_state", "audience",   "time_ms", "date",
    "place",     "convenor", "participants", "commission", "reason",  "topics",
    "exclusion", NULL};
static const char *const view__train_cols[] = {
    "id",   "state", "author_state", "audience",  "time_ms", "title", "type",
    "date", "place", "organiser",    "attendees", "detail",  NULL};
static const char *const view__carr_cols[] = {
    "id",       "state", "author_state", "audience", "time_ms", "carrier",
    "position", "date",  "states",       "detail",   NULL};
static const char *const view__cont_cols[] = {
    "id",   "state", "author_state", "audience", "time_ms", "counterpart",
    "type", "date",  "place",        "summary",  "topics",  NULL};
static const char *const view__post_cols[] = {
    "id",       "state", "author_state", "audience", "time_ms", "post",
    "officers", "from",  "until",        "remit",    NULL};
static const char *const view__task_cols[] = {
    "id",  "creator", "author_state", "audience", "time_ms",   "title",
    "for", "due",     "detail",       "status",   "status_by", NULL};
static const char *const view__grant_cols[] = {
    "id",   "represented", "representing", "scope",   "audience",
    "from", "until",       "revoked",      "time_ms", NULL};
static const char *const view__rec_cols[] = {
    "id", "state", "author_state", "audience", "kind", "time_ms", NULL};
static const char *const view__log_cols[] = {"state", "role", "audience", NULL};
static const char *const view__stub_cols[] = {
    "id",      "state", "author_state", "audience",
    "time_ms", "date",  "states",       NULL};

/* A base's name and filterable columns, as the bases and the queries
 * over them spell them. */
#define BASE_OBS "observations", view__obs_cols
#define BASE_MEET "meetings", view__meet_cols
#define BASE_TRAIN "trainings", view__train_cols
#define BASE_CARR "carriers", view__carr_cols
#define BASE_CONT "contacts", view__cont_cols
#define BASE_POST "postings", view__post_cols
#define BASE_TASK "tasks", view__task_cols
#define BASE_GRANT "grants", view__grant_cols
#define BASE_REC "records", view__rec_cols
/* A log counts for a report's members and drafting rule when it holds a
 * record other than a report attestation (kind 22): attesting is about
 * the report, so it never changes the report it vouches for (a node that
 * has written nothing else does not become a member by attesting). */
#define VIEW__LOG_ACTIVE                                                       \
    " AND EXISTS (SELECT 1 FROM v_records q WHERE q.author = logs.author AND"  \
    " q.audience = logs.audience AND q.kind <> 22)"

#define BASE_LOG "logs", view__log_cols
#define BASE_STUB "stubs", view__stub_cols

enum {
    VB_OBS,
    VB_MEET,
    VB_TRAIN,
    VB_CARR,
    VB_CONT,
    VB_POST,
    VB_TASK,
    VB_GRANT,
    VB_REC,
    VB_LOG,
    VB_STUB,
};

/*
 * A record base's rows, part by part, for the fast plan: the records of
 * kind a_kind (0: every record kind) whose event days overlap the period,
 * found in index v_rec_days (view__days_cand()), each joined to its row of
 * SQL view a_view (NULL: v_records itself) by key, a_cols of it selected
 * where a_where holds. The same rows as b_from under b_when, without
 * reading every record of the kind: a semester at a million records is
 * about 5 % of them.
 */
struct view__arm {
    const char *a_view;
    uint32_t a_kind;
    const char *a_cols;
    const char *a_where;
};

struct view__base {
    const char *b_name;
    const char *const *b_cols;     /* what a filter may name */
    const char *b_from;            /* a SELECT usable as a subquery */
    const char *b_when;            /* the period condition */
    const char *b_nostub;          /* b_from under a vocabulary without
                                      stubs, when it differs */
    const struct view__arm *b_arm; /* b_from by parts, ended by one without
                                     a_cols; NULL: no fast plan */
};

/* A meeting held without the Commission outside net shows through its
 * stub: the date, the convenor and the category of reason only. */
#define VB_MEET_COLS                                                           \
    "id, state, author_state, audience, time_ms, date, place, convenor,"       \
    " participants, commission, reason, topics"
#define VB_EVENT " event_from, event_to"
#define VB_NO_STUBS                                                            \
    "SELECT NULL AS id, NULL AS state, NULL AS author_state, NULL AS"          \
    " audience, NULL AS time_ms, NULL AS date, NULL AS states, NULL AS"        \
    " event_from, NULL AS event_to WHERE 0"
#define VB_REC_HEAD                                                            \
    "SELECT lower(hex(id)) AS id, owner AS state, author_state, audience,"     \
    " kind, ms AS time_ms, event_from, event_to"
#define VB_REC_TAIL " FROM v_records WHERE valid = 1 AND status = 'active'"

#define VB_ARM1(view, kind)                                                    \
    (const struct view__arm[])                                                 \
    {                                                                          \
        {view, kind, "v.*", NULL},                                             \
        {                                                                      \
            0                                                                  \
        }                                                                      \
    }

static const struct view__base view__bases[] = {
    [VB_OBS] = {BASE_OBS, "SELECT * FROM observations", VR_IN_PERIOD, NULL,
                VB_ARM1("observations", KIND_OBSERVATION)},
    [VB_MEET] =
        {BASE_MEET,
         "SELECT " VB_MEET_COLS ", exclusion," VB_EVENT " FROM"
         " meetings UNION ALL SELECT id, state, author_state,"
         " audience, time_ms, date, NULL, convenor, NULL,"
         " 'excluded', NULL, NULL, exclusion," VB_EVENT " FROM stubs"
         " WHERE about = 'meeting'",
         VR_IN_PERIOD,
         "SELECT " VB_MEET_COLS ", NULL AS exclusion," VB_EVENT
         " FROM meetings",
         (const struct view__arm[]){
             {"meetings", KIND_MEETING, VB_MEET_COLS ", exclusion," VB_EVENT,
              NULL},
             {"stubs", KIND_STUB,
              "id, state, author_state, audience, time_ms, date, NULL,"
              " convenor, NULL, 'excluded', NULL, NULL, exclusion," VB_EVENT,
              "about = 'meeting'"},
             {0}}},
    [VB_TRAIN] = {BASE_TRAIN, "SELECT * FROM trainings", VR_IN_PERIOD, NULL,
                  VB_ARM1("trainings", KIND_TRAINING)},
    [VB_CARR] = {BASE_CARR, "SELECT * FROM carriers", VR_IN_PERIOD, NULL,
                 VB_ARM1("carriers", KIND_CARRIER)},
    [VB_CONT] = {BASE_CONT, "SELECT * FROM contacts", VR_IN_PERIOD, NULL,
                 VB_ARM1("contacts", KIND_CONTACT)},
    /* A posting notice counts while in force during the period (its
     * event days are from..until), whenever it was written. */
    [VB_POST] = {BASE_POST, "SELECT * FROM postings", VR_IN_PERIOD, NULL,
                 VB_ARM1("postings", KIND_POSTING)},
    [VB_TASK] = {BASE_TASK, "SELECT * FROM tasks", VR_IN_PERIOD, NULL,
                 VB_ARM1("tasks", KIND_TASK)},
    /* A grant counts when published by the period's end and in force
     * during part of it (not revoked before it began). */
    /* once per audience it was published in (a grant in net and in a
     * group counts in both) */
    [VB_GRANT] = {BASE_GRANT,
                  "SELECT lower(hex(g.grant_id)) AS id, g.represented,"
                  " g.representing, g.scope, g.audience AS audience,"
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
                  " WHERE g.valid = 1 GROUP BY g.grant_id, g.audience",
                  "time_ms < ?2 AND not_before * 1000 < ?2 AND not_after *"
                  " 1000 + 999 >= ?1 AND (revoked_ms IS NULL OR revoked_ms"
                  " > ?1)"},
    [VB_REC] = {BASE_REC, VB_REC_HEAD ", about" VB_REC_TAIL, VR_IN_PERIOD,
                VB_REC_HEAD ", NULL AS about" VB_REC_TAIL,
                (const struct view__arm[]){
                    {NULL, 0,
                     "lower(hex(v.id)) AS id, owner AS state, author_state,"
                     " audience, kind, ms AS time_ms, event_from, event_to,"
                     " about",
                     "valid = 1 AND status = 'active'"},
                    {0}}},
    /* Members: nodes whose logs are held, certified during the period. */
    [VB_LOG] = {BASE_LOG,
                "SELECT state, CASE role WHEN 1 THEN 'ilo' WHEN 2 THEN"
                " 'presidency' WHEN 3 THEN 'commission' WHEN 4 THEN 'agency'"
                " ELSE 'unknown' END AS role, audience, author, cert_nb,"
                " cert_na FROM logs WHERE head_seq > 0" VIEW__LOG_ACTIVE,
                "cert_nb * 1000 < ?2 AND cert_na * 1000 + 999 >= ?1"},
    /* Task-sharing arrangements, as their stubs state them. */
    [VB_STUB] = {BASE_STUB,
                 "SELECT id, state, author_state, audience, time_ms, date,"
                 " states," VB_EVENT " FROM stubs WHERE about = 'task'",
                 VR_IN_PERIOD, VB_NO_STUBS,
                 (const struct view__arm[]){
                     {"stubs", KIND_STUB,
                      "id, state, author_state, audience, time_ms, date,"
                      " states," VB_EVENT,
                      "about = 'task'"},
                     {0}}},
};

/* ---- queries ------------------------------------------------------------- */

static const char *const q_members[] = {"state", "role", "nodes", NULL};
static const char *const q_postings[] = {"state", "post",  "officers", "from",
                                         "until", "remit", "audience", NULL};
static const char *const q_grants[] = {
    "represented", "representing", "scope",    "from",
    "until",       "revoked",      "audience", NULL};
static const char *const q_tasks[] = {"creator", "for",      "title", "due",
                                      "status",  "audience", NULL};
static const char *const q_sharing[] = {"date", "states", "state", NULL};
static const char *const q_msum[] = {"meetings", "with_commission",
                                     "without_commission", NULL};
static const char *const q_meetings[] = {
    "date",   "place", "convenor", "participants", "commission", "reason",
    "topics", "state", "audience", "exclusion",    NULL};
static const char *const q_contrib[] = {
    "state",    "observations", "meetings", "trainings", "carriers",
    "contacts", "postings",     "tasks",    "total",     NULL};
static const char *const q_contacts[] = {"date",   "state",    "counterpart",
                                         "type",   "place",    "summary",
                                         "topics", "audience", NULL};
static const char *const q_carriers[] = {"date",     "state",  "carrier",
                                         "position", "states", "detail",
                                         "audience", NULL};
static const char *const q_trainings[] = {
    "date",  "state",     "title",  "type",     "organiser",
    "place", "attendees", "detail", "audience", NULL};
static const char *const q_obs[] = {
    "period",      "state",  "category",    "summary", "detail",
    "level",       "place",  "nationality", "figure",  "unit",
    "reliability", "source", "audience",    NULL};
static const char *const q_figures[] = {
    "category",      "period", "observations", "with_figure",
    "not_available", "unit",   "total",        NULL};
static const char *const q_nat[] = {"nationality", "period", "observations",
                                    "unit",        "total",  NULL};
static const char *const q_rel[] = {"reliability", "observations", NULL};
static const char *const q_catmonth[] = {"category", "month", "observations",
                                         NULL};
static const char *const q_natfig[] = {"label", "total", NULL};

/* The catalogue: a query's public description, its base, its SQL. */
struct view__q {
    struct view_report_query q_pub;
    int q_base;
    const char *q_sql; /* "%s" = the filtered base subquery */
};

static const struct view__q view__queries[] = {
    {{"members", VIEW_REPORT_TABLE, BASE_LOG, q_members},
     VB_LOG,
     "SELECT b.state, b.role, count(DISTINCT b.author) AS nodes FROM (%s) b"
     " GROUP BY b.state, b.role ORDER BY b.state, b.role"},
    {{"postings", VIEW_REPORT_TABLE, BASE_POST, q_postings},
     VB_POST,
     "SELECT " VR_STATE_LABEL ", b.post, b.officers, b.\"from\","
     " b.\"until\", b.remit, b.audience FROM (%s) b ORDER BY b.state,"
     " b.\"from\", b.time_ms, b.id"},
    {{"grants", VIEW_REPORT_TABLE, BASE_GRANT, q_grants},
     VB_GRANT,
     "SELECT b.represented, b.representing, b.scope, b.\"from\","
     " b.\"until\", b.revoked, b.audience FROM (%s) b ORDER BY"
     " b.represented, b.representing, b.\"from\", b.id"},
    {{"tasks", VIEW_REPORT_TABLE, BASE_TASK, q_tasks},
     VB_TASK,
     "SELECT b.creator, b.\"for\", b.title, b.due, b.status, b.audience"
     " FROM (%s) b ORDER BY b.time_ms, b.id"},
    /* what every member may read of shared tasks: their stubs */
    {{"task-sharing", VIEW_REPORT_TABLE, BASE_STUB, q_sharing},
     VB_STUB,
     "SELECT b.date, b.states, b.state FROM (%s) b ORDER BY b.date,"
     " b.states, b.time_ms, b.id"},
    {{"meeting-summary", VIEW_REPORT_TABLE, BASE_MEET, q_msum},
     VB_MEET,
     "SELECT count(*) AS meetings, sum(b.commission = 'present') AS"
     " with_commission, sum(b.commission = 'excluded') AS"
     " without_commission FROM (%s) b HAVING count(*) > 0"},
    {{"meetings", VIEW_REPORT_TABLE, BASE_MEET, q_meetings},
     VB_MEET,
     "SELECT b.date, b.place, b.convenor, b.participants, b.commission,"
     " b.reason, b.topics, " VR_STATE_LABEL ", b.audience, b.exclusion FROM"
     " (%s) b ORDER BY b.date, b.time_ms, b.id"},
    {{"contributions", VIEW_REPORT_TABLE, BASE_REC, q_contrib},
     VB_REC,
     "SELECT " VR_STATE_LABEL ", sum(b.kind = 2), sum(b.kind = 3 OR"
     " b.about = 'meeting'), sum(b.kind = 4), sum(b.kind = 5), sum(b.kind ="
     " 6), sum(b.kind = 7), sum(b.kind = 11 OR b.about = 'task'), count(*)"
     " FROM (%s) b WHERE b.kind BETWEEN 2 AND 7 OR b.kind = 11 OR (b.kind ="
     " 20 AND b.about IN ('meeting', 'task')) GROUP BY b.state,"
     " b.author_state ORDER BY b.state, b.author_state"},
    {{"contacts", VIEW_REPORT_TABLE, BASE_CONT, q_contacts},
     VB_CONT,
     "SELECT b.date, " VR_STATE_LABEL ", b.counterpart, b.type, b.place,"
     " b.summary, b.topics, b.audience FROM (%s) b ORDER BY b.date,"
     " b.time_ms, b.id"},
    {{"carriers", VIEW_REPORT_TABLE, BASE_CARR, q_carriers},
     VB_CARR,
     "SELECT b.date, " VR_STATE_LABEL ", b.carrier, b.position, b.states,"
     " b.detail, b.audience FROM (%s) b ORDER BY b.date, b.time_ms, b.id"},
    {{"trainings", VIEW_REPORT_TABLE, BASE_TRAIN, q_trainings},
     VB_TRAIN,
     "SELECT b.date, " VR_STATE_LABEL ", b.title, b.type, b.organiser,"
     " b.place, b.attendees, b.detail, b.audience FROM (%s) b ORDER BY"
     " b.date, b.time_ms, b.id"},
    /* The period observed, else the date the observation was recorded. */
    {{"observations", VIEW_REPORT_TABLE, BASE_OBS, q_obs},
     VB_OBS,
     "SELECT coalesce(b.period, date(b.time_ms / 1000, "
     "'unixepoch')), " VR_STATE_LABEL
     ", b.category, b.summary, b.detail, b.level, b.place,"
     " b.nationality, b.figure, b.unit, b.reliability, b.source,"
     " b.audience FROM (%s) b ORDER BY " VR_CAT_ORDER ", b.event_from,"
     " b.time_ms, b.id"},
    /* Figures are summed only where the unit and the period observed
     * agree; an observation without a period is its own group (listed,
     * its recording date shown). Categories outside the vocabulary share
     * one rank: their name breaks the tie. */
    {{"figures", VIEW_REPORT_TABLE, BASE_OBS, q_figures},
     VB_OBS,
     "SELECT b.category, coalesce(b.period, date(min(b.time_ms) / 1000,"
     " 'unixepoch')), count(*), count(b.figure), count(*) -"
     " count(b.figure), b.unit, sum(b.figure) FROM (%s) b GROUP BY"
     " b.category, b.unit, coalesce(b.period, b.id) ORDER BY " VR_CAT_ORDER
     ", b.unit IS NULL, b.unit, b.period IS NULL, b.period, b.category,"
     " min(b.id)"},
    {{"nationalities", VIEW_REPORT_TABLE, BASE_OBS, q_nat},
     VB_OBS,
     "SELECT b.nationality, coalesce(b.period, date(min(b.time_ms) / 1000,"
     " 'unixepoch')), count(*), b.unit, sum(b.figure) AS t FROM (%s) b"
     " WHERE b.nationality IS NOT NULL GROUP BY b.nationality, b.unit,"
     " coalesce(b.period, b.id) ORDER BY t IS NULL, t DESC, b.nationality,"
     " b.unit, b.period, min(b.id)"},
    {{"reliability", VIEW_REPORT_TABLE, BASE_OBS, q_rel},
     VB_OBS,
     "SELECT b.reliability, count(*) FROM (%s) b GROUP BY b.reliability"
     " ORDER BY b.reliability IS NULL, b.reliability"},
    /* Charts: observations per category and month of the event (its
     * first day; an event that began before the period counts in the
     * period's first month) ... */
    {{"category-month", VIEW_REPORT_CHART, BASE_OBS, q_catmonth},
     VB_OBS,
     "SELECT b.category, CAST(strftime('%%m', max(b.event_from, date(?1 /"
     " 1000, 'unixepoch'))) AS INTEGER) AS m, count(*) FROM (%s) b GROUP BY"
     " 1, 2 ORDER BY 1, 2"},
    /* ... and the 24 largest sums of figures per nationality, unit and
     * period observed (sums only where unit and period agree; a label can
     * be spelt by two groups: the group breaks the tie). */
    {{"nationality-figures", VIEW_REPORT_CHART, BASE_OBS, q_natfig},
     VB_OBS,
     "SELECT b.nationality || ' (' || coalesce(b.unit, 'no unit') || ', ' ||"
     " coalesce(b.period, 'recorded ' || date(min(b.time_ms) / 1000,"
     " 'unixepoch')) || ')' AS l, sum(b.figure) AS t FROM (%s) b WHERE"
     " b.figure IS NOT NULL AND b.nationality IS NOT NULL GROUP BY"
     " b.nationality, b.unit, coalesce(b.period, b.id) ORDER BY t DESC, l,"
     " b.nationality, b.unit, min(b.id) LIMIT 24"},
};

#define VIEW__NQUERIES (sizeof(view__queries) / sizeof(view__queries[0]))

const struct view_report_query *
view_report_query_at(enum view_report_use use, size_t i)
{
    for (size_t k = 0; k < VIEW__NQUERIES; k++)
        if (view__queries[k].q_pub.vq_use == use && i-- == 0)
            return &view__queries[k].q_pub;
    return NULL;
}

static const struct view__q *
view__query(enum view_report_use use, const char *name)
{
    for (size_t k = 0; name && k < VIEW__NQUERIES; k++)
        if (view__queries[k].q_pub.vq_use == use &&
            strcmp(view__queries[k].q_pub.vq_name, name) == 0)
            return &view__queries[k];
    return NULL;
}

const struct view_report_query *
view_report_query_find(enum view_report_use use, const char *name)
{
    const struct view__q *q = view__query(use, name);
    return q ? &q->q_pub : NULL;
}

/* The catalogue's own spelling of name in list, NULL if absent; its
 * position into *at. */
static const char *
view__word(const char *const *list, const char *name, size_t *at)
{
    for (size_t i = 0; name && list[i]; i++)
        if (strcmp(list[i], name) == 0) {
            *at = i;
            return list[i];
        }
    return NULL;
}

/* ---- running a query ----------------------------------------------------- */

/* 1 when the vocabulary in force has stubs (and so the SQL view stubs and
 * the columns about and exclusion exist). */
static int
view__has_stubs(struct store *s)
{
    const struct vocab *v = view__vocab(s);
    const struct vocab_kind *k = v ? vocab_kind_by_code(v, KIND_STUB) : NULL;

    return k && k->vk_is_record && vocab_field(k, "about") &&
           vocab_field(k, "reason");
}

/* The kinds arm a reads as a v_rec condition into where (cap bytes):
 * its one kind, or every record kind of vocabulary v (the only kinds
 * v_rec holds rows of). */
static int
view__arm_kinds(const struct view__arm *a, const struct vocab *v, char *where,
                size_t cap)
{
    const struct vocab_kind *ks;
    size_t nk, off;
    int n;

    if (a->a_kind) {
        n = snprintf(where, cap, "kind = %u", (unsigned)a->a_kind);
        return n < 0 || (size_t)n >= cap ? ILONET_ETOOBIG : 0;
    }
    ks = vocab_kinds(v, &nk);
    off = (size_t)snprintf(where, cap, "kind IN (0");
    for (size_t i = 0; i < nk && off < cap; i++)
        if (ks[i].vk_is_record)
            off += (size_t)snprintf(where + off, cap - off, ", %u",
                                    (unsigned)ks[i].vk_code);
    if (off < cap)
        off += (size_t)snprintf(where + off, cap - off, ")");
    return off >= cap ? ILONET_ETOOBIG : 0;
}

/* Base b's rows through its arms (struct view__arm) into sql; ILONET_
 * ENOTFOUND when the store or the vocabulary lacks what they need (the
 * index during a first sync, a kind), and the caller uses b_from. */
static int
view__arm_sql(struct store *s, const struct view__base *b, struct textbuf *sql)
{
    const struct vocab *v = view__vocab(s);
    char where[512];
    size_t n;
    int rc;

    if (!v || !view__has_index(s, "v_rec_days"))
        return ILONET_ENOTFOUND;
    for (const struct view__arm *a = b->b_arm; a->a_cols; a++) {
        if ((rc = view__arm_kinds(a, v, where, sizeof(where))) != 0)
            return rc;
        n = strlen(where);
        snprintf(where + n, sizeof(where) - n,
                 " AND valid = 1 AND status = 'active'");
        textbuf_printf(sql, "%sSELECT %s FROM (",
                       a == b->b_arm ? "" : " UNION ALL ", a->a_cols);
        /* the period's first and last day (?1, ?2: its first and first
         * following millisecond), a day wider on each side: the period
         * condition itself still decides */
        if ((rc = view__days_cand(
                 sql, v, a->a_kind ? a->a_kind : KIND_OBSERVATION, "k", where,
                 "(?1 / 86400000 - 1)", "(?2 / 86400000)")) != 0)
            return rc;
        /* the candidates drive: one lookup of the record by key each */
        textbuf_puts(sql, ") AS c CROSS JOIN ");
        if (a->a_view) {
            textbuf_puts(sql, "(");
            if ((rc = view__view_select(s, a->a_view, "k AS _k", sql)) != 0)
                return rc;
            textbuf_puts(sql, ") AS v ON v._k = c.k");
        } else {
            textbuf_puts(sql, "v_records AS v ON v.k = c.k");
        }
        if (a->a_where)
            textbuf_printf(sql, " WHERE %s", a->a_where);
    }
    return 0;
}

int
view_report_hold(struct store *s)
{
    struct view_ctx *c = s ? view__attached(s) : NULL;

    if (!c)
        return ILONET_EINVAL;
    view_report_unhold(s);
    c->vc_rep_hold = 1;
    return 0;
}

void
view_report_unhold(struct store *s)
{
    struct view_ctx *c = s ? view__attached(s) : NULL;
    char sql[64];

    if (!c)
        return;
    for (size_t i = 0; i < c->vc_rep_n; i++) {
        snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS temp.vrb_%zu", i);
        (void)sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
    }
    c->vc_rep_n = 0;
    c->vc_rep_hold = 0;
}

/* The TEMP table holding base b's rows (from: its SELECT) of rq's period
 * and audience, read into one the first time: its number into *at.
 * ILONET_ENOTFOUND when nothing is held (no view_report_hold(), the
 * audience too long, every table in use). */
static int
view__rep_held(struct store *s, int base, const char *from,
               const struct view_report_req *rq, size_t *at)
{
    struct view_ctx *c = view__attached(s);
    const char *aud = rq->vrq_audience ? rq->vrq_audience : "net";
    struct view__rep_held *h;
    struct textbuf sql = {0};
    sqlite3_stmt *st;
    int rc;

    if (!c || !c->vc_rep_hold || strlen(aud) >= sizeof(h->rh_aud))
        return ILONET_ENOTFOUND;
    for (size_t i = 0; i < c->vc_rep_n; i++) {
        h = &c->vc_rep[i];
        if (h->rh_base == base && h->rh_from == (int64_t)rq->vrq_from_ms &&
            h->rh_to == (int64_t)rq->vrq_to_ms && strcmp(h->rh_aud, aud) == 0) {
            *at = i;
            return 0;
        }
    }
    if (c->vc_rep_n == VIEW__REP_HELD)
        return ILONET_ENOTFOUND;
    textbuf_printf(&sql,
                   "CREATE TEMP TABLE vrb_%zu AS SELECT * FROM (%s) WHERE (%s)"
                   " AND audience = ?3",
                   c->vc_rep_n, from, view__bases[base].b_when);
    if (sql.tb_err)
        rc = ILONET_ENOMEM;
    else if (sqlite3_prepare_v2(store_db(s), sql.tb_data, -1, &st, NULL) !=
             SQLITE_OK)
        rc = ILONET_EIO;
    else {
        sqlite3_bind_int64(st, 1, (int64_t)rq->vrq_from_ms);
        sqlite3_bind_int64(st, 2, (int64_t)rq->vrq_to_ms);
        sqlite3_bind_text(st, 3, aud, -1, SQLITE_STATIC);
        rc = view__step_done(st);
        sqlite3_finalize(st);
    }
    textbuf_free(&sql);
    if (rc != 0)
        return rc;
    h = &c->vc_rep[c->vc_rep_n];
    h->rh_base = base;
    h->rh_from = (int64_t)rq->vrq_from_ms;
    h->rh_to = (int64_t)rq->vrq_to_ms;
    snprintf(h->rh_aud, sizeof(h->rh_aud), "%s", aud);
    *at = c->vc_rep_n++;
    return 0;
}

/* The SQL of q's base under rq's filters into sub. Only strings of the
 * catalogue are written; the caller's values become parameters. */
static int
view__base_sql(struct store *s, const struct view__q *q,
               const struct view_report_req *rq, struct textbuf *sub)
{
    const struct view__base *b = &view__bases[q->q_base];
    const char *from = b->b_from;
    struct textbuf arm = {0};
    size_t at;
    int rc = ILONET_ENOTFOUND;

    if (!view__has_stubs(s) && b->b_nostub)
        from = b->b_nostub; /* and no stubs to join */
    else if (b->b_arm)
        rc = view__arm_sql(s, b, &arm);
    if (rc == 0 && arm.tb_err)
        rc = ILONET_ENOMEM;
    if (rc == 0)
        from = arm.tb_data;
    else if (rc != ILONET_ENOTFOUND)
        goto out;
    /* a record base's rows of the period, once per report */
    rc = b->b_arm ? view__rep_held(s, q->q_base, from, rq, &at)
                  : ILONET_ENOTFOUND;
    if (rc == 0)
        textbuf_printf(sub, "SELECT * FROM temp.vrb_%zu WHERE 1", at);
    else if (rc == ILONET_ENOTFOUND)
        textbuf_printf(sub, "SELECT * FROM (%s) WHERE (%s) AND audience = ?3",
                       from, b->b_when);
    else
        goto out;
    rc = 0;
    for (size_t i = 0; i < rq->vrq_nfilters && rc == 0; i++) {
        const char *col =
            view__word(b->b_cols, rq->vrq_filters[i].vf_column, &at);
        if (!col || !rq->vrq_filters[i].vf_value)
            rc = ILONET_EINVAL;
        else
            textbuf_printf(sub, " AND \"%s\" = ?%zu", col, i + 4);
    }
    if (rc == 0 && sub->tb_err)
        rc = ILONET_ENOMEM;
out:
    textbuf_free(&arm);
    return rc;
}

/* Prepares sql (a query over view__base_sql()'s text) into *st with rq's
 * parameters bound: ?1 and ?2 the period, ?3 the audience, ?4... the
 * filters' values. */
static int
view__report_prepare(struct store *s, const struct textbuf *sql,
                     const struct view_report_req *rq, sqlite3_stmt **st)
{
    if (sql->tb_err)
        return ILONET_ENOMEM;
    if (sqlite3_prepare_v2(store_db(s), sql->tb_data, -1, st, NULL) !=
        SQLITE_OK)
        return ILONET_EIO;
    sqlite3_bind_int64(*st, 1, (int64_t)rq->vrq_from_ms);
    sqlite3_bind_int64(*st, 2, (int64_t)rq->vrq_to_ms);
    sqlite3_bind_text(*st, 3, rq->vrq_audience ? rq->vrq_audience : "net", -1,
                      SQLITE_STATIC);
    for (size_t i = 0; i < rq->vrq_nfilters; i++)
        sqlite3_bind_text(*st, (int)i + 4, rq->vrq_filters[i].vf_value, -1,
                          SQLITE_STATIC);
    return 0;
}

static char *
view__dup(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

void
view_report_rows_free(struct view_report_rows *rows)
{
    if (!rows)
        return;
    for (size_t i = 0; rows->vrw_cells && i < rows->vrw_nrows * rows->vrw_ncols;
         i++)
        free(rows->vrw_cells[i].vcl_text);
    free(rows->vrw_cells);
    memset(rows, 0, sizeof(*rows));
}

int
view_report_rows(struct store *s, const struct view_report_req *rq,
                 struct view_report_rows *out)
{
    const struct view__q *q;
    struct view_report_rows rows = {0};
    int pick[VIEW_REPORT_MAX_COLS];
    sqlite3_stmt *st = NULL;
    struct textbuf sub = {0}, sql = {0};
    size_t ncols = 0, cap = 0, at;
    int rc, step;

    if (!s || !rq || !out)
        return ILONET_EINVAL;
    if (!(q = view__query(rq->vrq_use, rq->vrq_query)) ||
        rq->vrq_nfilters > VIEW_REPORT_MAX_FILTERS ||
        (rq->vrq_nfilters && !rq->vrq_filters) ||
        rq->vrq_ncols > VIEW_REPORT_MAX_COLS ||
        (rq->vrq_ncols && !rq->vrq_cols))
        return ILONET_EINVAL;
    if (rq->vrq_ncols) {
        for (; ncols < rq->vrq_ncols; ncols++) {
            if (!view__word(q->q_pub.vq_cols, rq->vrq_cols[ncols], &at))
                return ILONET_EINVAL;
            pick[ncols] = (int)at;
        }
    } else {
        for (; q->q_pub.vq_cols[ncols] && ncols < VIEW_REPORT_MAX_COLS; ncols++)
            pick[ncols] = (int)ncols;
    }
    if ((rc = view__base_sql(s, q, rq, &sub)) == 0) {
        textbuf_printf(&sql, q->q_sql, sub.tb_data);
        rc = view__report_prepare(s, &sql, rq, &st);
    }
    textbuf_free(&sub);
    textbuf_free(&sql);
    if (rc != 0)
        return rc;
    rows.vrw_ncols = ncols;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct view_report_cell *row;
        if (rows.vrw_nrows == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct view_report_cell *p =
                realloc(rows.vrw_cells, nc * (ncols ? ncols : 1) * sizeof(*p));
            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            rows.vrw_cells = p;
            cap = nc;
        }
        row = &rows.vrw_cells[rows.vrw_nrows * ncols];
        memset(row, 0, ncols * sizeof(*row));
        rows.vrw_nrows++;
        for (size_t c = 0; c < ncols; c++) {
            const unsigned char *t;
            switch (sqlite3_column_type(st, pick[c])) {
            case SQLITE_NULL: break;
            case SQLITE_INTEGER:
                row[c].vcl_type = VIEW_REPORT_INT;
                row[c].vcl_int = sqlite3_column_int64(st, pick[c]);
                break;
            default: /* text; a real or a blob as SQLite spells it */
                t = sqlite3_column_text(st, pick[c]);
                if (!t || !(row[c].vcl_text = view__dup((const char *)t))) {
                    rc = ILONET_ENOMEM;
                    goto out;
                }
                row[c].vcl_type = VIEW_REPORT_TEXT;
            }
        }
    }
    if (step != SQLITE_DONE) {
        rc = store_err(step);
        goto out;
    }
    *out = rows;
    memset(&rows, 0, sizeof(rows));
out:
    sqlite3_finalize(st);
    view_report_rows_free(&rows);
    return rc;
}

/* ---- attachments of the records a table lists -----------------------------
 */

/* The table queries that list records one per row, and how each names the
 * record's state (as its rows show it). */
static const struct {
    const char *aq_name;
    const char *aq_state;
} view__att_queries[] = {
    {"postings", VR_STATE_LABEL},
    {"tasks", "CASE WHEN b.author_state <> b.creator THEN b.creator || ' (by"
              " ' || b.author_state || ')' ELSE b.creator END"},
    {"task-sharing", VR_STATE_LABEL},
    {"meetings", VR_STATE_LABEL},
    {"contacts", VR_STATE_LABEL},
    {"carriers", VR_STATE_LABEL},
    {"trainings", VR_STATE_LABEL},
    {"observations", VR_STATE_LABEL},
};

/* The references of one record: its creation's and those of amendments
 * whose change takes effect (as view_record_attachments). */
static const char view__rec_att_sql[] =
    "SELECT r.k, r.i, r.hash FROM blob_ref r CROSS JOIN entries e ON e.k ="
    " r.k WHERE r.record = ?1 AND (e.id = ?1 OR EXISTS (SELECT 1 FROM v_chg c"
    " WHERE c.k = r.k AND c.valid = 1))";

/* Order of one record's items: hash, name, type, size. */
static int
view__att_cmp(const void *a, const void *b)
{
    const struct view_report_att *x = a, *y = b;
    int c;

    if ((c = memcmp(x->vra_hash, y->vra_hash, HASH_LEN)) != 0 ||
        (c = strcmp(x->vra_name, y->vra_name)) != 0 ||
        (c = strcmp(x->vra_type, y->vra_type)) != 0)
        return c;
    return x->vra_size < y->vra_size ? -1 : x->vra_size > y->vra_size;
}

/* Appends the items of record rec (row head: id, day, state) to *v. */
static int
view__rec_atts(struct store *s, const struct view_report_att *head,
               struct view_report_att **v, size_t *n, size_t *cap)
{
    uint8_t id[HASH_LEN];
    struct blob_ref ref;
    sqlite3_stmt *st;
    size_t first = *n;
    int64_t(*ki)[2] = NULL;
    size_t nk = 0, ck = 0;
    int rc, step;

    if (hash_unhex(head->vra_record, id, HASH_LEN) != 0)
        return 0; /* not a record id: nothing references it */
    if (!(st = store_stmt(s, view__rec_att_sql)))
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, id, HASH_LEN, SQLITE_STATIC);
    rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (nk == ck) {
            void *p = realloc(ki, (ck = ck ? 2 * ck : 4) * sizeof(*ki));
            if (!p) {
                rc = ILONET_ENOMEM;
                break;
            }
            ki = p;
        }
        ki[nk][0] = sqlite3_column_int64(st, 0);
        ki[nk][1] = sqlite3_column_int64(st, 1);
        nk++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_err(step);
    sqlite3_reset(st);
    /* payloads are read once the statement is done */
    for (size_t j = 0; j < nk && rc == 0; j++) {
        struct view_report_att *a;

        if ((rc = blob_ref_read(s, ki[j][0], ki[j][1], &ref)) != 0) {
            rc = rc == ILONET_ENOTFOUND ? 0 : rc; /* erased meanwhile */
            continue;
        }
        if (*n == *cap) {
            void *p = realloc(*v, (*cap = *cap ? 2 * *cap : 8) * sizeof(**v));
            if (!p) {
                rc = ILONET_ENOMEM;
                sodium_memzero(&ref, sizeof(ref));
                break;
            }
            *v = p;
        }
        a = &(*v)[(*n)++];
        *a = *head;
        memcpy(a->vra_hash, ref.br_id, HASH_LEN);
        a->vra_size = ref.br_size;
        snprintf(a->vra_type, sizeof(a->vra_type), "%s", ref.br_type);
        snprintf(a->vra_name, sizeof(a->vra_name), "%s", ref.br_name);
        sodium_memzero(&ref, sizeof(ref)); /* the key stays in the payload */
    }
    free(ki);
    if (rc != 0)
        return rc;
    /* in an order every node shares (entry positions differ per node);
     * an item named alike by two entries once */
    if (*n - first > 1) {
        size_t w = first + 1;

        qsort(*v + first, *n - first, sizeof(**v), view__att_cmp);
        for (size_t j = first + 1; j < *n; j++)
            if (view__att_cmp(&(*v)[w - 1], &(*v)[j]) != 0)
                (*v)[w++] = (*v)[j];
        *n = w;
    }
    return 0;
}

int
view_report_attachments(struct store *s, const struct view_report_req *rq,
                        struct view_report_att **out, size_t *n)
{
    const struct view__q *q;
    const char *state = NULL;
    struct view_report_att *v = NULL, head;
    struct view_report_att *recs = NULL;
    size_t nv = 0, cv = 0, nr = 0, cr = 0;
    sqlite3_stmt *st = NULL;
    struct textbuf sub = {0}, sql = {0};
    int rc, step;

    if (!s || !rq || !out || !n)
        return ILONET_EINVAL;
    if (!(q = view__query(rq->vrq_use, rq->vrq_query)) ||
        rq->vrq_nfilters > VIEW_REPORT_MAX_FILTERS ||
        (rq->vrq_nfilters && !rq->vrq_filters))
        return ILONET_EINVAL;
    for (size_t i = 0;
         rq->vrq_use == VIEW_REPORT_TABLE &&
         i < sizeof(view__att_queries) / sizeof(*view__att_queries);
         i++)
        if (strcmp(view__att_queries[i].aq_name, q->q_pub.vq_name) == 0)
            state = view__att_queries[i].aq_state;
    if (state && (st = store_stmt(s, "SELECT 1 FROM blob_ref LIMIT 1"))) {
        /* most stores hold no file at all: no second pass over the base */
        step = sqlite3_step(st);
        sqlite3_reset(st);
        st = NULL;
        if (step == SQLITE_DONE)
            state = NULL;
        else if (step != SQLITE_ROW)
            return store_err(step);
    } else if (state) {
        return ILONET_EIO;
    }
    if (!state) {
        *out = NULL;
        *n = 0;
        return 0;
    }
    if ((rc = view__base_sql(s, q, rq, &sub)) == 0) {
        /* the records first (those any reference names), then their items */
        textbuf_printf(&sql,
                       "SELECT b.id, coalesce(b.event_from, ''), %s FROM (%s) b"
                       " WHERE b.id IN (SELECT lower(hex(record)) FROM"
                       " blob_ref) ORDER BY b.event_from, b.time_ms, b.id",
                       state, sub.tb_data);
        rc = view__report_prepare(s, &sql, rq, &st);
    }
    textbuf_free(&sub);
    textbuf_free(&sql);
    if (rc != 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t;

        if (nr == cr) {
            void *p = realloc(recs, (cr = cr ? 2 * cr : 8) * sizeof(*recs));
            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            recs = p;
        }
        memset(&recs[nr], 0, sizeof(*recs));
        if ((t = sqlite3_column_text(st, 0)))
            snprintf(recs[nr].vra_record, sizeof(recs[nr].vra_record), "%s",
                     (const char *)t);
        if ((t = sqlite3_column_text(st, 1)))
            snprintf(recs[nr].vra_date, sizeof(recs[nr].vra_date), "%s",
                     (const char *)t);
        if ((t = sqlite3_column_text(st, 2)))
            snprintf(recs[nr].vra_state, sizeof(recs[nr].vra_state), "%s",
                     (const char *)t);
        nr++;
    }
    if (step != SQLITE_DONE) {
        rc = store_err(step);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < nr && rc == 0; i++) {
        head = recs[i];
        rc = view__rec_atts(s, &head, &v, &nv, &cv);
    }
    if (rc != 0)
        goto out;
    *out = nv ? v : NULL;
    *n = nv;
    if (nv)
        v = NULL;
out:
    sqlite3_finalize(st);
    free(recs);
    free(v);
    return rc;
}

/* ---- the cover: who draws the report up ---------------------------------- */

int
view_report_has_ilo(struct store *s, const char *state, uint64_t from_ms,
                    uint64_t to_ms)
{
    sqlite3_stmt *st;
    int rc;

    if (!s || !state)
        return ILONET_EINVAL;
    st = store_stmt(
        s, "SELECT 1 FROM logs WHERE state = ? AND role = 1 AND head_seq > 0"
           " AND audience = 'net' AND cert_nb * 1000 < ? AND cert_na * 1000 +"
           " 999 >= ?" VIEW__LOG_ACTIVE " LIMIT 1");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)to_ms);
    sqlite3_bind_int64(st, 3, (int64_t)from_ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int
view_report_first_ilo(struct store *s, uint64_t from_ms, uint64_t to_ms,
                      char out[static VIEW_REPORT_STATE_LEN])
{
    sqlite3_stmt *st;
    int rc;

    if (!s)
        return ILONET_EINVAL;
    st = store_stmt(s, "SELECT min(state) FROM logs WHERE role = 1 AND"
                       " head_seq > 0 AND audience = 'net' AND cert_nb * 1000"
                       " < ? AND cert_na * 1000 + 999 >= ?" VIEW__LOG_ACTIVE);
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)to_ms);
    sqlite3_bind_int64(st, 2, (int64_t)from_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        snprintf(out, VIEW_REPORT_STATE_LEN, "%s",
                 (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else {
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? ILONET_ENOTFOUND
                                                   : store_err(rc);
    }
    sqlite3_reset(st);
    return rc;
}

int
view_report_acting(struct store *s, const char *semester,
                   const char *presidency, char (*out)[VIEW_REPORT_STATE_LEN],
                   size_t max, size_t *n)
{
    sqlite3_stmt *st;
    size_t k = 0;
    int rc;

    if (!s || !semester || !presidency || (max && !out) || !n)
        return ILONET_EINVAL;
    /* A designation is signed by the presidency state (its own node, or a
     * representative under a grant: the view decided `valid`). */
    st = store_stmt(s, "SELECT acting_state FROM v_records WHERE kind = 15"
                       " AND valid = 1 AND status = 'active' AND audience ="
                       " 'net' AND semester = ? AND owner = ? ORDER BY hlc"
                       " DESC, author DESC, id DESC");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, semester, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, presidency, -1, SQLITE_STATIC);
    while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 0);
        snprintf(out[k++], VIEW_REPORT_STATE_LEN, "%s", a ? a : "");
    }
    if (k < max && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return store_err(rc);
    }
    sqlite3_reset(st);
    *n = k;
    return 0;
}

int
view_report_chair(struct store *s, const char *day,
                  char out[static VIEW_REPORT_STATE_LEN])
{
    const struct vocab *v = view__vocab(s);
    const struct vocab_kind *k = v ? vocab_kind_by_code(v, KIND_CHAIR) : NULL;
    sqlite3_stmt *st;
    int rc;

    if (!s || !day)
        return ILONET_EINVAL;
    if (!k || !vocab_field(k, "role") || !vocab_field(k, "state"))
        return ILONET_ENOTFOUND;
    /* the chairs' fields are the vocabulary's: its columns in v_records */
    st = store_stmt(s, "SELECT chair_state FROM v_records WHERE kind = 16"
                       " AND valid = 1 AND status = 'active' AND audience ="
                       " 'net' AND chair_role ="
                       " 'chair' AND chair_from <= ?1 AND (chair_until IS"
                       " NULL OR chair_until >= ?1) ORDER BY hlc DESC, author"
                       " DESC, id DESC LIMIT 1");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        snprintf(out, VIEW_REPORT_STATE_LEN, "%s",
                 (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else {
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? ILONET_ENOTFOUND
                                                   : store_err(rc);
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- provenance ---------------------------------------------------------- */

static int
view__head_cmp(const void *a, const void *b)
{
    return memcmp(((const struct view_report_head *)a)->vh_log,
                  ((const struct view_report_head *)b)->vh_log, HASH_LEN);
}

int
view_report_provenance(struct store *s, const char *audience,
                       uint8_t view_hash_out[static HASH_LEN],
                       struct view_report_head **heads, size_t *n)
{
    struct view_report_head *v = NULL;
    struct log_head *hs = NULL;
    const char *aud = audience ? audience : "net";
    sqlite3_stmt *st;
    uint8_t vh[HASH_LEN];
    size_t nh = 0, k = 0;
    int rc;

    if (!s || !heads || !n)
        return ILONET_EINVAL;
    if ((rc = view_hash(s, aud, vh)) != 0)
        return rc;
    if ((rc = log_heads(s, &hs, &nh)) != 0)
        return rc;
    if (!(v = calloc(nh ? nh : 1, sizeof(*v)))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        if (hs[i].lh_seq == 0 || strcmp(hs[i].lh_log.ld_audience, aud) != 0)
            continue;
        memcpy(v[k].vh_log, hs[i].lh_log.ld_id, HASH_LEN);
        memcpy(v[k].vh_id, hs[i].lh_id, HASH_LEN);
        snprintf(v[k].vh_audience, sizeof(v[k].vh_audience), "%s",
                 hs[i].lh_log.ld_audience);
        v[k].vh_seq = hs[i].lh_seq;
        if (!(st = store_stmt(s, "SELECT state FROM logs WHERE log_id = ?"))) {
            rc = ILONET_EIO;
            goto out;
        }
        sqlite3_bind_blob(st, 1, hs[i].lh_log.ld_id, HASH_LEN, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(v[k].vh_state, sizeof(v[k].vh_state), "%s",
                     (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
        k++;
    }
    /* Byte order of the ids is the order of their hex spelling. */
    qsort(v, k, sizeof(*v), view__head_cmp);
    memcpy(view_hash_out, vh, HASH_LEN);
    *heads = v;
    *n = k;
    v = NULL;
out:
    free(v);
    free(hs);
    return rc;
}

/* ---- the report's own entries: texts, attestations ----------------------- */

/* The report's kinds are read through v_records, whose columns for them
 * exist only when the vocabulary in force has them. */
static int
view__has_kind(struct store *s, uint32_t code)
{
    const struct vocab *v = view__vocab(s);
    const struct vocab_kind *k = v ? vocab_kind_by_code(v, code) : NULL;

    return k && k->vk_is_record;
}

void
view_report_texts_free(struct view_report_text *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++)
        free(t[i].vt_text);
    free(t);
}

int
view_report_texts(struct store *s, const char *period,
                  struct view_report_text **out, size_t *n)
{
    struct view_report_text *t = NULL;
    sqlite3_stmt *st;
    size_t k = 0, cap = 0;
    int rc = 0, step;

    if (!s || !period || !out || !n)
        return ILONET_EINVAL;
    if (!view__has_kind(s, KIND_REPORT_TEXT)) {
        *out = NULL;
        *n = 0;
        return 0;
    }
    st = store_stmt(s, "SELECT section, owner, id, hlc, text FROM v_records"
                       " WHERE kind = 21 AND valid = 1 AND status = 'active'"
                       " AND audience = 'net' AND report_period = ? ORDER BY"
                       " section, hlc DESC, author DESC, id DESC");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sec = (const char *)sqlite3_column_text(st, 0);
        const char *own = (const char *)sqlite3_column_text(st, 1);
        const char *txt = (const char *)sqlite3_column_text(st, 4);

        if (!sec || !own || !txt || sqlite3_column_bytes(st, 2) != HASH_LEN)
            continue;
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 8;
            struct view_report_text *p = realloc(t, nc * sizeof(*p));
            if (!p) {
                rc = ILONET_ENOMEM;
                goto out;
            }
            t = p;
            cap = nc;
        }
        memset(&t[k], 0, sizeof(t[k]));
        snprintf(t[k].vt_section, sizeof(t[k].vt_section), "%s", sec);
        snprintf(t[k].vt_state, sizeof(t[k].vt_state), "%s", own);
        memcpy(t[k].vt_id, sqlite3_column_blob(st, 2), HASH_LEN);
        t[k].vt_hlc = (uint64_t)sqlite3_column_int64(st, 3);
        if (!(t[k].vt_text = view__dup(txt))) {
            rc = ILONET_ENOMEM;
            goto out;
        }
        k++;
    }
    if (step != SQLITE_DONE)
        rc = store_err(step);
out:
    sqlite3_reset(st);
    if (rc != 0) {
        view_report_texts_free(t, k);
        return rc;
    }
    *out = t;
    *n = k;
    return 0;
}

void
view_report_attests_free(struct view_report_attest *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].va_payload);
        free(a[i].va_cert);
    }
    free(a);
}

/* Fills a's signed bytes (header, signature, payload) and the author's
 * certificate envelope from the log store. */
static int
view__attest_bytes(struct store *s, struct view_report_attest *a)
{
    struct entry e;
    struct log_desc d;
    uint8_t *payload = NULL;
    sqlite3_stmt *st;
    int rc;

    memset(&e, 0, sizeof(e));
    if ((rc = log_get(s, a->va_id, &e, &payload, &d)) != 0)
        return rc;
    if (!payload || e.e_hdr_len == 0 || e.e_hdr_len > sizeof(a->va_hdr)) {
        free(payload);
        return ILONET_ENOTFOUND;
    }
    memcpy(a->va_hdr, e.e_hdr, e.e_hdr_len);
    a->va_hdr_len = e.e_hdr_len;
    memcpy(a->va_sig, e.e_sig, KEY_SIG_LEN);
    a->va_payload = payload;
    a->va_payload_len = e.e_payload_len;
    st = store_stmt(s, "SELECT cert FROM certs WHERE node = ?");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_blob(st, 1, d.ld_author, KEY_PK_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) > 0) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if ((a->va_cert = malloc(len))) {
            memcpy(a->va_cert, sqlite3_column_blob(st, 0), len);
            a->va_cert_len = len;
            rc = 0;
        } else {
            rc = ILONET_ENOMEM;
        }
    } else {
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? ILONET_ENOTFOUND
                                                   : store_err(rc);
    }
    sqlite3_reset(st);
    return rc;
}

int
view_report_attests(struct store *s, const char *period,
                    struct view_report_attest **out, size_t *n)
{
    struct view_report_attest *a = NULL;
    sqlite3_stmt *st;
    size_t k = 0, cap = 0;
    int rc = 0, step;

    if (!s || !period || !out || !n)
        return ILONET_EINVAL;
    if (!view__has_kind(s, KIND_REPORT_ATTEST)) {
        *out = NULL;
        *n = 0;
        return 0;
    }
    /* each node's latest: the first row of its author in (HLC, id) order */
    st = store_stmt(s, "SELECT owner, author, id, hlc, report_hash,"
                       " view_hash, template FROM v_records r WHERE kind = 22"
                       " AND valid = 1 AND status = 'active' AND audience ="
                       " 'net' AND report_period = ?1 AND NOT EXISTS (SELECT"
                       " 1 FROM v_records q WHERE q.kind = 22 AND q.valid = 1"
                       " AND q.status = 'active' AND q.audience = 'net' AND"
                       " q.report_period = ?1 AND q.author = r.author AND"
                       " (q.hlc > r.hlc OR (q.hlc = r.hlc AND q.id > r.id)))"
                       " ORDER BY owner, author");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *own = (const char *)sqlite3_column_text(st, 0);
        const char *tpl = (const char *)sqlite3_column_text(st, 6);
        struct view_report_attest *x;

        if (!own || sqlite3_column_bytes(st, 1) != KEY_PK_LEN ||
            sqlite3_column_bytes(st, 2) != HASH_LEN ||
            sqlite3_column_bytes(st, 4) != HASH_LEN)
            continue;
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 8;
            struct view_report_attest *p = realloc(a, nc * sizeof(*p));
            if (!p) {
                rc = ILONET_ENOMEM;
                break;
            }
            a = p;
            cap = nc;
        }
        x = &a[k++];
        memset(x, 0, sizeof(*x));
        snprintf(x->va_state, sizeof(x->va_state), "%s", own);
        memcpy(x->va_node, sqlite3_column_blob(st, 1), KEY_PK_LEN);
        memcpy(x->va_id, sqlite3_column_blob(st, 2), HASH_LEN);
        x->va_hlc = (uint64_t)sqlite3_column_int64(st, 3);
        memcpy(x->va_report, sqlite3_column_blob(st, 4), HASH_LEN);
        if (sqlite3_column_bytes(st, 5) == HASH_LEN) {
            x->va_has_view = 1;
            memcpy(x->va_view, sqlite3_column_blob(st, 5), HASH_LEN);
        }
        snprintf(x->va_template, sizeof(x->va_template), "%s", tpl ? tpl : "");
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_err(step);
    sqlite3_reset(st);
    /* the signed bytes, read after the statement is done with */
    for (size_t i = 0; rc == 0 && i < k; i++)
        rc = view__attest_bytes(s, &a[i]);
    if (rc != 0) {
        view_report_attests_free(a, k);
        return rc;
    }
    *out = a;
    *n = k;
    return 0;
}

int
view_report_post(struct store *s, const char *state, const char *day, char *out,
                 size_t cap)
{
    sqlite3_stmt *st;
    int rc;

    if (!s || !state || !day || !out || !cap)
        return ILONET_EINVAL;
    st = store_stmt(s, "SELECT post FROM postings WHERE state = ?1 AND"
                       " audience = 'net' AND \"from\" <= ?2 AND (\"until\""
                       " IS NULL OR \"until\" >= ?2) ORDER BY time_ms DESC,"
                       " id DESC LIMIT 1");
    if (!st)
        return ILONET_EIO;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else {
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? ILONET_ENOTFOUND
                                                   : store_err(rc);
    }
    sqlite3_reset(st);
    return rc;
}
