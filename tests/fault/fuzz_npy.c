/* fuzz_npy.c — libFuzzer target: the files `chipfit profile --input
 * NAME=FILE` reads. The first byte picks the reader (even: NumPy .npy through
 * cf_npy_read; odd: a serialized TensorProto .pb through cf_onnx_load_tensor
 * and cf_value_from_tensor, then cf_value_copy as profile does); the rest is
 * the file. Both readers take a path, so the bytes go to a file in a
 * private temporary directory (put TMPDIR on a tmpfs for speed).
 *
 * Built by tests/fault/fuzz.sh (clang -fsanitize=fuzzer,address,undefined).
 * Refusing an input is fine; a crash, a sanitizer report, a hang or a huge
 * allocation is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "porting/base/error.h"
#include "porting/graph.h"
#include "porting/npy.h"
#include "porting/onnx/onnx.h"
#include "porting/value.h"

char *mkdtemp(char *tmpl);

static char dir[512];

static void touch_value(const cf_value *v)
{
    char buf[128];
    cf_value_format(v, buf, sizeof buf);
    int64_t n = cf_value_numel(v);
    if (n > 0 && v->data && v->dtype != CF_DT_STRING) {
        (void)cf_value_get_f64(v, 0);
        (void)cf_value_get_i64(v, n - 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/cf_fuzz_npy_XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(dir))
            abort();
    }
    if (size < 1)
        return 0;
    int pb = data[0] & 1;
    char path[600];
    snprintf(path, sizeof path, "%s/in.%s", dir, pb ? "pb" : "npy");
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
        abort();
    fclose(f);

    cf_error err = CF_ERROR_INIT;
    cf_value v = CF_VALUE_INIT;
    if (!pb) {
        if (cf_npy_read(path, &v, &err) == 0) {
            touch_value(&v);
            cf_value w = CF_VALUE_INIT;
            if (cf_value_copy(&w, &v, &err) == 0)
                cf_value_clear(&w);
            cf_value_clear(&v);
        }
    } else {
        cf_graph *g = cf_graph_new(&err);
        if (!g)
            return 0;
        cf_tensor *t = NULL;
        cf_value view = CF_VALUE_INIT;
        if (cf_onnx_load_tensor(path, g, &t, &err) == 0 &&
            cf_value_from_tensor(&view, t, &err) == 0) {
            touch_value(&view);
            if (cf_value_copy(&v, &view, &err) == 0)
                cf_value_clear(&v);
        }
        cf_graph_free(g);
    }
    unlink(path);
    return 0;
}
