/* cmd_observe.c - `ilonet observe`: record an observation (Art. 2(2)). */
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"
#include "crypto/wire.h"
#include "storage/log.h"

static const char observe_usage[] =
    "usage: ilonet [-C DIR] observe --category C --summary TEXT\n"
    "                               [--detail TEXT] [--audience net|ms|DE+FR]"
    "\n\n"
    "C is one of: flows routes modus-operandi criminal-organisations\n"
    "incidents document-fraud assistance return. Prints the new entry id.\n";

static const char *const observe_categories[] = {
    "flows",     "routes",         "modus-operandi", "criminal-organisations",
    "incidents", "document-fraud", "assistance",     "return",
};

int
cmd_observe(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    const char *cat, *summary, *detail, *aud;
    struct wire_buf wb;
    struct log_append_req req;
    struct log_ref ref;
    struct home h;
    int rc, ok = 0;

    if (cmd_wants_help(argc, argv, observe_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    cat = cmd_opt(&o, "--category");
    summary = cmd_opt(&o, "--summary");
    detail = cmd_opt(&o, "--detail");
    aud = cmd_opt(&o, "--audience");
    if ((rc = cmd_opts_done(&o, "observe")) != 0)
        return rc;
    if (!cat || !summary)
        return cmd_usage("observe", "--category and --summary are required");
    for (size_t i = 0; i < 8; i++)
        ok |= strcmp(cat, observe_categories[i]) == 0;
    if (!ok)
        return cmd_usage("observe", "--category %s: not one of flows routes "
                                    "modus-operandi criminal-organisations "
                                    "incidents document-fraud assistance "
                                    "return",
                         cat);
    char audn[ENTRY_AUDIENCE_MAX + 1];
    if (audience_normalise(aud ? aud : "net", audn) != 0)
        return cmd_usage("observe", "--audience %s: expected net, ms or a "
                                    "group like DE+FR",
                         aud);
    if ((rc = cmd_open_home(env, &h, HOME_STORE)) != 0)
        return rc;
    /* Keys in bytewise order: the canonical form. */
    wire_buf_init(&wb, ENTRY_PAYLOAD_MAX);
    wire_pack_map(&wb, detail ? 3 : 2);
    wire_pack_str(&wb, "category");
    wire_pack_str(&wb, cat);
    if (detail) {
        wire_pack_str(&wb, "detail");
        wire_pack_str(&wb, detail);
    }
    wire_pack_str(&wb, "summary");
    wire_pack_str(&wb, summary);
    if (wb.wb_err) {
        rc = cmd_fail("observe", "too-big: payload over %d bytes",
                      ENTRY_PAYLOAD_MAX);
        goto out;
    }
    req.kind = KIND_OBSERVATION;
    req.payload = wb.wb_data;
    req.len = wb.wb_len;
    rc = log_append(h.h_store, &h.h_key, audn, &req, 1, home_now_ms(), &ref);
    if (rc == ILONET_EUNKNOWNAUTHOR)
        rc = cmd_fail("observe", "unknown-author: no certificate installed "
                                 "(ilonet cert install FILE)");
    else if (rc == ILONET_EAUDIENCE)
        rc = cmd_fail("observe", "audience: this node (%s) is not a member "
                                 "of audience %s",
                      h.h_cert.c_state, audn);
    else if (rc != 0)
        rc = cmd_fail_err("observe", rc);
    else {
        cmd_print_hex(stdout, ref.lr_id, HASH_LEN);
        putchar('\n');
    }
out:
    wire_buf_free(&wb);
    home_close(&h);
    return rc;
}
