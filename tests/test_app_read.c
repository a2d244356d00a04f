/* test_app_read.c - the read use cases and `ilonet query`'s guards. */
/*
 * A testnet of DE and FR is made with the binary under test (ILONET_BIN);
 * records are written with it, FR's reach DE by export and import, and
 * DE's home is then opened in this process to call the app_* reads.
 */
#include <stdarg.h>
#include <sys/stat.h>

#include "cli.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "proc.h"
#include "fixture.h"
#include "test.h"

struct afx {
    char root[512];
    char de[512], fr[512];
    char obs[4][65]; /* DE's three observations, FR's one */
    char task[65];   /* DE's task for FR */
};

/* Runs ilonet with args; asserts exit 0; the first line of stdout (an
 * entry id for the writing commands) into out. */
static void
afx_run(char *out, size_t cap, ...)
{
    char *args[32];
    struct cli_out o;
    va_list ap;
    int n = 0;

    va_start(ap, cap);
    while (n < 31 && (args[n] = va_arg(ap, char *)))
        n++;
    va_end(ap);
    args[n] = NULL;
    if (cli_runv(&o, args) != 0)
        TEST_FAIL_("ilonet %s %s %s: exit %d: %s", args[0], args[1],
                   n > 2 ? args[2] : "", o.co_status, o.co_err);
    if (out) {
        snprintf(out, cap, "%s", o.co_out);
        out[strcspn(out, "\n")] = 0;
    }
    cli_out_free(&o);
}

static void
afx_init(struct afx *f, const char *tag)
{
    struct proc_member m[2];
    char *tmp = test_tmpdir(tag), path[700];
    int base = proc_pid_base(22000, 400, 10);

    memset(f, 0, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "%s/net", tmp);
    free(tmp);
    ASSERT_EQ(proc_testnet(f->root, "DE,FR", base, m, 2), 2);
    ASSERT_STR_EQ(m[0].pm_state, "DE");
    snprintf(f->de, sizeof(f->de), "%s", m[0].pm_dir);
    snprintf(f->fr, sizeof(f->fr), "%s", m[1].pm_dir);
    afx_run(f->obs[0], 65, "-C", f->de, "observe", "--category", "routes",
            "--summary", "first route", "--period", "2026-03-01..2026-03-31",
            (char *)NULL);
    afx_run(f->obs[1], 65, "-C", f->de, "observe", "--category", "flows",
            "--summary", "Flows near Kars", (char *)NULL);
    afx_run(f->obs[2], 65, "-C", f->de, "observe", "--category", "routes",
            "--summary", "third, for the ms", "--audience", "ms", (char *)NULL);
    afx_run(f->obs[3], 65, "-C", f->fr, "observe", "--category", "incidents",
            "--summary", "from FR", (char *)NULL);
    afx_run(f->task, 65, "-C", f->de, "task", "create", "--for", "FR",
            "--title", "Look into it", "--due", "2027-01-31", (char *)NULL);
    snprintf(path, sizeof(path), "%s/fr.export", f->root);
    afx_run(NULL, 0, "-C", f->fr, "export", "--out", path, (char *)NULL);
    afx_run(NULL, 0, "-C", f->de, "import", path, (char *)NULL);
}

/* ---- collecting rows ----------------------------------------------------- */

struct arows {
    size_t n;
    char id[16][65];
    struct textbuf json; /* every row through app_json_row(flags) */
    unsigned flags;
};

static int
arows_row(void *arg, const struct view_row *row)
{
    struct arows *r = arg;
    const struct view_cell *id = view_row_cell(row, "id");

    if (r->n < 16)
        snprintf(r->id[r->n], sizeof(r->id[0]), "%s",
                 id && id->ce_type == VIEW_TEXT ? id->ce_text : "");
    app_json_row(&r->json, row, r->flags);
    textbuf_puts(&r->json, "\n");
    r->n++;
    return 0;
}

static void
arows_reset(struct arows *r, unsigned flags)
{
    textbuf_free(&r->json);
    memset(r, 0, sizeof(*r));
    r->flags = flags;
}

/* ---- cases --------------------------------------------------------------- */

/* The filter checks and messages the HTTP API answers with (as
 * "query 'FIELD': MESSAGE"), made once here. */
static void
app_list_checks_each_filter(void)
{
    static const struct {
        const char *list, *field, *value, *err_field, *msg;
    } bad[] = {
        {"meetings", "category", "routes", "category",
         "only observations have a category"},
        {"observations", "category", "nope", "category",
         "unknown value 'nope' (one of flows, routes, modus-operandi, "
         "criminal-organisations, incidents, document-fraud, assistance, "
         "return)"},
        {"observations", "status", "open", "status",
         "only tasks have a status"},
        {"tasks", "status", "maybe", "status",
         "unknown value 'maybe' (one of open, accept, decline, start, done, "
         "cancel)"},
        {"observations", "period", "garbage", "period",
         "'garbage' is not a period (YYYY-MM-DD..YYYY-MM-DD) (or a semester, "
         "2026-H2)"},
        {"observations", "audience", "xx", "audience",
         "'xx' is not net, ms or a group of state codes like DE+FR"},
        {"observations", "state", "zz", "state", "'zz' is not a state code"},
        {"tasks", "assignee", "zz", "assignee", "'zz' is not a state code"},
        {"meetings", "assignee", "FR", "assignee", "only tasks have assignees"},
    };
    struct app_list_req rq;
    struct app_err err;
    char text[202];
    uint32_t kind;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&rq, 0, sizeof(rq));
        rq.al_list = bad[i].list;
        if (strcmp(bad[i].field, "category") == 0)
            rq.al_category = bad[i].value;
        else if (strcmp(bad[i].field, "status") == 0)
            rq.al_status = bad[i].value;
        else if (strcmp(bad[i].field, "period") == 0)
            rq.al_period = bad[i].value;
        else if (strcmp(bad[i].field, "audience") == 0)
            rq.al_audience = bad[i].value;
        else if (strcmp(bad[i].field, "state") == 0)
            rq.al_state = bad[i].value;
        else
            rq.al_assignee = bad[i].value;
        ASSERT_ERR(app_list_check(fx_vocab(NULL), &rq, &kind, &err),
                   ILONET_EINVAL);
        ASSERT_EQ(err.ae_code, ILONET_EINVAL);
        ASSERT_EQ(err.ae_usage, 0);
        ASSERT_STR_EQ(err.ae_field, bad[i].err_field);
        ASSERT_STR_EQ(err.ae_msg, bad[i].msg);
        ASSERT_EQ(app_err_http_status(&err), 400);
    }
    memset(&rq, 0, sizeof(rq));
    rq.al_list = "observations";
    memset(text, 'a', 201);
    text[201] = 0;
    rq.al_text = text;
    ASSERT_ERR(app_list_check(fx_vocab(NULL), &rq, &kind, &err), ILONET_EINVAL);
    ASSERT_STR_EQ(err.ae_field, "text");
    ASSERT_STR_EQ(err.ae_msg, "over 200 bytes");
    text[200] = 0;
    ASSERT_OK(app_list_check(fx_vocab(NULL), &rq, &kind, &err));
    ASSERT_EQ(kind, KIND_OBSERVATION);

    /* an unknown list is a usage error; grants take no filters */
    rq.al_text = NULL;
    rq.al_list = "records";
    ASSERT_ERR(app_list_check(fx_vocab(NULL), &rq, &kind, &err), ILONET_EINVAL);
    ASSERT_EQ(err.ae_usage, 1);
    ASSERT_STR_EQ(err.ae_msg, "unknown kind: records");
    rq.al_list = "grants";
    rq.al_all = 1; /* ignored, as `list grants --all` always did */
    ASSERT_OK(app_list_check(fx_vocab(NULL), &rq, &kind, &err));
    ASSERT_EQ(kind, 0);
    rq.al_state = "DE";
    ASSERT_ERR(app_list_check(fx_vocab(NULL), &rq, &kind, &err), ILONET_EINVAL);
    /* semesters and single dates are periods */
    memset(&rq, 0, sizeof(rq));
    rq.al_list = "tasks";
    rq.al_period = "2026-H2";
    rq.al_status = "open";
    rq.al_assignee = "FR";
    ASSERT_OK(app_list_check(fx_vocab(NULL), &rq, &kind, &err));
    ASSERT_EQ(kind, KIND_TASK);
    rq.al_period = "2026-05-04";
    ASSERT_OK(app_list_check(fx_vocab(NULL), &rq, &kind, &err));
}

static void
app_reads_on_a_home(void)
{
    struct afx f;
    struct home h;
    struct app_list_req rq;
    struct view_list_res res;
    struct view_record_info info;
    struct app_status st;
    struct app_err err;
    struct arows r = {0};
    struct arows hist = {0};
    struct view_sink sink = {NULL, arows_row, &r};
    struct view_sink hsink = {NULL, arows_row, &hist};
    char after[VIEW_CURSOR_MAX], prefix[9];
    size_t got = 0;

    afx_init(&f, "app-read");
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));

    /* every observation, then pages of one, newest first */
    memset(&rq, 0, sizeof(rq));
    rq.al_list = "observations";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, &res, &err));
    ASSERT_EQ(r.n, 4);
    rq.al_newest = 1;
    rq.al_limit = 1;
    for (int p = 0; p < 6; p++) {
        arows_reset(&r, 0);
        ASSERT_OK(app_list(&h, &rq, &sink, &res, &err));
        ASSERT_EQ(r.n, res.ls_count);
        got += r.n;
        if (!res.ls_next[0])
            break;
        snprintf(after, sizeof(after), "%s", res.ls_next);
        rq.al_after = after;
    }
    ASSERT_EQ(got, 4);
    rq.al_after = "garbage";
    ASSERT_ERR(app_list(&h, &rq, &sink, &res, &err), ILONET_EINVAL);
    ASSERT_STR_EQ(err.ae_field, "after");

    /* filters as the API takes them */
    memset(&rq, 0, sizeof(rq));
    rq.al_list = "observations";
    rq.al_state = "FR";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, NULL, &err));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], f.obs[3]);
    rq.al_state = NULL;
    rq.al_audience = "ms";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, NULL, &err));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], f.obs[2]);
    rq.al_audience = NULL;
    rq.al_period = "2026-03-10";
    rq.al_text = "ROUTE";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, NULL, &err));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], f.obs[0]);

    /* tasks for a state, open ones; a group audience is normalised */
    memset(&rq, 0, sizeof(rq));
    rq.al_list = "tasks";
    rq.al_audience = "FR+DE";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, NULL, &err));
    ASSERT_EQ(r.n, 1);
    rq.al_audience = NULL;
    rq.al_assignee = "FR";
    rq.al_status = "open";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, NULL, &err));
    ASSERT_EQ(r.n, 1);
    ASSERT_STR_EQ(r.id[0], f.task);
    rq.al_assignee = "DE";
    arows_reset(&r, 0);
    ASSERT_OK(app_list(&h, &rq, &sink, NULL, &err));
    ASSERT_EQ(r.n, 0);

    /* one record: by prefix, of a kind, with its history */
    snprintf(prefix, sizeof(prefix), "%.8s", f.obs[1]);
    ASSERT_OK(app_record_find(&h, prefix, 0, &info, &err));
    ASSERT_EQ(info.vr_kind, KIND_OBSERVATION);
    ASSERT_ERR(app_record_find(&h, prefix, KIND_TASK, &info, &err),
               ILONET_ENOTFOUND);
    {
        char want[80];
        snprintf(want, sizeof(want), "%s: no such task in the view", prefix);
        ASSERT_STR_EQ(err.ae_msg, want);
    }
    ASSERT_EQ(app_err_http_status(&err), 404);
    ASSERT_ERR(app_record_find(&h, "xyz", 0, &info, &err), ILONET_EINVAL);
    ASSERT_STR_EQ(err.ae_msg, "xyz: not a record id (hex, at least 6 digits, "
                              "unambiguous)");
    ASSERT_OK(app_record_find(&h, f.obs[1], KIND_OBSERVATION, &info, &err));
    arows_reset(&r, APP_JSON_KIND_NAME | APP_JSON_FIELD_NAMES);
    arows_reset(&hist, APP_JSON_KIND_NAME);
    ASSERT_OK(app_record_show(&h, &info, &sink, &hsink, &err));
    ASSERT_EQ(r.n, 1);
    ASSERT_EQ(hist.n, 0);
    ASSERT(strstr(r.json.tb_data, "\"kind\":\"observation\""));
    ASSERT(strstr(r.json.tb_data, "\"summary\":\"Flows near Kars\""));
    ASSERT(!strstr(r.json.tb_data, "\"title\"")); /* not an observation's */
    ASSERT_ERR(app_change_find(&h, f.obs[1], &sink, &err), ILONET_ENOTFOUND);

    /* status: members (DE, FR) and a hash per audience */
    ASSERT_OK(
        app_status(&h, APP_STATUS_MEMBERS | APP_STATUS_AUDIENCES, &st, &err));
    ASSERT_EQ(st.as_nmembers, 2);
    ASSERT_EQ(st.as_naudiences, 3); /* net, ms, DE+FR (the task) */
    for (size_t i = 0; i < st.as_naudiences; i++)
        ASSERT_EQ(st.as_audiences[i].aa_ok, 1);
    ASSERT_EQ(st.as_entries,
              st.as_members[0].am_entries + st.as_members[1].am_entries);
    ASSERT_EQ(st.as_members[0].am_self + st.as_members[1].am_self, 1);
    ASSERT_EQ(st.as_members[0].am_has_cert && st.as_members[1].am_has_cert, 1);
    ASSERT_EQ(st.as_evidence, 0);
    app_status_free(&st);
    ASSERT_EQ(st.as_heads == NULL, 1);

    /* recent, grants, stats, evidence answer */
    arows_reset(&r, APP_JSON_KIND_NAME);
    ASSERT_OK(app_recent(&h, 2, &sink, &err));
    ASSERT_EQ(r.n, 2);
    arows_reset(&r, 0);
    ASSERT_OK(app_grants(&h, &sink, &err));
    ASSERT_EQ(r.n, 0);
    arows_reset(&r, 0);
    arows_reset(&hist, 0);
    ASSERT_OK(app_stats(&h, &sink, &hsink, &err));
    ASSERT_EQ(hist.n, 1);
    ASSERT(strstr(hist.json.tb_data, "\"observations\":4"));
    ASSERT_STR_EQ(app_categories(&h)->vs_values[0].vv_code, "flows");
    arows_reset(&r, 0);
    arows_reset(&hist, 0);
    ASSERT_OK(app_evidence(&h, &sink, &hsink, &err));
    ASSERT_EQ(r.n + hist.n, 0);
    arows_reset(&r, 0);
    arows_reset(&hist, 0);
    home_close(&h);
}

/* app_json_row over hand-made rows: every cell type and each flag. */
static void
app_json_row_forms(void)
{
    struct view_cell c[7];
    struct view_row row = {7, c};
    struct textbuf b = {0};

    memset(c, 0, sizeof(c));
    c[0].ce_name = "kind";
    c[0].ce_type = VIEW_INT;
    c[0].ce_int = KIND_POSTING;
    c[1].ce_name = "posted_from";
    c[1].ce_type = VIEW_TEXT;
    c[1].ce_text = "2026-01-01";
    c[1].ce_len = 10;
    c[2].ce_name = "summary"; /* a field column postings lack */
    c[2].ce_type = VIEW_NULL;
    c[3].ce_name = "note";
    c[3].ce_type = VIEW_TEXT;
    c[3].ce_text = "a\0b\"";
    c[3].ce_len = 4;
    c[4].ce_name = "key";
    c[4].ce_type = VIEW_BLOB;
    c[4].ce_blob = (const uint8_t *)"\x01\xab";
    c[4].ce_len = 2;
    c[5].ce_name = "x";
    c[5].ce_type = VIEW_REAL;
    c[5].ce_real = 0.5;
    c[5].ce_text = "0.5";
    c[6].ce_name = "n";
    c[6].ce_type = VIEW_INT;
    c[6].ce_int = -3;

    app_json_row(&b, &row, 0);
    ASSERT_STR_EQ(b.tb_data,
                  "{\"kind\":7,\"posted_from\":\"2026-01-01\",\"summary\":"
                  "null,\"note\":\"a\\u0000b\\\"\",\"key\":\"01ab\",\"x\":0.5,"
                  "\"n\":-3}");
    textbuf_free(&b);
    memset(&b, 0, sizeof(b));
    app_json_row(&b, &row, APP_JSON_CSTR | APP_JSON_KIND_NAME);
    ASSERT_STR_EQ(b.tb_data,
                  "{\"kind\":\"posting\",\"posted_from\":\"2026-01-01\","
                  "\"summary\":null,\"note\":\"a\",\"key\":\"01ab\",\"x\":0.5,"
                  "\"n\":-3}");
    textbuf_free(&b);
    memset(&b, 0, sizeof(b));
    app_json_row(&b, &row, APP_JSON_KIND_NAME | APP_JSON_FIELD_NAMES);
    ASSERT_STR_EQ(b.tb_data,
                  "{\"kind\":\"posting\",\"from\":\"2026-01-01\",\"note\":"
                  "\"a\\u0000b\\\"\",\"key\":\"01ab\",\"x\":0.5,\"n\":-3}");
    textbuf_free(&b);
    ASSERT_STR_EQ(app_kind_name(KIND_AMEND), "amend");
}

/* `ilonet query` on a home: the attacks of issue 12 item 6 fail with one
 * line each and change nothing; ordinary queries still answer. */
static void
cli_query_attacks_fail(void)
{
    struct afx f;
    struct cli_out o;
    struct stat sb;
    char path[700], sql[900], hash0[200], hash1[200];
    const char *lf;

    afx_init(&f, "app-read-query");
    ASSERT_EQ(cli_run(&o, "-C", f.de, "status", (char *)NULL), 0);
    lf = strstr(o.co_out, "view_hash");
    ASSERT(lf);
    snprintf(hash0, sizeof(hash0), "%.80s", lf);
    cli_out_free(&o);

    /* ATTACH creates no file */
    snprintf(path, sizeof(path), "%s/attached.db", f.root);
    snprintf(sql, sizeof(sql), "ATTACH '%s' AS x", path);
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query", sql, (char *)NULL), 1);
    ASSERT_STR_EQ(o.co_err, "ilonet: query: ATTACH and DETACH are refused: a "
                            "query reads this store only\n");
    ASSERT_STR_EQ(o.co_out, "");
    cli_out_free(&o);
    ASSERT(stat(path, &sb) != 0);
    snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", path);
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query", sql, (char *)NULL), 1);
    cli_out_free(&o);
    ASSERT(stat(path, &sb) != 0);

    /* fts3_tokenizer refused (it prints and overwrites pointers) */
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query",
                      "SELECT fts3_tokenizer('simple')", (char *)NULL),
              1);
    ASSERT_STR_EQ(o.co_err, "ilonet: query: fts3_tokenizer(): refused: a "
                            "query may not call this function\n");
    ASSERT_STR_EQ(o.co_out, "");
    cli_out_free(&o);

    /* writable_schema refused */
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query", "PRAGMA writable_schema=1",
                      (char *)NULL),
              1);
    ASSERT_STR_EQ(o.co_err,
                  "ilonet: query: PRAGMA writable_schema = 1: refused: a "
                  "query changes no setting (pragmas that read only, such as "
                  "user_version or table_info)\n");
    cli_out_free(&o);

    /* a runaway recursive query is stopped by the step budget */
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query",
                      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 "
                      "FROM c) SELECT count(*) FROM c",
                      (char *)NULL),
              1);
    ASSERT(strstr(o.co_err, "ilonet: query: stopped after "));
    ASSERT(strchr(o.co_err, '\n') == o.co_err + strlen(o.co_err) - 1);
    cli_out_free(&o);

    /* ordinary queries of the view still work */
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query",
                      "SELECT count(*) AS n FROM observations", (char *)NULL),
              0);
    ASSERT_STR_EQ(o.co_out, "n\n4\n");
    cli_out_free(&o);
    ASSERT_EQ(cli_run(&o, "-C", f.de, "query",
                      "SELECT summary FROM observations WHERE state = 'FR'",
                      "--json", (char *)NULL),
              0);
    ASSERT_STR_EQ(o.co_out, "[\n{\"summary\":\"from FR\"}\n]\n");
    cli_out_free(&o);

    /* nothing changed, and the home still writes */
    ASSERT_EQ(cli_run(&o, "-C", f.de, "status", (char *)NULL), 0);
    lf = strstr(o.co_out, "view_hash");
    ASSERT(lf);
    snprintf(hash1, sizeof(hash1), "%.80s", lf);
    cli_out_free(&o);
    ASSERT_STR_EQ(hash0, hash1);
    afx_run(NULL, 0, "-C", f.de, "observe", "--category", "routes", "--summary",
            "after the attacks", (char *)NULL);
}

/* The keeper's step: the hash of status, computed only when the
 * fingerprint moved, cut short when asked to stop. */
static int
stop_now(void *arg)
{
    ++*(int *)arg;
    return 1;
}

/* The shared hash of audience (NULL: everything) in h's store is want
 * at fingerprint fp (view_hash_share()'s layout: version, fp, hash). */
static void
shared_is(struct home *h, const char *aud, const uint8_t *fp,
          const uint8_t *want)
{
    char key[48];
    uint8_t *v = NULL;
    size_t n = 0;

    snprintf(key, sizeof(key), "view_hash:%s", aud ? aud : "*");
    ASSERT_OK(store_meta_get(h->h_store, key, &v, &n));
    ASSERT_EQ(n, 4 + 2 * HASH_LEN);
    ASSERT(memcmp(v + 4, fp, HASH_LEN) == 0);
    ASSERT(memcmp(v + 4 + HASH_LEN, want, HASH_LEN) == 0);
    free(v);
}

static void
app_view_hash_keep_follows_the_fingerprint(void)
{
    static const char *const auds[] = {"net", "ms"};
    struct afx f;
    struct home h;
    struct app_status st;
    struct app_err err;
    uint8_t fp[HASH_LEN], fp2[HASH_LEN], hash[HASH_LEN], none[HASH_LEN];
    uint8_t afp[2][HASH_LEN], ah[2][HASH_LEN];
    int computed, asked = 0;

    afx_init(&f, "app-read-keep");
    /* each audience's hash, as a connection of its own computes it */
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));
    for (size_t i = 0; i < 2; i++) {
        ASSERT_OK(view_fingerprint(h.h_store, auds[i], afp[i]));
        ASSERT_OK(view_hash(h.h_store, auds[i], ah[i]));
    }
    ASSERT(memcmp(ah[0], ah[1], HASH_LEN) != 0);
    home_close(&h);
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));
    ASSERT_OK(app_status(&h, 0, &st, &err));
    ASSERT(st.as_hashed);
    /* nothing known: computed, the hash status shows */
    ASSERT_OK(
        app_view_hash_keep(&h, NULL, fp, hash, &computed, NULL, NULL, &err));
    ASSERT_EQ(computed, 1);
    ASSERT(memcmp(hash, st.as_view_hash, HASH_LEN) == 0);
    app_status_free(&st);
    /* and shared through the store, with each audience's */
    shared_is(&h, NULL, fp, hash);
    for (size_t i = 0; i < 2; i++)
        shared_is(&h, auds[i], afp[i], ah[i]);
    ASSERT_OK(app_view_fingerprint(&h, fp2, &err));
    ASSERT(memcmp(fp, fp2, HASH_LEN) == 0);
    /* the same fingerprint: nothing to compute */
    memset(none, 0, sizeof(none));
    ASSERT_OK(
        app_view_hash_keep(&h, fp, fp2, none, &computed, NULL, NULL, &err));
    ASSERT_EQ(computed, 0);
    ASSERT(memcmp(fp, fp2, HASH_LEN) == 0);
    /* without the hash, status computes none */
    ASSERT_OK(app_status(&h, APP_STATUS_NOHASH, &st, &err));
    ASSERT_EQ(st.as_hashed, 0);
    ASSERT(memcmp(st.as_view_hash, none, HASH_LEN) == 0);
    app_status_free(&st);
    home_close(&h);
    /* a write moves the fingerprint */
    afx_run(NULL, 0, "-C", f.de, "observe", "--category", "routes", "--summary",
            "one more", (char *)NULL);
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));
    ASSERT_OK(app_view_fingerprint(&h, fp2, &err));
    ASSERT(memcmp(fp, fp2, HASH_LEN) != 0);
    /* asked to stop: an error, no hash */
    ASSERT(app_view_hash_keep(&h, fp, fp2, hash, &computed, stop_now, &asked,
                              &err) != 0);
    ASSERT_EQ(computed, 0);
    ASSERT(asked > 0);
    /* and the connection goes on: the next step computes, and shares */
    ASSERT_OK(
        app_view_hash_keep(&h, fp, fp2, hash, &computed, NULL, NULL, &err));
    ASSERT_EQ(computed, 1);
    shared_is(&h, NULL, fp2, hash);
    home_close(&h);
}

/* The net audience's view hash as a connection of its own to dir finds
 * it (each step of the test below is another process's view). */
static void
net_hash_fresh(const char *dir, uint8_t out[static HASH_LEN])
{
    struct home h;

    ASSERT_OK(home_open(&h, dir, HOME_STORE));
    ASSERT_OK(view_hash(h.h_store, "net", out));
    home_close(&h);
}

/* Shares hash as the net audience's at fingerprint fp, from a connection
 * of its own to dir. */
static void
net_share(const char *dir, const uint8_t fp[static HASH_LEN],
          const uint8_t hash[static HASH_LEN])
{
    struct home h;

    ASSERT_OK(home_open(&h, dir, HOME_STORE));
    ASSERT_OK(view_hash_share(h.h_store, "net", fp, hash));
    home_close(&h);
}

/* A hash shared through the store (view_hash_share(), as the keeper does
 * after each computation) is what view_hash() answers on any connection
 * while the view has the fingerprint it came with, and is never used once
 * the view has moved, with another fingerprint, or from a build with
 * other rules: a made-up hash shows which one answered. */
static void
app_view_hash_share_is_used_only_while_current(void)
{
    struct afx f;
    struct home h;
    uint8_t fp[HASH_LEN], real[HASH_LEN], made[HASH_LEN], got[HASH_LEN];
    uint8_t *v = NULL;
    size_t n = 0;

    afx_init(&f, "app-read-share");
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));
    ASSERT_OK(view_hash(h.h_store, "net", real));
    ASSERT_OK(view_fingerprint(h.h_store, "net", fp));
    home_close(&h);
    memset(made, 0x5a, sizeof(made));
    /* not inside a transaction of the caller's */
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));
    ASSERT_OK(store_begin(h.h_store));
    ASSERT_ERR(view_hash_share(h.h_store, "net", fp, made), ILONET_EINVAL);
    ASSERT_OK(store_rollback(h.h_store));
    home_close(&h);
    /* with the current fingerprint: another connection takes it */
    net_share(f.de, fp, made);
    ASSERT_OK(home_open(&h, f.de, HOME_STORE));
    ASSERT_OK(view_hash(h.h_store, "net", got));
    ASSERT(memcmp(got, made, HASH_LEN) == 0);
    /* not for another audience */
    ASSERT_OK(view_hash(h.h_store, "ms", got));
    ASSERT(memcmp(got, made, HASH_LEN) != 0);
    /* from another view version: computed */
    ASSERT_OK(store_meta_get(h.h_store, "view_hash:net", &v, &n));
    ASSERT_EQ(n, 4 + 2 * HASH_LEN);
    v[3] ^= 1;
    ASSERT_OK(store_begin(h.h_store));
    ASSERT_OK(store_meta_set(h.h_store, "view_hash:net", v, n));
    ASSERT_OK(store_commit(h.h_store));
    free(v);
    home_close(&h);
    net_hash_fresh(f.de, got);
    ASSERT(memcmp(got, real, HASH_LEN) == 0);
    /* with another fingerprint: computed */
    fp[0] ^= 1;
    net_share(f.de, fp, made);
    fp[0] ^= 1;
    net_hash_fresh(f.de, got);
    ASSERT(memcmp(got, real, HASH_LEN) == 0);
    /* the current fingerprint, then a write: stale, not used */
    net_share(f.de, fp, made);
    afx_run(NULL, 0, "-C", f.de, "observe", "--category", "routes", "--summary",
            "after the share", (char *)NULL);
    net_hash_fresh(f.de, got);
    ASSERT(memcmp(got, made, HASH_LEN) != 0);
    ASSERT(memcmp(got, real, HASH_LEN) != 0);
}

TEST_LIST = {
    TEST(app_list_checks_each_filter),
    TEST(app_reads_on_a_home),
    TEST(app_json_row_forms),
    TEST(cli_query_attacks_fail),
    TEST(app_view_hash_keep_follows_the_fingerprint),
    TEST(app_view_hash_share_is_used_only_while_current),
};

TEST_MAIN()
