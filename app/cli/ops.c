/* ops.c — `chipfit ops`: the ops the CPU backend runs, with the opset
 * range and the implementations (ref, onednn) of each. docs/ops.md is this
 * command's --markdown output. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "kernel.h"

const char cf_cmd_ops_help[] =
    "usage: chipfit ops [--markdown]\n"
    "\n"
    "Lists every op the CPU backend has a kernel for: domain, op, the opsets\n"
    "the kernel handles, and the implementations (ref: reference C kernel;\n"
    "onednn: oneDNN primitive, tried first). An op outside this list makes\n"
    "`chipfit profile` stop with \"unsupported op OP (domain, opset) at layer L\".\n"
    "\n"
    "  --markdown   a Markdown table (docs/ops.md is made this way)\n";

typedef struct ops_ctx {
    int markdown;
    int count;
} ops_ctx;

static void print_op(void *user, const cf_kernel_i *k)
{
    ops_ctx *c = user;
    const char *dom = k->domain && k->domain[0] ? k->domain : "ai.onnx";
    char range[32], impls[96];
    int lo, hi;
    cf_kernel_opsets(k->op_type, k->domain, &lo, &hi);
    if (hi)
        snprintf(range, sizeof range, "%d-%d", lo, hi);
    else
        snprintf(range, sizeof range, "%d+", lo);
    cf_kernel_impls(k->op_type, k->domain, impls, sizeof impls);
    if (c->markdown)
        printf("| %s | %s | %s | %s |\n", k->op_type, dom, range, impls);
    else
        printf("%-26s %-10s opset %-7s %s\n", k->op_type, dom, range, impls);
    c->count++;
}

int cf_cmd_ops(int argc, char **argv)
{
    ops_ctx c = {0, 0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            c.markdown = 1;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(cf_cmd_ops_help, stdout);
            return CF_EXIT_OK;
        } else
            return cf_cli_usage("ops", "unknown option '%s'", argv[i]);
    }
    if (c.markdown)
        printf("| op | domain | opsets | implementations (first tried first) |\n|---|---|---|---|\n");
    cf_kernel_each_op(print_op, &c);
    if (!c.markdown)
        printf("%d ops\n", c.count);
    return CF_EXIT_OK;
}
