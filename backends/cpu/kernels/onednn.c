/* onednn.c — fast kernels on oneDNN 2.6 (C API): float32 Conv,
 * ConvTranspose, Gemm, MatMul, MaxPool, AveragePool, GlobalAveragePool;
 * int8 QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger, MaxPool.
 *
 * Every oneDNN call of chipfit is in this file, so the move to oneDNN 3.x
 * (no op descriptors, new scale attributes) touches one place.
 *
 * Each node gets its own state: an engine and a stream (cheap; no process-wide
 * object), the primitive built from the graph's static shapes, constant
 * weights reordered once into the layout oneDNN picked. A node with an
 * unknown dim, a non-constant weight, a type or an attribute we do not map
 * declines (CF_EUNSUPPORTED) and the reference kernel takes it — as does a
 * node for which oneDNN only has its "ref" implementation, which is slower
 * than ours.
 *
 * Layouts and fusion (kernel.h's hooks, schedule.h): convolutions and pools
 * read and write channels-last activations when the executor keeps them so,
 * and reorder at their edges otherwise; Conv, ConvTranspose, MatMul and Gemm
 * apply folded element-wise layers as post-ops.
 *
 * Threads: oneDNN's jit kernels fix their thread count when the primitive
 * descriptor is created (OpenMP parallel regions with that many threads), so
 * a run with another thread count than the one prepared rebuilds the
 * primitive and its reorders once. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl.h>

#include "kutil.h"

#define ALIGN 64
#define MAX_SP 3   /* spatial dims: 1-D, 2-D, 3-D convolution and pooling */

enum { ARG_SRC, ARG_DST, ARG_WEI, ARG_BIAS, N_ARGS };

typedef union op_desc {
    dnnl_convolution_desc_t conv;
    dnnl_deconvolution_desc_t deconv;
    dnnl_pooling_v2_desc_t pool;
    dnnl_matmul_desc_t mm;
} op_desc;

enum { K_CONV = 1, K_POOL, K_MATMUL };

typedef struct dnn_state {
    int kind;                  /* K_*: which hooks apply */
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    op_desc od;
    dnnl_primitive_attr_t attr;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;     /* made at the first run, with the run's threads */
    int nthr;                  /* threads pd was made for */
    char impl[96];

    /* Activations as the executor holds them, and as the primitive wants. */
    dnnl_memory_desc_t src_plain, dst_plain;
    dnnl_memory_t src_user, dst_user;  /* plain views of the node's values */
    dnnl_memory_t src_mem, dst_mem;    /* what the primitive reads / writes */
    dnnl_primitive_t src_reorder, dst_reorder;   /* NULL: no reorder, mem = user */
    void *src_buf, *dst_buf;

    /* Weights: constant (reordered into wei_buf) or read at run time. */
    int wei_input;             /* node input index of the weights; -1 for none */
    int wei_const;
    const void *wei_src;       /* plain constant weights (graph data or wei_own) */
    void *wei_own;             /* weights we transformed (Gemm alpha, transB) */
    dnnl_memory_desc_t wei_plain, wei_md;
    dnnl_memory_t wei_mem;
    void *wei_buf;

    /* Bias: constant (bias_own) or the node's input bias_input at run time. */
    int bias_input;            /* -1: none or constant */
    void *bias_own;
    dnnl_memory_desc_t bias_md;
    dnnl_memory_t bias_mem;
    int has_bias;

    dnnl_memory_t scratch_mem;
    void *scratch_buf;

    /* Layouts (kernel.h's layout hook). *_cl: the channels-last descs of
     * input 0 and output 0 (K_CONV, K_POOL). The user descs src_plain and
     * dst_plain follow what the executor committed. */
    dnnl_memory_desc_t src_cl, dst_cl;
    int in_layout, out_layout;         /* committed CF_LAYOUT_* */
    op_desc od_cl;                     /* K_POOL: the desc over channels-last data */
    int cl_ok;                         /* K_POOL: od_cl has a fast implementation */

    /* Post-ops (the fuse hook). A SUM's addend is copied into dst first,
     * through sum_reorder when dst is reordered. */
    int n_post;
    int has_sum;
    dnnl_memory_t sum_user;
    dnnl_primitive_t sum_reorder;

    int in_rank, out_rank;
    cf_dtype in_dt, out_dt;            /* of input 0 and output 0 */
    int64_t in_dims[CF_MAX_RANK];      /* input 0 as prepared */
    int64_t wei_dims[CF_MAX_RANK];     /* the runtime weights input as prepared */
    int wei_rank;
    int64_t out_dims[CF_MAX_RANK];
} dnn_state;

/* ---- helpers ---------------------------------------------------------------- */

static void *buf_alloc(size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    return aligned_alloc(ALIGN, n ? n : ALIGN);
}

static const char *dnn_status_name(dnnl_status_t s)
{
    switch (s) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out of memory";
    case dnnl_invalid_arguments: return "invalid arguments";
    case dnnl_unimplemented: return "unimplemented";
    case dnnl_runtime_error: return "runtime error";
    default: return "error";
    }
}

/* Plain (row-major) descriptor of a float tensor. */
static dnnl_status_t md_plain(dnnl_memory_desc_t *md, int rank, const int64_t *dims,
                              dnnl_data_type_t dt)
{
    dnnl_dims_t d, s;
    int64_t st = 1;
    for (int i = rank - 1; i >= 0; i--) {
        d[i] = dims[i];
        s[i] = st;
        st *= dims[i] > 0 ? dims[i] : 1;
    }
    return dnnl_memory_desc_init_by_strides(md, rank, d, dt, s);
}

static dnnl_status_t md_any(dnnl_memory_desc_t *md, int rank, const int64_t *dims,
                            dnnl_data_type_t dt)
{
    dnnl_dims_t d;
    for (int i = 0; i < rank; i++)
        d[i] = dims[i];
    return dnnl_memory_desc_init_by_tag(md, rank, d, dt, dnnl_format_tag_any);
}

/* The static shape of a tensor: 1 when every dim is known. */
static int static_shape(const cf_tensor *t, int *rank, int64_t *dims)
{
    if (!t || t->shape.rank < 0 || t->shape.rank > CF_MAX_RANK)
        return 0;
    *rank = t->shape.rank;
    for (int i = 0; i < t->shape.rank; i++) {
        if (t->shape.dims[i].value < 0)
            return 0;
        dims[i] = t->shape.dims[i].value;
    }
    return 1;
}

static const dnnl_format_tag_t act_tags[] = {dnnl_ncw, dnnl_nchw, dnnl_ncdhw};
static const dnnl_format_tag_t act_tags_cl[] = {dnnl_nwc, dnnl_nhwc, dnnl_ndhwc};

/* The desc of a float activation [N, C, spatial...]: plain or channels-last. */
static dnnl_status_t act_md(dnnl_memory_desc_t *md, int rank, const int64_t *dims,
                            dnnl_data_type_t dt, int cl)
{
    dnnl_dims_t d;
    if (rank < 3 || rank > 2 + MAX_SP)
        return dnnl_invalid_arguments;
    for (int i = 0; i < rank; i++)
        d[i] = dims[i];
    return dnnl_memory_desc_init_by_tag(md, rank, d, dt,
                                        cl ? act_tags_cl[rank - 3] : act_tags[rank - 3]);
}

/* 1 when every spatial dim is 1: plain and channels-last are the same bytes. */
static int spatial_one(int rank, const int64_t *dims)
{
    for (int i = 2; i < rank; i++)
        if (dims[i] != 1)
            return 0;
    return 1;
}

static dnnl_data_type_t dnn_dt(cf_dtype t)
{
    return t == CF_DT_UINT8 ? dnnl_u8 : t == CF_DT_INT8 ? dnnl_s8 : t == CF_DT_INT32 ? dnnl_s32
                                                                                  : dnnl_f32;
}

static int is_const(const cf_tensor *t)
{
    return t && (t->flags & CF_TENSOR_INITIALIZER) && t->data && t->dtype == CF_DT_FLOAT;
}

static void state_free(dnn_state *st)
{
    if (!st)
        return;
    if (st->prim)
        dnnl_primitive_destroy(st->prim);
    if (st->pd)
        dnnl_primitive_desc_destroy(st->pd);
    if (st->src_reorder)
        dnnl_primitive_destroy(st->src_reorder);
    if (st->dst_reorder)
        dnnl_primitive_destroy(st->dst_reorder);
    if (st->sum_reorder)
        dnnl_primitive_destroy(st->sum_reorder);
    dnnl_memory_t mems[] = {st->src_user, st->dst_user, st->src_mem, st->dst_mem,
                            st->wei_mem, st->bias_mem, st->scratch_mem, st->sum_user};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        if (mems[i])
            dnnl_memory_destroy(mems[i]);
    if (st->attr)
        dnnl_primitive_attr_destroy(st->attr);
    if (st->strm)
        dnnl_stream_destroy(st->strm);
    if (st->eng)
        dnnl_engine_destroy(st->eng);
    free(st->src_buf);
    free(st->dst_buf);
    free(st->wei_buf);
    free(st->wei_own);
    free(st->bias_own);
    free(st->scratch_buf);
    free(st);
}

static void dnn_release(void *state)
{
    state_free(state);
}

static dnn_state *state_new(void)
{
    dnn_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->wei_input = -1;
    st->bias_input = -1;
    st->in_dt = st->out_dt = CF_DT_FLOAT;
    if (dnnl_engine_create(&st->eng, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&st->strm, st->eng, dnnl_stream_default_flags) != dnnl_success ||
        dnnl_primitive_attr_create(&st->attr) != dnnl_success ||
        dnnl_primitive_attr_set_scratchpad_mode(st->attr, dnnl_scratchpad_mode_user) !=
            dnnl_success) {
        state_free(st);
        return NULL;
    }
    return st;
}

/* Runs a reorder once (weights at set-up). */
static dnnl_status_t reorder_now(dnn_state *st, const dnnl_memory_desc_t *from, const void *src,
                                 const dnnl_memory_desc_t *to, void *dst)
{
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    dnnl_memory_t a = NULL, b = NULL;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&rpd, from, st->eng, to, st->eng, NULL);
    if (s == dnnl_success)
        s = dnnl_primitive_create(&r, rpd);
    if (s == dnnl_success)
        s = dnnl_memory_create(&a, from, st->eng, (void *)src);
    if (s == dnnl_success)
        s = dnnl_memory_create(&b, to, st->eng, dst);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
        s = dnnl_primitive_execute(r, st->strm, 2, args);
    }
    if (s == dnnl_success)
        s = dnnl_stream_wait(st->strm);
    if (a)
        dnnl_memory_destroy(a);
    if (b)
        dnnl_memory_destroy(b);
    if (r)
        dnnl_primitive_destroy(r);
    if (rpd)
        dnnl_primitive_desc_destroy(rpd);
    return s;
}

static dnnl_status_t make_reorder(dnn_state *st, const dnnl_memory_desc_t *from,
                                  const dnnl_memory_desc_t *to, dnnl_primitive_t *out)
{
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&rpd, from, st->eng, to, st->eng, NULL);
    if (s == dnnl_success)
        s = dnnl_primitive_create(out, rpd);
    if (rpd)
        dnnl_primitive_desc_destroy(rpd);
    return s;
}

/* One activation edge (src or dst): the plain view and, when the primitive
 * wants another layout, a buffer in that layout and the reorder between. */
static dnnl_status_t edge_setup(dnn_state *st, const dnnl_memory_desc_t *plain,
                                const dnnl_memory_desc_t *want, int is_src, dnnl_memory_t *user,
                                dnnl_memory_t *mem, dnnl_primitive_t *reorder, void **buf)
{
    dnnl_status_t s = dnnl_memory_create(user, plain, st->eng, DNNL_MEMORY_NONE);
    if (s != dnnl_success)
        return s;
    if (dnnl_memory_desc_equal(plain, want)) {
        *mem = NULL;
        return dnnl_success;
    }
    *buf = buf_alloc(dnnl_memory_desc_get_size(want));
    if (!*buf)
        return dnnl_out_of_memory;
    s = dnnl_memory_create(mem, want, st->eng, *buf);
    if (s == dnnl_success)
        s = is_src ? make_reorder(st, plain, want, reorder) : make_reorder(st, want, plain, reorder);
    return s;
}

/* Drops what build_pd set up around the primitive descriptor. */
static void reset_setup(dnn_state *st)
{
    dnnl_primitive_t *prims[] = {&st->src_reorder, &st->dst_reorder, &st->sum_reorder};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (*prims[i])
            dnnl_primitive_destroy(*prims[i]);
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        *prims[i] = NULL;
    dnnl_memory_t *mems[] = {&st->src_user, &st->dst_user, &st->src_mem, &st->dst_mem,
                             &st->wei_mem, &st->bias_mem, &st->scratch_mem, &st->sum_user};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        if (*mems[i])
            dnnl_memory_destroy(*mems[i]);
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        *mems[i] = NULL;
    free(st->src_buf);
    free(st->dst_buf);
    free(st->wei_buf);
    free(st->scratch_buf);
    st->src_buf = st->dst_buf = st->wei_buf = st->scratch_buf = NULL;
}

/* Builds (or rebuilds for another thread count) the primitive descriptor,
 * checks the implementation, sets up layouts, weights and scratchpad.
 * Returns CF_EUNSUPPORTED for oneDNN's reference implementation. */
static int build_pd(dnn_state *st, const cf_node *n, cf_error *err)
{
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = dnnl_primitive_desc_create(&pd, &st->od, st->attr, st->eng, NULL);
    if (s != dnnl_success)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN has no primitive (%s)",
                                       dnn_status_name(s));
    const char *impl = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    if (!impl || strncmp(impl, "ref", 3) == 0) {
        dnnl_primitive_desc_destroy(pd);
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "oneDNN offers only its reference implementation (%s)",
                                       impl ? impl : "?");
    }
    if (st->pd) {
        /* A rebuild: the layouts may change with the thread count. */
        const dnnl_memory_desc_t *q[] = {
            dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
            dnnl_primitive_desc_query_md(st->pd, dnnl_query_src_md, 0),
            dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
            dnnl_primitive_desc_query_md(st->pd, dnnl_query_dst_md, 0),
            dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
            dnnl_primitive_desc_query_md(st->pd, dnnl_query_weights_md, 0),
            dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0),
            dnnl_primitive_desc_query_md(st->pd, dnnl_query_scratchpad_md, 0),
        };
        int same = 1;
        for (int i = 0; i < 8; i += 2)
            same &= (!q[i] && !q[i + 1]) ||
                    (q[i] && q[i + 1] && dnnl_memory_desc_equal(q[i], q[i + 1]));
        dnnl_primitive_desc_destroy(st->pd);
        st->pd = pd;
        if (same)
            return 0;
        /* Otherwise set everything up again below. */
        reset_setup(st);
    }
    st->pd = pd;
    snprintf(st->impl, sizeof st->impl, "%s", impl);

    const dnnl_memory_desc_t *src = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *dst = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    s = edge_setup(st, &st->src_plain, src, 1, &st->src_user, &st->src_mem, &st->src_reorder,
                   &st->src_buf);
    if (s == dnnl_success)
        s = edge_setup(st, &st->dst_plain, dst, 0, &st->dst_user, &st->dst_mem, &st->dst_reorder,
                       &st->dst_buf);
    if (s == dnnl_success && st->has_sum && st->dst_mem) {
        s = dnnl_memory_create(&st->sum_user, &st->dst_plain, st->eng, DNNL_MEMORY_NONE);
        if (s == dnnl_success)
            s = make_reorder(st, &st->dst_plain, dst, &st->sum_reorder);
    }
    if (s == dnnl_success && st->wei_input >= 0) {
        const dnnl_memory_desc_t *w = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        st->wei_md = *w;
        if (st->wei_const) {
            st->wei_buf = buf_alloc(dnnl_memory_desc_get_size(w));
            s = st->wei_buf ? reorder_now(st, &st->wei_plain, st->wei_src, w, st->wei_buf)
                            : dnnl_out_of_memory;
            if (s == dnnl_success)
                s = dnnl_memory_create(&st->wei_mem, w, st->eng, st->wei_buf);
        } else {
            s = dnnl_memory_create(&st->wei_mem, w, st->eng, DNNL_MEMORY_NONE);
        }
    }
    if (s == dnnl_success && st->has_bias)
        s = dnnl_memory_create(&st->bias_mem, &st->bias_md, st->eng,
                               st->bias_own ? st->bias_own : DNNL_MEMORY_NONE);
    const dnnl_memory_desc_t *sp = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (s == dnnl_success && sp && dnnl_memory_desc_get_size(sp)) {
        st->scratch_buf = buf_alloc(dnnl_memory_desc_get_size(sp));
        s = st->scratch_buf ? dnnl_memory_create(&st->scratch_mem, sp, st->eng, st->scratch_buf)
                            : dnnl_out_of_memory;
    }
    if (s == dnnl_out_of_memory)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    if (s != dnnl_success)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN set-up failed (%s)",
                                       dnn_status_name(s));
    return 0;
}

/* Builds everything again (after a change of layouts or post-ops). */
static int rebuild(dnn_state *st, const cf_node *n, cf_error *err)
{
    if (st->prim)
        dnnl_primitive_destroy(st->prim);
    if (st->pd)
        dnnl_primitive_desc_destroy(st->pd);
    st->prim = NULL;
    st->pd = NULL;
    reset_setup(st);
    return build_pd(st, n, err);
}

/* The common end of prepare: builds for the current thread count. */
static int finish_prepare(dnn_state *st, const cf_node *n, void **state, cf_error *err)
{
    st->nthr = omp_get_max_threads();
    int rc = build_pd(st, n, err);
    if (rc) {
        state_free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static int same_dims(const cf_value *v, int rank, const int64_t *dims)
{
    if (!v || v->rank != rank)
        return 0;
    for (int i = 0; i < rank; i++)
        if (v->dims[i] != dims[i])
            return 0;
    return 1;
}

static int dnn_run(cf_kernel_call *c, cf_error *err)
{
    dnn_state *st = c->state;
    const cf_value *x = c->in[0];
    if (!same_dims(x, st->in_rank, st->in_dims) || x->dtype != st->in_dt)
        return cf_kernel_error(c, err, CF_ECHECK,
                               "input 0 differs from the shape the oneDNN kernel was prepared for");
    const cf_value *w = st->wei_input >= 0 && !st->wei_const ? c->in[st->wei_input] : NULL;
    if (st->wei_input >= 0 && !st->wei_const &&
        (!same_dims(w, st->wei_rank, st->wei_dims) || w->dtype != CF_DT_FLOAT))
        return cf_kernel_error(c, err, CF_ECHECK, "input %d differs from the shape the oneDNN "
                               "kernel was prepared for", st->wei_input);
    const cf_value *b = st->bias_input >= 0 ? c->in[st->bias_input] : NULL;
    if (st->bias_input >= 0 && (!b || b->dtype != CF_DT_FLOAT ||
                                cf_value_numel(b) != st->out_dims[1]))
        return cf_kernel_error(c, err, CF_ECHECK, "bias differs from what was prepared");

    int want = c->threads > 0 ? c->threads : 1;
    if (omp_get_max_threads() != want)
        omp_set_num_threads(want);
    if (st->nthr != want) {
        if (st->prim) {
            dnnl_primitive_destroy(st->prim);
            st->prim = NULL;
        }
        st->nthr = want;
        /* Everything again: the reorders too fix their thread count when
         * made, and a 2-thread reorder in a 1-thread run wakes an idle
         * OpenMP thread every call (milliseconds when the CPUs are busy). */
        int rc = rebuild(st, c->node, err);
        if (rc)
            return cf_kernel_error(c, err, rc, "rebuilding for %d threads failed", want);
    }
    dnnl_status_t s = dnnl_success;
    if (!st->prim)
        s = dnnl_primitive_create(&st->prim, st->pd);
    if (s != dnnl_success)
        return cf_kernel_error(c, err, s == dnnl_out_of_memory ? CF_ENOMEM : CF_EINTERNAL,
                               "oneDNN primitive creation failed (%s)", dnn_status_name(s));

    if ((st->kind == K_CONV || st->kind == K_POOL) && x->layout != st->in_layout &&
        !spatial_one(x->rank, x->dims))
        return cf_kernel_error(c, err, CF_EINTERNAL, "input 0 arrived in another layout than "
                               "the one planned");
    cf_value *y = cf_kcall_output(c, 0, st->out_dt, st->out_rank, st->out_dims, err);
    if (!y)
        return CF_ENOMEM;
    const cf_value *addend = c->post_in;
    if (st->has_sum && (!addend || addend->dtype != CF_DT_FLOAT || addend->nbytes != y->nbytes ||
                        (addend->layout != y->layout && !spatial_one(y->rank, y->dims))))
        return cf_kernel_error(c, err, CF_EINTERNAL, "the fused Add's addend differs from the "
                               "output");
    dnnl_memory_set_data_handle(st->src_user, x->data);
    dnnl_memory_set_data_handle(st->dst_user, y->data);
    dnnl_memory_t src = st->src_mem ? st->src_mem : st->src_user;
    dnnl_memory_t dst = st->dst_mem ? st->dst_mem : st->dst_user;
    if (w)
        dnnl_memory_set_data_handle(st->wei_mem, w->data);
    if (b)
        dnnl_memory_set_data_handle(st->bias_mem, b->data);

    if (st->src_reorder) {
        dnnl_exec_arg_t ra[] = {{DNNL_ARG_FROM, st->src_user}, {DNNL_ARG_TO, st->src_mem}};
        s = dnnl_primitive_execute(st->src_reorder, st->strm, 2, ra);
    }
    /* A fused residual Add: dst starts as the addend, the sum post-op adds. */
    if (s == dnnl_success && st->has_sum && st->sum_reorder) {
        dnnl_memory_set_data_handle(st->sum_user, addend->data);
        dnnl_exec_arg_t ra[] = {{DNNL_ARG_FROM, st->sum_user}, {DNNL_ARG_TO, st->dst_mem}};
        s = dnnl_primitive_execute(st->sum_reorder, st->strm, 2, ra);
    } else if (st->has_sum && y->nbytes && addend->data != y->data) {
        memcpy(y->data, addend->data, y->nbytes);
    }
    dnnl_exec_arg_t args[5];
    int na = 0;
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, src};
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, dst};
    if (st->wei_mem)
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, st->wei_mem};
    if (st->bias_mem)
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, st->bias_mem};
    if (st->scratch_mem)
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, st->scratch_mem};
    if (s == dnnl_success)
        s = dnnl_primitive_execute(st->prim, st->strm, na, args);
    if (s == dnnl_success && st->dst_reorder) {
        dnnl_exec_arg_t ra[] = {{DNNL_ARG_FROM, st->dst_mem}, {DNNL_ARG_TO, st->dst_user}};
        s = dnnl_primitive_execute(st->dst_reorder, st->strm, 2, ra);
    }
    if (s == dnnl_success)
        s = dnnl_stream_wait(st->strm);
    if (s != dnnl_success)
        return cf_kernel_error(c, err, CF_EINTERNAL, "oneDNN execution failed (%s, %s)",
                               dnn_status_name(s), st->impl);
    return 0;
}

/* ---- attributes ------------------------------------------------------------- */

/* Reads an INTS attribute of exactly `count` values into out (dflt when
 * absent). 0 when present with another count. */
static int attr_ints(const cf_node *n, const char *name, int count, int64_t dflt, int64_t *out)
{
    size_t k = 0;
    const int64_t *v = cf_node_attr_ints(n, name, &k);
    if (!v) {
        for (int i = 0; i < count; i++)
            out[i] = dflt;
        return 1;
    }
    if ((int)k != count)
        return 0;
    memcpy(out, v, (size_t)count * sizeof *out);
    return 1;
}

/* Which attributes the node may carry; any other declines. */
static int attrs_known(const cf_node *n, const char *const *known, const char **bad)
{
    for (int a = 0; a < n->n_attrs; a++) {
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, n->attrs[a].name) == 0;
        if (!ok) {
            *bad = n->attrs[a].name;
            return 0;
        }
    }
    return 1;
}

/* Window geometry shared by Conv and the pools: pads from pads / auto_pad
 * for output size out = floor((in + pl + pr - ek) / s) + 1 (ek: dilated
 * kernel extent). ceil_mode is handled by the caller. */
static int window_pads(const cf_node *n, int sp, const int64_t *in, const int64_t *k,
                       const int64_t *s, const int64_t *d, int64_t *pl, int64_t *pr,
                       cf_error *err)
{
    const char *ap = cf_node_attr_string(n, "auto_pad", "NOTSET");
    int64_t pads[2 * MAX_SP];
    if (strcmp(ap, "NOTSET") == 0) {
        if (!attr_ints(n, "pads", 2 * sp, 0, pads))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "pads has the wrong length");
        for (int i = 0; i < sp; i++) {
            pl[i] = pads[i];
            pr[i] = pads[sp + i];
        }
    } else if (strcmp(ap, "VALID") == 0) {
        for (int i = 0; i < sp; i++)
            pl[i] = pr[i] = 0;
    } else if (strcmp(ap, "SAME_UPPER") == 0 || strcmp(ap, "SAME_LOWER") == 0) {
        for (int i = 0; i < sp; i++) {
            int64_t out = (in[i] + s[i] - 1) / s[i];
            int64_t ek = (k[i] - 1) * d[i] + 1;
            int64_t tot = (out - 1) * s[i] + ek - in[i];
            if (tot < 0)
                tot = 0;
            int64_t small = tot / 2;
            pl[i] = ap[5] == 'U' ? small : tot - small;
            pr[i] = tot - pl[i];
        }
    } else {
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "auto_pad %s", ap);
    }
    for (int i = 0; i < sp; i++)
        if (pl[i] < 0 || pr[i] < 0)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "negative pads");
    return 0;
}

/* ---- Conv ------------------------------------------------------------------- */

/* One value of a constant scalar (per-tensor scale or zero point) input. */
static int const_scalar(const cf_graph *g, const cf_node *n, int i, double *v);

/* QLinearConv's quantisation, as oneDNN attributes and int8 weights: the
 * weights minus their zero point (per output channel) must fit int8 (oneDNN
 * has no weight zero point for convolutions); per-channel or per-tensor
 * weight scales become the output scales x_scale * w_scale / y_scale. */
static int qconv_setup(dnn_state *st, const cf_graph *g, const cf_node *n, int mode, int64_t M,
                       int64_t per_oc, cf_error *err)
{
    int qlinear = mode == 1;   /* else ConvInteger: x, w, x_zp, w_zp; int32 out */
    const cf_tensor *w = cf_node_input(g, n, qlinear ? 3 : 1);
    const cf_tensor *ws = qlinear ? cf_node_input(g, n, 4) : NULL;
    const cf_tensor *wz = cf_node_input(g, n, qlinear ? 5 : 3);
    const cf_tensor *bt = qlinear ? cf_node_input(g, n, 8) : NULL;
    double xs = 1, xz = 0, ys = 1, yz = 0;
    if (qlinear ? !const_scalar(g, n, 1, &xs) || !const_scalar(g, n, 2, &xz) ||
                      !const_scalar(g, n, 6, &ys) || !const_scalar(g, n, 7, &yz) || xs <= 0 ||
                      ys <= 0
                : cf_node_input(g, n, 2) && !const_scalar(g, n, 2, &xz))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "x/y scale and zero point not constant scalars");
    int64_t nws = 1, nwz = 0;
    if ((qlinear && (!ws || !(ws->flags & CF_TENSOR_INITIALIZER) || !ws->data ||
                     ws->dtype != CF_DT_FLOAT || !cf_shape_numel(&ws->shape, &nws) ||
                     (nws != 1 && nws != M))) ||
        (wz && (!(wz->flags & CF_TENSOR_INITIALIZER) || !wz->data || wz->dtype != w->dtype ||
                !cf_shape_numel(&wz->shape, &nwz) || (nwz != 1 && nwz != M))))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "weight scale / zero point");
    if (bt && (!(bt->flags & CF_TENSOR_INITIALIZER) || !bt->data || bt->dtype != CF_DT_INT32))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "bias not a constant int32");
    int8_t *w8 = malloc((size_t)(M * per_oc) + 1);
    float *scales = malloc((size_t)M * sizeof *scales);
    if (!w8 || !scales) {
        free(w8);
        free(scales);
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    }
    const float *wsv = ws ? ws->data : NULL;
    for (int64_t m = 0; m < M; m++) {
        int zp = 0;
        if (wz)
            zp = w->dtype == CF_DT_UINT8 ? ((const uint8_t *)wz->data)[nwz == 1 ? 0 : m]
                                         : ((const int8_t *)wz->data)[nwz == 1 ? 0 : m];
        scales[m] = wsv ? (float)(xs * wsv[nws == 1 ? 0 : m] / ys) : 1.0f;
        for (int64_t i = 0; i < per_oc; i++) {
            int64_t at = m * per_oc + i;
            int v = (w->dtype == CF_DT_UINT8 ? ((const uint8_t *)w->data)[at]
                                             : ((const int8_t *)w->data)[at]) - zp;
            if (v < -128 || v > 127) {
                free(w8);
                free(scales);
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                               "weights minus zero point do not fit int8");
            }
            w8[at] = (int8_t)v;
        }
    }
    st->wei_own = w8;
    st->wei_src = w8;
    int32_t zs = (int32_t)xz, zd = (int32_t)yz;
    int rc = 0;
    if ((qlinear && dnnl_primitive_attr_set_output_scales(st->attr, nws == 1 ? 1 : M,
                                                          nws == 1 ? 0 : 1 << 1,
                                                          scales) != dnnl_success) ||
        (zs && dnnl_primitive_attr_set_zero_points(st->attr, DNNL_ARG_SRC, 1, 0, &zs)) ||
        (zd && dnnl_primitive_attr_set_zero_points(st->attr, DNNL_ARG_DST, 1, 0, &zd)))
        rc = cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN quantisation attributes");
    free(scales);
    if (!rc && bt) {
        /* oneDNN adds an int32 bias to the int32 accumulator, before the
         * output scale: the domain QLinearConv defines it in. */
        st->bias_own = malloc((size_t)M * sizeof(int32_t));
        if (!st->bias_own)
            return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
        memcpy(st->bias_own, bt->data, (size_t)M * sizeof(int32_t));
    }
    return rc;
}

/* Conv (quant 0: float32), QLinearConv (quant 1: uint8/int8 activations,
 * int8 weights, int32 bias) and ConvInteger (quant 2: uint8/int8 in, int32
 * out, zero points). */
static int conv_prepare_common(const cf_graph *g, const cf_node *n, int quant, void **state,
                               cf_error *err)
{
    static const char *const known[] = {"auto_pad", "dilations", "group", "kernel_shape",
                                        "pads", "strides", NULL};
    const char *bad = NULL;
    if (!attrs_known(n, known, &bad))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s", bad);
    int wi = quant == 1 ? 3 : 1, bi = quant == 1 ? 8 : 2;
    const cf_tensor *x = cf_node_input(g, n, 0), *w = cf_node_input(g, n, wi);
    const cf_tensor *b = quant == 2 ? NULL : cf_node_input(g, n, bi);
    const cf_tensor *yt = cf_node_output(g, n, 0);
    int xr, wr, br = 0;
    int64_t xd[CF_MAX_RANK], wd[CF_MAX_RANK], bd[CF_MAX_RANK];
    if (!x || !w || !yt)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "inputs missing");
    if (!quant && (x->dtype != CF_DT_FLOAT || w->dtype != CF_DT_FLOAT ||
                   (b && b->dtype != CF_DT_FLOAT)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only float32");
    if (quant && ((x->dtype != CF_DT_UINT8 && x->dtype != CF_DT_INT8) ||
                  (w->dtype != CF_DT_UINT8 && w->dtype != CF_DT_INT8) ||
                  (quant == 1 && yt->dtype != CF_DT_UINT8 && yt->dtype != CF_DT_INT8) ||
                  (quant == 2 && yt->dtype != CF_DT_INT32)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only uint8/int8");
    if (!static_shape(x, &xr, xd) || !static_shape(w, &wr, wd) || (b && !static_shape(b, &br, bd)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "shapes not static");
    if (quant ? !(w->flags & CF_TENSOR_INITIALIZER) || !w->data : !is_const(w))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "weights not constant");
    int sp = xr - 2;
    if (sp < 1 || sp > MAX_SP || wr != xr)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "rank %d", xr);
    int64_t group = cf_node_attr_int(n, "group", 1);
    int64_t N = xd[0], C = xd[1], M = wd[0];
    if (group < 1 || C % group || M % group || wd[1] != C / group || (b && (br != 1 || bd[0] != M)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "inconsistent channels");
    int64_t k[MAX_SP], s[MAX_SP], d[MAX_SP], pl[MAX_SP], pr[MAX_SP], ks[MAX_SP];
    for (int i = 0; i < sp; i++)
        k[i] = wd[2 + i];
    if (!attr_ints(n, "strides", sp, 1, s) || !attr_ints(n, "dilations", sp, 1, d) ||
        !attr_ints(n, "kernel_shape", sp, 0, ks))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute lengths");
    for (int i = 0; i < sp; i++)
        if (s[i] < 1 || d[i] < 1 || (cf_node_attr(n, "kernel_shape") && ks[i] != k[i]))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "strides/dilations/kernel");
    int rc = window_pads(n, sp, xd + 2, k, s, d, pl, pr, err);
    if (rc)
        return rc;
    int64_t yd[CF_MAX_RANK] = {N, M};
    for (int i = 0; i < sp; i++) {
        int64_t ek = (k[i] - 1) * d[i] + 1;
        yd[2 + i] = (xd[2 + i] + pl[i] + pr[i] - ek) / s[i] + 1;
        if (xd[2 + i] + pl[i] + pr[i] < ek || yd[2 + i] < 1)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "empty output");
    }
    if (N < 1 || C < 1 || M < 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "empty tensor");

    dnn_state *st = state_new();
    if (!st)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    st->kind = K_CONV;
    st->in_rank = st->out_rank = xr;
    st->in_dt = x->dtype;
    st->out_dt = yt->dtype;
    memcpy(st->in_dims, xd, sizeof xd);
    memcpy(st->out_dims, yd, sizeof yd);
    st->wei_input = wi;
    st->wei_const = 1;
    st->wei_src = w->data;
    int64_t per_oc = wd[1];
    for (int i = 0; i < sp; i++)
        per_oc *= k[i];
    if (quant && (rc = qconv_setup(st, g, n, quant, M, per_oc, err))) {
        state_free(st);
        return rc;
    }
    dnnl_data_type_t xt = dnn_dt(st->in_dt), yt_ = dnn_dt(st->out_dt);
    dnnl_data_type_t wt = quant ? dnnl_s8 : dnnl_f32, bt = quant ? dnnl_s32 : dnnl_f32;
    dnnl_dims_t dw, dst_s, dd, dpl, dpr;
    /* Grouped weights: ONNX's [M, C/g, k...] is [g, M/g, C/g, k...] row-major. */
    int wrank = group > 1 ? xr + 1 : xr;
    if (group > 1) {
        dw[0] = group;
        dw[1] = M / group;
        for (int i = 1; i < wr; i++)
            dw[i + 1] = wd[i];
    } else {
        for (int i = 0; i < wr; i++)
            dw[i] = wd[i];
    }
    for (int i = 0; i < sp; i++) {
        dst_s[i] = s[i];
        dd[i] = d[i] - 1;
        dpl[i] = pl[i];
        dpr[i] = pr[i];
    }
    int64_t wdims[CF_MAX_RANK + 1];
    for (int i = 0; i < wrank; i++)
        wdims[i] = dw[i];
    dnnl_memory_desc_t src_md, dst_md, wei_md;
    dnnl_status_t ds = act_md(&st->src_plain, xr, xd, xt, 0);
    if (ds == dnnl_success)
        ds = act_md(&st->dst_plain, xr, yd, yt_, 0);
    if (ds == dnnl_success)
        ds = act_md(&st->src_cl, xr, xd, xt, 1);
    if (ds == dnnl_success)
        ds = act_md(&st->dst_cl, xr, yd, yt_, 1);
    if (ds == dnnl_success)
        ds = md_plain(&st->wei_plain, wrank, wdims, wt);
    if (ds == dnnl_success)
        ds = md_any(&wei_md, wrank, wdims, wt);
    /* Activation layout: oneDNN's pick (channels-last for its brgconv and
     * int8 kernels on AVX-512). Forcing plain NCHW (x64:gemm:jit, im2col)
     * was slower on resnet18: convs 23.7 against 17.6 ms on 1 thread even
     * with a reorder at each conv's edges, which the schedule now removes
     * between layers (schedule.h). CF_ONEDNN_ACT_PLAIN forces plain, for
     * comparisons. */
#ifdef CF_ONEDNN_ACT_PLAIN
    src_md = st->src_plain;
    dst_md = st->dst_plain;
#else
    if (ds == dnnl_success)
        ds = md_any(&src_md, xr, xd, xt);
    if (ds == dnnl_success)
        ds = md_any(&dst_md, xr, yd, yt_);
#endif
    if (b) {
        int64_t m = M;
        st->has_bias = 1;
        st->bias_input = quant ? -1 : bi;   /* QLinearConv's is constant (bias_own) */
        if (ds == dnnl_success)
            ds = md_plain(&st->bias_md, 1, &m, bt);
    }
    if (ds == dnnl_success)
        ds = dnnl_dilated_convolution_forward_desc_init(
            &st->od.conv, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &wei_md,
            b ? &st->bias_md : NULL, &dst_md, dst_s, dd, dpl, dpr);
    if (ds != dnnl_success) {
        state_free(st);
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN convolution (%s)",
                                       dnn_status_name(ds));
    }
    return finish_prepare(st, n, state, err);
}

static int conv_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return conv_prepare_common(g, n, 0, state, err);
}

static int qlinear_conv_prepare(const cf_graph *g, const cf_node *n, void **state,
                                cf_error *err)
{
    return conv_prepare_common(g, n, 1, state, err);
}

static int conv_integer_prepare(const cf_graph *g, const cf_node *n, void **state,
                                cf_error *err)
{
    return conv_prepare_common(g, n, 2, state, err);
}

/* ---- ConvTranspose ------------------------------------------------------- */

/* float32 ConvTranspose as a oneDNN deconvolution. ONNX's out = s*(in-1) +
 * output_padding + (k-1)*d + 1 - pad_begin - pad_end is oneDNN's with the
 * end padding less output_padding; a case that needs a negative padding
 * (outputs only the bias reaches) is left to the reference kernel. */
static int deconv_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    static const char *const known[] = {"auto_pad", "dilations", "group", "kernel_shape",
                                        "output_padding", "output_shape", "pads", "strides",
                                        NULL};
    const char *bad = NULL;
    if (!attrs_known(n, known, &bad))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s", bad);
    const cf_tensor *x = cf_node_input(g, n, 0), *w = cf_node_input(g, n, 1);
    const cf_tensor *b = cf_node_input(g, n, 2);
    int xr, wr, br = 0;
    int64_t xd[CF_MAX_RANK], wd[CF_MAX_RANK], bd[CF_MAX_RANK];
    if (!x || !w || x->dtype != CF_DT_FLOAT || w->dtype != CF_DT_FLOAT ||
        (b && b->dtype != CF_DT_FLOAT))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only float32");
    if (!static_shape(x, &xr, xd) || !static_shape(w, &wr, wd) || (b && !static_shape(b, &br, bd)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "shapes not static");
    if (!is_const(w))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "weights not constant");
    int sp = xr - 2;
    if (sp < 1 || sp > MAX_SP || wr != xr)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "rank %d", xr);
    int64_t group = cf_node_attr_int(n, "group", 1);
    int64_t N = xd[0], C = xd[1];
    if (group < 1 || C % group || wd[0] != C)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "inconsistent channels");
    int64_t Cg = C / group, Mg = wd[1], M = Mg * group;
    if (b && (br != 1 || bd[0] != M))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "bias size");
    int64_t k[MAX_SP], s[MAX_SP], d[MAX_SP], op[MAX_SP], ks[MAX_SP], pads[2 * MAX_SP];
    for (int i = 0; i < sp; i++)
        k[i] = wd[2 + i];
    if (!attr_ints(n, "strides", sp, 1, s) || !attr_ints(n, "dilations", sp, 1, d) ||
        !attr_ints(n, "output_padding", sp, 0, op) || !attr_ints(n, "kernel_shape", sp, 0, ks) ||
        !attr_ints(n, "pads", 2 * sp, 0, pads))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute lengths");
    size_t nos = 0;
    const int64_t *os = cf_node_attr_ints(n, "output_shape", &nos);
    if (os && (int)nos != sp && (int)nos != sp + 2)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "output_shape length");
    if (os && (int)nos == sp + 2)
        os += 2;
    const char *ap = cf_node_attr_string(n, "auto_pad", "NOTSET");
    int upper = !strcmp(ap, "SAME_UPPER"), same = upper || !strcmp(ap, "SAME_LOWER");
    if (!same && strcmp(ap, "NOTSET") && strcmp(ap, "VALID"))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "auto_pad %s", ap);
    int64_t yd[CF_MAX_RANK] = {N, M}, pl[MAX_SP], pr[MAX_SP];
    for (int i = 0; i < sp; i++) {
        if (s[i] < 1 || d[i] < 1 || op[i] < 0 ||
            (cf_node_attr(n, "kernel_shape") && ks[i] != k[i]))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "strides/dilations/kernel");
        int64_t full = s[i] * (xd[2 + i] - 1) + op[i] + (k[i] - 1) * d[i] + 1;
        if (os || same) {
            int64_t want = os ? os[i] : xd[2 + i] * s[i];
            int64_t t = full - want;
            if (t < 0)
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "outputs past the input");
            pl[i] = upper ? t / 2 : t - t / 2;
            pr[i] = t - pl[i];
            yd[2 + i] = want;
        } else {
            int valid = !strcmp(ap, "VALID");
            pl[i] = valid ? 0 : pads[i];
            pr[i] = valid ? 0 : pads[i + sp];
            yd[2 + i] = full - pl[i] - pr[i];
        }
        /* oneDNN's end padding absorbs output_padding */
        pr[i] -= op[i];
        if (pl[i] < 0 || pr[i] < 0 || yd[2 + i] < 1)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "negative padding");
    }
    if (N < 1 || Cg < 1 || Mg < 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "empty tensor");
    dnn_state *st = state_new();
    if (!st)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    st->kind = K_CONV;   /* the same layouts and post-ops as a convolution */
    st->in_rank = st->out_rank = xr;
    memcpy(st->in_dims, xd, sizeof xd);
    memcpy(st->out_dims, yd, sizeof yd);
    st->wei_input = 1;
    st->wei_const = 1;
    st->wei_src = w->data;
    /* ONNX's weights [C, M/g, k...] are oneDNN's [g, M/g, C/g, k...] read
     * through strides: no copy. */
    int64_t kk = 1;
    for (int i = 0; i < sp; i++)
        kk *= k[i];
    dnnl_dims_t wdims, wstr, dst_s, dd, dpl, dpr;
    int wrank = 0;
    if (group > 1) {
        wdims[wrank] = group;
        wstr[wrank++] = Cg * Mg * kk;
    }
    wdims[wrank] = Mg;
    wstr[wrank++] = kk;
    wdims[wrank] = Cg;
    wstr[wrank++] = Mg * kk;
    int64_t inner = kk;
    for (int i = 0; i < sp; i++) {
        inner /= k[i];
        wdims[wrank] = k[i];
        wstr[wrank++] = inner;
    }
    for (int i = 0; i < sp; i++) {
        dst_s[i] = s[i];
        dd[i] = d[i] - 1;
        dpl[i] = pl[i];
        dpr[i] = pr[i];
    }
    dnnl_memory_desc_t src_md, dst_md, wei_md;
    int64_t wd_any[CF_MAX_RANK + 1];
    for (int i = 0; i < wrank; i++)
        wd_any[i] = wdims[i];
    dnnl_status_t ds = act_md(&st->src_plain, xr, xd, dnnl_f32, 0);
    if (ds == dnnl_success)
        ds = act_md(&st->dst_plain, xr, yd, dnnl_f32, 0);
    if (ds == dnnl_success)
        ds = act_md(&st->src_cl, xr, xd, dnnl_f32, 1);
    if (ds == dnnl_success)
        ds = act_md(&st->dst_cl, xr, yd, dnnl_f32, 1);
    if (ds == dnnl_success)
        ds = dnnl_memory_desc_init_by_strides(&st->wei_plain, wrank, wdims, dnnl_f32, wstr);
    if (ds == dnnl_success)
        ds = md_any(&wei_md, wrank, wd_any, dnnl_f32);
    if (ds == dnnl_success)
        ds = md_any(&src_md, xr, xd, dnnl_f32);
    if (ds == dnnl_success)
        ds = md_any(&dst_md, xr, yd, dnnl_f32);
    if (b) {
        int64_t m = M;
        st->has_bias = 1;
        st->bias_input = 2;
        if (ds == dnnl_success)
            ds = md_plain(&st->bias_md, 1, &m, dnnl_f32);
    }
    if (ds == dnnl_success)
        ds = dnnl_dilated_deconvolution_forward_desc_init(
            &st->od.deconv, dnnl_forward_inference, dnnl_deconvolution_direct, &src_md, &wei_md,
            b ? &st->bias_md : NULL, &dst_md, dst_s, dd, dpl, dpr);
    if (ds != dnnl_success) {
        state_free(st);
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN deconvolution (%s)",
                                       dnn_status_name(ds));
    }
    return finish_prepare(st, n, state, err);
}

/* ---- pooling ---------------------------------------------------------------- */

static int pool_prepare_common(const cf_graph *g, const cf_node *n, int global, int is_max,
                               void **state, cf_error *err)
{
    static const char *const known_avg[] = {"auto_pad", "ceil_mode", "count_include_pad",
                                            "dilations", "kernel_shape", "pads", "strides",
                                            NULL};
    static const char *const known_global[] = {NULL};
    static const char *const known_max_s[] = {"auto_pad", "ceil_mode", "dilations",
                                              "kernel_shape", "pads", "storage_order",
                                              "strides", NULL};
    const char *bad = NULL;
    if (!attrs_known(n, global ? known_global : is_max ? known_max_s : known_avg, &bad))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s", bad);
    if (is_max && n->n_outputs > 1 && n->outputs[1] >= 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "Indices output");
    const cf_tensor *x = cf_node_input(g, n, 0), *yt = cf_node_output(g, n, 0);
    int xr;
    int64_t xd[CF_MAX_RANK];
    /* MaxPool also on uint8/int8 (a max needs no rounding rule). */
    if (!x || !(x->dtype == CF_DT_FLOAT ||
                (is_max && (x->dtype == CF_DT_UINT8 || x->dtype == CF_DT_INT8))))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only float32");
    if (!static_shape(x, &xr, xd))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "shapes not static");
    int sp = xr - 2;
    if (sp < 1 || sp > MAX_SP)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "rank %d", xr);
    for (int i = 0; i < xr; i++)
        if (xd[i] < 1)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "empty tensor");
    int64_t k[MAX_SP], s[MAX_SP], d[MAX_SP], pl[MAX_SP] = {0}, pr[MAX_SP] = {0};
    int64_t yd[CF_MAX_RANK] = {xd[0], xd[1]};
    dnnl_alg_kind_t alg = is_max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    if (global) {
        for (int i = 0; i < sp; i++) {
            k[i] = xd[2 + i];
            s[i] = d[i] = 1;
            yd[2 + i] = 1;
        }
    } else {
        if (!cf_node_attr(n, "kernel_shape") || !attr_ints(n, "kernel_shape", sp, 0, k) ||
            !attr_ints(n, "strides", sp, 1, s) || !attr_ints(n, "dilations", sp, 1, d))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute lengths");
        for (int i = 0; i < sp; i++)
            if (k[i] < 1 || s[i] < 1 || d[i] < 1)
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "kernel/strides");
        int rc = window_pads(n, sp, xd + 2, k, s, d, pl, pr, err);
        if (rc)
            return rc;
        int ceil_mode = (int)cf_node_attr_int(n, "ceil_mode", 0);
        int include = (int)cf_node_attr_int(n, "count_include_pad", 0);
        if (!is_max && include)
            alg = dnnl_pooling_avg_include_padding;
        for (int i = 0; i < sp; i++) {
            int64_t ek = (k[i] - 1) * d[i] + 1, span = xd[2 + i] + pl[i] + pr[i] - ek;
            if (span < 0)
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "empty output");
            yd[2 + i] = (ceil_mode ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
            /* A last window starting in the right padding does not count. */
            if (ceil_mode && (yd[2 + i] - 1) * s[i] >= xd[2 + i] + pl[i])
                yd[2 + i]--;
        }
        /* Take the graph's shape when it says otherwise (ceil_mode rules
         * moved between ONNX versions): decline rather than guess. */
        int yr;
        int64_t gyd[CF_MAX_RANK];
        if (static_shape(yt, &yr, gyd))
            for (int i = 0; i < xr; i++)
                if (yr != xr || gyd[i] != yd[i])
                    return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                                   "output shape differs from inference");
        for (int i = 0; i < sp; i++) {
            int64_t ek = (k[i] - 1) * d[i] + 1;
            int64_t need = (yd[2 + i] - 1) * s[i] + ek - xd[2 + i] - pl[i];
            if (need > pr[i]) {
                /* ceil_mode: the extra right padding must not be counted. */
                if (alg == dnnl_pooling_avg_include_padding)
                    return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                                   "ceil_mode with count_include_pad");
                pr[i] = need;
            }
            /* Every window must see at least one real element. */
            if (pl[i] >= ek || pr[i] >= ek)
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "padding >= kernel");
        }
    }
    dnn_state *st = state_new();
    if (!st)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    st->in_rank = st->out_rank = xr;
    memcpy(st->in_dims, xd, sizeof xd);
    memcpy(st->out_dims, yd, sizeof yd);
    dnnl_dims_t ds_, dk, dd, dpl, dpr;
    for (int i = 0; i < sp; i++) {
        ds_[i] = s[i];
        dk[i] = k[i];
        dd[i] = d[i] - 1;
        dpl[i] = pl[i];
        dpr[i] = pr[i];
    }
    st->in_dt = st->out_dt = x->dtype;
    dnnl_data_type_t dt = dnn_dt(x->dtype);
    dnnl_status_t ds = act_md(&st->src_plain, xr, xd, dt, 0);
    if (ds == dnnl_success)
        ds = act_md(&st->dst_plain, xr, yd, dt, 0);
    if (ds == dnnl_success)
        ds = dnnl_pooling_v2_forward_desc_init(&st->od.pool, dnnl_forward_inference, alg,
                                               &st->src_plain, &st->dst_plain, ds_, dk, dd,
                                               dpl, dpr);
    if (ds != dnnl_success) {
        state_free(st);
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN pooling (%s)",
                                       dnn_status_name(ds));
    }
    st->kind = K_POOL;
    /* The same pooling over channels-last data, offered to the layout hook
     * when oneDNN has a fast implementation of it. */
    if (act_md(&st->src_cl, xr, xd, dt, 1) == dnnl_success &&
        act_md(&st->dst_cl, xr, yd, dt, 1) == dnnl_success &&
        dnnl_pooling_v2_forward_desc_init(&st->od_cl.pool, dnnl_forward_inference, alg,
                                          &st->src_cl, &st->dst_cl, ds_, dk, dd, dpl,
                                          dpr) == dnnl_success) {
        dnnl_primitive_desc_t pd = NULL;
        const char *impl = NULL;
        if (dnnl_primitive_desc_create(&pd, &st->od_cl, st->attr, st->eng, NULL) ==
            dnnl_success) {
            dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
            st->cl_ok = impl && strncmp(impl, "ref", 3) != 0;
            dnnl_primitive_desc_destroy(pd);
        }
    }
    /* oneDNN pools int8 fast only channels-last: plain data is reordered. */
    if (dt != dnnl_f32 && st->cl_ok)
        st->od = st->od_cl;
    return finish_prepare(st, n, state, err);
}

static int maxpool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return pool_prepare_common(g, n, 0, 1, state, err);
}

static int avgpool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return pool_prepare_common(g, n, 0, 0, state, err);
}

static int gavgpool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return pool_prepare_common(g, n, 1, 0, state, err);
}

/* ---- MatMul and Gemm -------------------------------------------------------- */

/* Sets up a matmul [batch..., M, K] x [batch..., K, N] (ranks equal, batch
 * dims 1 or equal: oneDNN broadcasts). The weights are constant when
 * wsrc != NULL (then their layout is oneDNN's choice), else read from node
 * input wei_input at run time. out_rank/out_dims are the node's output as
 * ONNX shapes it (it may drop dims the matmul has). */
static int matmul_setup(dnn_state *st, const cf_node *n, int rank, const int64_t *ad,
                        const int64_t *bd, const void *wsrc, cf_error *err)
{
    dnnl_data_type_t at = dnn_dt(st->in_dt), yt = dnn_dt(st->out_dt);
    dnnl_data_type_t bt = st->in_dt == CF_DT_FLOAT ? dnnl_f32 : dnnl_s8;
    int64_t cd[CF_MAX_RANK];
    for (int i = 0; i < rank - 2; i++)
        cd[i] = ad[i] > bd[i] ? ad[i] : bd[i];
    cd[rank - 2] = ad[rank - 2];
    cd[rank - 1] = bd[rank - 1];
    dnnl_memory_desc_t wei_md;
    dnnl_status_t ds = md_plain(&st->src_plain, rank, ad, at);
    if (ds == dnnl_success)
        ds = md_plain(&st->dst_plain, rank, cd, yt);
    if (ds == dnnl_success)
        ds = md_plain(&st->wei_plain, rank, bd, bt);
    if (ds == dnnl_success)
        ds = wsrc ? md_any(&wei_md, rank, bd, bt) : dnnl_success;
    if (!wsrc)
        wei_md = st->wei_plain;
    if (ds == dnnl_success)
        ds = dnnl_matmul_desc_init(&st->od.mm, &st->src_plain, &wei_md,
                                   st->has_bias ? &st->bias_md : NULL, &st->dst_plain);
    if (ds != dnnl_success)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN matmul (%s)",
                                       dnn_status_name(ds));
    st->wei_const = wsrc != NULL;
    st->wei_src = wsrc;
    return 0;
}

/* One value of a constant scalar (per-tensor scale or zero point) input. */
static int const_scalar(const cf_graph *g, const cf_node *n, int i, double *v)
{
    const cf_tensor *t = cf_node_input(g, n, i);
    int64_t cnt = 0;
    if (!t || !(t->flags & CF_TENSOR_INITIALIZER) || !t->data || !cf_shape_numel(&t->shape, &cnt) ||
        cnt != 1)
        return 0;
    switch (t->dtype) {
    case CF_DT_FLOAT: *v = *(const float *)t->data; return 1;
    case CF_DT_UINT8: *v = *(const uint8_t *)t->data; return 1;
    case CF_DT_INT8: *v = *(const int8_t *)t->data; return 1;
    default: return 0;
    }
}

/* MatMul (quant 0), QLinearMatMul (quant 1: inputs a, a_scale, a_zp, b,
 * b_scale, b_zp, y_scale, y_zp; per-tensor constants, B constant) and
 * MatMulInteger (quant 2: a, b, a_zp, b_zp; int32 out; B constant). */
static int matmul_prepare_common(const cf_graph *g, const cf_node *n, int quant, void **state,
                                 cf_error *err)
{
    int bi = quant == 1 ? 3 : 1;
    const cf_tensor *a = cf_node_input(g, n, 0), *b = cf_node_input(g, n, bi);
    int ar, br;
    int64_t ad[CF_MAX_RANK], bd[CF_MAX_RANK];
    double qs[8] = {0};
    if (n->n_attrs)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s", n->attrs[0].name);
    if (!quant && (!a || !b || a->dtype != CF_DT_FLOAT || b->dtype != CF_DT_FLOAT))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only float32");
    const cf_tensor *yt = cf_node_output(g, n, 0);
    if (quant) {
        if (!a || !b || !yt || (a->dtype != CF_DT_UINT8 && a->dtype != CF_DT_INT8) ||
            (b->dtype != CF_DT_UINT8 && b->dtype != CF_DT_INT8) ||
            (quant == 1 && yt->dtype != CF_DT_UINT8 && yt->dtype != CF_DT_INT8) ||
            (quant == 2 && yt->dtype != CF_DT_INT32))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only uint8/int8");
        if (!(b->flags & CF_TENSOR_INITIALIZER) || !b->data)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "B not constant");
        if (quant == 1) {
            for (int i = 1; i < 8; i++)
                if (i != 3 && !const_scalar(g, n, i, &qs[i]))
                    return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                                   "input %d is not a constant scalar", i);
            if (qs[1] <= 0 || qs[4] <= 0 || qs[6] <= 0)
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "scales not positive");
        } else {
            /* MatMulInteger: optional per-tensor zero points a (2), b (3);
             * kept at qs[2] and qs[5] as for QLinearMatMul */
            if ((cf_node_input(g, n, 2) && !const_scalar(g, n, 2, &qs[2])) ||
                (cf_node_input(g, n, 3) && !const_scalar(g, n, 3, &qs[5])))
                return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                               "zero points not constant scalars");
        }
    }
    if (!static_shape(a, &ar, ad) || !static_shape(b, &br, bd) || ar < 1 || br < 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "shapes not static");
    int64_t K = ad[ar - 1];
    if ((br == 1 ? bd[0] : bd[br - 2]) != K)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "inner dims differ");
    /* The ONNX output shape, then the matmul view: 1-D operands gain a dim,
     * and a 2-D constant B folds A's batch dims into M (one big GEMM). */
    int yr = 0;
    int64_t yd[CF_MAX_RANK];
    int r = ar > br ? ar : br;
    if (r < 2)
        r = 2;
    int64_t ma[CF_MAX_RANK], mb[CF_MAX_RANK];
    for (int i = 0; i < r; i++)
        ma[i] = mb[i] = 1;
    if (ar == 1)
        ma[r - 1] = ad[0];
    else
        memcpy(ma + r - ar, ad, (size_t)ar * sizeof *ad);
    if (br == 1)
        mb[r - 2] = bd[0];
    else
        memcpy(mb + r - br, bd, (size_t)br * sizeof *bd);
    for (int i = 0; i < r - 2; i++) {
        if (ma[i] != mb[i] && ma[i] != 1 && mb[i] != 1)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "batch dims do not broadcast");
        yd[yr++] = ma[i] > mb[i] ? ma[i] : mb[i];
    }
    if (ar > 1)
        yd[yr++] = ma[r - 2];
    if (br > 1)
        yd[yr++] = mb[r - 1];
    for (int i = 0; i < r; i++)
        if (ma[i] < 1 || mb[i] < 1)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "empty tensor");
    int wconst = quant || is_const(b);
    int batch_b = 0;
    for (int i = 0; i < r - 2; i++)
        batch_b |= mb[i] != 1;
    if (!batch_b && r > 2) {
        int64_t m = 1;
        for (int i = 0; i < r - 1; i++)
            m *= ma[i];
        ma[0] = m;
        ma[1] = ma[r - 1];
        mb[0] = mb[r - 2];
        mb[1] = mb[r - 1];
        r = 2;
    }
    dnn_state *st = state_new();
    if (!st)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    st->in_rank = ar;
    memcpy(st->in_dims, ad, sizeof ad);
    st->out_rank = yr;
    memcpy(st->out_dims, yd, sizeof yd);
    st->wei_input = bi;
    st->wei_rank = br;
    memcpy(st->wei_dims, bd, sizeof bd);
    const void *wsrc = wconst ? b->data : NULL;
    st->kind = K_MATMUL;
    int rc = 0;
    if (quant) {
        /* oneDNN takes int8 weights only: uint8 B becomes B - 128 with its
         * zero point moved by the same. */
        int64_t nb = 1;
        for (int i = 0; i < br; i++)
            nb *= bd[i];
        int8_t *w8 = malloc((size_t)nb);
        int shift = b->dtype == CF_DT_UINT8 ? 128 : 0;
        if (!w8)
            rc = cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
        for (int64_t i = 0; !rc && i < nb; i++)
            w8[i] = (int8_t)((int)((const uint8_t *)b->data)[i] - shift);
        st->wei_own = w8;
        wsrc = w8;
        st->in_dt = a->dtype;
        st->out_dt = yt->dtype;
        float scale = quant == 1 ? (float)(qs[1] * qs[4] / qs[6]) : 1.0f;
        int32_t zs = (int32_t)qs[2], zw = (int32_t)qs[5] - shift, zd = (int32_t)qs[7];
        if (!rc && ((quant == 1 && dnnl_primitive_attr_set_output_scales(st->attr, 1, 0, &scale)) ||
                    (zs && dnnl_primitive_attr_set_zero_points(st->attr, DNNL_ARG_SRC, 1, 0, &zs)) ||
                    (zw && dnnl_primitive_attr_set_zero_points(st->attr, DNNL_ARG_WEIGHTS, 1, 0,
                                                               &zw)) ||
                    (zd && dnnl_primitive_attr_set_zero_points(st->attr, DNNL_ARG_DST, 1, 0, &zd))))
            rc = cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN quantisation attributes");
    }
    if (!rc)
        rc = matmul_setup(st, n, r, ma, mb, wsrc, err);
    if (rc) {
        state_free(st);
        return rc;
    }
    return finish_prepare(st, n, state, err);
}

static int matmul_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return matmul_prepare_common(g, n, 0, state, err);
}

static int qlinear_matmul_prepare(const cf_graph *g, const cf_node *n, void **state,
                                  cf_error *err)
{
    return matmul_prepare_common(g, n, 1, state, err);
}

static int matmul_integer_prepare(const cf_graph *g, const cf_node *n, void **state,
                                  cf_error *err)
{
    return matmul_prepare_common(g, n, 2, state, err);
}

static int gemm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    /* broadcast (opset < 7) only allowed what the general rule allows. */
    static const char *const known[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
    const char *bad = NULL;
    if (!attrs_known(n, known, &bad))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s", bad);
    const cf_tensor *a = cf_node_input(g, n, 0), *b = cf_node_input(g, n, 1);
    const cf_tensor *ct = cf_node_input(g, n, 2);
    int ar, br, cr = 0;
    int64_t ad[CF_MAX_RANK], bd[CF_MAX_RANK], cdims[CF_MAX_RANK];
    if (!a || !b || a->dtype != CF_DT_FLOAT || b->dtype != CF_DT_FLOAT)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "only float32");
    if (!static_shape(a, &ar, ad) || !static_shape(b, &br, bd) || ar != 2 || br != 2)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "shapes not static 2-D");
    /* Constant B and C are folded (alpha into B, beta into the bias) at
     * set-up; a run-time B or C is left to the reference kernel. */
    if (!is_const(b))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "B not constant");
    float alpha = cf_node_attr_float(n, "alpha", 1.0f), beta = cf_node_attr_float(n, "beta", 1.0f);
    int ta = (int)cf_node_attr_int(n, "transA", 0), tb = (int)cf_node_attr_int(n, "transB", 0);
    int64_t M = ta ? ad[1] : ad[0], K = ta ? ad[0] : ad[1];
    int64_t KB = tb ? bd[1] : bd[0], N = tb ? bd[0] : bd[1];
    if (K != KB || M < 1 || K < 1 || N < 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "inner dims differ");
    int use_c = ct && beta != 0.0f;
    if (use_c && (!is_const(ct) || !static_shape(ct, &cr, cdims) || cr > 2))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "C not a constant of rank <= 2");
    int64_t cm = cr == 2 ? cdims[0] : 1, cn = cr >= 1 ? cdims[cr - 1] : 1;
    if (use_c && ((cm != 1 && cm != M) || (cn != 1 && cn != N)))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "C does not broadcast");

    dnn_state *st = state_new();
    if (!st)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    st->kind = K_MATMUL;
    st->in_rank = 2;
    memcpy(st->in_dims, ad, sizeof ad);
    st->out_rank = 2;
    st->out_dims[0] = M;
    st->out_dims[1] = N;
    st->wei_input = 1;
    /* B as alpha * op(B), row-major [K, N]. */
    const float *bsrc = b->data;
    float *wb = buf_alloc((size_t)(K * N) * sizeof *wb);
    float *bias = NULL;
    int64_t bias_m = cm == 1 ? 1 : M;
    if (use_c)
        bias = buf_alloc((size_t)(bias_m * N) * sizeof *bias);
    if (!wb || (use_c && !bias)) {
        free(wb);
        free(bias);
        state_free(st);
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory setting up oneDNN");
    }
    st->wei_own = wb;
    st->bias_own = bias;
    for (int64_t kk = 0; kk < K; kk++)
        for (int64_t j = 0; j < N; j++)
            wb[kk * N + j] = alpha * (tb ? bsrc[j * K + kk] : bsrc[kk * N + j]);
    if (use_c) {
        const float *c = ct->data;
        for (int64_t i = 0; i < bias_m; i++)
            for (int64_t j = 0; j < N; j++)
                bias[i * N + j] = beta * c[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
        int64_t bdm[2] = {bias_m, N};
        st->has_bias = 1;
        if (md_plain(&st->bias_md, 2, bdm, dnnl_f32) != dnnl_success) {
            state_free(st);
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN bias");
        }
    }
    /* A transposed is read in place through strides. */
    int64_t am[2] = {M, K}, bm[2] = {K, N};
    int rc = matmul_setup(st, n, 2, am, bm, wb, err);
    if (!rc && ta) {
        dnnl_dims_t dims = {M, K}, strides = {1, M};
        if (dnnl_memory_desc_init_by_strides(&st->src_plain, 2, dims, dnnl_f32, strides) !=
                dnnl_success ||
            dnnl_matmul_desc_init(&st->od.mm, &st->src_plain, &st->od.mm.weights_desc,
                                  use_c ? &st->bias_md : NULL, &st->dst_plain) != dnnl_success)
            rc = cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN matmul transA");
    }
    if (rc) {
        state_free(st);
        return rc;
    }
    return finish_prepare(st, n, state, err);
}

/* ---- layouts and post-ops (kernel.h's hooks) ------------------------------------- */

/* Conv: any input layout (reordered into the primitive's where they
 * differ); writes plain, or channels-last when the primitive does. Pools:
 * channels-last input only where oneDNN has a fast kernel for it; write
 * plain, or channels-last from channels-last. */
static int dnn_layout(void *state, const cf_node *n, const uint8_t *in, uint8_t *out, int commit,
                      cf_error *err)
{
    dnn_state *st = state;
    int in_cl = in[0] == CF_LAYOUT_CHANNELS_LAST;
    if (st->kind == K_POOL && in_cl && !st->cl_ok)
        return commit ? !cf_kernel_prepare_error(n, err, CF_EINTERNAL,
                                                 "no channels-last pooling") : 0;
    if (!commit) {
        /* Plain always (a reorder at worst); channels-last when the
         * primitive writes it (not worth it where it is the same bytes). */
        int y_cl = in_cl;
        if (st->kind == K_CONV)
            y_cl = dnnl_memory_desc_equal(dnnl_primitive_desc_query_md(st->pd, dnnl_query_dst_md,
                                                                       0),
                                          &st->dst_cl);
        out[0] = (uint8_t)CF_LAYOUT_BIT(CF_LAYOUT_PLAIN);
        if (y_cl && !spatial_one(st->out_rank, st->out_dims))
            out[0] |= (uint8_t)CF_LAYOUT_BIT(CF_LAYOUT_CHANNELS_LAST);
        return 1;
    }
    st->in_layout = in[0];
    st->out_layout = out[0];
    if (!in_cl && out[0] == CF_LAYOUT_PLAIN && st->kind == K_POOL)
        return 1;   /* as prepared */
    /* Where the spatial dims are all 1 either desc reads the same bytes:
     * take the primitive's, and save a reorder. */
    int src_cl = in_cl || (st->kind == K_CONV && spatial_one(st->in_rank, st->in_dims));
    int dst_cl = out[0] == CF_LAYOUT_CHANNELS_LAST ||
                 ((st->kind == K_CONV || in_cl) && spatial_one(st->out_rank, st->out_dims));
    if (st->kind == K_POOL && in_cl)
        st->od = st->od_cl;
    dnnl_status_t ds = act_md(&st->src_plain, st->in_rank, st->in_dims, dnn_dt(st->in_dt), src_cl);
    if (ds == dnnl_success)
        ds = act_md(&st->dst_plain, st->out_rank, st->out_dims, dnn_dt(st->out_dt), dst_cl);
    if (ds != dnnl_success)
        return !cf_kernel_prepare_error(n, err, CF_EINTERNAL, "oneDNN layout descs (%s)",
                                        dnn_status_name(ds));
    return !rebuild(st, n, err);
}

static dnnl_status_t append_post(dnnl_post_ops_t po, const cf_post_op *op)
{
    switch (op->kind) {
    case CF_POST_RELU: return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, op->alpha, 0);
    case CF_POST_CLIP:
        return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, op->alpha, op->beta);
    case CF_POST_SIGMOID: return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_logistic, 0, 0);
    case CF_POST_TANH: return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_tanh, 0, 0);
    case CF_POST_SWISH:
        return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_swish, op->alpha, 0);
    case CF_POST_HARDSWISH:
        /* oneDNN 2.6's is x * relu6(x + 3) / 6: ONNX's with its fixed alpha, beta */
        return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_hardswish, 0, 0);
    case CF_POST_HARDSIGMOID: {
        dnnl_status_t s = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, op->alpha,
                                                       op->beta);
        return s == dnnl_success ? dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0, 1)
                                 : s;
    }
    case CF_POST_ELU: return dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_elu, op->alpha, 0);
    case CF_POST_SUM: return dnnl_post_ops_append_sum(po, 1.0f);
    }
    return dnnl_unimplemented;
}

static dnnl_status_t set_post_ops(dnn_state *st, const cf_post_op *ops, int n_ops)
{
    dnnl_post_ops_t po = NULL;
    dnnl_status_t s = dnnl_post_ops_create(&po);
    for (int i = 0; s == dnnl_success && i < n_ops; i++)
        s = append_post(po, &ops[i]);
    if (s == dnnl_success)
        s = dnnl_primitive_attr_set_post_ops(st->attr, po);
    if (po)
        dnnl_post_ops_destroy(po);
    return s;
}

/* Conv, MatMul, Gemm in float32: the ops as oneDNN post-ops. */
static int dnn_fuse(void *state, const cf_node *n, const cf_post_op *ops, int n_ops,
                    cf_error *err)
{
    dnn_state *st = state;
    if ((st->kind != K_CONV && st->kind != K_MATMUL) || st->in_dt != CF_DT_FLOAT || n_ops < 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "no post-ops for this kernel");
    int sum = 0;
    for (int i = 0; i < n_ops; i++)
        sum |= ops[i].kind == CF_POST_SUM;
    if (set_post_ops(st, ops, n_ops) == dnnl_success) {
        st->has_sum = sum;
        if (rebuild(st, n, err) == 0) {
            st->n_post = n_ops;
            return 0;
        }
        cf_error_clear(err);
    }
    /* Back to what was prepared. */
    st->has_sum = 0;
    int rc = set_post_ops(st, NULL, 0) == dnnl_success ? rebuild(st, n, err) : CF_EINTERNAL;
    if (rc)
        return rc == CF_EUNSUPPORTED ? CF_EINTERNAL : rc;
    return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "oneDNN cannot fuse these post-ops");
}

const cf_kernel_i cf_kernels_onednn[] = {
    {"Conv", "", 1, 0, "onednn", conv_prepare, dnn_run, dnn_release, dnn_layout, dnn_fuse},
    {"ConvTranspose", "", 1, 0, "onednn", deconv_prepare, dnn_run, dnn_release, dnn_layout,
     dnn_fuse},
    {"MaxPool", "", 1, 0, "onednn", maxpool_prepare, dnn_run, dnn_release, dnn_layout,
     NULL},
    {"AveragePool", "", 1, 0, "onednn", avgpool_prepare, dnn_run, dnn_release, dnn_layout,
     NULL},
    {"GlobalAveragePool", "", 1, 0, "onednn", gavgpool_prepare, dnn_run, dnn_release, dnn_layout,
     NULL},
    {"MatMul", "", 1, 0, "onednn", matmul_prepare, dnn_run, dnn_release, NULL, dnn_fuse},
    {"Gemm", "", 1, 0, "onednn", gemm_prepare, dnn_run, dnn_release, NULL, dnn_fuse},
    {"QLinearMatMul", "", 10, 0, "onednn", qlinear_matmul_prepare, dnn_run, dnn_release, NULL,
     NULL},
    {"QLinearConv", "", 10, 0, "onednn", qlinear_conv_prepare, dnn_run, dnn_release, dnn_layout,
     NULL},
    {"ConvInteger", "", 10, 0, "onednn", conv_integer_prepare, dnn_run, dnn_release, dnn_layout,
     NULL},
    {"MatMulInteger", "", 10, 0, "onednn", matmul_integer_prepare, dnn_run, dnn_release, NULL,
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
