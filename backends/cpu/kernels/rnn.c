/* rnn.c — RNN, GRU and LSTM.
 *
 * The three share everything but the cell: the input/weight layout (gates
 * stacked along W's and R's rows, biases Wb then Rb), directions, per-batch
 * sequence lengths, initial states, the layout attribute and the outputs.
 * One driver runs a direction over one batch entry at a time (each entry
 * has its own length), in float32 whatever the storage type; the cell
 * functions compute one step. Steps past a sequence's length give zeros in
 * Y, and Y_h / Y_c hold the state after the last valid step. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kutil.h"

enum rnn_kind { K_RNN, K_GRU, K_LSTM };

typedef enum act_kind {
    A_SIGMOID, A_TANH, A_RELU, A_HARDSIGMOID, A_LEAKYRELU, A_AFFINE, A_ELU, A_SOFTSIGN,
    A_SOFTPLUS, A_SCALEDTANH, A_THRESHOLDEDRELU
} act_kind;

typedef struct act {
    act_kind kind;
    float alpha, beta;
} act;

static const struct {
    const char *name;
    act_kind kind;
    int n_params;           /* how many of alpha, beta it takes */
    float alpha, beta;      /* defaults, those of the ONNX operators */
} ACTS[] = {
    {"Sigmoid", A_SIGMOID, 0, 0, 0},
    {"Tanh", A_TANH, 0, 0, 0},
    {"Relu", A_RELU, 0, 0, 0},
    {"HardSigmoid", A_HARDSIGMOID, 2, 0.2f, 0.5f},
    {"LeakyRelu", A_LEAKYRELU, 1, 0.01f, 0},
    {"Affine", A_AFFINE, 2, 1.0f, 0},
    {"Elu", A_ELU, 1, 1.0f, 0},
    {"Softsign", A_SOFTSIGN, 0, 0, 0},
    {"Softplus", A_SOFTPLUS, 0, 0, 0},
    {"ScaledTanh", A_SCALEDTANH, 2, 1.0f, 1.0f},
    {"ThresholdedRelu", A_THRESHOLDEDRELU, 1, 1.0f, 0},
};

static float act_apply(const act *a, float x)
{
    switch (a->kind) {
    case A_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case A_TANH: return tanhf(x);
    case A_RELU: return x > 0 ? x : 0;
    case A_HARDSIGMOID: {
        float y = a->alpha * x + a->beta;
        return y < 0 ? 0 : y > 1 ? 1 : y;
    }
    case A_LEAKYRELU: return x >= 0 ? x : a->alpha * x;
    case A_AFFINE: return a->alpha * x + a->beta;
    case A_ELU: return x >= 0 ? x : a->alpha * (expf(x) - 1.0f);
    case A_SOFTSIGN: return x / (1.0f + fabsf(x));
    case A_SOFTPLUS: return x > 20.0f ? x : log1pf(expf(x));
    case A_SCALEDTANH: return a->alpha * tanhf(a->beta * x);
    case A_THRESHOLDEDRELU: return x > a->alpha ? x : 0;
    }
    return x;
}

#define MAX_ACTS 6   /* 3 per direction (LSTM), 2 directions */

typedef struct rnn_state {
    enum rnn_kind kind;
    int gates;              /* 1, 3 or 4 */
    int64_t hidden;
    int dirs;               /* 1 or 2 */
    int reverse;            /* direction "reverse" (dirs == 1) */
    int layout;
    float clip;             /* 0: none */
    int input_forget;       /* LSTM */
    int linear_before_reset; /* GRU */
    int n_act;              /* per direction */
    act acts[MAX_ACTS];
} rnn_state;

/* Opsets before 7 differ only by attributes (output_sequence, GRU without
 * linear_before_reset): unknown ones are declined, the rest is the same. */
static const char *const KNOWN[] = {"activation_alpha", "activation_beta", "activations", "clip",
                                    "direction", "hidden_size", "layout", "input_forget",
                                    "linear_before_reset", NULL};

static int rnn_prepare_kind(const cf_graph *g, const cf_node *n, void **state, cf_error *err,
                            enum rnn_kind kind)
{
    for (int a = 0; a < n->n_attrs; a++) {
        const char *nm = n->attrs[a].name;
        int ok = 0;
        for (int k = 0; KNOWN[k] && !ok; k++)
            ok = !strcmp(nm, KNOWN[k]);
        if ((!strcmp(nm, "input_forget") && kind != K_LSTM) ||
            (!strcmp(nm, "linear_before_reset") && kind != K_GRU))
            ok = 0;
        if (!ok)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "attribute %s not supported",
                                           nm);
    }
    const cf_tensor *x = cf_node_input(g, n, 0);
    if (x && x->dtype != CF_DT_UNDEFINED && x->dtype != CF_DT_FLOAT &&
        x->dtype != CF_DT_FLOAT16 && x->dtype != CF_DT_DOUBLE && x->dtype != CF_DT_BFLOAT16)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "input of type %s not supported",
                                       cf_dtype_name(x->dtype));
    const cf_tensor *sl = cf_node_input(g, n, 4);
    if (sl && sl->dtype != CF_DT_UNDEFINED && sl->dtype != CF_DT_INT32)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "sequence_lens of type %s not supported",
                                       cf_dtype_name(sl->dtype));
    rnn_state s = {0};
    s.kind = kind;
    s.gates = kind == K_RNN ? 1 : kind == K_GRU ? 3 : 4;
    s.hidden = cf_node_attr_int(n, "hidden_size", 0);
    if (s.hidden <= 0)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "hidden_size must be given and positive");
    const char *dir = cf_node_attr_string(n, "direction", "forward");
    if (!strcmp(dir, "forward")) {
        s.dirs = 1;
    } else if (!strcmp(dir, "reverse")) {
        s.dirs = 1;
        s.reverse = 1;
    } else if (!strcmp(dir, "bidirectional")) {
        s.dirs = 2;
    } else {
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "direction %s not supported", dir);
    }
    s.layout = (int)cf_node_attr_int(n, "layout", 0);
    if (s.layout != 0 && s.layout != 1)
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "layout %d not supported",
                                       s.layout);
    const cf_attr *clip = cf_node_attr(n, "clip");
    s.clip = clip ? clip->f : 0;
    if (clip && !(s.clip > 0))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED, "clip must be positive");
    s.input_forget = (int)cf_node_attr_int(n, "input_forget", 0);
    s.linear_before_reset = (int)cf_node_attr_int(n, "linear_before_reset", 0);

    /* activations: the defaults, or one list entry per (direction, function) */
    static const char *const defaults[3][3] = {{"Tanh"}, {"Sigmoid", "Tanh"},
                                               {"Sigmoid", "Tanh", "Tanh"}};
    s.n_act = kind == K_RNN ? 1 : kind == K_GRU ? 2 : 3;
    const cf_attr *names = cf_node_attr(n, "activations");
    size_t na = 0, nb = 0;
    const cf_attr *al = cf_node_attr(n, "activation_alpha");
    const cf_attr *be = cf_node_attr(n, "activation_beta");
    if (names && names->n != (size_t)(s.n_act * s.dirs))
        return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                       "activations lists %zu functions, expected %d",
                                       names->n, s.n_act * s.dirs);
    for (int i = 0; i < s.n_act * s.dirs; i++) {
        const char *nm = defaults[kind][i % s.n_act];
        size_t len = strlen(nm);
        if (names) {
            const cf_bytes *b = &names->strings[i];
            nm = b->data;
            len = b->len;
        }
        int found = -1;
        for (size_t k = 0; k < sizeof ACTS / sizeof ACTS[0] && found < 0; k++)
            if (strlen(ACTS[k].name) == len && !strncasecmp(ACTS[k].name, nm, len))
                found = (int)k;
        if (found < 0)
            return cf_kernel_prepare_error(n, err, CF_EUNSUPPORTED,
                                           "activation %.*s not supported", (int)len, nm);
        act *a = &s.acts[i];
        a->kind = ACTS[found].kind;
        a->alpha = ACTS[found].alpha;
        a->beta = ACTS[found].beta;
        /* alpha/beta lists are consumed in order by the functions taking them */
        if (ACTS[found].n_params >= 1 && al && na < al->n)
            a->alpha = al->floats[na++];
        if (ACTS[found].n_params >= 2 && be && nb < be->n)
            a->beta = be->floats[nb++];
    }
    rnn_state *p = malloc(sizeof *p);
    if (!p)
        return cf_kernel_prepare_error(n, err, CF_ENOMEM, "out of memory");
    *p = s;
    *state = p;
    return 0;
}

static int rnn_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return rnn_prepare_kind(g, n, state, err, K_RNN);
}
static int gru_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return rnn_prepare_kind(g, n, state, err, K_GRU);
}
static int lstm_prepare(const cf_graph *g, const cf_node *n, void **state, cf_error *err)
{
    return rnn_prepare_kind(g, n, state, err, K_LSTM);
}

static void rnn_release(void *state)
{
    free(state);
}

/* ---- one step of each cell --------------------------------------------- */

typedef struct cell {
    const rnn_state *s;
    const act *f;           /* this direction's activations */
    int64_t I, H;
    const float *W, *R;     /* [G*H, I], [G*H, H] */
    const float *Wb, *Rb;   /* [G*H] each, or NULL */
    const float *P;         /* LSTM peepholes [3H] (i, o, f), or NULL */
    float *g;               /* scratch: G*H gate sums */
    float *tmp;             /* scratch: H */
} cell;

static float clipv(const cell *c, float x)
{
    float k = c->s->clip;
    if (k <= 0)
        return x;
    return x < -k ? -k : x > k ? k : x;
}

static float dot(const float *a, const float *b, int64_t n)
{
    float s = 0;
    for (int64_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* g[r] = W[r]·x (+ Wb[r]) for rows [r0, r1) */
static void input_part(const cell *c, const float *x, int64_t r0, int64_t r1)
{
    for (int64_t r = r0; r < r1; r++)
        c->g[r] = dot(c->W + r * c->I, x, c->I) + (c->Wb ? c->Wb[r] : 0);
}

static void rec_part(const cell *c, const float *h, int64_t r0, int64_t r1)
{
    for (int64_t r = r0; r < r1; r++)
        c->g[r] += dot(c->R + r * c->H, h, c->H) + (c->Rb ? c->Rb[r] : 0);
}

/* h is updated in place; cst (LSTM cell state) too. */
static void step_rnn(const cell *c, const float *x, float *h, float *cst)
{
    (void)cst;
    int64_t H = c->H;
    input_part(c, x, 0, H);
    rec_part(c, h, 0, H);
    for (int64_t j = 0; j < H; j++)
        h[j] = act_apply(&c->f[0], clipv(c, c->g[j]));
}

static void step_gru(const cell *c, const float *x, float *h, float *cst)
{
    (void)cst;
    int64_t H = c->H;
    float *z = c->g, *r = c->g + H, *hh = c->g + 2 * H;
    input_part(c, x, 0, 3 * H);
    rec_part(c, h, 0, 2 * H);
    for (int64_t j = 0; j < 2 * H; j++)
        c->g[j] = act_apply(&c->f[0], clipv(c, c->g[j]));
    for (int64_t j = 0; j < H; j++) {
        const float *Rh = c->R + (2 * H + j) * H;
        float rb = c->Rb ? c->Rb[2 * H + j] : 0;
        if (c->s->linear_before_reset) {
            hh[j] += r[j] * (dot(Rh, h, H) + rb);
        } else {
            for (int64_t k = 0; k < H; k++)
                c->tmp[k] = r[k] * h[k];
            hh[j] += dot(Rh, c->tmp, H) + rb;
        }
    }
    for (int64_t j = 0; j < H; j++) {
        float n = act_apply(&c->f[1], clipv(c, hh[j]));
        h[j] = (1.0f - z[j]) * n + z[j] * h[j];
    }
}

static void step_lstm(const cell *c, const float *x, float *h, float *cst)
{
    int64_t H = c->H;
    /* gate order in W, R, B: i, o, f, c; peepholes: i, o, f */
    float *gi = c->g, *go = c->g + H, *gf = c->g + 2 * H, *gc = c->g + 3 * H;
    input_part(c, x, 0, 4 * H);
    rec_part(c, h, 0, 4 * H);
    for (int64_t j = 0; j < H; j++) {
        const float *P = c->P;
        float i = act_apply(&c->f[0], clipv(c, gi[j] + (P ? P[j] * cst[j] : 0)));
        float f = c->s->input_forget
                      ? 1.0f - i
                      : act_apply(&c->f[0], clipv(c, gf[j] + (P ? P[2 * H + j] * cst[j] : 0)));
        float cc = act_apply(&c->f[1], clipv(c, gc[j]));
        cst[j] = f * cst[j] + i * cc;
        float o = act_apply(&c->f[0], clipv(c, go[j] + (P ? P[H + j] * cst[j] : 0)));
        h[j] = o * act_apply(&c->f[2], cst[j]);
    }
}

/* ---- the driver ---------------------------------------------------------- */

static int rnn_run(cf_kernel_call *c, cf_error *err)
{
    const rnn_state *s = c->state;
    const cf_value *X = c->in[0], *Wv = c->in[1], *Rv = c->in[2];
    const cf_value *Bv = c->n_in > 3 ? c->in[3] : NULL;
    const cf_value *SL = c->n_in > 4 ? c->in[4] : NULL;
    const cf_value *H0 = c->n_in > 5 ? c->in[5] : NULL;
    const cf_value *C0 = c->n_in > 6 ? c->in[6] : NULL;
    const cf_value *Pv = c->n_in > 7 ? c->in[7] : NULL;
    if (s->kind != K_LSTM)
        C0 = Pv = NULL;
    if (X->dtype != CF_DT_FLOAT && X->dtype != CF_DT_FLOAT16 && X->dtype != CF_DT_DOUBLE &&
        X->dtype != CF_DT_BFLOAT16)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "input of type %s not supported",
                               cf_dtype_name(X->dtype));
    if (X->rank != 3)
        return cf_kernel_error(c, err, CF_EINVAL, "X must have rank 3, got %d", X->rank);
    int64_t T = s->layout ? X->dims[1] : X->dims[0];
    int64_t Bn = s->layout ? X->dims[0] : X->dims[1];
    int64_t I = X->dims[2], H = s->hidden, G = s->gates, D = s->dirs;
    /* expected shapes; initial states follow the layout */
    int64_t wd[3] = {D, G * H, I}, rd[3] = {D, G * H, H};
    int64_t hd[3] = {D, Bn, H};
    if (s->layout) {
        hd[0] = Bn;
        hd[1] = D;
    }
    struct {
        const cf_value *v;
        const char *what;
        int rank;
        const int64_t *dims;
        int64_t numel;
    } chk[] = {
        {Wv, "W", 3, wd, 0}, {Rv, "R", 3, rd, 0}, {Bv, "B", 0, NULL, D * 2 * G * H},
        {H0, "initial_h", 3, hd, 0}, {C0, "initial_c", 3, hd, 0},
        {Pv, "P", 0, NULL, D * 3 * H}, {SL, "sequence_lens", 0, NULL, Bn},
    };
    for (size_t k = 0; k < sizeof chk / sizeof chk[0]; k++) {
        const cf_value *v = chk[k].v;
        if (!v)
            continue;
        int bad = chk[k].rank ? v->rank != chk[k].rank : cf_value_numel(v) != chk[k].numel;
        for (int d = 0; chk[k].rank && !bad && d < 3; d++)
            bad = v->dims[d] != chk[k].dims[d];
        if (bad) {
            char b1[96], b2[96];
            return cf_kernel_error(c, err, CF_EINVAL, "%s has shape %s, which does not fit "
                                   "X %s and hidden_size %" PRId64, chk[k].what,
                                   cf_value_format(v, b1, sizeof b1),
                                   cf_value_format(X, b2, sizeof b2), H);
        }
        if (k < 6 && v->dtype != X->dtype)
            return cf_kernel_error(c, err, CF_EINVAL, "%s is %s, X is %s", chk[k].what,
                                   cf_dtype_name(v->dtype), cf_dtype_name(X->dtype));
    }
    if (SL && SL->dtype != CF_DT_INT32)
        return cf_kernel_error(c, err, CF_EUNSUPPORTED, "sequence_lens of type %s not supported",
                               cf_dtype_name(SL->dtype));

    /* everything in float32, Y and the states in layout 0 */
    int64_t nX = cf_value_numel(X), nW = D * G * H * I, nR = D * G * H * H;
    int64_t nY = T * D * Bn * H, nS = D * Bn * H;
    size_t total = (size_t)(nX + nW + nR + 2 * D * G * H + D * 3 * H + nY + 3 * nS + G * H + H +
                            I + 1);
    float *buf = malloc(total * sizeof *buf);
    if (!buf)
        return cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    float *x = buf, *w = x + nX, *r = w + nW, *b = r + nR, *p = b + 2 * D * G * H;
    float *y = p + D * 3 * H, *hs = y + nY, *cs = hs + nS, *gsum = cs + nS, *tmp = gsum + G * H;
    float *xt = tmp + H, *h0 = xt + I;
    cf_values_to_f32(X, x);
    cf_values_to_f32(Wv, w);
    cf_values_to_f32(Rv, r);
    if (Bv)
        cf_values_to_f32(Bv, b);
    if (Pv)
        cf_values_to_f32(Pv, p);
    for (int which = 0; which < 2; which++) {
        const cf_value *v = which ? C0 : H0;
        float *dst = which ? cs : hs;
        if (!v) {
            memset(dst, 0, (size_t)nS * sizeof *dst);
            continue;
        }
        cf_values_to_f32(v, h0);
        for (int64_t d = 0; d < D; d++)
            for (int64_t bb = 0; bb < Bn; bb++)
                memcpy(dst + (d * Bn + bb) * H,
                       h0 + (s->layout ? (bb * D + d) : (d * Bn + bb)) * H,
                       (size_t)H * sizeof *dst);
    }
    memset(y, 0, (size_t)nY * sizeof *y);

    void (*step)(const cell *, const float *, float *, float *) =
        s->kind == K_RNN ? step_rnn : s->kind == K_GRU ? step_gru : step_lstm;
    int rc = 0;
    for (int64_t d = 0; d < D && !rc; d++) {
        cell cl = {s, s->acts + d * s->n_act, I, H, w + d * G * H * I, r + d * G * H * H,
                   Bv ? b + d * 2 * G * H : NULL, Bv ? b + d * 2 * G * H + G * H : NULL,
                   Pv ? p + d * 3 * H : NULL, gsum, tmp};
        int rev = s->reverse || d == 1;
        for (int64_t bb = 0; bb < Bn; bb++) {
            int64_t len = SL ? ((const int32_t *)SL->data)[bb] : T;
            if (len < 0 || len > T) {
                rc = cf_kernel_error(c, err, CF_EINVAL, "sequence_lens[%" PRId64 "] = %" PRId64
                                     " outside [0, %" PRId64 "]", bb, len, T);
                break;
            }
            float *h = hs + (d * Bn + bb) * H, *cst = cs + (d * Bn + bb) * H;
            for (int64_t k = 0; k < len; k++) {
                int64_t t = rev ? len - 1 - k : k;
                const float *src = x + (s->layout ? (bb * T + t) : (t * Bn + bb)) * I;
                memcpy(xt, src, (size_t)I * sizeof *xt);
                step(&cl, xt, h, cst);
                memcpy(y + ((t * D + d) * Bn + bb) * H, h, (size_t)H * sizeof *h);
            }
        }
    }
    if (rc) {
        free(buf);
        return rc;
    }

    /* outputs: Y, Y_h, Y_c (LSTM), permuted for layout 1 */
    int64_t ydims[4] = {T, D, Bn, H}, sdims[3] = {D, Bn, H};
    if (s->layout) {
        ydims[0] = Bn;
        ydims[1] = T;
        ydims[2] = D;
        sdims[0] = Bn;
        sdims[1] = D;
    }
    int n_outs = s->kind == K_LSTM ? 3 : 2;
    float *perm = NULL;
    if (s->layout && !(perm = malloc((size_t)((nY > nS ? nY : nS) + 1) * sizeof *perm)))
        rc = cf_kernel_error(c, err, CF_ENOMEM, "out of memory");
    for (int o = 0; o < n_outs && o < c->n_out && !rc; o++) {
        const float *src = o == 0 ? y : o == 1 ? hs : cs;
        cf_value *out = cf_kcall_output(c, o, X->dtype, o == 0 ? 4 : 3, o == 0 ? ydims : sdims,
                                        err);
        if (!out) {
            rc = err->code;
            break;
        }
        if (s->layout) {
            if (o == 0) {
                for (int64_t t = 0; t < T; t++)
                    for (int64_t d = 0; d < D; d++)
                        for (int64_t bb = 0; bb < Bn; bb++)
                            memcpy(perm + ((bb * T + t) * D + d) * H,
                                   src + ((t * D + d) * Bn + bb) * H, (size_t)H * sizeof *perm);
            } else {
                for (int64_t d = 0; d < D; d++)
                    for (int64_t bb = 0; bb < Bn; bb++)
                        memcpy(perm + (bb * D + d) * H, src + (d * Bn + bb) * H,
                               (size_t)H * sizeof *perm);
            }
            src = perm;
        }
        cf_values_from_f32(out, src);
    }
    free(perm);
    free(buf);
    return rc;
}

const cf_kernel_i cf_kernels_rnn[] = {
    {"RNN", "", 1, 0, "ref", rnn_prepare, rnn_run, rnn_release, NULL, NULL},
    {"GRU", "", 1, 0, "ref", gru_prepare, rnn_run, rnn_release, NULL, NULL},
    {"LSTM", "", 1, 0, "ref", lstm_prepare, rnn_run, rnn_release, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
