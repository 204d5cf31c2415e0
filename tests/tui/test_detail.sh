# Moving the selection (arrows, j/k, Home/End, g/G, PgUp/PgDn) and the
# detail pane of the selected layer: its static costs, inputs and outputs
# with types and shapes, weight statistics, attributes; J/K scroll it (and
# stop at its ends), d hides and shows it.
. "$(dirname "$0")/lib.sh"

# select_check KEY... : sends the keys; the last argument is the detail head wanted.
selected() {
  sync_keys
  expect "$1" "$2"
}

tui_start -- "$MODEL"
expect " layer 0  conv1  (Conv)" "the first layer is selected"
send Down Down Down
selected " layer 3  conv2  (Conv)" "Down x3: conv2"
expect " static    params 18.5k  MACs 2.23M  FLOPs 4.47M  in 21.1 KiB  out 30.2 KiB  (counted)" \
  "conv2's static costs"
expect " measured  not yet: p profiles" "conv2 not measured"
expect " inputs    pool1_out  float32[1x32x13x13]" "conv2's data input, type and shape"
expect "           conv2.weight  float32[64x32x3x3]  (weights)" "conv2's weight input"
expect "           conv2.bias  float32[64]  (weights)" "conv2's bias input"
expect " outputs   conv2_out  float32[1x64x11x11]" "conv2's output, type and shape"
expect_re '^ weights   conv2\.weight  min -0\.6677  max 0\.5924  mean -0\.007391  std 0\.1219  zeros 0\.0%$' \
  "conv2's weight statistics"
expect_re '^           \[[▁▂▃▄▅▆▇█ ]{24}\]  24 bins, -0\.6677 \.\. 0\.5924$' "conv2's weight histogram"
expect_not "kernel_shape" "the attributes are below the pane's end"
# the selected row is the highlighted one (reverse video / colour)
checks=$((checks + 1))
highlighted 8 || fail "conv2's row (line 8) is not highlighted"
highlighted 5 && fail "conv1's row (line 5) is highlighted"

# J scrolls the pane down to its last line and stops there; K back up.
send J J J J J J J J
sync_keys
expect " attrs     dilations = [1,1]" "J: Conv's attributes"
expect "           group = 1" "attribute group"
expect "           kernel_shape = [3,3]" "attribute kernel_shape"
expect "           pads = [0,0,0,0]" "attribute pads"
expect "           strides = [1,1]" "attribute strides"
expect " weights   conv2.bias  min -0.08103  max 0.1912" "the bias' statistics"
expect_not " layer 3  conv2  (Conv)" "the head line scrolled away"
cp "$TMP/screen" "$TMP/screen.bottom"
send J J J J J
sync_keys
checks=$((checks + 1))
cmp -s "$TMP/screen" "$TMP/screen.bottom" || fail "J past the last line still scrolls"
send K
sync_keys
expect " weights   conv2.weight  min" "K scrolls up right away at the end"
send K K K K K K K K K K
sync_keys
expect " layer 3  conv2  (Conv)" "K back at the top"
send J J
sync_keys
expect_not " layer 3  conv2  (Conv)" "J scrolled"
send Down
selected " layer 4  relu2  (Relu)" "moving the selection shows the next layer from its top"
send Up k
selected " layer 2  pool1  (MaxPool)" "Up and k move up"
expect " attrs     ceil_mode = 0" "MaxPool's attributes"
expect "           kernel_shape = [2,2]" "MaxPool's kernel_shape"
send j
selected " layer 3  conv2  (Conv)" "j moves down"
send End
selected " layer 8  softmax  (Softmax)" "End: the last layer"
expect " attrs     axis = 1" "Softmax's attribute"
send Down
selected " layer 8  softmax  (Softmax)" "Down at the last layer stays"
send Home
selected " layer 0  conv1  (Conv)" "Home: the first layer"
send Up
selected " layer 0  conv1  (Conv)" "Up at the first layer stays"
send G
selected " layer 8  softmax  (Softmax)" "G: the last layer"
send g
selected " layer 0  conv1  (Conv)" "g: the first layer"
send Down Down Down Down Down Down Down
selected " layer 7  fc  (Gemm)" "down to fc"
expect "           fc.weight  float32[10x1600]  (weights)" "fc's weight"
expect " outputs   fc_out  float32[1x10]" "fc's output"

# d hides the pane (the table gets its lines) and shows it again.
send d
sync_keys
expect_not "detail (d hides" "d hides the detail pane"
expect_not " layer 7  fc  (Gemm)" "no detail lines"
expect_line 30 '^F1Help ' "the function bar stays"
send d
sync_keys
expect " detail (d hides, J/K scroll)" "d shows it again"
expect " layer 7  fc  (Gemm)" "the same layer"
send q
wait_exit 0

# A short terminal: the table scrolls with the selection (6 rows shown).
tui_start -y 16 -- "$MODEL"
expect_eq "$(layer_order)" "conv1 relu1 pool1 conv2 relu2 pool2" "16 lines: six rows"
send PgDn
selected " layer 5  pool2  (MaxPool)" "PgDn: five rows down (a page less one)"
expect_eq "$(layer_order)" "conv1 relu1 pool1 conv2 relu2 pool2" "still the first page"
send PgDn
selected " layer 8  softmax  (Softmax)" "PgDn again: clamped to the last layer"
expect_eq "$(layer_order)" "conv2 relu2 pool2 flatten fc softmax" "the table scrolled"
send PgUp
selected " layer 3  conv2  (Conv)" "PgUp"
expect_eq "$(layer_order)" "conv2 relu2 pool2 flatten fc softmax" "no scroll while visible"
send Up
selected " layer 2  pool1  (MaxPool)" "Up past the top row"
expect_eq "$(layer_order)" "pool1 conv2 relu2 pool2 flatten fc" "scrolls one row"
send Home
selected " layer 0  conv1  (Conv)" "Home"
expect_eq "$(layer_order)" "conv1 relu1 pool1 conv2 relu2 pool2" "back at the top"
send Space
selected " layer 5  pool2  (MaxPool)" "space pages down too"
send q
wait_exit 0
finish
