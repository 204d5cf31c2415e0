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

# No model and nothing in the store (a store that is not there is not
# created): the open prompt; typing a path and Enter opens it.
for args in tui ""; do
  what="chipfit${args:+ $args}"
  rm -f "$TMP/fresh.db"
  if [[ -n $args ]]; then tui_start CHIPFIT_DB="$TMP/fresh.db" -- "$args"
  else tui_start CHIPFIT_DB="$TMP/fresh.db" --; fi
  checks=$((checks + 1))
  [[ ! -e $TMP/fresh.db ]] || fail "$what: the store was created before anything was opened"
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

# No model, and a store that has seen models: the one opened last reopens
# (the demo model was opened last above, into $TMP/fresh.db); opening
# another makes that one the last.
cp "$MODEL" "$TMP/second.onnx"
# other bytes, the same model: a doc_string field (6, length 1, "x") at the
# end, which protobuf's last-one-wins rule makes the model's doc_string
printf '\x32\x01x' >>"$TMP/second.onnx"
for args in tui ""; do
  what="chipfit${args:+ $args}"
  if [[ -n $args ]]; then tui_start CHIPFIT_DB="$TMP/fresh.db" -- "$args"
  else tui_start CHIPFIT_DB="$TMP/fresh.db" --; fi
  check_demo_screen "$what with a store"
  expect_line 3 "^ reopened $MODEL, the store's last model: 9 layers \(press p to profile\)$" \
    "$what with a store: the status says which model and why"
  send q
  wait_exit 0
done
"$CHIPFIT" profile "$TMP/second.onnx" --repeats 1 --db "$TMP/fresh.db" >/dev/null ||
  fail "chipfit profile second.onnx"
tui_start CHIPFIT_DB="$TMP/fresh.db" --
expect_line 3 "^ reopened $TMP/second\.onnx, the store's last model: " \
  "chipfit profile counts as opening: second.onnx is the last model"
send q
wait_exit 0
# the file there but broken since: the store's copy opens, in red, saying why
cp "$TMP/second.onnx" "$TMP/second.good"
printf 'garbage' >"$TMP/second.onnx"
tui_start CHIPFIT_DB="$TMP/fresh.db" --
expect_line 1 '^ chipfit  second\.onnx  exp 2 ' "a broken file: the copy opens, titled with the model"
expect_line 3 "^ reopened second\.onnx from the store's copy: the file no longer opens \(cannot open /.*second\.onnx: " \
  "a broken file: the status says the file no longer opens, and why"
checks=$((checks + 1))
"${TM[@]}" capture-pane -p -e -t tui | sed -n 3p | grep -q $'\e\\[31m' || fail "a broken file: the status is not red"
send q
wait_exit 0
mv "$TMP/second.good" "$TMP/second.onnx"
# the file gone: the store's own copy opens, and says so
rm "$TMP/second.onnx"
tui_start CHIPFIT_DB="$TMP/fresh.db" --
expect_line 1 '^ chipfit  second\.onnx  exp 2 ' "the copy: the title names the model (not its hash)"
expect_line 2 '^ layers 9 ' "the copy: the same nine layers"
expect_line 3 "^ reopened second\.onnx from the store's copy \(its file is gone\): 9 layers \(press p to profile\)$" \
  "the copy: the status says the file is gone"
send q
wait_exit 0
tui_start CHIPFIT_DB="$TMP/fresh.db" --
expect_line 3 "^ reopened second\.onnx from the store's copy \(its file is gone\): " \
  "the copy again: opening the copy did not make it the model's file"
expect_line 1 '^ chipfit  second\.onnx ' "the copy again: the title names the model"
send q
wait_exit 0
# a store that is not a database: the prompt, and the status says why
printf 'not a database at all, just some text to fill a page or two.%.0s' {1..80} >"$TMP/junk.db"
tui_start CHIPFIT_DB="$TMP/junk.db" --
expect_line 1 '^ chipfit  \(no model: press o to open one\)$' "a broken store: no model"
expect_line 3 "^ /tmp/[^ ]*junk\.db: not a chipfit database .*; type the path of an ONNX model$" \
  "a broken store: the status names it and asks for a path"
expect_line 29 '^Open model: _   Enter opens, Esc cancels$' "a broken store: the open prompt"
send Escape q
wait_exit 0
finish
