/* util.c - error lines, option parsing and JSON helpers for the CLI. */
#include "cmd.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "crypto/json.h"

int
cmd_fail(const char *what, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "ilonet: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int
cmd_fail_err(const char *what, int err)
{
    fprintf(stderr, "ilonet: %s: %s: %s\n", what, ilonet_errname(err),
            ilonet_strerror(err));
    return 1;
}

int
cmd_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "ilonet: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'ilonet %s --help')\n", cmd);
    return 2;
}

int
cmd_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
    return 0;
}

/* An older store is rewritten when it is opened: a pause of seconds per
 * million entries with nothing said would look like a hang. */
static void
cmd__upgrade_notice(const char *dir)
{
    int from = 0, to = 0;

    if (home_store_upgrade(dir, &from, &to) == 0 && from > 0)
        fprintf(stderr,
                "ilonet: %s/store.db: store schema %d is rewritten to %d, once"
                " (about 7 s a million entries; docs/DEPLOY.md,"
                " \"Upgrading\")\n",
                dir, from, to);
}

int
cmd_open_home(struct cmd_env *env, struct home *h, int flags)
{
    int rc;

    if (flags & HOME_STORE)
        cmd__upgrade_notice(env->home_dir);
    rc = home_open(h, env->home_dir, flags);

    if (rc == ILONET_ENOTFOUND)
        return cmd_fail(env->home_dir,
                        "no node home here (create one with 'ilonet init' "
                        "or 'ilonet testnet', or pass -C DIR)");
    if (rc == ILONET_EPERM && h->h_why[0])
        return cmd_fail(env->home_dir, "permission: %s", h->h_why);
    if (rc == ILONET_EPERM)
        return cmd_fail(env->home_dir,
                        "permission: node.key or network file is readable "
                        "by others (chmod 600)");
    if (rc != 0 && h->h_why[0])
        return cmd_fail(env->home_dir, "%s", h->h_why);
    if (rc != 0) {
        char what[HOME_PATH_MAX + 16];
        snprintf(what, sizeof(what), "%s", env->home_dir);
        return cmd_fail_err(what, rc);
    }
    return 0;
}

int
cmd_regime_vocab(const char *cmd, const char *regime, struct vocab **out)
{
    char why[200] = "";
    int rc = home_vocab_load(regime, out, why, sizeof(why));

    if (rc == ILONET_ENOTFOUND)
        return cmd_usage(cmd,
                         "--regime %s: unknown regime (one of 377-2004, "
                         "2019-1240)",
                         regime);
    if (rc != 0)
        return cmd_fail(cmd, "%s", why[0] ? why : ilonet_strerror(rc));
    return 0;
}

int
cmd_home_vocab(struct cmd_env *env, const char *cmd, struct vocab **out)
{
    char path[HOME_PATH_MAX + 16];
    struct network net;
    const char *regime = NULL;

    memset(&net, 0, sizeof(net));
    /* only the regime is read here: the home is checked when opened */
    snprintf(path, sizeof(path), "%s/network", env->home_dir);
    char why[200] = "";
    int rc;

    if (network_load(path, &net) == 0)
        regime = network_regime(&net);
    rc = home_vocab_load(regime, out, why, sizeof(why));
    /* a regime this binary does not know: the home says so */
    if (rc == ILONET_ENOTFOUND)
        cmd_fail(env->home_dir,
                 "network file: regime %s is not known to this binary (it "
                 "knows 377-2004 and 2019-1240): upgrade ilonet",
                 regime ? regime : "?");
    else if (rc != 0)
        cmd_fail(cmd, "%s", why[0] ? why : ilonet_strerror(rc));
    sodium_memzero(&net, sizeof(net));
    return rc == 0 ? 0 : 1;
}

void
cmd_json_str(FILE *f, const char *s)
{
    struct textbuf b = {0};

    json_str(&b, s ? s : "");
    if (b.tb_data)
        fputs(b.tb_data, f);
    textbuf_free(&b);
}

void
cmd_opts_init(struct cmd_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->argc = argc < 128 ? argc : 128;
    o->argv = argv;
    if (o->argc > 0)
        o->used[0] = 1; /* the command name */
}

const char *
cmd_opt(struct cmd_opts *o, const char *name)
{
    size_t nl = strlen(name);

    for (int i = 1; i < o->argc; i++) {
        if (o->used[i])
            continue;
        if (strcmp(o->argv[i], name) == 0 && i + 1 < o->argc) {
            o->used[i] = o->used[i + 1] = 1;
            return o->argv[i + 1];
        }
        /* --name=value */
        if (strncmp(o->argv[i], name, nl) == 0 && o->argv[i][nl] == '=') {
            o->used[i] = 1;
            return o->argv[i] + nl + 1;
        }
    }
    return NULL;
}

int
cmd_opt_all(struct cmd_opts *o, const char *name, const char **out, int n)
{
    int k = 0;
    const char *v;

    while (k < n && (v = cmd_opt(o, name)) != NULL)
        out[k++] = v;
    return k;
}

int
cmd_flag(struct cmd_opts *o, const char *name)
{
    for (int i = 1; i < o->argc; i++)
        if (!o->used[i] && strcmp(o->argv[i], name) == 0) {
            o->used[i] = 1;
            return 1;
        }
    return 0;
}

const char *
cmd_pos(struct cmd_opts *o, int idx)
{
    int k = 0;

    for (int i = 1; i < o->argc; i++) {
        if (o->used[i] || (o->argv[i][0] == '-' && o->argv[i][1] == '-'))
            continue;
        if (k++ == idx) {
            o->used[i] = 1;
            return o->argv[i];
        }
    }
    return NULL;
}

int
cmd_opts_done(struct cmd_opts *o, const char *cmd)
{
    for (int i = 1; i < o->argc; i++) {
        if (o->used[i])
            continue;
        if (o->argv[i][0] == '-')
            return cmd_usage(cmd, "unknown option or missing value: %s",
                             o->argv[i]);
        return cmd_usage(cmd, "unexpected argument: %s", o->argv[i]);
    }
    return 0;
}

int
cmd_parse_date(const char *s, uint64_t *out)
{
    int y, m, d;
    char tail;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days;

    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        strlen(s) != 10 || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
        return ILONET_EINVAL;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return ILONET_EINVAL;
    /* Days from the civil date (Howard Hinnant's algorithm). */
    int yy = y - (m <= 2);
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = (int64_t)era * 146097 + doe - 719468;
    *out = (uint64_t)days * 86400u;
    return 0;
}

void
cmd_print_hex(FILE *f, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}
