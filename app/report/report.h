/* report.h — an experiment written out for people and programs: Markdown for
 * a pull request, JSON (docs/report-json.md, docs/report.schema.json), CSV
 * one row per layer. With a baseline (`report ID --vs BASE`) each format adds
 * the comparison of store/compare.h: deltas are the experiment minus the
 * baseline, percentages relative to the baseline. `exp diff --json` writes
 * the same comparison object as the report's JSON. */
#ifndef CF_APP_REPORT_H
#define CF_APP_REPORT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "compare.h"

typedef struct cf_report {
    const cf_compare_side *exp;    /* the experiment reported */
    const cf_compare_side *base;   /* --vs: the baseline, or NULL */
    const cf_compare *cmp;         /* base (A) against exp (B) when base is set */
} cf_report;

/* Each writes the whole report to f; the caller checks ferror(f). They
 * return 0, or CF_ENOMEM (JSON only) with err set. */
int cf_report_md(FILE *f, const cf_report *r, cf_error *err);
int cf_report_json(FILE *f, const cf_report *r, cf_error *err);
int cf_report_csv(FILE *f, const cf_report *r, cf_error *err);
/* One self-contained HTML page (inline CSS and SVG, no script, nothing
 * fetched): the tables of the Markdown, charts of time per layer and per op
 * type, and the trend over the experiments of the model, which it reads from
 * st (cf_store_list, cf_store_metrics). Returns 0, CF_ENOMEM or a store
 * error, with err set. */
int cf_report_html(FILE *f, const cf_report *r, cf_store *st, cf_error *err);

/* One experiment as JSON (the "experiment" object of docs/report-json.md:
 * the experiment, its runs, metrics and the layers of its latest run);
 * `exp show --json` writes the same. NULL when out of memory. */
cJSON *cf_report_experiment_json(const cf_compare_side *x);

/* The comparison as JSON (the "compare" object of docs/report-json.md), for
 * a baseline experiment a and run run_a against b and run_b (0: no run).
 * NULL when out of memory. */
cJSON *cf_report_compare_json(const cf_compare *c, int64_t a, int64_t run_a, int64_t b,
                              int64_t run_b);

/* How many of the reported layers the Markdown lists, by time. */
#define CF_REPORT_TOP_LAYERS 10
/* How many matched layers of the comparison it lists, by |delta|. */
#define CF_REPORT_TOP_DELTAS 15

#endif
