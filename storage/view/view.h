/* view.h - the merged view: CRDT materialisation of the entry set in SQLite. */
#ifndef ILONET_VIEW_H
#define ILONET_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "storage/store.h"

/*
 * The view is a pure function of the set of valid entries held (DESIGN §6,
 * rules in docs/VIEW.md). view_attach() creates its tables and installs the
 * store's entry hook so every stored entry updates the view in the same
 * transaction; a full view_rebuild() from the log gives the same
 * view_hash(). All functions run on the store's thread and return 0 or a
 * negative ilonet code.
 *
 * Tables (plain SQL, see docs/VIEW.md): v_records (a view over table
 * v_rec, entries and logs: one row per record: provenance, effective
 * fields, status), v_changes (over v_chg: every amendment, retraction,
 * erasure and task status change, with whether it took effect and why
 * not), v_grants, v_revocations; and read-only SQL views for people and
 * scripts: observations, meetings, trainings, carriers, contacts,
 * postings, tasks, acting_presidencies, grants, revocations, records,
 * changes.
 */

/* Layout and rule version, kept in store meta "view_version"; a store
 * whose view has another version is rebuilt by view_attach(). */
/* 7: records may carry "attachments" (storage/blob.h), whose references
 * the hook indexes; a store of 6 is rebuilt to index them. */
#define VIEW_VERSION 7

/* Creates/migrates view tables and installs the entry hook on s. A view
 * of an older layout is dropped and rebuilt. The hook's memory is released
 * when the store's connection closes. */
int view_attach(struct store *s);

/* Drops and recomputes the view from every stored entry (excluding
 * quarantined entries and entries at or after a log's fork). One
 * transaction (nests inside the caller's). */
int view_rebuild(struct store *s);

/* Digest of a canonical dump of the merged view (node-local state never
 * included). audience NULL: everything held; else only that audience. */
int view_hash(struct store *s, const char *audience,
              uint8_t out[static HASH_LEN]);

/* Computes the live view's hash and the hash of a full rebuild, leaving
 * the store unchanged (the rebuild is rolled back). */
int view_check(struct store *s, uint8_t live[static HASH_LEN],
               uint8_t rebuilt[static HASH_LEN]);

/*
 * Re-evaluates one log's contributions after something other than a new
 * entry changed which of its entries count: the log was frozen by fork
 * evidence (entries at or after the fork stop counting), an entry was
 * quarantined after it was stored (bad signature found later), or a
 * quarantine row was removed. Call inside or outside a transaction.
 */
int view_log_changed(struct store *s, const uint8_t log[static HASH_LEN]);

/* Releases quarantined future-dated entries whose time has come
 * (until_ms <= now_ms + STORE_MAX_SKEW_MS): deletes their quarantine rows
 * and applies them to the view. *released (may be NULL) counts them. */
int view_release_due(struct store *s, uint64_t now_ms, uint64_t *released);

/* ---- lookups for the CLI and the control API ------------------------ */

struct view_record_info {
    uint8_t vr_id[HASH_LEN];
    uint32_t vr_kind;
    char vr_audience[64];
    char vr_owner[16];        /* owning state */
    char vr_author_state[16]; /* state of the creating node */
    char vr_status[16];       /* active | retracted | erased */
    int vr_valid;             /* creation took effect */
    char vr_category[32];     /* observations: category, else "" */
};

/* Finds a record by its full hex id or a unique hex prefix (>= 6 digits).
 * ILONET_ENOTFOUND, or ILONET_EINVAL when the prefix is ambiguous. */
int view_record_find(struct store *s, const char *hex,
                     struct view_record_info *out);

/* A task's assignees as a comma-separated list of states, into out (cap
 * bytes; "" when none are recorded). 0 or a store error. */
int view_task_assignees(struct store *s, const uint8_t id[static HASH_LEN],
                        char *out, size_t cap);

/* 1 if the comma-separated list of states holds state. */
int view_list_has(const char *list, const char *state);

/* Finds a grant held in the view that lets state rep write for state
 * owner an entry of record kind kind (observations: category) in audience
 * at HLC time hlc, not revoked. Fills gid. ILONET_EDELEGATION if none. */
int view_grant_find(struct store *s, const char *owner, const char *rep,
                    uint32_t kind, const char *category,
                    const char *audience, uint64_t hlc,
                    uint8_t gid[static HASH_LEN]);

/* ---- reading for reports (view_report.c) ---- */

/*
 * The semester report (node/report/) reads the view only through these
 * functions. A report table or chart is a named *query* over a *base*
 * record set (observations, meetings, trainings, carriers, contacts,
 * postings, tasks, grants, records, logs: the read-only SQL views of
 * docs/VIEW.md). The caller names the query, the period, whether the
 * Member-States-only audience counts, FIELD=VALUE filters on the base's
 * columns and the output columns it wants; the view checks every name
 * against its catalogue (only the catalogue's own spelling ever reaches
 * SQL), binds every value, and returns the rows in a complete order (ties
 * broken by the record id or by the grouping key), so the rows depend on
 * the entries held and on nothing else.
 *
 * The catalogue is static and may be read from any thread; the functions
 * taking a store run on the store's thread and return 0 or a negative
 * ilonet code (ILONET_EINVAL: a name not in the catalogue).
 */

#define VIEW_REPORT_MAX_FILTERS 4
#define VIEW_REPORT_MAX_COLS 16
#define VIEW_REPORT_STATE_LEN 16    /* a state code and its NUL */
#define VIEW_REPORT_AUDIENCE_LEN 64 /* an audience and its NUL */

/* What a query feeds: a table (rows as the report prints them) or a chart
 * (the data points behind it). Tables and charts have separate names. */
enum view_report_use {
    VIEW_REPORT_TABLE = 1,
    VIEW_REPORT_CHART,
};

/* One query of the catalogue (static; never freed). */
struct view_report_query {
    const char *vq_name; /* "observations", "category-month" */
    enum view_report_use vq_use;
    const char *vq_base; /* the base it reads, "observations" */
    /* the base's columns a filter may name, NULL-terminated */
    const char *const *vq_base_cols;
    /* the output columns, NULL-terminated */
    const char *const *vq_cols;
};

/* The i-th query for use (catalogue order), NULL past the last one. */
const struct view_report_query *view_report_query_at(enum view_report_use use,
                                                     size_t i);
/* The query called name for use, NULL when there is none. */
const struct view_report_query *view_report_query_find(enum view_report_use use,
                                                       const char *name);

/* Keeps the rows whose base column vf_column equals vf_value (compared as
 * SQL compares a bound text value with that column). */
struct view_report_filter {
    const char *vf_column;
    const char *vf_value;
};

struct view_report_req {
    const char *vrq_query; /* a catalogue name for vrq_use */
    enum view_report_use vrq_use;
    uint64_t vrq_from_ms; /* the period: [from, to) in unix ms */
    uint64_t vrq_to_ms;
    int vrq_with_ms;     /* 1: the `ms` audience counts (a Member State's) */
    size_t vrq_nfilters; /* <= VIEW_REPORT_MAX_FILTERS */
    const struct view_report_filter *vrq_filters;
    /* the output columns wanted, in order (<= VIEW_REPORT_MAX_COLS);
     * vrq_ncols 0: every output column in catalogue order */
    size_t vrq_ncols;
    const char *const *vrq_cols;
};

enum view_report_type {
    VIEW_REPORT_NULL = 0, /* no value (a field not given) */
    VIEW_REPORT_INT,      /* an integer: vcl_int */
    VIEW_REPORT_TEXT,     /* text: vcl_text */
};

struct view_report_cell {
    enum view_report_type vcl_type;
    int64_t vcl_int;
    char *vcl_text; /* owned by the rows */
};

struct view_report_rows {
    size_t vrw_nrows, vrw_ncols;
    struct view_report_cell *vrw_cells; /* nrows * ncols, row by row */
};

/*
 * Runs one query. On success *out holds the rows (the caller releases them
 * with view_report_rows_free); on failure *out is untouched. ILONET_EINVAL
 * for an unknown query, filter column or output column, more filters or
 * columns than allowed, or a NULL filter value.
 */
int view_report_rows(struct store *s, const struct view_report_req *rq,
                     struct view_report_rows *out);
void view_report_rows_free(struct view_report_rows *rows);

/* 1 if a node of state with the ilo role, certified during part of
 * [from_ms, to_ms), has a log held (any audience); 0 if not. */
int view_report_has_ilo(struct store *s, const char *state, uint64_t from_ms,
                        uint64_t to_ms);

/* The alphabetically first state with an ILO node certified during part
 * of [from_ms, to_ms) whose log is held; ILONET_ENOTFOUND when none. */
int view_report_first_ilo(struct store *s, uint64_t from_ms, uint64_t to_ms,
                          char out[static VIEW_REPORT_STATE_LEN]);

/* The states named by the valid, active acting-presidency records of state
 * presidency for semester ("2026-H1"), latest first by (HLC, author, id):
 * up to max of them into out, their number into *n. */
int view_report_acting(struct store *s, const char *semester,
                       const char *presidency,
                       char (*out)[VIEW_REPORT_STATE_LEN], size_t max,
                       size_t *n);

/* The head of one log a report was built from. */
struct view_report_head {
    uint8_t vh_log[HASH_LEN];
    char vh_audience[VIEW_REPORT_AUDIENCE_LEN];
    uint64_t vh_seq;
    uint8_t vh_id[HASH_LEN];
};

/*
 * A report's provenance: the hash of the whole view held (view_hash with
 * no audience) and the head of every non-empty log held, without `ms` logs
 * unless with_ms, sorted by log id. *heads is malloc'd (the caller frees
 * it); out-parameters are written only on success.
 */
int view_report_provenance(struct store *s, int with_ms,
                           uint8_t view_hash[static HASH_LEN],
                           struct view_report_head **heads, size_t *n);

#endif
