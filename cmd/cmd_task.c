/* cmd_task.c - `ilonet task create|accept|decline|start|done|cancel`. */
#include <string.h>

#include "cmd_record.h"
#include "cmds.h"

static const char task_usage[] =
    "usage: ilonet [-C DIR] task create --for STATE[,STATE] --title TEXT\n"
    "                        [--due YYYY-MM-DD] [--detail TEXT]\n"
    "                        [--on-behalf-of STATE]\n"
    "       ilonet [-C DIR] task accept|decline|start|done|cancel ID\n"
    "                        [--note TEXT]\n\n"
    "Shared tasks (Art. 5(2)). A task lives in the audience of the states\n"
    "involved (creator and assignees): no other state's node ever holds it;\n"
    "`create` also writes a net stub naming only those states and the day,\n"
    "so the report can state the arrangement (--json prints its id).\n"
    "Assignees accept, decline, start and complete (done); the creator\n"
    "cancels; concurrent changes resolve by last writer wins. Prints the\n"
    "new entry id.\n";

/* `task accept|decline|start|done|cancel ID [--note TEXT]` */
static int
task_status(struct cmd_env *env, int argc, char **argv, const char *status)
{
    static const char *const own[] = {"--note", NULL};
    const char *vals[1] = {NULL};
    struct app_task_req req;
    struct app_written w;
    struct app_err e;
    struct rec_args a;
    struct home h;
    char cmd[32];
    int rc;

    snprintf(cmd, sizeof(cmd), "task %s", status);
    if ((rc = rec_args(cmd, argc, argv, own, vals, &a)) != 0)
        return rc;
    if (a.ra_npos != 1)
        return cmd_usage(cmd, "one task ID expected");
    req = (struct app_task_req){a.ra_pos[0], status, vals[0], a.ra_fields,
                                (size_t)a.ra_nfields};
    if (app_task_check(&req, &e) != 0)
        return rec_fail(cmd, &e);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (app_task_status(&h, &req, &w, &e) != 0)
        rc = rec_fail(cmd, &e);
    else
        rc = rec_print(env, &w);
    home_close(&h);
    return rc;
}

int
cmd_task(struct cmd_env *env, int argc, char **argv)
{
    static const char *const statuses[] = {"accept", "decline", "start", "done",
                                           "cancel"};

    if (cmd_wants_help(argc, argv, task_usage))
        return 0;
    if (argc < 2)
        return cmd_usage("task", "expected create, accept, decline, start, "
                                 "done or cancel");
    if (strcmp(argv[1], "create") == 0)
        return rec_create(env, "task create", KIND_TASK, task_usage, argc - 1,
                          argv + 1);
    for (size_t i = 0; i < 5; i++)
        if (strcmp(argv[1], statuses[i]) == 0)
            return task_status(env, argc - 1, argv + 1, statuses[i]);
    return cmd_usage("task", "unknown subcommand: %s", argv[1]);
}
