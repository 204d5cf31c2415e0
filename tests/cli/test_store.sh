#!/bin/bash
# `chipfit profile` records its runs in the experiment store; `exp list`
# shows them; --no-store records nothing; a broken store is an error that
# loses neither the printed figures nor the file.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$SRC/models/fashion_cnn.onnx"
DB="$TMP/s.db"

expect_rc 0 "profile records" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --warmup 1 --db "$DB"
expect_in out '^latency' "profile still prints its figures"
expect_rc 0 "a second run, 2 threads" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --warmup 1 \
  --threads 2 --db "$DB"
expect_rc 0 "exp list" -- "$CHIPFIT" exp list --db "$DB"
expect_in out '^1 +fashion_cnn\.onnx +- +2 +[0-9.]+ µs \(cpu, 2 threads\)' "the base experiment, 2 runs, latest latency"
hash=$(sha256sum "$MODEL" | cut -c1-64)
checks=$((checks + 1))
if ! cmp -s "$MODEL" "$DB.objects/${hash:0:2}/${hash:2}"; then
  echo "FAIL: the model's copy is not under its SHA-256"
  failures=$((failures + 1))
fi

CHIPFIT_DB="$TMP/env.db" expect_rc 0 "CHIPFIT_DB" -- "$CHIPFIT" profile "$MODEL" --repeats 1
checks=$((checks + 1))
[[ -f "$TMP/env.db" ]] || { echo "FAIL: CHIPFIT_DB not used"; failures=$((failures + 1)); }

expect_rc 0 "--no-store" -- "$CHIPFIT" profile "$MODEL" --repeats 1 --db "$TMP/none.db" --no-store
checks=$((checks + 1))
[[ ! -e "$TMP/none.db" ]] || { echo "FAIL: --no-store made a database"; failures=$((failures + 1)); }

head -c 5000 /dev/urandom >"$TMP/junk.db"
cp "$TMP/junk.db" "$TMP/junk.copy"
expect_rc 1 "a file that is not a database" -- "$CHIPFIT" profile "$MODEL" --repeats 1 --db "$TMP/junk.db"
expect_in out '^latency' "the figures are printed all the same"
expect_in err 'not recorded: .*junk\.db: not a chipfit database' "the error names the store"
checks=$((checks + 1))
cmp -s "$TMP/junk.db" "$TMP/junk.copy" || { echo "FAIL: the broken file was changed"; failures=$((failures + 1)); }
expect_rc 1 "exp list of a missing store" -- "$CHIPFIT" exp list --db "$TMP/missing.db"
expect_in err 'missing\.db: no such database' "exp list names it"
expect_rc 2 "exp without a subcommand" -- "$CHIPFIT" exp
finish
