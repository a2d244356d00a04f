/* app.c - what every use case shares: errors and their HTTP statuses. */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/key.h"
#include "storage/store.h"

int
app_fail(struct app_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    err->ae_code = code;
    err->ae_usage = 0;
    err->ae_conflict = 0;
    err->ae_field[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->ae_msg, sizeof(err->ae_msg), fmt, ap);
    va_end(ap);
    return code;
}

int
app_global_init(void)
{
    if (key_global_init() != 0)
        return ILONET_EIO;
    (void)store_global_init(); /* fails only once SQLite has started */
    return 0;
}

int
app_err_http_status(const struct app_err *err)
{
    if (err->ae_conflict)
        return 409;
    switch (err->ae_code) {
    case ILONET_EINVAL:
    case ILONET_EMALFORMED:
    case ILONET_ETOOBIG:
    case ILONET_EKIND:
    case ILONET_ENONCANON: return 400;
    case ILONET_EAUDIENCE:
    case ILONET_EDELEGATION:
    case ILONET_EUNAUTHORISED:
    case ILONET_EPERM: return 403;
    case ILONET_ENOTFOUND: return 404;
    case ILONET_EUNKNOWNAUTHOR:
    case ILONET_EFROZEN:
    case ILONET_ESELFBEHIND:
    case ILONET_EEXIST: return 409;
    case ILONET_EBUSY: return 503;
    case ILONET_EQUOTA: /* this node's disk allowance, not the request */
        return 507;
    default: return 500;
    }
}
