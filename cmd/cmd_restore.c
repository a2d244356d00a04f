/* cmd_restore.c - `ilonet restore`: mark a home restored from a backup. */
#include "cmds.h"
#include "node/app/app.h"

static const char restore_usage[] =
    "usage: ilonet [-C DIR] restore [--clear] [--json]\n\n"
    "Run this after copying a node home back from a backup, before the\n"
    "node or any command writes. The copy cannot tell that entries were\n"
    "signed after the backup was taken; signing again at those seqs would\n"
    "fork this node's own logs (fork evidence, logs frozen everywhere).\n"
    "From now on every write is refused with 'self-behind' until a sync\n"
    "(`ilonet node` or `ilonet sync`) has shown, for every log of this node,\n"
    "that a peer allowed to read it holds nothing beyond this store: later\n"
    "entries are fetched first, then writing continues at the next seq.\n"
    "--clear removes the mark by hand (only when no entry can have been\n"
    "written after the backup was taken). See docs/RELIABILITY.md,\n"
    "\"Restoring a node\".\n";

int
cmd_restore(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_err err;
    struct home h;
    int rc, clear, restored = 0;

    if (cmd_wants_help(argc, argv, restore_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    clear = cmd_flag(&o, "--clear");
    if ((rc = cmd_opts_done(&o, "restore")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = app_restore(&h, clear, &restored, &err);
    home_close(&h);
    if (rc != 0)
        return cmd_fail("restore", "%s", err.ae_msg);
    if (env->json)
        printf("{\"restored\":%s}\n", restored ? "true" : "false");
    else
        printf("%s\n", restored ? "restored: writes refused (self-behind) "
                                  "until a peer has shown this node's heads"
                                : "not marked as restored: writes allowed");
    return 0;
}
