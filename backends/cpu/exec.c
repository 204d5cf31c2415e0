#include "exec.h"

#include "schedule.h"

#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALIGN 64
#define NEVER INT32_MAX   /* last use of a graph output: after the last node */

typedef struct sub_exec {
    const cf_graph *body;
    cf_exec *e;
} sub_exec;

struct cf_exec {
    const cf_graph *g;
    cf_exec *parent;
    int reference_only, threads;
    const cf_kernel_i **kernels;
    void **states;
    cf_value *vals;          /* one slot per tensor id */
    cf_exec **outer_owner;   /* OUTER tensors: the executor that holds the value */
    int32_t *outer_id;
    int32_t *first_def;      /* node that writes the tensor; -1 for inputs/initializers */
    int32_t *last_use;       /* last node that reads it (subgraph reads included) */
    sub_exec *subs;
    int n_subs;
    /* the arena plan, made after the first complete run */
    int planned;
    size_t *plan_off, *plan_size;
    unsigned char *arena;
    size_t arena_bytes;
    size_t live_bytes, peak_bytes;
    int check_nan;
    cf_schedule sched;       /* fusion and layouts (schedule.h) */
};

/* ---- liveness ----------------------------------------------------------- */

typedef struct outer_use {
    int32_t *last;
    int32_t node;
} outer_use;

/* A subgraph of `node` reads tensor id: it lives at least until then. */
static void outer_read(void *user, int32_t id)
{
    outer_use *o = user;
    if (o->last[id] < o->node)
        o->last[id] = o->node;
}

static void compute_liveness(cf_exec *e)
{
    const cf_graph *g = e->g;
    for (int32_t i = 0; i < g->n_tensors; i++) {
        e->first_def[i] = g->tensors[i].producer;
        e->last_use[i] = -1;
    }
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_inputs; j++)
            if (n->inputs[j] >= 0)
                e->last_use[n->inputs[j]] = k;
        outer_use o = {e->last_use, k};
        cf_node_outer_reads(g, n, outer_read, &o);
    }
    /* A layer that runs folded layers writes their output itself. */
    for (int32_t k = 0; k < g->n_nodes; k++)
        if (e->sched.host[k] < 0 && g->nodes[k].n_outputs > 0) {
            int32_t y = e->sched.out_ids[e->sched.out_at[k]];
            if (y >= 0)
                e->first_def[y] = k;
        }
    for (int32_t i = 0; i < g->n_outputs; i++)
        e->last_use[g->outputs[i]] = NEVER;
    /* Outputs no one reads die right after their producer. */
    for (int32_t i = 0; i < g->n_tensors; i++)
        if (e->last_use[i] < 0 && e->first_def[i] >= 0)
            e->last_use[i] = e->first_def[i];
}

/* ---- set-up -------------------------------------------------------------- */

static int resolve_outer(cf_exec *e, int32_t id, cf_error *err)
{
    const char *name = e->g->tensors[id].name;
    for (cf_exec *p = e->parent; p; p = p->parent) {
        int32_t pid = cf_graph_find_tensor(p->g, name);
        if (pid >= 0 && !(p->g->tensors[pid].flags & CF_TENSOR_OUTER)) {
            e->outer_owner[id] = p;
            e->outer_id[id] = pid;
            return 0;
        }
    }
    return cf_error_set(err, CF_ECHECK, "subgraph %s reads '%s', which no enclosing graph defines",
                        e->g->name ? e->g->name : "?", name);
}

int cf_exec_new(const cf_graph *g, cf_exec *parent, int reference_only, int threads,
                cf_exec **out, cf_error *err)
{
    cf_exec *e = calloc(1, sizeof *e);
    if (!e)
        return cf_error_set(err, CF_ENOMEM, "out of memory preparing the CPU backend");
    e->g = g;
    e->parent = parent;
    e->reference_only = reference_only;
    e->threads = threads > 0 ? threads : 1;
    /* Kernels that fix their thread count at set-up (oneDNN) read it here. */
    omp_set_num_threads(e->threads);
    size_t nt = (size_t)g->n_tensors + 1, nn = (size_t)g->n_nodes + 1;
    e->kernels = calloc(nn, sizeof *e->kernels);
    e->states = calloc(nn, sizeof *e->states);
    e->vals = calloc(nt, sizeof *e->vals);
    e->outer_owner = calloc(nt, sizeof *e->outer_owner);
    e->outer_id = calloc(nt, sizeof *e->outer_id);
    e->first_def = calloc(nt, sizeof *e->first_def);
    e->last_use = calloc(nt, sizeof *e->last_use);
    int rc = CF_ENOMEM;
    if (!e->kernels || !e->states || !e->vals || !e->outer_owner || !e->outer_id ||
        !e->first_def || !e->last_use) {
        cf_error_set(err, CF_ENOMEM, "out of memory preparing the CPU backend");
        goto fail;
    }
    for (int32_t i = 0; i < g->n_tensors; i++) {
        const cf_tensor *t = &g->tensors[i];
        if ((t->flags & CF_TENSOR_INITIALIZER) && t->dtype != CF_DT_STRING) {
            rc = cf_value_from_tensor(&e->vals[i], t, err);
            if (rc)
                goto fail;
        } else if (t->flags & CF_TENSOR_OUTER) {
            rc = resolve_outer(e, i, err);
            if (rc)
                goto fail;
        }
    }
    for (int32_t k = 0; k < g->n_nodes; k++) {
        rc = cf_kernel_select(g, &g->nodes[k], reference_only, &e->kernels[k], &e->states[k],
                              err);
        if (rc)
            goto fail;
    }
    rc = cf_schedule_make(&e->sched, g, e->kernels, e->states, reference_only, err);
    if (rc)
        goto fail;
    compute_liveness(e);
    *out = e;
    return 0;
fail:
    cf_exec_free(e);
    return rc;
}

static void clear_activations(cf_exec *e)
{
    for (int32_t i = 0; i < e->g->n_tensors; i++) {
        const cf_tensor *t = &e->g->tensors[i];
        if (!(t->flags & (CF_TENSOR_INITIALIZER | CF_TENSOR_OUTER)))
            cf_value_clear(&e->vals[i]);
    }
    e->live_bytes = 0;
}

void cf_exec_free(cf_exec *e)
{
    if (!e)
        return;
    if (e->vals)
        clear_activations(e);
    for (int32_t k = 0; e->kernels && k < e->g->n_nodes; k++)
        if (e->kernels[k] && e->kernels[k]->release && e->states[k])
            e->kernels[k]->release(e->states[k]);
    for (int i = 0; i < e->n_subs; i++)
        cf_exec_free(e->subs[i].e);
    free(e->subs);
    cf_schedule_free(&e->sched, e->g);
    free(e->kernels);
    free(e->states);
    free(e->vals);
    free(e->outer_owner);
    free(e->outer_id);
    free(e->first_def);
    free(e->last_use);
    free(e->plan_off);
    free(e->plan_size);
    free(e->arena);
    free(e);
}

/* ---- the arena plan ------------------------------------------------------ */

typedef struct {
    int32_t id;
    size_t size;
} plan_item;

static int by_size_desc(const void *a, const void *b)
{
    const plan_item *x = a, *y = b;
    return x->size < y->size ? 1 : x->size > y->size ? -1 : (x->id > y->id) - (x->id < y->id);
}

static int lifetimes_overlap(const cf_exec *e, int32_t a, int32_t b)
{
    return e->first_def[a] <= e->last_use[b] && e->first_def[b] <= e->last_use[a];
}

/* Greedy by size: the largest activations are placed first, each at the
 * lowest offset that does not collide with an already placed activation
 * whose lifetime overlaps. Graph outputs are left out (handed to the caller). */
static void make_plan(cf_exec *e, const size_t *sizes)
{
    const cf_graph *g = e->g;
    int32_t nt = g->n_tensors;
    plan_item *items = malloc(((size_t)nt + 1) * sizeof *items);
    int32_t *placed = malloc(((size_t)nt + 1) * sizeof *placed);
    e->plan_off = calloc((size_t)nt + 1, sizeof *e->plan_off);
    e->plan_size = calloc((size_t)nt + 1, sizeof *e->plan_size);
    if (!items || !placed || !e->plan_off || !e->plan_size)
        goto done;   /* no plan: runs keep allocating per tensor */
    int32_t n = 0;
    for (int32_t i = 0; i < nt; i++)
        if (sizes[i] && e->first_def[i] >= 0 && e->last_use[i] != NEVER)
            items[n++] = (plan_item){i, (sizes[i] + ALIGN - 1) & ~(size_t)(ALIGN - 1)};
    qsort(items, (size_t)n, sizeof *items, by_size_desc);
    size_t total = 0;
    int32_t n_placed = 0;
    for (int32_t i = 0; i < n; i++) {
        size_t off = 0;
        /* Repeat until a pass finds no collision at `off`. */
        for (int moved = 1; moved;) {
            moved = 0;
            for (int32_t j = 0; j < n_placed; j++) {
                int32_t o = placed[j];
                if (!lifetimes_overlap(e, items[i].id, o))
                    continue;
                if (off < e->plan_off[o] + e->plan_size[o] && e->plan_off[o] < off + items[i].size) {
                    off = e->plan_off[o] + e->plan_size[o];
                    moved = 1;
                }
            }
        }
        e->plan_off[items[i].id] = off;
        e->plan_size[items[i].id] = items[i].size;
        placed[n_placed++] = items[i].id;
        if (off + items[i].size > total)
            total = off + items[i].size;
    }
    e->arena = total ? aligned_alloc(ALIGN, total) : NULL;
    if (total && !e->arena) {
        memset(e->plan_size, 0, ((size_t)nt + 1) * sizeof *e->plan_size);
        total = 0;
    }
    e->arena_bytes = total;
    e->planned = 1;
done:
    free(items);
    free(placed);
}

/* ---- running -------------------------------------------------------------- */

static cf_exec *running_exec(cf_kernel_call *c)
{
    return c->exec;
}

cf_value *cf_kcall_output(cf_kernel_call *c, int i, cf_dtype dt, int rank, const int64_t *dims,
                          cf_error *err)
{
    if (i < 0 || i >= c->n_out) {
        cf_kernel_error(c, err, CF_EINTERNAL, "output %d requested of %d", i, c->n_out);
        return NULL;
    }
    cf_exec *e = running_exec(c);
    cf_value *v = &c->out[i];
    if (v->dtype != CF_DT_UNDEFINED)
        e->live_bytes -= v->nbytes;   /* asked again: the first storage goes back */
    cf_value_clear(v);
    int32_t id = c->out_ids ? c->out_ids[i] : c->node->outputs[i];
    size_t esz = cf_dtype_size(dt);
    int64_t numel = 1;
    int fits = 1;   /* the byte count fits in int64 (else cf_value_alloc says so) */
    for (int d = 0; fits && d < rank && d < CF_MAX_RANK; d++) {
        int64_t n = dims[d] < 0 ? 0 : dims[d];
        if (n && numel > INT64_MAX / n / (int64_t)(esz ? esz : 1))
            fits = 0;
        else
            numel *= n;
    }
    size_t need = fits ? (size_t)numel * esz : 0;
    if (id >= 0 && e->planned && need && need <= e->plan_size[id] && rank <= CF_MAX_RANK &&
        esz) {
        cf_value_view(v, dt, rank, dims, e->arena + e->plan_off[id]);
    } else {
        char what[160];
        snprintf(what, sizeof what, "layer %s (%s) output %d", c->node->name, c->node->op_type, i);
        /* cf_value_alloc zeroes; planned slots are not: kernels must not
         * rely on either. */
        if (cf_value_alloc(v, dt, rank, dims, what, err))
            return NULL;
    }
    /* A kernel with a layout hook writes what the schedule decided; a
     * `physical` layer's output is relabelled after it ran. */
    v->layout = id >= 0 && e->sched.layout && !e->sched.physical[c->index] ? e->sched.layout[id]
                                                                          : CF_LAYOUT_PLAIN;
    e->live_bytes += v->nbytes;
    if (e->live_bytes > e->peak_bytes)
        e->peak_bytes = e->live_bytes;
    return v;
}

static int vlayer_error(const cf_node *n, cf_error *err, int code, const char *fmt, va_list ap)
{
    char msg[CF_ERROR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return cf_error_set(err, code, "layer %s (%s): %s", n->name, n->op_type, msg);
}

int cf_kernel_error(const cf_kernel_call *c, cf_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlayer_error(c->node, err, code, fmt, ap);
    va_end(ap);
    return code;
}

int cf_kernel_prepare_error(const cf_node *n, cf_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlayer_error(n, err, code, fmt, ap);
    va_end(ap);
    return code;
}

static const cf_value *lookup(const cf_exec *e, int32_t id)
{
    if (id < 0)
        return NULL;
    if (e->g->tensors[id].flags & CF_TENSOR_OUTER)
        return lookup(e->outer_owner[id], e->outer_id[id]);
    const cf_value *v = &e->vals[id];
    return v->dtype == CF_DT_UNDEFINED ? NULL : v;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* A user's input must match what the model declares: element type, rank,
 * and every dimension the model fixes. */
static int check_input(const cf_tensor *t, const cf_value *v, cf_error *err)
{
    char want[128], got[128];
    if (t->dtype != CF_DT_UNDEFINED && v->dtype != t->dtype)
        return cf_error_set(err, CF_EINVAL, "input %s: the model wants %s, got %s", t->name,
                            cf_dtype_name(t->dtype), cf_dtype_name(v->dtype));
    if (t->shape.rank < 0)
        return 0;
    int bad = t->shape.rank != v->rank;
    for (int i = 0; !bad && i < v->rank; i++)
        bad = t->shape.dims[i].value >= 0 && t->shape.dims[i].value != v->dims[i];
    if (bad)
        return cf_error_set(err, CF_EINVAL, "input %s: the model wants shape [%s], got %s",
                            t->name, cf_shape_format(&t->shape, want, sizeof want),
                            cf_value_format(v, got, sizeof got));
    return 0;
}

static int64_t first_nan(const cf_value *v)
{
    if (!v || !(v->dtype == CF_DT_FLOAT || v->dtype == CF_DT_DOUBLE || v->dtype == CF_DT_FLOAT16 ||
                v->dtype == CF_DT_BFLOAT16))
        return -1;
    int64_t n = cf_value_numel(v);
    if (v->dtype == CF_DT_FLOAT) {
        const float *p = v->data;
        for (int64_t i = 0; i < n; i++)
            if (isnan(p[i]))
                return i;
        return -1;
    }
    for (int64_t i = 0; i < n; i++)
        if (isnan(cf_value_get_f64(v, i)))
            return i;
    return -1;
}

typedef struct outer_nan {
    const cf_exec *e;
    int found;
} outer_nan;

static void outer_has_nan(void *user, int32_t id)
{
    outer_nan *o = user;
    if (!o->found)
        o->found = first_nan(lookup(o->e, id)) >= 0;
}

/* NaN out of NaN-free inputs (what its subgraphs read from outside
 * included): the layer that made it is named. */
static int nan_check(const cf_exec *e, const cf_kernel_call *c, cf_error *err)
{
    for (int j = 0; j < c->n_in; j++)
        if (first_nan(c->in[j]) >= 0)
            return 0;
    outer_nan o = {e, 0};
    cf_node_outer_reads(e->g, c->node, outer_has_nan, &o);
    if (o.found)
        return 0;
    if (c->post_in && first_nan(c->post_in) >= 0)
        return 0;
    for (int j = 0; j < c->n_out; j++) {
        int32_t id = c->out_ids[j];
        int64_t at = id >= 0 ? first_nan(&e->vals[id]) : -1;
        if (at >= 0)
            return cf_kernel_error(c, err, CF_ECHECK,
                                   "produced NaN in output %s (element %" PRId64
                                   ") from inputs without NaN",
                                   e->g->tensors[id].name, at);
    }
    return 0;
}

void cf_exec_set_check_nan(cf_exec *e, int on)
{
    e->check_nan = on;
}

/* A `physical` layer's inputs as it sees them: channels-last values (and
 * the plain ones that read the same) through their memory-order dims.
 * Returns the rank of the channels-last operands. */
static int physical_views(const cf_value **in, int n_in, cf_value *views)
{
    int rank = 0;
    for (int j = 0; j < n_in; j++)
        if (in[j] && in[j]->layout == CF_LAYOUT_CHANNELS_LAST)
            rank = in[j]->rank;
    for (int j = 0; j < n_in && j < CF_MAX_PHYSICAL_IN; j++) {
        if (!in[j])
            continue;
        views[j] = *in[j];
        cf_physical_dims(in[j], rank, &views[j].rank, views[j].dims);
        views[j].layout = CF_LAYOUT_PLAIN;
        in[j] = &views[j];
    }
    return rank;
}

static void release_dead(cf_exec *e, int32_t k)
{
    const cf_node *n = &e->g->nodes[k];
    /* Inputs read for the last time here, and outputs nobody reads. */
    for (int pass = 0; pass < 2; pass++) {
        int cnt = pass ? n->n_outputs : n->n_inputs;
        const int32_t *ids = pass ? n->outputs : n->inputs;
        for (int j = 0; j < cnt; j++) {
            int32_t id = ids[j];
            if (id < 0 || e->last_use[id] != k || e->first_def[id] < 0)
                continue;
            if (e->vals[id].dtype != CF_DT_UNDEFINED) {
                e->live_bytes -= e->vals[id].nbytes;
                cf_value_clear(&e->vals[id]);
            }
        }
    }
}

int cf_exec_run(cf_exec *e, const cf_value *inputs, int n_inputs, cf_value *outputs,
                int n_outputs, double *per_layer_us, cf_progress_fn progress, void *user,
                cf_error *err)
{
    const cf_graph *g = e->g;
    int rc = 0;
    int32_t n_feed = cf_graph_feed_inputs(g, NULL);
    if (n_inputs != n_feed || n_outputs != g->n_outputs)
        return cf_error_set(err, CF_EINVAL, "the model takes %d inputs and gives %d outputs; "
                            "got %d and %d", (int)n_feed, (int)g->n_outputs, n_inputs, n_outputs);
    for (int32_t i = 0, f = 0; i < g->n_inputs; i++) {
        int32_t id = g->inputs[i];
        if (g->tensors[id].flags & CF_TENSOR_INITIALIZER)
            continue;
        rc = check_input(&g->tensors[id], &inputs[f], err);
        if (rc)
            return rc;
        cf_value_view(&e->vals[id], inputs[f].dtype, inputs[f].rank, inputs[f].dims,
                      inputs[f].data);
        f++;
    }
    /* Sizes seen on this run, for the plan after the first. */
    size_t *sizes = e->planned ? NULL : calloc((size_t)g->n_tensors + 1, sizeof *sizes);
    const cf_value *in_buf[64];
    cf_value out_buf[16];
    cf_value views[CF_MAX_PHYSICAL_IN];
    int nan_found = 0;
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        if (progress && progress(user, k, g->n_nodes)) {
            rc = cf_error_set(err, CF_ECANCELED, "canceled at layer %s", n->name);
            break;
        }
        if (e->sched.host[k] >= 0) {   /* folded into an earlier layer, which ran it */
            if (per_layer_us)
                per_layer_us[k] = 0;
            release_dead(e, k);
            continue;
        }
        const int32_t *out_ids = e->sched.out_ids + e->sched.out_at[k];
        const cf_value **in = in_buf;
        cf_value *out = out_buf;
        if (n->n_inputs > 64 || n->n_outputs > 16) {
            in = calloc((size_t)n->n_inputs + 1, sizeof *in);
            out = calloc((size_t)n->n_outputs + 1, sizeof *out);
            if (!in || !out) {
                free((void *)in);
                free(out);
                rc = cf_error_set(err, CF_ENOMEM, "out of memory at layer %s", n->name);
                break;
            }
        }
        for (int j = 0; j < n->n_inputs; j++)
            in[j] = lookup(e, n->inputs[j]);
        int phys_rank = 0;
        if (e->sched.physical[k])
            phys_rank = physical_views(in, n->n_inputs, views);
        for (int j = 0; j < n->n_outputs; j++) {
            cf_value z = CF_VALUE_INIT;
            out[j] = z;
        }
        cf_kernel_call call = {g, n, k, in, n->n_inputs, out, n->n_outputs, e->states[k], e,
                               e->threads, lookup(e, e->sched.sum_in[k]), out_ids};
        double t0 = per_layer_us ? now_us() : 0;
        rc = e->kernels[k]->run(&call, err);
        if (per_layer_us)
            per_layer_us[k] = now_us() - t0;
        /* Outputs move into their slots (omitted ones are dropped). */
        for (int j = 0; j < n->n_outputs; j++) {
            int32_t id = out_ids[j];
            if (id >= 0 && !rc && out[j].dtype != CF_DT_UNDEFINED) {
                if (phys_rank && out[j].rank == phys_rank) {
                    int64_t logical[CF_MAX_RANK];
                    cf_logical_dims(phys_rank, out[j].dims, logical);
                    memcpy(out[j].dims, logical, sizeof logical);
                    out[j].layout = CF_LAYOUT_CHANNELS_LAST;
                }
                e->vals[id] = out[j];
                if (sizes)
                    sizes[id] = out[j].nbytes;
            } else {
                e->live_bytes -= out[j].nbytes;
                cf_value_clear(&out[j]);
            }
        }
        if (in != in_buf) {
            free((void *)in);
            free(out);
        }
        if (rc) {
            cf_error_prefix(err, "running %s", g->parent ? "a subgraph" : "the model");
            break;
        }
        for (int j = 0; j < n->n_outputs && !rc; j++)
            if (out_ids[j] >= 0 && e->vals[out_ids[j]].dtype == CF_DT_UNDEFINED)
                rc = cf_kernel_error(&call, err, CF_EINTERNAL, "output %d was not produced", j);
        if (!rc && e->check_nan) {
            rc = nan_check(e, &call, err);
            nan_found = rc != 0;
        }
        if (rc)
            break;
        release_dead(e, k);
    }
    int32_t written = 0;   /* outputs[0..written) hold values (cleared on failure) */
    for (int32_t i = 0; !rc && i < g->n_outputs; i++) {
        const cf_value *v = lookup(e, g->outputs[i]);
        /* The same tensor listed again: a copy of the one handed out. */
        int again = 0;
        for (int32_t j = 0; !v && j < i; j++)
            if (g->outputs[j] == g->outputs[i]) {
                v = &outputs[j];
                again = 1;
            }
        if (!v) {
            rc = cf_error_set(err, CF_ECHECK, "graph output %s was never written",
                              g->tensors[g->outputs[i]].name);
            break;
        }
        /* Owned values move out; views (inputs, weights, arena) are copied. */
        if (!again && !v->borrowed && e->first_def[g->outputs[i]] >= 0) {
            outputs[i] = *v;
            cf_value z = CF_VALUE_INIT;
            e->vals[g->outputs[i]] = z;
        } else {
            cf_value z = CF_VALUE_INIT;
            outputs[i] = z;
            rc = cf_value_copy(&outputs[i], v, err);
        }
        if (!rc)
            written = i + 1;
    }
    if (rc)
        for (int32_t i = 0; i < written; i++)
            cf_value_clear(&outputs[i]);
    clear_activations(e);
    for (int32_t i = 0; i < g->n_inputs; i++) {
        int32_t id = g->inputs[i];
        if (!(g->tensors[id].flags & CF_TENSOR_INITIALIZER)) {
            cf_value z = CF_VALUE_INIT;
            e->vals[id] = z;
        }
    }
    if (!rc && sizes)
        make_plan(e, sizes);
    /* The check is for the first run only (backend.h): the first that went
     * through every layer, or stopped at a NaN. */
    if (!rc || nan_found)
        e->check_nan = 0;
    free(sizes);
    return rc;
}

int cf_exec_subgraph(cf_kernel_call *c, const cf_graph *body, const cf_value *const *inputs,
                     int n_inputs, cf_value *outputs, int n_outputs, cf_error *err)
{
    cf_exec *e = c->exec;
    cf_exec *sub = NULL;
    for (int i = 0; i < e->n_subs; i++)
        if (e->subs[i].body == body)
            sub = e->subs[i].e;
    if (!sub) {
        int rc = cf_exec_new(body, e, e->reference_only, e->threads, &sub, err);
        if (rc)
            return rc;
        sub_exec *s = realloc(e->subs, ((size_t)e->n_subs + 1) * sizeof *s);
        if (!s) {
            cf_exec_free(sub);
            return cf_error_set(err, CF_ENOMEM, "out of memory for a subgraph");
        }
        e->subs = s;
        e->subs[e->n_subs++] = (sub_exec){body, sub};
    }
    /* Feed values are copied by struct (views: the subgraph never frees them). */
    cf_value stack[16];
    cf_value *feed = n_inputs <= 16 ? stack : calloc((size_t)n_inputs, sizeof *feed);
    if (!feed)
        return cf_error_set(err, CF_ENOMEM, "out of memory for a subgraph");
    for (int i = 0; i < n_inputs; i++) {
        feed[i] = *inputs[i];
        feed[i].borrowed = 1;
    }
    int rc = cf_exec_run(sub, feed, n_inputs, outputs, n_outputs, NULL, NULL, NULL, err);
    if (feed != stack)
        free(feed);
    return rc;
}

size_t cf_exec_arena_bytes(const cf_exec *e)
{
    return e->arena_bytes;
}

size_t cf_exec_peak_bytes(const cf_exec *e)
{
    return e->peak_bytes;
}

const char *cf_exec_layer_impl(const cf_exec *e, int32_t k)
{
    if (k >= 0 && k < e->g->n_nodes && e->sched.impl && e->sched.impl[k])
        return e->sched.impl[k];
    return (k >= 0 && k < e->g->n_nodes && e->kernels[k]) ? e->kernels[k]->impl : "?";
}

int cf_exec_tensor_layout(const cf_exec *e, int32_t id)
{
    return id >= 0 && id < e->g->n_tensors ? e->sched.layout[id] : CF_LAYOUT_PLAIN;
}
