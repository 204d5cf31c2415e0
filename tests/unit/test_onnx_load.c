/* Unit tests of the ONNX bridge (porting/onnx): every load error with its
 * code and a message naming the file and the fault, and what a load must
 * keep: external data, symbolic dims, inferred shapes, attributes of every
 * kind through save + load, dims fixed by the caller, peak memory.
 *
 * Models are built here with the IR and written with cf_onnx_save into a
 * mkdtemp directory, then corrupted or cut as a test needs. The two models
 * chipfit cannot write itself (external data, an element type ONNX lacks) are
 * committed in tests/fixtures/onnx/ with the script that made them, and so
 * are the models that crash libonnx's shape inference (make_crash_fixtures.py):
 * they are the fault under test, better kept as files anyone can feed to
 * `chipfit info`. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph.h"
#include "graph_diff.h"
#include "onnx/onnx.h"

#if defined(__SANITIZE_ADDRESS__)
#define CF_UNDER_ASAN 1
#else
#define CF_UNDER_ASAN 0
#endif

#define assert_contains(hay, needle)                                                         \
    do {                                                                                     \
        const char *h_ = (hay), *n_ = (needle);                                              \
        if (!h_ || !strstr(h_, n_)) {                                                        \
            print_error("\"%s\" does not contain \"%s\"\n", h_ ? h_ : "(null)", n_);         \
            fail();                                                                          \
        }                                                                                    \
    } while (0)

static char tmpdir[] = "/tmp/cf_onnx_load_XXXXXX";
static const char *self_exe;

static const char *in_tmp(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* tests/fixtures/onnx/<name> in the source tree: ctest says where that is
 * (CHIPFIT_SOURCE_DIR); run by hand, this file's own path tells. */
static const char *fixture(const char *name)
{
    static char buf[1024];
    const char *src = getenv("CHIPFIT_SOURCE_DIR");
    if (src) {
        snprintf(buf, sizeof buf, "%s/tests/fixtures/onnx/%s", src, name);
    } else {
        const char *slash = strrchr(__FILE__, '/');
        int dir_len = slash ? (int)(slash - __FILE__) : 1;
        snprintf(buf, sizeof buf, "%.*s/../fixtures/onnx/%s", dir_len, slash ? __FILE__ : ".",
                 name);
    }
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    void *p = read_bytes(from, &n);
    write_bytes(to, p, n);
    free(p);
}

/* --- building models with the IR ------------------------------------------ */

static cf_graph *new_model(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    g->ir_version = 8;
    g->opsets = cf_arena_calloc(g->arena, 2, sizeof *g->opsets);
    g->opsets[0].domain = "";
    g->opsets[0].version = 13;
    g->n_opsets = 1;
    g->producer_name = "test_onnx_load";
    return g;
}

static void add_opset(cf_graph *g, const char *domain, int64_t version)
{
    g->opsets[g->n_opsets].domain = domain;
    g->opsets[g->n_opsets++].version = version;
}

static int32_t tensor_id(cf_graph *g, const char *name)
{
    cf_error err = CF_ERROR_INIT;
    int32_t id = cf_graph_find_tensor(g, name);
    if (id < 0)
        id = cf_graph_add_tensor(g, name, &err);
    assert_true(id >= 0);
    return id;
}

/* Gives a tensor a type: dims < 0 are symbolic when params[i] is set,
 * unknown otherwise; rank -1 for "element type only". */
static int32_t typed(cf_graph *g, const char *name, cf_dtype dt, int rank, const int64_t *dims,
                     const char *const *params)
{
    cf_error err = CF_ERROR_INIT;
    int32_t id = tensor_id(g, name);
    cf_tensor *t = &g->tensors[id];
    assert_int_equal(cf_tensor_set_shape(g, t, rank, dims, &err), 0);
    for (int i = 0; params && i < rank; i++)
        t->shape.dims[i].param = params[i];
    t->dtype = dt;
    t->flags |= CF_TENSOR_TYPED;
    return id;
}

static void set_io(cf_graph *g, const int32_t *in, int n_in, const int32_t *out, int n_out)
{
    g->inputs = n_in ? cf_arena_memdup(g->arena, in, (size_t)n_in * sizeof *in) : NULL;
    g->n_inputs = n_in;
    g->outputs = cf_arena_memdup(g->arena, out, (size_t)n_out * sizeof *out);
    g->n_outputs = n_out;
    for (int i = 0; i < n_in; i++)
        g->tensors[in[i]].flags |= CF_TENSOR_INPUT;
    for (int i = 0; i < n_out; i++)
        g->tensors[out[i]].flags |= CF_TENSOR_OUTPUT;
}

static int32_t initializer(cf_graph *g, const char *name, cf_dtype dt, int rank,
                           const int64_t *dims, const void *data, size_t nbytes)
{
    int32_t id = typed(g, name, dt, rank, dims, NULL);
    cf_tensor *t = &g->tensors[id];
    t->flags |= CF_TENSOR_INITIALIZER;
    t->data = cf_arena_memdup(g->arena, data, nbytes);
    t->nbytes = nbytes;
    return id;
}

/* op(ins) -> outs, by tensor names; "" is an omitted optional input. */
static cf_node *node(cf_graph *g, const char *op, const char *domain, const char *name,
                     int n_in, const char *const *ins, int n_out, const char *const *outs)
{
    cf_error err = CF_ERROR_INIT;
    int32_t in_ids[8], out_ids[8];
    for (int i = 0; i < n_in; i++)
        in_ids[i] = ins[i][0] ? tensor_id(g, ins[i]) : -1;
    for (int i = 0; i < n_out; i++)
        out_ids[i] = tensor_id(g, outs[i]);
    int32_t k = cf_graph_add_node(g, op, domain, name, &err);
    assert_true(k >= 0);
    assert_int_equal(cf_graph_set_io(g, &g->nodes[k], in_ids, n_in, out_ids, n_out, &err), 0);
    return &g->nodes[k];
}

#define NODE(g, op, name, ins, outs)                                                         \
    node((g), (op), NULL, (name), (int)(sizeof(const char *[]){ins} / sizeof(char *)),       \
         (const char *[]){ins}, (int)(sizeof(const char *[]){outs} / sizeof(char *)),        \
         (const char *[]){outs})
#define L(...) __VA_ARGS__

/* x[N,3] -> Relu -> a -> Mul by an initializer (bytes to cut) -> b ->
 * Transpose -> y. y is declared as a float matrix of unknown dims (libonnx
 * 1.12's checker wants a shape on every graph output) for inference to fill. */
static cf_graph *tiny_model(void)
{
    cf_graph *g = new_model();
    int64_t xd[2] = {-1, 3};
    const char *xp[2] = {"N", NULL};
    int32_t x = typed(g, "x", CF_DT_FLOAT, 2, xd, xp);
    float wv[3] = {1.5f, -2.0f, 0.25f};
    int64_t wd[1] = {3};
    initializer(g, "w", CF_DT_FLOAT, 1, wd, wv, sizeof wv);
    NODE(g, "Relu", "relu", L("x"), L("a"));
    NODE(g, "Mul", "mul", L("a", "w"), L("b"));
    cf_node *n = NODE(g, "Transpose", "", L("b"), L("y"));
    cf_error err = CF_ERROR_INIT;
    int64_t perm[2] = {1, 0};
    assert_int_equal(cf_node_add_attr_ints(g, n, "perm", perm, 2, &err), 0);
    int32_t y = typed(g, "y", CF_DT_FLOAT, 2, (int64_t[]){-1, -1}, NULL);
    set_io(g, &x, 1, &y, 1);
    return g;
}

static void save(cf_graph *g, const char *path)
{
    cf_error err = CF_ERROR_INIT;
    if (cf_onnx_save(g, path, &err))
        print_error("save %s: %s\n", path, err.msg);
    assert_int_equal(err.code, 0);
    cf_graph_free(g);
}

static cf_graph *load_ok(const char *path, const cf_onnx_load_opts *opts)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    if (cf_onnx_load(path, opts, &g, &err))
        print_error("load %s: %s\n", path, err.msg);
    assert_int_equal(err.code, 0);
    assert_non_null(g);
    return g;
}

static const cf_tensor *find(const cf_graph *g, const char *name)
{
    int32_t id = cf_graph_find_tensor(g, name);
    if (id < 0)
        print_error("no tensor '%s'\n", name);
    assert_true(id >= 0);
    return &g->tensors[id];
}

/* --- errors ------------------------------------------------------------------ */

static void missing_file_is_eio(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = (cf_graph *)&err; /* must stay untouched */
    const char *path = in_tmp("absent.onnx");
    assert_int_equal(cf_onnx_load(path, NULL, &g, &err), CF_EIO);
    assert_int_equal(err.code, CF_EIO);
    assert_ptr_equal(g, (cf_graph *)&err);
    assert_contains(err.msg, path);
    assert_contains(err.msg, "no such file");
}

static void not_a_protobuf_is_eformat(void **state)
{
    (void)state;
    const char *path = in_tmp("garbage.onnx");
    const char junk[] = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01 this is no model";
    write_bytes(path, junk, sizeof junk - 1);
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    assert_int_equal(cf_onnx_load(path, NULL, &g, &err), CF_EFORMAT);
    assert_null(g);
    assert_contains(err.msg, path);
    assert_contains(err.msg, "not an ONNX model");

    /* Text that happens to parse as protobuf fields is still no model. */
    cf_error_clear(&err);
    write_bytes(path, "\x08\x07", 2); /* ir_version 7, nothing else */
    assert_int_equal(cf_onnx_load(path, NULL, &g, &err), CF_EFORMAT);
    assert_contains(err.msg, path);
    assert_contains(err.msg, "no graph");

    cf_error_clear(&err);
    write_bytes(path, "", 0);
    assert_int_equal(cf_onnx_load(path, NULL, &g, &err), CF_EFORMAT);
    assert_contains(err.msg, "empty");
}

static void truncated_file_is_eformat(void **state)
{
    (void)state;
    const char *full = in_tmp("full.onnx"), *cut = in_tmp("cut.onnx");
    save(tiny_model(), full);
    size_t n;
    unsigned char *bytes = read_bytes(full, &n);
    /* Every cut: most end inside a field and fail to parse; a cut between
     * fields parses but lacks the graph or the opset. */
    for (size_t len = 1; len < n; len++) {
        write_bytes(cut, bytes, len);
        cf_error err = CF_ERROR_INIT;
        cf_graph *g = NULL;
        int rc = cf_onnx_load(cut, NULL, &g, &err);
        if (rc != CF_EFORMAT)
            print_error("cut at %zu of %zu: rc %d: %s\n", len, n, rc, err.msg);
        assert_int_equal(rc, CF_EFORMAT);
        assert_null(g);
        assert_contains(err.msg, cut);
        assert_contains(err.msg, "truncated");
    }
    free(bytes);
}

static void checker_failure_is_echeck(void **state)
{
    (void)state;
    cf_graph *g = tiny_model();
    g->nodes[0].op_type = "NoSuchOp";
    const char *path = in_tmp("nosuchop.onnx");
    save(g, path);
    cf_error err = CF_ERROR_INIT;
    cf_graph *out = NULL;
    assert_int_equal(cf_onnx_load(path, NULL, &out, &err), CF_ECHECK);
    assert_null(out);
    assert_contains(err.msg, path);
    assert_contains(err.msg, "checker");
    assert_contains(err.msg, "NoSuchOp");

    /* The same through the check-only entry point. */
    cf_error_clear(&err);
    assert_int_equal(cf_onnx_check_file(path, &err), CF_ECHECK);
    assert_contains(err.msg, "NoSuchOp");

    /* Skipping the checker loads it. */
    cf_onnx_load_opts opts = {0};
    opts.skip_check = 1;
    cf_graph_free(load_ok(path, &opts));
}

static void missing_external_file_is_eio(void **state)
{
    (void)state;
    const char *path = in_tmp("ext_alone.onnx");
    copy_file(fixture("ext_data.onnx"), path); /* without its .bin */
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    assert_int_equal(cf_onnx_load(path, NULL, &g, &err), CF_EIO);
    assert_null(g);
    assert_contains(err.msg, path);
    assert_contains(err.msg, "'w1'");
    assert_contains(err.msg, "ext_data.bin");

    /* From memory without a directory, external data cannot be found. */
    size_t n;
    void *bytes = read_bytes(fixture("ext_data.onnx"), &n);
    cf_error_clear(&err);
    assert_int_equal(cf_onnx_load_buffer(bytes, n, "mem.onnx", NULL, NULL, &g, &err), CF_EIO);
    assert_contains(err.msg, "mem.onnx");
    assert_contains(err.msg, "ext_data.bin");
    free(bytes);
}

static void unknown_element_type_is_eunsupported(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    const char *path = fixture("bad_dtype.onnx");
    assert_int_equal(cf_onnx_load(path, NULL, &g, &err), CF_EUNSUPPORTED);
    assert_null(g);
    assert_contains(err.msg, "bad_dtype.onnx");
    assert_contains(err.msg, "'w_odd'");
    assert_contains(err.msg, "99");
}

/* Relu(x2) -> a, Add(a, x) -> x2: each waits for the other. */
static cf_graph *cyclic_model(void)
{
    cf_graph *g = new_model();
    int64_t d[1] = {4};
    int32_t x = typed(g, "x", CF_DT_FLOAT, 1, d, NULL);
    NODE(g, "Relu", "r1", L("x2"), L("a"));
    NODE(g, "Add", "add", L("a", "x"), L("x2"));
    int32_t a = typed(g, "a", CF_DT_FLOAT, 1, d, NULL);
    set_io(g, &x, 1, &a, 1);
    return g;
}

static void cycle_is_echeck(void **state)
{
    (void)state;
    const char *path = in_tmp("cycle.onnx");
    save(cyclic_model(), path);
    cf_onnx_load_opts skip = {0};
    skip.skip_check = 1;
    for (int pass = 0; pass < 2; pass++) {
        cf_error err = CF_ERROR_INIT;
        cf_graph *g = NULL;
        assert_int_equal(cf_onnx_load(path, pass ? &skip : NULL, &g, &err), CF_ECHECK);
        assert_null(g);
        assert_contains(err.msg, path);
        assert_contains(err.msg, "cycle");
        assert_true(strstr(err.msg, "r1") || strstr(err.msg, "add"));
    }
}

static void unsorted_graph_is_sorted_when_not_checked(void **state)
{
    (void)state;
    cf_graph *g = new_model();
    int64_t d[1] = {4};
    int32_t x = typed(g, "x", CF_DT_FLOAT, 1, d, NULL);
    NODE(g, "Relu", "second", L("a"), L("b"));
    NODE(g, "Relu", "first", L("x"), L("a"));
    int32_t b = typed(g, "b", CF_DT_FLOAT, 1, d, NULL);
    set_io(g, &x, 1, &b, 1);
    const char *path = in_tmp("unsorted.onnx");
    save(g, path);

    /* ONNX requires sorted nodes; the checker says so. */
    cf_error err = CF_ERROR_INIT;
    cf_graph *out = NULL;
    assert_int_equal(cf_onnx_load(path, NULL, &out, &err), CF_ECHECK);
    assert_contains(err.msg, "topologically sorted");

    cf_onnx_load_opts opts = {0};
    opts.skip_check = 1;
    out = load_ok(path, &opts);
    assert_int_equal(out->n_nodes, 2);
    assert_string_equal(out->nodes[0].name, "first");
    assert_string_equal(out->nodes[1].name, "second");
    assert_int_equal(find(out, "a")->producer, 0);
    cf_graph_free(out);
}

static void load_tensor_reads_test_data(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    cf_tensor *t = NULL;
    assert_int_equal(cf_onnx_load_tensor(in_tmp("absent.pb"), g, &t, &err), CF_EIO);
    assert_contains(err.msg, "absent.pb");
    assert_null(t);

    const char *pb = "/usr/share/libonnx-testdata/data/node/test_abs/test_data_set_0/input_0.pb";
    if (access(pb, R_OK) == 0) {
        cf_error_clear(&err);
        assert_int_equal(cf_onnx_load_tensor(pb, g, &t, &err), 0);
        assert_int_equal(t->dtype, CF_DT_FLOAT);
        assert_int_equal(t->shape.rank, 3);
        assert_int_equal(t->shape.dims[0].value, 3);
        assert_int_equal(t->shape.dims[1].value, 4);
        assert_int_equal(t->shape.dims[2].value, 5);
        assert_int_equal(t->nbytes, 3 * 4 * 5 * sizeof(float));
        assert_non_null(t->data);
    }
    cf_graph_free(g);
}

static void save_failure_leaves_nothing(void **state)
{
    (void)state;
    cf_graph *g = tiny_model();
    cf_error err = CF_ERROR_INIT;
    const char *path = in_tmp("no/such/dir/model.onnx");
    assert_int_equal(cf_onnx_save(g, path, &err), CF_EIO);
    assert_contains(err.msg, "no/such/dir/model.onnx");

    /* Data that does not fit its shape is refused, not written. */
    cf_error_clear(&err);
    cf_tensor *w = &g->tensors[cf_graph_find_tensor(g, "w")];
    w->nbytes = 8;
    const char *bad = in_tmp("bad_w.onnx");
    assert_int_equal(cf_onnx_save(g, bad, &err), CF_EINVAL);
    assert_contains(err.msg, "'w'");
    assert_int_equal(access(bad, F_OK), -1);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", bad);
    assert_int_equal(access(tmp, F_OK), -1);
    cf_graph_free(g);
}

/* --- libonnx crashing inside shape inference ------------------------------- */

/* Each passes the checker, then kills libonnx 1.12's shape inference with a
 * signal (tests/fixtures/onnx/make_crash_fixtures.py). Division by zero traps
 * on x86 only; elsewhere it gives a number and the Conv loads. */
static const struct {
    const char *file, *signal, *layer;
    int traps;
} crash_cases[] = {
    {"si_crash_layernorm.onnx", "signal 11", "layer bad_norm (LayerNormalization)", 1},
    {"si_crash_convtranspose_rank.onnx", "signal 11", "layer deconv (ConvTranspose)", 1},
#if defined(__x86_64__) || defined(__i386__)
    {"si_crash_conv_stride0.onnx", "signal 8", "layer conv0 (Conv)", 1},
#else
    {"si_crash_conv_stride0.onnx", "signal 8", "layer conv0 (Conv)", 0},
#endif
};

/* The load fails with CF_ECHECK naming the file, the signal and the layer,
 * and this process lives on. */
static void shape_inference_crash_is_echeck(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof crash_cases / sizeof crash_cases[0]; i++) {
        const char *path = fixture(crash_cases[i].file);
        cf_error err = CF_ERROR_INIT;
        cf_graph *g = NULL;
        int rc = cf_onnx_load(path, NULL, &g, &err);
        if (!crash_cases[i].traps && rc == 0) {
            cf_graph_free(g);
            continue;
        }
        if (rc != CF_ECHECK)
            print_error("%s: rc %d: %s (libonnx no longer crashes here? then this fixture "
                        "tests nothing)\n", crash_cases[i].file, rc, err.msg);
        assert_int_equal(rc, CF_ECHECK);
        assert_null(g);
        assert_contains(err.msg, path);
        assert_contains(err.msg, "shape inference crashed inside libonnx");
        assert_contains(err.msg, crash_cases[i].signal);
        assert_contains(err.msg, crash_cases[i].layer);
        assert_contains(err.msg, "malformed");
        assert_null(strchr(err.msg, '\n'));

        /* The same from memory. */
        size_t n;
        void *bytes = read_bytes(path, &n);
        cf_error_clear(&err);
        assert_int_equal(cf_onnx_load_buffer(bytes, n, "mem.onnx", NULL, NULL, &g, &err),
                         CF_ECHECK);
        assert_contains(err.msg, "mem.onnx");
        assert_contains(err.msg, crash_cases[i].layer);
        free(bytes);

        /* Without shape inference nothing crashes: the fault is libonnx's. */
        cf_onnx_load_opts opts = {0};
        opts.skip_shape_inference = 1;
        g = load_ok(path, &opts);
        assert_true(g->n_nodes >= 1);
        cf_graph_free(g);
    }
}

/* The TUI loads on a worker thread while others run: fork() then copies a
 * process whose other threads may hold locks (malloc's, above all). Two
 * threads load, one a crashing model and one a good one, while a third
 * allocates without pause. */
typedef struct load_worker {
    const char *path;
    int expect;   /* the code each load must return */
    int failures; /* loads that returned something else */
    int last_rc;
    char msg[CF_ERROR_MSG_MAX];
} load_worker;

static void *load_loop(void *arg)
{
    load_worker *w = arg;
    for (int i = 0; i < 8; i++) {
        cf_error err = CF_ERROR_INIT;
        cf_graph *g = NULL;
        int rc = cf_onnx_load(w->path, NULL, &g, &err);
        if (rc != w->expect) {
            w->failures++;
            w->last_rc = rc;
            memcpy(w->msg, err.msg, sizeof w->msg);
        }
        cf_graph_free(g);
    }
    return NULL;
}

static void *alloc_loop(void *arg)
{
    atomic_int *stop = arg;
    unsigned x = 1;
    while (!atomic_load(stop)) {
        x = x * 1103515245u + 12345u;
        void *p = malloc(16 + (x >> 16) % 65536);
        if (p)
            memset(p, 1, 16);
        free(p);
    }
    return NULL;
}

static void loads_from_worker_threads(void **state)
{
    (void)state;
    const char *good = in_tmp("tiny_threads.onnx");
    save(tiny_model(), good);
    load_worker w[2] = {{fixture("si_crash_layernorm.onnx"), CF_ECHECK, 0, 0, ""},
                        {good, 0, 0, 0, ""}};
    atomic_int stop;
    atomic_init(&stop, 0);
    pthread_t churn, t[2];
    assert_int_equal(pthread_create(&churn, NULL, alloc_loop, &stop), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, load_loop, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    atomic_store(&stop, 1);
    assert_int_equal(pthread_join(churn, NULL), 0);
    for (int i = 0; i < 2; i++) {
        if (w[i].failures)
            print_error("%s: %d failures, last rc %d: %s\n", w[i].path, w[i].failures,
                        w[i].last_rc, w[i].msg);
        assert_int_equal(w[i].failures, 0);
    }
}

/* A host that ignores SIGCHLD has its children reaped by the kernel, so the
 * loader never sees an exit status. A complete answer still loads; a crash
 * is still an error, only a vaguer one. */
static void ignored_sigchld_still_loads(void **state)
{
    (void)state;
    const char *good = in_tmp("tiny_sigchld.onnx");
    save(tiny_model(), good);
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    int rc_good = cf_onnx_load(good, NULL, &g, &err);
    char good_msg[CF_ERROR_MSG_MAX];
    snprintf(good_msg, sizeof good_msg, "%s", err.msg);
    int ranked = g && find(g, "y")->shape.rank == 2;
    cf_graph_free(g);
    cf_error_clear(&err);
    g = NULL;
    int rc_bad = cf_onnx_load(fixture("si_crash_layernorm.onnx"), NULL, &g, &err);
    sigaction(SIGCHLD, &old, NULL); /* before any assert can leave */
    if (rc_good)
        print_error("%s\n", good_msg);
    assert_int_equal(rc_good, 0);
    assert_true(ranked);
    assert_true(rc_bad < 0);
    assert_null(g);
    assert_contains(err.msg, "si_crash_layernorm.onnx");
    assert_contains(err.msg, "shape inference");
}

/* --- what a load keeps ------------------------------------------------------ */

static void external_data_loads(void **state)
{
    (void)state;
    const char *path = fixture("ext_data.onnx");
    cf_graph *g = load_ok(path, NULL);
    const cf_tensor *w1 = find(g, "w1");
    assert_int_equal(w1->dtype, CF_DT_FLOAT);
    assert_int_equal(w1->nbytes, 6 * sizeof(float));
    assert_true(w1->flags & CF_TENSOR_INITIALIZER);
    assert_string_equal(w1->external_location, "ext_data.bin");
    for (int i = 0; i < 6; i++)
        assert_true(((const float *)w1->data)[i] == (float)i * 0.5f - 1.0f);
    const cf_tensor *shape = find(g, "shape");
    assert_int_equal(shape->dtype, CF_DT_INT64);
    assert_int_equal(((const int64_t *)shape->data)[0], 3);
    assert_int_equal(((const int64_t *)shape->data)[1], 2);
    /* The reshape target came from the external file, and inference used it. */
    const cf_tensor *y = find(g, "y");
    assert_int_equal(y->shape.rank, 2);
    assert_int_equal(y->shape.dims[0].value, 2);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(g->file_bytes, (size_t)st.st_size + 24 + 16);
    assert_string_equal(g->path, path);

    /* From memory with the directory given, it loads the same. */
    size_t n;
    void *bytes = read_bytes(path, &n);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    cf_error err = CF_ERROR_INIT;
    cf_graph *h = NULL;
    assert_int_equal(cf_onnx_load_buffer(bytes, n, "mem", dir, NULL, &h, &err), 0);
    char why[256];
    assert_int_equal(cf_graph_diff(g, h, why, sizeof why), 0);
    free(bytes);

    /* Saved, the data goes inline and the file stands alone. */
    const char *inl = in_tmp("ext_inline.onnx");
    cf_error_clear(&err);
    assert_int_equal(cf_onnx_save(g, inl, &err), 0);
    cf_graph *k = load_ok(inl, NULL);
    assert_null(find(k, "w1")->external_location);
    assert_int_equal(cf_graph_diff(g, k, why, sizeof why), 0);
    cf_graph_free(k);
    cf_graph_free(h);
    cf_graph_free(g);
}

static void symbolic_dims_and_inferred_shapes(void **state)
{
    (void)state;
    const char *path = in_tmp("tiny.onnx");
    save(tiny_model(), path);
    cf_graph *g = load_ok(path, NULL);
    const cf_tensor *x = find(g, "x");
    assert_int_equal(x->shape.rank, 2);
    assert_int_equal(x->shape.dims[0].value, -1);
    assert_string_equal(x->shape.dims[0].param, "N");
    assert_int_equal(x->shape.dims[1].value, 3);
    assert_null(x->shape.dims[1].param);
    assert_true(x->flags & CF_TENSOR_INPUT);

    /* 'a' and 'b' are declared nowhere: shape inference found them. */
    char buf[64];
    const cf_tensor *a = find(g, "a");
    assert_true(a->flags & CF_TENSOR_TYPED);
    assert_int_equal(a->dtype, CF_DT_FLOAT);
    assert_string_equal(cf_shape_format(&a->shape, buf, sizeof buf), "Nx3");
    assert_string_equal(cf_shape_format(&find(g, "b")->shape, buf, sizeof buf), "Nx3");
    assert_string_equal(cf_shape_format(&find(g, "y")->shape, buf, sizeof buf), "3xN");
    assert_int_equal(g->n_unshaped, 0);
    assert_null(g->shape_inference_note);
    assert_int_equal(find(g, "a")->producer, 0);

    /* Save + load keeps the symbol. */
    const char *again = in_tmp("tiny2.onnx");
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_onnx_save(g, again, &err), 0);
    cf_graph *h = load_ok(again, NULL);
    assert_string_equal(find(h, "x")->shape.dims[0].param, "N");
    char why[256];
    assert_int_equal(cf_graph_diff(g, h, why, sizeof why), 0);
    cf_graph_free(h);

    /* Without inference, 'a' has no shape and the note says so. */
    cf_onnx_load_opts opts = {0};
    opts.skip_shape_inference = 1;
    h = load_ok(path, &opts);
    assert_int_equal(find(h, "a")->shape.rank, -1);
    assert_int_equal(h->n_unshaped, 2);
    assert_contains(h->shape_inference_note, "skipped");
    cf_graph_free(h);
    cf_graph_free(g);
}

static void shape_inference_gaps_are_noted(void **state)
{
    (void)state;
    /* A custom op libonnx cannot know, then an Add that cannot broadcast. */
    cf_graph *g = new_model();
    add_opset(g, "com.example", 1);
    int64_t d[2] = {2, 3}, zd[1] = {5};
    int32_t x = typed(g, "x", CF_DT_FLOAT, 2, d, NULL);
    float z[5] = {0};
    initializer(g, "z", CF_DT_FLOAT, 1, zd, z, sizeof z);
    node(g, "Mystery", "com.example", "mystery", 1, (const char *[]){"x"}, 1,
         (const char *[]){"m"});
    NODE(g, "Relu", "relu", L("m"), L("r"));
    NODE(g, "Relu", "relu2", L("r"), L("y"));
    int32_t y = typed(g, "y", CF_DT_FLOAT, 2, (int64_t[]){-1, -1}, NULL);
    set_io(g, &x, 1, &y, 1);
    const char *path = in_tmp("mystery.onnx");
    save(g, path);
    cf_graph *h = load_ok(path, NULL);
    assert_int_equal(h->n_unshaped, 2);
    assert_contains(h->shape_inference_note, "2 layer outputs");
    assert_contains(h->shape_inference_note, "mystery");
    assert_contains(h->shape_inference_note, "no schema");
    cf_graph_free(h);

    g = new_model();
    x = typed(g, "x", CF_DT_FLOAT, 2, d, NULL);
    initializer(g, "z", CF_DT_FLOAT, 1, zd, z, sizeof z);
    NODE(g, "Add", "badadd", L("x", "z"), L("s"));
    NODE(g, "Relu", "relu", L("s"), L("y"));
    y = typed(g, "y", CF_DT_FLOAT, 2, (int64_t[]){-1, -1}, NULL);
    set_io(g, &x, 1, &y, 1);
    path = in_tmp("badadd.onnx");
    save(g, path);
    h = load_ok(path, NULL);
    assert_true(h->n_unshaped >= 1);
    assert_contains(h->shape_inference_note, "badadd");
    assert_contains(h->shape_inference_note, "Incompatible dimensions");
    cf_graph_free(h);
}

static void fixed_dims(void **state)
{
    (void)state;
    const char *path = in_tmp("tiny_dims.onnx");
    save(tiny_model(), path);
    const char *names[1] = {"N"};
    int64_t values[1] = {4};
    cf_onnx_load_opts opts = {0};
    opts.dim_names = names;
    opts.dim_values = values;
    opts.n_dims = 1;
    cf_graph *g = load_ok(path, &opts);
    char buf[64];
    assert_string_equal(cf_shape_format(&find(g, "x")->shape, buf, sizeof buf), "4x3");
    assert_string_equal(cf_shape_format(&find(g, "y")->shape, buf, sizeof buf), "3x4");
    assert_int_equal(g->n_bound_dims, 1);
    assert_string_equal(g->bound_dims[0].name, "N");
    assert_int_equal(g->bound_dims[0].value, 4);
    assert_int_equal(g->bound_dims[0].by_default, 0);
    cf_graph_free(g);

    /* A name no input has is a user's typo, not something to ignore. */
    names[0] = "batch";
    cf_error err = CF_ERROR_INIT;
    g = NULL;
    assert_int_equal(cf_onnx_load(path, &opts, &g, &err), CF_EINVAL);
    assert_contains(err.msg, "'batch'");
    assert_null(g);

    /* default_dim fixes what is left, and says so. */
    opts.n_dims = 0;
    opts.default_dim = 1;
    g = load_ok(path, &opts);
    assert_string_equal(cf_shape_format(&find(g, "y")->shape, buf, sizeof buf), "3x1");
    assert_int_equal(g->n_bound_dims, 1);
    assert_string_equal(g->bound_dims[0].name, "N");
    assert_int_equal(g->bound_dims[0].by_default, 1);
    cf_graph_free(g);
}

/* A custom op carrying one attribute of every kind; the GRAPH one reads
 * 'x' from the enclosing graph. */
static cf_graph *every_attr_model(void)
{
    cf_graph *g = new_model();
    add_opset(g, "chipfit.test", 1);
    cf_arena *A = g->arena;
    cf_error err = CF_ERROR_INIT;
    int64_t d[1] = {2};
    int32_t x = typed(g, "x", CF_DT_FLOAT, 1, d, NULL);
    cf_node *n = node(g, "Everything", "chipfit.test", "every", 1, (const char *[]){"x"}, 1,
                      (const char *[]){"y"});
    int32_t y = typed(g, "y", CF_DT_FLOAT, 1, d, NULL);
    set_io(g, &x, 1, &y, 1);

    assert_int_equal(cf_node_add_attr_float(g, n, "f", 0.125f, &err), 0);
    assert_int_equal(cf_node_add_attr_int(g, n, "i", -7, &err), 0);
    cf_attr *a = cf_node_add_attr(g, n, "s", CF_ATTR_STRING, &err);
    a->s.data = cf_arena_memdup(A, "a\0b", 4); /* a NUL inside survives */
    a->s.len = 3;
    a->doc = "a string with a NUL";

    static const int16_t tv[3] = {1, -2, 300};
    cf_tensor *t = cf_arena_calloc(A, 1, sizeof *t);
    t->name = "const_t";
    t->dtype = CF_DT_INT16;
    int64_t td[1] = {3};
    assert_int_equal(cf_tensor_set_shape(g, t, 1, td, &err), 0);
    t->data = cf_arena_memdup(A, tv, sizeof tv);
    t->nbytes = sizeof tv;
    a = cf_node_add_attr(g, n, "t", CF_ATTR_TENSOR, &err);
    a->t = t;

    cf_graph *sub = cf_graph_new_sub(g, &err);
    sub->name = "body";
    int32_t so = cf_graph_add_tensor(sub, "sub_out", &err);
    sub->tensors[so].dtype = CF_DT_FLOAT;
    assert_int_equal(cf_tensor_set_shape(sub, &sub->tensors[so], 1, d, &err), 0);
    sub->tensors[so].flags |= CF_TENSOR_TYPED;
    int32_t sx = cf_graph_add_tensor(sub, "x", &err);
    sub->tensors[sx].flags |= CF_TENSOR_OUTER;
    int32_t k = cf_graph_add_node(sub, "Neg", NULL, "neg", &err);
    assert_int_equal(cf_graph_set_io(sub, &sub->nodes[k], &sx, 1, &so, 1, &err), 0);
    sub->outputs = cf_arena_memdup(A, &so, sizeof so);
    sub->n_outputs = 1;
    sub->tensors[so].flags |= CF_TENSOR_OUTPUT;
    a = cf_node_add_attr(g, n, "g", CF_ATTR_GRAPH, &err);
    a->g = sub;

    static const float fv[3] = {1.0f, -0.5f, 3e38f};
    a = cf_node_add_attr(g, n, "floats", CF_ATTR_FLOATS, &err);
    a->floats = cf_arena_memdup(A, fv, sizeof fv);
    a->n = 3;
    int64_t iv[4] = {0, -1, INT64_MAX, INT64_MIN};
    assert_int_equal(cf_node_add_attr_ints(g, n, "ints", iv, 4, &err), 0);
    a = cf_node_add_attr(g, n, "strings", CF_ATTR_STRINGS, &err);
    a->strings = cf_arena_calloc(A, 2, sizeof(cf_bytes));
    a->strings[0] = (cf_bytes){"one", 3};
    a->strings[1] = (cf_bytes){"", 0};
    a->n = 2;

    a = cf_node_add_attr(g, n, "tensors", CF_ATTR_TENSORS, &err);
    a->tensors = cf_arena_calloc(A, 2, sizeof(cf_tensor *));
    a->tensors[0] = t;
    cf_tensor *st = cf_arena_calloc(A, 1, sizeof *st);
    st->name = "words";
    st->dtype = CF_DT_STRING;
    assert_int_equal(cf_tensor_set_shape(g, st, 1, d, &err), 0);
    st->strings = cf_arena_calloc(A, 2, sizeof(cf_bytes));
    st->strings[0] = (cf_bytes){"hello", 5};
    st->strings[1] = (cf_bytes){"x\0y", 3};
    st->n_strings = 2;
    a->tensors[1] = st;
    a->n = 2;

    a = cf_node_add_attr(g, n, "graphs", CF_ATTR_GRAPHS, &err);
    a->graphs = cf_arena_calloc(A, 1, sizeof(cf_graph *));
    a->graphs[0] = sub;
    a->n = 1;

    /* The kinds kept as serialized protobuf: a SparseTensorProto with
     * dims [4] (field 3, varint 4), a TypeProto tensor(float) (field 1
     * {field 1 = 1}). */
    static const char sparse[] = "\x18\x04", type[] = "\x0a\x02\x08\x01";
    a = cf_node_add_attr(g, n, "sparse", CF_ATTR_SPARSE_TENSOR, &err);
    a->raw = cf_arena_calloc(A, 1, sizeof(cf_bytes));
    a->raw[0] = (cf_bytes){sparse, 2};
    a->n = 1;
    a = cf_node_add_attr(g, n, "sparses", CF_ATTR_SPARSE_TENSORS, &err);
    a->raw = cf_arena_calloc(A, 2, sizeof(cf_bytes));
    a->raw[0] = (cf_bytes){sparse, 2};
    a->raw[1] = (cf_bytes){sparse, 2};
    a->n = 2;
    a = cf_node_add_attr(g, n, "tp", CF_ATTR_TYPE_PROTO, &err);
    a->raw = cf_arena_calloc(A, 1, sizeof(cf_bytes));
    a->raw[0] = (cf_bytes){type, 4};
    a->n = 1;
    a = cf_node_add_attr(g, n, "tps", CF_ATTR_TYPE_PROTOS, &err);
    a->raw = cf_arena_calloc(A, 1, sizeof(cf_bytes));
    a->raw[0] = (cf_bytes){type, 4};
    a->n = 1;
    a = cf_node_add_attr(g, n, "ref", CF_ATTR_INT, &err);
    a->ref_attr_name = "outer_attr";
    assert_int_equal(n->n_attrs, 15);
    return g;
}

static void every_attribute_kind_round_trips(void **state)
{
    (void)state;
    cf_graph *orig = every_attr_model();
    const char *path = in_tmp("every.onnx");
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_onnx_save(orig, path, &err), 0);
    /* The hand-made sparse tensor is not one the checker accepts. */
    cf_onnx_load_opts opts = {0};
    opts.skip_check = 1;
    cf_graph *g = load_ok(path, &opts);
    char why[512];
    if (cf_graph_diff(orig, g, why, sizeof why))
        print_error("%s\n", why);
    assert_int_equal(cf_graph_diff(orig, g, why, sizeof why), 0);

    const cf_node *n = &g->nodes[0];
    assert_string_equal(n->op_type, "Everything");
    assert_string_equal(n->domain, "chipfit.test");
    assert_true(cf_node_attr_float(n, "f", 0) == 0.125f);
    assert_int_equal(cf_node_attr_int(n, "i", 0), -7);
    const cf_attr *a = cf_node_attr(n, "s");
    assert_int_equal(a->s.len, 3);
    assert_memory_equal(a->s.data, "a\0b", 4); /* and NUL-terminated past len */
    assert_string_equal(a->doc, "a string with a NUL");
    a = cf_node_attr(n, "t");
    assert_int_equal(a->t->dtype, CF_DT_INT16);
    assert_int_equal(((const int16_t *)a->t->data)[2], 300);
    a = cf_node_attr(n, "g");
    assert_string_equal(a->g->name, "body");
    assert_ptr_equal(a->g->parent, g);
    const cf_tensor *sx = &a->g->tensors[cf_graph_find_tensor(a->g, "x")];
    assert_true(sx->flags & CF_TENSOR_OUTER);
    assert_int_equal(sx->dtype, CF_DT_FLOAT); /* its type comes from the outer graph */
    a = cf_node_attr(n, "ints");
    assert_int_equal(a->n, 4);
    assert_true(a->ints[3] == INT64_MIN);
    a = cf_node_attr(n, "strings");
    assert_int_equal(a->strings[1].len, 0);
    assert_int_equal(a->strings[1].data[0], '\0');
    a = cf_node_attr(n, "tensors");
    assert_int_equal(a->tensors[1]->n_strings, 2);
    assert_memory_equal(a->tensors[1]->strings[1].data, "x\0y", 4);
    a = cf_node_attr(n, "tp");
    assert_int_equal(a->raw[0].len, 4);
    assert_string_equal(cf_node_attr(n, "ref")->ref_attr_name, "outer_attr");

    /* The diff sees a change in each place a pass could make one. */
    cf_attr *ints = (cf_attr *)cf_node_attr(&g->nodes[0], "ints");
    ints->ints[1] = 5;
    assert_int_equal(cf_graph_diff(orig, g, why, sizeof why), 1);
    assert_contains(why, "'ints'");
    ints->ints[1] = -1;
    cf_graph *sub = cf_node_attr(&g->nodes[0], "g")->g;
    sub->nodes[0].op_type = "Abs";
    assert_int_equal(cf_graph_diff(orig, g, why, sizeof why), 1);
    assert_contains(why, "Neg");
    assert_contains(why, "Abs");
    cf_graph_free(g);
    cf_graph_free(orig);
}

static void flags_empty_names_and_strings(void **state)
{
    (void)state;
    cf_graph *g = new_model();
    g->ir_version = 3; /* old IR: initializers listed as inputs too */
    g->opsets[0].version = 9;
    int64_t d[1] = {3};
    int32_t ins[3];
    ins[0] = typed(g, "x", CF_DT_FLOAT, 1, d, NULL);
    float mx[1] = {6.0f};
    ins[1] = initializer(g, "hi", CF_DT_FLOAT, 0, NULL, mx, sizeof mx);
    /* Clip-6 takes min/max as attributes; Clip-11 as inputs, the min left
     * out with "". Opset 11 for that. */
    g->opsets[0].version = 11;
    NODE(g, "Clip", "clip", L("x", "", "hi"), L("y"));
    int32_t y = typed(g, "y", CF_DT_FLOAT, 1, d, NULL);
    static const cf_bytes words[2] = {{"alpha", 5}, {"be\0ta", 5}};
    ins[2] = typed(g, "words", CF_DT_STRING, 1, (int64_t[]){2}, NULL);
    g->tensors[ins[2]].flags |= CF_TENSOR_INITIALIZER;
    g->tensors[ins[2]].strings = (cf_bytes *)words;
    g->tensors[ins[2]].n_strings = 2;
    set_io(g, ins, 3, &y, 1);
    const char *path = in_tmp("old_ir.onnx");
    save(g, path);

    g = load_ok(path, NULL);
    const cf_tensor *hi = find(g, "hi");
    assert_true(hi->flags & CF_TENSOR_INPUT);
    assert_true(hi->flags & CF_TENSOR_INITIALIZER);
    assert_int_equal(hi->shape.rank, 0);
    assert_true(*(const float *)hi->data == 6.0f);
    assert_int_equal(g->nodes[0].n_inputs, 3);
    assert_int_equal(g->nodes[0].inputs[1], -1);
    assert_int_equal(g->n_inputs, 3);
    const cf_tensor *wt = find(g, "words");
    assert_int_equal(wt->n_strings, 2);
    assert_int_equal(wt->strings[1].len, 5);
    assert_memory_equal(wt->strings[1].data, "be\0ta", 6);
    cf_graph_free(g);
}

/* --- peak memory ----------------------------------------------------------- */

/* Run in a child (a fresh process, so its peak is the load's own). */
static int peak_rss_child(const char *path)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = NULL;
    if (cf_onnx_load(path, NULL, &g, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%ld\n", ru.ru_maxrss); /* KiB on Linux */
    cf_graph_free(g);
    return 0;
}

static void peak_memory_of_a_45_mb_load(void **state)
{
    (void)state;
    if (CF_UNDER_ASAN) {
        skip(); /* ASan's shadow memory makes RSS meaningless */
        return;
    }
    cf_graph *g = new_model();
    int64_t wd[2] = {3072, 3840}; /* 45 MiB of float32 */
    size_t nbytes = (size_t)wd[0] * (size_t)wd[1] * sizeof(float);
    int64_t xd[2] = {1, 3072};
    int32_t x = typed(g, "x", CF_DT_FLOAT, 2, xd, NULL);
    int32_t w = typed(g, "w", CF_DT_FLOAT, 2, wd, NULL);
    g->tensors[w].flags |= CF_TENSOR_INITIALIZER;
    g->tensors[w].data = cf_arena_calloc(g->arena, 1, nbytes);
    memset(g->tensors[w].data, 0x3c, nbytes); /* touched, not zero pages */
    g->tensors[w].nbytes = nbytes;
    NODE(g, "MatMul", "mm", L("x", "w"), L("y"));
    int32_t y = typed(g, "y", CF_DT_FLOAT, 2, (int64_t[]){1, 3840}, NULL);
    set_io(g, &x, 1, &y, 1);
    const char *path = in_tmp("big.onnx");
    save(g, path);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(self_exe, self_exe, "--peak-rss", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char out[64] = {0};
    ssize_t got = read(fds[0], out, sizeof out - 1);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(got > 0);
    double peak = atof(out) * 1024.0;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    printf("peak RSS loading %.1f MB: %.1f MB (%.2fx)\n", st.st_size / 1e6, peak / 1e6,
           peak / (double)st.st_size);
    assert_true(peak < 2.5 * (double)st.st_size);
    unlink(path);
}

/* --- setup ----------------------------------------------------------------- */

static int make_tmpdir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.')
                unlink(in_tmp(e->d_name));
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--peak-rss") == 0)
        return peak_rss_child(argv[2]);
    self_exe = "/proc/self/exe";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_file_is_eio),
        cmocka_unit_test(not_a_protobuf_is_eformat),
        cmocka_unit_test(truncated_file_is_eformat),
        cmocka_unit_test(checker_failure_is_echeck),
        cmocka_unit_test(missing_external_file_is_eio),
        cmocka_unit_test(unknown_element_type_is_eunsupported),
        cmocka_unit_test(cycle_is_echeck),
        cmocka_unit_test(unsorted_graph_is_sorted_when_not_checked),
        cmocka_unit_test(load_tensor_reads_test_data),
        cmocka_unit_test(save_failure_leaves_nothing),
        cmocka_unit_test(shape_inference_crash_is_echeck),
        cmocka_unit_test(loads_from_worker_threads),
        cmocka_unit_test(ignored_sigchld_still_loads),
        cmocka_unit_test(external_data_loads),
        cmocka_unit_test(symbolic_dims_and_inferred_shapes),
        cmocka_unit_test(shape_inference_gaps_are_noted),
        cmocka_unit_test(fixed_dims),
        cmocka_unit_test(every_attribute_kind_round_trips),
        cmocka_unit_test(flags_empty_names_and_strings),
        cmocka_unit_test(peak_memory_of_a_45_mb_load),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
