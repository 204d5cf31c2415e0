/* cf_profile's contention report (backends/profile.c): when the CPUs were
 * not the profile's own, the result must say so, with its numbers. The
 * rules on fixed numbers, then a real run made to oversubscribe (more
 * threads than the CPUs this process may use), which must be flagged. */
#define _GNU_SOURCE   /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "load_model.h"
#include "onnx/onnx.h"
#include "profile.h"

static cf_graph *load_demo(void)
{
    return load_model("models/fashion_cnn.onnx");
}

static void rules(void **state)
{
    (void)state;
    /* A quiet run: 2 threads on 2 CPUs, a few switches, tight spread. */
    cf_profile_contention c = {2, 2, 0.1, 3, 400, 20000, 40000, 0};
    assert_int_equal(cf_profile_contention_flags(&c, 30, 33), 0);
    c.threads = 3;
    assert_int_equal(cf_profile_contention_flags(&c, 30, 33), CF_CONTENDED_OVERSUBSCRIBED);
    c.threads = 2;
    /* 1 in 20 runs (at least 10) is allowed; one more is not. */
    c.invol_switches = 20;
    assert_int_equal(cf_profile_contention_flags(&c, 30, 33), 0);
    c.invol_switches = 21;
    assert_int_equal(cf_profile_contention_flags(&c, 30, 33), CF_CONTENDED_PREEMPTED);
    c.runs = 40;
    c.invol_switches = 10;
    assert_int_equal(cf_profile_contention_flags(&c, 30, 33), 0);
    c.invol_switches = 11;
    assert_int_equal(cf_profile_contention_flags(&c, 30, 33), CF_CONTENDED_PREEMPTED);
    c.invol_switches = 0;
    /* The tail the stalls make: p90 over twice the median. */
    assert_int_equal(cf_profile_contention_flags(&c, 30, 60), 0);
    assert_int_equal(cf_profile_contention_flags(&c, 30, 60.5), CF_CONTENDED_UNSTABLE);

    /* The warning names each reason with its numbers; none, no warning. */
    cf_profile p;
    memset(&p, 0, sizeof p);
    char buf[512];
    assert_int_equal(cf_profile_contention_warning(&p, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    p.whole_median_us = 30;
    p.whole_p90_us = 8000;
    p.contention = (cf_profile_contention){2, 3, 2.5, 900, 400, 20000, 10000, 0};
    p.contention.flags = cf_profile_contention_flags(&p.contention, 30, 8000);
    assert_int_equal(p.contention.flags, CF_CONTENDED_OVERSUBSCRIBED | CF_CONTENDED_PREEMPTED |
                                             CF_CONTENDED_UNSTABLE);
    assert_int_equal(cf_profile_contention_warning(&p, buf, sizeof buf), 1);
    assert_non_null(strstr(buf, "3 threads on 2 CPUs"));
    assert_non_null(strstr(buf, "900 involuntary context switches in 400 timed runs"));
    assert_non_null(strstr(buf, "whole-model p90 266.7x the median"));
    assert_non_null(strstr(buf, "load average 2.50"));
    assert_non_null(strstr(buf, "CPU time 17% of 3 threads' wall time"));
    /* A small buffer is cut, not overrun. */
    char small[16];
    assert_int_equal(cf_profile_contention_warning(&p, small, sizeof small), 1);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* A real run on more threads than this process may use: flagged, and the
 * measurements are filled in. Every sample is still there. */
static void oversubscribed_run_is_flagged(void **state)
{
    (void)state;
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    cf_graph *g = load_demo();
    cf_profile_opts o = {"cpu", cpus + 1, 2, 20, 1, 1, NULL, 0};
    cf_profile p;
    cf_error err = CF_ERROR_INIT;
    if (cf_profile_run(g, &o, NULL, NULL, NULL, &p, &err))
        fail_msg("%s", err.msg);
    const cf_profile_contention *c = &p.contention;
    assert_int_equal(c->cpus, cpus);
    assert_int_equal(c->threads, cpus + 1);
    assert_int_equal(c->runs, 40);
    assert_true(c->wall_us > 0);
    assert_true(c->invol_switches >= 0);
    assert_true(c->flags & CF_CONTENDED_OVERSUBSCRIBED);
    char buf[512];
    assert_int_equal(cf_profile_contention_warning(&p, buf, sizeof buf), 1);
    char want[64];
    snprintf(want, sizeof want, "%d threads on %d CPUs", cpus + 1, cpus);
    assert_non_null(strstr(buf, want));
    cf_profile_free(&p);
    cf_graph_free(g);
}

/* CHIPFIT_CONTENTION_PROBE=THREADS,REPEATS[,MODEL]: print what a profile of
 * the model saw, and nothing else (a measuring aid, not a test). */
static int probe(const char *spec)
{
    int threads = 1;
    long repeats = 200;
    char model[4096] = "";
    if (sscanf(spec, "%d,%ld,%4095s", &threads, &repeats, model) < 2)
        return 2;
    cf_graph *g = NULL;
    cf_error err = CF_ERROR_INIT;
    if (model[0]) {
        cf_onnx_load_opts lo = {0};
        lo.default_dim = 1;
        if (cf_onnx_load(model, &lo, &g, &err))
            return fprintf(stderr, "%s\n", err.msg), 1;
    } else {
        g = load_demo();
    }
    cf_profile_opts o = {"cpu", threads, 3, repeats, 1, 1, NULL, 0};
    cf_profile p;
    if (cf_profile_run(g, &o, NULL, NULL, NULL, &p, &err))
        return fprintf(stderr, "%s\n", err.msg), 1;
    const cf_profile_contention *c = &p.contention;
    double l0 = p.n_layers ? p.layers[0].median_us : 0, l0p = p.n_layers ? p.layers[0].p90_us : 0;
    printf("whole med %.1f p90 %.1f | instr %.1f | sum %.1f | layer0 med %.1f p90 %.1f | "
           "nivcsw %ld/%ld runs | cpu %.0f%% | load %.2f | flags %u\n",
           p.whole_median_us, p.whole_p90_us, p.instr_median_us, p.layer_sum_us, l0, l0p,
           c->invol_switches, c->runs, 100.0 * c->cpu_us / (c->wall_us * c->threads),
           c->loadavg_1m, c->flags);
    char buf[512];
    if (cf_profile_contention_warning(&p, buf, sizeof buf))
        printf("  warning: %s\n", buf);
    cf_profile_free(&p);
    cf_graph_free(g);
    return 0;
}

int main(void)
{
    const char *spec = getenv("CHIPFIT_CONTENTION_PROBE");
    if (spec)
        return probe(spec);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules),
        cmocka_unit_test(oversubscribed_run_is_flagged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
