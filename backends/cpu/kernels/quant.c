/* quant.c — linear (de)quantization and the integer conv/matmul ops.
 *
 * The integer ops all work the same way: inputs are widened to int32 with
 * their zero points already subtracted (scalar, per row, per column or per
 * output channel), the product is accumulated exactly in 64 bits, and the
 * QLinear ops requantize the sum (round half to even, saturate). Widening
 * first costs memory but keeps every inner loop a plain int32 loop whatever
 * the mix of uint8/int8 operands.
 *
 * QuantizeLinear and DequantizeLinear between float32 and uint8/int8 (what
 * int8 CNNs run around every float layer), and DynamicQuantizeLinear, have
 * fast paths: one vectorised loop per run of elements sharing a scale and
 * zero point, split over the threads for large tensors, bit for bit what
 * the general loops compute. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kutil.h"

/* ---- shared checks --------------------------------------------------------- */


static cf_dtype in_dtype(const cf_graph *g, const cf_node *n, int i)
{
    const cf_tensor *t = cf_node_input(g, n, i);
    return t ? t->dtype : CF_DT_UNDEFINED;
}

/* 1 when dt is UNDEFINED (not known before run) or one of the list. */
static int dtype_in(cf_dtype dt, const cf_dtype *ok, int n)
{
    if (dt == CF_DT_UNDEFINED)
        return 1;
    for (int i = 0; i < n; i++)
        if (dt == ok[i])
            return 1;
    return 0;
}

static int check_input_type(const cf_graph *g, const cf_node *n, int i, const char *what,
                            const cf_dtype *ok, int n_ok, cf_error *err)
{
    cf_dtype dt = in_dtype(g, n, i);
    if (!dtype_in(dt, ok, n_ok))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%s of type %s not supported",
                                       what, cf_dtype_name(dt));
    return 0;
}

static int run_type_ok(const cf_kernel_call *c, const cf_value *v, const char *what,
                       const cf_dtype *ok, int n_ok, cf_error *err)
{
    for (int i = 0; i < n_ok; i++)
        if (v->dtype == ok[i])
            return 0;
    return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s of type %s not supported", what,
                           cf_dtype_name(v->dtype));
}

static const cf_dtype Q8[] = {CF_DT_UINT8, CF_DT_INT8};
static const cf_dtype QOUT[] = {CF_DT_UINT8, CF_DT_INT8, CF_DT_UINT16, CF_DT_INT16};
static const cf_dtype SCALE[] = {CF_DT_FLOAT, CF_DT_FLOAT16, CF_DT_BFLOAT16};

/* Round half to even (the default FP rounding mode) and clamp to dt's range. */
static int64_t saturate(double v, cf_dtype dt)
{
    double lo = 0, hi = 255;
    switch (dt) {
    case CF_DT_INT8: lo = -128; hi = 127; break;
    case CF_DT_UINT16: lo = 0; hi = 65535; break;
    case CF_DT_INT16: lo = -32768; hi = 32767; break;
    case CF_DT_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    default: break;
    }
    if (isnan(v))
        return 0;
    return (int64_t)(v < lo ? lo : v > hi ? hi : v);
}

static void store_int(void *data, cf_dtype dt, int64_t i, int64_t v)
{
    switch (dt) {
    case CF_DT_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case CF_DT_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
    case CF_DT_UINT16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case CF_DT_INT16: ((int16_t *)data)[i] = (int16_t)v; break;
    case CF_DT_INT32: ((int32_t *)data)[i] = (int32_t)v; break;
    default: break;
    }
}

/* ---- quantization parameters -------------------------------------------- */

/* A scale and zero point, per tensor (n == 1) or per slice along one axis:
 * element i of the quantized tensor uses entry (i / inner) % n. */
typedef struct qparams {
    float *scale;     /* n entries */
    int32_t *zp;      /* n entries (zeros when the zero point is omitted) */
    int64_t n, inner;
} qparams;

static void qparams_free(qparams *q)
{
    free(q->scale);
    free(q->zp);
    q->scale = NULL;
    q->zp = NULL;
}

static int64_t inner_after(const cf_value *v, int axis)
{
    int64_t in = 1;
    for (int d = axis + 1; d < v->rank; d++)
        in *= v->dims[d];
    return in;
}

/* Reads scale (may be NULL: 1.0) and zero point (may be NULL: 0) for x,
 * per tensor when they hold one value, else along `axis` of x. */
static int qparams_load(const cf_kernel_call *c, const cf_value *x, int axis,
                        const cf_value *scale, const cf_value *zp, const char *what,
                        qparams *q, cf_error *err)
{
    memset(q, 0, sizeof *q);
    int64_t ns = scale ? cf_value_numel(scale) : 1, nz = zp ? cf_value_numel(zp) : 1;
    int64_t n = ns > nz ? ns : nz;
    if ((ns != 1 && ns != n) || (nz != 1 && nz != n))
        return cf_kernel_error(c, err, CF_EINVAL, "%s scale (%" PRId64 ") and zero point (%" PRId64
                               ") sizes differ", what, ns, nz);
    if ((scale && scale->rank > 1 && ns != 1) || (zp && zp->rank > 1 && nz != 1))
        return cf_kernel_error(c, err, CF_EUNSUPPORTED,
                               "%s scale/zero point must be a scalar or 1-D (blocked "
                               "quantization is not supported)", what);
    if (n > 1) {
        if (axis < 0 || axis >= x->rank || x->dims[axis] != n)
            return cf_kernel_error(c, err, CF_EINVAL,
                                   "%s has %" PRId64 " scales but the quantized axis has %" PRId64,
                                   what, n, (axis >= 0 && axis < x->rank) ? x->dims[axis] : 1);
        q->inner = inner_after(x, axis);
    } else {
        q->inner = 1;
    }
    if (scale && !cf_is_float_type(scale->dtype))
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s scale of type %s not supported",
                               what, cf_dtype_name(scale->dtype));
    if (zp && !cf_is_int_type(zp->dtype))
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s zero point of type %s not supported",
                               what, cf_dtype_name(zp->dtype));
    q->n = n;
    q->scale = malloc((size_t)n * sizeof *q->scale);
    q->zp = malloc((size_t)n * sizeof *q->zp);
    if (!q->scale || !q->zp) {
        qparams_free(q);
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < n; i++) {
        q->scale[i] = scale ? (float)cf_value_get_f64(scale, ns == 1 ? 0 : i) : 1.0f;
        q->zp[i] = zp ? (int32_t)cf_value_get_i64(zp, nz == 1 ? 0 : i) : 0;
    }
    return 0;
}

static inline int64_t qidx(const qparams *q, int64_t i)
{
    return q->n == 1 ? 0 : (i / q->inner) % q->n;
}

/* x widened to int32 with its zero point subtracted; caller frees. */
static int32_t *centered(const cf_kernel_call *c, const cf_value *x, const qparams *q,
                         cf_error *err)
{
    int64_t n = cf_value_numel(x);
    int32_t *o = malloc((size_t)(n ? n : 1) * sizeof *o);
    if (!o) {
        cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) {
        int32_t v = x->dtype == CF_DT_UINT8 ? ((const uint8_t *)x->data)[i]
                                            : ((const int8_t *)x->data)[i];
        o[i] = v - q->zp[qidx(q, i)];
    }
    return o;
}

/* ---- fast paths: float32 <-> uint8/int8 ------------------------------------ */

/* x / scale rounded half to even, plus zp, saturated to [qmin, qmax], NaN to
 * 0: the general loop's result (saturate(nearbyint(x / scale) + zp)) in
 * float32 only. The quotient is the same float division. Clamping it to
 * [lo, hi] = [qmin - zp, qmax - zp] before rounding gives what clamping
 * after does (rounding is monotonic and keeps those integers), and leaves
 * |v| < 2^22, where adding and subtracting 1.5 * 2^23 rounds to an integer
 * as nearbyint does in the default rounding mode (the sum's last bit has
 * weight 1, and 1.5 * 2^23 is even, so its ties go to the even integer).
 * No -ffast-math, so the compiler keeps the pair; both are plain SIMD
 * additions where nearbyintf needs SSE4.1. The result is an integer that
 * converts exactly. */
static inline float q8_value(float x, float scale, float lo, float hi, float zp)
{
    float v = x / scale;
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    v = v == v ? v : -zp;   /* NaN (both comparisons false): 0 once zp is back */
    v = (v + 0x1.8p23f) - 0x1.8p23f;
    return v + zp;
}

/* The loops, for uint8 (u8) and int8 (i8). span: one scale and zero point
 * (lo and hi as q8_value wants them). each: an entry of sc[] and zp[] per
 * element, for per-axis parameters that change every few elements (the
 * last axis, say), where a span call per run would cost more than the run. */
#define Q8_LOOPS(T, sfx, qmin, qmax)                                                     \
    CF_HOT_LOOP static void q8_span_##sfx(const float *x, T *y, int64_t n, float sc,    \
                                          float lo, float hi, float zp)                 \
    {                                                                                   \
        for (int64_t i = 0; i < n; i++)                                                 \
            y[i] = (T)(int32_t)q8_value(x[i], sc, lo, hi, zp);                          \
    }                                                                                   \
    CF_HOT_LOOP static void q8_each_##sfx(const float *x, T *y, int64_t n,              \
                                          const float *sc, const float *zp)             \
    {                                                                                   \
        for (int64_t i = 0; i < n; i++)                                                 \
            y[i] = (T)(int32_t)q8_value(x[i], sc[i], qmin - zp[i], qmax - zp[i], zp[i]); \
    }                                                                                   \
    /* (x - zp) * scale, as the general loop: the difference is exact in float */       \
    CF_HOT_LOOP static void dq8_span_##sfx(const T *x, float *y, int64_t n, float sc,   \
                                           float zp)                                    \
    {                                                                                   \
        for (int64_t i = 0; i < n; i++)                                                 \
            y[i] = ((float)x[i] - zp) * sc;                                             \
    }                                                                                   \
    CF_HOT_LOOP static void dq8_each_##sfx(const T *x, float *y, int64_t n,             \
                                           const float *sc, const float *zp)            \
    {                                                                                   \
        for (int64_t i = 0; i < n; i++)                                                 \
            y[i] = ((float)x[i] - zp[i]) * sc[i];                                       \
    }

Q8_LOOPS(uint8_t, u8, 0.0f, 255.0f)
Q8_LOOPS(int8_t, i8, -128.0f, 127.0f)
#undef Q8_LOOPS

/* Per-axis runs shorter than this go through the `each` loops. */
#define Q8_SHORT_RUN 16

/* One (de)quantization between float32 and an 8-bit type, over any part of
 * the tensor (cf_par_ranges gives each thread one). Per tensor, or per axis
 * in long runs: the part is cut where the scale and zero point change
 * (every `inner` elements), each piece one span call. Per axis in short
 * runs: sc[] and zp[] hold one period of the parameters (n * inner
 * elements), and the part is cut at the period's end. Elements are
 * independent, so any thread count gives the same bits. */
typedef struct q8_job {
    const void *x;
    void *y;
    const qparams *q;
    cf_dtype qt;            /* UINT8 or INT8: y's type (quantize) or x's */
    int quantize;
    const float *sc, *zp;   /* NULL, or per element over a period */
    int64_t period;
} q8_job;

static void q8_part(void *ctx, int64_t i0, int64_t i1)
{
    const q8_job *j = ctx;
    const qparams *q = j->q;
    int i8 = j->qt == CF_DT_INT8;
    while (i0 < i1) {
        int64_t e = i1, k = 0, at = 0;
        if (j->sc) {
            at = i0 % j->period;
            e = i0 - at + j->period < i1 ? i0 - at + j->period : i1;
        } else if (q->n > 1) {
            k = qidx(q, i0);
            e = (i0 / q->inner + 1) * q->inner < i1 ? (i0 / q->inner + 1) * q->inner : i1;
        }
        float sc = q->scale[k], z = (float)q->zp[k];
        float lo = (i8 ? -128.0f : 0.0f) - z, hi = (i8 ? 127.0f : 255.0f) - z;
        const float *psc = j->sc ? j->sc + at : NULL, *pzp = j->zp ? j->zp + at : NULL;
        int64_t m = e - i0;
        if (j->quantize) {
            const float *x = (const float *)j->x + i0;
            int8_t *ys = (int8_t *)j->y + i0;
            uint8_t *yu = (uint8_t *)j->y + i0;
            if (j->sc && i8)
                q8_each_i8(x, ys, m, psc, pzp);
            else if (j->sc)
                q8_each_u8(x, yu, m, psc, pzp);
            else if (i8)
                q8_span_i8(x, ys, m, sc, lo, hi, z);
            else
                q8_span_u8(x, yu, m, sc, lo, hi, z);
        } else {
            const int8_t *xs = (const int8_t *)j->x + i0;
            const uint8_t *xu = (const uint8_t *)j->x + i0;
            float *y = (float *)j->y + i0;
            if (j->sc && i8)
                dq8_each_i8(xs, y, m, psc, pzp);
            else if (j->sc)
                dq8_each_u8(xu, y, m, psc, pzp);
            else if (i8)
                dq8_span_i8(xs, y, m, sc, z);
            else
                dq8_span_u8(xu, y, m, sc, z);
        }
        i0 = e;
    }
}

/* Runs the fast path over x (n elements) into y. For short per-axis runs it
 * first lays one period of the parameters out per element. */
static int q8_run(cf_kernel_call *c, const void *x, void *y, int64_t n, const qparams *q,
                  cf_dtype qt, int quantize, cf_error *err)
{
    q8_job job = {x, y, q, qt, quantize, NULL, NULL, 0};
    float *buf = NULL;
    if (q->n > 1 && q->inner < Q8_SHORT_RUN) {
        job.period = q->n * q->inner;
        buf = malloc(2 * (size_t)job.period * sizeof *buf);
        if (!buf)
            return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
        for (int64_t i = 0; i < job.period; i++) {
            buf[i] = q->scale[i / q->inner];
            buf[job.period + i] = (float)q->zp[i / q->inner];
        }
        job.sc = buf;
        job.zp = buf + job.period;
    }
    cf_par_ranges(n, c->threads, CF_PAR_PART, q8_part, &job);
    free(buf);
    return 0;
}

/* The smallest and largest of 0 and x[0..n), NaN left out, into *lo, *hi
 * (which start at 0). The order of the comparisons does not change them: a
 * zero never replaces the starting +0, and other equal values have the
 * same bits. So 64 lanes (a loop that vectorises) and threads can split the
 * work and still give what one sequential pass gives. */
CF_HOT_LOOP static void range_span(const float *x, int64_t n, float *lo, float *hi)
{
    float l[64] = {0}, h[64] = {0};
    int64_t i = 0;
    for (; i + 64 <= n; i += 64)
        for (int k = 0; k < 64; k++) {
            float v = x[i + k];
            l[k] = v < l[k] ? v : l[k];
            h[k] = v > h[k] ? v : h[k];
        }
    for (; i < n; i++) {
        l[0] = x[i] < l[0] ? x[i] : l[0];
        h[0] = x[i] > h[0] ? x[i] : h[0];
    }
    for (int k = 0; k < 64; k++) {
        *lo = l[k] < *lo ? l[k] : *lo;
        *hi = h[k] > *hi ? h[k] : *hi;
    }
}

typedef struct range_job {
    const float *x;
    float lo, hi;
} range_job;

static void range_part(void *ctx, int64_t i0, int64_t i1)
{
    range_job *j = ctx;
    float lo = 0, hi = 0;
    range_span(j->x + i0, i1 - i0, &lo, &hi);
#pragma omp critical(cf_quant_range)
    {
        j->lo = lo < j->lo ? lo : j->lo;
        j->hi = hi > j->hi ? hi : j->hi;
    }
}

/* ---- QuantizeLinear / DequantizeLinear ------------------------------------ */

/* The axis attribute matters only for per-axis parameters; per tensor it
 * is ignored even when out of range for x (the spec's scalar tests). */
static int per_axis(const cf_kernel_call *c, const cf_value *x, const cf_value *sc,
                    const cf_value *zp, int *axis, cf_error *err)
{
    *axis = 0;
    if ((sc && cf_value_numel(sc) > 1) || (zp && cf_value_numel(zp) > 1))
        return cf_axis(c, cf_node_attr_int(c->node, "axis", 1), x->rank, axis, err);
    return 0;
}

static int ql_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"axis", "saturate", "block_size", "output_dtype", NULL};
    static const cf_dtype xin[] = {CF_DT_FLOAT, CF_DT_FLOAT16, CF_DT_BFLOAT16, CF_DT_INT32};
    int rc;
    if ((rc = cf_kernel_check_attrs(n, known, err)) ||
        (rc = check_input_type(g, n, 0, "input", xin, 4, err)) ||
        (rc = check_input_type(g, n, 1, "scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 2, "zero point", QOUT, 4, err)))
        return rc;
    if (cf_node_attr_int(n, "block_size", 0) != 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "block_size (blocked quantization) not supported");
    int64_t od = cf_node_attr_int(n, "output_dtype", 0);
    if (od != 0 && !dtype_in((cf_dtype)od, QOUT, 4))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "output_dtype %s not supported",
                                       cf_dtype_name((cf_dtype)od));
    /* saturate only concerns float8 outputs, which chipfit has no type for. */
    return 0;
}

static int ql_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *sc = c->in[1], *zp = c->n_in > 2 ? c->in[2] : NULL;
    cf_dtype odt = zp ? zp->dtype : (cf_dtype)cf_node_attr_int(c->node, "output_dtype", 0);
    if (odt == CF_DT_UNDEFINED)
        odt = CF_DT_UINT8;
    int rc = run_type_ok(c, x, "input", (const cf_dtype[]){CF_DT_FLOAT, CF_DT_FLOAT16,
                         CF_DT_BFLOAT16, CF_DT_INT32}, 4, err);
    if (!rc)
        rc = run_type_ok(c, &(cf_value){.dtype = odt}, "output", QOUT, 4, err);
    if (rc)
        return rc;
    int axis = 0;
    if ((rc = per_axis(c, x, sc, zp, &axis, err)))
        return rc;
    qparams q;
    if ((rc = qparams_load(c, x, axis, sc, zp, "y", &q, err)))
        return rc;
    cf_value *y = cf_kcall_output(c, 0, odt, x->rank, x->dims, err);
    if (!y) {
        qparams_free(&q);
        return err->code;
    }
    int64_t n = cf_value_numel(x);
    if (x->dtype == CF_DT_FLOAT && (odt == CF_DT_UINT8 || odt == CF_DT_INT8)) {
        rc = q8_run(c, x->data, y->data, n, &q, odt, 1, err);
        qparams_free(&q);
        return rc;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t k = qidx(&q, i);
        double v;
        if (x->dtype == CF_DT_INT32) {
            v = (double)((const int32_t *)x->data)[i] / (double)q.scale[k];
        } else {
            /* float32 division, as the reference does, so ties round alike */
            float xf = x->dtype == CF_DT_FLOAT ? ((const float *)x->data)[i]
                                               : (float)cf_value_get_f64(x, i);
            v = xf / q.scale[k];
        }
        store_int(y->data, odt, i, saturate(nearbyint(v) + q.zp[k], odt));
    }
    qparams_free(&q);
    return 0;
}

static int dql_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"axis", "block_size", NULL};
    static const cf_dtype xin[] = {CF_DT_UINT8, CF_DT_INT8, CF_DT_UINT16, CF_DT_INT16,
                                   CF_DT_INT32};
    int rc;
    if ((rc = cf_kernel_check_attrs(n, known, err)) ||
        (rc = check_input_type(g, n, 0, "input", xin, 5, err)) ||
        (rc = check_input_type(g, n, 1, "scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 2, "zero point", xin, 5, err)))
        return rc;
    if (cf_node_attr_int(n, "block_size", 0) != 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "block_size (blocked quantization) not supported");
    return 0;
}

static int dql_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *sc = c->in[1], *zp = c->n_in > 2 ? c->in[2] : NULL;
    int rc = run_type_ok(c, x, "input", (const cf_dtype[]){CF_DT_UINT8, CF_DT_INT8,
                         CF_DT_UINT16, CF_DT_INT16, CF_DT_INT32}, 5, err);
    if (rc)
        return rc;
    if (zp && zp->dtype != x->dtype)
        return cf_kernel_error(c, err, CF_EINVAL, "zero point type %s differs from input %s",
                               cf_dtype_name(zp->dtype), cf_dtype_name(x->dtype));
    int axis = 0;
    if ((rc = per_axis(c, x, sc, zp, &axis, err)))
        return rc;
    qparams q;
    if ((rc = qparams_load(c, x, axis, sc, zp, "x", &q, err)))
        return rc;
    cf_dtype odt = cf_is_float_type(sc->dtype) && sc->dtype != CF_DT_DOUBLE ? sc->dtype
                                                                            : CF_DT_FLOAT;
    cf_value *y = cf_kcall_output(c, 0, odt, x->rank, x->dims, err);
    int64_t n = cf_value_numel(x);
    if (y && odt == CF_DT_FLOAT && (x->dtype == CF_DT_UINT8 || x->dtype == CF_DT_INT8)) {
        rc = q8_run(c, x->data, y->data, n, &q, x->dtype, 0, err);
        qparams_free(&q);
        return rc;
    }
    float *f = y && odt != CF_DT_FLOAT ? malloc((size_t)(n ? n : 1) * sizeof *f)
                                       : (y ? y->data : NULL);
    if (!f) {
        qparams_free(&q);
        return y ? cf_kernel_error(c, err, CF_ENOMEM, "out of memory") : err->code;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t k = qidx(&q, i);
        f[i] = (float)(cf_value_get_i64(x, i) - q.zp[k]) * q.scale[k];
    }
    if (odt != CF_DT_FLOAT) {
        cf_values_from_f32(y, f);
        free(f);
    }
    qparams_free(&q);
    return 0;
}

/* ---- DynamicQuantizeLinear ----------------------------------------------- */

static int dyn_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {NULL};
    static const cf_dtype xin[] = {CF_DT_FLOAT};
    int rc;
    if ((rc = cf_kernel_check_attrs(n, known, err)) || (rc = check_input_type(g, n, 0, "input", xin, 1, err)))
        return rc;
    return 0;
}

static int dyn_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int rc = run_type_ok(c, x, "input", (const cf_dtype[]){CF_DT_FLOAT}, 1, err);
    if (rc)
        return rc;
    int64_t n = cf_value_numel(x);
    /* the range always holds 0 so that 0 is exactly representable */
    range_job rj = {x->data, 0, 0};
    cf_par_ranges(n, c->threads, CF_PAR_PART, range_part, &rj);
    float lo = rj.lo, hi = rj.hi;
    float scale = (hi - lo) / 255.0f;
    int64_t zp = scale != 0 ? saturate(nearbyint(0.0f - lo / scale), CF_DT_UINT8) : 0;
    cf_value *y = cf_kcall_output(c, 0, CF_DT_UINT8, x->rank, x->dims, err);
    cf_value *ys = y ? cf_kcall_output(c, 1, CF_DT_FLOAT, 0, NULL, err) : NULL;
    cf_value *yz = ys ? cf_kcall_output(c, 2, CF_DT_UINT8, 0, NULL, err) : NULL;
    if (!yz)
        return err->code;
    if (scale != 0) {
        /* QuantizeLinear's uint8 case, with this scale and zero point */
        qparams q = {&scale, &(int32_t){(int32_t)zp}, 1, 1};
        if ((rc = q8_run(c, x->data, y->data, n, &q, CF_DT_UINT8, 1, err)))
            return rc;
    } else if (n) {
        memset(y->data, 0, (size_t)n);
    }
    *(float *)ys->data = scale;
    *(uint8_t *)yz->data = (uint8_t)zp;
    return 0;
}

/* ---- integer matmul ------------------------------------------------------- */

/* numpy matmul of a [.., M, K] by b [.., K, N] (1-D operands promoted),
 * with broadcast batch dims; acc gets int64 sums in out shape. */
typedef struct mm_shape {
    int rank;                       /* output rank */
    int64_t dims[CF_MAX_RANK];
    int64_t M, K, N, batch;
    int64_t a_off_step[CF_MAX_RANK], b_off_step[CF_MAX_RANK];
} mm_shape;

static int mm_plan(const cf_kernel_call *c, const cf_value *a, const cf_value *b, mm_shape *s,
                   cf_error *err)
{
    if (a->rank < 1 || b->rank < 1)
        return cf_kernel_error(c, err, CF_EINVAL, "matmul operands must have rank >= 1");
    int64_t ad[CF_MAX_RANK + 1], bd[CF_MAX_RANK + 1];
    int ar = a->rank, br = b->rank;
    /* promote 1-D operands: a to [1, K], b to [K, 1] */
    if (ar == 1) {
        ad[0] = 1;
        ad[1] = a->dims[0];
        ar = 2;
    } else {
        memcpy(ad, a->dims, (size_t)ar * sizeof *ad);
    }
    if (br == 1) {
        bd[0] = b->dims[0];
        bd[1] = 1;
        br = 2;
    } else {
        memcpy(bd, b->dims, (size_t)br * sizeof *bd);
    }
    s->M = ad[ar - 2];
    s->K = ad[ar - 1];
    s->N = bd[br - 1];
    if (bd[br - 2] != s->K)
        return cf_kernel_error(c, err, CF_EINVAL, "matmul inner dims differ (%" PRId64 " vs %" PRId64 ")",
                               s->K, bd[br - 2]);
    int nb = (ar > br ? ar : br) - 2;
    int64_t bdims[CF_MAX_RANK];
    int64_t as = s->M * s->K, bs = s->K * s->N;
    s->batch = 1;
    for (int d = nb - 1; d >= 0; d--) {
        int ia = d - (nb - (ar - 2)), ib = d - (nb - (br - 2));
        int64_t x = ia >= 0 ? ad[ia] : 1, y = ib >= 0 ? bd[ib] : 1;
        if (x != y && x != 1 && y != 1)
            return cf_kernel_error(c, err, CF_EINVAL, "matmul batch dims do not broadcast");
        bdims[d] = x > y ? x : (y > x ? y : x);
        if (x == 0 || y == 0)
            bdims[d] = 0;
        s->a_off_step[d] = x == 1 ? 0 : as;
        s->b_off_step[d] = y == 1 ? 0 : bs;
        as *= x;
        bs *= y;
        s->batch *= bdims[d];
    }
    s->rank = 0;
    for (int d = 0; d < nb; d++)
        s->dims[s->rank++] = bdims[d];
    if (a->rank > 1)
        s->dims[s->rank++] = s->M;
    if (b->rank > 1)
        s->dims[s->rank++] = s->N;
    if (s->rank > CF_MAX_RANK)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "rank too high");
    return 0;
}

/* Calls fn(user, batch, m, n, sum) for every output element in row-major
 * order; nb batch dims are those of s->dims before M and N. */
static void mm_each(const mm_shape *s, int nb, const int32_t *a, const int32_t *b,
                    void (*fn)(void *user, int64_t o, int64_t m, int64_t n, int64_t sum),
                    void *user)
{
    int64_t idx[CF_MAX_RANK] = {0};
    int64_t ao = 0, bo = 0, o = 0;
    for (int64_t bt = 0; bt < s->batch; bt++) {
        for (int64_t m = 0; m < s->M; m++)
            for (int64_t n = 0; n < s->N; n++) {
                int64_t sum = 0;
                const int32_t *ar = a + ao + m * s->K, *bc = b + bo + n;
                for (int64_t k = 0; k < s->K; k++)
                    sum += (int64_t)ar[k] * bc[k * s->N];
                fn(user, o++, m, n, sum);
            }
        for (int d = nb - 1; d >= 0; d--) {
            ao += s->a_off_step[d];
            bo += s->b_off_step[d];
            if (++idx[d] < s->dims[d])
                break;
            ao -= s->a_off_step[d] * s->dims[d];
            bo -= s->b_off_step[d] * s->dims[d];
            idx[d] = 0;
        }
    }
}

static int batch_rank(const cf_value *a, const cf_value *b)
{
    int ar = a->rank < 2 ? 2 : a->rank, br = b->rank < 2 ? 2 : b->rank;
    return (ar > br ? ar : br) - 2;
}

/* The zero point / scale axis of a matmul operand: rows of a, columns of b. */
static int row_axis(const cf_value *a) { return a->rank >= 2 ? a->rank - 2 : -1; }
static int col_axis(const cf_value *b) { return b->rank >= 2 ? b->rank - 1 : -1; }

static int mmi_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {NULL};
    int rc;
    if ((rc = cf_kernel_check_attrs(n, known, err)) || (rc = check_input_type(g, n, 0, "A", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 1, "B", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 2, "a_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 3, "b_zero_point", Q8, 2, err)))
        return rc;
    return 0;
}

static void put_i32(void *user, int64_t o, int64_t m, int64_t n, int64_t sum)
{
    (void)m;
    (void)n;
    ((int32_t *)user)[o] = (int32_t)sum;
}

/* Loads a matmul operand centered on its zero point (scalar, or one per row
 * of a / column of b; a 1-D operand takes only a scalar). */
static int32_t *mm_operand(const cf_kernel_call *c, const cf_value *v, const cf_value *zp,
                           const cf_value *scale, int axis, const char *what, qparams *q,
                           cf_error *err)
{
    if (run_type_ok(c, v, what, Q8, 2, err))
        return NULL;
    if (zp && zp->dtype != v->dtype) {
        cf_kernel_error(c, err, CF_EINVAL, "%s zero point type %s differs from %s",
                        what, cf_dtype_name(zp->dtype), cf_dtype_name(v->dtype));
        return NULL;
    }
    if (qparams_load(c, v, axis, scale, zp, what, q, err))
        return NULL;
    int32_t *r = centered(c, v, q, err);
    if (!r)
        qparams_free(q);
    return r;
}

static int mmi_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *a = c->in[0], *b = c->in[1];
    const cf_value *az = c->n_in > 2 ? c->in[2] : NULL, *bz = c->n_in > 3 ? c->in[3] : NULL;
    mm_shape s;
    int rc = mm_plan(c, a, b, &s, err);
    if (rc)
        return rc;
    qparams qa, qb;
    int32_t *ca = mm_operand(c, a, az, NULL, row_axis(a), "A", &qa, err);
    if (!ca)
        return err->code;
    int32_t *cb = mm_operand(c, b, bz, NULL, col_axis(b), "B", &qb, err);
    if (!cb) {
        free(ca);
        qparams_free(&qa);
        return err->code;
    }
    cf_value *y = cf_kcall_output(c, 0, CF_DT_INT32, s.rank, s.dims, err);
    if (y)
        mm_each(&s, batch_rank(a, b), ca, cb, put_i32, y->data);
    free(ca);
    free(cb);
    qparams_free(&qa);
    qparams_free(&qb);
    return y ? 0 : err->code;
}

/* QLinearMatMul: requantize each sum with the row's and column's scales. */
typedef struct requant {
    const qparams *qa, *qb, *qy;
    const int32_t *bias;    /* per output channel (conv) or NULL */
    int64_t inner_c;        /* conv: elements per output channel */
    int64_t n_c;            /* conv: output channels */
    void *out;
    cf_dtype odt;
} requant;

static void put_requant_mm(void *user, int64_t o, int64_t m, int64_t n, int64_t sum)
{
    const requant *r = user;
    float sa = r->qa->scale[r->qa->n == 1 ? 0 : m], sb = r->qb->scale[r->qb->n == 1 ? 0 : n];
    double real = (double)sum * ((double)sa * sb / r->qy->scale[0]);
    store_int(r->out, r->odt, o, saturate(nearbyint(real) + r->qy->zp[0], r->odt));
}

static int qmm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {NULL};
    int rc;
    if ((rc = cf_kernel_check_attrs(n, known, err)) || (rc = check_input_type(g, n, 0, "a", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 1, "a_scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 2, "a_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 3, "b", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 4, "b_scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 5, "b_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 6, "y_scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 7, "y_zero_point", Q8, 2, err)))
        return rc;
    return 0;
}

static int qmm_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *a = c->in[0], *b = c->in[3];
    const cf_value *ys = c->in[6], *yz = c->in[7];
    mm_shape s;
    int rc = mm_plan(c, a, b, &s, err);
    if (rc)
        return rc;
    if (cf_value_numel(ys) != 1 || (yz && cf_value_numel(yz) != 1))
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "y_scale and y_zero_point must be scalars");
    cf_dtype odt = yz ? yz->dtype : CF_DT_UINT8;
    if ((rc = run_type_ok(c, &(cf_value){.dtype = odt}, "y_zero_point", Q8, 2, err)))
        return rc;
    qparams qa, qb, qy;
    int32_t *ca = mm_operand(c, a, c->in[2], c->in[1], row_axis(a), "a", &qa, err);
    if (!ca)
        return err->code;
    int32_t *cb = mm_operand(c, b, c->in[5], c->in[4], col_axis(b), "b", &qb, err);
    if (!cb) {
        free(ca);
        qparams_free(&qa);
        return err->code;
    }
    rc = qparams_load(c, a, 0, ys, yz, "y", &qy, err);
    cf_value *y = rc ? NULL : cf_kcall_output(c, 0, odt, s.rank, s.dims, err);
    if (y) {
        requant r = {&qa, &qb, &qy, NULL, 0, 0, y->data, odt};
        mm_each(&s, batch_rank(a, b), ca, cb, put_requant_mm, &r);
    }
    free(ca);
    free(cb);
    qparams_free(&qa);
    qparams_free(&qb);
    if (!rc)
        qparams_free(&qy);
    return y ? 0 : err->code;
}

/* ---- integer convolution ------------------------------------------------- */

/* Convolutions of 1 to 3 spatial dims are run as 3-D ones: missing leading
 * spatial dims have size 1, kernel 1, stride 1, no padding. */
typedef struct conv_geom {
    int64_t N, C, M, group;
    int64_t in[3], k[3], out[3], stride[3], dil[3], pad0[3];
} conv_geom;

static const char *const CONV_ATTRS[] = {"auto_pad", "dilations", "group", "kernel_shape",
                                         "pads", "strides", NULL};

static int conv_check_attrs(const cf_graph *g, const cf_node *n, cf_error *err)
{
    int rc = cf_kernel_check_attrs(n, CONV_ATTRS, err);
    if (rc)
        return rc;
    const char *ap = cf_node_attr_string(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID") && strcmp(ap, "SAME_UPPER") &&
        strcmp(ap, "SAME_LOWER"))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "auto_pad %s not supported", ap);
    const cf_tensor *x = cf_node_input(g, n, 0);
    if (x && x->shape.rank >= 0 && (x->shape.rank < 3 || x->shape.rank > 5))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "input rank %d (1 to 3 spatial dims supported)",
                                       x->shape.rank);
    return 0;
}

static int conv_plan(const cf_kernel_call *c, const cf_value *x, const cf_value *w, conv_geom *G,
                     cf_error *err)
{
    const cf_node *n = c->node;
    int sp = x->rank - 2;
    if (sp < 1 || sp > 3 || w->rank != x->rank)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED,
                               "input rank %d / weight rank %d (1 to 3 spatial dims supported)",
                               x->rank, w->rank);
    size_t nk, ns, nd, np;
    const int64_t *ks = cf_node_attr_ints(n, "kernel_shape", &nk);
    const int64_t *st = cf_node_attr_ints(n, "strides", &ns);
    const int64_t *dl = cf_node_attr_ints(n, "dilations", &nd);
    const int64_t *pd = cf_node_attr_ints(n, "pads", &np);
    if ((ks && nk != (size_t)sp) || (st && ns != (size_t)sp) || (dl && nd != (size_t)sp) ||
        (pd && np != 2 * (size_t)sp))
        return cf_kernel_error(c, err, CF_EINVAL, "kernel_shape/strides/dilations/pads do not "
                               "match %d spatial dims", sp);
    G->N = x->dims[0];
    G->C = x->dims[1];
    G->M = w->dims[0];
    G->group = cf_node_attr_int(n, "group", 1);
    if (G->group < 1 || G->C % G->group || G->M % G->group || w->dims[1] * G->group != G->C)
        return cf_kernel_error(c, err, CF_EINVAL, "channels %" PRId64 " / weight %" PRId64
                               "x%" PRId64 " / group %" PRId64 " do not fit",
                               G->C, G->M, w->dims[1], G->group);
    const char *ap = cf_node_attr_string(n, "auto_pad", "NOTSET");
    int off = 3 - sp;
    for (int d = 0; d < 3; d++) {
        G->in[d] = G->k[d] = G->out[d] = G->stride[d] = G->dil[d] = 1;
        G->pad0[d] = 0;
    }
    for (int d = 0; d < sp; d++) {
        int D = d + off;
        G->in[D] = x->dims[2 + d];
        G->k[D] = w->dims[2 + d];
        if (ks && ks[d] != G->k[D])
            return cf_kernel_error(c, err, CF_EINVAL, "kernel_shape disagrees with the weight");
        G->stride[D] = st ? st[d] : 1;
        G->dil[D] = dl ? dl[d] : 1;
        if (G->stride[D] < 1 || G->dil[D] < 1)
            return cf_kernel_error(c, err, CF_EINVAL, "strides and dilations must be >= 1");
        int64_t ek = (G->k[D] - 1) * G->dil[D] + 1;
        int64_t p0 = 0, p1 = 0;
        if (!strcmp(ap, "NOTSET")) {
            p0 = pd ? pd[d] : 0;
            p1 = pd ? pd[d + sp] : 0;
        } else if (strcmp(ap, "VALID")) {
            int64_t o = (G->in[D] + G->stride[D] - 1) / G->stride[D];
            int64_t tot = (o - 1) * G->stride[D] + ek - G->in[D];
            tot = tot < 0 ? 0 : tot;
            p0 = !strcmp(ap, "SAME_UPPER") ? tot / 2 : tot - tot / 2;
            p1 = tot - p0;
        }
        G->pad0[D] = p0;
        G->out[D] = (G->in[D] + p0 + p1 - ek) / G->stride[D] + 1;
        if (G->in[D] + p0 + p1 < ek)
            return cf_kernel_error(c, err, CF_EINVAL, "kernel larger than the padded input");
    }
    return 0;
}

/* Calls fn(user, out_index, channel, sum) for every output element, x and w
 * already centered on their zero points. */
static void conv_each(const conv_geom *G, const int32_t *x, const int32_t *w,
                      void (*fn)(void *user, int64_t o, int64_t m, int64_t sum), void *user)
{
    int64_t cg = G->C / G->group, mg = G->M / G->group;
    int64_t in_sz = G->in[0] * G->in[1] * G->in[2];
    int64_t k_sz = G->k[0] * G->k[1] * G->k[2];
    int64_t o = 0;
    for (int64_t b = 0; b < G->N; b++)
        for (int64_t m = 0; m < G->M; m++) {
            int64_t g = m / mg;
            const int32_t *wm = w + m * cg * k_sz;
            for (int64_t od = 0; od < G->out[0]; od++)
                for (int64_t oh = 0; oh < G->out[1]; oh++)
                    for (int64_t ow = 0; ow < G->out[2]; ow++) {
                        int64_t sum = 0;
                        for (int64_t ci = 0; ci < cg; ci++) {
                            const int32_t *xc = x + (b * G->C + g * cg + ci) * in_sz;
                            const int32_t *wc = wm + ci * k_sz;
                            for (int64_t kd = 0; kd < G->k[0]; kd++) {
                                int64_t id = od * G->stride[0] - G->pad0[0] + kd * G->dil[0];
                                if (id < 0 || id >= G->in[0])
                                    continue;
                                for (int64_t kh = 0; kh < G->k[1]; kh++) {
                                    int64_t ih = oh * G->stride[1] - G->pad0[1] + kh * G->dil[1];
                                    if (ih < 0 || ih >= G->in[1])
                                        continue;
                                    const int32_t *xr = xc + (id * G->in[1] + ih) * G->in[2];
                                    const int32_t *wr = wc + (kd * G->k[1] + kh) * G->k[2];
                                    for (int64_t kw = 0; kw < G->k[2]; kw++) {
                                        int64_t iw = ow * G->stride[2] - G->pad0[2] + kw * G->dil[2];
                                        /* padding holds the zero point: adds nothing */
                                        if (iw >= 0 && iw < G->in[2])
                                            sum += (int64_t)xr[iw] * wr[kw];
                                    }
                                }
                            }
                        }
                        fn(user, o++, m, sum);
                    }
        }
}

static int conv_out_shape(const cf_value *x, const conv_geom *G, int64_t *dims)
{
    int sp = x->rank - 2;
    dims[0] = G->N;
    dims[1] = G->M;
    for (int d = 0; d < sp; d++)
        dims[2 + d] = G->out[3 - sp + d];
    return x->rank;
}

static int convi_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    int rc;
    if ((rc = conv_check_attrs(g, n, err)) || (rc = check_input_type(g, n, 0, "x", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 1, "w", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 2, "x_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 3, "w_zero_point", Q8, 2, err)))
        return rc;
    return 0;
}

static void put_conv_i32(void *user, int64_t o, int64_t m, int64_t sum)
{
    (void)m;
    ((int32_t *)user)[o] = (int32_t)sum;
}

/* x centered on a per-tensor zero point, w on a per-tensor or per-output-
 * channel one (axis 0). */
static int conv_operands(const cf_kernel_call *c, const cf_value *x, const cf_value *xs,
                         const cf_value *xz, const cf_value *w, const cf_value *ws,
                         const cf_value *wz, qparams *qx, qparams *qw, int32_t **cx,
                         int32_t **cw, cf_error *err)
{
    *cx = *cw = NULL;
    if ((xz && cf_value_numel(xz) != 1) || (xs && cf_value_numel(xs) != 1))
        return cf_kernel_error(c, err, CF_EINVAL, "x scale and zero point must be scalars");
    *cx = mm_operand(c, x, xz, xs, 0, "x", qx, err);
    if (!*cx)
        return err->code;
    *cw = mm_operand(c, w, wz, ws, 0, "w", qw, err);
    if (!*cw) {
        free(*cx);
        *cx = NULL;
        qparams_free(qx);
        return err->code;
    }
    return 0;
}

static int convi_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *w = c->in[1];
    const cf_value *xz = c->n_in > 2 ? c->in[2] : NULL, *wz = c->n_in > 3 ? c->in[3] : NULL;
    conv_geom G;
    int rc = conv_plan(c, x, w, &G, err);
    if (rc)
        return rc;
    qparams qx, qw;
    int32_t *cx, *cw;
    if ((rc = conv_operands(c, x, NULL, xz, w, NULL, wz, &qx, &qw, &cx, &cw, err)))
        return rc;
    int64_t dims[CF_MAX_RANK];
    int r = conv_out_shape(x, &G, dims);
    cf_value *y = cf_kcall_output(c, 0, CF_DT_INT32, r, dims, err);
    if (y)
        conv_each(&G, cx, cw, put_conv_i32, y->data);
    free(cx);
    free(cw);
    qparams_free(&qx);
    qparams_free(&qw);
    return y ? 0 : err->code;
}

static void put_requant_conv(void *user, int64_t o, int64_t m, int64_t sum)
{
    const requant *r = user;
    if (r->bias)
        sum += r->bias[m];
    float sw = r->qb->scale[r->qb->n == 1 ? 0 : m];
    double real = (double)sum * ((double)r->qa->scale[0] * sw / r->qy->scale[0]);
    store_int(r->out, r->odt, o, saturate(nearbyint(real) + r->qy->zp[0], r->odt));
}

static int qconv_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const cf_dtype bias[] = {CF_DT_INT32};
    int rc;
    if ((rc = conv_check_attrs(g, n, err)) || (rc = check_input_type(g, n, 0, "x", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 1, "x_scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 2, "x_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 3, "w", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 4, "w_scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 5, "w_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 6, "y_scale", SCALE, 3, err)) ||
        (rc = check_input_type(g, n, 7, "y_zero_point", Q8, 2, err)) ||
        (rc = check_input_type(g, n, 8, "B", bias, 1, err)))
        return rc;
    return 0;
}

static int qconv_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *w = c->in[3], *ys = c->in[6], *yz = c->in[7];
    const cf_value *B = c->n_in > 8 ? c->in[8] : NULL;
    conv_geom G;
    int rc = conv_plan(c, x, w, &G, err);
    if (rc)
        return rc;
    if (cf_value_numel(ys) != 1 || (yz && cf_value_numel(yz) != 1))
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "y_scale and y_zero_point must be scalars");
    if (B && (B->dtype != CF_DT_INT32 || cf_value_numel(B) != G.M))
        return cf_kernel_error(c, err, CF_EINVAL, "bias must be int32 with %" PRId64 " values",
                               G.M);
    cf_dtype odt = yz ? yz->dtype : x->dtype;
    if ((rc = run_type_ok(c, &(cf_value){.dtype = odt}, "y_zero_point", Q8, 2, err)))
        return rc;
    qparams qx, qw, qy;
    int32_t *cx, *cw;
    if ((rc = conv_operands(c, x, c->in[1], c->in[2], w, c->in[4], c->in[5], &qx, &qw, &cx, &cw,
                            err)))
        return rc;
    rc = qparams_load(c, x, 0, ys, yz, "y", &qy, err);
    int64_t dims[CF_MAX_RANK];
    int r = conv_out_shape(x, &G, dims);
    cf_value *y = rc ? NULL : cf_kcall_output(c, 0, odt, r, dims, err);
    if (y) {
        requant rq = {&qx, &qw, &qy, B ? B->data : NULL, 0, G.M, y->data, odt};
        conv_each(&G, cx, cw, put_requant_conv, &rq);
    }
    free(cx);
    free(cw);
    qparams_free(&qx);
    qparams_free(&qw);
    if (!rc)
        qparams_free(&qy);
    return y ? 0 : err->code;
}

const cf_kernel_i cf_kernels_quant[] = {
    {"QuantizeLinear", "", 10, 0, "ref", ql_prepare, ql_run, NULL, NULL, NULL},
    {"DequantizeLinear", "", 10, 0, "ref", dql_prepare, dql_run, NULL, NULL, NULL},
    {"DynamicQuantizeLinear", "", 11, 0, "ref", dyn_prepare, dyn_run, NULL, NULL, NULL},
    {"MatMulInteger", "", 10, 0, "ref", mmi_prepare, mmi_run, NULL, NULL, NULL},
    {"QLinearMatMul", "", 10, 0, "ref", qmm_prepare, qmm_run, NULL, NULL, NULL},
    {"ConvInteger", "", 10, 0, "ref", convi_prepare, convi_run, NULL, NULL, NULL},
    {"QLinearConv", "", 10, 0, "ref", qconv_prepare, qconv_run, NULL, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
