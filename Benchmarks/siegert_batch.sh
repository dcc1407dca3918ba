#!/usr/bin/env bash
# Batch throughput of `siegert` on one core (release build), end to end through the CLI
# (CSV in, CSV out, one dlopen). Grid: the regimes of THEORY §1.3 — mean-driven to 1e6 noise
# units, fluctuation-driven, sub-threshold down to rates of 1e-600000 Hz, narrow reset intervals.
# Usage: Benchmarks/siegert_batch.sh [rows-per-regime]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
swift build -c release >/dev/null
out=$(mktemp -d)
python3 - "$n" > "$out/grid.csv" <<'PY'
import random, sys
n = int(sys.argv[1]); random.seed(1)
print("mu,sigma,theta,v_reset,tau_ref")
# (y_r, y_theta) regimes of THEORY §1.3, written as mu = 0, sigma = 1, theta = y_theta, v_reset = y_r.
regimes = [(-1e6, -1e5), (-1500, -500), (-3, 3), (20, 40), (30, 35), (0.1, 0.1001), (-2.5, 0), (5, 10)]
for _ in range(n):
    a, b = random.choice(regimes)
    s = random.uniform(0.9, 1.1)
    print(f"0,1,{b*s!r},{a*s!r},{random.choice([0, 2])}")
PY
rows=$(($(wc -l < "$out/grid.csv") - 1))
run() {  # label, outputs
    local t0 t1
    t0=$(date +%s.%N)
    taskset -c 0 .build/release/workbench eval siegert --input "$out/grid.csv" --outputs "$2" > "$out/result.csv" 2>/dev/null || true
    t1=$(date +%s.%N)
    python3 -c "import sys; dt=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'{sys.argv[4]:<28} {n} rows  {dt:7.3f} s  {n/dt:10.0f} rows/s  {dt/n*1e6:7.2f} us/row')" "$t0" "$t1" "$rows" "$1"
}
echo "siegert batch, one core (taskset -c 0), $(nproc) cores on the machine"
run "rate only" rate_hz,ln_rate_hz
run "rate + gain" rate_hz,ln_rate_hz,drate_dmu_hz_per_mv,dln_rate_dmu_per_mv
run "rate + CV" rate_hz,cv
run "all outputs" rate_hz,ln_rate_hz,mean_isi_ms,var_isi_ms2,cv,mean_v_mv,mean_v_all_mv,drate_dmu_hz_per_mv,drate_dsigma_hz_per_mv
rm -rf "$out"
