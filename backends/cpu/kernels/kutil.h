/* kutil.h — what many reference kernels share: numpy broadcasting, axis
 * normalisation, reading shape-like inputs, converting element types. One
 * copy here, so no kernel family writes its own. */
#ifndef CF_CPU_KUTIL_H
#define CF_CPU_KUTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../kernel.h"

/* The numpy broadcast of n values' shapes (NULL entries skipped). Error
 * names the layer and both shapes. */
int cf_bcast_shape(const cf_kernel_call *c, const cf_value *const *v, int n, int *rank,
                   int64_t *dims, cf_error *err);

/* Element strides of v seen through the broadcast shape (rank, dims): 0 on
 * the axes v repeats. */
void cf_bcast_strides(const cf_value *v, int rank, const int64_t *dims, int64_t *strides);

/* Walks a shape in row-major order, keeping an element offset per operand
 * (up to 4) from their strides: the inner loop of every broadcasting kernel. */
typedef struct cf_nditer {
    int rank, n_ops;
    int64_t dims[CF_MAX_RANK], idx[CF_MAX_RANK];
    int64_t strides[4][CF_MAX_RANK];
    int64_t off[4];
} cf_nditer;

void cf_nditer_init(cf_nditer *it, int rank, const int64_t *dims, int n_ops,
                    const int64_t *const *strides);
/* Advances one element; the offsets follow. */
void cf_nditer_next(cf_nditer *it);

/* Normalises axis (negative counts from the end) into [0, rank); error
 * names the layer when out of range. */
int cf_axis(const cf_kernel_call *c, int64_t axis, int rank, int *out, cf_error *err);

/* Reads an int32/int64 tensor (a shape, axes, pads...) into out (at most
 * max values); *n gets the count. Other types are an error naming what. */
int cf_value_ints(const cf_kernel_call *c, const cf_value *v, const char *what, int64_t *out,
                  int64_t max, int64_t *n, cf_error *err);

/* Numeric conversion of a whole value to float32 / from float32 (float16,
 * bfloat16, double, integers, bool). Used to compute in float the types
 * that are only stored narrower. */
void cf_values_to_f32(const cf_value *v, float *dst);
void cf_values_from_f32(cf_value *v, const float *src);

/* Declines (CF_EUNSUPPORTED, naming it) a node that carries an attribute
 * outside `known` (NULL-ended): an attribute a kernel does not implement is
 * never silently ignored. */
int cf_kernel_check_attrs(const cf_node *n, const char *const *known, cf_error *err);

int cf_is_float_type(cf_dtype dt);   /* float16, bfloat16, float32, float64 */
int cf_is_int_type(cf_dtype dt);     /* signed and unsigned integers */

/* ---- hot float32 loops -----------------------------------------------------------
 *
 * CF_HOT_LOOP on a function holding a vectorisable loop asks GCC for one
 * copy per ISA level (AVX-512, AVX2, baseline x86-64), picked when the
 * program loads (an ifunc): the binary stays portable and still uses the
 * widest vectors of the machine it runs on. Put it on a function that the
 * loop is the whole of, not on one holding an OpenMP region (the region's
 * body is outlined into a function of its own, which would not be cloned);
 * the threads call the cloned function on their part. The kernels are
 * built with -std=c11, where GCC contracts no a * b + c into a fused
 * multiply-add, so all copies give the same bits (clang would contract:
 * it gets no clones). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define CF_HOT_LOOP __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef CF_HOT_LOOP
#define CF_HOT_LOOP
#endif

/* The fewest elements of an element-wise loop worth giving a thread: waking
 * one costs a few microseconds, so tensors under 64K run on one thread. */
#define CF_PAR_PART 32768

/* Splits [0, n) into at most `threads` contiguous parts of at least
 * `min_part` items (long parts start at multiples of 16) and calls fn on each,
 * from OpenMP threads when there is more than one part. The split depends
 * on n and threads only; a caller whose items are independent gets the same
 * results with any thread count. */
void cf_par_ranges(int64_t n, int threads, int64_t min_part,
                   void (*fn)(void *ctx, int64_t begin, int64_t end), void *ctx);

/* ---- float32 math the compiler vectorises ---------------------------------------
 *
 * Why our own: libm's expf, tanhf and erff are opaque calls, so a loop that
 * calls them stays scalar; glibc's vector variants (libmvec) are declared
 * only under -ffast-math, which would also change NaN and signed-zero
 * handling everywhere, and no Debian library offers a vector expf callable
 * from C that GCC inlines. These are written so a loop over them vectorises:
 * straight-line code, selects instead of branches, bit casts through memcpy.
 * They use no fused multiply-add, so every target clone (and the scalar tail
 * of a vector loop) gives the same bits. Within a few ulp of the correctly
 * rounded result (tests/unit/test_elementwise.c holds the figures); NaN
 * propagates, +-inf and large |x| saturate, subnormal results are kept.
 *
 * Each select is written so that NaN takes the branch that still carries
 * the NaN (a comparison with NaN is false). */

static inline uint32_t cf_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float cf_f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* e^r - 1 for |r| <= ln2/2 (a little beyond, for the rounding of n below):
 * r + r^2 P(r), P the minimax fit of degree 5 (relative error 3e-10). */
static inline float cf_expm1_reduced_f32(float r)
{
    float p = 1.984595438e-04f;
    p = p * r + 1.394166029e-03f;
    p = p * r + 8.333391510e-03f;
    p = p * r + 4.166634753e-02f;
    p = p * r + 1.666666567e-01f;
    p = p * r + 0.5f;
    return r + r * r * p;
}

/* x = n ln2 + r with n an integer and |r| <= ln2/2. n is rounded by adding
 * 1.5 * 2^23, which leaves it in the low mantissa bits (nearbyintf would be
 * a call on baseline x86-64); ln2 is split Cody-Waite style, its high part
 * with trailing zero bits so that n * hi is exact for |n| < 512. */
static inline float cf_exp_reduce_f32(float x, int32_t *n)
{
    const float shifter = 12582912.0f;
    float t = x * 1.44269504088896341f + shifter;
    float fn = t - shifter;
    *n = (int32_t)(cf_f32_bits(t) - 0x4B400000u);
    return (x - fn * 0.693145751953125f) - fn * 1.428606765330187e-06f;
}

/* 2^n for n in [-126, 127], from its exponent bits. */
static inline float cf_exp2i_f32(int32_t n)
{
    return cf_f32_from_bits((uint32_t)(n + 127) << 23);
}

/* e^x: about 1 ulp. x is clamped to [-104, 89], where the result goes from
 * 0 (rounded) to +inf. 2^n is applied in two halves so that n down to -150
 * (subnormal results) and up to 128 (overflow to inf) need no branch; the
 * first product is exact, so there is one rounding. */
static inline float cf_exp_f32(float x)
{
    x = x < -104.0f ? -104.0f : x;
    x = x > 89.0f ? 89.0f : x;
    int32_t n;
    float r = cf_exp_reduce_f32(x, &n);
    float p = 1.0f + cf_expm1_reduced_f32(r);
    int32_t n1 = n / 2;
    return p * cf_exp2i_f32(n1) * cf_exp2i_f32(n - n1);
}

/* e^x - 1, accurate near 0: 2^n (e^r - 1) + (2^n - 1) (the two terms do not
 * cancel badly for any n), computed with 2^(n-1) and doubled so that n = 128
 * overflows to inf instead of wrapping. Below -30 the result is -1. */
static inline float cf_expm1_f32(float x)
{
    x = x < -30.0f ? -30.0f : x;
    x = x > 89.0f ? 89.0f : x;
    int32_t n;
    float r = cf_exp_reduce_f32(x, &n);
    float s = cf_exp2i_f32(n - 1);
    return 2.0f * (s * cf_expm1_reduced_f32(r) + (s - 0.5f));
}

/* 1 / (1 + e^-x), as e^x / (1 + e^x) for negative x: e^-|x| never
 * overflows, and results down to the subnormals keep their precision. */
static inline float cf_sigmoid_f32(float x)
{
    float e = cf_exp_f32(-fabsf(x));
    return (x < 0 ? e : 1.0f) / (1.0f + e);
}

/* tanh |x| = -q / (q + 2) with q = e^-2|x| - 1 (no cancellation near 0),
 * given x's sign. Past |x| = 10 tanh rounds to +-1. */
static inline float cf_tanh_f32(float x)
{
    float a = fabsf(x);
    a = a > 10.0f ? 10.0f : a;
    float q = cf_expm1_f32(-2.0f * a);
    return copysignf(-q / (q + 2.0f), x);
}

/* erf: below 0.921875 x P(x^2); above, 1 - e^-x^2 g(|x|) with g(x) =
 * erfc(x) e^x^2, smooth and slowly varying, a polynomial in |x| - 2.5;
 * from 4 on, +-1 (erfc(4) is under half an ulp of 1). Minimax fits; the
 * rounding of x^2 dominates the error. */
static inline float cf_erf_f32(float x)
{
    float x2 = x * x;
    float p = 8.370053547e-05f;
    p = p * x2 - 8.142693550e-04f;
    p = p * x2 + 5.201031454e-03f;
    p = p * x2 - 2.685939707e-02f;
    p = p * x2 + 1.128369570e-01f;
    p = p * x2 - 3.761263490e-01f;
    p = p * x2 + 1.128379226e+00f;
    float small = x * p;
    float a = fabsf(x);
    a = a > 4.0f ? 4.0f : a;
    float t = a - 2.5f;
    float g = 1.301071024e-04f;
    g = g * t + 3.500103194e-04f;
    g = g * t + 7.902989746e-04f;
    g = g * t - 4.669271875e-04f;
    g = g * t + 2.299983986e-03f;
    g = g * t - 8.221679367e-03f;
    g = g * t + 2.487247996e-02f;
    g = g * t - 7.434552908e-02f;
    g = g * t + 2.108083963e-01f;
    float large = copysignf(1.0f - cf_exp_f32(-(a * a)) * g, x);
    float r = fabsf(x) < 0.921875f ? small : large;
    return fabsf(x) >= 4.0f ? copysignf(1.0f, x) : r;
}

#endif
