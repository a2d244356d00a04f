/* view.h - the merged view: CRDT materialisation of the entry set in SQLite. */
#ifndef ILONET_VIEW_H
#define ILONET_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "storage/store.h"

/*
 * The view is a pure function of the set of valid entries held (DESIGN §6,
 * rules in docs/VIEW.md). view_attach() creates its tables and installs the
 * store's entry hook so every stored entry updates the view in the same
 * transaction; a full view_rebuild() from the log gives the same
 * view_hash(). All functions run on the store's thread and return 0 or a
 * negative ilonet code.
 *
 * Tables (plain SQL, see docs/VIEW.md): v_records (a view over table
 * v_rec, entries and logs: one row per record: provenance, effective
 * fields, status), v_changes (over v_chg: every amendment, retraction,
 * erasure and task status change, with whether it took effect and why
 * not), v_grants, v_revocations; and read-only SQL views for people and
 * scripts: observations, meetings, trainings, carriers, contacts,
 * postings, tasks, acting_presidencies, grants, revocations, records,
 * changes.
 */

/* Layout and rule version, kept in store meta "view_version"; a store
 * whose view has another version is rebuilt by view_attach(). */
#define VIEW_VERSION 6

/* Creates/migrates view tables and installs the entry hook on s. A view
 * of an older layout is dropped and rebuilt. The hook's memory is released
 * when the store's connection closes. */
int view_attach(struct store *s);

/* Drops and recomputes the view from every stored entry (excluding
 * quarantined entries and entries at or after a log's fork). One
 * transaction (nests inside the caller's). */
int view_rebuild(struct store *s);

/* Digest of a canonical dump of the merged view (node-local state never
 * included). audience NULL: everything held; else only that audience. */
int view_hash(struct store *s, const char *audience,
              uint8_t out[static HASH_LEN]);

/* Computes the live view's hash and the hash of a full rebuild, leaving
 * the store unchanged (the rebuild is rolled back). */
int view_check(struct store *s, uint8_t live[static HASH_LEN],
               uint8_t rebuilt[static HASH_LEN]);

/*
 * Re-evaluates one log's contributions after something other than a new
 * entry changed which of its entries count: the log was frozen by fork
 * evidence (entries at or after the fork stop counting), an entry was
 * quarantined after it was stored (bad signature found later), or a
 * quarantine row was removed. Call inside or outside a transaction.
 */
int view_log_changed(struct store *s, const uint8_t log[static HASH_LEN]);

/* Releases quarantined future-dated entries whose time has come
 * (until_ms <= now_ms + STORE_MAX_SKEW_MS): deletes their quarantine rows
 * and applies them to the view. *released (may be NULL) counts them. */
int view_release_due(struct store *s, uint64_t now_ms, uint64_t *released);

/* ---- lookups for the CLI and the control API ------------------------ */

struct view_record_info {
    uint8_t vr_id[HASH_LEN];
    uint32_t vr_kind;
    char vr_audience[64];
    char vr_owner[16];        /* owning state */
    char vr_author_state[16]; /* state of the creating node */
    char vr_status[16];       /* active | retracted | erased */
    int vr_valid;             /* creation took effect */
    char vr_category[32];     /* observations: category, else "" */
};

/* Finds a record by its full hex id or a unique hex prefix (>= 6 digits).
 * ILONET_ENOTFOUND, or ILONET_EINVAL when the prefix is ambiguous. */
int view_record_find(struct store *s, const char *hex,
                     struct view_record_info *out);

/* A task's assignees as a comma-separated list of states, into out (cap
 * bytes; "" when none are recorded). 0 or a store error. */
int view_task_assignees(struct store *s, const uint8_t id[static HASH_LEN],
                        char *out, size_t cap);

/* 1 if the comma-separated list of states holds state. */
int view_list_has(const char *list, const char *state);

/* Finds a grant held in the view that lets state rep write for state
 * owner an entry of record kind kind (observations: category) in audience
 * at HLC time hlc, not revoked. Fills gid. ILONET_EDELEGATION if none. */
int view_grant_find(struct store *s, const char *owner, const char *rep,
                    uint32_t kind, const char *category,
                    const char *audience, uint64_t hlc,
                    uint8_t gid[static HASH_LEN]);

#endif
