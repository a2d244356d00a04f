/* fuzz_envelope.c - libFuzzer harness: the envelope codec, all three types.
 *
 * Each input is decoded as a certificate, a grant and a revocation. A
 * refused one gets a code of the enum. An accepted one, encoded again from
 * the decoded struct by the same field table, gives exactly the body that
 * was read, and wrapping that body with the signature that was read gives
 * exactly the input. No decoded envelope verifies: the roster holds keys
 * whose secrets the fuzzer does not know.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "crypto/error.h"
#include "crypto/grant.h"
#include "crypto/revocation.h"

static const struct envelope_type *const fz_types[] = {
    &cert_envelope,
    &grant_envelope,
    &revocation_envelope,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct roster ros;
    static int init;
    static const uint8_t net[NET_ID_LEN] = {1};
    union {
        struct cert c;
        struct grant g;
        struct revocation v;
    } obj, vobj;

    if (!init) {
        static const char *const states[] = {"DE", "FR", "EU", "FRONTEX"};
        struct key_pair k;

        if (key_global_init() != 0)
            abort();
        for (size_t i = 0; i < 4; i++) {
            if (key_generate(&k, KEY_STATE, states[i]) != 0 ||
                roster_add(&ros, states[i], k.pk) != 0)
                abort();
            key_wipe(&k);
        }
        init = 1;
    }
    for (size_t t = 0; t < 3; t++) {
        struct envelope_parts parts;
        struct wire_buf body, env;
        int rc;

        rc = envelope_decode(fz_types[t], data, size, &obj, &parts);
        if (rc > 0 || rc <= -ILONET_ERR_COUNT)
            abort();
        rc = envelope_verify(fz_types[t], data, size, &ros, net, &vobj);
        if (rc == 0 || rc > 0 || rc <= -ILONET_ERR_COUNT)
            abort(); /* a forged envelope verified */
        if (envelope_decode(fz_types[t], data, size, &obj, &parts) != 0)
            continue;
        if (parts.ep_body < data ||
            parts.ep_body + parts.ep_body_len > data + size)
            abort();
        wire_buf_init(&body, ENVELOPE_MAX_LEN);
        wire_buf_init(&env, ENVELOPE_MAX_LEN);
        if (envelope_encode_body(fz_types[t], &obj, &body) != 0 ||
            body.wb_err || body.wb_len != parts.ep_body_len ||
            memcmp(body.wb_data, parts.ep_body, body.wb_len) != 0)
            abort(); /* a second encoding of the same fields */
        envelope_wrap(body.wb_data, body.wb_len, parts.ep_sig, &env);
        if (env.wb_err || env.wb_len != size ||
            memcmp(env.wb_data, data, size) != 0)
            abort();
        wire_buf_free(&env);
        wire_buf_free(&body);
    }
    return 0;
}
