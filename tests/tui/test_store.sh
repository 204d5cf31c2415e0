# The experiment store from the TUI: a completed profile is recorded (the
# model registered, the run written by the worker thread) in $CHIPFIT_DB and
# the status says "recorded as run N of experiment M"; `chipfit exp list`
# sees it. e shows the experiments (id, model, tag, runs, the latest
# measured latency); t tags one, n notes one, Enter makes one current (the
# title shows "exp N"), Esc goes back. A missing store is a line in the
# view, not an error; a broken store file is an error in the status line
# while the profile itself still shows.
. "$(dirname "$0")/lib.sh"
NUM='[0-9]+\.[0-9]'
DB=$TMP/chipfit.db

tui_start -- "$MODEL"
send p
wait_re "recorded as run [0-9]+ of experiment [0-9]+" 60
expect_line 3 "^ profiled: recorded as run 1 of experiment 1; $NUM µs median per run \(measured, 1 thread\(s\), cpu\)" \
  "status: recorded, with the measured median"
expect_line 1 '^ chipfit  fashion_cnn\.onnx  exp 1  producer pytorch' "title: the experiment"
expect_re "^ +3 conv2 +Conv +1x64x11x11 +18\.5k +2\.23M +$NUM " "the profile shows"
send q
wait_exit 0
checks=$((checks + 1))
list=$("$CHIPFIT" exp list --db "$DB" 2>&1) || fail "exp list failed: $list"
checks=$((checks + 1))
grep -qE "^1 +fashion_cnn\.onnx +- +1  $NUM µs \(cpu, 1 thread\)$" <<<"$list" ||
  fail "exp list: one run of experiment 1: $list"

# the experiments view
tui_start -- "$MODEL"
send e
sync_keys
expect_line 4 '^  id +model +tag +runs  latency \(measured, median\)' "e: the head"
expect_line 5 "^[ *] 1 +fashion_cnn\.onnx +- +1  $NUM µs \(cpu, 1 thread\)$" "e: experiment 1, one run, its latency"
checks=$((checks + 1))
highlighted 5 || fail "e: the experiment is selected"
expect_re '^ experiments \(\* current\): Enter uses one' "e: the keys"
expect_not "conv2" "e: the layer table gives way"
send t
type_text baseline
sync_keys
expect_line 29 '^Tag of experiment 1: baseline_   Enter sets' "t: the tag prompt"
send Enter
sync_keys
expect_line 3 '^ experiment 1 tagged baseline$' "t: the status"
expect_line 5 "^[ *] 1 +fashion_cnn\.onnx +baseline +1  $NUM µs" "t: the tag in the list"
send n
type_text "first try"
send Enter
sync_keys
expect_line 3 '^ experiment 1 noted: first try$' "n: the status"
checks=$((checks + 1))
grep -qE "^1 +fashion_cnn\.onnx +baseline +1 " <<<"$("$CHIPFIT" exp list --db "$DB" 2>&1)" ||
  fail "exp list: the tag: $("$CHIPFIT" exp list --db "$DB" 2>&1)"
checks=$((checks + 1))
grep -q "note      first try" <<<"$("$CHIPFIT" exp show 1 --db "$DB" 2>&1)" ||
  fail "exp show: the note: $("$CHIPFIT" exp show 1 --db "$DB" 2>&1)"
send t C-u Escape
sync_keys
expect_line 3 '^ tag unchanged$' "Esc keeps the tag"
expect_line 5 "^[ *] 1 +fashion_cnn\.onnx +baseline " "Esc: the tag stays"
send Enter
sync_keys
expect_line 3 '^ experiment 1 \(baseline\) is current: profiles are recorded onto it$' "Enter: current"
expect_line 1 '^ chipfit  fashion_cnn\.onnx  exp 1  producer' "Enter: the title shows it"
expect_re '^ +3 conv2 +Conv ' "Enter: back to the layer table"
send p
wait_re "recorded as run 2 of experiment 1" 60
send e
sync_keys
expect_line 5 "^\* 1 +fashion_cnn\.onnx +baseline +2  $NUM µs \(cpu, 1 thread\)$" "two runs; * marks the current"
resize 80 24
expect_fits 80 24 "80x24: the experiments view"
expect_line 5 "^\* 1 +fashion_cnn\.onnx +baseline +2  $NUM µs \(cpu, 1 thread\)$" "80x24: the whole row"
expect_line 24 '^F1Help F2Setup F3Filter F5Profile F6Sort oOpen dDetail eExps F10Quit$' "80x24: the function bar"
resize 100 30
send Escape
sync_keys
expect_re '^ +3 conv2 +Conv ' "Esc: back to the layer table"
send e e
sync_keys
expect_re '^ +3 conv2 +Conv ' "e: back to the layer table"
send q
wait_exit 0

# no store yet (and none made: CHIPFIT_NO_STORE, or opening would register
# the model): a line, no error; nothing to tag
tui_start CHIPFIT_DB="$TMP/none.db" CHIPFIT_NO_STORE=1 -- "$MODEL"
send e
sync_keys
expect_line 5 "^ the experiment store is off \(CHIPFIT_NO_STORE\): nothing recorded, nothing shown$" \
  "store off: a clear line"
send t
sync_keys
expect_line 3 '^ no experiment to tag: profile with p to record one$' "t with no experiments"
expect_not "Tag of experiment" "no tag prompt"
checks=$((checks + 1))
[[ ! -e $TMP/none.db ]] || fail "viewing created the store"
send Escape q
wait_exit 0

# a broken store: the profile shows, the status says why it was not recorded
head -c 8192 /dev/urandom >"$TMP/broken.db"
tui_start CHIPFIT_DB="$TMP/broken.db" -- "$MODEL"
send p
wait_for "but not recorded" 60
expect_line 3 "^ profiled \($NUM µs median per run, measured\), but not recorded: .*broken\.db" \
  "broken store: the error names the store"
checks=$((checks + 1))
"${TM[@]}" capture-pane -p -e -t tui | sed -n 3p | grep -q $'\e\\[31m' || fail "broken store: the status is not red"
expect_line 2 "  CPU $NUM µs/run \(measured, 1" "broken store: the totals are measured"
expect_re "^ +3 conv2 +Conv +1x64x11x11 +18\.5k +2\.23M +$NUM " "broken store: the table is measured"
expect_line 1 '^ chipfit  fashion_cnn\.onnx  producer' "broken store: no experiment in the title"
send e
sync_keys
expect_line 5 '^ cannot read the experiment store: .*broken\.db' "broken store: a line in the view"
send Escape q
wait_exit 0
finish
