/* nn.c — the heavy NN ops as reference kernels: Conv, ConvTranspose, Gemm,
 * MatMul, the pools, Resize/Upsample and Einsum.
 *
 * These are the oracle that faster kernels (oneDNN) are checked against and
 * the fallback when those decline, so correctness comes first. Every op
 * computes in float32: narrower float types are widened, double and the
 * integer types MatMul/Gemm/Einsum allow are converted (the node tests' values
 * are exact in float). Conv and MatMul go through one blocked matrix product
 * (sgemm below) because whole models (resnet18, 1.8 GMACs) are run through
 * the reference backend as a cross-check, so they must not crawl. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kutil.h"

#define MAXS (CF_MAX_RANK - 2) /* spatial axes of conv/pool */

/* ---- shared checks ---------------------------------------------------------- */


static cf_dtype in_dtype(const cf_graph *g, const cf_node *n, int i)
{
    const cf_tensor *t = cf_node_input(g, n, i);
    return t ? t->dtype : CF_DT_UNDEFINED;
}

/* Element types the float path handles: computed in float32. */
static int float_like(cf_dtype dt)
{
    return dt == CF_DT_UNDEFINED || cf_is_float_type(dt);
}

static int numeric(cf_dtype dt)
{
    return dt == CF_DT_UNDEFINED || cf_is_float_type(dt) || cf_is_int_type(dt);
}

static int check_type(const cf_graph *g, const cf_node *n, int i, const char *what,
                      int (*ok)(cf_dtype), cf_error *err)
{
    cf_dtype dt = in_dtype(g, n, i);
    if (!ok(dt))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "%s of type %s not supported",
                                       what, cf_dtype_name(dt));
    return 0;
}

static int run_type(const cf_kernel_call *c, const cf_value *v, const char *what,
                    int (*ok)(cf_dtype), cf_error *err)
{
    if (!ok(v->dtype) || v->dtype == CF_DT_UNDEFINED)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%s of type %s not supported", what,
                               cf_dtype_name(v->dtype));
    return 0;
}

static int oom(const cf_kernel_call *c, cf_error *err)
{
    return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
}

/* v's elements as float32: v's own data when it already is, else a
 * converted copy put in *tmp (caller frees *tmp). NULL when out of memory. */
static const float *as_f32(const cf_value *v, float **tmp)
{
    *tmp = NULL;
    if (v->dtype == CF_DT_FLOAT)
        return v->data ? v->data : (const float *)"";
    int64_t n = cf_value_numel(v);
    *tmp = malloc((size_t)(n ? n : 1) * sizeof(float));
    if (*tmp)
        cf_values_to_f32(v, *tmp);
    return *tmp;
}

/* Where to write float32 results for output v: v's data when it is float32,
 * else scratch (*tmp) that out_done converts into v. */
static float *out_f32(cf_value *v, float **tmp)
{
    *tmp = NULL;
    if (v->dtype == CF_DT_FLOAT) {
        static float none;
        return v->data ? v->data : &none;
    }
    int64_t n = cf_value_numel(v);
    *tmp = malloc((size_t)(n ? n : 1) * sizeof(float));
    return *tmp;
}

static void out_done(cf_value *v, float *tmp)
{
    if (tmp) {
        cf_values_from_f32(v, tmp);
        free(tmp);
    }
}

static int64_t prod(const int64_t *d, int n)
{
    int64_t p = 1;
    for (int i = 0; i < n; i++)
            p *= d[i];
    return p;
}

/* ---- the matrix product ------------------------------------------------------ */

/* C[M,N] (row stride ldc) = A[M,K] (lda) x B[K,N] (ldb), or += when acc.
 * Blocked over K and N so a panel of B stays in cache while four rows of C
 * are updated from each B row: four multiply-adds per load, an inner loop
 * the compiler vectorizes. */
#define KB 256
#define NB 512
static void sgemm(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *B,
                  int64_t ldb, float *C, int64_t ldc, int acc)
{
    if (!acc)
        for (int64_t i = 0; i < M; i++)
            memset(C + i * ldc, 0, (size_t)N * sizeof *C);
    for (int64_t j0 = 0; j0 < N; j0 += NB) {
        int64_t nb = N - j0 < NB ? N - j0 : NB;
        for (int64_t k0 = 0; k0 < K; k0 += KB) {
            int64_t kb = K - k0 < KB ? K - k0 : KB;
            int64_t i = 0;
            for (; i + 4 <= M; i += 4) {
                float *restrict c0 = C + i * ldc + j0, *restrict c1 = c0 + ldc;
                float *restrict c2 = c1 + ldc, *restrict c3 = c2 + ldc;
                const float *a = A + i * lda + k0;
                for (int64_t k = 0; k < kb; k++) {
                    const float *restrict b = B + (k0 + k) * ldb + j0;
                    float a0 = a[k], a1 = a[lda + k], a2 = a[2 * lda + k], a3 = a[3 * lda + k];
                    for (int64_t j = 0; j < nb; j++) {
                        float bj = b[j];
                        c0[j] += a0 * bj;
                        c1[j] += a1 * bj;
                        c2[j] += a2 * bj;
                        c3[j] += a3 * bj;
                    }
                }
            }
            for (; i < M; i++) {
                float *restrict c0 = C + i * ldc + j0;
                const float *a = A + i * lda + k0;
                for (int64_t k = 0; k < kb; k++) {
                    const float *restrict b = B + (k0 + k) * ldb + j0;
                    float a0 = a[k];
                    for (int64_t j = 0; j < nb; j++)
                        c0[j] += a0 * b[j];
                }
            }
        }
    }
}

/* dst[c, r] = src[r, c] for an R x C matrix. */
static void transpose(const float *src, int64_t R, int64_t C, float *dst)
{
    for (int64_t r0 = 0; r0 < R; r0 += 32)
        for (int64_t c0 = 0; c0 < C; c0 += 32)
            for (int64_t r = r0; r < R && r < r0 + 32; r++)
                for (int64_t c = c0; c < C && c < c0 + 32; c++)
                    dst[c * R + r] = src[r * C + c];
}

/* ---- Gemm -------------------------------------------------------------------- */

static int gemm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    for (int i = 0; i < 3 && !rc; i++)
        rc = check_type(g, n, i, i == 0 ? "A" : i == 1 ? "B" : "C", numeric, err);
    return rc;
}

static int gemm_run(cf_kernel_call *c, cf_error *err)
{
    const cf_node *n = c->node;
    const cf_value *a = c->in[0], *b = c->in[1], *cv = c->n_in > 2 ? c->in[2] : NULL;
    int ta = (int)cf_node_attr_int(n, "transA", 0), tb = (int)cf_node_attr_int(n, "transB", 0);
    float alpha = cf_node_attr_float(n, "alpha", 1.0f), beta = cf_node_attr_float(n, "beta", 1.0f);
    int rc = run_type(c, a, "A", numeric, err);
    if (!rc)
        rc = run_type(c, b, "B", numeric, err);
    if (!rc && cv)
        rc = run_type(c, cv, "C", numeric, err);
    if (rc)
        return rc;
    if (a->rank != 2 || b->rank != 2)
        return cf_kernel_error(c, err, CF_EINVAL, "A and B must be 2-D (ranks %d, %d)", a->rank,
                               b->rank);
    int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
    int64_t Kb = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
    if (K != Kb)
        return cf_kernel_error(c, err, CF_EINVAL, "inner dimensions differ: %" PRId64 " vs %" PRId64,
                               K, Kb);
    int64_t cs[2] = {0, 0};
    if (cv) {
        if (cv->rank > 2)
            return cf_kernel_error(c, err, CF_EINVAL, "C has rank %d", cv->rank);
        int64_t cd[2] = {1, 1};
        for (int d = 0; d < cv->rank; d++)
            cd[2 - cv->rank + d] = cv->dims[d];
        if ((cd[0] != 1 && cd[0] != M) || (cd[1] != 1 && cd[1] != N))
            return cf_kernel_error(c, err, CF_EINVAL,
                                   "C (%" PRId64 "x%" PRId64 ") does not broadcast to %" PRId64
                                   "x%" PRId64, cd[0], cd[1], M, N);
        cs[0] = cd[0] == 1 ? 0 : cd[1];
        cs[1] = cd[1] == 1 ? 0 : 1;
    }
    int64_t od[2] = {M, N};
    cf_value *y = cf_kcall_output(c, 0, a->dtype, 2, od, err);
    if (!y)
        return CF_ENOMEM;
    float *ta_buf = NULL, *tb_buf = NULL, *tc_buf = NULL, *ty = NULL, *at = NULL, *bt = NULL;
    const float *fa = as_f32(a, &ta_buf), *fb = as_f32(b, &tb_buf);
    const float *fc = cv ? as_f32(cv, &tc_buf) : NULL;
    float *fy = out_f32(y, &ty);
    rc = (!fa || !fb || (cv && !fc) || !fy) ? oom(c, err) : 0;
    if (!rc && ta) {
        at = malloc((size_t)(M * K + 1) * sizeof *at);
        if (at)
            transpose(fa, K, M, at);
        fa = at;
    }
    if (!rc && tb) {
        bt = malloc((size_t)(K * N + 1) * sizeof *bt);
        if (bt)
            transpose(fb, N, K, bt);
        fb = bt;
    }
    if (!rc && (!fa || !fb))
        rc = oom(c, err);
    if (!rc) {
        sgemm(M, N, K, fa, K, fb, N, fy, N, 0);
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                float v = alpha * fy[i * N + j];
                if (fc && beta != 0.0f)
                    v += beta * fc[i * cs[0] + j * cs[1]];
                fy[i * N + j] = v;
            }
        out_done(y, ty);
        ty = NULL;
    }
    free(ta_buf);
    free(tb_buf);
    free(tc_buf);
    free(ty);
    free(at);
    free(bt);
    return rc;
}

/* ---- MatMul ------------------------------------------------------------------ */

static int matmul_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    for (int i = 0; i < 2 && !rc; i++)
        rc = check_type(g, n, i, i ? "B" : "A", numeric, err);
    return rc;
}

static int matmul_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *a = c->in[0], *b = c->in[1];
    int rc = run_type(c, a, "A", numeric, err);
    if (!rc)
        rc = run_type(c, b, "B", numeric, err);
    if (rc)
        return rc;
    if (a->rank < 1 || b->rank < 1)
        return cf_kernel_error(c, err, CF_EINVAL, "MatMul of a scalar");
    /* 1-D operands become matrices, and the added axis goes away after. */
    cf_value va = *a, vb = *b;
    if (a->rank == 1) {
        va.rank = 2;
        va.dims[0] = 1;
        va.dims[1] = a->dims[0];
    }
    if (b->rank == 1) {
        vb.rank = 2;
        vb.dims[0] = b->dims[0];
        vb.dims[1] = 1;
    }
    int64_t M = va.dims[va.rank - 2], K = va.dims[va.rank - 1];
    int64_t N = vb.dims[vb.rank - 1];
    if (vb.dims[vb.rank - 2] != K)
        return cf_kernel_error(c, err, CF_EINVAL, "inner dimensions differ: %" PRId64 " vs %" PRId64,
                               K, vb.dims[vb.rank - 2]);
    /* Batch axes broadcast like numpy. */
    cf_value ba = va, bb = vb;
    ba.rank -= 2;
    bb.rank -= 2;
    const cf_value *bv[2] = {&ba, &bb};
    int br;
    int64_t bd[CF_MAX_RANK], sa[CF_MAX_RANK], sb[CF_MAX_RANK];
    rc = cf_bcast_shape(c, bv, 2, &br, bd, err);
    if (rc)
        return rc;
    cf_bcast_strides(&ba, br, bd, sa);
    cf_bcast_strides(&bb, br, bd, sb);
    int64_t od[CF_MAX_RANK];
    int orank = 0;
    for (int d = 0; d < br; d++)
        od[orank++] = bd[d];
    if (a->rank != 1)
        od[orank++] = M;
    if (b->rank != 1)
        od[orank++] = N;
    cf_value *y = cf_kcall_output(c, 0, a->dtype, orank, od, err);
    if (!y)
        return CF_ENOMEM;
    float *t1 = NULL, *t2 = NULL, *ty = NULL;
    const float *fa = as_f32(a, &t1), *fb = as_f32(b, &t2);
    float *fy = out_f32(y, &ty);
    if (!fa || !fb || !fy) {
        rc = oom(c, err);
    } else {
        const int64_t *st[2] = {sa, sb};
        cf_nditer it;
        cf_nditer_init(&it, br, bd, 2, st);
        int64_t nb = prod(bd, br);
        for (int64_t i = 0; i < nb; i++, cf_nditer_next(&it))
            sgemm(M, N, K, fa + it.off[0] * M * K, K, fb + it.off[1] * K * N, N,
                  fy + i * M * N, N, 0);
        out_done(y, ty);
        ty = NULL;
    }
    free(t1);
    free(t2);
    free(ty);
    return rc;
}


/* ---- conv / pool geometry ---------------------------------------------------- */

typedef struct geom {
    int ns;                              /* spatial axes */
    int64_t in[MAXS], k[MAXS], s[MAXS], d[MAXS], pb[MAXS], pe[MAXS], out[MAXS];
} geom;

/* Advances a row-major multi-index; 0 when it wraps to all zeros. */
static int idx_next(int64_t *idx, const int64_t *dims, int n)
{
    for (int a = n - 1; a >= 0; a--) {
        if (++idx[a] < dims[a])
            return 1;
        idx[a] = 0;
    }
    return 0;
}

static int check_auto_pad(const cf_node *n, cf_error *err)
{
    const char *ap = cf_node_attr_string(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") && strcmp(ap, "SAME_UPPER") && strcmp(ap, "SAME_LOWER") &&
        strcmp(ap, "VALID"))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "auto_pad %s not supported", ap);
    return 0;
}

/* An INTS attribute of the spatial rank (or absent: dflt everywhere). */
static int spatial_attr(const cf_kernel_call *c, const char *name, int ns, int64_t dflt,
                        int64_t *out, cf_error *err)
{
    size_t cnt;
    const int64_t *v = cf_node_attr_ints(c->node, name, &cnt);
    if (v && (int)cnt != ns)
        return cf_kernel_error(c, err, CF_EINVAL, "%s has %zu values for %d spatial axes", name,
                               cnt, ns);
    for (int i = 0; i < ns; i++) {
        out[i] = v ? v[i] : dflt;
        if (v && strcmp(name, "output_padding") && out[i] < 1)
            return cf_kernel_error(c, err, CF_EINVAL, "%s[%d] is %" PRId64, name, i, out[i]);
    }
    return 0;
}

/* Fills g from x (N, C, spatial...) and the attributes of the conv/pool;
 * kernel: the spatial kernel dims (from the weight, or kernel_shape). */
static int geom_init(const cf_kernel_call *c, const cf_value *x, const int64_t *kernel,
                     int ceil_mode, geom *g, cf_error *err)
{
    if (x->rank < 3 || x->rank - 2 > MAXS)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "input of rank %d not supported", x->rank);
    int ns = g->ns = x->rank - 2;
    for (int i = 0; i < ns; i++) {
        g->in[i] = x->dims[i + 2];
        g->k[i] = kernel[i];
    }
    int rc = spatial_attr(c, "strides", ns, 1, g->s, err);
    if (!rc)
        rc = spatial_attr(c, "dilations", ns, 1, g->d, err);
    if (rc)
        return rc;
    size_t np;
    const int64_t *pads = cf_node_attr_ints(c->node, "pads", &np);
    if (pads && (int)np != 2 * ns)
        return cf_kernel_error(c, err, CF_EINVAL, "pads has %zu values for %d spatial axes", np, ns);
    const char *ap = cf_node_attr_string(c->node, "auto_pad", "NOTSET");
    int same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    for (int i = 0; i < ns; i++) {
        int64_t ek = (g->k[i] - 1) * g->d[i] + 1;
        if (same) {
            g->out[i] = (g->in[i] + g->s[i] - 1) / g->s[i];
            int64_t t = (g->out[i] - 1) * g->s[i] + ek - g->in[i];
            if (t < 0)
                t = 0;
            g->pb[i] = !strcmp(ap, "SAME_UPPER") ? t / 2 : t - t / 2;
            g->pe[i] = t - g->pb[i];
            continue;
        }
        int valid = !strcmp(ap, "VALID");
        g->pb[i] = pads && !valid ? pads[i] : 0;
        g->pe[i] = pads && !valid ? pads[i + ns] : 0;
        int64_t span = g->in[i] + g->pb[i] + g->pe[i] - ek;
        if (span < 0 || g->pb[i] < 0 || g->pe[i] < 0)
            return cf_kernel_error(c, err, CF_EINVAL,
                                   "kernel %" PRId64 " (dilated) larger than padded input %" PRId64
                                   " on spatial axis %d", ek, g->in[i] + g->pb[i] + g->pe[i], i);
        g->out[i] = (ceil_mode ? (span + g->s[i] - 1) / g->s[i] : span / g->s[i]) + 1;
        /* The last window must start inside the input or its left padding. */
        if (ceil_mode && (g->out[i] - 1) * g->s[i] >= g->in[i] + g->pb[i])
            g->out[i]--;
    }
    return 0;
}

/* ---- Conv -------------------------------------------------------------------- */

static int conv_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"auto_pad", "dilations", "group", "kernel_shape", "pads",
                                        "strides", NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    if (!rc)
        rc = check_auto_pad(n, err);
    for (int i = 0; i < 3 && !rc; i++)
        rc = check_type(g, n, i, i == 0 ? "X" : i == 1 ? "W" : "B", float_like, err);
    return rc;
}

/* Rows (c, kernel offset) by columns (output position) of the receptive
 * fields of x (C x spatial), zero where a field reaches into padding. */
static void im2col(const float *x, int64_t C, const geom *g, float *col)
{
    int ns = g->ns;
    int64_t kk = prod(g->k, ns), oo = prod(g->out, ns), ii = prod(g->in, ns);
    int64_t L = g->out[ns - 1], outer = oo / (L ? L : 1);
    int64_t s1 = g->s[ns - 1], d1 = g->d[ns - 1], p1 = g->pb[ns - 1], in1 = g->in[ns - 1];
    int64_t kpos[MAXS], opos[MAXS];
    for (int64_t ch = 0; ch < C; ch++) {
        memset(kpos, 0, sizeof kpos);
        for (int64_t ki = 0; ki < kk; ki++, idx_next(kpos, g->k, ns)) {
            float *dst = col + (ch * kk + ki) * oo;
            memset(opos, 0, sizeof opos);
            for (int64_t o = 0; o < outer; o++, idx_next(opos, g->out, ns - 1)) {
                int ok = 1;
                int64_t off = 0;
                for (int a = 0; a < ns - 1; a++) {
                    int64_t p = opos[a] * g->s[a] - g->pb[a] + kpos[a] * g->d[a];
                    ok &= p >= 0 && p < g->in[a];
                    off = off * g->in[a] + p;
                }
                float *row = dst + o * L;
                if (!ok) {
                    memset(row, 0, (size_t)L * sizeof *row);
                    continue;
                }
                const float *src = x + ch * ii + off * in1;
                int64_t base = kpos[ns - 1] * d1 - p1;
                for (int64_t j = 0; j < L; j++) {
                    int64_t p = j * s1 + base;
                    row[j] = (p >= 0 && p < in1) ? src[p] : 0.0f;
                }
            }
        }
    }
}

static int conv_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *w = c->in[1], *b = c->n_in > 2 ? c->in[2] : NULL;
    int rc = run_type(c, x, "X", float_like, err);
    if (!rc)
        rc = run_type(c, w, "W", float_like, err);
    if (!rc && b)
        rc = run_type(c, b, "B", float_like, err);
    if (rc)
        return rc;
    int64_t group = cf_node_attr_int(c->node, "group", 1);
    if (w->rank != x->rank)
        return cf_kernel_error(c, err, CF_EINVAL, "W has rank %d, X rank %d", w->rank, x->rank);
    int64_t N = x->dims[0], C = x->dims[1], M = w->dims[0];
    if (group < 1 || C % group || M % group || w->dims[1] * group != C)
        return cf_kernel_error(c, err, CF_EINVAL,
                               "channels %" PRId64 " / group %" PRId64 " do not match W (%" PRId64
                               "x%" PRId64 ")", C, group, M, w->dims[1]);
    if (b && cf_value_numel(b) != M)
        return cf_kernel_error(c, err, CF_EINVAL, "B has %" PRId64 " values for %" PRId64
                               " output channels", cf_value_numel(b), M);
    geom g;
    int ns = x->rank - 2;
    size_t nks;
    const int64_t *ks = cf_node_attr_ints(c->node, "kernel_shape", &nks);
    if (ks && ((int)nks != ns || memcmp(ks, w->dims + 2, (size_t)ns * sizeof *ks)))
        return cf_kernel_error(c, err, CF_EINVAL, "kernel_shape does not match W");
    rc = geom_init(c, x, w->dims + 2, 0, &g, err);
    if (rc)
        return rc;
    int64_t od[CF_MAX_RANK] = {N, M};
    for (int i = 0; i < ns; i++)
        od[i + 2] = g.out[i];
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, od, err);
    if (!y)
        return CF_ENOMEM;
    int64_t Cg = C / group, Mg = M / group, kk = prod(g.k, ns), oo = prod(g.out, ns);
    int64_t ii = prod(g.in, ns);
    int direct = 1; /* 1x1, stride 1, no padding: X is its own im2col */
    for (int i = 0; i < ns; i++)
        direct &= g.k[i] == 1 && g.s[i] == 1 && g.pb[i] == 0 && g.pe[i] == 0;
    float *t1 = NULL, *t2 = NULL, *t3 = NULL, *ty = NULL, *col = NULL;
    const float *fx = as_f32(x, &t1), *fw = as_f32(w, &t2), *fb = b ? as_f32(b, &t3) : NULL;
    float *fy = out_f32(y, &ty);
    if (!direct)
        col = malloc((size_t)(Cg * kk * oo + 1) * sizeof *col);
    if (!fx || !fw || (b && !fb) || !fy || (!direct && !col)) {
        rc = oom(c, err);
        goto done;
    }
    for (int64_t n = 0; n < N; n++)
        for (int64_t gi = 0; gi < group; gi++) {
            const float *xg = fx + (n * C + gi * Cg) * ii;
            if (!direct)
                im2col(xg, Cg, &g, col);
            float *yg = fy + (n * M + gi * Mg) * oo;
            sgemm(Mg, oo, Cg * kk, fw + gi * Mg * Cg * kk, Cg * kk, direct ? xg : col, oo, yg, oo,
                  0);
            for (int64_t m = 0; fb && m < Mg; m++) {
                float bv = fb[gi * Mg + m];
                for (int64_t j = 0; j < oo; j++)
                    yg[m * oo + j] += bv;
            }
        }
    out_done(y, ty);
    ty = NULL;
done:
    free(t1);
    free(t2);
    free(t3);
    free(ty);
    free(col);
    return rc;
}

/* ---- ConvTranspose ----------------------------------------------------------- */

static int convt_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"auto_pad", "dilations", "group", "kernel_shape",
                                        "output_padding", "output_shape", "pads", "strides",
                                        NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    if (!rc)
        rc = check_auto_pad(n, err);
    for (int i = 0; i < 3 && !rc; i++)
        rc = check_type(g, n, i, i == 0 ? "X" : i == 1 ? "W" : "B", float_like, err);
    return rc;
}

static int convt_run(cf_kernel_call *c, cf_error *err)
{
    const cf_node *node = c->node;
    const cf_value *x = c->in[0], *w = c->in[1], *b = c->n_in > 2 ? c->in[2] : NULL;
    int rc = run_type(c, x, "X", float_like, err);
    if (!rc)
        rc = run_type(c, w, "W", float_like, err);
    if (!rc && b)
        rc = run_type(c, b, "B", float_like, err);
    if (rc)
        return rc;
    if (x->rank < 3 || x->rank - 2 > MAXS || w->rank != x->rank)
        return cf_kernel_error(c, err, CF_EINVAL, "X rank %d / W rank %d not supported", x->rank,
                               w->rank);
    int ns = x->rank - 2;
    int64_t group = cf_node_attr_int(node, "group", 1);
    int64_t N = x->dims[0], C = x->dims[1];
    if (group < 1 || C % group || w->dims[0] != C)
        return cf_kernel_error(c, err, CF_EINVAL,
                               "channels %" PRId64 " / group %" PRId64 " do not match W", C, group);
    int64_t Cg = C / group, Mg = w->dims[1], M = Mg * group;
    if (b && cf_value_numel(b) != M)
        return cf_kernel_error(c, err, CF_EINVAL, "B has %" PRId64 " values for %" PRId64
                               " output channels", cf_value_numel(b), M);
    geom g;
    g.ns = ns;
    int64_t op[MAXS];
    rc = spatial_attr(c, "strides", ns, 1, g.s, err);
    if (!rc)
        rc = spatial_attr(c, "dilations", ns, 1, g.d, err);
    if (!rc)
        rc = spatial_attr(c, "output_padding", ns, 0, op, err);
    if (rc)
        return rc;
    size_t np, nos;
    const int64_t *pads = cf_node_attr_ints(node, "pads", &np);
    const int64_t *os = cf_node_attr_ints(node, "output_shape", &nos);
    if (pads && (int)np != 2 * ns)
        return cf_kernel_error(c, err, CF_EINVAL, "pads has %zu values", np);
    if (os && (int)nos != ns && (int)nos != ns + 2)
        return cf_kernel_error(c, err, CF_EINVAL, "output_shape has %zu values", nos);
    if (os && (int)nos == ns + 2)
        os += 2;
    const char *ap = cf_node_attr_string(node, "auto_pad", "NOTSET");
    int upper = !strcmp(ap, "SAME_UPPER"), same = upper || !strcmp(ap, "SAME_LOWER");
    for (int i = 0; i < ns; i++) {
        g.in[i] = x->dims[i + 2];
        g.k[i] = w->dims[i + 2];
        int64_t full = g.s[i] * (g.in[i] - 1) + op[i] + (g.k[i] - 1) * g.d[i] + 1;
        if (os || same) {
            int64_t want = os ? os[i] : g.in[i] * g.s[i];
            int64_t t = full - want;
            if (t < 0)
                t = 0; /* the missing outputs at the end get only the bias */
            g.pb[i] = upper ? t / 2 : t - t / 2;
            g.pe[i] = t - g.pb[i];
            g.out[i] = want;
        } else {
            g.pb[i] = pads && strcmp(ap, "VALID") ? pads[i] : 0;
            g.pe[i] = pads && strcmp(ap, "VALID") ? pads[i + ns] : 0;
            g.out[i] = full - g.pb[i] - g.pe[i];
        }
        if (g.out[i] < 0)
            return cf_kernel_error(c, err, CF_EINVAL, "negative output size on spatial axis %d", i);
    }
    int64_t od[CF_MAX_RANK] = {N, M};
    for (int i = 0; i < ns; i++)
        od[i + 2] = g.out[i];
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, od, err);
    if (!y)
        return CF_ENOMEM;
    int64_t kk = prod(g.k, ns), oo = prod(g.out, ns), ii = prod(g.in, ns);
    float *t1 = NULL, *t2 = NULL, *t3 = NULL, *ty = NULL, *col = NULL, *wt = NULL;
    const float *fx = as_f32(x, &t1), *fw = as_f32(w, &t2), *fb = b ? as_f32(b, &t3) : NULL;
    float *fy = out_f32(y, &ty);
    col = malloc((size_t)(Mg * kk * ii + 1) * sizeof *col);
    wt = malloc((size_t)(Mg * kk * Cg + 1) * sizeof *wt);
    if (!fx || !fw || (b && !fb) || !fy || !col || !wt) {
        rc = oom(c, err);
        goto done;
    }
    int64_t kpos[MAXS], ipos[MAXS];
    for (int64_t n = 0; n < N; n++)
        for (int64_t gi = 0; gi < group; gi++) {
            /* col (Mg*kk x positions) = W_g^T x X_g, then each column is
             * scattered (added) into the output window it feeds. */
            transpose(fw + gi * Cg * Mg * kk, Cg, Mg * kk, wt);
            sgemm(Mg * kk, ii, Cg, wt, Cg, fx + (n * C + gi * Cg) * ii, ii, col, ii, 0);
            float *yg = fy + (n * M + gi * Mg) * oo;
            for (int64_t m = 0; m < Mg; m++) {
                float bv = fb ? fb[gi * Mg + m] : 0.0f;
                for (int64_t j = 0; j < oo; j++)
                    yg[m * oo + j] = bv;
                memset(kpos, 0, sizeof kpos);
                for (int64_t ki = 0; ki < kk; ki++, idx_next(kpos, g.k, ns)) {
                    const float *src = col + (m * kk + ki) * ii;
                    memset(ipos, 0, sizeof ipos);
                    for (int64_t p = 0; p < ii; p++, idx_next(ipos, g.in, ns)) {
                        int64_t off = 0;
                        int ok = 1;
                        for (int a = 0; a < ns && ok; a++) {
                            int64_t q = ipos[a] * g.s[a] - g.pb[a] + kpos[a] * g.d[a];
                            ok = q >= 0 && q < g.out[a];
                            off = off * g.out[a] + q;
                        }
                        if (ok)
                            yg[m * oo + off] += src[p];
                    }
                }
            }
        }
    out_done(y, ty);
    ty = NULL;
done:
    free(t1);
    free(t2);
    free(t3);
    free(ty);
    free(col);
    free(wt);
    return rc;
}


/* ---- pools ------------------------------------------------------------------- */

enum { POOL_MAX, POOL_AVG, POOL_LP };

static int pool_prepare_common(const cf_graph *g, const cf_node *n, const char *const *known,
                               cf_error *err)
{
    int rc = cf_kernel_check_attrs(n, known, err);
    if (!rc)
        rc = check_auto_pad(n, err);
    if (!rc && !cf_node_attr(n, "kernel_shape"))
        rc = cf_kernel_prepare_error(n, err, CF_EINVAL, "kernel_shape missing");
    if (!rc)
        rc = check_type(g, n, 0, "X", numeric, err);
    return rc;
}

static int maxpool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"auto_pad", "ceil_mode", "dilations", "kernel_shape",
                                        "pads", "storage_order", "strides", NULL};
    int rc = pool_prepare_common(g, n, known, err);
    int64_t so = cf_node_attr_int(n, "storage_order", 0);
    if (!rc && so != 0 && so != 1)
        rc = cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "storage_order %" PRId64, so);
    return rc;
}

static int avgpool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"auto_pad", "ceil_mode", "count_include_pad",
                                        "dilations", "kernel_shape", "pads", "strides", NULL};
    int rc = pool_prepare_common(g, n, known, err);
    if (!rc)
        rc = check_type(g, n, 0, "X", float_like, err);
    return rc;
}

static int lppool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"auto_pad", "ceil_mode", "dilations", "kernel_shape",
                                        "p", "pads", "strides", NULL};
    int rc = pool_prepare_common(g, n, known, err);
    if (!rc)
        rc = check_type(g, n, 0, "X", float_like, err);
    return rc;
}

/* The taps k in [*lo, *hi) of a window starting at o (dilation d) that fall
 * inside [0, n). */
static void taps_inside(int64_t o, int64_t k, int64_t d, int64_t n, int64_t *lo, int64_t *hi)
{
    *lo = o < 0 ? (-o + d - 1) / d : 0;
    *hi = o > n - 1 ? 0 : (n - 1 - o) / d + 1;
    if (*hi > k)
        *hi = k;
    if (*lo > *hi)
        *lo = *hi;
}

/* 2-D MaxPool of uint8 or int8 without Indices: what quantized CNNs run after
 * their first convolution (resnet18_int8's stem). The general loop below goes
 * through float and a multi-index per tap: 20 times slower on that layer. Per
 * output row, the window's input rows are first reduced into one row (a
 * contiguous loop the compiler vectorizes), then each output takes the max of
 * its taps in that row. Same results as the general loop: padding holds no
 * value, a window all in padding gives 0. int8 is compared as uint8 with the
 * sign bit flipped, which keeps the order. row is scratch of W bytes. */
static void maxpool2d_8bit(const cf_value *x, cf_value *y, const geom *g, int64_t planes,
                           uint8_t *row)
{
    const uint8_t flip = x->dtype == CF_DT_INT8 ? 0x80 : 0;
    int64_t H = g->in[0], W = g->in[1], OH = g->out[0], OW = g->out[1];
    const uint8_t *src = x->data;
    uint8_t *dst = y->data;
    for (int64_t pl = 0; pl < planes; pl++, src += H * W) {
        for (int64_t oh = 0; oh < OH; oh++) {
            int64_t h0 = oh * g->s[0] - g->pb[0], kh0, kh1;
            taps_inside(h0, g->k[0], g->d[0], H, &kh0, &kh1);
            if (kh0 == kh1) {
                memset(dst, 0, (size_t)OW);
                dst += OW;
                continue;
            }
            const uint8_t *r0 = src + (h0 + kh0 * g->d[0]) * W;
            for (int64_t w = 0; w < W; w++)
                row[w] = r0[w] ^ flip;
            for (int64_t kh = kh0 + 1; kh < kh1; kh++) {
                const uint8_t *r = src + (h0 + kh * g->d[0]) * W;
                for (int64_t w = 0; w < W; w++) {
                    uint8_t v = r[w] ^ flip;
                    row[w] = v > row[w] ? v : row[w];
                }
            }
            int64_t span = (g->k[1] - 1) * g->d[1] + 1;
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t w0 = ow * g->s[1] - g->pb[1], kw0 = 0, kw1 = g->k[1];
                if (w0 < 0 || w0 + span > W)   /* divisions only at the borders */
                    taps_inside(w0, g->k[1], g->d[1], W, &kw0, &kw1);
                if (kw0 == kw1) {
                    *dst++ = 0;
                    continue;
                }
                uint8_t best = 0;
                for (int64_t kw = kw0; kw < kw1; kw++) {
                    uint8_t v = row[w0 + kw * g->d[1]];
                    best = v > best ? v : best;
                }
                *dst++ = best ^ flip;
            }
        }
    }
}

static int pool_run(cf_kernel_call *c, int kind, cf_error *err)
{
    const cf_node *node = c->node;
    const cf_value *x = c->in[0];
    int rc = run_type(c, x, "X", kind == POOL_MAX ? numeric : float_like, err);
    if (rc)
        return rc;
    size_t nk;
    const int64_t *ks = cf_node_attr_ints(node, "kernel_shape", &nk);
    if (!ks || (int)nk != x->rank - 2)
        return cf_kernel_error(c, err, CF_EINVAL, "kernel_shape has %zu values for input rank %d",
                               nk, x->rank);
    geom g;
    rc = geom_init(c, x, ks, (int)cf_node_attr_int(node, "ceil_mode", 0), &g, err);
    if (rc)
        return rc;
    int ns = g.ns;
    int incl = (int)cf_node_attr_int(node, "count_include_pad", 0);
    int so = (int)cf_node_attr_int(node, "storage_order", 0);
    float p = kind == POOL_LP ? (float)cf_node_attr_int(node, "p", 2) : 0.0f;
    int64_t od[CF_MAX_RANK] = {x->dims[0], x->dims[1]};
    for (int i = 0; i < ns; i++)
        od[i + 2] = g.out[i];
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, od, err);
    if (!y)
        return CF_ENOMEM;
    cf_value *ix = NULL;
    if (kind == POOL_MAX && c->n_out > 1) {
        ix = cf_kcall_output(c, 1, CF_DT_INT64, x->rank, od, err);
        if (!ix)
            return CF_ENOMEM;
    }
    int64_t planes = x->dims[0] * x->dims[1], ii = prod(g.in, ns), oo = prod(g.out, ns);
    int64_t kk = prod(g.k, ns);
    if (kind == POOL_MAX && !ix && ns == 2 &&
        (x->dtype == CF_DT_UINT8 || x->dtype == CF_DT_INT8)) {
        uint8_t *row = malloc((size_t)g.in[1] + 1);
        if (!row)
            return oom(c, err);
        maxpool2d_8bit(x, y, &g, planes, row);
        free(row);
        return 0;
    }
    float *t1 = NULL, *ty = NULL;
    const float *fx = as_f32(x, &t1);
    float *fy = out_f32(y, &ty);
    if (!fx || !fy) {
        rc = oom(c, err);
        goto done;
    }
    int64_t opos[MAXS], kpos[MAXS];
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *src = fx + pl * ii;
        memset(opos, 0, sizeof opos);
        for (int64_t o = 0; o < oo; o++, idx_next(opos, g.out, ns)) {
            float acc = kind == POOL_MAX ? -INFINITY : 0.0f;
            int64_t best = -1, cnt = 0;
            memset(kpos, 0, sizeof kpos);
            for (int64_t ki = 0; ki < kk; ki++, idx_next(kpos, g.k, ns)) {
                int in = 1, padded = 1;
                int64_t off = 0;
                for (int a = 0; a < ns; a++) {
                    int64_t q = opos[a] * g.s[a] - g.pb[a] + kpos[a] * g.d[a];
                    in &= q >= 0 && q < g.in[a];
                    padded &= q >= -g.pb[a] && q < g.in[a] + g.pe[a];
                    off = off * g.in[a] + q;
                }
                if (!in) {
                    cnt += kind == POOL_AVG && incl && padded;
                    continue;
                }
                float v = src[off];
                if (kind == POOL_MAX) {
                    if (best < 0 || v > acc) {
                        acc = v;
                        best = off;
                    }
                } else if (kind == POOL_AVG) {
                    acc += v;
                    cnt++;
                } else {
                    acc += powf(fabsf(v), p);
                }
            }
            if (kind == POOL_MAX && best < 0 && !cf_is_float_type(x->dtype))
                acc = 0.0f; /* a window all in padding: -inf has no integer value */
            if (kind == POOL_AVG)
                acc = cnt ? acc / (float)cnt : 0.0f;
            else if (kind == POOL_LP)
                acc = powf(acc, 1.0f / p);
            fy[pl * oo + o] = acc;
            if (ix) {
                int64_t flat = best < 0 ? 0 : best;
                if (so && best >= 0) {
                    /* column-major position of the same element */
                    int64_t r = best, cm = 0, mul = 1;
                    int64_t pos[MAXS];
                    for (int a = ns - 1; a >= 0; a--) {
                        pos[a] = r % g.in[a];
                        r /= g.in[a];
                    }
                    for (int a = 0; a < ns; a++) {
                        cm += pos[a] * mul;
                        mul *= g.in[a];
                    }
                    flat = cm;
                }
                ((int64_t *)ix->data)[pl * oo + o] = pl * ii + flat;
            }
        }
    }
    out_done(y, ty);
    ty = NULL;
done:
    free(t1);
    free(ty);
    return rc;
}

static int maxpool_run(cf_kernel_call *c, cf_error *err) { return pool_run(c, POOL_MAX, err); }
static int avgpool_run(cf_kernel_call *c, cf_error *err) { return pool_run(c, POOL_AVG, err); }
static int lppool_run(cf_kernel_call *c, cf_error *err) { return pool_run(c, POOL_LP, err); }

static int global_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"p", NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    if (!rc && cf_node_attr(n, "p") && strcmp(n->op_type, "GlobalLpPool"))
        rc = cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute p not supported");
    if (!rc)
        rc = check_type(g, n, 0, "X", float_like, err);
    return rc;
}

static int global_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0];
    int kind = !strcmp(c->node->op_type, "GlobalMaxPool")   ? POOL_MAX
               : !strcmp(c->node->op_type, "GlobalLpPool") ? POOL_LP
                                                            : POOL_AVG;
    int rc = run_type(c, x, "X", float_like, err);
    if (rc)
        return rc;
    if (x->rank < 2)
        return cf_kernel_error(c, err, CF_EINVAL, "input of rank %d", x->rank);
    float p = (float)cf_node_attr_int(c->node, "p", 2);
    int64_t od[CF_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        od[i] = i < 2 ? x->dims[i] : 1;
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, od, err);
    if (!y)
        return CF_ENOMEM;
    int64_t planes = x->dims[0] * x->dims[1], ii = prod(x->dims + 2, x->rank - 2);
    float *t1 = NULL, *ty = NULL;
    const float *fx = as_f32(x, &t1);
    float *fy = out_f32(y, &ty);
    if (!fx || !fy) {
        free(t1);
        free(ty);
        return oom(c, err);
    }
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *src = fx + pl * ii;
        double acc = kind == POOL_MAX ? -INFINITY : 0.0;
        for (int64_t i = 0; i < ii; i++) {
            if (kind == POOL_MAX)
                acc = src[i] > acc ? src[i] : acc;
            else if (kind == POOL_AVG)
                acc += src[i];
            else
                acc += pow(fabs(src[i]), p);
        }
        fy[pl] = (float)(kind == POOL_AVG ? acc / (double)ii : kind == POOL_LP ? pow(acc, 1.0 / p) : acc);
    }
    out_done(y, ty);
    free(t1);
    return 0;
}


/* ---- Resize / Upsample ------------------------------------------------------- */

enum { RS_NEAREST, RS_LINEAR, RS_CUBIC };
enum { CT_HALF_PIXEL, CT_HALF_PIXEL_SYM, CT_PYTORCH, CT_ALIGN, CT_ASYM, CT_TF_NN, CT_TF_CROP };
enum { NM_ROUND_FLOOR, NM_ROUND_CEIL, NM_FLOOR, NM_CEIL };

typedef struct rs_cfg {
    int mode, ctm, nmode, exclude;
    float a, extrap;
} rs_cfg;

static int str_pick(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

static const char *const RS_MODES[] = {"nearest", "linear", "cubic", NULL};
static const char *const RS_CTMS[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                      "align_corners", "asymmetric", "tf_half_pixel_for_nn",
                                      "tf_crop_and_resize", NULL};
static const char *const RS_NMODES[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                        "ceil", NULL};

/* Reads the attributes; version: Resize opset, or 0 for Upsample. */
static int rs_config(const cf_node *n, int version, rs_cfg *cfg, cf_error *err)
{
    const char *m = cf_node_attr_string(n, "mode", "nearest");
    cfg->mode = str_pick(m, RS_MODES);
    if (version < 11 && !strcmp(m, "bilinear"))
        cfg->mode = RS_LINEAR;
    if (cfg->mode < 0 || (version < 11 && cfg->mode == RS_CUBIC))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "mode %s not supported", m);
    const char *ct = cf_node_attr_string(n, "coordinate_transformation_mode",
                                         version < 11 ? "asymmetric" : "half_pixel");
    cfg->ctm = str_pick(ct, RS_CTMS);
    if (cfg->ctm < 0 || (cfg->ctm == CT_HALF_PIXEL_SYM && version < 19))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "coordinate_transformation_mode %s not supported", ct);
    const char *nm = cf_node_attr_string(n, "nearest_mode",
                                         version < 11 ? "floor" : "round_prefer_floor");
    cfg->nmode = str_pick(nm, RS_NMODES);
    if (cfg->nmode < 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "nearest_mode %s not supported",
                                       nm);
    cfg->a = cf_node_attr_float(n, "cubic_coeff_a", -0.75f);
    cfg->exclude = (int)cf_node_attr_int(n, "exclude_outside", 0);
    cfg->extrap = cf_node_attr_float(n, "extrapolation_value", 0.0f);
    if (cf_node_attr_int(n, "antialias", 0))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "antialias not supported");
    const char *kp = cf_node_attr_string(n, "keep_aspect_ratio_policy", "stretch");
    if (strcmp(kp, "stretch") && strcmp(kp, "not_larger") && strcmp(kp, "not_smaller"))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "keep_aspect_ratio_policy %s not supported", kp);
    return 0;
}

static int rs_version(const cf_node *n)
{
    return strcmp(n->op_type, "Upsample") ? 1 : 0;
}

static int resize_prepare_v(const cf_graph *g, const cf_node *n, int version, cf_error *err)
{
    static const char *const known11[] = {"antialias", "axes", "coordinate_transformation_mode",
                                          "cubic_coeff_a", "exclude_outside",
                                          "extrapolation_value", "keep_aspect_ratio_policy",
                                          "mode", "nearest_mode", NULL};
    static const char *const known10[] = {"mode", NULL};
    static const char *const known_up7[] = {"mode", "scales", NULL};
    const char *const *known = version >= 11 ? known11 : version >= 9 ? known10 : known_up7;
    if (version >= 11 && version < 18) {
        if (cf_node_attr(n, "antialias") || cf_node_attr(n, "axes") ||
            cf_node_attr(n, "keep_aspect_ratio_policy"))
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                           "opset 18 attributes at opset %d", version);
    }
    int rc = cf_kernel_check_attrs(n, known, err);
    if (!rc) {
        rs_cfg cfg;
        rc = rs_config(n, version, &cfg, err);
    }
    if (!rc)
        rc = check_type(g, n, 0, "X", numeric, err);
    return rc;
}

static int resize_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    int64_t v = cf_graph_opset(g, "");
    return resize_prepare_v(g, n, rs_version(n) ? (v < 11 ? 10 : (int)v) : (v < 9 ? 7 : 9), err);
}

/* One tap of a 1-D resampling: output element o takes w[t] * in[idx[t]]. */
typedef struct rs_axis {
    int taps;
    int64_t *idx;
    float *w;
    unsigned char *extrap;
} rs_axis;

static void cubic_coeffs(float r, float A, float *c)
{
    double t = r, u = 1 - r;
    c[0] = (float)(((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A);
    c[1] = (float)(((A + 2) * t - (A + 3)) * t * t + 1);
    c[2] = (float)(((A + 2) * u - (A + 3)) * u * u + 1);
    c[3] = (float)(((A * (u + 1) - 5 * A) * (u + 1) + 8 * A) * (u + 1) - 4 * A);
}

/* The taps of one axis; 1 when it is the identity (nothing to do). */
static int rs_axis_plan(const rs_cfg *cfg, int64_t in, int64_t out, double scale, double r0,
                        double r1, rs_axis *ax)
{
    int taps = ax->taps = cfg->mode == RS_NEAREST ? 1 : cfg->mode == RS_LINEAR ? 2 : 4;
    int ident = in == out;
    double outw = scale * (double)in;
    for (int64_t o = 0; o < out; o++) {
        double x = (double)o, xo;
        switch (cfg->ctm) {
        case CT_ALIGN: xo = outw == 1 ? 0 : x * (double)(in - 1) / (outw - 1); break;
        case CT_ASYM: xo = x / scale; break;
        case CT_TF_NN: xo = (x + 0.5) / scale; break;
        case CT_PYTORCH: xo = outw == 1 ? -0.5 : (x + 0.5) / scale - 0.5; break;
        case CT_TF_CROP:
            xo = (out == 1 ? (r1 - r0) * (double)(in - 1) / 2
                           : x * (r1 - r0) * (double)(in - 1) / (double)(out - 1)) +
                 r0 * (double)(in - 1);
            break;
        case CT_HALF_PIXEL_SYM: {
            double adj = (double)out / outw, off = (double)in / 2 * (1 - adj);
            xo = off + (x + 0.5) / scale - 0.5;
            break;
        }
        default: xo = (x + 0.5) / scale - 0.5; break;
        }
        int64_t *idx = ax->idx + o * taps;
        float *w = ax->w + o * taps;
        ax->extrap[o] = cfg->ctm == CT_TF_CROP && (xo < 0 || xo > (double)(in - 1));
        ident &= !ax->extrap[o];
        if (cfg->mode == RS_NEAREST) {
            double f = floor(xo), fr = xo - f;
            int64_t i;
            switch (cfg->nmode) {
            case NM_FLOOR: i = (int64_t)f; break;
            case NM_CEIL: i = (int64_t)ceil(xo); break;
            case NM_ROUND_CEIL: i = (int64_t)f + (fr >= 0.5); break;
            default: i = (int64_t)f + (fr > 0.5); break;
            }
            idx[0] = i < 0 ? 0 : i >= in ? in - 1 : i;
            w[0] = 1.0f;
            ident &= idx[0] == o;
            continue;
        }
        double f = floor(xo);
        float ratio = (float)(xo - f);
        if (xo == f) {
            /* the reference prefers the pixel on the left: ratio 1 */
            ratio = 1.0f;
            f -= 1;
        }
        int64_t start = (int64_t)f - taps / 2 + 1;
        if (cfg->mode == RS_LINEAR) {
            w[0] = 1.0f - ratio;
            w[1] = ratio;
        } else {
            cubic_coeffs(ratio, cfg->a, w);
        }
        float sum = 0;
        for (int t = 0; t < taps; t++) {
            int64_t i = start + t;
            if (cfg->exclude && (i < 0 || i >= in))
                w[t] = 0.0f;
            sum += w[t];
            idx[t] = i < 0 ? 0 : i >= in ? in - 1 : i;
        }
        if (cfg->exclude && sum != 0.0f)
            for (int t = 0; t < taps; t++)
                w[t] /= sum;
        for (int t = 0; t < taps; t++)
            ident &= w[t] == 0.0f || (w[t] == 1.0f && idx[t] == o);
    }
    return ident;
}

static int resize_run_v(cf_kernel_call *c, int version, cf_error *err)
{
    const cf_node *node = c->node;
    const cf_value *x = c->in[0];
    int rc = run_type(c, x, "X", numeric, err);
    if (rc)
        return rc;
    rs_cfg cfg;
    rc = rs_config(node, version, &cfg, err);
    if (rc)
        return rc;
    int r = x->rank;
    double scales[CF_MAX_RANK], roi[2 * CF_MAX_RANK];
    int64_t od[CF_MAX_RANK];
    for (int i = 0; i < r; i++) {
        scales[i] = 1.0;
        od[i] = x->dims[i];
        roi[i] = 0.0;
        roi[i + r] = 1.0;
    }
    /* Which axes the scales/sizes/roi values name (opset 18 axes). */
    int axes[CF_MAX_RANK], na = r;
    for (int i = 0; i < r; i++)
        axes[i] = i;
    size_t nax;
    const int64_t *ax_attr = version >= 18 ? cf_node_attr_ints(node, "axes", &nax) : NULL;
    if (ax_attr) {
        if ((int)nax > r)
            return cf_kernel_error(c, err, CF_EINVAL, "axes has %zu values for rank %d", nax, r);
        na = (int)nax;
        for (int i = 0; i < na; i++) {
            rc = cf_axis(c, ax_attr[i], r, &axes[i], err);
            if (rc)
                return rc;
        }
    }
    const cf_value *sv = NULL, *zv = NULL, *rv = NULL;
    size_t nsa = 0;
    const float *sattr = NULL;
    if (version < 9 && cf_node_attr(node, "scales"))
        sattr = cf_node_attr(node, "scales")->floats, nsa = cf_node_attr(node, "scales")->n;
    else if (version <= 10)
        sv = c->n_in > 1 ? c->in[1] : NULL;
    else {
        rv = c->n_in > 1 ? c->in[1] : NULL;
        sv = c->n_in > 2 ? c->in[2] : NULL;
        zv = c->n_in > 3 ? c->in[3] : NULL;
    }
    if (sv && cf_value_numel(sv) == 0)
        sv = NULL;
    if (zv && cf_value_numel(zv) == 0)
        zv = NULL;
    if (rv && cf_value_numel(rv) == 0)
        rv = NULL;
    if (!!sv + !!zv + !!sattr != 1)
        return cf_kernel_error(c, err, CF_EINVAL, "exactly one of scales and sizes must be given");
    if (sv || sattr) {
        int64_t ns = sattr ? (int64_t)nsa : cf_value_numel(sv);
        if (ns != na)
            return cf_kernel_error(c, err, CF_EINVAL, "scales has %" PRId64 " values for %d axes",
                                   ns, na);
        if (sv && !cf_is_float_type(sv->dtype))
            return cf_kernel_error(c, err, CF_EINVAL, "scales of type %s", cf_dtype_name(sv->dtype));
        for (int i = 0; i < na; i++)
            scales[axes[i]] = sattr ? sattr[i] : cf_value_get_f64(sv, i);
    }
    if (rv && cfg.ctm == CT_TF_CROP) {
        if (cf_value_numel(rv) != 2 * na)
            return cf_kernel_error(c, err, CF_EINVAL, "roi has %" PRId64 " values for %d axes",
                                   cf_value_numel(rv), na);
        for (int i = 0; i < na; i++) {
            roi[axes[i]] = cf_value_get_f64(rv, i);
            roi[axes[i] + r] = cf_value_get_f64(rv, i + na);
        }
    }
    if (sv || sattr) {
        for (int i = 0; i < r; i++) {
            if (!(scales[i] > 0))
                return cf_kernel_error(c, err, CF_EINVAL, "scale %g on axis %d", scales[i], i);
            double span = cfg.ctm == CT_TF_CROP ? roi[i + r] - roi[i] : 1.0;
            od[i] = (int64_t)floor((double)x->dims[i] * span * scales[i]);
        }
    } else {
        int64_t sz[CF_MAX_RANK], nz;
        rc = cf_value_ints(c, zv, "sizes", sz, CF_MAX_RANK, &nz, err);
        if (rc)
            return rc;
        if (nz != na)
            return cf_kernel_error(c, err, CF_EINVAL, "sizes has %" PRId64 " values for %d axes",
                                   nz, na);
        const char *kp = cf_node_attr_string(node, "keep_aspect_ratio_policy", "stretch");
        if (strcmp(kp, "stretch")) {
            double sc = 0;
            for (int i = 0; i < na; i++) {
                double q = (double)sz[i] / (double)x->dims[axes[i]];
                if (i == 0 || (!strcmp(kp, "not_larger") ? q < sc : q > sc))
                    sc = q;
            }
            for (int i = 0; i < na; i++) {
                scales[axes[i]] = sc;
                od[axes[i]] = (int64_t)floor(sc * (double)x->dims[axes[i]] + 0.5);
            }
        } else {
            for (int i = 0; i < na; i++) {
                od[axes[i]] = sz[i];
                scales[axes[i]] = (double)sz[i] / (double)x->dims[axes[i]];
            }
        }
    }
    for (int i = 0; i < r; i++)
        if (od[i] < 0 || (od[i] > 0 && x->dims[i] == 0))
            return cf_kernel_error(c, err, CF_EINVAL, "output size %" PRId64 " on axis %d", od[i],
                                   i);
    cf_value *y = cf_kcall_output(c, 0, x->dtype, r, od, err);
    if (!y)
        return CF_ENOMEM;
    int64_t big = 1; /* largest intermediate */
    int64_t cur[CF_MAX_RANK];
    for (int i = 0; i < r; i++)
        cur[i] = x->dims[i];
    big = prod(cur, r);
    for (int i = r - 1; i >= 0; i--) {
        cur[i] = od[i];
        int64_t p = prod(cur, r);
        big = p > big ? p : big;
    }
    float *t1 = NULL, *ty = NULL, *bufs[2] = {NULL, NULL};
    const float *fx = as_f32(x, &t1);
    float *fy = out_f32(y, &ty);
    rs_axis ax = {0, NULL, NULL, NULL};
    int64_t maxo = 1;
    for (int i = 0; i < r; i++)
        maxo = od[i] > maxo ? od[i] : maxo;
    ax.idx = malloc((size_t)maxo * 4 * sizeof *ax.idx);
    ax.w = malloc((size_t)maxo * 4 * sizeof *ax.w);
    ax.extrap = malloc((size_t)maxo);
    bufs[0] = malloc((size_t)(big + 1) * sizeof(float));
    bufs[1] = malloc((size_t)(big + 1) * sizeof(float));
    if (!fx || !fy || !ax.idx || !ax.w || !ax.extrap || !bufs[0] || !bufs[1]) {
        rc = oom(c, err);
        goto done;
    }
    /* One 1-D pass per resized axis, innermost first (the reference's order,
     * which matters only for tf_crop_and_resize's extrapolation). */
    for (int i = 0; i < r; i++)
        cur[i] = x->dims[i];
    const float *src = fx;
    int which = 0;
    for (int a = r - 1; a >= 0; a--) {
        if (rs_axis_plan(&cfg, x->dims[a], od[a], scales[a], roi[a], roi[a + r], &ax))
            continue;
        int64_t outer = prod(cur, a), in = cur[a], inner = prod(cur + a + 1, r - a - 1);
        float *dst = bufs[which];
        for (int64_t b = 0; b < outer; b++)
            for (int64_t o = 0; o < od[a]; o++) {
                float *d = dst + (b * od[a] + o) * inner;
                if (ax.extrap[o]) {
                    for (int64_t j = 0; j < inner; j++)
                        d[j] = cfg.extrap;
                    continue;
                }
                const float *s0 = src + (b * in + ax.idx[o * ax.taps]) * inner;
                float w0 = ax.w[o * ax.taps];
                for (int64_t j = 0; j < inner; j++)
                    d[j] = w0 * s0[j];
                for (int t = 1; t < ax.taps; t++) {
                    const float *st = src + (b * in + ax.idx[o * ax.taps + t]) * inner;
                    float wt = ax.w[o * ax.taps + t];
                    if (wt != 0.0f)
                        for (int64_t j = 0; j < inner; j++)
                            d[j] += wt * st[j];
                }
            }
        cur[a] = od[a];
        src = dst;
        which ^= 1;
    }
    memcpy(fy, src, (size_t)prod(od, r) * sizeof *fy);
    out_done(y, ty);
    ty = NULL;
done:
    free(t1);
    free(ty);
    free(ax.idx);
    free(ax.w);
    free(ax.extrap);
    free(bufs[0]);
    free(bufs[1]);
    return rc;
}

static int resize_run(cf_kernel_call *c, cf_error *err)
{
    int64_t v = cf_graph_opset(c->g, "");
    return resize_run_v(c, rs_version(c->node) ? (v < 11 ? 10 : (int)v) : (v < 9 ? 7 : 9), err);
}


/* ---- Einsum ------------------------------------------------------------------ */

/* Labels: 0..51 the letters, 52.. the axes an ellipsis covers (right
 * aligned, so they broadcast like numpy). */
#define EI_LETTERS 52
#define EI_MAXL (EI_LETTERS + CF_MAX_RANK)
#define EI_MAXOPS 16

typedef struct ei_term {
    int n;                  /* labels before expanding the ellipsis */
    int lab[CF_MAX_RANK + 1];
    int ell;                /* position of "..." among the labels, -1 if none */
} ei_term;

static int ei_letter(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a';
    if (ch >= 'A' && ch <= 'Z')
        return 26 + ch - 'A';
    return -1;
}

/* Parses one term between p and end; 0 on success. */
static int ei_parse_term(const char *p, const char *end, ei_term *t)
{
    t->n = 0;
    t->ell = -1;
    while (p < end) {
        if (*p == ' ') {
            p++;
        } else if (*p == '.') {
            if (end - p < 3 || p[1] != '.' || p[2] != '.' || t->ell >= 0)
                return -1;
            t->ell = t->n;
            p += 3;
        } else {
            int l = ei_letter(*p++);
            if (l < 0 || t->n > CF_MAX_RANK)
                return -1;
            t->lab[t->n++] = l;
        }
    }
    return 0;
}

typedef struct ei_plan {
    int n_ops;
    ei_term in[EI_MAXOPS], out;
    int explicit_out;
} ei_plan;

static int ei_parse(const char *eq, int n_ops, ei_plan *pl)
{
    const char *arrow = strstr(eq, "->"), *lhs_end = arrow ? arrow : eq + strlen(eq);
    const char *p = eq;
    int k = 0;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(lhs_end - p));
        const char *e = comma ? comma : lhs_end;
        if (k >= n_ops || k >= EI_MAXOPS || ei_parse_term(p, e, &pl->in[k]))
            return -1;
        k++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (k != n_ops)
        return -1;
    pl->n_ops = n_ops;
    pl->explicit_out = arrow != NULL;
    if (arrow && ei_parse_term(arrow + 2, arrow + 2 + strlen(arrow + 2), &pl->out))
        return -1;
    return 0;
}

static int einsum_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"equation", NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    if (rc)
        return rc;
    const char *eq = cf_node_attr_string(n, "equation", NULL);
    ei_plan pl;
    if (!eq || n->n_inputs < 1 || ei_parse(eq, n->n_inputs, &pl))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "equation \"%s\" not supported",
                                       eq ? eq : "");
    for (int i = 0; i < n->n_inputs && !rc; i++)
        rc = check_type(g, n, i, "input", numeric, err);
    return rc;
}

/* One result into v's element type: cf_value_set_f64 rounds float16 and
 * bfloat16 and saturates integers (NaN to 0): no undefined cast. */
static void store_f64(cf_value *v, int64_t i, double x)
{
    cf_value_set_f64(v, i, x);
}

static int einsum_run(cf_kernel_call *c, cf_error *err)
{
    const char *eq = cf_node_attr_string(c->node, "equation", "");
    ei_plan pl;
    if (ei_parse(eq, c->n_in, &pl))
        return cf_kernel_error(c, err, CF_EINVAL, "bad equation \"%s\"", eq);
    int n_ops = c->n_in, rc = 0;
    for (int k = 0; k < n_ops; k++) {
        if (!c->in[k])
            return cf_kernel_error(c, err, CF_EINVAL, "input %d missing", k);
        rc = run_type(c, c->in[k], "input", numeric, err);
        if (rc)
            return rc;
    }
    /* Sizes of every label; the ellipsis rank is the largest any operand has. */
    int64_t size[EI_MAXL];
    int used[EI_MAXL] = {0}, count[EI_MAXL] = {0};
    for (int l = 0; l < EI_MAXL; l++)
        size[l] = 1;
    int E = 0;
    for (int k = 0; k < n_ops; k++) {
        const ei_term *t = &pl.in[k];
        int e = c->in[k]->rank - t->n;
        if (e < 0 || (t->ell < 0 && e != 0))
            return cf_kernel_error(c, err, CF_EINVAL, "term %d of \"%s\" does not fit rank %d", k,
                                   eq, c->in[k]->rank);
        E = e > E ? e : E;
    }
    /* Per operand, per label: the element stride (summed over repeats). */
    if (n_ops < 1 || n_ops > EI_MAXOPS)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "%d inputs", n_ops);
    int64_t (*st)[EI_MAXL] = calloc((size_t)n_ops, sizeof *st);
    double **vals = calloc((size_t)n_ops, sizeof *vals);
    if (!st || !vals) {
        free(st);
        free(vals);
        return oom(c, err);
    }
    for (int k = 0; k < n_ops && !rc; k++) {
        const ei_term *t = &pl.in[k];
        const cf_value *v = c->in[k];
        int e = v->rank - t->n;
        int lab[CF_MAX_RANK];
        for (int d = 0, j = 0; d < v->rank;) {
            if (j == t->ell && e > 0) {
                for (int q = 0; q < e; q++)
                    lab[d++] = EI_LETTERS + E - e + q;
                e = 0;
                continue;
            }
            lab[d++] = t->lab[j++];
        }
        int64_t s = 1;
        for (int d = v->rank - 1; d >= 0; d--) {
            int l = lab[d];
            int64_t n = v->dims[d];
            if (used[l] && size[l] != n && n != 1 && size[l] != 1) {
                rc = cf_kernel_error(c, err, CF_EINVAL, "label sizes %" PRId64 " and %" PRId64
                                     " differ in \"%s\"", size[l], n, eq);
                break;
            }
            if (!used[l] || size[l] == 1)
                size[l] = n;
            used[l] = 1;
            if (n != 1)
                st[k][l] += s;
            s *= n;
        }
        for (int j = 0; j < t->n; j++)
            count[t->lab[j]]++;
    }
    /* Output labels. */
    int olab[EI_MAXL], no = 0;
    if (!rc && pl.explicit_out) {
        const ei_term *t = &pl.out;
        for (int j = 0; j <= t->n; j++) {
            if (j == t->ell)
                for (int q = 0; q < E; q++)
                    olab[no++] = EI_LETTERS + q;
            if (j < t->n) {
                int l = t->lab[j];
                if (!used[l] && !count[l])
                    rc = cf_kernel_error(c, err, CF_EINVAL, "output label not in the inputs");
                for (int q = 0; q < no; q++)
                    if (olab[q] == l)
                        rc = cf_kernel_error(c, err, CF_EINVAL, "repeated output label");
                olab[no++] = l;
            }
        }
    } else if (!rc) {
        for (int q = 0; q < E; q++)
            olab[no++] = EI_LETTERS + q;
        for (int l = 26; l < 52; l++) /* ASCII order: uppercase first */
            if (count[l] == 1)
                olab[no++] = l;
        for (int l = 0; l < 26; l++)
            if (count[l] == 1)
                olab[no++] = l;
    }
    if (!rc && no > CF_MAX_RANK)
        rc = cf_kernel_error(c, err, CF_EUNSUPPORTED, "output rank %d", no);
    if (rc)
        goto done;
    /* All labels: output ones first, the summed ones after. */
    int all[EI_MAXL], nl = 0, isout[EI_MAXL] = {0};
    for (int q = 0; q < no; q++) {
        all[nl++] = olab[q];
        isout[olab[q]] = 1;
    }
    for (int l = 0; l < EI_MAXL; l++)
        if (used[l] && !isout[l])
            all[nl++] = l;
    int64_t od[CF_MAX_RANK], dims[EI_MAXL];
    for (int q = 0; q < no; q++)
        od[q] = size[olab[q]];
    for (int q = 0; q < nl; q++)
        dims[q] = size[all[q]];
    cf_value *y = cf_kcall_output(c, 0, c->in[0]->dtype, no, od, err);
    if (!y) {
        rc = CF_ENOMEM;
        goto done;
    }
    for (int k = 0; k < n_ops; k++) {
        int64_t ne = cf_value_numel(c->in[k]);
        vals[k] = malloc((size_t)(ne + 1) * sizeof **vals);
        if (!vals[k]) {
            rc = oom(c, err);
            goto done;
        }
        for (int64_t i = 0; i < ne; i++)
            vals[k][i] = cf_value_get_f64(c->in[k], i);
    }
    int64_t nout = prod(od, no), nsum = prod(dims + no, nl - no);
    int64_t idx[EI_MAXL] = {0}, off[EI_MAXOPS] = {0};
    if (nsum == 0)
        for (int64_t o = 0; o < nout; o++)
            store_f64(y, o, 0.0);
    /* One odometer over every label, output labels outermost: each run of
     * nsum steps sums one output element. */
    double acc = 0;
    for (int64_t t = 0; nsum && t < nout * nsum; t++) {
        double p = 1;
        for (int k = 0; k < n_ops; k++)
            p *= vals[k][off[k]];
        acc += p;
        if ((t + 1) % nsum == 0) {
            store_f64(y, t / nsum, acc);
            acc = 0;
        }
        for (int q = nl - 1; q >= 0; q--) {
            int l = all[q];
            if (++idx[q] < dims[q]) {
                for (int k = 0; k < n_ops; k++)
                    off[k] += st[k][l];
                break;
            }
            for (int k = 0; k < n_ops; k++)
                off[k] -= st[k][l] * (dims[q] - 1);
            idx[q] = 0;
        }
    }
done:
    for (int k = 0; k < n_ops; k++)
        free(vals[k]);
    free(vals);
    free(st);
    return rc;
}


/* ---- MaxUnpool --------------------------------------------------------------- */

static int maxunpool_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    (void)state;
    static const char *const known[] = {"kernel_shape", "pads", "strides", NULL};
    int rc = cf_kernel_check_attrs(n, known, err);
    if (!rc && !cf_node_attr(n, "kernel_shape"))
        rc = cf_kernel_prepare_error(n, err, CF_EINVAL, "kernel_shape missing");
    if (!rc)
        rc = check_type(g, n, 0, "X", numeric, err);
    return rc;
}

static int maxunpool_run(cf_kernel_call *c, cf_error *err)
{
    const cf_value *x = c->in[0], *ix = c->in[1], *osv = c->n_in > 2 ? c->in[2] : NULL;
    int rc = run_type(c, x, "X", numeric, err);
    if (rc)
        return rc;
    if (x->rank < 3 || x->rank - 2 > MAXS || ix->dtype != CF_DT_INT64 ||
        cf_value_numel(ix) != cf_value_numel(x))
        return cf_kernel_error(c, err, CF_EINVAL, "X (rank %d) and int64 indices of its shape "
                               "expected", x->rank);
    int ns = x->rank - 2;
    size_t nk, np;
    const int64_t *ks = cf_node_attr_ints(c->node, "kernel_shape", &nk);
    const int64_t *pads = cf_node_attr_ints(c->node, "pads", &np);
    int64_t st[MAXS];
    if ((int)nk != ns || (pads && (int)np != 2 * ns))
        return cf_kernel_error(c, err, CF_EINVAL, "kernel_shape/pads do not fit rank %d", x->rank);
    rc = spatial_attr(c, "strides", ns, 1, st, err);
    if (rc)
        return rc;
    /* Indices address the default unpooled shape; an output_shape only
     * re-frames it (same coordinates, the rest zero), as the reference does. */
    int64_t dd[CF_MAX_RANK] = {x->dims[0], x->dims[1]}, od[CF_MAX_RANK];
    for (int i = 0; i < ns; i++)
        dd[i + 2] = (x->dims[i + 2] - 1) * st[i] + ks[i] - (pads ? pads[i] + pads[i + ns] : 0);
    memcpy(od, dd, sizeof od);
    if (osv) {
        int64_t n;
        rc = cf_value_ints(c, osv, "output_shape", od, CF_MAX_RANK, &n, err);
        if (rc)
            return rc;
        if (n != x->rank)
            return cf_kernel_error(c, err, CF_EINVAL, "output_shape has %" PRId64 " values", n);
    }
    for (int i = 0; i < x->rank; i++)
        if (od[i] < 0)
            return cf_kernel_error(c, err, CF_EINVAL, "negative output size");
    cf_value *y = cf_kcall_output(c, 0, x->dtype, x->rank, od, err);
    if (!y)
        return CF_ENOMEM;
    size_t es = cf_dtype_size(x->dtype);
    int64_t ny = cf_value_numel(y), nx = cf_value_numel(x);
    if (ny)
        memset(y->data, 0, (size_t)ny * es);
    int64_t nd = prod(dd, x->rank);
    for (int64_t i = 0; i < nx; i++) {
        int64_t t = ((const int64_t *)ix->data)[i], r = t, pos[CF_MAX_RANK], off = 0;
        if (t < 0 || t >= nd)
            return cf_kernel_error(c, err, CF_EINVAL, "index %" PRId64 " outside the output", t);
        int in = 1;
        for (int a = x->rank - 1; a >= 0; a--) {
            pos[a] = r % dd[a];
            r /= dd[a];
        }
        for (int a = 0; a < x->rank; a++) {
            in &= pos[a] < od[a];
            off = off * od[a] + pos[a];
        }
        if (in)
            memcpy((char *)y->data + off * (int64_t)es, (const char *)x->data + i * (int64_t)es,
                   es);
    }
    return 0;
}

/* ---- table ------------------------------------------------------------------- */

const cf_kernel_i cf_kernels_nn[] = {
    {"Gemm", "", 1, 0, "ref", gemm_prepare, gemm_run, NULL, NULL, NULL},
    {"MatMul", "", 1, 0, "ref", matmul_prepare, matmul_run, NULL, NULL, NULL},
    {"Conv", "", 1, 0, "ref", conv_prepare, conv_run, NULL, NULL, NULL},
    {"ConvTranspose", "", 1, 0, "ref", convt_prepare, convt_run, NULL, NULL, NULL},
    {"MaxPool", "", 1, 0, "ref", maxpool_prepare, maxpool_run, NULL, NULL, NULL},
    {"AveragePool", "", 1, 0, "ref", avgpool_prepare, avgpool_run, NULL, NULL, NULL},
    {"LpPool", "", 1, 0, "ref", lppool_prepare, lppool_run, NULL, NULL, NULL},
    {"GlobalAveragePool", "", 1, 0, "ref", global_prepare, global_run, NULL, NULL, NULL},
    {"GlobalMaxPool", "", 1, 0, "ref", global_prepare, global_run, NULL, NULL, NULL},
    {"GlobalLpPool", "", 1, 0, "ref", global_prepare, global_run, NULL, NULL, NULL},
    {"Resize", "", 10, 0, "ref", resize_prepare, resize_run, NULL, NULL, NULL},
    {"Upsample", "", 7, 9, "ref", resize_prepare, resize_run, NULL, NULL, NULL},
    {"Einsum", "", 12, 0, "ref", einsum_prepare, einsum_run, NULL, NULL, NULL},
    {"MaxUnpool", "", 9, 0, "ref", maxunpool_prepare, maxunpool_run, NULL, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
