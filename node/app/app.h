/* app.h - the use cases: one function per thing a user does, shared by the CLI and the HTTP API. */
#ifndef ILONET_APP_H
#define ILONET_APP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/textbuf.h"
#include "node/home.h"
#include "storage/log.h"
#include "storage/view/view.h"

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
 * opening a home); *kind: the list's record kind, 0 for grants,
 * revocations and evidence (which take no filters, pages or order, and
 * ignore al_all). */
int app_list_check(const struct app_list_req *rq, uint32_t *kind,
                   struct app_err *err);
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
#define APP_AUDIENCES_MAX 64

struct app_audience {
    char aa_name[ENTRY_AUDIENCE_MAX + 1];
    int aa_ok; /* aa_hash computed (0: the view could not hash it) */
    uint8_t aa_hash[HASH_LEN];
};

struct app_member {
    uint8_t am_node[KEY_PK_LEN];
    int am_has_cert; /* am_state, am_role from its certificate */
    char am_state[KEY_STATE_MAX + 1];
    enum cert_role am_role;
    size_t am_logs;
    uint64_t am_entries;
    int am_self; /* this node */
};

struct app_status {
    struct log_head *as_heads; /* every log held, with its head */
    size_t as_nheads;
    uint64_t as_entries, as_logs, as_evidence, as_quarantine;
    uint8_t as_view_hash[HASH_LEN];
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

/* GET /api/stats: observations per category and month (by_month), then
 * a row of counts per record kind (kinds); see view_counts_by_*(). */
int app_stats(struct home *h, const struct view_sink *by_month,
              const struct view_sink *kinds, struct app_err *err);
/* The observation categories, NULL-terminated (static). */
const char *const *app_categories(void);

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

#endif
