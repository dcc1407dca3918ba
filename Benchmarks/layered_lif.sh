#!/usr/bin/env bash
# Throughput of the event-driven layered simulators (issue 9): synaptic events per second of `layered-lif`
# (n = 1000, Kaiming, 20 Hz input, 3 layers, annealed and quenched weights) and samples per second of
# `layered-threshold`, on 1 and 2 threads, median of 3. Needs an existing release build (does not build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
wb=.build/release/workbench
[[ -x $wb ]] || { echo "error: $wb missing (swift build -c release)" >&2; exit 1; }
median() { sort -g | sed -n 2p; }
for disorder in annealed quenched; do
    for threads in 1 2; do
        rate=$(for _ in 1 2 3; do
            $wb simulate layered-lif 1000 20 --layer 3 --disorder $disorder --time 5000 --seed 1 --threads $threads 2>&1 \
                | grep -o "[0-9.e+]* synaptic events/s" | cut -d' ' -f1
        done | median)
        echo "layered-lif n=1000 layer 3 $disorder, $threads thread(s): $rate synaptic events/s"
    done
done
for threads in 1 2; do
    line=$(for _ in 1 2 3; do
        $wb simulate layered-threshold --n 1000 --layer 3 --samples 2000 --seed 1 --threads $threads 2>&1 | grep -E "/s" | tail -1
    done | sort | sed -n 2p)
    echo "layered-threshold n=1000 layer 3, $threads thread(s): $line"
done
