/* cmd_record.h - the CLI side of the write use cases (node/app/app.h). */
#ifndef ILONET_CMD_RECORD_H
#define ILONET_CMD_RECORD_H

#include "cmd.h"
#include "node/app/app.h"

/*
 * Writing commands take record fields as `--<field> VALUE` options whose
 * names are the payload field names (storage/view/record.h). rec_args
 * splits argv into positionals, the command's own options (listed in own,
 * values returned in own_vals) and fields. Returns 0, or 2 after printing
 * a usage error (option without a value, too many arguments).
 */
#define REC_MAX_POS 4
#define REC_MAX_FIELDS 32

struct rec_args {
    int ra_npos;
    const char *ra_pos[REC_MAX_POS];
    int ra_nfields;
    struct app_field ra_fields[REC_MAX_FIELDS];
    char ra_namebuf[REC_MAX_FIELDS][64];
};

int rec_args(const char *cmd, int argc, char **argv, const char *const *own,
             const char **own_vals, struct rec_args *out);

/* Prints a use case's error for cmd: a missing required field as the
 * usage error "--FIELD is required" (returns 2), another usage error as
 * itself (2), anything else as "ilonet: <cmd>: <message>" (1). */
int rec_fail(const char *cmd, const struct app_err *err);

/* Prints the id of what was written, or {"id": ..., "audience": ...}
 * with --json. Returns 0. */
int rec_print(const struct cmd_env *env, const struct app_written *w);

/* Sets the network (from netf, else h's), signs a revocation with the
 * state root key in skf, writes it to out (may be NULL), and prints its
 * id, or publishes it through h (app_envelope_publish: the entry id to
 * stdout, the revocation id to stderr). Prints its own error line;
 * returns the exit status (cmd_grant.c, used by cmd_cert.c). */
int revocation_sign_emit(struct cmd_env *env, const char *cmd, struct home *h,
                         struct revocation *v, const char *skf,
                         const char *netf, const char *out, int publish);

/* Creates a record of kind from argv (observe, meeting add, ..., report
 * acting): checks every field before it opens the home. */
int rec_create(struct cmd_env *env, const char *cmd, uint32_t kind,
               const char *usage, int argc, char **argv);

#endif
