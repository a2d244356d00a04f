/* cmd_list.c - `ilonet list|show|query`: reading the merged view. */
#include <ctype.h>
#include <string.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"
#include "storage/entry.h"
#include "storage/store_int.h"

static const char list_usage[] =
    "usage: ilonet [-C DIR] list KIND [--all] [--json]\n\n"
    "KIND: observations meetings trainings carriers contacts postings tasks\n"
    "acting-presidencies grants revocations evidence. Shows the merged view:\n"
    "records that take effect and are neither retracted nor erased, oldest\n"
    "first; --all adds retracted, erased and unauthorised ones with their\n"
    "status and reason.\n";

static const char show_usage[] =
    "usage: ilonet [-C DIR] show ID [--json]\n\n"
    "One record (full hex id or unique prefix) with its fields, its status\n"
    "and its history: the creation and every amendment, retraction, erasure\n"
    "or status change, each with whether it took effect and, if not, why.\n";

static const char query_usage[] =
    "usage: ilonet [-C DIR] query SQL [--json]\n\n"
    "Runs one read-only SQL statement against the store. Views: records,\n"
    "observations, meetings, trainings, carriers, contacts, postings, tasks,\n"
    "acting_presidencies, changes, grants, revocations (docs/VIEW.md).\n"
    "Statements that would write are refused.\n";

/* Text columns per list kind (all columns go to --json). */
struct list_kind {
    const char *lk_name;
    const char *lk_sql;
    const char *lk_cols;
};

static const struct list_kind list_kinds[] = {
    {"observations", "SELECT * FROM observations ORDER BY time_ms, id",
     "id state category summary figure unit period"},
    {"meetings", "SELECT * FROM meetings ORDER BY date, time_ms, id",
     "id state date place convenor commission topics"},
    {"trainings", "SELECT * FROM trainings ORDER BY date, time_ms, id",
     "id state date type title"},
    {"carriers", "SELECT * FROM carriers ORDER BY date, time_ms, id",
     "id state date carrier position"},
    {"contacts", "SELECT * FROM contacts ORDER BY date, time_ms, id",
     "id state date type counterpart"},
    {"postings", "SELECT * FROM postings ORDER BY \"from\", time_ms, id",
     "id state from until officers post"},
    {"tasks", "SELECT * FROM tasks ORDER BY time_ms, id",
     "id creator for status due title"},
    {"acting-presidencies",
     "SELECT * FROM acting_presidencies ORDER BY semester, time_ms, id",
     "id state semester acting_state"},
    {"grants",
     "SELECT * FROM grants ORDER BY represented, representing, id",
     "id represented representing scope valid revoked_at_ms"},
    {"revocations", "SELECT * FROM revocations ORDER BY at_ms, id",
     "id type state grant_id at_ms valid"},
    {"evidence",
     "SELECT lower(hex(log_id)) AS log, seq, lower(hex(author)) AS author,"
     " audience, lower(hex(id_a)) AS entry_a, lower(hex(id_b)) AS entry_b"
     " FROM evidence ORDER BY log_id, seq",
     "log seq entry_a entry_b"},
};

static void
list_text_val(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        fputs("-", stdout);
        break;
    case SQLITE_BLOB:
        cmd_print_hex(stdout, sqlite3_column_blob(st, i),
                      (size_t)sqlite3_column_bytes(st, i));
        break;
    default: {
        /* one line per row: tabs and newlines inside text become spaces */
        const unsigned char *t = sqlite3_column_text(st, i);
        for (; t && *t; t++)
            putchar(*t == '\t' || *t == '\n' || *t == '\r' ? ' ' : *t);
    }
    }
}

/* Prints rows of st: a JSON array of objects, or a header and
 * tab-separated lines of the columns named in cols (NULL: all). */
static int
list_rows(struct cmd_env *env, const char *cmd, sqlite3_stmt *st,
          const char *cols)
{
    int idx[64], n = 0, rc, nrow = 0;

    if (!env->json) {
        int nc = sqlite3_column_count(st);
        for (int i = 0; i < nc && n < 64; i++) {
            const char *name = sqlite3_column_name(st, i);
            size_t l = strlen(name);
            const char *p = cols;
            int want = cols == NULL;
            while (p && *p && !want) {
                size_t w = strcspn(p, " ");
                want = w == l && strncmp(p, name, l) == 0;
                p += w;
                p += *p == ' ';
            }
            if (want)
                idx[n++] = i;
        }
        for (int k = 0; k < n; k++)
            printf("%s%s", k ? "\t" : "", sqlite3_column_name(st, idx[k]));
        putchar('\n');
    } else {
        putchar('[');
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (env->json) {
            fputs(nrow ? ",\n" : "\n", stdout);
            rec_json_row(stdout, st);
        } else {
            for (int k = 0; k < n; k++) {
                if (k)
                    putchar('\t');
                list_text_val(st, idx[k]);
            }
            putchar('\n');
        }
        nrow++;
    }
    if (env->json)
        fputs(nrow ? "\n]\n" : "]\n", stdout);
    if (rc != SQLITE_DONE)
        return cmd_fail(cmd, "%s", sqlite3_errmsg(sqlite3_db_handle(st)));
    return 0;
}

int
cmd_list(struct cmd_env *env, int argc, char **argv)
{
    const struct list_kind *k = NULL;
    const char *what;
    struct cmd_opts o;
    struct home h;
    sqlite3_stmt *st = NULL;
    char sql[256];
    int rc, all;

    if (cmd_wants_help(argc, argv, list_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    all = cmd_flag(&o, "--all");
    what = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "list")) != 0)
        return rc;
    if (!what)
        return cmd_usage("list", "KIND missing");
    for (size_t i = 0; i < sizeof(list_kinds) / sizeof(list_kinds[0]); i++)
        if (strcmp(list_kinds[i].lk_name, what) == 0)
            k = &list_kinds[i];
    if (!k)
        return cmd_usage("list", "unknown kind: %s", what);
    snprintf(sql, sizeof(sql), "%s", k->lk_sql);
    if (all) {
        const struct record_schema *sc = record_schema_by_plural(what);
        if (sc)
            snprintf(sql, sizeof(sql),
                     "SELECT * FROM records WHERE kind = %u ORDER BY hlc, id",
                     (unsigned)sc->rs_kind);
    }
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (sqlite3_prepare_v2(store_db(h.h_store), sql, -1, &st, NULL) !=
        SQLITE_OK)
        rc = cmd_fail("list", "%s", sqlite3_errmsg(store_db(h.h_store)));
    else
        rc = list_rows(env, "list", st,
                       all && record_schema_by_plural(what)
                           ? "id state status valid why"
                           : k->lk_cols);
    sqlite3_finalize(st);
    home_close(&h);
    return rc;
}

/* ---- show --------------------------------------------------------------- */

static int
show_record(struct cmd_env *env, struct home *h,
            const struct view_record_info *info)
{
    sqlite3 *db = store_db(h->h_store);
    sqlite3_stmt *st = NULL, *ch = NULL;
    char hex[2 * HASH_LEN + 1];
    int rc = 0, nrow = 0;

    hash_hex(info->vr_id, HASH_LEN, hex);
    if (sqlite3_prepare_v2(db, "SELECT * FROM records WHERE id = ?", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "SELECT id, kind, author_state, behalf, time_ms, status, valid,"
            " why FROM changes WHERE target = ? ORDER BY hlc, id",
            -1, &ch, NULL) != SQLITE_OK) {
        rc = cmd_fail("show", "%s", sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(ch, 1, hex, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = cmd_fail("show", "%s: no such record", hex);
        goto out;
    }
    if (env->json) {
        printf("{\"kind\":");
        cmd_json_str(stdout, entry_kind_name(info->vr_kind));
        printf(",\"record\":");
        rec_json_row(stdout, st);
        printf(",\"history\":[");
    } else {
        int nc = sqlite3_column_count(st);
        printf("%-14s %s\n", "kind", entry_kind_name(info->vr_kind));
        for (int i = 0; i < nc; i++) {
            const char *name = sqlite3_column_name(st, i);
            if (sqlite3_column_type(st, i) == SQLITE_NULL ||
                strcmp(name, "kind") == 0)
                continue;
            printf("%-14s ", name);
            list_text_val(st, i);
            putchar('\n');
        }
        printf("history\n");
    }
    while ((rc = sqlite3_step(ch)) == SQLITE_ROW) {
        if (env->json) {
            if (nrow)
                putchar(',');
            rec_json_row(stdout, ch);
        } else {
            int valid = sqlite3_column_int(ch, 6);
            printf("  %s %-11s by %s%s%s%s at %lld ms: %s%s%s\n",
                   (const char *)sqlite3_column_text(ch, 0),
                   entry_kind_name((uint64_t)sqlite3_column_int(ch, 1)),
                   (const char *)sqlite3_column_text(ch, 2),
                   sqlite3_column_type(ch, 3) == SQLITE_TEXT ? " for " : "",
                   sqlite3_column_type(ch, 3) == SQLITE_TEXT
                       ? (const char *)sqlite3_column_text(ch, 3)
                       : "",
                   sqlite3_column_type(ch, 5) == SQLITE_TEXT ? "" : "",
                   (long long)sqlite3_column_int64(ch, 4),
                   valid ? "took effect" : "no effect",
                   valid ? "" : ": ",
                   valid ? ""
                         : (sqlite3_column_text(ch, 7)
                                ? (const char *)sqlite3_column_text(ch, 7)
                                : "?"));
        }
        nrow++;
    }
    rc = rc == SQLITE_DONE ? 0 : cmd_fail("show", "%s", sqlite3_errmsg(db));
    if (env->json)
        printf("]}\n");
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ch);
    return rc;
}

int
cmd_show(struct cmd_env *env, int argc, char **argv)
{
    struct view_record_info info;
    struct cmd_opts o;
    struct home h;
    const char *id;
    int rc;

    if (cmd_wants_help(argc, argv, show_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    id = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "show")) != 0)
        return rc;
    if (!id)
        return cmd_usage("show", "ID missing");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = view_record_find(h.h_store, id, &info);
    if (rc == 0)
        rc = show_record(env, &h, &info);
    else if (rc == ILONET_EINVAL)
        rc = cmd_fail("show", "%s: not a record id (hex, at least 6 digits, "
                              "unambiguous)",
                      id);
    else if (rc == ILONET_ENOTFOUND) {
        /* maybe a change: show which record it targets and its fate */
        sqlite3_stmt *st = NULL;
        char like[80];
        snprintf(like, sizeof(like), "%.64s%%", id);
        for (char *p = like; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        rc = cmd_fail("show", "%s: no such record in the view", id);
        if (sqlite3_prepare_v2(store_db(h.h_store),
                               "SELECT * FROM changes WHERE id LIKE ?", -1,
                               &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) {
                if (env->json) {
                    rec_json_row(stdout, st);
                    putchar('\n');
                } else {
                    for (int i = 0; i < sqlite3_column_count(st); i++) {
                        printf("%-10s ", sqlite3_column_name(st, i));
                        list_text_val(st, i);
                        putchar('\n');
                    }
                }
                rc = 0;
            }
        }
        sqlite3_finalize(st);
    } else {
        rc = cmd_fail_err("show", rc);
    }
    home_close(&h);
    return rc;
}

/* ---- query --------------------------------------------------------------- */

int
cmd_query(struct cmd_env *env, int argc, char **argv)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL, *sql;
    struct cmd_opts o;
    struct home h;
    sqlite3 *db;
    int rc;

    if (cmd_wants_help(argc, argv, query_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    sql = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, "query")) != 0)
        return rc;
    if (!sql)
        return cmd_usage("query", "SQL missing");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    db = store_db(h.h_store);
    /* Two locks: the statement must be read-only, and the connection
     * refuses writes anyway (query_only) should a function try one. */
    sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
        rc = cmd_fail("query", "%s", sqlite3_errmsg(db));
        goto out;
    }
    while (tail && isspace((unsigned char)*tail))
        tail++;
    if (!st || (tail && *tail && *tail != ';')) {
        rc = cmd_fail("query", "one SQL statement expected");
        goto out;
    }
    if (!sqlite3_stmt_readonly(st)) {
        rc = cmd_fail("query", "read-only: the view cannot be changed by SQL"
                               " (use the writing commands)");
        goto out;
    }
    rc = list_rows(env, "query", st, NULL);
out:
    sqlite3_finalize(st);
    home_close(&h);
    return rc;
}
