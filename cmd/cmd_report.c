/* cmd_report.c - `ilonet report`: the semester report; `report acting`:
 * designate a state acting for the presidency. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "node/report/report.h"

static const char report_usage[] =
    "usage: ilonet [-C DIR] report --period P | --semester YYYY-H1|YYYY-H2\n"
    "                  [--format md|html|json] [--out FILE]\n"
    "                  [--template FILE] [--rotation FILE]\n"
    "                  [--marking TEXT] [--annex ms] [--drafts]\n"
    "       ilonet [-C PARENT] report --all-networks --period P\n"
    "                  [--format md|html|json] [--out FILE]\n"
    "       ilonet [-C DIR] report text --period P --section ID --file F\n"
    "       ilonet [-C DIR] report attest --period P [--marking TEXT]\n"
    "       ilonet [-C DIR] report verify FILE\n"
    "       ilonet [-C DIR] report acting --semester YYYY-H1|YYYY-H2\n"
    "                  --state STATE [--reason TEXT]\n"
    "       ilonet report template [--regime R]\n"
    "       ilonet report rotation\n\n"
    "Draws up the network's report for a period P (a semester YYYY-H1 or\n"
    "YYYY-H2, or a year YYYY) in the format the network's regime names\n"
    "(377-2004: Decision 2005/687/EC, the semester report; 2019-1240: the\n"
    "network report, provisional), from this node's merged view: only\n"
    "records whose event time falls in the period; retracted and erased\n"
    "records never. The body is drawn from the `net` audience only, so\n"
    "every member of the network, the Commission's node included, computes\n"
    "the same bytes (restricted activity shows through its net stub);\n"
    "--annex ms adds an annex for Member States only, clearly marked, after\n"
    "the body (a Member State's node only). The handling marking is the\n"
    "drafter's signed text for the section `marking` (report text);\n"
    "--marking overrides it. --drafts shows other states' texts, marked as\n"
    "drafts. Markdown on stdout by default; --out writes the file\n"
    "atomically (nothing is left behind on error). --template and\n"
    "--rotation replace the built-in files (format: docs/REPORTS.md).\n\n"
    "--all-networks: the overview of every network held, one node home per\n"
    "  network under PARENT (each subdirectory with a network file and a\n"
    "  certificate): which networks reported for P (their drafter attested\n"
    "  the report), which are missing, and the key figures side by side.\n"
    "text: signs the text of file F (- for stdin) as this state's narrative\n"
    "  for section ID of the report of P (a net entry); the report shows\n"
    "  the drafting state's latest text per section, others' as drafts.\n"
    "  Besides the template's sections: post (the drafting post) and\n"
    "  marking (the handling marking, e.g. LIMITE).\n"
    "attest: builds the report of P and signs its hash (this node vouches\n"
    "  for the report; the final annex lists who attested what).\n"
    "  --marking attests the variant with that marking instead.\n"
    "verify: checks a received report file offline: its body against the\n"
    "  hashes of its final annex, and each attestation listed against this\n"
    "  home's trust roster; prints who vouches for it. Exit 1 when the body\n"
    "  was altered or the file is not a report of this network.\n"
    "acting: signs an acting-presidency entry for the semester: STATE\n"
    "  draws up the report for the presidency, which has no ILO in this\n"
    "  network (written by a node of the presidency state).\n"
    "template, rotation: print the built-in files (a start for your own);\n"
    "  template --regime R prints regime R's (377-2004 or 2019-1240).\n";

#define REPORT_FILE_MAX (1u << 20)

/* Reads a whole (small) file; *out malloc'd. Prints the error. */
static int
report_read(const char *opt, const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f)
        return cmd_fail("report", "%s %s: %s", opt, path, strerror(errno));
    buf = malloc(REPORT_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return cmd_fail("report", "out of memory");
    }
    n = fread(buf, 1, REPORT_FILE_MAX + 1, f);
    if (ferror(f) || n > REPORT_FILE_MAX) {
        fclose(f);
        free(buf);
        return cmd_fail("report", "%s %s: unreadable or over %u bytes", opt,
                        path, REPORT_FILE_MAX);
    }
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
}

/* Writes data to path through a temporary file in the same directory and
 * a rename, so a reader never sees a partial report. */
static int
report_write(const char *path, const char *data, size_t len)
{
    char tmp[HOME_PATH_MAX + 32];
    FILE *f;
    int fd, ok;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    /* 0600 whatever the umask: a report may hold Member-States-only
     * annexes; the user widens it with chmod when sending it on. */
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return cmd_fail("report", "--out %s: %s", path, strerror(e));
    }
    ok = fwrite(data, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return cmd_fail("report", "--out %s: %s", path, strerror(e));
    }
    return 0;
}

/* Prints a built-in file: the rotation, or the template of regime
 * (NULL: the 377-2004 one). */
static int
report_print_builtin(const char *what, const char *regime)
{
    const char *text;
    size_t len;

    if (strcmp(what, "template") != 0) {
        report_default_rotation_text(&text, &len);
    } else if (!regime || strcmp(regime, "377-2004") == 0) {
        report_default_template_text(&text, &len);
    } else if (strcmp(regime, "2019-1240") != 0 ||
               report_builtin_template_text("2019-1240", &text, &len) != 0) {
        return cmd_usage("report",
                         "--regime %s: unknown regime (377-2004 "
                         "or 2019-1240)",
                         regime);
    }
    fwrite(text, 1, len, stdout);
    return ferror(stdout) ? 1 : 0;
}

/* Checks a --period (or --semester) value; prints the usage error. */
static int
report_period_ok(const char *cmd, const char *opt, const char *p)
{
    uint64_t a, b;

    if (!p)
        return cmd_usage(cmd, "--period is required (YYYY-H1, YYYY-H2 or "
                              "YYYY)");
    if (strcmp(opt, "--semester") == 0 && report_semester_parse(p, &a, &b) != 0)
        return cmd_usage(cmd,
                         "--semester %s: not YYYY-H1 or YYYY-H2 "
                         "(e.g. 2026-H2)",
                         p);
    if (strlen(p) > REPORT_PERIOD_MAX || report_period_parse(p, &a, &b) != 0)
        return cmd_usage(cmd,
                         "%s %s: not YYYY-H1, YYYY-H2 or YYYY (e.g. "
                         "2026-H2)",
                         opt, p);
    return 0;
}

/* `report text --period P --section ID --file F`. */
static int
report_text(struct cmd_env *env, int argc, char **argv)
{
    const char *per, *sec, *file;
    struct app_written w;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    char *text = NULL;
    size_t len = 0;
    int rc;

    cmd_opts_init(&o, argc, argv);
    per = cmd_opt(&o, "--period");
    sec = cmd_opt(&o, "--section");
    file = cmd_opt(&o, "--file");
    if ((rc = cmd_opts_done(&o, "report text")) != 0)
        return rc;
    if ((rc = report_period_ok("report text", "--period", per)) != 0)
        return rc;
    if (!sec || !*sec)
        return cmd_usage("report text", "--section is required (a "
                                        "narrative section of the template, "
                                        "e.g. I.8)");
    if (!file || !*file)
        return cmd_usage("report text", "--file is required (- for stdin)");
    if ((rc =
             report_read("--file", strcmp(file, "-") == 0 ? "/dev/stdin" : file,
                         &text, &len)) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0) {
        free(text);
        return rc;
    }
    rc = app_report_text(&h, per, sec, text, len, &w, &err);
    home_close(&h);
    free(text);
    if (rc != 0)
        return err.ae_usage ? cmd_usage("report text", "%s", err.ae_msg)
                            : cmd_fail("report text", "%s", err.ae_msg);
    return rec_print(env, &w);
}

/* `report attest --period P`: prints the entry id, then the report hash. */
static int
report_attest(struct cmd_env *env, int argc, char **argv)
{
    struct report_digest dg;
    struct app_written w;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    char hex[2 * HASH_LEN + 1];
    const char *per, *mark;
    int rc;

    cmd_opts_init(&o, argc, argv);
    per = cmd_opt(&o, "--period");
    mark = cmd_opt(&o, "--marking");
    if ((rc = cmd_opts_done(&o, "report attest")) != 0)
        return rc;
    if ((rc = report_period_ok("report attest", "--period", per)) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = app_report_attest(&h, per, mark, &w, &dg, &err);
    home_close(&h);
    if (rc != 0)
        return cmd_fail("report attest", "%s", err.ae_msg);
    hash_hex(dg.rd_report, HASH_LEN, hex);
    if (env->json) {
        fputs("{\"id\":\"", stdout);
        cmd_print_hex(stdout, w.aw_id, HASH_LEN);
        printf("\",\"report\":\"%s\"}\n", hex);
        return 0;
    }
    cmd_print_hex(stdout, w.aw_id, HASH_LEN);
    printf("\nreport %s\n", hex);
    return 0;
}

/* `report verify FILE`. */
static int
report_verify(struct cmd_env *env, int argc, char **argv)
{
    struct app_report_check ck;
    struct app_err err;
    struct cmd_opts o;
    struct home h;
    const char *file;
    char *doc = NULL, hex[2 * HASH_LEN + 1];
    size_t len = 0;
    int rc;

    cmd_opts_init(&o, argc, argv);
    file = cmd_pos(&o, 0);
    if (!file)
        return cmd_usage("report verify", "FILE is required (a report "
                                          "written by ilonet report)");
    if (cmd_pos(&o, 1))
        return cmd_usage("report verify", "one FILE only");
    if ((rc = cmd_opts_done(&o, "report verify")) != 0)
        return rc;
    if ((rc = report_read("FILE", file, &doc, &len)) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, 0)) != 0) {
        free(doc);
        return rc;
    }
    rc = app_report_verify(&h, doc, len, &ck, &err);
    home_close(&h);
    free(doc);
    if (rc != 0)
        return cmd_fail("report verify", "%s: %s", file, err.ae_msg);
    hash_hex(ck.ac_report, HASH_LEN, hex);
    if (env->json) {
        printf("{\"format\":\"%s\",\"period\":\"%s\",\"report\":\"%s\","
               "\"body\":\"ok\",\"same\":%zu,\"differ\":%zu,\"invalid\":%zu,"
               "\"states\":\"%s\"}\n",
               report_format_name(ck.ac_format), ck.ac_period, hex, ck.ac_same,
               ck.ac_differ, ck.ac_invalid, ck.ac_same_states);
        return 0;
    }
    printf("body ok (%s, period %s)\nreport %s\n",
           report_format_name(ck.ac_format), ck.ac_period, hex);
    printf("attested by %zu member%s%s%s\n", ck.ac_same,
           ck.ac_same == 1 ? "" : "s", ck.ac_same ? ": " : "",
           ck.ac_same_states);
    if (ck.ac_differ)
        printf("%zu member%s attested another hash\n", ck.ac_differ,
               ck.ac_differ == 1 ? "" : "s");
    if (ck.ac_invalid)
        printf("%zu attestation%s did not check (unknown node, bad "
               "signature or another period)\n",
               ck.ac_invalid, ck.ac_invalid == 1 ? "" : "s");
    return 0;
}

/* `report --all-networks`: the overview of every home under the -C
 * directory. */
static int
report_all(struct cmd_env *env, const char *period, enum report_format f,
           const char *out)
{
    struct app_err err;
    char *doc = NULL;
    size_t len = 0, n = 0;
    int rc;

    rc = app_report_overview(env->home_dir, period, f, &doc, &len, &n, &err);
    if (rc != 0)
        return cmd_fail("report", "--all-networks: %s", err.ae_msg);
    if (out)
        rc = report_write(out, doc, len);
    else
        rc = fwrite(doc, 1, len, stdout) == len && fflush(stdout) == 0
                 ? 0
                 : cmd_fail("report", "stdout: %s", strerror(errno));
    free(doc);
    return rc;
}

int
cmd_report(struct cmd_env *env, int argc, char **argv)
{
    const char *sem, *per, *fmt, *tpath, *rpath, *out, *annex;
    int all;
    struct app_report_req rq;
    struct app_report_job job;
    struct app_err err;
    enum report_format f = REPORT_MD;
    char *ttext = NULL, *rtext = NULL, *doc = NULL;
    size_t dlen = 0;
    struct cmd_opts o;
    struct home h;
    int rc;

    if (argc >= 2 && strcmp(argv[1], "acting") == 0)
        return rec_create(env, "report acting", KIND_ACTING_PRESIDENCY,
                          report_usage, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "text") == 0 &&
        !cmd_wants_help(argc, argv, report_usage))
        return report_text(env, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0 &&
        !cmd_wants_help(argc, argv, report_usage))
        return report_verify(env, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "attest") == 0 &&
        !cmd_wants_help(argc, argv, report_usage))
        return report_attest(env, argc - 1, argv + 1);
    if (argc == 2 &&
        (strcmp(argv[1], "template") == 0 || strcmp(argv[1], "rotation") == 0))
        return report_print_builtin(argv[1], NULL);
    if (argc == 4 && strcmp(argv[1], "template") == 0 &&
        strcmp(argv[2], "--regime") == 0)
        return report_print_builtin(argv[1], argv[3]);
    if (cmd_wants_help(argc, argv, report_usage))
        return 0;
    memset(&rq, 0, sizeof(rq));
    cmd_opts_init(&o, argc, argv);
    sem = cmd_opt(&o, "--semester");
    per = cmd_opt(&o, "--period");
    fmt = cmd_opt(&o, "--format");
    tpath = cmd_opt(&o, "--template");
    rpath = cmd_opt(&o, "--rotation");
    out = cmd_opt(&o, "--out");
    annex = cmd_opt(&o, "--annex");
    rq.arq_marking = cmd_opt(&o, "--marking");
    rq.arq_drafts = cmd_flag(&o, "--drafts");
    all = cmd_flag(&o, "--all-networks");
    if ((rc = cmd_opts_done(&o, "report")) != 0)
        return rc;
    /* Every input is checked before the store is opened or a byte is
     * written. */
    if (sem && per)
        return cmd_usage("report", "--period and --semester: give one");
    if (!sem && !per)
        return cmd_usage("report", "--period is required (YYYY-H1, YYYY-H2 "
                                   "or YYYY)");
    if ((rc = report_period_ok("report", per ? "--period" : "--semester",
                               per ? per : sem)) != 0)
        return rc;
    if (fmt && report_format_parse(fmt, &f) != 0)
        return cmd_usage("report",
                         "--format %s: unknown format (md, html "
                         "or json)",
                         fmt);
    if (out && !*out)
        return cmd_usage("report", "--out needs a file name");
    if (annex && strcmp(annex, "ms") != 0)
        return cmd_usage("report", "--annex %s: unknown annex (ms)", annex);
    if (all && (tpath || rpath || annex || rq.arq_marking || rq.arq_drafts))
        return cmd_usage("report", "--all-networks takes only --period, "
                                   "--format and --out");
    if (all)
        return report_all(env, per ? per : sem, f, out);
    rq.arq_annex_ms = annex != NULL;
    rq.arq_period = per ? per : sem;
    rq.arq_format = f;
    if (tpath) {
        if ((rc = report_read("--template", tpath, &ttext,
                              &rq.arq_template_len)) != 0)
            return rc;
        rq.arq_template = ttext;
        rq.arq_template_name = tpath;
    }
    if (rpath) {
        if ((rc = report_read("--rotation", rpath, &rtext,
                              &rq.arq_rotation_len)) != 0) {
            free(ttext);
            return rc;
        }
        rq.arq_rotation = rtext;
        rq.arq_rotation_name = rpath;
    }
    rc = app_report_prepare(&rq, &job, &err);
    free(ttext);
    free(rtext);
    if (rc != 0)
        return cmd_fail("report", "%s", err.ae_msg);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        goto done;
    rc = app_report_build(&h, &job, &doc, &dlen, NULL, &err);
    home_close(&h);
    if (rc != 0) {
        rc = cmd_fail("report", "%s", err.ae_msg);
        goto done;
    }
    if (out) {
        rc = report_write(out, doc, dlen);
    } else {
        rc = fwrite(doc, 1, dlen, stdout) == dlen && fflush(stdout) == 0
                 ? 0
                 : cmd_fail("report", "stdout: %s", strerror(errno));
    }
done:
    free(doc);
    app_report_release(&job);
    return rc;
}
