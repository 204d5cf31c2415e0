/* Unit tests of porting/base: the error struct and the arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/error.h"

static void first_error_wins(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    assert_int_equal(cf_error_set(&err, CF_EIO, "cannot open %s", "a.onnx"), CF_EIO);
    assert_int_equal(cf_error_set(&err, CF_EFORMAT, "later"), CF_EFORMAT);
    assert_int_equal(err.code, CF_EIO);
    assert_string_equal(err.msg, "cannot open a.onnx");
    cf_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    /* A NULL error is allowed: the code still comes back. */
    assert_int_equal(cf_error_set(NULL, CF_ENOMEM, "x"), CF_ENOMEM);
}

static void prefix_adds_context(void **state)
{
    (void)state;
    cf_error err = CF_ERROR_INIT;
    cf_error_prefix(&err, "ignored while no error");
    assert_string_equal(err.msg, "");
    cf_error_set(&err, CF_ECHECK, "bad attribute");
    cf_error_prefix(&err, "layer %s", "conv1");
    assert_string_equal(err.msg, "layer conv1: bad attribute");
    /* A long prefix is cut, never overflows. */
    char big[2 * CF_ERROR_MSG_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cf_error_prefix(&err, "%s", big);
    assert_true(strlen(err.msg) < CF_ERROR_MSG_MAX);
    assert_string_not_equal(cf_error_code_name(CF_EIO), "unknown error");
}

static void arena_alignment_and_sizes(void **state)
{
    (void)state;
    cf_arena *a = cf_arena_new();
    assert_non_null(a);
    for (size_t n = 1; n < 5000; n += 97) {
        unsigned char *p = cf_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, n);  /* ASan catches a short block */
    }
    /* A large block of its own. */
    unsigned char *big = cf_arena_calloc(a, 1 << 20, 1);
    assert_non_null(big);
    assert_int_equal(big[12345], 0);
    assert_true(cf_arena_bytes(a) >= (1u << 20));
    /* Overflow in count*size is refused, not wrapped. */
    assert_null(cf_arena_calloc(a, SIZE_MAX / 2, 4));
    cf_arena_free(a);
    cf_arena_free(NULL);
}

static void arena_strings_and_grow(void **state)
{
    (void)state;
    cf_arena *a = cf_arena_new();
    assert_string_equal(cf_arena_strdup(a, "conv1"), "conv1");
    assert_null(cf_arena_strdup(a, NULL));
    assert_string_equal(cf_arena_strndup(a, "abcdef", 3), "abc");
    int *v = cf_arena_calloc(a, 4, sizeof *v);
    for (int i = 0; i < 4; i++)
        v[i] = i + 1;
    int *w = cf_arena_grow(a, v, 4, 10, sizeof *w);
    assert_int_equal(w[3], 4);
    assert_int_equal(w[9], 0);
    cf_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_wins),
        cmocka_unit_test(prefix_adds_context),
        cmocka_unit_test(arena_alignment_and_sizes),
        cmocka_unit_test(arena_strings_and_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
