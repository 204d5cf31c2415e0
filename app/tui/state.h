/* state.h — what the TUI's files share: the workbench state (one struct,
 * owned by cf_tui_main), the columns of the layer table, and the functions
 * each file offers the others. Nothing here is global: every function takes
 * the state. */
#ifndef CF_TUI_STATE_H
#define CF_TUI_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/error.h"
#include "cost.h"
#include "graph.h"
#include "compare.h"
#include "profile.h"
#include "store.h"
#include "weights.h"

/* Columns of the layer table, in display order. */
typedef enum col_id {
    COL_INDEX,
    COL_NAME,
    COL_OP,
    COL_SHAPE,
    COL_PARAMS,
    COL_MACS,
    COL_CPU,
    COL_SHARE,
    N_COLS
} col_id;

typedef enum ui_mode {
    MODE_TABLE,       /* browsing */
    MODE_FILTER,      /* typing the filter (live) */
    MODE_OPEN,        /* typing a model path */
    MODE_SETTINGS,    /* the profiling settings form */
    MODE_CONFIRM_QUIT, /* quit while profiling runs? */
    MODE_EXPS,        /* the experiments view (e) */
    MODE_EXP_TAG,     /* typing an experiment's tag (in the experiments view) */
    MODE_EXP_NOTE,    /* typing an experiment's note */
    MODE_COMPARE,     /* two experiments side by side per layer (c, c) */
} ui_mode;

typedef enum work_state {
    WORK_IDLE,
    WORK_RUNNING,
    WORK_DONE,        /* a result waits to be picked up */
    WORK_FAILED,      /* an error waits to be shown */
} work_state;

/* The profiling worker: one thread at a time, over the current graph. */
typedef struct worker {
    pthread_t thread;
    int started;                  /* thread needs joining */
    atomic_int state;             /* work_state */
    atomic_int cancel;            /* set by the UI: stop at the next layer */
    pthread_mutex_t lock;         /* guards progress, result, err below */
    cf_profile_progress progress;
    cf_profile result;
    cf_error err;
    cf_profile_opts opts;
    double started_us;
    /* Recording the profile in the store, done by the worker after
     * cf_profile_run (SQLite never blocks the UI). In: record (0: the store
     * is off), the paths, the static costs (owned by the tui, alive until
     * the worker is joined) and the experiment to record onto (0: the
     * model's base experiment). Out, once the state is DONE: rec_rc and
     * rec_err, the ids. */
    int record;
    char store_path[4096];
    char model_path[4096];
    const cf_model_cost *cost;
    int64_t want_exp;
    int rec_rc;
    cf_error rec_err;
    int64_t rec_model, rec_exp, rec_run;
} worker;

typedef struct settings {
    int threads, repeats, warmup;
    int reference;                /* 1: cpu-ref backend */
} settings;

typedef struct tui {
    /* the model */
    char path[4096];
    char title_name[256];   /* the model's name in the title: the file's, or the store's */
    cf_graph *g;
    cf_model_cost *cost;
    char **shape_text;            /* per layer: output 0's shape, formatted */
    cf_weight_stats **wstats;     /* per tensor: computed on first show, NULL until then */
    int big_ok;                   /* 1: `w` asked for statistics of large tensors too */
    /* the experiment store (cf_store_default_path; off with CHIPFIT_NO_STORE=1) */
    char store_path[4096];
    int no_store;
    int64_t model_id;             /* the model's id in the store, 0 until a run recorded it */
    int64_t exp;                  /* the current experiment, 0 until known */
    /* the last completed profile of this model (layers NULL when none) */
    cf_profile prof;
    settings prof_settings;       /* what it was measured with */
    worker work;
    settings next;                /* what the next profile uses */

    /* the table */
    int32_t *rows;                /* layer indices shown, filtered and sorted */
    int32_t n_rows;
    int sel, top;                 /* selected row and first row shown (indices into rows) */
    col_id sort_col;
    int sort_desc;
    char filter[128];
    int show_detail;
    int detail_scroll;

    /* the experiments view */
    cf_store_exp *exps;           /* cf_store_list's tree, NULL when not loaded */
    int64_t n_exps;
    int exp_sel, exp_top, exp_h;
    char exps_msg[5200];          /* shown instead of the list: empty, missing, unreadable */
    /* the compare view: experiment A (marked with c) against B */
    int64_t cmp_a, cmp_b;         /* cmp_a 0: nothing marked */
    cf_compare cmp;               /* rows while in MODE_COMPARE */
    int cmp_sel, cmp_top, cmp_h;

    /* the screen */
    ui_mode mode;
    ui_mode confirm_from;         /* the mode the quit question returns to */
    int show_help, help_scroll;
    char input[4096];             /* the open prompt's text */
    int settings_field;
    settings form;                /* the settings being edited */
    char status[512];
    int status_error;             /* 1: status is an error (shown in red / bold) */
    int utf8, color;
    int table_y, table_h;         /* where the last draw put the table rows */
    int quit;

    /* library stderr, captured in a file instead of the screen */
    int stderr_fd;                /* the captured file (read side) */
    long stderr_seen;             /* bytes already reported */
    char stderr_path[64];
} tui;

/* work.c */
int tui_open_model(tui *t, const char *path);   /* 0, or an error in the status line */
void tui_open_last(tui *t);   /* the store's last model, else the open prompt */
void tui_close_model(tui *t);
int tui_profile_start(tui *t);
void tui_profile_cancel(tui *t);                /* asks; tui_poll_work sees the end */
void tui_profile_join(tui *t);                  /* cancels and waits */
int tui_poll_work(tui *t);                      /* 1 when something changed to redraw */
void tui_status(tui *t, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* the experiments view's store work (on the UI thread: short queries) */
void tui_exps_load(tui *t);                     /* the list, or exps_msg saying why none */
void tui_exps_free(tui *t);
int tui_compare_open(tui *t);                   /* A (marked) against the selected one */
void tui_compare_free(tui *t);
int tui_report_write(tui *t);                   /* r: Markdown of the current experiment */
void tui_exp_prompt(tui *t, int tag);           /* t / n: the prompt, with the text it has */
int tui_exp_label(tui *t, int tag, const char *text);   /* tags or notes the selected one */
int tui_exp_use(tui *t);                        /* Enter: the selected one becomes current */
void tui_exp_select(tui *t, int row);           /* clamps, scrolls into view */

/* table.c */
void tui_rebuild_rows(tui *t);                  /* filter and sort again, keep the selection */
const char *tui_col_title(const tui *t, col_id c);   /* "CPU us" outside UTF-8 */
const char *tui_us(const tui *t);               /* "µs", or "us" outside UTF-8 */
char tui_col_key(col_id c);                     /* the key that sorts by it */
void tui_select(tui *t, int row);               /* clamps, scrolls into view */

/* draw.c */
void tui_colors(tui *t);                        /* after initscr; honours t->color */
/* (the experiments view is drawn by tui_draw in MODE_EXPS and its prompts) */
void tui_draw(tui *t);
int tui_row_at(const tui *t, int screen_y);     /* row index under a screen line, or -1 */

#endif
