/* key.c - Ed25519 key pairs, context-bound signatures, 0600 key files. */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "error.h"
#include "hash.h"

int
key_global_init(void)
{
    return sodium_init() < 0 ? ILONET_EIO : 0;
}

int
key_state_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 2 || n > KEY_STATE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}

static int
key__set_kind(struct key_pair *kp, enum key_kind kind, const char *state)
{
    if (kind == KEY_STATE) {
        if (!key_state_valid(state))
            return ILONET_EINVAL;
        snprintf(kp->state, sizeof(kp->state), "%s", state);
    } else if (kind == KEY_NODE) {
        kp->state[0] = '\0';
    } else {
        return ILONET_EINVAL;
    }
    kp->kind = kind;
    return 0;
}

int
key_generate(struct key_pair *kp, enum key_kind kind, const char *state)
{
    uint8_t seed[KEY_SEED_LEN];
    int rc;

    randombytes_buf(seed, sizeof(seed));
    rc = key_from_seed(kp, seed);
    sodium_memzero(seed, sizeof(seed));
    if (rc == 0)
        rc = key__set_kind(kp, kind, state);
    return rc;
}

int
key_from_seed(struct key_pair *kp, const uint8_t seed[static KEY_SEED_LEN])
{
    if (crypto_sign_seed_keypair(kp->pk, kp->sk, seed) != 0)
        return ILONET_EINVAL;
    kp->kind = KEY_NODE;
    kp->state[0] = '\0';
    return 0;
}

void
key_wipe(struct key_pair *kp)
{
    sodium_memzero(kp, sizeof(*kp));
}

/* Builds ctx || 0x00 || msg in buf (stack if small). Caller frees *heap. */
static uint8_t *
key__framed(const char *ctx, const uint8_t *msg, size_t len, uint8_t *stack,
            size_t stack_cap, size_t *out_len, uint8_t **heap)
{
    size_t cl = strlen(ctx), n = cl + 1 + len;
    uint8_t *buf = stack;

    *heap = NULL;
    if (n > stack_cap) {
        buf = malloc(n);
        if (!buf)
            return NULL;
        *heap = buf;
    }
    memcpy(buf, ctx, cl);
    buf[cl] = 0;
    if (len)
        memcpy(buf + cl + 1, msg, len);
    *out_len = n;
    return buf;
}

int
key_sign(const struct key_pair *kp, const char *ctx, const uint8_t *msg,
         size_t len, uint8_t sig[static KEY_SIG_LEN])
{
    uint8_t stack[1024], *heap, *buf;
    size_t n;

    buf = key__framed(ctx, msg, len, stack, sizeof(stack), &n, &heap);
    if (!buf)
        return ILONET_ENOMEM;
    crypto_sign_detached(sig, NULL, buf, n, kp->sk);
    free(heap);
    return 0;
}

int
key_verify(const uint8_t pk[static KEY_PK_LEN], const char *ctx,
           const uint8_t *msg, size_t len,
           const uint8_t sig[static KEY_SIG_LEN])
{
    uint8_t stack[1024], *heap, *buf;
    size_t n;
    int ok;

    buf = key__framed(ctx, msg, len, stack, sizeof(stack), &n, &heap);
    if (!buf)
        return ILONET_ENOMEM;
    ok = crypto_sign_verify_detached(sig, buf, n, pk) == 0;
    free(heap);
    return ok ? 0 : ILONET_EBADSIG;
}

int
key_format(const struct key_pair *kp, char *out, size_t cap, size_t *len)
{
    char hex[2 * KEY_SEED_LEN + 1], pkhex[2 * KEY_PK_LEN + 1];
    int n;

    if (!kp || !out || !len ||
        (kp->kind == KEY_STATE ? !key_state_valid(kp->state)
                               : kp->kind != KEY_NODE))
        return ILONET_EINVAL;
    hash_hex(kp->sk, KEY_SEED_LEN, hex);
    hash_hex(kp->pk, KEY_PK_LEN, pkhex);
    if (kp->kind == KEY_STATE)
        n = snprintf(out, cap,
                     "# ilonet state root key: keep offline and private\n"
                     "kind state\nstate %s\npublic %s\nseed %s\n",
                     kp->state, pkhex, hex);
    else
        n = snprintf(out, cap,
                     "# ilonet node key: never share\n"
                     "kind node\npublic %s\nseed %s\n",
                     pkhex, hex);
    sodium_memzero(hex, sizeof(hex));
    if (n < 0 || (size_t)n >= cap) {
        sodium_memzero(out, cap);
        return ILONET_ETOOBIG;
    }
    *len = (size_t)n;
    return 0;
}

int
key_save(const char *path, const struct key_pair *kp)
{
    char text[512];
    size_t n;
    int fd, rc;

    if ((rc = key_format(kp, text, sizeof(text), &n)) != 0)
        return rc;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        rc = errno == EEXIST ? ILONET_EEXIST : ILONET_EIO;
        goto out;
    }
    if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0)
        rc = ILONET_EIO;
    if (close(fd) != 0)
        rc = ILONET_EIO;
    /* A partial key file would make every retry fail with "exists" and
     * could hold part of the seed: remove it. */
    if (rc != 0)
        unlink(path);
out:
    sodium_memzero(text, sizeof(text));
    return rc;
}

int
key_parse(const char *in, size_t len, struct key_pair *kp)
{
    char text[KEY_FILE_MAX + 1], *line, *save = NULL;
    uint8_t seed[KEY_SEED_LEN], pub[KEY_PK_LEN];
    char state[KEY_STATE_MAX + 1] = "";
    int have_seed = 0, have_pub = 0, kind = 0;
    struct key_pair t;
    int rc = ILONET_EMALFORMED;

    if (!in || !kp)
        return ILONET_EINVAL;
    if (len > KEY_FILE_MAX)
        return ILONET_ETOOBIG;
    memcpy(text, in, len);
    text[len] = '\0';
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (strcmp(line, "kind node") == 0)
            kind = KEY_NODE;
        else if (strcmp(line, "kind state") == 0)
            kind = KEY_STATE;
        else if (strncmp(line, "state ", 6) == 0 &&
                 strlen(line + 6) <= KEY_STATE_MAX)
            strcpy(state, line + 6);
        else if (strncmp(line, "public ", 7) == 0)
            have_pub = hash_unhex(line + 7, pub, KEY_PK_LEN) == 0;
        else if (strncmp(line, "seed ", 5) == 0)
            have_seed = hash_unhex(line + 5, seed, KEY_SEED_LEN) == 0;
        else
            goto out;
    }
    if (!have_seed || !kind)
        goto out;
    if ((rc = key_from_seed(&t, seed)) != 0)
        goto out;
    if (key__set_kind(&t, (enum key_kind)kind, state) != 0) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    /* The public line is informative; if present it must match. */
    if (have_pub && sodium_memcmp(pub, t.pk, KEY_PK_LEN) != 0) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    *kp = t;
    rc = 0;
out:
    sodium_memzero(&t, sizeof(t));
    sodium_memzero(text, sizeof(text));
    sodium_memzero(seed, sizeof(seed));
    return rc;
}

int
key_load(const char *path, struct key_pair *kp)
{
    char text[KEY_FILE_MAX];
    struct stat st;
    ssize_t n;
    int fd, rc;

    fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return ILONET_EIO;
    }
    /* A secret readable by anyone else is already compromised: refuse it
     * loudly rather than use it. */
    if (st.st_mode & 077) {
        close(fd);
        return ILONET_EPERM;
    }
    /* a key file is a few lines: what is past KEY_FILE_MAX is not read */
    n = read(fd, text, sizeof(text));
    close(fd);
    if (n < 0)
        return ILONET_EIO;
    rc = key_parse(text, (size_t)n, kp);
    sodium_memzero(text, sizeof(text));
    return rc;
}
