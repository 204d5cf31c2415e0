/* weights.h — statistics of one weight tensor, for the TUI's detail pane and
 * reports: what values a layer's constants hold, before anything runs.
 *
 * A porting engineer looks at these to choose a quantization scheme (range,
 * spread, outliers, sparsity), to spot a broken export (NaN, inf, all zeros)
 * and to check a quantized model's integers (int8 weights use the whole range
 * or do not). Every numeric element type is read as a double, so the same
 * figures come out for float32, float16, bfloat16, double, the integer types
 * and bool; string and complex tensors are refused.
 *
 * Plain data rows, no allocation, no state: cf_weight_stats fills a caller's
 * struct, cf_weight_histogram_text draws its histogram into a caller's
 * buffer. */
#ifndef CF_WEIGHTS_H
#define CF_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

#define CF_WEIGHT_BINS_MAX 256

/* Values are in the tensor's own unit (what its elements hold: a float
 * weight, a quantized integer, 0/1 for bool), converted to double. NaN and
 * infinities are counted but left out of min, max, mean, std and the
 * histogram. An int64 / uint64 element beyond 2^53 is rounded to the
 * nearest double. */
typedef struct cf_weight_stats {
    cf_dtype dtype;          /* the tensor's element type */
    int64_t count;           /* elements in the tensor, NaN and inf included */
    int64_t n_finite;        /* elements behind min, max, mean, std, bins:
                              * count - n_nan - n_inf */
    int64_t n_nan;           /* NaN elements (floating types only) */
    int64_t n_inf;           /* +inf and -inf elements (floating types only) */
    int64_t n_zero;          /* elements exactly 0 (-0.0 included) */
    double zero_pct;         /* 100 * n_zero / count, in percent (0..100);
                              * 0 for an empty tensor */
    /* Over the finite elements; all 0 when there is none (n_finite == 0). */
    double min, max;
    double mean;             /* arithmetic mean */
    double std;              /* population standard deviation (divides by
                              * n_finite, not n_finite - 1) */
    /* Histogram of the finite elements: n_bins equal-width bins over
     * [min, max]. Bin i counts values in [min + i * bin_width,
     * min + (i + 1) * bin_width), the last bin includes max. When every
     * finite value is equal (min == max) bin_width is 0 and they all fall
     * in bin 0. The bins sum to n_finite; entries from n_bins on are 0. */
    int n_bins;              /* 1..CF_WEIGHT_BINS_MAX, as asked */
    double bin_width;        /* (max - min) / n_bins, in the values' unit */
    int64_t bins[CF_WEIGHT_BINS_MAX];  /* element counts */
    int64_t max_bin;         /* the largest entry of bins (0 when n_finite == 0) */
} cf_weight_stats;

/* Computes the statistics of t's constant data (an initializer or a tensor
 * attribute) with n_bins histogram bins. Errors, each naming the tensor:
 * CF_EINVAL for a tensor without data or n_bins outside 1..CF_WEIGHT_BINS_MAX,
 * CF_EUNSUPPORTED for a string, complex or undefined element type, CF_ECHECK
 * when the data's size does not match the element type and the shape. A
 * tensor with zero elements gives count 0 and all figures 0. Two passes over
 * the data, O(count); *out written only on success. */
int cf_weight_stats_compute(const cf_tensor *t, int n_bins, cf_weight_stats *out, cf_error *err);

/* Draws s's histogram as one character per bin, the height of each scaled to
 * the largest bin: " ▁▂▃▄▅▆▇█" (UTF-8, 3 bytes a bar) or, with ascii set,
 * " .:-=+*#%@". An empty bin is a space; a non-empty bin is at least the
 * lowest mark, so a single outlier stays visible next to a bin of millions.
 * Writes as many whole characters as fit in buf with its NUL (never half a
 * UTF-8 character) and always NUL-terminates when size > 0. */
void cf_weight_histogram_text(const cf_weight_stats *s, int ascii, char *buf, size_t size);

#endif
