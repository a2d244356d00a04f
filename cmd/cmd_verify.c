/* cmd_verify.c - `ilonet verify`: re-verify every entry and the view. */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/app/app.h"

static const char verify_usage[] =
    "usage: ilonet [-C DIR] verify [--json]\n\n"
    "Re-verifies every stored entry (ids, chain links, every signature,\n"
    "payload hashes, certificates), checks stored fork evidence, and\n"
    "checks that the view equals a full rebuild from the log. Exit 0 only\n"
    "if all holds.\n";

/* Progress on a terminal: one line on stderr, rewritten in place, wiped
 * before anything else is written there and at the end. */
struct verify_tty {
    int vt_on;       /* stderr is a terminal */
    int vt_shown;    /* a progress line is on screen */
    unsigned vt_pct; /* percent last shown + 1 */
};

static void
verify_wipe(struct verify_tty *t)
{
    if (t->vt_shown)
        fputs("\r\033[K", stderr);
    t->vt_shown = 0;
}

static void
verify_progress(void *arg, uint64_t done, uint64_t total)
{
    struct verify_tty *t = arg;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;

    if (!t->vt_on || pct + 1 == t->vt_pct)
        return;
    t->vt_pct = pct + 1;
    fprintf(stderr, "\rverify: %" PRIu64 " of %" PRIu64 " entries (%u%%)%s",
            done, total, pct, done == total ? ", comparing the view" : "");
    t->vt_shown = 1;
}

static void
verify_problem(void *arg, const struct app_verify_problem *p)
{
    verify_wipe(arg);
    fprintf(stderr, "ilonet: verify: log ");
    cmd_print_hex(stderr, p->vp_log, HASH_LEN);
    fprintf(stderr, " seq %" PRIu64 ": %s: %s\n", p->vp_seq,
            ilonet_errname(p->vp_code), ilonet_strerror(p->vp_code));
}

int
cmd_verify(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_verify_req rq;
    struct verify_tty tty = {0};
    struct app_verify_out r;
    struct app_err err;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, verify_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "verify")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    memset(&rq, 0, sizeof(rq));
    tty.vt_on = isatty(STDERR_FILENO);
    rq.vq_problem = verify_problem;
    rq.vq_progress = verify_progress;
    rq.vq_arg = &tty;
    rc = app_verify_with(&h, &rq, &r, &err);
    verify_wipe(&tty);
    home_close(&h);
    if (rc != 0)
        return cmd_fail("verify", "%s", err.ae_msg);
    if (!r.vo_view_ok)
        fprintf(stderr, "ilonet: verify: view: differs from a full rebuild "
                        "of the log\n");
    if (env->json)
        printf("{\"entries_checked\":%" PRIu64 ",\"bad_entries\":%" PRIu64
               ",\"evidence\":%" PRIu64 ",\"bad_evidence\":%" PRIu64
               ",\"view_ok\":%s,\"ok\":%s}\n",
               r.vo_checked, r.vo_bad, r.vo_evidence, r.vo_bad_evidence,
               r.vo_view_ok ? "true" : "false", r.vo_ok ? "true" : "false");
    else
        printf("%" PRIu64 " entries checked, %" PRIu64 " bad; %" PRIu64
               " fork evidence, %" PRIu64 " bad; view %s\n",
               r.vo_checked, r.vo_bad, r.vo_evidence, r.vo_bad_evidence,
               r.vo_view_ok ? "matches rebuild" : "DIFFERS");
    return r.vo_ok ? 0 : 1;
}
