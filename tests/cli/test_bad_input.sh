#!/bin/bash
# Bad input, command by command: unknown flags, flags without their value or
# with a malformed one, missing / empty / truncated / garbage models and
# input files, experiment IDs that are no IDs, and stores that are missing,
# folders, text, truncated SQLite, someone else's SQLite, or short of a model
# file. Every case: the exit code docs/cli.md promises (1 failure, 2 usage),
# never a signal or a sanitizer report, stderr a line or two that starts
# with "chipfit:" and names the thing at fault, nothing on stdout, and a
# store file whose bytes a failed command did not change.
source "$(dirname "$0")/lib.sh" "$@"
# the cases run in $TMP, under short relative names: the paths given first
CHIPFIT=$(cd "$(dirname "$CHIPFIT")" && pwd)/$(basename "$CHIPFIT")
SRC=$(cd "$SRC" && pwd)
MODEL="$SRC/models/fashion_cnn.onnx"
cd "$TMP" || exit 1
unset CHIPFIT_NO_STORE
# Under ASan a huge allocation must fail as it does without it (NULL), not
# abort with an allocator report.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"

SAN_RE='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer'

fail() {
  echo "FAIL: $1"
  failures=$((failures + 1))
}

# bad RC PATTERN DESCRIPTION -- CMD...: CMD fails as it should. Exit RC
# ("1|2": either), no signal, no sanitizer report, stderr 1-3 lines, the
# first "chipfit: ..." and matching PATTERN (grep -E), stdout empty unless
# KEEP_OUT=1 is set for the call.
bad() {
  local want=$1 pat=$2 what=$3
  shift 4
  checks=$((checks + 1))
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$? cmd="$*" ok=1
  cmd=${cmd//$TMP\//}
  if ((got >= 128)); then
    fail "$what: killed by signal $((got - 128)) [$cmd]"
    ok=0
  elif ! [[ $got =~ ^($want)$ ]]; then
    fail "$what: exit $got, wanted $want [$cmd]"
    ok=0
  elif grep -qE "$SAN_RE" "$TMP/err"; then
    fail "$what: sanitizer report [$cmd]"
    ok=0
  elif [[ $(wc -l <"$TMP/err") -lt 1 || $(wc -l <"$TMP/err") -gt 3 ]]; then
    fail "$what: stderr has $(wc -l <"$TMP/err") lines [$cmd]"
    ok=0
  elif ! head -1 "$TMP/err" | grep -q '^chipfit: '; then
    fail "$what: stderr does not start with 'chipfit: ' [$cmd]"
    ok=0
  elif ! grep -qE -- "$pat" "$TMP/err"; then
    fail "$what: stderr does not name /$pat/ [$cmd]"
    ok=0
  elif [[ -z ${KEEP_OUT:-} && -s "$TMP/out" ]]; then
    fail "$what: $(wc -c <"$TMP/out") bytes on stdout from a failed command [$cmd]"
    ok=0
  fi
  ((ok)) || sed 's/^/  stderr: /' "$TMP/err" | head -4
}

# good DESCRIPTION -- CMD...: exit 0, no sanitizer report (the setup steps).
good() {
  local what=$1
  shift 2
  checks=$((checks + 1))
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$?
  if ((got != 0)) || grep -qE "$SAN_RE" "$TMP/err"; then
    fail "$what: exit $got [${*//$TMP\//}]"
    sed 's/^/  stderr: /' "$TMP/err" | head -4
  fi
}

# unchanged FILE SUM DESCRIPTION: FILE's sha256 is still SUM.
unchanged() {
  checks=$((checks + 1))
  [[ "$(sha256sum <"$1" | cut -c1-64)" == "$2" ]] || fail "$3: ${1#"$TMP"/} was changed"
}
sum() { sha256sum <"$1" | cut -c1-64; }

absent() {
  checks=$((checks + 1))
  [[ ! -e "$1" ]] || fail "$2: ${1#"$TMP"/} was made"
}

# write_npy FILE DESCR SHAPE BYTES: a .npy file of BYTES zero bytes of data.
write_npy() {
  local dict="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
  local total=$((10 + ${#dict} + 1)) pad
  pad=$(( (64 - total % 64) % 64 ))
  local hlen=$(( ${#dict} + pad + 1 ))
  {
    printf '\x93NUMPY\x01\x00'
    printf "\\x$(printf %02x $((hlen & 255)))\\x$(printf %02x $((hlen >> 8)))"
    printf '%s' "$dict"
    printf "%${pad}s" ''
    printf '\n'
    head -c "$4" /dev/zero
  } >"$1"
}

# ---- the files ---------------------------------------------------------------------
: >empty.onnx
head -c 3000 "$MODEL" >trunc.onnx
head -c $(( $(stat -c %s "$MODEL") - 100 )) "$MODEL" >trunc_end.onnx
head -c 20 "$MODEL" >trunc_head.onnx
head -c 5000 /dev/urandom >garbage.onnx
echo "this is not a model" >text.onnx
mkdir dir.onnx
# An op no opset has: the one "Softmax" in the file becomes "Softmay"
# (same length, so the protobuf stays well formed).
sed 's/Softmax/Softmay/' "$MODEL" >unknown_op.onnx

write_npy zeros.npy '<f4' '(1, 1, 28, 28)' 3136
head -c 2000 zeros.npy >trunc.npy
head -c 100 zeros.npy >trunc_header.npy
: >empty.npy
write_npy f64.npy '<f8' '(1, 1, 28, 28)' 6272
write_npy i64.npy '<i8' '(1, 1, 28, 28)' 25088
write_npy shape.npy '<f4' '(1, 1, 28, 27)' 3024
write_npy flat.npy '<f4' '(784,)' 3136
write_npy batch2.npy '<f4' '(2, 1, 28, 28)' 6272
write_npy huge.npy '<f4' '(4294967296, 4294967296, 4)' 64
write_npy str.npy '<U3' '(1, 1, 28, 28)' 3136
mkdir dir.npy

# a real store, two experiments' worth of runs in it
good "the store for the store cases" -- "$CHIPFIT" profile "$MODEL" --db s.db --repeats 2 --warmup 0
good "a second run" -- "$CHIPFIT" profile "$MODEL" --db s.db --repeats 2 --warmup 0 --threads 2
rm -f s.db-wal s.db-shm
S=$(sum s.db)
echo "hello, I am not a database" >text.db
head -c 20000 s.db >trunc.db          # cut mid-page
head -c 16384 s.db >trunc_page.db     # cut at a page boundary
head -c 100 s.db >trunc_header.db     # cut inside the header
: >empty.db
mkdir dir.db
T_TEXT=$(sum text.db) T_TRUNC=$(sum trunc.db) T_PAGE=$(sum trunc_page.db) T_HDR=$(sum trunc_header.db)

# ---- top level and help --------------------------------------------------------------
bad 2 "'--frobnicate'" "unknown top-level option" -- "$CHIPFIT" --frobnicate
bad 2 "'frobnicate' is neither" "unknown command" -- "$CHIPFIT" frobnicate
bad 2 "''" "an empty command" -- "$CHIPFIT" ""
bad 2 "no command 'nope'" "help of an unknown command" -- "$CHIPFIT" help nope
bad 2 "help takes one" "help with two commands" -- "$CHIPFIT" help info exp
bad 1 "nope\.onnx: no such file" "chipfit MISSING.onnx" -- "$CHIPFIT" nope.onnx
bad 1 "garbage\.onnx" "chipfit GARBAGE.onnx" -- "$CHIPFIT" garbage.onnx

# ---- info ------------------------------------------------------------------------------
bad 2 "info needs a model" "info without a model" -- "$CHIPFIT" info
bad 2 "got 2 arguments" "info with two models" -- "$CHIPFIT" info "$MODEL" "$MODEL"
bad 2 "'--bogus'" "info --bogus" -- "$CHIPFIT" info "$MODEL" --bogus
bad 2 "'-x'" "info -x" -- "$CHIPFIT" info "$MODEL" -x
bad 2 "'--no-store'" "info takes no store option" -- "$CHIPFIT" info "$MODEL" --no-store
bad 2 "'--dim' needs a value" "info --dim without a value" -- "$CHIPFIT" info "$MODEL" --dim
bad 2 "NAME=VALUE, got 'batch'" "info --dim without =" -- "$CHIPFIT" info "$MODEL" --dim batch
bad 2 "NAME=VALUE, got '=4'" "info --dim without a name" -- "$CHIPFIT" info "$MODEL" --dim =4
for v in 0 -1 abc 1.5 "" 99999999999999999999; do
  bad 2 "--dim batch=$v: the value must be a positive integer" "info --dim batch='$v'" -- \
    "$CHIPFIT" info "$MODEL" --dim "batch=$v"
done
bad 2 "bach" "info --dim of a name no input uses" -- "$CHIPFIT" info "$MODEL" --dim bach=4
bad 1 "nope\.onnx: no such file" "info of a missing file" -- "$CHIPFIT" info nope.onnx
bad 1 "empty\.onnx: .*empty" "info of an empty file" -- "$CHIPFIT" info empty.onnx
bad 1 "dir\.onnx: not a regular file" "info of a folder" -- "$CHIPFIT" info dir.onnx
for m in trunc trunc_end trunc_head garbage text; do
  bad 1 "$m\.onnx: .*(truncated|not an ONNX)" "info of $m.onnx" -- "$CHIPFIT" info "$m.onnx"
  bad 1 "$m\.onnx: .*(truncated|not an ONNX)" "info --no-check of $m.onnx" -- \
    "$CHIPFIT" info --no-check "$m.onnx"
done
bad 1 "unknown_op\.onnx: .*Softmay" "info of a model with an unknown op" -- "$CHIPFIT" info unknown_op.onnx

# ---- profile ---------------------------------------------------------------------------
P=("$CHIPFIT" profile "$MODEL" --no-store --repeats 1 --warmup 0)
bad 2 "profile needs a model" "profile without a model" -- "$CHIPFIT" profile --no-store
bad 2 "got 2 arguments" "profile with two models" -- "${P[@]}" "$MODEL"
bad 2 "'--bogus'" "profile --bogus" -- "${P[@]}" --bogus
bad 2 "'-q'" "profile -q" -- "${P[@]}" -q
bad 2 "--json and --csv" "profile --json --csv" -- "${P[@]}" --json --csv
bad 2 "no backend 'tpu'" "profile --backend tpu" -- "${P[@]}" --backend tpu
bad 2 "no backend ''" "profile --backend ''" -- "${P[@]}" --backend ""
for o in --threads --repeats --warmup --seed --dim --input --backend --save-outputs --db; do
  bad 2 "'$o' needs a value" "profile $o without a value" -- "${P[@]}" "$o"
done
for v in 0 -1 1025 99999999999999999999 many 1x 2.5 ""; do
  bad 2 "--threads wants a whole number from 1 to 1024, got '$v'" "profile --threads '$v'" -- \
    "${P[@]}" --threads "$v"
done
for v in 0 -1 1000001 99999999999999999999 ten ""; do
  bad 2 "--repeats wants a whole number from 1 to 1000000, got '$v'" "profile --repeats '$v'" -- \
    "${P[@]}" --repeats "$v"
done
for v in -1 100001 99999999999999999999 abc ""; do
  bad 2 "--warmup wants a whole number from 0 to 100000, got '$v'" "profile --warmup '$v'" -- \
    "${P[@]}" --warmup "$v"
done
for v in -1 2147483648 99999999999999999999 0x10 1e3 ""; do
  bad 2 "--seed wants a whole number from 0 to 2147483647, got '$v'" "profile --seed '$v'" -- \
    "${P[@]}" --seed "$v"
done
bad 2 "NAME=VALUE, got 'batch'" "profile --dim without =" -- "${P[@]}" --dim batch
for v in 0 -3 x 99999999999999999999; do
  bad 2 "--dim batch=$v: the value must be a positive integer" "profile --dim batch=$v" -- \
    "${P[@]}" --dim "batch=$v"
done
bad 2 "bach" "profile --dim of a name no input uses" -- "${P[@]}" --dim bach=2
# a batch whose input cannot be allocated: a failure that says so
bad 1 "input input: .*(out of memory|too large)" "profile --dim batch=2^62" -- \
  "${P[@]}" --dim batch=4611686018427387904
bad 2 "NAME=FILE, got 'input'" "profile --input without =" -- "${P[@]}" --input input
bad 2 "NAME=FILE, got '=zeros.npy'" "profile --input without a name" -- "${P[@]}" --input =zeros.npy
bad 2 "--input image: the model has no input of that name" "profile --input naming no input" -- \
  "${P[@]}" --input image=zeros.npy
bad 2 "--input" "profile --input with an empty file name" -- "${P[@]}" --input input=
bad 1 "none\.npy" "profile --input of a missing file" -- "${P[@]}" --input input=none.npy
bad 1 "dir\.npy: .*folder" "profile --input of a folder" -- "${P[@]}" --input input=dir.npy
bad 1 "trunc\.npy: truncated" "profile --input of a truncated .npy" -- "${P[@]}" --input input=trunc.npy
bad 1 "trunc_header\.npy: truncated" "profile --input of a .npy cut in its header" -- \
  "${P[@]}" --input input=trunc_header.npy
bad 1 "empty\.npy: not a \.npy" "profile --input of an empty .npy" -- "${P[@]}" --input input=empty.npy
bad 1 "text\.onnx: an input file is \.npy or \.pb" "profile --input of another kind of file" -- \
  "${P[@]}" --input input=text.onnx
bad 1 "input input: the model wants float32, got float64" "profile --input of float64" -- \
  "${P[@]}" --input input=f64.npy
bad 1 "input input: the model wants float32, got int64" "profile --input of int64" -- \
  "${P[@]}" --input input=i64.npy
bad 1 "input input: the model wants shape \[1x1x28x28\], got float32\[1x1x28x27\]" \
  "profile --input of the wrong shape" -- "${P[@]}" --input input=shape.npy
bad 1 "got float32\[784\]" "profile --input of the wrong rank" -- "${P[@]}" --input input=flat.npy
bad 1 "got float32\[2x1x28x28\]" "profile --input of the wrong batch" -- "${P[@]}" --input input=batch2.npy
bad 1 "huge\.npy: .*too large" "profile --input of an absurd shape" -- "${P[@]}" --input input=huge.npy
bad 1 "str\.npy: element type '<U3'" "profile --input of strings" -- "${P[@]}" --input input=str.npy
bad 1 "nope\.onnx: no such file" "profile of a missing model" -- "${P[@]/$MODEL/nope.onnx}"
bad 1 "empty\.onnx" "profile of an empty model" -- "${P[@]/$MODEL/empty.onnx}"
bad 1 "dir\.onnx: not a regular file" "profile of a folder" -- "${P[@]/$MODEL/dir.onnx}"
for m in trunc trunc_end trunc_head garbage text; do
  bad 1 "$m\.onnx: .*(truncated|not an ONNX)" "profile of $m.onnx" -- "${P[@]/$MODEL/$m.onnx}"
done
bad 1 "unknown_op\.onnx: .*Softmay" "profile of a model with an unknown op" -- \
  "${P[@]/$MODEL/unknown_op.onnx}"
echo x >afile
bad 1 "afile" "profile --save-outputs into a file" -- "${P[@]}" --save-outputs afile/out

# Damaged models: three bytes overwritten, 12 times over (a seeded sweep). A
# model may still load (a weight changed); it must never crash.
size=$(stat -c %s "$MODEL")
RANDOM=4242
for i in $(seq 12); do
  cp "$MODEL" mut.onnx
  for _ in 1 2 3; do
    printf "\\x$(printf %02x $((RANDOM % 256)))" |
      dd of=mut.onnx bs=1 seek=$(( (RANDOM * 32768 + RANDOM) % size )) conv=notrunc status=none
  done
  for cmd in info profile; do
    checks=$((checks + 1))
    args=("$CHIPFIT" "$cmd" mut.onnx)
    [[ $cmd == profile ]] && args+=(--no-store --repeats 1 --warmup 0)
    "${args[@]}" >out 2>err </dev/null
    rc=$?
    if ((rc > 1)) || grep -qE "$SAN_RE" err || { ((rc == 1)) && ! head -1 err | grep -q '^chipfit: '; }; then
      fail "$cmd of damaged model #$i (seeded sweep): exit $rc"
      sed 's/^/  stderr: /' err | head -4
    fi
  done
done

# ---- conformance -------------------------------------------------------------------------
bad 2 "'--bogus'" "conformance --bogus" -- "$CHIPFIT" conformance --bogus
bad 2 "'--filter' needs a value" "conformance --filter without a value" -- "$CHIPFIT" conformance --filter
bad 2 "'--backend' needs a value" "conformance --backend without a value" -- "$CHIPFIT" conformance --backend
bad 2 "no backend 'tpu'" "conformance --backend tpu" -- "$CHIPFIT" conformance --backend tpu
bad 1 "nowhere: not a folder" "conformance of a missing folder" -- "$CHIPFIT" conformance nowhere
bad 1 "text\.onnx: not a folder" "conformance of a file" -- "$CHIPFIT" conformance text.onnx
mkdir -p conf/broken_model conf/broken_input/test_data_set_0 conf/empty_input/test_data_set_0
cp garbage.onnx conf/broken_model/model.onnx
cp "$MODEL" conf/broken_input/model.onnx
head -c 50 "$MODEL" >conf/broken_input/test_data_set_0/input_0.pb
cp "$MODEL" conf/empty_input/model.onnx
: >conf/empty_input/test_data_set_0/input_0.pb
# (conformance reports each test on stdout, not as an error)
checks=$((checks + 1))
"$CHIPFIT" conformance conf/broken_model >out 2>err </dev/null
rc=$?
((rc == 1)) || fail "conformance of a test whose model is garbage: exit $rc, wanted 1"
grep -q '^FAIL  *broken_model: .*model\.onnx' out || fail "the garbage model's test is not named as failed"
! grep -qE "$SAN_RE" err || fail "conformance of a garbage model: sanitizer report"
# test data that is cut short is broken test data (as a missing reference
# output is: a FAIL), not an op chipfit does not run
for t in broken_input empty_input; do
  checks=$((checks + 1))
  "$CHIPFIT" conformance "conf/$t" >out 2>err </dev/null
  rc=$?
  if ((rc != 1)); then
    fail "conformance of a test whose input_0.pb is truncated ($t): exit $rc, wanted 1"
    sed 's/^/  stdout: /' out | head -2
  fi
done
mkdir notests
checks=$((checks + 1))
"$CHIPFIT" conformance notests >out 2>err </dev/null
rc=$?
((rc == 1)) || fail "conformance of a folder holding no test: exit $rc, wanted 1 ($(head -1 out))"

# ---- ops ---------------------------------------------------------------------------------
bad 2 "'--bogus'" "ops --bogus" -- "$CHIPFIT" ops --bogus
bad 2 "'extra'" "ops with an argument" -- "$CHIPFIT" ops extra

# ---- exp: arguments ----------------------------------------------------------------------
bad 2 "exp needs a subcommand" "exp alone" -- "$CHIPFIT" exp
bad 2 "unknown subcommand 'frob'" "exp frob" -- "$CHIPFIT" exp frob --db s.db
bad 2 "exp list takes no arguments" "exp list 1" -- "$CHIPFIT" exp list 1 --db s.db
bad 2 "'--json'" "exp list --json" -- "$CHIPFIT" exp list --json --db s.db
for sub in list "show 1" "diff 1 1" "tag 1 x" "note 1 x" "rm 1" "export 1 -o x.onnx"; do
  read -ra sa <<<"$sub"
  bad 2 "'--bogus'" "exp $sub --bogus" -- "$CHIPFIT" exp "${sa[@]}" --bogus --db s.db
  bad 2 "'--db' needs a value" "exp $sub --db without a value" -- "$CHIPFIT" exp "${sa[@]}" --db
done
bad 2 "'--recursive'" "exp show --recursive" -- "$CHIPFIT" exp show 1 --recursive --db s.db
bad 2 "'(-o|--output)'" "exp rm -o" -- "$CHIPFIT" exp rm 1 -o x.onnx --db s.db
bad 2 "'(-o|--output)'" "exp show --output" -- "$CHIPFIT" exp show 1 --output x.onnx --db s.db
bad 2 "exp export needs -o" "exp export without -o" -- "$CHIPFIT" exp export 1 --db s.db
bad 2 "'-o' needs a value" "exp export -o without a value" -- "$CHIPFIT" exp export 1 --db s.db -o
bad 2 "an experiment ID, got 0" "exp show without an ID" -- "$CHIPFIT" exp show --db s.db
bad 2 "an experiment ID, got 2" "exp show with two IDs" -- "$CHIPFIT" exp show 1 2 --db s.db
bad 2 "an experiment ID and a text, got 1" "exp tag without a name" -- "$CHIPFIT" exp tag 1 --db s.db
bad 2 "an experiment ID and a text, got 0" "exp note alone" -- "$CHIPFIT" exp note --db s.db
bad 2 "two experiment IDs, got 1" "exp diff with one ID" -- "$CHIPFIT" exp diff 1 --db s.db
for id in 0 abc 1x 0x1 1e3 "" -1; do
  [[ $id == -1 ]] && pat="'-1'" || pat="'$id' is not an experiment ID"
  bad 2 "$pat" "exp show '$id'" -- "$CHIPFIT" exp show "$id" --db s.db
  bad 2 "$pat" "exp tag '$id'" -- "$CHIPFIT" exp tag "$id" x --db s.db
  bad 2 "$pat" "exp note '$id'" -- "$CHIPFIT" exp note "$id" x --db s.db
  bad 2 "$pat" "exp rm '$id'" -- "$CHIPFIT" exp rm "$id" --db s.db
  bad 2 "$pat" "exp export '$id'" -- "$CHIPFIT" exp export "$id" -o x.onnx --db s.db
  bad 2 "$pat" "exp diff 1 '$id'" -- "$CHIPFIT" exp diff 1 "$id" --db s.db
done
for id in 99 9223372036854775807; do
  bad 1 "s\.db: no experiment $id\b" "exp show $id" -- "$CHIPFIT" exp show "$id" --db s.db
  bad 1 "no experiment $id\b" "exp tag $id" -- "$CHIPFIT" exp tag "$id" x --db s.db
  bad 1 "no experiment $id\b" "exp note $id" -- "$CHIPFIT" exp note "$id" x --db s.db
  bad 1 "no experiment $id\b" "exp rm $id" -- "$CHIPFIT" exp rm "$id" --recursive --db s.db
  bad 1 "no experiment $id\b" "exp export $id" -- "$CHIPFIT" exp export "$id" -o x.onnx --db s.db
  bad 1 "no experiment $id\b" "exp diff 1 $id" -- "$CHIPFIT" exp diff 1 "$id" --db s.db
done
absent x.onnx "a failed export"
# An ID past int64 is no ID this store can hold: the error must name what
# was typed, not another number.
big=99999999999999999999
for sub in "show $big" "tag $big x" "note $big x" "rm $big" "export $big -o x.onnx" "diff 1 $big"; do
  read -ra sa <<<"$sub"
  bad "1|2" "$big" "exp $sub (an ID past int64)" -- "$CHIPFIT" exp "${sa[@]}" --db s.db
done
rm -f s.db-wal s.db-shm
unchanged s.db "$S" "the failed exp commands"

# ---- report: arguments -----------------------------------------------------------------------
R=("$CHIPFIT" report 1 --format md -o rep.md --db s.db)
bad 2 "'--bogus'" "report --bogus" -- "${R[@]}" --bogus
bad 2 "'--json'" "report --json" -- "${R[@]}" --json
for o in --format --vs --db -o; do
  bad 2 "'$o' needs a value" "report $o without a value" -- "${R[@]}" "$o"
done
bad 2 "report needs --format" "report without --format" -- "$CHIPFIT" report 1 -o rep.md --db s.db
bad 2 "unknown format 'pdf'" "report --format pdf" -- "$CHIPFIT" report 1 --format pdf -o rep.md --db s.db
bad 2 "unknown format ''" "report --format ''" -- "$CHIPFIT" report 1 --format "" -o rep.md --db s.db
bad 2 "report needs -o" "report without -o" -- "$CHIPFIT" report 1 --format md --db s.db
bad 2 "got 0 arguments" "report without an ID" -- "$CHIPFIT" report --format md -o rep.md --db s.db
bad 2 "got 2 arguments" "report with two IDs" -- "$CHIPFIT" report 1 2 --format md -o rep.md --db s.db
for id in 0 abc 1.0 ""; do
  bad 2 "'$id' is not an experiment ID" "report '$id'" -- "$CHIPFIT" report "$id" --format md -o rep.md --db s.db
  bad 2 "'$id' is not an experiment ID" "report --vs '$id'" -- "${R[@]}" --vs "$id"
done
bad 2 "'-1'" "report -1" -- "$CHIPFIT" report -1 --format md -o rep.md --db s.db
bad 1 "s\.db: no experiment 99\b" "report 99" -- "$CHIPFIT" report 99 --format md -o - --db s.db
bad 1 "s\.db: no experiment 99\b" "report --vs 99" -- "$CHIPFIT" report 1 --vs 99 --format json -o - --db s.db
bad "1|2" "$big" "report of an ID past int64" -- "$CHIPFIT" report "$big" --format md -o - --db s.db
bad 1 "dir\.db: cannot write" "report -o a folder" -- "$CHIPFIT" report 1 --format md -o dir.db --db s.db
bad 1 "nodir/r\.md: cannot write" "report -o into a missing folder" -- \
  "$CHIPFIT" report 1 --format csv -o nodir/r.md --db s.db
bad "1|2" "(-o|--output|output)" "report -o ''" -- "$CHIPFIT" report 1 --format md -o "" --db s.db
absent rep.md "a failed report"
checks=$((checks + 1))
[[ -z $(find . -name '*.tmp.*') ]] || fail "a failed report or export left a temporary file"
bad 1 "dir\.db: Is a directory" "exp export -o a folder" -- "$CHIPFIT" exp export 1 -o dir.db --db s.db
bad 1 "nodir/x\.onnx" "exp export -o into a missing folder" -- "$CHIPFIT" exp export 1 -o nodir/x.onnx --db s.db
bad "1|2" "(-o|--output|output)" "exp export -o ''" -- "$CHIPFIT" exp export 1 -o "" --db s.db
rm -f s.db-wal s.db-shm
unchanged s.db "$S" "the failed reports"

# ---- broken stores, every store command -----------------------------------------------------
# DB PATTERN: each reading and writing command fails (exit 1) naming the
# file; the file's bytes stay as they were; a missing one is not made.
store_cmds() {
  local db=$1 pat=$2
  bad 1 "$pat" "exp list --db $db" -- "$CHIPFIT" exp list --db "$db"
  bad 1 "$pat" "exp show --db $db" -- "$CHIPFIT" exp show 1 --json --db "$db"
  bad 1 "$pat" "exp diff --db $db" -- "$CHIPFIT" exp diff 1 2 --db "$db"
  bad 1 "$pat" "exp tag --db $db" -- "$CHIPFIT" exp tag 1 x --db "$db"
  bad 1 "$pat" "exp note --db $db" -- "$CHIPFIT" exp note 1 x --db "$db"
  bad 1 "$pat" "exp rm --db $db" -- "$CHIPFIT" exp rm 1 --recursive --db "$db"
  bad 1 "$pat" "exp export --db $db" -- "$CHIPFIT" exp export 1 -o x.onnx --db "$db"
  bad 1 "$pat" "report --db $db" -- "$CHIPFIT" report 1 --format html -o rep.html --db "$db"
  bad 1 "$pat" "report -o - --db $db" -- "$CHIPFIT" report 1 --format json -o - --db "$db"
  absent x.onnx "export from $db"
  absent rep.html "report from $db"
}
store_cmds missing.db "missing\.db: no such database"
absent missing.db "a reading or labelling command on a missing store"
absent missing.db.objects "a reading or labelling command on a missing store"
store_cmds nodir/s.db "nodir/s\.db: no such database"
store_cmds dir.db "dir\.db: not a database file"
store_cmds text.db "text\.db: not a chipfit database"
unchanged text.db "$T_TEXT" "commands on a text file"
store_cmds trunc.db "trunc\.db: not a chipfit database"
unchanged trunc.db "$T_TRUNC" "commands on a truncated store"
store_cmds trunc_page.db "trunc_page\.db: not a chipfit database"
unchanged trunc_page.db "$T_PAGE" "commands on a store cut at a page boundary"
store_cmds trunc_header.db "trunc_header\.db: not a chipfit database"
unchanged trunc_header.db "$T_HDR" "commands on a store cut in its header"

# profile into a broken store: the figures are printed, the run is not
# recorded (exit 1), the file is untouched
for db in dir.db text.db trunc.db trunc_page.db trunc_header.db nodir/s.db; do
  before=$( [[ -f $db ]] && sum "$db")
  KEEP_OUT=1 bad 1 "not recorded: ${db//./\\.}: " "profile --db $db" -- \
    "$CHIPFIT" profile "$MODEL" --repeats 1 --warmup 0 --db "$db"
  grep -q '^latency' out || fail "profile --db $db: the figures were not printed"
  [[ -f $db ]] && unchanged "$db" "$before" "profile into $db"
done
absent nodir "profile into a missing folder"

# An empty file, and another program's SQLite database: the commands that
# change an experiment fail (there is none), and must leave the file as it
# was rather than write chipfit's schema into it.
for sub in "tag 1 x" "note 1 x" "rm 1"; do
  read -ra sa <<<"$sub"
  : >empty.db
  bad 1 "empty\.db: " "exp $sub on an empty file" -- "$CHIPFIT" exp "${sa[@]}" --db empty.db
  checks=$((checks + 1))
  [[ ! -s empty.db ]] || fail "exp $sub on an empty file wrote $(stat -c %s empty.db) bytes into it"
done
: >empty.db
bad 1 "empty\.db: " "exp list on an empty file" -- "$CHIPFIT" exp list --db empty.db
if command -v sqlite3 >/dev/null; then
  sqlite3 other.db "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me');"
  O=$(sum other.db)
  for sub in "tag 1 x" "note 1 x" "rm 1"; do
    read -ra sa <<<"$sub"
    bad 1 "other\.db: " "exp $sub on another program's database" -- "$CHIPFIT" exp "${sa[@]}" --db other.db
  done
  rm -f other.db-wal other.db-shm
  unchanged other.db "$O" "exp tag/note/rm on another program's database"
else
  echo "skipped: another program's database (no sqlite3 command)"
fi

# --db '' is no path: not a silent fall-back to ./chipfit.db
cp s.db chipfit.db
cp -r s.db.objects chipfit.db.objects
C=$(sum chipfit.db)
(
  unset CHIPFIT_DB
  bad 2 "--db" "exp tag --db ''" -- "$CHIPFIT" exp tag 1 changed --db ""
  bad 2 "--db" "exp rm --db ''" -- "$CHIPFIT" exp rm 1 --recursive --db ""
  echo "$checks $failures" >counts
)
read -r checks failures <counts
rm -f chipfit.db-wal chipfit.db-shm
unchanged chipfit.db "$C" "commands given --db ''"

# a store whose objects folder lost the model's file
cp s.db lost.db
mkdir lost.db.objects
L=$(sum lost.db)
hash=$(sha256sum "$MODEL" | cut -c1-64)
bad 1 "sha256 $hash\) is missing" "exp export of a model file the store lost" -- \
  "$CHIPFIT" exp export 1 -o x.onnx --db lost.db
absent x.onnx "an export of a lost model file"
rm -rf lost.db.objects
echo x >lost.db.objects
bad 1 "sha256 $hash\) is missing" "exp export when the objects folder is a file" -- \
  "$CHIPFIT" exp export 1 -o x.onnx --db lost.db
good "exp show still works without the model file" -- "$CHIPFIT" exp show 1 --db lost.db
good "a report still works without the model file" -- "$CHIPFIT" report 1 --format html -o rep.html --db lost.db
rm -f lost.db-wal lost.db-shm
unchanged lost.db "$L" "commands on a store that lost a model file"

# ---- tui ---------------------------------------------------------------------------------------
bad 2 "'--bogus'" "tui --bogus" -- "$CHIPFIT" tui --bogus
bad 2 "'--db' needs a value" "tui --db without a value" -- "$CHIPFIT" tui --db
bad 2 "at most one model" "tui with two models" -- "$CHIPFIT" tui a.onnx b.onnx
bad 2 "needs a terminal" "tui without a terminal" -- "$CHIPFIT" tui garbage.onnx
# In a terminal (script(1) gives it one), a bad model or store is shown on
# the screen; q quits with 0, nothing killed, the store untouched.
if command -v script >/dev/null; then
  for c in "garbage.onnx --db s.db" "nope.onnx --db s.db" "--db trunc.db" "$MODEL --db text.db"; do
    checks=$((checks + 1))
    # Esc closes a prompt, q quits
    (sleep 1; for _ in 1 2 3 4; do printf '\033'; sleep 0.3; printf 'q'; sleep 0.3; done) |
      TERM=xterm timeout 10 script -qfec "\"$CHIPFIT\" tui $c; echo \"@rc=\$?\"" /dev/null >tui.out 2>&1
    rc=$(grep -ao '@rc=[0-9]*' tui.out | tail -1)
    [[ $rc == "@rc=0" ]] || fail "tui $c in a terminal: ${rc:-did not exit}"
    ! grep -qaE "$SAN_RE" tui.out || fail "tui $c in a terminal: sanitizer report"
  done
  rm -f s.db-wal s.db-shm
  unchanged s.db "$S" "the tui on a bad model"
  unchanged trunc.db "$T_TRUNC" "the tui on a truncated store"
  unchanged text.db "$T_TEXT" "the tui on a text file as store"
else
  echo "skipped: the TUI in a terminal (no script command)"
fi

finish
