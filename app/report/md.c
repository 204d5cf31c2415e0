/* md.c — the report as Markdown, to paste into a pull request: the
 * experiment, its runs and metrics, its slowest layers, and with a baseline
 * what changed. Every figure says measured, estimated or static, and its
 * unit. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* A table cell: '|' escaped, newlines as spaces, "-" for empty. */
static void cell(FILE *f, const char *s)
{
    if (!s || !s[0]) {
        fputs(" - |", f);
        return;
    }
    fputc(' ', f);
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
    fputs(" |", f);
}

static void cellf(FILE *f, const char *fmt, double v, int has)
{
    char buf[64];
    if (has)
        snprintf(buf, sizeof buf, fmt, v);
    cell(f, has ? buf : NULL);
}

static void cell_count(FILE *f, int64_t v, int has, int sign)
{
    char buf[32];
    if (has)
        snprintf(buf, sizeof buf, sign ? "%+" PRId64 : "%" PRId64, v);
    cell(f, has ? buf : NULL);
}

static const char *unit_text(const char *unit)
{
    return strcmp(unit, "us") == 0 ? "µs" : unit;
}

static void experiment(FILE *f, const cf_compare_side *x)
{
    const cf_store_detail *d = x->exp;
    char buf[512];
    fputs("| | |\n|---|---|\n", f);
    fprintf(f, "| experiment | %" PRId64 " |\n", d->id);
    if (d->parent)
        fprintf(f, "| parent | %" PRId64 " |\n", d->parent);
    else
        fputs("| parent | - (a base experiment) |\n", f);
    fputs("| model |", f);
    snprintf(buf, sizeof buf, "%s (%" PRId64 " bytes, sha256 %s)", d->model_name, d->model_size,
             d->model_hash);
    cell(f, buf);
    fputs("\n| tag |", f);
    cell(f, d->tag);
    fputs("\n| note |", f);
    cell(f, d->note);
    fputs("\n| recipe |", f);
    cell(f, d->recipe);
    fprintf(f, "\n| artifact | sha256 %s |\n", d->artifact);
    fprintf(f, "| created | %s UTC |\n", d->created);
}

static void runs(FILE *f, const cf_compare_side *x)
{
    if (!x->n_runs) {
        fputs("None.\n", f);
        return;
    }
    fputs("| run | backend | threads | warm-up | repeats | started (UTC) | status | latency "
          "(whole model, measured, median) |\n|---:|---|---:|---:|---:|---|---|---:|\n",
          f);
    for (int64_t i = 0; i < x->n_runs; i++) {
        const cf_store_run_row *r = &x->runs[i];
        char be[100];
        snprintf(be, sizeof be, "%s%s%s", r->backend, r->target[0] ? "/" : "", r->target);
        fprintf(f, "| %" PRId64 " |", r->id);
        cell(f, be);
        fprintf(f, " %d | %d | %d | %s | %s |", r->threads, r->warmup, r->repeats, r->started,
                r->status);
        cellf(f, "%.1f µs", r->latency_us, r->latency_us >= 0);
        fputc('\n', f);
    }
}

static void metrics(FILE *f, const cf_compare_side *x)
{
    if (!x->n_metrics) {
        fputs("None.\n", f);
        return;
    }
    fputs("| metric | value | unit | kind | dataset | run |\n|---|---:|---|---|---|---:|\n", f);
    for (int64_t i = 0; i < x->n_metrics; i++) {
        const cf_store_metric *m = &x->metrics[i];
        fputs("|", f);
        cell(f, m->name);
        cellf(f, "%.6g", m->value, 1);
        cell(f, unit_text(m->unit));
        cell(f, m->kind);
        cell(f, m->dataset);
        cell_count(f, m->run, m->run > 0, 0);
        fputc('\n', f);
    }
}

static const cf_store_layer *sort_layers;

static int by_time(const void *x, const void *y)
{
    const cf_store_layer *a = &sort_layers[*(const int64_t *)x];
    const cf_store_layer *b = &sort_layers[*(const int64_t *)y];
    double ta = a->has_time ? a->median : -1, tb = b->has_time ? b->median : -1;
    return ta < tb ? 1 : ta > tb ? -1 : (a->layer > b->layer) - (a->layer < b->layer);
}

static int top_layers(FILE *f, const cf_compare_side *x, cf_error *err)
{
    if (!x->n_runs) {
        fputs("No run recorded.\n", f);
        return 0;
    }
    int64_t *order = malloc(((size_t)x->n_layers + 1) * sizeof *order);
    if (!order)
        return cf_error_set(err, CF_ENOMEM, "writing the report: out of memory");
    double total = 0;
    for (int64_t i = 0; i < x->n_layers; i++) {
        order[i] = i;
        total += x->layers[i].has_time ? x->layers[i].median : 0;
    }
    sort_layers = x->layers;
    qsort(order, (size_t)x->n_layers, sizeof *order, by_time);
    int64_t n = x->n_layers < CF_REPORT_TOP_LAYERS ? x->n_layers : CF_REPORT_TOP_LAYERS;
    fprintf(f,
            "Run %" PRId64 ", the %" PRId64 " slowest of %" PRId64
            " layers. Times per layer: median µs, kind as given; share: of the sum of "
            "the layer medians; params and MACs: static.\n\n",
            x->runs[0].id, n, x->n_layers);
    fputs("| # | layer | op | kind | median µs | share | impl | params | MACs |\n"
          "|---:|---|---|---|---:|---:|---|---:|---:|\n",
          f);
    for (int64_t k = 0; k < n; k++) {
        const cf_store_layer *l = &x->layers[order[k]];
        fprintf(f, "| %d |", (int)l->layer);
        cell(f, l->name);
        cell(f, l->op);
        cell(f, l->kind);
        cellf(f, "%.2f", l->median, l->has_time);
        cellf(f, "%.1f%%", total > 0 ? 100 * l->median / total : 0, l->has_time && total > 0);
        cell(f, l->impl);
        cell_count(f, l->params, l->params >= 0, 0);
        cell_count(f, l->macs, l->macs >= 0, 0);
        fputc('\n', f);
    }
    free(order);
    return 0;
}

static const cf_compare_layer *sort_rows;

static int by_delta(const void *x, const void *y)
{
    const cf_compare_layer *a = &sort_rows[*(const int64_t *)x];
    const cf_compare_layer *b = &sort_rows[*(const int64_t *)y];
    double da = fabs(a->delta), db = fabs(b->delta);
    return da < db ? 1 : da > db ? -1 : (a > b) - (a < b);   /* ties: in layer order */
}

static void compared_row(FILE *f, const cf_compare_layer *l)
{
    fputs("|", f);
    cell(f, cf_compare_status_name(l->status));
    cell(f, l->name);
    cell(f, l->op);
    cellf(f, "%.2f", l->a.median, l->a.index >= 0 && l->a.has_time);
    cellf(f, "%.2f", l->b.median, l->b.index >= 0 && l->b.has_time);
    cellf(f, "%+.2f", l->delta, l->has_delta);
    cellf(f, "%+.1f%%", l->pct, l->has_pct);
    cell_count(f, l->d_params, l->has_d_params, 1);
    cell_count(f, l->d_macs, l->has_d_macs, 1);
    fputc('\n', f);
}

static int comparison(FILE *f, const cf_report *r, cf_error *err)
{
    const cf_compare_side *a = r->base, *b = r->exp;
    const cf_compare *c = r->cmp;
    fprintf(f, "\n## Compared with experiment %" PRId64 " (%s)\n\n", a->exp->id,
            a->exp->tag[0] ? a->exp->tag : a->exp->model_name);
    fprintf(f,
            "Deltas are experiment %" PRId64 " minus the baseline, experiment %" PRId64
            "; percentages are of the baseline. Layers: run %" PRId64 " against run %" PRId64
            ", matched by name, then by index and op.\n",
            b->exp->id, a->exp->id, b->n_runs ? b->runs[0].id : 0,
            a->n_runs ? a->runs[0].id : 0);
    fputs("\n### Metrics\n\n", f);
    if (!c->n_metrics) {
        fputs("No metric both have.\n", f);
    } else {
        fputs("| metric | dataset | unit | baseline | this | delta | delta % | kind (baseline / "
              "this) |\n|---|---|---|---:|---:|---:|---:|---|\n",
              f);
        for (int64_t i = 0; i < c->n_metrics; i++) {
            const cf_compare_metric *m = &c->metrics[i];
            char kinds[40];
            snprintf(kinds, sizeof kinds, "%s / %s", m->kind_a, m->kind_b);
            fputs("|", f);
            cell(f, m->name);
            cell(f, m->dataset);
            cell(f, unit_text(m->unit));
            cellf(f, "%.6g", m->a, 1);
            cellf(f, "%.6g", m->b, 1);
            cellf(f, "%+.6g", m->delta, 1);
            cellf(f, "%+.1f%%", m->pct, m->has_pct);
            cell(f, kinds);
            fputc('\n', f);
        }
    }
    fputs("\n### Layers\n\n", f);
    int64_t *order = malloc(((size_t)c->n_layers + 1) * sizeof *order);
    if (!order)
        return cf_error_set(err, CF_ENOMEM, "writing the report: out of memory");
    int64_t n = 0;
    for (int64_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].status == CF_COMPARE_BOTH && c->layers[i].has_delta)
            order[n++] = i;
    sort_rows = c->layers;
    qsort(order, (size_t)n, sizeof *order, by_delta);
    int64_t shown = n < CF_REPORT_TOP_DELTAS ? n : CF_REPORT_TOP_DELTAS;
    fprintf(f,
            "%" PRId64 " in both, %" PRId64 " removed, %" PRId64
            " added. The %" PRId64 " largest time changes of the layers in both, then every "
            "layer removed or added. Times: median µs (measured or estimated, as recorded); "
            "params and MACs: static.\n\n",
            c->n_both, c->n_removed, c->n_added, shown);
    fputs("| status | layer | op | baseline µs | this µs | delta µs | delta % | delta params | "
          "delta MACs |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n",
          f);
    for (int64_t k = 0; k < shown; k++)
        compared_row(f, &c->layers[order[k]]);
    for (int64_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].status != CF_COMPARE_BOTH)
            compared_row(f, &c->layers[i]);
    free(order);
    return 0;
}

int cf_report_md(FILE *f, const cf_report *r, cf_error *err)
{
    const cf_compare_side *x = r->exp;
    fprintf(f, "# chipfit report: experiment %" PRId64 ", %s\n\n", x->exp->id,
            x->exp->model_name);
    fputs("## Experiment\n\n", f);
    experiment(f, x);
    fputs("\n## Runs\n\nNewest first.\n\n", f);
    runs(f, x);
    fputs("\n## Metrics\n\n", f);
    metrics(f, x);
    fputs("\n## Top layers by time\n\n", f);
    if (top_layers(f, x, err))
        return err->code;
    if (r->base && comparison(f, r, err))
        return err->code;
    return 0;
}
