/* cmd_export.c - `ilonet export` and `ilonet import`: offline exchange. */
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "storage/bundle.h"

static const char export_usage[] =
    "usage: ilonet [-C DIR] export --out FILE [--for STATE]\n\n"
    "Writes the signed entries of every log this node holds to FILE. With\n"
    "--for, only the logs that STATE may read.\n";

struct export_for {
    const char *ef_state;
    enum cert_role ef_role;
};

static int
export_keep(void *arg, const struct log_desc *d)
{
    const struct export_for *f = arg;
    return audience_admits(d->ld_audience, f->ef_state, f->ef_role);
}

int
cmd_export(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct export_for ef;
    const char *out, *for_s;
    struct home h;
    uint64_t nl = 0, ne = 0;
    int rc;

    if (cmd_wants_help(argc, argv, export_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    out = cmd_opt(&o, "--out");
    for_s = cmd_opt(&o, "--for");
    if ((rc = cmd_opts_done(&o, "export")) != 0)
        return rc;
    if (!out)
        return cmd_usage("export", "--out FILE is required");
    if (for_s && !key_state_valid(for_s))
        return cmd_usage("export", "--for %s: not a state code", for_s);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    ef.ef_state = for_s;
    ef.ef_role = for_s ? cert_role_for_state(for_s) : ROLE_ILO;
    rc = bundle_export(h.h_store, out, for_s ? export_keep : NULL, &ef, &nl,
                       &ne);
    home_close(&h);
    if (rc != 0)
        return cmd_fail_err(out, rc);
    if (env->json)
        printf("{\"logs\":%llu,\"entries\":%llu}\n", (unsigned long long)nl,
               (unsigned long long)ne);
    else
        fprintf(stderr, "exported %llu entries in %llu logs to %s\n",
                (unsigned long long)ne, (unsigned long long)nl, out);
    return 0;
}

static const char import_usage[] =
    "usage: ilonet [-C DIR] import FILE [--json]\n\n"
    "Verifies every entry in FILE exactly as the network path does and\n"
    "stores the logs this node may hold, in one transaction. Logs of\n"
    "audiences this node is not in are skipped and named; they never touch\n"
    "its disk. Any forged or corrupt byte: exit 1, nothing stored. Fork\n"
    "evidence found in the file is stored, the log frozen, and the command\n"
    "exits 1 after storing everything else.\n";

static void
import_skip(void *arg, const struct log_desc *d)
{
    (void)arg;
    fprintf(stderr, "ilonet: import: skipped log ");
    cmd_print_hex(stderr, d->ld_id, HASH_LEN);
    fprintf(stderr, " (audience %s): this node is not a member\n",
            d->ld_audience);
}

static void
import_fork(void *arg, const struct log_desc *d)
{
    (void)arg;
    fprintf(stderr, "ilonet: import: fork: log ");
    cmd_print_hex(stderr, d->ld_id, HASH_LEN);
    fprintf(stderr, ": two signed entries at one seq; evidence stored, log "
                    "frozen\n");
}

int
cmd_import(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct bundle_report r;
    const char *file;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, import_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    file = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "import")) != 0)
        return rc;
    if (!file)
        return cmd_usage("import", "FILE is required");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = bundle_import(h.h_store, file, home_now_ms(), import_skip,
                       import_fork, NULL, &r);
    home_close(&h);
    if (rc != 0) {
        if (r.br_err_seq) {
            char log[2 * HASH_LEN + 1];
            hash_hex(r.br_err_log, HASH_LEN, log);
            return cmd_fail(file, "%s: log %s seq %llu: %s (nothing stored)",
                            ilonet_errname(rc), log,
                            (unsigned long long)r.br_err_seq,
                            ilonet_strerror(rc));
        }
        return cmd_fail(file, "%s: at byte %llu: %s (nothing stored)",
                        ilonet_errname(rc),
                        (unsigned long long)r.br_err_offset,
                        ilonet_strerror(rc));
    }
    if (env->json)
        printf("{\"new\":%llu,\"duplicate\":%llu,\"forks\":%llu,"
               "\"quarantined\":%llu,\"skipped_logs\":%llu}\n",
               (unsigned long long)r.br_new, (unsigned long long)r.br_dup,
               (unsigned long long)r.br_forks,
               (unsigned long long)r.br_quarantined,
               (unsigned long long)r.br_skipped_logs);
    else
        fprintf(stderr,
                "imported %llu new entries (%llu already held, %llu "
                "quarantined, %llu logs skipped)\n",
                (unsigned long long)r.br_new, (unsigned long long)r.br_dup,
                (unsigned long long)r.br_quarantined,
                (unsigned long long)r.br_skipped_logs);
    return r.br_forks ? 1 : 0;
}
