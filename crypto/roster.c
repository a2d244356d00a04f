/* roster.c - the trust roster: state root keys, its text file. */
#include "roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "error.h"
#include "hash.h"

int
roster_add(struct roster *r, const char *state,
           const uint8_t pk[static KEY_PK_LEN])
{
    if (!key_state_valid(state))
        return ILONET_EINVAL;
    if (roster_find(r, state))
        return ILONET_EEXIST;
    if (r->r_count >= ROSTER_MAX)
        return ILONET_ETOOBIG;
    snprintf(r->r_states[r->r_count].rs_state, KEY_STATE_MAX + 1, "%s", state);
    memcpy(r->r_states[r->r_count].rs_pk, pk, KEY_PK_LEN);
    r->r_count++;
    return 0;
}

const uint8_t *
roster_find(const struct roster *r, const char *state)
{
    for (size_t i = 0; i < r->r_count; i++)
        if (strcmp(r->r_states[i].rs_state, state) == 0)
            return r->r_states[i].rs_pk;
    return NULL;
}

int
roster_parse(const char *text, size_t len, struct roster *r)
{
    struct roster t;
    char *buf, *line, *save = NULL;
    int rc = 0;

    if (!text || !r)
        return ILONET_EINVAL;
    if (len > ROSTER_FILE_MAX)
        return ILONET_ETOOBIG;
    if (!(buf = malloc(len + 1)))
        return ILONET_ENOMEM;
    memcpy(buf, text, len);
    buf[len] = '\0';
    memset(&t, 0, sizeof(t));
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char state[KEY_STATE_MAX + 2], hex[2 * KEY_PK_LEN + 2];
        uint8_t pk[KEY_PK_LEN];

        if (line[0] == '#' || line[0] == '\0')
            continue;
        /* the state's code, the key in hex; what follows is ignored */
        if (sscanf(line, "%16s %65s", state, hex) != 2 ||
            hash_unhex(hex, pk, KEY_PK_LEN) != 0 ||
            roster_add(&t, state, pk) != 0) {
            rc = ILONET_EMALFORMED;
            break;
        }
    }
    free(buf);
    if (rc == 0)
        *r = t;
    return rc;
}

int
roster_format(const struct roster *r, char *out, size_t cap, size_t *len)
{
    size_t off;
    int n;

    if (!r || !out || !len || r->r_count > ROSTER_MAX)
        return ILONET_EINVAL;
    n = snprintf(out, cap, "# ilonet trust roster: state root public keys\n");
    if (n < 0 || (size_t)n >= cap)
        return ILONET_ETOOBIG;
    off = (size_t)n;
    for (size_t i = 0; i < r->r_count; i++) {
        char hex[2 * KEY_PK_LEN + 1];

        hash_hex(r->r_states[i].rs_pk, KEY_PK_LEN, hex);
        n = snprintf(out + off, cap - off, "%s %s\n", r->r_states[i].rs_state,
                     hex);
        if (n < 0 || (size_t)n >= cap - off)
            return ILONET_ETOOBIG;
        off += (size_t)n;
    }
    *len = off;
    return 0;
}

int
roster_load(const char *path, struct roster *r)
{
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    if ((rc = cert_read_file(path, ROSTER_FILE_MAX, &buf, &len)) != 0)
        return rc;
    rc = roster_parse((const char *)buf, len, r);
    free(buf);
    return rc;
}

int
roster_save(const char *path, const struct roster *r)
{
    char text[ROSTER_MAX * 96 + 128];
    size_t len;
    int rc;

    if ((rc = roster_format(r, text, sizeof(text), &len)) != 0)
        return rc;
    return cert_write_file(path, (const uint8_t *)text, len, 0644);
}
