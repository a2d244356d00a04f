/* cli.c - runs the ilonet binary for process-level tests. */
#include "cli.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

const char *
cli_bin(void)
{
    const char *b = getenv("ILONET_BIN");
    return b && *b ? b : "./build/ilonet";
}

static char *
cli__slurp(FILE *f)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);

    rewind(f);
    for (;;) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = '\0';
    return buf;
}

int
cli_runv(struct cli_out *out, char *const *args)
{
    FILE *o = tmpfile(), *e = tmpfile();
    char *argv[64];
    int n = 0, st = 0;
    pid_t pid;

    argv[n++] = (char *)cli_bin();
    while (args[n - 1] && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(fileno(o), 1);
        dup2(fileno(e), 2);
        execv(argv[0], argv);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    out->co_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    out->co_out = cli__slurp(o);
    out->co_err = cli__slurp(e);
    fclose(o);
    fclose(e);
    return out->co_status;
}

int
cli_run(struct cli_out *out, ...)
{
    char *args[64];
    int n = 0;
    va_list ap;

    va_start(ap, out);
    while (n < 63 && (args[n] = va_arg(ap, char *)) != NULL)
        n++;
    va_end(ap);
    args[n] = NULL;
    return cli_runv(out, args);
}

void
cli_out_free(struct cli_out *out)
{
    free(out->co_out);
    free(out->co_err);
    out->co_out = out->co_err = NULL;
}

void
cli_file_hash(const char *path, unsigned char out[32])
{
    FILE *f = fopen(path, "rb");
    crypto_generichash_state st;
    unsigned char buf[65536];
    size_t n;

    memset(out, 0, 32);
    if (!f)
        return;
    crypto_generichash_init(&st, NULL, 0, 32);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_generichash_update(&st, buf, n);
    crypto_generichash_final(&st, out, 32);
    fclose(f);
}
