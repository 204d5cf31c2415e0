#!/bin/sh
# fuzz.sh — builds the libFuzzer targets (fuzz_onnx, fuzz_npy) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, apart from the CMake build
# (which it leaves alone), and optionally runs one.
#
#   tests/fault/fuzz.sh [build]                 build into $BUILD (build-fuzz)
#   tests/fault/fuzz.sh seeds                   make seed corpora in $BUILD/corpus
#   tests/fault/fuzz.sh run TARGET [SECONDS] [libFuzzer flags...]
#                                               fuzz TARGET (onnx or npy) from its corpus
#
# A crash is reproduced with `$BUILD/fuzz_TARGET FILE`, minimised with
# `$BUILD/fuzz_TARGET -minimize_crash=1 -runs=20000 FILE`.
# Needs clang and the libFuzzer runtime (Debian: clang-14 libclang-rt-14-dev).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-fuzz}
CC=${CC:-clang}
CXX=${CXX:-clang++}
TESTDATA=${TESTDATA:-/usr/share/libonnx-testdata/data}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
FLAGS="-g -O1 $SAN -fsanitize=fuzzer-no-link"

build() {
    # The chipfit libraries, instrumented, through CMake in a build tree of
    # their own (only the two library targets are built).
    cmake -S "$ROOT" -B "$BUILD/lib" -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
        -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" >/dev/null
    cmake --build "$BUILD/lib" --target cf_porting cf_analyzers -j"${JOBS:-1}" >/dev/null
    LIBS="$BUILD/lib/analyzers/libcf_analyzers.a $BUILD/lib/porting/libcf_porting.a -lonnx -lonnx_proto -lprotobuf -lm"
    INC="-I$ROOT -I$ROOT/include -I$ROOT/porting -I$ROOT/analyzers"
    for t in onnx npy; do
        $CC -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $FLAGS $INC \
            -c "$ROOT/tests/fault/fuzz_$t.c" -o "$BUILD/fuzz_$t.o"
        $CXX -g $SAN -fsanitize=fuzzer "$BUILD/fuzz_$t.o" $LIBS -o "$BUILD/fuzz_$t"
    done
    echo "built $BUILD/fuzz_onnx $BUILD/fuzz_npy"
}

seeds() {
    mkdir -p "$BUILD/corpus/onnx" "$BUILD/corpus/npy"
    cp "$ROOT"/models/*.onnx "$ROOT"/tests/fault/regress/*.onnx "$BUILD/corpus/onnx/" 2>/dev/null || true
    # Small test models (under 64 KiB) and their input/output tensors.
    if [ -d "$TESTDATA" ]; then
        i=0
        find "$TESTDATA" -name '*.onnx' -size -64k | sort | while read -r f; do
            i=$((i + 1)); cp "$f" "$BUILD/corpus/onnx/t$i.onnx"
        done
        # fuzz_npy: the first byte picks the reader (1: .pb, 0: .npy).
        find "$TESTDATA" -name '*.pb' -size -16k | sort | awk 'NR % 8 == 1' | while read -r f; do
            i=$((i + 1)); { printf '\001'; cat "$f"; } >"$BUILD/corpus/npy/p$i"
        done
        find "$TESTDATA" -name '*.npy' -size -16k | sort | while read -r f; do
            i=$((i + 1)); { printf '\000'; cat "$f"; } >"$BUILD/corpus/npy/n$i"
        done
    fi
    # .npy seeds of every dtype and header version, written by hand.
    for d in '<f4' '<f8' '<i8' '<i4' '<i2' '|i1' '|u1' '<u2' '<u4' '<u8' '<f2' '|b1'; do
        i=$((i + 1))
        h="{'descr': '$d', 'fortran_order': False, 'shape': (2, 3), }"
        { printf '\000\223NUMPY\001\000'; printf "$(printf '\\%03o' $(( (${#h} + 1) % 256 )))\\000"; printf '%s\n' "$h"; head -c 48 /dev/zero; } >"$BUILD/corpus/npy/h$i"
    done
    echo "corpus: $(ls "$BUILD/corpus/onnx" | wc -l) models, $(ls "$BUILD/corpus/npy" | wc -l) input files"
}

run() {
    t=$1; secs=${2:-600}; shift; [ $# -gt 0 ] && shift
    mkdir -p "$BUILD/artifacts/$t" "$BUILD/work/$t" "$BUILD/tmp"
    cd "$BUILD/artifacts/$t"
    TMPDIR=${TMPDIR:-/dev/shm} \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
        "$BUILD/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -timeout=10 -jobs=1 -workers=1 -print_final_stats=1 \
        -artifact_prefix="$BUILD/artifacts/$t/" "$@" "$BUILD/work/$t" "$BUILD/corpus/$t"
}

case "${1:-build}" in
build) build ;;
seeds) seeds ;;
run) shift; run "$@" ;;
*) sed -n '2,13p' "$0"; exit 2 ;;
esac
