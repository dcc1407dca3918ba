#!/usr/bin/env bash
# Timings of the Nyström numerics of `random-walk` and `leaky-discrete` (THEORY §4), end to end through
# the CLI (release build, one process per evaluation, so the wall time includes start-up and dlopen;
# "inside" is the estimator's own time from `eval --timing`). The task: P(N <= n) and E[N] for n = 100
# well under a second (a dense kernel on the ~4900 nodes of THEORY's uniform 0.5 s grid, and its LU,
# take tens of seconds).
# Usage: Benchmarks/random_walk.sh        (SWIFT=/path/to/swift to choose the toolchain driver)
#
# Measured 2026-11-23 (2-core shared VM, other builds running; wall includes ~25 ms process start):
#   RW1 (a=5, m=0.1, s=1) n=100: P(N<=n) only    wall  31.6 ms   inside the estimator    6.72 ms
#   RW2 (a=3, m=0, s=1)   n=100: P(N<=n) only    wall  39.4 ms   inside the estimator    8.86 ms
#   RW3 (a=2, m=-0.1, s=1) n=100: P(N<=n) only   wall  44.9 ms   inside the estimator    9.79 ms
#   RW1 E[N] only                                wall  32.1 ms   inside the estimator    8.75 ms
#   RW3 P(N<inf) only                            wall  30.8 ms   inside the estimator    8.10 ms
#   RW1/RW2/RW3 n=100, every output              wall  68 / 30 / 39 ms   inside 22.7 / 6.2 / 14.1 ms
#   RW2 n=1000 / n=10000: P(N<=n) only           inside 105 ms / 3.7 s   (m = 0: no early stop, cost ~ n^1.5)
#   E[N], m=0.01 (cut-off 3900 s below x0)       inside 86 ms
#   leaky-discrete L1..L5                        inside 1.4, 6.0, 0.8, 4.6, 2.5 ms; beta=0.99: 4.0 (reset), 13.4 ms (subtract)
set -euo pipefail
cd "$(dirname "$0")/.."
${SWIFT:-swift} build -c release >/dev/null
wb=.build/release/workbench
time_eval() {  # label, estimator, args...
    local label=$1; shift
    local t0 t1 inside
    t0=$(date +%s.%N)
    inside=$(taskset -c 0 "$wb" eval "$@" --timing 2>&1 >/dev/null | sed -n 's/.* in \([0-9.e-]*\) s inside.*/\1/p')
    t1=$(date +%s.%N)
    python3 -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<44} wall {w*1e3:8.1f} ms   inside the estimator {float(sys.argv[4])*1e3:8.2f} ms')" "$t0" "$t1" "$label" "${inside:-nan}"
}
echo "random-walk / leaky-discrete, one core (taskset -c 0), $(nproc) cores on the machine"
time_eval "RW1 (a=5, m=0.1, s=1) n=100: P(N<=n) only"  random-walk 5 0.1 1 100 --outputs p_cross_by_n
time_eval "RW2 (a=3, m=0, s=1)   n=100: P(N<=n) only"  random-walk 3 0 1 100 --outputs p_cross_by_n
time_eval "RW3 (a=2, m=-0.1, s=1) n=100: P(N<=n) only" random-walk 2 -0.1 1 100 --outputs p_cross_by_n
time_eval "RW1 E[N] only"                              random-walk 5 0.1 1 100 --outputs mean_n
time_eval "RW3 P(N<inf) only"                          random-walk 2 -0.1 1 100 --outputs p_cross_ever
time_eval "RW1 n=100, every output"                    random-walk 5 0.1 1 100
time_eval "RW2 n=100, every output"                    random-walk 3 0 1 100
time_eval "RW3 n=100, every output"                    random-walk 2 -0.1 1 100
time_eval "RW2 n=1000: P(N<=n) only"                   random-walk 3 0 1 1000 --outputs p_cross_by_n
time_eval "RW2 n=10000: P(N<=n) only"                  random-walk 3 0 1 10000 --outputs p_cross_by_n
time_eval "E[N], m=0.01 (cut-off 3900 s below x0)"     random-walk 5 0.01 1 10 --outputs mean_n
for v in "L1 0.9 0.05 0.3 reset" "L2 0.9 0.05 0.3 subtract" "L3 0.5 0.4 0.5 reset" "L4 0.5 0.4 0.5 subtract" "L5 0.95 0 0.1 reset" \
         "beta=0.99 0.99 0.01 0.1 reset" "beta=0.99 0.99 0.01 0.1 subtract"; do
    set -- $v
    time_eval "leaky-discrete $1 ($5)" leaky-discrete "$2" "$3" "$4" --mode "$5" --outputs spike_prob
done
