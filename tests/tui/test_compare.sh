# Comparing and reporting from the TUI. Two experiments (two model files
# that differ only in their doc string) each get a run through the CLI; in
# the experiments view c marks A, c on another row opens the compare view:
# per layer A's and B's measured median, B - A in µs and %, the whole-model
# latency of both; Esc goes back. Opening the model made its base
# experiment current (the store registers it). r in the layer table writes the current
# experiment's Markdown report into the working directory and says where.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
DB=$TMP/chipfit.db
NUM='[+-]?[0-9]+\.[0-9]'
if ! /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no onnx (needed to make the second model)"
  exit 77
fi
/usr/bin/python3 - "$MODEL" "$TMP/b.onnx" <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
m.doc_string = "copy B"
onnx.save(m, sys.argv[2])
PY
"$CHIPFIT" profile "$MODEL" --repeats 3 --db "$DB" >/dev/null || fail "profile A"
"$CHIPFIT" profile "$TMP/b.onnx" --repeats 3 --db "$DB" >/dev/null || fail "profile B"

tui_start -- "$MODEL"
expect_re '^ chipfit  fashion_cnn\.onnx  exp 1 ' "opening registers the model: its base experiment is current"
send e
sync_keys
send c
sync_keys
expect_line 3 '^ compare: A is experiment 1; select B and press c' "c marks A"
send j c
sync_keys
expect_line 3 '^ experiment 2 against 1: 9 layers in both, 0 only in 1, 0 only in 2' \
  "c on B: the status"
expect_line 4 '^ layer +op +A µs +B µs +B-A µs +B-A %' "the compare head"
expect_line 5 "^ latency \(whole model, measured / measured\): A $NUM  B $NUM µs  B-A $NUM" \
  "the whole-model latency of both, measured"
expect_re "^ conv2 +Conv +$NUM +$NUM +$NUM +[+-][0-9]+%" "conv2: both medians and the deltas"
expect_re "^ relu1 +Relu +0\.0 +0\.0 " "a fused layer: 0 on both sides"
send Escape
sync_keys
expect_line 4 '^  id +model +tag +runs' "Esc: back to the experiments"
send k Enter
sync_keys
expect_re '^ chipfit  fashion_cnn\.onnx  exp 1 ' "Enter on experiment 1: the current one"
send r
sync_keys
expect_line 3 '^ report of experiment 1 written to chipfit-report-1\.md \(Markdown\)' "r: where"
checks=$((checks + 1))
grep -q '^# chipfit report: experiment 1, fashion_cnn\.onnx' "$TMP/chipfit-report-1.md" ||
  fail "the report file: $(head -3 "$TMP/chipfit-report-1.md" 2>&1)"
send q
wait_exit 0
finish
