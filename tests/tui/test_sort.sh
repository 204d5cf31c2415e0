# Sorting the layer table: the number keys 1..8 pick a column (numbers
# largest first, names A to Z), the same key again inverts, I inverts, < and >
# step through the columns. The head marks the column and direction, the
# status line says it, ties keep the graph's order in both directions, and
# the selected layer stays selected.
. "$(dirname "$0")/lib.sh"

# sort_check KEY ORDER HEAD-REGEX STATUS DESCRIPTION
sort_check() {
  send "$1"
  sync_keys
  expect_eq "$(layer_order)" "$2" "$5: row order"
  expect_line 4 "$3" "$5: the head marks the column"
  expect_line 3 "^ $4$" "$5: status"
}

tui_start -- "$MODEL"
expect_line 4 '^ +#▲ layer ' "sorted by # at the start"
sort_check 6 "conv2 conv1 fc relu1 pool1 relu2 pool2 flatten softmax" \
  ' params +MACs▼ +CPU µs share$' "sorted by MACs, largest first" "6: MACs"
# the numbers' right edges stay under the right-aligned titles
head=$(line 4) row=$(line 5)
pre=${head%%MACs▼*}
end_title=$((${#pre} + 5))
pre=${row%%2.23M*}
expect_eq "$((${#pre} + 5))" "$end_title" "MACs: the title's arrow ends where the numbers end"
sort_check 6 "relu1 pool1 relu2 pool2 flatten softmax fc conv1 conv2" \
  ' params +MACs▲ +CPU µs share$' "sorted by MACs, smallest first" "6 again: inverted"
sort_check I "conv2 conv1 fc relu1 pool1 relu2 pool2 flatten softmax" \
  ' params +MACs▼ +CPU µs share$' "sorted by MACs, largest first" "I: inverted back"
sort_check 2 "conv1 conv2 fc flatten pool1 pool2 relu1 relu2 softmax" \
  '^ +# layer▲ +op ' "sorted by layer, smallest first" "2: layer names A to Z"
sort_check 2 "softmax relu2 relu1 pool2 pool1 flatten fc conv2 conv1" \
  '^ +# layer▼ +op ' "sorted by layer, largest first" "2 again: Z to A"
sort_check 3 "conv1 conv2 flatten fc pool1 pool2 relu1 relu2 softmax" \
  ' layer +op▲ +output ' "sorted by op, smallest first" "3: op"
sort_check 3 "softmax relu1 relu2 pool1 pool2 fc flatten conv1 conv2" \
  ' layer +op▼ +output ' "sorted by op, largest first" "3 again: ties stay in graph order"
sort_check 4 "conv1 relu1 conv2 relu2 pool1 pool2 flatten fc softmax" \
  ' op +output▼ +params ' "sorted by output, largest first" "4: output size"
sort_check 5 "conv2 fc conv1 relu1 pool1 relu2 pool2 flatten softmax" \
  ' output +params▼ +MACs ' "sorted by params, largest first" "5: params"
sort_check '>' "conv2 conv1 fc relu1 pool1 relu2 pool2 flatten softmax" \
  ' params +MACs▼ +CPU ' "sorted by MACs, largest first" "> : the next column"
sort_check '<' "conv2 fc conv1 relu1 pool1 relu2 pool2 flatten softmax" \
  ' output +params▼ +MACs ' "sorted by params, largest first" "< : the previous column"
# not profiled: CPU and share are all unknown, so graph order either way
sort_check 7 "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" \
  ' MACs +CPU µs▼ share$' "sorted by CPU µs, largest first" "7: CPU, nothing measured"
sort_check 8 "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" \
  ' CPU µs share▼$' "sorted by share, largest first" "8: share, nothing measured"
sort_check '>' "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" \
  '^ +#▲ layer ' "sorted by #, smallest first" "> after the last column wraps to #"
sort_check 1 "softmax fc flatten pool2 relu2 conv2 pool1 relu1 conv1" \
  '^ +#▼ layer ' "sorted by #, largest first" "1 again: last layer first"

# The selection follows its layer through a sort.
sort_check 1 "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" \
  '^ +#▲ layer ' "sorted by #, smallest first" "1: graph order"
send Down Down Down
sync_keys
expect " layer 3  conv2  (Conv)" "Down x3 selects conv2"
send 2
sync_keys
expect " layer 3  conv2  (Conv)" "conv2 still selected after sorting by name"
send 6
sync_keys
expect " layer 3  conv2  (Conv)" "conv2 still selected after sorting by MACs"
send Down
sync_keys
expect " layer 0  conv1  (Conv)" "Down moves in the sorted order"
send q
wait_exit 0
finish
