# The terminal is put back however the TUI ends: q, Ctrl-C (also while a
# profile runs), SIGTERM, SIGHUP (exit status 1 for the signals), and a
# crash (SIGSEGV: the process dies of it, the handler restored the modes).
# Each time: stty -g before and after agree, the alternate screen is off,
# the cursor visible, mouse reporting and keypad mode off, and the shell's
# screen is back. While it runs the modes do differ (the check can fail).
. "$(dirname "$0")/lib.sh"

running_modes() {   # $1: what
  local flags tty
  flags=$("${TM[@]}" display-message -p -t tui 'alt=#{alternate_on} mouse=#{mouse_any_flag}')
  expect_eq "$flags" "alt=1 mouse=1" "$1: alternate screen and mouse on while running"
  tty=$("${TM[@]}" display-message -p -t tui '#{pane_tty}')
  checks=$((checks + 1))
  [[ $(stty -g <"$tty") != "$(cat "$TMP/stty.before")" ]] || fail "$1: the modes did not change while running"
}

tui_start -- "$MODEL"
running_modes "q"
send q
wait_exit 0
expect_terminal_restored "q"

tui_start -- "$MODEL"
send j /
type_text co
sync_keys
"${TM[@]}" send-keys -t tui C-c
wait_exit 1
expect_terminal_restored "Ctrl-C while filtering"

# Ctrl-C during a long profile: ends at once
tui_start -- "$MODEL"
send s Down BSpace BSpace
type_text 100000
send Enter p
wait_for "profiling: " 10
running_modes "profiling"
"${TM[@]}" send-keys -t tui C-c
wait_exit 1 5
expect_terminal_restored "Ctrl-C while profiling"

for sig in TERM HUP; do
  tui_start -- "$MODEL"
  send '?'
  sync_keys
  kill -s "$sig" "$(chipfit_pid)"
  wait_exit 1
  expect_terminal_restored "SIG$sig with the help open"
done

# A crash: the fatal-signal handler restores the terminal, then the process
# dies of the signal (128 + 11).
tui_start -- "$MODEL"
send s
sync_keys
# stderr goes to a temporary file that is already unlinked: a crash leaves nothing behind
checks=$((checks + 1))
fd2=$(readlink "/proc/$(chipfit_pid)/fd/2")
[[ $fd2 == /tmp/chipfit-stderr-*" (deleted)" ]] || fail "chipfit's stderr is '$fd2', wanted an unlinked temporary file"
kill -s SEGV "$(chipfit_pid)"
wait_exit 139
expect_terminal_restored "SIGSEGV"
finish
