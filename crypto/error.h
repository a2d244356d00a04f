/* error.h - the one closed error enum shared by every ilonet module. */
#ifndef ILONET_ERROR_H
#define ILONET_ERROR_H

/*
 * Every ilonet function that can fail returns int: 0 on success or one of
 * these negative codes. Codes are stable: they appear in audit lines, in
 * `--json` output and in tests, so never renumber or rename one; append new
 * codes at the end. Foreign codes (SQLite, NNG, libuv, libsodium) are
 * translated at the module edge into one of these.
 */
enum ilonet_err {
    ILONET_OK = 0,
    ILONET_EBADSIG = -1,        /* a signature does not verify */
    ILONET_ECHAIN = -2,         /* previous-entry hash does not link */
    ILONET_ESEQ = -3,           /* sequence number gap or repeat */
    ILONET_ENONCANON = -4,      /* encoding is not the canonical one */
    ILONET_ETOOBIG = -5,        /* a size or count is over its bound */
    ILONET_ETOODEEP = -6,       /* nesting is over its bound */
    ILONET_EMALFORMED = -7,     /* bytes do not parse as the format */
    ILONET_EUNKNOWNAUTHOR = -8, /* author has no valid certificate */
    ILONET_EREVOKED = -9,       /* key or grant was revoked */
    ILONET_EDELEGATION = -10,   /* on-behalf entry without a valid grant */
    ILONET_EFUTURE = -11,       /* timestamp too far in the future */
    ILONET_EFORK = -12,         /* two valid entries at one (log, seq) */
    ILONET_EAUDIENCE = -13,     /* not a member of the log's audience */
    ILONET_ESELFBEHIND = -14,   /* own log behind a peer's copy: no append */
    ILONET_EIO = -15,           /* file, database or socket I/O failed */
    ILONET_ENOMEM = -16,        /* allocation failed */
    ILONET_EINVAL = -17,        /* invalid argument or value */
    ILONET_ENOTFOUND = -18,     /* no such file, entry, record or key */
    ILONET_EEXPIRED = -19,      /* certificate or grant outside validity */
    ILONET_ENETWORK = -20,      /* belongs to another network */
    ILONET_EKIND = -21,         /* unknown entry kind or version */
    ILONET_EPERM = -22,         /* permission: key file mode, read-only */
    ILONET_EEXIST = -23,        /* already exists */
    ILONET_EHANDSHAKE = -24,    /* peer failed the secret handshake */
    ILONET_ECLOSED = -25,       /* connection or object closed */
    ILONET_ETIMEOUT = -26,      /* deadline passed */
    ILONET_EFROZEN = -27,       /* log frozen by fork evidence */
    ILONET_EUNAUTHORISED = -28, /* author may not change this record */
    ILONET_EPROTO = -29,        /* peer broke the sync protocol */
    ILONET_EBUSY = -30,         /* resource busy (database locked) */
    ILONET_EQUOTA = -31,        /* this node's storage quota is used up */
    ILONET_EHASH = -32,         /* bytes do not match their hash */
};

#define ILONET_ERR_COUNT 33

/* Short stable name of a code, e.g. "bad-signature". Never NULL. */
const char *ilonet_errname(int err);

/* One-line human description of a code. Never NULL. */
const char *ilonet_strerror(int err);

#endif
