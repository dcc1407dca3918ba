#!/usr/bin/env bash
# The atlas on a real Slurm (run by .ci/run): start a single-node Slurm (slurm-up.sh), submit
# examples/slurm/atlas-array.sbatch as a 4-task array into one directory, wait, merge, and compare the
# table, JSON, manifest and heat maps byte for byte with the same atlas run in one process.
# Prints "PASS atlas-on-slurm: ..." or "FAIL atlas-on-slurm: <reason>" and exits 0 or 1.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
wb=$root/.build/release/workbench
dir=$(mktemp -d /tmp/wb-slurm-test.XXXXXX)
finish() { bash "$root/Tests/slurm/slurm-down.sh" "$dir/slurm" >/dev/null 2>&1; }
fail() { echo "FAIL atlas-on-slurm: $*"; finish; exit 1; }
[ -x "$wb" ] || fail "$wb missing (swift build -c release)"
conf=$(bash "$root/Tests/slurm/slurm-up.sh" "$dir/slurm" 2>"$dir/up.err") || fail "Slurm did not start: $(cat "$dir/up.err")"
export SLURM_CONF=$conf

args="siegert --grid mu=10,15,20 --grid sigma=3,5 --neurons 160 --time 300ms --burn-in 100ms --seed 3"
# shellcheck disable=SC2086
"$wb" atlas $args --threads 1 --out "$dir/one" >"$dir/one.log" 2>&1 || fail "one-process atlas failed: $(cat "$dir/one.log")"

cd "$dir" || fail "no $dir"
WORKBENCH=$wb ATLAS_OUT=$dir/shared ATLAS_ARGS=$args timeout 600 \
    sbatch --wait --array=0-3 --output="$dir/task-%a.log" "$root/examples/slurm/atlas-array.sbatch" >"$dir/sbatch.log" 2>&1 \
    || fail "the array job failed: $(cat "$dir/sbatch.log" "$dir"/task-*.log 2>/dev/null | tail -20)"
for k in 0 1 2 3; do
    grep -q "shard $k/4" "$dir/task-$k.log" 2>/dev/null || grep -q "atlas: " "$dir/task-$k.log" 2>/dev/null \
        || fail "task $k did not run its share: $(cat "$dir/task-$k.log" 2>/dev/null)"
done
"$wb" atlas merge "$dir/shared" --out "$dir/merged" >"$dir/merge.log" 2>&1 || fail "merge failed: $(cat "$dir/merge.log")"
for f in atlas.csv atlas.json manifest.json heatmap-rate_hz.svg heatmap-cv.svg; do
    cmp -s "$dir/one/$f" "$dir/merged/$f" || fail "$f of the merged array job differs from the one-process atlas"
done
points=$(ls "$dir/shared/points" | wc -l)
finish
rm -rf "$dir"
echo "PASS atlas-on-slurm: 4 array tasks on a real single-node Slurm ($points points), merged table byte-identical to one process"
