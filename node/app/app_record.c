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

/* ---- personal data (docs/REGIMES.md §5) -------------------------------- */

/* The marker a writer sets with --personal-data (a field of that name in
 * the request: the HTTP API sends it as a JSON key). */
#define APP__PD "personal-data"

/* A field of the request by name, or NULL. */
static const char *
app__value(const struct app_field *fs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fs[i].af_name, name) == 0)
            return fs[i].af_value;
    return NULL;
}

/*
 * The personal-data rule at write time, on the request's fields (before
 * the marker is dropped): --personal-data, --purpose and --retain-until
 * together or not at all; a kind without them cannot be marked; the
 * retention date within the regime's cap from today; an unmarked entry
 * whose text looks like personal data is refused with how to mark it.
 * k is the kind whose fields are given (for an amendment: the record's);
 * marked_record: the record being amended is marked (nothing to scan).
 */
static int
app__personal(const struct vocab *v, const struct vocab_kind *k,
              const struct app_field *fs, size_t n, int amend,
              int marked_record, struct app_err *err)
{
    struct vocab_item items[RECORD_MAX_ITEMS];
    const char *pd = app__value(fs, n, APP__PD);
    const char *purpose = app__value(fs, n, "purpose");
    const char *until = app__value(fs, n, "retain-until");
    char today[11];
    size_t m = 0;
    int rc;

    if (pd && *pd && strcmp(pd, "true") != 0 && strcmp(pd, "yes") != 0 &&
        strcmp(pd, "1") != 0) {
        app_fail(err, ILONET_EINVAL,
                 "field 'personal-data': '%.40s' is not true (it takes no "
                 "value)",
                 pd);
        app__field(err, APP__PD);
        return ILONET_EINVAL;
    }
    if (pd && !vocab_field(k, "purpose")) {
        app_fail(err, ILONET_EINVAL,
                 "a%s %s cannot hold personal data: leave it out",
                 strchr("aeiou", k->vk_name[0]) ? "n" : "", k->vk_name);
        app__field(err, APP__PD);
        return ILONET_EINVAL;
    }
    if (pd && amend) {
        app_fail(err, ILONET_EINVAL,
                 "field 'personal-data': a record is marked when it is "
                 "written, not by an amendment");
        app__field(err, APP__PD);
        return ILONET_EINVAL;
    }
    if (!amend && (pd || purpose || until) && (!pd || !purpose || !until)) {
        app_fail(err, ILONET_EINVAL,
                 "personal data: --personal-data --purpose TEXT "
                 "--retain-until YYYY-MM-DD go together");
        app__field(err, !pd ? APP__PD : !purpose ? "purpose" : "retain-until");
        err->ae_usage = 1;
        return ILONET_EINVAL;
    }
    if (until) {
        record_format_date(home_now_ms() / 1000, today);
        if ((rc = vocab_check_retention(v, today, until, err->ae_msg,
                                        sizeof(err->ae_msg))) != 0) {
            err->ae_code = rc;
            app__field(err, "retain-until");
            return rc;
        }
    }
    if (pd || marked_record)
        return 0;
    /* unmarked: the text must not look like personal data */
    for (size_t i = 0; i < n && m < RECORD_MAX_ITEMS; i++) {
        items[m].vi_name = fs[i].af_name;
        items[m++].vi_text = fs[i].af_value;
    }
    if ((rc = vocab_check_personal(v, k, items, m, err->ae_msg,
                                   sizeof(err->ae_msg))) != 0) {
        err->ae_code = rc;
        return rc;
    }
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
app_record_draft(const struct vocab *v, const struct app_record_req *req,
                 struct record_builder *b,
                 char aud[static ENTRY_AUDIENCE_MAX + 1], int *aud_later,
                 struct app_err *err)
{
    const struct vocab_kind *k = vocab_kind_by_code(v, req->rq_kind);
    struct wire_buf wb;
    int rc;

    if (!k || !k->vk_is_record)
        return app_fail(
            err, ILONET_EKIND, "kind %s: not a record kind%s%s",
            entry_kind_name(req->rq_kind) ? entry_kind_name(req->rq_kind) : "?",
            k ? "" : " under ", k ? "" : vocab_regime(v));
    if (req->rq_nfields > RECORD_MAX_ITEMS + 1)
        return app_fail(err, ILONET_EINVAL, "more than %d fields",
                        RECORD_MAX_ITEMS);
    if (record_builder_start(b, v, req->rq_kind) != 0)
        return app_fail(err, ILONET_EKIND, "%s", b->rb_err);
    /* internal fields first: named even when another field is bad */
    for (size_t i = 0; i < req->rq_nfields; i++) {
        const char *name = req->rq_fields[i].af_name;
        const struct vocab_field *f = vocab_field(k, name);
        if (f && (f->vf_flags & VF_INTERNAL)) {
            app_fail(err, ILONET_EINVAL,
                     "field '%s': set by ilonet, not an option", name);
            app__field(err, name);
            return ILONET_EINVAL;
        }
    }
    for (size_t i = 0; i < req->rq_nfields; i++)
        if (strcmp(req->rq_fields[i].af_name, APP__PD) != 0 &&
            (rc = app__set(b, req->rq_fields[i].af_name,
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
    /* a kind's audiences are the vocabulary's: the chair is for all */
    if (!*aud_later && k->vk_naudiences) {
        const char *cls = strchr(aud, '+') ? "group" : aud;
        size_t i = 0;

        while (i < k->vk_naudiences && strcmp(k->vk_audiences[i], cls) != 0)
            i++;
        if (i == k->vk_naudiences) {
            app_fail(err, ILONET_EINVAL,
                     "field 'audience': a%s %s is written to %s%s%s",
                     strchr("aeiou", k->vk_name[0]) ? "n" : "", k->vk_name,
                     k->vk_audiences[0], k->vk_naudiences > 1 ? " or " : "",
                     k->vk_naudiences > 1 ? k->vk_audiences[1] : "");
            app__field(err, "audience");
            return ILONET_EINVAL;
        }
    }
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    rc = app__build(b, &wb, err);
    if (rc == 0 && wb.wb_err)
        rc = app_fail(err, ILONET_ETOOBIG, "too-big: payload over %d bytes",
                      ENTRY_PAYLOAD_MAX);
    wire_buf_free(&wb);
    if (rc == 0)
        rc = app__personal(v, k, req->rq_fields, req->rq_nfields, 0, 0, err);
    return rc;
}

int
app_record_check(const struct vocab *v, const struct app_record_req *req,
                 struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1];
    struct record_builder b;
    int later;

    return app_record_draft(v, req, &b, aud, &later, err);
}

int
app_record_create(struct home *h, const struct app_record_req *req,
                  struct app_written *out, struct app_err *err)
{
    return app_record_create_as(h, req, NULL, out, err);
}

int
app_record_create_as(struct home *h, const struct app_record_req *req,
                     const char *officer, struct app_written *out,
                     struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1];
    const char *me = h->h_cert.c_state, *for_list;
    struct record_builder b;
    struct wire_buf wb;
    int rc, later;

    if ((rc = app_record_draft(h->h_vocab, req, &b, aud, &later, err)) != 0)
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
    if ((rc = app__officer(&b, officer, err)) != 0)
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
app_change_check(const struct vocab *v, const struct app_change_req *req,
                 struct app_err *err)
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
        if (record_builder_start(&b, v, req->cq_kind) != 0)
            return app_fail(err, ILONET_EKIND, "%s", b.rb_err);
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
    return app_record_change_as(h, req, NULL, out, err);
}

int
app_record_change_as(struct home *h, const struct app_change_req *req,
                     const char *officer, struct app_written *out,
                     struct app_err *err)
{
    struct view_record_info info;
    struct record_builder b, fb;
    struct wire_buf wb, fw;
    uint32_t kind = req->cq_kind;
    int rc;

    if ((rc = app_change_check(h->h_vocab, req, err)) != 0)
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
        if (record_builder_start_amend(&fb, h->h_vocab, info.vr_kind) != 0) {
            rc = app_fail(err, ILONET_EKIND, "%s", fb.rb_err);
            goto out;
        }
        for (size_t i = 0; i < req->cq_nfields; i++)
            if ((rc = app__set(&fb, req->cq_fields[i].af_name,
                               req->cq_fields[i].af_value, err)) != 0)
                goto out;
        if ((rc = app__build(&fb, &fw, err)) != 0 ||
            (rc = app__personal(
                 h->h_vocab, fb.rb_kind, req->cq_fields, req->cq_nfields, 1,
                 view_record_marked(h->h_store, info.vr_id), err)) != 0)
            goto out;
    }
    if (record_builder_start(&b, h->h_vocab, kind) != 0) {
        rc = app_fail(err, ILONET_EKIND, "%s", b.rb_err);
        goto out;
    }
    /* the amendment names the version its fields need */
    if (kind == KIND_AMEND)
        record_builder_needs(&b, fb.rb_version);
    if (record_set_id(&b, "record", info.vr_id) != 0 ||
        (kind == KIND_AMEND &&
         record_set_raw(&b, "fields", fw.wb_data, fw.wb_len) != 0)) {
        rc = app_fail(err, ILONET_EINVAL, "%s", b.rb_err);
        goto out;
    }
    if ((req->cq_reason &&
         (rc = app__set(&b, "reason", req->cq_reason, err)) != 0) ||
        (rc = app_change_auth(h, &b, &info, kind == KIND_ERASE, err)) != 0 ||
        (rc = app__officer(&b, officer, err)) != 0 ||
        (rc = app__build(&b, &wb, err)) != 0 ||
        (rc = app__append(h, info.vr_audience, kind, &wb, out, err)) != 0)
        goto out;
    /* The payload rows were overwritten in the append's transaction
     * (secure delete); truncating the WAL drops the old page images that
     * still hold the bytes. Another process on the store defers it. */
    if (kind == KIND_ERASE)
        store_wal_truncate(h->h_store, &out->aw_deferred);
out:
    wire_buf_free(&fw);
    wire_buf_free(&wb);
    return rc;
}
