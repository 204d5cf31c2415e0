# `chipfit profile`: the per-layer table, JSON and CSV, inputs from files,
# saved outputs, and every kind of bad input.
source "$(dirname "$0")/lib.sh"
MODEL="$SRC/models/fashion_cnn.onnx"
FIX="$SRC/tests/fixtures/onnx"

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
  } > "$1"
}

expect_rc 0 "profile the demo model" -- "$CHIPFIT" profile "$MODEL" --repeats 3 --warmup 1
expect_in out '^latency .* µs median .*measured' "whole-model latency, labelled measured"
expect_in out 'overhead' "profiler overhead shown"
expect_in out '^ +0  conv1 ' "conv1 row"
expect_in out '^ +8  softmax ' "softmax row"
expect_in out '\(µs, measured\)' "the unit and kind of the table"

expect_rc 0 "profile --json" -- "$CHIPFIT" profile "$MODEL" --repeats 3 --json
cp "$TMP/out" "$TMP/p.json"
expect_eq "$(jq -r .schema "$TMP/p.json")" "chipfit.profile/1" "json schema id"
expect_eq "$(jq -r .kind "$TMP/p.json")" "measured" "json kind"
expect_eq "$(jq '.layers | length' "$TMP/p.json")" 9 "nine layers"
expect_eq "$(jq '.latency.median_us > 0' "$TMP/p.json")" true "latency measured"
expect_eq "$(jq '[.layers[].share] | add | . > 0.99 and . < 1.01' "$TMP/p.json")" true "shares add up to 1"
expect_eq "$(jq '[.layers[] | select(.p10_us > .median_us or .median_us > .p90_us)] | length' "$TMP/p.json")" 0 "p10 <= median <= p90"

# More threads than the CPUs chipfit may use: the figures are flagged as
# unreliable, in the text (a warning line), the JSON and on stderr.
# (the CPUs chipfit may use: nproc would heed OMP_NUM_THREADS, chipfit does not)
over=$(($(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc) + 1))
expect_rc 0 "oversubscribed, text" -- "$CHIPFIT" profile "$MODEL" --repeats 3 --threads "$over" --no-store
expect_in out "^warning    the figures may not be reliable: the CPUs were contended \\($over threads on $((over - 1)) CPUs" \
  "oversubscribed: the text warns, with the numbers"
expect_rc 0 "oversubscribed, json" -- "$CHIPFIT" profile "$MODEL" --repeats 3 --threads "$over" --no-store --json
expect_eq "$(jq '.contention.reasons | index("oversubscribed") != null' "$TMP/out")" true \
  "oversubscribed: the JSON's reasons"
expect_eq "$(jq -r '.contention.cpus' "$TMP/out")" "$((over - 1))" "the JSON: the CPUs chipfit may use"
expect_in err "^chipfit: warning: the figures may not be reliable: .*$over threads on" \
  "oversubscribed: --json also warns on stderr"
expect_eq "$(jq '.contention | has("involuntary_switches") and has("cpu_share") and has("warning")' "$TMP/p.json")" \
  true "the JSON always has the contention figures"

expect_rc 0 "profile --csv" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --csv
expect_in out '^index,layer,op,impl,kind,median_us,p10_us,p90_us,share$' "csv header"
expect_eq "$(wc -l < "$TMP/out")" 10 "csv: header and nine rows"

expect_rc 0 "reference kernels" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --backend cpu-ref --json
expect_eq "$(jq -r '[.layers[].impl] | unique | join(",")' "$TMP/out")" "ref" "cpu-ref runs only ref kernels"

# Outputs saved as .npy, and a zero image fed from a .npy file.
write_npy "$TMP/zeros.npy" '<f4' '(1, 1, 28, 28)' 3136
expect_rc 0 "--input from .npy and --save-outputs" -- \
  "$CHIPFIT" profile "$MODEL" --repeats 1 --input input="$TMP/zeros.npy" --save-outputs "$TMP/outs"
checks=$((checks + 1))
if [[ "$(head -c 6 "$TMP/outs/probs.npy" | tail -c 5)" != "NUMPY" ]]; then
  echo "FAIL: probs.npy is not a .npy file"; failures=$((failures + 1))
fi
expect_eq "$(stat -c %s "$TMP/outs/probs.npy")" $((128 + 40)) "probs.npy holds 10 float32 after its header"

# --- bad input ---------------------------------------------------------------
write_npy "$TMP/short.npy" '<f4' '(1, 1, 28, 27)' 3024
expect_rc 1 "input of the wrong shape" -- "$CHIPFIT" profile "$MODEL" --input input="$TMP/short.npy"
expect_in err "input input: the model wants shape \[1x1x28x28\], got float32\[1x1x28x27\]" "wrong shape named"

write_npy "$TMP/ints.npy" '<i8' '(1, 1, 28, 28)' 25088
expect_rc 1 "input of the wrong type" -- "$CHIPFIT" profile "$MODEL" --input input="$TMP/ints.npy"
expect_in err "input input: the model wants float32, got int64" "wrong type named"

printf 'garbage' > "$TMP/bad.npy"
expect_rc 1 "input file that is not .npy" -- "$CHIPFIT" profile "$MODEL" --input input="$TMP/bad.npy"
expect_in err "bad.npy: not a .npy file" "bad input file named"

expect_rc 1 "missing input file" -- "$CHIPFIT" profile "$MODEL" --input input="$TMP/none.npy"
expect_in err "none.npy" "missing input file named"

expect_rc 2 "input the model lacks" -- "$CHIPFIT" profile "$MODEL" --input image="$TMP/zeros.npy"
expect_in err "--input image: the model has no input of that name" "unknown input named"

expect_rc 1 "a layer that produces NaN" -- "$CHIPFIT" profile "$FIX/nan_log.onnx" --repeats 1
expect_in err "layer log_of_negative \(Log\): produced NaN" "NaN layer named"
expect_rc 0 "NaN check off" -- "$CHIPFIT" profile "$FIX/nan_log.onnx" --repeats 1 --no-nan-check

expect_rc 1 "unsupported op" -- "$CHIPFIT" profile "$FIX/custom_op.onnx"
expect_in err "unsupported op FancyActivation \(com.example, opset 1\) at layer mystery" "unsupported op named"

# Out of memory: a layer whose output cannot be allocated under a memory
# limit (ASan reserves terabytes of address space, so not under ASan).
if [[ -z "${CHIPFIT_SANITIZE:-}" ]]; then
  expect_rc 1 "out of memory" -- bash -c "ulimit -v 2000000; exec \"$CHIPFIT\" profile \"$FIX/huge_activation.onnx\" --repeats 1"
  expect_in err "layer blow_up \(Expand\) output 0: out of memory" "out-of-memory layer named"
fi

expect_rc 1 "missing model" -- "$CHIPFIT" profile "$TMP/nope.onnx"
expect_in err "nope.onnx" "missing model named"
expect_rc 2 "repeats 0" -- "$CHIPFIT" profile "$MODEL" --repeats 0
expect_in err "--repeats wants a whole number" "bad --repeats"
expect_rc 2 "threads not a number" -- "$CHIPFIT" profile "$MODEL" --threads many
expect_rc 2 "unknown backend" -- "$CHIPFIT" profile "$MODEL" --backend tpu
expect_in err "no backend 'tpu'" "unknown backend named"
expect_rc 2 "json and csv" -- "$CHIPFIT" profile "$MODEL" --json --csv

finish
