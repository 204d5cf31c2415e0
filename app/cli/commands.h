/* commands.h — the CLI commands. Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit code:
 * CF_EXIT_OK, CF_EXIT_FAIL (the work failed: bad model, I/O) or CF_EXIT_USAGE
 * (bad flag or argument). Errors go to stderr as "chipfit: ..." lines. */
#ifndef CF_APP_COMMANDS_H
#define CF_APP_COMMANDS_H

enum { CF_EXIT_OK = 0, CF_EXIT_FAIL = 1, CF_EXIT_USAGE = 2 };

typedef struct cf_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;  /* one line for `chipfit --help` */
    const char *help;     /* the full text of `chipfit help NAME` */
} cf_command;

int cf_cmd_info(int argc, char **argv);
extern const char cf_cmd_info_help[];
int cf_cmd_profile(int argc, char **argv);
extern const char cf_cmd_profile_help[];
int cf_cmd_ops(int argc, char **argv);
extern const char cf_cmd_ops_help[];
int cf_cmd_exp(int argc, char **argv);
extern const char cf_cmd_exp_help[];
int cf_cmd_report(int argc, char **argv);
extern const char cf_cmd_report_help[];
int cf_cmd_conformance(int argc, char **argv);
extern const char cf_cmd_conformance_help[];

/* Prints "chipfit: <msg>" to stderr (the one place CLI errors are written). */
void cf_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a usage error and the hint to run `chipfit help CMD`; returns CF_EXIT_USAGE. */
int cf_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
