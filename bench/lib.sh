# bench/lib.sh — shell functions that compare.sh and int8.sh share. Sourced,
# not run:
#
#   PROG=compare.sh   # names the script in its messages
#   . "$HERE/lib.sh"
#
# The functions read the sourcing script's settings: PROG, and CHIPFIT, NODE,
# PYTHON, HERE (check_setup), rounds, repeats, run_timeout, warmup, seed,
# threads (check_counts, which sets thread_list), run_timeout and runs
# (run_tool). note_busy keeps busy_max and busy_at for the report.
# shellcheck shell=bash disable=SC2154

die() {
    echo "$PROG: $1" >&2
    exit "${2:-2}"
}

need_value() {
    [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
}

is_uint() {
    [[ $1 =~ ^[0-9]+$ ]]
}

# The options both scripts take; sets thread_list from --threads.
check_counts() {
    local v t
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
}

# ---- set-up checks: each names its fix --------------------------------------------
check_setup() {
    [[ -x $CHIPFIT ]] || die "no chipfit at $CHIPFIT: build it (cmake --build build) or set CHIPFIT"
    command -v "$NODE" >/dev/null || die "no node ($NODE): apt-get install nodejs npm, or set NODE"
    [[ -d $HERE/ort/node_modules/onnxruntime-node ]] ||
        die "ONNX Runtime is not installed: run \`(cd bench/ort && npm ci)\` first (see bench/README.md)"
    "$PYTHON" -c 'import numpy, onnx' 2>/dev/null ||
        die "$PYTHON lacks numpy or onnx: apt-get install python3-numpy python3-onnx, or set PYTHON"
    command -v timeout >/dev/null || die "no timeout(1) (coreutils)"
}

# One run of one tool: its stdout in STEM.json, its stderr in STEM.err, and a
# line in runs.tsv (compare.py's format). Returns the tool's exit status and
# never fails the script.  run_tool TOOL MODEL THREADS ROUND STEM OUTDIR -- COMMAND...
run_tool() {
    local tool=$1 model=$2 t=$3 round=$4 stem=$5 outdir=$6
    shift 7
    local js=$stem.json err=$stem.err rc=0
    timeout "$run_timeout" "$@" >"$js" 2>"$err" || rc=$?
    [[ $rc -eq 124 ]] && echo "timed out after ${run_timeout}s" >>"$err"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$model" "$t" "$tool" "$round" "$rc" "$js" "$err" "$outdir" >>"$runs"
    return "$rc"
}

cpu_name() {
    grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true
}

# Other work on the machine (a compile) takes a core, and the timings of both
# tools, the multi-threaded ones most, suffer. The share of all CPUs busy over
# half a second (from /proc/stat) while the script runs nothing.
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

# Samples once; the highest share (and where) goes into the report, and above
# 15 % a warning goes to stderr.
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
        echo "$PROG: warning: other processes keep ${pct}% of the CPUs busy ($1): timings will be off" >&2
    fi
}

# The report's lines on the samples.  busy_report WHEN LOAD_AT_START
busy_report() {
    echo "Other processes: at most ${busy_max}% of the CPUs busy in the half-second samples taken"
    echo "before $1${busy_at:+ (${busy_at})}; load average $2 at the start."
    if [[ $busy_max -gt 15 ]]; then
        printf '\n%s\n' "**Warning:** other processes kept ${busy_max}% of the CPUs busy (${busy_at}): the timings, the multi-threaded ones most, are unreliable. Rerun on an idle machine."
    fi
}
