/* test_cost.c — the static cost analyzer against hand-computed figures.
 *
 * Each graph is built by hand with the graph.h builder; the arithmetic behind
 * every expected number is written next to it, so a reviewer can check the
 * convention (docs/costs.md) rather than trust the code. Activations and
 * weights are float32 (4 bytes) unless stated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include <string.h>

#include "cost.h"
#include "graph.h"

/* --- building graphs --------------------------------------------------------- */

/* SHAPE(1, 3, 8, 8) expands to "rank, dims". */
#define SHAPE(...)                                                                             \
    (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (const int64_t[]){__VA_ARGS__}
#define IDS(...)                                                                               \
    (const int32_t[]){__VA_ARGS__}, (int)(sizeof((int32_t[]){__VA_ARGS__}) / sizeof(int32_t))
#define NONE (-1)

static int32_t tensor(cf_graph *g, const char *name, cf_dtype dt, unsigned flags, int rank,
                      const int64_t *dims)
{
    cf_error err = CF_ERROR_INIT;
    int32_t id = cf_graph_add_tensor(g, name, &err);
    assert_true(id >= 0);
    cf_tensor *t = &g->tensors[id];
    t->dtype = dt;
    t->flags = flags;
    assert_int_equal(cf_tensor_set_shape(g, t, rank, dims, &err), 0);
    return id;
}

/* An activation (float32). */
static int32_t act(cf_graph *g, const char *name, int rank, const int64_t *dims)
{
    return tensor(g, name, CF_DT_FLOAT, CF_TENSOR_TYPED, rank, dims);
}

/* An activation whose shape inference gave up on. */
static int32_t unshaped(cf_graph *g, const char *name)
{
    return tensor(g, name, CF_DT_FLOAT, 0, -1, NULL);
}

/* A float32 initializer (data left NULL: only the shape matters here). */
static int32_t weight(cf_graph *g, const char *name, int rank, const int64_t *dims)
{
    return tensor(g, name, CF_DT_FLOAT, CF_TENSOR_INITIALIZER | CF_TENSOR_TYPED, rank, dims);
}

/* An initializer holding one value, as Pow's exponent or Tile's repeats. */
static int32_t scalar_weight(cf_graph *g, const char *name, cf_dtype dt, const void *v)
{
    int32_t id = tensor(g, name, dt, CF_TENSOR_INITIALIZER | CF_TENSOR_TYPED, 0, NULL);
    cf_tensor *t = &g->tensors[id];
    t->nbytes = cf_dtype_size(dt);
    t->data = cf_arena_memdup(g->arena, v, t->nbytes);
    assert_non_null(t->data);
    return id;
}

/* Adds a node; the pointer is valid until the next node is added. */
static cf_node *node(cf_graph *g, const char *op, const int32_t *in, int nin,
                     const int32_t *out, int nout)
{
    cf_error err = CF_ERROR_INIT;
    int32_t k = cf_graph_add_node(g, op, NULL, NULL, &err);
    assert_true(k >= 0);
    cf_node *n = &g->nodes[k];
    assert_int_equal(cf_graph_set_io(g, n, in, nin, out, nout, &err), 0);
    return n;
}

static void ints(cf_graph *g, cf_node *n, const char *name, int count, const int64_t *v)
{
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_node_add_attr_ints(g, n, name, v, (size_t)count, &err), 0);
}

static void attr_int(cf_graph *g, cf_node *n, const char *name, int64_t v)
{
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_node_add_attr_int(g, n, name, v, &err), 0);
}

static void attr_str(cf_graph *g, cf_node *n, const char *name, const char *s)
{
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_node_add_attr_string(g, n, name, s, &err), 0);
}

static void graph_io(cf_graph *g, const int32_t *in, int nin, const int32_t *out, int nout)
{
    g->inputs = cf_arena_memdup(g->arena, in, (size_t)nin * sizeof *in);
    g->outputs = cf_arena_memdup(g->arena, out, (size_t)nout * sizeof *out);
    g->n_inputs = nin;
    g->n_outputs = nout;
    for (int i = 0; i < nin; i++)
        g->tensors[in[i]].flags |= CF_TENSOR_INPUT;
    for (int i = 0; i < nout; i++)
        g->tensors[out[i]].flags |= CF_TENSOR_OUTPUT;
}

static cf_graph *new_graph(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    return g;
}

static cf_layer_static layer(const cf_graph *g, int32_t k)
{
    cf_error err = CF_ERROR_INIT;
    cf_layer_static L;
    int rc = cf_cost_layer(g, k, &L, &err);
    if (rc)
        fail_msg("cf_cost_layer: %s", err.msg);
    assert_int_equal(L.node, k);
    return L;
}

static cf_model_cost *model(const cf_graph *g)
{
    cf_error err = CF_ERROR_INIT;
    cf_model_cost *c = NULL;
    int rc = cf_cost_compute(g, &c, &err);
    if (rc)
        fail_msg("cf_cost_compute: %s", err.msg);
    assert_non_null(c);
    assert_int_equal(c->n_layers, g->n_nodes);
    return c;
}

/* --- inner products ------------------------------------------------------------- */

/* X 1x8x10x10, W 16x4x3x3 (group 2), B 16; stride 2, dilation 2, pads 1.
 * Dilated kernel 2*(3-1)+1 = 5; out = floor((10 + 1 + 1 - 5) / 2) + 1 = 4.
 * MACs = N 1 * M 16 * out 4*4 * C/group 4 * k 3*3 = 256 * 36 = 9216.
 * FLOPs = 2 * 9216 + bias 16*4*4 = 18432 + 256 = 18688.
 * params = 16*4*3*3 + 16 = 592 (2368 bytes); in 8*10*10*4 = 3200 B;
 * out 16*4*4*4 = 1024 B. */
static cf_graph *grouped_conv(int output_shaped)
{
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 8, 10, 10));
    int32_t w = weight(g, "w", SHAPE(16, 4, 3, 3));
    int32_t b = weight(g, "b", SHAPE(16));
    int32_t y = output_shaped ? act(g, "y", SHAPE(1, 16, 4, 4)) : unshaped(g, "y");
    cf_node *n = node(g, "Conv", IDS(x, w, b), IDS(y));
    attr_int(g, n, "group", 2);
    ints(g, n, "strides", SHAPE(2, 2));
    ints(g, n, "dilations", SHAPE(2, 2));
    ints(g, n, "pads", SHAPE(1, 1, 1, 1));
    return g;
}

static void test_conv_grouped_dilated_strided(void **state)
{
    (void)state;
    cf_graph *g = grouped_conv(1);
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.macs, 9216);
    assert_int_equal(L.flops, 18688);
    assert_int_equal(L.params, 592);
    assert_int_equal(L.weight_bytes, 2368);
    assert_int_equal(L.in_bytes, 3200);
    assert_int_equal(L.out_bytes, 1024);
    assert_int_equal(L.basis, CF_COST_FORMULA);
    assert_true(L.intensity > 18688.0 / 6592 - 1e-9 && L.intensity < 18688.0 / 6592 + 1e-9);
    cf_graph_free(g);

    /* Same layer with the output unshaped: the output size is derived from
     * the attributes, so MACs are exact; out_bytes is unknown (0) and the
     * layer is flagged. */
    g = grouped_conv(0);
    L = layer(g, 0);
    assert_int_equal(L.macs, 9216);
    assert_int_equal(L.flops, 18688);
    assert_int_equal(L.out_bytes, 0);
    assert_int_equal(L.basis, CF_COST_NO_SHAPE);
    cf_graph_free(g);
}

/* Depthwise 3x3, pads 1, no bias: X 1x32x56x56, W 32x1x3x3, group 32.
 * MACs = 32 * 56*56 * 1 * 9 = 903168; FLOPs = 2 * 903168 = 1806336.
 * params = 288. */
static void test_conv_depthwise(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 32, 56, 56));
    int32_t w = weight(g, "w", SHAPE(32, 1, 3, 3));
    int32_t y = act(g, "y", SHAPE(1, 32, 56, 56));
    cf_node *n = node(g, "Conv", IDS(x, w), IDS(y));
    attr_int(g, n, "group", 32);
    ints(g, n, "pads", SHAPE(1, 1, 1, 1));
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.macs, 903168);
    assert_int_equal(L.flops, 1806336);
    assert_int_equal(L.params, 288);
    cf_graph_free(g);
}

/* X 1x4x5x5, W 4x2x3x3 (C_in 4, M/group 2), B 2, stride 2:
 * out = 2*(5-1) + 3 = 11. Every input element is scattered through the
 * kernel into 2 output channels: MACs = 1 * 4 * 5*5 * 2 * 3*3 = 1800.
 * FLOPs = 3600 + bias 2*11*11 = 3842. Unshaped output: bias adds derived. */
static void test_conv_transpose(void **state)
{
    (void)state;
    for (int shaped = 1; shaped >= 0; shaped--) {
        cf_graph *g = new_graph();
        int32_t x = act(g, "x", SHAPE(1, 4, 5, 5));
        int32_t w = weight(g, "w", SHAPE(4, 2, 3, 3));
        int32_t b = weight(g, "b", SHAPE(2));
        int32_t y = shaped ? act(g, "y", SHAPE(1, 2, 11, 11)) : unshaped(g, "y");
        cf_node *n = node(g, "ConvTranspose", IDS(x, w, b), IDS(y));
        ints(g, n, "strides", SHAPE(2, 2));
        cf_layer_static L = layer(g, 0);
        assert_int_equal(L.macs, 1800);
        assert_int_equal(L.flops, 3842);
        assert_int_equal(L.params, 72 + 2);
        assert_int_equal(L.basis, shaped ? CF_COST_FORMULA : CF_COST_NO_SHAPE);
        cf_graph_free(g);
    }
}

/* A 2x64, B 10x64 with transB, C 10: M 2, N 10, K 64.
 * MACs = 2*10*64 = 1280; FLOPs = 2560 + C add 2*10 = 2580.
 * With alpha 0.5 one more multiply per output: 2600. params = 640 + 10. */
static void test_gemm_transb_bias(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    cf_error err = CF_ERROR_INIT;
    int32_t a = act(g, "a", SHAPE(2, 64));
    int32_t b = weight(g, "b", SHAPE(10, 64));
    int32_t c = weight(g, "c", SHAPE(10));
    int32_t y = act(g, "y", SHAPE(2, 10));
    int32_t y2 = act(g, "y2", SHAPE(2, 10));
    cf_node *n = node(g, "Gemm", IDS(a, b, c), IDS(y));
    attr_int(g, n, "transB", 1);
    n = node(g, "Gemm", IDS(a, b, c), IDS(y2));
    attr_int(g, n, "transB", 1);
    assert_int_equal(cf_node_add_attr_float(g, n, "alpha", 0.5f, &err), 0);
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.macs, 1280);
    assert_int_equal(L.flops, 2580);
    assert_int_equal(L.params, 650);
    assert_int_equal(L.in_bytes, 2 * 64 * 4);
    assert_int_equal(layer(g, 1).flops, 2600);

    /* The two layers share b and c: each layer counts them, the model once. */
    cf_model_cost *mc = model(g);
    assert_int_equal(mc->params, 650);
    assert_int_equal(mc->weight_bytes, 2600);
    assert_int_equal(mc->macs, 2560);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* Batched MatMul with broadcast: A 2x1x4x8, B 3x8x5 -> Y 2x3x4x5.
 * batch (2,1) x (3) -> (2,3) = 6; MACs = 6 * M 4 * N 5 * K 8 = 960.
 * 1-D operands (numpy): [8] x 3x8x5 -> 3x5: 3*5*8 = 120 MACs;
 * 2x4x8 x [8] -> 2x4: 2*4*8 = 64 MACs. */
static void test_matmul_broadcast(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t a = act(g, "a", SHAPE(2, 1, 4, 8));
    int32_t b = act(g, "b", SHAPE(3, 8, 5));
    int32_t y = act(g, "y", SHAPE(2, 3, 4, 5));
    int32_t v = act(g, "v", SHAPE(8));
    int32_t y1 = act(g, "y1", SHAPE(3, 5));
    int32_t a3 = act(g, "a3", SHAPE(2, 4, 8));
    int32_t y2 = act(g, "y2", SHAPE(2, 4));
    int32_t u = unshaped(g, "u");
    int32_t y3 = act(g, "y3", SHAPE(2, 3, 4, 5));
    node(g, "MatMul", IDS(a, b), IDS(y));
    node(g, "MatMul", IDS(v, b), IDS(y1));
    node(g, "MatMul", IDS(a3, v), IDS(y2));
    node(g, "MatMul", IDS(u, b), IDS(y3));
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.macs, 960);
    assert_int_equal(L.flops, 1920);
    assert_int_equal(L.basis, CF_COST_FORMULA);
    assert_int_equal(layer(g, 1).macs, 120);
    assert_int_equal(layer(g, 2).macs, 64);
    /* A unshaped: K from B (8), output elements from Y (120): 960 MACs,
     * flagged because A's bytes are unknown. */
    L = layer(g, 3);
    assert_int_equal(L.macs, 960);
    assert_int_equal(L.basis, CF_COST_NO_SHAPE);
    cf_graph_free(g);
}

/* Einsum "bij,bjk->bik" on 2x3x4, 2x4x5: one MAC per (b,i,j,k) = 120.
 * "ij,ij->ij": an element-wise product, 12 FLOPs and no MACs.
 * "ii" on 3x3 (implicit output: nothing, a trace): one add per value of
 * the single index i = 3. */
static void test_einsum(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t a = act(g, "a", SHAPE(2, 3, 4));
    int32_t b = act(g, "b", SHAPE(2, 4, 5));
    int32_t y = act(g, "y", SHAPE(2, 3, 5));
    int32_t p = act(g, "p", SHAPE(3, 4));
    int32_t q = act(g, "q", SHAPE(3, 4));
    int32_t r = act(g, "r", SHAPE(3, 4));
    int32_t s = act(g, "s", SHAPE(3, 3));
    int32_t tr = act(g, "tr", SHAPE(1));
    cf_node *n = node(g, "Einsum", IDS(a, b), IDS(y));
    attr_str(g, n, "equation", "bij,bjk->bik");
    n = node(g, "Einsum", IDS(p, q), IDS(r));
    attr_str(g, n, "equation", "ij,ij->ij");
    n = node(g, "Einsum", IDS(s), IDS(tr));
    attr_str(g, n, "equation", "ii");
    assert_int_equal(layer(g, 0).macs, 120);
    assert_int_equal(layer(g, 1).macs, 0);
    assert_int_equal(layer(g, 1).flops, 12);
    assert_int_equal(layer(g, 2).flops, 3);
    cf_graph_free(g);
}

/* --- pooling, element-wise, normalisation ------------------------------------- */

/* X 1x8x8x8 (512 elements).
 * MaxPool 2x2 s2 -> 1x8x4x4: 128 outputs * 4 = 512 FLOPs.
 * AveragePool 3x3 s1 pads 1 -> 1x8x8x8: 512 * 9 = 4608.
 * LpPool 2x2 s2: 128 * 4 * 2 = 1024.
 * GlobalAveragePool -> 1x8x1x1: every input element once = 512.
 * MaxPool 2x2 s2 with the output unshaped: 128 outputs derived, 512. */
static void test_pooling(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 8, 8, 8));
    int32_t y1 = act(g, "y1", SHAPE(1, 8, 4, 4));
    int32_t y2 = act(g, "y2", SHAPE(1, 8, 8, 8));
    int32_t y3 = act(g, "y3", SHAPE(1, 8, 4, 4));
    int32_t y4 = act(g, "y4", SHAPE(1, 8, 1, 1));
    int32_t y5 = unshaped(g, "y5");
    cf_node *n = node(g, "MaxPool", IDS(x), IDS(y1));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(2, 2));
    n = node(g, "AveragePool", IDS(x), IDS(y2));
    ints(g, n, "kernel_shape", SHAPE(3, 3));
    ints(g, n, "pads", SHAPE(1, 1, 1, 1));
    n = node(g, "LpPool", IDS(x), IDS(y3));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(2, 2));
    node(g, "GlobalAveragePool", IDS(x), IDS(y4));
    n = node(g, "MaxPool", IDS(x), IDS(y5));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(2, 2));
    int64_t want[] = {512, 4608, 1024, 512, 512};
    for (int k = 0; k < 5; k++) {
        cf_layer_static L = layer(g, k);
        assert_int_equal(L.flops, want[k]);
        assert_int_equal(L.macs, 0);
    }
    assert_int_equal(layer(g, 0).basis, CF_COST_FORMULA);
    assert_int_equal(layer(g, 4).basis, CF_COST_NO_SHAPE);
    cf_graph_free(g);
}

/* Add 2x3x4 + 4 -> 2x3x4: one FLOP per output element, 24. The bias as an
 * initializer is a weight (4 params), not an input. With the output
 * unshaped the 24 elements come from broadcasting the inputs.
 * Sigmoid costs 6 per element (exp 4, add, divide): 144. */
static void test_broadcast_add(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t a = act(g, "a", SHAPE(2, 3, 4));
    int32_t b = weight(g, "b", SHAPE(4));
    int32_t y = act(g, "y", SHAPE(2, 3, 4));
    int32_t y2 = unshaped(g, "y2");
    int32_t y3 = act(g, "y3", SHAPE(2, 3, 4));
    node(g, "Add", IDS(a, b), IDS(y));
    node(g, "Add", IDS(b, a), IDS(y2));
    node(g, "Sigmoid", IDS(a), IDS(y3));
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.flops, 24);
    assert_int_equal(L.macs, 0);
    assert_int_equal(L.params, 4);
    assert_int_equal(L.weight_bytes, 16);
    assert_int_equal(L.in_bytes, 96);
    assert_int_equal(L.out_bytes, 96);
    L = layer(g, 1);
    assert_int_equal(L.flops, 24);
    assert_int_equal(L.basis, CF_COST_NO_SHAPE);
    assert_int_equal(layer(g, 2).flops, 144);
    cf_graph_free(g);
}

/* Pow by a constant 2 is one multiply per element; by 1.7, exp(y log x) = 9. */
static void test_pow(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    float two = 2.0f, odd = 1.7f;
    int32_t x = act(g, "x", SHAPE(10));
    int32_t e2 = scalar_weight(g, "e2", CF_DT_FLOAT, &two);
    int32_t e17 = scalar_weight(g, "e17", CF_DT_FLOAT, &odd);
    int32_t y = act(g, "y", SHAPE(10));
    int32_t z = act(g, "z", SHAPE(10));
    node(g, "Pow", IDS(x, e2), IDS(y));
    node(g, "Pow", IDS(x, e17), IDS(z));
    assert_int_equal(layer(g, 0).flops, 10);
    assert_int_equal(layer(g, 1).flops, 90);
    cf_graph_free(g);
}

/* BatchNormalization on 1x16x8x8 (1024 elements), inference: folded to one
 * multiply and one add per element = 2048 FLOPs; scale, B, mean, var are
 * 4 x 16 = 64 params. */
static void test_batchnorm(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 16, 8, 8));
    int32_t s = weight(g, "s", SHAPE(16));
    int32_t b = weight(g, "b", SHAPE(16));
    int32_t m = weight(g, "m", SHAPE(16));
    int32_t v = weight(g, "v", SHAPE(16));
    int32_t y = act(g, "y", SHAPE(1, 16, 8, 8));
    node(g, "BatchNormalization", IDS(x, s, b, m, v), IDS(y));
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.flops, 2048);
    assert_int_equal(L.macs, 0);
    assert_int_equal(L.params, 64);
    assert_int_equal(L.basis, CF_COST_FORMULA);
    cf_graph_free(g);
}

/* LayerNormalization over the last axis of 2x5x8 (80 elements, 10 rows),
 * with scale and B: 7 per element (mean 1, subtract 1, square 1, variance 1,
 * normalise 1, scale 1, bias 1) + 4 per row = 560 + 40 = 600. Without B:
 * 6 * 80 + 40 = 520. InstanceNormalization on 1x4x3x3 (36 elements, rows
 * N*C = 4): 7 * 36 + 4 * 4 = 268. */
static void test_layernorm(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(2, 5, 8));
    int32_t s = weight(g, "s", SHAPE(8));
    int32_t b = weight(g, "b", SHAPE(8));
    int32_t y = act(g, "y", SHAPE(2, 5, 8));
    int32_t y2 = act(g, "y2", SHAPE(2, 5, 8));
    int32_t xi = act(g, "xi", SHAPE(1, 4, 3, 3));
    int32_t si = weight(g, "si", SHAPE(4));
    int32_t bi = weight(g, "bi", SHAPE(4));
    int32_t yi = act(g, "yi", SHAPE(1, 4, 3, 3));
    cf_node *n = node(g, "LayerNormalization", IDS(x, s, b), IDS(y));
    attr_int(g, n, "axis", -1);
    node(g, "LayerNormalization", IDS(x, s), IDS(y2));
    node(g, "InstanceNormalization", IDS(xi, si, bi), IDS(yi));
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.flops, 600);
    assert_int_equal(L.params, 16);
    assert_int_equal(layer(g, 1).flops, 520);
    assert_int_equal(layer(g, 2).flops, 268);
    cf_graph_free(g);
}

/* Softmax over the last axis of 4x10: 8 per element (max, subtract, exp 4,
 * sum, divide) = 320. LogSoftmax adds a log per row: 320 + 4 * 4 = 336.
 * The graph imports no opset, so the opset-13 axis rule applies. */
static void test_softmax(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(4, 10));
    int32_t y = act(g, "y", SHAPE(4, 10));
    int32_t z = act(g, "z", SHAPE(4, 10));
    node(g, "Softmax", IDS(x), IDS(y));
    node(g, "LogSoftmax", IDS(x), IDS(z));
    assert_int_equal(layer(g, 0).flops, 320);
    assert_int_equal(layer(g, 1).flops, 336);
    cf_graph_free(g);
}

/* Resize 1x3x8x8 -> 1x3x16x16 (768 outputs), two axes resized (d = 2).
 * nearest: a copy, 0 FLOPs. linear: 2^(d+1) - 1 = 7 per output = 5376.
 * cubic: 2 * 4^d - 1 = 31 per output = 23808. */
static void test_resize(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 3, 8, 8));
    int32_t scales = weight(g, "scales", SHAPE(4));
    const char *modes[] = {"nearest", "linear", "cubic"};
    int64_t want[] = {0, 5376, 23808};
    for (int i = 0; i < 3; i++) {
        char name[8] = {'y', (char)('0' + i), 0};
        int32_t y = act(g, name, SHAPE(1, 3, 16, 16));
        cf_node *n = node(g, "Resize", IDS(x, NONE, scales), IDS(y));
        attr_str(g, n, "mode", modes[i]);
    }
    for (int i = 0; i < 3; i++) {
        cf_layer_static L = layer(g, i);
        assert_int_equal(L.flops, want[i]);
        assert_int_equal(L.basis, CF_COST_FORMULA);
        assert_int_equal(L.params, 4);
    }
    cf_graph_free(g);
}

/* ReduceMean of 2x3x4 over axis 2 -> 2x3x1: an add per input element (24)
 * and a divide per output element (6) = 30. */
static void test_reduce_mean(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(2, 3, 4));
    int32_t y = act(g, "y", SHAPE(2, 3, 1));
    cf_node *n = node(g, "ReduceMean", IDS(x), IDS(y));
    ints(g, n, "axes", SHAPE(2));
    assert_int_equal(layer(g, 0).flops, 30);
    cf_graph_free(g);
}

/* LSTM forward, seq 5, batch 2, input 10, hidden 20, with B.
 * hidden units x steps = dirs 1 * seq 5 * batch 2 * hidden 20 = 200.
 * MACs = 200 * 4 gates * (input 10 + hidden 20) = 24000.
 * FLOPs = 2 * 24000 + 200 * (34 gate math + 4 bias) = 48000 + 7600 = 55600.
 * params = W 1*80*10 + R 1*80*20 + B 1*160 = 800 + 1600 + 160 = 2560. */
static void test_lstm(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(5, 2, 10));
    int32_t w = weight(g, "w", SHAPE(1, 80, 10));
    int32_t r = weight(g, "r", SHAPE(1, 80, 20));
    int32_t b = weight(g, "b", SHAPE(1, 160));
    int32_t y = act(g, "y", SHAPE(5, 1, 2, 20));
    int32_t yh = act(g, "yh", SHAPE(1, 2, 20));
    cf_node *n = node(g, "LSTM", IDS(x, w, r, b), IDS(y, yh));
    attr_int(g, n, "hidden_size", 20);
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.macs, 24000);
    assert_int_equal(L.flops, 55600);
    assert_int_equal(L.params, 2560);
    assert_int_equal(L.out_bytes, (200 + 40) * 4);
    assert_int_equal(L.basis, CF_COST_FORMULA);
    cf_graph_free(g);
}

/* GRU bidirectional, seq 4, batch 1, input 8, hidden 16 (no hidden_size
 * attribute: read from R), with B.
 * units = 2 dirs * 4 * 1 * 16 = 128; MACs = 128 * 3 * (8 + 16) = 9216.
 * FLOPs = 18432 + 128 * (24 + 4) = 18432 + 3584 = 22016. */
static void test_gru(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(4, 1, 8));
    int32_t w = weight(g, "w", SHAPE(2, 48, 8));
    int32_t r = weight(g, "r", SHAPE(2, 48, 16));
    int32_t b = weight(g, "b", SHAPE(2, 96));
    int32_t y = act(g, "y", SHAPE(4, 2, 1, 16));
    cf_node *n = node(g, "GRU", IDS(x, w, r, b), IDS(y));
    attr_str(g, n, "direction", "bidirectional");
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.macs, 9216);
    assert_int_equal(L.flops, 22016);
    cf_graph_free(g);
}

/* --- fallbacks and flags ------------------------------------------------------- */

/* An op with no formula counts one FLOP per output element (2x3: 6) and is
 * flagged; an op of a custom domain is unknown even if its name is ONNX's. */
static void test_unknown_op(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    cf_error err = CF_ERROR_INIT;
    int32_t x = act(g, "x", SHAPE(2, 3));
    int32_t y = act(g, "y", SHAPE(2, 3));
    int32_t z = act(g, "z", SHAPE(2, 3));
    node(g, "Frobnicate", IDS(x), IDS(y));
    int32_t k = cf_graph_add_node(g, "Relu", "com.acme", "custom_relu", &err);
    assert_true(k >= 0);
    assert_int_equal(cf_graph_set_io(g, &g->nodes[k], IDS(y), IDS(z), &err), 0);
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.flops, 6);
    assert_int_equal(L.macs, 0);
    assert_int_equal(L.basis, CF_COST_ELEMENTWISE);
    assert_int_equal(layer(g, 1).basis, CF_COST_ELEMENTWISE);
    assert_false(cf_cost_op_known("", "Frobnicate"));
    assert_false(cf_cost_op_known("com.acme", "Relu"));
    assert_true(cf_cost_op_known("ai.onnx", "Relu"));
    assert_true(cf_cost_op_known(NULL, "Conv"));
    assert_true(cf_cost_op_known("com.microsoft", "FastGelu"));
    cf_model_cost *mc = model(g);
    assert_int_equal(mc->n_elementwise_fallback, 2);
    assert_int_equal(mc->n_no_shape, 0);
    assert_int_equal(mc->flops, 12);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* Shape inference left x and y without shapes: a Relu counts 0 and says
 * so; a Conv whose weight is known still reports its params. */
static void test_unknown_shape(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = unshaped(g, "x");
    int32_t y = unshaped(g, "y");
    int32_t w = weight(g, "w", SHAPE(8, 3, 3, 3));
    int32_t z = unshaped(g, "z");
    node(g, "Relu", IDS(x), IDS(y));
    node(g, "Conv", IDS(y, w), IDS(z));
    cf_layer_static L = layer(g, 0);
    assert_int_equal(L.flops, 0);
    assert_int_equal(L.in_bytes, 0);
    assert_int_equal(L.basis, CF_COST_NO_SHAPE);
    assert_true(L.intensity == 0.0);
    L = layer(g, 1);
    assert_int_equal(L.macs, 0);
    assert_int_equal(L.params, 216);
    assert_int_equal(L.basis, CF_COST_NO_SHAPE);
    cf_model_cost *mc = model(g);
    assert_int_equal(mc->n_no_shape, 2);
    assert_int_equal(mc->peak_activation_bytes, 0);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* Weights held by a Constant node (as some exporters emit them) are params
 * of their reader and not activations; so is Identity(initializer), which
 * PyTorch's exporter writes for equal-valued initializers.
 *   0 Constant -> w [16,4]       3 Add(y, bi) -> z [1,4]
 *   1 MatMul(x, w) -> y [1,4]    4 Add(z, b) -> out [1,4] (graph output)
 *   2 Identity(b) -> bi [4]
 * The Identity layer holds nothing itself; the Add reading bi has b's 4
 * params; the model stores w and b once: 64 + 4 = 68.
 * live: x 64 B at 0..1, y 16 at 1..3, z 16 at 3..4, out 16 at 4:
 * layer 1 = 80 is the peak; w, b, bi are not activations. */
static void test_constant_node_weights(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 16));
    int32_t w = act(g, "w", SHAPE(16, 4));
    int32_t y = act(g, "y", SHAPE(1, 4));
    int32_t b = weight(g, "b", SHAPE(4));
    int32_t bi = act(g, "bi", SHAPE(4));
    int32_t z = act(g, "z", SHAPE(1, 4));
    int32_t o = act(g, "out", SHAPE(1, 4));
    node(g, "Constant", NULL, 0, IDS(w));
    node(g, "MatMul", IDS(x, w), IDS(y));
    node(g, "Identity", IDS(b), IDS(bi));
    node(g, "Add", IDS(y, bi), IDS(z));
    node(g, "Add", IDS(z, b), IDS(o));
    graph_io(g, IDS(x), IDS(o));
    cf_layer_static L = layer(g, 1);
    assert_int_equal(L.macs, 64);
    assert_int_equal(L.params, 64);
    assert_int_equal(L.weight_bytes, 256);
    assert_int_equal(L.in_bytes, 64);
    L = layer(g, 2);
    assert_int_equal(L.params, 0);
    assert_int_equal(L.in_bytes, 0);
    assert_int_equal(L.out_bytes, 16);
    assert_int_equal(L.basis, CF_COST_FORMULA);
    L = layer(g, 3);
    assert_int_equal(L.params, 4);
    assert_int_equal(L.in_bytes, 16);
    cf_model_cost *mc = model(g);
    assert_int_equal(mc->params, 68);
    assert_int_equal(mc->weight_bytes, 272);
    assert_int_equal(mc->peak_activation_bytes, 80);
    assert_int_equal(mc->peak_layer, 1);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* --- liveness ---------------------------------------------------------------------- */

/* A diamond:  x -> Tile -> a -> Neg   -> b -> Concat -> y
 *                          a -> Slice -> c ----^
 * bytes: x [64] 256, a [256] 1024, b [256] 1024, c [128] 512, y [384] 1536.
 * live ranges (layer indices): x 0..0, a 0..2, b 1..3, c 2..3, y 3..3.
 * layer 0: x + a = 1280; 1: a + b = 2048; 2: a + b + c = 2560;
 * 3: b + c + y = 3072 -> peak 3072 at layer 3. The repeats / starts / ends
 * initializers are not activations.
 * With a also a graph output it lives to the end: layer 3 = 4096. */
static void test_peak_memory_diamond(void **state)
{
    (void)state;
    for (int a_out = 0; a_out <= 1; a_out++) {
        cf_graph *g = new_graph();
        int64_t four = 4, zero = 0, end = 128;
        int32_t x = act(g, "x", SHAPE(64));
        int32_t reps = scalar_weight(g, "reps", CF_DT_INT64, &four);
        int32_t st = scalar_weight(g, "st", CF_DT_INT64, &zero);
        int32_t en = scalar_weight(g, "en", CF_DT_INT64, &end);
        int32_t a = act(g, "a", SHAPE(256));
        int32_t b = act(g, "b", SHAPE(256));
        int32_t c = act(g, "c", SHAPE(128));
        int32_t y = act(g, "y", SHAPE(384));
        node(g, "Tile", IDS(x, reps), IDS(a));
        node(g, "Neg", IDS(a), IDS(b));
        node(g, "Slice", IDS(a, st, en), IDS(c));
        cf_node *n = node(g, "Concat", IDS(b, c), IDS(y));
        attr_int(g, n, "axis", 0);
        if (a_out)
            graph_io(g, IDS(x), IDS(y, a));
        else
            graph_io(g, IDS(x), IDS(y));
        cf_model_cost *mc = model(g);
        assert_int_equal(mc->peak_activation_bytes, a_out ? 4096 : 3072);
        assert_int_equal(mc->peak_layer, 3);
        /* data movement computes nothing but moves bytes */
        assert_int_equal(mc->layers[0].flops, 0);
        assert_int_equal(mc->layers[0].basis, CF_COST_FORMULA);
        assert_int_equal(mc->layers[0].in_bytes, 256);
        assert_int_equal(mc->layers[0].out_bytes, 1024);
        assert_int_equal(mc->layers[1].flops, 256);
        assert_int_equal(mc->params, 3);
        cf_model_cost_free(mc);
        cf_graph_free(g);
    }
}

/* --- subgraphs ---------------------------------------------------------------------- */

/* Layer 0 ReduceSum(x) -> s; layer 1 If(cond) whose branches read x from
 * the enclosing graph: a MatMul branch (x 1x8 @ W 8x4: 32 MACs, 64 FLOPs)
 * and a Relu branch (8 FLOPs). The larger branch counts; both branches'
 * weights are the node's params (W 32). */
static void test_if_subgraph(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 8));
    int32_t cond = tensor(g, "cond", CF_DT_BOOL, CF_TENSOR_TYPED, 0, NULL);
    int32_t y = act(g, "y", SHAPE(1, 4));
    int32_t s = act(g, "s", SHAPE(1));
    node(g, "ReduceSum", IDS(x), IDS(s));
    cf_node *n = node(g, "If", IDS(cond), IDS(y));
    cf_graph *then_g = cf_graph_new_sub(g, &err);
    cf_graph *else_g = cf_graph_new_sub(g, &err);
    assert_non_null(then_g);
    assert_non_null(else_g);
    int32_t tx = tensor(then_g, "x", CF_DT_FLOAT, CF_TENSOR_OUTER, SHAPE(1, 8));
    int32_t tw = weight(then_g, "w", SHAPE(8, 4));
    int32_t ty = act(then_g, "ty", SHAPE(1, 4));
    node(then_g, "MatMul", IDS(tx, tw), IDS(ty));
    int32_t ex = tensor(else_g, "x", CF_DT_FLOAT, CF_TENSOR_OUTER, SHAPE(1, 8));
    int32_t ey = act(else_g, "ey", SHAPE(1, 8));
    node(else_g, "Relu", IDS(ex), IDS(ey));
    cf_attr *at = cf_node_add_attr(g, n, "then_branch", CF_ATTR_GRAPH, &err);
    assert_non_null(at);
    at->g = then_g;
    n = &g->nodes[1];
    at = cf_node_add_attr(g, n, "else_branch", CF_ATTR_GRAPH, &err);
    assert_non_null(at);
    at->g = else_g;
    graph_io(g, IDS(x, cond), IDS(y));
    cf_model_cost *mc = model(g);
    cf_layer_static *L = &mc->layers[1];
    assert_int_equal(L->macs, 32);
    assert_int_equal(L->flops, 64);
    assert_int_equal(L->params, 32);
    assert_int_equal(mc->params, 32);
    assert_int_equal(mc->macs, 32);
    assert_int_equal(mc->flops, 8 + 64);
    /* layer 0: x 32 + cond 1 + s 4 = 37; layer 1: x 32 (the branches read
     * it, so it lives until the If) + cond 1 + y 16 = 49. Were the outer
     * reads missed, layer 1 would hold 17 and the peak be layer 0's. */
    assert_int_equal(mc->peak_activation_bytes, 49);
    assert_int_equal(mc->peak_layer, 1);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* --- a whole model ---------------------------------------------------------------- */

/* The fashion CNN, input 1x1x28x28:
 *   conv1 32 3x3 -> 1x32x26x26: MACs 32*26*26*1*9 = 194688, params 288+32 = 320
 *   relu, maxpool 2 -> 1x32x13x13
 *   conv2 64 3x3 -> 1x64x11x11: MACs 64*11*11*32*9 = 2230272,
 *                               params 18432+64 = 18496
 *   relu, maxpool 2 -> 1x64x5x5, flatten -> 1x1600
 *   gemm 10 (transB): MACs 1600*10 = 16000, params 16000+10 = 16010
 *   softmax
 * MACs = 194688 + 2230272 + 16000 = 2440960; params = 34826.
 * FLOPs: conv1 2*194688 + 21632 bias = 411008; relu 21632; pool 5408*4 =
 * 21632; conv2 2*2230272 + 7744 = 4468288; relu 7744; pool 1600*4 = 6400;
 * gemm 32000 + 10 = 32010; softmax 8*10 = 80; total 4968794.
 * Peak: at relu1, conv1's output and relu1's, 2 * 21632 * 4 = 173056 B. */
static void test_fashion_cnn(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 1, 28, 28));
    int32_t w1 = weight(g, "w1", SHAPE(32, 1, 3, 3));
    int32_t b1 = weight(g, "b1", SHAPE(32));
    int32_t c1 = act(g, "c1", SHAPE(1, 32, 26, 26));
    int32_t r1 = act(g, "r1", SHAPE(1, 32, 26, 26));
    int32_t p1 = act(g, "p1", SHAPE(1, 32, 13, 13));
    int32_t w2 = weight(g, "w2", SHAPE(64, 32, 3, 3));
    int32_t b2 = weight(g, "b2", SHAPE(64));
    int32_t c2 = act(g, "c2", SHAPE(1, 64, 11, 11));
    int32_t r2 = act(g, "r2", SHAPE(1, 64, 11, 11));
    int32_t p2 = act(g, "p2", SHAPE(1, 64, 5, 5));
    int32_t f = act(g, "f", SHAPE(1, 1600));
    int32_t w3 = weight(g, "w3", SHAPE(10, 1600));
    int32_t b3 = weight(g, "b3", SHAPE(10));
    int32_t logits = act(g, "logits", SHAPE(1, 10));
    int32_t prob = act(g, "prob", SHAPE(1, 10));
    cf_node *n = node(g, "Conv", IDS(x, w1, b1), IDS(c1));
    ints(g, n, "kernel_shape", SHAPE(3, 3));
    node(g, "Relu", IDS(c1), IDS(r1));
    n = node(g, "MaxPool", IDS(r1), IDS(p1));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(2, 2));
    n = node(g, "Conv", IDS(p1, w2, b2), IDS(c2));
    ints(g, n, "kernel_shape", SHAPE(3, 3));
    node(g, "Relu", IDS(c2), IDS(r2));
    n = node(g, "MaxPool", IDS(r2), IDS(p2));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(2, 2));
    node(g, "Flatten", IDS(p2), IDS(f));
    n = node(g, "Gemm", IDS(f, w3, b3), IDS(logits));
    attr_int(g, n, "transB", 1);
    node(g, "Softmax", IDS(logits), IDS(prob));
    graph_io(g, IDS(x), IDS(prob));

    cf_model_cost *mc = model(g);
    assert_int_equal(mc->layers[0].macs, 194688);
    assert_int_equal(mc->layers[0].params, 320);
    assert_int_equal(mc->layers[3].macs, 2230272);
    assert_int_equal(mc->layers[3].params, 18496);
    assert_int_equal(mc->layers[7].macs, 16000);
    assert_int_equal(mc->layers[7].params, 16010);
    assert_int_equal(mc->macs, 2440960);
    assert_int_equal(mc->params, 34826);
    assert_int_equal(mc->params, cf_graph_param_count(g));
    assert_int_equal(mc->weight_bytes, 34826 * 4);
    assert_int_equal(mc->flops, 4968794);
    assert_int_equal(mc->peak_activation_bytes, 173056);
    assert_int_equal(mc->peak_layer, 1);
    assert_int_equal(mc->n_elementwise_fallback, 0);
    assert_int_equal(mc->n_no_shape, 0);
    for (int k = 0; k < mc->n_layers; k++)
        assert_int_equal(mc->layers[k].basis, CF_COST_FORMULA);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* --- the API's edges ------------------------------------------------------------- */

static void test_api_edges(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = new_graph();
    cf_layer_static L;
    assert_int_equal(cf_cost_layer(g, 0, &L, &err), CF_EINVAL);
    assert_non_null(strstr(err.msg, "no layer 0"));
    cf_error_clear(&err);
    cf_model_cost sentinel;
    cf_model_cost *mc = &sentinel; /* must stay untouched on failure */
    assert_int_equal(cf_cost_compute(NULL, &mc, &err), CF_EINVAL);
    assert_ptr_equal(mc, &sentinel);
    mc = model(g); /* an empty graph: no layers, no peak layer */
    assert_int_equal(mc->n_layers, 0);
    assert_int_equal(mc->peak_layer, -1);
    assert_int_equal(mc->peak_activation_bytes, 0);
    cf_model_cost_free(mc);
    cf_model_cost_free(NULL);
    assert_string_equal(cf_cost_basis_name(CF_COST_FORMULA), "formula");
    assert_string_equal(cf_cost_basis_name(CF_COST_ELEMENTWISE), "element-wise");
    assert_string_equal(cf_cost_basis_name(CF_COST_NO_SHAPE), "no shape");
    cf_graph_free(g);
}

/* Shapes from a hostile file must not overflow: counts saturate. */
static void test_saturation(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t a = act(g, "a", SHAPE(INT64_C(1) << 40, INT64_C(1) << 40));
    int32_t b = act(g, "b", SHAPE(INT64_C(1) << 40, INT64_C(1) << 40));
    int32_t y = act(g, "y", SHAPE(INT64_C(1) << 40, INT64_C(1) << 40));
    node(g, "MatMul", IDS(a, b), IDS(y));
    cf_model_cost *mc = model(g);
    assert_true(mc->macs == INT64_MAX);
    assert_true(mc->flops == INT64_MAX);
    assert_true(mc->layers[0].out_bytes == INT64_MAX);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

/* Window attributes are the model's too: with the output unshaped the
 * output size comes from them, and huge strides, dilations or pads must
 * saturate, not overflow (found by fuzzing chipfit info; UBSan flagged
 * "4 + 9223372036854775807" in window_out). X 1x1x4x4, W 1x1x3x3. */
static void test_window_attr_saturation(void **state)
{
    (void)state;
    cf_graph *g = new_graph();
    int32_t x = act(g, "x", SHAPE(1, 1, 4, 4));
    int32_t w = weight(g, "w", SHAPE(1, 1, 3, 3));
    int32_t b = weight(g, "b", SHAPE(1));
    int32_t y[6];
    for (int i = 0; i < 6; i++) {
        char name[8];
        snprintf(name, sizeof name, "y%d", i);
        y[i] = unshaped(g, name);
    }
    /* pads INT64_MAX: rows saturate, so do the MACs. */
    cf_node *n = node(g, "Conv", IDS(x, w), IDS(y[0]));
    ints(g, n, "pads", SHAPE(INT64_MAX, 0, 0, 0));
    /* dilation INT64_MAX: the window is wider than any input: no output. */
    n = node(g, "Conv", IDS(x, w), IDS(y[1]));
    ints(g, n, "dilations", SHAPE(INT64_MAX, 1));
    /* pads INT64_MIN: nothing left to slide over. */
    n = node(g, "Conv", IDS(x, w), IDS(y[2]));
    ints(g, n, "pads", SHAPE(INT64_MIN, 0, INT64_MIN, 0));
    /* SAME_UPPER with stride INT64_MAX: one output per axis, 2x2 window. */
    n = node(g, "MaxPool", IDS(x), IDS(y[3]));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(INT64_MAX, INT64_MAX));
    attr_str(g, n, "auto_pad", "SAME_UPPER");
    /* ceil_mode with stride INT64_MAX: ceil(1 / s) + 1 = 2 per axis. */
    n = node(g, "MaxPool", IDS(x), IDS(y[4]));
    ints(g, n, "kernel_shape", SHAPE(2, 2));
    ints(g, n, "strides", SHAPE(INT64_MAX, INT64_MAX));
    attr_int(g, n, "ceil_mode", 1);
    /* ConvTranspose with a bias, stride INT64_MAX: s * (in - 1) saturates,
     * so do the bias FLOPs; the MACs come from the input (1*1*16*1*9). */
    n = node(g, "ConvTranspose", IDS(x, w, b), IDS(y[5]));
    ints(g, n, "strides", SHAPE(INT64_MAX, 1));
    assert_true(layer(g, 5).flops == INT64_MAX);
    assert_int_equal(layer(g, 5).macs, 144);
    assert_true(layer(g, 0).macs == INT64_MAX);
    assert_int_equal(layer(g, 1).macs, 0);
    assert_int_equal(layer(g, 2).macs, 0);
    assert_int_equal(layer(g, 3).flops, 4);
    assert_int_equal(layer(g, 4).flops, 16);
    cf_model_cost *mc = model(g);
    assert_true(mc->macs == INT64_MAX);
    cf_model_cost_free(mc);
    cf_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_grouped_dilated_strided),
        cmocka_unit_test(test_conv_depthwise),
        cmocka_unit_test(test_conv_transpose),
        cmocka_unit_test(test_gemm_transb_bias),
        cmocka_unit_test(test_matmul_broadcast),
        cmocka_unit_test(test_einsum),
        cmocka_unit_test(test_pooling),
        cmocka_unit_test(test_broadcast_add),
        cmocka_unit_test(test_pow),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_reduce_mean),
        cmocka_unit_test(test_lstm),
        cmocka_unit_test(test_gru),
        cmocka_unit_test(test_unknown_op),
        cmocka_unit_test(test_unknown_shape),
        cmocka_unit_test(test_constant_node_weights),
        cmocka_unit_test(test_peak_memory_diamond),
        cmocka_unit_test(test_if_subgraph),
        cmocka_unit_test(test_fashion_cnn),
        cmocka_unit_test(test_api_edges),
        cmocka_unit_test(test_saturation),
        cmocka_unit_test(test_window_attr_saturation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
