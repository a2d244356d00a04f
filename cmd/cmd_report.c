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
    "usage: ilonet [-C DIR] report --semester YYYY-H1|YYYY-H2\n"
    "                  [--format md|html|json] [--out FILE]\n"
    "                  [--template FILE] [--rotation FILE]\n"
    "                  [--date TEXT] [--post TEXT]\n"
    "       ilonet [-C DIR] report acting --semester YYYY-H1|YYYY-H2\n"
    "                  --state STATE [--reason TEXT]\n"
    "       ilonet report template | rotation\n\n"
    "Draws up the semester report on the network's activities and the\n"
    "situation in the host country (Regulation 377/2004 Art. 6, format of\n"
    "Decision 2005/687/EC, provisional) from this node's merged view: only\n"
    "records whose time falls in the semester; retracted and erased\n"
    "records never; Member-States-only (ms) records only when this node\n"
    "is a Member State's. Markdown on stdout by default; --out writes the\n"
    "file atomically (nothing is left behind on error). The same entries\n"
    "give the same bytes on every node: there is no generation time\n"
    "unless --date is given. --template and --rotation replace the\n"
    "built-in data/report-2005-687.tmpl and data/presidencies.txt\n"
    "(format: docs/REPORTS.md).\n\n"
    "acting: signs an acting-presidency entry for the semester: STATE\n"
    "  draws up the report for the presidency, which has no ILO in this\n"
    "  network (written by a node of the presidency state).\n"
    "template, rotation: print the built-in files (a start for your own).\n";

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

static int
report_print_builtin(const char *what)
{
    const char *text;
    size_t len;

    if (strcmp(what, "template") == 0)
        report_default_template_text(&text, &len);
    else
        report_default_rotation_text(&text, &len);
    fwrite(text, 1, len, stdout);
    return ferror(stdout) ? 1 : 0;
}

int
cmd_report(struct cmd_env *env, int argc, char **argv)
{
    const char *sem, *fmt, *tpath, *rpath, *out;
    struct app_report_req rq;
    struct app_report_job job;
    struct app_err err;
    enum report_format f = REPORT_MD;
    char *ttext = NULL, *rtext = NULL, *doc = NULL;
    size_t dlen = 0;
    uint64_t a, b;
    struct cmd_opts o;
    struct home h;
    int rc;

    if (argc >= 2 && strcmp(argv[1], "acting") == 0)
        return rec_create(env, "report acting", KIND_ACTING_PRESIDENCY,
                          report_usage, argc - 1, argv + 1);
    if (argc == 2 &&
        (strcmp(argv[1], "template") == 0 || strcmp(argv[1], "rotation") == 0))
        return report_print_builtin(argv[1]);
    if (cmd_wants_help(argc, argv, report_usage))
        return 0;
    memset(&rq, 0, sizeof(rq));
    cmd_opts_init(&o, argc, argv);
    sem = cmd_opt(&o, "--semester");
    fmt = cmd_opt(&o, "--format");
    tpath = cmd_opt(&o, "--template");
    rpath = cmd_opt(&o, "--rotation");
    out = cmd_opt(&o, "--out");
    rq.arq_date = cmd_opt(&o, "--date");
    rq.arq_post = cmd_opt(&o, "--post");
    if ((rc = cmd_opts_done(&o, "report")) != 0)
        return rc;
    /* Every input is checked before the store is opened or a byte is
     * written. */
    if (!sem)
        return cmd_usage("report", "--semester is required (YYYY-H1 or "
                                   "YYYY-H2)");
    if (report_semester_parse(sem, &a, &b) != 0)
        return cmd_usage("report",
                         "--semester %s: not YYYY-H1 or YYYY-H2 "
                         "(e.g. 2026-H2)",
                         sem);
    if (fmt && report_format_parse(fmt, &f) != 0)
        return cmd_usage("report",
                         "--format %s: unknown format (md, html "
                         "or json)",
                         fmt);
    if (out && !*out)
        return cmd_usage("report", "--out needs a file name");
    rq.arq_semester = sem;
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
    rc = app_report_build(&h, &job, &doc, &dlen, &err);
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
