/* http_report.c - the JSON API's report endpoint. */
#include "http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "node/report/report.h"
#include "storage/entry.h"
#include "storage/log.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
void
http__report(struct home *h, struct http__req *rq, struct http__resp *rs)
{
    const char *sem = http__query_param(rq, "semester");
    const char *fmt = http__query_param(rq, "format");
    const char *dl = http__query_param(rq, "download");
    struct report_template *t = NULL;
    struct report_rotation *rot = NULL;
    struct report_opts ro;
    enum report_format f = REPORT_MD;
    char err[REPORT_ERR_MAX] = "", *doc = NULL;
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
    if (report_semester_parse(sem, &a, &b) != 0) {
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
    if (report_default_template(&t, err, sizeof(err)) != 0 ||
        report_default_rotation(&rot, err, sizeof(err)) != 0) {
        http__error(rs, 500, "invalid-argument", "%s", err);
        goto out;
    }
    memset(&ro, 0, sizeof(ro));
    ro.ro_semester = sem;
    ro.ro_format = f;
    ro.ro_host = h->h_net.n_host;
    ro.ro_network = h->h_net.n_id;
    ro.ro_member_state = cert_role_is_ms(h->h_cert.c_role);
    rc = report_build(h->h_store, t, rot, &ro, &doc, &dlen, err, sizeof(err));
    if (rc != 0) {
        http__error(rs, rc == ILONET_EINVAL ? 400 : 500, ilonet_errname(rc),
                    "%s", err[0] ? err : ilonet_strerror(rc));
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
                 sem, f == REPORT_HTML ? "html" : f == REPORT_JSON ? "json"
                                                                   : "md");
out:
    free(doc);
    report_template_free(t);
    report_rotation_free(rot);
}
