/* view.h - the merged view: CRDT materialisation of the entry set in SQLite. */
#ifndef ILONET_VIEW_H
#define ILONET_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "storage/entry.h"
#include "storage/store.h"
#include "storage/view/vocab.h"

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
#define VIEW_VERSION 8

/*
 * Creates/migrates view tables and installs the entry hook on s, reading
 * every payload with vocabulary v (docs/REGIMES.md): the vocabulary in
 * force for the store's network, loaded once by the home. v is not copied
 * and must outlive the store's connection. A view of an older layout, or
 * one built with another vocabulary (store meta "vocab" =
 * "<regime>/<version>"), is dropped and rebuilt from the log: upgrading
 * is a rebuild, never a resync. The hook's memory is released when the
 * store's connection closes. Every other view_* function needs the view
 * attached (ILONET_EINVAL otherwise, where it reads payloads).
 */
int view_attach(struct store *s, const struct vocab *v);

/* Drops and recomputes the view from every stored entry (excluding
 * quarantined entries and entries at or after a log's fork). One
 * transaction (nests inside the caller's). */
int view_rebuild(struct store *s);

/* Digest of a canonical dump of the merged view (node-local state never
 * included). audience NULL: everything held; else only that audience.
 * Computing it reads every record; the connection remembers the last one
 * per audience and answers from memory while no log head, fork or
 * revocation cut and no quarantine row has changed. */
int view_hash(struct store *s, const char *audience,
              uint8_t out[static HASH_LEN]);
/* What the view of audience (NULL: everything held) follows from, besides
 * the rules: the logs' heads, fork and revocation cuts, the quarantine,
 * the retention day and the vocabulary. Two reads with one fingerprint
 * see one view_hash(), on any connection. Cheap: it reads the logs table,
 * the quarantine and two settings, not the view. */
int view_fingerprint(struct store *s, const char *audience,
                     uint8_t out[static HASH_LEN]);
/* Writes a hash this connection computed of audience (NULL: everything
 * held), with the fingerprint it was computed at, into the store, where
 * view_hash() on any connection, in any process, answers with it while
 * the view has that fingerprint under this build's rules, and never once
 * it has moved. In a transaction of its own: ILONET_EINVAL inside one,
 * ILONET_EBUSY when another connection holds the write lock for long.
 * For a process that keeps the hash current (the node's HTTP server):
 * `ilonet status` and `ilonet report` then need not compute it. */
int view_hash_share(struct store *s, const char *audience,
                    const uint8_t fp[static HASH_LEN],
                    const uint8_t hash[static HASH_LEN]);
/* view_hash() of each of n audiences (an element NULL: everything held)
 * into out[0..n-1]: those the connection does not remember are computed
 * together, in one pass over the view instead of one each. */
int view_hashes(struct store *s, const char *const *audiences, size_t n,
                uint8_t (*out)[HASH_LEN]);

/* Computes the live view's hash and the hash of a full rebuild, leaving
 * the store unchanged (the rebuild is rolled back). */
int view_check(struct store *s, uint8_t live[static HASH_LEN],
               uint8_t rebuilt[static HASH_LEN]);

/* view_check() and view_counts_check() of s's file on threads of their
 * own (view_check.c), with their own connections, while the caller goes
 * on (with s too): start it, then finish it to wait for the results (and
 * free the job, whatever the result; counts_ok may be NULL).
 * ILONET_ENOTFOUND from start when s has no file another connection could
 * open (":memory:"): call the two functions instead. The job reads with
 * s's vocabulary (view_attach()), which must outlive it; s needs the view
 * attached (ILONET_EINVAL otherwise). */
struct view_check_job;
int view_check_start(struct store *s, struct view_check_job **out);
int view_check_finish(struct view_check_job *job, uint8_t live[static HASH_LEN],
                      uint8_t rebuilt[static HASH_LEN], int *counts_ok);

/*
 * A new member's first sync: while it fills an empty view, the list
 * indexes (view_index.c) are left out and built once at its end, a sort
 * each instead of an index insert per record (docs/BENCHMARKS.md, "The
 * third mend"). view_indexes_defer() drops them, in a transaction of its
 * own, only when the view holds no record (*deferred 1 then);
 * view_indexes_restore() builds what is missing. In between, lists answer
 * the same by scanning; a process that stops in between leaves them to
 * the next view_attach(), which builds what is missing. The view must be
 * attached (ILONET_EINVAL); not inside a transaction of the caller's
 * (other connections see the store without them until the restore).
 */
int view_indexes_defer(struct store *s, int *deferred);
int view_indexes_restore(struct store *s);

/* Recounts the records in effect per kind, category and month and
 * compares them with the counts the view maintains (view_index.c): *ok is
 * 1 when they agree. 0 or a store error. */
int view_counts_check(struct store *s, int *ok);

/*
 * Re-evaluates one log's contributions after something other than a new
 * entry changed which of its entries count: the log was frozen by fork
 * evidence (entries at or after the fork stop counting), an entry was
 * quarantined after it was stored (bad signature found later), or a
 * quarantine row was removed. Leaves the view a view_rebuild() would give,
 * at the cost of that log's entries and the records, changes and grants
 * they touch, not of everything held (an author can make a node call this
 * once per batch it sends). One transaction (nests inside the caller's);
 * 0 or an error with nothing changed. A log not held: 0.
 */
int view_log_changed(struct store *s, const uint8_t log[static HASH_LEN]);

/*
 * The node's background signature check (DESIGN §4: ingest verifies one
 * signature per range): checks up to max pending signatures
 * (log_check_pending), quarantines each entry whose signature fails and
 * takes it out of the view (view_log_changed of its log), all in one
 * transaction (nested in the caller's). *checked and *bad (may be NULL)
 * count the signatures checked and the bad ones found. 0, or an error with
 * nothing changed.
 */
int view_verify_pending(struct store *s, size_t max, size_t *checked,
                        size_t *bad);

/* Releases quarantined future-dated entries whose time has come
 * (until_ms <= now_ms + STORE_MAX_SKEW_MS): deletes their quarantine rows
 * and applies them to the view. *released (may be NULL) counts them. */
int view_release_due(struct store *s, uint64_t now_ms, uint64_t *released);

/* ---- typed read API (view_read.c) ---- */

/*
 * Everything outside storage/ reads the view through these functions: no
 * SQL and no table layout leaves storage/. A read delivers its rows to a
 * struct view_sink: vs_columns once with the column names (before any
 * row, also when there is none), then vs_row per row, each cell named and
 * typed as SQL holds it (ids and keys as lowercase hex text, times in ms,
 * "kind" as the entry kind number). Cells, their names and their bytes are
 * valid only during the callback. A callback returning non-zero stops the
 * read, which returns that value. Otherwise every read returns 0 or a
 * negative ilonet code: ILONET_EBUSY (store locked), ILONET_EINVAL (bad
 * request), ILONET_EIO.
 *
 * All functions run on the store's thread and leave the store as they
 * found it; the caller owns the sink and whatever vs_arg points to.
 */

enum view_type {
    VIEW_NULL = 0,
    VIEW_INT,
    VIEW_REAL,
    VIEW_TEXT, /* UTF-8 as stored, NUL-terminated (ce_len excludes it) */
    VIEW_BLOB,
};

struct view_cell {
    const char *ce_name;
    enum view_type ce_type;
    int64_t ce_int;         /* VIEW_INT */
    double ce_real;         /* VIEW_REAL */
    const char *ce_text;    /* VIEW_TEXT */
    const uint8_t *ce_blob; /* VIEW_BLOB */
    size_t ce_len;          /* bytes of ce_text or ce_blob */
};

struct view_row {
    size_t rw_ncells;
    const struct view_cell *rw_cells;
};

struct view_sink {
    /* column names (cells of type VIEW_NULL); may be NULL */
    int (*vs_columns)(void *arg, const struct view_row *names);
    /* one row; may be NULL (the rows are only counted) */
    int (*vs_row)(void *arg, const struct view_row *row);
    void *vs_arg;
};

/* The cell named name in row, or NULL. */
const struct view_cell *view_row_cell(const struct view_row *row,
                                      const char *name);

/*
 * The lists of `ilonet list KIND` and GET /api/KIND. lr_list names one:
 * a record kind by its plural (observations meetings trainings carriers
 * contacts postings tasks acting-presidencies chairs: the records that take
 * effect and are neither retracted nor erased, in the columns of the SQL
 * view of that name), or grants, revocations, evidence (fork evidence).
 * view_list_kind() tells which: 0 and *kind = the record kind (0 for the
 * three others), or ILONET_ENOTFOUND.
 *
 * Filters (NULL: any) apply to record kinds only, and each to the kinds
 * that have the field: state (the owning state; tasks: the creator),
 * category (observations), audience (normalised), from/to (ISO dates: the
 * record's event days overlap [from, to], event_from <= to and event_to,
 * NULL for an open end, >= from; docs/VIEW.md "Event time": its date or
 * period, else the day it was written), text (case-insensitive substring
 * of the kind's text fields, at most VIEW_TEXT_MAX bytes), status (tasks:
 * a task status or "open", none yet), assignee (tasks: assigned to this
 * state). A filter
 * given for a kind without the field is ILONET_EINVAL.
 *
 * lr_all (record kinds): every record of the kind, retracted, erased and
 * unauthorised ones too, as rows of the records view (status, valid and
 * why say what became of each).
 *
 * Order: VIEW_ORDER_LIST is each list's own (records by their first
 * event day, then by time written (lr_all: by HLC), then id; grants by
 * state pair; revocations by time; evidence by log and seq);
 * VIEW_ORDER_NEWEST (record kinds) newest written first.
 *
 * Paging: at most lr_limit rows (0: all). When more rows follow, res
 * ls_next is a cursor: pass it as lr_after with the same list, lr_all and
 * order to get the rows after the last one delivered (a keyset, so rows
 * added meanwhile neither repeat nor shift the pages); "" on the last
 * page. A cursor from another list or order is ILONET_EINVAL.
 */
#define VIEW_CURSOR_MAX 400
#define VIEW_TEXT_MAX 200

enum view_order {
    VIEW_ORDER_LIST = 0,
    VIEW_ORDER_NEWEST,
};

struct view_list_req {
    const char *lr_list;
    int lr_all;
    enum view_order lr_order;
    const char *lr_state, *lr_category, *lr_audience;
    const char *lr_from, *lr_to;
    const char *lr_text, *lr_status, *lr_assignee;
    uint64_t lr_limit;
    const char *lr_after;
};

struct view_list_res {
    size_t ls_count;               /* rows delivered */
    char ls_next[VIEW_CURSOR_MAX]; /* cursor of the next page, or "" */
};

int view_list_kind(const char *list, uint32_t *kind);
/* res may be NULL. */
int view_list(struct store *s, const struct view_list_req *rq,
              const struct view_sink *out, struct view_list_res *res);

/* One record and its history: record gets the record's row of the
 * records view (every column, NULL ones too); history then gets each
 * amendment, retraction, erasure and task status change naming it, oldest
 * first (id, kind, author_state, behalf, time_ms, status, valid, why).
 * ILONET_ENOTFOUND if the view holds no record id. */
int view_record_get(struct store *s, const uint8_t id[static HASH_LEN],
                    const struct view_sink *record,
                    const struct view_sink *history);

/* The first change (amendment, retraction, erasure, task status) whose
 * id starts with the hex digits prefix (6 to 64), as its row of the
 * changes view. ILONET_EINVAL for a bad prefix, ILONET_ENOTFOUND if none. */
int view_change_find(struct store *s, const char *prefix,
                     const struct view_sink *out);

/* Observations per category and month of writing (rows: category, month
 * "YYYY-MM", n; by month, then category). */
int view_counts_by_month(struct store *s, const struct view_sink *out);
/* One row: the number of records in effect per kind (columns
 * observations meetings trainings carriers contacts postings tasks
 * grants). */
int view_counts_by_kind(struct store *s, const struct view_sink *out);

/* The limit newest records of every kind, whatever their status (id,
 * kind, state, author_state, audience, time_ms, status, valid, summary:
 * the kind's headline field, category). */
int view_recent(struct store *s, uint64_t limit, const struct view_sink *out);

/* Every grant held, once (the grants view's columns) plus in_force: 1
 * when at now_ms it is valid, inside its validity and not revoked. A grant
 * published more than once (by both states, or in two audiences) is one
 * row: a valid publication's (net first), published_by listing every
 * publishing state (comma-separated), in force if any publication is. By
 * state pair. */
int view_grants(struct store *s, uint64_t now_ms, const struct view_sink *out);

/* Fork evidence (log, seq, author, audience, entry_a, entry_b as hex; then
 * author_key, the author's key as a blob), by log and seq. */
int view_evidence(struct store *s, const struct view_sink *out);
/* Quarantined entries (log, entry as hex; seq, code: a negative ilonet
 * code, until_ms), by log and seq. */
int view_quarantine(struct store *s, const struct view_sink *out);

/*
 * Runs one SQL statement that a person or a script wrote (`ilonet
 * query`), read-only and guarded: an authorizer lets it read the store's
 * tables and views and run read-only pragmas, and refuses everything else
 * (writes, ATTACH and DETACH, transactions, pragmas that set or act, the
 * functions fts3_tokenizer, load_extension and fts5); the connection is
 * defensive (SQLITE_DBCONFIG_DEFENSIVE, query_only, no FTS3 tokenizer
 * registration, no attached database) while it runs; and after max_steps
 * virtual machine steps (0: VIEW_QUERY_STEPS) it is stopped. Rows go to
 * out as for every read; the connection's settings are restored after.
 * Errors, each with one line in why (wl bytes): ILONET_EPERM (refused),
 * ILONET_EINVAL (not SQL, or not one statement), ILONET_ETOOBIG (stopped
 * by the step budget), ILONET_EBUSY, ILONET_EIO.
 */
#define VIEW_QUERY_STEPS 500000000ULL
int view_query(struct store *s, const char *sql, uint64_t max_steps,
               const struct view_sink *out, char *why, size_t wl);

/*
 * Personal data (docs/REGIMES.md §5): records whose retain-until day is
 * before the UTC day of now_ms are hidden on this node: their payloads
 * and their changes' payloads erased (the bytes overwritten, as an erase
 * entry does), status "erased", why "retention ended YYYY-MM-DD". The day
 * reached is kept in store meta "retention_day" and never goes back (a
 * clock set back hides nothing again and shows nothing again); records
 * that arrive later past their date are erased as they are stored. Run
 * when a store is opened, by the node once a day, before reads. *expired
 * (may be NULL) counts the records hidden now. One transaction.
 */
int view_expire_due(struct store *s, uint64_t now_ms, uint64_t *expired);

/* A record this node wrote whose retention has ended, which carries no
 * erase entry yet: the author's node writes one (docs/REGIMES.md §5). */
struct view_expired {
    uint8_t ve_id[HASH_LEN];
    char ve_audience[64];
    char ve_retain_until[11]; /* "YYYY-MM-DD" */
};

/* Up to max of them, written by the node key author, into out (*n gets
 * the count), oldest first. */
int view_expired_own(struct store *s, const uint8_t author[static 32],
                     struct view_expired *out, size_t max, size_t *n);

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

/* 1 if record id is marked as holding personal data (it has a
 * retain-until date), 0 if not or not held. */
int view_record_marked(struct store *s, const uint8_t id[static HASH_LEN]);

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
                    uint32_t kind, const char *category, const char *audience,
                    uint64_t hlc, uint8_t gid[static HASH_LEN]);

/* ---- reading for reports (view_report.c) ---- */

/*
 * The report (node/report/) reads the view only through these
 * functions. A report table or chart is a named *query* over a *base*
 * record set (observations, meetings, trainings, carriers, contacts,
 * postings, tasks, stubs, grants, records, logs: the read-only SQL views
 * of docs/VIEW.md). The caller names the query, the period, the one
 * audience the rows come from (a report's body: the audience every
 * addressee may read, `net`; its annex for Member States: `ms`), the
 * FIELD=VALUE filters on the base's
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
    const char *vrq_audience; /* the rows' audience: NULL = "net" (the
                                 body), "ms" (the Member States' annex) */
    size_t vrq_nfilters;      /* <= VIEW_REPORT_MAX_FILTERS */
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
/*
 * Between view_report_hold() and view_report_unhold(), each record base's
 * rows of a period and audience are read once, into a TEMP table, and
 * every query over that base reads them from there: a report runs a dozen
 * queries over the observations of one semester. Only inside a read
 * snapshot the caller holds open for the whole time (store_snapshot_
 * begin()): the held rows are those of the snapshot. unhold drops them.
 */
int view_report_hold(struct store *s);
void view_report_unhold(struct store *s);
void view_report_rows_free(struct view_report_rows *rows);

/* One attachment of a record a report table lists: what the signed
 * reference says (never whether this node holds the bytes, which differs
 * from node to node). */
#define VIEW_REPORT_ATT_TYPE_MAX 127 /* = BLOB_TYPE_MAX (storage/blob.h) */
#define VIEW_REPORT_ATT_NAME_MAX 255 /* = BLOB_NAME_MAX */
struct view_report_att {
    char vra_record[2 * HASH_LEN + 1]; /* the record's id, hex */
    char vra_date[11];                 /* its first event day, "" if none */
    char vra_state[2 * VIEW_REPORT_STATE_LEN + 8]; /* "NL (by DE)" */
    uint8_t vra_hash[HASH_LEN];                    /* the blob id */
    uint64_t vra_size;
    char vra_type[VIEW_REPORT_ATT_TYPE_MAX + 1];
    char vra_name[VIEW_REPORT_ATT_NAME_MAX + 1]; /* "" when none given */
};

/*
 * The attachments of the records table query rq lists (its base, period,
 * audience and filters as view_report_rows; rq's columns are ignored):
 * the items of the "attachments" of each record's creation and of its
 * amendments that take effect. Records in (event day, time, id) order;
 * a record's items by (hash, name, type, size), an item two entries
 * name alike listed once. Queries that do not list records one per row
 * (counts, sums, members, grants) give none. *out (free() it) and *n;
 * 0 items give *out NULL. ILONET_EINVAL as view_report_rows.
 */
int view_report_attachments(struct store *s, const struct view_report_req *rq,
                            struct view_report_att **out, size_t *n);

/* 1 if a node of state with the ilo role, certified during part of
 * [from_ms, to_ms), has a `net` log held; 0 if not. Only `net` logs
 * count, so every member decides alike whatever else it holds. */
int view_report_has_ilo(struct store *s, const char *state, uint64_t from_ms,
                        uint64_t to_ms);

/* The alphabetically first state with an ILO node certified during part
 * of [from_ms, to_ms) whose `net` log is held; ILONET_ENOTFOUND when none. */
int view_report_first_ilo(struct store *s, uint64_t from_ms, uint64_t to_ms,
                          char out[static VIEW_REPORT_STATE_LEN]);

/* The states named by the valid, active `net` acting-presidency records
 * of state presidency for semester ("2026-H1"), latest first by (HLC,
 * author, id):
 * up to max of them into out, their number into *n. */
int view_report_acting(struct store *s, const char *semester,
                       const char *presidency,
                       char (*out)[VIEW_REPORT_STATE_LEN], size_t max,
                       size_t *n);

/* The state chairing the network on day ("YYYY-MM-DD"): the valid,
 * active chair records (2019-1240) with role "chair" whose from..until
 * covers the day, the last in LWW order (HLC, author, id); into out.
 * ILONET_ENOTFOUND when none (or the vocabulary has no chair kind). */
int view_report_chair(struct store *s, const char *day,
                      char out[static VIEW_REPORT_STATE_LEN]);

/* The head of one log a report was built from. */
struct view_report_head {
    uint8_t vh_log[HASH_LEN];
    char vh_audience[VIEW_REPORT_AUDIENCE_LEN];
    char vh_state[VIEW_REPORT_STATE_LEN]; /* its author's state */
    uint64_t vh_seq;
    uint8_t vh_id[HASH_LEN];
};

/*
 * A report's provenance: the view hash of one audience (view_hash with
 * audience; NULL = "net") and the head of every non-empty log of that
 * audience held, sorted by log id: what every node holding the same
 * entries of that audience shows alike. *heads is malloc'd (the caller
 * frees it); out-parameters are written only on success.
 */
int view_report_provenance(struct store *s, const char *audience,
                           uint8_t view_hash[static HASH_LEN],
                           struct view_report_head **heads, size_t *n);

#define VIEW_REPORT_SECTION_LEN 17 /* a report section id and its NUL */

/* One narrative text of a report (a valid, active `net` report-text
 * record). */
struct view_report_text {
    char vt_section[VIEW_REPORT_SECTION_LEN];
    char vt_state[VIEW_REPORT_STATE_LEN]; /* the state that signed it */
    uint8_t vt_id[HASH_LEN];
    uint64_t vt_hlc;
    char *vt_text; /* malloc'd, NUL-terminated */
};

/*
 * Every narrative text for period ("2026-H2"), ordered by section, then
 * latest first by (HLC, author, id): the first of a section signed by a
 * given state is that state's text (the merge order). *out is malloc'd
 * (release with view_report_texts_free); 0 texts give *out NULL, *n 0.
 */
int view_report_texts(struct store *s, const char *period,
                      struct view_report_text **out, size_t *n);
void view_report_texts_free(struct view_report_text *t, size_t n);

/* One node's latest attestation of a period's report (a valid, active
 * `net` report-attest record), with the signed bytes behind it so that a
 * reader can check it offline against the trust roster. */
struct view_report_attest {
    char va_state[VIEW_REPORT_STATE_LEN];
    uint8_t va_node[KEY_PK_LEN];
    uint8_t va_id[HASH_LEN];
    uint64_t va_hlc;
    uint8_t va_report[HASH_LEN];
    int va_has_view;
    uint8_t va_view[HASH_LEN];
    char va_template[65];
    uint8_t va_hdr[ENTRY_HEADER_MAX];
    size_t va_hdr_len;
    uint8_t va_sig[KEY_SIG_LEN];
    uint8_t *va_payload; /* malloc'd */
    size_t va_payload_len;
    uint8_t *va_cert; /* the node's certificate envelope, malloc'd */
    size_t va_cert_len;
};

/*
 * The latest attestation (by HLC, then id) of every node that attested
 * the report of period, ordered by state, then node key. *out as for
 * view_report_texts (view_report_attests_free).
 */
int view_report_attests(struct store *s, const char *period,
                        struct view_report_attest **out, size_t *n);
void view_report_attests_free(struct view_report_attest *a, size_t n);

/* The post of state's valid, active `net` posting in force on day (from
 * <= day <= until), the last in LWW order; into out (cap bytes).
 * ILONET_ENOTFOUND when none. */
int view_report_post(struct store *s, const char *state, const char *day,
                     char *out, size_t cap);

#endif
