/* app_report.c - the semester report use case, shared by `ilonet report` and
 * GET /api/report. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "crypto/error.h"

/* Fills err for a failed report call: the module's one-line reason, or
 * the code's text when it gave none. */
static int
app__report_fail(struct app_err *err, int rc, const char *why)
{
    return app_fail(err, rc, "%s", why[0] ? why : ilonet_strerror(rc));
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
    if (!rq->arq_semester ||
        report_semester_parse(rq->arq_semester, &a, &b) != 0) {
        app_fail(err, ILONET_EINVAL, "semester %s: not YYYY-H1 or YYYY-H2",
                 rq->arq_semester ? rq->arq_semester : "(none)");
        err->ae_usage = 1;
        snprintf(err->ae_field, sizeof(err->ae_field), "semester");
        return ILONET_EINVAL;
    }
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
    snprintf(job->arj_semester, sizeof(job->arj_semester), "%s",
             rq->arq_semester);
    job->arj_format = f;
    job->arj_date = rq->arq_date;
    job->arj_post = rq->arq_post;
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

int
app_report_build(struct home *h, const struct app_report_job *job, char **doc,
                 size_t *len, struct app_err *err)
{
    const struct vocab_report *vr;
    struct report_template *own = NULL;
    const struct report_template *t;
    struct report_opts ro;
    char why[REPORT_ERR_MAX] = "", *d = NULL;
    size_t n = 0;
    int rc;

    if (!h || !job || !doc || !len)
        return app_fail(err, ILONET_EINVAL, "no report to build");
    if (!h->h_store)
        return app_fail(err, ILONET_EINVAL, "the home's store is not open");
    if (!h->h_has_cert)
        return app_fail(err, ILONET_EUNKNOWNAUTHOR,
                        "no certificate installed (ilonet cert install "
                        "FILE)");
    /* the regime decides the template (unless one was given) and who
     * drafts: the presidency (377-2004) or the network's chair */
    vr = vocab_report(h->h_vocab);
    t = job->arj_template;
    if (!t && (rc = report_builtin_template(vr->vp_template, &own, why,
                                            sizeof(why))) != 0)
        return app__report_fail(err, rc, why);
    if (!t)
        t = own;
    memset(&ro, 0, sizeof(ro));
    ro.ro_drafter = vr->vp_drafter;
    ro.ro_semester = job->arj_semester;
    ro.ro_format = job->arj_format;
    ro.ro_host = h->h_net.n_host;
    ro.ro_network = h->h_net.n_id;
    /* The `ms` audience is for Member States only (DESIGN §4). */
    ro.ro_member_state = cert_role_is_ms(h->h_cert.c_role);
    ro.ro_date = job->arj_date;
    ro.ro_post = job->arj_post;
    rc = report_build(h->h_store, t, job->arj_rotation, &ro, &d, &n, why,
                      sizeof(why));
    report_template_free(own);
    if (rc != 0)
        return app__report_fail(err, rc, why);
    *doc = d;
    *len = n;
    return 0;
}
