#include "value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t cf_value_numel(const cf_value *v)
{
    int64_t n = 1;
    for (int i = 0; i < v->rank; i++)
        n *= v->dims[i];
    return n;
}

void cf_value_clear(cf_value *v)
{
    if (!v)
        return;
    if (!v->borrowed)
        free(v->data);
    cf_value z = CF_VALUE_INIT;
    *v = z;
}

int cf_value_alloc(cf_value *v, cf_dtype dt, int rank, const int64_t *dims, const char *what,
                   cf_error *err)
{
    cf_value_clear(v);
    size_t esz = cf_dtype_size(dt);
    if (esz == 0)
        return cf_error_set(err, CF_EUNSUPPORTED, "%s: element type %s is not supported here",
                            what, cf_dtype_name(dt));
    if (rank < 0 || rank > CF_MAX_RANK)
        return cf_error_set(err, CF_EUNSUPPORTED, "%s: rank %d (chipfit handles up to %d)", what,
                            rank, CF_MAX_RANK);
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return cf_error_set(err, CF_EINVAL, "%s: dimension %d is negative (%" PRId64 ")",
                                what, i, dims[i]);
        if (dims[i] && n > INT64_MAX / dims[i] / (int64_t)esz)
            return cf_error_set(err, CF_ENOMEM, "%s: tensor too large", what);
        n *= dims[i];
        v->dims[i] = dims[i];
    }
    v->dtype = dt;
    v->rank = rank;
    v->nbytes = (size_t)n * esz;
    v->borrowed = 0;
    if (n > 0) {
        v->data = calloc((size_t)n, esz);
        if (!v->data) {
            v->nbytes = 0;
            return cf_error_set(err, CF_ENOMEM, "%s: out of memory for %" PRId64 " elements",
                                what, n);
        }
    }
    return 0;
}

void cf_value_view(cf_value *v, cf_dtype dt, int rank, const int64_t *dims, void *data)
{
    v->dtype = dt;
    v->rank = rank;
    for (int i = 0; i < rank; i++)
        v->dims[i] = dims[i];
    v->data = data;
    v->nbytes = (size_t)cf_value_numel(v) * cf_dtype_size(dt);
    v->borrowed = 1;
    v->layout = CF_LAYOUT_PLAIN;
}

int cf_value_copy(cf_value *dst, const cf_value *src, cf_error *err)
{
    cf_value tmp = CF_VALUE_INIT;
    int rc = cf_value_alloc(&tmp, src->dtype, src->rank, src->dims, "copy", err);
    if (rc)
        return rc;
    if (src->nbytes)
        memcpy(tmp.data, src->data, src->nbytes);
    tmp.layout = src->layout;
    cf_value_clear(dst);
    *dst = tmp;
    return 0;
}

int cf_value_from_tensor(cf_value *v, const cf_tensor *t, cf_error *err)
{
    if (t->dtype == CF_DT_STRING)
        return cf_error_set(err, CF_EUNSUPPORTED, "tensor %s: string tensors are not supported",
                            t->name);
    if (t->shape.rank < 0 || t->shape.rank > CF_MAX_RANK)
        return cf_error_set(err, CF_EUNSUPPORTED, "tensor %s: rank %d not supported", t->name,
                            t->shape.rank);
    int64_t dims[CF_MAX_RANK];
    for (int i = 0; i < t->shape.rank; i++) {
        if (t->shape.dims[i].value < 0)
            return cf_error_set(err, CF_ECHECK, "tensor %s: constant with unknown dimension",
                                t->name);
        dims[i] = t->shape.dims[i].value;
    }
    cf_value_view(v, t->dtype, t->shape.rank, dims, t->data);
    if (v->nbytes != t->nbytes)
        return cf_error_set(err, CF_ECHECK,
                            "tensor %s: %zu bytes of data for shape needing %zu", t->name,
                            t->nbytes, v->nbytes);
    return 0;
}

char *cf_value_format(const cf_value *v, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "%s[", cf_dtype_name(v->dtype));
    for (int i = 0; i < v->rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64, i ? "x" : "", v->dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

float cf_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) {
                man <<= 1;
                exp--;
            }
            man &= 0x3ff;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* float32 to IEEE half, round to nearest even; overflow to inf, NaN kept. */
uint16_t cf_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
    if (exp == 0xff)
        return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0));
    int32_t e = (int32_t)exp - 127 + 15;
    if (e >= 31)
        return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10)
            return (uint16_t)sign;
        man |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - e);
        uint32_t half = man >> shift;
        uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (man >> 13);
    uint32_t rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1)))
        half++;   /* a carry into the exponent is the right rounding */
    return (uint16_t)half;
}

float cf_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

uint16_t cf_f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((x >> 16) | 0x40u);  /* quiet NaN */
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

double cf_value_get_f64(const cf_value *v, int64_t i)
{
    const void *p = v->data;
    switch (v->dtype) {
    case CF_DT_FLOAT: return ((const float *)p)[i];
    case CF_DT_DOUBLE: return ((const double *)p)[i];
    case CF_DT_FLOAT16: return cf_f16_to_f32(((const uint16_t *)p)[i]);
    case CF_DT_BFLOAT16: return cf_bf16_to_f32(((const uint16_t *)p)[i]);
    case CF_DT_INT8: return ((const int8_t *)p)[i];
    case CF_DT_UINT8: return ((const uint8_t *)p)[i];
    case CF_DT_BOOL: return ((const uint8_t *)p)[i] != 0;
    case CF_DT_INT16: return ((const int16_t *)p)[i];
    case CF_DT_UINT16: return ((const uint16_t *)p)[i];
    case CF_DT_INT32: return ((const int32_t *)p)[i];
    case CF_DT_UINT32: return ((const uint32_t *)p)[i];
    case CF_DT_INT64: return (double)((const int64_t *)p)[i];
    case CF_DT_UINT64: return (double)((const uint64_t *)p)[i];
    default: return 0;
    }
}

/* Float to integer is undefined in C when the truncated value does not fit
 * (NaN and infinities never do): every such conversion goes through these,
 * which give NaN as 0 and saturate at the type's limits. 2^63 and 2^64 are
 * exact doubles, so the comparisons below are exact. */
static int64_t f64_to_i64(double x)
{
    if (isnan(x))
        return 0;
    if (x >= 9223372036854775808.0)
        return INT64_MAX;
    if (x < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)x;
}

static uint64_t f64_to_u64(double x)
{
    if (isnan(x) || x <= 0)
        return 0;
    if (x >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)x;
}

/* x clamped into a 32-bit-or-narrower integer type's range (NaN to 0). */
static double clamp_to(cf_dtype dt, double x)
{
    double lo, hi;
    switch (dt) {
    case CF_DT_INT8: lo = -128; hi = 127; break;
    case CF_DT_UINT8: lo = 0; hi = 255; break;
    case CF_DT_INT16: lo = -32768; hi = 32767; break;
    case CF_DT_UINT16: lo = 0; hi = 65535; break;
    case CF_DT_INT32: lo = -2147483648.0; hi = 2147483647.0; break;
    case CF_DT_UINT32: lo = 0; hi = 4294967295.0; break;
    default: return x;
    }
    if (isnan(x))
        return 0;
    return x < lo ? lo : x > hi ? hi : x;
}

void cf_value_set_f64(cf_value *v, int64_t i, double x)
{
    void *p = v->data;
    x = clamp_to(v->dtype, x);
    switch (v->dtype) {
    case CF_DT_FLOAT: ((float *)p)[i] = (float)x; break;
    case CF_DT_DOUBLE: ((double *)p)[i] = x; break;
    case CF_DT_FLOAT16: ((uint16_t *)p)[i] = cf_f32_to_f16((float)x); break;
    case CF_DT_BFLOAT16: ((uint16_t *)p)[i] = cf_f32_to_bf16((float)x); break;
    case CF_DT_BOOL: ((uint8_t *)p)[i] = x != 0; break;
    /* Float to integer truncates toward zero, as C and ONNX's Cast do. */
    case CF_DT_INT8: ((int8_t *)p)[i] = (int8_t)x; break;
    case CF_DT_UINT8: ((uint8_t *)p)[i] = (uint8_t)x; break;
    case CF_DT_INT16: ((int16_t *)p)[i] = (int16_t)x; break;
    case CF_DT_UINT16: ((uint16_t *)p)[i] = (uint16_t)x; break;
    case CF_DT_INT32: ((int32_t *)p)[i] = (int32_t)x; break;
    case CF_DT_UINT32: ((uint32_t *)p)[i] = (uint32_t)x; break;
    case CF_DT_INT64: ((int64_t *)p)[i] = f64_to_i64(x); break;
    case CF_DT_UINT64: ((uint64_t *)p)[i] = f64_to_u64(x); break;
    default: break;
    }
}

int64_t cf_value_get_i64(const cf_value *v, int64_t i)
{
    switch (v->dtype) {
    case CF_DT_INT64: return ((const int64_t *)v->data)[i];
    case CF_DT_UINT64: {
        /* The bit pattern, spelled without the implementation-defined
         * unsigned-to-signed conversion. */
        uint64_t u = ((const uint64_t *)v->data)[i];
        return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
    }
    case CF_DT_INT32: return ((const int32_t *)v->data)[i];
    case CF_DT_UINT32: return ((const uint32_t *)v->data)[i];
    default: return f64_to_i64(cf_value_get_f64(v, i));
    }
}

int cf_value_compare(const cf_value *got, const cf_value *want, double rtol, double atol,
                     double *max_abs, char *why, size_t why_size)
{
    char a[128], b[128];
    if (max_abs)
        *max_abs = 0;
    if (got->dtype != want->dtype || got->rank != want->rank) {
        snprintf(why, why_size, "got %s, want %s", cf_value_format(got, a, sizeof a),
                 cf_value_format(want, b, sizeof b));
        return 1;
    }
    for (int i = 0; i < got->rank; i++)
        if (got->dims[i] != want->dims[i]) {
            snprintf(why, why_size, "got %s, want %s", cf_value_format(got, a, sizeof a),
                     cf_value_format(want, b, sizeof b));
            return 1;
        }
    int floating = got->dtype == CF_DT_FLOAT || got->dtype == CF_DT_DOUBLE ||
                   got->dtype == CF_DT_FLOAT16 || got->dtype == CF_DT_BFLOAT16;
    int64_t n = cf_value_numel(got);
    int bad = 0;
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        int mismatch;
        double x, y;
        if (floating) {
            x = cf_value_get_f64(got, i);
            y = cf_value_get_f64(want, i);
            if (isnan(y) || isnan(x))
                mismatch = !(isnan(x) && isnan(y));
            else if (isinf(y) || isinf(x))
                mismatch = x != y;
            else {
                double d = fabs(x - y);
                worst = d > worst ? d : worst;
                mismatch = d > atol + rtol * fabs(y);
            }
        } else {
            int64_t p = cf_value_get_i64(got, i), q = cf_value_get_i64(want, i);
            x = cf_value_get_f64(got, i);   /* uint64 above INT64_MAX shown as itself */
            y = cf_value_get_f64(want, i);
            mismatch = p != q;
            if (mismatch) {
                double d = fabs(x - y);
                worst = d > worst ? d : worst;
            }
        }
        if (mismatch && !bad) {
            bad = 1;
            snprintf(why, why_size, "element %" PRId64 " of %" PRId64 ": got %.9g, want %.9g", i, n,
                     x, y);
        }
    }
    if (max_abs)
        *max_abs = worst;
    return bad;
}
