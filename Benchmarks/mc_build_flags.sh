#!/usr/bin/env bash
# What the Monte-Carlo build flags are worth: builds the package three ways into separate scratch
# directories (.build-flags-*, git-ignored) and times `simulate lif-white` on one thread for each.
#   default      -fno-math-errno + the widest of -march=x86-64-v4/-v3 this CPU has (Package.swift)
#   baseline     -fno-math-errno, generic x86-64 (SSE2)
#   math-errno   -march=x86-64-v3 without -fno-math-errno
set -euo pipefail
cd "$(dirname "$0")/.."
run() {  # label, scratch, env...
    local label=$1 scratch=$2; shift 2
    env "$@" swift build -c release --product workbench --scratch-path "$scratch" >/dev/null
    local best=""
    for _ in 1 2 3; do
        line=$("$scratch/release/workbench" simulate lif-white 15 5 --neurons 4000 --time 2500 --burn-in 0 --threads 1 2>/dev/null | tail -1)
        best="$best $(sed -n 's/.*in \([0-9.]*\) s.*/\1/p' <<< "$line")"
    done
    python3 -c "import statistics,sys; t=statistics.median(map(float,sys.argv[2:])); print(f'{sys.argv[1]:<12} {t*10:6.2f} ns/neuron-step (median of 3, 1e8 neuron-steps)')" "$label" $best
}
run default .build-flags-default
run baseline .build-flags-baseline WORKBENCH_MC_BASELINE=1
run math-errno .build-flags-errno WORKBENCH_MC_MATH_ERRNO=1
