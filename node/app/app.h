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
