/* app_report.c - the report use cases, shared by `ilonet report` and GET
 * /api/report: build, narrative text, attestation. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "crypto/wire.h"
#include "storage/entry.h"

/* Fills err for a failed report call: the module's one-line reason, or
 * the code's text when it gave none. */
static int
app__report_fail(struct app_err *err, int rc, const char *why)
{
    return app_fail(err, rc, "%s", why[0] ? why : ilonet_strerror(rc));
}

/* A usage error naming field. */
static int
app__report_usage(struct app_err *err, const char *field, const char *what,
                  const char *val)
{
    app_fail(err, ILONET_EINVAL, "%s %s: %s", field, val ? val : "(none)",
             what);
    err->ae_usage = 1;
    snprintf(err->ae_field, sizeof(err->ae_field), "%s", field);
    return ILONET_EINVAL;
}

int
app_report_prepare(const struct app_report_req *rq, struct app_report_job *job,
                   struct app_err *err)
{
    struct report_template *t = NULL;
    struct report_rotation *rot = NULL;
    enum report_format f;
    char why[REPORT_ERR_MAX] = "";
    uint64_t a, b;
    int rc;

    if (!rq || !job)
        return app_fail(err, ILONET_EINVAL, "no request");
    if (!rq->arq_period || strlen(rq->arq_period) > REPORT_PERIOD_MAX ||
        report_period_parse(rq->arq_period, &a, &b) != 0)
        return app__report_usage(err, "period", "not YYYY-H1, YYYY-H2 or YYYY",
                                 rq->arq_period);
    f = rq->arq_format ? rq->arq_format : REPORT_MD;
    if (f != REPORT_MD && f != REPORT_HTML && f != REPORT_JSON) {
        app_fail(err, ILONET_EINVAL, "unknown format (md, html or json)");
        err->ae_usage = 1;
        snprintf(err->ae_field, sizeof(err->ae_field), "format");
        return ILONET_EINVAL;
    }
    /* no template given: the one the home's vocabulary names, chosen by
     * app_report_build() */
    rc =
        rq->arq_template
            ? report_template_parse(rq->arq_template, rq->arq_template_len,
                                    rq->arq_template_name, &t, why, sizeof(why))
            : 0;
    if (rc != 0)
        return app__report_fail(err, rc, why);
    if (rq->arq_rotation)
        rc = report_rotation_parse(rq->arq_rotation, rq->arq_rotation_len,
                                   rq->arq_rotation_name, &rot, why,
                                   sizeof(why));
    else
        rc = report_default_rotation(&rot, why, sizeof(why));
    if (rc != 0) {
        report_template_free(t);
        return app__report_fail(err, rc, why);
    }
    memset(job, 0, sizeof(*job));
    job->arj_template = t;
    job->arj_rotation = rot;
    snprintf(job->arj_period, sizeof(job->arj_period), "%s", rq->arq_period);
    job->arj_format = f;
    job->arj_marking = rq->arq_marking;
    job->arj_annex_ms = rq->arq_annex_ms;
    job->arj_drafts = rq->arq_drafts;
    return 0;
}

void
app_report_release(struct app_report_job *job)
{
    if (!job)
        return;
    report_template_free(job->arj_template);
    report_rotation_free(job->arj_rotation);
    memset(job, 0, sizeof(*job));
}

/* The template of job, else the one h's vocabulary names (*own, freed by
 * the caller). */
static int
app__report_template(struct home *h, const struct app_report_job *job,
                     const struct report_template **t,
                     struct report_template **own, struct app_err *err)
{
    const struct vocab_report *vr = vocab_report(h->h_vocab);
    char why[REPORT_ERR_MAX] = "";
    int rc;

    *own = NULL;
    *t = job ? job->arj_template : NULL;
    if (*t)
        return 0;
    if ((rc = report_builtin_template(vr->vp_template, own, why,
                                      sizeof(why))) != 0)
        return app__report_fail(err, rc, why);
    *t = *own;
    return 0;
}

/* Checks h can draw up a report. */
static int
app__report_home(struct home *h, struct app_err *err)
{
    if (!h->h_store)
        return app_fail(err, ILONET_EINVAL, "the home's store is not open");
    if (!h->h_has_cert)
        return app_fail(err, ILONET_EUNKNOWNAUTHOR,
                        "no certificate installed (ilonet cert install "
                        "FILE)");
    return 0;
}

int
app_report_build(struct home *h, const struct app_report_job *job, char **doc,
                 size_t *len, struct report_digest *dg, struct app_err *err)
{
    struct report_template *own = NULL;
    const struct report_template *t;
    struct report_opts ro;
    char why[REPORT_ERR_MAX] = "", *d = NULL;
    size_t n = 0;
    int rc;

    if (!h || !job || !doc || !len)
        return app_fail(err, ILONET_EINVAL, "no report to build");
    if ((rc = app__report_home(h, err)) != 0)
        return rc;
    /* The `ms` audience is for Member States only (DESIGN §4). */
    if (job->arj_annex_ms && !cert_role_is_ms(h->h_cert.c_role))
        return app_fail(err, ILONET_EAUDIENCE,
                        "annex ms: this node (%s) is not a Member State's "
                        "and may not read the Member-States-only audience",
                        h->h_cert.c_state);
    /* the regime decides the template (unless one was given) and who
     * drafts: the presidency (377-2004) or the network's chair */
    if ((rc = app__report_template(h, job, &t, &own, err)) != 0)
        return rc;
    memset(&ro, 0, sizeof(ro));
    ro.ro_drafter = vocab_report(h->h_vocab)->vp_drafter;
    ro.ro_period = job->arj_period;
    ro.ro_format = job->arj_format;
    ro.ro_host = h->h_net.n_host;
    ro.ro_countries = h->h_net.n_countries;
    ro.ro_network = h->h_net.n_id;
    ro.ro_regime = h->h_net.n_regime[0] ? h->h_net.n_regime : "377-2004";
    ro.ro_marking = job->arj_marking;
    ro.ro_vocab = h->h_vocab;
    ro.ro_annex_ms = job->arj_annex_ms;
    ro.ro_drafts = job->arj_drafts;
    rc = report_build(h->h_store, t, job->arj_rotation, &ro, &d, &n, dg, why,
                      sizeof(why));
    report_template_free(own);
    if (rc != 0)
        return app__report_fail(err, rc, why);
    *doc = d;
    *len = n;
    return 0;
}

int
app_report_text(struct home *h, const char *period, const char *section,
                const char *text, size_t len, struct app_written *out,
                struct app_err *err)
{
    struct report_template *own = NULL;
    const struct report_template *t;
    struct app_field f[3];
    struct app_record_req rq;
    char why[REPORT_ERR_MAX] = "", *copy;
    uint64_t a, b;
    int rc;

    if (!h || !section || !text || !out)
        return app_fail(err, ILONET_EINVAL, "no text to sign");
    if (!period || strlen(period) > REPORT_PERIOD_MAX ||
        report_period_parse(period, &a, &b) != 0)
        return app__report_usage(err, "period", "not YYYY-H1, YYYY-H2 or YYYY",
                                 period);
    if (len == 0 || memchr(text, '\0', len))
        return app__report_usage(err, "text", "empty or holds a NUL byte",
                                 section);
    if ((rc = app__report_home(h, err)) != 0)
        return rc;
    if ((rc = app__report_template(h, NULL, &t, &own, err)) != 0)
        return rc;
    rc = report_template_section(t, section, why, sizeof(why));
    report_template_free(own);
    if (rc != 0) {
        /* a bad argument, whatever the template lookup said */
        app__report_fail(err, ILONET_EINVAL, why);
        snprintf(err->ae_field, sizeof(err->ae_field), "section");
        return ILONET_EINVAL;
    }
    if (!(copy = malloc(len + 1)))
        return app_fail(err, ILONET_ENOMEM, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    f[0] = (struct app_field){"period", period};
    f[1] = (struct app_field){"section", section};
    f[2] = (struct app_field){"text", copy};
    memset(&rq, 0, sizeof(rq));
    rq.rq_kind = KIND_REPORT_TEXT;
    rq.rq_fields = f;
    rq.rq_nfields = 3;
    rq.rq_audience = "net";
    rc = app_record_create(h, &rq, out, err);
    free(copy);
    return rc;
}

/* 1 when this node's latest attestation of period (the merge rules keep
 * one per node) already names report; 0 when it names another or there is
 * none; a negative code when the view cannot be read. */
static int
app__attested(struct home *h, const char *period,
              const uint8_t report[static HASH_LEN])
{
    struct view_report_attest *a = NULL;
    size_t n = 0;
    int rc, same = 0;

    if ((rc = view_report_attests(h->h_store, period, &a, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (memcmp(a[i].va_node, h->h_key.pk, KEY_PK_LEN) == 0)
            same = memcmp(a[i].va_report, report, HASH_LEN) == 0;
    view_report_attests_free(a, n);
    return same;
}

/* app_report_attest, or with only_changed set: nothing written (*wrote 0)
 * when this node already attested the hash the report has now. */
static int
app__report_attest(struct home *h, const char *period, const char *marking,
                   int only_changed, struct app_written *out,
                   struct report_digest *dg, int *wrote, struct app_err *err)
{
    struct app_report_req rq;
    struct app_report_job job;
    struct report_digest d;
    struct app_field f[4];
    struct app_record_req wr;
    char rep[2 * HASH_LEN + 1], view[2 * HASH_LEN + 1], tv[65];
    char *doc = NULL;
    size_t dlen = 0;
    struct report_template *own = NULL;
    const struct report_template *t;
    int rc;

    if (!h || !out)
        return app_fail(err, ILONET_EINVAL, "no report to attest");
    memset(&rq, 0, sizeof(rq));
    rq.arq_period = period;
    rq.arq_marking = marking;
    if ((rc = app_report_prepare(&rq, &job, err)) != 0)
        return rc;
    rc = app_report_build(h, &job, &doc, &dlen, &d, err);
    free(doc);
    if (rc == 0 && (rc = app__report_template(h, &job, &t, &own, err)) == 0) {
        snprintf(tv, sizeof(tv), "%s", report_template_version(t));
        report_template_free(own);
    }
    app_report_release(&job);
    if (rc != 0)
        return rc;
    if (only_changed) {
        if ((rc = app__attested(h, period, d.rd_report)) < 0)
            return app_fail(err, rc, "reading the attestations of %s: %s",
                            period, ilonet_strerror(rc));
        if (rc == 1) {
            if (dg)
                *dg = d;
            *wrote = 0;
            return 0;
        }
    }
    hash_hex(d.rd_report, HASH_LEN, rep);
    hash_hex(d.rd_view, HASH_LEN, view);
    f[0] = (struct app_field){"period", period};
    f[1] = (struct app_field){"report", rep};
    f[2] = (struct app_field){"template", tv};
    f[3] = (struct app_field){"view", view};
    memset(&wr, 0, sizeof(wr));
    wr.rq_kind = KIND_REPORT_ATTEST;
    wr.rq_fields = f;
    wr.rq_nfields = 4;
    wr.rq_audience = "net";
    if ((rc = app_record_create(h, &wr, out, err)) != 0)
        return rc;
    if (dg)
        *dg = d;
    *wrote = 1;
    return 0;
}

int
app_report_attest(struct home *h, const char *period, const char *marking,
                  struct app_written *out, struct report_digest *dg,
                  struct app_err *err)
{
    int wrote;

    return app__report_attest(h, period, marking, 0, out, dg, &wrote, err);
}

int
app_report_attest_changed(struct home *h, const char *period,
                          const char *marking, struct app_written *out,
                          struct report_digest *dg, int *wrote,
                          struct app_err *err)
{
    int w = 0, rc;

    if (!wrote)
        return app_fail(err, ILONET_EINVAL, "no report to attest");
    rc = app__report_attest(h, period, marking, 1, out, dg, &w, err);
    if (rc == 0)
        *wrote = w;
    return rc;
}

/* ---- checking a received report offline ------------------------------ */

/* The period and report hash of an attestation's payload (a canonical
 * map with str keys). */
static int
app__attest_fields(const uint8_t *p, size_t n, char period[static 17],
                   uint8_t report[static HASH_LEN])
{
    struct wire_rd r;
    uint64_t pairs;
    int got = 0;

    wire_rd_init(&r, p, n, ILONET_EMALFORMED);
    if (wire_rd_map(&r, &pairs) != 0)
        return ILONET_EMALFORMED;
    for (uint64_t i = 0; i < pairs; i++) {
        const char *k, *v;
        size_t kn, vn;

        if (wire_rd_str(&r, &k, &kn) != 0)
            return ILONET_EMALFORMED;
        if (kn == 6 && memcmp(k, "period", 6) == 0) {
            if (wire_rd_str(&r, &v, &vn) != 0 || vn > 16)
                return ILONET_EMALFORMED;
            memcpy(period, v, vn);
            period[vn] = '\0';
            got |= 1;
        } else if (kn == 6 && memcmp(k, "report", 6) == 0) {
            if (wire_rd_bin_fixed(&r, report, HASH_LEN) != 0)
                return ILONET_EMALFORMED;
            got |= 2;
        } else if (wire_rd_skip(&r) != 0) {
            return ILONET_EMALFORMED;
        }
    }
    return got == 3 && wire_rd_done(&r) == 0 ? 0 : ILONET_EMALFORMED;
}

/* 0 when attestation a checks against h (roster, network) for period;
 * its state and report hash into state and rep. */
static int
app__attest_check(struct home *h, const struct report_file_attest *a,
                  const char *period, char state[static KEY_STATE_MAX + 1],
                  uint8_t rep[static HASH_LEN])
{
    struct cert c;
    struct entry e;
    uint8_t log[HASH_LEN], ph[HASH_LEN];
    char per[17];

    if (cert_verify(a->fa_cert, a->fa_cert_len, &h->h_roster, h->h_net.n_id,
                    &c) != 0)
        return ILONET_EUNKNOWNAUTHOR;
    memset(&e, 0, sizeof(e));
    if (a->fa_hdr_len > ENTRY_HEADER_MAX || a->fa_sig_len != KEY_SIG_LEN ||
        entry_header_decode(a->fa_hdr, a->fa_hdr_len, &e.e_h) != 0)
        return ILONET_EMALFORMED;
    memcpy(e.e_hdr, a->fa_hdr, a->fa_hdr_len);
    e.e_hdr_len = a->fa_hdr_len;
    memcpy(e.e_sig, a->fa_sig, KEY_SIG_LEN);
    if (entry_verify_sig(&e, c.c_node) != 0)
        return ILONET_EBADSIG;
    entry_log_id(h->h_net.n_id, c.c_node, "net", log);
    entry_payload_hash(a->fa_payload, a->fa_payload_len, ph);
    if (memcmp(log, e.e_h.h_log, HASH_LEN) != 0 ||
        e.e_h.h_kind != KIND_REPORT_ATTEST ||
        e.e_h.h_payload_len != a->fa_payload_len ||
        memcmp(ph, e.e_h.h_payload_hash, HASH_LEN) != 0)
        return ILONET_EBADSIG;
    if (app__attest_fields(a->fa_payload, a->fa_payload_len, per, rep) != 0 ||
        strcmp(per, period) != 0)
        return ILONET_EMALFORMED;
    snprintf(state, KEY_STATE_MAX + 1, "%s", c.c_state);
    return 0;
}

int
app_report_verify(struct home *h, const char *doc, size_t len,
                  struct app_report_check *out, struct app_err *err)
{
    struct report_file f;
    struct report_digest d;
    struct app_report_check ck;
    char why[REPORT_ERR_MAX] = "", same[256] = "", differ[256] = "";
    int rc;

    if (!h || !doc || !out)
        return app_fail(err, ILONET_EINVAL, "no report to verify");
    if ((rc = report_file_parse(doc, len, &f, why, sizeof(why))) != 0)
        return app__report_fail(err, rc, why);
    memset(&ck, 0, sizeof(ck));
    ck.ac_format = f.rf_format;
    snprintf(ck.ac_period, sizeof(ck.ac_period), "%s", f.rf_period);
    memcpy(ck.ac_report, f.rf_dg.rd_report, HASH_LEN);
    d = f.rf_dg;
    report_digest_finish(&d);
    if (memcmp(f.rf_network, h->h_net.n_id, NET_ID_LEN) != 0) {
        rc = app_fail(err, ILONET_ENETWORK,
                      "the report is of another network than this home's");
        goto out;
    }
    if (memcmp(f.rf_body, f.rf_dg.rd_body[f.rf_format - 1], HASH_LEN) != 0) {
        rc = app_fail(err, ILONET_EBADSIG,
                      "body altered: the %s body does not hash to the body "
                      "hash its final annex lists",
                      report_format_name(f.rf_format));
        goto out;
    }
    if (memcmp(d.rd_report, f.rf_dg.rd_report, HASH_LEN) != 0) {
        rc = app_fail(err, ILONET_EBADSIG,
                      "verification block altered: the report hash is not "
                      "the hash of the three body hashes");
        goto out;
    }
    for (size_t i = 0; i < f.rf_nattest; i++) {
        char st[KEY_STATE_MAX + 1];
        uint8_t rep[HASH_LEN];
        char *list;

        if (app__attest_check(h, &f.rf_attest[i], f.rf_period, st, rep) != 0) {
            ck.ac_invalid++;
            continue;
        }
        list = memcmp(rep, f.rf_dg.rd_report, HASH_LEN) == 0 ? same : differ;
        if (list == same)
            ck.ac_same++;
        else
            ck.ac_differ++;
        snprintf(list + strlen(list), sizeof(same) - strlen(list), "%s%s",
                 list[0] ? "," : "", st);
    }
    snprintf(ck.ac_same_states, sizeof(ck.ac_same_states), "%s", same);
    *out = ck;
    rc = 0;
out:
    report_file_free(&f);
    return rc;
}

/* ---- the cross-network overview ------------------------------------- */

#define APP__OVERVIEW_MAX 64

static int
app__name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when dir/name is a node home (a network file and a certificate). */
static int
app__is_home(const char *parent, const char *name)
{
    char p[HOME_PATH_MAX + 64];
    struct stat sb;

    if (name[0] == '.')
        return 0;
    snprintf(p, sizeof(p), "%s/%s/network", parent, name);
    if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    snprintf(p, sizeof(p), "%s/%s/node.cert", parent, name);
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* One network's row from the home at dir. */
static void
app__overview_one(const char *dir, const char *period,
                  const struct report_rotation *rot,
                  struct report_overview_net *row)
{
    struct report_template *own = NULL;
    struct report_opts ro;
    struct home h;
    char why[REPORT_ERR_MAX] = "", regime[NETWORK_REGIME_MAX + 1];
    int rc;

    memset(row, 0, sizeof(*row));
    if ((rc = home_open(&h, dir, HOME_STORE)) != 0) {
        snprintf(row->on_host, sizeof(row->on_host), "?");
        snprintf(row->on_name, sizeof(row->on_name), "%s", dir);
        snprintf(row->on_error, sizeof(row->on_error), "%s: %s", dir,
                 h.h_why[0] ? h.h_why : ilonet_strerror(rc));
        return;
    }
    snprintf(row->on_host, sizeof(row->on_host), "%s", h.h_net.n_host);
    snprintf(row->on_name, sizeof(row->on_name), "%s", h.h_net.n_host);
    snprintf(row->on_regime, sizeof(row->on_regime), "%s",
             h.h_net.n_regime[0] ? h.h_net.n_regime : "377-2004");
    hash_hex(h.h_net.n_id, 8, row->on_network);
    if (!h.h_has_cert) {
        snprintf(row->on_error, sizeof(row->on_error),
                 "no certificate installed");
        goto out;
    }
    if ((rc = report_builtin_template(vocab_report(h.h_vocab)->vp_template,
                                      &own, why, sizeof(why))) != 0) {
        snprintf(row->on_error, sizeof(row->on_error), "%s", why);
        goto out;
    }
    memset(&ro, 0, sizeof(ro));
    ro.ro_drafter = vocab_report(h.h_vocab)->vp_drafter;
    ro.ro_period = period;
    ro.ro_format = REPORT_MD;
    ro.ro_host = h.h_net.n_host;
    ro.ro_countries = h.h_net.n_countries;
    ro.ro_network = h.h_net.n_id;
    /* not row's copy: report_overview_net() clears row first */
    snprintf(regime, sizeof(regime), "%s", row->on_regime);
    ro.ro_regime = regime;
    ro.ro_vocab = h.h_vocab;
    {
        /* report_overview_net() clears row first: keep what is known */
        struct report_overview_net keep = *row;

        if ((rc = report_overview_net(h.h_store, own, rot, &ro, row, why,
                                      sizeof(why))) != 0) {
            *row = keep;
            snprintf(row->on_error, sizeof(row->on_error), "%s",
                     why[0] ? why : ilonet_strerror(rc));
        }
    }
out:
    report_template_free(own);
    home_close(&h);
}

int
app_report_overview(const char *parent, const char *period,
                    enum report_format f, char **doc, size_t *len, size_t *n,
                    struct app_err *err)
{
    struct report_overview_net *rows = NULL;
    struct report_rotation *rot = NULL;
    char *names[APP__OVERVIEW_MAX], why[REPORT_ERR_MAX] = "";
    size_t k = 0;
    struct dirent *de;
    uint64_t a, b;
    DIR *d;
    int rc;

    if (!parent || !doc || !len || !n)
        return app_fail(err, ILONET_EINVAL, "no overview to build");
    if (!period || strlen(period) > REPORT_PERIOD_MAX ||
        report_period_parse(period, &a, &b) != 0)
        return app__report_usage(err, "period", "not YYYY-H1, YYYY-H2 or YYYY",
                                 period);
    if (!(d = opendir(parent)))
        return app_fail(err, ILONET_ENOTFOUND, "%s: %s", parent,
                        "cannot read the directory of homes");
    while ((de = readdir(d)) && k < APP__OVERVIEW_MAX)
        if (app__is_home(parent, de->d_name) &&
            (names[k] = strdup(de->d_name)) != NULL)
            k++;
    closedir(d);
    if (k == 0)
        return app_fail(err, ILONET_ENOTFOUND,
                        "%s: no node home under it (one home per network, "
                        "each a subdirectory with a network file and "
                        "node.cert)",
                        parent);
    qsort(names, k, sizeof(names[0]), app__name_cmp);
    rc = report_default_rotation(&rot, why, sizeof(why));
    if (rc == 0 && !(rows = calloc(k, sizeof(*rows))))
        rc = ILONET_ENOMEM;
    for (size_t i = 0; rc == 0 && i < k; i++) {
        char dir[HOME_PATH_MAX];

        snprintf(dir, sizeof(dir), "%s/%s", parent, names[i]);
        app__overview_one(dir, period, rot, &rows[i]);
    }
    if (rc == 0)
        rc = report_overview_render(rows, k, period, f, doc, len);
    if (rc == 0)
        *n = k;
    else
        app__report_fail(err, rc, why);
    for (size_t i = 0; i < k; i++)
        free(names[i]);
    free(rows);
    report_rotation_free(rot);
    return rc;
}
