/* test_users.c - officers' accounts: the file, passwords, user tokens, marks,
 * `ilonet user`. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/error.h"
#include "crypto/key.h"
#include "node/app/app.h"
#include "proc.h"
#include "storage/users.h"
#include "fixture.h"
#include "test.h"

#define PW "correct horse battery"

static char *
users_home(const char *tag)
{
    ASSERT_OK(key_global_init());
    return test_tmpdir(tag);
}

static void
t_users_names(void)
{
    static const char *const ok[] = {"anna", "a", "de-ilo_2",
                                     "b1234567890123456789012345678901"};
    static const char *const bad[] = {"",
                                      "Anna",
                                      "1anna",
                                      "an na",
                                      "an.na",
                                      "-x",
                                      "b12345678901234567890123456789012",
                                      "é"};

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        ASSERT(users_name_valid(ok[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (users_name_valid(bad[i]))
            TEST_FAIL_("'%s' accepted", bad[i]);
    ASSERT(!users_name_valid(NULL));
}

static void
t_users_add_check_remove(void)
{
    char *dir = users_home("users-add");
    struct users *us = malloc(sizeof(*us));
    const struct users_entry *u;
    char path[600], buf[4096];
    struct stat sb;
    int fd;
    ssize_t n;

    ASSERT(us);
    ASSERT_OK(users_load(dir, us)); /* no file: no accounts */
    ASSERT_EQ(us->us_n, 0);
    ASSERT_OK(users_add(dir, "anna", PW, 1000));
    ASSERT_ERR(users_add(dir, "anna", PW, 2000), ILONET_EEXIST);
    ASSERT_ERR(users_add(dir, "bob", "short", 2000), ILONET_EINVAL);
    ASSERT_ERR(users_add(dir, "Bob", PW, 2000), ILONET_EINVAL);
    ASSERT_OK(users_add(dir, "bob", "another long password", 3000));
    /* 0600, an argon2id hash, never the password */
    snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    fd = open(path, O_RDONLY);
    ASSERT(fd >= 0);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    ASSERT(n > 0);
    buf[n] = '\0';
    ASSERT(strstr(buf, "$argon2id$"));
    ASSERT(!strstr(buf, PW));
    ASSERT_OK(users_load(dir, us));
    ASSERT_EQ(us->us_n, 2);
    ASSERT((u = users_find(us, "anna")) != NULL);
    ASSERT_EQ(u->ue_created_ms, 1000);
    ASSERT_OK(users_check_password(u, PW));
    ASSERT_ERR(users_check_password(u, "correct horse batterY"),
               ILONET_EUNAUTHORISED);
    ASSERT_ERR(users_check_password(u, ""), ILONET_EUNAUTHORISED);
    ASSERT_OK(users_remove(dir, "anna"));
    ASSERT_ERR(users_remove(dir, "anna"), ILONET_ENOTFOUND);
    ASSERT_OK(users_load(dir, us));
    ASSERT_EQ(us->us_n, 1);
    ASSERT(!users_find(us, "anna"));
    /* readable by others: refused */
    ASSERT_EQ(chmod(path, 0644), 0);
    ASSERT_ERR(users_load(dir, us), ILONET_EPERM);
    ASSERT_EQ(chmod(path, 0600), 0);
    /* a file that does not parse */
    fd = open(path, O_WRONLY | O_TRUNC);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, "ilonet-users 1\nanna\tx\t-\t1\n", 26), 26);
    close(fd);
    ASSERT_ERR(users_load(dir, us), ILONET_EMALFORMED);
    free(us);
    free(dir);
}

static void
t_users_tokens(void)
{
    char *dir = users_home("users-token");
    struct users *us = malloc(sizeof(*us));
    const struct users_entry *u = NULL;
    char t1[USERS_TOKEN_MAX + 1], t2[USERS_TOKEN_MAX + 1],
        bad[USERS_TOKEN_MAX + 1];

    ASSERT(us);
    ASSERT_OK(users_add(dir, "anna", PW, 1));
    ASSERT_OK(users_add(dir, "bob", PW, 2));
    ASSERT_ERR(users_token_new(dir, "carl", t1), ILONET_ENOTFOUND);
    ASSERT_OK(users_token_new(dir, "anna", t1));
    ASSERT_EQ(strlen(t1), 5 + USERS_TOKEN_HEX);
    ASSERT(strncmp(t1, "anna.", 5) == 0);
    ASSERT_OK(users_load(dir, us));
    ASSERT_OK(users_check_token(us, t1, &u));
    ASSERT_STR_EQ(u->ue_name, "anna");
    /* one wrong digit, another user's name, no dot: refused */
    snprintf(bad, sizeof(bad), "%s", t1);
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    ASSERT_ERR(users_check_token(us, bad, &u), ILONET_EUNAUTHORISED);
    snprintf(bad, sizeof(bad), "bob.%s", t1 + 5);
    ASSERT_ERR(users_check_token(us, bad, &u), ILONET_EUNAUTHORISED);
    ASSERT_ERR(users_check_token(us, t1 + 5, &u), ILONET_EUNAUTHORISED);
    /* a new token replaces the old one; revoking ends it */
    ASSERT_OK(users_token_new(dir, "anna", t2));
    ASSERT(strcmp(t1, t2) != 0);
    ASSERT_OK(users_load(dir, us));
    ASSERT_ERR(users_check_token(us, t1, &u), ILONET_EUNAUTHORISED);
    ASSERT_OK(users_check_token(us, t2, &u));
    ASSERT_OK(users_token_revoke(dir, "anna"));
    ASSERT_OK(users_load(dir, us));
    ASSERT_ERR(users_check_token(us, t2, &u), ILONET_EUNAUTHORISED);
    /* the password still works, the token is not stored in clear */
    ASSERT_OK(users_check_password(users_find(us, "anna"), PW));
    free(us);
    free(dir);
}

static void
t_users_seen_marks(void)
{
    char *dir = users_home("users-seen");
    char m[128], path[600];
    struct stat sb;

    ASSERT_ERR(users_seen_get(dir, "anna", m, sizeof(m)), ILONET_ENOTFOUND);
    ASSERT_OK(users_seen_set(dir, "anna", "1.4_2.9"));
    ASSERT_OK(users_seen_set(dir, USERS_BOOTSTRAP, "1.2"));
    ASSERT_OK(users_seen_get(dir, "anna", m, sizeof(m)));
    ASSERT_STR_EQ(m, "1.4_2.9");
    ASSERT_OK(users_seen_set(dir, "anna", "1.5_2.9"));
    ASSERT_OK(users_seen_get(dir, "anna", m, sizeof(m)));
    ASSERT_STR_EQ(m, "1.5_2.9");
    ASSERT_OK(users_seen_get(dir, USERS_BOOTSTRAP, m, sizeof(m)));
    ASSERT_STR_EQ(m, "1.2");
    ASSERT_ERR(users_seen_set(dir, "anna", "has space"), ILONET_EINVAL);
    ASSERT_ERR(users_seen_set(dir, "Anna", "1.2"), ILONET_EINVAL);
    snprintf(path, sizeof(path), "%s/%s", dir, USERS_SEEN_FILE);
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    /* removing the account removes its mark */
    ASSERT_OK(users_add(dir, "anna", PW, 1));
    ASSERT_OK(users_remove(dir, "anna"));
    ASSERT_ERR(users_seen_get(dir, "anna", m, sizeof(m)), ILONET_ENOTFOUND);
    ASSERT_OK(users_seen_get(dir, USERS_BOOTSTRAP, m, sizeof(m)));
    free(dir);
}

/* Two writers at once (the CLI and the server): the flock serialises them,
 * so no account is lost. */
static void
t_users_concurrent_writers(void)
{
    char *dir = users_home("users-conc");
    struct users *us = malloc(sizeof(*us));
    pid_t kids[4];

    ASSERT(us);
    for (int k = 0; k < 4; k++) {
        kids[k] = fork();
        ASSERT(kids[k] >= 0);
        if (kids[k] == 0) {
            char name[16];
            int rc = 0;
            for (int i = 0; i < 3 && rc == 0; i++) {
                snprintf(name, sizeof(name), "u%d%d", k, i);
                rc = users_add(dir, name, PW, 1);
            }
            _exit(rc == 0 ? 0 : 1);
        }
    }
    for (int k = 0; k < 4; k++) {
        int st;
        ASSERT_EQ(waitpid(kids[k], &st, 0), kids[k]);
        ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    ASSERT_OK(users_load(dir, us));
    ASSERT_EQ(us->us_n, 12);
    free(us);
    free(dir);
}

/* `ilonet user` end to end. */
static void
t_users_cli(void)
{
    char out[8192], *dir = users_home("users-cli");
    const char *bin = proc_bin();

    ASSERT_EQ(proc_run(out, sizeof(out),
                       "echo '%s' | '%s' -C '%s' user add anna "
                       "--password-stdin 2>&1",
                       PW, bin, dir),
              0);
    ASSERT(strstr(out, "user anna added"));
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "echo 'short' | '%s' -C '%s' user add bob "
                       "--password-stdin 2>&1",
                       bin, dir),
              2);
    ASSERT(strstr(out, "password: 10 to 1024 bytes"));
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "echo '%s' | '%s' -C '%s' user add anna "
                       "--password-stdin 2>&1",
                       PW, bin, dir),
              1);
    ASSERT(strstr(out, "user 'anna': exists already"));
    ASSERT_EQ(
        proc_run(out, sizeof(out), "'%s' -C '%s' user add Bad 2>&1", bin, dir),
        2);
    ASSERT(strstr(out, "user name 'Bad'"));
    ASSERT_EQ(
        proc_run(out, sizeof(out), "'%s' -C '%s' user token anna", bin, dir),
        0);
    ASSERT(strncmp(out, "anna.", 5) == 0);
    ASSERT_EQ(
        proc_run(out, sizeof(out), "'%s' -C '%s' user list --json", bin, dir),
        0);
    ASSERT(strstr(out, "\"name\":\"anna\""));
    ASSERT(strstr(out, "\"token\":true"));
    ASSERT(!strstr(out, "argon2"));
    ASSERT_EQ(proc_run(out, sizeof(out),
                       "'%s' -C '%s' user token anna --revoke", bin, dir),
              0);
    ASSERT_EQ(proc_run(out, sizeof(out), "'%s' -C '%s' user list", bin, dir),
              0);
    ASSERT(strstr(out, "token no"));
    ASSERT_EQ(
        proc_run(out, sizeof(out), "'%s' -C '%s' user remove anna", bin, dir),
        0);
    ASSERT_EQ(proc_run(out, sizeof(out), "'%s' -C '%s' user remove anna 2>&1",
                       bin, dir),
              1);
    ASSERT(strstr(out, "no such user"));
    ASSERT_EQ(
        proc_run(out, sizeof(out), "'%s' -C '%s' user frob x 2>&1", bin, dir),
        2);
    free(dir);
}

TEST_LIST = {
    TEST(t_users_names),
    TEST(t_users_add_check_remove),
    TEST(t_users_tokens),
    TEST(t_users_seen_marks),
    TEST(t_users_concurrent_writers),
    TEST(t_users_cli),
};

TEST_MAIN()
