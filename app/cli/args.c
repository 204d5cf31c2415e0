#include "cli/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"

int cf_args_dim(const char *cmd, char *arg, cf_dim_args *d)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return cf_cli_usage(cmd, "--dim wants NAME=VALUE, got '%s'", arg);
    char *end;
    errno = 0;
    long long v = strtoll(eq + 1, &end, 10);
    if (errno || *end || end == eq + 1 || v <= 0)
        return cf_cli_usage(cmd, "--dim %s: the value must be a positive integer", arg);
    if (d->n == CF_MAX_DIM_ARGS)
        return cf_cli_usage(cmd, "at most %d --dim options", CF_MAX_DIM_ARGS);
    *eq = '\0';
    d->names[d->n] = arg;
    d->values[d->n++] = v;
    return 0;
}

int cf_args_int(const char *cmd, const char *opt, const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || *end || end == arg || v < lo || v > hi)
        return cf_cli_usage(cmd, "%s wants a whole number from %ld to %ld, got '%s'", opt, lo, hi,
                            arg);
    *out = v;
    return 0;
}

int cf_args_id(const char *cmd, const char *arg, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (errno || *end || end == arg || v <= 0)
        return cf_cli_usage(cmd, "'%s' is not an experiment ID (a positive number)", arg);
    *out = v;
    return 0;
}

int cf_args_path(const char *cmd, const char *opt, const char *arg)
{
    if (!arg[0])
        return cf_cli_usage(cmd, "option '%s' needs a path, got an empty one", opt);
    return 0;
}

int cf_cli_print_json(cJSON *root)
{
    char *s = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!s) {
        cf_cli_error("out of memory writing JSON");
        return CF_EXIT_FAIL;
    }
    puts(s);
    cJSON_free(s);
    return CF_EXIT_OK;
}
