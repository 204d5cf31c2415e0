/* cost.h — static per-layer costs of a model: what each layer holds and does
 * before anything runs.
 *
 * For every node: parameters and weight bytes (constant inputs), MACs and
 * FLOPs, input/output activation bytes, arithmetic intensity; for the model:
 * totals and peak activation memory from tensor liveness along the schedule.
 * Counting conventions (docs/costs.md): a MAC is one multiply-accumulate of a
 * Conv/ConvTranspose/Gemm/MatMul/RNN-family inner product; FLOPs count every
 * arithmetic operation (a MAC is 2 FLOPs); element-wise ops have MACs 0 and
 * FLOPs per output element by op. An op without a formula of its own is
 * counted as element-wise (one FLOP per output element) and marked so. */
#ifndef CF_COST_H
#define CF_COST_H

#include <stdint.h>

#include "graph.h"

typedef enum cf_cost_basis {
    CF_COST_FORMULA = 0,     /* the op's own formula */
    CF_COST_ELEMENTWISE = 1, /* no formula for this op: counted as element-wise */
    CF_COST_NO_SHAPE = 2,    /* shapes unknown: figures are lower bounds (0 where unknown) */
} cf_cost_basis;

typedef struct cf_layer_static {
    int32_t node;             /* index into g->nodes */
    int64_t params;           /* elements of constant inputs: initializers and
                               * Constant values, also through Identity */
    int64_t weight_bytes;     /* bytes of those */
    int64_t macs;
    int64_t flops;
    int64_t in_bytes;         /* non-constant inputs, bytes */
    int64_t out_bytes;        /* outputs, bytes */
    double intensity;         /* flops / (weight + in + out bytes); 0 when no bytes */
    cf_cost_basis basis;
} cf_layer_static;

typedef struct cf_model_cost {
    int32_t n_layers;         /* == g->n_nodes of the root graph */
    cf_layer_static *layers;
    /* params and weight_bytes count each stored weight once, however many
     * layers read it; macs and flops are the sum over layers. */
    int64_t params, weight_bytes, macs, flops;
    /* Peak bytes of activations alive at once along the node order (graph
     * inputs and outputs included, weights excluded), and the layer at
     * which the peak is reached (-1 for an empty graph). */
    int64_t peak_activation_bytes;
    int32_t peak_layer;
    int32_t n_elementwise_fallback;  /* layers with basis CF_COST_ELEMENTWISE */
    int32_t n_no_shape;              /* layers with basis CF_COST_NO_SHAPE */
} cf_model_cost;

/* Computes the costs of the root graph's layers. Subgraph bodies (If, Loop,
 * Scan) are counted once into their node. *out written only on success. */
int cf_cost_compute(const cf_graph *g, cf_model_cost **out, cf_error *err);
void cf_model_cost_free(cf_model_cost *c);  /* NULL is a no-op */

/* The costs of one node alone (used by cf_cost_compute and by views). */
int cf_cost_layer(const cf_graph *g, int32_t node, cf_layer_static *out, cf_error *err);

const char *cf_cost_basis_name(cf_cost_basis b);  /* "formula", "element-wise", "no shape" */

/* 1 when the op has a cost formula of its own (domain "" or NULL = default
 * ONNX domain). A layer with unknown shapes reports CF_COST_NO_SHAPE even for
 * an op without a formula; views use this to say "no formula" all the same. */
int cf_cost_op_known(const char *domain, const char *op_type);

#endif
