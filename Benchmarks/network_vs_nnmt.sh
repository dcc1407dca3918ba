#!/usr/bin/env bash
# Working point of a network file, workbench vs NNMT 1.3.0 in the same run (needs Benchmarks/setup_nnmt.sh and a
# release build). Both times are in-process, without process start or imports: workbench's `seconds` of
# `network --no-stability --format json` (33 Newton starts: every working point it can find) and the best of 5 calls
# of NNMT's lif.{delta,exp}._firing_rates (one ODE integration from nu = 0 to an increment of 1e-7 Hz).
#   Benchmarks/network_vs_nnmt.sh [examples/networks/microcircuit.yaml]
set -eu
cd "$(dirname "$0")/.."
file=${1:-examples/networks/microcircuit.yaml}
best=1e9
for _ in 1 2 3 4 5; do
    s=$(.build/release/workbench network "$file" --no-stability --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
    best=$(python3 -c "print(min($best, $s))")
done
nnmt=$(Benchmarks/.venv-nnmt/bin/python Benchmarks/nnmt_network.py "$file" --repeat 5 | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
python3 -c "w, n = $best, $nnmt; print(f'$file: workbench {w*1e3:.1f} ms (all working points), nnmt {n*1e3:.1f} ms (one): nnmt/workbench = {n/w:.2f}')"
