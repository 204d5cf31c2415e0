/* work.c — the TUI's model and its profiling: opening a model (load, check,
 * static costs), and running cf_profile_run in a worker thread whose
 * progress the UI polls. The worker touches only its own struct (under its
 * lock) and the graph, which stays read-only and alive until it is joined. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnx/onnx.h"
#include "state.h"

void tui_status(tui *t, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_error = error;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- the model ------------------------------------------------------------------- */

static void free_shapes(char **s, int32_t n)
{
    for (int32_t k = 0; s && k < n; k++)
        free(s[k]);
    free(s);
}

void tui_close_model(tui *t)
{
    tui_profile_join(t);
    if (t->g)
        free_shapes(t->shape_text, t->g->n_nodes);
    t->shape_text = NULL;
    for (int32_t i = 0; t->g && t->wstats && i < t->g->n_tensors; i++)
        free(t->wstats[i]);
    free(t->wstats);
    t->wstats = NULL;
    t->big_ok = 0;
    cf_model_cost_free(t->cost);
    t->cost = NULL;
    cf_profile_free(&t->prof);
    cf_graph_free(t->g);
    t->g = NULL;
    free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    t->sel = t->top = 0;
}

/* Opens path; on failure the current model stays and the status says why. */
int tui_open_model(tui *t, const char *path)
{
    cf_onnx_load_opts opts = {0};
    opts.default_dim = 1;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    cf_model_cost *cost = NULL;
    char **shapes = NULL;
    if (cf_onnx_load(path, &opts, &g, &err) || cf_cost_compute(g, &cost, &err)) {
        /* the loader's message names the file already: once is enough */
        const char *why = err.msg;
        size_t n = strlen(path);
        if (strncmp(why, path, n) == 0 && why[n] == ':')
            why += n + (why[n + 1] == ' ' ? 2 : 1);
        tui_status(t, 1, "cannot open %s: %s", path, why);
        cf_graph_free(g);
        return err.code ? err.code : CF_EINTERNAL;
    }
    shapes = calloc((size_t)g->n_nodes + 1, sizeof *shapes);
    for (int32_t k = 0; shapes && k < g->n_nodes; k++) {
        const cf_tensor *y = cf_node_output(g, &g->nodes[k], 0);
        char buf[160];
        if (y)
            cf_shape_format(&y->shape, buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "-");
        shapes[k] = strdup(buf);
        if (!shapes[k]) {
            free_shapes(shapes, k);
            shapes = NULL;
        }
    }
    if (!shapes) {
        cf_model_cost_free(cost);
        cf_graph_free(g);
        tui_status(t, 1, "cannot open %s: out of memory", path);
        return CF_ENOMEM;
    }
    cf_weight_stats **ws = calloc((size_t)g->n_tensors + 1, sizeof *ws);
    if (!ws) {
        free_shapes(shapes, g->n_nodes);
        cf_model_cost_free(cost);
        cf_graph_free(g);
        tui_status(t, 1, "cannot open %s: out of memory", path);
        return CF_ENOMEM;
    }
    tui_close_model(t);
    t->wstats = ws;
    t->g = g;
    t->cost = cost;
    t->shape_text = shapes;
    snprintf(t->path, sizeof t->path, "%s", path);
    t->filter[0] = '\0';
    t->detail_scroll = 0;
    tui_rebuild_rows(t);
    tui_status(t, 0, "opened %s: %d layers (static costs counted; press p to profile)", path,
               (int)g->n_nodes);
    return 0;
}

/* ---- profiling ------------------------------------------------------------------- */

static int on_progress(void *user, const cf_profile_progress *p)
{
    worker *w = user;
    pthread_mutex_lock(&w->lock);
    w->progress = *p;
    pthread_mutex_unlock(&w->lock);
    return atomic_load(&w->cancel);
}

typedef struct job {
    worker *w;
    cf_graph *g;
} job;

static void *run_profile(void *arg)
{
    job *j = arg;
    worker *w = j->w;
    cf_profile r;
    cf_error err = CF_ERROR_INIT;
    int rc = cf_profile_run(j->g, &w->opts, on_progress, NULL, w, &r, &err);
    pthread_mutex_lock(&w->lock);
    if (rc) {
        w->err = err;
    } else {
        w->result = r;
    }
    pthread_mutex_unlock(&w->lock);
    atomic_store(&w->state, rc ? WORK_FAILED : WORK_DONE);
    free(j);
    return NULL;
}

int tui_profile_start(tui *t)
{
    worker *w = &t->work;
    if (!t->g) {
        tui_status(t, 1, "no model open: press o to open one");
        return CF_EINVAL;
    }
    if (atomic_load(&w->state) == WORK_RUNNING) {
        tui_status(t, 0, "profiling is running; Esc cancels it");
        return 0;
    }
    if (w->started) {
        pthread_join(w->thread, NULL);
        w->started = 0;
    }
    job *j = malloc(sizeof *j);
    if (!j) {
        tui_status(t, 1, "out of memory starting the profile");
        return CF_ENOMEM;
    }
    j->w = w;
    j->g = t->g;
    memset(&w->opts, 0, sizeof w->opts);
    w->opts.backend = t->next.reference ? "cpu-ref" : "cpu";
    w->opts.threads = t->next.threads;
    w->opts.warmup = t->next.warmup;
    w->opts.repeats = t->next.repeats;
    w->opts.seed = 1;
    w->opts.check_nan = 1;
    memset(&w->progress, 0, sizeof w->progress);
    w->progress.layers = t->g->n_nodes;
    cf_error_clear(&w->err);
    atomic_store(&w->cancel, 0);
    atomic_store(&w->state, WORK_RUNNING);
    w->started_us = now_us();
    if (pthread_create(&w->thread, NULL, run_profile, j) != 0) {
        free(j);
        atomic_store(&w->state, WORK_IDLE);
        tui_status(t, 1, "cannot start the profiling thread");
        return CF_EINTERNAL;
    }
    w->started = 1;
    tui_status(t, 0, "profiling on %s, %d thread(s), %d warm-up, %d repeats; Esc cancels",
               w->opts.backend, w->opts.threads, (int)w->opts.warmup, (int)w->opts.repeats);
    return 0;
}

void tui_profile_cancel(tui *t)
{
    if (atomic_load(&t->work.state) == WORK_RUNNING) {
        atomic_store(&t->work.cancel, 1);
        tui_status(t, 0, "canceling the profile...");
    }
}

void tui_profile_join(tui *t)
{
    worker *w = &t->work;
    if (!w->started)
        return;
    atomic_store(&w->cancel, 1);
    pthread_join(w->thread, NULL);
    w->started = 0;
    /* A result that came in all the same is dropped with the model. */
    pthread_mutex_lock(&w->lock);
    cf_profile_free(&w->result);
    pthread_mutex_unlock(&w->lock);
    atomic_store(&w->state, WORK_IDLE);
}

int tui_poll_work(tui *t)
{
    worker *w = &t->work;
    int st = atomic_load(&w->state);
    if (st == WORK_RUNNING)
        return 1;   /* the progress bar moves */
    if (st == WORK_IDLE)
        return 0;
    pthread_join(w->thread, NULL);
    w->started = 0;
    pthread_mutex_lock(&w->lock);
    if (st == WORK_DONE) {
        cf_profile_free(&t->prof);
        t->prof = w->result;
        memset(&w->result, 0, sizeof w->result);
        /* what it ran with: t->next may have changed while it ran */
        t->prof_settings = (settings){w->opts.threads, (int)w->opts.repeats, (int)w->opts.warmup,
                                      strcmp(w->opts.backend, "cpu-ref") == 0};
        tui_status(t, 0, "profiled: %.1f %s median per run (measured, %d thread(s), %s), "
                   "profiler overhead %+.1f%%",
                   t->prof.whole_median_us, tui_us(t), t->prof_settings.threads, w->opts.backend,
                   cf_profile_overhead_pct(&t->prof));
    } else if (w->err.code == CF_ECANCELED) {
        tui_status(t, 0, "profile canceled; the table keeps the last complete one");
    } else {
        tui_status(t, 1, "profile failed: %s", w->err.msg);
    }
    pthread_mutex_unlock(&w->lock);
    atomic_store(&w->state, WORK_IDLE);
    tui_rebuild_rows(t);
    return 1;
}
