/* test_clidoc.c - the CLI reference cannot drift: every command's --help,
 * its generated man page and docs/CLI.md name the same commands and options. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fixture.h"
#include "proc.h"
#include "test.h"

/*
 * The one source is the program's --help texts. docs/CLI.md documents each
 * command in sections headed "### `ilonet CMD [SUB|SUB] [--opt ...]`"; a
 * heading with "(planned)" names something not implemented yet. Options
 * are `--name` tokens. What is checked, each failure one line naming the
 * command, option and file:
 *   - every command of `ilonet --help` answers `--help` with exit 0;
 *   - every command and subcommand has a section, every option its
 *     --help prints appears in the command's sections and in its page;
 *   - every section not planned names an existing command, subcommand and
 *     options, and each option in its options table exists;
 *   - no section marked planned exists in full;
 *   - the pages are clean for groff -ww and lexgrog.
 */

#define CD_MAX 96 /* commands, options, subcommands, headings */
#define CD_NAME 48

struct cd_list {
    int n;
    char v[CD_MAX][CD_NAME];
};

struct cd_cmd {
    char name[CD_NAME];
    char *help; /* `ilonet NAME --help`, malloc'd */
};

struct cd_cli {
    int n;
    char *top; /* `ilonet --help`, malloc'd */
    struct cd_cmd cmd[CD_MAX];
};

/* One "### `ilonet ...`" section of docs/CLI.md. */
struct cd_heading {
    char cmd[CD_NAME];
    struct cd_list subs;
    struct cd_list opts;
    int planned;
    char title[160];  /* the heading line, for messages */
    const char *body; /* from the heading to the next ##/### heading */
    size_t len;
};

/* Problems found, one line each. */
struct cd_report {
    int n;
    size_t len;
    char text[1 << 15];
};

static void __attribute__((format(printf, 2, 3)))
cd_problem(struct cd_report *r, const char *fmt, ...)
{
    size_t room = sizeof(r->text) - r->len;
    va_list ap;
    int k;

    r->n++;
    if (room < 3)
        return; /* full: the count still says how many */
    va_start(ap, fmt);
    k = vsnprintf(r->text + r->len, room - 1, fmt, ap);
    va_end(ap);
    r->len += k < 0 ? 0 : (size_t)k < room - 2 ? (size_t)k : room - 2;
    r->text[r->len++] = '\n';
    r->text[r->len] = '\0';
}

static void
cd_add(struct cd_list *l, const char *s, size_t n)
{
    if (n >= CD_NAME || l->n == CD_MAX)
        return;
    for (int i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == n && strncmp(l->v[i], s, n) == 0)
            return;
    memcpy(l->v[l->n], s, n);
    l->v[l->n++][n] = '\0';
}

static int
cd_in(const struct cd_list *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

static int
cd_wordc(int c)
{
    return isalnum(c) || c == '-' || c == '_';
}

/* 1 when word occurs in text[0..len) not inside a longer name
 * ("--for" is not in "--format"). */
static int
cd_has(const char *text, size_t len, const char *word)
{
    size_t wl = strlen(word);

    for (size_t i = 0; i + wl <= len; i++)
        if (memcmp(text + i, word, wl) == 0 &&
            (i == 0 || !cd_wordc((unsigned char)text[i - 1])) &&
            (i + wl == len || !cd_wordc((unsigned char)text[i + wl])))
            return 1;
    return 0;
}

/* 1 when needle occurs in text[0..len). */
static int
cd_contains(const char *text, size_t len, const char *needle)
{
    size_t nl = strlen(needle);

    for (size_t i = 0; i + nl <= len; i++)
        if (memcmp(text + i, needle, nl) == 0)
            return 1;
    return 0;
}

/* Every `--name` token in text[0..len). */
static void
cd_options(const char *text, size_t len, struct cd_list *out)
{
    for (size_t i = 0; i + 2 < len; i++) {
        size_t j = i + 2;
        if (text[i] != '-' || text[i + 1] != '-' ||
            !isalpha((unsigned char)text[j]) ||
            (i > 0 && cd_wordc((unsigned char)text[i - 1])))
            continue;
        while (j < len && cd_wordc((unsigned char)text[j]))
            j++;
        cd_add(out, text + i, j - i);
        i = j;
    }
}

/* The commands `ilonet --help` lists: "  name  summary" after "commands:". */
static void
cd_commands(const char *top, struct cd_list *out)
{
    const char *p = strstr(top, "\ncommands:\n");

    for (p = p ? strchr(p + 1, '\n') + 1 : NULL; p && *p && *p != '\n';
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t n = 0;
        if (p[0] != ' ' || p[1] != ' ' || !islower((unsigned char)p[2]))
            continue;
        while (cd_wordc((unsigned char)p[2 + n]))
            n++;
        cd_add(out, p + 2, n);
    }
}

/* The subcommands in a --help text's usage lines (up to the first blank
 * line): the lowercase words after "ilonet [-C DIR] CMD", '|' between
 * alternatives ("task accept|decline", "report template | rotation"). */
static void
cd_subcommands(const char *help, struct cd_list *out)
{
    const char *end = strstr(help, "\n\n");
    size_t n = end ? (size_t)(end - help) : strlen(help);
    char *u = strndup(help, n), *save = NULL;

    for (char *line = strtok_r(u, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *s2 = NULL, *t;
        int k = 0;
        if (strncmp(line, "usage: ", 7) == 0)
            line += 7;
        while (*line == ' ')
            line++;
        if (strncmp(line, "ilonet ", 7) != 0)
            continue;
        for (t = strtok_r(line + 7, " ", &s2); t;
             t = strtok_r(NULL, " ", &s2)) {
            if (k == 0 && strcmp(t, "[-C") == 0) {
                t = strtok_r(NULL, " ", &s2); /* DIR] */
                continue;
            }
            if (k++ == 0 || strcmp(t, "|") == 0)
                continue; /* the command itself; an alternative follows */
            if (!islower((unsigned char)t[0]) ||
                t[strspn(t, "abcdefghijklmnopqrstuvwxyz|")] != '\0')
                break;
            for (char *w = t; *w;) {
                size_t l = strcspn(w, "|");
                cd_add(out, w, l);
                w += l + (w[l] == '|');
            }
        }
    }
    free(u);
}

/* The "### `ilonet ...`" sections of doc. Returns how many. */
static int
cd_headings(const char *doc, struct cd_heading *h, int max)
{
    int n = 0;
    const char *p = doc;

    while (p && *p) {
        const char *eol = strchr(p, '\n'), *q, *tick;
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        if (n > 0 && h[n - 1].len == 0 &&
            (strncmp(p, "## ", 3) == 0 || strncmp(p, "### ", 4) == 0))
            h[n - 1].len = (size_t)(p - h[n - 1].body);
        if (strncmp(p, "### `ilonet ", 12) == 0 && n < max &&
            (tick = memchr(p + 12, '`', ll - 12)) != NULL) {
            struct cd_heading *c = &h[n++];
            char words[160], *s = NULL, *w;
            int nw = 0, opt_seen = 0;
            memset(c, 0, sizeof(*c));
            snprintf(c->title, sizeof(c->title), "%.*s", (int)ll, p);
            c->planned = strstr(c->title, "(planned") != NULL;
            c->body = p;
            snprintf(words, sizeof(words), "%.*s", (int)(tick - (p + 12)),
                     p + 12);
            for (w = strtok_r(words, " ", &s); w; w = strtok_r(NULL, " ", &s)) {
                if (nw++ == 0) {
                    snprintf(c->cmd, sizeof(c->cmd), "%s", w);
                } else if (w[0] == '-') {
                    opt_seen = 1;
                    cd_options(w, strlen(w), &c->opts);
                } else if (!opt_seen && islower((unsigned char)w[0])) {
                    for (q = w; *q;) {
                        size_t l = strcspn(q, "|");
                        cd_add(&c->subs, q, l);
                        q += l + (q[l] == '|');
                    }
                }
            }
        }
        p = eol ? eol + 1 : NULL;
    }
    if (n > 0 && h[n - 1].len == 0)
        h[n - 1].len = strlen(h[n - 1].body);
    return n;
}

static const char *
cd_help_of(const struct cd_cli *c, const char *cmd)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->cmd[i].name, cmd) == 0)
            return c->cmd[i].help;
    return NULL;
}

/* Options that every command takes (cmd/main.c), documented anywhere. */
static int
cd_global(const char *opt)
{
    return strcmp(opt, "--json") == 0 || strcmp(opt, "--help") == 0;
}

/* The options named in the first cell of each options-table row
 * ("| `--name VALUE` | ...") of a section not marked planned. */
static void
cd_table_options(const struct cd_heading *h, struct cd_list *out)
{
    const char *p = h->body, *end = h->body + h->len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
        if (ll > 4 && strncmp(p, "| `-", 4) == 0) {
            const char *cell = memchr(p + 1, '|', ll - 1);
            /* "\|" inside a cell is an escaped bar, not the cell's end */
            while (cell && cell[-1] == '\\')
                cell = memchr(cell + 1, '|', (size_t)(p + ll - cell - 1));
            if (cell && !cd_contains(p, ll, "planned"))
                cd_options(p, (size_t)(cell - p), out);
        }
        p = eol ? eol + 1 : end;
    }
}

/* docs/CLI.md against the --help texts. */
static void
cd_check_doc(const struct cd_cli *c, const char *doc, struct cd_report *r)
{
    static struct cd_heading h[CD_MAX];
    struct cd_list cmds = {0};
    int nh = cd_headings(doc, h, CD_MAX);

    cd_commands(c->top, &cmds);
    for (int i = 0; i < c->n; i++) {
        const char *name = c->cmd[i].name, *help = c->cmd[i].help;
        struct cd_list opts = {0}, subs = {0}, covered = {0};
        int found = 0, planned = 0;

        cd_options(help, strlen(help), &opts);
        cd_subcommands(help, &subs);
        for (int k = 0; k < nh; k++) {
            if (strcmp(h[k].cmd, name) != 0)
                continue;
            if (h[k].planned) {
                planned = 1;
                continue;
            }
            found = 1;
            for (int j = 0; j < h[k].subs.n; j++)
                cd_add(&covered, h[k].subs.v[j], strlen(h[k].subs.v[j]));
        }
        if (!found) {
            cd_problem(r,
                       "docs/CLI.md: command 'ilonet %s' (listed by 'ilonet "
                       "--help') has no section '### `ilonet %s`'%s",
                       name, name,
                       planned ? " (only sections marked planned)" : "");
            continue;
        }
        for (int j = 0; j < subs.n; j++)
            if (!cd_in(&covered, subs.v[j]))
                cd_problem(r,
                           "docs/CLI.md: subcommand 'ilonet %s %s' (in "
                           "'ilonet %s --help') has no section '### `ilonet "
                           "%s %s`'",
                           name, subs.v[j], name, name, subs.v[j]);
        for (int j = 0; j < opts.n; j++) {
            int doc_has = 0;
            for (int k = 0; k < nh && !doc_has; k++)
                doc_has = !h[k].planned && strcmp(h[k].cmd, name) == 0 &&
                          cd_has(h[k].body, h[k].len, opts.v[j]);
            if (!doc_has)
                cd_problem(r,
                           "docs/CLI.md: option %s of 'ilonet %s' (printed "
                           "by 'ilonet %s --help') is not documented in its "
                           "sections '### `ilonet %s ...`'",
                           opts.v[j], name, name, name);
        }
    }
    for (int k = 0; k < nh; k++) {
        const char *help = cd_help_of(c, h[k].cmd);
        struct cd_list opts = {0}, subs = {0}, rows = {0};
        int all = help != NULL;

        if (help) {
            cd_options(help, strlen(help), &opts);
            cd_subcommands(help, &subs);
        }
        for (int j = 0; j < h[k].subs.n; j++) {
            if (help && cd_in(&subs, h[k].subs.v[j]))
                continue;
            all = 0;
            if (help && !h[k].planned)
                cd_problem(r,
                           "docs/CLI.md: '%s' documents subcommand 'ilonet "
                           "%s %s', which 'ilonet %s --help' does not show",
                           h[k].title, h[k].cmd, h[k].subs.v[j], h[k].cmd);
        }
        for (int j = 0; j < h[k].opts.n; j++) {
            if (help && cd_in(&opts, h[k].opts.v[j]))
                continue;
            all = 0;
            if (help && !h[k].planned)
                cd_problem(r,
                           "docs/CLI.md: '%s' names option %s, which 'ilonet "
                           "%s --help' does not print",
                           h[k].title, h[k].opts.v[j], h[k].cmd);
        }
        if (h[k].planned) {
            if (all)
                cd_problem(r,
                           "docs/CLI.md: '%s' is marked planned but exists in "
                           "this build ('ilonet %s --help'): document it "
                           "among the commands and drop '(planned)'",
                           h[k].title, h[k].cmd);
            continue;
        }
        if (!help) {
            cd_problem(r,
                       "docs/CLI.md: '%s' documents command 'ilonet %s', which "
                       "'ilonet --help' does not list (mark it (planned) or "
                       "remove it)",
                       h[k].title, h[k].cmd);
            continue;
        }
        cd_table_options(&h[k], &rows);
        for (int j = 0; j < rows.n; j++)
            if (!cd_global(rows.v[j]) && !cd_in(&opts, rows.v[j]))
                cd_problem(r,
                           "docs/CLI.md: '%s' lists option %s in its options "
                           "table, which 'ilonet %s --help' does not print "
                           "(mark the row planned or remove it)",
                           h[k].title, rows.v[j], h[k].cmd);
    }
}

/* A man page as text: font and hyphen escapes removed. malloc'd. */
static char *
cd_deroff(const char *m)
{
    char *out = malloc(strlen(m) + 1), *o = out;

    if (!out)
        abort();
    while (*m) {
        if (m[0] == '\\' && m[1] == 'f' && m[2]) {
            m += 3;
        } else if (m[0] == '\\' && (m[1] == '-' || m[1] == 'e')) {
            *o++ = m[1] == '-' ? '-' : '\\';
            m += 2;
        } else if (m[0] == '\\' && m[1] == '&') {
            m += 2;
        } else {
            *o++ = *m++;
        }
    }
    *o = '\0';
    return out;
}

/* The generated pages in dir against the --help texts. */
static void
cd_check_man(const struct cd_cli *c, const char *dir, struct cd_report *r)
{
    char path[600];
    char *top, *text;

    snprintf(path, sizeof(path), "%s/ilonet.1", dir);
    if (!(top = fx_read_text(path))) {
        cd_problem(r, "man: %s was not generated", path);
        return;
    }
    text = cd_deroff(top);
    free(top);
    for (int i = 0; i < c->n; i++) {
        const char *name = c->cmd[i].name, *help = c->cmd[i].help;
        struct cd_list opts = {0};
        char want[CD_NAME + 16], *page, *ptext;

        snprintf(want, sizeof(want), "ilonet-%s(1)", name);
        if (!strstr(text, want))
            cd_problem(r, "man: ilonet.1 does not list command %s (%s)", name,
                       want);
        snprintf(path, sizeof(path), "%s/ilonet-%s.1", dir, name);
        if (!(page = fx_read_text(path))) {
            cd_problem(r, "man: no page ilonet-%s.1 for command 'ilonet %s'",
                       name, name);
            continue;
        }
        ptext = cd_deroff(page);
        free(page);
        cd_options(help, strlen(help), &opts);
        for (int j = 0; j < opts.n; j++)
            if (!cd_has(ptext, strlen(ptext), opts.v[j]))
                cd_problem(r,
                           "man: option %s of 'ilonet %s' (printed by 'ilonet "
                           "%s --help') is missing from ilonet-%s.1",
                           opts.v[j], name, name, name);
        free(ptext);
    }
    free(text);
}

/* Runs `ilonet --help` and every command's --help; each must exit 0. */
static void
cd_load(struct cd_cli *c, struct cd_report *r)
{
    struct cli_out o;
    struct cd_list cmds = {0};

    memset(c, 0, sizeof(*c));
    if (cli_run(&o, "--help", (char *)NULL) != 0)
        TEST_FAIL_("'ilonet --help' exited %d: %s", o.co_status, o.co_err);
    c->top = o.co_out;
    free(o.co_err);
    cd_commands(c->top, &cmds);
    ASSERT_GE(cmds.n, 30);
    for (int i = 0; i < cmds.n; i++) {
        int st = cli_run(&o, cmds.v[i], "--help", (char *)NULL);
        if (st != 0 || strncmp(o.co_out, "usage: ", 7) != 0)
            cd_problem(r,
                       "'ilonet %s --help' exited %d and printed no usage "
                       "line: %.200s",
                       cmds.v[i], st, o.co_err);
        snprintf(c->cmd[c->n].name, CD_NAME, "%s", cmds.v[i]);
        c->cmd[c->n++].help = o.co_out;
        free(o.co_err);
    }
}

static void
cd_free(struct cd_cli *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->cmd[i].help);
    free(c->top);
}

static char *
cd_doc(void)
{
    const char *src = getenv("ILONET_SRC");
    char path[512];
    char *doc;

    snprintf(path, sizeof(path), "%s/docs/CLI.md", src && *src ? src : ".");
    doc = fx_read_text(path);
    if (!doc)
        TEST_FAIL_("cannot read %s (run from the source tree or set "
                   "ILONET_SRC)",
                   path);
    return doc;
}

/* Generates the pages with scripts/mkman.sh into a fresh directory;
 * returns it (malloc'd). */
static char *
cd_man(void)
{
    const char *src = getenv("ILONET_SRC");
    char *dir = test_tmpdir("clidoc"), out[4096];

    if (proc_run(out, sizeof(out),
                 "sh '%s/scripts/mkman.sh' '%s' '%s/man' 2>&1",
                 src && *src ? src : ".", cli_bin(), dir) != 0)
        TEST_FAIL_("scripts/mkman.sh failed: %s", out);
    return dir;
}

#define CD_ASSERT_CLEAN(r)                                                     \
    do {                                                                       \
        if ((r)->n)                                                            \
            TEST_FAIL_("%d problem(s):\n%s", (r)->n, (r)->text);               \
    } while (0)

static void
every_command_help_exits_0(void)
{
    static struct cd_report r;
    struct cd_cli c;

    cd_load(&c, &r);
    cd_free(&c);
    CD_ASSERT_CLEAN(&r);
}

static void
help_and_cli_md_agree(void)
{
    static struct cd_report r;
    struct cd_cli c;
    char *doc = cd_doc();

    cd_load(&c, &r);
    cd_check_doc(&c, doc, &r);
    cd_free(&c);
    free(doc);
    CD_ASSERT_CLEAN(&r);
}

static void
help_and_man_pages_agree(void)
{
    static struct cd_report r;
    struct cd_cli c;
    char *dir = cd_man(), mdir[600];

    snprintf(mdir, sizeof(mdir), "%s/man", dir);
    cd_load(&c, &r);
    cd_check_man(&c, mdir, &r);
    cd_free(&c);
    free(dir);
    CD_ASSERT_CLEAN(&r);
}

/* groff's warnings (-ww) and lexgrog (the NAME line man-db indexes) are
 * clean on every page; one run each over all pages (groff names the file
 * and line of a warning). */
static void
man_pages_lint_clean(void)
{
    static struct cd_report r;
    static char out[1 << 16];
    char *dir = cd_man();
    int st;

    if (proc_run(NULL, 0, "command -v groff && command -v lexgrog") != 0)
        TEST_FAIL_("groff or lexgrog missing: install groff-base and man-db "
                   "(sh scripts/deps.sh groff-base man-db)");
    st = proc_run(out, sizeof(out), "cd '%s/man' && groff -man -z -ww *.1 2>&1",
                  dir);
    if (st != 0 || out[0])
        cd_problem(&r, "man: groff -man -z -ww (exit %d): %s", st, out);
    st = proc_run(out, sizeof(out), "cd '%s/man' && lexgrog *.1 2>&1", dir);
    if (st != 0 || strstr(out, "parse failed"))
        cd_problem(&r, "man: lexgrog (exit %d): %s", st, out);
    if (!strstr(out, "ilonet-observe.1: \"ilonet-observe - record an "
                     "observation\"\n") ||
        !strstr(out, "ilonet.1: \"ilonet - "))
        cd_problem(&r, "man: lexgrog reads no NAME line: %s", out);
    free(dir);
    CD_ASSERT_CLEAN(&r);
}

/* The checks fail, naming what is missing where, when a --help text gains
 * an option nobody documented, when a section documents a command that
 * does not exist, when a planned section exists, and when an options table
 * names an option the command does not have. */
static void
drift_is_reported_exactly(void)
{
    static struct cd_report r, m, base, mbase;
    struct cd_cli c;
    char *doc = cd_doc(), *dir = cd_man(), mdir[600], *bad, *obs = NULL;
    const char *sec = "### `ilonet observe`\n";
    size_t at;

    /* What the tree itself gets wrong (the other cases report it) is the
     * baseline: exactly the planted drift must come on top. */
    snprintf(mdir, sizeof(mdir), "%s/man", dir);
    cd_load(&c, &base);
    cd_check_doc(&c, doc, &base);
    cd_check_man(&c, mdir, &mbase);
    for (int i = 0; i < c.n; i++)
        if (strcmp(c.cmd[i].name, "observe") == 0) {
            char *h = malloc(strlen(c.cmd[i].help) + 32);
            const char *nl = strchr(c.cmd[i].help, '\n');
            ASSERT(h && nl);
            /* "usage: ... --summary TEXT [--planted-drift TEXT]\n..." */
            sprintf(h, "%.*s [--planted-drift TEXT]%s",
                    (int)(nl - c.cmd[i].help), c.cmd[i].help, nl);
            free(c.cmd[i].help);
            c.cmd[i].help = obs = h;
        }
    ASSERT(obs);
    ASSERT(strstr(doc, sec));
    at = (size_t)(strstr(doc, sec) - doc) + strlen(sec);
    bad = malloc(strlen(doc) + 512);
    ASSERT(bad);
    sprintf(bad,
            "%.*s\n| `--colour C` | |\n%s\n### `ilonet frobnicate`\n\n"
            "### `ilonet id` (planned)\n",
            (int)at, doc, doc + at);
    cd_check_doc(&c, bad, &r);
    cd_check_man(&c, mdir, &m);
    cd_free(&c);
    free(bad);
    free(doc);
    free(dir);
    ASSERT_EQ(r.n, base.n + 4);
    ASSERT(strstr(r.text,
                  "docs/CLI.md: option --planted-drift of 'ilonet observe' "
                  "(printed by 'ilonet observe --help') is not "
                  "documented in its sections '### `ilonet observe "
                  "...`'\n"));
    ASSERT(strstr(r.text, "docs/CLI.md: '### `ilonet observe`' lists option "
                          "--colour in its options table, which 'ilonet "
                          "observe --help' does not print"));
    ASSERT(strstr(r.text, "documents command 'ilonet frobnicate', which "
                          "'ilonet --help' does not list"));
    ASSERT(strstr(r.text, "'### `ilonet id` (planned)' is marked planned but "
                          "exists in this build"));
    ASSERT_EQ(m.n, mbase.n + 1);
    ASSERT(strstr(m.text, "man: option --planted-drift of 'ilonet observe' "
                          "(printed by 'ilonet observe --help') is missing "
                          "from ilonet-observe.1\n"));
}

/* The parsers on the shapes the --help texts use. */
static void
parsers_read_the_usage_shapes(void)
{
    struct cd_list s = {0}, o = {0};
    static struct cd_heading h[4];
    const char *doc = "### `ilonet task accept|decline ID` x\nbody --for\n"
                      "## next\n### `ilonet user add|list` (planned)\n";

    cd_subcommands("usage: ilonet [-C DIR] report --semester S\n"
                   "       ilonet [-C DIR] report acting --state X\n"
                   "       ilonet report template | rotation\n\nprose add\n",
                   &s);
    ASSERT_EQ(s.n, 3);
    ASSERT_STR_EQ(s.v[0], "acting");
    ASSERT_STR_EQ(s.v[1], "template");
    ASSERT_STR_EQ(s.v[2], "rotation");
    const char *t = "[--for STATE[,STATE]] --after-log/--after-seq, a-b x--y "
                    "--format`--FIELD";

    cd_options(t, strlen(t), &o);
    ASSERT_EQ(o.n, 5);
    ASSERT_STR_EQ(o.v[0], "--for");
    ASSERT_STR_EQ(o.v[1], "--after-log");
    ASSERT_STR_EQ(o.v[2], "--after-seq");
    ASSERT_STR_EQ(o.v[3], "--format");
    ASSERT_STR_EQ(o.v[4], "--FIELD");
    ASSERT(cd_has("a --format b", 12, "--format"));
    ASSERT(!cd_has("a --format b", 12, "--for"));
    ASSERT_EQ(cd_headings(doc, h, 4), 2);
    ASSERT_STR_EQ(h[0].cmd, "task");
    ASSERT_EQ(h[0].subs.n, 2);
    ASSERT_EQ(h[0].planned, 0);
    ASSERT(cd_has(h[0].body, h[0].len, "--for"));
    ASSERT(!cd_has(h[0].body, h[0].len, "next"));
    ASSERT_EQ(h[1].planned, 1);
    ASSERT_STR_EQ(h[1].subs.v[1], "list");
}

TEST_LIST = {
    TEST(parsers_read_the_usage_shapes), TEST(every_command_help_exits_0),
    TEST(help_and_cli_md_agree),         TEST(help_and_man_pages_agree),
    TEST(man_pages_lint_clean),          TEST(drift_is_reported_exactly),
};

TEST_MAIN()
