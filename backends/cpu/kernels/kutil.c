#include "kutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int cf_bcast_shape(const cf_kernel_call *c, const cf_value *const *v, int n, int *rank,
                   int64_t *dims, cf_error *err)
{
    int r = 0;
    for (int i = 0; i < n; i++)
        if (v[i] && v[i]->rank > r)
            r = v[i]->rank;
    for (int d = 0; d < r; d++)
        dims[d] = 1;
    for (int i = 0; i < n; i++) {
        if (!v[i])
            continue;
        int off = r - v[i]->rank;
        for (int d = 0; d < v[i]->rank; d++) {
            int64_t a = dims[off + d], b = v[i]->dims[d];
            if (a == b || b == 1)
                continue;
            if (a == 1) {
                dims[off + d] = b;
                continue;
            }
            char s1[96], s2[96];
            return cf_kernel_error(c, err, CF_EINVAL,
                                   "input shapes %s and %s do not broadcast (axis %d: %" PRId64
                                   " vs %" PRId64 ")",
                                   cf_value_format(v[0], s1, sizeof s1),
                                   cf_value_format(v[i], s2, sizeof s2), off + d, a, b);
        }
    }
    *rank = r;
    return 0;
}

void cf_bcast_strides(const cf_value *v, int rank, const int64_t *dims, int64_t *strides)
{
    int off = rank - v->rank;
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        if (d < off) {
            strides[d] = 0;
            continue;
        }
        int64_t vd = v->dims[d - off];
        strides[d] = (vd == 1 && dims[d] != 1) ? 0 : s;
        s *= vd;
    }
}

void cf_nditer_init(cf_nditer *it, int rank, const int64_t *dims, int n_ops,
                    const int64_t *const *strides)
{
    memset(it, 0, sizeof *it);
    it->rank = rank;
    it->n_ops = n_ops;
    for (int d = 0; d < rank; d++)
        it->dims[d] = dims[d];
    for (int o = 0; o < n_ops; o++)
        for (int d = 0; d < rank; d++)
            it->strides[o][d] = strides[o][d];
}

void cf_nditer_next(cf_nditer *it)
{
    for (int d = it->rank - 1; d >= 0; d--) {
        if (++it->idx[d] < it->dims[d]) {
            for (int o = 0; o < it->n_ops; o++)
                it->off[o] += it->strides[o][d];
            return;
        }
        it->idx[d] = 0;
        for (int o = 0; o < it->n_ops; o++)
            it->off[o] -= it->strides[o][d] * (it->dims[d] - 1);
    }
}

int cf_axis(const cf_kernel_call *c, int64_t axis, int rank, int *out, cf_error *err)
{
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= (rank ? rank : 1))
        return cf_kernel_error(c, err, CF_EINVAL, "axis %" PRId64 " out of range for rank %d",
                               axis, rank);
    *out = (int)a;
    return 0;
}

int cf_value_ints(const cf_kernel_call *c, const cf_value *v, const char *what, int64_t *out,
                  int64_t max, int64_t *n, cf_error *err)
{
    int64_t cnt = cf_value_numel(v);
    if (v->dtype != CF_DT_INT64 && v->dtype != CF_DT_INT32)
        return cf_kernel_error(c, err, CF_EINVAL, "%s must be int64 or int32, got %s", what,
                               cf_dtype_name(v->dtype));
    if (cnt > max)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s has %" PRId64 " values (at most %" PRId64 ")",
                               what, cnt, max);
    for (int64_t i = 0; i < cnt; i++)
        out[i] = v->dtype == CF_DT_INT64 ? ((const int64_t *)v->data)[i]
                                         : ((const int32_t *)v->data)[i];
    *n = cnt;
    return 0;
}

void cf_values_to_f32(const cf_value *v, float *dst)
{
    int64_t n = cf_value_numel(v);
    if (v->dtype == CF_DT_FLOAT) {
        memcpy(dst, v->data, (size_t)n * sizeof *dst);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        dst[i] = (float)cf_value_get_f64(v, i);
}

void cf_values_from_f32(cf_value *v, const float *src)
{
    int64_t n = cf_value_numel(v);
    if (v->dtype == CF_DT_FLOAT) {
        memcpy(v->data, src, (size_t)n * sizeof *src);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        cf_value_set_f64(v, i, src[i]);
}

int cf_is_float_type(cf_dtype dt)
{
    return dt == CF_DT_FLOAT || dt == CF_DT_DOUBLE || dt == CF_DT_FLOAT16 || dt == CF_DT_BFLOAT16;
}

int cf_is_int_type(cf_dtype dt)
{
    switch (dt) {
    case CF_DT_INT8: case CF_DT_UINT8: case CF_DT_INT16: case CF_DT_UINT16:
    case CF_DT_INT32: case CF_DT_UINT32: case CF_DT_INT64: case CF_DT_UINT64:
        return 1;
    default:
        return 0;
    }
}

int cf_kernel_check_attrs(const cf_node *n, const char *const *known, cf_error *err)
{
    for (int a = 0; a < n->n_attrs; a++) {
        int ok = 0;
        for (int k = 0; known[k] && !ok; k++)
            ok = strcmp(n->attrs[a].name, known[k]) == 0;
        if (!ok)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s not supported",
                                           n->attrs[a].name);
    }
    return 0;
}

void cf_par_ranges(int64_t n, int threads, int64_t min_part,
                   void (*fn)(void *ctx, int64_t begin, int64_t end), void *ctx)
{
    if (min_part < 1)
        min_part = 1;
    int64_t parts = threads > 1 ? n / min_part : 1;
    if (parts > threads)
        parts = threads;
    if (parts <= 1) {
        if (n > 0)
            fn(ctx, 0, n);
        return;
    }
    /* Long parts start on a 64-byte boundary of float32 data. */
    int64_t step = (n + parts - 1) / parts;
    if (step >= 1024)
        step = (step + 15) & ~(int64_t)15;
    int nt = (int)parts;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int k = 0; k < nt; k++) {
        int64_t b = k * step, e = b + step < n ? b + step : n;
        if (b < e)
            fn(ctx, b, e);
    }
}
