#!/usr/bin/env bash
# What the Monte-Carlo build flags are worth: builds the package four ways into separate scratch
# directories (.build-flags-*, git-ignored) and times `simulate lif-white` on one thread for each.
#   default      -fno-math-errno + the widest of -march=x86-64-v4/-v3 this CPU has (Package.swift)
#   v3           -fno-math-errno, -march=x86-64-v3 (AVX2 + FMA)     WORKBENCH_MC_ISA=v3
#   baseline     -fno-math-errno, generic x86-64 (SSE2)             WORKBENCH_MC_BASELINE=1
#   math-errno   the default ISA without -fno-math-errno            WORKBENCH_MC_MATH_ERRNO=1
# Every variant gives the same bits (explicit FMAs, no contraction); only the time differs.
set -euo pipefail
cd "$(dirname "$0")/.."
run() {  # label, scratch, env...
    local label=$1 scratch=$2; shift 2
    env "$@" swift build -c release --product workbench --scratch-path "$scratch" >/dev/null
    local times=""
    for _ in 1 2 3 4 5; do
        times="$times $("$scratch/release/workbench" simulate lif-white 15 5 --neurons 4000 --time 10s --burn-in 0 --threads 1 \
            --format json | python3 -c 'import json, sys; print(1e9 / json.load(sys.stdin)["neuron_steps_per_second"])')"
    done
    python3 -c "import statistics,sys; print(f'{sys.argv[1]:<12} {statistics.median(map(float, sys.argv[2:])):6.3f} ns/neuron-step (median of 5, 4e8 neuron-steps)')" "$label" $times
}
run default .build-flags-default
run v3 .build-flags-v3 WORKBENCH_MC_ISA=v3
run baseline .build-flags-baseline WORKBENCH_MC_BASELINE=1
run math-errno .build-flags-errno WORKBENCH_MC_MATH_ERRNO=1
