/* http_report.c - the JSON API's report endpoint. */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "node/app/app.h"
#include "node/report/report.h"

/* GET /api/report?semester=YYYY-H1|H2|period=P[&format=md|html|json]
 * [&download=1][&drafts=1]: the report of a semester (or of a period,
 * "2026" for a year) from the built-in template and rotation, built by the
 * use case the CLI's `ilonet report` calls (node/app/app.h); drafts=1 is
 * the drafter's working copy (`report --drafts`: other states' narrative
 * texts shown as drafts; the page's narrative form reads it). */
void
http__report(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    const char *per = http__query_param(rq, "period");
    const char *sem = per ? per : http__query_param(rq, "semester");
    const char *fmt = http__query_param(rq, "format");
    const char *dl = http__query_param(rq, "download");
    const char *drafts = http__query_param(rq, "drafts");
    struct app_report_req req;
    struct app_report_job job = {0};
    struct app_err err;
    enum report_format f = REPORT_MD;
    char *doc = NULL;
    size_t dlen = 0;
    uint64_t a, b;
    int rc;

    if (http__params_done(rq, rs) != 0)
        return;
    if (!sem) {
        http__error(rs, 400, "invalid-argument",
                    "query 'semester': required (YYYY-H1 or YYYY-H2)");
        return;
    }
    if (per && report_period_parse(per, &a, &b) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'period': %.40s: not YYYY-H1, YYYY-H2 or YYYY", per);
        return;
    }
    if (!per && report_semester_parse(sem, &a, &b) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'semester': %.40s: not YYYY-H1 or YYYY-H2 (e.g. "
                    "2026-H2)",
                    sem);
        return;
    }
    if (fmt && report_format_parse(fmt, &f) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'format': %.40s: unknown format (md, html or json)",
                    fmt);
        return;
    }
    if (dl && strcmp(dl, "0") != 0 && strcmp(dl, "1") != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'download': 0 or 1 expected");
        return;
    }
    if (drafts && strcmp(drafts, "0") != 0 && strcmp(drafts, "1") != 0) {
        http__error(rs, 400, "invalid-argument",
                    "query 'drafts': 0 or 1 expected");
        return;
    }
    memset(&req, 0, sizeof(req));
    req.arq_period = sem;
    req.arq_drafts = drafts && strcmp(drafts, "1") == 0;
    req.arq_format = f;
    /* Only the built-in template and rotation can fail here: a fault of
     * the binary, not of the request. */
    if (app_report_prepare(&req, &job, &err) != 0) {
        http__error(rs, 500, "invalid-argument", "%s", err.ae_msg);
        return;
    }
    rc = app_report_build(h, &job, &doc, &dlen, NULL, &err);
    if (rc != 0) {
        http__error(rs, rc == ILONET_EINVAL ? 400 : 500, ilonet_errname(rc),
                    "%s", err.ae_msg);
        goto out;
    }
    textbuf_put(&rs->rs_body, doc, dlen);
    rs->rs_status = 200;
    rs->rs_type = f == REPORT_HTML   ? "text/html; charset=utf-8"
                  : f == REPORT_JSON ? "application/json"
                                     : "text/markdown; charset=utf-8";
    if (dl && strcmp(dl, "1") == 0)
        snprintf(rs->rs_disposition, sizeof(rs->rs_disposition),
                 "attachment; filename=\"report-%s-%s.%s\"", h->h_net.n_host,
                 sem,
                 f == REPORT_HTML   ? "html"
                 : f == REPORT_JSON ? "json"
                                    : "md");
out:
    free(doc);
    app_report_release(&job);
}
