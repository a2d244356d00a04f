/* users.h - officers' accounts of a node home: passwords, user tokens, "last
 * seen" marks. */
#ifndef ILONET_USERS_H
#define ILONET_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

/*
 * The officers of a post sign in to the node's web page with a name and a
 * password; scripts use a per-officer token. Accounts are kept in the
 * file USERS_FILE of the node home (mode 0600, refused when others may
 * read it), not in the store: they belong to this workstation, never
 * replicate, and a backup of the store carries no password hash.
 *
 * File: a first line "ilonet-users 1", then one line per officer:
 * NAME TAB PWHASH TAB TOKENHASH TAB CREATED_MS, where PWHASH is
 * libsodium's crypto_pwhash_str() (argon2id, interactive limits) and
 * TOKENHASH the hex BLAKE2b-256 (context USERS_CTX_TOKEN) of the user's
 * token, or "-" for none: the token itself is shown once and never stored.
 *
 * Writers (the CLI, the HTTP server) take an exclusive flock on
 * USERS_LOCK_FILE and replace the file atomically (temp file, fsync,
 * rename), so readers never see half a file and need no lock. The same
 * holds for USERS_SEEN_FILE ("ilonet-seen 1", then NAME SPACE MARK per
 * line: the officer's "last seen" mark, an opaque text of the desk; the
 * bootstrap token's mark is under the name USERS_BOOTSTRAP).
 *
 * Functions are thread-safe (no shared state; the files serialise
 * writers) and return 0 or a negative ilonet code: ILONET_EINVAL (a name
 * or password out of bounds), ILONET_EEXIST, ILONET_ENOTFOUND,
 * ILONET_EPERM (a file readable by others), ILONET_EMALFORMED (a file
 * that does not parse), ILONET_ETOOBIG (USERS_MAX accounts), ILONET_EIO,
 * ILONET_ENOMEM, ILONET_EUNAUTHORISED (a wrong password or token).
 */

#define USERS_FILE "http.users"
#define USERS_SEEN_FILE "http.seen"
#define USERS_LOCK_FILE "http.users.lock"
#define USERS_CTX_TOKEN "ilonet/user-token/v1"
#define USERS_BOOTSTRAP "*"
#define USERS_MAX 256
#define USERS_NAME_MAX 32
#define USERS_PW_MIN 10
#define USERS_PW_MAX 1024
#define USERS_PWHASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define USERS_TOKEN_HEX 64
/* "NAME.HEX": a user token as sent in Authorization: Bearer. */
#define USERS_TOKEN_MAX (USERS_NAME_MAX + 1 + USERS_TOKEN_HEX)
#define USERS_MARK_MAX 4096

struct users_entry {
    char ue_name[USERS_NAME_MAX + 1];
    char ue_pwhash[USERS_PWHASH_MAX];
    int ue_has_token;
    uint8_t ue_token_hash[HASH_LEN];
    uint64_t ue_created_ms;
};

struct users {
    size_t us_n;
    struct users_entry us_v[USERS_MAX];
};

/* 1 if name is 1..USERS_NAME_MAX characters a-z 0-9 _ -, starting with a
 * letter. */
int users_name_valid(const char *name);

/* Reads the home's accounts into *out (the caller's, about 50 KiB): none
 * when the file does not exist. */
int users_load(const char *home_dir, struct users *out);

/* Where the file stands (inode, size, modification time in ns), so a
 * reader can tell it changed; all zero when it does not exist. */
struct users_stamp {
    uint64_t st_ino, st_size, st_mtime_ns;
};
int users_stamp(const char *home_dir, struct users_stamp *out);

/* Adds an officer with password (USERS_PW_MIN..USERS_PW_MAX bytes),
 * hashed with argon2id (takes about a tenth of a second and 64 MiB). */
int users_add(const char *home_dir, const char *name, const char *password,
              uint64_t now_ms);
/* Removes an officer (and the "last seen" mark). */
int users_remove(const char *home_dir, const char *name);
/* Makes a new user token for name, replacing the old one: out receives
 * "NAME.HEX" (USERS_TOKEN_MAX + 1 bytes), shown once. */
int users_token_new(const char *home_dir, const char *name,
                    char out[static USERS_TOKEN_MAX + 1]);
/* Revokes name's user token (none: 0 as well). */
int users_token_revoke(const char *home_dir, const char *name);

/* The account called name in us, or NULL. */
const struct users_entry *users_find(const struct users *us, const char *name);
/* Checks password against u's hash (slow, as users_add): 0 or
 * ILONET_EUNAUTHORISED. */
int users_check_password(const struct users_entry *u, const char *password);
/* The account whose token is token ("NAME.HEX"), compared in constant
 * time: 0 and *out, or ILONET_EUNAUTHORISED. */
int users_check_token(const struct users *us, const char *token,
                      const struct users_entry **out);

/* The "last seen" mark of name (USERS_BOOTSTRAP for the bootstrap token)
 * into out (cap bytes): ILONET_ENOTFOUND when none is stored. */
int users_seen_get(const char *home_dir, const char *name, char *out,
                   size_t cap);
/* Stores name's mark (printable ASCII without spaces, at most
 * USERS_MARK_MAX bytes). */
int users_seen_set(const char *home_dir, const char *name, const char *mark);

#endif
