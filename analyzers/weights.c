/* weights.c — statistics and a text histogram of one weight tensor.
 *
 * Two passes over the data: the first finds the range and counts NaN, inf
 * and zeros, the second runs Welford's update for mean and variance (stable
 * where a sum of squares would cancel) and fills the histogram, which needs
 * the range. Elements are read through cf_value_get_f64, the one place that
 * knows how every element type becomes a double. */
#include "weights.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "value.h"

static const char *tensor_name(const cf_tensor *t)
{
    return t->name ? t->name : "?";
}

/* 1 when the shape allows count elements: unknown rank or dims say nothing,
 * known dims must multiply to count. Guarded so a hostile shape cannot
 * overflow the product. */
static int shape_allows(const cf_shape *s, int64_t count)
{
    if (s->rank < 0 || (s->rank > 0 && !s->dims))
        return 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i].value < 0)
            return 1;
        if (s->dims[i].value == 0)
            return count == 0;
    }
    int64_t c = 1;
    for (int i = 0; i < s->rank; i++) {
        int64_t d = s->dims[i].value;
        if (c > count / d)
            return 0;
        c *= d;
    }
    return c == count;
}

static int numeric(cf_dtype dt)
{
    return cf_dtype_valid(dt) && dt != CF_DT_STRING && dt != CF_DT_COMPLEX64 &&
           dt != CF_DT_COMPLEX128;
}

int cf_weight_stats_compute(const cf_tensor *t, int n_bins, cf_weight_stats *out, cf_error *err)
{
    if (!t)
        return cf_error_set(err, CF_EINVAL, "weight statistics: no tensor given");
    const char *name = tensor_name(t);
    if (!out)
        return cf_error_set(err, CF_EINVAL, "tensor %s: nowhere to put its statistics", name);
    if (n_bins < 1 || n_bins > CF_WEIGHT_BINS_MAX)
        return cf_error_set(err, CF_EINVAL, "tensor %s: %d histogram bins (want 1..%d)", name,
                            n_bins, CF_WEIGHT_BINS_MAX);
    if (!numeric(t->dtype))
        return cf_error_set(err, CF_EUNSUPPORTED,
                            "tensor %s: no statistics for element type %s", name,
                            cf_dtype_name(t->dtype));
    size_t size = cf_dtype_size(t->dtype);
    if (t->nbytes % size != 0 || t->nbytes / size > (size_t)INT64_MAX)
        return cf_error_set(err, CF_ECHECK, "tensor %s: %zu bytes of data is not a whole number "
                            "of %s elements", name, t->nbytes, cf_dtype_name(t->dtype));
    int64_t count = (int64_t)(t->nbytes / size);
    /* An initializer with zero elements may come without a buffer; any other
     * tensor without one is an activation, which has no values to show. */
    if (!t->data && (count != 0 || !(t->flags & CF_TENSOR_INITIALIZER) ||
                     !shape_allows(&t->shape, 0)))
        return cf_error_set(err, CF_EINVAL, "tensor %s: has no constant data", name);
    if (!shape_allows(&t->shape, count))
        return cf_error_set(err, CF_ECHECK, "tensor %s: %" PRId64 " elements of data do not "
                            "fit its shape", name, count);

    cf_weight_stats s;
    memset(&s, 0, sizeof s);
    s.dtype = t->dtype;
    s.count = count;
    s.n_bins = n_bins;
    cf_value v = CF_VALUE_INIT;
    cf_value_view(&v, t->dtype, 1, &count, t->data);

    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < count; i++) {
        double x = cf_value_get_f64(&v, i);
        if (isnan(x)) {
            s.n_nan++;
            continue;
        }
        if (isinf(x)) {
            s.n_inf++;
            continue;
        }
        if (x == 0)
            s.n_zero++;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    s.n_finite = count - s.n_nan - s.n_inf;
    s.zero_pct = count ? 100.0 * (double)s.n_zero / (double)count : 0;
    if (s.n_finite == 0) {
        *out = s;
        return 0;
    }
    s.min = lo;
    s.max = hi;

    /* Doubles near DBL_MAX would overflow x - mean or the range: work on
     * values scaled by a power of two (exact) into [-1, 1] and scale back. */
    double m = fmax(fabs(lo), fabs(hi)), scale = 1;
    if (m > 0x1p500)
        scale = ldexp(1, -(ilogb(m) + 1));
    double lo_s = lo * scale, range_s = hi * scale - lo_s;
    double mean = 0, m2 = 0;
    int64_t k = 0;
    for (int64_t i = 0; i < count; i++) {
        double x = cf_value_get_f64(&v, i);
        if (!isfinite(x))
            continue;
        x *= scale;
        k++;
        double delta = x - mean;
        mean += delta / (double)k;
        m2 += delta * (x - mean);
        /* (x - lo) * n is exact for integer data (below 2^45), so a value on
         * a bin edge lands in the upper bin as the definition says. */
        int b = 0;
        if (range_s > 0) {
            double f = floor((x - lo_s) * n_bins / range_s);
            b = f >= n_bins ? n_bins - 1 : f < 0 ? 0 : (int)f;
        }
        s.bins[b]++;
    }
    s.mean = mean / scale;
    s.std = sqrt(m2 / (double)k) / scale;
    s.bin_width = range_s / n_bins / scale;
    for (int i = 0; i < n_bins; i++)
        s.max_bin = s.bins[i] > s.max_bin ? s.bins[i] : s.max_bin;
    *out = s;
    return 0;
}

void cf_weight_histogram_text(const cf_weight_stats *s, int ascii, char *buf, size_t size)
{
    static const char *const bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const marks[] = {" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"};
    const char *const *ramp = ascii ? marks : bars;
    int top = ascii ? (int)(sizeof marks / sizeof *marks) - 1
                    : (int)(sizeof bars / sizeof *bars) - 1;
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    if (!s)
        return;
    int n = s->n_bins < 0 ? 0 : s->n_bins > CF_WEIGHT_BINS_MAX ? CF_WEIGHT_BINS_MAX : s->n_bins;
    /* The largest bin from the bins themselves, so a hand-filled struct
     * draws right too. */
    int64_t most = 0;
    for (int i = 0; i < n; i++)
        most = s->bins[i] > most ? s->bins[i] : most;
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        int64_t c = s->bins[i];
        int level = 0;
        if (c > 0) {
            /* Rounded to the nearest level, but never below the first. */
            level = (int)(((double)c * top + (double)most / 2) / (double)most);
            level = level < 1 ? 1 : level > top ? top : level;
        }
        size_t len = strlen(ramp[level]);
        if (used + len >= size)
            break;
        memcpy(buf + used, ramp[level], len);
        used += len;
    }
    buf[used] = '\0';
}
