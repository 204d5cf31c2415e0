# The mouse: a click on a row selects it (the detail pane follows), a click
# elsewhere changes nothing, the wheel moves the selection three rows and the
# view follows it; clicks land on the right layer after a sort, a filter and
# a scroll. The reports go in as an xterm writes them (lib.sh: mouse_event).
. "$(dirname "$0")/lib.sh"

# detail_head: the layer the detail pane shows ("3 conv2").
detail_head() {
  sed -nE 's/^ layer ([0-9]+)  ([a-z0-9_]+)  \(.*$/\1 \2/p' "$TMP/screen"
}
# row_at LINE: the layer shown on a screen line ("3 conv2").
row_at() {
  line "$1" | sed -nE 's/^ *([0-9]+) ([a-z0-9_]+) .*$/\1 \2/p'
}

tui_start -- "$MODEL"
expect_eq "$(detail_head)" "0 conv1" "the first layer is selected"
# the table's rows are lines 5 to 13: conv2 is on line 8
click 10 8
sync_keys
expect_eq "$(detail_head)" "3 conv2" "a click on line 8 selects conv2"
checks=$((checks + 1))
highlighted 8 || fail "conv2's row (line 8) is not highlighted after the click"
click 60 12                       # far right on the row, in the MACs column
sync_keys
expect_eq "$(detail_head)" "7 fc" "a click anywhere on a row selects it"
# clicks off the rows do nothing: the title, the table head, the empty
# lines under the rows, the detail pane, the function bar
for y in 1 4 15 22 30; do
  click 10 "$y"
  sync_keys
  expect_eq "$(detail_head)" "7 fc" "a click on line $y changes nothing"
done
# the wheel: three rows a notch, and it stops at the ends
wheel_up 10 8
sync_keys
expect_eq "$(detail_head)" "4 relu2" "wheel up: three rows up"
wheel_up 10 8
wheel_up 10 8
sync_keys
expect_eq "$(detail_head)" "0 conv1" "wheel up twice more: stops at the first row"
wheel_down 10 8
sync_keys
expect_eq "$(detail_head)" "3 conv2" "wheel down: three rows down"
wheel_down 10 8
wheel_down 10 8
sync_keys
expect_eq "$(detail_head)" "8 softmax" "wheel down twice more: stops at the last row"

# after a sort (6: MACs, largest first), a click picks the row it is on
send 6
sync_keys
want=$(row_at 6)
expect_eq "$want" "0 conv1" "sorted by MACs: conv1 second"
click 10 6
sync_keys
expect_eq "$(detail_head)" "$want" "sorted: a click on line 6 selects what line 6 shows"
# with a filter, the rows are the matches
send /
type_text relu
send Enter
sync_keys
expect_eq "$(layer_order)" "relu1 relu2" "filter relu: two rows"
click 10 6
sync_keys
expect_eq "$(detail_head)" "4 relu2" "filtered: a click on the second row selects relu2"
click 10 7
sync_keys
expect_eq "$(detail_head)" "4 relu2" "filtered: a click under the last match changes nothing"
send q
wait_exit 0
expect_terminal_restored "q after mouse use"

# A short screen: the table shows a few rows, and the wheel scrolls the view
# along with the selection; a click after that picks the row on screen.
tui_start -y 14 -- "$MODEL"
top=$(row_at 5)
expect_eq "$top" "0 conv1" "short screen: conv1 on top"
wheel_down 10 5
wheel_down 10 5
wheel_down 10 5
sync_keys
expect_eq "$(detail_head)" "8 softmax" "short screen: the wheel reaches the last row"
expect_re '^ +8 softmax ' "short screen: the view followed the selection to softmax"
want=$(row_at 5)
checks=$((checks + 1))
[[ -n $want && $want != "0 conv1" ]] || fail "short screen: the view did not scroll (line 5 is '$(line 5)')"
click 10 5
sync_keys
expect_eq "$(detail_head)" "$want" "short screen: a click on the top row after scrolling selects it"
send q
wait_exit 0
finish
