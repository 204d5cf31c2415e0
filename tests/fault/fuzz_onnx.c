/* fuzz_onnx.c — libFuzzer target: an ONNX model from bytes through what
 * `chipfit info` and the TUI's weight view do with it: cf_onnx_load_buffer
 * (parse, checker, shape inference in a child, graph build and checks),
 * cf_cost_compute, the text forms of shapes, and cf_weight_stats_compute
 * and its histogram on every tensor that holds constant data (initializers
 * and Constant-like attribute tensors).
 *
 * Built by tests/fault/fuzz.sh with clang -fsanitize=fuzzer,address,undefined
 * (not part of the CMake build). Any input may be refused with an error;
 * only a crash, a sanitizer report, a hang or a huge allocation is a bug.
 * FUZZ_ONNX_NO_INFER=1 in the environment skips shape inference (its fork
 * per input is most of the cost; libonnx itself is not instrumented). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzers/cost.h"
#include "analyzers/weights.h"
#include "porting/base/error.h"
#include "porting/graph.h"
#include "porting/onnx/onnx.h"

static int no_infer = -1;

static void stats_of(const cf_tensor *t)
{
    if (!t || !t->data)
        return;
    cf_weight_stats s;
    cf_error err = CF_ERROR_INIT;
    if (cf_weight_stats_compute(t, 24, &s, &err) == 0) {
        char buf[256];
        cf_weight_histogram_text(&s, 0, buf, sizeof buf);
        cf_weight_histogram_text(&s, 1, buf, 7);
    }
}

static void walk(const cf_graph *g, int depth)
{
    char buf[128];
    for (int32_t i = 0; i < g->n_tensors; i++) {
        cf_shape_format(&g->tensors[i].shape, buf, sizeof buf);
        stats_of(&g->tensors[i]);
    }
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        (void)cf_node_output(g, n, 0);
        for (int a = 0; a < n->n_attrs; a++) {
            const cf_attr *at = &n->attrs[a];
            if (at->type == CF_ATTR_TENSOR)
                stats_of(at->t);
            if (at->type == CF_ATTR_TENSORS)
                for (size_t j = 0; j < at->n; j++)
                    stats_of(at->tensors[j]);
            if (depth < 4 && at->type == CF_ATTR_GRAPH && at->g)
                walk(at->g, depth + 1);
            if (depth < 4 && at->type == CF_ATTR_GRAPHS)
                for (size_t j = 0; j < at->n; j++)
                    if (at->graphs[j])
                        walk(at->graphs[j], depth + 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (no_infer < 0) {
        const char *e = getenv("FUZZ_ONNX_NO_INFER");
        no_infer = e && e[0] == '1';
    }
    cf_onnx_load_opts opts = {0};
    opts.default_dim = 1; /* as `chipfit info` */
    opts.skip_shape_inference = no_infer;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    if (cf_onnx_load_buffer(data, size, "fuzz.onnx", NULL, &opts, &g, &err))
        return 0;
    cf_model_cost *c = NULL;
    if (cf_cost_compute(g, &c, &err) == 0)
        cf_model_cost_free(c);
    int32_t *ids = malloc(((size_t)g->n_inputs + 1) * sizeof *ids);
    if (ids) {
        (void)cf_graph_feed_inputs(g, ids);
        free(ids);
    }
    (void)cf_graph_param_count(g);
    walk(g, 0);
    cf_graph_free(g);
    return 0;
}
