/* test_layout.c - the layering rules of docs/ARCHITECTURE.md, checked on the
 * source tree. */
/*
 * DESIGN §11 says each rule "can be checked with grep": these cases do
 * that on every .c/.h under the module directories, so a change that
 * breaks a rule fails `make check` with the file and line. The tree is
 * $ILONET_SRC, else the current directory (make runs tests from the
 * project root).
 */
#include "test.h"

#include <dirent.h>
#include <sys/stat.h>

#define LAYOUT_MAX_FILES 1024
#define LAYOUT_LINE 4096

struct layout_files {
    size_t n;
    char *path[LAYOUT_MAX_FILES];
};

static const char *
layout_src(void)
{
    const char *s = getenv("ILONET_SRC");
    return s && *s ? s : ".";
}

/* Every .c and .h under dir (relative to the source root), recursively. */
static void
layout_walk(struct layout_files *f, const char *dir)
{
    char full[1024];
    DIR *d;
    struct dirent *e;

    snprintf(full, sizeof(full), "%s/%s", layout_src(), dir);
    if (!(d = opendir(full)))
        TEST_FAIL_("cannot open %s (run from the project root or set "
                   "ILONET_SRC)",
                   full);
    while ((e = readdir(d)) != NULL) {
        char rel[1024], abs[1200];
        struct stat st;
        size_t l = strlen(e->d_name);

        if (e->d_name[0] == '.')
            continue;
        snprintf(rel, sizeof(rel), "%s/%s", dir, e->d_name);
        snprintf(abs, sizeof(abs), "%s/%s", layout_src(), rel);
        if (stat(abs, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            layout_walk(f, rel);
        } else if (l > 2 && (strcmp(e->d_name + l - 2, ".c") == 0 ||
                             strcmp(e->d_name + l - 2, ".h") == 0)) {
            ASSERT(f->n < LAYOUT_MAX_FILES);
            f->path[f->n++] = strdup(rel);
        }
    }
    closedir(d);
}

static void
layout_free(struct layout_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->path[i]);
    f->n = 0;
}

/*
 * Counts lines of the files under dir that contain any of the needles
 * (NULL-terminated), printing each as "file:line: rule: text" (rule NULL:
 * silently). Lines whose file
 * path starts with one of allow (NULL-terminated, may be NULL) are skipped.
 * Comment-only lines (starting with / * or *) are skipped: the rules are
 * about code, and comments may name what they must not call.
 */
static int
layout_find(const char *dir, const char *const *needles,
            const char *const *allow, const char *rule)
{
    struct layout_files f = {0};
    int bad = 0;

    layout_walk(&f, dir);
    for (size_t i = 0; i < f.n; i++) {
        char abs[1200], line[LAYOUT_LINE];
        FILE *in;
        int ln = 0, skip = 0;

        for (size_t a = 0; allow && allow[a]; a++)
            if (strncmp(f.path[i], allow[a], strlen(allow[a])) == 0)
                skip = 1;
        if (skip)
            continue;
        snprintf(abs, sizeof(abs), "%s/%s", layout_src(), f.path[i]);
        if (!(in = fopen(abs, "r")))
            continue;
        while (fgets(line, sizeof(line), in)) {
            const char *p = line;
            ln++;
            while (*p == ' ' || *p == '\t')
                p++;
            if (strncmp(p, "/*", 2) == 0 || *p == '*' ||
                strncmp(p, "//", 2) == 0)
                continue;
            for (size_t k = 0; needles[k]; k++)
                if (strstr(p, needles[k])) {
                    if (rule)
                        fprintf(stderr, "  %s:%d: %s: %s", f.path[i], ln, rule,
                                p);
                    bad++;
                    break;
                }
        }
        fclose(in);
    }
    layout_free(&f);
    return bad;
}

/* cmd/ and the HTTP adapter call use cases (node/app/): no storage/
 * header, no SQL. */
static void
layout_adapters_include_no_storage(void)
{
    static const char *const inc[] = {"#include \"storage/", NULL};
    int bad = layout_find("cmd", inc, NULL, "cmd/ includes a storage header") +
              layout_find("node/http", inc, NULL,
                          "the HTTP adapter includes a storage header");
    ASSERT_EQ(bad, 0);
}

/* Only storage/ speaks SQL. */
static void
layout_sql_only_in_storage(void)
{
    static const char *const sql[] = {"sqlite3_", "<sqlite3.h>", "store_int.h",
                                      NULL};
    static const char *const dirs[] = {"crypto", "replication", "node", "cmd",
                                       NULL};
    int bad = 0;

    for (size_t i = 0; dirs[i]; i++)
        bad += layout_find(dirs[i], sql, NULL, "SQL outside storage/");
    ASSERT_EQ(bad, 0);
}

/* A report reads the view's API, never the log store. */
static void
layout_report_reads_the_view_only(void)
{
    static const char *const inc[] = {
        "#include \"storage/log.h\"", "#include \"storage/store.h\"",
        "#include \"storage/bundle.h\"", "#include \"storage/batch.h\"", NULL};
    ASSERT_EQ(layout_find("node/report", inc, NULL,
                          "the report reaches past the view"),
              0);
}

/* Replication knows nothing of the domain (no view or record header). */
static void
layout_replication_knows_no_domain(void)
{
    static const char *const inc[] = {"#include \"storage/view/",
                                      "#include \"node/", "#include \"cmd/",
                                      NULL};
    ASSERT_EQ(layout_find("replication", inc, NULL,
                          "replication includes the domain or a layer above"),
              0);
}

/* Dependencies point one way: crypto <- storage <- replication <- node <-
 * cmd. */
static void
layout_dependencies_point_one_way(void)
{
    static const char *const above_crypto[] = {
        "#include \"storage/", "#include \"replication/", "#include \"node/",
        "#include \"cmd/", NULL};
    static const char *const above_storage[] = {
        "#include \"replication/", "#include \"node/", "#include \"cmd/", NULL};
    static const char *const above_node[] = {"#include \"cmd/", NULL};
    int bad = layout_find("crypto", above_crypto, NULL,
                          "crypto/ includes a layer above") +
              layout_find("storage", above_storage, NULL,
                          "storage/ includes a layer above") +
              layout_find("node", above_node, NULL, "node/ includes cmd/");
    ASSERT_EQ(bad, 0);
}

/* Only the program's main changes process-wide state; the library never
 * installs signal handlers, tears NNG down or touches the umask. */
static void
layout_library_leaves_process_state_alone(void)
{
    static const char *const calls[] = {"signal(SIG", "sigaction(", "nng_fini(",
                                        "umask(",     "setlocale(", "chdir(",
                                        NULL};
    static const char *const dirs[] = {"crypto", "storage", "replication",
                                       "node", NULL};
    int bad = 0;

    for (size_t i = 0; dirs[i]; i++)
        bad += layout_find(dirs[i], calls, NULL,
                           "library code changes process-wide state");
    ASSERT_EQ(bad, 0);
}

/* Generated code is never committed: the page's assets and the shipped
 * data are embedded at build time (build/gen/embed.c). */
static void
layout_no_generated_c_committed(void)
{
    static const char *const gen[] = {"generated by scripts/embed.sh", NULL};
    int bad = 0;
    static const char *const dirs[] = {"crypto", "storage", "replication",
                                       "node",   "cmd",     NULL};

    for (size_t i = 0; dirs[i]; i++)
        bad += layout_find(dirs[i], gen, NULL, "a generated file is committed");
    ASSERT_EQ(bad, 0);
}

/* The checks above can fail: a planted violation is found (so a rule that
 * passes is a rule that was looked for). */
static void
layout_checks_can_fail(void)
{
    static const char *const needle[] = {"layout_checks_can_fail", NULL};
    int found;

    /* this very file names itself */
    found = layout_find("tests", needle, NULL, NULL);
    ASSERT_GE(found, 1);
}

TEST_LIST = {
    TEST(layout_adapters_include_no_storage),
    TEST(layout_sql_only_in_storage),
    TEST(layout_report_reads_the_view_only),
    TEST(layout_replication_knows_no_domain),
    TEST(layout_dependencies_point_one_way),
    TEST(layout_library_leaves_process_state_alone),
    TEST(layout_no_generated_c_committed),
    TEST(layout_checks_can_fail),
};

TEST_MAIN()
