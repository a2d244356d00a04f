/* error.c - names and messages for the ilonet error enum. */
#include "error.h"

static const struct {
    const char *name;
    const char *msg;
} ilonet__errs[ILONET_ERR_COUNT] = {
    {"ok", "success"},
    {"bad-signature", "signature does not verify"},
    {"broken-chain", "previous-entry hash does not link"},
    {"wrong-seq", "sequence number gap or repeat"},
    {"non-canonical", "encoding is not canonical"},
    {"too-big", "size or count over its bound"},
    {"too-deep", "nesting over its bound"},
    {"malformed", "malformed encoding"},
    {"unknown-author", "author has no valid certificate"},
    {"revoked", "key or grant was revoked"},
    {"bad-delegation", "no valid representation grant"},
    {"future-timestamp", "timestamp too far in the future"},
    {"fork", "two valid entries at one log position"},
    {"audience", "not a member of the log's audience"},
    {"self-behind", "own log is behind a peer's copy"},
    {"io", "input/output error"},
    {"no-memory", "out of memory"},
    {"invalid-argument", "invalid argument"},
    {"not-found", "not found"},
    {"expired", "outside its validity period"},
    {"wrong-network", "belongs to another network"},
    {"unknown-kind", "unknown kind or version"},
    {"permission", "permission denied"},
    {"exists", "already exists"},
    {"handshake", "secret handshake failed"},
    {"closed", "closed"},
    {"timeout", "deadline passed"},
    {"frozen", "log frozen by fork evidence"},
    {"unauthorised", "author may not change this record"},
    {"protocol", "peer broke the sync protocol"},
    {"busy", "resource busy"},
    {"quota", "storage quota reached"},
    {"bad-hash", "bytes do not match their hash"},
};

const char *
ilonet_errname(int err)
{
    if (err > 0 || err <= -ILONET_ERR_COUNT)
        return "unknown-error";
    return ilonet__errs[-err].name;
}

const char *
ilonet_strerror(int err)
{
    if (err > 0 || err <= -ILONET_ERR_COUNT)
        return "unknown error";
    return ilonet__errs[-err].msg;
}
