/* cmd_backup.c - `ilonet backup`: a marked copy of a running store. */
#include "cmds.h"
#include "node/app/app.h"

static const char backup_usage[] =
    "usage: ilonet [-C DIR] backup --out FILE [--json]\n\n"
    "Writes a consistent copy of this home's store (store.db: logs, view,\n"
    "evidence) to FILE while the node keeps running (SQLite's online backup\n"
    "API), replacing FILE atomically; mode 0600. The copy is marked as a\n"
    "backup: a home whose store.db is replaced by it refuses every write\n"
    "with 'self-behind' until a sync has shown, for every log of this node,\n"
    "that a peer holds nothing beyond it (later entries are fetched first),\n"
    "so restoring it can never fork this node's own logs. No `ilonet\n"
    "restore` is needed after restoring it; the live store is not marked.\n"
    "node.key, node.cert, roster, network and config are not in FILE: save\n"
    "them once, they only change when you change them. See docs/DEPLOY.md,\n"
    "\"Backup and restore\".\n";

int
cmd_backup(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_backup_out r;
    struct app_err err;
    struct home h;
    const char *path;
    int rc;

    if (cmd_wants_help(argc, argv, backup_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    path = cmd_opt(&o, "--out");
    if ((rc = cmd_opts_done(&o, "backup")) != 0)
        return rc;
    if (app_backup_check(path, &err) != 0)
        return cmd_usage("backup", "--%s", err.ae_msg);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = app_backup(&h, path, &r, &err);
    home_close(&h);
    if (rc != 0)
        return cmd_fail("backup", "%s", err.ae_msg);
    if (env->json) {
        printf("{\"backup\":");
        cmd_json_str(stdout, path);
        printf(",\"bytes\":%llu,\"pages\":%llu,\"marked\":true}\n",
               (unsigned long long)r.bo_bytes, (unsigned long long)r.bo_pages);
    } else
        printf("backup written to %s (%llu bytes); a home restored from it "
               "refuses writes until a peer has shown this node's heads\n",
               path, (unsigned long long)r.bo_bytes);
    return 0;
}
