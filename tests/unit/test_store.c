/* The experiment store (store/store.h): creating and migrating a database,
 * registering models with their content-addressed copies, recording runs in
 * one transaction, listing the experiment tree; and its reliability: a
 * process killed while recording leaves a sound database and no partial
 * run, two processes record at once, a newer schema or a file that is not a
 * database is refused and left unchanged. */
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
    write_file(model, "tree", 4);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    int64_t m = 0, base = 0;
    if (cf_store_open(db, 0, &s, &err) || cf_store_add_model(s, model, &m, &base, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
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
    /* read-only open of a store that is not there: an error, no file */
    char none[512];
    path_in(none, sizeof none, "none.db");
    cf_error_clear(&err);
    assert_int_not_equal(cf_store_open(none, CF_STORE_READONLY, &s, &err), 0);
    assert_int_not_equal(access(none, F_OK), 0);
}

/* SIGKILL in the middle of recording 10,000-layer runs: the database passes
 * integrity_check and every run it holds has all its rows. */
static void killed_while_recording(void **state)
{
    (void)state;
    char db[512], model[512];
    path_in(db, sizeof db, "kill.db");
    path_in(model, sizeof model, "k.onnx");
    write_file(model, "kill", 4);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    int64_t m = 0, exp = 0;
    if (cf_store_open(db, 0, &s, &err) || cf_store_add_model(s, model, &m, &exp, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
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
    write_file(model, "two", 3);
    cf_store *s = NULL;
    cf_error err = CF_ERROR_INIT;
    int64_t m = 0, exp = 0;
    if (cf_store_open(db, 0, &s, &err) || cf_store_add_model(s, model, &m, &exp, &err))
        fail_msg("%s", err.msg);
    cf_store_close(s);
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
    return mkdtemp(dir) ? 0 : -1;
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
        cmocka_unit_test(killed_while_recording),
        cmocka_unit_test(two_writers),
        cmocka_unit_test(schema_doc_matches_the_code),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
