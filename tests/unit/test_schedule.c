/* The CPU executor's schedule (backends/cpu/schedule.h): which layers fold
 * into the layer before and which activations stay channels-last, on
 * tests/fixtures/onnx/fusion_mix.onnx (see make_schedule_fixtures.py for
 * its layers); and that the scheduled run computes what the reference
 * kernels compute, on 1 and 2 threads, on the first (unplanned) and later
 * (arena) runs. The same for an int8 chain (qconv_chain.onnx). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/exec.h"
#include "load_model.h"
#include "onnx/onnx.h"
#include "value.h"

static cf_graph *load_fixture(const char *file)
{
    char rel[512];
    snprintf(rel, sizeof rel, "tests/fixtures/onnx/%s", file);
    return load_model(rel);
}

static int32_t layer(const cf_graph *g, const char *name)
{
    for (int32_t k = 0; k < g->n_nodes; k++)
        if (strcmp(g->nodes[k].name, name) == 0)
            return k;
    fail_msg("no layer %s", name);
    return -1;
}

static int layout_of(const cf_exec *e, const cf_graph *g, const char *tensor)
{
    int32_t id = cf_graph_find_tensor(g, tensor);
    assert_true(id >= 0);
    return cf_exec_tensor_layout(e, id);
}

static void check_impl(const cf_exec *e, const cf_graph *g, const char *name, const char *want)
{
    const char *got = cf_exec_layer_impl(e, layer(g, name));
    if (strcmp(got, want) != 0)
        fail_msg("layer %s: impl '%s', want '%s'", name, got, want);
}

static void fused_into(const cf_exec *e, const cf_graph *g, const char *name, const char *host)
{
    char want[48];
    snprintf(want, sizeof want, "fused into %d", (int)layer(g, host));
    check_impl(e, g, name, want);
}

static void what_folds_where(void **state)
{
    (void)state;
    cf_graph *g = load_fixture("fusion_mix.onnx");
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 0, 1, &e, &err))
        fail_msg("%s", err.msg);
    check_impl(e, g, "conv1", "onednn+Relu");
    fused_into(e, g, "relu1", "conv1");
    check_impl(e, g, "conv2", "onednn+Add+Relu");
    fused_into(e, g, "res_add", "conv2");
    fused_into(e, g, "relu2", "conv2");
    check_impl(e, g, "conv3", "onednn+SiLU");
    fused_into(e, g, "silu_sigmoid", "conv3");
    fused_into(e, g, "silu_mul", "conv3");
    check_impl(e, g, "se_conv", "onednn+Sigmoid");
    check_impl(e, g, "se_scale", "ref");
    check_impl(e, g, "conv5", "onednn+Clip");
    fused_into(e, g, "relu6", "conv5");
    check_impl(e, g, "side_neg", "ref");
    cf_exec_free(e);

    /* The reference executor folds nothing. */
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    check_impl(e, g, "conv1", "ref");
    check_impl(e, g, "relu1", "ref");
    assert_int_equal(layout_of(e, g, "r1"), CF_LAYOUT_PLAIN);
    cf_exec_free(e);
    cf_graph_free(g);
}

static void which_activations_stay_channels_last(void **state)
{
    (void)state;
    cf_graph *g = load_fixture("fusion_mix.onnx");
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 0, 1, &e, &err))
        fail_msg("%s", err.msg);
    /* between convolutions, through the element-wise se_scale and Concat */
    assert_int_equal(layout_of(e, g, "r1"), CF_LAYOUT_CHANNELS_LAST);
    assert_int_equal(layout_of(e, g, "r2"), CF_LAYOUT_CHANNELS_LAST);
    assert_int_equal(layout_of(e, g, "m3"), CF_LAYOUT_CHANNELS_LAST);
    assert_int_equal(layout_of(e, g, "sc"), CF_LAYOUT_CHANNELS_LAST);
    assert_int_equal(layout_of(e, g, "cat"), CF_LAYOUT_CHANNELS_LAST);
    /* 1x1 spatial: the same bytes either way, kept plain */
    assert_int_equal(layout_of(e, g, "gp"), CF_LAYOUT_PLAIN);
    assert_int_equal(layout_of(e, g, "ss"), CF_LAYOUT_PLAIN);
    /* read by side_neg, whose output is a graph output: plain, and so is
     * the pool after it, and everything the user gets */
    assert_int_equal(layout_of(e, g, "cl"), CF_LAYOUT_PLAIN);
    assert_int_equal(layout_of(e, g, "mp"), CF_LAYOUT_PLAIN);
    assert_int_equal(layout_of(e, g, "y"), CF_LAYOUT_PLAIN);
    assert_int_equal(layout_of(e, g, "side"), CF_LAYOUT_PLAIN);
    /* the folded-away intermediates are never stored */
    assert_int_equal(layout_of(e, g, "c1"), CF_LAYOUT_PLAIN);
    cf_exec_free(e);
    cf_graph_free(g);
}

static void run(cf_exec *e, const cf_value *in, cf_value *out)
{
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_run(e, in, 1, out, 2, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 2; i++)
        assert_int_equal(out[i].layout, CF_LAYOUT_PLAIN);
}

static void agree(const cf_value *a, const cf_value *b)
{
    char why[256];
    for (int i = 0; i < 2; i++)
        if (cf_value_compare(&a[i], &b[i], 1e-4, 1e-6, NULL, why, sizeof why))
            fail_msg("output %d: %s", i, why);
}

static void scheduled_run_matches_reference(void **state)
{
    (void)state;
    cf_graph *g = load_fixture("fusion_mix.onnx");
    int64_t dims[4] = {1, 8, 12, 12};
    cf_value in = CF_VALUE_INIT;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_value_alloc(&in, CF_DT_FLOAT, 4, dims, "x", &err), 0);
    float *p = in.data;
    for (int i = 0; i < 8 * 12 * 12; i++)   /* signed, so Relu and Clip both cut */
        p[i] = (float)((i * 37) % 101) / 25.0f - 2.0f;
    cf_exec *ref = NULL;
    if (cf_exec_new(g, NULL, 1, 1, &ref, &err))
        fail_msg("%s", err.msg);
    cf_value want[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
    run(ref, &in, want);
    for (int threads = 1; threads <= 2; threads++) {
        cf_exec *e = NULL;
        if (cf_exec_new(g, NULL, 0, threads, &e, &err))
            fail_msg("%s", err.msg);
        for (int rep = 0; rep < 2; rep++) {   /* before and after the arena plan */
            cf_value got[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
            run(e, &in, got);
            agree(got, want);
            cf_value_clear(&got[0]);
            cf_value_clear(&got[1]);
        }
        assert_true(cf_exec_arena_bytes(e) > 0);
        cf_exec_free(e);
    }
    cf_value_clear(&want[0]);
    cf_value_clear(&want[1]);
    cf_value_clear(&in);
    cf_exec_free(ref);
    cf_graph_free(g);
}

/* int8: QLinearConv and MaxPool on oneDNN, uint8 kept channels-last
 * between them, within one output step of the reference kernels. */
static void int8_chain(void **state)
{
    (void)state;
    cf_graph *g = load_fixture("qconv_chain.onnx");
    cf_exec *e = NULL, *ref = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 0, 1, &e, &err) || cf_exec_new(g, NULL, 1, 1, &ref, &err))
        fail_msg("%s", err.msg);
    check_impl(e, g, "qc1", "onednn");
    check_impl(e, g, "qpool", "onednn");
    check_impl(e, g, "qc2", "onednn");
    check_impl(ref, g, "qc1", "ref");
    assert_int_equal(layout_of(e, g, "q1"), CF_LAYOUT_CHANNELS_LAST);
    assert_int_equal(layout_of(e, g, "p1"), CF_LAYOUT_CHANNELS_LAST);
    assert_int_equal(layout_of(e, g, "q2"), CF_LAYOUT_PLAIN);   /* read for a graph output */
    int64_t dims[4] = {1, 8, 10, 10};
    cf_value in = CF_VALUE_INIT, got = CF_VALUE_INIT, want = CF_VALUE_INIT;
    assert_int_equal(cf_value_alloc(&in, CF_DT_FLOAT, 4, dims, "x", &err), 0);
    float *p = in.data;
    for (int i = 0; i < 800; i++)
        p[i] = (float)((i * 53) % 97) / 96.0f;
    if (cf_exec_run(e, &in, 1, &got, 1, NULL, NULL, NULL, &err) ||
        cf_exec_run(ref, &in, 1, &want, 1, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    char why[256];
    /* y's step is 0.1; a rounding tie may land one step apart per layer */
    if (cf_value_compare(&got, &want, 0, 0.2 + 1e-6, NULL, why, sizeof why))
        fail_msg("%s", why);
    cf_value_clear(&in);
    cf_value_clear(&got);
    cf_value_clear(&want);
    cf_exec_free(e);
    cf_exec_free(ref);
    cf_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_folds_where),
        cmocka_unit_test(which_activations_stay_channels_last),
        cmocka_unit_test(scheduled_run_matches_reference),
        cmocka_unit_test(int8_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
