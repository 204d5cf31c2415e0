/* profile.c — see profile.h. */
#define _GNU_SOURCE   /* sched_getaffinity, CPU_COUNT */
#include "profile.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npy.h"
#include "onnx/onnx.h"

/* ---- inputs ---------------------------------------------------------------- */

/* splitmix64: a seeded stream of random numbers, local to one fill. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform [0, 1) for float types (images, probabilities), 0..9 for
 * integers (small enough to be valid indices or token ids in most models),
 * and a fair coin for bool. */
static int random_input(const cf_tensor *t, uint64_t seed, cf_value *v, cf_error *err)
{
    int64_t dims[CF_MAX_RANK];
    if (t->shape.rank < 0 || t->shape.rank > CF_MAX_RANK)
        return cf_error_set(err, CF_EINVAL, "input %s: unknown rank; give it with --input",
                            t->name);
    for (int i = 0; i < t->shape.rank; i++) {
        dims[i] = t->shape.dims[i].value;
        if (dims[i] < 0)
            return cf_error_set(err, CF_EINVAL,
                                "input %s: dimension %d is unknown; fix it with --dim or give "
                                "the input with --input", t->name, i);
    }
    char what[256];
    snprintf(what, sizeof what, "input %s", t->name);
    int rc = cf_value_alloc(v, t->dtype, t->shape.rank, dims, what, err);
    if (rc)
        return rc;
    uint64_t s = seed;
    int64_t n = cf_value_numel(v);
    float *f = malloc((size_t)(n ? n : 1) * sizeof *f);
    if (!f)
        return cf_error_set(err, CF_ENOMEM, "out of memory for input %s", t->name);
    int floating = t->dtype == CF_DT_FLOAT || t->dtype == CF_DT_DOUBLE ||
                   t->dtype == CF_DT_FLOAT16 || t->dtype == CF_DT_BFLOAT16;
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = next_random(&s);
        f[i] = floating ? (float)((double)(r >> 11) / 9007199254740992.0)
               : t->dtype == CF_DT_BOOL ? (float)(r & 1)
                                        : (float)(r % 10);
    }
    /* Through float: every integer 0..9 and bool is exact. */
    for (int64_t i = 0; i < n; i++)
        cf_value_set_f64(v, i, f[i]);
    free(f);
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int file_input(cf_graph *g, const char *path, cf_value *v, cf_error *err)
{
    if (ends_with(path, ".npy"))
        return cf_npy_read(path, v, err);
    if (ends_with(path, ".pb")) {
        cf_tensor *t = NULL;
        cf_value view = CF_VALUE_INIT;
        int rc = cf_onnx_load_tensor(path, g, &t, err);
        if (!rc)
            rc = cf_value_from_tensor(&view, t, err);
        return rc ? rc : cf_value_copy(v, &view, err);
    }
    return cf_error_set(err, CF_EINVAL, "%s: an input file is .npy or .pb", path);
}

/* Fills one value per feed input: from --input files, else random. Input
 * names the model does not have are usage errors (returned as CF_EINVAL). */
static int make_inputs(cf_graph *g, const cf_profile_opts *a, const int32_t *feed,
                       int32_t n_feed, cf_value *vals, cf_error *err)
{
    for (int k = 0; k < a->n_inputs; k++) {
        char *eq = strchr(a->inputs[k], '=');
        size_t nl = (size_t)(eq - a->inputs[k]);
        int found = 0;
        for (int32_t i = 0; i < n_feed; i++) {
            const char *name = g->tensors[feed[i]].name;
            if (strlen(name) == nl && strncmp(name, a->inputs[k], nl) == 0) {
                found = 1;
                int rc = file_input(g, eq + 1, &vals[i], err);
                if (rc)
                    return rc;
            }
        }
        if (!found)
            return cf_error_set(err, CF_EINVAL, "--input %.*s: the model has no input of that name",
                                (int)nl, a->inputs[k]);
    }
    for (int32_t i = 0; i < n_feed; i++)
        if (vals[i].dtype == CF_DT_UNDEFINED) {
            int rc = random_input(&g->tensors[feed[i]], a->seed * 1000003u + (uint64_t)i,
                                  &vals[i], err);
            if (rc)
                return rc;
        }
    return 0;
}

/* ---- statistics ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and returns the q-quantile (nearest rank). */
static double quantile(double *v, long n, double q)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    long i = (long)floor(q * (double)(n - 1) + 0.5);
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- contention ------------------------------------------------------------ */

/* Under load the figures stop meaning what they say: a kernel's OpenMP
 * threads meet at barriers, and one preempted thread holds the others there
 * until the scheduler gives it a CPU again (milliseconds, against layers of
 * microseconds). So the timed rounds are watched: the CPUs the process may
 * use, the load average, involuntary context switches and CPU time. Nothing
 * is corrected or dropped; the result says so (docs/cpu-backend.md). */

static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static double loadavg_1m(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static double tv_us(struct timeval tv)
{
    return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

unsigned cf_profile_contention_flags(const cf_profile_contention *c, double whole_median_us,
                                     double whole_p90_us)
{
    unsigned f = 0;
    if (c->cpus > 0 && c->threads > c->cpus)
        f |= CF_CONTENDED_OVERSUBSCRIBED;
    long allowed = c->runs / 20 > 10 ? c->runs / 20 : 10;
    if (c->invol_switches > allowed)
        f |= CF_CONTENDED_PREEMPTED;
    if (whole_median_us > 0 && whole_p90_us > 2 * whole_median_us)
        f |= CF_CONTENDED_UNSTABLE;
    return f;
}

int cf_profile_contention_warning(const cf_profile *p, char *buf, size_t size)
{
    const cf_profile_contention *c = &p->contention;
    if (size)
        buf[0] = 0;
    if (!c->flags || !size)
        return 0;
    size_t n = (size_t)snprintf(buf, size, "the figures may not be reliable: the CPUs were contended (");
    const char *sep = "";
#define ADD(...)                                                              \
    do {                                                                      \
        if (n < size)                                                         \
            n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);            \
    } while (0)
    if (c->flags & CF_CONTENDED_OVERSUBSCRIBED) {
        ADD("%s%d threads on %d CPUs", sep, c->threads, c->cpus);
        sep = "; ";
    }
    if (c->flags & CF_CONTENDED_PREEMPTED) {
        ADD("%s%ld involuntary context switches in %ld timed runs", sep, c->invol_switches,
            c->runs);
        sep = "; ";
    }
    if (c->flags & CF_CONTENDED_UNSTABLE) {
        ADD("%swhole-model p90 %.1fx the median", sep, p->whole_p90_us / p->whole_median_us);
        sep = "; ";
    }
    if (c->loadavg_1m >= 0)
        ADD("%sload average %.2f on %d CPUs", sep, c->loadavg_1m, c->cpus);
    if (c->wall_us > 0 && c->threads > 0)
        ADD("; CPU time %.0f%% of %d threads' wall time",
            100.0 * c->cpu_us / (c->wall_us * c->threads), c->threads);
    ADD(")");
#undef ADD
    return 1;
}

/* ---- the runs ------------------------------------------------------------------ */

typedef struct prog_ctx {
    cf_profile_fn fn;
    void *user;
    cf_profile_progress p;
    double t0;
} prog_ctx;

static int run_progress(void *user, int32_t done, int32_t total)
{
    prog_ctx *pc = user;
    pc->p.layer = done;
    pc->p.layers = total;
    pc->p.elapsed_us = now_us() - pc->t0;
    return pc->fn(pc->user, &pc->p);
}

static int phase(prog_ctx *pc, cf_profile_phase ph, long run, long runs)
{
    pc->p.phase = ph;
    pc->p.run = run;
    pc->p.runs = runs;
    return pc->fn ? run_progress(pc, 0, pc->p.layers) : 0;
}

static void clear_outputs(cf_value *out, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        cf_value_clear(&out[i]);
}

int cf_profile_run(cf_graph *g, const cf_profile_opts *a, cf_profile_fn progress,
                   cf_profile_outputs_fn on_outputs, void *user, cf_profile *r, cf_error *err)
{
    memset(r, 0, sizeof *r);
    const cf_backend_i *be = cf_backend_find(a->backend);
    if (!be)
        return cf_error_set(err, CF_EINVAL, "no backend '%s'", a->backend);
    if (a->repeats < 1 || a->threads < 1)
        return cf_error_set(err, CF_EINVAL, "repeats and threads must be at least 1");
    prog_ctx pc = {progress, user, {CF_PROFILE_PREPARE, 0, 1, 0, g->n_nodes, 0}, now_us()};
    cf_progress_fn pf = progress ? run_progress : NULL;
    int32_t *feed = malloc(((size_t)g->n_inputs + 1) * sizeof *feed);
    int32_t n_feed = feed ? cf_graph_feed_inputs(g, feed) : 0;
    long R = a->repeats;
    int32_t L = g->n_nodes, NO = g->n_outputs;
    cf_value *in = calloc((size_t)n_feed + 1, sizeof *in);
    cf_value *out = calloc((size_t)NO + 1, sizeof *out);
    double *per_run = malloc(((size_t)L + 1) * sizeof *per_run);
    double *samples = malloc(((size_t)L * (size_t)R + 1) * sizeof *samples);  /* [layer][run] */
    double *whole = malloc((size_t)R * sizeof *whole), *instr = malloc((size_t)R * sizeof *instr);
    r->layers = calloc((size_t)L + 1, sizeof *r->layers);
    r->n_layers = L;
    void *ctx = NULL;
    int rc;
    if (!feed || !in || !out || !per_run || !samples || !whole || !instr || !r->layers) {
        rc = cf_error_set(err, CF_ENOMEM, "out of memory for %ld repeats of %d layers", R, (int)L);
        goto done;
    }
    rc = make_inputs(g, a, feed, n_feed, in, err);
    if (!rc && progress && phase(&pc, CF_PROFILE_PREPARE, 0, 1))
        rc = cf_error_set(err, CF_ECANCELED, "canceled before preparing");
    if (rc)
        goto done;
    cf_backend_opts opts = {a->threads, 0, a->check_nan};
    rc = be->prepare(g, &opts, &ctx, err);
    if (rc)
        goto done;
    /* The first run checks for NaN (when asked), plans the arena and gives
     * the outputs; it is not timed. */
    phase(&pc, CF_PROFILE_FIRST_RUN, 0, 1);
    rc = be->run(ctx, in, n_feed, out, NO, NULL, pf, &pc, err);
    if (!rc && on_outputs)
        rc = on_outputs(user, g, out, err);
    clear_outputs(out, NO);
    for (long w = 1; !rc && w < a->warmup; w++) {
        phase(&pc, CF_PROFILE_WARMUP, w - 1, a->warmup - 1);
        rc = be->run(ctx, in, n_feed, out, NO, NULL, pf, &pc, err);
        clear_outputs(out, NO);
    }
    cf_profile_contention *cn = &r->contention;
    cn->cpus = usable_cpus();
    cn->threads = a->threads;
    cn->loadavg_1m = loadavg_1m();
    struct rusage ru0, ru1;
    int have_ru = getrusage(RUSAGE_SELF, &ru0) == 0;
    double wall0 = now_us();
    for (long t = 0; !rc && t < R; t++) {
        phase(&pc, CF_PROFILE_TIMED, t, R);
        double t0 = now_us();
        rc = be->run(ctx, in, n_feed, out, NO, per_run, pf, &pc, err);
        instr[t] = now_us() - t0;
        clear_outputs(out, NO);
        if (rc)
            break;
        for (int32_t k = 0; k < L; k++)
            samples[(size_t)k * (size_t)R + (size_t)t] = per_run[k];
        /* The plain run: no per-layer clock, no progress calls. */
        t0 = now_us();
        rc = be->run(ctx, in, n_feed, out, NO, NULL, NULL, NULL, err);
        whole[t] = now_us() - t0;
        clear_outputs(out, NO);
    }
    if (rc)
        goto done;
    cn->wall_us = now_us() - wall0;
    cn->runs = 2 * R;
    if (have_ru && getrusage(RUSAGE_SELF, &ru1) == 0) {
        cn->invol_switches = ru1.ru_nivcsw - ru0.ru_nivcsw;
        cn->cpu_us = tv_us(ru1.ru_utime) - tv_us(ru0.ru_utime) + tv_us(ru1.ru_stime) -
                     tv_us(ru0.ru_stime);
    }
    r->whole_median_us = quantile(whole, R, 0.5);
    r->whole_p10_us = quantile(whole, R, 0.1);
    r->whole_p90_us = quantile(whole, R, 0.9);
    r->instr_median_us = quantile(instr, R, 0.5);
    cn->flags = cf_profile_contention_flags(cn, r->whole_median_us, r->whole_p90_us);
    r->layer_sum_us = 0;
    for (int32_t k = 0; k < L; k++) {
        double *s = samples + (size_t)k * (size_t)R;
        cf_layer_cost *l = &r->layers[k];
        l->node = k;
        l->kind = CF_COST_MEASURED;
        l->median_us = quantile(s, R, 0.5);
        l->p10_us = quantile(s, R, 0.1);
        l->p90_us = quantile(s, R, 0.9);
        snprintf(l->impl, sizeof l->impl, "%s", be->layer_impl ? be->layer_impl(ctx, k) : be->name);
        r->layer_sum_us += l->median_us;
    }
    for (int32_t k = 0; k < L; k++)
        r->layers[k].share = r->layer_sum_us > 0 ? r->layers[k].median_us / r->layer_sum_us : 0;
    r->arena_bytes = be->arena_bytes ? be->arena_bytes(ctx) : 0;
done:
    if (ctx)
        be->release(ctx);
    for (int32_t i = 0; in && i < n_feed; i++)
        cf_value_clear(&in[i]);
    free(feed);
    free(in);
    free(out);
    free(per_run);
    free(samples);
    free(whole);
    free(instr);
    if (rc)
        cf_profile_free(r);
    return rc;
}

void cf_profile_free(cf_profile *p)
{
    free(p->layers);
    p->layers = NULL;
    p->n_layers = 0;
}

double cf_profile_overhead_pct(const cf_profile *r)
{
    return r->whole_median_us > 0
               ? 100.0 * (r->instr_median_us - r->whole_median_us) / r->whole_median_us
               : 0;
}
