/* cmd_verify.c - `ilonet verify`: re-verify every entry and the view. */
#include <inttypes.h>
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/view.h"

static const char verify_usage[] =
    "usage: ilonet [-C DIR] verify [--json]\n\n"
    "Re-verifies every stored entry (ids, chain links, every signature,\n"
    "payload hashes, certificates), checks stored fork evidence, and\n"
    "checks that the view equals a full rebuild from the log. Exit 0 only\n"
    "if all holds.\n";

static void
verify_problem(void *arg, const uint8_t log[static HASH_LEN], uint64_t seq,
               int err)
{
    (void)arg;
    fprintf(stderr, "ilonet: verify: log ");
    cmd_print_hex(stderr, log, HASH_LEN);
    fprintf(stderr, " seq %" PRIu64 ": %s: %s\n", seq, ilonet_errname(err),
            ilonet_strerror(err));
}

/* Fork evidence must be two validly signed, different entries at one
 * (log, seq) by the log's author. */
static int
verify_evidence(struct store *s, uint64_t *n, uint64_t *bad)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT log_id, seq, author, hdr_a, sig_a, hdr_b, "
                           "sig_b FROM evidence",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct entry a, b;
        int ok = 1;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        (*n)++;
        size_t la = (size_t)sqlite3_column_bytes(st, 3);
        size_t lb = (size_t)sqlite3_column_bytes(st, 5);
        if (la > ENTRY_HEADER_MAX || lb > ENTRY_HEADER_MAX ||
            sqlite3_column_bytes(st, 4) != KEY_SIG_LEN ||
            sqlite3_column_bytes(st, 6) != KEY_SIG_LEN) {
            ok = 0;
        } else {
            memcpy(a.e_hdr, sqlite3_column_blob(st, 3), la);
            a.e_hdr_len = la;
            memcpy(a.e_sig, sqlite3_column_blob(st, 4), KEY_SIG_LEN);
            memcpy(b.e_hdr, sqlite3_column_blob(st, 5), lb);
            b.e_hdr_len = lb;
            memcpy(b.e_sig, sqlite3_column_blob(st, 6), KEY_SIG_LEN);
            const uint8_t *author = sqlite3_column_blob(st, 2);
            ok = entry_header_decode(a.e_hdr, la, &a.e_h) == 0 &&
                 entry_header_decode(b.e_hdr, lb, &b.e_h) == 0 &&
                 a.e_h.h_seq == b.e_h.h_seq &&
                 memcmp(a.e_h.h_log, b.e_h.h_log, HASH_LEN) == 0 &&
                 memcmp(a.e_h.h_log, sqlite3_column_blob(st, 0), HASH_LEN) ==
                     0 &&
                 (la != lb || memcmp(a.e_hdr, b.e_hdr, la) != 0 ||
                  memcmp(a.e_sig, b.e_sig, KEY_SIG_LEN) != 0) &&
                 entry_verify_sig(&a, author) == 0 &&
                 entry_verify_sig(&b, author) == 0;
        }
        if (!ok) {
            (*bad)++;
            verify_problem(NULL, sqlite3_column_blob(st, 0),
                           (uint64_t)sqlite3_column_int64(st, 1),
                           ILONET_EBADSIG);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ILONET_EIO;
}

int
cmd_verify(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    struct home h;
    uint64_t checked = 0, bad = 0, ev = 0, evbad = 0;
    uint8_t before[HASH_LEN], after[HASH_LEN];
    int rc, view_ok = 0;

    if (cmd_wants_help(argc, argv, verify_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    if ((rc = cmd_opts_done(&o, "verify")) != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = log_verify_all(h.h_store, verify_problem, NULL, &checked, &bad);
    if (rc == ILONET_EIO || rc == ILONET_ENOMEM) {
        home_close(&h);
        return cmd_fail_err("verify", rc);
    }
    if ((rc = verify_evidence(h.h_store, &ev, &evbad)) != 0) {
        home_close(&h);
        return cmd_fail_err("verify: evidence", rc);
    }
    /* The incremental view must equal a rebuild from the log: rebuild
     * inside a transaction, compare, roll back. */
    if (view_hash(h.h_store, NULL, before) == 0 &&
        store_begin(h.h_store) == 0) {
        if (view_rebuild(h.h_store) == 0 &&
            view_hash(h.h_store, NULL, after) == 0)
            view_ok = memcmp(before, after, HASH_LEN) == 0;
        store_rollback(h.h_store);
    }
    if (!view_ok)
        fprintf(stderr, "ilonet: verify: view: differs from a full rebuild "
                        "of the log\n");
    if (env->json)
        printf("{\"entries_checked\":%" PRIu64 ",\"bad_entries\":%" PRIu64
               ",\"evidence\":%" PRIu64 ",\"bad_evidence\":%" PRIu64
               ",\"view_ok\":%s,\"ok\":%s}\n",
               checked, bad, ev, evbad, view_ok ? "true" : "false",
               bad == 0 && evbad == 0 && view_ok ? "true" : "false");
    else
        printf("%" PRIu64 " entries checked, %" PRIu64 " bad; %" PRIu64
               " fork evidence, %" PRIu64 " bad; view %s\n",
               checked, bad, ev, evbad,
               view_ok ? "matches rebuild" : "DIFFERS");
    home_close(&h);
    return bad == 0 && evbad == 0 && view_ok ? 0 : 1;
}
