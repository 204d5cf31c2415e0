# Helpers for the CLI shell tests. A test script sources this with
# CHIPFIT (the binary) and SRC (the source dir) as $1 and $2.
set -u
CHIPFIT=$1
SRC=$2
TMP=$(mktemp -d)
# `chipfit profile` records its runs in the experiment store: a private one.
export CHIPFIT_DB="$TMP/chipfit.db"
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0

# expect_rc RC DESCRIPTION -- CMD...: runs CMD, keeps stdout/stderr in
# $TMP/out and $TMP/err, checks the exit code.
expect_rc() {
  local want=$1 what=$2
  shift 3
  checks=$((checks + 1))
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, wanted $want"
    sed 's/^/  stderr: /' "$TMP/err" | head -5
    failures=$((failures + 1))
    return 1
  fi
}

# expect_in FILE PATTERN DESCRIPTION: grep -E PATTERN in $TMP/FILE.
expect_in() {
  checks=$((checks + 1))
  if ! grep -qE -- "$2" "$TMP/$1"; then
    echo "FAIL: $3: /$2/ not in $1"
    sed 's/^/  | /' "$TMP/$1" | head -8
    failures=$((failures + 1))
  fi
}

expect_empty() {
  checks=$((checks + 1))
  if [[ -s "$TMP/$1" ]]; then
    echo "FAIL: $2: $1 not empty"
    sed 's/^/  | /' "$TMP/$1" | head -5
    failures=$((failures + 1))
  fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
  checks=$((checks + 1))
  if [[ "$1" != "$2" ]]; then
    echo "FAIL: $3: got '$1', wanted '$2'"
    failures=$((failures + 1))
  fi
}

finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [[ $failures -eq 0 ]]
}
