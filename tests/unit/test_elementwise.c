/* Unit tests of the float32 element-wise paths of the reference kernels:
 * the vectorisable float math of backends/cpu/kernels/kutil.h (exp, expm1,
 * sigmoid, tanh, erf) against libm's double functions over a sweep of all
 * float magnitudes and the edge cases; then the kernels themselves
 * (elementwise.c, Softmax/LogSoftmax/LayerNormalization of reduce.c) run
 * through the executor, against references computed here in double, with
 * one and with two threads (which must give the same bits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>

#include "cpu/exec.h"
#include "graph.h"
#include "kernels/kutil.h"
#include "value.h"

/* ---- the float math against libm ------------------------------------------------ */

/* The spacing of floats at |r| (the subnormal spacing below FLT_MIN). */
static double ulp_at(double r)
{
    double a = fabs(r);
    if (a < FLT_MIN)
        return ldexp(1.0, -149);
    int e;
    frexp(a, &e);
    return ldexp(1.0, e - 24);
}

typedef struct accuracy {
    double max_ulp, max_rel;   /* max_rel over normal results */
    float worst_x;
    long mismatches;           /* NaN/inf/sign disagreements */
    char first[160];
} accuracy;

static void check_one(accuracy *acc, float x, float got, double want, int odd)
{
    const char *why = NULL;
    if (isnan(want) || isnan(got)) {
        if (!isnan(want) || !isnan(got))
            why = "NaN mismatch";
    } else if (isinf(got) || isinf(want) || fabs(want) > FLT_MAX) {
        /* Overflow: both infinite with the sign, or the reference rounds to
         * FLT_MAX and the result is within an ulp of it. */
        if ((float)want != got && fabs((double)got - want) > ulp_at(FLT_MAX))
            why = "overflow mismatch";
    } else {
        double err = fabs((double)got - want), u = err / ulp_at(want);
        if (u > acc->max_ulp) {
            acc->max_ulp = u;
            acc->worst_x = x;
        }
        if (fabs(want) >= FLT_MIN && err / fabs(want) > acc->max_rel)
            acc->max_rel = err / fabs(want);
        if (odd && x != 0 && got != 0 && signbit(got) != signbit(x))
            why = "sign mismatch";
    }
    if (why) {
        if (!acc->mismatches)
            snprintf(acc->first, sizeof acc->first, "%s at x=%.9g: got %.9g, want %.9g", why,
                     (double)x, (double)got, want);
        acc->mismatches++;
    }
}

/* Inputs worth testing at: every float whose bit pattern is a multiple of a
 * prime stride (so all exponents and many mantissas, both signs), then from
 * *first_edge on the edge cases and the neighbours of each function's
 * thresholds. */
static float *sweep_inputs(size_t *count, size_t *first_edge)
{
    static const float edges[] = {
        0.0f, -0.0f, 1e-45f, -1e-45f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, INFINITY,
        -INFINITY, NAN, -NAN, 1.0f, -1.0f, 0.5f, -0.5f,
        /* exp overflows past 88.72, rounds to 0 below -103.97, subnormal between */
        88.72283f, 88.7228394f, 88.8f, 89.0f, -87.33654f, -88.0f, -100.0f, -103.9f,
        -103.972084f, -104.0f, -105.0f, 0.34657359f, -0.34657359f,
        /* erf's pieces meet at 0.921875 and end at 4; tanh saturates near 9 */
        0.921875f, -0.921875f, 4.0f, -4.0f, 3.92f, 9.0f, 9.01f, -9.01f, 10.0f, -10.0f,
        -30.0f, -17.3f,
    };
    size_t n_edges = sizeof edges / sizeof edges[0];
    size_t cap = (size_t)((1ull << 32) / 4093) + 8 * n_edges + 16;
    float *v = malloc(cap * sizeof *v);
    assert_non_null(v);
    size_t n = 0;
    for (uint64_t b = 0; b < (1ull << 32); b += 4093)
        v[n++] = cf_f32_from_bits((uint32_t)b);
    *first_edge = n;
    for (size_t i = 0; i < n_edges; i++) {
        float e = edges[i];
        v[n++] = e;
        if (!isnan(e) && !isinf(e)) {
            float up = e, down = e;
            for (int k = 0; k < 3; k++) {
                up = nextafterf(up, INFINITY);
                down = nextafterf(down, -INFINITY);
                v[n++] = up;
                v[n++] = down;
            }
        }
    }
    *count = n;
    return v;
}

static double ref_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

typedef float (*f32_fn)(float);
typedef double (*f64_fn)(double);

static accuracy measure(f32_fn f, f64_fn ref, int odd)
{
    size_t n, first_edge;
    float *x = sweep_inputs(&n, &first_edge);
    accuracy acc = {0};
    for (size_t i = 0; i < n; i++)
        check_one(&acc, x[i], f(x[i]), ref((double)x[i]), odd);
    free(x);
    return acc;
}

static void expect(const char *name, const accuracy *acc, double max_ulp)
{
    print_message("%-8s max %.2f ulp (at x=%.9g), max relative error %.2e\n", name,
                  acc->max_ulp, (double)acc->worst_x, acc->max_rel);
    if (acc->mismatches)
        fail_msg("%s: %ld mismatches, first: %s", name, acc->mismatches, acc->first);
    if (acc->max_ulp > max_ulp)
        fail_msg("%s: %.2f ulp at x=%.9g (allowed %.1f)", name, acc->max_ulp,
                 (double)acc->worst_x, max_ulp);
    if (acc->max_rel > 1e-6)
        fail_msg("%s: relative error %.2e (allowed 1e-6)", name, acc->max_rel);
}

static void exp_is_accurate(void **state)
{
    (void)state;
    accuracy acc = measure(cf_exp_f32, exp, 0);
    expect("exp", &acc, 1.5);
    /* Results down to the subnormals keep their precision; past the ends,
     * 0 and inf exactly. */
    assert_true(cf_exp_f32(-100.0f) > 0 && cf_exp_f32(-100.0f) < FLT_MIN);
    assert_true(cf_exp_f32(-104.0f) == 0.0f);
    assert_true(cf_exp_f32(-INFINITY) == 0.0f);
    assert_true(isinf(cf_exp_f32(88.8f)) && isinf(cf_exp_f32(INFINITY)));
    assert_true(cf_exp_f32(88.72f) < INFINITY);
    assert_true(cf_exp_f32(0.0f) == 1.0f && cf_exp_f32(-0.0f) == 1.0f);
}

static void expm1_is_accurate(void **state)
{
    (void)state;
    accuracy acc = measure(cf_expm1_f32, expm1, 1);
    expect("expm1", &acc, 2.5);
    assert_true(cf_expm1_f32(-INFINITY) == -1.0f);
    assert_true(isinf(cf_expm1_f32(88.8f)));
    assert_true(cf_expm1_f32(1e-30f) == 1e-30f);
}

static void sigmoid_is_accurate(void **state)
{
    (void)state;
    accuracy acc = measure(cf_sigmoid_f32, ref_sigmoid, 0);
    expect("sigmoid", &acc, 3.0);
    assert_true(cf_sigmoid_f32(INFINITY) == 1.0f);
    assert_true(cf_sigmoid_f32(-INFINITY) == 0.0f);
    assert_true(cf_sigmoid_f32(0.0f) == 0.5f);
    assert_true(cf_sigmoid_f32(-95.0f) > 0);   /* e^-95, subnormal */
}

static void tanh_is_accurate(void **state)
{
    (void)state;
    accuracy acc = measure(cf_tanh_f32, tanh, 1);
    expect("tanh", &acc, 3.0);
    assert_true(cf_tanh_f32(INFINITY) == 1.0f && cf_tanh_f32(-INFINITY) == -1.0f);
    assert_true(cf_tanh_f32(10.0f) == 1.0f && cf_tanh_f32(8.0f) < 1.0f);
    assert_true(signbit(cf_tanh_f32(-0.0f)) && cf_tanh_f32(-0.0f) == 0.0f);
    assert_true(cf_tanh_f32(1e-45f) == 1e-45f);
}

static void erf_is_accurate(void **state)
{
    (void)state;
    accuracy acc = measure(cf_erf_f32, erf, 1);
    expect("erf", &acc, 3.5);
    assert_true(cf_erf_f32(INFINITY) == 1.0f && cf_erf_f32(-INFINITY) == -1.0f);
    assert_true(signbit(cf_erf_f32(-0.0f)));
}

/* ---- the kernels, through the executor ------------------------------------------ */

static cf_opset opset17 = {"", 17};

static cf_graph *new_graph(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    g->opsets = &opset17;
    g->n_opsets = 1;
    return g;
}

static int32_t tensor(cf_graph *g, const char *name, int rank, const int64_t *dims)
{
    cf_error err = CF_ERROR_INIT;
    int32_t id = cf_graph_add_tensor(g, name, &err);
    assert_true(id >= 0);
    g->tensors[id].dtype = CF_DT_FLOAT;
    assert_int_equal(cf_tensor_set_shape(g, &g->tensors[id], rank, dims, &err), 0);
    return id;
}

/* One node OP over float32 inputs of the given shapes, output y; the
 * graph's io arrays are malloc'd (freed by run_graph). */
static cf_graph *one_node(const char *op, int n_in, const int *ranks, const int64_t *const *dims,
                          cf_node **out)
{
    cf_graph *g = new_graph();
    cf_error err = CF_ERROR_INIT;
    int32_t in[3], y;
    static const char *const names[] = {"a", "b", "c"};
    for (int i = 0; i < n_in; i++)
        in[i] = tensor(g, names[i], ranks[i], dims[i]);
    y = tensor(g, "y", -1, NULL);
    int32_t k = cf_graph_add_node(g, op, NULL, "layer", &err);
    assert_true(k >= 0);
    assert_int_equal(cf_graph_set_io(g, &g->nodes[k], in, n_in, &y, 1, &err), 0);
    g->inputs = malloc(sizeof(int32_t) * 3);
    g->outputs = malloc(sizeof(int32_t));
    assert_non_null(g->inputs);
    assert_non_null(g->outputs);
    memcpy(g->inputs, in, sizeof(int32_t) * (size_t)n_in);
    g->outputs[0] = y;
    g->n_inputs = n_in;
    g->n_outputs = 1;
    for (int i = 0; i < n_in; i++)
        g->tensors[in[i]].flags |= CF_TENSOR_INPUT;
    g->tensors[y].flags |= CF_TENSOR_OUTPUT;
    *out = &g->nodes[k];
    return g;
}

/* Runs g with the reference kernels on `threads` threads. */
static void run_graph(cf_graph *g, const cf_value *in, int n_in, cf_value *out, int threads)
{
    cf_error err = CF_ERROR_INIT;
    if (cf_graph_link(g, &err))
        fail_msg("%s", err.msg);
    cf_exec *e = NULL;
    if (cf_exec_new(g, NULL, 1, threads, &e, &err))
        fail_msg("%s", err.msg);
    if (cf_exec_run(e, in, n_in, out, 1, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    cf_exec_free(e);
}

static void free_graph(cf_graph *g)
{
    free(g->inputs);
    free(g->outputs);
    g->inputs = g->outputs = NULL;
    cf_graph_free(g);
}

static void float_value(cf_value *v, int rank, const int64_t *dims)
{
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_value_alloc(v, CF_DT_FLOAT, rank, dims, "test", &err), 0);
}

/* Deterministic values in [-scale, scale]. */
static void fill(cf_value *v, uint32_t seed, float scale)
{
    float *p = v->data;
    int64_t n = cf_value_numel(v);
    uint32_t s = seed * 2654435761u + 1;
    for (int64_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = scale * ((float)(s >> 8) / 8388608.0f - 1.0f);
    }
}

/* Runs the graph with 1 and 2 threads: the outputs must be the same bits. */
static void run_both(cf_graph *g, const cf_value *in, int n_in, cf_value *out)
{
    cf_value two = CF_VALUE_INIT;
    run_graph(g, in, n_in, out, 1);
    run_graph(g, in, n_in, &two, 2);
    assert_int_equal(out->nbytes, two.nbytes);
    if (memcmp(out->data, two.data, out->nbytes) != 0)
        fail_msg("1 and 2 threads give different outputs");
    cf_value_clear(&two);
}

/* Unary kernels over a tensor of 300K values spread over [-40, 40], with
 * the sweep's edge cases at the front: within a few ulp of libm in double,
 * NaN and infinities as the float math says. */
static void unary_kernels_match_libm(void **state)
{
    (void)state;
    static const struct {
        const char *op;
        f64_fn ref;
        double max_ulp;
    } ops[] = {
        {"Exp", exp, 1.5}, {"Sigmoid", ref_sigmoid, 3.0}, {"Tanh", tanh, 3.0}, {"Erf", erf, 3.5},
    };
    int64_t n = 300000;
    size_t n_sweep, first_edge;
    float *sweep = sweep_inputs(&n_sweep, &first_edge);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        int rank = 1;
        const int64_t *dims[1] = {&n};
        cf_node *node;
        cf_graph *g = one_node(ops[k].op, 1, &rank, dims, &node);
        cf_value x = CF_VALUE_INIT, y = CF_VALUE_INIT;
        float_value(&x, 1, &n);
        fill(&x, (uint32_t)k, 40.0f);
        float *px = x.data;
        /* The edge cases (the sweep's tail) first. */
        size_t n_edge = 0;
        for (size_t i = first_edge; i < n_sweep; i++)
            px[n_edge++] = sweep[i];
        run_both(g, &x, 1, &y);
        accuracy acc = {0};
        const float *py = y.data;
        for (int64_t i = 0; i < n; i++)
            check_one(&acc, px[i], py[i], ops[k].ref((double)px[i]), 0);
        expect(ops[k].op, &acc, ops[k].max_ulp);
        cf_value_clear(&x);
        cf_value_clear(&y);
        free_graph(g);
    }
    free(sweep);
}

typedef struct bin_case {
    const char *op;
    int ra, rb;
    int64_t da[4], db[4];
} bin_case;

static double ref_bin(const char *op, double a, double b)
{
    if (strcmp(op, "Add") == 0)
        return a + b;
    if (strcmp(op, "Sub") == 0)
        return a - b;
    if (strcmp(op, "Mul") == 0)
        return a * b;
    if (strcmp(op, "Div") == 0)
        return a / b;
    if (strcmp(op, "Max") == 0)
        return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
    if (strcmp(op, "Min") == 0)
        return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
    return a < 0 ? a * b : a;   /* PRelu */
}

/* The element offset in a value of rank r, dims d, of the output index
 * idx (rank ro), numpy broadcasting. */
static int64_t bcast_offset(int r, const int64_t *d, int ro, const int64_t *idx)
{
    int64_t off = 0;
    for (int i = 0; i < r; i++) {
        int64_t k = d[i] == 1 ? 0 : idx[ro - r + i];
        off = off * d[i] + k;
    }
    return off;
}

/* Binary kernels on every broadcast the fast path reduces (same shape, a
 * scalar on either side, a per-channel operand repeating along the inner
 * run or the outer axes, a middle axis), against the op done in double
 * (exact for these, then rounded once). Large cases run on two threads. */
static void binary_kernels_broadcast(void **state)
{
    (void)state;
    static const bin_case cases[] = {
        {"Mul", 4, 4, {2, 3, 5, 7}, {2, 3, 5, 7}},
        {"Mul", 4, 4, {2, 3, 5, 7}, {1, 3, 1, 1}},     /* [N,C,H,W] * [1,C,1,1] */
        {"Add", 4, 4, {2, 5, 7, 3}, {2, 1, 1, 3}},     /* [N,H,W,C] + [N,1,1,C] */
        {"Sub", 4, 1, {2, 5, 7, 3}, {3}},              /* inner run repeats */
        {"Div", 3, 3, {2, 9, 17}, {2, 9, 1}},          /* per row */
        {"Div", 3, 0, {2, 9, 17}, {0}},                /* scalar b */
        {"Sub", 0, 3, {0}, {2, 9, 17}},                /* scalar a */
        {"Sub", 3, 3, {1, 9, 1}, {4, 1, 5}},           /* both broadcast */
        {"Add", 3, 3, {4, 1, 6}, {4, 5, 6}},           /* a middle axis */
        {"Max", 2, 2, {33, 31}, {33, 31}},
        {"Min", 2, 1, {33, 31}, {31}},
        {"PRelu", 4, 4, {2, 3, 5, 7}, {1, 3, 1, 1}},
        {"Mul", 4, 4, {1, 64, 48, 40}, {1, 64, 1, 1}}, /* 122880 outputs: threads */
        {"Add", 4, 4, {1, 40, 48, 64}, {1, 1, 1, 64}},
        {"Add", 1, 1, {100003}, {100003}},
        {"Mul", 2, 0, {317, 311}, {0}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const bin_case *bc = &cases[k];
        int ranks[2] = {bc->ra, bc->rb};
        const int64_t *dims[2] = {bc->da, bc->db};
        cf_node *node;
        cf_graph *g = one_node(bc->op, 2, ranks, dims, &node);
        cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT}, y = CF_VALUE_INIT;
        float_value(&in[0], bc->ra, bc->da);
        float_value(&in[1], bc->rb, bc->db);
        fill(&in[0], (uint32_t)(2 * k), 3.0f);
        fill(&in[1], (uint32_t)(2 * k + 1), 3.0f);
        /* NaN on each side, to see Max/Min propagate it. */
        if (cf_value_numel(&in[0]) > 1)
            ((float *)in[0].data)[0] = NAN;
        if (cf_value_numel(&in[1]) > 1)
            ((float *)in[1].data)[1] = NAN;
        run_both(g, in, 2, &y);
        int ro = y.rank;
        int64_t total = cf_value_numel(&y), idx[4] = {0};
        const float *pa = in[0].data, *pb = in[1].data, *py = y.data;
        for (int64_t i = 0; i < total; i++) {
            int64_t rem = i;
            for (int d = ro - 1; d >= 0; d--) {
                idx[d] = rem % y.dims[d];
                rem /= y.dims[d];
            }
            double a = pa[bcast_offset(bc->ra, bc->da, ro, idx)];
            double b = pb[bcast_offset(bc->rb, bc->db, ro, idx)];
            float want = (float)ref_bin(bc->op, a, b);
            if (!(py[i] == want || (isnan(py[i]) && isnan(want))))
                fail_msg("case %zu (%s): output %lld is %.9g, want %.9g (a %.9g, b %.9g)", k,
                         bc->op, (long long)i, (double)py[i], (double)want, a, b);
        }
        cf_value_clear(&in[0]);
        cf_value_clear(&in[1]);
        cf_value_clear(&y);
        free_graph(g);
    }
}

/* Softmax and LogSoftmax over the last axis, rows of odd and even lengths
 * (vector tails), against double; one row holding a NaN comes out NaN. */
static void softmax_rows_match_double(void **state)
{
    (void)state;
    static const int64_t shapes[][3] = {{3, 5, 300}, {2, 7, 1}, {1, 1, 37}, {64, 40, 33}};
    for (int log_kind = 0; log_kind < 2; log_kind++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            int rank = 3;
            const int64_t *dims[1] = {shapes[s]};
            cf_node *node;
            cf_graph *g = one_node(log_kind ? "LogSoftmax" : "Softmax", 1, &rank, dims, &node);
            cf_value x = CF_VALUE_INIT, y = CF_VALUE_INIT;
            float_value(&x, 3, shapes[s]);
            fill(&x, (uint32_t)s, 30.0f);
            int64_t n = shapes[s][2], rows = shapes[s][0] * shapes[s][1];
            float *px = x.data;
            if (rows > 1)
                px[n] = NAN;   /* row 1 */
            run_both(g, &x, 1, &y);
            const float *py = y.data;
            for (int64_t r = 0; r < rows; r++) {
                const float *xr = px + r * n, *yr = py + r * n;
                if (r == 1) {
                    for (int64_t j = 0; j < n; j++)
                        assert_true(isnan(yr[j]));
                    continue;
                }
                double mx = xr[0], sum = 0;
                for (int64_t j = 0; j < n; j++)
                    mx = xr[j] > mx ? xr[j] : mx;
                for (int64_t j = 0; j < n; j++)
                    sum += exp((double)xr[j] - mx);
                for (int64_t j = 0; j < n; j++) {
                    double d = (double)xr[j] - mx;
                    double want = log_kind ? d - log(sum) : exp(d) / sum;
                    /* LogSoftmax: absolute (x - max is rounded to float in
                     * neither); Softmax: relative, the float exp of x - max. */
                    double tol = log_kind ? 2e-6 * (1 + fabs(want)) : 4e-6 * want + 1e-30;
                    if (fabs((double)yr[j] - want) > tol)
                        fail_msg("%s %lldx%lld row %lld [%lld]: %.9g, want %.9g",
                                 log_kind ? "LogSoftmax" : "Softmax", (long long)rows,
                                 (long long)n, (long long)r, (long long)j, (double)yr[j], want);
                }
            }
            cf_value_clear(&x);
            cf_value_clear(&y);
            free_graph(g);
        }
}

/* LayerNormalization over the last axis with scale and bias, against
 * double. */
static void layernorm_matches_double(void **state)
{
    (void)state;
    static const int64_t shapes[][3] = {{4, 7, 96}, {2, 3, 13}, {1, 512, 130}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t m = shapes[s][2], rows = shapes[s][0] * shapes[s][1];
        int ranks[3] = {3, 1, 1};
        const int64_t *dims[3] = {shapes[s], &m, &m};
        cf_node *node;
        cf_graph *g = one_node("LayerNormalization", 3, ranks, dims, &node);
        cf_value in[3] = {CF_VALUE_INIT, CF_VALUE_INIT, CF_VALUE_INIT}, y = CF_VALUE_INIT;
        float_value(&in[0], 3, shapes[s]);
        float_value(&in[1], 1, &m);
        float_value(&in[2], 1, &m);
        fill(&in[0], (uint32_t)s, 5.0f);
        fill(&in[1], (uint32_t)s + 10, 2.0f);
        fill(&in[2], (uint32_t)s + 20, 1.0f);
        /* A row with a large common offset: the variance must not cancel. */
        for (int64_t j = 0; j < m; j++)
            ((float *)in[0].data)[j] += 1000.0f;
        run_both(g, in, 3, &y);
        const float *px = in[0].data, *sc = in[1].data, *bi = in[2].data, *py = y.data;
        for (int64_t r = 0; r < rows; r++) {
            const float *xr = px + r * m;
            double mean = 0, var = 0;
            for (int64_t j = 0; j < m; j++)
                mean += xr[j];
            mean /= (double)m;
            for (int64_t j = 0; j < m; j++)
                var += ((double)xr[j] - mean) * ((double)xr[j] - mean);
            var /= (double)m;
            double inv = 1.0 / sqrt(var + 1e-5f);
            for (int64_t j = 0; j < m; j++) {
                double want = ((double)xr[j] - mean) * inv * sc[j] + bi[j];
                if (fabs((double)py[r * m + j] - want) > 1e-6 * (1 + fabs(want)))
                    fail_msg("LayerNormalization row %lld [%lld]: %.9g, want %.9g",
                             (long long)r, (long long)j, (double)py[r * m + j], want);
            }
        }
        for (int i = 0; i < 3; i++)
            cf_value_clear(&in[i]);
        cf_value_clear(&y);
        free_graph(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exp_is_accurate),
        cmocka_unit_test(expm1_is_accurate),
        cmocka_unit_test(sigmoid_is_accurate),
        cmocka_unit_test(tanh_is_accurate),
        cmocka_unit_test(erf_is_accurate),
        cmocka_unit_test(unary_kernels_match_libm),
        cmocka_unit_test(binary_kernels_broadcast),
        cmocka_unit_test(softmax_rows_match_double),
        cmocka_unit_test(layernorm_matches_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
