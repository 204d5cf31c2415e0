/* npy.h — NumPy .npy files in and out, so inputs can come from and outputs
 * go to Python (and other runtimes) without conversion. Version 1.0, 2.0
 * and 3.0 headers, little-endian, C order; the element types chipfit runs. */
#ifndef CF_NPY_H
#define CF_NPY_H

#include "value.h"

/* Reads path into v (owned; v is untouched on error). Errors name the file
 * and what is wrong (not .npy, unknown format version, a header or data
 * cut short by the end of the file, a malformed shape, Fortran order,
 * big-endian, unknown dtype). The data size is checked against the file
 * before anything is allocated. */
int cf_npy_read(const char *path, cf_value *v, cf_error *err);
/* Writes v to path (through a temporary file and a rename). */
int cf_npy_write(const char *path, const cf_value *v, cf_error *err);

#endif
