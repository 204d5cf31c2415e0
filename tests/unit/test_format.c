/* test_format.c — app/format.c: the number formats and the middle elision
 * that the CLI and the TUI share. */
#include "format.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void counts_and_bytes(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cf_fmt_count(999, b, sizeof b), "999");
    assert_string_equal(cf_fmt_count(1234, b, sizeof b), "1.23k");
    assert_string_equal(cf_fmt_count(18500, b, sizeof b), "18.5k");
    assert_string_equal(cf_fmt_count(1820000000, b, sizeof b), "1.82G");
    assert_string_equal(cf_fmt_bytes(1023, b, sizeof b), "1023 B");
    assert_string_equal(cf_fmt_bytes(1536, b, sizeof b), "1.5 KiB");
    assert_string_equal(cf_fmt_grouped(-225034, b, sizeof b), "-225,034");
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void elide_keeps_both_ends(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(cf_fmt_elide("conv1", 10, b, sizeof b), "conv1");
    assert_string_equal(cf_fmt_elide("abcdefghij", 10, b, sizeof b), "abcdefghij");
    assert_string_equal(cf_fmt_elide("abcdefghijk", 10, b, sizeof b), "abcd~ghijk");
    assert_int_equal(strlen(b), 10);
    /* too narrow to elide: left whole, the caller clips */
    assert_string_equal(cf_fmt_elide("abcdef", 2, b, sizeof b), "abcdef");
}

/* Widths are in characters, and a cut never splits one: "µ" is two bytes. */
static void elide_counts_characters(void **state)
{
    (void)state;
    char b[64];
    /* 10 characters, 12 bytes: fits in 10 columns as it is */
    assert_string_equal(cf_fmt_elide("µµ34567890", 10, b, sizeof b), "µµ34567890");
    const char *s = "12µ45678µ0123";   /* 13 characters */
    cf_fmt_elide(s, 7, b, sizeof b);
    assert_int_equal(code_points(b), 7);
    assert_string_equal(b, "12µ~123");
    cf_fmt_elide("µµµµµµµµµµµµ", 5, b, sizeof b);
    assert_string_equal(b, "µµ~µµ");
    /* a buffer too small for the result: the string is copied truncated
     * rather than written past the end */
    char small[4];
    cf_fmt_elide("abcdefghijk", 10, small, sizeof small);
    assert_int_equal(strlen(small), 3);
}

/* A message too wide for the status line: the path gives way first. */
static void fit_shortens_the_path_first(void **state)
{
    (void)state;
    char b[256];
    const char *msg = "opened /tmp/a-long-directory/models/fashion_cnn.onnx: 9 layers (press p)";
    assert_string_equal(cf_fmt_fit(msg, 200, b, sizeof b), msg);
    cf_fmt_fit(msg, 60, b, sizeof b);
    assert_int_equal(code_points(b), 60);
    assert_string_equal(b, "opened /tmp/a-long-dir~/fashion_cnn.onnx: 9 layers (press p)");
    /* the path cannot give enough (its file name stays): the end goes */
    cf_fmt_fit(msg, 30, b, sizeof b);
    assert_int_equal(code_points(b), 30);
    assert_string_equal(b, "opened /~/fashion_cnn.onnx: 9~");
    /* a short file name: the path keeps 9 characters */
    cf_fmt_fit("cannot open /home/someone/work/a.onnx: no such file", 40, b, sizeof b);
    assert_string_equal(b, "cannot open /home/~/a.onnx: no such file");
    /* no path: the end goes, however long a word */
    cf_fmt_fit("profiled: recorded as run 2 of experiment 1", 30, b, sizeof b);
    assert_string_equal(b, "profiled: recorded as run 2 o~");
    /* no word to spare: the end goes */
    cf_fmt_fit("a b c d e f g h i j k l", 9, b, sizeof b);
    assert_string_equal(b, "a b c d ~");
    /* characters, not bytes */
    cf_fmt_fit("took 12 µs at /a/very/long/path/µ/model.onnx, measured", 40, b, sizeof b);
    assert_int_equal(code_points(b), 40);
    assert_string_equal(b, "took 12 µs at /a/v~/model.onnx, measured");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_bytes),
        cmocka_unit_test(elide_keeps_both_ends),
        cmocka_unit_test(elide_counts_characters),
        cmocka_unit_test(fit_shortens_the_path_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
