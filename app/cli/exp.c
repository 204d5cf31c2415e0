/* exp.c — `chipfit exp ...`: the experiments of the store (docs/store.md).
 * `exp list` prints the tree with each experiment's latest measured latency. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "store.h"

const char cf_cmd_exp_help[] =
    "usage: chipfit exp list [--db PATH]\n"
    "\n"
    "The experiments of the experiment store as a tree: each experiment's id,\n"
    "model, tag, number of runs and the latest measured whole-model latency\n"
    "(median, µs, with its backend and threads). `chipfit profile` records\n"
    "its runs there; docs/store.md describes the database.\n"
    "\n"
    "  --db PATH   the store (default: $CHIPFIT_DB, else ./chipfit.db)\n"
    "  -h, --help  show this help\n";

static int exp_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'D': db = optarg; break;
        case 'h': fputs(cf_cmd_exp_help, stdout); return CF_EXIT_OK;
        case ':': return cf_cli_usage("exp", "option '%s' needs a value", argv[optind - 1]);
        default: return cf_cli_usage("exp", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cf_cli_usage("exp", "exp list takes no arguments, got '%s'", argv[optind]);
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    cf_store_exp *v = NULL;
    int64_t n = 0;
    if (cf_store_open(cf_store_default_path(db), CF_STORE_READONLY, &st, &err) ||
        cf_store_list(st, &v, &n, &err)) {
        cf_cli_error("%s", err.msg);
        cf_store_close(st);
        return CF_EXIT_FAIL;
    }
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

int cf_cmd_exp(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            return cf_cli_usage("exp", "exp needs a subcommand: list");
        fputs(cf_cmd_exp_help, stdout);
        return CF_EXIT_OK;
    }
    if (strcmp(argv[1], "list") == 0)
        return exp_list(argc - 1, argv + 1);
    return cf_cli_usage("exp", "unknown subcommand '%s' (list)", argv[1]);
}
