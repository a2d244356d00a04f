/* app_desk.c - My desk: my tasks, what is new since my last visit, grants
 * expiring, evidence explained. */
#include "app_int.h"

#include <stdio.h>
#include <string.h>

#include "crypto/error.h"
#include "storage/view/view_desk.h"

static const char *const app__acts_open[] = {"accept", "decline", NULL};
static const char *const app__acts_accept[] = {"start", "done", "decline",
                                               NULL};
static const char *const app__acts_start[] = {"done", NULL};
static const char *const app__acts_cancel[] = {"cancel", NULL};
static const char *const app__acts_none[] = {NULL};

const char *const *
app_task_actions(const char *status, const char *role)
{
    int creator = role && strcmp(role, "creator") == 0;

    if (!status)
        return app__acts_none;
    if (creator)
        return strcmp(status, "open") == 0 || strcmp(status, "accept") == 0 ||
                       strcmp(status, "start") == 0
                   ? app__acts_cancel
                   : app__acts_none;
    if (strcmp(status, "open") == 0)
        return app__acts_open;
    if (strcmp(status, "accept") == 0)
        return app__acts_accept;
    if (strcmp(status, "start") == 0)
        return app__acts_start;
    return app__acts_none;
}

/* ---- evidence in plain words --------------------------------------------- */

struct app__notes {
    const struct app_desk_sinks *an_out;
    int an_rc;
};

static const char *
app__cell_text(const struct view_row *row, const char *name)
{
    const struct view_cell *c = view_row_cell(row, name);

    return c && c->ce_type == VIEW_TEXT ? c->ce_text : NULL;
}

static uint64_t
app__cell_u64(const struct view_row *row, const char *name)
{
    const struct view_cell *c = view_row_cell(row, name);

    return c && c->ce_type == VIEW_INT && c->ce_int > 0 ? (uint64_t)c->ce_int
                                                        : 0;
}

static int
app__fork_note(void *arg, const struct view_row *row)
{
    struct app__notes *a = arg;
    struct app_desk_note n;
    const char *st = app__cell_text(row, "author_state");
    const char *aud = app__cell_text(row, "audience");
    char who[64];

    memset(&n, 0, sizeof(n));
    n.dn_type = "fork";
    snprintf(n.dn_log, sizeof(n.dn_log), "%s",
             app__cell_text(row, "log") ? app__cell_text(row, "log") : "");
    n.dn_seq = app__cell_u64(row, "seq");
    snprintf(n.dn_entry, sizeof(n.dn_entry), "%s",
             app__cell_text(row, "entry_a") ? app__cell_text(row, "entry_a")
                                            : "");
    snprintf(n.dn_author_state, sizeof(n.dn_author_state), "%s", st ? st : "");
    snprintf(who, sizeof(who), "%s%s", st ? st : "A member",
             st ? "'s node" : "'s node (certificate not held)");
    snprintf(n.dn_title, sizeof(n.dn_title),
             "%s signed two different entries at position %llu of one log", who,
             (unsigned long long)n.dn_seq);
    snprintf(n.dn_explain, sizeof(n.dn_explain),
             "The node that writes this log (audience %s) signed two "
             "different entries for the same position. A node never does "
             "that by itself: its key was copied to a second machine, or its "
             "store was put back from an old copy and went on writing. "
             "ilonet keeps both signed entries as proof, stops taking this "
             "log from position %llu on, and keeps everything before it; "
             "the rest of the network's records are not affected.",
             aud ? aud : "?", (unsigned long long)n.dn_seq);
    snprintf(n.dn_todo, sizeof(n.dn_todo),
             "Tell %s's liaison officer and the network's authority. %s's "
             "authority revokes that node's key from the last good entry "
             "(ilonet cert revoke, docs/KEYS.md) and certifies a new node. "
             "Nothing needs to be done on this node: the proof stays here.",
             st ? st : "the member", st ? st : "The member");
    if ((a->an_rc = a->an_out->ds_note(a->an_out->ds_arg, &n)) != 0)
        return a->an_rc;
    return 0;
}

static int
app__quarantine_note(void *arg, const struct view_row *row)
{
    struct app__notes *a = arg;
    struct app_desk_note n;
    const char *code = app__cell_text(row, "code");

    memset(&n, 0, sizeof(n));
    n.dn_type = "quarantine";
    snprintf(n.dn_log, sizeof(n.dn_log), "%s",
             app__cell_text(row, "log") ? app__cell_text(row, "log") : "");
    n.dn_seq = app__cell_u64(row, "seq");
    snprintf(n.dn_entry, sizeof(n.dn_entry), "%s",
             app__cell_text(row, "entry") ? app__cell_text(row, "entry") : "");
    snprintf(n.dn_code, sizeof(n.dn_code), "%s", code ? code : "");
    n.dn_until_ms = app__cell_u64(row, "until_ms");
    if (code && strcmp(code, ilonet_errname(ILONET_EFUTURE)) == 0) {
        snprintf(n.dn_title, sizeof(n.dn_title),
                 "An entry dated in the future is held back");
        snprintf(n.dn_explain, sizeof(n.dn_explain),
                 "An entry arrived with a time more than a minute ahead of "
                 "this computer's clock. It is stored but not shown until "
                 "that time comes; then it appears by itself. Usually one of "
                 "the two clocks is wrong.");
        snprintf(n.dn_todo, sizeof(n.dn_todo),
                 "Check this computer's date and time (and that it is set "
                 "automatically). If it is right, tell the author's liaison "
                 "officer that their computer's clock is ahead.");
    } else if (code && strcmp(code, ilonet_errname(ILONET_EBADSIG)) == 0) {
        snprintf(n.dn_title, sizeof(n.dn_title),
                 "An entry whose signature does not verify is set aside");
        snprintf(n.dn_explain, sizeof(n.dn_explain),
                 "A later check found that this entry's signature is not its "
                 "author's. It is kept aside and has no effect: the records "
                 "shown do not depend on it. It may be damaged in transit or "
                 "forged.");
        snprintf(n.dn_todo, sizeof(n.dn_todo),
                 "Run 'ilonet verify' on this node; if it reports the entry "
                 "again, tell the author's liaison officer and the network's "
                 "authority.");
    } else {
        snprintf(n.dn_title, sizeof(n.dn_title), "An entry is set aside (%s)",
                 code ? code : "unknown reason");
        snprintf(n.dn_explain, sizeof(n.dn_explain),
                 "This node stored an entry but keeps it out of the records "
                 "shown: %s.",
                 app__cell_text(row, "reason") ? app__cell_text(row, "reason")
                                               : "see ilonet status");
        snprintf(n.dn_todo, sizeof(n.dn_todo),
                 "Run 'ilonet verify' on this node and tell the author's "
                 "liaison officer.");
    }
    if ((a->an_rc = a->an_out->ds_note(a->an_out->ds_arg, &n)) != 0)
        return a->an_rc;
    return 0;
}

/* ---- the desk ------------------------------------------------------------ */

static int
app__desk_store_fail(struct app_err *err, const char *what, int rc)
{
    return rc < 0
               ? app_fail(err, rc, "store: %s: %s", what, ilonet_strerror(rc))
               : rc;
}

int
app_desk(struct home *h, const struct app_desk_req *rq,
         const struct app_desk_sinks *out, struct app_desk_res *res,
         struct app_err *err)
{
    struct app__notes notes = {out, 0};
    struct view_sink fs = {NULL, app__fork_note, &notes};
    struct view_sink qs = {NULL, app__quarantine_note, &notes};
    const char *who = rq->dq_who ? rq->dq_who : USERS_BOOTSTRAP;
    unsigned days = rq->dq_days ? rq->dq_days : APP_DESK_DAYS_DEFAULT;
    int rc;

    if (days > APP_DESK_DAYS_MAX) {
        app_fail(err, ILONET_EINVAL, "from 1 to %d days", APP_DESK_DAYS_MAX);
        app__field(err, "days");
        return ILONET_EINVAL;
    }
    if (!h->h_has_cert)
        return app_fail(err, ILONET_EUNKNOWNAUTHOR,
                        "no certificate installed (ilonet cert install "
                        "FILE)");
    memset(res, 0, sizeof(*res));
    /* The mark first: an entry arriving while the rest is read may show
     * as new twice, but never be marked seen without being shown. */
    if ((rc = view_mark(h->h_store, res->dr_mark)) != 0)
        return app__desk_store_fail(err, "mark", rc);
    rc = users_seen_get(h->h_dir, who, res->dr_since, sizeof(res->dr_since));
    if (rc == ILONET_ENOTFOUND ||
        (rc == 0 && !view_mark_valid(res->dr_since))) {
        /* the first visit (or a mark of a store since replaced): nothing
         * counts as new; the page stores a mark when the officer has seen
         * the desk */
        res->dr_first = 1;
        res->dr_since[0] = '\0';
    } else if (rc != 0) {
        return app_fail(err, rc, "%s/%s: %s", h->h_dir, USERS_SEEN_FILE,
                        ilonet_strerror(rc));
    }
    /* each part in the order the page shows them; a sink's own stop code
     * passes through */
    if ((rc = view_desk_tasks(h->h_store, h->h_cert.c_state, APP_DESK_TASKS_MAX,
                              out->ds_tasks, &res->dr_tasks)) != 0)
        return app__desk_store_fail(err, "tasks", rc);
    if (!res->dr_first &&
        (rc = view_since(h->h_store, res->dr_since, APP_DESK_NEW_MAX,
                         out->ds_new, &res->dr_new)) != 0)
        return app__desk_store_fail(err, "new items", rc);
    if ((rc = view_grants_expiring(h->h_store, home_now_ms(), days,
                                   out->ds_grants)) != 0)
        return app__desk_store_fail(err, "grants", rc);
    if (out->ds_note && (rc = app_evidence(h, &fs, &qs, err)) != 0)
        return notes.an_rc ? notes.an_rc : rc;
    return 0;
}

int
app_desk_seen(struct home *h, const char *who, const char *mark,
              char out[static VIEW_MARK_MAX], struct app_err *err)
{
    char now[VIEW_MARK_MAX];
    int rc;

    if (!who)
        who = USERS_BOOTSTRAP;
    if (mark && !view_mark_valid(mark)) {
        app_fail(err, ILONET_EINVAL,
                 "field 'mark': not a mark of this node "
                 "(the desk's \"mark\")");
        app__field(err, "mark");
        return ILONET_EINVAL;
    }
    if (!mark) {
        if ((rc = view_mark(h->h_store, now)) != 0)
            return app__desk_store_fail(err, "mark", rc);
        mark = now;
    }
    if (!*mark) { /* nothing held yet: nothing to mark */
        out[0] = '\0';
        return 0;
    }
    if ((rc = users_seen_set(h->h_dir, who, mark)) != 0)
        return app_fail(err, rc, "%s/%s: %s", h->h_dir, USERS_SEEN_FILE,
                        ilonet_strerror(rc));
    snprintf(out, VIEW_MARK_MAX, "%s", mark);
    return 0;
}

int
app_since(struct home *h, const char *mark, uint64_t limit,
          const struct view_sink *out, uint64_t *count, struct app_err *err)
{
    int rc;

    if (!view_mark_valid(mark)) {
        app_fail(err, ILONET_EINVAL, "not a mark of this node");
        app__field(err, "since");
        return ILONET_EINVAL;
    }
    rc = view_since(h->h_store, mark, limit, out, count);
    return app__desk_store_fail(err, "new items", rc);
}

int
app_mark(struct home *h, char out[static VIEW_MARK_MAX], struct app_err *err)
{
    int rc = view_mark(h->h_store, out);

    return app__desk_store_fail(err, "mark", rc);
}

int
app_mark_valid(const char *mark)
{
    return view_mark_valid(mark);
}

int
app_peers(struct home *h, uint8_t **json, size_t *len, struct app_err *err)
{
    uint8_t *v = NULL;
    size_t n = 0;
    int rc = store_meta_get(h->h_store, "peer_status", &v, &n);

    if (rc == ILONET_ENOTFOUND) {
        *json = NULL;
        *len = 0;
        return 0;
    }
    if (rc != 0)
        return app__desk_store_fail(err, "peers", rc);
    *json = v;
    *len = n;
    return 0;
}
