/* test_deploy.c - package, service unit, backups, three posts (issue 18). */
/*
 * Each case runs what docs/DEPLOY.md tells an administrator to run:
 * - the package built by scripts/mkdeb.sh from $ILONET_BIN, installed with
 *   dpkg into a fresh directory root (its maintainer scripts run against
 *   that root: DPKG_ROOT), then the installed program run;
 * - the installed ilonet@.service checked by systemd-analyze (verify,
 *   security), SIGTERM as a clean stop, and every system call the node
 *   makes (strace) inside the unit's SystemCallFilter;
 * - `ilonet backup` of a running node, 50 more entries, the home restored
 *   from the backup: writes refused until a peer is reached, then no fork;
 * - three posts, each in its own network namespace with its own installed
 *   root (/var/lib/ilonet/<home> inside), running the unit's ExecStart as
 *   the ilonet user; one behind rules that only let connections out.
 * A case prints "SKIP" and passes only when a tool it needs is missing
 * (or, for namespaces, when not root). Runs from the source tree (make
 * unit): scripts/mkdeb.sh is read from ./ (or $ILONET_SRC). Nodes are
 * children with PR_SET_PDEATHSIG=SIGKILL; namespaces are removed on every
 * exit path, and those of a run killed -9 are swept by the next.
 * Needs ILONET_BIN.
 */
#define _GNU_SOURCE
#include "test.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#define DEADLINE_MS 30000

/* ---- helpers --------------------------------------------------------------
 */

static int
have(const char *tool)
{
    return proc_run(NULL, 0, "command -v %s >/dev/null 2>&1", tool) == 0;
}

/* Missing tools: prints the SKIP line and returns 1. */
static int
skip_without(const char *const *tools)
{
    for (int i = 0; tools[i]; i++)
        if (!have(tools[i])) {
            printf("  SKIP: %s not installed\n", tools[i]);
            return 1;
        }
    return 0;
}

static const char *
src_dir(void)
{
    const char *s = getenv("ILONET_SRC");
    return s && *s ? s : ".";
}

/* What `ilonet --version` prints after "ilonet ", into v. */
static void
bin_version(const char *bin, char v[64])
{
    char out[256];

    ASSERT_EQ(proc_run(out, sizeof(out), "%s --version", bin), 0);
    ASSERT_EQ(sscanf(out, "ilonet %63s", v), 1);
}

/* Reads a whole small file into a static buffer ("" when absent). */
static const char *
slurp(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = 0;
    return buf;
}

/* Builds the package from $ILONET_BIN into dir/deb; its path into deb. */
static void
deb_build(const char *dir, char *deb, size_t cap)
{
    char out[2048], *nl, *last;

    if (proc_run(out, sizeof(out), "sh %s/scripts/mkdeb.sh %s %s/deb",
                 src_dir(), proc_bin(), dir) != 0)
        TEST_FAIL_("scripts/mkdeb.sh failed");
    while ((nl = strrchr(out, '\n')) && nl[1] == 0)
        *nl = 0;
    last = strrchr(out, '\n');
    snprintf(deb, cap, "%s", last ? last + 1 : out);
    ASSERT(strstr(deb, ".deb"));
}

/*
 * A fresh directory root: an empty dpkg database and the four account
 * files useradd needs (root only), nothing else. The package is installed
 * with dpkg --root; its maintainer scripts run outside a chroot with
 * DPKG_ROOT set (the root has no shell to chroot into) and dependencies
 * are not looked for in it (they are the running system's: checked
 * separately).
 */
static void
root_install(const char *root, const char *deb)
{
    char log[700];

    snprintf(log, sizeof(log), "%s.dpkg.log", root);
    ASSERT_EQ(
        proc_run(NULL, 0,
                 "mkdir -p %s/var/lib/dpkg/info %s/var/lib/dpkg/updates "
                 "%s/var/lib/dpkg/triggers %s/etc && chmod 0755 %s && "
                 ": > %s/var/lib/dpkg/status && "
                 "echo 'root:x:0:0:root:/root:/bin/sh' > %s/etc/passwd && "
                 "echo 'root:x:0:' > %s/etc/group && "
                 "echo 'root:*:19000:0:99999:7:::' > %s/etc/shadow && "
                 "echo 'root:*::' > %s/etc/gshadow",
                 root, root, root, root, root, root, root, root, root, root),
        0);
    if (proc_run(NULL, 0,
                 "dpkg --root=%s --force-script-chrootless --force-depends "
                 "-i %s >%s 2>&1",
                 root, deb, log) != 0)
        TEST_FAIL_("dpkg -i into %s failed:\n%s", root, slurp(log));
}

/* uid and gid of user ilonet in root's /etc/passwd; -1 when absent. */
static void
root_ilonet_ids(const char *root, long *uid, long *gid, int *count)
{
    char path[700], line[512];
    FILE *f;

    *uid = *gid = -1;
    *count = 0;
    snprintf(path, sizeof(path), "%s/etc/passwd", root);
    ASSERT((f = fopen(path, "r")) != NULL);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "ilonet:", 7) == 0) {
            ASSERT_EQ(sscanf(line, "ilonet:%*[^:]:%ld:%ld:", uid, gid), 2);
            ASSERT(strstr(line, ":/var/lib/ilonet:/usr/sbin/nologin"));
            (*count)++;
        }
    fclose(f);
}

/* ---- 2: the package
 * ------------------------------------------------------------ */

static void
package_installs_into_a_fresh_root(void)
{
    static const char *const tools[] = {"dpkg", "dpkg-deb", "useradd", "strip",
                                        NULL};
    char *tmp, deb[1024], root[600], ver[64], iver[64], out[8192], path[700];
    struct stat sb;
    long uid, gid;
    int n;

    if (skip_without(tools))
        return;
    tmp = test_tmpdir("deb");
    bin_version(proc_bin(), ver);
    deb_build(tmp, deb, sizeof(deb));
    printf("  %s\n", strrchr(deb, '/') + 1);

    /* Name, version from the one place (`ilonet --version`), Depends. */
    snprintf(path, sizeof(path), "/ilonet_%s_", ver);
    ASSERT(strstr(deb, path));
    ASSERT_EQ(proc_run(out, sizeof(out), "dpkg-deb -f %s Version", deb), 0);
    ASSERT(strncmp(out, ver, strlen(ver)) == 0 && out[strlen(ver)] == '\n');
    ASSERT_EQ(proc_run(out, sizeof(out), "dpkg-deb -f %s Depends", deb), 0);
    printf("  Depends: %s", out);
    {
        static const char *const libs[] = {
            "libuv1",  "libnng1", "libmsgpackc2", "libsodium23", "libsqlite3-0",
            "adduser", NULL};
        for (int i = 0; libs[i]; i++) {
            char pat[64];
            snprintf(pat, sizeof(pat), "%s", libs[i]);
            if (!strstr(out, pat))
                TEST_FAIL_("Depends lacks %s: %s", libs[i], out);
        }
    }
    /* Every dependency is met by the running Debian system's packages, at
     * the version the package asks for. */
    ASSERT_EQ(
        proc_run(NULL, 0,
                 "dpkg-deb -f %s Depends | tr ',' '\\n' | "
                 "sed 's/^ *//; s/[()]//g' | "
                 "while read -r p op v; do "
                 "  q=$(dpkg-query -W -f '${Version}' \"$p\" 2>/dev/null) "
                 "    || { echo \"missing: $p\" >&2; exit 1; }; "
                 "  [ -z \"$op\" ] || dpkg --compare-versions \"$q\" "
                 "\"$op\" \"$v\" || { echo \"$p $q not $op $v\" >&2; "
                 "exit 1; }; "
                 "done",
                 deb),
        0);

    /* Contents: owned by root, the layout docs/DEPLOY.md names. */
    ASSERT_EQ(proc_run(out, sizeof(out), "dpkg-deb -c %s", deb), 0);
    {
        static const char *const want[] = {
            " ./usr/bin/ilonet\n",
            " ./lib/systemd/system/ilonet@.service\n",
            " ./usr/share/doc/ilonet/copyright\n",
            " ./usr/share/doc/ilonet/DEPLOY.md\n",
            " ./usr/share/doc/ilonet/changelog.gz\n",
            NULL};
        for (int i = 0; want[i]; i++)
            if (!strstr(out, want[i]))
                TEST_FAIL_("package lacks%s", want[i]);
        for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
            if (!strstr(l, " root/root "))
                TEST_FAIL_("not owned by root: %s", l);
    }
    /* Every man page of the tree is in the package. */
    ASSERT_EQ(proc_run(NULL, 0,
                       "for m in %s/man/*.1 $(dirname %s)/man/*.1; do "
                       "[ -f \"$m\" ] || continue; "
                       "dpkg-deb -c %s | grep -q \" ./usr/share/man/man1/"
                       "$(basename \"$m\").gz$\" || exit 1; done",
                       src_dir(), proc_bin(), deb),
              0);

    /* Installed into a fresh root: the user, /var/lib/ilonet 0700 owned by
     * it, and the installed program runs. */
    snprintf(root, sizeof(root), "%s/root", tmp);
    root_install(root, deb);
    root_ilonet_ids(root, &uid, &gid, &n);
    ASSERT_EQ(n, 1);
    ASSERT(uid > 0 && gid > 0);
    snprintf(path, sizeof(path), "%s/var/lib/ilonet", root);
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT(S_ISDIR(sb.st_mode));
    ASSERT_EQ(sb.st_mode & 07777, 0700);
    ASSERT_EQ(sb.st_uid, uid);
    ASSERT_EQ(sb.st_gid, gid);
    snprintf(path, sizeof(path), "%s/usr/bin/ilonet", root);
    bin_version(path, iver);
    ASSERT_STR_EQ(iver, ver);
    printf("  installed in a fresh root: %s --version: ilonet %s; user "
           "ilonet uid %ld; /var/lib/ilonet 0700\n",
           "usr/bin/ilonet", iver, uid);
    ASSERT_EQ(proc_run(NULL, 0, "%s --help >/dev/null", path), 0);

    /* Installing again (an upgrade) keeps one user; purge keeps a
     * non-empty /var/lib/ilonet (node keys live there) and removes an
     * empty one. */
    ASSERT_EQ(proc_run(NULL, 0,
                       "dpkg --root=%s --force-script-chrootless "
                       "--force-depends -i %s >/dev/null 2>&1",
                       root, deb),
              0);
    root_ilonet_ids(root, &uid, &gid, &n);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(proc_run(NULL, 0,
                       "mkdir %s/var/lib/ilonet/post && "
                       "dpkg --root=%s --force-script-chrootless --purge "
                       "ilonet >/dev/null 2>&1",
                       root, root),
              0);
    snprintf(path, sizeof(path), "%s/var/lib/ilonet/post", root);
    ASSERT_EQ(stat(path, &sb), 0);
    snprintf(path, sizeof(path), "%s/usr/bin/ilonet", root);
    ASSERT(stat(path, &sb) != 0);
    ASSERT_EQ(proc_run(NULL, 0,
                       "rmdir %s/var/lib/ilonet/post && "
                       "dpkg --root=%s --force-script-chrootless "
                       "--force-depends -i %s >/dev/null 2>&1 && "
                       "dpkg --root=%s --force-script-chrootless --purge "
                       "ilonet >/dev/null 2>&1",
                       root, root, deb, root),
              0);
    snprintf(path, sizeof(path), "%s/var/lib/ilonet", root);
    ASSERT(stat(path, &sb) != 0);
    free(tmp);
}

/* Lintian: no error or warning but those docs/DEPLOY.md explains. Lintian
 * is installed when missing (root only), as test_demo does Chromium. */
static void
package_is_lintian_clean(void)
{
    static const char *const tools[] = {"dpkg", "dpkg-deb", "strip", NULL};
    char *tmp, deb[1024], out[16384];
    int man = 0;

    if (skip_without(tools))
        return;
    if (!have("lintian") && geteuid() == 0)
        proc_run(NULL, 0,
                 "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                 "lintian >/dev/null 2>&1");
    if (!have("lintian")) {
        printf("  SKIP: lintian not installed (and could not be)\n");
        return;
    }
    tmp = test_tmpdir("lintian");
    deb_build(tmp, deb, sizeof(deb));
    ASSERT_EQ(proc_run(out, sizeof(out), "dpkg-deb -c %s", deb), 0);
    man = strstr(out, "./usr/share/man/man1/ilonet.1.gz") != NULL;
    /* Exit status 0 or 1 (tags found): the tags are judged below. */
    proc_run(out, sizeof(out), "lintian --no-tag-display-limit %s 2>&1", deb);
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        if (strncmp(l, "E: ", 3) != 0 && strncmp(l, "W: ", 3) != 0)
            continue;
        printf("  lintian: %s\n", l);
        /* The man pages come from the CLI reference's generator; until the
         * tree holds them this is the one warning (docs/DEPLOY.md). */
        if (!man && strstr(l, "no-manual-page [usr/bin/ilonet]"))
            continue;
        TEST_FAIL_("lintian tag not explained in docs/DEPLOY.md: %s", l);
    }
    free(tmp);
}

/* ---- 3: the service
 * ------------------------------------------------------------- */

/* The installed unit with ExecStart pointing into root, as
 * dir/ilonet@post.service (systemd-analyze checks that the program
 * exists and is executable). */
static void
unit_instance(const char *root, const char *dir, char *unit, size_t cap)
{
    snprintf(unit, cap, "%s/ilonet@post.service", dir);
    ASSERT_EQ(proc_run(NULL, 0,
                       "sed 's#^ExecStart=/usr/bin/ilonet#ExecStart=%s/usr/bin/"
                       "ilonet#' %s/lib/systemd/system/ilonet@.service > %s",
                       root, root, unit),
              0);
}

static void
service_unit_verifies_and_is_hardened(void)
{
    static const char *const tools[] = {"dpkg",  "dpkg-deb",        "useradd",
                                        "strip", "systemd-analyze", NULL};
    static const char *const lines[] = {
        "\nType=exec\n",
        "\nUser=ilonet\n",
        "\nExecStart=/usr/bin/ilonet -C /var/lib/ilonet/%i node\n",
        "\nRestart=on-failure\n",
        "\nKillSignal=SIGTERM\n",
        "\nUMask=0077\n",
        "\nReadWritePaths=/var/lib/ilonet/%i\n",
        "\nProtectSystem=strict\n",
        "\nNoNewPrivileges=yes\n",
        "\nPrivateTmp=yes\n",
        "\nRestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n",
        "\nSystemCallFilter=@system-service\n",
        NULL};
    char *tmp, deb[1024], root[600], unit[800], out[8192], path[800];
    const char *u, *p;
    double score;

    if (skip_without(tools))
        return;
    tmp = test_tmpdir("unit");
    deb_build(tmp, deb, sizeof(deb));
    snprintf(root, sizeof(root), "%s/root", tmp);
    root_install(root, deb);
    snprintf(path, sizeof(path), "%s/lib/systemd/system/ilonet@.service", root);
    u = slurp(path);
    for (int i = 0; lines[i]; i++)
        if (!strstr(u, lines[i]))
            TEST_FAIL_("unit lacks %.*s", (int)strlen(lines[i]) - 2,
                       lines[i] + 1);
    unit_instance(root, tmp, unit, sizeof(unit));
    /* verify: exit 0 and not one complaint (it exits 0 on some). */
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "systemd-analyze verify --man=no %s 2>&1", unit),
              0);
    if (out[0])
        TEST_FAIL_("systemd-analyze verify: %s", out);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "systemd-analyze security --offline=yes %s 2>&1 | "
                       "grep 'Overall exposure level'",
                       unit),
              0);
    ASSERT((p = strstr(out, ": ")) != NULL);
    score = atof(p + 2);
    printf("  systemd-analyze verify: clean; security: %.1f (%.*s)\n", score,
           (int)strcspn(p + 2, "\n"), p + 2);
    ASSERT(score > 0.0 && score <= 2.0);
    free(tmp);
}

/* `status --json` of a home into a static buffer ("" on failure). */
static const char *
status_js(const char *dir)
{
    static char js[1 << 16];

    proc_status_json(dir, js, sizeof(js));
    return js;
}

/* The view hash of one audience ("net", "DE+FR") from status JSON. */
static void
view_hash(const char *js, const char *aud, char out[65])
{
    const char *p = strstr(js, "\"view_hashes\":{");

    out[0] = 0;
    if (p)
        proc_json_str(p, aud, out, 65);
}

/* Waits until the homes show one `aud` view hash; -1 after the deadline. */
static long
wait_same_dirs(const char *const *dirs, int n, const char *aud)
{
    uint64_t t0 = proc_mono_ms();

    for (;;) {
        char v0[65], v[65];
        int ok;
        view_hash(status_js(dirs[0]), aud, v0);
        ok = v0[0] != 0;
        for (int i = 1; i < n && ok; i++) {
            view_hash(status_js(dirs[i]), aud, v);
            ok = strcmp(v, v0) == 0;
        }
        if (ok)
            return (long)(proc_mono_ms() - t0);
        if (proc_mono_ms() - t0 > DEADLINE_MS)
            return -1;
        proc_sleep_ms(100);
    }
}

/* Fork-exec of argv with stderr to log, stdout to /dev/null, dying with
 * us; tracked for proc_kill_all. */
static pid_t
spawn(const char *log, char *const *argv)
{
    pid_t pid = fork();

    ASSERT(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_RDWR);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0)
            dup2(fd, 2);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    ASSERT_EQ(proc_track(pid), 0);
    return pid;
}

/* Every system call named in an strace -f log after the execve of the
 * program, one per line, into names_path (sorted, unique). */
static void
trace_syscalls(const char *trace, const char *names_path)
{
    ASSERT_EQ(proc_run(NULL, 0,
                       "sed -n '/execve(\".*\\/ilonet\"/,$p' %s | "
                       "sed -n 's/^[0-9]* *\\(<\\.\\.\\. \\)\\{0,1\\}"
                       "\\([a-z_0-9]*\\)[( ].*/\\2/p' | "
                       "grep -v '^$' | sort -u > %s",
                       trace, names_path),
              0);
}

/*
 * SIGTERM is a clean stop (exit 0, so Restart=on-failure leaves it down),
 * every log line has the journal's one-line shape, and (with strace) every
 * system call of a node that listened, synced both ways and stopped is
 * allowed by the unit's SystemCallFilter=@system-service ~@privileged.
 */
static void
service_sigterm_logs_and_syscalls(void)
{
    static const char *const tools[] = {"dpkg",  "dpkg-deb",        "useradd",
                                        "strip", "systemd-analyze", "setpriv",
                                        NULL};
    char *tmp, deb[1024], root[600], ibin[700], net[700], de[800], fr[800];
    char delog[800], frlog[800], trace[800], names[800], allowed[800];
    char pidf[800], out[8192], args[1024];
    const char *dirs[2];
    struct proc_member m[2];
    int st, traced = have("strace"), base, n;
    long uid, gid;
    pid_t de_pid, fr_pid, node_pid = 0;

    if (skip_without(tools))
        return;
    tmp = test_tmpdir("service");
    deb_build(tmp, deb, sizeof(deb));
    snprintf(root, sizeof(root), "%s/root", tmp);
    root_install(root, deb);
    snprintf(ibin, sizeof(ibin), "%s/usr/bin/ilonet", root);
    snprintf(net, sizeof(net), "%s/net", tmp);
    base = proc_pick_base(25000, 300, 10, (int)(getpid() % 300), 2);
    ASSERT(base > 0);
    ASSERT_EQ(proc_testnet(net, "DE,FR", base, m, 2), 2);
    snprintf(de, sizeof(de), "%s", m[0].pm_dir);
    snprintf(fr, sizeof(fr), "%s", m[1].pm_dir);
    snprintf(delog, sizeof(delog), "%s.log", de);
    snprintf(frlog, sizeof(frlog), "%s.log", fr);
    snprintf(trace, sizeof(trace), "%s/strace.log", tmp);
    snprintf(pidf, sizeof(pidf), "%s/run/node.pid", tmp);
    /* DE's node runs as the package's ilonet user (SQLite behaves
     * differently for root: it chowns the files it creates). */
    root_ilonet_ids(root, &uid, &gid, &n);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(proc_run(NULL, 0,
                       "chmod 0711 %s && install -d -m 01777 %s/run && "
                       "chown -R %ld:%ld %s",
                       tmp, tmp, uid, gid, de),
              0);

    fr_pid = proc_node_spawn(fr, frlog, 0, NULL, NULL);
    ASSERT(fr_pid > 0);
    /* DE runs the installed program the way the unit does; under strace
     * through a shell that records the pid (exec keeps it) to signal. In
     * sanitizer builds LeakSanitizer cannot run under ptrace (the other
     * cases check this node's leaks). */
    snprintf(args, sizeof(args),
             "echo $$ > %s; umask 077; %sexec setpriv --reuid=%ld "
             "--regid=%ld --clear-groups --pdeathsig SIGKILL -- %s -C %s node",
             pidf, traced ? "export ASAN_OPTIONS=detect_leaks=0; " : "", uid,
             gid, ibin, de);
    if (traced) {
        char *argv[] = {"strace", "-f", "-qq", "-o", trace,
                        "sh",     "-c", args,  NULL};
        de_pid = spawn(delog, argv);
    } else {
        char *argv[] = {"sh", "-c", args, NULL};
        de_pid = spawn(delog, argv);
        printf("  SKIP (system calls): strace not installed\n");
    }
    if (proc_wait_file(delog, "listening on", 20000) != 0 ||
        proc_wait_file(frlog, "listening on", 20000) != 0)
        TEST_FAIL_("nodes not listening after 20 s:\n%s", slurp(delog));
    for (int i = 0; i < 50 && !node_pid; i++) {
        FILE *f = fopen(pidf, "r");
        if (f) {
            if (fscanf(f, "%d", &node_pid) != 1)
                node_pid = 0;
            fclose(f);
        }
        if (!node_pid)
            proc_sleep_ms(20);
    }
    ASSERT(node_pid > 0);
    ASSERT_EQ(proc_run(NULL, 0,
                       "%s -C %s observe --category routes --summary "
                       "'from FR' >/dev/null && %s -C %s observe --category "
                       "routes --summary 'from DE' >/dev/null",
                       proc_bin(), fr, proc_bin(), de),
              0);
    dirs[0] = de;
    dirs[1] = fr;
    ASSERT(wait_same_dirs(dirs, 2, "net") >= 0);
    ASSERT(proc_json_num(status_js(de), "entries") == 4);

    /* SIGTERM to the node: exit 0, logged. */
    ASSERT_EQ(kill(node_pid, SIGTERM), 0);
    ASSERT_EQ(proc_reap(de_pid, 0, &st), de_pid);
    ASSERT(WIFEXITED(st));
    ASSERT_EQ(WEXITSTATUS(st), 0);
    ASSERT(proc_file_has(delog, "ilonet node: signal 15: shutting down"));
    proc_reap(fr_pid, SIGTERM, &st);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* One event per line, "ilonet node: EVENT ..." with key=value fields
     * (journald stores each line as one entry, tagged ilonet-<home>). */
    {
        FILE *f = fopen(delog, "r");
        char line[1024];
        int n = 0;
        ASSERT(f);
        while (fgets(line, sizeof(line), f)) {
            char *tok, *save = NULL;
            n++;
            if (strncmp(line, "ilonet node: ", 13) != 0 ||
                !islower((unsigned char)line[13]))
                TEST_FAIL_("log line not in the node's shape: %s", line);
            for (tok = strtok_r(line + 13, " \n", &save); tok;
                 tok = strtok_r(NULL, " \n", &save)) {
                char *eq = strchr(tok, '=');
                if (!eq || strstr(tok, "://"))
                    continue;
                for (char *k = tok; k < eq; k++)
                    if (!islower((unsigned char)*k) && *k != '_')
                        TEST_FAIL_("key of %s is not a lower-case name", tok);
            }
        }
        fclose(f);
        ASSERT_GE(n, 3);
    }

    if (traced) {
        /* The filter's sets, expanded (groups name groups). */
        snprintf(names, sizeof(names), "%s/syscalls", tmp);
        snprintf(allowed, sizeof(allowed), "%s/allowed", tmp);
        trace_syscalls(trace, names);
        ASSERT_EQ(proc_run(NULL, 0,
                           "x() { systemd-analyze syscall-filter \"$1\" | "
                           "sed '1d; s/^ *//; /^#/d; /^$/d' | "
                           "while read -r s; do case $s in @*) x \"$s\";; "
                           "*) echo \"$s\";; esac; done; }; "
                           "x @system-service | sort -u > %s.in && "
                           "x @privileged | sort -u > %s.out && "
                           "comm -23 %s.in %s.out > %s",
                           allowed, allowed, allowed, allowed, allowed),
                  0);
        ASSERT_EQ(proc_run(out, sizeof(out), "comm -23 %s %s", names, allowed),
                  0);
        proc_run(args, sizeof(args), "wc -l < %s", names);
        printf("  node under strace: %d distinct system calls, outside "
               "@system-service ~@privileged: %s\n",
               atoi(args), out[0] ? out : "none");
        if (out[0])
            TEST_FAIL_("system calls the unit's filter refuses: %s", out);
        ASSERT_GE(atoi(args), 20);
    }
    proc_kill_all();
    free(tmp);
}

/* ---- 6: backups ------------------------------------------------------------
 */

/* Runs `ilonet -C dir ARGS` with stdout into out and stderr into err. */
static int cli(const char *dir, char *out, size_t cap, char *err, size_t ecap,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
cli(const char *dir, char *out, size_t cap, char *err, size_t ecap,
    const char *fmt, ...)
{
    char args[2048], ef[700];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(ef, sizeof(ef), "%s.cli-err", dir);
    rc = proc_run(out, cap, "%s -C %s %s 2>%s", proc_bin(), dir, args, ef);
    if (err && ecap)
        snprintf(err, ecap, "%s", slurp(ef));
    return rc;
}

/* Head seq of the node's own net log (`status --json` heads), 0: none. */
static long long
own_head(const char *dir, const char *pk)
{
    const char *js = status_js(dir), *p;
    char pat[128];

    snprintf(pat, sizeof(pat), "\"author\":\"%s\",\"audience\":\"net\"", pk);
    if (!(p = strstr(js, pat)))
        return 0;
    return proc_json_num(p, "seq");
}

/*
 * DE writes 10 entries (seq 11 with its certificate) and, its node running
 * and synced with FR, is backed up with `ilonet backup`; it writes 50 more
 * (seq 61), which reach FR. The live store was never marked (those 50
 * writes succeeded). DE's home is restored from the backup: store.db
 * replaced, nothing else done. A write at once is refused (self-behind),
 * and stays refused until DE's node has fetched seq 61 back from FR; the
 * next write is seq 62, and no node holds fork evidence or a frozen log.
 */
static void
backup_while_running_then_restore_cannot_fork(void)
{
    char *tmp, net[700], de[800], fr[800], delog[800], frlog[800];
    char backup[800], out[4096], err[2048], pk[65];
    struct proc_member m[2];
    const char *dirs[2];
    pid_t de_pid, fr_pid;
    int base, refused = 0, st;
    uint64_t t0;
    long ms;

    tmp = test_tmpdir("backup");
    snprintf(net, sizeof(net), "%s/net", tmp);
    base = proc_pick_base(25000, 300, 10, (int)((getpid() + 150) % 300), 2);
    ASSERT(base > 0);
    ASSERT_EQ(proc_testnet(net, "DE,FR", base, m, 2), 2);
    snprintf(de, sizeof(de), "%s", m[0].pm_dir);
    snprintf(fr, sizeof(fr), "%s", m[1].pm_dir);
    memcpy(pk, m[0].pm_pk, sizeof(pk));
    snprintf(delog, sizeof(delog), "%s.log", de);
    snprintf(frlog, sizeof(frlog), "%s.log", fr);
    snprintf(backup, sizeof(backup), "%s/de-backup.db", tmp);
    dirs[0] = de;
    dirs[1] = fr;

    de_pid = proc_node_spawn(de, delog, 0, NULL, NULL);
    fr_pid = proc_node_spawn(fr, frlog, 0, NULL, NULL);
    ASSERT(de_pid > 0 && fr_pid > 0);
    ASSERT_EQ(proc_wait_file(delog, "listening on", 20000), 0);
    ASSERT_EQ(proc_wait_file(frlog, "listening on", 20000), 0);
    for (int i = 0; i < 10; i++)
        ASSERT_EQ(cli(de, NULL, 0, err, sizeof(err),
                      "observe --category routes --summary 'before %d'", i),
                  0);
    ASSERT_EQ(own_head(de, pk), 11);
    ASSERT((ms = wait_same_dirs(dirs, 2, "net")) >= 0);

    /* The backup, taken while the node runs. */
    ASSERT_EQ(cli(de, out, sizeof(out), err, sizeof(err),
                  "backup --out %s --json", backup),
              0);
    ASSERT(strstr(out, "\"marked\":true"));
    ASSERT_EQ(proc_json_num(out, "bytes") > 0, 1);
    ASSERT(strstr(status_js(de), "\"restored\":false"));
    /* A backup inside the home is refused; nothing is left there. */
    ASSERT_EQ(cli(de, NULL, 0, err, sizeof(err), "backup --out %s/copy.db", de),
              1);
    ASSERT(strstr(err, "inside the node home"));
    ASSERT_EQ(cli(de, NULL, 0, err, sizeof(err), "backup"), 2);

    for (int i = 0; i < 50; i++)
        ASSERT_EQ(cli(de, NULL, 0, err, sizeof(err),
                      "observe --category routes --summary 'after %d'", i),
                  0);
    ASSERT_EQ(own_head(de, pk), 61);
    ASSERT(wait_same_dirs(dirs, 2, "net") >= 0);
    ASSERT_EQ(own_head(fr, pk), 61);
    proc_reap(de_pid, SIGTERM, &st);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Restore: the documented steps, no `ilonet restore`. */
    ASSERT_EQ(proc_run(NULL, 0,
                       "rm -f %s/store.db %s/store.db-wal %s/store.db-shm && "
                       "install -m 0600 %s %s/store.db",
                       de, de, de, backup, de),
              0);
    ASSERT(strstr(status_js(de), "\"restored\":true"));
    ASSERT_EQ(own_head(de, pk), 11);
    ASSERT_EQ(cli(de, NULL, 0, err, sizeof(err),
                  "observe --category routes --summary 'too early'"),
              1);
    ASSERT(strstr(err, "self-behind"));
    ASSERT_EQ(own_head(de, pk), 11);

    /* The node reaches FR: refused (only ever self-behind) until it holds
     * seq 61 again; the first write is seq 62. */
    de_pid = proc_node_spawn(de, delog, 0, NULL, NULL);
    ASSERT(de_pid > 0);
    t0 = proc_mono_ms();
    for (;;) {
        int rc = cli(de, out, sizeof(out), err, sizeof(err),
                     "observe --category routes --summary 'after restore'");
        if (rc == 0)
            break;
        if (!strstr(err, "self-behind"))
            TEST_FAIL_("write refused for another reason: %s", err);
        refused++;
        if (proc_mono_ms() - t0 > DEADLINE_MS)
            TEST_FAIL_("still self-behind after %d ms", DEADLINE_MS);
        proc_sleep_ms(50);
    }
    printf("  backup of a running node (seq 11), 50 more, restored: %d writes "
           "refused (self-behind), first write after %llu ms at seq %lld\n",
           refused, (unsigned long long)(proc_mono_ms() - t0),
           own_head(de, pk));
    ASSERT_EQ(own_head(de, pk), 62);
    ASSERT(proc_file_has(delog, "what=restore-confirmed"));
    ASSERT(wait_same_dirs(dirs, 2, "net") >= 0);
    ASSERT_EQ(own_head(fr, pk), 62);
    for (int i = 0; i < 2; i++) {
        const char *js = status_js(dirs[i]);
        ASSERT_EQ(proc_json_num(js, "evidence"), 0);
        ASSERT(!strstr(js, "\"frozen\":true"));
        ASSERT(strstr(js, "\"restored\":false"));
    }
    proc_reap(de_pid, SIGTERM, NULL);
    proc_reap(fr_pid, SIGTERM, NULL);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(cli(dirs[i], NULL, 0, err, sizeof(err), "verify"), 0);
    proc_kill_all();
    free(tmp);
}

/*
 * Backups taken while a writer appends as fast as the CLI can: each is one
 * committed state of the store (a home made from it passes `verify`, its
 * own head matches its entry count) and carries the mark.
 */
static void
backup_is_consistent_under_writes(void)
{
    char *tmp, net[700], de[800], delog[800], pk[65], err[2048];
    char out[4096], copy[900], bk[900];
    struct proc_member m[1];
    long long prev = 0;
    pid_t de_pid, writer;
    int base, st;

    tmp = test_tmpdir("backupw");
    snprintf(net, sizeof(net), "%s/net", tmp);
    base = proc_pick_base(25000, 300, 10, (int)((getpid() + 75) % 300), 1);
    ASSERT(base > 0);
    ASSERT_EQ(proc_testnet(net, "DE", base, m, 1), 1);
    snprintf(de, sizeof(de), "%s", m[0].pm_dir);
    memcpy(pk, m[0].pm_pk, sizeof(pk));
    snprintf(delog, sizeof(delog), "%s.log", de);
    de_pid = proc_node_spawn(de, delog, 0, NULL, NULL);
    ASSERT(de_pid > 0);
    ASSERT_EQ(proc_wait_file(delog, "listening on", 20000), 0);
    writer = fork();
    ASSERT(writer >= 0);
    if (writer == 0) {
        char cmd[2048];
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        snprintf(cmd, sizeof(cmd),
                 "for i in $(seq 1 80); do %s -C %s observe --category routes "
                 "--summary \"w $i\" >/dev/null || exit 1; done",
                 proc_bin(), de);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    ASSERT_EQ(proc_track(writer), 0);
    for (int k = 0; k < 4; k++) {
        long long head, entries;
        proc_sleep_ms(150);
        snprintf(bk, sizeof(bk), "%s/b%d.db", tmp, k);
        ASSERT_EQ(cli(de, NULL, 0, err, sizeof(err), "backup --out %s", bk), 0);
        snprintf(copy, sizeof(copy), "%s/copy%d", tmp, k);
        ASSERT_EQ(proc_run(NULL, 0,
                           "mkdir -m 0700 %s && cd %s && cp node.key node.cert "
                           "roster network config %s/ && install -m 0600 %s "
                           "%s/store.db",
                           copy, de, copy, bk, copy),
                  0);
        if (cli(copy, out, sizeof(out), err, sizeof(err), "verify") != 0)
            TEST_FAIL_("backup %d does not verify: %s%s", k, out, err);
        ASSERT(strstr(status_js(copy), "\"restored\":true"));
        head = own_head(copy, pk);
        entries = proc_json_num(status_js(copy), "entries");
        ASSERT_EQ(head, entries);
        ASSERT(head >= prev);
        prev = head;
        printf("  backup %d during writes: seq %lld, verifies\n", k, head);
    }
    ASSERT_EQ(proc_reap(writer, 0, &st), writer);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ASSERT_EQ(own_head(de, pk), 81);
    ASSERT(strstr(status_js(de), "\"restored\":false"));
    proc_reap(de_pid, SIGTERM, NULL);
    proc_kill_all();
    free(tmp);
}

/* ---- 5: three posts in network namespaces ----------------------------------
 */

#define HOSTS 3
#define HOST_PORT 7400

/* DE and FR reachable; IT behind rules that only let connections out. */
static const char *const host_state[HOSTS] = {"DE", "FR", "IT"};
static const char *const host_home[HOSTS] = {"de", "fr", "it"};

struct host {
    char h_ns[64];
    char h_root[600]; /* its installed root */
    char h_wrap[700]; /* runs a command as ilonet in its mount namespace */
    char h_log[700];  /* the node's stderr */
    char h_dir[800];  /* the home as this test process sees it */
    char h_pk[65];
    long h_uid, h_gid;
    pid_t h_pid;
};

static struct {
    char hub[64];
    int made[HOSTS + 1]; /* [HOSTS] is the hub */
    struct host h[HOSTS];
} ns;

static void
ns_cleanup(void)
{
    for (int i = 0; i < HOSTS; i++)
        if (ns.h[i].h_pid > 0) {
            kill(ns.h[i].h_pid, SIGKILL);
            waitpid(ns.h[i].h_pid, NULL, 0);
            proc_untrack(ns.h[i].h_pid);
            ns.h[i].h_pid = 0;
        }
    for (int i = 0; i <= HOSTS; i++)
        if (ns.made[i]) {
            proc_run(NULL, 0, "ip netns del %s 2>/dev/null",
                     i == HOSTS ? ns.hub : ns.h[i].h_ns);
            ns.made[i] = 0;
        }
}

/* The runner's timeout: clean up, then die of the alarm as before. */
static void
ns_on_alarm(int sig)
{
    ns_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Namespaces of earlier runs killed -9 (ilodep<pid>..., pid gone). */
static void
ns_sweep(void)
{
    DIR *d = opendir("/var/run/netns");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char *end;
        long pid;
        if (strncmp(e->d_name, "ilodep", 6) != 0 ||
            !isdigit((unsigned char)e->d_name[6]))
            continue;
        pid = strtol(e->d_name + 6, &end, 10);
        if ((*end != 'h' && *end != 'n') || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        proc_run(NULL, 0,
                 "ip netns pids %s 2>/dev/null | xargs -r kill -9 2>/dev/null; "
                 "ip netns del %s 2>/dev/null",
                 e->d_name, e->d_name);
    }
    closedir(d);
}

/* Runs `ilonet ARGS` on host i as the ilonet user, the way an
 * administrator does (`sudo -u ilonet ilonet ...`); stdout into out,
 * stderr into err. */
static int host_cli(int i, char *out, size_t cap, char *err, size_t ecap,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
host_cli(int i, char *out, size_t cap, char *err, size_t ecap, const char *fmt,
         ...)
{
    struct host *h = &ns.h[i];
    char args[2048], ef[800];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(ef, sizeof(ef), "%s.cli-err", h->h_root);
    rc =
        proc_run(out, cap, "ip netns exec %s sh %s /mnt/usr/bin/ilonet %s 2>%s",
                 h->h_ns, h->h_wrap, args, ef);
    if (err && ecap)
        snprintf(err, ecap, "%s", slurp(ef));
    return rc;
}

/* `status --json` of host i (static buffer, "" on failure). */
static const char *
host_status(int i)
{
    static char js[1 << 16];

    if (host_cli(i, js, sizeof(js), NULL, 0,
                 "-C /var/lib/ilonet/%s status "
                 "--json",
                 host_home[i]) != 0)
        js[0] = 0;
    return js;
}

/* Waits until the hosts in mask show one view hash of audience aud. */
static long
host_wait_same(unsigned mask, const char *aud)
{
    uint64_t t0 = proc_mono_ms();

    for (;;) {
        char v0[65] = "", v[65];
        int ok = 1;
        for (int i = 0; i < HOSTS && ok; i++) {
            if (!(mask & (1u << i)))
                continue;
            view_hash(host_status(i), aud, v);
            if (!v0[0])
                memcpy(v0, v, sizeof(v0));
            ok = v[0] && strcmp(v, v0) == 0;
        }
        if (ok)
            return (long)(proc_mono_ms() - t0);
        if (proc_mono_ms() - t0 > DEADLINE_MS) {
            for (int i = 0; i < HOSTS; i++)
                if (mask & (1u << i)) {
                    view_hash(host_status(i), aud, v);
                    fprintf(stderr, "  %s: %s %.16s\n", host_state[i], aud, v);
                }
            return -1;
        }
        proc_sleep_ms(200);
    }
}

/* Starts host i's node: the unit's ExecStart (User=ilonet, UMask=0077,
 * %i = the home) inside its namespaces. */
static void
host_start(int i)
{
    struct host *h = &ns.h[i];
    char unit[800], exec[512], *argv[24], *save = NULL, *tok;
    const char *p;
    int argc = 0;
    char home_arg[600];

    snprintf(unit, sizeof(unit), "%s/lib/systemd/system/ilonet@.service",
             h->h_root);
    p = strstr(slurp(unit), "\nExecStart=");
    ASSERT(p);
    p += 11;
    snprintf(exec, sizeof(exec), "%.*s", (int)strcspn(p, "\n"), p);
    argv[argc++] = "ip";
    argv[argc++] = "netns";
    argv[argc++] = "exec";
    argv[argc++] = h->h_ns;
    argv[argc++] = "sh";
    argv[argc++] = h->h_wrap;
    for (tok = strtok_r(exec, " ", &save); tok && argc < 22;
         tok = strtok_r(NULL, " ", &save)) {
        const char *pi = strstr(tok, "%i");
        if (strcmp(tok, "/usr/bin/ilonet") == 0)
            tok = "/mnt/usr/bin/ilonet";
        else if (pi) {
            snprintf(home_arg, sizeof(home_arg), "%.*s%s%s", (int)(pi - tok),
                     tok, host_home[i], pi + 2);
            tok = home_arg;
        }
        argv[argc++] = tok;
    }
    argv[argc] = NULL;
    h->h_pid = spawn(h->h_log, argv);
}

/* Sets up hub, veths, addresses 10.98.0.(i+1) and, on IT, the rules that
 * only let connections out: inbound packets pass only when they belong
 * to a connection IT opened (conntrack), like a post behind NAT. */
static void
ns_setup(void)
{
    snprintf(ns.hub, sizeof(ns.hub), "ilodep%ldh", (long)getpid());
    ASSERT_EQ(proc_run(NULL, 0, "ip netns add %s", ns.hub), 0);
    ns.made[HOSTS] = 1;
    ASSERT_EQ(proc_run(NULL, 0,
                       "ip -n %s link set lo up && ip -n %s link add br0 type "
                       "bridge && ip -n %s link set br0 up",
                       ns.hub, ns.hub, ns.hub),
              0);
    for (int i = 0; i < HOSTS; i++) {
        struct host *h = &ns.h[i];
        snprintf(h->h_ns, sizeof(h->h_ns), "ilodep%ldn%d", (long)getpid(), i);
        ASSERT_EQ(proc_run(NULL, 0, "ip netns add %s", h->h_ns), 0);
        ns.made[i] = 1;
        ASSERT_EQ(
            proc_run(NULL, 0,
                     "ip -n %s link add v%d type veth peer name eth0 "
                     "netns %s && ip -n %s link set v%d master br0 up && "
                     "ip -n %s addr add 10.98.0.%d/24 dev eth0 && "
                     "ip -n %s link set eth0 up && ip -n %s link set lo up",
                     ns.hub, i, h->h_ns, ns.hub, i, h->h_ns, i + 1, h->h_ns,
                     h->h_ns),
            0);
    }
    ASSERT_EQ(proc_run(NULL, 0,
                       "ip netns exec %s nft 'add table inet natlike; "
                       "add chain inet natlike in { type filter hook input "
                       "priority 0; policy drop; }; "
                       "add rule inet natlike in iif lo accept; "
                       "add rule inet natlike in ct state established,related "
                       "accept; "
                       "add rule inet natlike in counter drop'",
                       ns.h[2].h_ns),
              0);
}

/*
 * Host i: its own root with the package installed, the wrapper that
 * enters it (its root on /mnt, its /var/lib on /var/lib, inside the mount
 * namespace `ip netns exec` gives each command), and the authority's USB
 * stick contents (network, roster) in /var/lib/ilonet/usb (docs/DEPLOY.md).
 */
static void
host_prepare(int i, const char *tmp, const char *deb, const char *auth)
{
    struct host *h = &ns.h[i];
    char w[8192];
    int n;
    FILE *f;

    snprintf(h->h_root, sizeof(h->h_root), "%s/host-%s", tmp, host_home[i]);
    snprintf(h->h_wrap, sizeof(h->h_wrap), "%s/host-%s.sh", tmp, host_home[i]);
    snprintf(h->h_log, sizeof(h->h_log), "%s/node-%s.log", tmp, host_home[i]);
    snprintf(h->h_dir, sizeof(h->h_dir), "%s/host-%s/var/lib/ilonet/%s", tmp,
             host_home[i], host_home[i]);
    root_install(h->h_root, deb);
    root_ilonet_ids(h->h_root, &h->h_uid, &h->h_gid, &n);
    ASSERT_EQ(n, 1);
    snprintf(w, sizeof(w),
             "# runs \"$@\" as the ilonet user of %s\n"
             "set -e\n"
             "mount --bind %s /mnt\n"
             "mount --bind %s/var/lib /var/lib\n"
             "umask 077\n"
             "cd /\n"
             "exec setpriv --reuid=%ld --regid=%ld --clear-groups "
             "--pdeathsig SIGKILL -- \"$@\"\n",
             h->h_root, h->h_root, h->h_root, h->h_uid, h->h_gid);
    ASSERT((f = fopen(h->h_wrap, "w")) != NULL);
    fputs(w, f);
    fclose(f);
    ASSERT_EQ(proc_run(NULL, 0,
                       "install -d -m 0700 -o %ld -g %ld %s/var/lib/ilonet/usb "
                       "&& install -m 0600 -o %ld -g %ld %s/network %s/roster "
                       "%s/var/lib/ilonet/usb/",
                       h->h_uid, h->h_gid, h->h_root, h->h_uid, h->h_gid, auth,
                       auth, h->h_root),
              0);
}

static void
three_hosts_in_namespaces(void)
{
    static const char *const tools[] = {
        "ip", "nft", "dpkg", "dpkg-deb", "useradd", "setpriv", "strip", NULL};
    char *tmp, deb[1024], auth[700], out[1 << 16], err[4096], sem[16];
    char task[65], rep[HOSTS][1 << 14];
    struct sigaction sa;
    long ms;
    time_t now = time(NULL);
    struct tm tm;

    if (geteuid() != 0) {
        printf("  SKIP: network namespaces need root\n");
        return;
    }
    if (skip_without(tools))
        return;
    if (access("/mnt", F_OK) != 0) {
        printf("  SKIP: no /mnt to mount a host's root on\n");
        return;
    }
    ns_sweep();
    atexit(ns_cleanup);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = ns_on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    tmp = test_tmpdir("hosts");
    deb_build(tmp, deb, sizeof(deb));

    /* The authority, offline: network file, state root keys, roster. */
    snprintf(auth, sizeof(auth), "%s/authority", tmp);
    ASSERT_EQ(proc_run(NULL, 0,
                       "mkdir -p %s && %s network create --host TR --out "
                       "%s/network >/dev/null",
                       auth, proc_bin(), auth),
              0);
    for (int i = 0; i < HOSTS; i++)
        ASSERT_EQ(proc_run(NULL, 0,
                           "%s state keygen --state %s --out %s/%s.key >> "
                           "%s/roster",
                           proc_bin(), host_state[i], auth, host_state[i],
                           auth),
                  0);

    ns_setup();
    for (int i = 0; i < HOSTS; i++)
        host_prepare(i, tmp, deb, auth);

    /* Each post: init, the authority certifies the printed key, cert
     * install, listen address, peers. */
    for (int i = 0; i < HOSTS; i++) {
        struct host *h = &ns.h[i];
        if (host_cli(i, out, sizeof(out), err, sizeof(err),
                     "-C /var/lib/ilonet/%s init --state %s --network "
                     "/var/lib/ilonet/usb/network --roster "
                     "/var/lib/ilonet/usb/roster",
                     host_home[i], host_state[i]) != 0)
            TEST_FAIL_("%s: init: %s", host_state[i], err);
        ASSERT_EQ(sscanf(out, "%64s", h->h_pk), 1);
        ASSERT_EQ(proc_run(NULL, 0,
                           "%s cert issue --state-key %s/%s.key --node %s "
                           "--network %s/network --role ilo --out %s/%s.cert "
                           ">/dev/null && install -m 0600 -o %ld -g %ld "
                           "%s/%s.cert %s/var/lib/ilonet/usb/",
                           proc_bin(), auth, host_state[i], h->h_pk, auth, auth,
                           host_state[i], h->h_uid, h->h_gid, auth,
                           host_state[i], h->h_root),
                  0);
        if (host_cli(i, out, sizeof(out), err, sizeof(err),
                     "-C /var/lib/ilonet/%s cert install "
                     "/var/lib/ilonet/usb/%s.cert",
                     host_home[i], host_state[i]) != 0)
            TEST_FAIL_("%s: cert install: %s", host_state[i], err);
        ASSERT_EQ(host_cli(i, NULL, 0, err, sizeof(err),
                           "-C /var/lib/ilonet/%s peer list", host_home[i]),
                  0);
        ASSERT_EQ(proc_run(NULL, 0,
                           "echo 'listen tcp://0.0.0.0:%d' >> %s/config",
                           HOST_PORT, h->h_dir),
                  0);
    }
    /* DE and FR know each other; nobody can reach IT, so only IT names
     * the others. */
    for (int i = 0; i < HOSTS; i++)
        for (int j = 0; j < 2; j++) {
            if (i == j || (i < 2 && j == 2))
                continue;
            if (host_cli(
                    i, NULL, 0, err, sizeof(err),
                    "-C /var/lib/ilonet/%s peer add tcp://10.98.0.%d:%d %s",
                    host_home[i], j + 1, HOST_PORT, ns.h[j].h_pk) != 0)
                TEST_FAIL_("%s: peer add: %s", host_state[i], err);
        }
    /* The installed layout, as the unit expects it. */
    for (int i = 0; i < HOSTS; i++) {
        struct stat sb;
        ASSERT_EQ(stat(ns.h[i].h_dir, &sb), 0);
        ASSERT_EQ(sb.st_mode & 077, 0);
        ASSERT_EQ(sb.st_uid, ns.h[i].h_uid);
    }

    for (int i = 0; i < HOSTS; i++)
        host_start(i);
    for (int i = 0; i < HOSTS; i++)
        if (proc_wait_file(ns.h[i].h_log, "listening on", 20000) != 0)
            TEST_FAIL_("%s: not listening after 20 s:\n%s", host_state[i],
                       slurp(ns.h[i].h_log));

    /* Nobody reaches IT (its node listens, the rules drop the packets);
     * IT reaches DE. */
    ASSERT(host_cli(0, NULL, 0, err, sizeof(err),
                    "-C /var/lib/ilonet/de sync --timeout 3 --peer "
                    "tcp://10.98.0.3:%d@%s",
                    HOST_PORT, ns.h[2].h_pk) != 0);
    ASSERT_EQ(host_cli(2, NULL, 0, err, sizeof(err),
                       "-C /var/lib/ilonet/it sync --timeout 20 --peer "
                       "tcp://10.98.0.1:%d@%s",
                       HOST_PORT, ns.h[0].h_pk),
              0);

    /* Every post writes; every post converges on one net view. */
    for (int i = 0; i < HOSTS; i++)
        if (host_cli(i, NULL, 0, err, sizeof(err),
                     "-C /var/lib/ilonet/%s observe --category routes "
                     "--summary 'Route seen by %s'",
                     host_home[i], host_state[i]) != 0)
            TEST_FAIL_("%s: observe: %s", host_state[i], err);
    ASSERT((ms = host_wait_same(7, "net")) >= 0);
    printf("  three posts converged (net) %ld ms after their writes; IT "
           "behind outgoing-only rules\n",
           ms);
    for (int i = 0; i < HOSTS; i++)
        ASSERT_EQ(proc_json_num(host_status(i), "entries"), 6);

    /* A bilateral task between the reachable posts: created by DE,
     * accepted by FR, never held by IT. */
    if (host_cli(0, out, sizeof(out), err, sizeof(err),
                 "-C /var/lib/ilonet/de task create --for FR --title "
                 "'Joint check of the Istanbul route'") != 0)
        TEST_FAIL_("DE: task create: %s", err);
    ASSERT_EQ(sscanf(out, "%64s", task), 1);
    {
        uint64_t t0 = proc_mono_ms();
        while (host_cli(1, NULL, 0, err, sizeof(err),
                        "-C /var/lib/ilonet/fr task accept %s", task) != 0) {
            if (proc_mono_ms() - t0 > DEADLINE_MS)
                TEST_FAIL_("FR: task accept: %s", err);
            proc_sleep_ms(100);
        }
        for (;;) {
            host_cli(0, out, sizeof(out), NULL, 0,
                     "-C /var/lib/ilonet/de show %s --json", task);
            if (strstr(out, "\"task_status\":\"accept\""))
                break;
            if (proc_mono_ms() - t0 > DEADLINE_MS)
                TEST_FAIL_("DE does not see FR's accept: %s", out);
            proc_sleep_ms(100);
        }
        printf("  bilateral task DE -> FR accepted, seen by DE after %llu ms\n",
               (unsigned long long)(proc_mono_ms() - t0));
    }
    ASSERT(host_wait_same(3, "DE+FR") >= 0);
    ASSERT(host_wait_same(7, "net") >= 0);
    ASSERT(!strstr(host_status(2), "\"DE+FR\""));
    ASSERT(host_cli(2, NULL, 0, NULL, 0, "-C /var/lib/ilonet/it show %s",
                    task) != 0);

    /* The report on the third post: the same bytes as on the others. */
    gmtime_r(&now, &tm);
    snprintf(sem, sizeof(sem), "%d-H%d", tm.tm_year + 1900,
             tm.tm_mon < 6 ? 1 : 2);
    for (int i = 0; i < HOSTS; i++)
        if (host_cli(i, rep[i], sizeof(rep[i]), err, sizeof(err),
                     "-C /var/lib/ilonet/%s report --semester %s", host_home[i],
                     sem) != 0)
            TEST_FAIL_("%s: report: %s", host_state[i], err);
    for (int i = 0; i < HOSTS; i++) {
        char want[64];
        snprintf(want, sizeof(want), "Route seen by %s", host_state[i]);
        if (!strstr(rep[2], want))
            TEST_FAIL_("IT's report lacks \"%s\"", want);
    }
    /* The body is drawn from net only (docs/REPORTS.md, "Scope"): IT,
     * reached by nobody, draws up the same bytes as DE and FR, and the
     * DE+FR task's details are in no report (its net stub stands for it). */
    for (int i = 0; i < HOSTS; i++) {
        ASSERT(!strstr(rep[i], "Istanbul"));
        ASSERT_STR_EQ(rep[i], rep[2]);
    }
    printf("  report %s drawn up on IT: %zu bytes, every post's record, the "
           "same bytes on the three posts, no DE+FR detail\n",
           sem, strlen(rep[2]));

    /* SIGTERM: each node stops cleanly; nothing was refused by IT's rules
     * that IT had asked for, and nobody holds fork evidence. */
    for (int i = 0; i < HOSTS; i++) {
        int st;
        proc_reap(ns.h[i].h_pid, SIGTERM, &st);
        ns.h[i].h_pid = 0;
        ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        ASSERT_EQ(proc_json_num(host_status(i), "evidence"), 0);
        ASSERT_EQ(host_cli(i, NULL, 0, err, sizeof(err),
                           "-C /var/lib/ilonet/%s verify", host_home[i]),
                  0);
    }
    /* IT's connections were all its own (out); DE saw IT come in. */
    ASSERT(proc_file_has(ns.h[2].h_log, "connect 10.98.0.1:7400 key="));
    ASSERT(!proc_file_has(ns.h[2].h_log, " dir=in"));
    ASSERT(proc_file_has(ns.h[0].h_log, "connect 10.98.0.3:"));
    {
        char c[4096];
        const char *p;
        ASSERT_EQ(proc_run(c, sizeof(c),
                           "ip netns exec %s nft list chain inet natlike in",
                           ns.h[2].h_ns),
                  0);
        ASSERT((p = strstr(c, "counter packets ")) != NULL);
        printf("  IT's rules dropped %ld inbound packets (DE's dials)\n",
               atol(p + 16));
        ASSERT(atol(p + 16) > 0);
    }
    ns_cleanup();
    free(tmp);
}

TEST_LIST = {
    TEST(package_installs_into_a_fresh_root),
    TEST(package_is_lintian_clean),
    TEST(service_unit_verifies_and_is_hardened),
    TEST(service_sigterm_logs_and_syscalls),
    TEST(backup_while_running_then_restore_cannot_fork),
    TEST(backup_is_consistent_under_writes),
    TEST(three_hosts_in_namespaces),
};

TEST_MAIN()
