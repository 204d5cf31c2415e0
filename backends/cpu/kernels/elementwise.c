/* elementwise.c — reference kernels of the element-wise ops: unary math and
 * activations, broadcasting binary arithmetic, comparisons, logic, Where,
 * Clip, PRelu, Cast.
 *
 * Every element is read and written through per-type load/store functions:
 * floating types as double, integers as int64 (so int64 arithmetic stays
 * exact). float32 tensors of equal shape take a direct loop, since that is
 * the case that costs time in real models. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kutil.h"

/* ---- loads and stores ------------------------------------------------------ */

static double ld_f(const cf_value *v, int64_t i)
{
    return cf_value_get_f64(v, i);
}

static int64_t ld_i(const cf_value *v, int64_t i)
{
    return cf_value_get_i64(v, i);
}

static void st_i(cf_value *v, int64_t i, int64_t x)
{
    void *p = v->data;
    switch (v->dtype) {
    case CF_DT_INT8: ((int8_t *)p)[i] = (int8_t)x; break;
    case CF_DT_UINT8: ((uint8_t *)p)[i] = (uint8_t)x; break;
    case CF_DT_INT16: ((int16_t *)p)[i] = (int16_t)x; break;
    case CF_DT_UINT16: ((uint16_t *)p)[i] = (uint16_t)x; break;
    case CF_DT_INT32: ((int32_t *)p)[i] = (int32_t)x; break;
    case CF_DT_UINT32: ((uint32_t *)p)[i] = (uint32_t)x; break;
    case CF_DT_INT64: ((int64_t *)p)[i] = x; break;
    case CF_DT_UINT64: ((uint64_t *)p)[i] = (uint64_t)x; break;
    case CF_DT_BOOL: ((uint8_t *)p)[i] = x != 0; break;
    default: cf_value_set_f64(v, i, (double)x); break;
    }
}

static int is_numeric(cf_dtype dt)
{
    return cf_is_float_type(dt) || cf_is_int_type(dt) || dt == CF_DT_BOOL;
}

/* Types the graph says an input has: refuse strings and complex at prepare. */
static int check_types(const cf_graph *g, const cf_node *n, cf_error *err)
{
    for (int i = 0; i < n->n_inputs; i++) {
        const cf_tensor *t = cf_node_input(g, n, i);
        if (t && t->dtype != CF_DT_UNDEFINED && !is_numeric(t->dtype))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "input %d is %s", i,
                                           cf_dtype_name(t->dtype));
        if (t && (t->flags & CF_TENSOR_TYPED) && t->dtype == CF_DT_UNDEFINED)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                           "input %d is not a tensor (sequence or optional)", i);
    }
    return 0;
}

static int types_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    return check_types(g, n, err);
}

/* ---- unary ------------------------------------------------------------------- */

typedef struct upar {
    double alpha, beta, gamma;
} upar;

typedef double (*unary_f)(double x, const upar *p);

static double u_abs(double x, const upar *p) { (void)p; return fabs(x); }
static double u_neg(double x, const upar *p) { (void)p; return -x; }
static double u_ceil(double x, const upar *p) { (void)p; return ceil(x); }
static double u_floor(double x, const upar *p) { (void)p; return floor(x); }
static double u_round(double x, const upar *p) { (void)p; return nearbyint(x); } /* ties to even */
static double u_sign(double x, const upar *p) { (void)p; return x > 0 ? 1 : x < 0 ? -1 : 0; }
static double u_exp(double x, const upar *p) { (void)p; return exp(x); }
static double u_log(double x, const upar *p) { (void)p; return log(x); }
static double u_sqrt(double x, const upar *p) { (void)p; return sqrt(x); }
static double u_recip(double x, const upar *p) { (void)p; return 1.0 / x; }
static double u_sin(double x, const upar *p) { (void)p; return sin(x); }
static double u_cos(double x, const upar *p) { (void)p; return cos(x); }
static double u_tan(double x, const upar *p) { (void)p; return tan(x); }
static double u_asin(double x, const upar *p) { (void)p; return asin(x); }
static double u_acos(double x, const upar *p) { (void)p; return acos(x); }
static double u_atan(double x, const upar *p) { (void)p; return atan(x); }
static double u_sinh(double x, const upar *p) { (void)p; return sinh(x); }
static double u_cosh(double x, const upar *p) { (void)p; return cosh(x); }
static double u_asinh(double x, const upar *p) { (void)p; return asinh(x); }
static double u_acosh(double x, const upar *p) { (void)p; return acosh(x); }
static double u_atanh(double x, const upar *p) { (void)p; return atanh(x); }
static double u_tanh(double x, const upar *p) { (void)p; return tanh(x); }
static double u_erf(double x, const upar *p) { (void)p; return erf(x); }
static double u_sigmoid(double x, const upar *p) { (void)p; return 1.0 / (1.0 + exp(-x)); }
static double u_softplus(double x, const upar *p) { (void)p; return x > 30 ? x : log1p(exp(x)); }
static double u_softsign(double x, const upar *p) { (void)p; return x / (1.0 + fabs(x)); }
static double u_relu(double x, const upar *p) { (void)p; return x > 0 ? x : 0; }
static double u_leaky(double x, const upar *p) { return x >= 0 ? x : p->alpha * x; }
static double u_elu(double x, const upar *p) { return x >= 0 ? x : p->alpha * (exp(x) - 1); }
static double u_celu(double x, const upar *p)
{
    return fmax(0, x) + fmin(0, p->alpha * (exp(x / p->alpha) - 1));
}
static double u_selu(double x, const upar *p)
{
    return p->gamma * (x > 0 ? x : p->alpha * (exp(x) - 1));
}
static double u_hsig(double x, const upar *p) { return fmax(0, fmin(1, p->alpha * x + p->beta)); }
static double u_hswish(double x, const upar *p)
{
    (void)p;
    return x * fmax(0, fmin(1, x / 6.0 + 0.5));
}
static double u_thrrelu(double x, const upar *p) { return x > p->alpha ? x : 0; }

typedef struct unary_op {
    const char *name;
    unary_f f;
    double alpha, beta, gamma;   /* defaults of the attributes of the same names */
    int int_ok;                  /* also defined on integers */
} unary_op;

static const unary_op unary_ops[] = {
    {"Abs", u_abs, 0, 0, 0, 1},        {"Neg", u_neg, 0, 0, 0, 1},
    {"Sign", u_sign, 0, 0, 0, 1},      {"Relu", u_relu, 0, 0, 0, 1},
    {"Ceil", u_ceil, 0, 0, 0, 0},      {"Floor", u_floor, 0, 0, 0, 0},
    {"Round", u_round, 0, 0, 0, 0},    {"Exp", u_exp, 0, 0, 0, 0},
    {"Log", u_log, 0, 0, 0, 0},        {"Sqrt", u_sqrt, 0, 0, 0, 0},
    {"Reciprocal", u_recip, 0, 0, 0, 0}, {"Sin", u_sin, 0, 0, 0, 0},
    {"Cos", u_cos, 0, 0, 0, 0},        {"Tan", u_tan, 0, 0, 0, 0},
    {"Asin", u_asin, 0, 0, 0, 0},      {"Acos", u_acos, 0, 0, 0, 0},
    {"Atan", u_atan, 0, 0, 0, 0},      {"Sinh", u_sinh, 0, 0, 0, 0},
    {"Cosh", u_cosh, 0, 0, 0, 0},      {"Asinh", u_asinh, 0, 0, 0, 0},
    {"Acosh", u_acosh, 0, 0, 0, 0},    {"Atanh", u_atanh, 0, 0, 0, 0},
    {"Tanh", u_tanh, 0, 0, 0, 0},      {"Erf", u_erf, 0, 0, 0, 0},
    {"Sigmoid", u_sigmoid, 0, 0, 0, 0}, {"Softplus", u_softplus, 0, 0, 0, 0},
    {"Softsign", u_softsign, 0, 0, 0, 0}, {"LeakyRelu", u_leaky, 0.01, 0, 0, 0},
    {"Elu", u_elu, 1.0, 0, 0, 0},      {"Celu", u_celu, 1.0, 0, 0, 0},
    {"Selu", u_selu, 1.67326319217681884765625, 0, 1.05070102214813232421875, 0},
    {"HardSigmoid", u_hsig, 0.2, 0.5, 0, 0}, {"HardSwish", u_hswish, 0, 0, 0, 0},
    {"ThresholdedRelu", u_thrrelu, 1.0, 0, 0, 0},
};

typedef struct unary_state {
    const unary_op *op;
    upar p;
} unary_state;

static const unary_op *find_unary(const char *name)
{
    for (size_t i = 0; i < sizeof unary_ops / sizeof unary_ops[0]; i++)
        if (strcmp(unary_ops[i].name, name) == 0)
            return &unary_ops[i];
    return NULL;
}

static int unary_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    int rc = check_types(g, n, err);
    if (rc)
        return rc;
    const unary_op *op = find_unary(n->op_type);
    static const char *const known[] = {"alpha", "beta", "gamma", "consumed_inputs", NULL};
    rc = cf_kernel_check_attrs(n, known, err);
    if (rc)
        return rc;
    unary_state *s = malloc(sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    s->op = op;
    s->p.alpha = cf_node_attr_float(n, "alpha", (float)op->alpha);
    s->p.beta = cf_node_attr_float(n, "beta", (float)op->beta);
    s->p.gamma = cf_node_attr_float(n, "gamma", (float)op->gamma);
    /* Selu's defaults are exact doubles; a float attribute would round them. */
    if (!cf_node_attr(n, "alpha"))
        s->p.alpha = op->alpha;
    if (!cf_node_attr(n, "gamma"))
        s->p.gamma = op->gamma;
    *state = s;
    return 0;
}

/* e^x for float32 without libm, so the sigmoid loop vectorises: libm's
 * expf is an opaque call unless the whole build uses -ffast-math, which
 * would also change NaN handling everywhere. x = n ln2 + r with |r| <=
 * ln2/2; e^r by its degree-6 Taylor polynomial (relative error < 2e-7 on
 * that interval); 2^n put into the exponent bits. Inputs are clamped to
 * where float32 neither overflows nor goes subnormal. The rounding adds
 * 1.5 * 2^23 so the integer lands in the low mantissa bits: a call to
 * nearbyintf would stop vectorisation on baseline x86-64. */
static inline float exp_f32(float x)
{
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.7f ? 88.7f : x;
    const float shifter = 12582912.0f;
    float t = x * 1.44269504088896341f + shifter;
    int32_t ti;
    memcpy(&ti, &t, sizeof ti);
    float n = t - shifter;
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
    int32_t bits = (ti - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* Below this many elements a loop is not worth waking threads for. */
#define PAR_MIN 32768

/* float32 in float32 arithmetic: the ops that dominate real models get
 * loops the compiler vectorises (and OpenMP spreads over the threads of
 * the run); the rest go through the double function of the table. */
static void unary_f32(const unary_state *s, const float *a, float *b, int64_t n, int threads)
{
    unary_f f = s->op->f;
    int nt = n >= PAR_MIN ? threads : 1;
    if (f == u_relu) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = a[i] > 0 ? a[i] : 0;
    } else if (f == u_sigmoid) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = 1.0f / (1.0f + exp_f32(-a[i]));
    } else if (f == u_tanh) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = tanhf(a[i]);
    } else if (f == u_exp) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = expf(a[i]);
    } else if (f == u_sqrt) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = sqrtf(a[i]);
    } else if (f == u_erf) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = erff(a[i]);
    } else {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            b[i] = (float)f(a[i], &s->p);
    }
}

static int unary_run(cf_kernel_call *c, cf_error *err)
{
    const unary_state *s = c->state;
    const cf_value *x = c->in[0];
    if (!x)
        return cf_kernel_error(c, err, CF_EINVAL, "input missing");
    if (!cf_is_float_type(x->dtype) && !s->op->int_ok)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s input not supported",
                               cf_dtype_name(x->dtype));
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return err->code;
    int64_t n = cf_value_numel(x);
    if (x->dtype == CF_DT_FLOAT) {
        unary_f32(s, x->data, y->data, n, c->threads);
    } else if (cf_is_float_type(x->dtype)) {
        for (int64_t i = 0; i < n; i++)
            cf_value_set_f64(y, i, s->op->f(ld_f(x, i), &s->p));
    } else {
        /* Integers: Abs, Neg, Sign, Relu are exact in int64. */
        for (int64_t i = 0; i < n; i++) {
            int64_t v = ld_i(x, i);
            int64_t r = s->op->f == u_abs ? (v < 0 ? -v : v)
                        : s->op->f == u_neg ? -v
                        : s->op->f == u_sign ? (v > 0) - (v < 0)
                                             : (v > 0 ? v : 0);
            st_i(y, i, r);
        }
    }
    return 0;
}

/* Not and Where read bool tensors: anything else is refused at prepare
 * when the graph says so, and at run time otherwise. */
static int bool_input(const cf_kernel_call *c, int i, cf_error *err)
{
    if (i >= c->n_in || !c->in[i])
        return cf_kernel_error(c, err, CF_EINVAL, "input %d missing", i);
    if (c->in[i]->dtype != CF_DT_BOOL)
        return cf_kernel_error(c, err, CF_EINVAL, "input %d must be bool, got %s", i,
                               cf_dtype_name(c->in[i]->dtype));
    return 0;
}

static int bool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    int rc = check_types(g, n, err);
    const cf_tensor *t = cf_node_input(g, n, 0);
    if (!rc && t && t->dtype != CF_DT_UNDEFINED && t->dtype != CF_DT_BOOL)
        rc = cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "input 0 is %s, not bool",
                                     cf_dtype_name(t->dtype));
    return rc;
}

static int not_run(cf_kernel_call *c, cf_error *err)
{
    int rc = bool_input(c, 0, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[0];
    cf_value *y = cf_kcall_output(c, 0, CF_DT_BOOL, x->rank, x->dims, err);
    if (!y)
        return err->code;
    int64_t n = cf_value_numel(x);
    for (int64_t i = 0; i < n; i++)
        ((uint8_t *)y->data)[i] = !((const uint8_t *)x->data)[i];
    return 0;
}

static int isnan_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    if (!x || !cf_is_float_type(x->dtype))
        return cf_kernel_error(c, err, CF_EINVAL, "input must be a floating-point tensor");
    cf_value *y = cf_kcall_output(c, 0, CF_DT_BOOL, x->rank, x->dims, err);
    if (!y)
        return err->code;
    int64_t n = cf_value_numel(x);
    int is_inf = strcmp(c->node->op_type, "IsInf") == 0;
    int64_t pos = cf_node_attr_int(c->node, "detect_positive", 1);
    int64_t neg = cf_node_attr_int(c->node, "detect_negative", 1);
    for (int64_t i = 0; i < n; i++) {
        double v = ld_f(x, i);
        ((uint8_t *)y->data)[i] =
            is_inf ? (isinf(v) && ((v > 0 && pos) || (v < 0 && neg))) : isnan(v) != 0;
    }
    return 0;
}

/* ---- broadcasting n-ary ops ---------------------------------------------------- */

enum binop {
    B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MOD, B_FMOD, B_MAX, B_MIN, B_EQ, B_GT, B_GE, B_LT,
    B_LE, B_AND, B_OR, B_XOR, B_SHL, B_SHR, B_PRELU,
};

static const struct {
    const char *name;
    enum binop op;
    int cmp;       /* result is bool */
} bin_ops[] = {
    {"Add", B_ADD, 0},       {"Sub", B_SUB, 0},   {"Mul", B_MUL, 0},   {"Div", B_DIV, 0},
    {"Pow", B_POW, 0},       {"Mod", B_MOD, 0},   {"Max", B_MAX, 0},   {"Min", B_MIN, 0},
    {"Sum", B_ADD, 0},       {"Mean", B_ADD, 0},  {"Equal", B_EQ, 1},  {"Greater", B_GT, 1},
    {"GreaterOrEqual", B_GE, 1}, {"Less", B_LT, 1}, {"LessOrEqual", B_LE, 1},
    {"And", B_AND, 1},       {"Or", B_OR, 1},     {"Xor", B_XOR, 1},   {"BitShift", B_SHL, 0},
    {"PRelu", B_PRELU, 0},
};

static double bin_f(enum binop op, double a, double b)
{
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return pow(a, b);
    case B_FMOD: case B_MOD: return fmod(a, b);
    case B_MAX: return (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b);
    case B_MIN: return (isnan(a) || isnan(b)) ? NAN : (a < b ? a : b);
    case B_EQ: return a == b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_AND: return (a != 0) && (b != 0);
    case B_OR: return (a != 0) || (b != 0);
    case B_XOR: return (a != 0) != (b != 0);
    case B_PRELU: return a < 0 ? a * b : a;
    default: return 0;
    }
}

static int64_t bin_i(enum binop op, int64_t a, int64_t b, int is_unsigned)
{
    switch (op) {
    case B_ADD: return (int64_t)((uint64_t)a + (uint64_t)b);
    case B_SUB: return (int64_t)((uint64_t)a - (uint64_t)b);
    case B_MUL: return (int64_t)((uint64_t)a * (uint64_t)b);
    case B_DIV: return b == 0 ? 0 : a / b;
    case B_POW: {
        if (b < 0)
            return a == 1 ? 1 : 0;
        int64_t r = 1;
        for (int64_t k = 0; k < b && k < 64; k++)
            r *= a;
        return r;
    }
    /* Mod without fmod: the sign of the divisor, as Python's %. */
    case B_MOD: {
        if (b == 0)
            return 0;
        int64_t r = a % b;
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
    case B_FMOD: return b == 0 ? 0 : a % b;
    case B_MAX: return (is_unsigned ? (uint64_t)a > (uint64_t)b : a > b) ? a : b;
    case B_MIN: return (is_unsigned ? (uint64_t)a < (uint64_t)b : a < b) ? a : b;
    case B_EQ: return a == b;
    case B_GT: return is_unsigned ? (uint64_t)a > (uint64_t)b : a > b;
    case B_GE: return is_unsigned ? (uint64_t)a >= (uint64_t)b : a >= b;
    case B_LT: return is_unsigned ? (uint64_t)a < (uint64_t)b : a < b;
    case B_LE: return is_unsigned ? (uint64_t)a <= (uint64_t)b : a <= b;
    case B_AND: return a && b;
    case B_OR: return a || b;
    case B_XOR: return (a != 0) != (b != 0);
    case B_SHL: return b >= 64 ? 0 : (int64_t)((uint64_t)a << b);
    case B_SHR: return b >= 64 ? 0 : (int64_t)((uint64_t)a >> b);
    case B_PRELU: return a < 0 ? a * b : a;
    default: return 0;
    }
}

/* One row of a float32 binary op: n outputs, a and b stepping by sa and sb
 * (0 when broadcast along the row, 1 otherwise). */
static void row_f32(enum binop op, const float *a, int64_t sa, const float *b, int64_t sb,
                    float *o, int64_t n)
{
#define ROW(expr)                                         \
    do {                                                  \
        if (sa == 1 && sb == 1)                           \
            for (int64_t j = 0; j < n; j++) {             \
                float x = a[j], y = b[j];                 \
                o[j] = (expr);                            \
            }                                             \
        else if (sa == 1)                                 \
            for (int64_t j = 0; j < n; j++) {             \
                float x = a[j], y = b[0];                 \
                o[j] = (expr);                            \
            }                                             \
        else                                              \
            for (int64_t j = 0; j < n; j++) {             \
                float x = a[j * sa], y = b[j * sb];       \
                o[j] = (expr);                            \
            }                                             \
    } while (0)
    switch (op) {
    case B_ADD: ROW(x + y); break;
    case B_SUB: ROW(x - y); break;
    case B_MUL: ROW(x * y); break;
    case B_DIV: ROW(x / y); break;
    case B_PRELU: ROW(x < 0 ? x * y : x); break;
    case B_POW:
        /* Exponents 2 and 0.5 (variance, norms) are a multiply and a sqrt. */
        if (sb == 0 && b[0] == 2.0f)
            ROW(x * x + 0 * y);
        else if (sb == 0 && b[0] == 0.5f)
            ROW(sqrtf(x) + 0 * y);
        else
            ROW(powf(x, y));
        break;
    default: break;
    }
#undef ROW
}

/* float32 binary op over the broadcast shape, row by row (the last axis);
 * rows are spread over the run's threads. Returns 0 for ops it does not
 * take (the general path does). */
static int binary_f32(enum binop op, const cf_value *a, const cf_value *b, cf_value *y, int rank,
                      const int64_t *dims, int threads)
{
    if (op != B_ADD && op != B_SUB && op != B_MUL && op != B_DIV && op != B_PRELU && op != B_POW)
        return 0;
    int64_t sa[CF_MAX_RANK], sb[CF_MAX_RANK];
    cf_bcast_strides(a, rank, dims, sa);
    cf_bcast_strides(b, rank, dims, sb);
    int64_t inner = dims[rank - 1], rows = 1;
    for (int d = 0; d < rank - 1; d++)
        rows *= dims[d];
    if (inner == 0 || rows == 0)
        return 1;
    const float *pa = a->data, *pb = b->data;
    float *po = y->data;
    int nt = rows * inner >= PAR_MIN ? threads : 1;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        /* The row's offsets in a and b, from its index over the outer axes. */
        int64_t rem = r, oa = 0, ob = 0;
        for (int d = rank - 2; d >= 0; d--) {
            int64_t i = rem % dims[d];
            rem /= dims[d];
            oa += i * sa[d];
            ob += i * sb[d];
        }
        if (sa[rank - 1] == 0 && sb[rank - 1] != 0) {
            /* Swap so the streaming operand is first (ROW's fast cases);
             * only for ops where order does not matter. */
            if (op == B_ADD || op == B_MUL) {
                row_f32(op, pb + ob, sb[rank - 1], pa + oa, 0, po + r * inner, inner);
                continue;
            }
        }
        row_f32(op, pa + oa, sa[rank - 1], pb + ob, sb[rank - 1], po + r * inner, inner);
    }
    return 1;
}

typedef struct nary_state {
    enum binop op;
    int cmp, mean;
} nary_state;

static int nary_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    int rc = check_types(g, n, err);
    if (rc)
        return rc;
    nary_state *s = calloc(1, sizeof *s);
    if (!s)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    for (size_t i = 0; i < sizeof bin_ops / sizeof bin_ops[0]; i++)
        if (strcmp(bin_ops[i].name, n->op_type) == 0) {
            s->op = bin_ops[i].op;
            s->cmp = bin_ops[i].cmp;
        }
    s->mean = strcmp(n->op_type, "Mean") == 0;
    if (s->op == B_MOD && cf_node_attr_int(n, "fmod", 0))
        s->op = B_FMOD;
    if (s->op == B_SHL) {
        const char *dir = cf_node_attr_string(n, "direction", "");
        if (strcmp(dir, "RIGHT") == 0)
            s->op = B_SHR;
        else if (strcmp(dir, "LEFT") != 0) {
            free(s);
            return cf_kernel_prepare_error(n, err, CF_ECHECK, "direction must be LEFT or RIGHT");
        }
    }
    static const char *const known[] = {"fmod", "direction", "broadcast", "axis",
                                        "consumed_inputs", NULL};
    if (cf_kernel_check_attrs(n, known, err)) {
        free(s);
        return CF_EUNSUPPORTED;
    }
    /* Opset < 7 "broadcast"/"axis" aligned the second input at an axis, not
     * numpy-style: only the numpy-compatible case is taken. */
    if (cf_node_attr(n, "axis")) {
        free(s);
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "legacy broadcast with an axis is not supported");
    }
    *state = s;
    return 0;
}

/* out = op(acc, b) elementwise over the broadcast of both; acc may alias out. */
static int nary_run(cf_kernel_call *c, cf_error *err)
{
    const nary_state *s = c->state;
    int n_in = c->n_in;
    for (int i = 0; i < n_in; i++)
        if (!c->in[i])
            return cf_kernel_error(c, err, CF_EINVAL, "input %d missing", i);
    /* PRelu before opset 7 applied a 1-D slope along the channel axis (1),
     * not numpy-style: seen through a [C,1,...,1] view it broadcasts. */
    cf_value slope_view;
    const cf_value *ins[2] = {c->in[0], n_in > 1 ? c->in[1] : NULL};
    if (s->op == B_PRELU && n_in == 2 && cf_graph_opset(c->g, c->node->domain) < 7 &&
        ins[1]->rank == 1 && ins[0]->rank >= 2 && ins[1]->dims[0] == ins[0]->dims[1]) {
        int64_t d[CF_MAX_RANK];
        d[0] = ins[1]->dims[0];
        for (int i = 1; i < ins[0]->rank - 1; i++)
            d[i] = 1;
        cf_value_view(&slope_view, ins[1]->dtype, ins[0]->rank - 1, d, ins[1]->data);
        ins[1] = &slope_view;
    }
    const cf_value *const *in = n_in == 2 ? ins : c->in;
    int rank;
    int64_t dims[CF_MAX_RANK];
    int rc = cf_bcast_shape(c, in, n_in, &rank, dims, err);
    if (rc)
        return rc;
    const cf_value *a0 = in[0];
    cf_dtype in_t = a0->dtype;
    cf_value *y = cf_kcall_output(c, 0, s->cmp ? CF_DT_BOOL : in_t, rank, dims, err);
    if (!y)
        return err->code;
    int64_t total = cf_value_numel(y);
    int floating = cf_is_float_type(in_t);
    int is_unsigned = in_t == CF_DT_UINT8 || in_t == CF_DT_UINT16 || in_t == CF_DT_UINT32 ||
                      in_t == CF_DT_UINT64;
    /* The fast path: float32 arithmetic on two inputs, any broadcast. */
    if (n_in == 2 && !s->cmp && !s->mean && in_t == CF_DT_FLOAT && in[1]->dtype == CF_DT_FLOAT &&
        rank >= 1 && binary_f32(s->op, in[0], in[1], y, rank, dims, c->threads))
        return 0;
    /* General case: fold inputs left to right in a double / int64 buffer. */
    double *fd = NULL;
    int64_t *id = NULL;
    if (floating)
        fd = malloc((size_t)(total ? total : 1) * sizeof *fd);
    else
        id = malloc((size_t)(total ? total : 1) * sizeof *id);
    if ((floating && !fd) || (!floating && !id))
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    for (int k = 0; k < n_in; k++) {
        int64_t st[CF_MAX_RANK];
        const int64_t *sp[1] = {st};
        cf_bcast_strides(in[k], rank, dims, st);
        cf_nditer it;
        cf_nditer_init(&it, rank, dims, 1, sp);
        const cf_value *b = in[k];
        for (int64_t i = 0; i < total; i++, cf_nditer_next(&it)) {
            if (floating) {
                double v = ld_f(b, it.off[0]);
                fd[i] = k == 0 ? v : bin_f(s->op, fd[i], v);
            } else {
                int64_t v = cf_is_float_type(b->dtype) ? (int64_t)ld_f(b, it.off[0])
                                                       : ld_i(b, it.off[0]);
                id[i] = k == 0 ? v : bin_i(s->op, id[i], v, is_unsigned);
            }
        }
        /* Comparisons and logic take exactly two inputs: the fold of the
         * second is the answer (a bool per element). */
    }
    if (n_in == 1 && s->cmp)
        return cf_kernel_error(c, err, CF_ECHECK, "needs two inputs");
    for (int64_t i = 0; i < total; i++) {
        if (floating) {
            double v = s->mean ? fd[i] / n_in : fd[i];
            cf_value_set_f64(y, i, v);
        } else {
            int64_t v = s->mean ? id[i] / n_in : id[i];
            st_i(y, i, v);
        }
    }
    free(fd);
    free(id);
    return 0;
}

/* ---- Where, Clip ------------------------------------------------------------------ */

static int where_run(cf_kernel_call *c, cf_error *err)
{
    if (c->n_in != 3 || !c->in[1] || !c->in[2])
        return cf_kernel_error(c, err, CF_EINVAL, "needs condition, X and Y");
    int rc0 = bool_input(c, 0, err);
    if (rc0)
        return rc0;
    if (c->in[1]->dtype != c->in[2]->dtype)
        return cf_kernel_error(c, err, CF_EINVAL, "X is %s but Y is %s",
                               cf_dtype_name(c->in[1]->dtype), cf_dtype_name(c->in[2]->dtype));
    int rank;
    int64_t dims[CF_MAX_RANK];
    int rc = cf_bcast_shape(c, c->in, 3, &rank, dims, err);
    if (rc)
        return rc;
    const cf_value *x = c->in[1], *yv = c->in[2];
    cf_value *o = cf_kcall_output(c, 0, x->dtype, rank, dims, err);
    if (!o)
        return err->code;
    int64_t s0[CF_MAX_RANK], s1[CF_MAX_RANK], s2[CF_MAX_RANK];
    cf_bcast_strides(c->in[0], rank, dims, s0);
    cf_bcast_strides(x, rank, dims, s1);
    cf_bcast_strides(yv, rank, dims, s2);
    const int64_t *sp[3] = {s0, s1, s2};
    cf_nditer it;
    cf_nditer_init(&it, rank, dims, 3, sp);
    size_t esz = cf_dtype_size(x->dtype);
    int64_t total = cf_value_numel(o);
    for (int64_t i = 0; i < total; i++, cf_nditer_next(&it)) {
        int cond = ((const uint8_t *)c->in[0]->data)[it.off[0]] != 0;
        const char *src = cond ? (const char *)x->data + (size_t)it.off[1] * esz
                               : (const char *)yv->data + (size_t)it.off[2] * esz;
        memcpy((char *)o->data + (size_t)i * esz, src, esz);
    }
    return 0;
}

static int clip_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int old = cf_graph_opset(c->g, c->node->domain) < 11;
    double lo = -INFINITY, hi = INFINITY;
    if (old) {
        lo = cf_node_attr_float(c->node, "min", -INFINITY);
        hi = cf_node_attr_float(c->node, "max", INFINITY);
    } else {
        if (c->n_in > 1 && c->in[1])
            lo = ld_f(c->in[1], 0);
        if (c->n_in > 2 && c->in[2])
            hi = ld_f(c->in[2], 0);
    }
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!y)
        return err->code;
    int64_t n = cf_value_numel(x);
    if (x->dtype == CF_DT_FLOAT) {
        const float *a = x->data;
        float *b = y->data, l = (float)lo, h = (float)hi;
        for (int64_t i = 0; i < n; i++)
            b[i] = a[i] < l ? l : a[i] > h ? h : a[i];
        return 0;
    }
    if (cf_is_float_type(x->dtype)) {
        for (int64_t i = 0; i < n; i++) {
            double v = ld_f(x, i);
            cf_value_set_f64(y, i, v < lo ? lo : v > hi ? hi : v);
        }
        return 0;
    }
    int64_t il = (c->n_in > 1 && c->in[1]) ? ld_i(c->in[1], 0) : INT64_MIN;
    int64_t ih = (c->n_in > 2 && c->in[2]) ? ld_i(c->in[2], 0) : INT64_MAX;
    for (int64_t i = 0; i < n; i++) {
        int64_t v = ld_i(x, i);
        st_i(y, i, v < il ? il : v > ih ? ih : v);
    }
    return 0;
}

/* ---- Cast ---------------------------------------------------------------------- */

static int cast_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    int rc = check_types(g, n, err);
    if (rc)
        return rc;
    if (strcmp(n->op_type, "Cast") == 0) {
        int64_t to = cf_node_attr_int(n, "to", 0);
        if (!cf_dtype_valid((int)to) || !is_numeric((cf_dtype)to))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "cast to type %lld",
                                           (long long)to);
    }
    return 0;
}

static int cast_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    cf_dtype to = strcmp(c->node->op_type, "CastLike") == 0
                      ? c->in[1]->dtype
                      : (cf_dtype)cf_node_attr_int(c->node, "to", CF_DT_FLOAT);
    cf_value *y = cf_kcall_output(c, 0, to, x->rank, x->dims, err);
    if (!y)
        return err->code;
    int64_t n = cf_value_numel(x);
    if (to == x->dtype) {
        memcpy(y->data, x->data, x->nbytes);
        return 0;
    }
    for (int64_t i = 0; i < n; i++) {
        if (cf_is_float_type(x->dtype)) {
            double v = ld_f(x, i);
            if (cf_is_int_type(to) && isnan(v))
                v = 0;   /* NaN has no integer: 0, as common runtimes give */
            cf_value_set_f64(y, i, v);
        } else {
            st_i(y, i, ld_i(x, i));
        }
    }
    return 0;
}

#define UNARY(op, from) {op, "", from, 0, "ref", unary_prepare, unary_run, free, NULL, NULL}
#define NARY(op, from) {op, "", from, 0, "ref", nary_prepare, nary_run, free, NULL, NULL}

const cf_kernel_i cf_kernels_elementwise[] = {
    UNARY("Abs", 1), UNARY("Neg", 1), UNARY("Sign", 9), UNARY("Relu", 1), UNARY("Ceil", 1),
    UNARY("Floor", 1), UNARY("Round", 11), UNARY("Exp", 1), UNARY("Log", 1), UNARY("Sqrt", 1),
    UNARY("Reciprocal", 1), UNARY("Sin", 7), UNARY("Cos", 7), UNARY("Tan", 7), UNARY("Asin", 7),
    UNARY("Acos", 7), UNARY("Atan", 7), UNARY("Sinh", 9), UNARY("Cosh", 9), UNARY("Asinh", 9),
    UNARY("Acosh", 9), UNARY("Atanh", 9), UNARY("Tanh", 1), UNARY("Erf", 9),
    UNARY("Sigmoid", 1), UNARY("Softplus", 1), UNARY("Softsign", 1), UNARY("LeakyRelu", 1),
    UNARY("Elu", 1), UNARY("Celu", 12), UNARY("Selu", 1), UNARY("HardSigmoid", 1),
    UNARY("HardSwish", 14), UNARY("ThresholdedRelu", 10),
    NARY("Add", 1), NARY("Sub", 1), NARY("Mul", 1), NARY("Div", 1), NARY("Pow", 1),
    NARY("Mod", 10), NARY("Max", 1), NARY("Min", 1), NARY("Sum", 1), NARY("Mean", 1),
    NARY("Equal", 1), NARY("Greater", 1), NARY("GreaterOrEqual", 12), NARY("Less", 1),
    NARY("LessOrEqual", 12), NARY("And", 1), NARY("Or", 1), NARY("Xor", 1),
    NARY("BitShift", 11), NARY("PRelu", 1),
    {"Not", "", 1, 0, "ref", bool_prepare, not_run, NULL, NULL, NULL},
    {"IsNaN", "", 9, 0, "ref", types_prepare, isnan_run, NULL, NULL, NULL},
    {"IsInf", "", 10, 0, "ref", types_prepare, isnan_run, NULL, NULL, NULL},
    {"Where", "", 9, 0, "ref", bool_prepare, where_run, NULL, NULL, NULL},
    {"Clip", "", 1, 0, "ref", types_prepare, clip_run, NULL, NULL, NULL},
    {"Cast", "", 1, 0, "ref", cast_prepare, cast_run, NULL, NULL, NULL},
    {"CastLike", "", 15, 0, "ref", cast_prepare, cast_run, NULL, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
