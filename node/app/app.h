/* app.h - the use cases: one function per thing a user does, shared by the CLI
 * and the HTTP API. */
#ifndef ILONET_APP_H
#define ILONET_APP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/textbuf.h"
#include "node/home.h"
#include "node/report/report.h"

#include "storage/entry.h" /* KIND_*, ENTRY_AUDIENCE_MAX reach the adapters */

#include "storage/log.h"
#include "storage/view/view.h"
#include "storage/view/view_search.h"
#include "storage/users.h"
#include "storage/view/view_desk.h"
#include "storage/view/view_blob.h"

/*
 * The command line (cmd/) and the HTTP API (node/http/) are adapters over
 * this layer: they parse their input into the typed requests below, call
 * one app_* function, and render its typed result or its struct app_err.
 * Every rule about what a user may do (validation, audiences, grants,
 * who may change a record) lives here once; no use case is written twice.
 *
 * Conventions (every function of this module):
 * - The context is an open struct home (node/home.h); functions that write
 *   or read the store need it opened with HOME_STORE. A home and
 *   everything reached through it belong to the calling thread.
 * - Returns 0 or a negative ILONET_E* code; on failure *err (never NULL)
 *   holds the code and one line naming the field, record or file concerned
 *   (no "ilonet: cmd:" prefix: the adapter adds its own context).
 *   Out-parameters are written only on success.
 * - Record fields travel as (name, text) pairs: the names are the payload
 *   field names of storage/view/record.h (= the CLI option names without
 *   "--" = the HTTP JSON keys) and the text is the CLI's form of the
 *   value. The vocabulary (storage/view/record.h) types and checks them.
 * - Nothing is written unless every check passed (I3).
 */

#define APP_MSG_MAX 512

struct app_err {
    int ae_code;              /* the negative ILONET_E* code */
    int ae_usage;             /* 1: a required input is missing or not
                                 given in its expected form (CLI exit 2) */
    int ae_conflict;          /* 1: the input is valid but the record's
                                 state refuses it (erased): HTTP 409
                                 whatever ae_code says */
    char ae_field[64];        /* the field at fault, "" when none */
    char ae_msg[APP_MSG_MAX]; /* one line for a person */
};

/* The libraries' process-wide set-up, for main() to call once, first,
 * from one thread (the library never changes process-wide state):
 * libsodium's initialisation (key_global_init(), which it needs) and
 * SQLite's settings (store_global_init(), which only saves time).
 * ILONET_EIO when libsodium cannot start. */
int app_global_init(void);

/* The HTTP status an adapter answers for err: 400 bad input, 403 not
 * allowed (audience, grant, assignee), 404 no such record, 409 conflict
 * with the node's state (no certificate, frozen log, restored home,
 * erased record: ae_conflict), 503 busy, 507 over this node's blob quota
 * (quota), 500 otherwise. */
int app_err_http_status(const struct app_err *err);

/* Fills err (code, message from fmt) and returns code. */
int app_fail(struct app_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- maintenance: export, import, log, verify, restore (app_ops.c) ---- */

/*
 * The operator's use cases over the log store itself (not the records):
 * offline exchange through export files (storage/bundle.h,
 * docs/FORMAT.md), the entries per log, a full re-verification, and the
 * restored-from-backup mark. A usage error (ae_usage 1) names its field in
 * ae_field and its message starts with that name ("for XX: not a state
 * code"; the CLI prints it after "--"); a missing positional file is
 * "FILE is required" with ae_field "". Messages of the file use cases
 * start with the file's path.
 */

#define APP_AUDIENCE_MAX 63 /* = ENTRY_AUDIENCE_MAX (storage/entry.h) */

/* Export: the signed entries of every log held, or of those a state may
 * read, into one file. */
struct app_export {
    const char *ex_path; /* the file to write (replaced atomically) */
    const char *ex_for;  /* a state code: only logs it may read; NULL: all */
};
struct app_export_out {
    uint64_t eo_logs;    /* logs written */
    uint64_t eo_entries; /* entries written */
};

/* Checks req without a home (so the CLI can refuse bad input before it
 * opens one): ex_path given ("out"), ex_for a state code ("for"). */
int app_export_check(const struct app_export *req, struct app_err *err);

/* Checks req and writes the file from one read snapshot of the store. */
int app_export(struct home *h, const struct app_export *req,
               struct app_export_out *out, struct app_err *err);

/* A log named while importing, in file order, as it is met: skipped (its
 * audience excludes this node: nothing of it reaches the disk) or forked
 * (fork evidence stored, the log frozen). */
enum app_import_what {
    APP_IMPORT_SKIPPED = 1,
    APP_IMPORT_FORK = 2,
};
struct app_import_note {
    enum app_import_what in_what;
    uint8_t in_log[HASH_LEN];
    char in_audience[APP_AUDIENCE_MAX + 1];
};
typedef void (*app_import_cb)(void *arg, const struct app_import_note *n);

struct app_import {
    const char *im_path;   /* the export file to read */
    app_import_cb im_note; /* may be NULL; also called for logs met before
                              a later failure (which stores nothing) */
    void *im_arg;
};
struct app_import_out {
    uint64_t io_new;          /* entries stored */
    uint64_t io_dup;          /* entries already held */
    uint64_t io_forks;        /* forks found (evidence stored) */
    uint64_t io_quarantined;  /* stored, time too far ahead: not in view */
    uint64_t io_skipped_logs; /* logs of audiences this node is not in */
};

/* Checks req without a home: im_path given ("FILE is required"). */
int app_import_check(const struct app_import *req, struct app_err *err);

/*
 * Verifies every entry of the file exactly as the network path does
 * (log_ingest) and stores the logs this node may hold, in one
 * transaction: any forged or corrupt byte fails with its code and stores
 * nothing; the message names the file and, when known, the log and seq
 * ("<path>: bad-signature: log <hex> seq 2: ... (nothing stored)") or the
 * byte offset of the bad frame. Forks are not failures: their evidence is
 * stored with everything else and io_forks counts them. The clock for the
 * future-time quarantine is home_now_ms().
 */
int app_import(struct home *h, const struct app_import *req,
               struct app_import_out *out, struct app_err *err);

/* One log held and one of its entries, for app_log. */
struct app_log_info {
    uint8_t li_id[HASH_LEN];
    uint8_t li_author[KEY_PK_LEN];
    char li_audience[APP_AUDIENCE_MAX + 1];
    uint64_t li_head;   /* seq of the last entry held, 0 = empty */
    uint64_t li_frozen; /* 0, else the seq where fork evidence froze it */
};
struct app_log_entry {
    uint64_t le_seq;
    uint8_t le_id[HASH_LEN];
    uint64_t le_kind;
    const char *le_kind_name; /* static; NULL for a kind this node does
                                 not know */
    uint64_t le_hlc;
    uint64_t le_time_ms;     /* the HLC's wall-clock part */
    uint64_t le_payload_len; /* as signed, also when erased */
    int le_erased;           /* 1: the payload is no longer held */
};
/* Callbacks of app_log (each may be NULL): each log, then its entries in
 * seq order. They return 0, or a negative ILONET_E* code that stops the
 * walk and is app_log's result. Pointers are valid during the call only. */
struct app_log_visit {
    int (*lv_log)(void *arg, const struct app_log_info *l);
    int (*lv_entry)(void *arg, const struct app_log_entry *e);
    void *lv_arg;
};

/* Walks every log held (ordered by log id) and every entry of it. */
int app_log(struct home *h, const struct app_log_visit *v, struct app_err *err);

/* A problem app_verify found: an entry (vp_evidence 0) or a fork evidence
 * row (vp_evidence 1) at (log, seq) failing with vp_code. */
struct app_verify_problem {
    uint8_t vp_log[HASH_LEN];
    uint64_t vp_seq;
    int vp_code;
    int vp_evidence;
};
typedef void (*app_verify_cb)(void *arg, const struct app_verify_problem *p);

struct app_verify_out {
    uint64_t vo_checked;      /* entries checked */
    uint64_t vo_bad;          /* entries failing */
    uint64_t vo_evidence;     /* fork evidence rows checked */
    uint64_t vo_bad_evidence; /* of them failing */
    int vo_view_ok;           /* 1: the view equals a full rebuild */
    int vo_ok;                /* 1: all of the above holds */
};

/*
 * Re-verifies every stored entry (ids, chain links, every signature,
 * payload hashes, certificates) and every fork evidence row, and compares
 * the view with a full rebuild (rolled back: the store is unchanged).
 * Problems go to cb (may be NULL) as they are found. Returns 0 whenever
 * the check could run, whatever it found (the verdict is vo_ok); an error
 * only when it could not (I/O, memory): "<errname>: <why>", or
 * "evidence: <errname>: <why>" for the evidence rows. Uses every core
 * (app_verify_with() with vq_threads 0).
 */
int app_verify(struct home *h, app_verify_cb cb, void *arg,
               struct app_verify_out *out, struct app_err *err);

/*
 * app_verify() with its work shared out: vq_threads worker threads check
 * the entries' ids, chain links, hashes and signatures (0: one per online
 * core; 1: everything on the calling thread, one step after the other),
 * while the view is compared with a rebuild on a thread of its own; the
 * results, and the problems in their order, are those of one thread.
 * vq_progress (may be NULL) hears, from the calling thread, how many
 * entries are checked of how many, now and then and once at the end; the
 * comparison of the view may still run after that. The view also keeps
 * counts per kind (storage/view/view.h view_counts_check): vo_view_ok
 * includes that they equal a recount.
 */
typedef void (*app_verify_progress_cb)(void *arg, uint64_t done,
                                       uint64_t total);
struct app_verify_req {
    unsigned vq_threads;
    app_verify_cb vq_problem;           /* may be NULL */
    app_verify_progress_cb vq_progress; /* may be NULL */
    void *vq_arg;                       /* for both */
};
int app_verify_with(struct home *h, const struct app_verify_req *rq,
                    struct app_verify_out *out, struct app_err *err);

/*
 * The restored-from-backup mark (docs/RELIABILITY.md, "Restoring a
 * node"): clear 0 sets it (every local write is refused with self-behind
 * until a sync has shown this node's heads), clear 1 removes it by hand.
 * *restored receives the mark as stored after the call.
 */
int app_restore(struct home *h, int clear, int *restored, struct app_err *err);

/* ---- backup (app_backup.c) ---- */

/*
 * `ilonet backup`: a consistent copy of the home's store while the node
 * runs (storage/backup.h), carrying the restored-from-backup mark, so a
 * home whose store.db is replaced by it refuses writes (self-behind) until
 * peers have shown this node's own heads; the live store is not marked.
 * The copy is the store only: node.key, node.cert, roster, network and
 * config change only when the operator changes them and are saved once
 * (docs/DEPLOY.md).
 */
struct app_backup_out {
    uint64_t bo_bytes; /* size of the backup file */
    uint64_t bo_pages; /* database pages copied */
};

/* Checks path without a home: given ("out FILE is required", usage,
 * ae_field "out"). */
int app_backup_check(const char *path, struct app_err *err);

/*
 * Writes the backup of h's store (opened with HOME_STORE) to path,
 * replacing it atomically. Refused (ILONET_EINVAL, "<path>: inside the
 * node home ...") when path's directory is the home itself: a copy there
 * shares the home's fate and could replace store.db. Other failures:
 * "<path>: <errname>: <why>", nothing left at path.
 */
int app_backup(struct home *h, const char *path, struct app_backup_out *out,
               struct app_err *err);

/* ---- the report (app_report.c) ---- */

struct app_written; /* below: what a write produced */

/*
 * The network's report for a period (node/report/report.h), drawn up the
 * same way for `ilonet report` and GET /api/report. Two steps, so that an
 * adapter can check every input before it opens the store:
 * app_report_prepare() checks the request and parses the template and the
 * rotation (the built-in rotation unless given as text), with no home;
 * app_report_build() draws the report up from the home's view for the
 * home's network and host country(ies), with the template given or else
 * the one the regime's vocabulary names (data/report-2005-687.tmpl,
 * data/report-2019-1240.tmpl) and its drafter rule (the presidency, or the
 * network's chair). The body is drawn from the `net` audience only, so
 * every member computes the same bytes (docs/REPORTS.md, "Scope"); the
 * annex for Member States only (`ms`) is added when asked, and only for a
 * Member State's node.
 */
struct app_report_req {
    const char *arq_period;        /* "2026-H1" or "2026" (required) */
    enum report_format arq_format; /* 0: Markdown */
    const char *arq_template;      /* template text, NULL: the built-in */
    size_t arq_template_len;
    const char *arq_template_name; /* its name in messages (a path) */
    const char *arq_rotation;      /* rotation text, NULL: the built-in */
    size_t arq_rotation_len;
    const char *arq_rotation_name;
    const char *arq_marking; /* handling marking override ("LIMITE"), NULL:
                                the drafting state's signed one */
    int arq_annex_ms;        /* 1: add the annex for Member States only */
    int arq_drafts;          /* 1: show other states' texts as drafts */
};

/* A checked request. It owns its template and rotation; arj_marking is
 * the request's string (borrowed: keep it alive until
 * app_report_release). */
struct app_report_job {
    struct report_template *arj_template; /* NULL: the built-in template
                                             the home's vocabulary names */
    struct report_rotation *arj_rotation;
    char arj_period[REPORT_PERIOD_MAX + 1];
    enum report_format arj_format;
    const char *arj_marking;
    int arj_annex_ms, arj_drafts;
};

/* Checks rq and fills *job (released with app_report_release). Errors:
 * ILONET_EINVAL (usage) for a missing or malformed period or an unknown
 * format; ILONET_EINVAL with the parser's "NAME:LINE: why" for a template
 * or rotation that does not parse. */
int app_report_prepare(const struct app_report_req *rq,
                       struct app_report_job *job, struct app_err *err);
/* Releases what a successful app_report_prepare() holds (the struct
 * itself is the caller's); a zeroed job is a no-op. */
void app_report_release(struct app_report_job *job);

/* Draws the report up from h (opened with HOME_STORE): *doc is malloc'd,
 * NUL-terminated, *len bytes without the NUL; the caller frees it. dg (may
 * be NULL) receives the report's hashes. Only reads the store.
 * ILONET_EUNKNOWNAUTHOR when h has no certificate; ILONET_EAUDIENCE for the
 * Member States' annex asked by a node that is not a Member State's. */
int app_report_build(struct home *h, const struct app_report_job *job,
                     char **doc, size_t *len, struct report_digest *dg,
                     struct app_err *err);

/*
 * Signs text (len bytes, UTF-8) as this node's state's narrative for
 * section of the report of period (a report-text entry in `net`): the
 * report shows the latest text of the drafting state per section; others'
 * are drafts. The section is checked against the template the home's
 * vocabulary names: ILONET_EINVAL (field "section") naming it and listing
 * the sections.
 */
int app_report_text(struct home *h, const char *period, const char *section,
                    const char *text, size_t len, struct app_written *out,
                    struct app_err *err);

/* Builds the report of period as app_report_build (the built-in template
 * and rotation, the handling marking given: NULL for none; the marking is
 * on the cover, so it is part of what is attested) and signs its hash and
 * the `net` view hash as this node's attestation (a report-attest entry in
 * `net`). *dg (may be NULL) gets the hashes attested. */
int app_report_attest(struct home *h, const char *period, const char *marking,
                      struct app_written *out, struct report_digest *dg,
                      struct app_err *err);
/* As app_report_attest, but signs only when this node's latest
 * attestation of period (one per node by the merge rules) names another
 * report hash, or there is none: *wrote 1 when an entry was written (out
 * filled), 0 when the hash the report has now was attested already (*dg
 * still filled). What a running node calls once its view has settled
 * (node/node_int.h, "report-auto-attest"). */
int app_report_attest_changed(struct home *h, const char *period,
                              const char *marking, struct app_written *out,
                              struct report_digest *dg, int *wrote,
                              struct app_err *err);

/* What app_report_verify() found. */
struct app_report_check {
    enum report_format ac_format;
    char ac_period[REPORT_PERIOD_MAX + 1];
    uint8_t ac_report[HASH_LEN]; /* the report's hash the file lists */
    size_t ac_same;              /* members (states) vouching for this hash */
    size_t ac_differ;            /* members vouching for another hash */
    size_t ac_invalid;           /* attestation lines that do not check */
    char ac_same_states[256];    /* "DE,EU,FR": who vouches for it */
};

/*
 * Checks a received report file offline (no store needed: h opened
 * without HOME_STORE is enough): its body hashes to the body hash its
 * final annex lists for its format, the report's hash is the one of the
 * three body hashes, the file is of h's network; then each attestation
 * listed: the node's certificate against h's trust roster and network,
 * the entry's signature by that node over its header, the payload's hash,
 * a report-attest entry of the `net` log of that node for this period.
 * ILONET_EBADSIG ("body altered") when the body does not match;
 * ILONET_EMALFORMED when the file holds no verification block;
 * ILONET_ENETWORK for another network. The counts go to *out.
 */
int app_report_verify(struct home *h, const char *doc, size_t len,
                      struct app_report_check *out, struct app_err *err);

/*
 * The cross-network overview (docs/REPORTS.md, "The overview"): one node
 * home per network membership under a common parent directory (the
 * layout chosen: each home keeps its own network file, key, certificate
 * and store, so no network can read another's entries). For every
 * immediate subdirectory of parent that is a home (it holds a network
 * file and node.cert), in name order, the report of period is built as
 * app_report_build would (its regime's template, the built-in rotation)
 * and its row filled: drafting state, status (reported, changed since,
 * missing), attestations and key figures. A home that fails (another
 * period kind, unreadable) is listed with its error. *doc as for
 * app_report_build; *n gets the number of networks. ILONET_ENOTFOUND when
 * parent holds no home.
 */
int app_report_overview(const char *parent, const char *period,
                        enum report_format f, char **doc, size_t *len,
                        size_t *n, struct app_err *err);

/* ---- writing records, tasks, grants (app_record/task/trust.c) ---- */

/*
 * Every write appends one entry to this node's log for the record's
 * audience (storage/log.h log_append: its own transaction, synchronous
 * FULL). h must be opened with HOME_STORE; the functions named *_check
 * need no home and touch nothing, so an adapter can report a bad field
 * before it opens the home, and every writing function runs its check
 * again first. The request's strings belong to the caller and are not
 * kept after the call.
 *
 * Codes a write may return (in err->ae_code): ILONET_EINVAL (a field, the
 * id, the audience; ae_usage set and ae_field named when a required field
 * is missing), ILONET_ETOOBIG (payload over ENTRY_PAYLOAD_MAX),
 * ILONET_ENOTFOUND (no such record), ILONET_EDELEGATION (writing for
 * another state without a grant it gave), ILONET_EUNAUTHORISED (a task
 * transition by a state that is not an assignee), ILONET_EAUDIENCE (this
 * node outside the audience), and log_append's own (EUNKNOWNAUTHOR,
 * EFROZEN, ESELFBEHIND, EREVOKED, EBUSY, EIO).
 */

/* One field as the user gave it: the payload field name and its text
 * form (storage/view/record.h record_set). In an amendment "" clears an
 * optional field. */
struct app_field {
    const char *af_name;
    const char *af_value;
};

/* What a write produced. */
struct app_written {
    uint8_t aw_id[HASH_LEN];                  /* the new entry's id */
    char aw_audience[ENTRY_AUDIENCE_MAX + 1]; /* its log's audience */
    int aw_has_stub;           /* 1: a net stub was written with it */
    uint8_t aw_stub[HASH_LEN]; /* its id (docs/REPORTS.md, "Stubs") */
    const char *aw_deferred;   /* erase: NULL when the WAL was truncated,
                                  else why it was deferred (static text;
                                  it completes when no other process holds
                                  the store) */
};

/*
 * Creating a record of a record kind (observation, meeting, training,
 * carrier, contact, posting, task, acting-presidency) from its fields.
 * Audience: rq_audience, else "net"; a meeting with commission=excluded
 * defaults to "ms" and may not be in an audience admitting the Commission
 * or an agency; a task defaults to its creator, the state it is written
 * for and its assignees ("for"). Group audiences must name roster states.
 * On behalf: when rq_behalf names another state, a grant from it to this
 * node's state covering the kind (observations: the category) and the
 * audience must be held; it is named in the payload. Internal fields
 * (grant, stub) are refused.
 * Stubs (docs/REPORTS.md): a meeting without the Commission written
 * outside net, and every task, are published as a net stub (kind stub:
 * the date, the convenor and the category of reason "exclusion",
 * default operational; a task's members) written in the same
 * transaction before the record, which names it in its field "stub";
 * out->aw_stub gets its id. "exclusion" goes only with commission
 * excluded. Under a vocabulary without stubs, none is written.
 */
struct app_record_req {
    uint32_t rq_kind;
    const struct app_field *rq_fields;
    size_t rq_nfields;
    const char *rq_audience; /* NULL: the kind's default */
    const char *rq_behalf;   /* NULL or own state: for itself */
};

/* Checks every field under vocabulary v (the home's h_vocab; before a
 * home is open, the one its network names: home_vocab_load), the
 * audience's form and the meeting rule, and the personal-data rule: a
 * field "personal-data" (CLI --personal-data, value "true") marks the
 * record, which then needs purpose and retain-until (within the regime's
 * cap from today); an unmarked record whose text looks like personal data
 * is refused with how to mark it (docs/REGIMES.md §5). */
int app_record_check(const struct vocab *v, const struct app_record_req *req,
                     struct app_err *err);
/* Checks, then resolves the audience and the grant against h and appends. */
int app_record_create(struct home *h, const struct app_record_req *req,
                      struct app_written *out, struct app_err *err);

/*
 * Amending, retracting or erasing a record (cq_kind KIND_AMEND,
 * KIND_RETRACT, KIND_ERASE) named by its hex id or a unique prefix of at
 * least 6 digits. Who may: the owning state; for an erasure also the
 * state that wrote it; otherwise a state holding the owner's grant, found
 * automatically. An erased record takes only erasures (ae_conflict). An
 * erasure then truncates the WAL (out->aw_deferred when it cannot yet).
 */
struct app_change_req {
    uint32_t cq_kind;
    uint32_t cq_record_kind; /* 0: any; else the record must be one */
    const char *cq_id;
    const struct app_field *cq_fields; /* amend: the fields to change;
                                          retract, erase: must be none */
    size_t cq_nfields;
    const char *cq_reason; /* retract, erase: NULL or a reason */
};

/* Checks the request's form under vocabulary v (no store). */
int app_change_check(const struct vocab *v, const struct app_change_req *req,
                     struct app_err *err);
int app_record_change(struct home *h, const struct app_change_req *req,
                      struct app_written *out, struct app_err *err);

/*
 * A task transition: tq_status is accept, decline, start or done (by an
 * assignee) or cancel (by the creator, or a state holding its grant).
 * tq_fields are any other fields the caller was given: refused.
 */
struct app_task_req {
    const char *tq_id;
    const char *tq_status;
    const char *tq_note; /* NULL or a note */
    const struct app_field *tq_fields;
    size_t tq_nfields;
};

int app_task_check(const struct app_task_req *req, struct app_err *err);
/* The task transitions tq_status may name (accept, decline, start, done,
 * cancel), NULL-terminated: what an adapter routes to app_task_status. */
const char *const *app_task_transitions(void);
int app_task_status(struct home *h, const struct app_task_req *req,
                    struct app_written *out, struct app_err *err);

/*
 * The three writes above made by a signed-in officer (the HTTP API's
 * sessions and user tokens): officer (NULL: none, as the plain calls) is
 * named in the entry's payload as the field "officer" when the vocabulary
 * in force has that field; while it has not, the entry names no one (an
 * entry carries only fields every node of its vocabulary reads).
 */
int app_record_create_as(struct home *h, const struct app_record_req *req,
                         const char *officer, struct app_written *out,
                         struct app_err *err);
int app_record_change_as(struct home *h, const struct app_change_req *req,
                         const char *officer, struct app_written *out,
                         struct app_err *err);
int app_task_status_as(struct home *h, const struct app_task_req *req,
                       const char *officer, struct app_written *out,
                       struct app_err *err);

/*
 * A group of record creations made durable together (the HTTP API's group
 * commit, docs/API.md "Many writers at once"). Each item is checked and
 * built exactly as app_record_create_as() does it (one shared step); the
 * writes of one audience then go into its log with one log_append(), in
 * the order given, all inside one store transaction, so the group costs
 * one commit and one fsync (and one look at the certificate per log, not
 * one per entry). A write its checks refuse is answered alone; when a
 * log refuses a run of writes, each is tried alone (the append nests as a
 * savepoint), so each gets the answer it would have had by itself.
 *
 * Returns 0 when the transaction committed: then each item's ri_rc is 0
 * (written, ri_out filled) or its own code (ri_err). Otherwise the code
 * of the failed begin or commit: nothing of the group is in the store,
 * and every item that its checks had let through has ri_rc set to that
 * code with ri_err saying the group's commit failed. Only when this
 * returns may an item be acknowledged. ri_req and ri_officer are the
 * caller's, read during the call.
 */
struct app_record_item {
    const struct app_record_req *ri_req;
    const char *ri_officer; /* NULL: none (the bootstrap token, the CLI) */
    int ri_rc;              /* out: 0 or the item's code */
    struct app_written ri_out;
    struct app_err ri_err;
};
int app_record_create_many(struct home *h, struct app_record_item *items,
                           size_t n);

/*
 * A group commit whose disk sync overlaps the next group's work.
 * app_record_defer_sync(h, 1): commits through h (app_record_create_many)
 * no longer wait for the disk: a crash of the process loses nothing, a
 * power loss may lose what was not synced yet, so nothing written so may
 * be acknowledged before an app_record_sync() that began after its commit
 * returned. Savepoint journals stay in memory. 0: every commit waits for
 * the disk again (give the home back that way).
 */
int app_record_defer_sync(struct home *h, int on);
/* Makes durable every write committed so far to the store of the home in
 * directory dir, on any connection (store_sync_path). Any thread; touches
 * no open home, so several may run at once beside the writer. */
int app_record_sync(const char *dir);

/*
 * Publishes a signed grant or revocation envelope (crypto/cert.h) as an
 * entry: it must verify against the home's roster and network. audience
 * NULL: "net", so every member can check on-behalf entries.
 */
int app_envelope_publish(struct home *h, const uint8_t *env, size_t len,
                         const char *audience, struct app_written *out,
                         struct app_err *err);

/* Parses a grant's scope, a comma list of record kinds and observation
 * categories (of any regime this binary knows: the authority signs before
 * it reads a network file), into g->g_scope (the authority side, no
 * home). */
int app_grant_scope(struct grant *g, const char *scope, struct app_err *err);

/* A node revocation names each cut log's last good entry by seq, and by
 * id when known: fills v->v_last[i].rl_entry for i >= first from the
 * entries h holds (seq 0 and entries not held are left as they are).
 * h->h_store may be NULL (nothing to fill). 0 or a store error. */
int app_revocation_pin(struct home *h, struct revocation *v, size_t first);

/*
 * The default time of a node revocation (`cert revoke` without --from):
 * just after the newest entry of node that h holds and no revocation cuts
 * (*from_entry = 1), so that what a copy of the key writes later, even
 * backdated to before the revocation's own time, is cut; at most now_ms
 * (an entry dated ahead cannot push the cut into the future); now_ms when
 * h holds none of the key's entries or has no store (*from_entry = 0).
 * A store error: its code and message.
 */
int app_revocation_default_at(struct home *h,
                              const uint8_t node[static KEY_PK_LEN],
                              uint64_t now_ms, uint64_t *at_ms, int *from_entry,
                              struct app_err *err);

/* Installs a node certificate file in h (node/home.h home_install_cert)
 * with the reason for a refusal: unknown-author, wrong-network, expired.
 * The message does not name the file: the adapter does. */
int app_cert_install(struct home *h, const char *file, struct app_err *err);

/* ---- reading the view (app_read.c) ---- */

/*
 * What `ilonet list|show|query|status` and the API's GET endpoints read.
 * Rows reach the adapter as the view's typed rows (struct view_sink,
 * storage/view/view.h), valid during the callback only; the adapter
 * renders them, as text or through app_json_row(), the one JSON form of
 * a row. A sink callback's non-zero return stops the read and is
 * returned as it is (err untouched).
 */

/* Rows per GET /api/KIND (?limit=) and GET /api/recent. */
#define APP_LIST_DEFAULT 1000
#define APP_LIST_MAX 5000
#define APP_RECENT_DEFAULT 20
#define APP_RECENT_MAX 500

/*
 * A list (view_list()) with its filters as a person gives them: al_period
 * is FROM..TO, one date or a semester (2026-H2); al_audience net, ms or a
 * group like DE+FR; al_status a task status or "open". NULL: no filter.
 * Each bad filter is ILONET_EINVAL with ae_field naming it ("category",
 * "status", "period", "audience", "state", "text", "assignee") and ae_msg
 * saying why (without the field's name); an unknown list is ILONET_EINVAL
 * with ae_usage set and ae_field "kind".
 */
struct app_list_req {
    const char *al_list;
    int al_all;    /* --all: retracted, erased, unauthorised records too */
    int al_newest; /* newest written first (the API's order) */
    const char *al_state, *al_category, *al_audience, *al_period;
    const char *al_text, *al_status, *al_assignee;
    uint64_t al_limit;    /* rows at most, 0: all */
    const char *al_after; /* cursor of an earlier page (res->ls_next) */
};

/* Checks rq without reading anything (so an adapter can refuse it before
 * opening a home): categories and task statuses are those of vocabulary
 * v (the home's h_vocab; before a home is open, the one its network
 * names: home_vocab_load; NULL only for a request without either);
 * *kind: the list's record kind, 0 for grants, revocations and evidence
 * (which take no filters, pages or order, and ignore al_all). */
int app_list_check(const struct vocab *v, const struct app_list_req *rq,
                   uint32_t *kind, struct app_err *err);
/* Checks rq, then lists. res (may be NULL): rows delivered and the next
 * page's cursor. */
int app_list(struct home *h, const struct app_list_req *rq,
             const struct view_sink *out, struct view_list_res *res,
             struct app_err *err);

/*
 * Finds a record by its full hex id or a unique prefix of at least 6
 * digits; kind 0 takes any record kind, else the record must be of that
 * kind. ILONET_EINVAL "ID: not a record id (hex, at least 6 digits,
 * unambiguous)"; ILONET_ENOTFOUND "ID: no such KIND in the view" (KIND:
 * "record" when kind is 0).
 */
int app_record_find(struct home *h, const char *id, uint32_t kind,
                    struct view_record_info *info, struct app_err *err);

/* The record found (app_record_find) and its history, see
 * view_record_get(). ILONET_ENOTFOUND "HEX: no such record". */
int app_record_show(struct home *h, const struct view_record_info *info,
                    const struct view_sink *record,
                    const struct view_sink *history, struct app_err *err);

/* The change (amendment, retraction, erasure, task status) whose id
 * starts with id, as its row of the changes view. ILONET_ENOTFOUND "ID:
 * no such record in the view" when there is none either. */
int app_change_find(struct home *h, const char *id, const struct view_sink *out,
                    struct app_err *err);

/* One SQL statement of a person's (`ilonet query`), read-only and guarded
 * (view_query()): ILONET_EPERM, ILONET_EINVAL, ILONET_ETOOBIG with the
 * reason in ae_msg. */
int app_query(struct home *h, const char *sql, const struct view_sink *out,
              struct app_err *err);

/* What `status` shows. The flags add the costlier parts. */
#define APP_STATUS_AUDIENCES 1u /* a view hash per audience held */
#define APP_STATUS_MEMBERS 2u   /* the authors whose logs are held */
/* without the view hash (as_view_hash zero, as_hashed 0): it reads every
 * record, seconds at a million, where the caller has it from elsewhere
 * (the HTTP server's keeper, node/http/http_hash.c) or needs none */
#define APP_STATUS_NOHASH 4u
#define APP_AUDIENCES_MAX 64

struct app_audience {
    char aa_name[ENTRY_AUDIENCE_MAX + 1];
    int aa_ok; /* aa_hash computed (0: the view could not hash it) */
    uint8_t aa_hash[HASH_LEN];
};

struct app_member {
    uint8_t am_node[KEY_PK_LEN];
    int am_has_cert; /* am_state, am_role, am_not_after from its cert */
    char am_state[KEY_STATE_MAX + 1];
    enum cert_role am_role;
    uint64_t am_not_after; /* unix seconds, inclusive */
    size_t am_logs;
    uint64_t am_entries;
    int am_self; /* this node */
};

struct app_status {
    struct log_head *as_heads; /* every log held, with its head */
    size_t as_nheads;
    uint64_t as_entries, as_logs, as_evidence, as_quarantine;
    uint8_t as_view_hash[HASH_LEN];
    int as_hashed; /* as_view_hash computed (not APP_STATUS_NOHASH) */
    uint8_t as_heads_digest[HASH_LEN];
    int as_restored;      /* writes refused until peers showed own heads */
    uint8_t *as_peers;    /* the running node's peer table (JSON array), */
    size_t as_peers_len;  /* NULL when no node has recorded one */
    size_t as_naudiences; /* APP_STATUS_AUDIENCES: distinct audiences of */
    struct app_audience as_audiences[APP_AUDIENCES_MAX]; /* the heads */
    struct app_member *as_members; /* APP_STATUS_MEMBERS, in head order */
    size_t as_nmembers;
};

/* Fills *out (app_status_free() it). A store error: its code, message
 * ilonet_strerror(code). */
int app_status(struct home *h, unsigned flags, struct app_status *out,
               struct app_err *err);
void app_status_free(struct app_status *st);

/* What the view of everything held follows from (view_fingerprint():
 * the heads, cuts, quarantine, retention day, vocabulary): one
 * fingerprint, one view hash, on any connection. Cheap. */
int app_view_fingerprint(struct home *h, uint8_t fp[static HASH_LEN],
                         struct app_err *err);
/* A keeper's step (node/http/http_hash.c): in one read snapshot, the
 * fingerprint into fp and, unless it equals known (NULL: nothing known),
 * the view hash of everything held into hash, *computed 1, with the hash
 * of each audience among the logs held in the same pass; then all of
 * them are shared through the store (view_hash_share(): `ilonet status`
 * and reports take them while the view is unchanged). Seconds at a
 * million records: for a connection of its own, where stop(arg) (any
 * thread; NULL: none) may cut it short (an error then). */
int app_view_hash_keep(struct home *h, const uint8_t *known,
                       uint8_t fp[static HASH_LEN],
                       uint8_t hash[static HASH_LEN], int *computed,
                       int (*stop)(void *arg), void *arg, struct app_err *err);

/* ---- operations: what a duty officer needs (app_health.c) ---- */

/*
 * The state of a node home as whoever keeps the post running needs it
 * (`ilonet status`, GET /metrics): is a node process running, which peers
 * it reaches and how far behind each is, what peers sent that was
 * refused, disk use, certificate expiry, and the warnings that follow,
 * each with a level and one line saying what to do. It reads what the
 * running node records in the store (node/node.h "status": store meta
 * "node_run", "peer_status", "rejections"), so any process can ask.
 *
 * Lag of a peer: the time since this node last held everything that peer
 * announced (its last_sync_ms); while both are in sync the node refreshes
 * it every second, so lag stays near 0.
 */

#define APP_NODE_STALE_MS 30000 /* node_run seen_ms older: not running (the */
                                /* node refreshes it every 10 s) */
#define APP_LAG_WARN_MS (10 * 60 * 1000ULL) /* a peer out of sync this long */
#define APP_CERT_WARN_DAYS 30               /* certificates expiring soon */
#define APP_DISK_WARN_BYTES (1024ULL * 1024 * 1024) /* or 5 % free */
#define APP_DISK_CRIT_BYTES (100ULL * 1024 * 1024)
#define APP_WARNINGS_MAX 64
#define APP_REJECTIONS_MAX 32 /* >= ILONET_ERR_COUNT (crypto/error.h) */

enum app_level {
    APP_LEVEL_OK = 0,       /* nothing to do */
    APP_LEVEL_WARNING = 1,  /* look at it today */
    APP_LEVEL_CRITICAL = 2, /* the post is not syncing or cannot write */
};

struct app_peer {
    char ap_addr[HOME_ADDR_MAX];
    uint8_t ap_node[KEY_PK_LEN];
    char ap_state[KEY_STATE_MAX + 1]; /* "" before its HELLO */
    int ap_configured;                /* in the home's config */
    int ap_connected;
    char ap_direction[4]; /* "in", "out", "" when not connected */
    int ap_synced;        /* ap_last_sync_ms and ap_lag_ms hold */
    uint64_t ap_last_sync_ms, ap_lag_ms;
    uint32_t ap_strikes;
    int ap_banned;
    uint64_t ap_entries_in, ap_entries_out, ap_msgs_in, ap_msgs_out;
    uint64_t ap_bytes_in, ap_bytes_out;
};

struct app_rejection {
    char ar_code[32]; /* ilonet_errname() */
    uint64_t ar_count;
};

struct app_warning {
    enum app_level aw_level;
    char aw_code[24]; /* stable, for scripts: "peer-lag", "fork", ... */
    char aw_msg[320]; /* one line for a person: what and what to do */
};

struct app_health {
    /* the node process, from store meta "node_run" */
    int ah_ran;     /* a node has run in this home */
    int ah_running; /* not stopped and seen within APP_NODE_STALE_MS */
    long ah_pid;
    uint64_t ah_started_ms, ah_seen_ms, ah_stopped_ms; /* 0: none */
    /* peers: the running node's table, else the configured peers */
    int ah_recorded; /* the table came from a node */
    struct app_peer *ah_peers;
    size_t ah_npeers, ah_nconnected;
    /* refused from peers since the node started, by code */
    struct app_rejection ah_rejections[APP_REJECTIONS_MAX];
    size_t ah_nrejections;
    uint64_t ah_rejected; /* their sum */
    /* disk: the store's files and the file system holding the home */
    uint64_t ah_store_bytes, ah_wal_bytes;
    int ah_fs_ok; /* ah_free_bytes, ah_total_bytes hold */
    uint64_t ah_free_bytes, ah_total_bytes;
    /* this node's certificate */
    int ah_has_cert;
    uint64_t ah_cert_not_after; /* unix seconds */
    int64_t ah_cert_days;       /* whole days left (negative: expired) */
    uint64_t ah_frozen;         /* logs frozen by fork evidence */
    enum app_level ah_level;    /* the worst warning's */
    struct app_warning ah_warnings[APP_WARNINGS_MAX];
    size_t ah_nwarnings;
};

/*
 * Fills *out (app_health_free() it) for home h at now_ms from st, an
 * app_status() of h taken with APP_STATUS_MEMBERS (the members'
 * certificates are checked for expiry). A status file the node wrote that
 * does not parse is left out (the configured peers are shown instead), not
 * an error. Errors: ILONET_ENOMEM.
 */
int app_health(struct home *h, const struct app_status *st, uint64_t now_ms,
               struct app_health *out, struct app_err *err);
void app_health_free(struct app_health *ah);
/* "ok", "warning", "critical". */
const char *app_level_name(enum app_level l);

/* GET /api/stats: observations per category and month (by_month), then
 * a row of counts per record kind (kinds); see view_counts_by_*(). */
int app_stats(struct home *h, const struct view_sink *by_month,
              const struct view_sink *kinds, struct app_err *err);
/* The observation categories of the vocabulary in force (h's), or NULL
 * when h has none loaded; valid while h is open. */
const struct vocab_set *app_categories(const struct home *h);

/* The limit newest records of every kind (view_recent()). */
int app_recent(struct home *h, uint64_t limit, const struct view_sink *out,
               struct app_err *err);

/* Every grant held, with in_force at this moment (view_grants()). */
int app_grants(struct home *h, const struct view_sink *out,
               struct app_err *err);

/* Fork evidence (log, seq, author, audience, entry_a, entry_b, then
 * author_state: the author's state when its certificate is held, else
 * NULL), then quarantined entries (log, seq, entry, code: the error's
 * name, reason: its text, until_ms); each sink hears its columns first. */
int app_evidence(struct home *h, const struct view_sink *evidence,
                 const struct view_sink *quarantine, struct app_err *err);

/* The name of entry kind kind ("observation", "amend"...). */
const char *app_kind_name(uint32_t kind);

/*
 * Appends row to b as one JSON object, a member per cell in order:
 * integers in decimal, reals as %.17g, text as a JSON string, blobs as
 * lowercase hex in a string, NULL as null. Flags:
 * APP_JSON_KIND_NAME   an integer cell "kind" as the kind's name;
 * APP_JSON_FIELD_NAMES a row of the records view with the names the
 *                      record's kind gives its fields (posted_from ->
 *                      from), leaving out field columns the kind lacks;
 * APP_JSON_CSTR        text only up to a NUL byte in it.
 * The API uses KIND_NAME (and FIELD_NAMES for one record), the CLI CSTR.
 */
#define APP_JSON_KIND_NAME 1u
#define APP_JSON_FIELD_NAMES 2u
#define APP_JSON_CSTR 4u
void app_json_row(struct textbuf *b, const struct view_row *row,
                  unsigned flags);

/*
 * app_json_row() of a record row under vocabulary v (NULL: the seed's
 * schema, as app_json_row): with APP_JSON_FIELD_NAMES every column of a
 * field of the record's kind (the row's "kind" cell, else kind: a list's
 * rows have none) carries the field's key (app_field_key), and columns of
 * fields other kinds have are left out, so a row of a list or of the
 * records view reads as the vocabulary names its fields. One object
 * never holds a key twice.
 */
void app_json_record(struct textbuf *b, const struct vocab *v, uint32_t kind,
                     const struct view_row *row, unsigned flags);

/* The key under which API rows carry field f (GET /api/vocab names it
 * "key"): its name, or its view column when the name is a column of every
 * record row ("state" is the owning state, so an acting presidency's
 * state is acting_state and a chair's chair_state). Into out; returns
 * out. */
const char *app_field_key(const struct vocab_field *f, char out[static 64]);

/* ---- search (app_search.c) ---- */

/*
 * `ilonet search` and GET /api/search: full-text search over every record
 * kind in effect (storage/view/view_search.h), with the lists' filters as
 * a person gives them. as_kind a list name ("observations") or a kind
 * name ("observation"); as_period FROM..TO, a date or a semester; NULL:
 * no filter. Each bad input is ILONET_EINVAL with ae_field naming it
 * ("q", "kind", "category", "state", "audience", "period", "limit",
 * "after") and ae_msg saying why in plain words (never SQLite's text).
 */
#define APP_SEARCH_DEFAULT 50
#define APP_SEARCH_MAX VIEW_SEARCH_LIMIT_MAX

struct app_search_req {
    const char *as_query;
    const char *as_kind;
    const char *as_category, *as_state, *as_audience, *as_period;
    uint64_t as_limit; /* 0: APP_SEARCH_DEFAULT */
    const char *as_after;
};

/* Checks rq without a home (so an adapter refuses bad input first). */
int app_search_check(const struct app_search_req *rq, struct app_err *err);
/* Checks rq, then searches; rows as view_search() delivers them (id,
 * kind, state, audience, time_ms, category, title, snippet, rank). res
 * (may be NULL): rows delivered and the next page's cursor. */
int app_search(struct home *h, const struct app_search_req *rq,
               const struct view_sink *out, struct view_search_res *res,
               struct app_err *err);

/*
 * One search row as the API's JSON object: the columns as app_json_row()
 * writes them with APP_JSON_KIND_NAME, except snippet, which becomes a
 * list of text pieces whose odd positions (1, 3, ...) are the matches.
 */
void app_search_json_row(struct textbuf *b, const struct view_row *row);

/* ---- the vocabulary for forms (app_vocab.c) ---- */

struct vocab;

/* The regime the home's network works under ("377-2004", "2019-1240"):
 * the vocabulary in force (h_vocab), else the network file's (377-2004
 * when it names none). Valid while h is open. */
const char *app_regime(const struct home *h);

/* A copy of the vocabulary in force: the network's regime at the version
 * this binary runs (home_vocab_load, as home_open() loads h_vocab), with
 * its country and member tables; *out is the caller's (vocab_free). */
int app_vocab(struct home *h, struct vocab **out, struct app_err *err);

/* v as the JSON object of GET /api/vocab (docs/API.md): kinds with the
 * fields a person fills in (key, type, required, fixed, list, max, the value
 * set of an enum, advisory suggestions, labels, help), rules, value sets,
 * countries, members. */
void app_vocab_json(struct textbuf *b, const struct vocab *v);
/* app_vocab_json() of the vocabulary in force (h_vocab, else
 * app_vocab()) into b: the fields the home's writes accept. */
int app_vocab_render(struct home *h, struct textbuf *b, struct app_err *err);

/* ---- officers' accounts (app_user.c) ---- */

/*
 * `ilonet user add|list|remove|token` and the HTTP server's sign-in: the
 * accounts of storage/users.h in the node home home_dir (no store
 * needed). Messages name the user ("user 'anna': ...") and, for bad
 * input, the field in ae_field ("name", "password").
 */
int app_user_add(const char *home_dir, const char *name, const char *password,
                 struct app_err *err);
/* Checks a user name's form only (before asking for a password). */
int app_user_check_name(const char *name, struct app_err *err);
int app_user_remove(const char *home_dir, const char *name,
                    struct app_err *err);
/* A new user token for name into out ("NAME.HEX", shown once), replacing
 * the old one; revoke 1: only revokes (out untouched). */
int app_user_token(const char *home_dir, const char *name, int revoke,
                   char out[static USERS_TOKEN_MAX + 1], struct app_err *err);
/* Every account into *out (the caller's, about 50 KiB). */
int app_user_list(const char *home_dir, struct users *out, struct app_err *err);

/*
 * For the HTTP server's sign-in (node/http/http_auth.c), which keeps the
 * accounts in memory: where the accounts file stands (to re-read it when
 * it changed), the account of a name, and the two checks. Thin over
 * storage/users.h; 0 or a negative code, no struct app_err (the server
 * answers every failure the same way).
 */
int app_user_stamp(const char *home_dir, struct users_stamp *out);
int app_user_load(const char *home_dir, struct users *out);
const struct users_entry *app_user_find(const struct users *us,
                                        const char *name);
/* 0 or ILONET_EUNAUTHORISED (slow: argon2id). u NULL (a name with no
 * account): the same work, then ILONET_EUNAUTHORISED. */
int app_user_check_password(const struct users_entry *u, const char *pw);
/* 0 and *out, or ILONET_EUNAUTHORISED. */
int app_user_check_token(const struct users *us, const char *token,
                         const struct users_entry **out);

/* ---- My desk and live updates (app_desk.c) ---- */

/*
 * GET /api/desk: what the officer who (a user name, or USERS_BOOTSTRAP
 * for the bootstrap token) should look at, for h's state. Each part goes
 * to its sink (may be NULL) as rows of the view (storage/view/view_desk.h):
 * ds_tasks the tasks list's columns plus role ("assignee"/"creator"),
 * soonest due first, at most APP_DESK_TASKS_MAX (res->dr_tasks: all),
 * ds_new the records that reached the node after who's "last seen" mark
 * (view_since(), newest first, at most APP_DESK_NEW_MAX; none on the first
 * visit), ds_grants the grants in force ending within dq_days days; then
 * each fork and quarantined entry explained in plain words to ds_note.
 * res: the mark of now (to store with app_desk_seen once the officer saw
 * the desk), the mark used, the count of new records.
 */
#define APP_DESK_DAYS_DEFAULT 30
#define APP_DESK_DAYS_MAX 365
#define APP_DESK_NEW_MAX 50
/* a desk is read at a glance: the rest are in the tasks list */
#define APP_DESK_TASKS_MAX 200

struct app_desk_note {
    const char *dn_type; /* "fork" or "quarantine" (static) */
    char dn_log[2 * HASH_LEN + 1];
    uint64_t dn_seq;
    char dn_entry[2 * HASH_LEN + 1];         /* fork: the first of the two */
    char dn_author_state[KEY_STATE_MAX + 1]; /* fork; "" when unknown */
    char dn_code[32];                        /* quarantine: the error name */
    uint64_t dn_until_ms;                    /* quarantine */
    char dn_title[200];                      /* one line */
    char dn_explain[600];                    /* what happened, plainly */
    char dn_todo[400];                       /* what to do */
};

struct app_desk_sinks {
    const struct view_sink *ds_tasks, *ds_new, *ds_grants;
    int (*ds_note)(void *arg, const struct app_desk_note *n);
    void *ds_arg;
};

struct app_desk_req {
    const char *dq_who; /* NULL: USERS_BOOTSTRAP */
    unsigned dq_days;   /* 0: APP_DESK_DAYS_DEFAULT; at most ..._MAX */
};

struct app_desk_res {
    char dr_mark[VIEW_MARK_MAX];  /* now */
    char dr_since[VIEW_MARK_MAX]; /* who's last mark, "" on a first visit */
    int dr_first;
    uint64_t dr_new;   /* records new since dr_since */
    uint64_t dr_tasks; /* the desk's tasks, listed or not */
};

int app_desk(struct home *h, const struct app_desk_req *rq,
             const struct app_desk_sinks *out, struct app_desk_res *res,
             struct app_err *err);

/* The transitions that make sense next for a task of this status, for
 * its assignee or creator (role), NULL-terminated (static): assignee open
 * -> accept, decline; accept -> start, done, decline; start -> done;
 * creator -> cancel until done, declined or cancelled. */
const char *const *app_task_actions(const char *status, const char *role);

/* Stores who's "last seen" mark: mark (a desk's dr_mark) or, NULL, the
 * mark of now; out gets the mark stored. ILONET_EINVAL (field "mark")
 * for a mark that does not parse. */
int app_desk_seen(struct home *h, const char *who, const char *mark,
                  char out[static VIEW_MARK_MAX], struct app_err *err);

/* 1 if mark is a mark (view_mark_valid()). */
int app_mark_valid(const char *mark);
/* The running node's peer table as it last wrote it (a JSON array,
 * malloc'd into *json, the caller frees it), or *json NULL when no node
 * has written one. */
int app_peers(struct home *h, uint8_t **json, size_t *len, struct app_err *err);

/* The mark of now (view_mark()), for live updates. */
int app_mark(struct home *h, char out[static VIEW_MARK_MAX],
             struct app_err *err);
/* The records that reached the node after mark (view_since()); an
 * unparsable mark is ILONET_EINVAL (field "since"). */
int app_since(struct home *h, const char *mark, uint64_t limit,
              const struct view_sink *out, uint64_t *count,
              struct app_err *err);

/* ---- a network's regime (app_network.c) ---- */

/*
 * A new network under regime (NULL: 377-2004, whose file is the classic
 * one) for host, with the host countries of a regional network (NULL or
 * "": none; ISO 3166-1 alpha-2 or alpha-3, kept as sorted alpha-2), named
 * with this binary's vocabulary version (docs/REGIMES.md §3). *out holds
 * the secret: the caller saves and wipes it. Usage errors (ae_usage, the
 * option in ae_field): a bad host, an unknown regime (the message lists
 * the known ones), a country not in the ISO table.
 */
int app_network_create(const char *host, const char *regime,
                       const char *countries, struct network *out,
                       struct app_err *err);

/* The certificate role a state gets under vocabulary v: the member
 * table's type (the Commission, a Union agency, else a State's officer),
 * else the seed's rule (cert_role_for_state). */
enum cert_role app_member_role(const struct vocab *v, const char *state);

/* 0 if role ("ilo", "presidency", ...) is a certificate role under regime
 * (NULL: 377-2004); else a usage error naming the roles it has (no
 * presidency under 2019-1240). */
int app_role_check(const char *regime, const char *role, struct app_err *err);

/* ---- personal data: retention (app_retention.c) ---- */

/*
 * What a running node does once a day (docs/REGIMES.md §5): hides the
 * records whose retention date has passed (view_expire_due, every node
 * alike) and, for each such record this node wrote, appends the erase
 * entry {record, reason: "retention ended YYYY-MM-DD"} in the record's
 * audience (the author's node issues the erasure; one per record). h is
 * opened with HOME_STORE and holds a certificate; call outside any open
 * transaction. *issued (may be NULL) counts the erase entries written.
 */
int app_retention_due(struct home *h, uint64_t now_ms, size_t *issued,
                      struct app_err *err);

/* ---- attachments: blobs (app_blob.c) ---- */

/*
 * Files attached to records (storage/blob.h, docs/BLOBS.md). A blob is
 * stored under its id, a BLAKE2b tree hash of its bytes, sealed in the
 * home's blobs/ with a random key that travels only inside the entry that
 * references it: its audience is that entry's, and erasing the record
 * forgets the key and removes the bytes. Limits: the network file's
 * blob-max per blob (25 MiB unless set), the home config's blob-quota for
 * all files (2 GiB unless set). A file attached without a record waits
 * (staged, its key beside it) 24 hours for one.
 *
 * Codes beyond those of the write use cases (app_record_change):
 * ILONET_EINVAL (usage: a required input missing or malformed, ae_field
 * "to", "audience", "name", "out" or ""), ILONET_ENOTFOUND / EPERM / EIO
 * (a file that cannot be read: the message names it), ILONET_ETOOBIG
 * (over blob-max), ILONET_EQUOTA (over the quota), ILONET_EAUDIENCE (a
 * blob held for an audience the new reference would reach beyond),
 * ILONET_EHASH (stored bytes that fail their hash: nothing written).
 */

#define APP_BLOB_TYPE_MAX 127   /* = BLOB_TYPE_MAX (storage/blob.h) */
#define APP_BLOB_NAME_MAX 255   /* = BLOB_NAME_MAX */
#define APP_BLOB_HOLDERS_MAX 32 /* = BLOB_HOLDERS_MAX */

enum app_blob_state {
    APP_BLOB_HELD = 1, /* its file is here, a held entry carries its key */
    APP_BLOB_STAGED,   /* its file is here, waiting for a record */
    APP_BLOB_WANTED,   /* a held entry references it; no file here */
};

/* A record that references a blob, through one of its entries. */
struct app_blob_holder {
    uint8_t bh_record[HASH_LEN];
    uint8_t bh_entry[HASH_LEN];
    char bh_audience[ENTRY_AUDIENCE_MAX + 1];
};

/* What this node knows of a blob. */
struct app_blob {
    uint8_t ab_hash[HASH_LEN];
    enum app_blob_state ab_state;
    const char *ab_state_name; /* "held", "staged", "wanted" (static) */
    uint64_t ab_size;          /* bytes of the file */
    uint64_t ab_stored;        /* bytes it takes here (0: wanted) */
    char ab_type[APP_BLOB_TYPE_MAX + 1];
    char ab_name[APP_BLOB_NAME_MAX + 1];
    char ab_audience[ENTRY_AUDIENCE_MAX + 1]; /* staged: for this one */
    size_t ab_nholders; /* references held (may exceed the array) */
    struct app_blob_holder ab_holders[APP_BLOB_HOLDERS_MAX];
};

struct app_attach_req {
    const char *at_path;     /* the file (required) */
    const char *at_to;       /* NULL, or the record (hex id, prefix >= 6) */
    const char *at_audience; /* NULL: the record's, or "net" without one;
                                with at_to it must be the record's */
    const char *at_name;     /* NULL: the file's base name */
};
struct app_attach_out {
    struct app_blob ao_blob;     /* the blob as held after the call */
    int ao_new;                  /* 1: its bytes were stored now */
    int ao_written;              /* 1: ao_entry references it (at_to) */
    struct app_written ao_entry; /* the amendment of the record */
};

/* Checks req without a home: at_path given ("FILE is required"), at_to
 * a hex id, at_audience's form, at_name a storable file name. */
int app_attach_check(const struct app_attach_req *req, struct app_err *err);
/*
 * Stores the file as a blob (once: a blob held already is not stored
 * again) and, with at_to, writes an amendment adding it to the record's
 * attachments (app_record_change: same rules on who may). A failed
 * amendment leaves no blob it had just stored.
 */
int app_attach(struct home *h, const struct app_attach_req *req,
               struct app_attach_out *out, struct app_err *err);

struct app_blob_get {
    const char *bg_hash; /* 64 hex digits, or a unique prefix of >= 8 */
    const char *bg_out;  /* the file to write (replaced atomically) */
};
int app_blob_get_check(const struct app_blob_get *req, struct app_err *err);
/* Opens the held blob with the key its referencing entry carries, checks
 * every byte against its id, and writes it to bg_out. ILONET_ENOTFOUND:
 * not held here (wanted: phase 2 fetches it) or its key gone. */
int app_blob_get(struct home *h, const struct app_blob_get *req,
                 struct app_blob *out, struct app_err *err);

/* Every blob held, staged or wanted, ordered by hash; cb's non-zero
 * return stops the walk and is the result. b is valid during the call. */
typedef int (*app_blob_cb)(void *arg, const struct app_blob *b);
int app_blob_list(struct home *h, app_blob_cb cb, void *arg,
                  struct app_err *err);

/*
 * Records given files by hash: the request field "attach" (`--attach
 * HASH,...` on the command line, "attach" in a JSON body) of a record's
 * creation (app_record_create) or amendment (app_record_change) names 1 to
 * 16 blobs this node holds or has staged (64 hex digits or a unique prefix
 * of at least 8, joined by ','); the entry carries their references, keys
 * included, in its "attachments". Each must be held for an audience the
 * record's lies within (ILONET_EAUDIENCE otherwise, as for attach --to);
 * a blob only wanted here is ILONET_ENOTFOUND (its key is here, not its
 * file: it can be referenced again once fetched). Usage errors name field
 * "attach".
 */
#define APP_ATTACH_FIELD "attach"

/* The files record info carries, each once, in the order they were added
 * (view_record_attachments): a's va_held says whether its bytes are
 * here. cb's non-zero return stops the walk and is the result. */
int app_record_attachments(struct home *h, const struct view_record_info *info,
                           view_attachment_cb cb, void *arg,
                           struct app_err *err);

/*
 * The bytes of a held blob, for the HTTP API (GET /api/blobs/HASH): hash
 * as for blob get; every chunk checked against the id on the way
 * (blob_reader_open). *data is malloc'd (the caller frees it), *len its
 * length, *info the blob. A wanted blob: ILONET_ENOTFOUND, and it is
 * asked for (as blob get). Over APP_BLOB_READ_MAX: ILONET_ETOOBIG (use
 * the command line). ILONET_EHASH when the stored file is damaged.
 */
#define APP_BLOB_READ_MAX ((uint64_t)64 << 20)
int app_blob_read(struct home *h, const char *hash, uint8_t **data, size_t *len,
                  struct app_blob *info, struct app_err *err);

/* The Content-Type an adapter may send for a blob of media type type:
 * the type itself when it is one ilonet detects (JPEG, PNG, GIF, WebP,
 * PDF, plain text), else application/octet-stream: a reference's type is
 * a member's word, and the page must never be handed HTML. Static. */
const char *app_blob_safe_type(const char *type);

/* What `status` counts: blobs held, staged and wanted, bytes on disk. */
struct app_blob_counts {
    uint64_t bc_held, bc_staged, bc_wanted, bc_bytes;
};
int app_blob_counts(struct home *h, struct app_blob_counts *out,
                    struct app_err *err);

/* `network create --blob-max SIZE`: SIZE is a byte count, or a number with
 * K, M or G (KiB, MiB, GiB), from 1 byte to 1 GiB; sets n->n_blob_max.
 * ILONET_EINVAL (usage, field "blob-max") otherwise. */
int app_network_blob_max(struct network *n, const char *size,
                         struct app_err *err);

#endif
