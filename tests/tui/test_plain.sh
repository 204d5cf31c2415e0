# Plain terminals: NO_COLOR (non-empty) draws with reverse and bold only, no
# colour codes; a non-UTF-8 locale (LANG=C) gets ASCII everywhere: the table
# head ("CPU us", ^ v arrows), the share bars (#), the weight histogram, the
# help and settings boxes (+-|), and every "us" in the status, totals and
# detail pane. Not a single non-ASCII byte on the screen.
. "$(dirname "$0")/lib.sh"
NUM='[0-9]+\.[0-9]'
COLOUR=$'\e\\[([0-9]+;)*(3[0-7]|4[0-7])(;[0-9]+)*m'

colour_codes() {   # how many colour codes the screen holds
  "${TM[@]}" capture-pane -p -e -t tui | grep -cE "$COLOUR"
}

# colours by default (so the NO_COLOR check below means something)
tui_start -- "$MODEL"
checks=$((checks + 1))
[[ $(colour_codes) -gt 0 ]] || fail "no colour codes with colours on"
send q
wait_exit 0
tui_start NO_COLOR= -- "$MODEL"
checks=$((checks + 1))
[[ $(colour_codes) -gt 0 ]] || fail "NO_COLOR empty: colours stay on"
send q
wait_exit 0

tui_start NO_COLOR=1 -- "$MODEL"
send j j j o C-u
type_text /nope.onnx
send Enter
sync_keys
expect_line 3 '^ cannot open /nope\.onnx: no such file$' "NO_COLOR: an error"
expect_eq "$(colour_codes)" 0 "NO_COLOR: no colour codes"
checks=$((checks + 1))
highlighted 8 || fail "NO_COLOR: the selected row (conv2) is highlighted all the same"
checks=$((checks + 1))
"${TM[@]}" capture-pane -p -e -t tui | sed -n 3p | grep -q $'\e\\[1m' || fail "NO_COLOR: the error is bold"
send p
wait_for "profiled:" 60
expect_eq "$(colour_codes)" 0 "NO_COLOR: no colour codes after profiling"
send q
wait_exit 0

tui_start LANG=C LC_ALL=C -- "$MODEL"
expect_line 4 '^ +#\^ layer +op +output +params +MACs +CPU us share$' "LANG=C: the head in ASCII"
send p
wait_for "profiled:" 60
expect_line 3 "^ profiled: recorded as run [0-9]+ of experiment 1; $NUM us median per run \(measured, 1 thread\(s\), cpu\)" "LANG=C: us in the status"
expect_line 2 "  CPU $NUM us/run \(measured, 1" "LANG=C: us in the totals"
expect_re "^ +3 conv2 +Conv +1x64x11x11 +18\.5k +2\.23M +$NUM #+$" "LANG=C: conv2's bar in #"
expect_re "^ measured  median $NUM us  p10 " "LANG=C: us in the detail pane"
expect_re '^           \[[ .:=+*#%@-]{24}\]  24 bins' "LANG=C: the histogram in ASCII"
upto_bar=$(line 8 | sed -E 's/ #+$//')
expect_eq "${#upto_bar}" "$(($(column 4 "CPU us") + 6))" "LANG=C: the CPU number ends under the end of 'CPU us'"
send 6
sync_keys
expect_line 4 ' params +MACsv +CPU us share$' "LANG=C: v for largest first"
expect_line 3 '^ sorted by MACs, largest first$' "LANG=C: sort status"
send 7
sync_keys
expect_line 3 '^ sorted by CPU us, largest first$' "LANG=C: 'CPU us' in the sort status"
send '?'
sync_keys
expect_re '^.*\+-{74}\+.*$' "LANG=C: the help box's corners and edges"
expect_re '\| Keys +\|' "LANG=C: the help box's sides"
checks=$((checks + 1))
if LC_ALL=C grep -q $'[\x80-\xff]' "$TMP/screen"; then
  fail "LANG=C: non-ASCII bytes on the screen"
  LC_ALL=C grep -n $'[\x80-\xff]' "$TMP/screen" | head -5
fi
send Escape s
sync_keys
expect_re '^.*\+-{46}\+.*$' "LANG=C: the settings box in ASCII"
checks=$((checks + 1))
LC_ALL=C grep -q $'[\x80-\xff]' "$TMP/screen" && fail "LANG=C: non-ASCII bytes in the settings form"
send Escape s Down BSpace BSpace
type_text 100000
send Enter p
wait_for "profiling: " 10
sleep 1
capture
checks=$((checks + 1))
LC_ALL=C grep -q $'[\x80-\xff]' "$TMP/screen" && fail "LANG=C: non-ASCII bytes in the progress line"
expect_re "^ #* +profiling: " "LANG=C: the progress bar in #"
send q y
wait_exit 0
finish
