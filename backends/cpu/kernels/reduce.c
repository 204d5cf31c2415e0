/* reduce.c — reference kernels of the reductions and normalisations:
 * Reduce* (attribute and input axes), ArgMax/ArgMin, Softmax, LogSoftmax,
 * Hardmax, CumSum, TopK, LayerNormalization, BatchNormalization (inference),
 * InstanceNormalization, LRN, MeanVarianceNormalization, NonZero.
 *
 * Most of these ops work on "lines": the elements along one axis, for every
 * position of the axes before it (outer) and after it (inner). A line is
 * loaded into a double (or int64) scratch row, computed there and stored
 * back, so one loop serves every element type; float32 sums thus accumulate
 * in double. Integer inputs of the Reduce ops accumulate in int64 so that
 * shape arithmetic (ReduceProd / ReduceSum of dims) stays exact. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kutil.h"

/* ---- common ------------------------------------------------------------------ */

/* Loads n elements of v starting at element off, stride apart, as doubles. */
static void load_f64(const cf_value *v, int64_t off, int64_t stride, int64_t n, double *dst)
{
#define LD(T, conv)                                                                   \
    do {                                                                              \
        const T *p = (const T *)v->data + off;                                        \
        for (int64_t j = 0; j < n; j++)                                               \
            dst[j] = (double)conv(p[j * stride]);                                     \
    } while (0)
#define ID(x) (x)
    switch (v->dtype) {
    case CF_DT_FLOAT: LD(float, ID); break;
    case CF_DT_DOUBLE: LD(double, ID); break;
    case CF_DT_FLOAT16: LD(uint16_t, cf_f16_to_f32); break;
    case CF_DT_BFLOAT16: LD(uint16_t, cf_bf16_to_f32); break;
    case CF_DT_INT8: LD(int8_t, ID); break;
    case CF_DT_UINT8: case CF_DT_BOOL: LD(uint8_t, ID); break;
    case CF_DT_INT16: LD(int16_t, ID); break;
    case CF_DT_UINT16: LD(uint16_t, ID); break;
    case CF_DT_INT32: LD(int32_t, ID); break;
    case CF_DT_UINT32: LD(uint32_t, ID); break;
    case CF_DT_INT64: LD(int64_t, ID); break;
    case CF_DT_UINT64: LD(uint64_t, ID); break;
    default:
        for (int64_t j = 0; j < n; j++)
            dst[j] = 0;
        break;
    }
}

static void load_i64(const cf_value *v, int64_t off, int64_t stride, int64_t n, int64_t *dst)
{
    switch (v->dtype) {
    case CF_DT_INT8: LD(int8_t, ID); break;
    case CF_DT_UINT8: case CF_DT_BOOL: LD(uint8_t, ID); break;
    case CF_DT_INT16: LD(int16_t, ID); break;
    case CF_DT_UINT16: LD(uint16_t, ID); break;
    case CF_DT_INT32: LD(int32_t, ID); break;
    case CF_DT_UINT32: LD(uint32_t, ID); break;
    case CF_DT_INT64: LD(int64_t, ID); break;
    case CF_DT_UINT64: LD(uint64_t, ID); break;
    default:
        for (int64_t j = 0; j < n; j++)
            dst[j] = cf_value_get_i64(v, off + j * stride);   /* NaN 0, saturating */
        break;
    }
#undef LD
#undef ID
}

/* Stores n doubles into v from element off, stride apart. Float to integer
 * truncates toward zero, as numpy's astype does. */
static void store_f64(cf_value *v, int64_t off, int64_t stride, int64_t n, const double *src)
{
#define ST(T, conv)                                                                   \
    do {                                                                              \
        T *p = (T *)v->data + off;                                                    \
        for (int64_t j = 0; j < n; j++)                                               \
            p[j * stride] = (T)conv(src[j]);                                          \
    } while (0)
#define ID(x) (x)
#define F16(x) cf_f32_to_f16((float)(x))
#define BF16(x) cf_f32_to_bf16((float)(x))
#define BOOLV(x) ((x) != 0)
    switch (v->dtype) {
    case CF_DT_FLOAT: ST(float, ID); break;
    case CF_DT_DOUBLE: ST(double, ID); break;
    case CF_DT_FLOAT16: ST(uint16_t, F16); break;
    case CF_DT_BFLOAT16: ST(uint16_t, BF16); break;
    case CF_DT_INT8: ST(int8_t, ID); break;
    case CF_DT_UINT8: ST(uint8_t, ID); break;
    case CF_DT_BOOL: ST(uint8_t, BOOLV); break;
    case CF_DT_INT16: ST(int16_t, ID); break;
    case CF_DT_UINT16: ST(uint16_t, ID); break;
    case CF_DT_INT32: ST(int32_t, ID); break;
    case CF_DT_UINT32: ST(uint32_t, ID); break;
    case CF_DT_INT64: ST(int64_t, ID); break;
    case CF_DT_UINT64: ST(uint64_t, ID); break;
    default: break;
    }
}

static void store_i64(cf_value *v, int64_t off, int64_t stride, int64_t n, const int64_t *src)
{
    switch (v->dtype) {
    case CF_DT_INT8: ST(int8_t, ID); break;
    case CF_DT_UINT8: ST(uint8_t, ID); break;
    case CF_DT_BOOL: ST(uint8_t, BOOLV); break;
    case CF_DT_INT16: ST(int16_t, ID); break;
    case CF_DT_UINT16: ST(uint16_t, ID); break;
    case CF_DT_INT32: ST(int32_t, ID); break;
    case CF_DT_UINT32: ST(uint32_t, ID); break;
    case CF_DT_INT64: ST(int64_t, ID); break;
    case CF_DT_UINT64: ST(uint64_t, ID); break;
    default: {
        for (int64_t j = 0; j < n; j++) {
            double d = (double)src[j];
            store_f64(v, off + j * stride, 1, 1, &d);
        }
        break;
    }
    }
#undef ST
#undef ID
#undef F16
#undef BF16
#undef BOOLV
}

/* Product of dims[from..to). */
static int64_t dims_prod(const int64_t *dims, int from, int to)
{
    int64_t p = 1;
    for (int d = from; d < to; d++)
        p *= dims[d];
    return p;
}

/* Lines along an axis lie `inner` elements apart. Loading them one at a
 * time would stride through memory, so up to LINE_BLOCK neighbouring lines
 * are loaded together, row by row (contiguous), into buf[j * bw + t]: line t
 * is then buf + t with stride bw. */
#define LINE_BLOCK 64

static int64_t line_block(int64_t inner)
{
    return inner < LINE_BLOCK ? inner : LINE_BLOCK;
}

static void lines_load_f64(const cf_value *v, int64_t base, int64_t n, int64_t inner, int64_t bw,
                           double *buf)
{
    if (bw == inner) {
        load_f64(v, base, 1, n * bw, buf);
        return;
    }
    for (int64_t j = 0; j < n; j++)
        load_f64(v, base + j * inner, 1, bw, buf + j * bw);
}

static void lines_store_f64(cf_value *v, int64_t base, int64_t n, int64_t inner, int64_t bw,
                            const double *buf)
{
    if (bw == inner) {
        store_f64(v, base, 1, n * bw, buf);
        return;
    }
    for (int64_t j = 0; j < n; j++)
        store_f64(v, base + j * inner, 1, bw, buf + j * bw);
}

static void lines_load_i64(const cf_value *v, int64_t base, int64_t n, int64_t inner, int64_t bw,
                           int64_t *buf)
{
    if (bw == inner) {
        load_i64(v, base, 1, n * bw, buf);
        return;
    }
    for (int64_t j = 0; j < n; j++)
        load_i64(v, base + j * inner, 1, bw, buf + j * bw);
}

static void lines_store_i64(cf_value *v, int64_t base, int64_t n, int64_t inner, int64_t bw,
                            const int64_t *buf)
{
    if (bw == inner) {
        store_i64(v, base, 1, n * bw, buf);
        return;
    }
    for (int64_t j = 0; j < n; j++)
        store_i64(v, base + j * inner, 1, bw, buf + j * bw);
}


enum { T_FLOAT = 1, T_INT = 2, T_BOOL = 4 };

/* Refuses input i when the graph knows its type and it is not in `allowed`. */
static int check_input_type(const cf_graph *g, const cf_node *n, int i, unsigned allowed,
                            cf_error *err)
{
    const cf_tensor *t = cf_node_input(g, n, i);
    if (!t)
        return 0;
    if ((t->flags & CF_TENSOR_TYPED) && t->dtype == CF_DT_UNDEFINED)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "input %d is not a tensor (sequence or optional)", i);
    if (t->dtype == CF_DT_UNDEFINED)
        return 0;
    if ((allowed & T_FLOAT) && cf_is_float_type(t->dtype))
        return 0;
    if ((allowed & T_INT) && cf_is_int_type(t->dtype))
        return 0;
    if ((allowed & T_BOOL) && t->dtype == CF_DT_BOOL)
        return 0;
    return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "input %d is %s", i,
                                   cf_dtype_name(t->dtype));
}

/* At run time, for graphs whose types were unknown at prepare. */
static int check_value_type(const cf_kernel_call *c, const cf_value *v, const char *what,
                            unsigned allowed, cf_error *err)
{
    if ((allowed & T_FLOAT) && cf_is_float_type(v->dtype))
        return 0;
    if ((allowed & T_INT) && cf_is_int_type(v->dtype))
        return 0;
    if ((allowed & T_BOOL) && v->dtype == CF_DT_BOOL)
        return 0;
    return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s of type %s not supported", what,
                           cf_dtype_name(v->dtype));
}

static int need_inputs(const cf_kernel_call *c, int count, cf_error *err)
{
    for (int i = 0; i < count; i++)
        if (i >= c->n_in || !c->in[i])
            return cf_kernel_error(c, err, CF_EINVAL, "input %d is missing", i);
    return 0;
}

static void free_state(void *state)
{
    free(state);
}

/* ---- reduction plan ------------------------------------------------------------ */

/* The input's axes with size 1 dropped and neighbours of the same kind
 * (reduced / kept) merged; every reduction and MeanVarianceNormalization
 * walks the input in this form, the last group being the inner loop. */
typedef struct rplan {
    int n;                         /* groups */
    int64_t size[CF_MAX_RANK];
    int red[CF_MAX_RANK];
    int64_t in_stride[CF_MAX_RANK], out_stride[CF_MAX_RANK];
    int64_t out_numel, in_numel;
    int64_t count;                 /* input elements per output element */
} rplan;

static void rplan_init(rplan *p, int rank, const int64_t *dims, const int *reduced)
{
    memset(p, 0, sizeof *p);
    p->in_numel = dims_prod(dims, 0, rank);
    p->out_numel = 1;
    p->count = 1;
    for (int d = 0; d < rank; d++) {
        if (reduced[d])
            p->count *= dims[d];
        else
            p->out_numel *= dims[d];
        if (dims[d] == 1)
            continue;
        if (p->n > 0 && p->red[p->n - 1] == reduced[d]) {
            p->size[p->n - 1] *= dims[d];
            continue;
        }
        p->size[p->n] = dims[d];
        p->red[p->n] = reduced[d];
        p->n++;
    }
    if (p->n == 0) {
        p->size[0] = 1;
        p->n = 1;
    }
    int64_t si = 1, so = 1;
    for (int k = p->n - 1; k >= 0; k--) {
        p->in_stride[k] = si;
        si *= p->size[k];
        p->out_stride[k] = p->red[k] ? 0 : so;
        if (!p->red[k])
            so *= p->size[k];
    }
}

/* Calls fn(user, in_off, out_off, n, out_inner_stride) for every inner run
 * of the plan: n input elements from in_off, their output elements from
 * out_off with stride out_inner_stride (0 when the run is reduced). */
typedef void (*rplan_fn)(void *user, int64_t in_off, int64_t out_off, int64_t n,
                         int64_t out_step);

static void rplan_walk(const rplan *p, rplan_fn fn, void *user)
{
    if (p->in_numel == 0)
        return;
    int last = p->n - 1;
    int64_t inner = p->size[last], ostep = p->out_stride[last];
    const int64_t *strides[2] = {p->in_stride, p->out_stride};
    cf_nditer it;
    cf_nditer_init(&it, last, p->size, 2, strides);
    int64_t outer = dims_prod(p->size, 0, last);
    for (int64_t o = 0; o < outer; o++) {
        fn(user, it.off[0], it.off[1], inner, ostep);
        cf_nditer_next(&it);
    }
}

/* ---- Reduce* ----------------------------------------------------------------- */

typedef enum rkind {
    R_L1, R_L2, R_LOGSUMEXP, R_LOGSUM, R_MAX, R_MEAN, R_MIN, R_PROD, R_SUM, R_SUMSQ
} rkind;

static const struct {
    const char *op;
    rkind kind;
} reduce_ops[] = {
    {"ReduceL1", R_L1},     {"ReduceL2", R_L2},   {"ReduceLogSumExp", R_LOGSUMEXP},
    {"ReduceLogSum", R_LOGSUM}, {"ReduceMax", R_MAX}, {"ReduceMean", R_MEAN},
    {"ReduceMin", R_MIN},   {"ReduceProd", R_PROD}, {"ReduceSum", R_SUM},
    {"ReduceSumSquare", R_SUMSQ},
};

typedef struct reduce_state {
    rkind kind;
    int axes_input;                /* axes come from input 1 (ReduceSum >= 13, others >= 18) */
    int keepdims, noop_empty;
    int n_axes;                    /* attribute form; -1 = attribute absent */
    int64_t axes[CF_MAX_RANK];
} reduce_state;

static int reduce_prepare_common(const cf_graph *g, const cf_node *n, void **state,
                                 int axes_input, cf_error *err)
{
    static const char *const attr_names[] = {"axes", "keepdims", NULL};
    static const char *const input_names[] = {"keepdims", "noop_with_empty_axes", NULL};
    int rc = cf_kernel_check_attrs(n, axes_input ? input_names : attr_names, err);
    if (rc)
        return rc;
    if ((rc = check_input_type(g, n, 0, T_FLOAT | T_INT | T_BOOL, err)))
        return rc;
    int found = 0;
    reduce_state s = {0};
    for (size_t i = 0; i < sizeof reduce_ops / sizeof reduce_ops[0]; i++)
        if (strcmp(reduce_ops[i].op, n->op_type) == 0) {
            s.kind = reduce_ops[i].kind;
            found = 1;
        }
    if (!found)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "not a reduction");
    const cf_tensor *t = cf_node_input(g, n, 0);
    if (t && t->dtype == CF_DT_BOOL && s.kind != R_MAX && s.kind != R_MIN)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "input 0 is bool");
    s.axes_input = axes_input;
    s.keepdims = cf_node_attr_int(n, "keepdims", 1) != 0;
    s.noop_empty = cf_node_attr_int(n, "noop_with_empty_axes", 0) != 0;
    s.n_axes = -1;
    if (!axes_input) {
        size_t cnt = 0;
        const int64_t *ax = cf_node_attr_ints(n, "axes", &cnt);
        if (ax) {
            if (cnt > CF_MAX_RANK)
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%zu axes", cnt);
            s.n_axes = (int)cnt;
            memcpy(s.axes, ax, cnt * sizeof *ax);
        }
    }
    reduce_state *ps = malloc(sizeof *ps);
    if (!ps)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    *ps = s;
    *state = ps;
    return 0;
}

static int reduce_prepare_attr(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return reduce_prepare_common(g, n, state, 0, err);
}

static int reduce_prepare_input(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return reduce_prepare_common(g, n, state, 1, err);
}

/* One pass of a reduction over the plan, accumulating into acc (one per
 * output element); R_LOGSUMEXP sums exp(x - mx[o]). */
typedef struct rpass_f {
    const cf_value *x;
    rkind kind;
    double *acc;
    const double *mx;
    double *row;
} rpass_f;

static void rpass_f_run(void *user, int64_t in_off, int64_t o, int64_t n, int64_t ostep)
{
    rpass_f *p = user;
    double *row = p->row, *acc = p->acc;
    load_f64(p->x, in_off, 1, n, row);
    if (ostep == 0 && p->kind != R_PROD && p->kind != R_MAX && p->kind != R_MIN &&
        p->kind != R_LOGSUMEXP) {
        /* A whole run into one sum: four partial sums break the chain of
         * dependent additions. */
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int sq = p->kind == R_SUMSQ || p->kind == R_L2, ab = p->kind == R_L1;
        int64_t j = 0;
#define TERM(v) (sq ? (v) * (v) : ab ? fabs(v) : (v))
        for (; j + 4 <= n; j += 4) {
            s0 += TERM(row[j]);
            s1 += TERM(row[j + 1]);
            s2 += TERM(row[j + 2]);
            s3 += TERM(row[j + 3]);
        }
        for (; j < n; j++)
            s0 += TERM(row[j]);
#undef TERM
        acc[o] += (s0 + s1) + (s2 + s3);
        return;
    }
    switch (p->kind) {
    case R_SUM: case R_MEAN: case R_LOGSUM:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] += row[j];
        break;
    case R_SUMSQ: case R_L2:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] += row[j] * row[j];
        break;
    case R_L1:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] += fabs(row[j]);
        break;
    case R_PROD:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] *= row[j];
        break;
    /* NaN propagates, as numpy's maximum/minimum do. */
    case R_MAX:
        for (int64_t j = 0; j < n; j++) {
            double *a = &acc[o + j * ostep];
            if (row[j] > *a || isnan(row[j]))
                *a = row[j];
        }
        break;
    case R_MIN:
        for (int64_t j = 0; j < n; j++) {
            double *a = &acc[o + j * ostep];
            if (row[j] < *a || isnan(row[j]))
                *a = row[j];
        }
        break;
    case R_LOGSUMEXP:
        for (int64_t j = 0; j < n; j++) {
            int64_t k = o + j * ostep;
            double m = p->mx[k];
            acc[k] += isinf(m) ? 0 : exp(row[j] - m);
        }
        break;
    }
}

typedef struct rpass_i {
    const cf_value *x;
    rkind kind;
    int64_t *acc;
    int64_t *row;
} rpass_i;

static void rpass_i_run(void *user, int64_t in_off, int64_t o, int64_t n, int64_t ostep)
{
    rpass_i *p = user;
    int64_t *row = p->row, *acc = p->acc;
    load_i64(p->x, in_off, 1, n, row);
    switch (p->kind) {
    case R_SUM: case R_MEAN: case R_LOGSUM:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] += row[j];
        break;
    case R_SUMSQ: case R_L2:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] += row[j] * row[j];
        break;
    case R_L1:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] += row[j] < 0 ? -row[j] : row[j];
        break;
    case R_PROD:
        for (int64_t j = 0; j < n; j++)
            acc[o + j * ostep] *= row[j];
        break;
    case R_MAX:
        for (int64_t j = 0; j < n; j++)
            if (row[j] > acc[o + j * ostep])
                acc[o + j * ostep] = row[j];
        break;
    case R_MIN:
        for (int64_t j = 0; j < n; j++)
            if (row[j] < acc[o + j * ostep])
                acc[o + j * ostep] = row[j];
        break;
    case R_LOGSUMEXP:
        break;
    }
}

static double reduce_init_f(rkind k)
{
    switch (k) {
    case R_PROD: return 1;
    case R_MAX: case R_LOGSUMEXP: return -INFINITY;
    case R_MIN: return INFINITY;
    default: return 0;
    }
}

/* Integer reduce of an empty set: max/min give the type's extremes. */
static int64_t reduce_init_i(rkind k, cf_dtype dt)
{
    int64_t lo, hi;
    switch (dt) {
    case CF_DT_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case CF_DT_UINT8: lo = 0; hi = UINT8_MAX; break;
    case CF_DT_BOOL: lo = 0; hi = 1; break;
    case CF_DT_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case CF_DT_UINT16: lo = 0; hi = UINT16_MAX; break;
    case CF_DT_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    case CF_DT_UINT32: lo = 0; hi = UINT32_MAX; break;
    case CF_DT_UINT64: lo = 0; hi = INT64_MAX; break;
    default: lo = INT64_MIN; hi = INT64_MAX; break;
    }
    switch (k) {
    case R_PROD: return 1;
    case R_MAX: return lo;
    case R_MIN: return hi;
    default: return 0;
    }
}

static int reduce_run(cf_kernel_call *c, cf_error *err)
{
    const reduce_state *s = c->state;
    int rc = need_inputs(c, 1, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT | T_INT | T_BOOL, err)))
        return rc;
    int rank = x->rank;
    int64_t axes[CF_MAX_RANK];
    int64_t n_axes = 0;
    if (s->axes_input) {
        if (c->n_in > 1 && c->in[1]) {
            if ((rc = cf_value_ints(c, c->in[1], "axes", axes, CF_MAX_RANK, &n_axes, err)))
                return rc;
        }
    } else if (s->n_axes >= 0) {
        n_axes = s->n_axes;
        memcpy(axes, s->axes, (size_t)n_axes * sizeof *axes);
    }
    if (n_axes == 0 && s->axes_input && s->noop_empty) {
        cf_value *y = cf_kcall_output(c, 0, x->dtype, rank, x->dims, err);
        if (!y)
            return CF_ENOMEM;
        if (x->nbytes)
            memcpy(y->data, x->data, x->nbytes);
        return 0;
    }
    int reduced[CF_MAX_RANK] = {0};
    for (int64_t i = 0; i < n_axes; i++) {
        int a;
        if ((rc = cf_axis(c, axes[i], rank, &a, err)))
            return rc;
        if (reduced[a])
            return cf_kernel_error(c, err, CF_EINVAL, "axis %" PRId64 " repeated", axes[i]);
        reduced[a] = 1;
    }
    if (n_axes == 0)
        for (int d = 0; d < rank; d++)
            reduced[d] = 1;
    int orank = 0;
    int64_t odims[CF_MAX_RANK];
    for (int d = 0; d < rank; d++) {
        if (!reduced[d])
            odims[orank++] = x->dims[d];
        else if (s->keepdims)
            odims[orank++] = 1;
    }
    cf_value *y = cf_kcall_output(c, 0, x->dtype, orank, odims, err);
    if (!y)
        return CF_ENOMEM;
    rplan p;
    rplan_init(&p, rank, x->dims, reduced);
    int64_t on = p.out_numel;
    if (on == 0)
        return 0;
    int64_t inner = p.size[p.n - 1];
    rkind k = s->kind;
    int use_int = (cf_is_int_type(x->dtype) || x->dtype == CF_DT_BOOL) && k != R_LOGSUMEXP;
    if (use_int) {
        int64_t *acc = malloc((size_t)(on + inner) * sizeof *acc);
        double *res = malloc((size_t)on * sizeof *res);
        if (!acc || !res) {
            free(acc);
            free(res);
            return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
        }
        int64_t init = reduce_init_i(k, x->dtype);
        for (int64_t o = 0; o < on; o++)
            acc[o] = init;
        rpass_i ps = {x, k, acc, acc + on};
        rplan_walk(&p, rpass_i_run, &ps);
        if (k == R_MEAN || k == R_L2 || k == R_LOGSUM) {
            for (int64_t o = 0; o < on; o++)
                res[o] = k == R_MEAN ? (double)acc[o] / (double)p.count
                         : k == R_L2 ? sqrt((double)acc[o]) : log((double)acc[o]);
            store_f64(y, 0, 1, on, res);
        } else {
            store_i64(y, 0, 1, on, acc);
        }
        free(acc);
        free(res);
        return 0;
    }
    double *acc = malloc((size_t)(on + inner) * sizeof *acc);
    double *mx = k == R_LOGSUMEXP ? malloc((size_t)on * sizeof *mx) : NULL;
    if (!acc || (k == R_LOGSUMEXP && !mx)) {
        free(acc);
        free(mx);
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    }
    rpass_f ps = {x, k, acc, mx, acc + on};
    if (k == R_LOGSUMEXP) {
        /* Shifting by the maximum keeps exp from overflowing. */
        for (int64_t o = 0; o < on; o++)
            mx[o] = -INFINITY;
        ps.kind = R_MAX;
        ps.acc = mx;
        rplan_walk(&p, rpass_f_run, &ps);
        ps.kind = R_LOGSUMEXP;
        ps.acc = acc;
    }
    double init = reduce_init_f(k == R_LOGSUMEXP ? R_SUM : k);
    for (int64_t o = 0; o < on; o++)
        acc[o] = init;
    rplan_walk(&p, rpass_f_run, &ps);
    for (int64_t o = 0; o < on; o++) {
        switch (k) {
        case R_MEAN: acc[o] /= (double)p.count; break;
        case R_L2: acc[o] = sqrt(acc[o]); break;
        case R_LOGSUM: acc[o] = log(acc[o]); break;
        case R_LOGSUMEXP: acc[o] = isinf(mx[o]) ? mx[o] : mx[o] + log(acc[o]); break;
        default: break;
        }
    }
    store_f64(y, 0, 1, on, acc);
    free(acc);
    free(mx);
    return 0;
}

/* ---- ArgMax / ArgMin ----------------------------------------------------------- */

typedef struct arg_state {
    int is_max, keepdims, last;
    int64_t axis;
} arg_state;

static int arg_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const names[] = {"axis", "keepdims", "select_last_index", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc || (rc = check_input_type(g, n, 0, T_FLOAT | T_INT, err)))
        return rc;
    arg_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->is_max = strcmp(n->op_type, "ArgMax") == 0;
    s->keepdims = cf_node_attr_int(n, "keepdims", 1) != 0;
    s->last = cf_node_attr_int(n, "select_last_index", 0) != 0;
    s->axis = cf_node_attr_int(n, "axis", 0);
    *state = s;
    return 0;
}

static int arg_run(cf_kernel_call *c, cf_error *err)
{
    const arg_state *s = c->state;
    int rc = need_inputs(c, 1, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT | T_INT, err)))
        return rc;
    int axis;
    if ((rc = cf_axis(c, s->axis, x->rank, &axis, err)))
        return rc;
    int64_t n = x->rank ? x->dims[axis] : 1;
    int64_t outer = dims_prod(x->dims, 0, axis), inner = dims_prod(x->dims, axis + 1, x->rank);
    int orank = 0;
    int64_t odims[CF_MAX_RANK];
    for (int d = 0; d < x->rank; d++) {
        if (d != axis)
            odims[orank++] = x->dims[d];
        else if (s->keepdims)
            odims[orank++] = 1;
    }
    if (n == 0 && outer * inner > 0)
        return cf_kernel_error(c, err, CF_EINVAL, "reduced axis %d is empty", axis);
    cf_value *y = cf_kcall_output(c, 0, CF_DT_INT64, orank, odims, err);
    if (!y)
        return CF_ENOMEM;
    int64_t *out = y->data;
    if (outer * inner == 0)
        return 0;
    int use_int = cf_is_int_type(x->dtype);
    int64_t bw = line_block(inner);
    void *buf = malloc((size_t)(n * bw) * 8);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i0 = 0; i0 < inner; i0 += bw) {
            int64_t w = inner - i0 < bw ? inner - i0 : bw, base = o * n * inner + i0;
            /* A strictly better value moves the choice; with select_last_index
             * an equal one does too. */
#define ARG_SCAN(T, load)                                                             \
    do {                                                                              \
        T *r = buf;                                                                   \
        load(x, base, n, inner, w, r);                                                \
        for (int64_t t = 0; t < w; t++) {                                             \
            int64_t best = 0;                                                         \
            for (int64_t j = 1; j < n; j++) {                                         \
                T v = r[j * w + t], b = r[best * w + t];                              \
                int better = s->is_max ? v > b : v < b;                               \
                if (better || (s->last && v == b))                                    \
                    best = j;                                                         \
            }                                                                         \
            out[o * inner + i0 + t] = best;                                           \
        }                                                                             \
    } while (0)
            if (use_int)
                ARG_SCAN(int64_t, lines_load_i64);
            else
                ARG_SCAN(double, lines_load_f64);
#undef ARG_SCAN
        }
    free(buf);
    return 0;
}

/* ---- Softmax / LogSoftmax / Hardmax ---------------------------------------------- */

typedef struct softmax_state {
    int kind;                      /* 0 Softmax, 1 LogSoftmax, 2 Hardmax */
    int legacy;                    /* opset < 13: the input is coerced to 2D at axis */
    int64_t axis;
} softmax_state;

static int softmax_prepare_common(const cf_graph *g, const cf_node *n, void **state, int legacy,
                                  cf_error *err)
{
    static const char *const names[] = {"axis", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc || (rc = check_input_type(g, n, 0, T_FLOAT, err)))
        return rc;
    softmax_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->kind = strcmp(n->op_type, "Softmax") == 0 ? 0 : strcmp(n->op_type, "LogSoftmax") == 0 ? 1 : 2;
    s->legacy = legacy;
    s->axis = cf_node_attr_int(n, "axis", legacy ? 1 : -1);
    *state = s;
    return 0;
}

static int softmax_prepare_legacy(const cf_graph *g, const cf_node *n, void **state,
                                  cf_error *err)
{
    return softmax_prepare_common(g, n, state, 1, err);
}

static int softmax_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return softmax_prepare_common(g, n, state, 0, err);
}

/* w lines of n values, v[j * w + t] for line t, in place; the loops run
 * along t so memory is read in order. tmp holds 3 * w doubles. exp is the
 * cost here: types narrower than double take expf (exact to float's last
 * bit, several times faster); the sums stay in double. */
static void softmax_block(int kind, double *v, int64_t n, int64_t w, double *tmp, int dbl)
{
#define EXP(a) (dbl ? exp(a) : (double)expf((float)(a)))
    if (w == 1) {
        /* One line (the last axis): sums in registers, not through tmp. */
        double mx = v[0], sum = 0;
        int64_t arg = 0;
        for (int64_t j = 1; j < n; j++)
            if (v[j] > mx) {
                mx = v[j];
                arg = j;
            }
        if (kind == 2) {
            for (int64_t j = 0; j < n; j++)
                v[j] = j == arg;
        } else if (kind == 0) {
            for (int64_t j = 0; j < n; j++) {
                v[j] = EXP(v[j] - mx);
                sum += v[j];
            }
            double inv = 1.0 / sum;
            for (int64_t j = 0; j < n; j++)
                v[j] *= inv;
        } else {
            for (int64_t j = 0; j < n; j++)
                sum += EXP(v[j] - mx);
            mx += log(sum);
            for (int64_t j = 0; j < n; j++)
                v[j] -= mx;
        }
        return;
    }
    double *m = tmp, *sum = tmp + w, *arg = tmp + 2 * w;
    for (int64_t t = 0; t < w; t++) {
        m[t] = v[t];
        arg[t] = 0;
        sum[t] = 0;
    }
    for (int64_t j = 1; j < n; j++)
        for (int64_t t = 0; t < w; t++)
            if (v[j * w + t] > m[t]) {
                m[t] = v[j * w + t];
                arg[t] = (double)j;
            }
    if (kind == 2) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t t = 0; t < w; t++)
                v[j * w + t] = (double)j == arg[t];
        return;
    }
    /* Shifted by the maximum so exp cannot overflow. */
    if (kind == 0) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t t = 0; t < w; t++) {
                double e = EXP(v[j * w + t] - m[t]);
                v[j * w + t] = e;
                sum[t] += e;
            }
        for (int64_t t = 0; t < w; t++)
            sum[t] = 1.0 / sum[t];
        for (int64_t j = 0; j < n; j++)
            for (int64_t t = 0; t < w; t++)
                v[j * w + t] *= sum[t];
    } else {
        for (int64_t j = 0; j < n; j++)
            for (int64_t t = 0; t < w; t++)
                sum[t] += EXP(v[j * w + t] - m[t]);
        for (int64_t t = 0; t < w; t++)
            m[t] += log(sum[t]);
        for (int64_t j = 0; j < n; j++)
            for (int64_t t = 0; t < w; t++)
                v[j * w + t] -= m[t];
    }
#undef EXP
}

/* Sum of n floats in double, in 16 lanes: a single running sum is a chain
 * GCC may not reorder (no -ffast-math), lanes vectorise. The lanes are
 * fixed, so the result does not depend on the vector width. */
static inline double sum_f32_lanes(const float *v, int64_t n)
{
    double acc[16] = {0};
    int64_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int l = 0; l < 16; l++)
            acc[l] += (double)v[j + l];
    for (int l = 0; j < n; j++, l++)
        acc[l] += (double)v[j];
    double s = 0;
    for (int l = 0; l < 16; l++)
        s += acc[l];
    return s;
}

/* The largest of n floats, compared as integers: the bits of a float with
 * the magnitude bits of negatives flipped order as the floats do, and GCC
 * vectorises an integer maximum but not a float one that has to respect
 * NaN. A NaN counts as larger or smaller than everything depending on its
 * sign; a softmax row holding one comes out NaN either way. */
static inline float max_f32(const float *x, int64_t n)
{
    int32_t mk = INT32_MIN;
    for (int64_t j = 0; j < n; j++) {
        uint32_t u = cf_f32_bits(x[j]);
        int32_t k = (int32_t)(u ^ ((uint32_t)((int32_t)u >> 31) >> 1));
        mk = k > mk ? k : mk;
    }
    uint32_t u = (uint32_t)mk;
    return cf_f32_from_bits(u ^ ((uint32_t)((int32_t)u >> 31) >> 1));
}

/* Rows of n float32 values along the last axis: the maximum, e^(x - max)
 * by the float exp of kutil.h (about 1 ulp), the sum in double,
 * then the scale (Softmax) or x - max - log(sum) in double (LogSoftmax);
 * one rounding to float at the end, as the double path. */
CF_HOT_LOOP static void softmax_rows_f32(int kind, const float *x, float *y, int64_t n,
                                         int64_t rows)
{
    for (int64_t r = 0; r < rows; r++, x += n, y += n) {
        float mx = max_f32(x, n);
        int64_t j;
        for (j = 0; j < n; j++)
            y[j] = cf_exp_f32(x[j] - mx);
        double sum = sum_f32_lanes(y, n);
        if (kind == 0) {
            double inv = 1.0 / sum;
            for (j = 0; j < n; j++)
                y[j] = (float)((double)y[j] * inv);
        } else {
            double lse = (double)mx + log(sum);
            for (j = 0; j < n; j++)
                y[j] = (float)((double)x[j] - lse);
        }
    }
}

typedef struct softmax_job {
    int kind;
    const float *x;
    float *y;
    int64_t n;
} softmax_job;

static void softmax_part(void *ctx, int64_t r0, int64_t r1)
{
    const softmax_job *j = ctx;
    softmax_rows_f32(j->kind, j->x + r0 * j->n, j->y + r0 * j->n, j->n, r1 - r0);
}

static int softmax_run(cf_kernel_call *c, cf_error *err)
{
    const softmax_state *s = c->state;
    int rc = need_inputs(c, 1, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT, err)))
        return rc;
    int axis;
    if (s->legacy && s->axis == x->rank) {
        axis = x->rank;   /* coerced to [N, 1]: every row is one element */
    } else if ((rc = cf_axis(c, s->axis, x->rank, &axis, err))) {
        return rc;
    }
    int64_t outer, n, inner;
    if (s->legacy) {
        outer = dims_prod(x->dims, 0, axis);
        n = dims_prod(x->dims, axis, x->rank);
        inner = 1;
    } else {
        outer = dims_prod(x->dims, 0, axis);
        n = x->rank ? x->dims[axis] : 1;
        inner = dims_prod(x->dims, axis + 1, x->rank);
    }
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    if (outer * n * inner == 0)
        return 0;
    if (x->dtype == CF_DT_FLOAT && inner == 1 && s->kind != 2) {
        softmax_job j = {s->kind, x->data, y->data, n};
        cf_par_ranges(outer, c->threads, (CF_PAR_PART + n - 1) / n, softmax_part, &j);
        return 0;
    }
    int64_t bw = line_block(inner);
    double *buf = malloc((size_t)(n * bw + 3 * bw) * sizeof *buf);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i0 = 0; i0 < inner; i0 += bw) {
            int64_t w = inner - i0 < bw ? inner - i0 : bw, base = o * n * inner + i0;
            lines_load_f64(x, base, n, inner, w, buf);
            softmax_block(s->kind, buf, n, w, buf + n * bw, x->dtype == CF_DT_DOUBLE);
            lines_store_f64(y, base, n, inner, w, buf);
        }
    free(buf);
    return 0;
}

/* ---- CumSum --------------------------------------------------------------------- */

typedef struct cumsum_state {
    int exclusive, reverse;
} cumsum_state;

static int cumsum_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const names[] = {"exclusive", "reverse", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc || (rc = check_input_type(g, n, 0, T_FLOAT | T_INT, err)) ||
        (rc = check_input_type(g, n, 1, T_INT, err)))
        return rc;
    cumsum_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->exclusive = cf_node_attr_int(n, "exclusive", 0) != 0;
    s->reverse = cf_node_attr_int(n, "reverse", 0) != 0;
    *state = s;
    return 0;
}

static int cumsum_run(cf_kernel_call *c, cf_error *err)
{
    const cumsum_state *s = c->state;
    int rc = need_inputs(c, 2, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT | T_INT, err)))
        return rc;
    int64_t av[1], na;
    if ((rc = cf_value_ints(c, c->in[1], "axis", av, 1, &na, err)))
        return rc;
    if (na != 1)
        return cf_kernel_error(c, err, CF_EINVAL, "axis must hold one value");
    int axis;
    if ((rc = cf_axis(c, av[0], x->rank, &axis, err)))
        return rc;
    int64_t n = x->rank ? x->dims[axis] : 1;
    int64_t outer = dims_prod(x->dims, 0, axis), inner = dims_prod(x->dims, axis + 1, x->rank);
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    if (outer * n * inner == 0)
        return 0;
    int use_int = cf_is_int_type(x->dtype);
    int64_t bw = line_block(inner);
    void *buf = malloc((size_t)(n * bw) * 8);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i0 = 0; i0 < inner; i0 += bw) {
            int64_t w = inner - i0 < bw ? inner - i0 : bw, base = o * n * inner + i0;
#define CUMSUM(T, load, store)                                                        \
    do {                                                                              \
        T *r = buf;                                                                   \
        load(x, base, n, inner, w, r);                                                \
        for (int64_t t = 0; t < w; t++) {                                             \
            T acc = 0;                                                                \
            for (int64_t q = 0; q < n; q++) {                                         \
                int64_t j = (s->reverse ? n - 1 - q : q) * w + t;                     \
                T v = r[j];                                                           \
                r[j] = s->exclusive ? acc : acc + v;                                  \
                acc += v;                                                             \
            }                                                                         \
        }                                                                             \
        store(y, base, n, inner, w, r);                                               \
    } while (0)
            if (use_int)
                CUMSUM(int64_t, lines_load_i64, lines_store_i64);
            else
                CUMSUM(double, lines_load_f64, lines_store_f64);
#undef CUMSUM
        }
    free(buf);
    return 0;
}

/* ---- TopK ----------------------------------------------------------------------- */

typedef struct topk_state {
    int k_attr;                    /* opset < 10: k is an attribute */
    int64_t k;
    int largest;
    int64_t axis;
} topk_state;

typedef struct topk_item {
    double v;
    int64_t i;
} topk_item;

/* Ties go to the lower index; NaN counts as larger than any number. */
static int topk_cmp_largest(const void *a, const void *b)
{
    const topk_item *p = a, *q = b;
    int pn = isnan(p->v), qn = isnan(q->v);
    if (pn != qn)
        return pn ? -1 : 1;
    if (!pn && p->v != q->v)
        return p->v > q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static int topk_cmp_smallest(const void *a, const void *b)
{
    const topk_item *p = a, *q = b;
    int pn = isnan(p->v), qn = isnan(q->v);
    if (pn != qn)
        return pn ? 1 : -1;
    if (!pn && p->v != q->v)
        return p->v < q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static int topk_prepare_common(const cf_graph *g, const cf_node *n, void **state, int k_attr,
                               cf_error *err)
{
    static const char *const old_names[] = {"axis", "k", NULL};
    static const char *const new_names[] = {"axis", "largest", "sorted", NULL};
    int rc = cf_kernel_check_attrs(n, k_attr ? old_names : new_names, err);
    if (rc || (rc = check_input_type(g, n, 0, T_FLOAT | T_INT, err)))
        return rc;
    topk_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->k_attr = k_attr;
    s->k = cf_node_attr_int(n, "k", -1);
    /* sorted=0 leaves the order open: returning it sorted is one valid answer. */
    s->largest = cf_node_attr_int(n, "largest", 1) != 0;
    s->axis = cf_node_attr_int(n, "axis", -1);
    *state = s;
    return 0;
}

static int topk_prepare_attr(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return topk_prepare_common(g, n, state, 1, err);
}

static int topk_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return topk_prepare_common(g, n, state, 0, err);
}

static int topk_run(cf_kernel_call *c, cf_error *err)
{
    const topk_state *s = c->state;
    int rc = need_inputs(c, s->k_attr ? 1 : 2, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT | T_INT, err)))
        return rc;
    int64_t k = s->k;
    if (!s->k_attr) {
        int64_t kv[1], nk;
        if ((rc = cf_value_ints(c, c->in[1], "K", kv, 1, &nk, err)))
            return rc;
        if (nk != 1)
            return cf_kernel_error(c, err, CF_EINVAL, "K must hold one value");
        k = kv[0];
    }
    int axis;
    if ((rc = cf_axis(c, s->axis, x->rank, &axis, err)))
        return rc;
    if (x->rank == 0)
        return cf_kernel_error(c, err, CF_EINVAL, "input is a scalar");
    int64_t n = x->dims[axis];
    if (k < 0 || k > n)
        return cf_kernel_error(c, err, CF_EINVAL, "K %" PRId64 " out of range for axis of %" PRId64,
                               k, n);
    int64_t outer = dims_prod(x->dims, 0, axis), inner = dims_prod(x->dims, axis + 1, x->rank);
    int64_t odims[CF_MAX_RANK];
    memcpy(odims, x->dims, sizeof odims);
    odims[axis] = k;
    cf_value *yv = cf_kcall_output(c, 0, x->dtype, x->rank, odims, err);
    if (!yv)
        return CF_ENOMEM;
    cf_value *yi = cf_kcall_output(c, 1, CF_DT_INT64, x->rank, odims, err);
    if (!yi)
        return CF_ENOMEM;
    if (outer * k * inner == 0)
        return 0;
    topk_item *items = malloc((size_t)n * sizeof *items);
    double *row = malloc((size_t)n * sizeof *row);
    if (!items || !row) {
        free(items);
        free(row);
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    }
    int (*cmp)(const void *, const void *) = s->largest ? topk_cmp_largest : topk_cmp_smallest;
    size_t es = cf_dtype_size(x->dtype);
    const char *src = x->data;
    char *dv = yv->data;
    int64_t *di = yi->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t off = o * n * inner + i;
            load_f64(x, off, inner, n, row);
            if (k * 8 <= n) {
                /* Few wanted: insert into a sorted list of the best k, which
                 * most elements fail to enter after one comparison. */
                int64_t cnt = 0;
                for (int64_t j = 0; j < n; j++) {
                    topk_item it = {row[j], j};
                    if (cnt == k && cmp(&it, &items[cnt - 1]) >= 0)
                        continue;
                    int64_t pos = cnt < k ? cnt++ : k - 1;
                    for (; pos > 0 && cmp(&it, &items[pos - 1]) < 0; pos--)
                        items[pos] = items[pos - 1];
                    items[pos] = it;
                }
            } else {
                for (int64_t j = 0; j < n; j++) {
                    items[j].v = row[j];
                    items[j].i = j;
                }
                qsort(items, (size_t)n, sizeof *items, cmp);
            }
            /* Values are copied as bytes, so no type loses precision. */
            for (int64_t j = 0; j < k; j++) {
                int64_t oo = o * k * inner + j * inner + i;
                memcpy(dv + (size_t)oo * es, src + (size_t)(off + items[j].i * inner) * es, es);
                di[oo] = items[j].i;
            }
        }
    free(items);
    free(row);
    return 0;
}

/* ---- LayerNormalization ------------------------------------------------------------ */

typedef struct lnorm_state {
    int64_t axis;
    double eps;
} lnorm_state;

static int lnorm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const names[] = {"axis", "epsilon", "stash_type", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc)
        return rc;
    for (int i = 0; i < n->n_inputs && i < 3; i++)
        if ((rc = check_input_type(g, n, i, T_FLOAT, err)))
            return rc;
    /* The statistics are computed in double, at least as precise as any
     * stash_type asks. */
    int64_t st = cf_node_attr_int(n, "stash_type", 1);
    if (st != CF_DT_FLOAT && st != CF_DT_DOUBLE && st != CF_DT_FLOAT16 && st != CF_DT_BFLOAT16)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "stash_type %" PRId64, st);
    lnorm_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->axis = cf_node_attr_int(n, "axis", -1);
    s->eps = cf_node_attr_float(n, "epsilon", 1e-5f);
    *state = s;
    return 0;
}

/* Expands v (scale or bias), broadcast to dims[from..rank), into a double
 * row of the normalised size; NULL v gives `dflt` everywhere. */
static int param_row(const cf_kernel_call *c, const cf_value *v, const char *what, int rank,
                     const int64_t *dims, double dflt, double *row, cf_error *err)
{
    int64_t m = dims_prod(dims, 0, rank);
    if (!v) {
        for (int64_t j = 0; j < m; j++)
            row[j] = dflt;
        return 0;
    }
    int rc = check_value_type(c, v, what, T_FLOAT, err);
    if (rc)
        return rc;
    int ok = v->rank <= rank;
    for (int d = 0; ok && d < v->rank; d++) {
        int64_t vd = v->dims[d], xd = dims[rank - v->rank + d];
        if (vd != xd && vd != 1)
            ok = 0;
    }
    if (!ok) {
        char s1[96];
        return cf_kernel_error(c, err, CF_EINVAL, "%s %s does not broadcast to the normalised shape",
                               what, cf_value_format(v, s1, sizeof s1));
    }
    int64_t vn = cf_value_numel(v);
    if (vn == m) {
        load_f64(v, 0, 1, m, row);
        return 0;
    }
    int64_t strides[CF_MAX_RANK];
    cf_bcast_strides(v, rank, dims, strides);
    const int64_t *sp[1] = {strides};
    cf_nditer it;
    cf_nditer_init(&it, rank, dims, 1, sp);
    for (int64_t j = 0; j < m; j++) {
        load_f64(v, it.off[0], 1, 1, &row[j]);
        cf_nditer_next(&it);
    }
    return 0;
}

/* One float32 row of LayerNormalization: mean and variance (two passes, so
 * a large common offset does not cancel) in double lanes, then (x - mean) / sqrt(var + eps) * scale + bias in double
 * with one rounding to float, as the double path computes it. */
CF_HOT_LOOP static void lnorm_row_f32(const float *x, float *y, int64_t m, const double *scale,
                                      const double *bias, double eps, double *mean_out,
                                      double *inv_out)
{
    double mean = sum_f32_lanes(x, m) / (double)m;
    double acc[16] = {0};
    int64_t j;
    for (j = 0; j + 16 <= m; j += 16)
        for (int l = 0; l < 16; l++) {
            double d = (double)x[j + l] - mean;
            acc[l] += d * d;
        }
    for (int l = 0; j < m; j++, l++) {
        double d = (double)x[j] - mean;
        acc[l] += d * d;
    }
    double var = 0;
    for (int l = 0; l < 16; l++)
        var += acc[l];
    var /= (double)m;
    double inv = 1.0 / sqrt(var + eps);
    for (j = 0; j < m; j++)
        y[j] = (float)(((double)x[j] - mean) * inv * scale[j] + bias[j]);
    *mean_out = mean;
    *inv_out = inv;
}

typedef struct lnorm_job {
    const float *x;
    float *y;
    int64_t m;
    const double *scale, *bias;
    double eps;
    cf_value *ym, *yr;   /* the optional Mean and InvStdDev outputs, or NULL */
} lnorm_job;

static void lnorm_part(void *ctx, int64_t r0, int64_t r1)
{
    const lnorm_job *j = ctx;
    for (int64_t o = r0; o < r1; o++) {
        double mean, inv;
        lnorm_row_f32(j->x + o * j->m, j->y + o * j->m, j->m, j->scale, j->bias, j->eps, &mean,
                      &inv);
        if (j->ym)
            store_f64(j->ym, o, 1, 1, &mean);
        if (j->yr)
            store_f64(j->yr, o, 1, 1, &inv);
    }
}

static int lnorm_run(cf_kernel_call *c, cf_error *err)
{
    const lnorm_state *s = c->state;
    int rc = need_inputs(c, 2, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT, err)))
        return rc;
    int axis;
    if ((rc = cf_axis(c, s->axis, x->rank, &axis, err)))
        return rc;
    int64_t outer = dims_prod(x->dims, 0, axis), m = dims_prod(x->dims, axis, x->rank);
    int64_t sdims[CF_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        sdims[d] = d < axis ? x->dims[d] : 1;
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    cf_value *ym = NULL, *yr = NULL;
    cf_dtype sdt[2] = {CF_DT_FLOAT, CF_DT_FLOAT};
    for (int i = 1; i < 3 && i < c->node->n_outputs; i++) {
        const cf_tensor *t = cf_node_output(c->g, c->node, i);
        if (t && cf_is_float_type(t->dtype))
            sdt[i - 1] = t->dtype;
    }
    if (c->n_out > 1 && !(ym = cf_kcall_output(c, 1, sdt[0], x->rank, sdims, err)))
        return CF_ENOMEM;
    if (c->n_out > 2 && !(yr = cf_kcall_output(c, 2, sdt[1], x->rank, sdims, err)))
        return CF_ENOMEM;
    if (outer * m == 0)
        return 0;
    double *buf = malloc((size_t)(3 * m) * sizeof *buf);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    double *row = buf, *scale = buf + m, *bias = buf + 2 * m;
    int nr = x->rank - axis;
    if ((rc = param_row(c, c->in[1], "Scale", nr, x->dims + axis, 1, scale, err)) ||
        (rc = param_row(c, c->n_in > 2 ? c->in[2] : NULL, "B", nr, x->dims + axis, 0, bias, err))) {
        free(buf);
        return rc;
    }
    if (x->dtype == CF_DT_FLOAT) {
        lnorm_job j = {x->data, y->data, m, scale, bias, s->eps, ym, yr};
        cf_par_ranges(outer, c->threads, (CF_PAR_PART + m - 1) / m, lnorm_part, &j);
        free(buf);
        return 0;
    }
    for (int64_t o = 0; o < outer; o++) {
        load_f64(x, o * m, 1, m, row);
        double mean = 0, var = 0;
        for (int64_t j = 0; j < m; j++)
            mean += row[j];
        mean /= (double)m;
        for (int64_t j = 0; j < m; j++)
            var += (row[j] - mean) * (row[j] - mean);
        var /= (double)m;
        double inv = 1.0 / sqrt(var + s->eps);
        for (int64_t j = 0; j < m; j++)
            row[j] = (row[j] - mean) * inv * scale[j] + bias[j];
        store_f64(y, o * m, 1, m, row);
        if (ym)
            store_f64(ym, o, 1, 1, &mean);
        if (yr)
            store_f64(yr, o, 1, 1, &inv);
    }
    free(buf);
    return 0;
}

/* ---- BatchNormalization / InstanceNormalization ------------------------------------ */

typedef struct bnorm_state {
    double eps;
} bnorm_state;

static int bnorm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    /* momentum only matters when training; is_test and consumed_inputs are
     * bookkeeping of old opsets. */
    static const char *const names[] = {"epsilon", "momentum", "training_mode", "spatial",
                                        "is_test", "consumed_inputs", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc)
        return rc;
    if (cf_node_attr_int(n, "training_mode", 0) != 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "training_mode=1 (only inference is supported)");
    if (cf_node_attr_int(n, "spatial", 1) != 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "spatial=0");
    if (cf_node_attr(n, "is_test") && cf_node_attr_int(n, "is_test", 0) == 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "is_test=0 (only inference is supported)");
    for (int i = 1; i < n->n_outputs; i++)
        if (n->outputs[i] >= 0)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                           "output %d (running statistics of training)", i);
    for (int i = 0; i < n->n_inputs && i < 5; i++)
        if ((rc = check_input_type(g, n, i, T_FLOAT, err)))
            return rc;
    bnorm_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->eps = cf_node_attr_float(n, "epsilon", 1e-5f);
    *state = s;
    return 0;
}

/* Reads a per-channel parameter: C values. */
static int channel_param(const cf_kernel_call *c, int i, const char *what, int64_t C, double *dst,
                         cf_error *err)
{
    const cf_value *v = c->in[i];
    int rc = check_value_type(c, v, what, T_FLOAT, err);
    if (rc)
        return rc;
    if (cf_value_numel(v) != C) {
        char s1[96];
        return cf_kernel_error(c, err, CF_EINVAL, "%s %s: expected %" PRId64 " values (channels)",
                               what, cf_value_format(v, s1, sizeof s1), C);
    }
    load_f64(v, 0, 1, C, dst);
    return 0;
}

static int bnorm_run(cf_kernel_call *c, cf_error *err)
{
    const bnorm_state *s = c->state;
    int rc = need_inputs(c, 5, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT, err)))
        return rc;
    int64_t N = x->rank > 0 ? x->dims[0] : 1, C = x->rank > 1 ? x->dims[1] : 1;
    int64_t sp = dims_prod(x->dims, 2, x->rank);
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    double *p = malloc((size_t)(4 * C + sp + 1) * sizeof *p);
    if (!p)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    double *scale = p, *bias = p + C, *mean = p + 2 * C, *var = p + 3 * C, *row = p + 4 * C;
    if ((rc = channel_param(c, 1, "scale", C, scale, err)) ||
        (rc = channel_param(c, 2, "B", C, bias, err)) ||
        (rc = channel_param(c, 3, "mean", C, mean, err)) ||
        (rc = channel_param(c, 4, "var", C, var, err))) {
        free(p);
        return rc;
    }
    /* y = a*x + b per channel. */
    for (int64_t ch = 0; ch < C; ch++) {
        double a = scale[ch] / sqrt(var[ch] + s->eps);
        bias[ch] = bias[ch] - a * mean[ch];
        scale[ch] = a;
    }
    for (int64_t b = 0; b < N; b++)
        for (int64_t ch = 0; ch < C; ch++) {
            int64_t off = (b * C + ch) * sp;
            load_f64(x, off, 1, sp, row);
            for (int64_t j = 0; j < sp; j++)
                row[j] = scale[ch] * row[j] + bias[ch];
            store_f64(y, off, 1, sp, row);
        }
    free(p);
    return 0;
}

static int inorm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const names[] = {"epsilon", "consumed_inputs", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc)
        return rc;
    for (int i = 0; i < n->n_inputs && i < 3; i++)
        if ((rc = check_input_type(g, n, i, T_FLOAT, err)))
            return rc;
    bnorm_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->eps = cf_node_attr_float(n, "epsilon", 1e-5f);
    *state = s;
    return 0;
}

static int inorm_run(cf_kernel_call *c, cf_error *err)
{
    const bnorm_state *s = c->state;
    int rc = need_inputs(c, 3, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT, err)))
        return rc;
    if (x->rank < 2)
        return cf_kernel_error(c, err, CF_EINVAL, "input needs rank >= 2 (N, C, ...)");
    int64_t N = x->dims[0], C = x->dims[1], sp = dims_prod(x->dims, 2, x->rank);
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    double *p = malloc((size_t)(2 * C + sp + 1) * sizeof *p);
    if (!p)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    double *scale = p, *bias = p + C, *row = p + 2 * C;
    if ((rc = channel_param(c, 1, "scale", C, scale, err)) ||
        (rc = channel_param(c, 2, "B", C, bias, err))) {
        free(p);
        return rc;
    }
    for (int64_t b = 0; b < N; b++)
        for (int64_t ch = 0; ch < C; ch++) {
            int64_t off = (b * C + ch) * sp;
            load_f64(x, off, 1, sp, row);
            double mean = 0, var = 0;
            for (int64_t j = 0; j < sp; j++)
                mean += row[j];
            mean /= (double)sp;
            for (int64_t j = 0; j < sp; j++)
                var += (row[j] - mean) * (row[j] - mean);
            var /= (double)sp;
            double a = scale[ch] / sqrt(var + s->eps);
            for (int64_t j = 0; j < sp; j++)
                row[j] = (row[j] - mean) * a + bias[ch];
            store_f64(y, off, 1, sp, row);
        }
    free(p);
    return 0;
}

/* ---- LRN -------------------------------------------------------------------------- */

typedef struct lrn_state {
    double alpha, beta, bias;
    int64_t size;
} lrn_state;

static int lrn_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const names[] = {"alpha", "beta", "bias", "size", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc || (rc = check_input_type(g, n, 0, T_FLOAT, err)))
        return rc;
    int64_t size = cf_node_attr_int(n, "size", 0);
    if (size < 1)
        return cf_kernel_prepare_error(n, err, CF_EINVAL, "size %" PRId64 " (must be >= 1)", size);
    lrn_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->alpha = cf_node_attr_float(n, "alpha", 1e-4f);
    s->beta = cf_node_attr_float(n, "beta", 0.75f);
    s->bias = cf_node_attr_float(n, "bias", 1.0f);
    s->size = size;
    *state = s;
    return 0;
}

static int lrn_run(cf_kernel_call *c, cf_error *err)
{
    const lrn_state *s = c->state;
    int rc = need_inputs(c, 1, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT, err)))
        return rc;
    if (x->rank < 2)
        return cf_kernel_error(c, err, CF_EINVAL, "input needs rank >= 2 (N, C, ...)");
    int64_t N = x->dims[0], C = x->dims[1], sp = dims_prod(x->dims, 2, x->rank);
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    if (N * C * sp == 0)
        return 0;
    int64_t bw = line_block(sp);
    double *buf = malloc((size_t)(2 * C * bw) * sizeof *buf);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    double *in = buf, *out = buf + C * bw;
    int64_t lo = (s->size - 1) / 2, hi = s->size - 1 - lo;   /* floor and ceil of (size-1)/2 */
    double scale = s->alpha / (double)s->size;
    for (int64_t b = 0; b < N; b++)
        for (int64_t i0 = 0; i0 < sp; i0 += bw) {
            int64_t w = sp - i0 < bw ? sp - i0 : bw, base = b * C * sp + i0;
            lines_load_f64(x, base, C, sp, w, in);
            for (int64_t ch = 0; ch < C; ch++) {
                int64_t from = ch - lo < 0 ? 0 : ch - lo, to = ch + hi >= C ? C - 1 : ch + hi;
                for (int64_t t = 0; t < w; t++) {
                    double sq = 0;
                    for (int64_t k = from; k <= to; k++)
                        sq += in[k * w + t] * in[k * w + t];
                    out[ch * w + t] = in[ch * w + t] * exp(-s->beta * log(s->bias + scale * sq));
                }
            }
            lines_store_f64(y, base, C, sp, w, out);
        }
    free(buf);
    return 0;
}

/* ---- MeanVarianceNormalization ------------------------------------------------------- */

typedef struct mvn_state {
    int n_axes;
    int64_t axes[CF_MAX_RANK];
} mvn_state;

static int mvn_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const names[] = {"axes", NULL};
    int rc = cf_kernel_check_attrs(n, names, err);
    if (rc || (rc = check_input_type(g, n, 0, T_FLOAT, err)))
        return rc;
    mvn_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    size_t cnt = 0;
    const int64_t *ax = cf_node_attr_ints(n, "axes", &cnt);
    if (!ax) {
        static const int64_t dflt[] = {0, 2, 3};
        ax = dflt;
        cnt = 3;
    }
    if (cnt > CF_MAX_RANK) {
        free(s);
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%zu axes", cnt);
    }
    s->n_axes = (int)cnt;
    memcpy(s->axes, ax, cnt * sizeof *ax);
    *state = s;
    return 0;
}

typedef struct mvn_apply {
    const cf_value *x;
    cf_value *y;
    const double *mean, *inv;
    double *row;
} mvn_apply;

static void mvn_apply_run(void *user, int64_t in_off, int64_t o, int64_t n, int64_t ostep)
{
    mvn_apply *p = user;
    load_f64(p->x, in_off, 1, n, p->row);
    for (int64_t j = 0; j < n; j++) {
        int64_t k = o + j * ostep;
        p->row[j] = (p->row[j] - p->mean[k]) * p->inv[k];
    }
    store_f64(p->y, in_off, 1, n, p->row);
}

static int mvn_run(cf_kernel_call *c, cf_error *err)
{
    const mvn_state *s = c->state;
    int rc = need_inputs(c, 1, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT, err)))
        return rc;
    int reduced[CF_MAX_RANK] = {0};
    for (int i = 0; i < s->n_axes; i++) {
        int a;
        if ((rc = cf_axis(c, s->axes[i], x->rank, &a, err)))
            return rc;
        reduced[a] = 1;
    }
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return CF_ENOMEM;
    rplan p;
    rplan_init(&p, x->rank, x->dims, reduced);
    int64_t on = p.out_numel, inner = p.size[p.n - 1];
    if (p.in_numel == 0)
        return 0;
    double *buf = malloc((size_t)(2 * on + inner) * sizeof *buf);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    double *mean = buf, *sq = buf + on, *row = buf + 2 * on;
    for (int64_t o = 0; o < 2 * on; o++)
        buf[o] = 0;
    rpass_f ps = {x, R_SUM, mean, NULL, row};
    rplan_walk(&p, rpass_f_run, &ps);
    ps.kind = R_SUMSQ;
    ps.acc = sq;
    rplan_walk(&p, rpass_f_run, &ps);
    /* As ONNX's function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9). */
    for (int64_t o = 0; o < on; o++) {
        mean[o] /= (double)p.count;
        double var = sq[o] / (double)p.count - mean[o] * mean[o];
        sq[o] = 1.0 / (sqrt(var > 0 ? var : 0) + 1e-9);
    }
    mvn_apply ap = {x, y, mean, sq, row};
    rplan_walk(&p, mvn_apply_run, &ap);
    free(buf);
    return 0;
}

/* ---- NonZero -------------------------------------------------------------------------- */

static int nonzero_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    int rc = cf_kernel_check_attrs(n, (const char *const[]){NULL}, err);
    if (rc)
        return rc;
    return check_input_type(g, n, 0, T_FLOAT | T_INT | T_BOOL, err);
}

/* Any bit set, except that -0.0 is zero. */
static int is_nonzero(const cf_value *x, int64_t i)
{
    if (cf_is_float_type(x->dtype))
        return cf_value_get_f64(x, i) != 0;
    size_t es = cf_dtype_size(x->dtype);
    const unsigned char *d = (const unsigned char *)x->data + (size_t)i * es;
    for (size_t b = 0; b < es; b++)
        if (d[b])
            return 1;
    return 0;
}

static int nonzero_run(cf_kernel_call *c, cf_error *err)
{
    int rc = need_inputs(c, 1, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    if ((rc = check_value_type(c, x, "input", T_FLOAT | T_INT | T_BOOL, err)))
        return rc;
    /* A scalar counts as a one-element vector, as numpy's nonzero does. */
    int rank = x->rank ? x->rank : 1;
    int64_t dims[CF_MAX_RANK] = {1};
    if (x->rank)
        memcpy(dims, x->dims, sizeof dims);
    int64_t total = cf_value_numel(x), nz = 0;
    for (int64_t i = 0; i < total; i++)
        nz += is_nonzero(x, i);
    int64_t odims[2] = {rank, nz};
    cf_value *y = cf_kcall_output(c, 0, CF_DT_INT64, 2, odims, err);
    if (!y)
        return CF_ENOMEM;
    int64_t *out = y->data, col = 0;
    int64_t idx[CF_MAX_RANK] = {0};
    for (int64_t i = 0; i < total; i++) {
        int any = is_nonzero(x, i);
        if (any) {
            for (int r = 0; r < rank; r++)
                out[r * nz + col] = idx[r];
            col++;
        }
        for (int r = rank - 1; r >= 0; r--) {
            if (++idx[r] < dims[r])
                break;
            idx[r] = 0;
        }
    }
    return 0;
}

/* ---- table ------------------------------------------------------------------------- */

#define REDUCE(op, split)                                                             \
    {op, "", 1, (split) - 1, "ref", reduce_prepare_attr, reduce_run, free_state, NULL, NULL},     \
    {op, "", split, 0, "ref", reduce_prepare_input, reduce_run, free_state, NULL, NULL}

const cf_kernel_i cf_kernels_reduce[] = {
    REDUCE("ReduceL1", 18),
    REDUCE("ReduceL2", 18),
    REDUCE("ReduceLogSumExp", 18),
    REDUCE("ReduceLogSum", 18),
    REDUCE("ReduceMax", 18),
    REDUCE("ReduceMean", 18),
    REDUCE("ReduceMin", 18),
    REDUCE("ReduceProd", 18),
    REDUCE("ReduceSum", 13),
    REDUCE("ReduceSumSquare", 18),
    {"ArgMax", "", 1, 0, "ref", arg_prepare, arg_run, free_state, NULL, NULL},
    {"ArgMin", "", 1, 0, "ref", arg_prepare, arg_run, free_state, NULL, NULL},
    {"Softmax", "", 1, 12, "ref", softmax_prepare_legacy, softmax_run, free_state, NULL, NULL},
    {"Softmax", "", 13, 0, "ref", softmax_prepare, softmax_run, free_state, NULL, NULL},
    {"LogSoftmax", "", 1, 12, "ref", softmax_prepare_legacy, softmax_run, free_state, NULL, NULL},
    {"LogSoftmax", "", 13, 0, "ref", softmax_prepare, softmax_run, free_state, NULL, NULL},
    {"Hardmax", "", 1, 12, "ref", softmax_prepare_legacy, softmax_run, free_state, NULL, NULL},
    {"Hardmax", "", 13, 0, "ref", softmax_prepare, softmax_run, free_state, NULL, NULL},
    {"CumSum", "", 11, 0, "ref", cumsum_prepare, cumsum_run, free_state, NULL, NULL},
    {"TopK", "", 1, 9, "ref", topk_prepare_attr, topk_run, free_state, NULL, NULL},
    {"TopK", "", 10, 0, "ref", topk_prepare, topk_run, free_state, NULL, NULL},
    {"LayerNormalization", "", 17, 0, "ref", lnorm_prepare, lnorm_run, free_state, NULL, NULL},
    {"BatchNormalization", "", 1, 0, "ref", bnorm_prepare, bnorm_run, free_state, NULL, NULL},
    {"InstanceNormalization", "", 1, 0, "ref", inorm_prepare, inorm_run, free_state, NULL, NULL},
    {"LRN", "", 1, 0, "ref", lrn_prepare, lrn_run, free_state, NULL, NULL},
    {"MeanVarianceNormalization", "", 1, 0, "ref", mvn_prepare, mvn_run, free_state, NULL, NULL},
    {"NonZero", "", 9, 0, "ref", nonzero_prepare, nonzero_run, NULL, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
