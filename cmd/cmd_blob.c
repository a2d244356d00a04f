/* cmd_blob.c - `ilonet attach` and `ilonet blob get|list`: files attached to
 * records. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "node/app/app.h"

static const char attach_usage[] =
    "usage: ilonet [-C DIR] attach FILE [--to RECORD] [--audience A]\n"
    "         [--name NAME] [--json]\n\n"
    "Stores FILE as a blob under its hash (a BLAKE2b tree hash of its\n"
    "bytes), sealed on disk with a new random key, and prints the hash.\n"
    "With --to, amends RECORD (hex id or a unique prefix of at least 6\n"
    "digits) to add the file to its attachments: the key travels in that\n"
    "entry, so only the record's audience can ever read the file, and\n"
    "erasing the record removes it. Without --to the file waits 24 hours\n"
    "for a record, held for --audience (default net). The media type is\n"
    "detected (JPEG, PNG, GIF, WebP, PDF, plain text); NAME defaults to\n"
    "the file's name. Limits: blob-max in the network file (25 MiB unless\n"
    "set) per file, blob-quota in the home's config (2 GiB) in all.\n";

static const char blob_usage[] =
    "usage: ilonet [-C DIR] blob get HASH --out FILE [--json]\n"
    "       ilonet [-C DIR] blob list [--json]\n\n"
    "get: opens the blob HASH (64 hex digits or a unique prefix of at\n"
    "least 8) with the key its record carries, checks every byte against\n"
    "the hash and writes it to FILE (created 0600, replaced atomically;\n"
    "nothing is written when a check fails). A blob a record names but\n"
    "this node does not hold yet is asked for: the running node fetches\n"
    "it from a member of the record's audience; try again.\n"
    "list: every blob this node holds (held), holds for a record to come\n"
    "(staged) or is named by a record but does not hold (wanted), with\n"
    "its size, media type, name, audiences and referencing records.\n";

/* A use case's failure: a usage error names the option (exit 2). */
static int
blob_fail(const char *cmd, const struct app_err *err)
{
    if (err->ae_usage && err->ae_field[0])
        return cmd_usage(cmd, "--%s", err->ae_msg);
    if (err->ae_usage)
        return cmd_usage(cmd, "%s", err->ae_msg);
    return cmd_fail(cmd, "%s", err->ae_msg);
}

static void
blob_print_json(const struct app_blob *b)
{
    fputs("{\"hash\":\"", stdout);
    cmd_print_hex(stdout, b->ab_hash, HASH_LEN);
    printf("\",\"state\":\"%s\",\"size\":%" PRIu64 ",\"stored\":%" PRIu64
           ",\"type\":",
           b->ab_state_name, b->ab_size, b->ab_stored);
    cmd_json_str(stdout, b->ab_type);
    fputs(",\"name\":", stdout);
    cmd_json_str(stdout, b->ab_name);
    fputs(",\"staged_for\":", stdout);
    if (b->ab_audience[0])
        cmd_json_str(stdout, b->ab_audience);
    else
        fputs("null", stdout);
    printf(",\"references\":%zu,\"records\":[", b->ab_nholders);
    for (size_t i = 0; i < b->ab_nholders && i < APP_BLOB_HOLDERS_MAX; i++) {
        fputs(i ? ",{\"record\":\"" : "{\"record\":\"", stdout);
        cmd_print_hex(stdout, b->ab_holders[i].bh_record, HASH_LEN);
        fputs("\",\"entry\":\"", stdout);
        cmd_print_hex(stdout, b->ab_holders[i].bh_entry, HASH_LEN);
        fputs("\",\"audience\":", stdout);
        cmd_json_str(stdout, b->ab_holders[i].bh_audience);
        putchar('}');
    }
    fputs("]}", stdout);
}

int
cmd_attach(struct cmd_env *env, int argc, char **argv)
{
    struct app_attach_req req;
    struct app_attach_out *r;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, attach_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    req.at_to = cmd_opt(&o, "--to");
    req.at_audience = cmd_opt(&o, "--audience");
    req.at_name = cmd_opt(&o, "--name");
    req.at_path = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "attach")) != 0)
        return rc;
    if (app_attach_check(&req, &err) != 0)
        return blob_fail("attach", &err);
    if (!(r = malloc(sizeof(*r))))
        return cmd_fail("attach", "out of memory");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0) {
        free(r);
        return rc;
    }
    rc = app_attach(&h, &req, r, &err);
    home_close(&h);
    if (rc != 0) {
        free(r);
        return blob_fail("attach", &err);
    }
    if (env->json) {
        fputs("{\"blob\":", stdout);
        blob_print_json(&r->ao_blob);
        printf(",\"new\":%s,\"entry\":", r->ao_new ? "true" : "false");
        if (r->ao_written) {
            putchar('"');
            cmd_print_hex(stdout, r->ao_entry.aw_id, HASH_LEN);
            printf("\",\"audience\":\"%s\"}\n", r->ao_entry.aw_audience);
        } else {
            fputs("null}\n", stdout);
        }
    } else {
        cmd_print_hex(stdout, r->ao_blob.ab_hash, HASH_LEN);
        putchar('\n');
        fprintf(stderr, "%s %s (%" PRIu64 " bytes, %s)%s", r->ao_blob.ab_name,
                r->ao_new ? "stored" : "already held", r->ao_blob.ab_size,
                r->ao_blob.ab_type,
                r->ao_written ? "; attached by entry " : "");
        if (r->ao_written)
            cmd_print_hex(stderr, r->ao_entry.aw_id, HASH_LEN);
        fputc('\n', stderr);
    }
    free(r);
    return 0;
}

static int
blob_get(struct cmd_env *env, int argc, char **argv)
{
    struct app_blob_get req;
    struct app_blob *b;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    int rc;

    cmd_opts_init(&o, argc, argv);
    o.used[1] = 1; /* "get" */
    req.bg_out = cmd_opt(&o, "--out");
    req.bg_hash = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "blob get")) != 0)
        return rc;
    if (app_blob_get_check(&req, &err) != 0)
        return blob_fail("blob get", &err);
    if (!(b = malloc(sizeof(*b))))
        return cmd_fail("blob get", "out of memory");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0) {
        free(b);
        return rc;
    }
    rc = app_blob_get(&h, &req, b, &err);
    home_close(&h);
    if (rc != 0) {
        free(b);
        return blob_fail("blob get", &err);
    }
    if (env->json) {
        blob_print_json(b);
        putchar('\n');
    } else {
        fprintf(stderr, "wrote %" PRIu64 " bytes (%s) to %s\n", b->ab_size,
                b->ab_type, req.bg_out);
    }
    free(b);
    return 0;
}

struct blob_listing {
    int bl_json;
    size_t bl_n;
};

static int
blob_list_one(void *arg, const struct app_blob *b)
{
    struct blob_listing *l = arg;

    if (l->bl_json) {
        if (l->bl_n)
            putchar(',');
        blob_print_json(b);
    } else {
        cmd_print_hex(stdout, b->ab_hash, HASH_LEN);
        printf("  %-6s %10" PRIu64 "  %-24s %s", b->ab_state_name, b->ab_size,
               b->ab_type, b->ab_audience[0] ? b->ab_audience : "");
        for (size_t i = 0; i < b->ab_nholders && i < APP_BLOB_HOLDERS_MAX;
             i++) {
            printf("%s%s:", i ? "," : "", b->ab_holders[i].bh_audience);
            cmd_print_hex(stdout, b->ab_holders[i].bh_record, 4);
        }
        printf("  %s\n", b->ab_name);
    }
    l->bl_n++;
    return 0;
}

static int
blob_list(struct cmd_env *env, int argc, char **argv)
{
    struct blob_listing l = {env->json, 0};
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    int rc;

    cmd_opts_init(&o, argc, argv);
    o.used[1] = 1; /* "list" */
    if ((rc = cmd_opts_done(&o, "blob list")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (l.bl_json)
        putchar('[');
    rc = app_blob_list(&h, blob_list_one, &l, &err);
    home_close(&h);
    if (l.bl_json)
        puts("]");
    if (rc != 0)
        return blob_fail("blob list", &err);
    return 0;
}

int
cmd_blob(struct cmd_env *env, int argc, char **argv)
{
    if (cmd_wants_help(argc, argv, blob_usage))
        return 0;
    if (argc >= 2 && strcmp(argv[1], "get") == 0)
        return blob_get(env, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return blob_list(env, argc, argv);
    return cmd_usage("blob", "get or list expected");
}
