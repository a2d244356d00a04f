/* app.h - the use cases: one function per thing a user does, shared by the CLI and the HTTP API. */
#ifndef ILONET_APP_H
#define ILONET_APP_H

#include <stddef.h>
#include <stdint.h>

#include "node/home.h"

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

#endif
