/* load_model.h — for the unit tests: a model of the source tree, loaded as
 * `chipfit info` loads it (symbolic dimensions 1), or the test fails. */
#ifndef CF_TEST_LOAD_MODEL_H
#define CF_TEST_LOAD_MODEL_H

#include <stdio.h>
#include <stdlib.h>

#include "onnx/onnx.h"

/* rel: a path below the source directory ($CHIPFIT_SOURCE_DIR, set by ctest). */
static inline cf_graph *load_model(const char *rel)
{
    const char *src = getenv("CHIPFIT_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    cf_onnx_load_opts opts = {0};
    opts.default_dim = 1;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    if (cf_onnx_load(path, &opts, &g, &err))
        fail_msg("%s: %s", path, err.msg);
    return g;
}

#endif
