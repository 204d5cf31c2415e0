/* The CPU backend end to end: cpu against cpu-ref on the demo model, the
 * executor's arena plan, repeat runs, cancellation, input checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "load_model.h"
#include "onnx/onnx.h"
#include "profile.h"
#include "value.h"

static cf_graph *load_demo(void)
{
    return load_model("models/fashion_cnn.onnx");
}

/* A deterministic test image: a diagonal gradient. */
static void demo_input(cf_value *v)
{
    int64_t dims[4] = {1, 1, 28, 28};
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_value_alloc(v, CF_DT_FLOAT, 4, dims, "image", &err), 0);
    float *p = v->data;
    for (int i = 0; i < 28 * 28; i++)
        p[i] = (float)((i / 28 + i % 28) % 17) / 16.0f;
}

static void run_backend(const char *name, cf_graph *g, const cf_value *in, cf_value *out)
{
    const cf_backend_i *be = cf_backend_find(name);
    assert_non_null(be);
    cf_backend_opts opts = {1, 0, 1};
    void *ctx = NULL;
    cf_error err = CF_ERROR_INIT;
    if (be->prepare(g, &opts, &ctx, &err))
        fail_msg("%s: %s", name, err.msg);
    if (be->run(ctx, in, 1, out, 1, NULL, NULL, NULL, &err))
        fail_msg("%s: %s", name, err.msg);
    be->release(ctx);
}

static void cpu_and_reference_agree(void **state)
{
    (void)state;
    cf_graph *g = load_demo();
    cf_value in = CF_VALUE_INIT, fast = CF_VALUE_INIT, ref = CF_VALUE_INIT;
    demo_input(&in);
    run_backend("cpu", g, &in, &fast);
    run_backend("cpu-ref", g, &in, &ref);
    char why[512];
    double max_abs;
    if (cf_value_compare(&fast, &ref, 1e-4, 1e-6, &max_abs, why, sizeof why))
        fail_msg("cpu vs cpu-ref: %s", why);
    /* The output is a probability distribution. */
    double sum = 0;
    for (int i = 0; i < 10; i++)
        sum += ((float *)ref.data)[i];
    assert_true(sum > 0.999 && sum < 1.001);
    cf_value_clear(&in);
    cf_value_clear(&fast);
    cf_value_clear(&ref);
    cf_graph_free(g);
}

static int stop_at_three(void *user, int32_t done, int32_t total)
{
    (void)total;
    *(int *)user = done;
    return done == 3;
}

static void arena_repeat_and_cancel(void **state)
{
    (void)state;
    cf_graph *g = load_demo();
    /* The reference backend: every layer stores its output (the cpu
     * backend folds relu1 into conv1, so conv1's output is never stored). */
    const cf_backend_i *be = cf_backend_find("cpu-ref");
    cf_backend_opts opts = {1, 0, 0};
    void *ctx = NULL;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(be->prepare(g, &opts, &ctx, &err), 0);
    cf_value in = CF_VALUE_INIT, a = CF_VALUE_INIT, b = CF_VALUE_INIT;
    demo_input(&in);
    assert_int_equal(be->arena_bytes(ctx), 0);  /* no plan before the first run */
    assert_int_equal(be->run(ctx, &in, 1, &a, 1, NULL, NULL, NULL, &err), 0);
    size_t arena = be->arena_bytes(ctx);
    /* The plan reuses memory. At relu1 both 86,528 B tensors (conv1 and
     * relu1 outputs) are alive, so no plan is smaller than 173,056 B; with no
     * reuse it would be the sum of every planned activation, 64-byte
     * aligned: 2 x 86,528 + 21,632 + 2 x 15,488 + 2 x 6,400 + 6,400 + 64 =
     * 244,928 B (the output, probs, is not planned). Lifetimes let the
     * later, smaller tensors sit where conv1's output was. */
    assert_true(arena >= 2 * 86528);
    assert_true(arena < 244928);
    double per_layer[9];
    assert_int_equal(be->run(ctx, &in, 1, &b, 1, per_layer, NULL, NULL, &err), 0);
    char why[256];
    assert_int_equal(cf_value_compare(&a, &b, 0, 0, NULL, why, sizeof why), 0);
    for (int k = 0; k < 9; k++)
        assert_true(per_layer[k] >= 0);
    int reached = -1;
    cf_value c = CF_VALUE_INIT;
    assert_int_equal(be->run(ctx, &in, 1, &c, 1, NULL, stop_at_three, &reached, &err), CF_ECANCELED);
    assert_int_equal(reached, 3);
    assert_null(c.data);
    assert_non_null(strstr(err.msg, "canceled"));
    /* After a cancel the next run is whole again. */
    cf_error_clear(&err);
    assert_int_equal(be->run(ctx, &in, 1, &c, 1, NULL, NULL, NULL, &err), 0);
    assert_int_equal(cf_value_compare(&a, &c, 0, 0, NULL, why, sizeof why), 0);
    be->release(ctx);
    cf_value_clear(&in);
    cf_value_clear(&a);
    cf_value_clear(&b);
    cf_value_clear(&c);
    cf_graph_free(g);
}

static void wrong_inputs_are_refused(void **state)
{
    (void)state;
    cf_graph *g = load_demo();
    const cf_backend_i *be = cf_backend_find("cpu");
    cf_backend_opts opts = {1, 0, 0};
    void *ctx = NULL;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(be->prepare(g, &opts, &ctx, &err), 0);
    cf_value in = CF_VALUE_INIT, out = CF_VALUE_INIT;
    int64_t dims[4] = {1, 1, 28, 27};
    assert_int_equal(cf_value_alloc(&in, CF_DT_FLOAT, 4, dims, "x", &err), 0);
    assert_int_equal(be->run(ctx, &in, 1, &out, 1, NULL, NULL, NULL, &err), CF_EINVAL);
    assert_non_null(strstr(err.msg, "input input"));
    assert_non_null(strstr(err.msg, "1x1x28x28"));
    cf_error_clear(&err);
    int64_t d2[4] = {1, 1, 28, 28};
    assert_int_equal(cf_value_alloc(&in, CF_DT_INT64, 4, d2, "x", &err), 0);
    assert_int_equal(be->run(ctx, &in, 1, &out, 1, NULL, NULL, NULL, &err), CF_EINVAL);
    assert_non_null(strstr(err.msg, "int64"));
    cf_error_clear(&err);
    assert_int_equal(be->run(ctx, &in, 0, &out, 1, NULL, NULL, NULL, &err), CF_EINVAL);
    be->release(ctx);
    cf_value_clear(&in);
    cf_graph_free(g);
}

static void registry(void **state)
{
    (void)state;
    assert_non_null(cf_backend_find("cpu"));
    assert_non_null(cf_backend_find("cpu-ref"));
    assert_null(cf_backend_find("tpu"));
    const char *const *names = cf_backend_names();
    assert_string_equal(names[0], "cpu");
    char why[64];
    assert_int_equal(cf_backend_find("cpu")->available(why, sizeof why), 1);
    assert_string_equal(cf_cost_kind_name(CF_COST_MEASURED), "measured");
    assert_string_equal(cf_cost_kind_name(CF_COST_ESTIMATED), "estimated");
}

typedef struct seen {
    int calls, timed_max_run, cancel_at_timed;
    cf_profile_phase last;
    int order_ok;
} seen;

static int watch(void *user, const cf_profile_progress *p)
{
    seen *s = user;
    s->calls++;
    if (p->phase < s->last)
        s->order_ok = 0;
    s->last = p->phase;
    if (p->layer < 0 || p->layer > p->layers || p->run < 0 || p->run >= p->runs)
        s->order_ok = 0;
    if (p->phase == CF_PROFILE_TIMED && p->run > s->timed_max_run)
        s->timed_max_run = (int)p->run;
    return s->cancel_at_timed && p->phase == CF_PROFILE_TIMED && p->run == 1;
}

/* cf_profile_run: phases in order with sane counters, every layer timed,
 * and a cancel from the progress callback stops it cleanly. */
static void profile_progress_and_cancel(void **state)
{
    (void)state;
    cf_graph *g = load_demo();
    cf_profile_opts o = {"cpu", 1, 2, 3, 1, 1, NULL, 0};
    cf_profile p;
    cf_error err = CF_ERROR_INIT;
    seen s = {0, -1, 0, CF_PROFILE_PREPARE, 1};
    if (cf_profile_run(g, &o, watch, NULL, &s, &p, &err))
        fail_msg("%s", err.msg);
    assert_true(s.order_ok);
    assert_int_equal(s.last, CF_PROFILE_TIMED);
    assert_int_equal(s.timed_max_run, 2);
    assert_true(s.calls > 3 * g->n_nodes);
    assert_int_equal(p.n_layers, g->n_nodes);
    assert_true(p.whole_median_us > 0);
    for (int32_t k = 0; k < p.n_layers; k++)
        assert_int_equal(p.layers[k].kind, CF_COST_MEASURED);
    cf_profile_free(&p);
    seen c = {0, -1, 1, CF_PROFILE_PREPARE, 1};
    assert_int_equal(cf_profile_run(g, &o, watch, NULL, &c, &p, &err), CF_ECANCELED);
    assert_null(p.layers);
    cf_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry),
        cmocka_unit_test(cpu_and_reference_agree),
        cmocka_unit_test(arena_repeat_and_cancel),
        cmocka_unit_test(wrong_inputs_are_refused),
        cmocka_unit_test(profile_progress_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
