#!/usr/bin/env bash
# int8 against fp32: resnet18 and resnet18_int8 (bench/quantize_model.py), each
# run by chipfit and by ONNX Runtime (onnxruntime-node, CPU).
#
#   bench/int8.sh [--model PATH] [--threads 1,2] [--rounds N] [--warmup W]
#                 [--repeats R] [--seed S] [--timeout SEC] [--backend NAME]
#
# For each thread count: N rounds, each running chipfit fp32, chipfit int8, ORT
# fp32, ORT int8 in turn on one seeded random input, so that a change in the
# machine's state hits all four. Each figure is the lowest of the rounds'
# medians. Per tool: the int8/fp32 latency ratio and how far the int8 output is
# from the fp32 one (first round's outputs). Table on stdout and in
# bench/out/int8-DATE.md; raw JSON, stderr and outputs in bench/out/int8-DATE/.
# --model takes the fp32 file (default bench/models/resnet18.onnx); the int8 one
# is the same path with _int8 before .onnx (made by quantize_model.py if missing).
# Defaults: 1,2 threads, 3 rounds, warm-up 5, 20 runs, seed 1, timeout 600 s per
# run, chipfit's backend cpu (cpu-ref: its reference kernels only).
#
# Environment: CHIPFIT (default build/chipfit), NODE (default node),
# PYTHON (default /usr/bin/python3).
# Exit: 0 every row has all timings; 1 some run failed; 2 usage or set-up error.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CHIPFIT=${CHIPFIT:-$ROOT/build/chipfit}
NODE=${NODE:-node}
PYTHON=${PYTHON:-/usr/bin/python3}
PROG=int8.sh
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$HERE/lib.sh"

fp32=$HERE/models/resnet18.onnx
threads=1,2
rounds=3
warmup=5
repeats=20
backend=cpu
seed=1
run_timeout=600

usage() {
    sed -n '2,23s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --model) need_value "$@"; fp32=$2; shift 2 ;;
        --threads) need_value "$@"; threads=$2; shift 2 ;;
        --rounds) need_value "$@"; rounds=$2; shift 2 ;;
        --warmup) need_value "$@"; warmup=$2; shift 2 ;;
        --repeats) need_value "$@"; repeats=$2; shift 2 ;;
        --seed) need_value "$@"; seed=$2; shift 2 ;;
        --timeout) need_value "$@"; run_timeout=$2; shift 2 ;;
        --backend) need_value "$@"; backend=$2; shift 2 ;;
        --model=*) fp32=${1#*=}; shift ;;
        --threads=*) threads=${1#*=}; shift ;;
        --rounds=*) rounds=${1#*=}; shift ;;
        --warmup=*) warmup=${1#*=}; shift ;;
        --repeats=*) repeats=${1#*=}; shift ;;
        --seed=*) seed=${1#*=}; shift ;;
        --timeout=*) run_timeout=${1#*=}; shift ;;
        --backend=*) backend=${1#*=}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

check_counts
[[ ${#thread_list[@]} -gt 0 ]] || die "nothing to run"
[[ $fp32 == *.onnx ]] || die "--model needs an .onnx file (got '$fp32')"
int8=${fp32%.onnx}_int8.onnx
name32=$(basename "$fp32" .onnx)
name8=$(basename "$int8" .onnx)

check_setup

if [[ ! -f $fp32 ]]; then
    [[ $fp32 == "$HERE/models/resnet18.onnx" ]] || die "no model file $fp32"
    echo "exporting resnet18 (bench/export_models.py)" >&2
    "$PYTHON" "$HERE/export_models.py" resnet18 >&2 || die "export_models.py failed"
fi
if [[ ! -f $int8 ]]; then
    echo "quantizing $name32 (bench/quantize_model.py)" >&2
    CHIPFIT=$CHIPFIT "$PYTHON" "$HERE/quantize_model.py" --model "$fp32" --no-check >&2 ||
        die "quantize_model.py failed"
fi

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$HERE/out"
work=$HERE/out/int8-$stamp
report=$HERE/out/int8-$stamp.md
mkdir -p "$work"
runs=$work/runs.tsv
: >"$runs"

cpu=$(cpu_name)
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "$name8 against $name32, chipfit $CHIPFIT (--backend $backend) and ONNX Runtime; $rounds round(s) of warm-up $warmup + $repeats runs; ${cpu:-unknown CPU}, $(nproc) CPU(s)" >&2
echo "work folder: $work" >&2

# Both models have the same input; one set of files feeds all four runs.
input_args=()
specs=$("$PYTHON" "$HERE/compare.py" inputs "$fp32" "$work/inputs" --seed "$seed" 2>"$work/inputs.err") ||
    die "cannot make inputs: $(tail -n1 "$work/inputs.err")" 1
while IFS= read -r spec; do
    input_args+=(--input "$spec")
done <<<"$specs"

declare -A cf_ok
for t in "${thread_list[@]}"; do
    dir=$work/t$t
    mkdir -p "$dir"
    note_busy "before $t thread(s)"
    cf_ok[$name32]=1 cf_ok[$name8]=1
    for ((r = 1; r <= rounds; r++)); do
        for tool in chipfit ort; do
            for path in "$fp32" "$int8"; do
                name=$(basename "$path" .onnx)
                save=() out=""
                if [[ $r -eq 1 ]]; then
                    out=$dir/$tool-$name-out
                    save=(--save-outputs "$out")
                fi
                if [[ $tool == chipfit ]]; then
                    [[ ${cf_ok[$name]} -eq 1 ]] || continue
                    if ! run_tool chipfit "$name" "$t" "$r" "$dir/chipfit-$name-r$r" "$out" -- \
                        "$CHIPFIT" profile "$path" --backend "$backend" --threads "$t" \
                        --warmup "$warmup" --repeats "$repeats" "${input_args[@]}" "${save[@]}" --json --no-store; then
                        cf_ok[$name]=0   # it will not run in the next rounds either
                        echo "  $name t$t: $(grep -m1 . "$dir/chipfit-$name-r$r.err" || echo "chipfit failed")" >&2
                    fi
                else
                    run_tool ort "$name" "$t" "$r" "$dir/ort-$name-r$r" "$out" -- \
                        "$NODE" "$HERE/ort/run.mjs" "$path" --threads "$t" --warmup "$warmup" \
                        --repeats "$repeats" "${input_args[@]}" "${save[@]}" ||
                        echo "  $name t$t: ORT: $(grep -m1 . "$dir/ort-$name-r$r.err" || echo failed)" >&2
                fi
            done
        done
        echo "  t$t round $r done" >&2
    done
done

{
    echo "# int8 against fp32, chipfit and ONNX Runtime, $(date '+%Y-%m-%d %H:%M:%S')"
    echo
    echo "Measured on this machine: ${cpu:-unknown CPU}, $(nproc) CPU(s)."
    echo "chipfit: \`$CHIPFIT\` --backend $backend ($("$CHIPFIT" --version 2>/dev/null | head -n1 || echo '?')), git $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')."
    echo "Models: \`$fp32\` (fp32) and \`$int8\` (int8)."
    echo "Each figure: the lowest of $rounds round(s)' medians, each median over $repeats timed"
    echo "runs after $warmup warm-up run(s); in each round chipfit fp32, chipfit int8, ORT fp32,"
    echo "ORT int8 run in turn. Input seeded random (seed $seed); output differences from the"
    echo "first round. Ratio int8/fp32 < 1: int8 faster."
    busy_report "each thread count" "$load_start"
    echo
} >"$report"
rc=0
"$PYTHON" "$HERE/compare.py" int8-report "$work" --fp32 "$name32" --int8 "$name8" >>"$report" || rc=$?
cat "$report"
echo "written: $report (raw runs: $work)" >&2
exit "$rc"
