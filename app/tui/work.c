/* work.c — the TUI's model, its profiling and its experiments: opening a
 * model (load, check, static costs); running cf_profile_run in a worker
 * thread whose progress the UI polls, and recording the completed profile
 * in the experiment store from that same thread (so the UI never waits on
 * SQLite); the experiments view's list, tags and notes. The worker touches
 * only its own struct (under its lock), the graph and the static costs,
 * which stay read-only and alive until it is joined. Everything goes
 * through store.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "onnx/onnx.h"
#include "report/report.h"
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

/* Unix seconds, as the store keeps a run's start and end. */
static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
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
    /* A running profile is canceled first, even if path turns out not to
     * open: the loader forks (shape inference runs in a child), and a
     * child forked while the worker is inside the allocator of a sanitizer
     * runtime (whose locks fork() does not reset, unlike glibc's) would
     * hang until the loader's time limit. */
    int canceled = atomic_load(&t->work.state) == WORK_RUNNING;
    tui_profile_join(t);
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
        tui_status(t, 1, "%scannot open %s: %s", canceled ? "profile canceled; " : "", path,
                   why);
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
    /* another file, or this one changed: which model and experiment it is
     * is known again once a run is recorded (or one is chosen with e) */
    t->model_id = 0;
    t->exp = 0;
    t->wstats = ws;
    t->g = g;
    t->cost = cost;
    t->shape_text = shapes;
    snprintf(t->path, sizeof t->path, "%s", path);
    snprintf(t->title_name, sizeof t->title_name, "%s", base_name(path));
    t->filter[0] = '\0';
    t->detail_scroll = 0;
    tui_rebuild_rows(t);
    /* Opening registers the model and its base experiment in the store
     * (as `chipfit profile` does before recording): the title shows the
     * experiment at once. Hashing and copying the file costs about a
     * millisecond per MB; a store error is said, the model stays open. */
    char store_msg[1100] = "";
    if (!t->no_store) {
        cf_store *st = NULL;
        cf_error serr = CF_ERROR_INIT;
        int64_t model = 0, exp = 0;
        if (cf_store_open(cf_store_default_path(NULL), 0, &st, &serr) ||
            cf_store_add_model(st, path, &model, &exp, &serr)) {
            snprintf(store_msg, sizeof store_msg, "; not registered in the store: %s", serr.msg);
        } else {
            t->model_id = model;
            t->exp = exp;
        }
        cf_store_close(st);
    }
    tui_status(t, store_msg[0] != 0, "opened %s: %d layers (static costs counted; press p to "
               "profile)%s", path, (int)g->n_nodes, store_msg);
    return 0;
}

/* No model named: the model the store saw opened last (its file, or the
 * store's copy when the file is gone), else the open prompt. A store that
 * is not there is not created; one that cannot be read is said. */
void tui_open_last(tui *t)
{
    const char *db = cf_store_default_path(NULL);
    cf_store_last last = {0};
    char why[1100] = "";
    if (!t->no_store && access(db, F_OK) == 0) {
        cf_store *st = NULL;
        cf_error err = CF_ERROR_INIT;
        if (cf_store_open(db, CF_STORE_NOCREATE, &st, &err) ||
            cf_store_last_model(st, &last, &err))
            snprintf(why, sizeof why, "%s; ", err.msg);
        cf_store_close(st);
    }
    if (last.found && tui_open_model(t, last.path) == 0) {
        if (last.found == 2)   /* the title names the model, not its hash */
            snprintf(t->title_name, sizeof t->title_name, "%s", last.name);
        tui_status(t, 0, "reopened %s%s: %d layers (press p to profile)",
                   last.found == 2 ? last.name : last.path,
                   last.found == 2 ? " from the store's copy (its file is gone)"
                                   : ", the store's last model",
                   (int)t->g->n_nodes);
        return;
    }
    if (last.found == 1 && last.copy[0]) {
        /* the file is there but no longer opens (changed since): the model
         * as the store saw it; why the file did not open stays said */
        char failed[sizeof t->status];
        snprintf(failed, sizeof failed, "%s", t->status);
        if (tui_open_model(t, last.copy) == 0) {
            snprintf(t->title_name, sizeof t->title_name, "%s", last.name);
            tui_status(t, 1, "reopened %s from the store's copy: the file no longer opens (%s)",
                       last.name, failed);
            return;
        }
    }
    t->mode = MODE_OPEN;
    if (last.found)   /* tui_open_model said why in the status */
        return;
    tui_status(t, why[0] != 0, "%stype the path of an ONNX model", why);
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

/* In the worker, after a complete profile: registers the model and records
 * the run onto the experiment chosen in the experiments view when it is
 * still of this model file, else onto the model's base experiment. */
static int record_run(const worker *w, const cf_graph *g, const cf_profile *r, double started,
                      double finished, int64_t ids[3], cf_error *err)
{
    cf_store *st = NULL;
    int64_t model = 0, exp = 0, run = 0;
    int rc = cf_store_open(w->store_path, 0, &st, err);
    if (!rc)
        rc = cf_store_add_model(st, w->model_path, &model, &exp, err);
    if (!rc && w->want_exp > 0) {
        cf_store_detail *d = NULL;
        cf_error ignored = CF_ERROR_INIT;   /* removed meanwhile: the base takes the run */
        if (cf_store_get_exp(st, w->want_exp, &d, &ignored) == 0 && d->model == model)
            exp = w->want_exp;
        cf_store_detail_free(d);
    }
    cf_store_run info = {exp, w->opts.backend, NULL, w->opts.threads, (int)w->opts.warmup,
                         (int)w->opts.repeats, started, finished};
    if (!rc)
        rc = cf_store_record_run(st, &info, g, w->cost, r, &run, err);
    cf_store_close(st);
    if (!rc) {
        ids[0] = model;
        ids[1] = exp;
        ids[2] = run;
    }
    return rc;
}

static void *run_profile(void *arg)
{
    job *j = arg;
    worker *w = j->w;
    cf_profile r;
    cf_error err = CF_ERROR_INIT, rec_err = CF_ERROR_INIT;
    double started = wall_seconds();
    int rc = cf_profile_run(j->g, &w->opts, on_progress, NULL, w, &r, &err);
    int rec_rc = 0;
    int64_t ids[3] = {0, 0, 0};
    if (!rc && w->record)
        rec_rc = record_run(w, j->g, &r, started, wall_seconds(), ids, &rec_err);
    pthread_mutex_lock(&w->lock);
    if (rc) {
        w->err = err;
    } else {
        w->result = r;
        w->rec_rc = rec_rc;
        w->rec_err = rec_err;
        w->rec_model = ids[0];
        w->rec_exp = ids[1];
        w->rec_run = ids[2];
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
    w->record = !t->no_store;
    snprintf(w->store_path, sizeof w->store_path, "%s", t->store_path);
    snprintf(w->model_path, sizeof w->model_path, "%s", t->path);
    w->cost = t->cost;
    w->want_exp = t->exp;
    w->rec_rc = 0;
    w->rec_model = w->rec_exp = w->rec_run = 0;
    cf_error_clear(&w->rec_err);
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
        char rec[160] = "";
        if (w->record && w->rec_rc == 0) {
            t->model_id = w->rec_model;
            t->exp = w->rec_exp;
            snprintf(rec, sizeof rec, "recorded as run %lld of experiment %lld; ",
                     (long long)w->rec_run, (long long)w->rec_exp);
        }
        if (w->record && w->rec_rc)
            /* the profile stands; only the store failed */
            /* (a contended profile says so on the totals line) */
            tui_status(t, 1, "profiled (%.1f %s median per run, measured), but not recorded: %s",
                       t->prof.whole_median_us, tui_us(t), w->rec_err.msg);
        else if (t->prof.contention.flags) {
            /* in the error colour, so it shows even where the line is cut;
             * the reasons are in the detail pane (t->contended) */
            tui_status(t, 1, "profiled: %s%.1f %s median per run (measured, %d thread(s), %s); "
                       "figures may not be reliable: the CPUs were contended (detail pane)", rec,
                       t->prof.whole_median_us, tui_us(t), t->prof_settings.threads,
                       w->opts.backend);
        } else {
            tui_status(t, 0, "profiled: %s%.1f %s median per run (measured, %d thread(s), %s), "
                       "profiler overhead %+.1f%%", rec,
                       t->prof.whole_median_us, tui_us(t), t->prof_settings.threads,
                       w->opts.backend, cf_profile_overhead_pct(&t->prof));
        }
        if (t->mode == MODE_EXPS)
            tui_exps_load(t);   /* the new run's count and latency */
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

/* ---- the experiments view ----------------------------------------------------------- */

void tui_exps_free(tui *t)
{
    free(t->exps);
    t->exps = NULL;
    t->n_exps = 0;
}

void tui_exp_select(tui *t, int row)
{
    if (row >= t->n_exps)
        row = (int)t->n_exps - 1;
    if (row < 0)
        row = 0;
    t->exp_sel = row;
    int h = t->exp_h > 0 ? t->exp_h : 1;
    if (t->exp_sel < t->exp_top)
        t->exp_top = t->exp_sel;
    if (t->exp_sel >= t->exp_top + h)
        t->exp_top = t->exp_sel - h + 1;
    if (t->exp_top > t->n_exps - h)
        t->exp_top = (int)t->n_exps - h;
    if (t->exp_top < 0)
        t->exp_top = 0;
}

/* Reads the tree again, keeping the selected experiment selected. A store
 * that is off, missing, empty or unreadable is a line in the view, never a
 * dialog: there is nothing wrong with having no experiments yet. */
void tui_exps_load(tui *t)
{
    int64_t keep = t->exps && t->exp_sel < t->n_exps ? t->exps[t->exp_sel].id : t->exp;
    tui_exps_free(t);
    t->exps_msg[0] = '\0';
    struct stat sb;
    if (t->no_store) {
        snprintf(t->exps_msg, sizeof t->exps_msg,
                 "the experiment store is off (CHIPFIT_NO_STORE): nothing recorded, nothing shown");
        return;
    }
    if (stat(t->store_path, &sb) != 0) {
        snprintf(t->exps_msg, sizeof t->exps_msg,
                 "no experiments yet: profile with p to record one (in %s)", t->store_path);
        return;
    }
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    if (cf_store_open(t->store_path, CF_STORE_READONLY, &st, &err) ||
        cf_store_list(st, &t->exps, &t->n_exps, &err)) {
        snprintf(t->exps_msg, sizeof t->exps_msg, "cannot read the experiment store: %s",
                 err.msg);
        cf_store_close(st);
        tui_exps_free(t);
        return;
    }
    cf_store_close(st);
    if (!t->n_exps)
        snprintf(t->exps_msg, sizeof t->exps_msg,
                 "no experiments yet: profile with p to record one (in %s)", t->store_path);
    int sel = 0;
    for (int64_t i = 0; i < t->n_exps; i++)
        if (t->exps[i].id == keep)
            sel = (int)i;
    tui_exp_select(t, sel);
}

/* t: prompts for the selected experiment's tag, n its note, starting from
 * the one it has. */
void tui_exp_prompt(tui *t, int tag)
{
    if (!t->n_exps) {
        tui_status(t, 0, "no experiment to %s: profile with p to record one",
                   tag ? "tag" : "note");
        return;
    }
    const cf_store_exp *e = &t->exps[t->exp_sel];
    t->input[0] = '\0';
    if (tag) {
        snprintf(t->input, sizeof t->input, "%s", e->name);
    } else {
        cf_error err = CF_ERROR_INIT;
        cf_store *st = NULL;
        cf_store_detail *d = NULL;
        if (cf_store_open(t->store_path, CF_STORE_READONLY, &st, &err) == 0 &&
            cf_store_get_exp(st, e->id, &d, &err) == 0 && d->note)
            snprintf(t->input, sizeof t->input, "%s", d->note);
        cf_store_detail_free(d);
        cf_store_close(st);
    }
    t->mode = tag ? MODE_EXP_TAG : MODE_EXP_NOTE;
}

int tui_exp_label(tui *t, int tag, const char *text)
{
    if (!t->n_exps)
        return CF_EINVAL;
    int64_t id = t->exps[t->exp_sel].id;
    cf_error err = CF_ERROR_INIT;
    cf_store *st = NULL;
    int rc = cf_store_open(t->store_path, CF_STORE_NOCREATE, &st, &err);
    if (!rc)
        rc = tag ? cf_store_tag(st, id, text, &err) : cf_store_note(st, id, text, &err);
    cf_store_close(st);
    if (rc) {
        tui_status(t, 1, "cannot %s experiment %lld: %s", tag ? "tag" : "note", (long long)id,
                   err.msg);
        return rc;
    }
    if (*text)
        tui_status(t, 0, "experiment %lld %s %s", (long long)id, tag ? "tagged" : "noted:", text);
    else
        tui_status(t, 0, "experiment %lld: %s cleared", (long long)id, tag ? "tag" : "note");
    tui_exps_load(t);
    return 0;
}

/* Enter: the selected experiment becomes the current one, onto which the
 * next profiles are recorded. Only an experiment of the open model: for now
 * every experiment of a model shares the model's file (no step writes a
 * new artifact yet), so nothing needs reloading. The model is known by its
 * id once a run recorded it, by its file name before that; the worker
 * checks again by content when it records. */
int tui_exp_use(tui *t)
{
    if (!t->n_exps)
        return CF_EINVAL;
    const cf_store_exp *e = &t->exps[t->exp_sel];
    int same = t->g && (t->model_id ? e->model == t->model_id
                                    : strcmp(e->model_name, t->title_name) == 0);
    if (!same) {
        tui_status(t, 1, "experiment %lld is of %s, not the open model: open it with o first",
                   (long long)e->id, e->model_name);
        return CF_EINVAL;
    }
    t->exp = e->id;
    t->model_id = e->model;
    tui_status(t, 0, "experiment %lld%s%s%s is current: profiles are recorded onto it",
               (long long)e->id, e->name[0] ? " (" : "", e->name, e->name[0] ? ")" : "");
    return 0;
}

/* ---- compare and report ------------------------------------------------------------ */

void tui_compare_free(tui *t)
{
    cf_compare_clear(&t->cmp);
    memset(&t->cmp, 0, sizeof t->cmp);
}

/* Experiment A (marked with c) against the selected one, B: the rows of
 * store/compare.h, B - A. The store is read once, here, on the UI thread:
 * two experiments' latest runs (a 5,000-layer pair takes ~13 ms,
 * bench/store_bench). */
int tui_compare_open(tui *t)
{
    if (t->exp_sel < 0 || t->exp_sel >= t->n_exps)
        return 0;
    int64_t b = t->exps[t->exp_sel].id;
    cf_store *st = NULL;
    cf_compare_side sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    cf_error err = CF_ERROR_INIT;
    int rc = cf_store_open(cf_store_default_path(NULL), CF_STORE_READONLY, &st, &err);
    if (!rc)
        rc = cf_compare_load(st, t->cmp_a, &sa, &err);
    if (!rc)
        rc = cf_compare_load(st, b, &sb, &err);
    tui_compare_free(t);
    if (!rc)
        rc = cf_compare_build(sa.layers, sa.n_layers, sb.layers, sb.n_layers, sa.metrics,
                              sa.n_metrics, sb.metrics, sb.n_metrics, &t->cmp, &err);
    cf_compare_side_clear(&sa);
    cf_compare_side_clear(&sb);
    cf_store_close(st);
    if (rc) {
        tui_status(t, 1, "cannot compare: %s", err.msg);
        return rc;
    }
    t->cmp_b = b;
    t->cmp_sel = t->cmp_top = 0;
    t->mode = MODE_COMPARE;
    tui_status(t, 0, "experiment %lld against %lld: %lld layers in both, %lld only in %lld, "
               "%lld only in %lld (times measured, B - A)",
               (long long)b, (long long)t->cmp_a, (long long)t->cmp.n_both,
               (long long)t->cmp.n_removed, (long long)t->cmp_a, (long long)t->cmp.n_added,
               (long long)b);
    return 0;
}

/* r: the current experiment as Markdown, chipfit-report-ID.md in the
 * working directory (the same as `chipfit report ID --format md`). */
int tui_report_write(tui *t)
{
    if (!t->exp) {
        tui_status(t, 1, "no experiment yet: profile with p to record one, then r");
        return CF_EINVAL;
    }
    char path[64], tmp[96];
    snprintf(path, sizeof path, "chipfit-report-%lld.md", (long long)t->exp);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cf_store *st = NULL;
    cf_compare_side side;
    memset(&side, 0, sizeof side);
    cf_error err = CF_ERROR_INIT;
    int rc = cf_store_open(cf_store_default_path(NULL), CF_STORE_READONLY, &st, &err);
    if (!rc)
        rc = cf_compare_load(st, t->exp, &side, &err);
    FILE *f = NULL;
    if (!rc && !(f = fopen(tmp, "w")))
        rc = cf_error_set(&err, CF_EIO, "%s: cannot write it", tmp);
    if (!rc) {
        cf_report r = {&side, NULL, NULL};
        rc = cf_report_md(f, &r, &err);
        if (!rc && (ferror(f) || fflush(f)))
            rc = cf_error_set(&err, CF_EIO, "%s: write failed", tmp);
    }
    if (f && fclose(f) && !rc)
        rc = cf_error_set(&err, CF_EIO, "%s: write failed", tmp);
    if (!rc && rename(tmp, path) != 0)
        rc = cf_error_set(&err, CF_EIO, "%s: cannot rename it", path);
    if (rc && f)
        remove(tmp);
    cf_compare_side_clear(&side);
    cf_store_close(st);
    if (rc)
        tui_status(t, 1, "report not written: %s", err.msg);
    else
        tui_status(t, 0, "report of experiment %lld written to %s (Markdown)", (long long)t->exp,
                   path);
    return rc;
}
