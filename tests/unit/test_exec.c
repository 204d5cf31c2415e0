/* Unit tests of the CPU executor (backends/cpu/exec.c) and the control-flow
 * kernels (backends/cpu/kernels/control.c), on small graphs built in C. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "cpu/exec.h"
#include "graph.h"
#include "value.h"

static cf_opset opset17 = {"", 17};

static cf_graph *new_root(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    g->opsets = &opset17;
    g->n_opsets = 1;
    return g;
}

/* A tensor by name (created when absent), typed dt with the given shape
 * (rank -1: unknown). */
static int32_t tensor(cf_graph *g, const char *name, cf_dtype dt, int rank, const int64_t *dims)
{
    cf_error err = CF_ERROR_INIT;
    int32_t id = cf_graph_find_tensor(g, name);
    if (id < 0)
        id = cf_graph_add_tensor(g, name, &err);
    assert_true(id >= 0);
    g->tensors[id].dtype = dt;
    assert_int_equal(cf_tensor_set_shape(g, &g->tensors[id], rank, dims, &err), 0);
    return id;
}

static cf_node *node(cf_graph *g, const char *op, const char *name, const int32_t *in, int n_in,
                     const int32_t *out, int n_out)
{
    cf_error err = CF_ERROR_INIT;
    int32_t k = cf_graph_add_node(g, op, NULL, name, &err);
    assert_true(k >= 0);
    assert_int_equal(cf_graph_set_io(g, &g->nodes[k], in, n_in, out, n_out, &err), 0);
    return &g->nodes[k];
}

static void set_io(cf_graph *g, const int32_t *in, int n_in, const int32_t *out, int n_out)
{
    g->inputs = malloc(sizeof(int32_t) * (size_t)(n_in + 1));
    g->outputs = malloc(sizeof(int32_t) * (size_t)(n_out + 1));
    if (n_in)
        memcpy(g->inputs, in, sizeof(int32_t) * (size_t)n_in);
    if (n_out)
        memcpy(g->outputs, out, sizeof(int32_t) * (size_t)n_out);
    g->n_inputs = n_in;
    g->n_outputs = n_out;
    for (int i = 0; i < n_in; i++)
        g->tensors[in[i]].flags |= CF_TENSOR_INPUT;
    for (int i = 0; i < n_out; i++)
        g->tensors[out[i]].flags |= CF_TENSOR_OUTPUT;
}

/* The test graphs' io arrays are malloc'd (not in the arena). */
static void free_io(cf_graph *g)
{
    free(g->inputs);
    free(g->outputs);
    g->inputs = g->outputs = NULL;
}

static void link(cf_graph *g)
{
    cf_error err = CF_ERROR_INIT;
    if (cf_graph_link(g, &err))
        fail_msg("%s", err.msg);
}

static void int64_value(cf_value *v, int rank, const int64_t *dims, const int64_t *data)
{
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_value_alloc(v, CF_DT_INT64, rank, dims, "test", &err), 0);
    if (v->nbytes)
        memcpy(v->data, data, v->nbytes);
}

/* ConstantOfShape(shape) -> y; Shape(y) -> s. y lives in the arena after
 * the first run; a later run asks for a shape whose byte count wraps
 * around 2^64 to a size that fits y's slot. */
static void huge_output_is_not_placed_in_the_arena(void **state)
{
    (void)state;
    cf_graph *g = new_root();
    int64_t one = 1;
    int32_t shp = tensor(g, "shape", CF_DT_INT64, 1, &one);
    int32_t y = tensor(g, "y", CF_DT_FLOAT, -1, NULL);
    int32_t s = tensor(g, "s", CF_DT_INT64, 1, &one);
    node(g, "ConstantOfShape", "cos", &shp, 1, &y, 1);
    node(g, "Shape", "shape_of", &y, 1, &s, 1);
    set_io(g, &shp, 1, &s, 1);
    link(g);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_value in = CF_VALUE_INIT, out = CF_VALUE_INIT;
    int64_t sixteen = 16;
    int64_value(&in, 1, &one, &sixteen);
    assert_int_equal(cf_exec_run(e, &in, 1, &out, 1, NULL, NULL, NULL, &err), 0);
    assert_true(cf_exec_arena_bytes(e) >= 64);
    cf_value_clear(&out);
    /* (2^62 + 4) float32 elements: 2^64 + 16 bytes, 16 modulo 2^64. */
    int64_t huge = ((int64_t)1 << 62) + 4;
    memcpy(in.data, &huge, sizeof huge);
    int rc = cf_exec_run(e, &in, 1, &out, 1, NULL, NULL, NULL, &err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err.msg, "too large"));
    cf_value_clear(&in);
    cf_exec_free(e);
    free_io(g);
    cf_graph_free(g);
}

/* A run that fails must not free output slots it never wrote: the caller
 * hands in an array to be filled, not values to be released. */
static void failed_run_leaves_unwritten_outputs_alone(void **state)
{
    (void)state;
    cf_graph *g = new_root();
    int64_t one = 1;
    int32_t shp = tensor(g, "shape", CF_DT_INT64, 1, &one);
    int32_t y = tensor(g, "y", CF_DT_FLOAT, -1, NULL);
    node(g, "ConstantOfShape", "cos", &shp, 1, &y, 1);
    set_io(g, &shp, 1, &y, 1);
    link(g);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_value in = CF_VALUE_INIT, out;
    int64_t neg = -3;
    int64_value(&in, 1, &one, &neg);
    memset(&out, 0xa5, sizeof out);   /* not initialised by the caller */
    out.borrowed = 0;
    out.data = (void *)(uintptr_t)0xa5a5a5a5a5a5a5a0u;
    assert_int_not_equal(cf_exec_run(e, &in, 1, &out, 1, NULL, NULL, NULL, &err), 0);
    /* The executor is usable again after the failure. */
    cf_error err2 = CF_ERROR_INIT;
    int64_t two = 2;
    memcpy(in.data, &two, sizeof two);
    cf_value ok = CF_VALUE_INIT;
    if (cf_exec_run(e, &in, 1, &ok, 1, NULL, NULL, NULL, &err2))
        fail_msg("%s", err2.msg);
    assert_int_equal(ok.rank, 1);
    assert_int_equal(ok.dims[0], 2);
    cf_value_clear(&ok);
    cf_value_clear(&in);
    cf_exec_free(e);
    free_io(g);
    cf_graph_free(g);
}

/* cf_kcall_output twice for the same output: the first storage is given
 * back, so it must not count as live any more. */
static void output_requested_twice_counts_once(void **state)
{
    (void)state;
    cf_graph *g = new_root();
    int32_t x = tensor(g, "x", CF_DT_FLOAT, -1, NULL);
    int32_t y = tensor(g, "y", CF_DT_FLOAT, -1, NULL);
    node(g, "Relu", "relu", &x, 1, &y, 1);
    set_io(g, &x, 1, &y, 1);
    link(g);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_value out = CF_VALUE_INIT;
    cf_kernel_call c = {g, &g->nodes[0], 0, NULL, 0, &out, 1, NULL, e, 1, NULL, g->nodes[0].outputs};
    int64_t dims[1] = {100};
    assert_non_null(cf_kcall_output(&c, 0, CF_DT_FLOAT, 1, dims, &err));
    assert_non_null(cf_kcall_output(&c, 0, CF_DT_FLOAT, 1, dims, &err));
    assert_int_equal(cf_exec_peak_bytes(e), 400);
    cf_value_clear(&out);
    cf_exec_free(e);
    free_io(g);
    cf_graph_free(g);
}

/* Loop(M, cond) with a body that emits its iteration number as a scan
 * output: with M = 0 the output is an empty int64 tensor, not float. */
static cf_graph *loop_model(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = new_root();
    int32_t m = tensor(g, "M", CF_DT_INT64, -1, NULL);
    int32_t cond = tensor(g, "cond", CF_DT_BOOL, 0, NULL);
    int32_t it = tensor(g, "iters", CF_DT_INT64, -1, NULL);
    int32_t lin[2] = {m, cond};
    cf_node *n = node(g, "Loop", "loop", lin, 2, &it, 1);
    cf_graph *body = cf_graph_new_sub(g, &err);
    assert_non_null(body);
    int32_t bi = tensor(body, "i", CF_DT_INT64, 0, NULL);
    int32_t bc = tensor(body, "c", CF_DT_BOOL, 0, NULL);
    int32_t bco = tensor(body, "c_out", CF_DT_BOOL, 0, NULL);
    int32_t bio = tensor(body, "i_out", CF_DT_INT64, 0, NULL);
    node(body, "Identity", "pass_c", &bc, 1, &bco, 1);
    node(body, "Identity", "pass_i", &bi, 1, &bio, 1);
    int32_t bin[2] = {bi, bc}, bout[2] = {bco, bio};
    set_io(body, bin, 2, bout, 2);
    link(body);
    cf_attr *a = cf_node_add_attr(g, n, "body", CF_ATTR_GRAPH, &err);
    assert_non_null(a);
    a->g = body;
    int32_t gin[2] = {m, cond};
    set_io(g, gin, 2, &it, 1);
    link(g);
    return g;
}

static int run_loop_rank(cf_graph *g, int64_t trips, int rank, cf_value *out, cf_error *err)
{
    cf_exec *e = NULL;
    if (cf_exec_new(g, NULL, 1, 1, &e, err))
        fail_msg("%s", err->msg);
    cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
    int64_t zero = 0;
    int64_value(&in[0], rank, &zero, &trips);
    assert_int_equal(cf_value_alloc(&in[1], CF_DT_BOOL, 0, NULL, "cond", err), 0);
    *(uint8_t *)in[1].data = 1;
    int rc = cf_exec_run(e, in, 2, out, 1, NULL, NULL, NULL, err);
    cf_value_clear(&in[0]);
    cf_value_clear(&in[1]);
    cf_exec_free(e);
    return rc;
}

static void run_loop(cf_graph *g, int64_t trips, cf_value *out)
{
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
    int64_value(&in[0], 0, NULL, &trips);
    assert_int_equal(cf_value_alloc(&in[1], CF_DT_BOOL, 0, NULL, "cond", &err), 0);
    *(uint8_t *)in[1].data = 1;
    if (cf_exec_run(e, in, 2, out, 1, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    cf_value_clear(&in[0]);
    cf_value_clear(&in[1]);
    cf_exec_free(e);
}

static void loop_without_iterations_keeps_the_scan_type(void **state)
{
    (void)state;
    cf_graph *g = loop_model();
    cf_value out = CF_VALUE_INIT;
    run_loop(g, 3, &out);
    assert_int_equal(out.dtype, CF_DT_INT64);
    assert_int_equal(out.rank, 1);
    assert_int_equal(out.dims[0], 3);
    assert_int_equal(((int64_t *)out.data)[2], 2);
    cf_value_clear(&out);
    run_loop(g, 0, &out);
    assert_int_equal(out.dtype, CF_DT_INT64);
    assert_int_equal(out.rank, 1);
    assert_int_equal(out.dims[0], 0);
    cf_value_clear(&out);
    /* An empty trip count is an error, not a read of element 0. */
    cf_error err = CF_ERROR_INIT;
    assert_int_not_equal(run_loop_rank(g, 0, 1, &out, &err), 0);
    assert_non_null(strstr(err.msg, "trip count"));
    free_io(g->nodes[0].attrs[0].g);
    free_io(g);
    cf_graph_free(g);
}

/* Scan with one state s and scan inputs x (and optionally a second one):
 * s' = s, y = Identity(x). */
static cf_graph *scan_model(int n_scan_in, const int64_t *in_dirs, size_t n_in_dirs,
                            const int64_t *out_dirs, size_t n_out_dirs, int x_rank)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = new_root();
    int64_t three = 3;
    int32_t s = tensor(g, "s", CF_DT_FLOAT, 0, NULL);
    int32_t x = tensor(g, "x", CF_DT_FLOAT, x_rank, &three);
    int32_t x2 = tensor(g, "x2", CF_DT_FLOAT, 1, &three);
    int32_t so = tensor(g, "s_final", CF_DT_FLOAT, -1, NULL);
    int32_t yo = tensor(g, "ys", CF_DT_FLOAT, -1, NULL);
    int32_t nin[3] = {s, x, x2}, nout[2] = {so, yo};
    cf_node *n = node(g, "Scan", "scan", nin, 1 + n_scan_in, nout, 2);
    assert_int_equal(cf_node_add_attr_int(g, n, "num_scan_inputs", n_scan_in, &err), 0);
    if (in_dirs)
        assert_int_equal(cf_node_add_attr_ints(g, n, "scan_input_directions", in_dirs, n_in_dirs,
                                               &err), 0);
    if (out_dirs)
        assert_int_equal(cf_node_add_attr_ints(g, n, "scan_output_directions", out_dirs,
                                               n_out_dirs, &err), 0);
    cf_graph *body = cf_graph_new_sub(g, &err);
    assert_non_null(body);
    int32_t bs = tensor(body, "bs", CF_DT_FLOAT, 0, NULL);
    int32_t bx = tensor(body, "bx", CF_DT_FLOAT, 0, NULL);
    int32_t bx2 = tensor(body, "bx2", CF_DT_FLOAT, 0, NULL);
    int32_t bso = tensor(body, "bs_out", CF_DT_FLOAT, 0, NULL);
    int32_t byo = tensor(body, "by_out", CF_DT_FLOAT, 0, NULL);
    node(body, "Identity", "pass_s", &bs, 1, &bso, 1);
    node(body, "Identity", "pass_x", &bx, 1, &byo, 1);
    int32_t bin[3] = {bs, bx, bx2}, bout[2] = {bso, byo};
    set_io(body, bin, 1 + n_scan_in, bout, 2);
    link(body);
    cf_attr *a = cf_node_add_attr(g, n, "body", CF_ATTR_GRAPH, &err);
    assert_non_null(a);
    a->g = body;
    set_io(g, nin, 1 + n_scan_in, nout, 2);
    link(g);
    return g;
}

static void free_scan_model(cf_graph *g)
{
    free_io(g->nodes[0].attrs[g->nodes[0].n_attrs - 1].g);
    free_io(g);
    cf_graph_free(g);
}

static void scan_reverse_directions(void **state)
{
    (void)state;
    static const struct {
        int64_t in_dir, out_dir;
        float want[3];
    } cases[] = {
        {0, 0, {1, 2, 3}}, {1, 0, {3, 2, 1}}, {0, 1, {3, 2, 1}}, {1, 1, {1, 2, 3}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cf_graph *g = scan_model(1, &cases[k].in_dir, 1, &cases[k].out_dir, 1, 1);
        cf_exec *e = NULL;
        cf_error err = CF_ERROR_INIT;
        if (cf_exec_new(g, NULL, 1, 1, &e, &err))
            fail_msg("%s", err.msg);
        cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT}, out[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
        int64_t three = 3;
        assert_int_equal(cf_value_alloc(&in[0], CF_DT_FLOAT, 0, NULL, "s", &err), 0);
        assert_int_equal(cf_value_alloc(&in[1], CF_DT_FLOAT, 1, &three, "x", &err), 0);
        for (int i = 0; i < 3; i++)
            ((float *)in[1].data)[i] = (float)(i + 1);
        if (cf_exec_run(e, in, 2, out, 2, NULL, NULL, NULL, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(out[1].rank, 1);
        assert_int_equal(out[1].dims[0], 3);
        for (int i = 0; i < 3; i++)
            assert_true(((float *)out[1].data)[i] == cases[k].want[i]);
        for (int i = 0; i < 2; i++) {
            cf_value_clear(&in[i]);
            cf_value_clear(&out[i]);
        }
        cf_exec_free(e);
        free_scan_model(g);
    }
}

/* scan_input_directions with fewer entries than scan inputs: refused when
 * the graph is prepared (it was read past its end at run time). */
static void scan_direction_lists_must_match(void **state)
{
    (void)state;
    int64_t dirs[1] = {1};
    cf_graph *g = scan_model(2, dirs, 1, NULL, 0, 1);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    assert_int_not_equal(cf_exec_new(g, NULL, 1, 1, &e, &err), 0);
    assert_non_null(strstr(err.msg, "scan_input_directions"));
    free_scan_model(g);
    g = scan_model(1, NULL, 0, dirs, 0, 1);   /* an empty list is absent: accepted */
    cf_error err2 = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err2))
        fail_msg("%s", err2.msg);
    cf_exec_free(e);
    free_scan_model(g);
    int64_t two[2] = {0, 1};
    g = scan_model(1, NULL, 0, two, 2, 1);
    cf_error err3 = CF_ERROR_INIT;
    assert_int_not_equal(cf_exec_new(g, NULL, 1, 1, &e, &err3), 0);
    assert_non_null(strstr(err3.msg, "scan_output_directions"));
    free_scan_model(g);
}

/* A scalar cannot be scanned: an error, not zero iterations. */
static void scan_of_a_scalar_is_an_error(void **state)
{
    (void)state;
    cf_graph *g = scan_model(1, NULL, 0, NULL, 0, 0);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT}, out[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
    assert_int_equal(cf_value_alloc(&in[0], CF_DT_FLOAT, 0, NULL, "s", &err), 0);
    assert_int_equal(cf_value_alloc(&in[1], CF_DT_FLOAT, 0, NULL, "x", &err), 0);
    assert_int_not_equal(cf_exec_run(e, in, 2, out, 2, NULL, NULL, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "scalar"));
    cf_value_clear(&in[0]);
    cf_value_clear(&in[1]);
    cf_exec_free(e);
    free_scan_model(g);
}

static int cancel_at_once(void *user, int32_t done, int32_t total)
{
    (void)user;
    (void)done;
    (void)total;
    return 1;
}

/* If whose branches pass on x, read from the enclosing graph. */
static cf_graph *if_outer_model(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = new_root();
    int64_t three = 3;
    int32_t cond = tensor(g, "cond", CF_DT_BOOL, 0, NULL);
    int32_t x = tensor(g, "x", CF_DT_FLOAT, 1, &three);
    int32_t y = tensor(g, "y", CF_DT_FLOAT, 1, &three);
    cf_node *n = node(g, "If", "branch", &cond, 1, &y, 1);
    const char *names[2] = {"then_branch", "else_branch"};
    for (int b = 0; b < 2; b++) {
        cf_graph *body = cf_graph_new_sub(g, &err);
        assert_non_null(body);
        int32_t bx = tensor(body, "x", CF_DT_FLOAT, 1, &three);
        body->tensors[bx].flags |= CF_TENSOR_OUTER;
        int32_t by = tensor(body, "by", CF_DT_FLOAT, 1, &three);
        node(body, "Identity", "pass", &bx, 1, &by, 1);
        set_io(body, NULL, 0, &by, 1);
        link(body);
        cf_attr *a = cf_node_add_attr(g, n, names[b], CF_ATTR_GRAPH, &err);
        assert_non_null(a);
        a->g = body;
    }
    int32_t gin[2] = {cond, x};
    set_io(g, gin, 2, &y, 1);
    link(g);
    return g;
}

/* The NaN check blames the layer that makes a NaN, not one whose
 * subgraph reads a NaN from outside. */
static void nan_from_outside_a_subgraph_is_not_its_fault(void **state)
{
    (void)state;
    cf_graph *g = if_outer_model();
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_exec_set_check_nan(e, 1);
    int64_t three = 3;
    cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT}, out = CF_VALUE_INIT;
    assert_int_equal(cf_value_alloc(&in[0], CF_DT_BOOL, 0, NULL, "cond", &err), 0);
    *(uint8_t *)in[0].data = 1;
    assert_int_equal(cf_value_alloc(&in[1], CF_DT_FLOAT, 1, &three, "x", &err), 0);
    float *x = in[1].data;
    x[0] = 1;
    x[1] = NAN;   /* the NaN comes with the input */
    x[2] = 2;
    if (cf_exec_run(e, in, 2, &out, 1, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    assert_true(isnan(((float *)out.data)[1]));
    cf_value_clear(&out);
    cf_exec_free(e);
    cf_value_clear(&in[0]);
    cf_value_clear(&in[1]);
    for (int b = 0; b < 2; b++)
        free_io(g->nodes[0].attrs[b].g);
    free_io(g);
    cf_graph_free(g);
}

/* A first run that fails (here: cancelled) leaves the check on for the
 * next one, which is the first to complete. */
static void nan_check_survives_a_failed_first_run(void **state)
{
    (void)state;
    cf_graph *g = new_root();
    int64_t two = 2;
    int32_t x = tensor(g, "x", CF_DT_FLOAT, 1, &two);
    int32_t y = tensor(g, "y", CF_DT_FLOAT, 1, &two);
    node(g, "Sqrt", "root", &x, 1, &y, 1);
    set_io(g, &x, 1, &y, 1);
    link(g);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_exec_set_check_nan(e, 1);
    cf_value in = CF_VALUE_INIT, out = CF_VALUE_INIT;
    assert_int_equal(cf_value_alloc(&in, CF_DT_FLOAT, 1, &two, "x", &err), 0);
    ((float *)in.data)[0] = 4;
    ((float *)in.data)[1] = -1;
    assert_int_equal(cf_exec_run(e, &in, 1, &out, 1, NULL, cancel_at_once, NULL, &err),
                     CF_ECANCELED);
    cf_error_clear(&err);
    assert_int_equal(cf_exec_run(e, &in, 1, &out, 1, NULL, NULL, NULL, &err), CF_ECHECK);
    assert_non_null(strstr(err.msg, "root"));
    assert_non_null(strstr(err.msg, "NaN"));
    /* After a complete run (even a failed one) the timed runs skip it. */
    cf_error_clear(&err);
    if (cf_exec_run(e, &in, 1, &out, 1, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    cf_value_clear(&out);
    cf_value_clear(&in);
    cf_exec_free(e);
    free_io(g);
    cf_graph_free(g);
}

/* A tensor listed twice among the graph outputs comes out twice. */
static void output_listed_twice(void **state)
{
    (void)state;
    cf_graph *g = new_root();
    int64_t two = 2;
    int32_t x = tensor(g, "x", CF_DT_FLOAT, 1, &two);
    int32_t y = tensor(g, "y", CF_DT_FLOAT, 1, &two);
    node(g, "Neg", "neg", &x, 1, &y, 1);
    int32_t outs[2] = {y, y};
    set_io(g, &x, 1, outs, 2);
    link(g);
    cf_exec *e = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_exec_new(g, NULL, 1, 1, &e, &err))
        fail_msg("%s", err.msg);
    cf_value in = CF_VALUE_INIT, out[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
    assert_int_equal(cf_value_alloc(&in, CF_DT_FLOAT, 1, &two, "x", &err), 0);
    ((float *)in.data)[0] = 1;
    ((float *)in.data)[1] = -2;
    if (cf_exec_run(e, &in, 1, out, 2, NULL, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 2; i++) {
        assert_true(((float *)out[i].data)[0] == -1.0f);
        assert_true(((float *)out[i].data)[1] == 2.0f);
        cf_value_clear(&out[i]);
    }
    assert_true(out[0].data == NULL);
    cf_value_clear(&in);
    cf_exec_free(e);
    free_io(g);
    cf_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(huge_output_is_not_placed_in_the_arena),
        cmocka_unit_test(failed_run_leaves_unwritten_outputs_alone),
        cmocka_unit_test(output_requested_twice_counts_once),
        cmocka_unit_test(loop_without_iterations_keeps_the_scan_type),
        cmocka_unit_test(scan_reverse_directions),
        cmocka_unit_test(scan_direction_lists_must_match),
        cmocka_unit_test(scan_of_a_scalar_is_an_error),
        cmocka_unit_test(nan_from_outside_a_subgraph_is_not_its_fault),
        cmocka_unit_test(nan_check_survives_a_failed_first_run),
        cmocka_unit_test(output_listed_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
