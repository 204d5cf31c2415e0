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

die() {
    echo "int8.sh: $1" >&2
    exit "${2:-2}"
}

need_value() {
    [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
}

is_uint() {
    [[ $1 =~ ^[0-9]+$ ]]
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

for v in rounds repeats run_timeout; do
    if ! is_uint "${!v}" || [[ ${!v} -lt 1 ]]; then
        die "--${v/run_/} needs an integer >= 1 (got '${!v}')"
    fi
done
is_uint "$warmup" || die "--warmup needs an integer >= 0 (got '$warmup')"
is_uint "$seed" || die "--seed needs an integer >= 0 (got '$seed')"
IFS=, read -r -a thread_list <<<"$threads"
for t in "${thread_list[@]}"; do
    if ! is_uint "$t" || [[ $t -lt 1 ]]; then
        die "--threads needs integers >= 1 (got '$threads')"
    fi
done
[[ ${#thread_list[@]} -gt 0 ]] || die "nothing to run"
[[ $fp32 == *.onnx ]] || die "--model needs an .onnx file (got '$fp32')"
int8=${fp32%.onnx}_int8.onnx
name32=$(basename "$fp32" .onnx)
name8=$(basename "$int8" .onnx)

# ---- set-up checks: each names its fix --------------------------------------------
[[ -x $CHIPFIT ]] || die "no chipfit at $CHIPFIT: build it (cmake --build build) or set CHIPFIT"
command -v "$NODE" >/dev/null || die "no node ($NODE): apt-get install nodejs npm, or set NODE"
[[ -d $HERE/ort/node_modules/onnxruntime-node ]] ||
    die "ONNX Runtime is not installed: run \`(cd bench/ort && npm ci)\` first (see bench/README.md)"
"$PYTHON" -c 'import numpy, onnx' 2>/dev/null ||
    die "$PYTHON lacks numpy or onnx: apt-get install python3-numpy python3-onnx, or set PYTHON"
command -v timeout >/dev/null || die "no timeout(1) (coreutils)"

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

# One run of one tool; appends a line to runs.tsv (compare.py's format). Never
# fails the script.  run_tool TOOL MODEL THREADS ROUND DIR OUTDIR -- COMMAND...
run_tool() {
    local tool=$1 model=$2 t=$3 round=$4 dir=$5 outdir=$6
    shift 7
    local js=$dir/$tool-$model-r$round.json err=$dir/$tool-$model-r$round.err rc=0
    timeout "$run_timeout" "$@" >"$js" 2>"$err" || rc=$?
    [[ $rc -eq 124 ]] && echo "timed out after ${run_timeout}s" >>"$err"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$model" "$t" "$tool" "$round" "$rc" "$js" "$err" "$outdir" >>"$runs"
    return "$rc"
}

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)
# Share of all CPUs busy over half a second (/proc/stat) while this script runs
# nothing, as compare.sh samples it: a compile next to the benchmark takes a core.
cpu_busy_pct() {
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit }' /proc/stat 2>/dev/null) || return 0
    sleep 0.5
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit }' /proc/stat 2>/dev/null) || return 0
    awk -v a="$a" -v b="$b" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        busy = y[1] - x[1]; all = busy + y[2] - x[2]
        printf "%d\n", (all > 0 ? 100 * busy / all + 0.5 : 0) }'
}
busy_max=0
busy_at=""
note_busy() {   # note_busy WHERE
    local pct
    pct=$(cpu_busy_pct)
    [[ -n $pct ]] || return 0
    if [[ $pct -gt $busy_max ]]; then
        busy_max=$pct busy_at=$1
    fi
    if [[ $pct -gt 15 ]]; then
        echo "int8.sh: warning: other processes keep ${pct}% of the CPUs busy ($1): timings will be off" >&2
    fi
}
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
                    if ! run_tool chipfit "$name" "$t" "$r" "$dir" "$out" -- \
                        "$CHIPFIT" profile "$path" --backend "$backend" --threads "$t" \
                        --warmup "$warmup" --repeats "$repeats" "${input_args[@]}" "${save[@]}" --json; then
                        cf_ok[$name]=0   # it will not run in the next rounds either
                        echo "  $name t$t: $(grep -m1 . "$dir/chipfit-$name-r$r.err" || echo "chipfit failed")" >&2
                    fi
                else
                    run_tool ort "$name" "$t" "$r" "$dir" "$out" -- \
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
    echo "Other processes: at most ${busy_max}% of the CPUs busy in the half-second samples taken"
    echo "before each thread count${busy_at:+ (${busy_at})}; load average $load_start at the start."
    if [[ $busy_max -gt 15 ]]; then
        printf '\n%s\n' "**Warning:** other processes kept ${busy_max}% of the CPUs busy (${busy_at}): the timings, the multi-threaded ones most, are unreliable. Rerun on an idle machine."
    fi
    echo
} >"$report"
rc=0
"$PYTHON" "$HERE/compare.py" int8-report "$work" --fp32 "$name32" --int8 "$name8" >>"$report" || rc=$?
cat "$report"
echo "written: $report (raw runs: $work)" >&2
exit "$rc"
