/* json.c — the report as JSON (schema chipfit.report/1, docs/report-json.md)
 * and the comparison object `exp diff --json` shares with it. */
#include <stdio.h>
#include <stdlib.h>

#include "report/report.h"

static void add_id(cJSON *o, const char *name, int64_t id)
{
    if (id > 0)
        cJSON_AddNumberToObject(o, name, (double)id);
    else
        cJSON_AddNullToObject(o, name);
}

static void add_count(cJSON *o, const char *name, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, (double)v);
}

static void add_text(cJSON *o, const char *name, const char *s)
{
    if (s && s[0])
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

static void add_opt(cJSON *o, const char *name, int has, double v)
{
    if (has)
        cJSON_AddNumberToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

cJSON *cf_report_experiment_json(const cf_compare_side *x)
{
    const cf_store_detail *d = x->exp;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)d->id);
    add_id(o, "parent", d->parent);
    cJSON *m = cJSON_AddObjectToObject(o, "model");
    if (m) {
        cJSON_AddNumberToObject(m, "id", (double)d->model);
        cJSON_AddStringToObject(m, "name", d->model_name);
        cJSON_AddStringToObject(m, "sha256", d->model_hash);
        cJSON_AddNumberToObject(m, "size_bytes", (double)d->model_size);
    }
    add_text(o, "tag", d->tag);
    add_text(o, "note", d->note);
    cJSON *recipe = cJSON_Parse(d->recipe);   /* the recipe as JSON, else as its text */
    cJSON_AddItemToObject(o, "recipe", recipe ? recipe : cJSON_CreateString(d->recipe));
    cJSON_AddStringToObject(o, "artifact", d->artifact);
    cJSON_AddStringToObject(o, "created", d->created);
    cJSON_AddNumberToObject(o, "children", (double)d->children);
    cJSON *runs = cJSON_AddArrayToObject(o, "runs");
    for (int64_t i = 0; runs && i < x->n_runs; i++) {
        const cf_store_run_row *r = &x->runs[i];
        cJSON *ro = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(runs, ro))
            break;
        cJSON_AddNumberToObject(ro, "id", (double)r->id);
        cJSON_AddStringToObject(ro, "backend", r->backend);
        add_text(ro, "target", r->target);
        cJSON_AddNumberToObject(ro, "threads", r->threads);
        cJSON_AddNumberToObject(ro, "warmup", r->warmup);
        cJSON_AddNumberToObject(ro, "repeats", r->repeats);
        cJSON_AddStringToObject(ro, "host", r->host);
        cJSON_AddStringToObject(ro, "started", r->started);
        cJSON_AddStringToObject(ro, "finished", r->finished);
        cJSON_AddStringToObject(ro, "status", r->status);
        if (r->latency_us >= 0) {
            cJSON *l = cJSON_AddObjectToObject(ro, "latency");
            cJSON_AddNumberToObject(l, "median", r->latency_us);
            cJSON_AddStringToObject(l, "unit", "us");
            cJSON_AddStringToObject(l, "kind", "measured");
        } else {
            cJSON_AddNullToObject(ro, "latency");
        }
    }
    cJSON *metrics = cJSON_AddArrayToObject(o, "metrics");
    for (int64_t i = 0; metrics && i < x->n_metrics; i++) {
        const cf_store_metric *mt = &x->metrics[i];
        cJSON *mo = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(metrics, mo))
            break;
        cJSON_AddStringToObject(mo, "name", mt->name);
        cJSON_AddNumberToObject(mo, "value", mt->value);
        cJSON_AddStringToObject(mo, "unit", mt->unit);
        cJSON_AddStringToObject(mo, "kind", mt->kind);
        add_id(mo, "run", mt->run);
        add_text(mo, "dataset", mt->dataset);
        cJSON_AddStringToObject(mo, "created", mt->created);
    }
    add_id(o, "layers_run", x->n_runs ? x->runs[0].id : 0);
    cJSON *layers = cJSON_AddArrayToObject(o, "layers");
    for (int64_t i = 0; layers && i < x->n_layers; i++) {
        const cf_store_layer *l = &x->layers[i];
        cJSON *lo = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(layers, lo))
            break;
        cJSON_AddNumberToObject(lo, "index", l->layer);
        cJSON_AddStringToObject(lo, "name", l->name);
        cJSON_AddStringToObject(lo, "op", l->op);
        cJSON_AddStringToObject(lo, "kind", l->kind);
        cJSON_AddStringToObject(lo, "unit", l->unit);
        add_opt(lo, "median", l->has_time, l->median);
        add_opt(lo, "p10", l->has_time, l->p10);
        add_opt(lo, "p90", l->has_time, l->p90);
        add_text(lo, "impl", l->impl);
        cJSON *st = cJSON_AddObjectToObject(lo, "static");
        add_count(st, "params", l->params);
        add_count(st, "macs", l->macs);
        add_count(st, "flops", l->flops);
        add_count(st, "bytes_in", l->bytes_in);
        add_count(st, "bytes_out", l->bytes_out);
    }
    return o;
}

static void add_fig(cJSON *o, const char *name, const cf_compare_fig *f)
{
    if (f->index < 0) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    cJSON *s = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(s, "index", f->index);
    cJSON_AddStringToObject(s, "kind", f->kind);
    add_opt(s, "median", f->has_time, f->median);
    add_count(s, "params", f->params);
    add_count(s, "macs", f->macs);
}

static void add_side_metric(cJSON *o, const char *name, double v, const char *kind, int64_t run)
{
    cJSON *s = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(s, "value", v);
    cJSON_AddStringToObject(s, "kind", kind);
    add_id(s, "run", run);
}

cJSON *cf_report_compare_json(const cf_compare *c, int64_t a, int64_t run_a, int64_t b,
                              int64_t run_b)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "a", (double)a);
    add_id(o, "run_a", run_a);
    cJSON_AddNumberToObject(o, "b", (double)b);
    add_id(o, "run_b", run_b);
    cJSON *n = cJSON_AddObjectToObject(o, "counts");
    if (n) {
        cJSON_AddNumberToObject(n, "both", (double)c->n_both);
        cJSON_AddNumberToObject(n, "removed", (double)c->n_removed);
        cJSON_AddNumberToObject(n, "added", (double)c->n_added);
    }
    cJSON *layers = cJSON_AddArrayToObject(o, "layers");
    for (int64_t i = 0; layers && i < c->n_layers; i++) {
        const cf_compare_layer *l = &c->layers[i];
        cJSON *lo = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(layers, lo))
            break;
        cJSON_AddStringToObject(lo, "status", cf_compare_status_name(l->status));
        cJSON_AddStringToObject(lo, "name", l->name);
        cJSON_AddStringToObject(lo, "op", l->op);
        cJSON_AddStringToObject(lo, "unit", l->unit);
        add_fig(lo, "a", &l->a);
        add_fig(lo, "b", &l->b);
        cJSON *d = cJSON_AddObjectToObject(lo, "delta");
        add_opt(d, "median", l->has_delta, l->delta);
        add_opt(d, "pct", l->has_pct, l->pct);
        add_opt(d, "params", l->has_d_params, (double)l->d_params);
        add_opt(d, "macs", l->has_d_macs, (double)l->d_macs);
    }
    cJSON *metrics = cJSON_AddArrayToObject(o, "metrics");
    for (int64_t i = 0; metrics && i < c->n_metrics; i++) {
        const cf_compare_metric *m = &c->metrics[i];
        cJSON *mo = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(metrics, mo))
            break;
        cJSON_AddStringToObject(mo, "name", m->name);
        cJSON_AddStringToObject(mo, "unit", m->unit);
        add_text(mo, "dataset", m->dataset);
        add_side_metric(mo, "a", m->a, m->kind_a, m->run_a);
        add_side_metric(mo, "b", m->b, m->kind_b, m->run_b);
        cJSON_AddNumberToObject(mo, "delta", m->delta);
        add_opt(mo, "pct", m->has_pct, m->pct);
    }
    return o;
}

int cf_report_json(FILE *f, const cf_report *r, cf_error *err)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        goto oom;
    cJSON_AddStringToObject(root, "schema", "chipfit.report/1");
    cJSON_AddItemToObject(root, "experiment", cf_report_experiment_json(r->exp));
    if (r->base) {
        const cf_compare_side *a = r->base, *b = r->exp;
        cJSON_AddItemToObject(root, "baseline", cf_report_experiment_json(a));
        cJSON_AddItemToObject(root, "compare",
                              cf_report_compare_json(r->cmp, a->exp->id,
                                                     a->n_runs ? a->runs[0].id : 0, b->exp->id,
                                                     b->n_runs ? b->runs[0].id : 0));
    } else {
        cJSON_AddNullToObject(root, "baseline");
        cJSON_AddNullToObject(root, "compare");
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    root = NULL;
    if (!s)
        goto oom;
    fputs(s, f);
    fputc('\n', f);
    cJSON_free(s);
    return 0;
oom:
    cJSON_Delete(root);
    return cf_error_set(err, CF_ENOMEM, "writing the JSON report: out of memory");
}
