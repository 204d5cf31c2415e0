#include "schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the graph looks like around a tensor ----------------------------------- */

typedef struct graph_use {
    int32_t *n_reads;    /* per tensor: node inputs that read it (a node reading twice counts 2) */
    int32_t *reader;     /* per tensor: the last node seen reading it */
    uint8_t *pinned;     /* per tensor: a graph output or read by a subgraph */
} graph_use;

static void pin(void *user, int32_t id)
{
    ((graph_use *)user)->pinned[id] = 1;
}

static int use_make(graph_use *u, const cf_graph *g)
{
    size_t nt = (size_t)g->n_tensors + 1;
    u->n_reads = calloc(nt, sizeof *u->n_reads);
    u->reader = calloc(nt, sizeof *u->reader);
    u->pinned = calloc(nt, sizeof *u->pinned);
    if (!u->n_reads || !u->reader || !u->pinned)
        return CF_ENOMEM;
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_inputs; j++)
            if (n->inputs[j] >= 0) {
                u->n_reads[n->inputs[j]]++;
                u->reader[n->inputs[j]] = k;
            }
        cf_node_outer_reads(g, n, pin, u);
    }
    for (int32_t i = 0; i < g->n_outputs; i++)
        u->pinned[g->outputs[i]] = 1;
    return 0;
}

static void use_free(graph_use *u)
{
    free(u->n_reads);
    free(u->reader);
    free(u->pinned);
}

/* The static shape of tensor id, or rank -1. */
static int static_dims(const cf_graph *g, int32_t id, int64_t *dims)
{
    const cf_shape *s = &g->tensors[id].shape;
    if (s->rank < 0 || s->rank > CF_MAX_RANK)
        return -1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i].value < 0)
            return -1;
        dims[i] = s->dims[i].value;
    }
    return s->rank;
}

static int same_static_shape(const cf_graph *g, int32_t a, int32_t b)
{
    int64_t da[CF_MAX_RANK], db[CF_MAX_RANK];
    int ra = static_dims(g, a, da), rb = static_dims(g, b, db);
    return ra >= 0 && ra == rb && memcmp(da, db, (size_t)ra * sizeof *da) == 0;
}

/* A float scalar constant (an initializer, or a Constant layer's output, of
 * one element); dflt when id < 0. */
static int const_float(const cf_graph *g, int32_t id, float dflt, float *out)
{
    if (id < 0) {
        *out = dflt;
        return 1;
    }
    const cf_tensor *t = &g->tensors[id];
    if (!(t->flags & CF_TENSOR_INITIALIZER) && t->producer >= 0) {
        /* the output of a Constant layer (how torch exports Clip's bounds) */
        const cf_node *c = &g->nodes[t->producer];
        const cf_attr *v = cf_node_attr(c, "value");
        if (strcmp(c->op_type, "Constant") || strcmp(c->domain, "") || !v ||
            v->type != CF_ATTR_TENSOR || !v->t)
            return 0;
        t = v->t;
    }
    int64_t n = 0;
    if (!t->data || t->dtype != CF_DT_FLOAT || !cf_shape_numel(&t->shape, &n) || n != 1)
        return 0;
    memcpy(out, t->data, sizeof *out);
    return 1;
}

/* ---- fusion ------------------------------------------------------------------------- */

/* The post-op for an element-wise layer j reading x as its only data input,
 * or 0 when j is not one a kernel can fold. */
static int activation_op(const cf_graph *g, const cf_node *j, int32_t x, cf_post_op *op)
{
    if (j->n_inputs < 1 || j->inputs[0] != x || j->n_outputs != 1 || j->outputs[0] < 0 ||
        strcmp(j->domain, "") != 0)
        return 0;
    const char *t = j->op_type;
    op->alpha = op->beta = 0;
    if (strcmp(t, "Relu") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_RELU;
    } else if (strcmp(t, "LeakyRelu") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_RELU;
        op->alpha = cf_node_attr_float(j, "alpha", 0.01f);
    } else if (strcmp(t, "Clip") == 0) {
        op->kind = CF_POST_CLIP;
        if (j->n_attrs) {   /* opset < 11: min and max are attributes */
            op->alpha = cf_node_attr_float(j, "min", -INFINITY);
            op->beta = cf_node_attr_float(j, "max", INFINITY);
            if (j->n_inputs != 1)
                return 0;
        } else if (!const_float(g, j->n_inputs > 1 ? j->inputs[1] : -1, -INFINITY, &op->alpha) ||
                   !const_float(g, j->n_inputs > 2 ? j->inputs[2] : -1, INFINITY, &op->beta)) {
            return 0;
        }
        /* oneDNN's clip wants finite bounds; FLT_MAX clips nothing a float holds. */
        op->alpha = isinf(op->alpha) ? -3.402823466e38f : op->alpha;
        op->beta = isinf(op->beta) ? 3.402823466e38f : op->beta;
        if (!(op->alpha <= op->beta))
            return 0;
    } else if (strcmp(t, "Sigmoid") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_SIGMOID;
    } else if (strcmp(t, "Tanh") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_TANH;
    } else if (strcmp(t, "HardSwish") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_HARDSWISH;
    } else if (strcmp(t, "HardSigmoid") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_HARDSIGMOID;
        op->alpha = cf_node_attr_float(j, "alpha", 0.2f);
        op->beta = cf_node_attr_float(j, "beta", 0.5f);
    } else if (strcmp(t, "Elu") == 0 && j->n_inputs == 1) {
        op->kind = CF_POST_ELU;
        op->alpha = cf_node_attr_float(j, "alpha", 1.0f);
    } else {
        return 0;
    }
    return 1;
}

/* Node k's layer the only reader of x, when exactly one node reads x once. */
static int32_t only_reader(const graph_use *u, int32_t x)
{
    return u->n_reads[x] == 1 && !u->pinned[x] ? u->reader[x] : -1;
}

/* SiLU: x read by exactly Sigmoid s (x) and Mul m (x, s's output), s's
 * output read by m alone. Returns m, sets *sig to s. */
static int32_t swish_at(const cf_graph *g, const graph_use *u, int32_t x, int32_t *sig)
{
    if (u->n_reads[x] != 2 || u->pinned[x])
        return -1;
    int32_t s = -1, m = -1;
    for (int32_t k = 0; k < g->n_nodes && (s < 0 || m < 0); k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_inputs; j++) {
            if (n->inputs[j] != x)
                continue;
            if (strcmp(n->op_type, "Sigmoid") == 0 && n->n_inputs == 1)
                s = k;
            else if (strcmp(n->op_type, "Mul") == 0 && n->n_inputs == 2)
                m = k;
        }
    }
    if (s < 0 || m < 0 || strcmp(g->nodes[s].domain, "") || strcmp(g->nodes[m].domain, ""))
        return -1;
    int32_t sy = g->nodes[s].outputs[0];
    const cf_node *mn = &g->nodes[m];
    if (sy < 0 || only_reader(u, sy) != m || mn->n_outputs != 1 || mn->outputs[0] < 0 ||
        !((mn->inputs[0] == x && mn->inputs[1] == sy) || (mn->inputs[0] == sy && mn->inputs[1] == x)))
        return -1;
    *sig = s;
    return m;
}

static const char *post_name(const cf_graph *g, const cf_post_op *op)
{
    return op->kind == CF_POST_SWISH ? "SiLU" : g->nodes[op->node].op_type;
}

/* Folds what follows node k into it, as far as its kernel accepts. */
static int fuse_after(cf_schedule *s, const cf_graph *g, const graph_use *u,
                      const cf_kernel_i *kern, void *state, int32_t k, cf_error *err)
{
    const cf_node *n = &g->nodes[k];
    if (n->n_outputs < 1 || n->outputs[0] < 0 || g->tensors[n->outputs[0]].dtype != CF_DT_FLOAT)
        return 0;
    cf_post_op ops[CF_MAX_POST_OPS];
    int32_t last[CF_MAX_POST_OPS], sig_of[CF_MAX_POST_OPS], addend[CF_MAX_POST_OPS];
    int n_ops = 0, have_sum = 0;
    int32_t x = n->outputs[0];
    while (n_ops < CF_MAX_POST_OPS) {
        cf_post_op op = {0};
        int32_t sig = -1, r = -1, j = only_reader(u, x);
        if (j >= 0 && s->host[j] < 0 && activation_op(g, &g->nodes[j], x, &op)) {
            /* an activation */
        } else if (j >= 0 && s->host[j] < 0 && !have_sum &&
                   strcmp(g->nodes[j].op_type, "Add") == 0 && !strcmp(g->nodes[j].domain, "") &&
                   g->nodes[j].n_inputs == 2 && g->nodes[j].n_outputs == 1 &&
                   g->nodes[j].outputs[0] >= 0) {
            /* a residual Add: the addend has x's shape and exists before k runs */
            const cf_node *a = &g->nodes[j];
            r = a->inputs[0] == x ? a->inputs[1] : a->inputs[0];
            if (r < 0 || r == x || g->tensors[r].dtype != CF_DT_FLOAT ||
                !same_static_shape(g, r, x) || !same_static_shape(g, a->outputs[0], x) ||
                g->tensors[r].producer >= k)
                break;
            op.kind = CF_POST_SUM;
        } else if ((j = swish_at(g, u, x, &sig)) >= 0 && s->host[j] < 0 && s->host[sig] < 0) {
            op.kind = CF_POST_SWISH;
            op.alpha = 1.0f;
        } else {
            break;
        }
        op.node = j;
        last[n_ops] = j;
        sig_of[n_ops] = sig;
        addend[n_ops] = r;
        have_sum |= op.kind == CF_POST_SUM;
        ops[n_ops++] = op;
        x = g->nodes[j].outputs[0];
    }
    /* The kernel takes the longest prefix it can. */
    int take = n_ops;
    for (; take > 0; take--) {
        int rc = kern->fuse(state, n, ops, take, err);
        if (rc == 0)
            break;
        if (rc != CF_EUNSUPPORTED)
            return rc;
        cf_error_clear(err);
    }
    if (!take)
        return 0;
    char label[160];
    int len = snprintf(label, sizeof label, "%s", kern->impl);
    for (int i = 0; i < take; i++) {
        s->host[last[i]] = k;
        if (sig_of[i] >= 0)
            s->host[sig_of[i]] = k;
        if (addend[i] >= 0)
            s->sum_in[k] = addend[i];
        if (len < (int)sizeof label)
            len += snprintf(label + len, sizeof label - (size_t)len, "+%s", post_name(g, &ops[i]));
    }
    s->out_ids[s->out_at[k]] = g->nodes[last[take - 1]].outputs[0];
    s->impl[k] = strdup(label);
    for (int i = 0; i < take; i++) {
        int32_t ids[2] = {last[i], sig_of[i]};
        for (int q = 0; q < 2; q++) {
            if (ids[q] < 0)
                continue;
            char buf[48];
            snprintf(buf, sizeof buf, "fused into %d", (int)k);
            s->impl[ids[q]] = strdup(buf);
        }
    }
    return 0;
}

/* ---- layout --------------------------------------------------------------------------- */

/* Element-wise ops whose kernels neither know nor care where an element
 * sits: the same function of the same-index operands (numpy broadcasting,
 * no axis attribute). Given channels-last operands through their physical
 * dims, they compute the channels-last result. */
static int order_free(const cf_graph *g, const cf_node *n)
{
    /* Quantize/Dequantize with one scale (and zero point) for the tensor. */
    if ((strcmp(n->op_type, "QuantizeLinear") == 0 ||
         strcmp(n->op_type, "DequantizeLinear") == 0) && !strcmp(n->domain, "") &&
        n->n_outputs == 1) {
        for (int j = 1; j < n->n_inputs; j++) {
            int64_t cnt = 0;
            if (n->inputs[j] >= 0 &&
                (!cf_shape_numel(&g->tensors[n->inputs[j]].shape, &cnt) || cnt != 1))
                return 0;
        }
        return 1;
    }
    static const char *const ops[] = {
        "Abs", "Neg", "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt",
        "Reciprocal", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Softplus", "Softsign",
        "Erf", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Identity", "Add", "Sub", "Mul",
        "Div", "Pow", "Max", "Min", "Sum", "Mean", "PRelu", NULL};
    if (strcmp(n->domain, "") != 0 || n->n_outputs != 1)
        return 0;
    for (const char *const *o = ops; *o; o++)
        if (strcmp(*o, n->op_type) == 0)
            return 1;
    return 0;
}

/* A plain tensor whose bytes read the same channels-last, against an output
 * of rank r: static, and every dim past the channel (numpy-aligned to r) 1. */
static int order_neutral(const cf_graph *g, int32_t id, int r)
{
    int64_t d[CF_MAX_RANK];
    int rank = static_dims(g, id, d);
    if (rank < 0 || rank > r)
        return 0;
    for (int i = 0; i < rank; i++) {
        int axis = r - rank + i;   /* where dim i lands in the output */
        if (axis >= 2 && d[i] != 1)
            return 0;
    }
    return 1;
}

static int demote(uint8_t *lay, int32_t id)
{
    if (id < 0 || lay[id] == CF_LAYOUT_PLAIN)
        return 0;
    lay[id] = CF_LAYOUT_PLAIN;
    return 1;
}

static int demote_inputs(uint8_t *lay, const cf_node *n)
{
    int changed = 0;
    for (int j = 0; j < n->n_inputs; j++)
        changed |= demote(lay, n->inputs[j]);
    return changed;
}

/* One check of node k against the current choice; demotes what disagrees.
 * Returns 1 when something changed. first: the optimistic first pass
 * (producers set what they would like). */
static int layout_check(cf_schedule *s, const cf_graph *g, const graph_use *u,
                        const cf_kernel_i *kern, void *state, int32_t k, int first)
{
    const cf_node *n = &g->nodes[k];
    uint8_t *lay = s->layout;
    int32_t y = n->n_outputs ? s->out_ids[s->out_at[k]] : -1;
    int changed = 0;
    if (kern->layout) {
        uint8_t in[64] = {0}, can[16] = {0};
        if (n->n_inputs > 64 || n->n_outputs > 16)
            return demote_inputs(lay, n);
        for (int j = 0; j < n->n_inputs; j++)
            in[j] = n->inputs[j] >= 0 ? lay[n->inputs[j]] : CF_LAYOUT_PLAIN;
        if (!kern->layout(state, n, in, can, 0, NULL))
            return demote_inputs(lay, n);
        for (int i = 0; i < n->n_outputs && i < 16; i++) {
            int32_t id = s->out_ids[s->out_at[k] + i];
            if (id < 0)
                continue;
            if (first && (can[i] & CF_LAYOUT_BIT(CF_LAYOUT_CHANNELS_LAST)) && !u->pinned[id])
                lay[id] = CF_LAYOUT_CHANNELS_LAST;
            else if (!(can[i] & CF_LAYOUT_BIT(lay[id])) && lay[id] != CF_LAYOUT_PLAIN)
                changed |= demote(lay, id);
            else if (!(can[i] & CF_LAYOUT_BIT(lay[id])))
                changed |= demote_inputs(lay, n);   /* it writes plain only from plain */
        }
        int32_t r = s->sum_in[k];
        if (r >= 0 && y >= 0 && lay[r] != lay[y]) {
            changed |= demote(lay, r);
            changed |= demote(lay, y);
        }
        return changed;
    }
    if (!s->physical[k] && !first)
        return demote_inputs(lay, n);
    if (!order_free(g, n) || y < 0 || n->n_inputs > CF_MAX_PHYSICAL_IN)
        return demote_inputs(lay, n);
    int any = 0, r = g->tensors[y].shape.rank;
    for (int j = 0; j < n->n_inputs; j++)
        any |= n->inputs[j] >= 0 && lay[n->inputs[j]] != CF_LAYOUT_PLAIN;
    if (first) {
        s->physical[k] = (uint8_t)any;
        if (any && r >= 3 && !u->pinned[y] && g->tensors[y].dtype != CF_DT_UNDEFINED)
            lay[y] = CF_LAYOUT_CHANNELS_LAST;
    }
    int ok = any && lay[y] != CF_LAYOUT_PLAIN;
    for (int j = 0; ok && j < n->n_inputs; j++) {
        int32_t id = n->inputs[j];
        if (id < 0)
            continue;
        if (lay[id] != CF_LAYOUT_PLAIN)
            ok = g->tensors[id].shape.rank == r;
        else
            ok = order_neutral(g, id, r);
    }
    if (!ok) {
        changed |= demote_inputs(lay, n);
        changed |= demote(lay, y);
        s->physical[k] = 0;
    }
    return changed;
}

static int plan_layouts(cf_schedule *s, const cf_graph *g, const graph_use *u,
                        const cf_kernel_i *const *kernels, void *const *states, cf_error *err)
{
    for (int32_t k = 0; k < g->n_nodes; k++)
        if (s->host[k] < 0)
            layout_check(s, g, u, kernels[k], states[k], k, 1);
    for (int changed = 1; changed;) {
        changed = 0;
        for (int32_t k = 0; k < g->n_nodes; k++)
            if (s->host[k] < 0)
                changed |= layout_check(s, g, u, kernels[k], states[k], k, 0);
    }
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        if (s->host[k] >= 0 || !kernels[k]->layout)
            continue;
        uint8_t in[64] = {0}, out[16] = {0};
        for (int j = 0; j < n->n_inputs && j < 64; j++)
            in[j] = n->inputs[j] >= 0 ? s->layout[n->inputs[j]] : CF_LAYOUT_PLAIN;
        for (int j = 0; j < n->n_outputs && j < 16; j++) {
            int32_t id = s->out_ids[s->out_at[k] + j];
            out[j] = id >= 0 ? s->layout[id] : CF_LAYOUT_PLAIN;
        }
        if (!kernels[k]->layout(states[k], n, in, out, 1, err))
            return err && err->code ? err->code : CF_EINTERNAL;
    }
    return 0;
}

/* ---- the schedule ------------------------------------------------------------------------- */

int cf_schedule_make(cf_schedule *s, const cf_graph *g, const cf_kernel_i *const *kernels,
                     void *const *states, int reference_only, cf_error *err)
{
    memset(s, 0, sizeof *s);
    size_t nn = (size_t)g->n_nodes + 1, nt = (size_t)g->n_tensors + 1, no = 1;
    for (int32_t k = 0; k < g->n_nodes; k++)
        no += (size_t)g->nodes[k].n_outputs;
    s->host = malloc(nn * sizeof *s->host);
    s->out_ids = malloc(no * sizeof *s->out_ids);
    s->out_at = malloc(nn * sizeof *s->out_at);
    s->sum_in = malloc(nn * sizeof *s->sum_in);
    s->impl = calloc(nn, sizeof *s->impl);
    s->layout = calloc(nt, sizeof *s->layout);
    s->physical = calloc(nn, sizeof *s->physical);
    graph_use u = {0};
    int rc = 0;
    if (!s->host || !s->out_ids || !s->out_at || !s->sum_in || !s->impl || !s->layout ||
        !s->physical || use_make(&u, g)) {
        rc = cf_error_set(err, CF_ENOMEM, "out of memory planning the CPU backend");
        goto done;
    }
    for (int32_t k = 0, o = 0; k < g->n_nodes; k++) {
        s->host[k] = -1;
        s->sum_in[k] = -1;
        s->out_at[k] = o;
        for (int j = 0; j < g->nodes[k].n_outputs; j++)
            s->out_ids[o++] = g->nodes[k].outputs[j];
    }
    if (reference_only)
        goto done;
    for (int32_t k = 0; k < g->n_nodes && !rc; k++)
        if (s->host[k] < 0 && kernels[k]->fuse)
            rc = fuse_after(s, g, &u, kernels[k], states[k], k, err);
    if (!rc)
        rc = plan_layouts(s, g, &u, kernels, states, err);
done:
    use_free(&u);
    return rc;
}

void cf_schedule_free(cf_schedule *s, const cf_graph *g)
{
    for (int32_t k = 0; s->impl && k < g->n_nodes; k++)
        free(s->impl[k]);
    free(s->host);
    free(s->out_ids);
    free(s->out_at);
    free(s->sum_in);
    free(s->impl);
    free(s->layout);
    free(s->physical);
    memset(s, 0, sizeof *s);
}

void cf_physical_dims(const cf_value *v, int rank, int *out_rank, int64_t *out)
{
    int64_t d[CF_MAX_RANK] = {0};
    int r = v->rank;
    if (v->layout == CF_LAYOUT_CHANNELS_LAST) {
        memcpy(d, v->dims, (size_t)r * sizeof *d);
    } else if (r < 3 || r > rank) {
        /* a neutral operand of rank < 3 holds one element: as it is */
        *out_rank = r;
        memcpy(out, v->dims, (size_t)r * sizeof *out);
        return;
    } else {
        /* numpy-aligned to rank (leading 1s); the dims past C are all 1 */
        for (int i = 0; i < rank; i++)
            d[i] = i < rank - r ? 1 : v->dims[i - (rank - r)];
        r = rank;
    }
    out[0] = d[0];
    for (int i = 2; i < r; i++)
        out[i - 1] = d[i];
    out[r - 1] = d[1];
    *out_rank = r;
}

void cf_logical_dims(int r, const int64_t *phys, int64_t *out)
{
    int64_t c = phys[r - 1];
    out[0] = phys[0];
    for (int i = r - 1; i >= 2; i--)
        out[i] = phys[i - 1];
    out[1] = c;
}
