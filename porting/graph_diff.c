#include "graph_diff.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Where the comparison stands ("layer If_0 attribute then_branch: ") and where
 * the verdict goes. The first difference ends the walk. */
typedef struct diff_ctx {
    char *why;
    size_t size;
    char where[512];
} diff_ctx;

__attribute__((format(printf, 2, 3))) static int differ(diff_ctx *c, const char *fmt, ...)
{
    if (!c->why || c->size == 0)
        return 1;
    int n = snprintf(c->why, c->size, "%s", c->where);
    if (n < 0 || (size_t)n >= c->size)
        return 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why + n, c->size - (size_t)n, fmt, ap);
    va_end(ap);
    return 1;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int bytes_eq(const cf_bytes *x, const cf_bytes *y)
{
    return x->len == y->len && (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
}

static int shape_diff(diff_ctx *c, const char *what, const cf_tensor *x, const cf_tensor *y)
{
    char sa[128], sb[128];
    int same = x->shape.rank == y->shape.rank;
    for (int i = 0; same && i < x->shape.rank; i++) {
        const cf_dim *p = &x->shape.dims[i], *q = &y->shape.dims[i];
        same = p->value == q->value && strcmp(nz(p->param), nz(q->param)) == 0;
    }
    if (!same)
        return differ(c, "%s '%s': shape %s vs %s", what, x->name,
                      cf_shape_format(&x->shape, sa, sizeof sa),
                      cf_shape_format(&y->shape, sb, sizeof sb));
    return 0;
}

/* Element type, shape, non-tensor type and (with_data) the constant data. */
static int tensor_diff(diff_ctx *c, const char *what, const cf_tensor *x, const cf_tensor *y,
                       int with_data)
{
    if (strcmp(nz(x->name), nz(y->name)) != 0)
        return differ(c, "%s: name '%s' vs '%s'", what, nz(x->name), nz(y->name));
    if (x->dtype != y->dtype)
        return differ(c, "%s '%s': element type %s vs %s", what, x->name,
                      cf_dtype_name(x->dtype), cf_dtype_name(y->dtype));
    if (shape_diff(c, what, x, y))
        return 1;
    if (!bytes_eq(&x->type_raw, &y->type_raw))
        return differ(c, "%s '%s': its non-tensor type differs", what, x->name);
    if (!with_data)
        return 0;
    if (x->nbytes != y->nbytes || (!x->data) != (!y->data))
        return differ(c, "%s '%s': %zu bytes of data vs %zu", what, x->name,
                      x->data ? x->nbytes : (size_t)0, y->data ? y->nbytes : (size_t)0);
    if (x->nbytes && x->data && memcmp(x->data, y->data, x->nbytes) != 0) {
        size_t i = 0;
        while (((const unsigned char *)x->data)[i] == ((const unsigned char *)y->data)[i])
            i++;
        return differ(c, "%s '%s': data differs from byte %zu on", what, x->name, i);
    }
    if (x->n_strings != y->n_strings)
        return differ(c, "%s '%s': %zu strings vs %zu", what, x->name, x->n_strings,
                      y->n_strings);
    for (size_t i = 0; i < x->n_strings; i++)
        if (!bytes_eq(&x->strings[i], &y->strings[i]))
            return differ(c, "%s '%s': string %zu differs", what, x->name, i);
    return 0;
}

static int graph_diff(diff_ctx *c, const cf_graph *a, const cf_graph *b);

/* Runs graph_diff on two subgraphs with the context extended, then puts the
 * context back. */
static int sub_diff(diff_ctx *c, const cf_graph *a, const cf_graph *b, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sub_diff(diff_ctx *c, const cf_graph *a, const cf_graph *b, const char *fmt, ...)
{
    size_t len = strlen(c->where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->where + len, sizeof c->where - len, fmt, ap);
    va_end(ap);
    int rc;
    if (!a || !b)
        rc = (a != b) ? differ(c, "a subgraph is missing on one side") : 0;
    else
        rc = graph_diff(c, a, b);
    c->where[len] = '\0';
    return rc;
}

static int attr_diff(diff_ctx *c, const char *layer, const cf_attr *x, const cf_attr *y)
{
    const char *nm = x->name;
    if (x->type != y->type)
        return differ(c, "layer %s: attribute '%s': kind %d vs %d", layer, nm, (int)x->type,
                      (int)y->type);
    if (strcmp(nz(x->ref_attr_name), nz(y->ref_attr_name)) != 0)
        return differ(c, "layer %s: attribute '%s': refers to '%s' vs '%s'", layer, nm,
                      nz(x->ref_attr_name), nz(y->ref_attr_name));
    int list = x->type >= CF_ATTR_FLOATS && x->type <= CF_ATTR_GRAPHS;
    list = list || x->type == CF_ATTR_SPARSE_TENSORS || x->type == CF_ATTR_TYPE_PROTOS;
    if (list && x->n != y->n)
        return differ(c, "layer %s: attribute '%s': %zu values vs %zu", layer, nm, x->n, y->n);
    char what[300];
    snprintf(what, sizeof what, "layer %s: attribute '%s': tensor", layer, nm);
    switch (x->type) {
    case CF_ATTR_FLOAT:
        /* Bits, not ==: a NaN default must still compare equal to itself. */
        if (memcmp(&x->f, &y->f, sizeof x->f) != 0)
            return differ(c, "layer %s: attribute '%s': %g vs %g", layer, nm, x->f, y->f);
        break;
    case CF_ATTR_INT:
        if (x->i != y->i)
            return differ(c, "layer %s: attribute '%s': %" PRId64 " vs %" PRId64, layer, nm,
                          x->i, y->i);
        break;
    case CF_ATTR_STRING:
        if (!bytes_eq(&x->s, &y->s))
            return differ(c, "layer %s: attribute '%s': '%s' vs '%s'", layer, nm,
                          nz(x->s.data), nz(y->s.data));
        break;
    case CF_ATTR_TENSOR:
        if (!x->t || !y->t)
            return (x->t != y->t)
                       ? differ(c, "layer %s: attribute '%s': tensor missing", layer, nm)
                       : 0;
        return tensor_diff(c, what, x->t, y->t, 1);
    case CF_ATTR_GRAPH:
        return sub_diff(c, x->g, y->g, "layer %s attribute %s: ", layer, nm);
    case CF_ATTR_FLOATS:
        for (size_t i = 0; i < x->n; i++)
            if (memcmp(&x->floats[i], &y->floats[i], sizeof(float)) != 0)
                return differ(c, "layer %s: attribute '%s': value %zu: %g vs %g", layer, nm, i,
                              x->floats[i], y->floats[i]);
        break;
    case CF_ATTR_INTS:
        for (size_t i = 0; i < x->n; i++)
            if (x->ints[i] != y->ints[i])
                return differ(c, "layer %s: attribute '%s': value %zu: %" PRId64 " vs %" PRId64,
                              layer, nm, i, x->ints[i], y->ints[i]);
        break;
    case CF_ATTR_STRINGS:
        for (size_t i = 0; i < x->n; i++)
            if (!bytes_eq(&x->strings[i], &y->strings[i]))
                return differ(c, "layer %s: attribute '%s': value %zu: '%s' vs '%s'", layer, nm,
                              i, nz(x->strings[i].data), nz(y->strings[i].data));
        break;
    case CF_ATTR_TENSORS:
        for (size_t i = 0; i < x->n; i++)
            if (tensor_diff(c, what, x->tensors[i], y->tensors[i], 1))
                return 1;
        break;
    case CF_ATTR_GRAPHS:
        for (size_t i = 0; i < x->n; i++)
            if (sub_diff(c, x->graphs[i], y->graphs[i], "layer %s attribute %s[%zu]: ", layer,
                         nm, i))
                return 1;
        break;
    case CF_ATTR_SPARSE_TENSOR:
    case CF_ATTR_SPARSE_TENSORS:
    case CF_ATTR_TYPE_PROTO:
    case CF_ATTR_TYPE_PROTOS: {
        size_t n = list ? x->n : 1;
        if (!x->raw || !y->raw)
            return (x->raw != y->raw) ? differ(c, "layer %s: attribute '%s': bytes missing",
                                               layer, nm)
                                      : 0;
        for (size_t i = 0; i < n; i++)
            if (!bytes_eq(&x->raw[i], &y->raw[i]))
                return differ(c, "layer %s: attribute '%s': serialized value %zu differs", layer,
                              nm, i);
        break;
    }
    default:
        break;
    }
    return 0;
}

static const char *io_name(const cf_graph *g, int32_t id)
{
    return id < 0 ? "" : g->tensors[id].name;
}

static int node_diff(diff_ctx *c, int32_t k, const cf_graph *a, const cf_node *x,
                     const cf_graph *b, const cf_node *y)
{
    char layer[256];
    snprintf(layer, sizeof layer, "%d (%s)", (int)k, x->name);
    if (strcmp(x->op_type, y->op_type) != 0 || strcmp(nz(x->domain), nz(y->domain)) != 0)
        return differ(c, "layer %s: op %s%s%s vs %s%s%s", layer, nz(x->domain),
                      x->domain && x->domain[0] ? ":" : "", x->op_type, nz(y->domain),
                      y->domain && y->domain[0] ? ":" : "", y->op_type);
    /* Names the bridge made up for unnamed layers depend on the order they
     * were read in, so only given names count. */
    if (x->named != y->named || (x->named && strcmp(x->name, y->name) != 0))
        return differ(c, "layer %s: name '%s'%s vs '%s'%s", layer, x->name,
                      x->named ? "" : " (made up)", y->name, y->named ? "" : " (made up)");
    if (x->n_inputs != y->n_inputs)
        return differ(c, "layer %s: %d inputs vs %d", layer, x->n_inputs, y->n_inputs);
    for (int j = 0; j < x->n_inputs; j++)
        if (strcmp(io_name(a, x->inputs[j]), io_name(b, y->inputs[j])) != 0)
            return differ(c, "layer %s: input %d is '%s' vs '%s'", layer, j,
                          io_name(a, x->inputs[j]), io_name(b, y->inputs[j]));
    if (x->n_outputs != y->n_outputs)
        return differ(c, "layer %s: %d outputs vs %d", layer, x->n_outputs, y->n_outputs);
    for (int j = 0; j < x->n_outputs; j++)
        if (strcmp(io_name(a, x->outputs[j]), io_name(b, y->outputs[j])) != 0)
            return differ(c, "layer %s: output %d is '%s' vs '%s'", layer, j,
                          io_name(a, x->outputs[j]), io_name(b, y->outputs[j]));
    if (x->n_attrs != y->n_attrs)
        return differ(c, "layer %s: %d attributes vs %d", layer, x->n_attrs, y->n_attrs);
    for (int j = 0; j < x->n_attrs; j++) {
        const cf_attr *ya = cf_node_attr(y, x->attrs[j].name);
        if (!ya)
            return differ(c, "layer %s: attribute '%s' is missing on the right", layer,
                          x->attrs[j].name);
        if (attr_diff(c, layer, &x->attrs[j], ya))
            return 1;
    }
    return 0;
}

static int io_diff(diff_ctx *c, const char *what, const cf_graph *a, const int32_t *ia,
                   int32_t na, const cf_graph *b, const int32_t *ib, int32_t nb)
{
    if (na != nb)
        return differ(c, "%d graph %ss vs %d", (int)na, what, (int)nb);
    char label[64];
    for (int32_t i = 0; i < na; i++) {
        snprintf(label, sizeof label, "graph %s %d", what, (int)i);
        if (tensor_diff(c, label, &a->tensors[ia[i]], &b->tensors[ib[i]], 0))
            return 1;
    }
    return 0;
}

static int graph_diff(diff_ctx *c, const cf_graph *a, const cf_graph *b)
{
    if (io_diff(c, "input", a, a->inputs, a->n_inputs, b, b->inputs, b->n_inputs) ||
        io_diff(c, "output", a, a->outputs, a->n_outputs, b, b->outputs, b->n_outputs))
        return 1;
    int32_t na = 0, nb = 0;
    for (int32_t i = 0; i < b->n_tensors; i++)
        nb += (b->tensors[i].flags & CF_TENSOR_INITIALIZER) != 0;
    for (int32_t i = 0; i < a->n_tensors; i++) {
        const cf_tensor *x = &a->tensors[i];
        if (!(x->flags & CF_TENSOR_INITIALIZER))
            continue;
        na++;
        int32_t j = cf_graph_find_tensor(b, x->name);
        if (j < 0 || !(b->tensors[j].flags & CF_TENSOR_INITIALIZER))
            return differ(c, "initializer '%s' is missing on the right", x->name);
        if (tensor_diff(c, "initializer", x, &b->tensors[j], 1))
            return 1;
    }
    if (na != nb)
        return differ(c, "%d initializers vs %d", (int)na, (int)nb);
    if (a->n_nodes != b->n_nodes)
        return differ(c, "%d layers vs %d", (int)a->n_nodes, (int)b->n_nodes);
    for (int32_t k = 0; k < a->n_nodes; k++)
        if (node_diff(c, k, a, &a->nodes[k], b, &b->nodes[k]))
            return 1;
    return 0;
}

static int opset_diff(diff_ctx *c, const cf_graph *a, const cf_graph *b)
{
    if (a->n_opsets != b->n_opsets)
        return differ(c, "%d opset imports vs %d", a->n_opsets, b->n_opsets);
    for (int i = 0; i < a->n_opsets; i++) {
        const cf_opset *x = &a->opsets[i];
        int found = 0;
        for (int j = 0; j < b->n_opsets && !found; j++) {
            const cf_opset *y = &b->opsets[j];
            if (strcmp(nz(x->domain), nz(y->domain)) != 0)
                continue;
            found = 1;
            if (x->version != y->version)
                return differ(c, "opset of domain '%s': %" PRId64 " vs %" PRId64,
                              nz(x->domain), x->version, y->version);
        }
        if (!found)
            return differ(c, "opset of domain '%s' is missing on the right", nz(x->domain));
    }
    return 0;
}

int cf_graph_diff(const cf_graph *a, const cf_graph *b, char *why, size_t why_size)
{
    diff_ctx c = {why, why_size, {0}};
    if (why && why_size)
        why[0] = '\0';
    if (!a || !b)
        return (a == b) ? 0 : differ(&c, "one of the graphs is missing");
    if (opset_diff(&c, a, b))
        return 1;
    return graph_diff(&c, a, b);
}
