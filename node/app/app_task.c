/* app_task.c - shared tasks (Art. 5(2)): their audience and transitions. */
#include "app_int.h"

#include <string.h>

#include "crypto/error.h"

int
app__task_audience(const char *me, const char *behalf, const char *for_list,
                   char out[static ENTRY_AUDIENCE_MAX + 1])
{
    char buf[256], tmp[256], *tok, *save = NULL;
    size_t off = 0;

    if (!for_list ||
        (size_t)snprintf(buf, sizeof(buf), "%s%s%s+%s", me, behalf ? "+" : "",
                         behalf ? behalf : "", for_list) >= sizeof(buf))
        return ILONET_EINVAL;
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '+';
    /* each state once (the creator may list itself) */
    tmp[0] = '\0';
    for (tok = strtok_r(buf, "+", &save); tok;
         tok = strtok_r(NULL, "+", &save)) {
        char probe[40], have[260];
        snprintf(probe, sizeof(probe), "+%s+", tok);
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

/* The transition's payload without the task id: status and note. */
static int
app_task_fields(const struct vocab *v, const struct app_task_req *req,
                struct record_builder *b, struct app_err *err)
{
    int rc;

    /* no home yet (v NULL): the statuses are the same in every regime */
    if ((v ? record_builder_start(b, v, KIND_TASK_STATUS)
           : record_builder_init(b, KIND_TASK_STATUS)) != 0)
        return app_fail(err, ILONET_EKIND, "%s", b->rb_err);
    if ((rc = app__set(b, "status", req->tq_status, err)) != 0)
        return rc;
    if (req->tq_note && (rc = app__set(b, "note", req->tq_note, err)) != 0)
        return rc;
    return 0;
}

int
app_task_check(const struct app_task_req *req, struct app_err *err)
{
    struct record_builder b;
    size_t i;

    if (!req->tq_id)
        return app_fail(err, ILONET_EINVAL, "task id missing");
    for (i = 0; record_task_statuses[i]; i++)
        if (req->tq_status &&
            strcmp(req->tq_status, record_task_statuses[i]) == 0)
            break;
    if (!record_task_statuses[i]) {
        app_fail(err, ILONET_EINVAL,
                 "field 'status': '%s' is not accept, decline, start, done "
                 "or cancel",
                 req->tq_status ? req->tq_status : "");
        app__field(err, "status");
        return ILONET_EINVAL;
    }
    if (req->tq_nfields) {
        app_fail(err, ILONET_EINVAL,
                 "field '%s': unknown field for task-status",
                 req->tq_fields[0].af_name);
        app__field(err, req->tq_fields[0].af_name);
        return ILONET_EINVAL;
    }
    return app_task_fields(NULL, req, &b, err);
}

int
app_task_status(struct home *h, const struct app_task_req *req,
                struct app_written *out, struct app_err *err)
{
    return app_task_status_as(h, req, NULL, out, err);
}

int
app_task_status_as(struct home *h, const struct app_task_req *req,
                   const char *officer, struct app_written *out,
                   struct app_err *err)
{
    struct view_record_info info;
    struct record_builder b;
    char assignees[256] = "";
    const char *me = h->h_cert.c_state;
    struct wire_buf wb;
    int rc;

    if ((rc = app_task_check(req, err)) != 0 ||
        (rc = app__find(h, req->tq_id, KIND_TASK, &info, err)) != 0)
        return rc;
    view_task_assignees(h->h_store, info.vr_id, assignees, sizeof(assignees));
    if ((rc = app_task_fields(h->h_vocab, req, &b, err)) != 0)
        return rc;
    if (record_set_id(&b, "task", info.vr_id) != 0)
        return app_fail(err, ILONET_EINVAL, "%s", b.rb_err);
    if (strcmp(req->tq_status, "cancel") == 0) {
        /* the creator cancels, itself or through its representative */
        if (strcmp(me, info.vr_owner) != 0 &&
            (rc = app__behalf(h, &b, info.vr_owner, KIND_TASK, NULL,
                              info.vr_audience, err)) != 0)
            return rc;
    } else if (!view_list_has(assignees, me)) {
        return app_fail(err, ILONET_EUNAUTHORISED,
                        "%s: %s is not an assignee of this task (%s)",
                        req->tq_id, me, assignees);
    }
    if ((rc = app__officer(&b, officer, err)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if ((rc = app__build(&b, &wb, err)) == 0)
        rc = app__append(h, info.vr_audience, KIND_TASK_STATUS, &wb, out, err);
    wire_buf_free(&wb);
    return rc;
}

const char *const *
app_task_transitions(void)
{
    return record_task_statuses;
}
