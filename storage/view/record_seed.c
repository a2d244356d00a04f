/* record_seed.c - the seed regime's version-1 schema as constant tables, for
 * read-side callers not yet on the vocabulary. */
#include "record_int.h"

#include <stdio.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/entry.h"

/*
 * These tables are what storage/view/record.c enforced before the
 * vocabularies were wired in (docs/REGIMES.md): 377-2004 version 1,
 * field for field (tests/test_vocab.c compares them with the shipped
 * vocabulary). Nothing builds or validates a payload with them any more;
 * they answer the questions the read side still asks in the seed's terms
 * (which columns a kind has, which categories a list filter accepts) until
 * that code reads the vocabulary in force. The column list is the view's
 * own layout and stays.
 */

const char *const record_categories[] = {
    "flows",     "routes",         "modus-operandi", "criminal-organisations",
    "incidents", "document-fraud", "assistance",     "return",
    NULL};
const char *const record_task_statuses[] = {"accept", "decline", "start",
                                            "done",   "cancel",  NULL};
static const char *const record__levels[] = {"operational", "strategic", NULL};
static const char *const record__reliability[] = {"A", "B", "C", "D",
                                                  "E", "F", NULL};
static const char *const record__commission[] = {"present", "excluded", NULL};
static const char *const record__training_types[] = {"joint-course",
                                                     "consular-staff", NULL};
static const char *const record__contact_types[] = {"authority", "organisation",
                                                    "network", NULL};

#define R_REQ RF_REQUIRED
#define R_FIX RF_FIXED
#define SHORT 512
#define LONG 16384

/* Fields every record kind may carry to write on behalf of another state
 * (DESIGN §3): the represented state and the grant relied on. */
#define F_GRANT                                                                \
    {                                                                          \
        "grant", NULL, RT_ID, R_FIX | RF_INTERNAL, NULL, 0                     \
    }
#define F_BEHALF                                                               \
    {                                                                          \
        "on-behalf-of", NULL, RT_STATE, R_FIX, NULL, 0                         \
    }

/* Each list is sorted bytewise by name: payload maps are emitted and
 * checked in that order. */
static const struct record_field record__obs[] = {
    {"category", "category", RT_ENUM, R_REQ, record_categories, 0},
    {"detail", "detail", RT_STR, 0, NULL, LONG},
    {"figure", "figure", RT_UINT, 0, NULL, 0},
    F_GRANT,
    {"level", "level", RT_ENUM, 0, record__levels, 0},
    {"nationality", "nationality", RT_LIST, 0, NULL, 64},
    F_BEHALF,
    {"period", "period", RT_PERIOD, 0, NULL, 0},
    {"place", "place", RT_STR, 0, NULL, SHORT},
    {"reliability", "reliability", RT_ENUM, 0, record__reliability, 0},
    {"source", "source", RT_STR, 0, NULL, SHORT},
    {"summary", "summary", RT_STR, R_REQ, NULL, 2048},
    {"unit", "unit", RT_STR, 0, NULL, 64},
};

static const struct record_field record__meeting[] = {
    {"commission", "commission", RT_ENUM, R_REQ | R_FIX, record__commission, 0},
    {"convenor", "convenor", RT_STATE, R_REQ, NULL, 0},
    {"date", "date", RT_DATE, R_REQ, NULL, 0},
    F_GRANT,
    F_BEHALF,
    {"participants", "participants", RT_STATES, R_REQ, NULL, 0},
    {"place", "place", RT_STR, R_REQ, NULL, SHORT},
    {"reason", "reason", RT_STR, 0, NULL, SHORT},
    {"topics", "topics", RT_STR, R_REQ, NULL, LONG},
};

static const struct record_field record__training[] = {
    {"attendees", "attendees", RT_UINT, 0, NULL, 0},
    {"date", "date", RT_DATE, R_REQ, NULL, 0},
    {"detail", "detail", RT_STR, 0, NULL, LONG},
    F_GRANT,
    F_BEHALF,
    {"organiser", "organiser", RT_STATE, 0, NULL, 0},
    {"place", "place", RT_STR, 0, NULL, SHORT},
    {"title", "title", RT_STR, R_REQ, NULL, SHORT},
    {"type", "type", RT_ENUM, R_REQ, record__training_types, 0},
};

static const struct record_field record__carrier[] = {
    {"carrier", "carrier", RT_STR, R_REQ, NULL, SHORT},
    {"date", "date", RT_DATE, R_REQ, NULL, 0},
    {"detail", "detail", RT_STR, 0, NULL, LONG},
    F_GRANT,
    F_BEHALF,
    {"position", "position", RT_STR, R_REQ, NULL, LONG},
    {"states", "states", RT_STATES, 0, NULL, 0},
};

static const struct record_field record__contact[] = {
    {"counterpart", "counterpart", RT_STR, R_REQ, NULL, SHORT},
    {"date", "date", RT_DATE, R_REQ, NULL, 0},
    F_GRANT,
    F_BEHALF,
    {"place", "place", RT_STR, 0, NULL, SHORT},
    {"summary", "summary", RT_STR, 0, NULL, 2048},
    {"topics", "topics", RT_STR, 0, NULL, LONG},
    {"type", "type", RT_ENUM, R_REQ, record__contact_types, 0},
};

static const struct record_field record__posting[] = {
    {"from", "posted_from", RT_DATE, R_REQ, NULL, 0},
    F_GRANT,
    {"officers", "officers", RT_UINT, R_REQ, NULL, 0},
    F_BEHALF,
    {"post", "post", RT_STR, R_REQ, NULL, SHORT},
    {"remit", "remit", RT_STR, 0, NULL, SHORT},
    {"until", "posted_until", RT_DATE, 0, NULL, 0},
};

static const struct record_field record__task[] = {
    {"detail", "detail", RT_STR, 0, NULL, LONG},
    {"due", "due", RT_DATE, 0, NULL, 0},
    {"for", "assignees", RT_STATES, R_REQ | R_FIX, NULL, 0},
    F_GRANT,
    F_BEHALF,
    {"title", "title", RT_STR, R_REQ, NULL, SHORT},
};

static const struct record_field record__acting[] = {
    {"reason", "reason", RT_STR, 0, NULL, SHORT},
    {"semester", "semester", RT_SEMESTER, R_REQ | R_FIX, NULL, 0},
    {"state", "acting_state", RT_STATE, R_REQ, NULL, 0},
};

static const struct record_field record__amend[] = {
    {"fields", NULL, RT_MAP, R_REQ, NULL, 0},
    F_GRANT,
    F_BEHALF,
    {"record", NULL, RT_ID, R_REQ, NULL, 0},
};

/* retract and erase share a layout */
static const struct record_field record__retract[] = {
    F_GRANT,
    F_BEHALF,
    {"reason", NULL, RT_STR, 0, NULL, SHORT},
    {"record", NULL, RT_ID, R_REQ, NULL, 0},
};

static const struct record_field record__status[] = {
    F_GRANT,
    {"note", NULL, RT_STR, 0, NULL, SHORT},
    F_BEHALF,
    {"status", NULL, RT_ENUM, R_REQ, record_task_statuses, 0},
    {"task", NULL, RT_ID, R_REQ, NULL, 0},
};

static const struct record_field record__envelope[] = {
    {"envelope", NULL, RT_BIN, R_REQ, NULL, 0},
};

static const struct record_field record__cert[] = {
    {"cert", NULL, RT_BIN, R_REQ, NULL, 0},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct record_schema record__schemas[] = {
    {KIND_CERT, "cert", NULL, 0, N(record__cert), record__cert},
    {KIND_OBSERVATION, "observation", "observations", 1, N(record__obs),
     record__obs},
    {KIND_MEETING, "meeting", "meetings", 1, N(record__meeting),
     record__meeting},
    {KIND_TRAINING, "training", "trainings", 1, N(record__training),
     record__training},
    {KIND_CARRIER, "carrier", "carriers", 1, N(record__carrier),
     record__carrier},
    {KIND_CONTACT, "contact", "contacts", 1, N(record__contact),
     record__contact},
    {KIND_POSTING, "posting", "postings", 1, N(record__posting),
     record__posting},
    {KIND_AMEND, "amend", NULL, 0, N(record__amend), record__amend},
    {KIND_RETRACT, "retract", NULL, 0, N(record__retract), record__retract},
    {KIND_ERASE, "erase", NULL, 0, N(record__retract), record__retract},
    {KIND_TASK, "task", "tasks", 1, N(record__task), record__task},
    {KIND_TASK_STATUS, "task-status", NULL, 0, N(record__status),
     record__status},
    {KIND_GRANT, "grant", NULL, 0, N(record__envelope), record__envelope},
    {KIND_REVOCATION, "revocation", NULL, 0, N(record__envelope),
     record__envelope},
    {KIND_ACTING_PRESIDENCY, "acting-presidency", "acting-presidencies", 1,
     N(record__acting), record__acting},
};

/* Columns of the view's records table that hold field values. Order is
 * part of the view schema (and of nothing else: the view hash names
 * columns). */
static const struct record_column record__columns[] = {
    {"category", "TEXT"},     {"summary", "TEXT"},
    {"detail", "TEXT"},       {"nationality", "TEXT"},
    {"figure", "INTEGER"},    {"unit", "TEXT"},
    {"period", "TEXT"},       {"level", "TEXT"},
    {"reliability", "TEXT"},  {"source", "TEXT"},
    {"place", "TEXT"},        {"date", "TEXT"},
    {"convenor", "TEXT"},     {"participants", "TEXT"},
    {"commission", "TEXT"},   {"reason", "TEXT"},
    {"topics", "TEXT"},       {"title", "TEXT"},
    {"type", "TEXT"},         {"organiser", "TEXT"},
    {"attendees", "INTEGER"}, {"carrier", "TEXT"},
    {"position", "TEXT"},     {"states", "TEXT"},
    {"counterpart", "TEXT"},  {"post", "TEXT"},
    {"officers", "INTEGER"},  {"posted_from", "TEXT"},
    {"posted_until", "TEXT"}, {"remit", "TEXT"},
    {"assignees", "TEXT"},    {"due", "TEXT"},
    {"semester", "TEXT"},     {"acting_state", "TEXT"},
};

const struct record_schema *
record_schema(uint32_t kind)
{
    for (size_t i = 0; i < N(record__schemas); i++)
        if (record__schemas[i].rs_kind == kind)
            return &record__schemas[i];
    return NULL;
}

const struct record_schema *
record_schema_by_plural(const char *plural)
{
    for (size_t i = 0; i < N(record__schemas); i++)
        if (record__schemas[i].rs_plural &&
            strcmp(record__schemas[i].rs_plural, plural) == 0)
            return &record__schemas[i];
    return NULL;
}

const struct record_field *
record_field(const struct record_schema *sc, const char *name)
{
    for (size_t i = 0; sc && i < sc->rs_nfields; i++)
        if (strcmp(sc->rs_fields[i].rf_name, name) == 0)
            return &sc->rs_fields[i];
    return NULL;
}

size_t
record_columns(const struct record_column **out)
{
    *out = record__columns;
    return N(record__columns);
}

size_t
record_column_index(const struct record_field *f)
{
    for (size_t i = 0; f->rf_column && i < N(record__columns); i++)
        if (strcmp(record__columns[i].rc_name, f->rf_column) == 0)
            return i;
    return (size_t)-1;
}

size_t
record_column_named(const char *name)
{
    for (size_t i = 0; name && i < N(record__columns); i++)
        if (strcmp(record__columns[i].rc_name, name) == 0)
            return i;
    return (size_t)-1;
}

/* ---- the check-only builder -------------------------------------------- */

int
record_builder_init(struct record_builder *b, uint32_t kind)
{
    memset(b, 0, sizeof(*b));
    b->rb_schema = record_schema(kind);
    if (!b->rb_schema) {
        snprintf(b->rb_err, sizeof(b->rb_err), "unknown entry kind %u",
                 (unsigned)kind);
        return ILONET_EKIND;
    }
    return 0;
}

/* The seed field f as a vocabulary field, so that its values are checked
 * by the vocabulary's one set of rules; an enum's codes go into vals
 * (cap entries) and set. */
static void
record__as_vocab(const struct record_field *f, struct vocab_field *out,
                 struct vocab_set *set, struct vocab_value *vals, size_t cap)
{
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    out->vf_name = f->rf_name;
    out->vf_label = f->rf_name;
    out->vf_help = "";
    out->vf_column = f->rf_column;
    out->vf_type = (enum vocab_type)f->rf_type;
    out->vf_flags = f->rf_flags;
    out->vf_max = f->rf_max;
    out->vf_since = 1;
    if (f->rf_type != RT_ENUM)
        return;
    for (; f->rf_values[n] && n < cap; n++) {
        memset(&vals[n], 0, sizeof(vals[n]));
        vals[n].vv_code = vals[n].vv_label = f->rf_values[n];
        vals[n].vv_help = vals[n].vv_roles = "";
        vals[n].vv_since = 1;
    }
    memset(set, 0, sizeof(*set));
    set->vs_name = set->vs_label = f->rf_name;
    set->vs_help = "";
    set->vs_n = n;
    set->vs_values = vals;
    out->vf_values = set;
}

int
record__seed_set(struct record_builder *b, const char *name, const char *text)
{
    const struct record_field *f = record_field(b->rb_schema, name);
    struct vocab_value vals[16];
    struct vocab_field vf;
    struct vocab_set set;
    int rc;

    if (!f) {
        snprintf(b->rb_err, sizeof(b->rb_err),
                 "field '%s': unknown field for %s", name,
                 b->rb_schema->rs_name);
        return ILONET_EINVAL;
    }
    for (size_t i = 0; i < b->rb_n; i++)
        if (b->rb_items[i].ri_lf == f) {
            snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': given twice",
                     name);
            return ILONET_EINVAL;
        }
    if (b->rb_n == RECORD_MAX_ITEMS) {
        snprintf(b->rb_err, sizeof(b->rb_err), "too many fields");
        return ILONET_EINVAL;
    }
    record__as_vocab(f, &vf, &set, vals, sizeof(vals) / sizeof(vals[0]));
    if ((rc = vocab_check_text(NULL, &vf, text, b->rb_err,
                               sizeof(b->rb_err))) != 0)
        return rc;
    memset(&b->rb_items[b->rb_n], 0, sizeof(b->rb_items[0]));
    b->rb_items[b->rb_n].ri_lf = f;
    b->rb_items[b->rb_n++].ri_text = text;
    return 0;
}
