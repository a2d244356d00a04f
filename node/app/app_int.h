/* app_int.h - internals shared by the use-case files of node/app/. */
#ifndef ILONET_APP_INT_H
#define ILONET_APP_INT_H

#include "app.h"
#include "crypto/wire.h"
#include "storage/view/record.h"
#include "storage/view/view.h"

/* Each fills err and returns its code on failure (app.h conventions). */

/* Sets err's field name (after app_fail). */
void app__field(struct app_err *err, const char *name);

/* record_set() of (name, text): the builder's reason, naming the field. */
int app__set(struct record_builder *b, const char *name, const char *text,
             struct app_err *err);

/* record_build() into wb: a missing required field is a usage error
 * naming the field; a payload over ENTRY_PAYLOAD_MAX is ILONET_ETOOBIG. */
int app__build(struct record_builder *b, struct wire_buf *wb,
               struct app_err *err);

/* Normalises in (NULL: dflt) into out. */
int app__audience(const char *in, const char *dflt,
                  char out[static ENTRY_AUDIENCE_MAX + 1], struct app_err *err);

/* Every state of a group audience is in h's roster. */
int app__audience_known(struct home *h, const char *aud, struct app_err *err);

/* Writing for behalf (NULL or own state: nothing to do): finds a grant
 * from it to this node's state covering (rkind, category, aud) now and
 * adds on-behalf-of and grant to b. */
int app__behalf(struct home *h, struct record_builder *b, const char *behalf,
                uint32_t rkind, const char *category, const char *aud,
                struct app_err *err);

/* The record named by id (hex, prefix >= 6 digits) in h's view; kind 0
 * any kind, else it must be of that kind. */
int app__find(struct home *h, const char *id, uint32_t kind,
              struct view_record_info *info, struct app_err *err);

/* Appends wb's payload of kind to this node's log for aud; fills out. */
int app__append(struct home *h, const char *aud, uint32_t kind,
                const struct wire_buf *wb, struct app_written *out,
                struct app_err *err);

/* A task's default audience: me, behalf (may be NULL) and the states of
 * for_list (comma or '+' separated), each once (app_task.c). */
int app__task_audience(const char *me, const char *behalf, const char *for_list,
                       char out[static ENTRY_AUDIENCE_MAX + 1]);

/* Names the officer who acts (NULL: none) in b's payload, as the field
 * "officer", when b's kind has that field; while the vocabulary in force
 * has no such field, nothing is added (app_user.c). */
int app__officer(struct record_builder *b, const char *officer,
                 struct app_err *err);

/* A period filter as a person gives it (FROM..TO, one date, or a
 * semester 2026-H2) into two ISO dates; ILONET_EINVAL naming field
 * "period" (app_read.c). */
int app__period(const char *v, char from[11], char to[11], struct app_err *err);

/* After payloads were erased (an erase written, an import, a retention
 * sweep) or an entry took a staged blob's key: removes the blobs no held
 * entry opens any more, marks the staged ones held (app_blob.c). 0 or a
 * code. */
int app__blob_gc(struct home *h);

/* The form of an "attach" value (APP_ATTACH_FIELD) for a record of kind
 * k, without a home: 1 to 16 hex hashes or prefixes, k has attachments. */
int app__attach_form(const struct vocab_kind *k, const char *list,
                     struct app_err *err);
/* The attachments text (record.h) referencing the blobs list names, for
 * an entry in audience aud: *hex is malloc'd and holds the blobs' keys
 * (the caller wipes and frees it). */
int app__attach_refs(struct home *h, const char *list, const char *aud,
                     char **hex, struct app_err *err);

#endif
