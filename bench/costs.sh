#!/bin/sh
# costs.sh: checks chipfit's static MAC count against published figures.
#
# For resnet18, mobilenet_v2 and squeezenet1_1 (torchvision, 1x3x224x224) it
# runs `$CHIPFIT info bench/models/NAME.onnx --json`, reads the total MACs
# (.totals.macs) and compares them with the published figure (torchvision's
# model docs / the papers), within 2%. Prints a table; exits 1 if any model
# is off by more, 2 if something could not run.
#
#   bench/costs.sh                         # CHIPFIT defaults to build/chipfit
#   CHIPFIT=/path/to/chipfit bench/costs.sh
#   TOLERANCE_PCT=1 bench/costs.sh
#
# The models are exported first (bench/export_models.py, /usr/bin/python3)
# when bench/models/NAME.onnx is missing. Weights are random: MACs do not
# depend on them.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CHIPFIT=${CHIPFIT:-build/chipfit}
PYTHON=${PYTHON:-/usr/bin/python3}
TOLERANCE_PCT=${TOLERANCE_PCT:-2}
MODELS_DIR=${MODELS_DIR:-bench/models}

# name and published MACs (multiply-accumulates, batch 1, 224x224)
PUBLISHED="resnet18 1.82e9
mobilenet_v2 0.30e9
squeezenet1_1 0.35e9"

if [ ! -x "$CHIPFIT" ]; then
    echo "costs.sh: $CHIPFIT is not built (cmake --build build), or set CHIPFIT=" >&2
    exit 2
fi

missing=""
for name in $(echo "$PUBLISHED" | cut -d' ' -f1); do
    [ -f "$MODELS_DIR/$name.onnx" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
    echo "exporting:$missing"
    # shellcheck disable=SC2086
    "$PYTHON" bench/export_models.py --out-dir "$MODELS_DIR" $missing
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-16s | %13s | %9s | %7s | %s\n' "model" "chipfit GMACs" "published" "diff %" "ok/FAIL"
printf '%-16s-|-%13s-|-%9s-|-%7s-|-%s\n' "----------------" "-------------" "---------" "-------" "-------"
echo "$PUBLISHED" | while read -r name published; do
    json="$tmp/$name.json"
    pub_g=$(awk -v p="$published" 'BEGIN { printf "%.2f", p / 1e9 }')
    if ! "$CHIPFIT" info "$MODELS_DIR/$name.onnx" --json >"$json" 2>"$tmp/$name.err"; then
        printf '%-16s | %13s | %9s | %7s | %s\n' "$name" "-" "$pub_g" "-" "FAIL"
        sed 's/^/    /' "$tmp/$name.err" >&2
        echo "$name" >>"$tmp/errors"
        continue
    fi
    # One line: "<gmacs> <published gmacs> <diff %> <ok|FAIL>", or an error on stderr.
    if ! line=$("$PYTHON" - "$json" "$published" "$TOLERANCE_PCT" "$name" <<'EOF'
import json, sys
path, published, tol, name = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
try:
    with open(path) as f:
        doc = json.load(f)
    macs = doc["totals"]["macs"]
except (OSError, ValueError, KeyError, TypeError) as e:
    sys.exit(f"{name}: no .totals.macs in `chipfit info --json` output ({type(e).__name__}: {e})")
if isinstance(macs, bool) or not isinstance(macs, (int, float)):
    sys.exit(f"{name}: .totals.macs is {macs!r}, not a number")
diff = (macs - published) / published * 100.0
ok = abs(diff) <= tol
print(f"{macs / 1e9:.4f} {published / 1e9:.2f} {diff:+.2f} {'ok' if ok else 'FAIL'}")
EOF
    ); then
        printf '%-16s | %13s | %9s | %7s | %s\n' "$name" "?" "$pub_g" "-" "FAIL"
        echo "$name" >>"$tmp/errors"
        continue
    fi
    # shellcheck disable=SC2086  # split the four fields on purpose
    set -- $line
    printf '%-16s | %13s | %9s | %7s | %s\n' "$name" "$1" "$2" "$3" "$4"
    [ "$4" = ok ] || echo "$name" >>"$tmp/failed"
done

if [ -f "$tmp/errors" ]; then
    echo "costs.sh: chipfit gave no MAC count for:" "$(tr '\n' ' ' <"$tmp/errors")" >&2
    exit 2
fi
if [ -f "$tmp/failed" ]; then
    echo "costs.sh: outside ${TOLERANCE_PCT}% of the published MACs:" "$(tr '\n' ' ' <"$tmp/failed")" >&2
    exit 1
fi
echo "costs.sh: all within ${TOLERANCE_PCT}% of the published MACs"
