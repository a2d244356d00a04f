/* view_blob.h - the files a record carries, as the merged view counts them. */
#ifndef ILONET_VIEW_BLOB_H
#define ILONET_VIEW_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "storage/store.h"

/*
 * A record's attachments are the union of the "attachments" of its
 * creating entry and of its amendments that take effect (docs/VIEW.md):
 * add-only, never cleared; an erased record (or one whose retention
 * ended) has none, since its payloads are gone. The references come from
 * the index the view's entry hook fills (blob_ref_note, storage/blob.h);
 * the name, type and size from the payload that names each blob. A blob
 * named twice is listed once, where it was first added.
 *
 * Functions run on the store's thread; 0 or a negative ilonet code.
 */

#define VIEW_ATT_TYPE_MAX 127 /* = BLOB_TYPE_MAX (storage/blob.h) */
#define VIEW_ATT_NAME_MAX 255 /* = BLOB_NAME_MAX */

struct view_attachment {
    uint8_t va_hash[HASH_LEN];  /* the blob id */
    uint8_t va_entry[HASH_LEN]; /* the entry that added it */
    uint64_t va_size;
    char va_type[VIEW_ATT_TYPE_MAX + 1];
    char va_name[VIEW_ATT_NAME_MAX + 1]; /* "" when the reference has none */
    int va_held;                         /* its file is on this node */
};

/* Calls cb for each attachment of record (its creating entry's id), in
 * the order they were added (entry position, then index). A non-zero
 * return from cb stops the walk and is returned. No record, or one
 * without attachments: no call, 0. a is valid during the call only. */
typedef int (*view_attachment_cb)(void *arg, const struct view_attachment *a);
int view_record_attachments(struct store *s, const uint8_t record[HASH_LEN],
                            view_attachment_cb cb, void *arg);

#endif
