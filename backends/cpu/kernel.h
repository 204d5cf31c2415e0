/* kernel.h — how a CPU kernel is written and found.
 *
 * One kernel per op (and per implementation: the reference C kernel is the
 * oracle, a oneDNN kernel may claim the same op first). Kernels live in
 * backends/cpu/kernels/, a file per family, each exporting a table of
 * cf_kernel_i ended by an entry with op_type NULL; kernels.c chains the
 * tables. At prepare time the executor picks, for each node, the first
 * kernel whose op, domain and opset range match and whose prepare() accepts
 * the node (so a fast kernel can decline a case it has no code for and the
 * reference kernel takes it). Unsupported input is refused at prepare time
 * with a message naming the layer — never at run time with a crash.
 *
 * At run time a kernel reads its inputs, works out its output shapes,
 * asks the executor for each output (cf_kcall_output) and fills it. */
#ifndef CF_CPU_KERNEL_H
#define CF_CPU_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "value.h"

typedef struct cf_exec cf_exec;

typedef struct cf_kernel_call {
    const cf_graph *g;
    const cf_node *node;
    int32_t index;              /* node index in g */
    const cf_value *const *in;  /* n_in entries; NULL for an omitted optional input */
    int n_in;
    cf_value *out;              /* n_out slots; the kernel fills them with cf_kcall_output */
    int n_out;
    void *state;                /* what prepare() built, or NULL */
    cf_exec *exec;              /* for subgraphs (If, Loop, Scan) */
    int threads;                /* threads this call may use */
    const cf_value *post_in;    /* addend of a fused SUM post-op, else NULL */
    const int32_t *out_ids;     /* tensor of each output (fusion may redirect output 0) */
} cf_kernel_call;

/* An element-wise operation the executor folds into the kernel of the layer
 * before it (a oneDNN post-op): the layer's output goes through it without
 * being stored in between. */
typedef enum cf_post_kind {
    CF_POST_RELU,          /* max(x, alpha * x): alpha 0 for Relu, LeakyRelu's alpha */
    CF_POST_CLIP,          /* min(max(x, alpha), beta) */
    CF_POST_SIGMOID,
    CF_POST_TANH,
    CF_POST_SWISH,         /* x * sigmoid(x): Sigmoid then Mul of the two */
    CF_POST_HARDSWISH,
    CF_POST_HARDSIGMOID,   /* max(0, min(1, alpha * x + beta)) */
    CF_POST_ELU,           /* alpha */
    CF_POST_SUM,           /* + the executor's extra input, same shape (a residual Add) */
} cf_post_kind;

typedef struct cf_post_op {
    cf_post_kind kind;
    float alpha, beta;
    int32_t node;          /* the layer folded in (its last one for SWISH) */
} cf_post_op;

#define CF_MAX_POST_OPS 4
#define CF_LAYOUT_BIT(l) (1u << (l))

typedef struct cf_kernel_i {
    const char *op_type;
    const char *domain;         /* "" for the default ONNX domain */
    int min_opset, max_opset;   /* opset versions handled; max_opset 0 = no upper bound */
    const char *impl;           /* "ref", "onednn", ... shown in profiles */
    /* Optional. Checks attributes and input types; may build per-node state.
     * Returns CF_EUNSUPPORTED (with the reason) to decline the node: the next
     * matching kernel is tried. Any other error fails preparation. */
    int (*prepare)(const cf_graph *g, const cf_node *n, void **state, cf_error *err);
    /* Required. */
    int (*run)(cf_kernel_call *c, cf_error *err);
    /* Optional. Frees state. */
    void (*release)(void *state);
    /* Optional: activation layouts (CF_LAYOUT_*). in[j] is the layout input
     * j would arrive in. Returns 1 when the kernel can run with those, and
     * sets out[i] to the set of layouts it can then write output i in
     * (CF_LAYOUT_BIT(l) for each); 0 when it needs PLAIN inputs. The
     * executor prefers CHANNELS_LAST where every reader takes it. With
     * commit 1 the layouts are final: out[i] then holds the one chosen for
     * output i, and the kernel sets its state up for them (returning 0,
     * with err set, fails preparation). A kernel without this hook sees
     * PLAIN values only. */
    int (*layout)(void *state, const cf_node *n, const uint8_t *in, uint8_t *out, int commit,
                  cf_error *err);
    /* Optional: fusion. Asks the kernel to apply ops (in order) to its output
     * 0 before storing it. 0: done (a SUM op's addend then arrives as
     * cf_kernel_call.post_in); CF_EUNSUPPORTED: not for this kernel or node
     * (the state is unchanged and the layers run on their own). */
    int (*fuse)(void *state, const cf_node *n, const cf_post_op *ops, int n_ops, cf_error *err);
} cf_kernel_i;

/* Gives output i its type and shape and storage owned by the executor
 * (possibly a slot of the planned arena). The contents are NOT zeroed: a
 * kernel writes every element. The pointer stays valid until the call
 * returns. An omitted optional output (node output -1) gets scratch storage
 * all the same, so kernels need not check. */
cf_value *cf_kcall_output(cf_kernel_call *c, int i, cf_dtype dt, int rank, const int64_t *dims,
                          cf_error *err);

/* Runs a subgraph (If branch, Loop/Scan body) of the node being executed.
 * inputs: the subgraph's inputs in order; outputs: n_outputs owned values
 * the caller frees with cf_value_clear. Outer-scope names resolve against
 * the enclosing graph's live values. */
int cf_exec_subgraph(cf_kernel_call *c, const cf_graph *body, const cf_value *const *inputs,
                     int n_inputs, cf_value *outputs, int n_outputs, cf_error *err);

/* Sets err to "layer NAME (OP): <message>" and returns code. */
int cf_kernel_error(const cf_kernel_call *c, cf_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cf_kernel_prepare_error(const cf_node *n, cf_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The kernel families (one table per file in kernels/). */
extern const cf_kernel_i cf_kernels_elementwise[];
extern const cf_kernel_i cf_kernels_movement[];
extern const cf_kernel_i cf_kernels_reduce[];
extern const cf_kernel_i cf_kernels_nn[];
extern const cf_kernel_i cf_kernels_quant[];
extern const cf_kernel_i cf_kernels_rnn[];
extern const cf_kernel_i cf_kernels_control[];
extern const cf_kernel_i cf_kernels_onednn[];

/* Finds the kernel for a node: the first in the chain that matches and
 * whose prepare accepts it. reference_only skips non-"ref" kernels.
 * *state gets what prepare built. The error names the op, domain, opset and
 * layer when no kernel takes the node. */
int cf_kernel_select(const cf_graph *g, const cf_node *n, int reference_only,
                     const cf_kernel_i **out, void **state, cf_error *err);

/* Every (op, domain) some kernel handles, for docs and `chipfit ops`;
 * calls fn once per distinct op. */
void cf_kernel_each_op(void (*fn)(void *user, const cf_kernel_i *k), void *user);

/* The implementations that handle an op ("onednn, ref"), in chain order. */
void cf_kernel_impls(const char *op_type, const char *domain, char *buf, size_t size);
/* The opsets some kernel of the op handles: [min, max], max 0 = no bound. */
void cf_kernel_opsets(const char *op_type, const char *domain, int *min_opset, int *max_opset);

#endif
