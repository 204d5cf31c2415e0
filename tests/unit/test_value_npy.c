/* Unit tests of run-time values at their edges: float-to-integer
 * conversions (porting/value.c), the .npy reader on broken files
 * (porting/npy.c, with a small deterministic fuzz loop), and the stacking
 * of Scan outputs whose shape changes between iterations
 * (backends/cpu/kernels/control.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"
#include "cpu/exec.h"
#include "graph.h"
#include "npy.h"
#include "value.h"

/* ---- float to integer -------------------------------------------------- */

/* NaN, infinities and magnitudes beyond int64 have no int64 value: casting
 * them is undefined in C (x86 gives INT64_MIN for all). Defined as NaN -> 0
 * and saturation. */
static void get_i64_of_special_floats_is_defined(void **state)
{
    (void)state;
    static const struct {
        double x;
        int64_t want;
    } cases[] = {
        {NAN, 0},
        {-NAN, 0},
        {INFINITY, INT64_MAX},
        {-INFINITY, INT64_MIN},
        {1e30, INT64_MAX},
        {-1e30, INT64_MIN},
        {9223372036854775808.0, INT64_MAX},        /* 2^63: just out of range */
        {-9223372036854775808.0, INT64_MIN},       /* -2^63: just in range */
        {9223372036854774784.0, INT64_C(9223372036854774784)},
        {3.7, 3},
        {-3.7, -3},
        {0.0, 0},
    };
    cf_error err = CF_ERROR_INIT;
    int64_t n = (int64_t)(sizeof cases / sizeof cases[0]);
    cf_value d = CF_VALUE_INIT, f = CF_VALUE_INIT, h = CF_VALUE_INIT;
    assert_int_equal(cf_value_alloc(&d, CF_DT_DOUBLE, 1, &n, "d", &err), 0);
    assert_int_equal(cf_value_alloc(&f, CF_DT_FLOAT, 1, &n, "f", &err), 0);
    assert_int_equal(cf_value_alloc(&h, CF_DT_FLOAT16, 1, &n, "h", &err), 0);
    for (int64_t i = 0; i < n; i++) {
        ((double *)d.data)[i] = cases[i].x;
        ((float *)f.data)[i] = (float)cases[i].x;
        ((uint16_t *)h.data)[i] = cf_f32_to_f16((float)cases[i].x);
    }
    for (int64_t i = 0; i < n; i++) {
        if (cf_value_get_i64(&d, i) != cases[i].want)
            fail_msg("double %g: got %lld, want %lld", cases[i].x,
                     (long long)cf_value_get_i64(&d, i), (long long)cases[i].want);
        /* float32 rounds 2^63 - 1024 up to 2^63: check floats against their own value */
        double fx = ((float *)f.data)[i];
        int64_t fw = fx != fx ? 0 : fx >= 9223372036854775808.0 ? INT64_MAX
                   : fx < -9223372036854775808.0 ? INT64_MIN : (int64_t)fx;
        assert_true(cf_value_get_i64(&f, i) == fw);
    }
    /* float16: +-inf and NaN; 65504 is its largest finite value */
    assert_true(cf_value_get_i64(&h, 0) == 0);
    assert_true(cf_value_get_i64(&h, 2) == INT64_MAX);
    assert_true(cf_value_get_i64(&h, 3) == INT64_MIN);
    assert_true(cf_value_get_i64(&h, 4) == INT64_MAX);   /* 1e30 overflows to inf */
    assert_true(cf_value_get_i64(&h, 10) == -3);
    cf_value_clear(&d);
    cf_value_clear(&f);
    cf_value_clear(&h);
}

/* A uint64 above INT64_MAX comes back as its bit pattern (kernels do
 * integer arithmetic modulo 2^64 through cf_value_get_i64), and compare
 * still tells such values apart and prints them unsigned. */
static void get_i64_of_large_uint64_keeps_its_bits(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    int64_t n = 3;
    cf_value u = CF_VALUE_INIT, w = CF_VALUE_INIT;
    assert_int_equal(cf_value_alloc(&u, CF_DT_UINT64, 1, &n, "u", &err), 0);
    ((uint64_t *)u.data)[0] = UINT64_MAX;
    ((uint64_t *)u.data)[1] = (uint64_t)1 << 63;
    ((uint64_t *)u.data)[2] = 42;
    assert_true(cf_value_get_i64(&u, 0) == -1);
    assert_true(cf_value_get_i64(&u, 1) == INT64_MIN);
    assert_true(cf_value_get_i64(&u, 2) == 42);
    assert_int_equal(cf_value_copy(&w, &u, &err), 0);
    ((uint64_t *)w.data)[1] = ((uint64_t)1 << 63) + 1;
    char why[256];
    assert_int_equal(cf_value_compare(&u, &w, 0, 0, NULL, why, sizeof why), 1);
    assert_non_null(strstr(why, "element 1"));
    assert_null(strchr(why, '-'));   /* not shown as a negative number */
    cf_value_clear(&u);
    cf_value_clear(&w);
}

/* cf_value_set_f64 into every integer type: NaN to 0, out-of-range and
 * infinite values to the type's limits, the rest truncated toward zero. */
static void set_f64_into_integers_clamps(void **state)
{
    (void)state;
    static const struct {
        cf_dtype dt;
        int64_t lo;
        uint64_t hi;
    } types[] = {
        {CF_DT_INT8, INT8_MIN, INT8_MAX},     {CF_DT_UINT8, 0, UINT8_MAX},
        {CF_DT_INT16, INT16_MIN, INT16_MAX},  {CF_DT_UINT16, 0, UINT16_MAX},
        {CF_DT_INT32, INT32_MIN, INT32_MAX},  {CF_DT_UINT32, 0, UINT32_MAX},
        {CF_DT_INT64, INT64_MIN, INT64_MAX},  {CF_DT_UINT64, 0, UINT64_MAX},
    };
    static const double xs[] = {NAN, INFINITY, -INFINITY, 1e30, -1e30, 2.9, -2.9};
    cf_error err = CF_ERROR_INIT;
    int64_t n = (int64_t)(sizeof xs / sizeof xs[0]);
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        cf_value v = CF_VALUE_INIT;
        assert_int_equal(cf_value_alloc(&v, types[t].dt, 1, &n, "v", &err), 0);
        for (int64_t i = 0; i < n; i++)
            cf_value_set_f64(&v, i, xs[i]);
        int is_unsigned = types[t].lo == 0;
        /* read back exactly, unsigned 64-bit included */
        uint64_t got[7];
        for (int64_t i = 0; i < n; i++)
            got[i] = (uint64_t)cf_value_get_i64(&v, i);
        uint64_t lo = (uint64_t)types[t].lo, hi = types[t].hi;
        uint64_t want[7] = {0, hi, lo, hi, lo, 2, is_unsigned ? 0 : (uint64_t)-2};
        for (int64_t i = 0; i < n; i++)
            if (got[i] != want[i])
                fail_msg("%s <- %g: got %llu, want %llu", cf_dtype_name(types[t].dt), xs[i],
                         (unsigned long long)got[i], (unsigned long long)want[i]);
        cf_value_clear(&v);
    }
}

/* ---- .npy ----------------------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cf_npy_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put_file(const char *path, const void *buf, size_t n)
{
    /* A new file each time: rewriting one in place makes ext4 flush it on
     * close (auto_da_alloc), which slows the fuzz loop a hundredfold. */
    unlink(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The bytes of a valid float32 [2x3] .npy file (written by cf_npy_write). */
static unsigned char *valid_npy(size_t *n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/valid.npy", tmpdir);
    cf_error err = CF_ERROR_INIT;
    cf_value v = CF_VALUE_INIT;
    int64_t dims[2] = {2, 3};
    assert_int_equal(cf_value_alloc(&v, CF_DT_FLOAT, 2, dims, "v", &err), 0);
    for (int i = 0; i < 6; i++)
        ((float *)v.data)[i] = (float)i + 0.5f;
    if (cf_npy_write(path, &v, &err))
        fail_msg("%s", err.msg);
    cf_value_clear(&v);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *buf = malloc(4096);
    assert_non_null(buf);
    *n = fread(buf, 1, 4096, f);
    fclose(f);
    assert_int_equal(*n, 128 + 24);
    return buf;
}

/* A file from a preamble of `version`, header text hdr (not padded) and
 * data_bytes bytes of data. */
static void npy_file(const char *path, int version, const char *hdr, size_t data_bytes)
{
    size_t hl = strlen(hdr), pre = version == 1 ? 10 : 12;
    unsigned char *buf = calloc(1, pre + hl + data_bytes + 1);
    assert_non_null(buf);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)version;
    buf[7] = 0;
    buf[8] = (unsigned char)(hl & 0xff);
    buf[9] = (unsigned char)(hl >> 8);
    memcpy(buf + pre, hdr, hl);
    put_file(path, buf, pre + hl + data_bytes);
    free(buf);
}

/* Reads path expecting failure: the message names the file and holds
 * `says`, and never the text of errno 0. */
static void expect_npy_error(const char *path, int code, const char *says)
{
    cf_error err = CF_ERROR_INIT;
    cf_value v = CF_VALUE_INIT;
    int rc = cf_npy_read(path, &v, &err);
    if (rc == 0) {
        char s[128];
        fail_msg("%s read as %s, wanted an error saying '%s'", path,
                 cf_value_format(&v, s, sizeof s), says);
    }
    if (code)
        assert_int_equal(rc, code);
    assert_int_equal(rc, err.code);
    if (!strstr(err.msg, path) || !strstr(err.msg, says) || strstr(err.msg, "Success"))
        fail_msg("'%s' does not name %s and say '%s'", err.msg, path, says);
    assert_null(v.data);
}

static void npy_roundtrip_and_version_3(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = valid_npy(&n);
    char path[128];
    snprintf(path, sizeof path, "%s/valid.npy", tmpdir);
    cf_error err = CF_ERROR_INIT;
    cf_value v = CF_VALUE_INIT;
    if (cf_npy_read(path, &v, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(v.dtype, CF_DT_FLOAT);
    assert_int_equal(v.rank, 2);
    assert_int_equal(v.dims[1], 3);
    assert_true(((float *)v.data)[5] == 5.5f);
    /* The same header and data as format 2.0 and 3.0 (a 4-byte length). */
    for (int version = 2; version <= 3; version++) {
        unsigned char *b = malloc(n + 2);
        assert_non_null(b);
        memcpy(b, buf, 8);
        b[6] = (unsigned char)version;
        size_t hl = (size_t)buf[8] | (size_t)buf[9] << 8;
        b[8] = (unsigned char)(hl & 0xff);
        b[9] = (unsigned char)(hl >> 8);
        b[10] = b[11] = 0;
        memcpy(b + 12, buf + 10, n - 10);
        snprintf(path, sizeof path, "%s/v%d.npy", tmpdir, version);
        put_file(path, b, n + 2);
        free(b);
        cf_value w = CF_VALUE_INIT;
        if (cf_npy_read(path, &w, &err))
            fail_msg("%s", err.msg);
        char why[128];
        assert_int_equal(cf_value_compare(&w, &v, 0, 0, NULL, why, sizeof why), 0);
        cf_value_clear(&w);
    }
    cf_value_clear(&v);
    free(buf);
}

/* A shape tuple that never closes was read as if it did. */
static void npy_unclosed_shape_is_an_error(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/unclosed.npy", tmpdir);
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", 24);
    expect_npy_error(path, CF_EFORMAT, "not closed");
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3,   ", 24);
    expect_npy_error(path, CF_EFORMAT, "not closed");
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }\n", 24);
    expect_npy_error(path, CF_EFORMAT, "shape");
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }\n", 24);
    expect_npy_error(path, CF_EFORMAT, "shape");
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,,3), }\n", 24);
    expect_npy_error(path, CF_EFORMAT, "shape");
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': Fals, 'shape': (2,3), }\n", 24);
    expect_npy_error(path, CF_EFORMAT, "fortran_order");
    /* the header ends inside the value: nothing read past it (ASan) */
    npy_file(path, 1, "{'descr': '<f4', 'shape': (2,3), 'fortran_order': F", 24);
    expect_npy_error(path, CF_EFORMAT, "fortran_order");
    /* what numpy writes, and spaces it might */
    static const char *const good[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ( 2 , 3 , ), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,1,3)}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        npy_file(path, 1, good[i], 24);
        cf_error err = CF_ERROR_INIT;
        cf_value v = CF_VALUE_INIT;
        if (cf_npy_read(path, &v, &err))
            fail_msg("%s: %s", good[i], err.msg);
        assert_int_equal(cf_value_numel(&v), 6);
        cf_value_clear(&v);
    }
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }\n",
             4);
    expect_npy_error(path, CF_EUNSUPPORTED, "dimensions");
    npy_file(path, 1,
             "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n", 4);
    expect_npy_error(path, CF_EFORMAT, "too large");
}

/* Only formats 1.0, 2.0 and 3.0 exist; 4.0 was read as 2.0, 0.x as 2.0. */
static void npy_unknown_version_is_an_error(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = valid_npy(&n);
    static const unsigned char versions[][2] = {{0, 0}, {4, 0}, {1, 1}, {2, 5}, {255, 255}};
    char path[128];
    snprintf(path, sizeof path, "%s/version.npy", tmpdir);
    for (size_t k = 0; k < sizeof versions / sizeof versions[0]; k++) {
        buf[6] = versions[k][0];
        buf[7] = versions[k][1];
        put_file(path, buf, n);
        expect_npy_error(path, CF_EUNSUPPORTED, "version");
    }
    free(buf);
}

/* A header length past the end of the file: an error saying so. */
static void npy_header_beyond_the_file_is_an_error(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = valid_npy(&n);
    char path[128];
    snprintf(path, sizeof path, "%s/hlen.npy", tmpdir);
    buf[8] = 0x88;
    buf[9] = 0x13;   /* 5000 */
    put_file(path, buf, n);
    expect_npy_error(path, CF_EFORMAT, "truncated");
    buf[6] = 2;      /* 2.0: a 4-byte length, here "5000 + '{'<<16 + '\''<<24" */
    put_file(path, buf, n);
    expect_npy_error(path, CF_EFORMAT, "truncated");
    free(buf);
}

/* Cut short anywhere: an error naming the file and the truncation; never
 * an errno text (there is none at the end of a file: "Success"). */
static void npy_short_file_says_truncated(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = valid_npy(&n);
    char path[128];
    snprintf(path, sizeof path, "%s/short.npy", tmpdir);
    for (size_t len = 0; len < n; len++) {
        put_file(path, buf, len);
        expect_npy_error(path, 0, len < 6 ? "not a .npy file" : "truncated");
    }
    free(buf);
    expect_npy_error(tmpdir, CF_EIO, "folder");
    snprintf(path, sizeof path, "%s/missing.npy", tmpdir);
    expect_npy_error(path, CF_EIO, "No such file");
}

/* A shape asking for terabytes in a file of a few bytes is refused from
 * the file's size, not by trying to allocate it (which ASan aborts on). */
static void npy_huge_shape_in_a_small_file(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/huge.npy", tmpdir);
    npy_file(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }\n", 8);
    expect_npy_error(path, CF_EFORMAT, "truncated");
    npy_file(path, 1,
             "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", 8);
    expect_npy_error(path, CF_EFORMAT, "too large");
    /* descr must be the whole type name */
    npy_file(path, 1, "{'descr': '<f4x', 'fortran_order': False, 'shape': (2,), }\n", 8);
    expect_npy_error(path, CF_EUNSUPPORTED, "<f4x");
    npy_file(path, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
    expect_npy_error(path, CF_EUNSUPPORTED, "big-endian");
}

/* Sends the bytes of file src through the FIFO fifo from a child process
 * (as `--input x=/dev/stdin` or a named pipe would) and returns its pid. */
static pid_t feed_fifo(const char *src, const char *fifo)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(30);   /* a reader that never comes would block the open */
        FILE *in = fopen(src, "rb"), *out = fopen(fifo, "wb");
        char buf[4096];
        size_t k;
        while (in && out && (k = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, k, out) != k)
                break;
        if (out)
            fclose(out);   /* flushes (_exit would not), and ends the stream */
        _exit(in && out ? 0 : 1);
    }
    return pid;
}

/* Clears the test's alarm also when an assertion left it early. */
static int no_alarm(void **state)
{
    (void)state;
    alarm(0);
    return 0;
}

/* A pipe has no size to check a shape against: the data is read before
 * anything is allocated for it, so a header declaring 4 TB over a pipe
 * holding 8 bytes says "truncated" (it used to ask calloc for the 4 TB
 * first, which ASan aborts on), and a good file reads the same as from
 * disk. */
static void npy_from_a_pipe(void **state)
{
    (void)state;
    char src[128], fifo[128];
    snprintf(src, sizeof src, "%s/pipe_src.npy", tmpdir);
    snprintf(fifo, sizeof fifo, "%s/pipe.npy", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(60);   /* a FIFO whose writer never comes would block: end the test instead */
    npy_file(src, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }\n", 8);
    pid_t pid = feed_fifo(src, fifo);
    expect_npy_error(fifo, CF_EFORMAT, "the stream ended after 8");
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* three floats, whole */
    npy_file(src, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", 12);
    pid = feed_fifo(src, fifo);
    cf_error err = CF_ERROR_INIT;
    cf_value v = CF_VALUE_INIT;
    if (cf_npy_read(fifo, &v, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(v.rank, 1);
    assert_int_equal(v.dims[0], 3);
    assert_int_equal(v.nbytes, 12);
    cf_value_clear(&v);
    unlink(fifo);
    alarm(0);
}

/* Deterministic fuzz: truncations, bit flips and byte overwrites of a
 * valid file. The reader must return an error naming the file or a value
 * whose size matches its shape; ASan/UBSan catch the rest. Longer runs by
 * hand: CHIPFIT_NPY_FUZZ=200000 build-asan/tests/test_value_npy */
static void npy_fuzz(void **state)
{
    (void)state;
    size_t n;
    unsigned char *base = valid_npy(&n);
    unsigned char *buf = malloc(n + 64);
    assert_non_null(buf);
    char path[128];
    snprintf(path, sizeof path, "%s/fuzz.npy", tmpdir);
    const char *env = getenv("CHIPFIT_NPY_FUZZ");
    long rounds = env ? atol(env) : 3000;
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (long r = 0; r < rounds; r++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        memcpy(buf, base, n);
        size_t len = n;
        uint64_t x = s;
        int edits = 1 + (int)(x % 4);
        for (int e = 0; e < edits; e++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            size_t at = (size_t)(x >> 33) % n;
            switch ((x >> 20) % 5) {
            case 0: buf[at] ^= (unsigned char)(1u << ((x >> 8) % 8)); break;
            case 1: buf[at] = (unsigned char)(x >> 40); break;
            case 2: len = at; break;   /* truncate */
            case 3: /* a digit, paren, comma or quote into the header */
                buf[10 + at % 118] = (unsigned char)"0123456789(),' }"[(x >> 44) % 16];
                break;
            default: /* the version or the header length */
                buf[6 + (x >> 50) % 6] = (unsigned char)(x >> 24);
                break;
            }
        }
        put_file(path, buf, len);
        cf_error err = CF_ERROR_INIT;
        cf_value v = CF_VALUE_INIT;
        int rc = cf_npy_read(path, &v, &err);
        if (rc) {
            if (!strstr(err.msg, path) || strstr(err.msg, "Success"))
                fail_msg("round %ld: %s", r, err.msg);
            assert_null(v.data);
        } else {
            assert_true(v.nbytes == (size_t)cf_value_numel(&v) * cf_dtype_size(v.dtype));
            cf_value_clear(&v);
        }
    }
    free(buf);
    free(base);
}

/* ---- Scan outputs that change shape ----------------------------------- */

static cf_opset opset17 = {"", 17};

static int32_t tensor(cf_graph *g, const char *name, cf_dtype dt, int rank, const int64_t *dims)
{
    cf_error err = CF_ERROR_INIT;
    int32_t id = cf_graph_add_tensor(g, name, &err);
    assert_true(id >= 0);
    g->tensors[id].dtype = dt;
    assert_int_equal(cf_tensor_set_shape(g, &g->tensors[id], rank, dims, &err), 0);
    return id;
}

static cf_node *node(cf_graph *g, const char *op, const char *name, const int32_t *in, int n_in,
                     const int32_t *out, int n_out)
{
    cf_error err = CF_ERROR_INIT;
    int32_t k = cf_graph_add_node(g, op, NULL, name, &err);
    assert_true(k >= 0);
    assert_int_equal(cf_graph_set_io(g, &g->nodes[k], in, n_in, out, n_out, &err), 0);
    return &g->nodes[k];
}

/* The io arrays are malloc'd here (not in the arena): freed by free_io. */
static void set_io(cf_graph *g, const int32_t *in, int n_in, const int32_t *out, int n_out)
{
    g->inputs = malloc(sizeof(int32_t) * (size_t)n_in);
    g->outputs = malloc(sizeof(int32_t) * (size_t)n_out);
    assert_non_null(g->inputs);
    assert_non_null(g->outputs);
    memcpy(g->inputs, in, sizeof(int32_t) * (size_t)n_in);
    memcpy(g->outputs, out, sizeof(int32_t) * (size_t)n_out);
    g->n_inputs = n_in;
    g->n_outputs = n_out;
    for (int i = 0; i < n_in; i++)
        g->tensors[in[i]].flags |= CF_TENSOR_INPUT;
    for (int i = 0; i < n_out; i++)
        g->tensors[out[i]].flags |= CF_TENSOR_OUTPUT;
}

static void free_io(cf_graph *g)
{
    free(g->inputs);
    free(g->outputs);
    g->inputs = g->outputs = NULL;
}

/* Scan over x [2x6] and shapes [2x2] (no state): ys = Reshape(x_t, shape_t)
 * stacked. With shapes [[2,3],[3,2]] the two slices hold the same number
 * of bytes but differ in shape. */
static cf_graph *reshape_scan_model(void)
{
    cf_error err = CF_ERROR_INIT;
    cf_graph *g = cf_graph_new(&err);
    assert_non_null(g);
    g->opsets = &opset17;
    g->n_opsets = 1;
    int64_t xd[2] = {2, 6}, sd[2] = {2, 2};
    int32_t x = tensor(g, "x", CF_DT_FLOAT, 2, xd);
    int32_t shp = tensor(g, "shapes", CF_DT_INT64, 2, sd);
    int32_t ys = tensor(g, "ys", CF_DT_FLOAT, -1, NULL);
    int32_t nin[2] = {x, shp};
    cf_node *n = node(g, "Scan", "reshaper", nin, 2, &ys, 1);
    assert_int_equal(cf_node_add_attr_int(g, n, "num_scan_inputs", 2, &err), 0);
    cf_graph *body = cf_graph_new_sub(g, &err);
    assert_non_null(body);
    int64_t six = 6, two = 2;
    int32_t bx = tensor(body, "bx", CF_DT_FLOAT, 1, &six);
    int32_t bs = tensor(body, "bs", CF_DT_INT64, 1, &two);
    int32_t by = tensor(body, "by", CF_DT_FLOAT, -1, NULL);
    int32_t bin[2] = {bx, bs};
    node(body, "Reshape", "reshape", bin, 2, &by, 1);
    set_io(body, bin, 2, &by, 1);
    if (cf_graph_link(body, &err))
        fail_msg("%s", err.msg);
    cf_attr *a = cf_node_add_attr(g, n, "body", CF_ATTR_GRAPH, &err);
    assert_non_null(a);
    a->g = body;
    set_io(g, nin, 2, &ys, 1);
    if (cf_graph_link(g, &err))
        fail_msg("%s", err.msg);
    return g;
}

static int run_reshape_scan(const int64_t *shapes, cf_value *out, cf_error *err)
{
    cf_graph *g = reshape_scan_model();
    cf_exec *e = NULL;
    if (cf_exec_new(g, NULL, 1, 1, &e, err))
        fail_msg("%s", err->msg);
    cf_value in[2] = {CF_VALUE_INIT, CF_VALUE_INIT};
    int64_t xd[2] = {2, 6}, sd[2] = {2, 2};
    assert_int_equal(cf_value_alloc(&in[0], CF_DT_FLOAT, 2, xd, "x", err), 0);
    assert_int_equal(cf_value_alloc(&in[1], CF_DT_INT64, 2, sd, "shapes", err), 0);
    for (int i = 0; i < 12; i++)
        ((float *)in[0].data)[i] = (float)i;
    memcpy(in[1].data, shapes, 4 * sizeof *shapes);
    int rc = cf_exec_run(e, in, 2, out, 1, NULL, NULL, NULL, err);
    cf_value_clear(&in[0]);
    cf_value_clear(&in[1]);
    cf_exec_free(e);
    free_io(g->nodes[0].attrs[g->nodes[0].n_attrs - 1].g);
    free_io(g);
    cf_graph_free(g);
    return rc;
}

static void scan_output_changing_shape_is_an_error(void **state)
{
    (void)state;
    cf_value out = CF_VALUE_INIT;
    cf_error err = CF_ERROR_INIT;
    static const int64_t same[4] = {2, 3, 2, 3};
    if (run_reshape_scan(same, &out, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(out.rank, 3);
    assert_true(out.dims[0] == 2 && out.dims[1] == 2 && out.dims[2] == 3);
    assert_true(((float *)out.data)[11] == 11.0f);
    cf_value_clear(&out);
    /* [2x3] then [3x2]: the same 24 bytes, a different shape */
    static const int64_t changing[4] = {2, 3, 3, 2};
    int rc = run_reshape_scan(changing, &out, &err);
    if (rc == 0) {
        char s[128];
        fail_msg("stacked silently into %s", cf_value_format(&out, s, sizeof s));
    }
    static const char *const says[] = {"reshaper", "ys", "float32[2x3]", "float32[3x2]"};
    for (size_t i = 0; i < sizeof says / sizeof says[0]; i++)
        if (!strstr(err.msg, says[i]))
            fail_msg("'%s' does not say '%s'", err.msg, says[i]);
    cf_value_clear(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_i64_of_special_floats_is_defined),
        cmocka_unit_test(get_i64_of_large_uint64_keeps_its_bits),
        cmocka_unit_test(set_f64_into_integers_clamps),
        cmocka_unit_test(npy_roundtrip_and_version_3),
        cmocka_unit_test(npy_unclosed_shape_is_an_error),
        cmocka_unit_test(npy_unknown_version_is_an_error),
        cmocka_unit_test(npy_header_beyond_the_file_is_an_error),
        cmocka_unit_test(npy_short_file_says_truncated),
        cmocka_unit_test(npy_huge_shape_in_a_small_file),
        cmocka_unit_test_teardown(npy_from_a_pipe, no_alarm),
        cmocka_unit_test(npy_fuzz),
        cmocka_unit_test(scan_output_changing_shape_is_an_error),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
