/* html.c — the report as one self-contained HTML page: inline CSS and inline
 * SVG only (no script, no external resource), so it opens offline and can be
 * attached to a ticket. The experiment, its runs and metrics as tables; a bar
 * chart of per-layer time (with a baseline, both side by side per layer); the
 * time share per op type; the latency of every experiment of the model in
 * tree order, and accuracy and size when the store holds them as metrics.
 * Every text that comes from the model or the store is escaped. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define CHART_W 1000        /* SVG user units; the page scales it to its width */
#define LABEL_W 260         /* left column of the horizontal bar charts */
#define VALUE_W 110         /* right column: the figure */
#define LABEL_MAX 34        /* bytes of a name drawn; the whole one is in <title> */
#define COLOR_EXP "#3b6fb6"
#define COLOR_BASE "#d08a2e"

/* Text in an element or an attribute value: & < > " ' as entities, control
 * characters as spaces. */
static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
        }
    }
}

/* At most LABEL_MAX bytes of s, cut at a UTF-8 character boundary, with an
 * ellipsis when cut. */
static void esc_short(FILE *f, const char *s)
{
    size_t n = strlen(s);
    if (n <= LABEL_MAX) {
        esc(f, s);
        return;
    }
    n = LABEL_MAX - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char buf[LABEL_MAX + 1];
    memcpy(buf, s, n);
    buf[n] = 0;
    esc(f, buf);
    fputs("…", f);
}

static void td(FILE *f, const char *s)
{
    fputs("<td>", f);
    if (s && s[0])
        esc(f, s);
    else
        fputs("-", f);
    fputs("</td>", f);
}

static void tdf(FILE *f, const char *fmt, double v, int has)
{
    char buf[64];
    if (has)
        snprintf(buf, sizeof buf, fmt, v);
    fputs("<td class=\"n\">", f);
    esc(f, has ? buf : "-");
    fputs("</td>", f);
}

static const char *unit_text(const char *unit)
{
    return strcmp(unit, "us") == 0 ? "µs" : unit;
}

static const char *side_name(const cf_compare_side *x)
{
    return x->exp->tag[0] ? x->exp->tag : x->exp->model_name;
}

/* "cpu, 2 threads" for the latest run of x ("no run" when none). */
static void run_label(char *buf, size_t n, const cf_compare_side *x)
{
    if (!x->n_runs) {
        snprintf(buf, n, "no run");
        return;
    }
    const cf_store_run_row *r = &x->runs[0];
    snprintf(buf, n, "run %" PRId64 ": %s%s%s, %d thread%s", r->id, r->backend,
             r->target[0] ? "/" : "", r->target, r->threads, r->threads == 1 ? "" : "s");
}

/* "measured", "estimated", or both when the layers mix them. */
static const char *layers_kind(const cf_store_layer *l, int64_t n)
{
    const char *k = NULL;
    for (int64_t i = 0; i < n; i++) {
        if (!l[i].has_time)
            continue;
        if (k && strcmp(k, l[i].kind))
            return "measured or estimated, as recorded per layer";
        k = l[i].kind;
    }
    return k ? k : "none recorded";
}

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccd}"
    "table{border-collapse:collapse;margin:8px 0}"
    "td,th{border:1px solid #ccd;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef1f6}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-size:12px;word-break:break-all}"
    ".kind{color:#555;font-size:12px}"
    "svg{max-width:100%;height:auto;display:block;margin:8px 0}"
    "svg text{font:12px system-ui,sans-serif;fill:#1b1f24}";

static void experiment(FILE *f, const cf_compare_side *x)
{
    const cf_store_detail *d = x->exp;
    fputs("<table>\n<tr><th>experiment</th>", f);
    fprintf(f, "<td>%" PRId64 "</td></tr>\n<tr><th>parent</th>", d->id);
    if (d->parent)
        fprintf(f, "<td>%" PRId64 "</td></tr>\n", d->parent);
    else
        fputs("<td>- (a base experiment)</td></tr>\n", f);
    fputs("<tr><th>model</th>", f);
    td(f, d->model_name);
    fprintf(f,
            "</tr>\n<tr><th>model size</th><td>%" PRId64
            " bytes <span class=\"kind\">static</span></td></tr>\n",
            d->model_size);
    fprintf(f, "<tr><th>model hash</th><td><code>sha256 %s</code></td></tr>\n", d->model_hash);
    fputs("<tr><th>tag</th>", f);
    td(f, d->tag);
    fputs("</tr>\n<tr><th>note</th>", f);
    td(f, d->note);
    fputs("</tr>\n<tr><th>recipe</th><td><code>", f);
    esc(f, d->recipe);
    fprintf(f, "</code></td></tr>\n<tr><th>artifact</th><td><code>sha256 %s</code></td></tr>\n",
            d->artifact);
    fputs("<tr><th>created</th>", f);
    td(f, d->created);
    fputs("</tr>\n</table>\n", f);
}

static void runs(FILE *f, const cf_compare_side *x)
{
    if (!x->n_runs) {
        fputs("<p>None.</p>\n", f);
        return;
    }
    fputs("<p>Newest first.</p>\n<table>\n<tr><th>run</th><th>backend</th><th>threads</th>"
          "<th>warm-up</th><th>repeats</th><th>started (UTC)</th><th>status</th>"
          "<th>latency, whole model: median µs, measured</th></tr>\n",
          f);
    for (int64_t i = 0; i < x->n_runs; i++) {
        const cf_store_run_row *r = &x->runs[i];
        char be[100];
        snprintf(be, sizeof be, "%s%s%s", r->backend, r->target[0] ? "/" : "", r->target);
        fprintf(f, "<tr><td class=\"n\">%" PRId64 "</td>", r->id);
        td(f, be);
        fprintf(f, "<td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%d</td>",
                r->threads, r->warmup, r->repeats);
        td(f, r->started);
        td(f, r->status);
        tdf(f, "%.1f µs", r->latency_us, r->latency_us >= 0);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void metrics(FILE *f, const cf_compare_side *x)
{
    if (!x->n_metrics) {
        fputs("<p>None.</p>\n", f);
        return;
    }
    fputs("<table>\n<tr><th>metric</th><th>value</th><th>unit</th><th>kind</th>"
          "<th>dataset</th><th>run</th></tr>\n",
          f);
    for (int64_t i = 0; i < x->n_metrics; i++) {
        const cf_store_metric *m = &x->metrics[i];
        fputs("<tr>", f);
        td(f, m->name);
        tdf(f, "%.6g", m->value, 1);
        td(f, unit_text(m->unit));
        td(f, m->kind);
        td(f, m->dataset);
        tdf(f, "%.0f", (double)m->run, m->run > 0);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* ---- charts --------------------------------------------------------------------------- */

/* One row of a horizontal bar chart: a label and up to two bars. */
typedef struct bar_row {
    const char *label;
    const char *sub;            /* a second label (the op), or NULL */
    int has[2];
    double v[2];
} bar_row;

static void svg_open(FILE *f, int h, const char *title)
{
    fprintf(f,
            "<svg width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
            CHART_W, h, CHART_W, h);
    esc(f, title);
    fputs("\">\n", f);
}

/* Horizontal bars, one group per row, scaled to the largest value; nbar is
 * 1 or 2 (baseline first, then the experiment). fmt formats a value. */
static void hbars(FILE *f, const bar_row *rows, int64_t n, int nbar, const char *fmt,
                  const char *title)
{
    const int bar_h = 14, gap = 8, top = 8;
    int row_h = nbar * bar_h + gap;
    double max = 0;
    for (int64_t i = 0; i < n; i++)
        for (int k = 0; k < nbar; k++)
            if (rows[i].has[k] && rows[i].v[k] > max)
                max = rows[i].v[k];
    int h = top + (int)n * row_h + 8;
    int span = CHART_W - LABEL_W - VALUE_W;
    svg_open(f, h, title);
    fprintf(f, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#889\"/>\n", LABEL_W, LABEL_W,
            h);
    for (int64_t i = 0; i < n; i++) {
        const bar_row *r = &rows[i];
        int y = top + (int)i * row_h;
        fputs("<g><title>", f);
        esc(f, r->label);
        if (r->sub) {
            fputs(" (", f);
            esc(f, r->sub);
            fputs(")", f);
        }
        fputs("</title>\n", f);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 6,
                y + nbar * bar_h / 2 + 4);
        esc_short(f, r->label);
        if (r->sub) {
            fputs(" <tspan fill=\"#667\">", f);
            esc(f, r->sub);
            fputs("</tspan>", f);
        }
        fputs("</text>\n", f);
        for (int k = 0; k < nbar; k++) {
            int by = y + k * bar_h;
            const char *color = nbar == 2 && k == 0 ? COLOR_BASE : COLOR_EXP;
            char val[64];
            if (!r->has[k]) {
                fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#667\">-</text>\n", LABEL_W + 4,
                        by + bar_h - 3);
                continue;
            }
            double w = max > 0 ? span * r->v[k] / max : 0;
            snprintf(val, sizeof val, fmt, r->v[k]);
            fprintf(f,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                    "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
                    LABEL_W, by, w < 1 ? 1 : w, bar_h - 2, color, LABEL_W + (w < 1 ? 1 : w) + 4,
                    by + bar_h - 3, val);
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
}

static void legend(FILE *f, const char *color, const char *what)
{
    fprintf(f,
            "<span style=\"display:inline-block;width:12px;height:12px;background:%s;"
            "margin:0 4px 0 12px;vertical-align:-1px\"></span>",
            color);
    esc(f, what);
}

static int layer_chart(FILE *f, const cf_report *r, cf_error *err)
{
    const cf_compare_side *x = r->exp;
    char lx[160], lb[160];
    run_label(lx, sizeof lx, x);
    if (!x->n_runs) {
        fputs("<p>No run recorded.</p>\n", f);
        return 0;
    }
    int64_t n = r->base ? r->cmp->n_layers : x->n_layers;
    bar_row *rows = calloc((size_t)n + 1, sizeof *rows);
    if (!rows)
        return cf_error_set(err, CF_ENOMEM, "writing the report: out of memory");
    fputs("<p>Median µs per layer of the latest run, ", f);
    esc(f, layers_kind(x->layers, x->n_layers));
    fputs(" (", f);
    esc(f, lx);
    fputs(").", f);
    if (r->base) {
        run_label(lb, sizeof lb, r->base);
        fputs(" Baseline experiment ", f);
        fprintf(f, "%" PRId64 " (", r->base->exp->id);
        esc(f, lb);
        fputs("), ", f);
        esc(f, layers_kind(r->base->layers, r->base->n_layers));
        fputs(". Layers matched by name, then by index and op; a removed or added layer "
              "has one bar.</p>\n<p>",
              f);
        snprintf(lb, sizeof lb, "baseline: experiment %" PRId64, r->base->exp->id);
        legend(f, COLOR_BASE, lb);
        snprintf(lx, sizeof lx, "this: experiment %" PRId64, x->exp->id);
        legend(f, COLOR_EXP, lx);
        for (int64_t i = 0; i < n; i++) {
            const cf_compare_layer *l = &r->cmp->layers[i];
            rows[i] = (bar_row){l->name, l->op,
                                {l->a.index >= 0 && l->a.has_time, l->b.index >= 0 && l->b.has_time},
                                {l->a.median, l->b.median}};
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            const cf_store_layer *l = &x->layers[i];
            rows[i] = (bar_row){l->name, l->op, {l->has_time, 0}, {l->median, 0}};
        }
    }
    fputs("</p>\n", f);
    hbars(f, rows, n, r->base ? 2 : 1, "%.2f µs", "median time per layer");
    free(rows);
    return 0;
}

/* The share of each op type in the sum of the layer medians, largest first. */
typedef struct op_share {
    const char *op;
    double us;
    int layers;
} op_share;

static int by_share(const void *x, const void *y)
{
    const op_share *a = x, *b = y;
    return a->us < b->us ? 1 : a->us > b->us ? -1 : strcmp(a->op, b->op);
}

static int op_chart(FILE *f, const cf_compare_side *x, cf_error *err)
{
    if (!x->n_runs) {
        fputs("<p>No run recorded.</p>\n", f);
        return 0;
    }
    op_share *ops = calloc((size_t)x->n_layers + 1, sizeof *ops);
    bar_row *rows = calloc((size_t)x->n_layers + 1, sizeof *rows);
    char(*subs)[32] = calloc((size_t)x->n_layers + 1, sizeof *subs);
    if (!ops || !rows || !subs) {
        free(ops);
        free(rows);
        free(subs);
        return cf_error_set(err, CF_ENOMEM, "writing the report: out of memory");
    }
    int64_t n = 0;
    double total = 0;
    for (int64_t i = 0; i < x->n_layers; i++) {
        const cf_store_layer *l = &x->layers[i];
        if (!l->has_time)
            continue;
        int64_t k = 0;
        while (k < n && strcmp(ops[k].op, l->op))
            k++;
        if (k == n)
            ops[n++] = (op_share){l->op, 0, 0};
        ops[k].us += l->median;
        ops[k].layers++;
        total += l->median;
    }
    qsort(ops, (size_t)n, sizeof *ops, by_share);
    fputs("<p>Share of each op type in the sum of the layer medians (", f);
    esc(f, layers_kind(x->layers, x->n_layers));
    fprintf(f, ", %.2f µs in all).</p>\n", total);
    for (int64_t k = 0; k < n; k++) {
        snprintf(subs[k], sizeof subs[k], "%.2f µs, %d layer%s", ops[k].us, ops[k].layers,
                 ops[k].layers == 1 ? "" : "s");
        rows[k] = (bar_row){ops[k].op, subs[k], {1, 0},
                            {total > 0 ? 100 * ops[k].us / total : 0, 0}};
    }
    hbars(f, rows, n, 1, "%.1f%%", "time share per op type");
    free(ops);
    free(rows);
    free(subs);
    return 0;
}

/* ---- trend over the experiment tree --------------------------------------------------- */

/* Vertical bars, one per experiment in tree order; those reported are drawn
 * darker. v[i] valid when has[i]. */
static void trend_chart(FILE *f, const cf_store_exp *e, int64_t n, const double *v,
                        const int *has, const char *fmt, const cf_report *r, const char *title)
{
    const int top = 20, plot_h = 200, label_h = 70, left = 60;
    int slot = (CHART_W - left - 10) / (int)(n ? n : 1);
    if (slot > 90)
        slot = 90;
    double max = 0;
    for (int64_t i = 0; i < n; i++)
        if (has[i] && v[i] > max)
            max = v[i];
    int h = top + plot_h + label_h;
    svg_open(f, h, title);
    fprintf(f,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#889\"/>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
            left, top + plot_h, CHART_W - 10, top + plot_h, left - 4, top + plot_h + 4);
    if (max > 0) {
        char buf[64];
        snprintf(buf, sizeof buf, fmt, max);
        fprintf(f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dde\"/>"
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                left, top, CHART_W - 10, top, left - 4, top + 4, buf);
    }
    for (int64_t i = 0; i < n; i++) {
        int x = left + (int)i * slot + slot / 6;
        int w = slot * 2 / 3;
        int cx = x + w / 2;
        int mine = e[i].id == r->exp->exp->id;
        int base = r->base && e[i].id == r->base->exp->id;
        fputs("<g><title>experiment ", f);
        fprintf(f, "%" PRId64, e[i].id);
        if (e[i].name[0]) {
            fputs(" ", f);
            esc(f, e[i].name);
        }
        if (e[i].latency_backend[0])
            fprintf(f, ", latest run on %s, %d thread%s", e[i].latency_backend,
                    e[i].latency_threads, e[i].latency_threads == 1 ? "" : "s");
        fputs("</title>\n", f);
        if (has[i]) {
            double bh = max > 0 ? plot_h * v[i] / max : 0;
            char buf[64];
            snprintf(buf, sizeof buf, fmt, v[i]);
            fprintf(f,
                    "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\" "
                    "opacity=\"%s\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                    x, top + plot_h - (bh < 1 ? 1 : bh), w, bh < 1 ? 1 : bh,
                    base ? COLOR_BASE : COLOR_EXP, mine || base ? "1" : "0.45", cx,
                    top + plot_h - (bh < 1 ? 1 : bh) - 3, buf);
        } else {
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#667\">-</text>\n",
                    cx, top + plot_h - 4);
        }
        /* The label: the id, indented by depth with dots, and the tag. */
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\"%s>", cx, top + plot_h + 16,
                mine ? " font-weight=\"bold\"" : "");
        for (int d = 0; d < e[i].depth && d < 8; d++)
            fputs("·", f);
        fprintf(f, "#%" PRId64 "</text>\n", e[i].id);
        if (e[i].name[0]) {
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#556\">", cx,
                    top + plot_h + 32);
            char tag[16];
            snprintf(tag, sizeof tag, "%.12s", e[i].name);
            esc_short(f, tag);
            fputs("</text>\n", f);
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
}

/* The newest metric of experiment id whose name starts with prefix. */
static int newest_metric(cf_store *st, int64_t id, const char *const *prefixes, double *v,
                         char *unit, char *kind, cf_error *err)
{
    cf_store_metric *m = NULL;
    int64_t n = 0;
    if (cf_store_metrics(st, id, &m, &n, err))
        return -1;
    int found = 0;
    for (int64_t i = n - 1; i >= 0 && !found; i--)
        for (int p = 0; prefixes[p] && !found; p++)
            if (strncmp(m[i].name, prefixes[p], strlen(prefixes[p])) == 0) {
                *v = m[i].value;
                snprintf(unit, 16, "%s", m[i].unit);
                snprintf(kind, 16, "%s", m[i].kind);
                found = 1;
            }
    free(m);
    return found;
}

static int trend(FILE *f, const cf_report *r, cf_store *st, cf_error *err)
{
    cf_store_exp *all = NULL;
    int64_t n_all = 0, n = 0;
    double *v = NULL;
    int *has = NULL;
    int rc = 0;
    if (cf_store_list(st, &all, &n_all, err))
        return err->code;
    /* The experiments of this model, kept in tree order. */
    for (int64_t i = 0; i < n_all; i++)
        if (all[i].model == r->exp->exp->model)
            all[n++] = all[i];
    v = calloc((size_t)n + 1, sizeof *v);
    has = calloc((size_t)n + 1, sizeof *has);
    if (!v || !has) {
        rc = cf_error_set(err, CF_ENOMEM, "writing the report: out of memory");
        goto done;
    }
    fprintf(f,
            "<p>Every experiment of this model (%" PRId64
            "), in tree order: each after its parent, dots for its depth. Latency: the "
            "latest run's whole-model median, measured, in µs (backend and threads in each "
            "bar's tooltip). This experiment is drawn solid",
            n);
    fputs(r->base ? ", the baseline in orange" : "", f);
    fputs(".</p>\n", f);
    for (int64_t i = 0; i < n; i++) {
        has[i] = all[i].latency_us >= 0;
        v[i] = all[i].latency_us;
    }
    trend_chart(f, all, n, v, has, "%.0f", r, "latency per experiment");

    /* Accuracy and size, when the store holds them as metrics. */
    static const char *const acc[] = {"accuracy", "top1", "top5", NULL};
    static const char *const size[] = {"size", NULL};
    const char *const *series[] = {acc, size};
    const char *names[] = {"Accuracy", "Size"};
    for (int s = 0; s < 2; s++) {
        char unit[16] = "", kind[16] = "";
        int any = 0;
        for (int64_t i = 0; i < n; i++) {
            char u[16], k[16];
            int got = newest_metric(st, all[i].id, series[s], &v[i], u, k, err);
            if (got < 0) {
                rc = err->code;
                goto done;
            }
            has[i] = got;
            if (got && !any) {
                memcpy(unit, u, sizeof unit);
                memcpy(kind, k, sizeof kind);
            }
            any |= got;
        }
        if (!any)
            continue;
        fprintf(f, "<h3>%s</h3>\n<p>The newest metric named %s* of each experiment, ",
                names[s], series[s][0]);
        esc(f, kind);
        fputs(", in ", f);
        esc(f, unit_text(unit));
        fputs(" (as recorded; each bar's own unit and kind in the Metrics table).</p>\n", f);
        trend_chart(f, all, n, v, has, "%.4g", r, names[s]);
    }
done:
    free(v);
    free(has);
    free(all);
    return rc;
}

static void comparison(FILE *f, const cf_report *r)
{
    const cf_compare *c = r->cmp;
    fprintf(f,
            "<p>Deltas are experiment %" PRId64 " minus the baseline, experiment %" PRId64
            "; percentages are of the baseline. Layers: %" PRId64 " in both, %" PRId64
            " removed, %" PRId64 " added.</p>\n",
            r->exp->exp->id, r->base->exp->id, c->n_both, c->n_removed, c->n_added);
    if (!c->n_metrics) {
        fputs("<p>No metric both have.</p>\n", f);
        return;
    }
    fputs("<table>\n<tr><th>metric</th><th>dataset</th><th>unit</th><th>baseline</th>"
          "<th>this</th><th>delta</th><th>delta %</th><th>kind (baseline / this)</th></tr>\n",
          f);
    for (int64_t i = 0; i < c->n_metrics; i++) {
        const cf_compare_metric *m = &c->metrics[i];
        char kinds[40];
        snprintf(kinds, sizeof kinds, "%s / %s", m->kind_a, m->kind_b);
        fputs("<tr>", f);
        td(f, m->name);
        td(f, m->dataset);
        td(f, unit_text(m->unit));
        tdf(f, "%.6g", m->a, 1);
        tdf(f, "%.6g", m->b, 1);
        tdf(f, "%+.6g", m->delta, 1);
        tdf(f, "%+.1f%%", m->pct, m->has_pct);
        td(f, kinds);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

int cf_report_html(FILE *f, const cf_report *r, cf_store *st, cf_error *err)
{
    const cf_compare_side *x = r->exp;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    fprintf(f, "chipfit report: experiment %" PRId64 ", ", x->exp->id);
    esc(f, x->exp->model_name);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
    fprintf(f, "chipfit report: experiment %" PRId64 ", ", x->exp->id);
    esc(f, x->exp->model_name);
    fputs("</h1>\n<h2>Experiment</h2>\n", f);
    experiment(f, x);
    fputs("<h2>Runs</h2>\n", f);
    runs(f, x);
    fputs("<h2>Metrics</h2>\n", f);
    metrics(f, x);
    fputs("<h2>Time per layer</h2>\n", f);
    if (layer_chart(f, r, err))
        return err->code;
    fputs("<h2>Time per op type</h2>\n", f);
    if (op_chart(f, x, err))
        return err->code;
    if (r->base) {
        fprintf(f, "<h2>Compared with experiment %" PRId64 " (", r->base->exp->id);
        esc(f, side_name(r->base));
        fputs(")</h2>\n", f);
        comparison(f, r);
    }
    fputs("<h2>Experiment tree</h2>\n", f);
    if (trend(f, r, st, err))
        return err->code;
    fputs("<p class=\"kind\">Written by chipfit report --format html.</p>\n</body>\n</html>\n",
          f);
    return 0;
}
