/* proc.h - test support for process tests: child registry, clocks, shell runs,
 * ports, testnets, node processes. */
#ifndef ILONET_TEST_PROC_H
#define ILONET_TEST_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One node home as `ilonet testnet` prints it. */
struct proc_member {
    char pm_dir[512];  /* the node's home directory */
    char pm_state[16]; /* e.g. "DE" */
    char pm_pk[65];    /* node public key, hex */
};

/* proc_node_spawn flags. */
#define PROC_LOG_TRUNC 1 /* truncate the log instead of appending to it */

/* Registers a child pid to be SIGKILLed and reaped by proc_kill_all, which
 * is installed with atexit on the first call. 0, or -1 when the registry
 * (64 live children) is full. Not thread-safe; per process. */
int proc_track(pid_t pid);
/* Forgets pid (the caller has reaped it or will). Unknown pids are ignored. */
void proc_untrack(pid_t pid);
/* SIGKILLs and reaps every tracked child, then empties the registry. */
void proc_kill_all(void);
/* Sends sig to a tracked child, waits for it and untracks it; the wait
 * status goes to *status when not NULL. Returns waitpid's result. */
pid_t proc_reap(pid_t pid, int sig, int *status);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t proc_mono_ms(void);
/* CLOCK_REALTIME in milliseconds since the epoch. */
uint64_t proc_wall_ms(void);
/* Sleeps ms milliseconds, resuming after signals. */
void proc_sleep_ms(unsigned ms);

/* The binary under test (cli_bin: $ILONET_BIN, else ./build/ilonet); static. */
const char *proc_bin(void);
/* The test tools directory: $ILONET_TOOLS, else build/tools; static. */
const char *proc_tools(void);

/* Runs a shell command (printf format, at most 8 KiB) with stdout flushed
 * first; its stdout goes into out (NUL-terminated, truncated to cap; out
 * may be NULL), the rest is read and dropped. Returns the exit status, or
 * -1 when it could not run or did not exit normally. */
int proc_run(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies the JSON string value of "key":"value" in js into out (cap
 * bytes). 0, or -1 (out is "") when js is NULL, the key is missing or the
 * value does not fit. A flat text search: the first occurrence wins. */
int proc_json_str(const char *js, const char *key, char *out, size_t cap);
/* The number after "key": in js; -1 when js is NULL or the key is missing. */
long long proc_json_num(const char *js, const char *key);

/* 1 when the file at path contains needle (a fixed string), else 0. */
int proc_file_has(const char *path, const char *needle);
/* Polls every 20 ms until path contains needle: 0, or -1 after
 * timeout_ms. */
int proc_wait_file(const char *path, const char *needle, unsigned timeout_ms);

/* Polls the log of a node started with --http every 20 ms until it says
 * both "listening on" and "http: page at URL", and copies URL into url (cap
 * bytes). 0, or -1 after timeout_ms (url then holds what was seen, or ""). */
int proc_wait_http(const char *log, char *url, size_t cap, unsigned timeout_ms);

/* lo + (pid % blocks) * stride: a pid-derived base port, so runs of the
 * same test in parallel processes do not collide. */
int proc_pid_base(int lo, int blocks, int stride);
/* 1 if nothing listens on or is bound to 127.0.0.1:port right now. */
int proc_port_free(int port);
/* The first base = lo + ((start + i) % blocks) * stride, i = 0.., whose
 * ports base+1..base+n are all free; -1 when none is. */
int proc_pick_base(int lo, int blocks, int stride, int start, int n);

/* Runs `ilonet testnet --host TR --states STATES --out ROOT --base-port
 * BASE` and fills up to max members from what it prints (caller's array).
 * Returns the number filled, or -1 when the command failed. */
int proc_testnet(const char *root, const char *states, int base,
                 struct proc_member *m, int max);
/* `ilonet -C DIR status --json` into js (cap bytes; "" on failure).
 * Returns the command's exit status as proc_run. */
int proc_status_json(const char *dir, char *js, size_t cap);

/* Forks `ilonet -C DIR node ARGS...` (args NULL-terminated, or NULL) with
 * stderr appended to log (truncated with PROC_LOG_TRUNC), stdout to
 * /dev/null, PR_SET_PDEATHSIG=SIGKILL and each "NAME=VALUE" of env (or
 * NULL) set in the child. The child is tracked (proc_track). Returns its
 * pid, or -1 when fork failed or the registry was full (child killed). */
pid_t proc_node_spawn(const char *dir, const char *log, int flags,
                      const char *const *env, const char *const *args);

/* Starts `ilonet node` in each home of m[0..n), logging to logs[i]
 * (truncated), pids into pid[i], then waits until every one listens (10 s
 * each). 0, or -1 when one did not start or listen. proc_nodes_stop()
 * sends SIGTERM to each pid > 0, reaps it and zeroes pid. */
#define PROC_LOG_MAX 560
int proc_nodes_start(const struct proc_member *m, char (*logs)[PROC_LOG_MAX],
                     int n, pid_t *pid);
void proc_nodes_stop(pid_t *pid, int n);

#endif
