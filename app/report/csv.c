/* csv.c — the report as CSV: one row per layer under a header (RFC 4180:
 * text fields quoted, a quote inside doubled; an unknown figure is an empty
 * field). Alone: the layers of the experiment's latest run. With a
 * baseline: one row per compared layer, both sides and the deltas. */
#include <inttypes.h>
#include <stdio.h>

#include "report/report.h"

static void text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void count(FILE *f, int has, int64_t v)
{
    fputc(',', f);
    if (has)
        fprintf(f, "%" PRId64, v);
}

static void real(FILE *f, int has, double v)
{
    fputc(',', f);
    if (has)
        fprintf(f, "%.3f", v);
}

static void one(FILE *f, const cf_compare_side *x)
{
    fputs("index,name,op,kind,median_us,p10_us,p90_us,impl,params,macs,flops,bytes_in,"
          "bytes_out\n",
          f);
    for (int64_t i = 0; i < x->n_layers; i++) {
        const cf_store_layer *l = &x->layers[i];
        fprintf(f, "%d,", (int)l->layer);
        text(f, l->name);
        fputc(',', f);
        text(f, l->op);
        fprintf(f, ",%s", l->kind);
        real(f, l->has_time, l->median);
        real(f, l->has_time, l->p10);
        real(f, l->has_time, l->p90);
        fputc(',', f);
        text(f, l->impl);
        count(f, l->params >= 0, l->params);
        count(f, l->macs >= 0, l->macs);
        count(f, l->flops >= 0, l->flops);
        count(f, l->bytes_in >= 0, l->bytes_in);
        count(f, l->bytes_out >= 0, l->bytes_out);
        fputc('\n', f);
    }
}

static void side(FILE *f, const cf_compare_fig *s)
{
    count(f, s->index >= 0, s->index);
    fputc(',', f);
    fputs(s->kind, f);
    real(f, s->index >= 0 && s->has_time, s->median);
    count(f, s->index >= 0 && s->params >= 0, s->params);
    count(f, s->index >= 0 && s->macs >= 0, s->macs);
}

static void compared(FILE *f, const cf_compare *c)
{
    fputs("status,name,op,base_index,base_kind,base_median_us,base_params,base_macs,"
          "index,kind,median_us,params,macs,delta_median_us,delta_median_pct,delta_params,"
          "delta_macs\n",
          f);
    for (int64_t i = 0; i < c->n_layers; i++) {
        const cf_compare_layer *l = &c->layers[i];
        fprintf(f, "%s,", cf_compare_status_name(l->status));
        text(f, l->name);
        fputc(',', f);
        text(f, l->op);
        side(f, &l->a);
        side(f, &l->b);
        real(f, l->has_delta, l->delta);
        real(f, l->has_pct, l->pct);
        count(f, l->has_d_params, l->d_params);
        count(f, l->has_d_macs, l->d_macs);
        fputc('\n', f);
    }
}

int cf_report_csv(FILE *f, const cf_report *r, cf_error *err)
{
    (void)err;
    if (r->base)
        compared(f, r->cmp);
    else
        one(f, r->exp);
    return 0;
}
