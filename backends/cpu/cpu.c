/* cpu.c — the "cpu" and "cpu-ref" backends over the executor. "cpu" lets
 * the fast kernels (oneDNN) claim what they can; "cpu-ref" runs only the
 * reference C kernels, the oracle the fast ones are checked against. */
#include <stdio.h>

#include "backend.h"
#include "exec.h"

static int cpu_available(char *why, size_t why_size)
{
    if (why && why_size)
        why[0] = '\0';
    return 1;
}

static int prepare_with(const cf_graph *g, const cf_backend_opts *opts, int reference_only,
                        void **ctx, cf_error *err)
{
    cf_exec *e = NULL;
    int rc = cf_exec_new(g, NULL, reference_only || (opts && opts->reference_only),
                         opts ? opts->threads : 0, &e, err);
    if (rc)
        return rc;
    cf_exec_set_check_nan(e, opts && opts->check_nan);
    *ctx = e;
    return 0;
}

static int cpu_prepare(const cf_graph *g, const cf_backend_opts *opts, void **ctx, cf_error *err)
{
    return prepare_with(g, opts, 0, ctx, err);
}

static int ref_prepare(const cf_graph *g, const cf_backend_opts *opts, void **ctx, cf_error *err)
{
    return prepare_with(g, opts, 1, ctx, err);
}

static int cpu_run(void *ctx, const cf_value *inputs, int n_inputs, cf_value *outputs,
                   int n_outputs, double *per_layer_us, cf_progress_fn progress, void *user,
                   cf_error *err)
{
    return cf_exec_run(ctx, inputs, n_inputs, outputs, n_outputs, per_layer_us, progress, user,
                       err);
}

static size_t cpu_arena_bytes(void *ctx)
{
    return cf_exec_arena_bytes(ctx);
}

static const char *cpu_layer_impl(void *ctx, int32_t k)
{
    return cf_exec_layer_impl(ctx, k);
}

static void cpu_release(void *ctx)
{
    cf_exec_free(ctx);
}

const cf_backend_i cf_backend_cpu = {
    .name = "cpu",
    .available = cpu_available,
    .prepare = cpu_prepare,
    .run = cpu_run,
    .arena_bytes = cpu_arena_bytes,
    .layer_impl = cpu_layer_impl,
    .release = cpu_release,
};

const cf_backend_i cf_backend_cpu_ref = {
    .name = "cpu-ref",
    .available = cpu_available,
    .prepare = ref_prepare,
    .run = cpu_run,
    .arena_bytes = cpu_arena_bytes,
    .layer_impl = cpu_layer_impl,
    .release = cpu_release,
};
