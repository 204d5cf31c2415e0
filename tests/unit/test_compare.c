/* Comparing two experiments (store/compare.h): layers matched by name, then
 * by index and op; added and removed layers in place; time, percentage and
 * static count deltas only where both sides have the figure; metrics matched
 * by name, dataset and unit, newest on each side; and loading an experiment
 * through the store. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"

static cf_store_layer layer(int32_t index, const char *name, const char *op, double median,
                            int64_t params, int64_t macs)
{
    cf_store_layer l = {0};
    l.layer = index;
    snprintf(l.name, sizeof l.name, "%s", name);
    snprintf(l.op, sizeof l.op, "%s", op);
    snprintf(l.kind, sizeof l.kind, "measured");
    snprintf(l.unit, sizeof l.unit, "us");
    l.has_time = median >= 0;
    l.median = l.p10 = l.p90 = median >= 0 ? median : 0;
    l.params = params;
    l.macs = macs;
    l.flops = l.bytes_in = l.bytes_out = -1;
    return l;
}

static cf_store_metric metric(int64_t run, const char *name, double value, const char *unit,
                              const char *kind, const char *dataset)
{
    cf_store_metric m = {0};
    m.run = run;
    snprintf(m.name, sizeof m.name, "%s", name);
    m.value = value;
    snprintf(m.unit, sizeof m.unit, "%s", unit);
    snprintf(m.kind, sizeof m.kind, "%s", kind);
    snprintf(m.dataset, sizeof m.dataset, "%s", dataset);
    return m;
}

static void same_layers_deltas(void **state)
{
    (void)state;
    cf_store_layer a[] = {layer(0, "conv1", "Conv", 10.0, 100, 1000),
                          layer(1, "relu1", "Relu", 2.0, 0, -1)};
    cf_store_layer b[] = {layer(0, "conv1", "Conv", 5.0, 50, 400),
                          layer(1, "relu1", "Relu", 3.0, 0, 7)};
    cf_compare c;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_compare_build(a, 2, b, 2, NULL, 0, NULL, 0, &c, &err), 0);
    assert_int_equal(c.n_layers, 2);
    assert_int_equal(c.n_both, 2);
    assert_int_equal(c.n_added + c.n_removed, 0);
    const cf_compare_layer *r = &c.layers[0];
    assert_string_equal(r->name, "conv1");
    assert_int_equal(r->status, CF_COMPARE_BOTH);
    assert_true(r->has_delta && r->has_pct);
    assert_float_equal(r->a.median, 10.0, 1e-12);
    assert_float_equal(r->b.median, 5.0, 1e-12);
    assert_float_equal(r->delta, -5.0, 1e-12);
    assert_float_equal(r->pct, -50.0, 1e-12);
    assert_true(r->has_d_params && r->has_d_macs);
    assert_int_equal(r->d_params, -50);
    assert_int_equal(r->d_macs, -600);
    assert_string_equal(r->unit, "us");
    /* relu1: MACs unknown on A, so no MAC delta */
    r = &c.layers[1];
    assert_float_equal(r->pct, 50.0, 1e-12);
    assert_true(r->has_d_params);
    assert_int_equal(r->d_params, 0);
    assert_false(r->has_d_macs);
    assert_int_equal(c.n_metrics, 0);
    cf_compare_clear(&c);
    cf_compare_clear(&c);   /* twice: a no-op */
    cf_compare_clear(NULL);
}

static void added_removed_in_place(void **state)
{
    (void)state;
    /* B drops bn1, adds pool1 after relu1, and appends fc2 */
    cf_store_layer a[] = {layer(0, "conv1", "Conv", 10, 1, 1),
                          layer(1, "bn1", "BatchNormalization", 1, 1, 1),
                          layer(2, "relu1", "Relu", 1, 0, 0), layer(3, "fc", "Gemm", 4, 1, 1)};
    cf_store_layer b[] = {layer(0, "conv1", "Conv", 9, 1, 1), layer(1, "relu1", "Relu", 1, 0, 0),
                          layer(2, "pool1", "MaxPool", 1, 0, 0), layer(3, "fc", "Gemm", 4, 1, 1),
                          layer(4, "fc2", "Gemm", 2, 1, 1)};
    cf_compare c;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_compare_build(a, 4, b, 5, NULL, 0, NULL, 0, &c, &err), 0);
    assert_int_equal(c.n_both, 3);
    assert_int_equal(c.n_removed, 1);
    assert_int_equal(c.n_added, 2);
    assert_int_equal(c.n_layers, 6);
    const char *names[] = {"conv1", "bn1", "relu1", "pool1", "fc", "fc2"};
    const int status[] = {CF_COMPARE_BOTH,  CF_COMPARE_REMOVED, CF_COMPARE_BOTH,
                          CF_COMPARE_ADDED, CF_COMPARE_BOTH,    CF_COMPARE_ADDED};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(c.layers[i].name, names[i]);
        assert_int_equal(c.layers[i].status, status[i]);
    }
    /* one-sided rows: the absent side has index -1 and no deltas */
    assert_int_equal(c.layers[1].b.index, -1);
    assert_int_equal(c.layers[1].a.index, 1);
    assert_false(c.layers[1].has_delta || c.layers[1].has_d_params || c.layers[1].has_d_macs);
    assert_int_equal(c.layers[3].a.index, -1);
    assert_int_equal(c.layers[3].b.index, 2);
    assert_string_equal(cf_compare_status_name(c.layers[3].status), "added");
    assert_string_equal(cf_compare_status_name(c.layers[1].status), "removed");
    assert_string_equal(cf_compare_status_name(c.layers[0].status), "both");
    cf_compare_clear(&c);
}

static void then_by_index(void **state)
{
    (void)state;
    /* a renamed layer (same index, same op) and an unnamed one are matched;
     * the same index with another op is not */
    cf_store_layer a[] = {layer(0, "conv_a", "Conv", 4, 1, 1), layer(1, "", "Relu", 2, 0, 0),
                          layer(2, "x", "Add", 1, 0, 0)};
    cf_store_layer b[] = {layer(0, "conv_b", "Conv", 2, 1, 1), layer(1, "", "Relu", 1, 0, 0),
                          layer(2, "y", "Mul", 1, 0, 0)};
    cf_compare c;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_compare_build(a, 3, b, 3, NULL, 0, NULL, 0, &c, &err), 0);
    assert_int_equal(c.n_both, 2);
    assert_int_equal(c.n_removed, 1);
    assert_int_equal(c.n_added, 1);
    assert_string_equal(c.layers[0].name, "conv_a");
    assert_int_equal(c.layers[0].b.index, 0);
    assert_float_equal(c.layers[0].delta, -2, 1e-12);
    assert_int_equal(c.layers[1].status, CF_COMPARE_BOTH);
    /* a name match wins over an index match: duplicate names pair in order */
    cf_store_layer d[] = {layer(0, "r", "Relu", 1, 0, 0), layer(1, "r", "Relu", 2, 0, 0)};
    cf_store_layer e[] = {layer(0, "q", "Relu", 7, 0, 0), layer(1, "r", "Relu", 3, 0, 0),
                          layer(2, "r", "Relu", 4, 0, 0)};
    cf_compare c2;
    assert_int_equal(cf_compare_build(d, 2, e, 3, NULL, 0, NULL, 0, &c2, &err), 0);
    assert_int_equal(c2.n_both, 2);
    assert_int_equal(c2.n_added, 1);
    assert_string_equal(c2.layers[0].name, "q");
    assert_int_equal(c2.layers[0].status, CF_COMPARE_ADDED);
    assert_int_equal(c2.layers[1].b.index, 1);
    assert_int_equal(c2.layers[2].b.index, 2);
    cf_compare_clear(&c);
    cf_compare_clear(&c2);
}

static void missing_times_and_zero(void **state)
{
    (void)state;
    cf_store_layer a[] = {layer(0, "a", "Relu", -1, -1, -1), layer(1, "b", "Relu", 0, 0, 0)};
    cf_store_layer b[] = {layer(0, "a", "Relu", 3, 5, 5), layer(1, "b", "Relu", 2, 0, 0)};
    cf_compare c;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_compare_build(a, 2, b, 2, NULL, 0, NULL, 0, &c, &err), 0);
    assert_false(c.layers[0].a.has_time);
    assert_true(c.layers[0].b.has_time);
    assert_false(c.layers[0].has_delta || c.layers[0].has_pct);
    assert_false(c.layers[0].has_d_params || c.layers[0].has_d_macs);
    assert_true(c.layers[1].has_delta);   /* 0 -> 2: a delta, no percentage */
    assert_false(c.layers[1].has_pct);
    cf_compare_clear(&c);
    /* empty on both sides */
    assert_int_equal(cf_compare_build(NULL, 0, NULL, 0, NULL, 0, NULL, 0, &c, &err), 0);
    assert_int_equal(c.n_layers + c.n_metrics, 0);
    cf_compare_clear(&c);
    assert_int_equal(cf_compare_build(NULL, -1, NULL, 0, NULL, 0, NULL, 0, &c, &err), CF_EINVAL);
    assert_int_equal(err.code, CF_EINVAL);
}

static void metrics_by_name_dataset_unit(void **state)
{
    (void)state;
    cf_store_metric ma[] = {
        metric(1, "latency", 900, "us", "measured", ""),
        metric(0, "accuracy", 91.0, "%", "static", "fashion-test"),
        metric(2, "latency", 1000, "us", "measured", ""),   /* newest: the one compared */
        metric(0, "size", 4096, "bytes", "static", ""),
        metric(0, "accuracy", 80.0, "%", "measured", "other"),
    };
    cf_store_metric mb[] = {
        metric(3, "latency", 800, "us", "measured", ""),
        metric(4, "latency", 750, "us", "estimated", ""),
        metric(0, "accuracy", 90.0, "%", "measured", "fashion-test"),
        metric(0, "size", 4, "KiB", "static", ""),   /* another unit: not compared */
    };
    cf_compare c;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_compare_build(NULL, 0, NULL, 0, ma, 5, mb, 4, &c, &err), 0);
    assert_int_equal(c.n_metrics, 2);
    const cf_compare_metric *m = &c.metrics[0];
    assert_string_equal(m->name, "latency");
    assert_string_equal(m->unit, "us");
    assert_float_equal(m->a, 1000, 1e-12);
    assert_float_equal(m->b, 750, 1e-12);
    assert_float_equal(m->delta, -250, 1e-12);
    assert_true(m->has_pct);
    assert_float_equal(m->pct, -25, 1e-12);
    assert_string_equal(m->kind_a, "measured");
    assert_string_equal(m->kind_b, "estimated");
    assert_int_equal(m->run_a, 2);
    assert_int_equal(m->run_b, 4);
    m = &c.metrics[1];
    assert_string_equal(m->name, "accuracy");
    assert_string_equal(m->dataset, "fashion-test");
    assert_float_equal(m->delta, -1.0, 1e-12);
    assert_string_equal(m->kind_a, "static");
    assert_string_equal(m->kind_b, "measured");
    cf_compare_clear(&c);
}

/* cf_compare_load reads through the store; a missing experiment names its id. */
static void load_from_store(void **state)
{
    (void)state;
    char dir[] = "/tmp/cf_compare_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[512], model[512];
    snprintf(db, sizeof db, "%s/c.db", dir);
    snprintf(model, sizeof model, "%s/m.onnx", dir);
    FILE *f = fopen(model, "wb");
    assert_non_null(f);
    fputs("bytes to hash", f);
    fclose(f);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    int64_t m = 0, e = 0;
    if (cf_store_open(db, 0, &s, &err) || cf_store_add_model(s, model, &m, &e, &err))
        fail_msg("%s", err.msg);
    cf_compare_side side;
    assert_int_equal(cf_compare_load(s, e, &side, &err), 0);
    assert_non_null(side.exp);
    assert_int_equal(side.exp->id, e);
    assert_int_equal(side.n_runs, 0);
    assert_int_equal(side.n_layers, 0);
    cf_compare_side_clear(&side);
    cf_compare_side_clear(&side);
    cf_compare_side_clear(NULL);
    assert_int_equal(cf_compare_load(s, 99, &side, &err), CF_ENOTFOUND);
    assert_non_null(strstr(err.msg, "99"));
    assert_null(side.exp);
    cf_store_close(s);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_layers_deltas),
        cmocka_unit_test(added_removed_in_place),
        cmocka_unit_test(then_by_index),
        cmocka_unit_test(missing_times_and_zero),
        cmocka_unit_test(metrics_by_name_dataset_unit),
        cmocka_unit_test(load_from_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
