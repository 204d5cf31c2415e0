/* profile.c — `chipfit profile MODEL`: where the time goes on a CPU.
 *
 * Runs the model layer by layer on a backend and reports, per layer, the
 * median, p10 and p90 of the measured time and its share of the total. The
 * whole-model latency is measured separately, on runs without per-layer
 * timing, and compared with the instrumented runs: that difference is the
 * profiler's overhead. Instrumented and plain runs alternate so that drift
 * (clock, cache, another process) hits both alike. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cost.h"
#include "format.h"
#include "npy.h"
#include "onnx/onnx.h"
#include "profile.h"
#include "store.h"

const char cf_cmd_profile_help[] =
    "usage: chipfit profile MODEL.onnx [options]\n"
    "\n"
    "Runs the model on a CPU backend and measures each layer: median, p10 and\n"
    "p90 in microseconds and the share of the total. The whole-model latency is\n"
    "measured on separate runs without per-layer timing; the difference is shown\n"
    "as the profiler's overhead. All times are measured on this machine; a\n"
    "warning says when other work on the CPUs made them unreliable.\n"
    "\n"
    "  --backend NAME      cpu (default: oneDNN where it applies, reference C\n"
    "                      kernels elsewhere) or cpu-ref (reference kernels only)\n"
    "  --threads N         threads for the kernels (default 1)\n"
    "  --warmup W          untimed runs first (default 3)\n"
    "  --repeats R         timed runs of each kind (default 20)\n"
    "  --input NAME=FILE   feed input NAME from FILE (.npy, or ONNX TensorProto .pb);\n"
    "                      inputs not given get seeded random data\n"
    "  --seed S            seed of the random inputs (default 1)\n"
    "  --dim NAME=V        fix a symbolic input dimension (others are fixed to 1)\n"
    "  --json | --csv      machine-readable output (schema: docs/profile-json.md)\n"
    "  --save-outputs DIR  write every model output of the first run as DIR/NAME.npy\n"
    "  --no-nan-check      do not stop at the first layer that produces NaN\n"
    "  --db PATH           record the run in this experiment store (default:\n"
    "                      $CHIPFIT_DB, else ./chipfit.db; docs/store.md)\n"
    "  --no-store          do not record the run\n"
    "  -h, --help          show this help\n";

typedef struct prof_args {
    const char *path;
    const char *backend;
    long threads, warmup, repeats, seed;
    int json, csv, no_nan, no_store;
    const char *db;
    const char *save_dir;
    cf_dim_args dims;
    char *inputs[64];
    int n_inputs;
} prof_args;

static int parse_args(int argc, char **argv, prof_args *a)
{
    static const struct option longopts[] = {
        {"backend", required_argument, NULL, 'b'}, {"threads", required_argument, NULL, 't'},
        {"warmup", required_argument, NULL, 'w'},  {"repeats", required_argument, NULL, 'r'},
        {"input", required_argument, NULL, 'i'},   {"seed", required_argument, NULL, 's'},
        {"dim", required_argument, NULL, 'd'},     {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},           {"save-outputs", required_argument, NULL, 'o'},
        {"no-nan-check", no_argument, NULL, 'n'},  {"help", no_argument, NULL, 'h'},
        {"db", required_argument, NULL, 'D'},      {"no-store", no_argument, NULL, 'N'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->backend = "cpu";
    a->threads = 1;
    a->warmup = 3;
    a->repeats = 20;
    a->seed = 1;
    opterr = 0;
    optind = 1;
    int c, rc = 0;
    while (!rc && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': a->backend = optarg; break;
        case 't': rc = cf_args_int("profile", "--threads", optarg, 1, 1024, &a->threads); break;
        case 'w': rc = cf_args_int("profile", "--warmup", optarg, 0, 100000, &a->warmup); break;
        case 'r': rc = cf_args_int("profile", "--repeats", optarg, 1, 1000000, &a->repeats); break;
        case 's': rc = cf_args_int("profile", "--seed", optarg, 0, 2147483647L, &a->seed); break;
        case 'd': rc = cf_args_dim("profile", optarg, &a->dims); break;
        case 'j': a->json = 1; break;
        case 'c': a->csv = 1; break;
        case 'o':
            if (cf_args_path("profile", "--save-outputs", optarg))
                return CF_EXIT_USAGE;
            a->save_dir = optarg;
            break;
        case 'n': a->no_nan = 1; break;
        case 'D':
            if (cf_args_path("profile", "--db", optarg))
                return CF_EXIT_USAGE;
            a->db = optarg;
            break;
        case 'N': a->no_store = 1; break;
        case 'i':
            if (!strchr(optarg, '=') || optarg[0] == '=' || strchr(optarg, '=')[1] == '\0')
                return cf_cli_usage("profile", "--input wants NAME=FILE, got '%s'", optarg);
            if (a->n_inputs == 64)
                return cf_cli_usage("profile", "at most 64 --input options");
            a->inputs[a->n_inputs++] = optarg;
            break;
        case 'h': fputs(cf_cmd_profile_help, stdout); return -1;
        case ':': return cf_cli_usage("profile", "option '%s' needs a value", argv[optind - 1]);
        default: return cf_cli_usage("profile", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (a->json && a->csv)
        return cf_cli_usage("profile", "--json and --csv exclude each other");
    if (!cf_backend_find(a->backend))
        return cf_cli_usage("profile", "no backend '%s' (cpu, cpu-ref)", a->backend);
    if (optind >= argc)
        return cf_cli_usage("profile", "profile needs a model file");
    if (argc - optind > 1)
        return cf_cli_usage("profile", "profile takes one model, got %d arguments", argc - optind);
    a->path = argv[optind];
    return 0;
}

/* ---- outputs ---------------------------------------------------------------- */

static int save_outputs(const cf_graph *g, const char *dir, const cf_value *outs, cf_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cf_error_set(err, CF_EIO, "%s: %s", dir, strerror(errno));
    for (int32_t i = 0; i < g->n_outputs; i++) {
        char name[256], path[4096];
        snprintf(name, sizeof name, "%s", g->tensors[g->outputs[i]].name);
        for (char *p = name; *p; p++)
            if (*p == '/' || *p == ':')
                *p = '_';   /* a tensor name may hold characters no file name can */
        if (snprintf(path, sizeof path, "%s/%s.npy", dir, name) >= (int)sizeof path)
            return cf_error_set(err, CF_EINVAL, "%s: path too long", dir);
        int rc = cf_npy_write(path, &outs[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- output ----------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void print_text(const cf_graph *g, const prof_args *a, const cf_profile *r)
{
    char b1[32];
    printf("model      %s   backend %s   threads %ld   warm-up %ld   repeats %ld\n",
           base_name(a->path), a->backend, a->threads, a->warmup, a->repeats);
    printf("latency    %.1f µs median (p10 %.1f, p90 %.1f), whole model, measured without "
           "per-layer timing\n",
           r->whole_median_us, r->whole_p10_us, r->whole_p90_us);
    printf("profiler   instrumented runs %.1f µs median: overhead %+.1f%%; sum of layer medians "
           "%.1f µs\n",
           r->instr_median_us, cf_profile_overhead_pct(r), r->layer_sum_us);
    printf("memory     activation arena %s (planned)\n",
           cf_fmt_bytes((int64_t)r->arena_bytes, b1, sizeof b1));
    char warn[512];
    if (cf_profile_contention_warning(r, warn, sizeof warn))
        printf("warning    %s\n", warn);
    int wname = 5, wop = 2, wimpl = 4;
    for (int32_t k = 0; k < g->n_nodes; k++) {
        int ln = (int)strlen(g->nodes[k].name), lo = (int)strlen(g->nodes[k].op_type);
        int li = (int)strlen(r->layers[k].impl);
        wname = ln > wname ? ln : wname;
        wop = lo > wop ? lo : wop;
        wimpl = li > wimpl ? li : wimpl;
    }
    wname = wname > 32 ? 32 : wname;
    wop = wop > 20 ? 20 : wop;
    printf("\n%4s  %-*s %-*s %-*s %11s %11s %11s %6s  (µs, measured)\n", "#", wname, "layer",
           wop, "op", wimpl, "impl", "median", "p10", "p90", "share");
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_layer_cost *l = &r->layers[k];
        char name[64], bar[64];
        int cells = (int)lrint(l->share * 20);
        bar[0] = '\0';
        for (int i = 0; i < cells && i < 20; i++)
            strcat(bar, "#");
        printf("%4d  %-*s %-*s %-*s %11.1f %11.1f %11.1f %5.1f%%  %s\n", (int)k, wname,
               cf_fmt_elide(g->nodes[k].name, wname, name, sizeof name), wop,
               g->nodes[k].op_type, wimpl, l->impl, l->median_us, l->p10_us, l->p90_us, 100 * l->share,
               bar);
    }
}

static void print_csv(const cf_graph *g, const cf_profile *r)
{
    printf("index,layer,op,impl,kind,median_us,p10_us,p90_us,share\n");
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_layer_cost *l = &r->layers[k];
        /* Names are quoted; a quote inside is doubled (RFC 4180). */
        printf("%d,\"", (int)k);
        for (const char *p = g->nodes[k].name; *p; p++)
            printf(*p == '"' ? "\"\"" : "%c", *p);
        printf("\",%s,%s,measured,%.3f,%.3f,%.3f,%.5f\n", g->nodes[k].op_type, l->impl,
               l->median_us, l->p10_us, l->p90_us, l->share);
    }
}

static int print_json(const cf_graph *g, const prof_args *a, const cf_profile *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "chipfit.profile/1");
    cJSON_AddStringToObject(root, "model", a->path);
    cJSON_AddStringToObject(root, "backend", a->backend);
    cJSON_AddStringToObject(root, "kind", "measured");
    cJSON_AddStringToObject(root, "unit", "us");
    cJSON_AddNumberToObject(root, "threads", (double)a->threads);
    cJSON_AddNumberToObject(root, "warmup", (double)a->warmup);
    cJSON_AddNumberToObject(root, "repeats", (double)a->repeats);
    cJSON *w = cJSON_AddObjectToObject(root, "latency");
    cJSON_AddNumberToObject(w, "median_us", r->whole_median_us);
    cJSON_AddNumberToObject(w, "p10_us", r->whole_p10_us);
    cJSON_AddNumberToObject(w, "p90_us", r->whole_p90_us);
    cJSON_AddNumberToObject(w, "instrumented_median_us", r->instr_median_us);
    cJSON_AddNumberToObject(w, "layer_sum_us", r->layer_sum_us);
    cJSON_AddNumberToObject(w, "overhead_pct", cf_profile_overhead_pct(r));
    cJSON_AddNumberToObject(root, "arena_bytes", (double)r->arena_bytes);
    /* what the machine did to the timed runs (backends/profile.h) */
    const cf_profile_contention *c = &r->contention;
    cJSON *cn = cJSON_AddObjectToObject(root, "contention");
    cJSON_AddNumberToObject(cn, "cpus", c->cpus);
    if (c->loadavg_1m >= 0)
        cJSON_AddNumberToObject(cn, "loadavg_1m", c->loadavg_1m);
    else
        cJSON_AddNullToObject(cn, "loadavg_1m");
    cJSON_AddNumberToObject(cn, "involuntary_switches", (double)c->invol_switches);
    cJSON_AddNumberToObject(cn, "timed_runs", (double)c->runs);
    cJSON_AddNumberToObject(cn, "cpu_share",
                            c->wall_us > 0 && c->threads > 0
                                ? c->cpu_us / (c->wall_us * c->threads) : 0);
    cJSON *reasons = cJSON_AddArrayToObject(cn, "reasons");
    if (c->flags & CF_CONTENDED_OVERSUBSCRIBED)
        cJSON_AddItemToArray(reasons, cJSON_CreateString("oversubscribed"));
    if (c->flags & CF_CONTENDED_PREEMPTED)
        cJSON_AddItemToArray(reasons, cJSON_CreateString("preempted"));
    if (c->flags & CF_CONTENDED_UNSTABLE)
        cJSON_AddItemToArray(reasons, cJSON_CreateString("unstable"));
    char warn[512];
    if (cf_profile_contention_warning(r, warn, sizeof warn))
        cJSON_AddStringToObject(cn, "warning", warn);
    else
        cJSON_AddNullToObject(cn, "warning");
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_layer_cost *l = &r->layers[k];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", k);
        cJSON_AddStringToObject(o, "name", g->nodes[k].name);
        cJSON_AddStringToObject(o, "op", g->nodes[k].op_type);
        cJSON_AddStringToObject(o, "impl", l->impl);
        cJSON_AddNumberToObject(o, "median_us", l->median_us);
        cJSON_AddNumberToObject(o, "p10_us", l->p10_us);
        cJSON_AddNumberToObject(o, "p90_us", l->p90_us);
        cJSON_AddNumberToObject(o, "share", l->share);
        cJSON_AddItemToArray(layers, o);
    }
    return cf_cli_print_json(root);
}

/* ---- the command -------------------------------------------------------------- */

static int save_first_outputs(void *user, const cf_graph *g, const cf_value *outs, cf_error *err)
{
    const prof_args *a = user;
    return a->save_dir ? save_outputs(g, a->save_dir, outs, err) : 0;
}

/* The run into the experiment store: the model (and its base experiment)
 * registered, the run and its layer rows in one transaction. */
static int record(const cf_graph *g, const prof_args *a, const cf_profile *r, double started,
                  double finished, cf_error *err)
{
    cf_store *st = NULL;
    cf_model_cost *cost = NULL;
    int64_t model = 0, exp = 0, run = 0;
    int rc = cf_store_open(cf_store_default_path(a->db), 0, &st, err);
    if (!rc)
        rc = cf_store_add_model(st, a->path, &model, &exp, err);
    if (!rc)
        rc = cf_cost_compute(g, &cost, err);
    cf_store_run info = {exp, a->backend, NULL, (int)a->threads, (int)a->warmup,
                         (int)a->repeats, started, finished};
    if (!rc)
        rc = cf_store_record_run(st, &info, g, cost, r, &run, err);
    cf_model_cost_free(cost);
    cf_store_close(st);
    return rc;
}

static int profile(cf_graph *g, const prof_args *a, cf_profile *r, cf_error *err)
{
    cf_profile_opts o = {a->backend, (int)a->threads, a->warmup, a->repeats,
                         (uint64_t)a->seed, !a->no_nan, a->inputs, a->n_inputs};
    return cf_profile_run(g, &o, NULL, save_first_outputs, (void *)a, r, err);
}

int cf_cmd_profile(int argc, char **argv)
{
    prof_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0)
        return CF_EXIT_OK;
    if (rc)
        return rc;
    cf_onnx_load_opts opts = {0};
    opts.dim_names = a.dims.names;
    opts.dim_values = a.dims.values;
    opts.n_dims = a.dims.n;
    opts.default_dim = 1;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    cf_profile r;
    memset(&r, 0, sizeof r);
    time_t started = time(NULL);
    /* A --dim or --input naming something the model lacks is a usage
     * error (2); an input file of the wrong type or shape is a failure (1). */
    int usage = 0;
    if (cf_onnx_load(a.path, &opts, &g, &err)) {
        usage = err.code == CF_EINVAL;
    } else if (profile(g, &a, &r, &err)) {
        usage = err.code == CF_EINVAL && strncmp(err.msg, "--input", 7) == 0;
    }
    time_t finished = time(NULL);
    if (err.code) {
        cf_cli_error("%s", err.msg);
        cf_profile_free(&r);
        cf_graph_free(g);
        return usage ? CF_EXIT_USAGE : CF_EXIT_FAIL;
    }
    rc = CF_EXIT_OK;
    char warn[512];
    if ((a.json || a.csv) && cf_profile_contention_warning(&r, warn, sizeof warn))
        fprintf(stderr, "chipfit: warning: %s\n", warn);   /* the text output has its own line */
    if (a.json)
        rc = print_json(g, &a, &r);
    else if (a.csv)
        print_csv(g, &r);
    else
        print_text(g, &a, &r);
    /* The figures are shown first: a store that fails loses nothing else. */
    if (!a.no_store && record(g, &a, &r, (double)started, (double)finished, &err)) {
        cf_cli_error("the run was not recorded: %s", err.msg);
        rc = CF_EXIT_FAIL;
    }
    cf_profile_free(&r);
    cf_graph_free(g);
    return rc;
}
