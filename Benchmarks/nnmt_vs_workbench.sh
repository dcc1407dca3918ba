#!/usr/bin/env bash
# Siegert rate, NNMT 1.3.0 vs workbench, on one core (taskset -c 0), same 300 x 100 (mu, sigma) grid.
# 1. Benchmarks/setup_nnmt.sh (venv, idempotent)   2. nnmt_siegert.py (timing + results/nnmt_grid.csv)
# 3. workbench on the same grid: the CLI end to end (process start, CSV I/O) and the estimator alone (--timing)
# 4. nnmt_compare.py (accuracy). Needs an existing release build (does not build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
wb=.build/release/workbench
[[ -x $wb ]] || { echo "error: $wb missing (swift build -c release)" >&2; exit 1; }
"$here/setup_nnmt.sh" >/dev/null
mkdir -p "$here/results"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "== nnmt =="
taskset -c 0 "$here/.venv-nnmt/bin/python" "$here/nnmt_siegert.py" --repeats "${REPEATS:-5}" | tee "$here/results/nnmt_timing.txt"
cut -d, -f1,2 "$here/results/nnmt_grid.csv" > "$here/results/grid_mu_sigma.csv"
rows=$(($(wc -l < "$here/results/grid_mu_sigma.csv") - 1))
echo "== workbench (CLI, end to end) =="
times=()
for _ in $(seq "${REPEATS:-5}"); do
    t0=$(date +%s.%N)
    taskset -c 0 $wb eval siegert --input "$here/results/grid_mu_sigma.csv" \
        --outputs rate_hz,ln_rate_hz --format csv > "$here/results/workbench_grid.csv" 2>/dev/null
    t1=$(date +%s.%N)
    times+=("$(python3 -c "print(float('$t1') - float('$t0'))")")
done
python3 -c "import statistics, sys; t = sorted(map(float, sys.argv[2:])); n = int(sys.argv[1]); m = statistics.median(t)
print(f'{n} rows: median {m*1e3:.1f} ms over {len(t)} runs = {m/n*1e6:.3f} us/point (CLI incl. process start, CSV I/O)')" "$rows" "${times[@]}"
echo "== workbench (inside the estimator, the batch ABI call only: eval --timing) =="
wb_times=$(for _ in $(seq "${REPEATS:-5}"); do
    taskset -c 0 $wb eval siegert --input "$here/results/grid_mu_sigma.csv" --outputs rate_hz,ln_rate_hz --format csv --timing 2>&1 >/dev/null | grep timing
done)
echo "$wb_times"
nnmt_line=$(grep NNMT_US_PER_POINT "$here/results/nnmt_timing.txt")
python3 - "$nnmt_line" "$wb_times" <<'PY'
import re, statistics, sys
nn = sys.argv[1].split()
nn_wall, nn_cpu = float(nn[2]), float(nn[4])
wall = [float(x) for x in re.findall(r"estimator: ([0-9.e+-]+) µs/row", sys.argv[2])]
cpu = [float(x) for x in re.findall(r"CPU [0-9.]+ s = ([0-9.e+-]+) µs/row", sys.argv[2])]
w, c = statistics.median(wall), statistics.median(cpu)
print(f"rate per point, one core, median: nnmt {nn_wall:.3f} us (CPU {nn_cpu:.3f}), workbench {w:.3f} us (CPU {c:.3f})")
print(f"ratio nnmt / workbench: {nn_wall / w:.1f}x wall, {nn_cpu / c:.1f}x CPU (goal of issue 11: >= 10x)")
PY
echo "== workbench CV and density on the same grid (one core, eval --timing, median of 3) =="
for outs in "cv" "density_per_mv --v 12" "rate_hz,ln_rate_hz,mean_v_mv,drate_dmu_hz_per_mv"; do
    for _ in 1 2 3; do
        # shellcheck disable=SC2086
        taskset -c 0 $wb eval siegert --input "$here/results/grid_mu_sigma.csv" --outputs $outs --format csv --timing 2>&1 >/dev/null | grep -o "CPU.*"
    done | sort -t= -k2 -n | sed -n 2p | sed "s/^/--outputs $outs: /"
done
echo "== accuracy =="
python3 "$here/nnmt_compare.py"
