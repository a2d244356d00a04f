/* cmd.h - shared pieces of the ilonet command-line program. */
#ifndef ILONET_CMD_H
#define ILONET_CMD_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "node/home.h"

/*
 * Each subcommand is `int cmd_<name>(struct cmd_env *env, int argc, char
 * **argv)` in its own file, listed in the table in cmd/main.c. argv[0] is
 * the subcommand's name. Return: 0 ok, 1 failure, 2 usage error. Errors go
 * to stderr as one line through cmd_fail()/cmd_usage().
 */
struct cmd_env {
    const char *home_dir; /* resolved -C / $ILONET_HOME / ./.ilonet */
    int json;             /* --json given anywhere */
};

struct cmd_def {
    const char *name;
    int (*fn)(struct cmd_env *env, int argc, char **argv);
    const char *summary;
};

/* "ilonet: <what>: <why>" on stderr; returns 1. */
int cmd_fail(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Like cmd_fail with an ilonet error code: "ilonet: <what>: <name>: <msg>". */
int cmd_fail_err(const char *what, int err);
/* "ilonet: <cmd>: <why>" plus a hint to --help; returns 2. */
int cmd_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 1 if argv contains --help / -h (prints usage text then). */
int cmd_wants_help(int argc, char **argv, const char *usage);

/*
 * `ilonet node --http` (cmd/main.c): runs the HTTP server (node/http/http.h)
 * in a process of its own, which owns its signals and NNG's lifetime; a
 * separate process keeps every HTTP client away from the sync loop. Call
 * before the caller opens its store (no SQLite connection may cross a
 * fork). o says where and how (node/http/http.h: address, TLS files,
 * host names). The server serves until cmd_http_reap() or until this process
 * dies. On success *pid is the child and url its page address (as
 * http_url); msg (HTTP_MSG_MAX bytes, may be NULL) gets a one-line reason.
 * cmd_http_reap stops it (SIGTERM, then SIGKILL after 5 s) and waits;
 * pid <= 0 is a no-op.
 */
struct http_opts;
int cmd_http_spawn(const char *home_dir, const struct http_opts *o, pid_t *pid,
                   char *url, size_t urlcap, char *msg);
void cmd_http_reap(pid_t pid);

/* Opens the env's home (see home_open); prints the error itself. */
int cmd_open_home(struct cmd_env *env, struct home *h, int flags);

/* The vocabulary of regime (NULL: the seed's, 377-2004) into *out
 * (vocab_free): an unknown regime is a usage error of cmd naming the
 * known ones (returns 2); another failure prints its line (1). */
int cmd_regime_vocab(const char *cmd, const char *regime, struct vocab **out);
/* The vocabulary of the env's home, read from its network file before the
 * home is opened (so fields are checked first); the seed's when the file
 * cannot be read (opening the home reports that). Prints its error. */
int cmd_home_vocab(struct cmd_env *env, const char *cmd, struct vocab **out);

/* Prints a JSON string literal (quotes, escapes) to f. */
void cmd_json_str(FILE *f, const char *s);

/* Parses YYYY-MM-DD (UTC) into unix seconds at 00:00:00 of that day. */
int cmd_parse_date(const char *s, uint64_t *out);

/* Prints n bytes as lowercase hex to f. */
void cmd_print_hex(FILE *f, const uint8_t *b, size_t n);

/* Option parsing: --name VALUE pairs after positional args. Finds
 * --name's value, or NULL. Marks it used. */
struct cmd_opts {
    int argc;
    char **argv;
    unsigned char used[128];
};
void cmd_opts_init(struct cmd_opts *o, int argc, char **argv);
const char *cmd_opt(struct cmd_opts *o, const char *name);
/* Collects every value of a repeatable option into out (max n). */
int cmd_opt_all(struct cmd_opts *o, const char *name, const char **out, int n);
int cmd_flag(struct cmd_opts *o, const char *name);
/* Positional argument i (not an option or option value), or NULL. */
const char *cmd_pos(struct cmd_opts *o, int i);
/* Reports the first unknown option or stray argument as a usage error;
 * returns 0 if none. */
int cmd_opts_done(struct cmd_opts *o, const char *cmd);

#endif
