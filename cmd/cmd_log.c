/* cmd_log.c - `ilonet log`: the entries in the store, per log. */
#include <inttypes.h>

#include "cmds.h"
#include "node/app/app.h"

static const char log_usage[] =
    "usage: ilonet [-C DIR] log [--json]\n\n"
    "Lists every log held (id, author, audience, head) and its entries\n"
    "(seq, id, kind, HLC time, payload size or 'erased').\n";

struct log_print {
    int lp_json;
    int lp_logs;    /* logs printed so far */
    int lp_entries; /* entries printed in the current log */
};

/* The JSON array opens with the first log, so a store that cannot be
 * read prints nothing on stdout. */
static void
log_open_json(struct log_print *p)
{
    if (p->lp_json && p->lp_logs == 0)
        printf("[");
}

static int
log_print_log(void *arg, const struct app_log_info *l)
{
    struct log_print *p = arg;

    log_open_json(p);
    if (p->lp_json) {
        printf("%s{\"log\":\"", p->lp_logs ? "]}," : "");
        cmd_print_hex(stdout, l->li_id, HASH_LEN);
        printf("\",\"author\":\"");
        cmd_print_hex(stdout, l->li_author, KEY_PK_LEN);
        printf("\",\"audience\":\"%s\",\"seq\":%" PRIu64 ",\"frozen\":%" PRIu64
               ",\"entries\":[",
               l->li_audience, l->li_head, l->li_frozen);
    } else {
        printf("log ");
        cmd_print_hex(stdout, l->li_id, HASH_LEN);
        printf("\n  author %s", "");
        cmd_print_hex(stdout, l->li_author, KEY_PK_LEN);
        printf("  audience %s  head %" PRIu64 "%s\n", l->li_audience,
               l->li_head, l->li_frozen ? "  FROZEN (fork evidence)" : "");
    }
    p->lp_logs++;
    p->lp_entries = 0;
    return 0;
}

static int
log_print_entry(void *arg, const struct app_log_entry *e)
{
    struct log_print *p = arg;
    const char *kind = e->le_kind_name ? e->le_kind_name : "?";
    uint64_t ms = e->le_time_ms;

    if (p->lp_json) {
        printf("%s{\"seq\":%" PRIu64 ",\"id\":\"", p->lp_entries ? "," : "",
               e->le_seq);
        cmd_print_hex(stdout, e->le_id, HASH_LEN);
        printf("\",\"kind\":\"%s\",\"hlc\":%" PRIu64 ",\"time_ms\":%" PRIu64
               ",\"payload_len\":%" PRIu64 ",\"erased\":%s}",
               kind, e->le_hlc, ms, e->le_payload_len,
               e->le_erased ? "true" : "false");
    } else {
        printf("  %6" PRIu64 "  ", e->le_seq);
        cmd_print_hex(stdout, e->le_id, HASH_LEN);
        printf("  %-17s %" PRIu64 ".%03" PRIu64 "  ", kind, ms / 1000,
               ms % 1000);
        if (!e->le_erased)
            printf("%" PRIu64 " B\n", e->le_payload_len);
        else
            printf("erased\n");
    }
    p->lp_entries++;
    return 0;
}

int
cmd_log(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct log_print p = {env->json, 0, 0};
    struct app_log_visit v = {log_print_log, log_print_entry, &p};
    struct app_err err;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, log_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "log")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = app_log(&h, &v, &err);
    home_close(&h);
    /* A walk that stopped inside a log still closes the JSON it opened. */
    if (p.lp_json && (rc == 0 || p.lp_logs > 0)) {
        log_open_json(&p);
        printf("%s]\n", p.lp_logs ? "]}" : "");
    }
    return rc ? cmd_fail("log", "%s", err.ae_msg) : 0;
}
