/* http_write.c - the JSON API's writes: create, amend/retract/erase, task status. */
#include "http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crypto/error.h"
#include "node/report/report.h"
#include "storage/entry.h"
#include "storage/log.h"
#include "storage/store_int.h"
#include "storage/view/record.h"
#include "storage/view/view.h"
/* ---- writes ------------------------------------------------------------------ */

struct api_body {
    size_t ab_n;
    struct json_field ab_f[JSON_FIELDS_MAX];
    char *ab_mem;
};

static int
api_body(struct http__req *rq, struct api_body *b, struct http__resp *rs)
{
    char why[256];
    int rc;

    memset(b, 0, sizeof(*b));
    if (rq->rq_body_len == 0)
        return 0; /* no body: no fields */
    rc = json_parse_flat(rq->rq_body, rq->rq_body_len, b->ab_f,
                          JSON_FIELDS_MAX, &b->ab_n, &b->ab_mem, why,
                          sizeof(why));
    if (rc != 0) {
        http__error(rs, rc == ILONET_ENOMEM ? 503 : 400, ilonet_errname(rc),
                    "%s", why);
        return -1;
    }
    return 0;
}

/* Takes the field name out of the body (marks it consumed): its value,
 * or NULL. */
static const char *
api_take(struct api_body *b, const char *name)
{
    for (size_t i = 0; i < b->ab_n; i++)
        if (b->ab_f[i].jf_name && strcmp(b->ab_f[i].jf_name, name) == 0) {
            const char *v = b->ab_f[i].jf_null ? NULL : b->ab_f[i].jf_value;
            b->ab_f[i].jf_name = NULL;
            return v;
        }
    return NULL;
}

/* The CLI's messages for a failed append (cmd_record.c rec_append). */
static void
api_append_error(struct http__resp *rs, struct home *h, const char *aud,
                 int rc)
{
    switch (rc) {
    case ILONET_EUNKNOWNAUTHOR:
        http__error(rs, 409, "unknown-author",
                    "unknown-author: no certificate installed (ilonet cert "
                    "install FILE)");
        break;
    case ILONET_EAUDIENCE:
        http__error(rs, 403, "audience",
                    "audience: this node (%s) is not a member of audience %s",
                    h->h_cert.c_state, aud);
        break;
    case ILONET_EFROZEN:
    case ILONET_ESELFBEHIND:
        http__error(rs, 409, ilonet_errname(rc), "%s: %s",
                    ilonet_errname(rc), ilonet_strerror(rc));
        break;
    case ILONET_EBUSY:
        http__error(rs, 503, "busy", "busy: %s", ilonet_strerror(rc));
        break;
    default:
        http__error(rs, 500, ilonet_errname(rc), "%s: %s",
                    ilonet_errname(rc), ilonet_strerror(rc));
    }
}

/* Appends the built payload; 201 {"id": ..., "audience": ...}. */
static void
api_append(struct home *h, const char *aud, uint32_t kind,
           struct wire_buf *wb, struct http__resp *rs)
{
    struct log_append_req req = {kind, wb->wb_data, wb->wb_len};
    struct log_ref ref;
    char hex[2 * HASH_LEN + 1];
    int rc;

    if (wb->wb_err) {
        http__error(rs, 400, "too-big", "too-big: payload over %d bytes",
                    ENTRY_PAYLOAD_MAX);
        return;
    }
    rc = log_append(h->h_store, &h->h_key, aud, &req, 1, home_now_ms(), &ref);
    if (rc != 0) {
        api_append_error(rs, h, aud, rc);
        return;
    }
    hash_hex(ref.lr_id, HASH_LEN, hex);
    textbuf_puts(&rs->rs_body, "{\"id\":");
    json_str(&rs->rs_body, hex);
    textbuf_puts(&rs->rs_body, ",\"audience\":");
    json_str(&rs->rs_body, aud);
    textbuf_puts(&rs->rs_body, "}");
    http__ok(rs, 201);
}

/* The builder's reason as a 400. */
static void
api_field_error(struct http__resp *rs, const struct record_builder *b)
{
    http__error(rs, 400, "invalid-argument", "%s", b->rb_err);
}

/* Group audience states must be in the roster (rec_audience_known). */
static int
api_audience_known(struct home *h, const char *aud, struct http__resp *rs)
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
            http__error(rs, 400, "invalid-argument",
                        "field 'audience': %s is not a state of the trust "
                        "roster",
                        st);
            return -1;
        }
        p = plus ? plus + 1 : NULL;
    }
    return 0;
}

/* Writing for another state: finds the grant (rec_behalf). */
static int
api_behalf(struct home *h, struct record_builder *b, const char *behalf,
           uint32_t rkind, const char *category, const char *aud,
           struct http__resp *rs)
{
    uint8_t gid[HASH_LEN];
    const char *me = h->h_cert.c_state;

    if (!behalf || strcmp(behalf, me) == 0)
        return 0;
    if (!key_state_valid(behalf)) {
        http__error(rs, 400, "invalid-argument",
                    "field 'on-behalf-of': '%.20s' is not a state code",
                    behalf);
        return -1;
    }
    if (view_grant_find(h->h_store, behalf, me, rkind, category, aud,
                        home_now_ms() << 16, gid) != 0) {
        http__error(rs, 403, "bad-delegation",
                    "on-behalf-of %s: no valid grant from %s to %s covering "
                    "%s%s%s in audience %s is held (ilonet grant publish "
                    "FILE)",
                    behalf, behalf, me, entry_kind_name(rkind),
                    category ? " " : "", category ? category : "", aud);
        return -1;
    }
    if (record_set(b, "on-behalf-of", behalf) != 0 ||
        record_set_id(b, "grant", gid) != 0) {
        api_field_error(rs, b);
        return -1;
    }
    return 0;
}

/* The audience of a task: creator, writer and assignees (cmd_task.c). */
static int
api_task_audience(const char *me, const char *behalf, const char *for_list,
                  char out[static ENTRY_AUDIENCE_MAX + 1])
{
    char buf[256];

    if ((size_t)snprintf(buf, sizeof(buf), "%s%s%s+%s", me, behalf ? "+" : "",
                         behalf ? behalf : "", for_list) >= sizeof(buf))
        return ILONET_EINVAL;
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '+';
    {
        char tmp[256], *tok, *save = NULL;
        size_t off = 0;
        tmp[0] = '\0';
        for (tok = strtok_r(buf, "+", &save); tok;
             tok = strtok_r(NULL, "+", &save)) {
            char probe[40], have[260];
            snprintf(probe, sizeof(probe), "+%s+", tok);
            snprintf(have, sizeof(have), "+%s+", tmp);
            if (strstr(have, probe))
                continue;
            off += (size_t)snprintf(tmp + off, sizeof(tmp) - off, "%s%s",
                                    off ? "+" : "", tok);
            if (off >= sizeof(tmp))
                return ILONET_EINVAL;
        }
        return audience_normalise(tmp, out);
    }
}

/* POST /api/<kind>: creates a record (rec_create, task_create). */
void
http__create(struct http_server *s, const struct http__kind *k,
           struct http__req *rq, struct http__resp *rs)
{
    struct api_body body;
    struct record_builder b;
    struct wire_buf wb;
    char aud[ENTRY_AUDIENCE_MAX + 1];
    const char *audv, *behalf, *excl = NULL, *cat = NULL, *for_list = NULL;
    const char *dflt = "net";
    struct home *h = NULL;

    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        return;
    audv = api_take(&body, "audience");
    behalf = api_take(&body, "on-behalf-of");
    if (record_builder_init(&b, k->hk_kind) != 0) {
        api_field_error(rs, &b);
        goto out;
    }
    for (size_t i = 0; i < body.ab_n; i++) {
        const struct json_field *f = &body.ab_f[i];
        const struct record_field *rf;
        if (!f->jf_name || f->jf_null)
            continue; /* taken, or null: absent */
        rf = record_field(b.rb_schema, f->jf_name);
        if (rf && (rf->rf_flags & RF_INTERNAL)) {
            http__error(rs, 400, "invalid-argument",
                        "field '%.60s': set by ilonet, not an option",
                        f->jf_name);
            goto out;
        }
        if (record_set(&b, f->jf_name, f->jf_value) != 0) {
            api_field_error(rs, &b);
            goto out;
        }
        if (strcmp(f->jf_name, "commission") == 0)
            excl = f->jf_value;
        if (strcmp(f->jf_name, "category") == 0)
            cat = f->jf_value;
        if (strcmp(f->jf_name, "for") == 0)
            for_list = f->jf_value;
    }
    if (k->hk_kind == KIND_MEETING && excl && strcmp(excl, "excluded") == 0)
        dflt = "ms"; /* held without the Commission: Member States only */
    if (k->hk_kind != KIND_TASK || audv) {
        if (audience_normalise(audv ? audv : dflt, aud) != 0) {
            http__error(rs, 400, "invalid-argument",
                        "field 'audience': '%.60s' is not net, ms or a group "
                        "of state codes like DE+FR",
                        audv ? audv : dflt);
            goto out;
        }
    }
    if (k->hk_kind == KIND_MEETING && excl && strcmp(excl, "excluded") == 0 &&
        (audience_admits(aud, "EU", ROLE_COMMISSION) ||
         audience_admits(aud, "FRONTEX", ROLE_AGENCY))) {
        http__error(rs, 400, "invalid-argument",
                    "field 'audience': a meeting without the Commission "
                    "cannot be in audience %s (use ms or a group of Member "
                    "States)",
                    aud);
        goto out;
    }
    /* Every field is checked before the store is touched. */
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(&b, &wb) != 0) {
        wire_buf_free(&wb);
        api_field_error(rs, &b);
        goto out;
    }
    wire_buf_free(&wb);
    if (!(h = http__home_get(s, rs)))
        goto out;
    if (k->hk_kind == KIND_TASK && !audv &&
        api_task_audience(h->h_cert.c_state, behalf, for_list, aud) != 0) {
        http__error(rs, 400, "invalid-argument",
                    "field 'for': %.60s does not make a group of 2 to 16 "
                    "states with %s",
                    for_list ? for_list : "", h->h_cert.c_state);
        goto out;
    }
    if (api_audience_known(h, aud, rs) != 0 ||
        api_behalf(h, &b, behalf, k->hk_kind, cat, aud, rs) != 0)
        goto out;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (record_build(&b, &wb) != 0)
        api_field_error(rs, &b);
    else
        api_append(h, aud, k->hk_kind, &wb, rs);
    wire_buf_free(&wb);
out:
    http__home_put(s, h);
    free(body.ab_mem);
}

/* POST /api/<kind>/<id>/amend|retract|erase (rec_change). */
void
http__change(struct http_server *s, const struct http__kind *k, const char *id,
           uint32_t kind, struct http__req *rq, struct http__resp *rs)
{
    struct view_record_info info;
    struct record_builder b, fb;
    struct api_body body;
    struct wire_buf wb, fw;
    const char *reason = NULL, *me;
    struct home *h = NULL;
    size_t nfields = 0;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_buf_init(&fw, ENTRY_PAYLOAD_MAX);
    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        goto done;
    if (kind != KIND_AMEND)
        reason = api_take(&body, "reason");
    for (size_t i = 0; i < body.ab_n; i++) {
        if (!body.ab_f[i].jf_name)
            continue;
        if (kind != KIND_AMEND) {
            http__error(rs, 400, "invalid-argument",
                        "field '%.60s': unknown field for %s",
                        body.ab_f[i].jf_name, entry_kind_name(kind));
            goto out;
        }
        nfields++;
    }
    if (kind == KIND_AMEND && nfields == 0) {
        http__error(rs, 400, "invalid-argument",
                    "no field to amend: send {\"FIELD\": VALUE, ...}");
        goto out;
    }
    if (!(h = http__home_get(s, rs)) || http__find(h, k, id, &info, rs) != 0)
        goto out;
    if (strcmp(info.vr_status, "erased") == 0 && kind != KIND_ERASE) {
        http__error(rs, 409, "invalid-argument",
                    "%.80s: the record is erased", id);
        goto out;
    }
    if (kind == KIND_AMEND) {
        if (record_builder_init_amend(&fb, info.vr_kind) != 0) {
            api_field_error(rs, &fb);
            goto out;
        }
        for (size_t i = 0; i < body.ab_n; i++) {
            const struct json_field *f = &body.ab_f[i];
            if (record_set(&fb, f->jf_name,
                           f->jf_null ? "" : f->jf_value) != 0) {
                api_field_error(rs, &fb);
                goto out;
            }
        }
        if (record_build(&fb, &fw) != 0) {
            api_field_error(rs, &fb);
            goto out;
        }
    }
    record_builder_init(&b, kind);
    if (record_set_id(&b, "record", info.vr_id) != 0 ||
        (kind == KIND_AMEND &&
         record_set_raw(&b, "fields", fw.wb_data, fw.wb_len) != 0) ||
        (reason && record_set(&b, "reason", reason) != 0)) {
        api_field_error(rs, &b);
        goto out;
    }
    me = h->h_cert.c_state;
    if (strcmp(me, info.vr_owner) != 0 &&
        !(kind == KIND_ERASE && strcmp(me, info.vr_author_state) == 0) &&
        api_behalf(h, &b, info.vr_owner, info.vr_kind,
                   info.vr_category[0] ? info.vr_category : NULL,
                   info.vr_audience, rs) != 0)
        goto out;
    if (record_build(&b, &wb) != 0) {
        api_field_error(rs, &b);
        goto out;
    }
    api_append(h, info.vr_audience, kind, &wb, rs);
    if (rs->rs_status == 201 && kind == KIND_ERASE)
        /* Fold the WAL back so no old page image keeps the bytes; while
         * the node holds the store this may be deferred (as in the CLI). */
        sqlite3_wal_checkpoint_v2(store_db(h->h_store), NULL,
                                  SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
out:
    free(body.ab_mem);
done:
    wire_buf_free(&fw);
    wire_buf_free(&wb);
    http__home_put(s, h);
}

/* POST /api/tasks/<id>/accept|decline|start|done|cancel (task_status). */
void
http__task_status(struct http_server *s, const struct http__kind *k,
                const char *id, const char *status, struct http__req *rq,
                struct http__resp *rs)
{
    struct view_record_info info;
    struct record_builder b;
    struct api_body body;
    struct wire_buf wb;
    const char *note;
    char assignees[256] = "";
    struct home *h = NULL;

    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if (http__params_done(rq, rs) != 0 || api_body(rq, &body, rs) != 0)
        goto done;
    note = api_take(&body, "note");
    for (size_t i = 0; i < body.ab_n; i++)
        if (body.ab_f[i].jf_name) {
            http__error(rs, 400, "invalid-argument",
                        "field '%.60s': unknown field for task-status",
                        body.ab_f[i].jf_name);
            goto out;
        }
    if (!(h = http__home_get(s, rs)) || http__find(h, k, id, &info, rs) != 0)
        goto out;
    view_task_assignees(h->h_store, info.vr_id, assignees, sizeof(assignees));
    record_builder_init(&b, KIND_TASK_STATUS);
    if (record_set_id(&b, "task", info.vr_id) != 0 ||
        record_set(&b, "status", status) != 0 ||
        (note && record_set(&b, "note", note) != 0)) {
        api_field_error(rs, &b);
        goto out;
    }
    if (strcmp(status, "cancel") == 0) {
        if (strcmp(h->h_cert.c_state, info.vr_owner) != 0 &&
            api_behalf(h, &b, info.vr_owner, KIND_TASK, NULL,
                       info.vr_audience, rs) != 0)
            goto out;
    } else if (!view_list_has(assignees, h->h_cert.c_state)) {
        http__error(rs, 403, "unauthorised",
                    "%.80s: %s is not an assignee of this task (%s)", id,
                    h->h_cert.c_state, assignees);
        goto out;
    }
    if (record_build(&b, &wb) != 0)
        api_field_error(rs, &b);
    else
        api_append(h, info.vr_audience, KIND_TASK_STATUS, &wb, rs);
out:
    free(body.ab_mem);
done:
    wire_buf_free(&wb);
    http__home_put(s, h);
}
