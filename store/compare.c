/* compare.c — layer and metric deltas between two experiments (compare.h). */
#include "compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cf_compare_load(cf_store *s, int64_t id, cf_compare_side *out, cf_error *err)
{
    cf_compare_side x = {0};
    memset(out, 0, sizeof *out);
    if (cf_store_get_exp(s, id, &x.exp, err) || cf_store_runs(s, id, &x.runs, &x.n_runs, err) ||
        cf_store_metrics(s, id, &x.metrics, &x.n_metrics, err) ||
        (x.n_runs && cf_store_layers(s, x.runs[0].id, &x.layers, &x.n_layers, err)))
        goto fail;
    *out = x;
    return 0;
fail:
    cf_compare_side_clear(&x);
    return err && err->code ? err->code : CF_EINTERNAL;
}

void cf_compare_side_clear(cf_compare_side *side)
{
    if (!side)
        return;
    cf_store_detail_free(side->exp);
    free(side->runs);
    free(side->metrics);
    free(side->layers);
    memset(side, 0, sizeof *side);
}

const char *cf_compare_status_name(int status)
{
    return status == CF_COMPARE_ADDED ? "added" : status == CF_COMPARE_REMOVED ? "removed" : "both";
}

static void fig_of(const cf_store_layer *l, cf_compare_fig *f)
{
    if (!l) {
        *f = (cf_compare_fig){.index = -1, .params = -1, .macs = -1};
        return;
    }
    f->index = l->layer;
    snprintf(f->kind, sizeof f->kind, "%s", l->kind);
    f->has_time = l->has_time;
    f->median = l->has_time ? l->median : 0;
    f->params = l->params;
    f->macs = l->macs;
}

static void row_of(const cf_store_layer *a, const cf_store_layer *b, cf_compare_layer *r)
{
    memset(r, 0, sizeof *r);
    const cf_store_layer *any = a ? a : b;
    r->status = a && b ? CF_COMPARE_BOTH : a ? CF_COMPARE_REMOVED : CF_COMPARE_ADDED;
    snprintf(r->name, sizeof r->name, "%s", any->name);
    snprintf(r->op, sizeof r->op, "%s", any->op);
    snprintf(r->unit, sizeof r->unit, "%s", any->unit[0] ? any->unit : "us");
    fig_of(a, &r->a);
    fig_of(b, &r->b);
    if (!a || !b)
        return;
    if (a->has_time && b->has_time) {
        r->has_delta = 1;
        r->delta = b->median - a->median;
        if (a->median != 0) {
            r->has_pct = 1;
            r->pct = 100.0 * r->delta / a->median;
        }
    }
    if (a->params >= 0 && b->params >= 0) {
        r->has_d_params = 1;
        r->d_params = b->params - a->params;
    }
    if (a->macs >= 0 && b->macs >= 0) {
        r->has_d_macs = 1;
        r->d_macs = b->macs - a->macs;
    }
}

/* match[i]: the B layer matched to A layer i, or -1. */
static void match_layers(const cf_store_layer *la, int64_t na, const cf_store_layer *lb,
                         int64_t nb, int64_t *match, char *used)
{
    for (int64_t i = 0; i < na; i++) {
        match[i] = -1;
        if (!la[i].name[0])
            continue;
        for (int64_t j = 0; j < nb; j++)
            if (!used[j] && strcmp(la[i].name, lb[j].name) == 0) {
                match[i] = j;
                used[j] = 1;
                break;
            }
    }
    /* then by index, for a renamed (or unnamed) layer doing the same op */
    for (int64_t i = 0; i < na; i++) {
        if (match[i] >= 0)
            continue;
        for (int64_t j = 0; j < nb; j++)
            if (!used[j] && lb[j].layer == la[i].layer && strcmp(lb[j].op, la[i].op) == 0) {
                match[i] = j;
                used[j] = 1;
                break;
            }
    }
}

static int same_metric(const cf_store_metric *x, const cf_store_metric *y)
{
    return strcmp(x->name, y->name) == 0 && strcmp(x->dataset, y->dataset) == 0 &&
           strcmp(x->unit, y->unit) == 0;
}

/* The newest metric like m in v (metrics come oldest first), or NULL. */
static const cf_store_metric *newest(const cf_store_metric *v, int64_t n, const cf_store_metric *m)
{
    for (int64_t i = n - 1; i >= 0; i--)
        if (same_metric(&v[i], m))
            return &v[i];
    return NULL;
}

static int compare_metrics(const cf_store_metric *ma, int64_t nma, const cf_store_metric *mb,
                           int64_t nmb, cf_compare *c, cf_error *err)
{
    if (!nma || !nmb)
        return 0;
    c->metrics = calloc((size_t)nma, sizeof *c->metrics);
    if (!c->metrics)
        return cf_error_set(err, CF_ENOMEM, "comparing metrics: out of memory");
    for (int64_t i = 0; i < nma; i++) {
        if (newest(ma, i, &ma[i]))   /* this metric was compared already */
            continue;
        const cf_store_metric *a = newest(ma, nma, &ma[i]), *b = newest(mb, nmb, &ma[i]);
        if (!b)
            continue;
        cf_compare_metric *r = &c->metrics[c->n_metrics++];
        snprintf(r->name, sizeof r->name, "%s", a->name);
        snprintf(r->unit, sizeof r->unit, "%s", a->unit);
        snprintf(r->dataset, sizeof r->dataset, "%s", a->dataset);
        snprintf(r->kind_a, sizeof r->kind_a, "%s", a->kind);
        snprintf(r->kind_b, sizeof r->kind_b, "%s", b->kind);
        r->run_a = a->run;
        r->run_b = b->run;
        r->a = a->value;
        r->b = b->value;
        r->delta = b->value - a->value;
        if (a->value != 0) {
            r->has_pct = 1;
            r->pct = 100.0 * r->delta / a->value;
        }
    }
    return 0;
}

int cf_compare_build(const cf_store_layer *la, int64_t na, const cf_store_layer *lb, int64_t nb,
                     const cf_store_metric *ma, int64_t nma, const cf_store_metric *mb,
                     int64_t nmb, cf_compare *out, cf_error *err)
{
    cf_compare c = {0};
    int64_t *match = NULL;
    char *used = NULL, *done = NULL;
    memset(out, 0, sizeof *out);
    if (na < 0 || nb < 0 || nma < 0 || nmb < 0)
        return cf_error_set(err, CF_EINVAL, "comparing: a negative count");
    match = malloc(((size_t)na + 1) * sizeof *match);
    used = calloc((size_t)nb + 1, 1);
    done = calloc((size_t)nb + 1, 1);
    c.layers = calloc((size_t)(na + nb) + 1, sizeof *c.layers);
    if (!match || !used || !done || !c.layers) {
        cf_error_set(err, CF_ENOMEM, "comparing %" PRId64 " with %" PRId64 " layers: out of memory",
                     na, nb);
        goto fail;
    }
    match_layers(la, na, lb, nb, match, used);
    /* A's order; B-only layers go before the first A layer matched after them */
    int64_t next_b = 0;
    for (int64_t i = 0; i < na; i++) {
        int64_t j = match[i];
        if (j >= 0) {
            for (; next_b < j; next_b++)
                if (!used[next_b] && !done[next_b]) {
                    row_of(NULL, &lb[next_b], &c.layers[c.n_layers++]);
                    done[next_b] = 1;
                    c.n_added++;
                }
            if (next_b <= j)
                next_b = j + 1;
            row_of(&la[i], &lb[j], &c.layers[c.n_layers++]);
            c.n_both++;
        } else {
            row_of(&la[i], NULL, &c.layers[c.n_layers++]);
            c.n_removed++;
        }
    }
    for (int64_t j = 0; j < nb; j++)
        if (!used[j] && !done[j]) {
            row_of(NULL, &lb[j], &c.layers[c.n_layers++]);
            c.n_added++;
        }
    if (compare_metrics(ma, nma, mb, nmb, &c, err))
        goto fail;
    free(match);
    free(used);
    free(done);
    *out = c;
    return 0;
fail:
    free(match);
    free(used);
    free(done);
    cf_compare_clear(&c);
    return err && err->code ? err->code : CF_ENOMEM;
}

void cf_compare_clear(cf_compare *c)
{
    if (!c)
        return;
    free(c->layers);
    free(c->metrics);
    memset(c, 0, sizeof *c);
}
