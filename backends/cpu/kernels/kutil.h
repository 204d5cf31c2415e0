/* kutil.h — what many reference kernels share: numpy broadcasting, axis
 * normalisation, reading shape-like inputs, converting element types. One
 * copy here, so no kernel family writes its own. */
#ifndef CF_CPU_KUTIL_H
#define CF_CPU_KUTIL_H

#include <stdint.h>

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

#endif
