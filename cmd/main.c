/* main.c - the ilonet program: global options and subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "crypto/key.h"

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
    {"amend", cmd_amend, "amend fields of a record (last writer wins)"},
    {"retract", cmd_retract, "retract a record (tombstone)"},
    {"erase", cmd_erase, "erase a record's payload everywhere"},
    {"meeting", cmd_meeting, "meeting add: a network meeting"},
    {"training", cmd_training, "training add: a joint or consular training"},
    {"carrier", cmd_carrier, "carrier add: a position towards a carrier"},
    {"contact", cmd_contact, "contact add: a host-country contact"},
    {"posting", cmd_posting, "posting add: a posting notice"},
    {"task", cmd_task, "task create|accept|decline|start|done|cancel"},
    {"grant", cmd_grant, "grant issue|publish|revoke: representation"},
    {"list", cmd_list, "list records of the merged view"},
    {"show", cmd_show, "one record with its history"},
    {"query", cmd_query, "read-only SQL against the view"},
    {"report", cmd_report, "the semester report (md, html, json)"},
    {"demo", cmd_demo, "a whole local network ending in the report"},
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

int
main(int argc, char **argv)
{
    struct cmd_env env;
    const char *dir = NULL;
    int i = 1, out = 0;
    char **args;

    memset(&env, 0, sizeof(env));
    if (key_global_init() != 0) {
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
            int rc = cmd_table[k].fn(&env, out, args);
            free(args);
            return rc;
        }
    fprintf(stderr, "ilonet: %s: unknown command (see 'ilonet --help')\n",
            args[0]);
    free(args);
    return 2;
}
