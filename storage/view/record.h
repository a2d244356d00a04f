/* record.h - entry payloads: built and validated against the vocabulary in
 * force. */
#ifndef ILONET_RECORD_H
#define ILONET_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/wire.h"
#include "storage/view/vocab.h"

/*
 * Every entry payload is a canonical msgpack map whose keys are field
 * names. The field names are the CLI option names ("category", "summary",
 * "on-behalf-of", ...), so `ilonet observe --category routes` and an HTTP
 * client posting {"category": "routes"} both name the same field. Which
 * kinds and fields exist, their types, which are required and which may
 * be amended is the vocabulary's business (storage/view/vocab.h, one per
 * regime, docs/VOCAB.md): this module builds canonical payloads from
 * (name, text value) pairs under a vocabulary and validates received ones
 * against it. It never prints and knows nothing of argv or SQL. Functions
 * taking a const struct vocab * are pure and thread-safe.
 *
 * Vocabulary versions (docs/REGIMES.md §2): a payload may carry the
 * reserved key "vocab", a uint >= 2, naming the version it was written
 * under (absent: 1). The builder stamps the lowest version able to read
 * the entry; the validator judges an entry of version W on a node of
 * version V as a node of version W would (every kind, field and value
 * used must have since <= W) and refuses to judge one with W > V: that
 * entry is "unread" until the node upgrades.
 *
 * Attachments (VT_ATTACHMENTS, storage/blob.h): a record kind whose
 * vocabulary has the field "attachments" takes an array of blob
 * references there, in its creation and in its amendments. The field is
 * add-only: an amendment's attachments join the record's, clearing them
 * (nil, or "" as text) is refused ("attachments are added, never
 * cleared"); text form, the hex of the canonical array.
 *
 * Errors: ILONET_EINVAL with a one-line reason naming the field, e.g.
 * "field 'category': unknown value 'weather' (one of flows, routes, ...)";
 * ILONET_EKIND for an entry this vocabulary cannot read yet (newer
 * version) or an unknown kind.
 */

#define RECORD_MAX_ITEMS 32 /* = VOCAB_MAX_FIELDS: fields of one payload */
#define RECORD_ERR_MAX 512  /* a value set of 2019-1240 listed whole */
/* The payload key naming the vocabulary version (docs/REGIMES.md §2). */
#define RECORD_VOCAB_KEY "vocab"

/* ---- building ------------------------------------------------------ */

struct record_field;  /* the seed's v1 column map (record_seed.c) */
struct record_schema; /* idem */

struct record_item {
    const struct vocab_field *ri_f;   /* its field (vocabulary builders) */
    const struct record_field *ri_lf; /* its field (seed builders) */
    const char *ri_text;              /* text value (caller's memory) or NULL */
    const uint8_t *ri_raw; /* VT_BIN bytes or VT_MAP msgpack (caller) */
    size_t ri_rawlen;
    uint8_t ri_id[HASH_LEN]; /* VT_ID value */
    int ri_nil;              /* amend: clear the field */
};

/*
 * Collects fields of one payload. Strings are not copied: they must
 * outlive record_build(). The vocabulary must outlive the builder. Not
 * thread-safe (one builder per call site).
 */
struct record_builder {
    const struct vocab *rb_vocab;          /* NULL: a seed builder */
    const struct vocab_kind *rb_kind;      /* the kind being built */
    const struct record_schema *rb_schema; /* seed builders only */
    int rb_partial;      /* amendment fields: no required check, nil ok */
    unsigned rb_need;    /* version floor (record_builder_needs) */
    unsigned rb_version; /* after record_build: the version it needs */
    size_t rb_n;
    struct record_item rb_items[RECORD_MAX_ITEMS];
    char rb_err[RECORD_ERR_MAX];
};

/* Starts a payload of entry kind kind under v. ILONET_EKIND (reason in
 * rb_err) when v has no such kind. */
int record_builder_start(struct record_builder *b, const struct vocab *v,
                         uint32_t kind);
/* Starts the "fields" map of an amendment of a record of kind kind: only
 * fields that are neither fixed nor internal, none required; an empty
 * text clears an optional field. */
int record_builder_start_amend(struct record_builder *b, const struct vocab *v,
                               uint32_t kind);
/* The payload will name at least vocabulary version w: an amendment takes
 * the version its "fields" map needs (that builder's rb_version). */
void record_builder_needs(struct record_builder *b, unsigned w);

/* Sets a field from its text form, checking it now. ILONET_EINVAL: unknown
 * field, bad value, or set twice (reason in rb_err). */
int record_set(struct record_builder *b, const char *name, const char *text);
int record_set_id(struct record_builder *b, const char *name,
                  const uint8_t id[static HASH_LEN]);
/* VT_BIN or VT_MAP fields: raw bytes (VT_MAP: a canonical msgpack map). */
int record_set_raw(struct record_builder *b, const char *name,
                   const uint8_t *raw, size_t len);

/*
 * Checks required fields and the kind's rules, stamps the vocabulary
 * version (rb_version; the "vocab" key when above 1, not in an
 * amendment's fields map), checks the bytes exactly as a receiver will,
 * then appends the canonical map to wb. Lists are packed whole (at most
 * VOCAB_MAX_ITEMS items, refused beyond); states and countries sorted,
 * countries as alpha-2. ILONET_EINVAL (reason in rb_err), ILONET_ENOMEM.
 * Seed builders (record_builder_init) cannot build: ILONET_EINVAL.
 */
int record_build(struct record_builder *b, struct wire_buf *wb);

/* ---- validating ---------------------------------------------------- */

/* What record_read() found in one payload. */
struct record_read {
    unsigned rr_version;              /* W: the entry's vocabulary version */
    const struct vocab_kind *rr_kind; /* NULL when v has no such kind */
    /* on success: the value of each field of rr_kind (by index in
     * vk_fields), NULL when absent */
    const msgpack_object *rr_vals[RECORD_MAX_ITEMS];
};

/*
 * Judges a received payload (an unpacked map) of entry kind kind under v
 * (docs/REGIMES.md §2, "Reading an entry"). 0: valid, out filled.
 * ILONET_EKIND: written under a newer vocabulary than v (or a kind v does
 * not know, in such an entry): unread, why says "upgrade to read", out's
 * rr_version set. ILONET_EINVAL: no effect (a bad vocab key, a kind v
 * does not know in an entry of v's version or older, a bad field, a
 * field or value newer than the entry's version, a broken rule), why
 * names the field. Pure.
 */
int record_read(const struct vocab *v, uint32_t kind, const msgpack_object *map,
                struct record_read *out, char *why, size_t whylen);
/* The vocabulary version a payload map names: 1 without the "vocab" key,
 * 0 when the key holds anything but a uint from 2 to 65535. */
unsigned record_payload_version(const msgpack_object *map);

/* record_read() when only the verdict matters: 0, EINVAL or EKIND. */
int record_check(const struct vocab *v, uint32_t kind,
                 const msgpack_object *map, char *why, size_t whylen);
/* The same on bytes (any bytes: they are checked canonical first; then
 * also ILONET_EMALFORMED / ENONCANON / ETOOBIG with "payload: ..."). */
int record_validate(const struct vocab *v, uint32_t kind, const uint8_t *p,
                    size_t n, char *why, size_t whylen);

/*
 * Validates an amendment's fields map against record kind kind, for an
 * amendment entry of version w: known fields that may be amended, each
 * with since <= w, nil only for optional ones. On success vals[i] points
 * into map at the value of field i of the kind (nil included), NULL when
 * absent.
 */
int
record_check_amend_fields(const struct vocab *v, uint32_t kind, unsigned w,
                          const msgpack_object *map,
                          const msgpack_object *vals[static RECORD_MAX_ITEMS],
                          char *why, size_t whylen);

/* Checks one stored value against a field's type (and, for an enum, that
 * its code has since <= w). */
int record_check_value(const struct vocab *v, const struct vocab_field *f,
                       unsigned w, const msgpack_object *o, char *why,
                       size_t whylen);

/* ---- helpers -------------------------------------------------------- */

/* Parses "YYYY-MM-DD" into days since 1970-01-01 (vocab_date). */
int record_parse_date(const char *s, size_t n, int64_t *days);
/* Unix seconds at 00:00:00 UTC of a "YYYY-MM-DD" date. */
int record_date_unix(const char *s, uint64_t *secs);
/* "2026-05-01" for a unix time in seconds (out: 11 bytes). */
void record_format_date(uint64_t secs, char out[static 11]);

/* Text form of a value for the view and for output: strings as is, lists
 * joined with ',', integers in decimal, ids in hex. Writes at most cap
 * bytes incl. NUL into out; returns the needed length (without NUL). */
size_t record_value_text(const msgpack_object *v, char *out, size_t cap);

/* ---- the seed's v1 schema (record_seed.c) ---------------------------- */

/*
 * The model of the seed regime's version 1 as constant tables, kept only
 * for read-side callers written before the vocabulary was wired in
 * (list filters, column names: node/http/http_read.c, cmd/cmd_list.c and
 * their successors). They cover exactly 377-2004 version 1
 * (tests/test_vocab.c compares them); nothing writes or validates with
 * them. New code reads the vocabulary in force (home->h_vocab). The view's
 * 34 field columns (record_columns) are the view's layout and stay.
 */

/* Value types: the numbers of enum vocab_type. */
enum record_type {
    RT_STR = VT_STR,
    RT_UINT = VT_UINT,
    RT_ENUM = VT_ENUM,
    RT_DATE = VT_DATE,
    RT_PERIOD = VT_PERIOD,
    RT_STATE = VT_STATE,
    RT_STATES = VT_STATES,
    RT_LIST = VT_LIST,
    RT_ID = VT_ID,
    RT_BIN = VT_BIN,
    RT_MAP = VT_MAP,
    RT_SEMESTER = VT_SEMESTER,
};

enum record_flags {
    RF_REQUIRED = VF_REQUIRED,
    RF_FIXED = VF_FIXED,
    RF_INTERNAL = VF_INTERNAL,
};

struct record_field {
    const char *rf_name;   /* payload key and CLI option name */
    const char *rf_column; /* column of the view's records table */
    enum record_type rf_type;
    unsigned rf_flags;
    const char *const *rf_values; /* RT_ENUM: NULL-terminated list */
    size_t rf_max;                /* RT_STR/RT_LIST: max bytes per item */
};

struct record_schema {
    uint32_t rs_kind;
    const char *rs_name;   /* "observation" (entry_kind_name) */
    const char *rs_plural; /* "observations" (list argument) */
    int rs_is_record;
    size_t rs_nfields; /* sorted by name */
    const struct record_field *rs_fields;
};

/* Schema of an entry kind of the seed's version 1, or NULL. */
const struct record_schema *record_schema(uint32_t kind);
/* Schema of a record kind by plural ("observations"), or NULL. */
const struct record_schema *record_schema_by_plural(const char *plural);
/* A field of a schema by name, or NULL. */
const struct record_field *record_field(const struct record_schema *sc,
                                        const char *name);

/* The seed's observation categories and task statuses, NULL-terminated
 * (the vocabulary's sets "categories" and "task-statuses" are the
 * authority). */
extern const char *const record_categories[];
extern const char *const record_task_statuses[];

/* Starts a check-only builder over the seed's version-1 schema:
 * record_set() checks values exactly as the vocabulary does; it cannot
 * build. ILONET_EKIND for an unknown kind. */
int record_builder_init(struct record_builder *b, uint32_t kind);

/* Every distinct view column over the seed's record kinds (name and SQL
 * type "TEXT"/"INTEGER"), in a fixed order: the view's 34 field columns
 * (docs/VIEW.md; the 377-2004 view hash names them in this order). */
struct record_column {
    const char *rc_name;
    const char *rc_sqltype;
};
size_t record_columns(const struct record_column **out);
/* Index of a field's column in record_columns(); (size_t)-1 if none. */
size_t record_column_index(const struct record_field *f);
/* Index of the column called name in record_columns(); (size_t)-1. */
size_t record_column_named(const char *name);

#endif
