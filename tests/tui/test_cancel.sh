# A long profile (repeats raised to 100000 in the settings form): the
# progress line (phase, run r of R, layer k of n, ETA), Esc cancels it and
# the table keeps the last complete profile; q while it runs asks first (n
# stays, y quits at once); opening another model cancels it. On the demo
# model and on a generated chain of 300 convolutions.
. "$(dirname "$0")/lib.sh"
NUM='[0-9]+\.[0-9]'
PROGRESS='profiling: (first run|warm-up|timed) run [0-9]+ of [0-9]+, layer [0-9]+ of'

long_repeats() {
  send s Down BSpace BSpace
  type_text 100000
  send Enter
  sync_keys
  expect_line 3 '^ next profile: 1 thread\(s\), 100000 repeats, 3 warm-up, cpu$' "repeats 100000"
}

# ---- the demo model: a complete profile, then a canceled one --------------------------
tui_start -- "$MODEL"
send Escape
sync_keys
expect_line 3 '^ opened ' "Esc with no profile running does nothing"
send p
wait_for "profiled:" 60
long_repeats
send p
wait_for "timed run" 30
expect_re "^ [█▏▎▍▌▋▊▉ ]+ $PROGRESS 9  ETA ($NUM s|\?)  \(Esc cancels\)$" "the progress line"
# at 80 columns the bar gives way and the ETA still shows
resize 80 24
expect_re "^ [█▏▎▍▌▋▊▉ ]{10} $PROGRESS 9  ETA ($NUM s|\?)" "80x24: the progress line keeps its ETA"
resize 100 30
expect_re "timed run [0-9]+ of 100000, layer [0-9] of 9" "timed runs counted to 100000"
send Escape
wait_for "profile canceled; the table keeps the last complete one" 10
expect_re "^ +0 conv1 +Conv +1x32x26x26 +320 +195k +$NUM" "conv1 keeps its measured time"
expect_re '^ +1 relu1 +Relu .* fused$' "relu1 still fused"
expect_line 2 "CPU $NUM µs/run" "the totals keep the measured latency"
send p
wait_for "profiling: " 10
send q
wait_for "Quit anyway? y: quit (cancels it)  n: stay" 5
expect "A profile is running." "q while profiling asks"
send n
sync_keys
expect_not "Quit anyway?" "n: the question goes"
expect_re "$PROGRESS" "n: the profile goes on"
send q y
wait_exit 0 10
expect_terminal_restored "q, y while profiling"

# ---- a chain of 300 convolutions ------------------------------------------------------
if /usr/bin/python3 -c 'import numpy, onnx' 2>/dev/null &&
   /usr/bin/python3 "$SRC/tests/tui/make_model.py" "$TMP/chain.onnx" --convs 300; then
  tui_start -- "$TMP/chain.onnx"
  expect_line 2 '^ layers 300  params 173k  MACs ' "the chain: 300 layers"
  long_repeats
  send p
  wait_re "$PROGRESS 300  ETA" 30
  # the ETA shows once 1 % is done
  wait_re "timed run [0-9]+ of 100000, layer [0-9]+ of 300  ETA $NUM s" 30
  start=$(date +%s%N)
  send Escape
  wait_for "profile canceled" 10
  ms=$((($(date +%s%N) - start) / 1000000))
  checks=$((checks + 1))
  [[ $ms -lt $((2000 * SLOW)) ]] || fail "cancel took $ms ms"
  expect_re '^ +0 conv_000 +Conv +1x8x16x16 +576 +147k +-$' "no profile before: the CPU column stays empty"
  expect_line 2 '\(static\)$' "no measured latency"
  # a profile again, then open the demo model while it runs: that cancels it
  send p
  wait_for "profiling: " 10
  send o C-u
  type_text "$MODEL"
  send Enter
  wait_for ": 9 layers (static costs counted" 10
  expect_line 1 ' fashion_cnn\.onnx ' "the demo model replaced the chain"
  expect_not "profiling:" "no profile runs"
  expect_re '^ +0 conv1 +Conv .* 195k +-$' "the new model is not measured"
  send p
  wait_re "$PROGRESS 9  " 10   # the settings stay: 100000 repeats
  # a path that does not open cancels the profile all the same (the loader
  # forks; it never runs beside a profile) and keeps the model
  send o C-u
  type_text "$TMP/missing.onnx"
  send Enter
  wait_for "profile canceled; cannot open $TMP/missing.onnx: no such file" 10
  expect_line 1 ' fashion_cnn\.onnx ' "a bad path while profiling: the model stays"
  expect_not "profiling:" "a bad path while profiling: the profile is canceled"
  send p
  wait_re "$PROGRESS 9  " 10
  send F9
  wait_for "profile canceled" 10
  send q
  wait_exit 0
  expect_terminal_restored "q after the chain"
else
  echo "skipped the 300-layer chain: /usr/bin/python3 lacks numpy or onnx"
fi
finish
