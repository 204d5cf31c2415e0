/* exp.c — `chipfit exp ...`: the experiments of the store (docs/store.md).
 * list prints the tree, show one experiment in full (text or JSON), tag and
 * note label one, rm removes one (or its subtree), export copies its model
 * file out. Everything goes through store.h; the figures are labelled
 * measured, estimated or static, with their units. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "compare.h"
#include "report/report.h"
#include "store.h"

const char cf_cmd_exp_help[] =
    "usage: chipfit exp list [--db PATH]\n"
    "       chipfit exp show ID [--db PATH] [--json]\n"
    "       chipfit exp tag ID NAME [--db PATH]\n"
    "       chipfit exp note ID TEXT [--db PATH]\n"
    "       chipfit exp rm ID [--recursive] [--db PATH]\n"
    "       chipfit exp export ID -o FILE.onnx [--db PATH]\n"
    "       chipfit exp diff A B [--db PATH] [--json]\n"
    "\n"
    "The experiments of the experiment store (docs/store.md).\n"
    "\n"
    "  list    the tree: each experiment's id, model, tag, number of runs and\n"
    "          the latest measured whole-model latency (median, µs, with its\n"
    "          backend and threads)\n"
    "  show    one experiment: its model, tag, note, recipe and artifact; its\n"
    "          runs (newest first), its metrics, and the layers of its latest\n"
    "          run; every figure says measured, estimated or static, and its unit\n"
    "  tag     set its tag (\"\" clears it)\n"
    "  note    set its note (\"\" clears it)\n"
    "  rm      remove it with its runs, layer rows, metrics and findings, and\n"
    "          the model files nothing else uses; an experiment with children\n"
    "          is refused unless --recursive, which removes the whole subtree\n"
    "  export  copy its model file out of the store, after checking its size\n"
    "          and SHA-256\n"
    "  diff    what changed from A to B, between their latest runs: per layer\n"
    "          (matched by name, then by index and op; layers only in A are\n"
    "          removed, only in B added) the median times of A and B, the\n"
    "          delta in µs and %, and the static params and MACs deltas; and\n"
    "          each metric both have (matched by name, dataset and unit, the\n"
    "          newest on each side) with its kind and unit. Deltas are B - A,\n"
    "          percentages of A\n"
    "\n"
    "`chipfit profile` records its runs in the store.\n"
    "\n"
    "  --db PATH        the store (default: $CHIPFIT_DB, else ./chipfit.db)\n"
    "  --json           show: a JSON document instead (schema chipfit.exp/1);\n"
    "                   diff: the comparison object of docs/report-json.md\n"
    "  --recursive      rm: remove the experiment's children too\n"
    "  -o, --output F   export: the file to write\n"
    "  -h, --help       show this help\n";

enum { OPT_JSON = 1, OPT_RECURSIVE = 2, OPT_OUTPUT = 4 };

typedef struct exp_args {
    const char *db, *output;
    int json, recursive;
    int64_t id, id2;            /* id2: diff B */
    const char *text;           /* tag NAME, note TEXT */
} exp_args;

/* The one parser of every subcommand: the options in allowed, the id, and
 * (with want_text) one text argument after it. Returns -1 to go on, else
 * the exit code. */
static int parse(const char *sub, int argc, char **argv, int allowed, int want_text, exp_args *a)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'D'},  {"json", no_argument, NULL, 'J'},
        {"recursive", no_argument, NULL, 'R'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int need = c == 'J' ? OPT_JSON : c == 'R' ? OPT_RECURSIVE : c == 'o' ? OPT_OUTPUT : 0;
        if (need && !(allowed & need))   /* named by the option, not its value */
            return cf_cli_usage("exp", "exp %s takes no option '%s'", sub,
                                c == 'o' ? "-o" : c == 'J' ? "--json" : "--recursive");
        switch (c) {
        case 'D':
            if (cf_args_path("exp", "--db", optarg))
                return CF_EXIT_USAGE;
            a->db = optarg;
            break;
        case 'J': a->json = 1; break;
        case 'R': a->recursive = 1; break;
        case 'o':
            if (cf_args_path("exp", "-o", optarg))
                return CF_EXIT_USAGE;
            a->output = optarg;
            break;
        case 'h': fputs(cf_cmd_exp_help, stdout); return CF_EXIT_OK;
        case ':': return cf_cli_usage("exp", "option '%s' needs a value", argv[optind - 1]);
        default: return cf_cli_usage("exp", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int want = strcmp(sub, "list") == 0 ? 0 : 1 + want_text;   /* list takes no id */
    int two_ids = strcmp(sub, "diff") == 0;
    if (argc - optind != want)
        return cf_cli_usage("exp", "exp %s takes %s, got %d argument%s", sub,
                            want == 0   ? "no arguments"
                            : want == 1 ? "an experiment ID"
                            : two_ids   ? "two experiment IDs"
                                        : "an experiment ID and a text",
                            argc - optind, argc - optind == 1 ? "" : "s");
    if (want) {
        if (cf_args_id("exp", argv[optind], &a->id))
            return CF_EXIT_USAGE;
        a->text = want_text ? argv[optind + 1] : NULL;
        if (two_ids && cf_args_id("exp", a->text, &a->id2))
            return CF_EXIT_USAGE;
    }
    if ((allowed & OPT_OUTPUT) && !a->output)
        return cf_cli_usage("exp", "exp %s needs -o FILE", sub);
    return -1;
}

static int fail(cf_store *st, const cf_error *err)
{
    cf_cli_error("%s", err->msg);
    cf_store_close(st);
    return CF_EXIT_FAIL;
}

static int exp_list(int argc, char **argv)
{
    exp_args a;
    int rc = parse("list", argc, argv, 0, 0, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    cf_store_exp *v = NULL;
    int64_t n = 0;
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_READONLY, &st, &err) ||
        cf_store_list(st, &v, &n, &err))
        return fail(st, &err);
    printf("%-8s %-32s %-12s %5s  %s\n", "id", "model", "tag", "runs",
           "latency (measured, median)");
    for (int64_t i = 0; i < n; i++) {
        const cf_store_exp *e = &v[i];
        char id[48], lat[96];
        snprintf(id, sizeof id, "%*s%" PRId64, 2 * (e->depth < 10 ? e->depth : 10), "", e->id);
        if (e->latency_us >= 0)
            snprintf(lat, sizeof lat, "%.1f µs (%s, %d thread%s)", e->latency_us,
                     e->latency_backend, e->latency_threads, e->latency_threads == 1 ? "" : "s");
        else
            snprintf(lat, sizeof lat, "-");
        printf("%-8s %-32s %-12s %5" PRId64 "  %s\n", id, e->model_name,
               e->name[0] ? e->name : "-", e->runs, lat);
    }
    free(v);
    cf_store_close(st);
    return CF_EXIT_OK;
}

/* ---- show ----------------------------------------------------------------------- */

static const char *unit_text(const char *unit)
{
    return strcmp(unit, "us") == 0 ? "µs" : unit;
}

static void print_count(int64_t v)
{
    if (v < 0)
        printf(" %14s", "-");
    else
        printf(" %14" PRId64, v);
}

static void show_text(const cf_compare_side *x)
{
    const cf_store_detail *d = x->exp;
    printf("experiment %" PRId64 "\n", d->id);
    if (d->parent)
        printf("  parent    %" PRId64 "\n", d->parent);
    else
        printf("  parent    - (a base experiment)\n");
    printf("  model     %s (model %" PRId64 ", sha256 %s, %" PRId64 " bytes)\n", d->model_name,
           d->model, d->model_hash, d->model_size);
    printf("  tag       %s\n", d->tag[0] ? d->tag : "-");
    printf("  note      %s\n", d->note ? d->note : "-");
    printf("  recipe    %s\n", d->recipe);
    printf("  artifact  sha256 %s\n", d->artifact);
    printf("  created   %s UTC\n", d->created);
    printf("  children  %" PRId64 "\n", d->children);

    printf("\nruns (newest first; latency: whole model, measured, median)\n");
    if (!x->n_runs)
        printf("  none\n");
    else
        printf("  %-6s %-8s %7s %6s %7s  %-19s  %-19s  %-8s %14s  %s\n", "id", "backend",
               "threads", "warmup", "repeats", "started (UTC)", "finished (UTC)", "status",
               "latency", "host");
    for (int64_t i = 0; i < x->n_runs; i++) {
        const cf_store_run_row *r = &x->runs[i];
        char lat[48] = "-", be[100];
        if (r->latency_us >= 0)
            snprintf(lat, sizeof lat, "%.1f µs", r->latency_us);
        snprintf(be, sizeof be, "%s%s%s", r->backend, r->target[0] ? "/" : "", r->target);
        printf("  %-6" PRId64 " %-8s %7d %6d %7d  %-19s  %-19s  %-8s %15s  %s\n", r->id, be,
               r->threads, r->warmup, r->repeats, r->started, r->finished, r->status, lat,
               r->host);
    }

    printf("\nmetrics\n");
    if (!x->n_metrics)
        printf("  none\n");
    else
        printf("  %-16s %14s %-6s %-10s %-6s %s\n", "name", "value", "unit", "kind", "run",
               "dataset");
    for (int64_t i = 0; i < x->n_metrics; i++) {
        const cf_store_metric *m = &x->metrics[i];
        char run[24] = "-";
        if (m->run)
            snprintf(run, sizeof run, "%" PRId64, m->run);
        printf("  %-16s %14.4g %-6s %-10s %-6s %s\n", m->name, m->value, unit_text(m->unit),
               m->kind, run, m->dataset[0] ? m->dataset : "-");
    }

    if (!x->n_runs)
        return;
    printf("\nlayers of run %" PRId64 " (times: kind as given, µs; params, MACs: static)\n",
           x->runs[0].id);
    printf("  %5s  %-28s %-14s %-9s %11s %11s %11s  %-16s %14s %14s\n", "#", "name", "op",
           "kind", "median µs", "p10 µs", "p90 µs", "impl", "params", "MACs");
    for (int64_t i = 0; i < x->n_layers; i++) {
        const cf_store_layer *l = &x->layers[i];
        printf("  %5d  %-28s %-14s %-9s", l->layer, l->name, l->op, l->kind);
        if (l->has_time)
            printf(" %11.2f %11.2f %11.2f", l->median, l->p10, l->p90);
        else
            printf(" %11s %11s %11s", "-", "-", "-");
        printf("  %-16s", l->impl[0] ? l->impl : "-");
        print_count(l->params);
        print_count(l->macs);
        printf("\n");
    }
}

/* The same object as the report's "experiment" (app/report/json.c), with
 * its own schema name first. */
static int show_json(const cf_compare_side *x)
{
    cJSON *root = cJSON_CreateObject(), *o = cf_report_experiment_json(x);
    if (!root || !o || !cJSON_AddStringToObject(root, "schema", "chipfit.exp/1")) {
        cJSON_Delete(root);
        cJSON_Delete(o);
        fprintf(stderr, "chipfit: out of memory writing JSON\n");
        return CF_EXIT_FAIL;
    }
    for (cJSON *it = o->child; it;) {   /* move o's members after "schema", in order */
        cJSON *next = it->next;
        cJSON_AddItemToObject(root, it->string, cJSON_DetachItemViaPointer(o, it));
        it = next;
    }
    cJSON_Delete(o);
    return cf_cli_print_json(root);
}

static int exp_show(int argc, char **argv)
{
    exp_args a;
    int rc = parse("show", argc, argv, OPT_JSON, 0, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    cf_compare_side x = {0};
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_READONLY, &st, &err) ||
        cf_compare_load(st, a.id, &x, &err)) {
        rc = fail(st, &err);
        st = NULL;
    } else if (a.json) {
        rc = show_json(&x);
    } else {
        show_text(&x);
        rc = CF_EXIT_OK;
    }
    cf_compare_side_clear(&x);
    cf_store_close(st);
    return rc;
}

/* ---- changing ------------------------------------------------------------------- */

static int exp_label(const char *sub, int argc, char **argv)
{
    exp_args a;
    int rc = parse(sub, argc, argv, 0, 1, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    int is_tag = strcmp(sub, "tag") == 0;
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_NOCREATE, &st, &err) ||
        (is_tag ? cf_store_tag(st, a.id, a.text, &err) : cf_store_note(st, a.id, a.text, &err)))
        return fail(st, &err);
    cf_store_close(st);
    printf("experiment %" PRId64 ": %s %s\n", a.id, sub, a.text[0] ? "set" : "cleared");
    return CF_EXIT_OK;
}

static int exp_rm(int argc, char **argv)
{
    exp_args a;
    int rc = parse("rm", argc, argv, OPT_RECURSIVE, 0, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    int64_t n = 0;
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_NOCREATE, &st, &err))
        return fail(st, &err);
    if (cf_store_remove(st, a.id, a.recursive ? CF_STORE_RECURSIVE : 0, &n, &err)) {
        if (err.code != CF_EINVAL)
            return fail(st, &err);
        cf_cli_error("%s; --recursive removes the whole subtree", err.msg);
        cf_store_close(st);
        return CF_EXIT_FAIL;
    }
    cf_store_close(st);
    printf("removed %" PRId64 " experiment%s\n", n, n == 1 ? "" : "s");
    return CF_EXIT_OK;
}

static int exp_export(int argc, char **argv)
{
    exp_args a;
    int rc = parse("export", argc, argv, OPT_OUTPUT, 0, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_READONLY, &st, &err) ||
        cf_store_export(st, a.id, a.output, &err))
        return fail(st, &err);
    cf_store_close(st);
    return CF_EXIT_OK;
}

/* ---- diff ----------------------------------------------------------------------- */

static void run_line(const char *side, const cf_compare_side *x)
{
    const cf_store_run_row *r = &x->runs[0];
    printf("%s  experiment %" PRId64 " (%s%s%s), run %" PRId64 ": %s, %d thread%s, %s UTC\n",
           side, x->exp->id, x->exp->model_name, x->exp->tag[0] ? ", " : "", x->exp->tag, r->id,
           r->backend, r->threads, r->threads == 1 ? "" : "s", r->started);
}

static void diff_text(const cf_compare_side *a, const cf_compare_side *b, const cf_compare *c)
{
    run_line("A", a);
    run_line("B", b);
    printf("deltas are B - A; percentages are of A\n");

    printf("\nmetrics (the newest of each name, dataset and unit both have)\n");
    if (!c->n_metrics)
        printf("  none in common\n");
    else
        printf("  %-16s %-12s %-6s %14s %14s %14s %8s  %s\n", "name", "dataset", "unit", "A",
               "B", "delta", "%", "kind (A / B)");
    for (int64_t i = 0; i < c->n_metrics; i++) {
        const cf_compare_metric *m = &c->metrics[i];
        char pct[32] = "-";
        if (m->has_pct)
            snprintf(pct, sizeof pct, "%+.1f%%", m->pct);
        printf("  %-16s %-12s %-6s %14.6g %14.6g %+14.6g %8s  %s / %s\n", m->name,
               m->dataset[0] ? m->dataset : "-", unit_text(m->unit), m->a, m->b, m->delta, pct,
               m->kind_a, m->kind_b);
    }

    printf("\nlayers: %" PRId64 " in both, %" PRId64 " removed (only in A), %" PRId64
           " added (only in B)\n(median µs: kind as given, A %s, B %s; params, MACs: static)\n",
           c->n_both, c->n_removed, c->n_added, a->n_layers ? a->layers[0].kind : "-",
           b->n_layers ? b->layers[0].kind : "-");
    printf("  %-8s %-28s %-14s %13s %13s %13s %8s %14s %14s\n", "status", "name", "op",
           "A µs", "B µs", "delta µs", "%", "delta params", "delta MACs");
    for (int64_t i = 0; i < c->n_layers; i++) {
        const cf_compare_layer *l = &c->layers[i];
        char ta[32] = "-", tb[32] = "-", d[32] = "-", p[32] = "-", dp[32] = "-", dm[32] = "-";
        if (l->a.index >= 0 && l->a.has_time)
            snprintf(ta, sizeof ta, "%.2f", l->a.median);
        if (l->b.index >= 0 && l->b.has_time)
            snprintf(tb, sizeof tb, "%.2f", l->b.median);
        if (l->has_delta)
            snprintf(d, sizeof d, "%+.2f", l->delta);
        if (l->has_pct)
            snprintf(p, sizeof p, "%+.1f%%", l->pct);
        if (l->has_d_params)
            snprintf(dp, sizeof dp, "%+" PRId64, l->d_params);
        if (l->has_d_macs)
            snprintf(dm, sizeof dm, "%+" PRId64, l->d_macs);
        printf("  %-8s %-28s %-14s %12s %12s %12s %8s %14s %14s\n",
               cf_compare_status_name(l->status), l->name, l->op, ta, tb, d, p, dp, dm);
    }
}

static int exp_diff(int argc, char **argv)
{
    exp_args a;
    int rc = parse("diff", argc, argv, OPT_JSON, 1, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    cf_compare_side x = {0}, y = {0};
    cf_compare c = {0};
    rc = CF_EXIT_FAIL;
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_READONLY, &st, &err) ||
        cf_compare_load(st, a.id, &x, &err) || cf_compare_load(st, a.id2, &y, &err)) {
        cf_cli_error("%s", err.msg);
        goto done;
    }
    if (!x.n_runs || !y.n_runs) {
        cf_cli_error("experiment %" PRId64 " has no run to compare (`chipfit profile` records one)",
                     x.n_runs ? y.exp->id : x.exp->id);
        goto done;
    }
    if (cf_compare_build(x.layers, x.n_layers, y.layers, y.n_layers, x.metrics, x.n_metrics,
                         y.metrics, y.n_metrics, &c, &err)) {
        cf_cli_error("%s", err.msg);
        goto done;
    }
    if (a.json) {
        cJSON *o = cf_report_compare_json(&c, a.id, x.runs[0].id, a.id2, y.runs[0].id);
        if (o)
            cJSON_AddStringToObject(o, "schema", "chipfit.diff/1");
        if (cf_cli_print_json(o) != CF_EXIT_OK)
            goto done;
    } else {
        diff_text(&x, &y, &c);
    }
    rc = CF_EXIT_OK;
done:
    cf_compare_clear(&c);
    cf_compare_side_clear(&x);
    cf_compare_side_clear(&y);
    cf_store_close(st);
    return rc;
}

int cf_cmd_exp(int argc, char **argv)
{
    static const char subs[] = "list, show, tag, note, rm, export, diff";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            return cf_cli_usage("exp", "exp needs a subcommand: %s", subs);
        fputs(cf_cmd_exp_help, stdout);
        return CF_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "list") == 0)
        return exp_list(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return exp_show(argc - 1, argv + 1);
    if (strcmp(sub, "tag") == 0 || strcmp(sub, "note") == 0)
        return exp_label(sub, argc - 1, argv + 1);
    if (strcmp(sub, "rm") == 0)
        return exp_rm(argc - 1, argv + 1);
    if (strcmp(sub, "export") == 0)
        return exp_export(argc - 1, argv + 1);
    if (strcmp(sub, "diff") == 0)
        return exp_diff(argc - 1, argv + 1);
    return cf_cli_usage("exp", "unknown subcommand '%s' (%s)", sub, subs);
}
