#include "format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *cf_fmt_count(int64_t v, char *buf, size_t size)
{
    static const char suffix[] = {'k', 'M', 'G', 'T', 'P'};
    double x = (double)v;
    int neg = x < 0;
    if (neg)
        x = -x;
    if (x < 1000) {
        snprintf(buf, size, "%" PRId64, v);
        return buf;
    }
    int s = -1;
    while (x >= 1000 && s < 4) {
        x /= 1000;
        s++;
    }
    if (x >= 99.95)
        snprintf(buf, size, "%s%.0f%c", neg ? "-" : "", x, suffix[s]);
    else if (x >= 9.995)
        snprintf(buf, size, "%s%.1f%c", neg ? "-" : "", x, suffix[s]);
    else
        snprintf(buf, size, "%s%.2f%c", neg ? "-" : "", x, suffix[s]);
    return buf;
}

char *cf_fmt_bytes(int64_t v, char *buf, size_t size)
{
    static const char *unit[] = {"KiB", "MiB", "GiB", "TiB"};
    if (v < 1024) {
        snprintf(buf, size, "%" PRId64 " B", v);
        return buf;
    }
    double x = (double)v;
    int u = -1;
    while (x >= 1024 && u < 3) {
        x /= 1024;
        u++;
    }
    snprintf(buf, size, x >= 100 ? "%.0f %s" : "%.1f %s", x, unit[u]);
    return buf;
}

char *cf_fmt_grouped(int64_t v, char *buf, size_t size)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%" PRId64, v);
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    size_t nd = strlen(digits);
    char out[48];
    size_t o = 0;
    if (raw[0] == '-')
        out[o++] = '-';
    for (size_t i = 0; i < nd; i++) {
        if (i && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
    return buf;
}

char *cf_fmt_elide(const char *s, int width, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (width < 3 || n <= (size_t)width || (size_t)width >= size) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    size_t head = ((size_t)width - 1) / 2, tail = (size_t)width - 1 - head;
    memcpy(buf, s, head);
    buf[head] = '~';
    memcpy(buf + head + 1, s + n - tail, tail);
    buf[width] = '\0';
    return buf;
}
