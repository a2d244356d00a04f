/* cmd_log.c - `ilonet log`: the entries in the store, per log. */
#include <inttypes.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "storage/log.h"

static const char log_usage[] =
    "usage: ilonet [-C DIR] log [--json]\n\n"
    "Lists every log held (id, author, audience, head) and its entries\n"
    "(seq, id, kind, HLC time, payload size or 'erased').\n";

struct log_print {
    int lp_json;
    int lp_first;
};

static int
log_print_entry(void *arg, const struct entry *e)
{
    struct log_print *p = arg;
    const char *kind = entry_kind_name(e->e_h.h_kind);
    uint64_t ms = e->e_h.h_hlc >> 16;

    if (p->lp_json) {
        printf("%s{\"seq\":%" PRIu64 ",\"id\":\"", p->lp_first ? "" : ",",
               e->e_h.h_seq);
        cmd_print_hex(stdout, e->e_id, HASH_LEN);
        printf("\",\"kind\":\"%s\",\"hlc\":%" PRIu64 ",\"time_ms\":%" PRIu64
               ",\"payload_len\":%" PRIu64 ",\"erased\":%s}",
               kind ? kind : "?", e->e_h.h_hlc, ms, e->e_h.h_payload_len,
               e->e_payload ? "false" : "true");
    } else {
        printf("  %6" PRIu64 "  ", e->e_h.h_seq);
        cmd_print_hex(stdout, e->e_id, HASH_LEN);
        printf("  %-17s %" PRIu64 ".%03" PRIu64 "  ", kind ? kind : "?",
               ms / 1000, ms % 1000);
        if (e->e_payload)
            printf("%" PRIu64 " B\n", e->e_h.h_payload_len);
        else
            printf("erased\n");
    }
    p->lp_first = 0;
    return 0;
}

int
cmd_log(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct log_head *heads = NULL;
    size_t n = 0;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, log_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "log")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if ((rc = log_heads(h.h_store, &heads, &n)) != 0) {
        home_close(&h);
        return cmd_fail_err("log", rc);
    }
    if (env->json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        struct log_print p = {env->json, 1};
        const struct log_head *lh = &heads[i];

        if (env->json) {
            printf("%s{\"log\":\"", i ? "," : "");
            cmd_print_hex(stdout, lh->lh_log.ld_id, HASH_LEN);
            printf("\",\"author\":\"");
            cmd_print_hex(stdout, lh->lh_log.ld_author, KEY_PK_LEN);
            printf("\",\"audience\":\"%s\",\"seq\":%" PRIu64
                   ",\"frozen\":%" PRIu64 ",\"entries\":[",
                   lh->lh_log.ld_audience, lh->lh_seq, lh->lh_frozen);
        } else {
            printf("log ");
            cmd_print_hex(stdout, lh->lh_log.ld_id, HASH_LEN);
            printf("\n  author %s", "");
            cmd_print_hex(stdout, lh->lh_log.ld_author, KEY_PK_LEN);
            printf("  audience %s  head %" PRIu64 "%s\n",
                   lh->lh_log.ld_audience, lh->lh_seq,
                   lh->lh_frozen ? "  FROZEN (fork evidence)" : "");
        }
        rc = log_range(h.h_store, lh->lh_log.ld_id, 1, UINT64_MAX, SIZE_MAX,
                       log_print_entry, &p);
        if (env->json)
            printf("]}");
        if (rc != 0)
            break;
    }
    if (env->json)
        printf("]\n");
    free(heads);
    home_close(&h);
    return rc ? cmd_fail_err("log", rc) : 0;
}
