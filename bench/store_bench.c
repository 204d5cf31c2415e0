/* store_bench.c — how fast the experiment store records and lists.
 *
 *   store_bench [-n ROUNDS] [DIR]
 *
 * In a fresh database under DIR (default: a new folder in /tmp, removed at
 * the end) it measures, ROUNDS times each (default 5), and prints the
 * first, min and median wall times in ms:
 *   - record: cf_store_record_run of a 10,000-layer run (one transaction:
 *     the run, 10,000 layer rows, the latency metric); the goal is
 *     under 50 ms;
 *   - list: cf_store_list over 10,000 experiments (a tree: every fourth a
 *     child of the base, the others children of the one before), each with
 *     a run and a latency; the goal is under 100 ms;
 *   - diff: what `exp diff A B` computes for two experiments whose latest
 *     runs have 5,000 layers each (loading both through the store API and
 *     matching the layers); the goal is under 100 ms.
 * The database lives on the disk DIR is on (WAL journal, the store's own
 * settings); the figures include SQLite's commit and its fsync. All are
 * measured on this machine. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "compare.h"
#include "store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, const double *t, int n, double goal)
{
    double first = t[0], *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return;
    memcpy(s, t, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    printf("%-44s first %8.2f  min %8.2f  median %8.2f ms  (goal < %.0f ms: %s)\n", what, first,
           s[0], s[n / 2], goal, s[n / 2] < goal ? "met" : "NOT met");
    free(s);
}

/* A chain of n Relu layers with long-ish names, like a real model's. */
static cf_graph *chain(int n)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    if (!g)
        return NULL;
    int32_t prev = cf_graph_add_tensor(g, "t0", &err);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "t%d", i + 1);
        int32_t next = cf_graph_add_tensor(g, name, &err);
        snprintf(name, sizeof name, "/encoder/layers.%d/block/Relu", i);
        int32_t k = cf_graph_add_node(g, "Relu", NULL, name, &err);
        if (k < 0 || cf_graph_set_io(g, &g->nodes[k], &prev, 1, &next, 1, &err)) {
            cf_graph_free(g);
            return NULL;
        }
        prev = next;
    }
    return g;
}

static int fail(const cf_error *err)
{
    fprintf(stderr, "store_bench: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    int rounds = 5, opt;
    while ((opt = getopt(argc, argv, "n:h")) != -1) {
        if (opt == 'n' && atoi(optarg) > 0) {
            rounds = atoi(optarg);
        } else {
            fprintf(stderr, "usage: store_bench [-n ROUNDS] [DIR]\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    char dir[512], tmpl[] = "/tmp/chipfit-store-bench-XXXXXX";
    int own_dir = optind >= argc;
    if (own_dir && !mkdtemp(tmpl)) {
        perror("store_bench: mkdtemp");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s", own_dir ? tmpl : argv[optind]);
    char db[640], model[640];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    snprintf(model, sizeof model, "%s/bench.onnx", dir);
    FILE *f = fopen(model, "wb");
    if (!f || fputs("model bytes for the store bench", f) < 0 || fclose(f)) {
        perror("store_bench: model file");
        return 1;
    }
    cf_error err = CF_ERROR_INIT;
    cf_store *s = NULL;
    int64_t m = 0, exp = 0, run = 0;
    if (cf_store_open(db, 0, &s, &err) || cf_store_add_model(s, model, &m, &exp, &err))
        return fail(&err);

    /* record: 10,000 layer rows in one run */
    cf_graph *g = chain(10000);
    cf_profile p = {0};
    p.n_layers = 10000;
    p.layers = calloc(10001, sizeof *p.layers);
    double *t = calloc((size_t)rounds + 1, sizeof *t);
    if (!g || !p.layers || !t) {
        fprintf(stderr, "store_bench: out of memory\n");
        return 1;
    }
    for (int k = 0; k < 10000; k++) {
        p.layers[k].node = k;
        p.layers[k].median_us = p.layers[k].p10_us = p.layers[k].p90_us = 1.0 + k % 97;
        snprintf(p.layers[k].impl, sizeof p.layers[k].impl, "onednn+Relu");
    }
    p.whole_median_us = 1234.5;
    cf_store_run info = {exp, "cpu", NULL, 1, 3, 20, 1.7e9, 1.7e9 + 1};
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ms();
        if (cf_store_record_run(s, &info, g, NULL, &p, &run, &err))
            return fail(&err);
        t[r] = now_ms() - t0;
    }
    report("record a run of 10,000 layer rows", t, rounds, 50);
    cf_store_close(s);

    /* list: 10,000 experiments, made with plain SQL (the store has no call
     * that makes children yet), each with one run and a latency */
    sqlite3 *h = NULL;
    if (sqlite3_open(db, &h) != SQLITE_OK) {
        fprintf(stderr, "store_bench: %s\n", sqlite3_errmsg(h));
        return 1;
    }
    const char *fill =
        "BEGIN;"
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
        "INSERT INTO experiments (id, model_id, parent_id, artifact) "
        "SELECT i, 1, i - 1, (SELECT artifact FROM experiments WHERE id = 1) FROM n;"
        "INSERT INTO runs (experiment_id, backend, threads, warmup, repeats, host, started, "
        " finished, status) SELECT id, 'cpu', 1, 3, 20, 'bench', '2026-01-01 00:00:00', "
        " '2026-01-01 00:00:01', 'ok' FROM experiments WHERE id > 1;"
        "INSERT INTO metrics (experiment_id, run_id, name, value, unit, kind) "
        "SELECT experiment_id, id, 'latency', 100 + id % 7, 'us', 'measured' FROM runs "
        "WHERE experiment_id > 1;"
        "COMMIT;";
    if (sqlite3_exec(h, fill, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "store_bench: filling: %s\n", sqlite3_errmsg(h));
        return 1;
    }
    /* every fourth a child of the base instead: a tree, not only a chain */
    sqlite3_exec(h, "UPDATE experiments SET parent_id = 1 WHERE id % 4 = 0", NULL, NULL, NULL);
    sqlite3_close(h);
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        return fail(&err);
    int64_t n = 0;
    for (int r = 0; r < rounds; r++) {
        cf_store_exp *v = NULL;
        double t0 = now_ms();
        if (cf_store_list(s, &v, &n, &err))
            return fail(&err);
        t[r] = now_ms() - t0;
        free(v);
    }
    char what[64];
    snprintf(what, sizeof what, "list %" PRId64 " experiments", n);
    report(what, t, rounds, 100);
    cf_store_close(s);

    /* diff: two models (two base experiments), a 5,000-layer run each */
    char model2[700], model3[700];
    snprintf(model2, sizeof model2, "%s/a.onnx", dir);
    snprintf(model3, sizeof model3, "%s/b.onnx", dir);
    FILE *fa = fopen(model2, "wb"), *fb = fopen(model3, "wb");
    if (!fa || !fb || fputs("model A", fa) < 0 || fputs("model B", fb) < 0 || fclose(fa) ||
        fclose(fb)) {
        perror("store_bench: model files");
        return 1;
    }
    cf_graph *g5 = chain(5000);
    int64_t ea = 0, eb = 0;
    p.n_layers = 5000;
    if (!g5 || cf_store_open(db, 0, &s, &err) ||
        cf_store_add_model(s, model2, &m, &ea, &err) ||
        cf_store_add_model(s, model3, &m, &eb, &err))
        return fail(&err);
    cf_store_run ia = {ea, "cpu", NULL, 1, 3, 20, 1.7e9, 1.7e9 + 1};
    cf_store_run ib = {eb, "cpu", NULL, 2, 3, 20, 1.7e9, 1.7e9 + 1};
    if (cf_store_record_run(s, &ia, g5, NULL, &p, &run, &err) ||
        cf_store_record_run(s, &ib, g5, NULL, &p, &run, &err))
        return fail(&err);
    cf_store_close(s);
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        return fail(&err);
    int64_t matched = 0;
    for (int r = 0; r < rounds; r++) {
        cf_compare_side sa, sb;
        cf_compare cmp;
        double t0 = now_ms();
        if (cf_compare_load(s, ea, &sa, &err) || cf_compare_load(s, eb, &sb, &err) ||
            cf_compare_build(sa.layers, sa.n_layers, sb.layers, sb.n_layers, sa.metrics,
                             sa.n_metrics, sb.metrics, sb.n_metrics, &cmp, &err))
            return fail(&err);
        t[r] = now_ms() - t0;
        matched = cmp.n_both;
        cf_compare_clear(&cmp);
        cf_compare_side_clear(&sa);
        cf_compare_side_clear(&sb);
    }
    snprintf(what, sizeof what, "diff two %" PRId64 "-layer runs", matched);
    report(what, t, rounds, 100);
    cf_store_close(s);
    cf_graph_free(g5);
    free(p.layers);
    free(t);
    cf_graph_free(g);
    if (own_dir) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "store_bench: could not remove %s\n", dir);
    }
    return 0;
}
