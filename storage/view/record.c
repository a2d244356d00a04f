/* record.c - payload schemas per entry kind; canonical builder and validator.
 */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/key.h"
#include "storage/entry.h"

/* ---- schema tables --------------------------------------------------- */

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

/* ---- value checks ---------------------------------------------------- */

static int
record__why(char *why, size_t n, const char *fmt, const char *a, const char *b)
{
    if (why && n)
        snprintf(why, n, fmt, a, b ? b : "");
    return ILONET_EINVAL;
}

/* record__why with the offending value (at most 60 bytes of it) as the
 * second argument. The copy is made here, on failure only: checks run per
 * stored entry and valid payloads must not pay for formatting. */
static int
record__why_val(char *why, size_t n, const char *fmt, const char *field,
                const char *s, size_t len)
{
    char val[64];

    if (!why || !n)
        return ILONET_EINVAL;
    len = len < 60 ? len : 60;
    memcpy(val, s, len);
    val[len] = '\0';
    return record__why(why, n, fmt, field, val);
}

/* Valid UTF-8 without NUL or C0 controls other than tab and newline. */
static int
record__text_ok(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    size_t i = 0;

    /* Printable ASCII eight bytes at a time, the common case: a word with
     * a byte >= 0x80, < 0x20 or 0x7f goes on byte by byte from there. */
    for (; i + 8 <= n; i += 8) {
        uint64_t w, d;

        memcpy(&w, s + i, 8);
        d = w ^ (0x7f * ones);
        if ((w & high) || ((w - 0x20 * ones) & ~w & high) ||
            ((d - ones) & ~d & high))
            break;
    }
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp;

        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return 0;
            if (c == 0x7f)
                return 0;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, cp = c & 0x07;
        else
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int
record__digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from civil date (Howard Hinnant's algorithm). */
static int64_t
record__days(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
record_parse_date(const char *s, size_t n, int64_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, leap, max;

    if (n != 10 || s[4] != '-' || s[7] != '-' ||
        record__digits(s, 4, &y) != 0 || record__digits(s + 5, 2, &m) != 0 ||
        record__digits(s + 8, 2, &d) != 0)
        return ILONET_EINVAL;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
        return ILONET_EINVAL;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    max = mdays[m - 1] + (m == 2 && leap);
    if (d > max)
        return ILONET_EINVAL;
    *days = record__days(y, m, d);
    return 0;
}

int
record_date_unix(const char *s, uint64_t *secs)
{
    int64_t days;

    if (!s || record_parse_date(s, strlen(s), &days) != 0 || days < 0)
        return ILONET_EINVAL;
    *secs = (uint64_t)days * 86400u;
    return 0;
}

void
record_format_date(uint64_t secs, char out[static 11])
{
    int64_t z = (int64_t)(secs / 86400u) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);

    y += m <= 2;
    y = y < 0 ? 0 : y % 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static int
record__state_ok(const char *s, size_t n)
{
    char buf[KEY_STATE_MAX + 1];

    if (n < 2 || n > KEY_STATE_MAX)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return key_state_valid(buf);
}

/* Checks a scalar string value of type t (not a list). */
static int
record__check_text(const struct record_field *f, const char *s, size_t n,
                   char *why, size_t wl)
{
    int64_t a, b;

    switch (f->rf_type) {
    case RT_STR:
        if (n == 0)
            return record__why(why, wl, "field '%s': empty value", f->rf_name,
                               NULL);
        if (f->rf_max && n > f->rf_max)
            return record__why(why, wl, "field '%s': value too long%s",
                               f->rf_name, "");
        if (!record__text_ok((const unsigned char *)s, n))
            return record__why(why, wl, "field '%s': not valid UTF-8 text%s",
                               f->rf_name, "");
        return 0;
    case RT_ENUM: {
        char list[200], val[64];
        size_t off = 0;

        for (size_t i = 0; f->rf_values[i]; i++)
            if (strlen(f->rf_values[i]) == n &&
                memcmp(f->rf_values[i], s, n) == 0)
                return 0;
        if (!why || !wl)
            return ILONET_EINVAL;
        list[0] = '\0';
        for (size_t i = 0; f->rf_values[i]; i++) {
            off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
                                    i ? ", " : "", f->rf_values[i]);
            if (off >= sizeof(list))
                off = sizeof(list) - 1;
        }
        snprintf(val, sizeof(val), "%.*s", (int)(n < 60 ? n : 60), s);
        snprintf(why, wl, "field '%s': unknown value '%s' (one of %s)",
                 f->rf_name, val, list);
        return ILONET_EINVAL;
    }
    case RT_DATE:
        if (record_parse_date(s, n, &a) != 0)
            return record__why_val(
                why, wl, "field '%s': '%s' is not a date (YYYY-MM-DD)",
                f->rf_name, s, n);
        return 0;
    case RT_PERIOD:
        if (n == 10 && record_parse_date(s, n, &a) == 0)
            return 0;
        if (n == 22 && s[10] == '.' && s[11] == '.' &&
            record_parse_date(s, 10, &a) == 0 &&
            record_parse_date(s + 12, 10, &b) == 0) {
            if (a > b)
                return record__why_val(why, wl,
                                       "field '%s': period '%s' ends "
                                       "before it starts",
                                       f->rf_name, s, n);
            return 0;
        }
        return record__why_val(why, wl,
                               "field '%s': '%s' is not a period "
                               "(YYYY-MM-DD..YYYY-MM-DD)",
                               f->rf_name, s, n);
    case RT_STATE:
        if (!record__state_ok(s, n))
            return record__why_val(why, wl,
                                   "field '%s': '%s' is not a state code (A-Z)",
                                   f->rf_name, s, n);
        return 0;
    case RT_SEMESTER: {
        int y;

        if (n != 7 || s[4] != '-' || s[5] != 'H' ||
            (s[6] != '1' && s[6] != '2') || record__digits(s, 4, &y) != 0 ||
            y < 1900)
            return record__why_val(why, wl,
                                   "field '%s': '%s' is not a semester "
                                   "(YYYY-H1 or YYYY-H2)",
                                   f->rf_name, s, n);
        return 0;
    }
    default:
        return record__why(why, wl, "field '%s': wrong type%s", f->rf_name, "");
    }
}

static const char *
record__type_name(enum record_type t)
{
    switch (t) {
    case RT_UINT: return "an unsigned integer";
    case RT_STATES: return "a list of state codes";
    case RT_LIST: return "a list of strings";
    case RT_ID: return "a 32-byte id";
    case RT_BIN: return "bytes";
    case RT_MAP: return "a map";
    default: return "a string";
    }
}

int
record_check_value(const struct record_field *f, const msgpack_object *v,
                   char *why, size_t wl)
{
    const char *s;
    size_t n;
    int rc;

    switch (f->rf_type) {
    case RT_UINT:
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            goto type;
        if (v->via.u64 > (uint64_t)INT64_MAX)
            return record__why(why, wl, "field '%s': number too large%s",
                               f->rf_name, "");
        return 0;
    case RT_STATES:
    case RT_LIST:
        if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size == 0 ||
            v->via.array.size > 64)
            goto type;
        for (uint32_t i = 0; i < v->via.array.size; i++) {
            const msgpack_object *it = &v->via.array.ptr[i];

            if (wire_get_str(it, &s, &n) != 0)
                goto type;
            if (f->rf_type == RT_STATES) {
                if (!record__state_ok(s, n))
                    return record__why(why, wl,
                                       "field '%s': '%s' is not a state code",
                                       f->rf_name, "");
                /* sorted and unique: one encoding per set */
                if (i > 0) {
                    const msgpack_object *pv = &v->via.array.ptr[i - 1];
                    size_t pn = pv->via.str.size, m = pn < n ? pn : n;
                    int c = memcmp(pv->via.str.ptr, s, m);

                    if (c > 0 || (c == 0 && pn >= n))
                        return record__why(why, wl,
                                           "field '%s': states not sorted "
                                           "or repeated%s",
                                           f->rf_name, "");
                }
            } else {
                if (n == 0 || (f->rf_max && n > f->rf_max) ||
                    memchr(s, ',', n) ||
                    !record__text_ok((const unsigned char *)s, n))
                    return record__why(why, wl, "field '%s': bad list item%s",
                                       f->rf_name, "");
            }
        }
        return 0;
    case RT_ID:
        if (v->type != MSGPACK_OBJECT_BIN || v->via.bin.size != HASH_LEN)
            goto type;
        return 0;
    case RT_BIN:
        if (v->type != MSGPACK_OBJECT_BIN || v->via.bin.size == 0)
            goto type;
        return 0;
    case RT_MAP:
        if (v->type != MSGPACK_OBJECT_MAP || v->via.map.size == 0)
            goto type;
        return 0;
    default:
        if (wire_get_str(v, &s, &n) != 0)
            goto type;
        rc = record__check_text(f, s, n, why, wl);
        return rc;
    }
type:
    if (why && wl)
        snprintf(why, wl, "field '%s': wrong type (want %s)", f->rf_name,
                 record__type_name(f->rf_type));
    return ILONET_EINVAL;
}

/* Bytewise order of field name fn against key k (kl bytes), a prefix
 * first: <0, 0 or >0. One pass, no strlen: it runs per field per key. */
static int
record__name_cmp(const char *fn, const char *k, size_t kl)
{
    size_t i = 0;

    for (; i < kl && fn[i]; i++)
        if (fn[i] != k[i])
            return (unsigned char)fn[i] < (unsigned char)k[i] ? -1 : 1;
    if (i < kl)
        return -1; /* fn is a proper prefix of k */
    return fn[i] ? 1 : 0;
}

static int
record__key_is(const msgpack_object *k, const char *name)
{
    return k->type == MSGPACK_OBJECT_STR &&
           record__name_cmp(name, k->via.str.ptr, k->via.str.size) == 0;
}

static const msgpack_object *
record__get(const msgpack_object *map, const char *name)
{
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (record__key_is(&map->via.map.ptr[i].key, name))
            return &map->via.map.ptr[i].val;
    return NULL;
}

/* Cross-field rules shared by the builder and the validator; get returns
 * the value of a field or NULL. */
static int
record__cross(uint32_t kind, const msgpack_object *map, char *why, size_t wl)
{
    const msgpack_object *a, *b;

    a = record__get(map, "on-behalf-of");
    b = record__get(map, "grant");
    if ((a != NULL) != (b != NULL))
        return record__why(why, wl,
                           "field '%s': on-behalf-of and grant go together%s",
                           a ? "grant" : "on-behalf-of", "");
    if (kind == KIND_OBSERVATION && record__get(map, "figure") &&
        !record__get(map, "unit"))
        return record__why(why, wl,
                           "field '%s': a figure needs a unit (--unit)%s",
                           "unit", "");
    if (kind == KIND_POSTING && (a = record__get(map, "from")) &&
        (b = record__get(map, "until")) && a->type == MSGPACK_OBJECT_STR &&
        b->type == MSGPACK_OBJECT_STR && b->via.str.size == 10 &&
        a->via.str.size == 10 && memcmp(b->via.str.ptr, a->via.str.ptr, 10) < 0)
        return record__why(why, wl, "field '%s': ends before 'from'%s", "until",
                           "");
    return 0;
}

/* Walks map against sc: known keys only, each value checked, required
 * present unless partial; partial allows nil for optional fields and
 * refuses fixed ones. */
static int
record__check_map(const struct record_schema *sc, const msgpack_object *map,
                  int partial, const msgpack_object **vals, char *why,
                  size_t wl)
{
    size_t fi = 0;
    int rc;

    if (vals)
        for (size_t i = 0; i < sc->rs_nfields; i++)
            vals[i] = NULL;
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return record__why(why, wl, "payload of %s: not a map%s", sc->rs_name,
                           "");
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        const msgpack_object *v = &map->via.map.ptr[i].val;
        const struct record_field *f = NULL;

        if (k->type != MSGPACK_OBJECT_STR)
            return record__why(why, wl, "payload of %s: key not a string%s",
                               sc->rs_name, "");
        /* keys are sorted (canonical), so are the fields: merge walk */
        while (fi < sc->rs_nfields) {
            const char *fn = sc->rs_fields[fi].rf_name;
            int c = record__name_cmp(fn, k->via.str.ptr, k->via.str.size);

            if (c == 0) {
                f = &sc->rs_fields[fi++];
                break;
            }
            if (c > 0)
                break;
            if (!partial && (sc->rs_fields[fi].rf_flags & RF_REQUIRED))
                return record__why(why, wl, "field '%s': required%s", fn, "");
            fi++;
        }
        if (!f) {
            char name[40];

            snprintf(name, sizeof(name), "%.*s",
                     (int)(k->via.str.size < 32 ? k->via.str.size : 32),
                     k->via.str.ptr);
            return record__why(why, wl, "field '%s': unknown field for %s",
                               name, sc->rs_name);
        }
        if (vals)
            vals[f - sc->rs_fields] = v;
        if (partial) {
            if (f->rf_flags & (RF_FIXED | RF_INTERNAL) || !f->rf_column)
                return record__why(why, wl, "field '%s': may not be amended%s",
                                   f->rf_name, "");
            if (v->type == MSGPACK_OBJECT_NIL) {
                if (f->rf_flags & RF_REQUIRED)
                    return record__why(why, wl,
                                       "field '%s': required, cannot be "
                                       "cleared%s",
                                       f->rf_name, "");
                continue;
            }
        }
        if ((rc = record_check_value(f, v, why, wl)) != 0)
            return rc;
    }
    for (; !partial && fi < sc->rs_nfields; fi++)
        if (sc->rs_fields[fi].rf_flags & RF_REQUIRED)
            return record__why(why, wl, "field '%s': required%s",
                               sc->rs_fields[fi].rf_name, "");
    if (partial && map->via.map.size == 0)
        return record__why(why, wl, "amendment of %s: no fields%s", sc->rs_name,
                           "");
    return 0;
}

int
record_check_fields(uint32_t kind, const msgpack_object *map,
                    const msgpack_object *vals[static RECORD_MAX_ITEMS],
                    char *why, size_t wl)
{
    const struct record_schema *sc = record_schema(kind);
    int rc;

    if (!sc)
        return record__why(why, wl, "unknown entry kind%s%s", "", "");
    if ((rc = record__check_map(sc, map, 0, vals, why, wl)) != 0)
        return rc;
    return record__cross(kind, map, why, wl);
}

int
record_check(uint32_t kind, const msgpack_object *map, char *why, size_t wl)
{
    const msgpack_object *vals[RECORD_MAX_ITEMS];

    return record_check_fields(kind, map, vals, why, wl);
}

int
record_check_amend_fields(uint32_t kind, const msgpack_object *map,
                          const msgpack_object *vals[static RECORD_MAX_ITEMS],
                          char *why, size_t wl)
{
    const struct record_schema *sc = record_schema(kind);

    if (!sc || !sc->rs_is_record)
        return record__why(why, wl, "not an amendable record kind%s%s", "", "");
    return record__check_map(sc, map, 1, vals, why, wl);
}

int
record_check_amend(uint32_t kind, const msgpack_object *map, char *why,
                   size_t wl)
{
    const msgpack_object *vals[RECORD_MAX_ITEMS];

    return record_check_amend_fields(kind, map, vals, why, wl);
}

int
record_validate(uint32_t kind, const uint8_t *p, size_t n, char *why, size_t wl)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    msgpack_zone z;
    msgpack_object o;
    int rc;

    lim.max_len = 65536;
    if ((rc = wire_check(p, n, &lim)) != 0) {
        if (why && wl)
            snprintf(why, wl, "payload: %s", ilonet_strerror(rc));
        return rc;
    }
    if (!msgpack_zone_init(&z, 2048))
        return ILONET_ENOMEM;
    if ((rc = wire_unpack(p, n, &z, &o)) == 0)
        rc = record_check(kind, &o, why, wl);
    else if (why && wl)
        snprintf(why, wl, "payload: %s", ilonet_strerror(rc));
    msgpack_zone_destroy(&z);
    return rc;
}

/* ---- builder ----------------------------------------------------------- */

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

int
record_builder_init_amend(struct record_builder *b, uint32_t kind)
{
    int rc = record_builder_init(b, kind);

    if (rc == 0 && !b->rb_schema->rs_is_record) {
        snprintf(b->rb_err, sizeof(b->rb_err),
                 "%s is not an amendable "
                 "record",
                 b->rb_schema->rs_name);
        return ILONET_EKIND;
    }
    b->rb_partial = 1;
    return rc;
}

static struct record_item *
record__add(struct record_builder *b, const char *name,
            const struct record_field **fp)
{
    const struct record_field *f = record_field(b->rb_schema, name);

    if (!f) {
        snprintf(b->rb_err, sizeof(b->rb_err),
                 "field '%s': unknown field for %s", name,
                 b->rb_schema->rs_name);
        return NULL;
    }
    if (b->rb_partial &&
        ((f->rf_flags & (RF_FIXED | RF_INTERNAL)) || !f->rf_column)) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': may not be amended",
                 name);
        return NULL;
    }
    for (size_t i = 0; i < b->rb_n; i++)
        if (b->rb_items[i].ri_f == f) {
            snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': given twice",
                     name);
            return NULL;
        }
    if (b->rb_n == RECORD_MAX_ITEMS) {
        snprintf(b->rb_err, sizeof(b->rb_err), "too many fields");
        return NULL;
    }
    *fp = f;
    memset(&b->rb_items[b->rb_n], 0, sizeof(b->rb_items[0]));
    b->rb_items[b->rb_n].ri_f = f;
    return &b->rb_items[b->rb_n];
}

/* Checks each comma-separated item of a list in text form. */
static int
record__check_list_text(const struct record_field *f, const char *text,
                        char *why, size_t wl)
{
    const char *p = text;

    if (!*text)
        return record__why(why, wl, "field '%s': empty list%s", f->rf_name, "");
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);

        if (f->rf_type == RT_STATES) {
            size_t vn = n < 30 ? n : 30;

            if (!record__state_ok(p, n))
                return record__why_val(why, wl,
                                       "field '%s': '%s' is not a state "
                                       "code (A-Z)",
                                       f->rf_name, p, vn);
            /* a repeat would make the set's encoding ambiguous */
            for (const char *q = text; q < p;) {
                const char *qc = strchr(q, ',');
                size_t qn = (size_t)(qc - q);
                if (qn == n && memcmp(q, p, n) == 0)
                    return record__why_val(why, wl,
                                           "field '%s': '%s' given twice",
                                           f->rf_name, p, vn);
                q = qc + 1;
            }
        } else if (n == 0 || (f->rf_max && n > f->rf_max) ||
                   !record__text_ok((const unsigned char *)p, n)) {
            return record__why(why, wl, "field '%s': bad list item%s",
                               f->rf_name, "");
        }
        if (!c)
            break;
        p = c + 1;
        if (c[1] == '\0')
            return record__why(why, wl, "field '%s': empty list item%s",
                               f->rf_name, "");
    }
    return 0;
}

int
record_set(struct record_builder *b, const char *name, const char *text)
{
    const struct record_field *f = NULL;
    struct record_item *it;
    size_t n;
    int rc;

    if (!b->rb_schema)
        return ILONET_EINVAL;
    if (!(it = record__add(b, name, &f)))
        return ILONET_EINVAL;
    if (!text)
        text = "";
    n = strlen(text);
    if (b->rb_partial && n == 0) {
        if (f->rf_flags & RF_REQUIRED) {
            snprintf(b->rb_err, sizeof(b->rb_err),
                     "field '%s': required, cannot be cleared", name);
            return ILONET_EINVAL;
        }
        it->ri_nil = 1;
        b->rb_n++;
        return 0;
    }
    switch (f->rf_type) {
    case RT_UINT: {
        uint64_t v = 0;

        if (n == 0 || n > 18 || strspn(text, "0123456789") != n) {
            snprintf(b->rb_err, sizeof(b->rb_err),
                     "field '%s': '%.40s' is not a whole number >= 0", name,
                     text);
            return ILONET_EINVAL;
        }
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (uint64_t)(text[i] - '0');
        (void)v;
        break;
    }
    case RT_STATES:
    case RT_LIST:
        if ((rc = record__check_list_text(f, text, b->rb_err,
                                          sizeof(b->rb_err))) != 0)
            return rc;
        break;
    case RT_ID:
        if (hash_unhex(text, it->ri_id, HASH_LEN) != 0) {
            snprintf(b->rb_err, sizeof(b->rb_err),
                     "field '%s': not a 64-digit hex id", name);
            return ILONET_EINVAL;
        }
        break;
    case RT_BIN:
    case RT_MAP:
        snprintf(b->rb_err, sizeof(b->rb_err),
                 "field '%s': cannot be given as text", name);
        return ILONET_EINVAL;
    default:
        if ((rc = record__check_text(f, text, n, b->rb_err,
                                     sizeof(b->rb_err))) != 0)
            return rc;
    }
    it->ri_text = text;
    b->rb_n++;
    return 0;
}

int
record_set_id(struct record_builder *b, const char *name,
              const uint8_t id[static HASH_LEN])
{
    const struct record_field *f = NULL;
    struct record_item *it;

    if (!b->rb_schema || !(it = record__add(b, name, &f)))
        return ILONET_EINVAL;
    if (f->rf_type != RT_ID) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': not an id", name);
        return ILONET_EINVAL;
    }
    memcpy(it->ri_id, id, HASH_LEN);
    b->rb_n++;
    return 0;
}

int
record_set_raw(struct record_builder *b, const char *name, const uint8_t *raw,
               size_t len)
{
    struct wire_limits lim = WIRE_LIMITS_DEFAULT;
    const struct record_field *f = NULL;
    struct record_item *it;

    if (!b->rb_schema || !(it = record__add(b, name, &f)))
        return ILONET_EINVAL;
    if (f->rf_type != RT_BIN && f->rf_type != RT_MAP) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': not raw", name);
        return ILONET_EINVAL;
    }
    if (len == 0 || (f->rf_type == RT_MAP &&
                     (wire_check(raw, len, &lim) != 0 ||
                      !((raw[0] & 0xf0) == 0x80 || raw[0] == 0xde)))) {
        snprintf(b->rb_err, sizeof(b->rb_err), "field '%s': bad value", name);
        return ILONET_EINVAL;
    }
    it->ri_raw = raw;
    it->ri_rawlen = len;
    b->rb_n++;
    return 0;
}

static int
record__cmp_item(const void *a, const void *b)
{
    const struct record_item *x = a, *y = b;
    return strcmp(x->ri_f->rf_name, y->ri_f->rf_name);
}

static int
record__cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Packs a comma-separated list as an array (sorted for state sets). */
static void
record__pack_list(struct wire_buf *wb, const char *text, int sort)
{
    char buf[4096];
    const char *items[64];
    uint32_t n = 0;
    char *p = buf, *c;

    snprintf(buf, sizeof(buf), "%s", text);
    for (;;) {
        c = strchr(p, ',');
        if (c)
            *c = '\0';
        if (n < 64)
            items[n++] = p;
        if (!c)
            break;
        p = c + 1;
    }
    if (sort)
        qsort(items, n, sizeof(items[0]), record__cmp_str);
    wire_pack_array(wb, n);
    for (uint32_t i = 0; i < n; i++)
        wire_pack_str(wb, items[i]);
}

static void
record__pack_items(struct record_builder *b, struct wire_buf *wb)
{
    wire_pack_map(wb, (uint32_t)b->rb_n);
    for (size_t i = 0; i < b->rb_n; i++) {
        const struct record_item *it = &b->rb_items[i];
        const struct record_field *f = it->ri_f;

        wire_pack_str(wb, f->rf_name);
        if (it->ri_nil) {
            wire_pack_nil(wb);
            continue;
        }
        switch (f->rf_type) {
        case RT_UINT:
            wire_pack_uint(wb, strtoull(it->ri_text, NULL, 10));
            break;
        case RT_STATES:
        case RT_LIST:
            record__pack_list(wb, it->ri_text, f->rf_type == RT_STATES);
            break;
        case RT_ID: wire_pack_bin(wb, it->ri_id, HASH_LEN); break;
        case RT_BIN: wire_pack_bin(wb, it->ri_raw, it->ri_rawlen); break;
        case RT_MAP: wire_buf_append(wb, it->ri_raw, it->ri_rawlen); break;
        default: wire_pack_str(wb, it->ri_text);
        }
    }
}

int
record_build(struct record_builder *b, struct wire_buf *wb)
{
    struct wire_buf tmp;
    msgpack_zone z;
    msgpack_object o;
    int rc;

    if (!b->rb_schema)
        return ILONET_EINVAL;
    qsort(b->rb_items, b->rb_n, sizeof(b->rb_items[0]), record__cmp_item);
    wire_buf_init(&tmp, 65536);
    record__pack_items(b, &tmp);
    if ((rc = tmp.wb_err) != 0) {
        snprintf(b->rb_err, sizeof(b->rb_err), "payload too big");
        goto out;
    }
    /* Re-check what we built exactly as a receiver will. */
    if (!msgpack_zone_init(&z, 2048)) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    rc = wire_unpack(tmp.wb_data, tmp.wb_len, &z, &o);
    if (rc == 0)
        rc = b->rb_partial ? record_check_amend(b->rb_schema->rs_kind, &o,
                                                b->rb_err, sizeof(b->rb_err))
                           : record_check(b->rb_schema->rs_kind, &o, b->rb_err,
                                          sizeof(b->rb_err));
    msgpack_zone_destroy(&z);
    if (rc != 0)
        goto out;
    wire_buf_append(wb, tmp.wb_data, tmp.wb_len);
    rc = wb->wb_err;
out:
    wire_buf_free(&tmp);
    return rc;
}

/* ---- text forms ------------------------------------------------------- */

static size_t
record__put(char *out, size_t cap, size_t off, const char *s, size_t n)
{
    if (off < cap) {
        size_t m = cap - off - 1 < n ? cap - off - 1 : n;
        memcpy(out + off, s, m);
        out[off + m] = '\0';
    }
    return off + n;
}

size_t
record_value_text(const msgpack_object *v, char *out, size_t cap)
{
    char tmp[2 * HASH_LEN + 1];
    size_t off = 0;

    if (cap)
        out[0] = '\0';
    switch (v->type) {
    case MSGPACK_OBJECT_STR:
        return record__put(out, cap, 0, v->via.str.ptr, v->via.str.size);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->via.u64);
        return record__put(out, cap, 0, tmp, strlen(tmp));
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v->via.i64);
        return record__put(out, cap, 0, tmp, strlen(tmp));
    case MSGPACK_OBJECT_BIN:
        if (v->via.bin.size == HASH_LEN) {
            hash_hex((const uint8_t *)v->via.bin.ptr, HASH_LEN, tmp);
            return record__put(out, cap, 0, tmp, 2 * HASH_LEN);
        }
        return record__put(out, cap, 0, "<bytes>", 7);
    case MSGPACK_OBJECT_ARRAY:
        for (uint32_t i = 0; i < v->via.array.size; i++) {
            const msgpack_object *it = &v->via.array.ptr[i];
            if (i)
                off = record__put(out, cap, off, ",", 1);
            if (it->type == MSGPACK_OBJECT_STR)
                off = record__put(out, cap, off, it->via.str.ptr,
                                  it->via.str.size);
        }
        return off;
    default: return 0;
    }
}
