# The filter: / opens it, each character filters the table at once (a
# case-insensitive substring of the layer's name or op), Backspace and
# Ctrl-U edit it, Enter keeps it (the keys move in the filtered rows again),
# Esc clears it. Keys typed into the filter are text, not commands.
. "$(dirname "$0")/lib.sh"
ALL="conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax"

# rows_are ORDER DESCRIPTION: after the keys sent so far.
rows_are() {
  sync_keys
  expect_eq "$(layer_order)" "$1" "$2"
}

tui_start -- "$MODEL"
send /
sync_keys
expect_line 29 '^Filter \(name or op\): _   Enter keeps, Esc clears$' "/ opens the filter prompt"
expect_line 30 '^F1Help ' "the function bar stays on the last line"
rows_are "$ALL" "an empty filter shows everything"
type_text c
rows_are "conv1 conv2 fc" "live: 'c' matches conv1, conv2 (Conv) and fc"
expect_line 29 '^Filter \(name or op\): c_ ' "the prompt shows 'c'"
type_text o
rows_are "conv1 conv2" "live: 'co'"
send BSpace BSpace
rows_are "$ALL" "Backspace twice: everything again"
type_text p
rows_are "pool1 pool2" "live: 'p'"
type_text ool
rows_are "pool1 pool2" "'pool': only the pooling layers"
expect_line 29 '^Filter \(name or op\): pool_   Enter keeps, Esc clears$' "the prompt shows 'pool'"
expect_not "conv1" "no other layer on the screen"
send Enter
rows_are "pool1 pool2" "Enter keeps the filter"
expect_line 29 '^Filter \(name or op\): pool   \(/ edits\)$' "the kept filter is shown"
send Down
sync_keys
expect " layer 5  pool2  (MaxPool)" "Down moves within the filtered rows"
send 6
sync_keys
expect_line 3 '^ sorted by MACs, largest first$' "keys are commands again after Enter"
send 1
sync_keys
send /
type_text 2
rows_are "pool2" "/ edits the kept filter: 'pool2'"
send Escape
rows_are "$ALL" "Esc clears the filter"
expect_not "Filter (name or op)" "the prompt line is gone"

# case-insensitive, on the op too; Ctrl-U clears the line
send /
type_text MAXPOOL
rows_are "pool1 pool2" "'MAXPOOL' matches the op MaxPool"
send C-u
rows_are "$ALL" "Ctrl-U empties the filter"
# typed keys are text: q, digits and j do not quit, sort or move
type_text 1
rows_are "conv1 relu1 pool1" "'1' filters, does not sort"
send BSpace
type_text q
rows_are "" "'q' filters (nothing matches), does not quit"
expect " no layer matches the filter" "an empty table says why"
expect_not " layer 0  conv1" "no detail for no layer"
send Escape
rows_are "$ALL" "Esc after no match: everything"

# The selection: kept when its layer stays, the first row when it goes.
send Down Down Down
sync_keys
expect " layer 3  conv2  (Conv)" "conv2 selected"
send /
type_text conv
rows_are "conv1 conv2" "'conv'"
expect " layer 3  conv2  (Conv)" "conv2 still selected"
send C-u
type_text relu
rows_are "relu1 relu2" "'relu'"
expect " layer 1  relu1  (Relu)" "conv2 filtered out: the first row is selected"
send Enter q
wait_exit 0
finish
