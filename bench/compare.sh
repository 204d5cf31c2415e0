#!/usr/bin/env bash
# chipfit's CPU backend side by side with ONNX Runtime (onnxruntime-node, CPU).
#
#   bench/compare.sh [--models a,b] [--threads 1,2] [--rounds N] [--warmup W]
#                    [--repeats R] [--seed S] [--timeout SEC]
#
# For each model and thread count: seeded random inputs (.npy, from the model's
# declared inputs), then N rounds of `chipfit profile ... --json` and
# `node bench/ort/run.mjs ...` in alternation (chipfit, ORT, chipfit, ORT, ...).
# Each tool's figure is its best (lowest) median over the rounds. Outputs of the
# first round are compared (max abs difference). A model chipfit cannot run
# shows its error in its row. Table on stdout and in bench/out/compare-DATE.md;
# raw JSON, stderr and outputs in bench/out/compare-DATE/.
#
# Environment: CHIPFIT (default build/chipfit), NODE (default node),
# PYTHON (default /usr/bin/python3).
# Exit: 0 every row has both timings; 1 some row failed; 2 usage or set-up error.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CHIPFIT=${CHIPFIT:-$ROOT/build/chipfit}
NODE=${NODE:-node}
PYTHON=${PYTHON:-/usr/bin/python3}
PROG=compare.sh
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$HERE/lib.sh"

ALL_MODELS=resnet18,mobilenet_v2,squeezenet1_1,efficientnet_b0,transformer_encoder,fashion_cnn
EXPORTED=" resnet18 mobilenet_v2 squeezenet1_1 efficientnet_b0 transformer_encoder "
models=$ALL_MODELS
threads=1,2
rounds=3
warmup=5
repeats=20
seed=1
run_timeout=600

usage() {
    sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    echo "models: $ALL_MODELS, or a path to an .onnx file"
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --models) need_value "$@"; models=$2; shift 2 ;;
        --threads) need_value "$@"; threads=$2; shift 2 ;;
        --rounds) need_value "$@"; rounds=$2; shift 2 ;;
        --warmup) need_value "$@"; warmup=$2; shift 2 ;;
        --repeats) need_value "$@"; repeats=$2; shift 2 ;;
        --seed) need_value "$@"; seed=$2; shift 2 ;;
        --timeout) need_value "$@"; run_timeout=$2; shift 2 ;;
        --models=*) models=${1#*=}; shift ;;
        --threads=*) threads=${1#*=}; shift ;;
        --rounds=*) rounds=${1#*=}; shift ;;
        --warmup=*) warmup=${1#*=}; shift ;;
        --repeats=*) repeats=${1#*=}; shift ;;
        --seed=*) seed=${1#*=}; shift ;;
        --timeout=*) run_timeout=${1#*=}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

check_counts
IFS=, read -r -a model_list <<<"$models"
[[ ${#model_list[@]} -gt 0 && ${#thread_list[@]} -gt 0 ]] || die "nothing to run"

check_setup

model_path() {
    case $1 in
        *.onnx) echo "$1" ;;
        fashion_cnn) echo "$ROOT/models/fashion_cnn.onnx" ;;
        *) echo "$HERE/models/$1.onnx" ;;
    esac
}

missing=()
for m in "${model_list[@]}"; do
    p=$(model_path "$m")
    [[ -f $p ]] && continue
    if [[ $EXPORTED == *" $m "* ]]; then
        missing+=("$m")
    else
        die "no model file $p (known models: $ALL_MODELS)"
    fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "exporting ${missing[*]} (bench/export_models.py)" >&2
    "$PYTHON" "$HERE/export_models.py" "${missing[@]}" >&2 || die "export_models.py failed"
fi

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$HERE/out"
work=$HERE/out/compare-$stamp
report=$HERE/out/compare-$stamp.md
mkdir -p "$work"
runs=$work/runs.tsv
: >"$runs"

cpu=$(cpu_name)
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "chipfit $CHIPFIT against ONNX Runtime; $rounds round(s) of warm-up $warmup + $repeats runs; ${cpu:-unknown CPU}, $(nproc) CPU(s)" >&2
echo "work folder: $work" >&2

for m in "${model_list[@]}"; do
    name=$(basename "$m" .onnx)
    path=$(model_path "$m")
    inputs=$work/$name/inputs
    input_args=()
    if ! specs=$("$PYTHON" "$HERE/compare.py" inputs "$path" "$inputs" --seed "$seed" 2>"$work/$name.inputs.err"); then
        echo "  $name: cannot make inputs: $(tail -n1 "$work/$name.inputs.err")" >&2
        continue
    fi
    while IFS= read -r spec; do
        input_args+=(--input "$spec")
    done <<<"$specs"
    for t in "${thread_list[@]}"; do
        dir=$work/$name/t$t
        mkdir -p "$dir"
        note_busy "before $name, $t thread(s)"
        cf_ok=1
        for ((r = 1; r <= rounds; r++)); do
            cf_save=() ort_save=() cf_out="" ort_out=""
            if [[ $r -eq 1 ]]; then
                cf_out=$dir/chipfit-out ort_out=$dir/ort-out
                cf_save=(--save-outputs "$cf_out") ort_save=(--save-outputs "$ort_out")
            fi
            if [[ $cf_ok -eq 1 ]]; then
                if ! run_tool chipfit "$name" "$t" "$r" "$dir/chipfit-r$r" "$cf_out" -- \
                    "$CHIPFIT" profile "$path" --threads "$t" --warmup "$warmup" \
                    --repeats "$repeats" "${input_args[@]}" "${cf_save[@]}" --json --no-store; then
                    cf_ok=0   # it will not run in the next rounds either
                    echo "  $name t$t: $(grep -m1 . "$dir/chipfit-r$r.err" || echo "chipfit failed")" >&2
                fi
            fi
            run_tool ort "$name" "$t" "$r" "$dir/ort-r$r" "$ort_out" -- \
                "$NODE" "$HERE/ort/run.mjs" "$path" --threads "$t" --warmup "$warmup" \
                --repeats "$repeats" "${input_args[@]}" "${ort_save[@]}" ||
                echo "  $name t$t: ORT: $(grep -m1 . "$dir/ort-r$r.err" || echo failed)" >&2
        done
        echo "  $name t$t done" >&2
    done
done

{
    echo "# chipfit against ONNX Runtime, $(date '+%Y-%m-%d %H:%M:%S')"
    echo
    echo "Measured on this machine: ${cpu:-unknown CPU}, $(nproc) CPU(s)."
    echo "chipfit: \`$CHIPFIT\` ($("$CHIPFIT" --version 2>/dev/null | head -n1 || echo '?')), git $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')."
    echo "Each figure: the lowest of $rounds round(s)' medians, each median over $repeats timed"
    echo "runs after $warmup warm-up run(s); chipfit and ORT rounds alternate. Inputs seeded"
    echo "random (seed $seed); output difference from the first round. Ratio < 1: chipfit faster."
    busy_report "each model and thread count" "$load_start"
    echo
} >"$report"
rc=0
"$PYTHON" "$HERE/compare.py" report "$work" >>"$report" || rc=$?
cat "$report"
echo "written: $report (raw runs: $work)" >&2
exit "$rc"
