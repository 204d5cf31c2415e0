# Opening what cannot be opened: a missing path, a text file, an empty file,
# a truncated model, a directory. The status line says "cannot open PATH:
# why" (once, in the error colour) and the model on screen stays; Esc
# cancels the prompt; an empty path does nothing. The screen is wide enough
# for the whole message; a path longer than that loses its middle. Started with a bad path,
# the TUI shows no model, the keys do no harm, and o opens one.
. "$(dirname "$0")/lib.sh"
ALL="conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax"

# open_bad PATH WHY-REGEX DESCRIPTION
open_bad() {
  send o C-u
  type_text "$1"
  send Enter
  sync_keys
  expect_line 3 "^ cannot open $1: $2" "$3: the status says why"
  checks=$((checks + 1))
  [[ $(line 3) != *"$1: $1"* ]] || fail "$3: the path is named twice"
  checks=$((checks + 1))
  "${TM[@]}" capture-pane -p -e -t tui | sed -n 3p | grep -q $'\e\\[31m' ||
    fail "$3: the status is not red"
  expect_line 1 '^ chipfit  fashion_cnn\.onnx ' "$3: the title keeps the model"
  expect_eq "$(layer_order)" "$ALL" "$3: the table stays"
  expect_not "Open model:" "$3: the prompt is closed"
}

printf 'layer,op\nconv1,Conv\n' >"$TMP/notes.onnx"
printf 'just some text\n' >"$TMP/readme.txt"
: >"$TMP/empty.onnx"
head -c 3000 "$MODEL" >"$TMP/truncated.onnx"
mkdir "$TMP/dir.onnx"

tui_start -x 160 -- "$MODEL"
send o
sync_keys
expect_line 29 "^Open model: $MODEL""_   Enter opens, Esc cancels$" "o: the prompt starts with the current path"
send Escape
sync_keys
expect_line 3 '^ open canceled$' "Esc cancels"
expect_not "Open model:" "Esc closes the prompt"
open_bad "$TMP/missing.onnx" "no such file$" "a missing file"
open_bad "$TMP/notes.onnx" "not an ONNX model, or truncated" "a CSV named .onnx"
open_bad "$TMP/readme.txt" "not an ONNX model, or truncated" "a text file"
open_bad "$TMP/empty.onnx" "truncated or not an ONNX model: it holds no graph" "an empty file"
open_bad "$TMP/truncated.onnx" "not an ONNX model, or truncated" "the first 3000 bytes of a model"
open_bad "$TMP/dir.onnx" "not a regular file$" "a directory"
# a path longer than the screen: cut at the edge, nothing spills
long="$TMP/$(printf 'very_long_directory_name_%02d/' $(seq 1 8))model.onnx"
send o C-u
type_text "$long"
sync_keys
expect_fits 160 30 "a long path in the prompt"
send Enter
sync_keys
expect_fits 160 30 "a long path in the status"
expect_line 3 "^ cannot open $TMP/very_long_directory_name_01/[^ ]*~/model\.onnx: no such file$" \
  "the long path's error: its directories lose their middle, the file name and the reason stay"
# an empty path does nothing
send o C-u Enter
sync_keys
expect_not "Open model:" "Enter on an empty path closes the prompt"
expect_eq "$(layer_order)" "$ALL" "the table stays after an empty path"
# the table still works after the errors
send 6 j
sync_keys
expect " layer 7  fc  (Gemm)" "the keys still work (sorted by MACs, j from conv1 to fc)"
send q
wait_exit 0

# Started with a missing model: no model, nothing breaks, o opens one.
tui_start -- tui "$TMP/missing.onnx"
expect_line 1 '^ chipfit  \(no model: press o to open one\)$' "bad start: no model"
expect_line 3 "^ cannot open $TMP/missing.onnx: no such file$" "bad start: the status says why"
expect_line 30 '^F1Help ' "bad start: the function bar"
send j k G g PgDn 6 I d J K w Escape
sync_keys
expect_line 1 '^ chipfit  \(no model: press o to open one\)$' "keys without a model do nothing"
send p
sync_keys
expect_line 3 '^ no model open: press o to open one$' "p without a model"
send /
type_text conv
send Enter
sync_keys
expect_line 29 '^Filter \(name or op\): conv   \(/ edits\)$' "a filter without a model"
send / C-u Enter o C-u
type_text "$MODEL"
send Enter
sync_keys
expect_line 1 '^ chipfit  fashion_cnn\.onnx ' "o opens a model after a bad start"
expect_eq "$(layer_order)" "relu1 pool1 relu2 pool2 flatten softmax fc conv1 conv2" \
  "its nine layers, in the sort chosen before (6, I: MACs smallest first)"
send q
wait_exit 0
expect_terminal_restored "q after a bad start"

# `chipfit MISSING.onnx` in a terminal is the TUI too
tui_start -- "$TMP/missing.onnx"
expect_line 3 "^ cannot open $TMP/missing.onnx: no such file$" "chipfit MISSING.onnx: the TUI says why"
send q
wait_exit 0
finish
