/* The .npy format is a magic string, a small Python-dict header and raw
 * data. No Debian C library reads it, and the header is a fixed, tiny
 * grammar, so it is parsed here. */
#include "npy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *descr;
    cf_dtype dt;
} descrs[] = {
    {"<f4", CF_DT_FLOAT}, {"<f8", CF_DT_DOUBLE}, {"<f2", CF_DT_FLOAT16},
    {"|i1", CF_DT_INT8},  {"|u1", CF_DT_UINT8},  {"<i2", CF_DT_INT16},
    {"<u2", CF_DT_UINT16}, {"<i4", CF_DT_INT32}, {"<u4", CF_DT_UINT32},
    {"<i8", CF_DT_INT64}, {"<u8", CF_DT_UINT64}, {"|b1", CF_DT_BOOL},
};

static const char *dtype_descr(cf_dtype dt)
{
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++)
        if (descrs[i].dt == dt)
            return descrs[i].descr;
    return NULL;
}

/* The value of 'key' in the header dict, as the text after "'key':". */
static const char *dict_value(const char *hdr, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(hdr, pat);
    if (!p)
        return NULL;
    p = strchr(p + strlen(pat), ':');
    if (!p)
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

/* Whether text starts with the whole word w. */
static int is_word(const char *text, const char *w)
{
    size_t l = strlen(w);
    if (strncmp(text, w, l) != 0)
        return 0;   /* text may end before l: look at text[l] only after a match */
    char c = text[l];
    return !(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
             (c >= 'A' && c <= 'Z'));
}

/* Reads n bytes at offset *at (for messages) or sets err: a read error
 * says errno's text, an early end of file says where the file ends (errno
 * means nothing then, and strerror(0) would print "Success"). */
static int read_exact(FILE *f, void *buf, size_t n, size_t *at, const char *path,
                      const char *what, cf_error *err)
{
    size_t got = fread(buf, 1, n, f);
    *at += got;
    if (got == n)
        return 0;
    if (ferror(f))
        return cf_error_set(err, CF_EIO, "%s: cannot read the %s: %s", path, what,
                            errno ? strerror(errno) : "read error");
    return cf_error_set(err, CF_EFORMAT,
                        "%s: truncated: the file ends after %zu bytes, inside the %s", path, *at,
                        what);
}

/* The element type named by descr (the text after "'descr':", which
 * starts with a quote): "<f4", "|u1", "=i8"... */
static int parse_descr(const char *path, const char *d, cf_dtype *dt, cf_error *err)
{
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++) {
        const char *want = descrs[i].descr;
        size_t l = strlen(want);
        /* '=' and '<' both mean little-endian on the machines chipfit runs on */
        if ((strncmp(d + 1, want, l) == 0 ||
             (d[1] == '=' && strncmp(d + 2, want + 1, l - 1) == 0)) &&
            d[1 + l] == '\'') {
            *dt = descrs[i].dt;
            return 0;
        }
    }
    const char *q = strchr(d + 1, '\'');
    int len = q && q - d - 1 < 16 ? (int)(q - d - 1) : 16;
    if (d[1] == '>')
        return cf_error_set(err, CF_EUNSUPPORTED,
                            "%s: big-endian element type '%.*s' (save it little-endian)", path,
                            len, d + 1);
    return cf_error_set(err, CF_EUNSUPPORTED, "%s: element type '%.*s' not supported", path, len,
                        d + 1);
}

/* The dims of the shape tuple sh (the text after "'shape':", which starts
 * with '('): Python's "(2, 3)", "(6,)" or "()", spaces anywhere. */
static int parse_shape(const char *path, const char *sh, int64_t *dims, int *rank, cf_error *err)
{
    const char *p = sh + 1;
    int r = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == ')')
            break;
        if (*p == '\0')
            return cf_error_set(err, CF_EFORMAT, "%s: the shape tuple in the header is not closed",
                                path);
        if (*p < '0' || *p > '9')
            return cf_error_set(err, CF_EFORMAT, "%s: bad shape in header at '%.12s'", path, p);
        if (r == CF_MAX_RANK)
            return cf_error_set(err, CF_EUNSUPPORTED,
                                "%s: shape has more than %d dimensions", path, CF_MAX_RANK);
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (errno == ERANGE)
            return cf_error_set(err, CF_EFORMAT, "%s: dimension %d of the shape is too large",
                                path, r);
        dims[r++] = x;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')' && *p != '\0')
            return cf_error_set(err, CF_EFORMAT, "%s: bad shape in header at '%.12s'", path, p);
    }
    /* The tuple ends the entry: what follows is the next one or the dict's end. */
    const char *q = p + 1;
    while (*q == ' ')
        q++;
    if (*q != ',' && *q != '}')
        return cf_error_set(err, CF_EFORMAT, "%s: bad shape in header at '%.12s'", path, p);
    *rank = r;
    return 0;
}

int cf_npy_read(const char *path, cf_value *v, cf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
    unsigned char pre[12];
    char *hdr = NULL;
    unsigned char *staged = NULL;   /* the data of a pipe, read before the allocation */
    int rc;
    cf_value tmp = CF_VALUE_INIT;
    size_t at = 0;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = cf_error_set(err, CF_EIO, "%s: is a folder, not a .npy file", path);
        goto fail;
    }
    size_t got = fread(pre, 1, 10, f);
    at = got;
    if (got < 6 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        if (ferror(f))
            rc = cf_error_set(err, CF_EIO, "%s: cannot read: %s", path,
                              errno ? strerror(errno) : "read error");
        else
            rc = cf_error_set(err, CF_EFORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", path);
        goto fail;
    }
    if (got < 10 && (rc = read_exact(f, pre + got, 10 - got, &at, path, "preamble", err)))
        goto fail;
    /* 1.0: 2-byte header length; 2.0 (4 bytes) and 3.0 (4 bytes, UTF-8). */
    if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0) {
        rc = cf_error_set(err, CF_EUNSUPPORTED,
                          "%s: .npy format version %d.%d (chipfit reads 1.0, 2.0 and 3.0)", path,
                          pre[6], pre[7]);
        goto fail;
    }
    size_t hlen;
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else {
        if ((rc = read_exact(f, pre + 10, 2, &at, path, "preamble", err)))
            goto fail;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
               (size_t)pre[11] << 24;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size - at < hlen) {
        rc = cf_error_set(err, CF_EFORMAT,
                          "%s: truncated: the header says %zu bytes, the file has %llu after "
                          "the preamble",
                          path, hlen, (unsigned long long)((uint64_t)st.st_size - at));
        goto fail;
    }
    if (hlen > 1 << 20) {
        rc = cf_error_set(err, CF_EFORMAT, "%s: header of %zu bytes (not a .npy header)", path,
                          hlen);
        goto fail;
    }
    hdr = malloc(hlen + 1);
    if (!hdr) {
        rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory for the header", path);
        goto fail;
    }
    if ((rc = read_exact(f, hdr, hlen, &at, path, "header", err)))
        goto fail;
    hdr[hlen] = '\0';
    if (strlen(hdr) != hlen) {
        rc = cf_error_set(err, CF_EFORMAT, "%s: the header holds a NUL byte (not a .npy header)",
                          path);
        goto fail;
    }
    const char *d = dict_value(hdr, "descr"), *fo = dict_value(hdr, "fortran_order"),
               *sh = dict_value(hdr, "shape");
    if (!d || !fo || !sh || *d != '\'' || *sh != '(') {
        rc = cf_error_set(err, CF_EFORMAT, "%s: header lacks descr, fortran_order or shape",
                          path);
        goto fail;
    }
    if (is_word(fo, "True")) {
        rc = cf_error_set(err, CF_EUNSUPPORTED, "%s: Fortran order (save it C-contiguous)", path);
        goto fail;
    }
    if (!is_word(fo, "False")) {
        rc = cf_error_set(err, CF_EFORMAT, "%s: fortran_order is neither True nor False", path);
        goto fail;
    }
    cf_dtype dt = CF_DT_UNDEFINED;
    if ((rc = parse_descr(path, d, &dt, err)))
        goto fail;
    int64_t dims[CF_MAX_RANK];
    int rank = 0;
    if ((rc = parse_shape(path, sh, dims, &rank, err)))
        goto fail;
    /* Check the size against the file before allocating: a few corrupt
     * bytes must not ask for terabytes. */
    uint64_t need = cf_dtype_size(dt);
    for (int i = 0; i < rank; i++) {
        if (dims[i] && need > (uint64_t)INT64_MAX / (uint64_t)dims[i]) {
            rc = cf_error_set(err, CF_EFORMAT, "%s: shape in header is too large", path);
            goto fail;
        }
        need *= (uint64_t)dims[i];
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size - at < need) {
        rc = cf_error_set(err, CF_EFORMAT,
                          "%s: truncated: the shape needs %llu bytes of data, the file has %llu",
                          path, (unsigned long long)need,
                          (unsigned long long)((uint64_t)st.st_size - at));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && need > 0) {
        /* A pipe or a device has no size to check the shape against: what
         * it holds is read first, in doubling steps, so a corrupt header
         * cannot make chipfit allocate more than the stream delivers. */
        size_t cap = 0, have = 0;
        while (have < need) {
            if (have == cap) {
                size_t grow = cap ? cap * 2 : (size_t)1 << 20;
                grow = grow > need ? (size_t)need : grow;
                unsigned char *p = realloc(staged, grow);
                if (!p) {
                    rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory reading the data", path);
                    goto fail;
                }
                staged = p;
                cap = grow;
            }
            errno = 0;
            size_t k = fread(staged + have, 1, cap - have, f);
            have += k;
            at += k;
            if (k == 0) {
                rc = ferror(f) ? cf_error_set(err, CF_EIO, "%s: cannot read the data: %s", path,
                                              errno ? strerror(errno) : "read error")
                               : cf_error_set(err, CF_EFORMAT,
                                              "%s: truncated: the shape needs %llu bytes of "
                                              "data, the stream ended after %zu",
                                              path, (unsigned long long)need, have);
                goto fail;
            }
        }
    }
    rc = cf_value_alloc(&tmp, dt, rank, dims, path, err);
    if (rc)
        goto fail;
    if (staged)
        memcpy(tmp.data, staged, tmp.nbytes);
    else if (tmp.nbytes && (rc = read_exact(f, tmp.data, tmp.nbytes, &at, path, "data", err)))
        goto fail;
    free(staged);
    fclose(f);
    free(hdr);
    cf_value_clear(v);
    *v = tmp;
    return 0;
fail:
    free(staged);
    fclose(f);
    free(hdr);
    cf_value_clear(&tmp);
    return rc;
}

int cf_npy_write(const char *path, const cf_value *v, cf_error *err)
{
    const char *descr = dtype_descr(v->dtype);
    if (!descr)
        return cf_error_set(err, CF_EUNSUPPORTED, "%s: no .npy type for %s", path,
                            cf_dtype_name(v->dtype));
    char shape[256] = "(";
    size_t used = 1;
    for (int i = 0; i < v->rank; i++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%" PRId64 "%s", v->dims[i],
                                 v->rank == 1 ? "," : (i + 1 < v->rank ? ", " : ""));
    snprintf(shape + used, sizeof shape - used, ")");
    char dict[400];
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      descr, shape);
    /* magic(6) + version(2) + len(2) + dict + padding + '\n' is a multiple of 64 */
    size_t total = 10 + (size_t)dl + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)dl + pad + 1;
    char tmp_path[4096];
    if (snprintf(tmp_path, sizeof tmp_path, "%s.tmp", path) >= (int)sizeof tmp_path)
        return cf_error_set(err, CF_EINVAL, "%s: path too long", path);
    FILE *f = fopen(tmp_path, "wb");
    if (!f)
        return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    errno = 0;
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(dict, 1, (size_t)dl, f) == (size_t)dl;
    for (size_t i = 0; ok && i < pad; i++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    ok = ok && (v->nbytes == 0 || fwrite(v->data, 1, v->nbytes, f) == v->nbytes);
    int e = ok ? 0 : errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp_path, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        remove(tmp_path);
        /* errno is 0 after a short write that set none: never print "Success" */
        return cf_error_set(err, CF_EIO, "%s: cannot write: %s", path,
                            e ? strerror(e) : "short write");
    }
    return 0;
}
