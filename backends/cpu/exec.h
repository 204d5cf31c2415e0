/* exec.h — runs a cf_graph on the CPU, node by node.
 *
 * The executor behind the "cpu" and "cpu-ref" backends: picks a kernel per
 * node at prepare time, keeps one value slot per tensor, frees activations
 * after their last reader, and after the first run plans one arena for all
 * activations from their lifetimes (sizes are known then), so later runs
 * allocate nothing. Subgraphs (If/Loop/Scan bodies) get executors of their
 * own, made on first use. */
#ifndef CF_CPU_EXEC_H
#define CF_CPU_EXEC_H

#include "backend.h"
#include "kernel.h"

/* parent NULL for the root graph. */
int cf_exec_new(const cf_graph *g, cf_exec *parent, int reference_only, int threads,
                cf_exec **out, cf_error *err);
void cf_exec_free(cf_exec *e);

/* inputs: one per graph input that is not an initializer (the feed order);
 * outputs: one owned value per graph output. per_layer_us: NULL, or
 * g->n_nodes entries receiving each layer's elapsed µs. */
int cf_exec_run(cf_exec *e, const cf_value *inputs, int n_inputs, cf_value *outputs,
                int n_outputs, double *per_layer_us, cf_progress_fn progress, void *user,
                cf_error *err);

/* 1: a run fails at the first layer whose float outputs hold NaN while its
 * inputs held none, naming that layer. Costs a scan of every output. */
void cf_exec_set_check_nan(cf_exec *e, int on);

size_t cf_exec_arena_bytes(const cf_exec *e);      /* planned arena, 0 before the plan */
size_t cf_exec_peak_bytes(const cf_exec *e);       /* peak live activation bytes seen */
const char *cf_exec_layer_impl(const cf_exec *e, int32_t k);
/* The layout (CF_LAYOUT_*) the schedule chose for tensor id (schedule.h). */
int cf_exec_tensor_layout(const cf_exec *e, int32_t id);

#endif
