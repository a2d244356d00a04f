/* app.h - the use cases: one function per thing a user does, shared by the CLI and the HTTP API. */
#ifndef ILONET_APP_H
#define ILONET_APP_H

#include <stddef.h>
#include <stdint.h>

#include "node/home.h"
#include "node/report/report.h"

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
    int ae_code;               /* the negative ILONET_E* code */
    int ae_usage;              /* 1: a required input is missing or not
                                  given in its expected form (CLI exit 2) */
    char ae_field[64];         /* the field at fault, "" when none */
    char ae_msg[APP_MSG_MAX];  /* one line for a person */
};

/* The HTTP status an adapter answers for err: 400 bad input, 403 not
 * allowed (audience, grant, assignee), 404 no such record, 409 conflict
 * with the node's state (no certificate, frozen log, restored home,
 * erased record), 503 busy, 500 otherwise. */
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
 * "evidence: <errname>: <why>" for the evidence rows.
 */
int app_verify(struct home *h, app_verify_cb cb, void *arg,
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

/*
 * The semester report (node/report/report.h), drawn up the same way for
 * `ilonet report` and GET /api/report. Two steps, so that an adapter can
 * check every input before it opens the store: app_report_prepare() checks
 * the request and parses the template and the rotation (the built-in ones
 * unless given as text), with no home; app_report_build() draws the report
 * up from the home's view for the home's network and host country, the
 * `ms` audience included when the home's certificate is a Member State's.
 */
struct app_report_req {
    const char *arq_semester;      /* "2026-H1" (required) */
    enum report_format arq_format; /* 0: Markdown */
    const char *arq_template;      /* template text, NULL: the built-in */
    size_t arq_template_len;
    const char *arq_template_name; /* its name in messages (a path) */
    const char *arq_rotation;      /* rotation text, NULL: the built-in */
    size_t arq_rotation_len;
    const char *arq_rotation_name;
    const char *arq_date; /* cover date, NULL: not given */
    const char *arq_post; /* drafting post, NULL: not given */
};

/* A checked request. It owns its template and rotation; arj_date and
 * arj_post are the request's strings (borrowed: keep them alive until
 * app_report_release). */
struct app_report_job {
    struct report_template *arj_template;
    struct report_rotation *arj_rotation;
    char arj_semester[8];
    enum report_format arj_format;
    const char *arj_date, *arj_post;
};

/* Checks rq and fills *job (released with app_report_release). Errors:
 * ILONET_EINVAL (usage) for a missing or malformed semester or an unknown
 * format; ILONET_EINVAL with the parser's "NAME:LINE: why" for a template
 * or rotation that does not parse. */
int app_report_prepare(const struct app_report_req *rq,
                       struct app_report_job *job, struct app_err *err);
/* Releases what a successful app_report_prepare() holds (the struct
 * itself is the caller's); a zeroed job is a no-op. */
void app_report_release(struct app_report_job *job);

/* Draws the report up from h (opened with HOME_STORE): *doc is malloc'd,
 * NUL-terminated, *len bytes without the NUL; the caller frees it. Only
 * reads the store. ILONET_EUNKNOWNAUTHOR when h has no certificate. */
int app_report_build(struct home *h, const struct app_report_job *job,
                     char **doc, size_t *len, struct app_err *err);

#endif
