# Helpers for the TUI tests: chipfit runs in a detached tmux session of a
# fixed size on a private server, keys go in with send-keys and the screen
# comes back with capture-pane. A test script sources this with CHIPFIT (the
# binary) and SRC (the source dir) as $1 and $2, then:
#
#   tui_start -- "$MODEL"          # [-x W] [-y H] [VAR=VALUE]... -- chipfit's arguments
#   wait_for "layers 9"            # polls the screen (never a fixed sleep)
#   send j j; type_text pool; sync_keys # keys, literal text, wait until handled
#   expect "pool1" "what it shows"; expect_not ...; expect_line 3 REGEX ...
#   send q; wait_exit 0; expect_terminal_restored
#   finish
#
# chipfit runs inside a small shell script in the pane, which records the
# terminal modes (stty -g) before and after it, its exit status and its pid,
# then sleeps so the screen stays readable. CHIPFIT_TUI_TRACE tells when each
# key has been handled and redrawn. Under the sanitizer build
# (CHIPFIT_SANITIZE=1) timeouts are longer and sanitizer reports go to files
# that finish() turns into failures.
# shellcheck shell=bash disable=SC2016,SC2034
set -u
CHIPFIT=$1
SRC=$2
if ! command -v tmux >/dev/null; then
  echo "SKIP: tmux is not installed"
  exit 77
fi
# the caller's settings must not reach chipfit: colours on unless a test
# says otherwise, the size from the window (curses prefers LINES/COLUMNS)
unset TMUX TMUX_PANE NO_COLOR LINES COLUMNS CHIPFIT_TUI_TRACE CHIPFIT_NO_STORE
# UTF-8 for this shell (${#s} counts characters, as the screen does) and for
# the tmux client (else capture-pane turns every non-ASCII character into _)
export LC_ALL=C.UTF-8
# A short temporary directory of a fixed length (not $TMPDIR), and the demo
# model copied into it: paths on the screen are then as long wherever the
# checkout lives (CI's is deeper than a developer's).
TMP=$(mktemp -d /tmp/cf-tui.XXXXXX)
MODEL=$TMP/fashion_cnn.onnx
cp "$SRC/models/fashion_cnn.onnx" "$MODEL"
TM=(tmux -S "$TMP/tmux.sock" -f /dev/null)
SLOW=1
[[ -n ${CHIPFIT_SANITIZE:-} ]] && SLOW=4
failures=0
checks=0
keys_sent=0
trap 'tui_stop; rm -rf "$TMP"' EXIT

fail() {
  echo "FAIL: $1"
  failures=$((failures + 1))
}

# ---- the session ------------------------------------------------------------------

# tui_start [-x W] [-y H] [VAR=VALUE]... -- ARGS...: a fresh server and
# session running `chipfit ARGS` in a UTF-8 locale (VAR=VALUE overrides, e.g.
# LANG=C LC_ALL=C). Returns once chipfit has drawn its first screen.
tui_start() {
  local w=100 h=30 envs=()
  while [[ $# -gt 0 && $1 != -- ]]; do
    case $1 in
      -x) w=$2; shift 2 ;;
      -y) h=$2; shift 2 ;;
      *) envs+=("$1"); shift ;;
    esac
  done
  shift
  tui_stop
  rm -f "$TMP"/rc "$TMP"/pid "$TMP"/stty.* "$TMP"/trace "$TMP"/screen
  keys_sent=0
  # the experiment store in the test's directory: profiling records there,
  # never in the build tree (a test may name another with CHIPFIT_DB=...)
  local run_env=(CHIPFIT_TUI_TRACE="$TMP/trace" CHIPFIT_DB="$TMP/chipfit.db"
                 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/asan"
                 UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/ubsan"
                 "${envs[@]}")
  # bash -c 'echo $$; exec ...' keeps chipfit in the foreground with a known pid.
  {
    echo 'd=$1'
    echo 'stty -g > "$d/stty.before"'
    echo 'echo "@@ shell before chipfit"'
    printf 'bash -c %q "$d/pid" env %s%s\n' 'echo $$ > "$0"; exec "$@"' \
      "$(printf '%q ' "${run_env[@]}")" "$(printf '%q ' "$CHIPFIT" "$@")"
    echo 'rc=$?'
    echo 'stty -g > "$d/stty.after"'
    echo 'echo "@@ chipfit exited rc=$rc"'
    echo 'echo $rc > "$d/rc.tmp" && mv "$d/rc.tmp" "$d/rc"'
    echo 'exec sleep 3600'
  } >"$TMP/run.sh"
  "${TM[@]}" new-session -d -s tui -x "$w" -y "$h" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
    -e TERM=screen "$(printf 'bash %q %q' "$TMP/run.sh" "$TMP")" || { fail "tmux new-session"; return 1; }
  local i
  for ((i = 0; i < 200 * SLOW; i++)); do
    [[ -s $TMP/trace || -e $TMP/rc ]] && break
    sleep 0.05
  done
  if ! grep -q '^open ' "$TMP/trace" 2>/dev/null; then
    fail "chipfit $* did not draw its first screen"
    capture
    sed 's/^/  | /' "$TMP/screen"
    return 1
  fi
  settle
}

# Ends the session (chipfit gets SIGHUP) and makes sure chipfit is gone.
tui_stop() {
  "${TM[@]}" kill-server 2>/dev/null
  local pid i
  pid=$(cat "$TMP/pid" 2>/dev/null) || return 0
  for ((i = 0; i < 40 * SLOW; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  rm -f "$TMP/pid"
  return 0
}

chipfit_pid() {
  cat "$TMP/pid"
}

# resize W H: the window's new size; returns once chipfit has redrawn
# (KEY_RESIZE is a key in the trace).
resize() {
  local i n0 n
  n0=$(grep -cv '^open ' "$TMP/trace" 2>/dev/null)
  "${TM[@]}" resize-window -t tui -x "$1" -y "$2"
  for ((i = 0; i < 100 * SLOW; i++)); do
    n=$(grep -cv '^open ' "$TMP/trace" 2>/dev/null)
    [[ $n -gt $n0 ]] && break
    sleep 0.05
  done
  [[ $n -gt $n0 ]] || fail "no redraw after resizing to $1x$2"
  keys_sent=$n
  settle
}

# expect_fits W H DESCRIPTION: the screen has H lines, none wider than W
# characters.
expect_fits() {
  local n=0 l
  checks=$((checks + 1))
  while IFS= read -r l; do
    n=$((n + 1))
    if [[ ${#l} -gt $1 ]]; then
      fail "$3: line $n has ${#l} characters, more than $1"
      show_screen
      return 1
    fi
  done <"$TMP/screen"
  [[ $n -eq $2 ]] || { fail "$3: $n lines, wanted $2"; show_screen; return 1; }
}

# column LINE TEXT: the character column where TEXT starts in screen line
# LINE (0 = the left edge), -1 when absent.
column() {
  local l
  l=$(line "$1")
  [[ $l == *"$2"* ]] || { echo -1; return; }
  l=${l%%"$2"*}
  echo "${#l}"
}

# ---- keys -------------------------------------------------------------------------

# send KEY...: tmux key names (Down, PgDn, Escape, F5, q); each is one key.
send() {
  "${TM[@]}" send-keys -t tui "$@"
  keys_sent=$((keys_sent + $#))
}

# type_text TEXT: literal characters, one key each.
type_text() {
  "${TM[@]}" send-keys -t tui -l -- "$1"
  keys_sent=$((keys_sent + ${#1}))
}

# mouse_event CODE X Y: one mouse report, as an xterm writes it in X10
# encoding (ESC [ M, then 32 + the button code, 32 + column, 32 + line;
# X and Y count from 1, as the screen's lines do here). TERM in the pane is
# tmux's "screen", whose terminfo names that encoding (kmous).
mouse_event() {
  # shellcheck disable=SC2046
  "${TM[@]}" send-keys -t tui -H 1b 5b 4d $(printf "%x " $((32 + $1)) $((32 + $2)) $((32 + $3)))
  keys_sent=$((keys_sent + 1))
}
# click X Y: a press, then (once chipfit has handled it) the release. Sent
# back to back, a busy machine may deliver both in one read, and curses
# then reports one event, not two: the key count would be off.
click() {
  mouse_event 0 "$1" "$2"
  sync_keys
  mouse_event 3 "$1" "$2"
}
wheel_up() { mouse_event 64 "$1" "$2"; }
wheel_down() { mouse_event 65 "$1" "$2"; }

# sync_keys: waits until chipfit has handled and redrawn every key sent (one
# trace line each), then until the screen is still.
sync_keys() {
  local i n=0
  for ((i = 0; i < 200 * SLOW; i++)); do
    n=$(grep -cv '^open ' "$TMP/trace" 2>/dev/null)
    [[ $n -ge $keys_sent ]] && break
    sleep 0.05
  done
  [[ $n -ge $keys_sent ]] || fail "chipfit handled $n keys of $keys_sent"
  settle
}

# ---- the screen -------------------------------------------------------------------

capture() {
  "${TM[@]}" capture-pane -p -t tui >"$TMP/screen" 2>/dev/null
}

# Captures until two captures 50 ms apart agree (a redraw is done), at most ~1 s.
settle() {
  local i prev=
  capture
  for ((i = 0; i < 20; i++)); do
    prev=$(cat "$TMP/screen")
    sleep 0.05
    capture
    [[ $(cat "$TMP/screen") == "$prev" ]] && return 0
  done
  return 0
}

show_screen() {
  sed 's/^/  | /' "$TMP/screen"
}

# wait_for TEXT [SECONDS]: until the screen holds TEXT (fixed string).
wait_for() {
  local limit=$(((${2:-10}) * 20 * SLOW)) i
  checks=$((checks + 1))
  for ((i = 0; i < limit; i++)); do
    capture
    if grep -qF -- "$1" "$TMP/screen"; then
      settle
      return 0
    fi
    sleep 0.05
  done
  fail "timed out waiting for '$1' on the screen"
  show_screen
  return 1
}

# wait_re REGEX [SECONDS]: until some line of the screen matches (grep -E).
wait_re() {
  local limit=$(((${2:-10}) * 20 * SLOW)) i
  checks=$((checks + 1))
  for ((i = 0; i < limit; i++)); do
    capture
    if grep -qE -- "$1" "$TMP/screen"; then
      settle
      return 0
    fi
    sleep 0.05
  done
  fail "timed out waiting for /$1/ on the screen"
  show_screen
  return 1
}

# wait_gone TEXT [SECONDS]: until the screen no longer holds TEXT.
wait_gone() {
  local limit=$(((${2:-10}) * 20 * SLOW)) i
  checks=$((checks + 1))
  for ((i = 0; i < limit; i++)); do
    capture
    if ! grep -qF -- "$1" "$TMP/screen"; then
      settle
      return 0
    fi
    sleep 0.05
  done
  fail "timed out waiting for '$1' to leave the screen"
  show_screen
  return 1
}

# expect TEXT DESCRIPTION: the last capture holds TEXT (fixed string).
expect() {
  checks=$((checks + 1))
  if ! grep -qF -- "$1" "$TMP/screen"; then
    fail "$2: '$1' not on the screen"
    show_screen
    return 1
  fi
}

expect_not() {
  checks=$((checks + 1))
  if grep -qF -- "$1" "$TMP/screen"; then
    fail "$2: '$1' is on the screen"
    show_screen
    return 1
  fi
}

# expect_re REGEX DESCRIPTION: some line of the last capture matches (grep -E).
expect_re() {
  checks=$((checks + 1))
  if ! grep -qE -- "$1" "$TMP/screen"; then
    fail "$2: /$1/ not on the screen"
    show_screen
    return 1
  fi
}

# line N: screen line N (1 = the top).
line() {
  sed -n "${1}p" "$TMP/screen"
}

# expect_line N REGEX DESCRIPTION: screen line N matches REGEX (grep -E).
expect_line() {
  checks=$((checks + 1))
  if ! line "$1" | grep -qE -- "$2"; then
    fail "$3: line $1 is '$(line "$1")', wanted /$2/"
    show_screen
    return 1
  fi
}

# highlighted N: screen line N starts in reverse video or a colour (the
# selected row), not counting the resets that end the line above.
highlighted() {
  "${TM[@]}" capture-pane -p -e -t tui | sed -n "${1}p" |
    sed -E $'s/^(\e\\[(0|39|49)?m)+//' | grep -q $'^\e\\['
}

# The demo model's layers in the order the table shows them (the rows between
# the table head on line 4 and the detail pane or the bottom).
layer_order() {
  sed -n '5,$p' "$TMP/screen" |
    sed -nE 's/^ *([0-9]+ +)?(conv1|relu1|pool1|conv2|relu2|pool2|flatten|fc|softmax) +(Conv|Relu|MaxPool|Flatten|Gemm|Softmax)( .*)?$/\2/p' |
    tr '\n' ' ' | sed 's/ $//'
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
  checks=$((checks + 1))
  if [[ "$1" != "$2" ]]; then
    fail "$3: got '$1', wanted '$2'"
    return 1
  fi
}

# ---- the end ----------------------------------------------------------------------

# wait_exit RC [SECONDS]: chipfit has exited with RC.
wait_exit() {
  local limit=$(((${2:-10}) * 20 * SLOW)) i
  checks=$((checks + 1))
  for ((i = 0; i < limit; i++)); do
    [[ -e $TMP/rc ]] && break
    sleep 0.05
  done
  if [[ ! -e $TMP/rc ]]; then
    fail "chipfit did not exit (wanted exit status $1)"
    capture
    show_screen
    return 1
  fi
  local rc
  rc=$(cat "$TMP/rc")
  if [[ $rc != "$1" ]]; then
    fail "chipfit exited $rc, wanted $1"
    capture
    show_screen
    return 1
  fi
  settle
}

# After chipfit exited: the terminal modes are those it started with, the
# alternate screen is off, the cursor shown, mouse reporting off and the
# shell's screen back.
expect_terminal_restored() {
  local what=${1:-after quitting}
  checks=$((checks + 1))
  if ! cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
    fail "$what: terminal modes differ (stty -g before: $(cat "$TMP/stty.before"), after: $(cat "$TMP/stty.after"))"
  fi
  local flags
  flags=$("${TM[@]}" display-message -p -t tui \
    'alt=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}#{mouse_sgr_flag} keypad=#{keypad_cursor_flag}#{keypad_flag}')
  expect_eq "$flags" "alt=0 cursor=1 mouse=0000 keypad=00" "$what: tmux's view of the terminal"
  expect "@@ shell before chipfit" "$what: the shell's screen is back"
  expect "@@ chipfit exited" "$what: the shell's output follows"
}

# The sanitizer's reports (log_path) fail the test.
check_sanitizer_logs() {
  local f
  for f in "$TMP"/asan.* "$TMP"/ubsan.*; do
    [[ -e $f ]] || continue
    fail "sanitizer report $(basename "$f")"
    head -30 "$f" | sed 's/^/  | /'
  done
}

finish() {
  tui_stop
  check_sanitizer_logs
  echo "$((checks - failures)) passed, $failures failed"
  [[ $failures -eq 0 ]]
}
