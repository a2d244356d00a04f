/* cmd_record.c - `ilonet amend|retract|erase` and `meeting|training|carrier|
 * contact|posting add`, plus the helpers every record-writing command uses. */
#include <stdlib.h>
#include <string.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"
#include "storage/log.h"
#include "storage/store_int.h"

/* ---- shared helpers ------------------------------------------------------ */

int
rec_args(const char *cmd, int argc, char **argv, const char *const *own,
         const char **own_vals, struct rec_args *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq, *val;
        char name[64];
        size_t nl;
        int k = -1;

        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (out->ra_npos == REC_MAX_POS)
                return cmd_usage(cmd, "unexpected argument: %s", a);
            out->ra_pos[out->ra_npos++] = a;
            continue;
        }
        eq = strchr(a, '=');
        nl = eq ? (size_t)(eq - a) : strlen(a);
        if (nl >= sizeof(name))
            return cmd_usage(cmd, "option too long: %.40s...", a);
        memcpy(name, a, nl);
        name[nl] = '\0';
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc)
                return cmd_usage(cmd, "%s needs a value", name);
            val = argv[++i];
        }
        for (int j = 0; own && own[j]; j++)
            if (strcmp(own[j], name) == 0)
                k = j;
        if (k >= 0) {
            if (own_vals[k])
                return cmd_usage(cmd, "%s given twice", name);
            own_vals[k] = val;
            continue;
        }
        if (out->ra_nfields == REC_MAX_FIELDS)
            return cmd_usage(cmd, "too many options");
        snprintf(out->ra_namebuf[out->ra_nfields],
                 sizeof(out->ra_namebuf[0]), "%s", name + 2);
        out->ra_name[out->ra_nfields] = out->ra_namebuf[out->ra_nfields];
        out->ra_value[out->ra_nfields++] = val;
    }
    return 0;
}

int
rec_set_fields(const char *cmd, struct record_builder *b,
               const struct rec_args *a)
{
    for (int i = 0; i < a->ra_nfields; i++)
        if (record_set(b, a->ra_name[i], a->ra_value[i]) != 0)
            return cmd_fail(cmd, "%s", b->rb_err);
    return 0;
}

int
rec_build(const char *cmd, struct record_builder *b, struct wire_buf *wb)
{
    if (record_build(b, wb) == 0)
        return 0;
    if (strstr(b->rb_err, "': required") &&
        strncmp(b->rb_err, "field '", 7) == 0) {
        char opt[40];
        const char *q = b->rb_err + 7;
        size_t n = strcspn(q, "'");
        snprintf(opt, sizeof(opt), "%.*s", (int)(n < 30 ? n : 30), q);
        return cmd_usage(cmd, "--%s is required", opt);
    }
    return cmd_fail(cmd, "%s", b->rb_err);
}

int
rec_audience(const char *cmd, const char *in, const char *dflt,
             char out[static ENTRY_AUDIENCE_MAX + 1])
{
    if (audience_normalise(in ? in : dflt, out) != 0)
        return cmd_fail(cmd,
                        "field 'audience': '%s' is not net, ms or a group "
                        "of state codes like DE+FR",
                        in ? in : dflt);
    return 0;
}

int
rec_audience_known(const char *cmd, struct home *h, const char *aud)
{
    char st[KEY_STATE_MAX + 1];
    const char *p = aud;

    if (strcmp(aud, "net") == 0 || strcmp(aud, "ms") == 0)
        return 0;
    while (p && *p) {
        const char *plus = strchr(p, '+');
        size_t l = plus ? (size_t)(plus - p) : strlen(p);
        snprintf(st, sizeof(st), "%.*s", (int)l, p);
        if (!roster_find(&h->h_roster, st))
            return cmd_fail(cmd,
                            "field 'audience': %s is not a state of the "
                            "trust roster",
                            st);
        p = plus ? plus + 1 : NULL;
    }
    return 0;
}

int
rec_behalf(const char *cmd, struct home *h, struct record_builder *b,
           const char *behalf, uint32_t rkind, const char *category,
           const char *audience)
{
    uint8_t gid[HASH_LEN];
    const char *me = h->h_cert.c_state;

    if (!behalf || strcmp(behalf, me) == 0)
        return 0;
    if (!key_state_valid(behalf))
        return cmd_fail(cmd, "field 'on-behalf-of': '%s' is not a state code",
                        behalf);
    if (view_grant_find(h->h_store, behalf, me, rkind, category, audience,
                        home_now_ms() << 16, gid) != 0)
        return cmd_fail(cmd,
                        "on-behalf-of %s: no valid grant from %s to %s "
                        "covering %s%s%s in audience %s is held (ilonet "
                        "grant publish FILE)",
                        behalf, behalf, me, entry_kind_name(rkind),
                        category ? " " : "", category ? category : "",
                        audience);
    if (record_set(b, "on-behalf-of", behalf) != 0 ||
        record_set_id(b, "grant", gid) != 0)
        return cmd_fail(cmd, "%s", b->rb_err);
    return 0;
}

int
rec_append(struct cmd_env *env, const char *cmd, struct home *h,
           const char *audience, uint32_t kind, struct wire_buf *wb)
{
    struct log_append_req req = {kind, wb->wb_data, wb->wb_len};
    struct log_ref ref;
    char hex[2 * HASH_LEN + 1];
    int rc;

    if (wb->wb_err)
        return cmd_fail(cmd, "too-big: payload over %d bytes",
                        ENTRY_PAYLOAD_MAX);
    rc = log_append(h->h_store, &h->h_key, audience, &req, 1, home_now_ms(),
                    &ref);
    if (rc == ILONET_EUNKNOWNAUTHOR)
        return cmd_fail(cmd, "unknown-author: no certificate installed "
                             "(ilonet cert install FILE)");
    if (rc == ILONET_EAUDIENCE)
        return cmd_fail(cmd,
                        "audience: this node (%s) is not a member of "
                        "audience %s",
                        h->h_cert.c_state, audience);
    if (rc != 0)
        return cmd_fail_err(cmd, rc);
    hash_hex(ref.lr_id, HASH_LEN, hex);
    if (env->json)
        printf("{\"id\":\"%s\",\"audience\":\"%s\"}\n", hex, audience);
    else
        printf("%s\n", hex);
    return 0;
}

static const char *
rec_field_value(const struct rec_args *a, const char *name)
{
    for (int i = 0; i < a->ra_nfields; i++)
        if (strcmp(a->ra_name[i], name) == 0)
            return a->ra_value[i];
    return NULL;
}

int
rec_create(struct cmd_env *env, const char *cmd, uint32_t kind,
           const char *usage, int argc, char **argv)
{
    static const char *const own[] = {"--audience", "--on-behalf-of", NULL};
    const char *vals[2] = {NULL, NULL};
    char aud[ENTRY_AUDIENCE_MAX + 1];
    const char *dflt = "net", *excl;
    struct record_builder b;
    struct rec_args a;
    struct wire_buf wb;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, usage))
        return 0;
    if ((rc = rec_args(cmd, argc, argv, own, vals, &a)) != 0)
        return rc;
    if (a.ra_npos)
        return cmd_usage(cmd, "unexpected argument: %s", a.ra_pos[0]);
    if ((rc = record_builder_init(&b, kind)) != 0)
        return cmd_fail(cmd, "%s", b.rb_err);
    for (int i = 0; i < a.ra_nfields; i++) {
        const struct record_field *f = record_field(b.rb_schema,
                                                    a.ra_name[i]);
        if (f && (f->rf_flags & RF_INTERNAL))
            return cmd_fail(cmd, "field '%s': set by ilonet, not an option",
                            a.ra_name[i]);
    }
    if ((rc = rec_set_fields(cmd, &b, &a)) != 0)
        return rc;
    excl = rec_field_value(&a, "commission");
    if (kind == KIND_MEETING && excl && strcmp(excl, "excluded") == 0)
        dflt = "ms"; /* held without the Commission: Member States only */
    if ((rc = rec_audience(cmd, vals[0], dflt, aud)) != 0)
        return rc;
    if (kind == KIND_MEETING && excl && strcmp(excl, "excluded") == 0 &&
        (audience_admits(aud, "EU", ROLE_COMMISSION) ||
         audience_admits(aud, "FRONTEX", ROLE_AGENCY)))
        return cmd_fail(cmd,
                        "field 'audience': a meeting without the Commission "
                        "cannot be in audience %s (use ms or a group of "
                        "Member States)",
                        aud);
    /* Check every field before touching the store: nothing is written
     * when any is wrong. */
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    rc = rec_build(cmd, &b, &wb);
    wire_buf_free(&wb);
    if (rc != 0)
        return rc;
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    if ((rc = rec_audience_known(cmd, &h, aud)) == 0 &&
        (rc = rec_behalf(cmd, &h, &b, vals[1], kind,
                         rec_field_value(&a, "category"), aud)) == 0 &&
        (rc = rec_build(cmd, &b, &wb)) == 0)
        rc = rec_append(env, cmd, &h, aud, kind, &wb);
    wire_buf_free(&wb);
    home_close(&h);
    return rc;
}

/* ---- amend, retract, erase ------------------------------------------- */

static const char amend_usage[] =
    "usage: ilonet [-C DIR] amend ID --FIELD VALUE [--FIELD VALUE]...\n\n"
    "Amends fields of the record ID (full hex id or a unique prefix of at\n"
    "least 6 digits): last writer wins per field, ordered by (timestamp,\n"
    "author key, entry id). FIELD is any option of the command that created\n"
    "the record (e.g. --summary, --detail, --figure); an empty VALUE clears\n"
    "an optional field. Only the owning state, or a state holding its grant,\n"
    "may amend: when this node writes for the owner, the grant is found and\n"
    "named automatically. Prints the new entry id.\n";

static const char retract_usage[] =
    "usage: ilonet [-C DIR] retract ID [--reason TEXT]\n\n"
    "Retracts the record ID with a tombstone (a retraction wins over any\n"
    "concurrent amendment). Owning state or its representative only.\n"
    "Prints the new entry id.\n";

static const char erase_usage[] =
    "usage: ilonet [-C DIR] erase ID [--reason TEXT]\n\n"
    "Erases the payload of record ID and of its amendments on every node\n"
    "that syncs the erasure (GDPR): the bytes are overwritten (secure\n"
    "delete, WAL checkpointed) while the signed headers and the chain still\n"
    "verify; the view shows the record as erased. The owning state, the\n"
    "state that wrote it, or a representative may erase. Prints the entry\n"
    "id.\n";

/* Resolves ID in the view and prints why not. */
static int
rec_find(const char *cmd, struct home *h, const char *id,
         struct view_record_info *info)
{
    int rc = view_record_find(h->h_store, id, info);

    if (rc == ILONET_ENOTFOUND)
        return cmd_fail(cmd, "%s: no such record in the view", id);
    if (rc == ILONET_EINVAL)
        return cmd_fail(cmd, "%s: not a record id (hex, at least 6 digits, "
                             "unambiguous)",
                        id);
    if (rc != 0)
        return cmd_fail_err(cmd, rc);
    return 0;
}

/* Who may change info: this node's state directly, or for the owner under
 * a grant. */
static int
rec_change_auth(const char *cmd, struct home *h, struct record_builder *b,
                const struct view_record_info *info, int erase)
{
    const char *me = h->h_cert.c_state;

    if (strcmp(me, info->vr_owner) == 0)
        return 0;
    if (erase && strcmp(me, info->vr_author_state) == 0)
        return 0;
    return rec_behalf(cmd, h, b, info->vr_owner, info->vr_kind,
                      info->vr_category[0] ? info->vr_category : NULL,
                      info->vr_audience);
}

static int
rec_change(struct cmd_env *env, int argc, char **argv, uint32_t kind,
           const char *cmd, const char *usage)
{
    static const char *const own[] = {"--reason", NULL};
    const char *vals[1] = {NULL};
    struct view_record_info info;
    struct record_builder b, fb;
    struct rec_args a;
    struct wire_buf wb, fw;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, usage))
        return 0;
    if ((rc = rec_args(cmd, argc, argv, kind == KIND_AMEND ? NULL : own,
                       vals, &a)) != 0)
        return rc;
    if (a.ra_npos != 1)
        return cmd_usage(cmd, a.ra_npos ? "one record ID expected"
                                        : "record ID missing");
    if (kind != KIND_AMEND && a.ra_nfields)
        return cmd_fail(cmd, "field '%s': unknown field for %s",
                        a.ra_name[0], cmd);
    if (kind == KIND_AMEND && a.ra_nfields == 0)
        return cmd_usage(cmd, "no --FIELD VALUE to amend");
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_buf_init(&fw, ENTRY_PAYLOAD_MAX);
    if ((rc = rec_find(cmd, &h, a.ra_pos[0], &info)) != 0)
        goto out;
    if (strcmp(info.vr_status, "erased") == 0 && kind != KIND_ERASE) {
        rc = cmd_fail(cmd, "%s: the record is erased", a.ra_pos[0]);
        goto out;
    }
    if (kind == KIND_AMEND) {
        if (record_builder_init_amend(&fb, info.vr_kind) != 0) {
            rc = cmd_fail(cmd, "%s", fb.rb_err);
            goto out;
        }
        if ((rc = rec_set_fields(cmd, &fb, &a)) != 0 ||
            (rc = rec_build(cmd, &fb, &fw)) != 0)
            goto out;
    }
    record_builder_init(&b, kind);
    if (record_set_id(&b, "record", info.vr_id) != 0 ||
        (kind == KIND_AMEND &&
         record_set_raw(&b, "fields", fw.wb_data, fw.wb_len) != 0) ||
        (vals[0] && record_set(&b, "reason", vals[0]) != 0)) {
        rc = cmd_fail(cmd, "%s", b.rb_err);
        goto out;
    }
    if ((rc = rec_change_auth(cmd, &h, &b, &info, kind == KIND_ERASE)) !=
            0 ||
        (rc = rec_build(cmd, &b, &wb)) != 0)
        goto out;
    rc = rec_append(env, cmd, &h, info.vr_audience, kind, &wb);
    if (rc == 0 && kind == KIND_ERASE) {
        /* The payload rows were overwritten in this transaction (secure
         * delete); fold the WAL back and truncate it so no old page image
         * keeps the bytes. */
        int r = sqlite3_wal_checkpoint_v2(store_db(h.h_store), NULL,
                                          SQLITE_CHECKPOINT_TRUNCATE, NULL,
                                          NULL);
        if (r != SQLITE_OK)
            fprintf(stderr,
                    "ilonet: erase: warning: WAL checkpoint deferred (%s); "
                    "it completes when no other process holds the store\n",
                    sqlite3_errstr(r));
    }
out:
    wire_buf_free(&fw);
    wire_buf_free(&wb);
    home_close(&h);
    return rc;
}

int
cmd_amend(struct cmd_env *env, int argc, char **argv)
{
    return rec_change(env, argc, argv, KIND_AMEND, "amend", amend_usage);
}

int
cmd_retract(struct cmd_env *env, int argc, char **argv)
{
    return rec_change(env, argc, argv, KIND_RETRACT, "retract",
                      retract_usage);
}

int
cmd_erase(struct cmd_env *env, int argc, char **argv)
{
    return rec_change(env, argc, argv, KIND_ERASE, "erase", erase_usage);
}

/* ---- the other Part I records ------------------------------------------- */

static const char meeting_usage[] =
    "usage: ilonet [-C DIR] meeting add --date YYYY-MM-DD --place TEXT\n"
    "         --convenor STATE --participants STATE,STATE...\n"
    "         --commission present|excluded [--reason TEXT] --topics TEXT\n"
    "         [--audience ms|GROUP] [--on-behalf-of STATE]\n\n"
    "A network meeting (Art. 4). A meeting held without the Commission\n"
    "(operational reasons) goes to the Member-States-only audience `ms`\n"
    "unless a group without the Commission is given. Prints the entry id.\n";

static const char training_usage[] =
    "usage: ilonet [-C DIR] training add --title TEXT\n"
    "         --type joint-course|consular-staff --date YYYY-MM-DD\n"
    "         [--place TEXT] [--organiser STATE] [--attendees N]\n"
    "         [--detail TEXT] [--audience A] [--on-behalf-of STATE]\n\n"
    "Joint training attended or a session organised for consular staff.\n"
    "Prints the entry id.\n";

static const char carrier_usage[] =
    "usage: ilonet [-C DIR] carrier add --carrier NAME --position TEXT\n"
    "         --date YYYY-MM-DD [--states STATE,...] [--detail TEXT]\n"
    "         [--audience A] [--on-behalf-of STATE]\n\n"
    "A position coordinated towards a commercial carrier. Prints the id.\n";

static const char contact_usage[] =
    "usage: ilonet [-C DIR] contact add --counterpart NAME\n"
    "         --type authority|organisation|network --date YYYY-MM-DD\n"
    "         [--place TEXT] [--summary TEXT] [--topics TEXT]\n"
    "         [--audience A] [--on-behalf-of STATE]\n\n"
    "A contact with a host-country authority, an organisation or a similar\n"
    "network. Prints the entry id.\n";

static const char posting_usage[] =
    "usage: ilonet [-C DIR] posting add --post TEXT --officers N\n"
    "         --from YYYY-MM-DD [--until YYYY-MM-DD] [--remit TEXT]\n"
    "         [--audience A] [--on-behalf-of STATE]\n\n"
    "A posting notice (Art. 3): officers posted and where. Prints the id.\n";

static int
rec_add(struct cmd_env *env, int argc, char **argv, uint32_t kind,
        const char *usage)
{
    char cmd[32];

    snprintf(cmd, sizeof(cmd), "%s add", argv[0]);
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        if (cmd_wants_help(argc, argv, usage))
            return 0;
        return cmd_usage(argv[0], "expected '%s add ...'", argv[0]);
    }
    return rec_create(env, cmd, kind, usage, argc - 1, argv + 1);
}

int
cmd_meeting(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_MEETING, meeting_usage);
}

int
cmd_training(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_TRAINING, training_usage);
}

int
cmd_carrier(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_CARRIER, carrier_usage);
}

int
cmd_contact(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_CONTACT, contact_usage);
}

int
cmd_posting(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_POSTING, posting_usage);
}
