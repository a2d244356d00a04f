/* vocab.h - a regime's vocabulary as data: parse, look up, check values. */
#ifndef ILONET_VOCAB_H
#define ILONET_VOCAB_H

#include <stddef.h>
#include <stdint.h>

/*
 * A regime (the law a network works under: "377-2004", "2019-1240") has a
 * versioned vocabulary: its entry kinds and their fields (type, required,
 * fixed, limits, allowed values, labels, the field giving the event time),
 * value sets (categories, units, grades, roles, audiences, ...), the
 * reporting rules and the personal-data rules. The vocabularies ship as
 * text files in data/ (format in docs/VOCAB.md), embedded in the binary;
 * the ISO 3166-1 country table and the member table ship beside them.
 *
 * A struct vocab is built by one parse and never changes afterwards: every
 * function taking a const struct vocab * is pure and may be called from
 * any thread at once. Strings and structs handed out point into the vocab
 * and live until vocab_free(). Nothing here prints or keeps global state.
 *
 * Errors: ILONET_EMALFORMED (a parse error; why holds one line naming the
 * input line, e.g. "vocab line 12: unknown keyword 'feild'"), ILONET_ETOOBIG
 * (a count or length over its bound, also naming the line), ILONET_EINVAL
 * (a value refused; why names the field and what is allowed),
 * ILONET_ENOMEM, ILONET_ENOTFOUND (unknown regime).
 */

struct vocab;

/* Value types. The first twelve have the numbers of enum record_type
 * (storage/view/record.h), so the seed's schema maps one to one. */
enum vocab_type {
    VT_STR = 1,   /* non-empty UTF-8 text without control bytes */
    VT_UINT,      /* unsigned integer, decimal digits */
    VT_ENUM,      /* one code of a value set */
    VT_DATE,      /* YYYY-MM-DD */
    VT_PERIOD,    /* YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, from <= to */
    VT_STATE,     /* a member code, 2-15 letters A-Z ("DE", "FRONTEX") */
    VT_STATES,    /* list of member codes, no repeats ["DE,FR"] */
    VT_LIST,      /* list of non-empty strings without ',' ["a,b"] */
    VT_ID,        /* a 32-byte entry or grant id, 64 hex digits */
    VT_BIN,       /* bytes (an envelope); not settable as text */
    VT_MAP,       /* a nested map (an amendment); not settable as text */
    VT_SEMESTER,  /* YYYY-H1 or YYYY-H2 */
    VT_COUNTRY,   /* ISO 3166-1 code; text: alpha-2 or alpha-3 */
    VT_COUNTRIES, /* list of country codes, no repeats ["SY,AF"] */
    /* files a record carries (storage/blob.h): an array of blob
     * references; text: the hex of its canonical msgpack. Only the field
     * "attachments" of a record kind, optional and add-only: an amendment
     * adds to the record's set, never clears it (docs/VOCAB.md). */
    VT_ATTACHMENTS,
};

/* Field flags: the numbers of enum record_flags. */
enum vocab_flags {
    VF_REQUIRED = 1, /* must be present when the entry is created */
    VF_FIXED = 2,    /* may not be amended */
    VF_INTERNAL = 4, /* filled by the program, not a user option */
};

/* The part a field plays in the kind's event time (docs/REGIMES.md). */
enum vocab_event {
    VE_NONE = 0,
    VE_AT,    /* a date: the event's day */
    VE_SPAN,  /* a period or semester: the event's days */
    VE_START, /* a date: the first day */
    VE_END,   /* a date: the last day (optional; open-ended without) */
};

/* Cross-field rules of a kind, checked in the order listed. */
enum vocab_rule_type {
    VR_PAIR = 1, /* a and b are both present or both absent */
    VR_NEEDS,    /* a present -> b present */
    VR_ORDER,    /* both present (dates) -> a <= b */
};

struct vocab_value {
    const char *vv_code;  /* "flows", "A", "persons" */
    const char *vv_label; /* human label */
    const char *vv_help;  /* "" when none */
    unsigned vv_since;    /* vocabulary version that added it */
    int vv_member_state;  /* set "roles": a Member State's role */
    const char *vv_roles; /* set "audiences": admitted roles, space
                             separated; "" = every role */
};

struct vocab_set {
    const char *vs_name; /* "categories" */
    const char *vs_label;
    const char *vs_help;
    size_t vs_n;
    const struct vocab_value *vs_values; /* in file order */
};

struct vocab_field {
    const char *vf_name; /* payload key and CLI option name */
    const char *vf_label;
    const char *vf_help;
    const char *vf_column; /* the seed's view column, or NULL */
    enum vocab_type vf_type;
    unsigned vf_flags;                  /* VF_* */
    const struct vocab_set *vf_values;  /* VT_ENUM: the allowed codes */
    const struct vocab_set *vf_suggest; /* advisory codes for free text, or
                                           NULL (see vf_suggest_countries) */
    int vf_suggest_countries;           /* advisory: ISO country codes */
    size_t vf_max; /* VT_STR/VT_LIST: max bytes (per item); 0 = none */
    unsigned vf_since;
    enum vocab_event vf_event;
};

struct vocab_rule {
    enum vocab_rule_type vr_type;
    const struct vocab_field *vr_a, *vr_b;
};

struct vocab_kind {
    const char *vk_name;   /* "observation" (entry kind name) */
    const char *vk_plural; /* "observations", or NULL for a non-record */
    const char *vk_label;
    const char *vk_help;
    uint32_t vk_code; /* entry header kind number */
    int vk_is_record; /* its entries create a record */
    unsigned vk_since;
    size_t vk_naudiences;
    const char *const *vk_audiences; /* audience codes that make sense;
                                        the first is the default */
    size_t vk_nfields;
    const struct vocab_field *vk_fields; /* sorted bytewise by name */
    size_t vk_nrules;
    const struct vocab_rule *vk_rules;
};

struct vocab_report {
    const char *vp_period;   /* "semester" or "year" */
    const char *vp_drafter;  /* "presidency" or "chair" */
    const char *vp_template; /* template id, e.g. "2005-687/provisional-1" */
    const char *vp_audience; /* the audience the report is built from */
};

/* Personal-data detectors (vocab_pii_find). */
enum vocab_pii_kind {
    VOCAB_PII_DOB = 1,    /* a date of birth after a birth keyword */
    VOCAB_PII_DOCNUM = 2, /* a number after a passport/document keyword */
    VOCAB_PII_MRZ = 4,    /* a machine-readable zone line */
};

struct vocab_privacy {
    unsigned vy_max_days; /* retain-until at most this many days after
                             the day the record is written */
    unsigned vy_detect;   /* VOCAB_PII_* detectors in force */
};

struct vocab_country {
    const char *vc_a2;    /* "SY" (the stored form) */
    const char *vc_a3;    /* "SYR" */
    const char *vc_name;  /* "Syrian Arab Republic" */
    int vc_user_assigned; /* not in ISO 3166-1 (XK) */
};

struct vocab_member {
    const char *vm_code;    /* "DE", "EL", "EU", "FRONTEX" */
    const char *vm_type;    /* member-state associated former commission
                               agency */
    const char *vm_country; /* ISO alpha-2, or NULL */
    const char *vm_name;
};

/* ---- building ---------------------------------------------------------- */

/*
 * Parses a vocabulary file from buf[0..len) (not NUL-terminated; copied).
 * On success *out is a new vocab the caller frees with vocab_free(). On
 * failure *out is untouched and why (whylen bytes, may be NULL) holds one
 * line naming the input line. Bounded: at most VOCAB_MAX_BYTES of input,
 * lines of at most VOCAB_MAX_LINE bytes, the counts below.
 */
#define VOCAB_MAX_BYTES (256 * 1024)
#define VOCAB_MAX_LINE 1024
#define VOCAB_MAX_KINDS 32
#define VOCAB_MAX_FIELDS 32 /* per kind; = RECORD_MAX_ITEMS */
#define VOCAB_MAX_ALL_FIELDS 512
#define VOCAB_MAX_RULES 8 /* per kind */
#define VOCAB_MAX_SETS 32
#define VOCAB_MAX_VALUES 64 /* per set */
#define VOCAB_MAX_ALL_VALUES 512
#define VOCAB_MAX_SOURCES 8
#define VOCAB_MAX_AUDIENCES 8 /* per kind */
#define VOCAB_MAX_COUNTRIES 300
#define VOCAB_MAX_MEMBERS 64
#define VOCAB_MAX_ITEMS 64 /* items of a list value */
int vocab_parse(const uint8_t *buf, size_t len, struct vocab **out, char *why,
                size_t whylen);

/*
 * Attaches a country table (data/countries.txt format) or a member table
 * (data/members.txt) to v. Same bounds and errors as vocab_parse; on
 * failure v is unchanged. ILONET_EEXIST if v already has one.
 * Not thread-safe: call before v is shared.
 */
int vocab_add_countries(struct vocab *v, const uint8_t *buf, size_t len,
                        char *why, size_t whylen);
int vocab_add_members(struct vocab *v, const uint8_t *buf, size_t len,
                      char *why, size_t whylen);

/* The vocabulary shipped in the binary for regime ("377-2004",
 * "2019-1240"), with the country and member tables attached. *out as for
 * vocab_parse. ILONET_ENOTFOUND for an unknown regime (why lists the
 * known ones). */
int vocab_builtin(const char *regime, struct vocab **out, char *why,
                  size_t whylen);
/* The regimes vocab_builtin() knows, NULL-terminated, oldest first. */
const char *const *vocab_builtin_regimes(void);

/*
 * Makes v the vocabulary as it was at an earlier version: every kind,
 * field, value and rule added after version goes, and vocab_version()
 * becomes version. A later version only ever adds (docs/VOCAB.md), so
 * this is exactly the earlier file. Used to run a node as an older binary
 * would (the test-only ILONET_TEST_VOCAB_VERSION, node/home.c). 0, or
 * ILONET_EINVAL when version is 0 or above v's (why says so). Not
 * thread-safe: call before v is shared; pointers into v handed out
 * before the call are stale after it.
 */
int vocab_restrict(struct vocab *v, unsigned version, char *why, size_t whylen);

/* Frees v and everything handed out from it. NULL is a no-op. */
void vocab_free(struct vocab *v);

/* ---- looking up --------------------------------------------------------- */

const char *vocab_regime(const struct vocab *v); /* "2019-1240" */
unsigned vocab_version(const struct vocab *v);   /* 1, 2, ... */
const char *vocab_title(const struct vocab *v);
const struct vocab_report *vocab_report(const struct vocab *v);
const struct vocab_privacy *vocab_privacy(const struct vocab *v);

/* Every kind, in file order; *n gets the count. */
const struct vocab_kind *vocab_kinds(const struct vocab *v, size_t *n);
/* A kind by name ("observation"), plural ("observations") or entry kind
 * number; NULL when unknown. */
const struct vocab_kind *vocab_kind(const struct vocab *v, const char *name);
const struct vocab_kind *vocab_kind_by_plural(const struct vocab *v,
                                              const char *plural);
const struct vocab_kind *vocab_kind_by_code(const struct vocab *v,
                                            uint32_t code);
/* A field of k by name, or NULL. */
const struct vocab_field *vocab_field(const struct vocab_kind *k,
                                      const char *name);

/* Every value set, in file order. */
const struct vocab_set *vocab_sets(const struct vocab *v, size_t *n);
/* A value set by name ("categories", "units", "roles", ...), or NULL. */
const struct vocab_set *vocab_set(const struct vocab *v, const char *name);
/* The value of s with code[0..n), or NULL. */
const struct vocab_value *vocab_value(const struct vocab_set *s,
                                      const char *code, size_t n);
/* Shorthands: a code of the sets "categories" and "units", or NULL. */
const struct vocab_value *vocab_category(const struct vocab *v,
                                         const char *code);
const struct vocab_value *vocab_unit(const struct vocab *v, const char *code);

/* A country by alpha-2 or alpha-3 code (upper case), or NULL; and the
 * whole table sorted by alpha-2 (*n = 0 when none is attached). */
const struct vocab_country *vocab_country(const struct vocab *v,
                                          const char *code, size_t n);
const struct vocab_country *vocab_countries(const struct vocab *v, size_t *n);
/* A member by code ("DE", "EUROPOL"), or NULL; and the whole table. */
const struct vocab_member *vocab_member(const struct vocab *v,
                                        const char *code);
const struct vocab_member *vocab_members(const struct vocab *v, size_t *n);

/* ---- checking ----------------------------------------------------------- */

/*
 * Checks text (the form a user types; NULL means "") as a value of field
 * f (v may be NULL when f is not a country or countries field): 0, or
 * ILONET_EINVAL with a reason naming the field and what is
 * allowed, in the words record_set() uses for the seed's types, e.g.
 * "field 'category': unknown value 'weather' (one of flows, routes, ...)".
 */
int vocab_check_text(const struct vocab *v, const struct vocab_field *f,
                     const char *text, char *why, size_t whylen);

/*
 * Checks the codes of a state or states value in text form (its form
 * already checked by vocab_check_text) against v's member table
 * (data/members.txt): 0, or ILONET_EINVAL with a reason naming the field
 * and the first code no member holds ("field 'participants': 'XX' is not
 * a member ..."). 0 when v has no member table or f is of another type.
 * A writer's check only: the stored form's (record_check_value) reads a
 * code's form alone, so a member table changed by a later release never
 * changes what a view makes of an entry it holds.
 */
int vocab_check_members(const struct vocab *v, const struct vocab_field *f,
                        const char *text, char *why, size_t whylen);

/*
 * Checks s[0..n) (not NUL-terminated) as a single value of field f of a
 * scalar text type (str, enum, date, period, state, semester, country):
 * the stored form's counterpart of vocab_check_text(), same messages.
 * Lists, numbers, ids and bytes are ILONET_EINVAL ("wrong type"). v may be
 * NULL when f is not a country.
 */
int vocab_check_scalar(const struct vocab *v, const struct vocab_field *f,
                       const char *s, size_t n, char *why, size_t whylen);

/* The bytes of an attachments value in its text form (the hex of its
 * canonical array, n digits) into out (cap bytes; *len set): 0, or
 * ILONET_EINVAL for an odd length, a non-hex digit or more than cap
 * bytes. Only the form: vocab_check_text() checks the array. The bytes
 * hold blob keys: the caller wipes out. */
#define VOCAB_ATTACHMENTS_MAX 8192 /* bytes of one attachments array */
int vocab_attachments_unhex(const char *text, size_t n, uint8_t *out,
                            size_t cap, size_t *len);

/* 1 if s[0..n) is text as values hold it: valid UTF-8 (wire_utf8_ok)
 * without control bytes other than tab, newline and CR, and without DEL;
 * else 0. The one text rule of text values and list items. */
int vocab_text_ok(const char *s, size_t n);

/* "YYYY-MM-DD" (n == 10, years 1900-9999) into days since 1970-01-01:
 * 0 or ILONET_EINVAL. The one date rule of ilonet's text values. */
int vocab_date(const char *s, size_t n, int64_t *days);
/* The "YYYY-MM-DD" of a day number (out: 11 bytes). */
void vocab_day_text(int64_t days, char out[static 11]);

/* One (field name, text value) pair of a record being written. */
struct vocab_item {
    const char *vi_name;
    const char *vi_text;
};

/*
 * Checks a whole new entry of kind k given as text pairs, in the order the
 * seed's builder does: each pair (known field, not given twice, value),
 * then the required fields in name order, then k's rules. 0 or
 * ILONET_EINVAL with a reason. Amendments (partial field sets) are not
 * covered: see docs/REGIMES.md.
 */
int vocab_check_fields(const struct vocab *v, const struct vocab_kind *k,
                       const struct vocab_item *items, size_t n, char *why,
                       size_t whylen);

/*
 * The lowest vocabulary version under which an entry of kind k with these
 * fields and values can be read: the largest "since" of the kind, of each
 * field given and of each enum code given (docs/REGIMES.md: an entry names
 * it when it is above 1). Unknown names count as the current version.
 */
unsigned vocab_min_version(const struct vocab *v, const struct vocab_kind *k,
                           const struct vocab_item *items, size_t n);

/* Where text s[0..n) looks like personal data (vocab_pii_find). */
struct vocab_pii {
    unsigned vh_kind; /* one VOCAB_PII_* */
    size_t vh_off;    /* byte offset of the match in s */
    size_t vh_len;
};

/*
 * 1 if s[0..n) holds something that looks like personal data under the
 * detectors of v (the patterns are in docs/REGIMES.md), filling *hit with
 * the first match; 0 if not. Deterministic and locale-free.
 */
int vocab_pii_find(const struct vocab *v, const char *s, size_t n,
                   struct vocab_pii *hit);

/*
 * The personal-data rule for a new entry given as text pairs: when the
 * entry carries "purpose" and "retain-until" it is marked and passes
 * (vocab_check_retention() checks the date); otherwise every text and list
 * value is scanned and the first that looks like personal data is refused
 * with ILONET_EINVAL and a reason that says how to mark the record.
 */
int vocab_check_personal(const struct vocab *v, const struct vocab_kind *k,
                         const struct vocab_item *items, size_t n, char *why,
                         size_t whylen);

/*
 * Checks a retention date (YYYY-MM-DD) against the day the record is
 * written (YYYY-MM-DD, the entry's HLC date): not before it and at most
 * the regime's max-days after it. 0 or ILONET_EINVAL with a reason.
 */
int vocab_check_retention(const struct vocab *v, const char *written,
                          const char *retain_until, char *why, size_t whylen);

/* Name of a type ("str", "country", ...) as the vocabulary file writes it. */
const char *vocab_type_name(enum vocab_type t);

#endif
