#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with AddressSanitizer) of the parsers every input passes through:
# numbers with units, the block-wise CSV reader, the ELF check run on every plugin file before dlopen
# (Sources/workbench-fuzz states each target's properties). The corpus in Tests/fuzz/corpus/TARGET seeds each
# run and is replayed by the ordinary test suite (FuzzCorpusTests).
#   Tests/fuzz/run.sh              CI: a fixed number of runs per target from seed 1 (deterministic, ~2 min)
#   FUZZ_SECONDS=600 Tests/fuzz/run.sh [TARGET...]   a long campaign per target
#   FUZZ_MERGE=1 ...               afterwards, merge what the run found into the corpus (minimised)
# Prints "fuzz: N passed, N failed" (one per target); a crash keeps its input in .build-fuzz/crashes/.
set -uo pipefail
cd "$(dirname "$0")/../.."
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(number csv elf)
scratch=.build-fuzz
# Library modules need -sanitize=fuzzer themselves: SwiftPM's --sanitize=fuzzer instruments only the executable.
if ! swift build -c release --scratch-path "$scratch" --product workbench-fuzz --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DWORKBENCH_LIBFUZZER -Xcc -fsanitize=fuzzer-no-link >/dev/null; then
    echo "fuzz build failed"; echo "fuzz: 0 passed, ${#targets[@]} failed"; exit 1
fi
declare -A runs=([number]=300000 [csv]=600000 [elf]=3000000)
passed=0 failed=0
mkdir -p "$scratch/crashes"
for t in "${targets[@]}"; do
    found=$(mktemp -d)
    if [ -n "${FUZZ_SECONDS:-}" ]; then limit=(-max_total_time="$FUZZ_SECONDS"); else limit=(-runs="${runs[$t]:-300000}"); fi
    log="$scratch/fuzz-$t.log"
    # New inputs go to $found; the committed corpus is read only.
    if WORKBENCH_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 "$scratch/release/workbench-fuzz" \
            -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=4096 "${limit[@]}" \
            -artifact_prefix="$scratch/crashes/$t-" "$found" "Tests/fuzz/corpus/$t" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "fuzz $t: $(grep -E '^#[0-9]+.*DONE' "$log" | tail -1)"
        if [ -n "${FUZZ_MERGE:-}" ]; then
            merged=$(mktemp -d)
            WORKBENCH_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=0 "$scratch/release/workbench-fuzz" -merge=1 -max_len=4096 \
                "$merged" "Tests/fuzz/corpus/$t" "$found" >/dev/null 2>&1 && rm -rf "Tests/fuzz/corpus/$t" && mv "$merged" "Tests/fuzz/corpus/$t"
            echo "fuzz $t: corpus now $(ls "Tests/fuzz/corpus/$t" | wc -l) inputs"
        fi
    else
        failed=$((failed + 1))
        echo "fuzz $t: FAILED (log $log)"; grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5
    fi
    rm -rf "$found"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
