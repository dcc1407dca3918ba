#!/usr/bin/env bash
# workbench's Python API vs NNMT 1.3.0, Siegert rate on 10^5 random points, same process (python_vs_nnmt.py).
# Needs an existing release build (swift build -c release); NNMT goes into Benchmarks/.venv-nnmt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
[[ -f .build/release/libSiegertPlugin.so ]] || { echo "error: no release build (swift build -c release)" >&2; exit 1; }
"$here/setup_nnmt.sh" >/dev/null
PYTHONPATH="$PWD/python" "$here/.venv-nnmt/bin/python" "$here/python_vs_nnmt.py" "$@"
