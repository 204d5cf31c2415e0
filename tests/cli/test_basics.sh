# The command table: help, version, usage errors and exit codes.
source "$(dirname "$0")/lib.sh"

expect_rc 0 "--version" -- "$CHIPFIT" --version
expect_in out '^chipfit [0-9]+\.[0-9]+\.[0-9]+' "--version prints the version"

expect_rc 0 "--help" -- "$CHIPFIT" --help
expect_in out 'info +show a model' "--help lists info"
expect_in out 'exit codes: 0 success, 1 failure.*2 usage' "--help documents exit codes"

expect_rc 0 "help info" -- "$CHIPFIT" help info
expect_in out '^usage: chipfit info MODEL' "help info shows usage"
expect_in out -- '--json' "help info lists --json"

expect_rc 0 "info --help" -- "$CHIPFIT" info --help
expect_in out '^usage: chipfit info' "info --help"

expect_rc 2 "no arguments" -- "$CHIPFIT"
expect_in err 'usage: chipfit' "no arguments shows usage on stderr"

expect_rc 2 "unknown option" -- "$CHIPFIT" --frobnicate
expect_in err "unknown option '--frobnicate'" "unknown option named"

expect_rc 2 "unknown command" -- "$CHIPFIT" frobnicate
expect_in err "'frobnicate' is neither a command nor a model file" "unknown command named"

expect_rc 2 "help of an unknown command" -- "$CHIPFIT" help nope
expect_in err "no command 'nope'" "help nope"

# Output that cannot be written is a failure, not a silent success.
if [[ -w /dev/full ]]; then
  "$CHIPFIT" --help >/dev/full 2>"$TMP/err"; rc=$?
  expect_eq "$rc" 1 "--help into /dev/full exits 1"
  expect_in err 'could not write the output' "a full disk is reported"
fi

finish
