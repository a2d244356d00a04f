/* vfs_crash.h - an SQLite VFS that simulates a power cut: writes not yet
 * synced are dropped, torn or garbled at a chosen I/O call (test support). */
#ifndef ILONET_VFS_CRASH_H
#define ILONET_VFS_CRASH_H

#include <stdint.h>

/*
 * The shim wraps the "unix" VFS. Every file SQLite opens through it still
 * lives on disk (so SQLite sees ordinary files, locks and shared memory),
 * but for the main database, the rollback journal and the WAL it also
 * keeps an in-memory model of the disk: the bytes as of the file's last
 * xSync, plus the writes and truncations issued since. xSync moves the
 * pending operations into the synced image and returns without a real
 * fsync (the model is the disk; skipping fsync keeps a thousand runs
 * fast).
 *
 * I/O calls (xWrite, xSync, xTruncate on those files) are counted from 1.
 * At call crash_at the power fails: the call itself is in flight (a write
 * is pending, a sync never completes), each file's surviving image is
 * computed from its synced image and its pending operations according to
 * the mode, and every later read, write, sync, truncate, open or delete
 * fails with an I/O error. Locks and shared memory still pass through, so
 * connections can be closed. vfs_crash_restore() then writes the surviving
 * images over the files; reopen them with the normal VFS to see what a
 * machine would find after reboot. The -shm file is left as the crashed
 * process left it (SQLite rebuilds it on first open after a crash).
 *
 * Tearing respects SQLITE_IOCAP_POWERSAFE_OVERWRITE (which the unix VFS
 * reports): only the bytes a write covered can change; the unit of a torn
 * write is a 512-byte sector of the file.
 *
 * Files are tracked by path; a delete is durable at once (a simplification:
 * SQLite syncs the directory where it matters). One connection at a time;
 * not thread-safe. The VFS object is process-global by SQLite's design.
 */

enum vfs_crash_mode {
    VFS_CRASH_DROP_ALL,    /* every unsynced write is lost */
    VFS_CRASH_KEEP_ALL,    /* every unsynced write reached the disk */
    VFS_CRASH_TORN_WRITES, /* per write: kept, lost, or a sector prefix */
    VFS_CRASH_SECTORS,     /* per sector of each write: kept, lost, garbage */
    VFS_CRASH_MODES_
};

const char *vfs_crash_mode_name(enum vfs_crash_mode m);

struct vfs_crash_stats {
    uint64_t vs_writes, vs_syncs, vs_truncs;              /* counted calls */
    uint64_t vs_db_calls, vs_wal_calls, vs_journal_calls; /* by file */
    uint64_t vs_ckpt_calls;   /* main-file calls after the first WAL call:
                                 in WAL mode only checkpoints write it */
    uint64_t vs_wal_restarts; /* WAL header rewritten after frames: a
                                 checkpoint completed, the log restarted */
    int vs_cut_kind;          /* file of the call the power failed in:
                                 SQLITE_OPEN_MAIN_DB, _WAL, _MAIN_JOURNAL; 0 */
    uint64_t vs_kept, vs_lost, vs_torn, vs_garbage; /* pending ops at cut */
};

struct vfs_crash;

/* Registers a VFS called name wrapping "unix"; make_default makes it
 * SQLite's default (so store_open() uses it). *out is freed with
 * vfs_crash_free(), which unregisters it and makes "unix" the default
 * again. Returns 0 or -1. */
int vfs_crash_new(const char *name, int make_default, struct vfs_crash **out);
void vfs_crash_free(struct vfs_crash *vc);

/* Forgets every tracked file and restarts the call count: the power fails
 * at call crash_at (0 = never by itself), tearing with mode and seed.
 * Call only while no file is open through the VFS. */
void vfs_crash_arm(struct vfs_crash *vc, uint64_t crash_at,
                   enum vfs_crash_mode mode, uint64_t seed);

/* Cuts the power now, if it has not failed yet. */
void vfs_crash_power_cut(struct vfs_crash *vc);

int vfs_crash_crashed(const struct vfs_crash *vc);
uint64_t vfs_crash_calls(const struct vfs_crash *vc);
const struct vfs_crash_stats *vfs_crash_stats(const struct vfs_crash *vc);

/* Cuts the power if still on, then writes every tracked file's surviving
 * image over the real file (deleted files stay deleted). Call after every
 * connection through the VFS is closed. Returns 0 or -1. */
int vfs_crash_restore(struct vfs_crash *vc);

#endif
