/* test_app_ops.c - the maintenance use cases of node/app/app_ops.c. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crypto/cert.h"
#include "crypto/error.h"
#include "node/app/app.h"
#include "storage/store_int.h"
#include "test.h"

/* Export, import, log, verify and restore: each success, and each failure
 * with its code, through the app_* functions on homes the CLI set up. */

#define RUN_OK(...)                                                            \
    do {                                                                       \
        struct cli_out o_;                                                     \
        if (cli_run(&o_, __VA_ARGS__, (char *)NULL) != 0)                      \
            TEST_FAIL_("ilonet exited %d: %s", o_.co_status, o_.co_err);       \
        cli_out_free(&o_);                                                     \
    } while (0)

/* A test network DE, FR, EU, IT where DE wrote one observation in each of
 * its logs: net (seen by all), ms (members: not EU) and DE+FR. */
struct fix {
    char f_net[600];
    char f_de[700], f_fr[700], f_eu[700], f_it[700];
    char f_file[700]; /* DE's full export, written by fix_init */
};

static void
fix_init(struct fix *f, const char *tag)
{
    char *dir = test_tmpdir(tag);
    struct app_export req;
    struct app_export_out r;
    struct app_err err;
    struct home h;

    ASSERT_OK(key_global_init());
    snprintf(f->f_net, sizeof(f->f_net), "%s/t", dir);
    free(dir);
    RUN_OK("testnet", "--host", "TR", "--states", "DE,FR,EU,IT", "--out",
           f->f_net);
    snprintf(f->f_de, sizeof(f->f_de), "%s/DE", f->f_net);
    snprintf(f->f_fr, sizeof(f->f_fr), "%s/FR", f->f_net);
    snprintf(f->f_eu, sizeof(f->f_eu), "%s/EU", f->f_net);
    snprintf(f->f_it, sizeof(f->f_it), "%s/IT", f->f_net);
    snprintf(f->f_file, sizeof(f->f_file), "%s/de.export", f->f_net);
    RUN_OK("-C", f->f_de, "observe", "--category", "routes", "--summary",
           "net");
    RUN_OK("-C", f->f_de, "observe", "--category", "flows", "--summary",
           "members", "--audience", "ms");
    RUN_OK("-C", f->f_de, "observe", "--category", "flows", "--summary", "pair",
           "--audience", "DE+FR");
    ASSERT_OK(home_open(&h, f->f_de, HOME_STORE));
    req.ex_path = f->f_file;
    req.ex_for = NULL;
    ASSERT_OK(app_export(&h, &req, &r, &err));
    home_close(&h);
}

/* What app_log sees: logs, entries, and the audiences in walk order. */
struct seen {
    int s_logs, s_entries, s_erased;
    char s_aud[8][APP_AUDIENCE_MAX + 1];
    uint8_t s_ids[8][HASH_LEN];
    uint64_t s_last_seq; /* seq of the previous entry in this log */
    int s_stop_at;       /* stop (ILONET_EBUSY) at this log, 0 = never */
};

static int
seen_log(void *arg, const struct app_log_info *l)
{
    struct seen *s = arg;

    if (s->s_logs < 8) {
        memcpy(s->s_aud[s->s_logs], l->li_audience, sizeof(s->s_aud[0]));
        memcpy(s->s_ids[s->s_logs], l->li_id, HASH_LEN);
    }
    if (s->s_logs > 0 && s->s_logs < 8)
        ASSERT(memcmp(s->s_ids[s->s_logs - 1], l->li_id, HASH_LEN) < 0);
    s->s_logs++;
    s->s_last_seq = 0;
    if (s->s_stop_at && s->s_logs == s->s_stop_at)
        return ILONET_EBUSY;
    return 0;
}

static int
seen_entry(void *arg, const struct app_log_entry *e)
{
    struct seen *s = arg;

    ASSERT_EQ(e->le_seq, s->s_last_seq + 1);
    ASSERT_EQ(e->le_time_ms, e->le_hlc >> 16);
    ASSERT(e->le_kind_name != NULL);
    if (e->le_seq == 1)
        ASSERT_STR_EQ(e->le_kind_name, "cert");
    s->s_last_seq = e->le_seq;
    s->s_entries++;
    s->s_erased += e->le_erased;
    return 0;
}

static void
walk(const char *home, struct seen *s)
{
    struct app_log_visit v = {seen_log, seen_entry, s};
    struct app_err err;
    struct home h;

    memset(s, 0, sizeof(*s));
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    ASSERT_OK(app_log(&h, &v, &err));
    home_close(&h);
}

static int
seen_has(const struct seen *s, const char *audience)
{
    for (int i = 0; i < s->s_logs && i < 8; i++)
        if (strcmp(s->s_aud[i], audience) == 0)
            return 1;
    return 0;
}

/* Runs one SQL statement on a home's store through its own connection
 * (the test stands in for a disk fault or a tampering hand). */
static void
sql(const char *home, const char *stmt)
{
    char path[800];
    sqlite3 *db;

    snprintf(path, sizeof(path), "%s/store.db", home);
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, stmt, NULL, NULL, NULL) != SQLITE_OK)
        TEST_FAIL_("%s: %s", stmt, sqlite3_errmsg(db));
    ASSERT_EQ(sqlite3_changes(db) > 0 || strncmp(stmt, "DROP", 4) == 0, 1);
    sqlite3_close(db);
}

/* ---- export --------------------------------------------------------- */

static void
export_all_and_for_a_state(void)
{
    struct fix f;
    struct app_export req;
    struct app_export_out r;
    struct app_err err;
    char file[800];
    struct home h;

    fix_init(&f, "ops-export");
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    snprintf(file, sizeof(file), "%s/all.export", f.f_net);
    req.ex_path = file;
    req.ex_for = NULL;
    ASSERT_OK(app_export(&h, &req, &r, &err));
    ASSERT_EQ(r.eo_logs, 3);
    ASSERT_EQ(r.eo_entries, 6); /* a certificate and a record per log */
    ASSERT_EQ(access(file, R_OK), 0);
    /* the Commission reads net only, another member net and ms */
    req.ex_for = "EU";
    ASSERT_OK(app_export(&h, &req, &r, &err));
    ASSERT_EQ(r.eo_logs, 1);
    ASSERT_EQ(r.eo_entries, 2);
    req.ex_for = "IT";
    ASSERT_OK(app_export(&h, &req, &r, &err));
    ASSERT_EQ(r.eo_logs, 2);
    req.ex_for = "FR";
    ASSERT_OK(app_export(&h, &req, &r, &err));
    ASSERT_EQ(r.eo_logs, 3);
    home_close(&h);
    /* what IT receives from a --for IT file is all it may hold */
    struct app_import im = {file, NULL, NULL};
    struct app_import_out io;
    req.ex_for = "IT";
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    ASSERT_OK(app_export(&h, &req, &r, &err));
    home_close(&h);
    ASSERT_OK(home_open(&h, f.f_it, HOME_STORE));
    ASSERT_OK(app_import(&h, &im, &io, &err));
    home_close(&h);
    ASSERT_EQ(io.io_new, 4);
    ASSERT_EQ(io.io_skipped_logs, 0);
}

static void
export_refuses_bad_input(void)
{
    struct fix f;
    struct app_export req = {NULL, NULL};
    struct app_export_out r = {77, 77};
    struct app_err err;
    char file[800];
    struct home h;

    fix_init(&f, "ops-export-bad");
    /* no file: a usage error of field out, before any home is opened */
    ASSERT_ERR(app_export_check(&req, &err), ILONET_EINVAL);
    ASSERT_EQ(err.ae_usage, 1);
    ASSERT_STR_EQ(err.ae_field, "out");
    ASSERT_STR_EQ(err.ae_msg, "out FILE is required");
    /* not a state code */
    snprintf(file, sizeof(file), "%s/x.export", f.f_net);
    req.ex_path = file;
    req.ex_for = "de";
    ASSERT_ERR(app_export_check(&req, &err), ILONET_EINVAL);
    ASSERT_EQ(err.ae_usage, 1);
    ASSERT_STR_EQ(err.ae_field, "for");
    ASSERT_STR_EQ(err.ae_msg, "for de: not a state code");
    /* app_export checks the same and writes nothing */
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    ASSERT_ERR(app_export(&h, &req, &r, &err), ILONET_EINVAL);
    ASSERT_EQ(err.ae_usage, 1);
    ASSERT(access(file, F_OK) != 0);
    ASSERT_EQ(r.eo_logs, 77); /* out-parameters untouched on failure */
    /* a file that cannot be written: an I/O error naming it */
    req.ex_for = NULL;
    req.ex_path = "/nonexistent/dir/x.export";
    ASSERT_ERR(app_export(&h, &req, &r, &err), ILONET_EIO);
    ASSERT_EQ(err.ae_usage, 0);
    ASSERT_STR_EQ(err.ae_msg,
                  "/nonexistent/dir/x.export: io: input/output error");
    ASSERT_EQ(r.eo_logs, 77);
    ASSERT_EQ(app_err_http_status(&err), 500);
    home_close(&h);
}

/* ---- import --------------------------------------------------------- */

struct notes {
    int n_count;
    enum app_import_what n_what[8];
    char n_aud[8][APP_AUDIENCE_MAX + 1];
    uint8_t n_log[8][HASH_LEN];
};

static void
note(void *arg, const struct app_import_note *n)
{
    struct notes *ns = arg;

    if (ns->n_count < 8) {
        ns->n_what[ns->n_count] = n->in_what;
        memcpy(ns->n_aud[ns->n_count], n->in_audience, sizeof(ns->n_aud[0]));
        memcpy(ns->n_log[ns->n_count], n->in_log, HASH_LEN);
    }
    ns->n_count++;
}

static int
import_file(const char *home, const char *file, struct notes *ns,
            struct app_import_out *out, struct app_err *err)
{
    struct app_import req = {file, ns ? note : NULL, ns};
    struct home h;
    int rc;

    if (ns)
        memset(ns, 0, sizeof(*ns));
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    rc = app_import(&h, &req, out, err);
    home_close(&h);
    return rc;
}

static void
import_stores_then_counts_duplicates(void)
{
    struct fix f;
    struct app_import_out r;
    struct app_err err;
    struct notes ns;
    struct seen s;

    fix_init(&f, "ops-import");
    ASSERT_OK(import_file(f.f_fr, f.f_file, &ns, &r, &err));
    ASSERT_EQ(r.io_new, 6);
    ASSERT_EQ(r.io_dup, 0);
    ASSERT_EQ(r.io_forks, 0);
    ASSERT_EQ(r.io_quarantined, 0);
    ASSERT_EQ(r.io_skipped_logs, 0);
    ASSERT_EQ(ns.n_count, 0);
    walk(f.f_fr, &s);
    ASSERT_EQ(s.s_logs, 3);
    ASSERT_EQ(s.s_entries, 6);
    ASSERT_OK(import_file(f.f_fr, f.f_file, &ns, &r, &err));
    ASSERT_EQ(r.io_new, 0);
    ASSERT_EQ(r.io_dup, 6);
}

static void
import_skips_and_names_foreign_audiences(void)
{
    struct fix f;
    struct app_import_out r;
    struct app_err err;
    struct notes ns;
    struct seen s;

    fix_init(&f, "ops-import-skip");
    /* the Commission is in neither ms nor DE+FR */
    ASSERT_OK(import_file(f.f_eu, f.f_file, &ns, &r, &err));
    ASSERT_EQ(r.io_new, 2);
    ASSERT_EQ(r.io_skipped_logs, 2);
    ASSERT_EQ(ns.n_count, 2);
    ASSERT_EQ(ns.n_what[0], APP_IMPORT_SKIPPED);
    ASSERT_EQ(ns.n_what[1], APP_IMPORT_SKIPPED);
    ASSERT(
        (strcmp(ns.n_aud[0], "ms") == 0 && strcmp(ns.n_aud[1], "DE+FR") == 0) ||
        (strcmp(ns.n_aud[0], "DE+FR") == 0 && strcmp(ns.n_aud[1], "ms") == 0));
    /* nothing of them reached its store */
    walk(f.f_eu, &s);
    ASSERT_EQ(s.s_logs, 1);
    ASSERT_STR_EQ(s.s_aud[0], "net");
    for (int i = 0; i < 2; i++)
        ASSERT(memcmp(ns.n_log[i], s.s_ids[0], HASH_LEN) != 0);
    /* another member: only DE+FR is skipped */
    ASSERT_OK(import_file(f.f_it, f.f_file, &ns, &r, &err));
    ASSERT_EQ(r.io_new, 4);
    ASSERT_EQ(r.io_skipped_logs, 1);
    ASSERT_EQ(ns.n_count, 1);
    ASSERT_STR_EQ(ns.n_aud[0], "DE+FR");
    walk(f.f_it, &s);
    ASSERT_EQ(s.s_logs, 2);
    ASSERT(!seen_has(&s, "DE+FR"));
}

/* The offset of a byte inside the last signature in buf[from, to) (a bin8
 * of 64 bytes). */
static size_t
last_sig_byte(const uint8_t *buf, size_t from, size_t to)
{
    size_t at = 0;

    for (size_t i = from; i + 2 < to; i++)
        if (buf[i] == 0xc4 && buf[i + 1] == 0x40)
            at = i + 10;
    ASSERT(at > 0);
    return at;
}

/* Writes buf with one byte changed (at, xor x) to path. */
static void
write_flipped(const char *path, const uint8_t *buf, size_t len, size_t at,
              uint8_t x)
{
    FILE *fp = fopen(path, "wb");

    ASSERT(fp != NULL);
    ASSERT(at < len);
    ASSERT_EQ(fwrite(buf, 1, at, fp), at);
    fputc(buf[at] ^ x, fp);
    ASSERT_EQ(fwrite(buf + at + 1, 1, len - at - 1, fp), len - at - 1);
    fclose(fp);
}

static void
import_forged_byte_stores_nothing(void)
{
    struct fix f;
    struct app_import_out r = {0};
    struct app_err err;
    struct notes ns;
    struct seen s;
    char bad[800];
    uint8_t *buf;
    size_t len;

    fix_init(&f, "ops-import-forged");
    snprintf(bad, sizeof(bad), "%s/bad.export", f.f_net);
    ASSERT_OK(cert_read_file(f.f_file, 1 << 20, &buf, &len));
    /* a byte inside the last signature of the file */
    write_flipped(bad, buf, len, last_sig_byte(buf, 0, len), 1);
    r.io_new = 77;
    /* the last entry of the file's last log: nothing at all is stored */
    ASSERT_ERR(import_file(f.f_fr, bad, &ns, &r, &err), ILONET_EBADSIG);
    ASSERT_EQ(r.io_new, 77);
    ASSERT(strncmp(err.ae_msg, bad, strlen(bad)) == 0);
    ASSERT(strstr(err.ae_msg, ": bad-signature: log ") != NULL);
    ASSERT(strstr(err.ae_msg, " seq 2: ") != NULL);
    ASSERT(strstr(err.ae_msg, "(nothing stored)") != NULL);
    ASSERT_EQ(err.ae_usage, 0);
    walk(f.f_fr, &s);
    ASSERT_EQ(s.s_logs, 0);
    /* a structural byte of the first frame: malformed, at its offset */
    write_flipped(bad, buf, len, 8 + NET_ID_LEN + 1, 0x41);
    ASSERT_ERR(import_file(f.f_fr, bad, &ns, &r, &err), ILONET_ETOOBIG);
    ASSERT(strstr(err.ae_msg, ": at byte 40: ") != NULL);
    /* a file of another network */
    write_flipped(bad, buf, len, 12, 0x41);
    ASSERT_ERR(import_file(f.f_fr, bad, &ns, &r, &err), ILONET_ENETWORK);
    ASSERT(strstr(err.ae_msg, "wrong-network: at byte 0: ") != NULL);
    /* cut short: no end marker */
    FILE *fp = fopen(bad, "wb");
    fwrite(buf, 1, len - 4, fp);
    fclose(fp);
    ASSERT_ERR(import_file(f.f_fr, bad, &ns, &r, &err), ILONET_EMALFORMED);
    /* bytes after the end marker */
    fp = fopen(bad, "wb");
    fwrite(buf, 1, len, fp);
    fputc('x', fp);
    fclose(fp);
    ASSERT_ERR(import_file(f.f_fr, bad, &ns, &r, &err), ILONET_EMALFORMED);
    walk(f.f_fr, &s);
    ASSERT_EQ(s.s_logs, 0);
    free(buf);
}

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void
import_forgery_after_skips_names_them_and_stores_nothing(void)
{
    struct fix f;
    struct app_import_out r;
    struct app_err err;
    struct notes ns;
    struct seen s;
    char bad[800];
    uint8_t *buf;
    size_t len, off, net_off = 0, net_len = 0, at;
    FILE *fp;

    fix_init(&f, "ops-import-forged-eu");
    snprintf(bad, sizeof(bad), "%s/bad.export", f.f_net);
    ASSERT_OK(cert_read_file(f.f_file, 1 << 20, &buf, &len));
    /* Frames are independent batches (one log each here), so any order
     * imports. The file is rewritten with the net log's frame last and a
     * byte of its last signature flipped: the Commission skips ms and
     * DE+FR first, then meets the forgery in the one log it may hold. */
    walk(f.f_de, &s);
    int net_at = -1, frame = 0;
    for (int i = 0; i < s.s_logs; i++)
        if (strcmp(s.s_aud[i], "net") == 0)
            net_at = i;
    ASSERT(net_at >= 0);
    fp = fopen(bad, "wb");
    ASSERT(fp != NULL);
    fwrite(buf, 1, 8 + NET_ID_LEN, fp);
    for (off = 8 + NET_ID_LEN; off + 4 <= len && be32(buf + off) != 0;
         frame++) {
        uint32_t fl = be32(buf + off);

        if (frame == net_at) {
            net_off = off;
            net_len = 4 + fl;
        } else {
            fwrite(buf + off, 1, 4 + fl, fp);
        }
        off += 4 + fl;
    }
    ASSERT_EQ(frame, 3);
    at = last_sig_byte(buf, net_off + 4, net_off + net_len);
    buf[at] ^= 1;
    fwrite(buf + net_off, 1, net_len, fp);
    fwrite(buf + off, 1, 4, fp); /* the end marker */
    fclose(fp);
    ASSERT_ERR(import_file(f.f_eu, bad, &ns, &r, &err), ILONET_EBADSIG);
    ASSERT_EQ(ns.n_count, 2);
    ASSERT_EQ(ns.n_what[0], APP_IMPORT_SKIPPED);
    ASSERT_EQ(ns.n_what[1], APP_IMPORT_SKIPPED);
    walk(f.f_eu, &s);
    ASSERT_EQ(s.s_logs, 0);
    /* the same file with the byte restored imports */
    buf[at] ^= 1;
    write_flipped(bad, buf, len, 0, 0);
    ASSERT_OK(import_file(f.f_eu, bad, &ns, &r, &err));
    ASSERT_EQ(r.io_new, 2);
    ASSERT_EQ(r.io_skipped_logs, 2);
    free(buf);
}

/* Index DDL on v_rec seen through an authorizer on the store connection. */
struct ddl {
    int d_drop, d_create;
};

static int
ddl_auth(void *arg, int action, const char *a1, const char *a2, const char *db,
         const char *trigger)
{
    struct ddl *d = arg;

    (void)a1;
    (void)db;
    (void)trigger;
    if (a2 && strcmp(a2, "v_rec") == 0) {
        if (action == SQLITE_DROP_INDEX)
            d->d_drop++;
        else if (action == SQLITE_CREATE_INDEX)
            d->d_create++;
    }
    return SQLITE_OK;
}

static int64_t
store_count(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;

    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* An import that brings at least as many entries as the view holds
 * builds the list indexes once at its end (store_bulk_begin): they are
 * dropped and created inside its transaction, a failed import leaves them
 * as they were, and a small import into a fuller store keeps them. */
static void
import_in_bulk_builds_the_list_indexes_once(void)
{
    static const char idx[] = "SELECT count(*) FROM sqlite_master WHERE"
                              " type = 'index' AND tbl_name = 'v_rec'";
    struct fix f;
    struct app_import im = {NULL, NULL, NULL};
    struct app_import_out r;
    struct app_export ex;
    struct app_export_out eo;
    struct app_err err;
    struct ddl d = {0, 0};
    struct home h;
    char bad[800], small[800];
    uint8_t *buf;
    size_t len;
    int64_t n0;
    int ok = 0;

    fix_init(&f, "ops-import-bulk");
    ASSERT_OK(home_open(&h, f.f_fr, HOME_STORE));
    n0 = store_count(h.h_store, idx);
    ASSERT(n0 >= 6);
    sqlite3_set_authorizer(store_db(h.h_store), ddl_auth, &d);
    /* a forged last signature: the import fails whole, and the indexes
     * it dropped come back with the rollback */
    snprintf(bad, sizeof(bad), "%s/bad.export", f.f_net);
    ASSERT_OK(cert_read_file(f.f_file, 1 << 20, &buf, &len));
    write_flipped(bad, buf, len, last_sig_byte(buf, 0, len), 1);
    free(buf);
    im.im_path = bad;
    ASSERT_ERR(app_import(&h, &im, &r, &err), ILONET_EBADSIG);
    ASSERT(d.d_drop >= 5);
    ASSERT_EQ(store_count(h.h_store, idx), n0);
    ASSERT_EQ(store_count(h.h_store, "SELECT count(*) FROM v_rec"), 0);
    /* the whole file into an empty view: dropped, written, built again */
    memset(&d, 0, sizeof(d));
    im.im_path = f.f_file;
    ASSERT_OK(app_import(&h, &im, &r, &err));
    ASSERT_EQ(r.io_new, 6);
    ASSERT_EQ(d.d_drop, d.d_create);
    ASSERT(d.d_drop >= 5);
    ASSERT_EQ(store_count(h.h_store, idx), n0);
    ASSERT_EQ(store_count(h.h_store, "SELECT count(*) FROM v_rec"), 3);
    ASSERT_OK(view_counts_check(h.h_store, &ok));
    ASSERT_EQ(ok, 1);
    /* the lists read through the indexes find what was imported */
    ASSERT_EQ(store_count(h.h_store, "SELECT count(*) FROM v_rec INDEXED BY"
                                     " v_rec_time WHERE kind > 0"),
              3);
    /* DE's net log alone (two entries, about 700 bytes) into FR, which
     * now holds three records: kept, row by row */
    snprintf(small, sizeof(small), "%s/eu.export", f.f_net);
    sqlite3_set_authorizer(store_db(h.h_store), NULL, NULL);
    home_close(&h);
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    ex.ex_path = small;
    ex.ex_for = "EU";
    ASSERT_OK(app_export(&h, &ex, &eo, &err));
    home_close(&h);
    ASSERT_EQ(eo.eo_entries, 2);
    ASSERT_OK(home_open(&h, f.f_fr, HOME_STORE));
    memset(&d, 0, sizeof(d));
    sqlite3_set_authorizer(store_db(h.h_store), ddl_auth, &d);
    im.im_path = small;
    ASSERT_OK(app_import(&h, &im, &r, &err));
    ASSERT_EQ(r.io_dup, 2);
    ASSERT_EQ(d.d_drop, 0);
    ASSERT_EQ(d.d_create, 0);
    sqlite3_set_authorizer(store_db(h.h_store), NULL, NULL);
    home_close(&h);
}

static void
import_refuses_missing_file(void)
{
    struct fix f;
    struct app_import req = {NULL, NULL, NULL};
    struct app_import_out r;
    struct app_err err;
    char file[800];

    fix_init(&f, "ops-import-missing");
    ASSERT_ERR(app_import_check(&req, &err), ILONET_EINVAL);
    ASSERT_EQ(err.ae_usage, 1);
    ASSERT_STR_EQ(err.ae_field, "");
    ASSERT_STR_EQ(err.ae_msg, "FILE is required");
    snprintf(file, sizeof(file), "%s/none.export", f.f_net);
    ASSERT_ERR(import_file(f.f_fr, file, NULL, &r, &err), ILONET_ENOTFOUND);
    ASSERT_EQ(err.ae_usage, 0);
    ASSERT(strstr(err.ae_msg, "none.export: not-found: at byte 0: ") != NULL);
    ASSERT_EQ(app_err_http_status(&err), 404);
}

/* DE and a copy of its home restored from a backup each write at seq 3 of
 * the net log: two files that fork it. */
static void
fork_files(struct fix *f, char *f1, char *f2, size_t n)
{
    char backup[800], cmd[2000];

    snprintf(backup, sizeof(backup), "%s/DE-backup", f->f_net);
    snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", f->f_de, backup);
    ASSERT_EQ(system(cmd), 0);
    RUN_OK("-C", f->f_de, "observe", "--category", "routes", "--summary", "A");
    RUN_OK("-C", backup, "observe", "--category", "routes", "--summary", "B");
    snprintf(f1, n, "%s/a.export", f->f_net);
    snprintf(f2, n, "%s/b.export", f->f_net);
    RUN_OK("-C", f->f_de, "export", "--out", f1);
    RUN_OK("-C", backup, "export", "--out", f2);
}

static void
import_fork_stores_evidence_and_names_the_log(void)
{
    struct fix f;
    struct app_import_out r;
    struct app_verify_out v;
    struct app_err err;
    struct notes ns;
    struct seen s;
    char f1[800], f2[800];
    struct home h;

    fix_init(&f, "ops-import-fork");
    fork_files(&f, f1, f2, sizeof(f1));
    ASSERT_OK(import_file(f.f_fr, f1, &ns, &r, &err));
    ASSERT_EQ(r.io_forks, 0);
    /* a fork is not a failure: the rest is stored, the log named */
    ASSERT_OK(import_file(f.f_fr, f2, &ns, &r, &err));
    ASSERT_EQ(r.io_forks, 1);
    ASSERT_EQ(ns.n_count, 1);
    ASSERT_EQ(ns.n_what[0], APP_IMPORT_FORK);
    ASSERT_STR_EQ(ns.n_aud[0], "net");
    walk(f.f_fr, &s);
    for (int i = 0; i < s.s_logs; i++)
        if (strcmp(s.s_aud[i], "net") == 0)
            ASSERT_MEM_EQ(s.s_ids[i], ns.n_log[0], HASH_LEN);
    /* the evidence verifies */
    ASSERT_OK(home_open(&h, f.f_fr, HOME_STORE));
    ASSERT_OK(app_verify(&h, NULL, NULL, &v, &err));
    home_close(&h);
    ASSERT_EQ(v.vo_evidence, 1);
    ASSERT_EQ(v.vo_bad_evidence, 0);
    ASSERT_EQ(v.vo_ok, 1);
}

/* ---- log ------------------------------------------------------------ */

static void
log_walks_every_log_and_entry(void)
{
    struct fix f;
    struct seen s;
    struct app_log_visit v = {seen_log, seen_entry, &s};
    struct app_err err;
    struct cli_out o;
    char id[65];
    struct home h;

    fix_init(&f, "ops-log");
    walk(f.f_de, &s);
    ASSERT_EQ(s.s_logs, 3);
    ASSERT_EQ(s.s_entries, 6);
    ASSERT_EQ(s.s_erased, 0);
    ASSERT(seen_has(&s, "net") && seen_has(&s, "ms") && seen_has(&s, "DE+FR"));
    /* an erased payload: the entry stays, marked erased */
    ASSERT_EQ(cli_run(&o, "-C", f.f_de, "observe", "--category", "routes",
                      "--summary", "to erase", (char *)NULL),
              0);
    memcpy(id, o.co_out, 64);
    id[64] = 0;
    cli_out_free(&o);
    RUN_OK("-C", f.f_de, "erase", id);
    walk(f.f_de, &s);
    ASSERT_EQ(s.s_entries, 8);
    ASSERT_EQ(s.s_erased, 1);
    /* a callback's code stops the walk and is the result */
    memset(&s, 0, sizeof(s));
    s.s_stop_at = 2;
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    ASSERT_ERR(app_log(&h, &v, &err), ILONET_EBUSY);
    ASSERT_EQ(s.s_logs, 2);
    ASSERT_STR_EQ(err.ae_msg, "busy: resource busy");
    home_close(&h);
}

static void
log_fails_on_an_unreadable_store(void)
{
    struct fix f;
    struct seen s;
    struct app_log_visit v = {seen_log, seen_entry, &s};
    struct app_err err;
    struct home h;

    fix_init(&f, "ops-log-bad");
    memset(&s, 0, sizeof(s));
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    sql(f.f_de, "DROP TABLE logs");
    ASSERT_ERR(app_log(&h, &v, &err), ILONET_EIO);
    ASSERT_EQ(s.s_logs, 0);
    ASSERT_STR_EQ(err.ae_msg, "io: input/output error");
    home_close(&h);
}

/* ---- verify --------------------------------------------------------- */

struct problems {
    int p_entries, p_evidence;
    int p_code;
};

static void
problem(void *arg, const struct app_verify_problem *p)
{
    struct problems *ps = arg;

    if (p->vp_evidence)
        ps->p_evidence++;
    else
        ps->p_entries++;
    ps->p_code = p->vp_code;
}

static void
verify_home(const char *home, struct problems *ps, struct app_verify_out *v)
{
    struct app_err err;
    struct home h;

    memset(ps, 0, sizeof(*ps));
    ASSERT_OK(home_open(&h, home, HOME_STORE));
    ASSERT_OK(app_verify(&h, problem, ps, v, &err));
    home_close(&h);
}

static void
verify_clean_store_holds(void)
{
    struct fix f;
    struct problems ps;
    struct app_verify_out v;

    fix_init(&f, "ops-verify");
    verify_home(f.f_de, &ps, &v);
    ASSERT_EQ(v.vo_checked, 6);
    ASSERT_EQ(v.vo_bad, 0);
    ASSERT_EQ(v.vo_evidence, 0);
    ASSERT_EQ(v.vo_bad_evidence, 0);
    ASSERT_EQ(v.vo_view_ok, 1);
    ASSERT_EQ(v.vo_ok, 1);
    ASSERT_EQ(ps.p_entries + ps.p_evidence, 0);
}

static void
verify_detects_a_corrupted_entry(void)
{
    struct fix f;
    struct problems ps;
    struct app_verify_out v;

    fix_init(&f, "ops-verify-entry");
    /* body: the id, then the signature (schema v5) */
    sql(f.f_de,
        "UPDATE entries SET body = CAST(substr(body, 1, 32) ||"
        " zeroblob(64) AS BLOB) WHERE k = (SELECT max(k) FROM entries)");
    verify_home(f.f_de, &ps, &v);
    ASSERT_EQ(v.vo_checked, 6);
    ASSERT_EQ(v.vo_bad, 1);
    ASSERT_EQ(v.vo_ok, 0);
    ASSERT_EQ(ps.p_entries, 1);
    ASSERT_EQ(ps.p_evidence, 0);
    ASSERT(ps.p_code < 0);
}

static void
verify_detects_bad_evidence(void)
{
    struct fix f;
    struct problems ps;
    struct app_verify_out v;
    struct app_import_out r;
    struct app_err err;
    char f1[800], f2[800];

    fix_init(&f, "ops-verify-evidence");
    fork_files(&f, f1, f2, sizeof(f1));
    ASSERT_OK(import_file(f.f_fr, f1, NULL, &r, &err));
    ASSERT_OK(import_file(f.f_fr, f2, NULL, &r, &err));
    ASSERT_EQ(r.io_forks, 1);
    sql(f.f_fr, "UPDATE evidence SET sig_b = zeroblob(64)");
    verify_home(f.f_fr, &ps, &v);
    ASSERT_EQ(v.vo_evidence, 1);
    ASSERT_EQ(v.vo_bad_evidence, 1);
    ASSERT_EQ(v.vo_bad, 0);
    ASSERT_EQ(v.vo_ok, 0);
    ASSERT_EQ(ps.p_evidence, 1);
    ASSERT_EQ(ps.p_code, ILONET_EBADSIG);
    /* two copies of one entry are no fork */
    sql(f.f_fr, "UPDATE evidence SET hdr_b = hdr_a, sig_b = sig_a");
    verify_home(f.f_fr, &ps, &v);
    ASSERT_EQ(v.vo_bad_evidence, 1);
}

static void
verify_detects_a_view_mismatch_and_repairs_nothing(void)
{
    struct fix f;
    struct problems ps;
    struct app_verify_out v;

    fix_init(&f, "ops-verify-view");
    sql(f.f_de, "DELETE FROM v_rec WHERE rowid = (SELECT max(rowid) FROM "
                "v_rec)");
    verify_home(f.f_de, &ps, &v);
    ASSERT_EQ(v.vo_bad, 0);
    ASSERT_EQ(v.vo_view_ok, 0);
    ASSERT_EQ(v.vo_ok, 0);
    ASSERT_EQ(ps.p_entries + ps.p_evidence, 0);
    /* the rebuild was rolled back: the mismatch is still there */
    verify_home(f.f_de, &ps, &v);
    ASSERT_EQ(v.vo_view_ok, 0);
}

static void
verify_fails_when_evidence_cannot_be_read(void)
{
    struct fix f;
    struct app_verify_out v = {0};
    struct app_err err;
    struct home h;

    fix_init(&f, "ops-verify-io");
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    sql(f.f_de, "DROP TABLE evidence");
    v.vo_checked = 77;
    ASSERT_ERR(app_verify(&h, NULL, NULL, &v, &err), ILONET_EIO);
    ASSERT_STR_EQ(err.ae_msg, "evidence: io: input/output error");
    ASSERT_EQ(v.vo_checked, 77);
    home_close(&h);
}

/* ---- restore -------------------------------------------------------- */

static void
restore_marks_refuses_writes_and_clears(void)
{
    struct fix f;
    struct app_err err;
    struct cli_out o;
    struct home h;
    int restored = -1;

    fix_init(&f, "ops-restore");
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    ASSERT_OK(app_restore(&h, 0, &restored, &err));
    ASSERT_EQ(restored, 1);
    home_close(&h);
    ASSERT_EQ(cli_run(&o, "-C", f.f_de, "observe", "--category", "routes",
                      "--summary", "x", (char *)NULL),
              1);
    ASSERT(strstr(o.co_err, "self-behind") != NULL);
    cli_out_free(&o);
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    ASSERT_OK(app_restore(&h, 1, &restored, &err));
    ASSERT_EQ(restored, 0);
    /* clearing twice is no error */
    ASSERT_OK(app_restore(&h, 1, &restored, &err));
    ASSERT_EQ(restored, 0);
    home_close(&h);
    RUN_OK("-C", f.f_de, "observe", "--category", "routes", "--summary", "x");
}

static void
restore_fails_when_the_store_cannot_be_written(void)
{
    struct fix f;
    struct app_err err;
    struct home h;
    int restored = -1;

    fix_init(&f, "ops-restore-io");
    ASSERT_OK(home_open(&h, f.f_de, HOME_STORE));
    sql(f.f_de, "DROP TABLE meta");
    ASSERT_ERR(app_restore(&h, 0, &restored, &err), ILONET_EIO);
    ASSERT_EQ(restored, -1);
    ASSERT_STR_EQ(err.ae_msg, "io: input/output error");
    home_close(&h);
}

TEST_LIST = {
    TEST(export_all_and_for_a_state),
    TEST(export_refuses_bad_input),
    TEST(import_stores_then_counts_duplicates),
    TEST(import_skips_and_names_foreign_audiences),
    TEST(import_in_bulk_builds_the_list_indexes_once),
    TEST(import_forged_byte_stores_nothing),
    TEST(import_forgery_after_skips_names_them_and_stores_nothing),
    TEST(import_refuses_missing_file),
    TEST(import_fork_stores_evidence_and_names_the_log),
    TEST(log_walks_every_log_and_entry),
    TEST(log_fails_on_an_unreadable_store),
    TEST(verify_clean_store_holds),
    TEST(verify_detects_a_corrupted_entry),
    TEST(verify_detects_bad_evidence),
    TEST(verify_detects_a_view_mismatch_and_repairs_nothing),
    TEST(verify_fails_when_evidence_cannot_be_read),
    TEST(restore_marks_refuses_writes_and_clears),
    TEST(restore_fails_when_the_store_cannot_be_written),
};
TEST_MAIN()
