/* main.c - the ilonet program: process-wide state, global options, subcommand
 * dispatch, and the process the HTTP server runs in. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nng/nng.h>
#include <sodium.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "node/http/http.h"

static const struct cmd_def cmd_table[] = {
    {"testnet", cmd_testnet, "create a complete local test network"},
    {"network", cmd_network, "network create: a new network file"},
    {"state", cmd_state, "state keygen: a state root key pair"},
    {"init", cmd_init, "create a node home"},
    {"cert", cmd_cert, "cert issue | install: node certificates"},
    {"id", cmd_id, "this node's identity"},
    {"peer", cmd_peer, "peer add | list: peers to dial"},
    {"observe", cmd_observe, "record an observation"},
    {"log", cmd_log, "entries in the store, per log"},
    {"export", cmd_export, "write signed entries to a file"},
    {"import", cmd_import, "verify and store entries from a file"},
    {"verify", cmd_verify, "re-verify every stored entry and the view"},
    {"status", cmd_status, "node, heads, view hash, counts"},
    {"node", cmd_node, "run the node until SIGINT/SIGTERM"},
    {"sync", cmd_sync, "one sync exchange with peers, then exit"},
    {"restore", cmd_restore, "mark a home restored from a backup"},
    {"backup", cmd_backup, "a consistent, marked copy of the store"},
    {"amend", cmd_amend, "amend fields of a record (last writer wins)"},
    {"retract", cmd_retract, "retract a record (tombstone)"},
    {"erase", cmd_erase, "erase a record's payload everywhere"},
    {"meeting", cmd_meeting, "meeting add: a network meeting"},
    {"training", cmd_training, "training add: a joint or consular training"},
    {"carrier", cmd_carrier, "carrier add: a position towards a carrier"},
    {"contact", cmd_contact, "contact add: a host-country contact"},
    {"posting", cmd_posting, "posting add: a posting notice"},
    {"chair", cmd_chair, "chair add: the network's chair (2019-1240)"},
    {"task", cmd_task, "task create|accept|decline|start|done|cancel"},
    {"grant", cmd_grant, "grant issue|publish|revoke: representation"},
    {"list", cmd_list, "list records of the merged view"},
    {"show", cmd_show, "one record with its history"},
    {"attach", cmd_attach, "store a file as a blob, attach it to a record"},
    {"blob", cmd_blob, "blob get | list: attached files held and wanted"},
    {"query", cmd_query, "read-only SQL against the view"},
    {"search", cmd_search, "full-text search across every record kind"},
    {"report", cmd_report, "the semester report (md, html, json)"},
    {"demo", cmd_demo, "a whole local network ending in the report"},
    {"user", cmd_user, "user add|list|remove|token: officers' sign-in"},

    {"vocab", cmd_vocab, "the vocabulary in force (kinds, fields, values)"},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: ilonet [-C DIR] <command> [options] [--json]\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
        fprintf(f, "  %-10s %s\n", cmd_table[i].name, cmd_table[i].summary);
    fprintf(f, "\nThe node home is -C DIR, else $ILONET_HOME, else ./.ilonet."
               "\n'ilonet <command> --help' describes each command.\n");
}

/*
 * Process-wide state is set here and nowhere else (the library never
 * touches it): libsodium's and SQLite's init, SIGPIPE for the commands that
 * hold connections, NNG's teardown once every NNG user has stopped, and the
 * whole life of the HTTP server's process.
 */

/* Commands that hold network connections: a peer or an HTTP client that
 * goes away must cost an EPIPE on its socket, not the process. The others
 * keep the default, so `ilonet log | head` still ends quietly. */
static int
main_holds_connections(const char *cmd)
{
    return strcmp(cmd, "node") == 0 || strcmp(cmd, "sync") == 0;
}

/* What the HTTP server's process tells its parent once it serves or failed:
 * http_start's result and its URL or one-line reason. */
struct main_http_hello {
    int mh_rc;
    char mh_text[HTTP_URL_MAX + HTTP_MSG_MAX];
};

/* The HTTP server's process: serves until SIGTERM, SIGINT or SIGHUP (or
 * until the parent dies), then stops the server, tears NNG down and exits,
 * so LeakSanitizer and valgrind see it end cleanly. Never returns. */
static void
main_http_child(const char *home_dir, const struct http_opts *o, pid_t parent,
                int fd)
{
    struct main_http_hello hello;
    struct http_server *s = NULL;
    sigset_t set;
    int sig;

    /* Signals are taken with sigwait: block them before NNG starts its
     * threads (they inherit the mask). */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(0);
    memset(&hello, 0, sizeof(hello));
    hello.mh_rc = http_start(&s, home_dir, o, hello.mh_text);
    if (hello.mh_rc == 0)
        http_url(s, hello.mh_text, sizeof(hello.mh_text));
    if (write(fd, &hello, sizeof(hello)) != (ssize_t)sizeof(hello) ||
        hello.mh_rc != 0) {
        http_stop(s);
        nng_fini();
        exit(1);
    }
    close(fd);
    sodium_memzero(&hello, sizeof(hello));
    while (sigwait(&set, &sig) != 0)
        ;
    http_stop(s);
    nng_fini();
    exit(0);
}

static int
main_http_fail(char *msg, int rc, const char *what, const char *why)
{
    if (msg)
        snprintf(msg, HTTP_MSG_MAX, "%s%s%s", what, why ? ": " : "",
                 why ? why : "");
    return rc;
}

int
cmd_http_spawn(const char *home_dir, const struct http_opts *o, pid_t *pid,
               char *url, size_t urlcap, char *msg)
{
    struct main_http_hello hello;
    int fds[2];
    pid_t parent = getpid(), p;
    size_t got = 0;

    if (!home_dir || !o || !pid)
        return ILONET_EINVAL;
    if (pipe(fds) != 0)
        return main_http_fail(msg, ILONET_EIO, "pipe", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    p = fork();
    if (p < 0) {
        close(fds[0]);
        close(fds[1]);
        return main_http_fail(msg, ILONET_EIO, "fork", strerror(errno));
    }
    if (p == 0) {
        close(fds[0]);
        main_http_child(home_dir, o, parent, fds[1]);
    }
    close(fds[1]);
    while (got < sizeof(hello)) {
        ssize_t r = read(fds[0], (char *)&hello + got, sizeof(hello) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fds[0]);
    if (got != sizeof(hello) || hello.mh_rc != 0) {
        int st;
        while (waitpid(p, &st, 0) < 0 && errno == EINTR)
            ;
        if (got != sizeof(hello))
            return main_http_fail(msg, ILONET_EIO,
                                  "http server process died at start", NULL);
        hello.mh_text[sizeof(hello.mh_text) - 1] = '\0';
        return main_http_fail(msg, hello.mh_rc, hello.mh_text, NULL);
    }
    hello.mh_text[sizeof(hello.mh_text) - 1] = '\0';
    if (url)
        snprintf(url, urlcap, "%s", hello.mh_text);
    sodium_memzero(&hello, sizeof(hello));
    *pid = p;
    return 0;
}

void
cmd_http_reap(pid_t pid)
{
    int st;

    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}

int
main(int argc, char **argv)
{
    struct cmd_env env;
    const char *dir = NULL;
    int i = 1, out = 0;
    char **args;

    memset(&env, 0, sizeof(env));
    if (app_global_init() != 0) {
        fprintf(stderr, "ilonet: libsodium: initialisation failed\n");
        return 1;
    }
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
            dir = argv[i + 1];
            i += 2;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("ilonet 0.1.0\n");
            return 0;
        } else {
            fprintf(stderr, "ilonet: unknown global option: %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    env.home_dir = home_default_dir(dir);
    /* --json is accepted anywhere after the command; strip it here so
     * every command sees the same argv shape. */
    args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args)
        return 1;
    for (int j = i; j < argc; j++) {
        if (strcmp(argv[j], "--json") == 0)
            env.json = 1;
        else
            args[out++] = argv[j];
    }
    for (size_t k = 0; k < sizeof(cmd_table) / sizeof(cmd_table[0]); k++)
        if (strcmp(args[0], cmd_table[k].name) == 0) {
            int rc;
            if (main_holds_connections(args[0]))
                signal(SIGPIPE, SIG_IGN);
            rc = cmd_table[k].fn(&env, out, args);
            free(args);
            /* Every NNG user has stopped by now (node_run returned, the
             * HTTP process was reaped); without this valgrind reports
             * NNG's thread stacks as possibly lost. A no-op when NNG was
             * never used. */
            nng_fini();
            return rc;
        }
    fprintf(stderr, "ilonet: %s: unknown command (see 'ilonet --help')\n",
            args[0]);
    free(args);
    return 2;
}
