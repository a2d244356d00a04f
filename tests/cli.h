/* cli.h - test support: run the ilonet binary and capture what it prints. */
#ifndef ILONET_TEST_CLI_H
#define ILONET_TEST_CLI_H

#include <stddef.h>

/* Output of one run: malloc'd, NUL-terminated. */
struct cli_out {
    int co_status; /* exit status, or 128+signal */
    char *co_out;
    char *co_err;
};

/* The binary under test: $ILONET_BIN, else ./build/ilonet. */
const char *cli_bin(void);

/* Runs `ilonet ARGS...` (NULL-terminated) with stdin from /dev/null,
 * waits, fills out. Returns the exit status. */
int cli_run(struct cli_out *out, ...);
/* Same with an argv array (argv[0] is the first argument after ilonet). */
int cli_runv(struct cli_out *out, char *const *args);
void cli_out_free(struct cli_out *out);

/* Digest of a file's bytes (0 on a missing file). */
void cli_file_hash(const char *path, unsigned char out[32]);

#endif
