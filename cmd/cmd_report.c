/* cmd_report.c - `ilonet report`: the semester report; `report acting`: designate a state acting for the presidency. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"
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
    int ok;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f)
        return cmd_fail("report", "--out %s: %s", path, strerror(errno));
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
    extern const unsigned char report_data_template[];
    extern const size_t report_data_template_len;
    extern const unsigned char report_data_presidencies[];
    extern const size_t report_data_presidencies_len;

    if (strcmp(what, "template") == 0)
        fwrite(report_data_template, 1, report_data_template_len, stdout);
    else
        fwrite(report_data_presidencies, 1, report_data_presidencies_len,
               stdout);
    return ferror(stdout) ? 1 : 0;
}

int
cmd_report(struct cmd_env *env, int argc, char **argv)
{
    const char *sem, *fmt, *tpath, *rpath, *out, *date, *post;
    struct report_template *t = NULL;
    struct report_rotation *rot = NULL;
    struct report_opts ro;
    enum report_format f = REPORT_MD;
    char err[REPORT_ERR_MAX] = "", *text = NULL, *doc = NULL;
    size_t tlen = 0, dlen = 0;
    uint64_t a, b;
    struct cmd_opts o;
    struct home h;
    int rc;

    if (argc >= 2 && strcmp(argv[1], "acting") == 0)
        return rec_create(env, "report acting", KIND_ACTING_PRESIDENCY,
                          report_usage, argc - 1, argv + 1);
    if (argc == 2 && (strcmp(argv[1], "template") == 0 ||
                      strcmp(argv[1], "rotation") == 0))
        return report_print_builtin(argv[1]);
    if (cmd_wants_help(argc, argv, report_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    sem = cmd_opt(&o, "--semester");
    fmt = cmd_opt(&o, "--format");
    tpath = cmd_opt(&o, "--template");
    rpath = cmd_opt(&o, "--rotation");
    out = cmd_opt(&o, "--out");
    date = cmd_opt(&o, "--date");
    post = cmd_opt(&o, "--post");
    if ((rc = cmd_opts_done(&o, "report")) != 0)
        return rc;
    /* Every input is checked before the store is opened or a byte is
     * written. */
    if (!sem)
        return cmd_usage("report", "--semester is required (YYYY-H1 or "
                                   "YYYY-H2)");
    if (report_semester_parse(sem, &a, &b) != 0)
        return cmd_usage("report", "--semester %s: not YYYY-H1 or YYYY-H2 "
                                   "(e.g. 2026-H2)", sem);
    if (fmt && report_format_parse(fmt, &f) != 0)
        return cmd_usage("report", "--format %s: unknown format (md, html "
                                   "or json)", fmt);
    if (out && !*out)
        return cmd_usage("report", "--out needs a file name");
    if (tpath) {
        if ((rc = report_read("--template", tpath, &text, &tlen)) != 0)
            return rc;
        rc = report_template_parse(text, tlen, tpath, &t, err, sizeof(err));
        free(text);
    } else {
        rc = report_default_template(&t, err, sizeof(err));
    }
    if (rc != 0)
        return cmd_fail("report", "%s", err[0] ? err : ilonet_strerror(rc));
    if (rpath) {
        if ((rc = report_read("--rotation", rpath, &text, &tlen)) != 0) {
            report_template_free(t);
            return rc;
        }
        rc = report_rotation_parse(text, tlen, rpath, &rot, err, sizeof(err));
        free(text);
    } else {
        rc = report_default_rotation(&rot, err, sizeof(err));
    }
    if (rc != 0) {
        report_template_free(t);
        return cmd_fail("report", "%s", err[0] ? err : ilonet_strerror(rc));
    }
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        goto done;
    if (!h.h_has_cert) {
        rc = cmd_fail("report", "no certificate installed (ilonet cert "
                                "install FILE)");
        goto closed;
    }
    memset(&ro, 0, sizeof(ro));
    ro.ro_semester = sem;
    ro.ro_format = f;
    ro.ro_host = h.h_net.n_host;
    ro.ro_network = h.h_net.n_id;
    ro.ro_member_state = cert_role_is_ms(h.h_cert.c_role);
    ro.ro_date = date;
    ro.ro_post = post;
    rc = report_build(h.h_store, t, rot, &ro, &doc, &dlen, err, sizeof(err));
    if (rc != 0) {
        rc = cmd_fail("report", "%s", err[0] ? err : ilonet_strerror(rc));
        goto closed;
    }
    if (out) {
        rc = report_write(out, doc, dlen);
    } else {
        rc = fwrite(doc, 1, dlen, stdout) == dlen && fflush(stdout) == 0
                 ? 0
                 : cmd_fail("report", "stdout: %s", strerror(errno));
    }
closed:
    home_close(&h);
done:
    free(doc);
    report_template_free(t);
    report_rotation_free(rot);
    return rc;
}
