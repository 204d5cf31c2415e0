#include "graph.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} dtypes[CF_DT_COUNT_] = {
    [CF_DT_UNDEFINED] = {"undefined", 0}, [CF_DT_FLOAT] = {"float32", 4},
    [CF_DT_UINT8] = {"uint8", 1},         [CF_DT_INT8] = {"int8", 1},
    [CF_DT_UINT16] = {"uint16", 2},       [CF_DT_INT16] = {"int16", 2},
    [CF_DT_INT32] = {"int32", 4},         [CF_DT_INT64] = {"int64", 8},
    [CF_DT_STRING] = {"string", 0},       [CF_DT_BOOL] = {"bool", 1},
    [CF_DT_FLOAT16] = {"float16", 2},     [CF_DT_DOUBLE] = {"float64", 8},
    [CF_DT_UINT32] = {"uint32", 4},       [CF_DT_UINT64] = {"uint64", 8},
    [CF_DT_COMPLEX64] = {"complex64", 8}, [CF_DT_COMPLEX128] = {"complex128", 16},
    [CF_DT_BFLOAT16] = {"bfloat16", 2},
};

int cf_dtype_valid(int dt)
{
    return dt > CF_DT_UNDEFINED && dt < CF_DT_COUNT_;
}

size_t cf_dtype_size(cf_dtype dt)
{
    return cf_dtype_valid(dt) ? dtypes[dt].size : 0;
}

const char *cf_dtype_name(cf_dtype dt)
{
    return (dt >= 0 && dt < CF_DT_COUNT_) ? dtypes[dt].name : "?";
}

static cf_graph *graph_init(cf_arena *a, cf_error *err)
{
    cf_graph *g = cf_arena_calloc(a, 1, sizeof *g);
    if (!g) {
        cf_error_set(err, CF_ENOMEM, "out of memory creating a graph");
        return NULL;
    }
    g->arena = a;
    return g;
}

cf_graph *cf_graph_new(cf_error *err)
{
    cf_arena *a = cf_arena_new();
    if (!a) {
        cf_error_set(err, CF_ENOMEM, "out of memory creating a graph");
        return NULL;
    }
    cf_graph *g = graph_init(a, err);
    if (!g)
        cf_arena_free(a);
    return g;
}

cf_graph *cf_graph_new_sub(cf_graph *parent, cf_error *err)
{
    cf_graph *g = graph_init(parent->arena, err);
    if (g)
        g->parent = parent;
    return g;
}

void cf_graph_free(cf_graph *g)
{
    if (g && !g->parent)
        cf_arena_free(g->arena);
}

int32_t cf_graph_add_tensor(cf_graph *g, const char *name, cf_error *err)
{
    if (g->n_tensors == g->cap_tensors) {
        int32_t cap = g->cap_tensors ? g->cap_tensors * 2 : 16;
        cf_tensor *t = cf_arena_grow(g->arena, g->tensors, (size_t)g->n_tensors, (size_t)cap,
                                     sizeof *t);
        if (!t)
            return cf_error_set(err, CF_ENOMEM, "out of memory adding tensor '%s'", name);
        g->tensors = t;
        g->cap_tensors = cap;
    }
    cf_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = cf_arena_strdup(g->arena, name ? name : "");
    if (!t->name)
        return cf_error_set(err, CF_ENOMEM, "out of memory adding tensor '%s'", name);
    t->shape.rank = -1;
    t->producer = -1;
    return g->n_tensors++;
}

int32_t cf_graph_find_tensor(const cf_graph *g, const char *name)
{
    for (int32_t i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0)
            return i;
    return -1;
}

int32_t cf_graph_add_node(cf_graph *g, const char *op_type, const char *domain,
                          const char *name, cf_error *err)
{
    if (g->n_nodes == g->cap_nodes) {
        int32_t cap = g->cap_nodes ? g->cap_nodes * 2 : 16;
        cf_node *n = cf_arena_grow(g->arena, g->nodes, (size_t)g->n_nodes, (size_t)cap,
                                   sizeof *n);
        if (!n)
            return cf_error_set(err, CF_ENOMEM, "out of memory adding a %s node", op_type);
        g->nodes = n;
        g->cap_nodes = cap;
    }
    cf_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op_type = cf_arena_strdup(g->arena, op_type);
    n->domain = cf_arena_strdup(g->arena, domain ? domain : "");
    if (name && name[0]) {
        n->name = cf_arena_strdup(g->arena, name);
        n->named = 1;
    } else {
        char buf[96];
        snprintf(buf, sizeof buf, "%s_%d", op_type, (int)g->n_nodes);
        n->name = cf_arena_strdup(g->arena, buf);
    }
    if (!n->op_type || !n->domain || !n->name)
        return cf_error_set(err, CF_ENOMEM, "out of memory adding a %s node", op_type);
    return g->n_nodes++;
}

int cf_graph_set_io(cf_graph *g, cf_node *n, const int32_t *in, int n_in,
                    const int32_t *out, int n_out, cf_error *err)
{
    n->inputs = n_in ? cf_arena_memdup(g->arena, in, (size_t)n_in * sizeof *in) : NULL;
    n->outputs = n_out ? cf_arena_memdup(g->arena, out, (size_t)n_out * sizeof *out) : NULL;
    if ((n_in && !n->inputs) || (n_out && !n->outputs))
        return cf_error_set(err, CF_ENOMEM, "out of memory at layer %s", n->name);
    n->n_inputs = n_in;
    n->n_outputs = n_out;
    return 0;
}

int cf_tensor_set_shape(cf_graph *g, cf_tensor *t, int rank, const int64_t *dims,
                        cf_error *err)
{
    t->shape.rank = rank;
    t->shape.dims = NULL;
    if (rank <= 0)
        return 0;
    t->shape.dims = cf_arena_calloc(g->arena, (size_t)rank, sizeof(cf_dim));
    if (!t->shape.dims)
        return cf_error_set(err, CF_ENOMEM, "out of memory for the shape of %s", t->name);
    for (int i = 0; i < rank; i++)
        t->shape.dims[i].value = dims ? dims[i] : -1;
    return 0;
}

cf_attr *cf_node_add_attr(cf_graph *g, cf_node *n, const char *name, cf_attr_type type,
                          cf_error *err)
{
    /* Attributes are few per node: grow by one, the old array stays in the arena. */
    cf_attr *a = cf_arena_grow(g->arena, n->attrs, (size_t)n->n_attrs, (size_t)n->n_attrs + 1,
                               sizeof *a);
    char *nm = cf_arena_strdup(g->arena, name);
    if (!a || !nm) {
        cf_error_set(err, CF_ENOMEM, "out of memory for attribute %s of layer %s", name,
                     n->name);
        return NULL;
    }
    n->attrs = a;
    cf_attr *at = &a[n->n_attrs++];
    at->name = nm;
    at->type = type;
    return at;
}

int cf_node_add_attr_int(cf_graph *g, cf_node *n, const char *name, int64_t v, cf_error *err)
{
    cf_attr *a = cf_node_add_attr(g, n, name, CF_ATTR_INT, err);
    if (!a)
        return CF_ENOMEM;
    a->i = v;
    return 0;
}

int cf_node_add_attr_float(cf_graph *g, cf_node *n, const char *name, float v, cf_error *err)
{
    cf_attr *a = cf_node_add_attr(g, n, name, CF_ATTR_FLOAT, err);
    if (!a)
        return CF_ENOMEM;
    a->f = v;
    return 0;
}

int cf_node_add_attr_ints(cf_graph *g, cf_node *n, const char *name, const int64_t *v,
                          size_t count, cf_error *err)
{
    cf_attr *a = cf_node_add_attr(g, n, name, CF_ATTR_INTS, err);
    if (!a)
        return CF_ENOMEM;
    a->n = count;
    a->ints = cf_arena_memdup(g->arena, v, count * sizeof *v);
    if (!a->ints)
        return cf_error_set(err, CF_ENOMEM, "out of memory for attribute %s", name);
    return 0;
}

int cf_node_add_attr_string(cf_graph *g, cf_node *n, const char *name, const char *s,
                            cf_error *err)
{
    cf_attr *a = cf_node_add_attr(g, n, name, CF_ATTR_STRING, err);
    if (!a)
        return CF_ENOMEM;
    a->s.len = strlen(s);
    a->s.data = cf_arena_strdup(g->arena, s);
    if (!a->s.data)
        return cf_error_set(err, CF_ENOMEM, "out of memory for attribute %s", name);
    return 0;
}

int cf_graph_link(cf_graph *g, cf_error *err)
{
    for (int32_t i = 0; i < g->n_tensors; i++)
        g->tensors[i].producer = -1;
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_outputs; j++) {
            int32_t id = n->outputs[j];
            if (id < 0)
                continue;
            if (id >= g->n_tensors)
                return cf_error_set(err, CF_EINTERNAL, "layer %s: output id %d out of range",
                                    n->name, (int)id);
            cf_tensor *t = &g->tensors[id];
            if (t->producer >= 0)
                return cf_error_set(err, CF_ECHECK,
                                    "tensor '%s' is written by two layers: %s and %s", t->name,
                                    g->nodes[t->producer].name, n->name);
            if (t->flags & (CF_TENSOR_INITIALIZER | CF_TENSOR_OUTER))
                return cf_error_set(err, CF_ECHECK,
                                    "layer %s writes tensor '%s', which is %s", n->name,
                                    t->name,
                                    (t->flags & CF_TENSOR_INITIALIZER)
                                        ? "an initializer"
                                        : "defined by an enclosing graph");
            t->producer = k;
        }
    }
    return 0;
}

/* Kahn's algorithm, taking the lowest ready index first so a model already in
 * order keeps its order. Quadratic in the worst case only through the ready
 * scan; a min-heap keeps it O(E log V) for large models. */
typedef struct {
    int32_t *a;
    int32_t n;
} heap;

static void heap_push(heap *h, int32_t v)
{
    int32_t i = h->n++;
    h->a[i] = v;
    while (i > 0) {
        int32_t p = (i - 1) / 2;
        if (h->a[p] <= h->a[i])
            break;
        int32_t t = h->a[p];
        h->a[p] = h->a[i];
        h->a[i] = t;
        i = p;
    }
}

static int32_t heap_pop(heap *h)
{
    int32_t top = h->a[0];
    h->a[0] = h->a[--h->n];
    int32_t i = 0;
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->a[l] < h->a[m])
            m = l;
        if (r < h->n && h->a[r] < h->a[m])
            m = r;
        if (m == i)
            break;
        int32_t t = h->a[m];
        h->a[m] = h->a[i];
        h->a[i] = t;
        i = m;
    }
    return top;
}

int cf_graph_toposort(cf_graph *g, cf_error *err)
{
    int rc = cf_graph_link(g, err);
    if (rc)
        return rc;
    int32_t nn = g->n_nodes;
    if (nn == 0)
        return 0;
    /* Scratch is malloc'd, not arena: it dies with this call. */
    int32_t *indeg = calloc((size_t)nn, sizeof *indeg);
    int32_t *order = malloc((size_t)nn * sizeof *order);
    int32_t *heapbuf = malloc((size_t)nn * sizeof *heapbuf);
    /* consumers of each tensor as an adjacency list: count, offsets, items */
    int32_t *cnt = calloc((size_t)g->n_tensors + 1, sizeof *cnt);
    int32_t *items = NULL;
    cf_node *sorted = NULL;
    rc = CF_ENOMEM;
    if (!indeg || !order || !heapbuf || !cnt)
        goto fail;
    size_t edges = 0;
    for (int32_t k = 0; k < nn; k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_inputs; j++) {
            int32_t id = n->inputs[j];
            if (id >= 0 && g->tensors[id].producer >= 0) {
                indeg[k]++;
                cnt[id + 1]++;
                edges++;
            }
        }
    }
    for (int32_t i = 0; i < g->n_tensors; i++)
        cnt[i + 1] += cnt[i];
    items = malloc((edges ? edges : 1) * sizeof *items);
    int32_t *fill = calloc((size_t)g->n_tensors, sizeof *fill);
    if (!items || !fill) {
        free(fill);
        goto fail;
    }
    for (int32_t k = 0; k < nn; k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_inputs; j++) {
            int32_t id = n->inputs[j];
            if (id >= 0 && g->tensors[id].producer >= 0)
                items[cnt[id] + fill[id]++] = k;
        }
    }
    free(fill);
    heap h = {heapbuf, 0};
    for (int32_t k = 0; k < nn; k++)
        if (indeg[k] == 0)
            heap_push(&h, k);
    int32_t done = 0;
    while (h.n > 0) {
        int32_t k = heap_pop(&h);
        order[done++] = k;
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_outputs; j++) {
            int32_t id = n->outputs[j];
            if (id < 0)
                continue;
            for (int32_t e = cnt[id]; e < cnt[id + 1]; e++)
                if (--indeg[items[e]] == 0)
                    heap_push(&h, items[e]);
        }
    }
    if (done < nn) {
        int32_t k = 0;
        while (k < nn && indeg[k] == 0)
            k++;
        rc = cf_error_set(err, CF_ECHECK,
                          "the graph has a cycle: layer %s (%s) depends on its own output",
                          g->nodes[k].name, g->nodes[k].op_type);
        goto fail;
    }
    int in_order = 1;
    for (int32_t k = 0; k < nn; k++)
        if (order[k] != k)
            in_order = 0;
    if (!in_order) {
        sorted = malloc((size_t)nn * sizeof *sorted);
        if (!sorted)
            goto fail;
        for (int32_t k = 0; k < nn; k++)
            sorted[k] = g->nodes[order[k]];
        memcpy(g->nodes, sorted, (size_t)nn * sizeof *sorted);
    }
    rc = in_order ? 0 : cf_graph_link(g, err);
fail:
    if (rc == CF_ENOMEM)
        cf_error_set(err, CF_ENOMEM, "out of memory sorting %d layers", (int)nn);
    free(indeg);
    free(order);
    free(heapbuf);
    free(cnt);
    free(items);
    free(sorted);
    return rc;
}

const cf_attr *cf_node_attr(const cf_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t cf_node_attr_int(const cf_node *n, const char *name, int64_t dflt)
{
    const cf_attr *a = cf_node_attr(n, name);
    return (a && a->type == CF_ATTR_INT) ? a->i : dflt;
}

float cf_node_attr_float(const cf_node *n, const char *name, float dflt)
{
    const cf_attr *a = cf_node_attr(n, name);
    return (a && a->type == CF_ATTR_FLOAT) ? a->f : dflt;
}

const int64_t *cf_node_attr_ints(const cf_node *n, const char *name, size_t *count)
{
    const cf_attr *a = cf_node_attr(n, name);
    if (!a || a->type != CF_ATTR_INTS) {
        *count = 0;
        return NULL;
    }
    *count = a->n;
    return a->ints;
}

const char *cf_node_attr_string(const cf_node *n, const char *name, const char *dflt)
{
    const cf_attr *a = cf_node_attr(n, name);
    return (a && a->type == CF_ATTR_STRING && a->s.data) ? a->s.data : dflt;
}

const cf_tensor *cf_node_input(const cf_graph *g, const cf_node *n, int i)
{
    if (i < 0 || i >= n->n_inputs || n->inputs[i] < 0)
        return NULL;
    return &g->tensors[n->inputs[i]];
}

const cf_tensor *cf_node_output(const cf_graph *g, const cf_node *n, int i)
{
    if (i < 0 || i >= n->n_outputs || n->outputs[i] < 0)
        return NULL;
    return &g->tensors[n->outputs[i]];
}

int cf_shape_numel(const cf_shape *s, int64_t *count)
{
    if (s->rank < 0)
        return 0;
    int64_t c = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i].value < 0)
            return 0;
        c *= s->dims[i].value;
    }
    *count = c;
    return 1;
}

char *cf_shape_format(const cf_shape *s, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (s->rank < 0) {
        snprintf(buf, size, "?");
        return buf;
    }
    if (s->rank == 0) {
        snprintf(buf, size, "scalar");
        return buf;
    }
    size_t used = 0;
    for (int i = 0; i < s->rank && used < size; i++) {
        const cf_dim *d = &s->dims[i];
        int w;
        if (d->value >= 0)
            w = snprintf(buf + used, size - used, "%s%" PRId64, i ? "x" : "", d->value);
        else
            w = snprintf(buf + used, size - used, "%s%s", i ? "x" : "",
                         d->param && d->param[0] ? d->param : "?");
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

int64_t cf_graph_opset(const cf_graph *g, const char *domain)
{
    while (g->parent)
        g = g->parent;
    int dflt = !domain || !domain[0] || strcmp(domain, "ai.onnx") == 0;
    for (int i = 0; i < g->n_opsets; i++) {
        const char *d = g->opsets[i].domain ? g->opsets[i].domain : "";
        int is_dflt = !d[0] || strcmp(d, "ai.onnx") == 0;
        if (dflt ? is_dflt : strcmp(d, domain) == 0)
            return g->opsets[i].version;
    }
    return 0;
}

static int64_t params_of(const cf_graph *g)
{
    int64_t total = 0;
    for (int32_t i = 0; i < g->n_tensors; i++) {
        const cf_tensor *t = &g->tensors[i];
        int64_t c;
        if ((t->flags & CF_TENSOR_INITIALIZER) && cf_shape_numel(&t->shape, &c))
            total += c;
    }
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        for (int a = 0; a < n->n_attrs; a++) {
            const cf_attr *at = &n->attrs[a];
            if (at->type == CF_ATTR_GRAPH && at->g)
                total += params_of(at->g);
            for (size_t j = 0; at->type == CF_ATTR_GRAPHS && j < at->n; j++)
                total += params_of(at->graphs[j]);
        }
    }
    return total;
}

int64_t cf_graph_param_count(const cf_graph *g)
{
    return params_of(g);
}

int32_t cf_graph_feed_inputs(const cf_graph *g, int32_t *ids)
{
    int32_t n = 0;
    for (int32_t i = 0; i < g->n_inputs; i++)
        if (!(g->tensors[g->inputs[i]].flags & CF_TENSOR_INITIALIZER)) {
            if (ids)
                ids[n] = g->inputs[i];
            n++;
        }
    return n;
}

static void body_outer_reads(const cf_graph *g, const cf_graph *body,
                             void (*fn)(void *user, int32_t id), void *user)
{
    for (int32_t i = 0; i < body->n_tensors; i++) {
        if (!(body->tensors[i].flags & CF_TENSOR_OUTER))
            continue;
        int32_t id = cf_graph_find_tensor(g, body->tensors[i].name);
        if (id >= 0)
            fn(user, id);
    }
    for (int32_t k = 0; k < body->n_nodes; k++)
        cf_node_outer_reads(g, &body->nodes[k], fn, user);
}

void cf_node_outer_reads(const cf_graph *g, const cf_node *n,
                         void (*fn)(void *user, int32_t id), void *user)
{
    for (int a = 0; a < n->n_attrs; a++) {
        const cf_attr *at = &n->attrs[a];
        if (at->type == CF_ATTR_GRAPH && at->g)
            body_outer_reads(g, at->g, fn, user);
        for (size_t j = 0; at->type == CF_ATTR_GRAPHS && j < at->n; j++)
            body_outer_reads(g, at->graphs[j], fn, user);
    }
}
