/* cost.c — static per-layer costs: parameters, MACs, FLOPs, bytes, liveness.
 *
 * One table (op_table below) maps an op type to its cost function; adding an
 * op is one line there. Every count is int64 and saturates instead of
 * overflowing, because the shapes come from untrusted model files. Inside the
 * formulas a negative value means "unknown": mul()/add() propagate it and
 * known() turns it into 0 while marking the layer CF_COST_NO_SHAPE, so a
 * layer with a missing shape still gets every figure that can be counted.
 * The conventions and the per-op formulas are in docs/costs.md; keep the two
 * in step. */
#include "cost.h"

#include <stdlib.h>
#include <string.h>

#define UNKNOWN ((int64_t)-1)
/* Subgraphs nest through recursion; a hostile model must not exhaust the
 * stack. Real models nest two or three deep. */
#define MAX_DEPTH 64

/* --- arithmetic on counts ------------------------------------------------- */

static int64_t mul(int64_t a, int64_t b)
{
    if (a < 0 || b < 0)
        return UNKNOWN;
    if (a != 0 && b > INT64_MAX / a)
        return INT64_MAX;
    return a * b;
}

static int64_t add(int64_t a, int64_t b)
{
    if (a < 0 || b < 0)
        return UNKNOWN;
    return (b > INT64_MAX - a) ? INT64_MAX : a + b;
}

/* a + b for any signs, saturating at INT64_MIN / INT64_MAX. */
static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

/* a * b for any signs, saturating. */
static int64_t sat_mul(int64_t a, int64_t b)
{
    if (a == 0 || b == 0)
        return 0;
    int neg = (a < 0) != (b < 0);
    uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
    uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (ua > lim / ub)
        return neg ? INT64_MIN : INT64_MAX;
    uint64_t p = ua * ub;
    return neg ? (p == lim ? INT64_MIN : -(int64_t)p) : (int64_t)p;
}

/* --- tensors --------------------------------------------------------------- */

static int t_rank(const cf_tensor *t)
{
    return t ? t->shape.rank : -1;
}

/* Dim i of t; i < 0 counts from the end. UNKNOWN if not known. */
static int64_t t_dim(const cf_tensor *t, int i)
{
    if (!t || t->shape.rank < 0)
        return UNKNOWN;
    if (i < 0)
        i += t->shape.rank;
    if (i < 0 || i >= t->shape.rank)
        return UNKNOWN;
    return t->shape.dims[i].value >= 0 ? t->shape.dims[i].value : UNKNOWN;
}

/* Product of dims [from, to) of t (empty range: 1). */
static int64_t t_vol(const cf_tensor *t, int from, int to)
{
    if (!t || t->shape.rank < 0 || from < 0 || to > t->shape.rank)
        return UNKNOWN;
    int64_t v = 1;
    for (int i = from; i < to; i++)
        v = mul(v, t_dim(t, i));
    return v;
}

static int64_t t_numel(const cf_tensor *t)
{
    return t ? t_vol(t, 0, t->shape.rank) : UNKNOWN;
}

/* Bytes of t; UNKNOWN when its shape or its element size is (strings have
 * no fixed size, so they count as unknown too). */
static int64_t t_bytes(const cf_tensor *t)
{
    if (!t)
        return UNKNOWN;
    size_t size = cf_dtype_size(t->dtype);
    return size ? mul(t_numel(t), (int64_t)size) : UNKNOWN;
}

/* --- the graph around a node ------------------------------------------------ */

typedef struct gctx {
    const cf_graph *g;
    /* producer[id]: the node writing tensor id, or -1. NULL for a one-off
     * cf_cost_layer call, where a scan is cheaper than building the map
     * (and tensor.producer may be stale if cf_graph_link was not called). */
    const int32_t *producer;
    int depth;
} gctx;

static int is_default_domain(const char *d)
{
    return !d || !d[0] || strcmp(d, "ai.onnx") == 0;
}

static int32_t producer_of(const gctx *gc, int32_t id)
{
    if (gc->producer)
        return gc->producer[id];
    for (int32_t k = 0; k < gc->g->n_nodes; k++) {
        const cf_node *n = &gc->g->nodes[k];
        for (int j = 0; j < n->n_outputs; j++)
            if (n->outputs[j] == id)
                return k;
    }
    return -1;
}

static int is_op(const cf_node *n, const char *op)
{
    return strcmp(n->op_type, op) == 0 && is_default_domain(n->domain);
}

/* Weights are initializers and outputs of Constant nodes (some exporters put
 * weights there), seen through any chain of Identity nodes: PyTorch's
 * exporter replaces equal-valued initializers by Identity(initializer), and
 * those must not count as activations. Returns the tensor holding the
 * weight (the initializer or the Constant's output), or -1 if id is not
 * constant. Nothing else folds: DequantizeLinear(weight) is an op that runs.
 * The hop limit guards against a cyclic (malformed) graph. */
static int32_t const_root(const gctx *gc, int32_t id)
{
    const cf_graph *g = gc->g;
    for (int32_t hops = 0; hops <= g->n_nodes; hops++) {
        if (g->tensors[id].flags & CF_TENSOR_INITIALIZER)
            return id;
        int32_t p = producer_of(gc, id);
        if (p < 0)
            return -1;
        const cf_node *n = &g->nodes[p];
        if (is_op(n, "Constant"))
            return id;
        if (!is_op(n, "Identity") || n->n_inputs < 1 || n->inputs[0] < 0 ||
            n->inputs[0] >= g->n_tensors)
            return -1;
        id = n->inputs[0];
    }
    return -1;
}

static int is_const(const gctx *gc, int32_t id)
{
    return const_root(gc, id) >= 0;
}

/* A node that only yields a weight (Constant, Identity of a weight): its
 * weight is charged to the layers that read it, not to this one. */
static int yields_const(const gctx *gc, const cf_node *n)
{
    if (is_op(n, "Constant"))
        return 1;
    return is_op(n, "Identity") && n->n_inputs >= 1 && n->inputs[0] >= 0 &&
           n->inputs[0] < gc->g->n_tensors && is_const(gc, n->inputs[0]);
}

/* 1 if ids[j] already appeared among ids[0..j-1]: a tensor read twice by a
 * node (Mul(x, x)) is stored, and counted, once. */
static int seen_before(const int32_t *ids, int j)
{
    for (int i = 0; i < j; i++)
        if (ids[i] == ids[j])
            return 1;
    return 0;
}

/* --- one op's cost --------------------------------------------------------- */

struct op_row;

typedef struct opc {
    const gctx *gc;
    const cf_node *n;
    const struct op_row *row;
    int64_t macs, flops;
    int missing;   /* a figure the formula needed was unknown */
    int fallback;  /* the formula does not cover this case: count as element-wise */
} opc;

typedef int (*cost_fn)(opc *c, cf_error *err);

/* a and b are per-row constants whose meaning each cost function states. */
typedef struct op_row {
    const char *op;
    const char *domain;   /* "" = the default ONNX domain */
    cost_fn fn;
    int a, b;
} op_row;

static const cf_tensor *in(const opc *c, int i)
{
    return cf_node_input(c->gc->g, c->n, i);
}

static const cf_tensor *out(const opc *c, int i)
{
    return cf_node_output(c->gc->g, c->n, i);
}

static int64_t known(opc *c, int64_t v)
{
    if (v < 0) {
        c->missing = 1;
        return 0;
    }
    return v;
}

static void add_flops(opc *c, int64_t v)
{
    c->flops = add(c->flops, known(c, v));
}

/* An inner product: MACs, and 2 FLOPs per MAC. */
static void add_macs(opc *c, int64_t v)
{
    v = known(c, v);
    c->macs = add(c->macs, v);
    c->flops = add(c->flops, mul(v, 2));
}

static int64_t attr_at(const cf_node *n, const char *name, int i, int64_t dflt)
{
    size_t cnt;
    const int64_t *v = cf_node_attr_ints(n, name, &cnt);
    return (v && i >= 0 && (size_t)i < cnt) ? v[i] : dflt;
}

/* Broadcast volume (numpy rules, right-aligned) of the leading lead[i] dims
 * of tensors ids[i]; lead NULL means every dim. Omitted inputs (-1) are
 * skipped. */
static int64_t bcast_vol(const cf_graph *g, const int32_t *ids, int n, const int *lead)
{
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0)
            continue;
        int li = lead ? lead[i] : g->tensors[ids[i]].shape.rank;
        if (li < 0)
            return UNKNOWN;
        if (li > r)
            r = li;
    }
    int64_t vol = 1;
    for (int k = 1; k <= r; k++) {
        int64_t d = 1;
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0)
                continue;
            int li = lead ? lead[i] : g->tensors[ids[i]].shape.rank;
            if (k > li)
                continue;
            int64_t v = t_dim(&g->tensors[ids[i]], li - k);
            if (v < 0)
                return UNKNOWN;
            if (v != 1)
                d = v;
        }
        vol = mul(vol, d);
    }
    return vol;
}

/* Elements of output 0; from the broadcast of the inputs when inference left
 * the output without a shape. */
static int64_t out_numel(const opc *c)
{
    int64_t v = t_numel(out(c, 0));
    return v >= 0 ? v : bcast_vol(c->gc->g, c->n->inputs, c->n->n_inputs, NULL);
}

/* The value of a one-element constant input (initializer or Constant node). */
static int const_scalar(const opc *c, int input, double *v)
{
    if (input >= c->n->n_inputs || c->n->inputs[input] < 0)
        return 0;
    int32_t id = const_root(c->gc, c->n->inputs[input]);
    if (id < 0)
        return 0;
    const cf_tensor *t = &c->gc->g->tensors[id];
    if (!t->data) {
        int32_t p = producer_of(c->gc, id);
        const cf_node *k = p >= 0 ? &c->gc->g->nodes[p] : NULL;
        if (k && !is_op(k, "Constant"))
            k = NULL;
        const cf_attr *a = k ? cf_node_attr(k, "value") : NULL;
        if (k && !a) {
            const cf_attr *f = cf_node_attr(k, "value_float");
            const cf_attr *i = cf_node_attr(k, "value_int");
            if (f && f->type == CF_ATTR_FLOAT) {
                *v = f->f;
                return 1;
            }
            if (i && i->type == CF_ATTR_INT) {
                *v = (double)i->i;
                return 1;
            }
        }
        t = (a && a->type == CF_ATTR_TENSOR) ? a->t : NULL;
    }
    if (!t || !t->data || t->nbytes != cf_dtype_size(t->dtype))
        return 0;
    switch (t->dtype) {
    case CF_DT_FLOAT: {
        float f;
        memcpy(&f, t->data, sizeof f);
        *v = f;
        return 1;
    }
    case CF_DT_DOUBLE:
        memcpy(v, t->data, sizeof *v);
        return 1;
    case CF_DT_INT32: {
        int32_t i;
        memcpy(&i, t->data, sizeof i);
        *v = i;
        return 1;
    }
    case CF_DT_INT64: {
        int64_t i;
        memcpy(&i, t->data, sizeof i);
        *v = (double)i;
        return 1;
    }
    default:
        return 0;
    }
}

/* Output spatial size of a convolution or pooling window along one axis. */
static int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                          const char *auto_pad, int ceil_mode)
{
    if (in < 0 || k < 0)
        return UNKNOWN;
    if (s <= 0)
        s = 1;
    if (d <= 0)
        d = 1;
    if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0)
        return in / s + (in % s != 0);
    if (strcmp(auto_pad, "VALID") == 0)
        pb = pe = 0;
    /* Strides, dilations, pads and kernels are the model's: huge ones
     * saturate instead of overflowing. */
    int64_t extent = k == 0 ? 1 - d : add(mul(d, k - 1), 1);
    int64_t span = sat_sub(sat_add(sat_add(in, pb), pe), extent);
    if (span < 0)
        return 0;
    return add(span / s + (ceil_mode && span % s != 0), 1);
}

/* Product of the output spatial dims of a Conv or pool, derived from the
 * input and the attributes; k[i] is the kernel along spatial axis i. Used
 * only when shape inference left the output unshaped. */
static int64_t derived_out_vol(const cf_node *n, const cf_tensor *x, const int64_t *k, int sp)
{
    const char *auto_pad = cf_node_attr_string(n, "auto_pad", "NOTSET");
    int ceil_mode = (int)cf_node_attr_int(n, "ceil_mode", 0);
    int64_t vol = 1;
    for (int i = 0; i < sp; i++)
        vol = mul(vol, window_out(t_dim(x, 2 + i), k[i], attr_at(n, "strides", i, 1),
                                  attr_at(n, "dilations", i, 1), attr_at(n, "pads", i, 0),
                                  attr_at(n, "pads", i + sp, 0), auto_pad, ceil_mode));
    return vol;
}

/* Spatial rank of a Conv-like node: from the weight, the input, the
 * kernel_shape attribute or the output, whichever is known. Capped so the
 * kernel fits a fixed array. */
#define MAX_SPATIAL 8

static int spatial_rank(const cf_node *n, const cf_tensor *x, const cf_tensor *w,
                        const cf_tensor *y)
{
    size_t ks;
    int sp = -1;
    if (t_rank(w) >= 2)
        sp = t_rank(w) - 2;
    else if (t_rank(x) >= 2)
        sp = t_rank(x) - 2;
    else if (cf_node_attr_ints(n, "kernel_shape", &ks))
        sp = (int)ks;
    else if (t_rank(y) >= 2)
        sp = t_rank(y) - 2;
    return sp > MAX_SPATIAL ? -1 : sp;
}

/* Kernel dims: from the weight's trailing dims, else kernel_shape. */
static void kernel_dims(const cf_node *n, const cf_tensor *w, int sp, int64_t *k)
{
    for (int i = 0; i < sp; i++) {
        k[i] = t_dim(w, 2 + i);
        if (k[i] < 0)
            k[i] = attr_at(n, "kernel_shape", i, UNKNOWN);
    }
}

static int64_t first_known(int64_t a, int64_t b)
{
    return a >= 0 ? a : b;
}

/* Per-element FLOPs of an activation named by a fused op's attribute
 * ("Relu", "Sigmoid"...), looked up in the element-wise rows of the table. */
static int64_t activation_flops(const char *op);

static int cost_none(opc *c, cf_error *err)
{
    (void)c;
    (void)err;
    return 0;
}

/* a = FLOPs per output element. */
static int cost_eltwise(opc *c, cf_error *err)
{
    (void)err;
    add_flops(c, mul(out_numel(c), c->row->a));
    return 0;
}

/* Sum / Max / Min / Mean: one op per extra input, plus a (Mean's divide). */
static int cost_variadic(opc *c, cf_error *err)
{
    (void)err;
    int64_t present = 0;
    for (int j = 0; j < c->n->n_inputs; j++)
        present += c->n->inputs[j] >= 0;
    int64_t per = (present > 0 ? present - 1 : 0) + c->row->a;
    add_flops(c, mul(out_numel(c), per));
    return 0;
}

/* Pow: cheap for the exponents that are one instruction (x*x, sqrt). */
static int cost_pow(opc *c, cf_error *err)
{
    (void)err;
    double e;
    int64_t per = 9; /* exp(y * log(x)): 4 + 1 + 4 */
    if (const_scalar(c, 1, &e)) {
        if (e == 1.0 || e == 2.0 || e == 0.5)
            per = 1;
        else if (e == 3.0)
            per = 2;
    }
    add_flops(c, mul(out_numel(c), per));
    return 0;
}

/* Gelu: exact (erf) or tanh approximation; see docs/costs.md. */
static int cost_gelu(opc *c, cf_error *err)
{
    (void)err;
    int tanh_approx = strcmp(cf_node_attr_string(c->n, "approximate", "none"), "tanh") == 0;
    add_flops(c, mul(out_numel(c), tanh_approx ? 12 : 8));
    return 0;
}

/* Conv family. a: 0 Conv (X 0, W 1, B 2), 1 ConvInteger (no bias),
 * 2 QLinearConv (W 3, B 8, requantised output), 3 com.microsoft FusedConv
 * (Conv + activation, optional Z 3 added). */
static int cost_conv(opc *c, cf_error *err)
{
    (void)err;
    int variant = c->row->a;
    int wi = variant == 2 ? 3 : 1;
    int bi = variant == 1 ? -1 : variant == 2 ? 8 : 2;
    const cf_tensor *x = in(c, 0), *w = in(c, wi), *y = out(c, 0);
    int sp = spatial_rank(c->n, x, w, y);
    if (sp < 0) {
        c->missing = 1;
        return 0;
    }
    int64_t k[MAX_SPATIAL], group = cf_node_attr_int(c->n, "group", 1);
    kernel_dims(c->n, w, sp, k);
    int64_t kvol = 1;
    for (int i = 0; i < sp; i++)
        kvol = mul(kvol, k[i]);
    int64_t batch = first_known(t_dim(x, 0), t_dim(y, 0));
    int64_t m = first_known(t_dim(w, 0), t_dim(y, 1));
    int64_t cin = t_dim(x, 1);
    int64_t cpg = first_known(t_dim(w, 1), (cin >= 0 && group > 0) ? cin / group : UNKNOWN);
    int64_t ovol = t_rank(y) == sp + 2 ? t_vol(y, 2, sp + 2) : UNKNOWN;
    if (ovol < 0)
        ovol = derived_out_vol(c->n, x, k, sp);
    int64_t outs = mul(mul(batch, m), ovol);
    add_macs(c, mul(mul(outs, cpg), kvol));
    if (bi >= 0 && in(c, bi))
        add_flops(c, outs);
    if (variant == 2)
        add_flops(c, mul(outs, 5)); /* requantise: scale, round, zero point, clamp (2) */
    if (variant == 3) {
        add_flops(c, mul(outs, activation_flops(cf_node_attr_string(c->n, "activation", ""))));
        if (in(c, 3))
            add_flops(c, outs);
    }
    return 0;
}

/* ConvTranspose: every input element is scattered through the kernel into
 * M/group output channels. */
static int cost_convtranspose(opc *c, cf_error *err)
{
    (void)err;
    const cf_tensor *x = in(c, 0), *w = in(c, 1), *y = out(c, 0);
    int sp = spatial_rank(c->n, x, w, y);
    if (sp < 0) {
        c->missing = 1;
        return 0;
    }
    int64_t k[MAX_SPATIAL], group = cf_node_attr_int(c->n, "group", 1);
    kernel_dims(c->n, w, sp, k);
    int64_t kvol = 1;
    for (int i = 0; i < sp; i++)
        kvol = mul(kvol, k[i]);
    int64_t batch = first_known(t_dim(x, 0), t_dim(y, 0));
    int64_t cin = first_known(t_dim(x, 1), t_dim(w, 0));
    int64_t mpg = t_dim(w, 1);
    int64_t ivol = t_rank(x) == sp + 2 ? t_vol(x, 2, sp + 2) : UNKNOWN;
    add_macs(c, mul(mul(mul(batch, cin), ivol), mul(mpg, kvol)));
    if (in(c, 2)) {
        int64_t m = first_known(t_dim(y, 1), mul(mpg, group));
        int64_t ovol = t_rank(y) == sp + 2 ? t_vol(y, 2, sp + 2) : UNKNOWN;
        if (ovol < 0) {
            /* out = s*(in-1) + output_padding + d*(k-1) + 1 - pads, or the
             * output_shape attribute (then pads are implied). */
            const char *auto_pad = cf_node_attr_string(c->n, "auto_pad", "NOTSET");
            ovol = 1;
            for (int i = 0; i < sp; i++) {
                int64_t o = attr_at(c->n, "output_shape", i, UNKNOWN), d = t_dim(x, 2 + i);
                int64_t s = attr_at(c->n, "strides", i, 1);
                if (o < 0 && d >= 0 && k[i] >= 0) {
                    if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0)
                        o = sat_mul(d, s);
                    else /* saturating: the attributes may be anything */
                        o = sat_sub(
                            sat_add(sat_add(sat_mul(s, d - 1),
                                            attr_at(c->n, "output_padding", i, 0)),
                                    sat_add(sat_mul(attr_at(c->n, "dilations", i, 1), k[i] - 1),
                                            1)),
                            strcmp(auto_pad, "VALID") == 0
                                ? 0
                                : sat_add(attr_at(c->n, "pads", i, 0),
                                          attr_at(c->n, "pads", i + sp, 0)));
                    if (o < 0)
                        o = 0;
                }
                ovol = mul(ovol, o);
            }
        }
        add_flops(c, mul(mul(batch, m), ovol));
    }
    return 0;
}

/* Gemm: Y = alpha * op(A) op(B) + beta * C. Scaling by alpha or beta costs a
 * multiply per output only when it is not 1; C costs an add. */
static int cost_gemm(opc *c, cf_error *err)
{
    (void)err;
    const cf_tensor *a = in(c, 0), *b = in(c, 1), *y = out(c, 0);
    int ta = cf_node_attr_int(c->n, "transA", 0) != 0;
    int tb = cf_node_attr_int(c->n, "transB", 0) != 0;
    int64_t m = first_known(t_dim(a, ta ? 1 : 0), t_dim(y, 0));
    int64_t k = first_known(t_dim(a, ta ? 0 : 1), t_dim(b, tb ? 1 : 0));
    int64_t n = first_known(t_dim(b, tb ? 0 : 1), t_dim(y, 1));
    int64_t mn = mul(m, n);
    add_macs(c, mul(mn, k));
    int extra = cf_node_attr_float(c->n, "alpha", 1.0f) != 1.0f;
    if (in(c, 2))
        extra += 1 + (cf_node_attr_float(c->n, "beta", 1.0f) != 1.0f);
    if (extra)
        add_flops(c, mul(mn, extra));
    return 0;
}

/* MatMul family, numpy semantics: a 1-D A is a row [1, K], a 1-D B a column
 * [K, 1] (the unit dim is then dropped from the result); batch dims
 * broadcast. a: 0 MatMul / MatMulInteger (A 0, B 1), 2 QLinearMatMul (B 3,
 * requantised output). */
static int cost_matmul(opc *c, cf_error *err)
{
    (void)err;
    int bi = c->row->a == 2 ? 3 : 1;
    const cf_tensor *a = in(c, 0), *b = in(c, bi);
    int ra = t_rank(a), rb = t_rank(b);
    int64_t k = ra >= 1 ? t_dim(a, -1) : UNKNOWN;
    if (k < 0)
        k = rb >= 2 ? t_dim(b, -2) : rb == 1 ? t_dim(b, 0) : UNKNOWN;
    int64_t outs = UNKNOWN;
    if (ra >= 1 && rb >= 1) {
        int32_t ids[2] = {c->n->inputs[0], c->n->inputs[bi]};
        int lead[2] = {ra >= 2 ? ra - 2 : 0, rb >= 2 ? rb - 2 : 0};
        int64_t m = ra >= 2 ? t_dim(a, -2) : 1;
        int64_t n = rb >= 2 ? t_dim(b, -1) : 1;
        outs = mul(mul(bcast_vol(c->gc->g, ids, 2, lead), m), n);
    }
    if (outs < 0)
        outs = t_numel(out(c, 0));
    add_macs(c, mul(outs, k));
    if (c->row->a == 2)
        add_flops(c, mul(outs, 5)); /* requantise, as QLinearConv */
    return 0;
}

/* Pooling: a FLOPs per window element per output element (compare, or add;
 * LpPool 2: power and add); b = 1 for the Global* pools, whose window is the
 * whole spatial extent. */
static int cost_pool(opc *c, cf_error *err)
{
    (void)err;
    const cf_tensor *x = in(c, 0), *y = out(c, 0);
    if (c->row->b) {
        /* N*C outputs, each over H*W...: exactly the input's elements. */
        add_flops(c, mul(t_numel(x), c->row->a));
        return 0;
    }
    size_t sp;
    const int64_t *ks = cf_node_attr_ints(c->n, "kernel_shape", &sp);
    if (!ks || sp > MAX_SPATIAL) {
        c->missing = 1;
        return 0;
    }
    int64_t kvol = 1;
    for (size_t i = 0; i < sp; i++)
        kvol = mul(kvol, ks[i]);
    int64_t outs = t_numel(y);
    if (outs < 0)
        outs = mul(t_vol(x, 0, 2), derived_out_vol(c->n, x, ks, (int)sp));
    add_flops(c, mul(mul(outs, kvol), c->row->a));
    return 0;
}

/* Normalisations: a FLOPs per element, b per normalised group ("row": the
 * two divisions for the means, the epsilon add, one reciprocal square root).
 * Each op says what its rows are. */
static void norm_cost(opc *c, int64_t per_elem, int64_t rows)
{
    int64_t n = t_numel(in(c, 0));
    if (n < 0)
        n = t_numel(out(c, 0));
    add_flops(c, mul(n, per_elem));
    if (c->row->b)
        add_flops(c, mul(rows, c->row->b));
}

static int norm_axis(const opc *c, int64_t dflt)
{
    int r = t_rank(in(c, 0));
    int64_t axis = cf_node_attr_int(c->n, "axis", dflt);
    if (r < 0)
        return -1;
    if (axis < 0)
        axis += r;
    return (axis < 0 || axis > r) ? -1 : (int)axis;
}

/* LayerNormalization (and RMSNormalization): rows are the dims before axis;
 * one more FLOP per element when the bias input B is given. */
static int cost_layernorm(opc *c, cf_error *err)
{
    (void)err;
    int axis = norm_axis(c, -1);
    norm_cost(c, c->row->a + (in(c, 2) != NULL), axis < 0 ? UNKNOWN : t_vol(in(c, 0), 0, axis));
    return 0;
}

/* InstanceNormalization: one row per (N, C). */
static int cost_instnorm(opc *c, cf_error *err)
{
    (void)err;
    norm_cost(c, c->row->a, t_vol(in(c, 0), 0, 2));
    return 0;
}

/* GroupNormalization: one row per (N, group). */
static int cost_groupnorm(opc *c, cf_error *err)
{
    (void)err;
    norm_cost(c, c->row->a, mul(t_dim(in(c, 0), 0), cf_node_attr_int(c->n, "num_groups", -1)));
    return 0;
}

/* Rows of an op normalising along one axis: elements / dim(axis). */
static int64_t rows_along(const opc *c, int axis)
{
    int64_t n = t_numel(in(c, 0)), d = axis < 0 ? UNKNOWN : t_dim(in(c, 0), axis);
    return (n < 0 || d <= 0) ? (d == 0 ? 0 : UNKNOWN) : n / d;
}

/* LpNormalization: along one axis. */
static int cost_lpnorm(opc *c, cf_error *err)
{
    (void)err;
    norm_cost(c, c->row->a, rows_along(c, norm_axis(c, -1)));
    return 0;
}

/* MeanVarianceNormalization: over `axes` (default N, H, W). */
static int cost_mvn(opc *c, cf_error *err)
{
    (void)err;
    static const int64_t dflt[] = {0, 2, 3};
    size_t na;
    const int64_t *axes = cf_node_attr_ints(c->n, "axes", &na);
    if (!axes) {
        axes = dflt;
        na = 3;
    }
    const cf_tensor *x = in(c, 0);
    int64_t per_row = 1, n = t_numel(x);
    for (size_t i = 0; i < na; i++)
        per_row = mul(per_row, t_dim(x, (int)axes[i]));
    norm_cost(c, c->row->a, (n < 0 || per_row <= 0) ? (per_row == 0 ? 0 : UNKNOWN) : n / per_row);
    return 0;
}

/* Softmax / LogSoftmax: a per element, b per row. Opset 13 normalises along
 * one axis (default -1); earlier opsets coerce to 2-D at axis (default 1). */
static int cost_softmax(opc *c, cf_error *err)
{
    (void)err;
    int64_t opset = cf_graph_opset(c->gc->g, "");
    int old = opset > 0 && opset < 13;
    int axis = norm_axis(c, old ? 1 : -1);
    int64_t rows = UNKNOWN;
    if (old)
        rows = axis < 0 ? UNKNOWN : t_vol(in(c, 0), 0, axis);
    else
        rows = rows_along(c, axis);
    norm_cost(c, c->row->a, rows);
    return 0;
}

/* LRN: per element a window sum of squares (size muls, size-1 adds), scale
 * and bias (2), a power (9) and a divide (1). */
static int cost_lrn(opc *c, cf_error *err)
{
    (void)err;
    int64_t size = cf_node_attr_int(c->n, "size", 1);
    add_flops(c, mul(out_numel(c), add(mul(size > 0 ? size : 1, 2), 11)));
    return 0;
}

/* Resize / Upsample. nearest: a copy per output element (0 FLOPs). linear:
 * a weighted sum of the 2^d neighbours of the d resized axes, 2^(d+1) - 1
 * FLOPs per output element; cubic: of 4^d neighbours, 2 * 4^d - 1. */
static int cost_resize(opc *c, cf_error *err)
{
    (void)err;
    const char *mode = cf_node_attr_string(c->n, "mode", "nearest");
    int cubic = strcmp(mode, "cubic") == 0;
    int linear = strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0;
    if (!cubic && !linear)
        return 0;
    const cf_tensor *x = in(c, 0), *y = out(c, 0);
    int d = 0;
    if (t_rank(x) >= 0 && t_rank(x) == t_rank(y)) {
        for (int i = 0; i < t_rank(x); i++) {
            int64_t a = t_dim(x, i), b = t_dim(y, i);
            if (a < 0 || b < 0) {
                d = -1;
                break;
            }
            d += a != b;
        }
    } else {
        d = -1;
    }
    if (d < 0) {
        /* Unknown which axes change: assume the spatial ones (all but N, C). */
        int r = t_rank(y) >= 0 ? t_rank(y) : t_rank(x);
        d = r > 2 ? r - 2 : 2;
    }
    if (d == 0)
        return 0;
    if (d > 8)
        d = 8;
    int64_t per = cubic ? 2 * ((int64_t)1 << (2 * d)) - 1 : ((int64_t)1 << (d + 1)) - 1;
    add_flops(c, mul(t_numel(y), per));
    return 0;
}

/* Reductions: a FLOPs per input element, b per output element. */
static int cost_reduce(opc *c, cf_error *err)
{
    (void)err;
    add_flops(c, mul(t_numel(in(c, 0)), c->row->a));
    if (c->row->b)
        add_flops(c, mul(t_numel(out(c, 0)), c->row->b));
    return 0;
}

/* RNN family. The gate matmuls W x_t and R h_{t-1} for every step, batch
 * row and direction are the MACs; per hidden unit per step the gate math is
 * `per_unit` FLOPs, plus `bias_adds` when B is given (W and R biases summed
 * once at load), plus 6 for LSTM peepholes. sequence_lens can only shorten
 * the run: the figures assume every sequence is full length. */
static int rnn_cost(opc *c, int64_t gates, int64_t per_unit, int64_t bias_adds)
{
    const cf_tensor *x = in(c, 0), *w = in(c, 1), *r = in(c, 2);
    int layout = cf_node_attr_int(c->n, "layout", 0) != 0;
    int64_t seq = t_dim(x, layout ? 1 : 0), batch = t_dim(x, layout ? 0 : 1);
    int64_t isz = first_known(t_dim(x, 2), t_dim(w, 2));
    const char *dir = cf_node_attr_string(c->n, "direction", "forward");
    int64_t dirs = first_known(t_dim(w, 0), strcmp(dir, "bidirectional") == 0 ? 2 : 1);
    int64_t h = cf_node_attr_int(c->n, "hidden_size", UNKNOWN);
    if (h < 0)
        h = first_known(t_dim(r, 2), t_dim(w, 1) >= 0 ? t_dim(w, 1) / gates : UNKNOWN);
    int64_t units = mul(mul(mul(dirs, seq), batch), h); /* hidden units x steps */
    add_macs(c, mul(mul(units, gates), add(isz, h)));
    if (in(c, 3))
        per_unit += bias_adds;
    if (gates == 4 && in(c, 7))
        per_unit += 6;
    add_flops(c, mul(units, per_unit));
    return 0;
}

/* LSTM per unit per step: gate sums 4, sigmoid i f o 3 x 6, tanh g 4,
 * c = f*c + i*g 3, h = o * tanh(c) 5: 34. */
static int cost_lstm(opc *c, cf_error *err)
{
    (void)err;
    return rnn_cost(c, 4, 34, 4);
}

/* GRU: gate sums z r 2, sigmoid z r 2 x 6, n = tanh(Wx + r*(Rh)) 6,
 * h = (1-z)*n + z*h 4: 24. Biases: z and r summed (2), n's two kept apart
 * by linear_before_reset (2). */
static int cost_gru(opc *c, cf_error *err)
{
    (void)err;
    return rnn_cost(c, 3, 24, 4);
}

/* RNN: Wx + Rh 1, tanh 4. */
static int cost_rnn(opc *c, cf_error *err)
{
    (void)err;
    return rnn_cost(c, 1, 5, 1);
}

/* Einsum with one or two operands: the nested loop over every distinct
 * index runs once per combination. Two operands with a summed index: one MAC
 * per combination; with none: an element-wise product (1 FLOP). One operand:
 * one add per combination when something is summed (trace, sum), else a pure
 * copy (transpose, diagonal). Three operands or more depend on the
 * contraction order a runtime picks: element-wise fallback. */
#define EINSUM_MAX_ELL 16

static int letter_index(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a';
    if (ch >= 'A' && ch <= 'Z')
        return 26 + ch - 'A';
    return -1;
}

static int is_arrow(const char *p)
{
    return p[0] == '-' && p[1] == '>';
}

static int is_ellipsis(const char *p)
{
    return p[0] == '.' && p[1] == '.' && p[2] == '.';
}

static int cost_einsum(opc *c, cf_error *err)
{
    (void)err;
    const char *p = cf_node_attr_string(c->n, "equation", NULL);
    int nin = c->n->n_inputs;
    if (!p || nin < 1 || nin > 2) {
        c->fallback = 1;
        return 0;
    }
    int64_t size[52], ell[EINSUM_MAX_ELL];
    int uses[52] = {0}, in_out[52] = {0};
    for (int i = 0; i < 52; i++)
        size[i] = 1;
    for (int i = 0; i < EINSUM_MAX_ELL; i++)
        ell[i] = 1;
    int term = 0, in_ell = 0, out_ell = 0, unknown = 0;
    while (*p && !is_arrow(p)) {
        if (term >= nin) {
            c->fallback = 1;
            return 0;
        }
        const cf_tensor *t = in(c, term);
        const char *q = p;
        int letters = 0, has_ell = 0;
        while (*q && *q != ',' && !is_arrow(q)) {
            if (letter_index(*q) >= 0) {
                letters++;
            } else if (is_ellipsis(q)) {
                has_ell = 1;
                q += 2;
            } else if (*q != ' ') {
                c->fallback = 1;
                return 0;
            }
            q++;
        }
        int r = t_rank(t), er = r - letters;
        if (r < 0) {
            unknown = 1;
        } else if (er < 0 || er > EINSUM_MAX_ELL || (!has_ell && er != 0)) {
            c->fallback = 1;
            return 0;
        }
        int axis = 0;
        for (const char *s = p; s < q; s++) {
            int li = letter_index(*s);
            if (li >= 0) {
                uses[li]++;
                int64_t v = r < 0 ? UNKNOWN : t_dim(t, axis++);
                if (v < 0)
                    unknown = 1;
                else if (size[li] == 1)
                    size[li] = v; /* 1 broadcasts against the others */
            } else if (is_ellipsis(s)) {
                in_ell = 1;
                for (int e = 0; r >= 0 && e < er; e++) {
                    int64_t v = t_dim(t, axis++);
                    int slot = EINSUM_MAX_ELL - er + e;
                    if (v < 0)
                        unknown = 1;
                    else if (ell[slot] == 1)
                        ell[slot] = v;
                }
                s += 2;
            }
        }
        term++;
        p = *q == ',' ? q + 1 : q;
    }
    if (term != nin) {
        c->fallback = 1;
        return 0;
    }
    if (is_arrow(p)) {
        for (p += 2; *p; p++) {
            int li = letter_index(*p);
            if (li >= 0)
                in_out[li] = 1;
            else if (is_ellipsis(p)) {
                out_ell = 1;
                p += 2;
            }
        }
    } else {
        /* Implicit output: the letters used exactly once, and the ellipsis. */
        for (int i = 0; i < 52; i++)
            in_out[i] = uses[i] == 1;
        out_ell = in_ell;
    }
    if (unknown) {
        c->missing = 1;
        return 0;
    }
    int64_t total = 1, ellvol = 1;
    int summed = 0;
    for (int i = 0; i < 52; i++) {
        if (!uses[i])
            continue;
        total = mul(total, size[i]);
        summed |= !in_out[i];
    }
    for (int i = 0; i < EINSUM_MAX_ELL; i++)
        ellvol = mul(ellvol, ell[i]);
    total = mul(total, ellvol);
    summed |= in_ell && !out_ell && ellvol > 1;
    if (nin == 2 && summed)
        add_macs(c, total);
    else if (nin == 2 || summed)
        add_flops(c, total);
    return 0;
}

/* The op table. Keep it grouped by kind; the scan is linear, which costs
 * nothing next to reading a model. docs/costs.md lists the same figures. */
static const op_row op_table[] = {
    /* inner products: MACs */
    {"Conv", "", cost_conv, 0, 0},
    {"ConvInteger", "", cost_conv, 1, 0},
    {"QLinearConv", "", cost_conv, 2, 0},
    {"FusedConv", "com.microsoft", cost_conv, 3, 0},
    {"ConvTranspose", "", cost_convtranspose, 0, 0},
    {"Gemm", "", cost_gemm, 0, 0},
    {"MatMul", "", cost_matmul, 0, 0},
    {"MatMulInteger", "", cost_matmul, 0, 0},
    {"QLinearMatMul", "", cost_matmul, 2, 0},
    {"Einsum", "", cost_einsum, 0, 0},
    {"LSTM", "", cost_lstm, 0, 0},
    {"GRU", "", cost_gru, 0, 0},
    {"RNN", "", cost_rnn, 0, 0},
    /* pooling: a per window element, b = global */
    {"MaxPool", "", cost_pool, 1, 0},
    {"AveragePool", "", cost_pool, 1, 0},
    {"LpPool", "", cost_pool, 2, 0},
    {"GlobalMaxPool", "", cost_pool, 1, 1},
    {"GlobalAveragePool", "", cost_pool, 1, 1},
    {"GlobalLpPool", "", cost_pool, 2, 1},
    /* normalisation: a per element, b per row */
    {"BatchNormalization", "", cost_eltwise, 2, 0},
    {"LayerNormalization", "", cost_layernorm, 6, 4},
    {"RMSNormalization", "", cost_layernorm, 4, 3},
    {"InstanceNormalization", "", cost_instnorm, 7, 4},
    {"GroupNormalization", "", cost_groupnorm, 7, 4},
    {"MeanVarianceNormalization", "", cost_mvn, 5, 4},
    {"LpNormalization", "", cost_lpnorm, 3, 1},
    {"Softmax", "", cost_softmax, 8, 0},
    {"LogSoftmax", "", cost_softmax, 8, 4},
    {"LRN", "", cost_lrn, 0, 0},
    /* resampling */
    {"Resize", "", cost_resize, 0, 0},
    {"Upsample", "", cost_resize, 0, 0},
    /* reductions: a per input element, b per output element */
    {"ReduceSum", "", cost_reduce, 1, 0},
    {"ReduceMean", "", cost_reduce, 1, 1},
    {"ReduceMax", "", cost_reduce, 1, 0},
    {"ReduceMin", "", cost_reduce, 1, 0},
    {"ReduceProd", "", cost_reduce, 1, 0},
    {"ReduceSumSquare", "", cost_reduce, 2, 0},
    {"ReduceL1", "", cost_reduce, 2, 0},
    {"ReduceL2", "", cost_reduce, 2, 1},
    {"ReduceLogSum", "", cost_reduce, 1, 4},
    {"ReduceLogSumExp", "", cost_reduce, 5, 4},
    {"ArgMax", "", cost_reduce, 1, 0},
    {"ArgMin", "", cost_reduce, 1, 0},
    /* element-wise: a FLOPs per output element */
    {"Add", "", cost_eltwise, 1, 0},
    {"Sub", "", cost_eltwise, 1, 0},
    {"Mul", "", cost_eltwise, 1, 0},
    {"Div", "", cost_eltwise, 1, 0},
    {"Mod", "", cost_eltwise, 1, 0},
    {"Neg", "", cost_eltwise, 1, 0},
    {"Abs", "", cost_eltwise, 1, 0},
    {"Sign", "", cost_eltwise, 1, 0},
    {"Reciprocal", "", cost_eltwise, 1, 0},
    {"Sqrt", "", cost_eltwise, 1, 0},
    {"Floor", "", cost_eltwise, 1, 0},
    {"Ceil", "", cost_eltwise, 1, 0},
    {"Round", "", cost_eltwise, 1, 0},
    {"Relu", "", cost_eltwise, 1, 0},
    {"ThresholdedRelu", "", cost_eltwise, 1, 0},
    {"Equal", "", cost_eltwise, 1, 0},
    {"Less", "", cost_eltwise, 1, 0},
    {"LessOrEqual", "", cost_eltwise, 1, 0},
    {"Greater", "", cost_eltwise, 1, 0},
    {"GreaterOrEqual", "", cost_eltwise, 1, 0},
    {"And", "", cost_eltwise, 1, 0},
    {"Or", "", cost_eltwise, 1, 0},
    {"Xor", "", cost_eltwise, 1, 0},
    {"Not", "", cost_eltwise, 1, 0},
    {"BitShift", "", cost_eltwise, 1, 0},
    {"BitwiseAnd", "", cost_eltwise, 1, 0},
    {"BitwiseOr", "", cost_eltwise, 1, 0},
    {"BitwiseXor", "", cost_eltwise, 1, 0},
    {"BitwiseNot", "", cost_eltwise, 1, 0},
    {"IsNaN", "", cost_eltwise, 1, 0},
    {"IsInf", "", cost_eltwise, 1, 0},
    {"Where", "", cost_eltwise, 1, 0},
    {"Hardmax", "", cost_eltwise, 1, 0},
    {"CumSum", "", cost_eltwise, 1, 0},
    {"Clip", "", cost_eltwise, 2, 0},
    {"LeakyRelu", "", cost_eltwise, 2, 0},
    {"PRelu", "", cost_eltwise, 2, 0},
    {"DequantizeLinear", "", cost_eltwise, 2, 0},
    {"Shrink", "", cost_eltwise, 3, 0},
    {"Softsign", "", cost_eltwise, 3, 0},
    {"Exp", "", cost_eltwise, 4, 0},
    {"Log", "", cost_eltwise, 4, 0},
    {"Erf", "", cost_eltwise, 4, 0},
    {"Tanh", "", cost_eltwise, 4, 0},
    {"Sin", "", cost_eltwise, 4, 0},
    {"Cos", "", cost_eltwise, 4, 0},
    {"Tan", "", cost_eltwise, 4, 0},
    {"Asin", "", cost_eltwise, 4, 0},
    {"Acos", "", cost_eltwise, 4, 0},
    {"Atan", "", cost_eltwise, 4, 0},
    {"Sinh", "", cost_eltwise, 4, 0},
    {"Cosh", "", cost_eltwise, 4, 0},
    {"Asinh", "", cost_eltwise, 4, 0},
    {"Acosh", "", cost_eltwise, 4, 0},
    {"Atanh", "", cost_eltwise, 4, 0},
    {"HardSigmoid", "", cost_eltwise, 4, 0},
    {"HardSwish", "", cost_eltwise, 5, 0},
    {"QuantizeLinear", "", cost_eltwise, 5, 0},
    {"Sigmoid", "", cost_eltwise, 6, 0},
    {"Elu", "", cost_eltwise, 7, 0},
    {"DynamicQuantizeLinear", "", cost_eltwise, 7, 0},
    {"Selu", "", cost_eltwise, 8, 0},
    {"Softplus", "", cost_eltwise, 9, 0},
    {"Celu", "", cost_eltwise, 10, 0},
    {"Mish", "", cost_eltwise, 14, 0},
    {"Pow", "", cost_pow, 0, 0},
    {"Gelu", "", cost_gelu, 0, 0},
    {"Gelu", "com.microsoft", cost_eltwise, 8, 0},
    {"FastGelu", "com.microsoft", cost_eltwise, 12, 0},
    {"BiasGelu", "com.microsoft", cost_eltwise, 9, 0},
    {"QuickGelu", "com.microsoft", cost_eltwise, 8, 0},
    /* variadic: one op per extra input, plus a */
    {"Sum", "", cost_variadic, 0, 0},
    {"Max", "", cost_variadic, 0, 0},
    {"Min", "", cost_variadic, 0, 0},
    {"Mean", "", cost_variadic, 1, 0},
    /* data movement: bytes only. If / Loop / Scan get their bodies added. */
    {"Identity", "", cost_none, 0, 0},
    {"Reshape", "", cost_none, 0, 0},
    {"Flatten", "", cost_none, 0, 0},
    {"Squeeze", "", cost_none, 0, 0},
    {"Unsqueeze", "", cost_none, 0, 0},
    {"Transpose", "", cost_none, 0, 0},
    {"Concat", "", cost_none, 0, 0},
    {"Split", "", cost_none, 0, 0},
    {"Slice", "", cost_none, 0, 0},
    {"Gather", "", cost_none, 0, 0},
    {"GatherElements", "", cost_none, 0, 0},
    {"GatherND", "", cost_none, 0, 0},
    {"Scatter", "", cost_none, 0, 0},
    {"ScatterElements", "", cost_none, 0, 0},
    {"ScatterND", "", cost_none, 0, 0},
    {"Shape", "", cost_none, 0, 0},
    {"Size", "", cost_none, 0, 0},
    {"Cast", "", cost_none, 0, 0},
    {"CastLike", "", cost_none, 0, 0},
    {"Pad", "", cost_none, 0, 0},
    {"Expand", "", cost_none, 0, 0},
    {"Tile", "", cost_none, 0, 0},
    {"Constant", "", cost_none, 0, 0},
    {"ConstantOfShape", "", cost_none, 0, 0},
    {"DepthToSpace", "", cost_none, 0, 0},
    {"SpaceToDepth", "", cost_none, 0, 0},
    {"Dropout", "", cost_none, 0, 0},
    {"ReverseSequence", "", cost_none, 0, 0},
    {"Compress", "", cost_none, 0, 0},
    {"EyeLike", "", cost_none, 0, 0},
    {"Trilu", "", cost_none, 0, 0},
    {"OneHot", "", cost_none, 0, 0},
    {"MaxUnpool", "", cost_none, 0, 0},
    {"If", "", cost_none, 0, 0},
    {"Loop", "", cost_none, 0, 0},
    {"Scan", "", cost_none, 0, 0},
    {"Optional", "", cost_none, 0, 0},
    {"OptionalGetElement", "", cost_none, 0, 0},
    {"OptionalHasElement", "", cost_none, 0, 0},
    {"SequenceAt", "", cost_none, 0, 0},
    {"SequenceConstruct", "", cost_none, 0, 0},
    {"SequenceEmpty", "", cost_none, 0, 0},
    {"SequenceErase", "", cost_none, 0, 0},
    {"SequenceInsert", "", cost_none, 0, 0},
    {"SequenceLength", "", cost_none, 0, 0},
    {"SplitToSequence", "", cost_none, 0, 0},
    {"ConcatFromSequence", "", cost_none, 0, 0},
};

static const op_row *find_row(const char *domain, const char *op)
{
    int dflt = is_default_domain(domain);
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++) {
        const op_row *r = &op_table[i];
        if (strcmp(r->op, op) == 0 &&
            (r->domain[0] ? !dflt && strcmp(r->domain, domain) == 0 : dflt))
            return r;
    }
    return NULL;
}

static int64_t activation_flops(const char *op)
{
    const op_row *r = find_row("", op);
    return (r && r->fn == cost_eltwise) ? r->a : 1;
}

int cf_cost_op_known(const char *domain, const char *op_type)
{
    return op_type && find_row(domain, op_type) != NULL;
}

/* --- layers and graphs ------------------------------------------------------ */

typedef struct totals {
    int64_t params, weight_bytes, macs, flops;
    int32_t n_fallback, n_no_shape;
} totals;

/* Worse of two bases for a figure: no shape > element-wise > formula. */
static cf_cost_basis worse(cf_cost_basis a, cf_cost_basis b)
{
    if (a == CF_COST_NO_SHAPE || b == CF_COST_NO_SHAPE)
        return CF_COST_NO_SHAPE;
    if (a == CF_COST_ELEMENTWISE || b == CF_COST_ELEMENTWISE)
        return CF_COST_ELEMENTWISE;
    return CF_COST_FORMULA;
}

static int cost_graph(const cf_graph *g, int depth, cf_layer_static *layers, totals *tot,
                      cf_error *err);

/* Bodies of If / Loop / Scan (and any op with GRAPH attributes), counted
 * once. If runs one branch: its MACs and FLOPs are the larger branch's; its
 * parameters are every branch's, since the model stores them all. */
static int add_bodies(const gctx *gc, const cf_node *n, cf_layer_static *L, cf_error *err)
{
    int is_if = strcmp(n->op_type, "If") == 0 && is_default_domain(n->domain);
    totals best = {0};
    int have = 0;
    for (int a = 0; a < n->n_attrs; a++) {
        const cf_attr *at = &n->attrs[a];
        size_t nb = at->type == CF_ATTR_GRAPH ? 1 : at->type == CF_ATTR_GRAPHS ? at->n : 0;
        for (size_t j = 0; j < nb; j++) {
            const cf_graph *body = at->type == CF_ATTR_GRAPH ? at->g : at->graphs[j];
            if (!body)
                continue;
            totals t = {0};
            int rc = cost_graph(body, gc->depth + 1, NULL, &t, err);
            if (rc) {
                cf_error_prefix(err, "layer %s, body %s", n->name, at->name);
                return rc;
            }
            L->params = add(L->params, t.params);
            L->weight_bytes = add(L->weight_bytes, t.weight_bytes);
            if (t.n_no_shape)
                L->basis = worse(L->basis, CF_COST_NO_SHAPE);
            else if (t.n_fallback)
                L->basis = worse(L->basis, CF_COST_ELEMENTWISE);
            if (!is_if) {
                L->macs = add(L->macs, t.macs);
                L->flops = add(L->flops, t.flops);
            } else if (!have || t.flops > best.flops ||
                       (t.flops == best.flops && t.macs > best.macs)) {
                best = t;
                have = 1;
            }
        }
    }
    if (have) {
        L->macs = add(L->macs, best.macs);
        L->flops = add(L->flops, best.flops);
    }
    return 0;
}

static int layer_cost(const gctx *gc, int32_t k, cf_layer_static *out, cf_error *err)
{
    const cf_graph *g = gc->g;
    const cf_node *n = &g->nodes[k];
    cf_layer_static L;
    memset(&L, 0, sizeof L);
    L.node = k;
    int missing = 0, alias = yields_const(gc, n);

    for (int j = 0; j < n->n_inputs + n->n_outputs; j++) {
        int is_in = j < n->n_inputs;
        int32_t id = is_in ? n->inputs[j] : n->outputs[j - n->n_inputs];
        if (id < 0)
            continue;
        if (id >= g->n_tensors)
            return cf_error_set(err, CF_EINTERNAL, "layer %s: tensor id %d out of range",
                                n->name, (int)id);
        if (is_in ? seen_before(n->inputs, j) : seen_before(n->outputs, j - n->n_inputs))
            continue;
        const cf_tensor *t = &g->tensors[id];
        int64_t b = t_bytes(t);
        if (b < 0) {
            missing = 1;
            b = 0;
        }
        if (!is_in) {
            L.out_bytes = add(L.out_bytes, b);
        } else if (alias) {
            continue; /* the weight is the readers' */
        } else if (is_const(gc, id)) {
            int64_t e = t_numel(t);
            L.params = add(L.params, e < 0 ? 0 : e);
            L.weight_bytes = add(L.weight_bytes, b);
        } else {
            L.in_bytes = add(L.in_bytes, b);
        }
    }

    const op_row *row = find_row(n->domain, n->op_type);
    opc c = {gc, n, row, 0, 0, 0, 0};
    if (row) {
        int rc = row->fn(&c, err);
        if (rc)
            return rc;
    }
    if (!row || c.fallback) {
        /* No formula: one FLOP per output element, of every output. */
        c.macs = c.flops = 0;
        c.missing = 0;
        for (int j = 0; j < n->n_outputs; j++)
            if (n->outputs[j] >= 0 && !seen_before(n->outputs, j))
                add_flops(&c, t_numel(&g->tensors[n->outputs[j]]));
        L.basis = CF_COST_ELEMENTWISE;
    }
    L.macs = c.macs;
    L.flops = c.flops;
    if (missing || c.missing)
        L.basis = CF_COST_NO_SHAPE;

    int rc = add_bodies(gc, n, &L, err);
    if (rc)
        return rc;

    int64_t bytes = add(add(L.weight_bytes, L.in_bytes), L.out_bytes);
    L.intensity = bytes > 0 ? (double)L.flops / (double)bytes : 0.0;
    *out = L;
    return 0;
}

/* Fills producer[] (n_tensors entries) from the nodes' outputs. */
static void map_producers(const cf_graph *g, int32_t *producer)
{
    for (int32_t i = 0; i < g->n_tensors; i++)
        producer[i] = -1;
    for (int32_t k = 0; k < g->n_nodes; k++)
        for (int j = 0; j < g->nodes[k].n_outputs; j++) {
            int32_t id = g->nodes[k].outputs[j];
            if (id >= 0 && id < g->n_tensors && producer[id] < 0)
                producer[id] = k;
        }
}

/* Costs of every node of g, summed into *tot. A weight read by several
 * layers (directly or through Identity aliases) is in each layer's params
 * but only once in the totals: they say what the model stores. layers may
 * be NULL (subgraph bodies keep only their totals). */
static int cost_graph(const cf_graph *g, int depth, cf_layer_static *layers, totals *tot,
                      cf_error *err)
{
    if (depth > MAX_DEPTH)
        return cf_error_set(err, CF_EUNSUPPORTED, "subgraphs nested deeper than %d levels",
                            MAX_DEPTH);
    size_t nt = g->n_tensors > 0 ? (size_t)g->n_tensors : 1;
    int32_t *producer = malloc(nt * sizeof *producer);
    unsigned char *counted = calloc(nt, 1);
    int rc = 0;
    if (!producer || !counted) {
        rc = cf_error_set(err, CF_ENOMEM, "out of memory costing %d layers", (int)g->n_nodes);
        goto done;
    }
    map_producers(g, producer);
    gctx gc = {g, producer, depth};
    for (int32_t k = 0; k < g->n_nodes; k++) {
        cf_layer_static L;
        rc = layer_cost(&gc, k, &L, err);
        if (rc)
            goto done;
        tot->macs = add(tot->macs, L.macs);
        tot->flops = add(tot->flops, L.flops);
        tot->params = add(tot->params, L.params);
        tot->weight_bytes = add(tot->weight_bytes, L.weight_bytes);
        const cf_node *n = &g->nodes[k];
        int alias = yields_const(&gc, n);
        for (int j = 0; j < n->n_inputs && !alias; j++) {
            int32_t id = n->inputs[j], root;
            if (id < 0 || seen_before(n->inputs, j) || (root = const_root(&gc, id)) < 0)
                continue;
            if (counted[root]) {
                const cf_tensor *t = &g->tensors[id];
                int64_t e = t_numel(t), b = t_bytes(t);
                tot->params -= e < 0 ? 0 : e;
                tot->weight_bytes -= b < 0 ? 0 : b;
            }
            counted[root] = 1;
        }
        tot->n_fallback += L.basis == CF_COST_ELEMENTWISE;
        tot->n_no_shape += L.basis == CF_COST_NO_SHAPE;
        if (layers)
            layers[k] = L;
    }
done:
    free(producer);
    free(counted);
    return rc;
}

/* --- peak activation memory ------------------------------------------------- */

typedef struct name_id {
    const char *name;
    int32_t id;
} name_id;

static int name_id_cmp(const void *a, const void *b)
{
    return strcmp(((const name_id *)a)->name, ((const name_id *)b)->name);
}

/* A body reads tensors of the enclosing graphs by name (CF_TENSOR_OUTER):
 * for liveness those count as read by the node that owns the body. Nested
 * bodies are searched too; names not found in the root belong to an
 * intermediate body and are ignored. */
static void mark_outer_uses(const cf_graph *body, const name_id *index, int32_t n_index,
                            int32_t k, int32_t *last, int depth)
{
    if (depth > MAX_DEPTH)
        return;
    for (int32_t i = 0; i < body->n_tensors; i++) {
        if (!(body->tensors[i].flags & CF_TENSOR_OUTER))
            continue;
        name_id key = {body->tensors[i].name, -1};
        const name_id *hit = bsearch(&key, index, (size_t)n_index, sizeof *index, name_id_cmp);
        if (hit && last[hit->id] < k)
            last[hit->id] = k;
    }
    for (int32_t m = 0; m < body->n_nodes; m++) {
        const cf_node *n = &body->nodes[m];
        for (int a = 0; a < n->n_attrs; a++) {
            const cf_attr *at = &n->attrs[a];
            if (at->type == CF_ATTR_GRAPH && at->g)
                mark_outer_uses(at->g, index, n_index, k, last, depth + 1);
            for (size_t j = 0; at->type == CF_ATTR_GRAPHS && j < at->n; j++)
                if (at->graphs[j])
                    mark_outer_uses(at->graphs[j], index, n_index, k, last, depth + 1);
        }
    }
}

static int node_has_body(const cf_node *n)
{
    for (int a = 0; a < n->n_attrs; a++)
        if (n->attrs[a].type == CF_ATTR_GRAPH || n->attrs[a].type == CF_ATTR_GRAPHS)
            return 1;
    return 0;
}

/* A tensor is live from its producer (graph inputs and tensors nobody
 * writes: from the first layer) to its last reader (graph outputs: to the
 * last layer), both ends included. A sweep over a difference array gives the
 * live bytes at each layer in O(nodes + tensors). */
static int peak_memory(const cf_graph *g, cf_model_cost *mc, cf_error *err)
{
    int32_t nn = g->n_nodes, nt = g->n_tensors;
    mc->peak_activation_bytes = 0;
    mc->peak_layer = -1;
    if (nn == 0)
        return 0;
    size_t ntz = nt > 0 ? (size_t)nt : 1;
    int32_t *producer = malloc(ntz * sizeof *producer);
    int32_t *first = malloc(ntz * sizeof *first);
    int32_t *last = malloc(ntz * sizeof *last);
    int64_t *delta = calloc((size_t)nn + 1, sizeof *delta);
    name_id *index = NULL;
    int rc = 0;
    if (!producer || !first || !last || !delta) {
        rc = cf_error_set(err, CF_ENOMEM, "out of memory planning activation memory");
        goto done;
    }
    map_producers(g, producer);
    gctx gc = {g, producer, 0};
    for (int32_t i = 0; i < nt; i++) {
        first[i] = producer[i];
        last[i] = -1;
    }
    for (int32_t i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] >= 0 && g->inputs[i] < nt)
            first[g->inputs[i]] = 0;
    int any_body = 0;
    for (int32_t k = 0; k < nn; k++) {
        const cf_node *n = &g->nodes[k];
        any_body |= node_has_body(n);
        for (int j = 0; j < n->n_inputs + n->n_outputs; j++) {
            int32_t id = j < n->n_inputs ? n->inputs[j] : n->outputs[j - n->n_inputs];
            if (id >= 0 && id < nt && last[id] < k)
                last[id] = k;
        }
    }
    for (int32_t i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] >= 0 && g->outputs[i] < nt)
            last[g->outputs[i]] = nn - 1;
    if (any_body) {
        index = malloc(ntz * sizeof *index);
        if (!index) {
            rc = cf_error_set(err, CF_ENOMEM, "out of memory planning activation memory");
            goto done;
        }
        for (int32_t i = 0; i < nt; i++)
            index[i] = (name_id){g->tensors[i].name, i};
        qsort(index, (size_t)nt, sizeof *index, name_id_cmp);
        for (int32_t k = 0; k < nn; k++) {
            const cf_node *n = &g->nodes[k];
            for (int a = 0; a < n->n_attrs; a++) {
                const cf_attr *at = &n->attrs[a];
                if (at->type == CF_ATTR_GRAPH && at->g)
                    mark_outer_uses(at->g, index, nt, k, last, 1);
                for (size_t j = 0; at->type == CF_ATTR_GRAPHS && j < at->n; j++)
                    if (at->graphs[j])
                        mark_outer_uses(at->graphs[j], index, nt, k, last, 1);
            }
        }
    }
    /* Capping each tensor at INT64_MAX / (tensors + 1) keeps every partial
     * sum of the sweep in range; only absurd shapes ever reach the cap. */
    int64_t cap = INT64_MAX / ((int64_t)nt + 1);
    for (int32_t i = 0; i < nt; i++) {
        if (last[i] < 0 || is_const(&gc, i))
            continue; /* never touched by a layer, or a weight */
        int32_t from = first[i] < 0 ? 0 : first[i];
        int32_t to = last[i] < from ? from : last[i];
        int64_t b = t_bytes(&g->tensors[i]);
        if (b <= 0)
            continue;
        if (b > cap)
            b = cap;
        delta[from] += b;
        delta[to + 1] -= b;
    }
    int64_t live = 0;
    for (int32_t k = 0; k < nn; k++) {
        live += delta[k];
        if (mc->peak_layer < 0 || live > mc->peak_activation_bytes) {
            mc->peak_activation_bytes = live;
            mc->peak_layer = k;
        }
    }
done:
    free(producer);
    free(first);
    free(last);
    free(delta);
    free(index);
    return rc;
}

/* --- public ----------------------------------------------------------------- */

int cf_cost_layer(const cf_graph *g, int32_t node, cf_layer_static *out, cf_error *err)
{
    if (!g || !out)
        return cf_error_set(err, CF_EINVAL, "cf_cost_layer: no graph or no result");
    if (node < 0 || node >= g->n_nodes)
        return cf_error_set(err, CF_EINVAL, "no layer %d: the graph has %d", (int)node,
                            (int)g->n_nodes);
    gctx gc = {g, NULL, 0};
    return layer_cost(&gc, node, out, err);
}

int cf_cost_compute(const cf_graph *g, cf_model_cost **out, cf_error *err)
{
    if (!g || !out)
        return cf_error_set(err, CF_EINVAL, "cf_cost_compute: no graph or no result");
    cf_model_cost *mc = calloc(1, sizeof *mc);
    if (!mc)
        return cf_error_set(err, CF_ENOMEM, "out of memory costing the model");
    mc->layers = calloc(g->n_nodes > 0 ? (size_t)g->n_nodes : 1, sizeof *mc->layers);
    if (!mc->layers) {
        free(mc);
        return cf_error_set(err, CF_ENOMEM, "out of memory costing %d layers", (int)g->n_nodes);
    }
    mc->n_layers = g->n_nodes;
    totals tot = {0};
    int rc = cost_graph(g, 0, mc->layers, &tot, err);
    if (!rc)
        rc = peak_memory(g, mc, err);
    if (rc) {
        cf_model_cost_free(mc);
        return rc;
    }
    mc->params = tot.params;
    mc->weight_bytes = tot.weight_bytes;
    mc->macs = tot.macs;
    mc->flops = tot.flops;
    mc->n_elementwise_fallback = tot.n_fallback;
    mc->n_no_shape = tot.n_no_shape;
    *out = mc;
    return 0;
}

void cf_model_cost_free(cf_model_cost *c)
{
    if (!c)
        return;
    free(c->layers);
    free(c);
}

const char *cf_cost_basis_name(cf_cost_basis b)
{
    switch (b) {
    case CF_COST_FORMULA:
        return "formula";
    case CF_COST_ELEMENTWISE:
        return "element-wise";
    case CF_COST_NO_SHAPE:
        return "no shape";
    }
    return "?";
}
