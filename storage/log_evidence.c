/* log_evidence.c - re-verification of stored fork evidence (ilonet verify). */
#include <string.h>

#include "crypto/error.h"
#include "log.h"
#include "store_int.h"

/*
 * A row of table evidence (storage/store.c) proves a fork only if it holds
 * two different entries, both validly signed by the log's author, at one
 * (log, seq) of that log. Ingest stores a row only after checking exactly
 * this; re-checking it here lets an operator trust a copied or long-kept
 * store without trusting whoever held it.
 */

/* 1 if the row under st is sound evidence; fills log and seq from it. */
static int
log__evidence_ok(sqlite3_stmt *st, uint8_t log[static HASH_LEN], uint64_t *seq)
{
    struct entry a, b;
    size_t la = (size_t)sqlite3_column_bytes(st, 3);
    size_t lb = (size_t)sqlite3_column_bytes(st, 5);
    const uint8_t *author;

    /* The row's own log id names the problem, whatever else is wrong. */
    memset(log, 0, HASH_LEN);
    if (sqlite3_column_bytes(st, 0) == HASH_LEN)
        memcpy(log, sqlite3_column_blob(st, 0), HASH_LEN);
    *seq = (uint64_t)sqlite3_column_int64(st, 1);
    if (sqlite3_column_bytes(st, 0) != HASH_LEN ||
        sqlite3_column_bytes(st, 2) != KEY_PK_LEN || la > ENTRY_HEADER_MAX ||
        lb > ENTRY_HEADER_MAX || sqlite3_column_bytes(st, 4) != KEY_SIG_LEN ||
        sqlite3_column_bytes(st, 6) != KEY_SIG_LEN)
        return 0;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memcpy(a.e_hdr, sqlite3_column_blob(st, 3), la);
    a.e_hdr_len = la;
    memcpy(a.e_sig, sqlite3_column_blob(st, 4), KEY_SIG_LEN);
    memcpy(b.e_hdr, sqlite3_column_blob(st, 5), lb);
    b.e_hdr_len = lb;
    memcpy(b.e_sig, sqlite3_column_blob(st, 6), KEY_SIG_LEN);
    author = sqlite3_column_blob(st, 2);
    return entry_header_decode(a.e_hdr, la, &a.e_h) == 0 &&
           entry_header_decode(b.e_hdr, lb, &b.e_h) == 0 &&
           a.e_h.h_seq == b.e_h.h_seq &&
           memcmp(a.e_h.h_log, b.e_h.h_log, HASH_LEN) == 0 &&
           memcmp(a.e_h.h_log, log, HASH_LEN) == 0 &&
           (la != lb || memcmp(a.e_hdr, b.e_hdr, la) != 0 ||
            memcmp(a.e_sig, b.e_sig, KEY_SIG_LEN) != 0) &&
           entry_verify_sig(&a, author) == 0 &&
           entry_verify_sig(&b, author) == 0;
}

int
log_verify_evidence(struct store *s, log_problem_cb cb, void *arg,
                    uint64_t *checked, uint64_t *bad)
{
    sqlite3_stmt *st;
    uint64_t n = 0, nbad = 0;
    int rc;

    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT log_id, seq, author, hdr_a, sig_a, hdr_b, "
                           "sig_b FROM evidence",
                           -1, &st, NULL) != SQLITE_OK)
        return ILONET_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t log[HASH_LEN];
        uint64_t seq;

        n++;
        if (!log__evidence_ok(st, log, &seq)) {
            nbad++;
            if (cb)
                cb(arg, log, seq, ILONET_EBADSIG);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ILONET_EIO;
    if (checked)
        *checked = n;
    if (bad)
        *bad = nbad;
    return 0;
}
