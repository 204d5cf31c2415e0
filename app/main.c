/* main.c — chipfit's entry point and command table.
 *
 * `chipfit COMMAND [ARGS]` runs a command. `chipfit MODEL.onnx` opens the
 * model in the TUI when stdin and stdout are a terminal, and prints `chipfit
 * info MODEL` otherwise (a script or a pipe gets text); `chipfit` alone
 * opens the TUI on the store's last model, else at its open prompt. Exit codes: 0 success, 1 failure, 2
 * usage error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "tui/tui.h"

#ifndef CHIPFIT_VERSION
#define CHIPFIT_VERSION "dev"
#endif

static int cmd_help(int argc, char **argv);
static int cmd_tui(int argc, char **argv);

static const char tui_help[] =
    "usage: chipfit tui [--db PATH] [--no-store] [MODEL.onnx]\n"
    "\n"
    "Opens the interactive workbench: the model's layers with their static costs,\n"
    "a detail pane, profiling on the CPU in the background (p), sorting, filtering.\n"
    "Press ? inside for the keys (also in docs/tui.md). Without MODEL it reopens the\n"
    "model the store saw opened last (from the store's copy if its file is gone),\n"
    "else starts at the open prompt. Needs a terminal; `chipfit MODEL.onnx` in a\n"
    "terminal is the same as `chipfit tui MODEL.onnx`.\n"
    "\n"
    "  --db PATH    the experiment store its profiles are recorded in (default:\n"
    "               $CHIPFIT_DB, else ./chipfit.db; docs/store.md)\n"
    "  --no-store   do not record profiles (also CHIPFIT_NO_STORE=1)\n";

static const char help_help[] =
    "usage: chipfit help [COMMAND]\n"
    "\n"
    "Shows the list of commands, or the full help of one command.\n";

static const cf_command commands[] = {
    {"info", cf_cmd_info, "show a model: summary and per-layer static costs", cf_cmd_info_help},
    {"profile", cf_cmd_profile, "run a model on the CPU and measure every layer",
     cf_cmd_profile_help},
    {"conformance", cf_cmd_conformance, "run ONNX test models and check the outputs",
     cf_cmd_conformance_help},
    {"ops", cf_cmd_ops, "list the ops the CPU backend runs", cf_cmd_ops_help},
    {"exp", cf_cmd_exp, "the experiment store: exp list", cf_cmd_exp_help},
    {"report", cf_cmd_report, "write an experiment as Markdown, JSON or CSV", cf_cmd_report_help},
    {"tui", cmd_tui, "open the interactive workbench (the default in a terminal)", tui_help},
    {"help", cmd_help, "show help for a command", help_help},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char overview[] =
    "chipfit " CHIPFIT_VERSION " — a workbench for porting ONNX models to AI accelerators\n"
    "\n"
    "usage: chipfit [MODEL.onnx]          open the workbench (TUI) in a terminal;\n"
    "                                     without a terminal, print `info MODEL`\n"
    "       chipfit COMMAND [ARGS...]\n"
    "       chipfit help COMMAND | --help | --version\n"
    "\n"
    "commands:\n";

static const char exit_codes[] =
    "\n"
    "exit codes: 0 success, 1 failure (bad model, I/O error), 2 usage error\n"
    "see `chipfit help COMMAND` for a command's flags; docs/cli.md for more.\n";

static void print_overview(FILE *f)
{
    fputs(overview, f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs(exit_codes, f);
}

static const cf_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void verror(const char *fmt, va_list ap)
{
    fputs("chipfit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cf_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
}

int cf_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    fprintf(stderr, "run `chipfit help %s` for usage\n", cmd);
    return CF_EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return CF_EXIT_OK;
    }
    if (argc > 2)
        return cf_cli_usage("help", "help takes one command name, got %d", argc - 1);
    const cf_command *c = find_command(argv[1]);
    if (!c) {
        cf_cli_error("no command '%s'; `chipfit --help` lists them", argv[1]);
        return CF_EXIT_USAGE;
    }
    fputs(c->help, stdout);
    return CF_EXIT_OK;
}

/* A first argument that names an existing file, or ends in .onnx, is a model. */
static int looks_like_model(const char *arg)
{
    size_t n = strlen(arg);
    if (n > 5 && strcmp(arg + n - 5, ".onnx") == 0)
        return 1;
    struct stat st;
    return stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

/* Like git: a command that "succeeded" but could not write its output (a
 * full disk, a closed pipe) has failed. */
static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE)
            cf_cli_error("could not write the output: %s", strerror(errno));
        return rc ? rc : CF_EXIT_FAIL;
    }
    return rc;
}

static int interactive(void)
{
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

static int cmd_tui(int argc, char **argv)
{
    const char *model = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(tui_help, stdout);
            return CF_EXIT_OK;
        }
        /* The TUI reads the store settings from the environment, as the
         * CLI commands do from their flags: --db and --no-store set it. */
        if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= argc)
                return cf_cli_usage("tui", "option '--db' needs a value");
            if (!argv[i + 1][0])
                return cf_cli_usage("tui", "option '--db' needs a path, got an empty one");
            setenv("CHIPFIT_DB", argv[++i], 1);
        } else if (strcmp(argv[i], "--no-store") == 0) {
            setenv("CHIPFIT_NO_STORE", "1", 1);
        } else if (argv[i][0] == '-') {
            return cf_cli_usage("tui", "unknown option '%s'", argv[i]);
        } else if (model) {
            return cf_cli_usage("tui", "tui takes at most one model, got '%s' and '%s'", model,
                                argv[i]);
        } else {
            model = argv[i];
        }
    }
    if (!interactive()) {
        cf_cli_error("the TUI needs a terminal (stdin and stdout); for text use `chipfit info`");
        return CF_EXIT_USAGE;
    }
    return cf_tui_main(model);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        if (interactive())
            return cf_tui_main(NULL);
        print_overview(stderr);
        return CF_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        print_overview(stdout);
        return finish(CF_EXIT_OK);
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("chipfit %s\n", CHIPFIT_VERSION);
        return finish(CF_EXIT_OK);
    }
    const cf_command *c = find_command(first);
    if (c)
        return finish(c->run(argc - 1, argv + 1));
    if (first[0] != '-' && looks_like_model(first)) {
        /* `chipfit MODEL [flags]`: the TUI in a terminal, else the text view. */
        if (argc == 2 && interactive())
            return cf_tui_main(first);
        argv[0] = "info";
        return finish(cf_cmd_info(argc, argv));
    }
    if (first[0] == '-')
        cf_cli_error("unknown option '%s'", first);
    else
        cf_cli_error("'%s' is neither a command nor a model file", first);
    fprintf(stderr, "run `chipfit --help` for the commands\n");
    return CF_EXIT_USAGE;
}
