/* Unit tests of the IR (porting/graph.c): building, linking, topological
 * order, cycles, attribute and shape helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graph.h"

/* Adds node op(in...) -> out, creating tensors by name as needed. */
static int32_t add(cf_graph *g, const char *op, const char *name, const char *in0,
                   const char *in1, const char *out)
{
    cf_error err = CF_ERROR_INIT;
    const char *ins[2] = {in0, in1};
    int32_t ids[2];
    int n_in = 0;
    for (int i = 0; i < 2; i++) {
        if (!ins[i])
            continue;
        int32_t id = cf_graph_find_tensor(g, ins[i]);
        if (id < 0)
            id = cf_graph_add_tensor(g, ins[i], &err);
        ids[n_in++] = id;
    }
    int32_t o = cf_graph_find_tensor(g, out);
    if (o < 0)
        o = cf_graph_add_tensor(g, out, &err);
    int32_t k = cf_graph_add_node(g, op, NULL, name, &err);
    assert_true(k >= 0);
    assert_int_equal(cf_graph_set_io(g, &g->nodes[k], ids, n_in, &o, 1, &err), 0);
    return k;
}

static void build_and_read(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    int32_t x = cf_graph_add_tensor(g, "x", &err);
    int64_t dims[4] = {1, 3, 224, 224};
    assert_int_equal(cf_tensor_set_shape(g, &g->tensors[x], 4, dims, &err), 0);
    g->tensors[x].shape.dims[0].value = -1;
    g->tensors[x].shape.dims[0].param = "batch";
    char buf[64];
    assert_string_equal(cf_shape_format(&g->tensors[x].shape, buf, sizeof buf),
                        "batchx3x224x224");
    int64_t count;
    assert_false(cf_shape_numel(&g->tensors[x].shape, &count));
    g->tensors[x].shape.dims[0].value = 2;
    assert_true(cf_shape_numel(&g->tensors[x].shape, &count));
    assert_int_equal(count, 2 * 3 * 224 * 224);

    int32_t k = add(g, "Conv", "", "x", "w", "y");
    cf_node *n = &g->nodes[k];
    assert_string_equal(n->name, "Conv_0");  /* unnamed nodes get op_index */
    assert_int_equal(n->named, 0);
    assert_string_equal(n->domain, "");
    int64_t strides[2] = {2, 2};
    assert_int_equal(cf_node_add_attr_ints(g, n, "strides", strides, 2, &err), 0);
    assert_int_equal(cf_node_add_attr_int(g, n, "group", 4, &err), 0);
    assert_int_equal(cf_node_add_attr_float(g, n, "alpha", 0.5f, &err), 0);
    assert_int_equal(cf_node_add_attr_string(g, n, "auto_pad", "SAME_UPPER", &err), 0);
    size_t ns;
    const int64_t *s = cf_node_attr_ints(n, "strides", &ns);
    assert_int_equal(ns, 2);
    assert_int_equal(s[1], 2);
    assert_int_equal(cf_node_attr_int(n, "group", 1), 4);
    assert_int_equal(cf_node_attr_int(n, "missing", 7), 7);
    assert_true(cf_node_attr_float(n, "alpha", 0) == 0.5f);
    assert_string_equal(cf_node_attr_string(n, "auto_pad", "NOTSET"), "SAME_UPPER");
    /* Wrong kind reads as absent. */
    assert_int_equal(cf_node_attr_int(n, "auto_pad", -1), -1);
    assert_null(cf_node_attr_ints(n, "group", &ns));
    assert_string_equal(cf_node_input(g, n, 1)->name, "w");
    assert_null(cf_node_input(g, n, 2));
    assert_string_equal(cf_node_output(g, n, 0)->name, "y");

    /* Tensor table growth keeps contents (ids, not pointers). */
    for (int i = 0; i < 100; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "t%d", i);
        assert_true(cf_graph_add_tensor(g, nm, &err) >= 0);
    }
    assert_string_equal(g->tensors[x].name, "x");
    assert_int_equal(cf_graph_find_tensor(g, "t99"), g->n_tensors - 1);
    assert_int_equal(cf_graph_find_tensor(g, "nope"), -1);
    cf_graph_free(g);
}

static void toposort_reorders(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    /* Written out of order: c needs b needs a. */
    add(g, "Relu", "c", "t2", NULL, "t3");
    add(g, "Relu", "b", "t1", NULL, "t2");
    add(g, "Relu", "a", "x", NULL, "t1");
    assert_int_equal(cf_graph_toposort(g, &err), 0);
    assert_string_equal(g->nodes[0].name, "a");
    assert_string_equal(g->nodes[1].name, "b");
    assert_string_equal(g->nodes[2].name, "c");
    assert_int_equal(g->tensors[cf_graph_find_tensor(g, "t3")].producer, 2);
    assert_int_equal(g->tensors[cf_graph_find_tensor(g, "x")].producer, -1);
    cf_graph_free(g);
}

static void toposort_keeps_valid_order(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    /* Two independent branches in a valid order that is not the "lowest
     * first" one of a fresh sort: must stay as written. */
    add(g, "Relu", "p", "x", NULL, "a");
    add(g, "Relu", "q", "x", NULL, "b");
    add(g, "Add", "r", "a", "b", "c");
    assert_int_equal(cf_graph_toposort(g, &err), 0);
    assert_string_equal(g->nodes[0].name, "p");
    assert_string_equal(g->nodes[1].name, "q");
    assert_string_equal(g->nodes[2].name, "r");
    cf_graph_free(g);
}

static void cycle_is_an_error(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    add(g, "Relu", "head", "x", NULL, "h");
    add(g, "Add", "loop_a", "h", "b_out", "a_out");
    add(g, "Relu", "loop_b", "a_out", NULL, "b_out");
    assert_int_equal(cf_graph_toposort(g, &err), CF_ECHECK);
    assert_non_null(strstr(err.msg, "cycle"));
    assert_non_null(strstr(err.msg, "loop_"));
    cf_graph_free(g);
}

static void two_writers_is_an_error(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    add(g, "Relu", "one", "x", NULL, "y");
    add(g, "Relu", "two", "x", NULL, "y");
    assert_int_equal(cf_graph_link(g, &err), CF_ECHECK);
    assert_non_null(strstr(err.msg, "'y'"));
    assert_non_null(strstr(err.msg, "one"));
    assert_non_null(strstr(err.msg, "two"));
    cf_graph_free(g);
}

static void dtypes_and_opsets(void **state)
{
    (void)state;
    assert_int_equal(cf_dtype_size(CF_DT_FLOAT16), 2);
    assert_int_equal(cf_dtype_size(CF_DT_BFLOAT16), 2);
    assert_int_equal(cf_dtype_size(CF_DT_COMPLEX128), 16);
    assert_int_equal(cf_dtype_size(CF_DT_STRING), 0);
    assert_string_equal(cf_dtype_name(CF_DT_INT8), "int8");
    assert_false(cf_dtype_valid(0));
    assert_false(cf_dtype_valid(17));
    assert_true(cf_dtype_valid(CF_DT_BFLOAT16));

    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    cf_opset ops[2] = {{"", 13}, {"com.microsoft", 1}};
    g->opsets = ops;
    g->n_opsets = 2;
    assert_int_equal(cf_graph_opset(g, ""), 13);
    assert_int_equal(cf_graph_opset(g, "ai.onnx"), 13);
    assert_int_equal(cf_graph_opset(g, "com.microsoft"), 1);
    assert_int_equal(cf_graph_opset(g, "ai.onnx.ml"), 0);
    cf_graph *sub = cf_graph_new_sub(g, &err);
    assert_int_equal(cf_graph_opset(sub, ""), 13);  /* subgraphs ask the root */
    g->opsets = NULL;
    g->n_opsets = 0;
    cf_graph_free(sub); /* no-op: owned by the root */
    cf_graph_free(g);
}

static void param_count_includes_subgraphs(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    int32_t w = cf_graph_add_tensor(g, "w", &err);
    int64_t d[2] = {3, 4};
    cf_tensor_set_shape(g, &g->tensors[w], 2, d, &err);
    g->tensors[w].flags |= CF_TENSOR_INITIALIZER;
    int32_t k = add(g, "If", "branch", "cond", NULL, "out");
    cf_graph *body = cf_graph_new_sub(g, &err);
    int32_t bw = cf_graph_add_tensor(body, "bw", &err);
    int64_t bd[1] = {5};
    cf_tensor_set_shape(body, &body->tensors[bw], 1, bd, &err);
    body->tensors[bw].flags |= CF_TENSOR_INITIALIZER;
    cf_attr *a = cf_node_add_attr(g, &g->nodes[k], "then_branch", CF_ATTR_GRAPH, &err);
    a->g = body;
    assert_int_equal(cf_graph_param_count(g), 12 + 5);
    cf_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_and_read),
        cmocka_unit_test(toposort_reorders),
        cmocka_unit_test(toposort_keeps_valid_order),
        cmocka_unit_test(cycle_is_an_error),
        cmocka_unit_test(two_writers_is_an_error),
        cmocka_unit_test(dtypes_and_opsets),
        cmocka_unit_test(param_count_includes_subgraphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
