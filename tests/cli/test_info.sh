# `chipfit info` on the demo model, its JSON, and every kind of bad input.
source "$(dirname "$0")/lib.sh"
MODEL="$SRC/models/fashion_cnn.onnx"

# The demo model's figures, by hand (docs/costs.md conventions):
#   conv1 32x1x3x3 + 32 = 320 params, 26*26*32 outputs * 9 MACs = 194,688
#   conv2 64x32x3x3 + 64 = 18,496, 11*11*64 outputs * 288 MACs = 2,230,272
#   fc 1600x10 + 10 = 16,010, 16,000 MACs
#   total 34,826 params, 2,440,960 MACs at batch 1
expect_rc 0 "info on the demo model" -- "$CHIPFIT" info "$MODEL"
expect_in out '^model +fashion_cnn.onnx' "model name"
expect_in out '^params +34,826 ' "params total"
expect_in out 'MACs 2\.44M' "MACs total"
expect_in out '^inputs +input +float32 \[1x1x28x28\]' "input shape with batch fixed to 1"
expect_in out 'batch=1 \(default\)' "the fixed symbolic dim is said"
expect_in out 'static, counted from shapes \(not measured\)' "figures labelled static"
expect_in out ' Conv +1x32x26x26 ' "conv1 row with its output shape"
expect_in out ' Gemm +1x10 ' "the classifier row"
expect_in out ' Softmax ' "the softmax row"

# chipfit MODEL without a terminal (as here) prints the info view.
expect_rc 0 "chipfit MODEL" -- "$CHIPFIT" "$MODEL"
expect_in out '^params +34,826 ' "chipfit MODEL shows the model"

expect_rc 0 "info --json" -- "$CHIPFIT" info "$MODEL" --json
cp "$TMP/out" "$TMP/info.json"
expect_eq "$(jq -r .schema "$TMP/info.json")" "chipfit.info/1" "json schema id"
expect_eq "$(jq .totals.params "$TMP/info.json")" 34826 "json params"
expect_eq "$(jq .totals.macs "$TMP/info.json")" 2440960 "json MACs"
expect_eq "$(jq -c '.inputs[0].shape' "$TMP/info.json")" "[1,1,28,28]" "json input shape"
expect_eq "$(jq -r '.dims[0].name' "$TMP/info.json")" "batch" "json bound dim"
expect_eq "$(jq '[.layers[] | select(.op == "Conv")] | length' "$TMP/info.json")" 2 "two Conv layers"
expect_eq "$(jq '[.layers[].macs] | add' "$TMP/info.json")" 2440960 "layer MACs add up to the total"
expect_eq "$(jq '.totals.peak_activation_bytes > 0' "$TMP/info.json")" true "peak activation memory"
expect_eq "$(jq -r '[.layers[].basis] | unique | join(",")' "$TMP/info.json")" "formula" "every layer has a formula"

# --dim scales the batch.
expect_rc 0 "info --dim batch=8" -- "$CHIPFIT" info "$MODEL" --json --dim batch=8
expect_eq "$(jq .totals.macs "$TMP/out")" $((8 * 2440960)) "MACs scale with the batch"
expect_eq "$(jq '.dims[0].default' "$TMP/out")" false "a named dim is not a default"

# --- bad input: clear message, the right exit code --------------------------
expect_rc 1 "missing file" -- "$CHIPFIT" info "$TMP/nope.onnx"
expect_in err "nope.onnx" "missing file named"
expect_in err "[Nn]o such file" "missing file said"
expect_empty out "nothing on stdout for a missing file"

expect_rc 1 "chipfit MISSING.onnx" -- "$CHIPFIT" "$TMP/nope.onnx"
expect_in err "nope.onnx" "missing model named"

echo "this is not a model" > "$TMP/text.onnx"
expect_rc 1 "not a protobuf" -- "$CHIPFIT" info "$TMP/text.onnx"
expect_in err "text.onnx" "bad file named"

head -c 3000 "$MODEL" > "$TMP/trunc.onnx"
expect_rc 1 "truncated model" -- "$CHIPFIT" info "$TMP/trunc.onnx"
expect_in err "trunc.onnx" "truncated file named"
expect_in err "truncated|not an ONNX" "truncation said"

: > "$TMP/empty.onnx"
expect_rc 1 "empty file" -- "$CHIPFIT" info "$TMP/empty.onnx"
expect_in err "empty.onnx" "empty file named"

expect_rc 1 "a directory" -- "$CHIPFIT" info "$TMP"
expect_in err "$TMP" "directory named"

expect_rc 2 "info without a model" -- "$CHIPFIT" info
expect_in err "info needs a model" "missing argument said"
expect_rc 2 "info with a bad flag" -- "$CHIPFIT" info "$MODEL" --bogus
expect_in err "unknown option '--bogus'" "bad flag named"
expect_rc 2 "--dim without a value" -- "$CHIPFIT" info "$MODEL" --dim
expect_in err "needs a value" "missing value said"
expect_rc 2 "--dim malformed" -- "$CHIPFIT" info "$MODEL" --dim batch
expect_in err "NAME=VALUE" "malformed --dim said"
expect_rc 2 "--dim not positive" -- "$CHIPFIT" info "$MODEL" --dim batch=0
expect_in err "positive integer" "bad --dim value said"
expect_rc 2 "--dim of an unknown name" -- "$CHIPFIT" info "$MODEL" --dim bach=4
expect_in err "bach" "unknown dim named"

finish
