/* bench_load.c — how long loading a model takes, and how much memory it costs.
 *
 *   bench_load [-n RUNS] [--no-check] [--no-infer] [--symbolic] MODEL.onnx
 *
 * Times cf_onnx_load (read + parse + onnx::checker + non-strict shape
 * inference + building the cf_graph) RUNS times (default 10), freeing the graph
 * after each, and prints the first, min and median wall times. Then times
 * cf_cost_compute on one loaded graph the same number of times.
 *
 * Memory: the process's peak resident set (getrusage ru_maxrss) after all
 * loads, raw and minus the baseline measured before the first load (the
 * program itself, libc, libonnx's static tables: a few MiB), and both as a
 * ratio to the model file's size. All figures are measured on this machine,
 * nothing is estimated. The first load includes cold caches (page cache,
 * libonnx's schema registry); min and median are the steady state.
 *
 * One model per process: peak RSS is a per-process high-water mark. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyzers/cost.h"
#include "porting/onnx/onnx.h"

#define MAX_RUNS 100000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Peak resident set so far, bytes (Linux reports ru_maxrss in KiB). */
static double peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_maxrss * 1024.0;
}

/* Minor page faults so far (pages the kernel had to map in). */
static long minor_faults(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ru.ru_minflt;
}

/* Current resident set, bytes, from /proc/self/statm; 0 if unreadable. */
static double current_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0.0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    if (n != 2 || page <= 0)
        return 0.0;
    return (double)resident * (double)page;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* min and median of v[0..n) (v is sorted in place). */
static void stats(double *v, int n, double *min, double *median)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *min = v[0];
    *median = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void usage(FILE *to, const char *argv0)
{
    fprintf(to,
            "usage: %s [-n RUNS] [--no-check] [--no-infer] [--symbolic] MODEL.onnx\n"
            "Times cf_onnx_load (parse + check + shape inference) and cf_cost_compute\n"
            "RUNS times (default 10) and reports min/median ms and peak RSS (measured).\n"
            "  -n RUNS      number of timed runs, 1..%d (default 10)\n"
            "  --no-check   skip onnx::checker (cf_onnx_load_opts.skip_check)\n"
            "  --no-infer   skip shape inference (cf_onnx_load_opts.skip_shape_inference)\n"
            "  --symbolic   leave symbolic input dims symbolic (default: fix them to 1,\n"
            "               as chipfit info does)\n",
            argv0, MAX_RUNS);
}

/* Runs the measurements and prints them; load_ms and cost_ms hold `runs`
 * entries each. Returns the exit status. */
static int bench(const char *path, const cf_onnx_load_opts *opts, int runs, double *load_ms,
                 double *cost_ms)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench_load: %s: %s\n", path, strerror(errno));
        return 1;
    }
    double file_bytes = (double)st.st_size;

    /* Baseline before anything is loaded: the program, its libraries and
     * their static initialisers. */
    double base_peak = peak_rss_bytes();
    double base_cur = current_rss_bytes();

    cf_graph *keep = NULL; /* the last graph, kept for the cost runs */
    long faults0 = minor_faults(), faults1 = faults0;
    for (int r = 0; r < runs; r++) {
        if (r == 1)
            faults1 = minor_faults();
        cf_error err = CF_ERROR_INIT;
        cf_graph *g = NULL;
        double t0 = now_ms();
        int rc = cf_onnx_load(path, opts, &g, &err);
        load_ms[r] = now_ms() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench_load: %s (%s)\n", err.msg, cf_error_code_name(rc));
            return 1;
        }
        if (r == runs - 1)
            keep = g;
        else
            cf_graph_free(g);
    }
    double load_peak = peak_rss_bytes();
    long faults_end = minor_faults();

    int64_t macs = 0, params = 0;
    int32_t no_shape = 0;
    for (int r = 0; r < runs; r++) {
        cf_error err = CF_ERROR_INIT;
        cf_model_cost *c = NULL;
        double t0 = now_ms();
        int rc = cf_cost_compute(keep, &c, &err);
        cost_ms[r] = now_ms() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench_load: cost: %s (%s)\n", err.msg, cf_error_code_name(rc));
            cf_graph_free(keep);
            return 1;
        }
        macs = c->macs;
        params = c->params;
        no_shape = c->n_no_shape;
        cf_model_cost_free(c);
    }

    double first_load = load_ms[0], first_cost = cost_ms[0];
    double load_min, load_med, cost_min, cost_med;
    stats(load_ms, runs, &load_min, &load_med);
    stats(cost_ms, runs, &cost_min, &cost_med);

    const double MiB = 1024.0 * 1024.0;
    double net = load_peak - base_peak;
    printf("bench_load (measured): %s\n", path);
    printf("  file            %10.2f MiB  %d nodes, %d tensors, %" PRId64 " params, "
           "%.4f GMACs\n",
           file_bytes / MiB, keep->n_nodes, keep->n_tensors, params, (double)macs / 1e9);
    if (keep->n_unshaped || no_shape)
        printf("  shapes          %d node outputs without a shape after inference; %d layers "
               "costed without shapes (their MACs are lower bounds)\n",
               (int)keep->n_unshaped, (int)no_shape);
    const char *what = opts->skip_check
                           ? (opts->skip_shape_inference ? "(no check, no inference)" : "(no check)")
                           : (opts->skip_shape_inference ? "(no inference)" : "(check + infer)");
    printf("  %-15s first %9.3f ms  min %9.3f ms  median %9.3f ms  (%d runs) %s\n",
           "cf_onnx_load", first_load, load_min, load_med, runs, what);
    printf("  %-15s first %9.3f ms  min %9.3f ms  median %9.3f ms  (%d runs)\n",
           "cf_cost_compute", first_cost, cost_min, cost_med, runs);
    printf("  page faults     first load %ld, later loads %.0f each (minor faults)\n",
           faults1 - faults0, runs > 1 ? (double)(faults_end - faults1) / (runs - 1) : 0.0);
    printf("  peak RSS        %10.2f MiB raw, baseline before loading %.2f MiB "
           "(current %.2f MiB), peak - baseline %.2f MiB\n",
           load_peak / MiB, base_peak / MiB, base_cur / MiB, net / MiB);
    if (file_bytes > 0)
        printf("  peak RSS / file %10.2fx raw, %.2fx peak - baseline\n", load_peak / file_bytes,
               net / file_bytes);
    cf_graph_free(keep);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 10;
    const char *path = NULL;
    cf_onnx_load_opts opts;
    memset(&opts, 0, sizeof opts);
    /* Like `chipfit info`: symbolic input dims (a "batch") are fixed to 1 so
     * the costs have numbers. */
    opts.default_dim = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (errno || !end || *end || v < 1 || v > MAX_RUNS) {
                fprintf(stderr, "bench_load: -n wants a number of runs, 1..%d, not '%s'\n",
                        MAX_RUNS, argv[i]);
                return 2;
            }
            runs = (int)v;
        } else if (strcmp(argv[i], "--symbolic") == 0) {
            opts.default_dim = 0;
        } else if (strcmp(argv[i], "--no-check") == 0) {
            opts.skip_check = 1;
        } else if (strcmp(argv[i], "--no-infer") == 0) {
            opts.skip_shape_inference = 1;
        } else if (argv[i][0] == '-' || path) {
            usage(stderr, argv[0]);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        usage(stderr, argv[0]);
        return 2;
    }

    double *load_ms = calloc((size_t)runs, sizeof *load_ms);
    double *cost_ms = calloc((size_t)runs, sizeof *cost_ms);
    int rc = 1;
    if (load_ms && cost_ms)
        rc = bench(path, &opts, runs, load_ms, cost_ms);
    else
        fprintf(stderr, "bench_load: out of memory\n");
    free(load_ms);
    free(cost_ms);
    return rc;
}
