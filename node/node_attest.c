/* node_attest.c - a running node attests the last closed period's report
 * once its view has settled (node_int.h says when, and on which thread). */
#include "node_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/hash.h"
#include "app/app.h"

/* After a failed check: not again before this (at least the quiet
 * interval). */
#define NODE__ATTEST_RETRY_MS 60000

struct node__attest {
    uv_loop_t *at_loop;
    node__attest_log_fn at_log;
    void *at_arg;
    char at_dir[HOME_PATH_MAX];
    char at_kind[16];    /* "semester" or "year" */
    uint64_t at_quiet;   /* ms */
    uint64_t at_gen;     /* view_gen last seen */
    uint64_t at_changed; /* when it last moved */
    int at_checked;      /* a check succeeded at at_checked_gen ... */
    uint64_t at_checked_gen;
    char at_checked_period[REPORT_PERIOD_MAX + 1]; /* ... for this period */
    uint64_t at_retry; /* after a failure: not before */
    int at_busy, at_stopped;
    uv_work_t at_work;
    /* the check in flight: filled on the loop thread before it is queued,
     * results by the pool thread, read back on the loop thread */
    uint64_t at_job_gen;
    char at_job_period[REPORT_PERIOD_MAX + 1];
    int at_job_rc, at_job_wrote;
    uint8_t at_job_report[HASH_LEN];
    char at_job_msg[256];
};

void
node__attest_last_period(uint64_t ms, const char *kind,
                         char out[static REPORT_PERIOD_MAX + 1])
{
    char sem[8];
    int y;

    report_semester_of(ms, sem);
    y = atoi(sem);
    if (kind && strcmp(kind, "year") == 0)
        snprintf(out, REPORT_PERIOD_MAX + 1, "%04d", (y - 1) % 10000);
    else if (sem[6] == '2')
        snprintf(out, REPORT_PERIOD_MAX + 1, "%04d-H1", y % 10000);
    else
        snprintf(out, REPORT_PERIOD_MAX + 1, "%04d-H2", (y - 1) % 10000);
}

int
node__attest_new(uv_loop_t *loop, const struct home *h, uint64_t now,
                 node__attest_log_fn log, void *arg, struct node__attest **out)
{
    struct node__attest *a;
    const char *kind;

    if (!loop || !h || !log || !out)
        return ILONET_EINVAL;
    if (!h->h_conf.hc_auto_attest) {
        *out = NULL;
        return 0;
    }
    if (!(a = calloc(1, sizeof(*a))))
        return ILONET_ENOMEM;
    a->at_loop = loop;
    a->at_log = log;
    a->at_arg = arg;
    snprintf(a->at_dir, sizeof(a->at_dir), "%s", h->h_dir);
    kind = h->h_vocab ? vocab_report(h->h_vocab)->vp_period : NULL;
    snprintf(a->at_kind, sizeof(a->at_kind), "%s", kind ? kind : "semester");
    a->at_quiet =
        (uint64_t)(h->h_conf.hc_attest_quiet_s ? h->h_conf.hc_attest_quiet_s
                                               : HOME_ATTEST_QUIET_DEFAULT) *
        1000;
    a->at_changed = now;
    a->at_work.data = a;
    *out = a;
    return 0;
}

/* Pool thread: a home of its own (a store connection of its own), the
 * report built, signed when its hash is new. Touches only at_job_*. */
static void
node__attest_work(uv_work_t *w)
{
    struct node__attest *a = w->data;
    struct home *h;
    struct app_written wr;
    struct report_digest dg;
    struct app_err err;
    int rc;

    a->at_job_wrote = 0;
    a->at_job_msg[0] = '\0';
    if (!(h = malloc(sizeof(*h)))) {
        a->at_job_rc = ILONET_ENOMEM;
        return;
    }
    if ((rc = home_open(h, a->at_dir, HOME_STORE)) != 0) {
        snprintf(a->at_job_msg, sizeof(a->at_job_msg), "opening the home: %s",
                 h->h_why[0] ? h->h_why : ilonet_strerror(rc));
        a->at_job_rc = rc;
        free(h);
        return;
    }
    memset(&err, 0, sizeof(err));
    rc = app_report_attest_changed(h, a->at_job_period, NULL, &wr, &dg,
                                   &a->at_job_wrote, &err);
    if (rc == 0)
        memcpy(a->at_job_report, dg.rd_report, HASH_LEN);
    else
        snprintf(a->at_job_msg, sizeof(a->at_job_msg), "%s", err.ae_msg);
    a->at_job_rc = rc;
    home_close(h);
    free(h);
}

/* Loop thread: the check's result. */
static void
node__attest_done(uv_work_t *w, int status)
{
    struct node__attest *a = w->data;
    char line[400], hex[2 * HASH_LEN + 1];

    a->at_busy = 0;
    if (status != 0 || a->at_stopped)
        return; /* cancelled, or the node is stopping */
    if (a->at_job_rc != 0) {
        snprintf(line, sizeof(line),
                 "report: attesting %s failed: %s: %s (tried again later)",
                 a->at_job_period, ilonet_errname(a->at_job_rc), a->at_job_msg);
        a->at_log(a->at_arg, line);
        a->at_retry = uv_now(a->at_loop) + (a->at_quiet > NODE__ATTEST_RETRY_MS
                                                ? a->at_quiet
                                                : NODE__ATTEST_RETRY_MS);
        return;
    }
    a->at_checked = 1;
    a->at_checked_gen = a->at_job_gen;
    memcpy(a->at_checked_period, a->at_job_period, sizeof(a->at_job_period));
    if (a->at_job_wrote) {
        hash_hex(a->at_job_report, HASH_LEN, hex);
        snprintf(line, sizeof(line),
                 "report: attested %s, report %.16s (view settled)",
                 a->at_job_period, hex);
        a->at_log(a->at_arg, line);
    }
}

void
node__attest_tick(struct node__attest *a, uint64_t now, uint64_t view_gen,
                  int settled_peers)
{
    char period[REPORT_PERIOD_MAX + 1];
    int rc;

    if (!a || a->at_busy || a->at_stopped)
        return;
    if (view_gen != a->at_gen) {
        a->at_gen = view_gen;
        a->at_changed = now;
    }
    if (now < a->at_changed + a->at_quiet || !settled_peers ||
        uv_now(a->at_loop) < a->at_retry)
        return;
    /* the last period that ended: "the period has ended" by definition */
    node__attest_last_period(now, a->at_kind, period);
    if (a->at_checked && a->at_checked_gen == view_gen &&
        strcmp(a->at_checked_period, period) == 0)
        return; /* this view was checked for this period */
    a->at_job_gen = view_gen;
    memcpy(a->at_job_period, period, sizeof(period));
    if ((rc = uv_queue_work(a->at_loop, &a->at_work, node__attest_work,
                            node__attest_done)) != 0) {
        char line[200];
        snprintf(line, sizeof(line), "report: cannot queue the attestation: %s",
                 uv_strerror(rc));
        a->at_log(a->at_arg, line);
        a->at_retry = uv_now(a->at_loop) + NODE__ATTEST_RETRY_MS;
        return;
    }
    a->at_busy = 1;
}

void
node__attest_stop(struct node__attest *a)
{
    if (!a || a->at_stopped)
        return;
    a->at_stopped = 1;
    if (a->at_busy)
        (void)uv_cancel((uv_req_t *)&a->at_work); /* fails once running */
}

void
node__attest_free(struct node__attest *a)
{
    free(a);
}
