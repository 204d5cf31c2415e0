/* test_weights.c — weight statistics and the text histogram against
 * hand-computed figures.
 *
 * Each tensor is built on the stack (rank 1, data in a local array); the
 * arithmetic behind every expected number is written next to it. Population
 * standard deviation: sqrt(sum((x - mean)^2) / n). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "weights.h"

/* --- helpers ---------------------------------------------------------------- */

#define NEAR(got, want, tol)                                                                   \
    do {                                                                                       \
        double g_ = (got), w_ = (want);                                                        \
        if (!(fabs(g_ - w_) <= (tol)))                                                         \
            fail_msg("%s = %.17g, want %.17g", #got, g_, w_);                                 \
    } while (0)

/* A rank-1 initializer over data; dim is storage for its one dimension. */
static cf_tensor weight(const char *name, cf_dtype dt, const void *data, size_t nbytes,
                        cf_dim *dim)
{
    cf_tensor t;
    memset(&t, 0, sizeof t);
    t.name = name;
    t.dtype = dt;
    t.flags = CF_TENSOR_INITIALIZER | CF_TENSOR_TYPED;
    t.producer = -1;
    dim->value = cf_dtype_size(dt) ? (int64_t)(nbytes / cf_dtype_size(dt)) : 0;
    dim->param = NULL;
    t.shape.rank = 1;
    t.shape.dims = dim;
    t.data = (void *)data;
    t.nbytes = nbytes;
    return t;
}

static cf_weight_stats stats_of(const cf_tensor *t, int n_bins)
{
    cf_error err = CF_ERROR_INIT;
    cf_weight_stats s;
    int rc = cf_weight_stats_compute(t, n_bins, &s, &err);
    if (rc)
        fail_msg("cf_weight_stats_compute(%s): %s", t->name, err.msg);
    assert_int_equal(err.code, 0);   /* untouched on success */
    return s;
}

/* The bins sum to n_finite, bins past n_bins are 0, max_bin is the largest. */
static void check_bins(const cf_weight_stats *s)
{
    int64_t sum = 0, most = 0;
    for (int i = 0; i < CF_WEIGHT_BINS_MAX; i++) {
        if (i >= s->n_bins)
            assert_int_equal(s->bins[i], 0);
        sum += s->bins[i];
        most = s->bins[i] > most ? s->bins[i] : most;
    }
    assert_int_equal(sum, s->n_finite);
    assert_int_equal(most, s->max_bin);
    assert_int_equal(s->n_finite, s->count - s->n_nan - s->n_inf);
}

static void expect_bins(const cf_weight_stats *s, const int64_t *want, int n)
{
    assert_int_equal(s->n_bins, n);
    for (int i = 0; i < n; i++)
        if (s->bins[i] != want[i])
            fail_msg("bin %d: %lld, want %lld", i, (long long)s->bins[i], (long long)want[i]);
    check_bins(s);
}

/* --- statistics --------------------------------------------------------------- */

/* [-1, 0, 0, 3]: mean 2/4 = 0.5; deviations -1.5, -0.5, -0.5, 2.5, squares
 * 2.25 + 0.25 + 0.25 + 6.25 = 9, / 4 = 2.25, std 1.5. Two zeros of four: 50%.
 * 4 bins over [-1, 3] are 1 wide: -1 in bin 0, the zeros in bin 1 (0 is the
 * lower edge of [0, 1)), nothing in [1, 2), 3 (the max) in the last bin. */
static void test_hand_float32(void **state)
{
    (void)state;
    const float x[] = {-1, 0, 0, 3};
    cf_dim d;
    cf_tensor t = weight("conv1.weight", CF_DT_FLOAT, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 4);
    assert_int_equal(s.dtype, CF_DT_FLOAT);
    assert_int_equal(s.count, 4);
    assert_int_equal(s.n_finite, 4);
    assert_int_equal(s.n_nan, 0);
    assert_int_equal(s.n_inf, 0);
    assert_int_equal(s.n_zero, 2);
    NEAR(s.zero_pct, 50, 1e-12);
    NEAR(s.min, -1, 0);
    NEAR(s.max, 3, 0);
    NEAR(s.mean, 0.5, 1e-15);
    NEAR(s.std, 1.5, 1e-15);
    NEAR(s.bin_width, 1, 1e-15);
    expect_bins(&s, (const int64_t[]){1, 2, 0, 1}, 4);
    assert_int_equal(s.max_bin, 2);

    /* 2 bins, 2 wide: [-1, 1) holds -1, 0, 0; [1, 3] holds 3. */
    s = stats_of(&t, 2);
    NEAR(s.bin_width, 2, 1e-15);
    expect_bins(&s, (const int64_t[]){3, 1}, 2);

    /* 1 bin: everything, width the whole range. */
    s = stats_of(&t, 1);
    NEAR(s.bin_width, 4, 1e-15);
    expect_bins(&s, (const int64_t[]){4}, 1);
}

/* Values on inner bin edges go to the upper bin; the max to the last.
 * [0, 1, 2, 3, 4] in 4 bins of width 1: 0 | 1 | 2 | 3, 4. */
static void test_bin_edges(void **state)
{
    (void)state;
    const double x[] = {4, 3, 2, 1, 0};
    cf_dim d;
    cf_tensor t = weight("edges", CF_DT_DOUBLE, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 4);
    expect_bins(&s, (const int64_t[]){1, 1, 1, 2}, 4);
    NEAR(s.mean, 2, 0);
    NEAR(s.std, sqrt(2), 1e-15);     /* (4 + 1 + 0 + 1 + 4) / 5 = 2 */
    assert_int_equal(s.n_zero, 1);
    NEAR(s.zero_pct, 20, 1e-12);
}

/* float16 bit patterns: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, 0 = 0x0000,
 * -0 = 0x8000, NaN = 0x7E00, +inf = 0x7C00, -inf = 0xFC00.
 * Finite [1, -2, 0.5, 0, -0]: mean -0.5 / 5 = -0.1; deviations 1.1, -1.9,
 * 0.6, 0.1, 0.1, squares 1.21 + 3.61 + 0.36 + 0.01 + 0.01 = 5.2, / 5 = 1.04.
 * Zeros: 0 and -0, 2 of all 8 elements = 25%. */
static void test_float16(void **state)
{
    (void)state;
    const uint16_t x[] = {0x3C00, 0x7E00, 0xC000, 0x3800, 0x7C00, 0x0000, 0x8000, 0xFC00};
    cf_dim d;
    cf_tensor t = weight("fc.weight_f16", CF_DT_FLOAT16, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 3);
    assert_int_equal(s.count, 8);
    assert_int_equal(s.n_nan, 1);
    assert_int_equal(s.n_inf, 2);
    assert_int_equal(s.n_finite, 5);
    assert_int_equal(s.n_zero, 2);
    NEAR(s.zero_pct, 25, 1e-12);
    NEAR(s.min, -2, 0);
    NEAR(s.max, 1, 0);
    NEAR(s.mean, -0.1, 1e-15);
    NEAR(s.std, sqrt(1.04), 1e-15);
    /* 3 bins of width 1 over [-2, 1]: -2 | (none in [-1, 0)) | 0, -0, 0.5, 1 */
    NEAR(s.bin_width, 1, 1e-15);
    expect_bins(&s, (const int64_t[]){1, 0, 4}, 3);
}

/* bfloat16: 1.0 = 0x3F80, -1.0 = 0xBF80, 0.5 = 0x3F00. [1, -1, 1, -1]: mean 0,
 * std 1; [0.5] alone: std 0. */
static void test_bfloat16(void **state)
{
    (void)state;
    const uint16_t x[] = {0x3F80, 0xBF80, 0x3F80, 0xBF80};
    cf_dim d;
    cf_tensor t = weight("bf", CF_DT_BFLOAT16, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 2);
    NEAR(s.mean, 0, 0);
    NEAR(s.std, 1, 0);
    expect_bins(&s, (const int64_t[]){2, 2}, 2);
    const uint16_t one[] = {0x3F00};
    t = weight("bf1", CF_DT_BFLOAT16, one, sizeof one, &d);
    s = stats_of(&t, 5);
    NEAR(s.min, 0.5, 0);
    NEAR(s.max, 0.5, 0);
    NEAR(s.mean, 0.5, 0);
    NEAR(s.std, 0, 0);
}

/* int8 quantized weights at both ends of the range: [-128, -128, 127, 127]:
 * mean -0.5, std 127.5; 256 bins over [-128, 127] (width 255/256) put the
 * -128s in bin 0 and the 127s (the max) in bin 255. */
static void test_int8_extremes(void **state)
{
    (void)state;
    const int8_t x[] = {-128, -128, 127, 127};
    cf_dim d;
    cf_tensor t = weight("q.weight", CF_DT_INT8, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 256);
    assert_int_equal(s.dtype, CF_DT_INT8);
    NEAR(s.min, -128, 0);
    NEAR(s.max, 127, 0);
    NEAR(s.mean, -0.5, 0);
    NEAR(s.std, 127.5, 1e-12);
    NEAR(s.bin_width, 255.0 / 256, 1e-15);
    assert_int_equal(s.n_zero, 0);
    assert_int_equal(s.bins[0], 2);
    assert_int_equal(s.bins[255], 2);
    check_bins(&s);
}

/* Every int8 value once in 255 bins of width 1 over [-128, 127]: value v is
 * the lower edge of bin v + 128, so each bin holds one value, except the last,
 * which also takes the max 127. Every value sits exactly on an edge, so a
 * rounding error in the bin index shows here. Mean -0.5; variance of 256
 * consecutive integers (256^2 - 1) / 12. */
static void test_int8_every_value(void **state)
{
    (void)state;
    int8_t x[256];
    for (int i = 0; i < 256; i++)
        x[i] = (int8_t)(i - 128);
    cf_dim d;
    cf_tensor t = weight("q.all", CF_DT_INT8, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 255);
    for (int i = 0; i < 254; i++)
        if (s.bins[i] != 1)
            fail_msg("bin %d: %lld, want 1", i, (long long)s.bins[i]);
    assert_int_equal(s.bins[254], 2);
    check_bins(&s);
    NEAR(s.mean, -0.5, 1e-12);
    NEAR(s.std, sqrt((256.0 * 256 - 1) / 12), 1e-9);
    assert_int_equal(s.n_zero, 1);
    NEAR(s.zero_pct, 100.0 / 256, 1e-12);

    /* The same with values 0..n in n bins of width 1, for every n that fits:
     * (x - min) / range * n would put 15 of 0..22 in bin 14, since
     * 15 / 22 * 22 rounds to just under 15. */
    for (int n = 1; n <= 127; n++) {
        for (int i = 0; i <= n; i++)
            x[i] = (int8_t)i;
        t = weight("q.ramp", CF_DT_INT8, x, (size_t)n + 1, &d);
        s = stats_of(&t, n);
        for (int i = 0; i < n; i++)
            if (s.bins[i] != 1 + (i == n - 1))
                fail_msg("0..%d in %d bins: bin %d holds %lld", n, n, i, (long long)s.bins[i]);
    }
}

/* The other integer types and bool read as their values. */
static void test_integer_types(void **state)
{
    (void)state;
    cf_dim d;
    const uint8_t u8[] = {0, 255, 255, 0};       /* mean 127.5, std 127.5 */
    cf_tensor t = weight("u8", CF_DT_UINT8, u8, sizeof u8, &d);
    cf_weight_stats s = stats_of(&t, 2);
    NEAR(s.mean, 127.5, 0);
    NEAR(s.std, 127.5, 1e-12);
    expect_bins(&s, (const int64_t[]){2, 2}, 2);
    NEAR(s.zero_pct, 50, 1e-12);

    const int16_t i16[] = {-300, 300};           /* mean 0, std 300 */
    t = weight("i16", CF_DT_INT16, i16, sizeof i16, &d);
    s = stats_of(&t, 4);
    NEAR(s.mean, 0, 0);
    NEAR(s.std, 300, 1e-12);

    const int32_t i32[] = {-7, 1, 1, 1};         /* mean -1; 36+4+4+4 = 48, /4 = 12 */
    t = weight("i32", CF_DT_INT32, i32, sizeof i32, &d);
    s = stats_of(&t, 8);
    NEAR(s.mean, -1, 0);
    NEAR(s.std, sqrt(12), 1e-12);
    expect_bins(&s, (const int64_t[]){1, 0, 0, 0, 0, 0, 0, 3}, 8);

    const int64_t i64[] = {INT64_C(1) << 40, -(INT64_C(1) << 40)};
    t = weight("i64", CF_DT_INT64, i64, sizeof i64, &d);
    s = stats_of(&t, 2);
    NEAR(s.mean, 0, 0);
    NEAR(s.std, 1099511627776.0, 0);
    NEAR(s.max, 1099511627776.0, 0);

    const uint8_t b[] = {1, 0, 1, 1};            /* mean 0.75; (3 * 1/16 + 9/16) / 4 = 3/16 */
    t = weight("mask", CF_DT_BOOL, b, sizeof b, &d);
    s = stats_of(&t, 2);
    NEAR(s.mean, 0.75, 0);
    NEAR(s.std, sqrt(3.0 / 16), 1e-15);
    NEAR(s.zero_pct, 25, 1e-12);
    expect_bins(&s, (const int64_t[]){1, 3}, 2);
}

/* NaN and inf counted, left out of everything else. Finite [1, 3]: mean 2,
 * std 1. */
static void test_nan_inf(void **state)
{
    (void)state;
    const float x[] = {NAN, INFINITY, 1, -INFINITY, 3, NAN};
    cf_dim d;
    cf_tensor t = weight("broken", CF_DT_FLOAT, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 2);
    assert_int_equal(s.count, 6);
    assert_int_equal(s.n_nan, 2);
    assert_int_equal(s.n_inf, 2);
    assert_int_equal(s.n_finite, 2);
    NEAR(s.min, 1, 0);
    NEAR(s.max, 3, 0);
    NEAR(s.mean, 2, 0);
    NEAR(s.std, 1, 0);
    expect_bins(&s, (const int64_t[]){1, 1}, 2);

    /* Nothing finite: counts only, every figure 0, empty histogram. */
    const float y[] = {NAN, INFINITY, NAN};
    t = weight("all_nan", CF_DT_FLOAT, y, sizeof y, &d);
    s = stats_of(&t, 4);
    assert_int_equal(s.n_finite, 0);
    assert_int_equal(s.n_nan, 2);
    assert_int_equal(s.n_inf, 1);
    NEAR(s.min, 0, 0);
    NEAR(s.max, 0, 0);
    NEAR(s.mean, 0, 0);
    NEAR(s.std, 0, 0);
    NEAR(s.zero_pct, 0, 0);
    expect_bins(&s, (const int64_t[]){0, 0, 0, 0}, 4);
    char buf[16];
    cf_weight_histogram_text(&s, 1, buf, sizeof buf);
    assert_string_equal(buf, "    ");
}

/* All values equal: width 0, everything in bin 0, std exactly 0. */
static void test_constant(void **state)
{
    (void)state;
    const float x[] = {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f};
    cf_dim d;
    cf_tensor t = weight("bias", CF_DT_FLOAT, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 8);
    NEAR(s.min, (double)0.1f, 0);
    NEAR(s.max, (double)0.1f, 0);
    NEAR(s.mean, (double)0.1f, 0);
    NEAR(s.std, 0, 0);
    NEAR(s.bin_width, 0, 0);
    expect_bins(&s, (const int64_t[]){7, 0, 0, 0, 0, 0, 0, 0}, 8);
    s = stats_of(&t, 1);
    expect_bins(&s, (const int64_t[]){7}, 1);

    const float z[] = {0, 0, 0};
    t = weight("zeros", CF_DT_FLOAT, z, sizeof z, &d);
    s = stats_of(&t, 3);
    NEAR(s.zero_pct, 100, 0);
    expect_bins(&s, (const int64_t[]){3, 0, 0}, 3);
}

/* A sum of squares would cancel here: the values are near 1e9, so x^2 ~ 1e18
 * where a double's spacing is 128, far more than the variance 22.5
 * ((36 + 9 + 9 + 36) / 4 around the mean 1e9 + 10). */
static void test_stable(void **state)
{
    (void)state;
    const double x[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    cf_dim d;
    cf_tensor t = weight("offset", CF_DT_DOUBLE, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 4);
    NEAR(s.mean, 1e9 + 10, 1e-6);
    NEAR(s.std, sqrt(22.5), 1e-6);
    /* 4 bins of width 3 from 1e9 + 4: +4 | +7 | (none in [+10, +13)) | +13, +16 */
    expect_bins(&s, (const int64_t[]){1, 1, 0, 2}, 4);
}

/* Doubles at the ends of the range: the range and x - mean overflow unless
 * scaled. [-DBL_MAX, DBL_MAX]: mean 0, std DBL_MAX, each in its own half. */
static void test_huge_doubles(void **state)
{
    (void)state;
    const double x[] = {-DBL_MAX, DBL_MAX};
    cf_dim d;
    cf_tensor t = weight("huge", CF_DT_DOUBLE, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 2);
    assert_int_equal(s.n_inf, 0);
    NEAR(s.mean, 0, 0);
    assert_true(isfinite(s.std));
    NEAR(s.std / DBL_MAX, 1, 1e-15);
    NEAR(s.bin_width / DBL_MAX, 1, 1e-15);
    expect_bins(&s, (const int64_t[]){1, 1}, 2);
    /* Three bins in the middle of which 0 lies. */
    const double y[] = {-DBL_MAX, 0, DBL_MAX};
    t = weight("huge3", CF_DT_DOUBLE, y, sizeof y, &d);
    s = stats_of(&t, 3);
    expect_bins(&s, (const int64_t[]){1, 1, 1}, 3);
    NEAR(s.mean, 0, 0);
}

/* An initializer of shape [0] may have no buffer: count 0, no error. */
static void test_empty(void **state)
{
    (void)state;
    cf_dim d;
    cf_tensor t = weight("empty", CF_DT_FLOAT, NULL, 0, &d);
    cf_weight_stats s = stats_of(&t, 16);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.n_finite, 0);
    NEAR(s.zero_pct, 0, 0);
    assert_int_equal(s.n_bins, 16);
    check_bins(&s);
}

/* --- errors ------------------------------------------------------------------- */

/* The call fails with code, the message names the tensor, *out is untouched. */
static void expect_error(const cf_tensor *t, int n_bins, int code, const char *needle)
{
    cf_error err = CF_ERROR_INIT;
    cf_weight_stats s;
    memset(&s, 0xA5, sizeof s);
    int rc = cf_weight_stats_compute(t, n_bins, &s, &err);
    if (rc != code)
        fail_msg("%s with %d bins: rc %d (%s), want %d", t ? t->name : "NULL", n_bins, rc,
                 err.msg, code);
    assert_int_equal(err.code, code);
    if (t && !strstr(err.msg, t->name))
        fail_msg("message does not name %s: %s", t->name, err.msg);
    if (!strstr(err.msg, needle))
        fail_msg("message lacks \"%s\": %s", needle, err.msg);
    const unsigned char *p = (const unsigned char *)&s;
    for (size_t i = 0; i < sizeof s; i++)
        assert_int_equal(p[i], 0xA5);
}

static void test_errors(void **state)
{
    (void)state;
    const float x[] = {1, 2, 3, 4};
    cf_dim d;
    cf_tensor t = weight("w", CF_DT_FLOAT, x, sizeof x, &d);
    expect_error(&t, 0, CF_EINVAL, "bins");
    expect_error(&t, -3, CF_EINVAL, "bins");
    expect_error(&t, CF_WEIGHT_BINS_MAX + 1, CF_EINVAL, "bins");
    stats_of(&t, CF_WEIGHT_BINS_MAX);   /* the bounds themselves are fine */
    stats_of(&t, 1);

    /* An activation: no data. */
    cf_tensor act = weight("relu_out", CF_DT_FLOAT, NULL, 0, &d);
    act.flags = CF_TENSOR_TYPED;
    d.value = 16;
    expect_error(&act, 8, CF_EINVAL, "no constant data");
    act.flags |= CF_TENSOR_INITIALIZER;   /* claims to be one, still no bytes for 16 */
    expect_error(&act, 8, CF_EINVAL, "no constant data");

    cf_bytes strs[] = {{"a", 1}, {"bc", 2}};
    cf_tensor str = weight("labels", CF_DT_STRING, NULL, 0, &d);
    d.value = 2;
    str.strings = strs;
    str.n_strings = 2;
    expect_error(&str, 8, CF_EUNSUPPORTED, "string");

    const float c[] = {1, 2, 3, 4};
    cf_tensor cx = weight("spectrum", CF_DT_COMPLEX64, c, sizeof c, &d);
    expect_error(&cx, 8, CF_EUNSUPPORTED, "complex64");
    cf_tensor un = weight("untyped", CF_DT_UNDEFINED, c, sizeof c, &d);
    expect_error(&un, 8, CF_EUNSUPPORTED, "element type");

    /* 6 bytes is one and a half float32s. */
    cf_tensor odd = weight("odd", CF_DT_FLOAT, x, 6, &d);
    expect_error(&odd, 8, CF_ECHECK, "6 bytes");
    /* 4 elements of data, shape [5]. */
    cf_tensor mis = weight("mismatch", CF_DT_FLOAT, x, sizeof x, &d);
    d.value = 5;
    expect_error(&mis, 8, CF_ECHECK, "shape");
    /* A shape whose product overflows int64 does not match either. */
    cf_dim big[3] = {{INT64_C(1) << 40, NULL}, {INT64_C(1) << 40, NULL}, {4, NULL}};
    mis.shape.rank = 3;
    mis.shape.dims = big;
    expect_error(&mis, 8, CF_ECHECK, "shape");
    /* (2^62 + 1) * 4 wraps to 4 in 64 bits: caught before it can. */
    cf_dim wrap[2] = {{(INT64_C(1) << 62) + 1, NULL}, {4, NULL}};
    mis.shape.rank = 2;
    mis.shape.dims = wrap;
    expect_error(&mis, 8, CF_ECHECK, "shape");
    /* [2, 2] matches; an unknown dim or rank says nothing against it. */
    cf_dim two[2] = {{2, NULL}, {2, NULL}};
    mis.shape.rank = 2;
    mis.shape.dims = two;
    stats_of(&mis, 4);
    two[1].value = -1;
    stats_of(&mis, 4);
    mis.shape.rank = -1;
    stats_of(&mis, 4);

    cf_error err = CF_ERROR_INIT;
    cf_weight_stats s;
    assert_int_equal(cf_weight_stats_compute(NULL, 8, &s, &err), CF_EINVAL);
    cf_error_clear(&err);
    assert_int_equal(cf_weight_stats_compute(&t, 8, NULL, &err), CF_EINVAL);
    assert_non_null(strstr(err.msg, "w"));

    /* The first error wins: a second failure keeps the first message. */
    cf_error_clear(&err);
    cf_weight_stats_compute(&t, 0, &s, &err);
    cf_weight_stats_compute(&act, 8, &s, &err);
    assert_non_null(strstr(err.msg, "bins"));
}

/* --- text ------------------------------------------------------------------------ */

/* A stats struct with these bins (what the text function reads). */
static cf_weight_stats with_bins(const int64_t *bins, int n)
{
    cf_weight_stats s;
    memset(&s, 0, sizeof s);
    s.n_bins = n;
    for (int i = 0; i < n; i++) {
        s.bins[i] = bins[i];
        s.n_finite += bins[i];
        s.max_bin = bins[i] > s.max_bin ? bins[i] : s.max_bin;
    }
    s.count = s.n_finite;
    return s;
}

/* The [-1, 0, 0, 3] histogram [1, 2, 0, 1]: 1 of 2 is half height, level
 * round(8/2) = 4 "▄" of 8, round(9/2) = 5 "+" of 9 in ASCII. */
static void test_text_hand(void **state)
{
    (void)state;
    const float x[] = {-1, 0, 0, 3};
    cf_dim d;
    cf_tensor t = weight("w", CF_DT_FLOAT, x, sizeof x, &d);
    cf_weight_stats s = stats_of(&t, 4);
    char buf[64];
    cf_weight_histogram_text(&s, 0, buf, sizeof buf);
    assert_string_equal(buf, "▄█ ▄");
    assert_int_equal(strlen(buf), 3 + 3 + 1 + 3);
    cf_weight_histogram_text(&s, 1, buf, sizeof buf);
    assert_string_equal(buf, "+@ +");
}

static void test_text_levels(void **state)
{
    (void)state;
    char buf[128];
    /* 0..8 of 8: every bar once, in order. */
    cf_weight_stats s = with_bins((const int64_t[]){0, 1, 2, 3, 4, 5, 6, 7, 8}, 9);
    cf_weight_histogram_text(&s, 0, buf, sizeof buf);
    assert_string_equal(buf, " ▁▂▃▄▅▆▇█");
    /* 0..9 of 9: every ASCII mark once. */
    s = with_bins((const int64_t[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
    cf_weight_histogram_text(&s, 1, buf, sizeof buf);
    assert_string_equal(buf, " .:-=+*#%@");
    /* One outlier next to a million stays visible. */
    s = with_bins((const int64_t[]){1000000, 0, 1}, 3);
    cf_weight_histogram_text(&s, 0, buf, sizeof buf);
    assert_string_equal(buf, "█ ▁");
    cf_weight_histogram_text(&s, 1, buf, sizeof buf);
    assert_string_equal(buf, "@ .");
    /* Bins only: a hand-filled struct without max_bin draws the same. */
    s.max_bin = 0;
    cf_weight_histogram_text(&s, 1, buf, sizeof buf);
    assert_string_equal(buf, "@ .");
}

/* Buffers too small: whole characters only, NUL always, not a byte past
 * size (the guard bytes after it stay). */
static void test_text_small_buffers(void **state)
{
    (void)state;
    cf_weight_stats s = with_bins((const int64_t[]){1, 2, 0, 1}, 4);
    char buf[32];
    struct {
        size_t size;
        int ascii;
        const char *want;
    } cases[] = {
        {1, 0, ""},        {3, 0, ""},          {4, 0, "▄"},     {6, 0, "▄"},
        {7, 0, "▄█"},      {8, 0, "▄█ "},       {10, 0, "▄█ "},  {11, 0, "▄█ ▄"},
        {1, 1, ""},        {2, 1, "+"},         {4, 1, "+@ "},   {5, 1, "+@ +"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        memset(buf, 'Z', sizeof buf);
        cf_weight_histogram_text(&s, cases[k].ascii, buf, cases[k].size);
        if (strcmp(buf, cases[k].want) != 0)
            fail_msg("size %zu ascii %d: \"%s\", want \"%s\"", cases[k].size, cases[k].ascii,
                     buf, cases[k].want);
        for (size_t i = cases[k].size; i < sizeof buf; i++)
            if (buf[i] != 'Z')
                fail_msg("size %zu ascii %d: byte %zu written", cases[k].size, cases[k].ascii,
                         i);
    }
    /* size 0 writes nothing; NULL stats give "". */
    memset(buf, 'Z', sizeof buf);
    cf_weight_histogram_text(&s, 0, buf, 0);
    assert_int_equal(buf[0], 'Z');
    cf_weight_histogram_text(NULL, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
    cf_weight_histogram_text(&s, 0, NULL, 10);   /* no crash */

    /* 256 full bars: 768 bytes and the NUL. */
    int64_t full[CF_WEIGHT_BINS_MAX];
    for (int i = 0; i < CF_WEIGHT_BINS_MAX; i++)
        full[i] = 5;
    s = with_bins(full, CF_WEIGHT_BINS_MAX);
    char big[3 * CF_WEIGHT_BINS_MAX + 1];
    cf_weight_histogram_text(&s, 0, big, sizeof big);
    assert_int_equal(strlen(big), 3 * CF_WEIGHT_BINS_MAX);
    for (int i = 0; i < CF_WEIGHT_BINS_MAX; i++)
        assert_memory_equal(big + 3 * i, "█", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_float32),
        cmocka_unit_test(test_bin_edges),
        cmocka_unit_test(test_float16),
        cmocka_unit_test(test_bfloat16),
        cmocka_unit_test(test_int8_extremes),
        cmocka_unit_test(test_int8_every_value),
        cmocka_unit_test(test_integer_types),
        cmocka_unit_test(test_nan_inf),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_stable),
        cmocka_unit_test(test_huge_doubles),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_text_hand),
        cmocka_unit_test(test_text_levels),
        cmocka_unit_test(test_text_small_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
