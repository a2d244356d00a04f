/* record.h - payload schema of every entry kind: build and validate payloads.
 */
#ifndef ILONET_RECORD_H
#define ILONET_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/wire.h"

/*
 * Every entry payload is a canonical msgpack map whose keys are field
 * names. The field names are the CLI option names ("category", "summary",
 * "on-behalf-of", ...), so `ilonet observe --category routes` and an HTTP
 * client posting {"category": "routes"} both name the same field. This
 * module knows, per entry kind, which fields exist, their types, which are
 * required and which may be amended; it builds canonical payloads from
 * (name, text value) pairs and validates received payloads. It never
 * prints and knows nothing of argv or SQL. All functions are pure and
 * thread-safe (the schema tables are constant).
 *
 * Errors: ILONET_EINVAL with a one-line reason naming the field, e.g.
 * "field 'category': unknown value 'weather' (one of flows, routes, ...)".
 */

/* Value types. Text forms (what record_set() accepts) in brackets. */
enum record_type {
    RT_STR = 1, /* non-empty UTF-8 string [as is] */
    RT_UINT,    /* unsigned integer [decimal digits] */
    RT_ENUM,    /* one of a fixed list of strings */
    RT_DATE,    /* "YYYY-MM-DD" */
    RT_PERIOD,  /* "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD", from <= to */
    RT_STATE,   /* a state code, "DE" */
    RT_STATES,  /* array of state codes, sorted, unique ["DE,FR"] */
    RT_LIST,    /* array of non-empty strings without ',' ["SY,AF"] */
    RT_ID,      /* bin 32: an entry or grant id [64 hex digits] */
    RT_BIN,     /* bin: an envelope (grant, revocation) [not settable] */
    RT_MAP,     /* nested map: an amendment's fields [raw msgpack only] */
    RT_SEMESTER /* "YYYY-H1" or "YYYY-H2" */
};

enum record_flags {
    RF_REQUIRED = 1, /* must be present when the entry is created */
    RF_FIXED = 2,    /* may not be amended */
    RF_INTERNAL = 4, /* filled by the program, not a user option (grant) */
};

struct record_field {
    const char *rf_name;   /* payload key and CLI option name */
    const char *rf_column; /* column of the view's records table */
    enum record_type rf_type;
    unsigned rf_flags;
    const char *const *rf_values; /* RT_ENUM: NULL-terminated list */
    size_t rf_max;                /* RT_STR/RT_LIST: max bytes per item */
};

/* A record kind is one whose entries create a record (observation ...
 * task, acting-presidency); the others (amend, retract, erase,
 * task-status, grant, revocation, cert) act on records or on trust. */
struct record_schema {
    uint32_t rs_kind;
    const char *rs_name;   /* "observation" (entry_kind_name) */
    const char *rs_plural; /* "observations" (list argument) */
    int rs_is_record;
    size_t rs_nfields; /* sorted by name */
    const struct record_field *rs_fields;
};

/* Schema of an entry kind, or NULL for an unknown kind. */
const struct record_schema *record_schema(uint32_t kind);
/* Schema of a record kind by plural ("observations"), or NULL. */
const struct record_schema *record_schema_by_plural(const char *plural);
/* A field of a schema by name, or NULL. */
const struct record_field *record_field(const struct record_schema *sc,
                                        const char *name);

/* Every distinct view column over all record kinds (name and SQL type
 * "TEXT"/"INTEGER"), in a fixed order. */
struct record_column {
    const char *rc_name;
    const char *rc_sqltype;
};
size_t record_columns(const struct record_column **out);
/* Index of a field's column in record_columns(). */
size_t record_column_index(const struct record_field *f);

/* Observation categories (Art. 2(2)), statuses, etc. NULL-terminated. */
extern const char *const record_categories[];
extern const char *const record_task_statuses[];

/* ---- building ------------------------------------------------------ */

#define RECORD_MAX_ITEMS 32
#define RECORD_ERR_MAX 200

struct record_item {
    const struct record_field *ri_f;
    const char *ri_text;   /* text value (caller's memory) or NULL */
    const uint8_t *ri_raw; /* RT_BIN bytes or RT_MAP msgpack (caller) */
    size_t ri_rawlen;
    uint8_t ri_id[HASH_LEN]; /* RT_ID value */
    int ri_nil;              /* amend: clear the field */
};

/*
 * Collects fields of one payload. Strings are not copied: they must
 * outlive record_build(). Not thread-safe (one builder per call site).
 */
struct record_builder {
    const struct record_schema *rb_schema;
    int rb_partial; /* amendment fields: no required check, nil allowed */
    size_t rb_n;
    struct record_item rb_items[RECORD_MAX_ITEMS];
    char rb_err[RECORD_ERR_MAX];
};

/* Starts a payload of entry kind kind. ILONET_EKIND for an unknown kind. */
int record_builder_init(struct record_builder *b, uint32_t kind);
/* Starts the "fields" map of an amendment of a record of kind kind: only
 * amendable fields, none required; an empty text clears an optional
 * field. */
int record_builder_init_amend(struct record_builder *b, uint32_t kind);

/* Sets a field from its text form, checking it now. ILONET_EINVAL: unknown
 * field, bad value, or set twice (reason in rb_err). */
int record_set(struct record_builder *b, const char *name, const char *text);
int record_set_id(struct record_builder *b, const char *name,
                  const uint8_t id[static HASH_LEN]);
/* RT_BIN or RT_MAP fields: raw bytes (RT_MAP: a canonical msgpack map). */
int record_set_raw(struct record_builder *b, const char *name,
                   const uint8_t *raw, size_t len);

/* Checks required fields and cross-field rules, then appends the
 * canonical map to wb. ILONET_EINVAL (reason in rb_err). */
int record_build(struct record_builder *b, struct wire_buf *wb);

/* ---- validating ---------------------------------------------------- */

/*
 * Validates a received payload of entry kind kind (bytes that passed
 * entry_check_payload, or any bytes: they are checked canonically first).
 * 0 or ILONET_EINVAL / EMALFORMED / ENONCANON with a reason in why.
 */
int record_validate(uint32_t kind, const uint8_t *p, size_t n, char *why,
                    size_t whylen);
/* Same on an unpacked map object. */
int record_check(uint32_t kind, const msgpack_object *map, char *why,
                 size_t whylen);
/* Validates an amendment's fields map against record kind kind. */
int record_check_amend(uint32_t kind, const msgpack_object *map, char *why,
                       size_t whylen);
/* record_check() and record_check_amend() that also hand back what they
 * walked: on success vals[i] points into map at the value of field i of
 * record_schema(kind) (an amendment's nil included), NULL when the field
 * is absent. On failure vals is unspecified. */
int record_check_fields(uint32_t kind, const msgpack_object *map,
                        const msgpack_object *vals[static RECORD_MAX_ITEMS],
                        char *why, size_t whylen);
int
record_check_amend_fields(uint32_t kind, const msgpack_object *map,
                          const msgpack_object *vals[static RECORD_MAX_ITEMS],
                          char *why, size_t whylen);
/* Checks one value against a field's type. */
int record_check_value(const struct record_field *f, const msgpack_object *v,
                       char *why, size_t whylen);

/* ---- helpers -------------------------------------------------------- */

/* Parses "YYYY-MM-DD" into days since 1970-01-01. ILONET_EINVAL. */
int record_parse_date(const char *s, size_t n, int64_t *days);
/* Unix seconds at 00:00:00 UTC of a "YYYY-MM-DD" date. */
int record_date_unix(const char *s, uint64_t *secs);
/* "2026-05-01" for a unix time in seconds (out: 11 bytes). */
void record_format_date(uint64_t secs, char out[static 11]);

/* Text form of a value for the view and for output: strings as is, lists
 * joined with ',', integers in decimal, ids in hex. Writes at most cap
 * bytes incl. NUL into out; returns the needed length (without NUL). */
size_t record_value_text(const msgpack_object *v, char *out, size_t cap);

#endif
