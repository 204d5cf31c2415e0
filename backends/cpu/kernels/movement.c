/* movement.c — kernel family (being written). */
#include "kutil.h"

const cf_kernel_i cf_kernels_movement[] = {
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
