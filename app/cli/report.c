/* report.c — `chipfit report ID [--vs ID] --format md|json|csv|html -o FILE`: an
 * experiment of the store written out (app/report/), with --vs compared
 * with a baseline experiment (store/compare.h). The file is written under a
 * temporary name and renamed, so a failed report leaves no half file. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "report/report.h"

const char cf_cmd_report_help[] =
    "usage: chipfit report ID [--vs BASE] --format md|json|csv|html -o FILE [--db PATH]\n"
    "\n"
    "Writes experiment ID of the store as a report (docs/cli.md).\n"
    "\n"
    "  md    Markdown for a pull request: the experiment, its runs, its metrics,\n"
    "        its slowest layers; with --vs, the metric deltas and the layers that\n"
    "        changed most, were removed or added\n"
    "  json  a JSON document, schema chipfit.report/1 (docs/report-json.md,\n"
    "        docs/report.schema.json)\n"
    "  csv   one row per layer of the latest run; with --vs, one row per\n"
    "        compared layer: the baseline's figures, this one's and the deltas\n"
    "  html  one self-contained page (inline CSS and SVG, opens offline): the\n"
    "        tables of md, bar charts of time per layer (with --vs, both side by\n"
    "        side) and per op type, and the latency of every experiment of the\n"
    "        model in tree order (accuracy and size too when recorded)\n"
    "\n"
    "Deltas are ID minus BASE (the latest run of each); percentages are of BASE.\n"
    "Every figure says measured, estimated or static, and its unit.\n"
    "\n"
    "  --vs BASE        compare with experiment BASE\n"
    "  --format F       md, json, csv or html\n"
    "  -o, --output F   the file to write (\"-\": standard output)\n"
    "  --db PATH        the store (default: $CHIPFIT_DB, else ./chipfit.db)\n"
    "  -h, --help       show this help\n";

typedef struct report_args {
    const char *db, *output, *format;
    int64_t id, vs;
} report_args;

/* Returns -1 to go on, else the exit code. */
static int parse(int argc, char **argv, report_args *a)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'D'},     {"vs", required_argument, NULL, 'V'},
        {"format", required_argument, NULL, 'F'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'D':
            if (cf_args_path("report", "--db", optarg))
                return CF_EXIT_USAGE;
            a->db = optarg;
            break;
        case 'V':
            if (cf_args_id("report", optarg, &a->vs))
                return CF_EXIT_USAGE;
            break;
        case 'F': a->format = optarg; break;
        case 'o':
            if (cf_args_path("report", "-o", optarg))
                return CF_EXIT_USAGE;
            a->output = optarg;
            break;
        case 'h': fputs(cf_cmd_report_help, stdout); return CF_EXIT_OK;
        case ':': return cf_cli_usage("report", "option '%s' needs a value", argv[optind - 1]);
        default: return cf_cli_usage("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cf_cli_usage("report", "report takes an experiment ID, got %d arguments",
                            argc - optind);
    if (cf_args_id("report", argv[optind], &a->id))
        return CF_EXIT_USAGE;
    if (!a->format)
        return cf_cli_usage("report", "report needs --format md, json, csv or html");
    if (strcmp(a->format, "md") && strcmp(a->format, "json") && strcmp(a->format, "csv") &&
        strcmp(a->format, "html"))
        return cf_cli_usage("report", "unknown format '%s' (md, json, csv or html)", a->format);
    if (!a->output)
        return cf_cli_usage("report", "report needs -o FILE (\"-\" for standard output)");
    return -1;
}

static int write_report(FILE *f, const char *format, const cf_report *r, cf_store *st,
                        cf_error *err)
{
    if (strcmp(format, "md") == 0)
        return cf_report_md(f, r, err);
    if (strcmp(format, "json") == 0)
        return cf_report_json(f, r, err);
    if (strcmp(format, "html") == 0)
        return cf_report_html(f, r, st, err);
    return cf_report_csv(f, r, err);
}

/* Writes to path through path.tmp.PID, renamed on success. */
static int write_file(const char *path, const char *format, const cf_report *r, cf_store *st,
                      cf_error *err)
{
    if (strcmp(path, "-") == 0)
        return write_report(stdout, format, r, st, err);
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return cf_error_set(err, CF_ENOMEM, "%s: out of memory", path);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        cf_error_set(err, CF_EIO, "%s: cannot write: %m", path);
        free(tmp);
        return CF_EIO;
    }
    int rc = write_report(f, format, r, st, err);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        rc = rc ? rc : cf_error_set(err, CF_EIO, "%s: write failed: %m", path);
    if (!rc && rename(tmp, path) != 0)
        rc = cf_error_set(err, CF_EIO, "%s: cannot write: %m", path);
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

int cf_cmd_report(int argc, char **argv)
{
    report_args a;
    int rc = parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    cf_compare_side exp = {0}, base = {0};
    cf_compare cmp = {0};
    cf_report r = {&exp, NULL, NULL};
    rc = CF_EXIT_FAIL;
    if (cf_store_open(cf_store_default_path(a.db), CF_STORE_READONLY, &st, &err) ||
        cf_compare_load(st, a.id, &exp, &err) || (a.vs && cf_compare_load(st, a.vs, &base, &err)))
        goto done;
    if (a.vs) {
        if (cf_compare_build(base.layers, base.n_layers, exp.layers, exp.n_layers, base.metrics,
                             base.n_metrics, exp.metrics, exp.n_metrics, &cmp, &err))
            goto done;
        r.base = &base;
        r.cmp = &cmp;
    }
    if (write_file(a.output, a.format, &r, st, &err))
        goto done;
    rc = CF_EXIT_OK;
done:
    if (rc)
        cf_cli_error("%s", err.msg);
    cf_compare_clear(&cmp);
    cf_compare_side_clear(&exp);
    cf_compare_side_clear(&base);
    cf_store_close(st);
    return rc;
}
