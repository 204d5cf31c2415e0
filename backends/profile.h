/* profile.h — measuring a model on a backend: the core behind `chipfit
 * profile` and the TUI's profiling (a view only shows what this returns).
 *
 * One untimed first run (it checks for NaN when asked, plans the arena and
 * gives the outputs), W-1 more warm-up runs, then R rounds, each an
 * instrumented run (per-layer times) followed by a plain one (whole-model
 * time): drift (clock, cache, another process) hits both kinds alike. Per
 * layer the median, p10 and p90 (nearest rank) and the share of the sum of
 * medians; for the whole model the same over the plain runs, and the
 * instrumented runs' median, whose difference is the profiler's overhead.
 * Every figure is measured, in microseconds. */
#ifndef CF_PROFILE_H
#define CF_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

typedef struct cf_profile_opts {
    const char *backend;        /* "cpu", "cpu-ref", ... */
    int threads;                /* >= 1 */
    long warmup;                /* untimed runs, the first included (0 acts as 1) */
    long repeats;               /* timed rounds, >= 1 */
    uint64_t seed;              /* of the random inputs */
    int check_nan;              /* the first run stops at a layer that makes NaN */
    /* Inputs from files: "NAME=FILE" (.npy or ONNX TensorProto .pb); other
     * inputs get seeded random data for their declared shapes. */
    char *const *inputs;
    int n_inputs;
} cf_profile_opts;

/* Where a profile is: what it is doing, repeat r of R (warm-up or timed),
 * layer k of n within the current run. */
typedef enum cf_profile_phase {
    CF_PROFILE_PREPARE,
    CF_PROFILE_FIRST_RUN,
    CF_PROFILE_WARMUP,
    CF_PROFILE_TIMED,
} cf_profile_phase;

typedef struct cf_profile_progress {
    cf_profile_phase phase;
    long run, runs;             /* 0-based run of this phase, and how many */
    int32_t layer, layers;
    double elapsed_us;          /* since the start of cf_profile_run */
} cf_profile_progress;

/* Called between layers: non-zero cancels (the call then fails with
 * CF_ECANCELED). May be called from the thread running the profile only. */
typedef int (*cf_profile_fn)(void *user, const cf_profile_progress *p);
/* Given the outputs of the first run (to save them); an error stops. */
typedef int (*cf_profile_outputs_fn)(void *user, const cf_graph *g, const cf_value *outs,
                                     cf_error *err);

/* What the machine did to the timed runs: the figures are only as good as
 * the CPUs the profile had to itself. Measured over the timed rounds only. */
typedef struct cf_profile_contention {
    int cpus;                   /* CPUs this process may run on (affinity) */
    int threads;                /* asked for */
    double loadavg_1m;          /* /proc/loadavg before the timed rounds; -1 unknown */
    long invol_switches;        /* getrusage ru_nivcsw: this process's threads preempted */
    long runs;                  /* timed runs (2 per round) */
    double wall_us, cpu_us;     /* wall time and CPU time (user+system, all threads) */
    unsigned flags;             /* CF_CONTENDED_* below; 0: no sign of contention */
} cf_profile_contention;

#define CF_CONTENDED_OVERSUBSCRIBED 1u  /* more threads than CPUs */
#define CF_CONTENDED_PREEMPTED 2u       /* threads preempted: more than 1 per 20 runs (min 10) */
#define CF_CONTENDED_UNSTABLE 4u        /* whole-model p90 over twice its median */

typedef struct cf_profile {
    int32_t n_layers;
    cf_layer_cost *layers;      /* n_layers rows, by node index */
    double whole_median_us, whole_p10_us, whole_p90_us;   /* plain runs */
    double instr_median_us;     /* instrumented runs, whole */
    double layer_sum_us;        /* sum of layer medians */
    size_t arena_bytes;
    cf_profile_contention contention;
} cf_profile;

/* Fills out (free with cf_profile_free). A --input naming no input of the
 * model is CF_EINVAL with a message starting "--input". g is not changed,
 * except that a .pb input file is read into its arena. */
int cf_profile_run(cf_graph *g, const cf_profile_opts *o, cf_profile_fn progress,
                   cf_profile_outputs_fn on_outputs, void *user, cf_profile *out,
                   cf_error *err);
void cf_profile_free(cf_profile *p);
/* (instrumented - plain) / plain, in %: what the per-layer timing costs. */
double cf_profile_overhead_pct(const cf_profile *p);
/* The CF_CONTENDED_* flags for these measurements (whole_* from the plain
 * runs); cf_profile_run stores them in contention.flags. */
unsigned cf_profile_contention_flags(const cf_profile_contention *c, double whole_median_us,
                                     double whole_p90_us);
/* A one-line warning naming what was seen, with its numbers, in buf; 0 and
 * an empty buf when contention.flags is 0. */
int cf_profile_contention_warning(const cf_profile *p, char *buf, size_t size);

#endif
