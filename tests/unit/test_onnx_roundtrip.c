/* Conformance of the ONNX bridge against every model of Debian's
 * libonnx-testdata: load (checker + shape inference), save, check the saved
 * file with the ONNX checker, load it again, and compare the two graphs.
 * A model that fails is listed with its reason; the summary line closes the
 * run. Exit 77 (skip) when the test data is not installed. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph.h"
#include "graph_diff.h"
#include "onnx/onnx.h"

#define DATA_DIR "/usr/share/libonnx-testdata/data"

static const char *const suites[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};

typedef struct paths {
    char **v;
    size_t n, cap;
} paths;

static int push(paths *p, const char *s)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        char **v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n] = strdup(s);
    return p->v[p->n] ? (int)p->n++ : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every DATA_DIR/<suite>/<case>/model.onnx, sorted so runs list failures in
 * the same order. */
static void find_models(paths *out)
{
    char path[4096];
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        snprintf(path, sizeof path, "%s/%s", DATA_DIR, suites[s]);
        DIR *d = opendir(path);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s/%s/model.onnx", DATA_DIR, suites[s], e->d_name);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                assert_true(push(out, path) >= 0);
        }
        closedir(d);
    }
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

/* One model through load, save, check, load, diff; 0 or a reason in why. */
static int round_trip(const char *model, const char *tmp, char *why, size_t size)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *a = NULL, *b = NULL;
    int rc = 1;
    if (cf_onnx_load(model, NULL, &a, &err)) {
        snprintf(why, size, "load: %s", err.msg);
        goto fail;
    }
    if (cf_onnx_save(a, tmp, &err)) {
        snprintf(why, size, "save: %s", err.msg);
        goto fail;
    }
    if (cf_onnx_check_file(tmp, &err)) {
        snprintf(why, size, "check of the saved file: %s", err.msg);
        goto fail;
    }
    if (cf_onnx_load(tmp, NULL, &b, &err)) {
        snprintf(why, size, "reload: %s", err.msg);
        goto fail;
    }
    char d[512];
    if (cf_graph_diff(a, b, d, sizeof d)) {
        snprintf(why, size, "differs after the round trip: %s", d);
        goto fail;
    }
    rc = 0;
fail:
    cf_graph_free(a);
    cf_graph_free(b);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void every_test_model_round_trips(void **state)
{
    (void)state;
    paths models = {0};
    find_models(&models);
    assert_true(models.n > 0);

    char dir[] = "/tmp/cf_roundtrip_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tmp[sizeof dir + 16];
    snprintf(tmp, sizeof tmp, "%s/model.onnx", dir);

    double t0 = now_s();
    size_t failed = 0;
    char why[1400];
    for (size_t i = 0; i < models.n; i++) {
        if (round_trip(models.v[i], tmp, why, sizeof why)) {
            /* Newlines of checker messages would break the one-line list. */
            for (char *p = why; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            printf("FAIL %s: %s\n", models.v[i] + strlen(DATA_DIR) + 1, why);
            failed++;
        }
    }
    unlink(tmp);
    rmdir(dir);
    printf("onnx round trip: %zu models, %zu passed, %zu failed (%.1f s)\n", models.n,
           models.n - failed, failed, now_s() - t0);
    for (size_t i = 0; i < models.n; i++)
        free(models.v[i]);
    free(models.v);
    assert_int_equal(failed, 0);
}

int main(void)
{
    struct stat st;
    if (stat(DATA_DIR, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("skipped: %s is absent (install libonnx-testdata)\n", DATA_DIR);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_test_model_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
