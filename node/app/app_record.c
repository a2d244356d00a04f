/* app_record.c - creating and changing records; the shared write steps. */
#include "app_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

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
            err->ae_usage = 0;
            err->ae_conflict = 0;
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
        err->ae_usage = 0;
        err->ae_conflict = 0;
        err->ae_field[0] = '\0';
        return rc;
    }
    return 0;
}

/* ---- files given by hash (APP_ATTACH_FIELD) ----------------------------- */

/*
 * The "attach" value among fs (NULL: none) into *list: given once, in its
 * form for kind k, and not beside the raw "attachments" it becomes.
 */
static int
app__attach_given(const struct vocab_kind *k, const struct app_field *fs,
                  size_t n, const char **list, struct app_err *err)
{
    const char *v = NULL;

    for (size_t i = 0; i < n; i++) {
        if (strcmp(fs[i].af_name, APP_ATTACH_FIELD) != 0)
            continue;
        if (v) {
            app_fail(err, ILONET_EINVAL,
                     "field 'attach': given twice (name several files "
                     "joined by ',')");
            app__field(err, APP_ATTACH_FIELD);
            return ILONET_EINVAL;
        }
        v = fs[i].af_value;
    }
    if (list)
        *list = v;
    if (!v)
        return 0;
    if (app__value(fs, n, "attachments")) {
        app_fail(err, ILONET_EINVAL,
                 "field 'attach': give files by hash or as attachments, "
                 "not both");
        app__field(err, APP_ATTACH_FIELD);
        return ILONET_EINVAL;
    }
    return app__attach_form(k, v, err);
}

/* Sets b's "attachments" to the blobs list names, for an entry in aud.
 * The builder keeps a pointer to the text, so *hex (malloc'd, it holds the
 * blobs' keys) must outlive record_build(): the caller frees it with
 * app__attach_free(). */
static int
app__attach_set(struct home *h, struct record_builder *b, const char *list,
                const char *aud, char **hex, struct app_err *err)
{
    int rc;

    if ((rc = app__attach_refs(h, list, aud, hex, err)) != 0)
        return rc;
    return app__set(b, "attachments", *hex, err);
}

/* Wipes and frees what app__attach_set() left in *hex (NULL: nothing). */
static void
app__attach_free(char **hex)
{
    if (*hex) {
        sodium_memzero(*hex, strlen(*hex));
        free(*hex);
        *hex = NULL;
    }
}

/* Wipes a payload that may carry blob keys, then frees it. */
static void
app__wipe_free(struct wire_buf *wb)
{
    if (wb->wb_data)
        sodium_memzero(wb->wb_data, wb->wb_len);
    wire_buf_free(wb);
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
 * The member codes of the state and states fields given (the vocabulary's
 * member table: a code no member holds, "XX", is refused naming the
 * field). Checked where the audience's states have been checked against
 * the trust roster first, whose message says more about them.
 */
static int
app_record_members(const struct vocab *v, uint32_t kind,
                   const struct app_field *fields, size_t n,
                   struct app_err *err)
{
    const struct vocab_kind *k = vocab_kind_by_code(v, kind);
    char why[APP_MSG_MAX];

    for (size_t i = 0; k && i < n; i++) {
        const struct vocab_field *f = vocab_field(k, fields[i].af_name);

        if (f && fields[i].af_value && fields[i].af_value[0] &&
            vocab_check_members(v, f, fields[i].af_value, why, sizeof(why)) !=
                0) {
            app_fail(err, ILONET_EINVAL, "%s", why);
            app__field(err, f->vf_name);
            return ILONET_EINVAL;
        }
    }
    return 0;
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
    /* "attach" first: beside "attachments" it is the pair that is wrong */
    if ((rc = app__attach_given(k, req->rq_fields, req->rq_nfields, NULL,
                                err)) != 0)
        return rc;
    for (size_t i = 0; i < req->rq_nfields; i++)
        if (strcmp(req->rq_fields[i].af_name, APP__PD) != 0 &&
            strcmp(req->rq_fields[i].af_name, APP_ATTACH_FIELD) != 0 &&
            (rc = app__set(b, req->rq_fields[i].af_name,
                           req->rq_fields[i].af_value, err)) != 0)
            return rc;
    if (app_record_value(req, "exclusion") && !app_record_closed_meeting(req)) {
        app_fail(err, ILONET_EINVAL,
                 "field 'exclusion': the category of reason for meeting "
                 "without the Commission goes with --commission excluded");
        app__field(err, "exclusion");
        return ILONET_EINVAL;
    }
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

/* ---- stubs (docs/REPORTS.md) -------------------------------------------- */

/*
 * 1 when the record about to be written in aud is restricted activity the
 * report must state (a meeting without the Commission outside net, a
 * shared task) and the vocabulary in force has stubs; else 0.
 */
static int
app_record_wants_stub(const struct vocab *v, const struct app_record_req *req,
                      const char *aud)
{
    const struct vocab_kind *k = vocab_kind_by_code(v, req->rq_kind);
    const struct vocab_kind *st = vocab_kind_by_code(v, KIND_STUB);

    if (!st || !st->vk_is_record || !k || !vocab_field(k, "stub") ||
        strcmp(aud, "net") == 0)
        return 0;
    return req->rq_kind == KIND_TASK || app_record_closed_meeting(req);
}

/*
 * Builds the stub of req (written in aud) into wb: what every member may
 * read of it. A meeting: its date, convenor and category of reason; a
 * task: the day it is written and the members of its group.
 */
static int
app_record_stub(struct home *h, const struct app_record_req *req,
                const char *aud, const char *officer, struct wire_buf *wb,
                struct app_err *err)
{
    struct record_builder b;
    char day[11], states[ENTRY_AUDIENCE_MAX + 1];
    const char *date = app_record_value(req, "date");
    int rc;

    if (record_builder_start(&b, h->h_vocab, KIND_STUB) != 0)
        return app_fail(err, ILONET_EKIND, "%s", b.rb_err);
    if (req->rq_kind == KIND_MEETING) {
        const char *why = app_record_value(req, "exclusion");
        const char *conv = app_record_value(req, "convenor");

        if ((rc = app__set(&b, "about", "meeting", err)) != 0 ||
            (rc = app__set(&b, "date", date, err)) != 0 ||
            (conv && (rc = app__set(&b, "convenor", conv, err)) != 0) ||
            (rc = app__set(&b, "reason", why ? why : "operational", err)) != 0)
            return rc;
    } else {
        /* the group's members, as a list of states */
        snprintf(states, sizeof(states), "%s", aud);
        for (char *p = states; *p; p++)
            if (*p == '+')
                *p = ',';
        record_format_date(home_now_ms() / 1000, day);
        if ((rc = app__set(&b, "about", "task", err)) != 0 ||
            (rc = app__set(&b, "date", day, err)) != 0 ||
            (rc = app__set(&b, "states", states, err)) != 0)
            return rc;
    }
    if ((rc = app__officer(&b, officer, err)) != 0)
        return rc;
    return app__build(&b, wb, err);
}

/* Writes the stub of req (net) and then the record (aud, naming the stub
 * in b) in one transaction: both or neither. */
static int
app_record_with_stub(struct home *h, const struct app_record_req *req,
                     const char *aud, const char *officer,
                     struct record_builder *b, struct app_written *out,
                     struct app_err *err)
{
    struct app_written sw, rw;
    struct wire_buf sb, wb;
    int rc;

    wire_buf_init(&sb, ENTRY_PAYLOAD_MAX);
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if ((rc = app_record_stub(h, req, aud, officer, &sb, err)) != 0)
        goto out;
    if ((rc = store_begin(h->h_store)) != 0) {
        app_fail(err, rc, "%s: %s", ilonet_errname(rc), ilonet_strerror(rc));
        goto out;
    }
    if ((rc = app__append(h, "net", KIND_STUB, &sb, &sw, err)) != 0 ||
        (record_set_id(b, "stub", sw.aw_id) != 0 &&
         (rc = app_fail(err, ILONET_EINVAL, "%s", b->rb_err)) != 0) ||
        (rc = app__build(b, &wb, err)) != 0 ||
        (rc = app__append(h, aud, req->rq_kind, &wb, &rw, err)) != 0) {
        store_rollback(h->h_store);
        goto out;
    }
    if ((rc = store_commit(h->h_store)) != 0) {
        store_rollback(h->h_store);
        app_fail(err, rc, "%s: %s", ilonet_errname(rc), ilonet_strerror(rc));
        goto out;
    }
    rw.aw_has_stub = 1;
    memcpy(rw.aw_stub, sw.aw_id, HASH_LEN);
    *out = rw;
out:
    wire_buf_free(&wb);
    wire_buf_free(&sb);
    return rc;
}

/*
 * Everything a creation does before its appends: the checks against h (the
 * audience, the grant, the officer, the attachments) and the record's
 * builder b filled, with its audience in aud. *files is the attachments
 * field given (NULL when none): after a successful append the caller
 * collects blobs (staged ones become held). *files_hex (the caller frees
 * it with app__attach_free) is what b points into: it lives until the
 * build. Shared by app_record_create_as() and app_record_create_many().
 */
static int
app_record_fill(struct home *h, const struct app_record_req *req,
                const char *officer, char aud[static ENTRY_AUDIENCE_MAX + 1],
                struct record_builder *b, const char **files, char **files_hex,
                struct app_err *err)
{
    const char *me = h->h_cert.c_state, *for_list;
    int rc, later;

    *files = NULL;
    *files_hex = NULL;
    if ((rc = app_record_draft(h->h_vocab, req, b, aud, &later, err)) != 0 ||
        (rc = app__attach_given(b->rb_kind, req->rq_fields, req->rq_nfields,
                                files, err)) != 0)
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
        (rc = app_record_members(h->h_vocab, req->rq_kind, req->rq_fields,
                                 req->rq_nfields, err)) != 0 ||
        (rc = app__behalf(h, b, req->rq_behalf, req->rq_kind,
                          app_record_value(req, "category"), aud, err)) != 0)
        return rc;
    if ((rc = app__officer(b, officer, err)) != 0)
        return rc;
    /* a meeting without the Commission names its category of reason */
    if (app_record_closed_meeting(req) &&
        vocab_field(b->rb_kind, "exclusion") &&
        !app_record_value(req, "exclusion") &&
        (rc = app__set(b, "exclusion", "operational", err)) != 0)
        return rc;
    if (*files)
        return app__attach_set(h, b, *files, aud, files_hex, err);
    return 0;
}

int
app_record_create_as(struct home *h, const struct app_record_req *req,
                     const char *officer, struct app_written *out,
                     struct app_err *err)
{
    char aud[ENTRY_AUDIENCE_MAX + 1], *files_hex = NULL;
    const char *files = NULL;
    struct record_builder b;
    struct wire_buf wb;
    int rc;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if ((rc = app_record_fill(h, req, officer, aud, &b, &files, &files_hex,
                              err)) != 0)
        goto out;
    if (app_record_wants_stub(h->h_vocab, req, aud))
        rc = app_record_with_stub(h, req, aud, officer, &b, out, err);
    else if ((rc = app__build(&b, &wb, err)) == 0)
        rc = app__append(h, aud, req->rq_kind, &wb, out, err);
out:
    app__wipe_free(&wb);
    app__attach_free(&files_hex);
    /* the entry carries the keys now: staged blobs become held */
    if (rc == 0 && files)
        (void)app__blob_gc(h);
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
    const char *files = NULL;
    char *files_hex = NULL;
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
            if (strcmp(req->cq_fields[i].af_name, APP_ATTACH_FIELD) != 0 &&
                (rc = app__set(&fb, req->cq_fields[i].af_name,
                               req->cq_fields[i].af_value, err)) != 0)
                goto out;
        if ((rc = app__attach_given(fb.rb_kind, req->cq_fields, req->cq_nfields,
                                    &files, err)) != 0 ||
            (files && (rc = app__attach_set(h, &fb, files, info.vr_audience,
                                            &files_hex, err)) != 0))
            goto out;
        if ((rc = app__build(&fb, &fw, err)) != 0 ||
            (rc = app_record_members(h->h_vocab, info.vr_kind, req->cq_fields,
                                     req->cq_nfields, err)) != 0 ||
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
    /* the erased payloads held the keys of the record's blobs: their
     * bytes go now; files given by hash: staged blobs become held (a
     * failure leaves them for the next collection) */
    if (kind == KIND_ERASE || files)
        (void)app__blob_gc(h);
out:
    app__wipe_free(&fw);
    app__wipe_free(&wb);
    app__attach_free(&files_hex);
    return rc;
}

/* ---- a group of creations in one transaction (the HTTP group commit) --- */

/* Appends the prepared items idx[0..m) (all to audience aud) with one
 * log_append(); when that refuses the whole run, each alone, so each gets
 * its own answer (app__append's). */
static void
app_record_append_run(struct home *h, const char *aud,
                      struct app_record_item *items, struct wire_buf *wbs,
                      const size_t *idx, size_t m, struct log_append_req *reqs,
                      struct log_ref *refs)
{
    int grouped = m > 1;

    for (size_t j = 0; j < m; j++) {
        reqs[j].kind = items[idx[j]].ri_req->rq_kind;
        reqs[j].payload = wbs[idx[j]].wb_data;
        reqs[j].len = wbs[idx[j]].wb_len;
        grouped = grouped && !wbs[idx[j]].wb_err;
    }
    grouped = grouped && log_append(h->h_store, &h->h_key, aud, reqs, m,
                                    home_now_ms(), refs) == 0;
    for (size_t j = 0; j < m; j++) {
        struct app_record_item *it = &items[idx[j]];
        if (!grouped) {
            it->ri_rc = app__append(h, aud, it->ri_req->rq_kind, &wbs[idx[j]],
                                    &it->ri_out, &it->ri_err);
            continue;
        }
        memset(&it->ri_out, 0, sizeof(it->ri_out));
        memcpy(it->ri_out.aw_id, refs[j].lr_id, HASH_LEN);
        snprintf(it->ri_out.aw_audience, sizeof(it->ri_out.aw_audience), "%s",
                 aud);
        it->ri_rc = 0;
    }
}

int
app_record_defer_sync(struct home *h, int on)
{
    int rc;

    if (!h || !h->h_store)
        return ILONET_EINVAL;
    if (on && (rc = store_set_temp_memory(h->h_store)) != 0)
        return rc;
    return store_set_durable(h->h_store, !on);
}

int
app_record_sync(const char *dir)
{
    char path[HOME_PATH_MAX + 16];

    if (!dir ||
        snprintf(path, sizeof(path), "%s/store.db", dir) >= (int)sizeof(path))
        return ILONET_EINVAL;
    return store_sync_path(path);
}

int
app_record_create_many(struct home *h, struct app_record_item *items, size_t n)
{
    char(*auds)[ENTRY_AUDIENCE_MAX + 1] = NULL;
    struct wire_buf *wbs = NULL;
    struct log_append_req *reqs = NULL;
    struct log_ref *refs = NULL;
    size_t *idx = NULL, written = 0;
    uint8_t *done = NULL;
    int any_files = 0;
    int rc;

    if (!h || (!items && n))
        return ILONET_EINVAL;
    if (n == 0)
        return 0;
    if (!(auds = calloc(n, sizeof(*auds))) ||
        !(wbs = calloc(n, sizeof(*wbs))) ||
        !(reqs = calloc(n, sizeof(*reqs))) ||
        !(refs = calloc(n, sizeof(*refs))) ||
        !(idx = calloc(n, sizeof(*idx))) || !(done = calloc(n, 1))) {
        rc = ILONET_ENOMEM;
        for (size_t i = 0; i < n; i++)
            items[i].ri_rc =
                app_fail(&items[i].ri_err, rc, "%s: %s: nothing was written",
                         ilonet_errname(rc), ilonet_strerror(rc));
        goto out;
    }
    /* The same checks and payload as app_record_create_as(), each write
     * on its own: one refused is answered alone. A record that needs its
     * stub (done[i] 2) is written after the group, stub first, by
     * app_record_create_as(). */
    for (size_t i = 0; i < n; i++) {
        struct app_record_item *it = &items[i];
        const char *files = NULL;
        char *files_hex = NULL;
        struct record_builder b;

        wire_buf_init(&wbs[i], ENTRY_PAYLOAD_MAX);
        it->ri_rc = app_record_fill(h, it->ri_req, it->ri_officer, auds[i], &b,
                                    &files, &files_hex, &it->ri_err);
        if (it->ri_rc == 0 &&
            app_record_wants_stub(h->h_vocab, it->ri_req, auds[i]))
            done[i] = 2;
        else if (it->ri_rc == 0)
            it->ri_rc = app__build(&b, &wbs[i], &it->ri_err);
        app__attach_free(&files_hex);
        if (it->ri_rc != 0)
            done[i] = 1;
        any_files = any_files || files;
    }
    if ((rc = store_begin(h->h_store)) != 0) {
        for (size_t i = 0; i < n; i++)
            if (done[i] != 1)
                items[i].ri_rc = app_fail(
                    &items[i].ri_err, rc,
                    "store: cannot begin a write (%s): nothing was written; "
                    "send it again",
                    ilonet_strerror(rc));
        goto out;
    }
    /* One log_append per audience (one log each), in the order the writes
     * came; log_append nests as a savepoint, so a refused run rolls back
     * alone. */
    for (size_t i = 0; i < n; i++) {
        size_t m = 0;
        if (done[i])
            continue;
        for (size_t j = i; j < n; j++)
            if (!done[j] && strcmp(auds[j], auds[i]) == 0) {
                idx[m++] = j;
                done[j] = 1;
            }
        app_record_append_run(h, auds[i], items, wbs, idx, m, reqs, refs);
        for (size_t j = 0; j < m; j++)
            written += items[idx[j]].ri_rc == 0;
    }
    /* One commit, one fsync for the group (none when the sync is
     * deferred: app_record_defer_sync): nothing may be acknowledged before
     * it is on the disk. */
    if ((rc = store_commit(h->h_store)) != 0) {
        store_rollback(h->h_store);
        for (size_t i = 0; i < n; i++)
            if (items[i].ri_rc == 0 && done[i] != 2)
                items[i].ri_rc =
                    app_fail(&items[i].ri_err, rc,
                             "store: the commit of a group of %zu writes "
                             "failed (%s): nothing of it was written; send "
                             "it again",
                             written, ilonet_strerror(rc));
    } else if (any_files && written) {
        (void)app__blob_gc(h); /* staged blobs named by the group: held */
    }
    for (size_t i = 0; i < n; i++)
        if (done[i] == 2)
            items[i].ri_rc =
                app_record_create_as(h, items[i].ri_req, items[i].ri_officer,
                                     &items[i].ri_out, &items[i].ri_err);
out:
    if (wbs)
        for (size_t i = 0; i < n; i++)
            app__wipe_free(&wbs[i]);
    free(done);
    free(idx);
    free(refs);
    free(reqs);
    free(wbs);
    free(auds);
    return rc;
}
