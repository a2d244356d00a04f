/* backup.c - a marked copy of a live store (SQLite's online backup API). */
#include "backup.h"
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto/error.h"
#include "storage/log.h"

/* Tries of a step that found the source locked (a writer checkpointing,
 * WAL recovery) and the pause between them: about 30 s in all, the
 * busy timeout of every store connection. */
#define BACKUP__TRIES 300
#define BACKUP__PAUSE_MS 100

/* The files SQLite may leave beside the copy while it works on it. */
static void
backup__unlink_all(const char *part)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    char p[PATH_MAX + 16];

    for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", part, sfx[i]);
        unlink(p);
    }
}

/* fsync of a file or directory by path. */
static int
backup__sync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    int rc = 0;

    if (fd < 0)
        return ILONET_EIO;
    if (fsync(fd) != 0)
        rc = ILONET_EIO;
    close(fd);
    return rc;
}

/* The directory part of path ("." when it has none), into out. */
static void
backup__dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* Copies the committed state of src into the empty file at part: one
 * backup step over every page, so one read transaction (WAL readers do
 * not block the node's writes, and the writes do not restart the copy). */
static int
backup__copy(sqlite3 *src, const char *part, uint64_t *pages)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b;
    int rc, src_rc = SQLITE_OK;

    if (sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = ILONET_EIO;
        goto out;
    }
    if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
        rc = store_err(sqlite3_errcode(dst));
        goto out;
    }
    for (int i = 0; i < BACKUP__TRIES; i++) {
        src_rc = sqlite3_backup_step(b, -1);
        if (src_rc != SQLITE_BUSY && src_rc != SQLITE_LOCKED)
            break;
        sqlite3_sleep(BACKUP__PAUSE_MS);
    }
    *pages = (uint64_t)sqlite3_backup_pagecount(b);
    rc = sqlite3_backup_finish(b);
    if (src_rc != SQLITE_DONE)
        rc = src_rc == SQLITE_OK ? SQLITE_ERROR : src_rc;
    rc = rc == SQLITE_OK ? 0 : store_err(rc);
    if (rc == 0 && *pages == 0)
        rc = ILONET_EIO;
out:
    if (dst && sqlite3_close(dst) != SQLITE_OK && rc == 0)
        rc = ILONET_EIO;
    return rc;
}

/* One text result of a PRAGMA on db into out ("" when none). */
static int
backup__pragma(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int rc;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_err(sqlite3_errcode(db));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/*
 * Opens the copy as a store of the same network, sets the backup mark,
 * and leaves it as one self-contained file: journal_mode=DELETE copies
 * the WAL store_open() started back in and removes it (a home's
 * store_open() turns WAL on again). Then a quick_check: a backup that
 * does not open is worse than none.
 */
static int
backup__mark(const struct store *s, const char *part)
{
    struct store *c = NULL;
    char res[64];
    int rc;

    if ((rc = store_open(part, store_network(s), store_roster(s), &c)) != 0)
        return rc;
    if ((rc = log_mark_restored(c)) != 0)
        goto out;
    if ((rc = backup__pragma(store_db(c), "PRAGMA journal_mode=DELETE", res,
                             sizeof(res))) != 0)
        goto out;
    if (strcmp(res, "delete") != 0) {
        rc = ILONET_EIO;
        goto out;
    }
    if ((rc = backup__pragma(store_db(c), "PRAGMA quick_check", res,
                             sizeof(res))) != 0)
        goto out;
    if (strcmp(res, "ok") != 0)
        rc = ILONET_EIO;
out:
    store_close(c);
    return rc;
}

int
backup_write(struct store *s, const char *path, struct backup_info *info)
{
    char part[PATH_MAX + 8], dir[PATH_MAX];
    struct backup_info bi = {0, 0};
    struct stat sb;
    int fd, rc;

    if (!s || !path || !path[0] || strlen(path) >= PATH_MAX)
        return ILONET_EINVAL;
    if (store_in_txn(s))
        return ILONET_EBUSY;
    snprintf(part, sizeof(part), "%s.part", path);
    /* A .part left by a backup that died is ours to replace. */
    backup__unlink_all(part);
    fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EACCES || errno == EROFS ? ILONET_EPERM : ILONET_EIO;
    close(fd);
    if ((rc = backup__copy(store_db(s), part, &bi.bi_pages)) != 0)
        goto fail;
    if ((rc = backup__mark(s, part)) != 0)
        goto fail;
    if ((rc = backup__sync_path(part, 0)) != 0)
        goto fail;
    if (stat(part, &sb) != 0) {
        rc = ILONET_EIO;
        goto fail;
    }
    bi.bi_bytes = (uint64_t)sb.st_size;
    if (rename(part, path) != 0) {
        rc = errno == EACCES ? ILONET_EPERM : ILONET_EIO;
        goto fail;
    }
    backup__dir_of(path, dir, sizeof(dir));
    if ((rc = backup__sync_path(dir, 1)) != 0)
        return rc; /* renamed: the file is complete, only not yet durable */
    if (info)
        *info = bi;
    return 0;
fail:
    backup__unlink_all(part);
    return rc;
}
