/* store.c — see store.h. SQLite does the storing (WAL, foreign keys,
 * transactions); OpenSSL's libcrypto hashes the model files (SHA-256). */
#define _XOPEN_SOURCE 700   /* realpath: glibc declares it for XSI only */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

struct cf_store {
    sqlite3 *db;
    char *path;
    int readonly;
    int version;   /* the schema's: older than CF_STORE_SCHEMA_VERSION only read-only */
};

/* ---- the schema --------------------------------------------------------------------- */

/* Version 1. docs/store.md documents every table and column, and
 * tests/unit/test_store.c checks that the two agree. */
static const char schema_v1[] =
    "CREATE TABLE models (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL,\n"
    "  path TEXT NOT NULL,\n"
    "  size INTEGER NOT NULL,\n"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))\n"
    ");\n"
    "CREATE TABLE experiments (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  model_id INTEGER NOT NULL REFERENCES models(id),\n"
    "  parent_id INTEGER REFERENCES experiments(id),\n"
    "  name TEXT,\n"
    "  note TEXT,\n"
    "  recipe TEXT NOT NULL DEFAULT '[]',\n"
    "  artifact TEXT NOT NULL,\n"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))\n"
    ");\n"
    "CREATE UNIQUE INDEX experiments_base ON experiments(model_id) WHERE parent_id IS NULL;\n"
    "CREATE INDEX experiments_parent ON experiments(parent_id);\n"
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,\n"
    "  backend TEXT NOT NULL,\n"
    "  target TEXT,\n"
    "  threads INTEGER NOT NULL,\n"
    "  warmup INTEGER NOT NULL,\n"
    "  repeats INTEGER NOT NULL,\n"
    "  host TEXT NOT NULL,\n"
    "  started TEXT NOT NULL,\n"
    "  finished TEXT NOT NULL,\n"
    "  status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'canceled'))\n"
    ");\n"
    "CREATE INDEX runs_experiment ON runs(experiment_id);\n"
    "CREATE TABLE layer_results (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  layer INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  op TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('measured', 'estimated')),\n"
    "  median REAL,\n"
    "  p10 REAL,\n"
    "  p90 REAL,\n"
    "  unit TEXT NOT NULL,\n"
    "  impl TEXT,\n"
    "  params INTEGER,\n"
    "  macs INTEGER,\n"
    "  flops INTEGER,\n"
    "  bytes_in INTEGER,\n"
    "  bytes_out INTEGER,\n"
    "  PRIMARY KEY (run_id, layer)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE metrics (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,\n"
    "  run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  name TEXT NOT NULL,\n"
    "  value REAL NOT NULL,\n"
    "  unit TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('measured', 'estimated', 'static')),\n"
    "  dataset TEXT,\n"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))\n"
    ");\n"
    "CREATE INDEX metrics_experiment ON metrics(experiment_id);\n"
    "CREATE TABLE findings (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,\n"
    "  analyzer TEXT NOT NULL,\n"
    "  layer INTEGER,\n"
    "  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),\n"
    "  message TEXT NOT NULL,\n"
    "  step TEXT,\n"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))\n"
    ");\n";

/* Version 2: the order in which models were last opened (by the TUI or
 * `chipfit profile`), and from where, so `chipfit` with no argument reopens
 * the last one. A counter, not a time: two opens in the same millisecond
 * keep their order. A version 1 database gets its registration order. */
static const char schema_v2[] =
    "ALTER TABLE models ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE models SET opened = id;\n";

/* migrations[v] takes a database from version v to v + 1. */
static const char *const migrations[] = {schema_v1, schema_v2};

/* ---- helpers ------------------------------------------------------------------------- */

/* models.opened for an open now: after every other (under the write lock). */
#define OPENED_NOW "(SELECT COALESCE(MAX(opened), 0) + 1 FROM models)"

static int db_error(cf_store *s, cf_error *err, const char *what)
{
    int code = sqlite3_errcode(s->db);
    int cf = code == SQLITE_NOMEM ? CF_ENOMEM : code == SQLITE_READONLY ? CF_EIO : CF_EIO;
    return cf_error_set(err, cf, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec_sql(cf_store *s, const char *sql, const char *what, cf_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = cf_error_set(err, CF_EIO, "%s: %s: %s", s->path, what,
                              msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int user_version(cf_store *s, int *v, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "reading the schema version");
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_error(s, err, "reading the schema version");
    }
    *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static void utc_text(double t, char *buf, size_t size)
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* "Linux 6.1 x86_64, AMD EPYC 9R45 (2 CPUs)": where a run ran. */
static void host_text(char *buf, size_t size)
{
    struct utsname u;
    char cpu[160] = "?";
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                snprintf(cpu, sizeof cpu, "%s", c + 2);
                cpu[strcspn(cpu, "\n")] = '\0';
            }
            break;
        }
    }
    if (f)
        fclose(f);
    snprintf(buf, size, "%s %s %s, %s (%ld CPUs)", u.sysname, u.release, u.machine, cpu,
             sysconf(_SC_NPROCESSORS_ONLN));
}

/* ---- opening ------------------------------------------------------------------------- */

const char *cf_store_default_path(const char *flag_value)
{
    if (flag_value && *flag_value)
        return flag_value;
    const char *env = getenv("CHIPFIT_DB");
    return env && *env ? env : "chipfit.db";
}

void cf_store_close(cf_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* The tables the schema has made: every one a chipfit store has. */
#define CF_STORE_TABLES 6

/* All the tables of the database, and how many of them are chipfit's. */
static int count_tables(cf_store *s, int64_t *all, int64_t *ours, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT COUNT(*), COALESCE(SUM(name IN ('models', 'experiments', "
                           "'runs', 'layer_results', 'metrics', 'findings')), 0) "
                           "FROM sqlite_master WHERE type = 'table'",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        int rc = db_error(s, err, "reading its tables");
        sqlite3_finalize(st);
        return rc;
    }
    *all = sqlite3_column_int64(st, 0);
    *ours = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return 0;
}

static int journal_is_wal(cf_store *s)
{
    sqlite3_stmt *st = NULL;
    int wal = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
              strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    return wal;
}

int cf_store_open(const char *path, int flags, cf_store **out, cf_error *err)
{
    *out = NULL;
    cf_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return cf_error_set(err, CF_ENOMEM, "out of memory opening %s", path);
    }
    s->readonly = (flags & CF_STORE_READONLY) != 0;
    struct stat stt;
    int exists = stat(path, &stt) == 0;
    if (!exists && (s->readonly || (flags & CF_STORE_NOCREATE))) {
        cf_store_close(s);
        return cf_error_set(err, CF_EIO, "%s: no such database", path);
    }
    if (exists && !S_ISREG(stt.st_mode)) {
        cf_store_close(s);
        return cf_error_set(err, CF_EIO, "%s: not a database file", path);
    }
    int oflags = s->readonly                     ? SQLITE_OPEN_READONLY
                 : (flags & CF_STORE_NOCREATE) ? SQLITE_OPEN_READWRITE
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        int rc = cf_error_set(err, CF_EIO, "%s: cannot open the database: %s", path,
                              s->db ? sqlite3_errmsg(s->db) : "out of memory");
        cf_store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, 10000);
    /* SQLite quietly opens a write-protected file read-only: say so now,
     * before anything tries to write (root is never refused by the OS). */
    if (!s->readonly && sqlite3_db_readonly(s->db, "main") == 1) {
        cf_store_close(s);
        return cf_error_set(err, CF_EIO, "%s: the database file is read-only: nothing can be "
                            "recorded or changed (nothing was)", path);
    }
    int v = 0, rc = user_version(s, &v, err);   /* also: is it a database at all? */
    if (rc) {
        cf_error_clear(err);
        rc = cf_error_set(err, CF_EIO, "%s: not a chipfit database (%s)", path,
                          sqlite3_errmsg(s->db));
        cf_store_close(s);
        return rc;
    }
    if (v > CF_STORE_SCHEMA_VERSION) {
        cf_store_close(s);
        return cf_error_set(err, CF_EIO,
                            "%s: the database has schema version %d, this chipfit knows up to %d: "
                            "use a newer chipfit (nothing was changed)",
                            path, v, CF_STORE_SCHEMA_VERSION);
    }
    /* Whose database is it? Nothing is written (not even WAL mode) until
     * that is known: chipfit's tables (any version from 1), or none at all
     * (a new file, which only an open that may create gets a schema in). */
    int64_t tables = 0, ours = 0;
    rc = count_tables(s, &tables, &ours, err);   /* (a lock held past the timeout: said) */
    if (!rc && v == 0 && tables > 0) {
        /* version 0 with tables: another program's, unless a chipfit
         * process created its schema between the two reads */
        int again = 0;
        if (user_version(s, &again, err) == 0 && again > 0) {
            v = again;
            rc = count_tables(s, &tables, &ours, err);
        }
        if (!rc)
            cf_error_clear(err);
    }
    if (!rc && (v < 0 || (v > 0 && ours < CF_STORE_TABLES) || (v == 0 && tables > 0))) {
        rc = cf_error_set(err, CF_EIO, "%s: not a chipfit database (%lld tables, %lld of them "
                          "chipfit's, schema version %d; nothing was changed)", path,
                          (long long)tables, (long long)ours, v);
    } else if (!rc && v == 0 && (flags & (CF_STORE_NOCREATE | CF_STORE_READONLY))) {
        rc = cf_error_set(err, CF_EIO, "%s: not a chipfit database (no chipfit schema yet: an "
                          "empty file; nothing was changed)", path);
    }
    if (rc) {
        cf_store_close(s);
        return rc;
    }
    if (!s->readonly && exec_sql(s, "PRAGMA journal_mode = WAL", "setting WAL mode", err)) {
        /* busy: another process opening it at the same moment may have set
         * it already, which is all that is wanted */
        if (!journal_is_wal(s))
            rc = err && err->code ? err->code : CF_EIO;
        else
            cf_error_clear(err);
    }
    if (!rc)
        rc = exec_sql(s, "PRAGMA foreign_keys = ON", "enabling foreign keys", err);
    /* A read-only open leaves an older schema as it is: reading needs
     * nothing version 2 added (only the last-model order, which falls back
     * to the registration order), so a store this chipfit may not write
     * stays readable. (Version 0, no schema at all, was refused above.) */
    if (!rc && v < CF_STORE_SCHEMA_VERSION && !s->readonly) {
        /* One transaction per step, the version with it: a crash leaves
         * the database at the last complete version. The version is read
         * again under the write lock: another process may have done the
         * step meanwhile. */
        while (!rc) {
            rc = exec_sql(s, "BEGIN IMMEDIATE", "starting the upgrade", err);
            if (!rc)
                rc = user_version(s, &v, err);
            if (!rc && v >= CF_STORE_SCHEMA_VERSION) {
                rc = exec_sql(s, "COMMIT", "committing the upgrade", err);
                break;
            }
            char bump[64];
            snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
            if (!rc)
                rc = exec_sql(s, migrations[v], "creating the schema", err);
            if (!rc)
                rc = exec_sql(s, bump, "setting the schema version", err);
            if (!rc)
                rc = exec_sql(s, "COMMIT", "committing the upgrade", err);
            else
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    s->version = v;
    if (rc) {
        cf_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- models and their files ------------------------------------------------------------ */

static int hash_file(const char *path, char hex[65], int64_t *size, unsigned char **bytes,
                     cf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return cf_error_set(err, CF_EIO, "%s: not a regular file", path);
    }
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        fclose(f);
        return cf_error_set(err, CF_ENOMEM, "%s: out of memory reading it", path);
    }
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    int bad = ferror(f) || n != (size_t)st.st_size;
    fclose(f);
    if (bad) {
        free(buf);
        return cf_error_set(err, CF_EIO, "%s: read failed", path);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(buf, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        free(buf);
        return cf_error_set(err, CF_EINTERNAL, "%s: SHA-256 failed", path);
    }
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    *size = (int64_t)n;
    *bytes = buf;
    return 0;
}

/* <db>.objects/ab/cdef...: written to a temporary name, then renamed, so a
 * crash never leaves a half file under the hash's name. */
static int keep_object(cf_store *s, const char *hex, const unsigned char *bytes, int64_t size,
                       cf_error *err)
{
    char dir[4096], sub[4200], file[4300], tmp[4400];
    snprintf(dir, sizeof dir, "%s.objects", s->path);
    snprintf(sub, sizeof sub, "%s/%.2s", dir, hex);
    snprintf(file, sizeof file, "%s/%s", sub, hex + 2);
    struct stat st;
    if (stat(file, &st) == 0 && st.st_size == size)
        return 0;
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(sub, 0777) != 0 && errno != EEXIST))
        return cf_error_set(err, CF_EIO, "%s: %s", sub, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", file, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return cf_error_set(err, CF_EIO, "%s: %s", tmp, strerror(errno));
    int bad = fwrite(bytes, 1, (size_t)size, f) != (size_t)size;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, file) != 0) {
        int e = errno;
        unlink(tmp);
        return cf_error_set(err, CF_EIO, "%s: %s", file, strerror(e));
    }
    return 0;
}

static int find_id(cf_store *s, const char *sql, const char *text, int64_t *id, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "looking up");
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(s, err, "looking up");
}

int cf_store_add_model(cf_store *s, const char *path, int64_t *model, int64_t *experiment,
                       cf_error *err)
{
    if (s->readonly)
        return cf_error_set(err, CF_EIO, "%s: opened read-only", s->path);
    char hex[65];
    int64_t size = 0;
    unsigned char *bytes = NULL;
    int rc = hash_file(path, hex, &size, &bytes, err);
    if (rc)
        return rc;
    /* Written outside the lock (it may be large), then made sure of under
     * it: cf_store_remove deletes unreferenced objects under the same lock,
     * so one may have gone in between. */
    rc = keep_object(s, hex, bytes, size, err);
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    /* the path to reopen it from, whatever the working directory then */
    char *abs = realpath(path, NULL);
    const char *where = abs ? abs : path;
    /* the store's own copy (the TUI reopens it when the file is gone) is
     * not where the model lives: the path stays the one it came from */
    int from_copy = 0;
    char objs[4096];
    snprintf(objs, sizeof objs, "%s.objects", s->path);
    char *objs_abs = abs ? realpath(objs, NULL) : NULL;
    if (objs_abs) {
        size_t n = strlen(objs_abs);
        from_copy = strncmp(abs, objs_abs, n) == 0 && abs[n] == '/';
        free(objs_abs);
    }
    if (!rc)
        rc = exec_sql(s, "BEGIN IMMEDIATE", "registering the model", err);
    if (!rc && (rc = keep_object(s, hex, bytes, size, err)) != 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    free(bytes);
    if (rc) {
        free(abs);
        return rc;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO models (hash, name, path, size, opened) "
                           "VALUES (?1, ?2, ?3, ?4, " OPENED_NOW ") "
                           "ON CONFLICT (hash) DO UPDATE SET "
                           "path = CASE WHEN ?5 THEN path ELSE excluded.path END, "
                           "opened = excluded.opened",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(s, err, "registering the model");
    } else {
        sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, where, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, size);
        sqlite3_bind_int(st, 5, from_copy);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "registering the model");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = find_id(s, "SELECT id FROM models WHERE hash = ?1", hex, model, err);
    st = NULL;
    if (!rc && sqlite3_prepare_v2(s->db,
                                  "INSERT INTO experiments (model_id, artifact) VALUES (?1, ?2) "
                                  "ON CONFLICT DO NOTHING",
                                  -1, &st, NULL) != SQLITE_OK)
        rc = db_error(s, err, "adding the base experiment");
    if (!rc) {
        sqlite3_bind_int64(st, 1, *model);
        sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "adding the base experiment");
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = find_id(s, "SELECT id FROM experiments WHERE parent_id IS NULL AND artifact = ?1",
                     hex, experiment, err);
    if (!rc)
        rc = exec_sql(s, "COMMIT", "registering the model", err);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    free(abs);
    return rc;
}

/* ---- runs ------------------------------------------------------------------------------ */

int cf_store_record_run(cf_store *s, const cf_store_run *info, const cf_graph *g,
                        const cf_model_cost *cost, const cf_profile *prof, int64_t *run,
                        cf_error *err)
{
    if (s->readonly)
        return cf_error_set(err, CF_EIO, "%s: opened read-only", s->path);
    char started[32], finished[32], host[512];
    utc_text(info->started, started, sizeof started);
    utc_text(info->finished, finished, sizeof finished);
    host_text(host, sizeof host);
    int rc = exec_sql(s, "BEGIN IMMEDIATE", "recording the run", err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO runs (experiment_id, backend, target, threads, warmup, "
                           "repeats, host, started, finished, status) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'ok')",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(s, err, "recording the run");
    } else {
        sqlite3_bind_int64(st, 1, info->experiment);
        sqlite3_bind_text(st, 2, info->backend, -1, SQLITE_STATIC);
        if (info->target)
            sqlite3_bind_text(st, 3, info->target, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, info->threads);
        sqlite3_bind_int(st, 5, info->warmup);
        sqlite3_bind_int(st, 6, info->repeats);
        sqlite3_bind_text(st, 7, host, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, started, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, finished, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "recording the run");
        sqlite3_finalize(st);
    }
    *run = sqlite3_last_insert_rowid(s->db);
    st = NULL;
    if (!rc && sqlite3_prepare_v2(s->db,
                                  "INSERT INTO layer_results (run_id, layer, name, op, kind, "
                                  "median, p10, p90, unit, impl, params, macs, flops, bytes_in, "
                                  "bytes_out) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'us', ?9, "
                                  "?10, ?11, ?12, ?13, ?14)",
                                  -1, &st, NULL) != SQLITE_OK)
        rc = db_error(s, err, "recording the layers");
    for (int32_t k = 0; !rc && k < g->n_nodes; k++) {
        const cf_layer_cost *m = prof && k < prof->n_layers ? &prof->layers[k] : NULL;
        const cf_layer_static *c = cost && k < cost->n_layers ? &cost->layers[k] : NULL;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_int64(st, 1, *run);
        sqlite3_bind_int(st, 2, k);
        sqlite3_bind_text(st, 3, g->nodes[k].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, g->nodes[k].op_type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, m ? cf_cost_kind_name(m->kind) : "measured", -1, SQLITE_STATIC);
        if (m) {
            sqlite3_bind_double(st, 6, m->median_us);
            sqlite3_bind_double(st, 7, m->p10_us);
            sqlite3_bind_double(st, 8, m->p90_us);
            sqlite3_bind_text(st, 9, m->impl, -1, SQLITE_STATIC);
        }
        if (c) {
            sqlite3_bind_int64(st, 10, c->params);
            sqlite3_bind_int64(st, 11, c->macs);
            sqlite3_bind_int64(st, 12, c->flops);
            sqlite3_bind_int64(st, 13, c->in_bytes);
            sqlite3_bind_int64(st, 14, c->out_bytes);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "recording the layers");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc && prof &&
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO metrics (experiment_id, run_id, name, value, unit, kind) "
                           "VALUES (?1, ?2, 'latency', ?3, 'us', 'measured')",
                           -1, &st, NULL) != SQLITE_OK)
        rc = db_error(s, err, "recording the latency");
    if (!rc && prof) {
        sqlite3_bind_int64(st, 1, info->experiment);
        sqlite3_bind_int64(st, 2, *run);
        sqlite3_bind_double(st, 3, prof->whole_median_us);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "recording the latency");
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = exec_sql(s, "COMMIT", "committing the run", err);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- listing ----------------------------------------------------------------------------- */

static int cmp_exp(const void *a, const void *b)
{
    const cf_store_exp *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

int cf_store_list(cf_store *s, cf_store_exp **out, int64_t *n, cf_error *err)
{
    *out = NULL;
    *n = 0;
    static const char sql[] =
        "SELECT e.id, COALESCE(e.parent_id, 0), e.model_id, COALESCE(e.name, ''), m.name, "
        "e.created, (SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.id), "
        "(SELECT mt.value FROM metrics mt WHERE mt.experiment_id = e.id AND mt.name = 'latency' "
        " ORDER BY mt.id DESC LIMIT 1), "
        "(SELECT r.backend FROM runs r WHERE r.experiment_id = e.id ORDER BY r.id DESC LIMIT 1), "
        "(SELECT r.threads FROM runs r WHERE r.experiment_id = e.id ORDER BY r.id DESC LIMIT 1) "
        "FROM experiments e JOIN models m ON m.id = e.model_id ORDER BY e.id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "listing experiments");
    int64_t cap = 64, cnt = 0;
    cf_store_exp *v = malloc((size_t)cap * sizeof *v);
    int rc = v ? 0 : cf_error_set(err, CF_ENOMEM, "out of memory listing experiments");
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            cf_store_exp *nv = realloc(v, (size_t)(cap *= 2) * sizeof *v);
            if (!nv) {
                rc = cf_error_set(err, CF_ENOMEM, "out of memory listing experiments");
                break;
            }
            v = nv;
        }
        cf_store_exp *e = &v[cnt++];
        memset(e, 0, sizeof *e);
        e->id = sqlite3_column_int64(st, 0);
        e->parent = sqlite3_column_int64(st, 1);
        e->model = sqlite3_column_int64(st, 2);
        snprintf(e->name, sizeof e->name, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(e->model_name, sizeof e->model_name, "%s",
                 (const char *)sqlite3_column_text(st, 4));
        snprintf(e->created, sizeof e->created, "%s", (const char *)sqlite3_column_text(st, 5));
        e->runs = sqlite3_column_int64(st, 6);
        e->latency_us = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1
                                                                   : sqlite3_column_double(st, 7);
        const unsigned char *be = sqlite3_column_text(st, 8);
        snprintf(e->latency_backend, sizeof e->latency_backend, "%s", be ? (const char *)be : "");
        e->latency_threads = sqlite3_column_int(st, 9);
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_error(s, err, "listing experiments");
    sqlite3_finalize(st);
    if (rc) {
        free(v);
        return rc;
    }
    /* Tree order: depth-first from each base, children by id, through
     * first-child / next-sibling links (linear: `exp list` over 10,000
     * experiments stays fast). */
    qsort(v, (size_t)cnt, sizeof *v, cmp_exp);
    cf_store_exp *o = malloc(((size_t)cnt + 1) * sizeof *o);
    int64_t *up = malloc(((size_t)cnt + 1) * sizeof *up);
    int64_t *first = malloc(((size_t)cnt + 1) * sizeof *first);
    int64_t *next = malloc(((size_t)cnt + 1) * sizeof *next);
    if (!o || !up || !first || !next) {
        free(v);
        free(o);
        free(up);
        free(first);
        free(next);
        return cf_error_set(err, CF_ENOMEM, "out of memory listing experiments");
    }
    for (int64_t i = 0; i < cnt; i++) {
        first[i] = next[i] = up[i] = -1;
        if (!v[i].parent)
            continue;
        int64_t lo = 0, hi = cnt - 1;   /* the parent's index: ids are sorted */
        while (lo <= hi) {
            int64_t mid = (lo + hi) / 2;
            if (v[mid].id < v[i].parent)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        if (lo < cnt && v[lo].id == v[i].parent)
            up[i] = lo;
    }
    for (int64_t i = cnt - 1; i >= 0; i--)
        if (up[i] >= 0) {
            next[i] = first[up[i]];
            first[up[i]] = i;
        }
    int64_t m = 0;
    for (int64_t r = 0; r < cnt; r++) {
        if (up[r] >= 0)
            continue;   /* a base, or an orphan whose parent is gone: a root */
        int64_t cur = r;
        int depth = 0;
        while (cur >= 0) {
            o[m] = v[cur];
            o[m++].depth = depth;
            if (first[cur] >= 0) {
                cur = first[cur];
                depth++;
                continue;
            }
            while (cur != r && next[cur] < 0) {
                cur = up[cur];
                depth--;
            }
            cur = cur == r ? -1 : next[cur];
        }
    }
    free(v);
    free(up);
    free(first);
    free(next);
    *out = o;
    *n = m;
    return 0;
}

/* ---- one experiment ---------------------------------------------------------------------- */

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, size, "%s", t ? (const char *)t : "");
}

static int no_such_exp(cf_store *s, int64_t id, cf_error *err)
{
    return cf_error_set(err, CF_ENOTFOUND, "%s: no experiment %lld", s->path, (long long)id);
}

static int exp_exists(cf_store *s, int64_t id, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM experiments WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(s, err, "looking up the experiment");
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step == SQLITE_ROW)
        return 0;
    return step == SQLITE_DONE ? no_such_exp(s, id, err)
                               : db_error(s, err, "looking up the experiment");
}

/* Runs sql (one int64 parameter) and fills one element of elem bytes per
 * row: the one loop behind every list the store hands out. */
static int query_rows(cf_store *s, const char *sql, int64_t arg, size_t elem,
                      void (*fill)(sqlite3_stmt *st, void *row), void **out, int64_t *n,
                      const char *what, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, what);
    sqlite3_bind_int64(st, 1, arg);
    int64_t cap = 16, cnt = 0;
    char *v = malloc((size_t)cap * elem);
    int rc = v ? 0 : cf_error_set(err, CF_ENOMEM, "out of memory %s", what);
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            char *nv = realloc(v, (size_t)(cap *= 2) * elem);
            if (!nv) {
                rc = cf_error_set(err, CF_ENOMEM, "out of memory %s", what);
                break;
            }
            v = nv;
        }
        memset(v + (size_t)cnt * elem, 0, elem);
        fill(st, v + (size_t)cnt++ * elem);
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_error(s, err, what);
    sqlite3_finalize(st);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

static void fill_id(sqlite3_stmt *st, void *row)
{
    *(int64_t *)row = sqlite3_column_int64(st, 0);
}

void cf_store_detail_free(cf_store_detail *d)
{
    if (!d)
        return;
    free(d->note);
    free(d->recipe);
    free(d);
}

int cf_store_get_exp(cf_store *s, int64_t id, cf_store_detail **out, cf_error *err)
{
    *out = NULL;
    static const char sql[] =
        "SELECT e.id, COALESCE(e.parent_id, 0), e.model_id, m.name, m.hash, m.size, e.name, "
        "e.note, e.recipe, e.artifact, e.created, "
        "(SELECT COUNT(*) FROM experiments c WHERE c.parent_id = e.id) "
        "FROM experiments e JOIN models m ON m.id = e.model_id WHERE e.id = ?1";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "reading the experiment");
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        int rc = step == SQLITE_DONE ? no_such_exp(s, id, err)
                                     : db_error(s, err, "reading the experiment");
        sqlite3_finalize(st);
        return rc;
    }
    cf_store_detail *d = calloc(1, sizeof *d);
    const unsigned char *note = sqlite3_column_text(st, 7);
    const unsigned char *recipe = sqlite3_column_text(st, 8);
    if (d && note)
        d->note = strdup((const char *)note);
    if (d)
        d->recipe = strdup(recipe ? (const char *)recipe : "[]");
    if (!d || !d->recipe || (note && !d->note)) {
        sqlite3_finalize(st);
        cf_store_detail_free(d);
        return cf_error_set(err, CF_ENOMEM, "out of memory reading experiment %lld",
                            (long long)id);
    }
    d->id = sqlite3_column_int64(st, 0);
    d->parent = sqlite3_column_int64(st, 1);
    d->model = sqlite3_column_int64(st, 2);
    col_text(st, 3, d->model_name, sizeof d->model_name);
    col_text(st, 4, d->model_hash, sizeof d->model_hash);
    d->model_size = sqlite3_column_int64(st, 5);
    col_text(st, 6, d->tag, sizeof d->tag);
    col_text(st, 9, d->artifact, sizeof d->artifact);
    col_text(st, 10, d->created, sizeof d->created);
    d->children = sqlite3_column_int64(st, 11);
    sqlite3_finalize(st);
    *out = d;
    return 0;
}

static void fill_run(sqlite3_stmt *st, void *row)
{
    cf_store_run_row *r = row;
    r->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, r->backend, sizeof r->backend);
    col_text(st, 2, r->target, sizeof r->target);
    r->threads = sqlite3_column_int(st, 3);
    r->warmup = sqlite3_column_int(st, 4);
    r->repeats = sqlite3_column_int(st, 5);
    col_text(st, 6, r->host, sizeof r->host);
    col_text(st, 7, r->started, sizeof r->started);
    col_text(st, 8, r->finished, sizeof r->finished);
    col_text(st, 9, r->status, sizeof r->status);
    r->latency_us = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 10);
}

int cf_store_runs(cf_store *s, int64_t exp, cf_store_run_row **out, int64_t *n, cf_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = exp_exists(s, exp, err);
    return rc ? rc
              : query_rows(s,
                           "SELECT r.id, r.backend, r.target, r.threads, r.warmup, r.repeats, "
                           "r.host, r.started, r.finished, r.status, (SELECT mt.value FROM "
                           "metrics mt WHERE mt.run_id = r.id AND mt.name = 'latency' ORDER BY "
                           "mt.id DESC LIMIT 1) FROM runs r WHERE r.experiment_id = ?1 "
                           "ORDER BY r.id DESC",
                           exp, sizeof **out, fill_run, (void **)out, n, "reading the runs", err);
}

static void fill_metric(sqlite3_stmt *st, void *row)
{
    cf_store_metric *m = row;
    m->id = sqlite3_column_int64(st, 0);
    m->run = sqlite3_column_int64(st, 1);
    col_text(st, 2, m->name, sizeof m->name);
    m->value = sqlite3_column_double(st, 3);
    col_text(st, 4, m->unit, sizeof m->unit);
    col_text(st, 5, m->kind, sizeof m->kind);
    col_text(st, 6, m->dataset, sizeof m->dataset);
    col_text(st, 7, m->created, sizeof m->created);
}

int cf_store_metrics(cf_store *s, int64_t exp, cf_store_metric **out, int64_t *n, cf_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = exp_exists(s, exp, err);
    return rc ? rc
              : query_rows(s,
                           "SELECT id, COALESCE(run_id, 0), name, value, unit, kind, dataset, "
                           "created FROM metrics WHERE experiment_id = ?1 ORDER BY id",
                           exp, sizeof **out, fill_metric, (void **)out, n, "reading the metrics",
                           err);
}

static int64_t col_count(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static void fill_layer(sqlite3_stmt *st, void *row)
{
    cf_store_layer *l = row;
    l->layer = sqlite3_column_int(st, 0);
    col_text(st, 1, l->name, sizeof l->name);
    col_text(st, 2, l->op, sizeof l->op);
    col_text(st, 3, l->kind, sizeof l->kind);
    l->has_time = sqlite3_column_type(st, 4) != SQLITE_NULL;
    l->median = sqlite3_column_double(st, 4);
    l->p10 = sqlite3_column_double(st, 5);
    l->p90 = sqlite3_column_double(st, 6);
    col_text(st, 7, l->unit, sizeof l->unit);
    col_text(st, 8, l->impl, sizeof l->impl);
    l->params = col_count(st, 9);
    l->macs = col_count(st, 10);
    l->flops = col_count(st, 11);
    l->bytes_in = col_count(st, 12);
    l->bytes_out = col_count(st, 13);
}

int cf_store_layers(cf_store *s, int64_t run, cf_store_layer **out, int64_t *n, cf_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t *found = NULL, nf = 0;
    int rc = query_rows(s, "SELECT id FROM runs WHERE id = ?1", run, sizeof *found, fill_id,
                        (void **)&found, &nf, "looking up the run", err);
    free(found);
    if (!rc && nf == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, "%s: no run %lld", s->path, (long long)run);
    return rc ? rc
              : query_rows(s,
                           "SELECT layer, name, op, kind, median, p10, p90, unit, impl, params, "
                           "macs, flops, bytes_in, bytes_out FROM layer_results WHERE run_id = ?1 "
                           "ORDER BY layer",
                           run, sizeof **out, fill_layer, (void **)out, n, "reading the layers",
                           err);
}

/* ---- changing and removing --------------------------------------------------------------- */

static int readonly_error(cf_store *s, cf_error *err)
{
    return cf_error_set(err, CF_EIO, "%s: opened read-only", s->path);
}

/* UPDATE experiments SET <column> = text ("" or NULL: NULL) WHERE id. */
static int set_text(cf_store *s, int64_t id, const char *sql, const char *text, const char *what,
                    cf_error *err)
{
    if (s->readonly)
        return readonly_error(s, err);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, what);
    sqlite3_bind_int64(st, 1, id);
    if (text && *text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, what);
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(s->db) == 0)
        rc = no_such_exp(s, id, err);
    return rc;
}

int cf_store_tag(cf_store *s, int64_t id, const char *tag, cf_error *err)
{
    return set_text(s, id, "UPDATE experiments SET name = ?2 WHERE id = ?1", tag,
                    "setting the tag", err);
}

int cf_store_note(cf_store *s, int64_t id, const char *note, cf_error *err)
{
    return set_text(s, id, "UPDATE experiments SET note = ?2 WHERE id = ?1", note,
                    "setting the note", err);
}

static void object_path(cf_store *s, const char *hex, char *buf, size_t size)
{
    snprintf(buf, size, "%s.objects/%.2s/%s", s->path, hex, hex + 2);
}

static int is_hex(const char *t, size_t len)
{
    if (strlen(t) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return 0;
    return 1;
}

/* Deletes every object file no experiment's artifact names, under the
 * write lock: cf_store_add_model makes sure of its object under the same
 * lock, so a model being registered meanwhile keeps (or gets back) its
 * file. Temporary files of writers are left alone. */
static int sweep_objects(cf_store *s, cf_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s.objects", s->path);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : cf_error_set(err, CF_EIO, "%s: %s", dir, strerror(errno));
    sqlite3_stmt *st = NULL;
    int rc = exec_sql(s, "BEGIN IMMEDIATE", "deleting unused model files", err);
    if (!rc && sqlite3_prepare_v2(s->db, "SELECT 1 FROM experiments WHERE artifact = ?1", -1,
                                  &st, NULL) != SQLITE_OK)
        rc = db_error(s, err, "deleting unused model files");
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (!is_hex(e->d_name, 2))
            continue;
        char sub[4096 + 8];
        snprintf(sub, sizeof sub, "%s/%.2s", dir, e->d_name);
        DIR *sd = opendir(sub);
        struct dirent *f;
        while (!rc && sd && (f = readdir(sd)) != NULL) {
            if (!is_hex(f->d_name, 62))
                continue;
            char hex[65], file[4096 + 80];
            memcpy(hex, e->d_name, 2);
            memcpy(hex + 2, f->d_name, 63);   /* is_hex: 62 digits and the NUL */
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
            int step = sqlite3_step(st);
            if (step == SQLITE_ROW)
                continue;
            if (step != SQLITE_DONE) {
                rc = db_error(s, err, "deleting unused model files");
                break;
            }
            snprintf(file, sizeof file, "%s/%.62s", sub, f->d_name);
            if (unlink(file) != 0 && errno != ENOENT)
                rc = cf_error_set(err, CF_EIO, "%s: cannot delete this unused model file: %s",
                                  file, strerror(errno));
        }
        if (sd)
            closedir(sd);
    }
    closedir(d);
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);   /* it wrote nothing */
    return rc;
}

static const char subtree_sql[] =
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT e.id FROM experiments e "
    "JOIN sub ON e.parent_id = sub.id) ";

int cf_store_remove(cf_store *s, int64_t id, int flags, int64_t *removed, cf_error *err)
{
    if (s->readonly)
        return readonly_error(s, err);
    int rc = exec_sql(s, "BEGIN IMMEDIATE", "removing the experiment", err);
    if (rc)
        return rc;
    int64_t *ids = NULL, *models = NULL, n = 0, nm = 0;
    char sql[512];
    rc = exp_exists(s, id, err);
    /* Breadth first: each experiment comes before its children, so deleting
     * from the end never leaves a child without its parent. */
    snprintf(sql, sizeof sql, "%sSELECT id FROM sub", subtree_sql);
    if (!rc)
        rc = query_rows(s, sql, id, sizeof *ids, fill_id, (void **)&ids, &n,
                        "finding the subtree", err);
    if (!rc && n > 1 && !(flags & CF_STORE_RECURSIVE)) {
        int64_t *kids = NULL, nk = 0;
        rc = query_rows(s, "SELECT id FROM experiments WHERE parent_id = ?1 ORDER BY id", id,
                        sizeof *kids, fill_id, (void **)&kids, &nk, "finding the children", err);
        if (!rc) {
            char list[256] = "";
            for (int64_t i = 0; i < nk && strlen(list) < sizeof list - 40; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%lld",
                         i ? ", " : "", (long long)kids[i]);
            if (strlen(list) >= sizeof list - 40)
                strcat(list, ", ...");
            rc = cf_error_set(err, CF_EINVAL,
                              "experiment %lld has %lld child experiment%s (%s): remove %s first, "
                              "or remove recursively (nothing was removed)",
                              (long long)id, (long long)nk, nk == 1 ? "" : "s", list,
                              nk == 1 ? "it" : "them");
        }
        free(kids);
    }
    snprintf(sql, sizeof sql,
             "%sSELECT DISTINCT model_id FROM experiments WHERE id IN (SELECT id FROM sub)",
             subtree_sql);
    if (!rc)
        rc = query_rows(s, sql, id, sizeof *models, fill_id, (void **)&models, &nm,
                        "finding the models", err);
    sqlite3_stmt *st = NULL;
    if (!rc && sqlite3_prepare_v2(s->db, "DELETE FROM experiments WHERE id = ?1", -1, &st,
                                  NULL) != SQLITE_OK)
        rc = db_error(s, err, "removing the experiment");
    for (int64_t i = n - 1; !rc && i >= 0; i--) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "removing the experiment");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc && sqlite3_prepare_v2(s->db,
                                  "DELETE FROM models WHERE id = ?1 AND NOT EXISTS "
                                  "(SELECT 1 FROM experiments WHERE model_id = ?1)",
                                  -1, &st, NULL) != SQLITE_OK)
        rc = db_error(s, err, "removing the model");
    for (int64_t i = 0; !rc && i < nm; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, models[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(s, err, "removing the model");
    }
    sqlite3_finalize(st);
    free(ids);
    free(models);
    if (!rc)
        rc = exec_sql(s, "COMMIT", "committing the removal", err);
    if (rc) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (removed)
        *removed = n;
    /* After the commit: a crash here leaves files nothing references,
     * which the next removal deletes; never a reference to a lost file. */
    rc = sweep_objects(s, err);
    if (rc)
        cf_error_prefix(err, "experiment %lld removed, but", (long long)id);
    return rc;
}

/* ---- export ------------------------------------------------------------------------------ */

int cf_store_export(cf_store *s, int64_t id, const char *path, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT e.artifact, (SELECT m.size FROM models m WHERE m.hash = "
                           "e.artifact) FROM experiments e WHERE e.id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "reading the experiment");
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        sqlite3_finalize(st);
        return step == SQLITE_DONE ? no_such_exp(s, id, err)
                                   : db_error(s, err, "reading the experiment");
    }
    char want[65], obj[4400];
    col_text(st, 0, want, sizeof want);
    int64_t want_size = col_count(st, 1);   /* known for a registered model */
    sqlite3_finalize(st);
    object_path(s, want, obj, sizeof obj);
    struct stat sb;
    if (stat(obj, &sb) != 0)
        return cf_error_set(err, CF_EIO,
                            "experiment %lld: its model file (sha256 %s) is missing: %s: %s",
                            (long long)id, want, obj, strerror(errno));
    char got[65];
    int64_t size = 0;
    unsigned char *bytes = NULL;
    int rc = hash_file(obj, got, &size, &bytes, err);
    if (rc) {
        cf_error_prefix(err, "experiment %lld: model file (sha256 %s)", (long long)id, want);
        return rc;
    }
    if (want_size >= 0 && size != want_size)
        rc = cf_error_set(err, CF_EFORMAT,
                          "experiment %lld: its model file (sha256 %s) is corrupt: %s has %lld "
                          "bytes, the store recorded %lld (nothing was written)",
                          (long long)id, want, obj, (long long)size, (long long)want_size);
    else if (strcmp(got, want) != 0)
        rc = cf_error_set(err, CF_EFORMAT,
                          "experiment %lld: its model file (sha256 %s) is corrupt: %s has "
                          "sha256 %s (nothing was written)",
                          (long long)id, want, obj, got);
    char tmp[4400];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = rc ? NULL : fopen(tmp, "wb");
    if (!rc && !f)
        rc = cf_error_set(err, CF_EIO, "%s: %s", tmp, strerror(errno));
    if (f) {
        int bad = fwrite(bytes, 1, (size_t)size, f) != (size_t)size;
        bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
        bad |= fclose(f) != 0;
        if (bad || rename(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(e));
        }
    }
    free(bytes);
    return rc;
}

int cf_store_last_model(cf_store *s, cf_store_last *out, cf_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           s->version >= 2 ? "SELECT path, hash, name FROM models "
                                             "ORDER BY opened DESC, id DESC LIMIT 1"
                                           : "SELECT path, hash, name FROM models "
                                             "ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "finding the last model");
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        const char *hex = (const char *)sqlite3_column_text(st, 1);
        const char *name = (const char *)sqlite3_column_text(st, 2);
        snprintf(out->name, sizeof out->name, "%s", name ? name : "");
        struct stat sb;
        char obj[4096] = "";
        if (hex && is_hex(hex, 64)) {
            object_path(s, hex, obj, sizeof obj);
            if (stat(obj, &sb) == 0 && S_ISREG(sb.st_mode))
                snprintf(out->copy, sizeof out->copy, "%s", obj);
        }
        /* a relative path (version 1 kept paths as typed) says nothing
         * about where the file is from here: the copy, then */
        if (p && p[0] == '/' && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            snprintf(out->path, sizeof out->path, "%s", p);
            out->found = 1;
        } else if (obj[0]) {
            /* the file is gone (moved, deleted): the store's own copy */
            if (out->copy[0]) {
                snprintf(out->path, sizeof out->path, "%s", obj);
                out->found = 2;
            } else {
                rc = cf_error_set(err, CF_ENOTFOUND,
                                  "%s: the last model, %s, is gone, and so is its copy %s",
                                  s->path, p ? p : "?", obj);
            }
        }
    } else if (step != SQLITE_DONE) {
        rc = db_error(s, err, "finding the last model");
    }
    sqlite3_finalize(st);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}
