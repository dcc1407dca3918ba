#!/usr/bin/env bash
# Linear response (transfer function) per point: NNMT 1.3.0 vs workbench, one core (taskset -c 0), same run.
# Grid: (mu, sigma) in {(15,5), (22,3), (30,2), (10,4)} mV x 10 log-spaced f from 0.1 Hz to 10 kHz; theta 20, V_r 10,
# tau_m 20 ms, tau_ref 2 ms, white noise (nnmt: tau_s = 0, method shift, no synaptic filter).
# 1. nnmt_transfer_function.py: nnmt.lif.exp._transfer_function_shift, one scalar call per point (median).
# 2. workbench: the same 40 points repeated to 10 000 rows, `eval linear-response --timing` (the estimator's batch
#    call: every output of the row - both responses and the spectrum - from one threshold integration), and the
#    CLI end to end. Needs an existing release build (does not build). REPEATS (default 5).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
wb=.build/release/workbench
[[ -x $wb ]] || { echo "error: $wb missing (swift build -c release)" >&2; exit 1; }
"$here/setup_nnmt.sh" >/dev/null
mkdir -p "$here/results"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
repeats=${REPEATS:-5}
echo "== nnmt (one scalar call per point) =="
taskset -c 0 "$here/.venv-nnmt/bin/python" "$here/nnmt_transfer_function.py" --tau-s 0 --repeats "$repeats" \
    | tee "$here/results/nnmt_tf_timing.txt" | grep -E "^mu|scalar calls|NNMT_TF"
grid="$here/results/linear_response_grid.csv"
python3 - "$grid" <<'PY'
import sys
points = [(mu, s, 0.1 * 10 ** (k * 5 / 9)) for mu, s in [(15, 5), (22, 3), (30, 2), (10, 4)] for k in range(10)]
with open(sys.argv[1], "w") as f:
    f.write("mu,sigma,f\n")
    for _ in range(250):
        for mu, s, fr in points:
            f.write(f"{mu},{s},{fr!r}\n")
PY
echo "== workbench (estimator only: eval --timing; 10 000 rows = the 40 points x 250) =="
wb_times=$(for _ in $(seq "$repeats"); do
    taskset -c 0 $wb eval linear-response --input "$grid" --format csv --timing 2>&1 >/dev/null | grep timing
done)
echo "$wb_times"
echo "== workbench (CLI end to end, same 10 000 rows) =="
cli=()
for _ in $(seq "$repeats"); do
    t0=$(date +%s.%N)
    taskset -c 0 $wb eval linear-response --input "$grid" --format csv > "$here/results/workbench_lr.csv" 2>/dev/null
    t1=$(date +%s.%N)
    cli+=("$(python3 -c "print(float('$t1') - float('$t0'))")")
done
nnmt_line=$(grep NNMT_TF_US_PER_POINT "$here/results/nnmt_tf_timing.txt")
python3 - "$nnmt_line" "$wb_times" "${cli[@]}" <<'PY'
import re, statistics, sys
nn = sys.argv[1].split()
nn_wall, nn_cpu = float(nn[2]), float(nn[4].rstrip(")"))
wall = [float(x) for x in re.findall(r"estimator: ([0-9.e+-]+) µs/row", sys.argv[2])]
cpu = [float(x) for x in re.findall(r"CPU [0-9.]+ s = ([0-9.e+-]+) µs/row", sys.argv[2])]
cli = statistics.median(float(x) for x in sys.argv[3:]) / 10000 * 1e6
w, c = statistics.median(wall), statistics.median(cpu)
print(f"per point, one core, median: nnmt {nn_wall:.1f} us (CPU {nn_cpu:.1f}); workbench {w:.2f} us (CPU {c:.2f}), "
      f"CLI end to end {cli:.2f} us")
print(f"ratio nnmt / workbench: {nn_wall / w:.0f}x wall, {nn_cpu / c:.0f}x CPU, {nn_wall / cli:.0f}x against the whole CLI "
      f"(goal of issue 22: >= 100x)")
PY
