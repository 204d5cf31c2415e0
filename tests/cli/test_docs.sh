#!/bin/bash
# The docs that are a command's output stay that output: docs/ops.md holds
# `chipfit ops --markdown` below its header.
source "$(dirname "$0")/lib.sh" "$@"

expect_rc 0 "ops --markdown" -- "$CHIPFIT" ops --markdown
sed -n '/^| op |/,$p' "$SRC/docs/ops.md" >"$TMP/doc"
checks=$((checks + 1))
if ! diff -u "$TMP/doc" "$TMP/out" >"$TMP/diff"; then
  echo "FAIL: docs/ops.md differs from 'chipfit ops --markdown' (regenerate it):"
  head -20 "$TMP/diff"
  failures=$((failures + 1))
fi
finish
