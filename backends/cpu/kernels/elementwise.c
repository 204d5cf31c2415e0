/* elementwise.c — reference kernels of the element-wise ops: unary math and
 * activations, broadcasting binary arithmetic, comparisons, logic, Where,
 * Clip, PRelu, Cast.
 *
 * Every element is read and written through per-type load/store functions:
 * floating types as double, integers as int64 (so int64 arithmetic stays
 * exact). float32, the type that costs time in real models, has loops of
 * its own: the unary ops in float arithmetic (exp, sigmoid, tanh, erf from
 * kutil.h, which vectorise), the binary ops over the broadcast reduced to
 * contiguous runs, Clip; each a CF_HOT_LOOP function the run's threads
 * share out. */
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

/* The unary ops with a float32 loop of their own (the rest compute through
 * the double function of the table). */
enum ufast {
    UF_NONE, UF_ABS, UF_NEG, UF_RELU, UF_CEIL, UF_FLOOR, UF_ROUND, UF_EXP, UF_SQRT, UF_RECIP,
    UF_TANH, UF_ERF, UF_SIGMOID, UF_SOFTSIGN, UF_LEAKY, UF_ELU, UF_CELU, UF_SELU, UF_HSIG,
    UF_HSWISH, UF_THRRELU,
};

typedef struct unary_op {
    const char *name;
    unary_f f;
    double alpha, beta, gamma;   /* defaults of the attributes of the same names */
    int int_ok;                  /* also defined on integers */
    enum ufast fast;
} unary_op;

static const unary_op unary_ops[] = {
    {"Abs", u_abs, 0, 0, 0, 1, UF_ABS},        {"Neg", u_neg, 0, 0, 0, 1, UF_NEG},
    {"Sign", u_sign, 0, 0, 0, 1, UF_NONE},     {"Relu", u_relu, 0, 0, 0, 1, UF_RELU},
    {"Ceil", u_ceil, 0, 0, 0, 0, UF_CEIL},     {"Floor", u_floor, 0, 0, 0, 0, UF_FLOOR},
    {"Round", u_round, 0, 0, 0, 0, UF_ROUND},  {"Exp", u_exp, 0, 0, 0, 0, UF_EXP},
    {"Log", u_log, 0, 0, 0, 0, UF_NONE},       {"Sqrt", u_sqrt, 0, 0, 0, 0, UF_SQRT},
    {"Reciprocal", u_recip, 0, 0, 0, 0, UF_RECIP}, {"Sin", u_sin, 0, 0, 0, 0, UF_NONE},
    {"Cos", u_cos, 0, 0, 0, 0, UF_NONE},       {"Tan", u_tan, 0, 0, 0, 0, UF_NONE},
    {"Asin", u_asin, 0, 0, 0, 0, UF_NONE},     {"Acos", u_acos, 0, 0, 0, 0, UF_NONE},
    {"Atan", u_atan, 0, 0, 0, 0, UF_NONE},     {"Sinh", u_sinh, 0, 0, 0, 0, UF_NONE},
    {"Cosh", u_cosh, 0, 0, 0, 0, UF_NONE},     {"Asinh", u_asinh, 0, 0, 0, 0, UF_NONE},
    {"Acosh", u_acosh, 0, 0, 0, 0, UF_NONE},   {"Atanh", u_atanh, 0, 0, 0, 0, UF_NONE},
    {"Tanh", u_tanh, 0, 0, 0, 0, UF_TANH},     {"Erf", u_erf, 0, 0, 0, 0, UF_ERF},
    {"Sigmoid", u_sigmoid, 0, 0, 0, 0, UF_SIGMOID},
    {"Softplus", u_softplus, 0, 0, 0, 0, UF_NONE},
    {"Softsign", u_softsign, 0, 0, 0, 0, UF_SOFTSIGN},
    {"LeakyRelu", u_leaky, 0.01, 0, 0, 0, UF_LEAKY},
    {"Elu", u_elu, 1.0, 0, 0, 0, UF_ELU},      {"Celu", u_celu, 1.0, 0, 0, 0, UF_CELU},
    {"Selu", u_selu, 1.67326319217681884765625, 0, 1.05070102214813232421875, 0, UF_SELU},
    {"HardSigmoid", u_hsig, 0.2, 0.5, 0, 0, UF_HSIG},
    {"HardSwish", u_hswish, 0, 0, 0, 0, UF_HSWISH},
    {"ThresholdedRelu", u_thrrelu, 1.0, 0, 0, 0, UF_THRRELU},
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

/* min(1, max(0, v)) as selects, which vectorise (fminf/fmaxf are calls
 * unless NaN can be ignored) and keep a NaN. */
static inline float clamp01(float v)
{
    v = v > 1 ? 1 : v;
    return v < 0 ? 0 : v;
}

/* One float32 unary op over a contiguous run. The transcendental ones use
 * kutil.h's float math (a few ulp from libm, see there), so the loops
 * vectorise; the rest are exact or one rounding from the double formula. */
CF_HOT_LOOP static void unary_span_f32(enum ufast op, float alpha, float beta, float gamma,
                                       const float *a, float *b, int64_t n)
{
#define EACH(expr)                           \
    for (int64_t i = 0; i < n; i++) {        \
        float x = a[i];                      \
        b[i] = (expr);                       \
    }                                        \
    break
    switch (op) {
    case UF_ABS: EACH(fabsf(x));
    case UF_NEG: EACH(-x);
    case UF_RELU: EACH(x > 0 ? x : 0);
    case UF_CEIL: EACH(ceilf(x));
    case UF_FLOOR: EACH(floorf(x));
    case UF_ROUND: EACH(nearbyintf(x));
    case UF_EXP: EACH(cf_exp_f32(x));
    case UF_SQRT: EACH(sqrtf(x));
    case UF_RECIP: EACH(1.0f / x);
    case UF_TANH: EACH(cf_tanh_f32(x));
    case UF_ERF: EACH(cf_erf_f32(x));
    case UF_SIGMOID: EACH(cf_sigmoid_f32(x));
    case UF_SOFTSIGN: EACH(x / (1.0f + fabsf(x)));
    case UF_LEAKY: EACH(x >= 0 ? x : alpha * x);
    case UF_ELU: EACH(x >= 0 ? x : alpha * cf_expm1_f32(x));
    /* max(0, x) + min(0, alpha (e^(x/alpha) - 1)): one of the two is 0. */
    case UF_CELU: EACH(x > 0 ? x : alpha * cf_expm1_f32(x / alpha));
    case UF_SELU: EACH(gamma * (x > 0 ? x : alpha * cf_expm1_f32(x)));
    case UF_HSIG: EACH(clamp01(alpha * x + beta));
    case UF_HSWISH: EACH(x * clamp01(x * (1.0f / 6) + 0.5f));
    case UF_THRRELU: EACH(x > alpha ? x : 0);
    case UF_NONE: break;
    }
#undef EACH
}

typedef struct unary_job {
    const unary_state *s;
    const float *a;
    float *b;
} unary_job;

static void unary_part(void *ctx, int64_t i0, int64_t i1)
{
    const unary_job *j = ctx;
    const unary_state *s = j->s;
    if (s->op->fast != UF_NONE) {
        unary_span_f32(s->op->fast, (float)s->p.alpha, (float)s->p.beta, (float)s->p.gamma,
                       j->a + i0, j->b + i0, i1 - i0);
        return;
    }
    for (int64_t i = i0; i < i1; i++)
        j->b[i] = (float)s->op->f(j->a[i], &s->p);
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
        unary_job j = {s, x->data, y->data};
        cf_par_ranges(n, c->threads, CF_PAR_PART, unary_part, &j);
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

/* float32 binary ops over a contiguous run of n outputs: both operands
 * streaming (BV_VV), b one value (BV_VS), a one value (BV_SV). Max and Min
 * give NaN when either side is NaN, as bin_f does. */
enum bmode { BV_VV, BV_VS, BV_SV };

CF_HOT_LOOP static void binary_span_f32(enum binop op, enum bmode m, const float *a,
                                        const float *b, float *o, int64_t n)
{
#define SPAN(expr)                                    \
    do {                                              \
        if (m == BV_VV)                               \
            for (int64_t j = 0; j < n; j++) {         \
                float x = a[j], y = b[j];             \
                (void)y;                              \
                o[j] = (expr);                        \
            }                                         \
        else if (m == BV_VS)                          \
            for (int64_t j = 0; j < n; j++) {         \
                float x = a[j], y = b[0];             \
                (void)y;                              \
                o[j] = (expr);                        \
            }                                         \
        else                                          \
            for (int64_t j = 0; j < n; j++) {         \
                float x = a[0], y = b[j];             \
                (void)y;                              \
                o[j] = (expr);                        \
            }                                         \
    } while (0)
    switch (op) {
    case B_ADD: SPAN(x + y); break;
    case B_SUB: SPAN(x - y); break;
    case B_MUL: SPAN(x * y); break;
    case B_DIV: SPAN(x / y); break;
    case B_MAX: SPAN(x > y || x != x ? x : y); break;
    case B_MIN: SPAN(x < y || x != x ? x : y); break;
    case B_PRELU: SPAN(x < 0 ? x * y : x); break;
    case B_POW:
        /* Exponents 2 and 0.5 (variance, norms) are a multiply and a sqrt. */
        if (m == BV_VS && b[0] == 2.0f)
            SPAN(x * x);
        else if (m == BV_VS && b[0] == 0.5f)
            SPAN(sqrtf(x));
        else
            SPAN(powf(x, y));
        break;
    default: break;
    }
#undef SPAN
}

/* The broadcast of two operands as few nested loops as possible: axes of
 * size 1 dropped, and neighbouring axes merged where both operands step
 * through them as one run. [1,C,H,W] * [1,C,1,1] becomes [C, H*W] with b
 * stepping once per row; [N,H,W,C] * [N,1,1,C] becomes [N, H*W, C]. The
 * innermost axis then has stride 1 or 0 in each operand. */
typedef struct bplan {
    int rank;
    int64_t dims[CF_MAX_RANK], sa[CF_MAX_RANK], sb[CF_MAX_RANK];
    enum bmode mode;   /* of the innermost axis */
} bplan;

static void bplan_init(bplan *p, const cf_value *a, const cf_value *b, int rank,
                       const int64_t *dims)
{
    int64_t sa[CF_MAX_RANK], sb[CF_MAX_RANK];
    cf_bcast_strides(a, rank, dims, sa);
    cf_bcast_strides(b, rank, dims, sb);
    int r = 0;
    for (int d = 0; d < rank; d++) {
        if (dims[d] == 1)
            continue;
        if (r > 0 && p->sa[r - 1] == sa[d] * dims[d] && p->sb[r - 1] == sb[d] * dims[d]) {
            p->dims[r - 1] *= dims[d];
            p->sa[r - 1] = sa[d];
            p->sb[r - 1] = sb[d];
            continue;
        }
        p->dims[r] = dims[d];
        p->sa[r] = sa[d];
        p->sb[r] = sb[d];
        r++;
    }
    if (r == 0) {   /* one element */
        p->dims[0] = 1;
        p->sa[0] = p->sb[0] = 1;
        r = 1;
    }
    p->rank = r;
    p->mode = p->sb[r - 1] == 0 ? BV_VS : p->sa[r - 1] == 0 ? BV_SV : BV_VV;
}

typedef struct binary_job {
    enum binop op;
    const bplan *p;
    const float *a, *b;
    float *o;
} binary_job;

/* Outputs [e0, e1) in row-major order: runs along the innermost axis, the
 * outer axes counted like an odometer. */
static void binary_part(void *ctx, int64_t e0, int64_t e1)
{
    const binary_job *j = ctx;
    const bplan *p = j->p;
    int r = p->rank;
    int64_t inner = p->dims[r - 1], row = e0 / inner, col = e0 % inner;
    int64_t idx[CF_MAX_RANK], oa = 0, ob = 0;
    for (int d = r - 2; d >= 0; d--) {
        idx[d] = row % p->dims[d];
        row /= p->dims[d];
        oa += idx[d] * p->sa[d];
        ob += idx[d] * p->sb[d];
    }
    int64_t ia = p->sa[r - 1], ib = p->sb[r - 1];
    for (int64_t e = e0; e < e1;) {
        int64_t len = inner - col < e1 - e ? inner - col : e1 - e;
        binary_span_f32(j->op, p->mode, j->a + oa + col * ia, j->b + ob + col * ib, j->o + e,
                        len);
        e += len;
        col = 0;
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < p->dims[d]) {
                oa += p->sa[d];
                ob += p->sb[d];
                break;
            }
            idx[d] = 0;
            oa -= p->sa[d] * (p->dims[d] - 1);
            ob -= p->sb[d] * (p->dims[d] - 1);
        }
    }
}

/* float32 binary op over the broadcast shape, the outputs shared out over
 * the run's threads. Returns 0 for ops it does not take (the general path
 * does). */
static int binary_f32(enum binop op, const cf_value *a, const cf_value *b, cf_value *y, int rank,
                      const int64_t *dims, int threads)
{
    if (op != B_ADD && op != B_SUB && op != B_MUL && op != B_DIV && op != B_MAX && op != B_MIN &&
        op != B_PRELU && op != B_POW)
        return 0;
    int64_t total = cf_value_numel(y);
    if (total == 0)
        return 1;
    bplan p;
    bplan_init(&p, a, b, rank, dims);
    binary_job j = {op, &p, a->data, b->data, y->data};
    cf_par_ranges(total, threads, CF_PAR_PART, binary_part, &j);
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
        binary_f32(s->op, in[0], in[1], y, rank, dims, c->threads))
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

/* NaN passes through (both comparisons are false). */
CF_HOT_LOOP static void clip_span_f32(const float *a, float *b, float l, float h, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        b[i] = a[i] < l ? l : a[i] > h ? h : a[i];
}

typedef struct clip_job {
    const float *a;
    float *b;
    float lo, hi;
} clip_job;

static void clip_part(void *ctx, int64_t i0, int64_t i1)
{
    const clip_job *j = ctx;
    clip_span_f32(j->a + i0, j->b + i0, j->lo, j->hi, i1 - i0);
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
        clip_job j = {x->data, y->data, (float)lo, (float)hi};
        cf_par_ranges(n, c->threads, CF_PAR_PART, clip_part, &j);
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
