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

#define CF_STORE_SCHEMA_VERSION 1

typedef struct cf_store cf_store;

enum {
    CF_STORE_READONLY = 1,   /* never write (nor create, nor migrate) */
};

/* Opens (creating when absent, unless READONLY) the database at path. The
 * default path is ./chipfit.db; callers take CHIPFIT_DB and --db first
 * (cf_store_default_path). A file that is not an SQLite database, a newer
 * schema, a read-only file asked to be written: a clear error, nothing
 * changed. */
int cf_store_open(const char *path, int flags, cf_store **out, cf_error *err);
void cf_store_close(cf_store *s);   /* NULL is a no-op */

/* --db PATH if given, else $CHIPFIT_DB, else "chipfit.db". */
const char *cf_store_default_path(const char *flag_value);

/* Registers the model file at path: hashes it, keeps a copy among the
 * objects, adds the model and its base experiment (no parent, empty
 * recipe) when new. *experiment gets the base experiment's id. */
int cf_store_add_model(cf_store *s, const char *path, int64_t *model, int64_t *experiment,
                       cf_error *err);

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

#endif
