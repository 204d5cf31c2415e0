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

/* Bytes in the UTF-8 sequence that starts with c (a stray continuation
 * byte counts as one, so a broken string still advances). */
static size_t utf8_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Byte offset of code point k of s (or the end of s, whichever is first). */
static size_t utf8_offset(const char *s, size_t k)
{
    size_t b = 0;
    for (size_t i = 0; i < k && s[b]; i++) {
        size_t len = utf8_len((unsigned char)s[b]);
        for (size_t j = 1; j < len; j++)
            if (!s[b + j])
                len = j;
        b += len;
    }
    return b;
}

/* Widths count code points (one column each: chipfit writes no wide
 * characters), so a name or message with "µs" in it is never cut inside a
 * character. */
char *cf_fmt_elide(const char *s, int width, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t b = 0; s[b]; b = utf8_offset(s + b, 1) + b)
        n++;
    if (width < 3 || n <= (size_t)width) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    size_t head = ((size_t)width - 1) / 2, tail = (size_t)width - 1 - head;
    size_t hb = utf8_offset(s, head), tb = utf8_offset(s, n - tail), tl = strlen(s + tb);
    if (hb + 1 + tl >= size) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    memcpy(buf, s, hb);
    buf[hb] = '~';
    memcpy(buf + hb + 1, s + tb, tl + 1);
    return buf;
}

/* Shortens a path (a word with "/" in it: len code points, tail of them
 * from its last "/" on) to width: the directories lose their middle, the
 * file name stays while it fits. */
static void elide_path(const char *w, size_t len, size_t tail, size_t width, char *buf,
                       size_t size)
{
    char word[1024];
    snprintf(word, sizeof word, "%.*s", (int)utf8_offset(w, len), w);
    if (width >= tail + 2 && width < len) {
        size_t hb = utf8_offset(word, width - tail - 1), tb = utf8_offset(word, len - tail);
        snprintf(buf, size, "%.*s~%s", (int)hb, word, word + tb);
        return;
    }
    cf_fmt_elide(word, (int)width, buf, size);
}

/* Fitting a message: a path is most often the longest part, and the words
 * around it say what happened and why; so the longest word with a "/" in
 * it gives up its directories first (its file name stays, and 9 characters
 * at least), and then the message loses its end (the head says what
 * happened). */
char *cf_fmt_fit(const char *s, int width, char *buf, size_t size)
{
    size_t n = 0, best = 0, best_len = 0, best_tail = 0, word = 0, word_len = 0, tail = 0;
    int slash = 0;
    for (size_t b = 0; s[b]; b = utf8_offset(s + b, 1) + b, n++) {
        if (s[b] == ' ') {
            word_len = 0;
            continue;
        }
        if (word_len++ == 0) {
            word = b;
            slash = 0;
        }
        tail = s[b] == '/' ? 1 : tail + 1;
        slash |= s[b] == '/';
        if (slash && word_len > best_len) {
            best = word;
            best_len = word_len;
            best_tail = tail;
        }
    }
    if (width < 3 || n <= (size_t)width)
        return cf_fmt_elide(s, width, buf, size);
    size_t over = n - (size_t)width;
    size_t keep = best_tail + 2 > 9 ? best_tail + 2 : 9;
    size_t give = best_len > keep ? best_len - keep : 0;
    give = give < over ? give : over;
    char tmp[2048];
    const char *t = s;
    if (give > 0) {
        char e[1024];
        size_t wb = utf8_offset(s + best, best_len);
        elide_path(s + best, best_len, best_tail, best_len - give, e, sizeof e);
        int k = snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)best, s, e, s + best + wb);
        if (k >= 0 && (size_t)k < sizeof tmp) {
            t = tmp;
            n -= give;
        }
    }
    if (n <= (size_t)width) {
        snprintf(buf, size, "%s", t);
        return buf;
    }
    /* still too wide: the first width - 1 characters and a "~" */
    size_t cut = utf8_offset(t, (size_t)width - 1);
    snprintf(buf, size, "%.*s~", (int)cut, t);
    return buf;
}
