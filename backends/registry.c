/* registry.c — the backends chipfit knows, by name. */
#include <string.h>

#include "backend.h"

extern const cf_backend_i cf_backend_cpu;
extern const cf_backend_i cf_backend_cpu_ref;

static const cf_backend_i *const backends[] = {
    &cf_backend_cpu,
    &cf_backend_cpu_ref,
};

static const char *const names[] = {"cpu", "cpu-ref", NULL};

const cf_backend_i *cf_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    return NULL;
}

const char *const *cf_backend_names(void)
{
    return names;
}

const char *cf_cost_kind_name(cf_cost_kind k)
{
    return k == CF_COST_MEASURED ? "measured" : "estimated";
}
