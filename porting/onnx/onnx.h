/* onnx.h — ONNX files in and out, through Debian's libonnx (C++).
 *
 * The bridge is the only C++ in chipfit: it parses a ModelProto, runs the
 * ONNX checker and non-strict shape inference (in a child process), loads
 * external data, and turns the result into a cf_graph (porting/graph.h). The
 * way back writes a cf_graph as a ModelProto file. No C++ type or exception
 * crosses this header: every failure is an int code and a message in
 * cf_error. */
#ifndef CF_ONNX_H
#define CF_ONNX_H

#include <stddef.h>

#include "graph.h"

typedef struct cf_onnx_load_opts {
    int skip_check;            /* 1: do not run onnx::checker::check_model */
    int skip_shape_inference;  /* 1: do not run shape inference */
    /* Fix symbolic dimensions of the graph inputs before shape inference
     * (`--dim batch=8`): n_dims pairs, matched against dim_param names. A name
     * that no input uses is CF_EINVAL, so a typo is not silently ignored. */
    const char *const *dim_names;
    const int64_t *dim_values;
    int n_dims;
    /* > 0: every symbolic or unknown input dimension not named above is fixed
     * to this value too (static costs need numbers; info uses 1). Each fixed
     * dimension is listed in graph->bound_dims. 0: leave them symbolic. */
    int64_t default_dim;
} cf_onnx_load_opts;

/* Loads `path` into a new graph (*out, written only on success). opts may be
 * NULL for the defaults (check and infer shapes). Errors name the path and
 * what is wrong: CF_EIO (missing, unreadable, external-data file missing),
 * CF_EFORMAT (not a protobuf, truncated), CF_ECHECK (checker message, cycle,
 * libonnx's shape inference crashing on a malformed layer), CF_EUNSUPPORTED
 * (unknown element type). Shape inference runs in a forked child process, so
 * a crash inside libonnx is an error here, never a dead caller; the fork is
 * safe from a worker thread. The caller must not reap children it did not
 * start (waitpid(-1)); with SIGCHLD ignored a crash still fails the load,
 * with a vaguer message. Shape inference failing with a message is not an
 * error: it is reported in graph->shape_inference_note / n_unshaped. */
int cf_onnx_load(const char *path, const cf_onnx_load_opts *opts, cf_graph **out,
                 cf_error *err);

/* The same from bytes in memory; `base_dir` resolves external data (NULL:
 * external data is an error). `name` is used in messages. */
int cf_onnx_load_buffer(const void *buf, size_t len, const char *name, const char *base_dir,
                        const cf_onnx_load_opts *opts, cf_graph **out, cf_error *err);

/* Writes the graph (a root graph) as an ONNX model file, all tensor data
 * inline. The file is written to a temporary name and renamed, so a failed
 * save never leaves a half-written model behind. */
int cf_onnx_save(const cf_graph *g, const char *path, cf_error *err);

/* Runs the ONNX checker on a file without building a graph. */
int cf_onnx_check_file(const char *path, cf_error *err);

/* Reads one serialized TensorProto (.pb, as in the ONNX test data) into a
 * tensor allocated in g's arena, not added to any table. */
int cf_onnx_load_tensor(const char *path, cf_graph *g, cf_tensor **out, cf_error *err);

#endif
