/* app_blob.c - attachments: attach a file to a record, get a blob back, list
 * the blobs. */
#include "app_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/error.h"
#include "storage/blob.h"

/* ---- the home's blob store ---------------------------------------------- */

static int
app_blob_open(struct home *h, struct blob_store **bs, struct app_err *err)
{
    char dir[HOME_PATH_MAX];
    int rc;

    if (!h->h_store)
        return app_fail(err, ILONET_EINVAL, "the home's store is not open");
    if (home_path(h, "blobs", dir) != 0)
        return app_fail(err, ILONET_EINVAL, "%s: path too long", h->h_dir);
    rc = home_blob_open(h, bs);
    if (rc == ILONET_EPERM)
        return app_fail(err, rc,
                        "%s: permission: group or others may enter it "
                        "(chmod 700 %s)",
                        dir, dir);
    if (rc != 0)
        return app_fail(err, rc, "%s: %s: %s", dir, ilonet_errname(rc),
                        ilonet_strerror(rc));
    return 0;
}

int
app__blob_gc(struct home *h)
{
    return home_blob_gc(h);
}

static const char *
app_blob_state_name(enum blob_state st)
{
    switch (st) {
    case BLOB_HELD: return "held";
    case BLOB_STAGED: return "staged";
    default: return "wanted";
    }
}

static void
app_blob_fill(struct app_blob *out, const struct blob_info *bi)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->ab_hash, bi->bi_id, HASH_LEN);
    out->ab_state = bi->bi_state == BLOB_HELD     ? APP_BLOB_HELD
                    : bi->bi_state == BLOB_STAGED ? APP_BLOB_STAGED
                                                  : APP_BLOB_WANTED;
    out->ab_state_name = app_blob_state_name(bi->bi_state);
    out->ab_size = bi->bi_size;
    out->ab_stored = bi->bi_stored;
    snprintf(out->ab_type, sizeof(out->ab_type), "%s", bi->bi_type);
    snprintf(out->ab_name, sizeof(out->ab_name), "%s", bi->bi_name);
    if (bi->bi_state == BLOB_STAGED)
        snprintf(out->ab_audience, sizeof(out->ab_audience), "%s",
                 bi->bi_staged);
    out->ab_nholders = bi->bi_nholders;
    for (size_t i = 0; i < bi->bi_nholders && i < BLOB_HOLDERS_MAX; i++) {
        memcpy(out->ab_holders[i].bh_record, bi->bi_holders[i].bo_record,
               HASH_LEN);
        memcpy(out->ab_holders[i].bh_entry, bi->bi_holders[i].bo_entry,
               HASH_LEN);
        snprintf(out->ab_holders[i].bh_audience,
                 sizeof(out->ab_holders[i].bh_audience), "%s",
                 bi->bi_holders[i].bo_audience);
    }
}

/* 1 if every member audience b admits is admitted by audience a: a
 * reference in b hands the blob's key to no one a leaves out. */
static int
app_blob_within(const char *b, const char *a)
{
    char st[KEY_STATE_MAX + 1];
    const char *p = b;

    if (strcmp(a, b) == 0 || strcmp(a, "net") == 0)
        return 1;
    if (strcmp(b, "net") == 0 || strcmp(b, "ms") == 0)
        return 0;
    while (p && *p) {
        const char *plus = strchr(p, '+');
        size_t l = plus ? (size_t)(plus - p) : strlen(p);

        snprintf(st, sizeof(st), "%.*s", (int)l, p);
        if (!audience_admits(a, st, cert_role_for_state(st)))
            return 0;
        p = plus ? plus + 1 : NULL;
    }
    return 1;
}

/* The audiences blob bi is held for (its references', its staging) and
 * whether aud stays within one of them. */
static int
app_blob_audience_ok(const struct blob_info *bi, const char *aud,
                     const char **held_for)
{
    *held_for = NULL;
    if (bi->bi_staged[0]) {
        *held_for = bi->bi_staged;
        if (app_blob_within(aud, bi->bi_staged))
            return 1;
    }
    for (size_t i = 0; i < bi->bi_nholders && i < BLOB_HOLDERS_MAX; i++) {
        *held_for = bi->bi_holders[i].bo_audience;
        if (app_blob_within(aud, bi->bi_holders[i].bo_audience))
            return 1;
    }
    return *held_for == NULL; /* held for no one: its key is gone */
}

/* ---- attach ----------------------------------------------------------------
 */

/* The last path component of path. */
static const char *
app_blob_base(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

int
app_attach_check(const struct app_attach_req *req, struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1];
    const char *name;
    size_t n;

    if (!req->at_path || !req->at_path[0]) {
        app_fail(err, ILONET_EINVAL, "FILE is required");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if (req->at_to) {
        n = strlen(req->at_to);
        if (n < 6 || n > 2 * HASH_LEN ||
            strspn(req->at_to, "0123456789abcdefABCDEF") != n) {
            app_fail(err, ILONET_EINVAL,
                     "to: '%.70s' is not a record id (hex, at least 6 "
                     "digits)",
                     req->at_to);
            app__field(err, "to");
            err->ae_usage = 1;
            return ILONET_EINVAL;
        }
    }
    if (req->at_audience &&
        app__audience(req->at_audience, "net", aud, err) != 0)
        return ILONET_EINVAL;
    name = req->at_name ? req->at_name : app_blob_base(req->at_path);
    if (!blob_name_valid(name, strlen(name))) {
        app_fail(err, ILONET_EINVAL,
                 "name: '%.70s' is not a file name ilonet keeps (1 to %d "
                 "bytes of text, no '/' or control characters)%s",
                 name, BLOB_NAME_MAX, req->at_name ? "" : ": give --name");
        app__field(err, "name");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    return 0;
}

/* The attachments text form (record.h RT_ATTACHMENTS) of one reference:
 * malloc'd hex of its canonical array; the caller wipes and frees it. */
static char *
app_blob_ref_text(const struct blob_ref *ref)
{
    struct wire_buf wb;
    char *hex = NULL;

    wire_buf_init(&wb, 4096);
    blob_refs_pack(&wb, ref, 1);
    if (!wb.wb_err && (hex = malloc(2 * wb.wb_len + 1)))
        hash_hex(wb.wb_data, wb.wb_len, hex);
    if (wb.wb_data)
        sodium_memzero(wb.wb_data, wb.wb_len);
    wire_buf_free(&wb);
    return hex;
}

/* Writes the amendment adding bi's blob (as name) to record to. */
static int
app_blob_reference(struct home *h, struct blob_store *bs,
                   const struct blob_info *bi, const char *name, const char *to,
                   struct app_written *out, struct app_err *err)
{
    struct app_field f = {"attachments", NULL};
    struct app_change_req req = {KIND_AMEND, 0, to, &f, 1, NULL};
    struct blob_ref ref;
    char *hex;
    int rc;

    memset(&ref, 0, sizeof(ref));
    if ((rc = blob_key(bs, bi->bi_id, ref.br_key)) != 0) {
        char hexid[2 * HASH_LEN + 1];

        hash_hex(bi->bi_id, HASH_LEN, hexid);
        if (rc == ILONET_ENOTFOUND)
            return app_fail(err, rc,
                            "blob %s: its key is no longer held here (the "
                            "records that carried it were erased)",
                            hexid);
        return app_fail(err, rc, "blob %s: %s: %s", hexid, ilonet_errname(rc),
                        ilonet_strerror(rc));
    }
    memcpy(ref.br_id, bi->bi_id, HASH_LEN);
    ref.br_size = bi->bi_size;
    snprintf(ref.br_type, sizeof(ref.br_type), "%s", bi->bi_type);
    snprintf(ref.br_name, sizeof(ref.br_name), "%s", name);
    hex = app_blob_ref_text(&ref);
    sodium_memzero(&ref, sizeof(ref));
    if (!hex)
        return app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
    f.af_value = hex;
    rc = app_record_change(h, &req, out, err);
    sodium_memzero(hex, strlen(hex));
    free(hex);
    return rc;
}

int
app_attach(struct home *h, const struct app_attach_req *req,
           struct app_attach_out *out, struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1], hexid[2 * HASH_LEN + 1], why[512];
    struct view_record_info info;
    struct blob_store *bs = NULL;
    struct blob_info *bi = NULL;
    struct app_written w;
    struct blob_put put;
    const char *held_for;
    int rc, created = 0;

    if ((rc = app_attach_check(req, err)) != 0)
        return rc;
    if (req->at_to) {
        if ((rc = app__find(h, req->at_to, 0, &info, err)) != 0)
            return rc;
        if (strcmp(info.vr_status, "erased") == 0) {
            rc = app_fail(err, ILONET_EINVAL, "%s: the record is erased",
                          req->at_to);
            err->ae_conflict = 1;
            return rc;
        }
        snprintf(aud, sizeof(aud), "%s", info.vr_audience);
        if (req->at_audience) {
            char want[ENTRY_AUDIENCE_MAX + 1];

            if ((rc = app__audience(req->at_audience, "net", want, err)) != 0)
                return rc;
            if (strcmp(want, aud) != 0) {
                app_fail(err, ILONET_EAUDIENCE,
                         "audience: record %s is in audience %s; an "
                         "attachment has its record's audience, not %s",
                         req->at_to, aud, want);
                app__field(err, "audience");
                return ILONET_EAUDIENCE;
            }
        }
    } else {
        if ((rc = app__audience(req->at_audience, "net", aud, err)) != 0 ||
            (rc = app__audience_known(h, aud, err)) != 0)
            return rc;
    }
    if (h->h_has_cert &&
        !audience_admits(aud, h->h_cert.c_state, h->h_cert.c_role))
        return app_fail(err, ILONET_EAUDIENCE,
                        "audience: this node (%s) is not a member of "
                        "audience %s",
                        h->h_cert.c_state, aud);
    if (!(bi = malloc(sizeof(*bi))))
        return app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
    if ((rc = app_blob_open(h, &bs, err)) != 0)
        goto out;
    /* what erasures left behind goes first: a file whose key is gone is
     * stored again, under a new key */
    if ((rc = blob_gc(bs, home_now_ms(), NULL)) != 0) {
        app_fail(err, rc, "blobs: %s: %s", ilonet_errname(rc),
                 ilonet_strerror(rc));
        goto out;
    }
    put.bp_path = req->at_path;
    put.bp_name = req->at_name ? req->at_name : app_blob_base(req->at_path);
    put.bp_audience = aud;
    put.bp_now_ms = home_now_ms();
    why[0] = '\0';
    if ((rc = blob_put_file(bs, &put, bi, &created, why, sizeof(why))) != 0) {
        app_fail(err, rc, "%s", why[0] ? why : ilonet_strerror(rc));
        goto out;
    }
    hash_hex(bi->bi_id, HASH_LEN, hexid);
    if (!created && !app_blob_audience_ok(bi, aud, &held_for)) {
        rc = app_fail(err, ILONET_EAUDIENCE,
                      "audience: blob %s is held for audience %s; a "
                      "reference in audience %s would give its key to "
                      "members outside it",
                      hexid, held_for, aud);
        app__field(err, "audience");
        goto out;
    }
    memset(out, 0, sizeof(*out));
    if (req->at_to) {
        rc = app_blob_reference(h, bs, bi, put.bp_name, req->at_to, &w, err);
        if (rc != 0) {
            if (created) /* nothing it stored stays behind */
                blob_unstage_drop(bs, bi->bi_id);
            goto out;
        }
        out->ao_written = 1;
        out->ao_entry = w;
        /* the entry carries the key now: the staged copy of it goes */
        if ((rc = blob_gc(bs, home_now_ms(), NULL)) != 0 ||
            (rc = blob_get_info(bs, bi->bi_id, bi)) != 0) {
            app_fail(err, rc, "blob %s: %s: %s", hexid, ilonet_errname(rc),
                     ilonet_strerror(rc));
            goto out;
        }
    }
    app_blob_fill(&out->ao_blob, bi);
    out->ao_new = created;
out:
    blob_close(bs);
    free(bi);
    return rc;
}

/* ---- get and list
 * ------------------------------------------------------------ */

int
app_blob_get_check(const struct app_blob_get *req, struct app_err *err)
{
    size_t n = req->bg_hash ? strlen(req->bg_hash) : 0;

    if (!req->bg_hash) {
        app_fail(err, ILONET_EINVAL, "HASH is required");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if (n < 8 || n > 2 * HASH_LEN ||
        strspn(req->bg_hash, "0123456789abcdefABCDEF") != n) {
        app_fail(err, ILONET_EINVAL,
                 "'%.70s' is not a blob hash (hex, at least 8 digits)",
                 req->bg_hash);
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if (!req->bg_out || !req->bg_out[0]) {
        app_fail(err, ILONET_EINVAL, "out is required");
        app__field(err, "out");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    return 0;
}

/* The blob named by hex (full or prefix) in bs. */
static int
app_blob_find(struct blob_store *bs, const char *hex, uint8_t id[HASH_LEN],
              struct app_err *err)
{
    int rc = blob_find(bs, hex, id);

    if (rc == ILONET_ENOTFOUND)
        return app_fail(err, rc,
                        "%s: no such blob (neither held here nor named by "
                        "a record held)",
                        hex);
    if (rc == ILONET_EINVAL)
        return app_fail(err, rc, "%s: matches more than one blob", hex);
    if (rc != 0)
        return app_fail(err, rc, "%s: %s: %s", hex, ilonet_errname(rc),
                        ilonet_strerror(rc));
    return 0;
}

int
app_blob_get(struct home *h, const struct app_blob_get *req,
             struct app_blob *out, struct app_err *err)
{
    uint8_t id[HASH_LEN], key[BLOB_KEY_LEN];
    char hexid[2 * HASH_LEN + 1], why[512];
    struct blob_store *bs = NULL;
    struct blob_info *bi = NULL;
    int rc;

    if ((rc = app_blob_get_check(req, err)) != 0)
        return rc;
    if (!(bi = malloc(sizeof(*bi))))
        return app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
    if ((rc = app_blob_open(h, &bs, err)) != 0)
        goto out;
    if ((rc = blob_gc(bs, home_now_ms(), NULL)) != 0) {
        app_fail(err, rc, "blobs: %s: %s", ilonet_errname(rc),
                 ilonet_strerror(rc));
        goto out;
    }
    if ((rc = app_blob_find(bs, req->bg_hash, id, err)) != 0)
        goto out;
    hash_hex(id, HASH_LEN, hexid);
    if ((rc = blob_get_info(bs, id, bi)) != 0) {
        app_fail(err, rc, "blob %s: %s: %s", hexid, ilonet_errname(rc),
                 ilonet_strerror(rc));
        goto out;
    }
    if (bi->bi_state == BLOB_WANTED) {
        /* on demand: the running node fetches it whatever its age */
        int asked = blob_demand(bs, id, home_now_ms()) == 0;

        rc = app_fail(err, ILONET_ENOTFOUND,
                      "blob %s: not held on this node yet (named by %zu "
                      "reference%s held)%s",
                      hexid, bi->bi_nholders, bi->bi_nholders == 1 ? "" : "s",
                      asked ? "; asked for: the running node fetches it "
                              "from a member that holds it, try again"
                            : "");
        goto out;
    }
    if ((rc = blob_key(bs, id, key)) != 0) {
        app_fail(err, rc, "blob %s: its key is no longer held here", hexid);
        goto out;
    }
    why[0] = '\0';
    rc = blob_read_to(bs, id, key, req->bg_out, why, sizeof(why));
    sodium_memzero(key, sizeof(key));
    if (rc != 0) {
        app_fail(err, rc, "blob %s: %s", hexid,
                 why[0] ? why : ilonet_strerror(rc));
        goto out;
    }
    app_blob_fill(out, bi);
out:
    blob_close(bs);
    free(bi);
    return rc;
}

struct app_blob_walk {
    app_blob_cb w_cb;
    void *w_arg;
    struct app_blob w_blob;
};

static int
app_blob_walk(void *arg, const struct blob_info *bi)
{
    struct app_blob_walk *w = arg;

    app_blob_fill(&w->w_blob, bi);
    return w->w_cb(w->w_arg, &w->w_blob);
}

int
app_blob_list(struct home *h, app_blob_cb cb, void *arg, struct app_err *err)
{
    struct blob_store *bs = NULL;
    struct app_blob_walk *w;
    int rc;

    if (!cb)
        return app_fail(err, ILONET_EINVAL, "no callback");
    if (!(w = malloc(sizeof(*w))))
        return app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
    w->w_cb = cb;
    w->w_arg = arg;
    if ((rc = app_blob_open(h, &bs, err)) != 0)
        goto out;
    if ((rc = blob_gc(bs, home_now_ms(), NULL)) != 0) {
        app_fail(err, rc, "blobs: %s: %s", ilonet_errname(rc),
                 ilonet_strerror(rc));
        goto out;
    }
    if ((rc = blob_list(bs, app_blob_walk, w)) != 0)
        app_fail(err, rc, "blobs: %s: %s", ilonet_errname(rc),
                 ilonet_strerror(rc));
out:
    blob_close(bs);
    free(w);
    return rc;
}

/* ---- records given files by hash ----------------------------------------- */

/* The next hash of a list "h1,h2,...": its start and length. */
static const char *
app_blob_token(const char *p, size_t *n)
{
    const char *c = strchr(p, ',');

    *n = c ? (size_t)(c - p) : strlen(p);
    return p;
}

int
app__attach_form(const struct vocab_kind *k, const char *list,
                 struct app_err *err)
{
    const char *p = list ? list : "";
    size_t count = 0, n;

    if (!k || !vocab_field(k, "attachments")) {
        app_fail(err, ILONET_EINVAL,
                 "field 'attach': a%s %s carries no files under this "
                 "vocabulary",
                 k && strchr("aeiou", k->vk_name[0]) ? "n" : "",
                 k ? k->vk_name : "record");
        app__field(err, APP_ATTACH_FIELD);
        return ILONET_EINVAL;
    }
    for (;;) {
        app_blob_token(p, &n);
        int bad = n < 8 || n > 2 * HASH_LEN ||
                  strspn(p, "0123456789abcdefABCDEF") < n;

        if (bad)
            app_fail(err, ILONET_EINVAL,
                     "field 'attach': '%.*s' is not a blob hash (hex, at "
                     "least 8 digits; several joined by ',')",
                     (int)(n < 70 ? n : 70), p);
        else if ((bad = ++count > BLOB_REFS_MAX))
            app_fail(err, ILONET_EINVAL, "field 'attach': more than %d files",
                     BLOB_REFS_MAX);
        if (bad) {
            app__field(err, APP_ATTACH_FIELD);
            err->ae_usage = 1;
            return ILONET_EINVAL;
        }
        if (!p[n])
            break;
        p += n + 1;
    }
    return 0;
}

int
app__attach_refs(struct home *h, const char *list, const char *aud, char **hex,
                 struct app_err *err)
{
    struct blob_ref refs[BLOB_REFS_MAX];
    char tok[2 * HASH_LEN + 1], hexid[2 * HASH_LEN + 1];
    struct blob_store *bs = NULL;
    struct blob_info *bi = NULL;
    const char *p = list, *held_for;
    struct wire_buf wb;
    size_t n, nrefs = 0;
    int rc;

    *hex = NULL;
    memset(refs, 0, sizeof(refs));
    wire_buf_init(&wb, 8192);
    if (!(bi = malloc(sizeof(*bi)))) {
        rc = app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
        goto out;
    }
    if ((rc = app_blob_open(h, &bs, err)) != 0)
        goto out;
    /* keys erasures left without a holder go first (their files too) */
    if ((rc = blob_gc(bs, home_now_ms(), NULL)) != 0) {
        app_fail(err, rc, "blobs: %s: %s", ilonet_errname(rc),
                 ilonet_strerror(rc));
        goto out;
    }
    for (; p; p = p[n] ? p + n + 1 : NULL) {
        struct blob_ref *r = &refs[nrefs];

        app_blob_token(p, &n);
        snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
        if ((rc = app_blob_find(bs, tok, r->br_id, err)) != 0) {
            app__field(err, APP_ATTACH_FIELD);
            goto out;
        }
        hash_hex(r->br_id, HASH_LEN, hexid);
        for (size_t j = 0; j < nrefs; j++)
            if (memcmp(refs[j].br_id, r->br_id, HASH_LEN) == 0) {
                rc = app_fail(err, ILONET_EINVAL,
                              "field 'attach': blob %s named twice", hexid);
                app__field(err, APP_ATTACH_FIELD);
                goto out;
            }
        if ((rc = blob_get_info(bs, r->br_id, bi)) != 0) {
            app_fail(err, rc, "blob %s: %s: %s", hexid, ilonet_errname(rc),
                     ilonet_strerror(rc));
            goto out;
        }
        if (bi->bi_state == BLOB_WANTED) {
            rc = app_fail(err, ILONET_ENOTFOUND,
                          "blob %s: not held on this node (a record names "
                          "it, its file is not here)",
                          hexid);
            app__field(err, APP_ATTACH_FIELD);
            goto out;
        }
        if (!app_blob_audience_ok(bi, aud, &held_for)) {
            rc = app_fail(err, ILONET_EAUDIENCE,
                          "audience: blob %s is held for audience %s; a "
                          "reference in audience %s would give its key to "
                          "members outside it",
                          hexid, held_for, aud);
            app__field(err, "audience");
            goto out;
        }
        if ((rc = blob_key(bs, r->br_id, r->br_key)) != 0) {
            app_fail(err, rc, "blob %s: its key is no longer held here", hexid);
            goto out;
        }
        r->br_size = bi->bi_size;
        snprintf(r->br_type, sizeof(r->br_type), "%s", bi->bi_type);
        snprintf(r->br_name, sizeof(r->br_name), "%s", bi->bi_name);
        nrefs++;
    }
    blob_refs_pack(&wb, refs, nrefs);
    if (wb.wb_err || !(*hex = malloc(2 * wb.wb_len + 1))) {
        rc = app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
        goto out;
    }
    hash_hex(wb.wb_data, wb.wb_len, *hex);
out:
    sodium_memzero(refs, sizeof(refs));
    if (wb.wb_data)
        sodium_memzero(wb.wb_data, wb.wb_len);
    wire_buf_free(&wb);
    blob_close(bs);
    free(bi);
    return rc;
}

/* ---- the bytes, for an adapter ------------------------------------------ */

const char *
app_blob_safe_type(const char *type)
{
    static const char *const ok[] = {"image/jpeg",      "image/png",
                                     "image/gif",       "image/webp",
                                     "application/pdf", "text/plain"};

    for (size_t i = 0; type && i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(type, ok[i]) == 0)
            return ok[i];
    return "application/octet-stream";
}

int
app_blob_read(struct home *h, const char *hash, uint8_t **data, size_t *len,
              struct app_blob *info, struct app_err *err)
{
    uint8_t id[HASH_LEN], *buf = NULL;
    char hexid[2 * HASH_LEN + 1];
    struct blob_store *bs = NULL;
    struct blob_reader *r = NULL;
    struct blob_info *bi = NULL;
    struct blob_chunk c;
    size_t off = 0;
    int rc;

    if (!hash || !data || !len || !info)
        return app_fail(err, ILONET_EINVAL, "no hash or output");
    if (!(bi = malloc(sizeof(*bi))))
        return app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
    if ((rc = app_blob_open(h, &bs, err)) != 0 ||
        (rc = app_blob_find(bs, hash, id, err)) != 0)
        goto out;
    hash_hex(id, HASH_LEN, hexid);
    if ((rc = blob_get_info(bs, id, bi)) != 0) {
        app_fail(err, rc, "blob %s: %s: %s", hexid, ilonet_errname(rc),
                 ilonet_strerror(rc));
        goto out;
    }
    if (bi->bi_state == BLOB_WANTED) {
        (void)blob_demand(bs, id, home_now_ms());
        rc = app_fail(err, ILONET_ENOTFOUND,
                      "blob %s: not held on this node yet; asked for: the "
                      "running node fetches it, try again",
                      hexid);
        goto out;
    }
    if (bi->bi_size > APP_BLOB_READ_MAX) {
        rc = app_fail(err, ILONET_ETOOBIG,
                      "blob %s: %llu bytes, over what is served here (use "
                      "ilonet blob get)",
                      hexid, (unsigned long long)bi->bi_size);
        goto out;
    }
    if ((rc = blob_reader_open(bs, id, &r)) != 0) {
        app_fail(err, rc, "blob %s: %s", hexid,
                 rc == ILONET_EHASH       ? "the stored file is damaged"
                 : rc == ILONET_ENOTFOUND ? "its key is no longer held here"
                                          : ilonet_strerror(rc));
        goto out;
    }
    if (!(buf = malloc((size_t)bi->bi_size))) {
        rc = app_fail(err, ILONET_ENOMEM, "no-memory: out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < blob_chunk_count(bi->bi_size); i++) {
        if ((rc = blob_reader_chunk(r, i, &c)) != 0) {
            app_fail(err, rc, "blob %s: chunk %u: %s", hexid, (unsigned)i,
                     ilonet_strerror(rc));
            goto out;
        }
        memcpy(buf + off, c.bc_data, c.bc_len);
        off += c.bc_len;
    }
    app_blob_fill(info, bi);
    *data = buf;
    *len = off;
    buf = NULL;
out:
    if (buf)
        sodium_memzero(buf, off); /* a partial read is dropped unseen */
    free(buf);
    blob_reader_close(r);
    blob_close(bs);
    free(bi);
    return rc;
}

/* ---- what a record carries, what the node holds ------------------------- */

int
app_record_attachments(struct home *h, const struct view_record_info *info,
                       view_attachment_cb cb, void *arg, struct app_err *err)
{
    int rc;

    if (!h->h_store || !info || !cb)
        return app_fail(err, ILONET_EINVAL, "no store, record or callback");
    rc = view_record_attachments(h->h_store, info->vr_id, cb, arg);
    if (rc < 0 && rc > -ILONET_ERR_COUNT)
        return app_fail(err, rc, "attachments: %s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    return rc; /* the callback's own non-zero return, as it is */
}

int
app_blob_counts(struct home *h, struct app_blob_counts *out,
                struct app_err *err)
{
    struct blob_counts c;
    int rc;

    if (!h->h_store || !out)
        return app_fail(err, ILONET_EINVAL, "no store open");
    if ((rc = blob_counts(h->h_store, &c)) != 0)
        return app_fail(err, rc, "blobs: %s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    out->bc_held = c.bc_held;
    out->bc_staged = c.bc_staged;
    out->bc_wanted = c.bc_wanted;
    out->bc_bytes = c.bc_bytes;
    return 0;
}

int
app_network_blob_max(struct network *n, const char *size, struct app_err *err)
{
    size_t len = size ? strspn(size, "0123456789") : 0;
    uint64_t v = 0, mul = 1;

    if (size && len > 0 && len <= 10) {
        for (size_t i = 0; i < len; i++)
            v = v * 10 + (uint64_t)(size[i] - '0');
        if (size[len] == 'K' || size[len] == 'M' || size[len] == 'G')
            mul = (uint64_t)1 << (size[len] == 'K'   ? 10
                                  : size[len] == 'M' ? 20
                                                     : 30);
        if (size[len] && (mul == 1 || size[len + 1]))
            v = 0; /* anything after the number but one suffix */
    }
    if (!n || v == 0 || v > NET_BLOB_MAX_CAP / mul) {
        app_fail(err, ILONET_EINVAL,
                 "--blob-max %.40s: a size from 1 byte to 1G (bytes, or a "
                 "number with K, M or G)",
                 size ? size : "");
        app__field(err, "blob-max");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    n->n_blob_max = v * mul;
    return 0;
}
