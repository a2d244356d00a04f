/* fuzz_key.c - libFuzzer harness: the key-file parser (key_parse).
 *
 * A refused text gets a code of the enum and leaves the key untouched. An
 * accepted one gives a key pair whose public key follows from its seed,
 * and writing it back (key_format) and parsing that gives the same pair.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/error.h"
#include "crypto/key.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct key_pair kp, again, check;
    char text[512];
    size_t len;
    int rc;

    if (!init) {
        if (key_global_init() != 0)
            abort();
        init = 1;
    }
    memset(&kp, 0xa5, sizeof(kp));
    rc = key_parse((const char *)data, size, &kp);
    if (rc != 0) {
        struct key_pair untouched;

        memset(&untouched, 0xa5, sizeof(untouched));
        if (rc > 0 || rc <= -ILONET_ERR_COUNT ||
            memcmp(&kp, &untouched, sizeof(kp)) != 0)
            abort();
        return 0;
    }
    if (kp.kind != KEY_NODE && kp.kind != KEY_STATE)
        abort();
    if (kp.kind == KEY_STATE ? !key_state_valid(kp.state) : kp.state[0])
        abort();
    if (key_from_seed(&check, kp.sk) != 0 ||
        memcmp(check.pk, kp.pk, KEY_PK_LEN) != 0)
        abort(); /* the public key is the seed's */
    if (key_format(&kp, text, sizeof(text), &len) != 0 ||
        key_parse(text, len, &again) != 0 ||
        memcmp(again.pk, kp.pk, KEY_PK_LEN) != 0 ||
        memcmp(again.sk, kp.sk, KEY_SK_LEN) != 0 || again.kind != kp.kind ||
        strcmp(again.state, kp.state) != 0)
        abort();
    sodium_memzero(text, sizeof(text));
    key_wipe(&kp);
    key_wipe(&again);
    key_wipe(&check);
    return 0;
}
