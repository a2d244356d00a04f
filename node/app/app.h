/* app.h - the use cases: one function per thing a user does, shared by the CLI and the HTTP API. */
#ifndef ILONET_APP_H
#define ILONET_APP_H

#include <stddef.h>
#include <stdint.h>

#include "node/home.h"
#include "storage/entry.h" /* KIND_*, ENTRY_AUDIENCE_MAX reach the adapters */

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
    int ae_conflict;           /* 1: the input is valid but the record's
                                  state refuses it (erased): HTTP 409
                                  whatever ae_code says */
    char ae_field[64];         /* the field at fault, "" when none */
    char ae_msg[APP_MSG_MAX];  /* one line for a person */
};

/* The HTTP status an adapter answers for err: 400 bad input, 403 not
 * allowed (audience, grant, assignee), 404 no such record, 409 conflict
 * with the node's state (no certificate, frozen log, restored home,
 * erased record: ae_conflict), 503 busy, 500 otherwise. */
int app_err_http_status(const struct app_err *err);

/* Fills err (code, message from fmt) and returns code. */
int app_fail(struct app_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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
    const char *aw_deferred; /* erase: NULL when the WAL was truncated,
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
 * (grant) are refused.
 */
struct app_record_req {
    uint32_t rq_kind;
    const struct app_field *rq_fields;
    size_t rq_nfields;
    const char *rq_audience; /* NULL: the kind's default */
    const char *rq_behalf;   /* NULL or own state: for itself */
};

/* Checks every field, the audience's form and the meeting rule. */
int app_record_check(const struct app_record_req *req, struct app_err *err);
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

/* Checks the request's form (no store). */
int app_change_check(const struct app_change_req *req, struct app_err *err);
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
int app_task_status(struct home *h, const struct app_task_req *req,
                    struct app_written *out, struct app_err *err);

/*
 * Publishes a signed grant or revocation envelope (crypto/cert.h) as an
 * entry: it must verify against the home's roster and network. audience
 * NULL: "net", so every member can check on-behalf entries.
 */
int app_envelope_publish(struct home *h, const uint8_t *env, size_t len,
                         const char *audience, struct app_written *out,
                         struct app_err *err);

/* Parses a grant's scope, a comma list of record kinds and observation
 * categories, into g->g_scope (pure; the authority side, no home). */
int app_grant_scope(struct grant *g, const char *scope, struct app_err *err);

/* A node revocation names each cut log's last good entry by seq, and by
 * id when known: fills v->v_last[i].rl_entry for i >= first from the
 * entries h holds (seq 0 and entries not held are left as they are).
 * h->h_store may be NULL (nothing to fill). 0 or a store error. */
int app_revocation_pin(struct home *h, struct revocation *v, size_t first);

/* Installs a node certificate file in h (node/home.h home_install_cert)
 * with the reason for a refusal: unknown-author, wrong-network, expired.
 * The message does not name the file: the adapter does. */
int app_cert_install(struct home *h, const char *file, struct app_err *err);

#endif
