/* value.h — a tensor with data at run time.
 *
 * What flows between kernels, what a user feeds as input (from .pb or .npy
 * files or seeded random data) and what comes out. Unlike cf_tensor (the IR's
 * description, arena-owned) a cf_value has concrete dims and owns its buffer
 * unless `borrowed` is set (a view of an initializer or of a planned arena
 * slot). */
#ifndef CF_VALUE_H
#define CF_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

#define CF_MAX_RANK 8

typedef struct cf_value {
    cf_dtype dtype;
    int rank;
    int64_t dims[CF_MAX_RANK];
    void *data;          /* dense, row-major; NULL when numel == 0 */
    size_t nbytes;
    int borrowed;        /* 1: data is not ours to free */
    int layout;          /* CF_LAYOUT_*: how data is ordered; dims are always logical */
} cf_value;

/* Memory orders of a value. dims always say the ONNX (logical) shape
 * [N, C, D1, ...]; PLAIN stores it row-major, CHANNELS_LAST stores it as
 * [N, D1, ..., C] row-major (oneDNN's nhwc/"acdb"), which the CPU backend
 * keeps between convolutions so they need no reorder. Only the CPU
 * executor makes CHANNELS_LAST values; everything it hands out is PLAIN. */
enum { CF_LAYOUT_PLAIN = 0, CF_LAYOUT_CHANNELS_LAST = 1 };

#define CF_VALUE_INIT {CF_DT_UNDEFINED, 0, {0}, NULL, 0, 0, CF_LAYOUT_PLAIN}

int64_t cf_value_numel(const cf_value *v);
/* Sets dtype and dims and allocates zeroed data (owned). Rank above
 * CF_MAX_RANK, a negative dim or an element type without a fixed size
 * (string) is an error naming `what`. Frees what v held before. */
int cf_value_alloc(cf_value *v, cf_dtype dt, int rank, const int64_t *dims, const char *what,
                   cf_error *err);
/* A borrowed view of data (PLAIN). */
void cf_value_view(cf_value *v, cf_dtype dt, int rank, const int64_t *dims, void *data);
/* A deep copy (owned). */
int cf_value_copy(cf_value *dst, const cf_value *src, cf_error *err);
/* Frees owned data and resets to CF_VALUE_INIT. */
void cf_value_clear(cf_value *v);
/* The value of an initializer tensor (a borrowed view of its data). */
int cf_value_from_tensor(cf_value *v, const cf_tensor *t, cf_error *err);
/* "float32[1x3x224x224]" */
char *cf_value_format(const cf_value *v, char *buf, size_t size);
/* Element i as a double / int64 whatever the numeric dtype (for checks,
 * statistics and tests; not for kernels' inner loops). cf_value_get_i64
 * truncates a floating element toward zero, gives NaN as 0 and saturates
 * at INT64_MIN / INT64_MAX (infinities, |x| >= 2^63); a uint64 element
 * above INT64_MAX comes back as its two's-complement bit pattern, so
 * integer arithmetic modulo 2^64 stays exact. */
double cf_value_get_f64(const cf_value *v, int64_t i);
int64_t cf_value_get_i64(const cf_value *v, int64_t i);
/* Stores x as element i in v's type: rounded to float16/bfloat16, clamped
 * into an integer type's range (NaN to 0, infinities to the type's
 * minimum / maximum) and truncated toward zero, as ONNX's Cast does. */
void cf_value_set_f64(cf_value *v, int64_t i, double x);

/* Compares got against want: same element type and shape, and every
 * element within atol + rtol * |want| (floats; NaN matches NaN, inf must be
 * equal), exactly equal otherwise. Returns 0 when they match; 1 with a
 * message naming the first differing element in why; *max_abs (may be NULL)
 * gets the largest absolute difference seen. */
int cf_value_compare(const cf_value *got, const cf_value *want, double rtol, double atol,
                     double *max_abs, char *why, size_t why_size);

/* Half-precision storage: chipfit computes float16/bfloat16 in float32 and
 * rounds to nearest even when storing. */
float cf_f16_to_f32(uint16_t h);
uint16_t cf_f32_to_f16(float f);
float cf_bf16_to_f32(uint16_t h);
uint16_t cf_f32_to_bf16(float f);

#endif
