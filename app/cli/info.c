/* info.c — `chipfit info MODEL`: what a model is and what each layer costs,
 * before anything runs. Text for people, --json for scripts (schema in
 * docs/info-json.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cost.h"
#include "format.h"
#include "onnx/onnx.h"

const char cf_cmd_info_help[] =
    "usage: chipfit info MODEL.onnx [--json] [--dim NAME=V]... [--no-check]\n"
    "\n"
    "Loads an ONNX model (parse, ONNX checker, shape inference) and prints its\n"
    "summary — producer, opsets, inputs and outputs, parameters, MACs, peak\n"
    "activation memory — and one row per layer: output shape, parameters, MACs,\n"
    "FLOPs, weight bytes, activation bytes and arithmetic intensity.\n"
    "All figures are static: counted from shapes, not measured.\n"
    "\n"
    "  --json          print a JSON document instead (schema: docs/info-json.md)\n"
    "  --dim NAME=V    fix the symbolic input dimension NAME to V (repeatable);\n"
    "                  symbolic dimensions not named are fixed to 1 and listed\n"
    "  --no-check      skip the ONNX checker (load a model the checker rejects)\n"
    "  -h, --help      show this help\n"
    "\n"
    "Layers marked * have no cost formula of their own and are counted as\n"
    "element-wise; layers marked ? have outputs of unknown shape.\n";

typedef struct info_args {
    const char *path;
    int json;
    int no_check;
    cf_dim_args dims;
} info_args;

static int parse_args(int argc, char **argv, info_args *a)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"dim", required_argument, NULL, 'd'},
        {"no-check", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': a->json = 1; break;
        case 'n': a->no_check = 1; break;
        case 'd':
            if (cf_args_dim("info", optarg, &a->dims))
                return CF_EXIT_USAGE;
            break;
        case 'h': fputs(cf_cmd_info_help, stdout); return -1;
        case ':': return cf_cli_usage("info", "option '%s' needs a value", argv[optind - 1]);
        default: return cf_cli_usage("info", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cf_cli_usage("info", "info needs a model file");
    if (argc - optind > 1)
        return cf_cli_usage("info", "info takes one model, got %d arguments", argc - optind);
    a->path = argv[optind];
    return 0;
}

/* ---- text --------------------------------------------------------------- */

static void print_value_list(const cf_graph *g, const int32_t *ids, int32_t n, const char *label)
{
    for (int32_t i = 0; i < n; i++) {
        const cf_tensor *t = &g->tensors[ids[i]];
        char shape[128];
        printf("%-10s %s  %s [%s]\n", i == 0 ? label : "", t->name, cf_dtype_name(t->dtype),
               cf_shape_format(&t->shape, shape, sizeof shape));
    }
    if (n == 0)
        printf("%-10s (none)\n", label);
}

/* Costs saturate at INT64_MAX on absurd shapes (a fuzzed dim of 2^62);
 * their sum must not wrap. */
static int64_t sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void print_text(const cf_graph *g, const cf_model_cost *c)
{
    char a[48], b[48], d[48], e[48];
    printf("model      %s  (%s on disk)\n", base_name(g->path), cf_fmt_bytes((int64_t)g->file_bytes, a, sizeof a));
    printf("producer   %s %s   IR version %" PRId64 "\n",
           g->producer_name && g->producer_name[0] ? g->producer_name : "(not set)",
           g->producer_version ? g->producer_version : "", g->ir_version);
    printf("opsets    ");
    for (int i = 0; i < g->n_opsets; i++)
        printf(" %s %" PRId64 "%s", g->opsets[i].domain[0] ? g->opsets[i].domain : "ai.onnx",
               g->opsets[i].version, i + 1 < g->n_opsets ? "," : "");
    printf("\n");
    int32_t *ids = malloc(((size_t)g->n_inputs + 1) * sizeof *ids);
    if (ids) {
        int32_t n = cf_graph_feed_inputs(g, ids);
        print_value_list(g, ids, n, "inputs");
        free(ids);
    }
    print_value_list(g, g->outputs, g->n_outputs, "outputs");
    if (g->n_bound_dims) {
        printf("dims      ");
        for (int i = 0; i < g->n_bound_dims; i++)
            printf(" %s=%" PRId64 "%s", g->bound_dims[i].name, g->bound_dims[i].value,
                   g->bound_dims[i].by_default ? " (default)" : "");
        printf("   (--dim NAME=V to change)\n");
    }
    printf("params     %s (%s)   MACs %s   FLOPs %s\n", cf_fmt_grouped(c->params, a, sizeof a),
           cf_fmt_bytes(c->weight_bytes, b, sizeof b), cf_fmt_count(c->macs, d, sizeof d),
           cf_fmt_count(c->flops, e, sizeof e));
    printf("peak act.  %s at layer %s\n", cf_fmt_bytes(c->peak_activation_bytes, a, sizeof a),
           c->peak_layer >= 0 ? g->nodes[c->peak_layer].name : "-");
    printf("layers     %d", (int)g->n_nodes);
    if (c->n_elementwise_fallback)
        printf(", %d counted as element-wise (*)", (int)c->n_elementwise_fallback);
    if (c->n_no_shape)
        printf(", %d with unknown shapes (?)", (int)c->n_no_shape);
    printf("\n");
    if (g->shape_inference_note)
        printf("shapes     incomplete: %s\n", g->shape_inference_note);
    printf("figures    static, counted from shapes (not measured); bytes of weights and activations\n");

    /* Column widths fit the longest layer name and op, within reason. */
    int wname = 5, wop = 2;
    for (int32_t k = 0; k < g->n_nodes; k++) {
        int ln = (int)strlen(g->nodes[k].name), lo = (int)strlen(g->nodes[k].op_type);
        wname = ln > wname ? ln : wname;
        wop = lo > wop ? lo : wop;
    }
    wname = wname > 32 ? 32 : wname;
    wop = wop > 20 ? 20 : wop;
    printf("\n%4s  %-*s %-*s %-16s %9s %8s %8s %9s %10s %7s\n", "#", wname, "layer", wop, "op",
           "output", "params", "MACs", "FLOPs", "weights", "act in+out", "FLOP/B");
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        const cf_layer_static *l = &c->layers[k];
        char name[64], shape[64], p[24], m[24], f[24], w[24], act[24];
        const cf_tensor *out = cf_node_output(g, n, 0);
        if (out)
            cf_shape_format(&out->shape, shape, sizeof shape);
        else
            snprintf(shape, sizeof shape, "-");
        const char *mark = l->basis == CF_COST_ELEMENTWISE ? "*"
                           : l->basis == CF_COST_NO_SHAPE  ? "?"
                                                           : "";
        printf("%4d  %-*s %-*s %-16s %9s %8s %8s %9s %10s %7.1f%s\n", (int)k, wname,
               cf_fmt_elide(n->name, wname, name, sizeof name), wop, n->op_type, shape,
               cf_fmt_count(l->params, p, sizeof p), cf_fmt_count(l->macs, m, sizeof m),
               cf_fmt_count(l->flops, f, sizeof f), cf_fmt_bytes(l->weight_bytes, w, sizeof w),
               cf_fmt_bytes(sat_add(l->in_bytes, l->out_bytes), act, sizeof act), l->intensity, mark);
    }
}

/* ---- JSON --------------------------------------------------------------- */

static cJSON *shape_json(const cf_shape *s)
{
    if (s->rank < 0)
        return cJSON_CreateNull();
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < s->rank; i++) {
        const cf_dim *d = &s->dims[i];
        if (d->value >= 0)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)d->value));
        else if (d->param && d->param[0])
            cJSON_AddItemToArray(arr, cJSON_CreateString(d->param));
        else
            cJSON_AddItemToArray(arr, cJSON_CreateNull());
    }
    return arr;
}

static cJSON *value_json(const cf_tensor *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "dtype", cf_dtype_name(t->dtype));
    cJSON_AddItemToObject(o, "shape", shape_json(&t->shape));
    return o;
}

static cJSON *values_json(const cf_graph *g, const int32_t *ids, int32_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (int32_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, value_json(&g->tensors[ids[i]]));
    return arr;
}

static cJSON *names_json(const cf_graph *g, const int32_t *ids, int n)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, ids[i] >= 0 ? cJSON_CreateString(g->tensors[ids[i]].name)
                                              : cJSON_CreateNull());
    return arr;
}

/* Counts go out as JSON numbers: every count below 2^53 is exact in a double,
 * far above any real model's MACs. */
static void add_int(cJSON *o, const char *k, int64_t v)
{
    cJSON_AddNumberToObject(o, k, (double)v);
}

/* The four counts that totals and layers share. */
static void add_costs(cJSON *o, int64_t params, int64_t weight_bytes, int64_t macs, int64_t flops)
{
    add_int(o, "params", params);
    add_int(o, "weight_bytes", weight_bytes);
    add_int(o, "macs", macs);
    add_int(o, "flops", flops);
}

static cJSON *build_json(const cf_graph *g, const cf_model_cost *c)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "chipfit.info/1");
    cJSON_AddStringToObject(root, "figures", "static");
    cJSON *units = cJSON_AddObjectToObject(root, "units");
    cJSON_AddStringToObject(units, "params", "elements");
    cJSON_AddStringToObject(units, "macs", "multiply-accumulates");
    cJSON_AddStringToObject(units, "flops", "floating-point operations");
    cJSON_AddStringToObject(units, "bytes", "B");
    cJSON_AddStringToObject(units, "intensity", "FLOP/B");

    cJSON *m = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(m, "path", g->path ? g->path : "");
    add_int(m, "file_bytes", (int64_t)g->file_bytes);
    add_int(m, "ir_version", g->ir_version);
    cJSON_AddStringToObject(m, "producer_name", g->producer_name ? g->producer_name : "");
    cJSON_AddStringToObject(m, "producer_version", g->producer_version ? g->producer_version : "");
    cJSON_AddStringToObject(m, "domain", g->model_domain ? g->model_domain : "");
    add_int(m, "model_version", g->model_version);
    cJSON_AddStringToObject(m, "graph_name", g->name ? g->name : "");
    cJSON *ops = cJSON_AddArrayToObject(m, "opsets");
    for (int i = 0; i < g->n_opsets; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "domain", g->opsets[i].domain[0] ? g->opsets[i].domain : "ai.onnx");
        add_int(o, "version", g->opsets[i].version);
        cJSON_AddItemToArray(ops, o);
    }
    cJSON *meta = cJSON_AddObjectToObject(m, "metadata");
    for (int i = 0; i < g->n_metadata; i++)
        cJSON_AddStringToObject(meta, g->metadata[i].key, g->metadata[i].value ? g->metadata[i].value : "");

    int32_t *ids = malloc(((size_t)g->n_inputs + 1) * sizeof *ids);
    int32_t n_feed = ids ? cf_graph_feed_inputs(g, ids) : 0;
    cJSON_AddItemToObject(root, "inputs", values_json(g, ids, n_feed));
    free(ids);
    cJSON_AddItemToObject(root, "outputs", values_json(g, g->outputs, g->n_outputs));
    cJSON *dims = cJSON_AddArrayToObject(root, "dims");
    for (int i = 0; i < g->n_bound_dims; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", g->bound_dims[i].name);
        add_int(o, "value", g->bound_dims[i].value);
        cJSON_AddBoolToObject(o, "default", g->bound_dims[i].by_default);
        cJSON_AddItemToArray(dims, o);
    }
    cJSON *si = cJSON_AddObjectToObject(root, "shape_inference");
    cJSON_AddBoolToObject(si, "complete", g->shape_inference_note == NULL && g->n_unshaped == 0);
    add_int(si, "unshaped_outputs", g->n_unshaped);
    if (g->shape_inference_note)
        cJSON_AddStringToObject(si, "note", g->shape_inference_note);
    else
        cJSON_AddNullToObject(si, "note");

    cJSON *t = cJSON_AddObjectToObject(root, "totals");
    add_int(t, "layers", g->n_nodes);
    add_costs(t, c->params, c->weight_bytes, c->macs, c->flops);
    add_int(t, "peak_activation_bytes", c->peak_activation_bytes);
    if (c->peak_layer >= 0)
        cJSON_AddStringToObject(t, "peak_layer", g->nodes[c->peak_layer].name);
    else
        cJSON_AddNullToObject(t, "peak_layer");
    add_int(t, "elementwise_fallback_layers", c->n_elementwise_fallback);
    add_int(t, "no_shape_layers", c->n_no_shape);

    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        const cf_layer_static *l = &c->layers[k];
        cJSON *o = cJSON_CreateObject();
        add_int(o, "index", k);
        cJSON_AddStringToObject(o, "name", n->name);
        cJSON_AddStringToObject(o, "op", n->op_type);
        cJSON_AddStringToObject(o, "domain", n->domain);
        cJSON_AddItemToObject(o, "inputs", names_json(g, n->inputs, n->n_inputs));
        cJSON_AddItemToObject(o, "outputs", names_json(g, n->outputs, n->n_outputs));
        const cf_tensor *out = cf_node_output(g, n, 0);
        cJSON_AddItemToObject(o, "out_shape", out ? shape_json(&out->shape) : cJSON_CreateNull());
        cJSON_AddStringToObject(o, "out_dtype", out ? cf_dtype_name(out->dtype) : "undefined");
        add_costs(o, l->params, l->weight_bytes, l->macs, l->flops);
        add_int(o, "in_bytes", l->in_bytes);
        add_int(o, "out_bytes", l->out_bytes);
        cJSON_AddNumberToObject(o, "intensity", l->intensity);
        cJSON_AddStringToObject(o, "basis", cf_cost_basis_name(l->basis));
        cJSON_AddItemToArray(layers, o);
    }
    return root;
}

static int print_json(const cf_graph *g, const cf_model_cost *c)
{
    return cf_cli_print_json(build_json(g, c));
}

int cf_cmd_info(int argc, char **argv)
{
    info_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0)
        return CF_EXIT_OK;   /* --help */
    if (rc)
        return rc;

    cf_onnx_load_opts opts = {0};
    opts.skip_check = a.no_check;
    opts.dim_names = a.dims.names;
    opts.dim_values = a.dims.values;
    opts.n_dims = a.dims.n;
    opts.default_dim = 1;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    cf_model_cost *cost = NULL;
    if (cf_onnx_load(a.path, &opts, &g, &err) || cf_cost_compute(g, &cost, &err)) {
        cf_cli_error("%s", err.msg);
        cf_graph_free(g);
        return err.code == CF_EINVAL ? CF_EXIT_USAGE : CF_EXIT_FAIL;
    }
    rc = a.json ? print_json(g, cost) : (print_text(g, cost), CF_EXIT_OK);
    cf_model_cost_free(cost);
    cf_graph_free(g);
    return rc;
}
