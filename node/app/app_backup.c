/* app_backup.c - the backup use case: a marked copy of a running store. */
#include "app.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/error.h"
#include "storage/backup.h"

int
app_backup_check(const char *path, struct app_err *err)
{
    if (!path || !path[0]) {
        app_fail(err, ILONET_EINVAL, "out FILE is required");
        err->ae_usage = 1;
        snprintf(err->ae_field, sizeof(err->ae_field), "out");
        return err->ae_code;
    }
    return 0;
}

/* 1 when the directory that will hold path is the home directory itself
 * (compared by device and inode, so any spelling of the path is caught). */
static int
app__in_home(const struct home *h, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct stat a, b;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if (stat(dir, &a) != 0 || stat(h->h_dir, &b) != 0)
        return 0; /* the write itself will say what is wrong */
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
app_backup(struct home *h, const char *path, struct app_backup_out *out,
           struct app_err *err)
{
    struct backup_info bi;
    int rc;

    if ((rc = app_backup_check(path, err)) != 0)
        return rc;
    if (!h->h_store)
        return app_fail(err, ILONET_EINVAL, "the home's store is not open");
    if (app__in_home(h, path))
        return app_fail(err, ILONET_EINVAL,
                        "%s: inside the node home; write the backup to "
                        "another directory (another disk, best)",
                        path);
    if ((rc = backup_write(h->h_store, path, &bi)) != 0)
        return app_fail(err, rc, "%s: %s: %s", path, ilonet_errname(rc),
                        ilonet_strerror(rc));
    out->bo_bytes = bi.bi_bytes;
    out->bo_pages = bi.bi_pages;
    return 0;
}
