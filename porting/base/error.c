#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cf_error_clear(cf_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int cf_error_set(cf_error *err, int code, const char *fmt, ...)
{
    if (!err || err->code != 0)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void cf_error_prefix(cf_error *err, const char *fmt, ...)
{
    if (!err || err->code == 0)
        return;
    char head[CF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* head + ": " + old message, cut at the buffer's end. */
    char joined[CF_ERROR_MSG_MAX];
    size_t hl = strlen(head);
    if (hl > sizeof joined - 3)
        hl = sizeof joined - 3;
    memcpy(joined, head, hl);
    memcpy(joined + hl, ": ", 2);
    size_t room = sizeof joined - hl - 3;
    size_t ml = strnlen(err->msg, room);
    memcpy(joined + hl + 2, err->msg, ml);
    joined[hl + 2 + ml] = '\0';
    memcpy(err->msg, joined, sizeof err->msg);
}

const char *cf_error_code_name(int code)
{
    switch (code) {
    case CF_OK: return "ok";
    case CF_ENOMEM: return "out of memory";
    case CF_EIO: return "I/O error";
    case CF_EFORMAT: return "bad format";
    case CF_EINVAL: return "invalid argument";
    case CF_EUNSUPPORTED: return "unsupported";
    case CF_ECHECK: return "invalid model";
    case CF_ENOTFOUND: return "not found";
    case CF_EINTERNAL: return "internal error";
    case CF_ECANCELED: return "canceled";
    default: return "unknown error";
    }
}
