#!/bin/bash
# `chipfit profile` records its runs in the experiment store; `exp list`
# shows them; --no-store records nothing; a broken store is an error that
# loses neither the printed figures nor the file. `exp show`, `tag`, `note`,
# `rm` and `export`, and each one's errors.
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

# ---- exp show / tag / note / export / rm ----
expect_rc 0 "exp show" -- "$CHIPFIT" exp show 1 --db "$DB"
expect_in out '^experiment 1$' "show names the experiment"
expect_in out "sha256 $hash, [0-9]+ bytes" "show gives the model's hash and size"
expect_in out '^runs \(newest first; latency: whole model, measured, median\)' "runs say measured"
expect_in out '^  [0-9]+ +cpu +2 +1 +2 ' "the newest run (2 threads) comes first"
expect_in out '^  latency +[0-9.]+ µs +measured' "the latency metric: unit and kind"
expect_in out '^layers of run 2 \(times: kind as given, µs; params, MACs: static\)' "the latest run's layers"
expect_in out '^ +0 +conv1 +Conv +measured +[0-9.]+ +[0-9.]+ +[0-9.]+ +onednn' "a layer row"
expect_rc 0 "exp show --json" -- "$CHIPFIT" exp show 1 --json --db "$DB"
expect_in out '"schema":[[:space:]]*"chipfit.exp/1"' "the JSON schema"
expect_in out '"kind":[[:space:]]*"measured"' "JSON kinds"
expect_in out "\"sha256\":[[:space:]]*\"$hash\"" "JSON model hash"
expect_rc 1 "exp show of a missing experiment" -- "$CHIPFIT" exp show 99 --db "$DB"
expect_in err 's\.db: no experiment 99' "names the id and the store"
expect_empty out "nothing on stdout for a failed show"
expect_rc 2 "exp show of a non-number" -- "$CHIPFIT" exp show abc --db "$DB"
expect_rc 2 "exp show with an option of rm" -- "$CHIPFIT" exp show 1 --recursive --db "$DB"

expect_rc 0 "exp tag" -- "$CHIPFIT" exp tag 1 baseline --db "$DB"
expect_rc 0 "exp note" -- "$CHIPFIT" exp note 1 "fp32, as exported" --db "$DB"
expect_rc 0 "exp list after tag" -- "$CHIPFIT" exp list --db "$DB"
expect_in out '^1 +fashion_cnn\.onnx +baseline ' "the tag in the list"
expect_rc 0 "exp show after note" -- "$CHIPFIT" exp show 1 --db "$DB"
expect_in out '^  note +fp32, as exported$' "the note in show"
expect_rc 0 'exp tag ""' -- "$CHIPFIT" exp tag 1 "" --db "$DB"
expect_rc 0 "exp list after clearing" -- "$CHIPFIT" exp list --db "$DB"
expect_in out '^1 +fashion_cnn\.onnx +- ' "the tag is cleared"
expect_rc 1 "exp tag of a missing experiment" -- "$CHIPFIT" exp tag 99 x --db "$DB"
expect_in err 'no experiment 99' "names the id"
expect_rc 2 "exp tag without a name" -- "$CHIPFIT" exp tag 1 --db "$DB"
expect_rc 1 "exp note on a missing store" -- "$CHIPFIT" exp note 1 x --db "$TMP/nowhere.db"
expect_in err 'nowhere\.db: no such database' "names it"
checks=$((checks + 1))
[[ ! -e "$TMP/nowhere.db" ]] || { echo "FAIL: exp note made a database"; failures=$((failures + 1)); }

expect_rc 0 "exp export" -- "$CHIPFIT" exp export 1 -o "$TMP/out.onnx" --db "$DB"
checks=$((checks + 1))
cmp -s "$MODEL" "$TMP/out.onnx" || { echo "FAIL: export is not the model"; failures=$((failures + 1)); }
expect_rc 2 "exp export without -o" -- "$CHIPFIT" exp export 1 --db "$DB"
obj="$DB.objects/${hash:0:2}/${hash:2}"
cp "$obj" "$TMP/obj.keep"
printf 'X' | dd of="$obj" bs=1 seek=100 conv=notrunc status=none
expect_rc 1 "export of a corrupt object" -- "$CHIPFIT" exp export 1 -o "$TMP/bad.onnx" --db "$DB"
expect_in err "sha256 $hash\) is corrupt: .*${hash:2}" "names the hash and the file"
checks=$((checks + 1))
[[ ! -e "$TMP/bad.onnx" ]] || { echo "FAIL: a corrupt export wrote a file"; failures=$((failures + 1)); }
rm "$obj"
expect_rc 1 "export of a missing object" -- "$CHIPFIT" exp export 1 -o "$TMP/bad.onnx" --db "$DB"
expect_in err "sha256 $hash\) is missing" "names the hash"
cp "$TMP/obj.keep" "$obj"
checks=$((checks + 1))
[[ -z "$(ls "$TMP" | grep '\.tmp\.')" ]] || { echo "FAIL: export left a temporary file"; failures=$((failures + 1)); }

# A database file the OS will not write. chmod does not stop root: as root
# the command runs as nobody (setpriv), for whom it does.
as_user=()
if [[ $(id -u) -eq 0 ]]; then
  command -v setpriv >/dev/null && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [[ $(id -u) -eq 0 && ${#as_user[@]} -eq 0 ]]; then
  echo "skipped: the read-only database file checks (root, and no setpriv to drop to nobody)"
else
  mkdir "$TMP/ro"
  cp "$DB" "$TMP/ro/ro.db"
  chmod 0444 "$TMP/ro/ro.db"
  chmod 0555 "$TMP/ro"
  chmod 0711 "$TMP"
  cp "$TMP/ro/ro.db" "$TMP/ro.copy"
  expect_rc 1 "exp tag on a read-only file" -- "${as_user[@]}" "$CHIPFIT" exp tag 1 x --db "$TMP/ro/ro.db"
  expect_in err 'ro\.db: the database file is read-only' "says so"
  checks=$((checks + 1))
  cmp -s "$TMP/ro/ro.db" "$TMP/ro.copy" || { echo "FAIL: the read-only file changed"; failures=$((failures + 1)); }
  chmod 0755 "$TMP/ro"
fi

# rm: children by hand (nothing in the CLI makes them yet); no orphans after.
if command -v sqlite3 >/dev/null; then
  sqlite3 "$DB" "INSERT INTO experiments (model_id, parent_id, artifact) SELECT model_id, 1, artifact FROM experiments WHERE id = 1"
  expect_rc 1 "exp rm of a parent" -- "$CHIPFIT" exp rm 1 --db "$DB"
  expect_in err 'experiment 1 has 1 child experiment \(2\).*--recursive' "names the child and the way out"
  expect_eq "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM experiments')" 2 "nothing removed"
  expect_rc 0 "exp rm --recursive" -- "$CHIPFIT" exp rm 1 --recursive --db "$DB"
  expect_in out '^removed 2 experiments$' "says how many"
  expect_eq "$(sqlite3 "$DB" 'SELECT (SELECT COUNT(*) FROM experiments) + (SELECT COUNT(*) FROM models) + (SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM layer_results) + (SELECT COUNT(*) FROM metrics)')" 0 "no rows left"
  expect_eq "$(find "$DB.objects" -type f | wc -l)" 0 "no object files left"
else
  echo "skipped: exp rm of a parent (no sqlite3 command to make a child)"
  expect_rc 0 "exp rm" -- "$CHIPFIT" exp rm 1 --db "$DB"
  expect_eq "$(find "$DB.objects" -type f | wc -l)" 0 "no object files left"
fi
expect_rc 1 "exp rm of a missing experiment" -- "$CHIPFIT" exp rm 1 --db "$DB"
expect_in err 'no experiment 1' "names the id"
finish
