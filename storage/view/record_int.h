/* record_int.h - internals shared by record.c and record_seed.c. */
#ifndef ILONET_RECORD_INT_H
#define ILONET_RECORD_INT_H

#include "record.h"

/* record_set() of a seed builder (record_builder_init): checks text as a
 * value of the seed's field name and notes it; reason in rb_err. */
int record__seed_set(struct record_builder *b, const char *name,
                     const char *text);

#endif
