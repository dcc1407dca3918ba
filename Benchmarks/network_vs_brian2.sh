#!/usr/bin/env bash
# Side-by-side network simulation: `workbench simulate network examples/networks/brunel-A.yaml` vs Brian2 2.11
# cpp_standalone (brian2_brunel.py) on the same Brunel (2000) model-A network, in the same run; then the
# Potjans-Diesmann microcircuit (workbench only: its size and memory on this machine).
#
#   Benchmarks/network_vs_brian2.sh [T_seconds]        (default 1; plus a 0.3 s burn-in in both)
#
# Environment: REPEATS=3 (median), THREADS="1 2", MICRO_T=0.5 (s of microcircuit; 0 skips it),
# OMP_WAIT_POLICY=passive (see simulate_vs_brian2.sh).
#
# Timing: the time-step loop only in both: workbench's run_seconds (--format json; connectivity set-up is
# setup_seconds), Brian2's device._last_run_time (code generation, compilation and the connectivity build excluded).
# Reported: neuron-steps/s and synaptic events/s, and the ratio workbench/Brian2 per thread count.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
T="${1:-1}"
REPEATS="${REPEATS:-3}"
THREADS="${THREADS:-1 2}"
MICRO_T="${MICRO_T:-0.5}"
py="$here/.venv-brian2/bin/python"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
"$here/setup_brian2.sh" >&2
tmp="$(mktemp -d /tmp/network_vs_brian2.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cp "$root/.build/release/workbench" "$tmp/workbench"
cp "$root"/.build/release/lib*Plugin.so "$tmp/" 2>/dev/null || true
mkdir -p "$here/results"
log="$here/results/network_vs_brian2_$(date +%Y%m%d_%H%M%S).log"
echo "Brunel A, T = ${T} s + 0.3 s burn-in, repeats $REPEATS, threads ($THREADS); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$log"

for th in $THREADS; do
    : > "$tmp/wb.tsv"; : > "$tmp/b2.tsv"
    for r in $(seq "$REPEATS"); do
        "$tmp/workbench" simulate network "$root/examples/networks/brunel-A.yaml" --time "${T}s" --burn-in 300ms \
            --threads "$th" --format json > "$tmp/wb.json"
        "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["run_seconds"], d["neuron_steps"], d["synaptic_events"], d["populations"][0]["rate_hz"]["value"], sep="\t")' "$tmp/wb.json" >> "$tmp/wb.tsv"
    done
    "$py" "$here/brian2_brunel.py" --threads "$th" --time "$T" --burn-in 0.3 --repeats "$REPEATS" --json > "$tmp/b2.txt"
    grep '^{' "$tmp/b2.txt" >> "$log"
    "$py" - "$tmp/wb.tsv" "$tmp/b2.txt" "$th" <<'EOF' | tee -a "$log"
import json, statistics, sys
wb = [list(map(float, l.split())) for l in open(sys.argv[1])]
b2 = json.loads([l for l in open(sys.argv[2]) if l.startswith("{")][0])
th = sys.argv[3]
t_wb = statistics.median(r[0] for r in wb)
steps, events, rate = wb[0][1], wb[0][2], wb[0][3]
t_b2 = b2["median_run_time_s"]
print(f"{th} thread(s): workbench {t_wb:.3f} s ({steps / t_wb:.3g} neuron-steps/s, {events / t_wb:.3g} events/s, "
      f"E {rate:.3f} Hz); Brian2 {t_b2:.3f} s ({b2['neuron_steps_per_second']:.3g} neuron-steps/s, "
      f"{b2['events_per_second']:.3g} events/s, E {b2['rate_e_hz']:.3f} Hz): workbench {t_b2 / t_wb:.1f}x faster")
EOF
done

if [[ "$MICRO_T" != "0" ]]; then
    /usr/bin/time -v "$tmp/workbench" simulate network "$root/examples/networks/microcircuit.yaml" \
        --time "${MICRO_T}s" --burn-in 100ms --format json > "$tmp/mc.json" 2> "$tmp/mc.time"
    "$py" - "$tmp/mc.json" "$tmp/mc.time" <<'EOF' | tee -a "$log"
import json, re, sys
d = json.load(open(sys.argv[1]))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(sys.argv[2]).read()).group(1))
rates = ", ".join(f"{p['name']} {p['rate_hz']['value']:.2f}" for p in d["populations"])
print(f"microcircuit: {d['neurons']} neurons, {d['synapses']:.4g} synapses, {d['threads']} threads; set-up "
      f"{d['setup_seconds']:.1f} s, {d['time_ms'] + d['burn_in_ms']:.0f} ms in {d['run_seconds']:.1f} s "
      f"({d['neuron_steps_per_second']:.3g} neuron-steps/s, {d['synaptic_events_per_second']:.3g} events/s); "
      f"peak memory {rss / 1e6:.2f} GB; rates [Hz]: {rates}")
EOF
fi
echo "log: $log"
