/* The experiment store (store/store.h): creating and migrating a database,
 * registering models with their content-addressed copies, recording runs in
 * one transaction, listing the experiment tree; and its reliability: a
 * process killed while recording leaves a sound database and no partial
 * run, two processes record at once, a newer schema or a file that is not a
 * database is refused and left unchanged; reading one experiment back in
 * full, tagging, noting, removing (with no orphan row or file left behind)
 * and exporting its model file (refused when the file is missing or
 * corrupt). */
#define _XOPEN_SOURCE 700   /* realpath */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "store.h"

static char dir[256];

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static size_t read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return n;
}

/* A new store at db holding one model: the file at model, with bytes as its
 * contents. Returns the model's base experiment. */
static int64_t registered(const char *db, const char *model, const char *bytes)
{
    write_file(model, bytes, strlen(bytes));
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    int64_t m = 0, exp = 0;
    if (cf_store_open(db, 0, &s, &err) || cf_store_add_model(s, model, &m, &exp, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
    return exp;
}

/* A chain of n Relu layers: enough of a graph to record rows for. */
static cf_graph *chain(int n)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    int32_t prev = cf_graph_add_tensor(g, "t0", &err);
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", i + 1);
        int32_t next = cf_graph_add_tensor(g, name, &err);
        snprintf(name, sizeof name, "relu%d", i);
        int32_t k = cf_graph_add_node(g, "Relu", NULL, name, &err);
        assert_true(k >= 0);
        assert_int_equal(cf_graph_set_io(g, &g->nodes[k], &prev, 1, &next, 1, &err), 0);
        prev = next;
    }
    return g;
}

static int64_t count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void record(cf_store *s, int64_t exp, cf_graph *g, double ms)
{
    cf_profile p = {0};
    p.n_layers = g->n_nodes;
    p.layers = calloc((size_t)g->n_nodes + 1, sizeof *p.layers);
    assert_non_null(p.layers);
    for (int32_t k = 0; k < g->n_nodes; k++) {
        p.layers[k].node = k;
        p.layers[k].median_us = p.layers[k].p10_us = p.layers[k].p90_us = 1.0 + k;
        snprintf(p.layers[k].impl, sizeof p.layers[k].impl, "ref");
    }
    p.whole_median_us = ms * 1000;
    cf_store_run info = {exp, "cpu", NULL, 1, 3, 20, 1.7e9, 1.7e9 + 1};
    int64_t run = 0;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_record_run(s, &info, g, NULL, &p, &run, &err))
        fail_msg("%s", err.msg);
    assert_true(run > 0);
    free(p.layers);
}

static void create_register_record_list(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "a.db");
    path_in(model, sizeof model, "m.onnx");
    write_file(model, "not really a model, but bytes to hash", 37);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(count(db, "PRAGMA user_version"), CF_STORE_SCHEMA_VERSION);
    int64_t m1 = 0, e1 = 0, m2 = 0, e2 = 0;
    if (cf_store_add_model(s, model, &m1, &e1, &err) || cf_store_add_model(s, model, &m2, &e2, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(m1, m2);   /* the same bytes: the same model and base experiment */
    assert_int_equal(e1, e2);
    /* the copy, under its SHA-256 */
    char obj[1024], buf[64];
    char hash[80] = {0};
    sqlite3 *h = NULL;
    sqlite3_open(db, &h);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(h, "SELECT hash FROM models", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    assert_int_equal(strlen(hash), 64);
    snprintf(obj, sizeof obj, "%s.objects/%.2s/%s", db, hash, hash + 2);
    assert_int_equal(read_file(obj, buf, sizeof buf), 37);
    assert_memory_equal(buf, "not really a model, but bytes to hash", 37);
    cf_graph *g = chain(5);
    record(s, e1, g, 2.5);
    record(s, e1, g, 2.0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM layer_results"), 10);
    cf_store_exp *v = NULL;
    int64_t n = 0;
    if (cf_store_list(s, &v, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].runs, 2);
    assert_true(v[0].latency_us == 2000.0);   /* the latest run's */
    free(v);
    cf_store_close(s);
    cf_graph_free(g);
}

/* Experiments come out as a tree: each after its parent, children by id. */
static void list_is_a_tree(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "tree.db");
    path_in(model, sizeof model, "t.onnx");
    registered(db, model, "tree");
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    /* children made by hand until the store has its own call for them:
     * 2 <- 1, 3 <- 1, 4 <- 2 */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    const char *sql = "INSERT INTO experiments (model_id, parent_id, artifact) "
                      "SELECT model_id, 1, artifact FROM experiments WHERE id = 1;"
                      "INSERT INTO experiments (model_id, parent_id, artifact) "
                      "SELECT model_id, 1, artifact FROM experiments WHERE id = 1;"
                      "INSERT INTO experiments (model_id, parent_id, artifact) "
                      "SELECT model_id, 2, artifact FROM experiments WHERE id = 1;";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        fail_msg("%s", err.msg);
    cf_store_exp *v = NULL;
    int64_t n = 0;
    if (cf_store_list(s, &v, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 4);
    int64_t ids[4] = {1, 2, 4, 3}, depth[4] = {0, 1, 2, 1};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(v[i].id, ids[i]);
        assert_int_equal(v[i].depth, depth[i]);
    }
    free(v);
    cf_store_close(s);
}

/* A newer schema and a file that is not a database: refused by name, and
 * the file is not touched. */
static void refuses_what_it_cannot_read(void **state)
{
    (void)state;
    char db[512], junk[512], before[4096], after[4096];
    path_in(db, sizeof db, "newer.db");
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE x(a); PRAGMA user_version = 99;", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(h);
    size_t nb = read_file(db, before, sizeof before);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    assert_int_not_equal(cf_store_open(db, 0, &s, &err), 0);
    assert_null(s);
    assert_non_null(strstr(err.msg, "schema version 99"));
    assert_int_equal(read_file(db, after, sizeof after), nb);
    assert_memory_equal(before, after, nb);
    path_in(junk, sizeof junk, "junk.db");
    memset(before, 'x', 3000);
    write_file(junk, before, 3000);
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_open(junk, 0, &s, &err), 0);
    assert_non_null(strstr(err.msg, "not a chipfit database"));
    assert_int_equal(read_file(junk, after, sizeof after), 3000);
    assert_memory_equal(before, after, 3000);
    /* another program's SQLite database: refused by every open, nothing
     * added to it (not even WAL mode) */
    char other[512];
    path_in(other, sizeof other, "other.db");
    assert_int_equal(sqlite3_open(other, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE notes(t); INSERT INTO notes VALUES ('x');",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    nb = read_file(other, before, sizeof before);
    const int modes[] = {0, CF_STORE_NOCREATE, CF_STORE_READONLY};
    for (int i = 0; i < 3; i++) {
        cf_error_clear(&err);
        assert_int_not_equal(cf_store_open(other, modes[i], &s, &err), 0);
        assert_non_null(strstr(err.msg, "not a chipfit database (1 tables, 0 of them chipfit's"));
        assert_int_equal(read_file(other, after, sizeof after), nb);
        assert_memory_equal(before, after, nb);
    }
    /* the same with a schema version set, as many programs do, and with a
     * negative one (which once indexed the migrations before the array) */
    const char *const versions[] = {"PRAGMA user_version = 1;", "PRAGMA user_version = 2;",
                                    "PRAGMA user_version = -1;"};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sqlite3_open(other, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, versions[k], NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
        nb = read_file(other, before, sizeof before);
        for (int i = 0; i < 3; i++) {
            cf_error_clear(&err);
            assert_int_not_equal(cf_store_open(other, modes[i], &s, &err), 0);
            assert_non_null(strstr(err.msg, "not a chipfit database (1 tables, 0 of them"));
            assert_int_equal(read_file(other, after, sizeof after), nb);
            assert_memory_equal(before, after, nb);
        }
    }
    /* an empty file: refused when the open may not create, made a store
     * when it may */
    char empty[512];
    path_in(empty, sizeof empty, "empty.db");
    write_file(empty, "", 0);
    for (int i = 1; i < 3; i++) {
        cf_error_clear(&err);
        assert_int_not_equal(cf_store_open(empty, modes[i], &s, &err), 0);
        assert_non_null(strstr(err.msg, "not a chipfit database (no chipfit schema yet"));
        struct stat sb;
        assert_int_equal(stat(empty, &sb), 0);
        assert_int_equal(sb.st_size, 0);
    }
    cf_error_clear(&err);
    if (cf_store_open(empty, 0, &s, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
    assert_int_equal(count(empty, "PRAGMA user_version"), CF_STORE_SCHEMA_VERSION);
    /* read-only open of a store that is not there: an error, no file */
    char none[512];
    path_in(none, sizeof none, "none.db");
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_open(none, CF_STORE_READONLY, &s, &err), 0);
    assert_int_not_equal(access(none, F_OK), 0);
}

/* A store at schema version 1 holding one model (written to model): made with
 * this code, then version 2's column taken away (SQLite 3.35 or later, as
 * Debian 12 has). */
static void v1_store(const char *db, const char *model)
{
    unlink(db);
    registered(db, model, "version one");
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "ALTER TABLE models DROP COLUMN opened; "
                                  "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* A version 1 database is read as it is by a read-only open (nothing
 * changed), and upgraded by a writing open, its rows kept and each model's
 * `opened` set to its registration order. */
static void upgrades_version_1(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "v1.db");
    path_in(model, sizeof model, "v1.onnx");
    v1_store(db, model);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    /* read-only: readable as it is (a store chipfit may not write stays
     * readable), the last model by registration order, nothing changed */
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        fail_msg("%s", err.msg);
    cf_store_exp *v = NULL;
    int64_t n = 0;
    cf_store_last last;
    if (cf_store_list(s, &v, &n, &err) || cf_store_last_model(s, &last, &err))
        fail_msg("%s", err.msg);
    free(v);
    assert_int_equal(n, 1);
    assert_int_equal(last.found, 1);
    assert_string_equal(last.name, "v1.onnx");
    cf_store_close(s);
    assert_int_equal(count(db, "PRAGMA user_version"), 1);
    /* a writing open upgrades it */
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
    assert_int_equal(count(db, "PRAGMA user_version"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM models WHERE opened = id"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments"), 1);
}

/* Several processes opening a version 1 database at once: one upgrades it,
 * the others see the step done under the write lock and go on; all succeed. */
static void concurrent_upgrade(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "race.db");
    path_in(model, sizeof model, "race.onnx");
    for (int round = 0; round < 5; round++) {
        v1_store(db, model);
        enum { N = 6 };
        pid_t kids[N];
        for (int i = 0; i < N; i++) {
            kids[i] = fork();
            assert_true(kids[i] >= 0);
            if (kids[i] == 0) {
                cf_store *c = NULL;
                cf_error cerr = CF_ERROR_INIT;
                int64_t m = 0, e = 0;
                int bad = cf_store_open(db, 0, &c, &cerr) ||
                          cf_store_add_model(c, model, &m, &e, &cerr);
                if (bad)
                    fprintf(stderr, "child %d: %s\n", i, cerr.msg);
                cf_store_close(c);
                _exit(bad);
            }
        }
        for (int i = 0; i < N; i++) {
            int status = 0;
            assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_int_equal(count(db, "PRAGMA user_version"), 2);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM models"), 1);
    }
}

/* The last model opened, for `chipfit` with no argument: the latest
 * cf_store_add_model wins (a model opened again moves to the front), from
 * its absolute path; once that file is gone, the store's copy; once the
 * copy is gone too, an error naming both. */
static void last_model_follows_the_opens(void **state)
{
    (void)state;
    char db[512], a[512], b[512];
    path_in(db, sizeof db, "last.db");
    path_in(a, sizeof a, "last_a.onnx");
    path_in(b, sizeof b, "last_b.onnx");
    write_file(a, "model a", 7);
    write_file(b, "model b", 7);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    cf_store_last got;
    if (cf_store_open(db, 0, &s, &err) || cf_store_last_model(s, &got, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(got.found, 0);   /* an empty store */
    assert_string_equal(got.path, "");
    int64_t m = 0, e = 0;
    if (cf_store_add_model(s, a, &m, &e, &err) || cf_store_add_model(s, b, &m, &e, &err) ||
        cf_store_last_model(s, &got, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(got.found, 1);
    assert_string_equal(got.path, b);   /* dir is absolute */
    assert_string_equal(got.name, "last_b.onnx");
    char objs[600];
    snprintf(objs, sizeof objs, "%s.objects/", db);
    assert_memory_equal(got.copy, objs, strlen(objs));   /* the copy, for a file changed since */
    if (cf_store_add_model(s, a, &m, &e, &err) || cf_store_last_model(s, &got, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(got.found, 1);
    assert_string_equal(got.path, a);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM models"), 2);
    /* a relative path is kept absolute */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    int rc = cf_store_add_model(s, "last_b.onnx", &m, &e, &err);
    assert_int_equal(chdir(cwd), 0);
    if (rc || cf_store_last_model(s, &got, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(got.path, b);
    /* the file gone: the copy among the objects, with the same bytes, and
     * the name it was registered under */
    assert_int_equal(unlink(b), 0);
    if (cf_store_last_model(s, &got, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(got.found, 2);
    assert_string_equal(got.name, "last_b.onnx");
    char obj[4096], buf[16];
    snprintf(obj, sizeof obj, "%s.objects/", db);
    assert_memory_equal(got.path, obj, strlen(obj));
    assert_int_equal(read_file(got.path, buf, sizeof buf), 7);
    assert_memory_equal(buf, "model b", 7);
    /* the TUI then opens the copy, which registers it: the model keeps the
     * path it came from, so the next reopen still says the file is gone */
    if (cf_store_add_model(s, got.path, &m, &e, &err))
        fail_msg("%s", err.msg);
    cf_store_last again;
    if (cf_store_last_model(s, &again, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(again.found, 2);
    assert_string_equal(again.path, got.path);
    assert_string_equal(again.name, "last_b.onnx");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM models WHERE path LIKE '%last_b.onnx'"), 1);
    /* a relative path (as version 1 kept them) is not looked up from here */
    write_file(b, "model b", 7);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE models SET path = 'last_b.onnx' "
                                  "WHERE name = 'last_b.onnx'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(chdir(dir), 0);
    rc = cf_store_last_model(s, &again, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(again.found, 2);
    assert_string_equal(again.path, got.path);
    /* and the copy gone too */
    assert_int_equal(unlink(got.path), 0);
    assert_int_equal(cf_store_last_model(s, &got, &err), CF_ENOTFOUND);
    assert_non_null(strstr(err.msg, "last_b.onnx, is gone"));
    assert_int_equal(got.found, 0);
    cf_store_close(s);
}

/* SIGKILL in the middle of recording 10,000-layer runs: the database passes
 * integrity_check and every run it holds has all its rows. */
static void killed_while_recording(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "kill.db");
    path_in(model, sizeof model, "k.onnx");
    int64_t exp = registered(db, model, "kill");
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = chain(10000);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cf_store *c = NULL;
        cf_error e = CF_ERROR_INIT;
        if (cf_store_open(db, 0, &c, &e))
            _exit(2);
        for (;;)
            record(c, exp, g, 1.0);
    }
    struct timespec wait = {0, 400 * 1000 * 1000};
    nanosleep(&wait, NULL);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs r WHERE (SELECT COUNT(*) FROM "
                               "layer_results l WHERE l.run_id = r.id) != 10000"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM layer_results l WHERE NOT EXISTS "
                               "(SELECT 1 FROM runs r WHERE r.id = l.run_id)"), 0);
    cf_graph_free(g);
}

/* Two processes recording into one store at once: both succeed. */
static void two_writers(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "two.db");
    path_in(model, sizeof model, "w.onnx");
    int64_t exp = registered(db, model, "two");
    cf_graph *g = chain(500);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            cf_store *c = NULL;
            cf_error e = CF_ERROR_INIT;
            if (cf_store_open(db, 0, &c, &e))
                _exit(2);
            for (int i = 0; i < 20; i++) {
                int64_t run = 0;
                cf_store_run info = {exp, "cpu", NULL, 1, 1, 1, 1.7e9, 1.7e9};
                if (cf_store_record_run(c, &info, g, NULL, NULL, &run, &e))
                    _exit(3);
            }
            cf_store_close(c);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        waitpid(kids[k], &status, 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs"), 40);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM layer_results"), 40 * 500);
    cf_graph_free(g);
}

/* ---- one experiment: show, tag, note, remove, export ------------------------------------ */

static void exec_db(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

static void sha256_hex(const void *data, size_t n, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_true(EVP_Digest(data, n, md, &len, EVP_sha256(), NULL));
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void object_of(const char *db, const char *hex, char *buf, size_t size)
{
    snprintf(buf, size, "%s.objects/%.2s/%s", db, hex, hex + 2);
}

/* A model file made by a step: its bytes kept among the objects, as the
 * store would keep them. */
static void put_object(const char *db, const char *bytes, char hex[65])
{
    char d[600], file[700];
    sha256_hex(bytes, strlen(bytes), hex);
    snprintf(d, sizeof d, "%s.objects/%.2s", db, hex);
    mkdir(d, 0777);
    object_of(db, hex, file, sizeof file);
    write_file(file, bytes, strlen(bytes));
}

/* The store holds nothing that points at what is gone, and no object file
 * that no experiment names (nor an experiment whose file is missing). */
static void assert_no_orphans(const char *db)
{
    static const char *const orphans[] = {
        "SELECT COUNT(*) FROM experiments e WHERE e.parent_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM experiments p WHERE p.id = e.parent_id)",
        "SELECT COUNT(*) FROM experiments e WHERE NOT EXISTS "
        "(SELECT 1 FROM models m WHERE m.id = e.model_id)",
        "SELECT COUNT(*) FROM models m WHERE NOT EXISTS "
        "(SELECT 1 FROM experiments e WHERE e.model_id = m.id)",
        "SELECT COUNT(*) FROM runs r WHERE NOT EXISTS "
        "(SELECT 1 FROM experiments e WHERE e.id = r.experiment_id)",
        "SELECT COUNT(*) FROM layer_results l WHERE NOT EXISTS "
        "(SELECT 1 FROM runs r WHERE r.id = l.run_id)",
        "SELECT COUNT(*) FROM metrics m WHERE NOT EXISTS "
        "(SELECT 1 FROM experiments e WHERE e.id = m.experiment_id) OR (m.run_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = m.run_id))",
        "SELECT COUNT(*) FROM findings f WHERE NOT EXISTS "
        "(SELECT 1 FROM experiments e WHERE e.id = f.experiment_id)",
    };
    for (size_t i = 0; i < sizeof orphans / sizeof *orphans; i++)
        if (count(db, orphans[i]) != 0)
            fail_msg("orphan rows: %s", orphans[i]);
    /* every object file is some experiment's artifact ... */
    char objs[600];
    snprintf(objs, sizeof objs, "%s.objects", db);
    int64_t files = 0;
    DIR *d = opendir(objs);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[900];
        snprintf(sub, sizeof sub, "%s/%s", objs, e->d_name);
        DIR *sd = opendir(sub);
        assert_non_null(sd);
        struct dirent *f;
        while ((f = readdir(sd)) != NULL) {
            if (f->d_name[0] == '.')
                continue;
            char sql[700];
            snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM experiments WHERE artifact = '%s%s'",
                     e->d_name, f->d_name);
            if (count(db, sql) == 0)
                fail_msg("object file %s/%s: no experiment references it", sub, f->d_name);
            files++;
        }
        closedir(sd);
    }
    if (d)
        closedir(d);
    /* ... and every artifact has its file */
    assert_int_equal(count(db, "SELECT COUNT(DISTINCT artifact) FROM experiments"), files);
}

/* A store with model A (base 1) and its tree 2 <- 1, 3 <- 1, 4 <- 2 (2 and 4
 * with files of their own, 3 sharing the base's), model B (base 5); a run
 * on each, a static metric and a finding on 1, 2 and 4. */
static void make_tree(const char *db, char hash_a[65], char hash_x[65], char hash_z[65])
{
    char model[512];
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    int64_t m = 0, e = 0;
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    path_in(model, sizeof model, "a.onnx");
    write_file(model, "model A", 7);
    sha256_hex("model A", 7, hash_a);
    if (cf_store_add_model(s, model, &m, &e, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(e, 1);
    put_object(db, "model A, quantised", hash_x);
    put_object(db, "model A, quantised and pruned", hash_z);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO experiments (id, model_id, parent_id, artifact, recipe) VALUES "
             "(2, 1, 1, '%s', '[{\"pass\":\"quantize\"}]'), (3, 1, 1, '%s', '[]'), "
             "(4, 1, 2, '%s', '[{\"pass\":\"prune\"}]');",
             hash_x, hash_a, hash_z);
    exec_db(db, sql);
    path_in(model, sizeof model, "b.onnx");
    write_file(model, "model B", 7);
    if (cf_store_add_model(s, model, &m, &e, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(e, 5);
    cf_graph *g = chain(3);
    for (int64_t x = 1; x <= 5; x++)
        record(s, x, g, 1.0 + (double)x);
    cf_graph_free(g);
    cf_store_close(s);
    exec_db(db, "INSERT INTO metrics (experiment_id, name, value, unit, kind) VALUES "
                "(1, 'size', 7, 'bytes', 'static'), (2, 'size', 18, 'bytes', 'static'), "
                "(4, 'accuracy', 91.5, '%', 'measured');"
                "UPDATE metrics SET dataset = 'fashion-mnist' WHERE name = 'accuracy';"
                "INSERT INTO findings (experiment_id, analyzer, severity, message) VALUES "
                "(1, 'test', 'info', 'one'), (2, 'test', 'warning', 'two'), "
                "(4, 'test', 'error', 'four');");
}

static void show_reads_back_one_experiment(void **state)
{
    (void)state;
    char db[512], a[65], x[65], z[65];
    path_in(db, sizeof db, "show.db");
    make_tree(db, a, x, z);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        fail_msg("%s", err.msg);
    /* a second run on 2, so "newest first" and "the latest run" mean something */
    cf_store_close(s);
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    cf_graph *g = chain(4);
    record(s, 2, g, 9.0);
    cf_graph_free(g);
    cf_store_detail *d = NULL;
    if (cf_store_get_exp(s, 2, &d, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(d->id, 2);
    assert_int_equal(d->parent, 1);
    assert_string_equal(d->model_name, "a.onnx");
    assert_string_equal(d->model_hash, a);
    assert_int_equal(d->model_size, 7);
    assert_string_equal(d->artifact, x);
    assert_string_equal(d->recipe, "[{\"pass\":\"quantize\"}]");
    assert_string_equal(d->tag, "");
    assert_null(d->note);
    assert_int_equal(d->children, 1);
    assert_int_equal(strlen(d->created), 19);
    cf_store_detail_free(d);
    cf_store_run_row *runs = NULL;
    int64_t nr = 0;
    if (cf_store_runs(s, 2, &runs, &nr, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(nr, 2);
    assert_true(runs[0].id > runs[1].id);   /* newest first */
    assert_true(runs[0].latency_us == 9000.0);
    assert_true(runs[1].latency_us == 3000.0);
    assert_string_equal(runs[0].backend, "cpu");
    assert_string_equal(runs[0].status, "ok");
    assert_int_equal(runs[0].repeats, 20);
    assert_true(runs[0].host[0] != '\0');
    cf_store_layer *l = NULL;
    int64_t nl = 0;
    if (cf_store_layers(s, runs[0].id, &l, &nl, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(nl, 4);
    assert_int_equal(l[3].layer, 3);
    assert_string_equal(l[3].name, "relu3");
    assert_string_equal(l[3].op, "Relu");
    assert_string_equal(l[3].kind, "measured");
    assert_string_equal(l[3].unit, "us");
    assert_true(l[3].has_time && l[3].median == 4.0);
    assert_string_equal(l[3].impl, "ref");
    assert_int_equal(l[3].macs, -1);   /* recorded without static costs */
    free(l);
    free(runs);
    cf_store_metric *m = NULL;
    int64_t nm = 0;
    if (cf_store_metrics(s, 4, &m, &nm, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(nm, 2);
    assert_string_equal(m[0].name, "latency");
    assert_string_equal(m[0].kind, "measured");
    assert_true(m[0].run > 0);
    assert_string_equal(m[1].name, "accuracy");
    assert_string_equal(m[1].unit, "%");
    assert_string_equal(m[1].dataset, "fashion-mnist");
    assert_int_equal(m[1].run, 0);
    assert_true(m[1].value == 91.5);
    free(m);
    /* an id that is not there: CF_ENOTFOUND naming it, nothing handed out */
    assert_int_equal(cf_store_get_exp(s, 99, &d, &err), CF_ENOTFOUND);
    assert_null(d);
    assert_non_null(strstr(err.msg, "no experiment 99"));
    cf_error_clear(&err);
    assert_int_equal(cf_store_runs(s, 99, &runs, &nr, &err), CF_ENOTFOUND);
    cf_error_clear(&err);
    assert_int_equal(cf_store_metrics(s, 99, &m, &nm, &err), CF_ENOTFOUND);
    cf_error_clear(&err);
    assert_int_equal(cf_store_layers(s, 999, &l, &nl, &err), CF_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no run 999"));
    cf_store_close(s);
}

static void tag_and_note(void **state)
{
    (void)state;
    char db[512], a[65], x[65], z[65];
    path_in(db, sizeof db, "tag.db");
    make_tree(db, a, x, z);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    if (cf_store_tag(s, 2, "int8", &err) || cf_store_note(s, 2, "first try", &err) ||
        cf_store_note(s, 2, "second try", &err))
        fail_msg("%s", err.msg);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments WHERE id = 2 AND name = 'int8' "
                               "AND note = 'second try'"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments WHERE name IS NOT NULL OR "
                               "note IS NOT NULL"), 1);   /* only 2 changed */
    if (cf_store_tag(s, 2, "", &err) || cf_store_note(s, 2, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments WHERE id = 2 AND name IS NULL "
                               "AND note IS NULL"), 1);
    assert_int_equal(cf_store_tag(s, 42, "x", &err), CF_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no experiment 42"));
    cf_error_clear(&err);
    assert_int_equal(cf_store_note(s, 42, "x", &err), CF_ENOTFOUND);
    cf_store_close(s);
    /* a store opened read-only writes nothing */
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        fail_msg("%s", err.msg);
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_tag(s, 2, "x", &err), 0);
    assert_non_null(strstr(err.msg, "read-only"));
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_note(s, 2, "x", &err), 0);
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_remove(s, 4, 0, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "read-only"));
    cf_store_close(s);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments WHERE name IS NOT NULL OR "
                               "note IS NOT NULL"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments"), 5);
    /* a writing open that must not create: no store there, no file made */
    char none[512];
    path_in(none, sizeof none, "tag-none.db");
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_open(none, CF_STORE_NOCREATE, &s, &err), 0);
    assert_non_null(strstr(err.msg, "no such database"));
    assert_int_not_equal(access(none, F_OK), 0);
}

static void remove_leaves_no_orphans(void **state)
{
    (void)state;
    char db[512], a[65], x[65], z[65], fa[700], fx[700], fz[700], stray[700], hs[65];
    path_in(db, sizeof db, "rm.db");
    make_tree(db, a, x, z);
    object_of(db, a, fa, sizeof fa);
    object_of(db, x, fx, sizeof fx);
    object_of(db, z, fz, sizeof fz);
    assert_no_orphans(db);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    /* children: refused, naming them, nothing removed */
    int64_t n = 0;
    assert_int_equal(cf_store_remove(s, 1, 0, &n, &err), CF_EINVAL);
    assert_non_null(strstr(err.msg, "experiment 1 has 2 child experiments (2, 3)"));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments"), 5);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs"), 5);
    assert_int_equal(access(fx, F_OK), 0);
    cf_error_clear(&err);
    assert_int_equal(cf_store_remove(s, 99, 0, &n, &err), CF_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no experiment 99"));
    /* a leaf: its rows and its own file go; the rest stays */
    if (cf_store_remove(s, 4, 0, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 1);
    assert_int_equal(access(fz, F_OK), -1);
    assert_int_equal(access(fx, F_OK), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM metrics WHERE name = 'accuracy'"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM findings"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs"), 4);
    assert_no_orphans(db);
    /* a child that shares the base's file: the file stays with the base */
    if (cf_store_remove(s, 3, 0, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(access(fa, F_OK), 0);
    assert_no_orphans(db);
    /* a file a crash left behind goes with the next removal */
    put_object(db, "left by a crash", hs);
    object_of(db, hs, stray, sizeof stray);
    /* the base, recursively: its subtree, its model row and files */
    if (cf_store_remove(s, 1, CF_STORE_RECURSIVE, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 2);
    assert_int_equal(access(fa, F_OK), -1);
    assert_int_equal(access(fx, F_OK), -1);
    assert_int_equal(access(stray, F_OK), -1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM experiments"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM models"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM layer_results"), 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM findings"), 0);
    assert_no_orphans(db);
    /* the model can come back after it */
    char model[512];
    int64_t m = 0, e = 0;
    path_in(model, sizeof model, "a.onnx");
    if (cf_store_add_model(s, model, &m, &e, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(access(fa, F_OK), 0);
    assert_no_orphans(db);
    cf_store_close(s);
}

static void export_checks_the_file(void **state)
{
    (void)state;
    char db[512], a[65], x[65], z[65], out[512], fx[700], buf[64];
    path_in(db, sizeof db, "export.db");
    make_tree(db, a, x, z);
    path_in(out, sizeof out, "out.onnx");
    object_of(db, x, fx, sizeof fx);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err))
        fail_msg("%s", err.msg);
    if (cf_store_export(s, 1, out, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(read_file(out, buf, sizeof buf), 7);
    assert_memory_equal(buf, "model A", 7);
    if (cf_store_export(s, 2, out, &err))   /* replaces what was there */
        fail_msg("%s", err.msg);
    assert_int_equal(read_file(out, buf, sizeof buf), 18);
    assert_memory_equal(buf, "model A, quantised", 18);
    /* corrupt: same size, other bytes: refused, naming the hash and the file */
    char corrupt[512];
    path_in(corrupt, sizeof corrupt, "corrupt.onnx");
    write_file(fx, "model A, QUANTISED", 18);
    assert_int_equal(cf_store_export(s, 2, corrupt, &err), CF_EFORMAT);
    assert_non_null(strstr(err.msg, x));
    assert_non_null(strstr(err.msg, fx));
    assert_non_null(strstr(err.msg, "corrupt"));
    assert_int_equal(access(corrupt, F_OK), -1);
    /* corrupt: a different size, where the store knows it (a base) */
    char fa[700];
    object_of(db, a, fa, sizeof fa);
    write_file(fa, "model", 5);
    cf_error_clear(&err);
    assert_int_equal(cf_store_export(s, 1, out, &err), CF_EFORMAT);
    assert_non_null(strstr(err.msg, "5 bytes"));
    assert_int_equal(read_file(out, buf, sizeof buf), 18);   /* untouched */
    /* missing */
    unlink(fx);
    cf_error_clear(&err);
    assert_int_equal(cf_store_export(s, 2, corrupt, &err), CF_EIO);
    assert_non_null(strstr(err.msg, "missing"));
    assert_non_null(strstr(err.msg, x));
    assert_int_equal(access(corrupt, F_OK), -1);
    cf_error_clear(&err);
    assert_int_equal(cf_store_export(s, 77, corrupt, &err), CF_ENOTFOUND);
    cf_store_close(s);
    /* no temporary file left behind by any of it */
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp."))
            fail_msg("left behind: %s", e->d_name);
    closedir(d);
}

/* A database file the OS will not let us write: every writing open is
 * refused by name and the file is not changed. Root writes whatever the
 * mode says, so there the case cannot happen and is skipped, saying so. */
static void readonly_file_is_refused(void **state)
{
    (void)state;
    if (geteuid() == 0) {
        printf("[  SKIPPED ] readonly_file_is_refused: running as root, where chmod 0444 "
               "does not stop writes\n");
        skip();
    }
    char db[512], a[65], x[65], z[65], before[65536], after[65536];
    path_in(db, sizeof db, "ro.db");
    make_tree(db, a, x, z);
    assert_int_equal(chmod(db, 0444), 0);
    size_t nb = read_file(db, before, sizeof before);
    assert_true(nb < sizeof before);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    assert_int_not_equal(cf_store_open(db, 0, &s, &err), 0);
    assert_null(s);
    assert_non_null(strstr(err.msg, "read-only"));
    assert_non_null(strstr(err.msg, db));
    assert_int_equal(read_file(db, after, sizeof after), nb);
    assert_memory_equal(before, after, nb);
    /* reading it is fine */
    cf_store_detail *d = NULL;
    if (cf_store_open(db, CF_STORE_READONLY, &s, &err) || cf_store_get_exp(s, 2, &d, &err))
        fail_msg("%s", err.msg);
    cf_store_detail_free(d);
    cf_store_close(s);
    chmod(db, 0644);
}

/* docs/store.md lists every table and column the code creates, and no
 * other: "### table" then rows "| `column` | TYPE | ... |". */
static void schema_doc_matches_the_code(void **state)
{
    (void)state;
    const char *src = getenv("CHIPFIT_SOURCE_DIR");
    char doc[512], db[512];
    snprintf(doc, sizeof doc, "%s/docs/store.md", src ? src : ".");
    path_in(db, sizeof db, "doc.db");
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    if (cf_store_open(db, 0, &s, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
    /* what the code made: "table.column TYPE" lines */
    char made[8192] = "", doc_cols[8192] = "";
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT m.name, p.name, p.type FROM sqlite_schema m, "
                                        "pragma_table_info(m.name) p WHERE m.type = 'table' "
                                        "ORDER BY m.name, p.cid", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char line[256];
        snprintf(line, sizeof line, "%s.%s %s\n", (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
        strncat(made, line, sizeof made - strlen(made) - 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    /* what the doc says, in the same order (tables sorted by name) */
    FILE *f = fopen(doc, "r");
    if (!f)
        fail_msg("cannot read %s", doc);
    char line[1024], table[128] = "";
    char rows[64][256];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
        if (strncmp(line, "### ", 4) == 0) {
            snprintf(table, sizeof table, "%.63s", line + 4);
            table[strcspn(table, "\n")] = '\0';
        } else if (table[0] && strncmp(line, "| `", 3) == 0) {
            char col[64], type[32];
            if (sscanf(line, "| `%63[^`]` | %31s |", col, type) == 2)
                snprintf(rows[n++], sizeof rows[0], "%s.%s %s\n", table, col, type);
        }
    }
    fclose(f);
    /* sort the doc's tables by name, keeping each table's column order */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            char ta[64], tb[64];
            sscanf(rows[j - 1], "%63[^.]", ta);
            sscanf(rows[j], "%63[^.]", tb);
            if (strcmp(ta, tb) <= 0)
                break;
            char tmp[256];
            memcpy(tmp, rows[j], sizeof tmp);
            memcpy(rows[j], rows[j - 1], sizeof tmp);
            memcpy(rows[j - 1], tmp, sizeof tmp);
        }
    for (int i = 0; i < n; i++)
        strncat(doc_cols, rows[i], sizeof doc_cols - strlen(doc_cols) - 1);
    if (strcmp(made, doc_cols) != 0)
        fail_msg("docs/store.md and the schema differ.\nschema:\n%s\ndoc:\n%s", made, doc_cols);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/chipfit-store-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    /* as the store keeps paths: absolute, no symbolic links */
    char *real = realpath(dir, NULL);
    if (!real)
        return -1;
    snprintf(dir, sizeof dir, "%s", real);
    free(real);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_register_record_list),
        cmocka_unit_test(list_is_a_tree),
        cmocka_unit_test(refuses_what_it_cannot_read),
        cmocka_unit_test(upgrades_version_1),
        cmocka_unit_test(concurrent_upgrade),
        cmocka_unit_test(last_model_follows_the_opens),
        cmocka_unit_test(killed_while_recording),
        cmocka_unit_test(two_writers),
        cmocka_unit_test(schema_doc_matches_the_code),
        cmocka_unit_test(show_reads_back_one_experiment),
        cmocka_unit_test(tag_and_note),
        cmocka_unit_test(remove_leaves_no_orphans),
        cmocka_unit_test(export_checks_the_file),
        cmocka_unit_test(readonly_file_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
