/* movement.c — data movement and shape ops: reshapes, transposes, slicing,
 * gathering, padding, tiling and the ops that make constants or read
 * shapes.
 *
 * These ops move bytes without looking at them, so they are written once
 * per element size rather than once per element type: most reduce to
 * "walk the output in order, read the input through a set of strides"
 * (strided_copy), with a stride 0 where an input element is repeated and a
 * negative one where it is read backwards. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kutil.h"

/* Tile views each axis as (repeat, original): twice the rank. */
#define MAXR (2 * CF_MAX_RANK)

/* ---- shared helpers ------------------------------------------------------ */

static size_t esz_of(const cf_value *v)
{
    return cf_dtype_size(v->dtype);
}

static void row_major_strides(const cf_value *v, int64_t *strides)
{
    int64_t s = 1;
    for (int d = v->rank - 1; d >= 0; d--) {
        strides[d] = s;
        s *= v->dims[d];
    }
}

static int64_t prod(const int64_t *dims, int from, int to)
{
    int64_t p = 1;
    for (int d = from; d < to; d++)
        p *= dims[d];
    return p;
}

/* n elements of esz bytes from p (every `step` elements) to o. Fixed-size
 * memcpy compiles to a plain load/store. */
static void copy_run(char *o, const char *p, int64_t n, int64_t step, size_t esz)
{
#define CF_RUN(SZ)                                                                      \
    for (int64_t i = 0; i < n; i++)                                                     \
        memcpy(o + (size_t)i * (SZ), p + (ptrdiff_t)(i * step) * (SZ), (SZ));           \
    return;
    switch (esz) {
    case 1: CF_RUN(1)
    case 2: CF_RUN(2)
    case 4: CF_RUN(4)
    case 8: CF_RUN(8)
    default:
        for (int64_t i = 0; i < n; i++)
            memcpy(o + (size_t)i * esz, p + (ptrdiff_t)(i * step) * (ptrdiff_t)esz, esz);
    }
#undef CF_RUN
}

/* dst, contiguous row-major over dims, gets src read through element
 * strides (any sign, 0 repeats). Axes of size 1 are dropped and axes that
 * are contiguous in src merged, so a plain copy is one memcpy. */
static void strided_copy(void *dst, const void *src, int rank, const int64_t *dims_in,
                         const int64_t *strides_in, size_t esz)
{
    int64_t dims[MAXR], st[MAXR];
    int r = 0;
    for (int d = 0; d < rank; d++) {
        if (dims_in[d] == 0)
            return;
        if (dims_in[d] == 1)
            continue;
        if (r > 0 && st[r - 1] == strides_in[d] * dims_in[d]) {
            dims[r - 1] *= dims_in[d];
            st[r - 1] = strides_in[d];
            continue;
        }
        dims[r] = dims_in[d];
        st[r] = strides_in[d];
        r++;
    }
    char *o = dst;
    const char *s = src;
    if (r == 0) {
        memcpy(o, s, esz);
        return;
    }
    int64_t n = dims[r - 1], step = st[r - 1];
    int64_t idx[MAXR] = {0};
    int64_t off = 0;
    for (;;) {
        const char *p = s + (ptrdiff_t)off * (ptrdiff_t)esz;
        if (step == 1)
            memcpy(o, p, (size_t)n * esz);
        else
            copy_run(o, p, n, step, esz);
        o += (size_t)n * esz;
        int d = r - 2;
        for (; d >= 0; d--) {
            off += st[d];
            if (++idx[d] < dims[d])
                break;
            off -= st[d] * dims[d];
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}

/* n copies of the esz-byte element val at dst, doubling the filled part. */
static void fill(void *dst, int64_t n, const void *val, size_t esz)
{
    if (n <= 0)
        return;
    char *o = dst;
    memcpy(o, val, esz);
    size_t done = esz, total = (size_t)n * esz;
    while (done < total) {
        size_t k = done < total - done ? done : total - done;
        memcpy(o + done, o, k);
        done += k;
    }
}

/* x converted to element type dt into out (at least 8 bytes). */
static void scalar_from_f64(cf_dtype dt, double x, void *out)
{
    cf_value t;
    int64_t one = 1;
    cf_value_view(&t, dt, 1, &one, out);
    if (dt == CF_DT_DOUBLE) {
        memcpy(out, &x, sizeof x);
        return;
    }
    if (dt == CF_DT_INT64) {
        cf_value_set_f64(&t, 0, x);   /* NaN 0, saturating: no undefined cast */
        return;
    }
    float f = (float)x;
    cf_values_from_f32(&t, &f);
}

/* Output i: the bytes of src under a new shape. */
static int emit_reshaped(cf_kernel_call *c, int i, const cf_value *src, int rank,
                         const int64_t *dims, cf_error *err)
{
    int64_t n = prod(dims, 0, rank);
    if (n != cf_value_numel(src))
        return cf_kernel_error(c, err, CF_EINVAL,
                               "cannot give %" PRId64 " elements a shape of %" PRId64, 
                               cf_value_numel(src), n);
    cf_value *o = cf_kcall_output(c, i, src->dtype, rank, dims, err);
    if (!o)
        return err->code;
    if (src->nbytes)
        memcpy(o->data, src->data, src->nbytes);
    return 0;
}

/* Element i of an integer tensor (indices, shapes) as int64. */
static int64_t int_at(const cf_value *v, int64_t i)
{
    switch (v->dtype) {
    case CF_DT_INT64: return ((const int64_t *)v->data)[i];
    case CF_DT_INT32: return ((const int32_t *)v->data)[i];
    default: return cf_value_get_i64(v, i);
    }
}

static int has_in(const cf_kernel_call *c, int i)
{
    return i < c->n_in && c->in[i];
}

static int has_out(const cf_kernel_call *c, int i)
{
    return i < c->n_out && c->node->outputs[i] >= 0;
}

/* What every prepare checks: no string or non-tensor (sequence, optional)
 * operands, and no attribute outside `allowed` (NULL-ended). */
static int prep_common(const cf_graph *g, const cf_node *n, const char *const *allowed,
                       cf_error *err)
{
    for (int k = 0; k < n->n_inputs + n->n_outputs; k++) {
        const cf_tensor *t = k < n->n_inputs ? cf_node_input(g, n, k)
                                             : cf_node_output(g, n, k - n->n_inputs);
        if (!t)
            continue;
        if (t->dtype == CF_DT_STRING)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%s %s: string tensors",
                                           k < n->n_inputs ? "input" : "output", t->name);
        if (t->type_raw.len)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                           "%s %s: not a plain tensor (sequence or optional)",
                                           k < n->n_inputs ? "input" : "output", t->name);
        if (t->dtype == CF_DT_COMPLEX64 || t->dtype == CF_DT_COMPLEX128)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%s %s: complex tensors",
                                           k < n->n_inputs ? "input" : "output", t->name);
    }
    return cf_kernel_check_attrs(n, allowed, err);
}

/* Declines when input i's element type is known and not int32/int64. */
static int prep_int_input(const cf_graph *g, const cf_node *n, int i, const char *what,
                          cf_error *err)
{
    const cf_tensor *t = cf_node_input(g, n, i);
    if (t && t->dtype != CF_DT_UNDEFINED && t->dtype != CF_DT_INT32 && t->dtype != CF_DT_INT64)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%s of type %s", what,
                                       cf_dtype_name(t->dtype));
    return 0;
}

#define CF_PREP(NAME, ...)                                                                \
    static int NAME##_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err) \
    {                                                                                     \
        static const char *const ok[] = {__VA_ARGS__, NULL};                              \
        (void)st;                                                                         \
        return prep_common(g, n, ok, err);                                                \
    }

/* Reads input i (if given) or else the INTS attribute `attr` into out;
 * *n = -1 when neither is there. */
static int ints_in_or_attr(const cf_kernel_call *c, int i, const char *attr, const char *what,
                           int64_t *out, int64_t max, int64_t *n, cf_error *err)
{
    if (has_in(c, i))
        return cf_value_ints(c, c->in[i], what, out, max, n, err);
    size_t cnt = 0;
    const int64_t *a = attr ? cf_node_attr_ints(c->node, attr, &cnt) : NULL;
    if (!a && !(attr && cf_node_attr(c->node, attr))) {
        *n = -1;
        return 0;
    }
    if ((int64_t)cnt > max)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s has %zu values (at most %" PRId64 ")",
                               what, cnt, max);
    for (size_t k = 0; k < cnt; k++)
        out[k] = a[k];
    *n = (int64_t)cnt;
    return 0;
}

/* ---- Identity, Dropout --------------------------------------------------- */

CF_PREP(identity, "")

static int identity_run(cf_kernel_call *c, cf_error *err)
{
    return emit_reshaped(c, 0, c->in[0], c->in[0]->rank, c->in[0]->dims, err);
}

static int dropout_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {"ratio", "seed", "is_test", NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    if (rc)
        return rc;
    /* Dropout-1..6 runs in training mode unless is_test says otherwise. */
    if (cf_graph_opset(g, "") > 0 && cf_graph_opset(g, "") < 7 &&
        cf_node_attr_int(n, "is_test", 0) == 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "training mode (is_test=0) is random; not supported");
    return 0;
}

static int dropout_run(cf_kernel_call *c, cf_error *err)
{
    if (has_in(c, 2) && cf_value_numel(c->in[2]) >= 1 && cf_value_get_f64(c->in[2], 0) != 0) {
        double ratio = has_in(c, 1) && cf_value_numel(c->in[1]) >= 1
                           ? cf_value_get_f64(c->in[1], 0) : 0.5;
        if (ratio != 0)
            return cf_kernel_error(c, err, CF_EUNSUPPORTED,
                                   "training_mode with ratio %g is random; not supported", ratio);
    }
    const cf_value *x = c->in[0];
    int rc = emit_reshaped(c, 0, x, x->rank, x->dims, err);
    if (rc || !has_out(c, 1))
        return rc;
    const cf_tensor *mt = cf_node_output(c->g, c->node, 1);
    cf_dtype dt = mt && mt->dtype != CF_DT_UNDEFINED ? mt->dtype : CF_DT_BOOL;
    cf_value *m = cf_kcall_output(c, 1, dt, x->rank, x->dims, err);
    if (!m)
        return err->code;
    unsigned char one[16];
    scalar_from_f64(dt, 1.0, one);
    fill(m->data, cf_value_numel(m), one, esz_of(m));
    return 0;
}

/* ---- Reshape, Flatten, Squeeze, Unsqueeze -------------------------------- */

CF_PREP(reshape, "allowzero", "shape", "consumed_inputs")

static int reshape_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t shp[CF_MAX_RANK + 1], n;
    int rc = ints_in_or_attr(c, 1, "shape", "shape", shp, CF_MAX_RANK, &n, err);
    if (rc)
        return rc;
    if (n < 0)
        return cf_kernel_error(c, err, CF_EINVAL, "no shape given");
    int allowzero = (int)cf_node_attr_int(c->node, "allowzero", 0);
    int unknown = -1;
    int64_t known = 1;
    for (int i = 0; i < n; i++) {
        if (shp[i] == 0 && !allowzero) {
            if (i >= x->rank)
                return cf_kernel_error(c, err, CF_EINVAL,
                                       "shape[%d] = 0 copies a dimension the input lacks", i);
            shp[i] = x->dims[i];
        } else if (shp[i] == -1) {
            if (unknown >= 0)
                return cf_kernel_error(c, err, CF_EINVAL, "shape has more than one -1");
            unknown = i;
            continue;
        } else if (shp[i] < 0) {
            return cf_kernel_error(c, err, CF_EINVAL, "shape[%d] = %" PRId64, i, shp[i]);
        }
        known *= shp[i];
    }
    if (unknown >= 0) {
        int64_t total = cf_value_numel(x);
        if (known == 0 || total % known)
            return cf_kernel_error(c, err, CF_EINVAL,
                                   "cannot infer the -1 of the shape (%" PRId64
                                   " elements, %" PRId64 " in the known dims)", total, known);
        shp[unknown] = total / known;
    }
    return emit_reshaped(c, 0, x, (int)n, shp, err);
}

CF_PREP(flatten, "axis")

static int flatten_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t axis = cf_node_attr_int(c->node, "axis", 1);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis > x->rank)
        return cf_kernel_error(c, err, CF_EINVAL, "axis %" PRId64 " out of range for rank %d",
                               cf_node_attr_int(c->node, "axis", 1), x->rank);
    int64_t dims[2] = {prod(x->dims, 0, (int)axis), prod(x->dims, (int)axis, x->rank)};
    return emit_reshaped(c, 0, x, 2, dims, err);
}

CF_PREP(squeeze, "axes")

static int squeeze_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t axes[CF_MAX_RANK], n;
    int rc = ints_in_or_attr(c, 1, "axes", "axes", axes, CF_MAX_RANK, &n, err);
    if (rc)
        return rc;
    int drop[CF_MAX_RANK] = {0};
    if (n < 0) {
        for (int d = 0; d < x->rank; d++)
            drop[d] = x->dims[d] == 1;
    }
    for (int64_t k = 0; k < n; k++) {
        int a;
        if ((rc = cf_axis(c, axes[k], x->rank, &a, err)))
            return rc;
        if (x->dims[a] != 1)
            return cf_kernel_error(c, err, CF_EINVAL, "cannot squeeze axis %d of size %" PRId64,
                                   a, x->dims[a]);
        drop[a] = 1;
    }
    int64_t dims[CF_MAX_RANK];
    int r = 0;
    for (int d = 0; d < x->rank; d++)
        if (!drop[d])
            dims[r++] = x->dims[d];
    return emit_reshaped(c, 0, x, r, dims, err);
}

CF_PREP(unsqueeze, "axes")

static int unsqueeze_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t axes[CF_MAX_RANK], n;
    int rc = ints_in_or_attr(c, 1, "axes", "axes", axes, CF_MAX_RANK, &n, err);
    if (rc)
        return rc;
    if (n < 0)
        return cf_kernel_error(c, err, CF_EINVAL, "no axes given");
    int r = x->rank + (int)n;
    if (r > CF_MAX_RANK)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "output rank %d above %d", r,
                               CF_MAX_RANK);
    int ins[CF_MAX_RANK] = {0};
    for (int64_t k = 0; k < n; k++) {
        int a;
        if ((rc = cf_axis(c, axes[k], r, &a, err)))
            return rc;
        if (ins[a])
            return cf_kernel_error(c, err, CF_EINVAL, "axis %d repeated", a);
        ins[a] = 1;
    }
    int64_t dims[CF_MAX_RANK];
    for (int d = 0, k = 0; d < r; d++)
        dims[d] = ins[d] ? 1 : x->dims[k++];
    return emit_reshaped(c, 0, x, r, dims, err);
}

/* ---- Transpose ----------------------------------------------------------- */

CF_PREP(transpose, "perm")

static int transpose_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    size_t np = 0;
    const int64_t *perm = cf_node_attr_ints(c->node, "perm", &np);
    if (perm && (int)np != x->rank)
        return cf_kernel_error(c, err, CF_EINVAL, "perm has %zu values for rank %d", np, x->rank);
    int64_t xs[CF_MAX_RANK], dims[CF_MAX_RANK], st[CF_MAX_RANK];
    int seen[CF_MAX_RANK] = {0};
    row_major_strides(x, xs);
    for (int d = 0; d < x->rank; d++) {
        int64_t p = perm ? perm[d] : x->rank - 1 - d;
        if (p < 0)
            p += x->rank;
        if (p < 0 || p >= x->rank || seen[p])
            return cf_kernel_error(c, err, CF_EINVAL, "perm is not a permutation of 0..%d",
                                   x->rank - 1);
        seen[p] = 1;
        dims[d] = x->dims[p];
        st[d] = xs[p];
    }
    cf_value *o = cf_kcall_output(c, 0, x->dtype, x->rank, dims, err);
    if (!o)
        return err->code;
    if (o->nbytes)
        strided_copy(o->data, x->data, x->rank, dims, st, esz_of(x));
    return 0;
}

/* ---- Concat, Split ------------------------------------------------------- */

CF_PREP(concat, "axis")

static int concat_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x0 = NULL;
    for (int i = 0; i < c->n_in && !x0; i++)
        x0 = c->in[i];
    if (!x0)
        return cf_kernel_error(c, err, CF_EINVAL, "no inputs");
    int axis, rc;
    if ((rc = cf_axis(c, cf_node_attr_int(c->node, "axis", 1), x0->rank, &axis, err)))
        return rc;
    if (x0->rank == 0)
        return cf_kernel_error(c, err, CF_EINVAL, "cannot concatenate scalars");
    int64_t dims[CF_MAX_RANK];
    memcpy(dims, x0->dims, sizeof dims);
    dims[axis] = 0;
    for (int i = 0; i < c->n_in; i++) {
        const cf_value *x = c->in[i];
        if (!x)
            continue;
        int same = x->rank == x0->rank && x->dtype == x0->dtype;
        for (int d = 0; same && d < x->rank; d++)
            same = d == axis || x->dims[d] == x0->dims[d];
        if (!same) {
            char s1[96], s2[96];
            return cf_kernel_error(c, err, CF_EINVAL, "input %d %s does not match %s", i,
                                   cf_value_format(x, s1, sizeof s1),
                                   cf_value_format(x0, s2, sizeof s2));
        }
        dims[axis] += x->dims[axis];
    }
    cf_value *o = cf_kcall_output(c, 0, x0->dtype, x0->rank, dims, err);
    if (!o)
        return err->code;
    if (o->layout != x0->layout)
        return cf_kernel_error(c, err, CF_EINTERNAL, "output layout differs from the inputs'");
    if (x0->layout == CF_LAYOUT_CHANNELS_LAST) {
        /* The same concatenation over memory order [N, D1.., C]. */
        int64_t phys[CF_MAX_RANK];
        phys[0] = dims[0];
        for (int d = 2; d < x0->rank; d++)
            phys[d - 1] = dims[d];
        phys[x0->rank - 1] = dims[1];
        axis = axis == 0 ? 0 : axis == 1 ? x0->rank - 1 : axis - 1;
        memcpy(dims, phys, sizeof dims);
    }
    int64_t outer = prod(dims, 0, axis);
    size_t inner = (size_t)prod(dims, axis + 1, x0->rank) * esz_of(x0);
    size_t orow = (size_t)dims[axis] * inner, at = 0;
    for (int i = 0; i < c->n_in; i++) {
        const cf_value *x = c->in[i];
        if (!x)
            continue;
        size_t row = (size_t)cf_value_numel(x) / (size_t)(outer ? outer : 1) * esz_of(x);
        for (int64_t k = 0; k < outer && row; k++)
            memcpy((char *)o->data + (size_t)k * orow + at, (const char *)x->data + (size_t)k * row,
                   row);
        at += row;
    }
    return 0;
}

/* Concat runs on channels-last inputs too, when all of them are. */
static int concat_layout(void *state, const cf_node *n, const uint8_t *in, uint8_t *out,
                         int commit, cf_error *err)
{
    (void)state;
    (void)err;
    int lay = -1;
    for (int j = 0; j < n->n_inputs; j++) {
        if (n->inputs[j] < 0)
            continue;
        if (lay >= 0 && in[j] != lay)
            return 0;
        lay = in[j];
    }
    if (!commit)
        out[0] = (uint8_t)CF_LAYOUT_BIT(lay < 0 ? CF_LAYOUT_PLAIN : lay);
    return commit ? lay < 0 || out[0] == lay : 1;
}

CF_PREP(split, "axis", "split", "num_outputs")

static int split_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int axis, rc;
    if ((rc = cf_axis(c, cf_node_attr_int(c->node, "axis", 0), x->rank, &axis, err)))
        return rc;
    int64_t *sizes = malloc(((size_t)c->n_out + 1) * sizeof *sizes);
    if (!sizes)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    int64_t n;
    rc = ints_in_or_attr(c, 1, "split", "split", sizes, c->n_out, &n, err);
    if (rc)
        goto done;
    int64_t dim = x->dims[axis];
    if (n < 0) {
        /* Equal parts; with num_outputs (opset 18) the last may be smaller. */
        int64_t parts = cf_node_attr_int(c->node, "num_outputs", c->n_out);
        if (parts != c->n_out || parts <= 0) {
            rc = cf_kernel_error(c, err, CF_EINVAL, "num_outputs %" PRId64 " but %d outputs",
                                 parts, c->n_out);
            goto done;
        }
        int64_t chunk = (dim + parts - 1) / parts;
        if (!cf_node_attr(c->node, "num_outputs") && dim % parts) {
            rc = cf_kernel_error(c, err, CF_EINVAL, "axis of %" PRId64 " does not split in %" PRId64,
                                 dim, parts);
            goto done;
        }
        for (int64_t k = 0, left = dim; k < parts; k++) {
            sizes[k] = chunk < left ? chunk : left;
            left -= sizes[k];
        }
        n = parts;
    }
    int64_t sum = 0;
    for (int64_t k = 0; k < n; k++) {
        if (sizes[k] < 0) {
            rc = cf_kernel_error(c, err, CF_EINVAL, "negative split size");
            goto done;
        }
        sum += sizes[k];
    }
    if (n != c->n_out || sum != dim) {
        rc = cf_kernel_error(c, err, CF_EINVAL,
                             "split sizes (%" PRId64 " of them, sum %" PRId64
                             ") do not fit %d outputs of an axis of %" PRId64,
                             n, sum, c->n_out, dim);
        goto done;
    }
    int64_t outer = prod(x->dims, 0, axis);
    size_t inner = (size_t)prod(x->dims, axis + 1, x->rank) * esz_of(x);
    size_t xrow = (size_t)dim * inner, at = 0;
    for (int i = 0; i < c->n_out; i++) {
        int64_t dims[CF_MAX_RANK];
        memcpy(dims, x->dims, sizeof dims);
        dims[axis] = sizes[i];
        cf_value *o = cf_kcall_output(c, i, x->dtype, x->rank, dims, err);
        if (!o) {
            rc = err->code;
            goto done;
        }
        size_t row = (size_t)sizes[i] * inner;
        for (int64_t k = 0; k < outer && row; k++)
            memcpy((char *)o->data + (size_t)k * row, (const char *)x->data + (size_t)k * xrow + at,
                   row);
        at += row;
    }
done:
    free(sizes);
    return rc;
}

/* ---- Slice --------------------------------------------------------------- */

CF_PREP(slice, "starts", "ends", "axes")

static int slice_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t starts[CF_MAX_RANK], ends[CF_MAX_RANK], axes[CF_MAX_RANK], steps[CF_MAX_RANK];
    int64_t ns, ne, na, nst;
    int attr_form = !has_in(c, 1);
    int rc = ints_in_or_attr(c, 1, attr_form ? "starts" : NULL, "starts", starts, CF_MAX_RANK,
                             &ns, err);
    if (!rc)
        rc = ints_in_or_attr(c, 2, attr_form ? "ends" : NULL, "ends", ends, CF_MAX_RANK, &ne, err);
    if (!rc)
        rc = ints_in_or_attr(c, 3, attr_form ? "axes" : NULL, "axes", axes, CF_MAX_RANK, &na, err);
    if (!rc)
        rc = ints_in_or_attr(c, 4, NULL, "steps", steps, CF_MAX_RANK, &nst, err);
    if (rc)
        return rc;
    if (ns < 0 || ne != ns)
        return cf_kernel_error(c, err, CF_EINVAL, "starts and ends missing or of different lengths");
    if (na < 0)
        for (na = 0; na < ns; na++)
            axes[na] = na;
    if (nst < 0)
        for (nst = 0; nst < ns; nst++)
            steps[nst] = 1;
    if (na != ns || nst != ns)
        return cf_kernel_error(c, err, CF_EINVAL, "starts, axes and steps of different lengths");
    int64_t xs[CF_MAX_RANK], dims[CF_MAX_RANK], st[CF_MAX_RANK];
    int seen[CF_MAX_RANK] = {0};
    row_major_strides(x, xs);
    memcpy(dims, x->dims, sizeof dims);
    memcpy(st, xs, sizeof st);
    int64_t off = 0;
    for (int64_t k = 0; k < ns; k++) {
        int a;
        if ((rc = cf_axis(c, axes[k], x->rank, &a, err)))
            return rc;
        if (seen[a])
            return cf_kernel_error(c, err, CF_EINVAL, "axis %d repeated", a);
        seen[a] = 1;
        int64_t d = x->dims[a], step = steps[k], s = starts[k], e = ends[k];
        if (step == 0)
            return cf_kernel_error(c, err, CF_EINVAL, "step 0 on axis %d", a);
        if (s < 0)
            s += d;
        if (e < 0)
            e += d;
        if (step > 0) {
            s = s < 0 ? 0 : s > d ? d : s;
            e = e < 0 ? 0 : e > d ? d : e;
        } else {
            s = s < 0 ? 0 : s > d - 1 ? d - 1 : s;
            e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
        }
        int64_t len = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
        if (len < 0)
            len = 0;
        dims[a] = len;
        st[a] = xs[a] * step;
        if (len)
            off += s * xs[a];
    }
    cf_value *o = cf_kcall_output(c, 0, x->dtype, x->rank, dims, err);
    if (!o)
        return err->code;
    if (o->nbytes)
        strided_copy(o->data, (const char *)x->data + (size_t)off * esz_of(x), x->rank, dims, st,
                     esz_of(x));
    return 0;
}

/* ---- Gather, GatherElements, GatherND ------------------------------------ */

static int gather_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {"axis", "batch_dims", NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    return rc ? rc : prep_int_input(g, n, 1, "indices", err);
}

/* Index k into an axis of size d, negatives counted from the end. */
static int fix_index(const cf_kernel_call *c, int64_t *k, int64_t d, cf_error *err)
{
    if (*k < 0)
        *k += d;
    if (*k < 0 || *k >= d)
        return cf_kernel_error(c, err, CF_EINVAL, "index %" PRId64 " out of range [%" PRId64
                               ", %" PRId64 ")", *k < 0 ? *k - d : *k, -d, d);
    return 0;
}

static int gather_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *ix = c->in[1];
    int axis, rc;
    if ((rc = cf_axis(c, cf_node_attr_int(c->node, "axis", 0), x->rank, &axis, err)))
        return rc;
    int r = x->rank - 1 + ix->rank;
    if (r > CF_MAX_RANK)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "output rank %d above %d", r, CF_MAX_RANK);
    int64_t dims[CF_MAX_RANK];
    int k = 0;
    for (int d = 0; d < axis; d++)
        dims[k++] = x->dims[d];
    for (int d = 0; d < ix->rank; d++)
        dims[k++] = ix->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        dims[k++] = x->dims[d];
    cf_value *o = cf_kcall_output(c, 0, x->dtype, r, dims, err);
    if (!o)
        return err->code;
    int64_t outer = prod(x->dims, 0, axis), nidx = cf_value_numel(ix), ax = x->dims[axis];
    size_t inner = (size_t)prod(x->dims, axis + 1, x->rank) * esz_of(x);
    char *op = o->data;
    for (int64_t j = 0; j < nidx; j++) {
        int64_t i = int_at(ix, j);
        if ((rc = fix_index(c, &i, ax, err)))
            return rc;
        for (int64_t b = 0; b < outer; b++)
            memcpy(op + ((size_t)b * (size_t)nidx + (size_t)j) * inner,
                   (const char *)x->data + ((size_t)b * (size_t)ax + (size_t)i) * inner, inner);
    }
    return 0;
}

static int gather_elements_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *ix = c->in[1];
    int axis, rc;
    if ((rc = cf_axis(c, cf_node_attr_int(c->node, "axis", 0), x->rank, &axis, err)))
        return rc;
    if (ix->rank != x->rank)
        return cf_kernel_error(c, err, CF_EINVAL, "indices of rank %d for data of rank %d",
                               ix->rank, x->rank);
    cf_value *o = cf_kcall_output(c, 0, x->dtype, ix->rank, ix->dims, err);
    if (!o)
        return err->code;
    int64_t n = cf_value_numel(ix), xs[CF_MAX_RANK], idx[CF_MAX_RANK] = {0};
    row_major_strides(x, xs);
    size_t esz = esz_of(x);
    for (int64_t j = 0; j < n; j++) {
        int64_t i = int_at(ix, j), off = 0;
        if ((rc = fix_index(c, &i, x->dims[axis], err)))
            return rc;
        for (int d = 0; d < x->rank; d++)
            off += (d == axis ? i : idx[d]) * xs[d];
        memcpy((char *)o->data + (size_t)j * esz, (const char *)x->data + (size_t)off * esz, esz);
        for (int d = ix->rank - 1; d >= 0 && ++idx[d] == ix->dims[d]; d--)
            idx[d] = 0;
    }
    return 0;
}

static int gather_nd_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *ix = c->in[1];
    int64_t b = cf_node_attr_int(c->node, "batch_dims", 0);
    if (ix->rank < 1)
        return cf_kernel_error(c, err, CF_EINVAL, "indices must have rank >= 1");
    int q = ix->rank;
    int64_t k = ix->dims[q - 1];
    if (b < 0 || b >= q || b + k > x->rank)
        return cf_kernel_error(c, err, CF_EINVAL,
                               "batch_dims %" PRId64 " and index length %" PRId64
                               " do not fit data of rank %d", b, k, x->rank);
    for (int d = 0; d < b; d++)
        if (ix->dims[d] != x->dims[d])
            return cf_kernel_error(c, err, CF_EINVAL, "batch dimension %d differs", d);
    int64_t dims[CF_MAX_RANK];
    int r = 0;
    for (int d = 0; d < q - 1; d++)
        dims[r++] = ix->dims[d];
    for (int d = (int)(b + k); d < x->rank; d++) {
        if (r >= CF_MAX_RANK)
            return cf_kernel_error(c, err, CF_EUNSUPPORTED, "output rank above %d", CF_MAX_RANK);
        dims[r++] = x->dims[d];
    }
    cf_value *o = cf_kcall_output(c, 0, x->dtype, r, dims, err);
    if (!o)
        return err->code;
    int64_t xs[CF_MAX_RANK];
    row_major_strides(x, xs);
    int64_t batches = prod(x->dims, 0, (int)b), tuples = prod(ix->dims, (int)b, q - 1);
    int64_t bstride = b ? xs[b - 1] : 0;
    size_t slice = (size_t)prod(x->dims, (int)(b + k), x->rank) * esz_of(x);
    char *op = o->data;
    for (int64_t bi = 0; bi < batches; bi++)
        for (int64_t t = 0; t < tuples; t++) {
            int64_t off = bi * bstride, base = (bi * tuples + t) * k;
            for (int64_t j = 0; j < k; j++) {
                int64_t i = int_at(ix, base + j);
                int rc = fix_index(c, &i, x->dims[b + j], err);
                if (rc)
                    return rc;
                off += i * xs[b + j];
            }
            memcpy(op, (const char *)x->data + (size_t)off * esz_of(x), slice);
            op += slice;
        }
    return 0;
}

/* ---- Expand, Tile -------------------------------------------------------- */

static int expand_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    return rc ? rc : prep_int_input(g, n, 1, "shape", err);
}

static int expand_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    cf_value shape = CF_VALUE_INIT;
    int64_t n;
    int rc = cf_value_ints(c, c->in[1], "shape", shape.dims, CF_MAX_RANK, &n, err);
    if (rc)
        return rc;
    shape.rank = (int)n;
    const cf_value *both[2] = {x, &shape};
    int rank;
    int64_t dims[CF_MAX_RANK], st[CF_MAX_RANK];
    if ((rc = cf_bcast_shape(c, both, 2, &rank, dims, err)))
        return rc;
    cf_bcast_strides(x, rank, dims, st);
    cf_value *o = cf_kcall_output(c, 0, x->dtype, rank, dims, err);
    if (!o)
        return err->code;
    if (o->nbytes)
        strided_copy(o->data, x->data, rank, dims, st, esz_of(x));
    return 0;
}

static int tile_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t rep[CF_MAX_RANK], n;
    int rc = cf_value_ints(c, c->in[1], "repeats", rep, CF_MAX_RANK, &n, err);
    if (rc)
        return rc;
    if (n != x->rank)
        return cf_kernel_error(c, err, CF_EINVAL, "%" PRId64 " repeats for rank %d", n, x->rank);
    int64_t xs[CF_MAX_RANK], dims[CF_MAX_RANK], vd[MAXR], vs[MAXR];
    row_major_strides(x, xs);
    for (int d = 0; d < x->rank; d++) {
        if (rep[d] < 0)
            return cf_kernel_error(c, err, CF_EINVAL, "negative repeat on axis %d", d);
        dims[d] = x->dims[d] * rep[d];
        vd[2 * d] = rep[d];
        vs[2 * d] = 0;
        vd[2 * d + 1] = x->dims[d];
        vs[2 * d + 1] = xs[d];
    }
    cf_value *o = cf_kcall_output(c, 0, x->dtype, x->rank, dims, err);
    if (!o)
        return err->code;
    if (o->nbytes)
        strided_copy(o->data, x->data, 2 * x->rank, vd, vs, esz_of(x));
    return 0;
}

/* ---- Pad ----------------------------------------------------------------- */

static int pad_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {"mode", "pads", "paddings", "value", NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    if (rc)
        return rc;
    const char *mode = cf_node_attr_string(n, "mode", "constant");
    if (strcmp(mode, "constant") && strcmp(mode, "reflect") && strcmp(mode, "edge") &&
        strcmp(mode, "wrap"))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "mode %s not supported", mode);
    return prep_int_input(g, n, 1, "pads", err);
}

static int pad_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int r = x->rank;
    int64_t raw[2 * CF_MAX_RANK], n, axes[CF_MAX_RANK], na = -1;
    int rc;
    if (has_in(c, 1))
        rc = cf_value_ints(c, c->in[1], "pads", raw, 2 * CF_MAX_RANK, &n, err);
    else if (cf_node_attr(c->node, "pads"))
        rc = ints_in_or_attr(c, 99, "pads", "pads", raw, 2 * CF_MAX_RANK, &n, err);
    else
        rc = ints_in_or_attr(c, 99, "paddings", "paddings", raw, 2 * CF_MAX_RANK, &n, err);
    if (!rc && has_in(c, 3))
        rc = cf_value_ints(c, c->in[3], "axes", axes, CF_MAX_RANK, &na, err);
    if (rc)
        return rc;
    if (na < 0)
        for (na = 0; na < r; na++)
            axes[na] = na;
    if (n != 2 * na)
        return cf_kernel_error(c, err, CF_EINVAL, "%" PRId64 " pads for %" PRId64 " axes", n, na);
    int64_t lo[CF_MAX_RANK] = {0}, hi[CF_MAX_RANK] = {0};
    for (int64_t k = 0; k < na; k++) {
        int a;
        if ((rc = cf_axis(c, axes[k], r, &a, err)))
            return rc;
        lo[a] = raw[k];
        hi[a] = raw[k + na];
    }
    const char *mode = cf_node_attr_string(c->node, "mode", "constant");
    int constant = !strcmp(mode, "constant"), edge = !strcmp(mode, "edge"),
        wrap = !strcmp(mode, "wrap");
    int64_t dims[CF_MAX_RANK];
    size_t total = 0;
    for (int d = 0; d < r; d++) {
        dims[d] = x->dims[d] + lo[d] + hi[d];
        if (dims[d] < 0)
            return cf_kernel_error(c, err, CF_EINVAL, "pads make axis %d negative", d);
        if (!constant && x->dims[d] == 0 && dims[d] > 0)
            return cf_kernel_error(c, err, CF_EINVAL, "cannot %s-pad an empty axis %d", mode, d);
        total += (size_t)dims[d];
    }
    unsigned char cval[16] = {0};
    size_t esz = esz_of(x);
    if (has_in(c, 2) && cf_value_numel(c->in[2]) >= 1) {
        if (c->in[2]->dtype != x->dtype)
            return cf_kernel_error(c, err, CF_EINVAL, "constant_value of type %s for %s data",
                                   cf_dtype_name(c->in[2]->dtype), cf_dtype_name(x->dtype));
        memcpy(cval, c->in[2]->data, esz);
    } else if (!has_in(c, 2)) {
        scalar_from_f64(x->dtype, cf_node_attr_float(c->node, "value", 0.0f), cval);
    }
    /* Per axis, the input index each output index reads (-1: the constant). */
    int64_t *map = malloc((total + 1) * sizeof *map);
    if (!map)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    int64_t *m[CF_MAX_RANK], xs[CF_MAX_RANK];
    row_major_strides(x, xs);
    for (int d = 0, at = 0; d < r; at += (int)dims[d], d++) {
        m[d] = map + at;
        int64_t nd = x->dims[d];
        for (int64_t i = 0; i < dims[d]; i++) {
            int64_t s = i - lo[d];
            if (s < 0 || s >= nd) {
                if (constant)
                    s = -1;
                else if (edge)
                    s = s < 0 ? 0 : nd - 1;
                else if (wrap)
                    s = ((s % nd) + nd) % nd;
                else if (nd == 1)
                    s = 0;
                else {
                    int64_t period = 2 * (nd - 1);
                    s = ((s % period) + period) % period;
                    if (s >= nd)
                        s = period - s;
                }
            }
            m[d][i] = s < 0 ? -1 : s * xs[d];
        }
    }
    cf_value *o = cf_kcall_output(c, 0, x->dtype, r, dims, err);
    if (!o) {
        free(map);
        return err->code;
    }
    int64_t cnt = cf_value_numel(o), idx[CF_MAX_RANK] = {0};
    char *op = o->data;
    for (int64_t j = 0; j < cnt; j++) {
        int64_t off = 0;
        int out_of = 0;
        for (int d = 0; d < r && !out_of; d++) {
            int64_t s = m[d][idx[d]];
            if (s < 0)
                out_of = 1;
            else
                off += s;
        }
        memcpy(op + (size_t)j * esz, out_of ? (const char *)cval
                                            : (const char *)x->data + (size_t)off * esz, esz);
        for (int d = r - 1; d >= 0 && ++idx[d] == dims[d]; d--)
            idx[d] = 0;
    }
    free(map);
    return 0;
}

/* ---- DepthToSpace, SpaceToDepth ------------------------------------------ */

static int d2s_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {"blocksize", "mode", NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    if (rc)
        return rc;
    const char *mode = cf_node_attr_string(n, "mode", "DCR");
    if (strcmp(mode, "DCR") && strcmp(mode, "CRD"))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "mode %s not supported", mode);
    if (cf_node_attr_int(n, "blocksize", 0) <= 0)
        return cf_kernel_prepare_error(n, err, CF_ECHECK, "blocksize missing or not positive");
    return 0;
}

/* Both ops are a reshape to rank 6, a transpose and a reshape back: the
 * output walked as 6 axes with the matching input strides. */
static int depth_space(cf_kernel_call *c, int to_space, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t b = cf_node_attr_int(c->node, "blocksize", 0);
    if (x->rank != 4)
        return cf_kernel_error(c, err, CF_EINVAL, "input must have rank 4, has %d", x->rank);
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
    int64_t dims[4], vd[6], vs[6];
    if (to_space) {
        if (C % (b * b))
            return cf_kernel_error(c, err, CF_EINVAL, "channels %" PRId64 " not divisible by %" PRId64,
                                   C, b * b);
        int64_t C2 = C / (b * b), HW = H * W;
        int dcr = !strcmp(cf_node_attr_string(c->node, "mode", "DCR"), "DCR");
        int64_t sc = dcr ? HW : b * b * HW;              /* new channel */
        int64_t sb1 = dcr ? b * C2 * HW : b * HW;        /* block row */
        int64_t sb2 = dcr ? C2 * HW : HW;                /* block column */
        int64_t v[6][2] = {{N, C * HW}, {C2, sc}, {H, W}, {b, sb1}, {W, 1}, {b, sb2}};
        for (int d = 0; d < 6; d++)
            vd[d] = v[d][0], vs[d] = v[d][1];
        dims[0] = N, dims[1] = C2, dims[2] = H * b, dims[3] = W * b;
    } else {
        if (H % b || W % b)
            return cf_kernel_error(c, err, CF_EINVAL, "spatial %" PRId64 "x%" PRId64
                                   " not divisible by %" PRId64, H, W, b);
        int64_t v[6][2] = {{N, C * H * W}, {b, W}, {b, 1}, {C, H * W}, {H / b, b * W}, {W / b, b}};
        for (int d = 0; d < 6; d++)
            vd[d] = v[d][0], vs[d] = v[d][1];
        dims[0] = N, dims[1] = C * b * b, dims[2] = H / b, dims[3] = W / b;
    }
    cf_value *o = cf_kcall_output(c, 0, x->dtype, 4, dims, err);
    if (!o)
        return err->code;
    if (o->nbytes)
        strided_copy(o->data, x->data, 6, vd, vs, esz_of(x));
    return 0;
}

static int d2s_run(cf_kernel_call *c, cf_error *err)
{
    return depth_space(c, 1, err);
}

static int s2d_run(cf_kernel_call *c, cf_error *err)
{
    return depth_space(c, 0, err);
}

/* ---- Shape, Size --------------------------------------------------------- */

CF_PREP(shape, "start", "end")

static int shape_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int64_t r = x->rank, s = cf_node_attr_int(c->node, "start", 0),
            e = cf_node_attr_int(c->node, "end", r);
    if (s < 0)
        s += r;
    if (e < 0)
        e += r;
    s = s < 0 ? 0 : s > r ? r : s;
    e = e < 0 ? 0 : e > r ? r : e;
    int64_t n = e > s ? e - s : 0;
    cf_value *o = cf_kcall_output(c, 0, CF_DT_INT64, 1, &n, err);
    if (!o)
        return err->code;
    for (int64_t i = 0; i < n; i++)
        ((int64_t *)o->data)[i] = x->dims[s + i];
    return 0;
}

static int size_run(cf_kernel_call *c, cf_error *err)
{
    cf_value *o = cf_kcall_output(c, 0, CF_DT_INT64, 0, NULL, err);
    if (!o)
        return err->code;
    *(int64_t *)o->data = cf_value_numel(c->in[0]);
    return 0;
}

/* ---- Constant, ConstantOfShape ------------------------------------------- */

static int constant_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {"value", "value_float", "value_floats", "value_int",
                                     "value_ints", NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    if (rc)
        return rc;
    if (n->n_attrs != 1)
        return cf_kernel_prepare_error(n, err, CF_ECHECK, "needs exactly one value attribute");
    const cf_attr *a = &n->attrs[0];
    if (!strcmp(a->name, "value")) {
        if (a->type != CF_ATTR_TENSOR || !a->t)
            return cf_kernel_prepare_error(n, err, CF_ECHECK, "value is not a tensor");
        if (a->t->dtype == CF_DT_STRING || !cf_dtype_size(a->t->dtype))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "value of type %s",
                                           cf_dtype_name(a->t->dtype));
        if (a->t->shape.rank > CF_MAX_RANK)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "value of rank %d",
                                           a->t->shape.rank);
    }
    return 0;
}

static int constant_run(cf_kernel_call *c, cf_error *err)
{
    const cf_attr *a = &c->node->attrs[0];
    if (!strcmp(a->name, "value")) {
        cf_value v;
        int rc = cf_value_from_tensor(&v, a->t, err);
        if (rc)
            return rc;
        return emit_reshaped(c, 0, &v, v.rank, v.dims, err);
    }
    int list = !strcmp(a->name, "value_floats") || !strcmp(a->name, "value_ints");
    int fl = !strcmp(a->name, "value_float") || !strcmp(a->name, "value_floats");
    int64_t n = list ? (int64_t)a->n : 1;
    cf_value *o = cf_kcall_output(c, 0, fl ? CF_DT_FLOAT : CF_DT_INT64, list, &n, err);
    if (!o)
        return err->code;
    if (n == 0)
        return 0;
    if (fl)
        memcpy(o->data, list ? a->floats : &a->f, (size_t)n * sizeof(float));
    else
        memcpy(o->data, list ? a->ints : &a->i, (size_t)n * sizeof(int64_t));
    return 0;
}

static int cos_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {"value", NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    if (rc)
        return rc;
    const cf_attr *a = cf_node_attr(n, "value");
    if (a && (a->type != CF_ATTR_TENSOR || !a->t || a->t->dtype == CF_DT_STRING ||
              !cf_dtype_size(a->t->dtype) || a->t->nbytes != cf_dtype_size(a->t->dtype)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "value must be a one-element numeric tensor");
    return prep_int_input(g, n, 0, "shape", err);
}

static int cos_run(cf_kernel_call *c, cf_error *err)
{
    int64_t dims[CF_MAX_RANK], n;
    int rc = cf_value_ints(c, c->in[0], "shape", dims, CF_MAX_RANK, &n, err);
    if (rc)
        return rc;
    for (int64_t d = 0; d < n; d++)
        if (dims[d] < 0)
            return cf_kernel_error(c, err, CF_EINVAL, "negative dimension in shape");
    const cf_attr *a = cf_node_attr(c->node, "value");
    float zero = 0;
    cf_dtype dt = a ? a->t->dtype : CF_DT_FLOAT;
    const void *val = a ? a->t->data : &zero;
    cf_value *o = cf_kcall_output(c, 0, dt, (int)n, dims, err);
    if (!o)
        return err->code;
    fill(o->data, cf_value_numel(o), val, esz_of(o));
    return 0;
}

/* ---- Range --------------------------------------------------------------- */

static int range_prep(const cf_graph *g, const cf_node *n, void **st, cf_error *err)
{
    static const char *const ok[] = {NULL};
    (void)st;
    int rc = prep_common(g, n, ok, err);
    if (rc)
        return rc;
    const cf_tensor *t = cf_node_input(g, n, 0);
    if (t && t->dtype != CF_DT_UNDEFINED && t->dtype != CF_DT_FLOAT &&
        t->dtype != CF_DT_DOUBLE && t->dtype != CF_DT_INT16 && t->dtype != CF_DT_INT32 &&
        t->dtype != CF_DT_INT64)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "type %s", cf_dtype_name(t->dtype));
    return 0;
}

static int range_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *s = c->in[0], *l = c->in[1], *dl = c->in[2];
    if (cf_value_numel(s) != 1 || cf_value_numel(l) != 1 || cf_value_numel(dl) != 1)
        return cf_kernel_error(c, err, CF_EINVAL, "start, limit and delta must be scalars");
    cf_dtype dt = s->dtype;
    int64_t n;
    if (cf_is_int_type(dt)) {
        int64_t a = cf_value_get_i64(s, 0), b = cf_value_get_i64(l, 0),
                d = cf_value_get_i64(dl, 0);
        if (d == 0)
            return cf_kernel_error(c, err, CF_EINVAL, "delta is 0");
        n = d > 0 ? (b - a + d - 1) / d : (a - b - d - 1) / (-d);
    } else {
        double a = cf_value_get_f64(s, 0), b = cf_value_get_f64(l, 0), d = cf_value_get_f64(dl, 0);
        if (d == 0 || !isfinite(a) || !isfinite(b) || !isfinite(d))
            return cf_kernel_error(c, err, CF_EINVAL, "delta is 0 or a bound is not finite");
        n = (int64_t)ceil((b - a) / d);
    }
    if (n < 0)
        n = 0;
    cf_value *o = cf_kcall_output(c, 0, dt, 1, &n, err);
    if (!o)
        return err->code;
    if (dt == CF_DT_FLOAT) {
        /* The spec's loop accumulates in the element type. */
        float a = *(const float *)s->data, d = *(const float *)dl->data;
        for (int64_t i = 0; i < n; i++)
            ((float *)o->data)[i] = a + (float)i * d;
    } else if (dt == CF_DT_DOUBLE) {
        double a = *(const double *)s->data, d = *(const double *)dl->data;
        for (int64_t i = 0; i < n; i++)
            ((double *)o->data)[i] = a + (double)i * d;
    } else {
        int64_t a = cf_value_get_i64(s, 0), d = cf_value_get_i64(dl, 0);
        for (int64_t i = 0; i < n; i++) {
            int64_t v = a + i * d;
            switch (dt) {
            case CF_DT_INT16: ((int16_t *)o->data)[i] = (int16_t)v; break;
            case CF_DT_INT32: ((int32_t *)o->data)[i] = (int32_t)v; break;
            case CF_DT_INT64: ((int64_t *)o->data)[i] = v; break;
            default:
                return cf_kernel_error(c, err, CF_EUNSUPPORTED, "type %s", cf_dtype_name(dt));
            }
        }
    }
    return 0;
}

/* ---- Trilu --------------------------------------------------------------- */

CF_PREP(trilu, "upper")

static int trilu_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    if (x->rank < 2)
        return cf_kernel_error(c, err, CF_EINVAL, "input must have rank >= 2");
    int64_t k = 0, nk;
    if (has_in(c, 1)) {
        int rc = cf_value_ints(c, c->in[1], "k", &k, 1, &nk, err);
        if (rc)
            return rc;
        if (nk != 1)
            return cf_kernel_error(c, err, CF_EINVAL, "k must be one value");
    }
    int upper = cf_node_attr_int(c->node, "upper", 1) != 0;
    cf_value *o = cf_kcall_output(c, 0, x->dtype, x->rank, x->dims, err);
    if (!o)
        return err->code;
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
    int64_t mats = prod(x->dims, 0, x->rank - 2);
    size_t esz = esz_of(x);
    const char *src = x->data;
    char *dst = o->data;
    /* Zero bytes are 0 in every numeric type. */
    for (int64_t m = 0; m < mats; m++)
        for (int64_t i = 0; i < rows; i++) {
            size_t row = ((size_t)m * (size_t)rows + (size_t)i) * (size_t)cols * esz;
            for (int64_t j = 0; j < cols; j++) {
                int keep = upper ? j - i >= k : j - i <= k;
                if (keep)
                    memcpy(dst + row + (size_t)j * esz, src + row + (size_t)j * esz, esz);
                else
                    memset(dst + row + (size_t)j * esz, 0, esz);
            }
        }
    return 0;
}

/* ---- OneHot -------------------------------------------------------------- */

CF_PREP(onehot, "axis")

static int onehot_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *ix = c->in[0], *dv = c->in[1], *vals = c->in[2];
    if (cf_value_numel(dv) != 1)
        return cf_kernel_error(c, err, CF_EINVAL, "depth must be one value");
    if (cf_value_numel(vals) != 2)
        return cf_kernel_error(c, err, CF_EINVAL, "values must be [off, on]");
    int64_t depth = cf_value_get_i64(dv, 0);   /* NaN 0, saturating */
    if (depth < 1)
        return cf_kernel_error(c, err, CF_EINVAL, "depth %" PRId64 " < 1", depth);
    int r = ix->rank + 1, axis, rc;
    if (r > CF_MAX_RANK)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "output rank %d above %d", r, CF_MAX_RANK);
    if ((rc = cf_axis(c, cf_node_attr_int(c->node, "axis", -1), r, &axis, err)))
        return rc;
    int64_t dims[CF_MAX_RANK];
    for (int d = 0, k = 0; d < r; d++)
        dims[d] = d == axis ? depth : ix->dims[k++];
    cf_value *o = cf_kcall_output(c, 0, vals->dtype, r, dims, err);
    if (!o)
        return err->code;
    int64_t outer = prod(ix->dims, 0, axis), inner = prod(ix->dims, axis, ix->rank);
    size_t esz = esz_of(vals);
    const char *off = vals->data, *on = off + esz;
    char *op = o->data;
    fill(op, cf_value_numel(o), off, esz);
    for (int64_t a = 0; a < outer; a++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t k = cf_value_get_i64(ix, a * inner + i);
            if (k < 0)
                k += depth;
            if (k >= 0 && k < depth)
                memcpy(op + (((size_t)a * (size_t)depth + (size_t)k) * (size_t)inner + (size_t)i) * esz,
                       on, esz);
        }
    return 0;
}

/* ---- the table ----------------------------------------------------------- */

CF_PREP(plain, "")

const cf_kernel_i cf_kernels_movement[] = {
    {"Identity", "", 1, 0, "ref", identity_prep, identity_run, NULL, NULL, NULL},
    {"Dropout", "", 1, 0, "ref", dropout_prep, dropout_run, NULL, NULL, NULL},
    {"Reshape", "", 1, 4, "ref", reshape_prep, reshape_run, NULL, NULL, NULL},
    {"Reshape", "", 5, 0, "ref", reshape_prep, reshape_run, NULL, NULL, NULL},
    {"Flatten", "", 1, 0, "ref", flatten_prep, flatten_run, NULL, NULL, NULL},
    {"Squeeze", "", 1, 12, "ref", squeeze_prep, squeeze_run, NULL, NULL, NULL},
    {"Squeeze", "", 13, 0, "ref", squeeze_prep, squeeze_run, NULL, NULL, NULL},
    {"Unsqueeze", "", 1, 12, "ref", unsqueeze_prep, unsqueeze_run, NULL, NULL, NULL},
    {"Unsqueeze", "", 13, 0, "ref", unsqueeze_prep, unsqueeze_run, NULL, NULL, NULL},
    {"Transpose", "", 1, 0, "ref", transpose_prep, transpose_run, NULL, NULL, NULL},
    {"Concat", "", 1, 0, "ref", concat_prep, concat_run, NULL, concat_layout, NULL},
    {"Split", "", 1, 12, "ref", split_prep, split_run, NULL, NULL, NULL},
    {"Split", "", 13, 0, "ref", split_prep, split_run, NULL, NULL, NULL},
    {"Slice", "", 1, 9, "ref", slice_prep, slice_run, NULL, NULL, NULL},
    {"Slice", "", 10, 0, "ref", plain_prep, slice_run, NULL, NULL, NULL},
    {"Gather", "", 1, 0, "ref", gather_prep, gather_run, NULL, NULL, NULL},
    {"GatherElements", "", 11, 0, "ref", gather_prep, gather_elements_run, NULL, NULL, NULL},
    {"GatherND", "", 11, 0, "ref", gather_prep, gather_nd_run, NULL, NULL, NULL},
    {"Expand", "", 8, 0, "ref", expand_prep, expand_run, NULL, NULL, NULL},
    {"Tile", "", 6, 0, "ref", expand_prep, tile_run, NULL, NULL, NULL},
    {"Pad", "", 1, 10, "ref", pad_prep, pad_run, NULL, NULL, NULL},
    {"Pad", "", 11, 0, "ref", pad_prep, pad_run, NULL, NULL, NULL},
    {"DepthToSpace", "", 1, 0, "ref", d2s_prep, d2s_run, NULL, NULL, NULL},
    {"SpaceToDepth", "", 1, 0, "ref", d2s_prep, s2d_run, NULL, NULL, NULL},
    {"Shape", "", 1, 0, "ref", shape_prep, shape_run, NULL, NULL, NULL},
    {"Size", "", 1, 0, "ref", plain_prep, size_run, NULL, NULL, NULL},
    {"Constant", "", 1, 0, "ref", constant_prep, constant_run, NULL, NULL, NULL},
    {"ConstantOfShape", "", 9, 0, "ref", cos_prep, cos_run, NULL, NULL, NULL},
    {"Range", "", 11, 0, "ref", range_prep, range_run, NULL, NULL, NULL},
    {"Trilu", "", 14, 0, "ref", trilu_prep, trilu_run, NULL, NULL, NULL},
    {"OneHot", "", 9, 0, "ref", onehot_prep, onehot_run, NULL, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
