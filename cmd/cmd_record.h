/* cmd_record.h - helpers shared by the commands that write view entries. */
#ifndef ILONET_CMD_RECORD_H
#define ILONET_CMD_RECORD_H

#include "cmd.h"
#include "storage/entry.h"
#include "storage/view/record.h"
#include "storage/view/view.h"

/*
 * Writing commands take record fields as `--<field> VALUE` options whose
 * names are the payload field names (storage/record.h). rec_args splits
 * argv into positionals, the command's own options (listed in own, values
 * returned in own_vals) and fields. Returns 0, or 2 after printing a usage
 * error (option without a value, too many arguments).
 */
#define REC_MAX_POS 4
#define REC_MAX_FIELDS 32

struct rec_args {
    int ra_npos;
    const char *ra_pos[REC_MAX_POS];
    int ra_nfields;
    const char *ra_name[REC_MAX_FIELDS];
    const char *ra_value[REC_MAX_FIELDS];
    char ra_namebuf[REC_MAX_FIELDS][64];
};

int rec_args(const char *cmd, int argc, char **argv, const char *const *own,
             const char **own_vals, struct rec_args *out);

/* Puts every field into b; prints "ilonet: <cmd>: field '...': ..." and
 * returns 1 on the first bad one. */
int rec_set_fields(const char *cmd, struct record_builder *b,
                   const struct rec_args *a);

/* Builds b into wb; a missing required field is a usage error (2), any
 * other problem a failure (1), both printed. */
int rec_build(const char *cmd, struct record_builder *b,
              struct wire_buf *wb);

/* Normalises an audience option (NULL: dflt); prints the error naming the
 * field. */
int rec_audience(const char *cmd, const char *in, const char *dflt,
                 char out[static ENTRY_AUDIENCE_MAX + 1]);

/* Checks that every state of a group audience is in the home's roster. */
int rec_audience_known(const char *cmd, struct home *h, const char *aud);

/*
 * When this node writes for another state (behalf not NULL and not its
 * own state), finds a held grant covering (kind, category, audience, now)
 * and adds on-behalf-of and grant to b. Prints the error and returns 1 when
 * none is held.
 */
int rec_behalf(const char *cmd, struct home *h, struct record_builder *b,
               const char *behalf, uint32_t rkind, const char *category,
               const char *audience);

/* Appends one entry of kind with payload wb to this node's log for
 * audience and prints its id (or {"id": ...} with --json). */
int rec_append(struct cmd_env *env, const char *cmd, struct home *h,
               const char *audience, uint32_t kind, struct wire_buf *wb);

/* Publishes a signed grant or revocation envelope as an entry (audience
 * NULL: net) and prints the entry id (cmd_grant.c). */
int grant_publish_buf(struct cmd_env *env, const char *cmd, struct home *h,
                      const uint8_t *buf, size_t len, const char *audience);

/* Sets the network, signs a revocation with the state root key in skf,
 * writes it to out (may be NULL), and prints its id or publishes it
 * through h (see cmd_grant.c). Returns the exit status. */
struct revocation;
int revocation_sign_emit(struct cmd_env *env, const char *cmd,
                         struct home *h, struct revocation *v,
                         const char *skf, const char *netf, const char *out,
                         int publish);

/* Creates a record of kind from argv (observe, meeting add, ...). */
int rec_create(struct cmd_env *env, const char *cmd, uint32_t kind,
               const char *usage, int argc, char **argv);

#endif
