/* app_user.c - the officers' accounts use cases (`ilonet user`). */
#include "app_int.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"

/* The home's accounts file failed: its path and why. */
static int
app__users_fail(struct app_err *err, const char *home_dir, int rc)
{
    return app_fail(err, rc, "%s/%s: %s", home_dir, USERS_FILE,
                    rc == ILONET_EPERM ? "readable by others (chmod 600)"
                                       : ilonet_strerror(rc));
}

static int
app__user_name(const char *name, struct app_err *err)
{
    if (users_name_valid(name))
        return 0;
    app_fail(err, ILONET_EINVAL,
             "user name '%.40s': 1 to %d characters a-z 0-9 _ -, starting "
             "with a letter",
             name ? name : "", USERS_NAME_MAX);
    app__field(err, "name");
    return ILONET_EINVAL;
}

int
app_user_add(const char *home_dir, const char *name, const char *password,
             struct app_err *err)
{
    size_t pl = password ? strlen(password) : 0;
    int rc;

    if ((rc = app__user_name(name, err)) != 0)
        return rc;
    if (pl < USERS_PW_MIN || pl > USERS_PW_MAX) {
        app_fail(err, ILONET_EINVAL, "password: %d to %d bytes", USERS_PW_MIN,
                 USERS_PW_MAX);
        app__field(err, "password");
        return ILONET_EINVAL;
    }
    rc = users_add(home_dir, name, password, home_now_ms());
    if (rc == ILONET_EEXIST)
        return app_fail(err, rc, "user '%s': exists already", name);
    if (rc == ILONET_ETOOBIG)
        return app_fail(err, rc, "user '%s': at most %d accounts", name,
                        USERS_MAX);
    return rc ? app__users_fail(err, home_dir, rc) : 0;
}

int
app_user_remove(const char *home_dir, const char *name, struct app_err *err)
{
    int rc;

    if ((rc = app__user_name(name, err)) != 0)
        return rc;
    rc = users_remove(home_dir, name);
    if (rc == ILONET_ENOTFOUND)
        return app_fail(err, rc, "user '%s': no such user", name);
    return rc ? app__users_fail(err, home_dir, rc) : 0;
}

int
app_user_token(const char *home_dir, const char *name, int revoke,
               char out[static USERS_TOKEN_MAX + 1], struct app_err *err)
{
    int rc;

    if ((rc = app__user_name(name, err)) != 0)
        return rc;
    rc = revoke ? users_token_revoke(home_dir, name)
                : users_token_new(home_dir, name, out);
    if (rc == ILONET_ENOTFOUND)
        return app_fail(err, rc, "user '%s': no such user", name);
    return rc ? app__users_fail(err, home_dir, rc) : 0;
}

int
app_user_list(const char *home_dir, struct users *out, struct app_err *err)
{
    int rc = users_load(home_dir, out);

    return rc ? app__users_fail(err, home_dir, rc) : 0;
}

int
app__officer(struct record_builder *b, const char *officer, struct app_err *err)
{
    /* The payload field comes with the vocabulary (docs/API.md, "Which
     * officer acted"): an entry must carry only fields every node of its
     * vocabulary version reads, so without it the write names no one. */
    if (!officer || !b->rb_kind || !vocab_field(b->rb_kind, "officer"))
        return 0;
    return app__set(b, "officer", officer, err);
}

int
app_user_check_name(const char *name, struct app_err *err)
{
    return app__user_name(name, err);
}

int
app_user_stamp(const char *home_dir, struct users_stamp *out)
{
    return users_stamp(home_dir, out);
}

int
app_user_load(const char *home_dir, struct users *out)
{
    return users_load(home_dir, out);
}

const struct users_entry *
app_user_find(const struct users *us, const char *name)
{
    return users_find(us, name);
}

int
app_user_check_password(const struct users_entry *u, const char *pw)
{
    char dummy[USERS_PWHASH_MAX];
    size_t n = pw ? strlen(pw) : 0;

    if (u)
        return users_check_password(u, pw);
    /* No such account: the same argon2id work against a throw-away hash,
     * so the time taken does not tell which names exist. */
    if (n <= USERS_PW_MAX &&
        crypto_pwhash_str(dummy, pw ? pw : "", n,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
        sodium_memzero(dummy, sizeof(dummy));
    return ILONET_EUNAUTHORISED;
}

int
app_user_check_token(const struct users *us, const char *token,
                     const struct users_entry **out)
{
    return users_check_token(us, token, out);
}
