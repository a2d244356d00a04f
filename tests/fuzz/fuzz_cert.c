/* fuzz_cert.c - libFuzzer harness: certificate, grant and revocation
 * envelopes fed any bytes. A forged envelope must never verify (the roster
 * holds one key whose secret the fuzzer does not know). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "crypto/error.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct roster ros;
    static int init;
    static const uint8_t net[NET_ID_LEN] = {1};
    struct cert c;
    struct grant g;
    struct revocation v;

    if (!init) {
        struct key_pair k;
        if (key_global_init() != 0 || key_generate(&k, KEY_STATE, "DE"))
            abort();
        roster_add(&ros, "DE", k.pk);
        key_wipe(&k);
        init = 1;
    }
    if (cert_verify(data, size, &ros, net, &c) == 0)
        abort();
    if (grant_verify(data, size, &ros, net, &g) == 0)
        abort();
    if (revocation_verify(data, size, &ros, net, &v) == 0)
        abort();
    return 0;
}
