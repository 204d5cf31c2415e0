/* control.c — If, Loop and Scan: kernels that run subgraphs through the
 * executor (cf_exec_subgraph) and stitch their outputs together. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kutil.h"

static const cf_graph *graph_attr(const cf_node *n, const char *name)
{
    const cf_attr *a = cf_node_attr(n, name);
    return (a && a->type == CF_ATTR_GRAPH) ? a->g : NULL;
}

/* Moves (or copies, when borrowed) src into node output i. */
static int emit(cf_kernel_call *c, int i, cf_value *src, cf_error *err)
{
    cf_value *o = cf_kcall_output(c, i, src->dtype, src->rank, src->dims, err);
    if (!o)
        return err->code;
    if (src->nbytes)
        memcpy(o->data, src->data, src->nbytes);
    cf_value_clear(src);
    return 0;
}

static int scalar_true(const cf_value *v)
{
    return v && cf_value_numel(v) >= 1 && cf_value_get_f64(v, 0) != 0;
}

/* ---- If ------------------------------------------------------------------ */

static int if_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)g;
    (void)state;
    if (!graph_attr(n, "then_branch") || !graph_attr(n, "else_branch"))
        return cf_kernel_prepare_error(n, err, CF_ECHECK, "then_branch or else_branch missing");
    return 0;
}

static int if_run(cf_kernel_call *c, cf_error *err)
{
    const cf_graph *body = graph_attr(c->node, scalar_true(c->in[0]) ? "then_branch" : "else_branch");
    if (body->n_outputs != c->n_out)
        return cf_kernel_error(c, err, CF_ECHECK, "branch gives %d outputs, the node has %d",
                               (int)body->n_outputs, c->n_out);
    cf_value *outs = calloc((size_t)c->n_out + 1, sizeof *outs);
    if (!outs)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    int rc = cf_exec_subgraph(c, body, NULL, 0, outs, c->n_out, err);
    for (int i = 0; i < c->n_out && !rc; i++)
        rc = emit(c, i, &outs[i], err);
    for (int i = 0; i < c->n_out; i++)
        cf_value_clear(&outs[i]);
    free(outs);
    return rc;
}

/* ---- stacking and slicing along an axis -------------------------------- */

/* Bytes of one slice across `axis` and the count of blocks before it. */
static void split_at(const cf_value *v, int axis, int64_t *outer, size_t *inner)
{
    int64_t o = 1, in = 1;
    for (int d = 0; d < axis; d++)
        o *= v->dims[d];
    for (int d = axis + 1; d < v->rank; d++)
        in *= v->dims[d];
    *outer = o;
    *inner = (size_t)in * cf_dtype_size(v->dtype);
}

/* dst = src[..., i, ...] along axis (an owned value of rank - 1). */
static int take_slice(const cf_value *src, int axis, int64_t i, cf_value *dst, cf_error *err)
{
    int64_t dims[CF_MAX_RANK];
    for (int d = 0, k = 0; d < src->rank; d++)
        if (d != axis)
            dims[k++] = src->dims[d];
    int rc = cf_value_alloc(dst, src->dtype, src->rank - 1, dims, "scan slice", err);
    if (rc)
        return rc;
    int64_t outer;
    size_t inner;
    split_at(src, axis, &outer, &inner);
    for (int64_t o = 0; o < outer; o++)
        memcpy((char *)dst->data + (size_t)o * inner,
               (const char *)src->data + ((size_t)o * (size_t)src->dims[axis] + (size_t)i) * inner,
               inner);
    return 0;
}

static int same_shape(const cf_value *a, const cf_value *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank)
        return 0;
    for (int d = 0; d < a->rank; d++)
        if (a->dims[d] != b->dims[d])
            return 0;
    return 1;
}

/* Node output `out` = the n slices stacked along axis (slices in order). */
static int stack_slices(cf_kernel_call *c, int out, cf_value *slices, int64_t n, int axis,
                        const cf_value *shape_hint, cf_error *err)
{
    if (n == 0) {
        /* No iteration: an empty tensor of the body output's rank + 1. */
        int64_t dims[CF_MAX_RANK] = {0};
        int rank = shape_hint ? shape_hint->rank + 1 : 1;
        cf_dtype dt = shape_hint ? shape_hint->dtype : CF_DT_FLOAT;
        for (int d = 0, k = 0; shape_hint && d < rank; d++)
            dims[d] = d == axis ? 0 : shape_hint->dims[k++];
        return cf_kcall_output(c, out, dt, rank, dims, err) ? 0 : err->code;
    }
    const cf_value *s0 = &slices[0];
    if (s0->rank + 1 > CF_MAX_RANK)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "scan output rank too large");
    int64_t dims[CF_MAX_RANK];
    for (int d = 0, k = 0; d <= s0->rank; d++)
        dims[d] = d == axis ? n : s0->dims[k++];
    /* Equal byte counts are not enough: [2x3] then [3x2] would stack into
     * a tensor that is wrong for the second iteration. */
    for (int64_t i = 1; i < n; i++)
        if (!same_shape(&slices[i], s0)) {
            char a[128], b[128];
            int32_t id = out < c->node->n_outputs ? c->node->outputs[out] : -1;
            return cf_kernel_error(c, err, CF_EINVAL,
                                   "output %d (%s) changes shape between iterations: "
                                   "slice 0 is %s, slice %" PRId64 " is %s",
                                   out, id >= 0 ? c->g->tensors[id].name : "?",
                                   cf_value_format(s0, a, sizeof a), i,
                                   cf_value_format(&slices[i], b, sizeof b));
        }
    cf_value *o = cf_kcall_output(c, out, s0->dtype, s0->rank + 1, dims, err);
    if (!o)
        return err->code;
    int64_t outer;
    size_t inner;
    split_at(o, axis, &outer, &inner);
    for (int64_t i = 0; i < n; i++)
        for (int64_t b = 0; b < outer; b++)
            memcpy((char *)o->data + ((size_t)b * (size_t)n + (size_t)i) * inner,
                   (const char *)slices[i].data + (size_t)b * inner, inner);
    return 0;
}

/* What the body declares for its output i (unknown dims 0, unknown type
 * float32): the slice shape of a scan output that had no iteration. */
static void declared_slice(const cf_graph *body, int i, cf_value *hint)
{
    const cf_tensor *t = &body->tensors[body->outputs[i]];
    cf_value z = CF_VALUE_INIT;
    *hint = z;
    hint->dtype = t->dtype != CF_DT_UNDEFINED ? t->dtype : CF_DT_FLOAT;
    hint->rank = t->shape.rank > 0 && t->shape.rank < CF_MAX_RANK ? t->shape.rank : 0;
    for (int d = 0; d < hint->rank; d++)
        hint->dims[d] = t->shape.dims[d].value > 0 ? t->shape.dims[d].value : 0;
}

/* ---- Loop ---------------------------------------------------------------- */

static int loop_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)g;
    (void)state;
    const cf_graph *body = graph_attr(n, "body");
    if (!body)
        return cf_kernel_prepare_error(n, err, CF_ECHECK, "body missing");
    int n_carried = n->n_inputs - 2;
    if (n_carried < 0 || body->n_inputs != n_carried + 2 || body->n_outputs < n_carried + 1)
        return cf_kernel_prepare_error(n, err, CF_ECHECK,
                                       "body takes %d inputs and gives %d outputs for %d loop "
                                       "values", (int)body->n_inputs, (int)body->n_outputs,
                                       n_carried);
    return 0;
}

static int loop_run(cf_kernel_call *c, cf_error *err)
{
    const cf_graph *body = graph_attr(c->node, "body");
    int n_carried = c->n_in - 2;
    int n_scan = body->n_outputs - 1 - n_carried;
    if (!c->in[0] && !c->in[1])
        return cf_kernel_error(c, err, CF_EUNSUPPORTED,
                               "a Loop with neither a trip count nor a condition never ends");
    if (c->in[0] && cf_value_numel(c->in[0]) < 1)
        return cf_kernel_error(c, err, CF_EINVAL, "the trip count M is an empty tensor");
    int64_t max_trip = c->in[0] ? cf_value_get_i64(c->in[0], 0) : INT64_MAX;
    int cond = c->in[1] ? scalar_true(c->in[1]) : 1;
    int rc = 0;
    cf_value iter = CF_VALUE_INIT, cond_v = CF_VALUE_INIT;
    cf_value *carried = calloc((size_t)n_carried + 1, sizeof *carried);
    cf_value *outs = calloc((size_t)body->n_outputs + 1, sizeof *outs);
    const cf_value **feed = calloc((size_t)n_carried + 2, sizeof *feed);
    cf_value **scans = calloc((size_t)n_scan + 1, sizeof *scans);
    int64_t n_iter = 0, cap = 0;
    if (!carried || !outs || !feed || !scans) {
        rc = cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n_carried && !rc; i++)
        rc = cf_value_copy(&carried[i], c->in[i + 2], err);
    rc = rc ? rc : cf_value_alloc(&iter, CF_DT_INT64, 0, NULL, "loop counter", err);
    rc = rc ? rc : cf_value_alloc(&cond_v, CF_DT_BOOL, 0, NULL, "loop condition", err);
    for (int64_t it = 0; !rc && it < max_trip && cond; it++) {
        *(int64_t *)iter.data = it;
        *(uint8_t *)cond_v.data = 1;
        feed[0] = &iter;
        feed[1] = &cond_v;
        for (int i = 0; i < n_carried; i++)
            feed[i + 2] = &carried[i];
        rc = cf_exec_subgraph(c, body, feed, n_carried + 2, outs, body->n_outputs, err);
        if (rc)
            break;
        cond = scalar_true(&outs[0]);
        cf_value_clear(&outs[0]);
        for (int i = 0; i < n_carried; i++) {
            cf_value_clear(&carried[i]);
            carried[i] = outs[1 + i];
        }
        if (n_iter == cap) {
            cap = cap ? cap * 2 : 8;
            for (int k = 0; k < n_scan && !rc; k++) {
                cf_value *ns = realloc(scans[k], (size_t)cap * sizeof *ns);
                if (!ns)
                    rc = cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
                else
                    scans[k] = ns;
            }
        }
        for (int k = 0; k < n_scan; k++) {
            if (!rc)
                scans[k][n_iter] = outs[1 + n_carried + k];
            else
                cf_value_clear(&outs[1 + n_carried + k]);
        }
        if (!rc)
            n_iter++;
        memset(outs, 0, (size_t)body->n_outputs * sizeof *outs);
    }
    for (int i = 0; i < n_carried && !rc; i++)
        rc = emit(c, i, &carried[i], err);
    for (int k = 0; k < n_scan && !rc; k++) {
        cf_value hint;
        declared_slice(body, 1 + n_carried + k, &hint);
        rc = stack_slices(c, n_carried + k, scans[k], n_iter, 0, &hint, err);
    }
done:
    for (int k = 0; scans && k < n_scan; k++) {
        for (int64_t i = 0; scans[k] && i < n_iter; i++)
            cf_value_clear(&scans[k][i]);
        free(scans[k]);
    }
    for (int i = 0; carried && i < n_carried; i++)
        cf_value_clear(&carried[i]);
    cf_value_clear(&iter);
    cf_value_clear(&cond_v);
    free(carried);
    free(outs);
    free((void *)feed);
    free(scans);
    return rc;
}

/* ---- Scan (opset 9+) ------------------------------------------------------ */

static int scan_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)g;
    (void)state;
    const cf_graph *body = graph_attr(n, "body");
    int64_t m = cf_node_attr_int(n, "num_scan_inputs", -1);
    if (!body || m < 1 || m > n->n_inputs)
        return cf_kernel_prepare_error(n, err, CF_ECHECK, "body or num_scan_inputs missing");
    int n_state = n->n_inputs - (int)m;
    if (body->n_inputs != n->n_inputs || body->n_outputs != n->n_outputs ||
        n->n_outputs < n_state)
        return cf_kernel_prepare_error(n, err, CF_ECHECK, "body's inputs/outputs do not match");
    /* One entry per scan input / scan output (the run reads that many). */
    static const char *const lists[] = {"scan_input_axes", "scan_input_directions",
                                        "scan_output_axes", "scan_output_directions"};
    for (int i = 0; i < 4; i++) {
        size_t cnt = 0, want = (size_t)(i < 2 ? m : n->n_outputs - n_state);
        if (cf_node_attr_ints(n, lists[i], &cnt) && cnt && cnt != want)
            return cf_kernel_prepare_error(n, err, CF_ECHECK, "%s has %zu entries for %zu scan %s",
                                           lists[i], cnt, want, i < 2 ? "inputs" : "outputs");
    }
    return 0;
}

static int scan_run(cf_kernel_call *c, cf_error *err)
{
    const cf_node *n = c->node;
    const cf_graph *body = graph_attr(n, "body");
    int m = (int)cf_node_attr_int(n, "num_scan_inputs", 1);
    int n_state = c->n_in - m, n_scan_out = c->n_out - n_state;
    size_t cnt;
    const int64_t *in_axes = cf_node_attr_ints(n, "scan_input_axes", &cnt);
    if (in_axes && (int)cnt != m)
        return cf_kernel_error(c, err, CF_ECHECK, "scan_input_axes has %zu entries for %d inputs", cnt, m);
    const int64_t *in_dirs = cf_node_attr_ints(n, "scan_input_directions", &cnt);
    const int64_t *out_axes = cf_node_attr_ints(n, "scan_output_axes", &cnt);
    const int64_t *out_dirs = cf_node_attr_ints(n, "scan_output_directions", &cnt);
    int axes[64];
    if (m > 64)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "more than 64 scan inputs");
    int64_t len = -1;
    for (int j = 0; j < m; j++) {
        const cf_value *v = c->in[n_state + j];
        if (!v || v->rank < 1)
            return cf_kernel_error(c, err, CF_EINVAL, "scan input %d is %s", j,
                                   v ? "a scalar" : "missing");
        int rc = cf_axis(c, in_axes ? in_axes[j] : 0, v->rank, &axes[j], err);
        if (rc)
            return rc;
        if (len >= 0 && v->dims[axes[j]] != len)
            return cf_kernel_error(c, err, CF_EINVAL, "scan inputs differ in length");
        len = v->dims[axes[j]];
    }
    int rc = 0;
    cf_value *state = calloc((size_t)n_state + 1, sizeof *state);
    cf_value *slices = calloc((size_t)m + 1, sizeof *slices);
    cf_value *outs = calloc((size_t)c->n_out + 1, sizeof *outs);
    const cf_value **feed = calloc((size_t)c->n_in + 1, sizeof *feed);
    cf_value *coll = calloc((size_t)(n_scan_out ? n_scan_out : 1) * (size_t)(len > 0 ? len : 1),
                            sizeof *coll);
    if (!state || !slices || !outs || !feed || !coll) {
        rc = cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n_state && !rc; i++)
        rc = cf_value_copy(&state[i], c->in[i], err);
    for (int64_t t = 0; !rc && t < len; t++) {
        for (int j = 0; j < m && !rc; j++) {
            int64_t at = (in_dirs && in_dirs[j]) ? len - 1 - t : t;
            rc = take_slice(c->in[n_state + j], axes[j], at, &slices[j], err);
        }
        if (rc) {
            for (int j = 0; j < m; j++)
                cf_value_clear(&slices[j]);
            break;
        }
        for (int i = 0; i < n_state; i++)
            feed[i] = &state[i];
        for (int j = 0; j < m; j++)
            feed[n_state + j] = &slices[j];
        rc = cf_exec_subgraph(c, body, feed, c->n_in, outs, c->n_out, err);
        for (int j = 0; j < m; j++)
            cf_value_clear(&slices[j]);
        if (rc)
            break;
        for (int i = 0; i < n_state; i++) {
            cf_value_clear(&state[i]);
            state[i] = outs[i];
        }
        for (int k = 0; k < n_scan_out; k++) {
            int64_t at = (out_dirs && out_dirs[k]) ? len - 1 - t : t;
            coll[(size_t)k * (size_t)len + (size_t)at] = outs[n_state + k];
        }
        memset(outs, 0, (size_t)c->n_out * sizeof *outs);
    }
    for (int i = 0; i < n_state && !rc; i++)
        rc = emit(c, i, &state[i], err);
    for (int k = 0; k < n_scan_out && !rc; k++) {
        cf_value *col = &coll[(size_t)k * (size_t)(len > 0 ? len : 1)];
        cf_value hint;
        declared_slice(body, n_state + k, &hint);
        int rank = len > 0 ? col[0].rank + 1 : hint.rank + 1;
        int ax = 0;
        if (out_axes) {
            rc = cf_axis(c, out_axes[k], rank, &ax, err);
            if (rc)
                break;
        }
        rc = stack_slices(c, n_state + k, col, len > 0 ? len : 0, ax, &hint, err);
    }
done:
    if (coll)
        for (int64_t i = 0; i < (int64_t)n_scan_out * (len > 0 ? len : 0); i++)
            cf_value_clear(&coll[i]);
    for (int i = 0; state && i < n_state; i++)
        cf_value_clear(&state[i]);
    free(state);
    free(slices);
    free(outs);
    free((void *)feed);
    free(coll);
    return rc;
}

const cf_kernel_i cf_kernels_control[] = {
    {"If", "", 1, 0, "ref", if_prepare, if_run, NULL, NULL, NULL},
    {"Loop", "", 1, 0, "ref", loop_prepare, loop_run, NULL, NULL, NULL},
    {"Scan", "", 9, 0, "ref", scan_prepare, scan_run, NULL, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
