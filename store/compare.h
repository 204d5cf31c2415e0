/* compare.h — what changed between two experiments: per-layer and metric
 * deltas between the latest runs of experiment A and experiment B.
 *
 * Pure computation over what store.h returns (cf_compare_build takes the
 * rows; cf_compare_load only calls the store's getters), so the CLI
 * (`exp diff`, `report --vs`) and the TUI's compare view read the same
 * figures. Nothing here prints. Deltas are always B - A; percentages are
 * relative to A. */
#ifndef CF_COMPARE_H
#define CF_COMPARE_H

#include <stdint.h>

#include "base/error.h"
#include "store.h"

/* One experiment as compared: its detail, runs (newest first), metrics
 * (oldest first) and the layers of its latest run (none when it has no
 * run). Filled by cf_compare_load; free with cf_compare_side_clear. */
typedef struct cf_compare_side {
    cf_store_detail *exp;
    cf_store_run_row *runs;
    cf_store_metric *metrics;
    cf_store_layer *layers;
    int64_t n_runs, n_metrics, n_layers;
} cf_compare_side;

/* Reads experiment id through the store API into *out (zeroed first).
 * CF_ENOTFOUND, naming the id, when there is no such experiment. On failure
 * *out holds nothing to free. */
int cf_compare_load(cf_store *s, int64_t id, cf_compare_side *out, cf_error *err);
void cf_compare_side_clear(cf_compare_side *side);   /* frees what it holds; NULL is a no-op */

enum {
    CF_COMPARE_BOTH = 0,       /* the layer is in both runs */
    CF_COMPARE_REMOVED = 1,    /* only in A */
    CF_COMPARE_ADDED = 2,      /* only in B */
};

/* A layer's figures on one side. */
typedef struct cf_compare_fig {
    int32_t index;              /* layer index in that run; -1: not on this side */
    char kind[16];              /* measured or estimated ("" when absent) */
    int has_time;
    double median;              /* in unit (µs) when has_time */
    int64_t params, macs;       /* static; -1 when unknown */
} cf_compare_fig;

/* One row of the layer comparison. Deltas are valid only when their has_
 * flag is set: a time delta needs a time on both sides, a percentage also
 * a non-zero A, a count delta the count known on both sides. */
typedef struct cf_compare_layer {
    int status;                 /* CF_COMPARE_BOTH, _REMOVED or _ADDED */
    char name[256];
    char op[64];                /* A's op, else B's */
    char unit[8];               /* "us" */
    cf_compare_fig a, b;
    int has_delta, has_pct;
    double delta, pct;          /* median B - A (unit); 100 * delta / A */
    int has_d_params, has_d_macs;
    int64_t d_params, d_macs;
} cf_compare_layer;

/* A metric both experiments have, matched by name, dataset and unit; on
 * each side the newest one (the latest run's latency, say). */
typedef struct cf_compare_metric {
    char name[64];
    char unit[16];
    char dataset[128];          /* "" when none */
    char kind_a[16], kind_b[16];   /* measured, estimated or static */
    int64_t run_a, run_b;       /* the runs they came from; 0: none */
    double a, b, delta;         /* delta = b - a */
    int has_pct;
    double pct;                 /* 100 * delta / a, when a is not 0 */
} cf_compare_metric;

typedef struct cf_compare {
    cf_compare_layer *layers;   /* A's order, with B-only layers where B has them */
    int64_t n_layers;
    int64_t n_both, n_removed, n_added;
    cf_compare_metric *metrics; /* in A's order of first appearance */
    int64_t n_metrics;
} cf_compare;

/* Compares the layers of run A with those of run B and the metrics of A
 * with those of B into *out (zeroed first; free with cf_compare_clear).
 * Layers are matched by name first (the first unmatched layer of the same
 * name); layers still unmatched are then matched by index when the op is
 * the same (a renamed layer); what is left is removed (only in A) or added
 * (only in B). Any array may be NULL when its count is 0. */
int cf_compare_build(const cf_store_layer *la, int64_t na, const cf_store_layer *lb, int64_t nb,
                     const cf_store_metric *ma, int64_t nma, const cf_store_metric *mb,
                     int64_t nmb, cf_compare *out, cf_error *err);
void cf_compare_clear(cf_compare *c);   /* NULL is a no-op */

/* "both", "removed" or "added". */
const char *cf_compare_status_name(int status);

#endif
