/* cmd_search.c - `ilonet search`: full-text search across every record kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "crypto/json.h"
#include "crypto/textbuf.h"
#include "node/app/app.h"

static const char search_usage[] =
    "usage: ilonet [-C DIR] search QUERY [--kind K] [--category C]\n"
    "       [--state S] [--audience A] [--period P] [--limit N]\n"
    "       [--after CURSOR] [--json]\n\n"
    "Finds records of every kind in effect (neither retracted nor erased)\n"
    "by the words of their text fields, best match first. QUERY: words\n"
    "(all must occur, any case, accents folded), \"a phrase\", prefix*,\n"
    "OR, NOT, AND, parentheses. Filters: --kind observations|meetings|...,\n"
    "--category (observations), --state (owning state), --audience\n"
    "(net, ms, DE+FR), --period (FROM..TO, a date or a semester 2026-H2).\n"
    "--limit N (1-200, default 50); a fuller page ends with the cursor\n"
    "of the next one (--after). Matches show in [brackets]; --json gives\n"
    "the API's form (docs/API.md, GET /api/search).\n";

struct search_out {
    int so_json;
    size_t so_n;
    struct textbuf so_buf;
};

static void
search_text_cell(const struct view_row *row, const char *name, const char *dflt)
{
    const struct view_cell *c = view_row_cell(row, name);

    if (!c || c->ce_type != VIEW_TEXT) {
        fputs(dflt, stdout);
        return;
    }
    for (const char *t = c->ce_text; *t; t++)
        putchar(*t == '\t' || *t == '\n' || *t == '\r' ? ' ' : *t);
}

static int
search_row(void *arg, const struct view_row *row)
{
    struct search_out *o = arg;
    const struct view_cell *c;

    if (o->so_json) {
        textbuf_puts(&o->so_buf, o->so_n++ ? ",\n" : "\n");
        app_search_json_row(&o->so_buf, row);
        fwrite(o->so_buf.tb_data, 1, o->so_buf.tb_len, stdout);
        o->so_buf.tb_len = 0;
        return 0;
    }
    o->so_n++;
    c = view_row_cell(row, "id");
    printf("%.12s  ", c && c->ce_type == VIEW_TEXT ? c->ce_text : "-");
    c = view_row_cell(row, "kind");
    printf("%-12s  ", c && c->ce_type == VIEW_INT
                          ? app_kind_name((uint32_t)c->ce_int)
                          : "-");
    search_text_cell(row, "state", "-");
    fputs("  ", stdout);
    search_text_cell(row, "title", "-");
    fputs("\n    ", stdout);
    c = view_row_cell(row, "snippet");
    for (const char *t = c && c->ce_type == VIEW_TEXT ? c->ce_text : ""; *t;
         t++)
        putchar(*t == '\001'                             ? '['
                : *t == '\002'                           ? ']'
                : *t == '\t' || *t == '\n' || *t == '\r' ? ' '
                                                         : *t);
    putchar('\n');
    return 0;
}

/* A bad input, named as the command line gives it: QUERY or --FIELD. */
static int
search_usage_err(const struct app_err *err)
{
    if (strcmp(err->ae_field, "q") == 0)
        return cmd_usage("search", "QUERY: %s", err->ae_msg);
    return cmd_usage("search", "--%s: %s", err->ae_field, err->ae_msg);
}

int
cmd_search(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_search_req rq;
    struct view_search_res res;
    struct search_out out;
    struct view_sink sink = {NULL, search_row, &out};
    struct app_err err;
    struct home h;
    const char *limit;
    int rc;

    if (cmd_wants_help(argc, argv, search_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    memset(&rq, 0, sizeof(rq));
    rq.as_kind = cmd_opt(&o, "--kind");
    rq.as_category = cmd_opt(&o, "--category");
    rq.as_state = cmd_opt(&o, "--state");
    rq.as_audience = cmd_opt(&o, "--audience");
    rq.as_period = cmd_opt(&o, "--period");
    rq.as_after = cmd_opt(&o, "--after");
    limit = cmd_opt(&o, "--limit");
    rq.as_query = cmd_pos(&o, 0); /* after the options and their values */
    if ((rc = cmd_opts_done(&o, "search")) != 0)
        return rc;
    if (!rq.as_query)
        return cmd_usage("search", "QUERY is required");
    if (limit) {
        char *end;
        long n = strtol(limit, &end, 10);
        if (!*limit || *end || n < 1 || n > APP_SEARCH_MAX)
            return cmd_usage("search",
                             "--limit: '%s' is not a number from "
                             "1 to %d",
                             limit, APP_SEARCH_MAX);
        rq.as_limit = (uint64_t)n;
    }
    /* bad input is refused before the home is opened */
    if (app_search_check(&rq, &err) != 0)
        return search_usage_err(&err);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    memset(&out, 0, sizeof(out));
    out.so_json = env->json;
    if (out.so_json) {
        textbuf_puts(&out.so_buf, "{\"query\":");
        json_str(&out.so_buf, rq.as_query);
        textbuf_puts(&out.so_buf, ",\"items\":[");
        fwrite(out.so_buf.tb_data, 1, out.so_buf.tb_len, stdout);
        out.so_buf.tb_len = 0;
    }
    rc = app_search(&h, &rq, &sink, &res, &err);
    home_close(&h);
    if (rc != 0) {
        textbuf_free(&out.so_buf);
        if (out.so_json)
            putchar('\n');
        return err.ae_field[0] ? search_usage_err(&err)
                               : cmd_fail("search", "%s", err.ae_msg);
    }
    if (out.so_json) {
        textbuf_printf(&out.so_buf,
                       "%s],\"count\":%zu,\"next\":", out.so_n ? "\n" : "",
                       res.sr_count);
        if (res.sr_next[0])
            json_str(&out.so_buf, res.sr_next);
        else
            textbuf_puts(&out.so_buf, "null");
        textbuf_puts(&out.so_buf, "}\n");
        fwrite(out.so_buf.tb_data, 1, out.so_buf.tb_len, stdout);
    } else if (res.sr_next[0]) {
        printf("more: ilonet search ... --after %s\n", res.sr_next);
    } else if (!out.so_n) {
        fprintf(stderr, "ilonet search: no record matches\n");
    }
    textbuf_free(&out.so_buf);
    return 0;
}
