/* graph.h — chipfit's model IR.
 *
 * A cf_graph is what every part of chipfit works on: the ONNX bridge builds
 * it, the cost analyzer and the backends read it, passes write new ones. It
 * holds tensors (graph inputs, outputs, initializers with their data, and the
 * activations between nodes) and nodes in topological order. The root graph
 * also carries what ONNX keeps at model level: IR version, opset imports,
 * producer, metadata. Subgraphs (the bodies of If / Loop / Scan) are cf_graphs
 * too, with `parent` set; they share the root's arena.
 *
 * Everything is allocated from the root's arena and freed by one
 * cf_graph_free(root). Pointers into the graph are borrowed. Tensors are
 * referred to by id (index into `tensors`), since the array may grow.
 *
 * The IR is transparent inside porting/, analyzers/ and backends/; plugins see
 * it only through the accessors of include/chipfit/plugin.h. */
#ifndef CF_GRAPH_H
#define CF_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"

/* Element types: the numbers are ONNX's TensorProto.DataType, so the bridge
 * copies them through. */
typedef enum cf_dtype {
    CF_DT_UNDEFINED = 0,
    CF_DT_FLOAT = 1,
    CF_DT_UINT8 = 2,
    CF_DT_INT8 = 3,
    CF_DT_UINT16 = 4,
    CF_DT_INT16 = 5,
    CF_DT_INT32 = 6,
    CF_DT_INT64 = 7,
    CF_DT_STRING = 8,
    CF_DT_BOOL = 9,
    CF_DT_FLOAT16 = 10,
    CF_DT_DOUBLE = 11,
    CF_DT_UINT32 = 12,
    CF_DT_UINT64 = 13,
    CF_DT_COMPLEX64 = 14,
    CF_DT_COMPLEX128 = 15,
    CF_DT_BFLOAT16 = 16,
    CF_DT_COUNT_ = 17
} cf_dtype;

int cf_dtype_valid(int dt);          /* 1 for a defined type other than UNDEFINED */
size_t cf_dtype_size(cf_dtype dt);   /* bytes per element; 0 for STRING/UNDEFINED */
const char *cf_dtype_name(cf_dtype dt); /* "float32", "int8", ...; "?" if invalid */

/* A byte string that may hold NULs (ONNX string tensors and attributes). */
typedef struct cf_bytes {
    const char *data;
    size_t len;
} cf_bytes;

/* A dimension is known (value >= 0), symbolic (param != NULL, value -1) or
 * unknown (both unset, value -1). */
typedef struct cf_dim {
    int64_t value;
    const char *param;
} cf_dim;

typedef struct cf_shape {
    int rank;         /* -1: rank unknown */
    cf_dim *dims;
} cf_shape;

enum {
    CF_TENSOR_INPUT = 1u << 0,       /* a graph input */
    CF_TENSOR_OUTPUT = 1u << 1,      /* a graph output */
    CF_TENSOR_INITIALIZER = 1u << 2, /* has constant data (ONNX initializer) */
    CF_TENSOR_OUTER = 1u << 3,       /* in a subgraph: defined by an enclosing graph */
    CF_TENSOR_TYPED = 1u << 4,       /* dtype/shape came from the model or inference */
    CF_TENSOR_VALUE_INFO = 1u << 5,  /* the model listed it in value_info */
};

typedef struct cf_tensor {
    const char *name;
    cf_dtype dtype;
    cf_shape shape;
    unsigned flags;
    int32_t producer;      /* index of the node that writes it, -1 if none */
    const char *doc;
    /* Constant data (initializers, tensor attributes), little-endian and
     * dense, as ONNX raw_data would hold it; data == NULL when there is none.
     * bool is one byte per element; float16/bfloat16 two. */
    void *data;
    size_t nbytes;
    /* For STRING tensors: one entry per element instead of data. */
    cf_bytes *strings;
    size_t n_strings;
    /* Where the data came from when the model stored it outside the file
     * (ONNX external data). The data is loaded all the same; this is kept so
     * a report can say so. */
    const char *external_location;
    /* The ONNX type as serialized TypeProto bytes when it is not a plain
     * tensor type (sequence, optional, map, sparse tensor), so such graph
     * inputs and outputs round-trip; dtype is then UNDEFINED and rank -1.
     * len 0 (data NULL) for plain tensors. */
    cf_bytes type_raw;
} cf_tensor;

/* Attribute kinds: ONNX's AttributeProto.AttributeType numbers. */
typedef enum cf_attr_type {
    CF_ATTR_UNDEFINED = 0,
    CF_ATTR_FLOAT = 1,
    CF_ATTR_INT = 2,
    CF_ATTR_STRING = 3,
    CF_ATTR_TENSOR = 4,
    CF_ATTR_GRAPH = 5,
    CF_ATTR_FLOATS = 6,
    CF_ATTR_INTS = 7,
    CF_ATTR_STRINGS = 8,
    CF_ATTR_TENSORS = 9,
    CF_ATTR_GRAPHS = 10,
    CF_ATTR_SPARSE_TENSOR = 11,
    CF_ATTR_SPARSE_TENSORS = 12,
    CF_ATTR_TYPE_PROTO = 13,
    CF_ATTR_TYPE_PROTOS = 14,
} cf_attr_type;

struct cf_graph;

typedef struct cf_attr {
    const char *name;
    cf_attr_type type;
    const char *ref_attr_name;  /* inside ONNX functions; NULL otherwise */
    const char *doc;
    float f;
    int64_t i;
    cf_bytes s;
    cf_tensor *t;               /* not in any graph's tensor table */
    struct cf_graph *g;
    size_t n;                   /* element count of the list kinds below */
    float *floats;
    int64_t *ints;
    cf_bytes *strings;
    cf_tensor **tensors;
    struct cf_graph **graphs;
    /* SPARSE_TENSOR(S) and TYPE_PROTO(S) are rare in inference models and no
     * chipfit code looks inside them: they are kept as their serialized
     * protobuf bytes (n entries, or 1 for the single kinds) so a model
     * round-trips losslessly. */
    cf_bytes *raw;
} cf_attr;

typedef struct cf_node {
    const char *name;       /* never NULL; the bridge names unnamed nodes "<op>_<index>" */
    const char *op_type;
    const char *domain;     /* "" for the default ONNX domain */
    const char *doc;
    int n_inputs, n_outputs;
    int32_t *inputs;        /* tensor ids; -1 for an omitted optional input */
    int32_t *outputs;       /* tensor ids; -1 for an omitted optional output */
    int n_attrs;
    cf_attr *attrs;
    int named;              /* 0 if the model gave no name (not written back) */
} cf_node;

typedef struct cf_opset {
    const char *domain;     /* "" or "ai.onnx" for the default domain */
    int64_t version;
} cf_opset;

typedef struct cf_kv {
    const char *key, *value;
} cf_kv;

/* A symbolic input dimension fixed to a value at load time (see
 * cf_onnx_load_opts). name is the dim_param, or "INPUT[axis]" for a dimension
 * the model left unnamed. */
typedef struct cf_dim_binding {
    const char *name;
    int64_t value;
    int by_default;         /* 1: fixed by default_dim, not named by the user */
} cf_dim_binding;

typedef struct cf_graph {
    cf_arena *arena;        /* owned by the root only */
    struct cf_graph *parent;
    const char *name;
    const char *doc;

    cf_tensor *tensors;
    int32_t n_tensors, cap_tensors;
    cf_node *nodes;
    int32_t n_nodes, cap_nodes;
    int32_t *inputs;        /* tensor ids in the model's order */
    int32_t n_inputs;
    int32_t *outputs;
    int32_t n_outputs;
    /* ONNX sparse_initializer entries, serialized (see cf_attr.raw). */
    cf_bytes *sparse_initializers;
    int32_t n_sparse_initializers;

    /* Model level (root graph only). */
    int64_t ir_version;
    const char *producer_name, *producer_version, *model_domain, *model_doc;
    int64_t model_version;
    cf_opset *opsets;
    int n_opsets;
    cf_kv *metadata;
    int n_metadata;
    cf_bytes *functions;    /* ModelProto.functions, serialized */
    int n_functions;
    const char *path;       /* file it was loaded from, or NULL */
    size_t file_bytes;      /* size of that file (plus external data) */
    /* What non-strict shape inference could not do: a message (NULL if it
     * all went well) and the number of node outputs left without a shape. */
    const char *shape_inference_note;
    int32_t n_unshaped;
    /* Symbolic input dimensions fixed at load time, in the order met. */
    cf_dim_binding *bound_dims;
    int n_bound_dims;
} cf_graph;

/* --- building ------------------------------------------------------------ */

/* A new empty root graph with its own arena. NULL when out of memory. */
cf_graph *cf_graph_new(cf_error *err);
/* A new empty subgraph of `parent`, in the root's arena. */
cf_graph *cf_graph_new_sub(cf_graph *parent, cf_error *err);
void cf_graph_free(cf_graph *g);   /* root only; NULL is a no-op */

/* Adds a tensor named `name` (copied); returns its id or a negative code.
 * Names must be unique within a graph. */
int32_t cf_graph_add_tensor(cf_graph *g, const char *name, cf_error *err);
/* Finds a tensor by name in this graph only; -1 if absent. Linear. */
int32_t cf_graph_find_tensor(const cf_graph *g, const char *name);
/* Adds a node (op_type, domain, name copied; domain NULL means ""); returns
 * its index or a negative code. Inputs/outputs/attrs are set by the caller
 * with cf_arena allocations. */
int32_t cf_graph_add_node(cf_graph *g, const char *op_type, const char *domain,
                          const char *name, cf_error *err);
int cf_graph_set_io(cf_graph *g, cf_node *n, const int32_t *in, int n_in,
                    const int32_t *out, int n_out, cf_error *err);
/* Sets a tensor's shape (copied). rank -1 for unknown. */
int cf_tensor_set_shape(cf_graph *g, cf_tensor *t, int rank, const int64_t *dims,
                        cf_error *err);

/* Attribute helpers for the common kinds; they append to node->attrs. */
int cf_node_add_attr_int(cf_graph *g, cf_node *n, const char *name, int64_t v, cf_error *err);
int cf_node_add_attr_float(cf_graph *g, cf_node *n, const char *name, float v, cf_error *err);
int cf_node_add_attr_ints(cf_graph *g, cf_node *n, const char *name, const int64_t *v,
                          size_t count, cf_error *err);
int cf_node_add_attr_string(cf_graph *g, cf_node *n, const char *name, const char *s,
                            cf_error *err);
/* Appends a zeroed attribute and returns it (NULL when out of memory). */
cf_attr *cf_node_add_attr(cf_graph *g, cf_node *n, const char *name, cf_attr_type type,
                          cf_error *err);

/* Records which node writes each tensor (tensor.producer) and checks that
 * every tensor has at most one producer. */
int cf_graph_link(cf_graph *g, cf_error *err);

/* Reorders nodes topologically (stable: nodes already in order stay so).
 * A cycle is CF_ECHECK with the name of a node on it. Calls cf_graph_link. */
int cf_graph_toposort(cf_graph *g, cf_error *err);

/* --- reading ------------------------------------------------------------- */

const cf_attr *cf_node_attr(const cf_node *n, const char *name);
int64_t cf_node_attr_int(const cf_node *n, const char *name, int64_t dflt);
float cf_node_attr_float(const cf_node *n, const char *name, float dflt);
/* The ints of an INTS attribute, or NULL (count 0) when absent. */
const int64_t *cf_node_attr_ints(const cf_node *n, const char *name, size_t *count);
/* A STRING attribute as a C string, or dflt when absent. Every cf_bytes
 * the graph holds is NUL-terminated one byte past len, so this is safe. */
const char *cf_node_attr_string(const cf_node *n, const char *name, const char *dflt);

/* The tensor behind input/output i of a node, or NULL if omitted/out of range. */
const cf_tensor *cf_node_input(const cf_graph *g, const cf_node *n, int i);
const cf_tensor *cf_node_output(const cf_graph *g, const cf_node *n, int i);

/* 1 when every dim is known; then *count holds the element count. */
int cf_shape_numel(const cf_shape *s, int64_t *count);
/* Formats "1x32x26x26", "Nx3x224x224", "?" into buf; returns buf. */
char *cf_shape_format(const cf_shape *s, char *buf, size_t size);

/* The opset version the model imports for `domain` ("" = default ONNX);
 * 0 if none. */
int64_t cf_graph_opset(const cf_graph *g, const char *domain);

/* The inputs a user feeds: graph inputs that are not initializers (old
 * exporters list weights as inputs too). Writes their ids to ids (may be
 * NULL, to count) and returns the count. */
int32_t cf_graph_feed_inputs(const cf_graph *g, int32_t *ids);
/* Calls fn(user, id) for every tensor of g that node n's subgraphs (If
 * branches, Loop/Scan bodies, and the bodies nested in those) read from the
 * enclosing scope; id is the tensor's index in g. */
void cf_node_outer_reads(const cf_graph *g, const cf_node *n,
                         void (*fn)(void *user, int32_t id), void *user);

/* Parameter count: elements of all initializers (root and subgraphs). */
int64_t cf_graph_param_count(const cf_graph *g);

#endif
