/* view.h - the merged view: CRDT materialisation of the entry set in SQLite. */
#ifndef ILONET_VIEW_H
#define ILONET_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * The view is a pure function of the set of valid entries held (DESIGN §6).
 * view_attach() creates its tables and installs the store's entry hook so
 * every stored entry updates the view in the same transaction; a full
 * view_rebuild() from the log gives the same view_hash(). Runs on the
 * store's thread.
 */

/* Creates/migrates view tables and installs the entry hook on s. */
int view_attach(struct store *s);

/* Drops and recomputes the view from every stored entry. */
int view_rebuild(struct store *s);

/* Digest of a canonical dump of the merged view (node-local state never
 * included). audience NULL: everything held; else only that audience. */
int view_hash(struct store *s, const char *audience,
              uint8_t out[static HASH_LEN]);

#endif
