/* fuzz_blob_file.c - libFuzzer harness: a stored blob file (header, sealed
 * chunks, sealed hash tree) fed any bytes, as the reader meets it on disk.
 *
 * Whatever the input: the header decoder returns a documented code and,
 * when it decodes, encoding gives back the 104 bytes; the reader opens the
 * input as the blob the header names with the seeds' key (0x42 x 32) and
 * either writes exactly bytes that hash to that id or returns a code and
 * leaves no output file. The seed corpus holds a valid file, so mutations
 * reach the stream, the tree and the id checks.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/error.h"
#include "storage/blob.h"
#include "storage/store.h"

static struct store *fz_store;
static struct blob_store *fz_blobs;
static char fz_dir[256], fz_top[64];

/* The harness's own temporary directory goes when the run ends. */
static void
fz_done(void)
{
    char out[400];

    snprintf(out, sizeof(out), "%s/out", fz_top);
    unlink(out);
    rmdir(fz_dir);
    rmdir(fz_top);
    blob_close(fz_blobs);
    store_close(fz_store);
}

static int
fz_init(void)
{
    struct blob_limits lim = {NET_BLOB_MAX_DEFAULT, (uint64_t)1 << 30};
    uint8_t net[NET_ID_LEN];
    const char *t = getenv("TMPDIR");
    char tmpl[200];

    if (fz_blobs)
        return 0;
    snprintf(tmpl, sizeof(tmpl), "%s/ilonet-fuzz-blob-XXXXXX",
             t && *t && strlen(t) < 100 ? t : "/tmp");
    if (sodium_init() < 0 || !mkdtemp(tmpl))
        return -1;
    snprintf(fz_top, sizeof(fz_top), "%s", tmpl);
    snprintf(fz_dir, sizeof(fz_dir), "%s/blobs", tmpl);
    atexit(fz_done);
    memset(net, 1, sizeof(net));
    if (store_open(":memory:", net, NULL, &fz_store) != 0 ||
        blob_open(fz_store, fz_dir, &lim, &fz_blobs) != 0)
        return -1;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t hb[BLOB_FILE_HDR_LEN], key[BLOB_KEY_LEN], id[HASH_LEN];
    char path[400], hex[2 * HASH_LEN + 1], out[400];
    struct blob_file_hdr h;
    FILE *f;
    int rc;

    if (fz_init() != 0)
        abort();
    rc = blob_file_hdr_decode(data, size, &h);
    if (rc > 0 || rc <= -ILONET_ERR_COUNT)
        abort();
    if (rc != 0)
        return 0;
    blob_file_hdr_encode(&h, hb);
    if (memcmp(hb, data, BLOB_FILE_HDR_LEN) != 0)
        abort();
    if (size > (1 << 20))
        return 0;
    hash_hex(h.bh_id, HASH_LEN, hex);
    snprintf(path, sizeof(path), "%s/%s", fz_dir, hex);
    snprintf(out, sizeof(out), "%s/out", fz_top);
    if (!(f = fopen(path, "wb")))
        abort();
    if (fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    memset(key, 0x42, sizeof(key));
    unlink(out);
    rc = blob_read_to(fz_blobs, h.bh_id, key, out, NULL, 0);
    if (rc == 0) {
        FILE *g = fopen(out, "rb");
        uint8_t *b = malloc(h.bh_size ? h.bh_size : 1);
        size_t n;

        if (!g || !b)
            abort();
        n = fread(b, 1, h.bh_size, g);
        fclose(g);
        if (n != h.bh_size || blob_hash_buf(b, n, id) != 0 ||
            memcmp(id, h.bh_id, HASH_LEN) != 0)
            abort(); /* opened bytes that are not the blob */
        free(b);
    } else {
        if (rc > 0 || rc <= -ILONET_ERR_COUNT || access(out, F_OK) == 0)
            abort(); /* a failure left an output behind */
    }
    unlink(path);
    return 0;
}
