/* bundle.c - export and import of signed log ranges through a file. */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "batch.h"
#include "crypto/error.h"
#include "store_int.h"

#define BUNDLE__FRAME_ENTRIES 2048
#define BUNDLE__FRAME_BYTES (256 * 1024)

static int
bundle__write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ILONET_EIO;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static void
bundle__be32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

int
bundle_export(struct store *s, const char *path, bundle_filter filter,
              void *arg, uint64_t *logs, uint64_t *entries)
{
    struct log_head *heads = NULL;
    struct wire_buf wb;
    char tmp[4096];
    size_t n = 0;
    uint64_t nl = 0, ne = 0;
    uint8_t len4[4] = {0, 0, 0, 0};
    int fd = -1, rc;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >=
        (int)sizeof(tmp))
        return ILONET_EINVAL;
    wire_buf_init(&wb, BATCH_MAX_BYTES);
    /* One read transaction: the file is a consistent snapshot. */
    if (sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        wire_buf_free(&wb);
        return ILONET_EIO;
    }
    if ((rc = log_heads(s, &heads, &n)) != 0)
        goto out;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        rc = ILONET_EIO;
        goto out;
    }
    if ((rc = bundle__write_all(fd, BUNDLE_MAGIC, 8)) != 0 ||
        (rc = bundle__write_all(fd, store_network(s), NET_ID_LEN)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = 1;

        if (filter && !filter(arg, &heads[i].lh_log))
            continue;
        nl++;
        while (seq <= heads[i].lh_seq) {
            size_t cnt = 0;

            wire_buf_reset(&wb);
            if ((rc = batch_encode(s, heads[i].lh_log.ld_id, seq,
                                   BUNDLE__FRAME_ENTRIES, BUNDLE__FRAME_BYTES,
                                   &wb, &cnt)) != 0)
                goto out;
            bundle__be32(len4, (uint32_t)wb.wb_len);
            if ((rc = bundle__write_all(fd, len4, 4)) != 0 ||
                (rc = bundle__write_all(fd, wb.wb_data, wb.wb_len)) != 0)
                goto out;
            seq += cnt;
            ne += cnt;
        }
    }
    memset(len4, 0, 4);
    if ((rc = bundle__write_all(fd, len4, 4)) != 0)
        goto out;
    if (fsync(fd) != 0) {
        rc = ILONET_EIO;
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = ILONET_EIO;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = ILONET_EIO;
        goto out;
    }
    if (logs)
        *logs = nl;
    if (entries)
        *entries = ne;
out:
    sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    free(heads);
    wire_buf_free(&wb);
    return rc;
}

static int
bundle__read_all(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : ILONET_EMALFORMED;
}

int
bundle_import(struct store *s, const char *path, uint64_t now_ms,
              bundle_skip_cb skip, bundle_fork_cb fork, void *arg,
              struct bundle_report *rep)
{
    struct bundle_report r;
    uint8_t magic[8], net[NET_ID_LEN], len4[4];
    uint8_t *buf = NULL;
    struct stat sb;
    FILE *f;
    uint64_t off = 0;
    int rc;

    memset(&r, 0, sizeof(r));
    f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
    buf = malloc(BATCH_MAX_BYTES);
    if (!buf) {
        fclose(f);
        return ILONET_ENOMEM;
    }
    if ((rc = bundle__read_all(f, magic, 8)) != 0 ||
        memcmp(magic, BUNDLE_MAGIC, 8) != 0) {
        rc = ILONET_EMALFORMED;
        goto out_nolock;
    }
    if ((rc = bundle__read_all(f, net, NET_ID_LEN)) != 0)
        goto out_nolock;
    if (memcmp(net, store_network(s), NET_ID_LEN) != 0) {
        rc = ILONET_ENETWORK;
        goto out_nolock;
    }
    off = 8 + NET_ID_LEN;
    if ((rc = store_begin(s)) != 0)
        goto out_nolock;
    /* about as many entries as the file holds small ones (a 200-byte
     * record is about 330 bytes with its header and signature) */
    if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0 &&
        (rc = store_bulk_begin(s, (uint64_t)sb.st_size / 256)) != 0)
        goto out;
    for (;;) {
        struct log_batch b;
        struct ingest_stats st;
        uint32_t len;

        r.br_err_offset = off;
        if ((rc = bundle__read_all(f, len4, 4)) != 0)
            goto out; /* truncated: no end marker */
        len = (uint32_t)len4[0] << 24 | (uint32_t)len4[1] << 16 |
              (uint32_t)len4[2] << 8 | len4[3];
        off += 4;
        if (len == 0)
            break;
        if (len > BATCH_MAX_BYTES) {
            rc = ILONET_ETOOBIG;
            goto out;
        }
        if ((rc = bundle__read_all(f, buf, len)) != 0)
            goto out;
        off += len;
        if ((rc = batch_decode(buf, len, store_network(s), &b)) != 0)
            goto out;
        rc = log_ingest(s, &b, now_ms, &st);
        if (rc == ILONET_EAUDIENCE && st.is_skipped) {
            r.br_skipped_logs++;
            if (skip)
                skip(arg, &b.b_log);
            batch_free(&b);
            continue;
        }
        if (rc != 0) {
            memcpy(r.br_err_log, b.b_log.ld_id, HASH_LEN);
            r.br_err_seq = st.is_err_seq;
            batch_free(&b);
            goto out;
        }
        if (st.is_forks && fork)
            fork(arg, &b.b_log);
        r.br_new += st.is_new;
        r.br_dup += st.is_dup;
        r.br_forks += st.is_forks;
        r.br_quarantined += st.is_quarantined;
        batch_free(&b);
    }
    /* Nothing may follow the end marker. */
    if (fgetc(f) != EOF) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    if ((rc = store_bulk_end(s)) != 0)
        goto out;
    rc = store_commit(s);
    goto out_nolock;
out:
    store_rollback(s);
    r.br_new = 0;
out_nolock:
    if (rc != 0 && !r.br_err)
        r.br_err = rc;
    if (rep)
        *rep = r;
    free(buf);
    fclose(f);
    return rc;
}
