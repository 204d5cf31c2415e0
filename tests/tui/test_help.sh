# The help overlay: ? (also h, F1) draws a box over the table listing every
# key; Up/Down scroll it in a short terminal (and stop at its end), any other
# key closes it without acting, q quits from it.
. "$(dirname "$0")/lib.sh"

tui_start -- "$MODEL"
send '?'
sync_keys
expect_re '^.*┌─{74}┐.*$' "a box"
expect_re '^.*└─{74}┘.*$' "its bottom"
for re in '│ Keys ' \
  '│   Up/Down k/j     move            PgUp/PgDn space  page ' \
  '│   Home/End g/G    first / last    mouse  click selects, wheel scrolls ' \
  '│   < >  \(F6 = >\)   sort by the previous / next column ' \
  '│   1\.\.8            sort by # layer op output params MACs CPU share ' \
  '│   I               invert the sort order ' \
  '│   / \(F3\)          filter by name or op, live; Enter keeps, Esc clears ' \
  '│   d               show / hide the detail pane;  J / K scroll it ' \
  '│   w               weight statistics ' \
  '│   p \(F5\)          profile on the CPU in the background ' \
  '│   Esc \(F9\)        cancel a running profile ' \
  '│   s \(F2\)          settings: threads, repeats, warm-up, backend ' \
  '│   o               open another model ' \
  '│   e               experiments \(the store\): Enter uses one, t tag, n note ' \
  '│   \? \(F1\)          this help;   q \(F10\)  quit ' \
  '│ Esc or \? closes this help; Up/Down scroll it\. '; do
  expect_re "$re" "help line /$re/"
done
expect_line 30 '^F1Help ' "the function bar below the box"
send Escape
sync_keys
expect_not "│ Keys" "Esc closes the help"
expect_re '^ +3 conv2 +Conv ' "the table is back"
send h
sync_keys
expect "│ Keys" "h opens the help"
send 6
sync_keys
expect_not "│ Keys" "6 closes the help"
expect_line 3 '^ opened ' "... without sorting"
expect_line 4 '^ +#▲ layer' "still sorted by #"
send F1
sync_keys
expect "│ Keys" "F1 opens the help"
send '?'
sync_keys
expect_not "│ Keys" "? closes it"
send q
wait_exit 0

# 100x16: 12 of the help's 21 lines show; Down scrolls and stops at the end.
tui_start -y 16 -- "$MODEL"
send '?'
sync_keys
expect "│ Keys" "100x16: the help's first line"
expect_not "closes this help" "100x16: the last line is below"
send Down Down Down
sync_keys
expect_not "│ Keys" "Down scrolls"
send j j j j j j j j j j j j j j j j j j j j
sync_keys
expect "│ Esc or ? closes this help; Up/Down scroll it." "the last line shows"
expect_re '│ the last profile on this machine\. +│' "the lines above it"
expect_re '^.*└─{74}┘.*$' "the box's bottom"
send k
sync_keys
expect_not "closes this help" "Up right away at the end scrolls back"
send q
wait_exit 0
expect_terminal_restored "q in the help"
finish
