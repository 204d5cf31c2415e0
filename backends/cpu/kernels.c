/* kernels.c — the chain of kernel tables and the choice of a kernel per node. */
#include <stdio.h>
#include <string.h>

#include "kernel.h"

/* Fast kernels first: the first that accepts a node wins, the reference
 * kernels (the oracle) are the fallback. */
static const cf_kernel_i *const chain[] = {
    cf_kernels_onednn,
    cf_kernels_elementwise,
    cf_kernels_movement,
    cf_kernels_reduce,
    cf_kernels_nn,
    cf_kernels_quant,
    cf_kernels_rnn,
    cf_kernels_control,
};

#define N_TABLES (sizeof chain / sizeof chain[0])

static int is_default_domain(const char *d)
{
    return !d || !d[0] || strcmp(d, "ai.onnx") == 0;
}

static int domain_match(const char *kernel, const char *node)
{
    if (is_default_domain(kernel))
        return is_default_domain(node);
    return node && strcmp(kernel, node) == 0;
}

int cf_kernel_select(const cf_graph *g, const cf_node *n, int reference_only,
                     const cf_kernel_i **out, void **state, cf_error *err)
{
    int64_t opset = cf_graph_opset(g, n->domain);
    char declined[CF_ERROR_MSG_MAX] = "";
    int matched = 0;
    for (size_t t = 0; t < N_TABLES; t++) {
        for (const cf_kernel_i *k = chain[t]; k->op_type; k++) {
            if (strcmp(k->op_type, n->op_type) != 0 || !domain_match(k->domain, n->domain))
                continue;
            if (opset < k->min_opset || (k->max_opset && opset > k->max_opset))
                continue;
            if (reference_only && strcmp(k->impl, "ref") != 0)
                continue;
            matched = 1;
            void *st = NULL;
            cf_error e = CF_ERROR_INIT;
            int rc = k->prepare ? k->prepare(g, n, &st, &e) : 0;
            if (rc == 0) {
                *out = k;
                *state = st;
                return 0;
            }
            if (rc != CF_EUNSUPPORTED) {
                cf_error_set(err, rc, "%s", e.msg);
                return rc;
            }
            snprintf(declined, sizeof declined, "%s", e.msg);
        }
    }
    const char *dom = is_default_domain(n->domain) ? "ai.onnx" : n->domain;
    if (matched)
        return cf_error_set(err, CF_EUNSUPPORTED, "unsupported %s (%s, opset %lld) at layer %s: %s",
                            n->op_type, dom, (long long)opset, n->name, declined);
    return cf_error_set(err, CF_EUNSUPPORTED, "unsupported op %s (%s, opset %lld) at layer %s",
                        n->op_type, dom, (long long)opset, n->name);
}

void cf_kernel_each_op(void (*fn)(void *user, const cf_kernel_i *k), void *user)
{
    for (size_t t = 0; t < N_TABLES; t++)
        for (const cf_kernel_i *k = chain[t]; k->op_type; k++) {
            /* Once per (op, domain): skip when an earlier entry had it. */
            int seen = 0;
            for (size_t u = 0; u <= t && !seen; u++)
                for (const cf_kernel_i *q = chain[u]; q->op_type && q != k; q++)
                    if (strcmp(q->op_type, k->op_type) == 0 && domain_match(q->domain, k->domain)) {
                        seen = 1;
                        break;
                    }
            if (!seen)
                fn(user, k);
        }
}

void cf_kernel_impls(const char *op_type, const char *domain, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t t = 0; t < N_TABLES; t++)
        for (const cf_kernel_i *k = chain[t]; k->op_type; k++) {
            if (strcmp(k->op_type, op_type) != 0 || !domain_match(k->domain, domain))
                continue;
            if (strstr(buf, k->impl))
                continue;   /* one name per implementation, whatever its opsets */
            int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", k->impl);
            if (w < 0 || (size_t)w >= size - used)
                return;
            used += (size_t)w;
        }
}

void cf_kernel_opsets(const char *op_type, const char *domain, int *min_opset, int *max_opset)
{
    *min_opset = 0;
    *max_opset = 0;
    int first = 1, open_end = 0;
    for (size_t t = 0; t < N_TABLES; t++)
        for (const cf_kernel_i *k = chain[t]; k->op_type; k++) {
            if (strcmp(k->op_type, op_type) != 0 || !domain_match(k->domain, domain))
                continue;
            if (first || k->min_opset < *min_opset)
                *min_opset = k->min_opset;
            if (!k->max_opset)
                open_end = 1;
            else if (k->max_opset > *max_opset)
                *max_opset = k->max_opset;
            first = 0;
        }
    if (open_end)
        *max_opset = 0;
}
