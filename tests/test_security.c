/* test_security.c - the attacks of docs/SECURITY.md that a local user or a
 * failing disk can try, each failing. */
/*
 * One named case per line of the threat model it proves (docs/SECURITY.md
 * names these functions). Process cases drive the `ilonet` binary
 * ($ILONET_BIN); library cases call the code directly.
 */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/error.h"
#include "crypto/key.h"
#include "proc.h"
#include "storage/store.h"
#include "vfs_crash.h"

/* ---- other local users (issue 12 item 5) ------------------------------ */

static unsigned
mode_of(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        TEST_FAIL_("stat %s: %s", path, strerror(errno));
    return (unsigned)(st.st_mode & 0777);
}

/* Under the most open umask, a new home and everything ilonet writes into
 * it (key, network, roster, config, certificate, store and its WAL/SHM)
 * are for the owner only. */
static void
sec_home_private_whatever_umask(void)
{
    static const char *const files[] = {
        "node.key", "network",      "roster",       "config", "node.cert",
        "store.db", "store.db-wal", "store.db-shm", NULL};
    char *root = test_tmpdir("sec-umask");
    char path[800];

    ASSERT_EQ(proc_run(NULL, 0,
                       "umask 000 && '%s' testnet --host TR --states DE,FR "
                       "--out '%s/t' >/dev/null 2>&1 && '%s' -C '%s/t/DE' "
                       "observe --category routes --summary private "
                       ">/dev/null",
                       proc_bin(), root, proc_bin(), root),
              0);
    snprintf(path, sizeof(path), "%s/t/DE", root);
    ASSERT_EQ(mode_of(path), 0700);
    for (size_t i = 0; files[i]; i++) {
        snprintf(path, sizeof(path), "%s/t/DE/%s", root, files[i]);
        if (access(path, F_OK) != 0 && strstr(files[i], "store.db-"))
            continue; /* WAL/SHM exist only while a connection is open */
        if (mode_of(path) != 0600)
            TEST_FAIL_("%s has mode %03o, want 600", path, mode_of(path));
    }
    free(root);
}

/* A home directory others can enter is refused before any secret is read:
 * exit 1, one line naming the directory and the chmod that fixes it. */
static void
sec_open_home_dir_is_refused(void)
{
    char *root = test_tmpdir("sec-dir");
    char out[4096], dir[700];

    ASSERT_EQ(proc_run(NULL, 0,
                       "'%s' testnet --host TR --states DE --out '%s/t' "
                       ">/dev/null 2>&1",
                       proc_bin(), root),
              0);
    snprintf(dir, sizeof(dir), "%s/t/DE", root);
    ASSERT_OK(chmod(dir, 0755));
    ASSERT_EQ(
        proc_run(out, sizeof(out), "'%s' -C '%s' id 2>&1", proc_bin(), dir), 1);
    ASSERT(strstr(out, "permission") != NULL);
    ASSERT(strstr(out, "chmod 700") != NULL);
    ASSERT(strstr(out, dir) != NULL);
    ASSERT_OK(chmod(dir, 0700));
    ASSERT_EQ(proc_run(NULL, 0, "'%s' -C '%s' id >/dev/null", proc_bin(), dir),
              0);
    free(root);
}

/* A store file readable by others is refused (named, with its chmod), and
 * the refusal changes nothing in it. */
static void
sec_open_store_file_is_refused(void)
{
    char *root = test_tmpdir("sec-store");
    char out[4096], dir[700], db[800], before[128], after[128];

    ASSERT_EQ(proc_run(NULL, 0,
                       "'%s' testnet --host TR --states DE --out '%s/t' "
                       ">/dev/null 2>&1",
                       proc_bin(), root),
              0);
    snprintf(dir, sizeof(dir), "%s/t/DE", root);
    snprintf(db, sizeof(db), "%s/store.db", dir);
    ASSERT_OK(chmod(db, 0644));
    ASSERT_EQ(proc_run(before, sizeof(before), "sha256sum < '%s'", db), 0);
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "'%s' -C '%s' observe --category routes --summary x "
                       "2>&1",
                       proc_bin(), dir),
              1);
    ASSERT(strstr(out, "store.db") != NULL);
    ASSERT(strstr(out, "chmod 600") != NULL);
    ASSERT_EQ(proc_run(after, sizeof(after), "sha256sum < '%s'", db), 0);
    ASSERT_STR_EQ(before, after);
    ASSERT_OK(chmod(db, 0600));
    ASSERT_EQ(proc_run(NULL, 0,
                       "'%s' -C '%s' observe --category routes --summary x "
                       ">/dev/null",
                       proc_bin(), dir),
              0);
    free(root);
}

/* A report written with --out is for the owner only, whatever the umask
 * (it may be drawn from audiences others may not read). */
static void
sec_report_file_private_whatever_umask(void)
{
    char *root = test_tmpdir("sec-report");
    char path[700];

    ASSERT_EQ(proc_run(NULL, 0,
                       "umask 000 && '%s' testnet --host TR --states DE,FR "
                       "--out '%s/t' >/dev/null 2>&1 && '%s' -C '%s/t/DE' "
                       "report --semester 2026-H2 --out '%s/r.md' "
                       ">/dev/null 2>&1",
                       proc_bin(), root, proc_bin(), root, root),
              0);
    snprintf(path, sizeof(path), "%s/r.md", root);
    ASSERT_EQ(mode_of(path), 0600);
    free(root);
}

/* ---- failure paths (issue 12 item 8) ---------------------------------- */

/* A key file that cannot be written completely (here: the file size limit
 * hit mid-write) leaves no partial file behind, so a retry succeeds. */
static void
sec_key_save_failure_leaves_no_file(void)
{
    char *root = test_tmpdir("sec-keysave");
    char path[600];
    struct key_pair kp;
    struct rlimit old, rl;

    ASSERT_OK(key_global_init());
    ASSERT_OK(key_generate(&kp, KEY_NODE, NULL));
    snprintf(path, sizeof(path), "%s/node.key", root);
    signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead */
    ASSERT_OK(getrlimit(RLIMIT_FSIZE, &old));
    rl = old;
    rl.rlim_cur = 16; /* the soft limit only: it can be raised again */
    ASSERT_OK(setrlimit(RLIMIT_FSIZE, &rl));
    ASSERT_ERR(key_save(path, &kp), ILONET_EIO);
    ASSERT_OK(setrlimit(RLIMIT_FSIZE, &old));
    ASSERT(access(path, F_OK) != 0);
    ASSERT_OK(key_save(path, &kp));
    ASSERT_EQ(mode_of(path), 0600);
    key_wipe(&kp);
    free(root);
}

/* A key file that fails to load after its seed was read (here: the public
 * line does not match the seed) leaves the caller's key pair untouched:
 * no derived secret is left in it. */
static void
sec_key_load_failure_leaves_no_secret(void)
{
    char *root = test_tmpdir("sec-keyload");
    char path[600], text[600], pkhex[2 * KEY_PK_LEN + 1];
    struct key_pair kp, other, probe;
    int fd;

    ASSERT_OK(key_global_init());
    ASSERT_OK(key_generate(&kp, KEY_NODE, NULL));
    ASSERT_OK(key_generate(&other, KEY_NODE, NULL));
    snprintf(path, sizeof(path), "%s/node.key", root);
    ASSERT_OK(key_save(path, &kp));
    /* the same seed with another key's public line */
    {
        FILE *f = fopen(path, "r");
        size_t n;
        ASSERT(f != NULL);
        n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = '\0';
    }
    for (size_t i = 0; i < KEY_PK_LEN; i++)
        snprintf(pkhex + 2 * i, 3, "%02x", kp.pk[i]);
    {
        char *p = strstr(text, pkhex);
        ASSERT(p != NULL);
        for (size_t i = 0; i < KEY_PK_LEN; i++) {
            char two[3];
            snprintf(two, sizeof(two), "%02x", other.pk[i]);
            memcpy(p + 2 * i, two, 2);
        }
    }
    ASSERT_OK(unlink(path));
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    close(fd);
    memset(&probe, 0xa5, sizeof(probe));
    ASSERT_ERR(key_load(path, &probe), ILONET_EMALFORMED);
    for (size_t i = 0; i < sizeof(probe); i++)
        if (((const uint8_t *)&probe)[i] != 0xa5)
            TEST_FAIL_("key_load wrote into the caller's key pair at byte "
                       "%zu on failure",
                       i);
    key_wipe(&kp);
    key_wipe(&other);
    free(root);
}

/* A store whose schema COMMIT fails (the disk fails at each possible I/O
 * call of creating it) is never handed out: store_open either fails or
 * returns a store whose schema reached the disk before anything failed. */
static void
sec_store_schema_commit_failure_is_an_error(void)
{
    char *root = test_tmpdir("sec-migrate");
    char path[600];
    uint8_t net[NET_ID_LEN];
    struct vfs_crash *vc = NULL;
    int failed_in_commit = 0;

    memset(net, 0x42, sizeof(net));
    ASSERT_EQ(vfs_crash_new("sec-crash", 1, &vc), 0);
    for (uint64_t at = 1; at <= 40; at++) {
        struct store *s = NULL;
        int rc;
        snprintf(path, sizeof(path), "%s/s%llu.db", root,
                 (unsigned long long)at);
        vfs_crash_arm(vc, at, VFS_CRASH_DROP_ALL, at);
        rc = store_open(path, net, NULL, &s);
        if (rc == 0 && vfs_crash_crashed(vc))
            TEST_FAIL_("store_open returned a store although the disk "
                       "failed at I/O call %llu of creating it",
                       (unsigned long long)at);
        if (rc != 0 && vfs_crash_stats(vc)->vs_cut_kind != 0)
            failed_in_commit++;
        store_close(s);
        if (!vfs_crash_crashed(vc))
            break; /* creating the store needs fewer calls than at */
    }
    vfs_crash_free(vc);
    ASSERT_GE(failed_in_commit, 1);
    free(root);
}

TEST_LIST = {
    TEST(sec_home_private_whatever_umask),
    TEST(sec_open_home_dir_is_refused),
    TEST(sec_open_store_file_is_refused),
    TEST(sec_report_file_private_whatever_umask),
    TEST(sec_key_save_failure_leaves_no_file),
    TEST(sec_key_load_failure_leaves_no_secret),
    TEST(sec_store_schema_commit_failure_is_an_error),
};

TEST_MAIN()
