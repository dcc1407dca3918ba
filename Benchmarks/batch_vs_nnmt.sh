#!/usr/bin/env bash
# The whole batch job against nnmt's (issue 20): read a CSV of 10^5 random (mu, sigma) rows, compute the
# Siegert rate and its log, write a CSV. One core (taskset -c 0), same run, medians of REPEATS.
#   nnmt 1.3.0: Benchmarks/nnmt_batch.py (np.loadtxt, vectorised Siegert, np.savetxt), timed in-process
#               (interpreter start and imports excluded).
#   workbench:  `eval siegert --input IN --outputs rate_hz,ln_rate_hz --format csv` (every parameter echoed,
#               status and error columns), process wall time minus that of a one-row file (start-up).
# Also: the same job on 2 cores, the default batch (every output), and a 10^5-point --grid.
# Usage: Benchmarks/batch_vs_nnmt.sh [ROWS]   (needs Benchmarks/setup_nnmt.sh; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
repeats=${REPEATS:-7}
Benchmarks/setup_nnmt.sh >/dev/null
swift build -c release >/dev/null
wb=.build/release/workbench
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$rows" "$tmp" <<'PY'
import random, sys
n, d = int(sys.argv[1]), sys.argv[2]
random.seed(1)
with open(f"{d}/in.csv", "w") as f:
    f.write("mu,sigma\n")
    for _ in range(n):
        f.write(f"{random.uniform(-20, 40)!r},{random.uniform(0.5, 20)!r}\n")
with open(f"{d}/one.csv", "w") as f:
    f.write("mu,sigma\n15,5\n")
PY
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
wall() {  # seconds of one run of the command
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
nnmt=$(taskset -c 0 Benchmarks/.venv-nnmt/bin/python Benchmarks/nnmt_batch.py "$tmp/in.csv" "$tmp/nnmt.csv" \
       --repeats "$repeats" | tee /dev/stderr | awk '/NNMT_BATCH_US_PER_ROW/ {print $2}')
job() { # label, cpu list, extra args...
    local label=$1 cpus=$2; shift 2
    local start run
    start=$(for _ in $(seq "$repeats"); do wall taskset -c "$cpus" $wb eval siegert --input "$tmp/one.csv" "$@"; done | median)
    run=$(for _ in $(seq "$repeats"); do wall taskset -c "$cpus" $wb eval siegert --input "$tmp/in.csv" "$@"; done | median)
    python3 -c "import sys; s, r, n, nn = map(float, sys.argv[1:5]); us = (r - s) / n * 1e6
print(f'{sys.argv[5]:<44} {us:7.3f} us/row   vs nnmt {nn / us:5.1f}x   (start-up {s*1e3:.1f} ms)')" \
        "$start" "$run" "$rows" "$nnmt" "$label"
}
echo "rows: $rows, repeats: $repeats, nnmt whole job: $nnmt us/row"
job "workbench rate_hz,ln_rate_hz, 1 core" 0 --outputs rate_hz,ln_rate_hz --format csv
job "workbench rate_hz,ln_rate_hz, 2 cores" 0,1 --outputs rate_hz,ln_rate_hz --format csv
job "workbench every output, 1 core" 0 --format csv
job "workbench every output, 2 cores" 0,1 --format csv
grid() { # label, cpus
    local start run
    start=$(for _ in $(seq "$repeats"); do wall taskset -c "$2" $wb eval siegert --grid mu=15 --grid sigma=5 --outputs rate_hz,ln_rate_hz; done | median)
    run=$(for _ in $(seq "$repeats"); do wall taskset -c "$2" $wb eval siegert --grid mu=-20:39.94:0.06 --grid sigma=0.5:50:0.5 --outputs rate_hz,ln_rate_hz; done | median)
    python3 -c "import sys; s, r, nn = map(float, sys.argv[1:4]); us = (r - s) / 1e5 * 1e6
print(f'{sys.argv[4]:<44} {us:7.3f} us/row   vs nnmt {nn / us:5.1f}x')" "$start" "$run" "$nnmt" "$1"
}
grid "workbench --grid 1000 x 100, rate, 1 core" 0
grid "workbench --grid 1000 x 100, rate, 2 cores" 0,1
