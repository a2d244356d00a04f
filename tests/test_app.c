/* test_app.c - the write use cases of node/app: refusals and successes. */
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "node/app/app.h"
#include "proc.h"
#include "storage/log.h"
#include "storage/view/view.h"
#include "fixture.h"
#include "test.h"

#define MAXM 8

/* A testnet: its root directory and member homes (DE first). */
struct fx {
    char *dir;
    char root[700];
    int n;
    struct proc_member m[MAXM];
};

static void
fx_net(struct fx *f, const char *tag, const char *states)
{
    ASSERT_OK(key_global_init());
    f->dir = test_tmpdir(tag);
    snprintf(f->root, sizeof(f->root), "%s/t", f->dir);
    f->n = proc_testnet(f->root, states, proc_pid_base(20000, 200, 10), f->m,
                        MAXM);
    ASSERT_GE(f->n, 2);
}

static void
fx_free(struct fx *f)
{
    free(f->dir);
}

static void
fx_open(struct fx *f, const char *state, struct home *h)
{
    char dir[800];

    snprintf(dir, sizeof(dir), "%s/%s", f->root, state);
    ASSERT_OK(home_open(h, dir, HOME_STORE));
}

/* Runs `ilonet ARGS` (a shell fragment); asserts it exits 0. */
static void
fx_cli(const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    st = proc_run(NULL, 0, "'%s' %s 2>/dev/null", proc_bin(), args);
    if (st != 0)
        TEST_FAIL_("ilonet %s exited %d", args, st);
}

/* The entries of `from` reach `to` (export, import). */
static void
fx_sync(struct fx *f, const char *from, const char *to)
{
    fx_cli("-C %s/%s export --out %s/x-%s-%s", f->root, from, f->dir, from, to);
    fx_cli("-C %s/%s import %s/x-%s-%s", f->root, to, f->dir, from, to);
}

static uint64_t
fx_entries(struct home *h)
{
    uint64_t n, logs, ev, q;

    ASSERT_OK(log_counts(h->h_store, &n, &logs, &ev, &q));
    return n;
}

static const char *
fx_hex(const uint8_t id[HASH_LEN])
{
    static char b[4][2 * HASH_LEN + 1];
    static int k;
    char *o = b[k++ % 4];

    hash_hex(id, HASH_LEN, o);
    return o;
}

/* Asserts a failed call's code, HTTP status and message. */
#define ASSERT_APP_ERR(call, e, code, status, msg)                             \
    do {                                                                       \
        ASSERT_ERR((call), (code));                                            \
        ASSERT_EQ((e).ae_code, (code));                                        \
        ASSERT_EQ(app_err_http_status(&(e)), (status));                        \
        ASSERT_STR_EQ((e).ae_msg, (msg));                                      \
    } while (0)

#define F(n, v)                                                                \
    {                                                                          \
        (n), (v)                                                               \
    }
#define NF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- checks that need no home ------------------------------------------- */

static void
app_record_check_refusals(void)
{
    static const struct app_field bogus[] = {
        F("category", "routes"), F("summary", "x"), F("bogus", "x")};
    static const struct app_field internal[] = {
        F("category", "routes"), F("figure", "1.5"), F("summary", "x"),
        F("grant", "00")};
    static const struct app_field nosummary[] = {F("category", "routes")};
    static const struct app_field ok[] = {F("category", "routes"),
                                          F("summary", "x")};
    static const struct app_field closed[] = {
        F("date", "2026-02-03"),     F("place", "A"),
        F("convenor", "DE"),         F("participants", "DE,FR"),
        F("commission", "excluded"), F("topics", "t")};
    struct app_record_req r;
    struct app_err e;

    r = (struct app_record_req){KIND_OBSERVATION, bogus, NF(bogus), NULL, NULL};
    ASSERT_APP_ERR(app_record_check(fx_vocab(NULL), &r, &e), e, ILONET_EINVAL,
                   400, "field 'bogus': unknown field for observation");
    ASSERT_STR_EQ(e.ae_field, "bogus");
    ASSERT_EQ(e.ae_usage, 0);
    /* an internal field is named before a bad value of another */
    r = (struct app_record_req){KIND_OBSERVATION, internal, NF(internal), NULL,
                                NULL};
    ASSERT_APP_ERR(app_record_check(fx_vocab(NULL), &r, &e), e, ILONET_EINVAL,
                   400, "field 'grant': set by ilonet, not an option");
    /* a missing required field is a usage error naming it */
    r = (struct app_record_req){KIND_OBSERVATION, nosummary, NF(nosummary),
                                NULL, NULL};
    ASSERT_APP_ERR(app_record_check(fx_vocab(NULL), &r, &e), e, ILONET_EINVAL,
                   400, "field 'summary': required");
    ASSERT_EQ(e.ae_usage, 1);
    ASSERT_STR_EQ(e.ae_field, "summary");
    r = (struct app_record_req){KIND_OBSERVATION, ok, NF(ok), "de fr", NULL};
    ASSERT_APP_ERR(app_record_check(fx_vocab(NULL), &r, &e), e, ILONET_EINVAL,
                   400,
                   "field 'audience': 'de fr' is not net, ms or a group of "
                   "state codes like DE+FR");
    ASSERT_STR_EQ(e.ae_field, "audience");
    /* a meeting without the Commission: ms by default, never net or a
     * group with the Commission or an agency */
    r = (struct app_record_req){KIND_MEETING, closed, NF(closed), NULL, NULL};
    ASSERT_OK(app_record_check(fx_vocab(NULL), &r, &e));
    r.rq_audience = "net";
    ASSERT_APP_ERR(app_record_check(fx_vocab(NULL), &r, &e), e, ILONET_EINVAL,
                   400,
                   "field 'audience': a meeting without the Commission "
                   "cannot be in audience net (use ms or a group of Member "
                   "States)");
    r.rq_audience = "DE+FRONTEX";
    ASSERT_ERR(app_record_check(fx_vocab(NULL), &r, &e), ILONET_EINVAL);
    r.rq_audience = "DE+FR";
    ASSERT_OK(app_record_check(fx_vocab(NULL), &r, &e));
    /* only record kinds are created */
    r = (struct app_record_req){KIND_AMEND, ok, NF(ok), NULL, NULL};
    ASSERT_APP_ERR(app_record_check(fx_vocab(NULL), &r, &e), e, ILONET_EKIND,
                   400, "kind amend: not a record kind");
    r = (struct app_record_req){KIND_OBSERVATION, ok, NF(ok), NULL, NULL};
    ASSERT_OK(app_record_check(fx_vocab(NULL), &r, &e));
}

static void
app_change_and_task_check_refusals(void)
{
    static const struct app_field place[] = {F("place", "x")};
    struct app_change_req c;
    struct app_task_req t;
    struct app_err e;

    c = (struct app_change_req){KIND_RETRACT, 0, "abcdef", place, 1, NULL};
    ASSERT_APP_ERR(app_change_check(fx_vocab(NULL), &c, &e), e, ILONET_EINVAL,
                   400, "field 'place': unknown field for retract");
    c = (struct app_change_req){KIND_ERASE, 0, "abcdef", NULL, 0, ""};
    ASSERT_APP_ERR(app_change_check(fx_vocab(NULL), &c, &e), e, ILONET_EINVAL,
                   400, "field 'reason': empty value");
    c = (struct app_change_req){KIND_AMEND, 0, "abcdef", NULL, 0, NULL};
    ASSERT_APP_ERR(app_change_check(fx_vocab(NULL), &c, &e), e, ILONET_EINVAL,
                   400, "no field to amend");
    ASSERT_EQ(e.ae_usage, 1);
    c = (struct app_change_req){KIND_AMEND, 0, "abcdef", place, 1, "why"};
    ASSERT_APP_ERR(app_change_check(fx_vocab(NULL), &c, &e), e, ILONET_EINVAL,
                   400, "field 'reason': unknown field for amend");
    c = (struct app_change_req){KIND_TASK, 0, "abcdef", NULL, 0, NULL};
    ASSERT_APP_ERR(app_change_check(fx_vocab(NULL), &c, &e), e, ILONET_EKIND,
                   400, "kind task: not a change of a record");
    c = (struct app_change_req){KIND_RETRACT, 0, "abcdef", NULL, 0, "ok"};
    ASSERT_OK(app_change_check(fx_vocab(NULL), &c, &e));

    t = (struct app_task_req){"abcdef", "maybe", NULL, NULL, 0};
    ASSERT_APP_ERR(app_task_check(&t, &e), e, ILONET_EINVAL, 400,
                   "field 'status': 'maybe' is not accept, decline, start, "
                   "done or cancel");
    t = (struct app_task_req){"abcdef", "done", NULL, place, 1};
    ASSERT_APP_ERR(app_task_check(&t, &e), e, ILONET_EINVAL, 400,
                   "field 'place': unknown field for task-status");
    t = (struct app_task_req){"abcdef", "cancel", "", NULL, 0};
    ASSERT_APP_ERR(app_task_check(&t, &e), e, ILONET_EINVAL, 400,
                   "field 'note': empty value");
    t = (struct app_task_req){"abcdef", "accept", "fine", NULL, 0};
    ASSERT_OK(app_task_check(&t, &e));
}

static void
app_grant_scope_parses_and_refuses(void)
{
    struct grant g;
    struct app_err e;

    memset(&g, 0, sizeof(g));
    ASSERT_OK(app_grant_scope(&g, "observation,routes,task", &e));
    ASSERT_EQ(g.g_nscope, 3);
    ASSERT_STR_EQ(g.g_scope[1], "routes");
    memset(&g, 0, sizeof(g));
    ASSERT_APP_ERR(app_grant_scope(&g, "observation,weather", &e), e,
                   ILONET_EINVAL, 400,
                   "field 'scope': 'weather' is not a record kind or "
                   "observation category");
    ASSERT_EQ(g.g_nscope, 0); /* nothing filled on failure */
    ASSERT_APP_ERR(app_grant_scope(&g,
                                   "task,task,task,task,task,task,task,task,"
                                   "task,task,task,task,task,task,task,task,"
                                   "task",
                                   &e),
                   e, ILONET_EINVAL, 400, "field 'scope': more than 16 items");
}

static void
app_err_statuses(void)
{
    struct app_err e;

    app_fail(&e, ILONET_EDELEGATION, "x");
    ASSERT_EQ(app_err_http_status(&e), 403);
    app_fail(&e, ILONET_EUNAUTHORISED, "x");
    ASSERT_EQ(app_err_http_status(&e), 403);
    app_fail(&e, ILONET_ENOTFOUND, "x");
    ASSERT_EQ(app_err_http_status(&e), 404);
    app_fail(&e, ILONET_EFROZEN, "x");
    ASSERT_EQ(app_err_http_status(&e), 409);
    app_fail(&e, ILONET_EBUSY, "x");
    ASSERT_EQ(app_err_http_status(&e), 503);
    app_fail(&e, ILONET_EINVAL, "x");
    e.ae_conflict = 1;
    ASSERT_EQ(app_err_http_status(&e), 409);
    app_fail(&e, ILONET_EINVAL, "x"); /* app_fail resets the flags */
    ASSERT_EQ(e.ae_conflict, 0);
    ASSERT_EQ(app_err_http_status(&e), 400);
}

/* ---- against a home ---------------------------------------------------------
 */

static void
app_create_every_kind(void)
{
    static const struct app_field obs[] = {F("category", "routes"),
                                           F("summary", "s")};
    static const struct app_field meet[] = {
        F("date", "2026-02-03"),     F("place", "A"),
        F("convenor", "DE"),         F("participants", "DE,FR"),
        F("commission", "excluded"), F("topics", "t")};
    static const struct app_field train[] = {
        F("title", "T"), F("type", "joint-course"), F("date", "2026-01-01")};
    static const struct app_field carrier[] = {
        F("carrier", "C"), F("position", "P"), F("date", "2026-01-01")};
    static const struct app_field contact[] = {
        F("counterpart", "X"), F("type", "authority"), F("date", "2026-01-01")};
    static const struct app_field posting[] = {
        F("post", "P"), F("officers", "2"), F("from", "2026-01-01")};
    static const struct app_field task[] = {F("for", "FR,DE"), F("title", "t")};
    static const struct app_field acting[] = {F("semester", "2026-H1"),
                                              F("state", "FR")};
    static const struct {
        uint32_t kind;
        const struct app_field *f;
        size_t n;
        const char *aud, *want;
    } cases[] = {
        {KIND_OBSERVATION, obs, NF(obs), NULL, "net"},
        {KIND_OBSERVATION, obs, NF(obs), "fr+de", "DE+FR"},
        {KIND_MEETING, meet, NF(meet), NULL, "ms"},
        {KIND_TRAINING, train, NF(train), NULL, "net"},
        {KIND_CARRIER, carrier, NF(carrier), "ms", "ms"},
        {KIND_CONTACT, contact, NF(contact), NULL, "net"},
        {KIND_POSTING, posting, NF(posting), NULL, "net"},
        {KIND_TASK, task, NF(task), NULL, "DE+FR"},
        {KIND_TASK, task, NF(task), "AT+DE+FR", "AT+DE+FR"},
        {KIND_ACTING_PRESIDENCY, acting, NF(acting), NULL, "net"},
    };
    struct view_record_info info;
    struct app_written w;
    struct app_err e;
    struct home h;
    struct fx f;

    fx_net(&f, "app-kinds", "AT,DE,FR,EU");
    fx_open(&f, "DE", &h);
    for (size_t i = 0; i < NF(cases); i++) {
        struct app_record_req r = {cases[i].kind, cases[i].f, cases[i].n,
                                   cases[i].aud, NULL};
        if (app_record_create(&h, &r, &w, &e) != 0)
            TEST_FAIL_("case %zu: %s", i, e.ae_msg);
        ASSERT_STR_EQ(w.aw_audience, cases[i].want);
        ASSERT(w.aw_deferred == NULL);
        ASSERT_OK(view_record_find(h.h_store, fx_hex(w.aw_id), &info));
        ASSERT_EQ(info.vr_kind, cases[i].kind);
        ASSERT_STR_EQ(info.vr_owner, "DE");
    }
    home_close(&h);
    fx_free(&f);
}

static void
app_create_refusals_write_nothing(void)
{
    static const struct app_field obs[] = {F("category", "routes"),
                                           F("summary", "s")};
    static const struct app_field task_xx[] = {F("for", "XX"), F("title", "t")};
    struct app_written w;
    struct app_err e;
    struct app_record_req r;
    struct home h;
    struct fx f;
    uint64_t before;

    fx_net(&f, "app-refuse", "DE,FR,EU");
    fx_open(&f, "DE", &h);
    before = fx_entries(&h);
    r = (struct app_record_req){KIND_OBSERVATION, obs, NF(obs), "DE+IT", NULL};
    ASSERT_APP_ERR(app_record_create(&h, &r, &w, &e), e, ILONET_EINVAL, 400,
                   "field 'audience': IT is not a state of the trust roster");
    r = (struct app_record_req){KIND_OBSERVATION, obs, NF(obs), NULL, "FR"};
    ASSERT_APP_ERR(app_record_create(&h, &r, &w, &e), e, ILONET_EDELEGATION,
                   403,
                   "on-behalf-of FR: no valid grant from FR to DE covering "
                   "observation routes in audience net is held (ilonet grant "
                   "publish FILE)");
    r = (struct app_record_req){KIND_OBSERVATION, obs, NF(obs), NULL, "fr1"};
    ASSERT_APP_ERR(app_record_create(&h, &r, &w, &e), e, ILONET_EINVAL, 400,
                   "field 'on-behalf-of': 'fr1' is not a state code");
    r = (struct app_record_req){KIND_TASK, task_xx, NF(task_xx), NULL, NULL};
    ASSERT_APP_ERR(app_record_create(&h, &r, &w, &e), e, ILONET_EINVAL, 400,
                   "field 'audience': XX is not a state of the trust roster");
    r = (struct app_record_req){KIND_TASK, task_xx, NF(task_xx), NULL, "zz"};
    ASSERT_APP_ERR(app_record_create(&h, &r, &w, &e), e, ILONET_EINVAL, 400,
                   "field 'audience': XX is not a state of the trust roster");
    /* writing for itself needs no grant */
    r = (struct app_record_req){KIND_OBSERVATION, obs, NF(obs), NULL, "DE"};
    ASSERT_EQ(fx_entries(&h), before);
    ASSERT_OK(app_record_create(&h, &r, &w, &e));
    ASSERT_GE(fx_entries(&h), before + 1);
    home_close(&h);
    fx_free(&f);
}

/* Amend, retract and erase by the owner; what an erased record refuses. */
static void
app_change_by_owner(void)
{
    static const struct app_field obs[] = {F("category", "incidents"),
                                           F("summary", "s"), F("detail", "d")};
    static const struct app_field am[] = {F("summary", "s2"), F("detail", "")};
    static const struct app_field clear[] = {F("summary", "")};
    struct app_record_req r = {KIND_OBSERVATION, obs, NF(obs), NULL, NULL};
    struct view_record_info info;
    struct app_change_req c;
    struct app_written w, rec;
    struct app_err e;
    struct stat sb;
    char id[2 * HASH_LEN + 1], wal[900], msg[300];
    struct home h;
    struct fx f;

    fx_net(&f, "app-change", "DE,FR,EU");
    fx_open(&f, "DE", &h);
    ASSERT_OK(app_record_create(&h, &r, &rec, &e));
    snprintf(id, sizeof(id), "%s", fx_hex(rec.aw_id));
    /* the record by a prefix, of any kind or of its own */
    c = (struct app_change_req){KIND_AMEND, KIND_OBSERVATION, id,
                                am,         NF(am),           NULL};
    id[10] = '\0';
    ASSERT_OK(app_record_change(&h, &c, &w, &e));
    ASSERT_STR_EQ(w.aw_audience, "net");
    ASSERT(memcmp(w.aw_id, rec.aw_id, HASH_LEN) != 0);
    c.cq_fields = clear;
    c.cq_nfields = 1;
    ASSERT_APP_ERR(app_record_change(&h, &c, &w, &e), e, ILONET_EINVAL, 400,
                   "field 'summary': required, cannot be cleared");
    c.cq_record_kind = KIND_MEETING;
    snprintf(msg, sizeof(msg), "%s: no such meeting in the view", id);
    ASSERT_APP_ERR(app_record_change(&h, &c, &w, &e), e, ILONET_ENOTFOUND, 404,
                   msg);
    c.cq_id = "zzzzzz";
    ASSERT_APP_ERR(app_record_change(&h, &c, &w, &e), e, ILONET_EINVAL, 400,
                   "zzzzzz: not a record id (hex, at least 6 digits, "
                   "unambiguous)");
    c = (struct app_change_req){KIND_RETRACT, 0, "000000", NULL, 0, "r"};
    ASSERT_APP_ERR(app_record_change(&h, &c, &w, &e), e, ILONET_ENOTFOUND, 404,
                   "000000: no such record in the view");
    c.cq_id = id;
    ASSERT_OK(app_record_change(&h, &c, &w, &e));
    ASSERT_OK(view_record_find(h.h_store, id, &info));
    ASSERT_STR_EQ(info.vr_status, "retracted");
    /* erasure: the WAL is truncated (no other process holds the store) */
    c.cq_kind = KIND_ERASE;
    c.cq_reason = "gdpr";
    ASSERT_OK(app_record_change(&h, &c, &w, &e));
    ASSERT(w.aw_deferred == NULL);
    snprintf(wal, sizeof(wal), "%s/DE/store.db-wal", f.root);
    ASSERT(stat(wal, &sb) != 0 || sb.st_size == 0);
    ASSERT_OK(view_record_find(h.h_store, id, &info));
    ASSERT_STR_EQ(info.vr_status, "erased");
    /* an erased record takes erasures only: a conflict (409) */
    c = (struct app_change_req){KIND_AMEND, 0, id, am, NF(am), NULL};
    ASSERT_ERR(app_record_change(&h, &c, &w, &e), ILONET_EINVAL);
    ASSERT_EQ(e.ae_conflict, 1);
    ASSERT_EQ(app_err_http_status(&e), 409);
    ASSERT(strstr(e.ae_msg, ": the record is erased"));
    c = (struct app_change_req){KIND_RETRACT, 0, id, NULL, 0, NULL};
    ASSERT_ERR(app_record_change(&h, &c, &w, &e), ILONET_EINVAL);
    ASSERT_EQ(e.ae_conflict, 1);
    c.cq_kind = KIND_ERASE;
    ASSERT_OK(app_record_change(&h, &c, &w, &e));
    home_close(&h);
    fx_free(&f);
}

/* Another state changes a record only under the owner's grant, found
 * automatically; the state that wrote a record may erase it. */
static void
app_change_under_grant(void)
{
    static const struct app_field obs[] = {F("category", "routes"),
                                           F("summary", "s")};
    static const struct app_field am[] = {F("summary", "by FR")};
    struct app_record_req r = {KIND_OBSERVATION, obs, NF(obs), NULL, NULL};
    struct app_change_req c;
    struct app_written w, rec, fr_rec;
    struct app_err e;
    struct home de, fr;
    struct fx f;
    uint8_t *buf;
    size_t len;
    char grant[900], id[2 * HASH_LEN + 1];

    fx_net(&f, "app-grant", "DE,FR,EU");
    fx_open(&f, "DE", &de);
    ASSERT_OK(app_record_create(&de, &r, &rec, &e));
    snprintf(id, sizeof(id), "%s", fx_hex(rec.aw_id));
    fx_sync(&f, "DE", "FR");
    fx_open(&f, "FR", &fr);
    c = (struct app_change_req){KIND_AMEND, 0, id, am, NF(am), NULL};
    ASSERT_APP_ERR(app_record_change(&fr, &c, &w, &e), e, ILONET_EDELEGATION,
                   403,
                   "on-behalf-of DE: no valid grant from DE to FR covering "
                   "observation routes in audience net is held (ilonet grant "
                   "publish FILE)");
    c = (struct app_change_req){KIND_ERASE, 0, id, NULL, 0, NULL};
    ASSERT_ERR(app_record_change(&fr, &c, &w, &e), ILONET_EDELEGATION);
    /* DE's authority lets FR write for DE; DE publishes the grant */
    snprintf(grant, sizeof(grant), "%s/g", f.dir);
    fx_cli("grant issue --state-key %s/authority/DE.key --to FR --network "
           "%s/network --until 2099-12-31 --out %s",
           f.root, f.root, grant);
    ASSERT_OK(cert_read_file(grant, CERT_MAX_LEN, &buf, &len));
    ASSERT_OK(app_envelope_publish(&de, buf, len, NULL, &w, &e));
    ASSERT_STR_EQ(w.aw_audience, "net");
    free(buf);
    fx_sync(&f, "DE", "FR");
    c = (struct app_change_req){KIND_AMEND, 0, id, am, NF(am), NULL};
    ASSERT_OK(app_record_change(&fr, &c, &w, &e));
    /* FR writes a record for DE; FR, its writer, may erase it */
    r.rq_behalf = "DE";
    ASSERT_OK(app_record_create(&fr, &r, &fr_rec, &e));
    c = (struct app_change_req){KIND_ERASE, 0, fx_hex(fr_rec.aw_id),
                                NULL,       0, "wrong"};
    ASSERT_OK(app_record_change(&fr, &c, &w, &e));
    home_close(&fr);
    home_close(&de);
    fx_free(&f);
}

static void
app_task_transitions_by_role(void)
{
    static const struct app_field task[] = {F("for", "FR"), F("title", "t")};
    struct app_record_req r = {KIND_TASK, task, NF(task), NULL, NULL};
    struct view_record_info info;
    struct app_task_req t;
    struct app_written w, tw;
    struct app_err e;
    char id[2 * HASH_LEN + 1], msg[300];
    struct home de, fr;
    struct fx f;

    fx_net(&f, "app-task", "AT,DE,FR,EU");
    fx_open(&f, "DE", &de);
    ASSERT_OK(app_record_create(&de, &r, &tw, &e));
    ASSERT_STR_EQ(tw.aw_audience, "DE+FR");
    snprintf(id, sizeof(id), "%s", fx_hex(tw.aw_id));
    /* the creator is not an assignee */
    t = (struct app_task_req){id, "done", NULL, NULL, 0};
    snprintf(msg, sizeof(msg), "%s: DE is not an assignee of this task (FR)",
             id);
    ASSERT_APP_ERR(app_task_status(&de, &t, &w, &e), e, ILONET_EUNAUTHORISED,
                   403, msg);
    t.tq_id = "000000";
    ASSERT_APP_ERR(app_task_status(&de, &t, &w, &e), e, ILONET_ENOTFOUND, 404,
                   "000000: no such task in the view");
    fx_sync(&f, "DE", "FR");
    fx_open(&f, "FR", &fr);
    t = (struct app_task_req){id, "accept", "on it", NULL, 0};
    ASSERT_OK(app_task_status(&fr, &t, &w, &e));
    ASSERT_STR_EQ(w.aw_audience, "DE+FR");
    t.tq_status = "done";
    t.tq_note = NULL;
    ASSERT_OK(app_task_status(&fr, &t, &w, &e));
    /* the assignee may not cancel: that is the creator's (or its
     * representative's) */
    t.tq_status = "cancel";
    ASSERT_ERR(app_task_status(&fr, &t, &w, &e), ILONET_EDELEGATION);
    ASSERT_OK(app_task_status(&de, &t, &w, &e));
    fx_sync(&f, "FR", "DE");
    ASSERT_OK(view_record_find(de.h_store, id, &info));
    ASSERT_EQ(info.vr_kind, KIND_TASK);
    home_close(&fr);
    home_close(&de);
    fx_free(&f);
}

static void
app_trust_writes(void)
{
    static const uint8_t junk[] = {0x81, 0xa1, 'x', 0x01};
    static const char bad[] = "not a valid grant or revocation for this "
                              "network: ";
    static const struct app_field obs[] = {F("category", "routes"),
                                           F("summary", "s")};
    struct app_record_req r = {KIND_OBSERVATION, obs, NF(obs), NULL, NULL};
    struct revocation v;
    struct log_head *heads;
    struct app_written w, first;
    struct app_err e;
    struct home h;
    struct fx f;
    uint8_t *buf, zero[HASH_LEN] = {0};
    size_t len, n;
    char file[900];

    fx_net(&f, "app-trust", "DE,FR,EU");
    fx_open(&f, "DE", &h);
    snprintf(file, sizeof(file), "%s/g", f.dir);
    fx_cli("grant issue --state-key %s/authority/FR.key --to DE --network "
           "%s/network --scope observation --until 2099-12-31 --out %s",
           f.root, f.root, file);
    ASSERT_OK(cert_read_file(file, CERT_MAX_LEN, &buf, &len));
    ASSERT_APP_ERR(app_envelope_publish(&h, buf, len, "DE+XX", &w, &e), e,
                   ILONET_EINVAL, 400,
                   "field 'audience': XX is not a state of the trust roster");
    ASSERT(app_envelope_publish(&h, junk, sizeof(junk), NULL, &w, &e) != 0);
    ASSERT_EQ(app_err_http_status(&e), 400);
    ASSERT(strncmp(e.ae_msg, bad, strlen(bad)) == 0);
    ASSERT_OK(app_envelope_publish(&h, buf, len, "DE+FR", &w, &e));
    ASSERT_STR_EQ(w.aw_audience, "DE+FR");
    free(buf);
    /* the grant in force: DE writes for FR */
    r.rq_behalf = "FR";
    r.rq_audience = "DE+FR";
    ASSERT_OK(app_record_create(&h, &r, &w, &e));
    /* a revocation of the grant, published from the home */
    snprintf(file, sizeof(file), "%s/rv", f.dir);
    fx_cli("grant revoke --state-key %s/authority/FR.key --grant %s/g "
           "--network %s/network --out %s",
           f.root, f.dir, f.root, file);
    ASSERT_OK(cert_read_file(file, CERT_MAX_LEN, &buf, &len));
    ASSERT_OK(app_envelope_publish(&h, buf, len, NULL, &w, &e));
    ASSERT_STR_EQ(w.aw_audience, "net");
    free(buf);
    /* a revocation's cut is pinned by the id of the entry at its seq */
    r.rq_behalf = NULL;
    r.rq_audience = "ms";
    ASSERT_OK(app_record_create(&h, &r, &first, &e)); /* seq 2 of DE's ms log */
    ASSERT_OK(log_heads(h.h_store, &heads, &n));
    memset(&v, 0, sizeof(v));
    for (size_t i = 0; i < n; i++)
        if (strcmp(heads[i].lh_log.ld_audience, "ms") == 0)
            memcpy(v.v_last[0].rl_log, heads[i].lh_log.ld_id, HASH_LEN);
    free(heads);
    v.v_last[0].rl_seq = 2;
    v.v_last[1].rl_seq = 7; /* no such log: left as it is */
    v.v_nlast = 2;
    ASSERT_OK(app_revocation_pin(&h, &v, 0));
    ASSERT_MEM_EQ(v.v_last[0].rl_entry, first.aw_id, HASH_LEN);
    ASSERT_MEM_EQ(v.v_last[1].rl_entry, zero, HASH_LEN);
    memset(v.v_last[0].rl_entry, 0, HASH_LEN);
    ASSERT_OK(app_revocation_pin(&h, &v, 1)); /* from entry 1 on only */
    ASSERT_MEM_EQ(v.v_last[0].rl_entry, zero, HASH_LEN);
    /* certificates: another node's is refused with the reason */
    snprintf(file, sizeof(file), "%s/FR/node.cert", f.root);
    ASSERT_APP_ERR(app_cert_install(&h, file, &e), e, ILONET_EUNKNOWNAUTHOR,
                   409,
                   "unknown-author: certificate is for another node key or "
                   "its state is not in the roster");
    snprintf(file, sizeof(file), "%s/DE/node.cert", f.root);
    ASSERT_OK(app_cert_install(&h, file, &e));
    home_close(&h);
    fx_free(&f);
}

TEST_LIST = {
    TEST(app_record_check_refusals),
    TEST(app_change_and_task_check_refusals),
    TEST(app_grant_scope_parses_and_refuses),
    TEST(app_err_statuses),
    TEST(app_create_every_kind),
    TEST(app_create_refusals_write_nothing),
    TEST(app_change_by_owner),
    TEST(app_change_under_grant),
    TEST(app_task_transitions_by_role),
    TEST(app_trust_writes),
};

TEST_MAIN()
