/* cmd_export.c - `ilonet export` and `ilonet import`: offline exchange. */
#include "cmds.h"
#include "node/app/app.h"

static const char export_usage[] =
    "usage: ilonet [-C DIR] export --out FILE [--for STATE]\n\n"
    "Writes the signed entries of every log this node holds to FILE. With\n"
    "--for, only the logs that STATE may read.\n";

/* A use case's failure as the CLI says it: a usage error names the
 * option (exit 2), any other names the file (exit 1). */
static int
export_fail(const char *cmd, const struct app_err *err)
{
    if (err->ae_usage)
        return cmd_usage(cmd, "%s%s", err->ae_field[0] ? "--" : "",
                         err->ae_msg);
    fprintf(stderr, "ilonet: %s\n", err->ae_msg);
    return 1;
}

int
cmd_export(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_export req;
    struct app_export_out r;
    struct app_err err;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, export_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    req.ex_path = cmd_opt(&o, "--out");
    req.ex_for = cmd_opt(&o, "--for");
    if ((rc = cmd_opts_done(&o, "export")) != 0)
        return rc;
    if (app_export_check(&req, &err) != 0)
        return export_fail("export", &err);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = app_export(&h, &req, &r, &err);
    home_close(&h);
    if (rc != 0)
        return export_fail("export", &err);
    if (env->json)
        printf("{\"logs\":%llu,\"entries\":%llu}\n",
               (unsigned long long)r.eo_logs, (unsigned long long)r.eo_entries);
    else
        fprintf(stderr, "exported %llu entries in %llu logs to %s\n",
                (unsigned long long)r.eo_entries, (unsigned long long)r.eo_logs,
                req.ex_path);
    return 0;
}

static const char import_usage[] =
    "usage: ilonet [-C DIR] import FILE [--json]\n\n"
    "Verifies every entry in FILE exactly as the network path does and\n"
    "stores the logs this node may hold, in one transaction. Logs of\n"
    "audiences this node is not in are skipped and named; they never touch\n"
    "its disk. Any forged or corrupt byte: exit 1, nothing stored. Fork\n"
    "evidence found in the file is stored, the log frozen, and the command\n"
    "exits 1 after storing everything else.\n";

static void
import_note(void *arg, const struct app_import_note *n)
{
    (void)arg;
    if (n->in_what == APP_IMPORT_SKIPPED) {
        fprintf(stderr, "ilonet: import: skipped log ");
        cmd_print_hex(stderr, n->in_log, HASH_LEN);
        fprintf(stderr, " (audience %s): this node is not a member\n",
                n->in_audience);
    } else {
        fprintf(stderr, "ilonet: import: fork: log ");
        cmd_print_hex(stderr, n->in_log, HASH_LEN);
        fprintf(stderr, ": two signed entries at one seq; evidence stored, "
                        "log frozen\n");
    }
}

int
cmd_import(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_import req = {NULL, import_note, NULL};
    struct app_import_out r;
    struct app_err err;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, import_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    req.im_path = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "import")) != 0)
        return rc;
    if (app_import_check(&req, &err) != 0)
        return export_fail("import", &err);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = app_import(&h, &req, &r, &err);
    home_close(&h);
    if (rc != 0)
        return export_fail("import", &err);
    if (env->json)
        printf("{\"new\":%llu,\"duplicate\":%llu,\"forks\":%llu,"
               "\"quarantined\":%llu,\"skipped_logs\":%llu}\n",
               (unsigned long long)r.io_new, (unsigned long long)r.io_dup,
               (unsigned long long)r.io_forks,
               (unsigned long long)r.io_quarantined,
               (unsigned long long)r.io_skipped_logs);
    else
        fprintf(stderr,
                "imported %llu new entries (%llu already held, %llu "
                "quarantined, %llu logs skipped)\n",
                (unsigned long long)r.io_new, (unsigned long long)r.io_dup,
                (unsigned long long)r.io_quarantined,
                (unsigned long long)r.io_skipped_logs);
    return r.io_forks ? 1 : 0;
}
