#!/usr/bin/env bash
# Side-by-side throughput: `workbench simulate lif-white` vs Brian2 cpp_standalone.
#
#   Benchmarks/simulate_vs_brian2.sh [N] [T_seconds]        (defaults 4000 10)
#
# Environment:
#   REPEATS=3         runs per configuration (the median is reported)
#   THREADS="1 2"     thread counts to compare
#   SCHEME=bridge     workbench threshold scheme (bridge|naive); Brian2 always
#                     checks the threshold only at grid points (≈ naive)
#   WORKBENCH=...     binary (default .build/release/workbench; it is copied to
#                     a temporary file first so a rebuild cannot change it mid-run)
#   OMP_WAIT_POLICY=passive  for Brian2's OpenMP binary (default here: passive).
#                     With libgomp's default spinning, a 2-thread run on a 2-core
#                     machine that has any other load spends most of its time in
#                     per-time-step barriers waiting for a preempted thread
#                     (measured 10-50x slower than passive); on an idle machine
#                     OMP_WAIT_POLICY=active may be a little faster. Other OMP_* /
#                     GOMP_* variables are passed through as well.
#
# Timing: workbench -> its own `neuron_steps_per_second` (--format json, same
# number as the last line of the table output); Brian2 -> device._last_run_time
# (time-step loop only, code generation/compilation excluded), see brian2_lif.py.
# No taskset pinning: on a 2-core machine it buys nothing for 1-thread runs and
# would only hurt when the other core is busy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
N="${1:-4000}"
T="${2:-10}"
REPEATS="${REPEATS:-3}"
THREADS="${THREADS:-1 2}"
SCHEME="${SCHEME:-bridge}"
WORKBENCH="${WORKBENCH:-$root/.build/release/workbench}"
py="$here/.venv-brian2/bin/python"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"

"$here/setup_brian2.sh" >&2

# The binary may be being rebuilt by someone else: wait for it, then snapshot it.
for _ in $(seq 30); do [[ -x "$WORKBENCH" ]] && break; echo "waiting for $WORKBENCH ..." >&2; sleep 10; done
[[ -x "$WORKBENCH" ]] || { echo "error: $WORKBENCH not found" >&2; exit 1; }
tmp="$(mktemp -d /tmp/simulate_vs_brian2.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cp "$WORKBENCH" "$tmp/workbench"
wb_id="$(stat -c '%y' "$WORKBENCH" | cut -d. -f1), sha256 $(sha256sum "$tmp/workbench" | cut -c1-12)"

mkdir -p "$here/results"
log="$here/results/simulate_vs_brian2_$(date +%Y%m%d_%H%M%S).log"
echo "N=$N T=${T}s repeats=$REPEATS threads=($THREADS) scheme=$SCHEME OMP_WAIT_POLICY=$OMP_WAIT_POLICY; workbench $wb_id; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$log" >&2

# --- workbench -----------------------------------------------------------------
: > "$tmp/results.tsv"   # sim threads ns_per_step rate_hz
# Thread counts interleaved within each repeat, so that a slow spell of the (shared) machine hits
# every thread count alike rather than one of them.
for r in $(seq "$REPEATS"); do
    for th in $THREADS; do
        "$tmp/workbench" simulate lif-white 15 5 --neurons "$N" --time "${T}s" --burn-in 0 \
            --threads "$th" --scheme "$SCHEME" --format json > "$tmp/wb.json"
        cat "$tmp/wb.json" >> "$log"
        "$py" - "$tmp/wb.json" "$th" "$N" "$T" >> "$tmp/wb_runs.tsv" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); th, n, t = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
print(th, 1e9 / d["neuron_steps_per_second"], d["spikes"] / (n * t), sep="\t")
EOF
        tail -1 "$tmp/wb_runs.tsv" | awk -v th="$th" '{printf "workbench %s thread(s): %.3f ns/neuron-step, %.3f Hz\n", th, $2, $3}' >&2
    done
done
# median over repeats per thread count
"$py" - "$tmp/wb_runs.tsv" >> "$tmp/results.tsv" <<'EOF'
import statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    th, ns, rate = line.split(); runs[th].append((float(ns), float(rate)))
for th, v in runs.items():
    print("workbench", th, statistics.median(x[0] for x in v), statistics.mean(x[1] for x in v), sep="\t")
EOF

# --- scalar reference loop (same algorithm, one neuron at a time, libm calls) ---
for th in $THREADS; do
    line="$("$tmp/workbench" simulate lif-white 15 5 --neurons "$N" --time "${T}s" --burn-in 0 --threads "$th" --scheme "$SCHEME" --kernel scalar)"
    echo "$line" >> "$log"
    sps="$(sed -n 's/.*: \([0-9.e+]*\) neuron-steps\/s.*/\1/p' <<< "$line")"
    hz="$(sed -n 's/.*spikes (\([0-9.e+]*\) Hz).*/\1/p' <<< "$line")"
    printf 'scalar\t%s\t%s\t%s\n' "$th" "$("$py" -c "print(1e9/float('$sps'))")" "$hz" >> "$tmp/results.tsv"
done

# --- Brian2 --------------------------------------------------------------------
b2_version=""
for th in $THREADS; do
    echo "Brian2 $th thread(s): generating + compiling, then $REPEATS runs ..." >&2
    if "$py" "$here/brian2_lif.py" --neurons "$N" --time "$T" --threads "$th" --repeats "$REPEATS" > "$tmp/b2.out" 2>> "$log"; then
        cat "$tmp/b2.out" >> "$log"
        grep -v '^RESULT' "$tmp/b2.out" >&2
        line="$(grep '^RESULT' "$tmp/b2.out")"
        get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " ${line#RESULT}"; }
        printf 'brian2\t%s\t%s\t%s\n' "$th" "$(get ns_per_neuron_step)" "$(get rate_hz)" >> "$tmp/results.tsv"
        b2_version="$(get brian2_version)"
    else
        echo "Brian2 with $th thread(s) FAILED (see $log)" | tee -a "$log" >&2
    fi
done

if ! cmp -s "$WORKBENCH" "$tmp/workbench"; then
    echo "note: $WORKBENCH was rebuilt during the benchmark; the numbers are for the snapshot ($wb_id)" | tee -a "$log" >&2
fi

# --- table ---------------------------------------------------------------------
"$py" - "$tmp/results.tsv" "$N" "$T" "$REPEATS" "$b2_version" "$SCHEME" "$(cut -d' ' -f1-3 /proc/loadavg)" "$OMP_WAIT_POLICY" <<'EOF' | tee -a "$log"
import sys
path, n, t, reps, ver, scheme, load, omp = sys.argv[1:]
res = {}
for line in open(path):
    sim, th, ns, rate = line.split("\t"); res[(sim, int(th))] = (float(ns), float(rate))
ths = sorted({th for _, th in res})
print()
print(f"lif-white mu=15 sigma=5 mV, N={n}, T={t} s, dt=0.1 ms ({int(n) * round(float(t) / 1e-4):.3g} neuron-steps), median of {reps}")
print(f"workbench scheme {scheme} | Brian2 {ver or '?'} cpp_standalone, Euler-Maruyama, OMP_WAIT_POLICY={omp} | load avg at end: {load}")
print()
print(f"{'threads':>7} | {'workbench ns/step':>17} | {'Brian2 ns/step':>14} | {'wb/Brian2':>9} | {'wb speed-up':>11} | {'rate wb / Brian2 (Hz)':>21}")
print("-" * 96)
for th in ths:
    wb, b2 = res.get(("workbench", th)), res.get(("brian2", th))
    f = lambda x: f"{x[0]:.3f}" if x else "n/a"
    ratio = f"{wb[0] / b2[0]:.3f}" if wb and b2 else "n/a"
    speed = f"{b2[0] / wb[0]:.2f}x" if wb and b2 else "n/a"
    rates = f"{wb[1]:.3f} / {b2[1]:.3f}" if wb and b2 else "n/a"
    print(f"{th:>7} | {f(wb):>17} | {f(b2):>14} | {ratio:>9} | {speed:>11} | {rates:>21}")
print()
for sim, name in (("workbench", "workbench"), ("brian2", "Brian2")):
    if (sim, 1) in res:
        for th in ths:
            if th > 1 and (sim, th) in res:
                print(f"{name} {th}-thread speed-up over 1 thread: {res[(sim, 1)][0] / res[(sim, th)][0]:.2f}x")
for th in ths:
    if ("scalar", th) in res and ("workbench", th) in res:
        print(f"scalar reference loop, {th} thread(s): {res[('scalar', th)][0]:.3f} ns/step; SIMD kernel is {res[('scalar', th)][0] / res[('workbench', th)][0]:.2f}x faster")
print("(wb/Brian2 = time ratio, < 1 means workbench is faster; wb speed-up = Brian2 time / workbench time)")
EOF
echo "log: $log" >&2
