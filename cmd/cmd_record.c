/* cmd_record.c - `ilonet amend|retract|erase` and `meeting|training|carrier|
 * contact|posting add`, plus the helpers every record-writing command uses. */
#include <stdlib.h>
#include <string.h>

#include "cmd_record.h"
#include "cmds.h"

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
        } else if (strcmp(name, "--personal-data") == 0) {
            val = "true"; /* a flag: marks the record (app_record_check) */
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
        snprintf(out->ra_namebuf[out->ra_nfields], sizeof(out->ra_namebuf[0]),
                 "%s", name + 2);
        out->ra_fields[out->ra_nfields].af_name =
            out->ra_namebuf[out->ra_nfields];
        out->ra_fields[out->ra_nfields++].af_value = val;
    }
    return 0;
}

int
rec_fail(const char *cmd, const struct app_err *err)
{
    /* --attach's usage errors are about its form, not its absence */
    if (err->ae_usage && err->ae_field[0] &&
        strcmp(err->ae_field, APP_ATTACH_FIELD) != 0)
        return cmd_usage(cmd, "--%s is required", err->ae_field);
    if (err->ae_usage)
        return cmd_usage(cmd, "%s", err->ae_msg);
    return cmd_fail(cmd, "%s", err->ae_msg);
}

int
rec_print(const struct cmd_env *env, const struct app_written *w)
{
    if (env->json) {
        fputs("{\"id\":\"", stdout);
        cmd_print_hex(stdout, w->aw_id, HASH_LEN);
        printf("\",\"audience\":\"%s\"}\n", w->aw_audience);
    } else {
        cmd_print_hex(stdout, w->aw_id, HASH_LEN);
        putchar('\n');
    }
    return 0;
}

int
rec_create(struct cmd_env *env, const char *cmd, uint32_t kind,
           const char *usage, int argc, char **argv)
{
    static const char *const own[] = {"--audience", "--on-behalf-of", NULL};
    const char *vals[2] = {NULL, NULL};
    struct app_record_req req;
    struct app_written w;
    struct app_err e;
    struct rec_args a;
    struct vocab *v = NULL;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, usage))
        return 0;
    if ((rc = rec_args(cmd, argc, argv, own, vals, &a)) != 0)
        return rc;
    if (a.ra_npos)
        return cmd_usage(cmd, "unexpected argument: %s", a.ra_pos[0]);
    req = (struct app_record_req){kind, a.ra_fields, (size_t)a.ra_nfields,
                                  vals[0], vals[1]};
    /* Every field is checked, under the vocabulary the home's network
     * names, before the home is opened: a bad one is named even when the
     * home is unusable, and nothing is written. */
    if ((rc = cmd_home_vocab(env, cmd, &v)) != 0)
        return rc;
    rc = app_record_check(v, &req, &e);
    vocab_free(v);
    if (rc != 0)
        return rec_fail(cmd, &e);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (app_record_create(&h, &req, &w, &e) != 0)
        rc = rec_fail(cmd, &e);
    else
        rc = rec_print(env, &w);
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

static int
rec_change(struct cmd_env *env, int argc, char **argv, uint32_t kind,
           const char *cmd, const char *usage)
{
    static const char *const own[] = {"--reason", NULL};
    const char *vals[1] = {NULL};
    struct app_change_req req;
    struct app_written w;
    struct app_err e;
    struct rec_args a;
    struct vocab *v = NULL;
    struct home h;
    int rc;

    if (cmd_wants_help(argc, argv, usage))
        return 0;
    if ((rc = rec_args(cmd, argc, argv, kind == KIND_AMEND ? NULL : own, vals,
                       &a)) != 0)
        return rc;
    if (a.ra_npos != 1)
        return cmd_usage(cmd, a.ra_npos ? "one record ID expected"
                                        : "record ID missing");
    req = (struct app_change_req){
        kind, 0, a.ra_pos[0], a.ra_fields, (size_t)a.ra_nfields, vals[0]};
    if (kind == KIND_AMEND && a.ra_nfields == 0)
        return cmd_usage(cmd, "no --FIELD VALUE to amend");
    if ((rc = cmd_home_vocab(env, cmd, &v)) != 0)
        return rc;
    rc = app_change_check(v, &req, &e);
    vocab_free(v);
    if (rc != 0)
        return rec_fail(cmd, &e);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    if (app_record_change(&h, &req, &w, &e) != 0) {
        rc = rec_fail(cmd, &e);
    } else {
        rc = rec_print(env, &w);
        if (w.aw_deferred)
            fprintf(stderr,
                    "ilonet: %s: warning: WAL checkpoint deferred (%s); "
                    "it completes when no other process holds the store\n",
                    cmd, w.aw_deferred);
    }
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
    return rec_change(env, argc, argv, KIND_RETRACT, "retract", retract_usage);
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

static const char chair_usage[] =
    "usage: ilonet [-C DIR] chair add --role chair|co-chair --state CODE\n"
    "         --from YYYY-MM-DD [--until YYYY-MM-DD] [--note TEXT]\n\n"
    "Records who chairs (or co-chairs) the network from when, as its\n"
    "members chose (2019-1240 networks; under 377-2004 the Council\n"
    "presidency convenes instead). Written to the net audience; the report\n"
    "is drafted by the chair in force at the period's end. Prints the id.\n";

static const char posting_usage[] =
    "usage: ilonet [-C DIR] posting add --post TEXT --officers N\n"
    "         --from YYYY-MM-DD [--until YYYY-MM-DD] [--remit TEXT]\n"
    "         [--audience A] [--on-behalf-of STATE]\n"
    "         (2019-1240 also: --country CC --deployment D\n"
    "         [--organisation TEXT])\n\n"
    "A posting notice (Art. 3): officers posted and where. Under 2019-1240\n"
    "a deployment by a Member State, the Commission or a Union agency, in\n"
    "its own name: D is member-state-mission, host-authority,\n"
    "international-organisation or union-delegation (`ilonet vocab`).\n"
    "Prints the id.\n";

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
cmd_chair(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_CHAIR, chair_usage);
}

int
cmd_posting(struct cmd_env *env, int argc, char **argv)
{
    return rec_add(env, argc, argv, KIND_POSTING, posting_usage);
}
