/* test_durability.c - invariant I1/I4 under crashes: kill -9 during appends,
 * and power cuts through a VFS that drops or tears unsynced writes. */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/error.h"
#include "crypto/wire.h"
#include "fixture.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "test.h"
#include "vfs_crash.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DUR_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DUR_SANITIZER 1
#endif
#endif
#ifndef DUR_SANITIZER
#define DUR_SANITIZER 0
#endif

/*
 * "Acknowledged" means log_append() returned 0 to its caller: in the
 * kill -9 test the child reports each entry id on a pipe only after that,
 * so an entry killed between commit and report is committed but not
 * acknowledged (allowed to survive, never allowed to fork). After every
 * crash the store is reopened and must hold every acknowledged entry, pass
 * PRAGMA integrity_check, hold one contiguous own log that verifies in
 * full, have no fork evidence, and take a fresh append at head + 1.
 *
 * Scale: the plain build (make unit) runs the full counts: 400 kill -9
 * rounds, 1000 + 300 power-cut points, a 200-point control. Under ASan
 * or TSan (make asan, make tsan) the counts are cut to about a quarter:
 * the code paths are the same and the full counts already ran. TEST_QUICK=1
 * (set by make valgrind, or when run under valgrind) runs a handful.
 * DURABILITY_SEED, DURABILITY_ROUNDS and DURABILITY_POINTS override, to
 * reproduce or extend.
 */

/* ---- fixture (as in test_log.c: fixed seeds, network and time) ---- */

#define T0_MS 1767225600000ULL /* 2026-01-01T00:00:00Z */
#define NOW_MS (T0_MS + 86400000ULL)

struct fx {
    struct key_pair de; /* state root */
    struct key_pair c;  /* the node (state DE) */
    struct roster ros;
    uint8_t net[NET_ID_LEN];
    uint8_t *cert;
    size_t cert_len;
};

static void
fx_init(struct fx *f)
{
    struct cert c;

    ASSERT_OK(key_global_init());
    memset(f, 0, sizeof(*f));
    fx_key(&f->de, 0x11, "DE");
    fx_key(&f->c, 0x23, NULL);
    ASSERT_OK(roster_add(&f->ros, "DE", f->de.pk));
    memset(f->net, 0x01, NET_ID_LEN);

    memset(&c, 0, sizeof(c));
    memcpy(c.c_network, f->net, NET_ID_LEN);
    snprintf(c.c_state, sizeof(c.c_state), "DE");
    memcpy(c.c_node, f->c.pk, KEY_PK_LEN);
    c.c_role = ROLE_ILO;
    c.c_not_before = T0_MS / 1000 - 86400;
    c.c_not_after = NOW_MS / 1000 + 86400;
    c.c_serial = 1;
    ASSERT_OK(cert_issue(&c, &f->de, &f->cert, &f->cert_len));
}

static void
fx_free(struct fx *f)
{
    free(f->cert);
}

/* Opens the store as node C; 0 or the error (no assert: used on stores
 * that may be broken). */
static int
fx_open(const struct fx *f, const char *path, struct store **out)
{
    struct store_identity id;
    int rc = store_open(path, f->net, &f->ros, out);
    if (rc != 0)
        return rc;
    memset(&id, 0, sizeof(id));
    memcpy(id.si_node, f->c.pk, KEY_PK_LEN);
    strcpy(id.si_state, "DE");
    id.si_role = ROLE_ILO;
    store_set_identity(*out, &id);
    return 0;
}

static uint64_t
rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* An observation payload whose summary is n bytes long. */
static void
payload(struct wire_buf *wb, size_t n, uint64_t tag)
{
    static char text[16384];
    if (n >= sizeof(text))
        n = sizeof(text) - 1;
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + (tag + i) % 26);
    text[n] = 0;
    wb->wb_len = 0;
    wire_pack_map(wb, 2);
    wire_pack_str(wb, "category");
    wire_pack_str(wb, "routes");
    wire_pack_str(wb, "summary");
    wire_pack_str(wb, text);
}

static int
quick(void)
{
    return getenv("TEST_QUICK") != NULL || RUNNING_ON_VALGRIND;
}

/* n for the full run, fewer under ASan or TSan, a handful under valgrind. */
static uint64_t
scaled(uint64_t full, uint64_t asan, uint64_t quick_n)
{
    return quick() ? quick_n : DUR_SANITIZER ? asan : full;
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- acknowledged entries and the check after a restart ---- */

struct ack {
    uint64_t a_seq;
    uint8_t a_id[HASH_LEN];
};

struct acks {
    struct ack *as_v;
    size_t as_n, as_cap;
};

static void
acks_add(struct acks *as, uint64_t seq, const uint8_t id[static HASH_LEN])
{
    if (as->as_n == as->as_cap) {
        as->as_cap = as->as_cap ? 2 * as->as_cap : 256;
        as->as_v = realloc(as->as_v, as->as_cap * sizeof(*as->as_v));
        ASSERT(as->as_v);
    }
    as->as_v[as->as_n].a_seq = seq;
    memcpy(as->as_v[as->as_n].a_id, id, HASH_LEN);
    as->as_n++;
}

static uint64_t
acks_max_seq(const struct acks *as)
{
    uint64_t m = 0;
    for (size_t i = 0; i < as->as_n; i++)
        if (as->as_v[i].a_seq > m)
            m = as->as_v[i].a_seq;
    return m;
}

/* What a restart found. */
struct after {
    int af_opened;    /* store_open succeeded */
    int af_integrity; /* PRAGMA integrity_check said ok */
    uint64_t af_lost; /* acknowledged entries missing */
    uint64_t af_logs, af_head, af_entries, af_evidence;
    uint64_t af_checked, af_bad; /* log_verify_all */
    int af_append_rc;
    uint64_t af_next_seq; /* seq the fresh append got */
    uint8_t af_next_id[HASH_LEN];
    uint64_t af_evidence_after;
};

static int
integrity_ok(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ok = 0, rows = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
        SQLITE_OK)
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        rows++;
        ok = t && strcmp(t, "ok") == 0;
    }
    sqlite3_finalize(st);
    return ok && rows == 1;
}

/* Entries with this id, found through the id index in plain SQL (safe on
 * a damaged store): the entry and its index pair survive together. */
static int
entry_present(sqlite3 *db, const uint8_t id[static HASH_LEN])
{
    sqlite3_stmt *st = NULL;
    int found = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM (SELECT idp, k FROM ids"
                           " UNION ALL SELECT idp, k FROM ids_tail) i JOIN"
                           " entries e ON e.k = i.k WHERE i.idp = ?1 AND"
                           " e.id = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, log_id_key(id));
    sqlite3_bind_blob(st, 2, id, HASH_LEN, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        found = sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    return found;
}

/*
 * Reopens db (with the default VFS) and checks it against acks. full = 0
 * only counts (for stores that may be damaged: the control run); full = 1
 * also re-verifies the whole store through the log API and appends one
 * fresh entry, as a restarted node would.
 */
static void
restart_check(const struct fx *f, const char *db, const struct acks *as,
              int full, struct after *af)
{
    struct store *s = NULL;
    struct log_head *heads = NULL;
    size_t nh = 0;

    memset(af, 0, sizeof(*af));
    af->af_lost = as->as_n;
    af->af_append_rc = ILONET_EIO;
    if (fx_open(f, db, &s) != 0)
        return;
    af->af_opened = 1;
    af->af_integrity = integrity_ok(store_db(s));
    af->af_lost = 0;
    for (size_t i = 0; i < as->as_n; i++)
        if (!entry_present(store_db(s), as->as_v[i].a_id))
            af->af_lost++;
    if (!full || !af->af_integrity)
        goto out;

    /* each acknowledged entry is at its own seq */
    for (size_t i = 0; i < as->as_n; i++) {
        struct entry e;
        uint8_t *p = NULL;
        if (log_get(s, as->as_v[i].a_id, &e, &p, NULL) != 0 ||
            e.e_h.h_seq != as->as_v[i].a_seq)
            af->af_lost++;
        free(p);
    }
    if (log_heads(s, &heads, &nh) == 0) {
        af->af_logs = nh;
        af->af_head = nh ? heads[0].lh_seq : 0;
        free(heads);
    }
    log_counts(s, &af->af_entries, NULL, &af->af_evidence, NULL);
    log_verify_all(s, NULL, NULL, &af->af_checked, &af->af_bad);

    /* a restarted node appends at head + 1 (first the certificate, if the
     * crash came before it was stored) */
    uint8_t *cert = NULL;
    size_t cl;
    if (store_meta_get(s, "cert", &cert, &cl) != 0)
        store_meta_set(s, "cert", f->cert, f->cert_len);
    free(cert);
    struct wire_buf wb;
    struct log_ref ref;
    wire_buf_init(&wb, 1 << 16);
    payload(&wb, 40, af->af_head);
    struct log_append_req r = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
    af->af_append_rc = log_append(s, &f->c, "net", &r, 1, NOW_MS, &ref);
    if (af->af_append_rc == 0) {
        af->af_next_seq = ref.lr_seq;
        memcpy(af->af_next_id, ref.lr_id, HASH_LEN);
    }
    wire_buf_free(&wb);
    log_counts(s, NULL, NULL, &af->af_evidence_after, NULL);
out:
    store_close(s);
}

/* Fails with the context that reproduces the run. */
#define CHECK(c, ...)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "  CHECK(%s) failed: ", #c);                       \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            TEST_FAIL_("durability invariant broken (see above)");             \
        }                                                                      \
    } while (0)

/* The full set of after-restart invariants; ctx says how to reproduce. */
static void
check_after(const struct after *af, const struct acks *as, const char *ctx)
{
    uint64_t head = af->af_head;
    CHECK(af->af_opened, "%s: store does not open", ctx);
    CHECK(af->af_integrity, "%s: integrity_check failed", ctx);
    CHECK(af->af_lost == 0, "%s: %" PRIu64 " acknowledged entries lost", ctx,
          af->af_lost);
    CHECK(af->af_logs <= 1, "%s: %" PRIu64 " logs", ctx, af->af_logs);
    CHECK(head >= acks_max_seq(as), "%s: head %" PRIu64 " < acked %" PRIu64,
          ctx, head, acks_max_seq(as));
    CHECK(af->af_entries == head,
          "%s: %" PRIu64 " entries but head %" PRIu64 " (not contiguous)", ctx,
          af->af_entries, head);
    CHECK(af->af_bad == 0 && af->af_checked == head,
          "%s: verify_all checked %" PRIu64 " bad %" PRIu64, ctx,
          af->af_checked, af->af_bad);
    CHECK(af->af_evidence == 0, "%s: fork evidence before append", ctx);
    CHECK(af->af_append_rc == 0, "%s: append after restart: %s", ctx,
          ilonet_errname(af->af_append_rc));
    CHECK(af->af_next_seq == (head ? head + 1 : 2),
          "%s: fresh append at seq %" PRIu64 ", head was %" PRIu64, ctx,
          af->af_next_seq, head);
    CHECK(af->af_evidence_after == 0, "%s: fork evidence after append", ctx);
}

static void
rm_store(const char *db)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    char p[700];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof(p), "%s%s", db, sfx[i]);
        unlink(p);
    }
}

/* ---- (a) kill -9 at random moments during appends ---- */

#define K9_STORE_ROUNDS 20 /* rounds per store (bounds verify_all cost) */
#define K9_CAP 300         /* appends per child at most */

/* Where the child was when the kill landed (in memory shared with the
 * parent, written by the child as it goes). */
enum k9_phase {
    K9_STARTING,  /* forked, opening the store */
    K9_APPENDING, /* inside log_append */
    K9_RETURNED,  /* log_append returned 0, not yet acknowledged */
    K9_ACKED,     /* acknowledgement written */
    K9_PHASES_
};

/* The child: append one entry per log_append (durable), report each id
 * on fd only after log_append returned. widen_us > 0 sleeps between the
 * two, so that kills land between commit and acknowledgement. */
static void
k9_child(const struct fx *f, const char *db, int fd, uint64_t widen_us,
         uint64_t tag, volatile int *phase)
{
    struct store *s;
    struct wire_buf wb;
    struct log_ref ref;

    *phase = K9_STARTING;
    if (fx_open(f, db, &s) != 0)
        _exit(2);
    wire_buf_init(&wb, 1 << 16);
    for (int i = 0; i < K9_CAP; i++) {
        payload(&wb, 20 + (tag + (uint64_t)i * 37) % 700, tag + (uint64_t)i);
        struct log_append_req r = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
        *phase = K9_APPENDING;
        if (log_append(s, &f->c, "net", &r, 1, NOW_MS, &ref) != 0)
            _exit(3);
        *phase = K9_RETURNED;

        if (widen_us) {
            /* sleep, not spin: a spinning child keeps the parent off the
             * CPU on a busy 2-core machine, and its kills then land only
             * when the child blocks in fsync */
            struct timespec w = {0, (long)widen_us * 1000};
            while (nanosleep(&w, &w) != 0 && errno == EINTR)
                ;
        }
        struct ack a;
        a.a_seq = ref.lr_seq;
        memcpy(a.a_id, ref.lr_id, HASH_LEN);
        if (write(fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
            _exit(4);
        *phase = K9_ACKED;
    }
    wire_buf_free(&wb);
    store_close(s);
    _exit(0);
}

/* Rounds come in three kinds (round % 3). Kind 0 times its kill from the
 * fork, so kills land while the store is created and opened. Kind 1 times
 * it from the moment the child has opened the store (on a loaded machine
 * opening alone can outlast the whole delay range), so kills land inside
 * log_append. Kind 2 waits until the child is between a returned append
 * and its acknowledgement (it sleeps there K9_WIDE_US), then kills within
 * that window: the window the invariant is about is covered on purpose,
 * not by luck of scheduling. Each wait gives up after about 10 s (a child
 * that died or finished leaves the loop too). */
#define K9_WIDE_US 2000

static void
k9_wait_phase(volatile int *phase, int want)
{
    for (int i = 0; i < 100000; i++) {
        int ph = *phase;
        if (want == K9_RETURNED ? ph == K9_RETURNED : ph != K9_STARTING)
            return;
        struct timespec w = {0, 100000};
        nanosleep(&w, NULL);
    }
}

static void
kill9_during_appends_loses_nothing(void)
{
    struct fx f;
    struct acks as = {0};
    char *dir = test_tmpdir("kill9"), db[600], ctx[200];
    uint64_t seed = env_u64("DURABILITY_SEED", 0x6b696c6c39ULL);
    uint64_t rounds = env_u64("DURABILITY_ROUNDS", scaled(400, 150, 12));
    uint64_t max_delay_us = quick() ? 400000 : 25000;
    uint64_t rng = seed, acked = 0, killed = 0, finished = 0, unacked = 0;
    uint64_t before_open = 0, at[K9_PHASES_] = {0}, survived_in_append = 0;
    double t0 = now_s();
    volatile int *phase = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    ASSERT(phase != MAP_FAILED);
    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    for (uint64_t round = 0; round < rounds; round++) {
        if (round % K9_STORE_ROUNDS == 0) {
            /* a fresh store: the first kill may land in its creation */
            rm_store(db);
            as.as_n = 0;
            struct store *s;
            ASSERT_OK(fx_open(&f, db, &s));
            ASSERT_OK(store_meta_set(s, "cert", f.cert, f.cert_len));
            store_close(s);
        }
        int kind = (int)(round % 3);
        uint64_t delay =
            rng_next(&rng) % (kind == 2 ? K9_WIDE_US / 2 : max_delay_us);
        uint64_t widen = kind == 2 ? K9_WIDE_US : kind == 1 ? 300 : 0;
        snprintf(ctx, sizeof(ctx),
                 "seed %#" PRIx64 " round %" PRIu64 " delay %" PRIu64
                 " us widen %" PRIu64 " us (DURABILITY_SEED=%#" PRIx64 ")",
                 seed, round, delay, widen, seed);
        int fds[2];
        ASSERT(pipe(fds) == 0);
        fflush(stdout);
        fflush(stderr);
        *phase = K9_STARTING;
        pid_t pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            k9_child(&f, db, fds[1], widen, round * 1000, phase);
        }
        close(fds[1]);
        if (kind)
            k9_wait_phase(phase, kind == 2 ? K9_RETURNED : K9_APPENDING);
        struct timespec ts = {(time_t)(delay / 1000000),
                              (long)(delay % 1000000) * 1000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        kill(pid, SIGKILL);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        int ph = *phase;
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
            killed++;
            at[ph >= 0 && ph < K9_PHASES_ ? ph : 0]++;
        } else {
            CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "%s: appender failed (status %#x)", ctx, st);
            finished++;
        }
        /* the acknowledgements that made it out before the kill */
        struct ack a;
        size_t got = 0;
        ssize_t n;
        while ((n = read(fds[0], &a, sizeof(a))) == (ssize_t)sizeof(a)) {
            acks_add(&as, a.a_seq, a.a_id);
            got++;
        }
        CHECK(n == 0, "%s: torn acknowledgement record", ctx);
        close(fds[0]);
        acked += got;

        uint64_t prev_max = acks_max_seq(&as);
        struct after af;
        restart_check(&f, db, &as, 1, &af);
        check_after(&af, &as, ctx);
        if (af.af_head > prev_max) {
            unacked++; /* committed, killed before it was reported */
            survived_in_append += ph == K9_APPENDING;
        }
        if (af.af_head == 0)
            before_open++;
        acks_add(&as, af.af_next_seq, af.af_next_id);
    }
    double dt = now_s() - t0;
    printf("kill -9: %" PRIu64 " rounds (%" PRIu64 " killed, %" PRIu64
           " finished first), %" PRIu64 " acknowledged appends, 0 lost; "
           "kills while opening %" PRIu64 ", inside log_append %" PRIu64
           " (%" PRIu64 " of them after the commit reached the OS), "
           "between log_append's return and the acknowledgement %" PRIu64
           ", after an acknowledgement %" PRIu64 "; %" PRIu64
           " rounds left a committed unacknowledged entry, %" PRIu64
           " left an empty log; seed %#" PRIx64 ", %.1f s\n",
           rounds, killed, finished, acked, at[K9_STARTING], at[K9_APPENDING],
           survived_in_append, at[K9_RETURNED], at[K9_ACKED], unacked,
           before_open, seed, dt);
    if (rounds >= 100)
        CHECK(at[K9_RETURNED] >= 10,
              "only %" PRIu64 " kills landed between commit and "
              "acknowledgement: the test does not cover that window",
              at[K9_RETURNED]);
    munmap((void *)phase, sizeof(int));
    free(as.as_v);
    fx_free(&f);
    free(dir);
}

/* ---- (b) power cuts through the crash VFS ---- */

/* Scratch directory for the power-loss runs. The disk being tested there
 * is the shim's model, not the file system, so it goes on tmpfs when there
 * is one (the reboot check's real fsyncs would otherwise dominate). */
static char *
pl_tmpdir(const char *tag)
{
    char *path;
    if (access("/dev/shm", W_OK) != 0 || getenv("DURABILITY_ON_DISK"))
        return test_tmpdir(tag);
    path = malloc(512);
    ASSERT(path);
    snprintf(path, 512, "/dev/shm/ilonet-test-%s-XXXXXX", tag);
    ASSERT(mkdtemp(path));
    return path;
}

/* Removes a power-loss directory after a passing run (tmpfs is memory). */
static void
pl_rmdir(char *dir, const char *db)
{
    rm_store(db);
    rmdir(dir);
    free(dir);
}

/*
 * The workload run through the shim: create the store (as store_open does:
 * WAL, synchronous=FULL), install the certificate, then append one entry
 * per log_append with payloads from 16 B to 12 KiB (overflow pages), so
 * that the WAL passes the 1000-frame autocheckpoint and crash points fall
 * in checkpoints and WAL restarts too. sync_off sets synchronous=OFF (the
 * control). Stops at the first failure (the power is off).
 */
struct pl_cfg {
    int pc_sync_off; /* the control: synchronous=OFF */
    int pc_ckpt;     /* wal_autocheckpoint, 0 = SQLite's default (1000) */
    /* (the store's 16 KiB pages make 1000 frames 16 MiB: the main passes
     * use 250 frames, the 4 MiB of WAL that 1000 frames of 4 KiB were, so
     * the workload still runs through checkpoints and WAL restarts) */
    size_t pc_appends; /* per run */
    uint64_t pc_points;
    uint64_t pc_seed;
};

static void
pl_workload(const struct fx *f, const char *db, const struct pl_cfg *c,
            struct acks *as)
{
    char sql[64];
    struct store *s;
    struct wire_buf wb;
    struct log_ref ref;
    uint64_t rng = c->pc_seed;

    if (fx_open(f, db, &s) != 0)
        return;
    if (c->pc_sync_off && sqlite3_exec(store_db(s), "PRAGMA synchronous=OFF",
                                       NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%d", c->pc_ckpt);
    if (c->pc_ckpt &&
        sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    if (store_meta_set(s, "cert", f->cert, f->cert_len) != 0)
        goto out;
    wire_buf_init(&wb, 1 << 16);
    for (size_t i = 0; i < c->pc_appends; i++) {
        uint64_t r = rng_next(&rng);
        size_t len = r % 4 == 0 ? 4000 + (r >> 8) % 8000 : 16 + (r >> 8) % 900;
        payload(&wb, len, i);
        struct log_append_req q = {KIND_OBSERVATION, wb.wb_data, wb.wb_len};
        if (log_append(s, &f->c, "net", &q, 1, NOW_MS, &ref) != 0)
            break;
        acks_add(as, ref.lr_seq, ref.lr_id);
    }
    wire_buf_free(&wb);
out:
    store_close(s);
}

struct pl_totals {
    uint64_t pt_points, pt_acked, pt_lost, pt_loss_runs, pt_unopenable,
        pt_corrupt, pt_unacked_survived, pt_mode[VFS_CRASH_MODES_];
    uint64_t pt_kept, pt_dropped, pt_torn, pt_garbage;
    uint64_t pt_cut_db, pt_cut_wal, pt_cut_journal; /* where power failed */
    uint64_t pt_calls, pt_db_calls, pt_wal_calls, pt_ckpt_calls,
        pt_restarts; /* of the dry run */
};

/* Runs the workload with the power failing at each chosen I/O call. */
static void
pl_run(const struct fx *f, struct vfs_crash *vc, const char *db,
       const struct pl_cfg *c, struct pl_totals *t)
{
    struct acks as = {0};
    uint64_t rng = c->pc_seed, total, npoints = c->pc_points;
    int sync_off = c->pc_sync_off;
    char ctx[240];

    memset(t, 0, sizeof(*t));
    /* a dry run counts the I/O calls of the whole workload */
    rm_store(db);
    vfs_crash_arm(vc, 0, VFS_CRASH_KEEP_ALL, c->pc_seed);
    pl_workload(f, db, c, &as);
    total = vfs_crash_calls(vc);
    ASSERT_EQ(as.as_n, c->pc_appends);
    t->pt_calls = total;
    t->pt_db_calls = vfs_crash_stats(vc)->vs_db_calls;
    t->pt_wal_calls = vfs_crash_stats(vc)->vs_wal_calls;
    t->pt_ckpt_calls = vfs_crash_stats(vc)->vs_ckpt_calls;
    t->pt_restarts = vfs_crash_stats(vc)->vs_wal_restarts;
    /* the full workload passes the autocheckpoint: crash points fall in
     * checkpoints and in the WAL restart after one (the close at the end
     * checkpoints too) */
    if (c->pc_ckpt || !quick())
        ASSERT(t->pt_restarts > 0);
    if (npoints > total)
        npoints = total;

    for (uint64_t i = 0; i < npoints; i++) {
        /* evenly spread over 1..total, so every phase of an append (frame
         * header, page, commit sync, checkpoint) is hit many times */
        uint64_t at = 1 + i * total / npoints;
        enum vfs_crash_mode mode =
            (enum vfs_crash_mode)(rng_next(&rng) % VFS_CRASH_MODES_);
        uint64_t cseed = rng_next(&rng);
        snprintf(ctx, sizeof(ctx),
                 "%s, autocheckpoint %d: power cut at I/O call %" PRIu64
                 " of %" PRIu64 ", mode %s, tear seed %#" PRIx64
                 " (DURABILITY_SEED=%#" PRIx64 ")",
                 sync_off ? "synchronous=OFF" : "synchronous=FULL",
                 c->pc_ckpt ? c->pc_ckpt : 1000, at, total,
                 vfs_crash_mode_name(mode), cseed, c->pc_seed);
        rm_store(db);
        as.as_n = 0;
        vfs_crash_arm(vc, at, mode, cseed);
        pl_workload(f, db, c, &as);
        CHECK(vfs_crash_crashed(vc), "%s: no crash", ctx);
        CHECK(vfs_crash_restore(vc) == 0, "%s: restore failed", ctx);
        const struct vfs_crash_stats *vs = vfs_crash_stats(vc);
        t->pt_kept += vs->vs_kept;
        t->pt_dropped += vs->vs_lost;
        t->pt_torn += vs->vs_torn;
        t->pt_garbage += vs->vs_garbage;
        t->pt_cut_db += vs->vs_cut_kind == SQLITE_OPEN_MAIN_DB;
        t->pt_cut_wal += vs->vs_cut_kind == SQLITE_OPEN_WAL;
        t->pt_cut_journal += vs->vs_cut_kind == SQLITE_OPEN_MAIN_JOURNAL;

        /* reboot: the normal unix VFS on the surviving bytes */
        sqlite3_vfs_register(sqlite3_vfs_find("unix"), 1);
        struct after af;
        restart_check(f, db, &as, !sync_off, &af);
        sqlite3_vfs_register(sqlite3_vfs_find("crashvfs"), 1);

        t->pt_points++;
        t->pt_mode[mode]++;
        t->pt_acked += as.as_n;
        t->pt_lost += af.af_lost;
        t->pt_loss_runs += af.af_lost > 0;
        t->pt_unopenable += !af.af_opened;
        t->pt_corrupt += af.af_opened && !af.af_integrity;
        if (!sync_off) {
            check_after(&af, &as, ctx);
            t->pt_unacked_survived += af.af_head > acks_max_seq(&as);
        }
    }
    free(as.as_v);
}

static void
pl_print(const char *what, const struct pl_totals *t, size_t appends, double dt)
{
    printf("power loss, %s: %" PRIu64 " crash points over %" PRIu64
           " I/O calls (%zu appends; %" PRIu64 " WAL, %" PRIu64
           " main file, %" PRIu64 " of them in checkpoints; %" PRIu64
           " WAL restarts); power cut in WAL %" PRIu64 ", main file %" PRIu64
           ", journal %" PRIu64 "; modes drop-all %" PRIu64 " keep-all %" PRIu64
           " torn-writes %" PRIu64 " sectors %" PRIu64
           "; unsynced writes kept %" PRIu64 " dropped %" PRIu64
           " torn %" PRIu64 " garbled %" PRIu64 "; %" PRIu64
           " acknowledged entries checked, %" PRIu64 " lost in %" PRIu64
           " runs, %" PRIu64 " stores unopenable, %" PRIu64
           " failing integrity_check; %" PRIu64
           " runs kept an unacknowledged commit; %.1f s\n",
           what, t->pt_points, t->pt_calls, appends, t->pt_wal_calls,
           t->pt_db_calls, t->pt_ckpt_calls, t->pt_restarts, t->pt_cut_wal,
           t->pt_cut_db, t->pt_cut_journal, t->pt_mode[0], t->pt_mode[1],
           t->pt_mode[2], t->pt_mode[3], t->pt_kept, t->pt_dropped, t->pt_torn,
           t->pt_garbage, t->pt_acked, t->pt_lost, t->pt_loss_runs,
           t->pt_unopenable, t->pt_corrupt, t->pt_unacked_survived, dt);
}

/*
 * With ilonet's settings (WAL, synchronous=FULL) over >= 1000 crash points:
 * nothing acknowledged is lost. A second, checkpoint-heavy pass
 * (wal_autocheckpoint=16, a setting that does not change durability) puts
 * many more crash points inside checkpoints and WAL restarts.
 */
static void
power_loss_with_full_sync_loses_nothing(void)
{
    struct fx f;
    struct vfs_crash *vc;
    struct pl_totals t, tc;
    char *dir = pl_tmpdir("powerloss"), db[600];
    uint64_t seed = env_u64("DURABILITY_SEED", 0x706f776572ULL);
    struct pl_cfg c = {0, 250, quick() ? 40 : 200,
                       env_u64("DURABILITY_POINTS", scaled(1000, 250, 24)),
                       seed};
    struct pl_cfg ck = {0, 16, quick() ? 40 : 120, scaled(300, 100, 12),
                        seed + 1};
    double t0 = now_s();

    /* 1300 crash points take 2.5 min on a quiet 2-core machine and more
     * than the runner's default 5 min when it is loaded: a longer safety
     * net for this case only (a hang still fails it). */
    alarm(900);
    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    ASSERT(vfs_crash_new("crashvfs", 1, &vc) == 0);
    pl_run(&f, vc, db, &c, &t);
    pl_print("synchronous=FULL", &t, c.pc_appends, now_s() - t0);
    t0 = now_s();
    pl_run(&f, vc, db, &ck, &tc);
    pl_print("synchronous=FULL, wal_autocheckpoint=16", &tc, ck.pc_appends,
             now_s() - t0);
    vfs_crash_free(vc);
    if (!getenv("DURABILITY_POINTS"))
        ASSERT_GE(t.pt_points, scaled(1000, 250, 1));
    ASSERT_EQ(t.pt_lost, 0);
    ASSERT_EQ(tc.pt_lost, 0);
    /* the shim really tore things: unsynced writes were lost in many runs */
    ASSERT(t.pt_dropped > 0 && t.pt_torn > 0);
    fx_free(&f);
    pl_rmdir(dir, db);
}

/* The control: the same workload with synchronous=OFF must lose
 * acknowledged entries, or the shim is not biting. */
static void
power_loss_with_sync_off_loses_entries(void)
{
    struct fx f;
    struct vfs_crash *vc;
    struct pl_totals t;
    char *dir = pl_tmpdir("powerloss-off"), db[600];
    struct pl_cfg c = {1, 250, quick() ? 40 : 200, scaled(200, 100, 12),
                       env_u64("DURABILITY_SEED", 0x6f6666ULL)};
    double t0 = now_s();

    /* 1300 crash points take 2.5 min on a quiet 2-core machine and more
     * than the runner's default 5 min when it is loaded: a longer safety
     * net for this case only (a hang still fails it). */
    alarm(900);
    fx_init(&f);
    snprintf(db, sizeof(db), "%s/s.db", dir);
    ASSERT(vfs_crash_new("crashvfs", 1, &vc) == 0);
    pl_run(&f, vc, db, &c, &t);
    vfs_crash_free(vc);
    pl_print("synchronous=OFF (control)", &t, c.pc_appends, now_s() - t0);
    ASSERT(t.pt_loss_runs > 0);
    ASSERT(t.pt_lost > 0);
    fx_free(&f);
    pl_rmdir(dir, db);
}

/* ---- the shim's own model ---- */

static int
raw_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int64_t
raw_count(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "unix") ==
            SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Synced transactions survive every mode; unsynced ones survive keep-all
 * and are gone under drop-all. */
static void
crash_vfs_models_synced_and_unsynced_writes(void)
{
    struct vfs_crash *vc;
    char *dir = test_tmpdir("crashvfs"), db[600];
    sqlite3 *h;

    snprintf(db, sizeof(db), "%s/t.db", dir);
    ASSERT(vfs_crash_new("crashvfs", 0, &vc) == 0);
    for (int mode = 0; mode < VFS_CRASH_MODES_; mode++) {
        for (int off = 0; off < 2; off++) {
            rm_store(db);
            vfs_crash_arm(vc, 0, (enum vfs_crash_mode)mode, 42 + mode);
            ASSERT_EQ(sqlite3_open_v2(
                          db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                          "crashvfs"),
                      SQLITE_OK);
            ASSERT_EQ(raw_exec(h, "PRAGMA journal_mode=WAL;"
                                  "PRAGMA synchronous=FULL;"
                                  "CREATE TABLE t(x);"
                                  "INSERT INTO t VALUES(1),(2),(3);"),
                      SQLITE_OK);
            if (off)
                ASSERT_EQ(raw_exec(h, "PRAGMA synchronous=OFF"), SQLITE_OK);
            ASSERT_EQ(raw_exec(h, "INSERT INTO t VALUES(4)"), SQLITE_OK);
            vfs_crash_power_cut(vc);
            ASSERT(raw_exec(h, "INSERT INTO t VALUES(5)") != SQLITE_OK);
            sqlite3_close(h);
            ASSERT_EQ(vfs_crash_restore(vc), 0);
            int64_t n = raw_count(db);
            if (!off)
                ASSERT_EQ(n, 4); /* both commits were synced */
            else if (mode == VFS_CRASH_DROP_ALL)
                ASSERT_EQ(n, 3);
            else if (mode == VFS_CRASH_KEEP_ALL)
                ASSERT_EQ(n, 4);
            else
                ASSERT(n == 3 || n == 4);
        }
    }
    vfs_crash_free(vc);
    free(dir);
}

TEST_LIST = {
    TEST(crash_vfs_models_synced_and_unsynced_writes),
    TEST(kill9_during_appends_loses_nothing),
    TEST(power_loss_with_full_sync_loses_nothing),
    TEST(power_loss_with_sync_off_loses_entries),
};
TEST_MAIN()
