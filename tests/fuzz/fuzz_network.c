/* fuzz_network.c - libFuzzer harness: the network file parser (network_parse).
 *
 * A refused text gets a code of the enum and leaves the network untouched.
 * An accepted one has a valid host; writing it back (network_format) and
 * parsing that gives the same host, id and key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/network.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct network n, again, untouched;
    char text[512];
    size_t len;
    int rc;

    memset(&n, 0xa5, sizeof(n));
    memset(&untouched, 0xa5, sizeof(untouched));
    rc = network_parse((const char *)data, size, &n);
    if (rc != 0) {
        if (rc > 0 || rc <= -ILONET_ERR_COUNT ||
            memcmp(&n, &untouched, sizeof(n)) != 0)
            abort();
        return 0;
    }
    if (!key_state_valid(n.n_host))
        abort();
    if (network_format(&n, text, sizeof(text), &len) != 0 ||
        network_parse(text, len, &again) != 0 ||
        strcmp(again.n_host, n.n_host) != 0 ||
        memcmp(again.n_id, n.n_id, NET_ID_LEN) != 0 ||
        memcmp(again.n_key, n.n_key, NET_KEY_LEN) != 0)
        abort();
    return 0;
}
