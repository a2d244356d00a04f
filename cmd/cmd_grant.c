/* cmd_grant.c - `ilonet grant issue|publish|revoke`: representation (Art.
 * 5(1)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd_record.h"
#include "cmds.h"
#include "crypto/error.h"

static const char grant_usage[] =
    "usage: ilonet grant issue --state-key FILE --to STATE --network FILE\n"
    "                    [--scope KINDS] [--from YYYY-MM-DD]\n"
    "                    --until YYYY-MM-DD --out FILE\n"
    "       ilonet [-C DIR] grant publish FILE [--audience net|GROUP]\n"
    "       ilonet [-C DIR] grant revoke --state-key FILE\n"
    "                    --grant ID|FILE [--network FILE]\n"
    "                    [--at YYYY-MM-DD|now] [--out FILE] [--publish]\n\n"
    "issue: the represented state's authority (its root key) lets state\n"
    "  --to write on its behalf in one network (Art. 5(1)). KINDS is a\n"
    "  comma list of record kinds (observation, meeting, training, carrier,\n"
    "  contact, posting, task) and/or observation categories (routes, ...);\n"
    "  none means every kind. Valid from --from (default now) through the\n"
    "  end of --until. Prints the grant id.\n"
    "publish: puts a grant or revocation file into the network (audience\n"
    "  net by default, so every member can check on-behalf entries).\n"
    "revoke: the same authority ends a grant from --at on (default now):\n"
    "  entries written on its behalf after that have no effect. --publish\n"
    "  also publishes it from this node. Prints the revocation id.\n";

static int
grant_issue_cmd(int argc, char **argv)
{
    const char *cmd = "grant issue";
    const char *skf, *to, *netf, *scope, *from, *until, *out;
    struct cmd_opts o;
    struct key_pair sk;
    struct network net;
    struct grant g;
    struct app_err e;
    uint8_t *buf = NULL, gid[HASH_LEN];
    size_t len;
    char hex[2 * HASH_LEN + 1];
    uint64_t now = home_now_ms() / 1000;
    int rc;

    cmd_opts_init(&o, argc, argv);
    skf = cmd_opt(&o, "--state-key");
    to = cmd_opt(&o, "--to");
    netf = cmd_opt(&o, "--network");
    scope = cmd_opt(&o, "--scope");
    from = cmd_opt(&o, "--from");
    until = cmd_opt(&o, "--until");
    out = cmd_opt(&o, "--out");
    if ((rc = cmd_opts_done(&o, cmd)) != 0)
        return rc;
    if (!skf || !to || !netf || !until || !out)
        return cmd_usage(cmd, "--state-key, --to, --network, --until and "
                              "--out are required");
    memset(&g, 0, sizeof(g));
    if (!key_state_valid(to))
        return cmd_fail(cmd, "field 'to': '%s' is not a state code", to);
    snprintf(g.g_representing, sizeof(g.g_representing), "%s", to);
    if (scope && app_grant_scope(&g, scope, &e) != 0)
        return rec_fail(cmd, &e);
    g.g_not_before = now;
    if (from && cmd_parse_date(from, &g.g_not_before) != 0)
        return cmd_fail(cmd, "field 'from': '%s' is not a date (YYYY-MM-DD)",
                        from);
    if (cmd_parse_date(until, &g.g_not_after) != 0)
        return cmd_fail(cmd,
                        "field 'until': '%s' is not a date "
                        "(YYYY-MM-DD)",
                        until);
    g.g_not_after += 86399; /* through the end of that day */
    if (g.g_not_after < g.g_not_before)
        return cmd_fail(cmd, "field 'until': %s is before the start", until);
    if ((rc = key_load(skf, &sk)) != 0)
        return cmd_fail(cmd, "%s: %s", skf, ilonet_strerror(rc));
    if (sk.kind != KEY_STATE) {
        key_wipe(&sk);
        return cmd_fail(cmd, "%s: not a state root key", skf);
    }
    if ((rc = network_load(netf, &net)) != 0) {
        key_wipe(&sk);
        return cmd_fail(cmd, "%s: %s", netf, ilonet_strerror(rc));
    }
    memcpy(g.g_network, net.n_id, NET_ID_LEN);
    sodium_memzero(&net, sizeof(net));
    snprintf(g.g_represented, sizeof(g.g_represented), "%s", sk.state);
    if (strcmp(g.g_represented, to) == 0) {
        key_wipe(&sk);
        return cmd_fail(cmd, "field 'to': a state cannot represent itself");
    }
    randombytes_buf(&g.g_serial, sizeof(g.g_serial));
    rc = grant_issue(&g, &sk, &buf, &len);
    key_wipe(&sk);
    if (rc != 0)
        return cmd_fail_err(cmd, rc);
    if ((rc = cert_write_file(out, buf, len, 0644)) != 0) {
        free(buf);
        return cmd_fail(cmd, "%s: %s", out, ilonet_strerror(rc));
    }
    cert_envelope_id(buf, len, gid);
    free(buf);
    hash_hex(gid, HASH_LEN, hex);
    printf("%s\n", hex);
    return 0;
}

static int
grant_publish_cmd(struct cmd_env *env, int argc, char **argv)
{
    const char *cmd = "grant publish", *file, *aud;
    struct app_written w;
    struct app_err e;
    struct cmd_opts o;
    struct home h;
    uint8_t *buf;
    size_t len;
    int rc;

    cmd_opts_init(&o, argc, argv);
    aud = cmd_opt(&o, "--audience");
    file = cmd_pos(&o, 0);
    if ((rc = cmd_opts_done(&o, cmd)) != 0)
        return rc;
    if (!file)
        return cmd_usage(cmd, "FILE missing");
    if ((rc = cert_read_file(file, CERT_MAX_LEN, &buf, &len)) != 0)
        return cmd_fail(cmd, "%s: %s", file, ilonet_strerror(rc));
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0) {
        free(buf);
        return rc;
    }
    if (app_envelope_publish(&h, buf, len, aud, &w, &e) != 0)
        rc = rec_fail(cmd, &e);
    else
        rc = rec_print(env, &w);
    free(buf);
    home_close(&h);
    return rc;
}

/*
 * Completes a revocation for `cmd` (cmd_record.h): the authority's side
 * (network, state root key, signature, file) is crypto only; publishing
 * it from this home is the use case app_envelope_publish.
 */
int
revocation_sign_emit(struct cmd_env *env, const char *cmd, struct home *h,
                     struct revocation *v, const char *skf, const char *netf,
                     const char *out, int publish)
{
    struct key_pair sk;
    struct network net;
    uint8_t *buf = NULL, rid[HASH_LEN];
    size_t len;
    char hex[2 * HASH_LEN + 1];
    int rc;

    if (netf) {
        if ((rc = network_load(netf, &net)) != 0)
            return cmd_fail_err(netf, rc);
        memcpy(v->v_network, net.n_id, NET_ID_LEN);
        sodium_memzero(&net, sizeof(net));
    } else {
        memcpy(v->v_network, h->h_net.n_id, NET_ID_LEN);
    }
    if ((rc = key_load(skf, &sk)) != 0)
        return cmd_fail_err(skf, rc);
    if (sk.kind != KEY_STATE) {
        key_wipe(&sk);
        return cmd_fail(skf, "not a state root key");
    }
    snprintf(v->v_state, sizeof(v->v_state), "%s", sk.state);
    randombytes_buf(&v->v_serial, sizeof(v->v_serial));
    rc = revocation_issue(v, &sk, &buf, &len);
    key_wipe(&sk);
    if (rc != 0)
        return cmd_fail_err(cmd, rc);
    if (out && (rc = cert_write_file(out, buf, len, 0644)) != 0) {
        rc = cmd_fail_err(out, rc);
        goto out;
    }
    cert_envelope_id(buf, len, rid);
    hash_hex(rid, HASH_LEN, hex);
    if (publish) {
        struct app_written w;
        struct app_err e;
        fprintf(stderr, "revocation %s\n", hex);
        if (app_envelope_publish(h, buf, len, NULL, &w, &e) != 0)
            rc = rec_fail(cmd, &e);
        else
            rc = rec_print(env, &w);
    } else {
        printf("%s\n", hex);
    }
out:
    free(buf);
    return rc;
}

static int
grant_revoke_cmd(struct cmd_env *env, int argc, char **argv)
{
    const char *cmd = "grant revoke";
    const char *skf, *gr, *netf, *at, *out;
    struct cmd_opts o;
    struct revocation v;
    struct home h;
    int rc, publish;

    cmd_opts_init(&o, argc, argv);
    skf = cmd_opt(&o, "--state-key");
    gr = cmd_opt(&o, "--grant");
    netf = cmd_opt(&o, "--network");
    at = cmd_opt(&o, "--at");
    out = cmd_opt(&o, "--out");
    publish = cmd_flag(&o, "--publish");
    if ((rc = cmd_opts_done(&o, cmd)) != 0)
        return rc;
    if (!skf || !gr || (!out && !publish))
        return cmd_usage(cmd, "--state-key, --grant and --out or --publish "
                              "are required");
    if (!netf && !publish)
        return cmd_usage(cmd, "--network is required without --publish");
    memset(&v, 0, sizeof(v));
    v.v_type = REVOKE_GRANT;
    if (hash_unhex(gr, v.v_grant, HASH_LEN) != 0) {
        uint8_t *gb;
        size_t gl;
        if ((rc = cert_read_file(gr, CERT_MAX_LEN, &gb, &gl)) != 0)
            return cmd_fail(cmd,
                            "field 'grant': %s is neither a grant id "
                            "nor a readable grant file",
                            gr);
        cert_envelope_id(gb, gl, v.v_grant);
        free(gb);
    }
    v.v_at = home_now_ms();
    if (at && strcmp(at, "now") != 0) {
        uint64_t secs;
        if (cmd_parse_date(at, &secs) != 0)
            return cmd_fail(cmd,
                            "field 'at': '%s' is not a date "
                            "(YYYY-MM-DD) or now",
                            at);
        v.v_at = secs * 1000;
    }
    memset(&h, 0, sizeof(h));
    if (publish && (rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    rc = revocation_sign_emit(env, cmd, &h, &v, skf, netf, out, publish);
    if (publish)
        home_close(&h);
    return rc;
}

int
cmd_grant(struct cmd_env *env, int argc, char **argv)
{
    if (cmd_wants_help(argc, argv, grant_usage))
        return 0;
    if (argc < 2)
        return cmd_usage("grant", "expected issue, publish or revoke");
    if (strcmp(argv[1], "issue") == 0)
        return grant_issue_cmd(argc - 1, argv + 1);
    if (strcmp(argv[1], "publish") == 0)
        return grant_publish_cmd(env, argc - 1, argv + 1);
    if (strcmp(argv[1], "revoke") == 0)
        return grant_revoke_cmd(env, argc - 1, argv + 1);
    return cmd_usage("grant", "unknown subcommand: %s", argv[1]);
}
