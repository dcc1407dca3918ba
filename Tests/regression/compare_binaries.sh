#!/usr/bin/env bash
# Bit-identity across a refactor: runs every seeded command of seeded_commands.txt with two builds and
# diffs stdout (CSV, every digit) and the exit code. Build the old commit in a worktree first, e.g.
#   git worktree add /tmp/old <commit> && (cd /tmp/old && swift build -c release)
#   Tests/regression/compare_binaries.sh /tmp/old/.build/release/workbench .build/release/workbench
set -u
old=$1 new=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
differ=0 n=0
while read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    n=$((n + 1))
    # shellcheck disable=SC2086  # the line is a list of words
    { "$old" $line; echo "exit $?"; } > "$tmp/old" 2>/dev/null
    # shellcheck disable=SC2086
    { "$new" $line; echo "exit $?"; } > "$tmp/new" 2>/dev/null
    if ! cmp -s "$tmp/old" "$tmp/new"; then
        differ=$((differ + 1))
        echo "DIFFERS: $line"
        diff "$tmp/old" "$tmp/new" | head -10
    fi
done < "$here/seeded_commands.txt"
echo "$n commands, $differ differ"
[[ $differ == 0 ]]
