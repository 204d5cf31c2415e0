/* args.h — option values several commands share, parsed one way. */
#ifndef CF_APP_ARGS_H
#define CF_APP_ARGS_H

#include <stdint.h>

#define CF_MAX_DIM_ARGS 32

typedef struct cf_dim_args {
    const char *names[CF_MAX_DIM_ARGS];
    int64_t values[CF_MAX_DIM_ARGS];
    int n;
} cf_dim_args;

/* Parses a `--dim NAME=V` value of command `cmd` (arg is cut in place at
 * '='). Returns 0, or CF_EXIT_USAGE after printing the usage error. */
int cf_args_dim(const char *cmd, char *arg, cf_dim_args *d);

/* Parses a positive integer option value in [lo, hi]; usage error otherwise. */
int cf_args_int(const char *cmd, const char *opt, const char *arg, long lo, long hi, long *out);

/* Parses an experiment ID: a positive number that fits 64 bits; usage
 * error otherwise (naming arg as given). */
int cf_args_id(const char *cmd, const char *arg, int64_t *out);

/* A path option's value must name something: "" is a usage error naming
 * opt (an empty --db would otherwise fall back to the default store). */
int cf_args_path(const char *cmd, const char *opt, const char *arg);

/* Prints root (NULL: out of memory) as indented JSON on stdout and frees
 * it. Returns CF_EXIT_OK, or CF_EXIT_FAIL after saying it ran out of
 * memory. The one way every command writes --json. */
struct cJSON;
int cf_cli_print_json(struct cJSON *root);

#endif
