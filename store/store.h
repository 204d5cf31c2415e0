/* store.h — the experiment store: one SQLite database per porting project.
 *
 * Every model version, run and metric is kept, so any two can be compared
 * and nothing is lost. Tables (docs/store.md has every column): models (a
 * file by its content hash), experiments (a tree: each has a parent, the
 * recipe of steps that made it from the parent, and the hash of its model
 * file), runs (an experiment measured or estimated on a backend), layer
 * results (per run and layer), metrics (accuracy, fidelity, size, latency),
 * findings (for the analyzers). Model files are kept content-addressed
 * beside the database: `<db>.objects/ab/cdef...` (SHA-256 of the bytes).
 *
 * The database runs in WAL mode with foreign keys on and a busy timeout, so
 * two processes may record at once; a run is written in one transaction, so
 * a process killed while recording leaves no partial run. The schema
 * version is SQLite's user_version; opening migrates an older database and
 * refuses a newer one (naming both versions) without changing it. Views
 * reach the store only through this API, never its SQL. */
#ifndef CF_STORE_H
#define CF_STORE_H

#include <stdint.h>

#include "backend.h"
#include "base/error.h"
#include "cost.h"
#include "graph.h"
#include "profile.h"

#define CF_STORE_SCHEMA_VERSION 2

typedef struct cf_store cf_store;

enum {
    CF_STORE_READONLY = 1,   /* never write (nor create, nor migrate) */
    CF_STORE_NOCREATE = 2,   /* write, but only to a database already there */
};

/* Opens (creating when absent, unless READONLY) the database at path. The
 * default path is ./chipfit.db; callers take CHIPFIT_DB and --db first
 * (cf_store_default_path). A file that is not an SQLite database, a newer
 * schema, a file the OS will not let us write opened without READONLY
 * (sqlite3_db_readonly after the open): a clear error, nothing changed.
 * Every writing call on a READONLY store fails, naming the database. */
int cf_store_open(const char *path, int flags, cf_store **out, cf_error *err);
void cf_store_close(cf_store *s);   /* NULL is a no-op */

/* --db PATH if given, else $CHIPFIT_DB, else "chipfit.db". */
const char *cf_store_default_path(const char *flag_value);

/* Registers the model file at path: hashes it, keeps a copy among the
 * objects, adds the model and its base experiment (no parent, empty
 * recipe) when new. *experiment gets the base experiment's id. */
int cf_store_add_model(cf_store *s, const char *path, int64_t *model, int64_t *experiment,
                       cf_error *err);

/* The model opened most recently (models.opened: the TUI's open and
 * `chipfit profile` register it), for `chipfit` with no argument: found 1
 * and path the file it was last opened from, or, when that file is gone,
 * found 2 and path the store's copy; name is the file name it was first
 * registered under; copy is the store's copy whenever it is there (for a
 * file that changed and no longer opens). found 0 (and the rest empty) when
 * the store holds no model. CF_ENOTFOUND, naming both, when neither file is there. */
typedef struct cf_store_last {
    int found;
    char path[4096];
    char name[256];
    char copy[4096];   /* the store's copy when it is there, else "" */
} cf_store_last;
int cf_store_last_model(cf_store *s, cf_store_last *out, cf_error *err);

/* What a run was. Times are Unix seconds (UTC). */
typedef struct cf_store_run {
    int64_t experiment;
    const char *backend;        /* "cpu", "cpu-ref", ... */
    const char *target;         /* an accelerator target, or NULL */
    int threads, warmup, repeats;
    double started, finished;
} cf_store_run;

/* Records a completed profile of experiment info->experiment: the run, one
 * row per layer (measured times from prof, static costs from cost; either
 * may be NULL), and the whole-model latency as a metric, in one
 * transaction. *run gets its id. */
int cf_store_record_run(cf_store *s, const cf_store_run *info, const cf_graph *g,
                        const cf_model_cost *cost, const cf_profile *prof, int64_t *run,
                        cf_error *err);

/* One experiment as `exp list` shows it. */
typedef struct cf_store_exp {
    int64_t id, parent;         /* parent 0: a base experiment */
    int64_t model;
    char name[128];             /* its tag, or "" */
    char model_name[256];
    char created[32];           /* "2026-11-24 20:00:00" UTC */
    int depth;                  /* in the tree: 0 for a base */
    int64_t runs;
    double latency_us;          /* the latest run's median, measured; < 0: none */
    char latency_backend[32];
    int latency_threads;
} cf_store_exp;

/* Every experiment in tree order (each after its parent, siblings by id).
 * *out is malloc'd (free it); *n its length. */
int cf_store_list(cf_store *s, cf_store_exp **out, int64_t *n, cf_error *err);

/* ---- one experiment, as `exp show` shows it ------------------------------------------
 * Each getter below fails with CF_ENOTFOUND, naming the id and the database,
 * when there is no such experiment. Arrays come back malloc'd with their
 * length; free them with free() (they hold no pointers). */

/* An experiment in full. Free with cf_store_detail_free. */
typedef struct cf_store_detail {
    int64_t id, parent;         /* parent 0: a base experiment */
    int64_t model;
    char model_name[256];
    char model_hash[65];        /* SHA-256 of the model as registered */
    int64_t model_size;         /* bytes */
    char tag[128];              /* "" when none */
    char *note;                 /* NULL when none */
    char *recipe;               /* JSON array of steps, "[]" for a base */
    char artifact[65];          /* SHA-256 of its model file */
    char created[32];           /* UTC */
    int64_t children;           /* experiments made from it */
} cf_store_detail;

int cf_store_get_exp(cf_store *s, int64_t id, cf_store_detail **out, cf_error *err);
void cf_store_detail_free(cf_store_detail *d);   /* NULL is a no-op */

/* A run as recorded. */
typedef struct cf_store_run_row {
    int64_t id;
    char backend[32];
    char target[64];            /* "" when none */
    int threads, warmup, repeats;
    char host[256];
    char started[32], finished[32];   /* UTC */
    char status[16];            /* ok, failed, canceled */
    double latency_us;          /* whole-model median, measured; < 0: none */
} cf_store_run_row;

/* The runs of experiment exp, newest first. */
int cf_store_runs(cf_store *s, int64_t exp, cf_store_run_row **out, int64_t *n, cf_error *err);

/* A metric: value in unit, and whether measured, estimated or static. */
typedef struct cf_store_metric {
    int64_t id, run;            /* run 0: not from a run */
    char name[64];
    double value;
    char unit[16];
    char kind[16];              /* measured, estimated, static */
    char dataset[128];          /* "" when none */
    char created[32];
} cf_store_metric;

/* The metrics of experiment exp, oldest first. */
int cf_store_metrics(cf_store *s, int64_t exp, cf_store_metric **out, int64_t *n,
                     cf_error *err);

/* A layer of a run. Times are in unit (kind says measured or estimated);
 * has_time 0 when the run recorded none. Static counts are -1 when unknown. */
typedef struct cf_store_layer {
    int32_t layer;
    char name[256];
    char op[64];
    char kind[16];
    int has_time;
    double median, p10, p90;
    char unit[8];               /* "us" */
    char impl[64];              /* "" when none */
    int64_t params, macs, flops, bytes_in, bytes_out;
} cf_store_layer;

/* The layers of run `run`, by index; CF_ENOTFOUND when there is no such run. */
int cf_store_layers(cf_store *s, int64_t run, cf_store_layer **out, int64_t *n, cf_error *err);

/* ---- changing and removing ------------------------------------------------------------- */

/* Sets experiment id's tag (name) or note; "" or NULL clears it. */
int cf_store_tag(cf_store *s, int64_t id, const char *tag, cf_error *err);
int cf_store_note(cf_store *s, int64_t id, const char *note, cf_error *err);

enum {
    CF_STORE_RECURSIVE = 1,     /* cf_store_remove: take the experiment's subtree too */
};

/* Removes experiment id with its runs, layer rows, metrics and findings, in
 * one transaction; and the model row of a base experiment when nothing else
 * uses it. An experiment with children is refused (CF_EINVAL, naming them)
 * unless flags has CF_STORE_RECURSIVE, which removes the whole subtree.
 * After the commit, object files no experiment references any more are
 * deleted (a crash in between leaves an unreferenced file, never a
 * reference to a missing one; the next remove deletes it). *removed (may
 * be NULL) gets the number of experiments removed. */
int cf_store_remove(cf_store *s, int64_t id, int flags, int64_t *removed, cf_error *err);

/* Copies experiment id's model file out of the objects to path, after
 * checking its size and SHA-256: a missing or corrupt object is an error
 * naming the hash and the file, and nothing is written. The copy is made
 * under a temporary name and renamed onto path. */
int cf_store_export(cf_store *s, int64_t id, const char *path, cf_error *err);

#endif
