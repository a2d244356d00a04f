/* app_record.c - creating and changing records; the shared write steps. */
#include "app_int.h"

#include <string.h>

#include "crypto/error.h"
#include "storage/log.h"

/* ---- shared write steps ------------------------------------------------- */

void
app__field(struct app_err *err, const char *name)
{
    snprintf(err->ae_field, sizeof(err->ae_field), "%s", name ? name : "");
}

int
app__set(struct record_builder *b, const char *name, const char *text,
         struct app_err *err)
{
    if (record_set(b, name, text) == 0)
        return 0;
    app_fail(err, ILONET_EINVAL, "%s", b->rb_err);
    app__field(err, name);
    return ILONET_EINVAL;
}

int
app__build(struct record_builder *b, struct wire_buf *wb, struct app_err *err)
{
    const char *q = b->rb_err + 7;
    int rc = record_build(b, wb);

    if (rc == 0)
        return 0;
    if (rc == ILONET_ENOMEM)
        return app_fail(err, rc, "%s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    app_fail(err, ILONET_EINVAL, "%s", b->rb_err);
    /* "field 'X': required": a missing input, not a bad one */
    if (strncmp(b->rb_err, "field '", 7) == 0 &&
        strstr(b->rb_err, "': required")) {
        size_t n = strcspn(q, "'");
        snprintf(err->ae_field, sizeof(err->ae_field), "%.*s",
                 (int)(n < 30 ? n : 30), q);
        err->ae_usage = 1;
    }
    return ILONET_EINVAL;
}

int
app__audience(const char *in, const char *dflt,
              char out[static ENTRY_AUDIENCE_MAX + 1], struct app_err *err)
{
    if (audience_normalise(in ? in : dflt, out) == 0)
        return 0;
    app_fail(err, ILONET_EINVAL,
             "field 'audience': '%s' is not net, ms or a group of state "
             "codes like DE+FR",
             in ? in : dflt);
    app__field(err, "audience");
    return ILONET_EINVAL;
}

int
app__audience_known(struct home *h, const char *aud, struct app_err *err)
{
    char st[KEY_STATE_MAX + 1];
    const char *p = aud;

    if (strcmp(aud, "net") == 0 || strcmp(aud, "ms") == 0)
        return 0;
    while (p && *p) {
        const char *plus = strchr(p, '+');
        size_t l = plus ? (size_t)(plus - p) : strlen(p);
        snprintf(st, sizeof(st), "%.*s", (int)l, p);
        if (!roster_find(&h->h_roster, st)) {
            app_fail(err, ILONET_EINVAL,
                     "field 'audience': %s is not a state of the trust "
                     "roster",
                     st);
            app__field(err, "audience");
            return ILONET_EINVAL;
        }
        p = plus ? plus + 1 : NULL;
    }
    return 0;
}

int
app__behalf(struct home *h, struct record_builder *b, const char *behalf,
            uint32_t rkind, const char *category, const char *aud,
            struct app_err *err)
{
    uint8_t gid[HASH_LEN];
    const char *me = h->h_cert.c_state;
    int rc;

    if (!behalf || strcmp(behalf, me) == 0)
        return 0;
    if (!key_state_valid(behalf)) {
        app_fail(err, ILONET_EINVAL,
                 "field 'on-behalf-of': '%s' is not a state code", behalf);
        app__field(err, "on-behalf-of");
        return ILONET_EINVAL;
    }
    if (view_grant_find(h->h_store, behalf, me, rkind, category, aud,
                        home_now_ms() << 16, gid) != 0)
        return app_fail(err, ILONET_EDELEGATION,
                        "on-behalf-of %s: no valid grant from %s to %s "
                        "covering %s%s%s in audience %s is held (ilonet "
                        "grant publish FILE)",
                        behalf, behalf, me, entry_kind_name(rkind),
                        category ? " " : "", category ? category : "", aud);
    if ((rc = app__set(b, "on-behalf-of", behalf, err)) != 0)
        return rc;
    if (record_set_id(b, "grant", gid) != 0)
        return app_fail(err, ILONET_EINVAL, "%s", b->rb_err);
    return 0;
}

int
app__find(struct home *h, const char *id, uint32_t kind,
          struct view_record_info *info, struct app_err *err)
{
    int rc = view_record_find(h->h_store, id, info);

    if (rc == 0 && kind && info->vr_kind != kind)
        rc = ILONET_ENOTFOUND;
    if (rc == ILONET_ENOTFOUND)
        return app_fail(err, rc, "%s: no such %s in the view", id,
                        kind ? entry_kind_name(kind) : "record");
    if (rc == ILONET_EINVAL)
        return app_fail(err, rc,
                        "%s: not a record id (hex, at least 6 digits, "
                        "unambiguous)",
                        id);
    if (rc != 0)
        return app_fail(err, rc, "%s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    return 0;
}

int
app__append(struct home *h, const char *aud, uint32_t kind,
            const struct wire_buf *wb, struct app_written *out,
            struct app_err *err)
{
    struct log_append_req req = {kind, wb->wb_data, wb->wb_len};
    struct log_ref ref;
    int rc;

    if (wb->wb_err)
        return app_fail(err, ILONET_ETOOBIG, "too-big: payload over %d bytes",
                        ENTRY_PAYLOAD_MAX);
    rc = log_append(h->h_store, &h->h_key, aud, &req, 1, home_now_ms(), &ref);
    if (rc == ILONET_EUNKNOWNAUTHOR)
        return app_fail(err, rc,
                        "unknown-author: no certificate installed "
                        "(ilonet cert install FILE)");
    if (rc == ILONET_EAUDIENCE)
        return app_fail(err, rc,
                        "audience: this node (%s) is not a member of "
                        "audience %s",
                        h->h_cert.c_state, aud);
    if (rc != 0)
        return app_fail(err, rc, "%s: %s", ilonet_errname(rc),
                        ilonet_strerror(rc));
    memset(out, 0, sizeof(*out));
    memcpy(out->aw_id, ref.lr_id, HASH_LEN);
    snprintf(out->aw_audience, sizeof(out->aw_audience), "%s", aud);
    return 0;
}

/* ---- creating a record ----------------------------------------------------
 */

/* The value of the first field called name, or NULL. */
static const char *
app_record_value(const struct app_record_req *req, const char *name)
{
    for (size_t i = 0; i < req->rq_nfields; i++)
        if (strcmp(req->rq_fields[i].af_name, name) == 0)
            return req->rq_fields[i].af_value;
    return NULL;
}

/* A meeting held without the Commission (operational reasons). */
static int
app_record_closed_meeting(const struct app_record_req *req)
{
    const char *excl = app_record_value(req, "commission");

    return req->rq_kind == KIND_MEETING && excl &&
           strcmp(excl, "excluded") == 0;
}

/*
 * Everything that needs no home: the fields into b (built once to check
 * them), the audience into aud unless it is a task's default (*aud_later
 * set: it depends on this node's state).
 */
static int
app_record_draft(const struct app_record_req *req, struct record_builder *b,
                 char aud[static ENTRY_AUDIENCE_MAX + 1], int *aud_later,
                 struct app_err *err)
{
    const struct record_schema *sc = record_schema(req->rq_kind);
    struct wire_buf wb;
    int rc;

    if (!sc || !sc->rs_is_record)
        return app_fail(err, ILONET_EKIND, "kind %s: not a record kind",
                        entry_kind_name(req->rq_kind));
    if (req->rq_nfields > RECORD_MAX_ITEMS)
        return app_fail(err, ILONET_EINVAL, "more than %d fields",
                        RECORD_MAX_ITEMS);
    if (record_builder_init(b, req->rq_kind) != 0)
        return app_fail(err, ILONET_EKIND, "%s", b->rb_err);
    /* internal fields first: named even when another field is bad */
    for (size_t i = 0; i < req->rq_nfields; i++) {
        const char *name = req->rq_fields[i].af_name;
        const struct record_field *f = record_field(sc, name);
        if (f && (f->rf_flags & RF_INTERNAL)) {
            app_fail(err, ILONET_EINVAL,
                     "field '%s': set by ilonet, not an option", name);
            app__field(err, name);
            return ILONET_EINVAL;
        }
    }
    for (size_t i = 0; i < req->rq_nfields; i++)
        if ((rc = app__set(b, req->rq_fields[i].af_name,
                           req->rq_fields[i].af_value, err)) != 0)
            return rc;
    *aud_later = req->rq_kind == KIND_TASK && !req->rq_audience;
    if (!*aud_later &&
        (rc = app__audience(req->rq_audience,
                            app_record_closed_meeting(req) ? "ms" : "net", aud,
                            err)) != 0)
        return rc;
    if (app_record_closed_meeting(req) &&
        (audience_admits(aud, "EU", ROLE_COMMISSION) ||
         audience_admits(aud, "FRONTEX", ROLE_AGENCY))) {
        app_fail(err, ILONET_EINVAL,
                 "field 'audience': a meeting without the Commission cannot "
                 "be in audience %s (use ms or a group of Member States)",
                 aud);
        app__field(err, "audience");
        return ILONET_EINVAL;
    }
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    rc = app__build(b, &wb, err);
    if (rc == 0 && wb.wb_err)
        rc = app_fail(err, ILONET_ETOOBIG, "too-big: payload over %d bytes",
                      ENTRY_PAYLOAD_MAX);
    wire_buf_free(&wb);
    return rc;
}

int
app_record_check(const struct app_record_req *req, struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1];
    struct record_builder b;
    int later;

    return app_record_draft(req, &b, aud, &later, err);
}

int
app_record_create(struct home *h, const struct app_record_req *req,
                  struct app_written *out, struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1];
    const char *me = h->h_cert.c_state, *for_list;
    struct record_builder b;
    struct wire_buf wb;
    int rc, later;

    if ((rc = app_record_draft(req, &b, aud, &later, err)) != 0)
        return rc;
    for_list = app_record_value(req, "for");
    if (later && app__task_audience(me, req->rq_behalf, for_list, aud) != 0) {
        app_fail(err, ILONET_EINVAL,
                 "field 'for': %s does not make a group of 2 to 16 states "
                 "with %s",
                 for_list ? for_list : "", me);
        app__field(err, "for");
        return ILONET_EINVAL;
    }
    if ((rc = app__audience_known(h, aud, err)) != 0 ||
        (rc = app__behalf(h, &b, req->rq_behalf, req->rq_kind,
                          app_record_value(req, "category"), aud, err)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if ((rc = app__build(&b, &wb, err)) == 0)
        rc = app__append(h, aud, req->rq_kind, &wb, out, err);
    wire_buf_free(&wb);
    return rc;
}

/* ---- amending, retracting, erasing ----------------------------------------
 */

int
app_change_check(const struct app_change_req *req, struct app_err *err)
{
    struct record_builder b;
    const char *what = entry_kind_name(req->cq_kind);

    if (req->cq_kind != KIND_AMEND && req->cq_kind != KIND_RETRACT &&
        req->cq_kind != KIND_ERASE)
        return app_fail(err, ILONET_EKIND, "kind %s: not a change of a record",
                        what);
    if (!req->cq_id)
        return app_fail(err, ILONET_EINVAL, "record id missing");
    if (req->cq_kind != KIND_AMEND && req->cq_nfields) {
        app_fail(err, ILONET_EINVAL, "field '%s': unknown field for %s",
                 req->cq_fields[0].af_name, what);
        app__field(err, req->cq_fields[0].af_name);
        return ILONET_EINVAL;
    }
    if (req->cq_kind == KIND_AMEND && req->cq_nfields == 0) {
        app_fail(err, ILONET_EINVAL, "no field to amend");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if (req->cq_kind == KIND_AMEND && req->cq_nfields > RECORD_MAX_ITEMS)
        return app_fail(err, ILONET_EINVAL, "more than %d fields",
                        RECORD_MAX_ITEMS);
    if (req->cq_kind == KIND_AMEND && req->cq_reason) {
        app_fail(err, ILONET_EINVAL, "field 'reason': unknown field for %s",
                 what);
        app__field(err, "reason");
        return ILONET_EINVAL;
    }
    if (req->cq_kind != KIND_AMEND && req->cq_reason) {
        record_builder_init(&b, req->cq_kind);
        return app__set(&b, "reason", req->cq_reason, err);
    }
    return 0;
}

/* Who may change info: this node's state directly (an erasure: also the
 * state that wrote it), or for the owner under its grant. */
static int
app_change_auth(struct home *h, struct record_builder *b,
                const struct view_record_info *info, int erase,
                struct app_err *err)
{
    const char *me = h->h_cert.c_state;

    if (strcmp(me, info->vr_owner) == 0)
        return 0;
    if (erase && strcmp(me, info->vr_author_state) == 0)
        return 0;
    return app__behalf(h, b, info->vr_owner, info->vr_kind,
                       info->vr_category[0] ? info->vr_category : NULL,
                       info->vr_audience, err);
}

int
app_record_change(struct home *h, const struct app_change_req *req,
                  struct app_written *out, struct app_err *err)
{
    struct view_record_info info;
    struct record_builder b, fb;
    struct wire_buf wb, fw;
    uint32_t kind = req->cq_kind;
    int rc;

    if ((rc = app_change_check(req, err)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_buf_init(&fw, ENTRY_PAYLOAD_MAX);
    if ((rc = app__find(h, req->cq_id, req->cq_record_kind, &info, err)) != 0)
        goto out;
    if (strcmp(info.vr_status, "erased") == 0 && kind != KIND_ERASE) {
        rc = app_fail(err, ILONET_EINVAL, "%s: the record is erased",
                      req->cq_id);
        err->ae_conflict = 1;
        goto out;
    }
    if (kind == KIND_AMEND) {
        if (record_builder_init_amend(&fb, info.vr_kind) != 0) {
            rc = app_fail(err, ILONET_EKIND, "%s", fb.rb_err);
            goto out;
        }
        for (size_t i = 0; i < req->cq_nfields; i++)
            if ((rc = app__set(&fb, req->cq_fields[i].af_name,
                               req->cq_fields[i].af_value, err)) != 0)
                goto out;
        if ((rc = app__build(&fb, &fw, err)) != 0)
            goto out;
    }
    record_builder_init(&b, kind);
    if (record_set_id(&b, "record", info.vr_id) != 0 ||
        (kind == KIND_AMEND &&
         record_set_raw(&b, "fields", fw.wb_data, fw.wb_len) != 0)) {
        rc = app_fail(err, ILONET_EINVAL, "%s", b.rb_err);
        goto out;
    }
    if ((req->cq_reason &&
         (rc = app__set(&b, "reason", req->cq_reason, err)) != 0) ||
        (rc = app_change_auth(h, &b, &info, kind == KIND_ERASE, err)) != 0 ||
        (rc = app__build(&b, &wb, err)) != 0 ||
        (rc = app__append(h, info.vr_audience, kind, &wb, out, err)) != 0)
        goto out;
    /* The payload rows were overwritten in the append's transaction
     * (secure delete); truncating the WAL drops the old page images that
     * still hold the bytes. Another process on the store defers it. */
    if (kind == KIND_ERASE)
        store_wal_truncate(h->h_store, &out->aw_deferred);
    /* the erased payloads held the keys of the record's blobs: their
     * bytes go now (a failure leaves them for the next collection) */
    if (kind == KIND_ERASE)
        (void)app__blob_gc(h);
out:
    wire_buf_free(&fw);
    wire_buf_free(&wb);
    return rc;
}
