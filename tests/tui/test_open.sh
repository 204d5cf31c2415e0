# Opening a model: the title and totals, the nine layers in graph order with
# their static columns, the detail pane of the first layer, the function bar
# on the last line. `chipfit tui MODEL` does the same; `chipfit tui` and
# `chipfit` alone start at the open prompt. CHIPFIT_TUI_TRACE records the
# open time and one line per key.
. "$(dirname "$0")/lib.sh"

check_demo_screen() {   # $1: how it was started
  expect_line 1 '^ chipfit  fashion_cnn\.onnx  (exp [0-9]+  )?producer pytorch ' "$1: title line"
  expect_line 2 '^ layers 9  params 34\.8k  MACs 2\.44M  peak activations 169 KiB \(static\)$' "$1: totals"
  expect_line 4 '^ +#▲ layer +op +output +params +MACs +CPU µs share$' "$1: table head"
  expect_eq "$(layer_order)" "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" \
    "$1: rows in graph order"
  expect_line 30 '^F1Help F2Setup F3Filter F5Profile F6Sort oOpen dDetail eExps F10Quit$' \
    "$1: function bar on the last line"
  expect_eq "$(wc -l <"$TMP/screen")" 30 "$1: 30 lines"
}

tui_start -- "$MODEL"
check_demo_screen "chipfit MODEL"
# (a path too long for the line loses its middle: see the deep path below)
expect_line 3 "^ opened .*fashion_cnn\.onnx: 9 layers \(static costs counted; press p to profile\)$" \
  "status says what was opened"
expect_re '^ +0 conv1 +Conv +1x32x26x26 +320 +195k +-$' "conv1's row"
expect_re '^ +3 conv2 +Conv +1x64x11x11 +18\.5k +2\.23M +-$' "conv2's row"
expect_re '^ +6 flatten +Flatten +1x1600 +- +- +-$' "flatten's row"
expect_re '^ +7 fc +Gemm +1x10 +16\.0k +16\.0k +-$' "fc's row"
expect " detail (d hides, J/K scroll)" "detail pane head"
expect " layer 0  conv1  (Conv)" "detail pane shows the first layer"
expect " measured  not yet: p profiles" "nothing measured yet"
send q
wait_exit 0
expect_terminal_restored "q"
# the trace: "open µs", then one "key µs" line for the q (113)
checks=$((checks + 1))
if ! awk 'NR == 1 { ok = $1 == "open" && $2 ~ /^[0-9]+\.[0-9]$/ && $2 > 0 }
          NR == 2 { ok = ok && $1 == 113 && $2 ~ /^[0-9]+\.[0-9]$/ }
          END { exit !(ok && NR == 2) }' "$TMP/trace"; then
  fail "CHIPFIT_TUI_TRACE: wanted 'open µs' then '113 µs'"
  sed 's/^/  | /' "$TMP/trace"
fi

tui_start -- tui "$MODEL"
check_demo_screen "chipfit tui MODEL"
send F10
wait_exit 0
expect_terminal_restored "F10"

# A model deep in the file system: the status line keeps what happened and
# what to do next, and elides the middle of the path to fit the 100 columns.
deep=$TMP/a-directory-with-a-long-name/another-directory-with-a-long-name/models
mkdir -p "$deep"
cp "$MODEL" "$deep/"
tui_start -- "$deep/fashion_cnn.onnx"
expect_line 3 '^ opened /.*~.*fashion_cnn\.onnx: 9 layers \(static costs counted; press p to profile\)$' \
  "deep path: elided in the middle"
expect_eq "$(line 3 | wc -m)" 101 "deep path: the status fills the line (99 characters after the margin, and a newline)"
send q
wait_exit 0

# No model: the open prompt; typing a path and Enter opens it.
for args in tui ""; do
  what="chipfit${args:+ $args}"
  if [[ -n $args ]]; then tui_start -- "$args"; else tui_start --; fi
  expect_line 1 '^ chipfit  \(no model: press o to open one\)$' "$what: no model"
  expect_line 3 '^ type the path of an ONNX model$' "$what: status asks for a path"
  expect_line 29 '^Open model: _   Enter opens, Esc cancels$' "$what: open prompt"
  type_text "$MODEL"
  sync_keys
  expect_line 29 "^Open model: $MODEL""_" "$what: the prompt echoes the path"
  send Enter
  sync_keys
  check_demo_screen "$what, then the path"
  send q
  wait_exit 0
done
finish
