/* schedule.h — what the CPU executor decides once, before the first run,
 * beyond picking a kernel per layer:
 *
 * Fusion. An element-wise layer right after a layer whose kernel can apply
 * it on the way out (a oneDNN post-op: Conv then Relu, Clip, the SiLU pair
 * Sigmoid+Mul, a residual Add) is folded into that layer, its "host". The
 * host writes the last folded layer's output; the tensors in between are
 * never stored. Folded layers stay in the profile, with 0 µs and "fused
 * into N" as their implementation.
 *
 * Layout. An activation between two kernels that both take channels-last
 * data (oneDNN convolutions and pools; the element-wise layers between
 * them, which do not care about element order) is kept channels-last, so
 * no layer reorders it. Every other activation is plain row-major: graph
 * outputs, what a subgraph reads, what any other kernel reads. The choice
 * is made per tensor by starting from what the producers would like and
 * demoting to plain until every consumer agrees (it only ever demotes, so
 * it ends).
 *
 * With reference_only nothing is fused and everything stays plain. */
#ifndef CF_CPU_SCHEDULE_H
#define CF_CPU_SCHEDULE_H

#include <stdint.h>

#include "kernel.h"

/* Inputs of a layer that runs on channels-last values (at most). */
#define CF_MAX_PHYSICAL_IN 8

typedef struct cf_schedule {
    int32_t *host;      /* per node: -1 when it runs itself, else the node that runs it */
    int32_t *out_ids;   /* per node, per output (offsets in out_at): where outputs go */
    int32_t *out_at;    /* per node: index of its first entry in out_ids */
    int32_t *sum_in;    /* per node: the addend tensor of a fused SUM, or -1 */
    char **impl;        /* per node: an owned label ("onednn+Relu", "fused into 12"), or NULL */
    uint8_t *layout;    /* per tensor: CF_LAYOUT_* its value is stored in */
    uint8_t *physical;  /* per node: 1 = an element-wise layer given channels-last values */
} cf_schedule;

/* Fills s for g with the kernels (and their states) the executor picked.
 * Calls the kernels' fuse and layout hooks (layout with commit 1 last). */
int cf_schedule_make(cf_schedule *s, const cf_graph *g, const cf_kernel_i *const *kernels,
                     void *const *states, int reference_only, cf_error *err);
void cf_schedule_free(cf_schedule *s, const cf_graph *g);

/* The dims a kernel of a `physical` layer sees for a value: a
 * channels-last value's dims in memory order ([N, D1.., C]); a plain value
 * whose dims beyond the channel are all 1 (rank-aligned to `rank`), as the
 * same bytes read channels-last. */
void cf_physical_dims(const cf_value *v, int rank, int *out_rank, int64_t *out);
/* The logical dims of a value of rank r whose memory-order dims are phys. */
void cf_logical_dims(int r, const int64_t *phys, int64_t *out);

#endif
