#!/usr/bin/env bash
# How fast the TUI answers on a long layer table (not a test: figures only).
#
#   bench/tui_bench.sh [--model PATH] [--size WxH] [--idle SEC] [--rounds N]
#
# Opens the model (default bench/models/big5000.onnx, 5,000 layers, written by
# make_big_model.py when missing) in a detached tmux session of WxH (default
# 120x40), with CHIPFIT_TUI_TRACE on, and reads from the trace:
#   open     start of the TUI to its first screen (model loaded, table drawn,
#            the model registered in a fresh experiment store in the temp dir)
#   keys     each key's handling plus redraw, in three groups: scrolling
#            (Down x200, PgDn x20, End, Home), filtering (/ block12 then Esc,
#            N rounds) and sorting (1..8, twice over)
# Keys go one at a time: the next is sent once the trace shows the last one
# done, so no key lands in a half-drawn screen (curses would skip output).
# Idle CPU: utime+stime of the chipfit process (/proc/PID/stat) over SEC
# seconds (default 5) of no input, right after the open.
#
# Environment: CHIPFIT (default build/chipfit), PYTHON (default /usr/bin/python3).
# Exit: 0 figures printed; 1 chipfit failed; 2 usage or set-up error.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CHIPFIT=${CHIPFIT:-$ROOT/build/chipfit}
PYTHON=${PYTHON:-/usr/bin/python3}
PROG=tui_bench.sh
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$HERE/lib.sh"

model=$HERE/models/big5000.onnx
size=120x40
idle=5
rounds=5

usage() {
    sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --model) need_value "$@"; model=$2; shift 2 ;;
        --size) need_value "$@"; size=$2; shift 2 ;;
        --idle) need_value "$@"; idle=$2; shift 2 ;;
        --rounds) need_value "$@"; rounds=$2; shift 2 ;;
        --model=*) model=${1#*=}; shift ;;
        --size=*) size=${1#*=}; shift ;;
        --idle=*) idle=${1#*=}; shift ;;
        --rounds=*) rounds=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
[[ $size =~ ^([0-9]+)x([0-9]+)$ ]] || die "--size wants WxH, e.g. 120x40 (got '$size')"
width=${BASH_REMATCH[1]} height=${BASH_REMATCH[2]}
if ! is_uint "$idle" || [[ $idle -lt 1 ]]; then
    die "--idle needs an integer >= 1 (got '$idle')"
fi
if ! is_uint "$rounds" || [[ $rounds -lt 1 ]]; then
    die "--rounds needs an integer >= 1 (got '$rounds')"
fi
[[ -x $CHIPFIT ]] || die "no chipfit at $CHIPFIT: build it (cmake --build build) or set CHIPFIT"
command -v tmux >/dev/null || die "no tmux: apt-get install tmux"
if [[ ! -e $model ]]; then
    [[ $model == "$HERE/models/big5000.onnx" ]] || die "no model at $model"
    "$PYTHON" -c 'import numpy, onnx' 2>/dev/null ||
        die "$PYTHON lacks numpy or onnx (to write $model): apt-get install python3-numpy python3-onnx"
    "$PYTHON" "$HERE/make_big_model.py" >&2
fi

TMP=$(mktemp -d)
TM=(tmux -S "$TMP/tmux.sock" -f /dev/null)
trap '"${TM[@]}" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
unset TMUX TMUX_PANE LINES COLUMNS
trace=$TMP/trace

lines() {   # key lines in the trace so far
    local n
    n=$(grep -cv '^open ' "$trace" 2>/dev/null) || true
    echo "${n:-0}"
}

# key NAME [LITERAL]: sends one key and waits (up to 10 s) for its trace line.
sent=0
key() {
    if [[ ${2:-} == literal ]]; then
        "${TM[@]}" send-keys -t bench -l -- "$1"
    else
        "${TM[@]}" send-keys -t bench "$1"
    fi
    sent=$((sent + 1))
    local i
    for ((i = 0; i < 2000; i++)); do
        [[ $(lines) -ge $sent ]] && return 0
        sleep 0.005
    done
    die "chipfit did not answer key $sent ($1) within 10 s" 1
}

# stats FROM TO: median, p90 (nearest rank), max and count of the key lines
# FROM..TO (1-based among key lines), in ms.
stats() {
    grep -v '^open ' "$trace" | sed -n "$1,$2p" | awk '{ print $2 / 1000 }' | sort -g |
        awk '{ v[NR] = $1 } END {
            n = NR; m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            r = int(0.9 * n + 0.999999); if (r < 1) r = 1
            printf "%5d  %9.2f  %8.2f  %8.2f\n", n, m, v[r], v[n] }'
}

ticks() {   # utime + stime of PID, in clock ticks
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
note_busy "before the open"
start_ns=$(date +%s%N)
# bash -c 'echo $$; exec ...': chipfit keeps the shell's pid, written to $TMP/pid
# shellcheck disable=SC2016
run=$(printf '%q ' bash -c 'echo $$ > "$0"; exec "$@"' "$TMP/pid" \
    env CHIPFIT_TUI_TRACE="$trace" CHIPFIT_DB="$TMP/chipfit.db" "$CHIPFIT" tui "$model")
"${TM[@]}" new-session -d -s bench -x "$width" -y "$height" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
    -e TERM=screen "$run; sleep 3600"
for ((i = 0; i < 3000; i++)); do
    [[ -s $trace ]] && break
    sleep 0.002
done
wall_ms=$((($(date +%s%N) - start_ns) / 1000000))
[[ -s $trace ]] || die "chipfit did not draw its first screen within 6 s" 1
open_ms=$(awk '/^open / { printf "%.1f", $2 / 1000 }' "$trace")
pid=$(cat "$TMP/pid")
layers=$("${TM[@]}" capture-pane -p -t bench | sed -n 2p | awk '{ print $2 }')

# idle: nothing sent for $idle seconds
t0=$(ticks "$pid")
sleep "$idle"
t1=$(ticks "$pid")
hz=$(getconf CLK_TCK)
idle_pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.2f", 100 * d / hz / s }')

note_busy "before the keys"
a=$(($(lines) + 1))
for ((i = 0; i < 200; i++)); do key Down; done
for ((i = 0; i < 20; i++)); do key NPage; done
key End
key Home
scroll=$(stats "$a" "$(lines)")
a=$(($(lines) + 1))
for ((r = 0; r < rounds; r++)); do
    key /
    for c in b l o c k 1 2; do key "$c" literal; done
    key Escape
done
filter=$(stats "$a" "$(lines)")
a=$(($(lines) + 1))
for r in 1 2; do
    for c in 1 2 3 4 5 6 7 8; do key "$c" literal; done
done
sort=$(stats "$a" "$(lines)")
t2=$(ticks "$pid")
sleep "$idle"
t3=$(ticks "$pid")
idle2_pct=$(awk -v d=$((t3 - t2)) -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.2f", 100 * d / hz / s }')
"${TM[@]}" send-keys -t bench q
for ((i = 0; i < 500; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done

echo "TUI on $(basename "$model") ($layers layers), ${width}x${height}, $CHIPFIT"
echo "CPU: $(cpu_name), $(nproc) cores; load average $load at the start"
echo
printf '%-44s %9s ms   (goal < 1000 ms)\n' "open (TUI start to first screen, trace)" "$open_ms"
printf '%-44s %9s ms   (includes tmux and exec)\n' "open (launch to first screen, wall)" "$wall_ms"
printf '%-44s %9s %%    (goal near 0)\n' "idle CPU, ${idle} s after the open" "$idle_pct"
printf '%-44s %9s %%\n' "idle CPU, ${idle} s after the keys" "$idle2_pct"
echo
printf '%-44s %5s  %9s  %8s  %8s   (goal < 20 ms)\n' "key: handling + redraw" n "median ms" "p90 ms" "max ms"
printf '%-44s %s\n' "scroll (Down x200, PgDn x20, End, Home)" "$scroll"
printf '%-44s %s\n' "filter (/ block12 Esc, x$rounds)" "$filter"
printf '%-44s %s\n' "sort (1..8, twice)" "$sort"
echo
echo "Other processes: at most ${busy_max}% of the CPUs busy in the half-second samples${busy_at:+ (${busy_at})}."
