/* users.c - the officers' accounts file and "last seen" marks of a node home.
 */
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/error.h"

#define USERS__PATH_MAX 4096
#define USERS__FILE_MAX (1024 * 1024)
#define USERS__MAGIC "ilonet-users 1\n"
#define USERS__SEEN_MAGIC "ilonet-seen 1\n"

static int
users__path(const char *home, const char *file, char out[USERS__PATH_MAX])
{
    if (!home ||
        snprintf(out, USERS__PATH_MAX, "%s/%s", home, file) >= USERS__PATH_MAX)
        return ILONET_EINVAL;
    return 0;
}

int
users_name_valid(const char *name)
{
    size_t n;

    if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
        return 0;
    n = strlen(name);
    if (n > USERS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* Reads the whole file at path (0600 or refused) into a malloc'd,
 * NUL-terminated *buf. ILONET_ENOTFOUND when it does not exist. */
static int
users__read(const char *path, char **buf, size_t *len)
{
    struct stat sb;
    char *b;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? ILONET_ENOTFOUND : ILONET_EIO;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return ILONET_EIO;
    }
    if (sb.st_mode & 077) {
        close(fd);
        return ILONET_EPERM;
    }
    if (sb.st_size > USERS__FILE_MAX) {
        close(fd);
        return ILONET_ETOOBIG;
    }
    if (!(b = malloc((size_t)sb.st_size + 1))) {
        close(fd);
        return ILONET_ENOMEM;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, b + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    b[got] = '\0';
    *buf = b;
    *len = got;
    return 0;
}

/* Writes data to path atomically: a 0600 temp file beside it, fsync,
 * rename. */
static int
users__write(const char *path, const char *data, size_t len)
{
    char tmp[USERS__PATH_MAX + 32];
    size_t off = 0;
    int fd, rc = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >=
        (int)sizeof(tmp))
        return ILONET_EINVAL;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return ILONET_EIO;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = ILONET_EIO;
            break;
        }
        off += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = ILONET_EIO;
    if (close(fd) != 0 && rc == 0)
        rc = ILONET_EIO;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ILONET_EIO;
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* Takes the writers' lock of the home: the descriptor to pass to
 * users__unlock, or a negative code. */
static int
users__lock(const char *home)
{
    char path[USERS__PATH_MAX];
    int fd;

    if (users__path(home, USERS_LOCK_FILE, path) != 0)
        return ILONET_EINVAL;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return ILONET_EIO;
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(fd);
            return ILONET_EIO;
        }
    return fd;
}

static void
users__unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

/* ---- the accounts file -----------------------------------------------------
 */

static int
users__parse_line(char *line, struct users_entry *u)
{
    char *f[4], *save = NULL, *p;
    int n = 0;

    for (p = strtok_r(line, "\t", &save); p && n < 4;
         p = strtok_r(NULL, "\t", &save))
        f[n++] = p;
    if (n != 4 || p || !users_name_valid(f[0]) ||
        strlen(f[1]) >= USERS_PWHASH_MAX || strncmp(f[1], "$argon2", 7) != 0)
        return ILONET_EMALFORMED;
    memset(u, 0, sizeof(*u));
    memcpy(u->ue_name, f[0], strlen(f[0]) + 1);
    memcpy(u->ue_pwhash, f[1], strlen(f[1]) + 1);
    if (strcmp(f[2], "-") != 0) {
        if (strlen(f[2]) != 2 * HASH_LEN ||
            hash_unhex(f[2], u->ue_token_hash, HASH_LEN) != 0)
            return ILONET_EMALFORMED;
        u->ue_has_token = 1;
    }
    for (p = f[3]; *p; p++)
        if (*p < '0' || *p > '9')
            return ILONET_EMALFORMED;
    u->ue_created_ms = strtoull(f[3], NULL, 10);
    return 0;
}

int
users_load(const char *home_dir, struct users *out)
{
    char path[USERS__PATH_MAX], *buf = NULL, *line, *save = NULL;
    size_t len;
    int rc;

    if (!out || users__path(home_dir, USERS_FILE, path) != 0)
        return ILONET_EINVAL;
    out->us_n = 0;
    rc = users__read(path, &buf, &len);
    if (rc == ILONET_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if (strncmp(buf, USERS__MAGIC, strlen(USERS__MAGIC)) != 0 ||
        strlen(buf) != len) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    for (line = strtok_r(buf + strlen(USERS__MAGIC), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (out->us_n == USERS_MAX) {
            rc = ILONET_ETOOBIG;
            goto out;
        }
        if ((rc = users__parse_line(line, &out->us_v[out->us_n])) != 0)
            goto out;
        if (users_find(out, out->us_v[out->us_n].ue_name)) {
            rc = ILONET_EMALFORMED; /* a name twice */
            goto out;
        }
        out->us_n++;
    }
    rc = 0;
out:
    if (buf) {
        sodium_memzero(buf, len);
        free(buf);
    }
    if (rc != 0)
        out->us_n = 0;
    return rc;
}

/* Writes us as the accounts file of home. */
static int
users__save(const char *home, const struct users *us)
{
    char path[USERS__PATH_MAX], hex[2 * HASH_LEN + 1];
    char *buf;
    size_t cap = strlen(USERS__MAGIC) + us->us_n * 256 + 1, off;
    int rc;

    if (users__path(home, USERS_FILE, path) != 0)
        return ILONET_EINVAL;
    if (!(buf = malloc(cap)))
        return ILONET_ENOMEM;
    off = (size_t)snprintf(buf, cap, "%s", USERS__MAGIC);
    for (size_t i = 0; i < us->us_n; i++) {
        const struct users_entry *u = &us->us_v[i];
        if (u->ue_has_token)
            hash_hex(u->ue_token_hash, HASH_LEN, hex);
        off += (size_t)snprintf(buf + off, cap - off, "%s\t%s\t%s\t%llu\n",
                                u->ue_name, u->ue_pwhash,
                                u->ue_has_token ? hex : "-",
                                (unsigned long long)u->ue_created_ms);
    }
    rc = off < cap ? users__write(path, buf, off) : ILONET_ETOOBIG;
    free(buf);
    return rc;
}

const struct users_entry *
users_find(const struct users *us, const char *name)
{
    for (size_t i = 0; us && name && i < us->us_n; i++)
        if (strcmp(us->us_v[i].ue_name, name) == 0)
            return &us->us_v[i];
    return NULL;
}

int
users_stamp(const char *home_dir, struct users_stamp *out)
{
    char path[USERS__PATH_MAX];
    struct stat sb;

    if (!out || users__path(home_dir, USERS_FILE, path) != 0)
        return ILONET_EINVAL;
    memset(out, 0, sizeof(*out));
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? 0 : ILONET_EIO;
    out->st_ino = (uint64_t)sb.st_ino;
    out->st_size = (uint64_t)sb.st_size;
    out->st_mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL +
                       (uint64_t)sb.st_mtim.tv_nsec;
    return 0;
}

/* A change to the accounts under the lock: fn edits the loaded set. */
static int
users__edit(const char *home, int (*fn)(struct users *us, void *arg), void *arg)
{
    struct users *us;
    int fd, rc;

    if (!(us = malloc(sizeof(*us))))
        return ILONET_ENOMEM;
    if ((fd = users__lock(home)) < 0) {
        free(us);
        return fd;
    }
    if ((rc = users_load(home, us)) == 0 && (rc = fn(us, arg)) == 0)
        rc = users__save(home, us);
    users__unlock(fd);
    sodium_memzero(us, sizeof(*us));
    free(us);
    return rc;
}

struct users__add {
    const char *a_name;
    char a_hash[USERS_PWHASH_MAX];
    uint64_t a_now;
};

static int
users__add_fn(struct users *us, void *arg)
{
    struct users__add *a = arg;
    struct users_entry *u;

    if (users_find(us, a->a_name))
        return ILONET_EEXIST;
    if (us->us_n == USERS_MAX)
        return ILONET_ETOOBIG;
    u = &us->us_v[us->us_n++];
    memset(u, 0, sizeof(*u));
    snprintf(u->ue_name, sizeof(u->ue_name), "%s", a->a_name);
    snprintf(u->ue_pwhash, sizeof(u->ue_pwhash), "%s", a->a_hash);
    u->ue_created_ms = a->a_now;
    return 0;
}

int
users_add(const char *home_dir, const char *name, const char *password,
          uint64_t now_ms)
{
    struct users__add a;
    size_t pl = password ? strlen(password) : 0;

    if (!home_dir || !users_name_valid(name) || pl < USERS_PW_MIN ||
        pl > USERS_PW_MAX)
        return ILONET_EINVAL;
    memset(&a, 0, sizeof(a));
    a.a_name = name;
    a.a_now = now_ms;
    /* hashed before the lock is taken: the slow part blocks no one */
    if (crypto_pwhash_str(a.a_hash, password, pl,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ILONET_ENOMEM;
    return users__edit(home_dir, users__add_fn, &a);
}

static int
users__remove_fn(struct users *us, void *arg)
{
    const char *name = arg;

    for (size_t i = 0; i < us->us_n; i++)
        if (strcmp(us->us_v[i].ue_name, name) == 0) {
            memmove(&us->us_v[i], &us->us_v[i + 1],
                    (us->us_n - i - 1) * sizeof(us->us_v[0]));
            us->us_n--;
            return 0;
        }
    return ILONET_ENOTFOUND;
}

int
users_remove(const char *home_dir, const char *name)
{
    int rc;

    if (!home_dir || !users_name_valid(name))
        return ILONET_EINVAL;
    if ((rc = users__edit(home_dir, users__remove_fn, (void *)name)) != 0)
        return rc;
    rc = users_seen_set(home_dir, name, NULL);
    return rc == ILONET_ENOTFOUND ? 0 : rc;
}

struct users__token {
    const char *t_name;
    int t_set;
    uint8_t t_hash[HASH_LEN];
};

static int
users__token_fn(struct users *us, void *arg)
{
    struct users__token *t = arg;

    for (size_t i = 0; i < us->us_n; i++)
        if (strcmp(us->us_v[i].ue_name, t->t_name) == 0) {
            us->us_v[i].ue_has_token = t->t_set;
            memcpy(us->us_v[i].ue_token_hash, t->t_hash, HASH_LEN);
            return 0;
        }
    return ILONET_ENOTFOUND;
}

int
users_token_new(const char *home_dir, const char *name,
                char out[static USERS_TOKEN_MAX + 1])
{
    struct users__token t;
    uint8_t raw[USERS_TOKEN_HEX / 2];
    char tok[USERS_TOKEN_MAX + 1];
    size_t nl;
    int rc;

    if (!home_dir || !users_name_valid(name))
        return ILONET_EINVAL;
    nl = strlen(name);
    randombytes_buf(raw, sizeof(raw));
    memcpy(tok, name, nl);
    tok[nl] = '.';
    sodium_bin2hex(tok + nl + 1, sizeof(tok) - nl - 1, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    memset(&t, 0, sizeof(t));
    t.t_name = name;
    t.t_set = 1;
    hash_buf(USERS_CTX_TOKEN, tok, strlen(tok), t.t_hash);
    if ((rc = users__edit(home_dir, users__token_fn, &t)) == 0)
        memcpy(out, tok, strlen(tok) + 1);
    sodium_memzero(tok, sizeof(tok));
    return rc;
}

int
users_token_revoke(const char *home_dir, const char *name)
{
    struct users__token t;

    if (!home_dir || !users_name_valid(name))
        return ILONET_EINVAL;
    memset(&t, 0, sizeof(t));
    t.t_name = name;
    return users__edit(home_dir, users__token_fn, &t);
}

int
users_check_password(const struct users_entry *u, const char *password)
{
    size_t pl = password ? strlen(password) : 0;

    if (!u || pl > USERS_PW_MAX)
        return ILONET_EUNAUTHORISED;
    return crypto_pwhash_str_verify(u->ue_pwhash, password, pl) == 0
               ? 0
               : ILONET_EUNAUTHORISED;
}

int
users_check_token(const struct users *us, const char *token,
                  const struct users_entry **out)
{
    char name[USERS_NAME_MAX + 1];
    const struct users_entry *u;
    const char *dot;
    uint8_t h[HASH_LEN];
    size_t n;

    if (!token || !(dot = strchr(token, '.')) ||
        (n = (size_t)(dot - token)) > USERS_NAME_MAX ||
        strlen(dot + 1) != USERS_TOKEN_HEX)
        return ILONET_EUNAUTHORISED;
    memcpy(name, token, n);
    name[n] = '\0';
    if (!(u = users_find(us, name)) || !u->ue_has_token)
        return ILONET_EUNAUTHORISED;
    hash_buf(USERS_CTX_TOKEN, token, strlen(token), h);
    if (sodium_memcmp(h, u->ue_token_hash, HASH_LEN) != 0)
        return ILONET_EUNAUTHORISED;
    if (out)
        *out = u;
    return 0;
}

/* ---- "last seen" marks ----------------------------------------------------
 */

static int
users__seen_name_ok(const char *name)
{
    return users_name_valid(name) ||
           (name && strcmp(name, USERS_BOOTSTRAP) == 0);
}

static int
users__mark_ok(const char *m)
{
    size_t n = m ? strlen(m) : 0;

    if (n == 0 || n > USERS_MARK_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (m[i] <= ' ' || m[i] > '~')
            return 0;
    return 1;
}

int
users_seen_get(const char *home_dir, const char *name, char *out, size_t cap)
{
    char path[USERS__PATH_MAX], *buf = NULL, *line, *save = NULL;
    size_t len, nl;
    int rc;

    if (!users__seen_name_ok(name) || !out || !cap ||
        users__path(home_dir, USERS_SEEN_FILE, path) != 0)
        return ILONET_EINVAL;
    if ((rc = users__read(path, &buf, &len)) != 0)
        return rc;
    rc = ILONET_ENOTFOUND;
    if (strncmp(buf, USERS__SEEN_MAGIC, strlen(USERS__SEEN_MAGIC)) != 0) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    nl = strlen(name);
    for (line = strtok_r(buf + strlen(USERS__SEEN_MAGIC), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, name, nl) == 0 && line[nl] == ' ') {
            if (!users__mark_ok(line + nl + 1) ||
                strlen(line + nl + 1) >= cap) {
                rc = ILONET_EMALFORMED;
                goto out;
            }
            memcpy(out, line + nl + 1, strlen(line + nl + 1) + 1);
            rc = 0;
            break;
        }
out:
    free(buf);
    return rc;
}

int
users_seen_set(const char *home_dir, const char *name, const char *mark)
{
    char path[USERS__PATH_MAX], *buf = NULL, *line, *save = NULL, *o = NULL;
    size_t len = 0, nl, off, cap;
    int fd, rc, found = 0;

    if (!users__seen_name_ok(name) || (mark && !users__mark_ok(mark)) ||
        users__path(home_dir, USERS_SEEN_FILE, path) != 0)
        return ILONET_EINVAL;
    if ((fd = users__lock(home_dir)) < 0)
        return fd;
    rc = users__read(path, &buf, &len);
    if (rc == ILONET_ENOTFOUND) {
        if (!mark) { /* nothing to remove */
            users__unlock(fd);
            return ILONET_ENOTFOUND;
        }
        buf = strdup(USERS__SEEN_MAGIC);
        len = buf ? strlen(buf) : 0;
        rc = buf ? 0 : ILONET_ENOMEM;
    }
    if (rc != 0)
        goto out;
    if (strncmp(buf, USERS__SEEN_MAGIC, strlen(USERS__SEEN_MAGIC)) != 0) {
        rc = ILONET_EMALFORMED;
        goto out;
    }
    cap = len + (mark ? strlen(mark) : 0) + USERS_NAME_MAX + 8;
    if (!(o = malloc(cap))) {
        rc = ILONET_ENOMEM;
        goto out;
    }
    off = (size_t)snprintf(o, cap, "%s", USERS__SEEN_MAGIC);
    nl = strlen(name);
    for (line = strtok_r(buf + strlen(USERS__SEEN_MAGIC), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, name, nl) == 0 && line[nl] == ' ') {
            found = 1;
            continue; /* replaced below, or removed */
        }
        off += (size_t)snprintf(o + off, cap - off, "%s\n", line);
    }
    if (mark)
        off += (size_t)snprintf(o + off, cap - off, "%s %s\n", name, mark);
    if (!mark && !found)
        rc = ILONET_ENOTFOUND;
    else
        rc = off < cap ? users__write(path, o, off) : ILONET_ETOOBIG;
out:
    users__unlock(fd);
    free(buf);
    free(o);
    return rc;
}
