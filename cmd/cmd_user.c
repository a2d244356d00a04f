/* cmd_user.c - `ilonet user add|list|remove|token`: officers' sign-in accounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cmds.h"
#include "crypto/error.h"
#include "node/app/app.h"

static const char user_usage[] =
    "usage: ilonet [-C DIR] user add NAME [--password-stdin]\n"
    "       ilonet [-C DIR] user list [--json]\n"
    "       ilonet [-C DIR] user remove NAME\n"
    "       ilonet [-C DIR] user token NAME [--revoke]\n\n"
    "Officers' accounts for the node's web page (docs/API.md). add asks\n"
    "for the password twice on the terminal (10 to 1024 bytes), or reads\n"
    "one line from standard input with --password-stdin; it is stored as\n"
    "an argon2id hash in http.users (mode 0600) in the node home. token\n"
    "prints a new user token for scripts (Authorization: Bearer TOKEN),\n"
    "shown once, replacing the old one; --revoke ends it. remove ends the\n"
    "account, its token and its sessions. A running node's web server\n"
    "sees every change at its next request. NAME: a-z 0-9 _ -, starting\n"
    "with a letter, at most 32 characters.\n";

#define USER_PW_BUF (USERS_PW_MAX + 2)

/* One line from f into buf without its newline: 0, or -1 (end of input,
 * or longer than the buffer). */
static int
user_read_line(FILE *f, char *buf, size_t cap)
{
    size_t n;

    if (!fgets(buf, (int)cap, f))
        return -1;
    n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(f))
        return -1; /* over the bound */
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Asks for the password on the terminal without echo. */
static int
user_prompt(const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    int rc, echo_off = 0;

    if (!tty)
        return -1;
    fputs(prompt, tty);
    fflush(tty);
    if (tcgetattr(fileno(tty), &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        echo_off = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
    }
    rc = user_read_line(tty, buf, cap);
    if (echo_off)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    return rc;
}

static int
user_fail(const struct app_err *err)
{
    if (err->ae_code == ILONET_EINVAL && err->ae_field[0])
        return cmd_usage("user", "%s", err->ae_msg);
    return cmd_fail("user", "%s", err->ae_msg);
}

static int
user_add(struct cmd_env *env, const char *name, int from_stdin)
{
    char pw[USER_PW_BUF], again[USER_PW_BUF];
    struct app_err err;
    int rc;

    if (app_user_check_name(name, &err) != 0)
        return user_fail(&err);
    if (from_stdin) {
        if (user_read_line(stdin, pw, sizeof(pw)) != 0)
            return cmd_usage("user",
                             "--password-stdin: no line of at most "
                             "%d bytes on standard input",
                             USERS_PW_MAX);
    } else {
        if (user_prompt("Password: ", pw, sizeof(pw)) != 0 ||
            user_prompt("Again: ", again, sizeof(again)) != 0) {
            sodium_memzero(pw, sizeof(pw));
            return cmd_usage("user", "no terminal to ask for the password "
                                     "(use --password-stdin)");
        }
        rc = strcmp(pw, again);
        sodium_memzero(again, sizeof(again));
        if (rc != 0) {
            sodium_memzero(pw, sizeof(pw));
            return cmd_fail("user", "the two passwords differ; nothing "
                                    "stored");
        }
    }
    rc = app_user_add(env->home_dir, name, pw, &err);
    sodium_memzero(pw, sizeof(pw));
    if (rc != 0)
        return user_fail(&err);
    printf("user %s added\n", name);
    return 0;
}

static int
user_list(struct cmd_env *env)
{
    struct users *us = malloc(sizeof(*us));
    struct app_err err;

    if (!us)
        return cmd_fail("user", "out of memory");
    if (app_user_list(env->home_dir, us, &err) != 0) {
        free(us);
        return user_fail(&err);
    }
    if (env->json)
        fputs("[", stdout);
    for (size_t i = 0; i < us->us_n; i++) {
        const struct users_entry *u = &us->us_v[i];
        time_t t = (time_t)(u->ue_created_ms / 1000);
        struct tm tm;
        char when[32];

        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (env->json)
            printf("%s{\"name\":\"%s\",\"created_ms\":%llu,\"token\":%s}",
                   i ? ",\n" : "\n", u->ue_name,
                   (unsigned long long)u->ue_created_ms,
                   u->ue_has_token ? "true" : "false");
        else
            printf("%-32s  created %s  token %s\n", u->ue_name, when,
                   u->ue_has_token ? "yes" : "no");
    }
    if (env->json)
        fputs(us->us_n ? "\n]\n" : "]\n", stdout);
    else if (!us->us_n)
        fprintf(stderr, "ilonet user: no accounts (ilonet user add NAME)\n");
    sodium_memzero(us, sizeof(*us));
    free(us);
    return 0;
}

int
cmd_user(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct app_err err;
    char tok[USERS_TOKEN_MAX + 1];
    const char *sub, *name;
    int rc, from_stdin, revoke;

    if (cmd_wants_help(argc, argv, user_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    from_stdin = cmd_flag(&o, "--password-stdin");
    revoke = cmd_flag(&o, "--revoke");
    sub = cmd_pos(&o, 0);
    name = cmd_pos(&o, 0); /* the next one: cmd_pos skips those taken */
    if ((rc = cmd_opts_done(&o, "user")) != 0)
        return rc;
    if (!sub)
        return cmd_usage("user", "add, list, remove or token?");
    if (strcmp(sub, "list") == 0) {
        if (name || from_stdin || revoke)
            return cmd_usage("user", "list takes no NAME or option");
        return user_list(env);
    }
    if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0 &&
        strcmp(sub, "token") != 0)
        return cmd_usage("user", "%s: not add, list, remove or token", sub);
    if (!name)
        return cmd_usage("user", "%s: NAME is required", sub);
    if ((from_stdin && strcmp(sub, "add") != 0) ||
        (revoke && strcmp(sub, "token") != 0))
        return cmd_usage("user", "%s: %s is not an option here", sub,
                         from_stdin ? "--password-stdin" : "--revoke");
    if (strcmp(sub, "add") == 0)
        return user_add(env, name, from_stdin);
    if (strcmp(sub, "remove") == 0) {
        if (app_user_remove(env->home_dir, name, &err) != 0)
            return user_fail(&err);
        printf("user %s removed\n", name);
        return 0;
    }
    if (app_user_token(env->home_dir, name, revoke, tok, &err) != 0)
        return user_fail(&err);
    if (revoke) {
        printf("user %s: token revoked\n", name);
    } else {
        printf("%s\n", tok);
        fprintf(stderr, "ilonet user: the token is shown once; send it as "
                        "'Authorization: Bearer TOKEN'\n");
        sodium_memzero(tok, sizeof(tok));
    }
    return 0;
}
