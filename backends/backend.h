/* backend.h — the interface every place a model can run implements.
 *
 * A backend takes a cf_graph, prepares it once (checks every op is supported,
 * builds kernels, plans memory) and then runs it as often as asked, filling
 * one cost row per layer. The CPU backend measures; an accelerator model
 * estimates; an Alveo card through XRT measures. Every row says which
 * (cf_cost_kind) and its unit, and every view shows that label.
 *
 * Like ggml's backends, a backend is a const table of function pointers
 * (cf_backend_i) plus an opaque context per instance. */
#ifndef CF_BACKEND_H
#define CF_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "value.h"  /* porting/value.h */

typedef enum cf_cost_kind {
    CF_COST_MEASURED = 0,   /* timed on this machine */
    CF_COST_ESTIMATED = 1,  /* from a cost model of a target */
} cf_cost_kind;

const char *cf_cost_kind_name(cf_cost_kind k);  /* "measured" / "estimated" */

/* One layer's time on one backend. Times in microseconds. */
typedef struct cf_layer_cost {
    int32_t node;           /* index into the root graph's nodes */
    cf_cost_kind kind;
    double median_us, p10_us, p90_us;
    double share;           /* median / sum of medians, 0..1 */
    char impl[64];          /* kernel that ran: "ref", "onednn", "onednn+Relu" (post-ops
                             * fused in), "fused into 12" (run by layer 12's kernel) */
} cf_layer_cost;

/* Settings of one backend instance. */
typedef struct cf_backend_opts {
    int threads;            /* 0: the library default */
    int reference_only;     /* 1: the reference kernels only (the oracle) */
    int check_nan;          /* 1: the FIRST run fails at the first layer that turns NaN-free
                             * inputs into NaN, naming it; later runs (the timed ones) do
                             * not pay for the scan. A first run that stops for another
                             * reason (cancelled, out of memory) leaves it for the next. */
} cf_backend_opts;

/* Called between layers while running: return non-zero to cancel the run
 * (it then fails with CF_ECANCELED). `done` of `total` layers so far. */
typedef int (*cf_progress_fn)(void *user, int32_t done, int32_t total);

typedef struct cf_backend cf_backend;

typedef struct cf_backend_i {
    const char *name;
    /* Required. 1 if usable here; otherwise 0 and why (e.g. "no Alveo card"). */
    int (*available)(char *why, size_t why_size);
    /* Required. Prepares g (borrowed: it must outlive the instance).
     * Unsupported ops are rejected here, naming the op, domain, opset and layer. */
    int (*prepare)(const cf_graph *g, const cf_backend_opts *opts, void **ctx, cf_error *err);
    /* Required. Runs once. inputs: one value per graph input the user feeds
     * (in the order of cf_graph inputs that are not initializers); outputs:
     * filled with new owned values, one per graph output (free with
     * cf_value_clear). per_layer: NULL for an uninstrumented run, or an array
     * of g->n_nodes elapsed times in µs for this run. */
    int (*run)(void *ctx, const cf_value *inputs, int n_inputs, cf_value *outputs,
               int n_outputs, double *per_layer_us, cf_progress_fn progress, void *user,
               cf_error *err);
    /* Optional. Bytes of the planned activation arena (peak), or 0. */
    size_t (*arena_bytes)(void *ctx);
    /* Optional. The name of the implementation that runs layer k, valid
     * until release (callers copy it). */
    const char *(*layer_impl)(void *ctx, int32_t k);
    /* Required. Frees ctx. NULL is a no-op. */
    void (*release)(void *ctx);
} cf_backend_i;

/* The registry: backends by name ("cpu", "cpu-ref", ...). NULL if unknown. */
const cf_backend_i *cf_backend_find(const char *name);
/* The names of all backends, NULL-terminated. */
const char *const *cf_backend_names(void);

#endif
