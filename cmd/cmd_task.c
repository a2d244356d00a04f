/* cmd_task.c - `ilonet task create|accept|decline|start|done|cancel`. */
#include <string.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"
#include "storage/entry.h"
#include "storage/log.h"

static const char task_usage[] =
    "usage: ilonet [-C DIR] task create --for STATE[,STATE] --title TEXT\n"
    "                        [--due YYYY-MM-DD] [--detail TEXT]\n"
    "                        [--on-behalf-of STATE]\n"
    "       ilonet [-C DIR] task accept|decline|start|done|cancel ID\n"
    "                        [--note TEXT]\n\n"
    "Shared tasks (Art. 5(2)). A task lives in the audience of the states\n"
    "involved (creator and assignees): no other state's node ever holds it.\n"
    "Assignees accept, decline, start and complete (done); the creator\n"
    "cancels; concurrent changes resolve by last writer wins. Prints the\n"
    "new entry id.\n";

/* Audience of the creator, the writer and the assignees. */
static int
task_audience(const char *me, const char *behalf, const char *for_list,
              char out[static ENTRY_AUDIENCE_MAX + 1])
{
    char buf[256];

    snprintf(buf, sizeof(buf), "%s%s%s+%s", me, behalf ? "+" : "",
             behalf ? behalf : "", for_list);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '+';
    /* drop repeats (the creator may list itself) */
    {
        char tmp[256], *tok, *save = NULL;
        size_t off = 0;
        tmp[0] = '\0';
        for (tok = strtok_r(buf, "+", &save); tok;
             tok = strtok_r(NULL, "+", &save)) {
            char probe[40];
            snprintf(probe, sizeof(probe), "+%s+", tok);
            char have[260];
            snprintf(have, sizeof(have), "+%s+", tmp);
            if (strstr(have, probe))
                continue;
            off += (size_t)snprintf(tmp + off, sizeof(tmp) - off, "%s%s",
                                    off ? "+" : "", tok);
            if (off >= sizeof(tmp))
                return ILONET_EINVAL;
        }
        return audience_normalise(tmp, out);
    }
}

static int
task_create(struct cmd_env *env, int argc, char **argv)
{
    static const char *const own[] = {"--on-behalf-of", "--audience", NULL};
    const char *vals[2] = {NULL, NULL};
    const char *cmd = "task create", *for_list = NULL;
    char aud[ENTRY_AUDIENCE_MAX + 1];
    struct record_builder b;
    struct rec_args a;
    struct wire_buf wb;
    struct home h;
    int rc;

    if ((rc = rec_args(cmd, argc, argv, own, vals, &a)) != 0)
        return rc;
    if (a.ra_npos)
        return cmd_usage(cmd, "unexpected argument: %s", a.ra_pos[0]);
    record_builder_init(&b, KIND_TASK);
    for (int i = 0; i < a.ra_nfields; i++) {
        if (strcmp(a.ra_name[i], "grant") == 0)
            return cmd_fail(cmd, "field 'grant': set by ilonet, not an "
                                 "option");
        if (strcmp(a.ra_name[i], "for") == 0)
            for_list = a.ra_value[i];
    }
    if ((rc = rec_set_fields(cmd, &b, &a)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    rc = rec_build(cmd, &b, &wb);
    wire_buf_free(&wb);
    if (rc != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (vals[1]) {
        rc = rec_audience(cmd, vals[1], NULL, aud);
    } else if (task_audience(h.h_cert.c_state, vals[0], for_list, aud) !=
               0) {
        rc = cmd_fail(cmd, "field 'for': %s does not make a group of "
                           "2 to 16 states with %s",
                      for_list, h.h_cert.c_state);
    }
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (rc == 0 && (rc = rec_audience_known(cmd, &h, aud)) == 0 &&
        (rc = rec_behalf(cmd, &h, &b, vals[0], KIND_TASK, NULL, aud)) == 0 &&
        (rc = rec_build(cmd, &b, &wb)) == 0)
        rc = rec_append(env, cmd, &h, aud, KIND_TASK, &wb);
    wire_buf_free(&wb);
    home_close(&h);
    return rc;
}

static int
task_status(struct cmd_env *env, int argc, char **argv, const char *status)
{
    static const char *const own[] = {"--note", NULL};
    const char *vals[1] = {NULL};
    char cmd[32], assignees[256] = "";
    struct view_record_info info;
    struct record_builder b;
    struct rec_args a;
    struct wire_buf wb;
    struct home h;
    int rc;

    snprintf(cmd, sizeof(cmd), "task %s", status);
    if ((rc = rec_args(cmd, argc, argv, own, vals, &a)) != 0)
        return rc;
    if (a.ra_npos != 1)
        return cmd_usage(cmd, "one task ID expected");
    if (a.ra_nfields)
        return cmd_fail(cmd, "field '%s': unknown field for task-status",
                        a.ra_name[0]);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    rc = view_record_find(h.h_store, a.ra_pos[0], &info);
    if (rc == 0 && info.vr_kind != KIND_TASK)
        rc = ILONET_ENOTFOUND;
    if (rc != 0) {
        rc = cmd_fail(cmd, "%s: no such task in the view", a.ra_pos[0]);
        goto out;
    }
    view_task_assignees(h.h_store, info.vr_id, assignees, sizeof(assignees));
    record_builder_init(&b, KIND_TASK_STATUS);
    if (record_set_id(&b, "task", info.vr_id) != 0 ||
        record_set(&b, "status", status) != 0 ||
        (vals[0] && record_set(&b, "note", vals[0]) != 0)) {
        rc = cmd_fail(cmd, "%s", b.rb_err);
        goto out;
    }
    if (strcmp(status, "cancel") == 0) {
        if (strcmp(h.h_cert.c_state, info.vr_owner) != 0 &&
            (rc = rec_behalf(cmd, &h, &b, info.vr_owner, KIND_TASK, NULL,
                             info.vr_audience)) != 0)
            goto out;
    } else if (!view_list_has(assignees, h.h_cert.c_state)) {
        rc = cmd_fail(cmd, "%s: %s is not an assignee of this task (%s)",
                      a.ra_pos[0], h.h_cert.c_state, assignees);
        goto out;
    }
    if ((rc = rec_build(cmd, &b, &wb)) == 0)
        rc = rec_append(env, cmd, &h, info.vr_audience, KIND_TASK_STATUS,
                        &wb);
out:
    wire_buf_free(&wb);
    home_close(&h);
    return rc;
}

int
cmd_task(struct cmd_env *env, int argc, char **argv)
{
    static const char *const statuses[] = {"accept", "decline", "start",
                                           "done", "cancel"};

    if (cmd_wants_help(argc, argv, task_usage))
        return 0;
    if (argc < 2)
        return cmd_usage("task", "expected create, accept, decline, start, "
                                 "done or cancel");
    if (strcmp(argv[1], "create") == 0)
        return task_create(env, argc - 1, argv + 1);
    for (size_t i = 0; i < 5; i++)
        if (strcmp(argv[1], statuses[i]) == 0)
            return task_status(env, argc - 1, argv + 1, statuses[i]);
    return cmd_usage("task", "unknown subcommand: %s", argv[1]);
}
