/* vfs_crash.c - power-loss SQLite VFS shim over "unix" (see vfs_crash.h). */
#include "vfs_crash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define VC__SECTOR 512

enum { VC__OP_WRITE, VC__OP_TRUNC };

struct vc__op {
    int o_type;
    int64_t o_off; /* write offset, or new size for a truncation */
    size_t o_len;
    uint8_t *o_data;
};

/* The model of one file on the disk. */
struct vc__img {
    char *i_path;
    int i_kind; /* SQLITE_OPEN_MAIN_DB, _MAIN_JOURNAL or _WAL */
    int i_deleted;
    int64_t i_hiwater; /* highest byte written + 1 */
    uint8_t *i_dur;    /* bytes as of the last sync */
    size_t i_dur_len, i_dur_cap;
    struct vc__op *i_ops; /* pending since the last sync */
    size_t i_nops, i_capops;
    uint8_t *i_surv; /* computed at the power cut */
    size_t i_surv_len, i_surv_cap;
};

struct vfs_crash {
    sqlite3_vfs vc_vfs; /* first: SQLite hands this pointer back */
    sqlite3_vfs *vc_real;
    char vc_name[64];
    int vc_default;
    uint64_t vc_calls, vc_crash_at, vc_rng;
    enum vfs_crash_mode vc_mode;
    int vc_crashed;
    struct vc__img **vc_imgs;
    size_t vc_nimg, vc_capimg;
    struct vfs_crash_stats vc_st;
};

struct vc__file {
    sqlite3_file vf_base; /* pMethods = &vc__io */
    struct vfs_crash *vf_vc;
    struct vc__img *vf_img; /* NULL: not modelled (temp files) */
    sqlite3_file *vf_real;  /* the unix file, allocated right after */
};

const char *
vfs_crash_mode_name(enum vfs_crash_mode m)
{
    switch (m) {
    case VFS_CRASH_DROP_ALL: return "drop-all";
    case VFS_CRASH_KEEP_ALL: return "keep-all";
    case VFS_CRASH_TORN_WRITES: return "torn-writes";
    case VFS_CRASH_SECTORS: return "sectors";
    default: return "?";
    }
}

static uint64_t
vc__rand(struct vfs_crash *vc)
{
    /* splitmix64: seeded, reproducible */
    uint64_t z = (vc->vc_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- byte images ---- */

static void
vc__grow(uint8_t **buf, size_t *len, size_t *cap, size_t want)
{
    if (want > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < want)
            c *= 2;
        uint8_t *n = realloc(*buf, c);
        if (!n)
            abort(); /* test support: no graceful path */
        *buf = n;
        *cap = c;
    }
    if (want > *len) {
        memset(*buf + *len, 0, want - *len);
        *len = want;
    }
}

static void
vc__put(uint8_t **buf, size_t *len, size_t *cap, int64_t off,
        const uint8_t *data, size_t n)
{
    vc__grow(buf, len, cap, (size_t)off + n);
    memcpy(*buf + off, data, n);
}

static void
vc__truncate(uint8_t **buf, size_t *len, size_t *cap, int64_t size)
{
    if ((size_t)size < *len)
        *len = (size_t)size;
    else
        vc__grow(buf, len, cap, (size_t)size);
}

static void
vc__ops_clear(struct vc__img *im)
{
    for (size_t i = 0; i < im->i_nops; i++)
        free(im->i_ops[i].o_data);
    im->i_nops = 0;
}

static void
vc__img_free(struct vc__img *im)
{
    vc__ops_clear(im);
    free(im->i_ops);
    free(im->i_dur);
    free(im->i_surv);
    free(im->i_path);
    free(im);
}

static void
vc__op_add(struct vc__img *im, int type, int64_t off, const void *data,
           size_t len)
{
    if (im->i_nops == im->i_capops) {
        size_t c = im->i_capops ? 2 * im->i_capops : 64;
        struct vc__op *n = realloc(im->i_ops, c * sizeof(*n));
        if (!n)
            abort();
        im->i_ops = n;
        im->i_capops = c;
    }
    struct vc__op *o = &im->i_ops[im->i_nops++];
    o->o_type = type;
    o->o_off = off;
    o->o_len = len;
    o->o_data = NULL;
    if (len) {
        o->o_data = malloc(len);
        if (!o->o_data)
            abort();
        memcpy(o->o_data, data, len);
    }
}

/* xSync: the pending operations reach the disk in order. */
static void
vc__sync_img(struct vc__img *im)
{
    for (size_t i = 0; i < im->i_nops; i++) {
        const struct vc__op *o = &im->i_ops[i];
        if (o->o_type == VC__OP_WRITE)
            vc__put(&im->i_dur, &im->i_dur_len, &im->i_dur_cap, o->o_off,
                    o->o_data, o->o_len);
        else
            vc__truncate(&im->i_dur, &im->i_dur_len, &im->i_dur_cap, o->o_off);
    }
    vc__ops_clear(im);
}

/* Applies bytes [a, b) of write o to the surviving image, or garbage. */
static void
vc__surv_piece(struct vfs_crash *vc, struct vc__img *im, const struct vc__op *o,
               size_t a, size_t b, int garbage)
{
    if (b <= a)
        return;
    vc__grow(&im->i_surv, &im->i_surv_len, &im->i_surv_cap,
             (size_t)o->o_off + b);
    uint8_t *p = im->i_surv + o->o_off + a;
    if (garbage)
        for (size_t i = 0; i < b - a; i++)
            p[i] = (uint8_t)vc__rand(vc);
    else
        memcpy(p, o->o_data + a, b - a);
}

/* End (relative to the write) of the sector holding relative byte a. */
static size_t
vc__sector_end(const struct vc__op *o, size_t a)
{
    uint64_t abs = (uint64_t)o->o_off + a;
    size_t e =
        (size_t)((abs / VC__SECTOR + 1) * VC__SECTOR - (uint64_t)o->o_off);
    return e < o->o_len ? e : o->o_len;
}

/* The power fails: what of this file's pending operations survives. */
static void
vc__cut_img(struct vfs_crash *vc, struct vc__img *im)
{
    struct vfs_crash_stats *st = &vc->vc_st;

    im->i_surv_len = 0;
    vc__grow(&im->i_surv, &im->i_surv_len, &im->i_surv_cap, im->i_dur_len);
    if (im->i_dur_len)
        memcpy(im->i_surv, im->i_dur, im->i_dur_len);
    for (size_t i = 0; i < im->i_nops; i++) {
        const struct vc__op *o = &im->i_ops[i];
        int keep;

        if (o->o_type == VC__OP_TRUNC) {
            keep = vc->vc_mode == VFS_CRASH_KEEP_ALL ||
                   (vc->vc_mode != VFS_CRASH_DROP_ALL && vc__rand(vc) % 2);
            if (keep)
                vc__truncate(&im->i_surv, &im->i_surv_len, &im->i_surv_cap,
                             o->o_off);
            keep ? st->vs_kept++ : st->vs_lost++;
            continue;
        }
        switch (vc->vc_mode) {
        case VFS_CRASH_DROP_ALL: st->vs_lost++; break;
        case VFS_CRASH_KEEP_ALL:
            vc__surv_piece(vc, im, o, 0, o->o_len, 0);
            st->vs_kept++;
            break;
        case VFS_CRASH_TORN_WRITES: {
            uint64_t r = vc__rand(vc) % 8;
            if (r < 3) {
                vc__surv_piece(vc, im, o, 0, o->o_len, 0);
                st->vs_kept++;
            } else if (r < 6) {
                st->vs_lost++;
            } else {
                /* keep the write up to a random sector boundary inside it
                 * (a write within one sector is atomic: all or nothing) */
                size_t nb = 0, cut = 0;
                for (size_t a = vc__sector_end(o, 0); a < o->o_len;
                     a = vc__sector_end(o, a))
                    nb++;
                if (nb) {
                    size_t k = (size_t)(vc__rand(vc) % nb);
                    cut = vc__sector_end(o, 0);
                    while (k--)
                        cut = vc__sector_end(o, cut);
                } else if (vc__rand(vc) % 2)
                    cut = o->o_len;
                vc__surv_piece(vc, im, o, 0, cut, 0);
                st->vs_torn++;
            }
            break;
        }
        case VFS_CRASH_SECTORS:
        default: {
            /* each sector of the write independently: new bytes (45 %),
             * old bytes (45 %) or garbage (10 %) */
            int any_lost = 0, any_garbage = 0;
            for (size_t a = 0; a < o->o_len;) {
                size_t b = vc__sector_end(o, a);
                uint64_t r = vc__rand(vc) % 20;
                if (r < 9)
                    vc__surv_piece(vc, im, o, a, b, 0);
                else if (r < 18)
                    any_lost = 1;
                else {
                    vc__surv_piece(vc, im, o, a, b, 1);
                    any_garbage = 1;
                }
                a = b;
            }
            if (any_garbage)
                st->vs_garbage++;
            else if (any_lost)
                st->vs_torn++;
            else
                st->vs_kept++;
            break;
        }
        }
    }
}

void
vfs_crash_power_cut(struct vfs_crash *vc)
{
    if (vc->vc_crashed)
        return;
    for (size_t i = 0; i < vc->vc_nimg; i++)
        if (!vc->vc_imgs[i]->i_deleted)
            vc__cut_img(vc, vc->vc_imgs[i]);
    vc->vc_crashed = 1;
}

/* Counts a modelled I/O call; 1 when it is the one at which power fails. */
static int
vc__tick(struct vfs_crash *vc, const struct vc__img *im)
{
    vc->vc_calls++;
    if (im->i_kind == SQLITE_OPEN_MAIN_DB) {
        vc->vc_st.vs_db_calls++;
        vc->vc_st.vs_ckpt_calls += vc->vc_st.vs_wal_calls > 0;
    } else if (im->i_kind == SQLITE_OPEN_WAL)
        vc->vc_st.vs_wal_calls++;
    else
        vc->vc_st.vs_journal_calls++;
    if (vc->vc_crash_at && vc->vc_calls == vc->vc_crash_at) {
        vc->vc_st.vs_cut_kind = im->i_kind;
        vfs_crash_power_cut(vc);
        return 1;
    }
    return 0;
}

/* ---- file methods ---- */

#define VC__REAL(f) (((struct vc__file *)(f))->vf_real)

static int
vc__close(sqlite3_file *f)
{
    struct vc__file *p = (struct vc__file *)f;
    int rc = SQLITE_OK;
    if (p->vf_real->pMethods)
        rc = p->vf_real->pMethods->xClose(p->vf_real);
    p->vf_base.pMethods = NULL;
    return rc;
}

static int
vc__read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    struct vc__file *p = (struct vc__file *)f;
    if (p->vf_img && p->vf_vc->vc_crashed)
        return SQLITE_IOERR_READ;
    return p->vf_real->pMethods->xRead(p->vf_real, buf, n, off);
}

static int
vc__write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    struct vc__file *p = (struct vc__file *)f;
    struct vfs_crash *vc = p->vf_vc;

    if (!p->vf_img)
        return p->vf_real->pMethods->xWrite(p->vf_real, buf, n, off);
    if (vc->vc_crashed)
        return SQLITE_IOERR_WRITE;
    vc->vc_st.vs_writes++;
    if (p->vf_img->i_kind == SQLITE_OPEN_WAL && off == 0 &&
        p->vf_img->i_hiwater > 32)
        vc->vc_st.vs_wal_restarts++;
    if (off + n > p->vf_img->i_hiwater)
        p->vf_img->i_hiwater = off + n;
    vc__op_add(p->vf_img, VC__OP_WRITE, off, buf, (size_t)n);
    if (vc__tick(vc, p->vf_img))
        return SQLITE_IOERR_WRITE;
    return p->vf_real->pMethods->xWrite(p->vf_real, buf, n, off);
}

static int
vc__trunc(sqlite3_file *f, sqlite3_int64 size)
{
    struct vc__file *p = (struct vc__file *)f;
    struct vfs_crash *vc = p->vf_vc;

    if (!p->vf_img)
        return p->vf_real->pMethods->xTruncate(p->vf_real, size);
    if (vc->vc_crashed)
        return SQLITE_IOERR_TRUNCATE;
    vc->vc_st.vs_truncs++;
    vc__op_add(p->vf_img, VC__OP_TRUNC, size, NULL, 0);
    if (vc__tick(vc, p->vf_img))
        return SQLITE_IOERR_TRUNCATE;
    return p->vf_real->pMethods->xTruncate(p->vf_real, size);
}

static int
vc__sync(sqlite3_file *f, int flags)
{
    struct vc__file *p = (struct vc__file *)f;
    struct vfs_crash *vc = p->vf_vc;

    if (!p->vf_img)
        return p->vf_real->pMethods->xSync(p->vf_real, flags);
    if (vc->vc_crashed)
        return SQLITE_IOERR_FSYNC;
    vc->vc_st.vs_syncs++;
    if (vc__tick(vc, p->vf_img))
        return SQLITE_IOERR_FSYNC; /* the sync never completed */
    vc__sync_img(p->vf_img);
    return SQLITE_OK;
}

static int
vc__size(sqlite3_file *f, sqlite3_int64 *size)
{
    struct vc__file *p = (struct vc__file *)f;
    if (p->vf_img && p->vf_vc->vc_crashed)
        return SQLITE_IOERR_FSTAT;
    return p->vf_real->pMethods->xFileSize(p->vf_real, size);
}

static int
vc__lock(sqlite3_file *f, int l)
{
    return VC__REAL(f)->pMethods->xLock(VC__REAL(f), l);
}

static int
vc__unlock(sqlite3_file *f, int l)
{
    return VC__REAL(f)->pMethods->xUnlock(VC__REAL(f), l);
}

static int
vc__reserved(sqlite3_file *f, int *out)
{
    return VC__REAL(f)->pMethods->xCheckReservedLock(VC__REAL(f), out);
}

static int
vc__fcntl(sqlite3_file *f, int op, void *arg)
{
    return VC__REAL(f)->pMethods->xFileControl(VC__REAL(f), op, arg);
}

static int
vc__sector(sqlite3_file *f)
{
    return VC__REAL(f)->pMethods->xSectorSize(VC__REAL(f));
}

static int
vc__devchar(sqlite3_file *f)
{
    return VC__REAL(f)->pMethods->xDeviceCharacteristics(VC__REAL(f));
}

static int
vc__shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return VC__REAL(f)->pMethods->xShmMap(VC__REAL(f), pg, pgsz, extend, pp);
}

static int
vc__shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return VC__REAL(f)->pMethods->xShmLock(VC__REAL(f), off, n, flags);
}

static void
vc__shm_barrier(sqlite3_file *f)
{
    VC__REAL(f)->pMethods->xShmBarrier(VC__REAL(f));
}

static int
vc__shm_unmap(sqlite3_file *f, int del)
{
    return VC__REAL(f)->pMethods->xShmUnmap(VC__REAL(f), del);
}

static int
vc__fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    struct vc__file *p = (struct vc__file *)f;
    *pp = NULL;
    /* no memory-mapped reads of modelled files: every read goes through
     * xRead (mmap is off by default anyway) */
    if (p->vf_img)
        return SQLITE_OK;
    return p->vf_real->pMethods->xFetch(p->vf_real, off, n, pp);
}

static int
vc__unfetch(sqlite3_file *f, sqlite3_int64 off, void *pg)
{
    struct vc__file *p = (struct vc__file *)f;
    if (p->vf_img)
        return SQLITE_OK;
    return p->vf_real->pMethods->xUnfetch(p->vf_real, off, pg);
}

static const sqlite3_io_methods vc__io = {
    3,
    vc__close,
    vc__read,
    vc__write,
    vc__trunc,
    vc__sync,
    vc__size,
    vc__lock,
    vc__unlock,
    vc__reserved,
    vc__fcntl,
    vc__sector,
    vc__devchar,
    vc__shm_map,
    vc__shm_lock,
    vc__shm_barrier,
    vc__shm_unmap,
    vc__fetch,
    vc__unfetch,
};

/* ---- VFS methods ---- */

static struct vc__img *
vc__img_find(struct vfs_crash *vc, const char *path)
{
    for (size_t i = 0; i < vc->vc_nimg; i++)
        if (strcmp(vc->vc_imgs[i]->i_path, path) == 0)
            return vc->vc_imgs[i];
    return NULL;
}

/* The model of path; a file first seen with content counts it as synced. */
static struct vc__img *
vc__img_get(struct vfs_crash *vc, const char *path, int kind,
            sqlite3_file *real)
{
    struct vc__img *im = vc__img_find(vc, path);
    sqlite3_int64 size = 0;

    if (im) {
        if (im->i_deleted) {
            im->i_deleted = 0;
            im->i_hiwater = 0;
            im->i_dur_len = 0;
            vc__ops_clear(im);
        }
        return im;
    }
    im = calloc(1, sizeof(*im));
    if (!im || !(im->i_path = strdup(path)))
        abort();
    im->i_kind = kind;
    if (real->pMethods->xFileSize(real, &size) == SQLITE_OK && size > 0) {
        vc__grow(&im->i_dur, &im->i_dur_len, &im->i_dur_cap, (size_t)size);
        if (real->pMethods->xRead(real, im->i_dur, (int)size, 0) != SQLITE_OK)
            abort();
    }
    if (vc->vc_nimg == vc->vc_capimg) {
        size_t c = vc->vc_capimg ? 2 * vc->vc_capimg : 8;
        struct vc__img **n = realloc(vc->vc_imgs, c * sizeof(*n));
        if (!n)
            abort();
        vc->vc_imgs = n;
        vc->vc_capimg = c;
    }
    vc->vc_imgs[vc->vc_nimg++] = im;
    return im;
}

static int
vc__open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
         int *oflags)
{
    struct vfs_crash *vc = (struct vfs_crash *)vfs;
    struct vc__file *p = (struct vc__file *)f;
    int modelled =
        name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL |
                          SQLITE_OPEN_WAL));
    int rc;

    memset(p, 0, sizeof(*p));
    p->vf_vc = vc;
    p->vf_real = (sqlite3_file *)(p + 1);
    if (modelled && vc->vc_crashed)
        return SQLITE_CANTOPEN;
    rc = vc->vc_real->xOpen(vc->vc_real, name, p->vf_real, flags, oflags);
    if (rc != SQLITE_OK)
        return rc;
    if (modelled)
        p->vf_img =
            vc__img_get(vc, name,
                        flags & (SQLITE_OPEN_MAIN_DB |
                                 SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL),
                        p->vf_real);
    p->vf_base.pMethods = &vc__io;
    return SQLITE_OK;
}

static int
vc__delete(sqlite3_vfs *vfs, const char *name, int dirsync)
{
    struct vfs_crash *vc = (struct vfs_crash *)vfs;
    struct vc__img *im = vc__img_find(vc, name);

    if (vc->vc_crashed)
        return SQLITE_IOERR_DELETE;
    if (im) {
        im->i_deleted = 1;
        im->i_hiwater = 0;
        im->i_dur_len = 0;
        vc__ops_clear(im);
    }
    return vc->vc_real->xDelete(vc->vc_real, name, dirsync);
}

#define VC__VFS(v) (((struct vfs_crash *)(v))->vc_real)

static int
vc__access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    return VC__VFS(v)->xAccess(VC__VFS(v), name, flags, out);
}

static int
vc__fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
    return VC__VFS(v)->xFullPathname(VC__VFS(v), name, n, out);
}

static void *
vc__dlopen(sqlite3_vfs *v, const char *name)
{
    return VC__VFS(v)->xDlOpen(VC__VFS(v), name);
}

static void
vc__dlerror(sqlite3_vfs *v, int n, char *out)
{
    VC__VFS(v)->xDlError(VC__VFS(v), n, out);
}

static void (*vc__dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    return VC__VFS(v)->xDlSym(VC__VFS(v), h, sym);
}

static void
vc__dlclose(sqlite3_vfs *v, void *h)
{
    VC__VFS(v)->xDlClose(VC__VFS(v), h);
}

static int
vc__randomness(sqlite3_vfs *v, int n, char *out)
{
    return VC__VFS(v)->xRandomness(VC__VFS(v), n, out);
}

static int
vc__sleep(sqlite3_vfs *v, int us)
{
    return VC__VFS(v)->xSleep(VC__VFS(v), us);
}

static int
vc__time(sqlite3_vfs *v, double *out)
{
    return VC__VFS(v)->xCurrentTime(VC__VFS(v), out);
}

static int
vc__lasterr(sqlite3_vfs *v, int n, char *out)
{
    return VC__VFS(v)->xGetLastError(VC__VFS(v), n, out);
}

static int
vc__time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    return VC__VFS(v)->xCurrentTimeInt64(VC__VFS(v), out);
}

/* ---- public ---- */

int
vfs_crash_new(const char *name, int make_default, struct vfs_crash **out)
{
    sqlite3_vfs *real = sqlite3_vfs_find("unix");
    struct vfs_crash *vc;

    if (!real || !name || strlen(name) >= sizeof(vc->vc_name))
        return -1;
    vc = calloc(1, sizeof(*vc));
    if (!vc)
        return -1;
    vc->vc_real = real;
    snprintf(vc->vc_name, sizeof(vc->vc_name), "%s", name);
    vc->vc_vfs.iVersion = 2;
    vc->vc_vfs.szOsFile = (int)sizeof(struct vc__file) + real->szOsFile;
    vc->vc_vfs.mxPathname = real->mxPathname;
    vc->vc_vfs.zName = vc->vc_name;
    vc->vc_vfs.pAppData = NULL;
    vc->vc_vfs.xOpen = vc__open;
    vc->vc_vfs.xDelete = vc__delete;
    vc->vc_vfs.xAccess = vc__access;
    vc->vc_vfs.xFullPathname = vc__fullpath;
    vc->vc_vfs.xDlOpen = vc__dlopen;
    vc->vc_vfs.xDlError = vc__dlerror;
    vc->vc_vfs.xDlSym = vc__dlsym;
    vc->vc_vfs.xDlClose = vc__dlclose;
    vc->vc_vfs.xRandomness = vc__randomness;
    vc->vc_vfs.xSleep = vc__sleep;
    vc->vc_vfs.xCurrentTime = vc__time;
    vc->vc_vfs.xGetLastError = vc__lasterr;
    vc->vc_vfs.xCurrentTimeInt64 = vc__time64;
    vc->vc_default = make_default;
    if (sqlite3_vfs_register(&vc->vc_vfs, make_default) != SQLITE_OK) {
        free(vc);
        return -1;
    }
    *out = vc;
    return 0;
}

static void
vc__forget(struct vfs_crash *vc)
{
    for (size_t i = 0; i < vc->vc_nimg; i++)
        vc__img_free(vc->vc_imgs[i]);
    vc->vc_nimg = 0;
}

void
vfs_crash_free(struct vfs_crash *vc)
{
    if (!vc)
        return;
    sqlite3_vfs_unregister(&vc->vc_vfs);
    if (vc->vc_default)
        sqlite3_vfs_register(vc->vc_real, 1);
    vc__forget(vc);
    free(vc->vc_imgs);
    free(vc);
}

void
vfs_crash_arm(struct vfs_crash *vc, uint64_t crash_at, enum vfs_crash_mode mode,
              uint64_t seed)
{
    vc__forget(vc);
    vc->vc_calls = 0;
    vc->vc_crash_at = crash_at;
    vc->vc_mode = mode;
    vc->vc_rng = seed;
    vc->vc_crashed = 0;
    memset(&vc->vc_st, 0, sizeof(vc->vc_st));
}

int
vfs_crash_crashed(const struct vfs_crash *vc)
{
    return vc->vc_crashed;
}

uint64_t
vfs_crash_calls(const struct vfs_crash *vc)
{
    return vc->vc_calls;
}

const struct vfs_crash_stats *
vfs_crash_stats(const struct vfs_crash *vc)
{
    return &vc->vc_st;
}

static int
vc__write_file(const char *path, const uint8_t *b, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return close(fd);
}

int
vfs_crash_restore(struct vfs_crash *vc)
{
    vfs_crash_power_cut(vc);
    for (size_t i = 0; i < vc->vc_nimg; i++) {
        struct vc__img *im = vc->vc_imgs[i];
        if (im->i_deleted) {
            if (unlink(im->i_path) != 0 && errno != ENOENT)
                return -1;
        } else if (vc__write_file(im->i_path, im->i_surv, im->i_surv_len) != 0)
            return -1;
    }
    return 0;
}
