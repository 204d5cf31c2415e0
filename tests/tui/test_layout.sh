# The layout at other sizes: resized from 100x30 to 80x24 every line fits,
# the function bar is the last line, the table head keeps its titles above
# their values (left-aligned text, right-aligned numbers) and the detail
# pane sits below the rows; narrower terminals drop columns least important
# first; below 30x8 a one-line message; back to 100x30 all returns. Long
# layer names elide in the middle. The help and the filter prompt at 80x24.
. "$(dirname "$0")/lib.sh"
NUM='[0-9]+\.[0-9]'

# left TITLE ROW VALUE / right TITLE ROW VALUE: the table head's TITLE (line
# 4) starts / ends in the column where VALUE does in line ROW.
left() {
  expect_eq "$(column "$2" "$3")" "$(column 4 "$1")" "$W x $H: '$3' under the title '$1'"
}
right() {
  local a b
  a=$(column 4 "$1") b=$(column "$2" "$3")
  expect_eq "$((b + ${#3}))" "$((a + ${#1}))" "$W x $H: '$3' ends under the end of '$1'"
}

tui_start -- "$MODEL"
send Down Down Down
sync_keys
W=80 H=24
resize 80 24
expect_fits 80 24 "80x24"
expect_line 4 '^layer +op +output +params +MACs +CPU µs share$' "80x24: head without # (the first to go)"
expect_line 24 '^F1Help F2Setup F3Filter F5Profile F6Sort oOpen dDetail eExps F10Quit$' \
  "80x24: the function bar on the last line"
expect_line 1 '^ chipfit  fashion_cnn\.onnx  (exp [0-9]+  )?producer pytorch' "80x24: title"
expect_line 2 '^ layers 9  params 34\.8k  MACs 2\.44M  peak activations 169 KiB \(static\)$' "80x24: totals"
expect_eq "$(layer_order)" "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" "80x24: all rows"
expect_re '^conv2 +Conv +1x64x11x11 +18\.5k +2\.23M +-$' "80x24: conv2's row"
left op 8 Conv
left output 8 1x64x11x11
right params 8 18.5k
right MACs 8 2.23M
right "CPU µs" 8 -
expect_line 14 '^$' "80x24: free lines below the rows"
expect_line 15 '^$' "80x24: free lines below the rows"
expect_line 16 '^ detail \(d hides, J/K scroll\)' "80x24: the detail pane below the table"
expect_line 17 '^ layer 3  conv2  \(Conv\)$' "80x24: the selection kept"
highlighted 8 || fail "80x24: conv2's row not highlighted"

send p
wait_for "profiled:" 60
expect_fits 80 24 "80x24 profiled"
expect_re "^conv2 +Conv +1x64x11x11 +18\.5k +2\.23M +$NUM █+[▏▎▍▌▋▊▉]?$" "80x24: conv2 measured, a bar"
# the row up to its bar ends where the CPU number ends (searching for the
# number itself could find it inside another, 18.5 in 18.5k)
upto_bar=$(line 8 | sed -E 's/ [█▏▎▍▌▋▊▉]+$//')
expect_eq "${#upto_bar}" "$(($(column 4 "CPU µs") + 6))" "80x24: the CPU number ends under the end of 'CPU µs'"
left share 8 █
send 6
sync_keys
expect_line 4 '^layer +op +output +params +MACs▼ +CPU µs share$' "80x24: head with the sort arrow"
right "MACs▼" 5 2.23M

# the filter prompt takes the line above the function bar
send /
type_text pool
sync_keys
expect_fits 80 24 "80x24 filtering"
expect_line 23 '^Filter \(name or op\): pool_   Enter keeps, Esc clears$' "80x24: the prompt"
expect_line 24 '^F1Help ' "80x24: the function bar below the prompt"
send Escape Home
sync_keys
expect ' layer 3  conv2  (Conv, ' "80x24: Home selects conv2 again"

# the help box fits, the function bar stays
send '?'
sync_keys
expect_fits 80 24 "80x24 help"
expect_line 2 '^ .┌─{74}┐.*$' "80x24: the help box's top"
expect_line 3 '^ .│ Keys {69}│.*$' "80x24: the help box's first line"
expect_line 23 '^ .└─{74}┘.*$' "80x24: the help box's bottom"
expect_line 24 '^F1Help ' "80x24: the function bar below the help"
send Escape
sync_keys

# narrower: columns go, least important first; the name stays
W=60 H=20
resize 60 20
expect_fits 60 20 "60x20"
expect_line 4 '^layer +op +MACs▼ +CPU µs share$' "60x20: output and params dropped"
expect_line 20 '^F1Help ' "60x20: the function bar"
right "MACs▼" 5 2.23M
W=40 H=12
resize 40 12
expect_fits 40 12 "40x12"
expect_line 4 '^layer +op +CPU µs$' "40x12: the share bar and MACs dropped too"
expect_line 5 "^conv2 +Conv +$NUM$" "40x12: conv2 first"
# the settings form and the quit question take the keys: they must show,
# cut to fit, at any size the TUI draws at
send s Down
sync_keys
expect "│ Profiling settings" "40x12: the settings form shows"
expect "│ > repeats        20 " "40x12: Down moved in the form, not the table"
expect_fits 40 12 "40x12 with the settings form"
send BSpace BSpace
type_text 100000
send Enter p
wait_for "profiling: " 10
send q
sync_keys
expect "│ Quit anyway? y: quit (ca" "40x12: the quit question shows"
send n
sync_keys
expect_not "Quit anyway?" "40x12: n answers it"
send Escape
wait_for "profile canceled" 10
W=30 H=8
resize 30 8
send s
sync_keys
expect_fits 30 8 "30x8 with the settings form"
expect_line 1 '^ ┌─{26}┐' "30x8: the form from the top line"
expect_line 4 '^.│ > threads        1 ' "30x8: its fields"
expect_line 8 '│ *$' "30x8: its bottom edge is cut, not drawn over another line"
send Escape
sync_keys
W=24 H=10
resize 24 10
expect_fits 24 10 "24x10"
expect_line 1 '^chipfit: the terminal is' "24x10: too small, said on the first line"
expect_line 2 '^$' "24x10: nothing else"
W=100 H=30
resize 100 30
expect_fits 100 30 "back to 100x30"
expect_line 4 '^ +# layer +op +output +params +MACs▼ +CPU µs share$' "100x30: every column again"
expect_line 30 '^F1Help ' "100x30: the function bar"
expect " layer 3  conv2  (Conv, " "100x30: conv2 still selected"
send q
wait_exit 0

# long names elide in the middle and keep the columns in place
if /usr/bin/python3 -c 'import numpy, onnx' 2>/dev/null &&
   /usr/bin/python3 "$SRC/tests/tui/make_model.py" "$TMP/long.onnx" --convs 20 --long-names; then
  W=80 H=24
  tui_start -x 80 -y 24 -- "$TMP/long.onnx"
  expect_fits 80 24 "long names at 80x24"
  expect_re '^encoder~in_path +Conv +1x8x16x16 +576 +147k +-$' "80x24: 15 columns for the name, elided"
  left op 5 Conv
  right MACs 5 147k
  W=120 H=30
  resize 120 30
  expect_fits 120 30 "long names at 120x30"
  expect_re '^ +0 encoder_block_000_[a-z_]*~[a-z_]*_main_path +Conv +1x8x16x16 +576 +147k +-$' \
    "120x30: elided in the middle, the block number kept"
  left op 5 Conv
  right MACs 5 147k
  send End
  sync_keys
  expect_re '^ +19 encoder_block_019_[a-z_]*~[a-z_]*_main_path +Conv ' "120x30: End shows the last layer"
  expect " layer 19  encoder_block_019_depthwise_separable_convolution_main_path  (Conv)" \
    "the detail pane has the whole name"
  send q
  wait_exit 0
fi
finish
