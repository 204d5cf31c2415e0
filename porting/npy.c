/* The .npy format is a magic string, a small Python-dict header and raw
 * data. No Debian C library reads it, and the header is a fixed, tiny
 * grammar, so it is parsed here. */
#include "npy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cf_npy_read(const char *path, cf_value *v, cf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
    unsigned char pre[10];
    char *hdr = NULL;
    int rc = CF_EFORMAT;
    cf_value tmp = CF_VALUE_INIT;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        cf_error_set(err, CF_EFORMAT, "%s: not a .npy file", path);
        goto fail;
    }
    size_t hlen;
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else {
        unsigned char b[2];
        if (fread(b, 1, 2, f) != 2) {
            cf_error_set(err, CF_EFORMAT, "%s: truncated header", path);
            goto fail;
        }
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)b[0] << 16 | (size_t)b[1] << 24;
    }
    if (hlen > 1 << 20) {
        cf_error_set(err, CF_EFORMAT, "%s: header of %zu bytes", path, hlen);
        goto fail;
    }
    hdr = malloc(hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen) {
        cf_error_set(err, CF_EFORMAT, "%s: truncated header", path);
        goto fail;
    }
    hdr[hlen] = '\0';
    const char *d = dict_value(hdr, "descr"), *fo = dict_value(hdr, "fortran_order"),
               *sh = dict_value(hdr, "shape");
    if (!d || !fo || !sh || *d != '\'' || *sh != '(') {
        cf_error_set(err, CF_EFORMAT, "%s: header lacks descr, fortran_order or shape", path);
        goto fail;
    }
    if (strncmp(fo, "True", 4) == 0) {
        cf_error_set(err, CF_EUNSUPPORTED, "%s: Fortran order (save it C-contiguous)", path);
        goto fail;
    }
    cf_dtype dt = CF_DT_UNDEFINED;
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++) {
        size_t l = strlen(descrs[i].descr);
        /* '=' and '<' both mean little-endian on the machines chipfit runs on */
        if (strncmp(d + 1, descrs[i].descr, l) == 0 ||
            (d[1] == '=' && strncmp(d + 2, descrs[i].descr + 1, l - 1) == 0))
            dt = descrs[i].dt;
    }
    if (dt == CF_DT_UNDEFINED) {
        cf_error_set(err, CF_EUNSUPPORTED, "%s: element type %.8s not supported", path, d);
        goto fail;
    }
    int64_t dims[CF_MAX_RANK];
    int rank = 0;
    const char *p = sh + 1;
    while (*p && *p != ')') {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        long long x = strtoll(p, &end, 10);
        if (end == p || x < 0 || rank == CF_MAX_RANK) {
            cf_error_set(err, CF_EFORMAT, "%s: bad shape in header", path);
            goto fail;
        }
        dims[rank++] = x;
        p = end;
    }
    rc = cf_value_alloc(&tmp, dt, rank, dims, path, err);
    if (rc)
        goto fail;
    rc = CF_EFORMAT;
    if (tmp.nbytes && fread(tmp.data, 1, tmp.nbytes, f) != tmp.nbytes) {
        cf_error_set(err, CF_EFORMAT, "%s: data is shorter than its shape says", path);
        goto fail;
    }
    fclose(f);
    free(hdr);
    cf_value_clear(v);
    *v = tmp;
    return 0;
fail:
    fclose(f);
    free(hdr);
    cf_value_clear(&tmp);
    return err && err->code ? err->code : rc;
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
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(dict, 1, (size_t)dl, f) == (size_t)dl;
    for (size_t i = 0; ok && i < pad; i++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    ok = ok && (v->nbytes == 0 || fwrite(v->data, 1, v->nbytes, f) == v->nbytes);
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp_path, path) != 0) {
        int e = errno;
        remove(tmp_path);
        return cf_error_set(err, CF_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}
