#!/bin/bash
# `chipfit report` in each format, alone and --vs another experiment, and
# `chipfit exp diff`: two runs of models/fashion_cnn.onnx and one of a copy
# without its Softmax (a second experiment) in a private store. The JSON is
# validated against docs/report.schema.json by the small validator below
# (the keywords the schema uses; any other is an error, so the schema cannot
# outgrow the check); the validator is shown failing on broken documents.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$SRC/models/fashion_cnn.onnx"
SCHEMA="$SRC/docs/report.schema.json"
DB="$TMP/r.db"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# validate FILE: JSON Schema subset (type, required, properties,
# additionalProperties false, items, enum, const, oneOf, $ref, minimum).
cat >"$TMP/validate.py" <<'PYEOF'
import json, sys
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
NOTES = {"$schema", "$id", "$defs", "title", "description"}
TYPES = {"object": dict, "array": list, "string": str, "null": type(None), "boolean": bool}
def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])
def check(v, s, path):
    errs = []
    for k in s:
        if k not in NOTES | {"type", "required", "properties", "additionalProperties", "items",
                             "enum", "const", "oneOf", "$ref", "minimum"}:
            raise SystemExit("validator: unsupported keyword %s at %s" % (k, path))
    if "$ref" in s:
        ref = schema
        for part in s["$ref"].lstrip("#/").split("/"):
            ref = ref[part]
        errs += check(v, ref, path)
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(is_type(v, t) for t in ts):
            return errs + ["%s: %r is not %s" % (path, v, "/".join(ts))]
    if "const" in s and v != s["const"]:
        errs.append("%s: %r is not %r" % (path, v, s["const"]))
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r not in %r" % (path, v, s["enum"]))
    if "minimum" in s and is_type(v, "number") and v < s["minimum"]:
        errs.append("%s: %r < %r" % (path, v, s["minimum"]))
    if "oneOf" in s:
        ok = [sub for sub in s["oneOf"] if not check(v, sub, path)]
        if len(ok) != 1:
            errs.append("%s: matches %d of oneOf, not 1" % (path, len(ok)))
    if isinstance(v, dict):
        for r in s.get("required", []):
            if r not in v:
                errs.append("%s: %s is missing" % (path, r))
        props = s.get("properties", {})
        for k, x in v.items():
            if k in props:
                errs += check(x, props[k], path + "." + k)
            elif s.get("additionalProperties") is False:
                errs.append("%s: %s is not in the schema" % (path, k))
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            errs += check(x, s["items"], "%s[%d]" % (path, i))
    return errs
errs = check(doc, schema, "$")
for e in errs[:20]:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PYEOF
validate() { expect_rc 0 "$2 validates against the schema" -- "$PY" "$TMP/validate.py" "$SCHEMA" "$1"; }

expect_rc 0 "profile, 1 thread" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --warmup 1 --db "$DB"
expect_rc 0 "profile, 2 threads" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --warmup 1 \
  --threads 2 --db "$DB"

# ---- report ID alone ----
expect_rc 0 "report md" -- "$CHIPFIT" report 1 --format md -o "$TMP/r.md" --db "$DB"
cp "$TMP/r.md" "$TMP/md"
expect_in md '^# chipfit report: experiment 1, fashion_cnn\.onnx$' "md title"
for s in '## Experiment' '## Runs' '## Metrics' '## Top layers by time'; do
  expect_in md "^$s\$" "md section '$s'"
done
expect_in md '^\| model \| fashion_cnn\.onnx \([0-9]+ bytes, sha256 [0-9a-f]{64}\) \|$' "md model row"
expect_in md '^\| 2 \| cpu \| 2 \| 1 \| 2 \| .* \| ok \| [0-9.]+ µs \|$' "md newest run first"
expect_in md '^\| latency \| [0-9.e+]+ \| µs \| measured \| - \| 1 \|$' "md metric: unit, kind"
expect_in md '^\| 0 \| conv1 \| Conv \| measured \| [0-9.]+ \| [0-9.]+% \| onednn' "md top layer"
checks=$((checks + 1))
if grep -q '^## Compared' "$TMP/md"; then echo "FAIL: md compares without --vs"; failures=$((failures + 1)); fi

expect_rc 0 "report csv" -- "$CHIPFIT" report 1 --format csv -o "$TMP/r.csv" --db "$DB"
cp "$TMP/r.csv" "$TMP/csv"
expect_eq "$(head -1 "$TMP/csv")" \
  "index,name,op,kind,median_us,p10_us,p90_us,impl,params,macs,flops,bytes_in,bytes_out" "csv header"
expect_eq "$(($(wc -l <"$TMP/csv") - 1))" 9 "csv: one row per layer (9)"
expect_in csv '^0,"conv1","Conv",measured,[0-9.]+,[0-9.]+,[0-9.]+,"onednn\+Relu",320,194688,' "csv conv1 row"
expect_eq "$(awk -F, 'NR > 1 && NF != 13' "$TMP/csv" | wc -l)" 0 "csv: 13 fields in every row"

expect_rc 0 "report json" -- "$CHIPFIT" report 1 --format json -o "$TMP/r.json" --db "$DB"
validate "$TMP/r.json" "report json"
expect_eq "$(jq -r '.experiment.layers | length' "$TMP/r.json")" 9 "json: 9 layers"
expect_eq "$(jq -r '.compare' "$TMP/r.json")" null "json: no compare without --vs"
# `exp show --json` is the report's experiment object, with its own schema name
"$CHIPFIT" exp show 1 --json --db "$DB" | jq -S 'del(.schema)' >"$TMP/show.json"
jq -S '.experiment' "$TMP/r.json" >"$TMP/report_exp.json"
expect_eq "$(cmp -s "$TMP/show.json" "$TMP/report_exp.json" && echo same)" same \
  "exp show --json and the report's experiment object agree"
expect_rc 0 "report -o -" -- "$CHIPFIT" report 1 --format json -o - --db "$DB"
expect_in out '"schema":[[:space:]]*"chipfit.report/1"' "JSON to stdout"

# The validator fails on broken documents (so the check above can fail).
jq 'del(.experiment.runs[0].backend)' "$TMP/r.json" >"$TMP/broken1.json"
jq '.experiment.layers[0].kind = "guessed"' "$TMP/r.json" >"$TMP/broken2.json"
jq '.experiment.layers[0].static.macs = "many"' "$TMP/r.json" >"$TMP/broken3.json"
jq '.extra = 1' "$TMP/r.json" >"$TMP/broken4.json"
for i in 1 2 3 4; do
  expect_rc 1 "broken document $i fails validation" -- "$PY" "$TMP/validate.py" "$SCHEMA" "$TMP/broken$i.json"
done
expect_in err 'is not in the schema' "the validator names what is wrong"

# ---- a second experiment: the model without its Softmax ----
if "$PY" -c 'import onnx' 2>/dev/null; then
  "$PY" - "$MODEL" "$TMP/nosoftmax.onnx" <<'PYEOF'
import sys, onnx
m = onnx.load(sys.argv[1]); g = m.graph
sm = [n for n in g.node if n.op_type == "Softmax"][0]
g.output[0].name = sm.input[0]
g.node.remove(sm)
onnx.save(m, sys.argv[2])
PYEOF
  REMOVED=1
else
  # No onnx module: the same graph with different bytes (an unknown field
  # 100 on the model), so a second experiment with the same layers.
  cp "$MODEL" "$TMP/nosoftmax.onnx"
  printf '\xa0\x06\x01' >>"$TMP/nosoftmax.onnx"
  REMOVED=0
  echo "skipped: the removed-layer checks (no python3 onnx module)"
fi
expect_rc 0 "profile the second model" -- "$CHIPFIT" profile "$TMP/nosoftmax.onnx" --repeats 2 \
  --warmup 1 --db "$DB"

expect_rc 0 "exp diff" -- "$CHIPFIT" exp diff 1 2 --db "$DB"
expect_in out '^A  experiment 1 \(fashion_cnn\.onnx\), run 2: cpu, 2 threads' "diff names A's run"
expect_in out '^B  experiment 2 \(nosoftmax\.onnx\), run 3: cpu, 1 thread,' "diff names B's run"
expect_in out '^  latency +- +µs +[0-9.e+]+ +[0-9.e+]+ +[-+][0-9.e+]+ +[-+][0-9.]+% +measured / measured$' "diff latency metric"
expect_in out '^  both +conv1 +Conv +[0-9.]+ +[0-9.]+ +[-+][0-9.]+ +[-+][0-9.]+% +\+0 +\+0$' "diff conv1 row"
if [[ $REMOVED -eq 1 ]]; then
  expect_in out '^layers: 8 in both, 1 removed \(only in A\), 0 added \(only in B\)$' "diff counts"
  expect_in out '^  removed +softmax +Softmax +[0-9.]+ +- +- +- +- +-$' "the removed layer"
fi
expect_rc 0 "exp diff --json" -- "$CHIPFIT" exp diff 1 2 --json --db "$DB"
jq '{schema: "chipfit.report/1", experiment: null, baseline: null, compare: .}' "$TMP/out" >/dev/null
expect_eq "$(jq -r '.schema + " " + (.a|tostring) + " " + (.run_b|tostring)' "$TMP/out")" \
  "chipfit.diff/1 1 3" "diff JSON: schema, a, run_b"
expect_rc 2 "exp diff with one ID" -- "$CHIPFIT" exp diff 1 --db "$DB"
expect_in err 'exp diff takes two experiment IDs, got 1 argument' "says what it takes"
expect_rc 2 "exp diff with a non-number" -- "$CHIPFIT" exp diff 1 x --db "$DB"
expect_rc 1 "exp diff of a missing experiment" -- "$CHIPFIT" exp diff 1 99 --db "$DB"
expect_in err 'no experiment 99' "names it"
expect_empty out "nothing on stdout for a failed diff"

# ---- report --vs ----
expect_rc 0 "report md --vs" -- "$CHIPFIT" report 2 --vs 1 --format md -o "$TMP/v.md" --db "$DB"
cp "$TMP/v.md" "$TMP/md"
for s in '## Compared with experiment 1 \(fashion_cnn\.onnx\)' '### Metrics' '### Layers'; do
  expect_in md "^$s\$" "md --vs section '$s'"
done
expect_in md '^Deltas are experiment 2 minus the baseline, experiment 1' "md says the direction"
expect_in md '^\| latency \| - \| µs \| [0-9.e+]+ \| [0-9.e+]+ \| [-+][0-9.e+]+ \| [-+][0-9.]+% \| measured / measured \|$' "md metric delta"
[[ $REMOVED -eq 1 ]] && expect_in md '^\| removed \| softmax \| Softmax \| [0-9.]+ \| - \| - \| - \| - \| - \|$' "md removed layer"

expect_rc 0 "report csv --vs" -- "$CHIPFIT" report 2 --vs 1 --format csv -o "$TMP/v.csv" --db "$DB"
cp "$TMP/v.csv" "$TMP/csv"
expect_eq "$(head -1 "$TMP/csv")" \
  "status,name,op,base_index,base_kind,base_median_us,base_params,base_macs,index,kind,median_us,params,macs,delta_median_us,delta_median_pct,delta_params,delta_macs" \
  "csv --vs header"
expect_eq "$(($(wc -l <"$TMP/csv") - 1))" 9 "csv --vs: one row per compared layer"
expect_in csv '^both,"conv1","Conv",0,measured,[0-9.]+,320,194688,0,measured,[0-9.]+,320,194688,-?[0-9.]+,-?[0-9.]+,0,0$' "csv --vs conv1 row"
[[ $REMOVED -eq 1 ]] && expect_in csv '^removed,"softmax","Softmax",8,measured,[0-9.]+,0,0,,,,,,,,,$' "csv --vs removed row"

expect_rc 0 "report json --vs" -- "$CHIPFIT" report 2 --vs 1 --format json -o "$TMP/v.json" --db "$DB"
validate "$TMP/v.json" "report json --vs"
expect_eq "$(jq -r '[.baseline.id, .experiment.id, .compare.a, .compare.b] | map(tostring) | join(" ")' "$TMP/v.json")" \
  "1 2 1 2" "json --vs: baseline is a, the experiment b"
[[ $REMOVED -eq 1 ]] && expect_eq "$(jq -r '.compare.layers[] | select(.status == "removed") | .name + " " + (.b|tostring)' "$TMP/v.json")" \
  "softmax null" "json: the removed layer has no b"
jq '.compare.layers[0].status = "moved"' "$TMP/v.json" >"$TMP/broken5.json"
expect_rc 1 "a broken compare fails validation" -- "$PY" "$TMP/validate.py" "$SCHEMA" "$TMP/broken5.json"

# ---- errors ----
expect_rc 2 "report without --format" -- "$CHIPFIT" report 1 -o "$TMP/x" --db "$DB"
expect_rc 2 "report --format pdf" -- "$CHIPFIT" report 1 --format pdf -o "$TMP/x" --db "$DB"
expect_in err "unknown format 'pdf'" "names the format"
expect_rc 2 "report without -o" -- "$CHIPFIT" report 1 --format md --db "$DB"
expect_rc 2 "report --vs x" -- "$CHIPFIT" report 1 --vs x --format md -o "$TMP/x" --db "$DB"
expect_rc 1 "report of a missing experiment" -- "$CHIPFIT" report 7 --format md -o "$TMP/x.md" --db "$DB"
expect_in err 'no experiment 7' "names it"
expect_rc 1 "report to a missing directory" -- "$CHIPFIT" report 1 --format md -o "$TMP/no/dir.md" --db "$DB"
expect_in err 'no/dir\.md: cannot write' "names the file"
checks=$((checks + 1))
[[ ! -e "$TMP/x.md" && -z "$(ls "$TMP" | grep '\.tmp\.')" ]] || { echo "FAIL: a failed report left a file"; failures=$((failures + 1)); }
expect_rc 1 "report of a missing store" -- "$CHIPFIT" report 1 --format md -o "$TMP/x.md" --db "$TMP/none.db"
checks=$((checks + 1))
[[ ! -e "$TMP/none.db" ]] || { echo "FAIL: report made a database"; failures=$((failures + 1)); }
expect_rc 0 "report --help" -- "$CHIPFIT" report --help
expect_in out '^usage: chipfit report ID \[--vs BASE\] --format md\|json\|csv\|html -o FILE' "help"
finish
