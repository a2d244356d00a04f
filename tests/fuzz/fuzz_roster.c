/* fuzz_roster.c - libFuzzer harness: the roster file parser (roster_parse).
 *
 * A refused text gets a code of the enum and leaves the roster untouched.
 * An accepted one holds distinct valid state codes, at most ROSTER_MAX;
 * writing it back (roster_format) and parsing that gives the same roster.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/roster.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct roster r, again;
    static char text[ROSTER_MAX * 96 + 128];
    size_t len;
    int rc;

    memset(&r, 0xa5, sizeof(r));
    rc = roster_parse((const char *)data, size, &r);
    if (rc != 0) {
        if (rc > 0 || rc <= -ILONET_ERR_COUNT)
            abort();
        for (size_t i = 0; i < sizeof(r); i++)
            if (((const uint8_t *)&r)[i] != 0xa5)
                abort(); /* written on failure */
        return 0;
    }
    if (r.r_count > ROSTER_MAX)
        abort();
    for (size_t i = 0; i < r.r_count; i++) {
        if (!key_state_valid(r.r_states[i].rs_state) ||
            roster_find(&r, r.r_states[i].rs_state) != r.r_states[i].rs_pk)
            abort(); /* a bad or repeated state */
    }
    if (roster_format(&r, text, sizeof(text), &len) != 0 ||
        roster_parse(text, len, &again) != 0 || again.r_count != r.r_count)
        abort();
    for (size_t i = 0; i < r.r_count; i++)
        if (strcmp(again.r_states[i].rs_state, r.r_states[i].rs_state) != 0 ||
            memcmp(again.r_states[i].rs_pk, r.r_states[i].rs_pk, KEY_PK_LEN) !=
                0)
            abort();
    return 0;
}
